/*
 * test_guards.c — owns the tests of the guards: for each condition an
 * action may need (esc_guard), a state that allows the action but leaves
 * the condition unmet.  The refused call must return ESC_EGUARD (or
 * ESC_EAUTHORITY), name the guard in esc_db_last_guard(), explain itself in
 * esc_db_errmsg(), and change nothing; esc_action_allowed() must name the
 * same guard when the guard depends on the escalation alone; and once the
 * guard is met the very same action must succeed.  Also: the follow-up
 * attempts rule behind an unconfirmed resolution, tier authority, holds,
 * and the items guards look at (exception requests, options, watchers).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- fixture and helpers --------------------------------------------------- */

typedef struct fixture {
    test_clock clock;
    esc_db *db;
    esc_escalation *esc;
} fixture;

/* attempts: esc_db_options.follow_up_attempts (0 = the default). */
static void fixture_open(fixture *f, int attempts)
{
    f->clock.now = T0;
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = ESC_OPEN_CREATE;
    options.clock = test_clock_read;
    options.clock_payload = &f->clock;
    options.follow_up_attempts = attempts;
    f->db = NULL;
    const char *path = test_path("guards");
    int rc = esc_db_open(&f->db, path, &options);
    ck_assert_msg(rc == ESC_OK, "open %s: %s %s", path, esc_status_name(rc), esc_db_errmsg(f->db));
    f->esc = test_new_escalation(f->db);
}

static void fixture_close(fixture *f)
{
    esc_escalation_free(f->esc);
    esc_db_close(f->db);
}

/* Ordinary valid arguments for kind, as a host would fill them. */
static esc_action typical_action(const fixture *f, esc_action_kind kind, const esc_person *actor)
{
    esc_action a;
    test_fill_action(&a, f->db, f->esc, kind, actor);
    a.text = "The customer wants the double charge refunded.";
    if (kind == ESC_ACTION_TAG || kind == ESC_ACTION_ACK_EMOTION)
        a.text = "frustrated";
    if (kind == ESC_ACTION_LOOP_IN)
        a.text = NULL; /* a watcher has a person and a role, no text */
    return a;
}

static void must(fixture *f, esc_action_kind kind)
{
    esc_action a = typical_action(f, kind, &SUPERVISOR);
    test_must(f->db, f->esc, &a);
}

typedef struct snapshot {
    int64_t version;
    esc_state state;
    size_t events;
    size_t items[ESC_ITEM_KIND_COUNT];
} snapshot;

static snapshot take_snapshot(fixture *f)
{
    snapshot s;
    s.version = esc_escalation_version(f->esc);
    s.state = esc_escalation_state(f->esc);
    s.events = (size_t)test_history_length(f->db, esc_escalation_id(f->esc));
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++)
        s.items[k] = esc_escalation_item_count(f->esc, (esc_item_kind)k);
    return s;
}

/* Nothing changed since s: the snapshot, the stored row, the history. */
static void assert_unchanged(fixture *f, const snapshot *s)
{
    ck_assert_int_eq(esc_escalation_version(f->esc), s->version);
    ck_assert_int_eq(esc_escalation_state(f->esc), s->state);
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++)
        ck_assert_uint_eq(esc_escalation_item_count(f->esc, (esc_item_kind)k), s->items[k]);
    esc_escalation *stored = NULL;
    ck_assert_status(f->db, esc_escalation_get(&stored, f->db, esc_escalation_id(f->esc)), ESC_OK);
    ck_assert_int_eq(esc_escalation_version(stored), s->version);
    ck_assert_int_eq(esc_escalation_state(stored), s->state);
    esc_escalation_free(stored);
    ck_assert_uint_eq((size_t)test_history_length(f->db, esc_escalation_id(f->esc)), s->events);
}

/* Apply a that must be refused with code and guard, and change nothing.
 * The handle's error state is read before anything else touches it. */
static void assert_refused(fixture *f, const esc_action *a, int code, esc_guard guard)
{
    snapshot before = take_snapshot(f);
    int rc = esc_apply(f->db, f->esc, a);
    ck_assert_msg(rc == code, "%s in %s: %s (%s), expected %s", esc_action_name(a->kind),
                  esc_state_name(esc_escalation_state(f->esc)), esc_status_name(rc),
                  esc_db_errmsg(f->db), esc_status_name(code));
    ck_assert_msg(esc_db_last_guard(f->db) == guard, "%s: last guard %s, expected %s",
                  esc_action_name(a->kind), esc_guard_name(esc_db_last_guard(f->db)),
                  esc_guard_name(guard));
    ck_assert_int_eq(esc_db_errcode(f->db), code);
    ck_assert_str_ne(esc_db_errmsg(f->db), "");
    assert_unchanged(f, &before);
}

/* Apply a that must succeed, as exactly one new event. */
static void assert_accepted(fixture *f, const esc_action *a)
{
    snapshot before = take_snapshot(f);
    test_must(f->db, f->esc, a);
    ck_assert_int_eq(esc_db_last_guard(f->db), ESC_GUARD_NONE);
    ck_assert_str_eq(esc_db_errmsg(f->db), "");
    ck_assert_int_eq(esc_escalation_version(f->esc), before.version + 1);
    ck_assert_uint_eq((size_t)test_history_length(f->db, esc_escalation_id(f->esc)), before.events + 1);
}

/* esc_action_allowed() must answer code / guard. */
static void assert_allowed_says(fixture *f, esc_action_kind kind, const esc_person *actor, int code,
                                esc_guard guard)
{
    esc_guard got = ESC_GUARD_COUNT;
    int rc = esc_action_allowed(&got, f->db, f->esc, kind, actor);
    ck_assert_msg(rc == code && got == guard,
                  "esc_action_allowed(%s in %s, actor tier %d) = %s / %s, expected %s / %s",
                  esc_action_name(kind), esc_state_name(esc_escalation_state(f->esc)),
                  actor ? actor->tier : 0, esc_status_name(rc), esc_guard_name(got),
                  esc_status_name(code), esc_guard_name(guard));
}

/* ---- arranging the escalation -------------------------------------------- */

static void add_internal_note(fixture *f)
{
    esc_action a = typical_action(f, ESC_ACTION_NOTE, &AGENT);
    a.customer_account = 0;
    a.text = "Checked the billing system: two charges on 3 March.";
    test_must(f->db, f->esc, &a);
}

static void add_customer_note(fixture *f)
{
    must(f, ESC_ACTION_NOTE);
}

static void move_up_a_tier(fixture *f)
{
    ck_assert_uint_gt(esc_escalation_item_count(f->esc, ESC_ITEM_NOTE), 0);
    esc_action a = typical_action(f, ESC_ACTION_MOVE_TIER, &AGENT);
    test_must(f->db, f->esc, &a);
    ck_assert_int_eq(esc_escalation_state(f->esc), ESC_STATE_LISTEN);
    ck_assert_int_eq(esc_escalation_tier(f->esc), 2);
}

