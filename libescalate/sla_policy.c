/*
 * sla_policy.c — owns building and changing SLA policies (esc_sla_policy_*
 * in sla.h, except the text form: sla_spec.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sla_model.h"

const char *const esc__sla_target_names[ESC_SLA_TARGET_COUNT] = {
    "first_response", "update", "resolution"
};

static void put_msg(char *errbuf, size_t errbuf_size, const char *msg)
{
    if (errbuf != NULL && errbuf_size > 0)
        snprintf(errbuf, errbuf_size, "%s", msg);
}

int esc__sla_calendar(esc_calendar **out, const char *spec, char *errbuf, size_t errbuf_size)
{
    char calmsg[ESC_CALENDAR_ERRMSG_MAX] = "";
    esc_calendar *cal = NULL;
    int64_t next;
    *out = NULL;
    int rc = esc_calendar_parse(&cal, spec, calmsg, sizeof calmsg);
    if (rc != ESC_OK) {
        if (errbuf != NULL && errbuf_size > 0)
            snprintf(errbuf, errbuf_size, "calendar: %s", calmsg[0] ? calmsg : esc_status_string(rc));
        return rc;
    }
    /* Only a calendar without working hours makes next_business say EINVAL. */
    rc = esc_calendar_next_business(&next, cal, 0);
    if (rc == ESC_EINVAL) {
        esc_calendar_free(cal);
        put_msg(errbuf, errbuf_size, "calendar: no working hours (business time would never pass)");
        return ESC_EINVAL;
    }
    *out = cal;
    return ESC_OK;
}

ESC_EXTERN(int) esc_sla_policy_new(esc_sla_policy **out, const char *calendar_spec,
                                   char *errbuf, size_t errbuf_size)
{
    put_msg(errbuf, errbuf_size, "");
    if (out == NULL) {
        put_msg(errbuf, errbuf_size, "out is NULL");
        return ESC_EINVAL;
    }
    *out = NULL;
    esc_sla_policy *pol = calloc(1, sizeof *pol);
    if (pol == NULL) {
        put_msg(errbuf, errbuf_size, "out of memory");
        return ESC_ENOMEM;
    }
    if (calendar_spec != NULL) {
        int rc = esc__sla_calendar(&pol->calendar, calendar_spec, errbuf, errbuf_size);
        if (rc != ESC_OK) {
            free(pol);
            return rc;
        }
    }
    pol->pauses[ESC_HOLD_CUSTOMER] = 1;
    pol->pauses[ESC_HOLD_THIRD_PARTY] = 1;
    pol->pauses[ESC_HOLD_INTERNAL] = 0;
    *out = pol;
    return ESC_OK;
}

ESC_EXTERN(void) esc_sla_policy_free(esc_sla_policy *pol)
{
    if (pol == NULL)
        return;
    esc_calendar_free(pol->calendar);
    free(pol);
}

ESC_EXTERN(const esc_calendar *) esc_sla_policy_calendar(const esc_sla_policy *pol)
{
    return pol != NULL ? pol->calendar : NULL;
}

static int target_ok(int priority, esc_sla_target target)
{
    return priority >= ESC_SLA_PRIORITY_MIN && priority <= ESC_SLA_PRIORITY_MAX &&
           (int)target >= 0 && (int)target < ESC_SLA_TARGET_COUNT;
}

ESC_EXTERN(int) esc_sla_policy_set_target(esc_sla_policy *pol, int priority,
                                          esc_sla_target target, int64_t duration_ms)
{
    if (pol == NULL || !target_ok(priority, target) || duration_ms < 0 ||
        duration_ms > ESC_SLA_DURATION_MAX)
        return ESC_EINVAL;
    pol->target[priority][target] = duration_ms;
    return ESC_OK;
}

ESC_EXTERN(int) esc_sla_policy_target(int64_t *out, const esc_sla_policy *pol, int priority,
                                      esc_sla_target target)
{
    if (out == NULL || pol == NULL || !target_ok(priority, target))
        return ESC_EINVAL;
    *out = pol->target[priority][target];
    return ESC_OK;
}

static int hold_ok(esc_hold kind)
{
    return (int)kind > ESC_HOLD_NONE && (int)kind < ESC_HOLD_COUNT;
}

ESC_EXTERN(int) esc_sla_policy_set_pause(esc_sla_policy *pol, esc_hold kind, int pauses)
{
    if (pol == NULL || !hold_ok(kind))
        return ESC_EINVAL;
    pol->pauses[kind] = pauses != 0;
    return ESC_OK;
}

ESC_EXTERN(int) esc_sla_policy_pauses(const esc_sla_policy *pol, esc_hold kind)
{
    return pol != NULL && hold_ok(kind) && pol->pauses[kind];
}

ESC_EXTERN(int) esc_sla_policy_set_warnings(esc_sla_policy *pol, const int *percent,
                                            size_t count)
{
    if (pol == NULL || count > ESC_SLA_WARNINGS_MAX || (count > 0 && percent == NULL))
        return ESC_EINVAL;
    for (size_t i = 0; i < count; i++) {
        if (percent[i] < 1 || percent[i] > 99)
            return ESC_EINVAL;
        if (i > 0 && percent[i] <= percent[i - 1])
            return ESC_EINVAL;
    }
    for (size_t i = 0; i < count; i++)
        pol->warnings[i] = percent[i];
    pol->warning_count = count;
    return ESC_OK;
}

ESC_EXTERN(size_t) esc_sla_policy_warning_count(const esc_sla_policy *pol)
{
    return pol != NULL ? pol->warning_count : 0;
}

ESC_EXTERN(int) esc_sla_policy_warning(const esc_sla_policy *pol, size_t index)
{
    return pol != NULL && index < pol->warning_count ? pol->warnings[index] : 0;
}
