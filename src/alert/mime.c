/*
 * mime.c -- writing mail: header fields with RFC 2047 encoded words,
 * base64 bodies, RFC 5322 dates, and the escaping HTML and URLs need.
 */
#include "alert/alert.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int
plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 127 || (unsigned char)*s < 32)
            return 0;
    return 1;
}

/* The length of the longest prefix of s[0..n) of at most max bytes that
 * does not split a UTF-8 character. */
static size_t
utf8_prefix(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k > 0 ? k : max;
}

void
kh__mime_header(kh_buf *b, const char *name, const char *value, kh_status *rc)
{
    /* Line breaks never reach a header: they would start a new one. */
    char clean[2048];
    size_t n = 0;
    for (const char *p = value; *p && n + 1 < sizeof clean; p++)
        if (*p != '\r' && *p != '\n')
            clean[n++] = *p;
    clean[n] = '\0';
    kh__buf_printf(b, rc, "%s: ", name);
    if (plain_ascii(clean)) {
        kh__buf_puts(b, clean, rc);
        kh__buf_puts(b, "\r\n", rc);
        return;
    }
    /* A line that holds an encoded word is at most 76 characters (RFC
     * 2047, section 2): the first line shares it with "Name: ", the next
     * ones start with the space that folds them.  An encoded word is
     * "=?UTF-8?B?" and "?=" (12 characters) around 4 characters of base64
     * for every 3 bytes: 39 bytes of UTF-8 on a Subject's first line, 45
     * on the others (a word of 72 characters). */
    size_t at = 0;
    size_t used = strlen(name) + 2;
    while (at < n) {
        size_t room = 76 - used;
        size_t max = room > 16 ? (room - 12) / 4 * 3 : 0;
        if (max == 0) { /* a name too long to share its line */
            kh__buf_puts(b, "\r\n ", rc);
            used = 1;
            continue;
        }
        size_t k = utf8_prefix(clean + at, n - at, max);
        unsigned char enc[64];
        int len =
            EVP_EncodeBlock(enc, (const unsigned char *)clean + at, (int)k);
        kh__buf_puts(b, "=?UTF-8?B?", rc);
        kh__buf_append(b, enc, (size_t)len, rc);
        kh__buf_puts(b, "?=", rc);
        at += k;
        if (at < n) {
            kh__buf_puts(b, "\r\n ", rc);
            used = 1;
        }
    }
    kh__buf_puts(b, "\r\n", rc);
}

void
kh__mime_base64(kh_buf *b, const char *data, size_t len, kh_status *rc)
{
    /* 57 bytes make one line of 76 characters. */
    unsigned char enc[80];
    for (size_t at = 0; at < len; at += 57) {
        size_t k = len - at < 57 ? len - at : 57;
        int n = EVP_EncodeBlock(enc, (const unsigned char *)data + at, (int)k);
        kh__buf_append(b, enc, (size_t)n, rc);
        kh__buf_puts(b, "\r\n", rc);
    }
}

void
kh__mime_date(int64_t t, char *buf)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                         "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(buf, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000",
             days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
kh__url_escape(kh_buf *b, const char *s, kh_status *rc)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~')
            kh__buf_putc(b, (char)c, rc);
        else
            kh__buf_printf(b, rc, "%%%02X", c);
    }
}
