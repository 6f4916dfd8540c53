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

#include <jansson.h>
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

typedef struct stash {
    void *p; /* the text, or the first attribute */
    uint32_t len;
    uint8_t kind; /* KH_STASH_* */
    uint8_t used;
} stash;

struct kh_htree {
    kh_hnode doc;
    kh_hnode *cur; /* the open element (or the document) */
    chunk *chunks; /* the current one first */
    htmlParserCtxtPtr ctxt;
    kh_hnode *grow; /* a text node given room to grow, and the room */
    size_t grow_cap;
    stash *stash; /* pieces taken out by the pre-pass (htree.h) */
    size_t n_stash, cap_stash;
    struct {
        const kh_hnode *text;
        json_t *json;
    } json[16]; /* parsed JSON-LD texts */
    size_t n_json;
    /* kh__tag_of() of the parser's names, which it interns: by address */
    struct {
        const xmlChar *name;
        uint8_t tag;
    } tags[64];
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

void *
kh__htree_alloc(kh_htree *t, size_t n)
{
    return arena_alloc(t, n);
}

long
kh__htree_stash(kh_htree *t, int kind, void *p, uint32_t len)
{
    if (t->n_stash == t->cap_stash) {
        size_t cap = t->cap_stash ? 2 * t->cap_stash : 1024;
        stash *ns = kh_realloc(t->stash, cap * sizeof *ns);
        if (ns == NULL) {
            t->rc = KH_ENOMEM;
            return -1;
        }
        t->stash = ns;
        t->cap_stash = cap;
    }
    stash *e = &t->stash[t->n_stash];
    e->p = p;
    e->len = len;
    e->kind = (uint8_t)kind;
    e->used = 0;
    return (long)t->n_stash++;
}

size_t
kh__htree_stashed(const kh_htree *t)
{
    return t->n_stash;
}

/* The unused stash of this kind that the token s[0..n) (past its
 * prefix) names, or NULL: a decimal index without leading zeros. */
static stash *
stash_of(kh_htree *t, const xmlChar *s, size_t n, int kind)
{
    if (n == 0 || n > 9 || (s[0] == '0' && n > 1))
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return NULL;
        k = k * 10 + (size_t)(s[i] - '0');
    }
    if (k >= t->n_stash || t->stash[k].kind != kind || t->stash[k].used)
        return NULL;
    t->stash[k].used = 1;
    return &t->stash[k];
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
    size_t slot = ((uintptr_t)name >> 4) % (sizeof t->tags / sizeof t->tags[0]);
    if (t->tags[slot].name != name) {
        t->tags[slot].name = name;
        t->tags[slot].tag = (uint8_t)kh__tag_of(n->name);
    }
    n->tag = t->tags[slot].tag;
    kh_hattr **tail = &n->attrs;
    kh_hattr *stashed = NULL;
    for (size_t i = 0; atts != NULL && atts[i] != NULL; i += 2) {
        const char *v = atts[i + 1] != NULL ? (const char *)atts[i + 1] : "";
        if (t->n_stash > 0 && v[0] == '\x01' && stashed == NULL &&
            strcmp((const char *)atts[i], KH_TOKEN_ATTR) == 0) {
            stash *e =
                stash_of(t, atts[i + 1] + 1, strlen(v + 1), KH_STASH_ATTRS);
            if (e != NULL) {
                stashed = e->p;
                continue;
            }
        }
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
    *tail = stashed; /* the names differ from those before */
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
    char *whole = NULL; /* a stashed text, kept where it is */
    if (t->n_stash > 0 && n >= 4 && memcmp(s, KH_TOKEN_TEXT, 3) == 0) {
        stash *e = stash_of(t, s + 3, n - 3, KH_STASH_TEXT);
        if (e != NULL) {
            whole = e->p;
            s = (const xmlChar *)whole;
            n = e->len;
        }
    }
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
    char *m = tn == NULL ? NULL : whole != NULL ? whole : arena_alloc(t, n + 1);
    if (m == NULL) {
        fail(t);
        return;
    }
    memset(tn, 0, sizeof *tn);
    tn->type = KH_HN_TEXT;
    if (m != whole) {
        memcpy(m, s, n);
        m[n] = '\0';
    }
    tn->text = m;
    tn->len = (uint32_t)n;
    append_child(t->cur, tn);
}

kh_htree *
kh__htree_new(void)
{
    kh_htree *t = kh_malloc(sizeof *t);
    if (t == NULL)
        return NULL;
    memset(t, 0, sizeof *t);
    t->doc.type = KH_HN_DOCUMENT;
    t->cur = &t->doc;
    t->rc = KH_OK;
    return t;
}

kh_status
kh__htree_parse(const char *s, size_t len, kh_htree **out)
{
    *out = NULL;
    kh_htree *t = kh__htree_new();
    if (t == NULL)
        return KH_ENOMEM;
    kh_status rc = kh__htree_fill(t, s, len);
    if (rc != KH_OK) {
        kh__htree_free(t);
        return rc;
    }
    *out = t;
    return KH_OK;
}

kh_status
kh__htree_fill(kh_htree *t, const char *s, size_t len)
{
    if (t->rc != KH_OK || t->ctxt != NULL)
        return KH_ENOMEM;
    t->ctxt = htmlNewParserCtxt();
    if (t->ctxt == NULL)
        return KH_ENOMEM;
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
    /* the stashed pieces live on in the arena; their index goes */
    kh_free(t->stash);
    t->stash = NULL;
    t->n_stash = t->cap_stash = 0;
    return t->rc;
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
    kh_free(t->stash);
    for (size_t i = 0; i < t->n_json; i++)
        json_decref(t->json[i].json);
    if (t->ctxt != NULL)
        htmlFreeParserCtxt(t->ctxt);
    kh_free(t);
}

json_t *
kh__htree_json(const kh_htree *ct, const kh_hnode *text, int *mine)
{
    kh_htree *t = (kh_htree *)ct; /* the cache is not the tree */
    *mine = 0;
    for (size_t i = 0; i < t->n_json; i++)
        if (t->json[i].text == text)
            return t->json[i].json;
    json_error_t jerr;
    json_t *j = json_loadb(text->text, text->len, JSON_DECODE_ANY, &jerr);
    if (j == NULL)
        return NULL; /* not JSON: parsed again if asked again, rarely */
    if (t->n_json < sizeof t->json / sizeof t->json[0]) {
        t->json[t->n_json].text = text;
        t->json[t->n_json++].json = j;
    } else {
        *mine = 1;
    }
    return j;
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
