/*
 * test_lifecycle.c — owns the tests of the transition table as a host sees
 * it: every state × action pair (allowed and effective, or refused with
 * ESC_ETRANSITION and nothing changed), esc_action_allowed() agreeing with
 * it, the target state and effect of each action, the one event each step
 * appends, a full walk that esc_db_verify() replays without a mismatch,
 * priority (default matrix, VIP / churn raise, replacement, reassess) and
 * the tier ladder.
 *
 * The expected table is written out here from shared/lifecycle.md on
 * purpose: reading the library's own table would only test it against
 * itself.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- the expected table ---------------------------------------------------- */

/* One column per state, in esc_state order:
 *   L listen, C clarify, P plan, O own, F follow_up, R resolved, X closed.
 * 'x' = the action is allowed there, '.' = ESC_ETRANSITION. */
static const char *const expected_allowed[ESC_ACTION_COUNT] = {
    /*                                     LCPOFRX */
    [ESC_ACTION_OPEN]                   = ".......",
    [ESC_ACTION_NOTE]                   = "xxxxxx.",
    [ESC_ACTION_ACK_EMOTION]            = "xxxxxx.",
    [ESC_ACTION_ADVANCE]                = "x......",
    [ESC_ACTION_STATE_PROBLEM]          = ".x.....",
    [ESC_ACTION_CONFIRM_PROBLEM]        = ".x.....",
    [ESC_ACTION_ADD_STEP]               = "..xx...",
    [ESC_ACTION_OFFER_OPTION]           = "..xx...",
    [ESC_ACTION_CHOOSE_OPTION]          = "..xx...",
    [ESC_ACTION_PROMISE]                = "..xx...",
    [ESC_ACTION_TAKE_OWNERSHIP]         = "..x....",
    [ESC_ACTION_LOOP_IN]                = "xxxxxx.",
    [ESC_ACTION_SEND_UPDATE]            = "..xxx..",
    [ESC_ACTION_REQUEST_EXCEPTION]      = "..xx...",
    [ESC_ACTION_DECIDE_EXCEPTION]       = "..xx...",
    [ESC_ACTION_RECORD_RESOLUTION]      = "...x...",
    [ESC_ACTION_SCHEDULE_FOLLOW_UP]     = "...xx..",
    [ESC_ACTION_COMPLETE_FOLLOW_UP]     = "...xx..",
    [ESC_ACTION_CONFIRM_RESOLVED]       = "....x..",
    [ESC_ACTION_REOPEN]                 = "....xx.",
    [ESC_ACTION_CLOSE]                  = ".....x.",
    [ESC_ACTION_WITHDRAW]               = "xxxxxx.",
    [ESC_ACTION_MOVE_TIER]              = "xxxxxx.",
    [ESC_ACTION_HOLD]                   = "xxxxx..",
    [ESC_ACTION_RESUME]                 = "xxxxx..",
    [ESC_ACTION_REASSESS]               = "xxxxxx.",
    [ESC_ACTION_TAG]                    = "xxxxxx.",
    /* Recorded by the sweep only (test_timers.c), never by a person. */
    [ESC_ACTION_TIMER_FIRED]            = ".......",
};

/* Where a successful action leads; -1 = the state does not change.
 * (confirm_problem with yes, as the typical arguments give it.) */
static const int expected_target[ESC_ACTION_COUNT] = {
    [ESC_ACTION_OPEN] = -1,
    [ESC_ACTION_NOTE] = -1,
    [ESC_ACTION_ACK_EMOTION] = -1,
    [ESC_ACTION_ADVANCE] = ESC_STATE_CLARIFY,
    [ESC_ACTION_STATE_PROBLEM] = -1,
    [ESC_ACTION_CONFIRM_PROBLEM] = ESC_STATE_PLAN,
    [ESC_ACTION_ADD_STEP] = -1,
    [ESC_ACTION_OFFER_OPTION] = -1,
    [ESC_ACTION_CHOOSE_OPTION] = -1,
    [ESC_ACTION_PROMISE] = -1,
    [ESC_ACTION_TAKE_OWNERSHIP] = ESC_STATE_OWN,
    [ESC_ACTION_LOOP_IN] = -1,
    [ESC_ACTION_SEND_UPDATE] = -1,
    [ESC_ACTION_REQUEST_EXCEPTION] = -1,
    [ESC_ACTION_DECIDE_EXCEPTION] = -1,
    [ESC_ACTION_RECORD_RESOLUTION] = ESC_STATE_FOLLOW_UP,
    [ESC_ACTION_SCHEDULE_FOLLOW_UP] = -1,
    [ESC_ACTION_COMPLETE_FOLLOW_UP] = -1,
    [ESC_ACTION_CONFIRM_RESOLVED] = ESC_STATE_RESOLVED,
    [ESC_ACTION_REOPEN] = ESC_STATE_CLARIFY,
    [ESC_ACTION_CLOSE] = ESC_STATE_CLOSED,
    [ESC_ACTION_WITHDRAW] = ESC_STATE_CLOSED,
    [ESC_ACTION_MOVE_TIER] = ESC_STATE_LISTEN,
    [ESC_ACTION_HOLD] = -1,
    [ESC_ACTION_RESUME] = -1,
    [ESC_ACTION_REASSESS] = -1,
    [ESC_ACTION_TAG] = -1,
    [ESC_ACTION_TIMER_FIRED] = -1,
};

/* The item kind a successful action adds one of; -1 = none. */
static const int expected_new_item[ESC_ACTION_COUNT] = {
    [ESC_ACTION_OPEN] = -1,
    [ESC_ACTION_NOTE] = ESC_ITEM_NOTE,
    [ESC_ACTION_ACK_EMOTION] = ESC_ITEM_EMOTION,
    [ESC_ACTION_ADVANCE] = -1,
    [ESC_ACTION_STATE_PROBLEM] = -1,
    [ESC_ACTION_CONFIRM_PROBLEM] = -1,
    [ESC_ACTION_ADD_STEP] = ESC_ITEM_STEP,
    [ESC_ACTION_OFFER_OPTION] = ESC_ITEM_OPTION,
    [ESC_ACTION_CHOOSE_OPTION] = -1,
    [ESC_ACTION_PROMISE] = -1,
    [ESC_ACTION_TAKE_OWNERSHIP] = -1,
    [ESC_ACTION_LOOP_IN] = ESC_ITEM_WATCHER,
    [ESC_ACTION_SEND_UPDATE] = ESC_ITEM_UPDATE,
    [ESC_ACTION_REQUEST_EXCEPTION] = ESC_ITEM_EXCEPTION,
    [ESC_ACTION_DECIDE_EXCEPTION] = -1,
    [ESC_ACTION_RECORD_RESOLUTION] = -1,
    [ESC_ACTION_SCHEDULE_FOLLOW_UP] = ESC_ITEM_FOLLOW_UP,
    [ESC_ACTION_COMPLETE_FOLLOW_UP] = -1,
    [ESC_ACTION_CONFIRM_RESOLVED] = -1,
    [ESC_ACTION_REOPEN] = -1,
    [ESC_ACTION_CLOSE] = -1,
    [ESC_ACTION_WITHDRAW] = -1,
    [ESC_ACTION_MOVE_TIER] = ESC_ITEM_NOTE, /* the handover brief */
    [ESC_ACTION_HOLD] = -1,
    [ESC_ACTION_RESUME] = -1,
    [ESC_ACTION_REASSESS] = -1,
    [ESC_ACTION_TAG] = ESC_ITEM_TAG,
    [ESC_ACTION_TIMER_FIRED] = -1,
};

