/*
 * bodies.c -- article bodies in bodies.khb, beside docs.db.
 *
 * Bodies are most of what an index stores (99 MB of the 31k corpus's
 * 111 MB).  In docs.db, SQLite wrote each of them twice, once into the
 * WAL and once more when a checkpoint copied the WAL into the database,
 * and the final checkpoint was the longest single step of a bulk ingest
 * (3.3 s of CPU for the 248k corpus).  Here they are written once: the
 * file is append-only, and docs.db's body column holds a locator (a
 * 16-byte blob: offset, length, CRC-32 of the bytes) instead of the text.
 * Bodies of indexes made before this file existed stay in docs.db as text.
 *
 * Durability: a commit syncs the file before the docs.db transaction
 * that refers to the new bodies commits, so a committed locator never
 * points past what is on disk.  What a crash or a rollback leaves after
 * the last committed body is never referred to; new bodies go after it.
 * Bodies of deleted or replaced articles stay in the file (no compaction
 * yet).
 *
 * Readers go through the SQL function kh_body(body): text is returned as
 * it is, a locator is read from the file and checked.  File layout in
 * docs/FORMAT.md.
 */
#ifdef __linux__
#define _GNU_SOURCE /* sync_file_range */
#endif
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAGIC       "KHBODY01"
#define HEADER_SIZE 16
/* Bytes appended between two nudges of the kernel to start writing them
 * out, so that the commit's sync finds little left (see store.c). */
#define WRITE_BEHIND (4u << 20)

struct kh_bodylog {
    char *path;
    int fd;
    uint64_t end;    /* where the next body goes */
    uint64_t synced; /* everything before it is on disk */
    uint64_t nudged; /* write-out started up to here */
    bool created;    /* the directory entry still needs a sync */
};

static char *
log_path(const char *dir)
{
    size_t n = strlen(dir) + sizeof "/bodies.khb";
    char *p = kh_malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/bodies.khb", dir);
    return p;
}

