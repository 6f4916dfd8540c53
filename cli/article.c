/*
 * article.c -- an HTML page or a feed item becomes a kh_article.
 *
 * A feed item's body is the text of its content:encoded / Atom content,
 * else of its description / summary, through the article extractor.  The
 * extractor judges whole pages and may find no article in a short
 * fragment, so the fragment's plain text (libxml2's HTML parser, block
 * elements as paragraph breaks) is the fallback: a summary is short but
 * it is what the publisher wrote.
 */
#include "article.h"

#include "ingest/ingest.h"

#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
cli_doc_release(cli_doc *d)
{
    kh_page_free(d->page);
    kh_free(d->text);
    memset(d, 0, sizeof *d);
}

int
cli_ct_is_html(const char *ct)
{
    if (ct == NULL)
        return 0;
    while (*ct == ' ')
        ct++;
    return strncasecmp(ct, "text/html", 9) == 0 ||
           strncasecmp(ct, "application/xhtml+xml", 21) == 0;
}

const char *
cli_ct_charset(const char *ct, char *buf, size_t cap)
{
    if (ct == NULL)
        return NULL;
    for (const char *p = ct; (p = strchr(p, ';')) != NULL;) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset=", 8) != 0)
            continue;
        p += 8;
        if (*p == '"')
            p++;
        size_t n = 0;
        while (p[n] && p[n] != '"' && p[n] != ';' && p[n] != ' ' &&
               n + 1 < cap) {
            buf[n] = p[n];
            n++;
        }
        buf[n] = '\0';
        return n > 0 ? buf : NULL;
    }
    return NULL;
}

kh_status
cli_doc_from_page(cli_doc *d, const char *html, size_t len, const char *url,
                  const char *charset, const char *fallback_id,
                  kh_sitemodel *sites, kh_error *err)
{
    memset(d, 0, sizeof *d);
    kh_extract_options o = {url, charset, sites};
    kh_status rc = kh_extract_html(html, len, &o, &d->page, err);
    if (rc != KH_OK)
        return rc;
    const kh_page *p = d->page;
    d->a.id = p->url != NULL ? p->url : url != NULL ? url : fallback_id;
    d->a.url = p->url != NULL ? p->url : url;
    d->a.source = p->source;
    d->a.title = p->title;
    d->a.body = p->body;
    d->a.author = p->author;
    d->a.date = p->date;
    return KH_OK;
}

static int
is_block(const char *name)
{
    static const char *const blocks[] = {
        "p",     "div", "br", "li", "ul",      "ol",         "h1",
        "h2",    "h3",  "h4", "h5", "h6",      "blockquote", "tr",
        "table", "pre", "hr", "dd", "section", "article",    "figcaption"};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strcasecmp(name, blocks[i]) == 0)
            return 1;
    return 0;
}

/* Appends text with white space collapsed; *sep is the break owed before
 * the next word: 0 none, 1 a space, 2 a paragraph. */
static void
put_text(kh_buf *b, const char *s, int *sep, kh_status *rc)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            if (*sep < 1)
                *sep = 1;
            continue;
        }
        if (b->len > 0 && *sep == 2)
            kh__buf_puts(b, "\n\n", rc);
        else if (b->len > 0 && *sep == 1)
            kh__buf_putc(b, ' ', rc);
        *sep = 0;
        kh__buf_putc(b, (char)c, rc);
    }
}

/* The plain text of an HTML fragment, paragraphs separated by "\n\n";
 * NULL on ENOMEM. */
