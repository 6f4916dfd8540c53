/*
 * dom.c -- a parsed page flattened for the extractor: an array of block
 * elements in document order (each knowing its parent and the end of its
 * subtree) and the text blocks between them, white space collapsed.
 *
 * Text flows through inline elements (a, span, em, ...) and is cut at
 * every other element, so a block is "the text a reader sees as one
 * paragraph, heading, list item or cell".  Elements that never carry
 * readable text (script, style, svg, form controls, ...) and hidden ones
 * are not entered.  Markup that names furniture (nav, footer, class
 * "share", role "navigation", ...) is only noted here; extract_score.c
 * decides what it means once the amount of text under it is known.
 *
 * This file knows nothing about scoring.  It reads the tree htree.c
 * built and bounds its recursion (KH_DOM_MAX_DEPTH) so that a deeply
 * nested page cannot exhaust the stack.
 */
#include "ingest/extract.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KH_DOM_MAX_DEPTH 400

typedef struct tag_entry {
    const char *name;
    uint8_t tag;
} tag_entry;

/* Sorted by name for bsearch. */
static const tag_entry tag_table[] = {
    {"a", KH_TAG_A},
    {"abbr", KH_TAG_INLINE},
    {"acronym", KH_TAG_INLINE},
    {"address", KH_TAG_ADDRESS},
    {"applet", KH_TAG_SKIP},
    {"article", KH_TAG_ARTICLE},
    {"aside", KH_TAG_ASIDE},
    {"audio", KH_TAG_SKIP},
    {"b", KH_TAG_INLINE},
    {"bdi", KH_TAG_INLINE},
    {"bdo", KH_TAG_INLINE},
    {"big", KH_TAG_INLINE},
    {"blockquote", KH_TAG_BLOCKQUOTE},
    {"body", KH_TAG_BODY},
    {"br", KH_TAG_BR},
    {"button", KH_TAG_SKIP},
    {"canvas", KH_TAG_SKIP},
    {"cite", KH_TAG_INLINE},
    {"code", KH_TAG_INLINE},
    {"data", KH_TAG_INLINE},
    {"datalist", KH_TAG_SKIP},
    {"del", KH_TAG_INLINE},
    {"dfn", KH_TAG_INLINE},
    {"dialog", KH_TAG_SKIP},
    {"div", KH_TAG_DIV},
    {"dl", KH_TAG_LIST},
    {"em", KH_TAG_INLINE},
    {"embed", KH_TAG_SKIP},
    {"figcaption", KH_TAG_FIGCAPTION},
    {"figure", KH_TAG_FIGURE},
    {"font", KH_TAG_INLINE},
    {"footer", KH_TAG_FOOTER},
    {"form", KH_TAG_FORM},
    {"frame", KH_TAG_SKIP},
    {"frameset", KH_TAG_SKIP},
    {"h1", KH_TAG_H1},
    {"h2", KH_TAG_H2},
    {"h3", KH_TAG_H2},
    {"h4", KH_TAG_H2},
    {"h5", KH_TAG_H2},
    {"h6", KH_TAG_H2},
    {"head", KH_TAG_HEAD},
    {"header", KH_TAG_HEADER},
    {"html", KH_TAG_HTML},
    {"i", KH_TAG_INLINE},
    {"iframe", KH_TAG_SKIP},
    {"img", KH_TAG_INLINE},
    {"input", KH_TAG_SKIP},
    {"ins", KH_TAG_INLINE},
    {"kbd", KH_TAG_INLINE},
    {"label", KH_TAG_INLINE},
    {"li", KH_TAG_LI},
    {"link", KH_TAG_LINK},
    {"main", KH_TAG_MAIN},
    {"map", KH_TAG_SKIP},
    {"mark", KH_TAG_INLINE},
    {"math", KH_TAG_SKIP},
    {"menu", KH_TAG_LIST},
    {"meta", KH_TAG_META},
    {"nav", KH_TAG_NAV},
    {"nobr", KH_TAG_INLINE},
    {"noscript", KH_TAG_SKIP},
    {"object", KH_TAG_SKIP},
    {"ol", KH_TAG_LIST},
    {"optgroup", KH_TAG_SKIP},
    {"option", KH_TAG_SKIP},
    {"p", KH_TAG_P},
    {"picture", KH_TAG_SKIP},
    {"pre", KH_TAG_PRE},
    {"q", KH_TAG_INLINE},
    {"rp", KH_TAG_SKIP},
    {"rt", KH_TAG_SKIP},
    {"ruby", KH_TAG_INLINE},
    {"s", KH_TAG_INLINE},
    {"samp", KH_TAG_INLINE},
    {"script", KH_TAG_SCRIPT},
    {"section", KH_TAG_SECTION},
    {"select", KH_TAG_SKIP},
    {"small", KH_TAG_INLINE},
    {"source", KH_TAG_SKIP},
    {"span", KH_TAG_INLINE},
    {"strike", KH_TAG_INLINE},
    {"strong", KH_TAG_INLINE},
    {"style", KH_TAG_SKIP},
    {"sub", KH_TAG_INLINE},
    {"sup", KH_TAG_INLINE},
    {"svg", KH_TAG_SKIP},
    {"table", KH_TAG_TABLE},
    {"td", KH_TAG_TD},
    {"template", KH_TAG_SKIP},
    {"textarea", KH_TAG_SKIP},
    {"th", KH_TAG_TD},
    {"time", KH_TAG_TIME},
    {"title", KH_TAG_TITLE},
    {"tt", KH_TAG_INLINE},
    {"u", KH_TAG_INLINE},
    {"ul", KH_TAG_LIST},
    {"var", KH_TAG_INLINE},
    {"video", KH_TAG_SKIP},
    {"wbr", KH_TAG_INLINE},
};

