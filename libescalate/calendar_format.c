/*
 * calendar_format.c — owns writing the canonical text form of a calendar
 * (esc_calendar_format() in calendar.h): one text per calendar, which
 * calendar_spec.c reads back to an equal calendar.  Hours are grouped by
 * weekday (Monday first, days with equal hours in one item), holidays come
 * in date order.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar_model.h"
#include "civil.h"
#include "internal.h"

const char *const esc__calendar_day_names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

typedef struct out_text {
    char *buf;
    size_t len;
    size_t cap;
    int overflow;
} out_text;

static void put(out_text *t, const char *fmt, ...) ESC_PRINTF(2, 3);

static void put(out_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (t->overflow)
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->cap - t->len)
        t->overflow = 1;
    else
        t->len += (size_t)n;
}

static void put_clock(out_text *t, int minutes)
{
    put(t, "%02d:%02d", minutes / 60, minutes % 60);
}

/* The end as calendar_spec.c reads it back: a clock time of the next day
 * when that is what it is and it does not exceed the start (22:00-06:00),
 * else the minutes from the start day's midnight (09:00-24:00, 00:00-30:00). */
static void put_interval(out_text *t, const esc_cal_interval *iv)
{
    int end = iv->end;
    if (end > ESC_CALENDAR_DAY_MINUTES && end - ESC_CALENDAR_DAY_MINUTES <= iv->start)
        end -= ESC_CALENDAR_DAY_MINUTES;
    put_clock(t, iv->start);
    put(t, "-");
    put_clock(t, end);
}

static int same_hours(const esc_cal_day *a, const esc_cal_day *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (a->intervals[i].start != b->intervals[i].start ||
            a->intervals[i].end != b->intervals[i].end)
            return 0;
    return 1;
}

/* Monday first, as people write weeks. */
static const int week_order[7] = { 1, 2, 3, 4, 5, 6, 0 };

/* Days with the same hours share one item, their days written as runs:
 * "mon-fri 09:00-17:00", "mon,wed-thu 08:00-12:00". */
static void put_hours(out_text *t, const esc_calendar *cal)
{
    int done[7] = { 0 };
    for (int i = 0; i < 7; i++) {
        const esc_cal_day *day = &cal->week[week_order[i]];
        int group[7] = { 0 }, first = 1;
        if (done[i] || day->count == 0)
            continue;
        for (int j = i; j < 7; j++)
            if (!done[j] && same_hours(day, &cal->week[week_order[j]]))
                group[j] = done[j] = 1;
        put(t, "; ");
        for (int j = 0; j < 7; j++) {
            if (!group[j])
                continue;
            int k = j;
            while (k + 1 < 7 && group[k + 1])
                k++;
            put(t, "%s%s", first ? "" : ",", esc__calendar_day_names[week_order[j]]);
            if (k > j)
                put(t, "-%s", esc__calendar_day_names[week_order[k]]);
            first = 0;
            j = k;
        }
        for (size_t n = 0; n < day->count; n++) {
            put(t, n ? "," : " ");
            put_interval(t, &day->intervals[n]);
        }
    }
}

static void put_holidays(out_text *t, const esc_calendar *cal)
{
    for (size_t i = 0; i < cal->holiday_count; i++) {
        esc_civil_date date = esc__civil_from_days(cal->holidays[i]);
        put(t, "%s%04d-%02d-%02d", i ? "," : "; holiday ", (int)date.year, date.month,
            date.day);
    }
    int any = 0;
    for (int m = 1; m <= 12; m++)
        for (int d = 1; d <= 31; d++)
            if (cal->yearly[m] & (UINT32_C(1) << d))
                put(t, "%s%02d-%02d", any++ ? "," : "; yearly ", m, d);
}

ESC_EXTERN(int) esc_calendar_format(char **out, const esc_calendar *cal)
{
    out_text t = { NULL, 0, 0, 0 };
    size_t intervals = 0;

    if (out == NULL)
        return ESC_EINVAL;
    *out = NULL;
    if (cal == NULL || cal->tz == NULL)
        return ESC_EINVAL;
    for (int d = 0; d < 7; d++)
        intervals += cal->week[d].count;
    /* Generous bounds: "tz=" and the name; per weekday "; " and its days;
     * 12 bytes per interval; 11 per holiday; 6 per yearly date. */
    t.cap = 16 + strlen(cal->tz->name) + 7 * 40 + 12 * intervals + 16 +
            11 * cal->holiday_count + 16 + 6 * 12 * 31;
    if ((t.buf = malloc(t.cap)) == NULL)
        return ESC_ENOMEM;
    put(&t, "tz=%s", cal->tz->name);
    put_hours(&t, cal);
    put_holidays(&t, cal);
    if (t.overflow) {
        free(t.buf);
        return ESC_EINTERNAL;
    }
    *out = t.buf;
    return ESC_OK;
}

ESC_EXTERN(void) esc_calendar_spec_free(char *spec)
{
    free(spec);
}
