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

struct kh_ner_model {
    uint32_t *keys;     /* bucket + 1 per slot; 0 = empty */
    float *rows;        /* KH_NER_N_LABELS weights per slot */
    size_t cap;         /* slots, a power of two */
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
    kh_free(m->keys);
    kh_free(m->rows);
    kh__ner_lexicon_release(&m->lex);
    kh_free(m);
}

static inline size_t
slot_of(uint32_t bucket, size_t cap)
{
    return (size_t)((bucket * 2654435761u) & (uint32_t)(cap - 1));
}

static const float *
row_of(const kh_ner_model *m, uint32_t bucket)
{
    for (size_t i = slot_of(bucket, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == 0)
            return NULL;
        if (m->keys[i] == bucket + 1)
            return &m->rows[i * KH_NER_N_LABELS];
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
    long bits = 0, labels = 0, scale = 0, lineno = 0;
    size_t n_rows = 0;
    /* first pass: the header and the number of rows */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        lineno++;
        if (p < le && *p != '#' && *p != '\r') {
            if (bits == 0) {
                const char *q = p;
                long v;
                if ((size_t)(le - p) < 11 || memcmp(p, "khabar-ner ", 11))
                    goto corrupt;
                q = p + 11;
                if (!next_long(&q, le, 10, &v) || v != 1 ||
                    !next_long(&q, le, 10, &bits) ||
                    !next_long(&q, le, 10, &labels) ||
                    !next_long(&q, le, 10, &scale) || bits < 8 || bits > 30 ||
                    labels != KH_NER_N_LABELS || scale <= 0)
                    goto corrupt;
            } else if (*p != '=') {
                n_rows++;
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
    m->cap = 16;
    while (m->cap < n_rows * 2)
        m->cap *= 2;
    m->keys = kh_malloc(m->cap * sizeof *m->keys);
    m->rows = kh_malloc(m->cap * KH_NER_N_LABELS * sizeof *m->rows);
    if (m->keys == NULL || m->rows == NULL) {
        kh__ner_model_free(m);
        return KH_ENOMEM;
    }
    memset(m->keys, 0, m->cap * sizeof *m->keys);
    /* second pass: the rows */
    int header = 1;
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
        size_t i = slot_of(bucket, m->cap);
        while (m->keys[i] != 0 && m->keys[i] != bucket + 1)
            i = (i + 1) & (m->cap - 1);
        m->keys[i] = bucket + 1;
        for (int l = 0; l < KH_NER_N_LABELS; l++) {
            if (!next_long(&q, le, 10, &w)) {
                kh__ner_model_free(m);
                goto corrupt;
            }
            m->rows[i * KH_NER_N_LABELS + (size_t)l] = (float)w / (float)scale;
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

void
kh__ner_model_score(const kh_ner_model *m, const uint32_t *f, size_t n,
                    float *scores)
{
    for (size_t i = 0; i < n; i++) {
        const float *r = row_of(m, f[i] & m->mask);
        if (r == NULL)
            continue;
        for (int l = 0; l < KH_NER_N_LABELS; l++)
            scores[l] += r[l];
    }
}

void
kh__ner_decode(const kh_ner_model *m, const kh_ner_seq *seq, int *labels)
{
    uint32_t f[KH_NER_MAX_FEATURES + 8];
    for (size_t i = 0; i < seq->n; i++) {
        int first = i == 0 || seq->tok[i - 1].sent != seq->tok[i].sent;
        int p1 = first ? KH_NER_O : labels[i - 1];
        int p2 = first || i < 2 || seq->tok[i - 2].sent != seq->tok[i].sent
                     ? KH_NER_O
                     : labels[i - 2];
        size_t n = kh__ner_features(seq, i, f);
        n += kh__ner_label_features(seq, i, p1, p2, f + n);
        float sc[KH_NER_N_LABELS] = {0};
        kh__ner_model_score(m, f, n, sc);
        int best = KH_NER_O;
        for (int l = 1; l < KH_NER_N_LABELS; l++)
            if (kh__ner_allowed(p1, l) && sc[l] > sc[best])
                best = l;
        labels[i] = best;
    }
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
    if (rc == KH_OK && seq.n > 0) {
        kh__ner_decode(m, &seq, labels);
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
