/*
 * cmd_follow.c -- `khabar follow`: poll news feeds and ingest new items.
 *
 *   khabar follow FEEDS.txt [--index DIR] [--every 10m] [--once]
 *                 [--delay S] [--timeout S]
 *
 * FEEDS.txt holds one feed URL a line ('#' starts a comment); it is read
 * again every round, so feeds can be added while following.  Each round
 * polls every feed with a conditional GET, parses it and ingests the
 * items not seen before; an item carrying only a short summary gets its
 * linked page fetched and extracted (robots.txt respected; the feeds
 * themselves were chosen by the user and are not checked against it).
 * Every request waits for the per-host delay (--delay, or a larger
 * Crawl-delay).
 *
 * State lives in follow.db (SQLite) beside the index: per feed its ETag
 * and Last-Modified, and the keys (link, else guid) of the items seen,
 * the most recent SEEN_PER_FEED of them.  The order of the writes is what
 * makes stop and restart safe: the items of a feed are added, the index
 * is committed, and only then is the follow.db transaction that records
 * them committed.  A crash in between re-ingests those items next time,
 * which replaces them (same key) rather than duplicating; a crash never
 * marks an item seen that the index does not hold.  Validators are kept
 * only when a feed was read to its end, so an interrupted or damaged read
 * is retried in full.
 *
 * SIGINT/SIGTERM: the item being ingested is finished, the index and the
 * state are committed, and the command exits 0; a signal that arrives
 * while waiting on the network or sleeping ends the wait at once.  A
 * second signal also abandons the item's page fetch (the item is then
 * left unseen, for the next run).
 */
#include "article.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEEN_PER_FEED 10000
#define MAX_TRIES     4    /* rounds a page that failed for now is tried */
#define RETRY_ROWS    1000 /* items waiting for a retry, per feed */
#define MAX_FEEDS     10000
#define MAX_LINE      4096

static volatile sig_atomic_t stop_requested; /* finish the item, then stop */
static volatile sig_atomic_t abort_network;  /* end waits and transfers */
static volatile sig_atomic_t in_item;        /* an item is being ingested */

static void
on_signal(int sig)
{
    (void)sig;
    if (stop_requested || !in_item)
        abort_network = 1;
    stop_requested = 1;
}

typedef struct follow {
    kh_index *ix;
    sqlite3 *db;
    sqlite3_stmt *get_feed, *put_feed, *is_seen, *add_seen, *touch_seen, *prune;
    sqlite3_stmt *get_retry, *put_retry, *del_retry, *prune_retry;
    kh_fetcher *fetcher;
    kh_sitemodel *sites;
    int64_t clock; /* increasing stamp for seen keys (microseconds) */
} follow;

/* What one poll of one feed did, for its line of output. */
typedef struct poll {
    follow *fw;
    const char *feed;
    unsigned long items, fresh, seen, fetched, fetch_failed, denied, errors;
    unsigned long kept;    /* summaries not stored over a longer text */
    unsigned long pending; /* stored with their summary, page to retry */
    unsigned long retried; /* pages tried again */
    unsigned long added;   /* articles added to the index (to commit) */
    int fatal;             /* the index failed: stop everything */
    int cut_short;         /* stopped by a signal before the end */
} poll;

static void
usage(FILE *f)
{
    fputs("usage: khabar follow FEEDS.txt [--index DIR] [--every 10m] "
          "[--once]\n"
          "                     [--delay S] [--timeout S]\n"
          "Polls every feed of FEEDS.txt (one URL a line, # comments) and\n"
          "ingests the items not seen before, fetching the linked page of\n"
          "items that carry only a summary.  --every accepts 30s, 10m, 1h\n"
          "(default 10m); --once polls once and exits.  --delay S between\n"
          "two requests to one host (default 1), --timeout S a request\n"
          "(default 30).  State is kept in DIR/follow.db.\n",
          f);
}

/* ---- State ------------------------------------------------------------ */

