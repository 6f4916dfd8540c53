/*
 * test_extract.c -- the HTML article extractor: small hand-written pages
 * (furniture removal, a repeated title, canonical and Open Graph fields,
 * JSON-LD, broken markup, empty pages, junk that is not a page, the site
 * model) and the 8 real Arabic news pages of the htmldate set, checked
 * against the expectations written by hand in tests/data/extract/ (those
 * cases skip when ../shared is absent).
 */
#include "testutil.h"

#include "ingest/extract.h"
#include "kh_int.h"

#include <zlib.h>

static kh_page *
extract_opts(const char *html, const kh_extract_options *o)
{
    kh_page *p = NULL;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_extract_html(html, strlen(html), o, &p, &err);
    if (rc != KH_OK)
        fail_msg("kh_extract_html: %s (%s)", kh_strerror(rc), err.message);
    assert_non_null(p);
    assert_non_null(p->body);
    return p;
}

static kh_page *
extract(const char *html, const char *url)
{
    kh_extract_options o = {url, NULL, NULL};
    return extract_opts(html, &o);
}

static kh_status
extract_fails(const char *html, size_t len, char *msg, size_t cap)
{
    kh_page *p = (kh_page *)&cap; /* must be reset */
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_extract_html(html, len, NULL, &p, &err);
    assert_int_not_equal(rc, KH_OK);
    assert_null(p);
    assert_true(err.message[0] != '\0');
    snprintf(msg, cap, "%s", err.message);
    return rc;
}

#define PROSE1                                                                 \
    "The council voted on Tuesday to rebuild the old bridge, after years "     \
    "of delays, and work will start in the spring."
#define PROSE2                                                                 \
    "Engineers said the new span, made of steel, would carry twice the "       \
    "traffic, and residents welcomed the news."
#define PROSE3                                                                 \
    "The mayor said the cost, about twelve million, would be shared with "     \
    "the region, which has already agreed to pay half."

static void
furniture_is_removed(void **state)
{
    (void)state;
    const char *html =
        "<html lang='en'><head><title>Bridge to be rebuilt | Town News"
        "</title></head><body>"
        "<header><a href='/'>Town News</a><nav><ul><li><a href='/a'>Home</a>"
        "<li><a href='/b'>Politics</a><li><a href='/c'>Sport</a></ul></nav>"
        "</header>"
        "<div class='breadcrumb'><a href='/'>Home</a> &gt; "
        "<a href='/p'>Politics</a></div>"
        "<div class='main'><article><h1>Bridge to be rebuilt</h1>"
        "<div class='share-buttons'><a href='#'>Share on Facebook</a> "
        "<a href='#'>Tweet</a></div>"
        "<p>" PROSE1 "</p><h2>A wider span</h2><p>" PROSE2 "</p>"
        "<figure><img src='x.jpg'><figcaption>The old bridge in "
        "winter, seen from the river bank at dawn.</figcaption></figure>"
        "<p>" PROSE3 "</p>"
        "<script>var x = 'not text';</script><style>p{}</style>"
        "<div class='related-articles'><h3>Related</h3><ul>"
        "<li><a href='/r1'>Road works to close the high street for a "
        "week</a><li><a href='/r2'>New bus lines from March</a></ul></div>"
        "<form class='newsletter'><p>Get the newsletter</p>"
        "<input type='email'><button>Sign up</button></form>"
        "<div id='comments'><p>Great news, finally, I have waited for "
        "this bridge for ten years, said a reader.</p></div>"
        "</article><aside class='sidebar'><h3>Most read</h3><p><a "
        "href='/m'>Something else entirely happened somewhere</a></p>"
        "</aside></div>"
        "<footer><p>Copyright 2024 Town News. All rights reserved.</p>"
        "</footer></body></html>";
    kh_page *p = extract(html, "https://www.townnews.example/politics/1");
    assert_string_equal(p->body,
                        PROSE1 "\n\nA wider span\n\n" PROSE2 "\n\n" PROSE3);
    assert_string_equal(p->title, "Bridge to be rebuilt");
    assert_string_equal(p->lang, "en");
    assert_string_equal(p->source, "townnews.example");
    assert_string_equal(p->url, "https://www.townnews.example/politics/1");
    kh_page_free(p);
}

