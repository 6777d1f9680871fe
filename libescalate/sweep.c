/*
 * sweep.c — esc_sweep(): fire everything due.  Escalations are taken in the
 * order of their next timer, each in its own write transaction: read the
 * row and history under the write lock, make the firings due one at a time
 * (re-planning after each, since a rule may move the escalation to a tier
 * where other rules apply), record each as a timer_fired event followed by
 * its effects and its outbox entry, then commit.  The history says what
 * has fired, so a second sweep, or a sweep in another process waiting on
 * the lock, finds nothing left to do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "json.h"
#include "timers.h"

#define SWEEP_PAGE 64
/* Every firing is recorded before the next plan, so planning always moves
 * on; this only bounds one escalation's share of a single sweep. */
#define FIRINGS_PER_ESCALATION_MAX 128

static const char *const kind_names[ESC_TIMER_KIND_COUNT] = {
    [ESC_TIMER_WARNING] = "sla_warning",
    [ESC_TIMER_BREACH] = "sla_breach",
    [ESC_TIMER_RULE] = "escalation_rule",
    [ESC_TIMER_PROMISE] = "promise_due",
    [ESC_TIMER_FOLLOW_UP] = "follow_up_due",
};

typedef struct sweeper {
    esc_db *db;
    int64_t now;
    esc_sweep_stats *stats;
    const esc_sla_policy *pol;
    struct esc_event_list history;
} sweeper;

/* A step by the sweep itself: it acts at the escalation's tier. */
static void sweep_step(esc_step *step, const sweeper *s, const esc_escalation *esc,
                       esc_action_kind kind)
{
    memset(step, 0, sizeof *step);
    esc_action_init(&step->action, ESC_ACTION_VERSION, kind);
    step->action.actor.id = "escalate-sweep";
    step->action.actor.name = "SLA sweep";
    step->action.actor.tier = esc->tier;
    step->at = s->now;
}

/* Record a step of the sweep if the lifecycle allows it now.  *done says
 * whether it was recorded; a refusal is not an error (the rule's effect
 * simply does not apply, e.g. a tier move at the top of the ladder). */
static int record_if_allowed(sweeper *s, esc_escalation *esc, const esc_step *step, int *done)
{
    *done = 0;
    esc_rules rules;
    esc__rules_from_db(&rules, s->db);
    rules.now = step->at;
    rules.confidential_tier = 0;  /* the sweep acts for the system: it sees everything */
    esc_guard unmet;
    if (esc__lifecycle_check(&unmet, esc, step->action.kind, &step->action, &step->action.actor,
                             &rules) != ESC_OK)
        return ESC_OK;
    /* Judged against the whole ladder the library allows: the escalation
     * may sit on a rung this handle's ladder does not name. */
    int rc = esc__validate_recorded(s->db, step, ESC_TIER_MAX);
    if (rc == ESC_OK && (rc = esc__record_step(s->db, esc, step, &s->history)) == ESC_OK)
        *done = 1;
    return rc;
}

/* ---- rule effects --------------------------------------------------------- */

/* The handover brief of an automatic tier move: what breached, where it
 * stands, and what the customer last heard. */