static int
db_fail(follow *fw, const char *what)
{
    cli_error("follow.db: %s: %s", what, sqlite3_errmsg(fw->db));
    return -1;
}

static int
exec(follow *fw, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(fw->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        cli_error("follow.db: %s: %s", sql, msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int
state_open(follow *fw, const char *dir)
{
    kh_buf path;
    kh_status rc = KH_OK;
    kh__buf_init(&path);
    kh__buf_printf(&path, &rc, "%s/follow.db", dir);
    if (rc != KH_OK)
        return -1;
    int st = sqlite3_open_v2(path.data, &fw->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    kh__buf_release(&path);
    if (st != SQLITE_OK)
        return db_fail(fw, "open");
    sqlite3_busy_timeout(fw->db, 5000);
    if (exec(fw, "PRAGMA journal_mode=WAL") != 0 ||
        exec(fw, "PRAGMA synchronous=FULL") != 0 ||
        exec(fw, "CREATE TABLE IF NOT EXISTS feed(url TEXT PRIMARY KEY, "
                 "etag TEXT, last_modified TEXT, checked INTEGER)") != 0 ||
        exec(fw, "CREATE TABLE IF NOT EXISTS seen(feed TEXT NOT NULL, "
                 "key TEXT NOT NULL, at INTEGER NOT NULL, "
                 "PRIMARY KEY(feed, key))") != 0 ||
        exec(fw, "CREATE INDEX IF NOT EXISTS seen_at ON seen(feed, at)") != 0 ||
        exec(fw, "CREATE TABLE IF NOT EXISTS retry(feed TEXT NOT NULL, "
                 "key TEXT NOT NULL, tries INTEGER NOT NULL, "
                 "PRIMARY KEY(feed, key))") != 0)
        return -1;
    static const struct {
        size_t offset;
        const char *sql;
    } stmts[] = {
        {offsetof(follow, get_feed),
         "SELECT etag, last_modified FROM feed WHERE url = ?1"},
        {offsetof(follow, put_feed),
         "INSERT INTO feed(url, etag, last_modified, checked) "
         "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(url) DO UPDATE SET "
         "etag = excluded.etag, last_modified = excluded.last_modified, "
         "checked = excluded.checked"},
        {offsetof(follow, is_seen),
         "SELECT 1 FROM seen WHERE feed = ?1 AND key = ?2"},
        {offsetof(follow, add_seen),
         "INSERT OR REPLACE INTO seen(feed, key, at) VALUES(?1, ?2, ?3)"},
        {offsetof(follow, touch_seen),
         "UPDATE seen SET at = ?3 WHERE feed = ?1 AND key = ?2"},
        {offsetof(follow, get_retry),
         "SELECT tries FROM retry WHERE feed = ?1 AND key = ?2"},
        {offsetof(follow, put_retry),
         "INSERT OR REPLACE INTO retry(feed, key, tries) VALUES(?1, ?2, ?3)"},
        {offsetof(follow, del_retry),
         "DELETE FROM retry WHERE feed = ?1 AND key = ?2"},
        {offsetof(follow, prune_retry),
         "DELETE FROM retry WHERE feed = ?1 AND rowid IN (SELECT rowid FROM "
         "retry WHERE feed = ?1 ORDER BY rowid DESC LIMIT -1 OFFSET ?2)"},
        {offsetof(follow, prune),
         "DELETE FROM seen WHERE feed = ?1 AND key IN (SELECT key FROM seen "
         "WHERE feed = ?1 ORDER BY at DESC LIMIT -1 OFFSET ?2)"},
    };
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        sqlite3_stmt **s = (sqlite3_stmt **)((char *)fw + stmts[i].offset);
        if (sqlite3_prepare_v2(fw->db, stmts[i].sql, -1, s, NULL) != SQLITE_OK)
            return db_fail(fw, "prepare");
    }
    return 0;
}

static void
state_close(follow *fw)
{
    sqlite3_finalize(fw->get_feed);
    sqlite3_finalize(fw->put_feed);
    sqlite3_finalize(fw->is_seen);
    sqlite3_finalize(fw->add_seen);
    sqlite3_finalize(fw->touch_seen);
    sqlite3_finalize(fw->prune);
    sqlite3_finalize(fw->get_retry);
    sqlite3_finalize(fw->put_retry);
    sqlite3_finalize(fw->del_retry);
    sqlite3_finalize(fw->prune_retry);
    sqlite3_close(fw->db);
}

/* Runs a prepared statement whose parameters are ?1 text, ?2 text or
 * integer (b NULL: n), ?3 integer; returns the sqlite3_step result and
 * leaves the statement to be read and reset by the caller. */
static int
step(sqlite3_stmt *s, const char *a, const char *b, int64_t n)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    int np = sqlite3_bind_parameter_count(s);
    sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
    if (np >= 2 && b != NULL)
        sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
    else if (np >= 2)
        sqlite3_bind_int64(s, 2, n);
    if (np >= 3)
        sqlite3_bind_int64(s, 3, n);
    return sqlite3_step(s);
}

/* The feed row upsert: url, validators, time checked. */
static int
put_feed(follow *fw, const char *url, const char *etag, const char *lm,
         int64_t checked)
{
    sqlite3_stmt *s = fw->put_feed;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, etag, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, lm, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, checked);
    int st = sqlite3_step(s);
    sqlite3_reset(s);
    return st == SQLITE_DONE ? 0 : -1;
}

static int64_t
stamp(follow *fw)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t t = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    fw->clock = t > fw->clock ? t : fw->clock + 1;
    return fw->clock;
}

