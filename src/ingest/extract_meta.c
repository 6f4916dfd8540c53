/*
 * extract_meta.c -- what a page says about itself: title, author,
 * canonical URL, site name and language, read from <title>, <meta>
 * (Open Graph, Twitter, name=author, ...), <link rel=canonical>, JSON-LD
 * and the first <h1>, then reconciled into the fields of kh_page.
 *
 * The walk in dom.c hands over the elements as it meets them; nothing
 * here walks the tree on its own except to read one element's text.
 * JSON-LD is parsed with jansson and visited to a bounded depth.
 */
#include "ingest/extract.h"

#include <jansson.h>
#include <libxml/uri.h>
#include <string.h>
#include <strings.h>

#define KH_LD_MAX_DEPTH 12

/* Sets *slot to a cleaned copy of v unless it is already set. */
static void
keep_first(char **slot, const char *v, kh_status *rc)
{
    if (*slot == NULL && v != NULL)
        *slot = kh__clean_dup(v, rc);
}

static int
is_url(const char *s)
{
    return s != NULL &&
           (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0 ||
            strncmp(s, "//", 2) == 0);
}

static void
meta_tag(kh_xpage *pg, const kh_hnode *n)
{
    kh_xmeta *m = &pg->meta;
    const char *content = kh__hattr(n, "content");
    if (content == NULL)
        return;
    const char *key = kh__hattr(n, "property");
    if (key == NULL) {
        key = kh__hattr(n, "name");
        if (key == NULL)
            key = kh__hattr(n, "http-equiv");
        if (key == NULL)
            key = kh__hattr(n, "itemprop");
    }
    if (key != NULL) {
        kh_status *rc = &pg->rc;
        if (strcasecmp(key, "og:title") == 0)
            keep_first(&m->og_title, content, rc);
        else if (strcasecmp(key, "twitter:title") == 0)
            keep_first(&m->tw_title, content, rc);
        else if (strcasecmp(key, "og:site_name") == 0)
            keep_first(&m->og_site, content, rc);
        else if (strcasecmp(key, "application-name") == 0)
            keep_first(&m->app_name, content, rc);
        else if (strcasecmp(key, "og:url") == 0)
            keep_first(&m->og_url, content, rc);
        else if ((strcasecmp(key, "author") == 0 ||
                  strcasecmp(key, "article:author") == 0 ||
                  strcasecmp(key, "dc.creator") == 0) &&
                 !is_url(content))
            keep_first(&m->meta_author, content, rc);
        else if (strcasecmp(key, "content-language") == 0 ||
                 strcasecmp(key, "language") == 0 ||
                 strcasecmp(key, "dc.language") == 0)
            keep_first(&m->meta_lang, content, rc);
        else if (strcasecmp(key, "og:locale") == 0)
            keep_first(&m->og_locale, content, rc);
        else if (strcasecmp(key, "headline") == 0)
            keep_first(&m->ld_headline, content, rc);
    }
}

/* ---- JSON-LD --------------------------------------------------------- */

static int
ld_is_article(json_t *o)
{
    json_t *t = json_object_get(o, "@type");
    const char *names[8];
    size_t n = 0;
    if (json_is_string(t)) {
        names[n++] = json_string_value(t);
    } else if (json_is_array(t)) {
        for (size_t i = 0; i < json_array_size(t) && n < 8; i++)
            if (json_is_string(json_array_get(t, i)))
                names[n++] = json_string_value(json_array_get(t, i));
    }
    for (size_t i = 0; i < n; i++)
        if (strstr(names[i], "Article") != NULL ||
            strstr(names[i], "Posting") != NULL ||
            strcmp(names[i], "Report") == 0)
            return 1;
    return 0;
}

static void
ld_names(json_t *v, kh_buf *b, kh_status *rc, int depth)
{
    if (depth > 3)
        return;
    const char *s = NULL;
    if (json_is_string(v))
        s = json_string_value(v);
    else if (json_is_object(v) && json_is_string(json_object_get(v, "name")))
        s = json_string_value(json_object_get(v, "name"));
    else if (json_is_array(v))
        for (size_t i = 0; i < json_array_size(v) && i < 8; i++)
            ld_names(json_array_get(v, i), b, rc, depth + 1);
    if (s == NULL || *s == '\0' || is_url(s))
        return;
    if (b->len > 0)
        kh__buf_puts(b, ", ", rc);
    kh__buf_puts(b, s, rc);
}

