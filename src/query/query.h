/*
 * query.h -- private interface of the query module (src/query/).
 *
 * The query module turns a query string into a tree (parse.c), and builds
 * highlighted snippets (snippet.c).  Executing a tree against the index is
 * the index module's job (src/index/search.c); this module knows nothing
 * of postings.
 */
#ifndef KH_QUERY_H
#define KH_QUERY_H

#include "kh_int.h"

/**************************************************************************
** Interface to code in query/parse.c
**
** The query language (docs/query.md):
**   word word          words; the default operator (all-optional ranking or
**                      all-required) is the executor's choice
**   "exact phrase"     the words in this order, adjacent
**   -word  -"phrase"   exclude
**   a OR b             either (also |); binds tighter than juxtaposition:
**                      a b OR c  is  a (b OR c)
**   ( ... )            grouping
**   title:word  title:"phrase"  title:(a OR b)   match in the title only
**   source:NAME        only articles from this source (exact, case-folded)
**   story:ID           only articles of the story of article ID
**   entity:NAME  entity:"two words"   only articles naming the entity (a
**                      name in any script, or an entity key PER:TKF)
**   since:DATE  until:DATE   ISO 8601 date or date-time, inclusive
**   +word              required even when the default is all-optional
** A word that the analyzer splits into several tokens (G-20, كوفيد-19) is a
** phrase of those tokens.  Field names are ASCII and case-insensitive;
** "OR" must be upper case (or is an ordinary word).
*/

typedef enum kh_occur {
    KH_OCCUR_DEFAULT = 0, /* juxtaposed: the executor's default operator */
    KH_OCCUR_SHOULD,      /* optional, adds to the score (OR groups) */
    KH_OCCUR_MUST,        /* required (+word) */
    KH_OCCUR_MUST_NOT     /* excluded (-word) */
} kh_occur;

typedef enum kh_qop {
    KH_QOP_WORD = 1, /* one analyzed token: terms[0] */
    KH_QOP_PHRASE,   /* terms[0..n_terms), in order */
    KH_QOP_BOOL,     /* children, each with its own occur */
    KH_QOP_SOURCE,   /* value: a source name, case-folded */
    KH_QOP_DATE,     /* since..until */
    KH_QOP_STORY,    /* value: an article id; docids: its story's */
    KH_QOP_ENTITY    /* value: a name or entity key; docids: the articles
                        naming it */
} kh_qop;

typedef enum kh_qfield {
    KH_QFIELD_ALL = 0, /* title and body */
    KH_QFIELD_TITLE
} kh_qfield;

typedef struct kh_qterm {
    char *norm;   /* normalized form (owned by the node) */
    char *stem;   /* stem (owned) */
    uint32_t gap; /* positions since the previous term of a phrase (1 for
                     adjacent words; more when stop words were dropped) */
    bool stop;    /* the word is a stop word */
} kh_qterm;

#define KH_DATE_MIN INT64_MIN
#define KH_DATE_MAX INT64_MAX

typedef struct kh_qnode {
    kh_qop op;
    kh_occur occur;  /* how the node combines with its siblings */
    kh_qfield field; /* WORD and PHRASE only */
    size_t offset;   /* byte offset of the node in the query text */
    kh_qterm *terms; /* WORD, PHRASE */
    size_t n_terms;
    struct kh_qnode **children; /* BOOL */
    size_t n_children;
    char *value;      /* SOURCE, STORY, ENTITY */
    uint64_t *docids; /* STORY, ENTITY: the articles, sorted, set by the
                         executor before it runs the tree (owned) */
    size_t n_docids;
    int64_t since; /* DATE: unix seconds UTC, inclusive; KH_DATE_MIN */
    int64_t until; /*   and KH_DATE_MAX when open */
} kh_qnode;

/* Parses q[0..len) with analyzer a (its stemmer decides the stems).  On
 * success *out owns the tree (kh__query_free it); the root is always a
 * BOOL node, possibly with no children (an empty query).  On a syntax
 * error returns KH_EINVAL and, if err is not NULL, fills it with a message
 * and the byte offset of the problem.  KH_ENOMEM on allocation failure.
 * Never reads outside q[0..len); q need not be NUL-terminated. */
KH_HIDDEN kh_status kh__query_parse(const char *q, size_t len, kh_analyzer *a,
                                    kh_qnode **out, kh_error *err);
KH_HIDDEN void kh__query_free(kh_qnode *node); /* NULL is a no-op */

/* A canonical one-line rendering of a tree, for tests and --explain:
 *   (+word:norm/stem -"phrase" title:w source:x story:id
 *    date:[since,until] (a | b))
 * Appends to out; sticky errors in *rc. */
KH_HIDDEN void kh__query_render(const kh_qnode *node, kh_buf *out,
                                kh_status *rc);

/**************************************************************************
** Interface to code in query/snippet.c
*/

typedef struct kh_snippet_opts {
    const char *const *norms; /* query terms to highlight, normalized forms */
    size_t n_norms;
    const char *const *stems; /* and stems: a token matches if its norm is */
    size_t n_stems;           /*   in norms or its stem is in stems */
    size_t max_bytes;         /* passage length budget (of original text) */
    const char *open;         /* inserted before a match, e.g. "<b>" */
    const char *close;        /* inserted after a match, e.g. "</b>" */
    bool html;                /* escape & < > " in the text between */
} kh_snippet_opts;

/* Appends to out the best passage of text[0..len): the window of about
 * max_bytes that holds the most distinct query terms (ties: the earliest),
 * cut at token boundaries, with "…" where it starts after the text's
 * beginning or ends before its end, and every matching token wrapped in
 * open/close.  Highlights cover whole tokens, taken from the analyzer's
 * offsets, so they never split a word or a letter's joining.  With no
 * match, the start of the text.  Invalid UTF-8 in text becomes U+FFFD.
 * a is used for tokenizing and is reset.  Sticky errors in *rc. */
KH_HIDDEN void kh__snippet(kh_analyzer *a, const char *text, size_t len,
                           const kh_snippet_opts *opts, kh_buf *out,
                           kh_status *rc);

/* kh__snippet() with the query's phrases too: phrases[0..n_phrases) are
 * PHRASE nodes (NULL with 0: none).  A phrase is marked only where its
 * words (by stem) stand at the query's distances, one mark from its first
 * word to its last; its words are not marked elsewhere unless opts names
 * them as terms of their own.  An occurrence counts as one distinct term
 * in the choice of the passage. */
KH_HIDDEN void kh__snippet_phrases(kh_analyzer *a, const char *text, size_t len,
                                   const kh_snippet_opts *opts,
                                   const kh_qnode *const *phrases,
                                   size_t n_phrases, kh_buf *out,
                                   kh_status *rc);

#endif /* KH_QUERY_H */
