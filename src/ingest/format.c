/*
 * format.c -- what a byte stream is, told by its first bytes.
 *
 * Only content counts, never a file name: feeds get served as text/html,
 * pages as application/octet-stream.  The markup prologue (BOM, blanks,
 * XML declaration, processing instructions, comments, doctype) is
 * skipped and the first element decides: <rss> or <rdf:RDF> is RSS,
 * <feed> in the Atom namespace is Atom, an HTML element is HTML, other
 * XML is unknown.  Otherwise: "WARC/1." is WARC, '{' (or '[' before
 * '{' or ']': an array of articles) is JSON lines, and
 * text that is valid UTF-8 or mostly printable is plain text.  UTF-16
 * input (with a BOM) is looked at through its ASCII characters.
 */
#include "ingest/ingest.h"
#include "text/text.h"

#include <string.h>

#define WINDOW 8192 /* bytes looked at */

static int
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static unsigned char
lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

int
kh__starts_ci(const unsigned char *p, size_t i, size_t n, const char *w)
{
    for (size_t k = 0; w[k] != '\0'; k++)
        if (i + k >= n || lower(p[i + k]) != (unsigned char)w[k])
            return 0;
    return 1;
}

/* Index of the first occurrence of the lower-case word w in p[i..n),
 * case-insensitive, or n. */
static size_t
find(const unsigned char *p, size_t i, size_t n, const char *w)
{
    for (; i < n; i++)
        if (kh__starts_ci(p, i, n, w))
            return i;
    return n;
}

static int
name_char(unsigned char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') ||
           c == ':' || c == '-' || c == '_' || c == '.';
}

/* Elements that make a document HTML when they come first. */
static const char *const html_tags[] = {
    "html",    "head",   "body", "meta", "title",  "link", "script",
    "style",   "base",   "div",  "p",    "span",   "a",    "table",
    "h1",      "h2",     "h3",   "h4",   "h5",     "h6",   "article",
    "section", "header", "nav",  "main", "footer", "form", "iframe",
    "img",     "br",     "ul",   "ol",   "center", "font", "noscript",
    "aside",   "figure", "b",    "i",    "strong", "em",   "hr",
    "frameset"};

/* The format of a document whose first element starts at p[i] ('<'). */
static kh_format
element_format(const unsigned char *p, size_t i, size_t n)
{
    size_t s = i + 1, e = s;
    while (e < n && name_char(p[e]))
        e++;
    size_t tag_end = e;
    while (tag_end < n && p[tag_end] != '>')
        tag_end++;
    size_t colon = s;
    while (colon < e && p[colon] != ':')
        colon++;
    size_t local = colon < e ? colon + 1 : s; /* after a prefix */
    size_t local_len = e - local;
    if (e - s == 3 && kh__starts_ci(p, s, e, "rss"))
        return KH_FMT_RSS;
    if (local_len == 3 && kh__starts_ci(p, local, e, "rdf"))
        return KH_FMT_RSS; /* RSS 1.0 and 0.90 */
    if (local_len == 4 && kh__starts_ci(p, local, e, "feed")) {
        if (find(p, e, tag_end, "http://www.w3.org/2005/atom") < tag_end ||
            find(p, e, tag_end, "http://purl.org/atom/ns#") < tag_end)
            return KH_FMT_ATOM;
        return KH_FMT_UNKNOWN;
    }
    for (size_t k = 0; k < sizeof html_tags / sizeof html_tags[0]; k++) {
        size_t l = strlen(html_tags[k]);
        if (e - s == l && kh__starts_ci(p, s, e, html_tags[k]))
            return KH_FMT_HTML;
    }
    if (find(p, i, n, "<html") < n || find(p, i, n, "<body") < n)
        return KH_FMT_HTML;
    return KH_FMT_UNKNOWN;
}

/* Skips the markup prologue from p[*i]; returns 0 when it runs off the
 * end of the window or is not markup. */
