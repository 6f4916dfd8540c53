/*
 * api.c -- the JSON endpoints (docs/api.md).
 */
#include "server.h"
#include "../cli/article.h"
#include "alert/alert.h"
#include "index/json.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PER_PAGE 100
#define MAX_OFFSET   10000 /* deeper pages are not worth their cost */

/* A non-negative integer parameter within [lo, hi], else dflt; -1 (after
 * an error response) when present but not a number in range. */
static long
int_arg(const srv_req *q, srv_resp *r, const char *name, long dflt, long lo,
        long hi)
{
    const char *v = q->arg(q->ctx, name);
    if (v == NULL || *v == '\0')
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end != '\0' || n < lo || n > hi) {
        srv_error(r, 400, NULL, "%s: must be a number from %ld to %ld", name,
                  lo, hi);
        return -1;
    }
    return n;
}

static void
finish_json(srv_resp *r, kh_status rc)
{
    if (rc != KH_OK)
        srv_error(r, 500, NULL, "out of memory");
}

/* An error from the library as a response: not found 404, a query's
 * syntax 400, the rest 500 (or 503 when the index cannot be read). */
static void
lib_error(srv_resp *r, kh_status rc, const kh_error *err, int notfound)
{
    const char *msg = err->message[0] ? err->message : kh_strerror(rc);
    switch (rc) {
    case KH_ENOTFOUND:
        srv_error(r, notfound, NULL, "%s", msg);
        break;
    case KH_EINVAL:
        srv_error(r, 400, err, "%s", msg);
        break;
    case KH_EIO:
    case KH_ECORRUPT:
        srv_error(r, 503, NULL, "%s", msg);
        break;
    default:
        srv_error(r, 500, NULL, "%s", msg);
    }
}

/* The filters are put before the query so that nothing in it (an open
 * quote, a trailing OR) can swallow them; a syntax error's offset is
 * then moved back by their length. */
int
srv_search_query(const srv_req *q, kh_buf *b, srv_resp *r)
{
    kh_status rc = KH_OK;
    const char *source = q->arg(q->ctx, "source");
    if (source != NULL && *source) {
        if (strpbrk(source, "\"«»“”") != NULL) {
            srv_error(r, 400, NULL,
                      "source: quotes are not allowed in a "
                      "source name");
            return -1;
        }
        kh__buf_printf(b, &rc, "source:\"%s\" ", source);
    }
    const char *entity = q->arg(q->ctx, "entity");
    if (entity != NULL && *entity) {
        if (strpbrk(entity, "\"«»“”") != NULL) {
            srv_error(r, 400, NULL, "entity: quotes are not allowed in a name");
            return -1;
        }
        kh__buf_printf(b, &rc, "entity:\"%s\" ", entity);
    }
    static const char *const dates[] = {"since", "until"};
    for (int i = 0; i < 2; i++) {
        const char *v = q->arg(q->ctx, dates[i]);
        if (v == NULL || *v == '\0')
            continue;
        int64_t t;
        if (kh_date_parse(v, strlen(v), &t) != KH_OK) {
            srv_error(r, 400, NULL,
                      "%s: '%.60s' is not an ISO 8601 date (2015-07-21)",
                      dates[i], v);
            return -1;
        }
        kh__buf_printf(b, &rc, "%s:%s ", dates[i], v);
    }
    const char *text = q->arg(q->ctx, "q");
    kh__buf_puts(b, text != NULL ? text : "", &rc);
    if (rc != KH_OK) {
        srv_error(r, 500, NULL, "out of memory");
        return -1;
    }
    return 0;
}

/* The parameter whose filter srv_search_query() wrote at byte off of
 * the query (they are written in this order, each as written there);
 * "q" past them. */
static const char *
filter_at(const srv_req *q, size_t off)
{
    static const char *const names[] = {"source", "entity", "since", "until"};
    size_t at = 0;
    for (int i = 0; i < 4; i++) {
        const char *v = q->arg(q->ctx, names[i]);
        if (v == NULL || *v == '\0')
            continue;
        /* source:"v" , entity:"v" , since:v , until:v , each and a space */
        at += strlen(names[i]) + 1 + strlen(v) + (i < 2 ? 3 : 1);
        if (off < at)
            return names[i];
    }
    return "q";
}