static int move_up(sweeper *s, esc_escalation *esc, const esc_firing *f, int *moved)
{
    char due[ESC_UTC_TEXT_MAX], went_wrong[256], tried[256], response[160];
    esc__format_utc(due, f->timer.due);
    const char *target = esc_sla_target_name((esc_sla_target)f->timer.target);
    if (f->timer.percent > 0)
        snprintf(went_wrong, sizeof went_wrong,
                 "The %s clock reached %d%% of its target at priority P%d; rule %d moved it up (%s).",
                 target, f->timer.percent, esc->priority, f->timer.rule, due);
    else
        snprintf(went_wrong, sizeof went_wrong,
                 "The %s target was breached at priority P%d (due %s); rule %d moved it up.",
                 target, esc->priority, due, f->timer.rule);
    const char *tier_name = esc_db_tier_name(s->db, esc->tier);
    snprintf(tried, sizeof tried, "Handled at tier %d (%s), in %s; %zu step(s) planned, %zu update(s) sent.",
             esc->tier, tier_name ? tier_name : "?", esc_state_name(esc->state),
             esc->items[ESC_ITEM_STEP].count, esc->items[ESC_ITEM_UPDATE].count);
    const esc_item_array *updates = &esc->items[ESC_ITEM_UPDATE];
    if (updates->count > 0) {
        char last[ESC_UTC_TEXT_MAX];
        esc__format_utc(last, updates->items[updates->count - 1].created_at);
        snprintf(response, sizeof response, "The customer's last update was sent %s.", last);
    } else {
        snprintf(response, sizeof response, "No update has been sent to the customer yet.");
    }
    esc_step step;
    sweep_step(&step, s, esc, ESC_ACTION_MOVE_TIER);
    step.action.tier = esc->tier + 1;
    step.action.brief_went_wrong = went_wrong;
    step.action.brief_tried = tried;
    step.action.brief_response = response;
    if (esc->tier >= s->db->tier_count) {
        *moved = 0;
        return ESC_OK;
    }
    return record_if_allowed(s, esc, &step, moved);
}

static int raise_priority(sweeper *s, esc_escalation *esc, int *raised)
{
    *raised = 0;
    if (esc->priority <= 1)
        return ESC_OK;
    esc_step step;
    sweep_step(&step, s, esc, ESC_ACTION_REASSESS);
    step.action.impact = esc->impact;
    step.action.urgency = esc->urgency;
    step.action.vip = esc->vip;
    step.action.churn_risk = esc->churn_risk;
    step.priority = esc->priority - 1;
    return record_if_allowed(s, esc, &step, raised);
}

static int watching(const esc_escalation *esc, const char *id)
{
    const esc_item_array *watchers = &esc->items[ESC_ITEM_WATCHER];
    for (size_t i = 0; i < watchers->count; i++)
        if (watchers->items[i].person_id != NULL && strcmp(watchers->items[i].person_id, id) == 0)
            return 1;
    return 0;
}

static int add_watcher(sweeper *s, esc_escalation *esc, const char *id, int *added)
{
    *added = 0;
    if (watching(esc, id))
        return ESC_OK;
    esc_step step;
    sweep_step(&step, s, esc, ESC_ACTION_LOOP_IN);
    step.action.person.id = id;
    step.action.person.name = id;
    step.action.person.tier = 0;
    step.action.category = "watcher";
    return record_if_allowed(s, esc, &step, added);
}

/* Carry out a rule's effects, noting each outcome in the notification. */
static int rule_effects(sweeper *s, esc_escalation *esc, const esc_firing *f, esc_json_writer *w)
{
    esc_sla_rule rule;
    int rc = esc_sla_policy_rule(&rule, s->pol, (size_t)f->timer.rule - 1);
    if (rc != ESC_OK)
        return esc__error(s->db, ESC_ECORRUPT, "rule %d of the policy is gone", f->timer.rule);
    int done;
    if (rule.move_up) {
        if ((rc = move_up(s, esc, f, &done)) != ESC_OK)
            return rc;
        esc__json_int(w, "moved_to_tier", done ? esc->tier : 0);
        s->stats->moves += (size_t)done;
    }
    if (rule.raise_priority) {
        if ((rc = raise_priority(s, esc, &done)) != ESC_OK)
            return rc;
        esc__json_int(w, "raised_to", done ? esc->priority : 0);
    }
    if (rule.watcher_id != NULL && rule.watcher_id[0] != '\0') {
        if ((rc = add_watcher(s, esc, rule.watcher_id, &done)) != ESC_OK)
            return rc;
        esc__json_string(w, "watcher", rule.watcher_id);
    }
    return ESC_OK;
}

/* ---- one firing ----------------------------------------------------------- */

