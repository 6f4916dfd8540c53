/*
 * eval_dates_expr.c -- accuracy and speed of the temporal expression
 * extractor (src/extract/when.c) on a hand-checked test set.
 *
 *   build/bench/eval_dates_expr [--quiet|--spans] [TSV [JSONL.GZ]]
 *   build/bench/eval_dates_expr --dump [JSONL.GZ]
 *
 * TSV (default tests/data/dates/expressions.tsv) has one expression a line:
 * publication_date, snippet, expression, expected value (ISO: a day, a
 * month, a year, or "a/b" for a range or a week), source; lines starting
 * with # are comments.  For each line the extractor runs on the snippet
 * with the publication date as reference, and the expression is located
 * in the snippet (its first occurrence).
 *
 *   exact:  an extracted expression overlaps the expected one and its
 *           value equals the expected value
 *   span:   an extracted expression has exactly the expected byte span
 *   found:  an extracted expression overlaps the expected one
 *
 * Failures of "exact" are listed (unless --quiet); --spans lists the
 * expressions found with a different extent as well.  Then, when JSONL.GZ
 * (default data/sample/saudinewsnet-2000.jsonl.gz) can be read, the speed
 * of kh__when_find, kh__figures_find and kh__when_and_figures_find over
 * every article body, in text per second (best of three runs), by the wall
 * clock and by the CPU time of the process: on a shared machine the second
 * varies less.
 *
 * --dump prints every expression and figure found in every article body
 * of JSONL.GZ, one a line with its offsets and value, so that two builds
 * can be compared with diff; it fails when kh__when_and_figures_find does
 * not give what the two separate calls give.
 */
#include "extract/when.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
parse_day(const char *s, int64_t *days)
{
    int y, m, d;
    if (sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
        return 0;
    *days = kh__when_days(y, (unsigned)m, (unsigned)d);
    return 1;
}

/* Splits line at tabs into at most n fields; returns the count. */
static int
split_tabs(char *line, char **f, int n)
{
    int k = 0;
    f[k++] = line;
    for (char *p = line; *p != '\0' && k < n; p++) {
        if (*p == '\t') {
            *p = '\0';
            f[k++] = p + 1;
        }
    }
    return k;
}

static int
eval_tsv(const char *path, int quiet, int spans)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        perror(path);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int total = 0, exact = 0, span = 0, found = 0, both = 0;
    while ((got = getline(&line, &cap, fp)) > 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (got == 0 || line[0] == '#')
            continue;
        char *f[5];
        if (split_tabs(line, f, 5) != 5) {
            fprintf(stderr, "bad line: %s\n", line);
            continue;
        }
        int64_t ref;
        if (!parse_day(f[0], &ref)) {
            fprintf(stderr, "bad date: %s\n", f[0]);
            continue;
        }
        const char *snip = f[1], *expr = f[2], *want = f[3];
        const char *at = strstr(snip, expr);
        total++;
        if (at == NULL) {
            printf("MISSING-IN-SNIPPET\t%s\t%s\n", f[4], expr);
            continue;
        }
        size_t es = (size_t)(at - snip), ee = es + strlen(expr);
        kh_when *w = NULL;
        size_t n = 0;
        if (kh__when_find(snip, strlen(snip), ref, &w, &n) != KH_OK) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        int is_exact = 0, is_span = 0, is_found = 0;
        char best[32] = "-";
        size_t bs = 0, be = 0;
        for (size_t k = 0; k < n; k++) {
            if (w[k].start == es && w[k].end == ee)
                is_span = 1;
            if (w[k].end <= es || w[k].start >= ee)
                continue;
            char v[32];
            kh__when_format(&w[k], v);
            if (!is_found) {
                memcpy(best, v, sizeof best);
                bs = w[k].start;
                be = w[k].end;
            }
            is_found = 1;
            if (strcmp(v, want) == 0) {
                is_exact = 1;
                memcpy(best, v, sizeof best);
                bs = w[k].start;
                be = w[k].end;
            }
        }
        exact += is_exact;
        span += is_span;
        found += is_found;
        both += is_exact && is_span;
        if (!is_exact && !quiet)
            printf("FAIL\t%s\t%s\t[%s]\twant %s\tgot %s [%.*s]\n", f[4], f[0],
                   expr, want, best, (int)(be - bs), snip + bs);
        else if (is_exact && !is_span && spans)
            printf("SPAN\t%s\t[%s]\tgot [%.*s]\n", f[4], expr, (int)(be - bs),
                   snip + bs);
        kh_free(w);
    }
    free(line);
    fclose(fp);
    if (total == 0) {
        printf("no cases\n");
        return 1;
    }
    printf("cases %d\n", total);
    printf("exact (found, right value) %d  %.4f\n", exact,
           (double)exact / total);
    printf("span (exact byte span)     %d  %.4f\n", span, (double)span / total);
    printf("exact value and span       %d  %.4f\n", both, (double)both / total);
    printf("found (overlap)            %d  %.4f\n", found,
           (double)found / total);
    return 0;
}

