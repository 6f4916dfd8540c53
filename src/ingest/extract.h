/*
 * extract.h -- private interfaces between the parts of the HTML article
 * extractor (extract.c says which file does what): the page flattened
 * into elements and text blocks (dom.c), the metadata read on the way
 * (extract_meta.c), the article finder (extract_score.c), the body
 * (extract_body.c), the raw-text stripper (extract_prep.c) and the site
 * furniture model (sitemodel.c).
 *
 * The extractor keeps no pointer into the page tree past one
 * kh_extract_html() call; everything handed to the caller is copied with
 * kh_malloc().  libxml2's parser and jansson allocate through their own
 * allocators, outside kh_malloc's failure injection.
 */
#ifndef KH_EXTRACT_INT_H
#define KH_EXTRACT_INT_H

#include "ingest/ingest.h"

/**************************************************************************
** Interface to code in dom.c and dom_text.c
*/

/* Element kinds the extractor tells apart; everything else is a generic
 * block (KH_TAG_OTHER) or, when listed as inline, part of the text
 * around it. */
typedef enum kh_tag {
    KH_TAG_OTHER = 0,
    KH_TAG_INLINE, /* a, span, b, em, ...: text flows through */
    KH_TAG_A,
    KH_TAG_BR,
    KH_TAG_SKIP, /* script, style, svg, ...: never text */
    KH_TAG_HTML,
    KH_TAG_HEAD,
    KH_TAG_BODY,
    KH_TAG_TITLE,
    KH_TAG_META,
    KH_TAG_LINK,
    KH_TAG_SCRIPT,
    KH_TAG_P,
    KH_TAG_DIV,
    KH_TAG_H1,
    KH_TAG_H2, /* h2..h6 */
    KH_TAG_LI,
    KH_TAG_LIST, /* ul, ol, dl */
    KH_TAG_TD,   /* td, th */
    KH_TAG_TABLE,
    KH_TAG_PRE,
    KH_TAG_BLOCKQUOTE,
    KH_TAG_ARTICLE,
    KH_TAG_MAIN,
    KH_TAG_SECTION,
    KH_TAG_HEADER,
    KH_TAG_FOOTER,
    KH_TAG_NAV,
    KH_TAG_ASIDE,
    KH_TAG_FORM,
    KH_TAG_FIGURE,
    KH_TAG_FIGCAPTION,
    KH_TAG_ADDRESS,
    KH_TAG_TIME
} kh_tag;

/* Furniture levels told by markup alone (tag, class, id, role). */
enum {
    KH_JUNK_NONE = 0,
    KH_JUNK_WEAK = 1,   /* header, sidebar, ...: unless it holds the text */
    KH_JUNK_STRONG = 2, /* share, comments, related, ...: nearly always */
};

/* Hints from class, id and itemprop. */
enum {
    KH_HINT_CONTENT = 1, /* article-body, post-content, itemprop=articleBody */
    KH_HINT_BYLINE = 2,  /* byline, author */
};

/* The kind of an element name (lower case); KH_TAG_OTHER for NULL. */
KH_HIDDEN kh_tag kh__tag_of(const char *name);

typedef struct kh_xelem {
    const kh_hnode *node;
    int32_t parent;   /* index of the parent element, -1 for the root */
    uint32_t end;     /* one past the last element of the subtree */
    uint8_t tag;      /* kh_tag */
    uint8_t junk;     /* KH_JUNK_* by markup */
    uint8_t eff_junk; /* after the share-of-text check, inherited */
    uint8_t hint;     /* KH_HINT_* */
    double score;     /* sum of the values of the blocks inside */
    uint32_t chars;   /* weighted characters of text inside */
    uint32_t good;    /* characters of the likely prose inside */
    uint32_t n_prose; /* prose blocks inside */
    uint32_t prose;   /* characters of prose inside, furniture left out */
} kh_xelem;

enum {
    KH_XB_HEADING = 1,   /* in h1..h6 */
    KH_XB_FURNITURE = 2, /* seen on most pages of the site */
    KH_XB_LIST = 4,      /* in li */
    KH_XB_JUNK = 8,      /* under a junk element */
    KH_XB_PRE = 16,
    KH_XB_URL = 32,  /* a bare URL */
    KH_XB_CARD = 64, /* in a card: a linked headline and its summary */
};

typedef struct kh_xblock {
    uint32_t elem;       /* the element whose own text this is */
    uint32_t start, len; /* bytes in kh_xpage.text */
    uint32_t chars;      /* weighted characters (CJK count double) */
    uint32_t link_chars; /* of them, inside <a href> */
    uint32_t lead_link;  /* link characters before any other text */
    uint16_t punct;      /* commas and sentence ends */
    uint16_t words;      /* words (65535 for scripts without spaces) */
    uint8_t tag;         /* kh_tag of elem */
    uint8_t flags;       /* KH_XB_* */
    uint64_t hash;       /* of the text, digits left out: furniture key */
    double value;        /* what the block adds to its ancestors */
} kh_xblock;

/* Metadata met on the way (all kh_malloc'd, NULL when absent). */
typedef struct kh_xmeta {
    char *og_title, *tw_title, *html_title, *ld_headline, *h1;
    char *og_site, *ld_publisher, *app_name;
    char *ld_author, *meta_author, *rel_author, *byline;
    char *canonical, *og_url;
    char *html_lang, *meta_lang, *og_locale;
    int n_h1;
} kh_xmeta;

