/*
 * index.h -- private interface of the index module (src/index/).
 *
 * Pieces, one file each:
 *   varint.h    LEB128 varints with bounds checks
 *   memseg.c    the in-memory segment: postings of articles being added
 *   segfile.c   the segment file: writing (from a memseg or a merge) and
 *               reading (mmap, validation, term look-up, postings cursors)
 *   store.c     docs.db: article text and metadata, the live segment list,
 *               deletions; its transactions are the index's commits
 *   merge.c     merging segments
 *   search.c    running a query tree against a snapshot
 *   index.c     the public kh_index_* calls tying them together
 * docs/FORMAT.md describes the files.
 */
#ifndef KH_INDEX_H
#define KH_INDEX_H

#include "kh_int.h"

/* Term keys: a kind byte, then the term's bytes. */
#define KH_KEY_STEM 's' /* stem: postings with title/body tf and positions */
#define KH_KEY_NORM 'n' /* normalized form: postings with tf only */

#define KH_BLOCK_DOCS 128 /* documents per postings block */

/* Positions of body tokens are counted from 0 like the title's; the field
 * is told apart by the tf split (title tf first). */

/**************************************************************************
** varint.h -- inline helpers
*/
static inline size_t
kh__varint_put(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/* Reads a varint from *p, never past end; returns false (and leaves *p at
 * end) on truncated or over-long input. */
static inline bool
kh__varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    const uint8_t *s = *p;
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64 && s < end; shift += 7) {
        uint8_t b = *s++;
        r |= (uint64_t)(b & 0x7F) << shift;
        if (b < 0x80) {
            *p = s;
            *v = r;
            return true;
        }
    }
    *p = end;
    return false;
}

/**************************************************************************
** Interface to code in index/memseg.c
*/

/* Per-article metadata kept in segments, for ranking and filters. */
typedef struct kh_segdoc {
    uint64_t docid;     /* the article's row in docs.db */
    int64_t date;       /* unix seconds, or KH_DATE_NONE */
    uint32_t source;    /* kh__source_hash of the case-folded source */
    uint32_t title_len; /* tokens */
    uint32_t body_len;  /* tokens */
    uint32_t reserved;
} kh_segdoc; /* 32 bytes, the on-disk record */

typedef struct kh_memseg kh_memseg;

/* A term occurrence of an article, hashed ahead of its lookup in the
 * memseg: the term table is far bigger than the caches, and knowing the
 * next terms' slots lets them be fetched in parallel. */
typedef struct kh_termocc {
    uint32_t hash;
    uint32_t off; /* of the term's bytes in kh_docterms.text */
    uint32_t len;
    uint32_t pos;
    uint8_t kind, field;
} kh_termocc;

/* An article analysed into its terms, apart from any memseg, so that the
 * analysis can run on another thread than the memseg's.  Owns its
 * buffers; reusable. */
typedef struct kh_docterms {
    kh_termocc *occ; /* in text order */
    size_t n, cap;
    kh_buf text;
    uint32_t title_len, body_len; /* tokens */
} kh_docterms;

KH_HIDDEN void kh__docterms_init(kh_docterms *d);
KH_HIDDEN void kh__docterms_release(kh_docterms *d);
KH_HIDDEN size_t kh__docterms_bytes(const kh_docterms *d); /* allocated */
/* Analyzes title and body with an (stop words dropped) and appends the
 * entity terms (as kh__memseg_add). */
KH_HIDDEN kh_status kh__docterms_analyze(kh_docterms *d, kh_analyzer *an,
                                         bool exact_forms, const kh_article *a,
                                         const char *terms, size_t terms_len);

/* exact_forms: index normalized forms (KH_KEY_NORM) too. */
KH_HIDDEN kh_status kh__memseg_new(kh_analyzer_options aopts, bool exact_forms,
                                   kh_memseg **out);
KH_HIDDEN void kh__memseg_free(kh_memseg *m);
/* Analyzes and adds one article under docid, with its entity terms
 * (src/extract/entity.h: terms_len bytes of kind byte, key, NUL; none
 * when 0). */
KH_HIDDEN kh_status kh__memseg_add(kh_memseg *m, uint64_t docid,
                                   const char *key, const kh_article *a,
                                   const char *terms, size_t terms_len);
/* Adds an article analysed by kh__docterms_analyze (a gives the date and
 * the source); the same as kh__memseg_add. */
KH_HIDDEN kh_status kh__memseg_put(kh_memseg *m, uint64_t docid,
                                   const char *key, const kh_article *a,
                                   const kh_docterms *d);
/* A new analyzer as m's (the caller frees it), and whether m indexes
 * normalized forms: what kh__docterms_analyze needs for m. */
