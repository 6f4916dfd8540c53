/*
 * entities.c -- entities and timelines as the index answers them
 * (include/khabar/entity.h).
 *
 * Which articles name an entity comes from the postings of its entity
 * terms, so it follows the snapshot, updates and deletes like any word.
 * Timelines are assembled when asked: the dates an article's sentences
 * name are found again in its stored text (src/extract/when.c), which
 * costs a few milliseconds for the 200 articles a timeline reads, and
 * keeps ingest free of that work.
 */
#include "index.h"

#include "extract/entity.h"
#include "extract/exonym.h"
#include "extract/when.h"
#include "extract/xlit.h"
#include "store.h"
#include "story/story.h"

#include <string.h>

/* Names are looked up among this many entities before the best are kept:
 * a common first name is in thousands of names. */
#define FIND_CANDIDATES 5000

typedef struct docdate {
    uint64_t docid;
    int64_t date;
} docdate;

static int
by_docid(const void *a, const void *b)
{
    uint64_t x = ((const docdate *)a)->docid, y = ((const docdate *)b)->docid;
    return (x > y) - (x < y);
}

static int
by_date_desc(const void *a, const void *b)
{
    int64_t x = ((const docdate *)a)->date, y = ((const docdate *)b)->date;
    return (x < y) - (x > y);
}

/* The live articles of the snapshot with term key[0..len), by docid;
 * with out NULL only their number.  The term's df would count deleted
 * and replaced articles until a merge drops them. */
static kh_status
term_docs(kh_index *ix, const char *key, size_t len, docdate **out, size_t *n)
{
    if (out != NULL)
        *out = NULL;
    *n = 0;
    size_t cap = 0;
    for (size_t i = 0; i < ix->n_segs; i++) {
        const kh_snapseg *s = &ix->segs[i];
        kh_cursor c;
        kh_termstats st;
        if (!kh__seg_find(s->seg, key, len, &c, &st))
            continue;
        if (out == NULL && s->n_deleted == 0) {
            *n += st.df;
            continue;
        }
        for (uint32_t ord = kh__cursor_next(&c); ord != KH_END;
             ord = kh__cursor_next(&c)) {
            if (kh__snap_deleted(s, ord))
                continue;
            if (out == NULL) {
                (*n)++;
                continue;
            }
            if (*n == cap) {
                cap = cap ? cap * 2 : 64;
                docdate *nd = kh_realloc(*out, cap * sizeof *nd);
                if (nd == NULL) {
                    kh_free(*out);
                    *out = NULL;
                    *n = 0;
                    return KH_ENOMEM;
                }
                *out = nd;
            }
            const kh_segdoc *d = kh__seg_doc(s->seg, ord);
            (*out)[*n].docid = d->docid;
            (*out)[(*n)++].date = d->date;
        }
        if (c.corrupt) {
            if (out != NULL) {
                kh_free(*out);
                *out = NULL;
            }
            *n = 0;
            return KH_ECORRUPT;
        }
    }
    if (out != NULL)
        kh__qsort(*out, *n, sizeof **out, by_docid);
    return KH_OK;
}

/* The index term of entity key (kind byte + key) into out, cut to fit;
 * returns its length. */
static size_t
entity_term(const char *key, char out[KH_ENTITY_KEY_MAX + 1])
{
    size_t len = strlen(key);
    if (len > KH_ENTITY_KEY_MAX)
        len = KH_ENTITY_KEY_MAX;
    out[0] = KH_KEY_ENTITY_BYTE;
    memcpy(out + 1, key, len);
    return len + 1;
}

/* Appends d[0..nd) to *v[0..*n) (room for *cap). */
static kh_status
append_docs(docdate **v, size_t *n, size_t *cap, const docdate *d, size_t nd)
{
    if (*n + nd > *cap) {
        size_t nc = (*n + nd) * 2;
        docdate *g = kh_realloc(*v, nc * sizeof *g);
        if (g == NULL)
            return KH_ENOMEM;
        *v = g;
        *cap = nc;
    }
    if (nd > 0)
        memcpy(*v + *n, d, nd * sizeof *d);
    *n += nd;
    return KH_OK;
}

/* Appends the live articles of the entity with key to *v (append_docs). */
static kh_status
append_entity_docs(kh_index *ix, const char *key, docdate **v, size_t *n,
                   size_t *cap)
{
    char term[KH_ENTITY_KEY_MAX + 1];
    docdate *d;
    size_t nd;
    kh_status rc = term_docs(ix, term, entity_term(key, term), &d, &nd);
    if (rc == KH_OK)
        rc = append_docs(v, n, cap, d, nd);
    kh_free(d);
    return rc;
}

/* Sorts v[0..*n) by docid and keeps each article once. */
static void
unique_docs(docdate *v, size_t *n)
{
    kh__qsort(v, *n, sizeof *v, by_docid);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (k == 0 || v[k - 1].docid != v[i].docid)
            v[k++] = v[i];
    *n = k;
}

/* Keeps in a[0..*na) the articles also in b[0..nb) (both by docid). */
static void
intersect(docdate *a, size_t *na, const docdate *b, size_t nb)
{
    size_t i = 0, j = 0, k = 0;
    while (i < *na && j < nb) {
        if (a[i].docid < b[j].docid)
            i++;
        else if (a[i].docid > b[j].docid)
            j++;
        else {
            a[k++] = a[i++];
            j++;
        }
    }
    *na = k;
}

/* "PER:TKF" and the like: an entity key rather than a name. */
static bool
is_entity_key(const char *v)
{
    return strlen(v) > 4 && v[3] == ':' &&
           kh__entity_type_parse(v, 3) != KH_NER_NONE;
}

/* "PER:", "LOC:" or "ORG:" with no key after it: neither a key nor a
 * name (read as a name, "PER" found 191 articles of persons keyed BR). */
static bool
type_alone(const char *v)
{
    size_t n = strlen(v);
    while (n > 0 && v[n - 1] == ' ')
        n--;
    return n == 4 && v[3] == ':' && kh__entity_type_parse(v, 3) != KH_NER_NONE;
}

void
kh__entity_einval(kh_error *err, const char *value)
{
    if (type_alone(value))
        kh__set_error(err, "entity: \"%s\" is a type with no key after it",
                      value);
    else
        kh__set_error(err, "entity: \"%s\" has no letter to look up", value);
}