static char *
fragment_text(const char *html, size_t len)
{
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    if (len > 0 && len < (size_t)INT32_MAX) {
        htmlDocPtr doc =
            htmlReadMemory(html, (int)len, NULL, "UTF-8",
                           HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                               HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
        xmlNodePtr n = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
        int sep = 0;
        /* Iterative walk: a deep fragment cannot exhaust the stack. */
        while (n != NULL && rc == KH_OK) {
            int skip = n->type == XML_ELEMENT_NODE &&
                       (strcasecmp((const char *)n->name, "script") == 0 ||
                        strcasecmp((const char *)n->name, "style") == 0);
            if ((n->type == XML_TEXT_NODE ||
                 n->type == XML_CDATA_SECTION_NODE) &&
                n->content != NULL)
                put_text(&b, (const char *)n->content, &sep, &rc);
            if (n->type == XML_ELEMENT_NODE && is_block((const char *)n->name))
                sep = 2;
            else if (n->type == XML_ELEMENT_NODE && sep < 1 &&
                     (strcasecmp((const char *)n->name, "td") == 0 ||
                      strcasecmp((const char *)n->name, "th") == 0))
                sep = 1; /* cells are words apart */
            if (n->children != NULL && !skip) {
                n = n->children;
                continue;
            }
            while (n != NULL && n->next == NULL) {
                n = n->parent;
                if (n != NULL && n->type == XML_ELEMENT_NODE &&
                    is_block((const char *)n->name))
                    sep = 2;
                if (n != NULL && n->type != XML_ELEMENT_NODE)
                    n = NULL; /* back at the document */
            }
            if (n != NULL)
                n = n->next;
        }
        if (doc != NULL)
            xmlFreeDoc(doc);
    }
    char *s = kh__buf_detach(&b, NULL, &rc);
    kh__buf_release(&b);
    return rc == KH_OK ? s : (kh_free(s), NULL);
}

/* The body text of an item's HTML: the extractor's, else the plain text.
 * NULL on ENOMEM. */
static char *
item_text(const char *html, const char *link)
{
    if (html == NULL || *html == '\0')
        return kh__strndup("", 0);
    size_t len = strlen(html);
    kh_extract_options o = {link, "utf-8", NULL};
    kh_page *p = NULL;
    kh_error e;
    char *text = NULL;
    if (kh_extract_html(html, len, &o, &p, &e) == KH_OK && p->body != NULL &&
        *p->body != '\0')
        text = kh__strndup(p->body, strlen(p->body));
    kh_page_free(p);
    return text != NULL ? text : fragment_text(html, len);
}

/* Fetches and extracts an item's linked page into d->page (d->fetched
 * says how it went). */
static void
fetch_linked(cli_doc *d, const char *link, kh_fetcher *fetcher,
             kh_sitemodel *sites)
{
    kh_fetch_result res;
    kh_error e;
    memset(&e, 0, sizeof e);
    kh_status rc =
        kh__fetch(fetcher, link, NULL, NULL, KH_FETCH_ROBOTS, &res, &e);
    d->fetched = -1;
    d->retry_later = res.retry_later;
    if (rc != KH_OK) {
        snprintf(d->why, sizeof d->why, "%.190s", e.message);
    } else if (res.denied) {
        d->fetched = -2;
        snprintf(d->why, sizeof d->why, "%.190s", e.message);
    } else if (res.status < 200 || res.status > 299) {
        snprintf(d->why, sizeof d->why, "HTTP %ld", res.status);
    } else if (res.content_type != NULL && !cli_ct_is_html(res.content_type)) {
        snprintf(d->why, sizeof d->why, "not HTML (%.60s)", res.content_type);
    } else {
        char cs[64];
        const char *charset = cli_ct_charset(res.content_type, cs, sizeof cs);
        kh_extract_options o = {res.url, charset, sites};
        rc = kh_extract_html(res.body, res.body_len, &o, &d->page, &e);
        if (rc != KH_OK)
            snprintf(d->why, sizeof d->why, "%.190s", e.message);
        else if (d->page->body == NULL || *d->page->body == '\0')
            snprintf(d->why, sizeof d->why, "no article text in the page");
        else
            d->fetched = 1;
        if (d->fetched != 1) {
            kh_page_free(d->page);
            d->page = NULL;
        }
    }
    kh__fetch_result_release(&res);
}

kh_status
cli_doc_from_item(cli_doc *d, const kh_feed_item *item, kh_fetcher *fetcher,
                  kh_sitemodel *sites, kh_error *err)
{
    memset(d, 0, sizeof *d);
    int has_content = item->content != NULL && *item->content != '\0';
    d->text =
        item_text(has_content ? item->content : item->summary, item->link);
    if (d->text == NULL) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return KH_ENOMEM;
    }
    if (fetcher != NULL && item->link != NULL && !has_content &&
        strlen(d->text) < CLI_SUMMARY_SHORT) {
        fetch_linked(d, item->link, fetcher, sites);
        if (d->fetched == 1 && strlen(d->page->body) <= strlen(d->text)) {
            d->fetched = -1; /* the summary says more than the page */
            d->retry_later = 0;
            snprintf(d->why, sizeof d->why, "the page has less text");
        }
    }
    const kh_page *p = d->fetched == 1 ? d->page : NULL;
    d->from_summary = !has_content && p == NULL;
    d->a.id = item->link != NULL ? item->link : item->guid;
    d->a.url = item->link;
    d->a.title = item->title != NULL && *item->title ? item->title
                 : p != NULL                         ? p->title
                                                     : NULL;
    d->a.body = p != NULL ? p->body : d->text;
    d->a.author = item->author != NULL ? item->author
                  : p != NULL          ? p->author
                                       : NULL;
    d->a.source = item->source != NULL ? item->source
                  : p != NULL          ? p->source
                                       : NULL;
    d->a.date = item->date != KH_DATE_NONE ? item->date
                : p != NULL                ? p->date
                                           : KH_DATE_NONE;
    return KH_OK;
}

