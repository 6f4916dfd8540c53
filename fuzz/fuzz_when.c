/*
 * fuzz_when.c -- libFuzzer target for the temporal expressions and figures
 * of src/extract/: arbitrary bytes as text, the first two bytes choosing
 * the publication day.  Beyond what the sanitizers catch, the promises are
 * checked: spans inside the text, in order, non-empty; first <= last; a
 * value that formats.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract/when.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int64_t ref = 16000 + (int64_t)(data[0] | data[1] << 8);
    size_t len = size - 2;
    char *t = malloc(len ? len : 1);
    if (t == NULL)
        abort();
    memcpy(t, data + 2, len);
    kh_when *w = NULL;
    size_t n = 0;
    if (kh__when_find(t, len, ref, &w, &n) == KH_OK) {
        size_t prev = 0;
        for (size_t i = 0; i < n; i++) {
            char buf[64];
            if (w[i].start >= w[i].end || w[i].end > len || w[i].start < prev ||
                w[i].first > w[i].last ||
                kh__when_format(&w[i], buf)[0] == '\0')
                abort();
            prev = w[i].start;
        }
        kh_free(w);
    }
    kh_figure *f = NULL;
    if (kh__figures_find(t, len, &f, &n) == KH_OK) {
        for (size_t i = 0; i < n; i++)
            if (f[i].start >= f[i].end || f[i].end > len ||
                f[i].unit_start > f[i].unit_end || f[i].unit_end > len)
                abort();
        kh_free(f);
    }
    free(t);
    return 0;
}
