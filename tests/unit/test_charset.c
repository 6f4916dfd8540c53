/*
 * test_charset.c -- kh_to_utf8 (src/ingest/charset.c): labels, BOMs,
 * <meta> and XML declarations, detection of windows-1256 against
 * ISO-8859-6 on real Arabic text, wrong labels, U+FFFD for bad bytes,
 * out-of-memory.
 *
 * The legacy inputs are made here with iconv from UTF-8 text, so every
 * test checks a round trip: what comes out must be the text that went in.
 */
#include "testutil.h"

#include "kh_int.h"

#include <iconv.h>

/* Arabic news prose written for these tests (no Persian letters, no
 * Arabic digits: everything ISO-8859-6 can hold too). */
static const char ar_text[] =
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة الرياض، "
    "ويضم المستشفى ثلاثمائة سرير وقسما للطوارئ يعمل على مدار الساعة. "
    "وقال المتحدث باسم الوزارة إن المشروع يأتي ضمن خطة لتوسيع الخدمات "
    "الصحية في المناطق الشمالية والجنوبية خلال العامين المقبلين.";

static const char ar_title[] = "ارتفاع أسعار النفط";

/* s converted from UTF-8 to the iconv charset to, in a malloc'd string. */
static char *
encode(const char *s, const char *to, size_t *out_len)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t il = strlen(s), cap = il * 4 + 4, ol = cap;
    char *out = malloc(cap), *op = out, *ip = (char *)s;
    assert_non_null(out);
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    *out_len = cap - ol;
    return out;
}

/* Converts in[0..len) from an exactly sized copy and checks the result
 * and the charset used. */
static void
check_len(const char *in, size_t len, const char *label, const char *expected,
          const char *expected_used)
{
    char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, in, len);
    char *out = NULL;
    size_t out_len = 0;
    const char *used = NULL;
    kh_error err;
    assert_int_equal(kh_to_utf8(copy, len, label, &out, &out_len, &used, &err),
                     KH_OK);
    free(copy);
    assert_non_null(out);
    assert_int_equal(out[out_len], '\0');
    assert_int_equal(strlen(out), out_len);
    assert_string_equal(out, expected);
    assert_string_equal(used, expected_used);
    kh_free(out);
}

/* Encodes the UTF-8 text s into the iconv charset to, optionally inside
 * a prefix and suffix, and checks that it comes back as s. */
static void
check_roundtrip(const char *prefix, const char *s, const char *suffix,
                const char *to, const char *label, const char *expected_used)
{
    size_t n;
    char *enc = encode(s, to, &n);
    size_t pl = strlen(prefix), sl = strlen(suffix);
    char *in = malloc(pl + n + sl);
    assert_non_null(in);
    memcpy(in, prefix, pl);
    memcpy(in + pl, enc, n);
    memcpy(in + pl + n, suffix, sl);
    char *want = malloc(pl + strlen(s) + sl + 1);
    assert_non_null(want);
    sprintf(want, "%s%s%s", prefix, s, suffix);
    check_len(in, pl + n + sl, label, want, expected_used);
    free(want);
    free(in);
    free(enc);
}

static void
utf8_stays(void **state)
{
    (void)state;
    check_len(ar_text, strlen(ar_text), NULL, ar_text, "utf-8");
    check_len(ar_text, strlen(ar_text), "utf-8", ar_text, "utf-8");
    check_len("plain ascii", 11, NULL, "plain ascii", "utf-8");
    check_len("", 0, NULL, "", "utf-8");
    check_len("", 0, "windows-1256", "", "windows-1256");
    /* The BOM goes, the text stays. */
    char with_bom[256];
    snprintf(with_bom, sizeof with_bom, "\xEF\xBB\xBF%s", ar_title);
    check_len(with_bom, strlen(with_bom), NULL, ar_title, "utf-8");
    /* A BOM beats a label. */
    check_len(with_bom, strlen(with_bom), "windows-1256", ar_title, "utf-8");
}

static void
detects_windows_1256(void **state)
{
    (void)state;
    check_roundtrip("", ar_text, "", "WINDOWS-1256", NULL, "windows-1256");
    check_roundtrip("", ar_title, "", "WINDOWS-1256", NULL, "windows-1256");
    check_roundtrip("<html><body><p>", ar_text, "</p></body></html>",
                    "WINDOWS-1256", NULL, "windows-1256");
    /* Letters only windows-1256 has (Persian peh, gaf). */
    check_roundtrip("", "پژوهش گروه", "", "WINDOWS-1256", NULL, "windows-1256");
}

