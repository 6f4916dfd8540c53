/*
 * xlit_learn.c -- learning the letter-group model of names across scripts.
 *
 * A Latin spelling and an Arabic spelling of one name are cut, left to
 * right, into the same number of groups, and group k of one is the
 * spelling of group k of the other: "mannerheim" and مانرهايم as m|a|nn|e|
 * r|h|ei|m against م|ا|ن||ر|ه|اي|م.  A group has 0..3 Latin and 0..2 Arabic
 * letters, not both empty, and an Arabic-only group has one letter.  The
 * model is the joint probability of each group pair, the probability of a
 * cut the product over its groups (a many-to-many alignment in the manner
 * of Jiampojamarn, Kondrak and Sherif, 2007).
 *
 * EM: start from every group pair that occurs in some cut of some training
 * pair, counted once per occurrence; then repeat: expected counts of each
 * group pair over all cuts (forward-backward), normalized.  Pairs with a
 * tiny expected count are dropped between rounds, which also drops the
 * training pairs that are not transliterations (a name and its Arabic
 * translation, say): they stop having any cut.
 *
 * A leading ال that the Latin side does not begin with (Latin starts with
 * neither a nor e) is taken off before training; how often that happens is
 * the p_al of the table.
 */
#include "extract/xlit.h"

#include <stdio.h>
#include <string.h>

#define KEEP_COUNT  0.05 /* expected count under which a pair is dropped */
#define LATIN_A     1
#define LATIN_E     5
#define ARABIC_ALEF 7
#define ARABIC_LAM  30

typedef struct pmap {
    uint32_t *keys; /* code + 1; 0 empty */
    double *vals;
    size_t cap, count;
} pmap;

/* Not kh__fmix32: training sums in slot order, so another hash changes
 * the last digits of the learned table (xlit_table.c is reproduced byte
 * for byte with this one). */
static uint32_t
hash_u32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

static void
pmap_release(pmap *m)
{
    kh_free(m->keys);
    kh_free(m->vals);
    memset(m, 0, sizeof *m);
}

static kh_status
pmap_init(pmap *m, size_t cap)
{
    m->cap = cap;
    m->count = 0;
    m->keys = kh_malloc(cap * sizeof *m->keys);
    m->vals = kh_malloc(cap * sizeof *m->vals);
    if (m->keys == NULL || m->vals == NULL) {
        pmap_release(m);
        return KH_ENOMEM;
    }
    memset(m->keys, 0, cap * sizeof *m->keys);
    return KH_OK;
}

static double *
pmap_slot(pmap *m, uint32_t code, bool add)
{
    uint32_t key = code + 1;
    size_t mask = m->cap - 1, h = hash_u32(key) & mask;
    while (m->keys[h] != 0) {
        if (m->keys[h] == key)
            return &m->vals[h];
        h = (h + 1) & mask;
    }
    if (!add)
        return NULL;
    if ((m->count + 1) * 2 > m->cap) {
        pmap big;
        if (pmap_init(&big, m->cap * 2) != KH_OK)
            return NULL;
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i] != 0)
                *pmap_slot(&big, m->keys[i] - 1, true) = m->vals[i];
        pmap_release(m);
        *m = big;
        return pmap_slot(m, code, true);
    }
    m->keys[h] = key;
    m->vals[h] = 0.0;
    m->count++;
    return &m->vals[h];
}

static uint32_t
group_code(const uint8_t *s, size_t n, uint32_t base)
{
    uint32_t c = 0;
    for (size_t k = 0; k < n; k++)
        c = c * base + s[k];
    return c;
}

static inline bool
edge_ok(size_t dl, size_t da)
{
    return dl + da > 0 && !(dl == 0 && da > 1);
}

static inline uint32_t
edge_code(const kh_xlit_name *l, size_t i, size_t dl, const kh_xlit_name *a,
          size_t j, size_t da)
{
    uint32_t ar_codes = KH_XLIT_ARABIC_BASE * KH_XLIT_ARABIC_BASE;
    return group_code(l->s + i, dl, KH_XLIT_LATIN_BASE) * ar_codes +
           group_code(a->s + j, da, KH_XLIT_ARABIC_BASE);
}

#define N1 (KH_XLIT_MAX_LETTERS + 3)

/* One training pair: forward, backward, and the expected count of each
 * group pair added to cnt.  prob NULL: every edge counts 1 (the start). */
