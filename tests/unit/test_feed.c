/*
 * test_feed.c -- kh_feed_parse (src/ingest/feed.c) and the RFC 822 dates
 * (src/ingest/rfcdate.c): RSS 2.0, 0.91, RDF and Atom fixtures from
 * tests/data/feeds/ checked field by field; windows-1256 feeds, a lying
 * XML declaration, relative links, CDATA, HTML in descriptions, empty and
 * truncated feeds, an entity bomb, things that are no feed.
 */
#include "testutil.h"

#include "ingest/ingest.h"

#define MAX_ITEMS 8

typedef struct got_item {
    char *title, *link, *guid, *author, *summary, *content, *source;
    int64_t date;
} got_item;

typedef struct got {
    got_item items[MAX_ITEMS];
    int n;
    int stop_after; /* 0: never stop */
} got;

static char *
dup_or_null(const char *s)
{
    if (s == NULL)
        return NULL;
    assert_true(s[0] != '\0'); /* absent fields are NULL, never "" */
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static int
collect(const kh_feed_item *it, void *ctx)
{
    got *g = ctx;
    assert_true(g->n < MAX_ITEMS);
    got_item *o = &g->items[g->n++];
    o->title = dup_or_null(it->title);
    o->link = dup_or_null(it->link);
    o->guid = dup_or_null(it->guid);
    o->author = dup_or_null(it->author);
    o->summary = dup_or_null(it->summary);
    o->content = dup_or_null(it->content);
    o->source = dup_or_null(it->source);
    o->date = it->date;
    return g->stop_after > 0 && g->n >= g->stop_after;
}

static void
got_free(got *g)
{
    for (int i = 0; i < g->n; i++) {
        got_item *o = &g->items[i];
        free(o->title);
        free(o->link);
        free(o->guid);
        free(o->author);
        free(o->summary);
        free(o->content);
        free(o->source);
    }
    memset(g, 0, sizeof *g);
}

/* Reads tests/data/feeds/name into an exactly sized buffer. */
static char *
read_fixture(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/feeds/%s", tu_srcdir(), name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static kh_status
parse_fixture(const char *name, const char *base, got *g, kh_error *err)
{
    size_t len;
    char *xml = read_fixture(name, &len);
    kh_status rc = kh_feed_parse(xml, len, base, collect, g, err);
    free(xml);
    return rc;
}

static kh_status
parse_str(const char *xml, const char *base, got *g, kh_error *err)
{
    size_t len = strlen(xml);
    char *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, xml, len);
    kh_status rc = kh_feed_parse(copy, len, base, collect, g, err);
    free(copy);
    return rc;
}

static int64_t
iso(const char *s)
{
    int64_t t;
    assert_int_equal(kh_date_parse(s, strlen(s), &t), KH_OK);
    return t;
}

#define assert_str_or_null(a, b)                                               \
    do {                                                                       \
        if ((b) == NULL)                                                       \
            assert_null(a);                                                    \
        else {                                                                 \
            assert_non_null(a);                                                \
            assert_string_equal((a), (b));                                     \
        }                                                                      \
    } while (0)

static void
rss2(void **state)
{
    (void)state;
    got g = {0};
    kh_error err;
    assert_int_equal(parse_fixture("rss2.xml", NULL, &g, &err), KH_OK);
    assert_int_equal(g.n, 3);
    got_item *a = &g.items[0];
    assert_string_equal(a->title, "افتتاح مستشفى جديد في الرياض");
    assert_string_equal(a->link,
                        "https://news.example.com/2022/09/27/hospital.html");
    assert_string_equal(a->guid, "news-1001");
    assert_string_equal(a->author, "سارة العتيبي");
    assert_string_equal(a->source, "أخبار الخليج"); /* blanks squeezed */
    assert_string_equal(
        a->summary,
        "<p>أعلنت <b>وزارة الصحة</b> اليوم عن افتتاح مستشفى جديد.</p>");
    assert_string_equal(a->content,
                        "<p>أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في "
                        "مدينة الرياض.</p><p>ويضم المستشفى ثلاثمائة سرير.</p>");
    assert_true(a->date == iso("2022-09-27T07:00:00Z"));

    got_item *b = &g.items[1];
    assert_string_equal(b->title, "ارتفاع أسعار النفط & الذهب");
    /* Relative: resolved against the channel's link. */
    assert_string_equal(b->link,
                        "https://news.example.com/economy/oil-prices.html");
    assert_null(b->guid);
    assert_string_equal(b->author, "desk@news.example.com (مكتب الاقتصاد)");
    assert_string_equal(b->summary,
                        "<p>ارتفعت أسعار النفط <a href=\"/x\">اليوم</a>.</p>");
    assert_null(b->content);
    assert_true(b->date == iso("2022-09-28T08:30:00Z"));

    got_item *c = &g.items[2];
    /* No <link>: the permalink guid is the link. */
    assert_string_equal(c->link, "https://news.example.com/sport/match.html");
    assert_string_equal(c->guid, "https://news.example.com/sport/match.html");
    assert_string_equal(c->title, "فوز المنتخب <b>الوطني</b>"); /* CDATA */
    assert_null(c->summary);
    assert_true(c->date == iso("2022-09-30T02:15:00Z")); /* EST = -5 */
    got_free(&g);

    /* base_url wins over the channel's link for relative links. */
    assert_int_equal(parse_fixture("rss2.xml",
                                   "https://mirror.example.net/feeds/x.xml", &g,
                                   &err),
                     KH_OK);
    assert_string_equal(g.items[1].link,
                        "https://mirror.example.net/economy/oil-prices.html");
    got_free(&g);
}

static void
atom(void **state)
{
    (void)state;
    got g = {0};
    kh_error err;
    assert_int_equal(parse_fixture("atom.xml", NULL, &g, &err), KH_OK);
    assert_int_equal(g.n, 2);
    got_item *a = &g.items[0];
    assert_string_equal(a->source, "صحيفة المثال");
    assert_string_equal(a->title, "قمة الرياض & جدة"); /* type html */
    assert_string_equal(a->link,
                        "https://atom.example.org/ar/2022/09/summit.html");
    assert_string_equal(a->guid, "tag:atom.example.org,2022:summit");
    assert_string_equal(a->author, "أحمد المالكي");
    assert_string_equal(a->summary, "القادة يجتمعون &lt;اليوم&gt; في الرياض");
    assert_string_equal(a->content, "<p>بدأت <em>القمة</em> صباح اليوم.</p>");
    assert_true(a->date == iso("2022-09-27T06:00:00Z")); /* published */
    got_item *b = &g.items[1];
    assert_string_equal(b->link, "https://other.example.net/blog/post/7");
    assert_string_equal(b->author, "هيئة التحرير"); /* the feed's */
    assert_null(b->summary);
    assert_string_equal(b->content, "<p>نص <i>المقال</i></p>");
    assert_true(b->date == iso("2022-09-28T06:00:00Z")); /* updated */
    got_free(&g);
}

static void
rdf(void **state)
{
    (void)state;
    got g = {0};
    kh_error err;
    assert_int_equal(parse_fixture("rdf.xml", NULL, &g, &err), KH_OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.items[0].source, "نشرة RDF");
    assert_string_equal(g.items[0].title, "الخبر الأول");
    assert_string_equal(g.items[0].guid, "https://rdf.example.com/a");
    assert_string_equal(g.items[0].author, "مراسل");
    assert_string_equal(g.items[0].summary, "وصف الخبر الأول");
    assert_true(g.items[0].date == iso("2022-09-27T07:00:00Z"));
    assert_string_equal(g.items[1].link, "https://rdf.example.com/b.html");
    assert_true(g.items[1].date == KH_DATE_NONE);
    got_free(&g);
}

static void
rss091_latin1(void **state)
{
    (void)state;
    got g = {0};
    kh_error err;
    assert_int_equal(parse_fixture("rss091.xml", NULL, &g, &err), KH_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0].source, "Café News");
    assert_string_equal(g.items[0].title, "Le café ouvre");
    /* HTML entities the feed never declared. */
    assert_string_equal(g.items[0].summary, "Le café ouvre\xC2\xA0ses portes.");
    got_free(&g);
}

