/*
 * snippet.c -- the highlighted passage shown under a search result.
 *
 * Given an article and the analyzed query terms, picks the stretch of text
 * that holds the most distinct terms within a byte budget, widens it to
 * use the budget, and writes it with every matching token wrapped in the
 * caller's markers.  See kh__snippet() in query.h.
 *
 * The passage is cut only at token boundaries taken from the analyzer, and
 * a highlight covers exactly one token's span, so neither ever falls inside
 * a word, between a letter and its harakat, or inside a UTF-8 sequence.
 * This module must not rank documents or read the index: it sees one text
 * and a list of terms.  It must not modify the text or keep pointers into
 * it after returning.
 *
 * Steps, each linear in the text: tokenize once into an array of spans,
 * noting which spans match a term; slide a window over the matches (two
 * pointers) to find the best one; grow it token by token on the side with
 * less context; write it out, with "…" against the passage (no space)
 * where text is left out.
 *
 * A phrase's words are not terms of their own: a reader who asked for
 * "ولي العهد" wants that phrase marked, not every ولي, and كوفيد-19 should
 * not mark the 19 of COVID-19.  Tokens that may belong to a phrase are
 * noted with their positions as they come; an occurrence is where the
 * phrase's words (by stem, stop words skipped as the index skips them)
 * stand at the query's distances, and it is written as one mark from its
 * first word to its last.
 */
#include "query/query.h"

/* For kh__utf8_decode: what the tokenizer calls invalid UTF-8 is exactly
 * what is replaced here, so a token's bytes are never half-replaced. */
#include "text/text.h"

#include <string.h>

#define ELLIPSIS    "\xE2\x80\xA6" /* U+2026 */
#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* One token span of the text.  Tokens that share bytes (the several words
 * of a ligature such as U+FDFA) are merged into one span, so spans are
 * disjoint and in text order. */
typedef struct span {
    size_t start, end; /* byte range in the text */
    bool matched;      /* some token of the span is a query term, or the
                          span is inside a phrase's occurrence */
    bool join;         /* matched, and its mark goes on into the next span
                          (inside one occurrence of a phrase) */
} span;

typedef struct match {
    size_t span;   /* index into the spans */
    uint32_t term; /* which query term, for counting distinct ones */
} match;

/* A query term in the open-addressing table; s == NULL marks an empty slot.
 * Stems and normalized forms share the table but never match crosswise: a
 * stem is compared with a token's stem only, a norm with its norm only. */
typedef struct term_slot {
    const char *s;
    size_t len;
    uint32_t hash;
    uint32_t id; /* stems: their index; norms: n_stems + their index */
    bool is_stem;
} term_slot;

/* A word of a phrase: its stem, and its distance in positions from the
 * phrase's first word (stop words are skipped, as the index skips them,
 * but count in the distances). */
typedef struct phrase_word {
    const char *stem;
    size_t len;
    uint32_t phrase; /* index into the phrases */
    uint32_t k;      /* which word of the phrase, from 0 */
    uint32_t offset;
} phrase_word;

/* A token that is a word of a phrase. */
typedef struct phrase_hit {
    uint32_t pos;  /* the token's position */
    size_t span;   /* its span */
    uint32_t word; /* index into the phrase words */
} phrase_hit;

typedef struct snip {
    const char *text;
    size_t len;
    term_slot *terms; /* table of terms_cap slots, or NULL with no terms */
    size_t terms_cap; /* power of two */
    uint32_t n_ids;   /* term ids are below this; phrase p's id is
                         n_term_ids + p */
    uint32_t n_term_ids;
    span *spans;
    size_t n_spans, spans_cap;
    match *matches;
    size_t n_matches, matches_cap;
    phrase_word *words; /* the words of every phrase, phrase by phrase */
    size_t n_words;
    uint32_t *phrase_len; /* words of each phrase */
    size_t n_phrases;
    phrase_hit *hits; /* in text order */
    size_t n_hits, hits_cap;
} snip;

/* Grows *p (elements of size elem) so that index need - 1 is valid. */
static void
grow(void **p, size_t *cap, size_t need, size_t elem, kh_status *rc)
{
    if (*rc != KH_OK || need <= *cap)
        return;
    size_t n = *cap < 64 ? 64 : *cap;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / elem) {
        *rc = KH_ENOMEM;
        return;
    }
    void *q = kh_realloc(*p, n * elem);
    if (q == NULL) {
        *rc = KH_ENOMEM;
        return;
    }
    *p = q;
    *cap = n;
}

