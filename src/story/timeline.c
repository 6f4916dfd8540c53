/*
 * timeline.c -- kh_index_story(): a story's articles in time order, its
 * sources and its label.
 *
 * The label is the headline that shares the most words with the other
 * headlines of the story (summed Jaccard similarity of their word sets):
 * the one a reader would recognize the story by, rather than the first,
 * which is often a short wire flash.
 */
#include "index/index.h"
#include "index/store.h"
#include "story/story.h"

#include <string.h>

#define LABEL_MAX 200 /* headlines compared for the label */

void
kh_story_free(kh_story *s)
{
    if (s == NULL)
        return;
    kh_free(s->id);
    kh_free(s->label);
    for (size_t i = 0; i < s->n_sources; i++)
        kh_free(s->sources[i]);
    kh_free(s->sources);
    for (size_t i = 0; i < s->n_articles; i++)
        kh__hit_release(&s->articles[i]);
    kh_free(s->articles);
    kh_free(s);
}

kh_status
kh__title_words(kh_analyzer *an, const char *title, kh_u32vec *out)
{
    out->n = 0;
    if (title == NULL)
        return KH_OK;
    kh_analyzer_reset(an, title, strlen(title));
    kh_token t;
    while (kh_analyzer_next(an, &t)) {
        if (t.flags & KH_TOKEN_STOP)
            continue;
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 32;
            uint32_t *nv = kh_realloc(out->v, cap * sizeof *nv);
            if (nv == NULL)
                return KH_ENOMEM;
            out->v = nv;
            out->cap = cap;
        }
        out->v[out->n++] = kh__hash32(t.stem, t.stem_len);
    }
    /* sort, unique: a few words, insertion sort is enough */
    size_t w = 0;
    for (size_t i = 0; i < out->n; i++) {
        uint32_t x = out->v[i];
        size_t k = w;
        while (k > 0 && out->v[k - 1] > x)
            k--;
        if (k > 0 && out->v[k - 1] == x)
            continue;
        memmove(out->v + k + 1, out->v + k, (w - k) * sizeof *out->v);
        out->v[k] = x;
        w++;
    }
    out->n = w;
    return KH_OK;
}

static kh_status
pick_label(kh_index *ix, kh_story *s)
{
    size_t m = s->n_articles < LABEL_MAX ? s->n_articles : LABEL_MAX;
    kh_u32vec *sets = kh_malloc((m + 1) * sizeof *sets);
    if (sets == NULL)
        return KH_ENOMEM;
    memset(sets, 0, (m + 1) * sizeof *sets);
    kh_status rc = KH_OK;
    for (size_t i = 0; i < m && rc == KH_OK; i++)
        rc = kh__title_words(ix->qa, s->articles[i].title, &sets[i]);
    double best = -1;
    size_t at = 0;
    for (size_t i = 0; i < m && rc == KH_OK; i++) {
        if (sets[i].n == 0)
            continue;
        double sum = 0;
        for (size_t j = 0; j < m; j++)
            if (j != i)
                sum += kh__jaccard(sets[i].v, sets[i].n, sets[j].v, sets[j].n);
        if (sum > best) {
            best = sum;
            at = i;
        }
    }
    for (size_t i = 0; i < m; i++)
        kh__u32vec_release(&sets[i]);
    kh_free(sets);
    if (rc == KH_OK && m > 0 && s->articles[at].title != NULL) {
        s->label =
            kh__strndup(s->articles[at].title, strlen(s->articles[at].title));
        if (s->label == NULL)
            rc = KH_ENOMEM;
    }
    return rc;
}

static kh_status
add_source(kh_story *s, const char *src)
{
    if (src == NULL || src[0] == '\0')
        return KH_OK;
    for (size_t i = 0; i < s->n_sources; i++)
        if (strcmp(s->sources[i], src) == 0)
            return KH_OK;
    char **ns = kh_realloc(s->sources, (s->n_sources + 1) * sizeof *ns);
    if (ns == NULL)
        return KH_ENOMEM;
    s->sources = ns;
    s->sources[s->n_sources] = kh__strndup(src, strlen(src));
    if (s->sources[s->n_sources] == NULL)
        return KH_ENOMEM;
    s->n_sources++;
    return KH_OK;
}

kh_status
kh_index_story(kh_index *ix, const char *id, kh_story **out, kh_error *err)
{
    *out = NULL;
    if (err != NULL)
        memset(err, 0, sizeof *err);
    kh_story *s = kh_malloc(sizeof *s);
    if (s == NULL)
        return KH_ENOMEM;
    memset(s, 0, sizeof *s);
    s->first = s->last = KH_DATE_NONE;
    kh__store_read_begin(ix->store);
    uint64_t docid, sid = 0, *members = NULL;
    size_t n = 0;
    kh_cluster *cl = kh__stories_cluster(ix->stories);
    kh_status rc = kh__store_find(ix->store, id, &docid);
    if (rc == KH_ENOTFOUND)
        kh__set_error(err, "no article with id %s", id);
    if (rc == KH_OK)
        rc = kh__cluster_story(cl, docid, &sid);
    if (rc == KH_OK && sid != 0)
        rc = kh__cluster_members(cl, sid, &members, &n);
    if (rc == KH_OK && n == 0) { /* indexed before stories existed */
        members = kh_malloc(sizeof *members);
        if (members == NULL)
            rc = KH_ENOMEM;
        else
            members[n++] = docid;
    }
    if (rc == KH_OK) {
        s->articles = kh_malloc(n * sizeof *s->articles);
        if (s->articles == NULL)
            rc = KH_ENOMEM;
    }
    for (size_t i = 0; i < n && rc == KH_OK; i++) {
        kh_doc d;
        kh_status g = kh__store_get(ix->store, members[i], false, &d);
        if (g == KH_ENOTFOUND)
            continue;
        if (g != KH_OK) {
            rc = g;
            break;
        }
        kh_hit *h = &s->articles[s->n_articles++];
        *h = d.meta;
        uint64_t group;
        rc = kh__wire_group(kh__stories_wire(ix->stories), members[i], &group);
        if (rc == KH_OK && group != 0)
            rc = kh__wire_sources(kh__stories_wire(ix->stories), group,
                                  &h->copies, &h->sources, &h->n_sources);
        if (rc == KH_OK)
            rc = add_source(s, h->source);
        if (h->date != KH_DATE_NONE) {
            if (s->first == KH_DATE_NONE || h->date < s->first)
                s->first = h->date;
            if (s->last == KH_DATE_NONE || h->date > s->last)
                s->last = h->date;
        }
    }
    kh__store_read_end(ix->store);
    kh_free(members);
    if (rc == KH_OK && s->n_articles > 0) {
        s->id = kh__strndup(s->articles[0].id, strlen(s->articles[0].id));
        rc = s->id != NULL ? pick_label(ix, s) : KH_ENOMEM;
    }
    if (rc != KH_OK) {
        kh_story_free(s);
        if (err != NULL && err->message[0] == '\0')
            kh__set_error(err, "cannot read the story: %s", kh_strerror(rc));
        return rc;
    }
    *out = s;
    return KH_OK;
}
