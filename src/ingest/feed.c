/*
 * feed.c -- RSS 0.9x/2.0, RDF (RSS 1.0) and Atom (1.0, and 0.3) items.
 *
 * The bytes are first made UTF-8 by kh_to_utf8() (which reads the XML
 * declaration, and copes with a feed whose declaration lies), control
 * characters that XML forbids are blanked, HTML entities and bare
 * ampersands are mended (see below), and libxml2 parses the result
 * with recovery on, no network, no entity substitution: an entity bomb
 * stays a few unexpanded references.  When this file gathers the text of
 * an element it expands a reference only to a flat internal entity (or
 * to an HTML entity name such as &nbsp; that the feed forgot to
 * declare), within a budget proportional to the input, so the output
 * stays linear in the input too.
 *
 * Elements are matched by namespace and local name; a prefix whose
 * namespace the feed forgot to declare ("content:encoded" without
 * xmlns:content) is matched by its usual prefix.  Relative links are
 * resolved against xml:base, then base_url, then the feed's own link.
 */
#include "ingest/ingest.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FIELD_MAX (16u << 20) /* bytes kept of one field of one item */
#define MAX_DEPTH 256         /* element nesting walked when gathering */

#define NS_ATOM    "http://www.w3.org/2005/Atom"
#define NS_ATOM03  "http://purl.org/atom/ns#"
#define NS_RSS10   "http://purl.org/rss/1.0/"
#define NS_RSS090  "http://my.netscape.com/rdf/simple/0.9/"
#define NS_RSS2    "http://backend.userland.com/rss2"
#define NS_DC      "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_RDF     "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_XHTML   "http://www.w3.org/1999/xhtml"

/* What vocabulary an element belongs to. */
typedef enum vocab {
    V_RSS, /* no namespace, or one of RSS's own */
    V_ATOM,
    V_DC,
    V_CONTENT, /* content:encoded */
    V_RDF,
    V_OTHER
} vocab;

typedef struct feed_parser {
    xmlDocPtr doc;
    const char *base_url; /* may be NULL */
    kh_buf fallback_base; /* the feed's own link, for relative links */
    kh_buf source;        /* the feed's title */
    kh_buf feed_author;   /* Atom feed-level author */
    kh_buf title, link, guid, author, summary, content;
    kh_buf date;          /* the text of a date element */
    kh_buf scratch;       /* for whoever needs a temporary */
    kh_buf uri;           /* a link being escaped */
    size_t entity_budget; /* bytes entity references may still add */
    kh_status rc;
} feed_parser;

/**************************************************************************
** Elements
*/

static vocab
vocab_of_uri(const xmlChar *uri)
{
    const char *u = (const char *)uri;
    if (strcmp(u, NS_ATOM) == 0 || strcmp(u, NS_ATOM03) == 0)
        return V_ATOM;
    if (strcmp(u, NS_RSS10) == 0 || strcmp(u, NS_RSS090) == 0 ||
        strcmp(u, NS_RSS2) == 0)
        return V_RSS;
    if (strcmp(u, NS_DC) == 0 || strcmp(u, NS_DCTERMS) == 0)
        return V_DC;
    if (strcmp(u, NS_CONTENT) == 0)
        return V_CONTENT;
    if (strcmp(u, NS_RDF) == 0)
        return V_RDF;
    return V_OTHER;
}

/* The vocabulary and local name of an element node. */
static vocab
element_vocab(xmlNodePtr n, const char **local)
{
    const char *name = (const char *)n->name;
    if (n->ns != NULL && n->ns->href != NULL) {
        *local = name;
        return vocab_of_uri(n->ns->href);
    }
    const char *colon = strchr(name, ':');
    if (colon == NULL) {
        *local = name;
        return V_RSS;
    }
    /* An undeclared prefix: libxml2 keeps "prefix:name" as the name. */
    *local = colon + 1;
    size_t pl = (size_t)(colon - name);
    if (pl == 4 && memcmp(name, "atom", 4) == 0)
        return V_ATOM;
    if (pl == 2 && memcmp(name, "dc", 2) == 0)
        return V_DC;
    if (pl == 7 && memcmp(name, "content", 7) == 0)
        return V_CONTENT;
    if (pl == 3 && memcmp(name, "rdf", 3) == 0)
        return V_RDF;
    return V_OTHER;
}