/* The articles holding every term of terms (kind byte, key, NUL, one
 * after another), by docid. */
static kh_status
all_terms_docs(kh_index *ix, const kh_buf *terms, docdate **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    kh_status rc = KH_OK;
    bool first = true;
    for (size_t i = 0; i < terms->len && rc == KH_OK;) {
        const char *t = terms->data + i;
        size_t tl = strlen(t);
        docdate *d;
        size_t nd;
        rc = term_docs(ix, t, tl, &d, &nd);
        if (rc == KH_OK && first) {
            *out = d;
            *n = nd;
            first = false;
        } else if (rc == KH_OK) {
            intersect(*out, n, d, nd);
            kh_free(d);
        }
        i += tl + 1;
    }
    if (rc != KH_OK) {
        kh_free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* Whether most letters of s are Arabic. */
static bool
mostly_arabic(const char *s)
{
    size_t ar = 0, other = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == 0xd8 || *p == 0xd9 || *p == 0xda || *p == 0xdb)
            ar++;
        else if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                 *p == 0xd0 || *p == 0xd1)
            other++;
    }
    return ar > other;
}

/* The entity-form terms of an Arabic name: its words as the index's
 * analyzer normalizes them, proclitics off, as the tagger stored them. */
static kh_status
form_terms(kh_index *ix, const char *value, kh_buf *terms)
{
    kh_buf norm;
    kh__buf_init(&norm);
    kh_status rc = KH_OK;
    kh_token tok;
    kh_analyzer_reset(ix->qa, value, strlen(value));
    while (kh_analyzer_next(ix->qa, &tok)) {
        if (norm.len > 0)
            kh__buf_putc(&norm, ' ', &rc);
        kh__buf_append(&norm, tok.norm, tok.norm_len, &rc);
    }
    if (rc == KH_OK && norm.len > 0)
        kh__entity_form_terms(norm.data, terms, &rc);
    kh__buf_release(&norm);
    return rc;
}

static void
free_keys(char **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kh_free(keys[i]);
    kh_free(keys);
}

/* A word of a name typed in Latin or Cyrillic letters: prepared for the
 * cross-script model, its key, and the score of its likeliest Arabic
 * spelling. */
typedef struct qword {
    kh_xlit_name nm;
    char key[32];
    double best;     /* the score of the likeliest Arabic spelling */
    size_t best_len; /* and its letters */
} qword;

/* How far below the likeliest spelling's score an Arabic word may score
 * and still be taken for the same name, once each letter it has fewer
 * than that spelling is given back its per-letter bonus (2): Arabic
 * leaves short vowels out (محمد for Mohammed's موهامد, نتنياهو), and
 * the bare score held that against it.  On the Wikidata dev pairs
 * (../shared/data/translit/wikidata-en-ar/dev.tsv, 10,395 names, 61,604
 * other names with the query's key) this keeps 0.724 of the true
 * spellings and 0.086 of the others, where the bare score within 8 kept
 * 0.721 and 0.090 (docs/entities.md). */
#define XLIT_MARGIN 6.5

/* The same for an Arabic word whose key is one edit from the query's
 * (John JHN, جون JN; keys of three letters or more), stricter: on the
 * same dev pairs, against all 9,689 Arabic names, the true spelling is
 * kept for 0.723 of the names with equal keys alone and 0.814 with
 * these, and other names are kept 0.651 → 0.698 times a query (margin 2:
 * 0.798 and 0.669; 4: 0.824 and 0.762; 6.5: 0.839 and 1.185). */
#define XLIT_MARGIN_NEAR 3.0

/* An exact match named by this many articles or more is taken as the
 * name, and no name a key edit away is looked for (it costs some fifty
 * look-ups and model scores). */
#define NEAR_SKIP 100

static size_t
query_words(const char *value, qword *q, size_t max)
{
    size_t nq = 0;
    const char *p = value;
    while (*p != '\0' && nq < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t wl = strcspn(p, " \t");
        if (wl == 0)
            break;
        qword *w = &q[nq];
        kh__xlit_prepare(p, wl, &w->nm);
        if (kh__xlit_key(&w->nm, w->key, sizeof w->key) > 0) {
            char ar[128];
            kh_xlit_name b;
            kh__xlit_to_arabic(&w->nm, ar, sizeof ar);
            kh__xlit_prepare(ar, strlen(ar), &b);
            w->best = kh__xlit_score(&w->nm, &b);
            w->best_len = b.n;
            nq++;
        }
        p += wl;
    }
    return nq;
}

static kh_status entity_count(kh_index *ix, const char *key, size_t *n);

/* Whether name (an entity's, as written) holds each query word: a word
 * with its key that the model finds a likely spelling of it (ACCEPT_EXACT),
 * or for some query word only an Arabic word a key edit away, more
 * strictly (ACCEPT_NEAR); 0 when not. */
enum { ACCEPT_EXACT = 1, ACCEPT_NEAR };

static int
latin_accepts(const qword *q, size_t nq, const char *name)
{
    int how = ACCEPT_EXACT;
    for (size_t i = 0; i < nq; i++) {
        bool found = false, near = true;
        for (const char *p = name; *p != '\0' && !found;) {
            while (*p == ' ')
                p++;
            size_t wl = strcspn(p, " ");
            if (wl == 0)
                break;
            kh_xlit_name a;
            char k[32];
            kh__xlit_prepare(p, wl, &a);
            double shorter =
                q[i].best_len > a.n ? (double)(q[i].best_len - a.n) : 0;
            size_t kl = kh__xlit_key(&a, k, sizeof k), ql = strlen(q[i].key);
            unsigned d =
                kl > 0 ? kh__xlit_key_distance(k, kl, q[i].key, ql) : 99;
            /* a name in Latin letters too: its key as it is */
            double margin = d == 0 ? XLIT_MARGIN
                            : d == 1 && ql >= 3 && a.script == KH_XLIT_ARABIC
                                ? XLIT_MARGIN_NEAR
                                : -1e9;
            found = q[i].best - kh__xlit_score(&q[i].nm, &a) - 2 * shorter <=
                    margin;
            near = d != 0;
            p += wl;
        }
        if (!found)
            return 0;
        if (near)
            how = ACCEPT_NEAR;
    }
    return how;
}