/* ---- One feed --------------------------------------------------------- */

static int
on_item(const kh_feed_item *item, void *ud)
{
    poll *p = ud;
    follow *fw = p->fw;
    p->items++;
    const char *key = item->link != NULL   ? item->link
                      : item->guid != NULL ? item->guid
                                           : item->title;
    if (key == NULL || *key == '\0') {
        cli_error("%s: item %lu has no link, guid or title; skipped", p->feed,
                  p->items);
        p->errors++;
        return 0;
    }
    int st = step(fw->is_seen, p->feed, key, 0);
    sqlite3_reset(fw->is_seen);
    if (st == SQLITE_ROW) {
        p->seen++;
        if (step(fw->touch_seen, p->feed, key, stamp(fw)) != SQLITE_DONE)
            db_fail(fw, "update");
        sqlite3_reset(fw->touch_seen);
        return 0;
    }
    if (st != SQLITE_DONE) {
        p->fatal = 1;
        db_fail(fw, "select");
        return 1;
    }
    /* Already in the index under its link (another feed lists it too, or
     * the same feed under another address): seen, not fetched again;
     * unless this feed stored its summary and tries its page again. */
    int retrying = step(fw->get_retry, p->feed, key, 0) == SQLITE_ROW;
    sqlite3_reset(fw->get_retry);
    kh_doc *have = NULL;
    kh_error gerr;
    if (!retrying && item->link != NULL &&
        kh_index_get(fw->ix, item->link, &have, &gerr) == KH_OK) {
        kh_doc_free(have);
        p->seen++;
        if (step(fw->add_seen, p->feed, key, stamp(fw)) != SQLITE_DONE) {
            db_fail(fw, "insert");
            p->fatal = 1;
        }
        sqlite3_reset(fw->add_seen);
        return p->fatal;
    }
    in_item = 1;
    cli_doc d;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = cli_doc_from_item(&d, item, fw->fetcher, fw->sites, &err);
    int interrupted = d.fetched < 0 && strcmp(d.why, "interrupted") == 0;
    if (rc != KH_OK) {
        cli_error("%s: item %lu: %s", p->feed, p->items, err.message);
        p->fatal = 1;
    } else if (interrupted) {
        p->cut_short = 1; /* left unseen: the next run takes it */
    } else if ((d.a.title == NULL || !*d.a.title) &&
               (d.a.body == NULL || !*d.a.body)) {
        cli_error("%s: item %lu (%.200s): no title and no text; skipped",
                  p->feed, p->items, key);
        p->errors++;
        /* Seen all the same: it is not reported again every round. */
        if (step(fw->add_seen, p->feed, key, stamp(fw)) != SQLITE_DONE) {
            db_fail(fw, "insert");
            p->fatal = 1;
        }
        sqlite3_reset(fw->add_seen);
    } else {
        p->fetched += d.fetched == 1;
        p->denied += d.fetched == -2 && !d.retry_later;
        if (d.fetched == -1 || (d.fetched == -2 && d.retry_later)) {
            p->fetch_failed++;
            cli_error("%s: item %lu: page %.200s not used (%s); the summary "
                      "is kept",
                      p->feed, p->items, key, d.why);
        }
        /* A page that failed for now (a timeout, a server error): the
         * summary is stored, the item is left unseen and tried again in
         * the next rounds, MAX_TRIES in all. */
        int tries = 0;
        if (step(fw->get_retry, p->feed, key, 0) == SQLITE_ROW)
            tries = sqlite3_column_int(fw->get_retry, 0);
        sqlite3_reset(fw->get_retry);
        int again = d.retry_later && d.fetched < 0 && tries + 1 < MAX_TRIES;
        int replaced;
        int keep = cli_doc_has_better(fw->ix, &d);
        rc = keep ? KH_OK : kh_index_add(fw->ix, &d.a, &replaced, &err);
        if (rc == KH_OK) {
            p->added += !keep;
            p->fresh += !keep && tries == 0;
            p->retried += tries > 0;
            p->kept += keep;
            p->pending += again;
            int dst = again ? step(fw->put_retry, p->feed, key, tries + 1)
                            : step(fw->add_seen, p->feed, key, stamp(fw));
            if (dst == SQLITE_DONE && !again && tries > 0)
                dst = step(fw->del_retry, p->feed, key, 0);
            if (dst != SQLITE_DONE) {
                db_fail(fw, "insert");
                p->fatal = 1;
            }
            sqlite3_reset(fw->put_retry);
            sqlite3_reset(fw->add_seen);
            sqlite3_reset(fw->del_retry);
        } else {
            cli_error("%s: item %lu (%.200s): %s", p->feed, p->items, key,
                      err.message[0] ? err.message : kh_strerror(rc));
            p->errors++;
            p->fatal = rc == KH_ENOMEM || rc == KH_EIO;
        }
    }
    cli_doc_release(&d);
    in_item = 0;
    if (stop_requested)
        p->cut_short = 1;
    return p->fatal || p->cut_short;
}

