/*
 * stem_light.c -- Khabar's light stemmer for normalized Arabic words.
 *
 * In the family of Larkey, Ballesteros and Connell's "light10" (Light
 * Stemming for Arabic Information Retrieval, 2007): strip proclitics and
 * a few suffixes by rule, no dictionary, no roots.  Where it departs from
 * light10 it does so to stay consistent, so that one word gets one stem
 * whatever is attached to it:
 *  - a leading و is removed after the article too (الوزير, وزير and
 *    والوزير all give زير; light10 gives وزير for the first and زير for the
 *    second);
 *  - enclitic pronouns are removed, and a ta marbuta that turned into ت
 *    before them is restored (حكومتنا -> حكومه -> حكوم, like حكومة);
 *  - the accusative alef (تمهيدًا -> تمهيد) and the verb plural وا go;
 *  - the light10 suffixes are removed up to three times, so that
 *    اللبنانيين, اللبناني and لبنان meet.
 * The input is the analyzer's normalized form (ة is already ه, ى is ي,
 * hamza-alef forms are ا), so only those letters appear in the rules.
 * docs/analysis.md has the rules with examples; which stemmer the index
 * uses is decided by retrieval measurements, not here.
 *
 * Every letter the rules look at is two bytes of UTF-8 (U+0600..U+06FF);
 * the stemmer reads each in place as one 16-bit code (lead byte << 8 |
 * trail byte) so that affixes compare as integers, and a stem is a slice
 * of the input, copied out once.
 */
#include "text.h"

#include <string.h>

#define LETTER_BYTES 2
#define MAX_LETTERS  (KH_MAX_TOKEN_BYTES / LETTER_BYTES)

/* The letters of the rules, as 16-bit UTF-8 codes. */
enum {
    ALEF = 0xD8A7, /* ا U+0627 */
    BEH = 0xD8A8,  /* ب */
    TEH = 0xD8AA,  /* ت */
    FEH = 0xD981,  /* ف */
    KAF = 0xD983,  /* ك */
    LAM = 0xD984,  /* ل */
    MEEM = 0xD985, /* م */
    NOON = 0xD986, /* ن */
    HEH = 0xD987,  /* ه */
    WAW = 0xD988,  /* و */
    YEH = 0xD98A   /* ي */
};

/*
 * The affixes, longest first where they overlap (the first match wins):
 *   articles  وبال وكال فبال ولل فلل وال فال بال كال لل ال   (2+ letters left)
 *   و         once or twice, after the article too           (3+ left)
 *   pronouns  هما كما هم هن كم كن نا ها ه                    (3+ left)
 *   otherwise وا, else the accusative ا                      (3+ left)
 *   suffixes  ان ات ون ين يه ه ي, up to three times          (2+ left)
 * Each step below dispatches on the letter at the end it looks at, which
 * is what makes the stemmer cheap enough to run on every token.
 */

typedef struct word {
    const unsigned char *b; /* UTF-8, two bytes a letter */
    size_t n;               /* letters */
} word;

