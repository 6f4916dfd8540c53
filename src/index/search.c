/*
 * search.c -- runs a query tree against a snapshot, one segment at a time,
 * document at a time, and keeps the best hits in a heap.
 *
 * Ranking (docs/search.md): BM25 over the stems, with title occurrences
 * weighted (pseudo-frequency = title_weight * tf_title + tf_body), plus a
 * smaller BM25 term over the normalized forms, which rewards documents
 * that use the query's exact word forms.  Collection statistics (N, df,
 * average length) are summed over the snapshot's segments.
 *
 * Each query node becomes an iterator with advance(target) and score();
 * a BOOL node drives its MUST children as a conjunction (or its SHOULD
 * children as a disjunction when it has no MUST child) and skips what a
 * MUST_NOT child matches.  Filters (source:, since:/until:) walk the
 * segment's document records.  Stop words are not indexed, so query stop
 * words are left out, except as gaps inside phrases.
 */
#include "index.h"
#include "story/story.h"
#include "store.h"
#include "query/query.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct it it;
struct it {
    uint32_t doc; /* current ordinal; KH_END when exhausted */
    double ub;    /* upper bound of score() in this segment (terms only) */
    uint32_t (*advance)(it *self, uint32_t target);
    double (*score)(it *self);
    void (*release)(it *self);
};

typedef struct ctx {
    kh_index *ix;
    const kh_snapseg *ss;
    const kh_seg *seg;
    double n_docs, avgdl;
    bool require_all;
    kh_status rc;
    bool corrupt;
} ctx;

/* Collection-wide document frequency of a key. */
static double
global_df(const kh_index *ix, const char *key, size_t len)
{
    double df = 0;
    kh_cursor c;
    kh_termstats st;
    for (size_t i = 0; i < ix->n_segs; i++)
        if (kh__seg_find(ix->segs[i].seg, key, len, &c, &st))
            df += st.df;
    return df;
}

uint64_t
kh__term_df(const kh_index *ix, const char *key, size_t len)
{
    return (uint64_t)global_df(ix, key, len);
}

uint32_t
kh__stem_df(const kh_index *ix, const char *stem)
{
    size_t n = strlen(stem);
    char key[KH_MAX_TOKEN_BYTES + 2];
    if (n + 1 >= sizeof key)
        return 0;
    key[0] = KH_KEY_STEM;
    memcpy(key + 1, stem, n);
    return (uint32_t)global_df(ix, key, n + 1);
}

static double
idf(double n, double df)
{
    /* df counts deleted articles until a merge drops them, n does not:
     * without the floor a word in nearly every article would weigh less
     * than nothing, and top-k pruning needs scores of at least 0. */
    if (n < df)
        n = df;
    return log(1.0 + (n - df + 0.5) / (df + 0.5));
}

/**************************************************************************
** Term iterator: the stem's postings, plus the normalized form's for the
** exact-form bonus.
*/
typedef struct term_it {
    it base;
    ctx *c;
    kh_cursor stem, norm;
    bool has_norm;
    double idf_stem, idf_norm;
    double norm_ub; /* the exact-form part of base.ub */
    bool title_only;
    /* term_block_ub() of the block the cursor was last in, kept because
     * a block's 128 documents ask for it again and again */
    bool bub_valid;
    uint32_t bub_block, bub_last;
    double bub;
} term_it;

/* Scoring reads lengths saturated at 65535 (kh__seg_doclen); bounds must
 * use the same, or a longer article could score above its bound. */
static double
clamp_len(uint32_t len)
{
    return len < UINT16_MAX ? (double)len : (double)UINT16_MAX;
}

static bool
in_field(const term_it *t)
{
    return !t->title_only || t->stem.tf_title > 0;
}

static uint32_t
term_advance(it *self, uint32_t target)
{
    term_it *t = (term_it *)self;
    uint32_t d = kh__cursor_advance(&t->stem, target);
    while (d != KH_END && !in_field(t))
        d = kh__cursor_next(&t->stem);
    if (t->stem.corrupt)
        t->c->corrupt = true;
    return self->doc = d;
}

static double
bm25(const ctx *c, double ptf, double dl)
{
    const kh_index *ix = c->ix;
    double norm = ix->k1 * (1.0 - ix->b + ix->b * dl / c->avgdl);
    return ptf * (ix->k1 + 1.0) / (ptf + norm);
}

static double
term_score(it *self)
{
    term_it *t = (term_it *)self;
    const ctx *c = t->c;
    double dl = kh__seg_doclen(c->seg, self->doc);
    double w = c->ix->title_weight;
    double tb = t->title_only ? 0 : t->stem.tf_body;
    double s = t->idf_stem * bm25(c, w * t->stem.tf_title + tb, dl);
    if (t->has_norm && kh__cursor_advance(&t->norm, self->doc) == self->doc) {
        double nb = t->title_only ? 0 : t->norm.tf_body;
        s += c->ix->exact_weight * t->idf_norm *
             bm25(c, w * t->norm.tf_title + nb, dl);
    }
    return s;
}

/* The bound of t's score over the block of postings holding its current
 * doc; *last is that block's last ordinal. */
static double
term_block_ub(term_it *t, uint32_t *last)
{
    if (t->bub_valid && t->bub_block == t->stem.block) {
        *last = t->bub_last;
        return t->bub;
    }
    kh_impact imp[KH_IMPACTS];
    int n = kh__cursor_block(&t->stem, imp, last);
    t->bub_valid = true;
    t->bub_block = t->stem.block;
    t->bub_last = *last;
    /* The impacts weigh the title as the index does by default; a title
     * field or another weight makes do with the term's bound. */
    if (n == 0 || t->title_only ||
        t->c->ix->title_weight != KH_IMPACT_TITLE_WEIGHT)
        return t->bub = t->base.ub;
    const kh_termstats *st = &t->stem.st;
    double max_ptf =
        KH_IMPACT_TITLE_WEIGHT * (double)st->max_tf_title + st->max_tf_body;
    double best = 0;
    for (int i = 0; i < n; i++) {
        double ptf = imp[i].ptf < 255 ? imp[i].ptf : max_ptf;
        double s = bm25(t->c, ptf, clamp_len(imp[i].len));
        if (s > best)
            best = s;
    }
    return t->bub = t->idf_stem * best + t->norm_ub;
}

