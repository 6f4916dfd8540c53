/*
 * kh_int.h -- private declarations shared across the library.
 *
 * Nothing here is part of the public API.  Functions named kh__* are
 * internal but not static; they are hidden from the shared library.
 * The header is cut into sections, one per source file, in the manner of
 * SQLite's fts5Int.h.
 */
#ifndef KH_INT_H
#define KH_INT_H

#include "khabar/khabar.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define KH_HIDDEN      __attribute__((visibility("hidden")))
#define KH_LIKELY(x)   __builtin_expect(!!(x), 1)
#define KH_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define KH_HIDDEN
#define KH_LIKELY(x)   (x)
#define KH_UNLIKELY(x) (x)
#endif

/**************************************************************************
** Interface to code in base/alloc.c
*/

/* Test hook: after kh__alloc_fail_after(n), the (n+1)-th allocation from
 * now on fails, and every one after it; n < 0 turns failures off.  The
 * environment variable KH_TEST_FAIL_ALLOC=N sets it at the first
 * allocation. */
KH_HIDDEN void kh__alloc_fail_after(long n);

/* Duplicates s[0..len) into a new NUL-terminated string, or NULL. */
KH_HIDDEN char *kh__strndup(const char *s, size_t len);

/**************************************************************************
** Interface to code in base/buf.c
**
** kh_buf is a growable byte buffer.  Invariants: data is NULL only while
** cap is 0; when data is not NULL, data[len] is a NUL byte that is not
** counted in len.  Functions taking a kh_status *rc do nothing once *rc
** is not KH_OK (sticky errors, as in SQLite's fts5 buffers), so a long
** sequence of appends needs one check at the end.
*/

typedef struct kh_buf {
    char *data; /* the bytes, or NULL when nothing was ever appended */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
} kh_buf;

KH_HIDDEN void kh__buf_init(kh_buf *b);
KH_HIDDEN void kh__buf_release(kh_buf *b);
KH_HIDDEN void kh__buf_reset(kh_buf *b); /* len = 0, memory kept */
KH_HIDDEN void kh__buf_reserve(kh_buf *b, size_t extra, kh_status *rc);
KH_HIDDEN void kh__buf_append(kh_buf *b, const void *p, size_t n,
                              kh_status *rc);