static void count_firing(esc_sweep_stats *stats, int kind)
{
    stats->firings++;
    if (kind == ESC_TIMER_WARNING)
        stats->warnings++;
    else if (kind == ESC_TIMER_BREACH)
        stats->breaches++;
    else if (kind == ESC_TIMER_RULE)
        stats->rules++;
    else
        stats->reminders++;
}

static void describe(esc_json_writer *w, const esc_escalation *esc, const esc_firing *f)
{
    esc__json_string(w, "kind", kind_names[f->timer.kind]);
    esc__json_string(w, "escalation_id", esc->id);
    esc__json_int(w, "due_at", f->timer.due);
    if (f->timer.kind == ESC_TIMER_WARNING || f->timer.kind == ESC_TIMER_BREACH ||
        f->timer.kind == ESC_TIMER_RULE)
        esc__json_string(w, "target", esc_sla_target_name((esc_sla_target)f->timer.target));
    if (f->timer.percent > 0)
        esc__json_int(w, "percent", f->timer.percent);
    if (f->timer.kind == ESC_TIMER_RULE) {
        esc__json_int(w, "rule", f->timer.rule);
        esc__json_int(w, "repeat", f->timer.repeat);
    }
    if (f->item > 0)
        esc__json_int(w, "item", f->item);
    esc__json_int(w, "tier", esc->tier);
    esc__json_int(w, "priority", esc->priority);
}

/* The timer_fired event, the rule's effects, then the outbox entry that
 * tells the host (written last, so it can say what the effects were). */
static int fire(sweeper *s, esc_escalation *esc, const esc_firing *f)
{
    esc_step step;
    sweep_step(&step, s, esc, ESC_ACTION_TIMER_FIRED);
    step.timer = f->timer;
    step.action.item = f->item;
    int rc = esc__validate_recorded(s->db, &step, ESC_TIER_MAX);
    if (rc == ESC_OK)
        rc = esc__record_step(s->db, esc, &step, &s->history);
    if (rc != ESC_OK)
        return rc;
    struct esc_outbox_entry entry = {
        .seq = esc->version,
        .kind = (char *)kind_names[f->timer.kind],
        .due_at = f->timer.due,
        .fired_at = s->now,
    };
    memcpy(entry.escalation_id, esc->id, sizeof entry.escalation_id);
    esc_json_writer w;
    esc__json_begin(&w);
    describe(&w, esc, f);
    if (f->timer.kind == ESC_TIMER_RULE && (rc = rule_effects(s, esc, f, &w)) != ESC_OK) {
        esc__json_end(&w, &entry.payload);
        free(entry.payload);
        return rc;
    }
    if (esc__json_end(&w, &entry.payload) != 0)
        return esc__error(s->db, ESC_ENOMEM, "out of memory writing a notification");
    rc = s->db->store_ops->outbox_add(s->db->store, &entry);
    free(entry.payload);
    if (rc == ESC_OK)
        count_firing(s->stats, f->timer.kind);
    return rc;
}

/* ---- one escalation ------------------------------------------------------- */

static int fire_all_due(sweeper *s, esc_escalation *esc, const char *id)
{
    const esc_store_ops *ops = s->db->store_ops;
    int rc = ops->load(s->db->store, esc, id);
    if (rc == ESC_OK)
        rc = ops->history(s->db->store, &s->history, esc->id);
    if (rc == ESC_OK)
        rc = esc__timers_policy(s->db, esc, &s->pol);
    int fired = 0;
    for (int n = 0; rc == ESC_OK && n < FIRINGS_PER_ESCALATION_MAX; n++) {
        esc_timer_plan plan;
        rc = esc__timers_plan(s->db, esc, s->pol, &s->history, s->now, &plan);
        if (rc != ESC_OK || !plan.has_due)
            break;
        rc = fire(s, esc, &plan.due);
        fired++;
    }
    /* Nothing was due after all (a stored timer from before a change):
     * store the recomputed timers so the row leaves the due range. */
    if (rc == ESC_OK && fired == 0)
        rc = ops->set_timers(s->db->store, esc);
    if (rc == ESC_OK && fired > 0)
        s->stats->escalations++;
    return rc;
}