static void
plain_release(it *self)
{
    kh_free(self);
}

/* Allocates a zeroed iterator of size bytes with the given methods, at
 * no document yet; NULL with c->rc set on failure. */
static void *
it_new(ctx *c, size_t size, uint32_t (*advance)(it *, uint32_t),
       double (*score)(it *), void (*release)(it *))
{
    it *x = kh_malloc(size);
    if (x == NULL) {
        c->rc = KH_ENOMEM;
        return NULL;
    }
    memset(x, 0, size);
    x->doc = KH_END;
    x->advance = advance;
    x->score = score;
    x->release = release;
    return x;
}

static char *
make_key(char kind, const char *term, size_t *len)
{
    size_t n = strlen(term);
    char *k = kh_malloc(n + 2);
    if (k != NULL) {
        k[0] = kind;
        memcpy(k + 1, term, n + 1);
        *len = n + 1;
    }
    return k;
}

/* NULL with c->rc KH_OK: the term is not in this segment. */
static term_it *
term_new(ctx *c, const kh_qterm *q, bool title_only)
{
    size_t sl, nl;
    char *sk = make_key(KH_KEY_STEM, q->stem, &sl);
    char *nk = make_key(KH_KEY_NORM, q->norm, &nl);
    term_it *t = NULL;
    if (sk == NULL || nk == NULL) {
        c->rc = KH_ENOMEM;
        goto done;
    }
    kh_cursor cur;
    kh_termstats st;
    if (!kh__seg_find(c->seg, sk, sl, &cur, &st))
        goto done;
    t = it_new(c, sizeof *t, term_advance, term_score, plain_release);
    if (t == NULL)
        goto done;
    t->c = c;
    t->stem = cur;
    t->title_only = title_only;
    kh_termstats ns;
    t->has_norm =
        c->ix->exact_forms && kh__seg_find(c->seg, nk, nl, &t->norm, &ns);
    t->idf_stem = idf(c->n_docs, global_df(c->ix, sk, sl));
    t->idf_norm = t->has_norm ? idf(c->n_docs, global_df(c->ix, nk, nl)) : 0;
    /* The largest score the term can give here: the most occurrences
     * with the shortest article holding it (bm25 grows with the first
     * and shrinks with the second). */
    double w = c->ix->title_weight;
    if (t->has_norm)
        t->norm_ub =
            c->ix->exact_weight * t->idf_norm *
            bm25(c, w * ns.max_tf_title + (title_only ? 0 : ns.max_tf_body),
                 clamp_len(ns.min_len));
    t->base.ub =
        t->idf_stem *
            bm25(c, w * st.max_tf_title + (title_only ? 0 : st.max_tf_body),
                 clamp_len(st.min_len)) +
        t->norm_ub;
done:
    kh_free(sk);
    kh_free(nk);
    return t;
}

/**************************************************************************
** Phrase iterator: a conjunction of term iterators whose positions line
** up within one field.
*/
typedef struct phrase_it {
    it base;
    ctx *c;
    term_it **terms;
    uint32_t *offsets; /* position of term i relative to term 0 */
    size_t n;
    bool title_only;
    uint32_t *pos[2]; /* scratch position lists */
    size_t cap[2];
} phrase_it;

static bool
grow_u32(uint32_t **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    uint32_t *q = kh_realloc(*p, need * 2 * sizeof *q);
    if (q == NULL)
        return false;
    *p = q;
    *cap = need * 2;
    return true;
}

static bool
has_pos(const uint32_t *list, size_t n, uint32_t want)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (list[mid] < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && list[lo] == want;
}

/* Do the terms' positions line up at the current doc? */
static bool
phrase_matches(phrase_it *p)
{
    term_it *first = p->terms[0];
    uint32_t n0 = first->stem.tf_title + first->stem.tf_body;
    uint32_t t0 = first->stem.tf_title;
    if (!grow_u32(&p->pos[0], &p->cap[0], n0 + 1)) {
        p->c->rc = KH_ENOMEM;
        return false;
    }
    if (kh__cursor_positions(&first->stem, p->pos[0], n0) != (int)n0) {
        p->c->corrupt = true;
        return false;
    }
    /* Candidates: each occurrence of the first term; ok[i] stays true while
     * every later term sits at the right offset in the same field. */
    bool alive_any = false;
    size_t nc = n0;
    uint32_t *cand = p->pos[0];
    bool *ok = kh_malloc((nc + 1) * sizeof *ok);
    if (ok == NULL) {
        p->c->rc = KH_ENOMEM;
        return false;
    }
    for (size_t i = 0; i < nc; i++)
        ok[i] = !(p->title_only && i >= t0);
    for (size_t k = 1; k < p->n; k++) {
        term_it *t = p->terms[k];
        uint32_t nk = t->stem.tf_title + t->stem.tf_body;
        uint32_t tk = t->stem.tf_title;
        if (!grow_u32(&p->pos[1], &p->cap[1], nk + 1)) {
            p->c->rc = KH_ENOMEM;
            kh_free(ok);
            return false;
        }
        if (kh__cursor_positions(&t->stem, p->pos[1], nk) != (int)nk) {
            p->c->corrupt = true;
            kh_free(ok);
            return false;
        }
        for (size_t i = 0; i < nc; i++) {
            if (!ok[i])
                continue;
            bool title = i < t0;
            const uint32_t *list = title ? p->pos[1] : p->pos[1] + tk;
            size_t len = title ? tk : nk - tk;
            ok[i] = has_pos(list, len, cand[i] + p->offsets[k]);
        }
    }
    for (size_t i = 0; i < nc; i++)
        alive_any |= ok[i];
    kh_free(ok);
    return alive_any;
}

static uint32_t
phrase_advance(it *self, uint32_t target)
{
    phrase_it *p = (phrase_it *)self;
    uint32_t d = target;
    for (;;) {
        /* Leapfrog to a doc holding every term. */
        bool agree = false;
        while (!agree) {
            agree = true;
            for (size_t k = 0; k < p->n; k++) {
                uint32_t e = p->terms[k]->base.advance(&p->terms[k]->base, d);
                if (e == KH_END)
                    return self->doc = KH_END;
                if (e != d) {
                    d = e;
                    agree = false;
                }
            }
        }
        if (phrase_matches(p) || p->c->rc != KH_OK)
            return self->doc = p->c->rc != KH_OK ? KH_END : d;
        d++;
    }
}

