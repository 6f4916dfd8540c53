/*
 * textdate.c -- a date written in running text: "الثلاثاء 27 سبتمبر 2022",
 * "27 أيلول 2022", "27 جانفي 2022", "الثلاثاء 2 ربيع الأول 1444 هـ",
 * "۲۹ بهمن ۱۳۹۸", "27/09/2022", "2022-09-27", "September 27, 2022",
 * "27. September 2022".
 *
 * The text is cut into tokens (numbers in ASCII, Arabic-Indic or Persian
 * digits; words, with Arabic letter variants folded so that one table
 * entry covers أبريل/ابريل/إبريل; punctuation) and a few fixed patterns
 * are tried at every token.  Only full dates (day, month and year) count:
 * "سبتمبر 2022" or a bare year says too little to be a publication date.
 * The first Gregorian date wins; a Hijri or Solar Hijri one is taken only
 * when the text has no Gregorian date, since pages that print both put
 * the Gregorian one beside the Hijri one and it needs no conversion; a
 * date with a two-digit year ("30.10.23", d.m.yy or d/m/yy only) comes
 * last.  Chinese, Japanese and Korean dates (2020年7月3日) are read too.
 *
 * Nothing is allocated; the scan is linear in the text.
 */
#include "ingest/ingest.h"

#include <stdio.h>
#include <string.h>

/* CAL_WEAK: a Gregorian date with a two-digit year ("30.10.23"), taken
 * only when the text has no other date. */
enum { CAL_GREG, CAL_HIJRI, CAL_JALALI, CAL_WEAK };

typedef struct month_name {
    const char *name; /* folded as fold_cp() does; one or two words */
    unsigned char month;
    unsigned char cal;
} month_name;

/* Names are written in folded form: أ إ آ ٱ -> ا, ى ی -> ي, ة ۀ -> ه,
 * ک -> ك, Latin lower case. */
