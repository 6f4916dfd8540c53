/*
 * store.c -- docs.db: the articles' text and metadata, the list of live
 * segments with their deletions, and the index's settings, in SQLite.
 *
 * SQLite's transaction is the index's commit point: segment files and
 * new bodies (bodies.c) are written and synced first, then one
 * transaction records them together with the articles' rows.  WAL mode with
 * synchronous=FULL makes a committed transaction survive a power loss; readers
 * see the last commit while a writer works.
 *
 * Tables:
 *   meta(key TEXT PRIMARY KEY, value TEXT)      format, stemmer
 *   docs(docid INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE, url,
 *        source, title, body, author, date INTEGER)
 *     body: a locator into bodies.khb (a blob, see bodies.c), or the text
 *     itself in indexes made before that file.
 *   segments(segid INTEGER PRIMARY KEY, file TEXT, ndocs INTEGER,
 *            min_docid INTEGER, max_docid INTEGER, deleted BLOB)
 *     deleted: a bitmap over the segment's ordinals, bit set = deleted.
 */
#ifdef __linux__
#define _GNU_SOURCE /* sync_file_range */
#endif
#include "index.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Text stored since the WAL was last nudged to disk (see write_behind). */
#define WRITE_BEHIND_BYTES (4u << 20)
/* WAL frames after which a commit starts a checkpoint (SQLite's own
 * default for its automatic one; $KHABAR_CHECKPOINT_FRAMES, for tests,
 * sets another). */
#define CHECKPOINT_FRAMES 1000

struct kh_store {
    sqlite3 *db;
    sqlite3_stmt *find_key, *insert_doc, *delete_doc, *get_doc, *get_doc_body,
        *get_meta, *set_meta, *add_seg, *set_deleted, *drop_seg, *list_segs,
        *count;
    kh_bodylog *bodies; /* the writer's; NULL when read-only */
    bool in_txn;        /* a write transaction is open */
    bool in_read;       /* a read transaction is open */
    char *db_path;      /* docs.db's path, to which -wal is added */
    int wal_fd;         /* docs.db-wal, for write_behind; -1 until needed */
    size_t unsynced;    /* bytes stored since the last write_behind */
    int ckpt_frames;    /* CHECKPOINT_FRAMES or the test's */
    pthread_t ckpt;     /* the checkpointing thread, when ckpt_started */
    bool ckpt_started;
    atomic_bool ckpt_done;
};

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS docs(docid INTEGER PRIMARY KEY AUTOINCREMENT,"
    " key TEXT UNIQUE NOT NULL, url TEXT, source TEXT, title TEXT, body TEXT,"
    " author TEXT, date INTEGER);"
    "CREATE TABLE IF NOT EXISTS segments(segid INTEGER PRIMARY KEY "
    "AUTOINCREMENT,"
    " file TEXT NOT NULL, ndocs INTEGER NOT NULL, min_docid INTEGER,"
    " max_docid INTEGER, deleted BLOB);";

static kh_status
db_error(kh_store *s, kh_error *err, const char *what)
{
    if (err != NULL) {
        snprintf(err->message, sizeof err->message, "%s: %s", what,
                 s != NULL && s->db != NULL ? sqlite3_errmsg(s->db)
                                            : "cannot open");
        err->has_offset = 0;
    }
    int code = s != NULL && s->db != NULL ? sqlite3_errcode(s->db) : 0;
    if (code == SQLITE_NOMEM)
        return KH_ENOMEM;
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        return KH_ECORRUPT;
    return KH_EIO;
}

static int
prep(kh_store *s, sqlite3_stmt **st, const char *sql)
{
    return sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
                              NULL);
}

/* The checkpoint copies committed pages from the WAL into docs.db.
 * SQLite does it on the committing thread, after the commit that crosses
 * its threshold: for an ingest, that is the thread that also parses and
 * stores articles, and the copy (the whole text of the articles, a second
 * time) took as long as merging the segments, which it then waited for.
 * Here a thread of its own does it, on a connection of its own, while the
 * writer goes on: a passive checkpoint neither waits for the writer nor
 * blocks it, and it is as safe against a crash as SQLite's own. */
