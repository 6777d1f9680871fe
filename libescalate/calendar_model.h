/*
 * calendar_model.h — the in-memory shape of a business calendar, shared by
 * the files that build it (calendar.c), read and write its text form
 * (calendar_spec.c, calendar_format.c) and compute with it
 * (calendar_time.c).
 */
#ifndef ESC_CALENDAR_MODEL_H
#define ESC_CALENDAR_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "escalate.h"
#include "tz.h"

/* Working hours of one weekday, in minutes from its local midnight:
 * sorted, disjoint and never touching (touching ones are merged). */
typedef struct esc_cal_interval {
    int start;   /* 0 .. 1439 */
    int end;     /* start + 1 .. ESC_CALENDAR_END_MAX */
} esc_cal_interval;

typedef struct esc_cal_day {
    esc_cal_interval *intervals;
    size_t count;
} esc_cal_day;

struct esc_calendar {
    esc_tz *tz;                  /* NULL only while esc_calendar_parse() builds it */
    esc_cal_day week[7];         /* indexed by esc_weekday */
    int64_t *holidays;           /* one-off holidays: local day numbers, sorted, unique */
    size_t holiday_count;
    uint32_t yearly[13];         /* bit d of yearly[m]: every m-d is a holiday */
};

/* A calendar with no zone, hours or holidays (esc_calendar_parse() fills
 * it in).  ESC_OK or ESC_ENOMEM. */
int esc__calendar_alloc(esc_calendar **out);

/* 1 when the local day number is a holiday. */
int esc__calendar_is_holiday(const esc_calendar *cal, int64_t day);

/* 1 when the calendar has working hours on some weekday. */
int esc__calendar_has_hours(const esc_calendar *cal);

/* The weekdays' names in the text form, indexed by esc_weekday: "sun" ... */
extern const char *const esc__calendar_day_names[7];

#endif /* ESC_CALENDAR_MODEL_H */
