/*
 * entity.c -- from the tagger's spans to the entities of one article,
 * each with a key that holds across scripts (entity.h).
 */
#include "extract/entity.h"

#include "extract/xlit.h"
#include "text/text.h"

#include <pthread.h>
#include <string.h>

extern const char kh__ner_model_data[]; /* generated from data/ner */

static pthread_once_t model_once = PTHREAD_ONCE_INIT;
static kh_ner_model *model;
static kh_status model_rc = KH_OK;
static kh_error model_err;

static void
load_model(void)
{
    const char *path = getenv("KHABAR_NER_MODEL");
    if (path != NULL && *path != '\0')
        model_rc = kh__ner_model_load(path, &model, &model_err);
    else
        model_rc = kh__ner_model_parse(
            kh__ner_model_data, strlen(kh__ner_model_data), &model, &model_err);
}

kh_status
kh__ner_default(const kh_ner_model **out, kh_error *err)
{
    pthread_once(&model_once, load_model);
    *out = model;
    if (model_rc != KH_OK && err != NULL)
        *err = model_err;
    return model_rc;
}

kh_ner_type
kh__entity_type_parse(const char *s, size_t len)
{
    for (int t = KH_NER_PER; t <= KH_NER_ORG; t++)
        if (len == 3 && memcmp(s, kh__ner_type_name((kh_ner_type)t), 3) == 0)
            return (kh_ner_type)t;
    return KH_NER_NONE;
}

static bool
is_space(const char *s, size_t i, size_t n, size_t *len)
{
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        *len = 1;
        return true;
    }
    /* no-break space, ZWNJ, direction marks */
    if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0) {
        *len = 2;
        return true;
    }
    if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0x8c || (unsigned char)s[i + 2] == 0x8e ||
         (unsigned char)s[i + 2] == 0x8f)) {
        *len = 3;
        return true;
    }
    return false;
}

/* Appends the key of each word of s[0..n) to out, '-' between them;
 * returns the words keyed. */
static size_t
words_key(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
    size_t words = 0, i = 0, sp;
    *len = 0;
    out[0] = '\0';
    while (i < n && words < KH_ENTITY_MAX_WORDS) {
        while (i < n && is_space(s, i, n, &sp))
            i += sp;
        size_t w = i;
        while (i < n && !is_space(s, i, n, &sp))
            i++;
        if (w == i)
            break;
        char k[32];
        size_t kl = kh__xlit_key_str(s + w, i - w, k, sizeof k);
        if (kl == 0 || *len + kl + 2 > cap)
            continue;
        if (words > 0)
            out[(*len)++] = '-';
        memcpy(out + *len, k, kl + 1);
        *len += kl;
        words++;
    }
    return words;
}

size_t
kh__entity_name_key(const char *name, size_t len, char *out, size_t cap)
{
    size_t n;
    if (cap == 0)
        return 0;
    words_key(name, len, out, cap, &n);
    return n;
}

/* Harakat (U+064B-U+0652) and tatweel (U+0640), which sit between the
 * letters of a word and are not letters. */
static bool
is_mark(const unsigned char *t, size_t at, size_t end)
{
    return at + 1 < end && t[at] == 0xd9 &&
           (t[at + 1] == 0x80 || (t[at + 1] >= 0x8b && t[at + 1] <= 0x92));
}

/* Bytes of text[at..end) that hold its first `letters` letters (and the
 * marks after them). */
static size_t
skip_letters(const char *text, size_t at, size_t end, size_t letters)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t i = at;
    while (letters > 0 && i + 1 < end) {
        if (!is_mark(t, i, end))
            letters--;
        i += 2;
    }
    while (is_mark(t, i, end))
        i += 2;
    return i - at;
}

static bool
ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* Whether the span text[start, end) (text is len bytes) starts with a
 * piece of a web or mail address: its first word is in Latin letters and
 * joined by . / @ or : to more Latin letters or digits (www.gdp.gov.sa,
 * info@spa.gov.sa).  The tagger took gov, com and www for organizations
 * and places; "شبكة CNN:إن" is no address. */
