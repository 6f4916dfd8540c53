/*
 * wire.c -- wire copies: the same text published by several outlets.
 *
 * Each new article's body becomes a shingle set and KH_LSH_BANDS band
 * keys.  Articles sharing a band key with it are candidates; the most
 * promising (most shared bands first) are checked by the exact Jaccard
 * similarity of their shingle sets, so that a group never holds a pair the
 * definition would not call a copy.  A candidate's set is the one kept
 * since its add when it is among the RECENT latest, else recomputed from
 * its stored body; a candidate whose set size alone keeps J below
 * KH_COPY_JACCARD is not looked at.  The new article joins the group of
 * its most similar candidate at or above KH_COPY_JACCARD.
 *
 * docs.db keeps the band keys of every article (wire_bands), the copy
 * pairs (wire_pairs) and the group of every article that has a copy
 * (wire: a group is named by the docid of its first member, and via is
 * the copy it was found by), in the writer's transaction, so both follow the
 * index's commits, restarts and deletes.  The band table that finds
 * candidates lives in memory, built from wire_bands the first time an
 * article is added: about 200 bytes an article, and 4 more for the set
 * sizes of the articles this process added (0: not known).
 */
#include "story/story.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 512  /* collected from the bands */
#define MAX_CHECKS     16   /* verified by exact Jaccard */
#define RECENT         4096 /* shingle sets kept of the latest articles */
#define RECENT_MAX     4096 /* longer sets are not kept */

typedef struct band_node {
    uint32_t key, docid, next; /* next: index + 1, 0 ends the chain */
} band_node;

typedef struct cand {
    uint32_t docid, bands;
} cand;

/* The shingle set of an article added by this process, kept while it is
 * one of the RECENT latest (slot docid % RECENT): wire copies come out
 * within hours of each other, so most candidates are found here instead
 * of in their stored bodies. */
typedef struct recent_set {
    uint32_t docid; /* 0: empty */
    kh_u32vec set;
} recent_set;

