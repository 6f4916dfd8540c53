/*
 * test_pagedate.c -- dates written in text (src/ingest/textdate.c), the
 * Hijri and Solar Hijri arithmetic (hijri.c) and the publication date of
 * a page (pagedate.c): which source wins, and the traps (today's date in
 * the site header, related articles, copyright years, modified dates).
 *
 * Expected dates were checked by hand against calendars: 2 Rabi' al-Awwal
 * 1444 in the tabular calendar is Wednesday 28 September 2022 (Umm
 * al-Qura: Tuesday 27th); 1 Ramadan 1436 is 18 June 2015; 29 Bahman 1398
 * is 18 February 2020; 21 Ordibehesht 1399 is 10 May 2020.  Texts are
 * passed from exactly sized heap copies so that AddressSanitizer catches
 * a read past the end.
 */
#include "testutil.h"

#include "ingest/ingest.h"

#include <jansson.h>

/* The date text_date finds in s, as "yyyy-mm-dd", or "-" for none. */
static void
text_date_of(const char *s, char *out)
{
    size_t len = strlen(s);
    char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, s, len);
    int64_t t = 0;
    char iso[32];
    if (kh__text_date(copy, len, &t)) {
        kh_date_format(t, iso);
        assert_int_equal(t % 86400, 0); /* text dates have no time */
        memcpy(out, iso, 10);
        out[10] = '\0';
    } else {
        strcpy(out, "-");
    }
    free(copy);
}

#define assert_text_date(text, expected)                                       \
    do {                                                                       \
        char got_[32];                                                         \
        text_date_of((text), got_);                                            \
        if (strcmp(got_, (expected)) != 0)                                     \
            fail_msg("[%s]: got %s, expected %s", (text), got_, (expected));   \
    } while (0)

static void
arabic_gregorian_months(void **state)
{
    (void)state;
    assert_text_date("الثلاثاء 27 سبتمبر 2022", "2022-09-27");
    assert_text_date("نشر في 1 يناير 2021", "2021-01-01");
    assert_text_date("15 أبريل 2022", "2022-04-15");
    assert_text_date("15 إبريل 2022", "2022-04-15");
    assert_text_date("15 ابريل 2022", "2022-04-15");
    assert_text_date("3 يونيه 2021", "2021-06-03");
    assert_text_date("3 يوليه 2021", "2021-07-03");
    assert_text_date("9 أغسطس 2020", "2020-08-09");
    assert_text_date("9 اغسطس 2020", "2020-08-09");
    assert_text_date("31 ديسمبر 2019", "2019-12-31");
    /* tatweel and harakat inside the month name */
    assert_text_date("27 سبتـمبـر 2022", "2022-09-27");
    assert_text_date("27 سَبْتَمْبَر 2022", "2022-09-27");
    /* a comma, Latin or Arabic, before the year */
    assert_text_date("27 سبتمبر، 2022", "2022-09-27");
}

static void
levantine_and_maghreb_months(void **state)
{
    (void)state;
    assert_text_date("27 أيلول 2022", "2022-09-27");
    assert_text_date("27 ايلول 2022", "2022-09-27");
    assert_text_date("5 آذار 2020", "2020-03-05");
    assert_text_date("5 اذار 2020", "2020-03-05");
    assert_text_date("10 آب 2021", "2021-08-10");
    assert_text_date("2 كانون الثاني 2020", "2020-01-02");
    assert_text_date("25 كانون الأول 2020", "2020-12-25");
    assert_text_date("5 تشرين الأول 2021", "2021-10-05");
    assert_text_date("5 تشرين الثاني 2021", "2021-11-05");
    assert_text_date("7 شباط 2019", "2019-02-07");
    assert_text_date("12 فيفري 2020", "2020-02-12");
    assert_text_date("3 جويلية 2021", "2021-07-03");
    assert_text_date("5 أوت 2019", "2019-08-05");
    assert_text_date("1 ماي 2018", "2018-05-01");
    /* both names of the month, as Jordanian and Lebanese sites write */
    assert_text_date("الجمعة 24 نيسان / أبريل 2020 09:22 مساءً", "2020-04-24");
    assert_text_date("24 نيسان (أبريل) 2020", "2020-04-24");
}

