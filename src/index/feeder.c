/*
 * feeder.c -- background threads that turn added articles into the
 * in-memory segment.
 *
 * Adding an article is three parts of about equal cost: the caller's
 * (reading and parsing its input, the document store's insert, the story
 * checks), the analysis into terms (tokens, stems, hashes), and putting
 * the terms into the memseg's table and postings.  The last two run on
 * threads of their own, an analysing thread and the feeder, so that an
 * ingest keeps two cores busy whichever part is the slowest for its
 * input.  The feeder owns the memseg between kh__feeder_drain() calls:
 * the index touches the memseg only after draining.
 *
 * When the index tags entities, that is a fourth part, and it gets a
 * thread of its own ahead of the others: the tagger's terms are analysed
 * with the article's words.  Articles go through the stages in order, so
 * the memseg sees them in the order they were added.
 *
 * Articles are copied into one block each and queued; each queue is
 * bounded in articles and in bytes, so a fast producer waits instead of
 * growing memory.
 */
#include "index.h"

#include "extract/entity.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define QUEUE_SLOTS 256
#define QUEUE_BYTES (8u << 20)
#define WAKE_JOBS   32
#define WAKE_BYTES  (1u << 20)

typedef struct job {
    uint64_t docid;
    size_t bytes;
    kh_article art; /* title, body, source point into the block */
    const char *key;
    char *terms; /* its entity terms (kh__memseg_add), kh_malloc'd */
    size_t terms_len;
    kh_docterms dt; /* its terms, from the analysing thread */
    bool failed;    /* analysis failed: not added (the drain reports it) */
} job;

/* A bounded queue of jobs and the thread that takes them. */
typedef struct stage {
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full, idle;
    job *ring[QUEUE_SLOTS];
    size_t head, count, queued_bytes;
    bool busy, stop;
    /* Who sleeps on the conditions: a signal nobody waits for is skipped,
     * and the sleepers are woken in batches (see push and done). */
    bool consumer_waits, producer_waits;
    kh_status error; /* the first failure, sticky until drained */
} stage;

