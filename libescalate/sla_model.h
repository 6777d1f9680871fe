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
};

/* Build a calendar from spec for a policy: ESC_EINVAL when it has no
 * working hours; messages into errbuf (may be NULL). */
int esc__sla_calendar(esc_calendar **out, const char *spec, char *errbuf, size_t errbuf_size);

/* Names of targets as the text form writes them. */
extern const char *const esc__sla_target_names[ESC_SLA_TARGET_COUNT];

#endif /* ESC_SLA_MODEL_H */