static void
digits_of_every_script(void **state)
{
    (void)state;
    assert_text_date("٢٧ سبتمبر ٢٠٢٢", "2022-09-27");
    assert_text_date("۲۷ سبتمبر ۲۰۲۲", "2022-09-27");
    assert_text_date("٢٧/٠٩/٢٠٢٢", "2022-09-27");
}

static void
numeric_dates(void **state)
{
    (void)state;
    assert_text_date("27/09/2022", "2022-09-27");
    assert_text_date("27-09-2022", "2022-09-27");
    assert_text_date("27.09.2022 06:00", "2022-09-27");
    assert_text_date("2022-09-27", "2022-09-27");
    assert_text_date("2022/9/7", "2022-09-07");
    assert_text_date("2022-09-27T10:00:00+03:00", "2022-09-27");
    /* day first unless the first number cannot be a month's day */
    assert_text_date("05/09/2022", "2022-09-05");
    assert_text_date("09/27/2022", "2022-09-27");
    /* no such day */
    assert_text_date("31/02/2022", "-");
    assert_text_date("2022-13-01", "-");
    /* spaces around the separators: arithmetic, not a date */
    assert_text_date("27 / 09 / 2022", "-");
}

static void
latin_languages(void **state)
{
    (void)state;
    assert_text_date("September 27, 2022", "2022-09-27");
    assert_text_date("Sept. 27, 2022", "2022-09-27");
    assert_text_date("Updated Sep 27 2022", "2022-09-27");
    assert_text_date("27th September 2022", "2022-09-27");
    assert_text_date("Mon, 24 Aug 2020 10:00:00 GMT", "2020-08-24");
    assert_text_date("veröffentlicht am 28. Januar 2022", "2022-01-28");
    assert_text_date("18. März 2020", "2020-03-18");
    assert_text_date("le 3 février 2021", "2021-02-03");
    assert_text_date("24 de agosto de 2020", "2020-08-24");
    assert_text_date("2020年07月03日", "2020-07-03");
    assert_text_date("2020년 7월 3일", "2020-07-03");
}

static void
two_digit_years_come_last(void **state)
{
    (void)state;
    assert_text_date("Party, 30.10.23", "2023-10-30");
    assert_text_date("30/10/23", "2023-10-30");
    assert_text_date("1.10.23 und 27. September 2022", "2022-09-27");
    /* dotted numbers that are not dates */
    assert_text_date("Version 1.2.23.4", "-");
    assert_text_date("3.14.15", "-");
    assert_text_date("30-10-23", "-");
}

static void
hijri_dates(void **state)
{
    (void)state;
    /* tabular: Wednesday 28 September; the written Tuesday moves it to
     * the Umm al-Qura day */
    assert_text_date("2 ربيع الأول 1444 هـ", "2022-09-28");
    assert_text_date("الثلاثاء 2 ربيع الأول 1444 هـ", "2022-09-27");
    assert_text_date("1 رمضان 1436", "2015-06-18");
    assert_text_date("١٥ ذو القعدة ١٤٣٦ هـ", "2015-08-30");
    assert_text_date("1 محرم 1444", "2022-07-30");
    /* tabular 10 July; Saudi Arabia's Eid al-Adha was Saturday 9 July */
    assert_text_date("10 ذي الحجة 1443", "2022-07-10");
    assert_text_date("السبت 10 ذي الحجة 1443", "2022-07-09");
    /* tabular: 1 Muharram 1443 + 118 + 4 days */
    assert_text_date("5 جمادى الأولى 1443", "2021-12-10");
    /* a Gregorian date beside it wins, wherever it stands */
    assert_text_date("الخميس 5 ذو القعدة 1436 هـ الموافق 20 أغسطس 2015",
                     "2015-08-20");
    /* a Hijri month with a Gregorian year is no date */
    assert_text_date("2 رمضان 2022", "-");
}

