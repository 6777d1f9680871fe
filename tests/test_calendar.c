/*
 * test_calendar.c — owns the tests of business calendars through the
 * public API (include/escalate/calendar.h): building and validating them,
 * the text form (parse, canonical format, round trips, messages for bad
 * specs), and business-time arithmetic with hand-computed deadlines —
 * weekends, holidays (one-off and yearly), overnight hours, days that are
 * 23 or 25 hours long in four zones, empty days, the footer rule in 2100 —
 * plus property tests over random instants (fixed seed).
 *
 * Expected instants are written as UTC wall times, utc(...), next to the
 * local time they stand for; the offsets are those of zdump -v for the zone.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "escalate.h"
#include "testutil.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A pointer that is not NULL, for outputs a failing call must reset. */
static char not_null_target;
#define not_null ((esc_calendar *)(void *)&not_null_target)

/* ---- helpers ------------------------------------------------------------------- */

/* Days since 1970-01-01 (the test's own, independent of the library's). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The instant (ms) of a UTC wall time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
    return days_from_civil(y, mo, d) * DAY + h * HOUR + mi * MINUTE;
}

#define ck_assert_rc(expr, expected)                                                    \
    do {                                                                                \
        int rc_ = (expr);                                                               \
        ck_assert_msg(rc_ == (expected), "%s returned %s, expected %s", #expr,          \
                      esc_status_name(rc_), esc_status_name(expected));                  \
    } while (0)

static esc_calendar *parse(const char *spec)
{
    char err[ESC_CALENDAR_ERRMSG_MAX];
    esc_calendar *cal = NULL;
    int rc = esc_calendar_parse(&cal, spec, err, sizeof err);
    ck_assert_msg(rc == ESC_OK, "parse \"%s\": %s: %s", spec, esc_status_name(rc), err);
    return cal;
}

static int64_t add(const esc_calendar *cal, int64_t from, int64_t ms)
{
    int64_t out = 0;
    ck_assert_rc(esc_calendar_add_business(&out, cal, from, ms), ESC_OK);
    return out;
}

static int64_t between(const esc_calendar *cal, int64_t from, int64_t to)
{
    int64_t out = -1;
    ck_assert_rc(esc_calendar_business_between(&out, cal, from, to), ESC_OK);
    return out;
}

static int64_t next(const esc_calendar *cal, int64_t at)
{
    int64_t out = 0;
    ck_assert_rc(esc_calendar_next_business(&out, cal, at), ESC_OK);
    return out;
}

static int is_business(const esc_calendar *cal, int64_t at)
{
    int out = -1;
    ck_assert_rc(esc_calendar_is_business(&out, cal, at), ESC_OK);
    return out;
}

static char *format(const esc_calendar *cal)
{
    char *text = NULL;
    ck_assert_rc(esc_calendar_format(&text, cal), ESC_OK);
    ck_assert_ptr_nonnull(text);
    return text;
}

/* Instants compared with the failing values shown as numbers. */
#define ck_assert_at(got, expected)                                                     \
    do {                                                                                \
        int64_t got_ = (got), want_ = (expected);                                       \
        ck_assert_msg(got_ == want_, "%s = %lld, expected %s = %lld (off by %lld min)",  \
                      #got, (long long)got_, #expected, (long long)want_,               \
                      (long long)((got_ - want_) / MINUTE));                            \
    } while (0)

/* ---- deadlines computed by hand ------------------------------------------------- */

/* The acceptance scenario: Friday 16:30 in Berlin, 8 business hours, the
 * weekend and a Monday holiday in between. */
START_TEST(test_friday_berlin_monday_holiday)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-01-12");
    int64_t from = utc(2026, 1, 9, 15, 30);                  /* Fri 16:30 CET */
    /* Friday 0.5 h, Monday off, Tuesday 09:00 + 7.5 h = 16:30 CET. */
    ck_assert_at(add(cal, from, 8 * HOUR), utc(2026, 1, 13, 15, 30));
    ck_assert_at(between(cal, from, utc(2026, 1, 13, 15, 30)), 8 * HOUR);
    esc_calendar_free(cal);

    cal = parse("tz=Europe/Berlin; mon-fri 09:00-17:00");  /* no holiday: Monday 16:30 */
    ck_assert_at(add(cal, from, 8 * HOUR), utc(2026, 1, 12, 15, 30));
    esc_calendar_free(cal);

    cal = parse("tz=Europe/Berlin; mon-fri 09:00-17:00; yearly 01-12");
    ck_assert_at(add(cal, from, 8 * HOUR), utc(2026, 1, 13, 15, 30));
    esc_calendar_free(cal);
}
END_TEST

/* The same across the weekends clocks change: the Tuesday deadline is
 * 16:30 local, one hour earlier or later in UTC than on the Friday. */
START_TEST(test_friday_berlin_dst_weekends)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; mon-fri 09:00-17:00; "
                              "holiday 2026-03-30,2026-10-26");
    /* Fri 16:30 CET -> Tue 16:30 CEST. */
    ck_assert_at(add(cal, utc(2026, 3, 27, 15, 30), 8 * HOUR), utc(2026, 3, 31, 14, 30));
    /* Fri 16:30 CEST -> Tue 16:30 CET. */
    ck_assert_at(add(cal, utc(2026, 10, 23, 14, 30), 8 * HOUR), utc(2026, 10, 27, 15, 30));
    ck_assert_at(between(cal, utc(2026, 3, 27, 15, 30), utc(2026, 3, 31, 14, 30)), 8 * HOUR);
    esc_calendar_free(cal);
}
END_TEST

