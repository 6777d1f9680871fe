/*
 * test_tz.c — owns the tests of the time zone reader (libescalate/tz*.c)
 * and of the date arithmetic under it (libescalate/civil.c): zone names
 * that must be refused, offsets and local-to-UTC conversions compared with
 * zdump, the POSIX footer rule in all its forms, and TZif files that are
 * truncated, lying or random, which must give ESC_ECORRUPT and never a
 * crash.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civil.h"
#include "escalate.h"
#include "testutil.h"
#include "tz.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static esc_tz *must_load(const char *name)
{
    esc_tz *tz = NULL;
    int rc = esc__tz_load(&tz, name);
    ck_assert_msg(rc == ESC_OK, "loading %s: %s", name, esc_status_name(rc));
    return tz;
}

/* ---- civil.c ------------------------------------------------------------------- */

START_TEST(test_civil_known_days)
{
    ck_assert_int_eq(esc__civil_to_days(1970, 1, 1), 0);
    ck_assert_int_eq(esc__civil_to_days(2000, 3, 1), 11017);
    ck_assert_int_eq(esc__civil_to_days(1, 1, 1), -719162);
    ck_assert_int_eq(esc__civil_to_days(1969, 12, 31), -1);
    ck_assert_int_eq(esc__civil_to_days(2026, 1, 5), 20458);
    ck_assert_int_eq(esc__civil_weekday(0), ESC_THURSDAY);
    ck_assert_int_eq(esc__civil_weekday(-1), ESC_WEDNESDAY);
    ck_assert_int_eq(esc__civil_weekday(20458), ESC_MONDAY);
    ck_assert_int_eq(esc__civil_weekday(esc__civil_to_days(2100, 3, 28)), ESC_SUNDAY);
    ck_assert(esc__civil_is_leap(2000) && esc__civil_is_leap(2024));
    ck_assert(!esc__civil_is_leap(1900) && !esc__civil_is_leap(2100) && !esc__civil_is_leap(2026));
    ck_assert_int_eq(esc__civil_days_in_month(2024, 2), 29);
    ck_assert_int_eq(esc__civil_days_in_month(2026, 2), 28);
    ck_assert_int_eq(esc__civil_days_in_month(2026, 13), 0);
    ck_assert(!esc__civil_valid(2026, 2, 29) && esc__civil_valid(2024, 2, 29));
    ck_assert(!esc__civil_valid(2026, 4, 31) && !esc__civil_valid(2026, 0, 1));
    ck_assert_int_eq(esc__floor_div(-1, 86400), -1);
    ck_assert_int_eq(esc__floor_mod(-1, 7), 6);
}
END_TEST

/* Every day from year -2000 to 12000 goes to a date and back, and dates
 * follow each other.  (Plain ifs: a Check assertion per day is slow.) */
START_TEST(test_civil_round_trip)
{
    int64_t first = esc__civil_to_days(-2000, 1, 1), last = esc__civil_to_days(12000, 12, 31);
    esc_civil_date prev = esc__civil_from_days(first - 1);
    for (int64_t d = first; d <= last; d++) {
        esc_civil_date date = esc__civil_from_days(d);
        int follows = date.day == 1 ? date.month == prev.month % 12 + 1 &&
                                          prev.day == esc__civil_days_in_month(prev.year, prev.month)
                                    : date.day == prev.day + 1 && date.month == prev.month;
        if (!esc__civil_valid(date.year, date.month, date.day) || !follows ||
            esc__civil_to_days(date.year, date.month, date.day) != d)
            ck_abort_msg("day %lld: %lld-%02d-%02d", (long long)d, (long long)date.year,
                         date.month, date.day);
        prev = date;
    }
}
END_TEST

/* ---- zone names ---------------------------------------------------------------- */

static const char *const good_names[] = {
    "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "Etc/GMT-14", "UTC",
    "America/Port-au-Prince", "a",
};

static const char *const bad_names[] = {
    "", "/etc/passwd", "../../etc/passwd", "Europe/../../../etc/passwd", "..", "Europe/..",
    "Europe//Berlin", "Europe/Berlin/", "/", "Europe/Berlin.bak", "./UTC", "Europe/Ber lin",
    "Europe\\Berlin", "Europe/Z\xc3\xbcrich", "Europe/Berlin\n", "Europe/\x01", "~root", "UTC;",
    "$HOME", "Europe/*",
};

START_TEST(test_name_valid)
{
    char longest[ESC_TZ_NAME_MAX + 2];

    for (size_t i = 0; i < COUNT_OF(good_names); i++)
        ck_assert_msg(esc__tz_name_valid(good_names[i]), "%s refused", good_names[i]);
    for (size_t i = 0; i < COUNT_OF(bad_names); i++)
        ck_assert_msg(!esc__tz_name_valid(bad_names[i]), "\"%s\" accepted", bad_names[i]);
    ck_assert(!esc__tz_name_valid(NULL));

    memset(longest, 'a', sizeof longest);
    longest[ESC_TZ_NAME_MAX] = '\0';
    ck_assert(esc__tz_name_valid(longest));
    longest[ESC_TZ_NAME_MAX] = 'a';
    longest[ESC_TZ_NAME_MAX + 1] = '\0';
    ck_assert(!esc__tz_name_valid(longest));
}
END_TEST

START_TEST(test_load_bad_names)
{
    char *huge = malloc(100001);
    ck_assert_ptr_nonnull(huge);
    memset(huge, 'A', 100000);
    huge[100000] = '\0';

    for (size_t i = 0; i < COUNT_OF(bad_names); i++) {
        static esc_tz not_null;
        esc_tz *tz = &not_null;   /* must be reset to NULL */
        ck_assert_int_eq(esc__tz_load(&tz, bad_names[i]), ESC_EINVAL);
        ck_assert_ptr_null(tz);
    }
    esc_tz *tz = NULL;
    ck_assert_int_eq(esc__tz_load(&tz, huge), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_load(&tz, NULL), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_load(NULL, "UTC"), ESC_EINVAL);
    free(huge);
}
END_TEST

START_TEST(test_load_unknown)
{
    static const char *const unknown[] = { "Europe/Atlantis", "Nowhere", "Europe",
                                           "Europe/Berlin/Mitte", "Etc/GMT+99" };
    for (size_t i = 0; i < COUNT_OF(unknown); i++) {
        esc_tz *tz = NULL;
        ck_assert_msg(esc__tz_load(&tz, unknown[i]) == ESC_ENOTFOUND, "%s", unknown[i]);
        ck_assert_ptr_null(tz);
    }
}
END_TEST