static void move_to_tier_3(fixture *f)
{
    esc_action a = typical_action(f, ESC_ACTION_MOVE_TIER, &AGENT);
    a.tier = 3;
    a.person = SPECIALIST;
    test_must(f->db, f->esc, &a);
}

static void promise(fixture *f) { must(f, ESC_ACTION_PROMISE); }
static void add_step(fixture *f) { must(f, ESC_ACTION_ADD_STEP); }
static void state_problem(fixture *f) { must(f, ESC_ACTION_STATE_PROBLEM); }
static void offer_option(fixture *f) { must(f, ESC_ACTION_OFFER_OPTION); }
static void hold(fixture *f) { must(f, ESC_ACTION_HOLD); }
static void schedule_follow_up(fixture *f) { must(f, ESC_ACTION_SCHEDULE_FOLLOW_UP); }

static void step_and_promise(fixture *f)
{
    add_step(f);
    promise(f);
}

/* A request only a specialist (tier 3) may decide. */
static void request_tier3_exception(fixture *f)
{
    esc_action a = typical_action(f, ESC_ACTION_REQUEST_EXCEPTION, &AGENT);
    a.category = "refund_outside_policy";
    a.text = "Refund the second charge although the 30 days are over.";
    a.tier = 3;
    test_must(f->db, f->esc, &a);
}

static void request_and_decide(fixture *f)
{
    request_tier3_exception(f);
    esc_action a = typical_action(f, ESC_ACTION_DECIDE_EXCEPTION, &SPECIALIST);
    test_must(f->db, f->esc, &a);
}

static void schedule_and_complete(fixture *f)
{
    schedule_follow_up(f);
    esc_action a = typical_action(f, ESC_ACTION_COMPLETE_FOLLOW_UP, &AGENT);
    test_must(f->db, f->esc, &a);
}

static void two_tier_ladder(fixture *f)
{
    static const char *const names[] = { "desk", "back office" };
    ck_assert_status(f->db, esc_db_set_tiers(f->db, names, 2), ESC_OK);
}

static void one_tier_ladder(fixture *f)
{
    static const char *const names[] = { "everyone" };
    ck_assert_status(f->db, esc_db_set_tiers(f->db, names, 1), ESC_OK);
}

/* ---- bending the arguments (variant picks which way) ------------------ */

static void no_owner(esc_action *a, int variant)
{
    a->person.id = variant ? "" : NULL;
    a->person.name = variant ? "" : NULL;
    a->person.tier = 0;
}

static void item_number(esc_action *a, int variant)
{
    a->item = variant;
}

static void time_not_future(esc_action *a, int variant)
{
    /* variant: how far before now (0 = exactly now). */
    a->at = a->at - DAY - variant * HOUR;
}

static void not_confirmed(esc_action *a, int variant)
{
    (void)variant;
    a->yes = 0;
}

/* variant bit 0: category missing, bit 1: text missing; bit 2: "" not NULL. */
static void no_root_cause(esc_action *a, int variant)
{
    const char *missing = (variant & 4) ? "" : NULL;
    if (variant & 1)
        a->category = missing;
    if (variant & 2)
        a->text = missing;
}

/* variant 0..2: which part of the brief is missing; +3: "" instead of NULL. */
static void no_brief_part(esc_action *a, int variant)
{
    const char *missing = variant >= 3 ? "" : NULL;
    switch (variant % 3) {
    case 0: a->brief_went_wrong = missing; break;
    case 1: a->brief_tried = missing; break;
    default: a->brief_response = missing; break;
    }
}

static void target_tier(esc_action *a, int variant)
{
    a->tier = variant;
}

/* On a one-tier ladder only tier-1 people exist: no new owner. */
static void target_same_tier_no_person(esc_action *a, int variant)
{
    a->tier = variant;
    a->person.id = NULL;
    a->person.name = NULL;
    a->person.tier = 0;
}

static void move_down(esc_action *a, int variant)
{
    a->tier = variant;
    a->person = AGENT;
}

/* ---- meeting the guard ------------------------------------------------- */

static void fix_owner(fixture *f, esc_action *a) { (void)f; a->person = SPECIALIST; }
static void fix_item_1(fixture *f, esc_action *a) { (void)f; a->item = 1; }
static void fix_future(fixture *f, esc_action *a) { a->at = esc_db_now(f->db) + 1; }
static void fix_confirmed(fixture *f, esc_action *a) { (void)f; a->yes = 1; }
static void fix_actor_specialist(fixture *f, esc_action *a) { (void)f; a->actor = SPECIALIST; }
static void fix_tier_2(fixture *f, esc_action *a) { (void)f; a->tier = 2; }

static void fix_customer_note(fixture *f, esc_action *a) { (void)a; add_customer_note(f); }
static void fix_state_problem(fixture *f, esc_action *a) { (void)a; state_problem(f); }
static void fix_add_step(fixture *f, esc_action *a) { (void)a; add_step(f); }
static void fix_promise(fixture *f, esc_action *a) { (void)a; promise(f); }
static void fix_offer_option(fixture *f, esc_action *a) { (void)a; offer_option(f); }
static void fix_hold(fixture *f, esc_action *a) { (void)a; hold(f); }
static void fix_resume(fixture *f, esc_action *a) { (void)a; must(f, ESC_ACTION_RESUME); }
static void fix_schedule(fixture *f, esc_action *a) { (void)a; schedule_follow_up(f); }

static void fix_request_exception(fixture *f, esc_action *a)
{
    (void)a;
    must(f, ESC_ACTION_REQUEST_EXCEPTION); /* minimum tier 2: the supervisor's */
}

static void fix_decide_pending(fixture *f, esc_action *a)
{
    (void)a;
    esc_action decide = typical_action(f, ESC_ACTION_DECIDE_EXCEPTION, &LEADER);
    decide.yes = 0;
    decide.text = "Denied: outside policy.";
    test_must(f->db, f->esc, &decide);
}

/* Another request, and decide that one (number 2). */
static void fix_second_request(fixture *f, esc_action *a)
{
    must(f, ESC_ACTION_REQUEST_EXCEPTION);
    a->item = 2;
}

static void fix_second_follow_up(fixture *f, esc_action *a)
{
    schedule_follow_up(f);
    a->item = 2;
}

static void fix_root_cause(fixture *f, esc_action *a)
{
    (void)f;
    a->category = "process";
    a->text = "Refunds were handed between two teams with no owner.";
}

static void fix_brief(fixture *f, esc_action *a)
{
    (void)f;
    a->brief_went_wrong = "The refund was lost between two systems.";
    a->brief_tried = "Re-sent the refund request twice.";
    a->brief_response = "The customer is angry and threatens to leave.";
}

/* The fixture's escalation becomes a confidential one a supervisor opened. */
static void make_confidential(fixture *f)
{
    esc_escalation_free(f->esc);
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = SUPERVISOR;
    p.summary = "A board member's account was charged twice.";
    p.customer_id = "cust-board";
    p.confidential = 1;
    f->esc = NULL;
    ck_assert_status(f->db, esc_escalation_open(&f->esc, f->db, &p), ESC_OK);
}

