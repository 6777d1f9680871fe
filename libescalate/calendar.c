/*
 * calendar.c — owns the business calendar as an object (calendar.h): its
 * time zone, the weekly working hours (kept merged per weekday) and the
 * holidays.  The text form is in calendar_spec.c, the arithmetic in
 * calendar_time.c.
 */
#include <stdlib.h>
#include <string.h>

#include "calendar_model.h"
#include "civil.h"

int esc__calendar_alloc(esc_calendar **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? ESC_OK : ESC_ENOMEM;
}

ESC_EXTERN(int) esc_calendar_new(esc_calendar **out, const char *tz_name)
{
    esc_calendar *cal;
    int rc;

    if (out == NULL)
        return ESC_EINVAL;
    *out = NULL;
    if (tz_name == NULL)
        return ESC_EINVAL;
    if ((rc = esc__calendar_alloc(&cal)) != ESC_OK)
        return rc;
    if ((rc = esc__tz_load(&cal->tz, tz_name)) != ESC_OK) {
        esc_calendar_free(cal);
        return rc;
    }
    *out = cal;
    return ESC_OK;
}

ESC_EXTERN(void) esc_calendar_free(esc_calendar *cal)
{
    if (cal == NULL)
        return;
    esc__tz_free(cal->tz);
    for (int d = 0; d < 7; d++)
        free(cal->week[d].intervals);
    free(cal->holidays);
    free(cal);
}

ESC_EXTERN(const char *) esc_calendar_tz_name(const esc_calendar *cal)
{
    return cal && cal->tz ? cal->tz->name : "";
}

/* The day's intervals with [start, end) merged in, as a new array: built
 * aside so that running out of memory leaves the calendar as it was. */
ESC_EXTERN(int) esc_calendar_add_hours(esc_calendar *cal, int weekday, int start_minute,
                                       int end_minute)
{
    if (cal == NULL || weekday < ESC_SUNDAY || weekday > ESC_SATURDAY || start_minute < 0 ||
        start_minute >= ESC_CALENDAR_DAY_MINUTES || end_minute <= start_minute ||
        end_minute > ESC_CALENDAR_END_MAX)
        return ESC_EINVAL;

    esc_cal_day *day = &cal->week[weekday];
    esc_cal_interval *merged = malloc((day->count + 1) * sizeof *merged);
    esc_cal_interval add = { start_minute, end_minute };
    size_t n = 0, i = 0;

    if (merged == NULL)
        return ESC_ENOMEM;
    while (i < day->count && day->intervals[i].end < add.start)
        merged[n++] = day->intervals[i++];
    /* Everything overlapping or touching the new interval joins it. */
    while (i < day->count && day->intervals[i].start <= add.end) {
        if (day->intervals[i].start < add.start)
            add.start = day->intervals[i].start;
        if (day->intervals[i].end > add.end)
            add.end = day->intervals[i].end;
        i++;
    }
    merged[n++] = add;
    while (i < day->count)
        merged[n++] = day->intervals[i++];
    free(day->intervals);
    day->intervals = merged;
    day->count = n;
    return ESC_OK;
}

/* Index of the first one-off holiday >= day. */
static size_t holiday_lower_bound(const esc_calendar *cal, int64_t day)
{
    size_t lo = 0, hi = cal->holiday_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

ESC_EXTERN(int) esc_calendar_add_holiday(esc_calendar *cal, int year, int month, int day)
{
    if (cal == NULL || year < 1 || year > 9999 || !esc__civil_valid(year, month, day))
        return ESC_EINVAL;

    int64_t number = esc__civil_to_days(year, month, day);
    size_t at = holiday_lower_bound(cal, number);
    if (at < cal->holiday_count && cal->holidays[at] == number)
        return ESC_OK;
    int64_t *grown = realloc(cal->holidays, (cal->holiday_count + 1) * sizeof *grown);
    if (grown == NULL)
        return ESC_ENOMEM;
    memmove(grown + at + 1, grown + at, (cal->holiday_count - at) * sizeof *grown);
    grown[at] = number;
    cal->holidays = grown;
    cal->holiday_count++;
    return ESC_OK;
}

ESC_EXTERN(int) esc_calendar_add_yearly_holiday(esc_calendar *cal, int month, int day)
{
    /* Checked against a leap year, so that 29 February is accepted. */
    if (cal == NULL || !esc__civil_valid(2000, month, day))
        return ESC_EINVAL;
    cal->yearly[month] |= UINT32_C(1) << day;
    return ESC_OK;
}

int esc__calendar_is_holiday(const esc_calendar *cal, int64_t day)
{
    esc_civil_date date = esc__civil_from_days(day);
    if (cal->yearly[date.month] & (UINT32_C(1) << date.day))
        return 1;
    size_t at = holiday_lower_bound(cal, day);
    return at < cal->holiday_count && cal->holidays[at] == day;
}

int esc__calendar_has_hours(const esc_calendar *cal)
{
    for (int d = 0; d < 7; d++)
        if (cal->week[d].count)
            return 1;
    return 0;
}
