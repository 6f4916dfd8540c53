/*
 * ner.c -- the entity tagger: loads a model, labels tokens greedily,
 * turns labels into spans.  Features come from ner_features.c; the model
 * is trained by tools/train_ner.c.
 *
 * Model file (text, so that it diffs, and so that tools/embed.sh can
 * compile it in some day; kh__ner_model_parse() takes the bytes):
 *
 *   # comment lines
 *   khabar-ner 1 BITS LABELS SCALE
 *   BUCKET W0 W1 ... W(LABELS-1)      one line per feature bucket
 *   =WORD                             one line per known word
 *   +BITS WORD                        one line per gazetteer word
 *
 * BUCKET is the low BITS bits of a feature hash, in hex; Wl the averaged
 * perceptron weight for label l times SCALE, rounded to an integer.
 * Buckets whose weights all round to zero are left out.  The loader keeps
 * the rows in an open-addressing table keyed by bucket.  The known words
 * (bare forms seen twice in training, kh_ner_lexicon) follow the rows.
 */
#include "extract/ner.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One pass's weights: open addressing keyed by bucket. */
typedef struct ner_table {
    uint32_t *keys; /* bucket + 1 per slot; 0 = empty */
    float *rows;    /* KH_NER_N_LABELS weights per slot */
    size_t cap;     /* slots, a power of two */
} ner_table;

struct kh_ner_model {
    ner_table tab[2];   /* the first pass, the second (cap 0 if none) */
    int passes;         /* 1 or 2 */
    uint32_t mask;      /* bucket mask from BITS */
    kh_ner_lexicon lex; /* cue stems and known words, ner_features.c */
};

const char *
kh__ner_type_name(kh_ner_type type)
{
    switch (type) {
    case KH_NER_PER:
        return "PER";
    case KH_NER_LOC:
        return "LOC";
    case KH_NER_ORG:
        return "ORG";
    default:
        return "O";
    }
}

void
kh__ner_model_free(kh_ner_model *m)
{
    if (m == NULL)
        return;
    for (int t = 0; t < 2; t++) {
        kh_free(m->tab[t].keys);
        kh_free(m->tab[t].rows);
    }
    kh__ner_lexicon_release(&m->lex);
    kh_free(m);
}

static inline size_t
slot_of(uint32_t bucket, size_t cap)
{
    return (size_t)((bucket * 2654435761u) & (uint32_t)(cap - 1));
}

static const float *
row_of(const ner_table *t, uint32_t bucket)
{
    for (size_t i = slot_of(bucket, t->cap);; i = (i + 1) & (t->cap - 1)) {
        if (t->keys[i] == 0)
            return NULL;
        if (t->keys[i] == bucket + 1)
            return &t->rows[i * KH_NER_N_LABELS];
    }
}

/* Reads a line's next integer; 0 when there is none. */
static int
next_long(const char **p, const char *end, int base, long *v)
{
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    if (s == end || *s == '\n')
        return 0;
    char tmp[32];
    size_t n = 0;
    while (s < end && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' &&
           n < sizeof tmp - 1)
        tmp[n++] = *s++;
    tmp[n] = '\0';
    char *e;
    errno = 0;
    *v = strtol(tmp, &e, base);
    if (e == tmp || *e != '\0' || errno != 0)
        return 0;
    *p = s;
    return 1;
}

static kh_status
build_cues(kh_ner_model *m)
{
    kh_analyzer *a = NULL;
    kh_status rc = kh_analyzer_new(NULL, &a);
    if (rc == KH_OK)
        rc = kh__ner_cues_build(a, &m->lex.cues);
    kh_analyzer_free(a);
    return rc;
}

