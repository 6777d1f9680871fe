/*
 * apply.c — performing lifecycle steps: opening an escalation and applying
 * an action.  Each step is checked against the table, applied to a copy of
 * the snapshot, and written as one unit: the current row (guarded by its
 * version) plus one immutable event.  Only when the store has committed does
 * the caller's snapshot change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "action_codec.h"
#include "event_chain.h"
#include "timers.h"

ESC_EXTERN(int) esc_action_init(esc_action *action, unsigned int version, esc_action_kind kind)
{
    if (action == NULL || version != ESC_ACTION_VERSION || (int)kind < 0 ||
        (int)kind >= ESC_ACTION_COUNT)
        return ESC_EINVAL;
    esc_action initial = ESC_ACTION_INIT;
    *action = initial;
    action->kind = kind;
    return ESC_OK;
}

ESC_EXTERN(int) esc_open_params_init(esc_open_params *params, unsigned int version)
{
    if (params == NULL || version != ESC_OPEN_PARAMS_VERSION)
        return ESC_EINVAL;
    esc_open_params initial = ESC_OPEN_PARAMS_INIT;
    *params = initial;
    return ESC_OK;
}

/* Tokens only need to differ from the ones a rolled-back write may have
 * left behind, so a per-handle generator (splitmix64, seeded at random
 * once) serves: drawing from the system's random source on every step
 * cost as much as hashing the event. */