static void fix_watch_agent(fixture *f, esc_action *a)
{
    (void)a;
    esc_action w = typical_action(f, ESC_ACTION_LOOP_IN, &SUPERVISOR);
    w.person = AGENT;
    w.category = "watcher";
    test_must(f->db, f->esc, &w);
}

static void fix_restore_ladder(fixture *f, esc_action *a)
{
    ck_assert_status(f->db, esc_db_set_tiers(f->db, NULL, 0), ESC_OK);
    a->tier = 2;
}

/* ---- the guard table ------------------------------------------------------ */

typedef struct guard_case {
    const char *name;
    esc_state state;                          /* drive a fresh escalation here */
    void (*arrange)(fixture *f);              /* then leave the guard unmet (NULL: as driven) */
    esc_action_kind kind;
    const esc_person *actor;
    void (*bend)(esc_action *a, int variant); /* arguments that leave it unmet (NULL: typical) */
    int variant;
    int code;                                 /* ESC_EGUARD or ESC_EAUTHORITY */
    esc_guard guard;
    int escalation_only;                      /* the escalation alone decides: allowed() sees it */
    void (*satisfy)(fixture *f, esc_action *a); /* meet it: act on the escalation or fix a */
} guard_case;

#define G(guard) ESC_GUARD_##guard
#define A(kind) ESC_ACTION_##kind
#define S(state) ESC_STATE_##state

