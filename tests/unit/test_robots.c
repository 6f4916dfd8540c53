/*
 * test_robots.c -- robots.txt rules (src/ingest/robots.c): group choice,
 * longest match with "*" and "$", Allow winning ties, percent-encoding,
 * Crawl-delay, junk, the fixed allow-all / deny-all rules, out of memory.
 * Expectations follow RFC 9309 and its examples.
 */
#include "testutil.h"

#include "kh_int.h"
#include "ingest/fetch.h"

static kh_robots *
parse(const char *txt)
{
    kh_robots *r = NULL;
    /* An exactly sized copy: the parser must not need the NUL. */
    size_t len = strlen(txt);
    char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, txt, len);
    assert_int_equal(kh__robots_parse(copy, len, "khabar", &r), KH_OK);
    free(copy);
    assert_non_null(r);
    return r;
}

static void
test_groups(void **state)
{
    (void)state;
    /* Our own group wins over "*", whatever the order. */
    kh_robots *r = parse("User-agent: *\n"
                         "Disallow: /\n"
                         "\n"
                         "User-agent: Khabar/0.1\n"
                         "Disallow: /private\n");
    assert_true(kh__robots_allowed(r, "/news/1.html"));
    assert_false(kh__robots_allowed(r, "/private/x"));
    kh__robots_free(r);

    /* Without our group, the "*" group applies. */
    r = parse("User-agent: googlebot\nDisallow: /\n\n"
              "User-agent: *\nDisallow: /tmp/\n");
    assert_true(kh__robots_allowed(r, "/news"));
    assert_false(kh__robots_allowed(r, "/tmp/a"));
    kh__robots_free(r);

    /* Several user-agents share one group; two groups naming us merge. */
    r = parse("user-agent: other\nUSER-AGENT: KHABAR\ndisallow: /a\n\n"
              "User-agent: khabar\nDisallow: /b\n");
    assert_false(kh__robots_allowed(r, "/a"));
    assert_false(kh__robots_allowed(r, "/b/c"));
    assert_true(kh__robots_allowed(r, "/c"));
    kh__robots_free(r);

    /* A rule after the rules of a group, then a user-agent line: a new
     * group; "khabarbot" is not "khabar". */
    r = parse("User-agent: khabarbot\nDisallow: /\n");
    assert_true(kh__robots_allowed(r, "/anything"));
    kh__robots_free(r);

    /* No group at all; rules before any user-agent are ignored. */
    r = parse("Disallow: /\nSitemap: https://x.invalid/s.xml\n");
    assert_true(kh__robots_allowed(r, "/"));
    kh__robots_free(r);
}

static void
test_longest_match(void **state)
{
    (void)state;
    kh_robots *r = parse("User-agent: *\n"
                         "Disallow: /news/\n"
                         "Allow: /news/public/\n"
                         "Disallow: /news/public/draft\n"
                         "Allow: /page\n"
                         "Disallow: /page\n"
                         "Disallow: /*.pdf$\n"
                         "Disallow: /search*q=\n"
                         "Disallow:\n");
    assert_false(kh__robots_allowed(r, "/news/1.html"));
    assert_true(kh__robots_allowed(r, "/news/public/1.html"));
    assert_false(kh__robots_allowed(r, "/news/public/draft-2"));
    assert_true(kh__robots_allowed(r, "/page")); /* a tie: Allow wins */
    assert_false(kh__robots_allowed(r, "/files/a.pdf"));
    assert_true(kh__robots_allowed(r, "/files/a.pdf?x=1")); /* $ anchors */
    assert_false(kh__robots_allowed(r, "/search?lang=ar&q=x"));
    assert_true(kh__robots_allowed(r, "/search?lang=ar"));
    assert_true(kh__robots_allowed(r, "/")); /* empty Disallow: nothing */
    assert_true(kh__robots_allowed(r, "/robots.txt"));
    kh__robots_free(r);

    /* Matching is case-sensitive on paths. */
    r = parse("User-agent: *\nDisallow: /Private\n");
    assert_true(kh__robots_allowed(r, "/private"));
    assert_false(kh__robots_allowed(r, "/Private"));
    kh__robots_free(r);

    /* "Disallow: /" with an Allow for one path. */
    r = parse("User-agent: khabar\nDisallow: /\nAllow: /$\nAllow: /feed\n");
    assert_true(kh__robots_allowed(r, "/"));
    assert_true(kh__robots_allowed(r, "/feed.xml"));
    assert_false(kh__robots_allowed(r, "/x"));
    kh__robots_free(r);
}