static kh_status
accumulate(const pmap *prob, const kh_xlit_name *l, const kh_xlit_name *a,
           pmap *cnt)
{
    static _Thread_local double alpha[N1][N1], beta[N1][N1];
    size_t nl = l->n, na = a->n;
    for (size_t i = 0; i <= nl; i++)
        for (size_t j = 0; j <= na; j++)
            alpha[i][j] = beta[i][j] = 0.0;
    alpha[0][0] = 1.0;
    beta[nl][na] = 1.0;
    if (prob != NULL) {
        for (size_t i = 0; i <= nl; i++)
            for (size_t j = 0; j <= na; j++) {
                if (alpha[i][j] == 0.0)
                    continue;
                for (size_t dl = 0; dl <= KH_XLIT_MAX_LAT && i + dl <= nl; dl++)
                    for (size_t da = 0; da <= KH_XLIT_MAX_AR && j + da <= na;
                         da++) {
                        if (!edge_ok(dl, da))
                            continue;
                        double *p = pmap_slot(
                            (pmap *)prob, edge_code(l, i, dl, a, j, da), false);
                        if (p != NULL)
                            alpha[i + dl][j + da] += alpha[i][j] * *p;
                    }
            }
        if (alpha[nl][na] <= 0.0)
            return KH_OK; /* no cut left: not a transliteration */
        for (size_t i = nl + 1; i-- > 0;)
            for (size_t j = na + 1; j-- > 0;) {
                double s = beta[i][j];
                for (size_t dl = 0; dl <= KH_XLIT_MAX_LAT && i + dl <= nl; dl++)
                    for (size_t da = 0; da <= KH_XLIT_MAX_AR && j + da <= na;
                         da++) {
                        if (!edge_ok(dl, da))
                            continue;
                        double *p = pmap_slot(
                            (pmap *)prob, edge_code(l, i, dl, a, j, da), false);
                        if (p != NULL)
                            s += *p * beta[i + dl][j + da];
                    }
                beta[i][j] = s;
            }
    }
    double z = prob != NULL ? alpha[nl][na] : 1.0;
    for (size_t i = 0; i <= nl; i++)
        for (size_t j = 0; j <= na; j++) {
            if (prob != NULL && alpha[i][j] == 0.0)
                continue;
            for (size_t dl = 0; dl <= KH_XLIT_MAX_LAT && i + dl <= nl; dl++)
                for (size_t da = 0; da <= KH_XLIT_MAX_AR && j + da <= na;
                     da++) {
                    if (!edge_ok(dl, da))
                        continue;
                    uint32_t code = edge_code(l, i, dl, a, j, da);
                    double c = 1.0;
                    if (prob != NULL) {
                        double *p = pmap_slot((pmap *)prob, code, false);
                        if (p == NULL)
                            continue;
                        c = alpha[i][j] * *p * beta[i + dl][j + da] / z;
                        if (c < 1e-9)
                            continue;
                    }
                    double *slot = pmap_slot(cnt, code, true);
                    if (slot == NULL)
                        return KH_ENOMEM;
                    *slot += c;
                }
        }
    return KH_OK;
}

/* Counts to probabilities, dropping counts under keep. */
static kh_status
normalize(const pmap *cnt, double keep, pmap *prob)
{
    double total = 0.0;
    for (size_t i = 0; i < cnt->cap; i++)
        if (cnt->keys[i] != 0 && cnt->vals[i] >= keep)
            total += cnt->vals[i];
    kh_status rc = pmap_init(prob, 1024);
    for (size_t i = 0; rc == KH_OK && i < cnt->cap; i++)
        if (cnt->keys[i] != 0 && cnt->vals[i] >= keep) {
            double *p = pmap_slot(prob, cnt->keys[i] - 1, true);
            if (p == NULL)
                rc = KH_ENOMEM;
            else
                *p = cnt->vals[i] / total;
        }
    return rc;
}

/* A group code back to UTF-8. */
static void
group_text(uint32_t code, uint32_t base, bool arabic, char *out)
{
    unsigned ids[4];
    size_t n = 0;
    while (code != 0 && n < 4) {
        ids[n++] = code % base;
        code /= base;
    }
    out[0] = '\0';
    while (n-- > 0)
        strcat(out, arabic ? kh__xlit_arabic_letter(ids[n])
                           : kh__xlit_latin_letter(ids[n]));
}

typedef struct out_pair {
    char lat[16], ar[16];
    double p;
} out_pair;

static int
cmp_out(const void *x, const void *y)
{
    const out_pair *a = x, *b = y;
    int c = strcmp(a->lat, b->lat);
    if (c != 0)
        return c;
    return a->p > b->p ? -1 : a->p < b->p;
}

