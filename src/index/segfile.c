/*
 * segfile.c -- the segment file: writer, reader, postings cursors.
 *
 * A segment is immutable once written.  Layout (little-endian; every
 * offset is checked against the file size when it is opened, and every
 * varint read is bounded, so a corrupt or truncated file gives
 * KH_ECORRUPT or wrong hits, never a crash):
 *
 *   header (64 bytes)
 *     0  magic "KHSEG001"
 *     8  u32 n_docs          12  u32 n_terms
 *    16  u64 docs_off        24  u64 dict_off
 *    32  u64 keys_off        40  u64 post_off
 *    48  u64 total_len       (sum of title + body tokens)
 *    56  u32 keys_len        60  u32 crc32 of bytes 0..59
 *   docs: n_docs x 32-byte kh_segdoc records, ordered by docid
 *   dict: n_terms x 40-byte records, ordered by key (bytewise):
 *     u32 key_off  u32 key_len  u32 df  u32 n_blocks
 *     u64 post_off (from post_off)  u32 docs_len  u32 pos_len
 *     u16 max_tf_title  u16 max_tf_body  u32 min_len
 *   keys: the key bytes, back to back
 *   postings, per term: n_blocks x 12 bytes (u32 last ordinal in block,
 *     u32 offset of the block in the doc stream, u32 in the pos stream),
 *     the doc stream, the pos stream.
 *     doc stream, per doc: varint ordinal delta (from the previous doc,
 *       from the previous block's last doc at a block start, +1 so that
 *       the first doc of a term, ordinal 0, is delta 1), varint tf_title,
 *       varint tf_body (KH_KEY_NORM terms: tf_title then tf_body too)
 *     pos stream (KH_KEY_STEM only), per doc: tf_title varint deltas of
 *       title positions, then tf_body deltas of body positions; each
 *       field's first delta is from -1 (so 0 is encoded as 1)
 *   trailer (8 bytes): "KHSEGEND"
 */
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
#define DICT_SIZE   40
#define BLOCK_SIZE  12
#define TRAILER     "KHSEGEND"
#define MAGIC       "KHSEG001"

static void
put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
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