static int
tag_cmp(const void *key, const void *entry)
{
    const char *k = key, *n = ((const tag_entry *)entry)->name;
    /* the first letter decides most steps without a call */
    if (k[0] != n[0])
        return (unsigned char)k[0] - (unsigned char)n[0];
    return strcmp(k, n);
}

kh_tag
kh__tag_of(const char *name)
{
    if (name == NULL)
        return KH_TAG_OTHER;
    const tag_entry *e =
        bsearch(name, tag_table, sizeof tag_table / sizeof tag_table[0],
                sizeof tag_table[0], tag_cmp);
    return e != NULL ? (kh_tag)e->tag : KH_TAG_OTHER;
}

static void
node_text_rec(const kh_hnode *n, kh_buf *b, int *pending, kh_status *rc,
              unsigned depth)
{
    for (const kh_hnode *c = n->children; c != NULL && *rc == KH_OK;
         c = c->next) {
        if (c->type == KH_HN_TEXT) {
            kh__collapse_ws(b, c->text, c->len, pending, rc);
        } else if (c->type == KH_HN_ELEMENT && depth < KH_DOM_MAX_DEPTH) {
            kh_tag t = (kh_tag)c->tag;
            if (t == KH_TAG_SKIP || t == KH_TAG_SCRIPT)
                continue;
            if (t == KH_TAG_BR && *pending == 0)
                *pending = 1;
            node_text_rec(c, b, pending, rc, depth + 1);
            if (t != KH_TAG_INLINE && t != KH_TAG_A && *pending == 0)
                *pending = 1;
        }
    }
}

char *
kh__node_text(const kh_hnode *node, kh_status *rc)
{
    if (node == NULL || *rc != KH_OK)
        return NULL;
    kh_buf b;
    kh__buf_init(&b);
    int pending = -1;
    node_text_rec(node, &b, &pending, rc, 0);
    if (*rc != KH_OK || b.len == 0) {
        kh__buf_release(&b);
        return NULL;
    }
    return kh__buf_detach(&b, NULL, rc);
}

/* ---- Markup hints: class, id, role ----------------------------------- */

/* Words of class and id values: furniture, strong (share, comments,
 * related: nearly always) or weak (header, sidebar: unless the element
 * holds the text), and words of content containers.  Sorted for bsearch. */
enum {
    W_STRONG = 1,
    W_WEAK = 2,
    W_CONTENT = 4,
    W_ARTICLE = 8, /* article, post, entry, story: "article-body" pairs */
    W_BYLINE = 16,
};

typedef struct word_entry {
    const char *word;
    uint8_t kind;
} word_entry;

