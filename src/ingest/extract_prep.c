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
 * Given a tree (kh__prep_page), what the parser would copy unchanged is
 * not handed to it at all but stashed in the tree, a token in its place
 * (htree.h): the attributes of a start tag whose parse is certain (an
 * alphanumeric name, no stray characters, no control characters, no
 * entity in a value, no name twice), and runs of text and JSON-LD
 * scripts without entities, control characters or non-characters.  The
 * parser still sees every tag, so the tree keeps its shape; the tokens
 * keep what decides how it treats text (text that is not all blank,
 * never '<' or '&').  At the first thing the parser might read otherwise
 * than this scan (a script, a style, a comment or a tag that does not
 * end, a tag with odd names or characters), tokens stop and the rest of
 * the page is treated as it was before them, byte for byte; pages that
 * are not strictly valid UTF-8 or hold U+E000 or \x01 of their own get
 * none.  End tags are copied as the parser reads them (to their first
 * '>'), and the start tags of raw elements lose their unread attributes
 * too when the parser ends them where this scan does.
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

/* The kept name s[0..n) is, lower case (ASCII case ignored), or NULL. */
static const char *
kept_attr(const char *s, size_t n)
{
    /* by length, most names (src, alt, data-*, width) go at once */
    if (n < 2 || n > 11 || n == 9 || (n == 3 && (s[0] | 0x20) != 'r'))
        return NULL;
    char c = (char)(s[0] | 0x20);
    for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
        if (kept[k].len == n && kept[k].name[0] == c && ieq(s, n, kept[k].name))
            return kept[k].name;
    return NULL;
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* ---- Tokens ------------------------------------------------------------ */

typedef struct prep {
    char *s;
    size_t len;
    kh_htree *tree; /* where pieces go; NULL: no tokens (any more) */
    size_t run;     /* where the text being written began, or NO_RUN */
    int ctl;        /* the page has control characters but \t \n \r */
    int odd;        /* the last tag written may read otherwise to the
                       parser (where it ends, say) */
} prep;

#define NO_RUN ((size_t)-1)

/* Whether s[0..n) is strictly valid UTF-8 (no overlong forms, surrogates
 * or code points past U+10FFFF) without \x01 or U+E000: the condition
 * for tokens.  Sets *ctl when it holds control characters other than
 * \t, \n and \r. */
static int
tokens_possible(const char *s, size_t n, int *ctl)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    *ctl = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, p + i, 8);
            /* eight ASCII bytes, none below 0x20 */
            uint64_t ge20 = (v | 0x8080808080808080ULL) - 0x2020202020202020ULL;
            if (!((v | (ge20 ^ 0x8080808080808080ULL)) &
                  0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        unsigned c = p[i];
        if (c < 0x80) {
            if (c == 1)
                return 0;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                *ctl = 1;
            i++;
            continue;
        }
        size_t need;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i < need)
            return 0;
        for (size_t k = 1; k < need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || cp == 0xE000)
            return 0;
        i += need;
    }
    return 1;
}

/* Whether the parser passes s[0..n) on unchanged: no control character
 * (dropped) but those allowed (ctl has their bits), no U+FFFE or U+FFFF
 * (dropped); and, for text between tags (text set), no '&' (an entity)
 * and not all blank (blank text can be dropped, and is where it
 * matters).  In a script '&' is itself. */
static int
plain_text(const char *s, size_t n, uint32_t ctl, int text)
{
    int blank = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20) {
            if (!(ctl >> c & 1))
                return 0;
        } else if (c == '&' && text) {
            return 0;
        } else if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF &&
                   (unsigned char)s[i + 2] >= 0xBE) {
            return 0;
        } else if (c != ' ') {
            blank = 0;
        }
    }
    return !text || !blank;
}

/* Writes a decimal index at out; returns its length. */
static size_t
put_index(char *out, long k)
{
    char d[24];
    size_t n = 0;
    do {
        d[n++] = (char)('0' + k % 10);
        k /= 10;
    } while (k > 0);
    for (size_t i = 0; i < n; i++)
        out[i] = d[n - 1 - i];
    return n;
}

/* The length of the decimal index k. */
static size_t
index_len(size_t k)
{
    size_t n = 1;
    for (; k >= 10; k /= 10)
        n++;
    return n;
}