static void
detects_iso_8859_6(void **state)
{
    (void)state;
    check_roundtrip("", ar_text, "", "ISO-8859-6", NULL, "iso-8859-6");
    check_roundtrip("", ar_title, "", "ISO-8859-6", NULL, "iso-8859-6");
    check_roundtrip("<p>", ar_text, "</p>", "ISO-8859-6", NULL, "iso-8859-6");
    /* Two short words that only the article tells apart. */
    check_roundtrip("", "الحرب الباردة", "", "ISO-8859-6", NULL, "iso-8859-6");
    check_roundtrip("", "الحرب الباردة", "", "WINDOWS-1256", NULL,
                    "windows-1256");
}

static void
article_both_ways(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/../shared/examples/article.txt",
             tu_srcdir());
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        skip();
        return;
    }
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* Keep what both Arabic charsets can hold: Arabic letters, ASCII. */
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)text[i];
        size_t l = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        int keep =
            c < 0x80 || (l == 2 && (c == 0xD8 || c == 0xD9) && i + 1 < n &&
                         (unsigned char)text[i + 1] >= 0x80 &&
                         !(c == 0xD9 &&
                           (unsigned char)text[i + 1] >= 0xA0)); /* no digits */
        if (keep && c == 0xD8 && (unsigned char)text[i + 1] < 0x8C)
            keep = 0; /* no Arabic signs ISO-8859-6 lacks */
        if (keep) {
            memmove(text + k, text + i, l);
            k += l;
        }
        i += l;
    }
    text[k] = '\0';
    assert_true(k > 1000);
    check_roundtrip("", text, "", "WINDOWS-1256", NULL, "windows-1256");
    check_roundtrip("", text, "", "ISO-8859-6", NULL, "iso-8859-6");
}

static void
labels(void **state)
{
    (void)state;
    check_roundtrip("", ar_title, "", "WINDOWS-1256", "cp1256", "windows-1256");
    check_roundtrip("", ar_title, "", "WINDOWS-1256",
                    "text/html; charset=\"Windows-1256\"", "windows-1256");
    check_roundtrip("", ar_title, "", "ISO-8859-6", " ARABIC ", "iso-8859-6");
    check_roundtrip("", ar_title, "", "ISO-8859-6", "iso-8859-6-i",
                    "iso-8859-6");
    /* WHATWG: latin1 is windows-1252, so 0x80 is the euro sign. */
    check_len("5 \x80 caf\xE9", 8, "ISO-8859-1", "5 € café", "windows-1252");
    check_len("caf\xE9", 4, "latin1", "café", "windows-1252");
    check_len("\xC7\xE1", 2, "utf8", "ال", "windows-1256"); /* wrong */
    /* An unknown label is as good as none. */
    check_roundtrip("", ar_text, "", "ISO-8859-6", "x-no-such-charset",
                    "iso-8859-6");
}

static void
wrong_labels(void **state)
{
    (void)state;
    /* Declared UTF-8, sent in windows-1256. */
    check_roundtrip("", ar_text, "", "WINDOWS-1256", "utf-8", "windows-1256");
    check_roundtrip("<meta charset=utf-8>", ar_text, "", "WINDOWS-1256", NULL,
                    "windows-1256");
    /* Declared windows-1256, sent in UTF-8. */
    check_len(ar_text, strlen(ar_text), "windows-1256", ar_text, "utf-8");
    check_len(ar_text, strlen(ar_text), "iso-8859-1", ar_text, "utf-8");
    /* UTF-16 declared on ASCII-compatible bytes. */
    check_len("<meta charset=utf-16>abc", 24, NULL, "<meta charset=utf-16>abc",
              "utf-8");
}

/* Checks prefix + bytes + suffix against prefix + want + suffix. */
static void
check_doc(const char *prefix, const char *bytes, const char *suffix,
          const char *label, const char *want, const char *expected_used)
{
    char doc[512], expected[512];
    snprintf(doc, sizeof doc, "%s%s%s", prefix, bytes, suffix);
    snprintf(expected, sizeof expected, "%s%s%s", prefix, want, suffix);
    check_len(doc, strlen(doc), label, expected, expected_used);
}

static void
markup_labels(void **state)
{
    (void)state;
    /* Bytes that read as Arabic in both charsets, differently: detection
     * alone takes windows-1256. */
    const char *amb = "\xC8\xE4\xC7";
    const char *as_1256 = "بنا", *as_88596 = "بلا";
    check_doc("", amb, "", NULL, as_1256, "windows-1256");
    check_doc("<!doctype html><html><head><!-- <meta charset=koi8-r> -->"
              "<meta name=x content=y><meta charset='ISO-8859-6'></head>"
              "<body>",
              amb, "</body></html>", NULL, as_88596, "iso-8859-6");
    /* The HTTP label wins over the markup. */
    check_doc("<meta charset=iso-8859-6>", amb, "", "windows-1256", as_1256,
              "windows-1256");
    check_doc("<meta charset=windows-1256>", amb, "", "iso-8859-6", as_88596,
              "iso-8859-6");
    /* http-equiv with its content attribute. */
    check_doc("<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; "
              "charset=iso-8859-6\">",
              amb, "", NULL, as_88596, "iso-8859-6");
    /* A content attribute without http-equiv says nothing. */
    check_doc("<meta name=description content=\"charset=iso-8859-6\">", amb, "",
              NULL, as_1256, "windows-1256");
    /* XML declaration. */
    check_doc("<?xml version=\"1.0\" encoding=\"ISO-8859-6\"?><t>", amb, "</t>",
              NULL, as_88596, "iso-8859-6");
    check_doc("<?xml version='1.0' encoding='arabic' ?><t>", amb, "</t>", NULL,
              as_88596, "iso-8859-6");
}

