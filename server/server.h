/*
 * server.h -- `khabar serve`: the HTTP JSON API, Atom feeds and the web UI
 * over one index (docs/api.md).
 *
 * The server is split so that everything but the network can be driven
 * without a socket (the fuzz target fuzz/fuzz_http.c does):
 *
 *   http.c     libmicrohttpd: connections, limits, bodies, the command
 *   route.c    a request in, a response out: routing and parameters
 *   api.c      the JSON endpoints
 *   feed.c     Atom feeds of searches
 *   assets.c   the web UI compiled in, the fonts read from Debian's package
 *   handles.c  index handles: one reader per thread, one shared writer
 *   metrics.c  Prometheus counters and histograms
 */
#ifndef KH_SERVER_H
#define KH_SERVER_H

#include "kh_int.h"

#include <pthread.h>
#include <stdatomic.h>

#define SRV_MAX_BODY (8u << 20) /* request bodies, bytes */

/* Routes, for metrics; SRV_R_OTHER for 404s. */
typedef enum srv_route {
    SRV_R_SEARCH,
    SRV_R_ARTICLE,
    SRV_R_RELATED,
    SRV_R_STORY,
    SRV_R_ENTITIES,
    SRV_R_TIMELINE,
    SRV_R_INGEST,
    SRV_R_SUBSCRIBE,
    SRV_R_CONFIRM,
    SRV_R_UNSUBSCRIBE,
    SRV_R_FEED,
    SRV_R_HEALTH,
    SRV_R_METRICS,
    SRV_R_STATIC,
    SRV_R_OTHER,
    SRV_N_ROUTES
} srv_route;

/* Latency buckets of the duration histogram, seconds. */
#define SRV_N_BUCKETS 10

typedef struct srv_metrics {
    /* [route][status class 1..5] */
    atomic_ulong requests[SRV_N_ROUTES][6];
    atomic_ulong buckets[SRV_N_ROUTES][SRV_N_BUCKETS + 1];
    atomic_ulong micros[SRV_N_ROUTES]; /* sum of durations */
    atomic_ulong ingested, replaced, subscriptions;
    atomic_ulong mails_sent, mails_failed;
} srv_metrics;

typedef struct srv_reader srv_reader;

/* The server's state, shared by all threads. */
typedef struct srv {
    const char *dir;   /* the index directory */
    const char *token; /* for POST /api/articles; NULL: ingest is off */
    double refresh_s;  /* a reader moves to the latest commit this often */

    pthread_mutex_t readers_lock; /* guards the list of readers */
    srv_reader *readers;

    pthread_mutex_t writer_lock; /* guards writer, writer_used, sites */
    kh_index *writer;            /* open while articles come in */
    double writer_used;          /* when it was last used */
    double writer_opened;        /* when it took the write lock */
    kh_sitemodel *sites;

    pthread_mutex_t alerts_lock; /* guards alerts */
    kh_alerts *alerts;           /* subscriptions, opened on first use */
    kh_alerts_options alert_opts;
    kh_smtp_options smtp; /* smtp.url NULL: no mail goes out from here */

    srv_metrics metrics;
    double started;
} srv;

/* A request, as the network layer hands it over. */
typedef struct srv_req {
    const char *method;
    const char *path; /* percent-decoded, without the query string */
    /* The value of a query-string argument or a header; NULL when absent. */
    const char *(*arg)(void *ctx, const char *name);
    const char *(*header)(void *ctx, const char *name);
    void *ctx;
    const char *body; /* POST bodies; NULL otherwise */
    size_t body_len;
} srv_req;

/* A response: either body (owned, built by the handler) or fixed (static
 * data that outlives the response). */
typedef struct srv_resp {
    int status;
    const char *content_type;
    kh_buf body;
    const char *fixed;
    size_t fixed_len;
    const char *cache_control; /* static string or NULL */
    const char *allow;         /* for 405: the allowed methods */
    srv_route route;
} srv_resp;

/* ---- route.c ---- */

/* Answers one request; never fails (out of memory becomes a 500 without
 * a body).  r is initialized here; release with srv_resp_release. */
void srv_handle(srv *s, const srv_req *q, srv_resp *r);
void srv_resp_release(srv_resp *r);

/* A JSON error {"error":{"status","message"[,"offset"]}}. */
void srv_error(srv_resp *r, int status, const kh_error *err, const char *fmt,
               ...) __attribute__((format(printf, 4, 5)));

