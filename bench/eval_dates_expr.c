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
 * of kh__when_find and kh__figures_find over every article body, in KB of
 * text per second (best of three runs).
 *
 * --dump prints every expression and figure found in every article body
 * of JSONL.GZ, one a line with its offsets and value, so that two builds
 * can be compared with diff.
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

static int
speed(const char *path)
{
    doc *docs = NULL;
    size_t n = 0, bytes = 0;
    int got = load(path, &docs, &n, &bytes);
    if (got < 0)
        return 1;
    if (got == 0) {
        printf("speed: cannot open %s\n", path);
        return 0;
    }
    size_t n_when = 0, n_fig = 0;
    double best_w = 1e9, best_f = 1e9;
    for (int run = 0; run < 3; run++) {
        n_when = n_fig = 0;
        double t0 = now();
        for (size_t k = 0; k < n; k++) {
            kh_when *w;
            size_t m;
            if (kh__when_find(docs[k].body, docs[k].len, docs[k].ref, &w, &m) !=
                KH_OK)
                return 1;
            n_when += m;
            kh_free(w);
        }
        double t1 = now();
        for (size_t k = 0; k < n; k++) {
            kh_figure *fg;
            size_t m;
            if (kh__figures_find(docs[k].body, docs[k].len, &fg, &m) != KH_OK)
                return 1;
            n_fig += m;
            kh_free(fg);
        }
        double t2 = now();
        if (t1 - t0 < best_w)
            best_w = t1 - t0;
        if (t2 - t1 < best_f)
            best_f = t2 - t1;
    }
    printf("speed: %zu articles, %.1f MB of text\n", n, (double)bytes / 1e6);
    printf("  when:    %zu expressions, %.3f s, %.0f KB/s\n", n_when, best_w,
           (double)bytes / 1024.0 / best_w);
    printf("  figures: %zu figures, %.3f s, %.0f KB/s (includes a date "
           "pass)\n",
           n_fig, best_f, (double)bytes / 1024.0 / best_f);
    free_docs(docs, n);
    return 0;
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
    size_t n_when = 0, n_fig = 0;
    for (size_t k = 0; k < n; k++) {
        kh_when *w;
        kh_figure *fg;
        size_t m;
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
        kh_free(w);
        if (kh__figures_find(docs[k].body, docs[k].len, &fg, &m) != KH_OK)
            return 1;
        for (size_t i = 0; i < m; i++)
            printf("F %zu %zu %zu %.17g %d %zu %zu\n", k, fg[i].start,
                   fg[i].end, fg[i].value, fg[i].approximate, fg[i].unit_start,
                   fg[i].unit_end);
        n_fig += m;
        kh_free(fg);
    }
    fprintf(stderr, "dump: %zu articles, %zu expressions, %zu figures\n", n,
            n_when, n_fig);
    free_docs(docs, n);
    return 0;
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
