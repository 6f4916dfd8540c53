/*
 * parse.c -- the query language: a query string becomes a tree of
 * kh_qnode (see query.h for the grammar, docs/query.md for the user's
 * view).
 *
 * A hand-written recursive-descent parser that reads the bytes directly;
 * there is no separate lexer because what a character means depends on
 * where it is (a "-" starts an exclusion only at the start of an item, a
 * ":" makes a field only after a known field name).  Grammar:
 *
 *   query   = { item }
 *   item    = unary { OR unary }              OR is "OR", "|" or "||"
 *   unary   = [ "+" | "-" ] primary | "+" | "-"
 *   primary = "(" { item } ")" | quoted | field | word
 *   field   = "title:" ( word | quoted | "(" { item } ")" )
 *           | ( "source:" | "since:" | "until:" ) ( word | quoted )
 *
 * A word runs up to white space or one of ( ) | " « “.  Words and quoted
 * text go through the caller's analyzer: a word that gives no token is
 * dropped (punctuation), one token is a WORD, several are a PHRASE; quoted
 * text is always a PHRASE, even of one term, so that the executor can
 * match it exactly.  The first term of a phrase has gap 0.
 *
 * Choices the tree makes for the executor:
 *  - A filter (source:, since:, until:) that is not in an OR and has no
 *    sign gets KH_OCCUR_MUST: it restricts whatever the default operator.
 *  - since:/until: filters that are required in the same group are merged
 *    into one DATE node (the intersection); an empty intersection is an
 *    error.  Excluded or OR-ed dates stay separate nodes.
 *  - A group of one item is replaced by the item, and a query that is one
 *    group or one OR is itself the root, so "(a OR b)" and "a OR b" give
 *    the same tree.
 *  - A sign may not stand on one side of an OR ("-a OR b" is ambiguous);
 *    it is an error that suggests "-(a OR b)".
 *  - A "+" or "-" with nothing right after it (white space, the end, ")"
 *    or an OR) is punctuation, dropped like "؟": pasted headlines put
 *    spaced dashes between words ("الرياض - جدة").  En and em dashes and
 *    tatweel are never operators; the analyzer drops them.
 *
 * This file must never read outside q[0..len) and must free everything it
 * built on every error; groups nest at most KH_QUERY_MAX_DEPTH deep so that
 * neither the parser nor kh__query_free() can exhaust the stack.
 */
#include "query.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KH_QUERY_MAX_DEPTH 32

typedef struct parser {
    const char *q; /* the query, q[0..len), not NUL-terminated */
    size_t len;
    size_t pos;     /* next byte to read */
    kh_analyzer *a; /* reset for every word and phrase */
    kh_error *err;  /* may be NULL */
    kh_status rc;   /* the first error; parsing stops at it */
} parser;

static void fail(parser *p, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(parser *p, size_t offset, const char *fmt, ...)
{
    if (p->rc != KH_OK)
        return;
    p->rc = KH_EINVAL;
    if (p->err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
        va_end(ap);
        p->err->offset = offset;
        p->err->has_offset = 1;
    }
}

static void
fail_nomem(parser *p)
{
    if (p->rc != KH_OK)
        return;
    p->rc = KH_ENOMEM;
    if (p->err != NULL) {
        snprintf(p->err->message, sizeof p->err->message, "%s",
                 kh_strerror(KH_ENOMEM));
        p->err->offset = 0;
        p->err->has_offset = 0;
    }
}

/**************************************************************************
** Characters
*/

static unsigned char
byte_at(const parser *p, size_t i)
{
    return (unsigned char)p->q[i];
}

static bool
has_bytes(const parser *p, size_t i, const char *bytes, size_t n)
{
    return p->len - i >= n && memcmp(p->q + i, bytes, n) == 0;
}

/* Length of the white-space character at q[i] (i < len), or 0.  Besides
 * ASCII space and controls, NUL and the Unicode spaces that copied text
 * brings (no-break, thin, ideographic...) separate words too. */
static size_t
space_len(const parser *p, size_t i)
{
    unsigned char c = byte_at(p, i);
    if (c == ' ' || (c >= '\t' && c <= '\r') || c == '\0')
        return 1;
    if (c < 0x80 || p->len - i < 2)
        return 0;
    unsigned char c1 = byte_at(p, i + 1);
    if (c == 0xC2)
        return c1 == 0xA0 ? 2 : 0; /* U+00A0 */
    if (p->len - i < 3)
        return 0;
    unsigned char c2 = byte_at(p, i + 2);
    if (c == 0xE1 && c1 == 0x9A && c2 == 0x80) /* U+1680 */
        return 3;
    if (c == 0xE2 && c1 == 0x80 &&
        ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 ||
         c2 == 0xAF)) /* U+2000..U+200A, U+2028, U+2029, U+202F */
        return 3;
    if (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) /* U+205F */
        return 3;
    if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) /* U+3000 */
        return 3;
    return 0;
}

