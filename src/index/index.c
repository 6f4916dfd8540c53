/*
 * index.c -- the public kh_index_* calls: opening, adding, deleting,
 * committing, snapshots, merging, statistics.
 *
 * The writer holds an exclusive lock on DIR/LOCK for as long as it is
 * open, so two writers never race; readers take no lock.  A writer's
 * changes go into one SQLite transaction (docs rows, segment rows,
 * deletion bitmaps) that kh_index_commit() commits after the segment
 * files are synced: the commit is atomic and durable, and a crash at any
 * other point leaves the previous commit plus segment files nobody
 * references, which the next writer deletes when it opens the index.
 */
#include "index.h"
#include "store.h"
#include "extract/entity.h"
#include "story/story.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEGMENTS 10 /* more than this after a commit: merge */
#define NO_INDEX     "no index at %s (ingest something first, or give --index)"

static void
snap_free(kh_snapseg *segs, size_t n)
{
    for (size_t i = 0; segs != NULL && i < n; i++) {
        kh_free(segs[i].lennorm);
        kh__seg_close(segs[i].seg);
        kh_free(segs[i].file);
        kh_free(segs[i].deleted);
    }
    kh_free(segs);
}

static char *
seg_path(const kh_index *ix, const char *file)
{
    size_t n = strlen(ix->dir) + strlen(file) + 2;
    char *p = kh_malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", ix->dir, file);
    return p;
}

/* Frees a snapshot that was not installed: segs[0..n) of which the first
 * `filled` were set up, without closing the segments it shares with the
 * live one (from[], as in load_snapshot()); frees from. */
static void
snap_drop(kh_snapseg *segs, size_t n, size_t *from, size_t filled)
{
    for (size_t i = 0; i < filled && i < n; i++)
        if (from[i] != SIZE_MAX)
            segs[i].seg = NULL;
    kh_free(from);
    snap_free(segs, n);
}

/* Takes the index's write lock on fd, waiting up to wait_ms (0: 10 s,
 * negative: not at all) for a writer in another process: a `khabar
 * ingest` and the server's writer take turns. */
static bool
lock_within(int fd, int wait_ms)
{
    long left = wait_ms == 0 ? 10000 : wait_ms < 0 ? 0 : wait_ms;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return true;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return false;
        if (left <= 0)
            return false;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        left -= 20;
    }
}

/* Reads the segment list and opens what is new; segments already open
 * are reused.  A file that vanished (merged away by a writer after we
 * read the list) makes it read the list again. */