static int
is_el(xmlNodePtr n, vocab v, const char *local)
{
    const char *l;
    return n->type == XML_ELEMENT_NODE && element_vocab(n, &l) == v &&
           strcmp(l, local) == 0;
}

/* The first child element v:local of parent, or NULL. */
static xmlNodePtr
child(xmlNodePtr parent, vocab v, const char *local)
{
    for (xmlNodePtr c = parent->children; c != NULL; c = c->next)
        if (is_el(c, v, local))
            return c;
    return NULL;
}

/* An attribute by local name, in no namespace; NULL if absent.  The
 * caller frees the result with xmlFree(). */
static xmlChar *
attr(xmlNodePtr n, const char *name)
{
    return xmlGetNoNsProp(n, (const xmlChar *)name);
}

/**************************************************************************
** Text
*/

/* Appends s[0..n), keeping the field under FIELD_MAX. */
static void
put(feed_parser *p, kh_buf *b, const char *s, size_t n)
{
    if (b->len >= FIELD_MAX)
        return;
    if (n > FIELD_MAX - b->len) {
        n = FIELD_MAX - b->len;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* cut between characters, not inside one */
    }
    kh__buf_append(b, s, n, &p->rc);
}

/* The text of an entity reference, as far as it is safe to give. */
static void
put_entity(feed_parser *p, kh_buf *b, xmlNodePtr ref)
{
    xmlEntityPtr ent = xmlGetDocEntity(p->doc, ref->name);
    if (ent != NULL) {
        const char *c = (const char *)ent->content;
        if (ent->etype != XML_INTERNAL_GENERAL_ENTITY || c == NULL ||
            strchr(c, '&') != NULL || strchr(c, '<') != NULL)
            return; /* nested or external entities are not expanded */
        size_t n = strlen(c);
        if (n > p->entity_budget)
            return;
        p->entity_budget -= n;
        put(p, b, c, n);
        return;
    }
    const htmlEntityDesc *h = htmlEntityLookup(ref->name);
    if (h != NULL)
        kh__buf_put_utf8(b, h->value, &p->rc);
}

/* Appends the text of n's descendants (text, CDATA, entities). */
static void
gather_text(feed_parser *p, kh_buf *b, xmlNodePtr n, int depth)
{
    for (xmlNodePtr c = n->children; c != NULL && p->rc == KH_OK; c = c->next) {
        switch (c->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            if (c->content != NULL)
                put(p, b, (const char *)c->content,
                    strlen((const char *)c->content));
            break;
        case XML_ENTITY_REF_NODE:
            put_entity(p, b, c);
            break;
        case XML_ELEMENT_NODE:
            if (depth < MAX_DEPTH)
                gather_text(p, b, c, depth + 1);
            break;
        default:
            break;
        }
    }
}

/* Appends the markup of n's children, serialized by libxml2 (used for
 * XHTML content and for HTML that a feed put in unescaped). */
static void
gather_markup(feed_parser *p, kh_buf *b, xmlNodePtr n)
{
    xmlBufferPtr xb = xmlBufferCreate();
    if (xb == NULL) {
        p->rc = KH_ENOMEM;
        return;
    }
    for (xmlNodePtr c = n->children; c != NULL; c = c->next)
        xmlNodeDump(xb, p->doc, c, 0, 0);
    put(p, b, (const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
    xmlBufferFree(xb);
}

static int
has_element_child(xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return 1;
    return 0;
}

/* Appends s[0..n) escaped for HTML. */
static void
put_escaped(feed_parser *p, kh_buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = s[i] == '&'   ? "&amp;"
                        : s[i] == '<' ? "&lt;"
                        : s[i] == '>' ? "&gt;"
                                      : NULL;
        if (e == NULL)
            continue;
        put(p, b, s + start, i - start);
        put(p, b, e, strlen(e));
        start = i + 1;
    }
    put(p, b, s + start, n - start);
}

/* Trims b and turns every run of blanks into one space. */
static void
squeeze(kh_buf *b)
{
    size_t o = 0;
    int space = 0;
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            space = o > 0;
            continue;
        }
        if (space)
            b->data[o++] = ' ';
        space = 0;
        b->data[o++] = (char)c;
    }
    b->len = o;
    if (b->data != NULL)
        b->data[o] = '\0';
}