struct kh_feeder {
    kh_memseg *mem;
    kh_tagger *tagger; /* NULL: no tagging stage */
    kh_analyzer *an;   /* the analysing thread's */
    bool exact_forms;
    stage tag, ana, feed;
    kh_buf terms;               /* the tagging thread's */
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

static void
job_free(job *j)
{
    if (j != NULL) {
        kh_free(j->terms);
        kh__docterms_release(&j->dt);
    }
    kh_free(j);
}

/* Queues j on s, waiting while s is full (one job bigger than the byte
 * bound still goes, alone); returns s's sticky error. */
static kh_status
push(stage *s, job *j)
{
    pthread_mutex_lock(&s->mu);
    while (s->count == QUEUE_SLOTS ||
           (s->count > 0 && s->queued_bytes + j->bytes > QUEUE_BYTES)) {
        if (s->consumer_waits) /* a part batch, but nothing more fits */
            pthread_cond_signal(&s->not_empty);
        s->producer_waits = true;
        pthread_cond_wait(&s->not_full, &s->mu);
        s->producer_waits = false;
    }
    kh_status rc = s->error;
    s->ring[(s->head + s->count) % QUEUE_SLOTS] = j;
    s->count++;
    s->queued_bytes += j->bytes;
    /* A sleeping consumer is woken once a batch is queued, not for every
     * job: waking a thread costs about what analysing a short article
     * does, and one woken per article kept both cores busy with it.  A
     * drain or a stop wakes it for less. */
    if (s->consumer_waits &&
        (s->count >= WAKE_JOBS || s->queued_bytes >= WAKE_BYTES))
        pthread_cond_signal(&s->not_empty);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* The next job of s, NULL once s is stopped and empty. */
static job *
pop(stage *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->count == 0 && !s->stop) {
        s->consumer_waits = true;
        pthread_cond_wait(&s->not_empty, &s->mu);
        s->consumer_waits = false;
    }
    job *j = NULL;
    if (s->count > 0) {
        j = s->ring[s->head];
        s->head = (s->head + 1) % QUEUE_SLOTS;
        s->count--;
        s->busy = true;
    }
    pthread_mutex_unlock(&s->mu);
    return j;
}

/* The job taken by pop() is done (bytes of it leave the queue). */
static void
done(stage *s, size_t bytes, kh_status rc)
{
    pthread_mutex_lock(&s->mu);
    if (rc != KH_OK && s->error == KH_OK)
        s->error = rc;
    s->queued_bytes -= bytes;
    s->busy = false;
    /* A producer waiting for room is woken when half the queue is free,
     * so that it then queues a batch instead of one job per wake-up. */
    if (s->producer_waits &&
        (s->count == 0 ||
         (s->count <= QUEUE_SLOTS / 2 && s->queued_bytes <= QUEUE_BYTES / 2)))
        pthread_cond_signal(&s->not_full);
    if (s->count == 0)
        pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
}

static void *
run_feed(void *arg)
{
    kh_feeder *f = arg;
    job *j;
    while ((j = pop(&f->feed)) != NULL) {
        kh_status rc = j->failed ? KH_OK
                                 : kh__memseg_put(f->mem, j->docid, j->key,
                                                  &j->art, &j->dt);
        atomic_store(&f->memseg_bytes, kh__memseg_bytes(f->mem));
        size_t bytes = j->bytes;
        job_free(j);
        done(&f->feed, bytes, rc);
    }
    return NULL;
}

static void *
run_analyze(void *arg)
{
    kh_feeder *f = arg;
    job *j;
    while ((j = pop(&f->ana)) != NULL) {
        kh_status rc = kh__docterms_analyze(&j->dt, f->an, f->exact_forms,
                                            &j->art, j->terms, j->terms_len);
        j->failed = rc != KH_OK;
        size_t bytes = j->bytes;
        j->bytes += kh__docterms_bytes(&j->dt); /* in the feeder's queue */
        kh_status frc = push(&f->feed, j);
        done(&f->ana, bytes, rc != KH_OK ? rc : frc);
    }
    return NULL;
}

static void *
run_tag(void *arg)
{
    kh_feeder *f = arg;
    job *j;
    while ((j = pop(&f->tag)) != NULL) {
        kh__buf_reset(&f->terms);
        kh_status rc =
            kh__tagger_terms(f->tagger, j->art.title, j->art.body, &f->terms);
        if (rc == KH_OK && f->terms.len > 0) {
            j->terms = kh_malloc(f->terms.len);
            if (j->terms == NULL)
                rc = KH_ENOMEM;
            else
                memcpy(j->terms, f->terms.data, f->terms.len);
            j->terms_len = j->terms != NULL ? f->terms.len : 0;
        }
        size_t bytes = j->bytes;
        /* On to the next stage even when tagging failed: the drain
         * reports the failure, and the postings stay in the order of
         * addition. */
        kh_status frc = push(&f->ana, j);
        done(&f->tag, bytes, rc != KH_OK ? rc : frc);
    }
    return NULL;
}

static bool
stage_init(stage *s)
{
    memset(s, 0, sizeof *s);
    s->error = KH_OK;
    if (pthread_mutex_init(&s->mu, NULL) != 0)
        return false;
    pthread_cond_init(&s->not_empty, NULL);
    pthread_cond_init(&s->not_full, NULL);
    pthread_cond_init(&s->idle, NULL);
    return true;
}

/* Stops s's thread after its queue is empty, then frees what is left. */
static void
stage_stop(stage *s)
{
    if (s->started) {
        pthread_mutex_lock(&s->mu);
        s->stop = true;
        pthread_cond_signal(&s->not_empty);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
    }
    for (size_t i = 0; i < s->count; i++)
        job_free(s->ring[(s->head + i) % QUEUE_SLOTS]);
    s->count = 0;
    pthread_cond_destroy(&s->not_empty);
    pthread_cond_destroy(&s->not_full);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->mu);
}