static const month_name months[] = {
    /* Egyptian and Gulf usage, the Maghreb's French and Moroccan forms */
    {"يناير", 1, CAL_GREG},
    {"ينير", 1, CAL_GREG},
    {"جانفي", 1, CAL_GREG},
    {"فبراير", 2, CAL_GREG},
    {"فبرير", 2, CAL_GREG},
    {"فيفري", 2, CAL_GREG},
    {"مارس", 3, CAL_GREG},
    {"ابريل", 4, CAL_GREG},
    {"افريل", 4, CAL_GREG},
    {"مايو", 5, CAL_GREG},
    {"ماي", 5, CAL_GREG},
    {"يونيو", 6, CAL_GREG},
    {"يونيه", 6, CAL_GREG},
    {"جوان", 6, CAL_GREG},
    {"يوليو", 7, CAL_GREG},
    {"يوليه", 7, CAL_GREG},
    {"يوليوز", 7, CAL_GREG},
    {"جويليه", 7, CAL_GREG},
    {"اغسطس", 8, CAL_GREG},
    {"اوت", 8, CAL_GREG},
    {"غشت", 8, CAL_GREG},
    {"سبتمبر", 9, CAL_GREG},
    {"شتنبر", 9, CAL_GREG},
    {"اكتوبر", 10, CAL_GREG},
    {"نوفمبر", 11, CAL_GREG},
    {"نونبر", 11, CAL_GREG},
    {"ديسمبر", 12, CAL_GREG},
    {"دجنبر", 12, CAL_GREG},
    /* Levantine and Iraqi */
    {"كانون الثاني", 1, CAL_GREG},
    {"شباط", 2, CAL_GREG},
    {"اذار", 3, CAL_GREG},
    {"نيسان", 4, CAL_GREG},
    {"ايار", 5, CAL_GREG},
    {"حزيران", 6, CAL_GREG},
    {"تموز", 7, CAL_GREG},
    {"اب", 8, CAL_GREG},
    {"ايلول", 9, CAL_GREG},
    {"تشرين الاول", 10, CAL_GREG},
    {"تشرين الثاني", 11, CAL_GREG},
    {"كانون الاول", 12, CAL_GREG},
    /* Persian names of the Gregorian months */
    {"ژانويه", 1, CAL_GREG},
    {"فوريه", 2, CAL_GREG},
    {"اوريل", 4, CAL_GREG},
    {"مه", 5, CAL_GREG},
    {"ژوين", 6, CAL_GREG},
    {"ژوئن", 6, CAL_GREG},
    {"ژوئيه", 7, CAL_GREG},
    {"سپتامبر", 9, CAL_GREG},
    {"اكتبر", 10, CAL_GREG},
    {"نوامبر", 11, CAL_GREG},
    {"دسامبر", 12, CAL_GREG},
    /* Hijri */
    {"محرم", 1, CAL_HIJRI},
    {"صفر", 2, CAL_HIJRI},
    {"ربيع الاول", 3, CAL_HIJRI},
    {"ربيع اول", 3, CAL_HIJRI},
    {"ربيع الاخر", 4, CAL_HIJRI},
    {"ربيع الثاني", 4, CAL_HIJRI},
    {"ربيع ثاني", 4, CAL_HIJRI},
    {"جمادي الاولي", 5, CAL_HIJRI},
    {"جمادي الاول", 5, CAL_HIJRI},
    {"جمادي الاخره", 6, CAL_HIJRI},
    {"جمادي الاخر", 6, CAL_HIJRI},
    {"جمادي الثانيه", 6, CAL_HIJRI},
    {"جمادي الثاني", 6, CAL_HIJRI},
    {"رجب", 7, CAL_HIJRI},
    {"شعبان", 8, CAL_HIJRI},
    {"رمضان", 9, CAL_HIJRI},
    {"شوال", 10, CAL_HIJRI},
    {"ذو القعده", 11, CAL_HIJRI},
    {"ذي القعده", 11, CAL_HIJRI},
    {"ذو الحجه", 12, CAL_HIJRI},
    {"ذي الحجه", 12, CAL_HIJRI},
    /* Solar Hijri (Iran, Afghanistan's Persian names) */
    {"فروردين", 1, CAL_JALALI},
    {"ارديبهشت", 2, CAL_JALALI},
    {"خرداد", 3, CAL_JALALI},
    {"تير", 4, CAL_JALALI},
    {"مرداد", 5, CAL_JALALI},
    {"امرداد", 5, CAL_JALALI},
    {"شهريور", 6, CAL_JALALI},
    {"مهر", 7, CAL_JALALI},
    {"ابان", 8, CAL_JALALI},
    {"اذر", 9, CAL_JALALI},
    {"دي", 10, CAL_JALALI},
    {"بهمن", 11, CAL_JALALI},
    {"اسفند", 12, CAL_JALALI},
    /* English, French, German, Spanish (full and usual short forms) */
    {"january", 1, CAL_GREG},
    {"jan", 1, CAL_GREG},
    {"janvier", 1, CAL_GREG},
    {"januar", 1, CAL_GREG},
    {"jänner", 1, CAL_GREG},
    {"enero", 1, CAL_GREG},
    {"february", 2, CAL_GREG},
    {"feb", 2, CAL_GREG},
    {"février", 2, CAL_GREG},
    {"fevrier", 2, CAL_GREG},
    {"februar", 2, CAL_GREG},
    {"febrero", 2, CAL_GREG},
    {"march", 3, CAL_GREG},
    {"mar", 3, CAL_GREG},
    {"mars", 3, CAL_GREG},
    {"märz", 3, CAL_GREG},
    {"maerz", 3, CAL_GREG},
    {"marzo", 3, CAL_GREG},
    {"april", 4, CAL_GREG},
    {"apr", 4, CAL_GREG},
    {"avril", 4, CAL_GREG},
    {"abril", 4, CAL_GREG},
    {"may", 5, CAL_GREG},
    {"mai", 5, CAL_GREG},
    {"mayo", 5, CAL_GREG},
    {"june", 6, CAL_GREG},
    {"jun", 6, CAL_GREG},
    {"juin", 6, CAL_GREG},
    {"juni", 6, CAL_GREG},
    {"junio", 6, CAL_GREG},
    {"july", 7, CAL_GREG},
    {"jul", 7, CAL_GREG},
    {"juillet", 7, CAL_GREG},
    {"juli", 7, CAL_GREG},
    {"julio", 7, CAL_GREG},
    {"august", 8, CAL_GREG},
    {"aug", 8, CAL_GREG},
    {"août", 8, CAL_GREG},
    {"aout", 8, CAL_GREG},
    {"agosto", 8, CAL_GREG},
    {"september", 9, CAL_GREG},
    {"sep", 9, CAL_GREG},
    {"sept", 9, CAL_GREG},
    {"septembre", 9, CAL_GREG},
    {"septiembre", 9, CAL_GREG},
    {"october", 10, CAL_GREG},
    {"oct", 10, CAL_GREG},
    {"octobre", 10, CAL_GREG},
    {"oktober", 10, CAL_GREG},
    {"octubre", 10, CAL_GREG},
    {"november", 11, CAL_GREG},
    {"nov", 11, CAL_GREG},
    {"novembre", 11, CAL_GREG},
    {"noviembre", 11, CAL_GREG},
    {"december", 12, CAL_GREG},
    {"dec", 12, CAL_GREG},
    {"décembre", 12, CAL_GREG},
    {"decembre", 12, CAL_GREG},
    {"dezember", 12, CAL_GREG},
    {"diciembre", 12, CAL_GREG},
};

