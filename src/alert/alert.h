/*
 * alert.h -- private interface of the alert module (src/alert/):
 * subscriptions, matching new articles against saved queries, digests and
 * their delivery (the public side is include/khabar/alert.h).
 *
 *   store.c      subscriptions.db: the tables and the secret
 *   token.c      signed links (confirm, unsubscribe, feed)
 *   percolate.c  an index of the saved queries and a one-article matcher
 *   mime.c       RFC 5322 / MIME / RFC 2047 writing
 *   digest.c     the digests: grouping, HTML and plain text
 *   smtp.c       delivery with libcurl
 *   alerts.c     the public functions
 */
#ifndef KH_ALERT_H
#define KH_ALERT_H

#include "kh_int.h"
#include "khabar/alert.h"
#include "query/query.h"

#include <sqlite3.h>

struct kh_percolator;

struct kh_alerts {
    sqlite3 *db;   /* subscriptions.db */
    sqlite3 *docs; /* the index's docs.db, read-only, opened when needed */
    char *dir;
    char *base_url; /* without a trailing slash */
    char *from;     /* an address */
    unsigned char secret[32];
    kh_analyzer *an; /* the index's stemmer, for queries and articles */
    kh_analyzer_options an_opts;
    struct kh_percolator *perc; /* the confirmed queries, indexed */
    int64_t perc_version;       /* saved_query changes it was built from */
};

/* ---- store.c ---- */

/* Opens subscriptions.db, made when missing unless no_create (then
 * KH_ENOTFOUND). */
KH_HIDDEN kh_status kh__alert_db_open(kh_alerts *al, const char *secret,
                                      int no_create, kh_error *err);
/* A statement, or NULL with err set. */
KH_HIDDEN sqlite3_stmt *kh__alert_prep(kh_alerts *al, const char *sql,
                                       kh_error *err);
KH_HIDDEN kh_status kh__alert_exec(kh_alerts *al, const char *sql,
                                   kh_error *err);
/* Bumps the version the percolator checks (saved queries changed). */
KH_HIDDEN kh_status kh__alert_touch(kh_alerts *al, kh_error *err);
KH_HIDDEN int64_t kh__alert_version(kh_alerts *al);
KH_HIDDEN int64_t kh__alert_meta_int(kh_alerts *al, const char *key,
                                     int64_t dflt);
KH_HIDDEN kh_status kh__alert_meta_set_int(kh_alerts *al, const char *key,
                                           int64_t v, kh_error *err);
KH_HIDDEN uint32_t kh__alert_random32(void);
KH_HIDDEN int kh__email_valid(const char *s);

/* ---- token.c ---- */

typedef enum kh_token_use {
    KH_TOK_CONFIRM = 'c',
    KH_TOK_UNSUBSCRIBE = 'u',
    KH_TOK_FEED = 'f'
} kh_token_use;

#define KH_TOKEN_MAX 96

/* A URL-safe token for (use, id, nonce, expires: unix seconds, 0 never),
 * signed with the secret (HMAC-SHA256). */
KH_HIDDEN void kh__token_make(const kh_alerts *al, kh_token_use use, int64_t id,
                              uint32_t nonce, int64_t expires,
                              char out[KH_TOKEN_MAX]);
/* Checks a token's signature, use and expiry at now; KH_EINVAL with a
 * message when it is not one of ours, is for another use or expired. */
KH_HIDDEN kh_status kh__token_check(const kh_alerts *al, const char *token,
                                    kh_token_use use, int64_t now, int64_t *id,
                                    uint32_t *nonce, kh_error *err);

/* ---- percolate.c ---- */

typedef struct kh_percolator kh_percolator;

/* An article, analyzed once for matching against many queries. */
typedef struct kh_mdoc kh_mdoc;

KH_HIDDEN kh_status kh__perc_new(kh_percolator **out);
KH_HIDDEN void kh__perc_free(kh_percolator *p);
/* Adds saved query id (parsed tree, owned by the percolator from now on).
 * df (may be NULL) estimates how many articles have a stem, to anchor the
 * query on its rarest required word. */