static void
skip_space(parser *p)
{
    size_t n;
    while (p->pos < p->len && (n = space_len(p, p->pos)) > 0)
        p->pos += n;
}

/* The quotation marks: " closes ", « closes », “ closes ”. */
static const struct quote {
    const char *open, *close;
    size_t open_len, close_len;
} quotes[] = {
    {"\"", "\"", 1, 1},
    {"\xC2\xAB", "\xC2\xBB", 2, 2},
    {"\xE2\x80\x9C", "\xE2\x80\x9D", 3, 3},
};

static const struct quote *
quote_at(const parser *p, size_t i)
{
    for (size_t k = 0; k < sizeof quotes / sizeof quotes[0]; k++)
        if (has_bytes(p, i, quotes[k].open, quotes[k].open_len))
            return &quotes[k];
    return NULL;
}

/* True if q[i] ends a word: white space, a parenthesis, "|" or an
 * opening quote (i == len counts too). */
static bool
ends_word(const parser *p, size_t i)
{
    if (i >= p->len)
        return true;
    unsigned char c = byte_at(p, i);
    if (c == '(' || c == ')' || c == '|')
        return true;
    return space_len(p, i) > 0 || quote_at(p, i) != NULL;
}

static size_t
word_end(const parser *p, size_t i)
{
    while (!ends_word(p, i))
        i++;
    return i;
}

/* Length of the OR operator at q[i] ("OR" as a whole word, "|", "||"),
 * or 0.  Callers only ask at the start of a word. */
static size_t
or_len(const parser *p, size_t i)
{
    if (i >= p->len)
        return 0;
    if (byte_at(p, i) == '|')
        return has_bytes(p, i, "||", 2) ? 2 : 1;
    if (has_bytes(p, i, "OR", 2) && ends_word(p, i + 2))
        return 2;
    return 0;
}

/* True if q[i] cannot start an operand: the end, white space, ")" or an
 * OR. */
static bool
nothing_at(const parser *p, size_t i)
{
    return i >= p->len || space_len(p, i) > 0 || byte_at(p, i) == ')' ||
           or_len(p, i) > 0;
}

/**************************************************************************
** Nodes
*/

void
kh__query_free(kh_qnode *node)
{
    if (node == NULL)
        return;
    for (size_t i = 0; i < node->n_terms; i++) {
        kh_free(node->terms[i].norm);
        kh_free(node->terms[i].stem);
    }
    kh_free(node->terms);
    for (size_t i = 0; i < node->n_children; i++)
        kh__query_free(node->children[i]);
    kh_free(node->children);
    kh_free(node->value);
    kh_free(node->docids);
    kh_free(node);
}

static kh_qnode *
node_new(parser *p, kh_qop op, size_t offset)
{
    kh_qnode *n = kh_malloc(sizeof *n);
    if (n == NULL) {
        fail_nomem(p);
        return NULL;
    }
    memset(n, 0, sizeof *n);
    n->op = op;
    n->occur = KH_OCCUR_DEFAULT;
    n->field = KH_QFIELD_ALL;
    n->offset = offset;
    n->since = KH_DATE_MIN;
    n->until = KH_DATE_MAX;
    return n;
}

static bool
is_filter(const kh_qnode *n)
{
    return n->op == KH_QOP_SOURCE || n->op == KH_QOP_DATE ||
           n->op == KH_QOP_STORY || n->op == KH_QOP_ENTITY;
}

/* A date filter that will be required: the candidates for merging. */
static bool
is_required_date(const kh_qnode *n)
{
    return n->op == KH_QOP_DATE &&
           (n->occur == KH_OCCUR_DEFAULT || n->occur == KH_OCCUR_MUST);
}

/* Adds child to the BOOL parent, which takes it over even on failure.
 * A required date is merged into one already there instead. */
