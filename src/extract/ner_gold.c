/*
 * ner_gold.c -- reads the NewsFANE gold corpus (ANERcorp newswire with
 * fine-grained classes) into labelled token sequences, for the trainer
 * and the evaluation only; tagging never comes here.
 *
 * The file is UTF-8 with a BOM, CRLF line ends and a U+200E mark before
 * most words; "word<TAB>tag" per line, BIO tags, and a line holding only
 * a tab between sentences (4,759 of them, each after the sentence's final
 * punctuation, so no guessing is needed).
 *
 * Its words are letter-normalized and clitics are split off: و ف ب ل ك
 * before a word, the pronouns ه ها هم نا ي ... after it.  News text keeps
 * them attached, so the reader joins them back (when the clitic itself is
 * outside any entity) and the rebuilt sentence goes through the same
 * analyzer as any text.  ل before ال becomes لل, as it is written.  The
 * analyzer folds letters again, which the normalized corpus survives
 * unchanged.
 */
#include "extract/ner.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Fine classes and what they become.  Persons are every person class;
 * places are the geo-political entities, natural locations and
 * facilities (a mosque, a street, an airport are places to a reader of
 * news); organizations are every body.  Group (العرب، المسلمين) names
 * peoples, not a person, and goes to O with the products, works,
 * vehicles and weapons. */
static const struct {
    const char *cls;
    kh_ner_type type;
} class_map[] = {
    {"Politician", KH_NER_PER},
    {"Athlete", KH_NER_PER},
    {"Artist", KH_NER_PER},
    {"Other_PER", KH_NER_PER},
    {"Religious_PER", KH_NER_PER},
    {"Scientist", KH_NER_PER},
    {"Businessperson", KH_NER_PER},
    {"Police", KH_NER_PER},
    {"Lawyer", KH_NER_PER},
    {"Engineer", KH_NER_PER},
    {"Nation", KH_NER_LOC},
    {"Population-Center", KH_NER_LOC},
    {"State-or-Province", KH_NER_LOC},
    {"GPE-Cluster", KH_NER_LOC},
    {"Continent", KH_NER_LOC},
    {"County-or-District", KH_NER_LOC},
    {"Water-Body", KH_NER_LOC},
    {"Land-Region-Natural", KH_NER_LOC},
    {"Celestial", KH_NER_LOC},
    {"Building-Grounds", KH_NER_LOC},
    {"Airport", KH_NER_LOC},
    {"Path", KH_NER_LOC},
    {"Subarea-Facility", KH_NER_LOC},
    {"Government", KH_NER_ORG},
    {"Non-Governmental", KH_NER_ORG},
    {"Media", KH_NER_ORG},
    {"Commercial", KH_NER_ORG},
    {"Educational", KH_NER_ORG},
    {"Sports", KH_NER_ORG},
    {"Entertainment", KH_NER_ORG},
    {"Medical-Science", KH_NER_ORG},
    {"Religious_ORG", KH_NER_ORG},
};

kh_ner_type
kh__ner_map_class(const char *cls, size_t len)
{
    for (size_t i = 0; i < sizeof class_map / sizeof class_map[0]; i++)
        if (strlen(class_map[i].cls) == len &&
            memcmp(class_map[i].cls, cls, len) == 0)
            return class_map[i].type;
    return KH_NER_NONE;
}

#define WORD_MAX 200

typedef struct gword {
    char w[WORD_MAX];
    size_t len;
    int label; /* KH_NER_* BIO label after the class mapping */
    int gone;  /* joined into a neighbour */
} gword;

static int
eq(const gword *g, const char *s)
{
    return g->len == strlen(s) && memcmp(g->w, s, g->len) == 0;
}

static int
is_arabic_word(const gword *g)
{
    unsigned char c = (unsigned char)g->w[0];
    return !g->gone && g->len > 0 && c >= 0xd8 && c <= 0xdb;
}

static int
is_proclitic(const gword *g)
{
    return eq(g, "و") || eq(g, "ف") || eq(g, "ب") || eq(g, "ل") || eq(g, "ك");
}