static void
persian_dates(void **state)
{
    (void)state;
    assert_text_date("۲۹ بهمن ۱۳۹۸", "2020-02-18");
    assert_text_date("دوشنبه ۲ تير ۱۳۹۹", "2020-06-22");
    assert_text_date("۲ تیر ۱۳۹۹ - ۱۲:۰۹", "2020-06-22");
    assert_text_date("1 فروردین 1401", "2022-03-21");
    assert_text_date("۱۳۹۹/۰۲/۲۱", "2020-05-10");
}

static void
not_dates(void **state)
{
    (void)state;
    assert_text_date("", "-");
    assert_text_date("سبتمبر 2022", "-");
    assert_text_date("© 2022 جميع الحقوق محفوظة", "-");
    assert_text_date("قتل 27 شخصا في 2022", "-");
    assert_text_date("1/2/3", "-");
    assert_text_date("27 سبتمبر", "-");
    assert_text_date("27 سبتمبر 22022", "-");
    assert_text_date("27 سبتمبر 1850", "-");
    assert_text_date("\xff\xfe 27 \xd8 سبتمبر", "-");
    /* a truncated UTF-8 sequence at the very end */
    assert_text_date("27 سبتمبر 2022 \xd8", "2022-09-27");
    assert_text_date("27 \xd8\xb3\xd8", "-");
}

static void
calendar_arithmetic(void **state)
{
    (void)state;
    /* 1 Muharram 1 AH is 16 July 622 Julian, 19 July 622 Gregorian:
     * 492,148 days before the epoch */
    assert_int_equal(kh__hijri_days(1, 1, 1), -492148);
    /* 1 Muharram 1444 = 30 July 2022 = day 19203 */
    assert_int_equal(kh__hijri_days(1444, 1, 1), 19203);
    /* 1 Farvardin 1 AP is 22 March 622 Gregorian (the Hijra year's
     * spring equinox), 1 Farvardin 1401 = 21 March 2022 = day 19072 */
    assert_int_equal(kh__jalali_days(1401, 1, 1), 19072);
    assert_int_equal(kh__jalali_days(1401, 12, 29) + 1,
                     kh__jalali_days(1402, 1, 1));
}

/* ---- pages ----------------------------------------------------------- */

static char got_buf[64];

/* The page date of html, "yyyy-mm-ddThh:mm:ssZ" or "-" (static buffer);
 * *offset gets the written UTC offset. */
static const char *
page_date_of(const char *html, const char *url, int *offset)
{
    kh_htree *doc = NULL;
    assert_int_equal(kh__htree_parse(html, strlen(html), &doc), KH_OK);
    assert_non_null(doc);
    int64_t t = 0;
    int off = 0;
    if (kh__page_date_offset(doc, url, &t, &off))
        kh_date_format(t, got_buf);
    else
        strcpy(got_buf, "-");
    if (offset != NULL)
        *offset = off;
    int64_t t2 = 0;
    int r2 = kh__page_date(doc, url, &t2);
    assert_int_equal(r2, strcmp(got_buf, "-") != 0);
    if (r2)
        assert_true(t2 == t);
    kh__htree_free(doc);
    return got_buf;
}

#define assert_page_date(html, url, expected)                                  \
    assert_string_equal(page_date_of((html), (url), NULL), (expected))

static void
json_ld_article_wins(void **state)
{
    (void)state;
    /* in an @graph, after a WebPage with its own date; modified later */
    assert_page_date(
        "<html><head><script type='application/ld+json'>"
        "{\"@context\":\"https://schema.org\",\"@graph\":["
        "{\"@type\":\"WebPage\",\"datePublished\":\"2022-01-01T00:00:00Z\"},"
        "{\"@type\":\"NewsArticle\",\"headline\":\"x\","
        "\"datePublished\":\"2022-09-27T10:15:00+03:00\","
        "\"dateModified\":\"2022-09-29T08:00:00+03:00\"}]}"
        "</script>"
        "<meta property='article:published_time' content='2022-09-20'>"
        "</head><body><h1>عنوان</h1><p>نص</p></body></html>",
        NULL, "2022-09-27T07:15:00Z");
    /* an array of types, a schema.org URL as type */
    assert_page_date("<script type='application/ld+json'>[{\"@type\":"
                     "[\"http://schema.org/ReportageNewsArticle\"],"
                     "\"datePublished\":\"2021-03-04\"}]</script>",
                     NULL, "2021-03-04T00:00:00Z");
    /* articles listed inside the page's article are not its date */
    assert_page_date(
        "<script type='application/ld+json'>{\"@type\":\"NewsArticle\","
        "\"relatedLink\":[{\"@type\":\"NewsArticle\","
        "\"datePublished\":\"2020-01-01\"}],"
        "\"datePublished\":\"2021-05-06T12:00:00Z\"}</script>",
        NULL, "2021-05-06T12:00:00Z");
    /* broken JSON is skipped, the meta tag is used */
    assert_page_date(
        "<head><script type='application/ld+json'>{\"@type\":\"NewsArticle\","
        "\"datePublished\":</script>"
        "<meta name='pubdate' content='2019-12-24T18:00:00Z'></head>",
        NULL, "2019-12-24T18:00:00Z");
}

