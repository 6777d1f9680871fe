/*
 * verify.c — the events are the truth; the current rows are derived.
 * Verify replays every escalation's events and compares the result with
 * what is stored; rebuild writes the replayed result back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action_codec.h"
#include "event_chain.h"
#include "timers.h"

typedef struct mismatch {
    char id[37];
    char *what;
} mismatch;

struct esc_verify_report {
    size_t escalations;
    size_t events;
    mismatch *mismatches;
    size_t count;
    size_t capacity;
};

/* Would the step have passed its guards when it was taken?  Judged with
 * the rules that do not depend on the handle: any ladder up to
 * ESC_TIER_MAX, "now" = when the step was taken, and no minimum of
 * follow-up attempts (that number is the host's setting, not the log's). */
static int replay_guards_hold(const esc_escalation *esc, const esc_step *step)
{
    /* Judged as it was written: any ladder, anyone may see (visibility
     * depends on settings that may have changed since). */
    esc_rules rules = { ESC_TIER_MAX, 0, step->at, 0 };
    esc_guard unmet;
    return esc__lifecycle_check(&unmet, esc, step->action.kind, &step->action,
                                &step->action.actor, &rules) == ESC_OK;
}

/* Replay one event onto esc.  The log must be one the library could have
 * written: sequence, states, arguments and guards are all checked. */
static int replay_event(esc_escalation *esc, const struct esc_event *event, int64_t expected_seq,
                        char *what, size_t size)
{
    if (event->seq != expected_seq) {
        snprintf(what, size, "event sequence: expected %lld, found %lld", (long long)expected_seq,
                 (long long)event->seq);
        return ESC_ECORRUPT;
    }
    esc_step step;
    memset(&step, 0, sizeof step);
    step.action.version = ESC_ACTION_VERSION;
    step.action.kind = event->action;
    step.action.actor.id = event->actor_id;
    step.action.actor.name = event->actor_name;
    step.action.actor.tier = event->actor_tier;
    step.open.version = ESC_OPEN_PARAMS_VERSION;
    step.at = event->at;
    esc_json_object storage;
    int rc = esc__payload_decode(&step, &storage, event->payload, strlen(event->payload));
    if (rc != ESC_OK) {
        snprintf(what, size, "event %lld: unreadable payload", (long long)event->seq);
        return rc;
    }
    step.open.actor = step.action.actor;
    if (expected_seq == 1) {
        if (event->action != ESC_ACTION_OPEN || esc__validate_open(NULL, &step.open, ESC_TIER_MAX) != ESC_OK) {
            snprintf(what, size, "event 1 is not a valid open");
            rc = ESC_ECORRUPT;
        } else {
            rc = esc__lifecycle_open(esc, event->escalation_id, &step);
        }
    } else if (event->action == ESC_ACTION_OPEN || event->from_state != esc->state ||
               !(esc__transitions[event->action].from_states & ESC_STATE_BIT(esc->state)) ||
               esc__validate_recorded(NULL, &step, ESC_TIER_MAX) != ESC_OK) {
        snprintf(what, size, "event %lld: %s from %s is not a step the lifecycle allows",
                 (long long)event->seq, esc_action_name(event->action), esc_state_name(esc->state));
        rc = ESC_ECORRUPT;
    } else if (!replay_guards_hold(esc, &step)) {
        snprintf(what, size, "event %lld: %s whose conditions did not hold",
                 (long long)event->seq, esc_action_name(event->action));
        rc = ESC_ECORRUPT;
    } else {
        rc = esc__lifecycle_effect(esc, &step);
        /* An effect that finds no item to act on means the log was edited. */
        if (rc == ESC_EINTERNAL) {
            snprintf(what, size, "event %lld refers to an item that does not exist",
                     (long long)event->seq);
            rc = ESC_ECORRUPT;
        }
    }
    if (rc == ESC_OK && event->to_state != esc->state) {
        snprintf(what, size, "event %lld: recorded state %s, replayed %s", (long long)event->seq,
                 esc_state_name(event->to_state), esc_state_name(esc->state));
        rc = ESC_ECORRUPT;
    }
    esc__json_object_free(&storage);
    return rc;
}

/* Replay all events of one escalation into out.  ESC_ECORRUPT with a
 * description in what when the log itself is inconsistent. */