static void set_err(kh_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_err(kh_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->has_offset = 0;
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
    b->st.min_len = UINT32_MAX;
}

static void
pb_put(kh_buf *buf, uint64_t v, kh_status *rc)
{
    uint8_t tmp[10];
    kh__buf_append(buf, tmp, kh__varint_put(tmp, v), rc);
}

void
kh__pb_add(kh_postbuilder *b, uint32_t ord, uint32_t tf_title,
           uint32_t tf_body, const uint32_t *positions, uint32_t doc_len,
           kh_status *rc)
{
    if (*rc != KH_OK)
        return;
    if (b->in_block == 0) {
        /* A new block starts here; its last ordinal is patched as docs
         * are added. */
        uint8_t rec[BLOCK_SIZE];
        put32(rec, ord);
        put32(rec + 4, (uint32_t)b->docs.len);
        put32(rec + 8, (uint32_t)b->pos.len);
        kh__buf_append(&b->blocks, rec, BLOCK_SIZE, rc);
        if (*rc != KH_OK)
            return;
    }
    uint32_t base = b->any ? b->last_ord : 0;
    pb_put(&b->docs, (uint64_t)(ord - base) + (b->any ? 0 : 1), rc);
    pb_put(&b->docs, tf_title, rc);
    pb_put(&b->docs, tf_body, rc);
    if (positions != NULL) {
        uint32_t n[2] = {tf_title, tf_body};
        const uint32_t *p = positions;
        for (int f = 0; f < 2; f++) {
            int64_t prev = -1;
            for (uint32_t i = 0; i < n[f]; i++, p++) {
                pb_put(&b->pos, (uint64_t)((int64_t)*p - prev), rc);
                prev = *p;
            }
        }
    }
    if (*rc != KH_OK)
        return;
    put32((uint8_t *)b->blocks.data + b->blocks.len - BLOCK_SIZE, ord);
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
}

/**************************************************************************
** Writer
*/

struct kh_segwriter {
    char *path, *tmp;
    FILE *post;        /* postings, written as they come */
    char *post_path;
    kh_buf docs, dict, keys;
    uint64_t post_len, total_len;
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
    if (w->post == NULL) {
        kh__segw_abort(w);
        return KH_EIO;
    }
    *out = w;
    return KH_OK;
}

kh_status
kh__segw_doc(kh_segwriter *w, const kh_segdoc *d)
{
    uint8_t rec[DOC_SIZE];
    put64(rec, d->docid);
    put64(rec + 8, (uint64_t)d->date);
    put32(rec + 16, d->source);
    put32(rec + 20, d->title_len);
    put32(rec + 24, d->body_len);
    put32(rec + 28, 0);
    kh__buf_append(&w->docs, rec, DOC_SIZE, &w->rc);
    w->n_docs++;
    w->total_len += (uint64_t)d->title_len + d->body_len;
    return w->rc;
}

kh_status
kh__segw_term(kh_segwriter *w, const char *key, size_t len,
              const kh_termstats *st, const uint8_t *blocks,
              uint32_t n_blocks, const uint8_t *docs, size_t docs_len,
              const uint8_t *pos, size_t pos_len)
{
    if (w->rc != KH_OK)
        return w->rc;
    uint8_t rec[DICT_SIZE];
    put32(rec, (uint32_t)w->keys.len);
    put32(rec + 4, (uint32_t)len);
    put32(rec + 8, st->df);
    put32(rec + 12, n_blocks);
    put64(rec + 16, w->post_len);
    put32(rec + 24, (uint32_t)docs_len);
    put32(rec + 28, (uint32_t)pos_len);
    rec[32] = (uint8_t)(st->max_tf_title > 0xFFFF ? 0xFFFF : st->max_tf_title);
    rec[33] = (uint8_t)((st->max_tf_title > 0xFFFF ? 0xFFFF : st->max_tf_title) >> 8);
    rec[34] = (uint8_t)(st->max_tf_body > 0xFFFF ? 0xFFFF : st->max_tf_body);
    rec[35] = (uint8_t)((st->max_tf_body > 0xFFFF ? 0xFFFF : st->max_tf_body) >> 8);
    put32(rec + 36, st->min_len);
    kh__buf_append(&w->dict, rec, DICT_SIZE, &w->rc);
    kh__buf_append(&w->keys, key, len, &w->rc);
    if (w->rc != KH_OK)
        return w->rc;
    size_t nb = (size_t)n_blocks * BLOCK_SIZE;
    if (fwrite(blocks, 1, nb, w->post) != nb ||
        fwrite(docs, 1, docs_len, w->post) != docs_len ||
        (pos_len > 0 && fwrite(pos, 1, pos_len, w->post) != pos_len))
        return w->rc = KH_EIO;
    w->post_len += nb + docs_len + pos_len;
    w->n_terms++;
    return KH_OK;
}

static int
fsync_dir_of(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] != '/')
        n--;
    if (n == 0) {
        dir[0] = '.';
        n = 1;
    } else if (n >= sizeof dir) {
        return -1;
    } else {
        memcpy(dir, path, n);
    }
    dir[n] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

static bool
write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        s += k;
        n -= (size_t)k;
    }
    return true;
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
    uint64_t dict_off = docs_off + w->docs.len;
    uint64_t keys_off = dict_off + w->dict.len;
    uint64_t post_off = keys_off + w->keys.len;
    put32(h + 8, w->n_docs);
    put32(h + 12, w->n_terms);
    put64(h + 16, docs_off);
    put64(h + 24, dict_off);
    put64(h + 32, keys_off);
    put64(h + 40, post_off);
    put64(h + 48, w->total_len);
    put32(h + 56, (uint32_t)w->keys.len);
    put32(h + 60, (uint32_t)crc32(0L, h, 60));
    fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        rc = KH_EIO;
        goto fail;
    }
    if (!write_all(fd, h, sizeof h) ||
        !write_all(fd, w->docs.data ? w->docs.data : "", w->docs.len) ||
        !write_all(fd, w->dict.data ? w->dict.data : "", w->dict.len) ||
        !write_all(fd, w->keys.data ? w->keys.data : "", w->keys.len)) {
        rc = KH_EIO;
        goto fail;
    }
    /* Copy the postings written so far. */
    if (fflush(w->post) != 0 || fseek(w->post, 0, SEEK_SET) != 0) {
        rc = KH_EIO;
        goto fail;
    }
    char chunk[1 << 16];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, w->post)) > 0)
        if (!write_all(fd, chunk, k)) {
            rc = KH_EIO;
            goto fail;
        }
    if (ferror(w->post) || !write_all(fd, TRAILER, 8) || fsync(fd) != 0 ||
        close(fd) != 0) {
        fd = -1;
        rc = KH_EIO;
        goto fail;
    }
    fd = -1;
    if (rename(w->tmp, w->path) != 0 || fsync_dir_of(w->path) != 0) {
        rc = KH_EIO;
        goto fail;
    }
    kh__segw_abort(w); /* frees; the renamed file stays */
    return KH_OK;
