/*
 * warc.c -- a streaming reader of WARC 1.0/1.1 files (ISO 28500).
 *
 * The file is read as one byte stream: plain, or gzip (a member per
 * record, as crawlers write it, or one member for the whole file; zlib
 * inflates member after member).  On that stream a record is
 *
 *     WARC/1.1 CRLF
 *     Name: value CRLF ...          (continuation lines start with a blank)
 *     CRLF
 *     block: Content-Length bytes
 *     CRLF CRLF
 *
 * Memory is one record at a time: a 64 KB window over the stream, the
 * block (at most max_record bytes; larger blocks are skipped over) and,
 * for HTTP responses, the body with its transfer and content codings
 * undone (each again at most max_record bytes).
 *
 * Damage is reported as KH_ECORRUPT with the offset in the (inflated)
 * stream, and the next call first resynchronizes: it looks for the next
 * line that starts with "WARC/1.".  A damaged gzip member is abandoned
 * and inflation starts again at the next gzip header in the file.
 */
#include "ingest/ingest.h"

#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <zlib.h>

#define WINDOW       (64u << 10) /* inflated lookahead */
#define INPUT        (64u << 10) /* compressed input */
#define LINE_MAX_LEN (32u << 10) /* one header line */
#define HEADER_MAX   (1u << 20)  /* all the header lines of a record */
#define DEFAULT_MAX  ((size_t)64 << 20)

struct kh_warc {
    FILE *f;
    size_t max_record;
    /* Source: the stream of inflated bytes. */
    int gzip;                /* the file is gzip */
    z_stream zs;             /* when gzip */
    int zs_ready;            /* inflateInit2 done */
    unsigned char in[INPUT]; /* compressed bytes read from f */
    int in_eof;              /* f has no more bytes */
    int io_error;            /* a read from f failed */
    uint64_t in_offset;      /* file offset of in[0] */
    int broken;              /* the stream jumps after win[wlen-1] */
    uint64_t broken_at;      /* compressed offset of the damage */
    const char *broken_why;  /* static */
    int broken_nomem;        /* ... because zlib ran out of memory */
    /* The window: win[wpos..wlen) is the stream from offset on. */
    unsigned char win[WINDOW];
    size_t wpos, wlen;
    uint64_t offset; /* stream offset of win[wpos] */
    int line_start;  /* win[wpos] starts a line */
    int resync;      /* look for "WARC/1." before the next record */
    /* The record handed out. */
    kh_buf line;        /* a header line */
    kh_buf fields;      /* type, URI and content type, NUL-separated */
    kh_buf block;       /* the record's block */
    kh_buf body, body2; /* decoded HTTP bodies */
};

/**************************************************************************
** Source
*/

static voidpf
z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    if (size != 0 && items > SIZE_MAX / size)
        return Z_NULL;
    return kh_malloc((size_t)items * size);
}

static void
z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    kh_free(p);
}

/* Refills the compressed input; returns 0 at the end of the file. */
static int
refill_input(kh_warc *w)
{
    if (w->zs.avail_in > 0)
        return 1;
    if (w->in_eof)
        return 0;
    w->in_offset += (uint64_t)(w->zs.next_in - w->in);
    size_t n = fread(w->in, 1, INPUT, w->f);
    if (n < INPUT) {
        w->in_eof = 1;
        w->io_error = ferror(w->f) != 0;
    }
    w->zs.next_in = w->in;
    w->zs.avail_in = (uInt)n;
    return n > 0;
}

static uint64_t
input_offset(const kh_warc *w)
{
    return w->in_offset + (uint64_t)(w->zs.next_in - w->in);
}

static void
advance_input(kh_warc *w, size_t n)
{
    w->zs.next_in += n;
    w->zs.avail_in -= (uInt)n;
}

/* After damage in a gzip member: skips to the next gzip header (1f 8b
 * 08) and starts inflating there; at the end of the file, leaves no
 * input. */
