/*
 * htree.h -- a parsed HTML page as a small read-only tree (htree.c).
 *
 * libxml2's HTML parser does the parsing (tag soup, implied and
 * auto-closed elements, entities); its SAX events build this tree in one
 * arena instead of libxml2's own tree, which costs a malloc per node and
 * per attribute and was half of the extractor's time.  The whole tree is
 * released at once by kh__htree_free().
 *
 * Element and attribute names are lower case (the parser folds them);
 * adjacent text is merged into one text node, so a node's text is
 * everything between two tags.  The contents of <script> and <style> are
 * text nodes too.
 */
#ifndef KH_HTREE_H
#define KH_HTREE_H

#include "kh_int.h"

enum {
    KH_HN_DOCUMENT = 0, /* the root: its children are the top elements */
    KH_HN_ELEMENT = 1,
    KH_HN_TEXT = 2,
};

typedef struct kh_hattr kh_hattr;
struct kh_hattr {
    const char *name;
    const char *value; /* "" for an attribute written without a value */
    kh_hattr *next;
};

typedef struct kh_hnode kh_hnode;
struct kh_hnode {
    kh_hnode *parent, *children, *last, *next;
    const char *name; /* elements only */
    char *text;       /* text nodes only, NUL-terminated */
    uint32_t len;     /* of text */
    kh_hattr *attrs;  /* elements only, in document order */
    uint8_t type;     /* KH_HN_* */
    uint8_t tag;      /* elements: kh_tag of the name (extract.h) */
};

typedef struct kh_htree kh_htree;

/* Parses the UTF-8 page s[0..len) (the page's own charset label is
 * ignored).  Always builds a tree, possibly empty, for any input;
 * *out is NULL only with KH_ENOMEM. */
KH_HIDDEN kh_status kh__htree_parse(const char *s, size_t len, kh_htree **out);
KH_HIDDEN void kh__htree_free(kh_htree *tree);

/* The document node (never NULL for a tree) and its first element, the
 * <html> the parser implies when the page has none (NULL for a page with
 * no element at all). */
KH_HIDDEN const kh_hnode *kh__htree_doc(const kh_htree *tree);
KH_HIDDEN const kh_hnode *kh__htree_root(const kh_htree *tree);

/* The value of attribute name (lower case) of element n, NULL when
 * absent. */
KH_HIDDEN const char *kh__hattr(const kh_hnode *n, const char *name);

#endif /* KH_HTREE_H */