typedef struct doc {
    char *body;
    size_t len;
    int64_t ref;
} doc;

/* Reads the bodies and publication days of a JSONL.GZ file of articles.
 * Returns 0 when the file cannot be opened, -1 when out of memory. */
static int
load(const char *path, doc **docs_out, size_t *n_out, size_t *bytes_out)
{
    gzFile g = gzopen(path, "rb");
    if (g == NULL)
        return 0;
    doc *docs = NULL;
    size_t n = 0, cap = 0, bytes = 0;
    char buf[1 << 16];
    char *line = NULL;
    size_t ll = 0, lc = 0;
    for (;;) {
        if (gzgets(g, buf, sizeof buf) == NULL)
            break;
        size_t bl = strlen(buf);
        if (ll + bl + 1 > lc) {
            lc = (ll + bl + 1) * 2;
            line = realloc(line, lc);
            if (line == NULL)
                return -1;
        }
        memcpy(line + ll, buf, bl + 1);
        ll += bl;
        if (ll == 0 || line[ll - 1] != '\n')
            continue;
        json_error_t err;
        json_t *o = json_loadb(line, ll, 0, &err);
        ll = 0;
        if (o == NULL)
            continue;
        const char *body = json_string_value(json_object_get(o, "body"));
        const char *date =
            json_string_value(json_object_get(o, "date_extracted"));
        int64_t ref = 0;
        if (body != NULL && date != NULL && parse_day(date, &ref)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                docs = realloc(docs, cap * sizeof *docs);
                if (docs == NULL)
                    return -1;
            }
            docs[n].len = strlen(body);
            docs[n].body = malloc(docs[n].len + 1);
            if (docs[n].body == NULL)
                return -1;
            memcpy(docs[n].body, body, docs[n].len + 1);
            docs[n].ref = ref;
            bytes += docs[n].len;
            n++;
        }
        json_decref(o);
    }
    free(line);
    gzclose(g);
    *docs_out = docs;
    *n_out = n;
    *bytes_out = bytes;
    return 1;
}

static void
free_docs(doc *docs, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(docs[k].body);
    free(docs);
}

static double
cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { RUN_WHEN, RUN_FIGURES, RUN_BOTH };

/* One pass of one kind over all the bodies; counts what was found. */
static int
run_pass(const doc *docs, size_t n, int kind, size_t *n_when, size_t *n_fig)
{
    *n_when = *n_fig = 0;
    for (size_t k = 0; k < n; k++) {
        kh_when *w = NULL;
        kh_figure *fg = NULL;
        size_t m = 0, mf = 0;
        kh_status rc =
            kind == RUN_WHEN
                ? kh__when_find(docs[k].body, docs[k].len, docs[k].ref, &w, &m)
            : kind == RUN_FIGURES
                ? kh__figures_find(docs[k].body, docs[k].len, &fg, &mf)
                : kh__when_and_figures_find(docs[k].body, docs[k].len,
                                            docs[k].ref, &w, &m, &fg, &mf);
        if (rc != KH_OK)
            return 1;
        *n_when += m;
        *n_fig += mf;
        kh_free(w);
        kh_free(fg);
    }
    return 0;
}

static int
speed(const char *path)
{
    static const char *const label[] = {"when:   ", "figures:", "both:   "};
    doc *docs = NULL;
    size_t n = 0, bytes = 0;
    int got = load(path, &docs, &n, &bytes);
    if (got < 0)
        return 1;
    if (got == 0) {
        printf("speed: cannot open %s\n", path);
        return 0;
    }
    size_t n_when[3] = {0}, n_fig[3] = {0};
    double best[3] = {1e9, 1e9, 1e9}, best_cpu[3] = {1e9, 1e9, 1e9};
    for (int run = 0; run < 3; run++) {
        for (int kind = 0; kind < 3; kind++) {
            double t0 = now(), c0 = cpu_now();
            if (run_pass(docs, n, kind, &n_when[kind], &n_fig[kind]) != 0)
                return 1;
            double t1 = now(), c1 = cpu_now();
            if (t1 - t0 < best[kind])
                best[kind] = t1 - t0;
            if (c1 - c0 < best_cpu[kind])
                best_cpu[kind] = c1 - c0;
        }
    }
    printf("speed: %zu articles, %.1f MB of text (best of 3 passes: wall "
           "clock; CPU time of the process)\n",
           n, (double)bytes / 1e6);
    for (int kind = 0; kind < 3; kind++) {
        if (kind == RUN_WHEN)
            printf("  %s %zu expressions", label[kind], n_when[kind]);
        else if (kind == RUN_FIGURES)
            printf("  %s %zu figures", label[kind], n_fig[kind]);
        else
            printf("  %s %zu + %zu", label[kind], n_when[kind], n_fig[kind]);
        printf(", %.3f s, %.0f KB/s, %.1f MB/s; cpu %.3f s, %.1f MB/s%s\n",
               best[kind], (double)bytes / 1024.0 / best[kind],
               (double)bytes / 1e6 / best[kind], best_cpu[kind],
               (double)bytes / 1e6 / best_cpu[kind],
               kind == RUN_FIGURES ? " (includes a date pass)"
               : kind == RUN_BOTH  ? " (kh__when_and_figures_find)"
                                   : "");
    }
    free_docs(docs, n);
    return 0;
}

