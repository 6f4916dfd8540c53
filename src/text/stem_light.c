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
 */
#include "text.h"

#include <string.h>

#define LETTER_BYTES 2 /* every letter the rules see is two bytes */

typedef struct word {
    const char *p;
    size_t n; /* bytes */
} word;

static size_t
letters(const word *w)
{
    return w->n / LETTER_BYTES;
}

static bool
starts_with(const word *w, const char *lit)
{
    size_t n = strlen(lit);
    return w->n >= n && memcmp(w->p, lit, n) == 0;
}

static bool
ends_with(const word *w, const char *lit)
{
    size_t n = strlen(lit);
    return w->n >= n && memcmp(w->p + w->n - n, lit, n) == 0;
}

/* Removes the longest prefix from list whose removal leaves at least min
 * letters; returns true if one was removed. */
static bool
strip_prefix(word *w, const char *const *list, size_t count, size_t min)
{
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(list[i]);
        if (starts_with(w, list[i]) && (w->n - n) / LETTER_BYTES >= min) {
            w->p += n;
            w->n -= n;
            return true;
        }
    }
    return false;
}

static bool
strip_suffix(word *w, const char *const *list, size_t count, size_t min)
{
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(list[i]);
        if (ends_with(w, list[i]) && (w->n - n) / LETTER_BYTES >= min) {
            w->n -= n;
            return true;
        }
    }
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Longest first: the first match wins. */
static const char *const articles[] = {
    "وبال", "وكال", "فبال", "ولل", "فلل", "وال",
    "فال",  "بال",  "كال",  "لل",  "ال",
};
static const char *const pronouns[] = {
    "هما", "كما", "هم", "هن", "كم", "كن", "نا", "ها", "ه",
};
static const char *const suffixes[] = {
    "ان", "ات", "ون", "ين", "يه", "ه", "ي",
};

/* Words whose letters look like clitics but are not; the stem is given. */
static const struct {
    const char *word, *stem;
} exceptions[] = {
    {"الله", "الله"},  {"والله", "الله"}, {"بالله", "الله"},
    {"فالله", "الله"}, {"تالله", "الله"}, {"لله", "الله"},
};

size_t
kh__stem_light(const char *norm, size_t len, char *out)
{
    word w = {norm, len};
    /* Only words of two-byte Arabic letters are stemmed. */
    for (size_t i = 0; i < len; i += LETTER_BYTES) {
        unsigned char c = (unsigned char)norm[i];
        if (len % LETTER_BYTES != 0 || c < 0xD8 || c > 0xDB)
            goto done;
    }
    for (size_t i = 0; i < COUNT(exceptions); i++) {
        if (strlen(exceptions[i].word) == len &&
            memcmp(exceptions[i].word, norm, len) == 0) {
            w.p = exceptions[i].stem;
            w.n = strlen(exceptions[i].stem);
            goto done;
        }
    }
    if (letters(&w) < 3 || ends_with(&w, "الله"))
        goto done; /* too short to hold a clitic; or عبدالله and the like */

    strip_prefix(&w, articles, COUNT(articles), 2);
    for (int i = 0; i < 2 && starts_with(&w, "و") && letters(&w) - 1 >= 3; i++)
        w.p += LETTER_BYTES, w.n -= LETTER_BYTES;

    if (strip_suffix(&w, pronouns, COUNT(pronouns), 3)) {
        if (ends_with(&w, "ت") && !ends_with(&w, "ات") && letters(&w) >= 4) {
            /* حكومت+نا: the ta marbuta is back; ه stands for it. */
            memcpy(out, w.p, w.n - LETTER_BYTES);
            memcpy(out + w.n - LETTER_BYTES, "ه", LETTER_BYTES);
            w.p = out;
        }
    } else if (!strip_suffix(&w, (const char *const[]){"وا"}, 1, 3)) {
        strip_suffix(&w, (const char *const[]){"ا"}, 1, 3);
    }
    for (int round = 0; round < 3; round++)
        if (!strip_suffix(&w, suffixes, COUNT(suffixes), 2))
            break;
done:
    memmove(out, w.p, w.n);
    out[w.n] = '\0';
    return w.n;
}