static void
arabic_furniture_is_removed(void **state)
{
    (void)state;
    /* The shape of /work/shared/examples/article.txt: the story, then the
     * site's "you may also like", "stay in touch" and newsletter boxes,
     * here without class names to tell them. */
    const char *html =
        "<html><head><meta charset='utf-8'>"
        "<title>الرئيس الكازاخستاني يعد بحماية الروس - موقع الخبر</title>"
        "</head><body><div><div>"
        "<h1>الرئيس الكازاخستاني يعد بحماية الروس</h1>"
        "<p>الرئيس الكازاخستاني يعد بحماية الروس</p>"
        "<p>أكد الرئيس الكازاخستاني، قاسم جومارت توكاييف، الثلاثاء، أن "
        "بلاده ستحمي الروس الذين يفرّون إلى كازاخستان.</p>"
        "<p>وقال توكاييف، إنه في الأيام الأخيرة، يأتي الكثير من الناس "
        "إلينا من روسيا، بحسب وكالة فرانس برس.</p>"
        "<h3>بداية الأزمة</h3>"
        "<p>وبدأت القوات الروسية، فجر يوم الخميس 24 فبراير، في شن عملية "
        "عسكرية على شرق أوكرانيا، وسط تحذيرات دولية.</p>"
        "</div><div><h4>قد يعجبك ايضا</h4><ul>"
        "<li><a href='/1'>خبر آخر عن الانتخابات في المنطقة</a></li>"
        "<li><a href='/2'>أسعار النفط ترتفع مع بداية الأسبوع</a></li>"
        "</ul></div><div><h4>ابق على اتصال</h4>"
        "<a href='https://facebook.com/x'>فيسبوك</a> "
        "<a href='https://twitter.com/x'>تويتر</a></div>"
        "<div><h4>احصل على النشرة الإخبارية</h4>"
        "<form><input type='email'><button>اشترك</button></form></div>"
        "</div></body></html>";
    kh_page *p = extract(html, "https://example.com/news/1");
    assert_string_equal(p->title, "الرئيس الكازاخستاني يعد بحماية الروس");
    const char *expect =
        "أكد الرئيس الكازاخستاني، قاسم جومارت توكاييف، الثلاثاء، أن بلاده "
        "ستحمي الروس الذين يفرّون إلى كازاخستان.\n\n"
        "وقال توكاييف، إنه في الأيام الأخيرة، يأتي الكثير من الناس إلينا "
        "من روسيا، بحسب وكالة فرانس برس.\n\n"
        "بداية الأزمة\n\n"
        "وبدأت القوات الروسية، فجر يوم الخميس 24 فبراير، في شن عملية "
        "عسكرية على شرق أوكرانيا، وسط تحذيرات دولية.";
    assert_string_equal(p->body, expect);
    assert_string_equal(p->lang, "ar"); /* no lang attribute: the letters */
    assert_null(strstr(p->body, "قد يعجبك"));
    assert_null(strstr(p->body, "ابق على اتصال"));
    assert_null(strstr(p->body, "النشرة الإخبارية"));
    kh_page_free(p);
}

static void
repeated_title_is_dropped(void **state)
{
    (void)state;
    const char *html =
        "<html><head><meta property='og:title' content='Storm hits the "
        "coast'></head><body><div class='story'><p>Storm hits the "
        "coast</p><p>" PROSE1 "</p><p>" PROSE2 "</p></div></body></html>";
    kh_page *p = extract(html, NULL);
    assert_string_equal(p->title, "Storm hits the coast");
    assert_string_equal(p->body, PROSE1 "\n\n" PROSE2);
    assert_null(p->url);
    assert_null(p->source);
    kh_page_free(p);
}

static void
canonical_and_open_graph(void **state)
{
    (void)state;
    const char *html =
        "<html lang='en-GB'><head>"
        "<title>Ignored title | The Daily Example</title>"
        "<meta property='og:title' content='Bridge plan approved - The "
        "Daily Example'>"
        "<meta property='og:site_name' content='The Daily Example'>"
        "<meta name='author' content='Jane Roe'>"
        "<link rel='canonical' href='/news/bridge-plan?ref=1'>"
        "</head><body><p>" PROSE1 "</p></body></html>";
    kh_page *p = extract(html, "http://m.example.com/a/b/c?x=y");
    assert_string_equal(p->title, "Bridge plan approved");
    assert_string_equal(p->url, "http://m.example.com/news/bridge-plan?ref=1");
    assert_string_equal(p->source, "The Daily Example");
    assert_string_equal(p->author, "Jane Roe");
    assert_string_equal(p->lang, "en");
    assert_string_equal(p->body, PROSE1);
    kh_page_free(p);

    /* og:url when there is no canonical link; the site name first. */
    html = "<html><head><title>Example News | Quake in the north</title>"
           "<meta property='og:url' content='https://example.org/q/1'>"
           "<meta property='og:site_name' content='Example News'>"
           "</head><body><p>" PROSE2 "</p></body></html>";
    p = extract(html, "https://example.org/amp/q/1");
    assert_string_equal(p->title, "Quake in the north");
    assert_string_equal(p->url, "https://example.org/q/1");
    kh_page_free(p);

    /* "Site - Headline" beside an <h1> of the headline alone. */
    html = "<html><head><meta property='og:title' content=' المدينة نيوز - "
           "أميركا تسجل حصيلة جديدة'></head><body><h1>أميركا تسجل حصيلة "
           "جديدة</h1><p>" PROSE3 "</p></body></html>";
    p = extract(html, "https://www.almadenah.example/article/1");
    assert_string_equal(p->title, "أميركا تسجل حصيلة جديدة");
    assert_string_equal(p->source, "almadenah.example");
    kh_page_free(p);
}

