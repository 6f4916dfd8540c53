/*
 * ingest.h -- private interfaces between the parts of src/ingest/.
 */
#ifndef KH_INGEST_INT_H
#define KH_INGEST_INT_H

#include "khabar/ingest.h"
#include "kh_int.h"

#include "ingest/htree.h"

/* The publication date of a parsed page (tree may be NULL): JSON-LD
 * datePublished, meta tags (article:published_time, ...), <time datetime>,
 * dates written in the page ("الثلاثاء 27 سبتمبر 2022", "27 أيلول 2022",
 * Hijri), the URL. url may be NULL.  Returns 1 with *out set (unix seconds
 * UTC), or 0. */
int kh__page_date(const kh_htree *tree, const char *url, int64_t *out);
/* The same, with *offset (may be NULL) set to the UTC offset in seconds
 * that the page wrote with the date ("+03:00"), 0 when it wrote none:
 * *out + *offset is the publisher's wall-clock time, whose day is the
 * day the page shows. */
int kh__page_date_offset(const kh_htree *tree, const char *url, int64_t *out,
                         int *offset);

/* A date written in text (UTF-8): Arabic (Gregorian month names, Levantine
 * month names, Hijri with conversion), English, numeric d/m/y and ISO.
 * Returns 1 with *out set when text[0..len) holds one, else 0. */
int kh__text_date(const char *text, size_t len, int64_t *out);

/* Days since 1970-01-01 of a date in the tabular Islamic calendar and in
 * the arithmetic Solar Hijri (Persian) calendar (hijri.c).  No range
 * checks: callers pass plausible years, months 1-12, days 1-31. */
int64_t kh__hijri_days(int year, int month, int day);
int64_t kh__jalali_days(int year, int month, int day);

/* An RFC 822 / RFC 1123 date ("Tue, 27 Sep 2022 10:00:00 +0300", zone
 * names GMT, UTC, EST ... or none), leniently, as in RSS pubDate and HTTP
 * headers.  Returns 1 with *out set (unix seconds UTC), or 0.
 * (ingest/rfcdate.c) */
int kh__rfc822_date(const char *text, size_t len, int64_t *out);

/* Case-insensitive (ASCII): does p[i..n) start with the lower-case word
 * w? (format.c) */
int kh__starts_ci(const unsigned char *p, size_t i, size_t n, const char *w);

/* Appends s[0..n) to out with its HTML character references decoded
 * (&quot; &nbsp; &#8220; &#x27;); a bare "&" or an unknown name stays.
 * For the text fields of JSON articles, which scrapers fill from HTML
 * without decoding it (charref.c). */
kh_status kh__html_unescape(const char *s, size_t n, kh_buf *out);

#endif /* KH_INGEST_INT_H */
