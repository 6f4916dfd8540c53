/*
 * ingest.h -- private interfaces between the parts of src/ingest/.
 */
#ifndef KH_INGEST_INT_H
#define KH_INGEST_INT_H

#include "khabar/ingest.h"
#include "kh_int.h"

#include <libxml/HTMLparser.h>

/* The publication date of a parsed page: JSON-LD datePublished, meta
 * tags (article:published_time, ...), <time datetime>, dates written in
 * the page ("الثلاثاء 27 سبتمبر 2022", "27 أيلول 2022", Hijri), the URL.
 * url may be NULL.  Returns 1 with *out set (unix seconds UTC), or 0. */
int kh__page_date(htmlDocPtr doc, const char *url, int64_t *out);

/* A date written in text (UTF-8): Arabic (Gregorian month names, Levantine
 * month names, Hijri with conversion), English, numeric d/m/y and ISO.
 * Returns 1 with *out set when text[0..len) holds one, else 0. */
int kh__text_date(const char *text, size_t len, int64_t *out);

#endif /* KH_INGEST_INT_H */
