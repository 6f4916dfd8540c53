/*
 * shingle.c -- what two texts share: word 5-gram shingle sets, their
 * exact Jaccard similarity, and MinHash band keys to find candidates.
 *
 * Words are the analyzer's normalized forms, stop words included: wire
 * copies differ by a headline, a dateline, a paragraph, the site's
 * furniture, rarely inside sentences, and five-word windows over every
 * word tell a copy (Jaccard 0.8 and up) from two texts on one subject.
 *
 * The signature is one-permutation hashing (Li, Owen and Zhang, 2012):
 * every shingle is hashed once and lands in one of KH_SIG_BINS bins, the
 * bin keeping its minimum; empty bins take the value of the next full bin
 * (rotation densification, Shrivastava and Li, 2014).  That costs one hash
 * per shingle instead of one per shingle and bin.
 */
#include "story/story.h"
#include "text/text.h"

#include <stdlib.h>
#include <string.h>

void
kh__u32vec_release(kh_u32vec *a)
{
    kh_free(a->v);
    memset(a, 0, sizeof *a);
}

static kh_status
push(kh_u32vec *a, uint32_t x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 512;
        uint32_t *nv = kh_realloc(a->v, cap * sizeof *nv);
        if (nv == NULL)
            return KH_ENOMEM;
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return KH_OK;
}

static inline uint64_t
word_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return kh__fmix64(h);
}

#define SORT_BITS 10 /* most buckets of sort_u32() */

/* Sorts v[0..n) with tmp[0..n) as room.  The values are hashes, spread
 * evenly: one counting pass puts them in about n buckets by their top
 * bits (at most 2^SORT_BITS), in bucket order, and an insertion sort,
 * which then moves each value only past the few of its bucket, finishes.
 * That is linear and mispredicts little, where a quicksort of a few
 * hundred hashes mispredicts about half of its comparisons. */
static void
sort_u32(uint32_t *v, uint32_t *tmp, size_t n)
{
    uint32_t *to = v;
    if (n > 48) {
        unsigned bits = 8;
        while (bits < SORT_BITS && ((size_t)1 << bits) < n)
            bits++;
        unsigned shift = 32 - bits;
        size_t buckets = (size_t)1 << bits;
        size_t at[((size_t)1 << SORT_BITS) + 1];
        memset(at, 0, (buckets + 1) * sizeof *at);
        for (size_t i = 0; i < n; i++)
            at[(v[i] >> shift) + 1]++;
        for (size_t b = 1; b < buckets; b++)
            at[b] += at[b - 1];
        for (size_t i = 0; i < n; i++)
            tmp[at[v[i] >> shift]++] = v[i];
        to = tmp;
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = to[i];
        size_t k = i;
        for (; k > 0 && to[k - 1] > x; k--)
            to[k] = to[k - 1];
        to[k] = x;
    }
    if (to != v)
        memcpy(v, to, n * sizeof *v);
}

/* Sorts a; the room the sort needs is a's own tail. */
static kh_status
sort_vec(kh_u32vec *a)
{
    if (a->n > 1 && a->cap < 2 * a->n) {
        uint32_t *nv = kh_realloc(a->v, 2 * a->n * sizeof *nv);
        if (nv == NULL)
            return KH_ENOMEM;
        a->v = nv;
        a->cap = 2 * a->n;
    }
    sort_u32(a->v, a->v + a->n, a->n);
    return KH_OK;
}

static kh_status
sort_unique(kh_u32vec *a)
{
    kh_status rc = sort_vec(a);
    if (rc == KH_OK && a->n > 1) {
        size_t w = 1;
        for (size_t i = 1; i < a->n; i++)
            if (a->v[i] != a->v[w - 1])
                a->v[w++] = a->v[i];
        a->n = w;
    }
    return rc;
}

/* Room for n more values in a. */
static kh_status
reserve(kh_u32vec *a, size_t n)
{
    if (a->cap - a->n >= n)
        return KH_OK;
    size_t cap = a->cap ? a->cap : 512;
    while (cap - a->n < n)
        cap *= 2;
    uint32_t *nv = kh_realloc(a->v, cap * sizeof *nv);
    if (nv == NULL)
        return KH_ENOMEM;
    a->v = nv;
    a->cap = cap;
    return KH_OK;
}

#define RUN 256 /* words whose shingles are hashed together */

/* Appends the hashes of the n - KH_SHINGLE_WORDS + 1 windows of the word
 * hashes w[0..n) to out.  The windows are independent chains of
 * multiplications: hashed in one loop, several are in flight at once. */
static kh_status
hash_windows(const uint64_t *w, size_t n, kh_u32vec *out)
{
    if (n < KH_SHINGLE_WORDS)
        return KH_OK;
    size_t windows = n - KH_SHINGLE_WORDS + 1;
    if (reserve(out, windows) != KH_OK)
        return KH_ENOMEM;
    uint32_t *to = out->v + out->n;
    for (size_t i = 0; i < windows; i++) {
        /* order matters: "a b c d e" and "e d c b a" differ */
        uint64_t h = 0;
        for (size_t k = 0; k < KH_SHINGLE_WORDS; k++)
            h = kh__fmix64(h ^ w[i + k]);
        to[i] = (uint32_t)(h >> 32);
    }
    out->n += windows;
    return KH_OK;
}

/* The words of text: shingle hashes to shingles (may be NULL) and, when
 * words is not NULL, each content word's hash.  The tokens are those of
 * an analyzer with no stemmer that keeps stop words (kh_analyzer_next()
 * adds only the stop-word flag, and only words asks for it), read from
 * the tokenizer itself. */