static void
ld_visit(kh_xpage *pg, json_t *v, int depth)
{
    if (depth > KH_LD_MAX_DEPTH || pg->rc != KH_OK)
        return;
    kh_xmeta *m = &pg->meta;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            ld_visit(pg, json_array_get(v, i), depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    json_t *graph = json_object_get(v, "@graph");
    if (graph != NULL)
        ld_visit(pg, graph, depth + 1);
    if (!ld_is_article(v))
        return;
    json_t *h = json_object_get(v, "headline");
    if (json_is_string(h))
        keep_first(&m->ld_headline, json_string_value(h), &pg->rc);
    json_t *a = json_object_get(v, "author");
    if (a != NULL && m->ld_author == NULL) {
        kh_buf b;
        kh__buf_init(&b);
        ld_names(a, &b, &pg->rc, 0);
        if (b.len > 0)
            m->ld_author = kh__clean_dup(b.data, &pg->rc);
        kh__buf_release(&b);
    }
    json_t *p = json_object_get(v, "publisher");
    if (json_is_object(p) && json_is_string(json_object_get(p, "name")))
        keep_first(&m->ld_publisher,
                   json_string_value(json_object_get(p, "name")), &pg->rc);
}

static void
ld_script(kh_xpage *pg, const kh_hnode *n)
{
    const char *type = kh__hattr(n, "type");
    if (type == NULL || strcasecmp(type, "application/ld+json") != 0)
        return;
    /* A script's content is one text node (htree.c merges text). */
    const kh_hnode *c = n->children;
    if (c == NULL || c->type != KH_HN_TEXT)
        return;
    int mine;
    json_t *root = kh__htree_json(pg->tree, c, &mine);
    if (root != NULL) {
        ld_visit(pg, root, 0);
        if (mine)
            json_decref(root);
    }
}

void
kh__meta_element(kh_xpage *pg, const kh_hnode *n, kh_tag tag)
{
    kh_xmeta *m = &pg->meta;
    switch (tag) {
    case KH_TAG_TITLE:
        if (m->html_title == NULL)
            m->html_title = kh__node_text(n, &pg->rc);
        break;
    case KH_TAG_META:
        meta_tag(pg, n);
        break;
    case KH_TAG_LINK: {
        const char *rel = kh__hattr(n, "rel");
        if (rel != NULL && strcasecmp(rel, "canonical") == 0)
            keep_first(&m->canonical, kh__hattr(n, "href"), &pg->rc);
        break;
    }
    case KH_TAG_SCRIPT:
        ld_script(pg, n);
        break;
    case KH_TAG_A: {
        const char *rel = kh__hattr(n, "rel");
        if (rel != NULL && m->rel_author == NULL &&
            strcasecmp(rel, "author") == 0)
            m->rel_author = kh__node_text(n, &pg->rc);
        break;
    }
    case KH_TAG_H1:
        if (m->n_h1++ == 0)
            m->h1 = kh__node_text(n, &pg->rc);
        break;
    case KH_TAG_ADDRESS: /* an element with a byline class */
        if (m->byline == NULL) {
            char *t = kh__node_text(n, &pg->rc);
            if (t != NULL && strlen(t) <= 120)
                m->byline = t;
            else
                kh_free(t);
        }
        break;
    default:
        break;
    }
}

void
kh__meta_release(kh_xmeta *m)
{
    char **all[] = {&m->og_title,     &m->tw_title,   &m->html_title,
                    &m->ld_headline,  &m->h1,         &m->og_site,
                    &m->ld_publisher, &m->app_name,   &m->ld_author,
                    &m->meta_author,  &m->rel_author, &m->byline,
                    &m->canonical,    &m->og_url,     &m->html_lang,
                    &m->meta_lang,    &m->og_locale};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        kh_free(*all[i]);
        *all[i] = NULL;
    }
}

/* ---- Reconciling ----------------------------------------------------- */

