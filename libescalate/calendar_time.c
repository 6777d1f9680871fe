/*
 * calendar_time.c — owns arithmetic in business time (calendar.h): is an
 * instant inside working hours, the next business instant, working time
 * added to an instant, working time between two instants.
 *
 * All four walk the same sequence: the calendar's working intervals turned
 * into UTC spans, local date by local date, in order of their start.  The
 * order holds because a span of date D starts before midnight at the end of
 * D and a span of D+1 after it, and because local times map to instants
 * without ever going backwards (tz.h, ESC_TZ_GAP_CLAMP).  Spans of
 * consecutive dates may overlap (an overnight interval running into the
 * next day's hours); each function counts such time once.
 */
#include "calendar_model.h"
#include "civil.h"

#define MS_PER_SECOND 1000
#define MS_PER_DAY (ESC_SECONDS_PER_DAY * MS_PER_SECOND)

/* A working interval of one date, as instants (ms): [start, end). */
typedef struct span {
    int64_t start;
    int64_t end;
} span;

typedef struct span_walk {
    const esc_calendar *cal;
    int64_t day;        /* local date whose intervals come next */
    int64_t last_day;   /* no dates after this one */
    size_t index;       /* next interval of day */
} span_walk;

static int in_range(int64_t t)
{
    return t >= ESC_CALENDAR_TIME_MIN && t <= ESC_CALENDAR_TIME_MAX;
}

/* The local date (day number) of an instant in ms. */
static int64_t local_day(const esc_tz *tz, int64_t at)
{
    int64_t s = esc__floor_div(at, MS_PER_SECOND);
    return esc__floor_div(s + esc__tz_offset(tz, s), ESC_SECONDS_PER_DAY);
}

/* The instant (ms) the wall clock first reads `minute` minutes after the
 * local midnight beginning day. */
static int64_t boundary(const esc_tz *tz, int64_t day, int minute)
{
    int64_t local = day * ESC_SECONDS_PER_DAY + (int64_t)minute * 60;
    return esc__tz_local_to_utc(tz, local, ESC_TZ_GAP_CLAMP) * MS_PER_SECOND;
}

/* Start walking with the spans that may contain or follow from: those of
 * the day before from's local date reach into that date (an interval ends
 * by the midnight after next), older ones end before from.  The walk stops
 * ESC_CALENDAR_HORIZON_DAYS later, plus three days: offsets differ by less
 * than 51 hours, so every local date within the horizon is seen. */
static void walk_init(span_walk *w, const esc_calendar *cal, int64_t from)
{
    int64_t day = local_day(cal->tz, from);
    w->cal = cal;
    w->day = day - 1;
    w->last_day = day + ESC_CALENDAR_HORIZON_DAYS + 3;
    w->index = 0;
}

/* The next non-empty span: 1, or 0 past the horizon. */
static int walk_next(span_walk *w, span *out)
{
    while (w->day <= w->last_day) {
        const esc_cal_day *hours = &w->cal->week[esc__civil_weekday(w->day)];
        if (w->index == 0 && esc__calendar_is_holiday(w->cal, w->day))
            w->index = hours->count;
        if (w->index >= hours->count) {
            w->day++;
            w->index = 0;
            continue;
        }
        const esc_cal_interval *iv = &hours->intervals[w->index++];
        out->start = boundary(w->cal->tz, w->day, iv->start);
        out->end = boundary(w->cal->tz, w->day, iv->end);
        if (out->end > out->start)   /* empty when wholly inside a DST gap */
            return 1;
    }
    return 0;
}

/* The first span ending after at (the one containing at, or the next). */
static int first_span_after(const esc_calendar *cal, int64_t at, span *out)
{
    span_walk w;
    walk_init(&w, cal, at);
    while (walk_next(&w, out))
        if (out->end > at)
            return 1;
    return 0;
}

ESC_EXTERN(int) esc_calendar_is_business(int *out, const esc_calendar *cal, int64_t at)
{
    span s;
    if (out == NULL || cal == NULL || cal->tz == NULL || !in_range(at))
        return ESC_EINVAL;
    /* Spans come in order of start, so the first one ending after at is
     * the only one that can contain it. */
    *out = first_span_after(cal, at, &s) && s.start <= at;
    return ESC_OK;
}

ESC_EXTERN(int) esc_calendar_next_business(int64_t *out, const esc_calendar *cal, int64_t at)
{
    span s;
    if (out == NULL || cal == NULL || cal->tz == NULL || !in_range(at) ||
        !esc__calendar_has_hours(cal))
        return ESC_EINVAL;
    /* An opening past the end of the representable range is no answer. */
    if (!first_span_after(cal, at, &s) || !in_range(s.start > at ? s.start : at))
        return ESC_ENOTFOUND;
    *out = s.start > at ? s.start : at;
    return ESC_OK;
}

/* Consume working time span by span.  pos never goes back, so time shared
 * by overlapping spans is counted once.  Running out exactly at the end of
 * a span does not stop the walk: the answer is where counting would go on. */
ESC_EXTERN(int) esc_calendar_add_business(int64_t *out, const esc_calendar *cal, int64_t from,
                                          int64_t business_ms)
{
    span_walk w;
    span s;
    int64_t pos = from, remaining = business_ms;

    if (out == NULL || cal == NULL || cal->tz == NULL || !in_range(from) || business_ms < 0 ||
        !esc__calendar_has_hours(cal))
        return ESC_EINVAL;
    walk_init(&w, cal, from);
    while (walk_next(&w, &s)) {
        if (s.end <= pos)
            continue;
        int64_t begin = s.start > pos ? s.start : pos;
        if (remaining < s.end - begin) {
            if (begin + remaining - from > (int64_t)ESC_CALENDAR_HORIZON_DAYS * MS_PER_DAY ||
                !in_range(begin + remaining))
                break;
            *out = begin + remaining;
            return ESC_OK;
        }
        remaining -= s.end - begin;
        pos = s.end;
    }
    return ESC_ENOTFOUND;
}

ESC_EXTERN(int) esc_calendar_business_between(int64_t *out, const esc_calendar *cal,
                                              int64_t from, int64_t to)
{
    span_walk w;
    span s;
    int64_t total = 0, covered = from;   /* time before covered is counted */

    if (out == NULL || cal == NULL || cal->tz == NULL || !in_range(from) || !in_range(to) ||
        to < from || to - from > (int64_t)ESC_CALENDAR_HORIZON_DAYS * MS_PER_DAY)
        return ESC_EINVAL;
    walk_init(&w, cal, from);
    while (walk_next(&w, &s) && s.start < to) {
        int64_t begin = s.start > covered ? s.start : covered;
        int64_t end = s.end < to ? s.end : to;
        if (end > begin) {
            total += end - begin;
            covered = end;
        }
    }
    *out = total;
    return ESC_OK;
}
