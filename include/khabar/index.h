/*
 * index.h -- the embedded on-disk index: add, delete, commit, search.
 *
 * An index is a directory.  It holds immutable segment files (postings:
 * ours, docs/FORMAT.md) and docs.db, a SQLite database with the articles'
 * text and metadata and the list of live segments.  A commit is one SQLite
 * transaction made after the new segment file is on disk and synced, so an
 * article whose kh_index_commit() returned KH_OK survives a crash or a
 * power loss, and a crash at any other moment leaves the last commit.
 *
 * One process writes at a time (a lock file enforces it); any number of
 * processes read.  A reader sees the snapshot of the last commit it opened
 * (kh_index_refresh() moves it on), unaffected by a writer's commits and
 * merges.
 *
 * A kh_index handle is not thread-safe; open one per thread.
 */
#ifndef KHABAR_INDEX_H
#define KHABAR_INDEX_H

#include "khabar/khabar.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KH_DATE_NONE INT64_MIN /* an article without a date */

typedef struct kh_index kh_index;

typedef struct kh_index_options {
    int create;              /* create the directory and index if missing */
    int read_only;           /* open for searching only (no lock taken) */
    size_t buffer_mb;        /* postings buffered in memory before a segment
                                is written; 0: 64 */
    kh_stemmer_kind stemmer; /* for a new index; an existing index keeps
                                the stemmer it was built with */
    int single_thread;       /* analyze added articles on the caller's
                                thread instead of a background one */
    int exact_forms;         /* for a new index: also index every word's
                                normalized form, for a bonus to exact
                                forms (docs/search.md: about 40% more
                                postings for 0.002-0.007 nDCG) */
    int no_stories;          /* writer: skip the wire-copy check of each
                                added article (docs/stories.md) */
    int no_entities;         /* writer: do not tag the people, places and
                                organizations of added articles
                                (docs/entities.md) */
    int lock_wait_ms;        /* writer: how long to wait while another
                                process writes the index; 0: 10,000,
                                negative: not at all */
    int replace_unchanged;   /* writer: replace an article added again
                                unchanged (its entities and story made
                                anew, after a model change); by default
                                it is left as it is */
} kh_index_options;

/* One article to add.  id is the article's key: adding an article with
 * the id of one already in the index replaces it.  When id is NULL the url
 * is the key; when both are NULL, a hash of title and body.  Strings are
 * UTF-8 (invalid bytes are kept as they are and never crash anything);
 * NULL fields are empty. */
typedef struct kh_article {
    const char *id;
    const char *url;
    const char *source;
    const char *title;
    const char *body;
    const char *author;
    int64_t date; /* unix seconds UTC, or KH_DATE_NONE */
} kh_article;

/* The key an article is stored under: its id, else its url, else a hash
 * of its title and body written into buf.  Returns a->id, a->url or buf. */
#define KH_KEY_MAX 64
KH_API const char *kh_article_key(const kh_article *article,
                                  char buf[KH_KEY_MAX]);

/* Opens (or with opts->create, creates) the index in dir.  opts may be
 * NULL (open an existing index for writing).  On failure err (may be NULL)
 * says why: not an index, locked by another writer, corrupt files. */
KH_API KH_NODISCARD kh_status kh_index_open(const char *dir,
                                            const kh_index_options *opts,
                                            kh_index **out, kh_error *err);

/* Closes the index.  Uncommitted additions are discarded.  NULL: no-op. */
KH_API void kh_index_close(kh_index *index);

/* Adds or replaces an article; *replaced (may be NULL) is set when an
 * article with the same key existed.  The same article again (title, body,
 * url, source, author and date unchanged) is left as it is, unless the
 * index was opened with replace_unchanged.  Not durable until
 * kh_index_commit. */
KH_API KH_NODISCARD kh_status kh_index_add(kh_index *index,
                                           const kh_article *article,
                                           int *replaced, kh_error *err);

/* Deletes the article with this key; KH_ENOTFOUND if there is none.  Not
 * durable until kh_index_commit. */
KH_API KH_NODISCARD kh_status kh_index_delete(kh_index *index, const char *id,
                                              kh_error *err);

/* Makes everything added and deleted so far durable and visible to new
 * snapshots; may merge segments.  KH_OK means it is on disk. */
KH_API KH_NODISCARD kh_status kh_index_commit(kh_index *index, kh_error *err);

/* Commits, then merges all segments into one: the fastest index to search
 * until the next addition. */
KH_API KH_NODISCARD kh_status kh_index_optimize(kh_index *index, kh_error *err);

/* Moves a handle's snapshot to the latest commit. */
KH_API KH_NODISCARD kh_status kh_index_refresh(kh_index *index, kh_error *err);