KH_HIDDEN kh_status kh__perc_add(kh_percolator *p, int64_t id, kh_qnode *q,
                                 uint32_t (*df)(void *ud, const char *stem),
                                 void *ud);
KH_HIDDEN size_t kh__perc_count(const kh_percolator *p);

KH_HIDDEN kh_status kh__mdoc_new(kh_mdoc **out);
KH_HIDDEN void kh__mdoc_free(kh_mdoc *d);
/* Analyzes an article into d (reused between articles). */
KH_HIDDEN kh_status kh__mdoc_fill(kh_mdoc *d, kh_analyzer *an,
                                  const char *title, const char *body,
                                  const char *source, int64_t date);

/* The article's docid, which entity: looks for (fill resets it to -1,
 * which no entity: matches). */
KH_HIDDEN void kh__mdoc_set_docid(kh_mdoc *d, int64_t docid);

/* Calls fn on every entity: node of the saved queries (to set its docids,
 * ascending, before matching: the percolator does not tag articles) and
 * counts them in *n; stops at fn's first error. */
KH_HIDDEN kh_status kh__perc_entities(kh_percolator *p,
                                      kh_status (*fn)(kh_qnode *q, void *ud),
                                      void *ud, size_t *n);

/* Calls fn for every query that matches d, each once. */
KH_HIDDEN kh_status kh__perc_match(kh_percolator *p, const kh_mdoc *d,
                                   void (*fn)(int64_t id, void *ud), void *ud);
/* Whether one tree matches d: the naive matcher, for the benchmark and
 * for tests of the index of queries. */
KH_HIDDEN bool kh__mdoc_matches(const kh_mdoc *d, const kh_qnode *q);
/* NULL when q can be saved, else why not (a static message). */
KH_HIDDEN const char *kh__perc_unsupported(const kh_qnode *q);
/* Candidates verified by the last kh__perc_match calls, for the
 * benchmark. */
KH_HIDDEN uint64_t kh__perc_checks(const kh_percolator *p);

/* ---- mime.c ---- */

/* Appends "Name: value" with value as RFC 2047 encoded words when it is
 * not plain ASCII, folded at 76 columns; CR and LF in value are dropped
 * (never a header injection). */
KH_HIDDEN void kh__mime_header(kh_buf *b, const char *name, const char *value,
                               kh_status *rc);
/* Appends data as base64 in lines of 76 characters, each ending CRLF. */
KH_HIDDEN void kh__mime_base64(kh_buf *b, const char *data, size_t len,
                               kh_status *rc);
/* An RFC 5322 date of unix time t into buf (at least 40 bytes). */
KH_HIDDEN void kh__mime_date(int64_t t, char *buf);
/* Appends s percent-encoded for a URL path or query value. */
KH_HIDDEN void kh__url_escape(kh_buf *b, const char *s, kh_status *rc);

/* ---- digest.c ---- */

/* Builds the digest of subscriber sub into the outbox (in the caller's
 * transaction): the pending matches of its saved queries of frequency
 * freq; *queued set when a message was written. */
KH_HIDDEN kh_status kh__digest_build(kh_alerts *al, int64_t sub,
                                     const char *email, const char *freq,
                                     int64_t now, int *queued, kh_error *err);
/* Writes the confirmation mail of saved query qid into the outbox: of
 * the saved query, or with frequency non-NULL of its change to that
 * frequency. */
KH_HIDDEN kh_status kh__confirm_mail(kh_alerts *al, int64_t sub,
                                     const char *email, int64_t qid,
                                     const char *query, uint32_t nonce,
                                     const char *frequency, int64_t now,
                                     kh_error *err);

/* ---- smtp.c ---- */

KH_HIDDEN kh_status kh__smtp_send(const kh_smtp_options *o, const char *from,
                                  const char *rcpt, const char *msg, size_t len,
                                  kh_error *err);

#endif /* KH_ALERT_H */
