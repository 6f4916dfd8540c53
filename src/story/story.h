/*
 * story.h -- private interface of the story module (src/story/).
 *
 * Pieces, one file each:
 *   shingle.c   word 5-gram shingle sets, exact Jaccard, MinHash
 *               signatures (one-permutation hashing) and LSH band keys
 *   wire.c      wire copies: each new article's candidates from the LSH
 *               bands, checked by exact Jaccard, grouped, kept in docs.db
 * docs/stories.md says why these choices and what they measure.
 */
#ifndef KH_STORY_H
#define KH_STORY_H

#include "kh_int.h"

#include <sqlite3.h>

#include "khabar/analyzer.h"

#define KH_SHINGLE_WORDS 5
#define KH_SIG_BINS      64 /* MinHash values of a signature */
#define KH_LSH_BANDS     16 /* bands of KH_SIG_BINS / KH_LSH_BANDS rows */
#define KH_COPY_JACCARD  0.8

/**************************************************************************
** Interface to code in story/shingle.c
*/

typedef struct kh_u32vec {
    uint32_t *v;
    size_t n, cap;
} kh_u32vec;

KH_HIDDEN void kh__u32vec_release(kh_u32vec *a);

/* A word (32-bit hash of its normalized form, never 0) and a weight. */
typedef struct kh_term {
    uint32_t h;
    float w;
} kh_term;

typedef struct kh_termbag {
    kh_term *v; /* sorted by hash; w: occurrences */
    size_t n, cap;
    size_t body_words; /* content words of the body */
    kh_u32vec title;   /* the title's content words, sorted */
    kh_u32vec scratch;
} kh_termbag;

KH_HIDDEN void kh__termbag_release(kh_termbag *b);

/* One pass of an article through the analyzer (no stemmer, stop words
 * kept): the words of title (counted three times) and body, stop words
 * and numbers left out, in *bag, and when shingles is not NULL the
 * shingle set of the body (as kh__shingles). */
KH_HIDDEN kh_status kh__termbag_fill(const char *title, const char *body,
                                     kh_u32vec *shingles, kh_termbag *bag);

/* The set of word 5-gram shingles of text: the analyzer's normalized
 * forms (as an analyzer with no stemmer that keeps stop words gives
 * them), each 5-gram hashed to 32 bits; sorted, without repeats, in *out
 * (reused).  Fewer than 5 words give the empty set. */
KH_HIDDEN kh_status kh__shingles(const char *text, kh_u32vec *out);

/* |A n B| / |A u B| of two sorted sets; 0 when both are empty. */
KH_HIDDEN double kh__jaccard(const uint32_t *a, size_t na, const uint32_t *b,
                             size_t nb);

/* The LSH band keys of a non-empty set: a one-permutation MinHash
 * signature of KH_SIG_BINS values, densified, cut into KH_LSH_BANDS bands
 * of rows, each band hashed to 32 bits.  Two sets share a band with
 * probability about J^rows. */
KH_HIDDEN void kh__band_keys(const uint32_t *set, size_t n,
                             uint32_t keys[KH_LSH_BANDS]);

/**************************************************************************
** Interface to code in story/cluster.c
*/

#define KH_STORY_COSINE 0.35

typedef struct kh_cluster kh_cluster;

KH_HIDDEN kh_status kh__cluster_open(sqlite3 *db, bool read_only,
                                     kh_cluster **out, kh_error *err);
KH_HIDDEN void kh__cluster_close(kh_cluster *c);
/* Puts docid (dated date, words bag) in a story: its wire group's when
 * wire_group is not 0, else the closest within 7 days, else a new one.
 * scratch serves to replay the window at the first call. */
KH_HIDDEN kh_status kh__cluster_add(kh_cluster *c, kh_termbag *scratch,
                                    uint64_t docid, int64_t date,
                                    const kh_termbag *bag, uint64_t wire_group,
                                    uint64_t *sid);
KH_HIDDEN kh_status kh__cluster_delete(kh_cluster *c, uint64_t docid);
/* The story of docid (0: none) and the live articles of a story, oldest
 * first, kh_malloc'd. */