/* The right/ zones count leap seconds: refused rather than misread. */
START_TEST(test_load_leap_second_zone)
{
    esc_tz *tz = NULL;
    if (access(ESC_TZ_DIR "/right/UTC", R_OK) != 0)
        return;   /* tzdata without the right/ tree */
    ck_assert_int_eq(esc__tz_load(&tz, "right/UTC"), ESC_EINVAL);
    ck_assert_ptr_null(tz);
}
END_TEST

/* ---- offsets, compared with zdump ------------------------------------------------ */

/* Transitions as zdump reports them: the offset one second before and at
 * the instant.  Produced with
 *     zdump -V -c 2026,2027 ZONE   and   zdump -V -c 2100,2101 ZONE
 * (and the historical ranges named in the comments) from tzdata 2025b:
 * each pair of lines "T-1 UT = ... gmtoff=B" / "T UT = ... gmtoff=A" is
 * one row.  The 2100 rows lie after the last transition in the files, so
 * they check the footer rule. */
typedef struct transition {
    const char *zone;
    int64_t at;
    int32_t before;
    int32_t after;
} transition;

static const transition zdump_transitions[] = {
    { "Europe/Berlin", INT64_C(1774746000), 3600, 7200 },  /* 2026-03-29 01:00:00 UTC */
    { "Europe/Berlin", INT64_C(1792890000), 7200, 3600 },  /* 2026-10-25 01:00:00 UTC */
    { "Europe/Berlin", INT64_C(4109878800), 3600, 7200 },  /* 2100-03-28 01:00:00 UTC */
    { "Europe/Berlin", INT64_C(4128627600), 7200, 3600 },  /* 2100-10-31 01:00:00 UTC */
    { "America/New_York", INT64_C(1772953200), -18000, -14400 },  /* 2026-03-08 07:00:00 UTC */
    { "America/New_York", INT64_C(1793512800), -14400, -18000 },  /* 2026-11-01 06:00:00 UTC */
    { "America/New_York", INT64_C(4108690800), -18000, -14400 },  /* 2100-03-14 07:00:00 UTC */
    { "America/New_York", INT64_C(4129250400), -14400, -18000 },  /* 2100-11-07 06:00:00 UTC */
    { "Australia/Sydney", INT64_C(1775318400), 39600, 36000 },  /* 2026-04-04 16:00:00 UTC */
    { "Australia/Sydney", INT64_C(1791043200), 36000, 39600 },  /* 2026-10-03 16:00:00 UTC */
    { "Australia/Sydney", INT64_C(4110451200), 39600, 36000 },  /* 2100-04-03 16:00:00 UTC */
    { "Australia/Sydney", INT64_C(4126176000), 36000, 39600 },  /* 2100-10-02 16:00:00 UTC */
    { "Australia/Adelaide", INT64_C(1775320200), 37800, 34200 },  /* 2026-04-04 16:30:00 UTC */
    { "Australia/Adelaide", INT64_C(1791045000), 34200, 37800 },  /* 2026-10-03 16:30:00 UTC */
    { "Australia/Adelaide", INT64_C(4110453000), 37800, 34200 },  /* 2100-04-03 16:30:00 UTC */
    { "Australia/Adelaide", INT64_C(4126177800), 34200, 37800 },  /* 2100-10-02 16:30:00 UTC */
    { "Australia/Lord_Howe", INT64_C(1775314800), 39600, 37800 },  /* 2026-04-04 15:00:00 UTC */
    { "Australia/Lord_Howe", INT64_C(1791041400), 37800, 39600 },  /* 2026-10-03 15:30:00 UTC */
    { "Australia/Lord_Howe", INT64_C(4110447600), 39600, 37800 },  /* 2100-04-03 15:00:00 UTC */
    { "Australia/Lord_Howe", INT64_C(4126174200), 37800, 39600 },  /* 2100-10-02 15:30:00 UTC */
    { "Europe/Dublin", INT64_C(1774746000), 0, 3600 },  /* 2026-03-29 01:00:00 UTC */
    { "Europe/Dublin", INT64_C(1792890000), 3600, 0 },  /* 2026-10-25 01:00:00 UTC */
    { "Europe/Dublin", INT64_C(4109878800), 0, 3600 },  /* 2100-03-28 01:00:00 UTC */
    { "Europe/Dublin", INT64_C(4128627600), 3600, 0 },  /* 2100-10-31 01:00:00 UTC */
    { "America/Nuuk", INT64_C(1774746000), -7200, -3600 },  /* 2026-03-29 01:00:00 UTC */
    { "America/Nuuk", INT64_C(1792890000), -3600, -7200 },  /* 2026-10-25 01:00:00 UTC */
    { "America/Nuuk", INT64_C(4109878800), -7200, -3600 },  /* 2100-03-28 01:00:00 UTC */
    { "America/Nuuk", INT64_C(4128627600), -3600, -7200 },  /* 2100-10-31 01:00:00 UTC */
    { "Asia/Jerusalem", INT64_C(1774569600), 7200, 10800 },  /* 2026-03-27 00:00:00 UTC */
    { "Asia/Jerusalem", INT64_C(1792882800), 10800, 7200 },  /* 2026-10-24 23:00:00 UTC */
    { "Asia/Jerusalem", INT64_C(4109702400), 7200, 10800 },  /* 2100-03-26 00:00:00 UTC */
    { "Asia/Jerusalem", INT64_C(4128620400), 10800, 7200 },  /* 2100-10-30 23:00:00 UTC */
    { "Asia/Kolkata", INT64_C(-891581400), 19800, 23400 },  /* 1941-09-30 18:30:00 UTC */
    { "Asia/Kolkata", INT64_C(-872058600), 23400, 19800 },  /* 1942-05-14 17:30:00 UTC */
    { "Asia/Kolkata", INT64_C(-862637400), 19800, 23400 },  /* 1942-08-31 18:30:00 UTC */
    { "Asia/Kolkata", INT64_C(-764145000), 23400, 19800 },  /* 1945-10-14 17:30:00 UTC */
    { "Europe/Berlin", INT64_C(-781052400), 3600, 7200 },  /* 1945-04-02 01:00:00 UTC */
    { "Europe/Berlin", INT64_C(-776563200), 7200, 10800 },  /* 1945-05-24 00:00:00 UTC */
    { "Europe/Berlin", INT64_C(-765936000), 10800, 7200 },  /* 1945-09-24 00:00:00 UTC */
    { "Europe/Berlin", INT64_C(-761180400), 7200, 3600 },  /* 1945-11-18 01:00:00 UTC */
    { "America/New_York", INT64_C(-2717650800), -17762, -18000 },  /* 1883-11-18 17:00:00 UTC */
};

