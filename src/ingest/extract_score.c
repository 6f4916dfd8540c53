/*
 * extract_score.c -- where the article is: every text block gets a value
 * and every element the sum of the values inside it; the best element is
 * the article.
 *
 *  - Prose (long enough, few links) adds its characters not in links;
 *    link lists, teasers (a block opening with a long link: another
 *    article's headline and summary) and blocks under furniture subtract
 *    theirs; short lines cost a little.
 *  - Furniture is told by markup (nav, footer, class "share", "related",
 *    "comments", ...: dom.c), by the site model (sitemodel.c) and by
 *    cards: boxes of a linked headline and a line of summary, two or
 *    more on the page.  Markup only counts when the element does not hold
 *    most of the page's prose (a "sidebar" class on the wrapper of
 *    everything, an ASP.NET <form> around the page).
 *  - The best element is a maximum subtree: it takes in every paragraph
 *    and subheading of the story and stops where furniture costs more
 *    than the prose it would add.  It then climbs while its parent holds
 *    much more clean prose (furniture inside the story can make one
 *    paragraph outscore the story).
 *  - When the best is weak (a poem, a dialogue, a page of short lines)
 *    the short lines are counted and the choice made again.
 *
 * No rule names a site or a language; thresholds are in characters, with
 * scripts written without spaces counted double (dom.c).
 */
#include "ingest/extract.h"

/* Below this score the article is a paragraph or two at most: try again
 * with short lines counted. */
#define KH_WEAK_SCORE 150

/* A block that opens with a long link is the headline and summary of
 * another article (a teaser), not a paragraph of this one. */
static int
is_teaser(const kh_xblock *b)
{
    return b->lead_link >= 25 && b->lead_link * 100 >= b->chars * 15;
}

int
kh__is_prose(const kh_xblock *b)
{
    if (is_teaser(b))
        return 0;
    if (b->flags & KH_XB_URL)
        return 0;
    if ((b->flags & KH_XB_HEADING) && (b->chars < 120 || b->punct < 2))
        return 0; /* a heading, unless it is a paragraph set large */
    if (b->link_chars * 2 > b->chars)
        return 0;
    return b->chars >= 80 || (b->chars >= 25 && b->punct > 0 && b->words >= 5);
}

/* A headline that is all link, alone in a small box with a line or two
 * of summary, is a card of a list of other articles ("More from ...")
 * when the page has two or more such boxes; subheadings of a story are
 * not links, and a post under a linked title (a blog's permalink) is
 * told apart by holding most of the page's prose. */
static int32_t
card_of(const kh_xpage *pg, const kh_xblock *h)
{
    const kh_xelem *el = pg->elems;
    if (!(h->flags & KH_XB_HEADING) || h->chars < 15 ||
        h->link_chars * 10 < h->chars * 9)
        return -1;
    int32_t card = el[h->elem].parent;
    if (card < 0 || el[card].n_prose > 2 || el[card].chars > h->chars + 600)
        return -1;
    return card;
}

static void
mark_cards(kh_xpage *pg)
{
    kh_xelem *el = pg->elems;
    uint32_t total = pg->n_elems > 0 ? el[0].good : 0;
    size_t n_cards = 0;
    int32_t prev = -1;
    for (size_t i = 0; i < pg->n_blocks; i++) {
        int32_t card = card_of(pg, &pg->blocks[i]);
        if (card >= 0 && card != prev && el[card].good * 2 <= total) {
            n_cards++;
            prev = card;
        }
    }
    if (n_cards < 2)
        return;
    for (size_t i = 0; i < pg->n_blocks; i++) {
        int32_t card = card_of(pg, &pg->blocks[i]);
        if (card < 0 || el[card].good * 2 > total)
            continue;
        /* the blocks of a subtree are contiguous and include block i */
        uint32_t lo = (uint32_t)card, hi = el[card].end;
        size_t k = i;
        while (k > 0 && pg->blocks[k - 1].elem >= lo &&
               pg->blocks[k - 1].elem < hi &&
               !(pg->blocks[k - 1].flags & KH_XB_CARD))
            k--;
        for (; k < pg->n_blocks && pg->blocks[k].elem >= lo &&
               pg->blocks[k].elem < hi;
             k++)
            pg->blocks[k].flags |= KH_XB_CARD;
    }
}

/* Gives every block its value and every element the sum of those inside.
 * Short lines cost a little, so that the article does not grow into the
 * page around it; lenient makes them count (a poem, a dialogue, a page
 * of short lines), for pages where the strict choice found little. */