static bool
bool_add(parser *p, kh_qnode *parent, kh_qnode *child)
{
    if (is_required_date(child)) {
        for (size_t i = 0; i < parent->n_children; i++) {
            kh_qnode *d = parent->children[i];
            if (!is_required_date(d))
                continue;
            if (child->since > d->since)
                d->since = child->since;
            if (child->until < d->until)
                d->until = child->until;
            if (child->occur == KH_OCCUR_MUST)
                d->occur = KH_OCCUR_MUST;
            size_t at = child->offset;
            kh__query_free(child);
            if (d->since > d->until) {
                fail(p, at,
                     "the until: date is before the since: date, so "
                     "nothing can match");
                return false;
            }
            return true;
        }
    }
    size_t n = parent->n_children;
    /* capacity: 4, then doubled whenever the count reaches a power of 2 */
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        size_t cap = n == 0 ? 4 : n * 2;
        kh_qnode **c = NULL;
        if (cap <= SIZE_MAX / sizeof *c)
            c = kh_realloc(parent->children, cap * sizeof *c);
        if (c == NULL) {
            kh__query_free(child);
            fail_nomem(p);
            return false;
        }
        parent->children = c;
    }
    parent->children[n] = child;
    parent->n_children = n + 1;
    return true;
}

/* Takes the only child out of a BOOL node and frees the node. */
static kh_qnode *
take_only_child(kh_qnode *b)
{
    kh_qnode *c = b->children[0];
    b->n_children = 0;
    kh__query_free(b);
    return c;
}

/* A group of one item stands for the item: "(a)" is a, "(+a)" is +a.  The
 * child's own sign is kept only where nothing overrides it: not in an
 * OR (where every side is SHOULD) and not under a sign of the group's. */
static kh_qnode *
unwrap(kh_qnode *n, bool keeps_occur)
{
    while (n->op == KH_QOP_BOOL && n->n_children == 1 &&
           (n->children[0]->occur == KH_OCCUR_DEFAULT || keeps_occur))
        n = take_only_child(n);
    return n;
}

/* Filters that are not in an OR and have no sign are required. */
static void
settle_filters(kh_qnode *n)
{
    for (size_t i = 0; i < n->n_children; i++) {
        kh_qnode *c = n->children[i];
        if (is_filter(c) && c->occur == KH_OCCUR_DEFAULT)
            c->occur = KH_OCCUR_MUST;
        if (c->op == KH_QOP_BOOL)
            settle_filters(c);
    }
}

/**************************************************************************
** Words and phrases
*/

/* Analyzes q[start..end) into a WORD or a PHRASE node, or returns NULL
 * when it has no token (check p->rc: NULL is also the error return). */
static kh_qnode *
analyze(parser *p, size_t start, size_t end, size_t offset, kh_qfield field,
        bool quoted)
{
    const char *s = p->q + start;
    size_t len = end - start;
    kh_token t;
    size_t count = 0;
    /* Two passes, so that the terms are allocated once at their size. */
    kh_analyzer_reset(p->a, s, len);
    while (kh_analyzer_next(p->a, &t))
        count++;
    if (count == 0)
        return NULL;
    kh_qnode *n = node_new(
        p, count == 1 && !quoted ? KH_QOP_WORD : KH_QOP_PHRASE, offset);
    if (n == NULL)
        return NULL;
    n->field = field;
    if (count <= SIZE_MAX / sizeof *n->terms)
        n->terms = kh_malloc(count * sizeof *n->terms);
    if (n->terms == NULL) {
        kh__query_free(n);
        fail_nomem(p);
        return NULL;
    }
    memset(n->terms, 0, count * sizeof *n->terms);
    n->n_terms = count;
    kh_analyzer_reset(p->a, s, len);
    uint32_t prev = 0;
    for (size_t i = 0; i < count && kh_analyzer_next(p->a, &t); i++) {
        kh_qterm *term = &n->terms[i];
        term->norm = kh__strndup(t.norm, t.norm_len);
        term->stem = kh__strndup(t.stem, t.stem_len);
        if (term->norm == NULL || term->stem == NULL) {
            kh__query_free(n);
            fail_nomem(p);
            return NULL;
        }
        term->gap = i == 0 ? 0 : t.position - prev;
        term->stop = (t.flags & KH_TOKEN_STOP) != 0;
        prev = t.position;
    }
    return n;
}

/* Reads the quoted text at p->pos (an opening quote) into
 * [*start, *end) and moves past the closing quote. */
static bool
read_quoted(parser *p, const struct quote *qt, size_t *start, size_t *end)
{
    size_t open = p->pos;
    size_t i = open + qt->open_len;
    while (i < p->len && !has_bytes(p, i, qt->close, qt->close_len))
        i++;
    if (i >= p->len) {
        fail(p, open, "missing closing %s for the quote that starts here",
             qt->close);
        return false;
    }
    *start = open + qt->open_len;
    *end = i;
    p->pos = i + qt->close_len;
    return true;
}

