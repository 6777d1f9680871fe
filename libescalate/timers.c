/*
 * timers.c — what is pending for one escalation.  From its row, its
 * history and its policy: the deadline, met instant and margin of each SLA
 * target (the derived columns), the next instant anything fires, and the
 * first firing due by a given instant.
 *
 * A firing is identified by what fired, not by when: (clock, stage, cycle)
 * for SLA warnings and breaches, (rule, cycle, repetition) for escalation
 * rules, and the reminded-until instant for promises and follow-ups.  The
 * history records every firing, so whatever it holds is never planned
 * again; that is what makes the sweep idempotent.
 */
#include <stdlib.h>
#include <string.h>

#include "action_codec.h"
#include "timers.h"

/* What the history says has fired already, for the clocks' current cycles.
 * Firings are recognised by what they were, not by their position in the
 * policy, so a new policy version (warnings added or dropped, rules
 * reordered) neither repeats a firing nor hides one. */
#define FIRED_RULES_MAX 64

typedef struct fired_rule {
    int64_t key;        /* esc__sla_rule_key() of the rule */
    int repeats;        /* repetitions fired in its clock's current cycle */
} fired_rule;

typedef struct fired_set {
    int64_t cycle[ESC_SLA_TARGET_COUNT];         /* the current cycle of each clock */
    int max_warning[ESC_SLA_TARGET_COUNT];       /* highest warning percentage fired in it */
    int breached[ESC_SLA_TARGET_COUNT];          /* its breach fired in it */
    fired_rule rules[FIRED_RULES_MAX];
    size_t rule_count;
} fired_set;

/* The cycle of each clock, as the clocks count them (sla_clock.c): the
 * update clock starts again with every update sent, and with a reopen
 * after the first response; the others run once (a reopen continues the
 * resolution clock). */
static void current_cycles(fired_set *fired, const struct esc_event_list *history)
{
    memset(fired, 0, sizeof *fired);
    int responded = 0;
    for (size_t i = 0; i < history->count; i++) {
        esc_action_kind action = history->events[i].action;
        if (action == ESC_ACTION_SEND_UPDATE || (action == ESC_ACTION_REOPEN && responded))
            fired->cycle[ESC_SLA_UPDATE]++;
        responded = responded || action == ESC_ACTION_SEND_UPDATE;
    }
}

/* A rule's identity: every field that says what it does (FNV-1a). */
int64_t esc__sla_rule_key(const esc_sla_rule *rule)
{
    uint64_t h = UINT64_C(14695981039346656037);
    int64_t fields[] = { rule->target, rule->warning_percent, rule->tier, rule->after_ms,
                         rule->repeat, rule->every_ms, rule->move_up, rule->raise_priority };
    const unsigned char *bytes = (const unsigned char *)fields;
    for (size_t i = 0; i < sizeof fields; i++)
        h = (h ^ bytes[i]) * UINT64_C(1099511628211);
    for (const char *c = rule->watcher_id ? rule->watcher_id : ""; *c; c++)
        h = (h ^ (unsigned char)*c) * UINT64_C(1099511628211);
    return (int64_t)(h & INT64_MAX) | 1;  /* positive and never 0 (0: no key) */
}

static fired_rule *fired_rule_for(fired_set *fired, int64_t key, int add)
{
    for (size_t i = 0; i < fired->rule_count; i++)
        if (fired->rules[i].key == key)
            return &fired->rules[i];
    if (!add || fired->rule_count == FIRED_RULES_MAX)
        return NULL;
    fired_rule *r = &fired->rules[fired->rule_count++];
    r->key = key;
    r->repeats = 0;
    return r;
}

static int decode_timer(esc_timer_step *out, int *item, const struct esc_event *event)
{
    esc_step step;
    memset(&step, 0, sizeof step);
    step.action.kind = ESC_ACTION_TIMER_FIRED;
    esc_json_object storage;
    int rc = esc__payload_decode(&step, &storage, event->payload, strlen(event->payload));
    if (rc != ESC_OK)
        return rc;
    *out = step.timer;
    *item = step.action.item;
    esc__json_object_free(&storage);
    return ESC_OK;
}

static int scan_fired(fired_set *fired, const struct esc_event_list *history)
{
    current_cycles(fired, history);
    for (size_t i = 0; i < history->count; i++) {
        const struct esc_event *event = &history->events[i];
        if (event->action != ESC_ACTION_TIMER_FIRED)
            continue;
        esc_timer_step t;
        int item;
        int rc = decode_timer(&t, &item, event);
        if (rc != ESC_OK)
            return rc;
        if (t.target < 0 || t.target >= ESC_SLA_TARGET_COUNT || t.cycle != fired->cycle[t.target])
            continue;
        if (t.kind == ESC_TIMER_BREACH)
            fired->breached[t.target] = 1;
        if (t.kind == ESC_TIMER_WARNING && t.percent > fired->max_warning[t.target])
            fired->max_warning[t.target] = t.percent;
        fired_rule *r = t.kind == ESC_TIMER_RULE ? fired_rule_for(fired, t.rule_key, 1) : NULL;
        if (r != NULL && t.repeat + 1 > r->repeats)
            r->repeats = t.repeat + 1;
    }
    return ESC_OK;
}

