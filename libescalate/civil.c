/*
 * civil.c — owns date arithmetic in the proleptic Gregorian calendar
 * (civil.h).  The conversions are Howard Hinnant's days_from_civil and
 * civil_from_days: branch-free, exact over the whole range we need, and
 * independent of the C library's time functions.
 */
#include <stdio.h>

#include "civil.h"

void esc__format_utc(char *out, int64_t ms)
{
    int64_t days = esc__floor_div(ms, ESC_SECONDS_PER_DAY * 1000);
    int64_t second = esc__floor_mod(ms, ESC_SECONDS_PER_DAY * 1000) / 1000;
    esc_civil_date d = esc__civil_from_days(days);
    snprintf(out, ESC_UTC_TEXT_MAX, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)d.year, d.month,
             d.day, (int)(second / 3600), (int)(second / 60 % 60), (int)(second % 60));
}

int64_t esc__floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t esc__floor_mod(int64_t a, int64_t b)
{
    return a - esc__floor_div(a, b) * b;
}

int esc__civil_is_leap(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int esc__civil_days_in_month(int64_t year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + (month == 2 && esc__civil_is_leap(year));
}

int esc__civil_valid(int64_t year, int month, int day)
{
    return month >= 1 && month <= 12 && day >= 1 && day <= esc__civil_days_in_month(year, month);
}

/* The year is counted from March so that the leap day is the last day of
 * the counting year; eras are 400-year cycles of 146097 days. */
int64_t esc__civil_to_days(int64_t year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = esc__floor_div(y, 400);
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t mp = (month + 9) % 12;                                 /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + day - 1;                    /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

esc_civil_date esc__civil_from_days(int64_t days)
{
    int64_t z = days + 719468;
    int64_t era = esc__floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);         /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                              /* March = 0 */
    esc_civil_date date;
    date.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    date.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    date.year = yoe + era * 400 + (date.month <= 2);
    return date;
}

int esc__civil_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday. */
    return (int)esc__floor_mod(days + 4, 7);
}
