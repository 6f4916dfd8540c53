/*
 * subs.c -- the subscription store: DIR/subscriptions.db.
 */
#include "alert/alert.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct kh_subs {
    sqlite3 *db;
};

static const char schema[] = "PRAGMA journal_mode=WAL;"
                             "CREATE TABLE IF NOT EXISTS subscription ("
                             " id INTEGER PRIMARY KEY,"
                             " email TEXT NOT NULL,"
                             " query TEXT NOT NULL,"
                             " frequency TEXT NOT NULL,"
                             " lang TEXT NOT NULL DEFAULT 'ar',"
                             " created INTEGER NOT NULL,"
                             " confirmed INTEGER,"
                             " unsubscribed INTEGER,"
                             " UNIQUE (email, query));";

kh_status
kh__subs_open(const char *dir, kh_subs **out, kh_error *err)
{
    *out = NULL;
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/subscriptions.db", dir) >=
        sizeof path) {
        kh__set_error(err, "index path too long");
        return KH_EINVAL;
    }
    kh_subs *s = kh_malloc(sizeof *s);
    if (s == NULL)
        return KH_ENOMEM;
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        kh__set_error(err, "cannot open %s: %s", path, sqlite3_errmsg(s->db));
        sqlite3_close(s->db);
        kh_free(s);
        return KH_EIO;
    }
    sqlite3_busy_timeout(s->db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        kh__set_error(err, "%s: %s", path, msg ? msg : "cannot create");
        sqlite3_free(msg);
        sqlite3_close(s->db);
        kh_free(s);
        return KH_EIO;
    }
    *out = s;
    return KH_OK;
}

void
kh__subs_close(kh_subs *subs)
{
    if (subs == NULL)
        return;
    sqlite3_close(subs->db);
    kh_free(subs);
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

int
kh__frequency_valid(const char *frequency)
{
    return strcmp(frequency, "immediate") == 0 ||
           strcmp(frequency, "daily") == 0 || strcmp(frequency, "weekly") == 0;
}

kh_status
kh__subs_request(kh_subs *subs, const char *email, const char *query,
                 const char *frequency, kh_error *err)
{
    /* The domain part is case-insensitive, the local part is not. */
    char addr[256];
    size_t n = strlen(email);
    if (n >= sizeof addr)
        return KH_EINVAL;
    memcpy(addr, email, n + 1);
    for (char *p = strrchr(addr, '@'); p != NULL && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(subs->db,
                           "INSERT INTO subscription (email, query, frequency,"
                           " created) VALUES (?1, ?2, ?3, ?4)"
                           " ON CONFLICT (email, query) DO UPDATE SET"
                           " frequency = excluded.frequency",
                           -1, &st, NULL) != SQLITE_OK) {
        kh__set_error(err, "subscriptions: %s", sqlite3_errmsg(subs->db));
        return KH_EIO;
    }
    sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, query, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, frequency, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        kh__set_error(err, "subscriptions: %s", sqlite3_errmsg(subs->db));
        return KH_EIO;
    }
    return KH_OK;
}
