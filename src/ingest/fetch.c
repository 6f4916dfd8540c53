/*
 * fetch.c -- a polite HTTP GET on libcurl (see fetch.h).
 *
 * Politeness lives here, not in the callers: every request, robots.txt
 * and redirect hops included, waits until the host's delay has passed
 * since its previous request ended; pages asked with KH_FETCH_ROBOTS are
 * checked against the host's robots.txt, fetched once and cached (24 h,
 * or 10 min when it could not be read: RFC 9309 asks for a complete
 * disallow while a server error lasts, and allows everything on a 4xx).
 * Redirects are followed here one hop at a time rather than by libcurl so
 * that each hop is subject to the same rules.
 *
 * Limits keep a hostile or broken server from holding us: a connect
 * timeout, a timeout per request, a low-speed limit (a server that stops
 * sending is dropped), a body size limit counted after gzip decoding (a
 * small gzip bomb cannot grow past it) and a bounded number of hops.
 */
#include "ingest/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_HOSTS         1024
#define ROBOTS_MAX_BODY   (512 * 1024)
#define ROBOTS_TTL        (24 * 3600.0)
#define ROBOTS_TTL_FAILED 600.0
#define MAX_CRAWL_DELAY   60.0
#define MAX_RETRY_AFTER   (6 * 3600.0)
#define DEFAULT_BACKOFF   60.0 /* after a 429 without Retry-After */

typedef struct host {
    char *origin;          /* "scheme://host:port" */
    double last_end;       /* when its last request ended (monotonic s) */
    double last_use;       /* for eviction */
    kh_robots *robots;     /* NULL until fetched */
    double robots_until;   /* when the cached rules expire */
    char robots_note[160]; /* why everything is denied, or "" */
    double not_before;     /* a Retry-After: no request before this */
} host;

struct kh_fetcher {
    kh_fetch_options o;
    CURL *curl; /* one handle: its connection cache is reused */
    host *hosts;
    size_t n_hosts;
    unsigned long requests;
    char errbuf[CURL_ERROR_SIZE];
};

/* The body being received. */
typedef struct sink {
    kh_buf b;
    size_t max;   /* bytes kept at most */
    int truncate; /* past max: keep the first max bytes, not an error */
    int over;     /* max was passed */
    kh_status rc;
} sink;

static int
stopped(const kh_fetcher *f)
{
    return f->o.stop != NULL && *f->o.stop != 0;
}

void
kh__fetch_options_init(kh_fetch_options *o)
{
    memset(o, 0, sizeof *o);
    o->user_agent = KH_FETCH_USER_AGENT;
    o->robots_agent = KH_FETCH_ROBOTS_AGENT;
    o->connect_timeout = 10;
    o->timeout = 30;
    o->delay = 1;
    o->max_body = 8u << 20;
    o->max_redirects = 5;
}

kh_status
kh__fetcher_new(const kh_fetch_options *o, kh_fetcher **out, kh_error *err)
{
    static int global_done;
    *out = NULL;
    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            kh__set_error(err, "libcurl failed to initialize");
            return KH_EIO;
        }
        global_done = 1;
    }
    kh_fetcher *f = kh_malloc(sizeof *f);
    if (f == NULL)
        return KH_ENOMEM;
    memset(f, 0, sizeof *f);
    f->o = *o;
    f->hosts = kh_malloc(MAX_HOSTS * sizeof *f->hosts);
    f->curl = curl_easy_init();
    if (f->hosts == NULL || f->curl == NULL) {
        kh__fetcher_free(f);
        kh__set_error(err, "out of memory");
        return KH_ENOMEM;
    }
    *out = f;
    return KH_OK;
}

void
kh__fetcher_free(kh_fetcher *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n_hosts; i++) {
        kh_free(f->hosts[i].origin);
        kh__robots_free(f->hosts[i].robots);
    }
    kh_free(f->hosts);
    if (f->curl != NULL)
        curl_easy_cleanup(f->curl);
    kh_free(f);
}