struct kh_wire {
    sqlite3 *db;
    bool absent; /* a read-only index made before wire groups */
    bool writer;
    sqlite3_stmt *get_body, *has_doc, *put_bands, *all_bands, *get_grp,
        *put_grp, *del_bands, *del_grp, *put_pair, *del_pairs, *sources,
        *get_pair;
    bool loaded;
    uint32_t *heads; /* chain heads by key, index + 1 */
    size_t cap_heads;
    band_node *nodes;
    size_t n_nodes, cap_nodes;
    kh_u32vec mine; /* the caller's, during kh__wire_add */
    kh_u32vec theirs;
    uint32_t *sizes;    /* shingles of each docid added by this process, 0 */
    size_t cap_sizes;   /*   unknown (added before the restart) */
    recent_set *recent; /* RECENT of them */
    cand *cands;
    uint64_t checks;  /* candidates verified, for the benchmark */
    uint64_t fetched; /* of them, read back from their stored body */
};

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS wire_bands(docid INTEGER PRIMARY KEY,"
    " bands BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS wire(docid INTEGER PRIMARY KEY,"
    " grp INTEGER NOT NULL, via INTEGER, sim REAL);"
    "CREATE INDEX IF NOT EXISTS wire_grp ON wire(grp);"
    "CREATE TABLE IF NOT EXISTS wire_pairs(a INTEGER, b INTEGER, sim REAL,"
    " PRIMARY KEY(a,b)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS wire_pairs_b ON wire_pairs(b);";

kh_status
kh__wire_open(sqlite3 *db, bool read_only, kh_wire **out, kh_error *err)
{
    *out = NULL;
    kh_wire *w = kh_malloc(sizeof *w);
    if (w == NULL)
        return KH_ENOMEM;
    memset(w, 0, sizeof *w);
    w->db = db;
    if (!read_only && sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        kh__set_error(err, "cannot set up the wire tables: %s",
                      sqlite3_errmsg(db));
        kh_free(w);
        return KH_EIO;
    }
    if (kh__story_prep(db, &w->get_grp,
                       "SELECT grp FROM wire WHERE docid=?1") ||
        kh__story_prep(
            db, &w->sources,
            "SELECT d.source FROM wire w JOIN docs d ON d.docid=w.docid"
            " WHERE w.grp=?1 ORDER BY d.date IS NULL, d.date, w.docid")) {
        if (!read_only) {
            kh__set_error(err, "docs.db: %s", sqlite3_errmsg(db));
            kh__wire_close(w);
            return KH_ECORRUPT;
        }
        w->absent = true;
    }
    /* copies found by their pair only (kh__wire_paired); an index older
     * than the table checks none */
    (void)kh__story_prep(db, &w->get_pair,
                         "SELECT 1 FROM wire_pairs WHERE (a=?1 AND b=?2)"
                         " OR (a=?2 AND b=?1)");
    if (!read_only) {
        w->writer = true;
        kh_status rc = KH_OK;
        if ((kh__story_prep(db, &w->get_body,
                            "SELECT kh_body(body) FROM docs WHERE docid=?1") ||
             kh__story_prep(db, &w->has_doc,
                            "SELECT 1 FROM docs WHERE docid=?1") ||
             kh__story_prep(db, &w->put_bands,
                            "INSERT OR REPLACE INTO wire_bands(docid,bands)"
                            " VALUES(?1,?2)") ||
             kh__story_prep(db, &w->all_bands,
                            "SELECT docid,bands FROM wire_bands") ||
             kh__story_prep(db, &w->put_grp,
                            "INSERT OR REPLACE INTO wire(docid,grp,via,sim)"
                            " VALUES(?1,?2,?3,?4)") ||
             kh__story_prep(db, &w->del_bands,
                            "DELETE FROM wire_bands WHERE docid=?1") ||
             kh__story_prep(db, &w->del_grp,
                            "DELETE FROM wire WHERE docid=?1") ||
             kh__story_prep(db, &w->put_pair,
                            "INSERT OR REPLACE INTO wire_pairs(a,b,sim)"
                            " VALUES(?1,?2,?3)") ||
             kh__story_prep(db, &w->del_pairs,
                            "DELETE FROM wire_pairs WHERE a=?1 OR b=?1")))
            rc = KH_EIO;
        if (rc == KH_OK) {
            w->cands = kh_malloc(MAX_CANDIDATES * sizeof *w->cands);
            w->recent = kh_malloc(RECENT * sizeof *w->recent);
            if (w->cands == NULL || w->recent == NULL)
                rc = KH_ENOMEM;
            else
                memset(w->recent, 0, RECENT * sizeof *w->recent);
        }
        if (rc != KH_OK) {
            kh__set_error(err, "cannot prepare the wire tables: %s",
                          rc == KH_ENOMEM ? "out of memory"
                                          : sqlite3_errmsg(db));
            kh__wire_close(w);
            return rc;
        }
    }
    *out = w;
    return KH_OK;
}

void
kh__wire_close(kh_wire *w)
{
    if (w == NULL)
        return;
    sqlite3_stmt *all[] = {w->get_body,  w->has_doc, w->put_bands,
                           w->all_bands, w->get_grp, w->put_grp,
                           w->del_bands, w->del_grp, w->put_pair,
                           w->del_pairs, w->sources, w->get_pair};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]);
    kh_free(w->heads);
    kh_free(w->nodes);
    kh_free(w->cands);
    kh_free(w->sizes);
    if (w->recent != NULL)
        for (size_t i = 0; i < RECENT; i++)
            kh__u32vec_release(&w->recent[i].set);
    kh_free(w->recent);
    kh__u32vec_release(&w->theirs);
    kh_free(w);
}