char *
kh__url_host(const char *url, kh_status *rc)
{
    if (url == NULL)
        return NULL;
    const char *p = strstr(url, "://");
    if (p == NULL)
        return NULL;
    p += 3;
    const char *at = p;
    size_t n = strcspn(p, "/?#");
    const char *userinfo = memchr(p, '@', n);
    if (userinfo != NULL) {
        n -= (size_t)(userinfo + 1 - p);
        at = userinfo + 1;
    }
    const char *colon = memchr(at, ':', n);
    if (colon != NULL)
        n = (size_t)(colon - at);
    if (n > 4 && strncmp(at, "www.", 4) == 0) {
        at += 4;
        n -= 4;
    }
    if (n == 0)
        return NULL;
    char *h = kh__strndup(at, n);
    if (h == NULL) {
        *rc = KH_ENOMEM;
        return NULL;
    }
    for (char *q = h; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q | 0x20);
    return h;
}

/* Letters and digits only, ASCII folded: "Al Jazeera" ~ "aljazeera". */
static size_t
squash(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            out[k++] = (char)(c | 0x20);
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            out[k++] = (char)c;
    }
    out[k] = '\0';
    return k;
}

/* Whether a title segment names the site. */
static int
names_site(const char *seg, size_t n, const char *site, const char *host)
{
    char a[256], b[256];
    size_t na = squash(seg, n, a, sizeof a);
    if (na == 0)
        return 0;
    if (site != NULL) {
        size_t nb = squash(site, strlen(site), b, sizeof b);
        if (nb > 0 && (strcmp(a, b) == 0 ||
                       (nb >= 4 && strstr(a, b) != NULL && na < nb + 12) ||
                       (na >= 4 && strstr(b, a) != NULL)))
            return 1;
    }
    if (host != NULL) {
        /* the host's main label: "news.bbc.co.uk" -> "bbc" is too clever;
         * the longest label will do */
        char lab[128] = "";
        const char *p = host;
        while (*p) {
            size_t l = strcspn(p, ".");
            if (l > strlen(lab) && l < sizeof lab &&
                strncmp(p, "com", l) != 0) {
                memcpy(lab, p, l);
                lab[l] = '\0';
            }
            p += l;
            if (*p == '.')
                p++;
        }
        size_t nl = strlen(lab);
        if (nl >= 3 &&
            (strstr(a, lab) != NULL || (na >= 4 && strstr(lab, a) != NULL)))
            return 1;
    }
    return 0;
}

static const char *const separators[] = {
    " | ", " - ", " – ", " — ", " :: ", " » ", " « ", " · ", " : ", " ~ "};

/* The title without a leading or trailing site name. */
static char *
strip_site(const char *t, const char *site, const char *host, kh_status *rc)
{
    if (t == NULL)
        return NULL;
    size_t n = strlen(t);
    for (size_t s = 0; s < sizeof separators / sizeof separators[0]; s++) {
        const char *sep = separators[s];
        size_t sl = strlen(sep);
        /* trailing: the last occurrence */
        const char *last = NULL;
        for (const char *p = strstr(t, sep); p != NULL; p = strstr(p + 1, sep))
            last = p;
        if (last != NULL) {
            const char *tail = last + sl;
            if (names_site(tail, strlen(tail), site, host) && last > t) {
                char *r = kh__strndup(t, (size_t)(last - t));
                if (r == NULL)
                    *rc = KH_ENOMEM;
                return r;
            }
            const char *first = strstr(t, sep);
            if (names_site(t, (size_t)(first - t), site, host) &&
                first + sl < t + n) {
                char *r = kh__strndup(first + sl, strlen(first + sl));
                if (r == NULL)
                    *rc = KH_ENOMEM;
                return r;
            }
        }
    }
    char *r = kh__strndup(t, n);
    if (r == NULL)
        *rc = KH_ENOMEM;
    return r;
}

/* Whether t is "h<sep>rest" or "rest<sep>h" for one of the separators:
 * then rest is the site's name and h the headline. */
