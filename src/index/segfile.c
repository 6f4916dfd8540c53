/*
 * segfile.c -- the segment file: writer, reader, postings cursors.
 *
 * A segment is immutable once written.  Layout (little-endian; every
 * offset is checked against the file size when it is opened, and every
 * varint read is bounded, so a corrupt or truncated file gives
 * KH_ECORRUPT or wrong hits, never a crash):
 *
 *   header (64 bytes)
 *     0  magic "KHSEG005" (KHSEG003 is read too: its block entries are
 *        12 bytes, without the block's impacts)
 *     8  u32 n_docs          12  u32 n_terms
 *    16  u64 docs_off        24  u64 terms_off
 *    32  u64 restarts_off    40  u64 post_off
 *    48  u64 total_len       (sum of title + body tokens)
 *    56  u32 terms_len       60  u32 crc32 of bytes 0..59
 *   docs: n_docs x 32-byte kh_segdoc records, ordered by docid; the last
 *     u32 of a record is the end offset of the article's key in ids
 *   ids: the articles' keys (ids), back to back; it ends at terms_off
 *   terms: the dictionary, ordered by key (bytewise), front-coded in
 *     groups of 32; per term, varints: shared prefix length with the
 *     previous key (0 at a group's start), suffix length, then the suffix
 *     bytes, then df, n_blocks, postings offset (from post_off at a group's
 *     start, else from the previous term's), doc stream length, pos stream
 *     length, max tf_title, max tf_body, shortest article length
 *   restarts: u32 offset (in terms) of each group's first term
 *   postings, per term: a block table of n_blocks - 1 entries of 21 bytes
 *     (entry i: u32 last ordinal of block i, u32 offset of block i + 1 in
 *     the doc stream, u32 in the pos stream, then block i's impacts for
 *     top-k pruning: KH_IMPACTS pairs of u8 weighted frequency (2 *
 *     tf_title + tf_body; 255: 255 or more) and u16 article length
 *     (saturated), every article of the block at or below one pair's
 *     frequency and at or above its length; block 0 starts at 0, the
 *     last block has no impacts (the term's bounds hold), and a term of
 *     at most KH_BLOCK_DOCS documents has no table), the doc stream, the
 *     pos stream.
 *     doc stream, per doc: varint (ordinal delta << 2 | code), the delta
 *       from the previous doc (+1 for the term's first doc, so that
 *       ordinal 0 is delta 1); code 0: tf_title 0, tf_body 1; code 3:
 *       tf_title 1, tf_body 0; code 1: tf_title 0, varint tf_body
 *       follows; code 2: varint tf_title and varint tf_body follow
 *     pos stream (KH_KEY_STEM only), per doc: tf_title varint deltas of
 *       title positions, then tf_body deltas of body positions; each
 *       field's first delta is from -1 (so 0 is encoded as 1)
 *   trailer (8 bytes): "KHSEGEND"
 */
/* madvise(MADV_DONTNEED) is Linux and BSD, not POSIX; sync_file_range
 * is Linux. */
#define _DEFAULT_SOURCE
#ifdef __linux__
#define _GNU_SOURCE
#endif
#include "index.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define HEADER_SIZE 64
#define DOC_SIZE    32
#define GROUP       32 /* terms per front-coding group */
#define KEY_MAX     (KH_MAX_TOKEN_BYTES + 8)
#define OLD_BLOCK   12 /* KHSEG003's block entries */
#define TRAILER     "KHSEGEND"
#define MAGIC       "KHSEG005"
#define OLD_MAGIC   "KHSEG003"

static void
put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void
put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/**************************************************************************
** Postings builder
*/

void
kh__pb_init(kh_postbuilder *b)
{
    memset(b, 0, sizeof *b);
    kh__buf_init(&b->docs);
    kh__buf_init(&b->pos);
    kh__buf_init(&b->blocks);
    b->st.min_len = UINT32_MAX;
}

void
kh__pb_release(kh_postbuilder *b)
{
    kh__buf_release(&b->docs);
    kh__buf_release(&b->pos);
    kh__buf_release(&b->blocks);
}

void
kh__pb_reset(kh_postbuilder *b)
{
    kh__buf_reset(&b->docs);
    kh__buf_reset(&b->pos);
    kh__buf_reset(&b->blocks);
    b->df = b->last_ord = b->in_block = 0;
    b->any = false;
    memset(&b->st, 0, sizeof b->st);
    b->n_front = 0;
    b->st.min_len = UINT32_MAX;
}

/* Merges frontier pairs i and i + 1 into one that bounds both. */
static void
front_merge(kh_postbuilder *b, uint32_t i)
{
    b->front[i].ptf = b->front[i + 1].ptf; /* the larger */
    /* b->front[i].len stays: the smaller */
    memmove(&b->front[i + 1], &b->front[i + 2],
            (b->n_front - i - 2) * sizeof b->front[0]);
    b->n_front--;
}

