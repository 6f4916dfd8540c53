/*
 * cmd_search.c -- `khabar search`, `show`, `delete` and `stats`: the
 * commands that read or change an existing index.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char search_usage[] =
    "usage: khabar search [--index DIR] [--json] [-n N] [--offset K] [--all]\n"
    "                     [--no-collapse] [--explain] [--] QUERY...\n"
    "Query syntax: docs/query.md (words, \"phrases\", -exclude, OR, (...),\n"
    "title:, source:, since:/until: dates).  --all requires every word.\n"
    "Copies of one text (wire stories) are one hit with their sources;\n"
    "--no-collapse lists every copy.  --explain prints the query as parsed\n"
    "(its canonical rendering) before the hits.  A query that starts with\n"
    "-word in Latin letters goes after --: khabar search -- '-title:x y'.\n";

int
kh_cmd_search(int argc, char **argv)
{
    cli_opts o;
    int st = cli_parse_opts(argc, argv, &o, search_usage);
    if (st >= 0)
        return st;
    if (o.first >= argc) {
        fputs(search_usage, stderr);
        return 2;
    }
    kh_buf q;
    kh_status rc = KH_OK;
    kh__buf_init(&q);
    for (int i = o.first; i < argc; i++) {
        if (i > o.first)
            kh__buf_putc(&q, ' ', &rc);
        kh__buf_puts(&q, argv[i], &rc);
    }
    kh_index *ix = rc == KH_OK ? cli_open_index(o.dir, 0, 0, 0) : NULL;
    if (ix == NULL) {
        kh__buf_release(&q);
        return 1;
    }
    int tty = isatty(1);
    kh_search_options so = {o.limit,
                            o.offset,
                            o.all,
                            0,
                            o.json ? "<b>"
                            : tty  ? "\033[1m"
                                   : "[",
                            o.json ? "</b>"
                            : tty  ? "\033[0m"
                                   : "]",
                            o.json,
                            0,
                            0,
                            o.no_collapse,
                            0};
    kh_results *res = NULL;
    kh_error err;
    char *explained = NULL;
    if (o.explain)
        rc = kh_index_explain(ix, q.data, &explained, &err);
    if (rc == KH_OK)
        rc = kh_index_search(ix, q.data, &so, &res, &err);
    if (rc != KH_OK) {
        if (err.has_offset)
            cli_error("query error at column %zu: %s\n  %s\n  %*s^",
                      err.offset + 1, err.message, q.data, (int)err.offset, "");
        else
            cli_error("%s", err.message[0] ? err.message : kh_strerror(rc));
        kh_free(explained);
        kh__buf_release(&q);
        kh_index_close(ix);
        return rc == KH_EINVAL ? 2 : 1;
    }
    if (o.json) {
        kh_buf b;
        kh__buf_init(&b);
        kh__buf_puts(&b, "{", &rc);
        if (explained != NULL) {
            kh__buf_puts(&b, "\"explain\":\"", &rc);
            kh__buf_json_escape(&b, explained, strlen(explained), &rc);
            kh__buf_puts(&b, "\",", &rc);
        }
        kh__buf_printf(&b, &rc,
                       "\"total\":%zu,\"total_exact\":%s,\"took_ms\":%.3f,"
                       "\"hits\":",
                       res->total, res->total_exact ? "true" : "false",
                       res->took_ms);
        kh__json_hits(&b, res->hits, res->n_hits, &rc);
        kh__buf_puts(&b, "}\n", &rc);
        cli_print_buf(&b, rc);
    } else {
        if (explained != NULL)
            printf("query: %s\n", explained);
        printf("%s%zu articles match (%.1f ms)\n",
               res->total_exact ? "" : "at least ", res->total, res->took_ms);
        for (size_t i = 0; i < res->n_hits; i++) {
            const kh_hit *h = &res->hits[i];
            char date[32] = "";
            if (h->date != KH_DATE_NONE)
                kh_date_format(h->date, date);
            printf("\n%zu. %s  [%s | %.10s | %.3f | id %s]\n", o.offset + i + 1,
                   h->title ? h->title : "", h->source ? h->source : "-",
                   date[0] ? date : "-", h->score, h->id);
            if (h->copies > 1) {
                printf("   %zu copies:", h->copies);
                for (size_t k = 0; k < h->n_sources; k++)
                    printf("%s %s", k ? "," : "", h->sources[k]);
                printf("\n");
            }
            if (h->url)
                printf("   %s\n", h->url);
            if (h->snippet && *h->snippet)
                printf("   %s\n", h->snippet);
        }
    }
    kh_results_free(res);
    kh_free(explained);
    kh__buf_release(&q);
    kh_index_close(ix);
    return rc == KH_OK ? 0 : 1;
}

static const char show_usage[] =
    "usage: khabar show [--index DIR] [--json] ID\n";

int
kh_cmd_show(int argc, char **argv)
{
    cli_opts o;
    int st;
    kh_index *ix = cli_open_for_id(argc, argv, show_usage, &o, &st);
    if (ix == NULL)
        return st;
    kh_doc *d;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_index_get(ix, argv[o.first], &d, &err);
    if (rc != KH_OK) {
        cli_error("%s", err.message[0] ? err.message : kh_strerror(rc));
        kh_index_close(ix);
        return 1;
    }
    if (o.json) {
        kh_buf b;
        kh__buf_init(&b);
        kh__json_hit(&b, &d->meta, d->body ? d->body : "", &rc);
        kh__buf_putc(&b, '\n', &rc);
        cli_print_buf(&b, rc);
    } else {
        char date[32] = "-";
        if (d->meta.date != KH_DATE_NONE)
            kh_date_format(d->meta.date, date);
        printf("id:     %s\ntitle:  %s\nsource: %s\ndate:   %s\n"
               "author: %s\nurl:    %s\n\n%s\n",
               d->meta.id, d->meta.title ? d->meta.title : "",
               d->meta.source ? d->meta.source : "", date,
               d->meta.author ? d->meta.author : "",
               d->meta.url ? d->meta.url : "", d->body ? d->body : "");
    }
    kh_doc_free(d);
    kh_index_close(ix);
    return rc == KH_OK ? 0 : 1;
}

static const char delete_usage[] = "usage: khabar delete [--index DIR] ID...\n";

int
kh_cmd_delete(int argc, char **argv)
{
    cli_opts o;
    int st = cli_parse_opts(argc, argv, &o, delete_usage);
    if (st >= 0)
        return st;
    if (o.first >= argc) {
        fputs(delete_usage, stderr);
        return 2;
    }
    kh_index *ix = cli_open_index(o.dir, 1, 0, 0);
    if (ix == NULL)
        return 1;
    int status = 0;
    kh_error err;
    for (int i = o.first; i < argc; i++) {
        memset(&err, 0, sizeof err);
        if (kh_index_delete(ix, argv[i], &err) != KH_OK) {
            cli_error("%s", err.message);
            status = 1;
        }
    }
    if (kh_index_commit(ix, &err) != KH_OK) {
        cli_error("commit failed: %s", err.message);
        status = 1;
    }
    kh_index_close(ix);
    return status;
}

static const char stats_usage[] =
    "usage: khabar stats [--index DIR] [--json]\n";

int
kh_cmd_stats(int argc, char **argv)
{
    cli_opts o;
    int st = cli_parse_opts(argc, argv, &o, stats_usage);
    if (st >= 0)
        return st;
    if (o.first != argc) {
        fputs(stats_usage, stderr);
        return 2;
    }
    kh_index *ix = cli_open_index(o.dir, 0, 0, 0);
    if (ix == NULL)
        return 1;
    kh_index_stats s;
    kh_error err;
    kh_status rc = kh_index_stats_get(ix, &s, &err);
    if (rc == KH_OK && o.json)
        printf("{\"articles\":%llu,\"deleted\":%llu,\"segments\":%llu,"
               "\"terms\":%llu,\"postings_bytes\":%llu,\"store_bytes\":%llu,"
               "\"stemmer\":\"%s\",\"exact_forms\":%s}\n",
               (unsigned long long)s.articles, (unsigned long long)s.deleted,
               (unsigned long long)s.segments, (unsigned long long)s.terms,
               (unsigned long long)s.postings_bytes,
               (unsigned long long)s.store_bytes, s.stemmer,
               s.exact_forms ? "true" : "false");
    else if (rc == KH_OK)
        printf("index:     %s\narticles:  %llu\ndeleted:   %llu (still in "
               "segments)\nsegments:  %llu\nterms:     %llu\npostings:  %.1f "
               "MB\nstore:     %.1f MB (docs.db, bodies.khb)\nstemmer:   "
               "%s\nexact "
               "forms: %s\n",
               o.dir, (unsigned long long)s.articles,
               (unsigned long long)s.deleted, (unsigned long long)s.segments,
               (unsigned long long)s.terms, (double)s.postings_bytes / 1e6,
               (double)s.store_bytes / 1e6, s.stemmer,
               s.exact_forms ? "yes" : "no");
    else
        cli_error("%s", kh_strerror(rc));
    kh_index_close(ix);
    return rc == KH_OK ? 0 : 1;
}