static void
windows_1256(void **state)
{
    (void)state;
    static const char *const files[] = {"cp1256.xml", "cp1256_lying.xml"};
    for (int k = 0; k < 2; k++) {
        got g = {0};
        kh_error err;
        assert_int_equal(parse_fixture(files[k], NULL, &g, &err), KH_OK);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.items[0].source, "جريدة الوطن");
        assert_string_equal(g.items[0].title, "وزير الخارجية يصل إلى القاهرة");
        assert_string_equal(g.items[0].summary,
                            "<p>وصل وزير الخارجية مساء أمس.</p>");
        assert_true(g.items[0].date == iso("2022-10-02T16:45:00Z"));
        got_free(&g);
    }
}

static void
utf16(void **state)
{
    (void)state;
    /* UTF-16 with a BOM, the declaration saying so. */
    static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
                              "<rss><channel><title>عنوان</title><item>"
                              "<title>خبر</title></item></channel></rss>";
    char *le = NULL;
    size_t n = 0;
    const char *used;
    assert_int_equal(
        kh_to_utf8(xml, sizeof xml - 1, NULL, &le, &n, &used, NULL), KH_OK);
    /* Make UTF-16LE by hand: every character here is in the BMP. */
    char *u16 = malloc(2 * n + 2);
    assert_non_null(u16);
    size_t k = 0;
    u16[k++] = (char)0xFF;
    u16[k++] = (char)0xFE;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)le[i];
        unsigned cp = c < 0x80 ? c : ((c & 0x1Fu) << 6) | (le[i + 1] & 0x3F);
        i += c < 0x80 ? 1 : 2;
        u16[k++] = (char)(cp & 0xFF);
        u16[k++] = (char)(cp >> 8);
    }
    kh_free(le);
    got g = {0};
    kh_error err;
    assert_int_equal(kh_feed_parse(u16, k, NULL, collect, &g, &err), KH_OK);
    free(u16);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0].title, "خبر");
    assert_string_equal(g.items[0].source, "عنوان");
    got_free(&g);
}

