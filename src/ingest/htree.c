/*
 * htree.c -- the page tree built from libxml2's HTML SAX events (see
 * htree.h for why not libxml2's own tree).
 *
 * Nodes, attribute values and text live in one arena of 64 KB chunks.
 * Names are the parser's interned strings, so the parser context lives
 * as long as the tree.  Adjacent text (the parser reports it in pieces:
 * at entities, at its buffer boundaries) is merged in place when it is
 * the last thing allocated, which it nearly always is.
 */
#include "ingest/extract.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <string.h>

#define KH_ARENA_CHUNK 65536

typedef struct chunk chunk;
struct chunk {
    chunk *next;
    size_t used, cap;
    _Alignas(16) char data[];
};

struct kh_htree {
    kh_hnode doc;
    kh_hnode *cur; /* the open element (or the document) */
    chunk *chunks; /* the current one first */
    htmlParserCtxtPtr ctxt;
    kh_hnode *grow; /* a text node given room to grow, and the room */
    size_t grow_cap;
    kh_status rc;
};

static void *
arena_alloc(kh_htree *t, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    chunk *c = t->chunks;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > KH_ARENA_CHUNK ? n : KH_ARENA_CHUNK;
        chunk *nc = kh_malloc(sizeof *nc + cap);
        if (nc == NULL) {
            t->rc = KH_ENOMEM;
            return NULL;
        }
        nc->used = 0;
        nc->cap = cap;
        /* A chunk made for one big piece goes behind the current one, so
         * that the current one's free space is not abandoned. */
        if (c != NULL && cap > KH_ARENA_CHUNK) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            t->chunks = nc;
        }
        c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

static kh_htree *
tree_of(void *ctx)
{
    return ((htmlParserCtxtPtr)ctx)->_private;
}

static void
fail(kh_htree *t)
{
    t->rc = KH_ENOMEM;
    xmlStopParser(t->ctxt);
}

static void
append_child(kh_hnode *parent, kh_hnode *n)
{
    n->parent = parent;
    if (parent->last != NULL)
        parent->last->next = n;
    else
        parent->children = n;
    parent->last = n;
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    kh_htree *t = tree_of(ctx);
    if (t->rc != KH_OK || name == NULL)
        return;
    kh_hnode *n = arena_alloc(t, sizeof *n);
    if (n == NULL) {
        fail(t);
        return;
    }
    memset(n, 0, sizeof *n);
    n->type = KH_HN_ELEMENT;
    n->name = (const char *)name;
    n->tag = (uint8_t)kh__tag_of(n->name);
    kh_hattr **tail = &n->attrs;
    for (size_t i = 0; atts != NULL && atts[i] != NULL; i += 2) {
        const char *v = atts[i + 1] != NULL ? (const char *)atts[i + 1] : "";
        size_t vl = strlen(v);
        kh_hattr *a = arena_alloc(t, sizeof *a + vl + 1);
        if (a == NULL) {
            fail(t);
            return;
        }
        char *copy = (char *)(a + 1);
        memcpy(copy, v, vl + 1);
        a->name = (const char *)atts[i];
        a->value = copy;
        a->next = NULL;
        *tail = a;
        tail = &a->next;
    }
    append_child(t->cur, n);
    t->cur = n;
}

static void
on_end(void *ctx, const xmlChar *name)
{
    (void)name; /* the parser pairs every end with its start */
    kh_htree *t = tree_of(ctx);
    if (t->cur->parent != NULL)
        t->cur = t->cur->parent;
}