/* Whether every term of want (form terms) is among those of have. */
static bool
forms_within(const kh_buf *want, const kh_buf *have)
{
    for (size_t i = 0; i < want->len;) {
        const char *w = want->data + i;
        size_t wl = strlen(w);
        bool found = false;
        for (size_t j = 0; j < have->len && !found;) {
            const char *h = have->data + j;
            size_t hl = strlen(h);
            found = hl == wl && memcmp(h, w, wl) == 0;
            j += hl + 1;
        }
        if (!found)
            return false;
        i += wl + 1;
    }
    return true;
}

/* The keys of the entities a name may mean (inside a read of docs.db):
 * those holding the consonant key of each of its words, then, for an
 * Arabic name, those holding each of its normalized words, for another
 * script those where the model finds a likely spelling of each word. */
static kh_status matching_entities_of(kh_index *ix, const char *value,
                                      char ***keys, size_t *n);

/* Whether w[0..n) is the Arabic article as romanized: al-Jubeir,
 * el-Sisi, as-Sisi, ash-Sharaa, ad-Din; аль-Асад.  hyphened: it stood
 * before a hyphen (the sun-letter forms count only there: "As" alone may
 * be a name). */
static bool
romanized_article(const char *w, size_t n, bool hyphened)
{
    static const char *const always[] = {"al", "el", "ul",  "аль", "Аль",
                                         "ал", "Ал", "эль", "Эль"};
    static const char *const sun[] = {"as", "ash", "at",  "ad", "an",
                                      "ar", "az",  "adh", "ath"};
    char low[16];
    if (n == 0 || n >= sizeof low)
        return false;
    for (size_t i = 0; i < n; i++) /* ASCII letters only */
        low[i] = w[i] >= 'A' && w[i] <= 'Z' ? (char)(w[i] - 'A' + 'a') : w[i];
    low[n] = '\0';
    for (size_t k = 0; k < sizeof always / sizeof *always; k++)
        if (strcmp(low, always[k]) == 0)
            return true;
    for (size_t k = 0; hyphened && k < sizeof sun / sizeof *sun; k++)
        if (strcmp(low, sun[k]) == 0)
            return true;
    return false;
}

/* A name typed in Latin or Cyrillic letters as its words: a hyphen
 * parts words (Ki-moon, Kassym-Jomart) and the romanized article goes
 * (al-Jubeir is الجبير, whose key leaves ال out); out has room for
 * strlen(in) + 1 bytes.  An article that is the whole name stays. */
static void
latin_words(const char *in, char *out)
{
    size_t o = 0, words = 0;
    for (const char *p = in; *p != '\0';) {
        size_t n = strcspn(p, " \t-");
        bool hyphened = p[n] == '-';
        if (n > 0 && !(romanized_article(p, n, hyphened) &&
                       (p[n] != '\0' || words > 0))) {
            if (o > 0)
                out[o++] = ' ';
            memcpy(out + o, p, n);
            o += n;
            words++;
        }
        p += n;
        while (*p == ' ' || *p == '\t' || *p == '-')
            p++;
    }
    out[o] = '\0';
}

static kh_status
matching_entities(kh_index *ix, const char *value, char ***keys, size_t *n)
{
    *keys = NULL;
    *n = 0;
    if (type_alone(value))
        return KH_EINVAL;
    char *clean = NULL;
    const char *ar = NULL;
    if (!mostly_arabic(value)) {
        ar = kh__exonym_arabic(value); /* "Saudi Arabia": السعودية */
        clean = kh_malloc(strlen(value) + 1);
        if (clean == NULL)
            return KH_ENOMEM;
        latin_words(value, clean);
        value = clean;
    }
    kh_status rc = matching_entities_of(ix, value, keys, n);
    kh_free(clean);
    if (ar == NULL || (rc != KH_OK && rc != KH_EINVAL))
        return rc;
    char **k2;
    size_t n2;
    kh_status r2 = matching_entities_of(ix, ar, &k2, &n2);
    if (r2 == KH_EINVAL)
        return rc;
    if (r2 == KH_OK && n2 > 0) {
        char **g = kh_realloc(*keys, (*n + n2) * sizeof *g);
        if (g == NULL) {
            free_keys(k2, n2);
            free_keys(*keys, *n);
            *keys = NULL;
            *n = 0;
            return KH_ENOMEM;
        }
        *keys = g;
        for (size_t i = 0; i < n2; i++) {
            bool dup = false;
            for (size_t j = 0; j < *n && !dup; j++)
                dup = strcmp(g[j], k2[i]) == 0;
            if (dup)
                kh_free(k2[i]);
            else
                g[(*n)++] = k2[i];
        }
        kh_free(k2);
        return KH_OK;
    }
    if (r2 == KH_OK)
        kh_free(k2);
    return r2 == KH_OK ? rc : r2;
}