static void
written_offset_is_kept(void **state)
{
    (void)state;
    int off = 0;
    /* 01:30 in Riyadh is the evening before in UTC; the day the page
     * shows is the instant plus the offset */
    assert_string_equal(page_date_of("<meta property='article:published_time' "
                                     "content='2020-12-01T01:30:00+03:00'>",
                                     NULL, &off),
                        "2020-11-30T22:30:00Z");
    assert_int_equal(off, 3 * 3600);
    assert_string_equal(page_date_of("<meta property='article:published_time'"
                                     " content='2020-12-01T01:30:00-0430'>",
                                     NULL, &off),
                        "2020-12-01T06:00:00Z");
    assert_int_equal(off, -(4 * 3600 + 30 * 60));
    assert_string_equal(
        page_date_of("<meta name='date' content='2020-12-01'>", NULL, &off),
        "2020-12-01T00:00:00Z");
    assert_int_equal(off, 0);
}

static void
meta_published_beats_modified(void **state)
{
    (void)state;
    assert_page_date("<head>"
                     "<meta property='article:modified_time' "
                     "content='2022-10-01T00:00:00Z'>"
                     "<meta property='og:updated_time' "
                     "content='2022-10-02T00:00:00Z'>"
                     "<meta property='article:published_time' "
                     "content='2022-09-27T09:00:00Z'></head>",
                     NULL, "2022-09-27T09:00:00Z");
    assert_page_date("<meta name='DC.date.issued' content='2018-04-05'>", NULL,
                     "2018-04-05T00:00:00Z");
    assert_page_date("<meta name='sailthru.date' "
                     "content='Tue, 27 Sep 2022 10:00:00 +0000'>",
                     NULL, "2022-09-27T00:00:00Z");
    assert_page_date("<meta name='parsely-pub-date' content='20220927'>", NULL,
                     "2022-09-27T00:00:00Z");
    /* only a modified date: better than nothing */
    assert_page_date("<meta property='article:modified_time' "
                     "content='2022-10-01T00:00:00Z'><p>نص</p>",
                     NULL, "2022-10-01T00:00:00Z");
}

static void
header_date_is_a_trap(void **state)
{
    (void)state;
    /* today's date in the site header, the article's date in its byline */
    assert_page_date(
        "<body><header class='site-header'><div class='top-date'>"
        "الأحد 29 نوفمبر 2026</div><nav><a href='/'>الرئيسية</a></nav>"
        "</header><div class='breaking-ticker'>عاجل: 28 نوفمبر 2026</div>"
        "<article><h1>عنوان الخبر</h1><div class='post-meta'>"
        "<span class='author'>محرر</span> <span class='date'>"
        "الثلاثاء 27 سبتمبر 2022</span></div><p>نص الخبر</p></article>"
        "<footer>© 2026 جميع الحقوق محفوظة 01/01/2026</footer></body>",
        NULL, "2022-09-27T00:00:00Z");
}