static void *
run_checkpoint(void *arg)
{
    kh_store *s = arg;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(s->db_path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) == SQLITE_OK &&
        sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) ==
            SQLITE_OK)
        sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL);
    sqlite3_close(db);
    atomic_store(&s->ckpt_done, true);
    return NULL;
}

/* Called by SQLite after each commit, in place of its automatic
 * checkpoint: starts a checkpoint on its own thread unless one runs. */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    (void)name;
    kh_store *s = arg;
    if (frames < s->ckpt_frames)
        return SQLITE_OK;
    if (s->ckpt_started) {
        if (!atomic_load(&s->ckpt_done))
            return SQLITE_OK; /* the next commit will ask again */
        pthread_join(s->ckpt, NULL);
        s->ckpt_started = false;
    }
    atomic_store(&s->ckpt_done, false);
    s->ckpt_started = pthread_create(&s->ckpt, NULL, run_checkpoint, s) == 0;
    if (!s->ckpt_started) /* no thread: do it here */
        sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL);
    return SQLITE_OK;
}

kh_status
kh__store_open(const char *dir, bool create, bool read_only, kh_store **out,
               kh_error *err)
{
    *out = NULL;
    kh_store *s = kh_malloc(sizeof *s);
    if (s == NULL)
        return KH_ENOMEM;
    memset(s, 0, sizeof *s);
    s->wal_fd = -1;
    atomic_init(&s->ckpt_done, false);
    const char *cf = getenv("KHABAR_CHECKPOINT_FRAMES");
    s->ckpt_frames = cf != NULL && atoi(cf) > 0 ? atoi(cf) : CHECKPOINT_FRAMES;
    char path[4096];
    snprintf(path, sizeof path, "%s/docs.db", dir);
    s->db_path = kh__strndup(path, strlen(path));
    if (s->db_path == NULL) {
        kh_free(s);
        return KH_ENOMEM;
    }
    int flags = read_only
                    ? SQLITE_OPEN_READONLY
                    : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        kh_status rc = db_error(s, err, "cannot open docs.db");
        kh__store_close(s);
        return rc;
    }
    sqlite3_busy_timeout(s->db, 10000);
    if (kh__bodies_register(s->db, dir) != SQLITE_OK) {
        kh_status rc = db_error(s, err, "cannot set up docs.db");
        kh__store_close(s);
        return rc;
    }
    if (!read_only) {
        kh_status rc = kh__bodylog_open(dir, &s->bodies, err);
        if (rc != KH_OK) {
            kh__store_close(s);
            return rc;
        }
    }
    /* Readers read through the page cache without a copy per page; the
     * writer does not map the file, so that the pages it touches while
     * ingesting do not pile up in its resident memory. */
    if (read_only)
        sqlite3_exec(s->db, "PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
    /* 32 KB pages (set before the tables exist, so for new indexes):
     * articles are a few KB each, and with SQLite's default 4 KB most of
     * them spread over overflow pages; the 31k corpus then took 113,000
     * writes to commit.  With 32 KB, 0.3 s less of an ingest of it. */
    if (create && !read_only)
        sqlite3_exec(s->db, "PRAGMA page_size=32768", NULL, NULL, NULL);
    if ((!read_only &&
         (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) !=
              SQLITE_OK ||
          sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK)) ||
        sqlite3_exec(s->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) !=
            SQLITE_OK) {
        kh_status rc = db_error(s, err, "cannot set up docs.db");
        kh__store_close(s);
        return rc;
    }
    if (!read_only)
        sqlite3_wal_hook(s->db, wal_hook, s);
    if (prep(s, &s->find_key, "SELECT docid FROM docs WHERE key=?1") ||
        prep(s, &s->insert_doc,
             "INSERT INTO docs(key,url,source,title,body,author,date)"
             " VALUES(?1,?2,?3,?4,?5,?6,?7)") ||
        prep(s, &s->delete_doc, "DELETE FROM docs WHERE docid=?1") ||
        prep(s, &s->get_doc,
             "SELECT key,title,url,source,author,date FROM docs"
             " WHERE docid=?1") ||
        prep(s, &s->get_doc_body,
             "SELECT key,title,url,source,author,date,kh_body(body) FROM docs"
             " WHERE docid=?1") ||
        prep(s, &s->get_meta, "SELECT value FROM meta WHERE key=?1") ||
        prep(s, &s->set_meta,
             "INSERT OR REPLACE INTO meta(key,value) VALUES(?1,?2)") ||
        prep(s, &s->add_seg,
             "INSERT INTO segments(file,ndocs,min_docid,max_docid,deleted)"
             " VALUES(?1,?2,?3,?4,?5)") ||
        prep(s, &s->set_deleted,
             "UPDATE segments SET deleted=?2 WHERE segid=?1") ||
        prep(s, &s->drop_seg, "DELETE FROM segments WHERE segid=?1") ||
        prep(s, &s->list_segs,
             "SELECT segid,file,ndocs,min_docid,max_docid,deleted"
             " FROM segments ORDER BY segid") ||
        prep(s, &s->count, "SELECT count(*) FROM docs")) {
        kh_status rc = db_error(s, err, "docs.db is not a Khabar index");
        kh__store_close(s);
        return rc;
    }
    *out = s;
    return KH_OK;
}