void
srv_query_error(const srv_req *q, const kh_buf *b, kh_status rc, kh_error *err,
                srv_resp *r)
{
    if (rc != KH_EINVAL) {
        lib_error(r, rc, err, 400);
        return;
    }
    const char *text = q->arg(q->ctx, "q");
    size_t fl = b->len - (text != NULL ? strlen(text) : 0);
    const char *name = err->has_offset ? filter_at(q, err->offset) : "q";
    if (strcmp(name, "q") != 0) {
        /* about a parameter of its own: its name, and no offset into q */
        size_t nl = strlen(name);
        const char *m = err->message;
        if (strncmp(m, name, nl) == 0 && m[nl] == ':')
            m += nl + 1 + (m[nl + 1] == ' ');
        err->has_offset = 0;
        srv_error(r, 400, NULL, "%s: %s", name, m);
        return;
    }
    if (err->has_offset)
        err->offset = err->offset >= fl ? err->offset - fl : 0;
    srv_error(r, 400, err, "q: %s", err->message);
}

void
srv_api_search(srv *s, const srv_req *q, srv_resp *r)
{
    long page = int_arg(q, r, "page", 1, 1, MAX_OFFSET);
    if (page < 0)
        return;
    long n = int_arg(q, r, "n", 10, 1, MAX_PER_PAGE);
    if (n < 0)
        return;
    if ((page - 1) * n > MAX_OFFSET) {
        srv_error(r, 400, NULL, "page: at most %d hits deep", MAX_OFFSET);
        return;
    }
    const char *collapse = q->arg(q->ctx, "collapse");
    if (collapse != NULL && *collapse != '\0' && strcmp(collapse, "0") != 0 &&
        strcmp(collapse, "1") != 0) {
        srv_error(r, 400, NULL, "collapse: must be 0 or 1");
        return;
    }
    kh_buf query;
    kh__buf_init(&query);
    if (srv_search_query(q, &query, r) != 0) {
        kh__buf_release(&query);
        return;
    }
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_for(s, r);
    if (ix == NULL) {
        kh__buf_release(&query);
        return;
    }
    kh_search_options o = {0};
    o.limit = (size_t)n;
    o.offset = (size_t)((page - 1) * n);
    o.hl_open = "<mark>";
    o.hl_close = "</mark>";
    o.hl_html = 1;
    o.no_collapse = collapse != NULL && strcmp(collapse, "0") == 0;
    kh_results *res;
    kh_status rc =
        kh_index_search(ix, query.data ? query.data : "", &o, &res, &err);
    if (rc != KH_OK) {
        srv_query_error(q, &query, rc, &err, r);
        kh__buf_release(&query);
        return;
    }
    const char *text = q->arg(q->ctx, "q");
    kh_buf *b = &r->body;
    kh__buf_puts(b, "{\"query\":\"", &rc);
    if (text != NULL)
        kh__buf_json_escape(b, text, strlen(text), &rc);
    kh__buf_printf(b, &rc,
                   "\",\"total\":%zu,\"total_exact\":%s,\"took_ms\":%.3f,"
                   "\"page\":%ld,\"per_page\":%ld,\"hits\":",
                   res->total, res->total_exact ? "true" : "false",
                   res->took_ms, page, n);
    kh__json_hits(b, res->hits, res->n_hits, &rc);
    kh__buf_puts(b, "}\n", &rc);
    kh_results_free(res);
    kh__buf_release(&query);
    finish_json(r, rc);
}

void
srv_api_article(srv *s, const char *id, srv_resp *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_for(s, r);
    if (ix == NULL) {
        return;
    }
    kh_doc *d;
    kh_status rc = kh_index_get(ix, id, &d, &err);
    if (rc != KH_OK) {
        lib_error(r, rc, &err, 404);
        return;
    }
    kh__json_hit(&r->body, &d->meta, d->body ? d->body : "", &rc);
    kh__buf_putc(&r->body, '\n', &rc);
    kh_doc_free(d);
    finish_json(r, rc);
}

void
srv_api_related(srv *s, const srv_req *q, const char *id, srv_resp *r)
{
    long n = int_arg(q, r, "n", 5, 1, 50);
    if (n < 0)
        return;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_for(s, r);
    if (ix == NULL) {
        return;
    }
    kh_results *res;
    kh_status rc = kh_index_related(ix, id, (size_t)n, &res, &err);
    if (rc != KH_OK) {
        lib_error(r, rc, &err, 404);
        return;
    }
    kh__buf_printf(&r->body, &rc, "{\"took_ms\":%.3f,\"hits\":", res->took_ms);
    kh__json_hits(&r->body, res->hits, res->n_hits, &rc);
    kh__buf_puts(&r->body, "}\n", &rc);
    kh_results_free(res);
    finish_json(r, rc);
}