kh_status
kh__ner_model_parse(const char *text, size_t len, kh_ner_model **out,
                    kh_error *err)
{
    *out = NULL;
    const char *p = text, *end = text + len;
    long version = 0, bits = 0, labels = 0, scale = 0, lineno = 0;
    size_t n_rows[2] = {0, 0};
    int pass = 0;
    /* first pass: the header and the number of rows of each table */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        lineno++;
        if (p < le && *p != '#' && *p != '\r') {
            if (bits == 0) {
                const char *q = p;
                if ((size_t)(le - p) < 11 || memcmp(p, "khabar-ner ", 11))
                    goto corrupt;
                q = p + 11;
                if (!next_long(&q, le, 10, &version) ||
                    (version != 1 && version != 2) ||
                    !next_long(&q, le, 10, &bits) ||
                    !next_long(&q, le, 10, &labels) ||
                    !next_long(&q, le, 10, &scale) || bits < 8 || bits > 30 ||
                    labels != KH_NER_N_LABELS || scale <= 0)
                    goto corrupt;
            } else if (*p == '@') {
                if (version != 2 || pass != 0 || le - p < 2 || p[1] != '2')
                    goto corrupt;
                pass = 1;
            } else if (*p != '=' && *p != '+') {
                n_rows[pass]++;
            }
        }
        p = nl != NULL ? nl + 1 : end;
    }
    if (bits == 0) {
        lineno = 1;
        goto corrupt;
    }
    kh_ner_model *m = kh_malloc(sizeof *m);
    if (m == NULL)
        return KH_ENOMEM;
    memset(m, 0, sizeof *m);
    kh__ner_lexicon_init(&m->lex);
    m->mask = (uint32_t)((1ul << bits) - 1);
    m->passes = version == 2 ? 2 : 1;
    for (int t = 0; t < m->passes; t++) {
        ner_table *tb = &m->tab[t];
        tb->cap = 16;
        while (tb->cap < n_rows[t] * 2)
            tb->cap *= 2;
        tb->keys = kh_malloc(tb->cap * sizeof *tb->keys);
        tb->rows = kh_malloc(tb->cap * KH_NER_N_LABELS * sizeof *tb->rows);
        if (tb->keys == NULL || tb->rows == NULL) {
            kh__ner_model_free(m);
            return KH_ENOMEM;
        }
        memset(tb->keys, 0, tb->cap * sizeof *tb->keys);
    }
    /* second pass: the rows */
    int header = 1;
    ner_table *tb = &m->tab[0];
    lineno = 0;
    for (p = text; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        const char *q = p;
        lineno++;
        p = nl != NULL ? nl + 1 : end;
        if (q == le || *q == '#' || *q == '\r')
            continue;
        if (header) {
            header = 0;
            continue;
        }
        if (*q == '@') {
            tb = &m->tab[1];
            continue;
        }
        if (*q == '+') { /* a gazetteer word: "+BITS WORD" */
            long bitsv;
            q++;
            if (!next_long(&q, le, 10, &bitsv) || bitsv <= 0 || bitsv > 255) {
                kh__ner_model_free(m);
                goto corrupt;
            }
            while (q < le && *q == ' ')
                q++;
            size_t wl = (size_t)(le - q);
            if (wl > 0 && q[wl - 1] == '\r')
                wl--;
            kh_strmap_entry *e = kh__strmap_upsert(&m->lex.gaz, q, wl);
            if (e == NULL) {
                kh__ner_model_free(m);
                return KH_ENOMEM;
            }
            e->value |= (uint64_t)bitsv;
            continue;
        }
        if (*q == '=') { /* a known word */
            size_t wl = (size_t)(le - q - 1);
            if (wl > 0 && q[wl] == '\r')
                wl--;
            if (kh__strmap_upsert(&m->lex.known, q + 1, wl) == NULL) {
                kh__ner_model_free(m);
                return KH_ENOMEM;
            }
            continue;
        }
        long b, w;
        if (!next_long(&q, le, 16, &b) || b < 0 || (uint32_t)b > m->mask) {
            kh__ner_model_free(m);
            goto corrupt;
        }
        uint32_t bucket = (uint32_t)b;
        size_t i = slot_of(bucket, tb->cap);
        while (tb->keys[i] != 0 && tb->keys[i] != bucket + 1)
            i = (i + 1) & (tb->cap - 1);
        tb->keys[i] = bucket + 1;
        for (int l = 0; l < KH_NER_N_LABELS; l++) {
            if (!next_long(&q, le, 10, &w)) {
                kh__ner_model_free(m);
                goto corrupt;
            }
            tb->rows[i * KH_NER_N_LABELS + (size_t)l] = (float)w / (float)scale;
        }
    }
    kh_status rc = build_cues(m);
    if (rc != KH_OK) {
        kh__ner_model_free(m);
        return rc;
    }
    *out = m;
    return KH_OK;
corrupt:
    kh__set_error(err, "entity model: bad line %ld", lineno);
    return KH_ECORRUPT;
}

kh_status
kh__ner_model_load(const char *path, kh_ner_model **out, kh_error *err)
{
    *out = NULL;
    if (path == NULL)
        path = getenv("KHABAR_NER_MODEL");
    if (path == NULL || *path == '\0')
        path = "data/ner/model.txt";
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        kh__set_error(err, "%s: %s", path, strerror(errno));
        return KH_EIO;
    }
    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = KH_OK;
    char chunk[1 << 16];
    size_t got;
    while (rc == KH_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        kh__buf_append(&b, chunk, got, &rc);
    if (rc == KH_OK && ferror(f)) {
        kh__set_error(err, "%s: read error", path);
        rc = KH_EIO;
    }
    fclose(f);
    if (rc == KH_OK)
        rc = kh__ner_model_parse(b.data != NULL ? b.data : "", b.len, out, err);
    kh__buf_release(&b);
    return rc;
}

