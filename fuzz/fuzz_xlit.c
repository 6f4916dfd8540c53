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

#include "extract/exonym.h"
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
    /* the whole input as a gettext catalogue of exonyms: every name read
     * ends inside the names it was copied to */
    kh_strmap map;
    kh_buf names;
    kh__strmap_init(&map);
    kh__buf_init(&names);
    kh_status rc = kh__exonym_parse(s, size, &map, &names);
    if (rc != KH_OK && rc != KH_ECORRUPT && rc != KH_ENOMEM)
        abort();
    for (size_t k = 0; rc == KH_OK && k < map.cap; k++)
        if (map.slots[k].key != NULL &&
            (map.slots[k].value == 0 || map.slots[k].value > names.len))
            abort();
    kh__strmap_release(&map);
    kh__buf_release(&names);
    free(ca);
    free(cb);
    return 0;
}
