/*
 * when.h -- private interface to the "when" part of src/extract/: Arabic
 * temporal expressions resolved to ISO dates (when.c, when_lex.c,
 * when_tok.c), and figures, numbers with what they count (figures.c).
 *
 * Everything works on UTF-8 text as it is, and every result carries
 * byte offsets into that text.  Words are compared after folding
 * (أ إ آ ٱ -> ا, ى -> ي, ة -> ه, harakat and tatweel dropped), so a
 * table entry covers the spellings news sites use.  Nothing here keeps
 * state between calls; all of it is reentrant (two lookup tables are
 * built once, on first use, under pthread_once, and only read after).
 *
 * Days are counted from 1970-01-01 (day 0), in the proleptic Gregorian
 * calendar, as int64_t.  See docs/entities.md, "Dates and figures", for
 * the resolution rules.
 */
#ifndef KH_EXTRACT_WHEN_H
#define KH_EXTRACT_WHEN_H

#include "kh_int.h"

#include <string.h>

/**************************************************************************
** Interface to code in extract/when.c
*/

typedef enum kh_when_kind {
    KH_WHEN_ABSOLUTE = 1, /* the text names the day, month or year */
    KH_WHEN_RELATIVE = 2, /* أمس, غدا, الشهر الماضي: counted from the
                           * publication date */
    KH_WHEN_WEEKDAY = 3 /* a weekday name alone: the nearest such day */
} kh_when_kind;

typedef enum kh_when_grain {
    KH_WHEN_DAY = 1,   /* first == last, or a range of days */
    KH_WHEN_WEEK = 2,  /* Sunday to Saturday */
    KH_WHEN_MONTH = 3, /* first and last day of the month */
    KH_WHEN_YEAR = 4   /* 1 January to 31 December */
} kh_when_grain;

typedef struct kh_when {
    size_t start;      /* first byte of the expression in the text */
    size_t end;        /* one past its last byte */
    int64_t first;     /* first day covered (days since 1970-01-01) */
    int64_t last;      /* last day covered; == first for one day */
    kh_when_kind kind; /* absolute, relative or weekday */
    kh_when_grain grain;
    int is_range; /* "22 إلى 30 أغسطس": first..last are the two ends */
    int hijri;    /* 1 when the text wrote a Hijri date */
} kh_when;

/* Finds the temporal expressions in text[0..len) (UTF-8; invalid bytes
 * are skipped, never read past len), resolving relative ones against
 * ref_day, the publication date in days since 1970-01-01.  On KH_OK,
 * *out holds *n_out expressions in text order (kh_free() it; NULL when
 * there are none).  Errors: KH_ENOMEM. */
KH_HIDDEN kh_status kh__when_find(const char *text, size_t len, int64_t ref_day,
                                  kh_when **out, size_t *n_out);

struct kh_wtok;

/* kh__when_find() on text already cut into toks[0..n) by kh__wtok_split()
 * (below).  When out0_v is not NULL it also gives the expressions as they are
 * with day 0 as reference, in one pass: figures.c leaves out numbers inside
 * those, and with another reference a few would differ (29 February
 * without a year exists in some years only).  Errors: KH_ENOMEM, with
 * nothing set. */
KH_HIDDEN kh_status kh__when_scan(const struct kh_wtok *toks, size_t n,
                                  const char *text, int64_t ref_day,
                                  kh_when **out_v, size_t *n_out,
                                  kh_when **out0_v, size_t *n_out0);

/* Writes w's value as ISO 8601 into buf (at least 32 bytes): "2015-07-21"
 * for a day, "2015-07" for a month, "2015" for a year, "a/b" (two days)
 * for a range or a week.  Returns buf. */
KH_HIDDEN char *kh__when_format(const kh_when *w, char *buf);

/* Days since 1970-01-01 of a Gregorian date, and back. */
KH_HIDDEN int64_t kh__when_days(int64_t year, unsigned month, unsigned day);
KH_HIDDEN void kh__when_civil(int64_t days, int64_t *year, unsigned *month,
                              unsigned *day);