static void
empty_and_stop(void **state)
{
    (void)state;
    got g = {0};
    kh_error err;
    assert_int_equal(parse_fixture("empty.xml", NULL, &g, &err), KH_OK);
    assert_int_equal(g.n, 0);
    g.stop_after = 1;
    assert_int_equal(parse_fixture("rss2.xml", NULL, &g, &err), KH_OK);
    assert_int_equal(g.n, 1);
    got_free(&g);
}

static void
damaged(void **state)
{
    (void)state;
    got g = {0};
    kh_error err;
    /* Cut in the middle of the second item: the first comes out whole. */
    assert_int_equal(parse_fixture("truncated.xml", NULL, &g, &err), KH_OK);
    assert_true(g.n >= 1);
    assert_string_equal(g.items[0].title, "افتتاح مستشفى جديد في الرياض");
    assert_non_null(g.items[0].content);
    got_free(&g);
    /* Cut before any item: nothing to read. */
    err.message[0] = '\0';
    assert_int_equal(
        parse_str("<?xml version=\"1.0\"?><rss><channel><ti", NULL, &g, &err),
        KH_EINVAL);
    assert_int_equal(g.n, 0);
    assert_non_null(strstr(err.message, "damaged"));
    /* Undeclared prefixes, a stray control byte. */
    assert_int_equal(parse_str("<rss><channel><item><title>a\x01"
                               "b</title><content:encoded>&lt;p&gt;x"
                               "</content:encoded><dc:creator>c</dc:creator>"
                               "</item></channel></rss>",
                               NULL, &g, &err),
                     KH_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0].title, "a b");
    assert_string_equal(g.items[0].content, "<p>x");
    assert_string_equal(g.items[0].author, "c");
    got_free(&g);
}

static void
entity_bomb(void **state)
{
    (void)state;
    got g = {0};
    kh_error err;
    /* Nested references stay unexpanded; a flat one (&a;) is expanded. */
    assert_int_equal(parse_fixture("bomb.xml", NULL, &g, &err), KH_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0].title, "i:");
    assert_null(g.items[0].summary);
    assert_string_equal(
        g.items[0].source,
        "Bomb aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    got_free(&g);
}