static void
value_blocks(kh_xpage *pg, int lenient)
{
    kh_xelem *el = pg->elems;
    for (size_t i = 0; i < pg->n_elems; i++) {
        el[i].score = 0;
        el[i].prose = 0;
    }
    for (size_t i = 0; i < pg->n_blocks; i++) {
        kh_xblock *b = &pg->blocks[i];
        double v;
        if (b->flags & (KH_XB_JUNK | KH_XB_FURNITURE | KH_XB_URL | KH_XB_CARD))
            v = -(double)b->chars;
        else if (b->link_chars * 2 > b->chars || is_teaser(b))
            v = -(double)b->link_chars;
        else if (kh__is_prose(b))
            v = (double)b->chars - 1.5 * b->link_chars;
        else if (b->flags & KH_XB_HEADING)
            v = 0;
        else if (lenient)
            v = (double)b->chars - 2.0 * b->link_chars;
        else
            v = -3;
        b->value = v;
        uint32_t prose =
            !(b->flags & (KH_XB_JUNK | KH_XB_FURNITURE | KH_XB_CARD)) &&
                    kh__is_prose(b)
                ? b->chars - b->link_chars
                : 0;
        el[b->elem].score += v;
        el[b->elem].prose += prose;
    }
    /* Children come after their parents: one backward pass sums the
     * subtrees. */
    for (size_t i = pg->n_elems; i-- > 1;) {
        int32_t up = el[i].parent;
        el[up].score += el[i].score;
        el[up].prose += el[i].prose;
    }
}

static void
score_blocks(kh_xpage *pg)
{
    kh_xelem *el = pg->elems;
    /* Prose under every element, to judge the furniture markup. */
    for (size_t i = 0; i < pg->n_blocks; i++) {
        kh_xblock *b = &pg->blocks[i];
        uint32_t good = kh__is_prose(b) ? b->chars - b->link_chars : 0;
        el[b->elem].good += good;
        el[b->elem].chars += b->chars;
        el[b->elem].n_prose += good > 0;
    }
    for (size_t i = pg->n_elems; i-- > 1;) {
        int32_t up = el[i].parent;
        el[up].good += el[i].good;
        el[up].chars += el[i].chars;
        el[up].n_prose += el[i].n_prose;
    }
    double total = pg->n_elems > 0 ? el[0].good : 0;
    for (size_t i = 0; i < pg->n_elems; i++) {
        uint8_t own = el[i].junk;
        /* A wrapper of most of the prose is not furniture whatever its
         * class says ("has-sidebar", an ASP.NET <form> around the page);
         * one long footer blurb beside a short story does not make it. */
        if (own == KH_JUNK_WEAK &&
            (el[i].good > 0.8 * total ||
             (el[i].good > 0.5 * total && el[i].n_prose >= 3)))
            own = KH_JUNK_NONE;
        else if (own == KH_JUNK_STRONG && el[i].good > 0.75 * total)
            own = KH_JUNK_NONE;
        uint8_t up = el[i].parent >= 0 ? el[el[i].parent].eff_junk : 0;
        if ((el[i].hint & KH_HINT_CONTENT) && up == KH_JUNK_WEAK)
            up = KH_JUNK_NONE; /* itemprop=articleBody in a "column" */
        el[i].eff_junk = own > up ? own : up;
    }
    mark_cards(pg);
    for (size_t i = 0; i < pg->n_blocks; i++)
        if (el[pg->blocks[i].elem].eff_junk != KH_JUNK_NONE)
            pg->blocks[i].flags |= KH_XB_JUNK;
    value_blocks(pg, 0);
}
/* The element of the article: the best score, the deepest among equals;
 * then up while the parent holds much more clean prose (furniture inside
 * the story, a related box or a comment form, can make one paragraph
 * outscore the story it sits in). */
static int32_t
best_element(const kh_xpage *pg)
{
    int32_t best = -1;
    double bs = 0;
    for (size_t i = 0; i < pg->n_elems; i++) {
        const kh_xelem *e = &pg->elems[i];
        if (e->score <= 0)
            continue;
        if (best < 0 || e->score > bs ||
            (e->score == bs && i < pg->elems[best].end)) {
            best = (int32_t)i;
            bs = e->score;
        }
    }
    while (best >= 0) {
        int32_t up = pg->elems[best].parent;
        if (up < 0 || pg->elems[up].eff_junk != KH_JUNK_NONE ||
            pg->elems[best].prose * 10 >= pg->elems[up].prose * 6)
            break;
        best = up;
    }
    return best;
}

int32_t
kh__find_article(kh_xpage *pg)
{
    score_blocks(pg);
    int32_t best = best_element(pg);
    if (best < 0 || pg->elems[best].score < KH_WEAK_SCORE) {
        value_blocks(pg, 1);
        int32_t again = best_element(pg);
        if (again >= 0)
            best = again;
    }
    return best;
}
