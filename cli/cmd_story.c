/*
 * cmd_story.c -- khabar story ID and khabar related ID.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char story_usage[] =
    "usage: khabar story [--index DIR] [--json] ID\n"
    "The story of article ID: its label (the most representative\n"
    "headline), its sources, and its articles in time order.\n";

static const char related_usage[] =
    "usage: khabar related [--index DIR] [--json] [-n N] ID\n"
    "Articles related to article ID, from other stories (never a copy of\n"
    "its text), nearer in time first among equals.\n";

static void
print_json(const kh_story *s)
{
    kh_status rc = KH_OK;
    kh_buf b;
    kh__buf_init(&b);
    kh__json_story(&b, s, &rc);
    kh__buf_putc(&b, '\n', &rc);
    cli_print_buf(&b, rc);
}

int
kh_cmd_story(int argc, char **argv)
{
    cli_opts o;
    int st;
    kh_index *ix = cli_open_for_id(argc, argv, story_usage, &o, &st);
    if (ix == NULL)
        return st;
    kh_story *s;
    kh_error err;
    kh_status rc = kh_index_story(ix, argv[o.first], &s, &err);
    if (rc != KH_OK) {
        cli_error("%s", err.message[0] ? err.message : kh_strerror(rc));
        kh_index_close(ix);
        return 1;
    }
    if (o.json) {
        print_json(s);
    } else {
        char first[32] = "-", last[32] = "-";
        if (s->first != KH_DATE_NONE)
            kh_date_format(s->first, first);
        if (s->last != KH_DATE_NONE)
            kh_date_format(s->last, last);
        printf("story:    %s\nlabel:    %s\narticles: %zu, %.10s .. %.10s\n"
               "sources: ",
               s->id, s->label ? s->label : "", s->n_articles, first, last);
        for (size_t i = 0; i < s->n_sources; i++)
            printf("%s %s", i ? "," : "", s->sources[i]);
        printf("\n\n");
        for (size_t i = 0; i < s->n_articles; i++) {
            const kh_hit *h = &s->articles[i];
            char date[32] = "-";
            if (h->date != KH_DATE_NONE)
                kh_date_format(h->date, date);
            printf("%.16s  %-14s %s  [id %s]%s\n", date,
                   h->source ? h->source : "-", h->title ? h->title : "", h->id,
                   h->copies > 1 ? "  (wire copy)" : "");
        }
    }
    kh_story_free(s);
    kh_index_close(ix);
    return 0;
}

int
kh_cmd_related(int argc, char **argv)
{
    cli_opts o;
    int st;
    kh_index *ix = cli_open_for_id(argc, argv, related_usage, &o, &st);
    if (ix == NULL)
        return st;
    kh_results *res;
    kh_error err;
    kh_status rc = kh_index_related(ix, argv[o.first], o.limit, &res, &err);
    if (rc != KH_OK) {
        cli_error("%s", err.message[0] ? err.message : kh_strerror(rc));
        kh_index_close(ix);
        return 1;
    }
    if (o.json) {
        kh_buf b;
        kh__buf_init(&b);
        kh__buf_printf(&b, &rc, "{\"took_ms\":%.3f,\"hits\":", res->took_ms);
        kh__json_hits(&b, res->hits, res->n_hits, &rc);
        kh__buf_puts(&b, "}\n", &rc);
        cli_print_buf(&b, rc);
    } else {
        for (size_t i = 0; i < res->n_hits; i++) {
            const kh_hit *h = &res->hits[i];
            char date[32] = "-";
            if (h->date != KH_DATE_NONE)
                kh_date_format(h->date, date);
            printf("%zu. %s  [%s | %.10s | id %s]\n", i + 1,
                   h->title ? h->title : "", h->source ? h->source : "-", date,
                   h->id);
        }
    }
    kh_results_free(res);
    kh_index_close(ix);
    return rc == KH_OK ? 0 : 1;
}