static int
is_enclitic(const gword *g)
{
    static const char *const e[] = {"ه", "ها", "هم",  "هما", "هن", "نا",
                                    "ي", "كم", "كما", "كن",  "ني"};
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
        if (eq(g, e[i]))
            return 1;
    return 0;
}

static void
join(gword *into, const char *pre, size_t pre_len, const char *post,
     size_t post_len)
{
    char tmp[2 * WORD_MAX];
    size_t n = 0;
    memcpy(tmp, pre, pre_len);
    n = pre_len;
    /* ل + ال is written لل */
    if (pre_len == 2 && memcmp(pre, "ل", 2) == 0 && post_len > 4 &&
        memcmp(post, "ال", 4) == 0) {
        post += 2;
        post_len -= 2;
    }
    memcpy(tmp + n, post, post_len);
    n += post_len;
    if (n >= WORD_MAX) {
        n = WORD_MAX - 1;
        while (n > 0 && ((unsigned char)tmp[n] & 0xc0) == 0x80)
            n--; /* keep a cut word valid UTF-8 */
    }
    memcpy(into->w, tmp, n);
    into->len = n;
}

/* Joins the split clitics of one sentence back onto their words. */
static void
rejoin(gword *s, size_t n)
{
    /* pronouns onto the word before; ك only after a content word, else
     * it is the preposition of the next */
    for (size_t j = 1; j < n; j++) {
        int encl =
            is_enclitic(&s[j]) || (eq(&s[j], "ك") && !is_proclitic(&s[j - 1]) &&
                                   !(j + 1 < n && eq(&s[j + 1], "ما")));
        if (s[j].label != KH_NER_O || !encl)
            continue;
        size_t p = j - 1;
        while (p > 0 && s[p].gone)
            p--;
        if (!is_arabic_word(&s[p]) || is_proclitic(&s[p]))
            continue;
        gword tmp = s[p];
        join(&s[p], tmp.w, tmp.len, s[j].w, s[j].len);
        s[j].gone = 1;
    }
    /* conjunctions and prepositions onto the word after, right to left so
     * that و ب word becomes وبword */
    for (size_t j = n - 1; j-- > 0;) {
        if (s[j].gone || s[j].label != KH_NER_O || !is_proclitic(&s[j]))
            continue;
        size_t q = j + 1;
        while (q < n && s[q].gone)
            q++;
        if (q == n || !is_arabic_word(&s[q]))
            continue;
        gword tmp = s[q];
        join(&s[q], s[j].w, s[j].len, tmp.w, tmp.len);
        s[j].gone = 1;
    }
}

/* The label of a tag such as "B-Politician"; an I- that cannot continue
 * what precedes it starts an entity (CoNLL's reading). */
static int
parse_tag(const char *tag, size_t len, int prev)
{
    if (len < 3 || (tag[0] != 'B' && tag[0] != 'I') || tag[1] != '-')
        return KH_NER_O;
    kh_ner_type t = kh__ner_map_class(tag + 2, len - 2);
    if (t == KH_NER_NONE)
        return KH_NER_O;
    int b = 2 * (int)t - 1;
    if (tag[0] == 'B' || !kh__ner_allowed(prev, b + 1))
        return b;
    return b + 1;
}

