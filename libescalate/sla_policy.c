/*
 * sla_policy.c — owns building and changing SLA policies (esc_sla_policy_*
 * in sla.h, except the text form: sla_spec.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sla_model.h"
#include "text.h"

const char *const esc__sla_target_names[ESC_SLA_TARGET_COUNT] = {
    "first_response", "update", "resolution"
};

static const char *const state_names[ESC_SLA_STATE_COUNT] = {
    "none", "running", "paused", "met", "stopped"
};

ESC_EXTERN(const char *) esc_sla_target_name(esc_sla_target target)
{
    return (int)target >= 0 && (int)target < ESC_SLA_TARGET_COUNT ? esc__sla_target_names[target]
                                                                   : NULL;
}

ESC_EXTERN(const char *) esc_sla_state_name(esc_sla_state state)
{
    return (int)state >= 0 && (int)state < ESC_SLA_STATE_COUNT ? state_names[state] : NULL;
}

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
    for (size_t i = 0; i < pol->rule_count; i++)
        free((void *)pol->rules[i].watcher_id);  /* the policy's own copy */
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

static int in_list(const int *list, size_t count, int value)
{
    for (size_t i = 0; i < count; i++)
        if (list[i] == value)
            return 1;
    return 0;
}

/* 1 when every rule that fires at a warning still finds its percentage in
 * the new list (a rule may never point at a warning the policy lacks). */
static int keeps_rule_warnings(const esc_sla_policy *pol, const int *percent, size_t count)
{
    for (size_t i = 0; i < pol->rule_count; i++) {
        int w = pol->rules[i].warning_percent;
        if (w != 0 && !in_list(percent, count, w))
            return 0;
    }
    return 1;
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
    if (!keeps_rule_warnings(pol, percent, count))
        return ESC_EINVAL;
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

int esc__sla_has_warning(const esc_sla_policy *pol, int percent)
{
    return in_list(pol->warnings, pol->warning_count, percent);
}

/* ---- escalation rules ---------------------------------------------------------------- */

ESC_EXTERN(int) esc_sla_rule_init(esc_sla_rule *rule, unsigned int version)
{
    if (rule == NULL || version != ESC_SLA_RULE_VERSION)
        return ESC_EINVAL;
    esc_sla_rule initial = ESC_SLA_RULE_INIT;
    *rule = initial;
    return ESC_OK;
}

static int refuse(char *why, size_t why_size, const char *fmt, ...) ESC_PRINTF(3, 4);

static int refuse(char *why, size_t why_size, const char *fmt, ...)
{
    if (why != NULL && why_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_size, fmt, ap);
        va_end(ap);
    }
    return ESC_EINVAL;
}

/* A watcher id must survive the text form as one token of the rule item:
 * short text, at most ESC__SLA_WATCHER_MAX bytes, and no byte the parser
 * reads as a separator (blank, ';', '[', ']', '='). */
static int watcher_check(const char *id, char *why, size_t why_size)
{
    esc_text_verdict verdict = esc__text_check(id, ESC_TEXT_SHORT);
    if (verdict == ESC_TEXT_TOO_LONG ||
        (verdict == ESC_TEXT_OK && strlen(id) > ESC__SLA_WATCHER_MAX))
        return refuse(why, why_size, "watch= id is longer than %d bytes", ESC__SLA_WATCHER_MAX);
    if (verdict != ESC_TEXT_OK)
        return refuse(why, why_size, "watch= id %s", esc__text_verdict_words(verdict));
    const char *bad = strpbrk(id, " ;[]=");
    if (bad != NULL)
        return refuse(why, why_size, "watch= id may not contain '%c' (no blanks, none of ;[]=)",
                      *bad);
    return ESC_OK;
}

static int is_flag(int v)
{
    return v == 0 || v == 1;
}

int esc__sla_rule_check(const esc_sla_rule *rule, char *why, size_t why_size)
{
    if (why != NULL && why_size > 0)
        why[0] = '\0';
    if (rule == NULL)
        return refuse(why, why_size, "rule is NULL");
    if (rule->version != ESC_SLA_RULE_VERSION)
        return refuse(why, why_size, "unknown rule version %u", rule->version);
    if ((int)rule->target < 0 || (int)rule->target >= ESC_SLA_TARGET_COUNT)
        return refuse(why, why_size, "unknown target %d", (int)rule->target);
    if (rule->warning_percent < 0 || rule->warning_percent > 99)
        return refuse(why, why_size, "warn=%d out of range (1..99)", rule->warning_percent);
    if (rule->tier < 0 || rule->tier > ESC_TIER_MAX)
        return refuse(why, why_size, "tier=%d out of range (1..%d, or 0 for any tier)",
                      rule->tier, ESC_TIER_MAX);
    if (rule->after_ms < 0 || rule->after_ms > ESC_SLA_DURATION_MAX)
        return refuse(why, why_size, "after= out of range (0 .. 3660 days)");
    if (rule->repeat < 1 || rule->repeat > ESC_SLA_REPEAT_MAX)
        return refuse(why, why_size, "repeat=%d out of range (1..%d)", rule->repeat,
                      ESC_SLA_REPEAT_MAX);
    if (rule->repeat > 1 && (rule->every_ms < 1 || rule->every_ms > ESC_SLA_DURATION_MAX))
        return refuse(why, why_size, "repeat=%d needs every= (1ms .. 3660 days)", rule->repeat);
    if (rule->repeat == 1 && rule->every_ms != 0)
        return refuse(why, why_size, "every= needs repeat= above 1");
    if (!is_flag(rule->move_up) || !is_flag(rule->raise_priority))
        return refuse(why, why_size, "move_up and raise_priority must be 0 or 1");
    if (rule->watcher_id != NULL && rule->watcher_id[0] != '\0')
        return watcher_check(rule->watcher_id, why, why_size);
    return ESC_OK;
}

/* The policy's own copy of a watcher id: NULL for none (NULL or ""). */
static int copy_watcher(const char *id, char **out)
{
    *out = NULL;
    if (id == NULL || id[0] == '\0')
        return ESC_OK;
    size_t len = strlen(id) + 1;
    if ((*out = malloc(len)) == NULL)
        return ESC_ENOMEM;
    memcpy(*out, id, len);
    return ESC_OK;
}

ESC_EXTERN(int) esc_sla_policy_add_rule(esc_sla_policy *pol, const esc_sla_rule *rule)
{
    if (pol == NULL || esc__sla_rule_check(rule, NULL, 0) != ESC_OK ||
        pol->rule_count == ESC_SLA_RULES_MAX)
        return ESC_EINVAL;
    if (rule->warning_percent != 0 && !esc__sla_has_warning(pol, rule->warning_percent))
        return ESC_EINVAL;
    char *watcher = NULL;
    if (copy_watcher(rule->watcher_id, &watcher) != ESC_OK)
        return ESC_ENOMEM;
    esc_sla_rule *slot = &pol->rules[pol->rule_count++];
    *slot = *rule;
    slot->watcher_id = watcher;
    return ESC_OK;
}

ESC_EXTERN(size_t) esc_sla_policy_rule_count(const esc_sla_policy *pol)
{
    return pol != NULL ? pol->rule_count : 0;
}

ESC_EXTERN(int) esc_sla_policy_rule(esc_sla_rule *out, const esc_sla_policy *pol, size_t index)
{
    if (out == NULL || pol == NULL || index >= pol->rule_count)
        return ESC_EINVAL;
    *out = pol->rules[index];
    return ESC_OK;
}