/* Folded weekday names, Sunday first; with and without the article. */
static const char *const weekdays[][2] = {
    {"الاحد", "احد"},       {"الاثنين", "اثنين"}, {"الثلاثاء", "ثلاثاء"},
    {"الاربعاء", "اربعاء"}, {"الخميس", "خميس"},   {"الجمعه", "جمعه"},
    {"السبت", "سبت"},
};

enum { T_NUM, T_WORD, T_PUNCT };

#define WORD_MAX 40

typedef struct tok {
    int kind;
    int space_before; /* whitespace, or the start of the text, before it */
    unsigned value;   /* T_NUM, saturated */
    int n_digits;     /* T_NUM */
    char punct;       /* T_PUNCT: the ASCII character, '?' for others */
    size_t wlen;      /* T_WORD: bytes in word; WORD_MAX when too long */
    char word[WORD_MAX];
} tok;

#define RING 16

typedef struct scan {
    const unsigned char *s;
    size_t len, pos;
    size_t n_toks; /* tokens produced so far */
    tok ring[RING];
} scan;

/* Decodes one code point at s[*i]; invalid bytes give U+FFFD, one byte. */
static uint32_t
next_cp(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
        (*i)++;
        return c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        cp = c & 0x1F;
        n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        cp = c & 0x0F;
        n = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
        cp = c & 0x07;
        n = 3;
    } else {
        (*i)++;
        return 0xFFFD;
    }
    if (*i + n >= len) {
        (*i)++;
        return 0xFFFD;
    }
    for (size_t k = 1; k <= n; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    }
    *i += n + 1;
    return cp;
}

/* The digit value of cp in any of the three digit sets, or -1. */
static int
digit_value(uint32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    if (cp >= 0x0660 && cp <= 0x0669)
        return (int)(cp - 0x0660);
    if (cp >= 0x06F0 && cp <= 0x06F9)
        return (int)(cp - 0x06F0);
    return -1;
}

/* Marks that sit inside words without changing them: harakat, tatweel,
 * direction marks. */
static int
is_ignorable(uint32_t cp)
{
    return (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x0640 ||
           cp == 0x200E || cp == 0x200F || cp == 0x061C || cp == 0x00AD;
}

static int
is_space(uint32_t cp)
{
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 ||
           (cp >= 0x2000 && cp <= 0x200D) || cp == 0x202F || cp == 0x3000 ||
           cp == 0xFEFF;
}

/* The folded letter for cp, or 0 when cp is not a letter. */
static uint32_t
fold_cp(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp >= 'a' && cp <= 'z')
        return cp;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return cp + 32;
    if (cp >= 0xDF && cp <= 0xFF && cp != 0xF7)
        return cp;
    switch (cp) {
    case 0x0622: /* آ */
    case 0x0623: /* أ */
    case 0x0625: /* إ */
    case 0x0671: /* ٱ */
        return 0x0627;
    case 0x0649: /* ى */
    case 0x06CC: /* Persian yeh */
        return 0x064A;
    case 0x0629: /* ة */
    case 0x06C0: /* ۀ */
        return 0x0647;
    case 0x06A9: /* Persian kaf */
        return 0x0643;
    default:
        break;
    }
    if ((cp >= 0x0621 && cp <= 0x063A) || (cp >= 0x0641 && cp <= 0x064A) ||
        (cp >= 0x0671 && cp <= 0x06D3))
        return cp;
    return 0;
}