static kh_status
matching_entities_of(kh_index *ix, const char *value, char ***keys, size_t *n)
{
    char words[KH_ENTITY_KEY_MAX];
    if (kh__entity_name_key(value, strlen(value), words, sizeof words) == 0)
        return KH_EINVAL;
    char **cand;
    size_t nc;
    bool arabic = mostly_arabic(value);
    kh_status rc =
        kh__entstore_match(ix->ents, words, FIND_CANDIDATES, &cand, &nc);
    if (rc != KH_OK)
        return rc;
    qword q[KH_ENTITY_MAX_WORDS];
    size_t nq = arabic ? 0 : query_words(value, q, KH_ENTITY_MAX_WORDS);
    kh_buf want, have;
    kh__buf_init(&want);
    kh__buf_init(&have);
    if (arabic)
        rc = form_terms(ix, value, &want);
    size_t k = 0, i = 0;
    size_t exact_most = 0; /* articles of the best-known exact match */
    for (; i < nc && rc == KH_OK; i++) {
        char *name = NULL;
        kh_ner_type type;
        int ok = 0;
        if (kh__entstore_get(ix->ents, cand[i], &name, &type) == KH_OK) {
            if (arabic) {
                kh__buf_reset(&have);
                rc = form_terms(ix, name, &have);
                ok = rc == KH_OK && forms_within(&want, &have);
            } else {
                ok = latin_accepts(q, nq, name);
            }
        }
        kh_free(name);
        size_t count = 0;
        if (ok == ACCEPT_EXACT && !arabic &&
            (rc = entity_count(ix, cand[i], &count)) == KH_OK &&
            count > exact_most)
            exact_most = count;
        if (ok)
            cand[k++] = cand[i];
        else
            kh_free(cand[i]);
    }
    /* Names a key edit away (John JHN: جون JN) are taken only when they
     * are at least as well known as the best-known exact match: Jeddah
     * (JDH) is جدة (JD, 1,110 articles) beside جده (JDH, 15), but Rouhani
     * (RHN) is not Rooney, روني (RN, 20), beside روحاني (101).  Past
     * NEAR_SKIP articles the exact match is taken as the name. */
    char **more = NULL;
    size_t nm = 0, j = 0;
    if (rc == KH_OK && !arabic && exact_most < NEAR_SKIP)
        rc = kh__entstore_match_near(ix->ents, words, FIND_CANDIDATES, &more,
                                     &nm);
    if (rc == KH_OK && nm > 0) {
        char **g = kh_realloc(cand, (k + nm + 1) * sizeof *g);
        if (g == NULL)
            rc = KH_ENOMEM;
        else
            cand = g;
    }
    for (; j < nm && rc == KH_OK; j++) {
        bool seen = false;
        for (size_t x = 0; x < k && !seen; x++)
            seen = strcmp(cand[x], more[j]) == 0;
        char *name = NULL;
        kh_ner_type type;
        size_t count = 0;
        bool ok = !seen &&
                  kh__entstore_get(ix->ents, more[j], &name, &type) == KH_OK &&
                  latin_accepts(q, nq, name) != 0 &&
                  (rc = entity_count(ix, more[j], &count)) == KH_OK &&
                  count >= exact_most;
        kh_free(name);
        if (ok)
            cand[k++] = more[j];
        else
            kh_free(more[j]);
    }
    for (; j < nm; j++)
        kh_free(more[j]);
    kh_free(more);
    kh__buf_release(&want);
    kh__buf_release(&have);
    if (rc != KH_OK) {
        for (; i < nc; i++)
            kh_free(cand[i]);
        free_keys(cand, k);
        return rc;
    }
    *keys = cand;
    *n = k;
    return KH_OK;
}

/* Whether name holds the query word q[0..ql) (normalized) as it is, or
 * with one letter less at the start on either side: a stored name is the
 * first spelling met, its clitic kept (وفرنسا) or a letter of the name
 * taken for one (اليفورنيا for كاليفورنيا). */
static bool
holds_word(kh_index *ix, const char *name, const char *q, size_t ql)
{
    kh_token tok;
    kh_analyzer_reset(ix->qa, name, strlen(name));
    while (kh_analyzer_next(ix->qa, &tok)) {
        const char *w = tok.norm;
        size_t wl = tok.norm_len;
        if ((wl == ql && memcmp(w, q, ql) == 0) ||
            (ql > 2 && wl == ql - 2 && memcmp(w, q + 2, wl) == 0) ||
            (wl > 2 && wl - 2 == ql && memcmp(w + 2, q, ql) == 0))
            return true;
    }
    return false;
}

/* Adds to *docs the articles of the entities with a word keyed k that
 * is the query word q[0..ql) (holds_word); *all set when FIND_CANDIDATES
 * or more entities hold such a key. */
static kh_status
named_by(kh_index *ix, const char *k, const char *q, size_t ql, docdate **docs,
         size_t *nd, size_t *cap, bool *all)
{
    char **cand;
    size_t nc;
    kh__store_read_begin(ix->store);
    kh_status rc = kh__entstore_match(ix->ents, k, FIND_CANDIDATES, &cand, &nc);
    if (rc == KH_OK && nc >= FIND_CANDIDATES)
        *all = true;
    for (size_t i = 0; i < nc && rc == KH_OK && !*all; i++) {
        char *name = NULL;
        kh_ner_type type;
        if (kh__entstore_get(ix->ents, cand[i], &name, &type) != KH_OK)
            continue;
        bool ok = holds_word(ix, name, q, ql);
        kh_free(name);
        if (!ok)
            continue;
        rc = append_entity_docs(ix, cand[i], docs, nd, cap);
    }
    kh__store_read_end(ix->store);
    free_keys(cand, nc);
    return rc;
}

/* An Arabic name is found by its words' forms with the proclitics off,
 * and for a word the rule cuts so that its consonant key changes that
 * form alone is not enough: كيري, بيري and فاليري all give يري (and
 * كاليفورنيا gives يفورنيا).  For such a word the articles of *out are
 * kept only when they also name an entity holding the word as written
 * (holds_word): كيري, not بيري or اليري (فاليري as stored). */
static kh_status
keep_named(kh_index *ix, const char *value, docdate *out, size_t *n)
{
    kh_status rc = KH_OK;
    kh_token tok;
    char words[8][64];
    size_t nw = 0;
    kh_analyzer_reset(ix->qa, value, strlen(value));
    while (kh_analyzer_next(ix->qa, &tok) && nw < 8)
        if (tok.norm_len < sizeof words[0]) {
            memcpy(words[nw], tok.norm, tok.norm_len);
            words[nw++][tok.norm_len] = '\0';
        }
    for (size_t i = 0; i < nw && rc == KH_OK && *n > 0; i++) {
        const char *bare;
        size_t wl = strlen(words[i]);
        size_t bl = kh__ner_bare(words[i], wl, &bare);
        char typed[32], cut[32];
        kh__xlit_key_str(words[i], wl, typed, sizeof typed);
        kh__xlit_key_str(bare, bl, cut, sizeof cut);
        if (bl == wl || strcmp(typed, cut) == 0)
            continue;
        docdate *allow = NULL;
        size_t na = 0, cap = 0;
        bool all = false;
        /* entities keyed either way: a name may be stored cut */
        if (typed[0] != '\0')
            rc = named_by(ix, typed, words[i], wl, &allow, &na, &cap, &all);
        if (rc == KH_OK && cut[0] != '\0' && !all)
            rc = named_by(ix, cut, words[i], wl, &allow, &na, &cap, &all);
        if (rc == KH_OK && !all) { /* too many entities: nothing dropped */
            unique_docs(allow, &na);
            intersect(out, n, allow, na);
        }
        kh_free(allow);
    }
    return rc;
}

/* The articles naming an entity (value: its key) or every word of a
 * name (value: a name in any script), by docid.  An Arabic name is
 * matched by its words' normalized forms (سعد is not السعودية, though
 * their consonant keys agree); another script by the words' keys.
 * KH_EINVAL when the name has no letter to key. */
static kh_status entity_docs_of(kh_index *ix, const char *value, docdate **out,
                                size_t *n);

