/*
 * tokenize.c -- splits UTF-8 text into words and numbers.
 *
 * A token is a run of letters (with the marks and joiners that chartab.c
 * classes as ignorable, so that harakat never split a word), or a run of
 * digits, or Latin letters mixed with digits (G20).  Arabic letters do not
 * join Latin letters or digits: "والـCNN" gives "وال" and "cnn", "و2022"
 * gives "و" and "2022".  Inside a number, "." and U+066B between digits are
 * a decimal point, and "," or U+066C followed by exactly three digits is a
 * thousands separator and is dropped ("1,000" -> "1000").  An apostrophe
 * between Latin letters is dropped ("O'Brien" -> "obrien"), and a final
 * possessive "'s" is dropped with it.
 *
 * Offsets are byte offsets into the caller's text: a token spans from its
 * first letter or digit to its last letter, digit or mark.  Invalid UTF-8
 * bytes are separators, one byte at a time.
 *
 * The fast path handles ASCII and two-byte sequences (all of Arabic) with
 * a table look-up and no call.
 */
#include "text.h"

#include <string.h>

typedef struct kh_unit unit;

static const kh_cpinfo sep_entry; /* class KH_CP_SEP, for invalid bytes */

void
kh__tokenizer_reset(kh_tokenizer *t, const char *text, size_t len)
{
    kh__chartab_init();
    t->text = (const unsigned char *)(text != NULL ? text : "");
    t->len = text != NULL ? len : 0;
    t->pos = 0;
    t->exp_len = t->exp_pos = 0;
    t->have_unit = 0;
    t->norm_len = 0;
    t->norm[0] = '\0';
}

static void
set_unit(unit *u, const kh_cpinfo *e, size_t start, size_t end, int from_exp)
{
    u->bytes = e->out;
    u->nbytes = e->len;
    u->cls = e->cls;
    u->script = e->script;
    u->start = start;
    u->end = end;
    u->from_exp = (uint8_t)from_exp;
}

/* Reads the next unit from a pending expansion. */
static void
read_expansion_unit(kh_tokenizer *t, unit *u)
{
    const unsigned char *s = (const unsigned char *)t->exp + t->exp_pos;
    uint32_t cp;
    size_t n = kh__utf8_decode(s, t->exp_len - t->exp_pos, &cp);
    const kh_cpinfo *e = &sep_entry;
    if (n == 0)
        n = 1;
    else
        e = kh__cpinfo(cp, &t->scratch);
    t->exp_pos += n;
    set_unit(u, e, t->exp_start, t->exp_end, 1);
    /* An expansion's pieces are already folded; anything that would need
     * another round (or is too long for the table) separates. */
    if (e->cls == KH_CP_EXPAND || e->len > KH_CP_OUT_MAX)
        u->cls = KH_CP_SEP;
}

