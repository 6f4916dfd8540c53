/*
 * test_when.c -- Arabic temporal expressions and figures (src/extract/
 * when.c, when_lex.c, when_tok.c, figures.c).
 *
 * The seed sentences come from the AFP story in examples/article.txt
 * (Tokayev promises to protect Russians fleeing mobilisation), published
 * Tuesday 27 September 2022: its "الثلاثاء" is that day, and the war
 * dates it recalls ("21 فبراير", "فجر يوم الخميس 24 فبراير", "الثاني من
 * مارس") are of 2022.  Expected values were worked out by hand with a
 * calendar; Hijri ones against the Umm al-Qura dates printed beside them
 * in Saudi wire copy.  Texts are passed from exactly sized heap copies so
 * that AddressSanitizer catches a read past the end.
 */
#include "testutil.h"

#include "extract/when.h"

#define REF_2022_09_27 kh__when_days(2022, 9, 27)
#define REF_2015_08_10 kh__when_days(2015, 8, 10)

/* Runs the extractor on s and writes "value|surface" of expression k
 * (or "-" when there are fewer) into out. */
static size_t
when_nth(const char *s, int64_t ref, size_t k, char *out, size_t cap)
{
    size_t len = strlen(s);
    char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, s, len);
    kh_when *w = NULL;
    size_t n = 0;
    assert_int_equal(kh__when_find(copy, len, ref, &w, &n), KH_OK);
    if (k < n) {
        char v[32];
        kh__when_format(&w[k], v);
        assert_true(w[k].start < w[k].end && w[k].end <= len);
        snprintf(out, cap, "%s|%.*s", v, (int)(w[k].end - w[k].start),
                 copy + w[k].start);
    } else {
        snprintf(out, cap, "-");
    }
    kh_free(w);
    free(copy);
    return n;
}

