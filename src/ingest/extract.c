/*
 * extract.c -- kh_extract_html(): the article of one HTML page.
 *
 * The steps, one file each:
 *   kh_to_utf8 (charset.c)      the bytes to UTF-8;
 *   extract_prep.c              script and style bodies emptied, what
 *                               the parser would copy unchanged stashed;
 *   htree.c                     a tree, however broken the markup
 *                               (libxml2's HTML parser underneath);
 *   dom.c                       the tree flattened into text blocks;
 *   sitemodel.c                 blocks seen on most pages of the host;
 *   extract_score.c             the element holding the article;
 *   extract_body.c              its text;
 *   extract_meta.c              title, author, URL, source, language;
 *   kh__page_date (pagedate.c)  the publication date.
 * This file ties them together, checks the input and owns the result.
 *
 * Input that is not a page (empty, binary, gzip, text without markup,
 * over 50 MB) is refused with KH_EINVAL; a page without an article gives
 * an empty body.
 */
#include "ingest/extract.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KH_EXTRACT_MAX_BYTES (50u * 1024 * 1024)

void
kh_page_free(kh_page *p)
{
    if (p == NULL)
        return;
    kh_free(p->title);
    kh_free(p->body);
    kh_free(p->author);
    kh_free(p->url);
    kh_free(p->source);
    kh_free(p->lang);
    kh_free(p);
}

#ifdef KH_EXTRACT_DEBUG
/* A tuning aid: built with -DKH_EXTRACT_DEBUG and run with KH_XDEBUG set,
 * the extractor prints every block with its value (marked '*' when in the
 * chosen element) and the chosen element's ancestry to stderr. */
#include <stdlib.h>
static void
debug_dump(const kh_xpage *pg, int32_t best)
{
    if (getenv("KH_XDEBUG") == NULL)
        return;
    for (size_t i = 0; i < pg->n_blocks; i++) {
        const kh_xblock *b = &pg->blocks[i];
        const kh_xelem *e = &pg->elems[b->elem];
        int in = best >= 0 && b->elem >= (uint32_t)best &&
                 b->elem < pg->elems[best].end;
        fprintf(stderr, "%c e%u<%s> j%d f%x c%u l%u v%.0f | %.70s\n",
                in ? '*' : ' ', b->elem, e->node->name, e->eff_junk, b->flags,
                b->chars, b->link_chars, b->value, pg->text.data + b->start);
    }
    if (best >= 0) {
        const kh_xelem *e = &pg->elems[best];
        const char *c = kh__hattr(e->node, "class");
        fprintf(stderr, "best e%d <%s class=%s> score %.0f\n", best,
                e->node->name, c ? c : "", e->score);
        for (int32_t p = e->parent; p >= 0; p = pg->elems[p].parent) {
            c = kh__hattr(pg->elems[p].node, "class");
            fprintf(stderr, "  up e%d <%s class=%s> score %.0f junk %d\n", p,
                    pg->elems[p].node->name, c ? c : "", pg->elems[p].score,
                    pg->elems[p].junk);
        }
    }
}
#endif

/* ---- The site model -------------------------------------------------- */

static void
apply_sites(kh_xpage *pg, kh_sitemodel *model, const char *url,
            const char *page_url, int learn, kh_status *rc)
{
    if (model == NULL || url == NULL || *rc != KH_OK)
        return;
    char *host = kh__url_host(url, rc);
    kh_site *site = kh__sitemodel_site(model, host);
    kh_free(host);
    if (site == NULL)
        return;
    if (!learn) {
        for (size_t i = 0; i < pg->n_blocks; i++)
            if (kh__site_furniture(site, pg->blocks[i].hash))
                pg->blocks[i].flags |= KH_XB_FURNITURE;
        return;
    }
    uint64_t *h = kh_malloc((pg->n_blocks + 1) * sizeof *h);
    if (h == NULL) {
        *rc = KH_ENOMEM;
        return;
    }
    for (size_t i = 0; i < pg->n_blocks; i++)
        h[i] = pg->blocks[i].hash;
    const char *key = page_url != NULL ? page_url : url;
    uint64_t page = 14695981039346656037ULL;
    for (const char *c = key; *c; c++)
        page = (page ^ (unsigned char)*c) * 1099511628211ULL;
    kh__site_learn(site, page, h, pg->n_blocks);
    kh_free(h);
}

/* ---- The entry point ------------------------------------------------- */

