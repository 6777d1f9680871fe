/*
 * fuzz_calendar.c — the text form of a business calendar
 * (esc_calendar_parse, calendar.h), as read from a command line or from a
 * calendar stored in a database.
 *
 * The input is the spec (up to its first NUL).  Zones are read from the
 * system's tz database, so "tz=" reaches the TZif reader with real files.
 * Promises checked:
 *  - errbuf is a NUL-terminated, valid UTF-8 message that fits in
 *    ESC_CALENDAR_ERRMSG_MAX bytes: "" on success, non-empty on failure;
 *  - an accepted calendar formats to text that parses to a calendar with
 *    the same text (the canonical form);
 *  - the arithmetic on it answers without crashing anywhere in range.
 */
#include "fuzz.h"

#include "escalate.h"
#include "text.h"

/* Larger than ESC_CALENDAR_ERRMSG_MAX, to see whether a message would
 * have been cut in a buffer of the documented size. */
#define ERRBUF_SIZE (4 * ESC_CALENDAR_ERRMSG_MAX)

#define T0 INT64_C(1767603600000)   /* 2026-01-05 09:00 UTC, a Monday */
#define HOUR INT64_C(3600000)
#define DAY (24 * HOUR)

static void check_message(const char *errbuf, int rc, const char *spec)
{
    FUZZ_CHECK(fuzz_terminated(errbuf, ERRBUF_SIZE), "errbuf not terminated");
    size_t n = strlen(errbuf);
    FUZZ_CHECK(esc__utf8_valid(errbuf, n), "errbuf is not UTF-8");
    FUZZ_CHECK(n < ESC_CALENDAR_ERRMSG_MAX, "a %zu-byte message does not fit "
               "ESC_CALENDAR_ERRMSG_MAX: %s", n, errbuf);
    if (rc == ESC_OK)
        FUZZ_CHECK(n == 0, "a message on success: %s", errbuf);
    else
        FUZZ_CHECK(n > 0, "no message for status %d (spec %s)", rc, spec);
}

static void exercise(const esc_calendar *cal)
{
    static const int64_t instants[] = {
        ESC_CALENDAR_TIME_MIN, ESC_CALENDAR_TIME_MIN + DAY, -1, 0, T0, T0 + 183 * DAY,
        ESC_CALENDAR_TIME_MAX - 8 * DAY, ESC_CALENDAR_TIME_MAX,
    };
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
        int64_t at = instants[i], out = 0;
        int business = -1;
        int rc = esc_calendar_is_business(&business, cal, at);
        FUZZ_CHECK(rc == ESC_OK && (business == 0 || business == 1), "is_business %d", rc);
        rc = esc_calendar_next_business(&out, cal, at);
        if (rc == ESC_OK) {
            /* calendar.h: instants are within [ESC_CALENDAR_TIME_MIN, _MAX]. */
            FUZZ_CHECK(out >= at && out <= ESC_CALENDAR_TIME_MAX,
                       "next_business(%lld) = %lld, outside [at, ESC_CALENDAR_TIME_MAX]",
                       (long long)at, (long long)out);
            FUZZ_CHECK(esc_calendar_is_business(&business, cal, out) == ESC_OK && business == 1,
                       "next_business(%lld) = %lld is not a business instant", (long long)at,
                       (long long)out);
        }
        if (esc_calendar_add_business(&out, cal, at, 8 * HOUR) == ESC_OK)
            FUZZ_CHECK(out > at && out <= ESC_CALENDAR_TIME_MAX,
                       "adding 8 business hours to %lld gives %lld", (long long)at,
                       (long long)out);
        if (at <= ESC_CALENDAR_TIME_MAX - 7 * DAY &&
            esc_calendar_business_between(&out, cal, at, at + 7 * DAY) == ESC_OK)
            FUZZ_CHECK(out >= 0 && out <= 7 * DAY, "%lld ms of business time in a week",
                       (long long)out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = fuzz_cstring(data, size);
    if (spec == NULL)
        return 0;
    char errbuf[ERRBUF_SIZE];
    memset(errbuf, 'x', sizeof errbuf);
    esc_calendar *cal = NULL;
    int rc = esc_calendar_parse(&cal, spec, errbuf, sizeof errbuf);
    check_message(errbuf, rc, spec);
    if (rc != ESC_OK) {
        FUZZ_CHECK(cal == NULL, "a refusal returned a calendar");
        free(spec);
        return 0;
    }
    FUZZ_CHECK(cal != NULL, "no calendar");

    char *text = NULL;
    rc = esc_calendar_format(&text, cal);
    FUZZ_CHECK(rc == ESC_OK || rc == ESC_ENOMEM, "format %d", rc);
    if (rc == ESC_OK) {
        esc_calendar *again = NULL;
        rc = esc_calendar_parse(&again, text, errbuf, sizeof errbuf);
        FUZZ_CHECK(rc == ESC_OK || rc == ESC_ENOMEM, "the canonical text \"%s\" is refused: %s",
                   text, errbuf);
        if (rc == ESC_OK) {
            char *text2 = NULL;
            if (esc_calendar_format(&text2, again) == ESC_OK)
                FUZZ_CHECK(strcmp(text, text2) == 0, "not canonical: \"%s\" then \"%s\"", text,
                           text2);
            esc_calendar_spec_free(text2);
            esc_calendar_free(again);
        }
        esc_calendar_spec_free(text);
    }
    exercise(cal);
    esc_calendar_free(cal);
    free(spec);
    return 0;
}