static void
put_utf8(tok *t, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    if (t->wlen + n >= WORD_MAX) {
        t->wlen = WORD_MAX; /* too long to be a month: never matches */
        return;
    }
    memcpy(t->word + t->wlen, b, n);
    t->wlen += n;
}

/* Reads the next token into *t; 0 at the end of the text. */
static int
read_tok(scan *sc, tok *t)
{
    int space = sc->pos == 0;
    uint32_t cp = 0;
    for (;;) {
        if (sc->pos >= sc->len)
            return 0;
        cp = next_cp(sc->s, sc->len, &sc->pos);
        if (is_space(cp))
            space = 1;
        else if (!is_ignorable(cp))
            break;
    }
    memset(t, 0, sizeof *t);
    t->space_before = space;
    int dv = digit_value(cp);
    if (dv >= 0) {
        t->kind = T_NUM;
        unsigned v = (unsigned)dv;
        int n = 1;
        for (;;) {
            size_t save = sc->pos;
            if (sc->pos >= sc->len)
                break;
            uint32_t c2 = next_cp(sc->s, sc->len, &sc->pos);
            int d2 = digit_value(c2);
            if (d2 < 0) {
                sc->pos = save;
                break;
            }
            if (v < 100000000)
                v = v * 10 + (unsigned)d2;
            n++;
        }
        t->value = v;
        t->n_digits = n;
        return 1;
    }
    uint32_t f = fold_cp(cp);
    if (f != 0) {
        t->kind = T_WORD;
        put_utf8(t, f);
        for (;;) {
            size_t save = sc->pos;
            if (sc->pos >= sc->len)
                break;
            uint32_t c2 = next_cp(sc->s, sc->len, &sc->pos);
            if (is_ignorable(c2))
                continue;
            uint32_t f2 = fold_cp(c2);
            if (f2 == 0) {
                sc->pos = save;
                break;
            }
            if (t->wlen < WORD_MAX)
                put_utf8(t, f2);
        }
        return 1;
    }
    t->kind = T_PUNCT;
    if (cp < 0x80)
        t->punct = (char)cp;
    else if (cp == 0x060C) /* Arabic comma */
        t->punct = ',';
    else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2013 || cp == 0x2014)
        t->punct = '-';
    else if (cp == 0x5E74 || cp == 0xB144) /* 年, 년: year */
        t->punct = 'Y';
    else if (cp == 0x6708 || cp == 0xC6D4) /* 月, 월: month */
        t->punct = 'M';
    else if (cp == 0x65E5 || cp == 0xC77C) /* 日, 일: day */
        t->punct = 'D';
    else
        t->punct = '?';
    return 1;
}

/* The token at absolute index i, reading ahead as needed; NULL past the
 * end or when i has left the ring. */
static const tok *
tok_at(scan *sc, size_t i)
{
    while (sc->n_toks <= i) {
        if (!read_tok(sc, &sc->ring[sc->n_toks % RING]))
            return NULL;
        sc->n_toks++;
    }
    if (sc->n_toks - i > RING)
        return NULL;
    return &sc->ring[i % RING];
}

static int
word_is(const tok *t, const char *w)
{
    return t != NULL && t->kind == T_WORD && t->wlen == strlen(w) &&
           memcmp(t->word, w, t->wlen) == 0;
}

static int
punct_is(const tok *t, char c)
{
    return t != NULL && t->kind == T_PUNCT && t->punct == c;
}

/* A month name at token i; *next is the token after it (and after the
 * full stop of an abbreviation). */