/* Shrinks the frontier to n pairs, merging the pairs closest in ptf. */
static void
front_shrink(kh_postbuilder *b, uint32_t n)
{
    while (b->n_front > n) {
        uint32_t best = 0;
        for (uint32_t i = 1; i + 1 < b->n_front; i++)
            if (b->front[i + 1].ptf - b->front[i].ptf <
                b->front[best + 1].ptf - b->front[best].ptf)
                best = i;
        front_merge(b, best);
    }
}

/* Adds an article's (ptf, len) to the block's frontier, kept sorted by
 * ptf (and so by len): pairs another pair dominates are dropped. */
static void
front_add(kh_postbuilder *b, uint32_t ptf, uint32_t len)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < b->n_front; i++) {
        kh_impact x = b->front[i];
        if (x.ptf >= ptf && x.len <= len)
            return; /* dominated: nothing changes */
        if (!(x.ptf <= ptf && x.len >= len))
            b->front[n++] = x;
    }
    uint32_t at = n;
    while (at > 0 && b->front[at - 1].ptf > ptf)
        at--;
    memmove(&b->front[at + 1], &b->front[at], (n - at) * sizeof b->front[0]);
    b->front[at].ptf = ptf;
    b->front[at].len = len;
    b->n_front = n + 1;
    if (b->n_front == sizeof b->front / sizeof b->front[0])
        front_shrink(b, b->n_front - 1);
}

/* Makes room for extra more bytes in buf.  This runs for every posting,
 * so the common case is the comparison alone. */
static inline bool
pb_room(kh_buf *buf, size_t extra, kh_status *rc)
{
    if (KH_LIKELY(buf->len + extra < buf->cap))
        return true;
    kh__buf_reserve(buf, extra, rc);
    return *rc == KH_OK;
}

/* What every added article writes apart from its positions: the block
 * table at a block's start, its record in the doc stream, the term's
 * stats and the block's frontier; and room for pos_room position bytes.
 * False (and *rc set) on failure. */
static bool
pb_begin(kh_postbuilder *b, uint32_t ord, uint32_t tf_title, uint32_t tf_body,
         size_t pos_room, kh_status *rc)
{
    if (*rc != KH_OK)
        return false;
    if (b->in_block == 0 && b->any) {
        /* A new block starts: record where, where the last one ended,
         * and the last one's bounds. */
        uint8_t rec[KH_BLOCK_ENTRY];
        put32(rec, b->last_ord);
        put32(rec + 4, (uint32_t)b->docs.len);
        put32(rec + 8, (uint32_t)b->pos.len);
        front_shrink(b, KH_IMPACTS);
        for (uint32_t i = 0; i < KH_IMPACTS; i++) {
            /* Unused pairs repeat the last one. */
            kh_impact x = b->front[i < b->n_front ? i : b->n_front - 1];
            rec[12 + 3 * i] = (uint8_t)(x.ptf < 255 ? x.ptf : 255);
            put16(rec + 13 + 3 * i,
                  (uint16_t)(x.len < UINT16_MAX ? x.len : UINT16_MAX));
        }
        kh__buf_append(&b->blocks, rec, KH_BLOCK_ENTRY, rc);
        if (*rc != KH_OK)
            return false;
        b->n_front = 0;
    }
    /* The record and the positions are written into room made once: a
     * delta and two counts take at most ten, five and five bytes. */
    if (!pb_room(&b->docs, 20, rc) ||
        (pos_room > 0 && !pb_room(&b->pos, pos_room, rc)))
        return false;
    uint64_t delta = b->any ? (uint64_t)(ord - b->last_ord) : (uint64_t)ord + 1;
    uint8_t *d = (uint8_t *)b->docs.data + b->docs.len;
    /* The two commonest cases fit in the delta's varint (see above). */
    if (tf_title == 0 && tf_body == 1) {
        d += kh__varint_put(d, delta << 2 | 0);
    } else if (tf_title == 1 && tf_body == 0) {
        d += kh__varint_put(d, delta << 2 | 3);
    } else if (tf_title == 0) {
        d += kh__varint_put(d, delta << 2 | 1);
        d += kh__varint_put(d, tf_body);
    } else {
        d += kh__varint_put(d, delta << 2 | 2);
        d += kh__varint_put(d, tf_title);
        d += kh__varint_put(d, tf_body);
    }
    b->docs.len = (size_t)(d - (uint8_t *)b->docs.data);
    return true;
}

/* The rest of an addition, after its positions. */
static void
pb_end(kh_postbuilder *b, uint32_t ord, uint32_t tf_title, uint32_t tf_body,
       uint32_t doc_len)
{
    b->last_ord = ord;
    b->any = true;
    b->df++;
    if (++b->in_block == KH_BLOCK_DOCS)
        b->in_block = 0;
    if (tf_title > b->st.max_tf_title)
        b->st.max_tf_title = tf_title;
    if (tf_body > b->st.max_tf_body)
        b->st.max_tf_body = tf_body;
    if (doc_len < b->st.min_len)
        b->st.min_len = doc_len;
    b->st.df = b->df;
    uint64_t ptf = (uint64_t)KH_IMPACT_TITLE_WEIGHT * tf_title + tf_body;
    front_add(b, ptf < UINT32_MAX ? (uint32_t)ptf : UINT32_MAX, doc_len);
}