static void
skip_to_member(kh_warc *w)
{
    for (;;) {
        while (w->zs.avail_in >= 3) {
            unsigned char *p = memchr(w->zs.next_in, 0x1F, w->zs.avail_in - 2);
            if (p == NULL) {
                advance_input(w, w->zs.avail_in - 2);
                break;
            }
            advance_input(w, (size_t)(p - w->zs.next_in));
            if (p[1] == 0x8B && p[2] == 0x08) {
                inflateReset(&w->zs);
                return;
            }
            advance_input(w, 1);
        }
        if (w->in_eof) {
            advance_input(w, w->zs.avail_in);
            inflateReset(&w->zs);
            return;
        }
        /* Keep the last bytes, which may start a header, and read on. */
        size_t k = w->zs.avail_in;
        w->in_offset = input_offset(w);
        memmove(w->in, w->zs.next_in, k);
        size_t n = fread(w->in + k, 1, INPUT - k, w->f);
        if (n < INPUT - k) {
            w->in_eof = 1;
            w->io_error = ferror(w->f) != 0;
        }
        w->zs.next_in = w->in;
        w->zs.avail_in = (uInt)(k + n);
    }
}

static void
mark_broken(kh_warc *w, const char *why)
{
    w->broken = 1;
    w->broken_at = input_offset(w);
    w->broken_why = why;
    w->broken_nomem = 0;
}

/* Reads up to cap inflated bytes into dst; returns how many.  Stops
 * early at damage (w->broken set: the bytes after those returned do not
 * follow them) and returns 0 at the end. */
static size_t
source_read(kh_warc *w, unsigned char *dst, size_t cap)
{
    if (!w->gzip) {
        if (w->in_eof)
            return 0;
        size_t n = fread(dst, 1, cap, w->f);
        if (n < cap) {
            w->in_eof = feof(w->f) || ferror(w->f);
            w->io_error = ferror(w->f) != 0;
        }
        return n;
    }
    size_t got = 0;
    while (got < cap && !w->broken) {
        if (!refill_input(w)) {
            if (w->zs.total_in > 0 || w->zs.total_out > 0) {
                mark_broken(w, "truncated gzip member");
                inflateReset(&w->zs); /* reported once */
            }
            break;
        }
        w->zs.next_out = dst + got;
        w->zs.avail_out = (uInt)(cap - got);
        int ret = inflate(&w->zs, Z_NO_FLUSH);
        got = cap - w->zs.avail_out;
        if (ret == Z_STREAM_END) {
            /* On to the next member, if any: total_in and total_out,
             * reset here, tell a member in progress at the end. */
            inflateReset(&w->zs);
        } else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT ||
                   ret == Z_MEM_ERROR || ret == Z_STREAM_ERROR) {
            mark_broken(w, "damaged gzip data");
            w->broken_nomem = ret == Z_MEM_ERROR;
            skip_to_member(w);
        } else if (ret == Z_BUF_ERROR && w->zs.avail_in > 0) {
            break; /* no room left in dst */
        }
    }
    return got;
}

/* Moves the window's bytes to its start and reads more; returns the
 * number of bytes added (0: end of stream, or damage right here). */
static size_t
fill(kh_warc *w)
{
    if (w->broken)
        return 0;
    if (w->wpos > 0) {
        memmove(w->win, w->win + w->wpos, w->wlen - w->wpos);
        w->wlen -= w->wpos;
        w->wpos = 0;
    }
    if (w->wlen == WINDOW)
        return 0;
    size_t n = source_read(w, w->win + w->wlen, WINDOW - w->wlen);
    w->wlen += n;
    return n;
}

static void
consume(kh_warc *w, size_t n)
{
    if (n > 0)
        w->line_start = w->win[w->wpos + n - 1] == '\n';
    w->wpos += n;
    w->offset += n;
}

/* Drops the window and goes past damage in the source: the bytes left in
 * the window belong to the abandoned member. */
static void
pass_damage(kh_warc *w)
{
    w->offset += w->wlen - w->wpos;
    w->wpos = w->wlen = 0;
    w->broken = 0;
    w->line_start = 1; /* a new member starts a record */
}

/**************************************************************************
** Errors
*/