static int allowed_in(esc_action_kind kind, esc_state state)
{
    return expected_allowed[kind][state] == 'x';
}

/* ---- helpers -------------------------------------------------------------- */

/* Ordinary valid arguments for kind, as a host would fill them. */
static esc_action typical_action(esc_db *db, const esc_escalation *esc, esc_action_kind kind,
                                 const esc_person *actor)
{
    esc_action a;
    test_fill_action(&a, db, esc, kind, actor);
    a.text = "The customer wants the double charge refunded.";
    a.lessons = "Refunds need one owner.";
    if (kind == ESC_ACTION_ACK_EMOTION)
        a.text = "frustrated";
    if (kind == ESC_ACTION_TAG)
        a.text = "double-charge";
    return a;
}

static void must(esc_db *db, esc_escalation *esc, esc_action_kind kind)
{
    esc_action a = typical_action(db, esc, kind, &SUPERVISOR);
    test_must(db, esc, &a);
}

/* A refused step changed nothing: not the caller's snapshot, not the stored
 * row, not the history. */
static void assert_unchanged(esc_db *db, const esc_escalation *esc, int64_t version,
                             esc_state state, size_t events)
{
    ck_assert_int_eq(esc_escalation_version(esc), version);
    ck_assert_int_eq(esc_escalation_state(esc), state);
    esc_escalation *stored = NULL;
    ck_assert_status(db, esc_escalation_get(&stored, db, esc_escalation_id(esc)), ESC_OK);
    ck_assert_int_eq(esc_escalation_version(stored), version);
    ck_assert_int_eq(esc_escalation_state(stored), state);
    esc_escalation_free(stored);
    ck_assert_uint_eq((size_t)test_history_length(db, esc_escalation_id(esc)), events);
}

/* The last event of esc's history is the step just taken. */
static void assert_last_event(esc_db *db, const esc_escalation *esc, const esc_action *a,
                              esc_state from, esc_state to, size_t events_before)
{
    esc_event_list *events = NULL;
    ck_assert_status(db, esc_history(&events, db, esc_escalation_id(esc)), ESC_OK);
    ck_assert_uint_eq(esc_event_list_count(events), events_before + 1);
    const esc_event *e = esc_event_list_get(events, events_before);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(esc_event_escalation_id(e), esc_escalation_id(esc));
    ck_assert_int_eq(esc_event_seq(e), esc_escalation_version(esc));
    ck_assert_int_eq(esc_event_action(e), a->kind);
    ck_assert_int_eq(esc_event_from_state(e), from);
    ck_assert_int_eq(esc_event_to_state(e), to);
    ck_assert_str_eq(esc_event_actor_id(e), a->actor.id);
    ck_assert_str_eq(esc_event_actor_name(e), a->actor.name);
    ck_assert_int_eq(esc_event_actor_tier(e), a->actor.tier);
    ck_assert_int_eq(esc_event_at(e), esc_db_now(db));
    ck_assert_int_eq(esc_escalation_updated_at(esc), esc_db_now(db));
    ck_assert_ptr_nonnull(esc_event_payload(e));
    esc_event_list_free(events);
}

/* Make every guard of kind hold, so that in a state that allows kind the
 * only thing that could refuse it is the state.  Only called there. */
static void meet_guards(esc_db *db, esc_escalation *esc, esc_action_kind kind)
{
    switch (kind) {
    case ESC_ACTION_ADVANCE:
        must(db, esc, ESC_ACTION_NOTE); /* a customer-account note */
        break;
    case ESC_ACTION_CONFIRM_PROBLEM:
        must(db, esc, ESC_ACTION_STATE_PROBLEM);
        break;
    case ESC_ACTION_CHOOSE_OPTION:
        must(db, esc, ESC_ACTION_OFFER_OPTION);
        break;
    case ESC_ACTION_TAKE_OWNERSHIP:
        must(db, esc, ESC_ACTION_ADD_STEP);
        must(db, esc, ESC_ACTION_PROMISE);
        break;
    case ESC_ACTION_DECIDE_EXCEPTION:
        must(db, esc, ESC_ACTION_REQUEST_EXCEPTION); /* minimum tier 2: the actor's */
        break;
    case ESC_ACTION_COMPLETE_FOLLOW_UP:
        must(db, esc, ESC_ACTION_SCHEDULE_FOLLOW_UP);
        break;
    case ESC_ACTION_RESUME:
        must(db, esc, ESC_ACTION_HOLD);
        break;
    default:
        break;
    }
}

/* What each action did, beyond the state and its new item (before: the
 * snapshot just before the step). */
static void assert_effect(esc_db *db, const esc_escalation *before, const esc_escalation *esc,
                          const esc_action *a)
{
    const esc_item *item;
    switch (a->kind) {
    case ESC_ACTION_NOTE:
        item = esc_escalation_item(esc, ESC_ITEM_NOTE, esc_escalation_item_count(esc, ESC_ITEM_NOTE) - 1);
        ck_assert_str_eq(esc_item_text(item), a->text);
        ck_assert_int_eq(esc_item_flag(item), 1);
        break;
    case ESC_ACTION_STATE_PROBLEM:
        ck_assert_str_eq(esc_escalation_problem(esc), a->text);
        ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 0);
        break;
    case ESC_ACTION_CONFIRM_PROBLEM:
        ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 1);
        break;
    case ESC_ACTION_ADD_STEP:
        item = esc_escalation_item(esc, ESC_ITEM_STEP, esc_escalation_item_count(esc, ESC_ITEM_STEP) - 1);
        ck_assert_str_eq(esc_item_text(item), a->text);
        ck_assert_int_eq(esc_item_at(item), a->at);
        break;
    case ESC_ACTION_CHOOSE_OPTION:
        ck_assert_int_eq(esc_item_flag(esc_escalation_item(esc, ESC_ITEM_OPTION, 0)), 1);
        break;
    case ESC_ACTION_PROMISE:
        ck_assert_int_eq(esc_escalation_promised_at(esc), a->at);
        break;
    case ESC_ACTION_TAKE_OWNERSHIP:
        ck_assert_str_eq(esc_escalation_owner_id(esc), a->person.id);
        ck_assert_str_eq(esc_escalation_owner_name(esc), a->person.name);
        break;
    case ESC_ACTION_DECIDE_EXCEPTION:
        item = esc_escalation_item(esc, ESC_ITEM_EXCEPTION, 0);
        ck_assert_int_eq(esc_item_status_of(item), ESC_ITEM_APPROVED);
        ck_assert_str_eq(esc_item_decided_by(item), a->actor.id);
        break;
    case ESC_ACTION_RECORD_RESOLUTION:
        ck_assert_str_eq(esc_escalation_resolution(esc), a->text);
        break;
    case ESC_ACTION_COMPLETE_FOLLOW_UP:
        item = esc_escalation_item(esc, ESC_ITEM_FOLLOW_UP, 0);
        ck_assert_int_eq(esc_item_status_of(item), ESC_ITEM_DONE);
        ck_assert_int_eq(esc_item_flag(item), 1);
        break;
    case ESC_ACTION_CONFIRM_RESOLVED:
        ck_assert_int_eq(esc_escalation_unconfirmed(esc), 0);
        break;
    case ESC_ACTION_REOPEN:
        ck_assert_int_eq(esc_escalation_reopen_count(esc), esc_escalation_reopen_count(before) + 1);
        ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 0);
        ck_assert_str_eq(esc_escalation_resolution(esc), "");
        ck_assert_str_eq(esc_escalation_problem(esc), esc_escalation_problem(before));
        break;
    case ESC_ACTION_CLOSE:
        ck_assert_str_eq(esc_escalation_root_cause_category(esc), a->category);
        ck_assert_str_eq(esc_escalation_root_cause(esc), a->text);
        ck_assert_str_eq(esc_escalation_lessons(esc), a->lessons);
        ck_assert_int_eq(esc_escalation_satisfaction(esc), a->satisfaction);
        ck_assert_int_eq(esc_escalation_withdrawn(esc), 0);
        ck_assert_int_eq(esc_escalation_is_open(esc), 0);
        break;
    case ESC_ACTION_WITHDRAW:
        ck_assert_int_eq(esc_escalation_withdrawn(esc), 1);
        ck_assert_int_eq(esc_escalation_is_open(esc), 0);
        break;
    case ESC_ACTION_MOVE_TIER:
        ck_assert_int_eq(esc_escalation_tier(esc), a->tier);
        ck_assert_str_eq(esc_escalation_owner_id(esc), a->person.id);
        ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 0);
        break;
    case ESC_ACTION_HOLD:
        ck_assert_int_eq(esc_escalation_hold(esc), a->hold);
        ck_assert_str_eq(esc_escalation_hold_reason(esc), a->text);
        ck_assert_int_eq(esc_escalation_hold_since(esc), esc_db_now(db));
        break;
    case ESC_ACTION_RESUME:
        ck_assert_int_eq(esc_escalation_hold(esc), ESC_HOLD_NONE);
        ck_assert_int_eq(esc_escalation_hold_since(esc), 0);
        break;
    case ESC_ACTION_REASSESS:
        ck_assert_int_eq(esc_escalation_impact(esc), a->impact);
        ck_assert_int_eq(esc_escalation_urgency(esc), a->urgency);
        ck_assert_int_eq(esc_escalation_priority(esc), 2); /* 3 x 3 on the default matrix */
        break;
    default:
        break;
    }
}

