/*
 * percolate.c -- matching one new article against many saved queries.
 *
 * Running every saved query against every new article costs (queries x
 * articles).  Instead each query is filed under anchor keys: terms such
 * that any article it matches must contain at least one of them.  A
 * conjunction needs only one of its required parts, so it is filed under
 * the rarest (the fewest articles have it, by the index's document
 * frequencies); an OR needs every alternative's anchors; a source: filter
 * is a key of its own.  An article then looks up its distinct stems (and
 * its source) and verifies only the queries found there: for saved queries
 * made of headline words, a handful per article.  A query with no anchor
 * at all (only dates, say) is verified for every article.
 *
 * The semantics are those of `khabar search --all`: juxtaposed words are
 * all required (stop words among them are not), an OR needs one of its
 * sides, -x must be absent, "phrases" match by stems at their gaps, title:
 * looks in the title, source: and since:/until: filter, entity: holds
 * for the articles the index lists under the name (resolved by the
 * caller before matching, kh__perc_entities()).  story: cannot be saved
 * (a story is known only after the article is in it).
 */
#include "alert/alert.h"
#include "extract/entity.h"

#include <stdio.h>
#include <string.h>

/* ---- One article, analyzed once ---------------------------------------- */

/* Body positions start past the title's by this much, so that no phrase
 * runs from the title into the body. */
#define BODY_OFFSET 100000u

typedef struct mterm {
    uint32_t first; /* into pos[] */
    uint32_t n;
} mterm;

struct kh_mdoc {
    kh_strmap terms; /* stem -> index into t[] + 1 */
    mterm *t;
    size_t n_t, cap_t;
    uint32_t *pos; /* each term's positions, ascending */
    /* scratch: (term, position) pairs in text order */
    uint32_t *tok_term, *tok_pos;
    size_t n_tok, cap_tok;
    char source[256]; /* ASCII-lower-cased */
    int64_t date;
    int64_t docid; /* for entity: (kh__mdoc_set_docid()) */
};

kh_status
kh__mdoc_new(kh_mdoc **out)
{
    kh_mdoc *d = kh_malloc(sizeof *d);
    if (d == NULL)
        return KH_ENOMEM;
    memset(d, 0, sizeof *d);
    kh__strmap_init(&d->terms);
    *out = d;
    return KH_OK;
}

void
kh__mdoc_free(kh_mdoc *d)
{
    if (d == NULL)
        return;
    kh__strmap_release(&d->terms);
    kh_free(d->t);
    kh_free(d->pos);
    kh_free(d->tok_term);
    kh_free(d->tok_pos);
    kh_free(d);
}

static kh_status
add_text(kh_mdoc *d, kh_analyzer *an, const char *text, uint32_t base)
{
    if (text == NULL)
        return KH_OK;
    kh_analyzer_reset(an, text, strlen(text));
    kh_token tk;
    while (kh_analyzer_next(an, &tk)) {
        kh_strmap_entry *e = kh__strmap_upsert(&d->terms, tk.stem, tk.stem_len);
        if (e == NULL)
            return KH_ENOMEM;
        if (e->value == 0) {
            if (d->n_t == d->cap_t) {
                size_t cap = d->cap_t ? 2 * d->cap_t : 256;
                mterm *t = kh_realloc(d->t, cap * sizeof *t);
                if (t == NULL)
                    return KH_ENOMEM;
                d->t = t;
                d->cap_t = cap;
            }
            d->t[d->n_t] = (mterm){0, 0};
            e->value = ++d->n_t;
        }
        if (d->n_tok == d->cap_tok) {
            size_t cap = d->cap_tok ? 2 * d->cap_tok : 1024;
            uint32_t *a = kh_realloc(d->tok_term, cap * sizeof *a);
            if (a == NULL)
                return KH_ENOMEM;
            d->tok_term = a;
            uint32_t *b = kh_realloc(d->tok_pos, cap * sizeof *b);
            if (b == NULL)
                return KH_ENOMEM;
            d->tok_pos = b;
            uint32_t *c = kh_realloc(d->pos, cap * sizeof *c);
            if (c == NULL)
                return KH_ENOMEM;
            d->pos = c;
            d->cap_tok = cap;
        }
        uint32_t ti = (uint32_t)e->value - 1;
        d->tok_term[d->n_tok] = ti;
        d->tok_pos[d->n_tok] = base + tk.position;
        d->n_tok++;
        d->t[ti].n++;
    }
    return KH_OK;
}

