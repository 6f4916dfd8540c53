/*
 * ner_fast.c -- tagging text quickly: the same labels as the reference
 * decoding in ner.c (kh__ner_decode()), from sums kept per word.
 *
 * Most of a token's features belong to one word at one offset (its form,
 * stem, affixes, bare form, cue, rare and gazetteer marks, seen from -2
 * to +2), and a linear model adds their weights.  So the sum of a word's
 * features at each offset is made once per word, kept in the model's
 * cache (keyed by kind and normalized form, the two things the analyzer's
 * stem, stop mark and everything else follow from), and a token then
 * costs five vector additions, its punctuation's (cached the same way),
 * two stem-pair look-ups and the label-dependent tables made at load.
 * The weights are integers, so the order of the additions cannot change
 * a score, and the labels are exactly the reference's (tests/unit/
 * test_ner.c checks it on real text).
 *
 * The cache is shared by every thread that tags with the model: a mutex
 * guards its index, taken once per text to find (and if need be make)
 * the entries of all the text's words; entries never move nor change
 * once made, so decoding reads them without the lock.  It stops growing
 * at KH_NER_CACHE_BYTES; words met after that are summed per text.
 */
#include "extract/ner.h"
#include "text/text.h"

#include <pthread.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

/* The most the cache holds (entries, their strings and the index); a
 * news vocabulary of 72,000 words takes about half of it. */
#define KH_NER_CACHE_BYTES ((size_t)96 << 20)

/* A word's sums.  Punctuation between tokens ("gap") has entries too,
 * with kind GAP_KIND: v[0][p] is what it gives the token it precedes,
 * v[1][p] what it gives the token before that. */
typedef struct ner_entry {
    /* the first cache line: what finding the entry reads */
    const void *lab;     /* the label features that read its stem and cue,
                            NULL if all 0: int16_t [pass][prev label][label],
                            or int32_t [prev label][pass][label] if lab_wide */
    const int32_t *wide; /* v in 32 bits ([d + 2][pass][label]) when a sum
                            does not fit in 16, else NULL */
    const char *key;     /* the normalized form (or gap), NUL-terminated */
    const char *stem;    /* NUL-terminated */
    uint32_t key_len, stem_len;
    uint32_t bare_off, bare_len; /* kh__ner_bare() of the form */
    uint32_t bare_hash;
    uint32_t stem_hash; /* kh__ner_str_hash() of the stem */
    uint32_t hash;      /* of kind and key */
    uint8_t kind;
    uint8_t memok; /* takes part in the document memory */
    uint8_t rare;
    uint8_t lab_wide;
    /* then the sums, 16 bits (two and a half cache lines; 32-bit sums
     * made the cache of a news vocabulary too big for the CPU's) */
    int16_t v[5][2][KH_NER_VEC]; /* [d + 2][pass]: its features' weights
                                    for the token d places before it */
} ner_entry;

#define GAP_KIND 0xff

typedef struct ner_chunk {
    struct ner_chunk *next;
    size_t used, cap;
} ner_chunk;

/* Entries and strings in chunks that never move, and an index of them. */
typedef struct ner_slot {
    const ner_entry *e; /* NULL = empty */
    uint32_t hash;      /* e->hash, so that a probe reads no entry */
} ner_slot;

typedef struct ner_dict {
    ner_slot *slots; /* cap */
    size_t cap, count;
    ner_chunk *chunks;
    size_t bytes; /* all of it */
} ner_dict;

struct kh_ner_cache {
    pthread_mutex_t lock;
    ner_dict dict;
    size_t limit; /* bytes, KH_NER_CACHE_BYTES unless a test says */
};

#define CHUNK_BYTES ((size_t)1 << 20)

static void
dict_release(ner_dict *d)
{
    kh_free(d->slots);
    for (ner_chunk *c = d->chunks, *next; c != NULL; c = next) {
        next = c->next;
        free(c); /* posix_memalign's */
    }
    memset(d, 0, sizeof *d);
}

/* n bytes aligned for any of the entry's members, or NULL when out of
 * memory or (limit != 0) past limit. */
static void *
dict_alloc(ner_dict *d, size_t n, size_t limit, size_t align)
{
    ner_chunk *c0 = d->chunks;
    if (c0 != NULL)
        c0->used = (c0->used + align - 1) & ~(align - 1);
    n = (n + 15) & ~(size_t)15;
    ner_chunk *c = d->chunks;
    size_t head = (sizeof(ner_chunk) + 63) & ~(size_t)63;
    if (c == NULL || c->used > c->cap || c->cap - c->used < n) {
        size_t cap = n + head > CHUNK_BYTES ? n + head : CHUNK_BYTES;
        if (limit != 0 && d->bytes + cap > limit)
            return NULL;
        c = NULL;
        if (posix_memalign((void **)&c, 64, cap) != 0)
            return NULL;
        c->next = d->chunks;
        c->used = head;
        c->cap = cap;
        d->chunks = c;
        d->bytes += cap;
    }
    void *p = (char *)c + c->used;
    c->used += n;
    return p;
}

static uint32_t
key_hash(int kind, const char *key, size_t len)
{
    return kh__ner_str_hash(key, len) ^ ((uint32_t)kind * 0x9e3779b9u);
}

static const ner_entry *
dict_get(const ner_dict *d, uint32_t h, int kind, const char *key, size_t len)
{
    if (d->cap == 0)
        return NULL;
    for (size_t i = h & (d->cap - 1);; i = (i + 1) & (d->cap - 1)) {
        const ner_entry *e = d->slots[i].e;
        if (e == NULL)
            return NULL;
        if (d->slots[i].hash == h && e->kind == kind && e->key_len == len &&
            memcmp(e->key, key, len) == 0)
            return e;
    }
}

/* Adds e (whose strings and sums are already in d's chunks) to the
 * index; KH_ENOMEM when it cannot grow (or would pass limit). */
