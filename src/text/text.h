/*
 * text.h -- private interface of the text analysis module (src/text/).
 *
 * The pipeline is: UTF-8 decoding and per-character folding (chartab.c),
 * tokenization into words/numbers with exact byte offsets (tokenize.c),
 * stop-word flagging (stopwords.c) and stemming (stem_light.c,
 * stem_snowball.c), tied together by analyzer.c behind the public API in
 * include/khabar/analyzer.h.
 */
#ifndef KH_TEXT_H
#define KH_TEXT_H

#include "kh_int.h"

/**************************************************************************
** Interface to code in text/chartab.c
**
** Every code point has a class and, for letters and digits, a folded form:
** the UTF-8 bytes that the normalized token gets for it.  Classes:
*/
enum {
    KH_CP_SEP = 0, /* separates tokens: spaces, punctuation, symbols */
    KH_CP_LETTER,  /* part of a word; out[] holds its folded form */
    KH_CP_DIGIT,   /* a decimal digit; out[] holds the ASCII digit */
    KH_CP_IGNORE,  /* dropped without splitting: harakat, tatweel, ZWJ... */
    KH_CP_NUMSEP,  /* . , U+066B U+066C: inside a number when between digits */
    KH_CP_APOS,    /* ' U+2019: inside a Latin word when between letters */
    KH_CP_EXPAND,  /* folds to several characters of different classes
                      (U+FDFA, the vulgar fractions): re-read the output */
    KH_CP_HAMZA    /* combining hamza U+0654/U+0655: composes with the
                      letter before it, as in the precomposed forms */
};

enum { KH_SCRIPT_NONE = 0, KH_SCRIPT_ARABIC, KH_SCRIPT_LATIN, KH_SCRIPT_OTHER };

/* Folded output longer than this is not cached (only a handful of
 * compatibility ligatures such as U+FDFA); kh__cp_long() recomputes it. */
#define KH_CP_OUT_MAX 12

typedef struct kh_cpinfo {
    uint8_t cls;             /* KH_CP_* */
    uint8_t script;          /* KH_SCRIPT_* of the folded form */
    uint8_t len;             /* bytes in out[]; > KH_CP_OUT_MAX: see above */
    uint8_t ready;           /* table bookkeeping */
    char out[KH_CP_OUT_MAX]; /* folded UTF-8, not NUL-terminated */
} kh_cpinfo;

/* Information for code point cp (0..0x10FFFF).  The returned entry is
 * either in a shared read-only table or, for cp >= 0x10000, written into
 * *scratch.  Thread-safe. */
KH_HIDDEN const kh_cpinfo *kh__cpinfo(uint32_t cp, kh_cpinfo *scratch);

/* Writes the full folded form of cp into out[0..cap) and returns its
 * length; used when an entry's len exceeds KH_CP_OUT_MAX.  Returns 0 when
 * it does not fit. */
KH_HIDDEN size_t kh__cp_long(uint32_t cp, char *out, size_t cap);

/* The Arabic letters of surface[0..len) with marks, tatweel and joiners
 * removed and presentation forms decomposed, but without Khabar's own
 * letter folds (ة ى أ إ آ ؤ ئ stay): the input the Snowball stemmer
 * expects.  Writes at most cap - 1 bytes and a NUL; returns the length. */
KH_HIDDEN size_t kh__unfolded_letters(const char *surface, size_t len,
                                      char *out, size_t cap);

/* Applies the per-character folds to the letters of word[0..len), writing
 * them into out (cap bytes, NUL-terminated); returns the length. */
KH_HIDDEN size_t kh__fold_letters(const char *word, size_t len, char *out,
                                  size_t cap);

/* Makes sure the table covering U+0000..U+07FF is built, so that the
 * tokenizer's fast path can index it without a check. */
KH_HIDDEN void kh__chartab_init(void);

/* The table for the Basic Multilingual Plane.  Entries below U+0800
 * (ASCII, Latin, Greek, Cyrillic, Hebrew, Arabic, Arabic Supplement) are
 * valid after kh__chartab_init(); others only through kh__cpinfo(). */
KH_HIDDEN extern kh_cpinfo kh__chartab[0x10000];