static void
json_ld(void **state)
{
    (void)state;
    const char *html =
        "<html><head><title>t</title>"
        "<script type='application/ld+json'>{\"@context\":\"https://"
        "schema.org\",\"@graph\":[{\"@type\":\"WebSite\",\"name\":\"W\"},"
        "{\"@type\":\"NewsArticle\",\"headline\":\"وزير الخارجية يزور "
        "عمّان\",\"author\":[{\"@type\":\"Person\",\"name\":\"سارة "
        "أحمد\"},{\"@type\":\"Person\",\"name\":\"John Doe\"}],"
        "\"publisher\":{\"@type\":\"Organization\",\"name\":\"جريدة"
        "\"}}]}</script>"
        "<script type='application/ld+json'>{ broken json</script>"
        "</head><body lang='ar'><p>" PROSE1 "</p></body></html>";
    kh_page *p = extract(html, "https://news.example/x");
    assert_string_equal(p->title, "وزير الخارجية يزور عمّان");
    assert_string_equal(p->author, "سارة أحمد, John Doe");
    assert_string_equal(p->source, "news.example"); /* og:site_name only */
    kh_page_free(p);
}

static void
broken_markup(void **state)
{
    (void)state;
    const char *html =
        "<div><p>" PROSE1 "<p>" PROSE2 "<table><tr><td>cell one<td>two"
        "</table><p>" PROSE3 " &amp; more &#x627;&#1575; &bogus;"
        "<b><i>unclosed</b> tail</p></span></div></div></body>";
    kh_page *p = extract(html, NULL);
    assert_non_null(strstr(p->body, PROSE1 "\n\n" PROSE2));
    assert_non_null(strstr(p->body, PROSE3 " & more اا &bogus;unclosed tail"));
    kh_page_free(p);

    /* nesting far deeper than the walk's bound */
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    for (int i = 0; i < 5000; i++)
        kh__buf_puts(&b, "<div><span>", &rc);
    kh__buf_puts(&b, "<p>" PROSE1 "</p>", &rc);
    assert_int_equal(rc, KH_OK);
    p = extract(b.data, NULL);
    kh_page_free(p);
    kh__buf_release(&b);
}

static void
empty_pages(void **state)
{
    (void)state;
    static const char *const pages[] = {
        "<html></html>",
        "<html><head><title>Only a title</title></head><body></body></html>",
        "<p>",
        "<!DOCTYPE html>",
        "<html><body><nav><a href='/'>Home</a></nav></body></html>",
    };
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        kh_page *p = extract(pages[i], NULL);
        assert_string_equal(p->body, "");
        assert_int_equal(p->date, KH_DATE_NONE);
        kh_page_free(p);
    }
    kh_page *p = extract(pages[1], NULL);
    assert_string_equal(p->title, "Only a title");
    kh_page_free(p);
}

