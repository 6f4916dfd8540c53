/*
 * hijri.c -- Islamic (Hijri) and Persian (Solar Hijri) dates to days since
 * the unix epoch, by calendar arithmetic alone.
 *
 * Hijri: the tabular Islamic calendar (30-year cycle, leap years 2, 5, 7,
 * 10, 13, 16, 18, 21, 24, 26, 29; the "civil" epoch of 16 July 622
 * Julian), as given by Dershowitz & Reingold, "Calendrical Calculations",
 * chapter "The Islamic Calendar", and by John Walker's Fourmilab calendar
 * converter (fourmilab.ch/documents/calendar/).  Saudi Arabia's official
 * Umm al-Qura calendar and the sighted months used elsewhere differ from
 * the tabular one by up to a day or two: callers that know the weekday of
 * the date (pages often write "الثلاثاء 2 ربيع الأول 1444") correct for
 * it, see textdate.c.
 *
 * Solar Hijri: the arithmetic 2820-year cycle of the same two sources.  It
 * matches Iran's astronomical calendar for the years news pages carry
 * (1300-1500 AP) except around a few leap years, where it can be a day
 * off.
 */
#include "ingest/ingest.h"

/* Floor division, for the negative intermediate values of old dates. */
static int64_t
fdiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Julian day number at noon of 1970-01-01 is 2440588. */
#define UNIX_JDN 2440588

int64_t
kh__hijri_days(int year, int month, int day)
{
    /* JDN = day + ceil(29.5 (month-1)) + 354 (year-1)
     *       + floor((3 + 11 year) / 30) + 1948440 (the epoch's JDN) - 1 */
    int64_t jdn = day + fdiv(59 * (int64_t)(month - 1) + 1, 2) +
                  354 * (int64_t)(year - 1) + fdiv(3 + 11 * (int64_t)year, 30) +
                  1948440 - 1;
    return jdn - UNIX_JDN;
}

int64_t
kh__jalali_days(int year, int month, int day)
{
    int64_t epbase = year - (year >= 0 ? 474 : 473);
    int64_t epyear = 474 + (epbase % 2820 + 2820) % 2820;
    int64_t mdays = month <= 7 ? (month - 1) * 31 : (month - 1) * 30 + 6;
    int64_t jdn = day + mdays + fdiv(epyear * 682 - 110, 2816) +
                  (epyear - 1) * 365 + fdiv(epbase, 2820) * 1029983 + 1948321 -
                  1;
    return jdn - UNIX_JDN;
}