/* entity_docs_of(), and for a country's English name also the articles
 * of its Arabic name ("Saudi Arabia": السعودية; exonym.c), by docid. */
static kh_status
entity_docs(kh_index *ix, const char *value, docdate **out, size_t *n)
{
    kh_status rc = entity_docs_of(ix, value, out, n);
    const char *ar = is_entity_key(value) || mostly_arabic(value)
                         ? NULL
                         : kh__exonym_arabic(value);
    if (ar == NULL || (rc != KH_OK && rc != KH_EINVAL))
        return rc;
    if (rc == KH_EINVAL) {
        *out = NULL;
        *n = 0;
    }
    docdate *d2;
    size_t n2;
    kh_status r2 = entity_docs_of(ix, ar, &d2, &n2);
    if (r2 == KH_EINVAL)
        return rc;
    size_t cap = *n;
    if (r2 == KH_OK)
        r2 = append_docs(out, n, &cap, d2, n2);
    if (r2 == KH_OK)
        unique_docs(*out, n);
    kh_free(d2);
    if (r2 != KH_OK) {
        kh_free(*out);
        *out = NULL;
        *n = 0;
    }
    return r2;
}

static kh_status
entity_docs_of(kh_index *ix, const char *value, docdate **out, size_t *n)
{
    if (type_alone(value))
        return KH_EINVAL;
    if (!is_entity_key(value) && mostly_arabic(value)) {
        kh_buf terms;
        kh__buf_init(&terms);
        kh_status rc = form_terms(ix, value, &terms);
        if (rc == KH_OK && terms.len > 0)
            rc = all_terms_docs(ix, &terms, out, n);
        else if (rc == KH_OK)
            rc = KH_EINVAL;
        if (rc == KH_OK && *n > 0)
            rc = keep_named(ix, value, *out, n);
        if (rc != KH_OK) {
            kh_free(*out);
            *out = NULL;
            *n = 0;
        }
        kh__buf_release(&terms);
        return rc;
    }
    char key[KH_ENTITY_KEY_MAX + 1];
    if (is_entity_key(value))
        return term_docs(ix, key, entity_term(value, key), out, n);
    char **keys;
    size_t nk;
    kh__store_read_begin(ix->store);
    kh_status rc = matching_entities(ix, value, &keys, &nk);
    kh__store_read_end(ix->store);
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    for (size_t i = 0; i < nk && rc == KH_OK; i++)
        rc = append_entity_docs(ix, keys[i], out, n, &cap);
    free_keys(keys, nk);
    if (rc == KH_OK) {
        /* the union: an article naming two matching entities once */
        unique_docs(*out, n);
    } else {
        kh_free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

kh_status
kh__entity_docids(kh_index *ix, const char *value, uint64_t **docids, size_t *n)
{
    docdate *d;
    kh_status rc = entity_docs(ix, value, &d, n);
    *docids = NULL;
    if (rc != KH_OK || *n == 0) {
        kh_free(rc == KH_OK ? d : NULL);
        return rc;
    }
    *docids = kh_malloc(*n * sizeof **docids);
    if (*docids == NULL) {
        kh_free(d);
        return KH_ENOMEM;
    }
    for (size_t i = 0; i < *n; i++)
        (*docids)[i] = d[i].docid;
    kh_free(d);
    return KH_OK;
}

/**************************************************************************
** Entity lists
*/

const char *
kh_entity_type_name(kh_entity_type type)
{
    return kh__ner_type_name((kh_ner_type)type);
}

void
kh_entities_free(kh_entities *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->n; i++) {
        kh_free(e->items[i].key);
        kh_free(e->items[i].name);
    }
    kh_free(e->items);
    kh_free(e);
}

static kh_status
list_new(size_t cap, kh_entities **out)
{
    *out = kh_malloc(sizeof **out);
    if (*out == NULL)
        return KH_ENOMEM;
    (*out)->n = 0;
    (*out)->items = cap > 0 ? kh_malloc(cap * sizeof *(*out)->items) : NULL;
    if (cap > 0 && (*out)->items == NULL) {
        kh_free(*out);
        *out = NULL;
        return KH_ENOMEM;
    }
    return KH_OK;
}

/* Appends an entity; key and name are copied. */
static kh_status
list_add(kh_entities *l, kh_ner_type type, const char *key, const char *name,
         uint64_t count)
{
    kh_entity *e = &l->items[l->n];
    e->type = (kh_entity_type)type;
    e->count = count;
    e->key = kh__strndup(key, strlen(key));
    e->name = kh__strndup(name, strlen(name));
    if (e->key == NULL || e->name == NULL) {
        kh_free(e->key);
        kh_free(e->name);
        return KH_ENOMEM;
    }
    l->n++;
    return KH_OK;
}

static int
by_count_desc(const void *a, const void *b)
{
    const kh_entity *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->key, y->key);
}

kh_status
kh_index_article_entities(kh_index *ix, const char *id, kh_entities **out,
                          kh_error *err)
{
    *out = NULL;
    kh_doc *d = NULL;
    const kh_ner_model *m;
    kh_status rc = kh_index_get(ix, id, &d, err);
    if (rc == KH_OK)
        rc = kh__ner_default(&m, err);
    kh_xentities x;
    memset(&x, 0, sizeof x);
    if (rc == KH_OK)
        rc = kh__entities_find(m, d->meta.title, d->body, &x);
    if (rc == KH_OK)
        rc = list_new(x.n_e, out);
    for (size_t i = 0; i < x.n_e && rc == KH_OK; i++)
        rc = list_add(*out, x.e[i].type, x.e[i].key, x.e[i].name,
                      x.e[i].mentions);
    if (rc == KH_OK) {
        /* stable: most mentioned first, then the order of first mention */
        for (size_t i = 1; i < (*out)->n; i++)
            for (size_t k = i;
                 k > 0 && (*out)->items[k].count > (*out)->items[k - 1].count;
                 k--) {
                kh_entity t = (*out)->items[k];
                (*out)->items[k] = (*out)->items[k - 1];
                (*out)->items[k - 1] = t;
            }
    } else {
        kh_entities_free(*out);
        *out = NULL;
    }
    kh__xentities_release(&x);
    kh_doc_free(d);
    return rc;
}

/* The live articles naming the entity (a re-ingested article counted
 * again when this was the term's df, and an entity naming nothing live
 * was listed). */
