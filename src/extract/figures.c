/*
 * figures.c -- numbers in news text with what they count: "141 دولة",
 * "3 ملايين دولار", "5ر32 مليون جنيه", "25 %", "آلاف الجنود".
 *
 * A figure is a run of digits (ASCII, Arabic-Indic or Persian) with its
 * separators -- "1,000" and "1.733.581" group thousands, "11,89", "52.28",
 * "٩٦٫٧" are decimals, and so is the Gulf press's "5ر32", read as 32.5:
 * with the ر separator the fraction comes first in the stored text
 * (Benteke's transfer fee of 32.5 million pounds is "5ر32 مليون جنيه") -- then
 * an optional scale word (ألف, آلاف, مليون, ملايين, مليار, مئة), then the
 * counted noun or unit: "%" or "في المئة", or the next word unless it is a
 * small function word.  Number words alone (آلاف, ملايين, مئات, عشرات) are
 * figures too, flagged approximate with the scale as their value.
 * Numbers inside a date found by when.c (with day 0 as the reference) are
 * not figures.
 */
#include "extract/when.h"

#include <string.h>

typedef struct scale_word {
    const char *word; /* folded */
    double factor;
    int plural; /* a plural: alone it means "several"; 2: a dual, alone
                   it means two */
} scale_word;

static const scale_word scales[] = {
    {"الف", 1e3, 0},      {"الفا", 1e3, 0},     {"الاف", 1e3, 1},
    {"الالاف", 1e3, 1},   {"مليون", 1e6, 0},    {"مليونا", 1e6, 0},
    {"ملايين", 1e6, 1},   {"الملايين", 1e6, 1}, {"مليار", 1e9, 0},
    {"مليارا", 1e9, 0},   {"مليارات", 1e9, 1},  {"بليون", 1e9, 0},
    {"تريليون", 1e12, 0}, {"مئه", 1e2, 0},      {"مائه", 1e2, 0},
    {"مئات", 1e2, 1},     {"المئات", 1e2, 1},   {"عشرات", 1e1, 1},
    {"العشرات", 1e1, 1},  {"مليوني", 1e6, 2},   {"ملياري", 1e9, 2},
    {"مليونين", 1e6, 2},  {"مليارين", 1e9, 2},  {"الفين", 1e3, 2},
    {"الفي", 1e3, 2},
};

/* Whether the dual scale word at i counts the noun after it ("مليوني
 * دولار"), rather than qualify the one before (حشد مليوني: a
 * million-strong crowd), name a year (عام ألفين) or start a sum (مليونين
 * ونصف). */
static int function_word(const kh_wtok *t);

static int
dual_counts(const kh_wtok *t, size_t n, size_t i)
{
    if (i + 1 >= n || t[i + 1].kind != KH_WT_WORD || function_word(&t[i + 1]))
        return 0;
    if (t[i + 1].wlen >= 2 && memcmp(t[i + 1].word, "و", 2) == 0)
        return 0;
    if (i > 0 &&
        (kh__wtok_is(&t[i - 1], "عام") || kh__wtok_is(&t[i - 1], "سنه") ||
         kh__wtok_is(&t[i - 1], "العام")))
        return 0;
    return 1;
}

/* A number word of three to ten, which counts a plural ("ثلاثة ملايين",
 * "عشرة آلاف"), a و before it allowed: its value, else 0. */
static int
count_word(const kh_wtok *t)
{
    static const struct {
        const char *w;
        int v;
    } w[] = {{"ثلاثه", 3}, {"ثلاث", 3}, {"اربعه", 4},  {"اربع", 4},
             {"خمسه", 5},  {"خمس", 5},  {"سته", 6},    {"ست", 6},
             {"سبعه", 7},  {"سبع", 7},  {"ثمانيه", 8}, {"ثماني", 8},
             {"ثمان", 8},  {"تسعه", 9}, {"تسع", 9},    {"عشره", 10},
             {"عشر", 10}};
    if (t == NULL || t->kind != KH_WT_WORD)
        return 0;
    const char *p = t->word;
    size_t n = t->wlen;
    if (n > 2 && memcmp(p, "و", 2) == 0) {
        p += 2;
        n -= 2;
    }
    for (size_t k = 0; k < sizeof w / sizeof w[0]; k++)
        if (strlen(w[k].w) == n && memcmp(w[k].w, p, n) == 0)
            return w[k].v;
    return 0;
}

const char *
kh__figures_scale_word(size_t k)
{
    return k < sizeof scales / sizeof scales[0] ? scales[k].word : NULL;
}

static const scale_word *
scale_at(const kh_wtok *t)
{
    if (t == NULL || t->kind != KH_WT_WORD || !(t->lex & KH_WL_SCALE))
        return NULL;
    for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++)
        if (kh__wtok_is(t, scales[k].word))
            return &scales[k];
    return NULL;
}

