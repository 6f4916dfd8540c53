/*
 * eval_dates.c -- accuracy of kh__page_date on htmldate's evaluation pages.
 *
 *   build/bench/eval_dates [--verbose] [--only SUBSTRING] [DIR]
 *
 * DIR (default ../shared/data/extract/htmldate) holds cases.json (a list
 * of {file, url, date, script, html_lang}) and html/FILE (gzip).  Each
 * page is converted to UTF-8 (kh_to_utf8), parsed with htmlReadMemory and
 * its date compared with the gold day, which is the day the page shows.
 * Two counts: the day as written (the instant plus the UTC offset the page
 * gave with it, as in "2020-12-01T02:00+03:00") and the day in UTC.  The
 * misses listed by --verbose are those of the day as written.  Accuracy is
 * printed over all pages, over the Arabic ones (script "arabic-script", lang
 * not fa) and over the Persian ones (lang fa*).  Cases whose gold date is
 * missing (NaN in the file) are not counted.  --verbose lists the misses;
 * --only keeps the cases whose file name holds SUBSTRING.
 */
#include "ingest/ingest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static char *
read_gz(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL)
            break;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        int r = gzread(f, buf + n, (unsigned)(cap - n));
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    gzclose(f);
    *len = n;
    return buf;
}

typedef struct tally {
    int n, hit, hit_local, found;
} tally;

static void
print_tally(const char *name, const tally *t)
{
    printf("%-8s %3d pages  found %3d  day as written %3d (%.3f)  "
           "UTC day %3d (%.3f)\n",
           name, t->n, t->found, t->hit_local,
           t->n ? (double)t->hit_local / t->n : 0.0, t->hit,
           t->n ? (double)t->hit / t->n : 0.0);
}

int
main(int argc, char **argv)
{
    int verbose = 0;
    const char *only = NULL;
    const char *dir = "../shared/data/extract/htmldate";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else
            dir = argv[i];
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/cases.json", dir);
    size_t len;
    char *text = read_gz(path, &len); /* gzread reads plain files too */
    if (text == NULL) {
        fprintf(stderr, "eval_dates: cannot read %s\n", path);
        return 2;
    }
    /* Python's json module writes a missing date as a bare NaN. */
    for (char *p = text; (p = strstr(p, ": NaN")) != NULL; p += 5)
        memcpy(p, ": 0  ", 5);
    json_error_t jerr;
    json_t *cases = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!json_is_array(cases)) {
        fprintf(stderr, "eval_dates: %s: %s\n", path, jerr.text);
        return 2;
    }
    tally all = {0}, ar = {0}, fa = {0};
    size_t k;
    json_t *c;
    json_array_foreach(cases, k, c)
    {
        const char *file = json_string_value(json_object_get(c, "file"));
        const char *url = json_string_value(json_object_get(c, "url"));
        const char *gold = json_string_value(json_object_get(c, "date"));
        const char *script = json_string_value(json_object_get(c, "script"));
        const char *lang = json_string_value(json_object_get(c, "html_lang"));
        if (file == NULL || gold == NULL ||
            (only != NULL && strstr(file, only) == NULL))
            continue;
        snprintf(path, sizeof path, "%s/html/%s", dir, file);
        char *html = read_gz(path, &len);
        if (html == NULL) {
            fprintf(stderr, "eval_dates: cannot read %s\n", path);
            continue;
        }
        /* As the extractor does: to UTF-8 first (declared or detected
         * charset), then parse ignoring the page's own charset label. */
        char *u8 = NULL;
        size_t u8_len = 0;
        kh_error err;
        if (kh_to_utf8(html, len, NULL, &u8, &u8_len, NULL, &err) != KH_OK) {
            fprintf(stderr, "eval_dates: %s: %s\n", file, err.message);
            free(html);
            continue;
        }
        kh_htree *doc = NULL;
        if (kh__htree_parse(u8, u8_len, &doc) != KH_OK) {
            fprintf(stderr, "eval_dates: %s: out of memory\n", file);
            kh_free(u8);
            free(html);
            continue;
        }
        int64_t t = 0;
        int offset = 0;
        int found = kh__page_date_offset(doc, url, &t, &offset);
        char got[32] = "-", local[32] = "-";
        if (found) {
            kh_date_format(t, got);
            kh_date_format(t + offset, local);
        }
        int hit = found && strncmp(got, gold, 10) == 0;
        int hit_local = found && strncmp(local, gold, 10) == 0;
        int is_fa = lang != NULL && strncmp(lang, "fa", 2) == 0;
        int is_ar =
            script != NULL && strcmp(script, "arabic-script") == 0 && !is_fa;
        tally *ts[] = {&all, is_ar ? &ar : NULL, is_fa ? &fa : NULL};
        for (int i = 0; i < 3; i++) {
            if (ts[i] == NULL)
                continue;
            ts[i]->n++;
            ts[i]->found += found;
            ts[i]->hit += hit;
            ts[i]->hit_local += hit_local;
        }
        if (verbose && !hit_local)
            printf("MISS %s gold %s got %.10s %s\n", file, gold, local,
                   url != NULL ? url : "");
        kh__htree_free(doc);
        kh_free(u8);
        free(html);
    }
    json_decref(cases);
    print_tally("all", &all);
    print_tally("arabic", &ar);
    print_tally("persian", &fa);
    return 0;
}