/**************************************************************************
** Dates
*/

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil), so that no locale, time zone or
 * timegm() is involved. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned
days_in_month(unsigned y, unsigned m)
{
    static const unsigned char days[] = {31, 28, 31, 30, 31, 30,
                                         31, 31, 30, 31, 30, 31};
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        return 29;
    return days[m - 1];
}

/* Reads one digit at s[*i] (ASCII, Arabic-Indic U+0660..U+0669 or
 * Extended Arabic-Indic U+06F0..U+06F9, as Arabic users type dates), or
 * returns -1. */
static int
date_digit(const unsigned char *s, size_t n, size_t *i)
{
    unsigned char c = s[*i];
    if (c >= '0' && c <= '9') {
        (*i)++;
        return c - '0';
    }
    if (n - *i >= 2) {
        unsigned char c1 = s[*i + 1];
        if ((c == 0xD9 && c1 >= 0xA0 && c1 <= 0xA9) ||
            (c == 0xDB && c1 >= 0xB0 && c1 <= 0xB9)) {
            *i += 2;
            return (c == 0xD9 ? c1 - 0xA0 : c1 - 0xB0);
        }
    }
    return -1;
}

/* Reads exactly ndigits digits at s[*i] into *value. */
static bool
date_number(const unsigned char *s, size_t n, size_t *i, int ndigits,
            unsigned *value)
{
    *value = 0;
    for (int k = 0; k < ndigits; k++) {
        if (*i >= n)
            return false;
        int d = date_digit(s, n, i);
        if (d < 0)
            return false;
        *value = *value * 10 + (unsigned)d;
    }
    return true;
}

static bool
date_char(const unsigned char *s, size_t n, size_t *i, char c1, char c2)
{
    if (*i < n && (s[*i] == (unsigned char)c1 || s[*i] == (unsigned char)c2)) {
        (*i)++;
        return true;
    }
    return false;
}

/* How much of a date-time a value gives: the period it names. */
enum { PREC_YEAR, PREC_MONTH, PREC_DAY, PREC_MINUTE, PREC_SECOND };

/* Parses the ISO 8601 date or date-time q[start..end) for the field
 * ("since" or "until") into unix seconds.  A since: value is the first
 * second of the period it names (a year, month, day, minute or second),
 * an until: value the last, so both bounds are inclusive. */
static bool
parse_date(parser *p, const char *field, size_t start, size_t end,
           bool is_until, int64_t *out)
{
    const unsigned char *s = (const unsigned char *)p->q + start;
    size_t n = end - start, i = 0;
    unsigned year, month = 1, day = 1, hour = 0, minute = 0, second = 0;
    int prec = PREC_YEAR;
    int64_t tz = 0; /* the offset from UTC, in seconds */
    size_t at;      /* where the part being read starts, in s */

    if (!date_number(s, n, &i, 4, &year))
        goto syntax;
    if (i < n) {
        at = i + 1;
        if (!date_char(s, n, &i, '-', '-') || !date_number(s, n, &i, 2, &month))
            goto syntax;
        if (month < 1 || month > 12) {
            fail(p, start + at, "%s: the month must be 01 to 12", field);
            return false;
        }
        prec = PREC_MONTH;
    }
    if (i < n) {
        at = i + 1;
        if (!date_char(s, n, &i, '-', '-') || !date_number(s, n, &i, 2, &day))
            goto syntax;
        if (day < 1 || day > days_in_month(year, month)) {
            fail(p, start + at, "%s: there is no day %02u in that month", field,
                 day);
            return false;
        }
        prec = PREC_DAY;
    }
    if (i < n) {
        at = i + 1;
        if (!date_char(s, n, &i, 'T', 't') ||
            !date_number(s, n, &i, 2, &hour) ||
            !date_char(s, n, &i, ':', ':') ||
            !date_number(s, n, &i, 2, &minute))
            goto syntax;
        prec = PREC_MINUTE;
        if (date_char(s, n, &i, ':', ':')) {
            if (!date_number(s, n, &i, 2, &second))
                goto syntax;
            prec = PREC_SECOND;
        }
        if (hour > 23 || minute > 59 || second > 59) {
            fail(p, start + at, "%s: the time must be 00:00:00 to 23:59:59",
                 field);
            return false;
        }
        /* A zone only after a time; none means UTC, like Z. */
        at = i;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            int64_t sign = s[i] == '-' ? -1 : 1;
            unsigned tzh, tzm = 0;
            i++;
            if (!date_number(s, n, &i, 2, &tzh))
                goto syntax;
            if (i < n) {
                date_char(s, n, &i, ':', ':');
                if (!date_number(s, n, &i, 2, &tzm))
                    goto syntax;
            }
            if (tzh > 23 || tzm > 59) {
                fail(p, start + at,
                     "%s: the time zone offset must be -23:59 to +23:59",
                     field);
                return false;
            }
            tz = sign * (int64_t)(tzh * 3600 + tzm * 60);
        } else {
            date_char(s, n, &i, 'Z', 'z');
        }
    }
    if (i != n)
        goto syntax;

    int64_t t = days_from_civil(year, month, day) * 86400 +
                (int64_t)(hour * 3600 + minute * 60 + second) - tz;
    if (is_until) {
        switch (prec) {
        case PREC_YEAR:
            t = days_from_civil((int64_t)year + 1, 1, 1) * 86400 - 1;
            break;
        case PREC_MONTH:
            t += (int64_t)days_in_month(year, month) * 86400 - 1;
            break;
        case PREC_DAY:
            t += 86400 - 1;
            break;
        case PREC_MINUTE:
            t += 60 - 1;
            break;
        default:
            break;
        }
    }
    *out = t;
    return true;