void
kh__pb_add(kh_postbuilder *b, uint32_t ord, uint32_t tf_title, uint32_t tf_body,
           const uint32_t *positions, uint32_t doc_len, kh_status *rc)
{
    /* At most five bytes a position. */
    uint32_t npos = positions != NULL ? tf_title + tf_body : 0;
    if (!pb_begin(b, ord, tf_title, tf_body, (size_t)npos * 5, rc))
        return;
    if (npos > 0) {
        uint8_t *q = (uint8_t *)b->pos.data + b->pos.len;
        uint32_t n[2] = {tf_title, tf_body};
        const uint32_t *p = positions;
        for (int f = 0; f < 2; f++) {
            int64_t prev = -1;
            for (uint32_t i = 0; i < n[f]; i++, p++) {
                q += kh__varint_put(q, (uint64_t)((int64_t)*p - prev));
                prev = *p;
            }
        }
        b->pos.len = (size_t)(q - (uint8_t *)b->pos.data);
    }
    pb_end(b, ord, tf_title, tf_body, doc_len);
}

void
kh__pb_add_raw(kh_postbuilder *b, uint32_t ord, uint32_t tf_title,
               uint32_t tf_body, const uint8_t *pos, size_t pos_len,
               uint32_t doc_len, kh_status *rc)
{
    if (!pb_begin(b, ord, tf_title, tf_body, pos_len, rc))
        return;
    if (pos_len > 0) {
        memcpy(b->pos.data + b->pos.len, pos, pos_len);
        b->pos.len += pos_len;
    }
    pb_end(b, ord, tf_title, tf_body, doc_len);
}

/**************************************************************************
** Writer
*/

#define POST_BUF (1u << 20)

struct kh_segwriter {
    char *path, *tmp;
    FILE *post;     /* postings, written as they come */
    char *post_buf; /* its stdio buffer, POST_BUF bytes */
    char *post_path;
    kh_buf docs, ids, dict, keys; /* keys: the restart offsets */
    char prev[KEY_MAX];
    size_t prev_len;
    uint64_t post_len, prev_post, total_len;
    uint32_t n_docs, n_terms;
    kh_status rc;
};

kh_status
kh__segw_begin(const char *path, kh_segwriter **out)
{
    *out = NULL;
    kh_segwriter *w = kh_malloc(sizeof *w);
    if (w == NULL)
        return KH_ENOMEM;
    memset(w, 0, sizeof *w);
    kh__buf_init(&w->docs);
    kh__buf_init(&w->ids);
    kh__buf_init(&w->dict);
    kh__buf_init(&w->keys);
    size_t n = strlen(path);
    w->path = kh__strndup(path, n);
    w->tmp = kh_malloc(n + 8);
    w->post_path = kh_malloc(n + 8);
    if (w->path == NULL || w->tmp == NULL || w->post_path == NULL) {
        kh__segw_abort(w);
        return KH_ENOMEM;
    }
    snprintf(w->tmp, n + 8, "%s.tmp", path);
    snprintf(w->post_path, n + 8, "%s.post", path);
    w->post = fopen(w->post_path, "w+b");
    /* stdio's 4 KB buffer made a write call per 4 KB of postings, 5,000
     * of them for the 31k corpus, a third of the time spent writing its
     * segment. */
    w->post_buf = kh_malloc(POST_BUF);
    if (w->post == NULL || w->post_buf == NULL ||
        setvbuf(w->post, w->post_buf, _IOFBF, POST_BUF) != 0) {
        kh_status rc = w->post_buf == NULL ? KH_ENOMEM : KH_EIO;
        kh__segw_abort(w);
        return rc;
    }
    *out = w;
    return KH_OK;
}

kh_status
kh__segw_doc(kh_segwriter *w, const kh_segdoc *d, const char *key,
             size_t key_len)
{
    kh__buf_append(&w->ids, key, key_len, &w->rc);
    uint8_t rec[DOC_SIZE];
    put64(rec, d->docid);
    put64(rec + 8, (uint64_t)d->date);
    put32(rec + 16, d->source);
    put32(rec + 20, d->title_len);
    put32(rec + 24, d->body_len);
    put32(rec + 28, (uint32_t)w->ids.len);
    kh__buf_append(&w->docs, rec, DOC_SIZE, &w->rc);
    w->n_docs++;
    w->total_len += (uint64_t)d->title_len + d->body_len;
    return w->rc;
}

static void
put_varint(kh_buf *b, uint64_t v, kh_status *rc)
{
    uint8_t tmp[10];
    kh__buf_append(b, tmp, kh__varint_put(tmp, v), rc);
}