size_t
kh__wire_memory(const kh_wire *w, size_t *kept, uint64_t *checks,
                uint64_t *fetched)
{
    if (checks != NULL)
        *checks = w->checks;
    if (fetched != NULL)
        *fetched = w->fetched;
    if (kept != NULL) {
        *kept = w->cap_sizes * sizeof *w->sizes;
        if (w->recent != NULL)
            for (size_t i = 0; i < RECENT; i++)
                *kept += sizeof w->recent[i] +
                         w->recent[i].set.cap * sizeof *w->recent[i].set.v;
    }
    return w->cap_heads * sizeof *w->heads + w->cap_nodes * sizeof *w->nodes;
}

/* ---- the band table -------------------------------------------------- */

static kh_status
grow_heads(kh_wire *w)
{
    size_t cap = w->cap_heads ? w->cap_heads * 2 : 1u << 16;
    uint32_t *h = kh_malloc(cap * sizeof *h);
    if (h == NULL)
        return KH_ENOMEM;
    memset(h, 0, cap * sizeof *h);
    for (size_t i = 0; i < w->n_nodes; i++) {
        size_t slot = w->nodes[i].key & (cap - 1);
        w->nodes[i].next = h[slot];
        h[slot] = (uint32_t)i + 1;
    }
    kh_free(w->heads);
    w->heads = h;
    w->cap_heads = cap;
    return KH_OK;
}

static kh_status
band_insert(kh_wire *w, uint32_t docid, const uint32_t keys[KH_LSH_BANDS])
{
    if (w->n_nodes + KH_LSH_BANDS > w->cap_nodes) {
        size_t cap = w->cap_nodes ? w->cap_nodes * 2 : 1u << 16;
        if (cap >= UINT32_MAX / 2)
            return KH_ENOMEM;
        band_node *nn = kh_realloc(w->nodes, cap * sizeof *nn);
        if (nn == NULL)
            return KH_ENOMEM;
        w->nodes = nn;
        w->cap_nodes = cap;
    }
    if (w->n_nodes + KH_LSH_BANDS > w->cap_heads) {
        kh_status rc = grow_heads(w);
        if (rc != KH_OK)
            return rc;
    }
    for (size_t b = 0; b < KH_LSH_BANDS; b++) {
        band_node *n = &w->nodes[w->n_nodes];
        size_t slot = keys[b] & (w->cap_heads - 1);
        n->key = keys[b];
        n->docid = docid;
        n->next = w->heads[slot];
        w->heads[slot] = (uint32_t)++w->n_nodes;
    }
    return KH_OK;
}

static kh_status
load(kh_wire *w)
{
    if (w->loaded)
        return KH_OK;
    kh_status rc = KH_OK;
    sqlite3_stmt *st = w->all_bands;
    int r;
    while (rc == KH_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 docid = sqlite3_column_int64(st, 0);
        const void *blob = sqlite3_column_blob(st, 1);
        if (sqlite3_column_bytes(st, 1) != KH_LSH_BANDS * 4 || docid <= 0 ||
            docid > UINT32_MAX)
            continue; /* not ours to read: left out of the candidates */
        uint32_t keys[KH_LSH_BANDS];
        memcpy(keys, blob, sizeof keys);
        rc = band_insert(w, (uint32_t)docid, keys);
    }
    sqlite3_reset(st);
    if (rc == KH_OK)
        w->loaded = true;
    return rc;
}

static int
by_bands(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->bands != y->bands)
        return x->bands > y->bands ? -1 : 1;
    return (x->docid < y->docid) - (x->docid > y->docid); /* newest first */
}

/* The articles sharing a band with keys, most shared bands first. */
static size_t
candidates(kh_wire *w, uint32_t self, const uint32_t keys[KH_LSH_BANDS])
{
    size_t n = 0;
    if (w->cap_heads == 0)
        return 0;
    for (size_t b = 0; b < KH_LSH_BANDS; b++) {
        uint32_t i = w->heads[keys[b] & (w->cap_heads - 1)];
        while (i != 0) {
            const band_node *node = &w->nodes[i - 1];
            i = node->next;
            if (node->key != keys[b] || node->docid == self)
                continue;
            size_t k = 0;
            while (k < n && w->cands[k].docid != node->docid)
                k++;
            if (k < n)
                w->cands[k].bands++;
            else if (n < MAX_CANDIDATES)
                w->cands[n++] = (cand){node->docid, 1};
        }
    }
    kh__qsort(w->cands, n, sizeof *w->cands, by_bands);
    return n;
}

