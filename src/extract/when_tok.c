/*
 * when_tok.c -- the small tokenizer under the date and figure extractors.
 *
 * It keeps what the analyzer throws away for search but dates need:
 * punctuation ("/", "-", "(") and the exact byte span of every token.
 * Words are folded (alef variants -> ا, ى -> ي, ة -> ه, Latin lower
 * case) with harakat, tatweel and direction marks skipped inside them.
 * Invalid UTF-8 bytes become punctuation tokens of one byte, so the scan
 * always moves forward and never reads past the end.
 *
 * It runs over every byte of every article, so the classes of the one-
 * and two-byte code points are looked up in a table made once from the
 * functions below, and Arabic letters take a short path.
 */
#include "extract/when.h"

#include <pthread.h>
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

/* What a code point is, for the scan: worked out from the functions
 * above, once per code point below U+0800 (one or two bytes of UTF-8,
 * which is all of Arabic and ASCII) into a table, and on the spot above. */
enum { C_OTHER = 0, C_SPACE, C_IGNORE, C_DIGIT, C_LETTER };

typedef struct cp_class {
    unsigned char cls;   /* C_* */
    unsigned char digit; /* C_DIGIT: its value */
    unsigned char n;     /* C_LETTER: bytes of the folded letter */
    unsigned char b[4];  /* C_LETTER: the folded letter in UTF-8, 0-padded
                          * so that it is copied as one word */
    unsigned char pad;   /* eight bytes a class: a shift to index */
} cp_class;

static cp_class
classify(uint32_t cp)
{
    cp_class c = {C_OTHER, 0, 0, {0, 0, 0, 0}, 0};
    uint32_t f;
    if (space(cp)) {
        c.cls = C_SPACE;
    } else if (ignorable(cp)) {
        c.cls = C_IGNORE;
    } else if (digit_of(cp) >= 0) {
        c.cls = C_DIGIT;
        c.digit = (unsigned char)digit_of(cp);
    } else if ((f = fold(cp)) != 0) {
        c.cls = C_LETTER;
        if (f < 0x80) {
            c.n = 1;
            c.b[0] = (unsigned char)f;
        } else if (f < 0x800) {
            c.n = 2;
            c.b[0] = (unsigned char)(0xC0 | (f >> 6));
            c.b[1] = (unsigned char)(0x80 | (f & 0x3F));
        } else {
            c.n = 3;
            c.b[0] = (unsigned char)(0xE0 | (f >> 12));
            c.b[1] = (unsigned char)(0x80 | ((f >> 6) & 0x3F));
            c.b[2] = (unsigned char)(0x80 | (f & 0x3F));
        }
    }
    return c;
}

#define LOW_CP 0x800

static cp_class low[LOW_CP];

/* U+0600-U+067F (lead bytes D8 and D9: the Arabic letters, harakat and
 * tatweel) again, packed for the inner loop of a word and indexed by
 * (lead & 1) << 6 | (second & 0x3F): the folded letter's two bytes
 * (b[0] | b[1] << 8, never below 0x100), or one of: */
enum {
    ARAB_END = 0,    /* not part of a word */
    ARAB_IGNORE = 1, /* a mark skipped inside words */
    ARAB_SLOW = 2    /* anything else: the general path decides */
};
static uint16_t arab[0x80];
static pthread_once_t low_once = PTHREAD_ONCE_INIT;

static void
build_low(void)
{
    for (uint32_t cp = 0; cp < LOW_CP; cp++)
        low[cp] = classify(cp);
    for (uint32_t k = 0; k < 0x80; k++) {
        const cp_class *c = &low[0x600 + k];
        if (c->cls == C_LETTER && c->n == 2)
            arab[k] = (uint16_t)(c->b[0] | c->b[1] << 8);
        else if (c->cls == C_IGNORE)
            arab[k] = ARAB_IGNORE;
        else if (c->cls == C_LETTER)
            arab[k] = ARAB_SLOW;
        else
            arab[k] = ARAB_END;
    }
}

/* The class of the code point at s[*i], read as decode() reads it, and
 * the code point in *cp; the one- and two-byte forms (all of ASCII and
 * Arabic) are done here, from the table. */