/* Days since 1970-01-01 of a Hijri date as Saudi pages mean it: the
 * tabular calendar (ingest/hijri.c), moved to the Umm al-Qura month
 * start for the months when__lex knows (see when_lex.c). */
KH_HIDDEN int64_t kh__when_hijri_days(int year, int month, int day);

/**************************************************************************
** Interface to code in extract/when_tok.c: the tokenizer shared by
** when.c and figures.c.
*/

enum { KH_WT_NUM = 1, KH_WT_WORD = 2, KH_WT_PUNCT = 3 };

#define KH_WT_WORD_MAX 32 /* folded bytes kept; longer words never match */

typedef struct kh_wtok {
    size_t start, end;  /* bytes in the text */
    int kind;           /* KH_WT_* */
    int space_before;   /* whitespace (or the start of the text) before */
    uint32_t punct;     /* KH_WT_PUNCT: the code point */
    unsigned lex;       /* KH_WT_WORD: KH_WL_* bits from when_lex.c */
    uint64_t value;     /* KH_WT_NUM: the digits' value, saturated */
    int n_digits;       /* KH_WT_NUM */
    unsigned char wlen; /* KH_WT_WORD: folded bytes; KH_WT_WORD_MAX when
                         * the word was too long */
    char word[KH_WT_WORD_MAX]; /* zeros after the word */
} kh_wtok;

/* Cuts text[0..len) into tokens: runs of digits (ASCII, Arabic-Indic,
 * Persian), words (letters folded as above, with their KH_WL_* bits),
 * single punctuation marks.  On KH_OK *out holds *n_out tokens (kh_free()
 * it). */
KH_HIDDEN kh_status kh__wtok_split(const char *text, size_t len, kh_wtok **out,
                                   size_t *n_out);

/* Does token t hold the folded word w (NUL-terminated)?  Inline so that
 * strlen of a literal folds to a constant: the matchers call this a few
 * dozen times at every place they try. */
static inline __attribute__((always_inline)) int
kh__wtok_is(const kh_wtok *t, const char *w)
{
    size_t wl = strlen(w);
    return t != NULL && t->kind == KH_WT_WORD && t->wlen == wl &&
           memcmp(t->word, w, wl) == 0;
}

/* A folded word with its length, for lists of words that are tried one
 * after another at many places: no strlen at each try. */
typedef struct kh_wlit {
    const char *w;
    size_t len;
} kh_wlit;

#define KH_WLIT(w)                                                             \
    {                                                                          \
        (w), sizeof(w) - 1                                                     \
    }

/* Does token t hold one of the words list[0..n)? */
static inline int
kh__wtok_in(const kh_wtok *t, const kh_wlit *list, size_t n)
{
    if (t == NULL || t->kind != KH_WT_WORD)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (t->wlen == list[k].len && memcmp(t->word, list[k].w, t->wlen) == 0)
            return 1;
    return 0;
}

/**************************************************************************
** Interface to code in extract/when_lex.c: the word tables.
*/

enum { KH_CAL_GREG = 1, KH_CAL_HIJRI = 2 };

/* What a folded word may be, as far as the tables know.  A bit is set for
 * every spelling the matching function below could accept (clitic forms
 * included) and for some it then turns down, never the other way round:
 * a clear bit lets the caller skip the word without asking. */
enum {
    KH_WL_MONTH = 1u << 0,   /* kh__when_month may start here */
    KH_WL_WEEKDAY = 1u << 1, /* kh__when_weekday */
    KH_WL_ORDINAL = 1u << 2, /* kh__when_ordinal */
    KH_WL_DAYWORD = 1u << 3, /* أمس, غدا, اليوم, الشهر, العام, عام ... */
    KH_WL_SCALE = 1u << 4, /* a scale word of figures.c: مليون, آلاف */
    KH_WL_DATE = KH_WL_MONTH | KH_WL_WEEKDAY | KH_WL_ORDINAL | KH_WL_DAYWORD
};