static void
sloppy_ampersands(void **state)
{
    (void)state;
    got g = {0};
    kh_error err;
    assert_int_equal(
        parse_str("<rss><channel><title>A &amp; B&nbsp;C</title><item>"
                  "<title>x &hellip; y &rsquo;z&rsquo; AT&T &bogus; &#1575;"
                  "</title><link>http://x.com/?a=1&b=2&amp;c=3</link>"
                  "<description>d &copy; 2022 <![CDATA[<p>&nbsp;&</p>]]>"
                  "</description><!-- &x --></item></channel></rss>",
                  NULL, &g, &err),
        KH_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0].source, "A & B\xC2\xA0"
                                           "C");
    assert_string_equal(g.items[0].title, "x … y ’z’ AT&T &bogus; ا");
    assert_string_equal(g.items[0].link, "http://x.com/?a=1&b=2&c=3");
    /* Inside CDATA the HTML stays as written. */
    assert_string_equal(g.items[0].summary, "d © 2022 <p>&nbsp;&</p>");
    got_free(&g);
}

static void
relative_links(void **state)
{
    (void)state;
    got g = {0};
    kh_error err;
    assert_int_equal(
        parse_str("<rss><channel><title>t</title>"
                  "<link> https://x.example.com/a/b/ </link>"
                  "<item><link>/أخبار/1.html</link></item>"
                  "<item><link>c d.html</link></item>"
                  "<item><link>../up.html?q=1#f</link></item>"
                  "<item><link>//cdn.example.net/p</link></item>"
                  "<item><link>  </link><guid>rel/guid.html</guid></item>"
                  "<item><link>https://abs.example.org/خبر</link></item>"
                  "</channel></rss>",
                  NULL, &g, &err),
        KH_OK);
    assert_int_equal(g.n, 6);
    /* Percent-encoded where libxml2 wants a URI, not an IRI. */
    assert_string_equal(g.items[0].link,
                        "https://x.example.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1"
                        "/1.html");
    assert_string_equal(g.items[1].link,
                        "https://x.example.com/a/b/c%20d.html");
    assert_string_equal(g.items[2].link,
                        "https://x.example.com/a/up.html?q=1#f");
    assert_string_equal(g.items[3].link, "https://cdn.example.net/p");
    assert_string_equal(g.items[4].link,
                        "https://x.example.com/a/b/rel/guid.html");
    assert_string_equal(g.items[5].link,
                        "https://abs.example.org/خبر"); /* as is */
    got_free(&g);
}

static void
not_feeds(void **state)
{
    (void)state;
    got g = {0};
    kh_error err;
    assert_int_equal(
        parse_str("<!DOCTYPE html><html><body>x</body></html>", NULL, &g, &err),
        KH_EINVAL);
    assert_non_null(strstr(err.message, "root element is <html>"));
    assert_int_equal(parse_str("<feed><entry><title>x</title></entry></feed>",
                               NULL, &g, &err),
                     KH_EINVAL); /* no Atom namespace */
    assert_int_equal(parse_str("just some text", NULL, &g, &err), KH_EINVAL);
    assert_non_null(strstr(err.message, "not XML"));
    assert_int_equal(kh_feed_parse("", 0, NULL, collect, &g, &err), KH_EINVAL);
    assert_int_equal(parse_str("\x1F\x8B\x08\x00junk\xFF\xFE", NULL, &g, &err),
                     KH_EINVAL);
    assert_int_equal(g.n, 0);
}

static void
out_of_memory(void **state)
{
    (void)state;
    size_t len;
    char *xml = read_fixture("atom.xml", &len);
    int ok = 0;
    for (long k = 0; k < 200 && !ok; k++) {
        got g = {0};
        kh_error err;
        kh__alloc_fail_after(k);
        kh_status rc = kh_feed_parse(xml, len, NULL, collect, &g, &err);
        kh__alloc_fail_after(-1);
        if (rc == KH_OK)
            ok = g.n == 2;
        else
            assert_int_equal(rc, KH_ENOMEM);
        got_free(&g);
    }
    assert_true(ok);
    free(xml);
}

