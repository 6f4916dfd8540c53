/*
 * pagedate.c -- the publication date of a parsed web page.
 *
 * Sources, from the most to the least reliable; the first that gives a
 * plausible date wins:
 *   1. JSON-LD: datePublished of an Article-like object (NewsArticle,
 *      ReportageNewsArticle, BlogPosting, ...), nearest the top level
 *      (also inside @graph), then datePublished of any other top object;
 *   2. meta tags naming a publication date (article:published_time,
 *      og:published_time, datePublished, pubdate, DC.date.issued,
 *      sailthru.date, parsely-pub-date, ...);
 *   3. elements marked as the publication date: itemprop="datePublished",
 *      <time pubdate>, <time> or <abbr> with a "published"-like class;
 *   4. a <time datetime> inside <article> or <main>;
 *   5. a date written in a byline-like element (class or id with "date",
 *      "time", "byline", "meta", "publish", ...);
 *   6. the URL (/2022/09/27/, /2020/8/24/, 2022-09-27, /20220927/,
 *      23-01-2022): a full date there is rarely wrong, while the text
 *      below can be a date the article talks about;
 *   7. the first date in the text just after the headline (<h1>), then
 *      in the few words just before it (a kicker);
 *   8. any of the above found inside site furniture;
 *   9. a modification date (article:modified_time, dateModified, ...).
 *
 * Site furniture is <nav>, <aside>, <footer>, a <header> outside the
 * article, and elements whose class or id says sidebar, widget, related,
 * ticker, menu, comments and the like -- unless they hold the headline or
 * the article, as broken markup or odd class names can make them.  That
 * is where the traps are: today's date in the header, the dates of other
 * articles in "related" lists, a copyright year.  Dates before 1995 or
 * more than two days ahead of the clock are not publication dates.
 *
 * Text dates carry no time of day and count from 00:00 UTC.
 */
#include "ingest/ingest.h"

#include <jansson.h>
#ifdef KH_PAGEDATE_DEBUG
#include <stdio.h>
#endif
#include <string.h>
#include <strings.h>
#include <time.h>

/* How far the walk goes: deeper trees and longer texts are not pages. */
#define MAX_DEPTH       256
#define MAX_JSON_DEPTH  32
#define MAX_JSON_BYTES  (1u << 20)
#define BYLINE_MAX      300  /* bytes of text in a byline-like element */
#define AFTER_H1_BYTES  1500 /* text after the headline searched for dates */
#define BEFORE_H1_BYTES 120  /* and before it ("31.01.2022 | Sport" kickers) */

enum rank {
    R_JSONLD_ARTICLE,
    R_META_PUB,
    R_JSONLD_OTHER,
    R_MARKED,
    R_TIME,
    R_BYLINE,
    R_URL,
    R_AFTER_H1,
    R_BEFORE_H1,
    R_FURNITURE,
    R_MODIFIED,
    R_COUNT
};

typedef struct walk {
    int64_t best[R_COUNT];
    int offset[R_COUNT]; /* UTC offset written with best[r], seconds */
    int have[R_COUNT];
    int json_depth_best; /* depth of the Article-like JSON-LD date kept */
    int64_t now;
    /* the headline and the text after it */
    int seen_h1;
    int h1_settled;  /* the text after a headline held a date */
    kh_buf after_h1; /* text after the headline, AFTER_H1_BYTES at most */
    kh_buf recent;   /* the latest text before it, for a kicker date */
    kh_buf before_h1;
    /* The head gave a published date: of the body, only JSON-LD (and a
     * stray meta tag) can still outrank it, so the rest is not read. */
    int scripts_only;
    const kh_htree *tree;
    kh_status rc;
} walk;

static int
plausible(const walk *w, int64_t t)
{
    return t >= 788918400 /* 1995-01-01 */ && t <= w->now + 2 * 86400;
}