static const word_entry words[] = {
    {"ad", W_STRONG},
    {"ads", W_STRONG},
    {"adsense", W_STRONG},
    {"advert", W_STRONG},
    {"advertisement", W_STRONG},
    {"advertising", W_STRONG},
    {"also", W_STRONG},
    {"article", W_CONTENT | W_ARTICLE},
    {"author", W_WEAK | W_BYLINE},
    {"banner", W_WEAK},
    {"body", W_CONTENT},
    {"breadcrumb", W_STRONG},
    {"breadcrumbs", W_STRONG},
    {"byline", W_WEAK | W_BYLINE},
    {"caption", W_WEAK},
    {"carousel", W_WEAK},
    {"comment", W_STRONG},
    {"comments", W_STRONG},
    {"content", W_CONTENT},
    {"cookie", W_STRONG},
    {"cookies", W_STRONG},
    {"copyright", W_WEAK},
    {"credit", W_WEAK},
    {"credits", W_WEAK},
    {"disqus", W_STRONG},
    {"entry", W_CONTENT | W_ARTICLE},
    {"footer", W_WEAK},
    {"gallery", W_WEAK},
    {"header", W_WEAK},
    {"img", W_WEAK},
    {"login", W_WEAK},
    {"main", W_CONTENT},
    {"masthead", W_WEAK},
    {"menu", W_WEAK},
    {"meta", W_WEAK},
    {"modal", W_STRONG},
    {"nav", W_STRONG},
    {"navbar", W_STRONG},
    {"navigation", W_STRONG},
    {"newsletter", W_STRONG},
    {"outbrain", W_STRONG},
    {"pager", W_WEAK},
    {"pagination", W_WEAK},
    {"photo", W_WEAK},
    {"popular", W_STRONG},
    {"popup", W_STRONG},
    {"post", W_CONTENT | W_ARTICLE},
    {"promo", W_STRONG},
    {"promoted", W_STRONG},
    {"recommend", W_STRONG},
    {"recommendation", W_STRONG},
    {"recommendations", W_STRONG},
    {"recommended", W_STRONG},
    {"related", W_STRONG},
    {"search", W_WEAK},
    {"share", W_STRONG},
    {"shares", W_STRONG},
    {"sharing", W_STRONG},
    {"sidebar", W_WEAK},
    {"signup", W_STRONG},
    {"slider", W_WEAK},
    {"social", W_STRONG},
    {"sponsor", W_STRONG},
    {"sponsored", W_STRONG},
    {"story", W_CONTENT | W_ARTICLE},
    {"subscribe", W_STRONG},
    {"subscription", W_STRONG},
    {"taboola", W_STRONG},
    {"tag", W_WEAK},
    {"tags", W_WEAK},
    {"text", W_CONTENT},
    {"thumb", W_WEAK},
    {"ticker", W_WEAK},
    {"toolbar", W_WEAK},
    {"tools", W_WEAK},
    {"topics", W_WEAK},
    {"trending", W_STRONG},
    {"widget", W_WEAK},
    {"widgets", W_WEAK},
};

#define N_WORDS  (sizeof words / sizeof words[0])
#define MAX_WORD 15 /* letters of the longest word */

/* The words by first letter: those of letter c are
 * words[first[c - 'a'], first[c - 'a' + 1]); and their lengths.  Class
 * and id values are scanned for every element of the page, so a word
 * costs a few comparisons. */
static uint8_t first[27], word_len[N_WORDS];
static pthread_once_t words_once = PTHREAD_ONCE_INIT;

static void
index_words(void)
{
    size_t k = 0;
    for (int c = 0; c < 26; c++) {
        first[c] = (uint8_t)k;
        while (k < N_WORDS && words[k].word[0] == 'a' + c)
            k++;
    }
    first[26] = (uint8_t)k;
    for (k = 0; k < N_WORDS; k++)
        word_len[k] = (uint8_t)strlen(words[k].word);
}

/* The kind of the lower-case word w[0..n), 1 < n <= MAX_WORD. */
static unsigned
word_kind(const char *w, size_t n)
{
    int c = w[0] - 'a';
    for (size_t k = first[c]; k < first[c + 1]; k++)
        if (word_len[k] == n && memcmp(words[k].word, w, n) == 0)
            return words[k].kind;
    return 0;
}

typedef struct hints {
    int strong, weak, content, body_pair, byline;
} hints;

/* Splits an attribute value into lower-case words at non-letters and at
 * camelCase humps ("relatedArticles" -> related, articles) and notes
 * which lists they fall in. */
