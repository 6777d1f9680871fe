/*
 * tz_lookup.c — owns the questions asked of a loaded zone (tz.h): which
 * offset holds at an instant, and at which instant the wall clock shows a
 * given local time, gaps and overlaps included.  Everything is answered
 * from "segments", stretches of time with one offset, so that the
 * transitions listed in the file and those computed from the footer rule
 * are walked the same way.
 */
#include "tz.h"

#include "civil.h"
#include "escalate/common.h"

static int64_t clamp_time(int64_t t)
{
    return t > ESC_TZ_TIME_LIMIT ? ESC_TZ_TIME_LIMIT
         : t < -ESC_TZ_TIME_LIMIT ? -ESC_TZ_TIME_LIMIT : t;
}

/* t + offset, saturating: segment ends may be INT64_MIN/INT64_MAX. */
static int64_t add_offset(int64_t t, int32_t offset)
{
    if (offset > 0 && t > INT64_MAX - offset)
        return INT64_MAX;
    if (offset < 0 && t < INT64_MIN - offset)
        return INT64_MIN;
    return t + offset;
}

/* Index of the last transition at or before t (t >= at[0], count > 0). */
static size_t last_at_or_before(const esc_tz *tz, int64_t t)
{
    size_t lo = 0, hi = tz->count;   /* at[lo] <= t < at[hi] (at[count] = +inf) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->at[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void esc__tz_segment(const esc_tz *tz, int64_t t, esc_tz_segment *out)
{
    if (tz->count == 0 || t < tz->at[0]) {
        if (tz->count == 0 && tz->has_rule) {
            esc__tz_rule_segment(&tz->rule, t, out);
            return;
        }
        out->start = INT64_MIN;
        out->end = tz->count ? tz->at[0] : INT64_MAX;
        out->offset = tz->initial_offset;
        return;
    }
    size_t i = last_at_or_before(tz, t);
    if (i == tz->count - 1 && tz->has_rule) {
        /* After the last transition the footer rule speaks. */
        esc__tz_rule_segment(&tz->rule, t, out);
        if (out->start < tz->at[i])
            out->start = tz->at[i];
        return;
    }
    out->start = tz->at[i];
    out->end = i + 1 < tz->count ? tz->at[i + 1] : INT64_MAX;
    out->offset = tz->offset[i];
}

int32_t esc__tz_offset(const esc_tz *tz, int64_t t)
{
    esc_tz_segment seg;
    esc__tz_segment(tz, clamp_time(t), &seg);
    return seg.offset;
}

/* Walk the segments forward from the earliest instant whose wall clock
 * could read local (no offset exceeds ESC_TZ_OFFSET_MAX) to the first
 * segment whose wall-clock range reaches it.  Every segment before that one
 * reads earlier throughout, so what is found is the first instant showing
 * local: the earlier one in an overlap.  When the segment begins already
 * past local, the clocks jumped over it: a gap. */
int64_t esc__tz_local_to_utc(const esc_tz *tz, int64_t local, esc_tz_gap gap)
{
    esc_tz_segment seg, prev;
    int64_t t;

    local = clamp_time(local);
    t = local - ESC_TZ_OFFSET_MAX;
    esc__tz_segment(tz, t, &seg);
    prev = seg;
    /* Terminates: a segment starting after local - ESC_TZ_OFFSET_MIN reads
     * past local from its first instant, and segments never shrink to
     * nothing (each ends where the next begins, strictly later). */
    while (add_offset(seg.end, seg.offset) <= local) {
        prev = seg;
        esc__tz_segment(tz, seg.end, &seg);
        /* Near the clamped end of time a rule segment may be handed back
         * unchanged: stop rather than loop. */
        if (seg.end <= prev.end)
            break;
    }
    int64_t exact = local - seg.offset;
    if (exact >= seg.start)
        return exact;
    /* local comes before this segment's first reading: a gap, unless a
     * later segment reads it, which only offsets jumping back by more than
     * a segment's length can do (a zone file nobody should write, but a
     * damaged one may).  A segment starting after local - ESC_TZ_OFFSET_MIN
     * cannot read local, so the search ends there. */
    esc_tz_segment later = seg;
    while (later.end <= local - ESC_TZ_OFFSET_MIN) {
        esc_tz_segment next;
        esc__tz_segment(tz, later.end, &next);
        if (next.end <= later.end)
            break;
        later = next;
        int64_t reads = local - later.offset;
        if (reads >= later.start && reads < later.end)
            return reads;
    }
    return gap == ESC_TZ_GAP_CLAMP ? seg.start : local - prev.offset;
}

int esc__tz_civil_to_utc(const esc_tz *tz, int64_t *out, int64_t year, int month, int day,
                         int hour, int minute)
{
    if (tz == NULL || out == NULL || year < 1 || year > 9999 ||
        !esc__civil_valid(year, month, day) || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59)
        return ESC_EINVAL;
    int64_t local = esc__civil_to_days(year, month, day) * ESC_SECONDS_PER_DAY + hour * 3600 +
                    minute * 60;
    *out = esc__tz_local_to_utc(tz, local, ESC_TZ_GAP_SHIFT);
    return ESC_OK;
}
