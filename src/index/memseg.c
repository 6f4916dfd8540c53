/*
 * memseg.c -- the in-memory segment: articles being added, analyzed into
 * postings that are written out as one segment file.
 *
 * Every non-stop token of an article gives two terms: its stem
 * (KH_KEY_STEM, with positions, for ranking and phrases) and its
 * normalized form (KH_KEY_NORM, frequencies only, for the exact-form
 * bonus).  Title tokens are counted apart from body tokens so that the
 * ranking can weigh them; positions are per field.
 *
 * Terms live in an open-addressing table; each article's occurrences are
 * gathered per term (a chain of positions in a scratch array), then
 * appended to the term's postings when the article ends, so postings are
 * built in one pass with no sorting.
 */
#include "index.h"

#include <stdlib.h>
#include <string.h>

/* A term: what every occurrence touches, in 32 bytes (two to a cache
 * line); its postings builder, touched once per article, is apart in
 * m->pbs. */
typedef struct entry {
    uint32_t key_off; /* in m->keys: kind byte + term */
    uint16_t key_len;
    uint8_t kind;
    uint8_t unused;
    uint32_t hash;
    uint32_t cur_ord;    /* article being gathered, or KH_END */
    uint32_t tf[2];      /* title, body occurrences in it */
    uint32_t head, tail; /* its positions: a chain in m->chain */
} entry;

struct slot {
    uint32_t hash;
    uint32_t idx; /* entry index + 1; 0 = empty */
};

typedef struct link {
    uint32_t pos;
    uint32_t next;
} link;

#define NIL UINT32_MAX

struct kh_memseg {
    kh_analyzer *an;
    kh_analyzer_options aopts;
    bool exact_forms;
    entry *entries;
    kh_postbuilder *pbs; /* per entry */
    size_t n_entries, cap_entries, cap_pbs;
    struct slot *table; /* the hash is kept in the slot, so that a probe
                           touches an entry only when the hashes agree */
    size_t table_cap;   /* power of two */
    kh_buf keys;
    link *chain;
    size_t n_chain, cap_chain;
    uint32_t *touched;
    size_t n_touched, cap_touched;
    uint32_t *posbuf;
    size_t cap_posbuf;
    kh_docterms scratch; /* the article's terms, for kh__memseg_add */
    kh_segdoc *docs;
    size_t n_docs, cap_docs;
    kh_buf doc_keys;   /* the articles' keys, back to back */
    uint32_t *key_end; /* per ordinal: end of its key in doc_keys */
    size_t cap_key_end;
    uint8_t *dropped; /* per ordinal */
    size_t n_dropped;
    size_t bytes; /* estimate of memory used */
};

uint32_t
kh__source_hash(const char *source, size_t len)
{
    /* Case-folded ASCII so that "SPA" and "spa" are one source. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)source[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        h = (h ^ c) * 16777619u;
    }
    return h == 0 ? 1 : h; /* 0 means "no source" */
}

kh_status
kh__memseg_new(kh_analyzer_options aopts, bool exact_forms, kh_memseg **out)
{
    *out = NULL;
    kh_memseg *m = kh_malloc(sizeof *m);
    if (m == NULL)
        return KH_ENOMEM;
    memset(m, 0, sizeof *m);
    kh__buf_init(&m->keys);
    m->exact_forms = exact_forms;
    aopts.drop_stopwords = 1;
    m->aopts = aopts;
    kh__docterms_init(&m->scratch);
    kh_status rc = kh_analyzer_new(&aopts, &m->an);
    if (rc != KH_OK) {
        kh_free(m);
        return rc;
    }
    *out = m;
    return KH_OK;
}

void
kh__memseg_clear(kh_memseg *m)
{
    for (size_t i = 0; i < m->n_entries; i++)
        kh__pb_release(&m->pbs[i]);
    m->n_entries = 0;
    if (m->table != NULL)
        memset(m->table, 0, m->table_cap * sizeof *m->table);
    kh__buf_reset(&m->keys);
    kh__buf_reset(&m->doc_keys);
    m->n_docs = 0;
    m->n_dropped = 0;
    m->bytes = 0;
}

void
kh__memseg_free(kh_memseg *m)
{
    if (m == NULL)
        return;
    kh__memseg_clear(m);
    kh_analyzer_free(m->an);
    kh_free(m->entries);
    kh_free(m->pbs);
    kh_free(m->table);
    kh__buf_release(&m->keys);
    kh__buf_release(&m->doc_keys);
    kh_free(m->key_end);
    kh_free(m->chain);
    kh_free(m->touched);
    kh_free(m->posbuf);
    kh__docterms_release(&m->scratch);
    kh_free(m->docs);
    kh_free(m->dropped);
    kh_free(m);
}

