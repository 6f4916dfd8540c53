/*
 * when.c -- Arabic temporal expressions in news text, resolved to dates.
 *
 * The text is cut into tokens (when_tok.c) and a few patterns are tried
 * at every token near a number or a date word (see TRIGGER_REACH),
 * longest first:
 *
 *   [فجر|صباح|مساء|ظهر|عصر|ليلة] [يوم] then one of
 *     أمس | أمس الأول | أول أمس | اليوم | غدا | بعد غد  [،] [(weekday)]
 *     weekday [الماضي|المقبل|القادم]
 *     and, after either, [الموافق] a date, which then gives the value
 *   day (digits or an ordinal word) [- day2] [من] [شهر] month
 *     [second name: /أغسطس, (آب), شباط] [،] [عام] [year] [هـ|م]
 *     [الماضي|المقبل|الجاري|...]  [إلى|حتى|- a second date: a range]
 *   d/m/yyyy, yyyy/m/d, d-m-yyyy (spaces allowed round the separators;
 *     years 1300-1600 are Hijri)
 *   month [second name] [عام] year: a month
 *   الأسبوع|الشهر|العام|السنة + الماضي|المقبل|الحالي, هذا العام: a week,
 *     month or year counted from the publication date; عام 2014: a year
 *
 * Resolution against the publication date (ref):
 *   - أمس = ref - 1, أول أمس = ref - 2, اليوم = ref, غدا = ref + 1; with
 *     a weekday beside it ("أمس الثلاثاء") the weekday wins: the day of
 *     that name nearest to the relative day (crawled dates are often a
 *     day late, the weekday is what the writer meant).
 *   - A weekday alone is the most recent such day on or before ref (news
 *     weekdays mostly tell of the past days), strictly before with
 *     الماضي; the next one on or after ref with المقبل/القادم or when a
 *     word before it in the sentence announces a coming event (سوف,
 *     المقرر, a verb with the future prefix: ستعقد, سيكون).
 *   - A day and month without a year take the year that puts the date
 *     on or before ref, unless the date is at most 100 days after ref
 *     (330 when the sentence announces a coming event): then the coming
 *     one.  الماضي forces the past, المقبل/القادم the future, الجاري/
 *     الحالي the current year.  Hijri dates the same in Hijri years.
 *   - The day-time prefixes are part of the expression and change nothing.
 *   - Hijri dates: the tabular calendar with Umm al-Qura corrections for
 *     the months when_lex.c knows; a weekday written with the date moves
 *     it by up to two days to that weekday; a Gregorian date joined to it
 *     by الموافق ("25 شوال 1436 هـ الموافق 10 أغسطس 2015") gives it its
 *     value.
 *   - Weeks run Sunday to Saturday.
 */
#include "extract/when.h"
#include "ingest/ingest.h"

#include <stdio.h>
#include <string.h>

/**************************************************************************
** Calendar arithmetic
*/

