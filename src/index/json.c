/*
 * json.c -- articles, hits and stories as JSON, the one shape the CLI's
 * --json output and the HTTP API share (docs/api.md).
 */
#include "index/json.h"

#include <string.h>

static void
json_field(kh_buf *b, const char *name, const char *v, kh_status *rc)
{
    kh__buf_printf(b, rc, "\"%s\":", name);
    if (v == NULL) {
        kh__buf_puts(b, "null", rc);
        return;
    }
    kh__buf_putc(b, '"', rc);
    kh__buf_json_escape(b, v, strlen(v), rc);
    kh__buf_putc(b, '"', rc);
}

void
kh__json_hit(kh_buf *b, const kh_hit *h, const char *body, kh_status *rc)
{
    char date[32] = "";
    if (h->date != KH_DATE_NONE)
        kh_date_format(h->date, date);
    kh__buf_putc(b, '{', rc);
    json_field(b, "id", h->id, rc);
    kh__buf_putc(b, ',', rc);
    json_field(b, "title", h->title, rc);
    kh__buf_putc(b, ',', rc);
    json_field(b, "url", h->url, rc);
    kh__buf_putc(b, ',', rc);
    json_field(b, "source", h->source, rc);
    kh__buf_putc(b, ',', rc);
    json_field(b, "date", date[0] ? date : NULL, rc);
    kh__buf_putc(b, ',', rc);
    json_field(b, "author", h->author, rc);
    if (body != NULL) {
        kh__buf_putc(b, ',', rc);
        json_field(b, "body", body, rc);
    } else {
        kh__buf_printf(b, rc, ",\"score\":%.4f,", h->score);
        json_field(b, "snippet", h->snippet, rc);
    }
    if (h->copies > 1) {
        kh__buf_printf(b, rc, ",\"copies\":%zu,\"sources\":[", h->copies);
        for (size_t i = 0; i < h->n_sources; i++) {
            if (i > 0)
                kh__buf_putc(b, ',', rc);
            kh__buf_putc(b, '"', rc);
            kh__buf_json_escape(b, h->sources[i], strlen(h->sources[i]), rc);
            kh__buf_putc(b, '"', rc);
        }
        kh__buf_putc(b, ']', rc);
    }
    kh__buf_putc(b, '}', rc);
}

void
kh__json_hits(kh_buf *b, const kh_hit *hits, size_t n, kh_status *rc)
{
    kh__buf_putc(b, '[', rc);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            kh__buf_putc(b, ',', rc);
        kh__json_hit(b, &hits[i], NULL, rc);
    }
    kh__buf_putc(b, ']', rc);
}

void
kh__json_story(kh_buf *b, const kh_story *s, kh_status *rc)
{
    char first[32] = "", last[32] = "";
    if (s->first != KH_DATE_NONE)
        kh_date_format(s->first, first);
    if (s->last != KH_DATE_NONE)
        kh_date_format(s->last, last);
    kh__buf_puts(b, "{", rc);
    json_field(b, "id", s->id, rc);
    kh__buf_putc(b, ',', rc);
    json_field(b, "label", s->label, rc);
    kh__buf_printf(b, rc, ",\"first\":\"%s\",\"last\":\"%s\",", first, last);
    kh__buf_printf(b, rc, "\"articles_count\":%zu,\"sources\":[",
                   s->n_articles);
    for (size_t i = 0; i < s->n_sources; i++) {
        kh__buf_puts(b, i ? ",\"" : "\"", rc);
        kh__buf_json_escape(b, s->sources[i], strlen(s->sources[i]), rc);
        kh__buf_putc(b, '"', rc);
    }
    kh__buf_puts(b, "],\"articles\":", rc);
    kh__json_hits(b, s->articles, s->n_articles, rc);
    kh__buf_putc(b, '}', rc);
}
