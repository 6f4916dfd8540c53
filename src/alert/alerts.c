/*
 * alerts.c -- the public side of the alert module (include/khabar/alert.h).
 */
#include "alert/alert.h"
#include "index/index.h"
#include "index/store.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define CONFIRM_RESEND 600 /* seconds before a new confirmation mail */
#define MATCH_BATCH    500 /* articles matched per transaction */

static kh_status
open_docs(kh_alerts *al, kh_error *err)
{
    if (al->docs != NULL)
        return KH_OK;
    char path[4096];
    snprintf(path, sizeof path, "%s/docs.db", al->dir);
    if (sqlite3_open_v2(path, &al->docs,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        kh__set_error(err, "cannot read %s: %s", path,
                      sqlite3_errmsg(al->docs));
        sqlite3_close(al->docs);
        al->docs = NULL;
        return KH_EIO;
    }
    sqlite3_busy_timeout(al->docs, 10000);
    if (kh__bodies_register(al->docs, al->dir) != SQLITE_OK) {
        kh__set_error(err, "cannot read %s: %s", path,
                      sqlite3_errmsg(al->docs));
        sqlite3_close(al->docs);
        al->docs = NULL;
        return KH_ENOMEM;
    }
    return KH_OK;
}

/* The index's stemmer (saved queries must be analyzed as its articles
 * are) and the matching watermark of a new database: articles already in
 * the index are not news to a new subscriber. */
static kh_status
init_from_index(kh_alerts *al, kh_error *err)
{
    al->an_opts.stemmer = KH_STEMMER_LIGHT;
    int64_t max_docid = 0;
    if (open_docs(al, NULL) == KH_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(al->docs,
                               "SELECT value FROM meta WHERE key='stemmer'", -1,
                               &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW &&
                sqlite3_column_text(st, 0) != NULL &&
                kh_stemmer_parse((const char *)sqlite3_column_text(st, 0),
                                 &al->an_opts.stemmer) != KH_OK)
                al->an_opts.stemmer = KH_STEMMER_LIGHT;
            sqlite3_finalize(st);
        }
        if (sqlite3_prepare_v2(al->docs, "SELECT max(docid) FROM docs", -1, &st,
                               NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                max_docid = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    kh_status rc = kh_analyzer_new(&al->an_opts, &al->an);
    if (rc != KH_OK) {
        kh__set_error(err, "cannot make the analyzer: %s", kh_strerror(rc));
        return rc;
    }
    if (kh__alert_meta_int(al, "watermark", -1) < 0)
        rc = kh__alert_meta_set_int(al, "watermark", max_docid, err);
    return rc;
}

kh_status
kh_alerts_open(const char *dir, const kh_alerts_options *opts, kh_alerts **out,
               kh_error *err)
{
    *out = NULL;
    kh_alerts *al = kh_malloc(sizeof *al);
    if (al == NULL)
        return KH_ENOMEM;
    memset(al, 0, sizeof *al);
    const char *base =
        opts && opts->base_url ? opts->base_url : "http://127.0.0.1:8080";
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    const char *from = opts && opts->from ? opts->from : "khabar@localhost";
    al->dir = kh__strndup(dir, strlen(dir));
    al->base_url = kh__strndup(base, bl);
    al->from = kh__strndup(from, strlen(from));
    kh_status rc = KH_OK;
    if (al->dir == NULL || al->base_url == NULL || al->from == NULL)
        rc = KH_ENOMEM;
    else if (strchr(al->from, '@') == NULL ||
             strpbrk(al->from, " <>\r\n\"") != NULL) {
        kh__set_error(err, "from: '%s' is not an e-mail address", al->from);
        rc = KH_EINVAL;
    }
    if (rc == KH_OK)
        rc = kh__alert_db_open(al, opts ? opts->secret : NULL,
                               opts ? opts->no_create : 0, err);
    if (rc == KH_OK)
        rc = init_from_index(al, err);
    if (rc != KH_OK) {
        kh_alerts_close(al);
        return rc;
    }
    *out = al;
    return KH_OK;
}

void
kh_alerts_close(kh_alerts *al)
{
    if (al == NULL)
        return;
    kh__perc_free(al->perc);
    kh_analyzer_free(al->an);
    sqlite3_close(al->docs);
    sqlite3_close(al->db);
    kh_free(al->dir);
    kh_free(al->base_url);
    kh_free(al->from);
    kh_free(al);
}

static int64_t
now_s(void)
{
    return (int64_t)time(NULL);
}

static kh_status
begin(kh_alerts *al, kh_error *err)
{
    return kh__alert_exec(al, "BEGIN IMMEDIATE", err);
}

static kh_status
finish(kh_alerts *al, kh_status rc, kh_error *err)
{
    if (rc == KH_OK)
        return kh__alert_exec(al, "COMMIT", err);
    kh__alert_exec(al, "ROLLBACK", NULL);
    return rc;
}

static int
valid_frequency(const char *f)
{
    return strcmp(f, "immediate") == 0 || strcmp(f, "daily") == 0 ||
           strcmp(f, "weekly") == 0;
}

kh_status
kh_alerts_subscribe(kh_alerts *al, const char *email, const char *query,
                    const char *frequency, int confirmed,
                    kh_subscribe_outcome *outcome, kh_error *err)
{
    if (outcome != NULL)
        *outcome = KH_SUBSCRIBE_UNCHANGED;
    if (frequency == NULL)
        frequency = "daily";
    if (email == NULL || !kh__email_valid(email)) {
        kh__set_error(err, "email: not a valid e-mail address");
        return KH_EINVAL;
    }
    size_t ql = query != NULL ? strlen(query) : 0;
    if (ql == 0 || query[strspn(query, " \t")] == '\0') {
        kh__set_error(err, "query: a saved search needs a query");
        return KH_EINVAL;
    }
    if (ql > 1000) {
        kh__set_error(err, "query: at most 1000 bytes");
        return KH_EINVAL;
    }
    if (strpbrk(query, "\r\n") != NULL) {
        kh__set_error(err, "query: line breaks are not allowed");
        return KH_EINVAL;
    }
    if (!valid_frequency(frequency)) {
        kh__set_error(err, "frequency: must be immediate, daily or weekly");
        return KH_EINVAL;
    }
    kh_qnode *tree;
    kh_error perr;
    memset(&perr, 0, sizeof perr);
    kh_status rc = kh__query_parse(query, ql, al->an, &tree, &perr);
    if (rc != KH_OK) {
        if (err != NULL) {
            *err = perr;
            snprintf(err->message, sizeof err->message, "query: %.240s",
                     perr.message);
        }
        return rc;
    }
    const char *why = kh__perc_unsupported(tree);
    kh__query_free(tree);
    if (why != NULL) {
        kh__set_error(err, "query: %s", why);
        return KH_EINVAL;
    }
    char addr[256];
    memcpy(addr, email, strlen(email) + 1);
    /* The domain is case-insensitive, the local part is not. */
    for (char *p = strrchr(addr, '@'); *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    int64_t now = now_s();
    rc = begin(al, err);
    if (rc != KH_OK)
        return rc;
    sqlite3_stmt *st = kh__alert_prep(
        al,
        "INSERT INTO subscriber(email, created, nonce) VALUES (?, ?, ?)"
        " ON CONFLICT(email) DO UPDATE SET unsubscribed = NULL",
        err);
    int64_t sub = 0, qid = 0, qconfirmed = 0, confirm_sent = 0;
    uint32_t qnonce = 0;
    if (st == NULL) {
        rc = KH_EIO;
    } else {
        sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now);
        sqlite3_bind_int64(st, 3, kh__alert_random32());
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = KH_EIO;
        sqlite3_finalize(st);
    }
    if (rc == KH_OK) {
        st = kh__alert_prep(al, "SELECT id FROM subscriber WHERE email = ?",
                            err);
        if (st == NULL)
            rc = KH_EIO;
        else {
            sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                sub = sqlite3_column_int64(st, 0);
            else
                rc = KH_EIO;
            sqlite3_finalize(st);
        }
    }
    /* A new saved query is stored as asked; an existing one is changed
     * below only by whom may change it. */
    int inserted = 0;
    if (rc == KH_OK) {
        st = kh__alert_prep(
            al,
            "INSERT INTO saved_query(subscriber, query, frequency, created,"
            " confirmed, nonce) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(subscriber, query) DO NOTHING",
            err);
        if (st == NULL)
            rc = KH_EIO;
        else {
            sqlite3_bind_int64(st, 1, sub);
            sqlite3_bind_text(st, 2, query, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, frequency, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, now);
            if (confirmed)
                sqlite3_bind_int64(st, 5, now);
            else
                sqlite3_bind_null(st, 5);
            sqlite3_bind_int64(st, 6, kh__alert_random32());
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = KH_EIO;
            else
                inserted = sqlite3_changes(al->db) > 0;
            sqlite3_finalize(st);
        }
    }
    int same_frequency = 0;
    if (rc == KH_OK) {
        st = kh__alert_prep(al,
                            "SELECT id, coalesce(confirmed, 0), nonce,"
                            " coalesce(confirm_sent, 0), frequency = ?3"
                            " FROM saved_query"
                            " WHERE subscriber = ?1 AND query = ?2",
                            err);
        if (st == NULL)
            rc = KH_EIO;
        else {
            sqlite3_bind_int64(st, 1, sub);
            sqlite3_bind_text(st, 2, query, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, frequency, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW) {
                qid = sqlite3_column_int64(st, 0);
                qconfirmed = sqlite3_column_int64(st, 1);
                qnonce = (uint32_t)sqlite3_column_int64(st, 2);
                confirm_sent = sqlite3_column_int64(st, 3);
                same_frequency = sqlite3_column_int(st, 4);
            } else {
                rc = KH_EIO;
            }
            sqlite3_finalize(st);
        }
    }
    /* What the request may do to a saved query that was there: the
     * operator (confirmed) sets it outright; a request from the form sets
     * the frequency of an unconfirmed one (nothing is sent to it before
     * its confirmation, which confirms what was asked last), but only
     * asks for a change of a confirmed one: the change waits in
     * pending_frequency, under a new nonce, until the mail's link
     * confirms it.  A request within CONFIRM_RESEND of the last mail
     * changes nothing of a confirmed query, so that the link of that mail
     * confirms what it says. */
    const char *change = NULL; /* the change a mail asks to confirm */
    int mail = 0;
    const char *sql = NULL;
    if (rc == KH_OK && !inserted) {
        if (confirmed) {
            sql = "UPDATE saved_query SET frequency = ?1,"
                  " pending_frequency = NULL,"
                  " confirmed = coalesce(confirmed, ?2) WHERE id = ?3";
        } else if (!qconfirmed) {
            sql = "UPDATE saved_query SET frequency = ?1,"
                  " pending_frequency = NULL WHERE id = ?3";
        } else if (!same_frequency && now - confirm_sent >= CONFIRM_RESEND) {
            qnonce = kh__alert_random32();
            sql = "UPDATE saved_query SET pending_frequency = ?1,"
                  " nonce = ?4 WHERE id = ?3";
            change = frequency;
            mail = 1;
        } else if (same_frequency) {
            /* the frequency it has, asked again: a change still waiting
             * is dropped, its link with it (the last request wins) */
            qnonce = kh__alert_random32();
            sql = "UPDATE saved_query SET nonce = ?4, pending_frequency = NULL"
                  " WHERE id = ?3 AND pending_frequency IS NOT NULL";
        }
    }
    if (rc == KH_OK && sql != NULL) {
        st = kh__alert_prep(al, sql, err);
        if (st == NULL)
            rc = KH_EIO;
        else {
            sqlite3_bind_text(st, 1, frequency, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, now);
            sqlite3_bind_int64(st, 3, qid);
            sqlite3_bind_int64(st, 4, qnonce);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = KH_EIO;
            sqlite3_finalize(st);
        }
    }
    if (!confirmed && !qconfirmed && now - confirm_sent >= CONFIRM_RESEND)
        mail = 1;
    if (rc == KH_OK && mail) {
        rc = kh__confirm_mail(al, sub, addr, qid, query, qnonce, change, now,
                              err);
        if (rc == KH_OK) {
            st = kh__alert_prep(
                al, "UPDATE saved_query SET confirm_sent = ? WHERE id = ?",
                err);
            if (st == NULL)
                rc = KH_EIO;
            else {
                sqlite3_bind_int64(st, 1, now);
                sqlite3_bind_int64(st, 2, qid);
                if (sqlite3_step(st) != SQLITE_DONE)
                    rc = KH_EIO;
                sqlite3_finalize(st);
            }
        }
    }
    if (rc == KH_OK)
        rc = kh__alert_touch(al, err);
    if (rc == KH_EIO && err != NULL && err->message[0] == '\0')
        kh__set_error(err, "subscriptions: %s", sqlite3_errmsg(al->db));
    rc = finish(al, rc, err);
    if (rc != KH_OK || outcome == NULL)
        return rc;
    if (confirmed)
        *outcome = KH_SUBSCRIBE_SET;
    else if (mail)
        *outcome = change ? KH_SUBSCRIBE_CHANGE_MAILED : KH_SUBSCRIBE_MAILED;
    else if (!qconfirmed || !same_frequency)
        *outcome = KH_SUBSCRIBE_THROTTLED;
    else
        *outcome = KH_SUBSCRIBE_UNCHANGED;
    return rc;
}

kh_status
kh_alerts_confirm(kh_alerts *al, const char *token, kh_error *err)
{
    int64_t qid;
    uint32_t nonce;
    kh_status rc =
        kh__token_check(al, token, KH_TOK_CONFIRM, now_s(), &qid, &nonce, err);
    if (rc != KH_OK)
        return rc;
    rc = begin(al, err);
    if (rc != KH_OK)
        return rc;
    sqlite3_stmt *st = kh__alert_prep(al,
                                      "SELECT nonce, confirmed,"
                                      " pending_frequency IS NOT NULL"
                                      " FROM saved_query WHERE id = ?",
                                      err);
    if (st == NULL)
        return finish(al, KH_EIO, err);
    sqlite3_bind_int64(st, 1, qid);
    int row = sqlite3_step(st) == SQLITE_ROW;
    uint32_t cur = row ? (uint32_t)sqlite3_column_int64(st, 0) : 0;
    int done = row && sqlite3_column_type(st, 1) != SQLITE_NULL;
    int change = row && sqlite3_column_int(st, 2);
    sqlite3_finalize(st);
    if (!row) {
        kh__set_error(err, "this link is no longer valid (the subscription "
                           "is gone)");
        return finish(al, KH_EINVAL, err);
    }
    /* A confirmed query takes a link only for the change of frequency its
     * nonce was made for (kh_alerts_subscribe). */
    if ((done && !change) || cur != nonce) {
        kh__set_error(err, "this link was already used");
        return finish(al, KH_EINVAL, err);
    }
    st = kh__alert_prep(al,
                        "UPDATE saved_query SET confirmed ="
                        " coalesce(confirmed, ?1), frequency ="
                        " coalesce(pending_frequency, frequency),"
                        " pending_frequency = NULL, nonce = ?2 WHERE id = ?3",
                        err);
    if (st == NULL)
        return finish(al, KH_EIO, err);
    sqlite3_bind_int64(st, 1, now_s());
    uint32_t fresh = kh__alert_random32();
    sqlite3_bind_int64(st, 2, fresh == nonce ? fresh + 1 : fresh);
    sqlite3_bind_int64(st, 3, qid);
    rc = sqlite3_step(st) == SQLITE_DONE ? KH_OK : KH_EIO;
    sqlite3_finalize(st);
    if (rc == KH_OK)
        rc = kh__alert_touch(al, err);
    return finish(al, rc, err);
}

/* The subscriber an unsubscribe link's token names, if the link still
 * holds (signed, and the subscriber's nonce unchanged). */
static kh_status
unsubscribe_target(kh_alerts *al, const char *token, int64_t *sub,
                   kh_error *err)
{
    uint32_t nonce;
    kh_status rc = kh__token_check(al, token, KH_TOK_UNSUBSCRIBE, now_s(), sub,
                                   &nonce, err);
    if (rc != KH_OK)
        return rc;
    sqlite3_stmt *st =
        kh__alert_prep(al, "SELECT nonce FROM subscriber WHERE id = ?", err);
    if (st == NULL)
        return KH_EIO;
    sqlite3_bind_int64(st, 1, *sub);
    int ok = sqlite3_step(st) == SQLITE_ROW &&
             (uint32_t)sqlite3_column_int64(st, 0) == nonce;
    sqlite3_finalize(st);
    if (!ok) {
        kh__set_error(err, "this link is no longer valid");
        return KH_EINVAL;
    }
    return KH_OK;
}

kh_status
kh_alerts_unsubscribe_check(kh_alerts *al, const char *token, kh_error *err)
{
    int64_t sub;
    return unsubscribe_target(al, token, &sub, err);
}

kh_status
kh_alerts_unsubscribe(kh_alerts *al, const char *token, kh_error *err)
{
    int64_t sub;
    kh_status rc = begin(al, err);
    if (rc != KH_OK)
        return rc;
    rc = unsubscribe_target(al, token, &sub, err);
    if (rc != KH_OK)
        return finish(al, rc, err);
    static const char *const steps[] = {
        "UPDATE subscriber SET unsubscribed = coalesce(unsubscribed, ?1)"
        " WHERE id = ?2",
        "UPDATE saved_query SET confirmed = NULL, pending_frequency = NULL"
        " WHERE subscriber = ?2 AND ?1 IS NOT NULL",
        "DELETE FROM match WHERE digest IS NULL AND query IN (SELECT id FROM"
        " saved_query WHERE subscriber = ?2) AND ?1 IS NOT NULL",
        "UPDATE outbox SET state = 'cancelled' WHERE subscriber = ?2 AND"
        " state = 'queued' AND ?1 IS NOT NULL"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && rc == KH_OK; i++) {
        sqlite3_stmt *st = kh__alert_prep(al, steps[i], err);
        if (st == NULL) {
            rc = KH_EIO;
            break;
        }
        sqlite3_bind_int64(st, 1, now_s());
        sqlite3_bind_int64(st, 2, sub);
        if (sqlite3_step(st) != SQLITE_DONE) {
            kh__set_error(err, "subscriptions: %s", sqlite3_errmsg(al->db));
            rc = KH_EIO;
        }
        sqlite3_finalize(st);
    }
    if (rc == KH_OK)
        rc = kh__alert_touch(al, err);
    return finish(al, rc, err);
}

kh_status
kh_alerts_feed_query(kh_alerts *al, const char *token, char **query,
                     kh_error *err)
{
    *query = NULL;
    int64_t qid;
    uint32_t nonce;
    kh_status rc =
        kh__token_check(al, token, KH_TOK_FEED, now_s(), &qid, &nonce, err);
    if (rc != KH_OK)
        return rc;
    sqlite3_stmt *st = kh__alert_prep(
        al,
        "SELECT query FROM saved_query WHERE id = ? AND confirmed IS NOT NULL",
        err);
    if (st == NULL)
        return KH_EIO;
    sqlite3_bind_int64(st, 1, qid);
    rc = KH_ENOTFOUND;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        const char *q = (const char *)sqlite3_column_text(st, 0);
        *query = kh__strndup(q, strlen(q));
        rc = *query != NULL ? KH_OK : KH_ENOMEM;
    } else {
        kh__set_error(err, "this feed's subscription is no longer active");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- Matching ------------------------------------------------------------ */

static uint32_t
index_df(void *ud, const char *stem)
{
    return kh__stem_df(ud, stem);
}

static kh_status
load_percolator(kh_alerts *al, kh_index *ix, kh_error *err)
{
    int64_t v = kh__alert_version(al);
    if (al->perc != NULL && v == al->perc_version)
        return KH_OK;
    kh__perc_free(al->perc);
    al->perc = NULL;
    kh_status rc = kh__perc_new(&al->perc);
    if (rc != KH_OK)
        return rc;
    sqlite3_stmt *st = kh__alert_prep(
        al,
        "SELECT q.id, q.query FROM saved_query q JOIN subscriber s ON s.id ="
        " q.subscriber WHERE q.confirmed IS NOT NULL AND s.unsubscribed IS"
        " NULL",
        err);
    if (st == NULL)
        return KH_EIO;
    while (rc == KH_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *q = (const char *)sqlite3_column_text(st, 1);
        kh_qnode *tree;
        if (q == NULL ||
            kh__query_parse(q, strlen(q), al->an, &tree, NULL) != KH_OK)
            continue; /* saved under an older syntax: it cannot match */
        rc = kh__perc_add(al->perc, sqlite3_column_int64(st, 0), tree,
                          ix != NULL ? index_df : NULL, ix);
    }
    sqlite3_finalize(st);
    if (rc == KH_OK)
        al->perc_version = v;
    return rc;
}

/* Sets an entity: node's articles from the index (kh__perc_entities). */
static kh_status
resolve_entity(kh_qnode *q, void *ud)
{
    kh_index *ix = ud;
    kh_free(q->docids);
    q->docids = NULL;
    q->n_docids = 0;
    kh_status rc = kh__entity_docids(ix, q->value, &q->docids, &q->n_docids);
    return rc == KH_EINVAL ? KH_OK : rc; /* no letter: it names nothing */
}

typedef struct match_ctx {
    kh_alerts *al;
    sqlite3_stmt *ins;
    int64_t docid, grp, now;
    const char *key;
    size_t added;
    kh_status rc;
} match_ctx;

static void
on_match(int64_t qid, void *ud)
{
    match_ctx *m = ud;
    if (m->rc != KH_OK)
        return;
    sqlite3_reset(m->ins);
    sqlite3_bind_int64(m->ins, 1, qid);
    sqlite3_bind_int64(m->ins, 2, m->grp);
    sqlite3_bind_int64(m->ins, 3, m->docid);
    sqlite3_bind_text(m->ins, 4, m->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(m->ins, 5, m->now);
    if (sqlite3_step(m->ins) != SQLITE_DONE)
        m->rc = KH_EIO;
    else
        m->added += (size_t)sqlite3_changes(m->al->db);
}

kh_status
kh_alerts_match(kh_alerts *al, kh_index *ix, size_t *matched, kh_error *err)
{
    if (matched != NULL)
        *matched = 0;
    kh_status rc = open_docs(al, err);
    if (rc == KH_OK)
        rc = load_percolator(al, ix, err);
    if (rc != KH_OK)
        return rc;
    /* entity: is answered by the index, whose snapshot may lag docs.db:
     * with such queries the articles past the snapshot wait for a later
     * round (the watermark stays before them) */
    size_t n_entity = 0;
    int64_t bound = INT64_MAX;
    if (ix != NULL) {
        rc = kh__perc_entities(al->perc, resolve_entity, ix, &n_entity);
        if (rc != KH_OK)
            return rc;
        if (n_entity > 0)
            bound = (int64_t)kh__index_max_docid(ix);
    }
    static const char sql[] =
        "SELECT d.docid, d.key, d.title, kh_body(d.body), d.source, d.date,"
        " coalesce((SELECT grp FROM wire WHERE docid = d.docid), d.docid)"
        " FROM docs d WHERE d.docid > ?1 AND d.docid <= ?3"
        " ORDER BY d.docid LIMIT ?2";
    static const char sql_plain[] =
        "SELECT d.docid, d.key, d.title, kh_body(d.body), d.source, d.date, "
        "d.docid"
        " FROM docs d WHERE d.docid > ?1 AND d.docid <= ?3"
        " ORDER BY d.docid LIMIT ?2";
    sqlite3_stmt *sel = NULL;
    if (sqlite3_prepare_v2(al->docs, sql, -1, &sel, NULL) != SQLITE_OK &&
        sqlite3_prepare_v2(al->docs, sql_plain, -1, &sel, NULL) != SQLITE_OK) {
        kh__set_error(err, "docs.db: %s", sqlite3_errmsg(al->docs));
        return KH_EIO;
    }
    kh_mdoc *d = NULL;
    rc = kh__mdoc_new(&d);
    match_ctx m = {al, NULL, 0, 0, now_s(), NULL, 0, KH_OK};
    if (rc == KH_OK)
        m.ins = kh__alert_prep(al,
                               "INSERT OR IGNORE INTO match(query, grp, docid,"
                               " article, matched) VALUES (?, ?, ?, ?, ?)",
                               err);
    if (m.ins == NULL && rc == KH_OK)
        rc = KH_EIO;
    for (;;) {
        if (rc != KH_OK)
            break;
        int64_t mark = kh__alert_meta_int(al, "watermark", 0);
        rc = begin(al, err);
        if (rc != KH_OK)
            break;
        sqlite3_reset(sel);
        sqlite3_bind_int64(sel, 1, mark);
        sqlite3_bind_int(sel, 2, MATCH_BATCH);
        sqlite3_bind_int64(sel, 3, bound);
        int rows = 0;
        while (rc == KH_OK && sqlite3_step(sel) == SQLITE_ROW) {
            rows++;
            m.docid = sqlite3_column_int64(sel, 0);
            mark = m.docid;
            if (kh__perc_count(al->perc) == 0)
                continue;
            m.key = (const char *)sqlite3_column_text(sel, 1);
            m.grp = sqlite3_column_int64(sel, 6);
            int64_t date = sqlite3_column_type(sel, 5) == SQLITE_NULL
                               ? KH_DATE_NONE
                               : sqlite3_column_int64(sel, 5);
            rc = kh__mdoc_fill(d, al->an,
                               (const char *)sqlite3_column_text(sel, 2),
                               (const char *)sqlite3_column_text(sel, 3),
                               (const char *)sqlite3_column_text(sel, 4), date);
            kh__mdoc_set_docid(d, m.docid);
            if (rc == KH_OK && m.key != NULL)
                rc = kh__perc_match(al->perc, d, on_match, &m);
            if (rc == KH_OK)
                rc = m.rc;
        }
        sqlite3_reset(sel);
        if (rc == KH_OK && rows > 0)
            rc = kh__alert_meta_set_int(al, "watermark", mark, err);
        rc = finish(al, rc, err);
        if (rows < MATCH_BATCH)
            break;
    }
    if (rc == KH_EIO && err != NULL && err->message[0] == '\0')
        kh__set_error(err, "subscriptions: %s", sqlite3_errmsg(al->db));
    sqlite3_finalize(m.ins);
    sqlite3_finalize(sel);
    kh__mdoc_free(d);
    if (matched != NULL)
        *matched = m.added;
    return rc;
}

/* ---- Digests and delivery -------------------------------------------------
 */

static int64_t
period(const char *f)
{
    return strcmp(f, "daily") == 0    ? 86400
           : strcmp(f, "weekly") == 0 ? 604800
                                      : 0;
}

kh_status
kh_alerts_digest(kh_alerts *al, kh_index *ix, const char *frequency,
                 int64_t now, size_t *queued, kh_error *err)
{
    (void)ix;
    if (queued != NULL)
        *queued = 0;
    if (frequency != NULL && !valid_frequency(frequency)) {
        kh__set_error(err, "frequency: must be immediate, daily or weekly");
        return KH_EINVAL;
    }
    kh_status rc = open_docs(al, err);
    static const char *const all[] = {"immediate", "daily", "weekly"};
    for (size_t f = 0; f < 3 && rc == KH_OK; f++) {
        if (frequency != NULL && strcmp(frequency, all[f]) != 0)
            continue;
        sqlite3_stmt *st = kh__alert_prep(
            al,
            "SELECT DISTINCT s.id, s.email FROM subscriber s JOIN saved_query"
            " q ON q.subscriber = s.id WHERE s.unsubscribed IS NULL AND"
            " q.confirmed IS NOT NULL AND q.frequency = ?1 AND"
            " (q.last_digest IS NULL OR q.last_digest <= ?2) AND EXISTS"
            " (SELECT 1 FROM match WHERE query = q.id AND digest IS NULL)"
            " ORDER BY s.id",
            err);
        if (st == NULL) {
            rc = KH_EIO;
            break;
        }
        sqlite3_bind_text(st, 1, all[f], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now - period(all[f]));
        /* Collect first: each digest is its own transaction. */
        int64_t subs[1024];
        char *emails[1024];
        size_t n = 0;
        while (n < 1024 && sqlite3_step(st) == SQLITE_ROW) {
            const char *e = (const char *)sqlite3_column_text(st, 1);
            subs[n] = sqlite3_column_int64(st, 0);
            emails[n] = kh__strndup(e ? e : "", e ? strlen(e) : 0);
            if (emails[n] == NULL)
                break;
            n++;
        }
        sqlite3_finalize(st);
        for (size_t i = 0; i < n; i++) {
            if (rc == KH_OK)
                rc = begin(al, err);
            int q = 0;
            if (rc == KH_OK) {
                rc = kh__digest_build(al, subs[i], emails[i], all[f], now, &q,
                                      err);
                rc = finish(al, rc, err);
            }
            if (rc == KH_OK && q && queued != NULL)
                (*queued)++;
            kh_free(emails[i]);
        }
        if (n == 1024 && rc == KH_OK)
            f--; /* more addresses are due: another round */
    }
    return rc;
}

static kh_status send_due(kh_alerts *al, const kh_smtp_options *smtp,
                          int max_attempts, int64_t now, size_t *sent,
                          size_t *failed, kh_error *err);

kh_status
kh_alerts_send(kh_alerts *al, const kh_smtp_options *smtp, int64_t now,
               size_t *sent, size_t *failed, kh_error *err)
{
    if (sent != NULL)
        *sent = 0;
    if (failed != NULL)
        *failed = 0;
    if (smtp == NULL || smtp->url == NULL || smtp->url[0] == '\0') {
        kh__set_error(err, "no SMTP server to send through");
        return KH_EINVAL;
    }
    int max_attempts = smtp->max_attempts > 0 ? smtp->max_attempts : 8;
    /* One sender at a time per index (the server's mailer, a `khabar
     * digest --send` from cron): the other finds the lock taken and leaves
     * the outbox to it.  The lock dies with its process, so a message a
     * crashed sender left "sending" is the next sender's at once. */
    char path[4096];
    snprintf(path, sizeof path, "%s/outbox.lock", al->dir);
    int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0) {
        kh__set_error(err, "cannot create %s", path);
        return KH_EIO;
    }
    if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
        close(lock);
        return KH_OK;
    }
    kh_status rc = send_due(al, smtp, max_attempts, now, sent, failed, err);
    close(lock);
    return rc;
}

/* The time of a send: the one given, else the clock's. */
static int64_t
send_time(int64_t given)
{
    return given > 0 ? given : now_s();
}

static kh_status
send_due(kh_alerts *al, const kh_smtp_options *smtp, int max_attempts,
         int64_t given, size_t *sent, size_t *failed, kh_error *err)
{
    kh_status rc = KH_OK;
    int64_t last = 0;
    for (;;) {
        int64_t now = send_time(given);
        sqlite3_stmt *st = kh__alert_prep(
            al,
            "SELECT id, rcpt, message, attempts FROM outbox WHERE state IN"
            " ('queued','sending') AND next_try <= ? AND id > ? ORDER BY id"
            " LIMIT 1",
            err);
        if (st == NULL)
            return KH_EIO;
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int64(st, 2, last);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            break;
        }
        int64_t id = sqlite3_column_int64(st, 0);
        last = id;
        const char *r = (const char *)sqlite3_column_text(st, 1);
        char *rcpt = kh__strndup(r ? r : "", r ? strlen(r) : 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 2);
        char *msg = kh_malloc(len + 1);
        if (msg != NULL && len > 0)
            memcpy(msg, sqlite3_column_blob(st, 2), len);
        int attempts = sqlite3_column_int(st, 3) + 1;
        sqlite3_finalize(st);
        if (rcpt == NULL || msg == NULL) {
            kh_free(rcpt);
            kh_free(msg);
            return KH_ENOMEM;
        }
        /* "sending" is committed before the attempt: a crash during it
         * leaves a message that may have gone, sent again with the same
         * Message-ID (the receiving side drops the copy by it). */
        /* The attempt count read is the claim: another sender (the
         * server's mailer beside a `khabar digest --send`) that took the
         * message first has changed it, and this one moves on. */
        st = kh__alert_prep(al,
                            "UPDATE outbox SET state = 'sending', attempts ="
                            " ? WHERE id = ? AND attempts = ? AND state IN"
                            " ('queued','sending')",
                            err);
        if (st == NULL) {
            kh_free(rcpt);
            kh_free(msg);
            return KH_EIO;
        }
        sqlite3_bind_int(st, 1, attempts);
        sqlite3_bind_int64(st, 2, id);
        sqlite3_bind_int(st, 3, attempts - 1);
        int ok = sqlite3_step(st) == SQLITE_DONE;
        int claimed = ok && sqlite3_changes(al->db) == 1;
        sqlite3_finalize(st);
        if (!ok) {
            kh__set_error(err, "outbox: %s", sqlite3_errmsg(al->db));
            kh_free(rcpt);
            kh_free(msg);
            return KH_EIO;
        }
        if (!claimed) {
            kh_free(rcpt);
            kh_free(msg);
            continue;
        }
        kh_error serr;
        memset(&serr, 0, sizeof serr);
        kh_status src = kh__smtp_send(smtp, al->from, rcpt, msg, len, &serr);
        kh_free(rcpt);
        kh_free(msg);
        if (src == KH_OK) {
            st = kh__alert_prep(al,
                                "UPDATE outbox SET state = 'sent', sent = ?,"
                                " error = NULL WHERE id = ?",
                                err);
            if (st != NULL) {
                sqlite3_bind_int64(st, 1, send_time(given));
                sqlite3_bind_int64(st, 2, id);
            }
            if (sent != NULL)
                (*sent)++;
        } else {
            int64_t wait = 60;
            for (int i = 1; i < attempts && wait < 6 * 3600; i++)
                wait *= 2;
            if (wait > 6 * 3600)
                wait = 6 * 3600;
            st = kh__alert_prep(al,
                                "UPDATE outbox SET state = ?, next_try = ?,"
                                " error = ? WHERE id = ?",
                                err);
            if (st != NULL) {
                sqlite3_bind_text(
                    st, 1, attempts >= max_attempts ? "failed" : "queued", -1,
                    SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, send_time(given) + wait);
                sqlite3_bind_text(st, 3, serr.message, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 4, id);
            }
            if (failed != NULL)
                (*failed)++;
            if (err != NULL)
                *err = serr;
        }
        if (st == NULL)
            return KH_EIO;
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
        if (!ok) {
            kh__set_error(err, "outbox: %s", sqlite3_errmsg(al->db));
            return KH_EIO;
        }
    }
    return rc;
}

kh_status
kh_alerts_list(kh_alerts *al, int (*fn)(const kh_subscription *s, void *ud),
               void *ud, kh_error *err)
{
    sqlite3_stmt *st = kh__alert_prep(
        al,
        "SELECT q.id, s.email, q.query, q.frequency, q.created,"
        " coalesce(q.confirmed, 0), coalesce(s.unsubscribed, 0),"
        " (SELECT count(*) FROM match WHERE query = q.id AND digest IS NULL),"
        " q.pending_frequency FROM saved_query q"
        " JOIN subscriber s ON s.id = q.subscriber ORDER BY q.id",
        err);
    if (st == NULL)
        return KH_EIO;
    while (sqlite3_step(st) == SQLITE_ROW) {
        kh_subscription s = {sqlite3_column_int64(st, 0),
                             (const char *)sqlite3_column_text(st, 1),
                             (const char *)sqlite3_column_text(st, 2),
                             (const char *)sqlite3_column_text(st, 3),
                             sqlite3_column_int64(st, 4),
                             sqlite3_column_int64(st, 5),
                             sqlite3_column_int64(st, 6),
                             sqlite3_column_int64(st, 7),
                             (const char *)sqlite3_column_text(st, 8)};
        if (fn(&s, ud))
            break;
    }
    sqlite3_finalize(st);
    return KH_OK;
}

kh_status
kh_alerts_outbox(kh_alerts *al,
                 int (*fn)(const char *rcpt, const char *message, size_t len,
                           const char *state, void *ud),
                 void *ud, kh_error *err)
{
    sqlite3_stmt *st =
        kh__alert_prep(al,
                       "SELECT rcpt, message, state FROM outbox WHERE state IN"
                       " ('queued','sending') ORDER BY id",
                       err);
    if (st == NULL)
        return KH_EIO;
    while (sqlite3_step(st) == SQLITE_ROW)
        if (fn((const char *)sqlite3_column_text(st, 0),
               (const char *)sqlite3_column_blob(st, 1),
               (size_t)sqlite3_column_bytes(st, 1),
               (const char *)sqlite3_column_text(st, 2), ud))
            break;
    sqlite3_finalize(st);
    return KH_OK;
}
