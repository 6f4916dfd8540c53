/*
 * fuzz_charset.c -- libFuzzer target for kh_to_utf8 and kh_detect_format.
 *
 * The first byte picks the declared charset (none, or one of a few
 * labels, right or wrong); the rest is the text, from an exactly sized
 * copy.  Checked beyond the sanitizers: kh_to_utf8 never fails but for
 * memory, its output is valid UTF-8 of the length it says, NUL-terminated,
 * and named by a charset; kh_detect_format returns a known format.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kh_int.h"
#include "text/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const labels[] = {NULL,
                                         "utf-8",
                                         "windows-1256",
                                         "iso-8859-6",
                                         "latin1",
                                         "utf-16",
                                         "utf-16be",
                                         "shift_jis",
                                         "iso-2022-jp",
                                         "gb18030",
                                         "text/html; charset=cp1256",
                                         "bogus"};
    if (size == 0)
        return 0;
    const char *label = labels[data[0] % (sizeof labels / sizeof labels[0])];
    size--;
    char *in = malloc(size > 0 ? size : 1);
    if (in == NULL)
        abort();
    memcpy(in, data + 1, size);
    char *out = NULL;
    size_t n = 0;
    const char *used = NULL;
    kh_status rc = kh_to_utf8(in, size, label, &out, &n, &used, NULL);
    if (rc == KH_OK) {
        if (out == NULL || used == NULL || out[n] != '\0')
            abort();
        const unsigned char *p = (const unsigned char *)out;
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            size_t k = kh__utf8_decode(p + i, n - i, &cp);
            if (k == 0)
                abort();
            i += k;
        }
        kh_free(out);
    } else if (rc != KH_ENOMEM) {
        abort();
    }
    kh_format f = kh_detect_format(in, size);
    if ((int)f < KH_FMT_UNKNOWN || f > KH_FMT_TEXT)
        abort();
    free(in);
    return 0;
}