static kh_status
scan(const char *text, kh_u32vec *shingles, kh_u32vec *words)
{
    if (text == NULL)
        return KH_OK;
    kh_tokenizer tok;
    kh__tokenizer_reset(&tok, text, strlen(text));
    /* the word hashes not yet in a window hashed, after the last
     * KH_SHINGLE_WORDS - 1 already hashed */
    uint64_t run[RUN + KH_SHINGLE_WORDS - 1];
    size_t n_run = 0;
    kh_raw_token t;
    while (kh__tokenizer_next(&tok, &t)) {
        uint64_t wh = word_hash(t.norm, t.norm_len);
        if (words != NULL && t.kind != KH_TOKEN_NUMBER &&
            !((t.kind == KH_TOKEN_ARABIC || t.kind == KH_TOKEN_LATIN) &&
              kh__is_stopword(t.norm, t.norm_len))) {
            uint32_t h = (uint32_t)(wh >> 32);
            if (push(words, h != 0 ? h : 1) != KH_OK)
                return KH_ENOMEM;
        }
        if (shingles == NULL)
            continue;
        run[n_run++] = wh;
        if (n_run == sizeof run / sizeof run[0]) {
            if (hash_windows(run, n_run, shingles) != KH_OK)
                return KH_ENOMEM;
            memmove(run, run + RUN, (KH_SHINGLE_WORDS - 1) * sizeof *run);
            n_run = KH_SHINGLE_WORDS - 1;
        }
    }
    if (shingles != NULL && hash_windows(run, n_run, shingles) != KH_OK)
        return KH_ENOMEM;
    return KH_OK;
}

kh_status
kh__shingles(const char *text, kh_u32vec *out)
{
    out->n = 0;
    kh_status rc = scan(text, out, NULL);
    if (rc == KH_OK)
        rc = sort_unique(out);
    return rc;
}

void
kh__termbag_release(kh_termbag *b)
{
    kh_free(b->v);
    kh__u32vec_release(&b->scratch);
    kh__u32vec_release(&b->title);
    memset(b, 0, sizeof *b);
}

kh_status
kh__termbag_fill(const char *title, const char *body, kh_u32vec *shingles,
                 kh_termbag *bag)
{
    bag->n = 0;
    bag->scratch.n = 0;
    if (shingles != NULL)
        shingles->n = 0;
    kh_status rc = scan(title, NULL, &bag->scratch);
    bag->title.n = 0;
    for (size_t i = 0; i < bag->scratch.n && rc == KH_OK; i++)
        rc = push(&bag->title, bag->scratch.v[i]);
    if (rc == KH_OK)
        rc = sort_unique(&bag->title);
    /* title words count three times */
    size_t title_words = bag->scratch.n;
    for (size_t k = 0; k < 2 && rc == KH_OK; k++)
        for (size_t i = 0; i < title_words && rc == KH_OK; i++)
            rc = push(&bag->scratch, bag->scratch.v[i]);
    title_words = bag->scratch.n;
    if (rc == KH_OK)
        rc = scan(body, shingles, &bag->scratch);
    if (rc == KH_OK && shingles != NULL)
        rc = sort_unique(shingles);
    kh_u32vec *w = &bag->scratch;
    if (rc == KH_OK)
        rc = sort_vec(w);
    if (rc != KH_OK)
        return rc;
    bag->body_words = w->n - title_words;
    for (size_t i = 0; i < w->n;) {
        size_t j = i;
        while (j < w->n && w->v[j] == w->v[i])
            j++;
        if (bag->n == bag->cap) {
            size_t cap = bag->cap ? bag->cap * 2 : 256;
            kh_term *nv = kh_realloc(bag->v, cap * sizeof *nv);
            if (nv == NULL)
                return KH_ENOMEM;
            bag->v = nv;
            bag->cap = cap;
        }
        bag->v[bag->n++] = (kh_term){w->v[i], (float)(j - i)};
        i = j;
    }
    return KH_OK;
}

double
kh__jaccard(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    if (na == 0 && nb == 0)
        return 0;
    size_t i = 0, j = 0, both = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j])
            i++;
        else if (a[i] > b[j])
            j++;
        else {
            both++;
            i++;
            j++;
        }
    }
    return (double)both / (double)(na + nb - both);
}

void
kh__band_keys(const uint32_t *set, size_t n, uint32_t keys[KH_LSH_BANDS])
{
    uint32_t sig[KH_SIG_BINS];
    bool full[KH_SIG_BINS];
    memset(full, 0, sizeof full);
    for (size_t i = 0; i < KH_SIG_BINS; i++)
        sig[i] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = kh__fmix64(set[i] ^ 0x9e3779b97f4a7c15ull);
        size_t bin = (size_t)(h >> 58); /* 64 bins */
        uint32_t v = (uint32_t)h;
        if (!full[bin] || v < sig[bin])
            sig[bin] = v;
        full[bin] = true;
    }
    if (n > 0) {
        uint32_t dense[KH_SIG_BINS];
        for (size_t i = 0; i < KH_SIG_BINS; i++) {
            size_t d = 0;
            while (!full[(i + d) % KH_SIG_BINS])
                d++;
            /* the offset keeps two borrowed values from always agreeing */
            dense[i] = sig[(i + d) % KH_SIG_BINS] + (uint32_t)d * 0x9e3779b9u;
        }
        memcpy(sig, dense, sizeof sig);
    }
    enum { ROWS = KH_SIG_BINS / KH_LSH_BANDS };
    for (size_t b = 0; b < KH_LSH_BANDS; b++) {
        uint64_t h = b + 1;
        for (size_t r = 0; r < ROWS; r++)
            h = kh__fmix64(h ^ ((uint64_t)sig[b * ROWS + r] << 7));
        keys[b] = (uint32_t)(h >> 32);
    }
}