static int
segment_of(const char *t, const char *h, char *rest, size_t cap)
{
    size_t tl = strlen(t), hl = strlen(h);
    rest[0] = '\0';
    if (hl == 0 || hl >= tl)
        return 0;
    for (size_t s = 0; s < sizeof separators / sizeof separators[0]; s++) {
        const char *sep = separators[s];
        size_t sl = strlen(sep);
        if (hl + sl > tl)
            continue;
        const char *r = NULL;
        size_t rl = 0;
        if (memcmp(t + tl - hl, h, hl) == 0 &&
            memcmp(t + tl - hl - sl, sep, sl) == 0) {
            r = t;
            rl = tl - hl - sl;
        } else if (memcmp(t, h, hl) == 0 && memcmp(t + hl, sep, sl) == 0) {
            r = t + hl + sl;
            rl = tl - hl - sl;
        }
        if (r != NULL) {
            if (rl < cap) {
                memcpy(rest, r, rl);
                rest[rl] = '\0';
            }
            return 1;
        }
    }
    return 0;
}

/* Primary language subtag, lower case, or "" when v is not one. */
static void
lang_tag(const char *v, char out[8])
{
    size_t k = 0;
    out[0] = '\0';
    if (v == NULL)
        return;
    while (*v == ' ')
        v++;
    for (; *v && *v != '-' && *v != '_' && *v != ',' && *v != ';' && *v != ' ';
         v++) {
        char c = *v;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c | 0x20);
        if (c < 'a' || c > 'z' || k >= 3) {
            out[0] = '\0';
            return;
        }
        out[k++] = c;
    }
    out[k] = '\0';
    if (k < 2)
        out[0] = '\0';
}

/* "ar", "fa" or "ur" when most letters of text are Arabic-script, else
 * NULL. */
static const char *
detect_lang(const char *text)
{
    if (text == NULL)
        return NULL;
    size_t n = strlen(text), i = 0;
    size_t arabic = 0, other = 0, persian = 0, arabic_only = 0, urdu = 0;
    while (i < n && arabic + other < 20000) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            i++;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                other++;
            continue;
        }
        uint32_t cp = kh__utf8_next(text, n, &i);
        if ((cp >= 0x0620 && cp <= 0x064A) || (cp >= 0x066E && cp <= 0x06D3) ||
            (cp >= 0xFB50 && cp <= 0xFEFC)) {
            arabic++;
            if (cp == 0x06CC || cp == 0x06A9 || cp == 0x067E || cp == 0x0686 ||
                cp == 0x0698 || cp == 0x06AF)
                persian++;
            else if (cp == 0x064A || cp == 0x0643 || cp == 0x0629)
                arabic_only++;
            if (cp == 0x06D2 || cp == 0x0679 || cp == 0x0688 || cp == 0x06BA)
                urdu++;
        } else if (cp >= 0x00C0 && cp != 0xFFFD &&
                   !(cp >= 0x2000 && cp < 0x3000)) {
            other++; /* letters of other scripts (roughly) */
        }
    }
    if (arabic < 20 || arabic * 2 <= arabic + other)
        return NULL;
    if (urdu * 50 > arabic)
        return "ur";
    return persian > arabic_only ? "fa" : "ar";
}

static int
arabic_script_lang(const char *l)
{
    static const char *const langs[] = {"ar",  "fa", "ur", "ps", "ku",
                                        "ckb", "sd", "ug", "prs"};
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        if (strcmp(l, langs[i]) == 0)
            return 1;
    return 0;
}

static char *
dup_or_null(const char *s, kh_status *rc)
{
    if (s == NULL || *rc != KH_OK)
        return NULL;
    char *r = kh__strndup(s, strlen(s));
    if (r == NULL)
        *rc = KH_ENOMEM;
    return r;
}

static char *
strip_by(const char *s, kh_status *rc)
{
    if (s == NULL)
        return NULL;
    static const char *const prefixes[] = {"By ",   "by ",  "BY ",
                                           "بقلم:", "بقلم", "كتب:"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t pl = strlen(prefixes[i]);
        if (strncmp(s, prefixes[i], pl) == 0) {
            s += pl;
            break;
        }
    }
    char *r = kh__clean_dup(s, rc);
    if (r != NULL) {
        size_t n = strlen(r);
        while (n > 0 && strchr(".,;:|-", r[n - 1]) != NULL)
            r[--n] = '\0';
        while (n > 0 && r[n - 1] == ' ')
            r[--n] = '\0';
        if (n == 0) {
            kh_free(r);
            r = NULL;
        }
    }
    return r;
}

