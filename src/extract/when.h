/*
 * when.h -- private interface to the "when" part of src/extract/: Arabic
 * temporal expressions resolved to ISO dates (when.c, when_lex.c,
 * when_tok.c), and figures, numbers with what they count (figures.c).
 *
 * Everything works on UTF-8 text as it is, and every result carries
 * byte offsets into that text.  Words are compared after folding
 * (أ إ آ ٱ -> ا, ى -> ي, ة -> ه, harakat and tatweel dropped), so a
 * table entry covers the spellings news sites use.  Nothing here keeps
 * state between calls; all of it is reentrant.
 *
 * Days are counted from 1970-01-01 (day 0), in the proleptic Gregorian
 * calendar, as int64_t.  See docs/entities.md, "Dates and figures", for
 * the resolution rules.
 */
#ifndef KH_EXTRACT_WHEN_H
#define KH_EXTRACT_WHEN_H

#include "kh_int.h"

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
    uint64_t value;     /* KH_WT_NUM: the digits' value, saturated */
    int n_digits;       /* KH_WT_NUM */
    unsigned char wlen; /* KH_WT_WORD: folded bytes; KH_WT_WORD_MAX when
                         * the word was too long */
    char word[KH_WT_WORD_MAX];
} kh_wtok;

/* Cuts text[0..len) into tokens: runs of digits (ASCII, Arabic-Indic,
 * Persian), words (letters folded as above), single punctuation marks.
 * On KH_OK *out holds *n_out tokens (kh_free() it). */
KH_HIDDEN kh_status kh__wtok_split(const char *text, size_t len, kh_wtok **out,
                                   size_t *n_out);

/* Does token t hold the folded word w (NUL-terminated)? */
KH_HIDDEN int kh__wtok_is(const kh_wtok *t, const char *w);

/**************************************************************************
** Interface to code in extract/when_lex.c: the word tables.
*/

enum { KH_CAL_GREG = 1, KH_CAL_HIJRI = 2 };

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

#endif /* KH_EXTRACT_WHEN_H */