static kh_status
write_model(const pmap *prob, double p_al, const char *c_out,
            const char *tsv_out)
{
    uint32_t ar_codes = KH_XLIT_ARABIC_BASE * KH_XLIT_ARABIC_BASE;
    out_pair *v = kh_malloc((prob->count + 1) * sizeof *v);
    size_t n = 0;
    if (v == NULL)
        return KH_ENOMEM;
    for (size_t i = 0; i < prob->cap; i++) {
        if (prob->keys[i] == 0)
            continue;
        uint32_t code = prob->keys[i] - 1;
        group_text(code / ar_codes, KH_XLIT_LATIN_BASE, false, v[n].lat);
        group_text(code % ar_codes, KH_XLIT_ARABIC_BASE, true, v[n].ar);
        v[n].p = prob->vals[i];
        n++;
    }
    kh__qsort(v, n, sizeof *v, cmp_out);
    kh_status rc = KH_OK;
    if (tsv_out != NULL) {
        FILE *f = fopen(tsv_out, "w");
        if (f == NULL) {
            rc = KH_EIO;
        } else {
            fprintf(f, "# Letter-group pairs of names, Latin / Arabic, and "
                       "their joint probability.\n"
                       "# Learned by EM (src/extract/xlit_learn.c) from "
                       "Wikidata names (CC0 1.0);\n"
                       "# this table is CC0 as well.  "
                       "Written by bench/eval_xlit train.\n");
            fprintf(f, "%%p_al\t%.6g\n", p_al);
            for (size_t i = 0; i < n; i++)
                fprintf(f, "%s\t%s\t%.6g\n", v[i].lat, v[i].ar, v[i].p);
            if (fclose(f) != 0)
                rc = KH_EIO;
        }
    }
    if (rc == KH_OK && c_out != NULL) {
        FILE *f = fopen(c_out, "w");
        if (f == NULL) {
            rc = KH_EIO;
        } else {
            fprintf(f, "/*\n * xlit_table.c -- the learned letter-group model "
                       "of names across scripts.\n *\n"
                       " * Generated by `bench/eval_xlit train` "
                       "(src/extract/xlit_learn.c): do not\n"
                       " * edit.  Learned from Wikidata person names "
                       "(wikidata-en-ar/train.tsv,\n"
                       " * CC0 1.0); the table is CC0 as well.  Each line: "
                       "Latin group, Arabic\n * group, joint probability.\n"
                       " */\n#include \"extract/xlit.h\"\n\n"
                       "/* clang-format off */\n"
                       "const kh_xlit_pair kh__xlit_pairs[] = {\n");
            for (size_t i = 0; i < n; i++)
                fprintf(f, "    {\"%s\", \"%s\", %.5gf},\n", v[i].lat, v[i].ar,
                        v[i].p);
            if (n == 0)
                fprintf(f, "    {\"\", \"\", 0.0f},\n");
            fprintf(f,
                    "};\n/* clang-format on */\n\n"
                    "const size_t kh__xlit_n_pairs = %zu;\n"
                    "const double kh__xlit_p_al = %.6g;\n",
                    n, p_al);
            if (fclose(f) != 0)
                rc = KH_EIO;
        }
    }
    kh_free(v);
    return rc;
}

kh_status
kh__xlit_train(const kh_xlit_name *lat, const kh_xlit_name *ar, size_t n,
               int iters, const char *c_out, const char *tsv_out)
{
    kh_xlit_name *a2 = kh_malloc((n + 1) * sizeof *a2);
    kh_xlit_name *l2 = kh_malloc((n + 1) * sizeof *l2);
    pmap prob = {0}, cnt = {0};
    size_t n_al = 0;
    if (a2 == NULL || l2 == NULL) {
        kh_free(a2);
        kh_free(l2);
        return KH_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        a2[i] = ar[i];
        l2[i] = lat[i];
        if (lat[i].n > 0)
            l2[i].n = (uint8_t)kh__xlit_frame(&lat[i], l2[i].s);
        if (ar[i].n > 3 && ar[i].s[0] == ARABIC_ALEF &&
            ar[i].s[1] == ARABIC_LAM && lat[i].n > 0 &&
            lat[i].s[0] != LATIN_A && lat[i].s[0] != LATIN_E) {
            memmove(a2[i].s, a2[i].s + 2, (size_t)a2[i].n - 2);
            a2[i].n = (uint8_t)(a2[i].n - 2);
            n_al++;
        }
    }
    double p_al = n > 0 ? (double)(n_al + 1) / (double)(n + 1) : 0.01;
    kh_status rc = pmap_init(&cnt, 1 << 16);
    for (size_t i = 0; rc == KH_OK && i < n; i++)
        if (lat[i].n > 0 && a2[i].n > 0)
            rc = accumulate(NULL, &l2[i], &a2[i], &cnt);
    if (rc == KH_OK)
        rc = normalize(&cnt, 0.0, &prob);
    for (int it = 0; rc == KH_OK && it < iters; it++) {
        pmap_release(&cnt);
        rc = pmap_init(&cnt, 1 << 16);
        for (size_t i = 0; rc == KH_OK && i < n; i++)
            if (lat[i].n > 0 && a2[i].n > 0)
                rc = accumulate(&prob, &l2[i], &a2[i], &cnt);
        if (rc == KH_OK) {
            pmap_release(&prob);
            rc = normalize(&cnt, KEEP_COUNT, &prob);
        }
    }
    if (rc == KH_OK)
        rc = write_model(&prob, p_al, c_out, tsv_out);
    pmap_release(&prob);
    pmap_release(&cnt);
    kh_free(a2);
    kh_free(l2);
    return rc;
}