/* Percent-decodes s[0..n) into out (cap bytes, NUL-terminated); with
 * form, + is a space.  -1 when it decodes to a NUL or does not fit. */
int srv_decode(const char *s, size_t n, int form, char *out, size_t cap);

/* The value of name in an application/x-www-form-urlencoded body,
 * decoded into out (cap bytes, NUL-terminated); NULL when absent or too
 * long. */
const char *srv_form_value(const char *body, size_t len, const char *name,
                           char *out, size_t cap);

/* ---- api.c ---- */

void srv_api_search(srv *s, const srv_req *q, srv_resp *r);
void srv_api_article(srv *s, const char *id, srv_resp *r);
void srv_api_related(srv *s, const srv_req *q, const char *id, srv_resp *r);
void srv_api_story(srv *s, const char *id, srv_resp *r);
void srv_api_story_timeline(srv *s, const char *id, srv_resp *r);
void srv_api_article_entities(srv *s, const char *id, srv_resp *r);
void srv_api_entities(srv *s, const srv_req *q, srv_resp *r);
void srv_api_entity(srv *s, const char *key, srv_resp *r);
void srv_api_ingest(srv *s, const srv_req *q, srv_resp *r);
void srv_api_subscribe(srv *s, const srv_req *q, srv_resp *r);
void srv_api_health(srv *s, srv_resp *r);

/* ---- pages.c ---- */

/* The confirmation and unsubscribe pages of the links in mails. */
void srv_page_confirm(srv *s, const srv_req *q, srv_resp *r);
void srv_page_unsubscribe(srv *s, const srv_req *q, srv_resp *r);
/* A small right-to-left HTML page (title and body_html are trusted). */
void srv_page(srv_resp *r, int status, const char *title,
              const char *body_html);

/* The query of a search request: q plus its source, since and until
 * filters, into b.  0, or -1 after an error response. */
int srv_search_query(const srv_req *q, kh_buf *b, srv_resp *r);
/* Answers a failed search of the query b that srv_search_query() built:
 * a syntax error names its parameter (q, or a filter's: until:, entity:),
 * with its offset in q; other errors as the library's. */
void srv_query_error(const srv_req *q, const kh_buf *b, kh_status rc,
                     kh_error *err, srv_resp *r);

/* ---- feed.c ---- */

void srv_feed_search(srv *s, const srv_req *q, srv_resp *r);
/* The Atom feed of a subscription's saved query (?t= its feed token). */
void srv_feed_subscription(srv *s, const srv_req *q, srv_resp *r);

/* ---- assets.c ---- */

/* Serves the web UI's files and fonts; 0 when path is not one of them. */
int srv_asset(const char *path, srv_resp *r);
/* Reads the fonts (once, at start); missing ones are simply not served. */
void srv_assets_load(void);
void srv_assets_free(void);

/* ---- handles.c ---- */

kh_status srv_init(srv *s, const char *dir, const char *token, kh_error *err);
void srv_destroy(srv *s);
/* This thread's reader, moved to the latest commit when it is older than
 * s->refresh_s; NULL with err when the index cannot be opened. */
kh_index *srv_reader_get(srv *s, kh_error *err);
/* The same for a request: NULL after a 503 answer in r. */
kh_index *srv_reader_for(srv *s, srv_resp *r);
/* Locks the writer, opening the index for writing when it is closed;
 * NULL with err (the lock released) when another process writes. */
kh_index *srv_writer_lock(srv *s, kh_error *err);
void srv_writer_unlock(srv *s);
/* Closes the writer when it has been idle for idle_s seconds, so that a
 * `khabar ingest` in another process can take the index's lock. */
void srv_writer_idle(srv *s, double idle_s);
/* Locks the subscriptions, opening them when needed; NULL with err (the
 * lock released) when they cannot be opened. */
kh_alerts *srv_alerts_lock(srv *s, kh_error *err);
void srv_alerts_unlock(srv *s);
/* One round of the mailer: match new articles, queue due digests, send
 * the outbox (when an SMTP server is configured). */
void srv_mail_round(srv *s);

/* ---- metrics.c ---- */

void srv_metrics_observe(srv_metrics *m, srv_route route, int status,
                         double seconds);
void srv_metrics_render(srv *s, srv_resp *r);

double srv_now(void); /* monotonic seconds */

#endif /* KH_SERVER_H */