kh_status
kh__feeder_start(kh_memseg *mem, kh_tagger *tagger, kh_feeder **out)
{
    *out = NULL;
    kh_feeder *f = kh_malloc(sizeof *f);
    if (f == NULL)
        return KH_ENOMEM;
    memset(f, 0, sizeof *f);
    f->mem = mem;
    f->tagger = tagger;
    kh__buf_init(&f->terms);
    atomic_init(&f->memseg_bytes, kh__memseg_bytes(mem));
    kh_status rc = kh__memseg_analyzer(mem, &f->an, &f->exact_forms);
    if (rc != KH_OK) {
        kh_free(f);
        return rc;
    }
    bool ok = stage_init(&f->feed);
    ok = stage_init(&f->ana) && ok;
    ok = stage_init(&f->tag) && ok;
    if (ok) {
        f->feed.started =
            pthread_create(&f->feed.thread, NULL, run_feed, f) == 0;
        f->ana.started =
            pthread_create(&f->ana.thread, NULL, run_analyze, f) == 0;
        if (tagger != NULL)
            f->tag.started =
                pthread_create(&f->tag.thread, NULL, run_tag, f) == 0;
        ok = f->feed.started && f->ana.started &&
             (tagger == NULL || f->tag.started);
    }
    if (!ok) {
        kh__feeder_stop(f);
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
    memset(j, 0, sizeof *j);
    char *at = (char *)(j + 1);
    j->docid = docid;
    j->bytes = bytes;
    j->key = put(&at, key);
    j->art.title = a->title != NULL ? put(&at, a->title) : NULL;
    j->art.body = a->body != NULL ? put(&at, a->body) : NULL;
    j->art.source = a->source != NULL ? put(&at, a->source) : NULL;
    j->art.date = a->date;
    kh_status rc = push(f->tagger != NULL ? &f->tag : &f->ana, j);
    /* a failure of a later stage, reported as early */
    stage *later[] = {f->tagger != NULL ? &f->ana : NULL, &f->feed};
    for (size_t i = 0; i < 2 && rc == KH_OK; i++) {
        if (later[i] == NULL)
            continue;
        pthread_mutex_lock(&later[i]->mu);
        rc = later[i]->error;
        pthread_mutex_unlock(&later[i]->mu);
    }
    return rc;
}

/* Waits until s has nothing queued or in hand; returns and clears its
 * first failure. */
static kh_status
stage_drain(stage *s)
{
    pthread_mutex_lock(&s->mu);
    if (s->count > 0)
        pthread_cond_signal(&s->not_empty); /* less than a batch may wait */
    while (s->count > 0 || s->busy)
        pthread_cond_wait(&s->idle, &s->mu);
    kh_status rc = s->error;
    s->error = KH_OK;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

kh_status
kh__feeder_drain(kh_feeder *f)
{
    /* In the order of the stages: each may still hand jobs to the next. */
    kh_status rc = f->tagger != NULL ? stage_drain(&f->tag) : KH_OK;
    kh_status arc = stage_drain(&f->ana);
    kh_status frc = stage_drain(&f->feed);
    return rc != KH_OK ? rc : arc != KH_OK ? arc : frc;
}

size_t
kh__feeder_bytes(kh_feeder *f)
{
    /* Queued text will become postings too; counting it keeps the flush
     * decision close to what the memseg will hold. */
    size_t q = 0;
    stage *all[] = {&f->tag, &f->ana, &f->feed};
    for (size_t i = 0; i < 3; i++) {
        stage *s = all[i];
        pthread_mutex_lock(&s->mu);
        q += s->queued_bytes;
        pthread_mutex_unlock(&s->mu);
    }
    return atomic_load(&f->memseg_bytes) + q;
}

void
kh__feeder_stop(kh_feeder *f)
{
    if (f == NULL)
        return;
    /* In the order of the stages: each may still hand jobs to the next.
     * Anything still queued (none after a drain) is discarded. */
    stage_stop(&f->tag);
    stage_stop(&f->ana);
    stage_stop(&f->feed);
    kh_analyzer_free(f->an);
    kh__buf_release(&f->terms);
    kh_free(f);
}