static void
offer_off(walk *w, enum rank r, int64_t t, int off)
{
#ifdef KH_PAGEDATE_DEBUG
    fprintf(stderr, "  offer rank %d t %lld%s\n", (int)r, (long long)t,
            plausible(w, t) ? "" : " (implausible)");
#endif
    if (!w->have[r] && plausible(w, t)) {
        w->have[r] = 1;
        w->best[r] = t;
        w->offset[r] = off;
    }
}

static void
offer(walk *w, enum rank r, int64_t t)
{
    offer_off(w, r, t, 0);
}

/* The UTC offset at the end of an ISO 8601 date-time ("+03:00", "+0300",
 * "-05:00"), in seconds; 0 for "Z" or none. */
static int
iso_offset(const char *s, size_t len)
{
    if (len < 17) /* shorter than yyyy-mm-ddThh:mm+h */
        return 0;
    for (size_t i = len; i-- > 16;) {
        if (s[i] != '+' && s[i] != '-')
            continue;
        const char *p = s + i + 1;
        size_t n = len - i - 1;
        int h, m = 0;
        if (n < 2 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
            return 0;
        h = (p[0] - '0') * 10 + (p[1] - '0');
        if (n >= 4 && p[n - 2] >= '0' && p[n - 2] <= '5' && p[n - 1] >= '0' &&
            p[n - 1] <= '9')
            m = (p[n - 2] - '0') * 10 + (p[n - 1] - '0');
        int off = h * 3600 + m * 60;
        return s[i] == '-' ? -off : off;
    }
    return 0;
}

/* A date in an attribute or JSON string: ISO 8601 (whole, or its leading
 * yyyy-mm-dd when the rest is unusual), else any date text_date reads
 * ("Mon, 24 Aug 2020 10:00:00 GMT", "24.08.2020"). */
static int
parse_date_value(const char *s, size_t len, int64_t *out, int *offset)
{
    *offset = 0;
    while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                       s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    if (len == 0)
        return 0;
    if (kh_date_parse(s, len, out) == KH_OK) {
        *offset = iso_offset(s, len);
        return 1;
    }
    if (len > 10 && kh_date_parse(s, 10, out) == KH_OK)
        return 1;
    if (len >= 8 && len <= 14) { /* 20220927, 20220927103000 */
        size_t k = 0;
        while (k < len && s[k] >= '0' && s[k] <= '9')
            k++;
        if (k == len && (len == 8 || len == 12 || len == 14)) {
            char iso[11] = {s[0], s[1], s[2], s[3], '-', s[4],
                            s[5], '-',  s[6], s[7], '\0'};
            if (kh_date_parse(iso, 10, out) == KH_OK)
                return 1;
        }
    }
    return kh__text_date(s, len, out);
}

/* The value of attribute name on node, without copying; NULL if absent. */
static const char *
attr(const kh_hnode *node, const char *name)
{
    return kh__hattr(node, name);
}

/* Element names are lower case (htree.h). */
static int
name_is(const kh_hnode *node, const char *name)
{
    /* the first letter settles most tests without a call */
    return node->name != NULL && node->name[0] == name[0] &&
           strcmp(node->name, name) == 0;
}

/* ASCII case-insensitive substring search. */
/* Whether a class or id value holds one of the words (case-insensitive
 * substring match: "td-post-date" holds "date").  This runs for every
 * element of a page against several word lists, so the value is lowered
 * once (the words are lower case) and each position is tried only
 * against the words starting with its letter. */
static int
holds_any(const char *v, const char *const *words)
{
    if (v == NULL || v[0] == '\0')
        return 0;
    char low[256];
    size_t n = 0;
    uint32_t firsts = 0; /* letters a-z present in the value */
    for (; v[n] != '\0' && n + 1 < sizeof low; n++) {
        unsigned char ch = (unsigned char)v[n];
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a');
        if (ch >= 'a' && ch <= 'z')
            firsts |= 1u << (ch - 'a');
        low[n] = (char)ch;
    }
    low[n] = '\0';
    for (size_t k = 0; words[k] != NULL; k++) {
        unsigned char w0 = (unsigned char)words[k][0];
        if (w0 >= 'a' && w0 <= 'z' && !(firsts & 1u << (w0 - 'a')))
            continue; /* its first letter is nowhere in the value */
        if (strstr(low, words[k]) != NULL)
            return 1;
    }
    return 0;
}

static const char *const furniture_words[] = {
    "sidebar",   "widget",     "related",     "ticker",     "breaking",
    "menu",      "navbar",     "comment",     "footer",     "topbar",
    "top-bar",   "masthead",   "site-header", "header-top", "recent",
    "popular",   "trending",   "most-read",   "mostread",   "more-news",
    "read-more", "readmore",   "also",        "today",      "current-date",
    "subscribe", "newsletter", "share",       "social",     "carousel",
    "slider",    "advert",     "cookie",      "copyright",  NULL};

static const char *const content_words[] = {
    "entry-content", "post-content", "article-body",    "articlebody",
    "story-body",    "post-body",    "article-content", "content-inner",
    "the-content",   "story-text",   "news-text",       NULL};

static const char *const byline_words[] = {
    "date",   "time",  "byline",   "publish", "posted", "meta", "info",
    "author", "تاريخ", "dateline", "stamp",   "when",   NULL};

static const char *const marked_words[] = {
    "published",    "pubdate", "datepublished", "post-date", "entry-date",
    "publish-date", NULL};

static int
is_furniture(const kh_hnode *node)
{
    /* Pages put odd classes on the outer elements ("<body
     * class=menu-options>"): those are never furniture. */
    if (name_is(node, "html") || name_is(node, "body") ||
        name_is(node, "main") || name_is(node, "article"))
        return 0;
    if (name_is(node, "nav") || name_is(node, "aside") ||
        name_is(node, "footer") || name_is(node, "select"))
        return 1;
    /* The text's own container can carry furniture-like words
     * ("entry-content no-share"). */
    if (holds_any(attr(node, "class"), content_words) ||
        holds_any(attr(node, "id"), content_words))
        return 0;
    return holds_any(attr(node, "class"), furniture_words) ||
           holds_any(attr(node, "id"), furniture_words);
}

/* Appends text to b with runs of white space made one space, up to cap
 * bytes in b. */
static int
squashed(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
append_squashed(kh_buf *b, const char *text, size_t cap, kh_status *rc)
{
    const char *p = text;
    while (*p != '\0' && b->len < cap) {
        if (squashed(*p)) {
            if (b->len > 0 && b->data[b->len - 1] != ' ')
                kh__buf_putc(b, ' ', rc);
            p++;
        } else {
            /* the run up to the next blank, as far as cap allows */
            const char *q = p + 1;
            size_t room = cap - b->len;
            while (*q != '\0' && !squashed(*q) && (size_t)(q - p) < room)
                q++;
            kh__buf_append(b, p, (size_t)(q - p), rc);
            p = q;
        }
        if (*rc != KH_OK)
            return;
    }
    if (b->len > 0 && b->len < cap && b->data[b->len - 1] != ' ')
        kh__buf_putc(b, ' ', rc);
}

/* Appends the text under node to b, at most cap bytes in all, with runs
 * of ASCII white space made one space. */
static void
text_of(const kh_hnode *node, kh_buf *b, size_t cap, int depth, kh_status *rc)
{
    for (const kh_hnode *c = node->children; c != NULL && b->len < cap;
         c = c->next) {
        if (c->type == KH_HN_TEXT) {
            append_squashed(b, c->text, cap, rc);
            if (*rc != KH_OK)
                return;
        } else if (c->type == KH_HN_ELEMENT && depth < MAX_DEPTH &&
                   !name_is(c, "script") && !name_is(c, "style")) {
            text_of(c, b, cap, depth + 1, rc);
        }
    }
}

/* ---- JSON-LD --------------------------------------------------------- */

static int
json_type_is_article(json_t *type)
{
    static const char *const article_types[] = {"Article",
                                                "NewsArticle",
                                                "ReportageNewsArticle",
                                                "AnalysisNewsArticle",
                                                "OpinionNewsArticle",
                                                "BackgroundNewsArticle",
                                                "ReviewNewsArticle",
                                                "BlogPosting",
                                                "LiveBlogPosting",
                                                "SocialMediaPosting",
                                                "Report",
                                                "TechArticle",
                                                "ScholarlyArticle",
                                                "AdvertiserContentArticle",
                                                "SatiricalArticle",
                                                NULL};
    if (json_is_array(type)) {
        size_t k;
        json_t *t;
        json_array_foreach(type, k, t) if (json_type_is_article(t)) return 1;
        return 0;
    }
    const char *s = json_string_value(type);
    if (s == NULL)
        return 0;
    const char *slash = strrchr(s, '/'); /* "http://schema.org/NewsArticle" */
    if (slash != NULL)
        s = slash + 1;
    for (size_t k = 0; article_types[k] != NULL; k++)
        if (strcmp(s, article_types[k]) == 0)
            return 1;
    return 0;
}

/* depth counts objects only: @graph arrays do not make an article deeper
 * than a top-level one. */
static void
json_walk(walk *w, json_t *j, int depth, int steps)
{
    if (steps > MAX_JSON_DEPTH)
        return;
    if (json_is_array(j)) {
        size_t k;
        json_t *v;
        json_array_foreach(j, k, v) json_walk(w, v, depth, steps + 1);
        return;
    }
    if (!json_is_object(j))
        return;
    json_t *pub = json_object_get(j, "datePublished");
    if (pub == NULL)
        pub = json_object_get(j, "dateCreated");
    const char *s = json_string_value(pub);
    int64_t t;
    int off;
    if (s != NULL && parse_date_value(s, strlen(s), &t, &off) &&
        plausible(w, t)) {
        if (json_type_is_article(json_object_get(j, "@type"))) {
            if (!w->have[R_JSONLD_ARTICLE] || depth < w->json_depth_best) {
                w->have[R_JSONLD_ARTICLE] = 1;
                w->best[R_JSONLD_ARTICLE] = t;
                w->offset[R_JSONLD_ARTICLE] = off;
                w->json_depth_best = depth;
            }
        } else if (depth == 0) {
            offer_off(w, R_JSONLD_OTHER, t, off);
        }
    }
    const char *m = json_string_value(json_object_get(j, "dateModified"));
    if (m != NULL && depth == 0 && parse_date_value(m, strlen(m), &t, &off))
        offer_off(w, R_MODIFIED, t, off);
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
    {
        if (strcmp(key, "@graph") == 0)
            json_walk(w, v, depth, steps + 1);
        else if (json_is_object(v) || json_is_array(v))
            json_walk(w, v, depth + 1, steps + 1);
    }
}

/* Whether runs of white space made one space (append_squashed) leave the
 * JSON text s[0..n) meaning the same: none inside a string (outside,
 * white space is nothing).  Then the tree's parse of the text itself
 * serves. */
static int
squash_neutral(const char *s, size_t n)
{
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\0')
            return 0; /* where the squashed copy stops */
        if (!in_str) {
            in_str = c == '"';
        } else if (c == '\\') {
            i++;
        } else if (c == '"') {
            in_str = 0;
        } else if (c == '\t' || c == '\n' || c == '\r' ||
                   (c == ' ' && i + 1 < n && squashed(s[i + 1]))) {
            return 0;
        }
    }
    return 1;
}

static void
json_ld(walk *w, const kh_hnode *script)
{
    const kh_hnode *c = script->children;
    if (w->tree != NULL && c != NULL && c == script->last &&
        c->type == KH_HN_TEXT && c->len + 2 < MAX_JSON_BYTES &&
        squash_neutral(c->text, c->len)) {
        int mine;
        json_t *j = kh__htree_json(w->tree, c, &mine);
        if (j != NULL) {
            json_walk(w, j, 0, 0);
            if (mine)
                json_decref(j);
        }
        return;
    }
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    text_of(script, &b, MAX_JSON_BYTES, 0, &rc);
    if (rc == KH_OK && b.len > 0) {
        json_error_t jerr;
        json_t *j = json_loadb(b.data, b.len, JSON_DECODE_ANY, &jerr);
        if (j != NULL) {
            json_walk(w, j, 0, 0);
            json_decref(j);
        }
    }
    kh__buf_release(&b);
}

/* ---- meta tags ------------------------------------------------------- */

static const char *const meta_published[] = {"article:published_time",
                                             "og:published_time",
                                             "og:article:published_time",
                                             "article:published",
                                             "article.published",
                                             "article_date_original",
                                             "datepublished",
                                             "date",
                                             "dc.date",
                                             "dc.date.issued",
                                             "dc.date.created",
                                             "dcterms.date",
                                             "dcterms.issued",
                                             "dcterms.created",
                                             "pubdate",
                                             "publishdate",
                                             "publish-date",
                                             "publish_date",
                                             "published_time",
                                             "published-date",
                                             "published_date",
                                             "publication_date",
                                             "pub_date",
                                             "originalpublicationdate",
                                             "original-publish-date",
                                             "sailthru.date",
                                             "parsely-pub-date",
                                             "cxenseparse:recs:publishtime",
                                             "bt:pubdate",
                                             "citation_publication_date",
                                             "citation_date",
                                             "date_published",
                                             "displaydate",
                                             "content_create_date",
                                             "rnews:datepublished",
                                             "article:post_date",
                                             "created",
                                             "dc.created",
                                             NULL};

static const char *const meta_modified[] = {"article:modified_time",
                                            "og:updated_time",
                                            "datemodified",
                                            "last-modified",
                                            "lastmod",
                                            "dc.date.modified",
                                            "dcterms.modified",
                                            "revised",
                                            "article:modified",
                                            "modified_time",
                                            NULL};

static int
in_list(const char *v, const char *const *list)
{
    if (v == NULL)
        return 0;
    /* the names are lower case: the first letter settles most */
    char c = v[0] >= 'A' && v[0] <= 'Z' ? (char)(v[0] | 0x20) : v[0];
    for (size_t k = 0; list[k] != NULL; k++)
        if (list[k][0] == c && strcasecmp(v, list[k]) == 0)
            return 1;
    return 0;
}

static void
meta(walk *w, const kh_hnode *node)
{
    const char *content = attr(node, "content");
    if (content == NULL)
        return;
    const char *keys[] = {attr(node, "property"), attr(node, "name"),
                          attr(node, "itemprop"), attr(node, "http-equiv")};
    int64_t t;
    int off;
    for (size_t k = 0; k < 4; k++) {
        if (keys[k] == NULL)
            continue;
        if (in_list(keys[k], meta_published) &&
            parse_date_value(content, strlen(content), &t, &off))
            offer_off(w, R_META_PUB, t, off);
        else if (in_list(keys[k], meta_modified) &&
                 parse_date_value(content, strlen(content), &t, &off))
            offer_off(w, R_MODIFIED, t, off);
    }
}

/* ---- the body -------------------------------------------------------- */

/* A date on an element: its datetime / content / title attribute, else
 * its text. */
static int
element_date(const kh_hnode *node, int64_t *out, int *offset, kh_status *rc)
{
    *offset = 0;
    const char *v = attr(node, "datetime");
    if (v == NULL)
        v = attr(node, "content");
    if (v == NULL && name_is(node, "abbr"))
        v = attr(node, "title");
    if (v != NULL && parse_date_value(v, strlen(v), out, offset))
        return 1;
    kh_buf b;
    kh__buf_init(&b);
    text_of(node, &b, BYLINE_MAX, 0, rc);
    int ok = b.len > 0 && kh__text_date(b.data, b.len, out);
    kh__buf_release(&b);
    return ok;
}

/* Whether the subtree under node holds the headline or the article:
 * broken markup can leave the whole page inside an unclosed site header,
 * and some sites put odd classes on big wrappers.  Looks at a bounded
 * number of nodes. */
static int
holds_article(const kh_hnode *node)
{
    size_t seen = 0;
    const kh_hnode *c = node->children;
    while (c != NULL && ++seen <= 50000) {
        if (c->type == KH_HN_ELEMENT &&
            (name_is(c, "h1") || name_is(c, "article") || name_is(c, "main")))
            return 1;
        if (c->type == KH_HN_ELEMENT && c->children != NULL) {
            c = c->children;
            continue;
        }
        while (c != NULL && c != node && c->next == NULL)
            c = c->parent;
        if (c == NULL || c == node)
            break;
        c = c->next;
    }
    return 0;
}

/* Text outside furniture: the window after the headline, and the last
 * bytes before it. */
static void
keep_text(walk *w, const char *text)
{
    if (w->seen_h1) {
        append_squashed(&w->after_h1, text, AFTER_H1_BYTES, &w->rc);
        return;
    }
    size_t n = strlen(text);
    if (n > 4 * BEFORE_H1_BYTES)
        text += n - 4 * BEFORE_H1_BYTES;
    append_squashed(&w->recent, text, 8 * BEFORE_H1_BYTES, &w->rc);
    if (w->rc == KH_OK && w->recent.len > 4 * BEFORE_H1_BYTES) {
        size_t cut = w->recent.len - BEFORE_H1_BYTES;
        memmove(w->recent.data, w->recent.data + cut, BEFORE_H1_BYTES + 1);
        w->recent.len = BEFORE_H1_BYTES;
    }
}

/* At a headline.  Pages can have several <h1> (the logo, a teaser): the
 * windows move to each new one until the text after one holds a date. */
static void
headline(walk *w)
{
    int64_t t;
    if (w->seen_h1 && w->after_h1.len > 0 &&
        kh__text_date(w->after_h1.data, w->after_h1.len, &t)) {
        w->h1_settled = 1;
        return;
    }
    w->seen_h1 = 1;
    kh__buf_reset(&w->after_h1);
    kh__buf_reset(&w->before_h1);
    /* the last BEFORE_H1_BYTES, from a character boundary */
    size_t from =
        w->recent.len > BEFORE_H1_BYTES ? w->recent.len - BEFORE_H1_BYTES : 0;
    while (from < w->recent.len &&
           ((unsigned char)w->recent.data[from] & 0xC0) == 0x80)
        from++;
    if (w->recent.len > from)
        kh__buf_append(&w->before_h1, w->recent.data + from,
                       w->recent.len - from, &w->rc);
    kh__buf_reset(&w->recent);
}

typedef struct where {
    int depth;
    int in_article;   /* inside <article> or <main> */
    int in_furniture; /* inside site furniture: its dates rank last */
} where;

/* The rank of a find at place p: furniture demotes every find. */
static enum rank
placed(const where *p, enum rank r)
{
    return p->in_furniture && r != R_MODIFIED ? R_FURNITURE : r;
}

/* Walks the nodes first, first->next, ... and their subtrees. */
static void
walk_body(walk *w, const kh_hnode *first, const where *up)
{
    for (const kh_hnode *c = first; c != NULL && w->rc == KH_OK; c = c->next) {
        if (c->type == KH_HN_TEXT) {
            if (!up->in_furniture && !w->scripts_only)
                keep_text(w, c->text);
            continue;
        }
        if (c->type != KH_HN_ELEMENT || up->depth >= MAX_DEPTH)
            continue;
        if (name_is(c, "body") &&
            (w->have[R_JSONLD_ARTICLE] || w->have[R_META_PUB]))
            w->scripts_only = 1;
        if (name_is(c, "script")) {
            const char *type = attr(c, "type");
            if (type != NULL && strcasecmp(type, "application/ld+json") == 0)
                json_ld(w, c);
            continue;
        }
        if (name_is(c, "meta")) {
            meta(w, c);
            continue;
        }
        if (name_is(c, "style") || name_is(c, "noscript") ||
            name_is(c, "template"))
            continue;
        if (w->scripts_only) {
            where deeper = *up;
            deeper.depth++;
            walk_body(w, c->children, &deeper);
            continue;
        }
        where here = *up;
        here.depth++;
        here.in_article =
            up->in_article || name_is(c, "article") || name_is(c, "main");
        if (!up->in_furniture &&
            ((name_is(c, "header") && !up->in_article) || is_furniture(c)) &&
            !holds_article(c)) {
#ifdef KH_PAGEDATE_DEBUG
            fprintf(stderr, "  furniture %s class=%s id=%s depth %d\n",
                    (const char *)c->name, attr(c, "class"), attr(c, "id"),
                    up->depth);
#endif
            here.in_furniture = 1;
        }
        int64_t t;
        int off;
        const char *ip = attr(c, "itemprop");
        if (ip != NULL && strcasecmp(ip, "datePublished") == 0) {
            if (element_date(c, &t, &off, &w->rc))
                offer_off(w, placed(&here, R_MARKED), t, off);
        } else if (ip != NULL && strcasecmp(ip, "dateModified") == 0) {
            if (element_date(c, &t, &off, &w->rc))
                offer_off(w, R_MODIFIED, t, off);
            continue;
        }
        if (name_is(c, "time") || name_is(c, "abbr")) {
            const char *cls = attr(c, "class");
            int marked =
                attr(c, "pubdate") != NULL || holds_any(cls, marked_words);
            if (holds_any(cls,
                          (const char *const[]){"updated", "modified", NULL}) &&
                !holds_any(cls, marked_words)) {
                if (element_date(c, &t, &off, &w->rc))
                    offer_off(w, R_MODIFIED, t, off);
                continue;
            }
            if ((marked || name_is(c, "time")) &&
                element_date(c, &t, &off, &w->rc))
                offer_off(w,
                          placed(&here, marked            ? R_MARKED
                                        : here.in_article ? R_TIME
                                                          : R_BYLINE),
                          t, off);
            continue;
        }
        if (!w->h1_settled && !here.in_furniture && name_is(c, "h1")) {
            headline(w);
            continue; /* a date in the headline is not its own date */
        }
        if (holds_any(attr(c, "class"), byline_words) ||
            holds_any(attr(c, "id"), byline_words)) {
            kh_buf b;
            kh__buf_init(&b);
            text_of(c, &b, BYLINE_MAX + 1, 0, &w->rc);
            if (b.len <= BYLINE_MAX && b.len > 0 &&
                kh__text_date(b.data, b.len, &t))
                offer(w, placed(&here, R_BYLINE), t);
            kh__buf_release(&b);
        }
        walk_body(w, c->children, &here);
    }
}

/* ---- the URL --------------------------------------------------------- */

static int
url_num(const char *s, size_t n, unsigned *v)
{
    *v = 0;
    for (size_t k = 0; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return 0;
        *v = *v * 10 + (unsigned)(s[k] - '0');
    }
    return 1;
}

static int
url_ymd(unsigned y, unsigned m, unsigned d, int64_t *out)
{
    char iso[16];
    if (y < 1995 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    iso[0] = (char)('0' + y / 1000);
    iso[1] = (char)('0' + y / 100 % 10);
    iso[2] = (char)('0' + y / 10 % 10);
    iso[3] = (char)('0' + y % 10);
    iso[4] = '-';
    iso[5] = (char)('0' + m / 10);
    iso[6] = (char)('0' + m % 10);
    iso[7] = '-';
    iso[8] = (char)('0' + d / 10);
    iso[9] = (char)('0' + d % 10);
    return kh_date_parse(iso, 10, out) == KH_OK;
}

/* yyyy/mm/dd, yyyy/m/d, yyyy-mm-dd, yyyy_mm_dd as path parts, a yyyymmdd
 * run of exactly eight digits, or dd-mm-yyyy. */
static int
url_date(const char *url, int64_t *out)
{
    size_t len = strlen(url);
    for (size_t i = 0; i + 10 <= len; i++) {
        unsigned dd, mm, yy;
        if ((i == 0 || url[i - 1] < '0' || url[i - 1] > '9') &&
            url_num(url + i, 2, &dd) && url[i + 2] == '-' &&
            url_num(url + i + 3, 2, &mm) && url[i + 5] == '-' &&
            url_num(url + i + 6, 4, &yy) &&
            (i + 10 == len || url[i + 10] < '0' || url[i + 10] > '9') &&
            url_ymd(yy, mm, dd, out))
            return 1;
    }
    for (size_t i = 0; i + 8 <= len; i++) {
        if (i > 0 && url[i - 1] >= '0' && url[i - 1] <= '9')
            continue;
        unsigned y, m, d;
        if (!url_num(url + i, 4, &y) || y < 1995 || y > 2100)
            continue;
        char sep = url[i + 4];
        if (sep == '/' || sep == '-' || sep == '_') {
            size_t j = i + 5, k = j;
            while (k < len && k - j < 3 && url[k] >= '0' && url[k] <= '9')
                k++;
            if (k == j || k - j > 2 || k >= len || url[k] != sep)
                continue;
            url_num(url + j, k - j, &m);
            j = k + 1;
            k = j;
            while (k < len && k - j < 3 && url[k] >= '0' && url[k] <= '9')
                k++;
            if (k == j || k - j > 2)
                continue;
            url_num(url + j, k - j, &d);
            if (url_ymd(y, m, d, out))
                return 1;
        } else if (url_num(url + i + 4, 4, &m) &&
                   (i + 8 == len || url[i + 8] < '0' || url[i + 8] > '9')) {
            if (url_ymd(y, m / 100, m % 100, out))
                return 1;
        }
    }
    return 0;
}

int
kh__page_date_offset(const kh_htree *tree, const char *url, int64_t *out,
                     int *offset)
{
    walk w;
    memset(&w, 0, sizeof w);
    w.now = (int64_t)time(NULL);
    w.rc = KH_OK;
    w.tree = tree;
    kh__buf_init(&w.after_h1);
    kh__buf_init(&w.recent);
    kh__buf_init(&w.before_h1);
    if (tree != NULL) {
        where top = {0, 0, 0};
        walk_body(&w, kh__htree_doc(tree)->children, &top);
    }
    int64_t t;
    if (w.after_h1.len > 0 && w.rc == KH_OK &&
        kh__text_date(w.after_h1.data, w.after_h1.len, &t))
        offer(&w, R_AFTER_H1, t);
#ifdef KH_PAGEDATE_DEBUG
    fprintf(stderr, "  after_h1 [%.300s]\n  before_h1 [%.200s]\n",
            w.after_h1.data ? w.after_h1.data : "",
            w.before_h1.data ? w.before_h1.data : "");
#endif
    if (w.before_h1.len > 0 && w.rc == KH_OK &&
        kh__text_date(w.before_h1.data, w.before_h1.len, &t))
        offer(&w, R_BEFORE_H1, t);
    kh__buf_release(&w.after_h1);
    kh__buf_release(&w.recent);
    kh__buf_release(&w.before_h1);
    if (url != NULL && url_date(url, &t))
        offer(&w, R_URL, t);
    for (int r = 0; r < R_COUNT; r++) {
        if (w.have[r]) {
            *out = w.best[r];
            if (offset != NULL)
                *offset = w.offset[r];
            return 1;
        }
    }
    return 0;
}

int
kh__page_date(const kh_htree *tree, const char *url, int64_t *out)
{
    return kh__page_date_offset(tree, url, out, NULL);
}