/* ---- every state × every action ------------------------------------------ */

/* _i is a state: each action is tried on its own fresh escalation there. */
START_TEST(test_state_action_matrix)
{
    const esc_state state = (esc_state)_i;
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);

    for (int k = 0; k < ESC_ACTION_COUNT; k++) {
        const esc_action_kind kind = (esc_action_kind)k;
        const int allowed = allowed_in(kind, state);
        esc_escalation *esc = test_new_escalation(db);
        test_drive_to(db, esc, state);
        if (allowed)
            meet_guards(db, esc, kind);
        clock.now += MINUTE;

        /* "What can I do now?" answers from the same table. */
        esc_guard guard = ESC_GUARD_COUNT;
        int rc = esc_action_allowed(&guard, db, esc, kind, &SUPERVISOR);
        ck_assert_msg(rc == (allowed ? ESC_OK : ESC_ETRANSITION),
                      "esc_action_allowed(%s in %s) = %s, expected %s", esc_action_name(kind),
                      esc_state_name(state), esc_status_name(rc),
                      allowed ? "ESC_OK" : "ESC_ETRANSITION");
        ck_assert_int_eq(guard, allowed ? ESC_GUARD_NONE : ESC_GUARD_STATE);

        esc_escalation *before = NULL;
        ck_assert_int_eq(esc_escalation_dup(&before, esc), ESC_OK);
        const int64_t version = esc_escalation_version(esc);
        const size_t events = (size_t)test_history_length(db, esc_escalation_id(esc));
        esc_action a = typical_action(db, esc, kind, &SUPERVISOR);
        rc = esc_apply(db, esc, &a);

        if (kind == ESC_ACTION_OPEN || kind == ESC_ACTION_TIMER_FIRED) {
            /* Opening is esc_escalation_open()'s alone, and timers fire
             * through esc_sweep() only: invalid actions for esc_apply(). */
            ck_assert_status(db, rc, ESC_EINVAL);
            ck_assert_int_eq(esc_db_last_guard(db), ESC_GUARD_NONE);
            assert_unchanged(db, esc, version, state, events);
        } else if (allowed) {
            ck_assert_msg(rc == ESC_OK, "%s in %s: %s (%s)", esc_action_name(kind),
                          esc_state_name(state), esc_status_name(rc), esc_db_errmsg(db));
            ck_assert_int_eq(esc_db_last_guard(db), ESC_GUARD_NONE);
            ck_assert_str_eq(esc_db_errmsg(db), "");
            const esc_state to = expected_target[kind] < 0 ? state : (esc_state)expected_target[kind];
            ck_assert_int_eq(esc_escalation_state(esc), to);
            ck_assert_int_eq(esc_escalation_version(esc), version + 1);
            assert_last_event(db, esc, &a, state, to, events);
            for (int ik = 0; ik < ESC_ITEM_KIND_COUNT; ik++)
                ck_assert_uint_eq(esc_escalation_item_count(esc, (esc_item_kind)ik),
                                  esc_escalation_item_count(before, (esc_item_kind)ik) +
                                      (expected_new_item[kind] == ik));
            assert_effect(db, before, esc, &a);
            /* The stored row is what the snapshot says. */
            esc_escalation *stored = NULL;
            ck_assert_status(db, esc_escalation_get(&stored, db, esc_escalation_id(esc)), ESC_OK);
            ck_assert_int_eq(esc_escalation_version(stored), version + 1);
            ck_assert_int_eq(esc_escalation_state(stored), to);
            esc_escalation_free(stored);
        } else {
            ck_assert_msg(rc == ESC_ETRANSITION, "%s in %s: %s, expected ESC_ETRANSITION",
                          esc_action_name(kind), esc_state_name(state), esc_status_name(rc));
            ck_assert_int_eq(esc_db_last_guard(db), ESC_GUARD_STATE);
            ck_assert_int_eq(esc_db_errcode(db), ESC_ETRANSITION);
            ck_assert_str_ne(esc_db_errmsg(db), "");
            assert_unchanged(db, esc, version, state, events);
            for (int ik = 0; ik < ESC_ITEM_KIND_COUNT; ik++)
                ck_assert_uint_eq(esc_escalation_item_count(esc, (esc_item_kind)ik),
                                  esc_escalation_item_count(before, (esc_item_kind)ik));
        }
        esc_escalation_free(before);
        esc_escalation_free(esc);
    }
    esc_db_close(db);
}
END_TEST

/* The expected table itself is well formed (a typo would silently weaken the
 * matrix test), and it says what lifecycle.md says in words. */
START_TEST(test_expected_table_shape)
{
    for (int k = 0; k < ESC_ACTION_COUNT; k++) {
        ck_assert_ptr_nonnull(expected_allowed[k]);
        ck_assert_uint_eq(strlen(expected_allowed[k]), ESC_STATE_COUNT);
        ck_assert_msg(!allowed_in((esc_action_kind)k, ESC_STATE_CLOSED),
                      "%s allowed on a closed escalation", esc_action_name((esc_action_kind)k));
        ck_assert_msg(strspn(expected_allowed[k], "x.") == ESC_STATE_COUNT, "bad row %d", k);
    }
}
END_TEST

/* ---- target states and their effects, one by one ----------------------- */

