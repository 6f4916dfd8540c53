/*
 * alert.h -- staying in touch: subscriptions to saved searches, matched
 * as articles arrive, sent as e-mail digests (docs/alerts.md).
 *
 * The subscriptions live in DIR/subscriptions.db beside the index in DIR.
 * The flow:
 *
 *   kh_alerts_subscribe()    a reader asks; a confirmation mail is queued
 *   kh_alerts_confirm()      the reader followed the mail's link
 *   kh_alerts_match()        articles committed since the last call are
 *                            matched against every saved query at once
 *                            (an index of the queries, not a loop)
 *   kh_alerts_digest()       due digests are written to the outbox
 *   kh_alerts_send()         the outbox goes out over SMTP
 *
 * Every step commits its state, so a crash loses nothing: articles are
 * matched from a watermark, matches wait in the database until a digest
 * takes them, and a message leaves the outbox only when the SMTP server
 * accepted it.  A kh_alerts handle is not thread-safe.
 */
#ifndef KHABAR_ALERT_H
#define KHABAR_ALERT_H

#include "khabar/khabar.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kh_alerts kh_alerts;

typedef struct kh_alerts_options {
    /* Where the links in mails point: the server's public address, e.g.
     * "https://news.example.org".  NULL: "http://127.0.0.1:8080". */
    const char *base_url;
    /* The From address.  NULL: "khabar@localhost". */
    const char *from;
    /* The key of the links' signatures.  NULL: a random one made when the
     * database is created and kept in it. */
    const char *secret;
    /* Nonzero: open only subscriptions that exist; KH_ENOTFOUND (and no
     * file made) when the index has none.  For readers such as a
     * listing. */
    int no_create;
} kh_alerts_options;

/* Opens (creating when missing, unless opts->no_create) the subscriptions
 * of the index in dir.  opts may be NULL. */
KH_API KH_NODISCARD kh_status kh_alerts_open(const char *dir,
                                             const kh_alerts_options *opts,
                                             kh_alerts **out, kh_error *err);
KH_API void kh_alerts_close(kh_alerts *alerts);

/* Subscribes email to query ("immediate", "daily" or "weekly"; NULL:
 * daily).  Unless confirmed is nonzero (a list imported from elsewhere),
 * the saved query is unconfirmed and a confirmation mail is queued; no
 * other mail goes to it before the reader confirms.  Asking again for the
 * same address and query: an unconfirmed one takes the frequency asked
 * (and a new confirmation mail is queued if the last is older than ten
 * minutes); a confirmed one keeps its frequency, and a different one is
 * only requested: a mail asks to confirm the change, whose link applies
 * it (at most one such mail every ten minutes).  With confirmed nonzero
 * the frequency is set outright.  *outcome (may be NULL) says what was
 * done, for the operator: a form must answer the same whatever it is,
 * or it would tell whether the address was there.  KH_EINVAL with a
 * message naming the field: a bad address, a query that does not parse
 * or cannot be saved, an unknown frequency. */
typedef enum kh_subscribe_outcome {
    KH_SUBSCRIBE_MAILED = 1,    /* a confirmation mail of the saved query
                                   was queued */
    KH_SUBSCRIBE_CHANGE_MAILED, /* a mail asking to confirm the change of a
                                   confirmed query's frequency was queued */
    KH_SUBSCRIBE_THROTTLED,     /* a confirmation is awaited, its mail went
                                   less than ten minutes ago: none queued */
    KH_SUBSCRIBE_SET,           /* saved or changed as confirmed (confirmed
                                   nonzero): no mail */
    KH_SUBSCRIBE_UNCHANGED      /* already confirmed at this frequency:
                                   nothing done, no mail */
} kh_subscribe_outcome;

KH_API KH_NODISCARD kh_status
kh_alerts_subscribe(kh_alerts *alerts, const char *email, const char *query,
                    const char *frequency, int confirmed,
                    kh_subscribe_outcome *outcome, kh_error *err);

/* Confirms the saved query of a confirmation link's token.  KH_EINVAL
 * with a message for a forged, expired or already used token. */
KH_API KH_NODISCARD kh_status kh_alerts_confirm(kh_alerts *alerts,
                                                const char *token,
                                                kh_error *err);