static void
related_lists_are_traps(void **state)
{
    (void)state;
    /* the related list comes first in the page; its <time>s are others'
     * dates */
    assert_page_date(
        "<body><aside class='sidebar'><ul><li><a href='/a'>خبر</a>"
        "<time datetime='2022-09-01T10:00:00Z'>1 سبتمبر</time></li></ul>"
        "</aside><div class='related-posts'><time datetime='2022-09-02'>"
        "</time></div><main><h1>عنوان</h1>"
        "<time datetime='2022-09-27T10:00:00+03:00'>27 سبتمبر 2022</time>"
        "<p>نص</p></main></body>",
        NULL, "2022-09-27T07:00:00Z");
    /* a date in the related list but none in the article: the URL's */
    assert_page_date("<body><h1>عنوان</h1><p>نص بلا تاريخ</p>"
                     "<div class='yarpp-related'><span class='date'>"
                     "1 سبتمبر 2022</span></div></body>",
                     "https://example.com/2022/09/27/x/",
                     "2022-09-27T00:00:00Z");
}

static void
text_near_the_headline(void **state)
{
    (void)state;
    assert_page_date("<body><h1>عنوان الخبر</h1><p>بيروت - 27 أيلول 2022: قال "
                     "مسؤول ...</p></body>",
                     NULL, "2022-09-27T00:00:00Z");
    /* a date in the headline is the news, not its date */
    assert_page_date("<body><h1>ماذا حدث في 1 يناير 2020؟</h1><p>نص</p>"
                     "<div class='entry-date'>الثلاثاء 2 ربيع الأول 1444 هـ"
                     "</div></body>",
                     NULL, "2022-09-27T00:00:00Z");
}

static void
text_around_the_headline(void **state)
{
    (void)state;
    /* a kicker above the headline, white space between the blocks */
    assert_page_date("<body><div class='logo'>موقع</div><figure><figcaption>\n"
                     "  <small>\n31.01.2022&nbsp;\n  رياضة </small>\n"
                     "</figcaption></figure>\n\n   \n<h1>عنوان</h1><p>نص "
                     "الخبر بلا تاريخ</p></body>",
                     NULL, "2022-01-31T00:00:00Z");
    /* the logo is an <h1> too: the window moves to the next headline */
    assert_page_date("<body><h1><a href='/'>موقع الأخبار</a></h1><p>عن الموقع"
                     "</p><div><h1>عنوان الخبر</h1><p>الرياض 5 أغسطس 2015 - "
                     "قال ...</p></div></body>",
                     NULL, "2015-08-05T00:00:00Z");
}

static void
url_dates(void **state)
{
    (void)state;
    assert_page_date("<p>x</p>", "https://a.com/news/2022/09/27/title/",
                     "2022-09-27T00:00:00Z");
    assert_page_date("<p>x</p>", "https://a.com/story/2020/8/24/title/4943459",
                     "2020-08-24T00:00:00Z");
    assert_page_date("<p>x</p>", "https://a.com/news/2020-06-03-1.3874341",
                     "2020-06-03T00:00:00Z");
    assert_page_date("<p>x</p>", "https://a.com/a/20200317/x.html",
                     "2020-03-17T00:00:00Z");
    assert_page_date("<p>x</p>", "https://a.com/news/23-01-2022-title/17.html",
                     "2022-01-23T00:00:00Z");
    /* year and month only, or ids that look like dates but are not */
    assert_page_date("<p>x</p>", "https://a.com/2022/09/title/", "-");
    assert_page_date("<p>x</p>", "https://a.com/a/202003171044893040/", "-");
    assert_page_date("<p>x</p>", "https://a.com/a/20201345/", "-");
    assert_page_date("<p>x</p>", NULL, "-");
}

static void
implausible_dates_are_skipped(void **state)
{
    (void)state;
    assert_page_date("<meta property='article:published_time' "
                     "content='2999-01-01T00:00:00Z'>"
                     "<meta name='date' content='1970-01-01'>",
                     "https://a.com/2021/02/03/x", "2021-02-03T00:00:00Z");
}

static void
broken_markup(void **state)
{
    (void)state;
    /* an unclosed site header swallows the article: it is not skipped */
    assert_page_date("<body><header class='site-header'><div class='logo'>"
                     "موقع</div><div class='main'><h1>عنوان</h1>"
                     "<p class='entry-meta'>5 نوفمبر 2021</p><p>نص",
                     NULL, "2021-11-05T00:00:00Z");
    /* ASP.NET wraps the page in a form; odd classes on <body> */
    assert_page_date("<body class='menu-options'><form id='aspnetForm'>"
                     "<h1>t</h1><span class='date-created'>2 تير 1399</span>"
                     "</form></body>",
                     NULL, "2020-06-22T00:00:00Z");
    int64_t t;
    assert_int_equal(kh__page_date(NULL, NULL, &t), 0);
    assert_int_equal(kh__page_date(NULL, "https://a.com/2022/09/27/", &t), 1);
}