static bool
in_address(const char *text, size_t len, size_t start, size_t end)
{
    static const char joins[] = "./@:";
    size_t w = start; /* the end of the span's first word */
    while (w < end && text[w] != ' ' && (unsigned char)text[w] < 0x80)
        w++;
    if (w == start || (w < end && text[w] != ' '))
        return false; /* its first word is not all Latin */
    bool before = start >= 2 && strchr(joins, text[start - 1]) != NULL &&
                  (ascii_alnum(text[start - 2]) || text[start - 2] == '/');
    bool after = w + 1 < len && text[w] != '\0' &&
                 strchr(joins, text[w]) != NULL &&
                 (ascii_alnum(text[w + 1]) || text[w + 1] == '/');
    return before || after;
}

typedef struct span_info {
    int field;
    size_t start, end; /* in the field */
    size_t clitic;     /* bytes of a glued clitic at start */
    size_t strip;      /* its letters, at the start of norm */
    const char *norm;  /* the tagger's normalized words */
    bool lam_lam;      /* the clitic was ل before ال written لل */
    kh_ner_type type;
    char words[KH_ENTITY_KEY_MAX]; /* the name's key */
    size_t n_words;
} span_info;

/* Whether ال + b[0..bl) reads as an Arabic word: an entry of the word
 * list or an inflection of one (its stem is an entry's stem; three
 * letters or more, shorter stems match by chance), or named at the
 * start of another of the article's spans without the letter before
 * b's ال (القصيم or والقصيم beside كالقصيم). */
static bool
rest_is_word(const kh_ner_lexicon *lex, const char *b, size_t bl,
             const kh_ner_span *all, size_t n_all)
{
    for (size_t k = 0; k < n_all; k++) {
        const char *o = all[k].norm != NULL ? all[k].norm : "";
        const char *ob;
        size_t obl = kh__ner_bare(o, strcspn(o, " "), &ob);
        if (obl == bl && memcmp(ob, b, bl) == 0 &&
            (ob - o < 6 || memcmp(ob - 6, b - 6, 2) != 0))
            return true;
    }
    if (lex == NULL || lex->dict.count == 0)
        return true; /* no word list: the particle, as before it */
    if (kh__strmap_get(&lex->dict, b, bl) != NULL)
        return true;
    char stem[4 * KH_NER_DICT_WORD + 2];
    if (bl < 6 || bl + 2 > sizeof stem)
        return false;
    size_t sl = kh__stem_light(b, bl, stem + 1);
    stem[0] = KH_NER_DICT_STEM_MARK;
    return kh__strmap_get(&lex->dict, stem, sl + 1) != NULL;
}

/* How many of the n letters before ال in the word w[0..wl) (b[0..bl)
 * after ال) are proclitics.  Most often all (والصين، بالسعودية، كالعادة),
 * but a name can start that way: what follows a dropped letter may be a
 * person's name as written (فاليري، بالدوين، وفالنتين: lex->written), and
 * a ك or ف just before ال whose rest is no word (rest_is_word) belongs
 * to the name (كاليفورنيا، فالنسيا، كالينينغراد).  Over the 31,030
 * SaudiNewsNet articles the second rule keeps some 500 spans whole,
 * mostly such names (كاليفورنيا 337 times, كاليه 39) and some rare
 * Arabic words with ك (كالمخا، كالسباكه). */
static size_t
proclitics_before_al(const kh_ner_lexicon *lex, const char *w, size_t wl,
                     size_t n, const char *b, size_t bl, const kh_ner_span *all,
                     size_t n_all)
{
    for (size_t k = 0; lex != NULL && k < n; k++)
        if (kh__strmap_get(&lex->written, w + 2 * k, wl - 2 * k) != NULL)
            return k;
    const char *x = b - 6; /* the letter before ال */
    if ((memcmp(x, "\xd9\x83", 2) == 0 || memcmp(x, "\xd9\x81", 2) == 0) &&
        !rest_is_word(lex, b, bl, all, n_all))
        return n - 1;
    return n;
}