const kh_ner_lexicon *
kh__ner_model_lexicon(const kh_ner_model *m)
{
    return &m->lex;
}

int
kh__ner_model_passes(const kh_ner_model *m)
{
    return m->passes;
}

static void
score_table(const kh_ner_model *m, const ner_table *t, const uint32_t *f,
            size_t n, float *scores)
{
    for (size_t i = 0; i < n; i++) {
        const float *r = row_of(t, f[i] & m->mask);
        if (r == NULL)
            continue;
        for (int l = 0; l < KH_NER_N_LABELS; l++)
            scores[l] += r[l];
    }
}

void
kh__ner_model_score(const kh_ner_model *m, const uint32_t *f, size_t n,
                    float *scores)
{
    score_table(m, &m->tab[0], f, n, scores);
}

/* Greedy decoding of tokens [a, b): each token's best label given the
 * labels already chosen. */
static void
decode_greedy(const kh_ner_model *m, const ner_table *t, int pass,
              const kh_ner_seq *seq, size_t a, size_t b, int *labels,
              uint32_t *cache, uint8_t *cache_n, int fill)
{
    uint32_t buf[KH_NER_MAX_FEATURES], f[KH_NER_MAX_MEMORY + 8];
    for (size_t i = a; i < b; i++) {
        int first = i == a || seq->tok[i - 1].sent != seq->tok[i].sent;
        int p1 = first ? KH_NER_O : labels[i - 1];
        int p2 = first || i < a + 2 || seq->tok[i - 2].sent != seq->tok[i].sent
                     ? KH_NER_O
                     : labels[i - 2];
        /* the features that do not depend on labels, once per token when
         * the caller keeps them between the passes */
        uint32_t *sf = cache != NULL ? cache + i * KH_NER_MAX_FEATURES : buf;
        size_t ns;
        if (cache == NULL || fill) {
            ns = kh__ner_features(seq, i, sf);
            if (cache != NULL)
                cache_n[i] = (uint8_t)ns;
        } else {
            ns = cache_n[i];
        }
        size_t n = 0;
        if (pass == 2)
            n += kh__ner_memory_features(seq, i, f + n);
        n += kh__ner_label_features(seq, i, p1, p2, f + n);
        float sc[KH_NER_N_LABELS] = {0};
        score_table(m, t, sf, ns, sc);
        score_table(m, t, f, n, sc);
        int best = KH_NER_O;
        for (int l = 1; l < KH_NER_N_LABELS; l++)
            if (kh__ner_allowed(p1, l) && sc[l] > sc[best])
                best = l;
        labels[i] = best;
    }
}

void
kh__ner_decode_pass(const kh_ner_model *m, int pass, const kh_ner_seq *seq,
                    size_t a, size_t b, int *labels)
{
    const ner_table *t = &m->tab[pass == 2 && m->passes == 2 ? 1 : 0];
    decode_greedy(m, t, t == &m->tab[1] ? 2 : 1, seq, a, b, labels, NULL, NULL,
                  0);
}

/* Texts up to this many tokens keep their features between the passes
 * (KH_NER_MAX_FEATURES hashes a token: 8 MB at most). */
#define CACHE_TOKENS 32768

kh_status
kh__ner_decode(const kh_ner_model *m, kh_ner_seq *seq, int *labels)
{
    if (m->passes < 2) {
        kh__ner_decode_pass(m, 1, seq, 0, seq->n, labels);
        return KH_OK;
    }
    uint32_t *cache = NULL;
    uint8_t *cache_n = NULL;
    if (seq->n <= CACHE_TOKENS) {
        cache = kh_malloc(seq->n * KH_NER_MAX_FEATURES * sizeof *cache + 1);
        cache_n = kh_malloc(seq->n + 1);
        if (cache == NULL || cache_n == NULL) {
            kh_free(cache); /* recompute instead */
            kh_free(cache_n);
            cache = NULL;
            cache_n = NULL;
        }
    }
    decode_greedy(m, &m->tab[0], 1, seq, 0, seq->n, labels, cache, cache_n, 1);
    kh_status rc = kh__ner_memory(seq, 0, seq->n, 0, seq->n, labels);
    if (rc == KH_OK)
        decode_greedy(m, &m->tab[1], 2, seq, 0, seq->n, labels, cache, cache_n,
                      0);
    kh_free(cache);
    kh_free(cache_n);
    return rc;
}

