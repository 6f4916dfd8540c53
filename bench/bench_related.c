/*
 * bench_related.c -- latency of kh_index_related() and kh_index_story()
 * in one process, over articles picked at random (fixed seed).
 *
 *   build/bench/bench_related INDEXDIR [N] [--print K]
 *
 * Runs N (default 200) articles through each call after one untimed pass
 * and prints p50, p90, p99 and the maximum.  --print K prints the top 5
 * related articles of the first K picks (titles), for judging by hand.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "khabar/khabar.h"

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void
report(const char *what, double *ms, size_t n)
{
    qsort(ms, n, sizeof *ms, cmp_d);
    printf("%-8s n=%zu  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
           what, n, ms[n / 2], ms[n * 9 / 10], ms[n * 99 / 100], ms[n - 1]);
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_related INDEXDIR [N] [--print K]\n");
        return 2;
    }
    size_t n = 200, print = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--print") == 0 && i + 1 < argc)
            print = strtoul(argv[++i], NULL, 10);
        else
            n = strtoul(argv[i], NULL, 10);
    }
    /* the ids, read from docs.db directly: the API has no listing */
    char path[4096];
    snprintf(path, sizeof path, "%s/docs.db", argv[1]);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_related: cannot open %s\n", path);
        return 1;
    }
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT key FROM docs ORDER BY docid", -1, &st,
                       NULL);
    char **ids = NULL;
    size_t n_ids = 0, cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n_ids == cap) {
            cap = cap ? cap * 2 : 1024;
            ids = realloc(ids, cap * sizeof *ids);
        }
        ids[n_ids++] = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (n_ids == 0)
        return 1;
    kh_index_options o = {.read_only = 1};
    kh_index *ix;
    kh_error err;
    if (kh_index_open(argv[1], &o, &ix, &err) != KH_OK) {
        fprintf(stderr, "bench_related: %s\n", err.message);
        return 1;
    }
    srand(20261129);
    size_t *pick = malloc(n * sizeof *pick);
    for (size_t i = 0; i < n; i++)
        pick[i] = ((size_t)rand() * (size_t)RAND_MAX + (size_t)rand()) % n_ids;
    double *rel = malloc(n * sizeof *rel), *sto = malloc(n * sizeof *sto);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            double t0 = now_ms();
            kh_results *r;
            if (kh_index_related(ix, ids[pick[i]], 5, &r, &err) != KH_OK) {
                fprintf(stderr, "related %s: %s\n", ids[pick[i]], err.message);
                return 1;
            }
            rel[i] = now_ms() - t0;
            if (pass == 1 && i < print) {
                kh_doc *d;
                if (kh_index_get(ix, ids[pick[i]], &d, &err) == KH_OK) {
                    printf("\n[%zu] %s  %s (%s)\n", i, d->meta.id,
                           d->meta.title ? d->meta.title : "",
                           d->meta.source ? d->meta.source : "");
                    kh_doc_free(d);
                }
                for (size_t k = 0; k < r->n_hits; k++)
                    printf("    %zu. %s (%s, %s)\n", k + 1,
                           r->hits[k].title ? r->hits[k].title : "",
                           r->hits[k].source ? r->hits[k].source : "",
                           r->hits[k].id);
            }
            kh_results_free(r);
            t0 = now_ms();
            kh_story *s;
            if (kh_index_story(ix, ids[pick[i]], &s, &err) != KH_OK) {
                fprintf(stderr, "story %s: %s\n", ids[pick[i]], err.message);
                return 1;
            }
            sto[i] = now_ms() - t0;
            kh_story_free(s);
        }
    }
    report("related", rel, n);
    report("story", sto, n);
    kh_index_close(ix);
    return 0;
}