static term_slot *
term_find(const snip *s, const char *str, size_t len, uint32_t h, bool is_stem)
{
    size_t mask = s->terms_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        term_slot *t = &s->terms[i];
        if (t->s == NULL || (t->hash == h && t->is_stem == is_stem &&
                             t->len == len && memcmp(t->s, str, len) == 0))
            return t;
    }
}

static void
term_add(snip *s, const char *str, uint32_t id, bool is_stem)
{
    if (str == NULL || *str == '\0')
        return; /* a token is never empty: it could not match */
    size_t len = strlen(str);
    uint32_t h = kh__hash32(str, len);
    term_slot *t = term_find(s, str, len, h, is_stem);
    if (t->s != NULL)
        return; /* a repeated term keeps the id of its first copy */
    t->s = str;
    t->len = len;
    t->hash = h;
    t->id = id;
    t->is_stem = is_stem;
}

static void
terms_build(snip *s, const kh_snippet_opts *o, kh_status *rc)
{
    size_t n_stems = o->stems != NULL ? o->n_stems : 0;
    size_t n_norms = o->norms != NULL ? o->n_norms : 0;
    if (n_stems + n_norms == 0)
        return;
    if (n_stems > UINT32_MAX / 4 || n_norms > UINT32_MAX / 4) {
        *rc = KH_ENOMEM;
        return;
    }
    size_t cap = 8;
    while (cap < 2 * (n_stems + n_norms))
        cap *= 2;
    s->terms = kh_malloc(cap * sizeof *s->terms);
    if (s->terms == NULL) {
        *rc = KH_ENOMEM;
        return;
    }
    memset(s->terms, 0, cap * sizeof *s->terms);
    s->terms_cap = cap;
    s->n_term_ids = (uint32_t)(n_stems + n_norms);
    for (size_t i = 0; i < n_stems; i++)
        term_add(s, o->stems[i], (uint32_t)i, true);
    for (size_t i = 0; i < n_norms; i++)
        term_add(s, o->norms[i], (uint32_t)(n_stems + i), false);
}

/* The term id of a token, or -1.  The stem is tried first so that
 * الحكومة and بالحكومة, which share a stem, count as one term. */
static int64_t
term_of(const snip *s, const kh_token *t)
{
    if (s->terms == NULL)
        return -1;
    const term_slot *e = term_find(s, t->stem, t->stem_len,
                                   kh__hash32(t->stem, t->stem_len), true);
    if (e->s != NULL)
        return e->id;
    e = term_find(s, t->norm, t->norm_len, kh__hash32(t->norm, t->norm_len),
                  false);
    return e->s != NULL ? (int64_t)e->id : -1;
}

/* The words of the phrases, stop words left out. */
static void
phrases_build(snip *s, const kh_qnode *const *phrases, size_t n, kh_status *rc)
{
    if (*rc != KH_OK || n == 0)
        return;
    size_t total = 0;
    for (size_t p = 0; p < n; p++)
        total += phrases[p]->n_terms;
    if (n > UINT32_MAX / 4 || total > UINT32_MAX / 4) {
        *rc = KH_ENOMEM;
        return;
    }
    s->words = kh_malloc((total + 1) * sizeof *s->words);
    s->phrase_len = kh_malloc(n * sizeof *s->phrase_len);
    if (s->words == NULL || s->phrase_len == NULL) {
        *rc = KH_ENOMEM;
        return;
    }
    s->n_phrases = n;
    for (size_t p = 0; p < n; p++) {
        const kh_qnode *q = phrases[p];
        uint32_t at = 0, base = 0, k = 0;
        for (size_t i = 0; i < q->n_terms; i++) {
            if (i > 0)
                at += q->terms[i].gap;
            const char *stem = q->terms[i].stem;
            if (q->terms[i].stop || stem == NULL || *stem == '\0')
                continue;
            if (k == 0)
                base = at;
            phrase_word *w = &s->words[s->n_words++];
            w->stem = stem;
            w->len = strlen(stem);
            w->phrase = (uint32_t)p;
            w->k = k++;
            w->offset = at - base;
        }
        s->phrase_len[p] = k;
    }
}

