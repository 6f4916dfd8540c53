/*
 * test_warc.c -- the WARC reader (src/ingest/warc.c) on the fixtures of
 * tests/data/warc/ (made by make_fixtures.py there) and on small streams
 * built here: plain, gzip per record and whole-file gzip give the same
 * records; HTTP status, content type, chunked bodies, gzip and deflate
 * bodies; damaged records with their offsets and the records after them;
 * truncated gzip; the size limit, also against an inflation bomb.
 */
#include "testutil.h"

#include "kh_int.h"

#include <zlib.h>

static FILE *
open_fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/warc/%s", tu_srcdir(), name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    return f;
}

static char *
slurp(const char *name, size_t *len)
{
    FILE *f = open_fixture(name);
    static char buf[1 << 16];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static int64_t
iso(const char *s)
{
    int64_t t;
    assert_int_equal(kh_date_parse(s, strlen(s), &t), KH_OK);
    return t;
}

static void
assert_payload(const kh_warc_record *r, const char *expected)
{
    if (r->payload_len != strlen(expected) ||
        memcmp(r->payload, expected, r->payload_len) != 0)
        fail_msg("payload [%.*s], expected [%s]", (int)r->payload_len,
                 r->payload, expected);
}

static kh_status
next(kh_warc *w, kh_warc_record *r, kh_error *err)
{
    memset(err, 0, sizeof *err);
    return kh_warc_next(w, r, err);
}

/* The seven records every form of plain.warc holds. */
static void
check_plain_records(const char *name)
{
    FILE *f = open_fixture(name);
    kh_warc *w = NULL;
    kh_error err;
    kh_warc_record r;
    assert_int_equal(kh_warc_open(f, 0, &w, &err), KH_OK);

    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.type, "warcinfo");
    assert_null(r.target_uri);
    assert_true(r.date == iso("2022-09-27T10:00:00Z"));
    assert_int_equal(r.http_status, 0);
    assert_string_equal(r.content_type, "application/warc-fields");
    assert_payload(&r, "software: khabar-tests\r\nformat: WARC File Format "
                       "1.0\r\n");
    assert_int_equal(r.truncated, 0);

    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.type, "request");
    assert_string_equal(r.target_uri, "https://news.example.com/a.html");
    assert_int_equal(r.http_status, 0); /* requests are not responses */
    assert_string_equal(r.content_type, "application/http; msgtype=request");
    assert_payload(&r,
                   "GET /a.html HTTP/1.1\r\nHost: news.example.com\r\n\r\n");

    /* Chunked (with extensions and a trailer), windows-1256 bytes. */
    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.type, "response");
    assert_int_equal(r.http_status, 200);
    assert_string_equal(r.content_type, "text/html; charset=windows-1256");
    char *html = NULL;
    const char *used = NULL;
    assert_int_equal(kh_to_utf8(r.payload, r.payload_len, r.content_type, &html,
                                NULL, &used, &err),
                     KH_OK);
    assert_string_equal(used, "windows-1256");
    assert_string_equal(html, "<html><head><meta charset=\"windows-1256\">"
                              "<title>خبر</title></head><body><p>افتتاح "
                              "مستشفى جديد في الرياض</p></body></html>");
    kh_free(html);

    /* Content-Encoding gzip; the URI in angle brackets. */
    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.target_uri, "https://news.example.com/b.html");
    assert_true(r.date == iso("2022-09-27T10:00:05Z"));
    assert_int_equal(r.http_status, 200);
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    assert_payload(&r, "<p>مرحبا</p>");

    /* Chunked, then raw deflate. */
    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_int_equal(r.http_status, 404);
    assert_string_equal(r.content_type, "text/plain");
    assert_payload(&r, "not here");

    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.type, "resource");
    assert_string_equal(r.target_uri, "file:///notes.txt");
    assert_string_equal(r.content_type, "text/plain; charset=utf-8");
    assert_true(r.date == iso("2022-09-28T00:00:00Z"));
    assert_payload(&r, "ملاحظة");

    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.type, "metadata");
    assert_int_equal(r.payload_len, 0);

    assert_int_equal(next(w, &r, &err), KH_ENOTFOUND);
    assert_int_equal(next(w, &r, &err), KH_ENOTFOUND);
    kh_warc_close(w);
    fclose(f);
}