static kh_status
dict_put(ner_dict *d, ner_entry *e, size_t limit)
{
    if ((d->count + 1) * 2 > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        size_t more = cap * sizeof *d->slots;
        if (limit != 0 && d->bytes + more > limit)
            return KH_ENOMEM;
        ner_slot *s = kh_malloc(more);
        if (s == NULL)
            return KH_ENOMEM;
        memset(s, 0, more);
        for (size_t k = 0; k < d->cap; k++) {
            if (d->slots[k].e == NULL)
                continue;
            size_t i = d->slots[k].hash & (cap - 1);
            while (s[i].e != NULL)
                i = (i + 1) & (cap - 1);
            s[i] = d->slots[k];
        }
        d->bytes += more - d->cap * sizeof *d->slots;
        kh_free(d->slots);
        d->slots = s;
        d->cap = cap;
    }
    size_t i = e->hash & (d->cap - 1);
    while (d->slots[i].e != NULL)
        i = (i + 1) & (d->cap - 1);
    d->slots[i].e = e;
    d->slots[i].hash = e->hash;
    d->count++;
    return KH_OK;
}

kh_status
kh__ner_cache_new(kh_ner_cache **out)
{
    kh_ner_cache *c = kh_malloc(sizeof *c);
    if (c == NULL)
        return KH_ENOMEM;
    memset(c, 0, sizeof *c);
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        kh_free(c);
        return KH_ENOMEM;
    }
    c->limit = KH_NER_CACHE_BYTES;
    *out = c;
    return KH_OK;
}

void
kh__ner_cache_limit(const kh_ner_model *m, size_t bytes)
{
    kh_ner_cache *c = m->cache;
    pthread_mutex_lock(&c->lock);
    dict_release(&c->dict);
    c->limit = bytes;
    pthread_mutex_unlock(&c->lock);
}

void
kh__ner_cache_free(kh_ner_cache *c)
{
    if (c == NULL)
        return;
    dict_release(&c->dict);
    pthread_mutex_destroy(&c->lock);
    kh_free(c);
}

/* Adds eight 32-bit scores. */
static inline void
add_vec(int32_t *restrict s, const int32_t *restrict v)
{
#if defined(__SSE2__)
    __m128i *o = (__m128i *)s;
    const __m128i *x = (const __m128i *)v;
    _mm_storeu_si128(o, _mm_add_epi32(_mm_loadu_si128(o), _mm_loadu_si128(x)));
    _mm_storeu_si128(
        o + 1, _mm_add_epi32(_mm_loadu_si128(o + 1), _mm_loadu_si128(x + 1)));
#else
    for (int l = 0; l < KH_NER_VEC; l++)
        s[l] += v[l];
#endif
}

/* A row of the model, or an entry's sums at one offset: both passes'
 * 16-bit numbers. */
typedef const int16_t (*ner_row)[KH_NER_VEC];

#if defined(__SSE2__)
/* Eight 16-bit lanes sign-extended to 32 bits, by unpacking each into the
 * top of a 32-bit lane and shifting it down. */
static inline void
widen16(__m128i x, __m128i *lo, __m128i *hi)
{
    *lo = _mm_srai_epi32(_mm_unpacklo_epi16(x, x), 16);
    *hi = _mm_srai_epi32(_mm_unpackhi_epi16(x, x), 16);
}
#endif

/* Adds a row to both passes' scores. */
static inline void
add_row(int32_t (*restrict s)[KH_NER_VEC], ner_row r)
{
    for (int p = 0; p < 2; p++) {
#if defined(__SSE2__)
        __m128i lo, hi;
        widen16(_mm_loadu_si128((const __m128i *)r[p]), &lo, &hi);
        __m128i *o = (__m128i *)s[p];
        _mm_storeu_si128(o, _mm_add_epi32(_mm_loadu_si128(o), lo));
        _mm_storeu_si128(o + 1, _mm_add_epi32(_mm_loadu_si128(o + 1), hi));
#else
        for (int l = 0; l < KH_NER_VEC; l++)
            s[p][l] += r[p][l];
#endif
    }
}

/* Adds the rows of the n features f to both passes' sums at once (one
 * look-up serves both): dst[k] is where feature k goes (two vectors, the
 * second pass's right after the first's).  The rows are fetched ahead:
 * a word's 60-odd features scatter over megabytes of rows, and waiting
 * for each in turn made a new word cost microseconds. */
static void
add_rows(const kh_ner_model *m, const uint32_t *f,
         int32_t (*const *dst)[KH_NER_VEC], size_t n)
{
    const int16_t *r[6 * KH_NER_MAX_WORD];
    /* a new word's hundreds of look-ups: the bitmap words and row counts
     * fetched first, so that their misses overlap */
    for (size_t k = 0; k < n; k++) {
        uint32_t b = (f[k] & m->mask) >> 6;
        __builtin_prefetch(&m->bits[b]);
        __builtin_prefetch(&m->rank[b]);
    }
    for (size_t k = 0; k < n; k++) {
        r[k] = kh__ner_row(m, f[k]);
        if (r[k] != NULL)
            __builtin_prefetch(r[k]);
    }
    for (size_t k = 0; k < n; k++)
        if (r[k] != NULL)
            add_row(dst[k], (ner_row)r[k]);
}

/* Adds both passes' vectors v to s. */
static inline void
add_pair(int32_t (*s)[KH_NER_VEC], const int32_t (*v)[KH_NER_VEC])
{
    add_vec(s[0], v[0]);
    add_vec(s[1], v[1]);
}

