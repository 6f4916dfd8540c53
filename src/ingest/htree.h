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

/* The same in two steps, for the pre-pass (extract_prep.c), which can
 * take pieces of the page out before parsing and stash them in the
 * tree: kh__htree_new() (NULL on allocation failure), the pre-pass,
 * then kh__htree_fill() with what is left of the page (once). */
KH_HIDDEN kh_htree *kh__htree_new(void);
KH_HIDDEN kh_status kh__htree_fill(kh_htree *tree, const char *s, size_t len);

/* Stashed pieces.  libxml2's parser goes through text and attribute
 * values a character at a time, at some hundred instructions each; the
 * pre-pass hands it a token instead of a piece whose parse it can tell
 * in advance, and the tree builder puts the piece back:
 *   - text (between tags, or a script's contents) that the parser would
 *     pass on unchanged becomes KH_TOKEN_TEXT and the index in decimal;
 *   - the attributes of a start tag that the parser would read as the
 *     pre-pass did become one attribute, KH_TOKEN_ATTR "=\x01" and the
 *     index: the stash holds their list, built by the pre-pass.
 * The pre-pass makes tokens only in pages without U+E000 or \x01 of
 * their own, so that nothing else can look like one. */
#define KH_TOKEN_TEXT "\xEE\x80\x80" /* U+E000, a private-use character */
#define KH_TOKEN_ATTR "kh"
enum { KH_STASH_TEXT = 1, KH_STASH_ATTRS = 2 };

/* n bytes from the tree's arena (NULL on allocation failure). */
KH_HIDDEN void *kh__htree_alloc(kh_htree *tree, size_t n);
/* Files p (a NUL-terminated text of len bytes from the arena, or the
 * first kh_hattr of a list) under the next index, which is returned; -1
 * on allocation failure. */
KH_HIDDEN long kh__htree_stash(kh_htree *tree, int kind, void *p, uint32_t len);
/* The index the next stash gets. */
KH_HIDDEN size_t kh__htree_stashed(const kh_htree *tree);

/* The JSON value of the text node text (a JSON-LD script's text), parsed
 * once for the tree however many read it (extract_meta.c, pagedate.c);
 * NULL when it is not JSON.  Read only; when the tree keeps no more
 * (*mine set), the caller json_decref()s it. */
struct json_t;
KH_HIDDEN struct json_t *kh__htree_json(const kh_htree *tree,
                                        const kh_hnode *text, int *mine);

/* The document node (never NULL for a tree) and its first element, the
 * <html> the parser implies when the page has none (NULL for a page with
 * no element at all). */
KH_HIDDEN const kh_hnode *kh__htree_doc(const kh_htree *tree);
KH_HIDDEN const kh_hnode *kh__htree_root(const kh_htree *tree);

/* The value of attribute name (lower case) of element n, NULL when
 * absent. */
KH_HIDDEN const char *kh__hattr(const kh_hnode *n, const char *name);

#endif /* KH_HTREE_H */