static const guard_case guard_cases[] = {
    /* customer_note: listening means the customer's own account on record */
    { "customer_note: nothing heard", S(LISTEN), NULL, A(ADVANCE), &AGENT, NULL, 0,
      ESC_EGUARD, G(CUSTOMER_NOTE), 1, fix_customer_note },
    { "customer_note: only an internal note", S(LISTEN), add_internal_note, A(ADVANCE), &AGENT,
      NULL, 0, ESC_EGUARD, G(CUSTOMER_NOTE), 1, fix_customer_note },
    { "customer_note: new handler after move_tier", S(CLARIFY), move_up_a_tier, A(ADVANCE),
      &SUPERVISOR, NULL, 0, ESC_EGUARD, G(CUSTOMER_NOTE), 1, fix_customer_note },
    { "customer_note: new handler, only the handover brief since", S(PLAN), move_up_a_tier, A(ADVANCE),
      &SUPERVISOR, NULL, 0, ESC_EGUARD, G(CUSTOMER_NOTE), 1, fix_customer_note },
    /* problem_statement */
    { "problem_statement", S(CLARIFY), NULL, A(CONFIRM_PROBLEM), &AGENT, NULL, 0,
      ESC_EGUARD, G(PROBLEM_STATEMENT), 1, fix_state_problem },
    /* take_ownership: a step, a promised time, an owner, in that order */
    { "plan_step", S(PLAN), promise, A(TAKE_OWNERSHIP), &SUPERVISOR, NULL, 0,
      ESC_EGUARD, G(PLAN_STEP), 1, fix_add_step },
    { "promised_time", S(PLAN), add_step, A(TAKE_OWNERSHIP), &SUPERVISOR, NULL, 0,
      ESC_EGUARD, G(PROMISED_TIME), 1, fix_promise },
    { "owner: NULL person", S(PLAN), step_and_promise, A(TAKE_OWNERSHIP), &SUPERVISOR, no_owner, 0,
      ESC_EGUARD, G(OWNER), 0, fix_owner },
    { "owner: empty person", S(PLAN), step_and_promise, A(TAKE_OWNERSHIP), &SUPERVISOR, no_owner, 1,
      ESC_EGUARD, G(OWNER), 0, fix_owner },
    /* option */
    { "option: none offered", S(PLAN), NULL, A(CHOOSE_OPTION), &AGENT, NULL, 0,
      ESC_EGUARD, G(OPTION), 1, fix_offer_option },
    { "option: no such number", S(OWN), offer_option, A(CHOOSE_OPTION), &AGENT, item_number, 2,
      ESC_EGUARD, G(OPTION), 0, fix_item_1 },
    { "option: number 0", S(PLAN), offer_option, A(CHOOSE_OPTION), &AGENT, item_number, 0,
      ESC_EGUARD, G(OPTION), 0, fix_item_1 },
    { "option: negative number", S(PLAN), offer_option, A(CHOOSE_OPTION), &AGENT, item_number, -1,
      ESC_EGUARD, G(OPTION), 0, fix_item_1 },
    /* future_time */
    { "future_time: promise now", S(PLAN), NULL, A(PROMISE), &AGENT, time_not_future, 0,
      ESC_EGUARD, G(FUTURE_TIME), 0, fix_future },
    { "future_time: promise in the past", S(OWN), NULL, A(PROMISE), &AGENT, time_not_future, 3,
      ESC_EGUARD, G(FUTURE_TIME), 0, fix_future },
    { "future_time: follow-up now", S(OWN), NULL, A(SCHEDULE_FOLLOW_UP), &AGENT, time_not_future, 0,
      ESC_EGUARD, G(FUTURE_TIME), 0, fix_future },
    { "future_time: follow-up in the past", S(FOLLOW_UP), NULL, A(SCHEDULE_FOLLOW_UP), &AGENT,
      time_not_future, 5, ESC_EGUARD, G(FUTURE_TIME), 0, fix_future },
    /* pending_exception */
    { "pending_exception: none requested", S(PLAN), NULL, A(DECIDE_EXCEPTION), &LEADER, NULL, 0,
      ESC_EGUARD, G(PENDING_EXCEPTION), 1, fix_request_exception },
    { "pending_exception: wrong number", S(OWN), request_tier3_exception, A(DECIDE_EXCEPTION),
      &LEADER, item_number, 2, ESC_EGUARD, G(PENDING_EXCEPTION), 0, fix_item_1 },
    { "pending_exception: number 0", S(PLAN), request_tier3_exception, A(DECIDE_EXCEPTION),
      &LEADER, item_number, 0, ESC_EGUARD, G(PENDING_EXCEPTION), 0, fix_item_1 },
    { "pending_exception: already decided", S(PLAN), request_and_decide, A(DECIDE_EXCEPTION),
      &LEADER, NULL, 0, ESC_EGUARD, G(PENDING_EXCEPTION), 1, fix_second_request },
    /* authority */
    { "authority: decide below the request's tier", S(PLAN), request_tier3_exception,
      A(DECIDE_EXCEPTION), &SUPERVISOR, NULL, 0, ESC_EAUTHORITY, G(AUTHORITY), 1,
      fix_actor_specialist },
    { "authority: move down by a lower tier", S(LISTEN), move_to_tier_3, A(MOVE_TIER), &SUPERVISOR,
      move_down, 1, ESC_EAUTHORITY, G(AUTHORITY), 0, fix_actor_specialist },
    /* confidential: the frontline sees it once looped in */
    { "confidential: not its owner, opener or watcher", S(LISTEN), make_confidential, A(NOTE),
      &AGENT, NULL, 0, ESC_EAUTHORITY, G(CONFIDENTIAL), 1, fix_watch_agent },
    /* no_pending_exception */
    { "no_pending_exception", S(OWN), request_tier3_exception, A(RECORD_RESOLUTION), &SUPERVISOR,
      NULL, 0, ESC_EGUARD, G(NO_PENDING_EXCEPTION), 1, fix_decide_pending },
    /* pending_follow_up */
    { "pending_follow_up: none scheduled", S(OWN), NULL, A(COMPLETE_FOLLOW_UP), &AGENT, NULL, 0,
      ESC_EGUARD, G(PENDING_FOLLOW_UP), 1, fix_schedule },
    { "pending_follow_up: wrong number", S(FOLLOW_UP), schedule_follow_up, A(COMPLETE_FOLLOW_UP),
      &AGENT, item_number, 2, ESC_EGUARD, G(PENDING_FOLLOW_UP), 0, fix_item_1 },
    { "pending_follow_up: already completed", S(FOLLOW_UP), schedule_and_complete,
      A(COMPLETE_FOLLOW_UP), &AGENT, NULL, 0, ESC_EGUARD, G(PENDING_FOLLOW_UP), 1,
      fix_second_follow_up },
    /* customer_confirmed (the attempts rule has its own test below) */
    { "customer_confirmed: not confirmed, no attempts", S(FOLLOW_UP), NULL, A(CONFIRM_RESOLVED),
      &AGENT, not_confirmed, 0, ESC_EGUARD, G(CUSTOMER_CONFIRMED), 0, fix_confirmed },
    /* root_cause */
    { "root_cause: no category", S(RESOLVED), NULL, A(CLOSE), &SUPERVISOR, no_root_cause, 1,
      ESC_EGUARD, G(ROOT_CAUSE), 0, fix_root_cause },
    { "root_cause: no text", S(RESOLVED), NULL, A(CLOSE), &SUPERVISOR, no_root_cause, 2,
      ESC_EGUARD, G(ROOT_CAUSE), 0, fix_root_cause },
    { "root_cause: neither", S(RESOLVED), NULL, A(CLOSE), &SUPERVISOR, no_root_cause, 3,
      ESC_EGUARD, G(ROOT_CAUSE), 0, fix_root_cause },
    { "root_cause: empty category", S(RESOLVED), NULL, A(CLOSE), &SUPERVISOR, no_root_cause, 5,
      ESC_EGUARD, G(ROOT_CAUSE), 0, fix_root_cause },
    { "root_cause: empty text", S(RESOLVED), NULL, A(CLOSE), &SUPERVISOR, no_root_cause, 6,
      ESC_EGUARD, G(ROOT_CAUSE), 0, fix_root_cause },
    /* handover_brief: each of the three parts */
    { "handover_brief: what went wrong", S(LISTEN), NULL, A(MOVE_TIER), &AGENT, no_brief_part, 0,
      ESC_EGUARD, G(HANDOVER_BRIEF), 0, fix_brief },
    { "handover_brief: what was tried", S(CLARIFY), NULL, A(MOVE_TIER), &AGENT, no_brief_part, 1,
      ESC_EGUARD, G(HANDOVER_BRIEF), 0, fix_brief },
    { "handover_brief: customer response", S(OWN), NULL, A(MOVE_TIER), &AGENT, no_brief_part, 2,
      ESC_EGUARD, G(HANDOVER_BRIEF), 0, fix_brief },
    { "handover_brief: empty what went wrong", S(PLAN), NULL, A(MOVE_TIER), &AGENT, no_brief_part,
      3, ESC_EGUARD, G(HANDOVER_BRIEF), 0, fix_brief },
    { "handover_brief: empty what was tried", S(FOLLOW_UP), NULL, A(MOVE_TIER), &AGENT,
      no_brief_part, 4, ESC_EGUARD, G(HANDOVER_BRIEF), 0, fix_brief },
    { "handover_brief: empty customer response", S(RESOLVED), NULL, A(MOVE_TIER), &AGENT,
      no_brief_part, 5, ESC_EGUARD, G(HANDOVER_BRIEF), 0, fix_brief },
    /* other_tier */
    { "other_tier: the same tier", S(LISTEN), NULL, A(MOVE_TIER), &AGENT, target_tier, 1,
      ESC_EGUARD, G(OTHER_TIER), 0, fix_tier_2 },
    { "other_tier: tier 0", S(CLARIFY), NULL, A(MOVE_TIER), &AGENT, target_tier, 0,
      ESC_EGUARD, G(OTHER_TIER), 0, fix_tier_2 },
    { "other_tier: negative tier", S(PLAN), NULL, A(MOVE_TIER), &AGENT, target_tier, -2,
      ESC_EGUARD, G(OTHER_TIER), 0, fix_tier_2 },
    { "other_tier: beyond the default ladder", S(OWN), NULL, A(MOVE_TIER), &AGENT, target_tier, 5,
      ESC_EGUARD, G(OTHER_TIER), 0, fix_tier_2 },
    { "other_tier: beyond a custom ladder", S(LISTEN), two_tier_ladder, A(MOVE_TIER), &AGENT,
      target_tier, 3, ESC_EGUARD, G(OTHER_TIER), 0, fix_tier_2 },
    { "other_tier: a one-tier ladder", S(LISTEN), one_tier_ladder, A(MOVE_TIER), &AGENT,
      target_same_tier_no_person, 1, ESC_EGUARD, G(OTHER_TIER), 1, fix_restore_ladder },
    /* on_hold / not_on_hold */
    { "on_hold: resume when not held", S(OWN), NULL, A(RESUME), &AGENT, NULL, 0,
      ESC_EGUARD, G(ON_HOLD), 1, fix_hold },
    { "on_hold: resume in listen", S(LISTEN), NULL, A(RESUME), &AGENT, NULL, 0,
      ESC_EGUARD, G(ON_HOLD), 1, fix_hold },
    { "not_on_hold: hold twice", S(PLAN), hold, A(HOLD), &AGENT, NULL, 0,
      ESC_EGUARD, G(NOT_ON_HOLD), 1, fix_resume },
    { "not_on_hold: hold twice in follow_up", S(FOLLOW_UP), hold, A(HOLD), &AGENT, NULL, 0,
      ESC_EGUARD, G(NOT_ON_HOLD), 1, fix_resume },
};
#define GUARD_CASE_COUNT ((int)(sizeof guard_cases / sizeof guard_cases[0]))

