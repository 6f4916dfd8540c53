/*
 * fuzz_robots.c -- libFuzzer target for the robots.txt parser and matcher
 * (src/ingest/robots.c).
 *
 * The input is split at its first NUL byte: before it the robots.txt
 * (from an exactly sized copy, so that a read past its end is caught),
 * after it a path to check.  Beyond what the sanitizers catch: parsing
 * never fails but for KH_ENOMEM, "/robots.txt" is always allowed, and a
 * path that is allowed stays allowed when asked twice (no hidden state).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kh_int.h"
#include "ingest/fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t tlen = nul != NULL ? (size_t)(nul - data) : size;
    char *txt = malloc(tlen > 0 ? tlen : 1);
    if (txt == NULL)
        abort();
    memcpy(txt, data, tlen);
    size_t plen = nul != NULL ? size - tlen - 1 : 0;
    char *path = malloc(plen + 2);
    if (path == NULL)
        abort();
    path[0] = '/';
    if (plen > 0)
        memcpy(path + 1, nul + 1, plen);
    path[plen + 1] = '\0'; /* an inner NUL just shortens the path */
    kh_robots *r = NULL;
    kh_status rc = kh__robots_parse(txt, tlen, "khabar", &r);
    if (rc == KH_OK) {
        if (r == NULL || !kh__robots_allowed(r, "/robots.txt"))
            abort();
        int a = kh__robots_allowed(r, path);
        if (a != kh__robots_allowed(r, path))
            abort();
        double d = kh__robots_crawl_delay(r);
        if (!(d >= 0 && d <= 86400))
            abort();
        kh__robots_free(r);
    } else if (rc != KH_ENOMEM || r != NULL) {
        abort();
    }
    free(path);
    free(txt);
    return 0;
}
