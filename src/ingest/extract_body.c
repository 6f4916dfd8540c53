/*
 * extract_body.c -- the body of the article element: its text blocks in
 * order, joined by blank lines, without what does not belong.
 *
 * Kept: the blocks of the article element and of those of its siblings
 * that hold prose of their own (a lead set apart, the text after an
 * inline ad).  Left out: furniture and link lists inside the article;
 * short lines at its edges in generic containers (datelines, "Share",
 * caption credits before the first paragraph; tags, "Related", "Follow
 * us" after the last); a short line introducing a list of links ("Read
 * more:"); a first line or heading repeating the title; a line repeated
 * right after itself (a caption shown twice by a slideshow).
 */
#include "ingest/extract.h"

#include <string.h>

static int
same_text(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return 0;
    uint64_t ha = kh__text_hash(a, strlen(a));
    uint64_t hb = kh__text_hash(b, strlen(b));
    return ha == hb;
}

static int
keep_block(const kh_xblock *b)
{
    if (b->flags & (KH_XB_JUNK | KH_XB_FURNITURE | KH_XB_URL | KH_XB_CARD))
        return 0;
    /* mostly links: a menu or a list of headlines, unless long (a
     * digest whose every line links to its source) */
    if (b->link_chars * 2 > b->chars &&
        (b->chars < 150 || b->link_chars * 4 > b->chars * 3))
        return 0;
    return 1;
}

/* A short line that is not prose: a byline, a date, "Share", "Tags:",
 * a "Read more" heading. */
static int
is_minor(const kh_xblock *b)
{
    return !kh__is_prose(b) && b->chars < 80;
}

#define KH_MAX_ROOTS 64

/* The article is the best element and those of its siblings that hold
 * prose of their own: a second text block after an inline ad (a score
 * near the best's), a lead paragraph set apart before the text <div>
 * (one or two paragraphs and nothing else). */
static size_t
article_roots(const kh_xpage *pg, int32_t best, uint32_t *roots)
{
    size_t n = 0;
    roots[n++] = (uint32_t)best;
    int32_t parent = pg->elems[best].parent;
    if (parent < 0)
        return n;
    double bs = pg->elems[best].score;
    double need = bs * 0.2 > 30 ? bs * 0.2 : 30;
    for (uint32_t c = (uint32_t)parent + 1; c < pg->elems[parent].end;
         c = pg->elems[c].end) {
        const kh_xelem *e = &pg->elems[c];
        if (c == (uint32_t)best || e->eff_junk != KH_JUNK_NONE)
            continue;
        if (e->score >= need ||
            (c < (uint32_t)best && e->score > 0 && e->good >= 80 &&
             e->n_prose <= 2 && e->good * 10 >= e->chars * 9)) {
            roots[n++] = c;
            if (n == KH_MAX_ROOTS)
                break;
        }
    }
    return n;
}

static int
in_roots(const kh_xpage *pg, const uint32_t *roots, size_t n, uint32_t elem)
{
    for (size_t i = 0; i < n; i++)
        if (elem >= roots[i] && elem < pg->elems[roots[i]].end)
            return 1;
    return 0;
}

static int
seen_before(const kh_xpage *pg, size_t from, size_t i)
{
    /* only close by: a plan or a recipe may repeat its lines further on */
    for (size_t k = i > from + 4 ? i - 4 : from; k < i; k++)
        if (pg->blocks[k].hash == pg->blocks[i].hash &&
            pg->blocks[k].len == pg->blocks[i].len &&
            memcmp(pg->text.data + pg->blocks[k].start,
                   pg->text.data + pg->blocks[i].start, pg->blocks[i].len) == 0)
            return 1;
    return 0;
}

static int
edge_furniture(const kh_xblock *b, int head)
{
    if (!keep_block(b))
        return 1;
    if (kh__is_prose(b))
        return 0;
    if (head && b->tag == KH_TAG_LI)
        return 1; /* "Source: ...", "Date: ..." as a list */
    switch (b->tag) {
    case KH_TAG_P:
    case KH_TAG_LI:
    case KH_TAG_PRE:
    case KH_TAG_BLOCKQUOTE:
    case KH_TAG_TD:
        return 0;
    default:
        return !(head && (b->flags & KH_XB_HEADING));
    }
}

char *
kh__assemble_body(kh_xpage *pg, int32_t best, const char *title, kh_status *rc)
{
    kh_buf out;
    kh__buf_init(&out);
    kh__buf_reserve(&out, 1, rc);
    if (best < 0 || *rc != KH_OK)
        goto done;
    uint32_t roots[KH_MAX_ROOTS];
    size_t n_roots = article_roots(pg, best, roots);
    /* The blocks of the article, in order. */
    size_t first = pg->n_blocks, last = 0;
    for (size_t i = 0; i < pg->n_blocks; i++) {
        if (in_roots(pg, roots, n_roots, pg->blocks[i].elem)) {
            if (first == pg->n_blocks)
                first = i;
            last = i + 1;
        }
    }
    /* Trim the edges: short lines in generic containers before the first
     * paragraph of prose (datelines, "Share", a caption credit) or after
     * the last (tags, "Related", "Follow us", a newsletter line) are
     * furniture.  Paragraphs and list items stay: an article may open
     * with a one-line paragraph or end with a list; so do subheadings
     * before the first paragraph. */
    size_t lo_b = first, hi_b = last;
    while (lo_b < hi_b && edge_furniture(&pg->blocks[lo_b], 1))
        lo_b++;
    while (hi_b > lo_b && edge_furniture(&pg->blocks[hi_b - 1], 0))
        hi_b--;
    int started = 0;
    for (size_t i = lo_b; i < hi_b; i++) {
        const kh_xblock *b = &pg->blocks[i];
        if (!keep_block(b) || !in_roots(pg, roots, n_roots, b->elem))
            continue;
        const char *s = pg->text.data + b->start;
        if (!started && title != NULL && same_text(s, title))
            continue;
        if ((b->flags & KH_XB_HEADING) && same_text(s, title))
            continue;
        if (b->chars >= 40 && seen_before(pg, lo_b, i))
            continue; /* a caption or a pull quote shown twice */
        /* "Read more:", "See also" before a list of links */
        if (is_minor(b) && i + 1 < hi_b && !keep_block(&pg->blocks[i + 1]) &&
            pg->blocks[i + 1].link_chars * 2 > pg->blocks[i + 1].chars)
            continue;
        if (started)
            kh__buf_puts(&out, "\n\n", rc);
        kh__buf_append(&out, s, b->len, rc);
        started = 1;
    }
done:
    if (*rc != KH_OK) {
        kh__buf_release(&out);
        return NULL;
    }
    return kh__buf_detach(&out, NULL, rc);
}