static void
junk_is_refused(void **state)
{
    (void)state;
    char msg[256];
    assert_int_equal(extract_fails("", 0, msg, sizeof msg), KH_EINVAL);
    assert_non_null(strstr(msg, "empty"));
    static const char bin[] = "\x7f"
                              "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0<p>";
    assert_int_equal(extract_fails(bin, sizeof bin - 1, msg, sizeof msg),
                     KH_EINVAL);
    assert_non_null(strstr(msg, "binary"));
    static const char gz[] = "\x1f\x8b\x08\0\0\0\0\0";
    assert_int_equal(extract_fails(gz, sizeof gz - 1, msg, sizeof msg),
                     KH_EINVAL);
    assert_non_null(strstr(msg, "gzip"));
    const char *text = "just some words, no markup at all";
    assert_int_equal(extract_fails(text, strlen(text), msg, sizeof msg),
                     KH_EINVAL);
    assert_non_null(strstr(msg, "no HTML"));
    const char *lt = "a < b and c > d";
    assert_int_equal(extract_fails(lt, strlen(lt), msg, sizeof msg), KH_EINVAL);

    /* over 50 MB: refused before anything is parsed */
    size_t big = 50u * 1024 * 1024 + 1;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, ' ', big);
    memcpy(huge, "<p>", 3);
    assert_int_equal(extract_fails(huge, big, msg, sizeof msg), KH_EINVAL);
    assert_non_null(strstr(msg, "too large"));
    free(huge);

    kh_page *p = (kh_page *)msg;
    assert_int_equal(kh_extract_html(NULL, 5, NULL, &p, NULL), KH_EINVAL);
    assert_int_equal(kh_extract_html("<p>", 3, NULL, NULL, NULL), KH_EINVAL);
    kh_page_free(NULL);
}

static void
windows_1256_page(void **state)
{
    (void)state;
    /* "السلام عليكم، هذه فقرة عربية طويلة بما يكفي." in windows-1256 */
    const char *html =
        "<html><head><meta charset='windows-1256'></head><body><p>"
        "\xC7\xE1\xD3\xE1\xC7\xE3 \xDA\xE1\xED\xDF\xE3\xA1 \xE5\xD0\xE5 "
        "\xDD\xDE\xD1\xC9 \xDA\xD1\xC8\xED\xC9 \xD8\xE6\xED\xE1\xC9 "
        "\xC8\xE3\xC7 \xED\xDF\xDD\xED.</p></body></html>";
    kh_page *p = extract(html, NULL);
    assert_string_equal(p->body,
                        "السلام عليكم، هذه فقرة عربية طويلة بما يكفي.");
    assert_string_equal(p->lang, "ar");
    kh_page_free(p);
}

static void
hidden_text_is_skipped(void **state)
{
    (void)state;
    const char *html =
        "<body><div><p style='display: none'>hidden one, hidden one, "
        "hidden one, hidden one, hidden.</p><p hidden>hidden two, hidden "
        "two, hidden two, hidden two.</p><p>" PROSE1 "</p><p aria-hidden="
        "'true'>hidden three, hidden three, hidden three, three.</p></div>";
    kh_page *p = extract(html, NULL);
    assert_string_equal(p->body, PROSE1);
    kh_page_free(p);
}

/* A page of a site whose template carries a promo line inside the story
 * container, with nothing in the markup to tell it apart.  The stories
 * differ in their words (the furniture hash leaves digits out); with
 * rare set, a line of one page in three is added. */
static char *
site_page(int n, int rare)
{
    static const char *const towns[] = {"Leeds", "Cork",  "Derby", "Bath",
                                        "Ely",   "Hull",  "Wells", "York",
                                        "Ripon", "Truro", "Dover", "Stoke"};
    static const char *const things[] = {
        "bridge", "school",   "library", "station", "harbour", "market",
        "museum", "hospital", "stadium", "theatre", "park",    "airport"};
    const char *town = towns[n % 12], *thing = things[(n / 12) % 12];
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    kh__buf_printf(&b, &rc,
                   "<html><body><div class='story'><h1>The %s of %s</h1>"
                   "<p>The story of the %s in %s opens here, with a first "
                   "paragraph that is long enough, and ends.</p>"
                   "<p>Support independent journalism: become a member of "
                   "the Example Post today, from one pound a month.</p>"
                   "<p>The second paragraph on the %s of %s is different "
                   "on every page, and gives some detail.</p>%s"
                   "</div></body></html>",
                   thing, town, thing, town, thing, town,
                   rare ? "<p>Our weekly poll, open until Friday, asks "
                          "readers which project matters most.</p>"
                        : "");
    assert_int_equal(rc, KH_OK);
    return kh__buf_detach(&b, NULL, &rc);
}

