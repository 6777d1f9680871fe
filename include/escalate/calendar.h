/*
 * escalate/calendar.h — business calendars: weekly working hours in an IANA
 * time zone, with holidays, and arithmetic in business time (add working
 * time to an instant, working time between two instants, the next working
 * instant).  This is what SLA targets counted in business hours rest on.
 *
 * Time zones come from the system's tz database (the TZif files under
 * /usr/share/zoneinfo), read by the library itself: the process-wide TZ is
 * never read or changed, and results are right across daylight-saving
 * changes, in any zone, for any year (after the last transition listed in
 * a zone's file, its POSIX rule is used).
 *
 * Working hours.  Each weekday has any number of intervals, given in
 * minutes from that day's local midnight: start 0..1439, end after start
 * and at most 2880, so an interval may run past midnight into the next day
 * (22:00-06:00 is 1320..1800).  Intervals of a weekday that overlap or touch
 * are merged.  An interval covers the instants from the first instant at
 * which the wall clock reads its start or later to the first instant at
 * which it reads its end or later.  So,
 * when clocks are turned back, a boundary inside the repeated hour is its
 * first occurrence (an interval 00:00-04:00 lasts 5 hours that night); when
 * they are turned forward, a boundary inside the skipped hour is the
 * instant of the jump (01:00-02:30 on the night 02:00 becomes 03:00 ends
 * at 03:00 and lasts 1 hour; an interval wholly inside the gap is empty).
 * This rule never lets a later wall time come before an earlier one.
 *
 * Holidays.  A holiday is a local date: a one-off date, or a yearly month
 * and day (a yearly 29 February applies in leap years only).  On a
 * holiday, the intervals that START on that date do not apply, including
 * the part of an overnight interval that runs into the next day; an
 * overnight interval that started the evening before is worked to its end.
 * (A shift belongs to the day it starts on, as in rosters.)
 *
 * Instants are milliseconds since the Unix epoch, UTC, within
 * [ESC_CALENDAR_TIME_MIN, ESC_CALENDAR_TIME_MAX] (years 1 to 9999).
 * Searches look at most ESC_CALENDAR_HORIZON_DAYS days ahead.
 *
 * A calendar is not changed by the arithmetic functions: once built, it may
 * be used from several threads at once.  Adding hours or holidays needs
 * exclusive use.
 */
#ifndef ESCALATE_CALENDAR_H
#define ESCALATE_CALENDAR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A business calendar.  Opaque; free with esc_calendar_free(). */
typedef struct esc_calendar esc_calendar;

/** Weekdays as the calendar numbers them. */
typedef enum esc_weekday {
    ESC_SUNDAY = 0,
    ESC_MONDAY = 1,
    ESC_TUESDAY = 2,
    ESC_WEDNESDAY = 3,
    ESC_THURSDAY = 4,
    ESC_FRIDAY = 5,
    ESC_SATURDAY = 6
} esc_weekday;

/** Minutes in a day, and the latest end of an interval (midnight after next). */
#define ESC_CALENDAR_DAY_MINUTES 1440
#define ESC_CALENDAR_END_MAX (2 * ESC_CALENDAR_DAY_MINUTES)

/** How far ahead the arithmetic looks: 3660 days, about ten years. */
#define ESC_CALENDAR_HORIZON_DAYS 3660

/** Instants the calendar accepts: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z. */
#define ESC_CALENDAR_TIME_MIN INT64_C(-62135596800000)
#define ESC_CALENDAR_TIME_MAX INT64_C(253402300799999)

/** A buffer of this size holds any message of esc_calendar_parse(). */
#define ESC_CALENDAR_ERRMSG_MAX 256

/**
 * Create a calendar in the time zone tz_name (an IANA name such as
 * "Europe/Berlin"; "UTC" for none), without working hours or holidays.
 * A zone name is letters, digits and _ + - / only, no leading or doubled
 * '/', at most 255 bytes.
 * @param out  receives the calendar; NULL on failure
 * @return ESC_OK, ESC_EINVAL (NULL argument, malformed name, or a zone
 *         with leap seconds such as "right/UTC"), ESC_ENOTFOUND (no such
 *         zone), ESC_ECORRUPT (the zone's file is damaged), ESC_EIO,
 *         ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_calendar_new(esc_calendar **out, const char *tz_name);

/**
 * Free a calendar; NULL does nothing.
 * @since 1.0
 */
ESC_EXTERN(void) esc_calendar_free(esc_calendar *cal);

/**
 * The calendar's time zone name, lent by the calendar; "" for NULL.
 * @since 1.0
 */
ESC_EXTERN(const char *) esc_calendar_tz_name(const esc_calendar *cal);

/**
 * Add working hours on a weekday: from start_minute to end_minute after
 * that day's local midnight (see the top of this header).
 * @param weekday       ESC_SUNDAY (0) .. ESC_SATURDAY (6)
 * @param start_minute  0 .. 1439
 * @param end_minute    start_minute + 1 .. ESC_CALENDAR_END_MAX (2880);
 *                      above 1440 the interval runs into the next day
 * @return ESC_OK, ESC_EINVAL, ESC_ENOMEM (the calendar is then unchanged)
 * @since 1.0
 */
ESC_EXTERN(int) esc_calendar_add_hours(esc_calendar *cal, int weekday, int start_minute,
                                       int end_minute);

/**
 * Add a one-off holiday on a local date (year 1..9999).  Adding a date
 * twice is the same as adding it once.
 * @return ESC_OK, ESC_EINVAL (no such date), ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_calendar_add_holiday(esc_calendar *cal, int year, int month, int day);

/**
 * Add a holiday on the same month and day every year (e.g. 12, 25).
 * 2, 29 is accepted and applies in leap years only.
 * @return ESC_OK, ESC_EINVAL
 * @since 1.0
 */