static void
plain(void **state)
{
    (void)state;
    check_plain_records("plain.warc");
}

static void
gzip_per_record(void **state)
{
    (void)state;
    check_plain_records("per-record.warc.gz");
}

static void
gzip_whole_file(void **state)
{
    (void)state;
    check_plain_records("whole.warc.gz");
}

static size_t
offset_of(const char *hay, size_t n, const char *needle)
{
    size_t l = strlen(needle);
    for (size_t i = 0; i + l <= n; i++)
        if (memcmp(hay + i, needle, l) == 0)
            return i;
    fail_msg("%s not in the fixture", needle);
    return 0;
}

static void
damaged_records(void **state)
{
    (void)state;
    size_t len;
    const char *bytes = slurp("damaged.warc", &len);
    FILE *f = open_fixture("damaged.warc");
    kh_warc *w = NULL;
    kh_error err;
    kh_warc_record r;
    assert_int_equal(kh_warc_open(f, 0, &w, &err), KH_OK);

    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.target_uri, "urn:x:0");

    assert_int_equal(next(w, &r, &err), KH_ECORRUPT);
    assert_true(err.has_offset);
    assert_int_equal(err.offset,
                     offset_of(bytes, len, "Content-Length: 12abc"));
    assert_non_null(strstr(err.message, "bad Content-Length \"12abc\""));

    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.target_uri, "urn:x:1");
    assert_payload(&r, "good 1");

    assert_int_equal(next(w, &r, &err), KH_ECORRUPT);
    assert_int_equal(err.offset, offset_of(bytes, len, "GARBAGE LINE"));
    assert_non_null(strstr(err.message, "GARBAGE LINE"));

    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.target_uri, "urn:x:2");

    /* Content-Length 4 on a 10-byte block: the reader takes 4 bytes ... */
    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.target_uri, "urn:bad:3");
    assert_payload(&r, "0123");
    /* ... and the rest is junk where a record should start. */
    assert_int_equal(next(w, &r, &err), KH_ECORRUPT);
    assert_int_equal(err.offset, offset_of(bytes, len, "456789"));

    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.target_uri, "urn:x:3");
    assert_int_equal(next(w, &r, &err), KH_ENOTFOUND);
    kh_warc_close(w);
    fclose(f);
}

static void
damaged_gzip(void **state)
{
    (void)state;
    FILE *f = open_fixture("damaged.warc.gz");
    kh_warc *w = NULL;
    kh_error err;
    kh_warc_record r;
    assert_int_equal(kh_warc_open(f, 0, &w, &err), KH_OK);
    char seen[256] = "";
    int errors = 0;
    kh_status rc;
    for (int i = 0; i < 20 && (rc = next(w, &r, &err)) != KH_ENOTFOUND; i++) {
        if (rc == KH_OK) {
            strcat(seen, r.target_uri);
            strcat(seen, " ");
        } else {
            assert_int_equal(rc, KH_ECORRUPT);
            assert_true(err.has_offset);
            errors++;
        }
    }
    assert_int_equal(rc, KH_ENOTFOUND);
    assert_string_equal(seen, "urn:x:0 urn:x:2 urn:x:3 ");
    assert_int_equal(errors, 1);
    kh_warc_close(w);
    fclose(f);
}