static int sweep_one(sweeper *s, const char *id)
{
    const esc_store_ops *ops = s->db->store_ops;
    esc_sweep_stats before = *s->stats;
    int rc = ops->batch_begin(s->db->store);
    if (rc == ESC_EBUSY) {
        esc__clear_error(s->db);
        s->stats->busy++;
        return ESC_OK;
    }
    if (rc != ESC_OK)
        return rc;
    esc_escalation *esc = esc__escalation_new();
    if (esc == NULL)
        rc = esc__error(s->db, ESC_ENOMEM, "out of memory sweeping");
    if (rc == ESC_OK)
        rc = fire_all_due(s, esc, id);
    if (rc == ESC_OK)
        rc = ops->batch_commit(s->db->store);
    if (rc == ESC_OK) {
        esc__events_deliver(s->db);
    } else {
        ops->batch_rollback(s->db->store);
        esc__events_discard(s->db);
        *s->stats = before;  /* none of it happened */
        if (rc == ESC_EBUSY) {
            esc__clear_error(s->db);
            s->stats->busy++;
            rc = ESC_OK;
        }
    }
    esc_escalation_free(esc);
    esc__event_list_clear(&s->history);
    return rc;
}

ESC_EXTERN(int) esc_sweep(esc_sweep_stats *stats, esc_db *db, int64_t now)
{
    int rc = esc__db_ready(db);
    if (rc != ESC_OK)
        return rc;
    if (stats != NULL && stats->version != ESC_SWEEP_STATS_VERSION)
        return esc__error(db, ESC_EINVAL, "sweep stats version %u is unknown", stats->version);
    if (now <= 0 || now > ESC_CALENDAR_TIME_MAX)
        return esc__error(db, ESC_EINVAL, "now %lld is not between the epoch and the year 9999",
                          (long long)now);
    if ((rc = esc__check_system(db, "the sweep")) != ESC_OK ||
        (rc = esc__check_writable(db)) != ESC_OK)
        return rc;
    if (db->store_ops->in_batch(db->store))
        return esc__error(db, ESC_EINVAL,
                          "esc_sweep() commits escalation by escalation: commit the batch first");
    esc_sweep_stats own = ESC_SWEEP_STATS_INIT;
    sweeper s = { db, now, &own, NULL, { 0 } };
    esc_due_key page[SWEEP_PAGE], last;
    size_t count = 0;
    int skipped = ESC_OK;
    char skipped_msg[ESC_ERRMSG_MAX] = "";
    do {
        /* Rows that were handled leave the range (their next timer is now
         * later than now, or none); paging by key skips the busy ones. */
        rc = db->store_ops->due_page(db->store, now, count ? &last : NULL, page, SWEEP_PAGE, &count);
        for (size_t i = 0; rc == ESC_OK && i < count; i++) {
            rc = sweep_one(&s, page[i].id);
            /* One escalation that cannot be timed (a damaged history, say)
             * must not stop the others' timers; the database failing must. */
            if (rc != ESC_OK && rc != ESC_ENOMEM && rc != ESC_EIO && rc != ESC_EFULL &&
                rc != ESC_EREADONLY) {
                if (skipped == ESC_OK)
                    snprintf(skipped_msg, sizeof skipped_msg, "%s", esc_db_errmsg(db));
                skipped = rc;
                rc = ESC_OK;
            }
        }
        if (count > 0)
            last = page[count - 1];
    } while (rc == ESC_OK && count == SWEEP_PAGE);
    if (stats != NULL)
        *stats = own;
    if (rc == ESC_OK && skipped != ESC_OK)
        return esc__error(db, skipped, "%s", skipped_msg);
    return rc;
}