void
srv_api_story(srv *s, const char *id, srv_resp *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_for(s, r);
    if (ix == NULL) {
        return;
    }
    kh_story *st;
    kh_status rc = kh_index_story(ix, id, &st, &err);
    if (rc != KH_OK) {
        lib_error(r, rc, &err, 404);
        return;
    }
    kh__json_story(&r->body, st, &rc);
    kh__buf_putc(&r->body, '\n', &rc);
    kh_story_free(st);
    finish_json(r, rc);
}

void
srv_api_health(srv *s, srv_resp *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_get(s, &err);
    kh_index_stats st;
    if (ix == NULL || kh_index_stats_get(ix, &st, &err) != KH_OK) {
        srv_error(r, 503, NULL, "the index cannot be read: %s", err.message);
        return;
    }
    kh_status rc = KH_OK;
    kh__buf_printf(&r->body, &rc,
                   "{\"status\":\"ok\",\"articles\":%llu,\"segments\":%llu}\n",
                   (unsigned long long)st.articles,
                   (unsigned long long)st.segments);
    finish_json(r, rc);
}

/* Compares in constant time, so that the time taken does not tell how
 * much of a guessed token was right (the length may show). */
static int
token_equal(const char *a, const char *b)
{
    size_t la = strlen(a);
    return la == strlen(b) && CRYPTO_memcmp(a, b, la) == 0;
}