static void
truncated_gzip(void **state)
{
    (void)state;
    FILE *f = open_fixture("truncated.warc.gz");
    kh_warc *w = NULL;
    kh_error err;
    kh_warc_record r;
    assert_int_equal(kh_warc_open(f, 0, &w, &err), KH_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(next(w, &r, &err), KH_OK);
    assert_string_equal(r.type, "resource");
    assert_int_equal(next(w, &r, &err), KH_ECORRUPT);
    assert_non_null(strstr(err.message, "truncated gzip"));
    assert_int_equal(next(w, &r, &err), KH_ENOTFOUND);
    kh_warc_close(w);
    fclose(f);
}

static void
size_limit(void **state)
{
    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        FILE *f = open_fixture("big.warc.gz");
        kh_warc *w = NULL;
        kh_error err;
        kh_warc_record r;
        assert_int_equal(kh_warc_open(f, pass == 0 ? 1000 : 0, &w, &err),
                         KH_OK);
        assert_int_equal(next(w, &r, &err), KH_OK);
        assert_string_equal(r.target_uri, "urn:x:0");
        assert_int_equal(next(w, &r, &err), KH_OK);
        assert_string_equal(r.target_uri, "urn:big");
        if (pass == 0) {
            assert_int_equal(r.truncated, 1);
            assert_int_equal(r.payload_len, 0);
        } else {
            assert_int_equal(r.truncated, 0);
            assert_int_equal(r.payload_len, 300000);
            assert_true(r.payload[0] == 'A' && r.payload[299999] == 'A');
        }
        assert_int_equal(next(w, &r, &err), KH_OK);
        assert_string_equal(r.target_uri, "urn:x:1");
        assert_int_equal(next(w, &r, &err), KH_ENOTFOUND);
        kh_warc_close(w);
        fclose(f);
    }
}

/* Reads a WARC held in memory, calling next() up to max times, and
 * writes what came back into out: "ok:<uri or type>" or "corrupt@<off>",
 * space-separated. */
static void
read_mem(const char *data, size_t len, size_t max_record, char *out, size_t cap)
{
    FILE *f = fmemopen((void *)data, len, "rb");
    assert_non_null(f);
    kh_warc *w = NULL;
    kh_error err;
    kh_warc_record r;
    assert_int_equal(kh_warc_open(f, max_record, &w, &err), KH_OK);
    out[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < 50; i++) {
        kh_status rc = next(w, &r, &err);
        if (rc == KH_ENOTFOUND)
            break;
        int n;
        if (rc == KH_OK)
            n = snprintf(out + used, cap - used, "%sok:%s", used ? " " : "",
                         r.target_uri ? r.target_uri : r.type);
        else
            n = snprintf(out + used, cap - used, "%s%s@%zu", used ? " " : "",
                         rc == KH_ECORRUPT ? "corrupt" : "error", err.offset);
        assert_true(n > 0 && (size_t)n < cap - used);
        used += (size_t)n;
    }
    kh_warc_close(w);
    fclose(f);
}

#define check_mem(data, max, expected)                                         \
    do {                                                                       \
        char got_[512];                                                        \
        read_mem((data), sizeof(data) - 1, (max), got_, sizeof got_);          \
        assert_string_equal(got_, (expected));                                 \
    } while (0)

static void
junk_and_edges(void **state)
{
    (void)state;
    char got[512];
    read_mem("", 0, 0, got, sizeof got);
    assert_string_equal(got, "");
    check_mem("hello world\nthis is no WARC\n", 0, "corrupt@0");
    check_mem("\x1F\x8B\x08\x00garbage that is not deflate", 0, "corrupt@0");
    /* The block runs past the end of the file. */
    check_mem("WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 100\r\n\r\n"
              "short",
              0, "corrupt@59");
    /* No Content-Length. */
    check_mem("WARC/1.0\r\nWARC-Type: resource\r\n\r\nx\r\n\r\n"
              "WARC/1.1\nWARC-Type: resource\nWARC-Target-URI: u:2\n"
              "Content-Length: 1\n\ny\n\n",
              0, "corrupt@0 ok:u:2");
    /* Bare LF line ends, a continuation line, WARC/1.1. */
    check_mem("WARC/1.1\nWARC-Type: resource\nX-Folded: a\n  b\n"
              "WARC-Target-URI: u:1\nContent-Length: 0\n\n\n\n",
              0, "ok:u:1");
    /* A header line over the limit. */
    static char long_line[70000];
    memcpy(long_line, "WARC/1.0\r\nX: ", 13);
    memset(long_line + 13, 'x', sizeof long_line - 13);
    read_mem(long_line, sizeof long_line, 0, got, sizeof got);
    assert_string_equal(got, "corrupt@10");
}