START_TEST(test_guard_case)
{
    const guard_case *c = &guard_cases[_i];
    fixture f;
    fixture_open(&f, 0);
    test_drive_to(f.db, f.esc, c->state);
    if (c->arrange)
        c->arrange(&f);
    f.clock.now += MINUTE;
    esc_action a = typical_action(&f, c->kind, c->actor);
    if (c->bend)
        c->bend(&a, c->variant);

    /* "What can I do now?" names the guard when the escalation alone
     * decides it; guards on the action's own arguments it cannot see. */
    if (c->escalation_only)
        assert_allowed_says(&f, c->kind, c->actor, c->code, c->guard);
    else
        assert_allowed_says(&f, c->kind, c->actor, ESC_OK, ESC_GUARD_NONE);

    assert_refused(&f, &a, c->code, c->guard);
    /* A refusal is not sticky: asking again gives the same answer. */
    assert_refused(&f, &a, c->code, c->guard);

    c->satisfy(&f, &a);
    assert_allowed_says(&f, c->kind, &a.actor, ESC_OK, ESC_GUARD_NONE);
    assert_accepted(&f, &a);
    fixture_close(&f);
}
END_TEST

/* The table covers every guard but none and state (the state guard is the
 * matrix's job in test_lifecycle.c). */
START_TEST(test_guard_table_covers_every_guard)
{
    for (int g = ESC_GUARD_CUSTOMER_NOTE; g < ESC_GUARD_COUNT; g++) {
        int found = 0;
        for (int i = 0; i < GUARD_CASE_COUNT; i++)
            found |= guard_cases[i].guard == (esc_guard)g;
        ck_assert_msg(found, "no case for guard %s", esc_guard_name((esc_guard)g));
        ck_assert_ptr_nonnull(esc_guard_description((esc_guard)g));
    }
}
END_TEST

/* ---- customer_confirmed: the agreed follow-up attempts ------------------ */

/* { esc_db_options.follow_up_attempts, the number that applies } */
static const int attempt_configs[][2] = { { 0, 3 }, { 1, 1 }, { 2, 2 }, { 4, 4 } };

START_TEST(test_unconfirmed_after_attempts_used_up)
{
    const int attempts = attempt_configs[_i][1];
    fixture f;
    fixture_open(&f, attempt_configs[_i][0]);
    test_drive_to(f.db, f.esc, ESC_STATE_FOLLOW_UP);
    esc_action confirm = typical_action(&f, ESC_ACTION_CONFIRM_RESOLVED, &AGENT);
    confirm.yes = 0;

    /* A follow-up where the customer was reached is not a failed attempt. */
    schedule_follow_up(&f);
    esc_action reached = typical_action(&f, ESC_ACTION_COMPLETE_FOLLOW_UP, &AGENT);
    reached.yes = 1;
    reached.text = "Reached the customer; they are checking their statement.";
    test_must(f.db, f.esc, &reached);
    int number = 1;

    for (int used = 0; used < attempts; used++) {
        assert_refused(&f, &confirm, ESC_EGUARD, ESC_GUARD_CUSTOMER_CONFIRMED);
        /* A scheduled callback not yet made is no attempt either. */
        schedule_follow_up(&f);
        number++;
        assert_refused(&f, &confirm, ESC_EGUARD, ESC_GUARD_CUSTOMER_CONFIRMED);
        f.clock.now += DAY + HOUR;
        esc_action missed = typical_action(&f, ESC_ACTION_COMPLETE_FOLLOW_UP, &AGENT);
        missed.item = number;
        missed.yes = 0;
        missed.text = "No answer; left a voicemail.";
        test_must(f.db, f.esc, &missed);
        const esc_item *item = esc_escalation_item(f.esc, ESC_ITEM_FOLLOW_UP, (size_t)number - 1);
        ck_assert_int_eq(esc_item_status_of(item), ESC_ITEM_DONE);
        ck_assert_int_eq(esc_item_flag(item), 0);
        ck_assert_str_eq(esc_item_decision(item), missed.text);
        ck_assert_str_eq(esc_item_decided_by(item), AGENT.id);
    }
    ck_assert_int_eq(esc_escalation_state(f.esc), ESC_STATE_FOLLOW_UP);
    assert_allowed_says(&f, ESC_ACTION_CONFIRM_RESOLVED, &AGENT, ESC_OK, ESC_GUARD_NONE);
    /* Unconfirmed is a supervisor's call, not the frontline's. */
    assert_refused(&f, &confirm, ESC_EAUTHORITY, ESC_GUARD_AUTHORITY);
    confirm.actor = SUPERVISOR;
    assert_accepted(&f, &confirm);
    ck_assert_int_eq(esc_escalation_state(f.esc), ESC_STATE_RESOLVED);
    ck_assert_int_eq(esc_escalation_unconfirmed(f.esc), 1);

    /* Reopened and confirmed by the customer this time: not unconfirmed. */
    must(&f, ESC_ACTION_REOPEN);
    ck_assert_int_eq(esc_escalation_unconfirmed(f.esc), 0);
    test_drive_to(f.db, f.esc, ESC_STATE_RESOLVED);
    ck_assert_int_eq(esc_escalation_unconfirmed(f.esc), 0);
    fixture_close(&f);
}
END_TEST

/* Missed callbacks before a reopen belong to a resolution that did not
 * hold: after the reopen the agreed attempts start again from zero. */
START_TEST(test_attempts_restart_after_reopen)
{
    fixture f;
    fixture_open(&f, 1);
    test_drive_to(f.db, f.esc, ESC_STATE_FOLLOW_UP);
    esc_action confirm = typical_action(&f, ESC_ACTION_CONFIRM_RESOLVED, &SUPERVISOR);
    confirm.yes = 0;
    schedule_follow_up(&f);
    esc_action missed = typical_action(&f, ESC_ACTION_COMPLETE_FOLLOW_UP, &AGENT);
    missed.yes = 0;
    missed.text = "No answer.";
    test_must(f.db, f.esc, &missed);
    assert_accepted(&f, &confirm);
    ck_assert_int_eq(esc_escalation_unconfirmed(f.esc), 1);

    must(&f, ESC_ACTION_REOPEN);
    test_drive_to(f.db, f.esc, ESC_STATE_OWN);
    must(&f, ESC_ACTION_RECORD_RESOLUTION);
    assert_refused(&f, &confirm, ESC_EGUARD, ESC_GUARD_CUSTOMER_CONFIRMED);
    schedule_follow_up(&f);
    missed.item = 2;
    test_must(f.db, f.esc, &missed);
    assert_accepted(&f, &confirm);
    ck_assert_int_eq(esc_escalation_unconfirmed(f.esc), 1);
    fixture_close(&f);
}
END_TEST

START_TEST(test_negative_attempts_refused)
{
    test_clock clock = { T0 };
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = ESC_OPEN_CREATE;
    options.clock = test_clock_read;
    options.clock_payload = &clock;
    options.follow_up_attempts = -1;
    esc_db *db = NULL;
    ck_assert_int_eq(esc_db_open(&db, test_path("attempts"), &options), ESC_EINVAL);
    ck_assert_str_ne(esc_db_errmsg(db), "");
    esc_db_close(db);
}
END_TEST

/* ---- authority ------------------------------------------------------------ */

