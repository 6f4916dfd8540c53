/*
 * charref.c -- HTML character references left in plain text.
 *
 * JSONL dumps and JSON posts carry text that a scraper took from HTML
 * without decoding it: SaudiNewsNet's titles and bodies hold "&quot;" 528
 * times, "&nbsp;" 347 times, "&#8220;" and "&ndash;" dozens of times.
 * Left alone they are shown to readers and indexed as the words "quot"
 * and "nbsp" (and the tagger found an organization "quot").  A text field
 * of a JSON article is text, not HTML, so a reference in it is decoded:
 * a name from HTML's list (libxml2's table), &#NNN; or &#xHH;.  Anything
 * else (a bare "&", an unknown name, a number out of Unicode's range or a
 * surrogate) is left as it is.
 */
#include "ingest/ingest.h"

#include <libxml/HTMLparser.h>
#include <string.h>

#define NAME_MAX_BYTES 32

/* The code point of the reference at s[0..n) (s[0] is '&'), with *len its
 * bytes; 0 when it is not one to decode. */
static uint32_t
reference(const char *s, size_t n, size_t *len)
{
    const char *semi =
        memchr(s, ';', n < NAME_MAX_BYTES + 3 ? n : NAME_MAX_BYTES + 3);
    if (semi == NULL || semi == s + 1)
        return 0;
    *len = (size_t)(semi - s) + 1;
    if (s[1] == '#') {
        int hex = semi - s > 2 && (s[2] == 'x' || s[2] == 'X');
        const char *p = s + 2 + hex;
        uint32_t cp = 0;
        if (p == semi)
            return 0;
        for (; p < semi; p++) {
            unsigned d;
            if (*p >= '0' && *p <= '9')
                d = (unsigned)(*p - '0');
            else if (hex && (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
                d = (unsigned)((*p | 0x20) - 'a' + 10);
            else
                return 0;
            cp = cp * (hex ? 16u : 10u) + d;
            if (cp > 0x10ffff)
                return 0;
        }
        /* no NUL, surrogates or control characters (but tab and line
         * breaks) from a number */
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
            (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        return cp;
    }
    char name[NAME_MAX_BYTES + 1];
    size_t nl = (size_t)(semi - s) - 1;
    if (nl > NAME_MAX_BYTES)
        return 0;
    for (size_t i = 0; i < nl; i++) {
        unsigned char c = (unsigned char)s[1 + i];
        if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
            !(c >= '0' && c <= '9'))
            return 0;
        name[i] = (char)c;
    }
    name[nl] = '\0';
    const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
    return e != NULL ? e->value : 0;
}

kh_status
kh__html_unescape(const char *s, size_t n, kh_buf *out)
{
    kh_status rc = KH_OK;
    size_t i = 0;
    while (i < n && rc == KH_OK) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t run = amp != NULL ? (size_t)(amp - s) - i : n - i;
        kh__buf_append(out, s + i, run, &rc);
        i += run;
        if (i >= n)
            break;
        size_t len = 0;
        uint32_t cp = reference(s + i, n - i, &len);
        if (cp != 0) {
            kh__buf_put_utf8(out, cp, &rc);
            i += len;
        } else {
            kh__buf_putc(out, '&', &rc);
            i++;
        }
    }
    return rc;
}