/* Adds a word to the table of bare forms (built once, at load). */
static void
bare_put(kh_ner_model *m, const char *key, size_t len, unsigned marks)
{
    uint32_t h = kh__ner_str_hash(key, len);
    size_t i = h & (m->bare_cap - 1);
    while (m->bare[i].len != 0 &&
           (m->bare[i].len != len || memcmp(m->bare[i].key, key, len) != 0))
        i = (i + 1) & (m->bare_cap - 1);
    m->bare[i].hash = h;
    m->bare[i].len = (uint8_t)len;
    m->bare[i].marks |= (uint8_t)marks;
    memcpy(m->bare[i].key, key, len);
}

kh_status
kh__ner_bare_build(kh_ner_model *m)
{
    const kh_ner_lexicon *lex = &m->lex;
    size_t cap = 64;
    while (cap < (lex->known.count + lex->gaz.count) * 2)
        cap *= 2;
    m->bare = kh_malloc(cap * sizeof *m->bare);
    if (m->bare == NULL)
        return KH_ENOMEM;
    memset(m->bare, 0, cap * sizeof *m->bare);
    m->bare_cap = cap;
    for (size_t k = 0; k < lex->known.cap; k++) {
        const kh_strmap_entry *e = &lex->known.slots[k];
        if (e->key != NULL && e->key_len > 0 &&
            e->key_len <= KH_NER_BARE_INLINE)
            bare_put(m, e->key, e->key_len, KH_NER_BARE_KNOWN);
    }
    for (size_t k = 0; k < lex->gaz.cap; k++) {
        const kh_strmap_entry *e = &lex->gaz.slots[k];
        if (e->key != NULL && e->key_len > 0 &&
            e->key_len <= KH_NER_BARE_INLINE)
            bare_put(m, e->key, e->key_len, (unsigned)e->value & 7);
    }
    return KH_OK;
}

/* kh__ner_word_mark() with one look-up in m->bare instead of two in
 * strmaps (whose slots point to their keys: two or three cache misses
 * each, for every new word). */
static void
mark_word(const kh_ner_model *m, kh_ner_word *w)
{
    const char *b;
    size_t bl = kh__ner_bare(w->norm, w->norm_len, &b);
    if (bl == 0 || bl > KH_NER_BARE_INLINE) {
        kh__ner_word_mark(w, &m->lex);
        return;
    }
    const kh_ner_lexicon *lex = &m->lex;
    w->cue = 0;
    const kh_strmap_entry *c = kh__strmap_get(&lex->cues, w->stem, w->stem_len);
    if (c != NULL)
        w->cue = (uint8_t)c->value;
    uint32_t h = kh__ner_str_hash(b, bl);
    unsigned marks = 0;
    for (size_t i = h & (m->bare_cap - 1); m->bare[i].len != 0;
         i = (i + 1) & (m->bare_cap - 1))
        if (m->bare[i].hash == h && m->bare[i].len == bl &&
            memcmp(m->bare[i].key, b, bl) == 0) {
            marks = m->bare[i].marks;
            break;
        }
    w->rare = w->kind == KH_TOKEN_ARABIC && lex->known.count > 0 &&
              !(marks & KH_NER_BARE_KNOWN);
    w->gaz = lex->gaz.count > 0 && !w->stop ? (uint8_t)(marks & 7) : 0;
    w->dict = kh__ner_dict_classes(lex, w, b, bl);
}

/* Stores the 32-bit sums v ([d + 2][pass][label]) into e, in 16 bits
 * when they fit. */
static int
keep_sums(ner_dict *d, size_t limit, ner_entry *e, int32_t (*v)[2][KH_NER_VEC])
{
    int fits = 1;
    for (int k = 0; k < 5; k++)
        for (int p = 0; p < 2; p++) {
#if defined(__SSE2__)
            /* packed with saturation: a lane that does not fit changes */
            __m128i a = _mm_loadu_si128((const __m128i *)v[k][p]);
            __m128i b = _mm_loadu_si128((const __m128i *)(v[k][p] + 4));
            __m128i q = _mm_packs_epi32(a, b);
            __m128i ua, ub;
            widen16(q, &ua, &ub);
            __m128i same =
                _mm_and_si128(_mm_cmpeq_epi32(a, ua), _mm_cmpeq_epi32(b, ub));
            fits &= _mm_movemask_epi8(same) == 0xffff;
            _mm_storeu_si128((__m128i *)e->v[k][p], q);
#else
            for (int l = 0; l < KH_NER_VEC; l++) {
                fits &= v[k][p][l] >= INT16_MIN && v[k][p][l] <= INT16_MAX;
                e->v[k][p][l] = (int16_t)v[k][p][l];
            }
#endif
        }
    if (fits)
        return 0;
    int32_t *w = dict_alloc(d, 5 * sizeof *v, limit, 16);
    if (w == NULL)
        return -1;
    memcpy(w, v, 5 * sizeof *v);
    e->wide = w;
    return 0;
}

/* Makes the entry of the word (kind, norm) in d: its stem and stop mark
 * (as the analyzer gives them, which the tagger does not ask it for
 * words it knows), its sums at every offset, its label sums, its stem's
 * hash, its bare form.  NULL when d cannot take it (memory, or limit). */
