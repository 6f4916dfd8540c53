/*
 * when_lex.c -- the word tables of the date extractor: month names of
 * every regional series, Hijri months, weekdays, ordinal day words, the
 * words that announce a coming event, and the Umm al-Qura corrections to
 * the tabular Hijri calendar.
 *
 * Words are written folded as when_tok.c folds them (ا for أ إ آ, ي for
 * ى, ه for ة).  ingest/textdate.c has its own, static, table of month
 * names for page dates; this one adds the Maghreb and Moroccan series
 * and the variant spellings of running text, and is looked up token by
 * token.
 */
#include "extract/when.h"
#include "ingest/ingest.h"

#include <string.h>

typedef struct month_word {
    const char *first;  /* first word, folded */
    const char *second; /* second word or NULL */
    unsigned char month;
    unsigned char cal;
} month_word;

static const month_word months[] = {
    /* Egypt, the Gulf, Sudan: names from English/French */
    {"يناير", NULL, 1, KH_CAL_GREG},
    {"فبراير", NULL, 2, KH_CAL_GREG},
    {"مارس", NULL, 3, KH_CAL_GREG},
    {"ابريل", NULL, 4, KH_CAL_GREG},
    {"مايو", NULL, 5, KH_CAL_GREG},
    {"يونيو", NULL, 6, KH_CAL_GREG},
    {"يونيه", NULL, 6, KH_CAL_GREG},
    {"يوليو", NULL, 7, KH_CAL_GREG},
    {"يوليه", NULL, 7, KH_CAL_GREG},
    {"اغسطس", NULL, 8, KH_CAL_GREG},
    {"سبتمبر", NULL, 9, KH_CAL_GREG},
    {"اكتوبر", NULL, 10, KH_CAL_GREG},
    {"نوفمبر", NULL, 11, KH_CAL_GREG},
    {"ديسمبر", NULL, 12, KH_CAL_GREG},
    /* Algeria and Tunisia: from French */
    {"جانفي", NULL, 1, KH_CAL_GREG},
    {"فيفري", NULL, 2, KH_CAL_GREG},
    {"افريل", NULL, 4, KH_CAL_GREG},
    {"ماي", NULL, 5, KH_CAL_GREG},
    {"جوان", NULL, 6, KH_CAL_GREG},
    {"جويليه", NULL, 7, KH_CAL_GREG},
    {"جويلييه", NULL, 7, KH_CAL_GREG},
    {"اوت", NULL, 8, KH_CAL_GREG},
    /* Morocco */
    {"يوليوز", NULL, 7, KH_CAL_GREG},
    {"غشت", NULL, 8, KH_CAL_GREG},
    {"شتنبر", NULL, 9, KH_CAL_GREG},
    {"نونبر", NULL, 11, KH_CAL_GREG},
    {"دجنبر", NULL, 12, KH_CAL_GREG},
    /* Levant and Iraq: Syriac names */
    {"كانون", "الثاني", 1, KH_CAL_GREG},
    {"شباط", NULL, 2, KH_CAL_GREG},
    {"اذار", NULL, 3, KH_CAL_GREG},
    {"نيسان", NULL, 4, KH_CAL_GREG},
    {"ايار", NULL, 5, KH_CAL_GREG},
    {"حزيران", NULL, 6, KH_CAL_GREG},
    {"تموز", NULL, 7, KH_CAL_GREG},
    {"اب", NULL, 8, KH_CAL_GREG},
    {"ايلول", NULL, 9, KH_CAL_GREG},
    {"تشرين", "الاول", 10, KH_CAL_GREG},
    {"تشرين", "الثاني", 11, KH_CAL_GREG},
    {"كانون", "الاول", 12, KH_CAL_GREG},
    /* Hijri */
    {"محرم", NULL, 1, KH_CAL_HIJRI},
    {"صفر", NULL, 2, KH_CAL_HIJRI},
    {"ربيع", "الاول", 3, KH_CAL_HIJRI},
    {"ربيع", "اول", 3, KH_CAL_HIJRI},
    {"ربيع", "الاخر", 4, KH_CAL_HIJRI},
    {"ربيع", "الثاني", 4, KH_CAL_HIJRI},
    {"ربيع", "ثاني", 4, KH_CAL_HIJRI},
    {"جمادي", "الاولي", 5, KH_CAL_HIJRI},
    {"جمادي", "الاول", 5, KH_CAL_HIJRI},
    {"جمادي", "الاخره", 6, KH_CAL_HIJRI},
    {"جمادي", "الاخر", 6, KH_CAL_HIJRI},
    {"جمادي", "الثانيه", 6, KH_CAL_HIJRI},
    {"جمادي", "الثاني", 6, KH_CAL_HIJRI},
    {"رجب", NULL, 7, KH_CAL_HIJRI},
    {"شعبان", NULL, 8, KH_CAL_HIJRI},
    {"رمضان", NULL, 9, KH_CAL_HIJRI},
    {"شوال", NULL, 10, KH_CAL_HIJRI},
    {"ذو", "القعده", 11, KH_CAL_HIJRI},
    {"ذي", "القعده", 11, KH_CAL_HIJRI},
    {"ذا", "القعده", 11, KH_CAL_HIJRI},
    {"ذو", "الحجه", 12, KH_CAL_HIJRI},
    {"ذي", "الحجه", 12, KH_CAL_HIJRI},
    {"ذا", "الحجه", 12, KH_CAL_HIJRI},
};