static kh_status
check_input(const char *html, size_t len, kh_error *err)
{
    if (len == 0) {
        kh__set_error(err, "empty input: not an HTML page");
        return KH_EINVAL;
    }
    if (len > KH_EXTRACT_MAX_BYTES) {
        kh__set_error(err, "page too large: %zu bytes (the limit is 50 MB)",
                      len);
        return KH_EINVAL;
    }
    const unsigned char *u = (const unsigned char *)html;
    if (len >= 2 && u[0] == 0x1f && u[1] == 0x8b) {
        kh__set_error(err, "gzip-compressed input: decompress the page first");
        return KH_EINVAL;
    }
    return KH_OK;
}

/* After conversion: text with NULs or no markup at all is not a page. */
static kh_status
check_utf8(const char *s, size_t len, kh_error *err)
{
    size_t head = len < 4096 ? len : 4096;
    size_t ctrl = 0;
    for (size_t i = 0; i < head; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0) {
            kh__set_error(err,
                          "binary data (NUL byte at offset %zu): not an "
                          "HTML page",
                          i);
            if (err != NULL) {
                err->offset = i;
                err->has_offset = 1;
            }
            return KH_EINVAL;
        }
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
            ctrl++;
    }
    if (ctrl * 10 > head) {
        kh__set_error(err,
                      "binary data (control characters): not an HTML page");
        return KH_EINVAL;
    }
    size_t look = len < 65536 ? len : 65536;
    const char *lt = memchr(s, '<', look);
    if (lt == NULL || lt + 1 >= s + len ||
        !(((lt[1] | 0x20) >= 'a' && (lt[1] | 0x20) <= 'z') || lt[1] == '!' ||
          lt[1] == '?')) {
        kh__set_error(err, "no HTML markup in the input: not an HTML page");
        return KH_EINVAL;
    }
    return KH_OK;
}

kh_status
kh_extract_html(const char *html, size_t len, const kh_extract_options *opts,
                kh_page **out, kh_error *err)
{
    if (out == NULL || (html == NULL && len > 0)) {
        kh__set_error(err, "kh_extract_html: NULL argument");
        return KH_EINVAL;
    }
    *out = NULL;
    kh_status rc = check_input(html, len, err);
    if (rc != KH_OK)
        return rc;
    const char *url = opts != NULL ? opts->url : NULL;
    char *utf8 = NULL;
    size_t ulen = 0;
    rc = kh_to_utf8(html, len, opts != NULL ? opts->charset : NULL, &utf8,
                    &ulen, NULL, err);
    if (rc != KH_OK)
        return rc;
    rc = check_utf8(utf8, ulen, err);
    if (rc != KH_OK) {
        kh_free(utf8);
        return rc;
    }
    kh_htree *doc = kh__htree_new();
    if (doc == NULL)
        rc = KH_ENOMEM;
    else {
        ulen = kh__prep_page(utf8, ulen, doc);
        utf8[ulen] = '\0';
        rc = kh__htree_fill(doc, utf8, ulen);
    }
    kh_free(utf8);
    if (rc != KH_OK) {
        kh__htree_free(doc);
        kh__set_error(err, "%s", kh_strerror(rc));
        return rc;
    }
    /* A document the parser makes nothing of ("<!DOCTYPE html>", a lone
     * comment) is a page without an article, not an error. */
    kh_xpage pg;
    memset(&pg, 0, sizeof pg);
    kh__buf_init(&pg.text);
    kh__xpage_build(&pg, doc);
    rc = pg.rc;
    kh_page *p = kh_malloc(sizeof *p);
    if (p == NULL)
        rc = KH_ENOMEM;
    else {
        memset(p, 0, sizeof *p);
        p->date = KH_DATE_NONE;
    }
    kh_sitemodel *model = opts != NULL ? opts->sites : NULL;
    apply_sites(&pg, model, url, NULL, 0, &rc);
    if (rc == KH_OK) {
        int32_t best = kh__find_article(&pg);
#ifdef KH_EXTRACT_DEBUG
        debug_dump(&pg, best);
#endif
        /* The title first (the body drops a line repeating it). */
        kh__meta_finish(&pg, url, p, &rc);
        p->body = kh__assemble_body(&pg, best, p->title, &rc);
        if (rc == KH_OK)
            p->lang = kh__meta_lang(
                &pg, p->body != NULL && p->body[0] ? p->body : p->title, &rc);
        int64_t d;
        if (rc == KH_OK && kh__page_date(doc, url != NULL ? url : p->url, &d))
            p->date = d;
    }
    apply_sites(&pg, model, url, p != NULL ? p->url : NULL, 1, &rc);
    kh__xpage_release(&pg);
    kh__htree_free(doc);
    if (rc != KH_OK) {
        kh_page_free(p);
        kh__set_error(err, "%s", kh_strerror(rc));
        return rc;
    }
    *out = p;
    return KH_OK;
}