static void
scan_words(const char *v, hints *h)
{
    pthread_once(&words_once, index_words);
    char w[MAX_WORD + 1];
    size_t n = 0;
    unsigned prev = 0; /* kind of the word before */
    for (size_t i = 0;; i++) {
        unsigned char c = (unsigned char)v[i];
        int lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
        if (lower && n > 0) {
            if (n < sizeof w)
                w[n] = (char)c;
            n++;
            continue; /* most letters */
        }
        int hump =
            upper && n > 0 && i > 0 && v[i - 1] >= 'a' && v[i - 1] <= 'z';
        if ((!lower && !upper) || hump) {
            if (n > 0) {
                unsigned k = n > 1 && n <= MAX_WORD ? word_kind(w, n) : 0;
                if (k & W_STRONG)
                    h->strong = 1;
                else if (k & W_WEAK)
                    h->weak = 1;
                if (k & W_CONTENT) {
                    h->content = 1;
                    if (!(k & W_ARTICLE) && (prev & W_ARTICLE))
                        h->body_pair = 1;
                }
                if (k & W_BYLINE)
                    h->byline = 1;
                prev = k;
            }
            n = 0;
        }
        if (c == '\0')
            break;
        if (lower || upper) {
            if (n < sizeof w)
                w[n] = (char)(c | 0x20);
            n++;
        }
    }
}

static int
is_hidden(const kh_hnode *n)
{
    if (n->attrs == NULL)
        return 0;
    if (kh__hattr(n, "hidden") != NULL)
        return 1;
    const char *aria = kh__hattr(n, "aria-hidden");
    if (aria != NULL && strcasecmp(aria, "true") == 0)
        return 1;
    const char *style = kh__hattr(n, "style");
    if (style != NULL) {
        char s[256];
        size_t k = 0;
        for (size_t i = 0; style[i] != '\0' && k + 1 < sizeof s; i++)
            if (style[i] != ' ' && style[i] != '\t')
                s[k++] = (char)(style[i] | 0x20);
        s[k] = '\0';
        if (strstr(s, "display:none") != NULL ||
            strstr(s, "visibility:hidden") != NULL)
            return 1;
    }
    return 0;
}

static void
markup_hints(const kh_hnode *n, kh_tag tag, uint8_t *junk, uint8_t *hint)
{
    hints h = {0, 0, 0, 0, 0};
    if (n->attrs != NULL) {
        const char *v = kh__hattr(n, "class");
        if (v != NULL)
            scan_words(v, &h);
        v = kh__hattr(n, "id");
        if (v != NULL)
            scan_words(v, &h);
        v = kh__hattr(n, "role");
        if (v != NULL) {
            if (strcmp(v, "navigation") == 0 || strcmp(v, "dialog") == 0)
                h.strong = 1;
            else if (strcmp(v, "complementary") == 0 ||
                     strcmp(v, "banner") == 0 || strcmp(v, "contentinfo") == 0)
                h.weak = 1;
        }
        v = kh__hattr(n, "itemprop");
        if (v != NULL && (strstr(v, "articleBody") != NULL ||
                          strstr(v, "reviewBody") != NULL))
            h.body_pair = 1;
    }
    switch (tag) {
    case KH_TAG_NAV:
        h.strong = 1;
        break;
    case KH_TAG_HEADER:
    case KH_TAG_FOOTER:
    case KH_TAG_ASIDE:
    case KH_TAG_FORM:
        h.weak = 1;
        break;
    case KH_TAG_FIGCAPTION:
        h.strong = 1;
        break;
    default:
        break;
    }
    *junk = h.strong               ? KH_JUNK_STRONG
            : h.weak && !h.content ? KH_JUNK_WEAK
                                   : KH_JUNK_NONE;
    if (h.body_pair)
        *junk = KH_JUNK_NONE;
    *hint = (uint8_t)((h.body_pair ? KH_HINT_CONTENT : 0) |
                      (h.byline ? KH_HINT_BYLINE : 0));
}

/* ---- The walk -------------------------------------------------------- */