static void
on_text(void *ctx, const xmlChar *s, int len)
{
    kh_htree *t = tree_of(ctx);
    if (t->rc != KH_OK || len <= 0)
        return;
    size_t n = (size_t)len;
    kh_hnode *last = t->cur->last;
    if (last != NULL && last->type == KH_HN_TEXT) {
        if ((size_t)last->len + n >= UINT32_MAX / 2)
            return; /* a 2 GB text node: the page is cut there */
        size_t want = (size_t)last->len + n + 1;
        if (last == t->grow && want <= t->grow_cap) {
            memcpy(last->text + last->len, s, n);
        } else {
            chunk *c = t->chunks;
            size_t end = ((size_t)last->len + 1 + 7) & ~(size_t)7;
            if (last->text + end == c->data + c->used &&
                c->cap - c->used >= n + 8) {
                /* the text is the last allocation: grow it in place */
                memcpy(last->text + last->len, s, n);
                c->used =
                    (size_t)(last->text - c->data) + ((want + 7) & ~(size_t)7);
            } else {
                /* doubling keeps a long text that keeps coming linear */
                char *m = arena_alloc(t, 2 * want);
                if (m == NULL) {
                    fail(t);
                    return;
                }
                memcpy(m, last->text, last->len);
                memcpy(m + last->len, s, n);
                last->text = m;
                t->grow = last;
                t->grow_cap = 2 * want;
            }
        }
        last->len += (uint32_t)n;
        last->text[last->len] = '\0';
        return;
    }
    if (n >= UINT32_MAX)
        return;
    kh_hnode *tn = arena_alloc(t, sizeof *tn);
    char *m = tn != NULL ? arena_alloc(t, n + 1) : NULL;
    if (m == NULL) {
        fail(t);
        return;
    }
    memset(tn, 0, sizeof *tn);
    tn->type = KH_HN_TEXT;
    memcpy(m, s, n);
    m[n] = '\0';
    tn->text = m;
    tn->len = (uint32_t)n;
    append_child(t->cur, tn);
}

kh_status
kh__htree_parse(const char *s, size_t len, kh_htree **out)
{
    *out = NULL;
    kh_htree *t = kh_malloc(sizeof *t);
    if (t == NULL)
        return KH_ENOMEM;
    memset(t, 0, sizeof *t);
    t->doc.type = KH_HN_DOCUMENT;
    t->cur = &t->doc;
    t->rc = KH_OK;
    t->ctxt = htmlNewParserCtxt();
    if (t->ctxt == NULL) {
        kh_free(t);
        return KH_ENOMEM;
    }
    htmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_text;
    sax.cdataBlock = on_text; /* script and style contents */
    memcpy(t->ctxt->sax, &sax, sizeof sax);
    t->ctxt->_private = t;
    t->ctxt->userData = t->ctxt;
    if (len > (size_t)INT32_MAX)
        len = (size_t)INT32_MAX; /* callers cap pages far below this */
    htmlDocPtr d =
        htmlCtxtReadMemory(t->ctxt, len > 0 ? s : "", (int)len, NULL, "UTF-8",
                           HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                               HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (d != NULL)
        xmlFreeDoc(d); /* not built: no startDocument handler */
    if (t->rc != KH_OK) {
        kh__htree_free(t);
        return KH_ENOMEM;
    }
    *out = t;
    return KH_OK;
}

void
kh__htree_free(kh_htree *t)
{
    if (t == NULL)
        return;
    for (chunk *c = t->chunks, *next; c != NULL; c = next) {
        next = c->next;
        kh_free(c);
    }
    htmlFreeParserCtxt(t->ctxt);
    kh_free(t);
}

const kh_hnode *
kh__htree_doc(const kh_htree *t)
{
    return &t->doc;
}

const kh_hnode *
kh__htree_root(const kh_htree *t)
{
    for (const kh_hnode *n = t->doc.children; n != NULL; n = n->next)
        if (n->type == KH_HN_ELEMENT)
            return n;
    return NULL;
}

const char *
kh__hattr(const kh_hnode *n, const char *name)
{
    for (const kh_hattr *a = n->attrs; a != NULL; a = a->next)
        if (a->name[0] == name[0] && strcmp(a->name, name) == 0)
            return a->value;
    return NULL;
}