syntax:
    fail(p, start,
         "%s: expected a date such as 2015-01-31 or 2015-01-31T08:30, "
         "optionally with Z or +03:00",
         field);
    return false;
}

/**************************************************************************
** The grammar
*/

static kh_qnode *parse_item(parser *p, int depth, kh_qfield field);

/* Reads items up to the end of the query (depth 0) or up to the ")" that
 * closes the group opened at q[open] (depth > 0, the ")" not consumed).
 * Returns a BOOL node, possibly with no children, or NULL on an error. */
static kh_qnode *
parse_items(parser *p, int depth, kh_qfield field, size_t open)
{
    kh_qnode *b = node_new(p, KH_QOP_BOOL, open);
    if (b == NULL)
        return NULL;
    for (;;) {
        skip_space(p);
        if (p->pos >= p->len) {
            if (depth > 0)
                fail(p, open, "missing ) for the ( here");
            break;
        }
        if (byte_at(p, p->pos) == ')') {
            if (depth == 0)
                fail(p, p->pos, "unmatched ): no ( before it");
            break;
        }
        if (or_len(p, p->pos) > 0) {
            fail(p, p->pos, "OR needs a term on each side");
            break;
        }
        kh_qnode *item = parse_item(p, depth, field);
        if (p->rc != KH_OK)
            break;
        if (item != NULL && !bool_add(p, b, item))
            break;
    }
    if (p->rc != KH_OK) {
        kh__query_free(b);
        return NULL;
    }
    return b;
}

/* A group: p->pos is at its "(". */
static kh_qnode *
parse_group(parser *p, int depth, kh_qfield field)
{
    size_t open = p->pos;
    if (depth >= KH_QUERY_MAX_DEPTH) {
        fail(p, open, "too many nested groups (at most %d levels)",
             KH_QUERY_MAX_DEPTH);
        return NULL;
    }
    p->pos++;
    skip_space(p);
    if (p->pos < p->len && byte_at(p, p->pos) == ')') {
        fail(p, open, "empty group: nothing between ( and )");
        return NULL;
    }
    kh_qnode *b = parse_items(p, depth + 1, field, open);
    if (b == NULL)
        return NULL;
    p->pos++; /* the ")" that parse_items stopped at */
    if (b->n_children == 0) {
        kh__query_free(b); /* only punctuation inside */
        return NULL;
    }
    return b;
}

/* The value of a source:, since: or until: field: one word or a quoted
 * string.  p->pos is just after the ":"; at is where the field starts. */
static bool
field_value(parser *p, const char *field, size_t at, size_t *start, size_t *end)
{
    if (nothing_at(p, p->pos)) {
        fail(p, at, "%s: needs a value right after the colon", field);
        return false;
    }
    if (byte_at(p, p->pos) == '(') {
        fail(p, p->pos, "%s: takes one value, not a group; write %s:a OR %s:b",
             field, field, field);
        return false;
    }
    const struct quote *qt = quote_at(p, p->pos);
    if (qt != NULL) {
        if (!read_quoted(p, qt, start, end))
            return false;
        while (*start < *end && space_len(p, *start) == 1)
            (*start)++;
        while (*end > *start && space_len(p, *end - 1) == 1)
            (*end)--;
        return true;
    }
    *start = p->pos;
    *end = p->pos = word_end(p, p->pos);
    return true;
}