/* Words that never name what a number counts. */
static int
function_word(const kh_wtok *t)
{
    static const char *const w[] = {
        "من",   "في",   "علي", "الي", "عن",    "او",  "و",   "ان",
        "الذي", "التي", "منذ", "حتي", "مقابل", "بين", "بعد", "قبل",
        "خلال", "مع",   "الا", "لا",  "ما",    "هو",  "هي",  "ثم",
        "قد",   "كما",  "الف", "او",  "ام",    "بل",  "لكن", "اي"};
    for (size_t k = 0; k < sizeof w / sizeof w[0]; k++)
        if (kh__wtok_is(t, w[k]))
            return 1;
    return 0;
}

static double
pow10_of(int n)
{
    double x = 1.0;
    for (int k = 0; k < n && k < 30; k++)
        x *= 10.0;
    return x;
}

typedef struct figs {
    kh_figure *v;
    size_t n, cap;
} figs;

static int
push(figs *f, const kh_figure *x)
{
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 16;
        kh_figure *nv = kh_realloc(f->v, ncap * sizeof *nv);
        if (nv == NULL)
            return 0;
        f->v = nv;
        f->cap = ncap;
    }
    f->v[f->n++] = *x;
    return 1;
}

/* Is the separator token s (between two digit runs, no spaces) one that
 * joins them into one number? */
static int
joins(const kh_wtok *s, const kh_wtok *next)
{
    if (s->space_before || next->space_before || next->kind != KH_WT_NUM)
        return 0;
    if (s->kind == KH_WT_PUNCT)
        return s->punct == ',' || s->punct == '.' || s->punct == 0x066B ||
               s->punct == 0x066C;
    return kh__wtok_is(s, "ر"); /* 5ر32 */
}

/* The unit or noun after token i: sets *a..*b (token indices, b
 * exclusive) or leaves them equal. */
static void
unit_after(const kh_wtok *t, size_t n, size_t i, size_t *a, size_t *b)
{
    *a = *b = i;
    if (i >= n)
        return;
    if (t[i].kind == KH_WT_PUNCT &&
        (t[i].punct == '%' || t[i].punct == 0x066A)) {
        *b = i + 1;
        return;
    }
    if (t[i].kind != KH_WT_WORD)
        return;
    if ((kh__wtok_is(&t[i], "في") || kh__wtok_is(&t[i], "بالمئه")) &&
        i + 1 < n &&
        (kh__wtok_is(&t[i + 1], "المئه") || kh__wtok_is(&t[i + 1], "المائه"))) {
        *b = i + 2;
        return;
    }
    if (kh__wtok_is(&t[i], "بالمئه") || kh__wtok_is(&t[i], "بالمائه")) {
        *b = i + 1;
        return;
    }
    /* "خمسة مليارات وستة مليارات": the next figure, not the unit */
    if (function_word(&t[i]) || count_word(&t[i]) || (t[i].lex & KH_WL_SCALE))
        return;
    *b = i + 1;
}

/* The figures of toks[0..n), leaving out the tokens inside dates[0..
 * n_dates) (expressions in text order, as kh__when_find gives them). */