void
kh__meta_finish(kh_xpage *pg, const char *url, kh_page *out, kh_status *rc)
{
    kh_xmeta *m = &pg->meta;
    if (*rc != KH_OK)
        return;

    /* URL: canonical, else og:url, made absolute against the fetch URL. */
    const char *canon = m->canonical != NULL ? m->canonical : m->og_url;
    if (canon != NULL) {
        xmlChar *abs = url != NULL ? xmlBuildURI((const xmlChar *)canon,
                                                 (const xmlChar *)url)
                                   : xmlStrdup((const xmlChar *)canon);
        if (abs != NULL &&
            (xmlStrncasecmp(abs, (const xmlChar *)"http://", 7) == 0 ||
             xmlStrncasecmp(abs, (const xmlChar *)"https://", 8) == 0))
            out->url = dup_or_null((const char *)abs, rc);
        xmlFree(abs);
    }
    if (out->url == NULL)
        out->url = dup_or_null(url, rc);

    char *host = kh__url_host(url != NULL ? url : out->url, rc);
    const char *site = m->og_site != NULL    ? m->og_site
                       : m->app_name != NULL ? m->app_name
                                             : m->ld_publisher;
    if (m->og_site != NULL)
        out->source = dup_or_null(m->og_site, rc);
    else if (host != NULL)
        out->source = dup_or_null(host, rc);

    /* Title: the editors' own (og:title, JSON-LD headline) before the
     * page's <h1> (often the logo on weaker markup) before <title>, which
     * usually carries the site name. */
    const char *meta_title = m->og_title != NULL ? m->og_title : m->tw_title;
    if (meta_title != NULL)
        out->title = strip_site(meta_title, site, host, rc);
    else if (m->ld_headline != NULL)
        out->title = dup_or_null(m->ld_headline, rc);
    else if (m->h1 != NULL && (m->html_title == NULL || m->n_h1 == 1 ||
                               strstr(m->html_title, m->h1) != NULL))
        out->title = dup_or_null(m->h1, rc);
    else if (m->html_title != NULL)
        out->title = strip_site(m->html_title, site, host, rc);
    else
        out->title = dup_or_null(m->h1, rc);
    /* "Site - Headline" in og:title beside <h1>Headline</h1> */
    char title_site[128] = "";
    if (out->title != NULL && m->h1 != NULL &&
        segment_of(out->title, m->h1, title_site, sizeof title_site)) {
        if (site == NULL)
            site = title_site;
        kh_free(out->title);
        out->title = dup_or_null(m->h1, rc);
    }
    if (out->title != NULL && out->title[0] == '\0') {
        kh_free(out->title);
        out->title = NULL;
    }

    const char *author = m->ld_author != NULL     ? m->ld_author
                         : m->meta_author != NULL ? m->meta_author
                         : m->rel_author != NULL  ? m->rel_author
                                                  : m->byline;
    out->author = strip_by(author, rc);
    /* a site that signs its pages with its own name has no author */
    if (out->author != NULL &&
        names_site(out->author, strlen(out->author), site, host) &&
        strlen(out->author) < 40) {
        kh_free(out->author);
        out->author = NULL;
    }

    kh_free(host);
}

char *
kh__meta_lang(kh_xpage *pg, const char *text, kh_status *rc)
{
    kh_xmeta *m = &pg->meta;
    char lang[8];
    lang_tag(m->html_lang, lang);
    if (lang[0] == '\0')
        lang_tag(m->meta_lang, lang);
    if (lang[0] == '\0')
        lang_tag(m->og_locale, lang);
    /* Markup that declares a language of another script than the text's
     * is wrong (templates keep lang="en-US"); the letters win then. */
    const char *seen = detect_lang(text);
    if (seen != NULL && (lang[0] == '\0' || !arabic_script_lang(lang)))
        return dup_or_null(seen, rc);
    return lang[0] != '\0' ? dup_or_null(lang, rc) : NULL;
}
