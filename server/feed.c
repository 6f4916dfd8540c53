/*
 * feed.c -- an Atom 1.0 feed for any search (RFC 4287).
 *
 * A feed reader wants the newest matches: the FEED_ENTRIES newest of all
 * (kh_search_options.newest), not the newest of the best, which would
 * miss a new article that mentions the words less than old ones do.
 */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#define FEED_ENTRIES 20

static void
xml_escape(kh_buf *b, const char *s, kh_status *rc)
{
    if (s != NULL)
        kh__buf_html_escape(b, s, strlen(s), rc);
}

/* The feed of query (with its filters), titled title; require_all: the
 * juxtaposed words are all required (a saved search's semantics).  req:
 * the request whose parameters made query, for its errors (NULL for a
 * saved search). */
static void
feed(srv *s, const char *title, kh_buf *query, int require_all,
     const srv_req *req, srv_resp *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_for(s, r);
    if (ix == NULL) {
        return;
    }
    kh_search_options o = {0};
    o.limit = FEED_ENTRIES;
    o.newest = 1;
    o.require_all = require_all;
    o.hl_open = "";
    o.hl_close = "";
    kh_results *res;
    kh_status rc =
        kh_index_search(ix, query->data ? query->data : "", &o, &res, &err);
    if (rc != KH_OK && req != NULL) {
        srv_query_error(req, query, rc, &err, r); /* q: ..., with offset */
        return;
    }
    if (rc != KH_OK) {
        srv_error(r, rc == KH_EINVAL ? 400 : 503, NULL, "%s",
                  err.message[0] ? err.message : kh_strerror(rc));
        return;
    }
    size_t n = res->n_hits < FEED_ENTRIES ? res->n_hits : FEED_ENTRIES;
    char updated[32] = "1970-01-01T00:00:00Z";
    if (n > 0 && res->hits[0].date != KH_DATE_NONE)
        kh_date_format(res->hits[0].date, updated);
    kh_buf *b = &r->body;
    kh__buf_puts(
        b,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ar\">\n"
        "<title>خبر: ",
        &rc);
    xml_escape(b, title, &rc);
    kh__buf_puts(b, "</title>\n<id>urn:khabar:search:", &rc);
    /* The query is the feed's identity, percent-encoded into the URN. */
    for (const char *p = query->data ? query->data : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')
            kh__buf_putc(b, (char)c, &rc);
        else
            kh__buf_printf(b, &rc, "%%%02X", c);
    }
    kh__buf_printf(b, &rc,
                   "</id>\n<updated>%s</updated>\n"
                   "<generator>Khabar</generator>\n",
                   updated);
    for (size_t i = 0; i < n; i++) {
        const kh_hit *h = &res->hits[i];
        char date[32] = "1970-01-01T00:00:00Z";
        if (h->date != KH_DATE_NONE)
            kh_date_format(h->date, date);
        kh__buf_puts(b, "<entry>\n<title>", &rc);
        xml_escape(b, h->title && *h->title ? h->title : h->id, &rc);
        kh__buf_puts(b, "</title>\n<id>", &rc);
        if (h->url != NULL && strncmp(h->url, "http", 4) == 0) {
            xml_escape(b, h->url, &rc);
        } else {
            kh__buf_puts(b, "urn:khabar:article:", &rc);
            xml_escape(b, h->id, &rc);
        }
        kh__buf_puts(b, "</id>\n<link rel=\"alternate\" href=\"", &rc);
        if (h->url != NULL && strncmp(h->url, "http", 4) == 0) {
            xml_escape(b, h->url, &rc);
        } else {
            kh__buf_puts(b, "/article/", &rc);
            xml_escape(b, h->id, &rc);
        }
        kh__buf_printf(b, &rc, "\"/>\n<updated>%s</updated>\n", date);
        kh__buf_puts(b, "<author><name>", &rc);
        xml_escape(b, h->source && *h->source ? h->source : "Khabar", &rc);
        kh__buf_puts(b, "</name></author>\n<summary type=\"text\">", &rc);
        xml_escape(b, h->snippet, &rc);
        kh__buf_puts(b, "</summary>\n</entry>\n", &rc);
    }
    kh__buf_puts(b, "</feed>\n", &rc);
    kh_results_free(res);
    if (rc != KH_OK) {
        srv_error(r, 500, NULL, "out of memory");
        return;
    }
    r->content_type = "application/atom+xml; charset=utf-8";
}

void
srv_feed_search(srv *s, const srv_req *q, srv_resp *r)
{
    kh_buf query;
    kh__buf_init(&query);
    if (srv_search_query(q, &query, r) == 0) {
        const char *text = q->arg(q->ctx, "q");
        feed(s, text != NULL ? text : "", &query, 0, q, r);
    }
    kh__buf_release(&query);
}

void
srv_feed_subscription(srv *s, const srv_req *q, srv_resp *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_alerts *al = srv_alerts_lock(s, &err);
    if (al == NULL) {
        srv_error(r, 503, NULL, "subscriptions unavailable: %s", err.message);
        return;
    }
    char *text = NULL;
    kh_status rc = kh_alerts_feed_query(al, q->arg(q->ctx, "t"), &text, &err);
    srv_alerts_unlock(s);
    if (rc != KH_OK) {
        srv_error(r, rc == KH_ENOMEM ? 500 : 404, NULL, "%s",
                  err.message[0] ? err.message : kh_strerror(rc));
        return;
    }
    kh_buf query;
    kh__buf_init(&query);
    kh__buf_puts(&query, text, &rc);
    /* The feed of a saved search lists what its digests would: every
     * juxtaposed word required, as `khabar search --all` (alerts.md). */
    if (rc == KH_OK)
        feed(s, text, &query, 1, NULL, r);
    else
        srv_error(r, 500, NULL, "out of memory");
    kh__buf_release(&query);
    kh_free(text);
}