static void
http_edges(void **state)
{
    (void)state;
    /* A response record whose block is not HTTP: the block, no type. */
    static const char not_http[] =
        "WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http\r\n"
        "Content-Length: 5\r\n\r\nhello\r\n\r\n";
    FILE *f = fmemopen((void *)not_http, sizeof not_http - 1, "rb");
    kh_warc *w;
    kh_error err;
    kh_warc_record r;
    assert_int_equal(kh_warc_open(f, 0, &w, &err), KH_OK);
    assert_int_equal(next(w, &r, &err), KH_OK);
    assert_int_equal(r.http_status, 0);
    assert_null(r.content_type);
    assert_payload(&r, "hello");
    kh_warc_close(w);
    fclose(f);

    /* A gzip body that inflates to 1 MB, read with a 64 KB limit. */
    static unsigned char zeros[1 << 20];
    unsigned char packed[8192];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(
        deflateInit2(&zs, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = zeros;
    zs.avail_in = sizeof zeros;
    zs.next_out = packed;
    zs.avail_out = sizeof packed;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t plen = sizeof packed - zs.avail_out;
    deflateEnd(&zs);
    static char doc[16384];
    const char *http = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                       "Content-Type: text/html\r\n\r\n";
    int n = snprintf(doc, sizeof doc,
                     "WARC/1.0\r\nWARC-Type: response\r\nContent-Type: "
                     "application/http; msgtype=response\r\nContent-Length: "
                     "%zu\r\n\r\n%s",
                     strlen(http) + plen, http);
    memcpy(doc + n, packed, plen);
    memcpy(doc + n + plen, "\r\n\r\n", 4);
    size_t dlen = (size_t)n + plen + 4;
    for (int pass = 0; pass < 2; pass++) {
        f = fmemopen(doc, dlen, "rb");
        assert_int_equal(kh_warc_open(f, pass == 0 ? 65536 : 0, &w, &err),
                         KH_OK);
        assert_int_equal(next(w, &r, &err), KH_OK);
        assert_int_equal(r.http_status, 200);
        assert_string_equal(r.content_type, "text/html");
        if (pass == 0) {
            assert_int_equal(r.truncated, 1);
            assert_int_equal(r.payload_len, 0);
        } else {
            assert_int_equal(r.truncated, 0);
            assert_int_equal(r.payload_len, sizeof zeros);
        }
        assert_int_equal(next(w, &r, &err), KH_ENOTFOUND);
        kh_warc_close(w);
        fclose(f);
    }
}

static void
out_of_memory(void **state)
{
    (void)state;
    int ok = 0;
    for (long k = 0; k < 100 && !ok; k++) {
        FILE *f = open_fixture("per-record.warc.gz");
        kh_warc *w = NULL;
        kh_error err;
        kh_warc_record r;
        kh__alloc_fail_after(k);
        kh_status rc = kh_warc_open(f, 0, &w, &err);
        int records = 0;
        while (rc == KH_OK && (rc = kh_warc_next(w, &r, &err)) == KH_OK)
            records++;
        kh__alloc_fail_after(-1);
        kh_warc_close(w);
        fclose(f);
        if (rc == KH_ENOTFOUND && records == 7)
            ok = 1;
        else
            assert_int_equal(rc, KH_ENOMEM);
    }
    assert_true(ok);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain),           cmocka_unit_test(gzip_per_record),
        cmocka_unit_test(gzip_whole_file), cmocka_unit_test(damaged_records),
        cmocka_unit_test(damaged_gzip),    cmocka_unit_test(truncated_gzip),
        cmocka_unit_test(size_limit),      cmocka_unit_test(junk_and_edges),
        cmocka_unit_test(http_edges),      cmocka_unit_test(out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