START_TEST(test_zdump_offsets)
{
    const transition *t = &zdump_transitions[_i];
    esc_tz *tz = must_load(t->zone);
    ck_assert_msg(esc__tz_offset(tz, t->at - 1) == t->before, "%s at %lld - 1: %d, zdump %d",
                  t->zone, (long long)t->at, esc__tz_offset(tz, t->at - 1), t->before);
    ck_assert_msg(esc__tz_offset(tz, t->at) == t->after, "%s at %lld: %d, zdump %d", t->zone,
                  (long long)t->at, esc__tz_offset(tz, t->at), t->after);
    /* Far from the transition the offsets hold too (none of these zones
     * changes twice within six hours). */
    ck_assert_int_eq(esc__tz_offset(tz, t->at - 6 * 3600), t->before);
    ck_assert_int_eq(esc__tz_offset(tz, t->at + 6 * 3600), t->after);
    esc__tz_free(tz);
}
END_TEST

/* Around each zdump transition, every local time in the two hours either
 * side converts to the instant the documented rules give: the only
 * reading, the earlier one in an overlap, the later one shifted by the gap
 * (SHIFT) or the transition itself (CLAMP) in a gap. */
START_TEST(test_zdump_local_to_utc)
{
    const transition *t = &zdump_transitions[_i];
    esc_tz *tz = must_load(t->zone);
    for (int64_t d = -2 * 3600; d <= 2 * 3600; d += 60) {
        int64_t local = t->at + t->before + d;
        int64_t in_before = local - t->before, in_after = local - t->after;
        int64_t shift, clamp;
        if (in_before < t->at) {
            shift = clamp = in_before;             /* read before the change (first, if twice) */
        } else if (in_after >= t->at) {
            shift = clamp = in_after;              /* only after it */
        } else {
            shift = in_before;                     /* skipped: the gap */
            clamp = t->at;
        }
        ck_assert_msg(esc__tz_local_to_utc(tz, local, ESC_TZ_GAP_SHIFT) == shift,
                      "%s: local %lld", t->zone, (long long)local);
        ck_assert_msg(esc__tz_local_to_utc(tz, local, ESC_TZ_GAP_CLAMP) == clamp,
                      "%s: local %lld (clamp)", t->zone, (long long)local);
    }
    esc__tz_free(tz);
}
END_TEST

/* Wall times written out, with the instants zdump (and Python's zoneinfo,
 * fold=0) give for them. */
typedef struct wall_case {
    const char *zone;
    int year, month, day, hour, minute;
    int64_t shift;   /* esc__tz_civil_to_utc */
    int64_t clamp;   /* ESC_TZ_GAP_CLAMP, which differs in gaps only */
    const char *why;
} wall_case;

static const wall_case wall_cases[] = {
    { "Europe/Berlin", 2026, 3, 29, 1, 59, 1774745940, 1774745940, "last CET minute" },
    { "Europe/Berlin", 2026, 3, 29, 2, 0, 1774746000, 1774746000, "gap start" },
    { "Europe/Berlin", 2026, 3, 29, 2, 30, 1774747800, 1774746000, "gap: 03:30 CEST" },
    { "Europe/Berlin", 2026, 3, 29, 3, 0, 1774746000, 1774746000, "first CEST minute" },
    { "Europe/Berlin", 2026, 10, 25, 1, 59, 1792886340, 1792886340, "before the overlap" },
    { "Europe/Berlin", 2026, 10, 25, 2, 0, 1792886400, 1792886400, "overlap: CEST" },
    { "Europe/Berlin", 2026, 10, 25, 2, 30, 1792888200, 1792888200, "overlap: CEST" },
    { "Europe/Berlin", 2026, 10, 25, 3, 0, 1792893600, 1792893600, "after the overlap" },
    { "America/New_York", 2026, 3, 8, 1, 30, 1772951400, 1772951400, "EST" },
    { "America/New_York", 2026, 3, 8, 2, 30, 1772955000, 1772953200, "gap: 03:30 EDT" },
    { "America/New_York", 2026, 3, 8, 3, 30, 1772955000, 1772955000, "EDT" },
    { "America/New_York", 2026, 11, 1, 1, 30, 1793511000, 1793511000, "overlap: EDT" },
    { "America/New_York", 2026, 11, 1, 2, 0, 1793516400, 1793516400, "EST" },
    { "Australia/Sydney", 2026, 10, 4, 2, 30, 1791045000, 1791043200, "gap: 03:30 AEDT" },
    { "Australia/Sydney", 2026, 4, 5, 2, 30, 1775316600, 1775316600, "overlap: AEDT" },
    { "Australia/Adelaide", 2026, 10, 4, 2, 15, 1791045900, 1791045000, "gap, +09:30" },
    { "Australia/Adelaide", 2026, 4, 5, 2, 15, 1775317500, 1775317500, "overlap: ACDT" },
    { "Australia/Lord_Howe", 2026, 10, 4, 2, 15, 1791042300, 1791041400, "half-hour gap" },
    { "Australia/Lord_Howe", 2026, 4, 5, 1, 45, 1775313900, 1775313900, "half-hour overlap" },
    { "Asia/Kolkata", 2026, 6, 1, 12, 0, 1780295400, 1780295400, "IST, +05:30" },
    { "Asia/Kolkata", 1941, 10, 1, 0, 30, -891579600, -891581400, "1941 gap, +06:30" },
    { "Europe/Berlin", 2100, 3, 28, 2, 30, 4109880600, 4109878800, "footer rule: gap" },
    { "Europe/Berlin", 2100, 10, 31, 2, 30, 4128625800, 4128625800, "footer rule: overlap" },
    { "America/New_York", 2100, 3, 14, 2, 30, 4108692600, 4108690800, "footer rule: gap" },
    { "Europe/Dublin", 2026, 3, 29, 1, 30, 1774747800, 1774746000, "negative DST: gap" },
    { "Europe/Dublin", 2026, 10, 25, 1, 30, 1792888200, 1792888200, "negative DST: overlap" },
    { "America/Nuuk", 2026, 3, 28, 23, 30, 1774747800, 1774746000, "rule time -1: gap" },
    { "America/Nuuk", 2026, 10, 24, 23, 30, 1792888200, 1792888200, "rule time 0: overlap" },
    { "Asia/Jerusalem", 2026, 3, 27, 2, 30, 1774571400, 1774569600, "rule time 26: gap" },
    { "America/New_York", 1883, 11, 18, 12, 0, -2717651038, -2717651038, "LMT overlap" },
    { "America/New_York", 1800, 1, 1, 0, 0, -5364644638, -5364644638, "before any transition" },
};

