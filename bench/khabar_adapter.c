/*
 * khabar_adapter.c -- Khabar as an engine of ../shared/bench/peers/run.sh
 * (its EXTERNAL= interface):
 *
 *   khabar_adapter build DOCS_TSV INDEXDIR
 *       DOCS_TSV lines: n<TAB>docid<TAB>text.  Indexes every text as an
 *       article body with the docid as its id, commits and merges to one
 *       segment (the peers' builds end with their optimize steps too).
 *   khabar_adapter query INDEXDIR QUERIES_TSV RUNFILE LATFILE WARMUP
 *       Runs WARMUP untimed passes, then one timed pass, in this process;
 *       writes the top 100 as a TREC run and qid<TAB>ms<TAB>hits.
 *
 * Queries are free text: characters with a meaning in Khabar's query
 * syntax (quotes, parentheses, -, +, :, |, OR) are turned into spaces so
 * that every query is the plain words, like the peers' OR of words.
 * KHABAR_STEMMER (light, snowball, none) picks the stemmer of a new index;
 * KHABAR_BUFFER_MB (default 128) bounds the postings kept in memory;
 * KHABAR_ALL=1 requires every word instead.  Wire copies and stories
 * are not looked for (the peers do no such work) unless KHABAR_STORIES is
 * set; ids_only queries do not collapse copies.
 */
#include <stdbool.h>
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
die(const char *what, const kh_error *err)
{
    fprintf(stderr, "khabar_adapter: %s: %s\n", what,
            err != NULL ? err->message : "");
    return 1;
}

static char *
read_line(FILE *f, char **buf, size_t *cap)
{
    ssize_t n = getline(buf, cap, f);
    if (n < 0)
        return NULL;
    while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r'))
        (*buf)[--n] = '\0';
    return *buf;
}

static int
build(const char *tsv, const char *dir)
{
    kh_stemmer_kind stemmer = KH_STEMMER_LIGHT;
    const char *s = getenv("KHABAR_STEMMER");
    if (s != NULL && kh_stemmer_parse(s, &stemmer) != KH_OK)
        return die("unknown KHABAR_STEMMER", NULL);
    const char *mb = getenv("KHABAR_BUFFER_MB"); /* the memory bound */
    kh_index_options o = {.create = 1,
                          .buffer_mb = mb != NULL ? strtoul(mb, NULL, 10) : 128,
                          .stemmer = stemmer,
                          .single_thread =
                              getenv("KHABAR_SINGLE_THREAD") != NULL,
                          .exact_forms = getenv("KHABAR_EXACT_FORMS") != NULL,
                          /* the peers find no copies, stories or
                           * entities either */
                          .no_stories = getenv("KHABAR_STORIES") == NULL,
                          .no_entities = getenv("KHABAR_ENTITIES") == NULL};
    kh_index *ix;
    kh_error err;
    memset(&err, 0, sizeof err);
    if (kh_index_open(dir, &o, &ix, &err) != KH_OK)
        return die("open", &err);
    FILE *f = fopen(tsv, "r");
    if (f == NULL)
        return die("cannot read the documents", NULL);
    char *line = NULL;
    size_t cap = 0;
    while (read_line(f, &line, &cap) != NULL) {
        char *id = strchr(line, '\t');
        char *text = id != NULL ? strchr(id + 1, '\t') : NULL;
        if (text == NULL)
            continue;
        *text++ = '\0';
        id++;
        kh_article a = {id, NULL, NULL, NULL, text, NULL, KH_DATE_NONE};
        if (kh_index_add(ix, &a, NULL, &err) != KH_OK)
            return die("add", &err);
    }
    free(line);
    fclose(f);
    if (kh_index_optimize(ix, &err) != KH_OK)
        return die("commit", &err);
    kh_index_close(ix);
    return 0;
}

static void
plain(char *q)
{
    for (char *p = q; *p; p++)
        if (strchr("\"()-+:|", *p) != NULL)
            *p = ' ';
    /* «» are two-byte characters; OR is the only upper-case operator. */
    for (char *p = q; (p = strstr(p, "\xC2\xAB")) != NULL;)
        p[0] = p[1] = ' ';
    for (char *p = q; (p = strstr(p, "\xC2\xBB")) != NULL;)
        p[0] = p[1] = ' ';
    for (char *p = q; (p = strstr(p, "OR")) != NULL; p += 2)
        p[0] = 'o', p[1] = 'r';
}

static int
query(const char *dir, const char *qfile, const char *runfile,
      const char *latfile, int warmup)
{
    kh_index_options o = {.read_only = 1};
    kh_index *ix;
    kh_error err;
    memset(&err, 0, sizeof err);
    if (kh_index_open(dir, &o, &ix, &err) != KH_OK)
        return die("open", &err);
    FILE *f = fopen(qfile, "r");
    if (f == NULL)
        return die("cannot read the queries", NULL);
    size_t n = 0, cap = 0;
    char **qids = NULL, **texts = NULL;
    char *line = NULL;
    size_t lcap = 0;
    while (read_line(f, &line, &lcap) != NULL) {
        char *tab = strchr(line, '\t');
        if (tab == NULL)
            continue;
        *tab = '\0';
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            qids = realloc(qids, cap * sizeof *qids);
            texts = realloc(texts, cap * sizeof *texts);
        }
        qids[n] = strdup(line);
        texts[n] = strdup(tab + 1);
        plain(texts[n]);
        n++;
    }
    free(line);
    fclose(f);
    FILE *run = fopen(runfile, "w"), *lat = fopen(latfile, "w");
    if (run == NULL || lat == NULL)
        return die("cannot write the run", NULL);
    kh_search_options so;
    memset(&so, 0, sizeof so);
    so.limit = 100;
    so.require_all = getenv("KHABAR_ALL") != NULL;
    so.no_snippets = 1;
    so.exhaustive = getenv("KHABAR_EXHAUSTIVE") != NULL;
    so.ids_only = 1; /* ids and scores are all a run file needs */
    for (int pass = 0; pass <= warmup; pass++) {
        bool timed = pass == warmup;
        for (size_t i = 0; i < n; i++) {
            kh_results *r;
            double t0 = now_ms();
            kh_status rc = kh_index_search(ix, texts[i], &so, &r, &err);
            double ms = now_ms() - t0;
            if (rc != KH_OK) {
                if (timed)
                    fprintf(lat, "%s\t%.4f\t0\n", qids[i], ms);
                continue;
            }
            if (timed) {
                fprintf(lat, "%s\t%.4f\t%zu\n", qids[i], ms, r->n_hits);
                for (size_t k = 0; k < r->n_hits; k++)
                    fprintf(run, "%s Q0 %s %zu %.6f khabar\n", qids[i],
                            r->hits[k].id, k + 1, r->hits[k].score);
            }
            kh_results_free(r);
        }
    }
    fclose(run);
    fclose(lat);
    kh_index_close(ix);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "build") == 0)
        return build(argv[2], argv[3]);
    if (argc == 7 && strcmp(argv[1], "query") == 0)
        return query(argv[2], argv[3], argv[4], argv[5], atoi(argv[6]));
    fprintf(stderr, "usage: khabar_adapter build DOCS_TSV INDEXDIR\n"
                    "       khabar_adapter query INDEXDIR QUERIES_TSV RUNFILE "
                    "LATFILE WARMUP\n");
    return 2;
}