kh_status
kh__ner_gold_decode(const kh_ner_model *m, kh_ner_gold *g, size_t s_a,
                    size_t s_b, int window, int passes, int *pred)
{
    for (size_t s = s_a; s < s_b; s++)
        kh__ner_decode_pass(m, 1, &g->seq, g->sent_first[s],
                            g->sent_first[s + 1], pred);
    if (passes < 2 || m->passes < 2)
        return KH_OK;
    for (size_t s = s_a; s < s_b; s++) {
        size_t lo = s >= s_a + (size_t)window ? s - (size_t)window : s_a;
        size_t hi = s + (size_t)window + 1 < s_b ? s + (size_t)window + 1 : s_b;
        kh_status rc =
            kh__ner_memory(&g->seq, g->sent_first[lo], g->sent_first[hi],
                           g->sent_first[s], g->sent_first[s + 1], pred);
        if (rc != KH_OK)
            return rc;
    }
    /* only now: the memory reads the first-pass labels of every sentence */
    for (size_t s = s_a; s < s_b; s++)
        kh__ner_decode_pass(m, 2, &g->seq, g->sent_first[s],
                            g->sent_first[s + 1], pred);
    return KH_OK;
}

void
kh__ner_spans_free(kh_ner_span *spans, size_t n_spans)
{
    for (size_t i = 0; i < n_spans; i++)
        kh_free(spans[i].norm);
    kh_free(spans);
}

/* Appends the entity over tokens [a, b) to *spans. */
static kh_status
push_span(const kh_ner_seq *seq, size_t a, size_t b, kh_ner_type type,
          kh_ner_span **spans, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        kh_ner_span *ns = kh_realloc(*spans, nc * sizeof *ns);
        if (ns == NULL)
            return KH_ENOMEM;
        *spans = ns;
        *cap = nc;
    }
    kh_status rc = KH_OK;
    kh_buf norm;
    kh__buf_init(&norm);
    for (size_t k = a; k < b; k++) {
        if (k > a)
            kh__buf_putc(&norm, ' ', &rc);
        kh__buf_append(&norm, kh__ner_norm(seq, k), seq->tok[k].norm_len, &rc);
    }
    size_t len;
    char *s = kh__buf_detach(&norm, &len, &rc);
    if (rc != KH_OK) {
        kh__buf_release(&norm);
        return rc;
    }
    kh_ner_span *sp = &(*spans)[(*n)++];
    sp->start = seq->tok[a].start;
    sp->end = seq->tok[b - 1].end;
    sp->type = type;
    sp->norm = s;
    return KH_OK;
}

kh_status
kh__ner_tag(const kh_ner_model *m, const char *text, size_t len,
            kh_ner_span **spans, size_t *n_spans)
{
    *spans = NULL;
    *n_spans = 0;
    kh_analyzer *a = NULL;
    kh_status rc = kh_analyzer_new(NULL, &a);
    if (rc != KH_OK)
        return rc;
    kh_ner_seq seq;
    kh__ner_seq_init(&seq);
    rc = kh__ner_seq_add(&seq, a, &m->lex, text, len);
    kh_analyzer_free(a);
    int *labels = NULL;
    if (rc == KH_OK && seq.n > 0) {
        labels = kh_malloc(seq.n * sizeof *labels);
        if (labels == NULL)
            rc = KH_ENOMEM;
    }
    size_t cap = 0;
    if (rc == KH_OK && seq.n > 0)
        rc = kh__ner_decode(m, &seq, labels);
    if (rc == KH_OK && seq.n > 0) {
        size_t i = 0;
        while (rc == KH_OK && i < seq.n) {
            if (labels[i] == KH_NER_O) {
                i++;
                continue;
            }
            size_t j = i + 1;
            while (j < seq.n && seq.tok[j].sent == seq.tok[i].sent &&
                   labels[j] == labels[i] + (KH_NER_IS_B(labels[i]) ? 1 : 0))
                j++;
            rc = push_span(&seq, i, j, KH_NER_TYPE_OF(labels[i]), spans,
                           n_spans, &cap);
            i = j;
        }
    }
    kh_free(labels);
    kh__ner_seq_release(&seq);
    if (rc != KH_OK) {
        kh__ner_spans_free(*spans, *n_spans);
        *spans = NULL;
        *n_spans = 0;
    }
    return rc;
}