START_TEST(test_wall_cases)
{
    const wall_case *c = &wall_cases[_i];
    esc_tz *tz = must_load(c->zone);
    int64_t got = 0;
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &got, c->year, c->month, c->day, c->hour,
                                          c->minute), ESC_OK);
    ck_assert_msg(got == c->shift, "%s %04d-%02d-%02d %02d:%02d (%s): %lld, expected %lld",
                  c->zone, c->year, c->month, c->day, c->hour, c->minute, c->why,
                  (long long)got, (long long)c->shift);
    int64_t local = esc__civil_to_days(c->year, c->month, c->day) * 86400 + c->hour * 3600 +
                    c->minute * 60;
    ck_assert_int_eq(esc__tz_local_to_utc(tz, local, ESC_TZ_GAP_CLAMP), c->clamp);
    esc__tz_free(tz);
}
END_TEST

START_TEST(test_civil_to_utc_bad_input)
{
    esc_tz *tz = must_load("Europe/Berlin");
    int64_t out = 42;
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &out, 2026, 2, 29, 12, 0), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &out, 2026, 13, 1, 12, 0), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &out, 2026, 1, 0, 12, 0), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &out, 2026, 1, 1, 24, 0), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &out, 2026, 1, 1, -1, 0), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &out, 2026, 1, 1, 12, 60), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &out, 0, 1, 1, 12, 0), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &out, 10000, 1, 1, 12, 0), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, NULL, 2026, 1, 1, 12, 0), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_civil_to_utc(NULL, &out, 2026, 1, 1, 12, 0), ESC_EINVAL);
    ck_assert_int_eq(out, 42);
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &out, 1, 1, 1, 0, 0), ESC_OK);
    ck_assert_int_eq(esc__tz_civil_to_utc(tz, &out, 9999, 12, 31, 23, 59), ESC_OK);
    esc__tz_free(tz);
}
END_TEST

/* Offsets far outside any sensible range are answered, not computed into
 * an overflow (UBSan would say so). */
START_TEST(test_extreme_instants)
{
    static const char *const zones[] = { "Europe/Berlin", "UTC", "Australia/Lord_Howe" };
    static const int64_t instants[] = { INT64_MIN, INT64_MIN + 1, -ESC_TZ_TIME_LIMIT - 1,
                                        -ESC_TZ_TIME_LIMIT, 0, ESC_TZ_TIME_LIMIT,
                                        ESC_TZ_TIME_LIMIT + 1, INT64_MAX - 1, INT64_MAX };
    for (size_t z = 0; z < COUNT_OF(zones); z++) {
        esc_tz *tz = must_load(zones[z]);
        for (size_t i = 0; i < COUNT_OF(instants); i++) {
            int32_t off = esc__tz_offset(tz, instants[i]);
            ck_assert(off >= ESC_TZ_OFFSET_MIN && off <= ESC_TZ_OFFSET_MAX);
            int64_t u = esc__tz_local_to_utc(tz, instants[i], ESC_TZ_GAP_SHIFT);
            ck_assert(u >= -ESC_TZ_TIME_LIMIT - 2 * 86400 && u <= ESC_TZ_TIME_LIMIT + 2 * 86400);
            (void)esc__tz_local_to_utc(tz, instants[i], ESC_TZ_GAP_CLAMP);
        }
        esc__tz_free(tz);
    }
}
END_TEST

/* ---- the POSIX rule ------------------------------------------------------------- */

typedef struct rule_case {
    const char *text;
    int64_t year;
    int64_t start;   /* UTC, from zdump -V -c YEAR,YEAR+1 'TEXT' */
    int64_t end;
} rule_case;