START_TEST(test_advance_needs_listening_then_clarifies)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_LISTEN);
    ck_assert_int_eq(esc_escalation_version(esc), 1);
    ck_assert_int_eq(esc_escalation_tier(esc), 1);
    must(db, esc, ESC_ACTION_NOTE);
    must(db, esc, ESC_ACTION_ADVANCE);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_CLARIFY);
    ck_assert_int_eq(esc_escalation_version(esc), 3);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* yes -> plan; no -> stays in clarify, the correction kept as the
 * customer's own account. */
START_TEST(test_confirm_problem_yes_and_no)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    test_drive_to(db, esc, ESC_STATE_CLARIFY);
    must(db, esc, ESC_ACTION_STATE_PROBLEM);
    const size_t notes = esc_escalation_item_count(esc, ESC_ITEM_NOTE);

    esc_action no = typical_action(db, esc, ESC_ACTION_CONFIRM_PROBLEM, &AGENT);
    no.yes = 0;
    no.text = "No: I was charged three times, not twice.";
    const size_t events = (size_t)test_history_length(db, esc_escalation_id(esc));
    clock.now += MINUTE;
    test_must(db, esc, &no);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_CLARIFY);
    ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 0);
    assert_last_event(db, esc, &no, ESC_STATE_CLARIFY, ESC_STATE_CLARIFY, events);
    ck_assert_uint_eq(esc_escalation_item_count(esc, ESC_ITEM_NOTE), notes + 1);
    const esc_item *correction = esc_escalation_item(esc, ESC_ITEM_NOTE, notes);
    ck_assert_int_eq(esc_item_get_kind(correction), ESC_ITEM_NOTE);
    ck_assert_int_eq(esc_item_number(correction), (int)notes + 1);
    ck_assert_str_eq(esc_item_text(correction), no.text);
    ck_assert_int_eq(esc_item_flag(correction), 1); /* the customer's own account */
    ck_assert_str_eq(esc_item_category(correction), "correction");
    ck_assert_int_eq(esc_item_created_at(correction), clock.now);

    /* A "no" needs the correction itself. */
    no.text = NULL;
    ck_assert_status(db, esc_apply(db, esc, &no), ESC_EINVAL);

    /* The statement restated, then confirmed: on to plan. */
    must(db, esc, ESC_ACTION_STATE_PROBLEM);
    esc_action yes = typical_action(db, esc, ESC_ACTION_CONFIRM_PROBLEM, &AGENT);
    yes.text = NULL; /* a "yes" needs no words */
    test_must(db, esc, &yes);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_PLAN);
    ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 1);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* Restating the problem clears an earlier confirmation. */
START_TEST(test_state_problem_clears_confirmation)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    test_drive_to(db, esc, ESC_STATE_FOLLOW_UP);
    ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 1);
    must(db, esc, ESC_ACTION_REOPEN);
    must(db, esc, ESC_ACTION_CONFIRM_PROBLEM);
    ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 1);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_PLAN);
    esc_escalation_free(esc);

    esc = test_new_escalation(db);
    test_drive_to(db, esc, ESC_STATE_CLARIFY);
    must(db, esc, ESC_ACTION_STATE_PROBLEM);
    esc_action no = typical_action(db, esc, ESC_ACTION_CONFIRM_PROBLEM, &AGENT);
    no.yes = 0;
    test_must(db, esc, &no);
    esc_action restate = typical_action(db, esc, ESC_ACTION_STATE_PROBLEM, &AGENT);
    restate.text = "Charged three times for the March invoice.";
    test_must(db, esc, &restate);
    ck_assert_str_eq(esc_escalation_problem(esc), restate.text);
    ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 0);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

START_TEST(test_take_ownership_names_owner)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    test_drive_to(db, esc, ESC_STATE_PLAN);
    must(db, esc, ESC_ACTION_ADD_STEP);
    must(db, esc, ESC_ACTION_PROMISE);
    esc_action own = typical_action(db, esc, ESC_ACTION_TAKE_OWNERSHIP, &AGENT);
    own.person = SPECIALIST;
    test_must(db, esc, &own);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_OWN);
    ck_assert_str_eq(esc_escalation_owner_id(esc), SPECIALIST.id);
    ck_assert_str_eq(esc_escalation_owner_name(esc), SPECIALIST.name);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* Reopen from each state that allows it: back to clarify, counted, the
 * statement to be confirmed again, the old resolution gone. */
static const esc_state reopen_states[] = { ESC_STATE_FOLLOW_UP, ESC_STATE_RESOLVED };

START_TEST(test_reopen_goes_back_to_clarify)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    test_drive_to(db, esc, reopen_states[_i]);
    ck_assert_str_ne(esc_escalation_resolution(esc), "");
    ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 1);
    ck_assert_int_eq(esc_escalation_reopen_count(esc), 0);
    char problem[128];
    snprintf(problem, sizeof problem, "%s", esc_escalation_problem(esc));
    ck_assert_str_ne(problem, "");

    for (int round = 1; round <= 2; round++) {
        esc_action reopen = typical_action(db, esc, ESC_ACTION_REOPEN, &AGENT);
        reopen.text = "The refund still has not arrived.";
        const size_t events = (size_t)test_history_length(db, esc_escalation_id(esc));
        const esc_state from = esc_escalation_state(esc);
        test_must(db, esc, &reopen);
        ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_CLARIFY);
        ck_assert_int_eq(esc_escalation_reopen_count(esc), round);
        ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 0);
        ck_assert_int_eq(esc_escalation_unconfirmed(esc), 0);
        ck_assert_str_eq(esc_escalation_resolution(esc), "");
        ck_assert_str_eq(esc_escalation_problem(esc), problem);
        assert_last_event(db, esc, &reopen, from, ESC_STATE_CLARIFY, events);
        test_drive_to(db, esc, reopen_states[_i]);
    }
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* Withdraw from every open state: closed, flagged, the reason kept. */
START_TEST(test_withdraw_from_every_open_state)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    for (int s = ESC_STATE_LISTEN; s <= ESC_STATE_RESOLVED; s++) {
        esc_escalation *esc = test_new_escalation(db);
        test_drive_to(db, esc, (esc_state)s);
        esc_action withdraw = typical_action(db, esc, ESC_ACTION_WITHDRAW, &AGENT);
        withdraw.text = "Duplicate of another escalation.";
        test_must(db, esc, &withdraw);
        ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_CLOSED);
        ck_assert_int_eq(esc_escalation_withdrawn(esc), 1);
        ck_assert_int_eq(esc_escalation_is_open(esc), 0);
        ck_assert_str_eq(esc_escalation_resolution(esc), withdraw.text);
        ck_assert_int_eq(esc_escalation_due_at(esc), 0);
        /* Closed is final. */
        ck_assert_int_eq(test_act(db, esc, ESC_ACTION_WITHDRAW, &AGENT), ESC_ETRANSITION);
        esc_escalation_free(esc);
    }
    esc_db_close(db);
}
END_TEST

/* Move tier from every open state: the new tier's handler starts by
 * listening, the problem must be confirmed again, the brief is kept as an
 * internal note, and the new owner is named (or none). */