/* Moving down from tier 3 to tier 1 overrules tier 3: only tier 3 and up. */
START_TEST(test_move_down_needs_current_tier)
{
    static const esc_person *const actors[] = { &AGENT, &SUPERVISOR, &SPECIALIST, &LEADER };
    const esc_person *actor = actors[_i];
    fixture f;
    fixture_open(&f, 0);
    move_to_tier_3(&f);
    ck_assert_int_eq(esc_escalation_tier(f.esc), 3);
    esc_action down = typical_action(&f, ESC_ACTION_MOVE_TIER, actor);
    down.tier = 1;
    down.person = AGENT;
    if (actor->tier < 3) {
        assert_refused(&f, &down, ESC_EAUTHORITY, ESC_GUARD_AUTHORITY);
    } else {
        assert_accepted(&f, &down);
        ck_assert_int_eq(esc_escalation_tier(f.esc), 1);
        ck_assert_int_eq(esc_escalation_state(f.esc), ESC_STATE_LISTEN);
    }
    /* Moving up needs no authority, whoever asks. */
    esc_action up = typical_action(&f, ESC_ACTION_MOVE_TIER, &AGENT);
    up.tier = 4;
    up.person = LEADER;
    assert_accepted(&f, &up);
    ck_assert_int_eq(esc_escalation_tier(f.esc), 4);
    fixture_close(&f);
}
END_TEST

/* The frontline asks for help exactly when it lacks the authority: a
 * pending request it may not decide must not stop it moving the
 * escalation up, and esc_action_allowed() must say so as esc_apply() does. */
START_TEST(test_move_up_allowed_with_undecidable_request)
{
    fixture f;
    fixture_open(&f, 0);
    test_drive_to(f.db, f.esc, ESC_STATE_PLAN);
    request_tier3_exception(&f);
    assert_allowed_says(&f, ESC_ACTION_DECIDE_EXCEPTION, &AGENT, ESC_EAUTHORITY, ESC_GUARD_AUTHORITY);

    /* esc_apply() lets the agent move it up (on a copy of the snapshot, so
     * that the question below is asked of the same escalation). */
    esc_escalation *copy = NULL;
    ck_assert_int_eq(esc_escalation_dup(&copy, f.esc), ESC_OK);
    esc_action up = typical_action(&f, ESC_ACTION_MOVE_TIER, &AGENT);
    up.tier = 3;
    up.person = SPECIALIST;
    ck_assert_status(f.db, esc_apply(f.db, copy, &up), ESC_OK);
    ck_assert_int_eq(esc_escalation_tier(copy), 3);
    esc_escalation_free(copy);

    /* ...so "what can I do now?" must not say otherwise.  (Judged after
     * closing, so that a failure leaks nothing under CK_FORK=no.) */
    esc_guard guard = ESC_GUARD_COUNT;
    int rc = esc_action_allowed(&guard, f.db, f.esc, ESC_ACTION_MOVE_TIER, &AGENT);
    fixture_close(&f);
    ck_assert_msg(rc == ESC_OK && guard == ESC_GUARD_NONE,
                  "esc_action_allowed(move_tier, agent) = %s / %s, expected ESC_OK / none",
                  esc_status_name(rc), esc_guard_name(guard));
}
END_TEST

/* Without an actor, esc_action_allowed() does not judge authority. */
START_TEST(test_allowed_without_actor_skips_authority)
{
    fixture f;
    fixture_open(&f, 0);
    test_drive_to(f.db, f.esc, ESC_STATE_PLAN);
    request_tier3_exception(&f);
    assert_allowed_says(&f, ESC_ACTION_DECIDE_EXCEPTION, NULL, ESC_OK, ESC_GUARD_NONE);
    assert_allowed_says(&f, ESC_ACTION_DECIDE_EXCEPTION, &SUPERVISOR, ESC_EAUTHORITY,
                        ESC_GUARD_AUTHORITY);
    assert_allowed_says(&f, ESC_ACTION_DECIDE_EXCEPTION, &SPECIALIST, ESC_OK, ESC_GUARD_NONE);
    assert_allowed_says(&f, ESC_ACTION_DECIDE_EXCEPTION, &LEADER, ESC_OK, ESC_GUARD_NONE);

    /* Bad questions. */
    esc_guard g = ESC_GUARD_COUNT;
    ck_assert_int_eq(esc_action_allowed(NULL, f.db, f.esc, ESC_ACTION_NOTE, NULL), ESC_EINVAL);
    ck_assert_int_eq(esc_action_allowed(&g, NULL, f.esc, ESC_ACTION_NOTE, NULL), ESC_EINVAL);
    ck_assert_int_eq(esc_action_allowed(&g, f.db, NULL, ESC_ACTION_NOTE, NULL), ESC_EINVAL);
    ck_assert_int_eq(esc_action_allowed(&g, f.db, f.esc, (esc_action_kind)ESC_ACTION_COUNT, NULL),
                     ESC_EINVAL);
    ck_assert_int_eq(esc_action_allowed(&g, f.db, f.esc, (esc_action_kind)-1, NULL), ESC_EINVAL);
    fixture_close(&f);
}
END_TEST

/* ---- exception requests: asked, decided, recorded ------------------------- */