static void
check(const char *s, int64_t ref, const char *want)
{
    char got[256];
    when_nth(s, ref, 0, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s\n  want %s\n  got  %s", s, want, got);
}

static void
check_nth(const char *s, int64_t ref, size_t k, const char *want)
{
    char got[256];
    when_nth(s, ref, k, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s [%zu]\n  want %s\n  got  %s", s, k, want, got);
}

/* A year written after "من": "17 نوفمبر من عام 1869" is 1869 (it gave
 * the coming 17 November), and one counted from the publication date:
 * "من العام الماضي" is the calendar year before, not the last such
 * month. */
static void
test_year_after_min(void **state)
{
    (void)state;
    int64_t ref = REF_2015_08_10;
    check("افتتحت القناة في 17 نوفمبر من عام 1869م.", ref,
          "1869-11-17|17 نوفمبر من عام 1869م");
    check("في 17 نوفمبر من سنة 1869", ref, "1869-11-17|17 نوفمبر من سنة 1869");
    check("ولد في 5 مايو من العام 1990 في القاهرة", ref,
          "1990-05-05|5 مايو من العام 1990");
    check("في السادس من أغسطس آب العام الماضي", ref,
          "2014-08-06|السادس من أغسطس آب العام الماضي");
    check("زار البلد في 12 مارس من العام الماضي", ref,
          "2014-03-12|12 مارس من العام الماضي");
    check("يبدأ في 3 يناير من العام المقبل", ref,
          "2016-01-03|3 يناير من العام المقبل");
    check("عقد في 12 مارس من هذا العام", ref,
          "2015-03-12|12 مارس من هذا العام");
    check("سافر في 20 رمضان من العام الماضي", ref,
          "2014-07-18|20 رمضان من العام الماضي");
    check("في أكتوبر من عام 2001", ref, "2001-10|أكتوبر من عام 2001");
    check("في فبراير من العام المقبل", ref, "2016-02|فبراير من العام المقبل");
    /* without a year word "من" is no part of the date */
    check("في 12 مارس من 2001 حتى الآن", ref, "2015-03-12|12 مارس");
}

static void
test_seed_article(void **state)
{
    (void)state;
    int64_t ref = REF_2022_09_27;
    check("أكد الرئيس الكازاخستاني، قاسم جومارت توكاييف، الثلاثاء، أن بلاده "
          "ستحمي الروس",
          ref, "2022-09-27|الثلاثاء");
    check("اكتسب الصراع الروسي الأوكراني منعطفًا جديدًا فارقًا، في 21 فبراير، "
          "بعدما أعلن الرئيس الروسي",
          ref, "2022-02-21|21 فبراير");
    check("وبدأت القوات الروسية، فجر يوم الخميس 24 فبراير، في شن عملية "
          "عسكرية على شرق أوكرانيا",
          ref, "2022-02-24|فجر يوم الخميس 24 فبراير");
    check("وصوّتت الجمعية العامة للأمم المتحدة في الثاني من مارس، على إدانة "
          "الحرب الروسية",
          ref, "2022-03-02|الثاني من مارس");
}

static void
test_regional_months(void **state)
{
    (void)state;
    int64_t ref = REF_2022_09_27;
    /* Egypt and the Gulf */
    check("في 27 يناير 2022", ref, "2022-01-27|27 يناير 2022");
    check("في 3 إبريل 2021", ref, "2021-04-03|3 إبريل 2021");
    check("في 3 ابريل 2021", ref, "2021-04-03|3 ابريل 2021");
    check("في 5 أغسطس 2020", ref, "2020-08-05|5 أغسطس 2020");
    /* Levant and Iraq */
    check("في 27 كانون الثاني 2022", ref, "2022-01-27|27 كانون الثاني 2022");
    check("في 3 شباط 2021", ref, "2021-02-03|3 شباط 2021");
    check("في 9 آذار 2021", ref, "2021-03-09|9 آذار 2021");
    check("في 5 أيار 2020", ref, "2020-05-05|5 أيار 2020");
    check("في 14 تموز 2020", ref, "2020-07-14|14 تموز 2020");
    check("في 4 آب 2020", ref, "2020-08-04|4 آب 2020");
    check("في 5 تشرين الأول 2020", ref, "2020-10-05|5 تشرين الأول 2020");
    check("في 5 كانون الأول 2020", ref, "2020-12-05|5 كانون الأول 2020");
    /* Algeria and Tunisia */
    check("في 27 جانفي 2022", ref, "2022-01-27|27 جانفي 2022");
    check("يوم 3 فيفري 2021", ref, "2021-02-03|يوم 3 فيفري 2021");
    check("في 5 أفريل 2020", ref, "2020-04-05|5 أفريل 2020");
    check("في 5 جوان 2020", ref, "2020-06-05|5 جوان 2020");
    check("في 5 جويلية 2020", ref, "2020-07-05|5 جويلية 2020");
    check("في 5 أوت 2020", ref, "2020-08-05|5 أوت 2020");
    /* Morocco */
    check("في 5 غشت 2020", ref, "2020-08-05|5 غشت 2020");
    check("في 5 شتنبر 2020", ref, "2020-09-05|5 شتنبر 2020");
    check("في 5 نونبر 2020", ref, "2020-11-05|5 نونبر 2020");
    check("في 5 دجنبر 2020", ref, "2020-12-05|5 دجنبر 2020");
    check("في 5 يوليوز 2020", ref, "2020-07-05|5 يوليوز 2020");
    /* both names */
    check("يوم 26 فبراير شباط القادم", ref,
          "2023-02-26|يوم 26 فبراير شباط القادم");
    check("في 14 اب/أغسطس، في حين", ref, "2022-08-14|14 اب/أغسطس");
    check("في 31 يناير (كانون الثاني) 2013 النقاب", ref,
          "2013-01-31|31 يناير (كانون الثاني) 2013");
    check("منذ نيسان (أبريل) 2013 عندما", ref, "2013-04|نيسان (أبريل) 2013");
    /* month and year only */
    check("في مارس آذار 2014.", ref, "2014-03|مارس آذار 2014");
}

static void
test_hijri(void **state)
{
    (void)state;
    int64_t ref = REF_2015_08_10;
    /* the Gregorian date after الموافق gives the value */
    check("الرياض 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس", ref,
          "2015-08-10|25 شوال 1436 هـ");
    check_nth("الرياض 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس", ref, 1,
              "2015-08-10|10 أغسطس 2015 م");
    /* Umm al-Qura: 1 Ramadan 1436 = 18 June 2015 */
    check("فجر يوم الأربعاء 28 رمضان 1436 هـ، تم", ref,
          "2015-07-15|فجر يوم الأربعاء 28 رمضان 1436 هـ");
    /* no year: the nearest Hijri year */
    check("ينطلق في 27 شوال الجاري لمدة", ref, "2015-08-12|27 شوال الجاري");
    check("يوم السبت 7-11-1436 هـ وتنتهي", ref,
          "2015-08-22|يوم السبت 7-11-1436 هـ");
    /* tabular 2 Rabi' al-Awwal 1444 is Wednesday 28 September 2022; the
     * written Tuesday moves it to the 27th (Umm al-Qura) */
    check("الثلاثاء 2 ربيع الأول 1444 هـ", REF_2022_09_27,
          "2022-09-27|الثلاثاء 2 ربيع الأول 1444 هـ");
    check("من 11 إلى 22 شوال 1436ه الموافق", ref,
          "2015-07-27/2015-08-07|11 إلى 22 شوال 1436ه");
    /* the date in brackets after the weekday is its date (the weekday
     * alone gave the Sunday before), and brackets around الموافق's */
    check("هدنة تبدأ يوم الأحد (10 شوال 1436هـ ) الموافق ( 26 يوليو 2015م )",
          REF_2015_08_10, "2015-07-26|يوم الأحد (10 شوال 1436هـ");
    check_nth(
        "هدنة تبدأ يوم الأحد (10 شوال 1436هـ ) الموافق ( 26 يوليو 2015م )",
        REF_2015_08_10, 1, "2015-07-26|26 يوليو 2015م");
}

static void
test_digits(void **state)
{
    (void)state;
    int64_t ref = REF_2022_09_27;
    check("بتاريخ ٢٧/٩/٢٠٢٢ صدر", ref, "2022-09-27|٢٧/٩/٢٠٢٢");
    check("في ٢٧ سبتمبر ٢٠٢٢", ref, "2022-09-27|٢٧ سبتمبر ٢٠٢٢");
    check("بتاريخ 27/9/2022 صدر", ref, "2022-09-27|27/9/2022");
    check("بتاريخ 2022-09-27 صدر", ref, "2022-09-27|2022-09-27");
    check("من تاريخ ٢٤/١٠/١٤٣٦ وينتهي", REF_2015_08_10,
          "2015-08-09|٢٤/١٠/١٤٣٦");
    /* not dates */
    check("بلغ 1.733.581 مركبة", ref, "-");
    check("سجل 52.28 دولارا", ref, "-");
}

static void
test_ordinals(void **state)
{
    (void)state;
    int64_t ref = REF_2022_09_27;
    check("في الحادي والثلاثين من ديسمبر 2021", ref,
          "2021-12-31|الحادي والثلاثين من ديسمبر 2021");
    check("أحداث الحادي عشر من سبتمبر 2001", ref,
          "2001-09-11|الحادي عشر من سبتمبر 2001");
    check("الموافق السادس والعشرين من شهر يونيو", REF_2015_08_10,
          "2015-06-26|السادس والعشرين من شهر يونيو");
    check("السادس من شهر ذي القعدة المقبل", REF_2015_08_10,
          "2015-08-21|السادس من شهر ذي القعدة المقبل");
    /* a clitic on the ordinal: ل + الأول */
    check("يوم الأحد الموافق للأول من شهر ذي القعدة القادم",
          kh__when_days(2015, 7, 21),
          "2015-08-16|يوم الأحد الموافق للأول من شهر ذي القعدة القادم");
    /* a week of a month is not a day */
    check("الأسبوع الثاني من أكتوبر", ref, "-");
}

static void
test_relative(void **state)
{
    (void)state;
    int64_t ref = REF_2022_09_27; /* a Tuesday */
    check("وقال أمس إن", ref, "2022-09-26|أمس");
    check("صباح أمس، توفي", ref, "2022-09-26|صباح أمس");
    check("أول من أمس (الأحد) قال", ref, "2022-09-25|أول من أمس (الأحد)");
    check("وقال أمس الأول إن", ref, "2022-09-25|أمس الأول");
    check("تقام غدا في", ref, "2022-09-28|غدا");
    check("مساء يوم غد الأربعاء", ref, "2022-09-28|مساء يوم غد الأربعاء");
    /* the weekday wins over a crawl date a day late */
    check("قال أمس الأحد", ref, "2022-09-25|أمس الأحد");
    check("خلال الأسبوع الماضي", ref, "2022-09-18/2022-09-24|الأسبوع الماضي");
    check("الأسبوع المقبل", ref, "2022-10-02/2022-10-08|الأسبوع المقبل");
    check("نهاية الشهر الماضي", ref, "2022-08|الشهر الماضي");
    check("ارتفع العام الماضي بنسبة", ref, "2021|العام الماضي");
    check("السنة المقبلة", ref, "2023|السنة المقبلة");
    check("منذ عام 2014 وحتى", ref, "2014|عام 2014");
    /* weekdays */
    check("أعلن الأحد أن", ref, "2022-09-25|الأحد");
    check("أعلن يوم الجمعة الماضي", ref, "2022-09-23|يوم الجمعة الماضي");
    check("الاثنين المقبل", ref, "2022-10-03|الاثنين المقبل");
    /* the one after the coming one (it was read as the last Wednesday) */
    check("يعقد الأربعاء بعد القادم", ref, "2022-10-05|الأربعاء بعد القادم");
    check("يعقد الأربعاء القادم", ref, "2022-09-28|الأربعاء القادم");
    check("وستعقد الجولة يوم الخميس", ref, "2022-09-29|يوم الخميس");
    check("وصل إلى خميس مشيط", ref, "-");
    check("بعد صلاة الجمعة", ref, "-");
    /* harakat and tatweel */
    check("أعلن الثُّلاثاءَ أن", ref, "2022-09-27|الثُّلاثاءَ");
    check("في 21 فبـــراير", ref, "2022-02-21|21 فبـــراير");
}

/* The figures in s as "value unit" pairs separated by "; ". */
static void
figures_of(const char *s, char *out, size_t cap)
{
    size_t len = strlen(s);
    char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, s, len);
    kh_figure *f = NULL;
    size_t n = 0;
    assert_int_equal(kh__figures_find(copy, len, &f, &n), KH_OK);
    size_t used = 0;
    out[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        assert_true(f[k].start < f[k].end && f[k].end <= len);
        assert_true(f[k].unit_start <= f[k].unit_end);
        double v = f[k].value;
        int integral = v == (double)(long long)v;
        int w = snprintf(out + used, cap - used,
                         integral ? "%s%.0f%s %.*s" : "%s%.1f%s %.*s",
                         k ? "; " : "", v, f[k].approximate ? "~" : "",
                         (int)(f[k].unit_end - f[k].unit_start),
                         copy + f[k].unit_start);
        assert_true(w > 0 && (size_t)w < cap - used);
        used += (size_t)w;
    }
    kh_free(f);
    free(copy);
}

static void
test_figures(void **state)
{
    (void)state;
    char got[512];
    figures_of("وصوّتت الجمعية العامة للأمم المتحدة في الثاني من مارس، على "
               "إدانة الحرب الروسية على أوكرانيا، بموافقة 141 دولة على مشروع "
               "القرار، مقابل رفض 5 دول فقط مسألة إدانة روسيا، فيما امتنعت 35 "
               "دولة حول العالم عن التصويت.",
               got, sizeof got);
    assert_string_equal(got, "141 دولة; 5 دول; 35 دولة");
    figures_of("عرض مالي مقداره 5 ملايين يورو سنويا", got, sizeof got);
    assert_string_equal(got, "5000000 يورو");
    figures_of("وقتل آلاف الجنود وشرد الملايين من الجانب", got, sizeof got);
    assert_string_equal(got, "1000~ الجنود; 1000000~ ");
    figures_of("مقابل 5ر32 مليون جنيه استرليني", got, sizeof got);
    assert_string_equal(got, "32500000 جنيه");
    figures_of("بلغ 1.733.581 مركبة و٢٢ شخصاً و1,250 طنا", got, sizeof got);
    assert_string_equal(got, "1733581 مركبة; 22 شخصاً; 1250 طنا");
    figures_of("بنسبة 2.5 في المائة و15 %", got, sizeof got);
    assert_string_equal(got, "2.5 في المائة; 15 %");
    /* the day of a date is not a figure */
    figures_of("في 21 فبراير قتل 3 أشخاص", got, sizeof got);
    assert_string_equal(got, "3 أشخاص");
    /* a number word counts the plural (it was 1000000, approximate) */
    figures_of("تنتج ثلاثة ملايين طن سنويا وعشرة آلاف برميل", got, sizeof got);
    assert_string_equal(got, "3000000 طن; 10000 برميل");
    /* the next figure is not the unit of the first (it was "وستة") */
    figures_of("بين خمسة مليارات وستة مليارات يورو", got, sizeof got);
    assert_string_equal(got, "5000000000 ; 6000000000 يورو");
    /* a dual alone is two */
    figures_of("بتكلفة مليوني دولار", got, sizeof got);
    assert_string_equal(got, "2000000 دولار");
    /* but not an adjective, a year or the start of a sum */
    figures_of("شارك حشد مليوني في التظاهرة", got, sizeof got);
    assert_string_equal(got, "");
    figures_of("في عام ألفين قال", got, sizeof got);
    assert_string_equal(got, "");
    figures_of("بلغ مليونين ونصف", got, sizeof got);
    assert_string_equal(got, "");
}

static void
test_robustness(void **state)
{
    (void)state;
    kh_when *w = NULL;
    size_t n = 7;
    assert_int_equal(kh__when_find(NULL, 0, 0, &w, &n), KH_OK);
    assert_int_equal(n, 0);
    assert_null(w);
    assert_int_equal(kh__when_find("", 0, 0, &w, &n), KH_OK);
    assert_int_equal(n, 0);
    /* invalid UTF-8 around and inside a date */
    char got[256];
    check("\xff\xfe في 21 \xc3 فبراير \xe2\x80", REF_2022_09_27, "-");
    when_nth("\xd9", REF_2022_09_27, 0, got, sizeof got);
    when_nth("21 \xd9\x81\xd8", REF_2022_09_27, 0, got, sizeof got);
    /* 1 MB of digits, 1 MB of separators and digits, 1 MB of months */
    size_t big = 1 << 20;
    char *s = malloc(big);
    assert_non_null(s);
    memset(s, '7', big);
    assert_int_equal(kh__when_find(s, big, 0, &w, &n), KH_OK);
    kh_free(w);
    kh_figure *f = NULL;
    assert_int_equal(kh__figures_find(s, big, &f, &n), KH_OK);
    assert_int_equal(n, 1);
    kh_free(f);
    for (size_t k = 0; k < big; k++)
        s[k] = "1/2-"[k % 4];
    assert_int_equal(kh__when_find(s, big, 0, &w, &n), KH_OK);
    kh_free(w);
    assert_int_equal(kh__figures_find(s, big, &f, &n), KH_OK);
    kh_free(f);
    const char *unit = "1 مارس ";
    size_t ul = strlen(unit), used = 0;
    while (used + ul <= big) {
        memcpy(s + used, unit, ul);
        used += ul;
    }
    assert_int_equal(kh__when_find(s, used, kh__when_days(2020, 6, 1), &w, &n),
                     KH_OK);
    assert_int_equal(n, used / ul);
    kh_free(w);
    free(s);
}

/* Things that look like dates and are not, and dates before 1970. */
static void
test_traps(void **state)
{
    (void)state;
    int64_t ref = REF_2015_08_10;
    check("وكذلك في باب «حين يكون الشعر نبوءة»", ref, "-"); /* ب + آب */
    check("كوب واحد في اليوم", ref, "-");                   /* per day */
    check("يقام أيام الخميس والجمعة والسبت من كل أسبوع", ref, "-");
    check("فاز الفريق 3 صفر على ضيفه", ref, "-"); /* a score, not Safar */
    check("حريق في عين اليوم – جدة", ref, "-");   /* a newspaper */
    check("أنها صيغت في 15 يونيو 1215، وأن", ref, "1215-06-15|15 يونيو 1215");
    check("يوم الثلاثاء 25 آذار 1975م وهو", ref,
          "1975-03-25|يوم الثلاثاء 25 آذار 1975م");
    check("ويوم 24 يناير 2014 دعا", ref, "2014-01-24|يوم 24 يناير 2014");
}

/* Only tokens near a number or a date word are tried (TRIGGER_REACH in
 * when.c): the farthest an expression starts before one. */
static void
test_trigger_reach(void **state)
{
    (void)state;
    int64_t ref = REF_2015_08_10;
    check("وقال صباح يوم أول من أمس إن", ref, "2015-08-08|صباح يوم أول من أمس");
    check("فجر يوم الموافق 12 أغسطس 2015 وقع", ref,
          "2015-08-12|فجر يوم الموافق 12 أغسطس 2015");
    check("مساء يوم بعد غد", ref, "2015-08-12|مساء يوم بعد غد");
    check_nth("كلام كثير لا تاريخ فيه ثم 21 فبراير", ref, 0,
              "2015-02-21|21 فبراير");
}

/* What the tokenizer hands the matchers: folded words with their table
 * bits, the same whether a letter took the short path or not. */
static void
test_tokens(void **state)
{
    (void)state;
    const char *s = "فبـــراير الثُّلاثاءَ ويوليو للأول Mars \xd9\x8e"
                    "اليوم\xe2\x80\x8f غد مليون ٢٠١٥ "
                    "ااااااااااااااااااااااااااااااااا";
    size_t len = strlen(s);
    kh_wtok *t = NULL;
    size_t n = 0;
    assert_int_equal(kh__wtok_split(s, len, &t, &n), KH_OK);
    assert_int_equal(n, 10);
    assert_true(kh__wtok_is(&t[0], "فبراير") && (t[0].lex & KH_WL_MONTH));
    assert_true(kh__wtok_is(&t[1], "الثلاثاء") && (t[1].lex & KH_WL_WEEKDAY));
    assert_int_equal(t[1].end, strlen("فبـــراير الثُّلاثاءَ"));
    assert_true(t[2].lex & KH_WL_MONTH);   /* و + يوليو */
    assert_true(t[3].lex & KH_WL_ORDINAL); /* ل + الأول */
    assert_true(kh__wtok_is(&t[4], "mars") && t[4].lex == 0);
    /* a haraka with no letter is skipped like a space mark */
    assert_true(kh__wtok_is(&t[5], "اليوم") && (t[5].lex & KH_WL_DAYWORD));
    assert_true(t[5].space_before);
    assert_true(t[6].lex & KH_WL_DAYWORD);
    assert_true(t[7].lex & KH_WL_SCALE);
    assert_true(t[8].kind == KH_WT_NUM && t[8].value == 2015);
    assert_true(t[9].wlen == KH_WT_WORD_MAX && t[9].lex == 0);
    for (size_t k = 0; k < n; k++)
        if (t[k].kind == KH_WT_WORD && t[k].wlen < KH_WT_WORD_MAX)
            assert_int_equal(t[k].lex, kh__when_lex_bits(t[k].word, t[k].wlen));
    kh_free(t);
}

/* kh__when_and_figures_find gives what the two calls give, also where the
 * reference day decides whether a date exists: figures.c always left out
 * the numbers of the dates found with day 0 as reference, and 29 February
 * 1970 does not exist. */
static void
test_both_at_once(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "الفترة من 29 فبراير إلى 3 مارس المقبل",
        "قتل 3 أشخاص في 21 فبراير 2022 وأصيب 1,200 آخرون الأسبوع الماضي",
        "25 شوال 1436 هـ الموافق 10 أغسطس 2015 م بحضور آلاف الزوار",
        "",
    };
    int64_t refs[] = {0, kh__when_days(2016, 1, 10), REF_2015_08_10};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        for (size_t r = 0; r < sizeof refs / sizeof refs[0]; r++) {
            size_t len = strlen(texts[k]);
            char *copy = malloc(len > 0 ? len : 1);
            assert_non_null(copy);
            memcpy(copy, texts[k], len);
            kh_when *w1 = NULL, *w2 = NULL;
            kh_figure *f1 = NULL, *f2 = NULL;
            size_t nw1, nw2, nf1, nf2;
            assert_int_equal(kh__when_find(copy, len, refs[r], &w1, &nw1),
                             KH_OK);
            assert_int_equal(kh__figures_find(copy, len, &f1, &nf1), KH_OK);
            assert_int_equal(kh__when_and_figures_find(copy, len, refs[r], &w2,
                                                       &nw2, &f2, &nf2),
                             KH_OK);
            assert_int_equal(nw1, nw2);
            assert_int_equal(nf1, nf2);
            for (size_t i = 0; i < nw1; i++)
                assert_true(
                    w1[i].start == w2[i].start && w1[i].end == w2[i].end &&
                    w1[i].first == w2[i].first && w1[i].last == w2[i].last &&
                    w1[i].kind == w2[i].kind && w1[i].grain == w2[i].grain &&
                    w1[i].is_range == w2[i].is_range &&
                    w1[i].hijri == w2[i].hijri);
            for (size_t i = 0; i < nf1; i++)
                assert_true(f1[i].start == f2[i].start &&
                            f1[i].end == f2[i].end &&
                            f1[i].value == f2[i].value &&
                            f1[i].approximate == f2[i].approximate &&
                            f1[i].unit_start == f2[i].unit_start &&
                            f1[i].unit_end == f2[i].unit_end);
            kh_free(w1);
            kh_free(w2);
            kh_free(f1);
            kh_free(f2);
            free(copy);
        }
    }
    /* the case that needs the second set of spans */
    char got[256];
    check("الفترة من 29 فبراير إلى 3 مارس المقبل", kh__when_days(2016, 1, 10),
          "2016-02-29/2016-03-03|29 فبراير إلى 3 مارس المقبل");
    figures_of("الفترة من 29 فبراير إلى 3 مارس المقبل", got, sizeof got);
    assert_string_equal(got, "29 فبراير; 3 مارس");
}