static bool
grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap < 64 ? 64 : *cap;
    while (n < need)
        n *= 2;
    void *q = kh_realloc(*p, n * size);
    if (q == NULL)
        return false;
    *p = q;
    *cap = n;
    return true;
}

static bool
rehash(kh_memseg *m)
{
    size_t cap = m->table_cap == 0 ? 4096 : m->table_cap * 2;
    struct slot *t = kh_malloc(cap * sizeof *t);
    if (t == NULL)
        return false;
    memset(t, 0, cap * sizeof *t);
    for (size_t i = 0; i < m->n_entries; i++) {
        size_t j = m->entries[i].hash & (cap - 1);
        while (t[j].idx != 0)
            j = (j + 1) & (cap - 1);
        t[j].hash = m->entries[i].hash;
        t[j].idx = (uint32_t)i + 1;
    }
    kh_free(m->table);
    m->table = t;
    m->table_cap = cap;
    m->bytes += cap * sizeof *t / 2;
    return true;
}

/* Every term of every article is hashed, on the analysing thread: a hash
 * that reads eight bytes at a step, not one. */
static uint32_t
term_hash(char kind, const char *term, size_t len)
{
    return kh__hash_short(term, len, (unsigned char)kind);
}

/* Finds or adds the entry for kind + term of hash h; NULL on allocation
 * failure.  The table must have room for one more entry. */
static entry *
lookup(kh_memseg *m, char kind, const char *term, size_t len, uint32_t h)
{
    size_t j = h & (m->table_cap - 1);
    for (;;) {
        struct slot *sl = &m->table[j];
        if (sl->idx == 0)
            break;
        if (sl->hash == h) {
            entry *e = &m->entries[sl->idx - 1];
            const char *key = m->keys.data + e->key_off;
            if (e->key_len == len + 1 && e->kind == (uint8_t)kind &&
                memcmp(key + 1, term, len) == 0)
                return e;
        }
        j = (j + 1) & (m->table_cap - 1);
    }
    if (!grow((void **)&m->entries, &m->cap_entries, m->n_entries + 1,
              sizeof *m->entries) ||
        !grow((void **)&m->pbs, &m->cap_pbs, m->n_entries + 1, sizeof *m->pbs))
        return NULL;
    kh_status rc = KH_OK;
    size_t off = m->keys.len;
    kh__buf_putc(&m->keys, kind, &rc);
    kh__buf_append(&m->keys, term, len, &rc);
    if (rc != KH_OK)
        return NULL;
    entry *e = &m->entries[m->n_entries];
    e->key_off = (uint32_t)off;
    e->key_len = (uint16_t)(len + 1);
    e->kind = (uint8_t)kind;
    e->hash = h;
    e->cur_ord = KH_END;
    kh__pb_init(&m->pbs[m->n_entries]);
    m->table[j].hash = h;
    m->table[j].idx = (uint32_t)++m->n_entries;
    m->bytes += sizeof *e + sizeof(kh_postbuilder) + len + 1;
    return e;
}

static kh_status
touch(kh_memseg *m, const kh_termocc *p, const char *text, uint32_t ord)
{
    entry *e = lookup(m, (char)p->kind, text + p->off, p->len, p->hash);
    if (e == NULL)
        return KH_ENOMEM;
    if (e->cur_ord != ord) {
        m->touched[m->n_touched++] = (uint32_t)(e - m->entries);
        e->cur_ord = ord;
        e->tf[0] = e->tf[1] = 0;
        e->head = e->tail = NIL;
    }
    e->tf[p->field]++;
    if (p->kind == KH_KEY_STEM) {
        uint32_t i = (uint32_t)m->n_chain++;
        m->chain[i].pos = p->pos;
        m->chain[i].next = NIL;
        if (e->tail == NIL)
            e->head = i;
        else
            m->chain[e->tail].next = i;
        e->tail = i;
    }
    return KH_OK;
}

void
kh__docterms_init(kh_docterms *d)
{
    memset(d, 0, sizeof *d);
    kh__buf_init(&d->text);
}

void
kh__docterms_release(kh_docterms *d)
{
    kh_free(d->occ);
    kh__buf_release(&d->text);
    kh__docterms_init(d);
}

