/*
 * bench_percolate.c -- matching new articles against saved queries: the
 * index of queries (src/alert/percolate.c) beside the naive way, every
 * query checked against every article, in one run.
 *
 *   build/bench/bench_percolate INDEXDIR CORPUS.jsonl [ARTICLES] [NAIVE]
 *
 * Saved queries are made from real headlines of CORPUS (JSONL with title
 * and body, e.g. bench/out/news.jsonl): two or three of a headline's
 * words (not stop words), one in ten as a quoted phrase of two adjacent
 * words, one in ten with a source: filter.  The last ARTICLES (default
 * 2,000) articles of the corpus are the new ones; queries come from the
 * others.  For 1k, 10k and 100k queries it prints the articles matched per
 * second both ways (the naive way on the first NAIVE articles, default
 * 200, as it is slow), the ratio, and checks that both ways found the same
 * matches.  INDEXDIR (the same corpus indexed) gives the document
 * frequencies that pick each query's anchor.  Both ways use the same
 * analyzed article and the same matcher; only the choice of queries to
 * check differs.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "alert/alert.h"
#include "index/index.h"

typedef struct art {
    char *title, *body, *source;
} art;

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static art *
load(const char *path, size_t *n)
{
    gzFile f = gzopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    size_t cap = 1024;
    art *a = malloc(cap * sizeof *a);
    *n = 0;
    static char line[1 << 20];
    while (gzgets(f, line, sizeof line) != NULL) {
        json_t *o = json_loads(line, 0, NULL);
        const char *t = json_string_value(json_object_get(o, "title"));
        const char *b = json_string_value(json_object_get(o, "body"));
        const char *s = json_string_value(json_object_get(o, "source"));
        if (t != NULL && b != NULL) {
            if (*n == cap) {
                cap *= 2;
                a = realloc(a, cap * sizeof *a);
            }
            a[*n].title = strdup(t);
            a[*n].body = strdup(b);
            a[*n].source = strdup(s ? s : "");
            (*n)++;
        }
        json_decref(o);
    }
    gzclose(f);
    return a;
}

static unsigned rng = 12345;
static unsigned
rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* A saved query from a headline, into buf; 0 when the headline has too
 * few words. */
static int
make_query(kh_analyzer *an, const art *a, char *buf, size_t cap)
{
    kh_analyzer_reset(an, a->title, strlen(a->title));
    kh_token t;
    size_t st[64], en[64], n = 0;
    while (kh_analyzer_next(an, &t) && n < 64)
        if (!(t.flags & KH_TOKEN_STOP) && t.norm_len >= 6 &&
            t.kind == KH_TOKEN_ARABIC) {
            st[n] = t.start;
            en[n] = t.end;
            n++;
        }
    if (n < 3)
        return 0;
    unsigned r = rnd() % 10;
    size_t o = 0;
    if (r == 0) { /* a phrase of two adjacent words */
        size_t i = rnd() % (n - 1);
        o = (size_t)snprintf(buf, cap, "\"%.*s\"", (int)(en[i + 1] - st[i]),
                             a->title + st[i]);
    } else {
        size_t k = r < 8 ? 2 : 3;
        size_t first = rnd() % (n - k + 1);
        for (size_t i = 0; i < k; i++)
            o += (size_t)snprintf(buf + o, cap - o, "%s%.*s", i ? " " : "",
                                  (int)(en[first + i] - st[first + i]),
                                  a->title + st[first + i]);
    }
    if (rnd() % 10 == 0 && a->source[0])
        o += (size_t)snprintf(buf + o, cap - o, " source:%s", a->source);
    return o < cap;
}

static uint32_t
df_of(void *ud, const char *stem)
{
    return kh__stem_df(ud, stem);
}

typedef struct counter {
    size_t n;
    uint64_t sum; /* of ids: both ways must agree */
} counter;