unsigned long
kh__fetcher_requests(const kh_fetcher *f)
{
    return f->requests;
}

void
kh__fetch_result_release(kh_fetch_result *r)
{
    kh_free(r->body);
    kh_free(r->content_type);
    kh_free(r->etag);
    kh_free(r->last_modified);
    kh_free(r->url);
    memset(r, 0, sizeof *r);
}

static char *
dup_str(const char *s)
{
    return s != NULL ? kh__strndup(s, strlen(s)) : NULL;
}

/* A copy of url with the bytes a request line cannot carry (controls,
 * space, non-ASCII: feeds often link raw Arabic paths) percent-encoded;
 * NULL on ENOMEM. */
static char *
encode_url(const char *url)
{
    static const char hex[] = "0123456789ABCDEF";
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f) {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            kh__buf_append(&b, e, 3, &rc);
        } else {
            kh__buf_putc(&b, (char)*p, &rc);
        }
    }
    char *s = kh__buf_detach(&b, NULL, &rc);
    kh__buf_release(&b);
    if (rc != KH_OK) {
        kh_free(s);
        return NULL;
    }
    return s;
}

/* Splits an http(s) URL into its origin ("scheme://host:port") and the
 * path with its query, both new strings. */
static kh_status
split_url(const char *url, char **origin, char **path, kh_error *err)
{
    *origin = *path = NULL;
    CURLU *u = curl_url();
    if (u == NULL)
        return KH_ENOMEM;
    char *scheme = NULL, *hostname = NULL, *port = NULL, *p = NULL, *q = NULL;
    kh_status rc = KH_OK;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &hostname, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
            CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK) {
        kh__set_error(err, "not a URL: %.200s", url);
        rc = KH_EINVAL;
    } else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        kh__set_error(err, "not an http(s) URL: %.200s", url);
        rc = KH_EINVAL;
    } else {
        if (curl_url_get(u, CURLUPART_QUERY, &q, 0) != CURLUE_OK)
            q = NULL;
        kh_buf b;
        kh__buf_init(&b);
        kh__buf_printf(&b, &rc, "%s://%s:%s", scheme, hostname, port);
        *origin = kh__buf_detach(&b, NULL, &rc);
        kh__buf_printf(&b, &rc, "%s%s%s", p, q ? "?" : "", q ? q : "");
        *path = kh__buf_detach(&b, NULL, &rc);
        kh__buf_release(&b);
        if (rc != KH_OK) {
            kh_free(*origin);
            kh_free(*path);
            *origin = *path = NULL;
            kh__set_error(err, "out of memory");
        }
    }
    curl_free(scheme);
    curl_free(hostname);
    curl_free(port);
    curl_free(p);
    curl_free(q);
    curl_url_cleanup(u);
    return rc;
}

/* The host entry of origin, created when missing (the least recently
 * used one is forgotten when the table is full); NULL on ENOMEM. */
static host *
host_get(kh_fetcher *f, const char *origin)
{
    for (size_t i = 0; i < f->n_hosts; i++)
        if (strcmp(f->hosts[i].origin, origin) == 0) {
            f->hosts[i].last_use = kh__now();
            return &f->hosts[i];
        }
    char *copy = dup_str(origin);
    if (copy == NULL)
        return NULL;
    host *h;
    if (f->n_hosts < MAX_HOSTS) {
        h = &f->hosts[f->n_hosts++];
    } else {
        h = &f->hosts[0];
        for (size_t i = 1; i < f->n_hosts; i++)
            if (f->hosts[i].last_use < h->last_use)
                h = &f->hosts[i];
        kh_free(h->origin);
        kh__robots_free(h->robots);
    }
    memset(h, 0, sizeof *h);
    h->origin = copy;
    h->last_end = -1e9;
    h->last_use = kh__now();
    return h;
}