static char *
column_dup(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t != NULL ? kh__strndup((const char *)t, strlen((const char *)t))
                     : NULL;
}

/* Polls one feed and prints its line.  Returns -1 when the index or the
 * state failed (stop), 1 when the feed had an error, 0 otherwise;
 * *fresh counts its new articles. */
static int
poll_feed(follow *fw, const char *url, unsigned long *fresh)
{
    char *etag = NULL, *lm = NULL;
    if (step(fw->get_feed, url, NULL, 0) == SQLITE_ROW) {
        etag = column_dup(fw->get_feed, 0);
        lm = column_dup(fw->get_feed, 1);
    }
    sqlite3_reset(fw->get_feed);
    kh_fetch_result res;
    kh_error err;
    memset(&err, 0, sizeof err);
    double t0 = cli_now();
    kh_status rc = kh__fetch(fw->fetcher, url, etag, lm, 0, &res, &err);
    double secs = cli_now() - t0;
    int ret = 0;
    poll p;
    memset(&p, 0, sizeof p);
    p.fw = fw;
    p.feed = url;
    if (rc == KH_EIO && abort_network) {
        printf("%s: interrupted\n", url);
        goto done;
    }
    if (rc != KH_OK) {
        printf("%s: error: %s\n", url, err.message);
        ret = rc == KH_ENOMEM ? -1 : 1;
        goto done;
    }
    if (res.status == 304) {
        printf("%s: 304 not modified (%.2f s)\n", url, secs);
        goto done;
    }
    if (res.status < 200 || res.status > 299) {
        printf("%s: error: HTTP %ld\n", url, res.status);
        ret = 1;
        goto done;
    }
    kh_format fmt = kh_detect_format(res.body, res.body_len);
    if (fmt != KH_FMT_RSS && fmt != KH_FMT_ATOM) {
        printf("%s: error: not a feed (%s)\n", url, kh_format_name(fmt));
        ret = 1;
        goto done;
    }
    /* The new keys go into an open transaction, committed only after the
     * index: see the file comment. */
    if (exec(fw, "BEGIN IMMEDIATE") != 0) {
        ret = -1;
        goto done;
    }
    rc = kh_feed_parse(res.body, res.body_len, res.url, on_item, &p, &err);
    /* Validators are not kept while pages wait for a retry: the next
     * round must read the feed again to see those items. */
    int complete = rc == KH_OK && !p.cut_short && !p.fatal && p.pending == 0;
    if (rc != KH_OK && !p.fatal)
        cli_error("%s: after item %lu: %s", url, p.items,
                  err.message[0] ? err.message : kh_strerror(rc));
    kh_error cerr;
    memset(&cerr, 0, sizeof cerr);
    if (!p.fatal && p.added > 0 && kh_index_commit(fw->ix, &cerr) != KH_OK) {
        cli_error("commit failed: %s", cerr.message);
        p.fatal = 1;
    }
    if (!p.fatal) {
        /* Validators only for a feed read to its end. */
        if (put_feed(fw, url, complete ? res.etag : etag,
                     complete ? res.last_modified : lm,
                     (int64_t)time(NULL)) != 0 ||
            step(fw->prune, url, NULL, SEEN_PER_FEED) != SQLITE_DONE ||
            step(fw->prune_retry, url, NULL, RETRY_ROWS) != SQLITE_DONE)
            p.fatal = db_fail(fw, "update") != 0;
        sqlite3_reset(fw->prune);
        sqlite3_reset(fw->prune_retry);
    }
    if (p.fatal) {
        exec(fw, "ROLLBACK");
        ret = -1;
    } else if (exec(fw, "COMMIT") != 0) {
        ret = -1;
    }
    printf("%s: %ld, %lu items, %lu new", url, res.status, p.items, p.fresh);
    if (p.fetched > 0)
        printf(", %lu pages fetched", p.fetched);
    if (p.fetch_failed > 0)
        printf(", %lu pages failed", p.fetch_failed);
    if (p.denied > 0)
        printf(", %lu pages refused by robots.txt", p.denied);
    if (p.kept > 0)
        printf(", %lu summaries not stored over a longer text", p.kept);
    if (p.retried > 0)
        printf(", %lu pages tried again", p.retried);
    if (p.pending > 0)
        printf(", %lu pages to try again", p.pending);
    if (rc != KH_OK || p.errors > 0) {
        printf(", %lu errors", p.errors + (rc != KH_OK));
        if (ret == 0)
            ret = 1;
    }
    if (p.cut_short)
        printf(", interrupted");
    printf(" (%.2f s)\n", secs);
    *fresh += p.fresh;
done:
    fflush(stdout);
    kh__fetch_result_release(&res);
    kh_free(etag);
    kh_free(lm);
    return ret;
}