/* Turns the HTML in b into text: tags dropped, character references
 * decoded, blanks squeezed.  For titles that a feed marked up. */
static void
html_to_text(feed_parser *p, kh_buf *b)
{
    kh_buf *t = &p->scratch;
    kh__buf_reset(t);
    for (size_t i = 0; i < b->len && p->rc == KH_OK;) {
        char c = b->data[i];
        if (c == '<') {
            const char *gt = memchr(b->data + i, '>', b->len - i);
            i = gt != NULL ? (size_t)(gt - b->data) + 1 : b->len;
            continue; /* inline tags (<b>) may sit inside a word */
        }
        if (c == '&') {
            const char *semi = memchr(b->data + i, ';', b->len - i);
            size_t n = semi != NULL ? (size_t)(semi - b->data) - i - 1 : 0;
            if (semi != NULL && n > 0 && n < 32) {
                char name[32];
                memcpy(name, b->data + i + 1, n);
                name[n] = '\0';
                unsigned long cp = 0;
                if (name[0] == '#') {
                    char *end;
                    cp = name[1] == 'x' || name[1] == 'X'
                             ? strtoul(name + 2, &end, 16)
                             : strtoul(name + 1, &end, 10);
                    if (*end != '\0' || cp == 0 || cp > 0x10FFFF ||
                        (cp >= 0xD800 && cp < 0xE000))
                        cp = 0;
                } else {
                    const htmlEntityDesc *h =
                        htmlEntityLookup((const xmlChar *)name);
                    cp = h != NULL ? h->value : 0;
                }
                if (cp != 0) {
                    kh__buf_put_utf8(t, (uint32_t)cp, &p->rc);
                    i += n + 2;
                    continue;
                }
            }
        }
        kh__buf_putc(t, c, &p->rc);
        i++;
    }
    if (p->rc != KH_OK)
        return;
    kh__buf_reset(b);
    kh__buf_append(b, t->data, t->len, &p->rc);
    squeeze(b);
}

/* A plain-text field (title, author, id, date): the element's text,
 * blanks squeezed; for Atom text constructs of type html, markup
 * removed. */
static void
text_field(feed_parser *p, kh_buf *b, xmlNodePtr n)
{
    kh__buf_reset(b);
    if (n == NULL)
        return;
    gather_text(p, b, n, 0);
    xmlChar *type = attr(n, "type");
    if (type != NULL &&
        (xmlStrcasecmp(type, (const xmlChar *)"html") == 0 ||
         xmlStrcasecmp(type, (const xmlChar *)"text/html") == 0))
        html_to_text(p, b);
    else
        squeeze(b);
    xmlFree(type);
}

/* An HTML field (summary, content): RSS's escaped HTML as it is, or
 * Atom's text construct made HTML whatever its type. */
static void
html_field(feed_parser *p, kh_buf *b, xmlNodePtr n, int atom)
{
    kh__buf_reset(b);
    if (n == NULL)
        return;
    xmlChar *type = atom ? attr(n, "type") : NULL;
    const char *t = type != NULL ? (const char *)type : "";
    if (strcmp(t, "xhtml") == 0 || strstr(t, "xhtml+xml") != NULL) {
        xmlNodePtr div = n->children;
        while (div != NULL && div->type != XML_ELEMENT_NODE)
            div = div->next;
        gather_markup(p, b, div != NULL ? div : n); /* the div's inside */
    } else if (atom && (strcmp(t, "") == 0 || strcmp(t, "text") == 0 ||
                        strcmp(t, "text/plain") == 0)) {
        kh__buf_reset(&p->scratch);
        gather_text(p, &p->scratch, n, 0);
        put_escaped(p, b, p->scratch.data != NULL ? p->scratch.data : "",
                    p->scratch.len);
    } else if (atom && strcmp(t, "html") != 0 && strcmp(t, "text/html") != 0) {
        ; /* base64 media and other types: no text */
    } else if (has_element_child(n)) {
        gather_markup(p, b, n); /* HTML the feed did not escape */
    } else {
        gather_text(p, b, n, 0);
    }
    xmlFree(type);
}

