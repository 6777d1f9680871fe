/*
 * fuzz_tzif.c — the TZif reader (esc__tz_parse, tz.h): what every calendar
 * reads from the zone files under /usr/share/zoneinfo (RFC 8536: header,
 * 32-bit and 64-bit data blocks, the POSIX TZ footer).
 *
 * The input is the file's contents, exactly size bytes.  Promises checked:
 *  - the status is ESC_OK, ESC_ECORRUPT, ESC_EINVAL (leap seconds) or
 *    ESC_ENOMEM, with no zone on failure;
 *  - an accepted zone has strictly ascending transitions and offsets
 *    within RFC 8536's bounds;
 *  - every lookup on it (offsets, segments, local to UTC in both gap
 *    modes, civil dates) answers consistently, at ordinary instants, at
 *    each transition and at the far ends of time.
 */
#include "fuzz.h"

#include "escalate.h"
#include "tz.h"

#define OFFSET_OK(o) ((o) >= ESC_TZ_OFFSET_MIN && (o) <= ESC_TZ_OFFSET_MAX)

/* Lookups clamp instants to +-ESC_TZ_TIME_LIMIT; the checks below are
 * about what they answer for the clamped instant. */
static int64_t clamp(int64_t t)
{
    return t > ESC_TZ_TIME_LIMIT ? ESC_TZ_TIME_LIMIT
         : t < -ESC_TZ_TIME_LIMIT ? -ESC_TZ_TIME_LIMIT : t;
}

static void check_segment(const esc_tz *tz, int64_t raw)
{
    esc_tz_segment seg;
    esc__tz_segment(tz, raw, &seg);   /* any instant: no crash, no UB */
    int64_t t = clamp(raw);
    esc__tz_segment(tz, t, &seg);
    FUZZ_CHECK(seg.start <= t && t < seg.end, "segment [%lld, %lld) misses %lld",
               (long long)seg.start, (long long)seg.end, (long long)t);
    FUZZ_CHECK(OFFSET_OK(seg.offset), "offset %d", (int)seg.offset);
    int32_t offset = esc__tz_offset(tz, raw);
    FUZZ_CHECK(offset == seg.offset, "offset %d at %lld, segment says %d", (int)offset,
               (long long)raw, (int)seg.offset);

    if (t > -ESC_TZ_TIME_LIMIT + 200000 && t < ESC_TZ_TIME_LIMIT - 200000) {
        int64_t local = t + offset;
        for (int gap = ESC_TZ_GAP_SHIFT; gap <= ESC_TZ_GAP_CLAMP; gap++) {
            int64_t back = esc__tz_local_to_utc(tz, local, (esc_tz_gap)gap);
            /* The wall clock reads local at t: the first instant that
             * reads it (what local_to_utc promises) is at or before t. */
            FUZZ_CHECK(back <= t, "local_to_utc(%lld) = %lld after %lld", (long long)local,
                       (long long)back, (long long)t);
            FUZZ_CHECK(back + esc__tz_offset(tz, back) == local,
                       "local_to_utc(%lld) = %lld does not read %lld", (long long)local,
                       (long long)back, (long long)local);
        }
    }
}

static void exercise(const esc_tz *tz)
{
    static const int64_t instants[] = {
        INT64_MIN, -ESC_TZ_TIME_LIMIT - 1, -ESC_TZ_TIME_LIMIT, INT64_C(-62135596800),
        -1, 0, INT64_C(1767603600), INT64_C(4102444800), INT64_C(253402300799),
        ESC_TZ_TIME_LIMIT, ESC_TZ_TIME_LIMIT + 1, INT64_MAX,
    };
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++)
        check_segment(tz, instants[i]);
    size_t n = tz->count < 64 ? tz->count : 64;
    for (size_t i = 0; i < n; i++) {
        size_t k = tz->count <= 64 ? i : i * (tz->count / 64);
        check_segment(tz, tz->at[k]);
        if (tz->at[k] > INT64_MIN)
            check_segment(tz, tz->at[k] - 1);
        if (tz->at[k] < INT64_MAX)
            check_segment(tz, tz->at[k] + 1);
    }
    static const int years[] = { 1, 1582, 1970, 2026, 2038, 9999 };
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++)
        for (int month = 1; month <= 12; month += 3) {
            int64_t out = 0;
            int rc = esc__tz_civil_to_utc(tz, &out, years[i], month, 28, 2, 30);
            FUZZ_CHECK(rc == ESC_OK, "civil_to_utc %d-%02d-28: %d", years[i], month, rc);
        }
    int64_t out = 0;
    FUZZ_CHECK(esc__tz_civil_to_utc(tz, &out, 0, 1, 1, 0, 0) == ESC_EINVAL, "year 0");
    FUZZ_CHECK(esc__tz_civil_to_utc(tz, &out, 2026, 2, 30, 0, 0) == ESC_EINVAL, "30 February");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    esc_tz *tz = (esc_tz *)data;   /* must come back NULL on failure */
    int rc = esc__tz_parse(&tz, data, size, "fuzz/zone");
    FUZZ_CHECK(rc == ESC_OK || rc == ESC_ECORRUPT || rc == ESC_EINVAL || rc == ESC_ENOMEM,
               "status %d", rc);
    if (rc != ESC_OK) {
        FUZZ_CHECK(tz == NULL, "a refusal returned a zone");
        return 0;
    }
    FUZZ_CHECK(tz != NULL && strcmp(tz->name, "fuzz/zone") == 0, "zone name");
    FUZZ_CHECK(OFFSET_OK(tz->initial_offset), "initial offset %d", (int)tz->initial_offset);
    for (size_t i = 0; i < tz->count; i++) {
        FUZZ_CHECK(i == 0 || tz->at[i - 1] < tz->at[i], "transition %zu not ascending", i);
        FUZZ_CHECK(OFFSET_OK(tz->offset[i]), "offset %zu is %d", i, (int)tz->offset[i]);
    }
    if (tz->has_rule) {
        FUZZ_CHECK(OFFSET_OK(tz->rule.std_offset), "rule std offset %d", (int)tz->rule.std_offset);
        if (tz->rule.has_dst)
            FUZZ_CHECK(OFFSET_OK(tz->rule.dst_offset), "rule dst offset %d",
                       (int)tz->rule.dst_offset);
    }
    exercise(tz);
    esc__tz_free(tz);
    return 0;
}