static const ner_entry *
make_word(const kh_ner_model *m, ner_dict *d, size_t limit, uint32_t h,
          int kind, const char *norm, size_t norm_len)
{
    char stem[KH_MAX_TOKEN_BYTES + 8];
    size_t stem_len = norm_len;
    if (kind == KH_TOKEN_ARABIC && norm_len < sizeof stem)
        stem_len = kh__stem_light(norm, norm_len, stem);
    else
        memcpy(stem, norm, norm_len < sizeof stem ? norm_len : 0);
    int stop = (kind == KH_TOKEN_ARABIC || kind == KH_TOKEN_LATIN) &&
               kh__is_stopword(norm, norm_len);
    /* the strings just before the entry, so that comparing a key reads
     * the cache line before the entry's first */
    char *s = dict_alloc(d, norm_len + stem_len + 2, limit, 16);
    ner_entry *e = dict_alloc(d, sizeof *e, limit, 64);
    if (e == NULL || s == NULL)
        return NULL;
    memset(e, 0, sizeof *e);
    memcpy(s, norm, norm_len);
    s[norm_len] = '\0';
    memcpy(s + norm_len + 1, norm_len < sizeof stem ? stem : norm, stem_len);
    s[norm_len + 1 + stem_len] = '\0';
    e->key = s;
    e->key_len = (uint32_t)norm_len;
    e->stem = s + norm_len + 1;
    e->stem_len = (uint32_t)stem_len;
    e->hash = h;
    e->kind = (uint8_t)kind;
    kh_ner_word w = {.norm = e->key,
                     .stem = e->stem,
                     .norm_len = norm_len,
                     .stem_len = stem_len,
                     .kind = (uint8_t)kind,
                     .stop = (uint8_t)stop};
    mark_word(m, &w);
    e->rare = w.rare;
    e->memok = !stop && (kind == KH_TOKEN_ARABIC || kind == KH_TOKEN_LATIN);
    const char *b;
    e->bare_len = (uint32_t)kh__ner_bare(e->key, e->key_len, &b);
    e->bare_off = (uint32_t)(b - e->key);
    e->bare_hash = kh__ner_str_hash(b, e->bare_len);
    e->stem_hash = kh__ner_str_hash(e->stem, e->stem_len);
    uint32_t f[6 * KH_NER_MAX_WORD];
    int32_t(*dst[6 * KH_NER_MAX_WORD])[KH_NER_VEC];
    int32_t v[5][2][KH_NER_VEC];
    int32_t lab[KH_NER_N_LABELS][2][KH_NER_VEC];
    memset(v, 0, sizeof v);
    memset(lab, 0, sizeof lab);
    int8_t at[6 * KH_NER_MAX_WORD];
    size_t n = kh__ner_word_features_at(&w, 0x1f, f, at);
    for (size_t j = 0; j < n; j++)
        dst[j] = v[at[j] + 2];
    for (int p1 = 0; p1 < KH_NER_N_LABELS; p1++) {
        dst[n] = lab[p1];
        f[n++] = kh__ner_prev_stem_hash(p1, e->stem_hash);
        if (w.cue) {
            dst[n] = lab[p1];
            f[n++] = kh__ner_prev_cue_hash(p1, w.cue);
        }
    }
    add_rows(m, f, dst, n);
    /* and the small-number features, from the tables */
    unsigned gaz = w.gaz & 7, cue = w.cue <= KH_NER_CUE_SAID ? w.cue : 0;
    for (int k = 0; k < 5; k++)
        add_pair(v[k], m->shaped[k][w.rare][cue][gaz]);
    add_pair(v[2], m->shape0[w.kind & 7][w.stop][kh__ner_len_class(&w)]);
    if (keep_sums(d, limit, e, v) != 0)
        return NULL;
    int32_t any = 0;
    bool narrow = true;
    for (int p1 = 0; p1 < KH_NER_N_LABELS; p1++)
        for (int p = 0; p < 2; p++)
            for (int l = 0; l < KH_NER_VEC; l++) {
                any |= lab[p1][p][l];
                narrow = narrow && lab[p1][p][l] >= INT16_MIN &&
                         lab[p1][p][l] <= INT16_MAX;
            }
    if (any && narrow) {
        /* in 16 bits and by pass, so that a pass's rows are two cache
         * lines that decoding can fetch ahead */
        int16_t(*keep)[KH_NER_N_LABELS][KH_NER_VEC] =
            dict_alloc(d, 2 * sizeof *keep, limit, 16);
        if (keep == NULL)
            return NULL;
        for (int p = 0; p < 2; p++)
            for (int p1 = 0; p1 < KH_NER_N_LABELS; p1++)
                for (int l = 0; l < KH_NER_VEC; l++)
                    keep[p][p1][l] = (int16_t)lab[p1][p][l];
        e->lab = keep;
    } else if (any) {
        int32_t *keep = dict_alloc(d, sizeof lab, limit, 16);
        if (keep == NULL)
            return NULL;
        memcpy(keep, lab, sizeof lab);
        e->lab = keep;
        e->lab_wide = 1;
    }
    if (dict_put(d, e, limit) != KH_OK)
        return NULL;
    return e;
}

/* The entry of a gap string. */
static const ner_entry *
make_gap(const kh_ner_model *m, ner_dict *d, size_t limit, uint32_t h,
         const char *gap, size_t len)
{
    char *s = dict_alloc(d, len + 1, limit, 16);
    ner_entry *e = dict_alloc(d, sizeof *e, limit, 64);
    if (e == NULL || s == NULL)
        return NULL;
    memset(e, 0, sizeof *e);
    memcpy(s, gap, len);
    s[len] = '\0';
    e->key = s;
    e->key_len = (uint32_t)len;
    e->stem = s;
    e->hash = h;
    e->kind = GAP_KIND;
    int32_t v[5][2][KH_NER_VEC];
    memset(v, 0, sizeof v);
    uint32_t f[2] = {kh__ner_gap_hash(s, 0), kh__ner_gap_hash(s, 1)};
    int32_t(*dst[2])[KH_NER_VEC] = {v[0], v[1]};
    add_rows(m, f, dst, 2);
    if (keep_sums(d, limit, e, v) != 0 || dict_put(d, e, limit) != KH_OK)
        return NULL;
    return e;
}

