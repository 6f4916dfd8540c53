/*
 * rfcdate.c -- RFC 822 / RFC 1123 dates, as RSS pubDate and HTTP
 * Last-Modified write them: "Tue, 27 Sep 2022 10:00:00 +0300".
 *
 * Lenient the way feeds need it: the weekday is optional and never
 * checked, months may be spelled out, years may have two digits,
 * seconds may be missing, the zone may be a numeric offset (with or
 * without a colon), GMT/UT/UTC/Z, a North American name (EST, PDT, ...)
 * or absent (then UTC), and a trailing comment "(AST)" is ignored.
 * The calendar arithmetic is kh_date_parse()'s: the fields are handed
 * to it as an ISO 8601 string.
 */
#include "ingest/ingest.h"

#include <stdio.h>
#include <string.h>

static unsigned char
lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int
is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Skips blanks and commas. */
static void
skip_sep(const unsigned char *s, size_t len, size_t *i)
{
    while (*i < len && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == ',' ||
                        s[*i] == '\r' || s[*i] == '\n'))
        (*i)++;
}

/* Reads up to max digits (at least one); returns the count read. */
static size_t
number(const unsigned char *s, size_t len, size_t *i, size_t max, int *out)
{
    size_t k = 0;
    int v = 0;
    while (*i < len && k < max && is_digit(s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    *out = v;
    return k;
}

/* Reads a word of letters into w (lower case, at most cap-1 bytes, the
 * rest skipped); returns its length. */
static size_t
word(const unsigned char *s, size_t len, size_t *i, char *w, size_t cap)
{
    size_t k = 0;
    while (*i < len && is_alpha(s[*i])) {
        if (k + 1 < cap)
            w[k++] = (char)lower(s[*i]);
        (*i)++;
    }
    w[k] = '\0';
    return k;
}

static int
month_number(const char *w)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr",
                                         "may", "jun", "jul", "aug",
                                         "sep", "oct", "nov", "dec"};
    if (strlen(w) < 3)
        return 0;
    for (int m = 0; m < 12; m++)
        if (strncmp(w, months[m], 3) == 0)
            return m + 1;
    return 0;
}

/* The offset of a zone name in seconds east of UTC; 0 with *known 0 if
 * the name means nothing. */
static int
zone_offset(const char *w, int *known)
{
    static const struct {
        const char *name;
        int hours;
    } zones[] = {{"gmt", 0},  {"ut", 0},   {"utc", 0},  {"z", 0},
                 {"est", -5}, {"edt", -4}, {"cst", -6}, {"cdt", -5},
                 {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}};
    for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++)
        if (strcmp(w, zones[k].name) == 0) {
            *known = 1;
            return zones[k].hours * 3600;
        }
    *known = 0;
    return 0;
}

int
kh__rfc822_date(const char *text, size_t len, int64_t *out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    char w[16];
    int day, month = 0, year, h = 0, mi = 0, se = 0;
    skip_sep(s, len, &i);
    if (i < len && is_alpha(s[i])) { /* a weekday, or a month first */
        word(s, len, &i, w, sizeof w);
        month = month_number(w); /* no weekday starts like a month */
        skip_sep(s, len, &i);
    }
    if (month > 0) { /* "Sep 27 2022" (asctime-like) */
        if (number(s, len, &i, 2, &day) == 0)
            return 0;
    } else {
        if (number(s, len, &i, 2, &day) == 0)
            return 0;
        while (i < len && (s[i] == ' ' || s[i] == '-' || s[i] == '\t'))
            i++;
        word(s, len, &i, w, sizeof w);
        month = month_number(w);
        if (month == 0)
            return 0;
    }
    while (i < len &&
           (s[i] == ' ' || s[i] == '-' || s[i] == ',' || s[i] == '\t'))
        i++;
    size_t yd = number(s, len, &i, 4, &year);
    if (yd == 2)
        year += year < 50 ? 2000 : 1900;
    else if (yd != 4)
        return 0;
    skip_sep(s, len, &i);
    int64_t offset = 0;
    if (i < len && is_digit(s[i])) {
        if (number(s, len, &i, 2, &h) == 0 || i >= len || s[i] != ':')
            return 0;
        i++;
        if (number(s, len, &i, 2, &mi) != 2)
            return 0;
        if (i < len && s[i] == ':') {
            i++;
            if (number(s, len, &i, 2, &se) != 2)
                return 0;
            if (i < len && s[i] == '.') /* fractions */
                for (i++; i < len && is_digit(s[i]); i++)
                    ;
        }
        skip_sep(s, len, &i);
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;
            if (number(s, len, &i, 2, &oh) != 2)
                return 0;
            if (i < len && s[i] == ':')
                i++;
            if (i < len && is_digit(s[i]) && number(s, len, &i, 2, &om) != 2)
                return 0;
            if (oh > 23 || om > 59)
                return 0;
            offset = sign * (int64_t)(oh * 3600 + om * 60);
        } else if (i < len && is_alpha(s[i])) {
            /* Unknown zone names (military letters, "AST" that means two
             * things) count as UTC rather than losing the date. */
            int known;
            word(s, len, &i, w, sizeof w);
            offset = zone_offset(w, &known);
        }
    }
    skip_sep(s, len, &i);
    if (i < len && s[i] == '(') /* a comment: "(AST)" */
        i = len;
    if (i != len)
        return 0;
    char iso[40];
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month,
             day, h, mi, se);
    int64_t t;
    if (kh_date_parse(iso, strlen(iso), &t) != KH_OK)
        return 0;
    *out = t - offset;
    return 1;
}