/* A working Sunday that is 23 hours long (spring forward) or 25 (fall back). */
START_TEST(test_berlin_short_and_long_days)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; sun 00:00-24:00; mon 09:00-17:00");
    int64_t sun = utc(2026, 3, 28, 23, 0);                   /* Sun 29 March 00:00 CET */
    ck_assert_at(between(cal, sun, utc(2026, 3, 29, 22, 0)), 23 * HOUR);   /* to Mon 00:00 CEST */
    ck_assert_at(between(cal, utc(2026, 3, 28, 0, 0), utc(2026, 3, 31, 0, 0)), 31 * HOUR);
    ck_assert_at(add(cal, sun, 2 * HOUR), utc(2026, 3, 29, 1, 0));          /* 03:00 CEST */
    ck_assert_at(add(cal, sun, 22 * HOUR), utc(2026, 3, 29, 21, 0));        /* 23:00 CEST */
    /* Used up at midnight: the deadline is when the clock goes on, Monday 09:00. */
    ck_assert_at(add(cal, sun, 23 * HOUR), utc(2026, 3, 30, 7, 0));
    ck_assert_at(add(cal, sun, 24 * HOUR), utc(2026, 3, 30, 8, 0));

    sun = utc(2026, 10, 24, 22, 0);                          /* Sun 25 October 00:00 CEST */
    ck_assert_at(between(cal, sun, utc(2026, 10, 25, 23, 0)), 25 * HOUR);  /* to Mon 00:00 CET */
    ck_assert_at(add(cal, sun, 24 * HOUR), utc(2026, 10, 25, 22, 0));       /* 23:00 CET */
    ck_assert_at(add(cal, sun, 25 * HOUR), utc(2026, 10, 26, 8, 0));        /* Mon 09:00 CET */
    /* 02:30 comes twice that night, and both are working time. */
    ck_assert(is_business(cal, utc(2026, 10, 25, 0, 30)));
    ck_assert(is_business(cal, utc(2026, 10, 25, 1, 30)));
    esc_calendar_free(cal);
}
END_TEST

START_TEST(test_new_york)
{
    esc_calendar *cal = parse("tz=America/New_York; sun 00:00-24:00");
    /* Sun 8 March 00:00 EST .. Mon 00:00 EDT; Sun 1 November 00:00 EDT .. Mon 00:00 EST. */
    ck_assert_at(between(cal, utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0)), 23 * HOUR);
    ck_assert_at(between(cal, utc(2026, 3, 7, 0, 0), utc(2026, 3, 10, 0, 0)), 23 * HOUR);
    ck_assert_at(between(cal, utc(2026, 11, 1, 4, 0), utc(2026, 11, 2, 5, 0)), 25 * HOUR);
    esc_calendar_free(cal);

    cal = parse("tz=America/New_York; mon-fri 09:00-17:00; holiday 2026-03-09");
    /* Fri 16:30 EST + 8 h, Monday off -> Tue 16:30 EDT. */
    ck_assert_at(add(cal, utc(2026, 3, 6, 21, 30), 8 * HOUR), utc(2026, 3, 10, 20, 30));
    esc_calendar_free(cal);
}
END_TEST

START_TEST(test_sydney)
{
    esc_calendar *cal = parse("tz=Australia/Sydney; sun 00:00-24:00");
    /* Sun 5 April 00:00 AEDT .. Mon 00:00 AEST: 25 h; Sun 4 October: 23 h. */
    ck_assert_at(between(cal, utc(2026, 4, 4, 13, 0), utc(2026, 4, 5, 14, 0)), 25 * HOUR);
    ck_assert_at(between(cal, utc(2026, 10, 3, 14, 0), utc(2026, 10, 4, 13, 0)), 23 * HOUR);
    esc_calendar_free(cal);

    cal = parse("tz=Australia/Sydney; mon-fri 09:00-17:00; holiday 2026-04-06");
    /* Fri 3 April 16:30 AEDT + 8 h, Easter Monday off -> Tue 16:30 AEST. */
    ck_assert_at(add(cal, utc(2026, 4, 3, 5, 30), 8 * HOUR), utc(2026, 4, 7, 6, 30));
    esc_calendar_free(cal);
}
END_TEST

/* Half-hour offsets: Adelaide (+10:30 / +09:30) and Kolkata (+05:30). */
START_TEST(test_half_hour_zones)
{
    esc_calendar *cal = parse("tz=Australia/Adelaide; mon-fri 09:00-17:00");
    /* Fri 3 April 16:30 ACDT + 8 h -> Mon 16:30 ACST (DST ended on the Sunday). */
    ck_assert_at(add(cal, utc(2026, 4, 3, 6, 0), 8 * HOUR), utc(2026, 4, 6, 7, 0));
    ck_assert_at(next(cal, utc(2026, 4, 3, 7, 0)), utc(2026, 4, 5, 23, 30));  /* Mon 09:00 ACST */
    esc_calendar_free(cal);

    cal = parse("tz=Asia/Kolkata; mon-sat 10:00-18:30");
    /* Sat 18:00 IST + 1 h -> Mon 10:30 IST. */
    ck_assert_at(add(cal, utc(2026, 1, 10, 12, 30), HOUR), utc(2026, 1, 12, 5, 0));
    ck_assert(is_business(cal, utc(2026, 1, 12, 4, 30)));                     /* Mon 10:00 IST */
    ck_assert(!is_business(cal, utc(2026, 1, 12, 4, 29)));
    esc_calendar_free(cal);
}
END_TEST

/* A Saturday night shift over the nights clocks change: 7 and 9 hours. */
START_TEST(test_overnight_dst)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; sat 22:00-06:00");
    /* Sat 22:00 CET .. Sun 06:00 CEST. */
    ck_assert_at(between(cal, utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 0, 0)), 7 * HOUR);
    ck_assert_at(add(cal, utc(2026, 3, 28, 12, 0), 6 * HOUR), utc(2026, 3, 29, 3, 0));
    ck_assert_at(add(cal, utc(2026, 3, 28, 12, 0), 7 * HOUR), utc(2026, 4, 4, 20, 0));
    ck_assert(is_business(cal, utc(2026, 3, 29, 3, 59)));
    ck_assert(!is_business(cal, utc(2026, 3, 29, 4, 0)));
    ck_assert_at(next(cal, utc(2026, 3, 29, 4, 0)), utc(2026, 4, 4, 20, 0));   /* Sat 22:00 CEST */
    /* Sat 22:00 CEST .. Sun 06:00 CET. */
    ck_assert_at(between(cal, utc(2026, 10, 24, 0, 0), utc(2026, 10, 26, 0, 0)), 9 * HOUR);
    ck_assert_at(next(cal, utc(2026, 10, 24, 0, 0)), utc(2026, 10, 24, 20, 0));
    esc_calendar_free(cal);
}
END_TEST

/* A holiday takes the shifts that start on it, overnight part included;
 * a shift that started the evening before is worked to its end. */
