/*
 * fuzz_xlit.c -- libFuzzer target for names across scripts: the input,
 * split at its first NUL into two names, is prepared, keyed and scored.
 * Keys must be NUL-terminated within their buffer and of class letters;
 * scores must be numbers.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract/xlit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_key(const char *s, size_t n)
{
    char key[64];
    size_t k = kh__xlit_key_str(s, n, key, sizeof key);
    if (k >= sizeof key || strlen(key) != k)
        abort();
    for (size_t i = 0; i < k; i++)
        if (key[i] < 'A' || key[i] > 'Z')
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    size_t na = nul ? (size_t)(nul - s) : size;
    const char *b = nul ? nul + 1 : s;
    size_t nb = nul ? size - na - 1 : size;
    char *ca = malloc(na ? na : 1), *cb = malloc(nb ? nb : 1);
    if (ca == NULL || cb == NULL)
        abort();
    memcpy(ca, s, na);
    memcpy(cb, b, nb);
    check_key(ca, na);
    check_key(cb, nb);
    kh_xlit_name x, y;
    kh__xlit_prepare(ca, na, &x);
    kh__xlit_prepare(cb, nb, &y);
    double sc = kh__xlit_score(&x, &y);
    if (isnan(sc))
        abort();
    free(ca);
    free(cb);
    return 0;
}