static kh_status
load_snapshot(kh_index *ix, kh_error *err)
{
    for (int attempt = 0;; attempt++) {
        /* The version is read before the list: a commit landing while the
         * list is read and the segments opened then makes the next
         * refresh load again.  Read after, it counted that commit as
         * loaded, and the reader missed it until the next one. */
        int64_t version = kh__store_data_version(ix->store);
        kh_segrow *rows;
        size_t n;
        kh_status rc = kh__store_segments(ix->store, &rows, &n);
        if (rc != KH_OK) {
            kh__set_error(err, "cannot read the segment list: %s",
                          kh_strerror(rc));
            return rc;
        }
        /* A segment of the live snapshot is shared, not moved, until the
         * new one is complete: a failed reload leaves the live snapshot
         * whole, and searches go on with it (from[k]: the live snapshot's
         * index of segs[k].seg, SIZE_MAX when opened here). */
        kh_snapseg *segs = kh_malloc((n + 1) * sizeof *segs);
        size_t *from = kh_malloc((n + 1) * sizeof *from);
        if (segs == NULL || from == NULL) {
            kh_free(segs);
            kh_free(from);
            kh__segrows_free(rows, n);
            return KH_ENOMEM;
        }
        memset(segs, 0, (n + 1) * sizeof *segs);
        size_t k = 0;
        for (; k < n && rc == KH_OK; k++) {
            kh_snapseg *s = &segs[k];
            s->segid = rows[k].segid;
            s->file = rows[k].file;
            rows[k].file = NULL;
            s->deleted = rows[k].deleted;
            rows[k].deleted = NULL;
            s->deleted_len = rows[k].deleted_len;
            s->min_docid = rows[k].min_docid;
            s->max_docid = rows[k].max_docid;
            from[k] = SIZE_MAX;
            for (size_t j = 0; j < ix->n_segs && from[k] == SIZE_MAX; j++)
                if (ix->segs[j].segid == s->segid && ix->segs[j].seg &&
                    strcmp(ix->segs[j].file, s->file) == 0) {
                    s->seg = ix->segs[j].seg;
                    from[k] = j;
                }
            if (s->seg == NULL) {
                char *path = seg_path(ix, s->file);
                rc =
                    path == NULL ? KH_ENOMEM : kh__seg_open(path, &s->seg, err);
                kh_free(path);
            }
            if (rc == KH_OK && kh__seg_ndocs(s->seg) != rows[k].ndocs) {
                kh__set_error(err, "segment %s does not match the segment list",
                              s->file);
                rc = KH_ECORRUPT;
            }
            for (uint32_t o = 0; rc == KH_OK && o < rows[k].ndocs; o++)
                s->n_deleted += kh__snap_deleted(s, o);
        }
        kh__segrows_free(rows, n);
        if (rc == KH_ENOTFOUND && attempt < 5) {
            snap_drop(segs, n, from, k);
            continue;
        }
        if (rc != KH_OK) {
            snap_drop(segs, n, from, k);
            return rc;
        }
        /* Collection statistics, and each article's BM25 length factor,
         * computed once per snapshot rather than per query. */
        double n_docs = 0, n_live = 0, total_len = 0;
        for (size_t i = 0; i < n; i++) {
            n_docs += kh__seg_ndocs(segs[i].seg);
            n_live += kh__seg_ndocs(segs[i].seg) - segs[i].n_deleted;
            total_len += (double)kh__seg_total_len(segs[i].seg);
        }
        double avgdl = n_docs > 0 && total_len > 0 ? total_len / n_docs : 1;
        for (size_t i = 0; i < n && rc == KH_OK; i++) {
            uint32_t nd = kh__seg_ndocs(segs[i].seg);
            segs[i].lennorm = kh_malloc((nd + 1) * sizeof(float));
            if (segs[i].lennorm == NULL) {
                rc = KH_ENOMEM;
                break;
            }
            for (uint32_t o = 0; o < nd; o++) {
                const kh_segdoc *d = kh__seg_doc(segs[i].seg, o);
                segs[i].lennorm[o] =
                    (float)(1.0 - ix->b +
                            ix->b * ((double)d->title_len + d->body_len) /
                                avgdl);
            }
        }
        if (rc != KH_OK) {
            snap_drop(segs, n, from, n);
            return rc;
        }
        for (size_t i = 0; i < n; i++) /* now the new snapshot's */
            if (from[i] != SIZE_MAX)
                ix->segs[from[i]].seg = NULL;
        kh_free(from);
        snap_free(ix->segs, ix->n_segs);
        ix->segs = segs;
        ix->n_segs = n;
        ix->n_live = n_live > 0 ? n_live : 1;
        ix->avgdl = avgdl;
        ix->data_version = version;
        return KH_OK;
    }
}

kh_status
kh_index_refresh(kh_index *ix, kh_error *err)
{
    if (kh__store_data_version(ix->store) == ix->data_version)
        return KH_OK;
    return load_snapshot(ix, err);
}

/* Deletes segment files that no committed row references: leftovers of
 * a crash between writing a segment and committing it, or of a merge. */
static void
collect_garbage(kh_index *ix)
{
    DIR *d = opendir(ix->dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "seg-", 4) != 0)
            continue;
        bool live = false;
        for (size_t i = 0; i < ix->n_segs && !live; i++)
            live = strcmp(ix->segs[i].file, e->d_name) == 0;
        if (!live) {
            char *p = seg_path(ix, e->d_name);
            if (p != NULL)
                unlink(p);
            kh_free(p);
        }
    }
    closedir(d);
}