static kh_status seterr(kh_warc *w, kh_error *err, kh_status rc,
                        uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static kh_status
seterr(kh_warc *w, kh_error *err, kh_status rc, uint64_t offset,
       const char *fmt, ...)
{
    if (rc == KH_ECORRUPT)
        w->resync = 1;
    if (err == NULL)
        return rc;
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (rc == KH_ECORRUPT)
        snprintf(err->message, sizeof err->message,
                 "WARC damaged at byte %llu: %s", (unsigned long long)offset,
                 what);
    else
        snprintf(err->message, sizeof err->message, "reading WARC: %s", what);
    err->offset = (size_t)offset;
    err->has_offset = rc == KH_ECORRUPT;
    return rc;
}

/* The error for a stream that ended or broke at the current position. */
static kh_status
stream_error(kh_warc *w, kh_error *err, const char *doing)
{
    if (w->io_error)
        return seterr(w, err, KH_EIO, w->offset, "read error %s", doing);
    if (w->broken) {
        uint64_t at = w->broken_at;
        const char *why = w->broken_why;
        uint64_t off = w->offset + (w->wlen - w->wpos);
        int nomem = w->broken_nomem;
        pass_damage(w);
        if (nomem) { /* the member is lost all the same */
            w->resync = 1;
            return seterr(w, err, KH_ENOMEM, off, "out of memory inflating %s",
                          doing);
        }
        return seterr(w, err, KH_ECORRUPT, off,
                      "%s %s (compressed offset %llu)", why, doing,
                      (unsigned long long)at);
    }
    return seterr(w, err, KH_ECORRUPT, w->offset, "file ends %s", doing);
}

/**************************************************************************
** Records
*/

/* Reads one line (without its line end) into w->line.  Returns 1, 0 at
 * the end of the stream before any byte, -1 when the stream ends or
 * breaks inside the line, -2 at a line over the limit. */
static int
read_line(kh_warc *w, kh_status *rc)
{
    kh__buf_reset(&w->line);
    for (;;) {
        if (w->wpos == w->wlen && fill(w) == 0)
            return w->line.len == 0 && !w->broken ? 0 : -1;
        unsigned char *s = w->win + w->wpos;
        size_t avail = w->wlen - w->wpos;
        unsigned char *nl = memchr(s, '\n', avail);
        size_t n = nl != NULL ? (size_t)(nl - s) : avail;
        if (w->line.len + n > LINE_MAX_LEN)
            return -2;
        kh__buf_append(&w->line, s, n, rc);
        consume(w, nl != NULL ? n + 1 : n);
        if (*rc != KH_OK)
            return -1;
        if (nl != NULL) {
            if (w->line.len > 0 && w->line.data[w->line.len - 1] == '\r')
                w->line.data[--w->line.len] = '\0';
            return 1;
        }
    }
}

/* Skips to the next line that starts with "WARC/1."; returns 0 when the
 * stream ends first. */
static int
resynchronize(kh_warc *w)
{
    static const char magic[] = "WARC/1.";
    const size_t m = sizeof magic - 1;
    for (;;) {
        size_t avail = w->wlen - w->wpos;
        if (avail < m) {
            if (fill(w) > 0)
                continue;
            if (!w->broken)
                return 0;
            pass_damage(w); /* a new gzip member: a line start */
            continue;
        }
        unsigned char *s = w->win + w->wpos;
        if (w->line_start && memcmp(s, magic, m) == 0)
            return 1;
        unsigned char *nl = memchr(s, '\n', avail);
        consume(w, nl != NULL ? (size_t)(nl - s) + 1 : avail);
    }
}

/* Discards n bytes of block; returns 0 if the stream ends first. */
static int
skip_bytes(kh_warc *w, uint64_t n)
{
    while (n > 0) {
        if (w->wpos == w->wlen && fill(w) == 0)
            return 0;
        size_t avail = w->wlen - w->wpos;
        size_t k = n < avail ? (size_t)n : avail;
        consume(w, k);
        n -= k;
    }
    return 1;
}

/* Reads n bytes of block into w->block; returns 0 if the stream ends. */
static int
read_bytes(kh_warc *w, size_t n, kh_status *rc)
{
    kh__buf_reset(&w->block);
    kh__buf_reserve(&w->block, n, rc);
    while (n > 0 && *rc == KH_OK) {
        if (w->wpos == w->wlen && fill(w) == 0)
            return 0;
        size_t avail = w->wlen - w->wpos;
        size_t k = n < avail ? n : avail;
        kh__buf_append(&w->block, w->win + w->wpos, k, rc);
        consume(w, k);
        n -= k;
    }
    return 1;
}

static int
name_is(const char *s, size_t n, const char *name)
{
    if (strlen(name) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != (name[i] | 0x20))
            return 0;
    return 1;
}

/* Copies s[0..n) into out for an error message, bytes that are not
 * printable ASCII as '?'. */
static void
printable(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (; k < n && k + 1 < cap; k++)
        out[k] = s[k] >= 0x20 && s[k] < 0x7F ? s[k] : '?';
    out[k] = '\0';
}

/* Trims blanks around s[0..*n). */
static const char *
trim(const char *s, size_t *n)
{
    while (*n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        (*n)--;
    }
    while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
        (*n)--;
    return s;
}

/* Parses a decimal length; -1 when it is not one. */
static int64_t
parse_length(const char *s, size_t n)
{
    s = trim(s, &n);
    if (n == 0 || n > 18)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/**************************************************************************
** HTTP inside response records
*/

typedef struct http_msg {
    int status;
    const char *ctype; /* into the block, not NUL-terminated */
    size_t ctype_len;
    int chunked;
    int coding;  /* 0 none, 1 gzip, 2 deflate */
    size_t body; /* offset of the body in the block */
} http_msg;

/* Parses the status line and headers at the start of block[0..len).
 * Returns 0 when it is not HTTP. */
static int
parse_http(const char *b, size_t len, http_msg *m)
{
    memset(m, 0, sizeof *m);
    if (len < 12 || memcmp(b, "HTTP/", 5) != 0)
        return 0;
    size_t i = 5;
    while (i < len && b[i] != ' ' && b[i] != '\n')
        i++;
    while (i < len && b[i] == ' ')
        i++;
    int status = 0, digits = 0;
    for (; i < len && b[i] >= '0' && b[i] <= '9' && digits < 3; i++, digits++)
        status = status * 10 + (b[i] - '0');
    if (digits != 3)
        return 0;
    m->status = status;
    const char *nl = memchr(b + i, '\n', len - i);
    i = nl != NULL ? (size_t)(nl - b) + 1 : len;
    while (i < len) {
        nl = memchr(b + i, '\n', len - i);
        size_t end = nl != NULL ? (size_t)(nl - b) : len;
        size_t n = end - i;
        if (n > 0 && b[i + n - 1] == '\r')
            n--;
        size_t next = nl != NULL ? end + 1 : len;
        if (n == 0) {
            i = next;
            break;
        }
        const char *colon = memchr(b + i, ':', n);
        if (colon != NULL) {
            size_t nl_len = (size_t)(colon - (b + i));
            size_t vl = n - nl_len - 1;
            const char *v = trim(colon + 1, &vl);
            if (name_is(b + i, nl_len, "content-type")) {
                m->ctype = v;
                m->ctype_len = vl;
            } else if (name_is(b + i, nl_len, "transfer-encoding")) {
                for (size_t k = 0; k + 7 <= vl; k++)
                    if (name_is(v + k, 7, "chunked"))
                        m->chunked = 1;
            } else if (name_is(b + i, nl_len, "content-encoding")) {
                size_t tl = vl;
                const char *t = trim(v, &tl);
                if (name_is(t, tl, "gzip") || name_is(t, tl, "x-gzip"))
                    m->coding = 1;
                else if (name_is(t, tl, "deflate"))
                    m->coding = 2;
            }
        }
        i = next;
    }
    m->body = i;
    return 1;
}

/* Undoes chunked transfer coding of in[0..len) into out.  Lenient: a
 * damaged chunk list ends the body there, and a body that does not start
 * like a chunk list is kept as it is. */
static void
dechunk(const char *in, size_t len, kh_buf *out, kh_status *rc)
{
    size_t i = 0;
    kh__buf_reset(out);
    int first = 1;
    while (i < len && *rc == KH_OK) {
        size_t size = 0, digits = 0;
        while (i < len) {
            char c = in[i];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                break;
            if (size > (SIZE_MAX >> 4))
                return;
            size = size * 16 + (size_t)d;
            digits++;
            i++;
        }
        const char *nl = i < len ? memchr(in + i, '\n', len - i) : NULL;
        if (digits == 0 || nl == NULL) {
            if (first) /* not chunked after all */
                kh__buf_append(out, in, len, rc);
            return;
        }
        first = 0;
        i = (size_t)(nl - in) + 1; /* past extensions and CRLF */
        if (size == 0)
            return; /* trailers follow: ignored */
        if (size > len - i)
            size = len - i; /* cut off: keep what is there */
        kh__buf_append(out, in + i, size, rc);
        i += size;
        if (i < len && in[i] == '\r')
            i++;
        if (i < len && in[i] == '\n')
            i++;
    }
}

/* Inflates in[0..len) (gzip, zlib or raw deflate) into out, at most max
 * bytes; returns 0 when the result would be larger. */
static int
inflate_body(const char *in, size_t len, int coding, size_t max, kh_buf *out,
             kh_status *rc)
{
    kh__buf_reset(out);
    if (len > UINT_MAX)
        return 1; /* left as it is */
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    /* gzip: 16+15; deflate is zlib-wrapped by the RFC, raw in practice:
     * 32+15 detects gzip or zlib, a raw stream is retried below. */
    int bits = coding == 1 ? 16 + 15 : 32 + 15;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (inflateInit2(&zs, bits) != Z_OK) {
            *rc = KH_ENOMEM;
            return 1;
        }
        zs.next_in = (Bytef *)(uintptr_t)in;
        zs.avail_in = (uInt)len;
        kh__buf_reset(out);
        int ret = Z_OK;
        while (ret == Z_OK && *rc == KH_OK) {
            kh__buf_reserve(out, 65536, rc);
            if (*rc != KH_OK)
                break;
            size_t room = out->cap - out->len - 1;
            if (room > UINT_MAX)
                room = UINT_MAX;
            zs.next_out = (Bytef *)out->data + out->len;
            zs.avail_out = (uInt)room;
            ret = inflate(&zs, Z_NO_FLUSH);
            out->len += room - zs.avail_out;
            out->data[out->len] = '\0';
            if (out->len > max) {
                inflateEnd(&zs);
                kh__buf_reset(out);
                return 0;
            }
            if (ret == Z_BUF_ERROR && zs.avail_in == 0)
                break; /* the body was cut off: keep what came out */
        }
        inflateEnd(&zs);
        if (ret == Z_MEM_ERROR)
            *rc = KH_ENOMEM;
        if (ret == Z_DATA_ERROR && attempt == 0 && out->len == 0 &&
            coding == 2) {
            bits = -15; /* raw deflate */
            continue;
        }
        break;
    }
    return 1;
}

/**************************************************************************
** The reader
*/

kh_status
kh_warc_open(FILE *f, size_t max_record, kh_warc **out, kh_error *err)
{
    kh_warc *w = kh_malloc(sizeof *w);
    if (w == NULL) {
        if (err != NULL) {
            snprintf(err->message, sizeof err->message, "opening WARC: %s",
                     kh_strerror(KH_ENOMEM));
            err->has_offset = 0;
        }
        return KH_ENOMEM;
    }
    memset(w, 0, sizeof *w);
    w->f = f;
    w->max_record = max_record > 0 ? max_record : DEFAULT_MAX;
    w->line_start = 1;
    kh__buf_init(&w->line);
    kh__buf_init(&w->fields);
    kh__buf_init(&w->block);
    kh__buf_init(&w->body);
    kh__buf_init(&w->body2);
    /* Gzip or not, told by the first two bytes. */
    size_t n = fread(w->in, 1, 2, f);
    if (n < 2 && ferror(f)) {
        kh_free(w);
        if (err != NULL) {
            snprintf(err->message, sizeof err->message,
                     "reading WARC: read error");
            err->has_offset = 0;
        }
        return KH_EIO;
    }
    if (n == 2 && w->in[0] == 0x1F && w->in[1] == 0x8B) {
        w->gzip = 1;
        w->zs.zalloc = z_alloc;
        w->zs.zfree = z_free;
        w->zs.next_in = w->in;
        w->zs.avail_in = 2;
        if (inflateInit2(&w->zs, 16 + 15) != Z_OK) {
            kh_free(w);
            if (err != NULL) {
                snprintf(err->message, sizeof err->message, "opening WARC: %s",
                         kh_strerror(KH_ENOMEM));
                err->has_offset = 0;
            }
            return KH_ENOMEM;
        }
        w->zs_ready = 1;
        /* Top up the input after the two bytes peeked. */
        size_t more = fread(w->in + 2, 1, INPUT - 2, f);
        if (more < INPUT - 2) {
            w->in_eof = 1;
            w->io_error = ferror(f) != 0;
        }
        w->zs.avail_in += (uInt)more;
    } else {
        memcpy(w->win, w->in, n);
        w->wlen = n;
        if (n < 2)
            w->in_eof = 1;
    }
    *out = w;
    return KH_OK;
}

void
kh_warc_close(kh_warc *w)
{
    if (w == NULL)
        return;
    if (w->zs_ready)
        inflateEnd(&w->zs);
    kh__buf_release(&w->line);
    kh__buf_release(&w->fields);
    kh__buf_release(&w->block);
    kh__buf_release(&w->body);
    kh__buf_release(&w->body2);
    kh_free(w);
}

/* Fills rec's payload, status and content type from the block. */
static void
read_payload(kh_warc *w, kh_warc_record *rec, int is_http_response,
             size_t *ctype_at, kh_status *rc)
{
    const char *b = w->block.data != NULL ? w->block.data : "";
    size_t len = w->block.len;
    rec->payload = b;
    rec->payload_len = len;
    http_msg m;
    if (!is_http_response || !parse_http(b, len, &m))
        return;
    rec->http_status = m.status;
    const char *body = b + m.body;
    size_t body_len = len - m.body;
    if (m.chunked) {
        dechunk(body, body_len, &w->body, rc);
        body = w->body.data != NULL ? w->body.data : "";
        body_len = w->body.len;
    }
    if (m.coding != 0 && body_len > 0 && *rc == KH_OK) {
        if (!inflate_body(body, body_len, m.coding, w->max_record, &w->body2,
                          rc)) {
            rec->truncated = 1; /* it would inflate past the limit */
            body = "";
            body_len = 0;
        } else if (w->body2.len > 0) {
            body = w->body2.data;
            body_len = w->body2.len;
        }
    }
    rec->payload = body;
    rec->payload_len = body_len;
    /* The HTTP content type replaces the record's ("application/http"). */
    *ctype_at = 0;
    if (m.ctype != NULL) {
        *ctype_at = w->fields.len + 1;
        kh__buf_append(&w->fields, m.ctype, m.ctype_len, rc);
        kh__buf_putc(&w->fields, '\0', rc);
    }
}

kh_status
kh_warc_next(kh_warc *w, kh_warc_record *rec, kh_error *err)
{
    kh_status rc = KH_OK;
    memset(rec, 0, sizeof *rec);
    rec->date = KH_DATE_NONE;
    if (w->resync && !resynchronize(w)) {
        if (w->io_error)
            return seterr(w, err, KH_EIO, w->offset, "read error");
        return KH_ENOTFOUND;
    }
    w->resync = 0;

    /* The version line, after the blank lines that end the last record. */
    int got;
    uint64_t start;
    do {
        start = w->offset;
        got = read_line(w, &rc);
    } while (got == 1 && w->line.len == 0);
    if (rc != KH_OK)
        return seterr(w, err, rc, start, "%s", kh_strerror(rc));
    if (got == 0) {
        if (w->io_error)
            return seterr(w, err, KH_EIO, w->offset, "read error");
        return KH_ENOTFOUND;
    }
    if (got == -2)
        return seterr(w, err, KH_ECORRUPT, start, "line over %u bytes",
                      LINE_MAX_LEN);
    if (got < 0)
        return stream_error(w, err, "in a record's first line");
    if (w->line.len < 8 || memcmp(w->line.data, "WARC/1.", 7) != 0) {
        char shown[41];
        printable(w->line.data, w->line.len, shown, sizeof shown);
        return seterr(w, err, KH_ECORRUPT, start,
                      "expected a \"WARC/1.x\" line, found \"%s\"", shown);
    }

    /* Header fields. */
    size_t header_bytes = 0;
    int64_t length = -1;
    size_t type_at = 0, uri_at = 0, ctype_at = 0; /* offset+1 in fields */
    kh__buf_reset(&w->fields);
    for (;;) {
        uint64_t line_at = w->offset;
        got = read_line(w, &rc);
        if (rc != KH_OK)
            return seterr(w, err, rc, line_at, "%s", kh_strerror(rc));
        if (got == -2)
            return seterr(w, err, KH_ECORRUPT, line_at,
                          "header line over %u bytes", LINE_MAX_LEN);
        if (got <= 0)
            return stream_error(w, err, "in a record's header");
        if (w->line.len == 0)
            break;
        header_bytes += w->line.len;
        if (header_bytes > HEADER_MAX)
            return seterr(w, err, KH_ECORRUPT, line_at,
                          "record header over %u bytes", HEADER_MAX);
        const char *s = w->line.data;
        const char *colon = memchr(s, ':', w->line.len);
        if (s[0] == ' ' || s[0] == '\t')
            continue; /* a continuation: none of the fields read here */
        char shown[41];
        if (colon == NULL) {
            printable(s, w->line.len, shown, sizeof shown);
            return seterr(w, err, KH_ECORRUPT, line_at,
                          "header line without a colon: \"%s\"", shown);
        }
        size_t nl = (size_t)(colon - s);
        size_t vl = w->line.len - nl - 1;
        const char *v = trim(colon + 1, &vl);
        size_t *slot = NULL;
        if (name_is(s, nl, "content-length")) {
            length = parse_length(v, vl);
            if (length < 0) {
                printable(v, vl, shown, sizeof shown);
                return seterr(w, err, KH_ECORRUPT, line_at,
                              "bad Content-Length \"%s\"", shown);
            }
        } else if (name_is(s, nl, "warc-type")) {
            slot = &type_at;
        } else if (name_is(s, nl, "warc-target-uri")) {
            slot = &uri_at;
            if (vl >= 2 && v[0] == '<' && v[vl - 1] == '>') {
                v++; /* WARC 1.1's own examples write <uri> */
                vl -= 2;
            }
        } else if (name_is(s, nl, "content-type")) {
            slot = &ctype_at;
        } else if (name_is(s, nl, "warc-date")) {
            int64_t t;
            if (kh_date_parse(v, vl, &t) == KH_OK)
                rec->date = t;
        }
        if (slot != NULL) {
            *slot = w->fields.len + 1;
            kh__buf_append(&w->fields, v, vl, &rc);
            kh__buf_putc(&w->fields, '\0', &rc);
        }
    }
    if (length < 0)
        return seterr(w, err, KH_ECORRUPT, start,
                      "record without Content-Length");
    if (rc != KH_OK)
        return seterr(w, err, rc, start, "%s", kh_strerror(rc));

    /* The block. */
    int is_response = 0;
    if (type_at > 0 && ctype_at > 0) {
        const char *t = w->fields.data + type_at - 1;
        const char *c = w->fields.data + ctype_at - 1;
        is_response = strcmp(t, "response") == 0 &&
                      strncmp(c, "application/http", 16) == 0;
    }
    uint64_t block_at = w->offset;
    if ((uint64_t)length > w->max_record) {
        if (!skip_bytes(w, (uint64_t)length))
            return stream_error(w, err, "inside a record's block");
        rec->truncated = 1;
        rec->payload = "";
    } else {
        if (!read_bytes(w, (size_t)length, &rc)) {
            if (rc == KH_OK)
                return stream_error(w, err, "inside a record's block");
        }
        if (rc != KH_OK)
            return seterr(w, err, rc, block_at, "%s", kh_strerror(rc));
        read_payload(w, rec, is_response, &ctype_at, &rc);
        if (rc != KH_OK)
            return seterr(w, err, rc, block_at, "%s", kh_strerror(rc));
    }
    if (is_response && rec->http_status == 0)
        ctype_at = 0; /* HTTP promised, none found: no content type */
    /* Pointers into fields only now that it has stopped growing. */
    const char *base = w->fields.data;
    rec->type = type_at > 0 ? base + type_at - 1 : "";
    rec->target_uri = uri_at > 0 ? base + uri_at - 1 : NULL;
    rec->content_type = ctype_at > 0 ? base + ctype_at - 1 : NULL;
    return KH_OK;
}