fail:
    if (fd >= 0)
        close(fd);
    set_err(err, "cannot write segment %s: %s", w->path,
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
    kh__buf_release(&w->docs);
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
    uint32_t n_docs, n_terms;
    const uint8_t *docs, *dict, *keys, *post;
    size_t keys_len;
    size_t post_len;
    uint64_t total_len;
    kh_segdoc *doc_cache; /* decoded doc records */
};

kh_status
kh__seg_open(const char *path, kh_seg **out, kh_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        set_err(err, "cannot open segment %s: %s", path, strerror(errno));
        return errno == ENOENT ? KH_ENOTFOUND : KH_EIO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        set_err(err, "cannot stat segment %s: %s", path, strerror(errno));
        return KH_EIO;
    }
    size_t size = (size_t)sb.st_size;
    const char *why = NULL;
    if (size < HEADER_SIZE + 8) {
        close(fd);
        set_err(err, "segment %s is corrupt: %s", path, "truncated header");
        return KH_ECORRUPT;
    }
    void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        set_err(err, "cannot map segment %s: %s", path, strerror(errno));
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
    s->total_len = get64(h + 48);
    s->keys_len = get32(h + 56);
    uint64_t body_end = size - 8;
    if (memcmp(h, MAGIC, 8) != 0)
        why = "bad magic (not a Khabar segment)";
    else if (get32(h + 60) != (uint32_t)crc32(0L, h, 60))
        why = "header checksum mismatch";
    else if (memcmp(h + size - 8, TRAILER, 8) != 0)
        why = "truncated (no trailer)";
    else if (docs_off != HEADER_SIZE ||
             dict_off != docs_off + (uint64_t)s->n_docs * DOC_SIZE ||
             keys_off != dict_off + (uint64_t)s->n_terms * DICT_SIZE ||
             post_off != keys_off + s->keys_len || post_off > body_end)
        why = "inconsistent section offsets";
    if (why != NULL) {
        set_err(err, "segment %s is corrupt: %s", path, why);
        kh__seg_close(s);
        return KH_ECORRUPT;
    }
    s->docs = h + docs_off;
    s->dict = h + dict_off;
    s->keys = h + keys_off;
    s->post = h + post_off;
    s->post_len = (size_t)(body_end - post_off);
    s->doc_cache = kh_malloc((s->n_docs + 1) * sizeof *s->doc_cache);
    if (s->doc_cache == NULL) {
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
        d->reserved = 0;
    }
    /* Dictionary entries must point inside their sections. */
    for (uint32_t i = 0; i < s->n_terms; i++) {
        const uint8_t *r = s->dict + (size_t)i * DICT_SIZE;
        uint64_t ko = get32(r), kl = get32(r + 4), nb = get32(r + 12),
                 po = get64(r + 16), dl = get32(r + 24), pl = get32(r + 28);
        if (ko + kl > s->keys_len || po > s->post_len ||
            nb * BLOCK_SIZE + dl + pl > s->post_len - po) {
            set_err(err, "segment %s is corrupt: %s", path,
                    "dictionary entry out of bounds");
            kh__seg_close(s);
            return KH_ECORRUPT;
        }
    }
    *out = s;
    return KH_OK;
}