static void
count(int64_t id, void *ud)
{
    counter *c = ud;
    c->n++;
    c->sum += (uint64_t)id * 2654435761u;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_percolate INDEXDIR CORPUS.jsonl "
                        "[ARTICLES] [NAIVE]\n");
        return 2;
    }
    size_t n_new = argc > 3 ? (size_t)atol(argv[3]) : 2000;
    size_t n_naive = argc > 4 ? (size_t)atol(argv[4]) : 200;
    kh_index_options io = {0};
    io.read_only = 1;
    kh_index *ix;
    kh_error err;
    if (kh_index_open(argv[1], &io, &ix, &err) != KH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    size_t n;
    art *a = load(argv[2], &n);
    if (n < n_new + 1000) {
        fprintf(stderr, "bench_percolate: too few articles (%zu)\n", n);
        return 1;
    }
    if (n_naive > n_new)
        n_naive = n_new;
    kh_analyzer *an;
    kh_analyzer_options ao = {ix->aopts.stemmer, 0};
    if (kh_analyzer_new(&ao, &an) != KH_OK)
        return 1;
    art *fresh = a + (n - n_new);
    size_t pool = n - n_new;
    /* The new articles, analyzed once (both ways share this cost; it is
     * timed apart). */
    kh_mdoc **docs = malloc(n_new * sizeof *docs);
    double t0 = now();
    for (size_t i = 0; i < n_new; i++)
        if (kh__mdoc_new(&docs[i]) != KH_OK ||
            kh__mdoc_fill(docs[i], an, fresh[i].title, fresh[i].body,
                          fresh[i].source, 0) != KH_OK)
            return 1;
    double t_an = now() - t0;
    printf("corpus %zu articles; %zu new articles, analyzed in %.2f s "
           "(%.0f/s, common to both ways)\n",
           n, n_new, t_an, (double)n_new / t_an);
    printf("%8s %10s %12s %12s %12s %9s %10s %8s\n", "queries", "build_s",
           "index_art/s", "naive_art/s", "ratio", "matches", "checks/art",
           "agree");
    static const size_t sizes[] = {1000, 10000, 100000};
    for (size_t si = 0; si < 3; si++) {
        size_t nq = sizes[si];
        kh_percolator *p;
        kh__perc_new(&p);
        kh_qnode **trees = malloc(nq * sizeof *trees);
        char q[512];
        size_t made = 0;
        rng = 12345;
        double tb = now();
        while (made < nq) {
            const art *src = &a[rnd() % pool];
            if (!make_query(an, src, q, sizeof q))
                continue;
            kh_qnode *t1, *t2;
            if (kh__query_parse(q, strlen(q), an, &t1, NULL) != KH_OK)
                continue;
            if (kh__perc_unsupported(t1) != NULL ||
                kh__query_parse(q, strlen(q), an, &t2, NULL) != KH_OK) {
                kh__query_free(t1);
                continue;
            }
            trees[made] = t2; /* the naive way's own copy */
            kh__perc_add(p, (int64_t)made, t1, df_of, ix);
            made++;
        }
        double build = now() - tb;
        /* The index of queries over all new articles. */
        counter ci = {0, 0}, ci_naive_part = {0, 0};
        double ti = now();
        for (size_t i = 0; i < n_new; i++) {
            kh__perc_match(p, docs[i], count, &ci);
            if (i + 1 == n_naive)
                ci_naive_part = ci;
        }
        double t_index = now() - ti;
        /* The naive way over the first n_naive. */
        counter cn = {0, 0};
        double tn = now();
        for (size_t i = 0; i < n_naive; i++)
            for (size_t k = 0; k < nq; k++)
                if (kh__mdoc_matches(docs[i], trees[k]))
                    count((int64_t)k, &cn);
        double t_naive = now() - tn;
        double ia = (double)n_new / t_index, na = (double)n_naive / t_naive;
        int agree = cn.n == ci_naive_part.n && cn.sum == ci_naive_part.sum;
        printf("%8zu %10.2f %12.0f %12.1f %11.0fx %9zu %10.1f %8s\n", nq, build,
               ia, na, ia / na, ci.n,
               (double)kh__perc_checks(p) / (double)n_new,
               agree ? "yes" : "NO");
        for (size_t k = 0; k < nq; k++)
            kh__query_free(trees[k]);
        free(trees);
        kh__perc_free(p);
        if (!agree)
            return 1;
    }
    for (size_t i = 0; i < n_new; i++)
        kh__mdoc_free(docs[i]);
    free(docs);
    kh_analyzer_free(an);
    kh_index_close(ix);
    for (size_t i = 0; i < n; i++) {
        free(a[i].title);
        free(a[i].body);
        free(a[i].source);
    }
    free(a);
    return 0;
}
