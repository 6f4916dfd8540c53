/*
 * alert.h -- subscriptions to saved searches (src/alert/).
 *
 * A subscription is an e-mail address, a saved query and how often to
 * send what matches it.  They live in DIR/subscriptions.db (SQLite),
 * beside the index they are matched against.  A request is stored
 * unconfirmed; nothing is sent to an address before it confirms.
 */
#ifndef KH_ALERT_H
#define KH_ALERT_H

#include "kh_int.h"

typedef struct kh_subs kh_subs;

/* Opens (creating when missing) DIR/subscriptions.db.  Not thread-safe:
 * one user at a time. */
KH_HIDDEN kh_status kh__subs_open(const char *dir, kh_subs **out,
                                  kh_error *err);
KH_HIDDEN void kh__subs_close(kh_subs *subs);

/* Whether s is a plausible e-mail address (local@domain.tld, printable
 * ASCII in the local part, letters, digits and hyphens in the domain, at
 * most 254 bytes).  Deliverability is the confirmation mail's to prove. */
KH_HIDDEN int kh__email_valid(const char *s);

/* Whether frequency is one of "immediate", "daily", "weekly". */
KH_HIDDEN int kh__frequency_valid(const char *frequency);

/* Records a request to subscribe email to query.  The same address and
 * query asked again is the same subscription (its frequency updated), so
 * the answer never depends on what was there before. */
KH_HIDDEN kh_status kh__subs_request(kh_subs *subs, const char *email,
                                     const char *query, const char *frequency,
                                     kh_error *err);

#endif /* KH_ALERT_H */