/* Do the two result sets hold the same values? */
static int
same_results(const kh_when *w1, size_t n1, const kh_when *w2, size_t n2,
             const kh_figure *f1, size_t m1, const kh_figure *f2, size_t m2)
{
    if (n1 != n2 || m1 != m2)
        return 0;
    for (size_t i = 0; i < n1; i++)
        if (w1[i].start != w2[i].start || w1[i].end != w2[i].end ||
            w1[i].first != w2[i].first || w1[i].last != w2[i].last ||
            w1[i].kind != w2[i].kind || w1[i].grain != w2[i].grain ||
            w1[i].is_range != w2[i].is_range || w1[i].hijri != w2[i].hijri)
            return 0;
    for (size_t i = 0; i < m1; i++)
        if (f1[i].start != f2[i].start || f1[i].end != f2[i].end ||
            f1[i].value != f2[i].value ||
            f1[i].approximate != f2[i].approximate ||
            f1[i].unit_start != f2[i].unit_start ||
            f1[i].unit_end != f2[i].unit_end)
            return 0;
    return 1;
}

/* Every expression and figure of every article, for diffing two builds. */
static int
dump(const char *path)
{
    doc *docs = NULL;
    size_t n = 0, bytes = 0;
    int got = load(path, &docs, &n, &bytes);
    if (got <= 0) {
        fprintf(stderr, "dump: cannot read %s\n", path);
        return 1;
    }
    size_t n_when = 0, n_fig = 0, n_differ = 0;
    for (size_t k = 0; k < n; k++) {
        kh_when *w, *w2;
        kh_figure *fg, *fg2;
        size_t m, mf, m2, mf2;
        if (kh__when_find(docs[k].body, docs[k].len, docs[k].ref, &w, &m) !=
            KH_OK)
            return 1;
        for (size_t i = 0; i < m; i++) {
            char v[32];
            printf("W %zu %zu %zu %lld %lld %d %d %d %d %s\n", k, w[i].start,
                   w[i].end, (long long)w[i].first, (long long)w[i].last,
                   (int)w[i].kind, (int)w[i].grain, w[i].is_range, w[i].hijri,
                   kh__when_format(&w[i], v));
        }
        n_when += m;
        if (kh__figures_find(docs[k].body, docs[k].len, &fg, &mf) != KH_OK)
            return 1;
        for (size_t i = 0; i < mf; i++)
            printf("F %zu %zu %zu %.17g %d %zu %zu\n", k, fg[i].start,
                   fg[i].end, fg[i].value, fg[i].approximate, fg[i].unit_start,
                   fg[i].unit_end);
        n_fig += mf;
        /* the one-call form must give the same */
        if (kh__when_and_figures_find(docs[k].body, docs[k].len, docs[k].ref,
                                      &w2, &m2, &fg2, &mf2) != KH_OK)
            return 1;
        if (!same_results(w, m, w2, m2, fg, mf, fg2, mf2)) {
            fprintf(stderr,
                    "dump: article %zu: kh__when_and_figures_find "
                    "differs\n",
                    k);
            n_differ++;
        }
        kh_free(w);
        kh_free(fg);
        kh_free(w2);
        kh_free(fg2);
    }
    fprintf(stderr, "dump: %zu articles, %zu expressions, %zu figures\n", n,
            n_when, n_fig);
    free_docs(docs, n);
    return n_differ != 0;
}

int
main(int argc, char **argv)
{
    int quiet = 0, spans = 0, a = 1;
    if (a < argc && strcmp(argv[a], "--dump") == 0)
        return dump(a + 1 < argc ? argv[a + 1]
                                 : "data/sample/saudinewsnet-2000.jsonl.gz");
    if (a < argc && strcmp(argv[a], "--quiet") == 0) {
        quiet = 1;
        a++;
    } else if (a < argc && strcmp(argv[a], "--spans") == 0) {
        spans = 1;
        a++;
    }
    const char *tsv = a < argc ? argv[a++] : "tests/data/dates/expressions.tsv";
    const char *gz =
        a < argc ? argv[a++] : "data/sample/saudinewsnet-2000.jsonl.gz";
    if (eval_tsv(tsv, quiet, spans) != 0)
        return 1;
    return speed(gz);
}
