/*
 * sla_model.h — the layout of an SLA policy, shared by sla_policy.c (owns
 * building and changing it), sla_spec.c (its text form) and sla_clock.c
 * (evaluating clocks under it).
 */
#ifndef ESC_SLA_MODEL_H
#define ESC_SLA_MODEL_H

#include "escalate.h"

struct esc_sla_policy {
    esc_calendar *calendar;  /* NULL: wall time */
    int64_t target[ESC_SLA_PRIORITY_MAX + 1][ESC_SLA_TARGET_COUNT];  /* [priority][target], 0 none */
    int pauses[ESC_HOLD_COUNT];                                    /* by esc_hold; [NONE] unused */
    int warnings[ESC_SLA_WARNINGS_MAX];
    size_t warning_count;
    /* In the order added; each rules[i].watcher_id is NULL or a copy the
     * policy owns (only esc_sla_policy_free() frees them). */
    esc_sla_rule rules[ESC_SLA_RULES_MAX];
    size_t rule_count;
};

/* Longest rule watcher id, in bytes (the text form's limit, below
 * ESC_SHORT_TEXT_MAX). */
#define ESC__SLA_WATCHER_MAX 200

/* Check a rule's own fields (everything esc_sla_policy_add_rule() checks
 * except whether warning_percent is one of a policy's warnings); ESC_OK,
 * or ESC_EINVAL with the reason in why (may be NULL), naming the field as
 * the text form writes it. */
int esc__sla_rule_check(const esc_sla_rule *rule, char *why, size_t why_size);

/* 1 when percent is one of pol's warning percentages. */
int esc__sla_has_warning(const esc_sla_policy *pol, int percent);

/* Build a calendar from spec for a policy: ESC_EINVAL when it has no
 * working hours; messages into errbuf (may be NULL). */
int esc__sla_calendar(esc_calendar **out, const char *spec, char *errbuf, size_t errbuf_size);

/* Names of targets as the text form writes them. */
extern const char *const esc__sla_target_names[ESC_SLA_TARGET_COUNT];

#endif /* ESC_SLA_MODEL_H */