/* Notes token t of span sp if it is a word of a phrase. */
static void
phrase_note(snip *s, const kh_token *t, size_t sp, kh_status *rc)
{
    for (size_t i = 0; i < s->n_words && *rc == KH_OK; i++) {
        const phrase_word *w = &s->words[i];
        if (w->len != t->stem_len || memcmp(w->stem, t->stem, w->len) != 0)
            continue;
        grow((void **)&s->hits, &s->hits_cap, s->n_hits + 1, sizeof *s->hits,
             rc);
        if (*rc != KH_OK)
            return;
        s->hits[s->n_hits++] = (phrase_hit){t->position, sp, (uint32_t)i};
    }
}

static void
add_match(snip *s, size_t sp, uint32_t term, kh_status *rc)
{
    grow((void **)&s->matches, &s->matches_cap, s->n_matches + 1,
         sizeof *s->matches, rc);
    if (*rc != KH_OK)
        return;
    s->matches[s->n_matches].span = sp;
    s->matches[s->n_matches].term = term;
    s->n_matches++;
}

static void
collect(snip *s, kh_analyzer *a, kh_status *rc)
{
    kh_analyzer_reset(a, s->text, s->len);
    kh_token t;
    while (*rc == KH_OK && kh_analyzer_next(a, &t)) {
        if (t.start >= t.end || t.end > s->len)
            continue; /* not produced by the analyzer; defensive */
        span *last = s->n_spans > 0 ? &s->spans[s->n_spans - 1] : NULL;
        if (last != NULL && t.start < last->end) {
            if (t.end > last->end)
                last->end = t.end;
        } else {
            grow((void **)&s->spans, &s->spans_cap, s->n_spans + 1,
                 sizeof *s->spans, rc);
            if (*rc != KH_OK)
                return;
            last = &s->spans[s->n_spans++];
            last->start = t.start;
            last->end = t.end;
            last->matched = false;
            last->join = false;
        }
        if (s->n_words > 0)
            phrase_note(s, &t, s->n_spans - 1, rc);
        int64_t id = term_of(s, &t);
        if (id < 0)
            continue;
        last->matched = true;
        add_match(s, s->n_spans - 1, (uint32_t)id, rc);
        if (*rc != KH_OK)
            return;
    }
}

/* Is there a hit of phrase word w at position pos?  Sets *sp to its
 * span.  The hits are in position order. */
static bool
hit_at(const snip *s, uint32_t pos, uint32_t w, size_t *sp)
{
    size_t lo = 0, hi = s->n_hits;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->hits[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < s->n_hits && s->hits[lo].pos == pos; lo++) {
        if (s->hits[lo].word == w) {
            *sp = s->hits[lo].span;
            return true;
        }
    }
    return false;
}

static int
by_span(const void *a, const void *b)
{
    const match *x = a, *y = b;
    if (x->span != y->span)
        return (x->span > y->span) - (x->span < y->span);
    return (x->term > y->term) - (x->term < y->term);
}

/* Finds the phrases' occurrences: each hit of a phrase's first word whose
 * other words stand at their distances from it.  The spans from its first
 * word to its last are marked as one, and count as matches of the phrase
 * for the choice of the passage. */
static void
phrase_occurrences(snip *s, kh_status *rc)
{
    if (s->n_hits == 0 || *rc != KH_OK)
        return;
    size_t before = s->n_matches;
    for (size_t h = 0; h < s->n_hits && *rc == KH_OK; h++) {
        const phrase_word *w0 = &s->words[s->hits[h].word];
        if (w0->k != 0)
            continue;
        uint32_t n = s->phrase_len[w0->phrase];
        size_t first = s->hits[h].span, end = first;
        bool all = true;
        for (uint32_t k = 1; k < n && all; k++) {
            const phrase_word *wk = w0 + k; /* a phrase's words are adjacent */
            size_t sp;
            all = s->hits[h].pos <= UINT32_MAX - wk->offset &&
                  hit_at(s, s->hits[h].pos + wk->offset,
                         (uint32_t)(wk - s->words), &sp);
            if (all && sp > end)
                end = sp;
        }
        if (!all)
            continue;
        for (size_t sp = first; sp <= end && *rc == KH_OK; sp++) {
            s->spans[sp].matched = true;
            if (sp < end)
                s->spans[sp].join = true;
            add_match(s, sp, s->n_term_ids + w0->phrase, rc);
        }
    }
    if (s->n_matches > before && *rc == KH_OK)
        kh__qsort(s->matches, s->n_matches, sizeof *s->matches, by_span);
}