static void
site_model_learns_furniture(void **state)
{
    (void)state;
    const char *promo = "Support independent journalism";
    kh_sitemodel *m = NULL;
    assert_int_equal(kh_sitemodel_new(&m), KH_OK);
    kh_extract_options o = {"https://www.post.example/a", NULL, m};
    for (int n = 1; n <= 6; n++) {
        char *html = site_page(n, 0);
        char url[64];
        snprintf(url, sizeof url, "https://www.post.example/story/%d", n);
        o.url = url;
        kh_page *p = extract_opts(html, &o);
        /* pages 1-3 teach the model; from page 4 the line is furniture */
        if (n <= 3)
            assert_non_null(strstr(p->body, promo));
        else
            assert_null(strstr(p->body, promo));
        assert_non_null(strstr(p->body, "opens here"));
        assert_non_null(strstr(p->body, "is different"));
        kh_page_free(p);
        kh_free(html);
    }
    /* Another host has learned nothing. */
    char *html = site_page(9, 0);
    o.url = "https://other.example/x";
    kh_page *p = extract_opts(html, &o);
    assert_non_null(strstr(p->body, promo));
    kh_page_free(p);
    /* Without a model the page alone decides. */
    kh_extract_options none = {"https://www.post.example/story/9", NULL, NULL};
    p = extract_opts(html, &none);
    assert_non_null(strstr(p->body, promo));
    kh_page_free(p);
    kh_free(html);

    /* Many hosts: the least recently used are forgotten, the memory
     * bounded; the first host must then learn again. */
    for (int h = 0; h < 300; h++) {
        char url[64];
        snprintf(url, sizeof url, "https://site%d.example/p", h);
        o.url = url;
        html = site_page(h, 0);
        p = extract_opts(html, &o);
        kh_page_free(p);
        kh_free(html);
    }
    o.url = "https://www.post.example/story/10";
    html = site_page(10, 0);
    p = extract_opts(html, &o);
    assert_non_null(strstr(p->body, promo));
    kh_page_free(p);
    kh_free(html);
    kh_sitemodel_free(m);
    kh_sitemodel_free(NULL);
}

static void
site_model_follows_the_template(void **state)
{
    (void)state;
    /* Over a long run the promo line on every page stays furniture (the
     * counts decay but keep their ratio) while a line on one page in
     * three never becomes furniture. */
    kh_sitemodel *m = NULL;
    assert_int_equal(kh_sitemodel_new(&m), KH_OK);
    kh_extract_options o = {NULL, NULL, m};
    for (int n = 0; n < 200; n++) {
        char url[64];
        snprintf(url, sizeof url, "https://www.post.example/s/%d", n);
        o.url = url;
        char *html = site_page(n, n % 3 == 0);
        kh_page *p = extract_opts(html, &o);
        assert_non_null(strstr(p->body, "opens here"));
        assert_non_null(strstr(p->body, "is different"));
        if (n % 3 == 0)
            assert_non_null(strstr(p->body, "weekly poll"));
        if (n >= 3)
            assert_null(strstr(p->body, "Support independent"));
        kh_page_free(p);
        kh_free(html);
    }
    kh_sitemodel_free(m);
}

static void
site_model_counts_a_page_once(void **state)
{
    (void)state;
    /* The same story fetched again and again (updates, retries) must not
     * teach the model that its own paragraphs are furniture. */
    kh_sitemodel *m = NULL;
    assert_int_equal(kh_sitemodel_new(&m), KH_OK);
    kh_extract_options o = {"https://www.post.example/story/1", NULL, m};
    char *html = site_page(5, 0);
    for (int i = 0; i < 8; i++) {
        kh_page *p = extract_opts(html, &o);
        assert_non_null(strstr(p->body, "opens here"));
        assert_non_null(strstr(p->body, "Support independent"));
        kh_page_free(p);
    }
    kh_free(html);
    kh_sitemodel_free(m);
}

static void
out_of_memory(void **state)
{
    (void)state;
    const char *html =
        "<html lang='en'><head><title>T - S</title><link rel='canonical' "
        "href='/x'><script type='application/ld+json'>{\"@type\":"
        "\"Article\",\"headline\":\"H\",\"author\":\"A\"}</script></head>"
        "<body><nav><a href='/'>Home</a></nav><div><h1>H</h1><p>" PROSE1
        "</p><p>" PROSE2 "</p></div></body></html>";
    kh_sitemodel *m = NULL;
    assert_int_equal(kh_sitemodel_new(&m), KH_OK);
    kh_extract_options o = {"https://e.example/a", NULL, m};
    int failures = 0, done = 0;
    for (long n = 0; n < 400 && !done; n++) {
        kh_page *p = NULL;
        kh__alloc_fail_after(n);
        kh_status rc = kh_extract_html(html, strlen(html), &o, &p, NULL);
        kh__alloc_fail_after(-1);
        if (rc == KH_ENOMEM) {
            assert_null(p);
            failures++;
            continue;
        }
        assert_int_equal(rc, KH_OK);
        assert_string_equal(p->body, PROSE1 "\n\n" PROSE2);
        kh_page_free(p);
        done = 1;
    }
    assert_true(done);
    assert_true(failures > 5);
    kh_sitemodel_free(m);
}