int64_t
kh__when_days(int64_t year, unsigned month, unsigned day)
{
    /* Count from 1 March of year 0 so that the leap day ends the year. */
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = month > 2 ? month - 3 : month + 9;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
kh__when_civil(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

static int
days_in_month(int64_t year, unsigned month)
{
    static const unsigned char dm[12] = {31, 28, 31, 30, 31, 30,
                                         31, 31, 30, 31, 30, 31};
    if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
        return 29;
    return dm[month - 1];
}

/* 0 = Sunday. */
static int
weekday_of(int64_t days)
{
    return (int)(((days % 7) + 7 + 4) % 7);
}

/* The Hijri year that ref falls in. */
static int
hijri_year_of(int64_t ref)
{
    int64_t epoch = kh__hijri_days(1, 1, 1);
    int64_t y = (ref - epoch) * 30 / 10631 + 1;
    if (y < 1)
        y = 1;
    if (y > 100000)
        y = 100000;
    while (y > 1 && kh__when_hijri_days((int)y, 1, 1) > ref)
        y--;
    while (kh__when_hijri_days((int)y + 1, 1, 1) <= ref)
        y++;
    return (int)y;
}

/**************************************************************************
** Token helpers
*/

typedef struct scan {
    const kh_wtok *t;
    size_t n;
    int64_t ref;
    const unsigned char *text; /* the text the tokens point into */
} scan;

/* Inlined everywhere so that strlen of the literal folds away. */
static inline __attribute__((always_inline)) int
word(const scan *s, size_t i, const char *w)
{
    return i < s->n && kh__wtok_is(&s->t[i], w);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int
word_in(const scan *s, size_t i, const kh_wlit *list, size_t n)
{
    return i < s->n && kh__wtok_in(&s->t[i], list, n);
}

static int
punct(const scan *s, size_t i, uint32_t cp)
{
    return i < s->n && s->t[i].kind == KH_WT_PUNCT && s->t[i].punct == cp;
}

static int
num(const scan *s, size_t i, int min_digits, int max_digits)
{
    return i < s->n && s->t[i].kind == KH_WT_NUM &&
           s->t[i].n_digits >= min_digits && s->t[i].n_digits <= max_digits;
}

static int
comma(const scan *s, size_t i)
{
    return punct(s, i, ',') || punct(s, i, 0x060C);
}

static int
dash(const scan *s, size_t i)
{
    return punct(s, i, '-') || punct(s, i, 0x2013) || punct(s, i, 0x2014) ||
           punct(s, i, 0x2010);
}

enum { DIR_NONE = 0, DIR_PAST, DIR_FUTURE, DIR_CURRENT };

/* A direction word at i: الماضي, المقبل, الجاري ... */
static int
direction(const scan *s, size_t i)
{
    static const kh_wlit past[] = {KH_WLIT("الماضي"),  KH_WLIT("الماضيه"),
                                   KH_WLIT("المنصرم"), KH_WLIT("المنصرمه"),
                                   KH_WLIT("الفائت"),  KH_WLIT("الفائته"),
                                   KH_WLIT("السابق"),  KH_WLIT("السابقه")};
    static const kh_wlit future[] = {KH_WLIT("المقبل"), KH_WLIT("المقبله"),
                                     KH_WLIT("القادم"), KH_WLIT("القادمه")};
    static const kh_wlit current[] = {KH_WLIT("الجاري"), KH_WLIT("الجاريه"),
                                      KH_WLIT("الحالي"), KH_WLIT("الحاليه")};
    if (i >= s->n)
        return DIR_NONE;
    if (word_in(s, i, past, N_OF(past)))
        return DIR_PAST;
    if (word_in(s, i, future, N_OF(future)))
        return DIR_FUTURE;
    if (word_in(s, i, current, N_OF(current)))
        return DIR_CURRENT;
    return DIR_NONE;
}

/* Does a word in the sentence before token i announce a coming event?
 * Looks back at most 10 tokens, stopping at a full stop. */
static int
future_context(const scan *s, size_t i)
{
    for (size_t back = 1; back <= 10 && back <= i; back++) {
        const kh_wtok *t = &s->t[i - back];
        if (t->kind == KH_WT_PUNCT && (t->punct == '.' || t->punct == '!' ||
                                       t->punct == '?' || t->punct == 0x061F))
            return 0;
        if (kh__when_future_word(t))
            return 1;
    }
    return 0;
}

/* A time-of-day word that may open an expression. */
static int
time_of_day(const scan *s, size_t i)
{
    static const kh_wlit w[] = {
        KH_WLIT("فجر"),  KH_WLIT("صباح"),  KH_WLIT("مساء"),  KH_WLIT("ظهر"),
        KH_WLIT("عصر"),  KH_WLIT("ليله"),  KH_WLIT("ظهيره"), KH_WLIT("ضحي"),
        KH_WLIT("وفجر"), KH_WLIT("وصباح"), KH_WLIT("ومساء")};
    return word_in(s, i, w, N_OF(w));
}

/* The era word at i: KH_CAL_HIJRI for هـ, KH_CAL_GREG for م, else 0. */
static int
era(const scan *s, size_t i)
{
    if (word(s, i, "ه") || word(s, i, "هجري") || word(s, i, "هجريه") ||
        word(s, i, "للهجره"))
        return KH_CAL_HIJRI;
    if (word(s, i, "م") || word(s, i, "ميلادي") || word(s, i, "ميلاديه") ||
        word(s, i, "للميلاد"))
        return KH_CAL_GREG;
    return 0;
}

/**************************************************************************
** Dates
*/

typedef struct date {
    int day, day2; /* day2 > 0 for "22 إلى 30 أغسطس" */
    int month;     /* 1-12 */
    int cal;       /* KH_CAL_* */
    int64_t year;  /* 0 when not written */
    int dir;       /* DIR_* written after the date */
    size_t end;    /* token after the date */
} date;

/* A day at i: digits 1-31 or an ordinal word; 0 if none. */
static int
day_at(const scan *s, size_t i, size_t *next)
{
    if (num(s, i, 1, 2) && s->t[i].value >= 1 && s->t[i].value <= 31) {
        *next = i + 1;
        return (int)s->t[i].value;
    }
    return kh__when_ordinal(s->t, s->n, i, next);
}

/* A year at i, for a month of calendar cal; sets *next after it and its
 * era word.  Returns 0 when there is none. */
static int64_t
year_at(const scan *s, size_t i, int cal, size_t *next)
{
    size_t j = i;
    if (comma(s, j))
        j++;
    int of = word(s, j, "من"); /* "17 نوفمبر من عام 1869" */
    if (of)
        j++;
    if (word(s, j, "عام") || word(s, j, "العام") || word(s, j, "سنه") ||
        word(s, j, "السنه") || word(s, j, "لعام") || word(s, j, "للعام"))
        j++;
    else if (of)
        return 0;
    if (!num(s, j, 4, 4))
        return 0;
    int64_t y = (int64_t)s->t[j].value;
    j++;
    int e = era(s, j);
    if (e != 0)
        j++;
    if (cal == KH_CAL_HIJRI ? (y < 1300 || y > 1600) : (y < 1000 || y > 2199))
        return 0;
    if (e != 0 && e != cal)
        return 0;
    *next = j;
    return y;
}

/* A year counted from the publication date at i, for a month of
 * calendar cal: [من] العام|السنة الماضي|المقبل|الحالي, [من] هذا العام
 * ("12 مارس من العام الماضي" is March of the year before the one the
 * article was published in, where "12 مارس الماضي" is the last March).
 * Sets *next after it; 0 when there is none. */
static int64_t
year_counted_at(const scan *s, size_t i, int cal, size_t *next)
{
    size_t j = i;
    if (word(s, j, "من"))
        j++;
    int this_year = word(s, j, "هذا") || word(s, j, "هذه");
    if (this_year)
        j++;
    if (!(word(s, j, "العام") || word(s, j, "السنه") ||
          (this_year && (word(s, j, "عام") || word(s, j, "سنه")))))
        return 0;
    j++;
    int dir = this_year ? DIR_CURRENT : direction(s, j);
    if (dir == DIR_NONE)
        return 0;
    if (!this_year)
        j++;
    int64_t base;
    if (cal == KH_CAL_HIJRI) {
        base = hijri_year_of(s->ref);
    } else {
        unsigned m, d;
        kh__when_civil(s->ref, &base, &m, &d);
    }
    *next = j;
    return base + (dir == DIR_PAST ? -1 : dir == DIR_FUTURE ? 1 : 0);
}

/* After a Gregorian month name at i: a second name for the same month
 * ("/مارس", "(آب)", "- أغسطس", "شباط").  Returns the token after it. */
static size_t
second_name(const scan *s, size_t i, int month)
{
    size_t j = i, k;
    int cal, paren = 0;
    if (punct(s, j, '/') || dash(s, j)) {
        j++;
    } else if (punct(s, j, '(')) {
        paren = 1;
        j++;
    }
    int m = kh__when_month(s->t, s->n, j, 0, &cal, &k);
    if (m != month || cal != KH_CAL_GREG)
        return i;
    if (paren) {
        if (!punct(s, k, ')'))
            return i;
        k++;
    }
    return k;
}

/* A month name at i with its second name; 0 if none. */
static int
month_at(const scan *s, size_t i, int *cal, size_t *next)
{
    size_t j;
    int m = kh__when_month(s->t, s->n, i, 0, cal, &j);
    if (m == 0)
        return 0;
    if (*cal == KH_CAL_GREG)
        j = second_name(s, j, m);
    *next = j;
    return m;
}

/* day [- day2] [من] [شهر] month [year] [direction] at i. */
static int
day_month_at(const scan *s, size_t i, date *d)
{
    size_t j;
    memset(d, 0, sizeof *d);
    d->day = day_at(s, i, &j);
    if (d->day == 0)
        return 0;
    int ordinal = s->t[i].kind == KH_WT_WORD;
    /* a range of days in one month: 22 - 30, 22 إلى 30 */
    if (dash(s, j) || word(s, j, "الي") || word(s, j, "حتي") ||
        word(s, j, "وحتي")) {
        size_t k;
        int d2 = day_at(s, j + 1, &k);
        if (d2 > d->day) {
            size_t k2 = k;
            if (word(s, k2, "من"))
                k2++;
            if (word(s, k2, "شهر"))
                k2++;
            int cal;
            size_t k3;
            if (kh__when_month(s->t, s->n, k2, 0, &cal, &k3) != 0) {
                d->day2 = d2;
                j = k;
            }
        }
    }
    if (word(s, j, "من"))
        j++;
    else if (ordinal && !word(s, j, "شهر"))
        return 0; /* "الثاني من مارس"; "الثاني مارس" is not written */
    int had_shahr = word(s, j, "شهر");
    if (had_shahr)
        j++;
    size_t month_tok = j;
    d->month = month_at(s, j, &d->cal, &j);
    if (d->month == 0)
        return 0;
    if (d->day > (d->cal == KH_CAL_HIJRI ? 30 : 31) ||
        (d->day2 > 0 && d->day2 > (d->cal == KH_CAL_HIJRI ? 30 : 31)))
        return 0;
    size_t k;
    int64_t y = year_at(s, j, d->cal, &k);
    if (y == 0)
        y = year_counted_at(s, j, d->cal, &k);
    if (y != 0) {
        d->year = y;
        j = k;
    }
    d->dir = direction(s, j);
    if (d->dir != DIR_NONE)
        j++;
    /* "فاز 3 صفر": a score, unless the month is made plain */
    if (word(s, month_tok, "صفر") && !had_shahr && d->year == 0 &&
        d->dir == DIR_NONE)
        return 0;
    d->end = j;
    return 1;
}

/* d/m/yyyy, d-m-yyyy, d.m.yyyy, yyyy/m/d (spaces allowed around the
 * separators) at i. */
static int
numeric_at(const scan *s, size_t i, date *d)
{
    memset(d, 0, sizeof *d);
    if (!num(s, i, 1, 4) || i + 4 >= s->n)
        return 0;
    const kh_wtok *a = &s->t[i], *p1 = &s->t[i + 1], *b = &s->t[i + 2],
                  *p2 = &s->t[i + 3], *c = &s->t[i + 4];
    if (p1->kind != KH_WT_PUNCT || p2->kind != KH_WT_PUNCT ||
        p1->punct != p2->punct ||
        (p1->punct != '/' && p1->punct != '-' && p1->punct != '.'))
        return 0;
    if (b->kind != KH_WT_NUM || c->kind != KH_WT_NUM || b->n_digits > 2)
        return 0;
    /* a dotted number such as 1.733.581 is not a date */
    if (p1->punct == '.' && (p1->space_before || b->space_before))
        return 0;
    uint64_t y, m = b->value, dd;
    if (a->n_digits == 4 && c->n_digits <= 2) {
        y = a->value;
        dd = c->value;
    } else if (a->n_digits <= 2 && c->n_digits == 4) {
        y = c->value;
        dd = a->value;
        if (m > 12 && dd <= 12) { /* m/d/yyyy */
            uint64_t x = m;
            m = dd;
            dd = x;
        }
    } else {
        return 0;
    }
    /* part of a longer chain (17-18/09/1436, 1/2/3/4) */
    if (i + 5 < s->n && s->t[i + 5].kind == KH_WT_PUNCT &&
        s->t[i + 5].punct == p1->punct && i + 6 < s->n &&
        s->t[i + 6].kind == KH_WT_NUM)
        return 0;
    if (i > 0 && s->t[i - 1].kind == KH_WT_PUNCT && !a->space_before &&
        (s->t[i - 1].punct == '/' || s->t[i - 1].punct == '-'))
        return 0;
    size_t j = i + 5;
    int e = era(s, j);
    if (e != 0)
        j++;
    if (y >= 1300 && y <= 1600 && e != KH_CAL_GREG)
        d->cal = KH_CAL_HIJRI;
    else if (y >= 1000 && y <= 2199 && e != KH_CAL_HIJRI)
        d->cal = KH_CAL_GREG;
    else
        return 0;
    if (m < 1 || m > 12 || dd < 1 || dd > (d->cal == KH_CAL_HIJRI ? 30u : 31u))
        return 0;
    d->day = (int)dd;
    d->month = (int)m;
    d->year = (int64_t)y;
    d->end = j;
    return 1;
}

/* Returned by cal_days for a day that does not exist. */
#define NO_DAY INT64_MIN

/* Days of day `day` of month/year in calendar cal; NO_DAY when it does
 * not exist. */
static int64_t
cal_days(int cal, int64_t year, int month, int day)
{
    if (cal == KH_CAL_HIJRI)
        return kh__when_hijri_days((int)year, month, day);
    if (day > days_in_month(year, (unsigned)month))
        return NO_DAY;
    return kh__when_days(year, (unsigned)month, (unsigned)day);
}

/* Chooses the year of a date written without one (see the file comment). */
static int64_t
choose_year(const scan *s, const date *d, int future_ctx, int last_day)
{
    int64_t base;
    if (d->cal == KH_CAL_HIJRI) {
        base = hijri_year_of(s->ref);
    } else {
        int64_t y;
        unsigned m, dd;
        kh__when_civil(s->ref, &y, &m, &dd);
        base = y;
    }
    if (d->dir == DIR_CURRENT)
        return base;
    int64_t past_y = 0, fut_y = 0, past = 0, fut = 0;
    int have_past = 0, have_fut = 0;
    for (int64_t y = base - 2; y <= base + 2; y++) {
        int64_t x = cal_days(d->cal, y, d->month, last_day);
        if (x == NO_DAY)
            continue;
        if (x <= s->ref && (!have_past || x > past)) {
            past = x;
            past_y = y;
            have_past = 1;
        }
        if (x > s->ref && (!have_fut || x < fut)) {
            fut = x;
            fut_y = y;
            have_fut = 1;
        }
    }
    if (d->dir == DIR_FUTURE && have_fut) {
        /* "المقبل" on the day itself means that day */
        if (have_past && past == s->ref)
            return past_y;
        return fut_y;
    }
    if (d->dir == DIR_PAST && have_past)
        return past_y;
    if (have_fut && (fut - s->ref <= 100 ||
                     (future_ctx && fut - s->ref <= 330) || !have_past))
        return fut_y;
    return past_y;
}

/* Moves a Hijri day to the written weekday, by at most two days. */
static int64_t
to_weekday(int64_t days, int weekday)
{
    if (weekday < 0)
        return days;
    int delta = weekday - weekday_of(days);
    if (delta > 3)
        delta -= 7;
    if (delta < -3)
        delta += 7;
    return delta >= -2 && delta <= 2 ? days + delta : days;
}

/**************************************************************************
** Output
*/

typedef struct found {
    kh_when w;
    size_t tok_start, tok_end; /* tokens covered */
} found;

typedef struct out {
    found *v;
    size_t n, cap;
    int oom;
} out;

/* The bytes of a conjunction و stuck to the first word of an expression
 * ("ويوم 24 يناير"): it is not part of the expression. */
static size_t
clitic_bytes(const scan *s, size_t ti)
{
    static const kh_wlit w[] = {KH_WLIT("ويوم"),  KH_WLIT("وفجر"),
                                KH_WLIT("وصباح"), KH_WLIT("ومساء"),
                                KH_WLIT("وامس"),  KH_WLIT("واول")};
    const kh_wtok *t = &s->t[ti];
    if (!kh__wtok_in(t, w, N_OF(w)))
        return 0;
    /* the text may carry harakat or tatweel (U+0640, U+064B-U+065F)
     * after the و, which the folded word does not show */
    size_t b = t->start + 2;
    while (b + 1 < t->end && s->text[b] == 0xD9 &&
           (s->text[b + 1] == 0x80 ||
            (s->text[b + 1] >= 0x8B && s->text[b + 1] <= 0x9F)))
        b += 2;
    return b - t->start;
}

static void
emit(out *o, const scan *s, size_t ti, size_t tj, int64_t first, int64_t last,
     kh_when_kind kind, kh_when_grain grain, int is_range, int hijri)
{
    if (o->oom || tj <= ti)
        return;
    if (o->n == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 16;
        found *nv = kh_realloc(o->v, ncap * sizeof *nv);
        if (nv == NULL) {
            o->oom = 1;
            return;
        }
        o->v = nv;
        o->cap = ncap;
    }
    found *f = &o->v[o->n++];
    memset(f, 0, sizeof *f);
    f->w.start = s->t[ti].start + clitic_bytes(s, ti);
    f->w.end = s->t[tj - 1].end;
    f->w.first = first;
    f->w.last = last;
    f->w.kind = kind;
    f->w.grain = grain;
    f->w.is_range = is_range;
    f->w.hijri = hijri;
    f->tok_start = ti;
    f->tok_end = tj;
}

/* Resolves and emits a parsed date spanning tokens ti..d->end. */
static void
emit_date(out *o, const scan *s, size_t ti, const date *d, int weekday)
{
    int fc = future_context(s, ti);
    int last_day = d->day2 > 0 ? d->day2 : d->day;
    int64_t y = d->year != 0 ? d->year : choose_year(s, d, fc, last_day);
    int64_t a = cal_days(d->cal, y, d->month, d->day);
    int64_t b = cal_days(d->cal, y, d->month, last_day);
    if (a == NO_DAY || b == NO_DAY)
        return;
    if (d->cal == KH_CAL_HIJRI && d->day2 == 0)
        a = b = to_weekday(a, weekday);
    emit(o, s, ti, d->end, a, b, KH_WHEN_ABSOLUTE, KH_WHEN_DAY, d->day2 > 0,
         d->cal == KH_CAL_HIJRI);
}

/* A date at i of any form: day-month, numeric, and "date1 إلى date2". */
static int
any_date_at(const scan *s, size_t i, date *d)
{
    if (numeric_at(s, i, d))
        return 1;
    return day_month_at(s, i, d);
}

/* "27 يوليو إلى 7 أغسطس 2015": the first date has no year. */
static int
range_tail(const scan *s, const date *d1, date *d2)
{
    size_t j = d1->end;
    if (d1->year != 0 || d1->day2 != 0)
        return 0;
    if (!(dash(s, j) || word(s, j, "الي") || word(s, j, "حتي") ||
          word(s, j, "وحتي") || word(s, j, "والي")))
        return 0;
    if (!day_month_at(s, j + 1, d2) || d2->cal != d1->cal || d2->day2 != 0)
        return 0;
    return 1;
}

static void
emit_range(out *o, const scan *s, size_t ti, const date *d1, const date *d2)
{
    int fc = future_context(s, ti);
    int64_t y2 = d2->year != 0 ? d2->year : choose_year(s, d2, fc, d2->day);
    int64_t b = cal_days(d2->cal, y2, d2->month, d2->day);
    int64_t y1 = d1->month > d2->month ? y2 - 1 : y2;
    int64_t a = cal_days(d1->cal, y1, d1->month, d1->day);
    if (a == NO_DAY || b == NO_DAY || a > b)
        return;
    emit(o, s, ti, d2->end, a, b, KH_WHEN_ABSOLUTE, KH_WHEN_DAY, 1,
         d1->cal == KH_CAL_HIJRI);
}

/* Tries a date at i, with "الموافق" before it allowed; emits it with the
 * span starting at ti.  Returns the token after it, or 0. */
static size_t
date_here(out *o, const scan *s, size_t ti, size_t i, int weekday)
{
    date d, d2;
    if (i > ti && (word(s, i, "الموافق") || word(s, i, "الموافقه")))
        i++;
    if (!any_date_at(s, i, &d))
        return 0;
    if (range_tail(s, &d, &d2)) {
        emit_range(o, s, ti, &d, &d2);
        return d2.end;
    }
    emit_date(o, s, ti, &d, weekday);
    return d.end;
}

/* Words after "اليوم" that make it "the day" rather than today. */
static int
not_today(const scan *s, size_t i)
{
    static const kh_wlit w[] = {
        KH_WLIT("التالي"), KH_WLIT("الاول"),   KH_WLIT("الثاني"),
        KH_WLIT("الثالث"), KH_WLIT("الرابع"),  KH_WLIT("الخامس"),
        KH_WLIT("السادس"), KH_WLIT("السابع"),  KH_WLIT("الثامن"),
        KH_WLIT("التاسع"), KH_WLIT("العاشر"),  KH_WLIT("الختامي"),
        KH_WLIT("الوطني"), KH_WLIT("العالمي"), KH_WLIT("الدولي"),
        KH_WLIT("الاخير"), KH_WLIT("الاخيره"), KH_WLIT("السابق"),
        KH_WLIT("نفسه"),   KH_WLIT("ذاته"),    KH_WLIT("المفتوح"),
        KH_WLIT("الواحد"), KH_WLIT("المحدد"),  KH_WLIT("العادي"),
        KH_WLIT("الذي"),   KH_WLIT("التي"),    KH_WLIT("الموعود"),
        KH_WLIT("الاخر"),  KH_WLIT("المشهود")};
    if (word_in(s, i + 1, w, N_OF(w)))
        return 1;
    if (i > 0 && (word(s, i - 1, "صحيفه") || word(s, i - 1, "جريده") ||
                  word(s, i - 1, "في") || /* "مرتين في اليوم": per day */
                  word(s, i - 1, "عين") || word(s, i - 1, "لصحيفه") ||
                  word(s, i - 1, "لجريده") || punct(s, i - 1, 0xAB) ||
                  punct(s, i - 1, '"')))
        return 1;
    return 0;
}

/* A relative day word at i (أمس, أول أمس, اليوم, غدا, بعد غد); sets
 * *offset and *next. */
static int
relative_at(const scan *s, size_t i, int had_yawm, int *offset, size_t *next)
{
    if (word(s, i, "امس") || word(s, i, "الامس") || word(s, i, "وامس")) {
        if (word(s, i + 1, "الاول")) {
            *offset = -2;
            *next = i + 2;
        } else {
            *offset = -1;
            *next = i + 1;
        }
        return 1;
    }
    if ((word(s, i, "اول") || word(s, i, "واول")) &&
        (word(s, i + 1, "امس") ||
         (word(s, i + 1, "من") && word(s, i + 2, "امس")))) {
        *offset = -2;
        *next = word(s, i + 1, "امس") ? i + 2 : i + 3;
        return 1;
    }
    if (word(s, i, "غدا") || (had_yawm && word(s, i, "غد"))) {
        *offset = 1;
        *next = i + 1;
        return 1;
    }
    if (word(s, i, "بعد") && word(s, i + 1, "غد")) {
        *offset = 2;
        *next = i + 2;
        return 1;
    }
    if (!had_yawm && word(s, i, "اليوم") && !not_today(s, i)) {
        *offset = 0;
        *next = i + 1;
        return 1;
    }
    return 0;
}

/* A weekday at i, not one of the places and prayers named after days. */
static int
weekday_at(const scan *s, size_t i)
{
    if (i >= s->n)
        return -1;
    int wd = kh__when_weekday(&s->t[i]);
    if (wd < 0)
        return -1;
    if (wd == 4 && word(s, i + 1, "مشيط")) /* Khamis Mushait */
        return -1;
    /* "أيام الخميس والجمعة والسبت", "كل جمعة": days of every week */
    size_t first = i;
    while (first > 0 && kh__when_weekday(&s->t[first - 1]) >= 0)
        first--;
    if (first > 0 &&
        (word(s, first - 1, "ايام") || word(s, first - 1, "كل") ||
         word(s, first - 1, "يومي") || word(s, first - 1, "ايامي")))
        return -1;
    if (i > 0 &&
        (word(s, i - 1, "صلاه") || word(s, i - 1, "خطبه") ||
         word(s, i - 1, "جامع") || word(s, i - 1, "خطيب") ||
         word(s, i - 1, "لصلاه") || word(s, i - 1, "وصلاه") ||
         word(s, i - 1, "طريق") || word(s, i - 1, "بيشه") || dash(s, i - 1)))
        return -1;
    return wd;
}

/* After a relative word or a weekday: "، الأربعاء", "(الخميس)". */
static int
weekday_after(const scan *s, size_t i, size_t *next)
{
    size_t j = i;
    if (comma(s, j))
        j++;
    if (punct(s, j, '(')) {
        int wd = weekday_at(s, j + 1);
        if (wd >= 0 && punct(s, j + 2, ')')) {
            *next = j + 3;
            return wd;
        }
        return -1;
    }
    int wd = weekday_at(s, j);
    if (wd >= 0)
        *next = j + 1;
    return wd;
}

/* The day of weekday wd nearest to day x (at most 3 days away). */
static int64_t
nearest_weekday(int64_t x, int wd)
{
    int delta = wd - weekday_of(x);
    if (delta > 3)
        delta -= 7;
    if (delta < -3)
        delta += 7;
    return x + delta;
}

/* The Sunday that starts the week of day x. */
static int64_t
week_start(int64_t x)
{
    return x - weekday_of(x);
}

/* الأسبوع/الشهر/العام/السنة + direction, هذا العام, عام 2014 at i. */
static size_t
period_at(out *o, const scan *s, size_t i)
{
    int unit = 0; /* 1 week, 2 month, 3 year */
    size_t j = i;
    int this_one = 0;
    if (word(s, j, "هذا") || word(s, j, "هذه")) {
        this_one = 1;
        j++;
    }
    if (word(s, j, "الاسبوع"))
        unit = 1;
    else if (word(s, j, "الشهر"))
        unit = 2;
    else if (word(s, j, "العام") || word(s, j, "السنه"))
        unit = 3;
    if (unit == 3 && !this_one && num(s, j + 1, 4, 4) &&
        era(s, j + 2) != KH_CAL_HIJRI) {
        uint64_t y = s->t[j + 1].value;
        if (y >= 1900 && y <= 2199) {
            size_t end = j + 2 + (era(s, j + 2) != 0);
            emit(o, s, i, end, kh__when_days((int64_t)y, 1, 1),
                 kh__when_days((int64_t)y, 12, 31), KH_WHEN_ABSOLUTE,
                 KH_WHEN_YEAR, 0, 0);
            return end;
        }
    }
    if (word(s, j, "عام") || word(s, j, "لعام") || word(s, j, "للعام")) {
        if (num(s, j + 1, 4, 4) && era(s, j + 2) != KH_CAL_HIJRI) {
            uint64_t y = s->t[j + 1].value;
            if (y >= 1900 && y <= 2199) {
                size_t end = j + 2 + (era(s, j + 2) != 0);
                emit(o, s, i, end, kh__when_days((int64_t)y, 1, 1),
                     kh__when_days((int64_t)y, 12, 31), KH_WHEN_ABSOLUTE,
                     KH_WHEN_YEAR, 0, 0);
                return end;
            }
        }
        return 0;
    }
    if (unit == 0)
        return 0;
    int dir = this_one ? DIR_CURRENT : direction(s, j + 1);
    if (dir == DIR_NONE)
        return 0;
    size_t end = this_one ? j + 1 : j + 2;
    int step = dir == DIR_PAST ? -1 : dir == DIR_FUTURE ? 1 : 0;
    int64_t y;
    unsigned m, d;
    kh__when_civil(s->ref, &y, &m, &d);
    if (unit == 1) {
        int64_t a = week_start(s->ref) + 7 * step;
        emit(o, s, i, end, a, a + 6, KH_WHEN_RELATIVE, KH_WHEN_WEEK, 1, 0);
    } else if (unit == 2) {
        int64_t mm = (int64_t)m - 1 + step + y * 12;
        int64_t yy = mm >= 0 ? mm / 12 : (mm - 11) / 12;
        unsigned mo = (unsigned)(mm - yy * 12) + 1;
        emit(o, s, i, end, kh__when_days(yy, mo, 1),
             kh__when_days(yy, mo, (unsigned)days_in_month(yy, mo)),
             KH_WHEN_RELATIVE, KH_WHEN_MONTH, 0, 0);
    } else {
        emit(o, s, i, end, kh__when_days(y + step, 1, 1),
             kh__when_days(y + step, 12, 31), KH_WHEN_RELATIVE, KH_WHEN_YEAR, 0,
             0);
    }
    return end;
}

/* Words before a bare month name that make it a month ("في يوليو"). */
static int
month_cue(const scan *s, size_t i)
{
    static const kh_wlit w[] = {
        KH_WLIT("شهر"),   KH_WLIT("في"),     KH_WLIT("منذ"),
        KH_WLIT("خلال"),  KH_WLIT("مطلع"),   KH_WLIT("بدايه"),
        KH_WLIT("نهايه"), KH_WLIT("اواخر"),  KH_WLIT("اوائل"),
        KH_WLIT("منتصف"), KH_WLIT("حتي"),    KH_WLIT("وحتي"),
        KH_WLIT("اواسط"), KH_WLIT("اخر"),    KH_WLIT("بحلول"),
        KH_WLIT("شهري"),  KH_WLIT("بنهايه"), KH_WLIT("ببدايه"),
        KH_WLIT("لشهر"),  KH_WLIT("قبل"),    KH_WLIT("بعد")};
    return i > 0 && word_in(s, i - 1, w, N_OF(w));
}

/* month [second name] [عام] year, or a bare month after a cue, at i. */
static size_t
month_year_at(out *o, const scan *s, size_t i)
{
    int cal;
    size_t j, j0;
    int m = kh__when_month(s->t, s->n, i, 1, &cal, &j0);
    if (m == 0)
        return 0;
    j = cal == KH_CAL_GREG ? second_name(s, j0, m) : j0;
    size_t k;
    int64_t y = year_at(s, j, cal, &k);
    if (y == 0 && (j != j0 || month_cue(s, i)))
        y = year_counted_at(s, j, cal, &k); /* a bare month needs a cue */
    if (y != 0 && cal == KH_CAL_GREG) {
        emit(o, s, i, k, kh__when_days(y, (unsigned)m, 1),
             kh__when_days(y, (unsigned)m,
                           (unsigned)days_in_month(y, (unsigned)m)),
             KH_WHEN_ABSOLUTE, KH_WHEN_MONTH, 0, 0);
        return k;
    }
    if (y != 0 || cal != KH_CAL_GREG)
        return 0;
    /* a bare Gregorian month: only with a second name or after a cue,
     * since مارس, ماي, آب, أيار are also common words */
    if (j == j0 && !month_cue(s, i))
        return 0;
    if (j == j0 && j0 == i + 1) {
        /* single ambiguous words need the second name */
        const kh_wtok *t = &s->t[i];
        if (kh__wtok_is(t, "مارس") || kh__wtok_is(t, "ماي") ||
            kh__wtok_is(t, "اب") || kh__wtok_is(t, "ايار") ||
            kh__wtok_is(t, "اوت") || kh__wtok_is(t, "جوان") || t->wlen < 6)
            return 0;
    }
    date d;
    memset(&d, 0, sizeof d);
    d.cal = cal;
    d.month = m;
    d.dir = direction(s, j);
    if (d.dir != DIR_NONE)
        j++;
    int64_t yy = choose_year(s, &d, future_context(s, i), 1);
    int64_t a = kh__when_days(yy, (unsigned)m, 1);
    int64_t b = kh__when_days(yy, (unsigned)m,
                              (unsigned)days_in_month(yy, (unsigned)m));
    /* the month the publication date is in counts as this month */
    int64_t ry;
    unsigned rm, rd;
    kh__when_civil(s->ref, &ry, &rm, &rd);
    if ((int)rm == m && d.dir == DIR_NONE) {
        a = kh__when_days(ry, rm, 1);
        b = kh__when_days(ry, rm, (unsigned)days_in_month(ry, rm));
    }
    emit(o, s, i, j, a, b, KH_WHEN_ABSOLUTE, KH_WHEN_MONTH, 0, 0);
    return j;
}

/* Everything that may start at token i; returns the token after what was
 * found, or 0. */
static size_t
match_at(out *o, const scan *s, size_t i)
{
    size_t j = i;
    int had_prefix = 0, had_yawm = 0;
    if (word(s, i, "الموافق"))
        return 0; /* the date after it stands alone (link_equivalents) */
    if (time_of_day(s, j)) {
        j++;
        had_prefix = 1;
    }
    if (word(s, j, "يوم") || word(s, j, "ويوم") || word(s, j, "بيوم") ||
        word(s, j, "ليوم")) {
        j++;
        had_yawm = 1;
    }
    if (j >= s->n)
        return 0;
    /* relative days, with a weekday and a date after them */
    int offset;
    size_t k;
    if (relative_at(s, j, had_yawm, &offset, &k)) {
        size_t k2 = k;
        int wd = weekday_after(s, k, &k2);
        size_t after = date_here(o, s, i, k2, wd);
        if (after != 0)
            return after;
        int64_t x = s->ref + offset;
        if (wd >= 0)
            x = nearest_weekday(x, wd);
        emit(o, s, i, wd >= 0 ? k2 : k, x, x, KH_WHEN_RELATIVE, KH_WHEN_DAY, 0,
             0);
        return wd >= 0 ? k2 : k;
    }
    /* "اليوم الرابع من شوال" */
    if (word(s, j, "اليوم") && !had_yawm) {
        size_t after = date_here(o, s, i, j + 1, -1);
        if (after != 0)
            return after;
    }
    int wd = weekday_at(s, j);
    if (wd >= 0) {
        size_t k2 = j + 1;
        /* "الأربعاء بعد القادم": the one after the coming one */
        int after_next = word(s, k2, "بعد") && (word(s, k2 + 1, "القادم") ||
                                                word(s, k2 + 1, "المقبل"));
        if (after_next)
            k2++;
        int dir = direction(s, k2);
        if (dir != DIR_NONE)
            k2++;
        /* the date may follow in brackets: "يوم الأحد (10 شوال 1436هـ)" */
        size_t at =
            comma(s, k2) || (!after_next && punct(s, k2, '(')) ? k2 + 1 : k2;
        size_t after = after_next ? 0 : date_here(o, s, i, at, wd);
        if (after != 0)
            return after;
        /* "يوم غد الأربعاء" is handled above; here the weekday alone */
        int64_t x;
        int back = weekday_of(s->ref) - wd;
        if (back < 0)
            back += 7;
        if (dir == DIR_PAST) {
            x = s->ref - (back == 0 ? 7 : back);
        } else if (dir == DIR_FUTURE) {
            int fwd = (7 - back) % 7;
            x = s->ref + (fwd == 0 ? 7 : fwd) + (after_next ? 7 : 0);
        } else if (future_context(s, i)) {
            x = s->ref + (7 - back) % 7;
        } else {
            x = s->ref - back;
        }
        emit(o, s, i, k2, x, x, KH_WHEN_WEEKDAY, KH_WHEN_DAY, 0, 0);
        return k2;
    }
    /* dates: ordinal words must not count weeks or quarters */
    if (s->t[j].kind == KH_WT_WORD && j > 0 &&
        (word(s, j - 1, "الاسبوع") || word(s, j - 1, "الربع") ||
         word(s, j - 1, "النصف") || word(s, j - 1, "الثلث") ||
         word(s, j - 1, "العدد") || word(s, j - 1, "الاسبوعين")))
        return 0;
    size_t after = date_here(o, s, i, j, -1);
    if (after != 0)
        return after;
    if (had_prefix || had_yawm)
        return 0;
    after = period_at(o, s, j);
    if (after != 0)
        return after;
    return month_year_at(o, s, j);
}

/* "25 شوال 1436 هـ الموافق 10 أغسطس 2015": the Gregorian date gives the
 * Hijri one its day, in either order, when they are within two days. */
static void
link_equivalents(out *o, const scan *s)
{
    for (size_t k = 0; k + 1 < o->n; k++) {
        found *a = &o->v[k], *b = &o->v[k + 1];
        size_t g = a->tok_end;
        if (punct(s, g, ')')) /* "(10 شوال 1436هـ) الموافق (26 يوليو)" */
            g++;
        if (comma(s, g))
            g++;
        if (!(word(s, g, "الموافق") || word(s, g, "الموافقه")) ||
            (b->tok_start != g + 1 &&
             !(b->tok_start == g + 2 && punct(s, g + 1, '('))))
            continue;
        if (a->w.is_range || b->w.is_range || a->w.grain != KH_WHEN_DAY ||
            b->w.grain != KH_WHEN_DAY || a->w.hijri == b->w.hijri)
            continue;
        found *h = a->w.hijri ? a : b, *gr = a->w.hijri ? b : a;
        int64_t diff = h->w.first - gr->w.first;
        if (diff >= -2 && diff <= 2)
            h->w.first = h->w.last = gr->w.first;
    }
}

/* Is token t one that a date can start on, or a number? */
static int
trigger(const kh_wtok *t)
{
    return t->kind == KH_WT_NUM || (t->lex & KH_WL_DATE) != 0;
}

/* Every expression starts at most TRIGGER_REACH tokens before a trigger
 * (word in KH_WL_DATE or number): "صباح يوم أول من أمس" has أمس four
 * tokens on; "فجر يوم الموافق 12 ..." has the number three on.  So
 * match_at() is tried only where a trigger is that close, and elsewhere it
 * would have found nothing. */
#define TRIGGER_REACH 4

/* Packs the kh_when part of o's results into *out_v (NULL when none). */
static kh_status
hand_out(out *o, kh_when **out_v, size_t *n_out)
{
    *out_v = NULL;
    *n_out = 0;
    if (o->n == 0) {
        kh_free(o->v);
        return KH_OK;
    }
    kh_when *w = kh_malloc(o->n * sizeof *w);
    if (w == NULL) {
        kh_free(o->v);
        return KH_ENOMEM;
    }
    for (size_t k = 0; k < o->n; k++)
        w[k] = o->v[k].w;
    *out_v = w;
    *n_out = o->n;
    kh_free(o->v);
    return KH_OK;
}

kh_status
kh__when_scan(const kh_wtok *toks, size_t n, const char *text, int64_t ref_day,
              kh_when **out_v, size_t *n_out, kh_when **out0_v, size_t *n_out0)
{
    scan s = {toks, n, ref_day, (const unsigned char *)text};
    scan s0 = {toks, n, 0, (const unsigned char *)text};
    out o = {NULL, 0, 0, 0}, o0 = {NULL, 0, 0, 0};
    int both = out0_v != NULL;
    *out_v = NULL;
    *n_out = 0;
    if (both) {
        *out0_v = NULL;
        *n_out0 = 0;
    }
    size_t trig = 0; /* the first trigger at or after i, or n */
    for (size_t i = 0; i < n && !o.oom && !o0.oom;) {
        if (trig < i)
            trig = i;
        while (trig < n && !trigger(&toks[trig]))
            trig++;
        if (trig == n)
            break;
        if (trig - i > TRIGGER_REACH) {
            i = trig - TRIGGER_REACH;
            continue;
        }
        size_t next = 0;
        if (toks[i].kind != KH_WT_PUNCT)
            next = match_at(&o, &s, i);
        /* what match_at() takes never depends on the reference day, only
         * the values and whether a day exists (29 February) do */
        if (both && next != 0)
            match_at(&o0, &s0, i);
        i = next > i ? next : i + 1;
    }
    if (!o.oom)
        link_equivalents(&o, &s);
    if (o.oom || o0.oom) {
        kh_free(o.v);
        kh_free(o0.v);
        return KH_ENOMEM;
    }
    if (both && hand_out(&o0, out0_v, n_out0) != KH_OK) {
        kh_free(o.v);
        return KH_ENOMEM;
    }
    kh_status rc = hand_out(&o, out_v, n_out);
    if (rc != KH_OK && both) {
        kh_free(*out0_v);
        *out0_v = NULL;
        *n_out0 = 0;
    }
    return rc;
}

kh_status
kh__when_find(const char *text, size_t len, int64_t ref_day, kh_when **out_v,
              size_t *n_out)
{
    kh_wtok *toks = NULL;
    size_t n = 0;
    *out_v = NULL;
    *n_out = 0;
    kh_status rc = kh__wtok_split(text, len, &toks, &n);
    if (rc != KH_OK)
        return rc;
    rc = kh__when_scan(toks, n, text, ref_day, out_v, n_out, NULL, NULL);
    kh_free(toks);
    return rc;
}

static void
put_day(char *buf, size_t cap, int64_t days)
{
    int64_t y;
    unsigned m, d;
    kh__when_civil(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    snprintf(buf, cap, "%04d-%02u-%02u", (int)y, m % 100, d % 100);
}

char *
kh__when_format(const kh_when *w, char *buf)
{
    int64_t y;
    unsigned m, d;
    kh__when_civil(w->first, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    if (w->grain == KH_WHEN_YEAR) {
        snprintf(buf, 32, "%04d", (int)y);
    } else if (w->grain == KH_WHEN_MONTH) {
        snprintf(buf, 32, "%04d-%02u", (int)y, m % 100);
    } else if (w->is_range || w->grain == KH_WHEN_WEEK) {
        put_day(buf, 11, w->first);
        buf[10] = '/';
        put_day(buf + 11, 11, w->last);
    } else {
        put_day(buf, 32, w->first);
    }
    return buf;
}