kh_status
kh_index_open(const char *dir, const kh_index_options *opts, kh_index **out,
              kh_error *err)
{
    *out = NULL;
    if (err != NULL)
        memset(err, 0, sizeof *err);
    kh_index_options o = {.stemmer = KH_STEMMER_LIGHT};
    if (opts != NULL)
        o = *opts;
    kh_index *ix = kh_malloc(sizeof *ix);
    if (ix == NULL)
        return KH_ENOMEM;
    memset(ix, 0, sizeof *ix);
    ix->lock_fd = -1;
    ix->read_only = o.read_only != 0;
    ix->buffer_bytes = (o.buffer_mb ? o.buffer_mb : 64) << 20;
    ix->k1 = 1.2;
    ix->b = 0.75;
    ix->title_weight = 2.0;
    ix->exact_weight = 0.3;
    ix->proximity_weight = 2.0;
    const char *ew = getenv("KHABAR_EXACT"); /* for tuning runs */
    if (ew != NULL)
        ix->exact_weight = strtod(ew, NULL);
    const char *pw = getenv("KHABAR_PROXIMITY"); /* for tuning runs */
    if (pw != NULL)
        ix->proximity_weight = strtod(pw, NULL);
    ix->rerank_depth = 30; /* docs/search.md: MRR -0.001, p99 about -20% */
    const char *rd = getenv("KHABAR_RERANK"); /* for tuning runs */
    if (rd != NULL)
        ix->rerank_depth = strtoul(rd, NULL, 10);
    kh_status rc = KH_OK;
    ix->dir = kh__strndup(dir, strlen(dir));
    if (ix->dir == NULL) {
        rc = KH_ENOMEM;
        goto fail;
    }
    if (o.create && !ix->read_only &&
        strcmp(kh_stemmer_name(o.stemmer), "unknown") == 0) {
        /* before anything is written: it would stay in the index */
        kh__set_error(err, "unknown stemmer (%d) in the options",
                      (int)o.stemmer);
        rc = KH_EINVAL;
        goto fail;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (o.create && !ix->read_only && mkdir(dir, 0755) != 0) {
            kh__set_error(err, "cannot make the index directory %s: %s", dir,
                          strerror(errno));
            rc = errno == ENOENT ? KH_ENOTFOUND : KH_EIO;
            goto fail;
        }
        if (!o.create || ix->read_only) {
            kh__set_error(err, NO_INDEX, dir);
            rc = KH_ENOTFOUND;
            goto fail;
        }
    } else if (!S_ISDIR(sb.st_mode)) {
        kh__set_error(err, "%s is not a directory", dir);
        rc = KH_EINVAL;
        goto fail;
    }
    char path[4096];
    if (!ix->read_only) {
        snprintf(path, sizeof path, "%s/LOCK", dir);
        ix->lock_fd = open(path, O_RDWR | O_CREAT, 0644);
        if (ix->lock_fd < 0) {
            kh__set_error(err, "cannot create the lock file in %s", dir);
            rc = KH_EIO;
            goto fail;
        }
        if (!lock_within(ix->lock_fd, o.lock_wait_ms)) {
            kh__set_error(err,
                          "the index at %s is being written by another "
                          "process (waited %.1f s)",
                          dir,
                          o.lock_wait_ms == 0  ? 10.0
                          : o.lock_wait_ms < 0 ? 0.0
                                               : o.lock_wait_ms / 1000.0);
            rc = KH_EIO;
            goto fail;
        }
    }
    snprintf(path, sizeof path, "%s/docs.db", dir);
    bool fresh = stat(path, &sb) != 0;
    if (fresh && !o.create) {
        kh__set_error(err, NO_INDEX, dir);
        rc = KH_ENOTFOUND;
        goto fail;
    }
    rc = kh__store_open(dir, o.create != 0, ix->read_only, &ix->store, err);
    if (rc != KH_OK)
        goto fail;
    char *v = NULL;
    kh_status mrc = kh__store_meta_get(ix->store, "format", &v);
    if (mrc == KH_ENOTFOUND && !ix->read_only && o.create) {
        rc = kh__store_begin(ix->store, err);
        if (rc == KH_OK)
            rc = kh__store_meta_set(ix->store, "format", "1");
        if (rc == KH_OK)
            rc = kh__store_meta_set(ix->store, "stemmer",
                                    kh_stemmer_name(o.stemmer));
        if (rc == KH_OK)
            rc = kh__store_meta_set(ix->store, "exact_forms",
                                    o.exact_forms ? "1" : "0");
        if (rc == KH_OK)
            rc = kh__store_commit(ix->store, err);
        if (rc != KH_OK)
            goto fail;
    } else if (mrc != KH_OK || strcmp(v, "1") != 0) {
        kh_free(v);
        kh__set_error(err, "%s is not a Khabar index (or a newer format)", dir);
        rc = mrc == KH_OK ? KH_EUNSUPPORTED : KH_ECORRUPT;
        goto fail;
    }
    kh_free(v);
    v = NULL;
    ix->aopts.stemmer = o.stemmer;
    if (kh__store_meta_get(ix->store, "stemmer", &v) == KH_OK) {
        if (kh_stemmer_parse(v, &ix->aopts.stemmer) != KH_OK) {
            kh_free(v);
            kh__set_error(err, "%s: unknown stemmer in the index", dir);
            rc = KH_ECORRUPT;
            goto fail;
        }
        kh_free(v);
    }
    /* Indexes made before the choice existed all have the forms. */
    ix->exact_forms = true;
    if (kh__store_meta_get(ix->store, "exact_forms", &v) == KH_OK) {
        ix->exact_forms = strcmp(v, "0") != 0;
        kh_free(v);
    }
    kh_analyzer_options qo = ix->aopts;
    qo.drop_stopwords = 0;
    rc = kh_analyzer_new(&qo, &ix->qa);
    if (rc == KH_OK)
        rc = kh_analyzer_new(&qo, &ix->sa);
    if (rc == KH_OK && !ix->read_only)
        rc = kh__memseg_new(ix->aopts, ix->exact_forms, &ix->mem);
    if (rc == KH_OK && !ix->read_only && !o.no_entities)
        rc = kh__tagger_new(&ix->tagger, err);
    if (rc == KH_OK && !ix->read_only && !o.single_thread)
        rc = kh__feeder_start(ix->mem, ix->tagger, &ix->feeder);
    if (rc == KH_OK)
        rc = kh__stories_open(kh__store_db(ix->store), ix->read_only,
                              &ix->stories, err);
    ix->no_stories = o.no_stories != 0;
    ix->replace_unchanged = o.replace_unchanged != 0;
    if (rc == KH_OK)
        rc = kh__entstore_open(kh__store_db(ix->store), ix->read_only,
                               &ix->ents, err);
    if (rc == KH_OK)
        rc = load_snapshot(ix, err);
    if (rc != KH_OK)
        goto fail;
    if (!ix->read_only)
        collect_garbage(ix);
    *out = ix;
    return KH_OK;
fail:
    kh_index_close(ix);
    return rc;
}