START_TEST(test_overnight_holidays)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; sun 22:00-06:00; mon-fri 09:00-17:00; "
                              "holiday 2026-01-11");
    /* Sunday the 11th is off: no night shift into Monday. */
    ck_assert(!is_business(cal, utc(2026, 1, 12, 2, 0)));                     /* Mon 03:00 CET */
    ck_assert_at(next(cal, utc(2026, 1, 11, 11, 0)), utc(2026, 1, 12, 8, 0));
    ck_assert_at(between(cal, utc(2026, 1, 10, 23, 0), utc(2026, 1, 12, 23, 0)), 8 * HOUR);
    esc_calendar_free(cal);

    cal = parse("tz=Europe/Berlin; sun 22:00-06:00; mon-fri 09:00-17:00; holiday 2026-01-12");
    /* Monday the 12th is off, but Sunday's shift runs until 06:00 on it. */
    ck_assert(is_business(cal, utc(2026, 1, 12, 2, 0)));
    ck_assert_at(next(cal, utc(2026, 1, 12, 5, 0)), utc(2026, 1, 13, 8, 0));
    ck_assert_at(between(cal, utc(2026, 1, 10, 23, 0), utc(2026, 1, 12, 23, 0)), 8 * HOUR);
    ck_assert_at(add(cal, utc(2026, 1, 11, 20, 0), 8 * HOUR), utc(2026, 1, 13, 8, 0));
    esc_calendar_free(cal);
}
END_TEST

/* An overnight shift running into hours of the next day is counted once. */
START_TEST(test_overlapping_days)
{
    esc_calendar *cal = parse("tz=UTC; sun 22:00-06:00; mon 00:00-08:00");
    ck_assert_at(between(cal, utc(2026, 1, 11, 0, 0), utc(2026, 1, 13, 0, 0)), 10 * HOUR);
    ck_assert_at(add(cal, utc(2026, 1, 11, 22, 0), 9 * HOUR), utc(2026, 1, 12, 7, 0));
    ck_assert_at(add(cal, utc(2026, 1, 11, 22, 0), 10 * HOUR), utc(2026, 1, 18, 22, 0));
    esc_calendar_free(cal);
}
END_TEST

START_TEST(test_yearly_and_one_off_holidays)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; mon-sun 09:00-17:00; yearly 12-24,12-25,12-26; "
                              "holiday 2026-12-31");
    /* Wed 23rd 16:00 CET + 2 h: 1 h, then three days off, Sun 27th 10:00. */
    ck_assert_at(add(cal, utc(2026, 12, 23, 15, 0), 2 * HOUR), utc(2026, 12, 27, 9, 0));
    /* Yearly: the same in 2027, and in 2100 (footer rule territory). */
    ck_assert_at(add(cal, utc(2027, 12, 23, 15, 0), 2 * HOUR), utc(2027, 12, 27, 9, 0));
    ck_assert_at(add(cal, utc(2100, 12, 23, 15, 0), 2 * HOUR), utc(2100, 12, 27, 9, 0));
    /* One-off: 31 December 2026 only. */
    ck_assert_at(add(cal, utc(2026, 12, 30, 15, 0), 2 * HOUR), utc(2027, 1, 1, 9, 0));
    ck_assert_at(add(cal, utc(2027, 12, 30, 15, 0), 2 * HOUR), utc(2027, 12, 31, 9, 0));
    esc_calendar_free(cal);

    /* 29 February as a yearly holiday: leap years only. */
    cal = parse("tz=UTC; mon-sun 09:00-17:00; yearly 02-29");
    ck_assert_at(next(cal, utc(2028, 2, 28, 17, 0)), utc(2028, 3, 1, 9, 0));
    ck_assert_at(next(cal, utc(2027, 2, 28, 17, 0)), utc(2027, 3, 1, 9, 0));
    ck_assert(is_business(cal, utc(2026, 3, 1, 12, 0)));
    esc_calendar_free(cal);
}
END_TEST

/* Days with no working time: weekends, an interval wholly inside the DST
 * gap; and boundaries in the gap or the overlap. */
START_TEST(test_empty_days_and_dst_boundaries)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; sun 02:00-03:00");
    /* 29 March 2026 has no 02:00-03:00: the next opening is a week later. */
    ck_assert_at(next(cal, utc(2026, 3, 28, 12, 0)), utc(2026, 4, 5, 0, 0));
    ck_assert_at(between(cal, utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 0, 0)), 0);
    /* 25 October has it twice: from the first 02:00 to 03:00 CET, 2 h. */
    ck_assert_at(between(cal, utc(2026, 10, 24, 0, 0), utc(2026, 10, 26, 0, 0)), 2 * HOUR);
    ck_assert_at(next(cal, utc(2026, 10, 24, 0, 0)), utc(2026, 10, 25, 0, 0));
    esc_calendar_free(cal);

    /* An end inside the gap is the instant of the jump: 01:00 CET .. 03:00 CEST. */
    cal = parse("tz=Europe/Berlin; sun 01:00-02:30");
    ck_assert_at(between(cal, utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 0, 0)), HOUR);
    ck_assert_at(between(cal, utc(2026, 4, 4, 0, 0), utc(2026, 4, 6, 0, 0)), 90 * MINUTE);
    esc_calendar_free(cal);

    /* A start inside the overlap is its first occurrence: 02:30 CEST .. 03:30 CET. */
    cal = parse("tz=Europe/Berlin; sun 02:30-03:30");
    ck_assert_at(between(cal, utc(2026, 10, 24, 0, 0), utc(2026, 10, 26, 0, 0)), 2 * HOUR);
    esc_calendar_free(cal);
}
END_TEST

START_TEST(test_weekends_and_edges)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; mon-fri 09:00-12:00,13:00-17:00");
    int64_t fri_close = utc(2026, 1, 9, 16, 0), mon_open = utc(2026, 1, 12, 8, 0);
    ck_assert(is_business(cal, fri_close - 1));
    ck_assert(!is_business(cal, fri_close));                  /* the end is not inside */
    ck_assert(is_business(cal, mon_open));                    /* the start is */
    ck_assert_at(next(cal, fri_close), mon_open);
    ck_assert_at(next(cal, mon_open + 5), mon_open + 5);      /* inside: itself */
    ck_assert_at(add(cal, fri_close, 0), mon_open);           /* outside: the next opening */
    ck_assert_at(add(cal, mon_open + 5, 0), mon_open + 5);
    ck_assert_at(add(cal, mon_open, 7 * HOUR - 1), utc(2026, 1, 12, 15, 59) + 59999);
    ck_assert_at(add(cal, mon_open, 7 * HOUR), utc(2026, 1, 13, 8, 0));  /* used up at close */
    ck_assert_at(add(cal, utc(2026, 1, 12, 10, 0), 2 * HOUR), utc(2026, 1, 12, 13, 0));  /* lunch */
    ck_assert_at(next(cal, utc(2026, 1, 12, 11, 30)), utc(2026, 1, 12, 12, 0));
    ck_assert_at(between(cal, utc(2026, 1, 5, 0, 0), utc(2026, 1, 12, 0, 0)), 35 * HOUR);
    ck_assert_at(between(cal, mon_open, mon_open), 0);
    esc_calendar_free(cal);
}
END_TEST

