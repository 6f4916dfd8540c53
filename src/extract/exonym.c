/*
 * exonym.c -- countries' English names to their Arabic names, for
 * looking entities up: "Saudi Arabia" is السعودية, "United States" is
 * الولايات المتحدة, "Jordan" is الأردن, which no letter model gives.
 *
 * The table is Debian's iso-codes catalogue of the ISO 3166-1 names in
 * Arabic (/usr/share/locale/ar/LC_MESSAGES/iso_3166-1.mo, LGPL-2.1+):
 * each English name (short, official and common: 419 of them) with its
 * Arabic translation.  It is read at the first look-up (pthread_once)
 * and kept until exit; $KHABAR_EXONYMS names another catalogue, and an
 * empty one turns the table off.  Without the file there are no
 * exonyms: a name is then looked up by its letters alone.
 */
#include "extract/exonym.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MO_PATH "/usr/share/locale/ar/LC_MESSAGES/iso_3166-1.mo"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static kh_strmap table; /* folded English name -> index into arabic */
static kh_buf arabic;   /* the Arabic names, NUL after each */

static uint32_t
u32_at(const unsigned char *p, int swap)
{
    return swap ? (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
                      (uint32_t)p[0] << 24
                : (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                      (uint32_t)p[3] << 24;
}

/* The English name s[0..n) folded for comparing: ASCII letters lower
 * case, runs of spaces, commas and hyphens one space, none at the ends. */
static size_t
fold(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    int gap = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        char c = s[i];
        if (c == ' ' || c == ',' || c == '-' || c == '\t') {
            gap = o > 0;
            continue;
        }
        if (gap)
            out[o++] = ' ';
        gap = 0;
        out[o++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    out[o] = '\0';
    return o;
}

kh_status
kh__exonym_parse(const char *mo, size_t len, kh_strmap *map, kh_buf *names)
{
    const unsigned char *d = (const unsigned char *)mo;
    if (len < 20)
        return KH_ECORRUPT;
    int swap;
    if (u32_at(d, 0) == 0x950412deu)
        swap = 0;
    else if (u32_at(d, 1) == 0x950412deu)
        swap = 1;
    else
        return KH_ECORRUPT;
    uint32_t n = u32_at(d + 8, swap), ot = u32_at(d + 12, swap),
             tt = u32_at(d + 16, swap);
    kh_status rc = KH_OK;
    for (uint32_t i = 0; i < n && rc == KH_OK; i++) {
        size_t eo = (size_t)ot + 8 * (size_t)i, et = (size_t)tt + 8 * (size_t)i;
        if (eo + 8 > len || et + 8 > len)
            return KH_ECORRUPT;
        uint32_t ol = u32_at(d + eo, swap), oo = u32_at(d + eo + 4, swap);
        uint32_t tl = u32_at(d + et, swap), to = u32_at(d + et + 4, swap);
        if ((size_t)oo + ol > len || (size_t)to + tl > len)
            return KH_ECORRUPT;
        if (ol == 0 || tl == 0 || memchr(mo + to, '\0', tl) != NULL)
            continue; /* the header, or plural forms */
        char key[256];
        size_t kl = fold(mo + oo, ol, key, sizeof key);
        if (kl == 0)
            continue;
        kh_strmap_entry *e = kh__strmap_upsert(map, key, kl);
        if (e == NULL)
            return KH_ENOMEM;
        e->value = names->len + 1;
        kh__buf_append(names, mo + to, tl, &rc);
        kh__buf_putc(names, '\0', &rc);
    }
    return rc;
}

static void
load(void)
{
    kh__strmap_init(&table);
    kh__buf_init(&arabic);
    const char *path = getenv("KHABAR_EXONYMS");
    if (path == NULL)
        path = MO_PATH;
    if (*path == '\0')
        return;
    kh_buf b;
    kh__buf_init(&b);
    if (kh__read_file(path, &b, NULL) == KH_OK &&
        kh__exonym_parse(b.data != NULL ? b.data : "", b.len, &table,
                         &arabic) != KH_OK) {
        kh__strmap_release(&table); /* a broken catalogue: no exonyms */
        kh__strmap_init(&table);
    }
    kh__buf_release(&b);
}

const char *
kh__exonym_arabic(const char *name)
{
    pthread_once(&once, load);
    char key[256];
    size_t kl = fold(name, strlen(name), key, sizeof key);
    const kh_strmap_entry *e = kl > 0 ? kh__strmap_get(&table, key, kl) : NULL;
    return e != NULL ? arabic.data + e->value - 1 : NULL;
}