static inline const cp_class *
next_class(const unsigned char *s, size_t len, size_t *i, uint32_t *cp,
           cp_class *wide)
{
    unsigned char c = s[*i];
    if (c < 0x80) {
        (*i)++;
        *cp = c;
        return &low[c];
    }
    if (c >= 0xC2 && c <= 0xDF && len - *i > 1 && (s[*i + 1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[*i + 1] & 0x3Fu);
        *i += 2;
        return &low[*cp];
    }
    *cp = decode(s, len, i);
    if (*cp < LOW_CP)
        return &low[*cp];
    *wide = classify(*cp);
    return wide;
}

/* Appends a folded letter of n bytes (b zero-padded to four) to the word
 * buf[0..*wl), which has room for four bytes past KH_WT_WORD_MAX; a word
 * that outgrows KH_WT_WORD_MAX is marked too long (*wl = KH_WT_WORD_MAX)
 * and never matches. */
static inline void
put(unsigned char *buf, unsigned *wl, const unsigned char *b, unsigned n)
{
    unsigned at = *wl;
    if (at + n >= KH_WT_WORD_MAX) {
        *wl = KH_WT_WORD_MAX;
        return;
    }
    memcpy(buf + at, b, 4);
    *wl = at + n;
}

/* The rest of a word: letters (ignorable marks skipped) from s[i] into
 * buf[0..*wl); returns the byte after the word.  The word is folded in
 * the caller's locals: were the letters stored straight into the token's
 * char array, the compiler would reload everything after each store. */
static inline size_t
fold_word(unsigned char *buf, unsigned *wl, const unsigned char *s, size_t len,
          size_t i)
{
    while (i < len) {
        /* U+0600-U+067F, nearly all of the text: no decoding to do */
        unsigned w = *wl;
        while (len - i > 1 && (s[i] & 0xFE) == 0xD8 &&
               (s[i + 1] & 0xC0) == 0x80) {
            unsigned e = arab[(s[i] & 1u) << 6 | (s[i + 1] & 0x3Fu)];
            if (e > ARAB_SLOW) {
                if (w + 2 >= KH_WT_WORD_MAX) {
                    w = KH_WT_WORD_MAX;
                } else {
                    buf[w] = (unsigned char)e;
                    buf[w + 1] = (unsigned char)(e >> 8);
                    w += 2;
                }
            } else if (e != ARAB_IGNORE) {
                break;
            }
            i += 2;
        }
        *wl = w;
        if (i >= len)
            break;
        size_t save = i;
        uint32_t cp;
        cp_class wide;
        const cp_class *c = next_class(s, len, &i, &cp, &wide);
        if (c->cls == C_IGNORE)
            continue;
        if (c->cls != C_LETTER)
            return save;
        put(buf, wl, c->b, c->n);
    }
    return i;
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
    pthread_once(&low_once, build_low);
    kh__when_lex_init();
    while (i < len) {
        size_t at = i;
        if (s[i] == ' ') { /* most of the time */
            sp = 1;
            i++;
            continue;
        }
        uint32_t cp;
        cp_class wide;
        const cp_class *c = next_class(s, len, &i, &cp, &wide);
        if (c->cls == C_SPACE) {
            sp = 1;
            continue;
        }
        if (c->cls == C_IGNORE)
            continue;
        if (n == cap) {
            /* news text runs about one token to six bytes */
            size_t ncap = cap               ? cap * 2
                          : len < 6 * 16384 ? len / 6 + 64
                                            : 16384;
            kh_wtok *nv = kh_realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                kh_free(v);
                return KH_ENOMEM;
            }
            v = nv;
            cap = ncap;
        }
        kh_wtok *t = &v[n++];
        t->start = at;
        t->space_before = sp;
        t->punct = 0;
        t->lex = 0;
        t->value = 0;
        t->n_digits = 0;
        t->wlen = 0;
        sp = 0;
        if (c->cls == C_DIGIT) {
            t->kind = KH_WT_NUM;
            uint64_t val = c->digit;
            int nd = 1;
            while (i < len) {
                size_t save = i;
                uint32_t cp2;
                const cp_class *c2 = next_class(s, len, &i, &cp2, &wide);
                if (c2->cls != C_DIGIT) {
                    i = save;
                    break;
                }
                if (val < UINT64_C(100000000000000000))
                    val = val * 10 + c2->digit;
                if (nd < 1000)
                    nd++;
            }
            t->value = val;
            t->n_digits = nd;
            memset(t->word, 0, sizeof t->word);
        } else if (c->cls == C_LETTER) {
            t->kind = KH_WT_WORD;
            unsigned char buf[KH_WT_WORD_MAX + 4] = {0};
            unsigned wl = 0;
            put(buf, &wl, c->b, c->n);
            /* a trailing tatweel or haraka belongs to the word's span */
            i = fold_word(buf, &wl, s, len, i);
            memcpy(t->word, buf, KH_WT_WORD_MAX);
            t->wlen = (unsigned char)wl;
            if (wl < KH_WT_WORD_MAX)
                t->lex = kh__when_lex_find(t->word, wl,
                                           kh__when_lex_hash((char *)buf, wl));
        } else {
            t->kind = KH_WT_PUNCT;
            t->punct = cp;
            memset(t->word, 0, sizeof t->word);
        }
        t->end = i;
    }
    *out = v;
    *n_out = n;
    return KH_OK;
}