/* After the last transition in the zone's file the footer rule is used. */
START_TEST(test_year_2100)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; sun 00:00-24:00; mon 09:00-17:00");
    ck_assert_at(between(cal, utc(2100, 3, 27, 23, 0), utc(2100, 3, 28, 22, 0)), 23 * HOUR);
    ck_assert_at(between(cal, utc(2100, 10, 30, 22, 0), utc(2100, 10, 31, 23, 0)), 25 * HOUR);
    ck_assert_at(next(cal, utc(2100, 3, 28, 22, 0)), utc(2100, 3, 29, 7, 0));  /* Mon 09:00 CEST */
    ck_assert_at(next(cal, utc(2100, 10, 31, 23, 0)), utc(2100, 11, 1, 8, 0)); /* Mon 09:00 CET */
    esc_calendar_free(cal);
}
END_TEST

/* ---- no working time, limits ------------------------------------------------------ */

START_TEST(test_no_hours)
{
    esc_calendar *cal = parse("tz=UTC; holiday 2026-01-01");
    int64_t out = 42;
    int yes = -1;
    ck_assert_rc(esc_calendar_add_business(&out, cal, T0, HOUR), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_business(&out, cal, T0, 0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_next_business(&out, cal, T0), ESC_EINVAL);
    ck_assert_int_eq(out, 42);
    ck_assert_rc(esc_calendar_business_between(&out, cal, T0, T0 + 30 * DAY), ESC_OK);
    ck_assert_int_eq(out, 0);
    ck_assert_rc(esc_calendar_is_business(&yes, cal, T0), ESC_OK);
    ck_assert_int_eq(yes, 0);
    esc_calendar_free(cal);
}
END_TEST

/* Hours, but every date a holiday: the search gives up at the horizon. */
START_TEST(test_holidays_everywhere)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; mon-sun 09:00-17:00");
    int64_t out = 42;
    for (int m = 1; m <= 12; m++)
        for (int d = 1; d <= 31; d++)
            if (!(d > 29 && m == 2) && !(d == 31 && (m == 4 || m == 6 || m == 9 || m == 11)))
                ck_assert_rc(esc_calendar_add_yearly_holiday(cal, m, d), ESC_OK);
    ck_assert_rc(esc_calendar_next_business(&out, cal, T0), ESC_ENOTFOUND);
    ck_assert_rc(esc_calendar_add_business(&out, cal, T0, MINUTE), ESC_ENOTFOUND);
    ck_assert_int_eq(out, 42);
    ck_assert(!is_business(cal, T0));
    ck_assert_at(between(cal, T0, T0 + 365 * DAY), 0);
    esc_calendar_free(cal);
}
END_TEST

START_TEST(test_horizon)
{
    esc_calendar *cal = parse("tz=UTC; mon 09:00-10:00");
    int64_t out = 0;
    /* One hour a week: 500 weeks fit in ten years, 600 do not. */
    ck_assert_at(add(cal, T0, 500 * HOUR - MINUTE), T0 + 499 * 7 * DAY + 59 * MINUTE);
    ck_assert_rc(esc_calendar_add_business(&out, cal, T0, 600 * HOUR), ESC_ENOTFOUND);
    ck_assert_rc(esc_calendar_add_business(&out, cal, T0, INT64_MAX), ESC_ENOTFOUND);
    int64_t span = (int64_t)ESC_CALENDAR_HORIZON_DAYS * DAY;
    ck_assert_rc(esc_calendar_business_between(&out, cal, T0, T0 + span), ESC_OK);
    ck_assert_rc(esc_calendar_business_between(&out, cal, T0, T0 + span + 1), ESC_EINVAL);
    esc_calendar_free(cal);
}
END_TEST

