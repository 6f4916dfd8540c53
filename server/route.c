/*
 * route.c -- one request in, one response out.
 *
 * Paths are matched exactly; an article id is whatever follows
 * /api/articles/ (ids may be URLs, so they may hold slashes), with a
 * trailing /related naming the related articles.  Nothing here touches a
 * socket: fuzz/fuzz_http.c drives srv_handle() directly.
 */
#include "server.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
srv_resp_release(srv_resp *r)
{
    kh__buf_release(&r->body);
}

void
srv_error(srv_resp *r, int status, const kh_error *err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kh_status rc = KH_OK;
    kh__buf_reset(&r->body);
    r->fixed = NULL;
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    kh__buf_printf(&r->body, &rc, "{\"error\":{\"status\":%d,\"message\":\"",
                   status);
    kh__buf_json_escape(&r->body, msg, strlen(msg), &rc);
    kh__buf_putc(&r->body, '"', &rc);
    if (err != NULL && err->has_offset)
        kh__buf_printf(&r->body, &rc, ",\"offset\":%zu", err->offset);
    kh__buf_puts(&r->body, "}}\n", &rc);
    if (rc != KH_OK) {
        kh__buf_reset(&r->body);
        r->status = 500;
    }
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
srv_decode(const char *s, size_t n, int form, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '+' && form) {
            c = ' ';
        } else if (c == '%' && i + 2 < n) {
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h >= 0 && l >= 0) {
                c = h * 16 + l;
                i += 2;
            }
        }
        if (c == 0 || o + 1 >= cap)
            return -1; /* a NUL would cut the value short; too long */
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

const char *
srv_form_value(const char *body, size_t len, const char *name, char *out,
               size_t cap)
{
    size_t nlen = strlen(name);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        if (end - i > nlen && memcmp(body + i, name, nlen) == 0 &&
            body[i + nlen] == '=') {
            size_t v = i + nlen + 1;
            return srv_decode(body + v, end - v, 1, out, cap) == 0 ? out : NULL;
        }
        i = end + 1;
    }
    return NULL;
}

static int
is(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

/* Whether the method is one the route takes; else a 405 naming them. */
static int
method_ok(const srv_req *q, srv_resp *r, const char *allowed)
{
    if (is(q->method, allowed) || (is(allowed, "GET") && is(q->method, "HEAD")))
        return 1;
    r->allow = is(allowed, "GET") ? "GET, HEAD" : allowed;
    srv_error(r, 405, NULL, "method %.20s not allowed here (use %s)", q->method,
              allowed);
    return 0;
}

static const char articles_prefix[] = "/api/articles/";
static const char stories_prefix[] = "/api/stories/";
static const char related_suffix[] = "/related";
static const char entities_suffix[] = "/entities";
static const char timeline_suffix[] = "/timeline";
static const char entities_prefix[] = "/api/entities/";

/* Whether id ends with suffix: then the id without it goes to buf. */
static int
cut_suffix(const char *id, const char *suffix, char *buf, size_t cap)
{
    size_t il = strlen(id), sl = strlen(suffix);
    if (il <= sl || !is(id + il - sl, suffix) || il - sl >= cap)
        return 0;
    memcpy(buf, id, il - sl);
    buf[il - sl] = '\0';
    return 1;
}

/* Whether path is the app's page of an article (or of its story) that
 * the index does not hold: the page is served all the same, with 404. */
static bool
missing_article(srv *s, const char *path)
{
    static const char *const pages[] = {"/article/", "/story/"};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        size_t n = strlen(pages[i]);
        if (strncmp(path, pages[i], n) != 0 || path[n] == '\0')
            continue;
        kh_error err;
        memset(&err, 0, sizeof err);
        kh_index *ix = srv_reader_get(s, &err);
        if (ix == NULL)
            return false;
        kh_doc *d = NULL;
        kh_status rc = kh_index_get(ix, path + n, &d, &err);
        kh_doc_free(d);
        return rc == KH_ENOTFOUND;
    }
    return false;
}