int
cli_doc_has_better(kh_index *ix, const cli_doc *d)
{
    if (!d->from_summary || d->a.id == NULL)
        return 0;
    kh_doc *old = NULL;
    kh_error e;
    if (kh_index_get(ix, d->a.id, &old, &e) != KH_OK)
        return 0;
    size_t have = old->body != NULL ? strlen(old->body) : 0;
    size_t mine = d->a.body != NULL ? strlen(d->a.body) : 0;
    kh_doc_free(old);
    return have > mine;
}

static int
parse_seconds(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v >= 0) || v > 86400)
        return -1;
    *out = v;
    return 0;
}

int
cli_fetch_option(int argc, char **argv, int *i, kh_fetch_options *fo)
{
    const char *o = argv[*i];
    if (*i + 1 >= argc)
        return 0;
    if (strcmp(o, "--delay") == 0) {
        if (parse_seconds(argv[++*i], &fo->delay) != 0) {
            cli_error("--delay wants seconds, e.g. 1 or 0.5");
            return -1;
        }
        return 1;
    }
    if (strcmp(o, "--timeout") == 0) {
        if (parse_seconds(argv[++*i], &fo->timeout) != 0 || fo->timeout <= 0) {
            cli_error("--timeout wants seconds, e.g. 30");
            return -1;
        }
        if (fo->connect_timeout > fo->timeout)
            fo->connect_timeout = fo->timeout;
        return 1;
    }
    return 0;
}

static const char *
jstring(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Decodes the HTML character references of o's text fields in place
 * (kh__html_unescape): "&quot;" in a JSONL title is a quote. */
static int
unescape_fields(json_t *o)
{
    static const char *const keys[] = {"title", "body", "author", "source"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        json_t *v = json_object_get(o, keys[k]);
        if (!json_is_string(v) ||
            memchr(json_string_value(v), '&', json_string_length(v)) == NULL)
            continue;
        kh_buf b;
        kh__buf_init(&b);
        kh_status rc =
            kh__html_unescape(json_string_value(v), json_string_length(v), &b);
        int bad =
            rc != KH_OK ||
            json_object_set_new(o, keys[k],
                                json_stringn(b.data ? b.data : "", b.len)) != 0;
        kh__buf_release(&b);
        if (bad)
            return -1;
    }
    return 0;
}

int
cli_article_from_json(json_t *o, kh_article *a, char idbuf[32], char *why,
                      size_t why_cap)
{
    if (unescape_fields(o) != 0) {
        snprintf(why, why_cap, "out of memory");
        return -1;
    }
    *a = (kh_article){jstring(o, "id"),     jstring(o, "url"),
                      jstring(o, "source"), jstring(o, "title"),
                      jstring(o, "body"),   jstring(o, "author"),
                      KH_DATE_NONE};
    json_t *idv = json_object_get(o, "id");
    if (json_is_integer(idv)) {
        snprintf(idbuf, 32, "%lld", (long long)json_integer_value(idv));
        a->id = idbuf;
    }
    /* a text field of another type was dropped without a word */
    static const char *const text[] = {"url",  "source", "title",
                                       "body", "author", "id"};
    for (size_t k = 0; k < sizeof text / sizeof *text; k++) {
        json_t *v = json_object_get(o, text[k]);
        if (v != NULL && !json_is_string(v) && !json_is_null(v) &&
            !(strcmp(text[k], "id") == 0 && json_is_integer(v))) {
            snprintf(why, why_cap, "%s is not a string", text[k]);
            return -1;
        }
    }
    const char *date = NULL, *field = NULL;
    static const char *const dates[] = {"date", "published", "date_extracted"};
    for (size_t k = 0; k < 3 && date == NULL && field == NULL; k++) {
        json_t *v = json_object_get(o, dates[k]);
        if (json_is_string(v)) {
            date = json_string_value(v);
        } else if (json_is_integer(v)) {
            /* Unix time: seconds, or milliseconds past year 5138 */
            json_int_t t = json_integer_value(v);
            if (t > 100000000000LL || t < -100000000000LL)
                t /= 1000;
            if (t < -2208988800LL || t > 7258118400LL) { /* 1900..2200 */
                snprintf(why, why_cap,
                         "%s %lld is no Unix time between 1900 and 2200",
                         dates[k], (long long)json_integer_value(v));
                return -1;
            }
            a->date = (int64_t)t;
            field = dates[k];
        } else if (v != NULL && !json_is_null(v)) {
            snprintf(why, why_cap, "%s is neither a string nor a number",
                     dates[k]);
            return -1;
        }
    }
    if (date != NULL && *date &&
        kh_date_parse(date, strlen(date), &a->date) != KH_OK) {
        snprintf(why, why_cap, "date '%.100s' is not ISO 8601", date);
        return -1;
    }
    if ((a->title == NULL || !*a->title) && (a->body == NULL || !*a->body)) {
        snprintf(why, why_cap, "no title and no body");
        return -1;
    }
    return 0;
}
