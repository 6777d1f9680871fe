/*
 * civil.h — the proleptic Gregorian calendar as plain arithmetic: dates to
 * day numbers and back, weekdays, month lengths.  No time zones here (see
 * tz.h) and no use of the C library's time functions, which depend on the
 * process-wide TZ.
 */
#ifndef ESC_CIVIL_H
#define ESC_CIVIL_H

#include <stdint.h>

#define ESC_SECONDS_PER_DAY INT64_C(86400)

/* A calendar date; month 1..12, day 1..31. */
typedef struct esc_civil_date {
    int64_t year;
    int month;
    int day;
} esc_civil_date;

/* 1 for a Gregorian leap year. */
int esc__civil_is_leap(int64_t year);

/* Days in the month (1..12) of year. */
int esc__civil_days_in_month(int64_t year, int month);

/* 1 when year/month/day name a real date (e.g. no 2026-02-29). */
int esc__civil_valid(int64_t year, int month, int day);

/* Days since 1970-01-01 of a date (month and day within range); exact for
 * |year| up to about 10^12. */
int64_t esc__civil_to_days(int64_t year, int month, int day);

/* The date of a day number (days since 1970-01-01). */
esc_civil_date esc__civil_from_days(int64_t days);

/* Weekday of a day number: 0 = Sunday .. 6 = Saturday. */
int esc__civil_weekday(int64_t days);

/* Floor division and its non-negative remainder (C's / and % truncate). */
int64_t esc__floor_div(int64_t a, int64_t b);

/* An instant as ISO-8601 UTC to the second ("2026-03-10T15:30:00Z"), for
 * messages and generated texts; out holds ESC_UTC_TEXT_MAX bytes. */
#define ESC_UTC_TEXT_MAX 40
void esc__format_utc(char *out, int64_t ms);
int64_t esc__floor_mod(int64_t a, int64_t b);

#endif /* ESC_CIVIL_H */