/* ---- The Arabic pages of the htmldate set ---------------------------- */

static char *
read_gz(const char *path, size_t *len)
{
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL)
        return NULL;
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    for (;;) {
        kh__buf_reserve(&b, 65536, &rc);
        assert_int_equal(rc, KH_OK);
        int got = gzread(gz, b.data + b.len, 65536);
        assert_true(got >= 0);
        if (got == 0)
            break;
        b.len += (size_t)got;
    }
    gzclose(gz);
    return kh__buf_detach(&b, len, &rc);
}

typedef struct expect {
    char file[64], url[1024], title[512], lang[8], first[512], last[512];
    char absent[16][256];
    int n_absent;
} expect;

/* Checks one page; returns whether it got a date (pagedate.c's work, so
 * only counted). */
static int
check_page(const char *dir, const expect *e)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, e->file);
    size_t len = 0;
    char *html = read_gz(path, &len);
    if (html == NULL)
        fail_msg("cannot read %s", path);
    kh_extract_options o = {e->url, NULL, NULL};
    kh_page *p = NULL;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_extract_html(html, len, &o, &p, &err);
    kh_free(html);
    if (rc != KH_OK)
        fail_msg("%s: %s", e->file, err.message);
    if (p->title == NULL || strcmp(p->title, e->title) != 0)
        fail_msg("%s: title '%s', expected '%s'", e->file,
                 p->title ? p->title : "(null)", e->title);
    if (p->lang == NULL || strcmp(p->lang, e->lang) != 0)
        fail_msg("%s: lang %s", e->file, p->lang ? p->lang : "(null)");
    size_t bl = strlen(p->body), fl = strlen(e->first), ll = strlen(e->last);
    if (bl < fl || memcmp(p->body, e->first, fl) != 0)
        fail_msg("%s: body starts '%.200s'", e->file, p->body);
    if (bl < ll || memcmp(p->body + bl - ll, e->last, ll) != 0)
        fail_msg("%s: body ends '%s'", e->file,
                 p->body + (bl > 300 ? bl - 300 : 0));
    for (int i = 0; i < e->n_absent; i++)
        if (strstr(p->body, e->absent[i]) != NULL)
            fail_msg("%s: furniture '%s' in the body", e->file, e->absent[i]);
    int dated = p->date != KH_DATE_NONE;
    kh_page_free(p);
    return dated;
}

static void
set_field(char *dst, size_t cap, const char *v)
{
    assert_true(strlen(v) < cap);
    strcpy(dst, v);
}

static void
arabic_news_pages(void **state)
{
    (void)state;
    char dir[1024], data[1024];
    snprintf(dir, sizeof dir, "%s/../shared/data/extract/htmldate/html",
             tu_srcdir());
    snprintf(data, sizeof data, "%s/tests/data/extract/arabic_pages.txt",
             tu_srcdir());
    FILE *probe = fopen(dir, "r");
    if (probe == NULL) {
        skip(); /* ../shared is not there */
        return;
    }
    fclose(probe);
    FILE *f = fopen(data, "r");
    assert_non_null(f);
    expect e;
    memset(&e, 0, sizeof e);
    int pages = 0, dated = 0;
    char line[2048];
    for (;;) {
        char *got = fgets(line, sizeof line, f);
        size_t n = got != NULL ? strlen(line) : 0;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if ((got == NULL || n == 0) && e.file[0] != '\0') {
            dated += check_page(dir, &e);
            pages++;
            memset(&e, 0, sizeof e);
        }
        if (got == NULL)
            break;
        if (n == 0 || line[0] == '#')
            continue;
        char *sp = strchr(line, ' ');
        assert_non_null(sp);
        *sp = '\0';
        const char *v = sp + 1;
        if (strcmp(line, "file") == 0)
            set_field(e.file, sizeof e.file, v);
        else if (strcmp(line, "url") == 0)
            set_field(e.url, sizeof e.url, v);
        else if (strcmp(line, "title") == 0)
            set_field(e.title, sizeof e.title, v);
        else if (strcmp(line, "lang") == 0)
            set_field(e.lang, sizeof e.lang, v);
        else if (strcmp(line, "first") == 0)
            set_field(e.first, sizeof e.first, v);
        else if (strcmp(line, "last") == 0)
            set_field(e.last, sizeof e.last, v);
        else if (strcmp(line, "absent") == 0 && e.n_absent < 16)
            set_field(e.absent[e.n_absent++], sizeof e.absent[0], v);
        else
            fail_msg("bad line in %s: %s", data, line);
    }
    fclose(f);
    assert_int_equal(pages, 8);
    assert_true(dated >= 6); /* the date is wired in */
}

