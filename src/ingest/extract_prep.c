/*
 * extract_prep.c -- the bytes of a page made cheaper to parse.
 *
 * About half of a news page is the text of <script> and <style> elements
 * (53% of the bytes of the Zyte benchmark pages), which the extractor
 * never reads, and libxml2's HTML parser goes through it a character at a
 * time.  Emptying those elements before parsing halves the parse.  JSON-LD
 * scripts are kept: the title, the author and the date come from them.
 * Comments go too, and so do the contents of the other elements the
 * extractor skips (svg icons, noscript, template).
 *
 * Of what is left, two thirds are attributes, and a third of those
 * (src, srcset, data-*, on*, width, ...) are never read, yet the parser
 * copies every value.  Start tags are rewritten without them, following
 * the tokenizer's grammar (a value is quoted only when the quote opens
 * it); a tag that does not end is left whole.  Runs of white space in
 * text become one character, except in <pre> and <textarea>.
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

/* The attributes someone reads (dom.c, extract_meta.c, pagedate.c). */
static const struct {
    const char *name;
    size_t len;
} kept[] = {
#define KEEP(s)                                                                \
    {                                                                          \
        s, sizeof s - 1                                                        \
    }
    KEEP("aria-hidden"), KEEP("class"), KEEP("content"),    KEEP("datetime"),
    KEEP("hidden"),      KEEP("href"),  KEEP("http-equiv"), KEEP("id"),
    KEEP("itemprop"),    KEEP("lang"),  KEEP("name"),       KEEP("property"),
    KEEP("pubdate"),     KEEP("rel"),   KEEP("role"),       KEEP("style"),
    KEEP("title"),       KEEP("type"),  KEEP("xml:lang"),
#undef KEEP
};

/* ieq() lowers ASCII: attribute names are matched in any case. */
static int
kept_attr(const char *name, size_t n)
{
    for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
        if (kept[k].len == n && ieq(name, n, kept[k].name))
            return 1;
    return 0;
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* The start tag at s[r] ('<' and a letter) without unread attributes.
 * With out == NULL only measures: returns one past the tag's '>', or 0
 * when it does not end.  Otherwise writes the tag at out (out <= s + r)
 * and returns the bytes written. */
static size_t
rewrite_tag(const char *s, size_t r, size_t len, char *out)
{
    size_t i = r + 1, w = 0;
    while (i < len && !is_space(s[i]) && s[i] != '/' && s[i] != '>')
        i++;
    if (out != NULL) {
        memmove(out, s + r, i - r);
        w = i - r;
    }
    while (i < len && s[i] != '>') {
        size_t a = i;
        while (i < len && is_space(s[i]))
            i++;
        size_t name = i;
        while (i < len && !is_space(s[i]) && s[i] != '=' && s[i] != '>' &&
               s[i] != '/')
            i++;
        size_t name_end = i;
        if (name_end == name) {
            if (i < len && s[i] != '>')
                i++; /* a '/' or a stray '=' */
            if (out != NULL) {
                memmove(out + w, s + a, i - a);
                w += i - a;
            }
            continue;
        }
        size_t j = i;
        while (j < len && is_space(s[j]))
            j++;
        if (j < len && s[j] == '=') {
            j++;
            while (j < len && is_space(s[j]))
                j++;
            if (j < len && (s[j] == '"' || s[j] == '\'')) {
                const char *q = memchr(s + j + 1, s[j], len - j - 1);
                if (q == NULL)
                    return 0;
                j = (size_t)(q - s) + 1;
            } else {
                while (j < len && !is_space(s[j]) && s[j] != '>')
                    j++;
            }
            i = j;
        }
        if (out != NULL && kept_attr(s + name, name_end - name)) {
            memmove(out + w, s + a, i - a);
            w += i - a;
        }
    }
    if (i >= len)
        return 0;
    if (out == NULL)
        return i + 1;
    out[w++] = '>';
    return w;
}

/* Copies text between tags with each run of white space made one
 * character (a newline when the run holds one), as the extractor reads it
 * anyway; returns the bytes written (dst <= src). */
static size_t
copy_text(char *dst, const char *src, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        if (!is_space(src[i])) {
            dst[w++] = src[i++];
            continue;
        }
        int nl = 0;
        for (; i < n && is_space(src[i]); i++)
            nl |= src[i] == '\n';
        dst[w++] = nl ? '\n' : ' ';
    }
    return w;
}

size_t
kh__strip_raw_text(char *s, size_t len)
{
    size_t r = 0, w = 0;
    while (r < len) {
        const char *lt = memchr(s + r, '<', len - r);
        size_t at = lt != NULL ? (size_t)(lt - s) : len;
        if (at > r) {
            w += copy_text(s + w, s + r, at - r);
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
        /* Elements whose contents go (but JSON-LD), and those whose
         * contents stay byte for byte (white space matters there). */
        static const char *const raw[] = {"script",   "style",    "svg",
                                          "noscript", "template", "pre",
                                          "textarea", NULL};
        enum { SCRIPT = 0, FIRST_KEPT = 5 };
        const char *word = NULL;
        size_t kind = 0;
        for (; raw[kind] != NULL; kind++)
            if (ieq(p + 1, left - 1, raw[kind])) {
                word = raw[kind];
                break;
            }
        size_t wl = word != NULL ? strlen(word) : 0;
        if (word != NULL && left > wl + 1 &&
            (p[wl + 1] == '>' || p[wl + 1] == ' ' || p[wl + 1] == '\t' ||
             p[wl + 1] == '\n' || p[wl + 1] == '\r' || p[wl + 1] == '/')) {
            size_t te = tag_end(p, left);
            if (te > 0 && p[te - 2] != '/') {
                size_t close = te + find_close(p + te, left - te, word);
                if (close < left) {
                    /* The start tag stays; JSON-LD stays whole, since
                     * markup quoted in it is not markup. */
                    int whole = kind >= FIRST_KEPT ||
                                (kind == SCRIPT && is_json_ld(p, te));
                    size_t keep = whole ? close : te;
                    memmove(s + w, p, keep);
                    w += keep;
                    r += close;
                    continue;
                }
            }
        }
        unsigned char c1 = left > 1 ? (unsigned char)p[1] | 0x20 : 0;
        if (c1 >= 'a' && c1 <= 'z') {
            size_t end = rewrite_tag(s, r, len, NULL);
            if (end > 0) {
                w += rewrite_tag(s, r, len, s + w);
                r = end;
                continue;
            }
        }
        s[w++] = s[r++]; /* the '<' itself */
    }
    return w;
}
