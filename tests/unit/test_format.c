/*
 * test_format.c -- kh_detect_format (src/ingest/format.c): each format
 * behind the prologues real files have (BOM, XML declaration, comments,
 * doctype), the edges between them, binary junk.
 *
 * Inputs are detected from exactly sized heap copies so that AddressSanitizer
 * catches a read past the end.
 */
#include "testutil.h"

static kh_format
detect_len(const char *s, size_t len)
{
    char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, s, len);
    kh_format f = kh_detect_format(copy, len);
    free(copy);
    return f;
}

#define check(s, expected)                                                     \
    assert_string_equal(kh_format_name(detect_len((s), sizeof(s) - 1)),        \
                        kh_format_name(expected))

static void
jsonl(void **state)
{
    (void)state;
    check("{\"id\":\"a\",\"title\":\"x\"}\n{\"id\":\"b\"}\n", KH_FMT_JSONL);
    check("\xEF\xBB\xBF  \n{\"id\":1}", KH_FMT_JSONL);
    /* a JSON array of articles; a bracket before text is text */
    check("[\n  {\"id\":\"a\"},\n  {\"id\":\"b\"}\n]\n", KH_FMT_JSONL);
    check("[]", KH_FMT_JSONL);
    check("[تحديث] خبر عاجل\nنص الخبر", KH_FMT_TEXT);
}

static void
warc(void **state)
{
    (void)state;
    check("WARC/1.0\r\nWARC-Type: warcinfo\r\n", KH_FMT_WARC);
    check("WARC/1.1\r\n", KH_FMT_WARC);
    check("WARC/2.0\r\n", KH_FMT_TEXT);
}

static void
html(void **state)
{
    (void)state;
    check("<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\"><head>", KH_FMT_HTML);
    check("<!doctype html>", KH_FMT_HTML);
    check("<html>", KH_FMT_HTML);
    check("\n  <!-- cached --> <HEAD><title>x</title>", KH_FMT_HTML);
    check("<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD "
          "XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/"
          "xhtml1-strict.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">",
          KH_FMT_HTML);
    check("<div class=\"article\"><p>نص</p></div>", KH_FMT_HTML);
    check("<custom-tag>x</custom-tag><body>", KH_FMT_HTML);
}

static void
rss(void **state)
{
    (void)state;
    check("<?xml version=\"1.0\" encoding=\"windows-1256\"?>\n"
          "<?xml-stylesheet type=\"text/xsl\" href=\"rss.xsl\"?>\n"
          "<!-- generated -->\n<rss version=\"2.0\"><channel>",
          KH_FMT_RSS);
    check("<rss version=\"0.91\">", KH_FMT_RSS);
    check("<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/"
          "1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">",
          KH_FMT_RSS);
    check("<!DOCTYPE rss [<!ENTITY nbsp \"&#160;\">]>\n<rss>", KH_FMT_RSS);
    /* UTF-16 with a BOM. */
    check("\xFF\xFE<\0r\0s\0s\0>\0", KH_FMT_RSS);
}

static void
atom(void **state)
{
    (void)state;
    check("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
          "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ar\">",
          KH_FMT_ATOM);
    check("<atom:feed xmlns:atom=\"http://www.w3.org/2005/Atom\">",
          KH_FMT_ATOM);
    /* A <feed> of some other vocabulary is not Atom. */
    check("<feed><entry/></feed>", KH_FMT_UNKNOWN);
    /* Nor is XML that is no feed. */
    check("<?xml version=\"1.0\"?><urlset><url/></urlset>", KH_FMT_UNKNOWN);
}

static void
text(void **state)
{
    (void)state;
    check("عنوان الخبر\n\nنص الخبر في سطرين.\n", KH_FMT_TEXT);
    check("Title\n\nBody text.", KH_FMT_TEXT);
    check("\xC7\xE1\xCD\xDF\xE6\xE3\xC9 \xC7\xE1\xD3\xDA\xE6\xCF\xED\xC9",
          KH_FMT_TEXT); /* windows-1256 */
    check("<3 is not a tag", KH_FMT_TEXT);
    /* A character cut by the end of a long head is still text. */
    static char big[9001];
    big[0] = 'x';
    for (size_t i = 1; i + 1 < sizeof big; i += 2)
        memcpy(big + i, "\xD8\xA7", 2);
    assert_int_equal(detect_len(big, sizeof big - 1), KH_FMT_TEXT);
}

static void
junk(void **state)
{
    (void)state;
    check("", KH_FMT_UNKNOWN);
    check("   \n", KH_FMT_UNKNOWN);
    check("\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\x03\xED\xBD", KH_FMT_UNKNOWN);
    check("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\0\0", KH_FMT_UNKNOWN);
    check("<!-- a comment that never ends", KH_FMT_UNKNOWN);
    check("<?xml version=\"1.0\"", KH_FMT_UNKNOWN);
    unsigned char noise[4000];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof noise; i++) {
        x = x * 1103515245u + 12345u;
        noise[i] = (unsigned char)(x >> 16);
    }
    assert_int_equal(detect_len((const char *)noise, sizeof noise),
                     KH_FMT_UNKNOWN);
}

static void
names(void **state)
{
    (void)state;
    assert_string_equal(kh_format_name(KH_FMT_UNKNOWN), "unknown");
    assert_string_equal(kh_format_name(KH_FMT_JSONL), "jsonl");
    assert_string_equal(kh_format_name(KH_FMT_HTML), "html");
    assert_string_equal(kh_format_name(KH_FMT_RSS), "rss");
    assert_string_equal(kh_format_name(KH_FMT_ATOM), "atom");
    assert_string_equal(kh_format_name(KH_FMT_WARC), "warc");
    assert_string_equal(kh_format_name(KH_FMT_TEXT), "text");
    assert_string_equal(kh_format_name((kh_format)99), "unknown");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jsonl), cmocka_unit_test(warc),
        cmocka_unit_test(html),  cmocka_unit_test(rss),
        cmocka_unit_test(atom),  cmocka_unit_test(text),
        cmocka_unit_test(junk),  cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