/* Rebuilds sentence s[0..n) as text, analyzes it and labels its tokens. */
static kh_status
add_sentence(kh_ner_gold *g, kh_analyzer *a, const kh_ner_lexicon *lex,
             gword *s, size_t n, kh_buf *line, size_t **gspan)
{
    kh_status rc = KH_OK;
    rejoin(s, n);
    kh__buf_reset(line);
    size_t *sp = kh_realloc(*gspan, (2 * n + 1) * sizeof *sp);
    if (sp == NULL)
        return KH_ENOMEM;
    *gspan = sp;
    for (size_t j = 0; j < n; j++) {
        if (s[j].gone) {
            sp[2 * j] = sp[2 * j + 1] = 0;
            continue;
        }
        if (line->len > 0)
            kh__buf_putc(line, ' ', &rc);
        sp[2 * j] = line->len;
        kh__buf_append(line, s[j].w, s[j].len, &rc);
        sp[2 * j + 1] = line->len;
    }
    if (rc != KH_OK)
        return rc;
    size_t first = g->seq.n;
    rc = kh__ner_seq_add(&g->seq, a, lex, line->data ? line->data : "",
                         line->len);
    if (rc != KH_OK)
        return rc;
    int *lab = kh_realloc(g->labels, (g->seq.cap + 1) * sizeof *lab);
    size_t *sf = kh_realloc(g->sent_first, (g->n_sents + 2) * sizeof *sf);
    if (lab == NULL || sf == NULL) {
        if (lab != NULL)
            g->labels = lab;
        if (sf != NULL)
            g->sent_first = sf;
        return KH_ENOMEM;
    }
    g->labels = lab;
    g->sent_first = sf;
    /* every analyzer token takes the label of the word it falls in; a
     * word cut into several tokens continues its entity with I- */
    size_t j = 0, last_word = (size_t)-1;
    int prev = KH_NER_O;
    for (size_t k = first; k < g->seq.n; k++) {
        size_t at = g->seq.tok[k].start;
        while (j < n && (s[j].gone || sp[2 * j + 1] <= at))
            j++;
        int l = j < n ? s[j].label : KH_NER_O;
        if (l != KH_NER_O && KH_NER_IS_B(l) && j == last_word)
            l++;
        if (l != KH_NER_O && !KH_NER_IS_B(l) && !kh__ner_allowed(prev, l))
            l--;
        lab[k] = l;
        prev = l;
        last_word = j;
    }
    sf[g->n_sents] = first;
    g->n_sents++;
    sf[g->n_sents] = g->seq.n;
    kh__buf_append(&g->text, line->data ? line->data : "", line->len, &rc);
    kh__buf_putc(&g->text, '\n', &rc);
    return rc;
}

kh_status
kh__ner_gold_read(const char *path, kh_analyzer *a, const kh_ner_lexicon *lex,
                  kh_ner_gold *g, kh_error *err)
{
    memset(g, 0, sizeof *g);
    kh__ner_seq_init(&g->seq);
    kh__buf_init(&g->text);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        kh__set_error(err, "%s: %s", path, strerror(errno));
        return KH_EIO;
    }
    kh_status rc = KH_OK;
    gword *s = NULL;
    size_t n = 0, cap = 0, *gspan = NULL;
    kh_buf line;
    kh__buf_init(&line);
    char buf[4096];
    int first_line = 1;
    while (rc == KH_OK && fgets(buf, sizeof buf, f) != NULL) {
        char *p = buf;
        size_t len = strlen(p);
        while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
            p[--len] = '\0';
        if (first_line && len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
            p += 3;
            len -= 3;
        }
        first_line = 0;
        char *tab = memchr(p, '\t', len);
        char *w = p;
        size_t wl = tab != NULL ? (size_t)(tab - p) : len;
        while (wl >= 3 && memcmp(w, "\xe2\x80\x8e", 3) == 0) {
            w += 3; /* U+200E */
            wl -= 3;
        }
        if (wl == 0) { /* the sentence ends */
            if (n > 0)
                rc = add_sentence(g, a, lex, s, n, &line, &gspan);
            n = 0;
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            gword *ns = kh_realloc(s, nc * sizeof *ns);
            if (ns == NULL) {
                rc = KH_ENOMEM;
                break;
            }
            s = ns;
            cap = nc;
        }
        gword *gw = &s[n];
        if (wl >= WORD_MAX)
            wl = WORD_MAX - 1;
        while (wl > 0 && ((unsigned char)w[wl] & 0xc0) == 0x80)
            wl--;
        memcpy(gw->w, w, wl);
        gw->len = wl;
        gw->gone = 0;
        const char *tag = tab != NULL ? tab + 1 : "O";
        gw->label =
            parse_tag(tag, strlen(tag), n > 0 ? s[n - 1].label : KH_NER_O);
        n++;
    }
    if (rc == KH_OK && n > 0)
        rc = add_sentence(g, a, lex, s, n, &line, &gspan);
    if (rc == KH_OK && ferror(f)) {
        kh__set_error(err, "%s: read error", path);
        rc = KH_EIO;
    }
    fclose(f);
    kh_free(s);
    kh_free(gspan);
    kh__buf_release(&line);
    if (rc != KH_OK)
        kh__ner_gold_release(g);
    return rc;
}

