/*
 * fetch.h -- private: a polite HTTP fetcher (fetch.c) and robots.txt rules
 * (robots.c), for `khabar follow` and `khabar ingest --fetch`.
 *
 * The fetcher is a thin layer over one libcurl easy handle: conditional
 * GET, bounded time and size, redirects followed one hop at a time so that
 * every hop goes through the same politeness rules (robots.txt, a delay
 * between two requests to one host).  It is not thread-safe; one per
 * thread.
 */
#ifndef KH_FETCH_H
#define KH_FETCH_H

#include "kh_int.h"

#include <signal.h>

#define KH_FETCH_USER_AGENT   "Khabar/0.1 (+https://example.invalid/khabar)"
#define KH_FETCH_ROBOTS_AGENT "khabar" /* product token for robots.txt */

/**************************************************************************
** Interface to code in ingest/robots.c
**
** The rules of one robots.txt for one crawler (RFC 9309): the groups whose
** User-agent names the crawler's product token, else the "*" groups; the
** longest matching Allow/Disallow pattern decides ("*" any run of bytes,
** a final "$" anchors the end), Allow winning a tie.
*/

typedef struct kh_robots kh_robots;

/* Parses txt[0..len) (any bytes: lines that are not rules are ignored)
 * for the crawler whose product token is agent ("khabar", matched without
 * case).  Only the first 500 KiB are read.  KH_ENOMEM is the only
 * failure.  *out is released with kh__robots_free(). */
KH_HIDDEN kh_status kh__robots_parse(const char *txt, size_t len,
                                     const char *agent, kh_robots **out);

/* Rules that allow everything (allow != 0: robots.txt absent, 4xx) or
 * nothing (robots.txt unreachable: 5xx, network error). */
KH_HIDDEN kh_status kh__robots_new_all(int allow, kh_robots **out);

/* Whether path (path and query of a URL, starting with "/") may be
 * fetched.  "/robots.txt" itself always may. */
KH_HIDDEN int kh__robots_allowed(const kh_robots *r, const char *path);

/* The Crawl-delay of the group that applies, in seconds; 0 when none. */
KH_HIDDEN double kh__robots_crawl_delay(const kh_robots *r);

KH_HIDDEN void kh__robots_free(kh_robots *r);

/**************************************************************************
** Interface to code in ingest/fetch.c
*/

typedef struct kh_fetcher kh_fetcher;

typedef struct kh_fetch_options {
    const char *user_agent;   /* the User-Agent header */
    const char *robots_agent; /* the product token looked up in robots.txt */
    double connect_timeout;   /* seconds to connect */
    double timeout;           /* seconds for a whole request (one hop) */
    double delay;             /* seconds between two requests to a host;
                                 a larger Crawl-delay wins, up to 60 s */
    size_t max_body;          /* a larger body is an error */
    long max_redirects;       /* hops followed after the first request */
    /* When *stop becomes nonzero, waits end and transfers are abandoned
     * (KH_EIO, "interrupted").  May be NULL. */
    volatile sig_atomic_t *stop;
} kh_fetch_options;

/* Fills o with the defaults: the agents above, 10 s to connect, 30 s a
 * request, 1 s between requests to a host, 8 MiB, 5 redirects. */
KH_HIDDEN void kh__fetch_options_init(kh_fetch_options *o);

/* The options are copied (their strings must outlive the fetcher). */
KH_HIDDEN kh_status kh__fetcher_new(const kh_fetch_options *o, kh_fetcher **out,
                                    kh_error *err);
KH_HIDDEN void kh__fetcher_free(kh_fetcher *f);

/* What one GET gave.  Strings are NUL-terminated and owned by the struct
 * (kh__fetch_result_release); NULL when absent. */
typedef struct kh_fetch_result {
    long status;         /* HTTP status of the final response; 0 if none */
    int denied;          /* nothing was asked: 1 robots.txt forbids the URL, 2
                            robots.txt could not be read (a server error) */
    int retry_later;     /* the failure may pass: a network error or timeout,
                            429, 5xx, a Retry-After still running, denied 2 */
    char *body;          /* never NULL after KH_OK ("" when empty) */
    size_t body_len;     /* bytes in body, not counting the NUL */
    char *content_type;  /* Content-Type of the final response */
    char *etag;          /* ETag of the final response */
    char *last_modified; /* Last-Modified of the final response */
    char *url;           /* the URL of the final response */
    int redirects;       /* hops followed */
} kh_fetch_result;

/* Flags of kh__fetch(). */
#define KH_FETCH_ROBOTS 1 /* ask robots.txt first (for crawled pages) */

/* GETs url (http or https).  etag and last_modified (may be NULL) are a
 * previous response's validators, sent as If-None-Match and
 * If-Modified-Since: a 304 then means nothing changed.  Waits first as
 * long as the host's delay asks.  Returns KH_OK when a response arrived,
 * whatever its status (or, with KH_FETCH_ROBOTS, when robots.txt denies
 * the URL: out->denied, err saying whether robots.txt forbids it or could
 * not be read); KH_EINVAL for a URL that is not http(s); KH_EIO
 * with err for a failure to connect, a timeout, a stalled server, a body
 * over the size limit, too many redirects or an interruption; KH_ENOMEM.
 * *out is filled in every case and released with
 * kh__fetch_result_release(). */
KH_HIDDEN kh_status kh__fetch(kh_fetcher *f, const char *url, const char *etag,
                              const char *last_modified, int flags,
                              kh_fetch_result *out, kh_error *err);
KH_HIDDEN void kh__fetch_result_release(kh_fetch_result *r);

/* Requests sent since kh__fetcher_new, robots.txt fetches included. */
KH_HIDDEN unsigned long kh__fetcher_requests(const kh_fetcher *f);

#endif /* KH_FETCH_H */