KH_HIDDEN kh_status kh__memseg_analyzer(const kh_memseg *m, kh_analyzer **out,
                                        bool *exact_forms);
/* Drops an article added earlier (it will not be written). */
KH_HIDDEN bool kh__memseg_drop(kh_memseg *m, uint64_t docid);
KH_HIDDEN bool kh__memseg_is_dropped(const kh_memseg *m, uint32_t ord);
KH_HIDDEN size_t kh__memseg_docs(const kh_memseg *m);  /* live ones */
KH_HIDDEN size_t kh__memseg_total(const kh_memseg *m); /* with dropped */
KH_HIDDEN void kh__memseg_range(const kh_memseg *m, uint64_t *lo,
                                uint64_t *hi);         /* docid range */
KH_HIDDEN size_t kh__memseg_bytes(const kh_memseg *m); /* memory used */
/* Writes the segment to path (via a temporary file, fsynced, renamed);
 * KH_OK with *written = 0 when there is nothing to write. */
KH_HIDDEN kh_status kh__memseg_write(kh_memseg *m, const char *path,
                                     size_t *written, kh_error *err);
KH_HIDDEN void kh__memseg_clear(kh_memseg *m);

/**************************************************************************
 * The feeder (feeder.c): a thread that adds queued articles to a memseg,
 * after another that tags their entities when the index does.
 * Between kh__feeder_drain() calls the memseg belongs to the thread.
 */
typedef struct kh_feeder kh_feeder;
struct kh_tagger;
/* tagger (may be NULL) tags each article on a thread of its own first. */
KH_HIDDEN kh_status kh__feeder_start(kh_memseg *mem, struct kh_tagger *tagger,
                                     kh_feeder **out);
/* Copies the article and queues it (waiting while the queue is full);
 * returns an earlier article's failure, if any, else KH_OK. */
KH_HIDDEN kh_status kh__feeder_add(kh_feeder *f, uint64_t docid,
                                   const char *key, const kh_article *a);
/* Waits until every queued article is in the memseg; returns (and
 * clears) the first failure since the last drain. */
KH_HIDDEN kh_status kh__feeder_drain(kh_feeder *f);
KH_HIDDEN size_t kh__feeder_bytes(kh_feeder *f);
/* Finishes the queue and ends the thread; NULL: no-op. */
KH_HIDDEN void kh__feeder_stop(kh_feeder *f);

KH_HIDDEN uint32_t kh__source_hash(const char *source, size_t len);

/**************************************************************************
** Interface to code in index/segfile.c
*/

typedef struct kh_seg kh_seg;

typedef struct kh_termstats {
    uint32_t df;
    uint32_t max_tf_title, max_tf_body;
    uint32_t min_len; /* shortest article with the term, in tokens */
} kh_termstats;

/* A block's impacts: (weighted frequency, length) pairs such that every
 * article of the block has a frequency at most and a length at least
 * those of one pair, so that BM25 of the best pair bounds the block.  The
 * weighted frequency is KH_IMPACT_TITLE_WEIGHT * tf_title + tf_body. */
typedef struct kh_impact {
    uint32_t ptf, len;
} kh_impact;
#define KH_IMPACTS             3 /* pairs in a block table entry */
#define KH_IMPACT_TITLE_WEIGHT 2
/* Bytes of one block table entry written by the builder: 12 of offsets,
 * then KH_IMPACTS x (u8 ptf, u16 len). */
#define KH_BLOCK_ENTRY (12 + 3 * KH_IMPACTS)

/* A postings cursor over one term of one segment. */
typedef struct kh_cursor {
    const kh_seg *seg;
    uint8_t kind; /* KH_KEY_STEM or KH_KEY_NORM */
    uint32_t df, n_blocks;
    const uint8_t *blocks; /* n_blocks - 1 entries */
    uint32_t block_entry;  /* bytes of an entry: 12 (no bounds) or 16 */
    kh_termstats st;       /* the term's, bounds for the last block */
    const uint8_t *docs, *docs_end;
    const uint8_t *pos, *pos_end;
    uint32_t block;    /* current block */
    const uint8_t *dp; /* next doc record */
    uint32_t in_block; /* docs read in the current block */
    uint32_t doc;      /* current ordinal, or KH_END */
    uint32_t tf_title, tf_body;
    /* positions of the current doc, read lazily */
    const uint8_t *pp; /* pos stream at the current doc */
    uint32_t pos_skip; /* positions of earlier docs not yet
                          skipped in this block */
    bool pos_read;     /* the current doc's positions were read */
    bool started;      /* next() or advance() was called */
    bool corrupt;      /* the postings did not decode */
} kh_cursor;

#define KH_END UINT32_MAX

/* Opens and validates a segment file (mmap).  KH_ECORRUPT with a message
 * in err for anything malformed. */