void
kh__ner_gold_release(kh_ner_gold *g)
{
    kh__ner_seq_release(&g->seq);
    kh_free(g->labels);
    kh_free(g->sent_first);
    kh__buf_release(&g->text);
    memset(g, 0, sizeof *g);
}

/* The entities of labels[a..b): runs of B-X I-X... within a sentence. */
static size_t
entities(const kh_ner_seq *seq, const int *labels, size_t a, size_t b,
         size_t *start, size_t *end, int *type, size_t cap)
{
    size_t n = 0;
    for (size_t i = a; i < b;) {
        if (labels[i] == KH_NER_O) {
            i++;
            continue;
        }
        size_t j = i + 1;
        int cont = KH_NER_IS_B(labels[i]) ? labels[i] + 1 : labels[i];
        while (j < b && labels[j] == cont &&
               seq->tok[j].sent == seq->tok[i].sent)
            j++;
        if (n < cap) {
            start[n] = i;
            end[n] = j;
            type[n] = (int)KH_NER_TYPE_OF(labels[i]);
        }
        n++;
        i = j;
    }
    return n;
}

void
kh__ner_count(const kh_ner_seq *seq, size_t a, size_t b, const int *gold,
              const int *pred, kh_ner_counts *c)
{
    enum { CAP = 512 };
    size_t gs[CAP], ge[CAP], ps[CAP], pe[CAP];
    int gt[CAP], pt[CAP];
    size_t ng = entities(seq, gold, a, b, gs, ge, gt, CAP);
    size_t np = entities(seq, pred, a, b, ps, pe, pt, CAP);
    if (ng > CAP)
        ng = CAP; /* a sentence never holds that many */
    if (np > CAP)
        np = CAP;
    for (size_t i = 0; i < ng; i++)
        c->gold[gt[i]]++;
    for (size_t i = 0; i < np; i++)
        c->pred[pt[i]]++;
    for (size_t i = 0, j = 0; i < ng && j < np;) {
        if (gs[i] == ps[j]) {
            if (ge[i] == pe[j] && gt[i] == pt[j])
                c->match[gt[i]]++;
            i++;
            j++;
        } else if (gs[i] < ps[j]) {
            i++;
        } else {
            j++;
        }
    }
}

void
kh__ner_counts_print(const kh_ner_counts *c, FILE *out)
{
    size_t tg = 0, tp = 0, tm = 0;
    fprintf(out, "type   gold  pred match  P      R      F1\n");
    for (int t = 1; t <= 4; t++) {
        size_t g = t < 4 ? c->gold[t] : tg, p = t < 4 ? c->pred[t] : tp,
               m = t < 4 ? c->match[t] : tm;
        if (t < 4) {
            tg += g;
            tp += p;
            tm += m;
        }
        double P = p ? (double)m / (double)p : 0,
               R = g ? (double)m / (double)g : 0;
        double F = P + R > 0 ? 2 * P * R / (P + R) : 0;
        fprintf(out, "%-5s %5zu %5zu %5zu  %.4f %.4f %.4f\n",
                t < 4 ? kh__ner_type_name((kh_ner_type)t) : "all", g, p, m, P,
                R, F);
    }
}

double
kh__ner_counts_f1(const kh_ner_counts *c)
{
    size_t g = 0, p = 0, m = 0;
    for (int t = 1; t <= 3; t++) {
        g += c->gold[t];
        p += c->pred[t];
        m += c->match[t];
    }
    return g + p > 0 ? 2.0 * (double)m / (double)(g + p) : 0;
}