/* Unsubscribes the address of an unsubscribe link's token from
 * everything.  Doing it twice is not an error. */
KH_API KH_NODISCARD kh_status kh_alerts_unsubscribe(kh_alerts *alerts,
                                                    const char *token,
                                                    kh_error *err);

/* KH_OK when token is an unsubscribe link that kh_alerts_unsubscribe()
 * would take, KH_EINVAL (err says why) when not; nothing changes. */
KH_API KH_NODISCARD kh_status kh_alerts_unsubscribe_check(kh_alerts *alerts,
                                                          const char *token,
                                                          kh_error *err);

/* The saved query of a feed link's token (an Atom feed per subscription),
 * into *query (kh_free it). */
KH_API KH_NODISCARD kh_status kh_alerts_feed_query(kh_alerts *alerts,
                                                   const char *token,
                                                   char **query, kh_error *err);

/* Matches the articles of index committed since the last call against
 * the confirmed saved queries; *matched (may be NULL) counts the new
 * matches.  The copies of one wire story count once per saved query. */
KH_API KH_NODISCARD kh_status kh_alerts_match(kh_alerts *alerts,
                                              kh_index *index, size_t *matched,
                                              kh_error *err);

/* Writes the digests that are due at time now (unix seconds) to the
 * outbox: for each address, the pending matches of its saved queries of
 * that frequency (NULL: every frequency), grouped by query and story.
 * Immediate queries are always due; daily ones a day after their last
 * digest, weekly ones a week after.  *queued (may be NULL) counts the
 * messages. */
KH_API KH_NODISCARD kh_status kh_alerts_digest(kh_alerts *alerts,
                                               kh_index *index,
                                               const char *frequency,
                                               int64_t now, size_t *queued,
                                               kh_error *err);

typedef struct kh_smtp_options {
    const char *url;      /* "smtp://host:port" or "smtps://..." */
    const char *user;     /* AUTH, or NULL */
    const char *password; /* or NULL */
    int starttls;         /* require STARTTLS on smtp:// */
    long timeout_s;       /* per message; 0: 30 */
    int max_attempts;     /* before a message is given up; 0: 8 */
} kh_smtp_options;

/* Sends the messages of the outbox that are due at time now (unix
 * seconds; 0: the clock), oldest first: now is the time
 * kh_alerts_digest() was given, for a run that stands in for another
 * time.  A failed
 * send is retried later with back-off (a minute, doubling, at most six
 * hours apart).  *sent and *failed (may be NULL) count this call's
 * outcomes.  One sender works on an index's outbox at a time: while
 * another process holds it, this returns KH_OK having sent nothing. */
KH_API KH_NODISCARD kh_status kh_alerts_send(kh_alerts *alerts,
                                             const kh_smtp_options *smtp,
                                             int64_t now, size_t *sent,
                                             size_t *failed, kh_error *err);

/* One saved query, for listings. */
typedef struct kh_subscription {
    int64_t id;
    const char *email, *query, *frequency;
    int64_t created, confirmed, unsubscribed; /* 0: not (yet) */
    int64_t pending;                          /* matches not yet sent */
    const char *requested_frequency; /* a change of frequency waiting for
                                        its confirmation, or NULL */
} kh_subscription;

/* Calls fn for every saved query, oldest first; fn returns nonzero to
 * stop. */
KH_API KH_NODISCARD kh_status kh_alerts_list(kh_alerts *alerts,
                                             int (*fn)(const kh_subscription *s,
                                                       void *ud),
                                             void *ud, kh_error *err);

/* Calls fn for every message of the outbox not yet sent (state "queued",
 * or "sending" when a send was cut short), oldest first: its recipient and
 * the whole message (RFC 5322, CRLF lines).  fn returns nonzero to stop. */
KH_API KH_NODISCARD kh_status
kh_alerts_outbox(kh_alerts *alerts,
                 int (*fn)(const char *rcpt, const char *message, size_t len,
                           const char *state, void *ud),
                 void *ud, kh_error *err);

#ifdef __cplusplus
}
#endif

#endif /* KHABAR_ALERT_H */