/**************************************************************************
** Links
*/

static int
has_scheme(const char *s)
{
    if (s == NULL)
        return 0;
    size_t i = 0;
    while ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')
        i++;
    return i > 1 && s[i] == ':';
}

/* Resolves the trimmed href against the bases in force at node n and
 * puts the result in b. */
static void
link_field(feed_parser *p, kh_buf *b, xmlNodePtr n, const char *href)
{
    kh__buf_reset(b);
    while (*href == ' ' || *href == '\t' || *href == '\n' || *href == '\r')
        href++;
    size_t hl = strlen(href);
    while (hl > 0 && (href[hl - 1] == ' ' || href[hl - 1] == '\t' ||
                      href[hl - 1] == '\n' || href[hl - 1] == '\r'))
        hl--;
    if (hl == 0)
        return;
    put(p, b, href, hl);
    if (p->rc != KH_OK || has_scheme(b->data))
        return;
    xmlChar *base = xmlNodeGetBase(p->doc, n); /* xml:base and base_url */
    const char *bs = (const char *)base;
    if (bs == NULL || !has_scheme(bs))
        bs = p->fallback_base.len > 0 ? p->fallback_base.data : NULL;
    xmlChar *abs = NULL;
    if (bs != NULL) {
        abs = xmlBuildURI((const xmlChar *)b->data, (const xmlChar *)bs);
        if (abs == NULL) {
            /* libxml2 takes URIs, not IRIs: percent-encode what it
             * refuses (non-ASCII bytes, blanks) and try again. */
            kh_buf *e = &p->uri;
            kh__buf_reset(e);
            for (size_t i = 0; i < b->len; i++) {
                unsigned char c = (unsigned char)b->data[i];
                if (c >= 0x7F || c <= 0x20 || strchr("\"<>\\^`{|}", c))
                    kh__buf_printf(e, &p->rc, "%%%02X", c);
                else
                    kh__buf_putc(e, (char)c, &p->rc);
            }
            if (p->rc == KH_OK)
                abs =
                    xmlBuildURI((const xmlChar *)e->data, (const xmlChar *)bs);
        }
    }
    if (abs != NULL) {
        kh__buf_reset(b);
        put(p, b, (const char *)abs, strlen((const char *)abs));
    }
    xmlFree(abs);
    xmlFree(base);
}

/* The href of the Atom link that points at the entry's page: rel
 * alternate (or none), HTML preferred. */
static xmlNodePtr
atom_alternate(xmlNodePtr parent, xmlChar **href)
{
    xmlNodePtr best = NULL;
    xmlChar *best_href = NULL;
    int best_score = 0;
    for (xmlNodePtr c = parent->children; c != NULL; c = c->next) {
        if (!is_el(c, V_ATOM, "link"))
            continue;
        xmlChar *h = attr(c, "href");
        xmlChar *rel = attr(c, "rel");
        xmlChar *type = attr(c, "type");
        int score = 0;
        if (h != NULL &&
            (rel == NULL || xmlStrcmp(rel, (const xmlChar *)"alternate") == 0))
            score = type == NULL || xmlStrstr(type, (const xmlChar *)"html")
                        ? 2
                        : 1;
        if (score > best_score) {
            xmlFree(best_href);
            best = c;
            best_href = h;
            best_score = score;
            h = NULL;
        }
        xmlFree(h);
        xmlFree(rel);
        xmlFree(type);
    }
    *href = best_href;
    return best;
}

/**************************************************************************
** Items
*/

/* Parses a date in RFC 822 (pubDate), ISO 8601 (dc:date, Atom) or a
 * language the page-date reader knows (Arabic month names). */
static int64_t
date_field(feed_parser *p, xmlNodePtr n)
{
    if (n == NULL)
        return KH_DATE_NONE;
    text_field(p, &p->date, n);
    if (p->rc != KH_OK || p->date.len == 0)
        return KH_DATE_NONE;
    int64_t t;
    if (kh_date_parse(p->date.data, p->date.len, &t) == KH_OK ||
        kh__rfc822_date(p->date.data, p->date.len, &t) ||
        kh__text_date(p->date.data, p->date.len, &t))
        return t;
    return KH_DATE_NONE;
}