static const month_name *
month_at(scan *sc, size_t i, size_t *next)
{
    const tok *a = tok_at(sc, i);
    if (a == NULL || a->kind != T_WORD || a->wlen < 2 || a->wlen >= WORD_MAX)
        return NULL;
    const tok *b = tok_at(sc, i + 1);
    const month_name *found = NULL;
    size_t n_words = 0;
    for (size_t k = 0; k < sizeof months / sizeof months[0]; k++) {
        const char *name = months[k].name;
        /* Most words are not month names: the first two bytes (the
         * first Arabic letter) turn nearly all of them away cheaply. */
        if (name[0] != a->word[0] || name[1] != a->word[1])
            continue;
        const char *sp = strchr(name, ' ');
        if (sp == NULL) {
            if (n_words == 0 && word_is(a, name)) {
                found = &months[k];
                n_words = 1;
            }
        } else if (b != NULL && b->kind == T_WORD &&
                   (size_t)(sp - name) == a->wlen &&
                   memcmp(name, a->word, a->wlen) == 0 && word_is(b, sp + 1)) {
            found = &months[k];
            n_words = 2;
            break;
        }
    }
    if (found == NULL)
        return NULL;
    *next = i + n_words;
    if (found->cal == CAL_GREG && found->name[0] >= 'a' &&
        found->name[0] <= 'z' && punct_is(tok_at(sc, *next), '.') &&
        !tok_at(sc, *next)->space_before)
        (*next)++;
    return found;
}

/* Levantine pages name the month twice: "24 نيسان / أبريل 2020",
 * "24 نيسان (أبريل) 2020".  Returns the token after the second name when
 * there is one naming the same month, else j. */
static size_t
second_name(scan *sc, size_t j, const month_name *first)
{
    const tok *p = tok_at(sc, j);
    size_t k;
    const month_name *mn;
    if (p == NULL || p->kind != T_PUNCT ||
        (p->punct != '/' && p->punct != '-' && p->punct != '('))
        return j;
    mn = month_at(sc, j + 1, &k);
    if (mn == NULL || mn->month != first->month || mn->cal != first->cal)
        return j;
    if (p->punct == '(') {
        if (!punct_is(tok_at(sc, k), ')'))
            return j;
        k++;
    }
    return k;
}

/* Small words that may stand between the parts of a date. */
static int
is_filler(const tok *t)
{
    return word_is(t, "de") || word_is(t, "of") || word_is(t, "del");
}

static int
is_num(const tok *t, int min_digits, int max_digits)
{
    return t != NULL && t->kind == T_NUM && t->n_digits >= min_digits &&
           t->n_digits <= max_digits;
}

/* The weekday (0 = Sunday) written just before token i, or -1. */
static int
weekday_before(scan *sc, size_t i)
{
    for (int back = 1; back <= 3 && i >= (size_t)back; back++) {
        const tok *t = tok_at(sc, i - (size_t)back);
        if (t == NULL)
            return -1;
        if (t->kind == T_PUNCT && (t->punct == ',' || t->punct == '-'))
            continue;
        if (t->kind != T_WORD)
            return -1;
        for (int d = 0; d < 7; d++)
            if (word_is(t, weekdays[d][0]) || word_is(t, weekdays[d][1]))
                return d;
        return -1;
    }
    return -1;
}

/* Days since 1970-01-01 of a Gregorian date, through the ISO parser (which
 * checks the day against the month); 0 when the date does not exist. */
static int
greg_days(unsigned y, unsigned m, unsigned d, int64_t *days)
{
    char iso[16];
    int64_t t;
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    snprintf(iso, sizeof iso, "%04u-%02u-%02u", y, m, d);
    if (kh_date_parse(iso, 10, &t) != KH_OK)
        return 0;
    *days = t / 86400;
    return 1;
}

typedef struct found {
    int cal;
    int64_t days;
} found;