static kh_status
figures_of(const kh_wtok *t, size_t n, const kh_when *dates, size_t n_dates,
           kh_figure **out, size_t *n_out)
{
    size_t di = 0;
    figs f = {NULL, 0, 0};
    *out = NULL;
    *n_out = 0;
    for (size_t i = 0; i < n;) {
        /* most words are neither numbers nor scale words: nothing to do */
        if (t[i].kind != KH_WT_NUM && !(t[i].lex & KH_WL_SCALE)) {
            i++;
            continue;
        }
        /* skip tokens inside a date */
        while (di < n_dates && dates[di].end <= t[i].start)
            di++;
        if (di < n_dates && dates[di].start <= t[i].start &&
            t[i].start < dates[di].end) {
            i++;
            continue;
        }
        kh_figure x;
        memset(&x, 0, sizeof x);
        size_t j = i, start = i;
        const scale_word *sw;
        if (t[i].kind == KH_WT_NUM) {
            double v = (double)t[i].value;
            if (t[i].n_digits > 18)
                v = pow10_of(t[i].n_digits - 1);
            j = i + 1;
            /* groups and decimals */
            while (j + 1 < n && joins(&t[j], &t[j + 1])) {
                const kh_wtok *sep = &t[j], *d = &t[j + 1];
                int thousands =
                    d->n_digits == 3 &&
                    ((sep->kind == KH_WT_PUNCT &&
                      (sep->punct == ',' || sep->punct == 0x066C)) ||
                     (sep->kind == KH_WT_PUNCT && sep->punct == '.' &&
                      j + 3 < n && joins(&t[j + 2], &t[j + 3]) &&
                      t[j + 2].kind == KH_WT_PUNCT && t[j + 2].punct == '.') ||
                     (sep->kind == KH_WT_PUNCT && sep->punct == '.' && j >= 2 &&
                      t[j - 2].kind == KH_WT_PUNCT && t[j - 2].punct == '.'));
                if (thousands)
                    v = v * 1000.0 + (double)d->value;
                else if (sep->kind == KH_WT_WORD) /* ر: stored reversed */
                    v = (double)d->value + v / pow10_of(t[j - 1].n_digits);
                else
                    v = v + (double)d->value / pow10_of(d->n_digits);
                j += 2;
                if (!thousands)
                    break;
            }
            sw = j < n ? scale_at(&t[j]) : NULL;
            if (sw != NULL) {
                v *= sw->factor;
                j++;
            }
            x.value = v;
        } else if ((sw = scale_at(&t[i])) != NULL && sw->plural == 1) {
            /* counted by a number word: "ثلاثة ملايين طن" is 3,000,000
             * (not inside a date: the word was skipped with it) */
            int c = i > 0 && !t[i].space_before ? 0
                    : i > 0                     ? count_word(&t[i - 1])
                                                : 0;
            /* a date holding the word before ends before t[i]: the one
             * the loop above went past */
            if (c > 0 && !(di > 0 && dates[di - 1].start <= t[i - 1].start &&
                           t[i - 1].start < dates[di - 1].end)) {
                x.value = c * sw->factor;
                start = i - 1;
            } else {
                x.value = sw->factor;
                x.approximate = 1;
            }
            j = i + 1;
        } else if ((sw = scale_at(&t[i])) != NULL && sw->plural == 2 &&
                   dual_counts(t, n, i)) {
            x.value = 2 * sw->factor; /* "مليوني دولار": two million */
            j = i + 1;
        } else if (kh__wtok_is(&t[i], "الف") || kh__wtok_is(&t[i], "مليون") ||
                   kh__wtok_is(&t[i], "مليار")) {
            x.value = scale_at(&t[i])->factor;
            j = i + 1;
            /* only with a noun after it: "ألف شخص" */
            if (j >= n || t[j].kind != KH_WT_WORD || function_word(&t[j])) {
                i++;
                continue;
            }
        } else {
            i++;
            continue;
        }
        size_t ua, ub;
        unit_after(t, n, j, &ua, &ub);
        /* "2015م", "1436هـ": a year, not a figure */
        if (ub == ua + 1 && t[i].kind == KH_WT_NUM && j == i + 1 &&
            (kh__wtok_is(&t[ua], "م") || kh__wtok_is(&t[ua], "ه"))) {
            i = ub;
            continue;
        }
        /* a noun that starts a date belongs to the date, not here */
        if (ub > ua && di < n_dates && t[ua].start >= dates[di].start &&
            t[ua].start < dates[di].end)
            ub = ua;
        x.start = t[start].start;
        x.end = ub > ua ? t[ub - 1].end : t[j - 1].end;
        x.unit_start = ub > ua ? t[ua].start : x.end;
        x.unit_end = ub > ua ? t[ub - 1].end : x.end;
        if (!push(&f, &x)) {
            kh_free(f.v);
            return KH_ENOMEM;
        }
        i = ub > ua ? ub : j;
    }
    *out = f.v;
    *n_out = f.n;
    return KH_OK;
}

kh_status
kh__figures_find(const char *text, size_t len, kh_figure **out, size_t *n_out)
{
    /* the date spans with day 0 as reference, as they have always been */
    kh_when *dates = NULL;
    size_t n_dates = 0;
    kh_status rc =
        kh__when_and_figures_find(text, len, 0, &dates, &n_dates, out, n_out);
    kh_free(dates);
    return rc;
}

kh_status
kh__when_and_figures_find(const char *text, size_t len, int64_t ref_day,
                          kh_when **dates, size_t *n_dates,
                          kh_figure **figs_out, size_t *n_figs)
{
    kh_wtok *t = NULL;
    size_t n = 0;
    kh_when *d0 = NULL;
    size_t n0 = 0;
    *dates = NULL;
    *n_dates = 0;
    *figs_out = NULL;
    *n_figs = 0;
    kh_status rc = kh__wtok_split(text, len, &t, &n);
    if (rc != KH_OK)
        return rc;
    if (ref_day == 0)
        rc = kh__when_scan(t, n, text, 0, dates, n_dates, NULL, NULL);
    else
        rc = kh__when_scan(t, n, text, ref_day, dates, n_dates, &d0, &n0);
    if (rc == KH_OK)
        rc = ref_day == 0 ? figures_of(t, n, *dates, *n_dates, figs_out, n_figs)
                          : figures_of(t, n, d0, n0, figs_out, n_figs);
    if (rc != KH_OK) {
        kh_free(*dates);
        *dates = NULL;
        *n_dates = 0;
    }
    kh_free(d0);
    kh_free(t);
    return rc;
}