/* Bytes from the start of match i's span to the end of match j's. */
static size_t
window_bytes(const snip *s, size_t i, size_t j)
{
    return s->spans[s->matches[j].span].end -
           s->spans[s->matches[i].span].start;
}

/* Finds the window of matches [*first, *last] that fits max_bytes and
 * holds the most distinct terms, then the most matches, then starts
 * earliest.  A window that does not fit (one token longer than the budget)
 * is taken only when nothing fits.  Two pointers: for each right end the
 * left end is the earliest that fits, and it only moves forward. */
static void
best_window(const snip *s, size_t max_bytes, size_t *first, size_t *last,
            kh_status *rc)
{
    uint32_t *count = kh_malloc(s->n_ids * sizeof *count);
    if (count == NULL) {
        *rc = KH_ENOMEM;
        return;
    }
    memset(count, 0, s->n_ids * sizeof *count);
    size_t distinct = 0, i = 0;
    size_t best_distinct = 0, best_total = 0;
    bool best_fits = false;
    *first = *last = 0;
    for (size_t j = 0; j < s->n_matches; j++) {
        if (count[s->matches[j].term]++ == 0)
            distinct++;
        /* Matches in one span stay together: they cannot be cut apart. */
        while (window_bytes(s, i, j) > max_bytes &&
               s->matches[i].span != s->matches[j].span) {
            if (--count[s->matches[i].term] == 0)
                distinct--;
            i++;
        }
        bool fits = window_bytes(s, i, j) <= max_bytes;
        size_t total = j - i + 1;
        if (j == 0 || (fits && !best_fits) ||
            (fits == best_fits &&
             (distinct > best_distinct ||
              (distinct == best_distinct && total > best_total)))) {
            best_fits = fits;
            best_distinct = distinct;
            best_total = total;
            *first = i;
            *last = j;
        }
    }
    kh_free(count);
}

/* Length of the whitespace character at p[0..n), or 0 if p does not start
 * with one.  Control characters count as whitespace: they have no business
 * in a snippet, and a NUL would end it early for C callers. */
static size_t
space_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return p[0] <= 0x20 || p[0] == 0x7F ? 1 : 0;
    uint32_t cp;
    size_t k = kh__utf8_decode(p, n, &cp);
    if (k == 0)
        return 0;
    if ((cp >= 0x80 && cp <= 0xA0) || cp == 0x1680 ||
        (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0x202F || cp == 0x205F || cp == 0x3000)
        return k;
    return 0;
}

/* Length of the character at p[0..n): 1 for an invalid byte. */
static size_t
char_len(const unsigned char *p, size_t n)
{
    uint32_t cp;
    size_t k = kh__utf8_decode(p, n, &cp);
    return k == 0 ? 1 : k;
}

/* The passage: spans [a, b] and the bytes [ps, pe) around them. */
typedef struct passage {
    size_t a, b;
    size_t ps, pe;
    bool before, after; /* text is left out before / after: write "…" */
} passage;

/* Grows the passage token by token while the budget allows, on the side
 * that has less context so far, so that the matches end up near the
 * middle; when one side runs out, the other takes the rest. */
static void
widen(const snip *s, passage *p, size_t *left)
{
    size_t core_start = p->ps, core_end = p->pe;
    for (;;) {
        bool can_l = p->a > 0 && p->ps - s->spans[p->a - 1].start <= *left;
        bool can_r =
            p->b + 1 < s->n_spans && s->spans[p->b + 1].end - p->pe <= *left;
        if (!can_l && !can_r)
            return;
        bool go_left =
            can_l && (!can_r || core_start - p->ps < p->pe - core_end);
        if (go_left) {
            p->a--;
            *left -= p->ps - s->spans[p->a].start;
            p->ps = s->spans[p->a].start;
        } else {
            p->b++;
            *left -= s->spans[p->b].end - p->pe;
            p->pe = s->spans[p->b].end;
        }
    }
}