static kh_status
entity_count(kh_index *ix, const char *key, size_t *n)
{
    char k[KH_ENTITY_KEY_MAX + 1];
    return term_docs(ix, k, entity_term(key, k), NULL, n);
}

kh_status
kh_index_entity_find(kh_index *ix, const char *name, size_t limit,
                     kh_entities **out, kh_error *err)
{
    *out = NULL;
    if (limit == 0)
        limit = 20;
    kh_status rc = KH_OK;
    char **keys = NULL;
    size_t nk = 0;
    kh__store_read_begin(ix->store);
    if (is_entity_key(name)) {
        keys = kh_malloc(sizeof *keys);
        rc = keys == NULL ? KH_ENOMEM : KH_OK;
        if (rc == KH_OK && (keys[0] = kh__strndup(name, strlen(name))) == NULL)
            rc = KH_ENOMEM;
        nk = rc == KH_OK ? 1 : 0;
    } else {
        rc = matching_entities(ix, name, &keys, &nk);
        if (rc == KH_EINVAL)
            kh__entity_einval(err, name);
    }
    if (rc == KH_OK)
        rc = list_new(nk, out);
    for (size_t i = 0; i < nk && rc == KH_OK; i++) {
        char *nm = NULL;
        kh_ner_type type;
        kh_status g = kh__entstore_get(ix->ents, keys[i], &nm, &type);
        size_t count = 0;
        if (g == KH_OK)
            rc = entity_count(ix, keys[i], &count);
        if (rc != KH_OK) {
            kh_free(nm);
            break;
        }
        if (g == KH_OK && count > 0)
            rc = list_add(*out, type, keys[i], nm, count);
        else if (g != KH_OK && g != KH_ENOTFOUND)
            rc = g;
        kh_free(nm);
    }
    kh__store_read_end(ix->store);
    free_keys(keys, nk);
    if (rc != KH_OK) {
        kh_entities_free(*out);
        *out = NULL;
        return rc;
    }
    kh__qsort((*out)->items, (*out)->n, sizeof *(*out)->items, by_count_desc);
    for (size_t i = limit; i < (*out)->n; i++) {
        kh_free((*out)->items[i].key);
        kh_free((*out)->items[i].name);
    }
    if ((*out)->n > limit)
        (*out)->n = limit;
    return KH_OK;
}

/**************************************************************************
** Timelines
*/

typedef struct tl_build {
    kh_timeline *t;
    size_t cap_events;
    size_t max_events;
    uint64_t *groups; /* wire group of each published event, 0: none */
    char want[KH_ENTITY_KEY_MAX]; /* entity timelines: the name's word keys */
    char **keys; /* entity timelines: the entities the name means */
    size_t n_keys;
} tl_build;

static kh_status
add_event(tl_build *b, int64_t first, int64_t last, int published,
          const char *text, size_t len, const kh_doc *d, uint64_t group)
{
    kh_timeline *t = b->t;
    /* the same text for the same date (wire copies, repeated leads) is
     * one event */
    for (size_t i = 0; i < t->n_events; i++) {
        kh_event *e = &t->events[i];
        bool same = published && group != 0
                        ? e->published && b->groups[i] == group
                        : e->published == published && e->first == first &&
                              e->last == last && strlen(e->text) == len &&
                              memcmp(e->text, text, len) == 0;
        if (same) {
            e->copies++;
            return KH_OK;
        }
    }
    if (t->n_events >= b->max_events)
        return KH_OK;
    if (t->n_events == b->cap_events) {
        size_t nc = b->cap_events ? b->cap_events * 2 : 32;
        kh_event *ne = kh_realloc(t->events, nc * sizeof *ne);
        uint64_t *ng =
            ne != NULL ? kh_realloc(b->groups, nc * sizeof *ng) : NULL;
        if (ne != NULL)
            t->events = ne;
        if (ng == NULL)
            return KH_ENOMEM;
        b->groups = ng;
        b->cap_events = nc;
    }
    kh_event *e = &t->events[t->n_events];
    memset(e, 0, sizeof *e);
    e->first = first;
    e->last = last;
    e->published = published;
    e->date = d->meta.date;
    e->copies = 1;
    e->text = kh__strndup(text, len);
    const char *id = d->meta.id != NULL ? d->meta.id : "";
    const char *ti = d->meta.title != NULL ? d->meta.title : "";
    const char *so = d->meta.source != NULL ? d->meta.source : "";
    e->id = kh__strndup(id, strlen(id));
    e->title = kh__strndup(ti, strlen(ti));
    e->source = kh__strndup(so, strlen(so));
    b->groups[t->n_events] = group;
    t->n_events++;
    if (e->text == NULL || e->id == NULL || e->title == NULL ||
        e->source == NULL)
        return KH_ENOMEM;
    return KH_OK;
}

static bool
sentence_end(const char *s, size_t i, size_t n, size_t *len)
{
    unsigned char c = (unsigned char)s[i];
    *len = 1;
    if (c == '.' || c == '!' || c == '?' || c == '\n')
        return true;
    if (c == 0xd8 && i + 1 < n && (unsigned char)s[i + 1] == 0x9f) {
        *len = 2; /* ؟ */
        return true;
    }
    return false;
}

/* The sentence around body[a..b): *s..*e, cut to at most SENTENCE_MAX
 * bytes around the expression, at spaces; *fs..*fe the whole sentence. */
#define SENTENCE_MAX 360

static void
sentence_around(const char *body, size_t n, size_t a, size_t b, size_t *s,
                size_t *e, size_t *fs, size_t *fe)
{
    size_t i = a, len;
    while (i > 0) {
        /* a full stop between digits ("3.5") ends nothing */
        if (sentence_end(body, i - 1, n, &len) &&
            !(body[i - 1] == '.' && i >= 2 && i < n && body[i - 2] >= '0' &&
              body[i - 2] <= '9' && body[i] >= '0' && body[i] <= '9'))
            break;
        i--;
    }
    *s = i;
    i = b;
    while (i < n && !sentence_end(body, i, n, &len))
        i++;
    *e = i < n ? i + len : n;
    *fs = *s;
    *fe = *e;
    if (*e - *s > SENTENCE_MAX) {
        size_t half = (SENTENCE_MAX - (b - a)) / 2;
        if (a > *s + half)
            *s = a - half;
        if (*e > *s + SENTENCE_MAX)
            *e = *s + SENTENCE_MAX;
        if (*e < b)
            *e = b;
        while (*s < a && body[*s] != ' ')
            (*s)++;
        while (*e > b && body[*e - 1] != ' ')
            (*e)--;
    }
    while (*s < *e && (body[*s] == ' ' || body[*s] == '\n'))
        (*s)++;
    while (*e > *s && (body[*e - 1] == ' ' || body[*e - 1] == '\n'))
        (*e)--;
}