void
kh__store_close(kh_store *s)
{
    if (s == NULL)
        return;
    if (s->ckpt_started)
        pthread_join(s->ckpt, NULL);
    if (s->in_txn)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_stmt *all[] = {s->find_key, s->insert_doc,   s->delete_doc,
                           s->get_doc,  s->get_doc_body, s->get_meta,
                           s->set_meta, s->add_seg,      s->set_deleted,
                           s->drop_seg, s->list_segs,    s->count};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]);
    sqlite3_close(s->db);
    kh__bodylog_close(s->bodies);
    if (s->wal_fd >= 0)
        close(s->wal_fd);
    kh_free(s->db_path);
    kh_free(s);
}

/* A long ingest writes its text to the WAL as SQLite spills pages, and the
 * kernel keeps those pages dirty until the commit's fsync, which then
 * waits for all of them at once (half a second for the 31k corpus, with
 * nothing else to do).  Starting their write-out every few megabytes, as
 * RocksDB's bytes_per_sync does, lets the disk work while the ingest does;
 * the commit's fsync stays what makes them durable. */
static void
write_behind(kh_store *s)
{
    s->unsynced = 0;
#ifdef __linux__
    if (s->wal_fd < 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s-wal", s->db_path);
        s->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (s->wal_fd >= 0)
        (void)sync_file_range(s->wal_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

kh_status
kh__store_begin(kh_store *s, kh_error *err)
{
    kh__store_read_end(s);
    if (s->in_txn)
        return KH_OK;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot start a transaction");
    s->in_txn = true;
    return KH_OK;
}

kh_status
kh__store_commit(kh_store *s, kh_error *err)
{
    if (!s->in_txn)
        return KH_OK;
    if (s->bodies != NULL && kh__bodylog_sync(s->bodies) != KH_OK) {
        kh__set_error(err, "commit failed: cannot sync bodies.khb: %s",
                      strerror(errno));
        return KH_EIO;
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, err, "commit failed");
    s->in_txn = false;
    return KH_OK;
}

/* Reads done between these two share one snapshot and one lock, instead
 * of taking SQLite's file locks once per statement. */
void
kh__store_read_begin(kh_store *s)
{
    if (!s->in_txn &&
        sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        s->in_read = true;
}

void
kh__store_read_end(kh_store *s)
{
    if (s->in_read)
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    s->in_read = false;
}

void
kh__store_rollback(kh_store *s)
{
    if (s->in_txn)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_txn = false;
}

bool
kh__store_in_txn(const kh_store *s)
{
    return s->in_txn;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v == NULL)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

kh_status
kh__store_meta_get(kh_store *s, const char *key, char **value)
{
    *value = NULL;
    sqlite3_bind_text(s->get_meta, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(s->get_meta);
    kh_status rc = KH_ENOTFOUND;
    if (r == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s->get_meta, 0);
        *value = kh__strndup(v ? v : "", v ? strlen(v) : 0);
        rc = *value != NULL ? KH_OK : KH_ENOMEM;
    } else if (r != SQLITE_DONE) {
        rc = KH_EIO;
    }
    sqlite3_reset(s->get_meta);
    return rc;
}

kh_status
kh__store_meta_set(kh_store *s, const char *key, const char *value)
{
    bind_text(s->set_meta, 1, key);
    bind_text(s->set_meta, 2, value);
    int r = sqlite3_step(s->set_meta);
    sqlite3_reset(s->set_meta);
    return r == SQLITE_DONE ? KH_OK : KH_EIO;
}

kh_status
kh__store_find(kh_store *s, const char *key, uint64_t *docid)
{
    sqlite3_bind_text(s->find_key, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(s->find_key);
    kh_status rc = KH_ENOTFOUND;
    if (r == SQLITE_ROW) {
        *docid = (uint64_t)sqlite3_column_int64(s->find_key, 0);
        rc = KH_OK;
    } else if (r != SQLITE_DONE) {
        rc = KH_EIO;
    }
    sqlite3_reset(s->find_key);
    return rc;
}

kh_status
kh__store_insert(kh_store *s, const char *key, const kh_article *a,
                 uint64_t *docid, kh_error *err)
{
    sqlite3_stmt *st = s->insert_doc;
    bind_text(st, 1, key);
    bind_text(st, 2, a->url);
    bind_text(st, 3, a->source);
    bind_text(st, 4, a->title);
    uint8_t loc[KH_BODY_LOC];
    if (a->body == NULL) {
        sqlite3_bind_null(st, 5);
    } else {
        kh_status brc =
            kh__bodylog_append(s->bodies, a->body, strlen(a->body), loc);
        if (brc != KH_OK) {
            kh__set_error(err, "cannot store the article: bodies.khb: %s",
                          brc == KH_EIO ? strerror(errno) : kh_strerror(brc));
            return brc;
        }
        sqlite3_bind_blob(st, 5, loc, KH_BODY_LOC, SQLITE_STATIC);
    }
    bind_text(st, 6, a->author);
    if (a->date == KH_DATE_NONE)
        sqlite3_bind_null(st, 7);
    else
        sqlite3_bind_int64(st, 7, a->date);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (r != SQLITE_DONE)
        return db_error(s, err, "cannot store the article");
    *docid = (uint64_t)sqlite3_last_insert_rowid(s->db);
    /* Bodies are in bodies.khb, which nudges its own write-out. */
    s->unsynced += (a->title != NULL ? strlen(a->title) : 0) + strlen(key) +
                   (a->url != NULL ? strlen(a->url) : 0) + 64;
    if (s->unsynced >= WRITE_BEHIND_BYTES)
        write_behind(s);
    return KH_OK;
}

kh_status
kh__store_delete(kh_store *s, uint64_t docid)
{
    sqlite3_bind_int64(s->delete_doc, 1, (sqlite3_int64)docid);
    int r = sqlite3_step(s->delete_doc);
    sqlite3_reset(s->delete_doc);
    return r == SQLITE_DONE ? KH_OK : KH_EIO;
}

static char *
col_dup(sqlite3_stmt *st, int i, bool *oom)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    if (v == NULL)
        return NULL;
    char *p = kh__strndup(v, (size_t)sqlite3_column_bytes(st, i));
    if (p == NULL)
        *oom = true;
    return p;
}

kh_status
kh__store_get(kh_store *s, uint64_t docid, bool with_body, kh_doc *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = with_body ? s->get_doc_body : s->get_doc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)docid);
    int r = sqlite3_step(st);
    kh_status rc = KH_ENOTFOUND;
    if (r == SQLITE_ROW) {
        bool oom = false;
        out->meta.id = col_dup(st, 0, &oom);
        out->meta.title = col_dup(st, 1, &oom);
        out->meta.url = col_dup(st, 2, &oom);
        out->meta.source = col_dup(st, 3, &oom);
        out->meta.author = col_dup(st, 4, &oom);
        out->meta.date = sqlite3_column_type(st, 5) == SQLITE_NULL
                             ? KH_DATE_NONE
                             : sqlite3_column_int64(st, 5);
        if (with_body)
            out->body = col_dup(st, 6, &oom);
        rc = oom ? KH_ENOMEM : KH_OK;
    } else if (r != SQLITE_DONE) {
        rc = KH_EIO;
    }
    sqlite3_reset(st);
    return rc;
}

struct sqlite3 *
kh__store_db(kh_store *s)
{
    return s->db;
}

const char *
kh__store_errmsg(kh_store *s)
{
    return sqlite3_errmsg(s->db);
}

kh_status
kh__store_count(kh_store *s, uint64_t *n)
{
    int r = sqlite3_step(s->count);
    *n = r == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s->count, 0) : 0;
    sqlite3_reset(s->count);
    return r == SQLITE_ROW ? KH_OK : KH_EIO;
}

kh_status
kh__store_add_segment(kh_store *s, const kh_segrow *row, int64_t *segid)
{
    sqlite3_stmt *st = s->add_seg;
    bind_text(st, 1, row->file);
    sqlite3_bind_int64(st, 2, row->ndocs);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)row->min_docid);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)row->max_docid);
    sqlite3_bind_blob(st, 5, row->deleted, (int)row->deleted_len,
                      SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (r != SQLITE_DONE)
        return KH_EIO;
    *segid = sqlite3_last_insert_rowid(s->db);
    return KH_OK;
}

