/*
 * fuzz_pagedate.c -- libFuzzer target for the date finders: dates in text
 * (textdate.c, with the Hijri and Solar Hijri arithmetic) and the
 * publication date of a page (pagedate.c).
 *
 * The first byte picks the mode: even, the rest is text for
 * kh__text_date, from an exactly sized copy; odd, the rest is "URL\n" and
 * an HTML page, parsed with libxml2 and given to kh__page_date.  The seeds
 * in fuzz/corpus/pagedate/ start with '0' (text) or '1' (page).  Beyond
 * what the sanitizers catch, the promises are checked: a text date is a
 * whole day, a page date lies between 1995 and two days from now.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t len = size - 1;
    char *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL)
        abort();
    memcpy(copy, data + 1, len);
    int64_t t = 0;
    if ((data[0] & 1) == 0) {
        if (kh__text_date(copy, len, &t) && t % 86400 != 0)
            abort();
    } else {
        const char *nl = memchr(copy, '\n', len < 512 ? len : 512);
        char url[520] = "";
        const char *page = copy;
        if (nl != NULL) {
            memcpy(url, copy, (size_t)(nl - copy));
            url[nl - copy] = '\0';
            page = nl + 1;
        }
        size_t page_len = len - (size_t)(page - copy);
        kh_htree *doc = NULL;
        if (kh__htree_parse(page, page_len, &doc) != KH_OK)
            abort(); /* no allocation limit here: ENOMEM is a finding */
        int off = 0;
        if (kh__page_date_offset(doc, nl != NULL ? url : NULL, &t, &off)) {
            int64_t now = (int64_t)time(NULL);
            if (t < 788918400 || t > now + 2 * 86400 || off < -86400 ||
                off > 86400)
                abort();
        }
        kh__htree_free(doc);
    }
    free(copy);
    return 0;
}