static uint16_t
code(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t
at(const word *w, size_t i) /* the i-th letter; 0 if there is none */
{
    return i < w->n ? code(w->b + 2 * i) : 0;
}

static uint16_t
back(const word *w, size_t i) /* the i-th letter from the end, from 0 */
{
    return i < w->n ? code(w->b + 2 * (w->n - 1 - i)) : 0;
}

static void
drop_front(word *w, size_t k)
{
    w->b += 2 * k;
    w->n -= k;
}

/* Length of the article prefix to strip (leaving 2+ letters), or 0. */
static size_t
article(const word *w)
{
    uint16_t c0 = at(w, 0), c1 = at(w, 1), c2 = at(w, 2), c3 = at(w, 3);
    size_t n = w->n;
    switch (c0) {
    case ALEF: /* ال */
    case LAM:  /* لل */
        return c1 == LAM && n >= 4 ? 2 : 0;
    case WAW: /* وبال وكال ولل وال */
    case FEH: /* فبال فلل فال */
        if ((c1 == BEH || (c1 == KAF && c0 == WAW)) && c2 == ALEF &&
            c3 == LAM && n >= 6)
            return 4;
        if ((c1 == LAM || c1 == ALEF) && c2 == LAM && n >= 5)
            return 3;
        return 0;
    case BEH: /* بال */
    case KAF: /* كال */
        return c1 == ALEF && c2 == LAM && n >= 5 ? 3 : 0;
    default:
        return 0;
    }
}

/* Length of the enclitic pronoun to strip (leaving 3+ letters), or 0. */
static size_t
pronoun(const word *w)
{
    uint16_t z0 = back(w, 0), z1 = back(w, 1), z2 = back(w, 2);
    size_t n = w->n;
    switch (z0) {
    case ALEF: /* هما كما نا ها */
        if (z1 == MEEM && (z2 == HEH || z2 == KAF))
            return n >= 6 ? 3 : 0;
        return (z1 == NOON || z1 == HEH) && n >= 5 ? 2 : 0;
    case MEEM: /* هم كم */
    case NOON: /* هن كن */
        return (z1 == HEH || z1 == KAF) && n >= 5 ? 2 : 0;
    case HEH: /* ه */
        return n >= 4 ? 1 : 0;
    default:
        return 0;
    }
}

/* Length of the light10 suffix to strip (leaving 2+ letters), or 0. */
static size_t
suffix(const word *w)
{
    uint16_t z1 = back(w, 1);
    size_t n = w->n;
    switch (back(w, 0)) {
    case NOON: /* ان ون ين */
        return (z1 == ALEF || z1 == WAW || z1 == YEH) && n >= 4 ? 2 : 0;
    case TEH: /* ات */
        return z1 == ALEF && n >= 4 ? 2 : 0;
    case HEH: /* يه, else ه */
        if (z1 == YEH && n >= 4)
            return 2;
        return n >= 3 ? 1 : 0;
    case YEH: /* ي */
        return n >= 3 ? 1 : 0;
    default:
        return 0;
    }
}

static const unsigned char allah[] = "\xD8\xA7\xD9\x84\xD9\x84\xD9\x87";

static void
stem(word *w, unsigned char *buf)
{
    if (w->n < 3)
        return;
    if (w->n >= 4 && back(w, 0) == HEH && back(w, 1) == LAM &&
        back(w, 2) == LAM && back(w, 3) == ALEF) {
        /* الله and عبدالله keep their letters; والله بالله فالله تالله
         * become الله. */
        uint16_t c0 = at(w, 0);
        if (w->n == 5 && (c0 == WAW || c0 == BEH || c0 == FEH || c0 == TEH))
            drop_front(w, 1);
        return;
    }
    if (w->n == 3 && at(w, 0) == LAM && at(w, 1) == LAM && at(w, 2) == HEH) {
        w->b = allah; /* لله */
        w->n = 4;
        return;
    }
    drop_front(w, article(w));
    for (int i = 0; i < 2 && w->n >= 4 && at(w, 0) == WAW; i++)
        drop_front(w, 1);

    size_t k;
    if ((k = pronoun(w)) > 0) {
        w->n -= k;
        if (w->n >= 4 && back(w, 0) == TEH && back(w, 1) != ALEF) {
            /* حكومت+نا: the ta marbuta is back; ه stands for it. */
            memcpy(buf, w->b, 2 * w->n);
            buf[2 * w->n - 2] = (unsigned char)(HEH >> 8);
            buf[2 * w->n - 1] = (unsigned char)(HEH & 0xFF);
            w->b = buf;
        }
    } else if (w->n >= 5 && back(w, 1) == WAW && back(w, 0) == ALEF) {
        w->n -= 2; /* verb plural: قالوا */
    } else if (w->n >= 4 && back(w, 0) == ALEF) {
        w->n -= 1; /* accusative alef: تمهيدا */
    }
    for (int round = 0; round < 3 && (k = suffix(w)) > 0; round++)
        w->n -= k;
}

size_t
kh__stem_light(const char *norm, size_t len, char *out)
{
    unsigned char buf[KH_MAX_TOKEN_BYTES + 2];
    const unsigned char *s = (const unsigned char *)norm;
    size_t n = len / LETTER_BYTES;
    /* Only words made entirely of two-byte Arabic letters are stemmed. */
    bool arabic = len % LETTER_BYTES == 0 && n <= MAX_LETTERS;
    for (size_t i = 0; arabic && i < n; i++)
        arabic = s[2 * i] - 0xD8u <= 3u;
    if (!arabic) {
        memmove(out, norm, len);
        out[len] = '\0';
        return len;
    }
    word w = {s, n};
    stem(&w, buf);
    memmove(out, w.b, 2 * w.n);
    out[2 * w.n] = '\0';
    return 2 * w.n;
}