/* Does text[0..n) name a word of want (word keys joined by '-')?  Each
 * word is tried as written and without one or two leading clitic
 * letters (لتوكاييف, وبتوكاييف). */
static bool
names_entity(const char *text, size_t n, const char *want)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (text[i] == ' ' || text[i] == '\n'))
            i++;
        size_t w = i;
        while (i < n && text[i] != ' ' && text[i] != '\n')
            i++;
        for (int cut = 0; cut <= 2 && w + 2 * (size_t)cut < i; cut++) {
            const unsigned char *c = (const unsigned char *)text + w + 2 * cut;
            if (cut > 0) {
                /* و ف ب ل ك */
                const unsigned char *p = c - 2;
                bool clitic =
                    (p[0] == 0xd9 && (p[1] == 0x88 || p[1] == 0x81 ||
                                      p[1] == 0x84 || p[1] == 0x83)) ||
                    (p[0] == 0xd8 && p[1] == 0xa8);
                if (!clitic)
                    break;
            }
            char k[32];
            size_t kl = kh__xlit_key_str((const char *)c,
                                         i - w - 2 * (size_t)cut, k, sizeof k);
            for (const char *p = want; kl > 0 && *p != '\0';) {
                size_t m = strcspn(p, "-");
                if (m == kl && memcmp(p, k, kl) == 0)
                    return true;
                p += m + (p[m] == '-');
            }
        }
    }
    return false;
}

/* The body spans [start, end) where the article names one of b's
 * entities, as tagging finds them again; *out owns them. */
static kh_status
entity_spans(const tl_build *b, const kh_doc *d, size_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const kh_ner_model *m;
    kh_xentities x;
    kh_status rc = kh__ner_default(&m, NULL);
    if (rc == KH_OK)
        rc = kh__entities_find(m, d->meta.title, d->body, &x);
    if (rc != KH_OK)
        return rc;
    *out = kh_malloc(2 * x.n_m * sizeof **out + 1);
    if (*out == NULL)
        rc = KH_ENOMEM;
    for (size_t i = 0; i < x.n_m && rc == KH_OK; i++) {
        if (x.m[i].field != 1)
            continue;
        for (size_t k = 0; k < b->n_keys; k++)
            if (strcmp(x.e[x.m[i].ent].key, b->keys[k]) == 0) {
                (*out)[2 * *n] = x.m[i].start;
                (*out)[2 * (*n)++ + 1] = x.m[i].end;
                break;
            }
    }
    kh__xentities_release(&x);
    return rc;
}

static kh_status
add_article(kh_index *ix, tl_build *b, const kh_doc *d, uint64_t docid)
{
    uint64_t group = 0;
    if (kh__wire_group(kh__stories_wire(ix->stories), docid, &group) != KH_OK)
        group = 0;
    kh_status rc = KH_OK;
    if (d->meta.date != KH_DATE_NONE && d->meta.title != NULL &&
        d->meta.title[0] != '\0') {
        int64_t day = kh__day_of(d->meta.date);
        rc = add_event(b, day, day, 1, d->meta.title, strlen(d->meta.title), d,
                       group);
    }
    const char *body = d->body != NULL ? d->body : "";
    size_t n = strlen(body);
    if (rc != KH_OK || n == 0 || d->meta.date == KH_DATE_NONE)
        return rc; /* an undated article's relative dates mean nothing */
    kh_when *w = NULL;
    size_t nw = 0;
    rc = kh__when_find(body, n, kh__day_of(d->meta.date), &w, &nw);
    /* An entity's timeline keeps the sentences where tagging finds the
     * entity again.  Matching any word's consonant key, as before, took
     * in sentences about others: السيسي and السويس, الأسد and السعودي
     * share theirs.  That match is left for a name that resolves to no
     * entity key. */
    size_t *spans = NULL, n_spans = 0;
    bool tagged = false;
    /* the sentence start of each expression made an event, else SIZE_MAX */
    size_t *win = kh_malloc(nw * sizeof *win + 1);
    if (rc == KH_OK && win == NULL)
        rc = KH_ENOMEM;
    for (size_t i = 0; i < nw && win != NULL; i++)
        win[i] = SIZE_MAX;
    for (size_t i = 0; i < nw && rc == KH_OK; i++) {
        if (w[i].grain != KH_WHEN_DAY)
            continue; /* weeks, months, years: too vague for a timeline */
        size_t s, e, fs, fe;
        sentence_around(body, n, w[i].start, w[i].end, &s, &e, &fs, &fe);
        if (b->n_keys > 0 && !tagged) {
            rc = entity_spans(b, d, &spans, &n_spans);
            tagged = true;
            if (rc != KH_OK)
                break;
        }
        if (b->n_keys > 0) {
            bool named = false;
            for (size_t k = 0; k < n_spans && !named; k++)
                named = spans[2 * k] < fe && spans[2 * k + 1] > fs;
            if (!named)
                continue;
        } else if (b->want[0] != '\0' &&
                   !names_entity(body + fs, fe - fs, b->want)) {
            continue;
        }
        /* two expressions of one date in one sentence (the Hijri date and
         * its Gregorian الموافق) give one event, not two windows of it */
        bool again = false;
        for (size_t k = 0; k < i && !again; k++)
            again = win[k] == fs && w[k].first == w[i].first &&
                    w[k].last == w[i].last;
        if (again)
            continue;
        win[i] = fs;
        rc = add_event(b, w[i].first, w[i].last, 0, body + s, e - s, d, group);
    }
    kh_free(win);
    kh_free(spans);
    kh_free(w);
    return rc;
}