/* A field whose value is a name kept as written: source:NAME (then
 * case-folded) and story:ID.  what names the value in messages. */
static kh_qnode *
parse_name_field(parser *p, size_t at, kh_qop op, const char *field,
                 const char *what)
{
    size_t start, end;
    if (!field_value(p, field, at, &start, &end))
        return NULL;
    if (start == end) {
        fail(p, at, "%s: needs %s", field, what);
        return NULL;
    }
    for (size_t i = start; i < end; i++) {
        unsigned char c = byte_at(p, i);
        if (c < 0x20 || c == 0x7F) {
            fail(p, i, "%s: the value cannot hold control characters", field);
            return NULL;
        }
    }
    kh_qnode *n = node_new(p, op, at);
    if (n == NULL)
        return NULL;
    n->value = kh__strndup(p->q + start, end - start);
    if (n->value == NULL) {
        kh__query_free(n);
        fail_nomem(p);
        return NULL;
    }
    return n;
}

static kh_qnode *
parse_source(parser *p, size_t at)
{
    kh_qnode *n = parse_name_field(p, at, KH_QOP_SOURCE, "source", "a name");
    for (char *c = n != NULL ? n->value : NULL; c != NULL && *c != '\0'; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return n;
}

static kh_qnode *
parse_date_field(parser *p, size_t at, bool is_until)
{
    const char *field = is_until ? "until" : "since";
    size_t start, end;
    int64_t t;
    if (!field_value(p, field, at, &start, &end))
        return NULL;
    if (!parse_date(p, field, start, end, is_until, &t))
        return NULL;
    kh_qnode *n = node_new(p, KH_QOP_DATE, at);
    if (n == NULL)
        return NULL;
    if (is_until)
        n->until = t;
    else
        n->since = t;
    return n;
}

enum {
    FIELD_NONE = 0,
    FIELD_TITLE,
    FIELD_SOURCE,
    FIELD_SINCE,
    FIELD_UNTIL,
    FIELD_STORY,
    FIELD_ENTITY
};

/* The field named at q[i] ("title:", case-insensitive), or FIELD_NONE;
 * *len gets the length of the name and its colon. */
static int
field_at(const parser *p, size_t i, size_t *len)
{
    static const char *const names[] = {"title", "source", "since",
                                        "until", "story",  "entity"};
    char name[8];
    size_t n = 0;
    while (i + n < p->len && n < sizeof name - 1) {
        unsigned char c = byte_at(p, i + n);
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c < 'a' || c > 'z')
            break;
        name[n++] = (char)c;
    }
    if (n == 0 || i + n >= p->len || byte_at(p, i + n) != ':')
        return FIELD_NONE;
    name[n] = '\0';
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (strcmp(name, names[k]) == 0) {
            *len = n + 1;
            return (int)k + FIELD_TITLE;
        }
    }
    return FIELD_NONE;
}

/* What comes after "title:": a word, a quoted phrase or a group. */
static kh_qnode *
parse_title(parser *p, int depth, size_t at)
{
    if (nothing_at(p, p->pos)) {
        fail(p, at,
             "title: needs a word, a \"phrase\" or a (group) right after "
             "the colon");
        return NULL;
    }
    unsigned char c = byte_at(p, p->pos);
    if (c == '+' || c == '-') {
        fail(p, p->pos, "put %c before the field, as in %ctitle:word", c, c);
        return NULL;
    }
    if (c == '(')
        return parse_group(p, depth, KH_QFIELD_TITLE);
    const struct quote *qt = quote_at(p, p->pos);
    size_t start, end;
    if (qt != NULL) {
        if (!read_quoted(p, qt, &start, &end))
            return NULL;
        return analyze(p, start, end, at, KH_QFIELD_TITLE, true);
    }
    start = p->pos;
    end = p->pos = word_end(p, p->pos);
    return analyze(p, start, end, at, KH_QFIELD_TITLE, false);
}

/* A primary: p->pos is at a byte that can start one (not white space, not
 * ")", not an OR).  NULL with p->rc still KH_OK when it analyzes to
 * nothing. */