void
kh_index_close(kh_index *ix)
{
    if (ix == NULL)
        return;
    kh__feeder_stop(ix->feeder);
    if (ix->store != NULL)
        kh__store_rollback(ix->store);
    /* Rolled back: the old segments are the committed ones again. */
    for (size_t i = 0; i < ix->n_pending; i++)
        kh_free(ix->pending[i]);
    kh_free(ix->pending);
    kh__tagger_free(ix->tagger);
    kh__stories_close(ix->stories); /* statements before the connection */
    kh__entstore_close(ix->ents);
    kh__store_close(ix->store);
    snap_free(ix->segs, ix->n_segs);
    kh__memseg_free(ix->mem);
    kh_analyzer_free(ix->qa);
    kh_analyzer_free(ix->sa);
    if (ix->lock_fd >= 0)
        close(ix->lock_fd); /* releases the lock */
    kh_free(ix->dir);
    kh_free(ix);
}

static kh_status
need_writer(kh_index *ix, kh_error *err)
{
    if (ix->read_only) {
        kh__set_error(err, "%s", "the index is open read-only");
        return KH_EINVAL;
    }
    return kh__store_begin(ix->store, err);
}

/* A new, unused segment file name. */
static kh_status
new_segment_name(kh_index *ix, char *name, size_t cap)
{
    char *v = NULL;
    unsigned long long next = 1;
    if (kh__store_meta_get(ix->store, "next_segment", &v) == KH_OK)
        next = strtoull(v, NULL, 10);
    kh_free(v);
    snprintf(name, cap, "seg-%06llu.khs", next);
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", next + 1);
    return kh__store_meta_set(ix->store, "next_segment", buf);
}