static double
phrase_score(it *self)
{
    phrase_it *p = (phrase_it *)self;
    double s = 0;
    for (size_t k = 0; k < p->n; k++)
        s += term_score(&p->terms[k]->base);
    return s;
}

static void
phrase_release(it *self)
{
    phrase_it *p = (phrase_it *)self;
    for (size_t k = 0; k < p->n; k++)
        kh_free(p->terms[k]);
    kh_free(p->terms);
    kh_free(p->offsets);
    kh_free(p->pos[0]);
    kh_free(p->pos[1]);
    kh_free(p);
}

/**************************************************************************
** Filters and the all-documents iterator.
*/
typedef struct filter_it {
    it base;
    ctx *c;
    int kind; /* 0 all, 1 source, 2 date, 3 a set (story:, entity:) */
    uint32_t source;
    int64_t since, until;
    const uint64_t *docids; /* story:, entity: sorted */
    size_t n_docids;
    bool done; /* ran past the last document */
} filter_it;

static bool
has_docid(const uint64_t *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x;
}

static uint32_t
filter_advance(it *self, uint32_t target)
{
    filter_it *f = (filter_it *)self;
    if (f->done)
        return KH_END; /* targets only grow: no need to scan again */
    uint32_t n = kh__seg_ndocs(f->c->seg);
    for (uint32_t d = target; d < n; d++) {
        const kh_segdoc *sd = kh__seg_doc(f->c->seg, d);
        if (f->kind == 1 && sd->source != f->source)
            continue;
        if (f->kind == 2 && (sd->date == KH_DATE_NONE || sd->date < f->since ||
                             sd->date > f->until))
            continue;
        if (f->kind == 3 && !has_docid(f->docids, f->n_docids, sd->docid))
            continue;
        return self->doc = d;
    }
    f->done = true;
    return self->doc = KH_END;
}

static double
zero_score(it *self)
{
    (void)self;
    return 0;
}

static it *
filter_new(ctx *c, int kind)
{
    filter_it *f =
        it_new(c, sizeof *f, filter_advance, zero_score, plain_release);
    if (f == NULL)
        return NULL;
    f->c = c;
    f->kind = kind;
    return &f->base;
}

/**************************************************************************
** Boolean iterator.
*/
typedef struct bool_it {
    it base;
    ctx *c;
    it **must, **should, **not ;
    size_t n_must, n_should, n_not;
    bool need_should; /* the MUSTs are only filters: a SHOULD must match */
} bool_it;

static uint32_t
bool_advance(it *self, uint32_t target)
{
    bool_it *b = (bool_it *)self;
    uint32_t d = target;
    for (;;) {
        if (b->n_must > 0) {
            bool agree = false;
            while (!agree) {
                agree = true;
                for (size_t k = 0; k < b->n_must; k++) {
                    uint32_t e = b->must[k]->doc;
                    if (e == KH_END || e < d || b->must[k]->doc == KH_END)
                        e = b->must[k]->advance(b->must[k], d);
                    if (e == KH_END)
                        return self->doc = KH_END;
                    if (e != d) {
                        d = e;
                        agree = false;
                    }
                }
            }
        } else {
            uint32_t best = KH_END;
            for (size_t k = 0; k < b->n_should; k++) {
                it *s = b->should[k];
                uint32_t e = s->doc;
                if (e == KH_END || e < d)
                    e = s->advance(s, d);
                if (e < best)
                    best = e;
            }
            if (best == KH_END)
                return self->doc = KH_END;
            d = best;
        }
        bool excluded = false;
        if (b->need_should) {
            bool any = false;
            for (size_t k = 0; k < b->n_should && !any; k++) {
                it *s = b->should[k];
                if (s->doc == KH_END || s->doc < d)
                    s->advance(s, d);
                any = s->doc == d;
            }
            excluded = !any;
        }
        for (size_t k = 0; k < b->n_not && !excluded; k++) {
            it *x = b->not [k];
            uint32_t e = x->doc;
            if (e == KH_END || e < d)
                e = x->advance(x, d);
            excluded = e == d;
        }
        if (!excluded)
            return self->doc = d;
        d++;
    }
}

static double
bool_score(it *self)
{
    bool_it *b = (bool_it *)self;
    double s = 0;
    for (size_t k = 0; k < b->n_must; k++)
        s += b->must[k]->score(b->must[k]);
    for (size_t k = 0; k < b->n_should; k++) {
        it *x = b->should[k];
        if (x->doc == KH_END || x->doc < self->doc)
            x->advance(x, self->doc);
        if (x->doc == self->doc)
            s += x->score(x);
    }
    return s;
}

static void
bool_release(it *self)
{
    bool_it *b = (bool_it *)self;
    it **lists[] = {b->must, b->should, b->not };
    size_t counts[] = {b->n_must, b->n_should, b->n_not};
    for (size_t l = 0; l < 3; l++) {
        for (size_t k = 0; k < counts[l]; k++)
            lists[l][k]->release(lists[l][k]);
        kh_free(lists[l]);
    }
    kh_free(b);
}

static it *build(ctx *c, const kh_qnode *q, kh_qfield field, bool *matchless);

static bool
push(it ***list, size_t *n, it *x)
{
    it **p = kh_realloc(*list, (*n + 1) * sizeof *p);
    if (p == NULL)
        return false;
    p[(*n)++] = x;
    *list = p;
    return true;
}

/* Builds the iterator of node q.  Returns NULL with *matchless set when
 * the node can match nothing in this segment (a term that is absent),
 * NULL with *matchless clear when it places no constraint (a stop word),
 * NULL with c->rc set on error. */