static const char *
str(const kh_buf *b)
{
    return b->len > 0 ? b->data : NULL;
}

/* Calls fn with the item in the buffers; returns its answer. */
static int
deliver(feed_parser *p, int64_t date, kh_feed_item_fn fn, void *ctx)
{
    kh_feed_item item = {
        str(&p->title),   str(&p->link),    str(&p->guid),   str(&p->author),
        str(&p->summary), str(&p->content), str(&p->source), date};
    return fn(&item, ctx);
}

/* An RSS or RDF item. */
static int
rss_item(feed_parser *p, xmlNodePtr it, kh_feed_item_fn fn, void *ctx)
{
    text_field(p, &p->title, child(it, V_RSS, "title"));
    xmlNodePtr guid = child(it, V_RSS, "guid");
    text_field(p, &p->guid, guid);
    if (p->guid.len == 0) { /* RDF names its items */
        xmlChar *about =
            xmlGetNsProp(it, (const xmlChar *)"about", (const xmlChar *)NS_RDF);
        if (about != NULL)
            put(p, &p->guid, (const char *)about, strlen((const char *)about));
        xmlFree(about);
    }
    xmlNodePtr link = child(it, V_RSS, "link");
    kh__buf_reset(&p->scratch);
    if (link != NULL)
        gather_text(p, &p->scratch, link, 0);
    squeeze(&p->scratch); /* a blank <link> is no link */
    xmlChar *href = NULL;
    xmlNodePtr alt = NULL;
    if (p->scratch.len == 0 && (alt = atom_alternate(it, &href)) != NULL)
        link = alt;
    if (p->scratch.len == 0 && href == NULL && guid != NULL &&
        p->guid.len > 0) {
        /* A guid is the item's link unless isPermaLink="false". */
        xmlChar *perma = attr(guid, "isPermaLink");
        if (perma == NULL || xmlStrcasecmp(perma, (const xmlChar *)"false")) {
            put(p, &p->scratch, p->guid.data, p->guid.len);
            link = guid;
        }
        xmlFree(perma);
    }
    if (href != NULL)
        link_field(p, &p->link, link, (const char *)href);
    else if (p->scratch.len > 0) {
        char *s = kh__strndup(p->scratch.data, p->scratch.len);
        if (s == NULL)
            p->rc = KH_ENOMEM;
        else
            link_field(p, &p->link, link, s);
        kh_free(s);
    } else
        kh__buf_reset(&p->link);
    xmlFree(href);
    xmlNodePtr author = child(it, V_DC, "creator");
    if (author == NULL)
        author = child(it, V_RSS, "author");
    text_field(p, &p->author, author);
    html_field(p, &p->summary, child(it, V_RSS, "description"), 0);
    html_field(p, &p->content, child(it, V_CONTENT, "encoded"), 0);
    xmlNodePtr d = child(it, V_RSS, "pubDate");
    int64_t date = date_field(p, d != NULL ? d : child(it, V_DC, "date"));
    if (p->rc != KH_OK)
        return 1;
    return deliver(p, date, fn, ctx);
}

/* An Atom entry. */
static int
atom_entry(feed_parser *p, xmlNodePtr e, kh_feed_item_fn fn, void *ctx)
{
    text_field(p, &p->title, child(e, V_ATOM, "title"));
    text_field(p, &p->guid, child(e, V_ATOM, "id"));
    xmlChar *href = NULL;
    xmlNodePtr link = atom_alternate(e, &href);
    if (href != NULL)
        link_field(p, &p->link, link, (const char *)href);
    else
        kh__buf_reset(&p->link);
    xmlFree(href);
    xmlNodePtr author = child(e, V_ATOM, "author");
    text_field(p, &p->author,
               author != NULL ? child(author, V_ATOM, "name") : NULL);
    if (p->author.len == 0 && p->feed_author.len > 0)
        kh__buf_append(&p->author, p->feed_author.data, p->feed_author.len,
                       &p->rc);
    html_field(p, &p->summary, child(e, V_ATOM, "summary"), 1);
    xmlNodePtr content = child(e, V_ATOM, "content");
    html_field(p, &p->content, content, 1);
    static const char *const date_names[] = {"published", "updated", "issued",
                                             "modified", "created"};
    int64_t date = KH_DATE_NONE;
    for (size_t k = 0; k < 5 && date == KH_DATE_NONE; k++)
        date = date_field(p, child(e, V_ATOM, date_names[k]));
    if (p->rc != KH_OK)
        return 1;
    return deliver(p, date, fn, ctx);
}