/* Whether the proclitics of norm (the span's first normalized word) are
 * clitics and not letters of the name: they are when they stand before
 * the article (والصين، بالسعودية، للأمم: a letter before ال is a
 * particle, unless proclitics_before_al() finds it is the name's), or when the
 * article names the bare word elsewhere as an entity's first word (لأوكرانيا
 * beside أوكرانيا).  *strip gets the letters to drop (ال kept), *lam_lam
 * whether they were ل + ال written لل (and not ل before a word of lex's word
 * list that starts with ل). */
static bool
clitic_of(const kh_ner_lexicon *lex, const char *norm, size_t first,
          const kh_ner_span *all, size_t n_all, size_t *strip, bool *lam_lam)
{
    const char *bare;
    size_t bl = kh__ner_bare(norm, first, &bare);
    *lam_lam = false;
    if (bl == first)
        return false;
    size_t gone = (size_t)(bare - norm) / 2; /* Arabic letters: 2 bytes */
    /* the article among the letters taken off: keep it in the name */
    static const char al[] = "\xd8\xa7\xd9\x84";   /* ال */
    static const char lam2[] = "\xd9\x84\xd9\x84"; /* لل */
    if (gone == 2 && memcmp(bare - 4, al, 4) == 0)
        return false; /* only the article: part of the name as written */
    if (gone >= 3 && memcmp(bare - 4, al, 4) == 0) { /* و/ف/ب/ل/ك + ال */
        *strip = proclitics_before_al(lex, norm, first, gone - 2, bare, bl, all,
                                      n_all);
        return *strip > 0;
    }
    if (gone >= 2 && memcmp(bare - 4, lam2, 4) == 0) { /* ل + (ا)ل */
        *strip = gone - 1;
        /* or ل + a word that starts with ل: للبنان is ل + لبنان, which
         * the word list knows (للأمم is ل + الأمم: لأمم is no word) */
        *lam_lam = lex == NULL || lex->dict.count == 0 ||
                   kh__strmap_get(&lex->dict, bare - 2, bl + 2) == NULL;
        return true;
    }
    for (size_t k = 0; k < n_all; k++) {
        const char *o = all[k].norm != NULL ? all[k].norm : "";
        if (strncmp(o, bare, bl) == 0 && (o[bl] == '\0' || o[bl] == ' ')) {
            *strip = gone;
            return true;
        }
    }
    return false;
}

/* "PER:" + words into key (KH_ENTITY_KEY_MAX bytes); words are kept
 * short enough to fit (span_info). */
static void
make_key(char *key, kh_ner_type type, const char *words)
{
    size_t n = strlen(words);
    if (n > KH_ENTITY_KEY_MAX - 5)
        n = KH_ENTITY_KEY_MAX - 5;
    memcpy(key, kh__ner_type_name(type), 3);
    key[3] = ':';
    memcpy(key + 4, words, n);
    key[4 + n] = '\0';
}

static kh_status
add_entity(kh_xentities *x, size_t *cap, const span_info *s, const char *text)
{
    if (x->n_e == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        kh_xentity *ne = kh_realloc(x->e, nc * sizeof *ne);
        if (ne == NULL)
            return KH_ENOMEM;
        x->e = ne;
        *cap = nc;
    }
    kh_xentity *e = &x->e[x->n_e];
    memset(e, 0, sizeof *e);
    e->type = s->type;
    make_key(e->key, s->type, s->words);
    const char *from = text + s->start + s->clitic;
    size_t n = s->end - s->start - s->clitic;
    if (s->lam_lam) { /* للأمم -> الأمم: the ل of ال comes back as ال */
        e->name = kh_malloc(n + 3);
        if (e->name != NULL) {
            memcpy(e->name, "\xd8\xa7", 2);
            memcpy(e->name + 2, from, n);
            e->name[n + 2] = '\0';
        }
    } else {
        e->name = kh__strndup(from, n);
    }
    /* the forms of the name as it reads (كاليفورنيا of لكاليفورنيا), as
     * an Arabic query's are made (kh__entity_form_terms()) */
    const char *nf = s->norm + 2 * s->strip;
    size_t nn = strlen(nf);
    e->norm = kh_malloc(nn + 3);
    if (e->norm != NULL) {
        size_t o = 0;
        if (s->lam_lam) { /* ا */
            e->norm[o++] = '\xd8';
            e->norm[o++] = '\xa7';
        }
        memcpy(e->norm + o, nf, nn + 1);
    }
    x->n_e++;
    if (e->name == NULL || e->norm == NULL)
        return KH_ENOMEM;
    return KH_OK;
}