START_TEST(test_move_tier_from_every_open_state)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    for (int s = ESC_STATE_LISTEN; s <= ESC_STATE_RESOLVED; s++) {
        esc_escalation *esc = test_new_escalation(db);
        test_drive_to(db, esc, (esc_state)s);
        if (s == ESC_STATE_OWN) {
            must(db, esc, ESC_ACTION_OFFER_OPTION);
            must(db, esc, ESC_ACTION_REQUEST_EXCEPTION);
        }
        esc_escalation *before = NULL;
        ck_assert_int_eq(esc_escalation_dup(&before, esc), ESC_OK);
        const size_t notes = esc_escalation_item_count(esc, ESC_ITEM_NOTE);
        esc_action move = typical_action(db, esc, ESC_ACTION_MOVE_TIER, &AGENT);
        move.tier = 3;
        move.person = SPECIALIST;
        const size_t events = (size_t)test_history_length(db, esc_escalation_id(esc));
        test_must(db, esc, &move);
        ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_LISTEN);
        ck_assert_int_eq(esc_escalation_tier(esc), 3);
        ck_assert_str_eq(esc_escalation_owner_id(esc), SPECIALIST.id);
        ck_assert_int_eq(esc_escalation_problem_confirmed(esc), 0);
        assert_last_event(db, esc, &move, (esc_state)s, ESC_STATE_LISTEN, events);
        ck_assert_uint_eq(esc_escalation_item_count(esc, ESC_ITEM_NOTE), notes + 1);
        const esc_item *brief = esc_escalation_item(esc, ESC_ITEM_NOTE, notes);
        ck_assert_int_eq(esc_item_flag(brief), 0); /* not the customer's account */
        ck_assert_ptr_nonnull(strstr(esc_item_text(brief), move.brief_went_wrong));
        ck_assert_ptr_nonnull(strstr(esc_item_text(brief), move.brief_tried));
        ck_assert_ptr_nonnull(strstr(esc_item_text(brief), move.brief_response));
        ck_assert_str_eq(esc_item_category(brief), "handover");
        /* The work done so far stays with the escalation. */
        ck_assert_int_eq(esc_escalation_promised_at(esc), esc_escalation_promised_at(before));
        ck_assert_str_eq(esc_escalation_problem(esc), esc_escalation_problem(before));
        static const esc_item_kind kept[] = { ESC_ITEM_STEP, ESC_ITEM_OPTION, ESC_ITEM_EXCEPTION,
                                              ESC_ITEM_FOLLOW_UP };
        for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
            ck_assert_uint_eq(esc_escalation_item_count(esc, kept[i]),
                              esc_escalation_item_count(before, kept[i]));
        if (s == ESC_STATE_OWN)
            ck_assert_int_eq(esc_item_status_of(esc_escalation_item(esc, ESC_ITEM_EXCEPTION, 0)),
                             ESC_ITEM_OPEN);
        esc_escalation_free(before);

        /* Without a person the escalation has no owner until one takes it. */
        move = typical_action(db, esc, ESC_ACTION_MOVE_TIER, &AGENT);
        move.tier = 4;
        move.person.id = NULL;
        move.person.name = NULL;
        move.person.tier = 0;
        test_must(db, esc, &move);
        ck_assert_int_eq(esc_escalation_tier(esc), 4);
        ck_assert_str_eq(esc_escalation_owner_id(esc), "");
        ck_assert_str_eq(esc_escalation_owner_name(esc), "");
        esc_escalation_free(esc);
    }
    esc_db_close(db);
}
END_TEST

/* ---- events --------------------------------------------------------------- */

typedef struct walk_step {
    esc_action_kind kind;
    const esc_person *actor;
    int yes;
    int item;
    esc_state after;
} walk_step;

/* Every action kind at least once, on one escalation, open to close. */
static const walk_step happy_walk[] = {
    { ESC_ACTION_NOTE, &AGENT, 1, 1, ESC_STATE_LISTEN },
    { ESC_ACTION_ACK_EMOTION, &AGENT, 1, 1, ESC_STATE_LISTEN },
    { ESC_ACTION_TAG, &AGENT, 1, 1, ESC_STATE_LISTEN },
    { ESC_ACTION_MOVE_TIER, &AGENT, 1, 1, ESC_STATE_LISTEN },
    { ESC_ACTION_NOTE, &SUPERVISOR, 1, 1, ESC_STATE_LISTEN },
    { ESC_ACTION_ADVANCE, &SUPERVISOR, 1, 1, ESC_STATE_CLARIFY },
    { ESC_ACTION_STATE_PROBLEM, &SUPERVISOR, 1, 1, ESC_STATE_CLARIFY },
    { ESC_ACTION_CONFIRM_PROBLEM, &SUPERVISOR, 0, 1, ESC_STATE_CLARIFY },
    { ESC_ACTION_STATE_PROBLEM, &SUPERVISOR, 1, 1, ESC_STATE_CLARIFY },
    { ESC_ACTION_CONFIRM_PROBLEM, &SUPERVISOR, 1, 1, ESC_STATE_PLAN },
    { ESC_ACTION_ADD_STEP, &SUPERVISOR, 1, 1, ESC_STATE_PLAN },
    { ESC_ACTION_OFFER_OPTION, &SUPERVISOR, 1, 1, ESC_STATE_PLAN },
    { ESC_ACTION_OFFER_OPTION, &SUPERVISOR, 1, 1, ESC_STATE_PLAN },
    { ESC_ACTION_CHOOSE_OPTION, &SUPERVISOR, 1, 2, ESC_STATE_PLAN },
    { ESC_ACTION_PROMISE, &SUPERVISOR, 1, 1, ESC_STATE_PLAN },
    { ESC_ACTION_LOOP_IN, &SUPERVISOR, 1, 1, ESC_STATE_PLAN },
    { ESC_ACTION_REQUEST_EXCEPTION, &AGENT, 1, 1, ESC_STATE_PLAN },
    { ESC_ACTION_DECIDE_EXCEPTION, &SUPERVISOR, 1, 1, ESC_STATE_PLAN },
    { ESC_ACTION_TAKE_OWNERSHIP, &SUPERVISOR, 1, 1, ESC_STATE_OWN },
    { ESC_ACTION_SEND_UPDATE, &SUPERVISOR, 1, 1, ESC_STATE_OWN },
    { ESC_ACTION_HOLD, &SUPERVISOR, 1, 1, ESC_STATE_OWN },
    { ESC_ACTION_RESUME, &SUPERVISOR, 1, 1, ESC_STATE_OWN },
    { ESC_ACTION_REASSESS, &SUPERVISOR, 1, 1, ESC_STATE_OWN },
    { ESC_ACTION_RECORD_RESOLUTION, &SUPERVISOR, 1, 1, ESC_STATE_FOLLOW_UP },
    { ESC_ACTION_SCHEDULE_FOLLOW_UP, &SUPERVISOR, 1, 1, ESC_STATE_FOLLOW_UP },
    { ESC_ACTION_COMPLETE_FOLLOW_UP, &SUPERVISOR, 1, 1, ESC_STATE_FOLLOW_UP },
    { ESC_ACTION_REOPEN, &AGENT, 1, 1, ESC_STATE_CLARIFY },
    { ESC_ACTION_CONFIRM_PROBLEM, &SUPERVISOR, 1, 1, ESC_STATE_PLAN },
    { ESC_ACTION_TAKE_OWNERSHIP, &SUPERVISOR, 1, 1, ESC_STATE_OWN },
    { ESC_ACTION_RECORD_RESOLUTION, &SUPERVISOR, 1, 1, ESC_STATE_FOLLOW_UP },
    { ESC_ACTION_CONFIRM_RESOLVED, &SUPERVISOR, 1, 1, ESC_STATE_RESOLVED },
    { ESC_ACTION_CLOSE, &LEADER, 1, 1, ESC_STATE_CLOSED },
};
#define HAPPY_WALK_LEN (sizeof happy_walk / sizeof happy_walk[0])