/* ---- Rounds ----------------------------------------------------------- */

/* Polls every feed of the list once.  Returns -1 on a fatal error, else
 * the number of feeds that had an error. */
static long
round_once(follow *fw, const char *list, unsigned long round)
{
    FILE *f = fopen(list, "r");
    if (f == NULL) {
        cli_error("cannot open %s", list);
        return 1;
    }
    double t0 = cli_now();
    char line[MAX_LINE];
    unsigned long feeds = 0, fresh = 0, lineno = 0;
    long errors = 0;
    while (!stop_requested && feeds < MAX_FEEDS &&
           fgets(line, sizeof line, f) != NULL) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            cli_error("%s:%lu: line too long; skipped", list, lineno);
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
            errors++;
            continue;
        }
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        char *hash = strchr(s, '#');
        if (hash != NULL)
            *hash = '\0';
        len = strlen(s);
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                           s[len - 1] == '\n' || s[len - 1] == '\r'))
            s[--len] = '\0';
        if (len == 0)
            continue;
        feeds++;
        int st = poll_feed(fw, s, &fresh);
        if (st < 0) {
            fclose(f);
            return -1;
        }
        errors += st;
    }
    fclose(f);
    printf("round %lu: %lu feeds, %lu new articles, %ld errors in %.2f s\n",
           round, feeds, fresh, errors, cli_now() - t0);
    fflush(stdout);
    return errors;
}