static int replay(esc_db *db, const char *id, esc_escalation *out, size_t *events, char *what,
                  size_t size)
{
    struct esc_event_list history = { 0 };
    int rc = db->store_ops->history(db->store, &history, id);
    if (rc != ESC_OK) {
        esc__event_list_clear(&history);
        return rc;
    }
    *events = history.count;
    if (history.count == 0) {
        snprintf(what, size, "a current row without any event");
        rc = ESC_ECORRUPT;
    }
    for (size_t i = 0; rc == ESC_OK && i < history.count; i++)
        rc = replay_event(out, &history.events[i], (int64_t)i + 1, what, size);
    /* A log the lifecycle accepts may still have been edited: the chain
     * says whether every event is the one written. */
    if (rc == ESC_OK)
        rc = esc__event_chain_check(&history, what, size);
    /* The row keeps the head of the chain once a hashed event is written. */
    if (rc == ESC_OK && history.events[history.count - 1].hash[0] != '\0' &&
        esc__set_text(&out->chain_head, history.events[history.count - 1].hash) != ESC_OK)
        rc = ESC_ENOMEM;
    /* The timers are derived from the replayed history too. */
    const esc_sla_policy *pol = NULL;
    if (rc == ESC_OK)
        rc = esc__timers_policy(db, out, &pol);
    if (rc == ESC_OK)
        rc = esc__timers_plan(db, out, pol, &history, 0, NULL);
    if (rc == ESC_ENOMEM)
        esc__error(db, rc, "out of memory replaying %s", id);
    esc__items_mark_clean(out);
    esc__event_list_clear(&history);
    return rc;
}

static int add_mismatch(esc_verify_report *report, const char *id, const char *what)
{
    if (report->count == report->capacity) {
        size_t capacity = report->capacity ? report->capacity * 2 : 8;
        mismatch *grown = realloc(report->mismatches, capacity * sizeof *grown);
        if (grown == NULL)
            return ESC_ENOMEM;
        report->mismatches = grown;
        report->capacity = capacity;
    }
    mismatch *m = &report->mismatches[report->count];
    snprintf(m->id, sizeof m->id, "%s", id);
    m->what = NULL;
    if (esc__set_text(&m->what, what) != ESC_OK)
        return ESC_ENOMEM;
    report->count++;
    return ESC_OK;
}

/* A closed escalation keeps the SLA figures recorded when it closed, under
 * the policy of that day: later policy versions recompute open ones only,
 * so replay (which times under today's policy) takes them from the row. */
static void keep_closed_timers(esc_escalation *replayed, const esc_escalation *stored)
{
    if (replayed->state != ESC_STATE_CLOSED)
        return;
    memcpy(replayed->sla, stored->sla, sizeof replayed->sla);
    replayed->next_timer_at = stored->next_timer_at;
}

typedef struct verify_walk {
    esc_db *db;
    esc_verify_report *report;
} verify_walk;

static int verify_one(const char *id, void *payload)
{
    verify_walk *walk = payload;
    char what[256] = "";
    size_t events = 0;
    esc_escalation *replayed = esc__escalation_new();
    esc_escalation *stored = esc__escalation_new();
    int rc = (replayed && stored) ? ESC_OK : ESC_ENOMEM;
    if (rc == ESC_OK) {
        rc = replay(walk->db, id, replayed, &events, what, sizeof what);
        walk->report->escalations++;
        walk->report->events += events;
    }
    if (rc == ESC_OK) {
        rc = walk->db->store_ops->load(walk->db->store, stored, id);
        if (rc == ESC_ENOTFOUND) {
            snprintf(what, sizeof what, "events without a current row");
            rc = ESC_ECORRUPT;
        } else if (rc == ESC_OK) {
            keep_closed_timers(replayed, stored);
            if (esc__escalation_diff(stored, replayed, what, sizeof what))
                rc = ESC_ECORRUPT;
        }
    }
    /* A damaged log or row is a finding, not a reason to stop looking. */
    if (rc == ESC_ECORRUPT)
        rc = add_mismatch(walk->report, id, what[0] ? what : esc_db_errmsg(walk->db));
    esc_escalation_free(replayed);
    esc_escalation_free(stored);
    if (rc == ESC_ENOMEM)
        return esc__error(walk->db, ESC_ENOMEM, "out of memory verifying");
    return rc;
}