/* A token of the text being tagged, and all the tagger keeps of it. */
typedef struct ner_tok {
    int32_t s[2][KH_NER_VEC]; /* the label-independent scores, by pass */
    const ner_entry *e;       /* its word's entry */
    const ner_entry *g;       /* its gap's */
    /* What the sums and decoding read of e, copied when it is found, so
     * that those loops run over the tokens in order instead of the
     * entries scattered in the cache. */
    const void *lab;
    uint32_t stem_hash, bare_hash;
    uint8_t rare, memok, lab_wide;
    size_t start, end; /* bytes in the text */
    uint32_t sent;     /* sentence ordinal */
    uint32_t norm_off; /* normalized form in the call's bytes */
    uint32_t norm_len;
    uint32_t hash; /* key_hash() of the word */
    uint8_t kind;
    uint8_t label; /* the first pass's, then the second's */
    uint8_t l1;    /* the first pass's, for the second */
    uint8_t mem;   /* document memory (kh__ner_memory()) */
    char gap[KH_NER_GAP_BYTES + 1];
} ner_tok;

/* One call's tokens and the bytes of their normalized forms. */
typedef struct ner_call {
    ner_tok *tok;
    size_t n, cap;
    char *bytes;
    size_t used, room;
    ner_dict local; /* words the full cache could not take */
} ner_call;

static void
call_release(ner_call *c)
{
    kh_free(c->tok);
    kh_free(c->bytes);
    dict_release(&c->local);
}

/* The text's tokens as kh__ner_seq_add() makes them (offsets, kind,
 * normalized form, gap, sentence), from the tokenizer itself: the stem
 * and the stop mark, which the analyzer would make for every token, are
 * the entries' business. */
static kh_status
tokenize(ner_call *c, const char *text, size_t len)
{
    kh_tokenizer tk;
    kh_raw_token raw;
    size_t prev_end = 0;
    uint32_t sent = 0;
    int first = 1;
    kh__tokenizer_reset(&tk, text, len);
    while (kh__tokenizer_next(&tk, &raw)) {
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : len / 8 + 16;
            ner_tok *nt = kh_realloc(c->tok, cap * sizeof *nt);
            if (nt == NULL)
                return KH_ENOMEM;
            c->tok = nt;
            c->cap = cap;
        }
        if (c->room - c->used < raw.norm_len + 1) {
            size_t room = c->room ? c->room * 2 : len + 64;
            while (room - c->used < raw.norm_len + 1)
                room *= 2;
            if (room > UINT32_MAX)
                return KH_EINVAL;
            char *nb = kh_realloc(c->bytes, room);
            if (nb == NULL)
                return KH_ENOMEM;
            c->bytes = nb;
            c->room = room;
        }
        ner_tok *t = &c->tok[c->n++];
        t->start = raw.start;
        t->end = raw.end;
        /* tokens can share bytes (a word the analyzer splits), so the gap
         * may be empty */
        memset(t->gap, 0, sizeof t->gap); /* the memo compares it all */
        int ends = kh__ner_gap(text + prev_end,
                               raw.start > prev_end ? raw.start - prev_end : 0,
                               t->gap);
        if (ends && !first)
            sent++;
        first = 0;
        t->sent = sent;
        t->kind = (uint8_t)raw.kind;
        t->norm_off = (uint32_t)c->used;
        t->norm_len = (uint32_t)raw.norm_len;
        memcpy(c->bytes + c->used, raw.norm, raw.norm_len);
        c->used += raw.norm_len;
        t->hash = key_hash(raw.kind, raw.norm, raw.norm_len);
        prev_end = raw.end;
    }
    return KH_OK;
}

/* The entry of a word or gap (kind GAP_KIND), found or made: in the
 * model's cache while it has room, else in the call's own.  NULL when out
 * of memory.  Under the cache's lock. */
static const ner_entry *
find_one(const kh_ner_model *m, ner_call *call, int kind, const char *key,
         size_t len, uint32_t h)
{
    kh_ner_cache *c = m->cache;
    const ner_entry *e = dict_get(&c->dict, h, kind, key, len);
    if (e == NULL)
        e = dict_get(&call->local, h, kind, key, len);
    if (e == NULL && c->dict.bytes < c->limit)
        e = kind == GAP_KIND
                ? make_gap(m, &c->dict, c->limit, h, key, len)
                : make_word(m, &c->dict, c->limit, h, kind, key, len);
    /* the cache is full (an entry half made there stays unreachable: only
     * its bytes are lost) */
    if (e == NULL)
        e = kind == GAP_KIND ? make_gap(m, &call->local, 0, h, key, len)
                             : make_word(m, &call->local, 0, h, kind, key, len);
    return e;
}