static double
host_delay(const kh_fetcher *f, const host *h)
{
    double d = f->o.delay;
    if (h->robots != NULL) {
        double c = kh__robots_crawl_delay(h->robots);
        if (c > MAX_CRAWL_DELAY)
            c = MAX_CRAWL_DELAY;
        if (c > d)
            d = c;
    }
    return d;
}

/* Sleeps until the host may be asked again; KH_EIO when stopped. */
static kh_status
wait_host(kh_fetcher *f, const char *origin, kh_error *err)
{
    host *h = host_get(f, origin);
    if (h == NULL)
        return KH_ENOMEM;
    double until = h->last_end + host_delay(f, h);
    for (;;) {
        if (stopped(f)) {
            kh__set_error(err, "interrupted");
            return KH_EIO;
        }
        double left = until - kh__now();
        if (left <= 0)
            return KH_OK;
        if (left > 0.1)
            left = 0.1; /* wake up to look at the stop flag */
        struct timespec ts = {0, (long)(left * 1e9)};
        nanosleep(&ts, NULL);
    }
}

static size_t
on_write(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t len = size * n;
    if (s->b.len + len > s->max) {
        s->over = 1;
        if (s->truncate)
            kh__buf_append(&s->b, p, s->max - s->b.len, &s->rc);
        return 0; /* ends the transfer */
    }
    kh__buf_append(&s->b, p, len, &s->rc);
    return s->rc == KH_OK ? len : 0;
}

static int
on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
            curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return stopped(ud);
}

/* A validator from storage goes into a header line: refuse anything that
 * could end the line. */
static int
header_safe(const char *v)
{
    if (v == NULL || *v == '\0' || strlen(v) > 512)
        return 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

static char *
response_header(CURL *c, const char *name)
{
    struct curl_header *h;
    if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
        return NULL;
    return dup_str(h->value);
}

static long
ms(double secs)
{
    return secs <= 0 ? 1 : secs > 1e6 ? 1000000000L : (long)(secs * 1000);
}

/* Honours a Retry-After (delta-seconds; an HTTP date counts as the
 * default) of a 429 or 503: the host is left alone until then.  A 503
 * without one is not a request to wait. */
static void
back_off(kh_fetcher *f, const char *origin, CURL *c, long status)
{
    struct curl_header *hd;
    double secs = status == 429 ? DEFAULT_BACKOFF : 0;
    if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &hd) ==
        CURLHE_OK) {
        char *end;
        double v = strtod(hd->value, &end);
        secs = end != hd->value && *end == '\0' && v >= 0 ? v : DEFAULT_BACKOFF;
    }
    if (secs > MAX_RETRY_AFTER)
        secs = MAX_RETRY_AFTER;
    host *h = host_get(f, origin);
    if (h != NULL && secs > 0)
        h->not_before = kh__now() + secs;
}

/* One request, no redirect followed: fills out (status, body, headers) and
 * *location with the target of a 3xx.  max bytes of body at most;
 * truncate: past max, keep the start (robots.txt) instead of failing. */