kh_status
kh__segw_term(kh_segwriter *w, const char *key, size_t len,
              const kh_termstats *st, const uint8_t *blocks, uint32_t n_blocks,
              const uint8_t *docs, size_t docs_len, const uint8_t *pos,
              size_t pos_len)
{
    if (w->rc != KH_OK)
        return w->rc;
    if (len == 0 || len > KEY_MAX || n_blocks == 0)
        return w->rc = KH_EINVAL;
    bool restart = w->n_terms % GROUP == 0;
    size_t shared = 0;
    if (restart) {
        uint8_t off[4];
        put32(off, (uint32_t)w->dict.len);
        kh__buf_append(&w->keys, off, 4, &w->rc);
    } else {
        while (shared < len && shared < w->prev_len &&
               key[shared] == w->prev[shared])
            shared++;
    }
    put_varint(&w->dict, shared, &w->rc);
    put_varint(&w->dict, len - shared, &w->rc);
    kh__buf_append(&w->dict, key + shared, len - shared, &w->rc);
    put_varint(&w->dict, st->df, &w->rc);
    put_varint(&w->dict, n_blocks, &w->rc);
    put_varint(&w->dict, restart ? w->post_len : w->post_len - w->prev_post,
               &w->rc);
    put_varint(&w->dict, docs_len, &w->rc);
    put_varint(&w->dict, pos_len, &w->rc);
    put_varint(&w->dict, st->max_tf_title, &w->rc);
    put_varint(&w->dict, st->max_tf_body, &w->rc);
    put_varint(&w->dict, st->min_len, &w->rc);
    if (w->rc != KH_OK)
        return w->rc;
    memcpy(w->prev, key, len);
    w->prev_len = len;
    w->prev_post = w->post_len;
    size_t nb = (size_t)(n_blocks - 1) * KH_BLOCK_ENTRY;
    if ((nb > 0 && fwrite(blocks, 1, nb, w->post) != nb) ||
        fwrite(docs, 1, docs_len, w->post) != docs_len ||
        (pos_len > 0 && fwrite(pos, 1, pos_len, w->post) != pos_len))
        return w->rc = KH_EIO;
    w->post_len += nb + docs_len + pos_len;
    w->n_terms++;
    return KH_OK;
}

kh_status
kh__segw_finish(kh_segwriter *w, kh_error *err)
{
    kh_status rc = w->rc;
    int fd = -1;
    if (rc != KH_OK)
        goto fail;
    uint8_t h[HEADER_SIZE];
    memset(h, 0, sizeof h);
    memcpy(h, MAGIC, 8);
    uint64_t docs_off = HEADER_SIZE;
    uint64_t dict_off = docs_off + w->docs.len + w->ids.len;
    uint64_t keys_off = dict_off + w->dict.len; /* the restarts */
    uint64_t post_off = keys_off + w->keys.len;
    put32(h + 8, w->n_docs);
    put32(h + 12, w->n_terms);
    put64(h + 16, docs_off);
    put64(h + 24, dict_off);
    put64(h + 32, keys_off);
    put64(h + 40, post_off);
    put64(h + 48, w->total_len);
    put32(h + 56, (uint32_t)w->dict.len);
    put32(h + 60, (uint32_t)crc32(0L, h, 60));
    fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        rc = KH_EIO;
        goto fail;
    }
    if (!kh__write_all(fd, h, sizeof h) ||
        !kh__write_all(fd, w->docs.data ? w->docs.data : "", w->docs.len) ||
        !kh__write_all(fd, w->ids.data ? w->ids.data : "", w->ids.len) ||
        !kh__write_all(fd, w->dict.data ? w->dict.data : "", w->dict.len) ||
        !kh__write_all(fd, w->keys.data ? w->keys.data : "", w->keys.len)) {
        rc = KH_EIO;
        goto fail;
    }
    /* Copy the postings written so far. */
    if (fflush(w->post) != 0 || fseek(w->post, 0, SEEK_SET) != 0) {
        rc = KH_EIO;
        goto fail;
    }
    char chunk[1 << 16];
    size_t k, since_sync = 0;
    while ((k = fread(chunk, 1, sizeof chunk, w->post)) > 0) {
        if (!kh__write_all(fd, chunk, k)) {
            rc = KH_EIO;
            goto fail;
        }
#ifdef __linux__
        /* Start the write-out as we go, so that the fsync below does not
         * wait for all of it at once (see write_behind in store.c). */
        if ((since_sync += k) >= (4u << 20)) {
            (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
            since_sync = 0;
        }
#endif
    }
    if (ferror(w->post) || !kh__write_all(fd, TRAILER, 8) || fsync(fd) != 0 ||
        close(fd) != 0) {
        fd = -1;
        rc = KH_EIO;
        goto fail;
    }
    fd = -1;
    if (rename(w->tmp, w->path) != 0 || kh__fsync_dir_of(w->path) != 0) {
        rc = KH_EIO;
        goto fail;
    }
    kh__segw_abort(w); /* frees; the renamed file stays */
    return KH_OK;
fail:
    if (fd >= 0)
        close(fd);
    kh__set_error(err, "cannot write segment %s: %s", w->path,
                  rc == KH_ENOMEM ? "out of memory" : strerror(errno));
    unlink(w->tmp);
    kh__segw_abort(w);
    return rc;
}