/* ---- choosing ------------------------------------------------------------- */

typedef struct chooser {
    int64_t now;            /* 0: nothing is due (only the next instant is wanted) */
    int64_t next_at;        /* earliest pending instant */
    esc_timer_plan *plan;
} chooser;

/* Earlier first; at the same instant, reminders before warnings before
 * breaches before rules, so a rule acts after the breach it answers. */
static int fires_before(const esc_firing *a, const esc_firing *b)
{
    if (a->at != b->at)
        return a->at < b->at;
    int ka = a->timer.kind == ESC_TIMER_PROMISE || a->timer.kind == ESC_TIMER_FOLLOW_UP ? 0 : a->timer.kind;
    int kb = b->timer.kind == ESC_TIMER_PROMISE || b->timer.kind == ESC_TIMER_FOLLOW_UP ? 0 : b->timer.kind;
    if (ka != kb)
        return ka < kb;
    if (a->timer.target != b->timer.target)
        return a->timer.target < b->timer.target;
    return a->timer.rule < b->timer.rule;
}

/* A pending firing: it counts toward the next instant, and when it is due
 * it competes to be the one made next. */
static void consider(chooser *c, const esc_firing *f)
{
    if (f->at <= 0)
        return;
    if (c->next_at == 0 || f->at < c->next_at)
        c->next_at = f->at;
    if (c->plan == NULL || c->now <= 0 || f->at > c->now)
        return;
    if (!c->plan->has_due || fires_before(f, &c->plan->due)) {
        c->plan->due = *f;
        c->plan->has_due = 1;
    }
}

/* The promise or follow-up due first, not yet reminded of.  Reminders at
 * the same instant are one firing (the watermark moves past all of them). */
static void consider_reminder(chooser *c, const esc_escalation *esc)
{
    if (esc->due_at <= 0)
        return;
    esc_firing f;
    memset(&f, 0, sizeof f);
    f.at = esc->due_at;
    f.timer.due = esc->due_at;
    f.timer.kind = ESC_TIMER_FOLLOW_UP;
    const esc_item_array *follow_ups = &esc->items[ESC_ITEM_FOLLOW_UP];
    for (size_t i = 0; i < follow_ups->count && f.item == 0; i++)
        if (follow_ups->items[i].status == ESC_ITEM_OPEN && follow_ups->items[i].at == esc->due_at)
            f.item = follow_ups->items[i].number;
    if (f.item == 0)
        f.timer.kind = ESC_TIMER_PROMISE;
    consider(c, &f);
}

/* Warnings and the breach of one running clock.  Of several due at once
 * only the latest fires: a late sweep sends the breach, not the stale
 * warnings before it.  A warning is done once it, a higher warning or the
 * breach has fired in this cycle. */
static void consider_stages(chooser *c, const esc_sla_policy *pol, const esc_sla_clocks *clocks,
                            esc_sla_target t, const fired_set *fired)
{
    if (fired->breached[t])
        return;
    size_t warnings = esc_sla_policy_warning_count(pol);
    esc_firing due_stage = { .at = 0 };
    for (size_t stage = 1; stage <= warnings + 1; stage++) {
        int breach = stage == warnings + 1;
        int percent = breach ? 0 : esc_sla_policy_warning(pol, stage - 1);
        if (!breach && percent <= fired->max_warning[t])
            continue;
        esc_firing f;
        memset(&f, 0, sizeof f);
        f.at = breach ? esc_sla_clocks_deadline(clocks, t) : esc_sla_clocks_warning_at(clocks, t, stage - 1);
        if (f.at <= 0)
            continue;
        f.timer.kind = breach ? ESC_TIMER_BREACH : ESC_TIMER_WARNING;
        f.timer.target = (int)t;
        f.timer.stage = (int)stage;
        f.timer.percent = percent;
        f.timer.cycle = fired->cycle[t];
        f.timer.due = f.at;
        if (c->now > 0 && f.at <= c->now) {
            if (c->next_at == 0 || f.at < c->next_at)
                c->next_at = f.at;
            due_stage = f;      /* a later stage supersedes an earlier one */
        } else {
            consider(c, &f);
        }
    }
    if (due_stage.at > 0)
        consider(c, &due_stage);
}

/* The instant that lies span after from, counted like the policy's targets. */
static int64_t later_by(const esc_sla_policy *pol, int64_t from, int64_t span)
{
    const esc_calendar *cal = esc_sla_policy_calendar(pol);
    if (cal == NULL)
        return from + span;
    int64_t out;
    return esc_calendar_add_business(&out, cal, from, span) == ESC_OK ? out : 0;
}

/* The next repetition of each rule watching clock t, if the escalation is
 * at the rule's tier and the rule's trigger has been reached. */
