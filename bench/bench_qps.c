/*
 * bench_qps.c -- the in-process search rate: what the server's threads
 * could do with no HTTP in between, the yardstick of bench/load.sh.
 *
 *   build/bench/bench_qps INDEXDIR QUERIES.tsv [THREADS] [SECONDS]
 *
 * QUERIES.tsv: "id<TAB>query" lines.  Each of THREADS (default 2) threads
 * opens its own read-only handle (as the server's workers do) and runs the
 * queries round-robin from its own starting point for SECONDS (default
 * 30), with the server's options: 10 hits, HTML snippets with <mark>,
 * wire copies collapsed.  Prints queries/s and latency percentiles.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "khabar/khabar.h"

static char **queries;
static size_t n_queries;
static const char *dir;
static double seconds = 30;

typedef struct worker {
    size_t start;
    size_t done, errors;
    double *lat; /* ms */
    size_t cap;
} worker;

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
run(void *arg)
{
    worker *w = arg;
    kh_index_options o = {0};
    o.read_only = 1;
    kh_index *ix;
    kh_error err;
    if (kh_index_open(dir, &o, &ix, &err) != KH_OK) {
        fprintf(stderr, "bench_qps: %s\n", err.message);
        exit(1);
    }
    kh_search_options so = {0};
    so.limit = 10;
    so.hl_open = "<mark>";
    so.hl_close = "</mark>";
    so.hl_html = 1;
    double end = now() + seconds;
    size_t i = w->start;
    while (now() < end) {
        double t0 = now();
        kh_results *res;
        if (kh_index_search(ix, queries[i % n_queries], &so, &res, &err) ==
            KH_OK)
            kh_results_free(res);
        else
            w->errors++;
        if (w->done == w->cap) {
            w->cap = w->cap ? 2 * w->cap : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
            if (w->lat == NULL)
                exit(1);
        }
        w->lat[w->done++] = (now() - t0) * 1e3;
        i++;
    }
    kh_index_close(ix);
    return NULL;
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_qps INDEXDIR QUERIES.tsv [THREADS] "
                        "[SECONDS]\n");
        return 2;
    }
    dir = argv[1];
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    if (argc > 4)
        seconds = atof(argv[4]);
    if (threads < 1 || threads > 64 || seconds <= 0) {
        fprintf(stderr, "bench_qps: bad THREADS or SECONDS\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (f == NULL) {
        perror(argv[2]);
        return 1;
    }
    char line[8192];
    size_t cap = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *tab = strchr(line, '\t');
        if (tab == NULL)
            continue;
        tab[strcspn(tab, "\r\n")] = '\0';
        if (n_queries == cap) {
            cap = cap ? 2 * cap : 1024;
            queries = realloc(queries, cap * sizeof *queries);
            if (queries == NULL)
                return 1;
        }
        queries[n_queries++] = strdup(tab + 1);
    }
    fclose(f);
    if (n_queries == 0) {
        fprintf(stderr, "bench_qps: no queries in %s\n", argv[2]);
        return 1;
    }
    worker *w = calloc((size_t)threads, sizeof *w);
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    if (w == NULL || t == NULL)
        return 1;
    double t0 = now();
    for (int k = 0; k < threads; k++) {
        w[k].start = n_queries * (size_t)k / (size_t)threads;
        pthread_create(&t[k], NULL, run, &w[k]);
    }
    size_t done = 0, errors = 0;
    for (int k = 0; k < threads; k++) {
        pthread_join(t[k], NULL);
        done += w[k].done;
        errors += w[k].errors;
    }
    double elapsed = now() - t0;
    double *all = malloc((done ? done : 1) * sizeof *all);
    if (all == NULL)
        return 1;
    size_t m = 0;
    for (int k = 0; k < threads; k++) {
        memcpy(all + m, w[k].lat, w[k].done * sizeof *all);
        m += w[k].done;
        free(w[k].lat);
    }
    qsort(all, m, sizeof *all, cmp_d);
    printf("in-process: %d threads, %.1f s, %zu searches (%zu errors): "
           "%.0f searches/s; latency ms p50 %.3f p90 %.3f p99 %.3f max "
           "%.3f\n",
           threads, elapsed, done, errors, (double)done / elapsed,
           m ? all[m / 2] : 0, m ? all[m * 9 / 10] : 0,
           m ? all[m * 99 / 100] : 0, m ? all[m - 1] : 0);
    free(all);
    free(w);
    free(t);
    for (size_t i = 0; i < n_queries; i++)
        free(queries[i]);
    free(queries);
    return errors ? 1 : 0;
}