ESC_EXTERN(int) esc_calendar_add_yearly_holiday(esc_calendar *cal, int month, int day);

/**
 * Build a calendar from its text form, as stored in a database or given on
 * a command line, e.g.
 *
 *     tz=Europe/Berlin; mon-fri 09:00-12:00,13:00-17:00; sat 10:00-12:00;
 *     sun 22:00-06:00; holiday 2026-12-31,2027-01-02; yearly 12-24,12-25
 *
 * Items are separated by ';' (empty items are ignored); blanks (spaces,
 * tabs, newlines) may surround every token.  Keywords and day names are
 * case-insensitive.
 *  - tz=ZONE: the time zone; exactly once.
 *  - DAYS RANGE[,RANGE...]: working hours.  DAYS is a comma-separated list
 *    of days (mon, tue, wed, thu, fri, sat, sun, or monday ... sunday) and
 *    day ranges such as mon-fri (a range may wrap: fri-mon).  RANGE is
 *    HH:MM-HH:MM; an end at or before the start is on the next day
 *    (22:00-06:00), 24:00 is the end of the day, and an end of 24:00 or
 *    later written as such counts from the start day's midnight
 *    (00:00-30:00 is 30 hours, up to 48:00).
 *  - holiday YYYY-MM-DD[,YYYY-MM-DD...]: one-off holidays.
 *  - yearly MM-DD[,MM-DD...]: yearly holidays.
 *
 * A calendar with no working hours is valid ("tz=UTC").
 *
 * Errors are explained in errbuf, in English, naming the offending item
 * and token, e.g. "item 3 \"sun 22:00-6\": bad time \"6\" (expected
 * HH:MM)"; errbuf is "" on success.
 *
 * @param out          receives the calendar; NULL on failure
 * @param spec         the text, UTF-8, at most ESC_LONG_TEXT_MAX bytes
 * @param errbuf       NULL, or a buffer of errbuf_size bytes
 *                     (ESC_CALENDAR_ERRMSG_MAX is always enough)
 * @return ESC_OK, ESC_EINVAL (malformed spec), ESC_ENOTFOUND (unknown
 *         zone), ESC_ECORRUPT (damaged zone file), ESC_EIO, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_calendar_parse(esc_calendar **out, const char *spec, char *errbuf,
                                   size_t errbuf_size);

/**
 * The canonical text form of a calendar: tz first, then the hours grouped
 * by weekday (Monday first, days with the same hours together), then
 * holidays and yearly holidays in date order, e.g.
 * "tz=Europe/Berlin; mon-fri 09:00-17:00; sat 10:00-12:00; holiday
 * 2026-12-31; yearly 12-25".  esc_calendar_parse() of it gives an equal
 * calendar, and equal calendars give the same text.
 * @param out  receives the text; free it with esc_calendar_spec_free()
 * @return ESC_OK, ESC_EINVAL, ESC_ENOMEM
 * @since 1.0
 */
ESC_EXTERN(int) esc_calendar_format(char **out, const esc_calendar *cal);

/**
 * Free a text returned by esc_calendar_format(); NULL does nothing.
 * @since 1.0
 */
ESC_EXTERN(void) esc_calendar_spec_free(char *spec);

/**
 * Whether at is inside working hours (*out = 1) or not (*out = 0).
 * Intervals are half-open: their start is inside, their end is not.
 * @return ESC_OK, ESC_EINVAL (NULL argument, at out of range)
 * @since 1.0
 */
ESC_EXTERN(int) esc_calendar_is_business(int *out, const esc_calendar *cal, int64_t at);

/**
 * The first business instant at or after at: at itself when it is inside
 * working hours, else the next opening.
 * @return ESC_OK, ESC_EINVAL (NULL argument, at out of range, or a
 *         calendar without working hours), ESC_ENOTFOUND (no working time
 *         within ESC_CALENDAR_HORIZON_DAYS, e.g. holidays everywhere, or
 *         none before ESC_CALENDAR_TIME_MAX)
 * @since 1.0
 */
ESC_EXTERN(int) esc_calendar_next_business(int64_t *out, const esc_calendar *cal, int64_t at);

/**
 * The instant at which business_ms of working time have elapsed after
 * from; counting starts at from, or at the next opening when from is
 * outside working hours.  The result is always a business instant: when
 * the working time runs out exactly at a closing time, it is the next
 * opening (the instant the clock would go on), so that with 0 ms it is
 * esc_calendar_next_business(from), and adding
 * esc_calendar_business_between(from, to) to from gives to, or the next
 * opening when to is outside working hours.
 * @param business_ms  >= 0
 * @return ESC_OK, ESC_EINVAL (NULL argument, from out of range, negative
 *         business_ms, or a calendar without working hours), ESC_ENOTFOUND
 *         (the result would lie more than ESC_CALENDAR_HORIZON_DAYS after from,
 *         or after ESC_CALENDAR_TIME_MAX)
 * @since 1.0
 */
ESC_EXTERN(int) esc_calendar_add_business(int64_t *out, const esc_calendar *cal, int64_t from,
                                          int64_t business_ms);

/**
 * The working time, in ms, within [from, to).
 * @return ESC_OK, ESC_EINVAL (NULL argument, an instant out of range, to
 *         before from, or to more than ESC_CALENDAR_HORIZON_DAYS after from)
 * @since 1.0
 */
ESC_EXTERN(int) esc_calendar_business_between(int64_t *out, const esc_calendar *cal,
                                              int64_t from, int64_t to);

#ifdef __cplusplus
}
#endif

#endif /* ESCALATE_CALENDAR_H */
