/*
 * merge.c -- merges segments into one, dropping deleted articles.
 *
 * Articles keep their docid order: the inputs' live documents are merged
 * by docid into new ordinals, and each term's postings are merged from
 * the inputs' cursors through that mapping and re-encoded.
 */
#include "index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct input {
    const kh_seg *seg;
    const uint8_t *deleted;
    uint32_t *remap;    /* old ordinal -> new, KH_END if deleted */
    kh_termiter *terms; /* walks the input's dictionary */
    const char *key;
    size_t key_len;
    kh_cursor cur;
    bool active; /* holds the term being merged */
} input;

static bool
is_deleted(const uint8_t *bits, uint32_t ord)
{
    return bits != NULL && (bits[ord >> 3] >> (ord & 7)) & 1;
}

static void
load_term(input *in)
{
    if (!kh__termiter_next(in->terms, &in->key, &in->key_len, &in->cur))
        in->key = NULL;
}

static int
keycmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c != 0 ? c : (al > bl) - (al < bl);
}

kh_status
kh__merge(const kh_seg *const *segs, const uint8_t *const *deleted, size_t n,
          const char *path, uint32_t *n_docs_out, uint64_t *min_docid,
          uint64_t *max_docid, kh_error *err)
{
    kh_status rc = KH_OK;
    input *in = kh_malloc(n * sizeof *in);
    kh_segwriter *w = NULL;
    kh_segdoc *newdocs = NULL;
    /* Each posting needs its article's length: read from 32-byte records,
     * that was a cache miss per posting and most of a merge's time; two
     * bytes an article keep them all in the cache (UINT16_MAX: look in
     * newdocs). */
    uint16_t *newlen = NULL;
    uint32_t *from_in = NULL, *from_ord = NULL; /* where new docs come from */
    if (in == NULL)
        return KH_ENOMEM;
    memset(in, 0, n * sizeof *in);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        in[i].seg = segs[i];
        in[i].deleted = deleted[i];
        total += kh__seg_ndocs(segs[i]);
        in[i].remap =
            kh_malloc((kh__seg_ndocs(segs[i]) + 1) * sizeof(uint32_t));
        in[i].terms = kh__termiter_new(segs[i]);
        if (in[i].remap == NULL || in[i].terms == NULL)
            rc = KH_ENOMEM;
    }
    newdocs = kh_malloc((total + 1) * sizeof *newdocs);
    newlen = kh_malloc((total + 1) * sizeof *newlen);
    from_in = kh_malloc((total + 1) * sizeof *from_in);
    from_ord = kh_malloc((total + 1) * sizeof *from_ord);
    if (newdocs == NULL || newlen == NULL || from_in == NULL ||
        from_ord == NULL)
        rc = KH_ENOMEM;
    if (rc == KH_OK)
        rc = kh__segw_begin(path, &w);
    if (rc != KH_OK)
        goto done;

    /* New ordinals: the live documents of all inputs, by docid. */
    uint32_t *next = kh_malloc((n + 1) * sizeof *next);
    if (next == NULL) {
        rc = KH_ENOMEM;
        goto done;
    }
    memset(next, 0, (n + 1) * sizeof *next);
    uint32_t nd = 0;
    *min_docid = UINT64_MAX;
    *max_docid = 0;
    for (;;) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            while (next[i] < kh__seg_ndocs(in[i].seg) &&
                   is_deleted(in[i].deleted, next[i]))
                in[i].remap[next[i]++] = KH_END;
            if (next[i] < kh__seg_ndocs(in[i].seg) &&
                (best == n || kh__seg_doc(in[i].seg, next[i])->docid <
                                  kh__seg_doc(in[best].seg, next[best])->docid))
                best = i;
        }
        if (best == n)
            break;
        const kh_segdoc *d = kh__seg_doc(in[best].seg, next[best]);
        newdocs[nd] = *d;
        uint64_t len = (uint64_t)d->title_len + d->body_len;
        newlen[nd] = len < UINT16_MAX ? (uint16_t)len : UINT16_MAX;
        from_in[nd] = (uint32_t)best;
        from_ord[nd] = next[best];
        if (d->docid < *min_docid)
            *min_docid = d->docid;
        if (d->docid > *max_docid)
            *max_docid = d->docid;
        in[best].remap[next[best]++] = nd++;
    }
    kh_free(next);
    for (uint32_t i = 0; i < nd && rc == KH_OK; i++) {
        size_t kl;
        const char *key = kh__seg_key(in[from_in[i]].seg, from_ord[i], &kl);
        rc = kh__segw_doc(w, &newdocs[i], key, kl);
    }

    /* Terms: a k-way merge of the sorted dictionaries. */
    kh_postbuilder pb;
    kh__pb_init(&pb);
    size_t terms_done = 0;
    for (size_t i = 0; i < n; i++)
        load_term(&in[i]);
    while (rc == KH_OK) {
        const char *key = NULL;
        size_t key_len = 0;
        for (size_t i = 0; i < n; i++)
            if (in[i].key != NULL &&
                (key == NULL ||
                 keycmp(in[i].key, in[i].key_len, key, key_len) < 0)) {
                key = in[i].key;
                key_len = in[i].key_len;
            }
        if (key == NULL)
            break;
        kh__pb_reset(&pb);
        bool stem = key[0] == KH_KEY_STEM;
        /* The inputs holding this term, each positioned on its first doc. */
        for (size_t i = 0; i < n; i++) {
            in[i].active = in[i].key != NULL &&
                           keycmp(in[i].key, in[i].key_len, key, key_len) == 0;
            if (in[i].active)
                kh__cursor_next(&in[i].cur);
        }
        for (;;) {
            size_t best = n;
            uint32_t best_ord = KH_END;
            for (size_t i = 0; i < n; i++) {
                kh_cursor *c = &in[i].cur;
                if (!in[i].active)
                    continue;
                while (c->doc != KH_END && in[i].remap[c->doc] == KH_END)
                    kh__cursor_next(c);
                if (c->doc != KH_END && in[i].remap[c->doc] < best_ord) {
                    best = i;
                    best_ord = in[i].remap[c->doc];
                }
            }
            if (best == n)
                break;
            kh_cursor *c = &in[best].cur;
            uint32_t tt = c->tf_title, tb = c->tf_body;
            /* An article's positions are coded apart from its neighbours'
             * (deltas from -1 in each field), so they are copied as they
             * are, not decoded and coded again. */
            const uint8_t *pos = NULL;
            size_t pos_len = 0;
            if (stem && !kh__cursor_raw_positions(c, &pos, &pos_len)) {
                rc = KH_ECORRUPT;
                break;
            }
            uint32_t len = newlen[best_ord];
            if (len == UINT16_MAX)
                len = newdocs[best_ord].title_len + newdocs[best_ord].body_len;
            kh__pb_add_raw(&pb, best_ord, tt, tb, pos, pos_len, len, &rc);
            kh__cursor_next(c);
        }
        for (size_t i = 0; i < n; i++)
            if (in[i].active && in[i].cur.corrupt)
                rc = KH_ECORRUPT;
        if (rc == KH_OK && pb.df > 0)
            rc = kh__segw_term(w, key, key_len, &pb.st,
                               (const uint8_t *)pb.blocks.data,
                               (uint32_t)(pb.blocks.len / KH_BLOCK_ENTRY) + 1,
                               (const uint8_t *)pb.docs.data, pb.docs.len,
                               (const uint8_t *)pb.pos.data, pb.pos.len);
        for (size_t i = 0; i < n; i++)
            if (in[i].active)
                load_term(&in[i]);
        /* Keep the inputs' resident pages bounded: every 4096 terms, let
         * the kernel take back what was read (it stays in the page cache). */
        if (++terms_done % 4096 == 0)
            for (size_t i = 0; i < n; i++)
                kh__seg_release(in[i].seg);
    }
    kh__pb_release(&pb);
    if (rc == KH_OK) {
        rc = kh__segw_finish(w, err);
        w = NULL;
        *n_docs_out = nd;
    }
done:
    if (w != NULL)
        kh__segw_abort(w);
    for (size_t i = 0; i < n; i++) {
        kh_free(in[i].remap);
        kh__termiter_free(in[i].terms);
    }
    kh_free(in);
    kh_free(newdocs);
    kh_free(newlen);
    kh_free(from_in);
    kh_free(from_ord);
    if (rc != KH_OK && err != NULL && err->message[0] == '\0')
        snprintf(err->message, sizeof err->message, "merge failed: %s",
                 kh_strerror(rc));
    return rc;
}