/* Resolves day/month/year in a calendar to days since the epoch. */
static int
resolve(int cal, unsigned y, unsigned m, unsigned d, int weekday, found *f)
{
    f->cal = cal;
    if (cal == CAL_GREG)
        return greg_days(y, m, d, &f->days);
    if (m < 1 || m > 12 || d < 1)
        return 0;
    if (cal == CAL_HIJRI) {
        if (y < 1300 || y > 1600 || d > 30)
            return 0;
        f->days = kh__hijri_days((int)y, (int)m, (int)d);
        if (weekday >= 0) {
            /* The tabular calendar can be a day or two off the sighted
             * or Umm al-Qura month; the weekday written beside the date
             * settles it. */
            int have = (int)(((f->days % 7) + 7 + 4) % 7);
            int delta = weekday - have;
            if (delta > 3)
                delta -= 7;
            if (delta < -3)
                delta += 7;
            if (delta >= -2 && delta <= 2)
                f->days += delta;
        }
        return 1;
    }
    if (y < 1300 || y > 1500 || d > 31)
        return 0;
    f->days = kh__jalali_days((int)y, (int)m, (int)d);
    return 1;
}

/* The era word after a year: "هـ"/"ه" Hijri, "م" Gregorian, "ش" Solar. */
static int
era_after(scan *sc, size_t i)
{
    const tok *t = tok_at(sc, i);
    if (word_is(t, "ه") || word_is(t, "هجري") || word_is(t, "هجريه"))
        return CAL_HIJRI;
    if (word_is(t, "ش"))
        return CAL_JALALI;
    if (word_is(t, "م") || word_is(t, "ميلادي") || word_is(t, "ميلاديه"))
        return CAL_GREG;
    return -1;
}