/* Is every word key of a ('-'-joined) among those of b? */
static bool
words_within(const char *a, const char *b)
{
    while (*a != '\0') {
        size_t n = strcspn(a, "-");
        bool found = false;
        for (const char *p = b; *p != '\0' && !found;) {
            size_t m = strcspn(p, "-");
            found = m == n && memcmp(p, a, n) == 0;
            p += m + (p[m] == '-');
        }
        if (!found)
            return false;
        a += n + (a[n] == '-');
    }
    return true;
}

static const char *
last_word(const char *k)
{
    const char *d = strrchr(k, '-');
    return d != NULL ? d + 1 : k;
}

/* Whether the first word of key a stands after بن/ابن/بنت (bin, bint) in
 * key b: there the shorter name is the longer one's father or forebear
 * (سلمان بن عبدالعزيز in محمد بن سلمان بن عبدالعزيز, سلمان in محمد بن
 * سلمان), not the same person. */
static bool
after_bin(const char *a, const char *b)
{
    size_t n = strcspn(a, "-");
    const char *prev = NULL;
    size_t prev_len = 0;
    for (const char *p = b; *p != '\0';) {
        size_t m = strcspn(p, "-");
        if (m == n && memcmp(p, a, n) == 0)
            return prev != NULL &&
                   ((prev_len == 2 && memcmp(prev, "BN", 2) == 0) ||
                    (prev_len == 3 && memcmp(prev, "BNT", 3) == 0));
        prev = p;
        prev_len = m;
        p += m + (p[m] == '-');
    }
    return false;
}

/* The entity a person's mention stands for: the one person entity of the
 * article whose longer name holds all its words and ends with its last
 * word, unless the mention starts at a father's name in it (after_bin);
 * SIZE_MAX when there is none or more than one. */
static size_t
longer_person(const span_info *info, size_t n, size_t i)
{
    size_t found = SIZE_MAX;
    const char *last = last_word(info[i].words);
    for (size_t k = 0; k < n; k++) {
        if (k == i || info[k].type != KH_NER_PER ||
            info[k].n_words <= info[i].n_words ||
            strcmp(last_word(info[k].words), last) != 0 ||
            !words_within(info[i].words, info[k].words) ||
            after_bin(info[i].words, info[k].words))
            continue;
        if (found != SIZE_MAX && strcmp(info[found].words, info[k].words) != 0)
            return SIZE_MAX; /* two different people: leave it */
        if (found == SIZE_MAX)
            found = k;
    }
    return found;
}