/* The pass before parsing: unread attributes and skipped contents go,
 * everything the extractor reads stays byte for byte. */
static void
prepass_keeps_what_is_read(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"<p class=\"a\" data-x=\"1>2\" onclick='f()' id=z>t</p>",
         "<p class=\"a\" id=z>t</p>"},
        {"<img src=/a/b.png alt=\"x\"><a href=/x/y title=t>l</a>",
         "<img><a href=/x/y title=t>l</a>"},
        {"<DIV CLASS=\"c\" DATA-X=1 hidden data-a>x</DIV>",
         "<DIV CLASS=\"c\" hidden>x</DIV>"},
        {"<br/><hr / ><input type=text value=v/>",
         "<br/><hr / ><input type=text>"}, /* "v/" is the value */
        /* a quote that never closes: the tag is left whole */
        {"<p data-x=\"abc>text", "<p data-x=\"abc>text"},
        /* a tag that never ends */
        {"a <b class=x", "a <b class=x"},
        /* markup quoted in JSON-LD is not markup */
        {"<script type=\"application/ld+json\">{\"a\":\"<p data-x='1'>\"}"
         "</script>",
         "<script type=\"application/ld+json\">{\"a\":\"<p data-x='1'>\"}"
         "</script>"},
        {"<script src=x.js>var a = '<p data-y=1>';</script>",
         "<script></script>"},
        {"<svg viewBox=\"0 0 1 1\"><path d=\"M0\"/></svg><p>x</p>",
         "<svg></svg><p>x</p>"},
        /* a start tag the parser would read otherwise stays whole */
        {"<script a@b=1 src=x>x</script>", "<script a@b=1 src=x></script>"},
        {"<!-- c --><p>a &lt; b</p> 1 < 2", "<p>a &lt; b</p> 1 < 2"},
        {"<p>a  \t b\n\n  c</p>\n  <pre data-x=1>  x\n    y</pre> <b>",
         "<p>a b\nc</p>\n<pre>  x\n    y</pre> <b>"},
        {"<time datetime=\"2022-09-27\" data-t=1>x</time>",
         "<time datetime=\"2022-09-27\">x</time>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        size_t n = strlen(cases[i][0]);
        memcpy(buf, cases[i][0], n + 1);
        n = kh__strip_raw_text(buf, n);
        buf[n] = '\0';
        if (strcmp(buf, cases[i][1]) != 0)
            fail_msg("case %zu: got [%s], expected [%s]", i, buf, cases[i][1]);
    }
}

/* Copies of the tree's text and kept attributes, for comparing trees. */
static void
dump_tree(const kh_hnode *n, kh_buf *b)
{
    kh_status rc = KH_OK;
    for (; n != NULL; n = n->next) {
        if (n->type == KH_HN_TEXT) {
            kh__buf_puts(b, "T[", &rc);
            kh__buf_append(b, n->text, n->len, &rc);
            kh__buf_puts(b, "]", &rc);
            continue;
        }
        kh__buf_printf(b, &rc, "<%s", n->name);
        static const char *const read[] = {"class",   "id",   "href", "type",
                                           "content", "lang", NULL};
        for (size_t k = 0; read[k] != NULL; k++) {
            const char *v = kh__hattr(n, read[k]);
            if (v != NULL)
                kh__buf_printf(b, &rc, " %s=[%s]", read[k], v);
        }
        kh__buf_puts(b, ">", &rc);
        dump_tree(n->children, b);
        kh__buf_puts(b, "</>", &rc);
    }
    assert_int_equal(rc, KH_OK);
}

/* Text and attributes the pre-pass stashes in the tree (tokens in their
 * place for the parser) come back where the parser would have put them:
 * the tree is the same as without tokens, markup traps included. */