static void
test_calendar(void **state)
{
    (void)state;
    int64_t y;
    unsigned m, d;
    assert_int_equal(kh__when_days(1970, 1, 1), 0);
    assert_int_equal(kh__when_days(2000, 3, 1), 11017);
    kh__when_civil(kh__when_days(2024, 2, 29), &y, &m, &d);
    assert_true(y == 2024 && m == 2 && d == 29);
    kh__when_civil(-1, &y, &m, &d);
    assert_true(y == 1969 && m == 12 && d == 31);
    /* Umm al-Qura 1 Shawwal 1436 = Friday 17 July 2015 */
    assert_int_equal(kh__when_hijri_days(1436, 10, 1),
                     kh__when_days(2015, 7, 17));
    assert_int_equal(kh__when_hijri_days(1436, 9, 1),
                     kh__when_days(2015, 6, 18));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_article),
        cmocka_unit_test(test_year_after_min),
        cmocka_unit_test(test_regional_months),
        cmocka_unit_test(test_hijri),
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_ordinals),
        cmocka_unit_test(test_relative),
        cmocka_unit_test(test_figures),
        cmocka_unit_test(test_traps),
        cmocka_unit_test(test_robustness),
        cmocka_unit_test(test_trigger_reach),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_both_at_once),
        cmocka_unit_test(test_calendar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