static const rule_case rule_cases[] = {
    { "EST5EDT,M3.2.0,M11.1.0", 2026, 1772953200, 1793512800 },
    { "EST5EDT,M3.2.0,M11.1.0", 2024, 1710054000, 1730613600 },
    { "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 2026, 1774746000, 1792890000 },
    { "IST-2IDT,M3.4.4/26,M10.5.0", 2026, 1774569600, 1792882800 },
    { "EET-2EEST,M3.4.4/50,M10.4.4/50", 2026, 1774656000, 1792796400 },
    { "EET-2EEST,M3.4.4/50,M10.4.4/50", 2024, 1711756800, 1729897200 },
    /* Jn never counts 29 February: J60 is 1 March in every year. */
    { "XXX3YYY,J60/2,J300/2", 2024, 1709269200, 1730001600 },
    { "XXX3YYY,J60/2,J300/2", 2026, 1772341200, 1793073600 },
    /* n counts it: 59 is 29 February in a leap year, 1 March otherwise. */
    { "XXX3YYY,59,299", 2024, 1709182800, 1729915200 },
    { "XXX3YYY,59,299", 2026, 1772341200, 1793073600 },
    /* Negative DST (Europe/Dublin): "standard" time is the summer one. */
    { "IST-1GMT0,M10.5.0,M3.5.0/1", 2026, 1792890000, 1774746000 },
    { "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 2026, 1791041400, 1775314800 },
    /* The RFC 8536 extremes of a rule time: +-167 hours. */
    { "AAA-14BBB-15,M3.5.0/167,M10.5.0/-167", 2026, 1775293200, 1792231200 },
};

START_TEST(test_rule_transitions)
{
    const rule_case *c = &rule_cases[_i];
    esc_tz_rule rule;
    int64_t start, end;
    ck_assert_int_eq(esc__tz_rule_parse(&rule, c->text, strlen(c->text)), ESC_OK);
    esc__tz_rule_transitions(&rule, c->year, &start, &end);
    ck_assert_msg(start == c->start && end == c->end, "%s in %lld: %lld..%lld, expected %lld..%lld",
                  c->text, (long long)c->year, (long long)start, (long long)end,
                  (long long)c->start, (long long)c->end);

    /* The segments around them agree. */
    esc_tz_segment seg;
    esc__tz_rule_segment(&rule, c->start, &seg);
    ck_assert_int_eq(seg.start, c->start);
    ck_assert_int_eq(seg.offset, rule.dst_offset);
    esc__tz_rule_segment(&rule, c->start - 1, &seg);
    ck_assert_int_eq(seg.end, c->start);
    ck_assert_int_eq(seg.offset, rule.std_offset);
    esc__tz_rule_segment(&rule, c->end, &seg);
    ck_assert_int_eq(seg.start, c->end);
    ck_assert_int_eq(seg.offset, rule.std_offset);
}
END_TEST

START_TEST(test_rule_fields)
{
    esc_tz_rule r;
    const char *s = "CET-1CEST,M3.5.0,M10.5.0/3";
    ck_assert_int_eq(esc__tz_rule_parse(&r, s, strlen(s)), ESC_OK);
    ck_assert_int_eq(r.std_offset, 3600);
    ck_assert_int_eq(r.dst_offset, 7200);     /* std + 1 h when not given */
    ck_assert(r.has_dst);
    ck_assert(r.start.kind == ESC_TZ_MONTH_WEEK && r.start.month == 3 && r.start.week == 5 &&
              r.start.day == 0 && r.start.time == 7200);
    ck_assert(r.end.month == 10 && r.end.time == 3 * 3600);

    s = "<+0545>-5:45";
    ck_assert_int_eq(esc__tz_rule_parse(&r, s, strlen(s)), ESC_OK);
    ck_assert_int_eq(r.std_offset, 5 * 3600 + 45 * 60);
    ck_assert(!r.has_dst);

    s = "AAA+1:02:03BBB-4:05:06,J1/-0:00:01,300/+1";
    ck_assert_int_eq(esc__tz_rule_parse(&r, s, strlen(s)), ESC_OK);
    ck_assert_int_eq(r.std_offset, -3723);
    ck_assert_int_eq(r.dst_offset, 4 * 3600 + 5 * 60 + 6);
    ck_assert(r.start.kind == ESC_TZ_JULIAN_1 && r.start.day == 1 && r.start.time == -1);
    ck_assert(r.end.kind == ESC_TZ_JULIAN_0 && r.end.day == 300 && r.end.time == 3600);

    /* Only len bytes are read: the rest of the buffer is not the rule's. */
    s = "UTC0garbage";
    ck_assert_int_eq(esc__tz_rule_parse(&r, s, 4), ESC_OK);
    ck_assert_int_eq(r.std_offset, 0);
}
END_TEST

static const char *const bad_rules[] = {
    "", "C", "CE-1", "CET", "CET-", "CET-1:", "CET-1:60", "CET-25", "CET-1CEST",
    "CET-1CEST,", "CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,", "CET-1CEST,M13.5.0,M10.5.0",
    "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.0.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0",
    "CET-1CEST,M3.5.0/168,M10.5.0", "CET-1CEST,M3.5.0/-168,M10.5.0", "CET-1CEST,J0,J365",
    "CET-1CEST,J366,J1", "CET-1CEST,366,1", "CET-1CEST,M3.5.0,M10.5.0/3x", "CET-1 CEST",
    "<+01-1", "<>-1", "<+1>-1", "CET-1CEST,M3.5.0,M10.5.0,", "CET-1CEST-25,M3.5.0,M10.5.0",
    "AAA-24:60", "CET-1CEST,M3.5.0/2:,M10.5.0", "CET1000",
    /* The 167-hour limit holds for the whole time, minutes included (fuzzing). */
    "CET-1CEST,M3.5.0/167:01,M10.5.0", "AAA-24:59:59BBB-12,0/-167:5,365/16",
};

START_TEST(test_rule_bad)
{
    const char *s = bad_rules[_i];
    esc_tz_rule r;
    /* A private copy of exactly the bytes, so that a read past them is
     * caught by AddressSanitizer and valgrind. */
    size_t len = strlen(s);
    char *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, s, len);
    ck_assert_msg(esc__tz_rule_parse(&r, copy, len) == ESC_ECORRUPT, "\"%s\" accepted", s);
    free(copy);
}
END_TEST

/* "0/0,J365/25": daylight time all year (RFC 8536's example).  The end of
 * one year's DST and the start of the next fall on the same instant. */
START_TEST(test_rule_all_year_dst)
{
    const char *s = "EST5EDT,0/0,J365/25";
    esc_tz_rule r;
    ck_assert_int_eq(esc__tz_rule_parse(&r, s, strlen(s)), ESC_OK);
    for (int64_t t = 1767225600; t < 1767225600 + 3 * 366 * 86400; t += 3600) {
        esc_tz_segment seg;
        esc__tz_rule_segment(&r, t, &seg);
        ck_assert_msg(seg.offset == -4 * 3600, "at %lld: %d", (long long)t, seg.offset);
        ck_assert(seg.start <= t && t < seg.end);
    }
}
END_TEST

/* ---- crafted TZif files -------------------------------------------------------- */

typedef struct tzif_spec {
    char version;                  /* '\0' for a version 1 file, '2', '3' ... */
    uint32_t timecnt;
    const int64_t *times;
    const unsigned char *indices;
    uint32_t typecnt;
    const int32_t *offsets;
    const char *footer;            /* version 2+: between the two newlines */
} tzif_spec;

typedef struct bytes {
    unsigned char data[4096];
    size_t len;
    size_t v2_header;              /* where the second header starts (version 2+) */
} bytes;

static void put_be32(bytes *b, uint32_t v)
{
    ck_assert(b->len + 4 <= sizeof b->data);
    for (int i = 3; i >= 0; i--)
        b->data[b->len++] = (unsigned char)(v >> (8 * i));
}

static void put_byte(bytes *b, unsigned char c)
{
    ck_assert(b->len < sizeof b->data);
    b->data[b->len++] = c;
}

/* One header and data block; designations are "X\0", shared by all types. */
static void put_block(bytes *b, const tzif_spec *s, char version, int time_size)
{
    put_byte(b, 'T');
    put_byte(b, 'Z');
    put_byte(b, 'i');
    put_byte(b, 'f');
    put_byte(b, (unsigned char)version);
    for (int i = 0; i < 15; i++)
        put_byte(b, 0);
    put_be32(b, 0);                /* isutcnt */
    put_be32(b, 0);                /* isstdcnt */
    put_be32(b, 0);                /* leapcnt */
    put_be32(b, s->timecnt);
    put_be32(b, s->typecnt);
    put_be32(b, 2);                /* charcnt */
    for (uint32_t i = 0; i < s->timecnt; i++) {
        if (time_size == 8)
            put_be32(b, (uint32_t)((uint64_t)s->times[i] >> 32));
        put_be32(b, (uint32_t)s->times[i]);
    }
    for (uint32_t i = 0; i < s->timecnt; i++)
        put_byte(b, s->indices[i]);
    for (uint32_t i = 0; i < s->typecnt; i++) {
        put_be32(b, (uint32_t)s->offsets[i]);
        put_byte(b, 0);
        put_byte(b, 0);
    }
    put_byte(b, 'X');
    put_byte(b, 0);
}

static void build_tzif(bytes *b, const tzif_spec *s)
{
    b->len = 0;
    if (s->version == '\0') {
        put_block(b, s, '\0', 4);
        return;
    }
    /* The version 1 block of a newer file: readers of version 2+ skip it. */
    tzif_spec v1 = { s->version, 0, NULL, NULL, 1, s->offsets, NULL };
    put_block(b, &v1, s->version, 4);
    b->v2_header = b->len;
    put_block(b, s, s->version, 8);
    put_byte(b, '\n');
    for (const char *p = s->footer ? s->footer : ""; *p; p++)
        put_byte(b, (unsigned char)*p);
    put_byte(b, '\n');
}

/* Parse exactly b's bytes from a private buffer of that size. */
static int parse_exact(const unsigned char *data, size_t len, esc_tz **out)
{
    unsigned char *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    if (len)
        memcpy(copy, data, len);
    int rc = esc__tz_parse(out, copy, len, "crafted");
    free(copy);
    return rc;
}

static int parse_bytes(const bytes *b)
{
    esc_tz *tz = NULL;
    int rc = parse_exact(b->data, b->len, &tz);
    ck_assert(rc == ESC_OK ? tz != NULL : tz == NULL);
    esc__tz_free(tz);
    return rc;
}

/* A file with no transitions at all: the footer rule is the whole zone. */
START_TEST(test_footer_only)
{
    static const int32_t offsets[] = { -18000 };
    tzif_spec s = { '2', 0, NULL, NULL, 1, offsets, "EST5EDT,M3.2.0,M11.1.0" };
    bytes b;
    esc_tz *tz = NULL, *ny = must_load("America/New_York");
    build_tzif(&b, &s);
    ck_assert_int_eq(parse_exact(b.data, b.len, &tz), ESC_OK);
    for (size_t i = 0; i < COUNT_OF(zdump_transitions); i++) {
        const transition *t = &zdump_transitions[i];
        if (strcmp(t->zone, "America/New_York") != 0 || t->at < 0)
            continue;
        ck_assert_int_eq(esc__tz_offset(tz, t->at - 1), t->before);
        ck_assert_int_eq(esc__tz_offset(tz, t->at), t->after);
    }
    /* Hourly from 2020 to 2031, the file's transitions and the rule agree. */
    for (int64_t t = 1577836800; t < 1924991999; t += 3600)
        ck_assert_int_eq(esc__tz_offset(tz, t), esc__tz_offset(ny, t));
    esc__tz_free(tz);
    esc__tz_free(ny);
}
END_TEST

/* Transitions up to 2000, then the footer; the rule's first segment after
 * the last transition starts at that transition. */
START_TEST(test_footer_after_transitions)
{
    static const int64_t times[] = { -1000000000, 946684800 };   /* 1938, 2000-01-01 */
    static const unsigned char indices[] = { 1, 0 };
    static const int32_t offsets[] = { 3600, 7200 };
    tzif_spec s = { '3', 2, times, indices, 2, offsets, "CET-1CEST,M3.5.0,M10.5.0/3" };
    bytes b;
    esc_tz *tz = NULL;
    esc_tz_segment seg;
    build_tzif(&b, &s);
    ck_assert_int_eq(parse_exact(b.data, b.len, &tz), ESC_OK);
    ck_assert_int_eq(esc__tz_offset(tz, -1000000001), 3600);   /* type 0 before */
    ck_assert_int_eq(esc__tz_offset(tz, -1000000000), 7200);
    ck_assert_int_eq(esc__tz_offset(tz, 946684799), 7200);
    ck_assert_int_eq(esc__tz_offset(tz, 946684800), 3600);     /* January: the rule's CET */
    esc__tz_segment(tz, 946684800, &seg);
    ck_assert_int_eq(seg.start, 946684800);
    ck_assert_int_eq(seg.end, 954032400);                       /* 2000-03-26 01:00 UTC */
    ck_assert_int_eq(esc__tz_offset(tz, 1774746000), 7200);     /* 2026, from the rule */
    esc__tz_free(tz);
}
END_TEST

/* Version 1: 32-bit times, no footer; the last offset holds for ever. */
START_TEST(test_version_1)
{
    static const int64_t times[] = { 1774746000, 1792890000, INT32_MIN, INT32_MAX };
    static const unsigned char indices[] = { 1, 0 };
    static const int32_t offsets[] = { 3600, 7200 };
    tzif_spec s = { '\0', 2, times, indices, 2, offsets, NULL };
    bytes b;
    esc_tz *tz = NULL;
    build_tzif(&b, &s);
    ck_assert_int_eq(parse_exact(b.data, b.len, &tz), ESC_OK);
    ck_assert_int_eq(esc__tz_offset(tz, 0), 3600);
    ck_assert_int_eq(esc__tz_offset(tz, 1774746000), 7200);
    ck_assert_int_eq(esc__tz_offset(tz, 1792890000), 3600);
    ck_assert_int_eq(esc__tz_offset(tz, 4102444800), 3600);
    esc__tz_free(tz);

    /* Negative 32-bit times are read as such, not as large positives. */
    s.times = times + 2;
    build_tzif(&b, &s);
    ck_assert_int_eq(parse_exact(b.data, b.len, &tz), ESC_OK);
    ck_assert_int_eq(tz->at[0], INT32_MIN);
    ck_assert_int_eq(tz->at[1], INT32_MAX);
    esc__tz_free(tz);
}
END_TEST

/* A well-formed base to damage. */
static const int64_t base_times[] = { 1774746000, 1792890000 };
static const unsigned char base_indices[] = { 1, 0 };
static const int32_t base_offsets[] = { 3600, 7200 };

static void build_base(bytes *b)
{
    tzif_spec s = { '2', 2, base_times, base_indices, 2, base_offsets,
                    "CET-1CEST,M3.5.0,M10.5.0/3" };
    build_tzif(b, &s);
    ck_assert_int_eq(parse_bytes(b), ESC_OK);
}

/* Offsets of the second header's fields and its data. */
#define H_VERSION 4
#define H_ISUTCNT 20
#define H_ISSTDCNT 24
#define H_LEAPCNT 28
#define H_TIMECNT 32
#define H_TYPECNT 36
#define H_CHARCNT 40
#define H_DATA 44

static void patch32(bytes *b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->data[at + (size_t)i] = (unsigned char)(v >> (8 * (3 - i)));
}

typedef struct damage {
    const char *what;
    size_t field;          /* offset from the second header */
    int first_header;      /* patch the first header instead */
    uint32_t value;
    int width;             /* 4: patch32, 1: one byte */
    int expected;
} damage;

/* Data of the base file after its second header: two 8-byte times, two
 * indices, two 6-byte types, "X\0", then the footer. */
#define D_TIMES H_DATA
#define D_INDICES (D_TIMES + 16)
#define D_TYPES (D_INDICES + 2)
#define D_CHARS (D_TYPES + 12)
#define D_FOOTER (D_CHARS + 2)

static const damage damages[] = {
    { "magic", 0, 0, 'X', 1, ESC_ECORRUPT },
    { "first magic", 1, 1, 'X', 1, ESC_ECORRUPT },
    { "version", H_VERSION, 1, '1', 1, ESC_ECORRUPT },
    { "version letter", H_VERSION, 1, 'A', 1, ESC_ECORRUPT },
    { "second header says version 1", H_VERSION, 0, 0, 1, ESC_ECORRUPT },
    { "huge timecnt", H_TIMECNT, 0, 0xFFFFFFFFu, 4, ESC_ECORRUPT },
    { "huge first timecnt", H_TIMECNT, 1, 0xFFFFFFFFu, 4, ESC_ECORRUPT },
    { "huge typecnt", H_TYPECNT, 0, 0xFFFFFFFFu, 4, ESC_ECORRUPT },
    { "huge charcnt", H_CHARCNT, 0, 0xFFFFFFFFu, 4, ESC_ECORRUPT },
    { "huge first charcnt", H_CHARCNT, 1, 0x7FFFFFFFu, 4, ESC_ECORRUPT },
    { "huge leapcnt", H_LEAPCNT, 0, 0xFFFFFFFFu, 4, ESC_ECORRUPT },
    { "huge isstdcnt", H_ISSTDCNT, 0, 0xFFFFFFFFu, 4, ESC_ECORRUPT },
    { "timecnt one too many", H_TIMECNT, 0, 3, 4, ESC_ECORRUPT },
    { "no types", H_TYPECNT, 0, 0, 4, ESC_ECORRUPT },
    { "no designations", H_CHARCNT, 0, 0, 4, ESC_ECORRUPT },
    { "isutcnt not typecnt", H_ISUTCNT, 0, 1, 4, ESC_ECORRUPT },
    { "leap seconds", H_LEAPCNT, 0, 1, 4, ESC_EINVAL },
    { "times not ascending", D_TIMES + 12, 0, 0, 4, ESC_ECORRUPT },
    { "type index out of range", D_INDICES, 0, 2, 1, ESC_ECORRUPT },
    { "offset INT32_MIN", D_TYPES, 0, 0x80000000u, 4, ESC_ECORRUPT },
    { "offset of 26 hours", D_TYPES, 0, 93600, 4, ESC_ECORRUPT },
    { "offset of -25 hours", D_TYPES, 0, (uint32_t)-90000, 4, ESC_ECORRUPT },
    { "isdst 2", D_TYPES + 4, 0, 2, 1, ESC_ECORRUPT },
    { "designation index out", D_TYPES + 5, 0, 2, 1, ESC_ECORRUPT },
    { "footer without newline", D_FOOTER, 0, 'C', 1, ESC_ECORRUPT },
    { "footer garbage", D_FOOTER + 4, 0, '!', 1, ESC_ECORRUPT },
};

START_TEST(test_damaged_file)
{
    const damage *d = &damages[_i];
    bytes b;
    build_base(&b);
    size_t at = (d->first_header ? 0 : b.v2_header) + d->field;
    if (d->width == 4)
        patch32(&b, at, d->value);
    else
        b.data[at] = (unsigned char)d->value;
    int rc = parse_bytes(&b);
    ck_assert_msg(rc == d->expected, "%s: %s, expected %s", d->what, esc_status_name(rc),
                  esc_status_name(d->expected));
}
END_TEST

START_TEST(test_bad_footers)
{
    static const char *const footers[] = { "CET-1CEST", "CET-1CEST,M3.5.0,M10.5.0/3 ",
                                            " CET-1", "CET-1\r", "<+99>-99" };
    static const int32_t offsets[] = { 3600 };
    char long_footer[400];
    bytes b;
    for (size_t i = 0; i < COUNT_OF(footers); i++) {
        tzif_spec s = { '2', 0, NULL, NULL, 1, offsets, footers[i] };
        build_tzif(&b, &s);
        ck_assert_msg(parse_bytes(&b) == ESC_ECORRUPT, "footer \"%s\" accepted", footers[i]);
    }
    /* Longer than any real footer: refused before the rule parser runs. */
    memset(long_footer, 'A', sizeof long_footer - 1);
    long_footer[sizeof long_footer - 1] = '\0';
    memcpy(long_footer + sizeof long_footer - 3, "-1", 2);
    tzif_spec s = { '2', 0, NULL, NULL, 1, offsets, long_footer };
    build_tzif(&b, &s);
    ck_assert_int_eq(parse_bytes(&b), ESC_ECORRUPT);
    /* An empty footer: the last type holds. */
    tzif_spec empty = { '2', 0, NULL, NULL, 1, offsets, "" };
    build_tzif(&b, &empty);
    ck_assert_int_eq(parse_bytes(&b), ESC_OK);
}
END_TEST

static unsigned char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char *data = malloc(1 << 16);
    ck_assert_ptr_nonnull(data);
    *len = fread(data, 1, 1 << 16, f);
    fclose(f);
    return data;
}