static void
latin_text(void **state)
{
    (void)state;
    const char *fr = "Le pr\xE9sident fran\xE7"
                     "ais a d\xE9"
                     "clar\xE9 \xE0 la t\xE9l\xE9vision";
    check_len(fr, strlen(fr), NULL,
              "Le président français a déclaré à la télévision",
              "windows-1252");
}

static void
bad_bytes(void **state)
{
    (void)state;
    /* UTF-8 with a damaged byte and a cut-off character stays UTF-8. */
    char in[1024];
    snprintf(in, sizeof in, "%s\xFF%s\xD8", ar_title, ar_title);
    char want[1024];
    snprintf(want, sizeof want, "%s\xEF\xBF\xBD%s\xEF\xBF\xBD", ar_title,
             ar_title);
    check_len(in, strlen(in), NULL, want, "utf-8");
    check_len(in, strlen(in), "utf-8", want, "utf-8");
    /* A truncated three-byte sequence is one U+FFFD, as in browsers. */
    snprintf(in, sizeof in, "%s\xE2\x80%s", ar_title, ar_title);
    snprintf(want, sizeof want, "%s\xEF\xBF\xBD%s", ar_title, ar_title);
    check_len(in, strlen(in), NULL, want, "utf-8");
    /* Surrogates and overlong forms are invalid. */
    snprintf(in, sizeof in, "%s\xED\xA0\x80\xC0\xAF%s", ar_title, ar_title);
    snprintf(want, sizeof want,
             "%s\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
             "\xEF\xBF\xBD\xEF\xBF\xBD%s",
             ar_title, ar_title);
    check_len(in, strlen(in), NULL, want, "utf-8");
    /* Bytes ISO-8859-6 does not define. */
    check_len("\xC7\xA1\xC8", 3, "iso-8859-6", "ا\xEF\xBF\xBDب", "iso-8859-6");
    /* UTF-16 cut in the middle of a unit. */
    check_len("\xFF\xFE\x27\x06\x44", 5, NULL, "ا\xEF\xBF\xBD", "utf-16le");
    /* Binary junk does not fail. */
    unsigned char junk[600];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 11);
    char *out = NULL;
    size_t n;
    const char *used = NULL;
    assert_int_equal(kh_to_utf8((const char *)junk, sizeof junk, NULL, &out, &n,
                                &used, NULL),
                     KH_OK);
    assert_non_null(used);
    kh_free(out);
}

static void
utf16(void **state)
{
    (void)state;
    size_t n;
    char *le = encode(ar_title, "UTF-16LE", &n);
    char buf[256] = "\xFF\xFE";
    memcpy(buf + 2, le, n);
    check_len(buf, n + 2, NULL, ar_title, "utf-16le");
    check_len(buf, n + 2, "windows-1256", ar_title, "utf-16le");
    free(le);
    char *be = encode(ar_title, "UTF-16BE", &n);
    memcpy(buf, "\xFE\xFF", 2);
    memcpy(buf + 2, be, n);
    check_len(buf, n + 2, NULL, ar_title, "utf-16be");
    check_len(be, n, "utf-16be", ar_title, "utf-16be"); /* no BOM */
    free(be);
}

static void
out_of_memory(void **state)
{
    (void)state;
    size_t n;
    char *enc = encode(ar_text, "WINDOWS-1256", &n);
    for (long k = 0; k < 5; k++) {
        char *out = (char *)&out;
        kh_error err;
        kh__alloc_fail_after(k);
        kh_status rc = kh_to_utf8(enc, n, NULL, &out, NULL, NULL, &err);
        kh__alloc_fail_after(-1);
        if (rc == KH_OK) {
            kh_free(out);
            break;
        }
        assert_int_equal(rc, KH_ENOMEM);
        assert_true(out == (char *)&out); /* untouched */
        assert_non_null(strstr(err.message, "out of memory"));
    }
    free(enc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_stays),
        cmocka_unit_test(detects_windows_1256),
        cmocka_unit_test(detects_iso_8859_6),
        cmocka_unit_test(article_both_ways),
        cmocka_unit_test(labels),
        cmocka_unit_test(wrong_labels),
        cmocka_unit_test(markup_labels),
        cmocka_unit_test(latin_text),
        cmocka_unit_test(bad_bytes),
        cmocka_unit_test(utf16),
        cmocka_unit_test(out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
