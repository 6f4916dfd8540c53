/*
 * fuzz_analyzer.c -- libFuzzer target for the text analyzer.
 *
 * The first byte picks the options (stemmer, stop-word dropping); the rest
 * is the text, taken as arbitrary bytes.  Beyond what the sanitizers
 * catch, every token is checked against the analyzer's promises: offsets
 * inside the text and increasing, bounded NUL-terminated forms, valid
 * UTF-8 output, increasing positions.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "khabar/khabar.h"
#include "text/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = kh__utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0)
            abort();
        i += k;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    kh_analyzer_options o = {(kh_stemmer_kind)(data[0] % 3), data[0] & 4};
    kh_analyzer *a;
    if (kh_analyzer_new(&o, &a) != KH_OK)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    kh_analyzer_reset(a, text, len);
    kh_token t;
    size_t last_start = 0;
    long last_pos = -1;
    while (kh_analyzer_next(a, &t)) {
        if (t.start >= t.end || t.end > len || t.start < last_start)
            abort();
        if ((long)t.position <= last_pos)
            abort();
        if (t.norm_len == 0 || t.norm_len > KH_MAX_TOKEN_BYTES ||
            t.norm[t.norm_len] != '\0' || t.stem_len > KH_MAX_TOKEN_BYTES ||
            t.stem[t.stem_len] != '\0')
            abort();
        check_utf8(t.norm, t.norm_len);
        check_utf8(t.stem, t.stem_len);
        last_start = t.start;
        last_pos = t.position;
    }
    kh_analyzer_free(a);
    return 0;
}
