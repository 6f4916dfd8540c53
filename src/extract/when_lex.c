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
 * token.  So that most tokens are never looked up, the tokenizer first
 * asks a hash set made from these tables which of them a word could
 * match (kh__when_lex_find, at the end of the file).
 */
#include "extract/when.h"
#include "ingest/ingest.h"

#include <pthread.h>
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
    if (i >= n || t[i].kind != KH_WT_WORD || t[i].wlen >= KH_WT_WORD_MAX ||
        !(t[i].lex & KH_WL_MONTH))
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
    if (t == NULL || t->kind != KH_WT_WORD || t->wlen >= KH_WT_WORD_MAX ||
        !(t->lex & KH_WL_WEEKDAY))
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
    if (i >= n || t[i].kind != KH_WT_WORD || t[i].wlen >= KH_WT_WORD_MAX ||
        !(t[i].lex & KH_WL_ORDINAL))
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

static const kh_wlit future_words[] = {
    KH_WLIT("سوف"),     KH_WLIT("المقرر"),   KH_WLIT("مقرر"),
    KH_WLIT("المقرره"), KH_WLIT("المزمع"),   KH_WLIT("المزمعه"),
    KH_WLIT("يعتزم"),   KH_WLIT("تعتزم"),    KH_WLIT("موعد"),
    KH_WLIT("موعدا"),   KH_WLIT("المرتقب"),  KH_WLIT("المرتقبه"),
    KH_WLIT("المنتظر"), KH_WLIT("المنتظره"), KH_WLIT("لاحقا"),
    KH_WLIT("اعتبارا"), KH_WLIT("بدءا"),     KH_WLIT("ابتداء"),
    KH_WLIT("تنطلق"),   KH_WLIT("ينطلق"),    KH_WLIT("تبدا"),
    KH_WLIT("يبدا"),    KH_WLIT("تستمر"),    KH_WLIT("يستمر"),
};