static it *
build_bool(ctx *c, const kh_qnode *q, kh_qfield field, bool *matchless)
{
    bool_it *b = it_new(c, sizeof *b, bool_advance, bool_score, bool_release);
    if (b == NULL)
        return NULL;
    b->c = c;
    *matchless = false;
    bool any_should_possible = false, had_should = false;
    bool scoring_must = false;
    for (size_t i = 0; i < q->n_children && c->rc == KH_OK; i++) {
        const kh_qnode *ch = q->children[i];
        kh_occur occ = ch->occur;
        if (occ == KH_OCCUR_DEFAULT)
            occ = c->require_all || ch->op == KH_QOP_SOURCE ||
                          ch->op == KH_QOP_DATE || ch->op == KH_QOP_STORY ||
                          ch->op == KH_QOP_ENTITY
                      ? KH_OCCUR_MUST
                      : KH_OCCUR_SHOULD;
        bool none = false;
        it *x = build(c, ch, field, &none);
        if (c->rc != KH_OK)
            break;
        if (occ == KH_OCCUR_SHOULD)
            had_should = true;
        if (x == NULL) {
            if (none && occ == KH_OCCUR_MUST)
                *matchless = true; /* a required part is absent */
            continue;
        }
        bool ok = true;
        if (occ == KH_OCCUR_MUST && ch->op != KH_QOP_SOURCE &&
            ch->op != KH_QOP_DATE && ch->op != KH_QOP_STORY &&
            ch->op != KH_QOP_ENTITY)
            scoring_must = true;
        if (occ == KH_OCCUR_MUST)
            ok = push(&b->must, &b->n_must, x);
        else if (occ == KH_OCCUR_SHOULD)
            ok = push(&b->should, &b->n_should, x), any_should_possible = true;
        else
            ok = push(&b->not, &b->n_not, x);
        if (!ok) {
            x->release(x);
            c->rc = KH_ENOMEM;
        }
    }
    if (c->rc != KH_OK || *matchless ||
        (b->n_must == 0 && had_should && !any_should_possible)) {
        if (c->rc == KH_OK)
            *matchless = true;
        bool_release(&b->base);
        return NULL;
    }
    b->need_should = b->n_must > 0 && !scoring_must && b->n_should > 0;
    if (b->n_must == 0 && b->n_should == 0) {
        if (b->n_not == 0) {
            bool_release(&b->base); /* no constraint at all */
            return NULL;
        }
        /* Only exclusions: everything else matches. */
        it *all = filter_new(c, 0);
        if (all == NULL || !push(&b->must, &b->n_must, all)) {
            if (all != NULL)
                all->release(all);
            c->rc = KH_ENOMEM;
            bool_release(&b->base);
            return NULL;
        }
    }
    return &b->base;
}

static it *
build_phrase(ctx *c, const kh_qnode *q, kh_qfield field, bool *matchless)
{
    /* Skip stop words, keeping their gaps. */
    phrase_it *p =
        it_new(c, sizeof *p, phrase_advance, phrase_score, phrase_release);
    if (p == NULL)
        return NULL;
    p->terms = kh_malloc((q->n_terms + 1) * sizeof *p->terms);
    p->offsets = kh_malloc((q->n_terms + 1) * sizeof *p->offsets);
    if (p->terms == NULL || p->offsets == NULL) {
        c->rc = KH_ENOMEM;
        phrase_release(&p->base);
        return NULL;
    }
    p->c = c;
    p->title_only = field == KH_QFIELD_TITLE;
    uint32_t at = 0;
    for (size_t i = 0; i < q->n_terms; i++) {
        if (i > 0)
            at += q->terms[i].gap;
        if (q->terms[i].stop)
            continue;
        term_it *t = term_new(c, &q->terms[i], p->title_only);
        if (t == NULL) {
            if (c->rc == KH_OK)
                *matchless = true;
            phrase_release(&p->base);
            return NULL;
        }
        p->terms[p->n] = t;
        p->offsets[p->n++] = at;
    }
    if (p->n == 0) {
        phrase_release(&p->base);
        return NULL;
    }
    uint32_t base = p->offsets[0];
    for (size_t k = 0; k < p->n; k++) {
        p->offsets[k] -= base;
        /* phrase_score is the sum of its terms' scores */
        p->base.ub += p->terms[k]->base.ub;
    }
    return &p->base;
}

static it *
build(ctx *c, const kh_qnode *q, kh_qfield field, bool *matchless)
{
    *matchless = false;
    kh_qfield f = q->field == KH_QFIELD_TITLE ? KH_QFIELD_TITLE : field;
    switch (q->op) {
    case KH_QOP_WORD:
        if (q->n_terms == 0 || q->terms[0].stop)
            return NULL;
        {
            term_it *t = term_new(c, &q->terms[0], f == KH_QFIELD_TITLE);
            if (t == NULL && c->rc == KH_OK)
                *matchless = true;
            return t != NULL ? &t->base : NULL;
        }
    case KH_QOP_PHRASE:
        return build_phrase(c, q, f, matchless);
    case KH_QOP_BOOL:
        return build_bool(c, q, f, matchless);
    case KH_QOP_SOURCE: {
        filter_it *x = (filter_it *)filter_new(c, 1);
        if (x != NULL)
            x->source = kh__source_hash(q->value, strlen(q->value));
        return &x->base;
    }
    case KH_QOP_STORY:
    case KH_QOP_ENTITY: {
        filter_it *x = (filter_it *)filter_new(c, 3);
        if (x != NULL) {
            x->docids = q->docids;
            x->n_docids = q->n_docids;
        }
        return x != NULL ? &x->base : NULL;
    }
    case KH_QOP_DATE: {
        filter_it *x = (filter_it *)filter_new(c, 2);
        if (x != NULL) {
            x->since = q->since;
            x->until = q->until;
        }
        return x != NULL ? &x->base : NULL;
    }
    }
    return NULL;
}

/**************************************************************************
** Top hits.
*/
typedef struct scored {
    double score;
    uint64_t docid;
    uint32_t seg, ord; /* where it is, for re-ranking */
} scored;

static bool
better(const scored *a, const scored *b)
{
    return a->score > b->score || (a->score == b->score && a->docid > b->docid);
}