static kh_status
request(kh_fetcher *f, const char *url, const char *origin, const char *etag,
        const char *last_modified, size_t max, int truncate,
        kh_fetch_result *out, char **location, kh_error *err)
{
    *location = NULL;
    kh_status rc = wait_host(f, origin, err);
    if (rc != KH_OK)
        return rc;
    CURL *c = f->curl;
    curl_easy_reset(c);
    sink s;
    memset(&s, 0, sizeof s);
    kh__buf_init(&s.b);
    s.max = max;
    s.truncate = truncate;
    struct curl_slist *hdrs = NULL, *t;
    char line[600];
    if (header_safe(etag)) {
        snprintf(line, sizeof line, "If-None-Match: %s", etag);
        if ((t = curl_slist_append(hdrs, line)) != NULL)
            hdrs = t;
    }
    if (header_safe(last_modified)) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", last_modified);
        if ((t = curl_slist_append(hdrs, line)) != NULL)
            hdrs = t;
    }
    f->errbuf[0] = '\0';
    long low_time = (long)(f->o.timeout < 30 ? f->o.timeout : 30);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, f->o.user_agent);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms(f->o.connect_timeout));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms(f->o.timeout));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, low_time > 0 ? low_time : 1L);
    if (!truncate)
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->errbuf);
    double t0 = kh__now();
    CURLcode cc = curl_easy_perform(c);
    double secs = kh__now() - t0;
    f->requests++;
    host *h = host_get(f, origin);
    if (h != NULL)
        h->last_end = kh__now();
    curl_slist_free_all(hdrs);
    if (cc == CURLE_WRITE_ERROR && s.over && truncate)
        cc = CURLE_OK;
    if (s.rc != KH_OK) {
        rc = s.rc;
        kh__set_error(err, "out of memory");
    } else if (cc == CURLE_ABORTED_BY_CALLBACK) {
        rc = KH_EIO;
        kh__set_error(err, "interrupted");
    } else if (s.over || cc == CURLE_FILESIZE_EXCEEDED) {
        rc = KH_EIO;
        kh__set_error(err, "body larger than %zu bytes", max);
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        rc = KH_EIO;
        out->retry_later = 1;
        kh__set_error(err, "timed out after %.1f s (%s)", secs,
                      f->errbuf[0] ? f->errbuf : curl_easy_strerror(cc));
    } else if (cc != CURLE_OK) {
        rc = KH_EIO;
        out->retry_later = 1;
        kh__set_error(err, "%s",
                      f->errbuf[0] ? f->errbuf : curl_easy_strerror(cc));
    }
    if (rc != KH_OK) {
        kh__buf_release(&s.b);
        return rc;
    }
    long status = 0;
    char *ct = NULL, *loc = NULL;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
    out->status = status;
    out->retry_later = status == 429 || status >= 500;
    if (status == 429 || status == 503)
        back_off(f, origin, c, status);
    out->body = kh__buf_detach(&s.b, &out->body_len, &rc);
    out->content_type = dup_str(ct);
    out->etag = response_header(c, "ETag");
    out->last_modified = response_header(c, "Last-Modified");
    if (status >= 300 && status < 400 && loc != NULL) {
        *location = dup_str(loc);
        if (*location == NULL)
            rc = KH_ENOMEM;
    }
    if (rc != KH_OK || out->body == NULL ||
        (ct != NULL && out->content_type == NULL))
        rc = KH_ENOMEM;
    if (rc != KH_OK)
        kh__set_error(err, "out of memory");
    return rc;
}

static kh_status get(kh_fetcher *f, const char *url, const char *etag,
                     const char *last_modified, int flags, size_t max,
                     int truncate, kh_fetch_result *out, kh_error *err);

/* The robots.txt rules of origin, fetched when not cached; NULL only on
 * ENOMEM or an interruption (then err says so). */
static const kh_robots *
robots_for(kh_fetcher *f, const char *origin, kh_status *rc, kh_error *err)
{
    host *h = host_get(f, origin);
    if (h == NULL) {
        *rc = KH_ENOMEM;
        return NULL;
    }
    if (h->robots != NULL && h->robots_until > kh__now())
        return h->robots;
    char url[1200];
    snprintf(url, sizeof url, "%s/robots.txt", origin);
    kh_fetch_result res;
    kh_error e;
    memset(&e, 0, sizeof e);
    kh_status frc = get(f, url, NULL, NULL, 0, ROBOTS_MAX_BODY, 1, &res, &e);
    kh_robots *r = NULL;
    double ttl = ROBOTS_TTL;
    char note[160] = "";
    if (frc == KH_OK && res.status >= 200 && res.status < 300) {
        *rc = kh__robots_parse(res.body, res.body_len, f->o.robots_agent, &r);
    } else if (frc == KH_OK && res.status >= 400 && res.status < 500 &&
               res.status != 429) {
        *rc = kh__robots_new_all(1, &r);
    } else if (frc == KH_EIO && strstr(e.message, "too many") != NULL) {
        *rc = kh__robots_new_all(1, &r); /* RFC 9309 2.3.1.2 */
    } else if (frc == KH_ENOMEM ||
               (frc == KH_EIO && strcmp(e.message, "interrupted") == 0)) {
        *rc = frc;
        if (err != NULL)
            *err = e;
    } else {
        /* 5xx, 429, another status, or no answer: assume complete
         * disallow. */
        *rc = kh__robots_new_all(0, &r);
        ttl = ROBOTS_TTL_FAILED;
        if (frc == KH_OK)
            snprintf(note, sizeof note, "robots.txt unreachable (HTTP %ld)",
                     res.status);
        else
            snprintf(note, sizeof note, "robots.txt unreachable (%.120s)",
                     e.message);
    }
    kh__fetch_result_release(&res);
    if (*rc != KH_OK) {
        kh__robots_free(r);
        if (*rc == KH_ENOMEM)
            kh__set_error(err, "out of memory");
        return NULL;
    }
    h = host_get(f, origin); /* the fetch may have moved the table */
    if (h == NULL) {
        kh__robots_free(r);
        *rc = KH_ENOMEM;
        return NULL;
    }
    kh__robots_free(h->robots);
    h->robots = r;
    h->robots_until = kh__now() + ttl;
    memcpy(h->robots_note, note, sizeof note);
    return r;
}