void
kh__seg_close(kh_seg *s)
{
    if (s == NULL)
        return;
    if (s->map != NULL)
        munmap((void *)s->map, s->size);
    kh_free(s->doc_cache);
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

static void
cursor_init(const kh_seg *s, const uint8_t *r, kh_cursor *c)
{
    memset(c, 0, sizeof *c);
    const uint8_t *post = s->post + get64(r + 16);
    c->seg = s;
    c->kind = s->keys[get32(r)] == KH_KEY_STEM ? KH_KEY_STEM : KH_KEY_NORM;
    c->df = get32(r + 8);
    c->n_blocks = get32(r + 12);
    c->blocks = post;
    c->docs = post + (size_t)c->n_blocks * BLOCK_SIZE;
    c->docs_end = c->docs + get32(r + 24);
    c->pos = c->docs_end;
    c->pos_end = c->pos + get32(r + 28);
    c->block = 0;
    c->dp = c->docs;
    c->in_block = 0;
    c->doc = KH_END;
    c->pp = c->pos;
    c->pos_skip = 0;
}

static void
term_stats(const uint8_t *r, kh_termstats *st)
{
    st->df = get32(r + 8);
    st->max_tf_title = (uint32_t)r[32] | (uint32_t)r[33] << 8;
    st->max_tf_body = (uint32_t)r[34] | (uint32_t)r[35] << 8;
    st->min_len = get32(r + 36);
}

bool
kh__seg_find(const kh_seg *s, const char *key, size_t len, kh_cursor *c,
             kh_termstats *st)
{
    uint32_t lo = 0, hi = s->n_terms;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const uint8_t *r = s->dict + (size_t)mid * DICT_SIZE;
        size_t kl = get32(r + 4);
        int cmp = memcmp(s->keys + get32(r), key, kl < len ? kl : len);
        if (cmp == 0)
            cmp = kl < len ? -1 : kl > len ? 1 : 0;
        if (cmp == 0) {
            cursor_init(s, r, c);
            if (st != NULL)
                term_stats(r, st);
            return true;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

void
kh__seg_term(const kh_seg *s, uint32_t i, const char **key, size_t *len,
             kh_cursor *c)
{
    const uint8_t *r = s->dict + (size_t)i * DICT_SIZE;
    *key = (const char *)s->keys + get32(r);
    *len = get32(r + 4);
    cursor_init(s, r, c);
}

static uint32_t
block_last(const kh_cursor *c, uint32_t b)
{
    return get32(c->blocks + (size_t)b * BLOCK_SIZE);
}

static void
enter_block(kh_cursor *c, uint32_t b)
{
    const uint8_t *r = c->blocks + (size_t)b * BLOCK_SIZE;
    uint32_t doff = get32(r + 4), poff = get32(r + 8);
    c->block = b;
    c->in_block = 0;
    c->dp = doff <= (size_t)(c->docs_end - c->docs) ? c->docs + doff
                                                      : c->docs_end;
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
        if (c->in_block == KH_BLOCK_DOCS ||
            c->doc == block_last(c, c->block)) {
            if (c->block + 1 >= c->n_blocks)
                return c->doc = KH_END;
            enter_block(c, c->block + 1);
        }
    }
    uint64_t delta, tt, tb;
    if (c->dp >= c->docs_end || !kh__varint_get(&c->dp, c->docs_end, &delta) ||
        !kh__varint_get(&c->dp, c->docs_end, &tt) ||
        !kh__varint_get(&c->dp, c->docs_end, &tb) || delta == 0 ||
        tt > UINT32_MAX || tb > UINT32_MAX) {
        c->corrupt = true;
        return c->doc = KH_END;
    }
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

int
kh__cursor_positions(kh_cursor *c, uint32_t *out, size_t cap)
{
    if (c->kind != KH_KEY_STEM || c->doc == KH_END)
        return 0;
    uint64_t v;
    for (; c->pos_skip > 0; c->pos_skip--)
        if (!kh__varint_get(&c->pp, c->pos_end, &v))
            return -1;
    size_t n = 0;
    uint32_t counts[2] = {c->tf_title, c->tf_body};
    const uint8_t *p = c->pp;
    for (int f = 0; f < 2; f++) {
        int64_t prev = -1;
        for (uint32_t i = 0; i < counts[f]; i++) {
            if (!kh__varint_get(&p, c->pos_end, &v) || v == 0 ||
                v > UINT32_MAX)
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
