/*
 * lifecycle_table.c — THE transition table: for each action, the states it
 * may start from, the state it leads to (-1: unchanged, or decided by the
 * effect), the arguments it takes, the fields its event records, and the
 * guards it must pass, in the order they are checked.  README.md's
 * "Lifecycle" section is this table in words; keep the two in step.
 */
#include "lifecycle.h"

#define S(state) ESC_STATE_BIT(ESC_STATE_##state)
#define G(guard) ESC_GUARD_##guard
#define A(arg) ESC_ARG_##arg
#define U(use) ESC_USE_##use

const esc_transition esc__transitions[ESC_ACTION_COUNT] = {
    /* Opening is done by esc_escalation_open(); no state allows it again. */
    [ESC_ACTION_OPEN] = { ESC_ACTION_OPEN, 0, ESC_STATE_LISTEN,
        0, U(OPEN),
        { G(NONE) } },
    [ESC_ACTION_NOTE] = { ESC_ACTION_NOTE, ESC_STATES_OPEN, -1,
        A(TEXT), U(TEXT) | U(CUSTOMER_ACCOUNT),
        { G(NONE) } },
    [ESC_ACTION_ACK_EMOTION] = { ESC_ACTION_ACK_EMOTION, ESC_STATES_OPEN, -1,
        A(TEXT_SHORT), U(TEXT),
        { G(NONE) } },
    /* Listen is done when the customer's own account is on record. */
    [ESC_ACTION_ADVANCE] = { ESC_ACTION_ADVANCE, S(LISTEN), ESC_STATE_CLARIFY,
        0, 0,
        { G(CUSTOMER_NOTE) } },
    /* Clarify is done when the customer confirms the statement; a correction
     * keeps it in clarify (the effect decides). */
    [ESC_ACTION_STATE_PROBLEM] = { ESC_ACTION_STATE_PROBLEM, S(CLARIFY), -1,
        A(TEXT), U(TEXT),
        { G(NONE) } },
    [ESC_ACTION_CONFIRM_PROBLEM] = { ESC_ACTION_CONFIRM_PROBLEM, S(CLARIFY), -1,
        A(CORRECTION), U(YES) | U(TEXT),
        { G(PROBLEM_STATEMENT) } },
    /* Next steps: concrete steps, options the customer chooses from, a time. */
    [ESC_ACTION_ADD_STEP] = { ESC_ACTION_ADD_STEP, S(PLAN) | S(OWN), -1,
        A(TEXT) | A(TIME_OPTIONAL), U(TEXT) | U(AT),
        { G(NONE) } },
    [ESC_ACTION_OFFER_OPTION] = { ESC_ACTION_OFFER_OPTION, S(PLAN) | S(OWN), -1,
        A(TEXT), U(TEXT),
        { G(NONE) } },
    [ESC_ACTION_CHOOSE_OPTION] = { ESC_ACTION_CHOOSE_OPTION, S(PLAN) | S(OWN), -1,
        0, U(ITEM),
        { G(OPTION) } },
    [ESC_ACTION_PROMISE] = { ESC_ACTION_PROMISE, S(PLAN) | S(OWN), -1,
        0, U(AT),
        { G(FUTURE_TIME) } },
    /* Own: one named person, once the plan has a step and a promised time. */
    [ESC_ACTION_TAKE_OWNERSHIP] = { ESC_ACTION_TAKE_OWNERSHIP, S(PLAN), ESC_STATE_OWN,
        A(PERSON_OPTIONAL), U(PERSON),
        { G(PLAN_STEP), G(PROMISED_TIME), G(OWNER) } },
    [ESC_ACTION_LOOP_IN] = { ESC_ACTION_LOOP_IN, ESC_STATES_OPEN, -1,
        A(PERSON) | A(CATEGORY), U(PERSON) | U(CATEGORY),
        { G(NONE) } },
    [ESC_ACTION_SEND_UPDATE] = { ESC_ACTION_SEND_UPDATE, S(PLAN) | S(OWN) | S(FOLLOW_UP), -1,
        A(TEXT), U(TEXT),
        { G(NONE) } },
    /* Authority: asked for by anyone, decided by a high enough tier. */
    [ESC_ACTION_REQUEST_EXCEPTION] = { ESC_ACTION_REQUEST_EXCEPTION, S(PLAN) | S(OWN), -1,
        A(CATEGORY) | A(TEXT) | A(TIER), U(CATEGORY) | U(TEXT) | U(TIER),
        { G(NONE) } },
    [ESC_ACTION_DECIDE_EXCEPTION] = { ESC_ACTION_DECIDE_EXCEPTION, S(PLAN) | S(OWN), -1,
        A(TEXT_OPTIONAL), U(ITEM) | U(YES) | U(TEXT),
        { G(PENDING_EXCEPTION), G(AUTHORITY) } },
    /* Own is done when a resolution is recorded, no request left pending. */
    [ESC_ACTION_RECORD_RESOLUTION] = { ESC_ACTION_RECORD_RESOLUTION, S(OWN), ESC_STATE_FOLLOW_UP,
        A(TEXT), U(TEXT),
        { G(NO_PENDING_EXCEPTION) } },
    /* Follow up: promised callbacks, then the customer's confirmation. */
    [ESC_ACTION_SCHEDULE_FOLLOW_UP] = { ESC_ACTION_SCHEDULE_FOLLOW_UP, S(OWN) | S(FOLLOW_UP), -1,
        A(TEXT_OPTIONAL), U(AT) | U(TEXT),
        { G(FUTURE_TIME) } },
    [ESC_ACTION_COMPLETE_FOLLOW_UP] = { ESC_ACTION_COMPLETE_FOLLOW_UP, S(OWN) | S(FOLLOW_UP), -1,
        A(TEXT), U(ITEM) | U(YES) | U(TEXT),
        { G(PENDING_FOLLOW_UP) } },
    /* Without the customer's confirmation, a supervisor decides. */
    [ESC_ACTION_CONFIRM_RESOLVED] = { ESC_ACTION_CONFIRM_RESOLVED, S(FOLLOW_UP), ESC_STATE_RESOLVED,
        0, U(YES),
        { G(CUSTOMER_CONFIRMED), G(AUTHORITY) } },
    /* An unsatisfied customer sends it back to clarify. */
    [ESC_ACTION_REOPEN] = { ESC_ACTION_REOPEN, S(FOLLOW_UP) | S(RESOLVED), ESC_STATE_CLARIFY,
        A(TEXT), U(TEXT),
        { G(NONE) } },
    /* Closing is where the team learns: a root cause is required. */
    [ESC_ACTION_CLOSE] = { ESC_ACTION_CLOSE, S(RESOLVED), ESC_STATE_CLOSED,
        A(TEXT_OPTIONAL) | A(CATEGORY_OPTIONAL) | A(CLOSING), U(CATEGORY) | U(TEXT) | U(CLOSING),
        { G(ROOT_CAUSE) } },
    [ESC_ACTION_WITHDRAW] = { ESC_ACTION_WITHDRAW, ESC_STATES_OPEN, ESC_STATE_CLOSED,
        A(TEXT), U(TEXT),
        { G(NONE) } },
    /* Tiers: a complete handover brief; going down needs the current tier's
     * authority; the new handler starts by listening. */
    [ESC_ACTION_MOVE_TIER] = { ESC_ACTION_MOVE_TIER, ESC_STATES_OPEN, ESC_STATE_LISTEN,
        A(BRIEF) | A(PERSON_OPTIONAL), U(TIER) | U(BRIEF) | U(PERSON),
        { G(OTHER_TIER), G(HANDOVER_BRIEF), G(AUTHORITY) } },
    /* Waiting on the customer, a third party or another team. */
    [ESC_ACTION_HOLD] = { ESC_ACTION_HOLD, ESC_STATES_WORKING, -1,
        A(HOLD) | A(TEXT), U(HOLD) | U(TEXT),
        { G(NOT_ON_HOLD) } },
    [ESC_ACTION_RESUME] = { ESC_ACTION_RESUME, ESC_STATES_WORKING, -1,
        0, 0,
        { G(ON_HOLD) } },
    [ESC_ACTION_REASSESS] = { ESC_ACTION_REASSESS, ESC_STATES_OPEN, -1,
        A(ASSESSMENT), U(ASSESSMENT),
        { G(NONE) } },
    [ESC_ACTION_TAG] = { ESC_ACTION_TAG, ESC_STATES_OPEN, -1,
        A(TEXT_SHORT), U(TEXT),
        { G(NONE) } },
    /* Recorded by the sweep only (esc_apply() refuses it): a warning,
     * breach, rule, promise or follow-up fired.  Its effects on tier,
     * watchers and priority are separate events that follow it. */
    [ESC_ACTION_TIMER_FIRED] = { ESC_ACTION_TIMER_FIRED, ESC_STATES_OPEN, -1,
        0, U(TIMER) | U(ITEM),
        { G(NONE) } },
};