static void
out_of_memory_is_not_a_crash(void **state)
{
    (void)state;
    const char *html =
        "<body><header>الأحد 29 نوفمبر 2026</header><h1>t</h1>"
        "<div class='date'>27 سبتمبر 2022</div><p>نص طويل</p></body>";
    kh_htree *doc = NULL;
    assert_int_equal(kh__htree_parse(html, strlen(html), &doc), KH_OK);
    assert_non_null(doc);
    for (long n = 0; n < 8; n++) {
        int64_t t = 0;
        kh__alloc_fail_after(n);
        int r = kh__page_date(doc, NULL, &t);
        kh__alloc_fail_after(-1);
        /* a partial walk may miss the date; a found one is still right */
        if (r)
            assert_true(t == 1664236800);
    }
    kh__htree_free(doc);
}

/* The generated pages of tests/data/pages (tools/make_pages.py): every
 * template, UTF-8 and windows-1256, with today's date in the header and
 * dated related lists.  No URL is given, so the page alone must tell. */
static void
generated_pages(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/pages/gold.jsonl", tu_srcdir());
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1 << 16];
    int n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        json_error_t jerr;
        json_t *g = json_loads(line, 0, &jerr);
        assert_non_null(g);
        const char *file = json_string_value(json_object_get(g, "file"));
        const char *gold = json_string_value(json_object_get(g, "date"));
        assert_non_null(file);
        assert_non_null(gold);
        snprintf(path, sizeof path, "%s/tests/data/pages/%s", tu_srcdir(),
                 file);
        FILE *h = fopen(path, "rb");
        assert_non_null(h);
        static char page[1 << 20];
        size_t len = fread(page, 1, sizeof page, h);
        fclose(h);
        char *u8 = NULL;
        size_t u8_len = 0;
        kh_error err;
        assert_int_equal(kh_to_utf8(page, len, NULL, &u8, &u8_len, NULL, &err),
                         KH_OK);
        kh_htree *doc = NULL;
        assert_int_equal(kh__htree_parse(u8, u8_len, &doc), KH_OK);
        assert_non_null(doc);
        int64_t t = 0;
        char iso[32] = "-";
        if (kh__page_date(doc, NULL, &t))
            kh_date_format(t, iso);
        if (strncmp(iso, gold, 10) != 0)
            fail_msg("%s: got %s, expected %s", file, iso, gold);
        kh__htree_free(doc);
        kh_free(u8);
        json_decref(g);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 12);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arabic_gregorian_months),
        cmocka_unit_test(levantine_and_maghreb_months),
        cmocka_unit_test(digits_of_every_script),
        cmocka_unit_test(numeric_dates),
        cmocka_unit_test(latin_languages),
        cmocka_unit_test(two_digit_years_come_last),
        cmocka_unit_test(hijri_dates),
        cmocka_unit_test(persian_dates),
        cmocka_unit_test(not_dates),
        cmocka_unit_test(calendar_arithmetic),
        cmocka_unit_test(json_ld_article_wins),
        cmocka_unit_test(written_offset_is_kept),
        cmocka_unit_test(meta_published_beats_modified),
        cmocka_unit_test(header_date_is_a_trap),
        cmocka_unit_test(related_lists_are_traps),
        cmocka_unit_test(text_near_the_headline),
        cmocka_unit_test(text_around_the_headline),
        cmocka_unit_test(url_dates),
        cmocka_unit_test(implausible_dates_are_skipped),
        cmocka_unit_test(broken_markup),
        cmocka_unit_test(out_of_memory_is_not_a_crash),
        cmocka_unit_test(generated_pages),
    };
    return cmocka_run_group_tests_name("pagedate", tests, NULL, NULL);
}
