/*
 * fuzz_html.c -- libFuzzer target for the HTML article extractor.
 *
 * The first byte picks the options: bit 0 a fetch URL (one of four hosts,
 * bits 1-2), bit 3 the site model, which lives across inputs so that its
 * learning and forgetting are fuzzed too; bit 4 a declared charset.  The
 * rest is the page, from an exactly sized copy so that a read past its
 * end is caught.  Beyond what the sanitizers catch, the promises of
 * kh_extract_html() are checked: on success a page with a body (maybe
 * empty) and every string valid UTF-8; on KH_EINVAL a message; nothing
 * else but KH_ENOMEM.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "khabar/khabar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kh_sitemodel *model;

/* Every string of a page is NUL-terminated, valid UTF-8. */
static void
check_str(const char *s)
{
    if (s == NULL)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t n = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (n == 0 || (n == 2 && c < 0xC2))
            abort();
        uint32_t cp = n == 1 ? c : c & (0x7Fu >> n);
        for (size_t k = 1; k < n; k++) {
            if ((p[k] & 0xC0) != 0x80)
                abort();
            cp = (cp << 6) | (p[k] & 0x3F);
        }
        if ((n == 3 && cp < 0x800) ||
            (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            abort();
        p += n;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const urls[] = {
        "https://www.example.com/news/1", "http://news.example.org/a/b?c=d",
        "https://xn--mgbh0fb.example/", "https://a.b.c.example.net:8080/x/"};
    if (size == 0)
        return 0;
    if (model == NULL && kh_sitemodel_new(&model) != KH_OK)
        return 0;
    kh_extract_options o = {NULL, NULL, NULL};
    if (data[0] & 1)
        o.url = urls[(data[0] >> 1) & 3];
    if (data[0] & 8)
        o.sites = model;
    if (data[0] & 16)
        o.charset = "windows-1256";
    size_t len = size - 1;
    char *page = malloc(len > 0 ? len : 1);
    if (page == NULL)
        abort();
    memcpy(page, data + 1, len);
    kh_page *p = NULL;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_extract_html(page, len, &o, &p, &err);
    if (rc == KH_OK) {
        if (p == NULL || p->body == NULL)
            abort();
        check_str(p->title);
        check_str(p->body);
        check_str(p->author);
        check_str(p->url);
        check_str(p->source);
        check_str(p->lang);
        kh_page_free(p);
    } else if (rc == KH_EINVAL) {
        if (p != NULL || err.message[0] == '\0' ||
            memchr(err.message, '\0', sizeof err.message) == NULL)
            abort();
    } else if (rc != KH_ENOMEM) {
        abort();
    }
    free(page);
    return 0;
}