ESC_EXTERN(int) esc_db_verify(esc_verify_report **out, esc_db *db)
{
    if (out != NULL)
        *out = NULL;
    int rc = esc__db_ready_for(db, out);
    if (rc != ESC_OK)
        return rc;
    if ((rc = esc__check_system(db, "verify")) != ESC_OK)
        return rc;
    esc_verify_report *report = calloc(1, sizeof *report);
    if (report == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory");
    verify_walk walk = { db, report };
    /* One read transaction: writers going on meanwhile cannot make a row
     * and its events look out of step. */
    int started;
    rc = db->store_ops->read_begin(db->store, &started);
    if (rc == ESC_OK)
        rc = db->store_ops->each_escalation(db->store, verify_one, &walk);
    db->store_ops->read_end(db->store, started);
    if (rc != ESC_OK) {
        esc_verify_report_free(report);
        return rc;
    }
    esc__clear_error(db);
    *out = report;
    return ESC_OK;
}

ESC_EXTERN(size_t) esc_verify_report_escalations(const esc_verify_report *report)
{
    return report ? report->escalations : 0;
}

ESC_EXTERN(size_t) esc_verify_report_events(const esc_verify_report *report)
{
    return report ? report->events : 0;
}

ESC_EXTERN(size_t) esc_verify_report_mismatch_count(const esc_verify_report *report)
{
    return report ? report->count : 0;
}

ESC_EXTERN(const char *) esc_verify_report_mismatch_id(const esc_verify_report *report, size_t index)
{
    return (report && index < report->count) ? report->mismatches[index].id : NULL;
}

ESC_EXTERN(const char *) esc_verify_report_mismatch_what(const esc_verify_report *report,
                                                         size_t index)
{
    return (report && index < report->count) ? report->mismatches[index].what : NULL;
}

ESC_EXTERN(void) esc_verify_report_free(esc_verify_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->count; i++)
        free(report->mismatches[i].what);
    free(report->mismatches);
    free(report);
}

typedef struct rebuild_walk {
    esc_db *db;
    size_t rebuilt;
} rebuild_walk;

static int rebuild_one(const char *id, void *payload)
{
    rebuild_walk *walk = payload;
    char what[256] = "";
    size_t events = 0;
    esc_escalation *replayed = esc__escalation_new();
    if (replayed == NULL)
        return esc__error(walk->db, ESC_ENOMEM, "out of memory rebuilding");
    int rc = replay(walk->db, id, replayed, &events, what, sizeof what);
    if (rc == ESC_ECORRUPT) {
        /* The reason is either the replay's or, when the log could not
         * even be read, the store's: copy it before it is overwritten. */
        if (what[0] == '\0')
            snprintf(what, sizeof what, "%s", esc_db_errmsg(walk->db));
        rc = esc__error(walk->db, ESC_ECORRUPT,
                        "cannot rebuild escalation %s: its event log is damaged (%s)", id, what);
    }
    if (rc == ESC_OK && replayed->state == ESC_STATE_CLOSED) {
        esc_escalation *stored = esc__escalation_new();
        if (stored == NULL)
            rc = esc__error(walk->db, ESC_ENOMEM, "out of memory rebuilding");
        else if (walk->db->store_ops->load(walk->db->store, stored, id) == ESC_OK)
            keep_closed_timers(replayed, stored);
        else
            esc__clear_error(walk->db);  /* no row to keep anything from */
        esc_escalation_free(stored);
    }
    if (rc == ESC_OK) {
        replayed->token = esc__new_token(walk->db);  /* snapshots read before are stale now */
        rc = walk->db->store_ops->replace(walk->db->store, replayed);
    }
    if (rc == ESC_OK)
        walk->rebuilt++;
    esc_escalation_free(replayed);
    return rc;
}

ESC_EXTERN(int) esc_db_rebuild(size_t *out_rebuilt, esc_db *db)
{
    if (out_rebuilt != NULL)
        *out_rebuilt = 0;
    int rc = esc__db_ready(db);
    if (rc != ESC_OK)
        return rc;
    if ((rc = esc__check_system(db, "rebuild")) != ESC_OK ||
        (rc = esc__check_writable(db)) != ESC_OK)
        return rc;
    if (db->store_ops->in_batch(db->store))
        return esc__error(db, ESC_EINVAL, "rebuild cannot run inside a batch");
    rebuild_walk walk = { db, 0 };
    /* All or nothing: one transaction for the whole rebuild. */
    if ((rc = db->store_ops->step_begin(db->store)) != ESC_OK)
        return rc;
    rc = db->store_ops->each_escalation(db->store, rebuild_one, &walk);
    if (rc == ESC_OK)
        rc = db->store_ops->step_commit(db->store);
    if (rc != ESC_OK) {
        db->store_ops->step_rollback(db->store);
        return rc;
    }
    if (out_rebuilt != NULL)
        *out_rebuilt = walk.rebuilt;
    return ESC_OK;
}
