/*
 * store.h -- interface to code in index/store.c (docs.db).
 */
#ifndef KH_STORE_H
#define KH_STORE_H

#include "kh_int.h"

typedef struct kh_store kh_store;

typedef struct kh_segrow {
    int64_t segid;
    char *file; /* file name inside the index directory */
    uint32_t ndocs;
    uint64_t min_docid, max_docid;
    uint8_t *deleted; /* (ndocs + 7) / 8 bytes */
    size_t deleted_len;
} kh_segrow;

KH_HIDDEN kh_status kh__store_open(const char *dir, bool create, bool read_only,
                                   kh_store **out, kh_error *err);
KH_HIDDEN void kh__store_close(kh_store *s);
KH_HIDDEN kh_status kh__store_begin(kh_store *s, kh_error *err);
KH_HIDDEN kh_status kh__store_commit(kh_store *s, kh_error *err);
KH_HIDDEN void kh__store_rollback(kh_store *s);
KH_HIDDEN void kh__store_read_begin(kh_store *s);
KH_HIDDEN void kh__store_read_end(kh_store *s);
KH_HIDDEN bool kh__store_in_txn(const kh_store *s);
KH_HIDDEN kh_status kh__store_meta_get(kh_store *s, const char *key,
                                       char **value);
KH_HIDDEN kh_status kh__store_meta_set(kh_store *s, const char *key,
                                       const char *value);
KH_HIDDEN kh_status kh__store_find(kh_store *s, const char *key,
                                   uint64_t *docid);
KH_HIDDEN kh_status kh__store_insert(kh_store *s, const char *key,
                                     const kh_article *a, uint64_t *docid,
                                     kh_error *err);
KH_HIDDEN kh_status kh__store_delete(kh_store *s, uint64_t docid);
KH_HIDDEN kh_status kh__store_get(kh_store *s, uint64_t docid, bool with_body,
                                  kh_doc *out);
KH_HIDDEN kh_status kh__store_count(kh_store *s, uint64_t *n);
KH_HIDDEN kh_status kh__store_add_segment(kh_store *s, const kh_segrow *row,
                                          int64_t *segid);
KH_HIDDEN kh_status kh__store_set_deleted(kh_store *s, int64_t segid,
                                          const uint8_t *bits, size_t len);
KH_HIDDEN kh_status kh__store_drop_segment(kh_store *s, int64_t segid);
KH_HIDDEN kh_status kh__store_segments(kh_store *s, kh_segrow **out, size_t *n);
KH_HIDDEN void kh__segrows_free(kh_segrow *rows, size_t n);
KH_HIDDEN int64_t kh__store_data_version(kh_store *s);
KH_HIDDEN uint64_t kh__store_bytes(const char *dir);
/* The connection, for modules keeping their own tables in docs.db (the
 * story module): they use it only inside the store's transactions.  Its
 * SQL reads a body as kh_body(body) (see below). */
KH_HIDDEN struct sqlite3 *kh__store_db(kh_store *s);
/* SQLite's message for the last failed statement on the connection. */
KH_HIDDEN const char *kh__store_errmsg(kh_store *s);

/**************************************************************************
** Interface to code in index/bodies.c: article bodies in bodies.khb.
*/

#define KH_BODY_LOC 16 /* bytes of a locator: offset, length, CRC-32 */

typedef struct kh_bodylog kh_bodylog;

/* Opens (creating it if needed) dir's body file for appending. */
KH_HIDDEN kh_status kh__bodylog_open(const char *dir, kh_bodylog **out,
                                     kh_error *err);
KH_HIDDEN void kh__bodylog_close(kh_bodylog *b);
/* Appends text[0..len) and writes its locator into loc. */
KH_HIDDEN kh_status kh__bodylog_append(kh_bodylog *b, const char *text,
                                       size_t len, uint8_t loc[KH_BODY_LOC]);
/* Makes everything appended so far durable: before the commit that
 * refers to it. */
KH_HIDDEN kh_status kh__bodylog_sync(kh_bodylog *b);
/* Defines kh_body(body) on a connection to dir's docs.db: the text of a
 * body column, read from bodies.khb when it holds a locator, or an error
 * naming the file when that is truncated or damaged.  An SQLite code. */
KH_HIDDEN int kh__bodies_register(struct sqlite3 *db, const char *dir);

#endif
