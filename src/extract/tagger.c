/*
 * tagger.c -- entities at ingest: each article's entity terms for its
 * postings, and the entities seen for the first time, for docs.db.
 *
 * The index's feeder thread calls kh__tagger_terms() next to its
 * analysis, so tagging runs beside the writer's own work; the writer
 * takes the new names with kh__tagger_names() and stores them in the
 * transaction that commits the postings naming them.
 */
#include "extract/entity.h"

#include <pthread.h>
#include <string.h>

/* Names handed over in one session are remembered so that each goes to
 * docs.db once; past this many the memory is cleared (docs.db ignores a
 * name it has). */
#define SEEN_MAX 1000000

struct kh_tagger {
    const kh_ner_model *model;
    kh_strmap seen;
    pthread_mutex_t mu;
    kh_buf pending; /* key NUL type-byte name NUL, one after another */
    size_t n_pending;
};

kh_status
kh__tagger_new(kh_tagger **out, kh_error *err)
{
    *out = NULL;
    const kh_ner_model *m;
    kh_status rc = kh__ner_default(&m, err);
    if (rc != KH_OK)
        return rc;
    kh_tagger *t = kh_malloc(sizeof *t);
    if (t == NULL)
        return KH_ENOMEM;
    memset(t, 0, sizeof *t);
    t->model = m;
    kh__strmap_init(&t->seen);
    kh__buf_init(&t->pending);
    if (pthread_mutex_init(&t->mu, NULL) != 0) {
        kh_free(t);
        return KH_ENOMEM;
    }
    *out = t;
    return KH_OK;
}

void
kh__tagger_free(kh_tagger *t)
{
    if (t == NULL)
        return;
    kh__strmap_release(&t->seen);
    kh__buf_release(&t->pending);
    pthread_mutex_destroy(&t->mu);
    kh_free(t);
}

static void
put_term(kh_buf *terms, char kind, const char *s, size_t n, kh_status *rc)
{
    kh__buf_putc(terms, kind, rc);
    kh__buf_append(terms, s, n, rc);
    kh__buf_putc(terms, '\0', rc);
}

kh_status
kh__tagger_terms(kh_tagger *t, const char *title, const char *body,
                 kh_buf *terms)
{
    kh_xentities x;
    kh_status rc = kh__entities_find(t->model, title, body, &x);
    if (rc != KH_OK)
        return rc;
    size_t from = terms->len;
    for (size_t i = 0; i < x.n_e && rc == KH_OK; i++) {
        const kh_xentity *e = &x.e[i];
        put_term(terms, KH_KEY_ENTITY_BYTE, e->key, strlen(e->key), &rc);
        size_t before = terms->len;
        kh__entity_form_terms(e->norm, terms, &rc);
        /* each form once per article */
        for (size_t i2 = before; i2 < terms->len && rc == KH_OK;) {
            const char *f = terms->data + i2;
            size_t fl = strlen(f);
            bool dup = false;
            for (size_t j = from; j < before && !dup;) {
                const char *g = terms->data + j;
                size_t gl = strlen(g);
                dup = g[0] == KH_KEY_ENTITY_FORM_BYTE && gl == fl &&
                      memcmp(g, f, fl) == 0;
                j += gl + 1;
            }
            if (dup) {
                memmove(terms->data + i2, f + fl + 1,
                        terms->len - (i2 + fl + 1));
                terms->len -= fl + 1;
                terms->data[terms->len] = '\0';
            } else {
                i2 += fl + 1;
            }
        }
        if (rc != KH_OK)
            break;
        size_t kl = strlen(e->key);
        pthread_mutex_lock(&t->mu);
        if (kh__strmap_get(&t->seen, e->key, kl) == NULL) {
            if (t->seen.count >= SEEN_MAX) {
                kh__strmap_release(&t->seen);
                kh__strmap_init(&t->seen);
            }
            if (kh__strmap_upsert(&t->seen, e->key, kl) == NULL)
                rc = KH_ENOMEM;
            size_t was = t->pending.len;
            kh__buf_append(&t->pending, e->key, kl + 1, &rc);
            kh__buf_putc(&t->pending, (char)e->type, &rc);
            kh__buf_append(&t->pending, e->name, strlen(e->name) + 1, &rc);
            if (rc == KH_OK)
                t->n_pending++;
            else if (t->pending.data != NULL) { /* never half a name */
                t->pending.len = was;
                t->pending.data[was] = '\0';
            }
        }
        pthread_mutex_unlock(&t->mu);
    }
    kh__xentities_release(&x);
    return rc;
}

static int
by_key(const void *a, const void *b)
{
    return strcmp(((const kh_entname *)a)->key, ((const kh_entname *)b)->key);
}

kh_status
kh__tagger_names(kh_tagger *t, kh_tagger_put put, void *arg)
{
    kh_buf b;
    pthread_mutex_lock(&t->mu);
    b = t->pending;
    size_t n = t->n_pending;
    kh__buf_init(&t->pending);
    t->n_pending = 0;
    pthread_mutex_unlock(&t->mu);
    kh_entname *v = kh_malloc(n * sizeof *v + 1);
    kh_status rc = v != NULL ? KH_OK : KH_ENOMEM;
    for (size_t i = 0, k = 0; rc == KH_OK && k < n; k++) {
        const char *key = b.data + i;
        size_t kl = strlen(key);
        v[k].key = key;
        v[k].type = (kh_ner_type)(unsigned char)key[kl + 1];
        v[k].name = key + kl + 2;
        i += kl + 2 + strlen(v[k].name) + 1;
    }
    if (rc == KH_OK && n > 0) {
        kh__qsort(v, n, sizeof *v, by_key);
        rc = put(arg, v, n);
    }
    kh_free(v);
    kh__buf_release(&b);
    return rc;
}