static void
rfc822(void **state)
{
    (void)state;
    static const struct {
        const char *in, *iso;
    } cases[] = {
        {"Tue, 27 Sep 2022 10:00:00 +0300", "2022-09-27T07:00:00Z"},
        {"Tue, 27 Sep 2022 10:00:00 GMT", "2022-09-27T10:00:00Z"},
        {"27 Sep 2022 10:00 -0430", "2022-09-27T14:30:00Z"},
        {"Mon, 3 Jan 2022 23:59:59 EST", "2022-01-04T04:59:59Z"},
        {"Sat, 01 Oct 2022 06:00:00 PDT", "2022-10-01T13:00:00Z"},
        {"Wed, 28 September 2022 08:30:00 +03:00", "2022-09-28T05:30:00Z"},
        {"  Thu, 29 Sep 22 21:15:00 UT  ", "2022-09-29T21:15:00Z"},
        {"Tue, 27 Sep 2022 10:00:00 +0300 (AST)", "2022-09-27T07:00:00Z"},
        {"27 Sep 2022", "2022-09-27T00:00:00Z"},
        {"Fri, 29 Feb 2024 12:00:00 Z", "2024-02-29T12:00:00Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = 0;
        if (!kh__rfc822_date(cases[i].in, strlen(cases[i].in), &t))
            fail_msg("not parsed: %s", cases[i].in);
        if (t != iso(cases[i].iso))
            fail_msg("%s: got %lld", cases[i].in, (long long)t);
    }
    static const char *const bad[] = {"",
                                      "Tue",
                                      "Tue, 27 Foo 2022",
                                      "31 Feb 2022 10:00:00 GMT",
                                      "27 Sep 2022 25:00:00",
                                      "27 Sep 2022 10:00:00 +9999",
                                      "2022-09-27",
                                      "27 Sep 2022 10:00:00 GMT trailing"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t;
        if (kh__rfc822_date(bad[i], strlen(bad[i]), &t))
            fail_msg("parsed: %s", bad[i]);
    }
}

/* HTML character references in JSON articles' text (charref.c). */
static void
char_references(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"مقتل &quot;أبو محمد&quot; &ndash; تقرير",
         "مقتل \"أبو محمد\" \xe2\x80\x93 تقرير"},
        {"&#8220;نعم&#8221; &#x27;a&#X27; &nbsp;x",
         "\xe2\x80\x9cنعم\xe2\x80\x9d 'a' \xc2\xa0x"},
        {"&#x1F600;", "\xf0\x9f\x98\x80"},
        /* left as they are */
        {"R&D & co &bogus; &amp", "R&D & co &bogus; &amp"},
        {"&#0; &#xD800; &#x110000; &#; &#x; &; &#12a;",
         "&#0; &#xD800; &#x110000; &#; &#x; &; &#12a;"},
        {"&#1; &#x7F; &#x85; &#9;", "&#1; &#x7F; &#x85; \t"},
        {"&aVeryLongNameThatIsNotAnEntityAtAllReally;",
         "&aVeryLongNameThatIsNotAnEntityAtAllReally;"},
        {"tail &amp", "tail &amp"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kh_buf b;
        kh__buf_init(&b);
        assert_int_equal(
            kh__html_unescape(cases[i][0], strlen(cases[i][0]), &b), KH_OK);
        kh__buf_putc(&b, '\0', &(kh_status){KH_OK});
        assert_string_equal(b.data != NULL ? b.data : "", cases[i][1]);
        kh__buf_release(&b);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rss2),
        cmocka_unit_test(atom),
        cmocka_unit_test(rdf),
        cmocka_unit_test(rss091_latin1),
        cmocka_unit_test(windows_1256),
        cmocka_unit_test(utf16),
        cmocka_unit_test(empty_and_stop),
        cmocka_unit_test(damaged),
        cmocka_unit_test(entity_bomb),
        cmocka_unit_test(sloppy_ampersands),
        cmocka_unit_test(relative_links),
        cmocka_unit_test(not_feeds),
        cmocka_unit_test(out_of_memory),
        cmocka_unit_test(rfc822),
        cmocka_unit_test(char_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