/* Every proper prefix of real files (version 2+) is damaged. */
START_TEST(test_truncated_real_files)
{
    static const char *const zones[] = { "Europe/Berlin", "Australia/Lord_Howe", "UTC" };
    for (size_t z = 0; z < COUNT_OF(zones); z++) {
        char path[512];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", ESC_TZ_DIR, zones[z]);
        unsigned char *data = read_whole(path, &len);
        esc_tz *tz = NULL;
        ck_assert_int_eq(parse_exact(data, len, &tz), ESC_OK);
        esc__tz_free(tz);
        for (size_t n = 0; n < len; n++) {
            ck_assert_msg(parse_exact(data, n, &tz) == ESC_ECORRUPT, "%s cut at %zu", zones[z], n);
            ck_assert_ptr_null(tz);
        }
        free(data);
    }
}
END_TEST

/* Random damage to real files (fixed seed): any verdict, but never a
 * crash, a read out of bounds or a query that does not end; and when a
 * damaged file is accepted, it answers sensibly. */
START_TEST(test_mutated_real_files)
{
    static const char *const zones[] = { "Europe/Berlin", "America/New_York",
                                         "Australia/Lord_Howe", "Asia/Kolkata" };
    unsigned seed = 20260105;
    for (size_t z = 0; z < COUNT_OF(zones); z++) {
        char path[512];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", ESC_TZ_DIR, zones[z]);
        unsigned char *data = read_whole(path, &len);
        unsigned char *copy = malloc(len);
        ck_assert_ptr_nonnull(copy);
        for (int round = 0; round < 250; round++) {
            memcpy(copy, data, len);
            int changes = 1 + rand_r(&seed) % 8;
            for (int c = 0; c < changes; c++) {
                size_t at = (size_t)rand_r(&seed) % len;
                /* Mostly the headers and counts, where damage matters most. */
                if (rand_r(&seed) % 2)
                    at %= 64;
                copy[at] = (unsigned char)rand_r(&seed);
            }
            size_t n = rand_r(&seed) % 4 ? len : (size_t)rand_r(&seed) % len;
            esc_tz *tz = NULL;
            if (parse_exact(copy, n, &tz) == ESC_OK) {
                for (int64_t t = -4000000000; t < 8000000000; t += 499999999) {
                    int32_t off = esc__tz_offset(tz, t);
                    ck_assert(off >= ESC_TZ_OFFSET_MIN && off <= ESC_TZ_OFFSET_MAX);
                    (void)esc__tz_local_to_utc(tz, t, ESC_TZ_GAP_SHIFT);
                    (void)esc__tz_local_to_utc(tz, t, ESC_TZ_GAP_CLAMP);
                }
                esc__tz_free(tz);
            }
        }
        free(copy);
        free(data);
    }
}
END_TEST