typedef struct kh_xpage {
    const kh_htree *tree;
    kh_xelem *elems;
    size_t n_elems, cap_elems;
    kh_xblock *blocks;
    size_t n_blocks, cap_blocks;
    kh_buf text; /* block texts, whitespace collapsed */
    kh_xmeta meta;
    kh_status rc; /* sticky: the first allocation failure */
    /* walk state */
    size_t cur_start;  /* where the open block's text begins */
    uint32_t cur_link; /* link characters of the open block */
    uint32_t cur_lead; /* of them, before any text outside links */
    int cur_plain;     /* text outside links seen in the open block */
    int pending_space;
    int in_link;
    int in_heading, in_list, in_pre;
    int in_junk; /* inside elements marked as strong furniture */
    unsigned depth;
} kh_xpage;

/* Flattens doc into page->elems and page->blocks (document order; the
 * subtree of element i is [i, elems[i].end)) and fills page->meta.
 * Sticky errors in page->rc. */
KH_HIDDEN void kh__xpage_build(kh_xpage *page, const kh_htree *tree);
KH_HIDDEN void kh__xpage_release(kh_xpage *page);

/* Weighted character count of UTF-8 text and whether a code point is an
 * Arabic-script letter. */
KH_HIDDEN uint32_t kh__utf8_weight(const char *s, size_t n);
KH_HIDDEN uint32_t kh__utf8_next(const char *s, size_t n, size_t *i);

/* Appends s[0..n) to b with runs of white space (Unicode spaces included)
 * made one space and the ends trimmed as far as *pending allows. */
KH_HIDDEN void kh__collapse_ws(kh_buf *b, const char *s, size_t n, int *pending,
                               kh_status *rc);

/* A kh_malloc'd copy of s with white space collapsed and trimmed; NULL
 * when s is NULL, empty after trimming, or on allocation failure (then
 * *rc is set). */
KH_HIDDEN char *kh__clean_dup(const char *s, kh_status *rc);

/* Text content of a node, white space collapsed, kh_malloc'd (or NULL). */
KH_HIDDEN char *kh__node_text(const kh_hnode *node, kh_status *rc);

/* 64-bit FNV-1a of text with white space, digits and punctuation left
 * out and ASCII folded: the key of a furniture block. */
KH_HIDDEN uint64_t kh__text_hash(const char *s, size_t n);

/**************************************************************************
** Interface to code in extract_score.c
*/

/* Scores the blocks and elements of page (setting block values and
 * furniture flags) and returns the index of the element holding the
 * article, or -1 when nothing looks like one. */
KH_HIDDEN int32_t kh__find_article(kh_xpage *page);
/* Whether a block reads as a paragraph of prose. */
KH_HIDDEN int kh__is_prose(const kh_xblock *b);

/**************************************************************************
** Interface to code in extract_body.c
*/

/* The body text of the article element best (may be -1: an empty body),
 * kh_malloc'd; a block equal to title (may be NULL) is left out.  NULL
 * with *rc set on allocation failure. */
KH_HIDDEN char *kh__assemble_body(kh_xpage *page, int32_t best,
                                  const char *title, kh_status *rc);

/**************************************************************************
** Interface to code in extract_meta.c
*/

/* Called by the walk for meta, link, title, JSON-LD script and h1
 * elements. */
KH_HIDDEN void kh__meta_element(kh_xpage *page, const kh_hnode *node,
                                kh_tag tag);
KH_HIDDEN void kh__meta_release(kh_xmeta *m);

/* Fills title, author, url and source of out from page->meta; url is
 * where the page was fetched (may be NULL). */
KH_HIDDEN void kh__meta_finish(kh_xpage *page, const char *url, kh_page *out,
                               kh_status *rc);
/* The language: the markup's, else (or when the markup names a language
 * of another script) told from the letters of text; kh_malloc'd or
 * NULL. */
KH_HIDDEN char *kh__meta_lang(kh_xpage *page, const char *text, kh_status *rc);

/* The host of an absolute http(s) URL, lower-cased, "www." dropped;
 * kh_malloc'd, NULL when there is none. */
KH_HIDDEN char *kh__url_host(const char *url, kh_status *rc);

/**************************************************************************
** Interface to code in extract_prep.c
*/

/* Empties the <script> (all but JSON-LD) and <style> elements of the
 * UTF-8 page s[0..len) and drops its comments, in place; returns the new
 * length. */
KH_HIDDEN size_t kh__strip_raw_text(char *s, size_t len);
/* The same, also stashing in tree (from kh__htree_new()) what the parser
 * would copy unchanged, tokens in its place; then parse the result with
 * kh__htree_fill(tree, s, new length). */
KH_HIDDEN size_t kh__prep_page(char *s, size_t len, kh_htree *tree);

/**************************************************************************
** Interface to code in sitemodel.c
*/

typedef struct kh_site kh_site;

/* The model of one host, created (possibly forgetting the least recently
 * used host) when new; NULL on allocation failure. */
KH_HIDDEN kh_site *kh__sitemodel_site(kh_sitemodel *m, const char *host);
/* Nonzero when a block with this hash is furniture of the site. */
KH_HIDDEN int kh__site_furniture(const kh_site *s, uint64_t hash);
/* Records the blocks of the page whose URL hashes to page (hashes may
 * repeat; each counts once; a page already recorded is skipped). */
KH_HIDDEN void kh__site_learn(kh_site *s, uint64_t page, uint64_t *hashes,
                              size_t n);

#endif /* KH_EXTRACT_INT_H */