typedef struct kh_search_options {
    size_t limit;    /* hits to return; 0: 10 */
    size_t offset;   /* hits to skip (both bounded by the articles in
                        the index) */
    int require_all; /* nonzero: juxtaposed words are all required;
                        zero: the index default (docs/search.md) */
    int no_snippets; /* skip snippet building */
    const char *hl_open, *hl_close; /* highlight markers; NULL: <b> </b> */
    int hl_html;                    /* HTML-escape snippet text */
    int exhaustive;  /* score every match, no top-k pruning: exact totals,
                        slower; for tests and comparisons */
    int ids_only;    /* hits carry only id and score (no docs.db reads, no
                        collapsing) */
    int no_collapse; /* list every wire copy; by default the copies of one
                        text are one hit carrying copies and sources */
    int newest;      /* nonzero: the newest matches, newest first (by date,
                        then by the order they came in; undated last), not
                        the best: every match is looked at, nothing is
                        scored, hits carry score 0 */
} kh_search_options;

typedef struct kh_hit {
    char *id, *title, *url, *source, *author;
    int64_t date; /* or KH_DATE_NONE */
    double score;
    char *snippet;  /* NULL when not asked for */
    size_t copies;  /* articles of its wire group (itself included): the
                       same text elsewhere; 0 when it has no copy */
    char **sources; /* the group's sources, first publisher first */
    size_t n_sources;
} kh_hit;

typedef struct kh_results {
    size_t total; /* matching articles: exact when total_exact, else a
                     lower bound (top-k pruning skipped some) */
    int total_exact;
    double took_ms;
    kh_hit *hits;
    size_t n_hits;
} kh_results;

/* Runs a query (docs/query.md).  On a syntax error returns KH_EINVAL with
 * the message and offset in err.  On success *out owns the results;
 * release them with kh_results_free(). */
KH_API KH_NODISCARD kh_status kh_index_search(kh_index *index,
                                              const char *query,
                                              const kh_search_options *opts,
                                              kh_results **out, kh_error *err);
KH_API void kh_results_free(kh_results *results);

/* The parser's canonical rendering of query (docs/query.md) as this
 * index's analyzer reads it, e.g. "(الحكومه/حكوم +source:spa)": what
 * `khabar search --explain` prints.  On a syntax error returns KH_EINVAL
 * with the message and offset in err, as kh_index_search() does.  On
 * success *out (NUL-terminated) is released with kh_free(). */
KH_API KH_NODISCARD kh_status kh_index_explain(kh_index *index,
                                               const char *query, char **out,
                                               kh_error *err);

/* The stored article with this key, as a hit without score or snippet but
 * with body; KH_ENOTFOUND if absent.  Free with kh_doc_free(). */
typedef struct kh_doc {
    kh_hit meta;
    char *body;
} kh_doc;
KH_API KH_NODISCARD kh_status kh_index_get(kh_index *index, const char *id,
                                           kh_doc **out, kh_error *err);
KH_API void kh_doc_free(kh_doc *doc);

/* A story: the articles about one event, linked as they arrived
 * (docs/stories.md). */
typedef struct kh_story {
    char *id;            /* the story's name: the id of its first article */
    char *label;         /* its most representative headline */
    int64_t first, last; /* dates of its first and last articles */
    char **sources;      /* first publisher first */
    size_t n_sources;
    kh_hit *articles; /* oldest first, no snippets; a wire copy carries its
                         group's copies and sources */
    size_t n_articles;
} kh_story;

/* The story of article id. */
KH_API KH_NODISCARD kh_status kh_index_story(kh_index *index, const char *id,
                                             kh_story **out, kh_error *err);
KH_API void kh_story_free(kh_story *story);

/* Articles related to article id ("you may also like"): by content, with
 * a preference for those published near it, one per wire group and story,
 * never a copy of its text; at most n (0: 5; more than KH_RELATED_MAX
 * counts as that), without snippets. */
#define KH_RELATED_MAX 10000
KH_API KH_NODISCARD kh_status kh_index_related(kh_index *index, const char *id,
                                               size_t n, kh_results **out,
                                               kh_error *err);

typedef struct kh_index_stats {
    uint64_t articles; /* live articles */
    uint64_t deleted;  /* deleted but still in segments */
    uint64_t segments;
    uint64_t terms;          /* sum over segments */
    uint64_t postings_bytes; /* segment files on disk */
    uint64_t store_bytes;    /* docs.db and its WAL */
    const char *stemmer;
    int exact_forms; /* normalized forms are indexed */
} kh_index_stats;
KH_API KH_NODISCARD kh_status kh_index_stats_get(kh_index *index,
                                                 kh_index_stats *out,
                                                 kh_error *err);

/* ISO 8601 dates: parse "2015-07-21", "2015-07-21T02:51:32Z",
 * "2015-07-21 02:51:32", "...+03:00" into unix seconds (UTC; no zone means
 * UTC); format as "2015-07-21T02:51:32Z" into buf (at least 32 bytes;
 * KH_DATE_NONE gives ""). */
KH_API KH_NODISCARD kh_status kh_date_parse(const char *s, size_t len,
                                            int64_t *out);
KH_API void kh_date_format(int64_t t, char *buf);

#ifdef __cplusplus
}
#endif

#endif /* KHABAR_INDEX_H */