void
kh__segw_abort(kh_segwriter *w)
{
    if (w == NULL)
        return;
    if (w->post != NULL) {
        fclose(w->post);
        unlink(w->post_path);
    }
    kh_free(w->post_buf); /* after fclose, which may still write from it */
    kh__buf_release(&w->docs);
    kh__buf_release(&w->ids);
    kh__buf_release(&w->dict);
    kh__buf_release(&w->keys);
    kh_free(w->path);
    kh_free(w->tmp);
    kh_free(w->post_path);
    kh_free(w);
}

/**************************************************************************
** Reader
*/

struct kh_seg {
    const uint8_t *map;
    size_t size;
    uint32_t n_docs, n_terms, n_groups;
    const uint8_t *docs, *ids, *terms, *terms_end, *restarts, *post;
    size_t ids_len;
    size_t post_len;
    uint64_t total_len;
    uint32_t block_entry; /* KH_BLOCK_ENTRY, or OLD_BLOCK in KHSEG003 */
    kh_segdoc *doc_cache; /* decoded doc records */
    /* Article lengths (title + body tokens, saturated), apart from the
     * records: scoring reads the length of every candidate, and 2 bytes
     * an article stay in the caches where 32 do not. */
    uint16_t *doc_len;
};

/* One decoded dictionary entry. */
typedef struct entry {
    char key[KEY_MAX];
    size_t key_len;
    uint64_t post_off;
    uint32_t df, n_blocks, docs_len, pos_len;
    kh_termstats st;
} entry;