kh_status
kh__mdoc_fill(kh_mdoc *d, kh_analyzer *an, const char *title, const char *body,
              const char *source, int64_t date)
{
    kh__strmap_release(&d->terms);
    d->n_t = 0;
    d->n_tok = 0;
    d->docid = -1;
    kh_status rc = add_text(d, an, title, 0);
    if (rc == KH_OK)
        rc = add_text(d, an, body, BODY_OFFSET);
    if (rc != KH_OK)
        return rc;
    /* Group the positions by term: a counting sort keeps text order. */
    uint32_t at = 0;
    for (size_t i = 0; i < d->n_t; i++) {
        d->t[i].first = at;
        at += d->t[i].n;
        d->t[i].n = 0;
    }
    for (size_t i = 0; i < d->n_tok; i++) {
        mterm *t = &d->t[d->tok_term[i]];
        d->pos[t->first + t->n++] = d->tok_pos[i];
    }
    size_t n = 0;
    if (source != NULL)
        for (; source[n] && n + 1 < sizeof d->source; n++) {
            char c = source[n];
            d->source[n] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
    d->source[n] = '\0';
    d->date = date;
    return KH_OK;
}

static const mterm *
term(const kh_mdoc *d, const char *stem)
{
    const kh_strmap_entry *e = kh__strmap_get(&d->terms, stem, strlen(stem));
    return e != NULL ? &d->t[e->value - 1] : NULL;
}

static bool
has_pos(const kh_mdoc *d, const mterm *t, uint32_t p)
{
    const uint32_t *a = d->pos + t->first;
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && a[lo] == p;
}

static bool
word_matches(const kh_mdoc *d, const kh_qnode *q)
{
    const mterm *t = term(d, q->terms[0].stem);
    if (t == NULL)
        return false;
    if (q->field == KH_QFIELD_TITLE)
        return d->pos[t->first] < BODY_OFFSET;
    return true;
}

/* The terms at their gaps from a start position of the first non-stop
 * term; stop words are skipped with their gaps kept, as the index does
 * (it does not index them). */
static bool
phrase_matches(const kh_mdoc *d, const kh_qnode *q)
{
    enum { MAXT = 32 };
    const mterm *ts[MAXT];
    uint32_t off[MAXT];
    size_t n = 0;
    uint32_t gap = 0;
    for (size_t i = 0; i < q->n_terms; i++) {
        gap += i == 0 ? 0 : q->terms[i].gap;
        if (q->terms[i].stop)
            continue;
        if (n == MAXT)
            break;
        ts[n] = term(d, q->terms[i].stem);
        if (ts[n] == NULL)
            return false;
        off[n++] = gap;
    }
    if (n == 0)
        return false;
    const mterm *t0 = ts[0];
    for (uint32_t k = 0; k < t0->n; k++) {
        uint32_t p0 = d->pos[t0->first + k];
        if (q->field == KH_QFIELD_TITLE && p0 >= BODY_OFFSET)
            break;
        bool all = true;
        for (size_t i = 1; i < n && all; i++)
            all = has_pos(d, ts[i], p0 + off[i] - off[0]);
        if (all)
            return true;
    }
    return false;
}

static bool
ignorable(const kh_qnode *c)
{
    return c->op == KH_QOP_WORD && c->terms[0].stop &&
           c->occur == KH_OCCUR_DEFAULT;
}

/* Whether docid is among an entity: node's articles (ascending). */
static bool
has_docid(const kh_qnode *q, int64_t docid)
{
    size_t lo = 0, hi = q->n_docids;
    if (docid < 0)
        return false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (q->docids[mid] < (uint64_t)docid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < q->n_docids && q->docids[lo] == (uint64_t)docid;
}

void
kh__mdoc_set_docid(kh_mdoc *d, int64_t docid)
{
    d->docid = docid;
}

bool
kh__mdoc_matches(const kh_mdoc *d, const kh_qnode *q)
{
    switch (q->op) {
    case KH_QOP_WORD:
        return word_matches(d, q);
    case KH_QOP_PHRASE:
        return phrase_matches(d, q);
    case KH_QOP_SOURCE:
        return strcmp(d->source, q->value) == 0;
    case KH_QOP_DATE:
        return d->date != KH_DATE_NONE && d->date >= q->since &&
               d->date <= q->until;
    case KH_QOP_ENTITY:
        return has_docid(q, d->docid);
    case KH_QOP_STORY:
        return false;
    case KH_QOP_BOOL:
        break;
    }
    bool any_should = false, should_hit = false;
    for (size_t i = 0; i < q->n_children; i++) {
        const kh_qnode *c = q->children[i];
        switch (c->occur) {
        case KH_OCCUR_MUST_NOT:
            if (kh__mdoc_matches(d, c))
                return false;
            break;
        case KH_OCCUR_SHOULD:
            any_should = true;
            if (!should_hit)
                should_hit = kh__mdoc_matches(d, c);
            break;
        default:
            if (!ignorable(c) && !kh__mdoc_matches(d, c))
                return false;
        }
    }
    return !any_should || should_hit;
}

/* Whether a tree asks for something positive (a word, phrase or filter
 * that must be there), as opposed to only exclusions. */
static bool
positive(const kh_qnode *q)
{
    switch (q->op) {
    case KH_QOP_WORD:
        return !q->terms[0].stop;
    case KH_QOP_PHRASE:
    case KH_QOP_SOURCE:
    case KH_QOP_DATE:
    case KH_QOP_ENTITY:
        return true;
    case KH_QOP_STORY:
        return false;
    case KH_QOP_BOOL:
        break;
    }
    for (size_t i = 0; i < q->n_children; i++)
        if (q->children[i]->occur != KH_OCCUR_MUST_NOT &&
            positive(q->children[i]))
            return true;
    return false;
}

static bool
has_op(const kh_qnode *q, kh_qop op)
{
    if (q->op == op)
        return true;
    for (size_t i = 0; q->op == KH_QOP_BOOL && i < q->n_children; i++)
        if (has_op(q->children[i], op))
            return true;
    return false;
}

/* Whether an entity: node names nothing the index can look up: no word
 * of its value has a key (kh__entity_name_key(), what search uses), so
 * search calls it an error. */
static bool
names_nothing(const kh_qnode *q)
{
    if (q->op == KH_QOP_ENTITY) {
        char key[KH_ENTITY_KEY_MAX];
        return q->value == NULL ||
               kh__entity_name_key(q->value, strlen(q->value), key,
                                   sizeof key) == 0;
    }
    for (size_t i = 0; q->op == KH_QOP_BOOL && i < q->n_children; i++)
        if (names_nothing(q->children[i]))
            return true;
    return false;
}

const char *
kh__perc_unsupported(const kh_qnode *q)
{
    if (has_op(q, KH_QOP_STORY))
        return "story: cannot be saved (follow the story's words instead)";
    if (names_nothing(q))
        return "entity: needs a name with a letter to look up (Arabic, "
               "Latin or Cyrillic)";
    if (!positive(q))
        return "a saved search needs a word, a phrase or a filter that "
               "articles must have (stop words and exclusions alone match "
               "everything)";
    return NULL;
}

/* ---- The index of queries ------------------------------------------------ */

/* Every stem a query names (and every source: key) is interned as a term
 * id.  An article marks the ids of its stems present (a stamp per id),
 * then each candidate query first checks the ids of its required words, a
 * few loads from one array; only a query that is more than a conjunction
 * of words (phrases, title:, OR, exclusions, filters) then runs the full
 * matcher.  Most saved searches are a few words: they never do. */

typedef struct qlist {
    uint32_t *q; /* query ordinals */
    size_t n, cap;
} qlist;

typedef struct pquery {
    int64_t id;
    kh_qnode *tree;
    uint32_t req; /* into p->req: its required words' term ids */
    uint16_t n_req;
    bool simple; /* the required words are the whole query */
} pquery;

struct kh_percolator {
    kh_strmap vocab;   /* key -> term id + 1 */
    qlist *lists;      /* per term id: queries anchored on it */
    uint32_t *present; /* per term id: stamp of the article that has it */
    size_t n_terms, cap_terms;
    pquery *qs;
    size_t n_qs, cap_qs;
    uint32_t *req; /* term ids, by query */
    size_t n_req, cap_req;
    qlist unanchored;
    uint32_t *seen; /* per query: stamp of the article that checked it */
    uint32_t gen;
    uint32_t *hits; /* scratch: term ids of the current article */
    size_t cap_hits;
    uint64_t checks;
};

kh_status
kh__perc_new(kh_percolator **out)
{
    kh_percolator *p = kh_malloc(sizeof *p);
    if (p == NULL)
        return KH_ENOMEM;
    memset(p, 0, sizeof *p);
    kh__strmap_init(&p->vocab);
    *out = p;
    return KH_OK;
}

void
kh__perc_free(kh_percolator *p)
{
    if (p == NULL)
        return;
    kh__strmap_release(&p->vocab);
    for (size_t i = 0; i < p->n_terms; i++)
        kh_free(p->lists[i].q);
    kh_free(p->lists);
    kh_free(p->present);
    for (size_t i = 0; i < p->n_qs; i++)
        kh__query_free(p->qs[i].tree);
    kh_free(p->qs);
    kh_free(p->req);
    kh_free(p->unanchored.q);
    kh_free(p->seen);
    kh_free(p->hits);
    kh_free(p);
}

size_t
kh__perc_count(const kh_percolator *p)
{
    return p->n_qs;
}

uint64_t
kh__perc_checks(const kh_percolator *p)
{
    return p->checks;
}

static kh_status
qlist_push(qlist *l, uint32_t q)
{
    if (l->n > 0 && l->q[l->n - 1] == q)
        return KH_OK; /* the same query twice under one key */
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 4;
        uint32_t *a = kh_realloc(l->q, cap * sizeof *a);
        if (a == NULL)
            return KH_ENOMEM;
        l->q = a;
        l->cap = cap;
    }
    l->q[l->n++] = q;
    return KH_OK;
}

/* The id of a key, interned on first sight; UINT32_MAX on failure. */
static uint32_t
intern(kh_percolator *p, const char *key, size_t len)
{
    kh_strmap_entry *e = kh__strmap_upsert(&p->vocab, key, len);
    if (e == NULL)
        return UINT32_MAX;
    if (e->value == 0) {
        if (p->n_terms == p->cap_terms) {
            size_t cap = p->cap_terms ? 2 * p->cap_terms : 1024;
            qlist *l = kh_realloc(p->lists, cap * sizeof *l);
            if (l == NULL)
                return UINT32_MAX;
            p->lists = l;
            uint32_t *pr = kh_realloc(p->present, cap * sizeof *pr);
            if (pr == NULL)
                return UINT32_MAX;
            p->present = pr;
            p->cap_terms = cap;
        }
        p->lists[p->n_terms] = (qlist){NULL, 0, 0};
        p->present[p->n_terms] = 0;
        e->value = ++p->n_terms;
    }
    return (uint32_t)e->value - 1;
}

/* Anchors of a node: at most MAX_ANCHORS keys, any of which an article
 * it matches must have.  An empty set means "none can be named". */
#define MAX_ANCHORS 32
#define KEY_MAX     (KH_MAX_TOKEN_BYTES + 8)

typedef struct anchors {
    char keys[MAX_ANCHORS][KEY_MAX];
    size_t n;
    double cost; /* summed document frequencies: what it costs to be wrong */
} anchors;

typedef struct dfctx {
    uint32_t (*df)(void *ud, const char *stem);
    void *ud;
} dfctx;

static double
stem_cost(const dfctx *c, const char *stem)
{
    /* Without frequencies, longer words are the rarer guess. */
    return c->df != NULL ? (double)c->df(c->ud, stem)
                         : 1e6 / (1.0 + (double)strlen(stem));
}

static bool
set_one(anchors *a, const char *key, double cost)
{
    size_t n = strlen(key);
    if (n + 1 > KEY_MAX)
        return false;
    memcpy(a->keys[0], key, n + 1);
    a->n = 1;
    a->cost = cost;
    return true;
}

static bool
find_anchors(const kh_qnode *q, const dfctx *c, anchors *out)
{
    out->n = 0;
    out->cost = 0;
    switch (q->op) {
    case KH_QOP_WORD:
        return !q->terms[0].stop &&
               set_one(out, q->terms[0].stem, stem_cost(c, q->terms[0].stem));
    case KH_QOP_PHRASE: {
        const char *best = NULL;
        double cost = 0;
        for (size_t i = 0; i < q->n_terms; i++) {
            if (q->terms[i].stop)
                continue;
            double k = stem_cost(c, q->terms[i].stem);
            if (best == NULL || k < cost) {
                best = q->terms[i].stem;
                cost = k;
            }
        }
        return best != NULL && set_one(out, best, cost);
    }
    case KH_QOP_SOURCE: {
        char key[KEY_MAX];
        snprintf(key, sizeof key, "\x01%s", q->value);
        /* A source has many articles: anchor on it only when nothing
         * else will do. */
        return set_one(out, key, 1e9);
    }
    case KH_QOP_DATE:
    case KH_QOP_STORY:
    case KH_QOP_ENTITY:
        return false;
    case KH_QOP_BOOL:
        break;
    }
    /* A required part that can be anchored: the cheapest will do. */
    bool found = false;
    anchors *tmp = kh_malloc(sizeof *tmp);
    if (tmp == NULL)
        return false;
    bool any_should = false, all_should = true;
    for (size_t i = 0; i < q->n_children; i++) {
        const kh_qnode *ch = q->children[i];
        if (ch->occur == KH_OCCUR_MUST_NOT || ch->occur == KH_OCCUR_SHOULD ||
            ignorable(ch))
            continue;
        if (find_anchors(ch, c, tmp) && (!found || tmp->cost < out->cost)) {
            memcpy(out, tmp, sizeof *tmp);
            found = true;
        }
    }
    /* The alternatives of an OR: every one must be anchored. */
    anchors *u = kh_malloc(sizeof *u);
    if (u == NULL) {
        kh_free(tmp);
        return found;
    }
    u->n = 0;
    u->cost = 0;
    for (size_t i = 0; i < q->n_children && all_should; i++) {
        const kh_qnode *ch = q->children[i];
        if (ch->occur != KH_OCCUR_SHOULD)
            continue;
        any_should = true;
        if (!find_anchors(ch, c, tmp) || u->n + tmp->n > MAX_ANCHORS) {
            all_should = false;
            break;
        }
        memcpy(u->keys + u->n, tmp->keys, tmp->n * sizeof tmp->keys[0]);
        u->n += tmp->n;
        u->cost += tmp->cost;
    }
    kh_free(tmp);
    if (any_should && all_should && (!found || u->cost < out->cost)) {
        memcpy(out, u, sizeof *u);
        found = true;
    }
    kh_free(u);
    return found;
}

static kh_status
req_push(kh_percolator *p, uint32_t id)
{
    if (p->n_req == p->cap_req) {
        size_t cap = p->cap_req ? 2 * p->cap_req : 4096;
        uint32_t *r = kh_realloc(p->req, cap * sizeof *r);
        if (r == NULL)
            return KH_ENOMEM;
        p->req = r;
        p->cap_req = cap;
    }
    p->req[p->n_req++] = id;
    return KH_OK;
}

/* The stems an article must have for q to match it: the non-stop terms of
 * the root's required words and phrases; q is simple when they are all it
 * asks for. */
static kh_status
required_terms(kh_percolator *p, pquery *pq)
{
    const kh_qnode *q = pq->tree;
    pq->req = (uint32_t)p->n_req;
    pq->n_req = 0;
    bool simple = q->op == KH_QOP_BOOL && q->n_children > 0;
    for (size_t i = 0; q->op == KH_QOP_BOOL && i < q->n_children; i++) {
        const kh_qnode *c = q->children[i];
        if (ignorable(c))
            continue;
        bool required =
            c->occur == KH_OCCUR_DEFAULT || c->occur == KH_OCCUR_MUST;
        bool word = (c->op == KH_QOP_WORD || c->op == KH_QOP_PHRASE);
        if (!required || !word) {
            simple = false;
            continue;
        }
        if (c->op == KH_QOP_PHRASE || c->field != KH_QFIELD_ALL)
            simple = false;
        for (size_t k = 0; k < c->n_terms && pq->n_req < 64; k++) {
            if (c->terms[k].stop)
                continue;
            uint32_t id = intern(p, c->terms[k].stem, strlen(c->terms[k].stem));
            if (id == UINT32_MAX || req_push(p, id) != KH_OK)
                return KH_ENOMEM;
            pq->n_req++;
        }
    }
    pq->simple = simple && pq->n_req > 0;
    return KH_OK;
}

kh_status
kh__perc_add(kh_percolator *p, int64_t id, kh_qnode *q,
             uint32_t (*df)(void *ud, const char *stem), void *ud)
{
    if (p->n_qs == p->cap_qs) {
        size_t cap = p->cap_qs ? 2 * p->cap_qs : 64;
        pquery *qs = kh_realloc(p->qs, cap * sizeof *qs);
        if (qs == NULL) {
            kh__query_free(q);
            return KH_ENOMEM;
        }
        p->qs = qs;
        uint32_t *seen = kh_realloc(p->seen, cap * sizeof *seen);
        if (seen == NULL) {
            kh__query_free(q);
            return KH_ENOMEM;
        }
        p->seen = seen;
        p->cap_qs = cap;
    }
    uint32_t ord = (uint32_t)p->n_qs;
    pquery *pq = &p->qs[p->n_qs];
    *pq = (pquery){id, q, 0, 0, false};
    p->seen[p->n_qs] = 0;
    p->n_qs++;
    kh_status rc = required_terms(p, pq);
    anchors *a = rc == KH_OK ? kh_malloc(sizeof *a) : NULL;
    if (a == NULL)
        return KH_ENOMEM;
    dfctx c = {df, ud};
    if (!find_anchors(q, &c, a)) {
        rc = qlist_push(&p->unanchored, ord);
    } else {
        for (size_t i = 0; i < a->n && rc == KH_OK; i++) {
            uint32_t t = intern(p, a->keys[i], strlen(a->keys[i]));
            rc = t == UINT32_MAX ? KH_ENOMEM : qlist_push(&p->lists[t], ord);
        }
    }
    kh_free(a);
    return rc;
}

static void
check(kh_percolator *p, const kh_mdoc *d, const qlist *l,
      void (*fn)(int64_t id, void *ud), void *ud)
{
    for (size_t i = 0; i < l->n; i++) {
        uint32_t q = l->q[i];
        if (p->seen[q] == p->gen)
            continue;
        p->seen[q] = p->gen;
        p->checks++;
        const pquery *pq = &p->qs[q];
        const uint32_t *r = p->req + pq->req;
        size_t k = 0;
        while (k < pq->n_req && p->present[r[k]] == p->gen)
            k++;
        if (k < pq->n_req)
            continue;
        if (pq->simple || kh__mdoc_matches(d, pq->tree))
            fn(pq->id, ud);
    }
}

/* Marks term id t present and remembers it; 0 or -1 out of memory. */
static int
mark(kh_percolator *p, uint32_t t, size_t *n)
{
    if (p->present[t] == p->gen)
        return 0;
    p->present[t] = p->gen;
    if (*n == p->cap_hits) {
        size_t cap = p->cap_hits ? 2 * p->cap_hits : 512;
        uint32_t *h = kh_realloc(p->hits, cap * sizeof *h);
        if (h == NULL)
            return -1;
        p->hits = h;
        p->cap_hits = cap;
    }
    p->hits[(*n)++] = t;
    return 0;
}

kh_status
kh__perc_match(kh_percolator *p, const kh_mdoc *d,
               void (*fn)(int64_t id, void *ud), void *ud)
{
    if (++p->gen == 0) { /* wrapped: stamps could collide */
        memset(p->seen, 0, p->n_qs * sizeof *p->seen);
        memset(p->present, 0, p->n_terms * sizeof *p->present);
        p->gen = 1;
    }
    /* Mark what the article has, then check what is anchored there: a
     * query's required words are all marked before any is checked. */
    size_t n = 0;
    for (size_t i = 0; i < d->terms.cap; i++) {
        const kh_strmap_entry *e = &d->terms.slots[i];
        if (e->key == NULL)
            continue;
        const kh_strmap_entry *v =
            kh__strmap_get(&p->vocab, e->key, e->key_len);
        if (v != NULL && mark(p, (uint32_t)v->value - 1, &n) != 0)
            return KH_ENOMEM;
    }
    if (d->source[0]) {
        char key[KEY_MAX];
        int k = snprintf(key, sizeof key, "\x01%s", d->source);
        const kh_strmap_entry *v =
            k > 0 ? kh__strmap_get(&p->vocab, key, (size_t)k) : NULL;
        if (v != NULL && mark(p, (uint32_t)v->value - 1, &n) != 0)
            return KH_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        check(p, d, &p->lists[p->hits[i]], fn, ud);
    check(p, d, &p->unanchored, fn, ud);
    return KH_OK;
}

/* Calls fn on every entity: node under q; counts them in *n. */
static kh_status
each_entity(kh_qnode *q, kh_status (*fn)(kh_qnode *q, void *ud), void *ud,
            size_t *n)
{
    if (q->op == KH_QOP_ENTITY) {
        (*n)++;
        return fn(q, ud);
    }
    kh_status rc = KH_OK;
    for (size_t i = 0; q->op == KH_QOP_BOOL && i < q->n_children && rc == KH_OK;
         i++)
        rc = each_entity(q->children[i], fn, ud, n);
    return rc;
}

kh_status
kh__perc_entities(kh_percolator *p, kh_status (*fn)(kh_qnode *q, void *ud),
                  void *ud, size_t *n)
{
    *n = 0;
    kh_status rc = KH_OK;
    for (size_t i = 0; i < p->n_qs && rc == KH_OK; i++)
        rc = each_entity(p->qs[i].tree, fn, ud, n);
    return rc;
}