/* Finds (or makes) the entries of every token and gap. */
static kh_status
find_entries(const kh_ner_model *m, ner_call *call)
{
    kh_ner_cache *c = m->cache;
    kh_status rc = KH_OK;
    size_t n = call->n;
    /* most gaps are the same few strings: a memo of the last ones, by
     * their bytes, spares hashing them and the index */
    struct {
        char gap[KH_NER_GAP_BYTES + 1];
        const ner_entry *e;
    } memo[8];
    memset(memo, 0, sizeof memo);
    pthread_mutex_lock(&c->lock);
    /* In three sweeps, so that the memory reads of many words overlap
     * instead of each waiting for the last: the index's slots; then the
     * entries the slots point to (their first line and the key just
     * before it); then the comparisons, and the words not found. */
    size_t mask = c->dict.cap - 1;
    if (c->dict.cap > 0) {
        for (size_t i = 0; i < n; i++)
            __builtin_prefetch(&c->dict.slots[call->tok[i].hash & mask]);
        for (size_t i = 0; i < n; i++) {
            const ner_slot *sl = &c->dict.slots[call->tok[i].hash & mask];
            if (sl->e != NULL && sl->hash == call->tok[i].hash) {
                __builtin_prefetch(sl->e);
                __builtin_prefetch((const char *)sl->e - 64);
            }
        }
    }
    for (size_t i = 0; i < n && rc == KH_OK; i++) {
        ner_tok *t = &call->tok[i];
        unsigned mk = (unsigned char)t->gap[0] & 7;
        if (memo[mk].e != NULL &&
            memcmp(memo[mk].gap, t->gap, sizeof t->gap) == 0) {
            t->g = memo[mk].e;
        } else {
            size_t len = strlen(t->gap);
            t->g = find_one(m, call, GAP_KIND, t->gap, len,
                            key_hash(GAP_KIND, t->gap, len));
            memcpy(memo[mk].gap, t->gap, sizeof t->gap);
            memo[mk].e = t->g;
        }
        t->e = find_one(m, call, t->kind, call->bytes + t->norm_off,
                        t->norm_len, t->hash);
        if (t->e == NULL || t->g == NULL) {
            rc = KH_ENOMEM;
            break;
        }
        t->lab = t->e->lab;
        t->lab_wide = t->e->lab_wide;
        t->stem_hash = t->e->stem_hash;
        t->bare_hash = t->e->bare_hash;
        t->rare = t->e->rare;
        t->memok = t->e->memok;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

/* Scores of both passes being summed: in SSE registers where there are
 * some (the compiler keeps a local one there), else in an array. */
#if defined(__SSE2__)
typedef struct ner_acc {
    __m128i a[4]; /* pass 1 labels 0-3, 4-7, pass 2 labels 0-3, 4-7 */
} ner_acc;

static inline void
acc_zero(ner_acc *x)
{
    for (int k = 0; k < 4; k++)
        x->a[k] = _mm_setzero_si128();
}

/* Adds a row, or an entry's sums at one offset. */
static inline void
acc_add16(ner_acc *x, ner_row r)
{
    for (int k = 0; k < 2; k++) {
        __m128i lo, hi;
        widen16(_mm_loadu_si128((const __m128i *)r[k]), &lo, &hi);
        x->a[2 * k] = _mm_add_epi32(x->a[2 * k], lo);
        x->a[2 * k + 1] = _mm_add_epi32(x->a[2 * k + 1], hi);
    }
}

/* Adds both passes' 32-bit scores. */
static inline void
acc_add32(ner_acc *x, const int32_t (*v)[KH_NER_VEC])
{
    for (int k = 0; k < 4; k++)
        x->a[k] = _mm_add_epi32(
            x->a[k],
            _mm_loadu_si128((const __m128i *)(v[k / 2] + 4 * (k % 2))));
}

static inline void
acc_store(const ner_acc *x, int32_t (*out)[KH_NER_VEC])
{
    for (int k = 0; k < 4; k++)
        _mm_storeu_si128((__m128i *)(out[k / 2] + 4 * (k % 2)), x->a[k]);
}
#else
typedef struct ner_acc {
    int32_t a[2 * KH_NER_VEC];
} ner_acc;

static inline void
acc_zero(ner_acc *x)
{
    memset(x, 0, sizeof *x);
}

static inline void
acc_add16(ner_acc *x, ner_row r)
{
    for (int l = 0; l < 2 * KH_NER_VEC; l++)
        x->a[l] += r[l / KH_NER_VEC][l % KH_NER_VEC];
}

static inline void
acc_add32(ner_acc *x, const int32_t (*v)[KH_NER_VEC])
{
    for (int l = 0; l < 2 * KH_NER_VEC; l++)
        x->a[l] += v[l / KH_NER_VEC][l % KH_NER_VEC];
}

static inline void
acc_store(const ner_acc *x, int32_t (*out)[KH_NER_VEC])
{
    for (int l = 0; l < 2 * KH_NER_VEC; l++)
        out[l / KH_NER_VEC][l % KH_NER_VEC] = x->a[l];
}
#endif

/* Adds both passes' sums of entry e at offset k (d + 2). */
static inline void
acc_entry(ner_acc *x, const ner_entry *e, int k)
{
    if (e->wide != NULL)
        acc_add32(x, ((const int32_t(*)[2][KH_NER_VEC])e->wide)[k]);
    else
        acc_add16(x, e->v[k]);
}

/* Tokens whose stem-pair rows are looked up together (see below). */
#define PAIR_BLOCK 32

/* The label-independent part of every token's score, both passes. */
static void
static_sums(const kh_ner_model *m, ner_tok *tok, size_t n)
{
    /* The stem pairs (-1, 0) and (0, +1) are each a look-up in the
     * weight table that the per-word sums cannot hold, and the table is
     * too big for the cache: a block's pair hashes come first, then their
     * bitmap words and rows are fetched ahead of use, so the misses of
     * many pairs overlap instead of each stalling the sum. */
    uint32_t ph[PAIR_BLOCK][2];
    bool has[PAIR_BLOCK][2]; /* no pair at a sentence's edge */
    const int16_t *pr[PAIR_BLOCK][2];
    for (size_t a = 0; a < n; a += PAIR_BLOCK) {
        size_t b = n - a < PAIR_BLOCK ? n : a + PAIR_BLOCK;
        for (size_t i = a; i < b; i++) {
            uint32_t sent = tok[i].sent, hs = tok[i].stem_hash;
            int first = i == 0 || tok[i - 1].sent != sent;
            int last = i + 1 == n || tok[i + 1].sent != sent;
            uint32_t *h = ph[i - a];
            has[i - a][0] = !first;
            has[i - a][1] = !last;
            h[0] = first ? 0 : kh__ner_pair_hash(tok[i - 1].stem_hash, hs, 0);
            h[1] = last ? 0 : kh__ner_pair_hash(hs, tok[i + 1].stem_hash, 1);
            for (int k = 0; k < 2; k++)
                __builtin_prefetch(&m->bits[(h[k] & m->mask) >> 6]);
        }
        for (size_t i = a; i < b; i++)
            for (int k = 0; k < 2; k++) {
                const int16_t *r =
                    has[i - a][k] ? kh__ner_row(m, ph[i - a][k]) : NULL;
                pr[i - a][k] = r;
                if (r != NULL)
                    __builtin_prefetch(r);
            }
        for (size_t i = a; i < b; i++) {
            ner_tok *t = &tok[i];
            uint32_t sent = t->sent;
            ner_acc x;
            acc_zero(&x);
            acc_entry(&x, t->g, 0);
            acc_entry(&x, t->e, 2);
            if (!has[i - a][1]) {
                acc_add32(&x, m->edge_both[1]);
            } else {
                acc_entry(&x, tok[i + 1].g, 1);
                acc_entry(&x, tok[i + 1].e, 3);
                if (i + 2 < n && tok[i + 2].sent == sent)
                    acc_entry(&x, tok[i + 2].e, 4);
            }
            if (!has[i - a][0]) {
                acc_add32(&x, m->edge_both[0]);
            } else {
                acc_entry(&x, tok[i - 1].e, 1);
                if (i >= 2 && tok[i - 2].sent == sent)
                    acc_entry(&x, tok[i - 2].e, 0);
            }
            for (int k = 0; k < 2; k++)
                if (pr[i - a][k] != NULL)
                    acc_add16(&x, (ner_row)pr[i - a][k]);
            acc_store(&x, t->s);
        }
    }
}

/* The best label from scores sc that hold m->prev[..][prev1], as
 * kh__ner_best() picks it (the first of the highest among the labels
 * that may follow prev1): m->prev bars a label that may not follow by
 * 2^30, more than any two scores can differ (a sum of at most a few
 * hundred 16-bit weights). */
static inline int
best_of(const int32_t *sc)
{
    int best = 0;
    for (int l = 1; l < KH_NER_N_LABELS; l++)
        best = sc[l] > sc[best] ? l : best;
    return best;
}

/* How many tokens ahead decoding fetches a word's label sums. */
#define LAB_AHEAD 8

/* Adds to every token's second-pass sums what the second pass reads of
 * the first (its own and its neighbours' first-pass labels and memory),
 * which does not change while the second pass decodes. */
static void
memory_sums(const kh_ner_model *m, ner_tok *tok, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ner_tok *t = &tok[i];
        uint32_t sent = t->sent;
        const int32_t *add[4];
        int na = 0;
        if (i > 0 && tok[i - 1].sent == sent)
            add[na++] = m->near[0][tok[i - 1].l1][tok[i - 1].mem];
        add[na++] = m->near[1][t->l1][t->mem];
        if (i + 1 < n && tok[i + 1].sent == sent)
            add[na++] = m->near[2][tok[i + 1].l1][tok[i + 1].mem];
        add[na++] = m->self[t->l1][t->mem][t->rare];
#if defined(__SSE2__)
        __m128i lo = _mm_loadu_si128((const __m128i *)t->s[1]);
        __m128i hi = _mm_loadu_si128((const __m128i *)(t->s[1] + 4));
        for (int k = 0; k < na; k++) {
            lo = _mm_add_epi32(lo, _mm_loadu_si128((const __m128i *)add[k]));
            hi = _mm_add_epi32(hi,
                               _mm_loadu_si128((const __m128i *)(add[k] + 4)));
        }
        _mm_storeu_si128((__m128i *)t->s[1], lo);
        _mm_storeu_si128((__m128i *)(t->s[1] + 4), hi);
#else
        for (int k = 0; k < na; k++)
            for (int l = 0; l < KH_NER_VEC; l++)
                t->s[1][l] += add[k][l];
#endif
    }
}

/* Greedy decoding with pass p (0 or 1), as decode_greedy() in ner.c;
 * for the second pass, memory_sums() has run.  m->prev holds the bar on
 * labels that may not follow the previous one (see best_of()). */
static void
decode(const kh_ner_model *m, int p, ner_tok *tok, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ner_tok *t = &tok[i];
        /* which row of a word's label sums a token needs depends on the
         * label just decided, so its pass's rows are fetched ahead */
        if (i + LAB_AHEAD < n && tok[i + LAB_AHEAD].lab != NULL &&
            !tok[i + LAB_AHEAD].lab_wide) {
            const char *f = (const char *)tok[i + LAB_AHEAD].lab +
                            (size_t)p * KH_NER_N_LABELS * KH_NER_VEC * 2;
            __builtin_prefetch(f);
            __builtin_prefetch(f + 64);
        }
        uint32_t sent = t->sent;
        int first = i == 0 || tok[i - 1].sent != sent;
        int p1 = first ? KH_NER_O : tok[i - 1].label;
        int p2 = first || i < 2 || tok[i - 2].sent != sent ? KH_NER_O
                                                           : tok[i - 2].label;
        const int32_t *pv = m->prev[p][p2][p1];
        /* the word's label sums after p1, in 16 or 32 bits */
        const int16_t *r16 = NULL;
        const int32_t *r32 = NULL;
        if (t->lab != NULL && t->lab_wide)
            r32 = (const int32_t *)t->lab +
                  ((size_t)p1 * 2 + (size_t)p) * KH_NER_VEC;
        else if (t->lab != NULL)
            r16 = (const int16_t *)t->lab +
                  ((size_t)p * KH_NER_N_LABELS + (size_t)p1) * KH_NER_VEC;
        int32_t sc[KH_NER_VEC];
#if defined(__SSE2__)
        __m128i lo = _mm_add_epi32(_mm_loadu_si128((const __m128i *)t->s[p]),
                                   _mm_loadu_si128((const __m128i *)pv));
        __m128i hi =
            _mm_add_epi32(_mm_loadu_si128((const __m128i *)(t->s[p] + 4)),
                          _mm_loadu_si128((const __m128i *)(pv + 4)));
        if (r32 != NULL) {
            lo = _mm_add_epi32(lo, _mm_loadu_si128((const __m128i *)r32));
            hi = _mm_add_epi32(hi, _mm_loadu_si128((const __m128i *)(r32 + 4)));
        } else if (r16 != NULL) {
            __m128i wl, wh;
            widen16(_mm_loadu_si128((const __m128i *)r16), &wl, &wh);
            lo = _mm_add_epi32(lo, wl);
            hi = _mm_add_epi32(hi, wh);
        }
        _mm_storeu_si128((__m128i *)sc, lo);
        _mm_storeu_si128((__m128i *)(sc + 4), hi);
#else
        for (int l = 0; l < KH_NER_VEC; l++)
            sc[l] = t->s[p][l] + pv[l] +
                    (r32 != NULL ? r32[l]
                     : r16 != NULL ? r16[l]
                                   : 0);
#endif
        t->label = (uint8_t)best_of(sc);
    }
}