static kh_qnode *
parse_primary(parser *p, int depth, kh_qfield field, size_t at)
{
    if (byte_at(p, p->pos) == '(')
        return parse_group(p, depth, field);
    const struct quote *qt = quote_at(p, p->pos);
    size_t start, end, n;
    if (qt != NULL) {
        if (!read_quoted(p, qt, &start, &end))
            return NULL;
        return analyze(p, start, end, at, field, true);
    }
    switch (field_at(p, p->pos, &n)) {
    case FIELD_TITLE:
        p->pos += n;
        return parse_title(p, depth, at);
    case FIELD_SOURCE:
        p->pos += n;
        return parse_source(p, at);
    case FIELD_SINCE:
        p->pos += n;
        return parse_date_field(p, at, false);
    case FIELD_UNTIL:
        p->pos += n;
        return parse_date_field(p, at, true);
    case FIELD_STORY:
        p->pos += n; /* ids are case-sensitive: kept as written */
        return parse_name_field(p, at, KH_QOP_STORY, "story", "an article id");
    case FIELD_ENTITY:
        p->pos += n; /* names of any script: kept as written */
        return parse_name_field(p, at, KH_QOP_ENTITY, "entity", "a name");
    default:
        break;
    }
    start = p->pos;
    end = p->pos = word_end(p, p->pos);
    return analyze(p, start, end, at, field, false);
}

/* An optional sign and a primary.  *sign gets '+', '-' or 0.  A sign
 * followed by white space, the end, ")" or an OR has nothing to apply to:
 * it is consumed as punctuation, giving NULL with *sign 0 and p->rc still
 * KH_OK. */
static kh_qnode *
parse_unary(parser *p, int depth, kh_qfield field, char *sign)
{
    size_t at = p->pos;
    unsigned char c = byte_at(p, p->pos);
    *sign = 0;
    if (c == '+' || c == '-') {
        p->pos++;
        if (nothing_at(p, p->pos))
            return NULL; /* a spaced dash, as in "الرياض - جدة" */
        *sign = (char)c;
    }
    return parse_primary(p, depth, field, at);
}

/* A unary, or several joined by OR. */
static kh_qnode *
parse_item(parser *p, int depth, kh_qfield field)
{
    size_t at = p->pos;
    char sign;
    kh_qnode *node = parse_unary(p, depth, field, &sign);
    kh_qnode *alt = NULL; /* the OR node, once an OR is seen */
    if (p->rc != KH_OK)
        return NULL;
    for (;;) {
        size_t before = p->pos;
        skip_space(p);
        size_t or_at = p->pos, n = or_len(p, p->pos);
        if (n == 0) {
            p->pos = before;
            break;
        }
        if (alt == NULL) {
            if (sign != 0) {
                fail(p, at,
                     "%c cannot stand on one side of OR; to exclude or "
                     "require either, write %c(a OR b)",
                     sign, sign);
                goto error;
            }
            alt = node_new(p, KH_QOP_BOOL, at);
            if (alt == NULL)
                goto error;
            if (node != NULL) {
                node = unwrap(node, false);
                node->occur = KH_OCCUR_SHOULD;
                bool ok = bool_add(p, alt, node);
                node = NULL;
                if (!ok)
                    goto error;
            }
        }
        p->pos += n;
        skip_space(p);
        if (nothing_at(p, p->pos)) {
            fail(p, or_at, "OR needs a term on each side");
            goto error;
        }
        size_t next_at = p->pos;
        char next_sign;
        kh_qnode *next = parse_unary(p, depth, field, &next_sign);
        if (p->rc != KH_OK)
            goto error;
        if (next_sign != 0) {
            kh__query_free(next);
            fail(p, next_at,
                 "%c cannot stand on one side of OR; to exclude or require "
                 "either, write %c(a OR b)",
                 next_sign, next_sign);
            goto error;
        }
        if (next != NULL) {
            next = unwrap(next, false);
            next->occur = KH_OCCUR_SHOULD;
            if (!bool_add(p, alt, next))
                goto error;
        }
    }
    if (alt != NULL) {
        if (alt->n_children == 0) {
            kh__query_free(alt);
            return NULL;
        }
        if (alt->n_children > 1)
            return alt;
        node = take_only_child(alt); /* the other sides were punctuation */
        node->occur = KH_OCCUR_DEFAULT;
    }
    if (node == NULL)
        return NULL;
    if (sign == 0)
        return unwrap(node, true);
    node = unwrap(node, false);
    node->occur = sign == '+' ? KH_OCCUR_MUST : KH_OCCUR_MUST_NOT;
    return node;

error:
    kh__query_free(node);
    kh__query_free(alt);
    return NULL;
}

