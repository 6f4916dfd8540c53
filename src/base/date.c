/*
 * date.c -- ISO 8601 dates to and from unix seconds, without the C
 * library's locale and time-zone machinery (timegm is not standard C).
 *
 * Days from the civil date follow Howard Hinnant's public-domain
 * algorithm ("chrono-Compatible Low-Level Date Algorithms").
 */
#include "kh_int.h"

#include <stdio.h>
#include <time.h>

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int
digits(const char *s, size_t len, size_t *i, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return 0;
        v = v * 10 + (unsigned)(s[*i] - '0');
    }
    *out = v;
    return 1;
}

static unsigned
days_in_month(unsigned y, unsigned m)
{
    static const unsigned dm[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

kh_status
kh_date_parse(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    unsigned y, mo, d, h = 0, mi = 0, se = 0;
    if (!digits(s, len, &i, 4, &y) || i >= len || s[i++] != '-' ||
        !digits(s, len, &i, 2, &mo) || i >= len || s[i++] != '-' ||
        !digits(s, len, &i, 2, &d))
        return KH_EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return KH_EINVAL;
    int64_t offset = 0;
    if (i < len && (s[i] == 'T' || s[i] == ' ')) {
        i++;
        if (!digits(s, len, &i, 2, &h) || i >= len || s[i++] != ':' ||
            !digits(s, len, &i, 2, &mi))
            return KH_EINVAL;
        if (i < len && s[i] == ':') {
            i++;
            if (!digits(s, len, &i, 2, &se))
                return KH_EINVAL;
            if (i < len && (s[i] == '.' || s[i] == ',')) /* fractions */
                for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
                    ;
        }
        if (h > 23 || mi > 59 || se > 60)
            return KH_EINVAL;
        if (i < len && s[i] == 'Z') {
            i++;
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i++] == '-' ? -1 : 1;
            unsigned oh, om = 0;
            if (!digits(s, len, &i, 2, &oh))
                return KH_EINVAL;
            if (i < len && s[i] == ':')
                i++;
            if (i < len && !digits(s, len, &i, 2, &om))
                return KH_EINVAL;
            if (oh > 23 || om > 59)
                return KH_EINVAL;
            offset = sign * (int64_t)(oh * 3600 + om * 60);
        }
    }
    if (i != len)
        return KH_EINVAL;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
    return KH_OK;
}

int64_t
kh__day_of(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

void
kh_date_format(int64_t t, char *buf)
{
    if (t == KH_DATE_NONE) { /* an article without a date */
        buf[0] = '\0';
        return;
    }
    int64_t days = kh__day_of(t);
    int64_t rem = t - days * 86400, y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, 32, "%04d-%02u-%02uT%02u:%02u:%02uZ", (int)y, m % 100,
             d % 100, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
             (unsigned)(rem % 60));
}

double
kh__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