static bool
get_u32v(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    uint64_t v;
    if (!kh__varint_get(p, end, &v) || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Decodes the entry at *p over e (which holds the previous entry of the
 * group, for the shared prefix); false if it is malformed. */
static bool
decode_entry(const kh_seg *s, const uint8_t **p, bool restart, entry *e)
{
    const uint8_t *end = s->terms_end;
    uint32_t shared, suffix;
    uint64_t post;
    if (!get_u32v(p, end, &shared) || !get_u32v(p, end, &suffix) ||
        (restart && shared != 0) || shared > e->key_len ||
        (uint64_t)shared + suffix > KEY_MAX || suffix == 0 ||
        (size_t)(end - *p) < suffix)
        return false;
    memcpy(e->key + shared, *p, suffix);
    e->key_len = shared + suffix;
    *p += suffix;
    if (!get_u32v(p, end, &e->df) || !get_u32v(p, end, &e->n_blocks) ||
        !kh__varint_get(p, end, &post) || !get_u32v(p, end, &e->docs_len) ||
        !get_u32v(p, end, &e->pos_len) ||
        !get_u32v(p, end, &e->st.max_tf_title) ||
        !get_u32v(p, end, &e->st.max_tf_body) ||
        !get_u32v(p, end, &e->st.min_len))
        return false;
    e->st.df = e->df;
    e->post_off = restart ? post : e->post_off + post;
    return e->n_blocks > 0 && e->post_off <= s->post_len &&
           (uint64_t)(e->n_blocks - 1) * s->block_entry + e->docs_len +
                   e->pos_len <=
               s->post_len - e->post_off;
}

kh_status
kh__seg_open(const char *path, kh_seg **out, kh_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        kh__set_error(err, "cannot open segment %s: %s", path, strerror(errno));
        return errno == ENOENT ? KH_ENOTFOUND : KH_EIO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        kh__set_error(err, "cannot stat segment %s: %s", path, strerror(errno));
        return KH_EIO;
    }
    size_t size = (size_t)sb.st_size;
    const char *why = NULL;
    if (size < HEADER_SIZE + 8) {
        close(fd);
        kh__set_error(err, "segment %s is corrupt: %s", path,
                      "truncated header");
        return KH_ECORRUPT;
    }
    void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        kh__set_error(err, "cannot map segment %s: %s", path, strerror(errno));
        return KH_EIO;
    }
    const uint8_t *h = map;
    kh_seg *s = kh_malloc(sizeof *s);
    if (s == NULL) {
        munmap(map, size);
        return KH_ENOMEM;
    }
    memset(s, 0, sizeof *s);
    s->map = map;
    s->size = size;
    uint64_t docs_off = get64(h + 16), dict_off = get64(h + 24),
             keys_off = get64(h + 32), post_off = get64(h + 40);
    s->n_docs = get32(h + 8);
    s->n_terms = get32(h + 12);
    s->n_groups = (s->n_terms + GROUP - 1) / GROUP;
    s->total_len = get64(h + 48);
    uint64_t terms_len = get32(h + 56);
    uint64_t body_end = size - 8;
    s->block_entry = memcmp(h, OLD_MAGIC, 8) == 0 ? OLD_BLOCK : KH_BLOCK_ENTRY;
    if (memcmp(h, MAGIC, 8) != 0 && memcmp(h, OLD_MAGIC, 8) != 0)
        why = "bad magic (not a Khabar segment)";
    else if (get32(h + 60) != (uint32_t)crc32(0L, h, 60))
        why = "header checksum mismatch";
    else if (memcmp(h + size - 8, TRAILER, 8) != 0)
        why = "truncated (no trailer)";
    else if (docs_off != HEADER_SIZE ||
             dict_off < docs_off + (uint64_t)s->n_docs * DOC_SIZE ||
             keys_off != dict_off + terms_len ||
             post_off != keys_off + (uint64_t)s->n_groups * 4 ||
             post_off > body_end)
        why = "inconsistent section offsets";
    if (why != NULL) {
        kh__set_error(err, "segment %s is corrupt: %s", path, why);
        kh__seg_close(s);
        return KH_ECORRUPT;
    }
    s->docs = h + docs_off;
    s->ids = s->docs + (size_t)s->n_docs * DOC_SIZE;
    s->ids_len = (size_t)(dict_off - docs_off - (uint64_t)s->n_docs * DOC_SIZE);
    s->terms = h + dict_off;
    s->terms_end = h + keys_off;
    s->restarts = h + keys_off;
    s->post = h + post_off;
    s->post_len = (size_t)(body_end - post_off);
    s->doc_cache = kh_malloc((s->n_docs + 1) * sizeof *s->doc_cache);
    s->doc_len = kh_malloc((s->n_docs + 1) * sizeof *s->doc_len);
    if (s->doc_cache == NULL || s->doc_len == NULL) {
        kh__seg_close(s);
        return KH_ENOMEM;
    }
    for (uint32_t i = 0; i < s->n_docs; i++) {
        const uint8_t *r = s->docs + (size_t)i * DOC_SIZE;
        kh_segdoc *d = &s->doc_cache[i];
        d->docid = get64(r);
        d->date = (int64_t)get64(r + 8);
        d->source = get32(r + 16);
        d->title_len = get32(r + 20);
        d->body_len = get32(r + 24);
        d->reserved = get32(r + 28); /* end of the key in ids */
        uint64_t len = (uint64_t)d->title_len + d->body_len;
        s->doc_len[i] = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len;
        uint32_t start = i > 0 ? s->doc_cache[i - 1].reserved : 0;
        if (d->reserved < start || d->reserved > s->ids_len ||
            (i + 1 == s->n_docs && d->reserved != s->ids_len)) {
            kh__set_error(err, "segment %s is corrupt: %s", path,
                          "article ids out of bounds");
            kh__seg_close(s);
            return KH_ECORRUPT;
        }
    }
    /* Every dictionary entry must decode, point inside the postings and
     * come in key order; groups must start where the restarts say. */
    entry *e = kh_malloc(2 * sizeof *e);
    if (e == NULL) {
        kh__seg_close(s);
        return KH_ENOMEM;
    }
    memset(e, 0, 2 * sizeof *e);
    const uint8_t *p = s->terms;
    for (uint32_t i = 0; i < s->n_terms && why == NULL; i++) {
        bool restart = i % GROUP == 0;
        entry *cur = &e[i & 1], *prev = &e[(i + 1) & 1];
        if (restart && get32(s->restarts + (size_t)(i / GROUP) * 4) !=
                           (uint64_t)(p - s->terms))
            why = "dictionary group out of place";
        else if ((*cur = *prev, !decode_entry(s, &p, restart, cur)))
            why = "dictionary entry does not decode";
        else if (i > 0) {
            size_t n =
                cur->key_len < prev->key_len ? cur->key_len : prev->key_len;
            int c = memcmp(prev->key, cur->key, n);
            if (c > 0 || (c == 0 && prev->key_len >= cur->key_len))
                why = "dictionary out of order";
        }
    }
    kh_free(e);
    if (why == NULL && p != s->terms_end)
        why = "dictionary length mismatch";
    if (why != NULL) {
        kh__set_error(err, "segment %s is corrupt: %s", path, why);
        kh__seg_close(s);
        return KH_ECORRUPT;
    }
    *out = s;
    return KH_OK;
}

void
kh__seg_release(const kh_seg *s)
{
    /* The mapping is read-only and file-backed: dropping its pages loses
     * nothing, a later read faults them back in from the page cache. */
    madvise((void *)s->map, s->size, MADV_DONTNEED);
}

void
kh__seg_close(kh_seg *s)
{
    if (s == NULL)
        return;
    if (s->map != NULL)
        munmap((void *)s->map, s->size);
    kh_free(s->doc_cache);
    kh_free(s->doc_len);
    kh_free(s);
}

uint32_t
kh__seg_ndocs(const kh_seg *s)
{
    return s->n_docs;
}

uint32_t
kh__seg_nterms(const kh_seg *s)
{
    return s->n_terms;
}

uint64_t
kh__seg_bytes(const kh_seg *s)
{
    return s->size;
}

const char *
kh__seg_key(const kh_seg *s, uint32_t ord, size_t *len)
{
    uint32_t start = ord > 0 ? s->doc_cache[ord - 1].reserved : 0;
    *len = s->doc_cache[ord].reserved - start;
    return (const char *)s->ids + start;
}

