/*
 * ner.c -- the entity tagger's model: loads it, looks up feature weights,
 * and labels tokens the straightforward way (every feature hashed and
 * looked up), which training, evaluation and the tests use as the
 * reference.  Tagging text goes through ner_fast.c, which gives the same
 * labels from per-word sums.  Features come from ner_features.c; the
 * model is trained by tools/train_ner.c.
 *
 * Model file (text, so that it diffs, and so that tools/embed.sh can
 * compile it in some day; kh__ner_model_parse() takes the bytes):
 *
 *   # comment lines
 *   khabar-ner VERSION BITS LABELS SCALE
 *   BUCKET W0 W1 ... W(LABELS-1)      one line per feature bucket
 *   @2                                version 2: the second pass's rows
 *   BUCKET W0 W1 ... W(LABELS-1)        follow
 *   =WORD                             one line per known word
 *   +BITS WORD                        one line per gazetteer word
 *   ~WORD                             a person-name word as normalized
 *                                     that reads as proclitic + ال
 *                                     (فاليري): entity.c keeps it whole
 *
 * BUCKET is the low BITS bits of a feature hash, in hex; Wl the averaged
 * perceptron weight for label l times SCALE, rounded to an integer of at
 * most 32767 in magnitude.  Buckets whose weights all round to zero are
 * left out.  The loader keeps one row of 16-bit weights per bucket that
 * either pass has (the two passes side by side, so one look-up serves
 * both), found through a bitmap of the buckets and the number of rows
 * before each 64 of them: 2^BITS bits and a row per feature, where an
 * open-addressing table needed twice the rows and a probe sequence.
 * Weights stay integers all the way: sums do not depend on the order of
 * the additions, so the fast path's per-word sums give exactly the
 * reference's scores.
 */
#include "extract/ner.h"

#include <string.h>

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
    kh__ner_cache_free(m->cache);
    kh_free(m->bare);
    kh_free(m->bits);
    kh_free(m->rank);
    kh_free(m->rows);
    kh__ner_lexicon_release(&m->lex);
    kh_free(m);
}

void
kh__ner_add_rows(const kh_ner_model *m, int pass, const uint32_t *f, size_t n,
                 int32_t *scores)
{
    for (size_t i = 0; i < n; i++) {
        const int16_t *r = kh__ner_row(m, f[i]);
        if (r == NULL)
            continue;
        r += (pass - 1) * KH_NER_VEC;
        for (int l = 0; l < KH_NER_N_LABELS; l++)
            scores[l] += r[l];
    }
}

/* The sums of the features that depend only on a few small values (the
 * previous labels, a cue class, the sentence's edges, the document
 * memory): made once at load, so that tagging adds one vector for each
 * instead of hashing them. */
