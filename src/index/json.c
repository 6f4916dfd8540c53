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

void
kh__json_entity(kh_buf *b, const kh_entity *e, const char *count_name,
                kh_status *rc)
{
    kh__buf_putc(b, '{', rc);
    json_field(b, "key", e->key, rc);
    kh__buf_printf(b, rc, ",\"type\":\"%s\",", kh_entity_type_name(e->type));
    json_field(b, "name", e->name, rc);
    kh__buf_printf(b, rc, ",\"%s\":%llu}", count_name,
                   (unsigned long long)e->count);
}

void
kh__json_entities(kh_buf *b, const kh_entities *l, const char *count_name,
                  kh_status *rc)
{
    kh__buf_putc(b, '[', rc);
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0)
            kh__buf_putc(b, ',', rc);
        kh__json_entity(b, &l->items[i], count_name, rc);
    }
    kh__buf_putc(b, ']', rc);
}

/* "2015-08-06" of a day count. */
static void
day_field(kh_buf *b, const char *name, int64_t day, kh_status *rc)
{
    char d[32];
    kh_date_format(day * 86400, d);
    kh__buf_printf(b, rc, "\"%s\":\"%.10s\"", name, d);
}

void
kh__json_timeline(kh_buf *b, const kh_timeline *t, kh_status *rc)
{
    char first[32] = "", last[32] = "";
    if (t->first != KH_DATE_NONE)
        kh_date_format(t->first, first);
    if (t->last != KH_DATE_NONE)
        kh_date_format(t->last, last);
    kh__buf_putc(b, '{', rc);
    json_field(b, "label", t->label, rc);
    kh__buf_printf(b, rc, ",\"articles\":%zu,", t->articles);
    json_field(b, "first", first[0] ? first : NULL, rc);
    kh__buf_putc(b, ',', rc);
    json_field(b, "last", last[0] ? last : NULL, rc);
    kh__buf_puts(b, ",\"volume\":[", rc);
    for (size_t i = 0; i < t->n_days; i++) {
        kh__buf_puts(b, i ? ",{" : "{", rc);
        day_field(b, "day", t->volume[i].day, rc);
        kh__buf_printf(b, rc, ",\"articles\":%u}", t->volume[i].articles);
    }
    kh__buf_puts(b, "],\"events\":[", rc);
    for (size_t i = 0; i < t->n_events; i++) {
        const kh_event *e = &t->events[i];
        char pub[32] = "";
        if (e->date != KH_DATE_NONE)
            kh_date_format(e->date, pub);
        kh__buf_puts(b, i ? ",{" : "{", rc);
        day_field(b, "date", e->first, rc);
        if (e->last != e->first) {
            kh__buf_putc(b, ',', rc);
            day_field(b, "end", e->last, rc);
        }
        kh__buf_printf(b, rc, ",\"kind\":\"%s\",",
                       e->published ? "published" : "mentioned");
        json_field(b, "text", e->text, rc);
        kh__buf_putc(b, ',', rc);
        json_field(b, "id", e->id, rc);
        kh__buf_putc(b, ',', rc);
        json_field(b, "title", e->title, rc);
        kh__buf_putc(b, ',', rc);
        json_field(b, "source", e->source, rc);
        kh__buf_putc(b, ',', rc);
        json_field(b, "published", pub[0] ? pub : NULL, rc);
        kh__buf_printf(b, rc, ",\"copies\":%zu}", e->copies);
    }
    kh__buf_puts(b, "]}", rc);
}