static void
test_encoding(void **state)
{
    (void)state;
    /* %7E is "~"; a non-ASCII pattern meets its percent-encoded path. */
    kh_robots *r = parse("User-agent: *\nDisallow: /%7Ejoe/\n"
                         "Disallow: /أخبار/\nDisallow: /a%2fb\n");
    assert_false(kh__robots_allowed(r, "/~joe/index.html"));
    assert_false(kh__robots_allowed(r, "/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/1"));
    assert_false(kh__robots_allowed(r, "/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1/1"));
    assert_false(kh__robots_allowed(r, "/a%2Fb"));
    assert_true(kh__robots_allowed(r, "/a/b")); /* %2F is not "/" */
    kh__robots_free(r);
}

static void
test_delay_and_junk(void **state)
{
    (void)state;
    kh_robots *r = parse("\xef\xbb\xbfUser-agent: *\r\n"
                         "Crawl-delay: 2.5 # seconds\r\n"
                         "Disallow: /x # comment\r\n"
                         "this line is junk\r\n"
                         "\x01\x02:\xff\r\n"
                         "Crawl-delay: soon\r\n");
    assert_true(kh__robots_crawl_delay(r) > 2.49 &&
                kh__robots_crawl_delay(r) < 2.51);
    assert_false(kh__robots_allowed(r, "/x"));
    assert_true(kh__robots_allowed(r, "/y"));
    kh__robots_free(r);

    r = parse("");
    assert_true(kh__robots_allowed(r, "/"));
    assert_true(kh__robots_crawl_delay(r) == 0);
    kh__robots_free(r);

    /* Binary junk never fails and allows everything. */
    char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 7919 % 251);
    assert_int_equal(kh__robots_parse(junk, sizeof junk, "khabar", &r), KH_OK);
    assert_true(kh__robots_allowed(r, "/a"));
    kh__robots_free(r);

    /* A pathological pattern ends quickly. */
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    kh__buf_puts(&b, "User-agent: *\nDisallow: /", &rc);
    for (int i = 0; i < 200; i++)
        kh__buf_puts(&b, "*a", &rc);
    kh__buf_puts(&b, "b$\n", &rc);
    assert_int_equal(rc, KH_OK);
    r = parse(b.data);
    char path[3001];
    path[0] = '/';
    memset(path + 1, 'a', sizeof path - 2);
    path[sizeof path - 1] = '\0';
    assert_true(kh__robots_allowed(r, path));
    kh__robots_free(r);
    kh__buf_release(&b);
}

static void
test_fixed(void **state)
{
    (void)state;
    kh_robots *r;
    assert_int_equal(kh__robots_new_all(1, &r), KH_OK);
    assert_true(kh__robots_allowed(r, "/anything"));
    kh__robots_free(r);
    assert_int_equal(kh__robots_new_all(0, &r), KH_OK);
    assert_false(kh__robots_allowed(r, "/anything"));
    assert_false(kh__robots_allowed(r, "/robots.txt"));
    kh__robots_free(r);
    kh__robots_free(NULL);
}

static void
test_oom(void **state)
{
    (void)state;
    const char *txt = "User-agent: *\nDisallow: /a\nAllow: /a/b\n"
                      "User-agent: khabar\nDisallow: /c\n";
    int ok = 0;
    for (long n = 0; n < 100 && !ok; n++) {
        kh_robots *r = NULL;
        kh__alloc_fail_after(n);
        kh_status rc = kh__robots_parse(txt, strlen(txt), "khabar", &r);
        kh__alloc_fail_after(-1);
        if (rc == KH_OK) {
            assert_false(kh__robots_allowed(r, "/c"));
            kh__robots_free(r);
            ok = 1;
        } else {
            assert_int_equal(rc, KH_ENOMEM);
            assert_null(r);
        }
    }
    assert_true(ok);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups),   cmocka_unit_test(test_longest_match),
        cmocka_unit_test(test_encoding), cmocka_unit_test(test_delay_and_junk),
        cmocka_unit_test(test_fixed),    cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