static kh_status
group_of(kh_wire *w, uint64_t docid, uint64_t *group)
{
    *group = 0;
    if (w->absent)
        return KH_OK;
    sqlite3_bind_int64(w->get_grp, 1, (sqlite3_int64)docid);
    int r = sqlite3_step(w->get_grp);
    if (r == SQLITE_ROW)
        *group = (uint64_t)sqlite3_column_int64(w->get_grp, 0);
    sqlite3_reset(w->get_grp);
    return r == SQLITE_ROW || r == SQLITE_DONE ? KH_OK : KH_EIO;
}

/* via: the member docid was found to copy (0: the group's first). */
static kh_status
put_group(kh_wire *w, uint64_t docid, uint64_t group, uint64_t via, double sim)
{
    sqlite3_bind_int64(w->put_grp, 1, (sqlite3_int64)docid);
    sqlite3_bind_int64(w->put_grp, 2, (sqlite3_int64)group);
    if (via != 0)
        sqlite3_bind_int64(w->put_grp, 3, (sqlite3_int64)via);
    else
        sqlite3_bind_null(w->put_grp, 3);
    sqlite3_bind_double(w->put_grp, 4, sim);
    int r = sqlite3_step(w->put_grp);
    sqlite3_reset(w->put_grp);
    return r == SQLITE_DONE ? KH_OK : KH_EIO;
}

/* Whether docid's row is in docs.db. */
static kh_status
has_doc(kh_wire *w, uint32_t docid, bool *yes)
{
    sqlite3_bind_int64(w->has_doc, 1, docid);
    int r = sqlite3_step(w->has_doc);
    sqlite3_reset(w->has_doc);
    *yes = r == SQLITE_ROW;
    return r == SQLITE_ROW || r == SQLITE_DONE ? KH_OK : KH_EIO;
}

/* The Jaccard similarity of the body of docid with w->mine; -1 when the
 * article is gone, or when it cannot reach KH_COPY_JACCARD for its size
 * (J <= min(|A|, |B|) / max(|A|, |B|), and division rounds monotonically,
 * so the computed J could not either). */
static kh_status
similarity(kh_wire *w, uint32_t docid, double *sim)
{
    *sim = -1;
    size_t theirs = docid < w->cap_sizes ? w->sizes[docid] : 0;
    if (theirs != 0) {
        size_t lo = theirs < w->mine.n ? theirs : w->mine.n;
        size_t hi = theirs < w->mine.n ? w->mine.n : theirs;
        if ((double)lo / (double)hi < KH_COPY_JACCARD)
            return KH_OK;
    }
    w->checks++;
    const recent_set *r = &w->recent[docid % RECENT];
    if (r->docid == docid) {
        /* kept since its add, which followed its row: unless that was
         * rolled back, it is what its stored body would give */
        bool yes;
        kh_status rc = has_doc(w, docid, &yes);
        if (rc == KH_OK && yes)
            *sim = kh__jaccard(w->mine.v, w->mine.n, r->set.v, r->set.n);
        return rc;
    }
    w->fetched++;
    sqlite3_bind_int64(w->get_body, 1, docid);
    int step = sqlite3_step(w->get_body);
    kh_status rc = KH_OK;
    if (step == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(w->get_body, 0);
        rc = kh__shingles(body, &w->theirs);
        if (rc == KH_OK)
            *sim = kh__jaccard(w->mine.v, w->mine.n, w->theirs.v, w->theirs.n);
    } else if (step != SQLITE_DONE) {
        rc = KH_EIO;
    }
    sqlite3_reset(w->get_body);
    return rc;
}