START_TEST(test_exception_flow)
{
    fixture f;
    fixture_open(&f, 0);
    test_drive_to(f.db, f.esc, ESC_STATE_PLAN);

    f.clock.now += MINUTE;
    request_tier3_exception(&f);
    ck_assert_uint_eq(esc_escalation_item_count(f.esc, ESC_ITEM_EXCEPTION), 1);
    const esc_item *req = esc_escalation_item(f.esc, ESC_ITEM_EXCEPTION, 0);
    ck_assert_int_eq(esc_item_get_kind(req), ESC_ITEM_EXCEPTION);
    ck_assert_int_eq(esc_item_number(req), 1);
    ck_assert_str_eq(esc_item_category(req), "refund_outside_policy");
    ck_assert_str_eq(esc_item_text(req), "Refund the second charge although the 30 days are over.");
    ck_assert_int_eq(esc_item_tier(req), 3);
    ck_assert_int_eq(esc_item_status_of(req), ESC_ITEM_OPEN);
    ck_assert_str_eq(esc_item_person_id(req), AGENT.id); /* who asked */
    ck_assert_str_eq(esc_item_decision(req), "");
    ck_assert_str_eq(esc_item_decided_by(req), "");
    ck_assert_int_eq(esc_item_created_at(req), f.clock.now);

    /* Too low a tier, twice; nothing recorded on the item. */
    esc_action decide = typical_action(&f, ESC_ACTION_DECIDE_EXCEPTION, &AGENT);
    decide.text = "Approved as a goodwill gesture.";
    assert_refused(&f, &decide, ESC_EAUTHORITY, ESC_GUARD_AUTHORITY);
    decide.actor = SUPERVISOR;
    assert_refused(&f, &decide, ESC_EAUTHORITY, ESC_GUARD_AUTHORITY);
    req = esc_escalation_item(f.esc, ESC_ITEM_EXCEPTION, 0);
    ck_assert_int_eq(esc_item_status_of(req), ESC_ITEM_OPEN);

    /* Exactly the minimum tier approves. */
    decide.actor = SPECIALIST;
    assert_accepted(&f, &decide);
    req = esc_escalation_item(f.esc, ESC_ITEM_EXCEPTION, 0);
    ck_assert_int_eq(esc_item_status_of(req), ESC_ITEM_APPROVED);
    ck_assert_str_eq(esc_item_decision(req), "Approved as a goodwill gesture.");
    ck_assert_str_eq(esc_item_decided_by(req), SPECIALIST.id);

    /* A second request, denied by a higher tier without a note. */
    esc_action second = typical_action(&f, ESC_ACTION_REQUEST_EXCEPTION, &SUPERVISOR);
    second.category = "free_upgrade";
    second.text = "Offer a free upgrade for the trouble.";
    second.tier = 4;
    test_must(f.db, f.esc, &second);
    decide = typical_action(&f, ESC_ACTION_DECIDE_EXCEPTION, &LEADER);
    decide.item = 2;
    decide.yes = 0;
    decide.text = NULL;
    assert_accepted(&f, &decide);
    const esc_item *denied = esc_escalation_item(f.esc, ESC_ITEM_EXCEPTION, 1);
    ck_assert_int_eq(esc_item_number(denied), 2);
    ck_assert_int_eq(esc_item_status_of(denied), ESC_ITEM_DENIED);
    ck_assert_str_eq(esc_item_decided_by(denied), LEADER.id);
    ck_assert_str_eq(esc_item_decision(denied), "");
    ck_assert_str_eq(esc_item_person_id(denied), SUPERVISOR.id);
    /* The first decision stands. */
    ck_assert_int_eq(esc_item_status_of(esc_escalation_item(f.esc, ESC_ITEM_EXCEPTION, 0)),
                     ESC_ITEM_APPROVED);

    /* Decided requests cannot be decided again. */
    decide.item = 1;
    decide.yes = 0;
    assert_refused(&f, &decide, ESC_EGUARD, ESC_GUARD_PENDING_EXCEPTION);

    /* Nothing pending: the resolution can be recorded. */
    must(&f, ESC_ACTION_ADD_STEP);
    must(&f, ESC_ACTION_PROMISE);
    must(&f, ESC_ACTION_TAKE_OWNERSHIP);
    must(&f, ESC_ACTION_RECORD_RESOLUTION);
    ck_assert_int_eq(esc_escalation_state(f.esc), ESC_STATE_FOLLOW_UP);

    /* The stored items say the same as the snapshot. */
    esc_escalation *stored = NULL;
    ck_assert_status(f.db, esc_escalation_get(&stored, f.db, esc_escalation_id(f.esc)), ESC_OK);
    ck_assert_int_eq(esc_item_status_of(esc_escalation_item(stored, ESC_ITEM_EXCEPTION, 0)),
                     ESC_ITEM_APPROVED);
    ck_assert_str_eq(esc_item_decided_by(esc_escalation_item(stored, ESC_ITEM_EXCEPTION, 1)),
                     LEADER.id);
    esc_escalation_free(stored);
    fixture_close(&f);
}
END_TEST

/* ---- options and watchers -------------------------------------------------- */

START_TEST(test_options_offered_and_chosen)
{
    fixture f;
    fixture_open(&f, 0);
    test_drive_to(f.db, f.esc, ESC_STATE_PLAN);
    static const char *const offers[] = { "Refund to the card", "Store credit", "Replacement" };
    for (int i = 0; i < 3; i++) {
        esc_action offer = typical_action(&f, ESC_ACTION_OFFER_OPTION, &AGENT);
        offer.text = offers[i];
        test_must(f.db, f.esc, &offer);
    }
    ck_assert_uint_eq(esc_escalation_item_count(f.esc, ESC_ITEM_OPTION), 3);
    for (size_t i = 0; i < 3; i++) {
        const esc_item *o = esc_escalation_item(f.esc, ESC_ITEM_OPTION, i);
        ck_assert_str_eq(esc_item_text(o), offers[i]);
        ck_assert_int_eq(esc_item_number(o), (int)i + 1);
        ck_assert_int_eq(esc_item_flag(o), 0);
    }
    ck_assert_ptr_null(esc_escalation_item(f.esc, ESC_ITEM_OPTION, 3));

    /* The customer's choice carries the flag, and it moves when they change
     * their mind (also after ownership was taken). */
    static const int choices[] = { 2, 3, 1 };
    for (size_t c = 0; c < sizeof choices / sizeof choices[0]; c++) {
        if (c == 2)
            test_drive_to(f.db, f.esc, ESC_STATE_OWN);
        esc_action choose = typical_action(&f, ESC_ACTION_CHOOSE_OPTION, &AGENT);
        choose.item = choices[c];
        assert_accepted(&f, &choose);
        for (size_t i = 0; i < 3; i++)
            ck_assert_int_eq(esc_item_flag(esc_escalation_item(f.esc, ESC_ITEM_OPTION, i)),
                             (int)i + 1 == choices[c]);
    }
    esc_action choose = typical_action(&f, ESC_ACTION_CHOOSE_OPTION, &AGENT);
    choose.item = 4;
    assert_refused(&f, &choose, ESC_EGUARD, ESC_GUARD_OPTION);
    ck_assert_int_eq(esc_item_flag(esc_escalation_item(f.esc, ESC_ITEM_OPTION, 0)), 1);
    fixture_close(&f);
}
END_TEST