/* Does the folded word w[0..wl) equal the NUL-terminated s? */
static int
same(const char *w, size_t wl, const char *s)
{
    size_t sl = strlen(s);
    return wl == sl && memcmp(w, s, sl) == 0;
}

/* The clitics that may stick to a month or weekday name: و ف ب ل (two
 * bytes each in UTF-8). */
static int
is_clitic(const char *w)
{
    return memcmp(w, "و", 2) == 0 || memcmp(w, "ف", 2) == 0 ||
           memcmp(w, "ب", 2) == 0 || memcmp(w, "ل", 2) == 0;
}

int
kh__when_month(const kh_wtok *t, size_t n, size_t i, int allow_clitic, int *cal,
               size_t *next)
{
    if (i >= n || t[i].kind != KH_WT_WORD || t[i].wlen >= KH_WT_WORD_MAX)
        return 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *w = t[i].word;
        size_t wl = t[i].wlen;
        if (pass == 1) {
            /* "ويوليو", "وأيار"; not "باب" (ب + آب) or "لماي" */
            if (!allow_clitic || wl < 10 || !is_clitic(w))
                return 0;
            w += 2;
            wl -= 2;
        }
        for (size_t k = 0; k < sizeof months / sizeof months[0]; k++) {
            const month_word *m = &months[k];
            if (!same(w, wl, m->first))
                continue;
            if (m->second == NULL) {
                *cal = m->cal;
                *next = i + 1;
                return m->month;
            }
            if (i + 1 < n && kh__wtok_is(&t[i + 1], m->second)) {
                *cal = m->cal;
                *next = i + 2;
                return m->month;
            }
        }
    }
    return 0;
}

/* Sunday first; folded, with the article. */
static const char *const weekdays[7] = {
    "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "السبت",
};

int
kh__when_weekday(const kh_wtok *t)
{
    if (t == NULL || t->kind != KH_WT_WORD || t->wlen >= KH_WT_WORD_MAX)
        return -1;
    const char *w = t->word;
    size_t wl = t->wlen;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            if (wl < 8 || !is_clitic(w))
                return -1;
            w += 2;
            wl -= 2;
        }
        for (int d = 0; d < 7; d++)
            if (same(w, wl, weekdays[d]))
                return d;
        if (same(w, wl, "الاتنين")) /* a common misspelling */
            return 1;
    }
    return -1;
}

static const char *const ordinal_units[10] = {
    NULL,     "الاول",  "الثاني", "الثالث", "الرابع",
    "الخامس", "السادس", "السابع", "الثامن", "التاسع",
};

/* The unit of an ordinal ("الثاني" 2, "الحادي" 1), or 0; in compounds
 * ("الحادي والعشرين") the tens follow, joined with و. */
static int
unit_of(const kh_wtok *t)
{
    if (kh__wtok_is(t, "الحادي") || kh__wtok_is(t, "الواحد"))
        return 1;
    for (int u = 1; u <= 9; u++)
        if (kh__wtok_is(t, ordinal_units[u]))
            return u;
    return 0;
}