static int
read_unit(kh_tokenizer *t, unit *u)
{
    if (t->have_unit) {
        *u = t->unit;
        t->have_unit = 0;
        return 1;
    }
    if (t->exp_pos < t->exp_len) {
        read_expansion_unit(t, u);
        return 1;
    }
    size_t pos = t->pos;
    if (pos >= t->len)
        return 0;
    const unsigned char *s = t->text + pos;
    unsigned c = s[0];
    if (KH_LIKELY(c < 0x80)) {
        t->pos = pos + 1;
        set_unit(u, &kh__chartab[c], pos, pos + 1, 0);
        return 1;
    }
    if (KH_LIKELY(c >= 0xC2 && c <= 0xDF && pos + 1 < t->len &&
                  (s[1] & 0xC0) == 0x80)) {
        const kh_cpinfo *e =
            &kh__chartab[((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F)];
        if (KH_LIKELY(e->cls != KH_CP_EXPAND && e->len <= KH_CP_OUT_MAX)) {
            t->pos = pos + 2;
            set_unit(u, e, pos, pos + 2, 0);
            return 1;
        }
    }
    uint32_t cp;
    size_t n = kh__utf8_decode(s, t->len - pos, &cp);
    if (n == 0) {
        t->pos = pos + 1;
        set_unit(u, &sep_entry, pos, pos + 1, 0);
        return 1;
    }
    t->pos = pos + n;
    const kh_cpinfo *e = kh__cpinfo(cp, &t->scratch);
    if (KH_LIKELY(e->cls != KH_CP_EXPAND && e->len <= KH_CP_OUT_MAX)) {
        set_unit(u, e, pos, pos + n, 0);
        return 1;
    }
    /* A long fold or an expansion: materialize it in t->exp. */
    size_t len;
    if (e->len <= KH_CP_OUT_MAX) {
        len = e->len;
        memcpy(t->exp, e->out, len);
    } else {
        len = kh__cp_long(cp, t->exp, sizeof t->exp);
    }
    if (len == 0) {
        set_unit(u, &sep_entry, pos, pos + n, 0);
        return 1;
    }
    if (e->cls == KH_CP_LETTER) {
        set_unit(u, e, pos, pos + n, 0);
        u->bytes = t->exp;
        u->nbytes = len;
        return 1;
    }
    t->exp_len = len;
    t->exp_pos = 0;
    t->exp_start = pos;
    t->exp_end = pos + n;
    read_expansion_unit(t, u);
    return 1;
}

/* The class of the character at raw offset pos, or KH_CP_SEP past the end;
 * *len gets its byte length. */
static int
peek_class(kh_tokenizer *t, size_t pos, size_t *len, int *script)
{
    *len = 1;
    *script = KH_SCRIPT_NONE;
    if (pos >= t->len)
        return KH_CP_SEP;
    uint32_t cp;
    size_t n = kh__utf8_decode(t->text + pos, t->len - pos, &cp);
    if (n == 0)
        return KH_CP_SEP;
    *len = n;
    const kh_cpinfo *e = kh__cpinfo(cp, &t->scratch);
    *script = e->script;
    return e->cls;
}

/* After a digit, does the separator unit u (ending at u->end) continue the
 * number?  A decimal point needs a digit after it; a thousands separator
 * needs exactly three digits and then no further digit. */
static bool
numsep_continues(kh_tokenizer *t, const unit *u)
{
    size_t pos = u->end, len;
    int script;
    if (u->bytes[0] == '.')
        return peek_class(t, pos, &len, &script) == KH_CP_DIGIT;
    for (int i = 0; i < 3; i++) {
        if (peek_class(t, pos, &len, &script) != KH_CP_DIGIT)
            return false;
        pos += len;
    }
    return peek_class(t, pos, &len, &script) != KH_CP_DIGIT;
}

static void
append(kh_tokenizer *t, const unit *u, unsigned *flags)
{
    if (t->norm_len + u->nbytes > KH_MAX_TOKEN_BYTES) {
        *flags |= KH_TOKEN_TRUNCATED;
        return;
    }
    if (KH_LIKELY(u->nbytes <= 4)) {
        /* A fixed-size copy is one move; every source has 4 readable
         * bytes (table entries hold 12) and norm has slack after it. */
        memcpy(t->norm + t->norm_len, u->bytes, 4);
    } else {
        memcpy(t->norm + t->norm_len, u->bytes, u->nbytes);
    }
    t->norm_len += u->nbytes;
}

/* A combining hamza after waw or ya makes ؤ or ئ, which fold to ء; after
 * alef it makes أ/إ, which fold to alef, so nothing changes. */
static void
compose_hamza(kh_tokenizer *t)
{
    if (t->norm_len < 2)
        return;
    char *p = t->norm + t->norm_len - 2;
    if ((unsigned char)p[0] == 0xD9 &&
        ((unsigned char)p[1] == 0x88 || (unsigned char)p[1] == 0x8A)) {
        p[0] = (char)0xD8; /* U+0621 ء */
        p[1] = (char)0xA1;
    }
}

/* The hot loop: Arabic letters (U+0600..U+06FF, two bytes each) and the
 * marks inside an Arabic word, without the unit machinery.  Stops at the
 * first character it does not handle, which the general loop then reads.
 * State is kept in locals and stored once: the letters are written through
 * a char pointer, which may alias anything, so a store to *end in the
 * loop would be made, and read back, for every letter. */
static void
arabic_run(kh_tokenizer *t, size_t *end, unsigned *flags, int *prev)
{
    const unsigned char *s = t->text;
    size_t pos = t->pos, len = t->len, nl = t->norm_len, last = *end;
    char *norm = t->norm;
    bool letter = false, truncated = false;
    while (pos + 1 < len) {
        unsigned c = s[pos], c2 = s[pos + 1];
        if (c - 0xD8u > 3u || (c2 & 0xC0) != 0x80)
            break;
        const kh_arabinfo *a = &kh__arabtab[(c - 0xD8u) << 6 | (c2 & 0x3Fu)];
        if (a->what == KH_ARAB_LETTER) {
            if (nl + 2 <= KH_MAX_TOKEN_BYTES) {
                memcpy(norm + nl, a->out, 2);
                nl += 2;
            } else {
                truncated = true;
            }
            letter = true;
        } else if (a->what != KH_ARAB_IGNORE) {
            break;
        }
        pos += 2;
        last = pos;
    }
    if (letter)
        *prev = KH_CP_LETTER;
    if (truncated)
        *flags |= KH_TOKEN_TRUNCATED;
    *end = last;
    t->pos = pos;
    t->norm_len = nl;
}

/* Is the two bytes at s a letter that arabic_run takes? */
static bool
starts_arabic_run(const unsigned char *s)
{
    return s[0] - 0xD8u <= 3u && (s[1] & 0xC0) == 0x80 &&
           kh__arabtab[(s[0] - 0xD8u) << 6 | (s[1] & 0x3Fu)].what ==
               KH_ARAB_LETTER;
}

/* Skips the one- and two-byte separators at t->pos, which is all that
 * lies between most words; anything else is left to read_unit. */
static void
skip_separators(kh_tokenizer *t)
{
    const unsigned char *s = t->text;
    size_t pos = t->pos, len = t->len;
    while (pos < len) {
        unsigned c = s[pos];
        if (c < 0x80) {
            if (kh__chartab[c].cls != KH_CP_SEP)
                break;
            pos++;
        } else if (c >= 0xC2 && c <= 0xDF && pos + 1 < len &&
                   (s[pos + 1] & 0xC0) == 0x80 &&
                   kh__chartab[((c & 0x1Fu) << 6) | (s[pos + 1] & 0x3Fu)].cls ==
                       KH_CP_SEP) {
            pos += 2;
        } else {
            break;
        }
    }
    t->pos = pos;
}

int
kh__tokenizer_next(kh_tokenizer *t, kh_raw_token *tok)
{
    unit u;
    bool arabic = false, latin = false, other = false, digits = false;
    unsigned flags = 0;
    size_t start, end;
    int prev;
    if (!t->have_unit && t->exp_pos >= t->exp_len) {
        /* The fast path, for most words of Arabic text: separators, then
         * a run of Arabic letters that ends at the end of the text or at
         * an ASCII character (which ends an Arabic word whatever it is,
         * unless the table says to ignore it).  What it cannot finish
         * goes on in the general loop below, from where it stopped. */
        skip_separators(t);
        if (t->pos + 1 < t->len && starts_arabic_run(t->text + t->pos)) {
            arabic = true;
            start = end = t->pos;
            prev = KH_CP_LETTER;
            t->norm_len = 0;
            arabic_run(t, &end, &flags, &prev);
            if (t->pos >= t->len ||
                (t->text[t->pos] < 0x80 &&
                 kh__chartab[t->text[t->pos]].cls != KH_CP_IGNORE))
                goto done;
            goto more;
        }
    }
    for (;;) {
        if (!read_unit(t, &u))
            return 0;
        if (u.cls == KH_CP_LETTER || u.cls == KH_CP_DIGIT)
            break;
    }
    start = u.start;
    end = u.end;
    prev = u.cls;
    t->norm_len = 0;
    if (u.cls == KH_CP_DIGIT)
        digits = true;
    else if (u.script == KH_SCRIPT_ARABIC)
        arabic = true;
    else if (u.script == KH_SCRIPT_LATIN)
        latin = true;
    else
        other = true;
    append(t, &u, &flags);

    for (;;) {
        if (arabic && !t->have_unit && t->exp_pos >= t->exp_len)
            arabic_run(t, &end, &flags, &prev);
    more:
        if (!read_unit(t, &u))
            break;
        if (u.cls == KH_CP_LETTER) {
            if ((u.script == KH_SCRIPT_ARABIC) != arabic)
                goto push_back;
            if (u.script == KH_SCRIPT_LATIN)
                latin = true;
            else if (u.script != KH_SCRIPT_ARABIC)
                other = true;
            append(t, &u, &flags);
            end = u.end;
            prev = KH_CP_LETTER;
        } else if (u.cls == KH_CP_DIGIT) {
            if (arabic)
                goto push_back;
            digits = true;
            append(t, &u, &flags);
            end = u.end;
            prev = KH_CP_DIGIT;
        } else if (u.cls == KH_CP_IGNORE) {
            end = u.end;
        } else if (u.cls == KH_CP_HAMZA) {
            if (prev == KH_CP_LETTER && arabic)
                compose_hamza(t);
            end = u.end;
        } else if (u.cls == KH_CP_NUMSEP) {
            if (prev != KH_CP_DIGIT || latin || other || u.from_exp ||
                !numsep_continues(t, &u))
                break;
            if (u.bytes[0] == '.')
                append(t, &u, &flags);
            end = u.end;
            prev = KH_CP_NUMSEP;
        } else if (u.cls == KH_CP_APOS) {
            size_t len, len2;
            int script, script2;
            if (prev != KH_CP_LETTER || !latin || u.from_exp ||
                peek_class(t, u.end, &len, &script) != KH_CP_LETTER ||
                script != KH_SCRIPT_LATIN)
                break;
            unsigned char next = t->text[u.end];
            int after = peek_class(t, u.end + len, &len2, &script2);
            if ((next == 's' || next == 'S') && after != KH_CP_LETTER &&
                after != KH_CP_DIGIT) {
                /* Possessive 's: drop it and end the word. */
                t->pos = u.end + 1;
                end = u.end + 1;
                break;
            }
            prev = KH_CP_APOS;
        } else {
            break;
        }
    }
    goto done;
push_back:
    t->unit = u;
    t->have_unit = 1;
done:
    t->norm[t->norm_len] = '\0';
    tok->start = start;
    tok->end = end;
    tok->flags = flags;
    tok->norm = t->norm;
    tok->norm_len = t->norm_len;
    if (arabic)
        tok->kind = KH_TOKEN_ARABIC;
    else if (other)
        tok->kind = KH_TOKEN_OTHER;
    else if (latin)
        tok->kind = digits ? KH_TOKEN_MIXED : KH_TOKEN_LATIN;
    else
        tok->kind = KH_TOKEN_NUMBER;
    return 1;
}