kh_status
kh__entities_find(const kh_ner_model *m, const char *title, const char *body,
                  kh_xentities *out)
{
    memset(out, 0, sizeof *out);
    title = title != NULL ? title : "";
    body = body != NULL ? body : "";
    size_t tl = strlen(title), bl = strlen(body);
    char *all = kh_malloc(tl + 2 + bl + 1);
    if (all == NULL)
        return KH_ENOMEM;
    memcpy(all, title, tl);
    memcpy(all + tl, "\n\n", 2);
    memcpy(all + tl + 2, body, bl + 1);
    kh_ner_span *sp = NULL;
    size_t n = 0;
    kh_status rc = kh__ner_tag(m, all, tl + 2 + bl, &sp, &n);
    kh_free(all);
    if (rc != KH_OK)
        return rc;
    span_info *info = n > 0 ? kh_malloc(n * sizeof *info) : NULL;
    if (n > 0 && info == NULL)
        rc = KH_ENOMEM;
    size_t ni = 0;
    for (size_t i = 0; i < n && rc == KH_OK; i++) {
        span_info *s = &info[ni];
        memset(s, 0, sizeof *s);
        s->type = sp[i].type;
        if (sp[i].start < tl) { /* a span begun in the title ends there */
            s->field = 0;
            s->start = sp[i].start;
            s->end = sp[i].end < tl ? sp[i].end : tl;
        } else {
            s->field = 1;
            s->start = sp[i].start - (tl + 2);
            s->end = sp[i].end - (tl + 2);
        }
        const char *text = s->field == 0 ? title : body;
        const char *norm = sp[i].norm != NULL ? sp[i].norm : "";
        s->norm = norm;
        size_t first = strcspn(norm, " "), strip;
        if (clitic_of(&m->lex, norm, first, sp, n, &strip, &s->lam_lam)) {
            s->clitic = skip_letters(text, s->start, s->end, strip);
            s->strip = strip;
        }
        if (s->clitic >= s->end - s->start || 2 * s->strip >= first) {
            s->clitic = s->strip = 0;
            s->lam_lam = false;
        }
        size_t kl, wn = s->end - s->start - s->clitic;
        const char *w = text + s->start + s->clitic;
        char lam[256];
        if (s->lam_lam && wn + 2 <= sizeof lam) {
            /* keyed as the name reads, الأمم (its ل alone gave LM, not the
             * M of الأمم elsewhere) */
            memcpy(lam, "\xd8\xa7", 2);
            memcpy(lam + 2, w, wn);
            w = lam;
            wn += 2;
        }
        s->n_words = words_key(w, wn, s->words, sizeof s->words - 5, &kl);
        if (s->n_words > 0 &&
            !in_address(text, s->field == 0 ? tl : bl, s->start, s->end))
            ni++;
    }
    size_t cap_e = 0;
    if (rc == KH_OK && ni > 0) {
        out->m = kh_malloc(ni * sizeof *out->m);
        if (out->m == NULL)
            rc = KH_ENOMEM;
    }
    /* Each mention's entity: the longer name of the same person when
     * there is one, else the entity of the same type and words. */
    for (size_t i = 0; i < ni && rc == KH_OK; i++) {
        size_t target = i;
        if (info[i].type == KH_NER_PER) {
            size_t k = longer_person(info, ni, i);
            if (k != SIZE_MAX)
                target = k;
        }
        char key[KH_ENTITY_KEY_MAX];
        make_key(key, info[target].type, info[target].words);
        size_t e = 0;
        while (e < out->n_e && strcmp(out->e[e].key, key) != 0)
            e++;
        if (e == out->n_e)
            rc = add_entity(out, &cap_e, &info[target],
                            info[target].field == 0 ? title : body);
        if (rc != KH_OK)
            break;
        out->e[e].mentions++;
        kh_xmention *mm = &out->m[out->n_m++];
        mm->field = info[i].field;
        mm->start = info[i].start;
        mm->end = info[i].end;
        mm->name_start = info[i].start + info[i].clitic;
        mm->ent = e;
    }
    kh_free(info);
    kh__ner_spans_free(sp, n); /* after the entities: info points in */
    if (rc != KH_OK)
        kh__xentities_release(out);
    return rc;
}

size_t
kh__entity_form_terms(const char *norm, kh_buf *terms, kh_status *rc)
{
    size_t n = 0;
    while (*norm != '\0') {
        size_t wl = strcspn(norm, " ");
        const char *bare;
        size_t bl = kh__ner_bare(norm, wl, &bare);
        /* Arabic letters only: Latin names are matched by their keys */
        if (bl >= 2 && ((unsigned char)bare[0] == 0xd8 ||
                        (unsigned char)bare[0] == 0xd9)) {
            kh__buf_putc(terms, KH_KEY_ENTITY_FORM_BYTE, rc);
            kh__buf_append(terms, bare, bl, rc);
            kh__buf_putc(terms, '\0', rc);
            n++;
        }
        norm += wl + (norm[wl] == ' ');
    }
    return n;
}

void
kh__xentities_release(kh_xentities *x)
{
    for (size_t i = 0; i < x->n_e; i++) {
        kh_free(x->e[i].name);
        kh_free(x->e[i].norm);
    }
    kh_free(x->e);
    kh_free(x->m);
    memset(x, 0, sizeof *x);
}