static kh_status
register_segment(kh_index *ix, const char *name, uint32_t ndocs,
                 uint64_t min_docid, uint64_t max_docid, const uint8_t *bits,
                 kh_error *err)
{
    kh_segrow row = {0,         (char *)name,    ndocs,          min_docid,
                     max_docid, (uint8_t *)bits, (ndocs + 7) / 8};
    int64_t segid;
    kh_status rc = kh__store_add_segment(ix->store, &row, &segid);
    if (rc != KH_OK) {
        kh__set_error(err, "cannot record segment %s", name);
        return rc;
    }
    return load_snapshot(ix, err);
}

static kh_status merge_segments(kh_index *ix, bool all, kh_error *err);

/* Waits for the feeder: after it, the memseg is the writer's to read. */
static kh_status
drain(kh_index *ix, kh_error *err)
{
    kh_status rc = ix->feeder != NULL ? kh__feeder_drain(ix->feeder) : KH_OK;
    if (rc != KH_OK)
        kh__set_error(err, "cannot add an article: %s", kh_strerror(rc));
    return rc;
}

static size_t
buffered_bytes(kh_index *ix)
{
    return ix->feeder != NULL ? kh__feeder_bytes(ix->feeder)
                              : kh__memseg_bytes(ix->mem);
}

/* The entities first named by the articles of a flush, stored into
 * docs.db (in the transaction that commits their postings) on a thread of
 * their own while the writer writes the segment file. */
typedef struct names_job {
    kh_index *ix;
    kh_status rc;
} names_job;

static void *
store_names(void *arg)
{
    names_job *nj = arg;
    nj->rc = kh__tagger_names(nj->ix->tagger, kh__entstore_put, nj->ix->ents);
    return NULL;
}

static kh_status
flush(kh_index *ix, kh_error *err)
{
    kh_status rc = drain(ix, err);
    if (rc != KH_OK)
        return rc;
    size_t total = kh__memseg_total(ix->mem);
    names_job nj = {ix, KH_OK};
    if (total == 0) {
        if (ix->tagger != NULL)
            store_names(&nj);
        return nj.rc;
    }
    char name[64];
    rc = new_segment_name(ix, name, sizeof name);
    char *path = rc == KH_OK ? seg_path(ix, name) : NULL;
    if (rc == KH_OK && path == NULL)
        rc = KH_ENOMEM;
    /* Storing the names is SQLite's B-tree work on the writer's
     * connection, and writing the segment touches no database: the two
     * overlap (about 0.5 s of the 31k corpus's ingest was the names, on
     * the thread everything else waits for).  The connection is the names
     * thread's alone until it is joined. */
    pthread_t th;
    bool threaded = false;
    if (rc == KH_OK && ix->tagger != NULL) {
        threaded = pthread_create(&th, NULL, store_names, &nj) == 0;
        if (!threaded)
            store_names(&nj);
    }
    size_t written = 0;
    if (rc == KH_OK)
        rc = kh__memseg_write(ix->mem, path, &written, err);
    if (threaded)
        pthread_join(th, NULL);
    kh_free(path);
    if (rc == KH_OK && nj.rc != KH_OK) {
        rc = nj.rc;
        kh__set_error(err, "cannot store the entities' names: %s",
                      rc == KH_EIO ? kh__store_errmsg(ix->store)
                                   : kh_strerror(rc));
    }
    if (rc != KH_OK)
        return rc;
    uint8_t *bits = kh_malloc((total + 7) / 8 + 1);
    if (bits == NULL)
        return KH_ENOMEM;
    memset(bits, 0, (total + 7) / 8 + 1);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint32_t i = 0; i < total; i++) {
        if (kh__memseg_is_dropped(ix->mem, i))
            bits[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    kh__memseg_range(ix->mem, &lo, &hi);
    rc = register_segment(ix, name, (uint32_t)total, lo, hi, bits, err);
    kh_free(bits);
    if (rc == KH_OK)
        kh__memseg_clear(ix->mem);
    if (rc == KH_OK)
        rc = merge_segments(ix, false, err);
    return rc;
}

/* Marks a committed article deleted in the segment holding it. */
static kh_status
delete_in_segments(kh_index *ix, uint64_t docid)
{
    for (size_t i = 0; i < ix->n_segs; i++) {
        kh_snapseg *s = &ix->segs[i];
        if (docid < s->min_docid || docid > s->max_docid)
            continue;
        uint32_t lo = 0, hi = kh__seg_ndocs(s->seg);
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (kh__seg_doc(s->seg, mid)->docid < docid)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < kh__seg_ndocs(s->seg) &&
            kh__seg_doc(s->seg, lo)->docid == docid &&
            !kh__snap_deleted(s, lo)) {
            s->deleted[lo >> 3] |= (uint8_t)(1u << (lo & 7));
            s->n_deleted++;
            /* Into the open transaction now: a snapshot reload (after a
             * flush) reads the bitmaps back from there. */
            return kh__store_set_deleted(ix->store, s->segid, s->deleted,
                                         s->deleted_len);
        }
    }
    return KH_OK;
}

