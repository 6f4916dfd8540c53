/*
 * buf.c -- kh_buf, the growable byte buffer (see kh_int.h for invariants).
 */
#include "kh_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
kh__buf_init(kh_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void
kh__buf_release(kh_buf *b)
{
    kh_free(b->data);
    kh__buf_init(b);
}

void
kh__buf_reset(kh_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

void
kh__buf_reserve(kh_buf *b, size_t extra, kh_status *rc)
{
    if (*rc != KH_OK)
        return;
    if (extra > SIZE_MAX - b->len - 1) {
        *rc = KH_ENOMEM;
        return;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = kh_realloc(b->data, cap);
    if (p == NULL) {
        *rc = KH_ENOMEM;
        return;
    }
    b->data = p;
    b->cap = cap;
    b->data[b->len] = '\0'; /* the invariant holds from the first byte */
}

void
kh__buf_append(kh_buf *b, const void *p, size_t n, kh_status *rc)
{
    kh__buf_reserve(b, n, rc);
    if (*rc != KH_OK)
        return;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
kh__buf_puts(kh_buf *b, const char *s, kh_status *rc)
{
    kh__buf_append(b, s, strlen(s), rc);
}

void
kh__buf_putc(kh_buf *b, char c, kh_status *rc)
{
    kh__buf_append(b, &c, 1, rc);
}

void
kh__buf_put_utf8(kh_buf *b, uint32_t cp, kh_status *rc)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    kh__buf_append(b, u, n, rc);
}

void
kh__buf_printf(kh_buf *b, kh_status *rc, const char *fmt, ...)
{
    if (*rc != KH_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        *rc = KH_EINVAL;
        return;
    }
    kh__buf_reserve(b, (size_t)n, rc);
    if (*rc != KH_OK)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is invalid
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t
utf8_valid_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0;
        if (c == 0xED && s[1] >= 0xA0)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;
        if (c == 0xF4 && s[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

void
kh__buf_json_escape(kh_buf *b, const char *s, size_t n, kh_status *rc)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && *rc == KH_OK) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            size_t j = i + 1;
            while (j < n && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' &&
                   p[j] != '\\')
                j++;
            kh__buf_append(b, p + i, j - i, rc);
            i = j;
            continue;
        }
        if (c < 0x80) {
            switch (c) {
            case '"':
                kh__buf_puts(b, "\\\"", rc);
                break;
            case '\\':
                kh__buf_puts(b, "\\\\", rc);
                break;
            case '\n':
                kh__buf_puts(b, "\\n", rc);
                break;
            case '\t':
                kh__buf_puts(b, "\\t", rc);
                break;
            case '\r':
                kh__buf_puts(b, "\\r", rc);
                break;
            default:
                kh__buf_printf(b, rc, "\\u%04x", c);
            }
            i++;
            continue;
        }
        size_t len = utf8_valid_len(p + i, n - i);
        if (len == 0) {
            kh__buf_puts(b, "\xEF\xBF\xBD", rc);
            i++;
        } else {
            kh__buf_append(b, p + i, len, rc);
            i += len;
        }
    }
}

char *
kh__buf_detach(kh_buf *b, size_t *len, kh_status *rc)
{
    kh__buf_reserve(b, 0, rc);
    if (*rc != KH_OK)
        return NULL;
    char *p = b->data;
    if (len != NULL)
        *len = b->len;
    kh__buf_init(b);
    return p;
}

void
kh__buf_html_escape(kh_buf *b, const char *s, size_t n, kh_status *rc)
{
    /* What XML 1.0 forbids (its Char production) goes: one such character
     * makes a whole Atom feed unreadable, where HTML would shrug.  Beside
     * the C0 controls that is U+FFFE and U+FFFF (EF BF BE, EF BF BF) and
     * the surrogates U+D800..U+DFFF (ED A0..BF xx), which no valid UTF-8
     * holds but a lax source may. */
    size_t plain = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const unsigned char *u = (const unsigned char *)s + i;
        size_t skip = 1;
        const char *e = c == '&'   ? "&amp;"
                        : c == '<' ? "&lt;"
                        : c == '>' ? "&gt;"
                        : c == '"' ? "&quot;"
                        : c < 0x20 && c != '\t' && c != '\n' && c != '\r'
                            ? ""
                            : NULL;
        if (e == NULL && n - i >= 3 &&
            ((c == 0xEF && u[1] == 0xBF && (u[2] == 0xBE || u[2] == 0xBF)) ||
             (c == 0xED && u[1] >= 0xA0 && u[1] <= 0xBF &&
              (u[2] & 0xC0) == 0x80))) {
            e = "";
            skip = 3;
        }
        if (e == NULL)
            continue;
        kh__buf_append(b, s + plain, i - plain, rc);
        kh__buf_puts(b, e, rc);
        plain = i + skip;
        i += skip - 1;
    }
    kh__buf_append(b, s + plain, n - plain, rc);
}