int
kh__when_future_word(const kh_wtok *t)
{
    if (t == NULL || t->kind != KH_WT_WORD || t->wlen >= KH_WT_WORD_MAX)
        return 0;
    if (kh__wtok_in(t, future_words,
                    sizeof future_words / sizeof future_words[0]))
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

/**************************************************************************
** The KH_WL_* bits of a word: one look-up in a hash set per word the
** tokenizer cuts, so that the matchers try only where a date can start.
** The set holds every spelling the functions above accept, clitic forms
** included, and the words when.c starts a date on (DAYWORD below); it is
** built on first use, in static storage, and never changes after.
*/

/* The words when.c can start a date on besides numbers, months, weekdays
 * and ordinals: relative_at() (أمس, غدا, بعد غد, اليوم; أول أمس and بعد
 * غد match on أمس and غد, at most four tokens on), match_at() (اليوم +
 * date) and period_at() (الأسبوع/الشهر/العام/السنة + direction, عام
 * 2014).  A word that when.c starts a match on must be here, or the match
 * is never tried. */
static const char *const day_words[] = {
    "امس",   "الامس", "وامس",  "غدا", "غد",   "اليوم", "الاسبوع",
    "الشهر", "العام", "السنه", "عام", "لعام", "للعام",
};

/* Each spelling is kept as the tokenizer hands words over: zero-padded to
 * KH_WT_WORD_MAX bytes, so that hashing and comparing go eight bytes at a
 * time. */
typedef struct lex_entry {
    char w[KH_WT_WORD_MAX];
    unsigned char len, bits;
} lex_entry;

/* About 400 spellings go in.  The slots are a power of two, several
 * times that, so that a word not in the set mostly stops at its first
 * slot. */
#define LEX_ENTRIES 1024
#define LEX_SLOTS   4096

static lex_entry lex[LEX_ENTRIES];
static size_t lex_n;
static uint16_t lex_slots[LEX_SLOTS]; /* index into lex + 1; 0 = empty */
static pthread_once_t lex_once = PTHREAD_ONCE_INIT;

/* The slot of the zero-padded word w[0..len) with hash h: its own, or the
 * empty one where it would go. */
static uint32_t
lex_slot(const char *w, size_t len, uint32_t h)
{
    uint32_t i = h & (LEX_SLOTS - 1);
    while (lex_slots[i] != 0) {
        const lex_entry *e = &lex[lex_slots[i] - 1];
        if (e->len == len && memcmp(e->w, w, KH_WT_WORD_MAX) == 0)
            break;
        i = (i + 1) & (LEX_SLOTS - 1);
    }
    return i;
}

/* Adds bits to the word prefix + w (prefix may be ""). */
static void
lex_add(const char *prefix, const char *w, unsigned bits)
{
    char buf[KH_WT_WORD_MAX] = {0};
    size_t pl = strlen(prefix), wl = strlen(w);
    if (pl + wl >= KH_WT_WORD_MAX || lex_n == LEX_ENTRIES)
        return; /* cannot happen with these tables */
    memcpy(buf, prefix, pl);
    memcpy(buf + pl, w, wl);
    uint32_t i = lex_slot(buf, pl + wl, kh__when_lex_hash(buf, pl + wl));
    if (lex_slots[i] == 0) {
        lex_entry *e = &lex[lex_n++];
        memcpy(e->w, buf, sizeof e->w);
        e->len = (unsigned char)(pl + wl);
        lex_slots[i] = (uint16_t)lex_n;
    }
    lex[lex_slots[i] - 1].bits |= (unsigned char)bits;
}

/* w and w with each clitic in front. */
static void
lex_add_clitics(const char *w, unsigned bits)
{
    static const char *const clitics[] = {"", "و", "ف", "ب", "ل"};
    for (size_t k = 0; k < sizeof clitics / sizeof clitics[0]; k++)
        lex_add(clitics[k], w, bits);
}

static void
lex_build(void)
{
    for (size_t k = 0; k < sizeof months / sizeof months[0]; k++)
        lex_add_clitics(months[k].first, KH_WL_MONTH);
    for (int d = 0; d < 7; d++)
        lex_add_clitics(weekdays[d], KH_WL_WEEKDAY);
    lex_add_clitics("الاتنين", KH_WL_WEEKDAY);
    /* ordinal heads, with a clitic and as ل + ل... ("للأول") */
    static const char *const heads[] = {"العاشر", "العشرين", "الثلاثين",
                                        "الحادي", "الواحد"};
    for (size_t k = 0; k < sizeof heads / sizeof heads[0] + 9; k++) {
        const char *h =
            k < sizeof heads / sizeof heads[0]
                ? heads[k]
                : ordinal_units[k - sizeof heads / sizeof heads[0] + 1];
        lex_add_clitics(h, KH_WL_ORDINAL);
        lex_add("لل", h + 4, KH_WL_ORDINAL); /* h is ال + stem */
    }
    for (size_t k = 0; k < sizeof day_words / sizeof day_words[0]; k++)
        lex_add("", day_words[k], KH_WL_DAYWORD);
    const char *w;
    for (size_t k = 0; (w = kh__figures_scale_word(k)) != NULL; k++)
        lex_add("", w, KH_WL_SCALE);
}

void
kh__when_lex_init(void)
{
    pthread_once(&lex_once, lex_build);
}

unsigned
kh__when_lex_find(const char *w, size_t wl, uint32_t hash)
{
    if (wl >= KH_WT_WORD_MAX)
        return 0;
    uint32_t i = lex_slot(w, wl, hash);
    return lex_slots[i] != 0 ? lex[lex_slots[i] - 1].bits : 0;
}

unsigned
kh__when_lex_bits(const char *w, size_t wl)
{
    kh__when_lex_init();
    return kh__when_lex_find(w, wl, kh__when_lex_hash(w, wl));
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
