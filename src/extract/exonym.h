/*
 * exonym.h -- countries' English names to their Arabic names
 * (src/extract/exonym.c), for entity look-ups by name.
 */
#ifndef KH_EXONYM_H
#define KH_EXONYM_H

#include "kh_int.h"

/* The Arabic name of the country whose English name is name (any case;
 * spaces, commas and hyphens count alike: "saudi arabia", "Korea,
 * Republic of"), from iso-codes' Arabic catalogue; NULL when there is
 * none.  The string lives until exit. */
KH_HIDDEN const char *kh__exonym_arabic(const char *name);

/* Reads a gettext catalogue mo[0..len) into map (folded English name ->
 * offset + 1 into names, where each Arabic name ends with a NUL).
 * KH_ECORRUPT when it is not a catalogue or points outside itself. */
KH_HIDDEN kh_status kh__exonym_parse(const char *mo, size_t len, kh_strmap *map,
                                     kh_buf *names);

#endif /* KH_EXONYM_H */