int
kh__when_ordinal(const kh_wtok *t, size_t n, size_t i, size_t *next)
{
    if (i >= n || t[i].kind != KH_WT_WORD || t[i].wlen >= KH_WT_WORD_MAX)
        return 0;
    /* a clitic on the first word: "للأول" (ل + الأول), "وبالثاني" */
    kh_wtok head = t[i];
    if (head.wlen > 4 && memcmp(head.word, "لل", 4) == 0) {
        memcpy(head.word, "ا", 2); /* للاول -> الاول */
    } else if (head.wlen > 6 && is_clitic(head.word) &&
               memcmp(head.word + 2, "ال", 4) == 0) {
        memmove(head.word, head.word + 2, head.wlen - 2u);
        head.wlen = (unsigned char)(head.wlen - 2);
    }
    const kh_wtok *a = &head;
    if (kh__wtok_is(a, "العاشر")) {
        *next = i + 1;
        return 10;
    }
    if (kh__wtok_is(a, "العشرين")) {
        *next = i + 1;
        return 20;
    }
    if (kh__wtok_is(a, "الثلاثين")) {
        *next = i + 1;
        return 30;
    }
    int u = unit_of(a);
    if (u == 0)
        return 0;
    if (i + 1 < n) {
        const kh_wtok *b = &t[i + 1];
        if (kh__wtok_is(b, "عشر")) {
            *next = i + 2;
            return 10 + u;
        }
        if (kh__wtok_is(b, "والعشرين")) {
            *next = i + 2;
            return 20 + u;
        }
        if (u == 1 && kh__wtok_is(b, "والثلاثين")) {
            *next = i + 2;
            return 31;
        }
    }
    if (kh__wtok_is(a, "الحادي") || kh__wtok_is(a, "الواحد"))
        return 0; /* needs its tens */
    *next = i + 1;
    return u;
}

/* Nouns that begin like a future verb (س + ي/ت): left out. */
static const char *const not_future[] = {
    "سيار", "سياس", "سيد",  "سيطر", "سيول", "سينا", "سير", "سيف",  "سينم",
    "سيتي", "سيئ",  "سياح", "سياد", "سيج",  "سيل",  "سيم", "ستاد", "سته",
    "ستين", "ستون", "ستار", "ستو",  "ستر",  "ستي",  "ستا", "ستوك", "سيرا",
};

static const char *const future_words[] = {
    "سوف",     "المقرر",   "مقرر",  "المقرره", "المزمع",  "المزمعه",
    "يعتزم",   "تعتزم",    "موعد",  "موعدا",   "المرتقب", "المرتقبه",
    "المنتظر", "المنتظره", "لاحقا", "اعتبارا", "بدءا",    "ابتداء",
    "تنطلق",   "ينطلق",    "تبدا",  "يبدا",    "تستمر",   "يستمر",
};

int
kh__when_future_word(const kh_wtok *t)
{
    if (t == NULL || t->kind != KH_WT_WORD || t->wlen >= KH_WT_WORD_MAX)
        return 0;
    for (size_t k = 0; k < sizeof future_words / sizeof future_words[0]; k++)
        if (kh__wtok_is(t, future_words[k]))
            return 1;
    const char *w = t->word;
    size_t wl = t->wlen;
    if (wl >= 8 && (memcmp(w, "و", 2) == 0 || memcmp(w, "ف", 2) == 0)) {
        w += 2;
        wl -= 2;
    }
    /* س + ي or ت + at least two more letters: سيعقد, ستقام */
    if (wl < 8 || memcmp(w, "س", 2) != 0 ||
        (memcmp(w + 2, "ي", 2) != 0 && memcmp(w + 2, "ت", 2) != 0))
        return 0;
    for (size_t k = 0; k < sizeof not_future / sizeof not_future[0]; k++) {
        size_t pl = strlen(not_future[k]);
        if (wl >= pl && memcmp(w, not_future[k], pl) == 0)
            return 0;
    }
    return 1;
}

/* Umm al-Qura month starts that differ from the tabular calendar, in
 * days (Umm al-Qura minus tabular).  Only months whose start is known
 * for certain are listed: 1 Shawwal 1436 was Friday 17 July 2015 (Eid
 * al-Fitr), 1 Dhu al-Hijja 1436 Monday 14 September 2015 in the printed
 * calendar, 1 Muharram 1437 Wednesday 14 October 2015; Saudi wire copy
 * of those weeks prints the same ("25 شوال 1436 هـ الموافق 10 أغسطس
 * 2015").  Other months use the tabular date, which can be a day off;
 * a weekday written beside the date corrects it (when.c). */
static const struct {
    short year;
    signed char month, delta;
} uqura[] = {
    {1436, 10, -1},
    {1436, 12, -1},
    {1437, 1, -1},
};

int64_t
kh__when_hijri_days(int year, int month, int day)
{
    int64_t d = kh__hijri_days(year, month, day);
    for (size_t k = 0; k < sizeof uqura / sizeof uqura[0]; k++)
        if (uqura[k].year == year && uqura[k].month == month)
            d += uqura[k].delta;
    return d;
}