KH_HIDDEN kh_status kh__cluster_story(kh_cluster *c, uint64_t docid,
                                      uint64_t *sid);
KH_HIDDEN kh_status kh__cluster_members(kh_cluster *c, uint64_t sid,
                                        uint64_t **docids, size_t *n);

/**************************************************************************
** Interface to code in story/wire.c
*/

typedef struct kh_wire kh_wire;

/* Opens the wire-copy tables of docs.db (db stays the caller's).  A
 * writer creates them when missing; a reader of an index made before
 * they existed gets a kh_wire that knows no groups. */
KH_HIDDEN kh_status kh__wire_open(sqlite3 *db, bool read_only, kh_wire **out,
                                  kh_error *err);
KH_HIDDEN void kh__wire_close(kh_wire *w);

/* At ingest, inside the writer's transaction, after docid's row is in
 * docs.db: finds the indexed article whose body is the most similar
 * copy of the body with shingle set shingles (word 5-gram Jaccard >=
 * KH_COPY_JACCARD) and puts docid in its wire group.  *group (may be NULL) gets
 * the group, 0 for none. */
KH_HIDDEN kh_status kh__wire_add(kh_wire *w, uint64_t docid,
                                 const kh_u32vec *shingles, uint64_t *group);
KH_HIDDEN kh_status kh__wire_delete(kh_wire *w, uint64_t docid);

/* The wire group of docid, 0 when it has no copy. */
KH_HIDDEN kh_status kh__wire_group(kh_wire *w, uint64_t docid, uint64_t *group);

/* Whether articles a and b were found to be copies of one text, even
 * when they ended up in different groups (a copy that came first alone
 * and one that joined another copy's group). */
KH_HIDDEN bool kh__wire_paired(kh_wire *w, uint64_t a, uint64_t b);

/* The size of group and its distinct sources, first publisher first
 * (*sources kh_malloc'd, each string too; NULL when *n_sources is 0). */
KH_HIDDEN kh_status kh__wire_sources(kh_wire *w, uint64_t group, size_t *copies,
                                     char ***sources, size_t *n_sources);

/**************************************************************************
** Interface to code in story/timeline.c
*/

/* The content words of a headline (stems, stop words left out) as sorted
 * unique hashes in *out (reused). */
KH_HIDDEN kh_status kh__title_words(kh_analyzer *an, const char *title,
                                    kh_u32vec *out);

/**************************************************************************
** Interface to code in story/story.c: the module as the index sees it
*/

/* Prepares a statement kept for the connection's life; nonzero on error
 * (sqlite3_prepare_v3's code). */
KH_HIDDEN int kh__story_prep(sqlite3 *db, sqlite3_stmt **st, const char *sql);

/* Steps st (one parameter: key) and collects its first column, docids,
 * in *docids (kh_malloc'd, NULL when none); resets st. */
KH_HIDDEN kh_status kh__story_docids(sqlite3_stmt *st, uint64_t key,
                                     uint64_t **docids, size_t *n);

typedef struct kh_stories kh_stories;

KH_HIDDEN kh_status kh__stories_open(sqlite3 *db, bool read_only,
                                     kh_stories **out, kh_error *err);
KH_HIDDEN void kh__stories_close(kh_stories *s);
/* At ingest, after the article's row is in docs.db: its wire group and
 * its story. */
KH_HIDDEN kh_status kh__stories_add(kh_stories *s, uint64_t docid,
                                    const char *title, const char *body,
                                    int64_t date);
KH_HIDDEN kh_status kh__stories_delete(kh_stories *s, uint64_t docid);
KH_HIDDEN kh_wire *kh__stories_wire(kh_stories *s);
KH_HIDDEN kh_cluster *kh__stories_cluster(kh_stories *s);

/* Memory of the in-memory band table, and for the benchmark (each may be
 * NULL): the memory of the shingle sets and sizes kept of recent articles,
 * how many candidates were verified and how many of them were read back
 * from their stored body. */
KH_HIDDEN size_t kh__wire_memory(const kh_wire *w, size_t *kept,
                                 uint64_t *checks, uint64_t *fetched);

#endif /* KH_STORY_H */