static kh_status
delete_docid(kh_index *ix, uint64_t docid)
{
    kh_status rc = drain(ix, NULL);
    if (rc == KH_OK)
        rc = kh__store_delete(ix->store, docid);
    if (rc == KH_OK)
        rc = kh__stories_delete(ix->stories, docid);
    if (rc != KH_OK)
        return rc;
    if (!kh__memseg_drop(ix->mem, docid))
        return delete_in_segments(ix, docid);
    return KH_OK;
}

/* The feeder's work on the caller's thread (single_thread). */
static kh_status
add_inline(kh_index *ix, uint64_t docid, const char *key, const kh_article *a)
{
    kh_buf terms;
    kh__buf_init(&terms);
    kh_status rc = ix->tagger != NULL
                       ? kh__tagger_terms(ix->tagger, a->title, a->body, &terms)
                       : KH_OK;
    if (rc == KH_OK)
        rc = kh__memseg_add(ix->mem, docid, key, a, terms.data, terms.len);
    kh__buf_release(&terms);
    return rc;
}

const char *
kh_article_key(const kh_article *a, char buf[KH_KEY_MAX])
{
    if (a->id != NULL && a->id[0] != '\0')
        return a->id;
    if (a->url != NULL && a->url[0] != '\0')
        return a->url;
    uint64_t h = 1469598103934665603ull;
    const char *parts[] = {a->title ? a->title : "", "\n",
                           a->body ? a->body : ""};
    for (size_t p = 0; p < 3; p++)
        for (const char *t = parts[p]; *t; t++)
            h = (h ^ (unsigned char)*t) * 1099511628211ull;
    snprintf(buf, KH_KEY_MAX, "sha-fnv64:%016llx", (unsigned long long)h);
    return buf;
}