static void
route(srv *s, const srv_req *q, srv_resp *r)
{
    const char *p = q->path;
    size_t n = strlen(p);
    if (is(p, "/api/search")) {
        r->route = SRV_R_SEARCH;
        if (method_ok(q, r, "GET"))
            srv_api_search(s, q, r);
    } else if (is(p, "/api/articles")) {
        r->route = SRV_R_INGEST;
        if (method_ok(q, r, "POST"))
            srv_api_ingest(s, q, r);
    } else if (strncmp(p, articles_prefix, sizeof articles_prefix - 1) == 0 &&
               n > sizeof articles_prefix - 1) {
        const char *id = p + sizeof articles_prefix - 1;
        size_t idlen = strlen(id);
        size_t sl = sizeof related_suffix - 1;
        char ebuf[2048];
        if (cut_suffix(id, entities_suffix, ebuf, sizeof ebuf)) {
            r->route = SRV_R_ENTITIES;
            if (method_ok(q, r, "GET"))
                srv_api_article_entities(s, ebuf, r);
        } else if (idlen > sl && is(id + idlen - sl, related_suffix)) {
            r->route = SRV_R_RELATED;
            char buf[2048];
            if (idlen - sl >= sizeof buf) {
                srv_error(r, 404, NULL, "no article with that id");
                return;
            }
            memcpy(buf, id, idlen - sl);
            buf[idlen - sl] = '\0';
            if (method_ok(q, r, "GET"))
                srv_api_related(s, q, buf, r);
        } else {
            r->route = SRV_R_ARTICLE;
            if (method_ok(q, r, "GET"))
                srv_api_article(s, id, r);
        }
    } else if (strncmp(p, stories_prefix, sizeof stories_prefix - 1) == 0 &&
               n > sizeof stories_prefix - 1) {
        const char *id = p + sizeof stories_prefix - 1;
        char buf[2048];
        if (cut_suffix(id, timeline_suffix, buf, sizeof buf)) {
            r->route = SRV_R_TIMELINE;
            if (method_ok(q, r, "GET"))
                srv_api_story_timeline(s, buf, r);
        } else {
            r->route = SRV_R_STORY;
            if (method_ok(q, r, "GET"))
                srv_api_story(s, id, r);
        }
    } else if (is(p, "/api/entities")) {
        r->route = SRV_R_ENTITIES;
        if (method_ok(q, r, "GET"))
            srv_api_entities(s, q, r);
    } else if (strncmp(p, entities_prefix, sizeof entities_prefix - 1) == 0 &&
               n > sizeof entities_prefix - 1) {
        r->route = SRV_R_TIMELINE;
        if (method_ok(q, r, "GET"))
            srv_api_entity(s, p + sizeof entities_prefix - 1, r);
    } else if (is(p, "/api/subscriptions")) {
        r->route = SRV_R_SUBSCRIBE;
        if (method_ok(q, r, "POST"))
            srv_api_subscribe(s, q, r);
    } else if (is(p, "/confirm")) {
        r->route = SRV_R_CONFIRM;
        if (method_ok(q, r, "GET"))
            srv_page_confirm(s, q, r);
    } else if (is(p, "/unsubscribe")) {
        r->route = SRV_R_UNSUBSCRIBE;
        if (is(q->method, "POST") || method_ok(q, r, "GET"))
            srv_page_unsubscribe(s, q, r);
    } else if (is(p, "/feeds/subscription.atom")) {
        r->route = SRV_R_FEED;
        if (method_ok(q, r, "GET"))
            srv_feed_subscription(s, q, r);
    } else if (is(p, "/feeds/search.atom")) {
        r->route = SRV_R_FEED;
        if (method_ok(q, r, "GET"))
            srv_feed_search(s, q, r);
    } else if (is(p, "/healthz")) {
        r->route = SRV_R_HEALTH;
        if (method_ok(q, r, "GET"))
            srv_api_health(s, r);
    } else if (is(p, "/metrics")) {
        r->route = SRV_R_METRICS;
        if (method_ok(q, r, "GET"))
            srv_metrics_render(s, r);
    } else if (strncmp(p, "/api/", 5) == 0 || is(p, "/api")) {
        srv_error(r, 404, NULL, "no such endpoint: %.200s (see docs/api.md)",
                  p);
    } else {
        r->route = SRV_R_STATIC;
        if (!method_ok(q, r, "GET"))
            return;
        if (!srv_asset(p, r)) {
            r->route = SRV_R_OTHER;
            srv_error(r, 404, NULL, "not found: %.200s", p);
        } else if (missing_article(s, p)) {
            r->status = 404; /* the app says so too; crawlers see it */
        }
    }
}

void
srv_handle(srv *s, const srv_req *q, srv_resp *r)
{
    memset(r, 0, sizeof *r);
    kh__buf_init(&r->body);
    r->status = 200;
    r->route = SRV_R_OTHER;
    r->content_type = "application/json; charset=utf-8";
    route(s, q, r);
}