/* ---- files on disk ------------------------------------------------------------- */

static const char *write_file(const char *name, const void *data, size_t len)
{
    const char *path = test_path(name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

START_TEST(test_load_file)
{
    bytes b;
    esc_tz *tz = NULL;
    char path[1024];

    build_base(&b);
    snprintf(path, sizeof path, "%s", write_file("tz-good", b.data, b.len));
    ck_assert_int_eq(esc__tz_load_file(&tz, path), ESC_OK);
    ck_assert_str_eq(tz->name, path);
    esc__tz_free(tz);
    unlink(path);

    /* Wrong magic, and a truncated file. */
    b.data[0] = 'X';
    snprintf(path, sizeof path, "%s", write_file("tz-magic", b.data, b.len));
    ck_assert_int_eq(esc__tz_load_file(&tz, path), ESC_ECORRUPT);
    ck_assert_ptr_null(tz);
    unlink(path);
    b.data[0] = 'T';
    snprintf(path, sizeof path, "%s", write_file("tz-short", b.data, b.len - 5));
    ck_assert_int_eq(esc__tz_load_file(&tz, path), ESC_ECORRUPT);
    unlink(path);

    /* Huge counts in the header of a file on disk. */
    patch32(&b, H_TIMECNT, 0xFFFFFFF0u);
    snprintf(path, sizeof path, "%s", write_file("tz-huge", b.data, b.len));
    ck_assert_int_eq(esc__tz_load_file(&tz, path), ESC_ECORRUPT);
    unlink(path);

    /* An empty file. */
    snprintf(path, sizeof path, "%s", write_file("tz-empty", "", 0));
    ck_assert_int_eq(esc__tz_load_file(&tz, path), ESC_ECORRUPT);
    unlink(path);
}
END_TEST

START_TEST(test_load_file_odd_paths)
{
    esc_tz *tz = NULL;
    char path[1024];

    ck_assert_int_eq(esc__tz_load_file(&tz, "relative/path"), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_load_file(&tz, NULL), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_load_file(NULL, "/x"), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_load_file(&tz, "/nonexistent/zone"), ESC_ENOTFOUND);
    ck_assert_int_eq(esc__tz_load_file(&tz, ESC_TZ_DIR), ESC_ENOTFOUND);   /* a directory */

    /* A FIFO must not make the load wait for a writer. */
    snprintf(path, sizeof path, "%s", test_path("tz-fifo"));
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ck_assert_int_eq(esc__tz_load_file(&tz, path), ESC_ENOTFOUND);
    unlink(path);

    /* Larger than any zone file could be (sparse: nothing is written). */
    snprintf(path, sizeof path, "%s", test_path("tz-big"));
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)ESC_TZ_FILE_MAX + 1), 0);
    close(fd);
    ck_assert_int_eq(esc__tz_load_file(&tz, path), ESC_ECORRUPT);
    unlink(path);
    ck_assert_ptr_null(tz);
}
END_TEST