/* Tries every pattern at token i. */
static int
match_at(scan *sc, size_t i, found *f)
{
    const tok *t = tok_at(sc, i);
    if (t == NULL)
        return 0;
    size_t j;
    const month_name *mn;
    if (t->kind == T_NUM && t->n_digits <= 2) {
        /* day [st|th|.] [de] month [,] [de] year [era] */
        unsigned day = t->value;
        j = i + 1;
        const tok *u = tok_at(sc, j);
        if (u != NULL && !u->space_before &&
            (word_is(u, "st") || word_is(u, "nd") || word_is(u, "rd") ||
             word_is(u, "th") || word_is(u, "er") || punct_is(u, '.')))
            j++;
        if (is_filler(tok_at(sc, j)))
            j++;
        if ((mn = month_at(sc, j, &j)) != NULL) {
            j = second_name(sc, j, mn);
            if (punct_is(tok_at(sc, j), ','))
                j++;
            if (is_filler(tok_at(sc, j)))
                j++;
            const tok *y = tok_at(sc, j);
            if (is_num(y, 4, 4)) {
                int cal = mn->cal;
                int era = era_after(sc, j + 1);
                if (cal == CAL_GREG && era >= 0 && era != CAL_GREG)
                    return 0;
                return resolve(cal, y->value, mn->month, day,
                               weekday_before(sc, i), f);
            }
        }
        /* d/m/yyyy, d-m-yyyy, d.m.yyyy; m/d/yyyy when d cannot be a
         * day-of-month first */
        const tok *s1 = tok_at(sc, i + 1), *m = tok_at(sc, i + 2),
                  *s2 = tok_at(sc, i + 3), *y = tok_at(sc, i + 4);
        if (s1 != NULL && s1->kind == T_PUNCT && !s1->space_before &&
            (s1->punct == '/' || s1->punct == '-' || s1->punct == '.') &&
            is_num(m, 1, 2) && !m->space_before && punct_is(s2, s1->punct) &&
            !s2->space_before && is_num(y, 4, 4) && !y->space_before) {
            unsigned d = day, mo = m->value;
            if (mo > 12 && d <= 12) {
                d = m->value;
                mo = day;
            }
            if (y->value >= 1300 && y->value <= 1600) {
                int era = era_after(sc, i + 5);
                return resolve(era == CAL_HIJRI ? CAL_HIJRI : CAL_JALALI,
                               y->value, mo, d, weekday_before(sc, i), f);
            }
            return resolve(CAL_GREG, y->value, mo, d, -1, f);
        }
        if (s1 != NULL && s1->kind == T_PUNCT && !s1->space_before &&
            (s1->punct == '/' || s1->punct == '.') && is_num(m, 1, 2) &&
            !m->space_before && punct_is(s2, s1->punct) && !s2->space_before &&
            is_num(y, 2, 2) && !y->space_before) {
            /* d.m.yy, but not a part of a longer dotted number */
            const tok *s3 = tok_at(sc, i + 5), *n4 = tok_at(sc, i + 6);
            if (punct_is(s3, s1->punct) && !s3->space_before && n4 != NULL &&
                n4->kind == T_NUM && !n4->space_before)
                return 0;
            if (i > 0) {
                const tok *before = tok_at(sc, i - 1);
                if (before != NULL && before->kind == T_PUNCT &&
                    before->punct == s1->punct && !t->space_before)
                    return 0;
            }
            if (!resolve(CAL_GREG, 2000 + y->value, m->value, day, -1, f))
                return 0;
            f->cal = CAL_WEAK;
            return 1;
        }
        return 0;
    }
    if (t->kind == T_NUM && t->n_digits == 4 &&
        punct_is(tok_at(sc, i + 1), 'Y')) {
        /* 2020年7月3日, 2020년 7월 3일 */
        const tok *m = tok_at(sc, i + 2), *mk = tok_at(sc, i + 3),
                  *d = tok_at(sc, i + 4), *dk = tok_at(sc, i + 5);
        if (is_num(m, 1, 2) && punct_is(mk, 'M') && is_num(d, 1, 2) &&
            punct_is(dk, 'D'))
            return resolve(CAL_GREG, t->value, m->value, d->value, -1, f);
        return 0;
    }
    if (t->kind == T_NUM && t->n_digits == 4) {
        /* yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd */
        const tok *s1 = tok_at(sc, i + 1), *m = tok_at(sc, i + 2),
                  *s2 = tok_at(sc, i + 3), *d = tok_at(sc, i + 4);
        if (s1 != NULL && s1->kind == T_PUNCT && !s1->space_before &&
            (s1->punct == '/' || s1->punct == '-' || s1->punct == '.') &&
            is_num(m, 1, 2) && !m->space_before && punct_is(s2, s1->punct) &&
            !s2->space_before && is_num(d, 1, 2) && !d->space_before) {
            if (t->value >= 1300 && t->value <= 1600) {
                int era = era_after(sc, i + 5);
                return resolve(era == CAL_HIJRI ? CAL_HIJRI : CAL_JALALI,
                               t->value, m->value, d->value,
                               weekday_before(sc, i), f);
            }
            return resolve(CAL_GREG, t->value, m->value, d->value, -1, f);
        }
        return 0;
    }
    if (t->kind == T_WORD && (mn = month_at(sc, i, &j)) != NULL &&
        mn->cal == CAL_GREG) {
        /* month day[st|th] [,] year */
        const tok *d = tok_at(sc, j);
        if (!is_num(d, 1, 2))
            return 0;
        j++;
        const tok *u = tok_at(sc, j);
        if (u != NULL && !u->space_before &&
            (word_is(u, "st") || word_is(u, "nd") || word_is(u, "rd") ||
             word_is(u, "th")))
            j++;
        if (punct_is(tok_at(sc, j), ','))
            j++;
        const tok *y = tok_at(sc, j);
        if (is_num(y, 4, 4))
            return resolve(CAL_GREG, y->value, mn->month, d->value, -1, f);
    }
    return 0;
}

int
kh__text_date(const char *text, size_t len, int64_t *out)
{
    scan sc;
    memset(&sc, 0, sizeof sc);
    sc.s = (const unsigned char *)text;
    sc.len = text != NULL ? len : 0;
    /* the first date of each kind: Hijri or Solar, two-digit year */
    int have[2] = {0, 0};
    int64_t first[2] = {0, 0};
    for (size_t i = 0; tok_at(&sc, i) != NULL; i++) {
        found f;
        if (!match_at(&sc, i, &f))
            continue;
        if (f.cal == CAL_GREG) {
            *out = f.days * 86400;
            return 1;
        }
        int k = f.cal == CAL_WEAK;
        if (!have[k]) {
            have[k] = 1;
            first[k] = f.days * 86400;
        }
    }
    for (int k = 0; k < 2; k++) {
        if (have[k]) {
            *out = first[k];
            return 1;
        }
    }
    return 0;
}