/* The text s[at..*w) goes into the tree and a token takes its place when
 * that makes it shorter. */
static void
stash_text(prep *pp, size_t at, size_t *w, uint32_t ctl, int text)
{
    size_t n = *w - at;
    if (pp->tree == NULL || n >= UINT32_MAX ||
        n < 3 + 2 + index_len(kh__htree_stashed(pp->tree)) ||
        !plain_text(pp->s + at, n, ctl, text))
        return; /* the token would save little */
    char *m = kh__htree_alloc(pp->tree, n + 1);
    if (m == NULL) {
        pp->tree = NULL;
        return;
    }
    memcpy(m, pp->s + at, n);
    m[n] = '\0';
    long k = kh__htree_stash(pp->tree, KH_STASH_TEXT, m, (uint32_t)n);
    if (k < 0) {
        pp->tree = NULL;
        return;
    }
    memcpy(pp->s + at, KH_TOKEN_TEXT, 3);
    *w = at + 3 + put_index(pp->s + at + 3, k);
}

/* The text written since the last tag ends (a tag follows, or the page
 * ends). */
static void
end_run(prep *pp, size_t *w)
{
    if (pp->run != NO_RUN)
        stash_text(pp, pp->run, w, 1u << '\n', 1);
    pp->run = NO_RUN;
}

/* ---- Start tags -------------------------------------------------------- */

#define MAX_ITEMS 48

typedef struct item {
    size_t a, end;         /* the item with the white space before it */
    size_t name, name_end; /* its name */
    size_t val, val_end;   /* the value, quotes left out; val 0: none */
    const char *kept;      /* the kept name, or NULL */
    int named;             /* an attribute (else white space or stray) */
    int quoted;            /* its value is quoted */
    int stray;             /* a lone '/' or '=' */
} item;

/* Whether c can continue an element name for the parser. */
static int
name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == ':' || c == '_' || c == '.' ||
           c == '-';
}

/* Whether the parser reads the start tag s[r..te) item by item as the
 * pre-pass does: an alphanumeric name (of 100 characters at most: the
 * parser cuts longer names), no control character that is blank to us
 * but not to it (\f), no stray character but the '/' of "/>", and with
 * names set, attribute names it reads whole (the pre-pass drops unread
 * attributes by its own reading of their names). */
static int
clean_tag(const prep *pp, const item *it, size_t n_it, size_t r, size_t te,
          int names)
{
    const char *s = pp->s;
    size_t e = r + 1;
    while (e < te &&
           ((s[e] >= 'a' && s[e] <= 'z') || (s[e] >= 'A' && s[e] <= 'Z') ||
            (s[e] >= '0' && s[e] <= '9')))
        e++;
    if (e - r - 1 > 100 || (!is_space(s[e]) && s[e] != '/' && s[e] != '>'))
        return 0;
    for (size_t i = r; pp->ctl && i < te; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
            s[i] != '\r')
            return 0;
    size_t prev = n_it; /* the item written before, if any */
    for (size_t k = 0; k < n_it; k++) {
        if (it[k].stray && (k + 1 != n_it || s[it[k].end - 1] != '/'))
            return 0;
        /* Where the unread attributes went, the items written around
         * them must not run together ("a=b" "/>", "hidden" "id=c"). */
        if (it[k].stray || it[k].kept != NULL) {
            if (!is_space(s[it[k].a]) &&
                (prev < n_it ? !it[prev].quoted : !it[k].stray))
                return 0;
            prev = k;
        }
        if (!names || !it[k].named)
            continue;
        size_t a = it[k].name, n = it[k].name_end - a;
        int first = ((s[a] | 0x20) >= 'a' && (s[a] | 0x20) <= 'z') ||
                    s[a] == '_' || s[a] == ':';
        if (n > 100 || !first)
            return 0;
        for (size_t i = a + 1; i < a + n; i++)
            if (!name_char(s[i]))
                return 0;
    }
    return 1;
}

/* The attributes of a clean tag go into the tree as one list; returns 0
 * when an attribute comes twice or has an entity, or nothing is kept. */