/* "30s", "10m", "1h" or plain seconds. */
static int
parse_interval(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    double unit = 1;
    if (end == s || !(v > 0))
        return -1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        unit = 60, end++;
    else if (*end == 'h')
        unit = 3600, end++;
    if (*end != '\0' || v * unit > 7 * 86400.0)
        return -1;
    *out = v * unit;
    return 0;
}

static void
nap(double secs)
{
    double until = cli_now() + secs;
    while (!stop_requested) {
        double left = until - cli_now();
        if (left <= 0)
            break;
        struct timespec ts = {0, (long)((left < 0.2 ? left : 0.2) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

int
kh_cmd_follow(int argc, char **argv)
{
    const char *dir = NULL, *list = NULL;
    double every = 600;
    int once = 0;
    kh_fetch_options fo;
    kh__fetch_options_init(&fo);
    fo.stop = &abort_network;
    int st;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(o, "--index") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(o, "--every") == 0 && i + 1 < argc) {
            if (parse_interval(argv[++i], &every) != 0) {
                cli_error("--every wants an interval: 30s, 10m, 1h");
                return 2;
            }
        } else if (strcmp(o, "--once") == 0) {
            once = 1;
        } else if ((st = cli_fetch_option(argc, argv, &i, &fo)) != 0) {
            if (st < 0)
                return 2;
        } else if (o[0] == '-' && o[1] != '\0') {
            cli_error("follow: unknown or incomplete option '%s'", o);
            usage(stderr);
            return 2;
        } else if (list == NULL) {
            list = o;
        } else {
            cli_error("follow: one feed list only ('%s')", o);
            return 2;
        }
    }
    if (list == NULL) {
        usage(stderr);
        return 2;
    }
    FILE *probe = fopen(list, "r");
    if (probe == NULL) {
        cli_error("cannot open %s", list);
        return 1;
    }
    fclose(probe);
    dir = cli_index_dir(dir);
    follow fw;
    memset(&fw, 0, sizeof fw);
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index_options io = {.create = 1, .stemmer = KH_STEMMER_LIGHT};
    if (kh_index_open(dir, &io, &fw.ix, &err) != KH_OK) {
        cli_error("%s", err.message);
        return 1;
    }
    int status = 0;
    if (state_open(&fw, dir) != 0 || kh_sitemodel_new(&fw.sites) != KH_OK ||
        kh__fetcher_new(&fo, &fw.fetcher, &err) != KH_OK) {
        if (err.message[0])
            cli_error("%s", err.message);
        status = 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    for (unsigned long round = 1; status == 0 && !stop_requested; round++) {
        long errors = round_once(&fw, list, round);
        if (errors < 0)
            status = 1;
        else if (once) {
            status = errors > 0 && !stop_requested ? 1 : 0;
            break;
        } else {
            nap(every);
        }
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    kh__fetcher_free(fw.fetcher);
    kh_sitemodel_free(fw.sites);
    if (fw.db != NULL)
        state_close(&fw);
    kh_index_close(fw.ix);
    return status;
}
