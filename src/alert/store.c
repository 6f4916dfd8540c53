/*
 * store.c -- subscriptions.db: who subscribed to what, the matches waiting
 * for a digest, the outbox, and the secret of the links.
 *
 *   subscriber   one per address: its confirmation of nothing, its
 *                unsubscribe time, the nonce of its unsubscribe links
 *   saved_query  an address's query with its frequency, confirmed or not,
 *                and a change of frequency waiting for its confirmation
 *   match        an article (one per wire group) matched by a saved query,
 *                waiting for a digest (digest IS NULL) or sent in one
 *   outbox       every message, from queued to sent
 *   meta         the secret, the matching watermark, a version counter
 */
#include "alert/alert.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    /* A crash of the process loses no commit in WAL mode at NORMAL; a
     * power cut may lose the last ones: a "sent" mark (the mail goes
     * again, with its Message-ID) or a request (asked again). */
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA foreign_keys=ON;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value);"
    "CREATE TABLE IF NOT EXISTS subscriber("
    " id INTEGER PRIMARY KEY,"
    " email TEXT UNIQUE NOT NULL,"
    " lang TEXT NOT NULL DEFAULT 'ar',"
    " created INTEGER NOT NULL,"
    " unsubscribed INTEGER,"
    " nonce INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS saved_query("
    " id INTEGER PRIMARY KEY,"
    " subscriber INTEGER NOT NULL REFERENCES subscriber(id),"
    " query TEXT NOT NULL,"
    " frequency TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " confirmed INTEGER,"
    " confirm_sent INTEGER,"
    " nonce INTEGER NOT NULL,"
    " last_digest INTEGER,"
    " pending_frequency TEXT,"
    " UNIQUE(subscriber, query));"
    "CREATE TABLE IF NOT EXISTS match("
    " query INTEGER NOT NULL REFERENCES saved_query(id),"
    " grp INTEGER NOT NULL,"
    " docid INTEGER NOT NULL,"
    " article TEXT NOT NULL,"
    " matched INTEGER NOT NULL,"
    " digest INTEGER,"
    " PRIMARY KEY(query, grp));"
    "CREATE INDEX IF NOT EXISTS match_pending ON match(query) WHERE digest "
    "IS NULL;"
    "CREATE TABLE IF NOT EXISTS outbox("
    " id INTEGER PRIMARY KEY,"
    " subscriber INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " message_id TEXT UNIQUE NOT NULL,"
    " rcpt TEXT NOT NULL,"
    " message BLOB NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'queued',"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_try INTEGER NOT NULL,"
    " created INTEGER NOT NULL,"
    " sent INTEGER,"
    " error TEXT);"
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_try) WHERE state "
    "IN ('queued','sending');";

uint32_t
kh__alert_random32(void)
{
    unsigned char b[4] = {0};
    if (RAND_bytes(b, sizeof b) != 1)
        return 0x9e3779b9u;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           b[3];
}

sqlite3_stmt *
kh__alert_prep(kh_alerts *al, const char *sql, kh_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(al->db, sql, -1, &st, NULL) != SQLITE_OK) {
        kh__set_error(err, "subscriptions: %s", sqlite3_errmsg(al->db));
        return NULL;
    }
    return st;
}

kh_status
kh__alert_exec(kh_alerts *al, const char *sql, kh_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(al->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        kh__set_error(err, "subscriptions: %s", msg ? msg : "failed");
        sqlite3_free(msg);
        return KH_EIO;
    }
    return KH_OK;
}

int64_t
kh__alert_meta_int(kh_alerts *al, const char *key, int64_t dflt)
{
    sqlite3_stmt *st =
        kh__alert_prep(al, "SELECT value FROM meta WHERE key=?", NULL);
    if (st == NULL)
        return dflt;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int64_t v = dflt;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

kh_status
kh__alert_meta_set_int(kh_alerts *al, const char *key, int64_t v, kh_error *err)
{
    sqlite3_stmt *st = kh__alert_prep(
        al, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", err);
    if (st == NULL)
        return KH_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, v);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        kh__set_error(err, "subscriptions: %s", sqlite3_errmsg(al->db));
        return KH_EIO;
    }
    return KH_OK;
}

kh_status
kh__alert_touch(kh_alerts *al, kh_error *err)
{
    return kh__alert_meta_set_int(al, "version", kh__alert_version(al) + 1,
                                  err);
}