START_TEST(test_watchers_via_loop_in)
{
    fixture f;
    fixture_open(&f, 0);
    /* Watchers are kept in the loop; their tier does not matter. */
    const esc_person legal = { "legal-9", "Pat Legal", 0 };
    esc_action loop = typical_action(&f, ESC_ACTION_LOOP_IN, &AGENT);
    loop.person = legal;
    loop.category = "legal";
    assert_accepted(&f, &loop);
    test_drive_to(f.db, f.esc, ESC_STATE_OWN);
    loop = typical_action(&f, ESC_ACTION_LOOP_IN, &SUPERVISOR);
    loop.person = LEADER;
    loop.category = "account manager";
    assert_accepted(&f, &loop);

    ck_assert_uint_eq(esc_escalation_item_count(f.esc, ESC_ITEM_WATCHER), 2);
    const esc_item *w = esc_escalation_item(f.esc, ESC_ITEM_WATCHER, 0);
    ck_assert_int_eq(esc_item_get_kind(w), ESC_ITEM_WATCHER);
    ck_assert_str_eq(esc_item_person_id(w), legal.id);
    ck_assert_str_eq(esc_item_person_name(w), legal.name);
    ck_assert_str_eq(esc_item_category(w), "legal");
    w = esc_escalation_item(f.esc, ESC_ITEM_WATCHER, 1);
    ck_assert_int_eq(esc_item_number(w), 2);
    ck_assert_str_eq(esc_item_person_id(w), LEADER.id);
    ck_assert_str_eq(esc_item_category(w), "account manager");

    /* A watcher needs a person and a role. */
    loop = typical_action(&f, ESC_ACTION_LOOP_IN, &AGENT);
    loop.category = NULL;
    snapshot before = take_snapshot(&f);
    ck_assert_status(f.db, esc_apply(f.db, f.esc, &loop), ESC_EINVAL);
    ck_assert_int_eq(esc_db_last_guard(f.db), ESC_GUARD_NONE);
    loop.category = "legal";
    loop.person.id = NULL;
    ck_assert_status(f.db, esc_apply(f.db, f.esc, &loop), ESC_EINVAL);
    assert_unchanged(&f, &before);

    esc_verify_report *report = NULL;
    ck_assert_status(f.db, esc_db_verify(&report, f.db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    esc_verify_report_free(report);
    fixture_close(&f);
}
END_TEST

/* ---- holds ---------------------------------------------------------------- */

START_TEST(test_hold_and_resume)
{
    fixture f;
    fixture_open(&f, 0);
    test_drive_to(f.db, f.esc, ESC_STATE_OWN);
    f.clock.now += HOUR;
    esc_action h = typical_action(&f, ESC_ACTION_HOLD, &AGENT);
    h.hold = ESC_HOLD_THIRD_PARTY;
    h.text = "Waiting for the bank to trace the refund.";
    assert_accepted(&f, &h);
    ck_assert_int_eq(esc_escalation_hold(f.esc), ESC_HOLD_THIRD_PARTY);
    ck_assert_str_eq(esc_escalation_hold_reason(f.esc), h.text);
    ck_assert_int_eq(esc_escalation_hold_since(f.esc), f.clock.now);

    /* Held twice, even for another reason: refused, the first hold kept. */
    esc_action again = typical_action(&f, ESC_ACTION_HOLD, &AGENT);
    again.hold = ESC_HOLD_INTERNAL;
    assert_refused(&f, &again, ESC_EGUARD, ESC_GUARD_NOT_ON_HOLD);
    ck_assert_int_eq(esc_escalation_hold(f.esc), ESC_HOLD_THIRD_PARTY);

    /* A hold without a reason kind is not a hold. */
    again = typical_action(&f, ESC_ACTION_HOLD, &AGENT);
    again.hold = ESC_HOLD_NONE;
    ck_assert_status(f.db, esc_apply(f.db, f.esc, &again), ESC_EINVAL);

    f.clock.now += HOUR;
    esc_action resume = typical_action(&f, ESC_ACTION_RESUME, &AGENT);
    assert_accepted(&f, &resume);
    ck_assert_int_eq(esc_escalation_hold(f.esc), ESC_HOLD_NONE);
    ck_assert_str_eq(esc_escalation_hold_reason(f.esc), "");
    ck_assert_int_eq(esc_escalation_hold_since(f.esc), 0);
    assert_refused(&f, &resume, ESC_EGUARD, ESC_GUARD_ON_HOLD);
    fixture_close(&f);
}
END_TEST

/* Nobody waits on a resolved escalation: resolving clears the hold, and
 * neither hold nor resume is possible there. */
START_TEST(test_hold_cleared_on_resolve)
{
    fixture f;
    fixture_open(&f, 0);
    test_drive_to(f.db, f.esc, ESC_STATE_FOLLOW_UP);
    esc_action h = typical_action(&f, ESC_ACTION_HOLD, &AGENT);
    h.hold = ESC_HOLD_CUSTOMER;
    h.text = "Waiting for the customer to check their statement.";
    assert_accepted(&f, &h);
    ck_assert_int_eq(esc_escalation_hold(f.esc), ESC_HOLD_CUSTOMER);

    f.clock.now += DAY;
    must(&f, ESC_ACTION_CONFIRM_RESOLVED);
    ck_assert_int_eq(esc_escalation_state(f.esc), ESC_STATE_RESOLVED);
    ck_assert_int_eq(esc_escalation_hold(f.esc), ESC_HOLD_NONE);
    ck_assert_str_eq(esc_escalation_hold_reason(f.esc), "");
    ck_assert_int_eq(esc_escalation_hold_since(f.esc), 0);

    esc_escalation *stored = NULL;
    ck_assert_status(f.db, esc_escalation_get(&stored, f.db, esc_escalation_id(f.esc)), ESC_OK);
    ck_assert_int_eq(esc_escalation_hold(stored), ESC_HOLD_NONE);
    esc_escalation_free(stored);

    assert_allowed_says(&f, ESC_ACTION_HOLD, &AGENT, ESC_ETRANSITION, ESC_GUARD_STATE);
    assert_allowed_says(&f, ESC_ACTION_RESUME, &AGENT, ESC_ETRANSITION, ESC_GUARD_STATE);
    esc_action again = typical_action(&f, ESC_ACTION_HOLD, &AGENT);
    assert_refused(&f, &again, ESC_ETRANSITION, ESC_GUARD_STATE);

    /* Reopened, it may be held again; withdrawn while held, the hold goes. */
    must(&f, ESC_ACTION_REOPEN);
    hold(&f);
    must(&f, ESC_ACTION_WITHDRAW);
    ck_assert_int_eq(esc_escalation_state(f.esc), ESC_STATE_CLOSED);
    ck_assert_int_eq(esc_escalation_hold(f.esc), ESC_HOLD_NONE);

    esc_verify_report *report = NULL;
    ck_assert_status(f.db, esc_db_verify(&report, f.db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    esc_verify_report_free(report);
    fixture_close(&f);
}
END_TEST

/* ---- the suite ------------------------------------------------------------ */

static Suite *guards_suite(void)
{
    Suite *s = suite_create("guards");
    TCase *tc;

    tc = tcase_create("each_guard");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_guard_table_covers_every_guard);
    tcase_add_loop_test(tc, test_guard_case, 0, GUARD_CASE_COUNT);
    suite_add_tcase(s, tc);

    tc = tcase_create("follow_up_attempts");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_unconfirmed_after_attempts_used_up, 0,
                        (int)(sizeof attempt_configs / sizeof attempt_configs[0]));
    tcase_add_test(tc, test_attempts_restart_after_reopen);
    tcase_add_test(tc, test_negative_attempts_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("authority");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_move_down_needs_current_tier, 0, 4);
    tcase_add_test(tc, test_move_up_allowed_with_undecidable_request);
    tcase_add_test(tc, test_allowed_without_actor_skips_authority);
    tcase_add_test(tc, test_exception_flow);
    suite_add_tcase(s, tc);

    tc = tcase_create("items");
    tcase_add_test(tc, test_options_offered_and_chosen);
    tcase_add_test(tc, test_watchers_via_loop_in);
    suite_add_tcase(s, tc);

    tc = tcase_create("hold");
    tcase_add_test(tc, test_hold_and_resume);
    tcase_add_test(tc, test_hold_cleared_on_resolve);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return test_run(guards_suite());
}
