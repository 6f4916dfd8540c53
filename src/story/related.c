/*
 * related.c -- kh_index_related(): "you may also like" for an article.
 *
 * The article's heaviest words (title counted three times, tf x idf with
 * the index's document frequencies) become a query of optional words; its
 * hits are re-ranked with a preference for articles published near the
 * article, and kept one per wire group and per story, leaving out the
 * article's own story and its copies: the reader has those already.
 */
#include "index/index.h"
#include "index/store.h"
#include "story/story.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QUERY_WORDS 12
#define NEAR_DAYS   7.0 /* the preference halves at about this distance */

typedef struct word_tf {
    char *norm; /* owned */
    char *stem; /* owned */
    uint32_t tf;
    double w;
} word_tf;

typedef struct bag {
    word_tf *v;
    size_t n, cap;
} bag;

static void
bag_release(bag *b)
{
    for (size_t i = 0; i < b->n; i++) {
        kh_free(b->v[i].norm);
        kh_free(b->v[i].stem);
    }
    kh_free(b->v);
}

static kh_status
bag_add(bag *b, const kh_token *t, uint32_t times)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->v[i].stem, t->stem) == 0) {
            b->v[i].tf += times;
            return KH_OK;
        }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        word_tf *nv = kh_realloc(b->v, cap * sizeof *nv);
        if (nv == NULL)
            return KH_ENOMEM;
        b->v = nv;
        b->cap = cap;
    }
    word_tf *w = &b->v[b->n];
    w->norm = kh__strndup(t->norm, t->norm_len);
    w->stem = kh__strndup(t->stem, t->stem_len);
    w->tf = times;
    w->w = 0;
    if (w->norm == NULL || w->stem == NULL) {
        kh_free(w->norm);
        kh_free(w->stem);
        return KH_ENOMEM;
    }
    b->n++;
    return KH_OK;
}

static kh_status
scan(kh_analyzer *an, const char *text, uint32_t times, bag *b)
{
    if (text == NULL)
        return KH_OK;
    kh_analyzer_reset(an, text, strlen(text));
    kh_token t;
    kh_status rc = KH_OK;
    while (rc == KH_OK && kh_analyzer_next(an, &t))
        if (!(t.flags & KH_TOKEN_STOP) && t.kind != KH_TOKEN_NUMBER &&
            t.stem_len > 1)
            rc = bag_add(b, &t, times);
    return rc;
}

static int
by_weight(const void *a, const void *b)
{
    const word_tf *x = a, *y = b;
    return (x->w < y->w) - (x->w > y->w);
}

typedef struct pick {
    size_t hit;
    double score;
} pick;

static int
by_score(const void *a, const void *b)
{
    const pick *x = a, *y = b;
    return (x->score < y->score) - (x->score > y->score);
}