kh_status
kh__bodylog_open(const char *dir, kh_bodylog **out, kh_error *err)
{
    *out = NULL;
    kh_bodylog *b = kh_malloc(sizeof *b);
    if (b == NULL)
        return KH_ENOMEM;
    memset(b, 0, sizeof *b);
    b->fd = -1;
    b->path = log_path(dir);
    if (b->path == NULL) {
        kh__bodylog_close(b);
        return KH_ENOMEM;
    }
    b->fd = open(b->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    struct stat st;
    if (b->fd < 0 || fstat(b->fd, &st) != 0) {
        kh__set_error(err, "cannot open %s: %s", b->path, strerror(errno));
        kh__bodylog_close(b);
        return KH_EIO;
    }
    char head[HEADER_SIZE];
    if (st.st_size == 0) {
        memset(head, 0, sizeof head);
        memcpy(head, MAGIC, 8);
        if (!kh__pwrite_all(b->fd, head, sizeof head, 0)) {
            kh__set_error(err, "cannot write %s: %s", b->path, strerror(errno));
            kh__bodylog_close(b);
            return KH_EIO;
        }
        b->created = true;
        b->end = HEADER_SIZE;
    } else {
        if (st.st_size < HEADER_SIZE ||
            !kh__pread_all(b->fd, head, sizeof head, 0) ||
            memcmp(head, MAGIC, 8) != 0) {
            kh__set_error(err, "%s is not a Khabar body file", b->path);
            kh__bodylog_close(b);
            return KH_ECORRUPT;
        }
        b->end = (uint64_t)st.st_size;
        b->synced = b->nudged = b->end;
    }
    *out = b;
    return KH_OK;
}

void
kh__bodylog_close(kh_bodylog *b)
{
    if (b == NULL)
        return;
    if (b->fd >= 0)
        close(b->fd);
    kh_free(b->path);
    kh_free(b);
}

static void
put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

kh_status
kh__bodylog_append(kh_bodylog *b, const char *text, size_t len,
                   uint8_t loc[KH_BODY_LOC])
{
    if (len > UINT32_MAX)
        return KH_EINVAL;
    if (!kh__pwrite_all(b->fd, text, len, b->end))
        return KH_EIO;
    put_le(loc, b->end, 8);
    put_le(loc + 8, len, 4);
    put_le(loc + 12, crc32(0L, (const Bytef *)text, (uInt)len), 4);
    b->end += len;
#ifdef __linux__
    if (b->end - b->nudged >= WRITE_BEHIND) {
        (void)sync_file_range(b->fd, (off_t)b->nudged,
                              (off_t)(b->end - b->nudged),
                              SYNC_FILE_RANGE_WRITE);
        b->nudged = b->end;
    }
#endif
    return KH_OK;
}

kh_status
kh__bodylog_sync(kh_bodylog *b)
{
    if (b->synced == b->end && !b->created)
        return KH_OK;
    if (fdatasync(b->fd) != 0)
        return KH_EIO;
    if (b->created && kh__fsync_dir_of(b->path) != 0)
        return KH_EIO;
    b->created = false;
    b->synced = b->nudged = b->end;
    return KH_OK;
}

/* The reading side: one per connection, given to kh_body() as its user
 * data.  The file is opened on the first locator read (an index may have
 * none). */
typedef struct reader {
    char *path;
    int fd;
    pthread_mutex_t mu;
} reader;

static void
reader_free(void *p)
{
    reader *r = p;
    if (r->fd >= 0)
        close(r->fd);
    pthread_mutex_destroy(&r->mu);
    kh_free(r->path);
    kh_free(r);
}

static int
reader_fd(reader *r)
{
    pthread_mutex_lock(&r->mu);
    if (r->fd < 0)
        r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
    int fd = r->fd;
    pthread_mutex_unlock(&r->mu);
    return fd;
}

static void
body_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
        sqlite3_result_value(ctx, argv[0]); /* text, or NULL */
        return;
    }
    reader *r = sqlite3_user_data(ctx);
    const uint8_t *loc = sqlite3_value_blob(argv[0]);
    if (sqlite3_value_bytes(argv[0]) != KH_BODY_LOC || loc == NULL) {
        sqlite3_result_error(
            ctx, "docs.db: an article's body locator is damaged", -1);
        return;
    }
    uint64_t off = get_le(loc, 8);
    size_t len = (size_t)get_le(loc + 8, 4);
    uint32_t crc = (uint32_t)get_le(loc + 12, 4);
    int fd = reader_fd(r);
    if (fd < 0) {
        char msg[4200];
        snprintf(msg, sizeof msg, "cannot read %s: %s", r->path,
                 strerror(errno));
        sqlite3_result_error(ctx, msg, -1);
        return;
    }
    char *text = sqlite3_malloc64(len + 1);
    if (text == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (off < HEADER_SIZE || !kh__pread_all(fd, text, len, off) ||
        crc32(0L, (const Bytef *)text, (uInt)len) != crc) {
        sqlite3_free(text);
        char msg[4200];
        snprintf(msg, sizeof msg,
                 "%s is truncated or damaged (an article's body at offset "
                 "%llu)",
                 r->path, (unsigned long long)off);
        sqlite3_result_error(ctx, msg, -1);
        return;
    }
    text[len] = '\0';
    sqlite3_result_text64(ctx, text, len, sqlite3_free, SQLITE_UTF8);
}

int
kh__bodies_register(struct sqlite3 *db, const char *dir)
{
    reader *r = kh_malloc(sizeof *r);
    if (r == NULL)
        return SQLITE_NOMEM;
    r->fd = -1;
    r->path = log_path(dir);
    if (r->path == NULL) {
        kh_free(r);
        return SQLITE_NOMEM;
    }
    pthread_mutex_init(&r->mu, NULL);
    /* On failure SQLite calls reader_free itself. */
    return sqlite3_create_function_v2(db, "kh_body", 1,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC, r,
                                      body_fn, NULL, NULL, reader_free);
}