START_TEST(test_happy_walk_events_and_verify)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);

    int seen[ESC_ACTION_COUNT] = { 0 };
    for (size_t i = 0; i < HAPPY_WALK_LEN; i++) {
        const walk_step *w = &happy_walk[i];
        clock.now += 7 * MINUTE;
        esc_action a = typical_action(db, esc, w->kind, w->actor);
        a.yes = w->yes;
        a.item = w->item;
        if (w->kind == ESC_ACTION_LOOP_IN)
            a.text = NULL; /* loop_in takes no text; stray text: test_every_kind_replays */
        const esc_state from = esc_escalation_state(esc);
        const int64_t version = esc_escalation_version(esc);
        test_must(db, esc, &a);
        ck_assert_msg(esc_escalation_state(esc) == w->after, "step %zu (%s): in %s, expected %s",
                      i, esc_action_name(w->kind), esc_state_name(esc_escalation_state(esc)),
                      esc_state_name(w->after));
        ck_assert_int_eq(esc_escalation_version(esc), version + 1);
        assert_last_event(db, esc, &a, from, w->after, (size_t)version);
        seen[w->kind] = 1;
    }
    for (int k = ESC_ACTION_NOTE; k < ESC_ACTION_COUNT; k++)
        if (k != ESC_ACTION_WITHDRAW && k != ESC_ACTION_TIMER_FIRED)
            ck_assert_msg(seen[k], "the walk misses %s", esc_action_name((esc_action_kind)k));
    ck_assert_int_eq(esc_item_flag(esc_escalation_item(esc, ESC_ITEM_OPTION, 0)), 0);
    ck_assert_int_eq(esc_item_flag(esc_escalation_item(esc, ESC_ITEM_OPTION, 1)), 1);

    /* The whole history: open first, then one event per step, seq = version,
     * each event's from state the previous one's to state, times in order. */
    esc_event_list *events = NULL;
    ck_assert_status(db, esc_history(&events, db, esc_escalation_id(esc)), ESC_OK);
    ck_assert_uint_eq(esc_event_list_count(events), HAPPY_WALK_LEN + 1);
    const esc_event *open = esc_event_list_get(events, 0);
    ck_assert_int_eq(esc_event_action(open), ESC_ACTION_OPEN);
    ck_assert_int_eq(esc_event_seq(open), 1);
    ck_assert_int_eq(esc_event_from_state(open), ESC_STATE_LISTEN);
    ck_assert_int_eq(esc_event_to_state(open), ESC_STATE_LISTEN);
    ck_assert_str_eq(esc_event_actor_id(open), AGENT.id);
    ck_assert_int_eq(esc_event_at(open), T0);
    for (size_t i = 1; i < esc_event_list_count(events); i++) {
        const esc_event *e = esc_event_list_get(events, i);
        const esc_event *prev = esc_event_list_get(events, i - 1);
        ck_assert_int_eq(esc_event_seq(e), (int64_t)i + 1);
        ck_assert_int_eq(esc_event_action(e), happy_walk[i - 1].kind);
        ck_assert_int_eq(esc_event_from_state(e), esc_event_to_state(prev));
        ck_assert_int_eq(esc_event_to_state(e), happy_walk[i - 1].after);
        ck_assert_str_eq(esc_event_actor_id(e), happy_walk[i - 1].actor->id);
        ck_assert_int_gt(esc_event_at(e), esc_event_at(prev));
    }
    ck_assert_ptr_null(esc_event_list_get(events, esc_event_list_count(events)));
    esc_event_list_free(events);

    /* A second escalation, withdrawn. */
    esc_escalation *other = test_new_escalation(db);
    must(db, other, ESC_ACTION_NOTE);
    must(db, other, ESC_ACTION_WITHDRAW);

    /* Replaying every event gives exactly the stored rows. */
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    for (size_t i = 0; i < esc_verify_report_mismatch_count(report); i++)
        fprintf(stderr, "verify mismatch %s: %s\n", esc_verify_report_mismatch_id(report, i),
                esc_verify_report_mismatch_what(report, i));
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    ck_assert_uint_eq(esc_verify_report_escalations(report), 2);
    ck_assert_uint_eq(esc_verify_report_events(report), HAPPY_WALK_LEN + 1 + 3);
    esc_verify_report_free(report);

    esc_escalation_free(other);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* _i is an action kind: taken once, in the first state that allows it,
 * with every field of the struct filled (as a host reusing one struct
 * would), replaying its events must give the stored row exactly.  The
 * event records only what the kind uses, so nothing else may leak into
 * the effect. */
START_TEST(test_every_kind_replays)
{
    const esc_action_kind kind = (esc_action_kind)_i;
    int state = 0;
    while (!allowed_in(kind, (esc_state)state))
        state++;
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    test_drive_to(db, esc, (esc_state)state);
    meet_guards(db, esc, kind);
    clock.now += MINUTE;
    esc_action a = typical_action(db, esc, kind, &SUPERVISOR);
    test_must(db, esc, &a);

    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    /* Free before judging, so that a failure leaks nothing under CK_FORK=no. */
    const size_t mismatches = esc_verify_report_mismatch_count(report);
    const size_t replayed = esc_verify_report_events(report);
    const size_t events = (size_t)esc_escalation_version(esc);
    char what[512] = "";
    if (mismatches > 0)
        snprintf(what, sizeof what, "%s", esc_verify_report_mismatch_what(report, 0));
    esc_verify_report_free(report);
    esc_escalation_free(esc);
    esc_db_close(db);
    ck_assert_msg(mismatches == 0, "%s in %s does not replay: %s", esc_action_name(kind),
                  esc_state_name((esc_state)state), what);
    ck_assert_uint_eq(replayed, events);
}
END_TEST

/* Refused steps leave no event behind: only successes are history. */
START_TEST(test_refusals_append_no_event)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_ADVANCE, &AGENT), ESC_EGUARD);
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_CLOSE, &AGENT), ESC_ETRANSITION);
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_RESUME, &AGENT), ESC_EGUARD);
    ck_assert_uint_eq((size_t)test_history_length(db, esc_escalation_id(esc)), 1);
    ck_assert_int_eq(esc_escalation_version(esc), 1);

    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    ck_assert_uint_eq(esc_verify_report_events(report), 1);
    esc_verify_report_free(report);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* ---- priority ------------------------------------------------------------- */

/* shared/lifecycle.md's matrix exactly as printed there: rows impact 4..1,
 * columns urgency 4..1. */
static const int doc_matrix[4][4] = {
    /* urgency:  4  3  2  1 */
    /* impact 4 */ { 1, 1, 2, 3 },
    /* impact 3 */ { 1, 2, 3, 4 },
    /* impact 2 */ { 2, 3, 4, 5 },
    /* impact 1 */ { 3, 4, 5, 5 },
};

static int doc_priority(int impact, int urgency)
{
    return doc_matrix[4 - impact][4 - urgency];
}

static int raised(int priority)
{
    return priority > 1 ? priority - 1 : 1;
}

static esc_escalation *open_assessed(esc_db *db, int impact, int urgency, int vip, int churn)
{
    esc_open_params params = ESC_OPEN_PARAMS_INIT;
    params.actor = AGENT;
    params.summary = "The portal has been down all morning.";
    params.customer_id = "cust-7";
    params.impact = impact;
    params.urgency = urgency;
    params.vip = vip;
    params.churn_risk = churn;
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_open(&esc, db, &params), ESC_OK);
    return esc;
}