/* Takes in the punctuation stuck to the passage's ends (« » " . ،), up to
 * the nearest whitespace, when it fits: a quotation cut at its closing
 * mark reads worse than one that keeps it.  At the text's own ends, the
 * whole stretch to the end is taken when it fits. */
static void
edges(const snip *s, passage *p, size_t *left)
{
    const unsigned char *t = (const unsigned char *)s->text;

    /* Before: the gap from the previous span (or 0) to ps. */
    size_t gap = p->a > 0 ? s->spans[p->a - 1].end : 0;
    size_t run = gap;       /* where the run stuck to ps begins */
    size_t content = p->ps; /* first non-space byte of the gap */
    for (size_t i = gap; i < p->ps;) {
        size_t k = space_len(t + i, p->ps - i);
        if (k > 0) {
            i += k;
            run = i;
        } else {
            if (content == p->ps)
                content = i;
            i += char_len(t + i, p->ps - i);
        }
    }
    size_t ps = p->ps;
    if (p->a == 0 && p->ps - gap <= *left)
        ps = gap;
    else if (p->ps - run <= *left)
        ps = run;
    *left -= p->ps - ps;
    p->ps = ps;
    p->before = p->a > 0 || content < p->ps;

    /* After: the gap from pe to the next span (or the end). */
    bool last = p->b + 1 >= s->n_spans;
    gap = last ? s->len : s->spans[p->b + 1].start;
    run = gap;                  /* where the run stuck to pe ends */
    size_t content_end = p->pe; /* end of the gap's last non-space char */
    for (size_t i = p->pe; i < gap;) {
        size_t k = space_len(t + i, gap - i);
        if (k > 0) {
            if (run == gap)
                run = i;
            if (!last)
                break; /* nothing past the run is needed */
            i += k;
        } else {
            i += char_len(t + i, gap - i);
            content_end = i;
        }
    }
    size_t pe = p->pe;
    if (last && gap - p->pe <= *left)
        pe = gap;
    else if (run - p->pe <= *left)
        pe = run;
    *left -= pe - p->pe;
    p->pe = pe;
    p->after = !last || content_end > p->pe;
}

/* With no token at all (only punctuation): the beginning of the text, cut
 * at a character boundary.  Leading whitespace would not be shown, so it
 * does not count against the budget. */
static void
no_tokens(const snip *s, size_t max_bytes, passage *p)
{
    const unsigned char *t = (const unsigned char *)s->text;
    size_t start = 0, k;
    while (start < s->len && (k = space_len(t + start, s->len - start)) > 0)
        start += k;
    size_t i = start;
    while (i < s->len) {
        k = char_len(t + i, s->len - i);
        if (k > max_bytes - (i - start))
            break;
        i += k;
    }
    p->ps = start;
    p->pe = i;
    p->before = false;
    p->after = false;
    for (size_t j = i; j < s->len && !p->after;) {
        k = space_len(t + j, s->len - j);
        p->after = k == 0;
        j += k > 0 ? k : 1;
    }
}

typedef struct writer {
    kh_buf *out;
    bool html;
    bool pending_space; /* whitespace seen since the last output */
    bool any;           /* something of the passage was written */
    kh_status *rc;
} writer;

static void
emit_start(writer *w)
{
    if (w->pending_space && w->any)
        kh__buf_putc(w->out, ' ', w->rc);
    w->pending_space = false;
    w->any = true;
}

/* Copies text[0..n) with whitespace runs collapsed, invalid bytes replaced
 * and, for HTML, the markup characters escaped.  Plain stretches go out in
 * one append. */
static void
copy_text(writer *w, const unsigned char *p, size_t n)
{
    size_t plain = 0; /* start of the pending plain stretch */
    size_t i = 0;
    while (i < n && *w->rc == KH_OK) {
        unsigned char c = p[i];
        const char *esc = NULL;
        size_t k = 1;
        if (c > 0x20 && c < 0x7F) {
            if (w->html) {
                switch (c) {
                case '&':
                    esc = "&amp;";
                    break;
                case '<':
                    esc = "&lt;";
                    break;
                case '>':
                    esc = "&gt;";
                    break;
                case '"':
                    esc = "&quot;";
                    break;
                case '\'':
                    esc = "&#39;";
                    break;
                default:
                    break;
                }
            }
            if (esc == NULL) {
                if (i == plain)
                    emit_start(w);
                i++;
                continue;
            }
        } else if ((k = space_len(p + i, n - i)) > 0) {
            esc = "";
        } else {
            uint32_t cp;
            k = kh__utf8_decode(p + i, n - i, &cp);
            if (k > 0) {
                if (i == plain)
                    emit_start(w);
                i += k;
                continue;
            }
            k = 1;
            esc = REPLACEMENT;
        }
        kh__buf_append(w->out, p + plain, i - plain, w->rc);
        if (*esc == '\0') {
            w->pending_space = true;
        } else {
            emit_start(w);
            kh__buf_puts(w->out, esc, w->rc);
        }
        i += k;
        plain = i;
    }
    kh__buf_append(w->out, p + plain, i - plain, w->rc);
}

