/*
 * fuzz_tzrule.c — the POSIX TZ rule of a TZif footer (esc__tz_rule_parse,
 * tz_rule.c), e.g. "CET-1CEST,M3.5.0,M10.5.0/3" or "<-02>2<-01>,M3.5.0/-1,
 * M10.5.0/0": how a zone answers after the last transition in its file.
 *
 * The input is the rule text, exactly size bytes (the parser must never
 * read past len).  Promises checked:
 *  - the status is ESC_OK or ESC_ECORRUPT;
 *  - an accepted rule has offsets within RFC 8536's bounds and dates in
 *    range (month 1..12, week 1..5, weekday 0..6, Julian days, times within
 *    -167..167 hours);
 *  - its transitions, for years the library asks about, lie in or right
 *    next to their year, and the segment of any instant contains it.
 */
#include "fuzz.h"

#include "civil.h"
#include "escalate.h"
#include "tz.h"

#define OFFSET_OK(o) ((o) >= ESC_TZ_OFFSET_MIN && (o) <= ESC_TZ_OFFSET_MAX)
#define RULE_TIME_MAX (167 * 3600)

static void check_date(const esc_tz_rule_date *d, const char *which)
{
    switch (d->kind) {
    case ESC_TZ_JULIAN_1:
        FUZZ_CHECK(d->day >= 1 && d->day <= 365, "%s: J%d", which, d->day);
        break;
    case ESC_TZ_JULIAN_0:
        FUZZ_CHECK(d->day >= 0 && d->day <= 365, "%s: day %d", which, d->day);
        break;
    case ESC_TZ_MONTH_WEEK:
        FUZZ_CHECK(d->month >= 1 && d->month <= 12 && d->week >= 1 && d->week <= 5 &&
                   d->day >= 0 && d->day <= 6, "%s: M%d.%d.%d", which, d->month, d->week, d->day);
        break;
    default:
        FUZZ_CHECK(0, "%s: kind %d", which, (int)d->kind);
    }
    FUZZ_CHECK(d->time >= -RULE_TIME_MAX && d->time <= RULE_TIME_MAX, "%s: time %d", which,
               (int)d->time);
}

/* Within 8 days of year (see tz_rule.c: RULE_YEARS_AROUND). */
static void check_near_year(int64_t at, int64_t year, const char *which)
{
    int64_t first = esc__civil_to_days(year, 1, 1) * ESC_SECONDS_PER_DAY;
    int64_t next = esc__civil_to_days(year + 1, 1, 1) * ESC_SECONDS_PER_DAY;
    FUZZ_CHECK(at >= first - 8 * ESC_SECONDS_PER_DAY && at < next + 8 * ESC_SECONDS_PER_DAY,
               "%s of %lld at %lld", which, (long long)year, (long long)at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    esc_tz_rule rule;
    int rc = esc__tz_rule_parse(&rule, (const char *)data, size);
    FUZZ_CHECK(rc == ESC_OK || rc == ESC_ECORRUPT, "status %d", rc);
    if (rc != ESC_OK)
        return 0;
    FUZZ_CHECK(OFFSET_OK(rule.std_offset), "std offset %d", (int)rule.std_offset);
    if (rule.has_dst) {
        FUZZ_CHECK(OFFSET_OK(rule.dst_offset), "dst offset %d", (int)rule.dst_offset);
        check_date(&rule.start, "start");
        check_date(&rule.end, "end");
        /* Years the library asks about: those of instants within
         * +-ESC_TZ_TIME_LIMIT, and two more either side (tz_rule.c). */
        int64_t lo = esc__civil_from_days(esc__floor_div(-ESC_TZ_TIME_LIMIT, ESC_SECONDS_PER_DAY)).year;
        int64_t hi = esc__civil_from_days(esc__floor_div(ESC_TZ_TIME_LIMIT, ESC_SECONDS_PER_DAY)).year;
        const int64_t years[] = { lo - 2, lo, -1, 0, 1, 1970, 2024, 2026, 2100, 9999, hi, hi + 2 };
        for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
            int64_t start, end;
            esc__tz_rule_transitions(&rule, years[i], &start, &end);
            check_near_year(start, years[i], "start");
            check_near_year(end, years[i], "end");
        }
    }
    static const int64_t instants[] = {
        INT64_MIN, -ESC_TZ_TIME_LIMIT, INT64_C(-62135596800), -1, 0, INT64_C(1767603600),
        INT64_C(1774746000), INT64_C(253402300799), ESC_TZ_TIME_LIMIT, INT64_MAX,
    };
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
        esc_tz_segment seg;
        int64_t t = instants[i];
        esc__tz_rule_segment(&rule, t, &seg);
        int64_t c = t > ESC_TZ_TIME_LIMIT ? ESC_TZ_TIME_LIMIT
                  : t < -ESC_TZ_TIME_LIMIT ? -ESC_TZ_TIME_LIMIT : t;
        FUZZ_CHECK(seg.start <= c && c < seg.end, "segment [%lld, %lld) misses %lld",
                   (long long)seg.start, (long long)seg.end, (long long)c);
        FUZZ_CHECK(seg.offset == rule.std_offset || (rule.has_dst && seg.offset == rule.dst_offset),
                   "segment offset %d", (int)seg.offset);
    }
    return 0;
}
