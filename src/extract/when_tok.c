/*
 * when_tok.c -- the small tokenizer under the date and figure extractors.
 *
 * It keeps what the analyzer throws away for search but dates need:
 * punctuation ("/", "-", "(") and the exact byte span of every token.
 * Words are folded (alef variants -> ا, ى -> ي, ة -> ه, Latin lower
 * case) with harakat, tatweel and direction marks skipped inside them.
 * Invalid UTF-8 bytes become punctuation tokens of one byte, so the scan
 * always moves forward and never reads past the end.
 */
#include "extract/when.h"

#include <string.h>

/* Decodes one code point at s[*i]; an invalid byte gives U+FFFD and
 * advances by one. */
static uint32_t
decode(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        cp = c & 0x1Fu;
        n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        cp = c & 0x0Fu;
        n = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
        cp = c & 0x07u;
        n = 3;
    } else {
        (*i)++;
        return 0xFFFD;
    }
    if (len - *i <= n) {
        (*i)++;
        return 0xFFFD;
    }
    for (size_t k = 1; k <= n; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3Fu);
    }
    *i += n + 1;
    return cp;
}

static int
digit_of(uint32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    if (cp >= 0x0660 && cp <= 0x0669)
        return (int)(cp - 0x0660);
    if (cp >= 0x06F0 && cp <= 0x06F9)
        return (int)(cp - 0x06F0);
    return -1;
}

/* Harakat, superscript alef, tatweel, direction marks, soft hyphen. */
static int
ignorable(uint32_t cp)
{
    return (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x0640 ||
           cp == 0x200E || cp == 0x200F || cp == 0x061C || cp == 0x00AD ||
           cp == 0x200C || cp == 0x200D;
}

static int
space(uint32_t cp)
{
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x3000 ||
           cp == 0xFEFF;
}

/* The folded letter, or 0 when cp is not a letter. */
static uint32_t
fold(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp >= 'a' && cp <= 'z')
        return cp;
    switch (cp) {
    case 0x0622:
    case 0x0623:
    case 0x0625:
    case 0x0671:
        return 0x0627; /* ا */
    case 0x0649:
    case 0x06CC:
        return 0x064A; /* ي */
    case 0x0629:
        return 0x0647; /* ه */
    case 0x06A9:
        return 0x0643; /* ك */
    default:
        break;
    }
    if ((cp >= 0x0621 && cp <= 0x063A) || (cp >= 0x0641 && cp <= 0x064A) ||
        (cp >= 0x0671 && cp <= 0x06D3))
        return cp;
    return 0;
}

static void
put(kh_wtok *t, uint32_t cp)
{
    if (t->wlen >= KH_WT_WORD_MAX)
        return;
    unsigned char b[3];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    if (t->wlen + n >= KH_WT_WORD_MAX) {
        t->wlen = KH_WT_WORD_MAX; /* too long for any table: never matches */
        return;
    }
    memcpy(t->word + t->wlen, b, n);
    t->wlen = (unsigned char)(t->wlen + n);
}

kh_status
kh__wtok_split(const char *text, size_t len, kh_wtok **out, size_t *n_out)
{
    const unsigned char *s = (const unsigned char *)text;
    kh_wtok *v = NULL;
    size_t n = 0, cap = 0, i = 0;
    int sp = 1;
    *out = NULL;
    *n_out = 0;
    if (text == NULL)
        len = 0;
    while (i < len) {
        size_t at = i;
        uint32_t cp = decode(s, len, &i);
        if (space(cp)) {
            sp = 1;
            continue;
        }
        if (ignorable(cp))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            kh_wtok *nv = kh_realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                kh_free(v);
                return KH_ENOMEM;
            }
            v = nv;
            cap = ncap;
        }
        kh_wtok *t = &v[n++];
        memset(t, 0, sizeof *t);
        t->start = at;
        t->space_before = sp;
        sp = 0;
        int d = digit_of(cp);
        uint32_t f;
        if (d >= 0) {
            t->kind = KH_WT_NUM;
            uint64_t val = (uint64_t)d;
            int nd = 1;
            while (i < len) {
                size_t save = i;
                int d2 = digit_of(decode(s, len, &i));
                if (d2 < 0) {
                    i = save;
                    break;
                }
                if (val < UINT64_C(100000000000000000))
                    val = val * 10 + (uint64_t)d2;
                if (nd < 1000)
                    nd++;
            }
            t->value = val;
            t->n_digits = nd;
        } else if ((f = fold(cp)) != 0) {
            t->kind = KH_WT_WORD;
            put(t, f);
            while (i < len) {
                size_t save = i;
                uint32_t c2 = decode(s, len, &i);
                if (ignorable(c2))
                    continue;
                uint32_t f2 = fold(c2);
                if (f2 == 0) {
                    i = save;
                    break;
                }
                put(t, f2);
            }
            /* a trailing tatweel or haraka belongs to the word's span */
        } else {
            t->kind = KH_WT_PUNCT;
            t->punct = cp;
        }
        t->end = i;
    }
    *out = v;
    *n_out = n;
    return KH_OK;
}

int
kh__wtok_is(const kh_wtok *t, const char *w)
{
    size_t wl = strlen(w);
    return t != NULL && t->kind == KH_WT_WORD && t->wlen == wl &&
           memcmp(t->word, w, wl) == 0;
}