static void
flush_block(kh_xpage *pg, uint32_t elem)
{
    kh_buf *t = &pg->text;
    size_t end = t->len;
    while (end > pg->cur_start &&
           (t->data[end - 1] == ' ' || t->data[end - 1] == '\n'))
        end--;
    if (end > pg->cur_start && pg->rc == KH_OK) {
        if (pg->n_blocks == pg->cap_blocks) {
            size_t cap = pg->cap_blocks ? pg->cap_blocks * 2 : 256;
            kh_xblock *nb = kh_realloc(pg->blocks, cap * sizeof *nb);
            if (nb == NULL) {
                pg->rc = KH_ENOMEM;
                return;
            }
            pg->blocks = nb;
            pg->cap_blocks = cap;
        }
        kh_xblock *b = &pg->blocks[pg->n_blocks++];
        memset(b, 0, sizeof *b);
        const char *s = t->data + pg->cur_start;
        size_t n = end - pg->cur_start;
        b->elem = elem;
        b->start = (uint32_t)pg->cur_start;
        b->len = (uint32_t)n;
        b->chars = kh__utf8_weight(s, n);
        b->link_chars = pg->cur_link < b->chars ? pg->cur_link : b->chars;
        b->lead_link = pg->cur_lead < b->chars ? pg->cur_lead : b->chars;
        /* Words (spaces), scripts without spaces (lead bytes E3..ED),
         * and commas and sentence ends followed by a space or the end:
         * the dots of "17.03.2020" and "3.5" are not prose. */
        unsigned spaces = 0, punct = 0;
        int wide = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == ' ' || c == '\n') {
                spaces++;
                continue;
            }
            if (c < 0x80) {
                if ((c == ',' || c == '.' || c == '!' || c == '?' ||
                     c == ';') &&
                    (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\n'))
                    punct++;
                continue;
            }
            wide |= c >= 0xE3 && c <= 0xED;
            if (c == 0xD8 && i + 1 < n &&
                ((unsigned char)s[i + 1] == 0x8C ||
                 (unsigned char)s[i + 1] == 0x9F))
                punct++; /* U+060C Arabic comma, U+061F question mark */
            else if (c == 0xE3 && i + 2 < n &&
                     (unsigned char)s[i + 1] == 0x80 &&
                     ((unsigned char)s[i + 2] == 0x81 ||
                      (unsigned char)s[i + 2] == 0x82))
                punct++; /* 、 。 */
        }
        b->words = (uint16_t)(wide                 ? 65535
                              : spaces + 1 > 65535 ? 65535
                                                   : spaces + 1);
        b->punct = (uint16_t)(punct > 65535 ? 65535 : punct);
        b->tag = pg->elems[elem].tag;
        b->flags = (uint8_t)((pg->in_heading ? KH_XB_HEADING : 0) |
                             (pg->in_list ? KH_XB_LIST : 0) |
                             (pg->in_pre ? KH_XB_PRE : 0));
        b->hash = kh__text_hash(s, n);
        if (memchr(s, ' ', n) == NULL &&
            (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0))
            b->flags |= KH_XB_URL; /* a URL written out: metadata */
        t->len = end;
        kh__buf_putc(t, '\0', &pg->rc); /* blocks are NUL-separated */
    } else {
        t->len = pg->cur_start;
        if (t->data != NULL)
            t->data[t->len] = '\0';
    }
    pg->cur_start = t->len;
    pg->cur_link = 0;
    pg->cur_lead = 0;
    pg->cur_plain = 0;
    pg->pending_space = -1;
}

static int32_t
push_elem(kh_xpage *pg, const kh_hnode *node, int32_t parent, kh_tag tag)
{
    if (pg->n_elems == pg->cap_elems) {
        size_t cap = pg->cap_elems ? pg->cap_elems * 2 : 256;
        kh_xelem *ne = kh_realloc(pg->elems, cap * sizeof *ne);
        if (ne == NULL) {
            pg->rc = KH_ENOMEM;
            return -1;
        }
        pg->elems = ne;
        pg->cap_elems = cap;
    }
    kh_xelem *e = &pg->elems[pg->n_elems];
    memset(e, 0, sizeof *e);
    e->node = node;
    e->parent = parent;
    e->tag = (uint8_t)tag;
    markup_hints(node, tag, &e->junk, &e->hint);
    return (int32_t)pg->n_elems++;
}

static void
add_text(kh_xpage *pg, const char *s, size_t len)
{
    size_t before = pg->text.len;
    kh__collapse_ws(&pg->text, s, len, &pg->pending_space, &pg->rc);
    if (pg->text.len > before) {
        uint32_t w =
            kh__utf8_weight(pg->text.data + before, pg->text.len - before);
        if (pg->in_link) {
            pg->cur_link += w;
            if (!pg->cur_plain)
                pg->cur_lead += w;
        } else {
            /* white space between two links does not end the lead */
            for (size_t i = before; i < pg->text.len && !pg->cur_plain; i++)
                if (pg->text.data[i] != ' ' && pg->text.data[i] != '\n')
                    pg->cur_plain = 1;
        }
    }
}