static int
stash_attrs(prep *pp, const item *it, size_t n_it, size_t r, size_t te,
            long *index)
{
    const char *s = pp->s;
    size_t name_end = r + 1;
    while (!is_space(s[name_end]) && s[name_end] != '/' && s[name_end] != '>')
        name_end++;
    size_t n_kept = 0;
    for (size_t k = 0; k < n_it; k++) {
        if (it[k].kept == NULL)
            continue;
        for (size_t j = 0; j < k; j++)
            if (it[j].kept == it[k].kept)
                return 0; /* the parser keeps the first */
        if (it[k].val != 0 &&
            memchr(s + it[k].val, '&', it[k].val_end - it[k].val) != NULL)
            return 0; /* an entity, maybe */
        n_kept++;
    }
    /* "<name kh=\x01N />" must fit where the tag was */
    size_t need = (name_end - r) + 5 + index_len(kh__htree_stashed(pp->tree)) +
                  (n_it > 0 && it[n_it - 1].stray ? 2 : 0) + 1;
    if (n_kept == 0 || need > te - r)
        return 0;
    kh_hattr *head = NULL, **tail = &head;
    for (size_t k = 0; k < n_it; k++) {
        if (it[k].kept == NULL)
            continue;
        size_t vl = it[k].val != 0 ? it[k].val_end - it[k].val : 0;
        kh_hattr *a = kh__htree_alloc(pp->tree, sizeof *a + vl + 1);
        if (a == NULL) {
            pp->tree = NULL;
            return 0;
        }
        char *v = (char *)(a + 1);
        if (vl > 0)
            memcpy(v, s + it[k].val, vl);
        v[vl] = '\0';
        a->name = it[k].kept;
        a->value = v;
        a->next = NULL;
        *tail = a;
        tail = &a->next;
    }
    long k = kh__htree_stash(pp->tree, KH_STASH_ATTRS, head, 0);
    if (k < 0) {
        pp->tree = NULL;
        return 0;
    }
    *index = k;
    return 1;
}

/* The start tag at s[r] ('<' and a letter) without unread attributes,
 * written at s + *w (*w <= r); returns one past the tag's '>' in the
 * input, or 0 when it does not end or, with must_end set, ends elsewhere
 * (nothing written then). */
static size_t
rewrite_tag(prep *pp, size_t r, size_t *w, size_t must_end)
{
    char *s = pp->s;
    size_t len = pp->len;
    item it[MAX_ITEMS];
    size_t n_it = 0;
    int many = 0;
    size_t i = r + 1;
    while (i < len && !is_space(s[i]) && s[i] != '/' && s[i] != '>')
        i++;
    size_t name_end = i;
    while (i < len && s[i] != '>') {
        item x = {i, 0, 0, 0, 0, 0, NULL, 0, 0, 0};
        while (i < len && is_space(s[i]))
            i++;
        size_t name = i;
        while (i < len && !is_space(s[i]) && s[i] != '=' && s[i] != '>' &&
               s[i] != '/')
            i++;
        size_t nend = i;
        if (nend == name) {
            if (i < len && s[i] != '>') {
                i++; /* a '/' or a stray '=' */
                x.stray = 1;
            }
        } else {
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
                    x.val = j + 1;
                    x.val_end = (size_t)(q - s);
                    x.quoted = 1;
                    j = x.val_end + 1;
                } else {
                    x.val = j;
                    while (j < len && !is_space(s[j]) && s[j] != '>')
                        j++;
                    x.val_end = j;
                    /* "a=b/>": the parser reads "b/" */
                }
                i = j;
            }
            x.kept = kept_attr(s + name, nend - name);
            x.named = 1;
            x.name = name;
            x.name_end = nend;
        }
        x.end = i;
        if (x.end == x.a)
            continue; /* nothing: the '>' is next */
        if (n_it < MAX_ITEMS)
            it[n_it++] = x;
        else
            many = 1;
    }
    if (i >= len || (must_end != 0 && i + 1 != must_end))
        return 0;
    size_t te = i + 1;
    int clean = !many && clean_tag(pp, it, n_it, r, te, must_end != 0);
    if (must_end != 0 && !clean)
        return 0; /* a raw element's start tag, left whole */
    pp->odd = !clean;
    long index = -1;
    int packed =
        clean && pp->tree != NULL && stash_attrs(pp, it, n_it, r, te, &index);
    /* The items move left or stay (out <= r). */
    size_t out = *w;
    memmove(s + out, s + r, name_end - r);
    out += name_end - r;
    if (packed) {
        memcpy(s + out, " " KH_TOKEN_ATTR "=\x01", 5);
        out += 5;
        out += put_index(s + out, index);
        if (n_it > 0 && it[n_it - 1].stray) {
            memcpy(s + out, " /", 2);
            out += 2;
        }
    } else if (!many) {
        for (size_t k = 0; k < n_it; k++) {
            if (it[k].named && it[k].kept == NULL)
                continue;
            memmove(s + out, s + it[k].a, it[k].end - it[k].a);
            out += it[k].end - it[k].a;
        }
    } else {
        /* past MAX_ITEMS: the same again, reading as it goes */
        size_t k = name_end;
        while (k < te - 1) {
            size_t a = k;
            while (k < len && is_space(s[k]))
                k++;
            size_t name = k;
            while (k < len && !is_space(s[k]) && s[k] != '=' && s[k] != '>' &&
                   s[k] != '/')
                k++;
            size_t nend = k;
            if (nend == name) {
                if (s[k] != '>')
                    k++;
                memmove(s + out, s + a, k - a);
                out += k - a;
                continue;
            }
            size_t j = k;
            while (j < len && is_space(s[j]))
                j++;
            if (s[j] == '=') {
                j++;
                while (is_space(s[j]))
                    j++;
                if (s[j] == '"' || s[j] == '\'') {
                    const char *q = memchr(s + j + 1, s[j], len - j - 1);
                    j = (size_t)(q - s) + 1;
                } else {
                    while (!is_space(s[j]) && s[j] != '>')
                        j++;
                }
                k = j;
            }
            if (kept_attr(s + name, nend - name) != NULL) {
                memmove(s + out, s + a, k - a);
                out += k - a;
            }
        }
    }
    s[out++] = '>';
    *w = out;
    return te;
}

