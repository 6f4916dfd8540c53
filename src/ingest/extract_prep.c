/*
 * extract_prep.c -- the bytes of a page made cheaper to parse.
 *
 * About half of a news page is the text of <script> and <style> elements
 * (53% of the bytes of the Zyte benchmark pages), which the extractor
 * never reads, and libxml2's HTML parser goes through it a character at a
 * time.  Emptying those elements before parsing halves the parse.  JSON-LD
 * scripts are kept: the title, the author and the date come from them.
 * Comments go too.
 *
 * The scan mirrors how browsers end raw text: a script ends at the first
 * "</script" whatever the quoting inside.  When the end is missing the
 * rest is left alone for the parser to deal with, so the document tree
 * keeps its shape.
 */
#include "ingest/extract.h"

#include <string.h>

static int
ieq(const char *s, size_t n, const char *word)
{
    size_t wl = strlen(word);
    if (n < wl)
        return 0;
    for (size_t i = 0; i < wl; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c | 0x20);
        if (c != word[i])
            return 0;
    }
    return 1;
}

/* Offset of the first "</word" in s[0..n) (any case), or n. */
static size_t
find_close(const char *s, size_t n, const char *word)
{
    size_t wl = strlen(word);
    for (size_t i = 0; i + 2 + wl <= n;) {
        const char *lt = memchr(s + i, '<', n - i);
        if (lt == NULL)
            return n;
        i = (size_t)(lt - s);
        if (i + 2 + wl <= n && s[i + 1] == '/' &&
            ieq(s + i + 2, n - i - 2, word))
            return i;
        i++;
    }
    return n;
}

/* End of the start tag beginning at s[0] ('<'): one past its '>', quotes
 * honoured; 0 when it does not end. */
static size_t
tag_end(const char *s, size_t n)
{
    char quote = 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            return i + 1;
        }
    }
    return 0;
}

static int
is_json_ld(const char *tag, size_t n)
{
    for (size_t i = 0; i + 7 <= n; i++)
        if ((tag[i] == 'l' || tag[i] == 'L') && ieq(tag + i, n - i, "ld+json"))
            return 1;
    return 0;
}

size_t
kh__strip_raw_text(char *s, size_t len)
{
    size_t r = 0, w = 0;
    while (r < len) {
        const char *lt = memchr(s + r, '<', len - r);
        size_t at = lt != NULL ? (size_t)(lt - s) : len;
        if (at > r) {
            memmove(s + w, s + r, at - r);
            w += at - r;
            r = at;
        }
        if (r >= len)
            break;
        const char *p = s + r;
        size_t left = len - r;
        if (left >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *end = NULL;
            for (size_t i = 4; i + 3 <= left; i++)
                if (p[i] == '-' && p[i + 1] == '-' && p[i + 2] == '>') {
                    end = p + i + 3;
                    break;
                }
            if (end != NULL) {
                r = (size_t)(end - s);
                continue;
            }
        }
        const char *word = NULL;
        if (ieq(p + 1, left - 1, "script"))
            word = "script";
        else if (ieq(p + 1, left - 1, "style"))
            word = "style";
        size_t wl = word != NULL ? strlen(word) : 0;
        if (word != NULL && left > wl + 1 &&
            (p[wl + 1] == '>' || p[wl + 1] == ' ' || p[wl + 1] == '\t' ||
             p[wl + 1] == '\n' || p[wl + 1] == '\r' || p[wl + 1] == '/')) {
            size_t te = tag_end(p, left);
            if (te > 0 && p[te - 2] != '/' && !is_json_ld(p, te)) {
                size_t close = te + find_close(p + te, left - te, word);
                if (close < left) {
                    memmove(s + w, p, te); /* the start tag stays */
                    w += te;
                    r += close;
                    continue;
                }
            }
        }
        s[w++] = s[r++]; /* the '<' itself */
    }
    return w;
}
