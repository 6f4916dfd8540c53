/*
 * feeder.c -- a background thread that analyzes added articles into the
 * in-memory segment.
 *
 * Adding an article is two halves of about equal cost: the caller's part
 * (reading and parsing its input, the document store's insert) and the
 * analysis into postings.  The feeder runs the second half on its own
 * thread, so that an ingest keeps two cores busy.  It owns the memseg
 * between kh__feeder_drain() calls: the index touches the memseg only
 * after draining.
 *
 * Articles are copied into one block each and queued; the queue is
 * bounded in articles and in bytes, so a fast producer waits instead of
 * growing memory.
 */
#include "index.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define QUEUE_SLOTS 256
#define QUEUE_BYTES (8u << 20)

typedef struct job {
    uint64_t docid;
    size_t bytes;
    kh_article art; /* title, body, source point into the block */
    const char *key;
} job;

struct kh_feeder {
    kh_memseg *mem;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full, idle;
    job *ring[QUEUE_SLOTS];
    size_t head, count, queued_bytes;
    bool busy, stop;
    kh_status error;            /* the first failure, sticky until drained */
    atomic_size_t memseg_bytes; /* published after every article */
};

static char *
put(char **at, const char *s)
{
    char *start = *at;
    size_t n = s != NULL ? strlen(s) : 0;
    if (n > 0)
        memcpy(start, s, n);
    start[n] = '\0';
    *at += n + 1;
    return start;
}

static void *
run(void *arg)
{
    kh_feeder *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (f->count == 0 && !f->stop)
            pthread_cond_wait(&f->not_empty, &f->mu);
        if (f->count == 0 && f->stop)
            break;
        job *j = f->ring[f->head];
        f->head = (f->head + 1) % QUEUE_SLOTS;
        f->count--;
        f->busy = true;
        pthread_mutex_unlock(&f->mu);

        kh_status rc = kh__memseg_add(f->mem, j->docid, j->key, &j->art);
        atomic_store(&f->memseg_bytes, kh__memseg_bytes(f->mem));
        size_t bytes = j->bytes;
        kh_free(j);

        pthread_mutex_lock(&f->mu);
        if (rc != KH_OK && f->error == KH_OK)
            f->error = rc;
        f->queued_bytes -= bytes;
        f->busy = false;
        pthread_cond_signal(&f->not_full);
        if (f->count == 0)
            pthread_cond_broadcast(&f->idle);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

kh_status
kh__feeder_start(kh_memseg *mem, kh_feeder **out)
{
    *out = NULL;
    kh_feeder *f = kh_malloc(sizeof *f);
    if (f == NULL)
        return KH_ENOMEM;
    memset(f, 0, sizeof *f);
    f->mem = mem;
    f->error = KH_OK;
    atomic_init(&f->memseg_bytes, kh__memseg_bytes(mem));
    if (pthread_mutex_init(&f->mu, NULL) != 0) {
        kh_free(f);
        return KH_ENOMEM;
    }
    pthread_cond_init(&f->not_empty, NULL);
    pthread_cond_init(&f->not_full, NULL);
    pthread_cond_init(&f->idle, NULL);
    if (pthread_create(&f->thread, NULL, run, f) != 0) {
        pthread_cond_destroy(&f->not_empty);
        pthread_cond_destroy(&f->not_full);
        pthread_cond_destroy(&f->idle);
        pthread_mutex_destroy(&f->mu);
        kh_free(f);
        return KH_ENOMEM;
    }
    *out = f;
    return KH_OK;
}

kh_status
kh__feeder_add(kh_feeder *f, uint64_t docid, const char *key,
               const kh_article *a)
{
    const char *strs[] = {key, a->title, a->body, a->source};
    size_t bytes = sizeof(job);
    for (size_t i = 0; i < 4; i++)
        bytes += (strs[i] != NULL ? strlen(strs[i]) : 0) + 1;
    job *j = kh_malloc(bytes);
    if (j == NULL)
        return KH_ENOMEM;
    memset(&j->art, 0, sizeof j->art);
    char *at = (char *)(j + 1);
    j->docid = docid;
    j->bytes = bytes;
    j->key = put(&at, key);
    j->art.title = a->title != NULL ? put(&at, a->title) : NULL;
    j->art.body = a->body != NULL ? put(&at, a->body) : NULL;
    j->art.source = a->source != NULL ? put(&at, a->source) : NULL;
    j->art.date = a->date;

    pthread_mutex_lock(&f->mu);
    /* One article bigger than the byte bound still goes, alone. */
    while (f->count == QUEUE_SLOTS ||
           (f->count > 0 && f->queued_bytes + bytes > QUEUE_BYTES))
        pthread_cond_wait(&f->not_full, &f->mu);
    kh_status rc = f->error;
    f->ring[(f->head + f->count) % QUEUE_SLOTS] = j;
    f->count++;
    f->queued_bytes += bytes;
    pthread_cond_signal(&f->not_empty);
    pthread_mutex_unlock(&f->mu);
    return rc;
}

kh_status
kh__feeder_drain(kh_feeder *f)
{
    pthread_mutex_lock(&f->mu);
    while (f->count > 0 || f->busy)
        pthread_cond_wait(&f->idle, &f->mu);
    kh_status rc = f->error;
    f->error = KH_OK;
    pthread_mutex_unlock(&f->mu);
    return rc;
}

size_t
kh__feeder_bytes(kh_feeder *f)
{
    /* Queued text will become postings too; counting it keeps the flush
     * decision close to what the memseg will hold. */
    pthread_mutex_lock(&f->mu);
    size_t q = f->queued_bytes;
    pthread_mutex_unlock(&f->mu);
    return atomic_load(&f->memseg_bytes) + q;
}

void
kh__feeder_stop(kh_feeder *f)
{
    if (f == NULL)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_signal(&f->not_empty);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    /* Anything still queued (none after a drain) is discarded. */
    for (size_t i = 0; i < f->count; i++)
        kh_free(f->ring[(f->head + i) % QUEUE_SLOTS]);
    pthread_cond_destroy(&f->not_empty);
    pthread_cond_destroy(&f->not_full);
    pthread_cond_destroy(&f->idle);
    pthread_mutex_destroy(&f->mu);
    kh_free(f);
}