/* The document memory of every token, as kh__ner_memory() makes it over
 * the whole text: the first-pass labels its bare form got elsewhere. */
static kh_status
memory(ner_tok *tok, size_t n)
{
    size_t cap = 16;
    while (cap < n * 2)
        cap *= 2;
    /* open addressing by bare form: the entry that brought it and the
     * counts per label, 255 at most */
    const ner_entry **key = kh_malloc(cap * sizeof *key);
    uint8_t(*cnt)[KH_NER_VEC] = kh_malloc(cap * sizeof *cnt);
    uint32_t *slot = kh_malloc(n * sizeof *slot + 1);
    if (key == NULL || cnt == NULL || slot == NULL) {
        kh_free(key);
        kh_free(cnt);
        kh_free(slot);
        return KH_ENOMEM;
    }
    memset(key, 0, cap * sizeof *key);
    for (size_t i = 0; i < n; i++) {
        int l = tok[i].label;
        tok[i].l1 = (uint8_t)l;
        tok[i].mem = 0;
        if (!tok[i].memok)
            continue;
        const ner_entry *e = tok[i].e;
        const char *b = e->key + e->bare_off;
        size_t k = tok[i].bare_hash & (cap - 1);
        while (key[k] != NULL && key[k] != e &&
               (key[k]->bare_len != e->bare_len ||
                memcmp(key[k]->key + key[k]->bare_off, b, e->bare_len) != 0))
            k = (k + 1) & (cap - 1);
        if (key[k] == NULL) {
            key[k] = e;
            memset(cnt[k], 0, sizeof cnt[k]);
        }
        if (cnt[k][l] < 255)
            cnt[k][l]++;
        slot[i] = (uint32_t)k;
    }
    for (size_t i = 0; i < n; i++) {
        if (!tok[i].memok)
            continue;
        const uint8_t *c = cnt[slot[i]];
        unsigned mem = 0;
        for (int l = 0; l < KH_NER_N_LABELS; l++) {
            unsigned k = c[l];
            if (l == tok[i].l1 && k < 255)
                k--; /* not itself */
            if (k > 0)
                mem |= 1u << l;
        }
        tok[i].mem = (uint8_t)mem;
    }
    kh_free(key);
    kh_free(cnt);
    kh_free(slot);
    return KH_OK;
}