static int
skip_prologue(const unsigned char *p, size_t *i, size_t n, int *html_doctype)
{
    size_t j = *i;
    for (;;) {
        while (j < n && is_space(p[j]))
            j++;
        if (j >= n || p[j] != '<')
            break;
        size_t end;
        if (kh__starts_ci(p, j, n, "<?")) {
            end = find(p, j, n, "?>");
            if (end < n)
                end += 2;
        } else if (kh__starts_ci(p, j, n, "<!--")) {
            end = find(p, j + 4, n, "-->");
            if (end < n)
                end += 3;
        } else if (kh__starts_ci(p, j, n, "<!doctype")) {
            size_t k = j + 9;
            while (k < n && is_space(p[k]))
                k++;
            if (kh__starts_ci(p, k, n, "html"))
                *html_doctype = 1;
            /* An internal subset holds '>' of its own. */
            size_t bracket = find(p, j, n, "[");
            end = find(p, j, n, ">");
            if (bracket < end)
                end = find(p, bracket, n, "]>") + 1;
            if (end < n)
                end += 1;
        } else {
            break;
        }
        if (end >= n)
            return 0;
        j = end;
    }
    *i = j;
    return 1;
}

/* Plain text: valid UTF-8 (a character cut at the end of the window is
 * fine) or legacy text, with hardly any control characters. */
static kh_format
text_format(const unsigned char *p, size_t n, int cut)
{
    if (n == 0)
        return KH_FMT_UNKNOWN;
    size_t controls = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == 0)
            return KH_FMT_UNKNOWN;
        if ((c < 0x20 && !is_space(c)) || c == 0x7F)
            controls++;
    }
    if (controls * 50 > n)
        return KH_FMT_UNKNOWN;
    size_t i = 0, bad = 0, high = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = kh__utf8_decode(p + i, n - i, &cp);
        if (k == 0) {
            if (cut && n - i < 4)
                break; /* the window cut a character */
            bad++;
            k = 1;
        }
        if (p[i] >= 0x80)
            high++;
        i += k;
    }
    if (bad == 0)
        return KH_FMT_TEXT;
    /* Legacy single-byte text: high bytes are letters, C1 bytes are
     * rare in it. */
    size_t c1 = 0;
    for (i = 0; i < n; i++)
        c1 += p[i] >= 0x80 && p[i] < 0xA0;
    return c1 * 4 > high + 16 ? KH_FMT_UNKNOWN : KH_FMT_TEXT;
}

kh_format
kh_detect_format(const char *head, size_t len)
{
    const unsigned char *p = (const unsigned char *)head;
    unsigned char narrow[WINDOW / 2];
    int cut = len > WINDOW;
    size_t n = len < WINDOW ? len : WINDOW;
    if (n >= 2 &&
        ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
        /* UTF-16: keep the ASCII characters, mark the others. */
        int le = p[0] == 0xFF;
        size_t m = 0;
        for (size_t i = 2; i + 1 < n; i += 2) {
            unsigned char lo = p[i + !le], hi = p[i + le];
            narrow[m++] = hi == 0 && lo < 0x80 ? lo : 'x';
        }
        p = narrow;
        n = m;
    } else if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        p += 3;
        n -= 3;
    }
    size_t i = 0;
    while (i < n && is_space(p[i]))
        i++;
    if (kh__starts_ci(p, i, n, "warc/1."))
        return KH_FMT_WARC;
    if (i < n && p[i] == '{')
        return KH_FMT_JSONL;
    if (i < n && p[i] == '[') { /* a JSON array of articles */
        size_t j = i + 1;
        while (j < n && is_space(p[j]))
            j++;
        if (j < n && (p[j] == '{' || p[j] == ']'))
            return KH_FMT_JSONL;
    }
    if (i < n && p[i] == '<') {
        int html_doctype = 0;
        if (!skip_prologue(p, &i, n, &html_doctype))
            return html_doctype ? KH_FMT_HTML : KH_FMT_UNKNOWN;
        if (html_doctype)
            return KH_FMT_HTML;
        if (i < n && p[i] == '<' && i + 1 < n &&
            ((p[i + 1] | 0x20) >= 'a' && (p[i + 1] | 0x20) <= 'z'))
            return element_format(p, i, n);
        if (find(p, i, n, "<html") < n || find(p, i, n, "<body") < n)
            return KH_FMT_HTML;
    }
    if (i == n)
        return KH_FMT_UNKNOWN; /* nothing but blanks */
    return text_format(p, n, cut);
}

const char *
kh_format_name(kh_format format)
{
    switch (format) {
    case KH_FMT_UNKNOWN:
        return "unknown";
    case KH_FMT_JSONL:
        return "jsonl";
    case KH_FMT_HTML:
        return "html";
    case KH_FMT_RSS:
        return "rss";
    case KH_FMT_ATOM:
        return "atom";
    case KH_FMT_WARC:
        return "warc";
    case KH_FMT_TEXT:
        return "text";
    }
    return "unknown";
}