/* _i = (impact-1)*4 + (urgency-1): every cell, with and without a raise,
 * through esc_priority_compute() and through opening an escalation. */
START_TEST(test_default_priority_matrix)
{
    const int impact = _i / 4 + 1, urgency = _i % 4 + 1;
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    const int base = doc_priority(impact, urgency);
    static const int flags[4][2] = { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 } };
    for (int f = 0; f < 4; f++) {
        const int vip = flags[f][0], churn = flags[f][1];
        /* One raise whatever the number of reasons, never above 1. */
        const int expected = (vip || churn) ? raised(base) : base;
        ck_assert_msg(esc_priority_compute(db, impact, urgency, vip, churn) == expected,
                      "impact %d urgency %d vip %d churn %d: got %d, expected %d", impact,
                      urgency, vip, churn, esc_priority_compute(db, impact, urgency, vip, churn),
                      expected);
        esc_escalation *esc = open_assessed(db, impact, urgency, vip, churn);
        ck_assert_int_eq(esc_escalation_priority(esc), expected);
        ck_assert_int_eq(esc_escalation_impact(esc), impact);
        ck_assert_int_eq(esc_escalation_urgency(esc), urgency);
        ck_assert_int_eq(esc_escalation_vip(esc), vip);
        ck_assert_int_eq(esc_escalation_churn_risk(esc), churn);
        esc_escalation_free(esc);
    }
    /* Any non-zero flag counts as set. */
    ck_assert_int_eq(esc_priority_compute(db, impact, urgency, 7, 0), raised(base));
    esc_db_close(db);
}
END_TEST

START_TEST(test_priority_rejects_out_of_range)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    static const int bad[][2] = { { 0, 1 }, { 5, 1 }, { 1, 0 }, { 1, 5 }, { -1, 2 }, { 2, 99 } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(esc_priority_compute(db, bad[i][0], bad[i][1], 0, 0), ESC_EINVAL);
        ck_assert_int_eq(esc_priority_compute(db, bad[i][0], bad[i][1], 1, 1), ESC_EINVAL);
    }
    esc_db_close(db);
}
END_TEST

START_TEST(test_priority_matrix_replacement)
{
    test_clock clock = { T0 };
    char path[1024];
    snprintf(path, sizeof path, "%s", test_path("matrix"));
    esc_db *db = test_open(path, &clock);
    esc_escalation *old = open_assessed(db, 2, 2, 0, 0);
    ck_assert_int_eq(esc_escalation_priority(old), 4);

    /* A matrix that differs from the default in every cell it can. */
    int custom[ESC_PRIORITY_MATRIX_CELLS];
    for (int i = 0; i < ESC_PRIORITY_MATRIX_CELLS; i++)
        custom[i] = 6 - doc_priority(i / 4 + 1, i % 4 + 1);
    ck_assert_status(db, esc_db_set_priority_matrix(db, custom), ESC_OK);
    custom[0] = 3; /* the handle keeps its own copy */
    for (int i = 0; i < ESC_PRIORITY_MATRIX_CELLS; i++) {
        const int impact = i / 4 + 1, urgency = i % 4 + 1;
        const int cell = 6 - doc_priority(impact, urgency);
        ck_assert_int_eq(esc_priority_compute(db, impact, urgency, 0, 0), cell);
        ck_assert_int_eq(esc_priority_compute(db, impact, urgency, 1, 0), raised(cell));
    }
    esc_escalation *fresh = open_assessed(db, 4, 4, 0, 0);
    ck_assert_int_eq(esc_escalation_priority(fresh), 5);
    esc_escalation_free(fresh);

    /* Existing escalations keep their priority until reassessed. */
    esc_escalation *again = NULL;
    ck_assert_status(db, esc_escalation_get(&again, db, esc_escalation_id(old)), ESC_OK);
    ck_assert_int_eq(esc_escalation_priority(again), 4);
    esc_escalation_free(again);

    /* The matrix belongs to the handle: another handle keeps the default. */
    test_clock clock2 = { T0 };
    esc_db *other = test_open(path, &clock2);
    ck_assert_int_eq(esc_priority_compute(other, 4, 4, 0, 0), 1);
    esc_db_close(other);

    /* A bad cell anywhere is refused and the matrix stays as it was. */
    for (int i = 0; i < ESC_PRIORITY_MATRIX_CELLS; i++) {
        static const int bad_values[] = { 0, 6, -1 };
        for (size_t b = 0; b < sizeof bad_values / sizeof bad_values[0]; b++) {
            int bad[ESC_PRIORITY_MATRIX_CELLS];
            for (int j = 0; j < ESC_PRIORITY_MATRIX_CELLS; j++)
                bad[j] = 1;
            bad[i] = bad_values[b];
            ck_assert_status(db, esc_db_set_priority_matrix(db, bad), ESC_EINVAL);
            ck_assert_str_ne(esc_db_errmsg(db), "");
            ck_assert_int_eq(esc_priority_compute(db, 4, 4, 0, 0), 5);
            ck_assert_int_eq(esc_priority_compute(db, 1, 1, 0, 0), 1);
        }
    }

    /* NULL restores the default. */
    ck_assert_status(db, esc_db_set_priority_matrix(db, NULL), ESC_OK);
    for (int i = 0; i < ESC_PRIORITY_MATRIX_CELLS; i++)
        ck_assert_int_eq(esc_priority_compute(db, i / 4 + 1, i % 4 + 1, 0, 0),
                         doc_priority(i / 4 + 1, i % 4 + 1));
    ck_assert_int_eq(esc_db_set_priority_matrix(NULL, NULL), ESC_EINVAL);

    esc_escalation_free(old);
    esc_db_close(db);
}
END_TEST

typedef struct reassessment {
    int impact, urgency, vip, churn;
} reassessment;

START_TEST(test_reassess_recomputes_priority)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    ck_assert_int_eq(esc_escalation_priority(esc), doc_priority(2, 2));

    static const reassessment steps[] = {
        { 4, 4, 0, 0 }, { 1, 1, 0, 0 }, { 1, 1, 1, 0 }, { 3, 2, 0, 1 },
        { 4, 3, 1, 1 }, { 2, 2, 0, 0 },
    };
    test_drive_to(db, esc, ESC_STATE_OWN);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        const reassessment *r = &steps[i];
        esc_action a = typical_action(db, esc, ESC_ACTION_REASSESS, &SUPERVISOR);
        a.impact = r->impact;
        a.urgency = r->urgency;
        a.vip = r->vip;
        a.churn_risk = r->churn;
        test_must(db, esc, &a);
        const int base = doc_priority(r->impact, r->urgency);
        ck_assert_int_eq(esc_escalation_priority(esc), (r->vip || r->churn) ? raised(base) : base);
        ck_assert_int_eq(esc_escalation_impact(esc), r->impact);
        ck_assert_int_eq(esc_escalation_urgency(esc), r->urgency);
        ck_assert_int_eq(esc_escalation_vip(esc), r->vip);
        ck_assert_int_eq(esc_escalation_churn_risk(esc), r->churn);
        ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_OWN);
    }

    /* Reassessing uses the handle's matrix as it is now. */
    int flat[ESC_PRIORITY_MATRIX_CELLS];
    for (int i = 0; i < ESC_PRIORITY_MATRIX_CELLS; i++)
        flat[i] = 3;
    ck_assert_status(db, esc_db_set_priority_matrix(db, flat), ESC_OK);
    ck_assert_int_eq(esc_escalation_priority(esc), doc_priority(2, 2));
    esc_action a = typical_action(db, esc, ESC_ACTION_REASSESS, &SUPERVISOR);
    a.impact = 4;
    a.urgency = 4;
    test_must(db, esc, &a);
    ck_assert_int_eq(esc_escalation_priority(esc), 3);

    /* An assessment off the scale is invalid and changes nothing. */
    const int64_t version = esc_escalation_version(esc);
    a = typical_action(db, esc, ESC_ACTION_REASSESS, &SUPERVISOR);
    a.impact = 5;
    ck_assert_status(db, esc_apply(db, esc, &a), ESC_EINVAL);
    a.impact = 2;
    a.urgency = 0;
    ck_assert_status(db, esc_apply(db, esc, &a), ESC_EINVAL);
    assert_unchanged(db, esc, version, ESC_STATE_OWN, (size_t)version);
    ck_assert_int_eq(esc_escalation_priority(esc), 3);

    /* Verify replays the priority that was given then, not today's matrix. */
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    esc_verify_report_free(report);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* ---- the tier ladder ------------------------------------------------------ */