static void
build_tables(kh_ner_model *m)
{
    uint32_t f[KH_NER_MAX_MEMORY];
    for (int p = 1; p <= m->passes; p++) {
        for (int p2 = 0; p2 < KH_NER_N_LABELS; p2++)
            for (int p1 = 0; p1 < KH_NER_N_LABELS; p1++) {
                f[0] = kh__ner_prev_hash(p1, p2, 0);
                f[1] = kh__ner_prev_hash(p1, p2, 1);
                int32_t *r = m->prev[p - 1][p2][p1];
                kh__ner_add_rows(m, p, f, 2, r);
                /* a label that may not follow p1 loses by 2^30, more
                 * than any two scores differ (see ner_fast.c) */
                for (int l = 0; l < KH_NER_VEC; l++)
                    if (l >= KH_NER_N_LABELS || !kh__ner_allowed(p1, l))
                        r[l] -= 1 << 30;
            }
        for (int c = 1; c <= KH_NER_CUE_SAID; c++)
            for (int p1 = 0; p1 < KH_NER_N_LABELS; p1++) {
                f[0] = kh__ner_prev_cue_hash(p1, c);
                kh__ner_add_rows(m, p, f, 1, m->cue[p - 1][c][p1]);
            }
        for (int e = 0; e < 2; e++) {
            f[0] = kh__ner_edge_hash(e);
            kh__ner_add_rows(m, p, f, 1, m->edge[p - 1][e]);
            kh__ner_add_rows(m, p, f, 1, m->edge_both[e][p - 1]);
        }
    }
    /* a word's small-number features: those only the word itself has,
     * then the rest less the part of them that does not vary */
    for (unsigned kind = 0; kind < 8; kind++)
        for (unsigned stop = 0; stop < 2; stop++)
            for (unsigned len = 0; len < 10; len++) {
                size_t n =
                    kh__ner_shape_features(0, kind, stop, len, 0, 0, 0, f);
                for (int p = 1; p <= m->passes; p++)
                    kh__ner_add_rows(m, p, f, n,
                                     m->shape0[kind][stop][len][p - 1]);
            }
    uint32_t base[KH_NER_MAX_SHAPE];
    size_t nb = kh__ner_shape_features(0, 0, 0, 0, 0, 0, 0, base);
    for (int d = -2; d <= 2; d++)
        for (unsigned rare = 0; rare < 2; rare++)
            for (unsigned cue = 0; cue <= KH_NER_CUE_SAID; cue++)
                for (unsigned gaz = 0; gaz < 8; gaz++) {
                    size_t n =
                        kh__ner_shape_features(d, 0, 0, 0, rare, cue, gaz, f);
                    for (int p = 1; p <= m->passes; p++) {
                        int32_t *v = m->shaped[d + 2][rare][cue][gaz][p - 1];
                        kh__ner_add_rows(m, p, f, n, v);
                        if (d != 0)
                            continue;
                        int32_t sub[KH_NER_VEC] = {0};
                        kh__ner_add_rows(m, p, base, nb, sub);
                        for (int l = 0; l < KH_NER_VEC; l++)
                            v[l] -= sub[l];
                    }
                }
    if (m->passes < 2)
        return;
    for (int d = -1; d <= 1; d++)
        for (int l1 = 0; l1 < KH_NER_N_LABELS; l1++)
            for (unsigned mem = 0; mem < KH_NER_MEMS; mem++) {
                size_t n = kh__ner_memory_near_features(d, l1, mem, f);
                kh__ner_add_rows(m, 2, f, n, m->near[d + 1][l1][mem]);
            }
    for (int l1 = 0; l1 < KH_NER_N_LABELS; l1++)
        for (unsigned mem = 0; mem < KH_NER_MEMS; mem++)
            for (int rare = 0; rare < 2; rare++) {
                size_t n = kh__ner_memory_self_features(l1, mem, rare, f);
                kh__ner_add_rows(m, 2, f, n, m->self[l1][mem][rare]);
            }
}

/* Reads a line's next integer (an optional sign, then digits of base 10
 * or 16); 0 when there is none or it is malformed.  By hand rather than
 * with strtol: the model has a million and a half numbers, and strtol's
 * generality made reading them most of the time an index takes to open. */