size_t
kh__docterms_bytes(const kh_docterms *d)
{
    return d->cap * sizeof *d->occ + d->text.cap;
}

/* Copies n bytes with fixed-size moves, reading nothing outside
 * src[0..n): a call to memcpy per term was a tenth of the analysing
 * thread's time. */
static inline void
copy_term(char *dst, const char *src, size_t n)
{
    if (n >= 8 && n <= 16) {
        memcpy(dst, src, 8);
        memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(dst, src, 4);
        memcpy(dst + n - 4, src + n - 4, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i];
    } else {
        memcpy(dst, src, n);
    }
}

/* Runs for every term of every article: the checks for room are one
 * comparison each in the common case. */
static kh_status
pend(kh_docterms *d, char kind, const char *term, size_t len, int field,
     uint32_t pos)
{
    /* Words are at most KH_MAX_TOKEN_BYTES; an entity key this long is
     * garbage, and cut to what an entry's length holds. */
    if (len > UINT16_MAX - 1)
        len = UINT16_MAX - 1;
    if (KH_UNLIKELY(d->n == d->cap) &&
        !grow((void **)&d->occ, &d->cap, d->n + 1, sizeof *d->occ))
        return KH_ENOMEM;
    if (KH_UNLIKELY(d->text.len + len >= d->text.cap)) {
        kh_status rc = KH_OK;
        kh__buf_reserve(&d->text, len, &rc);
        if (rc != KH_OK)
            return rc;
    }
    kh_termocc *p = &d->occ[d->n++];
    p->hash = term_hash(kind, term, len);
    p->off = (uint32_t)d->text.len;
    p->len = (uint32_t)len;
    p->pos = pos;
    p->kind = (uint8_t)kind;
    p->field = (uint8_t)field;
    copy_term(d->text.data + d->text.len, term, len);
    d->text.len += len;
    return KH_OK;
}

static kh_status
add_field(kh_docterms *d, kh_analyzer *an, bool exact_forms, const char *text,
          size_t len, int field, uint32_t *n_tokens)
{
    if (text == NULL)
        return KH_OK;
    kh_token t;
    kh_analyzer_reset(an, text, len);
    while (kh_analyzer_next(an, &t)) {
        kh_status rc =
            pend(d, KH_KEY_STEM, t.stem, t.stem_len, field, t.position);
        if (rc == KH_OK && exact_forms)
            rc = pend(d, KH_KEY_NORM, t.norm, t.norm_len, field, 0);
        if (rc != KH_OK)
            return rc;
        (*n_tokens)++;
    }
    return KH_OK;
}

/* The article's entity terms (src/extract/entity.h: kind byte, key,
 * NUL, one after another), frequencies only: what the entity: filter and
 * the entity pages look up. */
static kh_status
add_terms(kh_docterms *d, const char *terms, size_t len)
{
    kh_status rc = KH_OK;
    for (size_t i = 0; i < len && rc == KH_OK;) {
        const char *t = terms + i;
        size_t n = strnlen(t, len - i);
        if (n >= 2)
            rc = pend(d, t[0], t + 1, n - 1, 1, 0);
        i += n + 1;
    }
    return rc;
}

kh_status
kh__docterms_analyze(kh_docterms *d, kh_analyzer *an, bool exact_forms,
                     const kh_article *art, const char *terms, size_t terms_len)
{
    d->n = 0;
    d->title_len = d->body_len = 0;
    kh__buf_reset(&d->text);
    /* Room for the terms at once, from the text's length (a term per 8
     * bytes and half the bytes in terms are more than news text needs),
     * instead of a series of reallocations per article, which the
     * feeder's thread then freed across threads. */
    size_t title = art->title != NULL ? strlen(art->title) : 0;
    size_t body = art->body != NULL ? strlen(art->body) : 0;
    size_t bytes = title + body;
    kh_status rc = KH_OK;
    if (!grow((void **)&d->occ, &d->cap, bytes / 8 + 16, sizeof *d->occ))
        return KH_ENOMEM;
    kh__buf_reserve(&d->text, bytes / 2 + 64, &rc);
    if (rc != KH_OK)
        return rc;
    rc = add_field(d, an, exact_forms, art->title, title, 0, &d->title_len);
    if (rc == KH_OK)
        rc = add_field(d, an, exact_forms, art->body, body, 1, &d->body_len);
    if (rc == KH_OK && terms_len > 0)
        rc = add_terms(d, terms, terms_len);
    return rc;
}