/* A min-heap of the k best: the root is the worst kept. */
static void
heap_push(scored *h, size_t *n, size_t k, scored x)
{
    if (*n < k) {
        size_t i = (*n)++;
        h[i] = x;
        while (i > 0 && better(&h[(i - 1) / 2], &h[i])) {
            scored t = h[i];
            h[i] = h[(i - 1) / 2];
            h[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
        return;
    }
    if (k == 0 || !better(&x, &h[0]))
        return;
    h[0] = x;
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && better(&h[m], &h[l]))
            m = l;
        if (r < *n && better(&h[m], &h[r]))
            m = r;
        if (m == i)
            break;
        scored t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static int
by_rank(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    return better(x, y) ? -1 : better(y, x) ? 1 : 0;
}

/* The positive parts of the tree for highlighting: the terms of its
 * words, and its phrases, which are marked only where the whole phrase
 * stands (and a word the analyzer splits, كوفيد-19, is such a phrase). */
typedef struct hl_terms {
    const char **norms, **stems;
    size_t nn, ns;
    const kh_qnode **phrases;
    size_t np;
} hl_terms;

static void
collect_terms(const kh_qnode *q, hl_terms *h, kh_status *rc)
{
    if (q->occur == KH_OCCUR_MUST_NOT || *rc != KH_OK)
        return;
    if (q->op == KH_QOP_PHRASE) {
        const kh_qnode **p = kh_realloc(h->phrases, (h->np + 1) * sizeof *p);
        if (p == NULL) {
            *rc = KH_ENOMEM;
            return;
        }
        h->phrases = p;
        p[h->np++] = q;
        return;
    }
    const char ***norms = &h->norms, ***stems = &h->stems;
    size_t *nn = &h->nn, *ns = &h->ns;
    for (size_t i = 0; i < q->n_terms; i++) {
        const char **a = kh_realloc(*norms, (*nn + 1) * sizeof *a);
        if (a == NULL) {
            *rc = KH_ENOMEM;
            return;
        }
        *norms = a;
        a[(*nn)++] = q->terms[i].norm;
        const char **b = kh_realloc(*stems, (*ns + 1) * sizeof *b);
        if (b == NULL) {
            *rc = KH_ENOMEM;
            return;
        }
        *stems = b;
        b[(*ns)++] = q->terms[i].stem;
    }
    for (size_t i = 0; i < q->n_children; i++)
        collect_terms(q->children[i], h, rc);
}

/* The score a hit must reach to enter the heap, or -1 while it has room.
 * Reach, not beat: a hit that ties the worst kept one enters when its
 * docid is higher (better()), so that which of the tied hits are kept does
 * not depend on k, and a page at an offset lists the same hits as the
 * same ranks of a longer page. */
static double
threshold(const scored *heap, size_t n, size_t k)
{
    return n < k || k == 0 ? -1.0 : heap[0].score;
}

/* Can a document whose score is at most bound still enter the heap?  The
 * bounds are sums taken in another order than the scores, so they may
 * round a hair below a score that reaches them exactly: the slack keeps
 * such a tie (identical copies of a story score exactly the same). */
static bool
may_reach(double bound, double theta)
{
    return bound >= theta - 1e-9 * theta;
}

static int
by_ub(const void *a, const void *b)
{
    const it *x = *(it *const *)a, *y = *(it *const *)b;
    return (x->ub > y->ub) - (x->ub < y->ub);
}

/* Is doc d excluded by one of the MUST_NOT iterators? */
static bool
excluded(it * * not, size_t n_not, uint32_t d)
{
    for (size_t k = 0; k < n_not; k++) {
        it *x = not [k];
        if (x->doc == KH_END || x->doc < d)
            x->advance(x, d);
        if (x->doc == d)
            return true;
    }
    return false;
}

/* MaxScore (Turtle and Flood, 1995) over a disjunction of terms: terms
 * are sorted by their upper bounds; the longest run of the smallest whose
 * bounds add up to no more than the heap's threshold cannot make a hit on
 * their own, so only documents of the other ("essential") terms are
 * visited, and the rest are looked up only while they can still lift a
 * document over the threshold.  Returns false when a document was skipped
 * this way, so that the total is a lower bound. */
static bool
collect_maxscore(ctx *c, bool_it *b, scored *heap, size_t *n_heap, size_t k,
                 size_t *total)
{
    size_t n = b->n_should;
    it **t = b->should;
    kh__qsort(t, n, sizeof *t, by_ub);
    double prefix[64];
    double acc = 0;
    for (size_t i = 0; i < n; i++)
        prefix[i] = acc += t[i]->ub; /* prefix[i]: bounds of t[0..i] */
    bool exact = true;
    for (size_t i = 0; i < n; i++)
        t[i]->advance(t[i], 0);
    size_t e = 0; /* t[e..n) are essential */
    double theta = threshold(heap, *n_heap, k);
    while (e < n && !may_reach(prefix[e], theta))
        e++;
    for (;;) {
        uint32_t d = KH_END;
        for (size_t i = e; i < n; i++)
            if (t[i]->doc < d)
                d = t[i]->doc;
        if (d == KH_END)
            break;
        if (theta >= 0) {
            /* Block-max: bound the candidates up to the end of the blocks
             * holding d (or up to the next doc of another essential
             * term); if even that cannot beat theta, skip them all. */
            double bound = e > 0 ? prefix[e - 1] : 0;
            uint32_t until = KH_END;
            for (size_t i = e; i < n; i++) {
                if (t[i]->doc == d) {
                    /* a phrase has no blocks: its bound holds for d */
                    uint32_t last = d;
                    bound += t[i]->advance == term_advance
                                 ? term_block_ub((term_it *)t[i], &last)
                                 : t[i]->ub;
                    if (last < until)
                        until = last + 1;
                } else if (t[i]->doc < until) {
                    until = t[i]->doc;
                }
            }
            if (!may_reach(bound, theta)) {
                for (size_t i = e; i < n; i++)
                    if (t[i]->doc == d)
                        t[i]->advance(t[i], until);
                exact = false;
                continue;
            }
        }
        if (!kh__snap_deleted(c->ss, d) && !excluded(b->not, b->n_not, d)) {
            /* part[i]: t[i]'s contribution.  The score is their sum in
             * the order of t[], whatever e was when d came: summed in
             * another order, two identical copies could differ in the
             * last bit and be ordered by that instead of by docid. */
            double part[64];
            double score = 0;
            for (size_t i = e; i < n; i++) {
                part[i] = t[i]->doc == d ? t[i]->score(t[i]) : 0;
                score += part[i];
            }
            size_t i = e;
            for (; i > 0; i--) {
                if (!may_reach(score + prefix[i - 1], theta))
                    break; /* the rest cannot lift it to the threshold */
                it *x = t[i - 1];
                if (x->doc == KH_END || x->doc < d)
                    x->advance(x, d);
                part[i - 1] = x->doc == d ? x->score(x) : 0;
                score += part[i - 1];
            }
            if (i > 0)
                exact = false;
            (*total)++;
            if (i == 0 && score >= theta) {
                score = 0;
                for (size_t j = 0; j < n; j++)
                    score += part[j];
                scored sc = {score, kh__seg_doc(c->seg, d)->docid,
                             (uint32_t)(c->ss - c->ix->segs), d};
                heap_push(heap, n_heap, k, sc);
                theta = threshold(heap, *n_heap, k);
                while (e < n && !may_reach(prefix[e], theta))
                    e++;
            }
        }
        for (size_t i = e; i < n; i++)
            if (t[i]->doc == d)
                t[i]->advance(t[i], d + 1);
    }
    return exact && e == 0;
}

/* The query's plain words in order, for the proximity bonus: the WORD
 * children of the root (or the root itself), stop words left out. */
static size_t
proximity_terms(const kh_qnode *root, const kh_qterm **out, size_t cap)
{
    size_t n = 0;
    if (root->op == KH_QOP_WORD) {
        if (root->n_terms > 0 && !root->terms[0].stop && cap > 0)
            out[n++] = &root->terms[0];
        return n;
    }
    if (root->op != KH_QOP_BOOL)
        return 0;
    for (size_t i = 0; i < root->n_children && n < cap; i++) {
        const kh_qnode *ch = root->children[i];
        if (ch->op == KH_QOP_WORD && ch->occur != KH_OCCUR_MUST_NOT &&
            ch->n_terms > 0 && !ch->terms[0].stop && ch->field == KH_QFIELD_ALL)
            out[n++] = &ch->terms[0];
    }
    return n;
}

/* Occurrences of b at 1 or 2 positions after a (a stop word may sit in
 * between) in the same field; both lists ascending. */
static uint32_t
adjacent(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
    uint32_t count = 0, j = 0;
    for (uint32_t i = 0; i < na; i++) {
        while (j < nb && b[j] <= a[i])
            j++;
        if (j < nb && b[j] - a[i] <= 2)
            count++;
    }
    return count;
}

/* qsort has no context argument; one per thread, as searches on
 * separate handles run at once. */
static _Thread_local const scored *sort_base;

static int
by_place(const void *x, const void *y)
{
    const scored *a = &sort_base[*(const uint32_t *)x];
    const scored *b = &sort_base[*(const uint32_t *)y];
    if (a->seg != b->seg)
        return a->seg < b->seg ? -1 : 1;
    return (a->ord > b->ord) - (a->ord < b->ord);
}

/* Re-ranks the candidates by adding a bonus for query words that stand
 * next to each other, in order, in the article: a query made of a title's
 * words finds that title before articles that merely share the words.
 * Candidates are visited in segment and ordinal order, so each term's
 * postings are looked up once per segment and only move forward. */
static kh_status
proximity_rerank(const kh_index *ix, const kh_qnode *tree, scored *cand,
                 size_t n)
{
    enum { MAXT = 16, CAP = 512 };
    const kh_qterm *terms[MAXT];
    size_t nt = proximity_terms(tree, terms, MAXT);
    if (nt < 2 || ix->proximity_weight <= 0 || n == 0)
        return KH_OK;
    char keys[MAXT][KH_MAX_TOKEN_BYTES + 8];
    size_t klen[MAXT];
    double w[MAXT];
    for (size_t t = 0; t < nt; t++) {
        size_t len = strlen(terms[t]->stem);
        if (len + 1 >= sizeof keys[t])
            return KH_OK;
        keys[t][0] = KH_KEY_STEM;
        memcpy(keys[t] + 1, terms[t]->stem, len);
        klen[t] = len + 1;
        w[t] = idf(ix->n_live, global_df(ix, keys[t], klen[t]));
    }
    uint32_t *order = kh_malloc(n * sizeof *order);
    if (order == NULL)
        return KH_ENOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    sort_base = cand;
    kh__qsort(order, n, sizeof *order, by_place);
    sort_base = NULL;
    kh_cursor cur[MAXT];
    bool have[MAXT];
    uint32_t seg = UINT32_MAX;
    uint32_t pa[CAP], pb[CAP];
    for (size_t i = 0; i < n; i++) {
        scored *c = &cand[order[i]];
        const kh_seg *sg = ix->segs[c->seg].seg;
        if (c->seg != seg) {
            seg = c->seg;
            for (size_t t = 0; t < nt; t++)
                have[t] = kh__seg_find(sg, keys[t], klen[t], &cur[t], NULL);
        }
        int na = -1;
        uint32_t ta = 0;
        double bonus = 0;
        for (size_t t = 0; t < nt; t++) {
            int nb = -1;
            uint32_t tb = 0;
            if (have[t] && kh__cursor_advance(&cur[t], c->ord) == c->ord) {
                tb = cur[t].tf_title;
                nb = kh__cursor_positions(&cur[t], t % 2 ? pb : pa, CAP);
            }
            uint32_t *a = t % 2 ? pa : pb, *b = t % 2 ? pb : pa;
            if (t > 0 && na > 0 && nb > 0) {
                uint32_t ca = ta < (uint32_t)na ? ta : (uint32_t)na;
                uint32_t cb = tb < (uint32_t)nb ? tb : (uint32_t)nb;
                uint32_t k = adjacent(a, ca, b, cb) +
                             adjacent(a + ca, (uint32_t)na - ca, b + cb,
                                      (uint32_t)nb - cb);
                double m = w[t - 1] < w[t] ? w[t - 1] : w[t];
                bonus += m * (double)k / (k + 1.0);
            }
            na = nb;
            ta = tb;
        }
        c->score += ix->proximity_weight * bonus;
    }
    kh_free(order);
    return KH_OK;
}

void
kh_results_free(kh_results *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_hits; i++)
        kh__hit_release(&r->hits[i]);
    kh_free(r->hits);
    kh_free(r);
}

static int
docid_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Gives an entity: node the articles naming its entity (postings of
 * entity terms: no docs.db read). */
static kh_status
resolve_entity(kh_index *ix, kh_qnode *q, kh_error *err)
{
    kh_status rc = kh__entity_docids(ix, q->value, &q->docids, &q->n_docids);
    if (rc == KH_EINVAL && err != NULL) {
        kh__entity_einval(err, q->value);
        err->has_offset = 1;
        err->offset = q->offset;
    }
    return rc;
}

/* Gives every story: node of the tree its story's articles, and every
 * entity: node the articles naming its entity. */
static kh_status
resolve_stories(kh_index *ix, kh_qnode *q, kh_error *err)
{
    kh_status rc = KH_OK;
    for (size_t i = 0; i < q->n_children && rc == KH_OK; i++)
        rc = resolve_stories(ix, q->children[i], err);
    if (rc == KH_OK && q->op == KH_QOP_ENTITY)
        return resolve_entity(ix, q, err);
    if (rc != KH_OK || q->op != KH_QOP_STORY)
        return rc;
    /* docs.db is read only for story: (ids-only searches never touch it);
     * the transaction lasts until the hits are read */
    kh__store_read_begin(ix->store);
    uint64_t docid, sid = 0;
    rc = kh__store_find(ix->store, q->value, &docid);
    if (rc == KH_OK)
        rc = kh__cluster_story(kh__stories_cluster(ix->stories), docid, &sid);
    if (rc == KH_OK && sid != 0)
        rc = kh__cluster_members(kh__stories_cluster(ix->stories), sid,
                                 &q->docids, &q->n_docids);
    if (rc == KH_OK && q->n_docids == 0) {
        /* an article indexed before stories: its story is itself */
        q->docids = kh_malloc(sizeof *q->docids);
        if (q->docids == NULL)
            return KH_ENOMEM;
        q->docids[0] = docid;
        q->n_docids = 1;
    }
    if (rc == KH_ENOTFOUND && err != NULL) {
        kh__set_error(err, "story: no article with id %s", q->value);
        err->has_offset = 1;
        err->offset = q->offset;
        rc = KH_EINVAL;
    }
    if (rc == KH_OK)
        kh__qsort(q->docids, q->n_docids, sizeof *q->docids, docid_cmp);
    return rc;
}

/* Keeps the best-ranked article of each wire group in heap[0..*n)
 * (ranked), until want are kept; (*groups)[i] is the group of the kept
 * article i, 0 for none. */
static kh_status
collapse_copies(kh_index *ix, scored *heap, size_t *n, size_t want,
                uint64_t **groups)
{
    *groups = kh_malloc((*n + 1) * sizeof **groups);
    if (*groups == NULL)
        return KH_ENOMEM;
    kh_status rc = KH_OK;
    size_t kept = 0;
    kh__store_read_begin(ix->store);
    for (size_t i = 0; i < *n && kept < want && rc == KH_OK; i++) {
        uint64_t g;
        rc = kh__wire_group(kh__stories_wire(ix->stories), heap[i].docid, &g);
        bool seen = false;
        for (size_t j = 0; g != 0 && j < kept && !seen; j++)
            seen = (*groups)[j] == g;
        if (seen || rc != KH_OK)
            continue;
        (*groups)[kept] = g;
        heap[kept++] = heap[i];
    }
    /* the read transaction goes on: the hits are read in the same one */
    *n = kept;
    return rc;
}

kh_status
kh_index_explain(kh_index *ix, const char *query, char **out, kh_error *err)
{
    *out = NULL;
    if (err != NULL)
        memset(err, 0, sizeof *err);
    kh_qnode *tree = NULL;
    kh_status rc = kh__query_parse(query, strlen(query), ix->qa, &tree, err);
    if (rc != KH_OK)
        return rc;
    kh_buf b;
    kh__buf_init(&b);
    kh__query_render(tree, &b, &rc);
    kh__query_free(tree);
    *out = kh__buf_detach(&b, NULL, &rc);
    kh__buf_release(&b);
    if (rc == KH_ENOMEM && err != NULL)
        kh__set_error(err, "out of memory");
    return rc;
}

kh_status
kh_index_search(kh_index *ix, const char *query, const kh_search_options *o,
                kh_results **out, kh_error *err)
{
    double t0 = kh__now() * 1e3;
    *out = NULL;
    kh_search_options opts = {10, 0, 0, 0, NULL, NULL, 0, 0, 0, 0, 0};
    if (o != NULL)
        opts = *o;
    if (opts.limit == 0)
        opts.limit = 10;
    if (err != NULL)
        memset(err, 0, sizeof *err);
    kh_qnode *tree = NULL;
    kh_status rc = kh__query_parse(query, strlen(query), ix->qa, &tree, err);
    if (rc == KH_OK) {
        rc = resolve_stories(ix, tree, err);
        if (rc != KH_OK)
            kh__store_read_end(ix->store);
    }
    if (rc != KH_OK) {
        kh__query_free(tree);
        return rc;
    }
    /* Re-ranking looks at a pool of at least 100 candidates; a query with
     * fewer than two words to re-rank needs only the hits it shows, and a
     * smaller pool prunes more. */
    /* No query has more hits than the snapshot has articles: bounding
     * offset and limit by that keeps the pool's sizes below from
     * overflowing, whatever a caller asks for. */
    size_t most = 1;
    for (size_t i = 0; i < ix->n_segs; i++)
        most += kh__seg_ndocs(ix->segs[i].seg);
    if (opts.offset > most)
        opts.offset = most;
    if (opts.limit > most)
        opts.limit = most;
    size_t k = opts.offset + opts.limit;
    size_t want_k = k;
    /* Collapsing wire copies needs a deeper pool: a story can come in a
     * dozen copies. */
    bool collapse = !opts.no_collapse && !opts.ids_only;
    if (collapse)
        k = 3 * k + 20;
    const kh_qterm *pt[2];
    if (k < ix->rerank_depth && ix->proximity_weight > 0 && !opts.newest &&
        proximity_terms(tree, pt, 2) >= 2)
        k = ix->rerank_depth;
    scored *heap = kh_malloc((k + 1) * sizeof *heap);
    kh_results *res = kh_malloc(sizeof *res);
    if (heap == NULL || res == NULL) {
        kh_free(heap);
        kh_free(res);
        kh__query_free(tree);
        return KH_ENOMEM;
    }
    memset(res, 0, sizeof *res);
    res->total_exact = 1;
    size_t n_heap = 0;

    ctx c = {ix,         NULL,      NULL,
             ix->n_live, ix->avgdl, opts.require_all != 0 || ix->require_all,
             KH_OK,      false};
    for (size_t i = 0; i < ix->n_segs && c.rc == KH_OK; i++) {
        c.ss = &ix->segs[i];
        c.seg = ix->segs[i].seg;
        bool matchless;
        it *root = build(&c, tree, KH_QFIELD_ALL, &matchless);
        if (root == NULL)
            continue;
        /* The newest matches: the heap ranks by date, which the pruning
         * of the best (by score bounds) knows nothing of, so every match
         * goes through the loop below, unscored.  Dates are in the
         * segment, in memory: no docs.db read per match. */
        if ((root->advance == term_advance ||
             root->advance == phrase_advance) &&
            !opts.exhaustive && !opts.newest) {
            /* One word or phrase: a disjunction of one. */
            bool_it one;
            memset(&one, 0, sizeof one);
            one.should = &root;
            one.n_should = 1;
            if (!collect_maxscore(&c, &one, heap, &n_heap, k, &res->total))
                res->total_exact = 0;
            root->release(root);
            continue;
        }
        if (root->advance == bool_advance) {
            bool_it *b = (bool_it *)root;
            bool terms = !opts.exhaustive && !opts.newest && b->n_must == 0 &&
                         b->n_should >= 1 && b->n_should <= 64 &&
                         !b->need_should;
            for (size_t j = 0; terms && j < b->n_should; j++)
                terms = b->should[j]->advance == term_advance ||
                        b->should[j]->advance == phrase_advance;
            if (terms) {
                if (!collect_maxscore(&c, b, heap, &n_heap, k, &res->total))
                    res->total_exact = 0;
                root->release(root);
                continue;
            }
        }
        for (uint32_t d = root->advance(root, 0); d != KH_END;
             d = root->advance(root, d + 1)) {
            if (kh__snap_deleted(c.ss, d))
                continue;
            res->total++;
            const kh_segdoc *sd = kh__seg_doc(c.seg, d);
            /* A date is exact as a double (|t| < 2^53); undated articles
             * (INT64_MIN) rank below every date. */
            scored s = {opts.newest ? (double)sd->date : root->score(root),
                        sd->docid, (uint32_t)i, d};
            heap_push(heap, &n_heap, k, s);
        }
        root->release(root);
    }
    rc = c.rc;
    if (rc == KH_OK && c.corrupt) {
        rc = KH_ECORRUPT;
        if (err != NULL)
            snprintf(err->message, sizeof err->message,
                     "the index's postings are corrupt (rebuild it)");
    }
    kh__qsort(heap, n_heap, sizeof *heap, by_rank);
    if (rc == KH_OK && ix->rerank_depth > 0 && !opts.newest) {
        /* The bonus re-orders the best BM25 hits only: a hit far below
         * rarely climbs into the first page, and each one looked at costs
         * its positions. */
        size_t depth = n_heap < ix->rerank_depth ? n_heap : ix->rerank_depth;
        rc = proximity_rerank(ix, tree, heap, depth);
        kh__qsort(heap, depth, sizeof *heap, by_rank);
    }

    hl_terms hl = {NULL, NULL, 0, 0, NULL, 0};
    if (rc == KH_OK && !opts.no_snippets)
        collect_terms(tree, &hl, &rc);
    uint64_t *groups = NULL;
    if (rc == KH_OK && collapse)
        rc = collapse_copies(ix, heap, &n_heap, want_k, &groups);
    if (n_heap > want_k)
        n_heap = want_k;
    size_t want = n_heap > opts.offset ? n_heap - opts.offset : 0;
    if (rc == KH_OK && want > 0) {
        res->hits = kh_malloc(want * sizeof *res->hits);
        if (res->hits == NULL)
            rc = KH_ENOMEM;
    }
    for (size_t i = 0; opts.ids_only && i < want && rc == KH_OK; i++) {
        const scored *sc = &heap[opts.offset + i];
        size_t kl;
        const char *key = kh__seg_key(ix->segs[sc->seg].seg, sc->ord, &kl);
        kh_hit *h = &res->hits[res->n_hits++];
        memset(h, 0, sizeof *h);
        h->id = kh__strndup(key, kl);
        h->date = KH_DATE_NONE;
        h->score = opts.newest ? 0 : sc->score;
        if (h->id == NULL)
            rc = KH_ENOMEM;
    }
    if (opts.ids_only)
        want = 0;
    if (want > 0)
        kh__store_read_begin(ix->store);
    for (size_t i = 0; i < want && rc == KH_OK; i++) {
        kh_doc d;
        kh_status g = kh__store_get(ix->store, heap[opts.offset + i].docid,
                                    !opts.no_snippets, &d);
        if (g == KH_ENOTFOUND)
            continue; /* deleted since the snapshot */
        if (g != KH_OK) {
            if (g == KH_EIO)
                kh__set_error(err, "cannot read a hit: %s",
                              kh__store_errmsg(ix->store));
            rc = g;
            break;
        }
        kh_hit *h = &res->hits[res->n_hits++];
        *h = d.meta;
        h->score = opts.newest ? 0 : heap[opts.offset + i].score;
        if (groups != NULL && groups[opts.offset + i] != 0)
            rc = kh__wire_sources(kh__stories_wire(ix->stories),
                                  groups[opts.offset + i], &h->copies,
                                  &h->sources, &h->n_sources);
        if (!opts.no_snippets) {
            kh_snippet_opts so = {hl.norms,
                                  hl.nn,
                                  hl.stems,
                                  hl.ns,
                                  240,
                                  opts.hl_open ? opts.hl_open : "<b>",
                                  opts.hl_close ? opts.hl_close : "</b>",
                                  opts.hl_html != 0};
            kh_buf b;
            kh__buf_init(&b);
            const char *text = d.body != NULL && d.body[0] ? d.body : h->title;
            kh__snippet_phrases(ix->sa, text ? text : "",
                                text ? strlen(text) : 0, &so, hl.phrases, hl.np,
                                &b, &rc);
            h->snippet = kh__buf_detach(&b, NULL, &rc);
        }
        kh_free(d.body);
    }
    kh__store_read_end(ix->store);
    kh_free(groups);
    kh_free(hl.norms);
    kh_free(hl.stems);
    kh_free(hl.phrases);
    kh_free(heap);
    kh__query_free(tree);
    if (rc != KH_OK) {
        kh_results_free(res);
        return rc;
    }
    res->took_ms = kh__now() * 1e3 - t0;
    *out = res;
    return KH_OK;
}