uint64_t
kh__seg_total_len(const kh_seg *s)
{
    return s->total_len;
}

const kh_segdoc *
kh__seg_doc(const kh_seg *s, uint32_t ord)
{
    return &s->doc_cache[ord];
}

uint32_t
kh__seg_doclen(const kh_seg *s, uint32_t ord)
{
    return s->doc_len[ord];
}

static void
cursor_init(const kh_seg *s, const entry *e, kh_cursor *c)
{
    memset(c, 0, sizeof *c);
    const uint8_t *post = s->post + e->post_off;
    c->seg = s;
    c->kind = e->key[0] == KH_KEY_STEM ? KH_KEY_STEM : KH_KEY_NORM;
    c->df = e->df;
    c->n_blocks = e->n_blocks;
    c->blocks = post;
    c->block_entry = s->block_entry;
    c->st = e->st;
    c->docs = post + (size_t)(c->n_blocks - 1) * s->block_entry;
    c->docs_end = c->docs + e->docs_len;
    c->pos = c->docs_end;
    c->pos_end = c->pos + e->pos_len;
    c->doc = KH_END;
    c->pp = c->pos;
}

static int
keycmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c != 0 ? c : (al > bl) - (al < bl);
}

bool
kh__seg_find(const kh_seg *s, const char *key, size_t len, kh_cursor *c,
             kh_termstats *st)
{
    if (s->n_groups == 0)
        return false;
    /* The last group whose first key is <= key... */
    uint32_t lo = 0, hi = s->n_groups;
    entry e;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        const uint8_t *p = s->terms + get32(s->restarts + (size_t)mid * 4);
        e.key_len = 0;
        if (!decode_entry(s, &p, true, &e))
            return false; /* cannot happen: checked at open */
        if (keycmp(e.key, e.key_len, key, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    /* ...then a scan of that group. */
    const uint8_t *p = s->terms + get32(s->restarts + (size_t)lo * 4);
    e.key_len = 0;
    for (uint32_t i = lo * GROUP; i < s->n_terms && i < (lo + 1) * GROUP; i++) {
        if (!decode_entry(s, &p, i % GROUP == 0, &e))
            return false;
        int cmp = keycmp(e.key, e.key_len, key, len);
        if (cmp == 0) {
            cursor_init(s, &e, c);
            if (st != NULL)
                *st = e.st;
            return true;
        }
        if (cmp > 0)
            return false;
    }
    return false;
}

struct kh_termiter {
    const kh_seg *s;
    const uint8_t *p;
    uint32_t i;
    entry e;
};

kh_termiter *
kh__termiter_new(const kh_seg *s)
{
    kh_termiter *it = kh_malloc(sizeof *it);
    if (it != NULL) {
        memset(it, 0, sizeof *it);
        it->s = s;
        it->p = s->terms;
    }
    return it;
}

bool
kh__termiter_next(kh_termiter *it, const char **key, size_t *len, kh_cursor *c)
{
    if (it->i >= it->s->n_terms ||
        !decode_entry(it->s, &it->p, it->i % GROUP == 0, &it->e))
        return false;
    it->i++;
    *key = it->e.key;
    *len = it->e.key_len;
    cursor_init(it->s, &it->e, c);
    return true;
}

void
kh__termiter_free(kh_termiter *it)
{
    kh_free(it);
}

/* The last ordinal of block b; the last block has no bound of its own
 * (it ends with the doc stream). */
static uint32_t
block_last(const kh_cursor *c, uint32_t b)
{
    return b + 1 < c->n_blocks ? get32(c->blocks + (size_t)b * c->block_entry)
                               : KH_END - 1;
}

int
kh__cursor_block(const kh_cursor *c, kh_impact *out, uint32_t *last)
{
    *last = block_last(c, c->block);
    if (c->block + 1 >= c->n_blocks || c->block_entry < KH_BLOCK_ENTRY)
        return 0;
    const uint8_t *r = c->blocks + (size_t)c->block * c->block_entry + 12;
    for (int i = 0; i < KH_IMPACTS; i++, r += 3) {
        out[i].ptf = r[0];
        out[i].len = (uint32_t)r[1] | (uint32_t)r[2] << 8;
    }
    return KH_IMPACTS;
}

static void
enter_block(kh_cursor *c, uint32_t b)
{
    uint32_t doff = 0, poff = 0;
    if (b > 0) {
        const uint8_t *r = c->blocks + (size_t)(b - 1) * c->block_entry;
        doff = get32(r + 4);
        poff = get32(r + 8);
    }
    c->block = b;
    c->in_block = 0;
    c->dp =
        doff <= (size_t)(c->docs_end - c->docs) ? c->docs + doff : c->docs_end;
    c->pp = poff <= (size_t)(c->pos_end - c->pos) ? c->pos + poff : c->pos_end;
    c->pos_skip = 0;
    c->pos_read = true; /* nothing of the previous block to skip */
    c->doc = b > 0 ? block_last(c, b - 1) : KH_END; /* the delta base */
}

uint32_t
kh__cursor_next(kh_cursor *c)
{
    if (c->started && c->doc == KH_END)
        return KH_END;
    if (!c->started) {
        c->started = true;
        if (c->n_blocks == 0)
            return c->doc = KH_END;
        enter_block(c, 0);
    } else {
        if (!c->pos_read)
            c->pos_skip += c->tf_title + c->tf_body;
        if (c->in_block == KH_BLOCK_DOCS || c->doc == block_last(c, c->block)) {
            if (c->block + 1 >= c->n_blocks)
                return c->doc = KH_END;
            enter_block(c, c->block + 1);
        }
    }
    uint64_t delta, tt = 0, tb = 0;
    if (c->dp >= c->docs_end) {
        /* The stream ended: fine at the end of the last block. */
        c->corrupt = c->corrupt || c->block + 1 < c->n_blocks;
        return c->doc = KH_END;
    }
    bool ok = kh__varint_get(&c->dp, c->docs_end, &delta) && delta >= 4;
    switch (ok ? delta & 3 : 4) {
    case 0:
        tb = 1;
        break;
    case 3:
        tt = 1;
        tb = 0;
        break;
    case 1:
        ok = kh__varint_get(&c->dp, c->docs_end, &tb);
        break;
    case 2:
        ok = kh__varint_get(&c->dp, c->docs_end, &tt) &&
             kh__varint_get(&c->dp, c->docs_end, &tb);
        break;
    default:
        ok = false;
    }
    if (!ok || tt > UINT32_MAX || tb > UINT32_MAX) {
        c->corrupt = true;
        return c->doc = KH_END;
    }
    delta >>= 2;
    uint64_t doc = (c->doc == KH_END ? (uint64_t)-1 : c->doc) + delta;
    if (doc >= kh__seg_ndocs(c->seg)) {
        c->corrupt = true;
        return c->doc = KH_END;
    }
    c->doc = (uint32_t)doc;
    c->tf_title = (uint32_t)tt;
    c->tf_body = (uint32_t)tb;
    c->pos_read = false;
    c->in_block++;
    return c->doc;
}

uint32_t
kh__cursor_advance(kh_cursor *c, uint32_t target)
{
    if (c->started && (c->doc == KH_END || c->doc >= target))
        return c->doc;
    if (c->n_blocks == 0) {
        c->started = true;
        return c->doc = KH_END;
    }
    uint32_t b = c->started ? c->block : 0;
    if (block_last(c, b) < target) {
        /* Jump over whole blocks: the first one whose last doc is at or
         * past the target. */
        uint32_t lo = b + 1, hi = c->n_blocks;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (block_last(c, mid) < target)
                lo = mid + 1;
            else
                hi = mid;
        }
        c->started = true;
        if (lo >= c->n_blocks)
            return c->doc = KH_END;
        enter_block(c, lo);
    }
    while (kh__cursor_next(c) != KH_END && c->doc < target)
        ;
    return c->doc;
}

/* Steps the position stream past the earlier documents' positions, which
 * were not read. */
static bool
skip_earlier_positions(kh_cursor *c)
{
    uint64_t v;
    for (; c->pos_skip > 0; c->pos_skip--)
        if (!kh__varint_get(&c->pp, c->pos_end, &v))
            return false;
    return true;
}

int
kh__cursor_positions(kh_cursor *c, uint32_t *out, size_t cap)
{
    if (c->kind != KH_KEY_STEM || c->doc == KH_END)
        return 0;
    if (!skip_earlier_positions(c))
        return -1;
    uint64_t v;
    size_t n = 0;
    uint32_t counts[2] = {c->tf_title, c->tf_body};
    const uint8_t *p = c->pp;
    for (int f = 0; f < 2; f++) {
        int64_t prev = -1;
        for (uint32_t i = 0; i < counts[f]; i++) {
            if (!kh__varint_get(&p, c->pos_end, &v) || v == 0 || v > UINT32_MAX)
                return -1;
            prev += (int64_t)v;
            if (n < cap)
                out[n++] = (uint32_t)prev;
        }
    }
    /* Positions are consumed: the next doc need not skip them. */
    c->pp = p;
    c->pos_read = true;
    return (int)n;
}

bool
kh__cursor_raw_positions(kh_cursor *c, const uint8_t **bytes, size_t *len)
{
    *bytes = NULL;
    *len = 0;
    if (c->kind != KH_KEY_STEM || c->doc == KH_END)
        return true;
    if (!skip_earlier_positions(c))
        return false;
    uint64_t v;
    /* The checks of kh__cursor_positions: every delta decodes, and is
     * neither zero nor over 32 bits. */
    const uint8_t *p = c->pp;
    uint64_t npos = (uint64_t)c->tf_title + c->tf_body;
    for (uint64_t i = 0; i < npos; i++)
        if (!kh__varint_get(&p, c->pos_end, &v) || v == 0 || v > UINT32_MAX)
            return false;
    *bytes = c->pp;
    *len = (size_t)(p - c->pp);
    c->pp = p;
    c->pos_read = true;
    return true;
}