int64_t esc__new_token(esc_db *db)
{
    if (db->token_state == 0) {
        uuid_t random;
        uuid_generate_random(random);
        memcpy(&db->token_state, random, sizeof db->token_state);
        db->token_state |= 1;
    }
    uint64_t z = (db->token_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    return (int64_t)z;
}

/* Append a copy of event to list. */
static int push_event_copy(struct esc_event_list *list, const struct esc_event *event)
{
    struct esc_event *copy;
    if (esc__event_list_push(list, &copy) != ESC_OK)
        return ESC_ENOMEM;
    *copy = *event;
    copy->actor_id = copy->actor_name = copy->payload = NULL;
    if (esc__set_text(&copy->actor_id, event->actor_id) != ESC_OK ||
        esc__set_text(&copy->actor_name, event->actor_name) != ESC_OK ||
        esc__set_text(&copy->payload, event->payload) != ESC_OK)
        return ESC_ENOMEM;
    return ESC_OK;
}

/* The timer columns of after, including the step's own event; inside the
 * step's transaction, so the history and the policy read are the ones the
 * step commits against.  history: the escalation's events so far when the
 * caller holds them (the sweep), else NULL to read them here. */
static int time_step(esc_db *db, esc_escalation *after, const esc_escalation *before,
                     const struct esc_event *event, struct esc_event_list *history)
{
    const esc_sla_policy *pol = NULL;
    int rc = esc__timers_policy(db, after, &pol);
    if (rc != ESC_OK || pol == NULL)
        return rc == ESC_OK ? esc__timers_plan(db, after, NULL, NULL, 0, NULL) : rc;
    struct esc_event_list own = { 0 };
    struct esc_event_list *events = history ? history : &own;
    if (history == NULL && before != NULL)
        rc = db->store_ops->history(db->store, &own, after->id);
    /* A snapshot older than the stored history: the update's version check
     * would refuse it; say so now rather than time a history with a gap. */
    if (rc == ESC_OK && events->count + 1 != (size_t)event->seq)
        rc = esc__error(db, ESC_ECONFLICT,
                        "escalation %s changed since this snapshot was read: fetch it again",
                        after->id);
    if (rc == ESC_OK && push_event_copy(events, event) != ESC_OK)
        rc = esc__error(db, ESC_ENOMEM, "out of memory timing a step");
    if (rc == ESC_OK)
        rc = esc__timers_plan(db, after, pol, events, 0, NULL);
    esc__event_list_clear(&own);
    return rc;
}

/* Link the event into its escalation's hash chain: inside the step's
 * transaction, so the previous event is the one this step follows. */
static int chain_event(esc_db *db, struct esc_event *event, esc_escalation *after,
                       const esc_escalation *before)
{
    char prev[ESC_EVENT_HASH_SIZE] = "";
    int rc = ESC_OK;
    /* The snapshot carries its last event's hash; the version check of the
     * update vouches that it is still the last one. */
    if (before != NULL && before->chain_head != NULL)
        snprintf(prev, sizeof prev, "%s", before->chain_head);
    /* Events from before the chain have no stored hash: link to the hash
     * they would have had, as verify computes it. */
    if (event->seq > 1 && prev[0] == '\0') {
        struct esc_event_list history = { 0 };
        rc = db->store_ops->history(db->store, &history, event->escalation_id);
        if (rc == ESC_OK)
            esc__event_chain_head(prev, &history);
        esc__event_list_clear(&history);
    }
    if (rc == ESC_OK) {
        esc__event_chain_hash(event->hash, prev, event);
        if (esc__set_text(&after->chain_head, event->hash) != ESC_OK)
            rc = esc__error(db, ESC_ENOMEM, "out of memory chaining an event");
    }
    return rc;
}

/* Write one step: the new current row (with its timers) and its event, in
 * one transaction (a savepoint inside a batch).  before is the snapshot the
 * step was judged on (NULL for a new escalation): the write happens only if
 * it is still what is stored. */
int esc__commit_step(esc_db *db, esc_escalation *after, const esc_escalation *before,
                     const esc_step *step, struct esc_event_list *history)
{
    after->token = esc__new_token(db);
    struct esc_event event = {
        .seq = after->version,
        .at = step->at,
        .action = step->action.kind,
        .actor_id = (char *)step->action.actor.id,
        .actor_name = (char *)step->action.actor.name,
        .actor_tier = step->action.actor.tier,
        .from_state = before ? before->state : ESC_STATE_LISTEN,
        .to_state = after->state,
    };
    memcpy(event.escalation_id, after->id, sizeof event.escalation_id);
    if (esc__payload_encode(&event.payload, step) != ESC_OK)
        return esc__error(db, ESC_ENOMEM, "out of memory recording the event");

    const esc_store_ops *ops = db->store_ops;
    int batched = ops->in_batch(db->store);
    int queued = 0;
    int rc = ops->step_begin(db->store);
    if (rc == ESC_OK) {
        rc = chain_event(db, &event, after, before);
        if (rc == ESC_OK)
            rc = time_step(db, after, before, &event, history);
        if (rc == ESC_OK)
            rc = before == NULL ? ops->insert(db->store, after)
                                : ops->update(db->store, after, before->version, before->token);
        if (rc == ESC_OK)
            rc = ops->append_event(db->store, &event);
        if (rc == ESC_OK && batched && (rc = esc__event_queue(db, &event)) == ESC_OK)
            queued = 1;
        if (rc == ESC_OK)
            rc = ops->step_commit(db->store);
        if (rc != ESC_OK) {
            if (queued)
                esc__event_unqueue_last(db);
            ops->step_rollback(db->store);
            /* The database may have abandoned the whole batch (full disk). */
            if (batched && !ops->in_batch(db->store))
                esc__events_discard(db);
        }
    }
    if (rc == ESC_OK && !batched)
        esc__event_deliver(db, &event);
    free(event.payload);
    return rc;
}

/* An escalation may only name a policy that exists (policies are never
 * deleted, so it cannot vanish afterwards). */
static int check_policy_stored(esc_db *db, const char *name)
{
    if (name == NULL || name[0] == '\0')
        return ESC_OK;
    struct esc_definition def = { 0 };
    int rc = db->store_ops->definition_get(db->store, ESC_DEFINITION_POLICY, name, 0, &def);
    esc__definition_clear(&def);
    return rc;
}

ESC_EXTERN(int) esc_escalation_open(esc_escalation **out, esc_db *db, const esc_open_params *params)
{
    if (out != NULL)
        *out = NULL;
    int rc = esc__db_ready(db);
    if (rc != ESC_OK)
        return rc;
    if ((rc = esc__validate_open(db, params, db->tier_count)) != ESC_OK ||
        (rc = esc__check_actor(db, &params->actor)) != ESC_OK ||
        (rc = esc__check_writable(db)) != ESC_OK ||
        (rc = check_policy_stored(db, params->sla_policy)) != ESC_OK)
        return rc;

    esc_step step = { .open = *params };
    if ((rc = esc__step_time(db, &step.at)) != ESC_OK)
        return rc;
    step.action.kind = ESC_ACTION_OPEN;
    step.action.actor = params->actor;
    step.priority = esc__priority(db, params->impact, params->urgency, params->vip,
                                  params->churn_risk);

    uuid_t uuid;
    char id[37];
    uuid_generate_random(uuid);
    uuid_unparse_lower(uuid, id);

    esc_escalation *esc = esc__escalation_new();
    if (esc == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory opening an escalation");
    rc = esc__lifecycle_open(esc, id, &step);
    if (rc != ESC_OK)
        rc = esc__error(db, rc, "out of memory opening an escalation");
    else
        rc = esc__commit_step(db, esc, NULL, &step, NULL);
    if (rc != ESC_OK || out == NULL) {
        esc_escalation_free(esc);
        return rc;
    }
    *out = esc;
    return ESC_OK;
}

static int fetch(esc_escalation **out, esc_db *db, const char *key, int by_ref)
{
    if (out != NULL)
        *out = NULL;
    int rc = esc__db_ready_for(db, out);
    if (rc != ESC_OK)
        return rc;
    if ((rc = esc__check_key(db, key, by_ref ? "external reference" : "id")) != ESC_OK)
        return rc;
    esc_escalation *esc = esc__escalation_new();
    if (esc == NULL)
        return esc__error(db, ESC_ENOMEM, "out of memory");
    rc = by_ref ? db->store_ops->load_by_ref(db->store, esc, key)
                : db->store_ops->load(db->store, esc, key);
    if (rc == ESC_OK)
        rc = esc__check_may_see(db, esc);
    if (rc != ESC_OK) {
        esc_escalation_free(esc);
        return rc;
    }
    *out = esc;
    return ESC_OK;
}

ESC_EXTERN(int) esc_escalation_get(esc_escalation **out, esc_db *db, const char *id)
{
    return fetch(out, db, id, 0);
}

ESC_EXTERN(int) esc_escalation_get_by_ref(esc_escalation **out, esc_db *db, const char *ref)
{
    return fetch(out, db, ref, 1);
}

/* Say which guard refused, in words a person can act on. */
static int refuse(esc_db *db, int code, esc_guard guard, const esc_escalation *esc,
                  esc_action_kind kind)
{
    db->last_guard = guard;
    if (code == ESC_ETRANSITION)
        return esc__error(db, code, "%s is not allowed while the escalation is in %s",
                          esc_action_name(kind), esc_state_name(esc->state));
    return esc__error(db, code, "cannot %s: %s", esc_action_name(kind),
                      esc_guard_description(guard));
}

ESC_EXTERN(int) esc_apply(esc_db *db, esc_escalation *esc, const esc_action *action)
{
    int rc = esc__db_ready(db);
    if (rc != ESC_OK)
        return rc;
    if (esc == NULL)
        return esc__error(db, ESC_EINVAL, "escalation is NULL");
    if ((rc = esc__validate_action(db, action, db->tier_count)) != ESC_OK ||
        (rc = esc__check_actor(db, &action->actor)) != ESC_OK ||
        (rc = esc__check_writable(db)) != ESC_OK)
        return rc;

    esc_rules rules;
    esc__rules_from_db(&rules, db);
    if ((rc = esc__step_time(db, &rules.now)) != ESC_OK)
        return rc;
    esc_guard unmet;
    rc = esc__lifecycle_check(&unmet, esc, action->kind, action, &action->actor, &rules);
    if (rc != ESC_OK)
        return refuse(db, rc, unmet, esc, action->kind);

    esc_step step = { .action = *action, .at = rules.now };
    if (action->kind == ESC_ACTION_REASSESS)
        step.priority = esc__priority(db, action->impact, action->urgency, action->vip,
                                      action->churn_risk);

    return esc__record_step(db, esc, &step, NULL);
}

int esc__record_step(esc_db *db, esc_escalation *esc, const esc_step *step,
                     struct esc_event_list *history)
{
    /* Work on a copy: esc changes only once the step is committed. */
    esc_escalation *work = esc__escalation_new();
    if (work == NULL || esc__escalation_copy(work, esc) != ESC_OK ||
        esc__lifecycle_effect(work, step) != ESC_OK) {
        esc_escalation_free(work);
        return esc__error(db, ESC_ENOMEM, "out of memory applying %s",
                          esc_action_name(step->action.kind));
    }
    int rc = esc__commit_step(db, work, esc, step, history);
    if (rc == ESC_OK) {
        esc__items_mark_clean(work);
        esc__escalation_clear(esc);
        *esc = *work;
        free(work);  /* the shell only: its contents now belong to esc */
        return ESC_OK;
    }
    esc_escalation_free(work);
    return rc;
}

ESC_EXTERN(int) esc_action_allowed(esc_guard *out, const esc_db *db, const esc_escalation *esc,
                                   esc_action_kind kind, const esc_person *actor)
{
    if (out != NULL)
        *out = ESC_GUARD_NONE;
    if (out == NULL || db == NULL || esc == NULL || (int)kind < 0 || (int)kind >= ESC_ACTION_COUNT)
        return ESC_EINVAL;
    /* Opening and timer firings are the library's own steps, never a person's. */
    if (kind == ESC_ACTION_OPEN || kind == ESC_ACTION_TIMER_FIRED) {
        *out = ESC_GUARD_STATE;
        return ESC_ETRANSITION;
    }
    /* A handle acting for a person answers for that person only. */
    if (db->has_viewer) {
        if (actor == NULL)
            actor = &db->viewer;
        if (actor->id == NULL || strcmp(actor->id, db->viewer.id) != 0 ||
            actor->tier != db->viewer.tier) {
            *out = ESC_GUARD_AUTHORITY;
            return ESC_EAUTHORITY;
        }
    }
    esc_rules rules;
    esc__rules_from_db(&rules, db);
    return esc__lifecycle_check(out, esc, kind, NULL, actor, &rules);
}