/* ---- The scan ---------------------------------------------------------- */

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

/* Whether the construct at p[0..left) ("<?", "<!...") ends for the
 * parser at its first '>' with nothing of ours inside: no '<' before that
 * '>', and no quote in a DOCTYPE (its literals may hold '>'). */
static int
plain_markup(const char *p, size_t left)
{
    const char *gt = memchr(p + 1, '>', left - 1);
    if (gt == NULL)
        return 0;
    size_t n = (size_t)(gt - p);
    if (memchr(p + 1, '<', n - 1) != NULL)
        return 0;
    return !(left > 2 && p[1] == '!' && p[2] != '-' &&
             (memchr(p, '"', n) != NULL || memchr(p, '\'', n) != NULL));
}

/* The scan.  Until something makes the parser read the rest of the page
 * otherwise than as markup (a script or a style that does not end, a tag,
 * a comment or a processing instruction that runs on), end tags are
 * copied whole and raw start tags rewritten too; after it (base set),
 * the page is treated as it was before tokens, byte for byte, and has
 * none. */
static size_t
prep_page(char *s, size_t len, kh_htree *tree)
{
    /* no run at the start: the parser skips the blanks there */
    prep pp = {s, len, tree, NO_RUN, 1, 0};
    if (tree != NULL && !tokens_possible(s, len, &pp.ctl)) {
        pp.tree = NULL;
        pp.ctl = 1;
    }
    int base = 0;
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
            for (const char *q = p + 4; q + 3 <= p + left;) {
                q = memchr(q, '-', (size_t)(p + left - q));
                if (q == NULL || q + 3 > p + left)
                    break;
                if (q[1] == '-' && q[2] == '>') {
                    end = q + 3;
                    break;
                }
                q++;
            }
            if (end != NULL) {
                r = (size_t)(end - s);
                continue; /* the text goes on */
            }
            base = 1; /* a comment to the end of the page */
        } else if (!base && left >= 2 && (p[1] == '!' || p[1] == '?') &&
                   !plain_markup(p, left)) {
            base = 1;
        }
        if (!base && left >= 3 && p[1] == '/' &&
            ((p[2] | 0x20) >= 'a' && (p[2] | 0x20) <= 'z')) {
            /* An end tag: the parser skips to its first '>'. */
            const char *gt = memchr(p + 2, '>', left - 2);
            if (gt != NULL &&
                memchr(p + 2, '<', (size_t)(gt - p) - 2) == NULL) {
                size_t n = (size_t)(gt - p) + 1;
                end_run(&pp, &w);
                memmove(s + w, p, n);
                w += n;
                r += n;
                pp.run = w;
                continue;
            }
            base = 1;
        }
        if (base)
            pp.tree = NULL;
        /* Elements whose contents go (but JSON-LD), and those whose
         * contents stay byte for byte (white space matters there). */
        static const char *const raw[] = {"script",   "style",    "svg",
                                          "noscript", "template", "pre",
                                          "textarea", NULL};
        enum { SCRIPT = 0, STYLE = 1, FIRST_KEPT = 5 };
        const char *word = NULL;
        size_t kind = 0;
        if (left > 1 && strchr("sSnNtTpP", p[1]) != NULL)
            for (; raw[kind] != NULL; kind++)
                if (ieq(p + 1, left - 1, raw[kind])) {
                    word = raw[kind];
                    break;
                }
        size_t wl = word != NULL ? strlen(word) : 0;
        /* a script or a style to the parser, whose contents it reads as
         * text up to its end tag */
        int raw_text = (kind == SCRIPT || kind == STYLE) && word != NULL &&
                       (left == wl + 1 || !name_char(p[wl + 1]));
        if (word != NULL && left > wl + 1 &&
            (p[wl + 1] == '>' || p[wl + 1] == ' ' || p[wl + 1] == '\t' ||
             p[wl + 1] == '\n' || p[wl + 1] == '\r' || p[wl + 1] == '/')) {
            size_t te = tag_end(p, left);
            if (te > 0 && p[te - 2] != '/') {
                size_t close = te + find_close(p + te, left - te, word);
                if (close < left && raw_text &&
                    (close + 2 + wl >= left || name_char(p[close + 2 + wl]))) {
                    /* "</scripts>" does not end a script: the parser
                     * reads on as script (the old way from here) */
                    base = 1;
                    pp.tree = NULL;
                }
                if (close < left) {
                    /* The start tag stays; JSON-LD stays whole, since
                     * markup quoted in it is not markup. */
                    int json = kind == SCRIPT && is_json_ld(p, te);
                    int whole = kind >= FIRST_KEPT || json;
                    size_t keep = whole ? close : te;
                    if (kind >= FIRST_KEPT &&
                        memchr(p + te, '<', close - te) != NULL) {
                        /* markup kept as it is (the parser reads it):
                         * an unended script in there would run on */
                        base = 1;
                        pp.tree = NULL;
                    }
                    end_run(&pp, &w);
                    /* the start tag without unread attributes when the
                     * parser ends it there too, then what is kept */
                    size_t tw = w;
                    int sure = !base && rewrite_tag(&pp, r, &tw, r + te) > 0;
                    if (!sure) {
                        memmove(s + w, p, te);
                        tw = w + te;
                        /* where the parser ends the tag is not sure */
                        base = 1;
                        pp.tree = NULL;
                    }
                    memmove(s + tw, p + te, keep - te);
                    size_t end = tw + (keep - te);
                    /* the contents, where the parser starts them too
                     * (it reads an end tag at their start as one) */
                    if (json && sure && keep > te && p[te] != '<')
                        stash_text(&pp, tw, &end,
                                   1u << '\t' | 1u << '\n' | 1u << '\r', 0);
                    w = end;
                    r += close;
                    continue;
                }
            }
        }
        if (raw_text) {
            base = 1; /* the parser may read the rest as its text */
            pp.tree = NULL;
        }
        unsigned char c1 = left > 1 ? (unsigned char)p[1] | 0x20 : 0;
        if (c1 >= 'a' && c1 <= 'z') {
            end_run(&pp, &w);
            size_t end = rewrite_tag(&pp, r, &w, 0);
            if (end > 0) {
                r = end;
                pp.run = w;
                if (pp.odd) {
                    base = 1; /* the parser may end it sooner */
                    pp.tree = NULL;
                }
                continue;
            }
            base = 1; /* a tag to the end of the page */
            pp.tree = NULL;
        }
        end_run(&pp, &w);
        s[w++] = s[r++]; /* the '<' itself: what follows is not a run */
    }
    end_run(&pp, &w);
    return w;
}

size_t
kh__strip_raw_text(char *s, size_t len)
{
    return prep_page(s, len, NULL);
}

size_t
kh__prep_page(char *s, size_t len, kh_htree *tree)
{
    return prep_page(s, len, tree);
}