kh_status
kh_index_related(kh_index *ix, const char *id, size_t n, kh_results **out,
                 kh_error *err)
{
    *out = NULL;
    if (err != NULL)
        memset(err, 0, sizeof *err);
    if (n == 0)
        n = 5;
    if (n > KH_RELATED_MAX) /* keeps 3 * n + 10 below from overflowing */
        n = KH_RELATED_MAX;
    double t0 = kh__now() * 1e3;
    kh_doc *d;
    kh_status rc = kh_index_get(ix, id, &d, err);
    if (rc != KH_OK)
        return rc;
    bag b = {NULL, 0, 0};
    rc = scan(ix->qa, d->meta.title, 3, &b);
    if (rc == KH_OK)
        rc = scan(ix->qa, d->body, 1, &b);
    double docs = ix->n_live > 1 ? ix->n_live : 1;
    size_t usable = 0;
    for (size_t i = 0; i < b.n && rc == KH_OK; i++) {
        uint32_t df = kh__stem_df(ix, b.v[i].stem);
        /* a word of this article alone finds nothing else */
        b.v[i].w = df < 2 ? 0
                          : (1 + log(b.v[i].tf)) *
                                log(1 + (docs - df + 0.5) / (df + 0.5));
        usable += df >= 2;
    }
    kh__qsort(b.v, b.n, sizeof *b.v, by_weight);
    kh_buf q;
    kh__buf_init(&q);
    for (size_t i = 0; i < b.n && i < QUERY_WORDS && rc == KH_OK; i++) {
        if (b.v[i].w <= 0)
            break;
        /* A norm is letters and digits: no query syntax in it, and it
         * analyzes to the same stem again. */
        kh__buf_puts(&q, i ? " " : "", &rc);
        kh__buf_puts(&q, b.v[i].norm, &rc);
    }
    kh_results *res = NULL;
    if (rc == KH_OK && usable > 0) {
        kh_search_options so = {.limit = 3 * n + 10, .no_snippets = 1};
        rc = kh_index_search(ix, q.data, &so, &res, err);
    }
    kh__buf_release(&q);
    bag_release(&b);

    /* Leave out the article, its copies and its story; one per story;
     * nearer in time ranks higher. */
    uint64_t self = 0, my_group = 0, my_story = 0;
    kh_wire *wire = kh__stories_wire(ix->stories);
    kh_cluster *cl = kh__stories_cluster(ix->stories);
    pick *picks = NULL;
    uint64_t *stories = NULL;
    size_t n_picks = 0;
    if (rc == KH_OK && res != NULL) {
        kh__store_read_begin(ix->store);
        rc = kh__store_find(ix->store, id, &self);
        if (rc == KH_OK)
            rc = kh__wire_group(wire, self, &my_group);
        if (rc == KH_OK)
            rc = kh__cluster_story(cl, self, &my_story);
        picks = kh_malloc((res->n_hits + 1) * sizeof *picks);
        stories = kh_malloc((res->n_hits + 1) * sizeof *stories);
        if (rc == KH_OK && (picks == NULL || stories == NULL))
            rc = KH_ENOMEM;
        for (size_t i = 0; i < res->n_hits && rc == KH_OK; i++) {
            const kh_hit *h = &res->hits[i];
            uint64_t docid, g = 0, sid = 0;
            if (kh__store_find(ix->store, h->id, &docid) != KH_OK ||
                docid == self)
                continue;
            rc = kh__wire_group(wire, docid, &g);
            if (rc == KH_OK)
                rc = kh__cluster_story(cl, docid, &sid);
            if (rc != KH_OK || (g != 0 && g == my_group) ||
                (sid != 0 && sid == my_story) ||
                kh__wire_paired(wire, self, docid))
                continue;
            bool seen = false;
            for (size_t k = 0; k < n_picks && !seen && sid != 0; k++)
                seen = stories[k] == sid;
            if (seen)
                continue;
            double near = 1;
            if (d->meta.date != KH_DATE_NONE && h->date != KH_DATE_NONE) {
                double days = fabs((double)(h->date - d->meta.date)) / 86400;
                near = 0.5 + 0.5 / (1 + days / NEAR_DAYS);
            }
            stories[n_picks] = sid;
            picks[n_picks++] = (pick){i, h->score * near};
        }
        kh__store_read_end(ix->store);
    }
    kh_doc_free(d);
    kh_results *mine = NULL;
    if (rc == KH_OK) {
        mine = kh_malloc(sizeof *mine);
        if (mine == NULL)
            rc = KH_ENOMEM;
        else
            memset(mine, 0, sizeof *mine);
    }
    if (rc == KH_OK && n_picks > 0) {
        kh__qsort(picks, n_picks, sizeof *picks, by_score);
        size_t keep = n_picks < n ? n_picks : n;
        mine->hits = kh_malloc(keep * sizeof *mine->hits);
        if (mine->hits == NULL)
            rc = KH_ENOMEM;
        for (size_t i = 0; i < keep && rc == KH_OK; i++) {
            /* moved out of res: res keeps a zeroed hit */
            kh_hit *h = &res->hits[picks[i].hit];
            mine->hits[mine->n_hits] = *h;
            mine->hits[mine->n_hits++].score = picks[i].score;
            memset(h, 0, sizeof *h);
        }
        mine->total = n_picks;
        mine->total_exact = 1;
    }
    kh_free(picks);
    kh_free(stories);
    kh_results_free(res);
    if (rc != KH_OK) {
        kh_results_free(mine);
        if (err != NULL && err->message[0] == '\0')
            kh__set_error(err, "cannot find related articles: %s",
                          kh_strerror(rc));
        return rc;
    }
    mine->took_ms = kh__now() * 1e3 - t0;
    *out = mine;
    return KH_OK;
}