/* Keeps what similarity() needs of docid, whose shingle set is set. */
static kh_status
remember(kh_wire *w, uint32_t docid, const kh_u32vec *set)
{
    if (docid >= w->cap_sizes) {
        size_t cap = w->cap_sizes ? w->cap_sizes : 1u << 12;
        while (cap <= docid)
            cap *= 2;
        uint32_t *ns = kh_realloc(w->sizes, cap * sizeof *ns);
        if (ns == NULL)
            return KH_ENOMEM;
        memset(ns + w->cap_sizes, 0, (cap - w->cap_sizes) * sizeof *ns);
        w->sizes = ns;
        w->cap_sizes = cap;
    }
    w->sizes[docid] = set->n <= UINT32_MAX ? (uint32_t)set->n : 0;
    recent_set *r = &w->recent[docid % RECENT];
    r->docid = 0;
    if (set->n == 0 || set->n > RECENT_MAX)
        return KH_OK;
    if (r->set.cap < set->n || r->set.cap / 2 > set->n) {
        /* a slot keeps no more room than twice its set */
        kh__u32vec_release(&r->set);
        r->set.v = kh_malloc(set->n * sizeof *r->set.v);
        if (r->set.v == NULL)
            return KH_ENOMEM;
        r->set.cap = set->n;
    }
    memcpy(r->set.v, set->v, set->n * sizeof *set->v);
    r->set.n = set->n;
    r->docid = docid;
    return KH_OK;
}

/* Forgets docid (deleted). */
static void
forget(kh_wire *w, uint64_t docid)
{
    if (docid < w->cap_sizes)
        w->sizes[docid] = 0;
    if (w->recent != NULL && w->recent[docid % RECENT].docid == docid)
        w->recent[docid % RECENT].docid = 0;
}

static kh_status
put_pair(kh_wire *w, uint32_t a, uint32_t b, double sim)
{
    sqlite3_bind_int64(w->put_pair, 1, a < b ? a : b);
    sqlite3_bind_int64(w->put_pair, 2, a < b ? b : a);
    sqlite3_bind_double(w->put_pair, 3, sim);
    int r = sqlite3_step(w->put_pair);
    sqlite3_reset(w->put_pair);
    return r == SQLITE_DONE ? KH_OK : KH_EIO;
}

kh_status
kh__wire_add(kh_wire *w, uint64_t docid, const kh_u32vec *shingles,
             uint64_t *group)
{
    if (group != NULL)
        *group = 0;
    if (!w->writer || docid > UINT32_MAX)
        return KH_OK; /* read-only, or past what the band table holds */
    forget(w, docid); /* a docid a rollback gave back is not what it was */
    kh_status rc = load(w);
    if (rc != KH_OK || shingles->n == 0)
        return rc;
    w->mine = *shingles; /* borrowed for similarity() */
    uint32_t keys[KH_LSH_BANDS];
    kh__band_keys(w->mine.v, w->mine.n, keys);
    size_t n = candidates(w, (uint32_t)docid, keys);
    /* A copy (J >= 0.8) shares 2 bands or more with probability 0.997
     * and up; most candidates with one shared band are texts on the same
     * subject, not worth fetching. */
    uint32_t best = 0;
    double best_sim = 0;
    for (size_t i = 0;
         i < n && i < MAX_CHECKS && w->cands[i].bands >= 2 && rc == KH_OK;
         i++) {
        double sim;
        rc = similarity(w, w->cands[i].docid, &sim);
        if (rc != KH_OK || sim < KH_COPY_JACCARD)
            continue;
        rc = put_pair(w, w->cands[i].docid, (uint32_t)docid, sim);
        if (sim > best_sim) {
            best = w->cands[i].docid;
            best_sim = sim;
        }
    }
    if (rc == KH_OK)
        rc = band_insert(w, (uint32_t)docid, keys);
    if (rc == KH_OK)
        rc = remember(w, (uint32_t)docid, shingles);
    if (rc == KH_OK) {
        sqlite3_bind_int64(w->put_bands, 1, (sqlite3_int64)docid);
        sqlite3_bind_blob(w->put_bands, 2, keys, sizeof keys, SQLITE_STATIC);
        int r = sqlite3_step(w->put_bands);
        sqlite3_reset(w->put_bands);
        if (r != SQLITE_DONE)
            rc = KH_EIO;
    }
    if (rc != KH_OK || best == 0)
        return rc;
    uint64_t g;
    rc = group_of(w, best, &g);
    if (rc == KH_OK && g == 0) {
        g = best;
        rc = put_group(w, best, g, 0, 1.0);
    }
    if (rc == KH_OK)
        rc = put_group(w, docid, g, best, best_sim);
    if (rc == KH_OK && group != NULL)
        *group = g;
    return rc;
}

