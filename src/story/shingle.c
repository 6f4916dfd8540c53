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

/* The 64-bit finalizer of MurmurHash3 (public domain): a bijection that
 * spreads every input bit over the output. */
static inline uint64_t
fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

static inline uint64_t
word_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return fmix64(h);
}

/* Quicksort with the comparison inline: qsort's calls were a tenth of
 * the detector's time.  Random hashes make the middle pivot safe enough;
 * the recursion goes to the smaller side. */
static void
sort_u32(uint32_t *v, size_t n)
{
    while (n > 16) {
        uint32_t pivot = v[n / 2];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint32_t t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        if (j + 1 < n - j - 1) {
            sort_u32(v, j + 1);
            v += j + 1;
            n -= j + 1;
        } else {
            sort_u32(v + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t k = i;
        for (; k > 0 && v[k - 1] > x; k--)
            v[k] = v[k - 1];
        v[k] = x;
    }
}

static void
sort_unique(kh_u32vec *a)
{
    if (a->n > 1) {
        sort_u32(a->v, a->n);
        size_t w = 1;
        for (size_t i = 1; i < a->n; i++)
            if (a->v[i] != a->v[w - 1])
                a->v[w++] = a->v[i];
        a->n = w;
    }
}

/* The words of text through an: shingle hashes to shingles (may be NULL)
 * and, when words is not NULL, each content word's hash times copies. */
static kh_status
scan(kh_analyzer *an, const char *text, kh_u32vec *shingles, kh_u32vec *words,
     int copies)
{
    if (text == NULL)
        return KH_OK;
    kh_analyzer_reset(an, text, strlen(text));
    uint64_t win[KH_SHINGLE_WORDS];
    size_t seen = 0;
    kh_token t;
    while (kh_analyzer_next(an, &t)) {
        uint64_t wh = word_hash(t.norm, t.norm_len);
        if (words != NULL && !(t.flags & KH_TOKEN_STOP) &&
            t.kind != KH_TOKEN_NUMBER) {
            uint32_t h = (uint32_t)(wh >> 32);
            for (int c = 0; c < copies; c++)
                if (push(words, h != 0 ? h : 1) != KH_OK)
                    return KH_ENOMEM;
        }
        if (shingles == NULL)
            continue;
        win[seen % KH_SHINGLE_WORDS] = wh;
        seen++;
        if (seen < KH_SHINGLE_WORDS)
            continue;
        /* order matters: "a b c d e" and "e d c b a" differ */
        uint64_t h = 0;
        for (size_t k = seen - KH_SHINGLE_WORDS; k < seen; k++)
            h = fmix64(h ^ win[k % KH_SHINGLE_WORDS]);
        if (push(shingles, (uint32_t)(h >> 32)) != KH_OK)
            return KH_ENOMEM;
    }
    return KH_OK;
}

kh_status
kh__shingles(kh_analyzer *an, const char *text, kh_u32vec *out)
{
    out->n = 0;
    kh_status rc = scan(an, text, out, NULL, 0);
    if (rc == KH_OK)
        sort_unique(out);
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
kh__termbag_fill(kh_analyzer *an, const char *title, const char *body,
                 kh_u32vec *shingles, kh_termbag *bag)
{
    bag->n = 0;
    bag->scratch.n = 0;
    if (shingles != NULL)
        shingles->n = 0;
    kh_status rc = scan(an, title, NULL, &bag->scratch, 1);
    bag->title.n = 0;
    for (size_t i = 0; i < bag->scratch.n && rc == KH_OK; i++)
        rc = push(&bag->title, bag->scratch.v[i]);
    sort_unique(&bag->title);
    /* title words count three times */
    size_t title_words = bag->scratch.n;
    for (size_t k = 0; k < 2 && rc == KH_OK; k++)
        for (size_t i = 0; i < title_words && rc == KH_OK; i++)
            rc = push(&bag->scratch, bag->scratch.v[i]);
    title_words = bag->scratch.n;
    if (rc == KH_OK)
        rc = scan(an, body, shingles, &bag->scratch, 1);
    if (rc != KH_OK)
        return rc;
    bag->body_words = bag->scratch.n - title_words;
    if (shingles != NULL)
        sort_unique(shingles);
    kh_u32vec *w = &bag->scratch;
    sort_u32(w->v, w->n);
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
        uint64_t h = fmix64(set[i] ^ 0x9e3779b97f4a7c15ull);
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
            h = fmix64(h ^ ((uint64_t)sig[b * ROWS + r] << 7));
        keys[b] = (uint32_t)(h >> 32);
    }
}
