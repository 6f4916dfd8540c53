/*
 * sitemodel.c -- site furniture learned page by page.
 *
 * For each host the model counts on how many of its pages each text
 * block (by a 64-bit hash of its letters, digits left out so that
 * "3 comments" and "5 comments" agree) was seen.  A block seen on at
 * least KH_SITE_MIN_PAGES pages and on more than half of the pages seen
 * is furniture: a menu, a footer, a "related" heading, a newsletter
 * blurb, wherever it sits on the next page.  A page counts once however
 * often it is fetched (its URL is remembered among the last few).
 *
 * Memory is bounded: at most KH_SITE_MAX hosts (the least recently used
 * is forgotten) and a fixed table of KH_SITE_SLOTS blocks per host.  The
 * counts decay: when a host has been seen on KH_SITE_WINDOW pages, its
 * page count and every block count are halved and blocks left at zero
 * dropped, so the ratio follows the site's current template and rare
 * blocks make room.  A table that fills up anyway drops its blocks seen
 * once.  The model is not thread-safe: one extracting thread at a time.
 */
#include "ingest/extract.h"

#include <stdlib.h>
#include <string.h>

#define KH_SITE_MAX       256
#define KH_SITE_SLOTS     4096 /* power of two */
#define KH_SITE_WINDOW    64
#define KH_SITE_MIN_PAGES 3
#define KH_SITE_HOST_MAX  128
#define KH_SITE_RECENT    64 /* pages remembered to count each once */

typedef struct site_slot {
    uint64_t hash; /* 0: empty */
    uint32_t count;
} site_slot;

struct kh_site {
    char host[KH_SITE_HOST_MAX];
    uint32_t pages; /* pages seen (decayed like the counts) */
    uint32_t used;  /* slots in use */
    uint64_t last;  /* the model's clock when last used */
    site_slot *slots;
    uint64_t recent[KH_SITE_RECENT]; /* hashes of the last pages' URLs */
    uint32_t n_recent;               /* pages recorded in recent */
};

struct kh_sitemodel {
    kh_site sites[KH_SITE_MAX];
    size_t n_sites;
    uint64_t clock;
};

kh_status
kh_sitemodel_new(kh_sitemodel **out)
{
    if (out == NULL)
        return KH_EINVAL;
    kh_sitemodel *m = kh_malloc(sizeof *m);
    *out = m;
    if (m == NULL)
        return KH_ENOMEM;
    memset(m, 0, sizeof *m);
    return KH_OK;
}

void
kh_sitemodel_free(kh_sitemodel *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_sites; i++)
        kh_free(m->sites[i].slots);
    kh_free(m);
}

kh_site *
kh__sitemodel_site(kh_sitemodel *m, const char *host)
{
    if (m == NULL || host == NULL)
        return NULL;
    m->clock++;
    for (size_t i = 0; i < m->n_sites; i++)
        if (strncmp(m->sites[i].host, host, KH_SITE_HOST_MAX - 1) == 0) {
            m->sites[i].last = m->clock;
            return &m->sites[i];
        }
    kh_site *s;
    if (m->n_sites < KH_SITE_MAX) {
        site_slot *slots = kh_malloc(KH_SITE_SLOTS * sizeof *slots);
        if (slots == NULL)
            return NULL;
        s = &m->sites[m->n_sites++];
        s->slots = slots;
    } else {
        s = &m->sites[0];
        for (size_t i = 1; i < m->n_sites; i++)
            if (m->sites[i].last < s->last)
                s = &m->sites[i];
    }
    memset(s->slots, 0, KH_SITE_SLOTS * sizeof *s->slots);
    s->pages = 0;
    s->used = 0;
    s->n_recent = 0;
    s->last = m->clock;
    strncpy(s->host, host, KH_SITE_HOST_MAX - 1);
    s->host[KH_SITE_HOST_MAX - 1] = '\0';
    return s;
}

static uint64_t
nonzero(uint64_t h)
{
    return h != 0 ? h : 1;
}

static site_slot *
find(const kh_site *s, uint64_t hash)
{
    size_t mask = KH_SITE_SLOTS - 1;
    for (size_t i = (size_t)(hash ^ (hash >> 29)) & mask, k = 0;
         k < KH_SITE_SLOTS; i = (i + 1) & mask, k++) {
        if (s->slots[i].hash == hash || s->slots[i].hash == 0)
            return &s->slots[i];
    }
    return NULL;
}

int
kh__site_furniture(const kh_site *s, uint64_t hash)
{
    if (s == NULL)
        return 0;
    const site_slot *e = find(s, nonzero(hash));
    return e != NULL && e->hash != 0 && e->count >= KH_SITE_MIN_PAGES &&
           e->count * 2 > s->pages;
}

/* Rebuilds the table keeping the blocks whose count (halved first when
 * halve is set) is at least min_count; probe chains stay valid because
 * every survivor is inserted afresh. */
static void
rebuild(kh_site *s, uint32_t min_count, int halve)
{
    site_slot *old = s->slots;
    site_slot *fresh = kh_malloc(KH_SITE_SLOTS * sizeof *fresh);
    if (fresh == NULL) {
        /* No memory to rehash: forget the host's blocks instead. */
        memset(old, 0, KH_SITE_SLOTS * sizeof *old);
        s->used = 0;
        return;
    }
    memset(fresh, 0, KH_SITE_SLOTS * sizeof *fresh);
    s->slots = fresh;
    s->used = 0;
    for (size_t i = 0; i < KH_SITE_SLOTS; i++) {
        if (old[i].hash == 0)
            continue;
        uint32_t c = halve ? old[i].count / 2 : old[i].count;
        if (c < min_count || c == 0)
            continue;
        site_slot *e = find(s, old[i].hash);
        e->hash = old[i].hash;
        e->count = c;
        s->used++;
    }
    kh_free(old);
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void
kh__site_learn(kh_site *s, uint64_t page, uint64_t *hashes, size_t n)
{
    if (s == NULL)
        return;
    /* A page fetched again (an update, a retry) would make its own
     * paragraphs look like furniture: each URL counts once. */
    size_t known = s->n_recent < KH_SITE_RECENT ? s->n_recent : KH_SITE_RECENT;
    for (size_t i = 0; i < known; i++)
        if (s->recent[i] == page)
            return;
    s->recent[s->n_recent++ % KH_SITE_RECENT] = page;
    kh__qsort(hashes, n, sizeof *hashes, cmp_u64);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && hashes[i] == hashes[i - 1])
            continue;
        if (s->used * 4 >= KH_SITE_SLOTS * 3) {
            rebuild(s, 2, 0);
            if (s->used * 4 >= KH_SITE_SLOTS * 3)
                rebuild(s, 1, 1);
        }
        uint64_t h = nonzero(hashes[i]);
        site_slot *e = find(s, h);
        if (e == NULL)
            continue;
        if (e->hash == 0) {
            e->hash = h;
            s->used++;
        }
        e->count++;
    }
    s->pages++;
    if (s->pages >= KH_SITE_WINDOW) {
        s->pages /= 2;
        rebuild(s, 1, 1);
    }
}