kh_status
kh__store_set_deleted(kh_store *s, int64_t segid, const uint8_t *bits,
                      size_t len)
{
    sqlite3_bind_int64(s->set_deleted, 1, segid);
    sqlite3_bind_blob(s->set_deleted, 2, bits, (int)len, SQLITE_STATIC);
    int r = sqlite3_step(s->set_deleted);
    sqlite3_reset(s->set_deleted);
    return r == SQLITE_DONE ? KH_OK : KH_EIO;
}

kh_status
kh__store_drop_segment(kh_store *s, int64_t segid)
{
    sqlite3_bind_int64(s->drop_seg, 1, segid);
    int r = sqlite3_step(s->drop_seg);
    sqlite3_reset(s->drop_seg);
    return r == SQLITE_DONE ? KH_OK : KH_EIO;
}

void
kh__segrows_free(kh_segrow *rows, size_t n)
{
    for (size_t i = 0; rows != NULL && i < n; i++) {
        kh_free(rows[i].file);
        kh_free(rows[i].deleted);
    }
    kh_free(rows);
}

kh_status
kh__store_segments(kh_store *s, kh_segrow **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    /* One statement reads the whole list, so it is one consistent
     * snapshot even while a writer commits. */
    kh_segrow *rows = NULL;
    size_t n = 0, cap = 0;
    kh_status rc = KH_OK;
    sqlite3_stmt *st = s->list_segs;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap == 0 ? 16 : cap * 2;
            kh_segrow *p = kh_realloc(rows, nc * sizeof *p);
            if (p == NULL) {
                rc = KH_ENOMEM;
                break;
            }
            rows = p;
            cap = nc;
        }
        kh_segrow *row = &rows[n];
        memset(row, 0, sizeof *row);
        bool oom = false;
        row->segid = sqlite3_column_int64(st, 0);
        row->file = col_dup(st, 1, &oom);
        row->ndocs = (uint32_t)sqlite3_column_int64(st, 2);
        row->min_docid = (uint64_t)sqlite3_column_int64(st, 3);
        row->max_docid = (uint64_t)sqlite3_column_int64(st, 4);
        size_t bl = (size_t)sqlite3_column_bytes(st, 5);
        row->deleted_len = (row->ndocs + 7) / 8;
        row->deleted = kh_malloc(row->deleted_len + 1);
        n++;
        if (oom || row->file == NULL || row->deleted == NULL) {
            rc = KH_ENOMEM;
            break;
        }
        memset(row->deleted, 0, row->deleted_len + 1);
        const void *blob = sqlite3_column_blob(st, 5);
        if (blob != NULL)
            memcpy(row->deleted, blob,
                   bl < row->deleted_len ? bl : row->deleted_len);
    }
    if (rc == KH_OK && r != SQLITE_DONE)
        rc = r == SQLITE_CORRUPT || r == SQLITE_NOTADB ? KH_ECORRUPT : KH_EIO;
    sqlite3_reset(st);
    if (rc != KH_OK) {
        kh__segrows_free(rows, n);
        return rc;
    }
    *out = rows;
    *n_out = n;
    return KH_OK;
}

int64_t
kh__store_data_version(kh_store *s)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &st, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

uint64_t
kh__store_bytes(const char *dir)
{
    static const char *const names[] = {"docs.db", "docs.db-wal", "bodies.khb"};
    uint64_t total = 0;
    for (size_t i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        if (f != NULL) {
            if (fseek(f, 0, SEEK_END) == 0)
                total += (uint64_t)ftell(f);
            fclose(f);
        }
    }
    return total;
}