kh_status
kh__memseg_analyzer(const kh_memseg *m, kh_analyzer **out, bool *exact_forms)
{
    *exact_forms = m->exact_forms;
    return kh_analyzer_new(&m->aopts, out);
}

/* Looks up every pending term, in order.  Slots are fetched PF_SLOT terms
 * ahead, their entries PF_ENTRY ahead and the entries' keys PF_KEY ahead,
 * so that the cache misses of several lookups overlap instead of following
 * one another.  Each stage reads only what the one before fetched: reading
 * an entry to find its key in the same step as fetching it waited for the
 * entry, and that wait was a third of the time spent here. */
#define PF_SLOT  24
#define PF_ENTRY 12
#define PF_KEY   4

static kh_status
touch_pending(kh_memseg *m, const kh_docterms *d, uint32_t ord)
{
    size_t n = d->n;
    const kh_termocc *occ = d->occ;
    while ((m->n_entries + n) * 2 > m->table_cap)
        if (!rehash(m))
            return KH_ENOMEM;
    if (!grow((void **)&m->touched, &m->cap_touched, n, sizeof *m->touched) ||
        !grow((void **)&m->chain, &m->cap_chain, n, sizeof *m->chain))
        return KH_ENOMEM;
    size_t mask = m->table_cap - 1;
    for (size_t i = 0; i < n; i++) {
        if (i + PF_SLOT < n)
            __builtin_prefetch(&m->table[occ[i + PF_SLOT].hash & mask]);
        if (i + PF_ENTRY < n) {
            const struct slot *sl = &m->table[occ[i + PF_ENTRY].hash & mask];
            if (sl->idx != 0)
                __builtin_prefetch(&m->entries[sl->idx - 1]);
        }
        if (i + PF_KEY < n) {
            const struct slot *sl = &m->table[occ[i + PF_KEY].hash & mask];
            if (sl->idx != 0)
                __builtin_prefetch(m->keys.data +
                                   m->entries[sl->idx - 1].key_off);
        }
        kh_status rc = touch(m, &occ[i], d->text.data, ord);
        if (rc != KH_OK)
            return rc;
    }
    return KH_OK;
}

kh_status
kh__memseg_add(kh_memseg *m, uint64_t docid, const char *key,
               const kh_article *art, const char *terms, size_t terms_len)
{
    kh_status rc = kh__docterms_analyze(&m->scratch, m->an, m->exact_forms, art,
                                        terms, terms_len);
    return rc == KH_OK ? kh__memseg_put(m, docid, key, art, &m->scratch) : rc;
}

kh_status
kh__memseg_put(kh_memseg *m, uint64_t docid, const char *key,
               const kh_article *art, const kh_docterms *dt)
{
    if (!grow((void **)&m->key_end, &m->cap_key_end, m->n_docs + 1,
              sizeof *m->key_end))
        return KH_ENOMEM;
    kh_status krc = KH_OK;
    kh__buf_append(&m->doc_keys, key, strlen(key), &krc);
    if (krc != KH_OK)
        return krc;
    m->key_end[m->n_docs] = (uint32_t)m->doc_keys.len;
    if (!grow((void **)&m->docs, &m->cap_docs, m->n_docs + 1,
              sizeof *m->docs) ||
        !grow((void **)&m->dropped, &m->n_dropped, m->n_docs + 1, 1))
        return KH_ENOMEM;
    uint32_t ord = (uint32_t)m->n_docs;
    kh_segdoc *d = &m->docs[ord];
    memset(d, 0, sizeof *d);
    d->docid = docid;
    d->date = art->date;
    d->source = art->source != NULL && art->source[0] != '\0'
                    ? kh__source_hash(art->source, strlen(art->source))
                    : 0;
    m->n_touched = 0;
    m->n_chain = 0;
    d->title_len = dt->title_len;
    d->body_len = dt->body_len;
    kh_status rc = touch_pending(m, dt, ord);
    uint32_t doc_len = d->title_len + d->body_len;
    for (size_t i = 0; i < m->n_touched && rc == KH_OK; i++) {
        if (i + 4 < m->n_touched)
            __builtin_prefetch(&m->pbs[m->touched[i + 4]]);
        entry *e = &m->entries[m->touched[i]];
        kh_postbuilder *pb = &m->pbs[m->touched[i]];
        const uint32_t *positions = NULL;
        if (e->kind == KH_KEY_STEM) {
            uint32_t n = e->tf[0] + e->tf[1];
            if (!grow((void **)&m->posbuf, &m->cap_posbuf, n,
                      sizeof *m->posbuf)) {
                rc = KH_ENOMEM;
                break;
            }
            uint32_t k = 0;
            for (uint32_t c = e->head; c != NIL; c = m->chain[c].next)
                m->posbuf[k++] = m->chain[c].pos;
            positions = m->posbuf;
        }
        /* Count what is allocated, not what is used: the buffer limit is
         * a limit on memory. */
        size_t before = pb->docs.cap + pb->pos.cap + pb->blocks.cap;
        kh__pb_add(pb, ord, e->tf[0], e->tf[1], positions, doc_len, &rc);
        m->bytes += pb->docs.cap + pb->pos.cap + pb->blocks.cap - before;
        e->cur_ord = KH_END;
    }
    if (rc != KH_OK) {
        /* The postings may hold part of this article: drop it, so that it
         * is never visible, and let the caller report the error. */
        m->dropped[ord] = 1;
        m->n_docs++;
        return rc;
    }
    m->dropped[ord] = 0;
    m->n_docs++;
    m->bytes += sizeof *d;
    return KH_OK;
}