START_TEST(test_parse_bad_arguments)
{
    esc_tz *tz = NULL;
    unsigned char byte = 0;
    ck_assert_int_eq(esc__tz_parse(NULL, &byte, 1, "x"), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_parse(&tz, NULL, 1, "x"), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_parse(&tz, &byte, 1, NULL), ESC_EINVAL);
    ck_assert_int_eq(esc__tz_parse(&tz, &byte, 0, "x"), ESC_ECORRUPT);
    esc__tz_free(NULL);
}
END_TEST

/* ---- main ---------------------------------------------------------------------- */

static Suite *tz_suite(void)
{
    Suite *s = suite_create("tz");
    TCase *tc;

    tc = tcase_create("civil");
    tcase_add_test(tc, test_civil_known_days);
    tcase_add_test(tc, test_civil_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, test_name_valid);
    tcase_add_test(tc, test_load_bad_names);
    tcase_add_test(tc, test_load_unknown);
    tcase_add_test(tc, test_load_leap_second_zone);
    suite_add_tcase(s, tc);

    tc = tcase_create("zdump");
    tcase_add_loop_test(tc, test_zdump_offsets, 0, (int)COUNT_OF(zdump_transitions));
    tcase_add_loop_test(tc, test_zdump_local_to_utc, 0, (int)COUNT_OF(zdump_transitions));
    tcase_add_loop_test(tc, test_wall_cases, 0, (int)COUNT_OF(wall_cases));
    tcase_add_test(tc, test_civil_to_utc_bad_input);
    tcase_add_test(tc, test_extreme_instants);
    suite_add_tcase(s, tc);

    tc = tcase_create("rule");
    tcase_add_loop_test(tc, test_rule_transitions, 0, (int)COUNT_OF(rule_cases));
    tcase_add_test(tc, test_rule_fields);
    tcase_add_loop_test(tc, test_rule_bad, 0, (int)COUNT_OF(bad_rules));
    tcase_add_test(tc, test_rule_all_year_dst);
    suite_add_tcase(s, tc);

    tc = tcase_create("tzif");
    tcase_add_test(tc, test_footer_only);
    tcase_add_test(tc, test_footer_after_transitions);
    tcase_add_test(tc, test_version_1);
    tcase_add_loop_test(tc, test_damaged_file, 0, (int)COUNT_OF(damages));
    tcase_add_test(tc, test_bad_footers);
    tcase_add_test(tc, test_truncated_real_files);
    tcase_add_test(tc, test_mutated_real_files);
    tcase_add_test(tc, test_load_file);
    tcase_add_test(tc, test_load_file_odd_paths);
    tcase_add_test(tc, test_parse_bad_arguments);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return test_run(tz_suite());
}