static void consider_rules(chooser *c, const esc_escalation *esc, const esc_sla_policy *pol,
                           const esc_sla_clocks *clocks, esc_sla_target t, const fired_set *fired)
{
    size_t count = esc_sla_policy_rule_count(pol);
    for (size_t r = 0; r < count; r++) {
        esc_sla_rule rule;
        if (esc_sla_policy_rule(&rule, pol, r) != ESC_OK || rule.target != t ||
            (rule.tier != 0 && rule.tier != esc->tier))
            continue;
        int64_t key = esc__sla_rule_key(&rule);
        const fired_rule *done = fired_rule_for((fired_set *)fired, key, 0);
        int repeat = done ? done->repeats : 0;
        if (repeat >= rule.repeat)
            continue;
        int64_t trigger = 0;
        if (rule.warning_percent == 0) {
            trigger = esc_sla_clocks_deadline(clocks, t);
        } else {
            size_t warnings = esc_sla_policy_warning_count(pol);
            for (size_t i = 0; i < warnings; i++)
                if (esc_sla_policy_warning(pol, i) == rule.warning_percent)
                    trigger = esc_sla_clocks_warning_at(clocks, t, i);
        }
        if (trigger <= 0)
            continue;
        esc_firing f;
        memset(&f, 0, sizeof f);
        f.at = later_by(pol, trigger, rule.after_ms + (int64_t)repeat * rule.every_ms);
        f.timer.kind = ESC_TIMER_RULE;
        f.timer.target = (int)t;
        f.timer.rule = (int)r + 1;
        f.timer.rule_key = key;
        f.timer.repeat = repeat;
        f.timer.percent = rule.warning_percent;
        f.timer.cycle = fired->cycle[t];
        f.timer.due = f.at;
        consider(c, &f);
    }
}

static void record_clock(esc_sla_record *record, const esc_sla_clocks *clocks, esc_sla_target t)
{
    record->due = esc_sla_clocks_state(clocks, t) == ESC_SLA_RUNNING ? esc_sla_clocks_deadline(clocks, t) : 0;
    record->met_at = esc_sla_clocks_met_at(clocks, t);
    record->margin = record->met_at > 0 ? esc_sla_clocks_margin_ms(clocks, t) : 0;
}

static int plan_sla(chooser *c, esc_escalation *esc, const esc_sla_policy *pol,
                    const struct esc_event_list *history)
{
    fired_set fired;
    int rc = scan_fired(&fired, history);
    if (rc != ESC_OK)
        return rc;
    /* Deadlines do not depend on the instant of evaluation, so the clocks
     * are evaluated at the latest event time (events timed before an
     * earlier one count at the earlier one's): the same answer every time. */
    int64_t last = history->events[0].at;
    for (size_t i = 1; i < history->count; i++)
        if (history->events[i].at > last)
            last = history->events[i].at;
    esc_sla_clocks *clocks = NULL;
    rc = esc_sla_evaluate(&clocks, pol, history, last);
    if (rc == ESC_ENOTFOUND)
        return ESC_OK;  /* deadlines beyond the calendar's horizon: nothing to time */
    if (rc != ESC_OK)
        return rc;
    for (int t = 0; t < ESC_SLA_TARGET_COUNT; t++) {
        record_clock(&esc->sla[t], clocks, (esc_sla_target)t);
        if (esc->state == ESC_STATE_CLOSED ||
            esc_sla_clocks_state(clocks, (esc_sla_target)t) != ESC_SLA_RUNNING)
            continue;
        consider_stages(c, pol, clocks, (esc_sla_target)t, &fired);
        consider_rules(c, esc, pol, clocks, (esc_sla_target)t, &fired);
    }
    esc_sla_clocks_free(clocks);
    return ESC_OK;
}

int esc__timers_plan(esc_db *db, esc_escalation *esc, const esc_sla_policy *pol,
                     const struct esc_event_list *history, int64_t now, esc_timer_plan *plan)
{
    chooser c = { now, 0, plan };
    if (plan != NULL)
        memset(plan, 0, sizeof *plan);
    memset(esc->sla, 0, sizeof esc->sla);
    consider_reminder(&c, esc);
    if (pol != NULL && history != NULL && history->count > 0) {
        int rc = plan_sla(&c, esc, pol, history);
        if (rc == ESC_ENOMEM)
            return esc__error(db, rc, "out of memory computing the timers of %s", esc->id);
        if (rc != ESC_OK)
            return esc__error(db, rc, "the history of %s cannot be timed: %s", esc->id,
                              esc_status_string(rc));
    }
    esc->next_timer_at = esc->state == ESC_STATE_CLOSED ? 0 : c.next_at;
    return ESC_OK;
}

int esc__timers_refresh(esc_db *db, esc_escalation *esc)
{
    const esc_sla_policy *pol = NULL;
    int rc = esc__timers_policy(db, esc, &pol);
    if (rc != ESC_OK)
        return rc;
    struct esc_event_list history = { 0 };
    if (pol != NULL)
        rc = db->store_ops->history(db->store, &history, esc->id);
    if (rc == ESC_OK)
        rc = esc__timers_plan(db, esc, pol, &history, 0, NULL);
    if (rc == ESC_OK)
        rc = db->store_ops->set_timers(db->store, esc);
    esc__event_list_clear(&history);
    return rc;
}