static int
next_long(const char **p, const char *end, int base, long *v)
{
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    if (s == end || *s == '\n')
        return 0;
    int neg = 0;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    long x = 0;
    int digits = 0;
    for (; s < end; s++, digits++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            break;
        if (digits >= 15) /* more than any field holds: refused */
            return 0;
        x = x * base + d;
    }
    if (digits == 0 ||
        (s < end && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r'))
        return 0;
    *v = neg ? -x : x;
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

/* Reads the word dictionary a model trained with it asks for.  Without
 * it the model is far off its measured accuracy (test F1 0.59 against
 * 0.69, docs/entities.md), so a missing one is an error that says what
 * to install; $KHABAR_NER_DICT set empty runs without it on purpose. */
static kh_status
load_dict(kh_ner_model *m, kh_error *err)
{
    const char *path = kh__ner_dict_path();
    if (*path == '\0')
        return KH_OK;
    kh_error derr = {0};
    kh_status rc = kh__ner_dict_load(path, &m->lex.dict, &derr);
    if (rc == KH_OK || rc == KH_ENOMEM)
        return rc;
    kh__set_error(err,
                  "entity model: %s (the Arabic word list: apt-get install "
                  "hunspell-ar, or set KHABAR_NER_DICT)",
                  derr.message);
    return KH_EIO;
}

/* One line of the model file after the header.  With fill 0 it marks a
 * weight line's bucket (and stores a word); with fill 1 (the bitmap
 * complete) it checks and stores the row.  *pass is the section, 1 or 2.
 * KH_ECORRUPT for a bad line. */
static kh_status
model_line(kh_ner_model *m, const char *q, const char *le, int fill, int *pass)
{
    if (*q == '@') {
        if (m->passes != 2 || *pass != 1 || le - q < 2 || q[1] != '2')
            return KH_ECORRUPT;
        *pass = 2;
        return KH_OK;
    }
    if (*q == '+') { /* a gazetteer word: "+BITS WORD" */
        long bitsv;
        q++;
        if (!next_long(&q, le, 10, &bitsv) || bitsv <= 0 ||
            bitsv >
                (KH_NER_GAZ_PERSON | KH_NER_GAZ_PLACE | KH_NER_GAZ_PLACE_PART))
            return KH_ECORRUPT;
        if (fill)
            return KH_OK;
        while (q < le && *q == ' ')
            q++;
        size_t wl = (size_t)(le - q);
        if (wl > 0 && q[wl - 1] == '\r')
            wl--;
        kh_strmap_entry *e = kh__strmap_upsert(&m->lex.gaz, q, wl);
        if (e == NULL)
            return KH_ENOMEM;
        e->value |= (uint64_t)bitsv;
        return KH_OK;
    }
    if (*q == '!') { /* "!dict": the model reads dictionary classes */
        if ((size_t)(le - q) < 5 || memcmp(q, "!dict", 5) != 0)
            return KH_ECORRUPT;
        m->want_dict = 1;
        return KH_OK;
    }
    if (*q == '~') { /* a name word as written: "~WORD" */
        if (fill)
            return KH_OK;
        size_t wl = (size_t)(le - q - 1);
        if (wl > 0 && q[wl] == '\r')
            wl--;
        if (wl == 0)
            return KH_ECORRUPT;
        return kh__strmap_upsert(&m->lex.written, q + 1, wl) != NULL
                   ? KH_OK
                   : KH_ENOMEM;
    }
    if (*q == '=') { /* a known word */
        if (fill)
            return KH_OK;
        size_t wl = (size_t)(le - q - 1);
        if (wl > 0 && q[wl] == '\r')
            wl--;
        return kh__strmap_upsert(&m->lex.known, q + 1, wl) != NULL ? KH_OK
                                                                   : KH_ENOMEM;
    }
    long b, w;
    if (!next_long(&q, le, 16, &b) || b < 0 || (uint32_t)b > m->mask)
        return KH_ECORRUPT;
    uint32_t bucket = (uint32_t)b;
    if (!fill) { /* the weights are read, and checked, on the second */
        m->bits[bucket >> 6] |= 1ull << (bucket & 63);
        return KH_OK;
    }
    int16_t *row = (int16_t *)kh__ner_row(m, bucket);
    for (int l = 0; l < KH_NER_N_LABELS; l++) {
        if (!next_long(&q, le, 10, &w) || w < -32767 || w > 32767)
            return KH_ECORRUPT;
        if (row != NULL)
            row[(*pass - 1) * KH_NER_VEC + l] = (int16_t)w;
    }
    m->bits[bucket >> 6] |= 1ull << (bucket & 63);
    return KH_OK;
}

kh_status
kh__ner_model_parse(const char *text, size_t len, kh_ner_model **out,
                    kh_error *err)
{
    *out = NULL;
    const char *end = text + len;
    long lineno = 0, header = 0;
    kh_ner_model *m = NULL;
    kh_status rc = KH_OK;
    /* twice over the lines: first the bitmap of the buckets (and the
     * words), then, with the rows counted, the weights */
    for (int fill = 0; fill < 2 && rc == KH_OK; fill++) {
        int pass = 1;
        lineno = 0;
        for (const char *p = text; p < end && rc == KH_OK;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl != NULL ? nl : end, *q = p;
            lineno++;
            p = nl != NULL ? nl + 1 : end;
            if (q == le || *q == '#' || *q == '\r' || lineno == header)
                continue;
            if (m != NULL) {
                rc = model_line(m, q, le, fill, &pass);
                continue;
            }
            long version, bits, labels, scale;
            if ((size_t)(le - q) < 11 || memcmp(q, "khabar-ner ", 11)) {
                rc = KH_ECORRUPT;
                break;
            }
            q += 11;
            header = lineno;
            if (!next_long(&q, le, 10, &version) ||
                (version != 1 && version != 2) ||
                !next_long(&q, le, 10, &bits) ||
                !next_long(&q, le, 10, &labels) ||
                !next_long(&q, le, 10, &scale) || bits < 8 || bits > 24 ||
                labels != KH_NER_N_LABELS || scale <= 0) {
                rc = KH_ECORRUPT;
                break;
            }
            m = kh_malloc(sizeof *m);
            if (m == NULL)
                return KH_ENOMEM;
            memset(m, 0, sizeof *m);
            kh__ner_lexicon_init(&m->lex);
            m->mask = (uint32_t)((1ul << bits) - 1);
            m->passes = version == 2 ? 2 : 1;
            size_t words = ((size_t)1 << bits) / 64;
            m->bits = kh_malloc(words * sizeof *m->bits);
            m->rank = kh_malloc(words * sizeof *m->rank);
            if (m->bits == NULL || m->rank == NULL)
                rc = KH_ENOMEM;
            else
                memset(m->bits, 0, words * sizeof *m->bits);
        }
        if (rc != KH_OK || m == NULL || fill)
            break;
        size_t words = ((size_t)m->mask + 1) / 64, rows = 0;
        for (size_t k = 0; k < words; k++) {
            m->rank[k] = (uint32_t)rows;
            rows += kh__ner_popcount64(m->bits[k]);
        }
        m->n_rows = rows;
        m->rows = kh_malloc(rows * KH_NER_ROW * sizeof *m->rows + 1);
        if (m->rows == NULL)
            rc = KH_ENOMEM;
        else
            memset(m->rows, 0, rows * KH_NER_ROW * sizeof *m->rows);
    }
    if (rc == KH_OK && m == NULL) {
        lineno = 1;
        rc = KH_ECORRUPT;
    }
    if (rc == KH_OK)
        rc = build_cues(m);
    if (rc == KH_OK && m->want_dict)
        rc = load_dict(m, err);
    if (rc == KH_OK)
        rc = kh__ner_cache_new(&m->cache);
    if (rc == KH_OK)
        rc = kh__ner_bare_build(m);
    if (rc != KH_OK) {
        kh__ner_model_free(m);
        if (rc == KH_ECORRUPT)
            kh__set_error(err, "entity model: bad line %ld", lineno);
        return rc;
    }
    build_tables(m);
    *out = m;
    return KH_OK;
}

kh_status
kh__ner_model_load(const char *path, kh_ner_model **out, kh_error *err)
{
    *out = NULL;
    if (path == NULL)
        path = getenv("KHABAR_NER_MODEL");
    if (path == NULL || *path == '\0')
        path = "data/ner/model.txt";
    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = kh__read_file(path, &b, err);
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

/* Greedy decoding of tokens [a, b): each token's best label given the
 * labels already chosen, every feature hashed and looked up. */
static void
decode_greedy(const kh_ner_model *m, int pass, const kh_ner_seq *seq, size_t a,
              size_t b, int *labels, uint32_t *cache, uint8_t *cache_n,
              int fill)
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
        int32_t sc[KH_NER_VEC] = {0};
        kh__ner_add_rows(m, pass, sf, ns, sc);
        kh__ner_add_rows(m, pass, f, n, sc);
        labels[i] = kh__ner_best(sc, p1);
    }
}

void
kh__ner_decode_pass(const kh_ner_model *m, int pass, const kh_ner_seq *seq,
                    size_t a, size_t b, int *labels)
{
    decode_greedy(m, pass == 2 && m->passes == 2 ? 2 : 1, seq, a, b, labels,
                  NULL, NULL, 0);
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
    decode_greedy(m, 1, seq, 0, seq->n, labels, cache, cache_n, 1);
    kh_status rc = kh__ner_memory(seq, 0, seq->n, 0, seq->n, labels);
    if (rc == KH_OK)
        decode_greedy(m, 2, seq, 0, seq->n, labels, cache, cache_n, 0);
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