static bool
same_text(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* Whether the stored article docid is a as it stands: re-ingesting an
 * unchanged article (a feed read again, a file ingested twice) is then
 * left alone, where replacing it re-clustered it and could take it out
 * of its story. */
static bool
same_as_stored(kh_index *ix, uint64_t docid, const kh_article *a)
{
    kh_doc d;
    if (kh__store_get(ix->store, docid, true, &d) != KH_OK)
        return false;
    bool same = same_text(d.meta.title, a->title) &&
                same_text(d.body, a->body) && same_text(d.meta.url, a->url) &&
                same_text(d.meta.source, a->source) &&
                same_text(d.meta.author, a->author) && d.meta.date == a->date;
    kh__hit_release(&d.meta);
    kh_free(d.body);
    return same;
}

kh_status
kh_index_add(kh_index *ix, const kh_article *a, int *replaced, kh_error *err)
{
    if (replaced != NULL)
        *replaced = 0;
    kh_status rc = need_writer(ix, err);
    if (rc != KH_OK)
        return rc;
    char buf[KH_KEY_MAX];
    const char *key = kh_article_key(a, buf);
    uint64_t old, docid;
    rc = kh__store_find(ix->store, key, &old);
    if (rc == KH_OK) {
        if (replaced != NULL)
            *replaced = 1;
        if (!ix->replace_unchanged && same_as_stored(ix, old, a))
            return KH_OK;
        rc = delete_docid(ix, old);
    } else if (rc == KH_ENOTFOUND) {
        rc = KH_OK;
    }
    if (rc == KH_OK)
        rc = kh__store_insert(ix->store, key, a, &docid, err);
    if (rc == KH_OK && !ix->no_stories)
        rc = kh__stories_add(ix->stories, docid, a->title, a->body, a->date);
    if (rc == KH_OK)
        rc = ix->feeder != NULL ? kh__feeder_add(ix->feeder, docid, key, a)
                                : add_inline(ix, docid, key, a);
    if (rc == KH_OK && buffered_bytes(ix) >= ix->buffer_bytes)
        rc = flush(ix, err);
    if (rc != KH_OK && err != NULL && err->message[0] == '\0')
        kh__set_error(err, "cannot add the article: %s", kh_strerror(rc));
    return rc;
}

kh_status
kh_index_delete(kh_index *ix, const char *id, kh_error *err)
{
    kh_status rc = need_writer(ix, err);
    if (rc != KH_OK)
        return rc;
    uint64_t docid;
    rc = kh__store_find(ix->store, id, &docid);
    if (rc == KH_ENOTFOUND) {
        kh__set_error(err, "no article with id %s", id);
        return rc;
    }
    if (rc == KH_OK)
        rc = delete_docid(ix, docid);
    return rc;
}

static int
by_ndocs(const void *a, const void *b)
{
    const kh_snapseg *x = *(const kh_snapseg *const *)a;
    const kh_snapseg *y = *(const kh_snapseg *const *)b;
    uint32_t nx = kh__seg_ndocs(x->seg), ny = kh__seg_ndocs(y->seg);
    return (nx > ny) - (nx < ny);
}

/* Unlinks the files of segments merged away, once a commit no longer
 * refers to them; readers that have them mapped keep reading them. */
static void
unlink_pending(kh_index *ix)
{
    for (size_t i = 0; i < ix->n_pending; i++) {
        unlink(ix->pending[i]);
        kh_free(ix->pending[i]);
    }
    ix->n_pending = 0;
}

/* Merges segments: all of them when all is set, else the smallest ones
 * while there are more than MAX_SEGMENTS.  Outside a transaction it makes
 * its own and commits it; inside the writer's open transaction (a flush in
 * the middle of a long batch, so that segments never pile up) it leaves
 * the commit, and the removal of the old files, to kh_index_commit(). */
static kh_status
merge_segments(kh_index *ix, bool all, kh_error *err)
{
    bool own_txn = !kh__store_in_txn(ix->store);
    if (ix->n_segs < 2 || (!all && ix->n_segs <= MAX_SEGMENTS))
        return KH_OK;
    kh_snapseg **pick = kh_malloc(ix->n_segs * sizeof *pick);
    const kh_seg **segs = kh_malloc(ix->n_segs * sizeof *segs);
    const uint8_t **dels = kh_malloc(ix->n_segs * sizeof *dels);
    kh_status rc = KH_OK;
    if (pick == NULL || segs == NULL || dels == NULL) {
        rc = KH_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < ix->n_segs; i++)
        pick[i] = &ix->segs[i];
    kh__qsort(pick, ix->n_segs, sizeof *pick, by_ndocs);
    size_t n = all ? ix->n_segs : ix->n_segs - MAX_SEGMENTS / 2;
    for (size_t i = 0; i < n; i++) {
        segs[i] = pick[i]->seg;
        dels[i] = pick[i]->deleted;
    }
    rc = kh__store_begin(ix->store, err);
    char name[64];
    if (rc == KH_OK)
        rc = new_segment_name(ix, name, sizeof name);
    char *path = rc == KH_OK ? seg_path(ix, name) : NULL;
    uint32_t nd = 0;
    uint64_t lo = 0, hi = 0;
    if (rc == KH_OK)
        rc = path == NULL ? KH_ENOMEM
                          : kh__merge(segs, dels, n, path, &nd, &lo, &hi, err);
    kh_free(path);
    /* Record the new segment and drop the old ones in one transaction. */
    char **old_files = kh_malloc(n * sizeof *old_files);
    if (rc == KH_OK && old_files == NULL)
        rc = KH_ENOMEM;
    for (size_t i = 0; i < n && rc == KH_OK; i++) {
        old_files[i] = pick[i]->file;
        rc = kh__store_drop_segment(ix->store, pick[i]->segid);
    }
    if (rc == KH_OK && nd > 0) {
        uint8_t *bits = kh_malloc((nd + 7) / 8 + 1);
        if (bits == NULL) {
            rc = KH_ENOMEM;
        } else {
            memset(bits, 0, (nd + 7) / 8 + 1);
            kh_segrow row = {0, name, nd, lo, hi, bits, (nd + 7) / 8};
            int64_t segid;
            rc = kh__store_add_segment(ix->store, &row, &segid);
            kh_free(bits);
        }
    }
    if (rc == KH_OK && own_txn)
        rc = kh__store_commit(ix->store, err);
    char **p =
        rc == KH_OK
            ? kh_realloc(ix->pending, (ix->n_pending + n) * sizeof *ix->pending)
            : NULL;
    if (rc == KH_OK && p == NULL)
        rc = KH_ENOMEM;
    if (rc != KH_OK) {
        if (own_txn)
            kh__store_rollback(ix->store);
        kh_free(old_files);
        goto done;
    }
    ix->pending = p;
    for (size_t i = 0; i < n; i++) {
        char *old = seg_path(ix, old_files[i]);
        if (old != NULL)
            ix->pending[ix->n_pending++] = old;
    }
    kh_free(old_files);
    rc = load_snapshot(ix, err);
    if (own_txn)
        unlink_pending(ix);
done:
    kh_free(pick);
    kh_free(segs);
    kh_free(dels);
    return rc;
}

static kh_status
commit(kh_index *ix, bool optimize, kh_error *err)
{
    if (ix->read_only) {
        kh__set_error(err, "%s", "the index is open read-only");
        return KH_EINVAL;
    }
    kh_status rc = KH_OK;
    if (kh__store_in_txn(ix->store)) {
        rc = flush(ix, err);
        if (rc == KH_OK)
            rc = kh__store_commit(ix->store, err);
        if (rc != KH_OK)
            return rc;
        unlink_pending(ix);
    }
    rc = merge_segments(ix, optimize, err);
    if (rc == KH_OK)
        ix->data_version = kh__store_data_version(ix->store);
    return rc;
}

kh_status
kh_index_commit(kh_index *ix, kh_error *err)
{
    return commit(ix, false, err);
}

kh_status
kh_index_optimize(kh_index *ix, kh_error *err)
{
    return commit(ix, true, err);
}

kh_status
kh_index_get(kh_index *ix, const char *id, kh_doc **out, kh_error *err)
{
    *out = NULL;
    uint64_t docid;
    kh_status rc = kh__store_find(ix->store, id, &docid);
    if (rc == KH_ENOTFOUND)
        kh__set_error(err, "no article with id %s", id);
    if (rc != KH_OK)
        return rc;
    kh_doc *d = kh_malloc(sizeof *d);
    if (d == NULL)
        return KH_ENOMEM;
    rc = kh__store_get(ix->store, docid, true, d);
    if (rc != KH_OK) {
        if (rc == KH_EIO)
            kh__set_error(err, "cannot read article %s: %s", id,
                          kh__store_errmsg(ix->store));
        kh_doc_free(d);
        return rc;
    }
    *out = d;
    return KH_OK;
}

void
kh__hit_release(kh_hit *h)
{
    kh_free(h->id);
    kh_free(h->title);
    kh_free(h->url);
    kh_free(h->source);
    kh_free(h->author);
    kh_free(h->snippet);
    for (size_t i = 0; i < h->n_sources; i++)
        kh_free(h->sources[i]);
    kh_free(h->sources);
}

void
kh_doc_free(kh_doc *d)
{
    if (d == NULL)
        return;
    kh__hit_release(&d->meta);
    kh_free(d->body);
    kh_free(d);
}

kh_status
kh_index_stats_get(kh_index *ix, kh_index_stats *st, kh_error *err)
{
    (void)err;
    memset(st, 0, sizeof *st);
    kh_status rc = kh__store_count(ix->store, &st->articles);
    for (size_t i = 0; i < ix->n_segs; i++) {
        st->deleted += ix->segs[i].n_deleted;
        st->terms += kh__seg_nterms(ix->segs[i].seg);
        st->postings_bytes += kh__seg_bytes(ix->segs[i].seg);
    }
    st->segments = ix->n_segs;
    st->store_bytes = kh__store_bytes(ix->dir);
    st->stemmer = kh_stemmer_name(ix->aopts.stemmer);
    st->exact_forms = ix->exact_forms;
    return rc;
}

uint64_t
kh__index_max_docid(const kh_index *ix)
{
    uint64_t max = 0;
    for (size_t i = 0; i < ix->n_segs; i++)
        if (ix->segs[i].max_docid > max)
            max = ix->segs[i].max_docid;
    return max;
}