/* The KH_WL_* bits of the folded word w[0..wl).  w must hold
 * KH_WT_WORD_MAX bytes, zeros after the word (as kh_wtok.word does). */
KH_HIDDEN unsigned kh__when_lex_bits(const char *w, size_t wl);
/* The same without making sure that the table is built: for the
 * tokenizer, which calls kh__when_lex_init() once per text. */
KH_HIDDEN void kh__when_lex_init(void);
KH_HIDDEN unsigned kh__when_lex_find(const char *w, size_t wl, uint32_t hash);

/* The hash kh__when_lex_find() takes, of a word of wl < KH_WT_WORD_MAX
 * bytes in w, zero-padded to KH_WT_WORD_MAX: its bytes in groups of
 * eight, each read as a little-endian number. */
static inline uint32_t
kh__when_lex_hash(const char *w, size_t wl)
{
    uint64_t h = (uint64_t)wl * UINT64_C(0x9E3779B97F4A7C15);
    for (size_t k = 0; k < wl; k += 8) {
        uint64_t g;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&g, w + k, 8);
#else
        const unsigned char *b = (const unsigned char *)w + k;
        g = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
            (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 |
            (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
#endif
        h = (h ^ g) * UINT64_C(0xFF51AFD7ED558CCD);
    }
    return (uint32_t)(h >> 32);
}

/* A month name at tokens t[i..n): returns the month (1-12) and sets *cal
 * and *next (the token after the name, which may take two words), or 0.
 * A leading conjunction or preposition clitic (و ف ب ل) is allowed when
 * allow_clitic is set. */
KH_HIDDEN int kh__when_month(const kh_wtok *t, size_t n, size_t i,
                             int allow_clitic, int *cal, size_t *next);
/* The weekday (0 = Sunday .. 6 = Saturday) of token t, with or without
 * the article and one clitic, or -1. */
KH_HIDDEN int kh__when_weekday(const kh_wtok *t);
/* An ordinal day word at t[i..n) ("الثاني", "الحادي عشر", "السادس
 * والعشرين"): returns the day (1-31) and sets *next, or 0. */
KH_HIDDEN int kh__when_ordinal(const kh_wtok *t, size_t n, size_t i,
                               size_t *next);
/* Is token t a word that marks a coming event ("سوف", "المقرر",
 * "ستعقد")? */
KH_HIDDEN int kh__when_future_word(const kh_wtok *t);

/**************************************************************************
** Interface to code in extract/figures.c
*/

typedef struct kh_figure {
    size_t start, end;           /* the number and its unit or noun */
    double value;                /* 3 ملايين -> 3000000 */
    int approximate;             /* "آلاف", "مئات": an order of size */
    size_t unit_start, unit_end; /* the counted noun or unit; equal when
                                  * none follows */
} kh_figure;

/* Finds the figures in text[0..len): numbers (any digits, with thousands
 * and decimal separators, scale words: ألف مليون مليار) and number words
 * (آلاف, ملايين, مئات), with the noun or unit that follows ("141 دولة",
 * "3 ملايين دولار", "25 %").  Numbers that belong to a date are left out.
 * On KH_OK *out holds *n_out figures (kh_free() it). */
KH_HIDDEN kh_status kh__figures_find(const char *text, size_t len,
                                     kh_figure **out, size_t *n_out);

/* Both at once, on one cut of the text: *dates and *n_dates as
 * kh__when_find(text, len, ref_day, ...) gives them, *figs and *n_figs as
 * kh__figures_find(text, len, ...) does.  On an error neither is set.
 * Errors: KH_ENOMEM. */
KH_HIDDEN kh_status kh__when_and_figures_find(const char *text, size_t len,
                                              int64_t ref_day, kh_when **dates,
                                              size_t *n_dates, kh_figure **figs,
                                              size_t *n_figs);

/* The k-th scale word of figures.c, folded ("مليون", "الاف"), or NULL
 * after the last: when_lex.c marks them KH_WL_SCALE. */
KH_HIDDEN const char *kh__figures_scale_word(size_t k);

#endif /* KH_EXTRACT_WHEN_H */