bool
kh__memseg_drop(kh_memseg *m, uint64_t docid)
{
    /* Articles arrive in docid order: a binary search, not a scan of the
     * whole buffer for every replaced article. */
    size_t lo = 0, hi = m->n_docs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->docs[mid].docid < docid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < m->n_docs && m->docs[lo].docid == docid && !m->dropped[lo]) {
        m->dropped[lo] = 1;
        return true;
    }
    return false;
}

bool
kh__memseg_is_dropped(const kh_memseg *m, uint32_t ord)
{
    return ord < m->n_docs && m->dropped[ord];
}

size_t
kh__memseg_docs(const kh_memseg *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_docs; i++)
        n += !m->dropped[i];
    return n;
}

size_t
kh__memseg_total(const kh_memseg *m)
{
    return m->n_docs;
}

void
kh__memseg_range(const kh_memseg *m, uint64_t *lo, uint64_t *hi)
{
    *lo = m->n_docs > 0 ? m->docs[0].docid : 0;
    *hi = m->n_docs > 0 ? m->docs[m->n_docs - 1].docid : 0;
}

size_t
kh__memseg_bytes(const kh_memseg *m)
{
    return m->bytes;
}

/* qsort has no context argument; one per thread. */
static _Thread_local const kh_memseg *sort_ctx;

static int
by_key(const void *a, const void *b)
{
    const entry *x = &sort_ctx->entries[*(const uint32_t *)a];
    const entry *y = &sort_ctx->entries[*(const uint32_t *)b];
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(sort_ctx->keys.data + x->key_off,
                   sort_ctx->keys.data + y->key_off, n);
    if (c != 0)
        return c;
    return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

kh_status
kh__memseg_write(kh_memseg *m, const char *path, size_t *written, kh_error *err)
{
    *written = 0;
    if (m->n_docs == 0)
        return KH_OK;
    uint32_t *order = kh_malloc((m->n_entries + 1) * sizeof *order);
    if (order == NULL)
        return KH_ENOMEM;
    for (size_t i = 0; i < m->n_entries; i++)
        order[i] = (uint32_t)i;
    sort_ctx = m;
    kh__qsort(order, m->n_entries, sizeof *order, by_key);
    sort_ctx = NULL;
    kh_segwriter *w;
    kh_status rc = kh__segw_begin(path, &w);
    for (size_t i = 0; i < m->n_docs && rc == KH_OK; i++) {
        uint32_t start = i > 0 ? m->key_end[i - 1] : 0;
        rc = kh__segw_doc(w, &m->docs[i], m->doc_keys.data + start,
                          m->key_end[i] - start);
    }
    for (size_t i = 0; i < m->n_entries && rc == KH_OK; i++) {
        entry *e = &m->entries[order[i]];
        kh_postbuilder *b = &m->pbs[order[i]];
        rc = kh__segw_term(w, m->keys.data + e->key_off, e->key_len, &b->st,
                           (const uint8_t *)b->blocks.data,
                           (uint32_t)(b->blocks.len / KH_BLOCK_ENTRY) + 1,
                           (const uint8_t *)b->docs.data, b->docs.len,
                           (const uint8_t *)b->pos.data, b->pos.len);
    }
    kh_free(order);
    if (rc != KH_OK) {
        if (w != NULL)
            kh__segw_abort(w);
        return rc;
    }
    rc = kh__segw_finish(w, err);
    if (rc == KH_OK)
        *written = m->n_docs;
    return rc;
}
