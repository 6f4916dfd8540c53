/*
 * stem_snowball.c -- the Snowball Arabic stemmer, through libstemmer.
 *
 * A thin wrapper so that the rest of the analyzer does not see libstemmer's
 * types.  A stemmer object is not thread-safe; each analyzer owns one.
 */
#include "text.h"

#include <libstemmer.h>
#include <string.h>

struct kh_snowball {
    struct sb_stemmer *sb;
};

kh_status
kh__snowball_new(kh_snowball **out)
{
    *out = NULL;
    kh_snowball *s = kh_malloc(sizeof *s);
    if (s == NULL)
        return KH_ENOMEM;
    /* libstemmer returns NULL both for an unknown algorithm and for an
     * allocation failure; Arabic has been in it since 2.0. */
    s->sb = sb_stemmer_new("arabic", "UTF_8");
    if (s->sb == NULL) {
        kh_free(s);
        return KH_EUNSUPPORTED;
    }
    *out = s;
    return KH_OK;
}

void
kh__snowball_free(kh_snowball *s)
{
    if (s == NULL)
        return;
    sb_stemmer_delete(s->sb);
    kh_free(s);
}

size_t
kh__snowball_stem(kh_snowball *s, const char *word, size_t len, char *out,
                  size_t cap)
{
    const sb_symbol *r =
        sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
    size_t n;
    if (r == NULL) { /* out of memory inside libstemmer: keep the word */
        r = (const sb_symbol *)word;
        n = len;
    } else {
        n = (size_t)sb_stemmer_length(s->sb);
    }
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && (r[n] & 0xC0) == 0x80)
            n--; /* do not cut a character in two */
    }
    memcpy(out, r, n);
    out[n] = '\0';
    return n;
}
