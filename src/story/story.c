/*
 * story.c -- the story module as the index sees it: one pass of each new
 * article through the analyzer gives both its shingles (wire.c) and its
 * words (cluster.c).
 */
#include "story/story.h"

#include <string.h>
#include <time.h>

struct kh_stories {
    bool writer;
    kh_wire *wire;
    kh_cluster *cluster;
    kh_u32vec shingles;
    kh_termbag bag, scratch;
};

kh_status
kh__stories_open(sqlite3 *db, bool read_only, kh_stories **out, kh_error *err)
{
    *out = NULL;
    kh_stories *s = kh_malloc(sizeof *s);
    if (s == NULL)
        return KH_ENOMEM;
    memset(s, 0, sizeof *s);
    kh_status rc = kh__wire_open(db, read_only, &s->wire, err);
    if (rc == KH_OK)
        rc = kh__cluster_open(db, read_only, &s->cluster, err);
    if (rc != KH_OK) {
        kh__stories_close(s);
        return rc;
    }
    s->writer = !read_only;
    *out = s;
    return KH_OK;
}

void
kh__stories_close(kh_stories *s)
{
    if (s == NULL)
        return;
    kh__wire_close(s->wire);
    kh__cluster_close(s->cluster);
    kh__u32vec_release(&s->shingles);
    kh__termbag_release(&s->bag);
    kh__termbag_release(&s->scratch);
    kh_free(s);
}

kh_status
kh__stories_add(kh_stories *s, uint64_t docid, const char *title,
                const char *body, int64_t date)
{
    if (!s->writer)
        return KH_OK;
    if (date == KH_DATE_NONE)
        date = (int64_t)time(NULL); /* undated: as of its arrival */
    kh_status rc = kh__termbag_fill(title, body, &s->shingles, &s->bag);
    uint64_t group = 0, sid;
    if (rc == KH_OK)
        rc = kh__wire_add(s->wire, docid, &s->shingles, &group);
    if (rc == KH_OK)
        rc = kh__cluster_add(s->cluster, &s->scratch, docid, date, &s->bag,
                             group, &sid);
    return rc;
}

kh_status
kh__stories_delete(kh_stories *s, uint64_t docid)
{
    kh_status rc = kh__wire_delete(s->wire, docid);
    if (rc == KH_OK)
        rc = kh__cluster_delete(s->cluster, docid);
    return rc;
}

int
kh__story_prep(sqlite3 *db, sqlite3_stmt **st, const char *sql)
{
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}

kh_status
kh__story_docids(sqlite3_stmt *st, uint64_t key, uint64_t **docids, size_t *n)
{
    *docids = NULL;
    *n = 0;
    size_t cap = 0;
    kh_status rc = KH_OK;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)key);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            uint64_t *nd = kh_realloc(*docids, cap * sizeof *nd);
            if (nd == NULL) {
                rc = KH_ENOMEM;
                break;
            }
            *docids = nd;
        }
        (*docids)[(*n)++] = (uint64_t)sqlite3_column_int64(st, 0);
    }
    if (rc == KH_OK && r != SQLITE_DONE)
        rc = KH_EIO;
    sqlite3_reset(st);
    if (rc != KH_OK) {
        kh_free(*docids);
        *docids = NULL;
        *n = 0;
    }
    return rc;
}

kh_wire *
kh__stories_wire(kh_stories *s)
{
    return s->wire;
}

kh_cluster *
kh__stories_cluster(kh_stories *s)
{
    return s->cluster;
}