KH_HIDDEN kh_status kh__seg_open(const char *path, kh_seg **out, kh_error *err);
KH_HIDDEN void kh__seg_close(kh_seg *s);
/* Gives back the memory of the pages read so far (a merge reads a segment
 * once, front to back, and need not keep it resident). */
KH_HIDDEN void kh__seg_release(const kh_seg *s);
KH_HIDDEN uint32_t kh__seg_ndocs(const kh_seg *s);
KH_HIDDEN uint32_t kh__seg_nterms(const kh_seg *s);
KH_HIDDEN uint64_t kh__seg_bytes(const kh_seg *s);
KH_HIDDEN const kh_segdoc *kh__seg_doc(const kh_seg *s, uint32_t ord);
/* title_len + body_len of the article at ord, saturated at 65535. */
KH_HIDDEN uint32_t kh__seg_doclen(const kh_seg *s, uint32_t ord);
/* The key (id) of the article at ord: *len bytes, not NUL-terminated. */
KH_HIDDEN const char *kh__seg_key(const kh_seg *s, uint32_t ord, size_t *len);
KH_HIDDEN uint64_t kh__seg_total_len(const kh_seg *s); /* title + body */
/* Looks a key up; returns false if absent. */
KH_HIDDEN bool kh__seg_find(const kh_seg *s, const char *key, size_t len,
                            kh_cursor *c, kh_termstats *st);
/* Walks the terms in key order (for merging).  The key stays valid until
 * the next call. */
typedef struct kh_termiter kh_termiter;
KH_HIDDEN kh_termiter *kh__termiter_new(const kh_seg *s); /* NULL: ENOMEM */
KH_HIDDEN bool kh__termiter_next(kh_termiter *it, const char **key, size_t *len,
                                 kh_cursor *c);
KH_HIDDEN void kh__termiter_free(kh_termiter *it);
/* Cursor moves: to the first doc >= target (or KH_END). */
KH_HIDDEN uint32_t kh__cursor_next(kh_cursor *c);
KH_HIDDEN uint32_t kh__cursor_advance(kh_cursor *c, uint32_t target);
/* The positions of the current doc: title positions in *title (n =
 * tf_title), then body positions (n = tf_body), written to out (cap
 * entries); returns the count written, or -1 on corrupt data. */
KH_HIDDEN int kh__cursor_positions(kh_cursor *c, uint32_t *out, size_t cap);
/* The same positions as they are encoded in the segment (each field's
 * deltas from -1, varints), checked as kh__cursor_positions checks them:
 * *len bytes at *bytes, inside the segment's mapping.  For merges, which
 * copy them as they are.  Returns false on corrupt data. */
KH_HIDDEN bool kh__cursor_raw_positions(kh_cursor *c, const uint8_t **bytes,
                                        size_t *len);
/* The impacts of the current block (the one holding the current doc):
 * returns their count (0 when the block has none: the last block, or an
 * older segment; the term's bounds hold then), sets *last to the block's
 * last ordinal (KH_END - 1 for the last block).  A ptf of 255 means 255
 * or more.  The cursor must be on a doc. */
KH_HIDDEN int kh__cursor_block(const kh_cursor *c, kh_impact *out,
                               uint32_t *last);

/* Low-level writer used by memseg and merge. */
typedef struct kh_segwriter kh_segwriter;
KH_HIDDEN kh_status kh__segw_begin(const char *path, kh_segwriter **out);
/* key: the article's key (id), kept in the segment so that a search can
 * answer with ids without reading docs.db. */
KH_HIDDEN kh_status kh__segw_doc(kh_segwriter *w, const kh_segdoc *d,
                                 const char *key, size_t key_len);
/* Adds a term; its postings are given as streams already encoded in the
 * segment's format (doc stream, pos stream) plus the block table. */
KH_HIDDEN kh_status kh__segw_term(kh_segwriter *w, const char *key, size_t len,
                                  const kh_termstats *st, const uint8_t *blocks,
                                  uint32_t n_blocks, const uint8_t *docs,
                                  size_t docs_len, const uint8_t *pos,
                                  size_t pos_len);
KH_HIDDEN kh_status kh__segw_finish(kh_segwriter *w, kh_error *err);
KH_HIDDEN void kh__segw_abort(kh_segwriter *w);

/* Postings encoder shared by memseg and merge: appends one doc's record
 * to the term's streams and keeps the block table. */