static kh_status
get(kh_fetcher *f, const char *url, const char *etag, const char *last_modified,
    int flags, size_t max, int truncate, kh_fetch_result *out, kh_error *err)
{
    memset(out, 0, sizeof *out);
    char *cur = encode_url(url);
    if (cur == NULL)
        return KH_ENOMEM;
    kh_status rc = KH_OK;
    for (int hop = 0;; hop++) {
        char *origin, *path;
        rc = split_url(cur, &origin, &path, err);
        if (rc != KH_OK)
            break;
        if (flags & KH_FETCH_ROBOTS) {
            const kh_robots *r = robots_for(f, origin, &rc, err);
            if (r != NULL && !kh__robots_allowed(r, path)) {
                host *h = host_get(f, origin);
                kh__set_error(err, "%s",
                              h != NULL && h->robots_note[0]
                                  ? h->robots_note
                                  : "robots.txt forbids it");
                kh_free(origin);
                kh_free(path);
                out->denied = h != NULL && h->robots_note[0] ? 2 : 1;
                out->retry_later = out->denied == 2;
                break;
            }
        }
        host *h = rc == KH_OK ? host_get(f, origin) : NULL;
        if (h != NULL && h->not_before > kh__now()) {
            kh__set_error(err,
                          "the server asked to wait %.0f s more (Retry-After)",
                          h->not_before - kh__now());
            out->retry_later = 1;
            kh_free(origin);
            kh_free(path);
            rc = KH_EIO;
            break;
        }
        char *location = NULL;
        if (rc == KH_OK)
            rc = request(f, cur, origin, etag, last_modified, max, truncate,
                         out, &location, err);
        kh_free(origin);
        kh_free(path);
        if (rc != KH_OK || location == NULL)
            break;
        if (hop >= f->o.max_redirects) {
            kh_free(location);
            kh__set_error(err, "too many redirects (more than %ld)",
                          f->o.max_redirects);
            rc = KH_EIO;
            break;
        }
        kh__fetch_result_release(out);
        kh_free(cur);
        cur = encode_url(location);
        kh_free(location);
        out->redirects = hop + 1;
        if (cur == NULL) {
            kh__set_error(err, "out of memory");
            return KH_ENOMEM;
        }
    }
    if (rc == KH_OK && out->body == NULL) {
        out->body = kh__strndup("", 0);
        if (out->body == NULL)
            rc = KH_ENOMEM;
    }
    out->url = cur;
    return rc;
}

kh_status
kh__fetch(kh_fetcher *f, const char *url, const char *etag,
          const char *last_modified, int flags, kh_fetch_result *out,
          kh_error *err)
{
    return get(f, url, etag, last_modified, flags, f->o.max_body, 0, out, err);
}