/* Whether the request carries the server's token; else an error response. */
static int
authorized(srv *s, const srv_req *q, srv_resp *r)
{
    if (s->token == NULL || s->token[0] == '\0') {
        srv_error(r, 403, NULL,
                  "ingest over HTTP is off: start the server with --token "
                  "or KHABAR_TOKEN");
        return 0;
    }
    const char *given = q->header(q->ctx, "X-Khabar-Token");
    const char *auth = q->header(q->ctx, "Authorization");
    if (given == NULL && auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
        given = auth + 7;
    if (given == NULL) {
        srv_error(r, 401, NULL,
                  "a token is needed: Authorization: Bearer TOKEN");
        return 0;
    }
    if (!token_equal(s->token, given)) {
        srv_error(r, 403, NULL, "wrong token");
        return 0;
    }
    return 1;
}

/* The media type of a Content-Type, lower case, without parameters. */
static void
media_type(const char *ct, char *out, size_t cap)
{
    size_t i = 0;
    if (ct != NULL)
        for (; ct[i] && ct[i] != ';' && ct[i] != ' ' && i + 1 < cap; i++)
            out[i] = (char)(ct[i] >= 'A' && ct[i] <= 'Z' ? ct[i] + 32 : ct[i]);
    out[i] = '\0';
}

static void
add_article(srv *s, const kh_article *a, srv_resp *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *w = srv_writer_lock(s, &err);
    if (w == NULL) {
        srv_error(r, 503, NULL, "cannot write the index now: %s", err.message);
        return;
    }
    int replaced = 0;
    kh_status rc = kh_index_add(w, a, &replaced, &err);
    if (rc == KH_OK)
        rc = kh_index_commit(w, &err);
    srv_writer_unlock(s);
    if (rc != KH_OK) {
        srv_error(r, rc == KH_ENOMEM ? 500 : 503, NULL, "%s",
                  err.message[0] ? err.message : kh_strerror(rc));
        return;
    }
    atomic_fetch_add(&s->metrics.ingested, 1);
    if (replaced)
        atomic_fetch_add(&s->metrics.replaced, 1);
    char keybuf[KH_KEY_MAX];
    const char *key = kh_article_key(a, keybuf);
    r->status = replaced ? 200 : 201;
    kh__buf_puts(&r->body, "{\"id\":\"", &rc);
    kh__buf_json_escape(&r->body, key, strlen(key), &rc);
    kh__buf_printf(&r->body, &rc, "\",\"replaced\":%s}\n",
                   replaced ? "true" : "false");
    finish_json(r, rc);
}

void
srv_api_ingest(srv *s, const srv_req *q, srv_resp *r)
{
    if (!authorized(s, q, r))
        return;
    char mt[64];
    media_type(q->header(q->ctx, "Content-Type"), mt, sizeof mt);
    if (q->body == NULL || q->body_len == 0) {
        srv_error(r, 400, NULL, "the request has no body");
        return;
    }
    if (strcmp(mt, "application/json") == 0) {
        json_error_t jerr;
        json_t *o = json_loadb(q->body, q->body_len, 0, &jerr);
        if (o == NULL || !json_is_object(o)) {
            srv_error(r, 400, NULL, "not a JSON object: %s",
                      o == NULL ? jerr.text : "wrong type");
            json_decref(o);
            return;
        }
        kh_article a;
        char idbuf[32], why[200];
        if (cli_article_from_json(o, &a, idbuf, why, sizeof why) != 0)
            srv_error(r, 400, NULL, "%s", why);
        else
            add_article(s, &a, r);
        json_decref(o);
    } else if (strcmp(mt, "text/html") == 0 ||
               strcmp(mt, "application/xhtml+xml") == 0) {
        char csbuf[64];
        const char *charset = cli_ct_charset(q->header(q->ctx, "Content-Type"),
                                             csbuf, sizeof csbuf);
        const char *url = q->arg(q->ctx, "url");
        cli_doc d;
        kh_error err;
        memset(&err, 0, sizeof err);
        pthread_mutex_lock(&s->writer_lock);
        if (s->sites == NULL && kh_sitemodel_new(&s->sites) != KH_OK)
            s->sites = NULL;
        kh_status rc = cli_doc_from_page(&d, q->body, q->body_len, url, charset,
                                         NULL, s->sites, &err);
        pthread_mutex_unlock(&s->writer_lock);
        if (rc == KH_ENOMEM)
            srv_error(r, 500, NULL, "out of memory");
        else if (rc != KH_OK)
            srv_error(r, 400, NULL, "not a page: %s",
                      err.message[0] ? err.message : kh_strerror(rc));
        else if (d.a.body == NULL || d.a.body[0] == '\0')
            srv_error(r, 422, NULL, "no article text in the page");
        else
            add_article(s, &d.a, r);
        cli_doc_release(&d);
    } else {
        srv_error(r, 415, NULL,
                  "Content-Type must be application/json or text/html");
    }
}

void
srv_api_subscribe(srv *s, const srv_req *q, srv_resp *r)
{
    char mt[64];
    media_type(q->header(q->ctx, "Content-Type"), mt, sizeof mt);
    char email[512], query[8192], freq[32];
    const char *e = NULL, *qq = NULL, *f = NULL;
    json_t *o = NULL;
    if (strcmp(mt, "application/json") == 0) {
        o = q->body ? json_loadb(q->body, q->body_len, 0, NULL) : NULL;
        if (!json_is_object(o)) {
            json_decref(o);
            srv_error(r, 400, NULL, "not a JSON object");
            return;
        }
        e = json_string_value(json_object_get(o, "email"));
        qq = json_string_value(json_object_get(o, "query"));
        f = json_string_value(json_object_get(o, "frequency"));
    } else if (strcmp(mt, "application/x-www-form-urlencoded") == 0) {
        const char *b = q->body ? q->body : "";
        e = srv_form_value(b, q->body_len, "email", email, sizeof email);
        qq = srv_form_value(b, q->body_len, "query", query, sizeof query);
        f = srv_form_value(b, q->body_len, "frequency", freq, sizeof freq);
    } else {
        srv_error(r, 415, NULL,
                  "Content-Type must be a form "
                  "(application/x-www-form-urlencoded) or "
                  "application/json");
        return;
    }
    if (f != NULL && *f == '\0')
        f = NULL;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_alerts *al = srv_alerts_lock(s, &err);
    if (al == NULL) {
        srv_error(r, 503, NULL, "subscriptions unavailable: %s", err.message);
        json_decref(o);
        return;
    }
    kh_status rc = kh_alerts_subscribe(al, e, qq, f, 0, NULL, &err);
    srv_alerts_unlock(s);
    json_decref(o);
    if (rc == KH_EINVAL) {
        srv_error(r, 400, &err, "%s", err.message);
    } else if (rc != KH_OK) {
        srv_error(r, 503, NULL, "cannot store the request: %s", err.message);
    } else {
        atomic_fetch_add(&s->metrics.subscriptions, 1);
        r->status = 202;
        kh__buf_puts(&r->body,
                     "{\"status\":\"pending\",\"message\":\"تم استلام "
                     "طلبك. إن كان العنوان صحيحًا فستصله رسالة لتأكيد "
                     "الاشتراك.\"}\n",
                     &rc);
        finish_json(r, rc);
    }
}

/* GET /api/articles/{id}/entities */
void
srv_api_article_entities(srv *s, const char *id, srv_resp *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_for(s, r);
    if (ix == NULL)
        return;
    kh_entities *l;
    kh_status rc = kh_index_article_entities(ix, id, &l, &err);
    if (rc != KH_OK) {
        lib_error(r, rc, &err, 404);
        return;
    }
    kh__buf_puts(&r->body, "{\"entities\":", &rc);
    kh__json_entities(&r->body, l, "mentions", &rc);
    kh__buf_puts(&r->body, "}\n", &rc);
    kh_entities_free(l);
    finish_json(r, rc);
}

/* GET /api/entities?q=NAME[&n=N] */
void
srv_api_entities(srv *s, const srv_req *q, srv_resp *r)
{
    long n = int_arg(q, r, "n", 20, 1, 100);
    if (n < 0)
        return;
    const char *name = q->arg(q->ctx, "q");
    if (name == NULL || *name == '\0') {
        srv_error(r, 400, NULL, "q: a name is needed (any script)");
        return;
    }
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_for(s, r);
    if (ix == NULL)
        return;
    kh_entities *l;
    kh_status rc = kh_index_entity_find(ix, name, (size_t)n, &l, &err);
    if (rc == KH_EINVAL) { /* the message is the entity: filter's */
        const char *m = err.message;
        if (strncmp(m, "entity: ", 8) == 0)
            m += 8;
        srv_error(r, 400, NULL, "q: %s", m);
        return;
    }
    if (rc != KH_OK) {
        lib_error(r, rc, &err, 404);
        return;
    }
    kh__buf_puts(&r->body, "{\"query\":\"", &rc);
    kh__buf_json_escape(&r->body, name, strlen(name), &rc);
    kh__buf_puts(&r->body, "\",\"entities\":", &rc);
    kh__json_entities(&r->body, l, "articles", &rc);
    kh__buf_puts(&r->body, "}\n", &rc);
    kh_entities_free(l);
    finish_json(r, rc);
}

/* Appends "timeline": the timeline of o. */
static kh_status
timeline_json(kh_index *ix, const kh_timeline_options *o, srv_resp *r,
              kh_error *err)
{
    kh_timeline *t;
    kh_status rc = kh_index_timeline(ix, o, &t, err);
    if (rc != KH_OK)
        return rc;
    kh__buf_puts(&r->body, "\"timeline\":", &rc);
    kh__json_timeline(&r->body, t, &rc);
    kh_timeline_free(t);
    return rc;
}

/* GET /api/entities/{key}: the entity and its timeline. */
void
srv_api_entity(srv *s, const char *key, srv_resp *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_for(s, r);
    if (ix == NULL)
        return;
    kh_entities *l;
    kh_status rc = kh_index_entity_find(ix, key, 1, &l, &err);
    if (rc == KH_OK && l->n == 0) {
        kh_entities_free(l);
        srv_error(r, 404, NULL, "no entity %.200s", key);
        return;
    }
    if (rc != KH_OK) {
        lib_error(r, rc, &err, 404);
        return;
    }
    kh__buf_puts(&r->body, "{\"entity\":", &rc);
    kh__json_entity(&r->body, &l->items[0], "articles", &rc);
    kh__buf_putc(&r->body, ',', &rc);
    kh_timeline_options o = {NULL, l->items[0].key, 0, 0};
    if (rc == KH_OK)
        rc = timeline_json(ix, &o, r, &err);
    kh_entities_free(l);
    if (rc != KH_OK && rc != KH_ENOMEM) {
        kh__buf_reset(&r->body);
        lib_error(r, rc, &err, 404);
        return;
    }
    kh__buf_puts(&r->body, "}\n", &rc);
    finish_json(r, rc);
}

/* GET /api/stories/{id}/timeline */
void
srv_api_story_timeline(srv *s, const char *id, srv_resp *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_for(s, r);
    if (ix == NULL)
        return;
    kh_timeline_options o = {id, NULL, 0, 0};
    kh_status rc = KH_OK;
    kh__buf_putc(&r->body, '{', &rc);
    rc = timeline_json(ix, &o, r, &err);
    if (rc != KH_OK && rc != KH_ENOMEM) {
        kh__buf_reset(&r->body);
        lib_error(r, rc, &err, 404);
        return;
    }
    kh__buf_puts(&r->body, "}\n", &rc);
    finish_json(r, rc);
}