/**************************************************************************
** Ampersands
**
** Feeds are written by templates that forget XML has only five named
** entities: "&nbsp;", "&rsquo;" and bare "&" in URLs are everywhere,
** and libxml2 drops them, taking text with them.  Before parsing, HTML
** entity names become numeric references, other unknown names and bare
** ampersands become "&amp;" (so the text keeps them), outside CDATA
** sections, comments and the doctype.
*/

static int
xml_name_char(unsigned char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_' || c == ':';
}

/* The first w[0..wn) in h[0..hn), or NULL. */
static const char *
find_bytes(const char *h, size_t hn, const char *w, size_t wn)
{
    for (const char *p = h; hn >= wn && (size_t)(p - h) <= hn - wn; p++) {
        p = memchr(p, w[0], hn - wn + 1 - (size_t)(p - h));
        if (p == NULL)
            return NULL;
        if (memcmp(p, w, wn) == 0)
            return p;
    }
    return NULL;
}

/* Does the internal subset d[0..n) declare the entity name? */
static int
declares(const char *d, size_t n, const char *name, size_t name_len)
{
    static const char key[] = "<!ENTITY";
    for (const char *p = d; p != NULL && p + 8 < d + n;) {
        p = memchr(p, '<', (size_t)(d + n - p));
        if (p == NULL || (size_t)(d + n - p) < 10 + name_len)
            return 0;
        if (memcmp(p, key, 8) == 0) {
            const char *q = p + 8;
            while (q < d + n &&
                   (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
                q++;
            if ((size_t)(d + n - q) > name_len &&
                memcmp(q, name, name_len) == 0 &&
                !xml_name_char((unsigned char)q[name_len]))
                return 1;
        }
        p++;
    }
    return 0;
}

/* Copies s[0..n) into out with the ampersands mended. */
static void
mend_ampersands(const char *s, size_t n, kh_buf *out, kh_status *rc)
{
    const char *subset = NULL; /* the doctype, whose entities are real */
    size_t subset_len = 0;
    size_t i = 0, run = 0; /* s[run..i) is still to be copied */
    kh__buf_reserve(out, n + n / 16, rc);
    while (i < n && *rc == KH_OK) {
        const char *p = memchr(s + i, '&', n - i);
        const char *lt =
            memchr(s + i, '<', (p != NULL ? (size_t)(p - s) : n) - i);
        if (lt != NULL) { /* markup first: skip what must stay verbatim */
            i = (size_t)(lt - s);
            const char *end = NULL;
            size_t tail = 0;
            if (n - i >= 9 && memcmp(lt, "<![CDATA[", 9) == 0) {
                end = find_bytes(lt, n - i, "]]>", 3);
                tail = 3;
            } else if (n - i >= 4 && memcmp(lt, "<!--", 4) == 0) {
                end = find_bytes(lt + 4, n - i - 4, "-->", 3);
                tail = 3;
            } else if (n - i >= 9 && memcmp(lt, "<!DOCTYPE", 9) == 0) {
                const char *gt = memchr(lt, '>', n - i);
                const char *br = memchr(lt, '[', n - i);
                if (br != NULL && (gt == NULL || br < gt)) {
                    end = find_bytes(br, (size_t)(s + n - br), "]>", 2);
                    tail = 2;
                } else {
                    end = gt;
                    tail = 1;
                }
                if (end != NULL) {
                    subset = lt;
                    subset_len = (size_t)(end - lt);
                }
            }
            i = end != NULL ? (size_t)(end - s) + tail : tail > 0 ? n : i + 1;
            continue;
        }
        if (p == NULL)
            break;
        i = (size_t)(p - s);
        kh__buf_append(out, s + run, i - run, rc);
        size_t j = i + 1;
        if (j < n && s[j] == '#') {
            j++;
            int hex = j < n && (s[j] == 'x' || s[j] == 'X');
            j += (size_t)hex;
            size_t d = j;
            while (j < n && j - d < 8 &&
                   ((s[j] >= '0' && s[j] <= '9') ||
                    (hex && ((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'f'))))
                j++;
            if (j > d && j < n && s[j] == ';') { /* a character reference */
                run = i;
                i = j + 1;
                continue;
            }
        } else {
            while (j < n && j - i <= 32 && xml_name_char((unsigned char)s[j]))
                j++;
            size_t nl = j - i - 1;
            if (nl > 0 && nl <= 32 && j < n && s[j] == ';') {
                char name[33];
                memcpy(name, s + i + 1, nl);
                name[nl] = '\0';
                const htmlEntityDesc *h;
                if (strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 ||
                    strcmp(name, "gt") == 0 || strcmp(name, "quot") == 0 ||
                    strcmp(name, "apos") == 0 ||
                    (subset != NULL &&
                     declares(subset, subset_len, name, nl))) {
                    run = i; /* fine as it is */
                    i = j + 1;
                    continue;
                }
                if ((h = htmlEntityLookup((const xmlChar *)name)) != NULL) {
                    kh__buf_printf(out, rc, "&#%u;", h->value);
                    run = i = j + 1;
                    continue;
                }
            }
        }
        kh__buf_puts(out, "&amp;", rc); /* a bare or unknown ampersand */
        run = i = i + 1;
    }
    if (run < n)
        kh__buf_append(out, s + run, n - run, rc);
}

/**************************************************************************
** Documents
*/

/* Blanks the control characters XML 1.0 forbids, which would otherwise
 * stop the parse early. */
static void
blank_controls(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            s[i] = ' ';
    }
}

/* Walks the RSS/RDF channel and items; returns the number delivered, or
 * -1 when the callback stopped the parse. */
static long
walk_rss(feed_parser *p, xmlNodePtr root, kh_feed_item_fn fn, void *ctx)
{
    xmlNodePtr channel = child(root, V_RSS, "channel");
    if (channel != NULL) {
        text_field(p, &p->source, child(channel, V_RSS, "title"));
        xmlNodePtr link = child(channel, V_RSS, "link");
        kh__buf_reset(&p->fallback_base);
        if (link != NULL)
            gather_text(p, &p->fallback_base, link, 0);
        squeeze(&p->fallback_base);
        if (!has_scheme(str(&p->fallback_base)))
            kh__buf_reset(&p->fallback_base);
    }
    long n = 0;
    /* Items sit in the channel (RSS 2.0) or beside it (RDF, 0.90). */
    for (int pass = 0; pass < 2; pass++) {
        xmlNodePtr parent = pass == 0 ? channel : root;
        if (parent == NULL)
            continue;
        for (xmlNodePtr c = parent->children; c != NULL && p->rc == KH_OK;
             c = c->next)
            if (is_el(c, V_RSS, "item")) {
                n++;
                if (rss_item(p, c, fn, ctx))
                    return p->rc == KH_OK ? -1 : n;
            }
    }
    return n;
}

static long
walk_atom(feed_parser *p, xmlNodePtr root, kh_feed_item_fn fn, void *ctx)
{
    text_field(p, &p->source, child(root, V_ATOM, "title"));
    xmlNodePtr author = child(root, V_ATOM, "author");
    text_field(p, &p->feed_author,
               author != NULL ? child(author, V_ATOM, "name") : NULL);
    xmlChar *href = NULL;
    xmlNodePtr link = atom_alternate(root, &href);
    if (href != NULL) {
        link_field(p, &p->scratch, link, (const char *)href);
        kh__buf_reset(&p->fallback_base);
        if (has_scheme(str(&p->scratch)))
            kh__buf_append(&p->fallback_base, p->scratch.data, p->scratch.len,
                           &p->rc);
    }
    xmlFree(href);
    long n = 0;
    for (xmlNodePtr c = root->children; c != NULL && p->rc == KH_OK;
         c = c->next)
        if (is_el(c, V_ATOM, "entry")) {
            n++;
            if (atom_entry(p, c, fn, ctx))
                return p->rc == KH_OK ? -1 : n;
        }
    return n;
}

static void
release(feed_parser *p)
{
    kh_buf *bufs[] = {&p->fallback_base, &p->source,  &p->feed_author,
                      &p->title,         &p->link,    &p->guid,
                      &p->author,        &p->summary, &p->content,
                      &p->date,          &p->scratch, &p->uri};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        kh__buf_release(bufs[i]);
}

kh_status
kh_feed_parse(const char *xml, size_t len, const char *base_url,
              kh_feed_item_fn fn, void *ctx, kh_error *err)
{
    if (len > INT_MAX) {
        kh__set_error(err, "feed too large: %zu bytes", len);
        return KH_EINVAL;
    }
    if (xml == NULL)
        xml = "";
    char *utf8 = NULL;
    size_t n = 0;
    kh_status rc = kh_to_utf8(xml, len, NULL, &utf8, &n, NULL, err);
    if (rc != KH_OK)
        return rc;
    blank_controls(utf8, n);
    if (memchr(utf8, '&', n) != NULL) {
        kh_buf mended;
        kh__buf_init(&mended);
        mend_ampersands(utf8, n, &mended, &rc);
        kh_free(utf8);
        utf8 = kh__buf_detach(&mended, &n, &rc);
        if (rc != KH_OK) {
            kh__buf_release(&mended);
            kh__set_error(err, "reading a feed: %s", kh_strerror(rc));
            return rc;
        }
    }
    if (n > INT_MAX) { /* windows-1256 doubles in UTF-8, "&" grows too */
        kh_free(utf8);
        kh__set_error(err, "feed too large: %zu bytes in UTF-8", n);
        return KH_EINVAL;
    }

    xmlInitParser();
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        kh_free(utf8);
        kh__set_error(err, "parsing a feed: %s", kh_strerror(KH_ENOMEM));
        return KH_ENOMEM;
    }
    int options = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                  XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC;
    xmlDocPtr doc =
        xmlCtxtReadMemory(ctxt, utf8, (int)n, base_url, NULL, options);
    int well_formed = ctxt->wellFormed;
    char why[160] = "no XML element found";
    int line = 0;
    const xmlError *xe = xmlCtxtGetLastError(ctxt);
    if (xe != NULL && xe->message != NULL) {
        snprintf(why, sizeof why, "%s", xe->message);
        size_t wl = strlen(why);
        while (wl > 0 && (why[wl - 1] == '\n' || why[wl - 1] == ' '))
            why[--wl] = '\0';
        line = xe->line;
    }
    xmlFreeParserCtxt(ctxt);
    kh_free(utf8);
    xmlNodePtr root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
    if (root == NULL) {
        xmlFreeDoc(doc);
        kh__set_error(err, "not a feed: not XML (line %d: %s)", line, why);
        return KH_EINVAL;
    }

    feed_parser p;
    memset(&p, 0, sizeof p);
    p.doc = doc;
    p.base_url = base_url;
    p.entity_budget = 4 * len + 65536;
    p.rc = KH_OK;
    const char *local;
    vocab v = element_vocab(root, &local);
    long items;
    if ((v == V_RSS && strcmp(local, "rss") == 0) ||
        (v == V_RDF && strcmp(local, "RDF") == 0)) {
        items = walk_rss(&p, root, fn, ctx);
    } else if (v == V_ATOM && strcmp(local, "feed") == 0) {
        items = walk_atom(&p, root, fn, ctx);
    } else {
        kh__set_error(err, "not a feed: the root element is <%.64s>",
                      root->name);
        release(&p);
        xmlFreeDoc(doc);
        return KH_EINVAL;
    }
    rc = p.rc;
    release(&p);
    xmlFreeDoc(doc);
    if (rc != KH_OK) {
        kh__set_error(err, "reading a feed: %s", kh_strerror(rc));
        return rc;
    }
    if (items == 0 && !well_formed) {
        kh__set_error(err, "feed too damaged to read (line %d: %s)", line, why);
        return KH_EINVAL;
    }
    return KH_OK;
}