/* Tokenizes and labels text into c (released by the caller). */
static kh_status
tag_call(const kh_ner_model *m, const char *text, size_t len, ner_call *c)
{
    memset(c, 0, sizeof *c);
    kh_status rc = tokenize(c, text, len);
    if (rc != KH_OK || c->n == 0)
        return rc;
    rc = find_entries(m, c);
    if (rc != KH_OK)
        return rc;
    static_sums(m, c->tok, c->n);
    decode(m, 0, c->tok, c->n);
    if (m->passes < 2)
        return KH_OK;
    rc = memory(c->tok, c->n);
    if (rc == KH_OK) {
        memory_sums(m, c->tok, c->n);
        decode(m, 1, c->tok, c->n);
    }
    return rc;
}

kh_status
kh__ner_fast_labels(const kh_ner_model *m, const char *text, size_t len,
                    int **labels, size_t *n)
{
    *labels = NULL;
    *n = 0;
    ner_call c;
    kh_status rc = tag_call(m, text, len, &c);
    if (rc == KH_OK && c.n > 0) {
        *labels = kh_malloc(c.n * sizeof **labels);
        if (*labels == NULL) {
            rc = KH_ENOMEM;
        } else {
            for (size_t i = 0; i < c.n; i++)
                (*labels)[i] = c.tok[i].label;
            *n = c.n;
        }
    }
    call_release(&c);
    return rc;
}

/* Appends the entity over tokens [a, b) to *spans. */
static kh_status
push_span(const ner_call *c, size_t a, size_t b, kh_ner_type type,
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
    size_t len = b - a - 1;
    for (size_t k = a; k < b; k++)
        len += c->tok[k].norm_len;
    char *s = kh_malloc(len + 1);
    if (s == NULL)
        return KH_ENOMEM;
    char *p = s;
    for (size_t k = a; k < b; k++) {
        if (k > a)
            *p++ = ' ';
        memcpy(p, c->bytes + c->tok[k].norm_off, c->tok[k].norm_len);
        p += c->tok[k].norm_len;
    }
    *p = '\0';
    kh_ner_span *sp = &(*spans)[(*n)++];
    sp->start = c->tok[a].start;
    sp->end = c->tok[b - 1].end;
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
    ner_call c;
    size_t cap = 0;
    kh_status rc = tag_call(m, text, len, &c);
    for (size_t i = 0; rc == KH_OK && i < c.n;) {
        int l = c.tok[i].label;
        if (l == KH_NER_O) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < c.n && c.tok[j].sent == c.tok[i].sent &&
               c.tok[j].label == l + (KH_NER_IS_B(l) ? 1 : 0))
            j++;
        rc = push_span(&c, i, j, KH_NER_TYPE_OF(l), spans, n_spans, &cap);
        i = j;
    }
    call_release(&c);
    if (rc != KH_OK) {
        kh__ner_spans_free(*spans, *n_spans);
        *spans = NULL;
        *n_spans = 0;
    }
    return rc;
}
