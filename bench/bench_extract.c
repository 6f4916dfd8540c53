/*
 * bench_extract.c -- speed of the HTML article extractor, one thread.
 *
 *   build/bench/bench_extract [DIR] [PASSES]
 *
 * Reads every *.html.gz page of DIR (default
 * ../shared/data/extract/scrapinghub/html, the Zyte benchmark pages) into
 * memory, decompressed, then runs kh_extract_html() over all of them
 * PASSES times (default 5) and prints pages/s and MB/s of HTML, with the
 * average page size.  One warm-up pass is not timed.  Also prints the
 * time with a site model, which learns as it goes.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "khabar/khabar.h"

typedef struct page {
    char *html;
    size_t len;
} page;

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
read_gz(const char *path, page *p)
{
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL)
        return -1;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL)
            break;
        if (cap - len < 65536) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        int got = gzread(gz, buf + len, 65536);
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    gzclose(gz);
    if (buf == NULL)
        return -1;
    p->html = buf;
    p->len = len;
    return 0;
}

static double
run(const page *pages, size_t n, int passes, kh_sitemodel *model,
    size_t *body_bytes)
{
    double t0 = now();
    *body_bytes = 0;
    for (int pass = 0; pass < passes; pass++)
        for (size_t i = 0; i < n; i++) {
            char url[64];
            snprintf(url, sizeof url, "https://site%zu.example/a/%d", i % 40,
                     pass);
            kh_extract_options o = {url, NULL, model};
            kh_page *p = NULL;
            if (kh_extract_html(pages[i].html, pages[i].len, &o, &p, NULL) !=
                KH_OK)
                continue;
            *body_bytes += strlen(p->body);
            kh_page_free(p);
        }
    return now() - t0;
}

int
main(int argc, char **argv)
{
    const char *dir =
        argc > 1 ? argv[1] : "../shared/data/extract/scrapinghub/html";
    int passes = argc > 2 ? atoi(argv[2]) : 5;
    if (passes < 1)
        passes = 1;
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "bench_extract: cannot open %s\n", dir);
        return 1;
    }
    page *pages = NULL;
    size_t n = 0, cap = 0, total = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 8 || strcmp(de->d_name + l - 8, ".html.gz") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            pages = realloc(pages, cap * sizeof *pages);
            if (pages == NULL)
                return 1;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (read_gz(path, &pages[n]) == 0) {
            total += pages[n].len;
            n++;
        }
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "bench_extract: no .html.gz pages in %s\n", dir);
        return 1;
    }
    size_t body;
    double pages_run = (double)n * passes, dn = (double)n;
    run(pages, n, 1, NULL, &body); /* warm-up */
    double t = run(pages, n, passes, NULL, &body);
    double mb = (double)total * passes / 1e6;
    printf("pages            %zu (average %.1f KB, %.1f MB in all)\n", n,
           (double)total / dn / 1024, (double)total / 1e6);
    printf("passes           %d\n", passes);
    printf("no site model    %.0f pages/s  %.1f MB/s  (%.3f ms a page)\n",
           pages_run / t, mb / t, t * 1000 / pages_run);
    kh_sitemodel *m = NULL;
    if (kh_sitemodel_new(&m) == KH_OK) {
        t = run(pages, n, passes, m, &body);
        printf("with site model  %.0f pages/s  %.1f MB/s\n", pages_run / t,
               mb / t);
        kh_sitemodel_free(m);
    }
    printf("body text        %.1f KB a page\n",
           (double)body / pages_run / 1024);
    for (size_t i = 0; i < n; i++)
        free(pages[i].html);
    free(pages);
    return 0;
}