KH_HIDDEN void kh__buf_puts(kh_buf *b, const char *s, kh_status *rc);
KH_HIDDEN void kh__buf_putc(kh_buf *b, char c, kh_status *rc);
/* Appends code point cp (at most 0x10FFFF; the caller checks) as UTF-8. */
KH_HIDDEN void kh__buf_put_utf8(kh_buf *b, uint32_t cp, kh_status *rc);
KH_HIDDEN void kh__buf_printf(kh_buf *b, kh_status *rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends s[0..n) as the inside of a JSON string (no quotes around it).
 * Invalid UTF-8 bytes become U+FFFD so that the output is always valid. */
KH_HIDDEN void kh__buf_json_escape(kh_buf *b, const char *s, size_t n,
                                   kh_status *rc);
/* Appends s[0..n) escaped for HTML and XML text and attribute values
 * (& < > "), the characters XML 1.0 forbids left out: C0 controls but
 * tab, LF and CR; U+FFFE, U+FFFF; surrogates. */
KH_HIDDEN void kh__buf_html_escape(kh_buf *b, const char *s, size_t n,
                                   kh_status *rc);
/* Hands the bytes to the caller, who frees them with kh_free(); the
 * buffer is left empty.  Never NULL: an empty buffer gives "". */
KH_HIDDEN char *kh__buf_detach(kh_buf *b, size_t *len, kh_status *rc);

/* qsort for arrays that may be empty, and then NULL: qsort's pointer must
 * never be NULL, even for zero elements (UBSan says so). */
static inline void
kh__qsort(void *base, size_t n, size_t size,
          int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

/**************************************************************************
** Interface to code in base/strmap.c
**
** kh_strmap maps byte strings to 64-bit counters (open addressing, keys
** copied into the map).  Used for vocabularies and counts.
*/

typedef struct kh_strmap_entry {
    char *key; /* NUL-terminated copy, owned by the map */
    size_t key_len;
    uint64_t value;
    uint32_t hash;
} kh_strmap_entry;

typedef struct kh_strmap {
    kh_strmap_entry *slots; /* cap entries; key NULL = empty */
    size_t cap;             /* power of two, or 0 */
    size_t count;
} kh_strmap;

KH_HIDDEN void kh__strmap_init(kh_strmap *m);
KH_HIDDEN void kh__strmap_release(kh_strmap *m);
/* Returns the entry for key, adding it with value 0 if absent; NULL on
 * allocation failure.  The pointer is valid until the next insertion. */
KH_HIDDEN kh_strmap_entry *kh__strmap_upsert(kh_strmap *m, const char *key,
                                             size_t len);
KH_HIDDEN kh_strmap_entry *kh__strmap_get(const kh_strmap *m, const char *key,
                                          size_t len);

/* FNV-1a over len bytes: fast on short keys such as words. */
KH_HIDDEN uint32_t kh__hash32(const void *p, size_t len);

/* MurmurHash3's 32-bit finalizer: spreads every bit of h over all 32, for
 * hashes whose low bits are weak (FNV-1a on short keys) or combined. */
static inline uint32_t
kh__fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

/* MurmurHash3's 64-bit finalizer (public domain): a bijection that spreads
 * every input bit over the output. */
static inline uint64_t
kh__fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

/* A hash of p[0..len) and seed for in-memory tables of short keys (words,
 * stems): eight bytes at a step, the last load overlapping the one before;
 * a key under eight bytes is read as its first and last four bytes, or as
 * three of them.  Reads nothing outside p[0..len). */
static inline uint32_t
kh__hash_short(const void *p, size_t len, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = (uint64_t)len * 0x9E3779B97F4A7C15ull ^ seed;
    uint64_t w;
    if (len >= 8) {
        for (size_t i = 0; i + 8 < len; i += 8) {
            memcpy(&w, s + i, 8);
            h = (h ^ w) * 0xFF51AFD7ED558CCDull;
            h ^= h >> 32;
        }
        memcpy(&w, s + len - 8, 8);
    } else if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        w = (uint64_t)a << 32 | b;
    } else {
        w = len > 0 ? (uint64_t)s[0] | (uint64_t)s[len / 2] << 8 |
                          (uint64_t)s[len - 1] << 16
                    : 0;
    }
    return (uint32_t)kh__fmix64(h ^ w);
}

/* Whole writes and reads (retrying short ones and EINTR): false on an
 * error, and for a read also when the file ends first (file.c). */
KH_HIDDEN bool kh__write_all(int fd, const void *p, size_t n);
KH_HIDDEN bool kh__pwrite_all(int fd, const void *p, size_t n, uint64_t off);
KH_HIDDEN bool kh__pread_all(int fd, void *p, size_t n, uint64_t off);
/* Appends the contents of the file at path to out; KH_EIO (err says
 * why) or KH_ENOMEM (file.c). */
KH_HIDDEN kh_status kh__read_file(const char *path, kh_buf *out, kh_error *err);
/* fsyncs the directory holding path, so that a new name in it is durable;
 * 0 or -1 (file.c). */
KH_HIDDEN int kh__fsync_dir_of(const char *path);

/* Seconds on a monotonic clock, for measuring time spent (date.c). */
KH_HIDDEN double kh__now(void);

/* The day (since 1970-01-01, UTC) of unix time t, rounding down for
 * times before 1970 (date.c). */
KH_HIDDEN int64_t kh__day_of(int64_t t);

/* Fills err (may be NULL) with a printf-style message and no offset: the
 * one way library code reports what went wrong. */
KH_HIDDEN void kh__set_error(kh_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* KH_INT_H */
