/*
 * dom_text.c -- UTF-8 text helpers of the extractor: code points, a
 * length that counts scripts written without spaces double, white space
 * (Unicode spaces included) collapsed, and the hash that keys furniture.
 */
#include "ingest/extract.h"

#include <string.h>
uint32_t
kh__utf8_next(const char *s, size_t n, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t left = n - *i;
    unsigned c = p[0];
    if (c < 0x80) {
        *i += 1;
        return c;
    }
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (need == 1 || need > left) {
        *i += 1;
        return 0xFFFD;
    }
    uint32_t cp = c & (0x3F >> (need - 1));
    for (size_t k = 1; k < need; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *i += k;
            return 0xFFFD;
        }
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    *i += need;
    return cp;
}

/* Scripts written without spaces carry about a word in two characters;
 * counting them double keeps the length thresholds fair to them. */
static int
is_wide(uint32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
           (cp >= 0xF900 && cp <= 0xFAFF);
}

uint32_t
kh__utf8_weight(const char *s, size_t n)
{
    uint32_t w = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            w++;
            continue;
        }
        uint32_t cp = kh__utf8_next(s, n, &i);
        w += is_wide(cp) ? 2 : 1;
    }
    return w;
}

/* Length of the white-space character at s[0..n), or 0. */
static size_t
space_len(const unsigned char *s, size_t n)
{
    switch (s[0]) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
    case '\v':
        return 1;
    case 0xC2:
        return n >= 2 && s[1] == 0xA0 ? 2 : 0;
    case 0xE2:
        if (n >= 3 && s[1] == 0x80 &&
            ((s[2] >= 0x80 && s[2] <= 0x8B) || s[2] == 0xAF))
            return 3; /* U+2000..U+200B, U+202F */
        if (n >= 3 && s[1] == 0x81 && s[2] == 0x9F)
            return 3; /* U+205F */
        return 0;
    case 0xE3:
        return n >= 3 && s[1] == 0x80 && s[2] == 0x80 ? 3 : 0; /* U+3000 */
    case 0xEF:
        return n >= 3 && s[1] == 0xBB && s[2] == 0xBF ? 3 : 0; /* BOM */
    default:
        return 0;
    }
}

/* The first bytes of white space (space_len() is 0 for any other). */
static const uint8_t maybe_space[256] = {
    [' '] = 1,  ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\f'] = 1,
    ['\v'] = 1, [0xC2] = 1, [0xE2] = 1, [0xE3] = 1, [0xEF] = 1,
};

void
kh__collapse_ws(kh_buf *b, const char *s, size_t n, int *pending, kh_status *rc)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && *rc == KH_OK) {
        size_t sl = space_len(p + i, n - i);
        if (sl > 0) {
            if (*pending == 0)
                *pending = 1;
            i += sl;
            continue;
        }
        /* p[i] is not white space; the run goes on through single
         * spaces before more text, which stay as they are */
        size_t j = i + 1;
        for (;;) {
            while (j < n &&
                   (!maybe_space[p[j]] || space_len(p + j, n - j) == 0))
                j++;
            if (j + 1 < n && p[j] == ' ' && !maybe_space[p[j + 1]])
                j += 2;
            else
                break;
        }
        if (*pending == 1)
            kh__buf_putc(b, ' ', rc);
        *pending = 0;
        kh__buf_append(b, s + i, j - i, rc);
        i = j;
    }
}

char *
kh__clean_dup(const char *s, kh_status *rc)
{
    if (s == NULL || *rc != KH_OK)
        return NULL;
    kh_buf b;
    kh__buf_init(&b);
    int pending = -1;
    kh__collapse_ws(&b, s, strlen(s), &pending, rc);
    if (*rc != KH_OK || b.len == 0) {
        kh__buf_release(&b);
        return NULL;
    }
    return kh__buf_detach(&b, NULL, rc);
}

uint64_t
kh__text_hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
                continue; /* digits, spaces, punctuation */
            c |= 0x20;
        } else if (c == 0xD9 && i + 1 < n && (unsigned char)s[i + 1] >= 0xA0 &&
                   (unsigned char)s[i + 1] <= 0xA9) {
            i++; /* Arabic-Indic digits U+0660..U+0669 */
            continue;
        }
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}