static void walk(kh_xpage *pg, const kh_hnode *n, int32_t elem);

static void
walk_element(kh_xpage *pg, const kh_hnode *c, int32_t elem)
{
    kh_tag t = (kh_tag)c->tag;
    switch (t) {
    case KH_TAG_SKIP:
        return;
    case KH_TAG_SCRIPT:
    case KH_TAG_META:
    case KH_TAG_LINK:
    case KH_TAG_TITLE:
        kh__meta_element(pg, c, t);
        return;
    case KH_TAG_BR:
        if (pg->text.len > pg->cur_start &&
            pg->text.data[pg->text.len - 1] != '\n') {
            kh__buf_putc(&pg->text, '\n', &pg->rc);
            pg->pending_space = -1;
        }
        return;
    default:
        break;
    }
    if (is_hidden(c))
        return;
    if (t == KH_TAG_INLINE || t == KH_TAG_A || t == KH_TAG_TIME) {
        uint8_t junk, hint;
        markup_hints(c, t, &junk, &hint);
        if (junk == KH_JUNK_STRONG)
            return; /* a "share" or "ad" span inside a paragraph */
        int link = t == KH_TAG_A && kh__hattr(c, "href") != NULL;
        if (t == KH_TAG_A && c->attrs != NULL)
            kh__meta_element(pg, c, t);
        pg->in_link += link;
        walk(pg, c, elem);
        pg->in_link -= link;
        return;
    }
    flush_block(pg, (uint32_t)elem);
    int32_t me = push_elem(pg, c, elem, t);
    if (me < 0)
        return;
    if (t == KH_TAG_H1 && pg->elems[me].junk == KH_JUNK_NONE)
        kh__meta_element(pg, c, t);
    int junk = pg->elems[me].junk == KH_JUNK_STRONG;
    pg->in_junk += junk;
    /* a byline, unless it is the name field of a comment form */
    if ((pg->elems[me].hint & KH_HINT_BYLINE) && pg->in_junk == 0)
        kh__meta_element(pg, c, KH_TAG_ADDRESS);
    int heading = t == KH_TAG_H1 || t == KH_TAG_H2;
    int list = t == KH_TAG_LI;
    int pre = t == KH_TAG_PRE;
    pg->in_heading += heading;
    pg->in_list += list;
    pg->in_pre += pre;
    walk(pg, c, me);
    flush_block(pg, (uint32_t)me);
    pg->in_heading -= heading;
    pg->in_list -= list;
    pg->in_pre -= pre;
    pg->in_junk -= junk;
    pg->elems[me].end = (uint32_t)pg->n_elems;
}

static void
walk(kh_xpage *pg, const kh_hnode *n, int32_t elem)
{
    if (pg->depth >= KH_DOM_MAX_DEPTH)
        return;
    pg->depth++;
    for (const kh_hnode *c = n->children; c != NULL && pg->rc == KH_OK;
         c = c->next) {
        if (c->type == KH_HN_TEXT) {
            add_text(pg, c->text, c->len);
        } else if (c->type == KH_HN_ELEMENT) {
            walk_element(pg, c, elem);
        }
    }
    pg->depth--;
}

void
kh__xpage_build(kh_xpage *pg, const kh_htree *tree)
{
    const kh_hnode *root = kh__htree_root(tree);
    pg->tree = tree;
    kh__buf_reserve(&pg->text, 4096, &pg->rc);
    pg->pending_space = -1;
    if (root == NULL || pg->rc != KH_OK)
        return;
    int32_t top = push_elem(pg, root, -1, KH_TAG_HTML);
    if (top < 0)
        return;
    pg->elems[top].junk = KH_JUNK_NONE;
    const char *lang = kh__hattr(root, "lang");
    if (lang == NULL)
        lang = kh__hattr(root, "xml:lang");
    pg->meta.html_lang = kh__clean_dup(lang, &pg->rc);
    walk(pg, root, top);
    flush_block(pg, (uint32_t)top);
    pg->elems[top].end = (uint32_t)pg->n_elems;
}

void
kh__xpage_release(kh_xpage *pg)
{
    kh_free(pg->elems);
    kh_free(pg->blocks);
    kh__buf_release(&pg->text);
    kh__meta_release(&pg->meta);
    memset(pg, 0, sizeof *pg);
}