/* The tokenizer's inner loop over an Arabic word reads this instead: for
 * U+0600..U+06FF (UTF-8 lead bytes D8..DB, index (lead - 0xD8) << 6 |
 * (trail & 0x3F)), whether the character is an Arabic letter folding to
 * one two-byte letter (out[] holds it) or a mark to drop; anything else
 * is KH_ARAB_OTHER.  The index is also cp - 0x600.  Valid after
 * kh__chartab_init(). */
enum { KH_ARAB_OTHER = 0, KH_ARAB_LETTER, KH_ARAB_IGNORE };
typedef struct kh_arabinfo {
    char out[2];
    uint8_t what; /* KH_ARAB_* */
    uint8_t unused;
} kh_arabinfo;
KH_HIDDEN extern kh_arabinfo kh__arabtab[256];

/* Decodes one UTF-8 sequence at s[0..n), n >= 1.  Returns its length and
 * sets *cp, or returns 0 for an invalid or truncated sequence. */
static inline size_t
kh__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
            return 0; /* overlong, or a UTF-16 surrogate */
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
              (s[2] & 0x3F);
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
            return 0; /* overlong, or past U+10FFFF */
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
              ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return 4;
    }
    return 0;
}

/**************************************************************************
** Interface to code in text/tokenize.c
**
** The tokenizer yields raw tokens: offsets, kind, normalized form.  It
** knows nothing of stop words or stems.
*/

typedef struct kh_tokenizer {
    const unsigned char *text; /* borrowed input */
    size_t len;
    size_t pos; /* next byte to read */
    /* A pending expansion (KH_CP_EXPAND): its folded bytes are read as if
     * they were input, all with the span of the original character. */
    char exp[96];
    size_t exp_len, exp_pos;
    size_t exp_start, exp_end;
    /* One unit of look-ahead, pushed back at a token boundary. */
    int have_unit;
    struct kh_unit {
        const char *bytes; /* folded bytes */
        size_t nbytes;
        size_t start, end; /* span in the input */
        uint8_t cls, script;
        uint8_t from_exp; /* came from an expansion */
    } unit;
    kh_cpinfo scratch;
    char norm[KH_MAX_TOKEN_BYTES + 8]; /* normalized form of the token */
    size_t norm_len;
} kh_tokenizer;

typedef struct kh_raw_token {
    size_t start, end;
    kh_token_kind kind;
    unsigned flags;   /* KH_TOKEN_TRUNCATED */
    const char *norm; /* points into the tokenizer, NUL-terminated */
    size_t norm_len;
} kh_raw_token;

KH_HIDDEN void kh__tokenizer_reset(kh_tokenizer *t, const char *text,
                                   size_t len);
/* 1 and *tok filled, or 0 at the end of the text. */
KH_HIDDEN int kh__tokenizer_next(kh_tokenizer *t, kh_raw_token *tok);

/**************************************************************************
** Interface to code in text/stopwords.c
*/

/* True if the normalized form norm[0..len) is an Arabic or English stop
 * word.  The list is built once, thread-safely, from
 * data/stopwords/ar.txt normalized with the same rules as the text. */
KH_HIDDEN bool kh__is_stopword(const char *norm, size_t len);

/**************************************************************************
** Interface to code in text/stem_light.c
*/

/* Light-stems the normalized Arabic word norm[0..len) into out (at least
 * len + 1 bytes) and returns the stem's length; out is NUL-terminated. */
KH_HIDDEN size_t kh__stem_light(const char *norm, size_t len, char *out);

/**************************************************************************
** Interface to code in text/stem_snowball.c
*/

typedef struct kh_snowball kh_snowball;
KH_HIDDEN kh_status kh__snowball_new(kh_snowball **out);
KH_HIDDEN void kh__snowball_free(kh_snowball *s);
/* Stems word[0..len) into out (cap bytes, NUL-terminated, truncated at a
 * character boundary if needed); returns the stem's length. */
KH_HIDDEN size_t kh__snowball_stem(kh_snowball *s, const char *word, size_t len,
                                   char *out, size_t cap);

#endif /* KH_TEXT_H */