static void
write_passage(const snip *s, const passage *p, const kh_snippet_opts *o,
              kh_buf *out, kh_status *rc)
{
    const unsigned char *t = (const unsigned char *)s->text;
    const char *open = o->open != NULL ? o->open : "";
    const char *close = o->close != NULL ? o->close : "";
    writer w = {out, o->html, false, false, rc};
    if (p->before)
        kh__buf_puts(out, ELLIPSIS, rc);
    size_t at = p->ps;
    bool in_mark = false; /* inside a phrase's mark, between its words */
    for (size_t k = p->a; s->n_spans > 0 && k <= p->b && *rc == KH_OK; k++) {
        const span *sp = &s->spans[k];
        if (!sp->matched)
            continue;
        copy_text(&w, t + at, sp->start - at);
        if (!in_mark) {
            emit_start(&w);
            kh__buf_puts(out, open, rc);
        }
        copy_text(&w, t + sp->start, sp->end - sp->start);
        in_mark = sp->join && k < p->b;
        if (!in_mark)
            kh__buf_puts(out, close, rc);
        at = sp->end;
    }
    copy_text(&w, t + at, p->pe - at);
    if (p->after)
        kh__buf_puts(out, ELLIPSIS, rc);
}

void
kh__snippet(kh_analyzer *a, const char *text, size_t len,
            const kh_snippet_opts *opts, kh_buf *out, kh_status *rc)
{
    kh__snippet_phrases(a, text, len, opts, NULL, 0, out, rc);
}

void
kh__snippet_phrases(kh_analyzer *a, const char *text, size_t len,
                    const kh_snippet_opts *opts, const kh_qnode *const *phrases,
                    size_t n_phrases, kh_buf *out, kh_status *rc)
{
    if (*rc != KH_OK)
        return;
    if (a == NULL || opts == NULL || out == NULL) {
        *rc = KH_EINVAL;
        return;
    }
    size_t out_len = out->len;
    snip s;
    memset(&s, 0, sizeof s);
    s.text = text != NULL ? text : "";
    s.len = text != NULL ? len : 0;

    terms_build(&s, opts, rc);
    phrases_build(&s, phrases, phrases != NULL ? n_phrases : 0, rc);
    s.n_ids = s.n_term_ids + (uint32_t)s.n_phrases;
    collect(&s, a, rc);
    phrase_occurrences(&s, rc);
    passage p = {0, 0, 0, 0, false, false};
    if (*rc == KH_OK && s.n_spans == 0) {
        no_tokens(&s, opts->max_bytes, &p);
    } else if (*rc == KH_OK) {
        size_t first = 0, last = 0;
        if (s.n_matches > 0) {
            best_window(&s, opts->max_bytes, &first, &last, rc);
            p.a = s.matches[first].span;
            p.b = s.matches[last].span;
        }
        p.ps = s.spans[p.a].start;
        p.pe = s.spans[p.b].end;
        size_t used = p.pe - p.ps;
        size_t left = used <= opts->max_bytes ? opts->max_bytes - used : 0;
        widen(&s, &p, &left);
        edges(&s, &p, &left);
    }
    if (*rc == KH_OK && p.pe > p.ps)
        write_passage(&s, &p, opts, out, rc);

    if (*rc != KH_OK && out->data != NULL) {
        out->len = out_len; /* nothing half-written is left behind */
        out->data[out_len] = '\0';
    }
    kh_free(s.terms);
    kh_free(s.spans);
    kh_free(s.matches);
    kh_free(s.words);
    kh_free(s.phrase_len);
    kh_free(s.hits);
}