START_TEST(test_instant_range)
{
    esc_calendar *cal = parse("tz=Europe/Berlin; mon-sun 00:00-24:00");
    int64_t out = 0;
    int yes = 0;
    ck_assert_rc(esc_calendar_is_business(&yes, cal, ESC_CALENDAR_TIME_MIN), ESC_OK);
    ck_assert_rc(esc_calendar_is_business(&yes, cal, ESC_CALENDAR_TIME_MAX), ESC_OK);
    ck_assert_int_eq(yes, 1);
    ck_assert_rc(esc_calendar_is_business(&yes, cal, ESC_CALENDAR_TIME_MIN - 1), ESC_EINVAL);
    ck_assert_rc(esc_calendar_is_business(&yes, cal, ESC_CALENDAR_TIME_MAX + 1), ESC_EINVAL);
    ck_assert_rc(esc_calendar_next_business(&out, cal, INT64_MIN), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_business(&out, cal, INT64_MAX, 0), ESC_EINVAL);
    /* No answer lies beyond the range the calendar itself accepts. */
    ck_assert_rc(esc_calendar_add_business(&out, cal, ESC_CALENDAR_TIME_MAX, HOUR), ESC_ENOTFOUND);
    ck_assert_rc(esc_calendar_add_business(&out, cal, ESC_CALENDAR_TIME_MAX - HOUR, HOUR / 2), ESC_OK);
    ck_assert_at(out, ESC_CALENDAR_TIME_MAX - HOUR / 2);
    esc_calendar *weekdays = parse("tz=Europe/Berlin; mon-fri 09:00-17:00");
    ck_assert_rc(esc_calendar_next_business(&out, weekdays, ESC_CALENDAR_TIME_MAX), ESC_ENOTFOUND);
    ck_assert_rc(esc_calendar_next_business(&out, weekdays, ESC_CALENDAR_TIME_MAX - 8 * DAY), ESC_OK);
    ck_assert_int_le(out, ESC_CALENDAR_TIME_MAX);
    esc_calendar_free(weekdays);
    ck_assert_rc(esc_calendar_add_business(&out, cal, ESC_CALENDAR_TIME_MIN, HOUR), ESC_OK);
    ck_assert_rc(esc_calendar_business_between(&out, cal, T0, INT64_MAX), ESC_EINVAL);
    ck_assert_rc(esc_calendar_business_between(&out, cal, INT64_MIN, T0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_business_between(&out, cal, T0, T0 - 1), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_business(&out, cal, T0, -1), ESC_EINVAL);
    esc_calendar_free(cal);
}
END_TEST

/* ---- properties over random instants ---------------------------------------------- */

static const char *const property_specs[] = {
    "tz=Europe/Berlin; mon-fri 09:00-12:00,13:00-17:00; sat 10:00-12:00; sun 22:00-06:00; "
    "holiday 2026-03-30,2026-12-25; yearly 10-26",
    "tz=America/New_York; mon-fri 08:00-20:00; fri 22:00-30:00; sun 00:00-24:00",
    "tz=Australia/Sydney; mon-sun 01:30-02:30,02:45-03:15; wed 00:00-48:00",
    "tz=Australia/Lord_Howe; mon-fri 01:45-02:15,09:00-17:00; holiday 2026-10-05",
    "tz=Asia/Kolkata; mon-sat 10:00-18:30; yearly 01-26,08-15",
    "tz=Europe/Dublin; tue,thu 00:59-01:01,23:00-02:00",
};

/* Random ms in [lo, hi). */
static int64_t random_between(unsigned *seed, int64_t lo, int64_t hi)
{
    uint64_t r = (uint64_t)rand_r(seed) << 31 ^ (uint64_t)rand_r(seed);
    return lo + (int64_t)(r % (uint64_t)(hi - lo));
}

START_TEST(test_properties)
{
    esc_calendar *cal = parse(property_specs[_i]);
    unsigned seed = 4242 + (unsigned)_i;
    for (int round = 0; round < 200; round++) {
        /* Mostly 2026-2027, whose clock changes the specs aim at, some in 2100. */
        int64_t lo = round % 5 ? utc(2026, 1, 1, 0, 0) : utc(2099, 12, 1, 0, 0);
        int64_t from = random_between(&seed, lo, lo + 2 * 365 * DAY);
        int64_t to = from + random_between(&seed, 0, 40 * DAY);
        if (round % 7 == 0)   /* whole minutes: instants on the boundaries */
            from -= from % MINUTE, to -= to % MINUTE;
        int64_t b = between(cal, from, to);
        int64_t landed = add(cal, from, b);
        /* add(from, between(from, to)) is to, or the next opening after it. */
        ck_assert_msg(landed == next(cal, to), "%s: from %lld to %lld: between %lld, add %lld",
                      property_specs[_i], (long long)from, (long long)to, (long long)b,
                      (long long)landed);
        ck_assert(is_business(cal, landed));
        ck_assert_at(between(cal, from, landed), b);

        /* Between is additive. */
        int64_t mid = from + (to - from) / 3;
        ck_assert_at(between(cal, from, mid) + between(cal, mid, to), b);

        /* A random amount of working time: the deadline has exactly that much
         * before it, and nothing is left at it. */
        int64_t amount = random_between(&seed, 0, 50 * HOUR);
        int64_t deadline = add(cal, from, amount);
        ck_assert_at(between(cal, from, deadline), amount);
        ck_assert(is_business(cal, deadline));

        /* The next business instant: inside, with nothing in between. */
        int64_t n = next(cal, from);
        ck_assert(n >= from && is_business(cal, n));
        ck_assert_at(between(cal, from, n), 0);
        ck_assert(n == from || !is_business(cal, from));
    }
    esc_calendar_free(cal);
}
END_TEST

/* ---- the text form ----------------------------------------------------------------- */

typedef struct canonical_case {
    const char *spec;
    const char *canonical;
} canonical_case;

static const canonical_case canonical_cases[] = {
    { "tz=Europe/Berlin; mon-fri 09:00-17:00; sat 10:00-12:00; sun 22:00-06:00; "
      "holiday 2026-12-25; yearly 12-24",
      "tz=Europe/Berlin; mon-fri 09:00-17:00; sat 10:00-12:00; sun 22:00-06:00; "
      "holiday 2026-12-25; yearly 12-24" },
    { "  TZ = UTC ;MON,Tue , wed-FRI 9:00-12:00 ,13:00 - 17:00;; \n",
      "tz=UTC; mon-fri 09:00-12:00,13:00-17:00" },
    { "tz=UTC; fri-mon 10:00-11:00", "tz=UTC; mon,fri-sun 10:00-11:00" },
    { "tz=UTC; sun-sat 10:00-11:00", "tz=UTC; mon-sun 10:00-11:00" },
    { "tz=UTC; mon 09:00-12:00; mon 12:00-17:00; mon 16:00-18:00", "tz=UTC; mon 09:00-18:00" },
    { "tz=UTC; mon 00:00-24:00; mon 22:00-06:00", "tz=UTC; mon 00:00-30:00" },
    { "tz=UTC; sun 00:00-00:00", "tz=UTC; sun 00:00-24:00" },
    { "tz=UTC; sun 09:00-09:00", "tz=UTC; sun 09:00-09:00" },
    { "tz=UTC; sun 09:00-33:00", "tz=UTC; sun 09:00-09:00" },
    { "tz=UTC; wed 00:00-48:00", "tz=UTC; wed 00:00-48:00" },
    { "tz=UTC; sat 23:59-23:58", "tz=UTC; sat 23:59-23:58" },
    { "tz=UTC; mon,wed 08:00-12:00; tue 08:00-12:00,13:00-14:00",
      "tz=UTC; mon,wed 08:00-12:00; tue 08:00-12:00,13:00-14:00" },
    { "tz=UTC; holiday 2026-12-25, 2026-01-01,2026-12-25; yearly 12-25,02-29,1-1",
      "tz=UTC; holiday 2026-01-01,2026-12-25; yearly 01-01,02-29,12-25" },
    { "Monday 09:00-17:00; tz=Asia/Kolkata; SUNDAY 1:00-2:00",
      "tz=Asia/Kolkata; mon 09:00-17:00; sun 01:00-02:00" },
    { "tz=UTC", "tz=UTC" },
    { "tz=America/Argentina/Buenos_Aires;", "tz=America/Argentina/Buenos_Aires" },
};

START_TEST(test_canonical_form)
{
    const canonical_case *c = &canonical_cases[_i];
    esc_calendar *cal = parse(c->spec);
    char *text = format(cal);
    ck_assert_str_eq(text, c->canonical);
    /* The canonical text reads back to the same calendar. */
    esc_calendar *again = parse(text);
    char *text2 = format(again);
    ck_assert_str_eq(text2, text);
    esc_calendar_spec_free(text);
    esc_calendar_spec_free(text2);
    esc_calendar_free(cal);
    esc_calendar_free(again);
}
END_TEST

START_TEST(test_built_then_formatted)
{
    esc_calendar *cal = NULL;
    ck_assert_rc(esc_calendar_new(&cal, "Europe/Berlin"), ESC_OK);
    ck_assert_str_eq(esc_calendar_tz_name(cal), "Europe/Berlin");
    ck_assert_rc(esc_calendar_add_hours(cal, ESC_FRIDAY, 22 * 60, 30 * 60), ESC_OK);
    ck_assert_rc(esc_calendar_add_hours(cal, ESC_MONDAY, 9 * 60, 17 * 60), ESC_OK);
    ck_assert_rc(esc_calendar_add_hours(cal, ESC_MONDAY, 8 * 60, 10 * 60), ESC_OK);
    ck_assert_rc(esc_calendar_add_hours(cal, ESC_MONDAY, 18 * 60, 19 * 60), ESC_OK);
    ck_assert_rc(esc_calendar_add_hours(cal, ESC_MONDAY, 17 * 60, 18 * 60), ESC_OK);
    ck_assert_rc(esc_calendar_add_holiday(cal, 2026, 12, 25), ESC_OK);
    ck_assert_rc(esc_calendar_add_holiday(cal, 2026, 12, 25), ESC_OK);
    ck_assert_rc(esc_calendar_add_holiday(cal, 1, 1, 1), ESC_OK);
    ck_assert_rc(esc_calendar_add_yearly_holiday(cal, 2, 29), ESC_OK);
    char *text = format(cal);
    ck_assert_str_eq(text, "tz=Europe/Berlin; mon 08:00-19:00; fri 22:00-06:00; "
                           "holiday 0001-01-01,2026-12-25; yearly 02-29");
    esc_calendar_spec_free(text);
    esc_calendar_free(cal);
}
END_TEST

/* Random calendars built through the API survive format and parse. */
START_TEST(test_random_round_trip)
{
    static const char *const zones[] = { "UTC", "Europe/Berlin", "Australia/Lord_Howe" };
    unsigned seed = 777;
    for (int round = 0; round < 200; round++) {
        esc_calendar *cal = NULL;
        ck_assert_rc(esc_calendar_new(&cal, zones[round % 3]), ESC_OK);
        int intervals = rand_r(&seed) % 12;
        for (int i = 0; i < intervals; i++) {
            int start = rand_r(&seed) % ESC_CALENDAR_DAY_MINUTES;
            int end = start + 1 + rand_r(&seed) % (ESC_CALENDAR_END_MAX - start);
            ck_assert_rc(esc_calendar_add_hours(cal, rand_r(&seed) % 7, start, end), ESC_OK);
        }
        for (int i = rand_r(&seed) % 4; i > 0; i--)
            ck_assert_rc(esc_calendar_add_holiday(cal, 1 + rand_r(&seed) % 9999,
                                                  1 + rand_r(&seed) % 12,
                                                  1 + rand_r(&seed) % 28), ESC_OK);
        for (int i = rand_r(&seed) % 4; i > 0; i--)
            ck_assert_rc(esc_calendar_add_yearly_holiday(cal, 1 + rand_r(&seed) % 12,
                                                         1 + rand_r(&seed) % 29), ESC_OK);
        char *text = format(cal);
        esc_calendar *again = parse(text);
        char *text2 = format(again);
        ck_assert_str_eq(text2, text);
        /* Same calendar, same answers. */
        int64_t t = utc(2026, 1, 1, 0, 0) + round * 3 * DAY;
        int64_t b1 = -1, b2 = -2;
        ck_assert_rc(esc_calendar_business_between(&b1, cal, t, t + 20 * DAY), ESC_OK);
        ck_assert_rc(esc_calendar_business_between(&b2, again, t, t + 20 * DAY), ESC_OK);
        ck_assert_int_eq(b1, b2);
        esc_calendar_spec_free(text);
        esc_calendar_spec_free(text2);
        esc_calendar_free(cal);
        esc_calendar_free(again);
    }
}
END_TEST

typedef struct bad_spec {
    const char *spec;
    int code;
    const char *message;   /* must appear in the message */
} bad_spec;

static const bad_spec bad_specs[] = {
    { "", ESC_EINVAL, "the calendar spec is empty" },
    { " ; ; ", ESC_EINVAL, "no tz=ZONE item" },
    { "mon-fri 09:00-17:00", ESC_EINVAL, "no tz=ZONE item" },
    { "tz=Europe/Berlin; tz=UTC", ESC_EINVAL, "item 2 \"tz=UTC\": a second tz= (item 1 has one)" },
    { "tz=Europe/Atlantis", ESC_ENOTFOUND, "item 1: unknown time zone \"Europe/Atlantis\"" },
    { "tz=../../etc/passwd", ESC_EINVAL, "bad zone name \"../../etc/passwd\"" },
    { "tz=/etc/passwd", ESC_EINVAL, "bad zone name \"/etc/passwd\"" },
    { "tz=Europe/Ber lin", ESC_EINVAL, "bad zone name \"Europe/Ber lin\"" },
    { "tz=", ESC_EINVAL, "item 1 \"tz=\": an IANA zone name" },
    { "tz Europe/Berlin", ESC_EINVAL, "unexpected \"Europe\" (expected '=' after tz)" },
    { "tz=UTC; sun 22:00-6", ESC_EINVAL, "item 2 \"sun 22:00-6\": bad time \"6\" (expected HH:MM" },
    { "tz=UTC; sun 25:00-26:00", ESC_EINVAL, "bad time \"25:00\"" },
    { "tz=UTC; sun 10:00-49:00", ESC_EINVAL, "bad time \"49:00\"" },
    { "tz=UTC; sun 10:00-48:01", ESC_EINVAL, "bad time \"48:01\"" },
    { "tz=UTC; sun 24:00-25:00", ESC_EINVAL, "bad time \"24:00\"" },
    { "tz=UTC; sun 9:5-10:00", ESC_EINVAL, "bad time \"9:5\"" },
    { "tz=UTC; sun 009:00-10:00", ESC_EINVAL, "bad time \"009:00\"" },
    { "tz=UTC; sun 9:00:00-10:00", ESC_EINVAL, "bad time \"9:00:00\"" },
    { "tz=UTC; sun 09:00 17:00", ESC_EINVAL, "unexpected \"17:00\" (expected '-'" },
    { "tz=UTC; funday 09:00-17:00", ESC_EINVAL, "unexpected \"funday\"" },
    { "tz=UTC; mon-funday 09:00-17:00", ESC_EINVAL, "unknown day \"funday\"" },
    { "tz=UTC; mon,", ESC_EINVAL, "item 2 \"mon,\": a day: mon, tue" },
    { "tz=UTC; mon", ESC_EINVAL, "HH:MM from 00:00 to 23:59 missing at the end" },
    { "tz=UTC; mon 09:00-", ESC_EINVAL, "HH:MM up to 48:00 missing at the end" },
    { "tz=UTC; mon 09:00-17:00 x", ESC_EINVAL, "unexpected \"x\"" },
    { "tz=UTC; mon 09:00-17:00,", ESC_EINVAL, "missing at the end" },
    { "tz=UTC; holiday 2026-02-30", ESC_EINVAL, "no such date \"2026-02-30\"" },
    { "tz=UTC; holiday 0000-01-01", ESC_EINVAL, "no such date \"0000-01-01\"" },
    { "tz=UTC; holiday 26-12-25", ESC_EINVAL, "bad date \"26\" (expected YYYY-MM-DD)" },
    { "tz=UTC; holiday 2026/12/25", ESC_EINVAL, "bad date \"2026/\"" },
    { "tz=UTC; holiday 2026-12-251", ESC_EINVAL, "bad date \"2026-12-251\"" },
    { "tz=UTC; holiday 2026-12", ESC_EINVAL, "bad date \"2026-12\"" },
    { "tz=UTC; holiday", ESC_EINVAL, "YYYY-MM-DD missing at the end" },
    { "tz=UTC; holiday 2026-12-25 2026-12-26", ESC_EINVAL, "unexpected \"2026\"" },
    { "tz=UTC; yearly 02-30", ESC_EINVAL, "no such date \"02-30\"" },
    { "tz=UTC; yearly 13-01", ESC_EINVAL, "no such date \"13-01\"" },
    { "tz=UTC; yearly 2026-12-25", ESC_EINVAL, "bad date \"2026\" (expected MM-DD)" },
    { "tz=UTC; mon 09:00-17:00 \xe2\x82\xac", ESC_EINVAL, "unexpected \"\xe2\x82\xac\"" },
    { "tz=UTC; mon\x01 09:00-17:00", ESC_EINVAL, "contains control characters" },
    { "tz=UTC; mon \xff", ESC_EINVAL, "is not valid UTF-8" },
    { "tz=UTC; \xc0\xaf", ESC_EINVAL, "is not valid UTF-8" },
};

START_TEST(test_bad_spec)
{
    const bad_spec *b = &bad_specs[_i];
    char err[ESC_CALENDAR_ERRMSG_MAX];
    esc_calendar *cal = not_null;   /* must be reset to NULL */
    int rc = esc_calendar_parse(&cal, b->spec, err, sizeof err);
    ck_assert_msg(rc == b->code, "\"%s\": %s (%s), expected %s", b->spec, esc_status_name(rc),
                  err, esc_status_name(b->code));
    ck_assert_ptr_null(cal);
    ck_assert_msg(strstr(err, b->message) != NULL, "\"%s\": message \"%s\" lacks \"%s\"",
                  b->spec, err, b->message);
    /* Without a buffer the verdict is the same. */
    ck_assert_int_eq(esc_calendar_parse(&cal, b->spec, NULL, 0), b->code);
    ck_assert_ptr_null(cal);
}
END_TEST

/* 1 when s does not end inside a UTF-8 sequence. */
static int ends_whole(const char *s)
{
    size_t len = strlen(s), cont = 0;
    while (cont < len && ((unsigned char)s[len - 1 - cont] & 0xC0) == 0x80)
        cont++;
    if (cont == len)
        return cont == 0;
    unsigned char lead = (unsigned char)s[len - 1 - cont];
    size_t need = lead < 0x80 ? 0 : lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
    return cont == need;
}

/* Messages fit ESC_CALENDAR_ERRMSG_MAX whatever the spec quotes. */
START_TEST(test_long_words_fit_the_message)
{
    char spec[400], err[ESC_CALENDAR_ERRMSG_MAX];
    memcpy(spec, "tz=", 3);
    memset(spec + 3, 'Z', 255);
    snprintf(spec + 258, sizeof spec - 258, "; mon 09:00-17:00");
    esc_calendar *cal = NULL;
    ck_assert_rc(esc_calendar_parse(&cal, spec, err, sizeof err), ESC_ENOTFOUND);
    ck_assert_uint_lt(strlen(err), sizeof err - 1);  /* whole, not cut at the buffer's end */
    ck_assert_ptr_nonnull(strstr(err, "unknown time zone"));
}
END_TEST

START_TEST(test_bad_spec_messages)
{
    char err[ESC_CALENDAR_ERRMSG_MAX];
    char small[12];
    esc_calendar *cal = NULL;

    /* A long item is quoted in part, never cut inside a character. */
    char spec[600] = "tz=UTC; mon 09:00-17:00 ";
    for (int i = 0; i < 100; i++)
        strcat(spec, "\xc3\xa4");
    ck_assert_rc(esc_calendar_parse(&cal, spec, err, sizeof err), ESC_EINVAL);
    ck_assert(strlen(err) < sizeof err - 1);
    ck_assert_msg(ends_whole(err) && strstr(err, "unexpected") != NULL, "%s", err);

    /* A small buffer gets a truncated, terminated message. */
    memset(small, 'x', sizeof small);
    ck_assert_rc(esc_calendar_parse(&cal, "tz=UTC; mon", small, sizeof small), ESC_EINVAL);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    ck_assert_rc(esc_calendar_parse(&cal, "tz=UTC; mon", small, 1), ESC_EINVAL);
    ck_assert_str_eq(small, "");

    /* Success leaves "". */
    strcpy(err, "stale");
    esc_calendar_free(parse("tz=UTC"));
    ck_assert_rc(esc_calendar_parse(&cal, "tz=UTC", err, sizeof err), ESC_OK);
    ck_assert_str_eq(err, "");
    esc_calendar_free(cal);

    ck_assert_rc(esc_calendar_parse(NULL, "tz=UTC", err, sizeof err), ESC_EINVAL);
    ck_assert_str_eq(err, "out is NULL");
    ck_assert_rc(esc_calendar_parse(&cal, NULL, err, sizeof err), ESC_EINVAL);
    ck_assert_str_eq(err, "the calendar spec is NULL");

    /* Longer than ESC_LONG_TEXT_MAX. */
    size_t n = ESC_LONG_TEXT_MAX + 1;
    char *huge = malloc(n + 1);
    ck_assert_ptr_nonnull(huge);
    memset(huge, ';', n);
    memcpy(huge, "tz=UTC", 6);
    huge[n] = '\0';
    ck_assert_rc(esc_calendar_parse(&cal, huge, err, sizeof err), ESC_EINVAL);
    ck_assert_msg(strstr(err, "longer than the limit") != NULL, "%s", err);
    huge[n - 1] = '\0';   /* exactly at the limit: fine */
    ck_assert_rc(esc_calendar_parse(&cal, huge, err, sizeof err), ESC_OK);
    esc_calendar_free(cal);
    free(huge);
}
END_TEST

/* ---- bad arguments ------------------------------------------------------------------ */

START_TEST(test_new_bad_zones)
{
    static const char *const hostile[] = { "", "../../etc/passwd", "/etc/localtime",
                                           "Europe/../../../../etc/shadow", "Europe//Berlin",
                                           "Europe/Berlin\n", "Europe/Z\xc3\xbcrich", "." };
    esc_calendar *cal = not_null;
    char name[300];

    for (size_t i = 0; i < COUNT_OF(hostile); i++) {
        ck_assert_msg(esc_calendar_new(&cal, hostile[i]) == ESC_EINVAL, "\"%s\"", hostile[i]);
        ck_assert_ptr_null(cal);
    }
    memset(name, 'A', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    ck_assert_rc(esc_calendar_new(&cal, name), ESC_EINVAL);
    ck_assert_rc(esc_calendar_new(&cal, "Europe/Atlantis"), ESC_ENOTFOUND);
    ck_assert_rc(esc_calendar_new(&cal, "Europe"), ESC_ENOTFOUND);
    ck_assert_rc(esc_calendar_new(&cal, NULL), ESC_EINVAL);
    ck_assert_rc(esc_calendar_new(NULL, "UTC"), ESC_EINVAL);
    ck_assert_ptr_null(cal);
}
END_TEST

START_TEST(test_add_bad_arguments)
{
    esc_calendar *cal = NULL;
    ck_assert_rc(esc_calendar_new(&cal, "UTC"), ESC_OK);

    ck_assert_rc(esc_calendar_add_hours(cal, -1, 0, 60), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_hours(cal, 7, 0, 60), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_hours(cal, 1, -1, 60), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_hours(cal, 1, 1440, 1500), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_hours(cal, 1, 600, 600), ESC_EINVAL);   /* zero length */
    ck_assert_rc(esc_calendar_add_hours(cal, 1, 600, 599), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_hours(cal, 1, 600, 2881), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_hours(NULL, 1, 0, 60), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_hours(cal, 1, 1439, 2880), ESC_OK);

    ck_assert_rc(esc_calendar_add_holiday(cal, 2026, 2, 29), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_holiday(cal, 0, 1, 1), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_holiday(cal, 10000, 1, 1), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_holiday(cal, 2026, 13, 1), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_holiday(cal, 2026, 4, 31), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_holiday(NULL, 2026, 1, 1), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_holiday(cal, 2024, 2, 29), ESC_OK);

    ck_assert_rc(esc_calendar_add_yearly_holiday(cal, 2, 30), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_yearly_holiday(cal, 0, 1), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_yearly_holiday(cal, 13, 1), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_yearly_holiday(cal, 4, 31), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_yearly_holiday(cal, 1, 0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_yearly_holiday(cal, 1, 32), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_yearly_holiday(NULL, 1, 1), ESC_EINVAL);

    /* Refusals changed nothing. */
    char *text = format(cal);
    ck_assert_str_eq(text, "tz=UTC; mon 23:59-48:00; holiday 2024-02-29");
    esc_calendar_spec_free(text);
    esc_calendar_free(cal);
}
END_TEST

START_TEST(test_null_calendar)
{
    int64_t out = 42;
    int yes = 7;
    char *text = &not_null_target;
    esc_calendar *cal = parse("tz=UTC; mon 09:00-17:00");

    ck_assert_rc(esc_calendar_is_business(&yes, NULL, T0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_is_business(NULL, cal, T0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_next_business(&out, NULL, T0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_next_business(NULL, cal, T0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_business(&out, NULL, T0, 0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_add_business(NULL, cal, T0, 0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_business_between(&out, NULL, T0, T0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_business_between(NULL, cal, T0, T0), ESC_EINVAL);
    ck_assert_rc(esc_calendar_format(&text, NULL), ESC_EINVAL);
    ck_assert_ptr_null(text);
    ck_assert_rc(esc_calendar_format(NULL, cal), ESC_EINVAL);
    ck_assert_int_eq(out, 42);
    ck_assert_int_eq(yes, 7);
    ck_assert_str_eq(esc_calendar_tz_name(NULL), "");
    esc_calendar_free(NULL);
    esc_calendar_spec_free(NULL);
    esc_calendar_free(cal);
}
END_TEST

/* ---- main -------------------------------------------------------------------------- */

static Suite *calendar_suite(void)
{
    Suite *s = suite_create("calendar");
    TCase *tc;

    tc = tcase_create("deadlines");
    tcase_add_test(tc, test_friday_berlin_monday_holiday);
    tcase_add_test(tc, test_friday_berlin_dst_weekends);
    tcase_add_test(tc, test_berlin_short_and_long_days);
    tcase_add_test(tc, test_new_york);
    tcase_add_test(tc, test_sydney);
    tcase_add_test(tc, test_half_hour_zones);
    tcase_add_test(tc, test_overnight_dst);
    tcase_add_test(tc, test_overnight_holidays);
    tcase_add_test(tc, test_overlapping_days);
    tcase_add_test(tc, test_yearly_and_one_off_holidays);
    tcase_add_test(tc, test_empty_days_and_dst_boundaries);
    tcase_add_test(tc, test_weekends_and_edges);
    tcase_add_test(tc, test_year_2100);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_test(tc, test_no_hours);
    tcase_add_test(tc, test_holidays_everywhere);
    tcase_add_test(tc, test_horizon);
    tcase_add_test(tc, test_instant_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("properties");
    tcase_add_loop_test(tc, test_properties, 0, (int)COUNT_OF(property_specs));
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_loop_test(tc, test_canonical_form, 0, (int)COUNT_OF(canonical_cases));
    tcase_add_test(tc, test_built_then_formatted);
    tcase_add_test(tc, test_random_round_trip);
    tcase_add_loop_test(tc, test_bad_spec, 0, (int)COUNT_OF(bad_specs));
    tcase_add_test(tc, test_bad_spec_messages);
    tcase_add_test(tc, test_long_words_fit_the_message);
    suite_add_tcase(s, tc);

    tc = tcase_create("arguments");
    tcase_add_test(tc, test_new_bad_zones);
    tcase_add_test(tc, test_add_bad_arguments);
    tcase_add_test(tc, test_null_calendar);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return test_run(calendar_suite());
}