static void
tokens_leave_the_tree_alone(void **state)
{
    (void)state;
    static const struct {
        const char *html;
        int tokens; /* 1: some are expected, -1: none */
    } cases[] = {
        {"<html><head><title>A title of the page</title>"
         "<meta property=\"og:title\" content=\"The headline here\">"
         "<script type=\"application/ld+json\">{\"headline\": \"x &amp; y\","
         " \"a\": \"<p>\"}</script></head><body class=\"home page\">"
         "<div id=main class='post-content entry'><p>First paragraph, with "
         "words.</p><p>AT&amp;T &nbsp;and &#1575; text</p><a href=\"/a?b=1"
         "&amp;c=2\" class=x>a link to somewhere</a></div></body></html>",
         1},
        /* text at the start (the parser drops its leading blanks) */
        {"   leading text of the page <p class=a>and more of it</p>", 1},
        /* tags that read otherwise without the unread attributes */
        {"<p class=a>a first text here</p>"
         "<div hidden data-x=\"1\"id=c>some text here</div>"
         "<a href=x data-y=1/>another text here</a>"
         "<p data-a=\"q\"class=b>third text here</p>",
         1},
        /* a script that does not end: the rest is its text */
        {"<p class=a>some text before it</p><script>var x = 1; "
         "<p class=b>not a paragraph at all</p>",
         1},
        {"<p class=a>some text before it</p><script/>"
         "<p class=b>a paragraph after it</p></scripts> more text here",
         1},
        {"<script>x</scriptx><p class=b>still script text here</p>", 0},
        {"<pre class=a>kept <script>as it is</pre><p class=b>and what "
         "follows it</p>",
         0},
        /* processing instructions, doctypes, comments */
        {"<?xml version=\"1.0\"?><p class=a>text after the pi</p>", 1},
        {"<? x <p class=a>inside the pi> text after</p>", 0},
        {"<!DOCTYPE html PUBLIC \"a>b\"><p class=a>text after</p>", 0},
        {"<p class=a>some text before</p><!-- a comment that never ends"
         "<p class=b>text</p>",
         1},
        {"<p class=a>some text before</p></p <b class=c>>text after it</p>", 1},
        /* a page with \x01 or U+E000 of its own gets no tokens */
        {"<p class=a>a text\x01 with a control character</p>", -1},
        {"<p class=a>a text with \xEE\x80\x80"
         "5 in it here</p>",
         -1},
        {"<p class=a>not UTF-8 \xC3 here, some text</p>", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i].html);
        char *a = kh__strndup(cases[i].html, n);
        char *b = kh__strndup(cases[i].html, n);
        assert_non_null(a);
        assert_non_null(b);
        size_t na = kh__strip_raw_text(a, n);
        kh_htree *ta = NULL;
        assert_int_equal(kh__htree_parse(a, na, &ta), KH_OK);
        kh_htree *tb = kh__htree_new();
        assert_non_null(tb);
        size_t nb = kh__prep_page(b, n, tb);
        int stashed = kh__htree_stashed(tb) > 0;
        assert_int_equal(kh__htree_fill(tb, b, nb), KH_OK);
        kh_buf da, db;
        kh__buf_init(&da);
        kh__buf_init(&db);
        dump_tree(kh__htree_doc(ta)->children, &da);
        dump_tree(kh__htree_doc(tb)->children, &db);
        if (da.len != db.len || memcmp(da.data, db.data, da.len) != 0)
            fail_msg("case %zu: without tokens\n%.*s\nwith\n%.*s", i,
                     (int)da.len, da.data, (int)db.len, db.data);
        if (cases[i].tokens != 0 && stashed != (cases[i].tokens > 0))
            fail_msg("case %zu: tokens %d", i, stashed);
        kh__buf_release(&da);
        kh__buf_release(&db);
        kh__htree_free(ta);
        kh__htree_free(tb);
        kh_free(a);
        kh_free(b);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(furniture_is_removed),
        cmocka_unit_test(arabic_furniture_is_removed),
        cmocka_unit_test(repeated_title_is_dropped),
        cmocka_unit_test(canonical_and_open_graph),
        cmocka_unit_test(json_ld),
        cmocka_unit_test(broken_markup),
        cmocka_unit_test(empty_pages),
        cmocka_unit_test(junk_is_refused),
        cmocka_unit_test(windows_1256_page),
        cmocka_unit_test(hidden_text_is_skipped),
        cmocka_unit_test(site_model_learns_furniture),
        cmocka_unit_test(site_model_follows_the_template),
        cmocka_unit_test(site_model_counts_a_page_once),
        cmocka_unit_test(out_of_memory),
        cmocka_unit_test(arabic_news_pages),
        cmocka_unit_test(prepass_keeps_what_is_read),
        cmocka_unit_test(tokens_leave_the_tree_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