kh_status
kh__query_parse(const char *q, size_t len, kh_analyzer *a, kh_qnode **out,
                kh_error *err)
{
    parser p = {q != NULL ? q : "", q != NULL ? len : 0, 0, a, err, KH_OK};
    *out = NULL;
    if (err != NULL) {
        err->message[0] = '\0';
        err->offset = 0;
        err->has_offset = 0;
    }
    kh_qnode *root = parse_items(&p, 0, KH_QFIELD_ALL, 0);
    if (root == NULL)
        return p.rc;
    /* A query that is one group or one OR is that node. */
    if (root->n_children == 1 && root->children[0]->op == KH_QOP_BOOL &&
        root->children[0]->occur == KH_OCCUR_DEFAULT)
        root = take_only_child(root);
    settle_filters(root);
    *out = root;
    return KH_OK;
}

/**************************************************************************
** Rendering
*/

static void
render_term(const kh_qterm *t, kh_buf *out, kh_status *rc)
{
    kh__buf_puts(out, t->norm, rc);
    if (strcmp(t->stem, t->norm) != 0) {
        kh__buf_putc(out, '/', rc);
        kh__buf_puts(out, t->stem, rc);
    }
    if (t->stop)
        kh__buf_puts(out, "~stop", rc);
}

/* Quotes a source name when it would not read back as one word. */
static void
render_value(const char *v, kh_buf *out, kh_status *rc)
{
    bool plain = *v != '\0';
    for (const char *c = v; *c != '\0'; c++)
        if ((unsigned char)*c <= ' ' || strchr("\"()|\\", *c) != NULL)
            plain = false;
    if (plain) {
        kh__buf_puts(out, v, rc);
        return;
    }
    kh__buf_putc(out, '"', rc);
    for (const char *c = v; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\')
            kh__buf_putc(out, '\\', rc);
        kh__buf_putc(out, *c, rc);
    }
    kh__buf_putc(out, '"', rc);
}

static void
render_time(int64_t t, int64_t open, kh_buf *out, kh_status *rc)
{
    if (t == open)
        kh__buf_putc(out, '*', rc);
    else
        kh__buf_printf(out, rc, "%" PRId64, t);
}

void
kh__query_render(const kh_qnode *node, kh_buf *out, kh_status *rc)
{
    if (node == NULL || *rc != KH_OK)
        return;
    if (node->occur == KH_OCCUR_MUST)
        kh__buf_putc(out, '+', rc);
    else if (node->occur == KH_OCCUR_MUST_NOT)
        kh__buf_putc(out, '-', rc);
    if ((node->op == KH_QOP_WORD || node->op == KH_QOP_PHRASE) &&
        node->field == KH_QFIELD_TITLE)
        kh__buf_puts(out, "title:", rc);
    switch (node->op) {
    case KH_QOP_WORD:
        if (node->n_terms > 0)
            render_term(&node->terms[0], out, rc);
        break;
    case KH_QOP_PHRASE:
        kh__buf_putc(out, '"', rc);
        for (size_t i = 0; i < node->n_terms; i++) {
            if (i > 0) {
                kh__buf_putc(out, ' ', rc);
                /* a position with no term (a dropped stop word) */
                for (uint32_t g = 1; g < node->terms[i].gap; g++)
                    kh__buf_puts(out, "? ", rc);
            }
            render_term(&node->terms[i], out, rc);
        }
        kh__buf_putc(out, '"', rc);
        break;
    case KH_QOP_BOOL:
        kh__buf_putc(out, '(', rc);
        for (size_t i = 0; i < node->n_children; i++) {
            if (i > 0) {
                bool either = node->children[i - 1]->occur == KH_OCCUR_SHOULD &&
                              node->children[i]->occur == KH_OCCUR_SHOULD;
                kh__buf_puts(out, either ? " | " : " ", rc);
            }
            kh__query_render(node->children[i], out, rc);
        }
        kh__buf_putc(out, ')', rc);
        break;
    case KH_QOP_SOURCE:
        kh__buf_puts(out, "source:", rc);
        render_value(node->value != NULL ? node->value : "", out, rc);
        break;
    case KH_QOP_STORY:
        kh__buf_puts(out, "story:", rc);
        render_value(node->value != NULL ? node->value : "", out, rc);
        break;
    case KH_QOP_ENTITY:
        kh__buf_puts(out, "entity:", rc);
        render_value(node->value != NULL ? node->value : "", out, rc);
        break;
    case KH_QOP_DATE:
        kh__buf_puts(out, "date:[", rc);
        render_time(node->since, KH_DATE_MIN, out, rc);
        kh__buf_putc(out, ',', rc);
        render_time(node->until, KH_DATE_MAX, out, rc);
        kh__buf_putc(out, ']', rc);
        break;
    }
}
