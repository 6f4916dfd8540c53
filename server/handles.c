/*
 * handles.c -- the server's index handles.
 *
 * A kh_index handle is not thread-safe, so each worker thread gets its own
 * reader, opened on its first request and moved to the latest commit at
 * most every refresh_s seconds: a search costs no lock, and sees a commit
 * (from this process or a `khabar ingest` in another) within that time.
 *
 * There is one writer, under a mutex, opened when an article comes in and
 * closed again after a few idle seconds, so that the index's write lock
 * is free for other processes between bursts of POSTs.
 */
#include "server.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct srv_reader {
    kh_index *ix;
    double refreshed;
    srv_reader *next;
};

static _Thread_local srv_reader *tl_reader;

/* The writer waits this long for another process's write lock, and lets
 * the lock go after holding it this long, so that a POST and a `khabar
 * ingest` in another process take turns. */
#define WRITER_WAIT_MS 3000
#define WRITER_HOLD    2.0

double
srv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

kh_status
srv_init(srv *s, const char *dir, const char *token, kh_error *err)
{
    memset(s, 0, sizeof *s);
    s->dir = dir;
    s->token = token;
    s->refresh_s = 1.0;
    s->started = srv_now();
    pthread_mutex_init(&s->readers_lock, NULL);
    pthread_mutex_init(&s->writer_lock, NULL);
    pthread_mutex_init(&s->alerts_lock, NULL);
    /* Fail early on a directory that is not an index. */
    kh_index_options o = {0};
    o.read_only = 1;
    kh_index *ix;
    kh_status rc = kh_index_open(dir, &o, &ix, err);
    if (rc != KH_OK) {
        pthread_mutex_destroy(&s->readers_lock);
        pthread_mutex_destroy(&s->writer_lock);
        pthread_mutex_destroy(&s->alerts_lock);
        return rc;
    }
    kh_index_close(ix);
    return KH_OK;
}

void
srv_destroy(srv *s)
{
    srv_reader *r = s->readers;
    while (r != NULL) {
        srv_reader *next = r->next;
        kh_index_close(r->ix);
        kh_free(r);
        r = next;
    }
    s->readers = NULL;
    if (s->writer != NULL) {
        kh_error err;
        if (kh_index_commit(s->writer, &err) != KH_OK)
            fprintf(stderr, "khabar: %s\n", err.message);
        kh_index_close(s->writer);
    }
    kh_alerts_close(s->alerts);
    kh_sitemodel_free(s->sites);
    pthread_mutex_destroy(&s->readers_lock);
    pthread_mutex_destroy(&s->writer_lock);
    pthread_mutex_destroy(&s->alerts_lock);
}

kh_index *
srv_reader_get(srv *s, kh_error *err)
{
    srv_reader *r = tl_reader;
    double now = srv_now();
    if (r != NULL) {
        if (now - r->refreshed >= s->refresh_s) {
            /* A failed refresh keeps the old snapshot: still consistent. */
            if (kh_index_refresh(r->ix, err) == KH_OK)
                r->refreshed = now;
        }
        return r->ix;
    }
    r = kh_malloc(sizeof *r);
    if (r == NULL) {
        kh__set_error(err, "out of memory");
        return NULL;
    }
    kh_index_options o = {0};
    o.read_only = 1;
    if (kh_index_open(s->dir, &o, &r->ix, err) != KH_OK) {
        kh_free(r);
        return NULL;
    }
    r->refreshed = now;
    pthread_mutex_lock(&s->readers_lock);
    r->next = s->readers;
    s->readers = r;
    pthread_mutex_unlock(&s->readers_lock);
    tl_reader = r;
    return r->ix;
}

kh_index *
srv_reader_for(srv *s, srv_resp *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_get(s, &err);
    if (ix == NULL)
        srv_error(r, 503, NULL, "the index cannot be read: %s", err.message);
    return ix;
}

kh_index *
srv_writer_lock(srv *s, kh_error *err)
{
    pthread_mutex_lock(&s->writer_lock);
    if (s->writer == NULL) {
        kh_index_options o = {0};
        o.single_thread = 1;
        o.lock_wait_ms = WRITER_WAIT_MS;
        s->writer_opened = srv_now();
        if (kh_index_open(s->dir, &o, &s->writer, err) != KH_OK) {
            s->writer = NULL;
            pthread_mutex_unlock(&s->writer_lock);
            return NULL;
        }
    }
    s->writer_used = srv_now();
    return s->writer;
}

void
srv_writer_unlock(srv *s)
{
    s->writer_used = srv_now();
    if (s->writer != NULL && s->writer_used - s->writer_opened >= WRITER_HOLD) {
        /* let a waiting `khabar ingest` in; what it holds is committed */
        kh_index_close(s->writer);
        s->writer = NULL;
    }
    pthread_mutex_unlock(&s->writer_lock);
}

void
srv_writer_idle(srv *s, double idle_s)
{
    pthread_mutex_lock(&s->writer_lock);
    if (s->writer != NULL && srv_now() - s->writer_used >= idle_s) {
        /* Everything it holds was committed by the request that added it. */
        kh_index_close(s->writer);
        s->writer = NULL;
    }
    pthread_mutex_unlock(&s->writer_lock);
}

kh_alerts *
srv_alerts_lock(srv *s, kh_error *err)
{
    pthread_mutex_lock(&s->alerts_lock);
    if (s->alerts == NULL &&
        kh_alerts_open(s->dir, &s->alert_opts, &s->alerts, err) != KH_OK) {
        s->alerts = NULL;
        pthread_mutex_unlock(&s->alerts_lock);
        return NULL;
    }
    return s->alerts;
}

void
srv_alerts_unlock(srv *s)
{
    pthread_mutex_unlock(&s->alerts_lock);
}

void
srv_mail_round(srv *s)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_get(s, &err);
    kh_alerts *al = ix != NULL ? srv_alerts_lock(s, &err) : NULL;
    if (al == NULL) {
        fprintf(stderr, "khabar: mailer: %s\n", err.message);
        return;
    }
    size_t matched = 0, queued = 0, sent = 0, failed = 0;
    kh_status rc = kh_alerts_match(al, ix, &matched, &err);
    if (rc == KH_OK)
        rc = kh_alerts_digest(al, ix, NULL, (int64_t)time(NULL), &queued, &err);
    if (rc == KH_OK && s->smtp.url != NULL)
        rc = kh_alerts_send(al, &s->smtp, 0, &sent, &failed, &err);
    srv_alerts_unlock(s);
    atomic_fetch_add(&s->metrics.mails_sent, sent);
    atomic_fetch_add(&s->metrics.mails_failed, failed);
    if (rc != KH_OK || failed > 0)
        fprintf(stderr, "khabar: mailer: %s\n", err.message);
}