START_TEST(test_default_tier_ladder)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    static const char *const names[] = { "frontline", "supervisor", "specialist", "leadership" };
    ck_assert_int_eq(esc_db_tier_count(db), 4);
    for (int t = 1; t <= 4; t++)
        ck_assert_str_eq(esc_db_tier_name(db, t), names[t - 1]);
    ck_assert_ptr_null(esc_db_tier_name(db, 0));
    ck_assert_ptr_null(esc_db_tier_name(db, 5));
    ck_assert_ptr_null(esc_db_tier_name(db, -1));
    ck_assert_ptr_null(esc_db_tier_name(NULL, 1));
    ck_assert_int_eq(esc_db_tier_count(NULL), 0);
    esc_db_close(db);
}
END_TEST

START_TEST(test_custom_tier_ladder)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    char first[16] = "desk";
    const char *names[] = { first, "team lead", "engineering" };
    ck_assert_status(db, esc_db_set_tiers(db, names, 3), ESC_OK);
    strcpy(first, "changed"); /* names are copied */
    ck_assert_int_eq(esc_db_tier_count(db), 3);
    ck_assert_str_eq(esc_db_tier_name(db, 1), "desk");
    ck_assert_str_eq(esc_db_tier_name(db, 2), "team lead");
    ck_assert_str_eq(esc_db_tier_name(db, 3), "engineering");
    ck_assert_ptr_null(esc_db_tier_name(db, 4));

    /* The ladder decides who may act: tier 4 is no longer on it. */
    esc_escalation *esc = test_new_escalation(db);
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_NOTE, &LEADER), ESC_EINVAL);
    ck_assert_int_eq(esc_db_last_guard(db), ESC_GUARD_NONE);
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_NOTE, &SPECIALIST), ESC_OK);
    esc_action move = typical_action(db, esc, ESC_ACTION_MOVE_TIER, &AGENT);
    move.tier = 3;
    move.person = SPECIALIST;
    test_must(db, esc, &move);
    ck_assert_int_eq(esc_escalation_tier(esc), 3);
    esc_escalation_free(esc);

    /* Bad ladders are refused and the ladder stays as it was. */
    const char *empty_name[] = { "one", "" };
    const char *null_name[] = { "one", NULL };
    const char *control_name[] = { "one\ttwo" };
    const char *many[ESC_TIER_MAX + 1];
    for (int i = 0; i <= ESC_TIER_MAX; i++)
        many[i] = "tier";
    ck_assert_status(db, esc_db_set_tiers(db, many, 0), ESC_EINVAL);
    ck_assert_str_ne(esc_db_errmsg(db), "");
    ck_assert_status(db, esc_db_set_tiers(db, many, -1), ESC_EINVAL);
    ck_assert_status(db, esc_db_set_tiers(db, many, ESC_TIER_MAX + 1), ESC_EINVAL);
    ck_assert_status(db, esc_db_set_tiers(db, empty_name, 2), ESC_EINVAL);
    ck_assert_status(db, esc_db_set_tiers(db, null_name, 2), ESC_EINVAL);
    ck_assert_status(db, esc_db_set_tiers(db, control_name, 1), ESC_EINVAL);
    ck_assert_int_eq(esc_db_tier_count(db), 3);
    ck_assert_str_eq(esc_db_tier_name(db, 1), "desk");
    ck_assert_int_eq(esc_db_set_tiers(NULL, names, 3), ESC_EINVAL);

    /* The extremes: one tier, and ESC_TIER_MAX tiers. */
    ck_assert_status(db, esc_db_set_tiers(db, names, 1), ESC_OK);
    ck_assert_int_eq(esc_db_tier_count(db), 1);
    ck_assert_ptr_null(esc_db_tier_name(db, 2));
    ck_assert_status(db, esc_db_set_tiers(db, many, ESC_TIER_MAX), ESC_OK);
    ck_assert_int_eq(esc_db_tier_count(db), ESC_TIER_MAX);
    ck_assert_str_eq(esc_db_tier_name(db, ESC_TIER_MAX), "tier");

    /* NULL restores the default ladder, whatever the count says. */
    ck_assert_status(db, esc_db_set_tiers(db, NULL, 0), ESC_OK);
    ck_assert_int_eq(esc_db_tier_count(db), 4);
    ck_assert_str_eq(esc_db_tier_name(db, 1), "frontline");
    ck_assert_str_eq(esc_db_tier_name(db, 4), "leadership");
    esc_db_close(db);
}
END_TEST

/* ---- the suite ------------------------------------------------------------ */

static Suite *lifecycle_suite(void)
{
    Suite *s = suite_create("lifecycle");
    TCase *tc;

    tc = tcase_create("matrix");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_expected_table_shape);
    tcase_add_loop_test(tc, test_state_action_matrix, 0, ESC_STATE_COUNT);
    suite_add_tcase(s, tc);

    tc = tcase_create("targets");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_advance_needs_listening_then_clarifies);
    tcase_add_test(tc, test_confirm_problem_yes_and_no);
    tcase_add_test(tc, test_state_problem_clears_confirmation);
    tcase_add_test(tc, test_take_ownership_names_owner);
    tcase_add_loop_test(tc, test_reopen_goes_back_to_clarify, 0,
                        (int)(sizeof reopen_states / sizeof reopen_states[0]));
    tcase_add_test(tc, test_withdraw_from_every_open_state);
    tcase_add_test(tc, test_move_tier_from_every_open_state);
    suite_add_tcase(s, tc);

    tc = tcase_create("events");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_happy_walk_events_and_verify);
    tcase_add_test(tc, test_refusals_append_no_event);
    /* timer_fired is replayed by test_timers.c (only the sweep records it). */
    tcase_add_loop_test(tc, test_every_kind_replays, ESC_ACTION_NOTE, ESC_ACTION_TIMER_FIRED);
    suite_add_tcase(s, tc);

    tc = tcase_create("priority");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_default_priority_matrix, 0, ESC_PRIORITY_MATRIX_CELLS);
    tcase_add_test(tc, test_priority_rejects_out_of_range);
    tcase_add_test(tc, test_priority_matrix_replacement);
    tcase_add_test(tc, test_reassess_recomputes_priority);
    suite_add_tcase(s, tc);

    tc = tcase_create("tiers");
    tcase_add_test(tc, test_default_tier_ladder);
    tcase_add_test(tc, test_custom_tier_ladder);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return test_run(lifecycle_suite());
}