kh_status
kh__wire_delete(kh_wire *w, uint64_t docid)
{
    if (!w->writer)
        return KH_OK;
    /* Its band nodes stay in memory; as a candidate it has no body. */
    forget(w, docid);
    sqlite3_stmt *sts[] = {w->del_bands, w->del_grp, w->del_pairs};
    for (size_t i = 0; i < 3; i++) {
        sqlite3_bind_int64(sts[i], 1, (sqlite3_int64)docid);
        int r = sqlite3_step(sts[i]);
        sqlite3_reset(sts[i]);
        if (r != SQLITE_DONE)
            return KH_EIO;
    }
    return KH_OK;
}

kh_status
kh__wire_group(kh_wire *w, uint64_t docid, uint64_t *group)
{
    return group_of(w, docid, group);
}

bool
kh__wire_paired(kh_wire *w, uint64_t a, uint64_t b)
{
    if (w->get_pair == NULL)
        return false;
    sqlite3_bind_int64(w->get_pair, 1, (sqlite3_int64)a);
    sqlite3_bind_int64(w->get_pair, 2, (sqlite3_int64)b);
    bool paired = sqlite3_step(w->get_pair) == SQLITE_ROW;
    sqlite3_reset(w->get_pair);
    return paired;
}

kh_status
kh__wire_sources(kh_wire *w, uint64_t group, size_t *copies, char ***sources,
                 size_t *n_sources)
{
    *copies = 0;
    *sources = NULL;
    *n_sources = 0;
    if (w->absent || group == 0)
        return KH_OK;
    kh_status rc = KH_OK;
    size_t cap = 0;
    sqlite3_bind_int64(w->sources, 1, (sqlite3_int64)group);
    int r;
    while (rc == KH_OK && (r = sqlite3_step(w->sources)) == SQLITE_ROW) {
        (*copies)++;
        const char *s = (const char *)sqlite3_column_text(w->sources, 0);
        if (s == NULL || s[0] == '\0')
            continue;
        size_t i = 0;
        while (i < *n_sources && strcmp((*sources)[i], s) != 0)
            i++;
        if (i < *n_sources)
            continue;
        if (*n_sources == cap) {
            cap = cap ? cap * 2 : 8;
            char **ns = kh_realloc(*sources, cap * sizeof *ns);
            if (ns == NULL) {
                rc = KH_ENOMEM;
                break;
            }
            *sources = ns;
        }
        char *copy = kh__strndup(s, strlen(s));
        if (copy == NULL)
            rc = KH_ENOMEM;
        else
            (*sources)[(*n_sources)++] = copy;
    }
    if (rc == KH_OK && r != SQLITE_DONE)
        rc = KH_EIO;
    sqlite3_reset(w->sources);
    if (rc != KH_OK) {
        for (size_t i = 0; i < *n_sources; i++)
            kh_free((*sources)[i]);
        kh_free(*sources);
        *sources = NULL;
        *n_sources = 0;
        *copies = 0;
    }
    return rc;
}