int64_t
kh__alert_version(kh_alerts *al)
{
    return kh__alert_meta_int(al, "version", 0);
}

/* The secret: given, else the stored one, else 32 random bytes stored
 * now. */
static kh_status
load_secret(kh_alerts *al, const char *given, kh_error *err)
{
    if (given != NULL && *given) {
        unsigned int n = 0;
        EVP_Digest(given, strlen(given), al->secret, &n, EVP_sha256(), NULL);
        return KH_OK;
    }
    sqlite3_stmt *st =
        kh__alert_prep(al, "SELECT value FROM meta WHERE key='secret'", err);
    if (st == NULL)
        return KH_EIO;
    kh_status rc = KH_OK;
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_bytes(st, 0) == (int)sizeof al->secret) {
        memcpy(al->secret, sqlite3_column_blob(st, 0), sizeof al->secret);
        sqlite3_finalize(st);
        return KH_OK;
    }
    sqlite3_finalize(st);
    if (RAND_bytes(al->secret, sizeof al->secret) != 1) {
        kh__set_error(err, "no randomness for the links' secret");
        return KH_EIO;
    }
    st = kh__alert_prep(
        al, "INSERT OR REPLACE INTO meta(key, value) VALUES ('secret', ?)",
        err);
    if (st == NULL)
        return KH_EIO;
    sqlite3_bind_blob(st, 1, al->secret, sizeof al->secret, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        kh__set_error(err, "subscriptions: %s", sqlite3_errmsg(al->db));
        rc = KH_EIO;
    }
    sqlite3_finalize(st);
    return rc;
}

kh_status
kh__alert_db_open(kh_alerts *al, const char *secret, int no_create,
                  kh_error *err)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/subscriptions.db", al->dir) >=
        sizeof path) {
        kh__set_error(err, "index path too long");
        return KH_EINVAL;
    }
    if (no_create && access(path, F_OK) != 0) {
        kh__set_error(err, "%s: no subscriptions", al->dir);
        return KH_ENOTFOUND;
    }
    if (sqlite3_open_v2(path, &al->db,
                        SQLITE_OPEN_READWRITE |
                            (no_create ? 0 : SQLITE_OPEN_CREATE) |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        kh__set_error(err, "cannot open %s: %s", path, sqlite3_errmsg(al->db));
        return KH_EIO;
    }
    sqlite3_busy_timeout(al->db, 10000);
    kh_status rc = kh__alert_exec(al, schema, err);
    /* A database made before changes of frequency were confirmed.  Two
     * processes opening it at once may both find the column missing: the
     * second one's "duplicate column" means it is there. */
    sqlite3_stmt *st = NULL;
    if (rc == KH_OK &&
        sqlite3_prepare_v2(al->db,
                           "SELECT pending_frequency FROM saved_query LIMIT 0",
                           -1, &st, NULL) != SQLITE_OK) {
        char *msg = NULL;
        if (sqlite3_exec(al->db,
                         "ALTER TABLE saved_query ADD COLUMN "
                         "pending_frequency TEXT",
                         NULL, NULL, &msg) != SQLITE_OK &&
            (msg == NULL || strstr(msg, "duplicate column") == NULL)) {
            kh__set_error(err, "subscriptions: %s", msg ? msg : "failed");
            rc = KH_EIO;
        }
        sqlite3_free(msg);
    }
    sqlite3_finalize(st);
    if (rc == KH_OK)
        rc = load_secret(al, secret, err);
    return rc;
}

int
kh__email_valid(const char *s)
{
    size_t n = strlen(s);
    const char *at = strrchr(s, '@');
    if (n > 254 || at == NULL || at == s || at - s > 64)
        return 0;
    for (const char *p = s; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c >= 127 || strchr("\"(),:;<>[\\]", c) != NULL)
            return 0;
    }
    /* The domain: labels of letters, digits and inner hyphens, at least
     * two of them. */
    int labels = 0;
    const char *p = at + 1;
    while (*p) {
        const char *q = p;
        while (isalnum((unsigned char)*q) || *q == '-')
            q++;
        if (q == p || q - p > 63 || *p == '-' || q[-1] == '-')
            return 0;
        labels++;
        if (*q == '\0')
            break;
        if (*q != '.')
            return 0;
        p = q + 1;
        if (*p == '\0')
            return 0;
    }
    return labels >= 2;
}