typedef struct kh_postbuilder {
    kh_buf docs, pos, blocks;
    uint32_t df, last_ord, in_block;
    bool any;
    kh_termstats st;
    kh_impact front[8]; /* the block's frontier, by ptf */
    uint32_t n_front;
} kh_postbuilder;
KH_HIDDEN void kh__pb_init(kh_postbuilder *b);
KH_HIDDEN void kh__pb_release(kh_postbuilder *b);
KH_HIDDEN void kh__pb_reset(kh_postbuilder *b);
/* positions: tf_title title positions then tf_body body positions, each
 * increasing; NULL for KH_KEY_NORM terms. */
KH_HIDDEN void kh__pb_add(kh_postbuilder *b, uint32_t ord, uint32_t tf_title,
                          uint32_t tf_body, const uint32_t *positions,
                          uint32_t doc_len, kh_status *rc);
/* The same with the positions already encoded (kh__cursor_raw_positions):
 * pos_len bytes are appended as they are. */
KH_HIDDEN void kh__pb_add_raw(kh_postbuilder *b, uint32_t ord,
                              uint32_t tf_title, uint32_t tf_body,
                              const uint8_t *pos, size_t pos_len,
                              uint32_t doc_len, kh_status *rc);

/**************************************************************************
** Interface to code in index/merge.c
*/

/* Merges n segments (deleted[i]: bitmap of segs[i], may be NULL) into a new
 * segment file at path; reports its document count and docid range. */
KH_HIDDEN kh_status kh__merge(const kh_seg *const *segs,
                              const uint8_t *const *deleted, size_t n,
                              const char *path, uint32_t *n_docs,
                              uint64_t *min_docid, uint64_t *max_docid,
                              kh_error *err);

/**************************************************************************
** The index handle, shared by index.c and search.c
*/

typedef struct kh_snapseg {
    int64_t segid;
    char *file;
    kh_seg *seg;
    uint8_t *deleted; /* bitmap over ordinals */
    size_t deleted_len;
    uint32_t n_deleted;
    uint64_t min_docid, max_docid;
    float *lennorm; /* per ordinal: 1 - b + b * length / avgdl */
} kh_snapseg;

struct kh_store;
struct kh_stories;
struct kh_entstore;

struct kh_index {
    char *dir;
    struct kh_store *store;
    bool read_only;
    int lock_fd;
    kh_analyzer_options aopts; /* the index's stemmer */
    kh_analyzer *qa;           /* analyzes queries */
    kh_analyzer *sa;           /* analyzes snippets */
    kh_memseg *mem;            /* writer: articles not yet in a segment */
    kh_feeder *feeder;         /* writer: fills mem; NULL: added inline */
    size_t buffer_bytes;
    kh_snapseg *segs; /* the snapshot */
    size_t n_segs;
    double n_live, avgdl; /* over the snapshot */
    char **pending;       /* files of merged-away segments to unlink at */
    size_t n_pending;     /*   the next commit */
    int64_t data_version;
    /* ranking parameters (docs/search.md) */
    double k1, b, title_weight, exact_weight, proximity_weight;
    size_t rerank_depth; /* best-ranked hits the proximity bonus looks at */
    bool require_all;    /* the default operator */
    bool exact_forms;    /* the index has KH_KEY_NORM terms */
    struct kh_stories *stories; /* wire groups and stories (src/story/) */
    bool no_stories;            /* writer: no wire-copy check at ingest */
    bool replace_unchanged;     /* writer: kh_index_options' */
    struct kh_tagger *tagger;   /* writer: entities at ingest, or NULL */
    struct kh_entstore *ents;   /* entity names (src/extract/entstore.c) */
};

KH_HIDDEN void kh__hit_release(kh_hit *h);
/* Articles of the snapshot with term key[0..len), deleted ones included
 * until a merge (search.c). */
KH_HIDDEN uint64_t kh__term_df(const kh_index *ix, const char *key, size_t len);
/* The live articles of the snapshot naming an entity (value: its key, or
 * a name in any script), sorted; KH_EINVAL when the name has no letter to
 * key (entities.c). */
KH_HIDDEN kh_status kh__entity_docids(kh_index *ix, const char *value,
                                      uint64_t **docids, size_t *n);

/* Says why the entity: value cannot be looked up (KH_EINVAL): a type
 * with no key after it ("PER:"), or no letter to key. */
KH_HIDDEN void kh__entity_einval(kh_error *err, const char *value);
/* The largest docid in the snapshot's segments, 0 when it has none
 * (index.c): articles past it are in docs.db but not yet searchable. */
KH_HIDDEN uint64_t kh__index_max_docid(const kh_index *ix);
/* Articles of the snapshot that have a stem (search.c). */
KH_HIDDEN uint32_t kh__stem_df(const kh_index *ix, const char *stem);

static inline bool
kh__snap_deleted(const kh_snapseg *s, uint32_t ord)
{
    return (s->deleted[ord >> 3] >> (ord & 7)) & 1;
}

#endif /* KH_INDEX_H */