static int
event_cmp(const void *a, const void *b)
{
    const kh_event *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->published != y->published)
        return y->published - x->published; /* publications first */
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int
by_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static kh_status
volume(kh_timeline *t, const docdate *dd, size_t n)
{
    int64_t *days = n > 0 ? kh_malloc(n * sizeof *days) : NULL;
    if (n > 0 && days == NULL)
        return KH_ENOMEM;
    size_t nd = 0;
    t->first = t->last = KH_DATE_NONE;
    for (size_t i = 0; i < n; i++) {
        if (dd[i].date == KH_DATE_NONE)
            continue;
        days[nd++] = kh__day_of(dd[i].date);
        if (t->first == KH_DATE_NONE || dd[i].date < t->first)
            t->first = dd[i].date;
        if (t->last == KH_DATE_NONE || dd[i].date > t->last)
            t->last = dd[i].date;
    }
    kh__qsort(days, nd, sizeof *days, by_day);
    t->volume = nd > 0 ? kh_malloc(nd * sizeof *t->volume) : NULL;
    if (nd > 0 && t->volume == NULL) {
        kh_free(days);
        return KH_ENOMEM;
    }
    for (size_t i = 0; i < nd; i++) {
        if (t->n_days > 0 && t->volume[t->n_days - 1].day == days[i]) {
            t->volume[t->n_days - 1].articles++;
            continue;
        }
        t->volume[t->n_days].day = days[i];
        t->volume[t->n_days++].articles = 1;
    }
    kh_free(days);
    return KH_OK;
}

/* The articles of the story of article id, with their dates. */
static kh_status
story_docs(kh_index *ix, const char *id, docdate **out, size_t *n, char **label,
           kh_error *err)
{
    kh_story *s = NULL;
    kh_status rc = kh_index_story(ix, id, &s, err);
    if (rc != KH_OK)
        return rc;
    *label = kh__strndup(s->label != NULL ? s->label : "",
                         s->label != NULL ? strlen(s->label) : 0);
    *out = s->n_articles > 0 ? kh_malloc(s->n_articles * sizeof **out) : NULL;
    if (*label == NULL || (s->n_articles > 0 && *out == NULL))
        rc = KH_ENOMEM;
    *n = 0;
    kh__store_read_begin(ix->store);
    for (size_t i = 0; i < s->n_articles && rc == KH_OK; i++) {
        uint64_t docid;
        if (kh__store_find(ix->store, s->articles[i].id, &docid) != KH_OK)
            continue;
        (*out)[*n].docid = docid;
        (*out)[(*n)++].date = s->articles[i].date;
    }
    kh__store_read_end(ix->store);
    kh_story_free(s);
    return rc;
}

kh_status
kh_index_timeline(kh_index *ix, const kh_timeline_options *o, kh_timeline **out,
                  kh_error *err)
{
    *out = NULL;
    if (o == NULL || (o->story == NULL) == (o->entity == NULL)) {
        kh__set_error(err, "%s", "a timeline is of a story or of an entity");
        return KH_EINVAL;
    }
    kh_timeline *t = kh_malloc(sizeof *t);
    if (t == NULL)
        return KH_ENOMEM;
    memset(t, 0, sizeof *t);
    tl_build b;
    memset(&b, 0, sizeof b);
    b.t = t;
    b.max_events = o->max_events ? o->max_events : 500;
    docdate *dd = NULL;
    size_t n = 0;
    kh_status rc;
    if (o->story != NULL) {
        rc = story_docs(ix, o->story, &dd, &n, &t->label, err);
    } else {
        rc = entity_docs(ix, o->entity, &dd, &n);
        if (rc == KH_EINVAL)
            kh__entity_einval(err, o->entity);
        if (rc == KH_OK && n == 0) {
            kh__set_error(err, "no article names %s", o->entity);
            rc = KH_ENOTFOUND;
        }
        const char *w = strchr(o->entity, ':');
        if (rc == KH_OK && is_entity_key(o->entity))
            snprintf(b.want, sizeof b.want, "%s", w + 1);
        else if (rc == KH_OK)
            kh__entity_name_key(o->entity, strlen(o->entity), b.want,
                                sizeof b.want);
        /* the entities whose mentions give the events */
        if (rc == KH_OK && is_entity_key(o->entity)) {
            b.keys = kh_malloc(sizeof *b.keys);
            if (b.keys == NULL ||
                (b.keys[0] = kh__strndup(o->entity, strlen(o->entity))) == NULL)
                rc = KH_ENOMEM;
            else
                b.n_keys = 1;
        } else if (rc == KH_OK) {
            kh__store_read_begin(ix->store);
            rc = matching_entities(ix, o->entity, &b.keys, &b.n_keys);
            kh__store_read_end(ix->store);
        }
        /* the label: the entity's name, or the best-known entity of it */
        kh_entities *found = NULL;
        if (rc == KH_OK &&
            kh_index_entity_find(ix, o->entity, 1, &found, NULL) == KH_OK &&
            found->n > 0)
            t->label =
                kh__strndup(found->items[0].name, strlen(found->items[0].name));
        else if (rc == KH_OK)
            t->label = kh__strndup(o->entity, strlen(o->entity));
        kh_entities_free(found);
        if (rc == KH_OK && t->label == NULL)
            rc = KH_ENOMEM;
    }
    if (rc == KH_OK) {
        t->articles = n;
        rc = volume(t, dd, n);
    }
    /* the most recent articles give the events */
    kh__qsort(dd, n, sizeof *dd, by_date_desc);
    size_t max = o->max_articles ? o->max_articles : 200;
    kh__store_read_begin(ix->store);
    for (size_t i = 0; i < n && i < max && rc == KH_OK; i++) {
        kh_doc d;
        memset(&d, 0, sizeof d);
        rc = kh__store_get(ix->store, dd[i].docid, true, &d);
        if (rc == KH_ENOTFOUND) {
            rc = KH_OK;
            continue;
        }
        if (rc == KH_OK)
            rc = add_article(ix, &b, &d, dd[i].docid);
        kh__hit_release(&d.meta);
        kh_free(d.body);
    }
    kh__store_read_end(ix->store);
    kh_free(dd);
    kh_free(b.groups);
    free_keys(b.keys, b.n_keys);
    if (rc != KH_OK) {
        kh_timeline_free(t);
        return rc;
    }
    kh__qsort(t->events, t->n_events, sizeof *t->events, event_cmp);
    *out = t;
    return KH_OK;
}

void
kh_timeline_free(kh_timeline *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_events; i++) {
        kh_free(t->events[i].text);
        kh_free(t->events[i].id);
        kh_free(t->events[i].title);
        kh_free(t->events[i].source);
    }
    kh_free(t->events);
    kh_free(t->volume);
    kh_free(t->label);
    kh_free(t);
}
