/*
 * test_sla.c — SLA policies and clocks evaluated from real escalation
 * histories (driven through the public API with the test clock), with
 * hand-computed deadlines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* 2026-01-09 15:30 UTC = Friday 16:30 in Berlin (CET, UTC+1). */
#define FRI_1630_BERLIN (T0 + 4 * DAY + 6 * HOUR + 30 * MINUTE)
#define BERLIN "tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-01-12"
#define UTC9TO5 "tz=UTC; mon-fri 09:00-17:00"

typedef struct fixture {
    test_clock clock;
    esc_db *db;
    esc_escalation *esc;
    esc_sla_policy *pol;
    esc_sla_clocks *clocks;
} fixture;

/* Open an escalation of the given priority at `at`. */
static void fx_open(fixture *f, int priority, int64_t at)
{
    f->clock.now = at;
    f->db = test_open_fresh(&f->clock);
    int impact = 0, urgency = 0;
    for (int i = 1; i <= 4 && !impact; i++)
        for (int u = 1; u <= 4 && !impact; u++)
            if (esc_priority_compute(f->db, i, u, 0, 0) == priority) {
                impact = i;
                urgency = u;
            }
    ck_assert_msg(impact != 0, "no impact/urgency gives priority %d", priority);
    esc_open_params params = ESC_OPEN_PARAMS_INIT;
    params.actor = AGENT;
    params.summary = "The refund never came.";
    params.customer_id = "cust-1";
    params.impact = impact;
    params.urgency = urgency;
    ck_assert_status(f->db, esc_escalation_open(&f->esc, f->db, &params), ESC_OK);
    ck_assert_int_eq(esc_escalation_priority(f->esc), priority);
}

static void fx_policy(fixture *f, const char *spec)
{
    char msg[ESC_SLA_ERRMSG_MAX];
    int rc = esc_sla_policy_parse(&f->pol, spec, msg, sizeof msg);
    ck_assert_msg(rc == ESC_OK, "parse %s: %s %s", spec, esc_status_name(rc), msg);
}

static void fx_act(fixture *f, int64_t at, esc_action_kind kind)
{
    f->clock.now = at;
    int rc = test_act(f->db, f->esc, kind, &SUPERVISOR);
    ck_assert_msg(rc == ESC_OK, "%s: %s %s", esc_action_name(kind), esc_status_name(rc),
                  esc_db_errmsg(f->db));
}

static void fx_hold(fixture *f, int64_t at, esc_hold kind)
{
    esc_action a;
    esc_action_init(&a, ESC_ACTION_VERSION, ESC_ACTION_HOLD);
    a.actor = SUPERVISOR;
    a.hold = kind;
    a.text = "waiting";
    f->clock.now = at;
    test_must(f->db, f->esc, &a);
}

static void fx_reassess(fixture *f, int64_t at, int priority)
{
    esc_action a;
    esc_action_init(&a, ESC_ACTION_VERSION, ESC_ACTION_REASSESS);
    a.actor = SUPERVISOR;
    for (int i = 1; i <= 4 && !a.impact; i++)
        for (int u = 1; u <= 4 && !a.impact; u++)
            if (esc_priority_compute(f->db, i, u, 0, 0) == priority) {
                a.impact = i;
                a.urgency = u;
            }
    f->clock.now = at;
    test_must(f->db, f->esc, &a);
    ck_assert_int_eq(esc_escalation_priority(f->esc), priority);
}

/* Evaluate at now (the previous result is freed). */
static esc_sla_clocks *fx_eval(fixture *f, int64_t now)
{
    esc_event_list *events = NULL;
    ck_assert_status(f->db, esc_history(&events, f->db, esc_escalation_id(f->esc)), ESC_OK);
    esc_sla_clocks_free(f->clocks);
    f->clocks = NULL;
    int rc = esc_sla_evaluate(&f->clocks, f->pol, events, now);
    esc_event_list_free(events);
    ck_assert_msg(rc == ESC_OK, "evaluate: %s", esc_status_name(rc));
    return f->clocks;
}

static void fx_done(fixture *f)
{
    esc_sla_clocks_free(f->clocks);
    esc_sla_policy_free(f->pol);
    esc_escalation_free(f->esc);
    esc_db_close(f->db);
}

#define RES ESC_SLA_RESOLUTION
#define FIRST ESC_SLA_FIRST_RESPONSE
#define UPD ESC_SLA_UPDATE

/* The acceptance scenario: P2 opened Friday 16:30 Berlin, 8 business hours,
 * Monday a holiday: Fri 16:30-17:00 (30 min), Tue 09:00-16:30 (7 h 30):
 * Tuesday 2026-01-13 16:30 CET = 15:30 UTC. */
START_TEST(berlin_friday_holiday)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 2, FRI_1630_BERLIN);
    fx_policy(&f, "calendar=[" BERLIN "]; p2 resolution=8h; warn=75,90");
    const int64_t deadline = T0 + 8 * DAY + 6 * HOUR + 30 * MINUTE;  /* T0 is 09:00 UTC */
    esc_sla_clocks *c = fx_eval(&f, FRI_1630_BERLIN + MINUTE);
    ck_assert_int_eq(esc_sla_clocks_state(c, RES), ESC_SLA_RUNNING);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), deadline);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), MINUTE);
    ck_assert_int_eq(esc_sla_clocks_margin_ms(c, RES), 8 * HOUR - MINUTE);
    ck_assert_int_eq(esc_sla_clocks_breached(c, RES), 0);
    /* No first-response or update target at P2. */
    ck_assert_int_eq(esc_sla_clocks_state(c, FIRST), ESC_SLA_NONE);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, FIRST), 0);
    /* 75% = 6 h: 30 min Friday + 5 h 30 Tuesday = Tue 14:30 CET = 13:30 UTC;
     * 90% = 7 h 12: Tue 15:42 CET = 14:42 UTC. */
    int pct = 0;
    ck_assert_int_eq(esc_sla_clocks_next_warning(c, RES, &pct), T0 + 8 * DAY + 4 * HOUR + 30 * MINUTE);
    ck_assert_int_eq(pct, 75);
    ck_assert_int_eq(esc_sla_clocks_warning_at(c, RES, 1), T0 + 8 * DAY + 5 * HOUR + 42 * MINUTE);
    /* Monday (the holiday) counts nothing. */
    c = fx_eval(&f, T0 + 7 * DAY + 12 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), 30 * MINUTE);
    /* Breached exactly at the deadline, not a millisecond before. */
    c = fx_eval(&f, deadline - 1);
    ck_assert_int_eq(esc_sla_clocks_breached(c, RES), 0);
    pct = 0;
    ck_assert_int_eq(esc_sla_clocks_next_warning(c, RES, &pct), 0);
    c = fx_eval(&f, deadline);
    ck_assert_int_eq(esc_sla_clocks_breached(c, RES), 1);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), 8 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_margin_ms(c, RES), 0);
    c = fx_eval(&f, deadline + HOUR);
    ck_assert_int_eq(esc_sla_clocks_breached(c, RES), 1);
    ck_assert_int_eq(esc_sla_clocks_margin_ms(c, RES), -30 * MINUTE);  /* 17:00 closing */
    fx_done(&f);
}
END_TEST

START_TEST(wall_time)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 2, FRI_1630_BERLIN);
    fx_policy(&f, "p2 resolution=8h");
    ck_assert_ptr_null(esc_sla_policy_calendar(f.pol));
    esc_sla_clocks *c = fx_eval(&f, FRI_1630_BERLIN + HOUR);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), FRI_1630_BERLIN + 8 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), HOUR);
    c = fx_eval(&f, FRI_1630_BERLIN + 8 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_breached(c, RES), 1);
    fx_done(&f);
}
END_TEST

/* UTC 09-17 calendar, opened Monday 09:00 (T0), 4 h target: 13:00 without
 * pauses.  Waiting on the customer 10:00-12:00 pushes it to 15:00. */
START_TEST(customer_pause_pushes_deadline)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 2, T0);
    fx_policy(&f, "calendar=[" UTC9TO5 "]; p2 resolution=4h");
    esc_sla_clocks *c = fx_eval(&f, T0);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), T0 + 4 * HOUR);
    fx_hold(&f, T0 + HOUR, ESC_HOLD_CUSTOMER);
    c = fx_eval(&f, T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_state(c, RES), ESC_SLA_PAUSED);
    ck_assert_int_eq(esc_sla_clocks_paused(c, RES), 1);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), 0);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), HOUR);
    ck_assert_int_eq(esc_sla_clocks_next_warning(c, RES, NULL), 0);
    fx_act(&f, T0 + 3 * HOUR, ESC_ACTION_RESUME);
    c = fx_eval(&f, T0 + 3 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_state(c, RES), ESC_SLA_RUNNING);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), T0 + 6 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), HOUR);
    fx_done(&f);
}
END_TEST

/* A pause over the night: only the business time paused pushes. 8 h target
 * opened Mon 09:00; hold Mon 16:00 (7 h counted) to Tue 10:00 (2 business
 * hours paused); the last hour runs Tue 10:00-11:00. */
START_TEST(pause_over_night)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 2, T0);
    fx_policy(&f, "calendar=[" UTC9TO5 "]; p2 resolution=8h");
    fx_hold(&f, T0 + 7 * HOUR, ESC_HOLD_THIRD_PARTY);
    fx_act(&f, T0 + DAY + HOUR, ESC_ACTION_RESUME);
    esc_sla_clocks *c = fx_eval(&f, T0 + DAY + HOUR);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), T0 + DAY + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), 7 * HOUR);
    fx_done(&f);
}
END_TEST

START_TEST(internal_hold_does_not_pause)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 2, T0);
    fx_policy(&f, "calendar=[" UTC9TO5 "]; p2 resolution=4h");
    fx_hold(&f, T0 + HOUR, ESC_HOLD_INTERNAL);
    esc_sla_clocks *c = fx_eval(&f, T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_state(c, RES), ESC_SLA_RUNNING);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), T0 + 4 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), 2 * HOUR);
    fx_act(&f, T0 + 3 * HOUR, ESC_ACTION_RESUME);
    /* ... unless the policy says so. */
    esc_sla_policy_set_pause(f.pol, ESC_HOLD_INTERNAL, 1);
    c = fx_eval(&f, T0 + 3 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), T0 + 6 * HOUR);
    fx_done(&f);
}
END_TEST

/* P3 with 4 h, P1 with 2 h (wall time).  Opened T0, customer hold
 * T0+30m..T0+1h30 (1 h paused), reassessed to P1 at T0+2h: counted so far
 * 1 h (30 min before the hold, 30 min after); the 2 h target is reached at T0+3h (the pause still counts out). */
START_TEST(reassess_retargets_keeping_pauses)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 3, T0);
    fx_policy(&f, "p1 resolution=2h; p3 resolution=4h");
    fx_hold(&f, T0 + 30 * MINUTE, ESC_HOLD_CUSTOMER);
    fx_act(&f, T0 + 90 * MINUTE, ESC_ACTION_RESUME);
    esc_sla_clocks *c = fx_eval(&f, T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), T0 + 5 * HOUR);
    fx_reassess(&f, T0 + 2 * HOUR, 1);
    c = fx_eval(&f, T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_priority(c), 1);
    ck_assert_int_eq(esc_sla_clocks_target_ms(c, RES), 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), HOUR);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), T0 + 3 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_breached(c, RES), 0);
    /* To a priority whose target already passed: the deadline lies in the
     * past, inside the history (1 h counted: T0+30m then 30 min after the
     * resume = T0+2h). */
    esc_sla_policy_set_target(f.pol, 1, RES, HOUR);
    c = fx_eval(&f, T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_breached(c, RES), 1);
    /* A priority without a target: the clock does not apply. */
    fx_reassess(&f, T0 + 2 * HOUR, 4);
    c = fx_eval(&f, T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_applies(c, RES), 0);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), 0);
    fx_done(&f);
}
END_TEST

/* first_response=1h, update=2h (wall): a first update at T0+30m meets the
 * first response with 30 min to spare and starts the update clock; each
 * update restarts it. */
START_TEST(first_response_and_update_clock)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 2, T0);
    fx_policy(&f, "p2 first_response=1h update=2h resolution=8h; warn=50");
    test_drive_to(f.db, f.esc, ESC_STATE_PLAN);  /* all at T0 */
    esc_sla_clocks *c = fx_eval(&f, T0 + 10 * MINUTE);
    ck_assert_int_eq(esc_sla_clocks_state(c, FIRST), ESC_SLA_RUNNING);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, FIRST), T0 + HOUR);
    ck_assert_int_eq(esc_sla_clocks_state(c, UPD), ESC_SLA_NONE);
    fx_act(&f, T0 + 30 * MINUTE, ESC_ACTION_SEND_UPDATE);
    c = fx_eval(&f, T0 + HOUR);
    ck_assert_int_eq(esc_sla_clocks_state(c, FIRST), ESC_SLA_MET);
    ck_assert_int_eq(esc_sla_clocks_met(c, FIRST), 1);
    ck_assert_int_eq(esc_sla_clocks_met_at(c, FIRST), T0 + 30 * MINUTE);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, FIRST), 30 * MINUTE);
    ck_assert_int_eq(esc_sla_clocks_margin_ms(c, FIRST), 30 * MINUTE);
    ck_assert_int_eq(esc_sla_clocks_breached(c, FIRST), 0);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, FIRST), 0);
    ck_assert_int_eq(esc_sla_clocks_state(c, UPD), ESC_SLA_RUNNING);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, UPD), T0 + 150 * MINUTE);
    ck_assert_int_eq(esc_sla_clocks_met(c, UPD), 0);
    ck_assert_int_eq(esc_sla_clocks_next_warning(c, UPD, NULL), T0 + 90 * MINUTE);
    fx_act(&f, T0 + 2 * HOUR, ESC_ACTION_SEND_UPDATE);
    c = fx_eval(&f, T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, UPD), T0 + 4 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, UPD), 0);
    ck_assert_int_eq(esc_sla_clocks_met(c, UPD), 1);
    ck_assert_int_eq(esc_sla_clocks_met_at(c, UPD), T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_margin_ms(c, UPD), 30 * MINUTE);
    /* Late update: breached at its deadline. */
    c = fx_eval(&f, T0 + 4 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_breached(c, UPD), 1);
    fx_done(&f);
}
END_TEST

START_TEST(first_response_met_late)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 2, T0);
    fx_policy(&f, "p2 first_response=1h");
    test_drive_to(f.db, f.esc, ESC_STATE_PLAN);
    fx_act(&f, T0 + 90 * MINUTE, ESC_ACTION_SEND_UPDATE);
    esc_sla_clocks *c = fx_eval(&f, T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_met(c, FIRST), 1);
    ck_assert_int_eq(esc_sla_clocks_margin_ms(c, FIRST), -30 * MINUTE);
    ck_assert_int_eq(esc_sla_clocks_breached(c, FIRST), 1);
    fx_done(&f);
}
END_TEST

/* A first response given while the priority had no such target, then a
 * reassessment to a priority that has one: met, never late. */
START_TEST(met_without_target_is_not_breached)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 3, T0);
    fx_policy(&f, "p2 first_response=1h; p3 resolution=8h");
    test_drive_to(f.db, f.esc, ESC_STATE_PLAN);
    fx_act(&f, T0 + 10 * MINUTE, ESC_ACTION_SEND_UPDATE);
    fx_reassess(&f, T0 + 20 * MINUTE, 2);
    esc_sla_clocks *c = fx_eval(&f, T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_met(c, FIRST), 1);
    ck_assert_int_eq(esc_sla_clocks_breached(c, FIRST), 0);
    ck_assert_int_ge(esc_sla_clocks_margin_ms(c, FIRST), 0);
    fx_done(&f);
}
END_TEST

/* Wall time is bounded like business time: no int64 overflow near the
 * ends of the range, a clear ESC_EINVAL instead. */
START_TEST(wall_time_out_of_range)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 2, T0);
    fx_policy(&f, "p2 resolution=8h");
    esc_event_list *events = NULL;
    ck_assert_status(f.db, esc_history(&events, f.db, esc_escalation_id(f.esc)), ESC_OK);
    ck_assert_int_eq(esc_sla_evaluate(&f.clocks, f.pol, events, INT64_MAX), ESC_EINVAL);
    ck_assert_ptr_null(f.clocks);
    ck_assert_int_eq(esc_sla_evaluate(&f.clocks, f.pol, events, ESC_CALENDAR_TIME_MAX + 1),
                     ESC_EINVAL);
    esc_event_list_free(events);
    fx_done(&f);
}
END_TEST

/* Resolution recorded at T0+1h (4 h target: met, margin 3 h), reopened at
 * T0+2h: runs again with its hour kept, deadline T0+2h+3h. */
START_TEST(reopen_keeps_resolution_elapsed)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 2, T0);
    fx_policy(&f, "p2 update=2h resolution=4h");
    test_drive_to(f.db, f.esc, ESC_STATE_OWN);
    fx_act(&f, T0 + 30 * MINUTE, ESC_ACTION_SEND_UPDATE);
    fx_act(&f, T0 + HOUR, ESC_ACTION_RECORD_RESOLUTION);
    esc_sla_clocks *c = fx_eval(&f, T0 + 90 * MINUTE);
    ck_assert_int_eq(esc_sla_clocks_state(c, RES), ESC_SLA_MET);
    ck_assert_int_eq(esc_sla_clocks_met_at(c, RES), T0 + HOUR);
    ck_assert_int_eq(esc_sla_clocks_margin_ms(c, RES), 3 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_state(c, UPD), ESC_SLA_STOPPED);
    fx_act(&f, T0 + 2 * HOUR, ESC_ACTION_REOPEN);
    c = fx_eval(&f, T0 + 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_state(c, RES), ESC_SLA_RUNNING);
    ck_assert_int_eq(esc_sla_clocks_met(c, RES), 0);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), HOUR);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), T0 + 5 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_state(c, UPD), ESC_SLA_RUNNING);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, UPD), T0 + 4 * HOUR);
    fx_done(&f);
}
END_TEST

START_TEST(withdraw_stops_everything)
{
    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 2, T0);
    fx_policy(&f, "p2 first_response=1h resolution=4h");
    fx_act(&f, T0 + 2 * HOUR, ESC_ACTION_WITHDRAW);
    esc_sla_clocks *c = fx_eval(&f, T0 + 10 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_state(c, FIRST), ESC_SLA_STOPPED);
    ck_assert_int_eq(esc_sla_clocks_breached(c, FIRST), 1);
    ck_assert_int_eq(esc_sla_clocks_state(c, RES), ESC_SLA_STOPPED);
    ck_assert_int_eq(esc_sla_clocks_breached(c, RES), 0);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(c, RES), 2 * HOUR);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), 0);
    fx_done(&f);
}
END_TEST

/* Warnings fall in business hours, whatever hour the clock started at. */
START_TEST(warnings_in_business_hours)
{
    static const char *const cals[] = { UTC9TO5, BERLIN,
        "tz=America/New_York; mon-fri 08:00-12:00,13:00-18:00" };
    for (size_t k = 0; k < 3; k++) {
        for (int h = 0; h < 24; h += 1) {
            fixture f = { { 0 }, NULL, NULL, NULL, NULL };
            fx_open(&f, 2, T0 + 4 * DAY + h * HOUR + 7 * MINUTE);
            char spec[256];
            snprintf(spec, sizeof spec, "calendar=[%s]; p2 resolution=8h; warn=75,90", cals[k]);
            fx_policy(&f, spec);
            esc_sla_clocks *c = fx_eval(&f, f.clock.now);
            const esc_calendar *cal = esc_sla_policy_calendar(f.pol);
            for (size_t i = 0; i < 2; i++) {
                int64_t at = esc_sla_clocks_warning_at(c, RES, i);
                int business = 0;
                ck_assert_int_ne(at, 0);
                ck_assert_int_eq(esc_calendar_is_business(&business, cal, at), ESC_OK);
                ck_assert_msg(business, "warning %zu at %lld outside business hours (%s, %d h)",
                              i, (long long)at, cals[k], h);
            }
            int business = 0;
            esc_calendar_is_business(&business, cal, esc_sla_clocks_deadline(c, RES));
            ck_assert(business);
            fx_done(&f);
        }
    }
}
END_TEST

START_TEST(spec_round_trip)
{
    static const char *const specs[] = {
        "calendar=[tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-01-12]; "
        "p1 first_response=30m update=2h resolution=8h; p2 resolution=8h; warn=75,90; "
        "pause=customer,third_party",
        "calendar=wall; p5 resolution=1h30m15s250ms; pause=none",
        "calendar=wall; p3 update=45s; warn=1,50,99; pause=internal",
    };
    for (size_t i = 0; i < 3; i++) {
        esc_sla_policy *pol = NULL, *again = NULL;
        char *text = NULL, *text2 = NULL;
        char msg[ESC_SLA_ERRMSG_MAX];
        ck_assert_msg(esc_sla_policy_parse(&pol, specs[i], msg, sizeof msg) == ESC_OK, "%s", msg);
        ck_assert_int_eq(esc_sla_policy_format(&text, pol), ESC_OK);
        ck_assert_str_eq(text, specs[i]);
        ck_assert_int_eq(esc_sla_policy_parse(&again, text, msg, sizeof msg), ESC_OK);
        ck_assert_int_eq(esc_sla_policy_format(&text2, again), ESC_OK);
        ck_assert_str_eq(text, text2);
        esc_sla_spec_free(text);
        esc_sla_spec_free(text2);
        esc_sla_policy_free(pol);
        esc_sla_policy_free(again);
    }
    /* Free-form input gives the canonical text. */
    esc_sla_policy *pol = NULL;
    char *text = NULL;
    ck_assert_int_eq(esc_sla_policy_parse(&pol, " P2 RESOLUTION = 480m ;; Warn=90 ;", NULL, 0),
                     ESC_OK);
    int64_t ms = 0;
    ck_assert_int_eq(esc_sla_policy_target(&ms, pol, 2, RES), ESC_OK);
    ck_assert_int_eq(ms, 8 * HOUR);
    ck_assert_int_eq(esc_sla_policy_pauses(pol, ESC_HOLD_CUSTOMER), 1);
    ck_assert_int_eq(esc_sla_policy_pauses(pol, ESC_HOLD_INTERNAL), 0);
    ck_assert_int_eq(esc_sla_policy_format(&text, pol), ESC_OK);
    ck_assert_str_eq(text, "calendar=wall; p2 resolution=8h; warn=90; pause=customer,third_party");
    esc_sla_spec_free(text);
    esc_sla_policy_free(pol);
}
END_TEST

START_TEST(bad_specs)
{
    static const char *const bad[] = {
        "p6 resolution=1h", "p0 resolution=1h", "p2 resolution", "p2 resolution=8",
        "p2 resolution=8x", "p2 resolution=30m1h", "p2 resolution=1h1h", "p2 sooner=1h",
        "p2 resolution=1h resolution=2h", "p2 resolution=1h; p2 resolution=2h",
        "p2 resolution=99999999999999999999h", "p2 resolution=87841h", "warn=90,75",
        "warn=0", "warn=100", "warn=75,75", "warn=", "pause=lunch", "pause=customer,customer",
        "calendar=[tz=Nowhere/Atlantis]", "calendar=[tz=UTC]", "calendar=[tz=UTC; mon 9-5]",
        "calendar=[tz=UTC; mon 09:00-17:00", "calendar=tz=UTC; mon 09:00-17:00",
        "calendar=wall; calendar=wall", "]", "[", "frobnicate", "p2",
        "calendar=[tz=UTC; mon 09:00-17:00] extra", "\xff",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        esc_sla_policy *pol = (esc_sla_policy *)&pol;
        char msg[ESC_SLA_ERRMSG_MAX] = "";
        int rc = esc_sla_policy_parse(&pol, bad[i], msg, sizeof msg);
        ck_assert_msg(rc == ESC_EINVAL || rc == ESC_ENOTFOUND, "%s: %s", bad[i],
                      esc_status_name(rc));
        ck_assert_ptr_null(pol);
        ck_assert_msg(msg[0] != '\0', "no message for %s", bad[i]);
    }
    char small[8];
    esc_sla_policy *pol = NULL;
    ck_assert_int_eq(esc_sla_policy_parse(&pol, "warn=0", small, sizeof small), ESC_EINVAL);
    ck_assert_int_eq(strlen(small), 7);
    ck_assert_int_eq(esc_sla_policy_parse(NULL, "warn=50", NULL, 0), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_parse(&pol, NULL, NULL, 0), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_new(&pol, "tz=UTC", small, sizeof small), ESC_EINVAL);
    ck_assert_ptr_null(pol);
}
END_TEST

START_TEST(bad_arguments)
{
    esc_sla_policy *pol = NULL;
    ck_assert_int_eq(esc_sla_policy_new(NULL, NULL, NULL, 0), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_new(&pol, NULL, NULL, 0), ESC_OK);
    ck_assert_int_eq(esc_sla_policy_set_target(NULL, 1, RES, HOUR), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_target(pol, 0, RES, HOUR), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_target(pol, 6, RES, HOUR), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_target(pol, 1, (esc_sla_target)3, HOUR), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_target(pol, 1, (esc_sla_target)-1, HOUR), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_target(pol, 1, RES, -1), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_target(pol, 1, RES, ESC_SLA_DURATION_MAX + 1), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_target(pol, 1, RES, HOUR), ESC_OK);
    ck_assert_int_eq(esc_sla_policy_set_pause(pol, ESC_HOLD_NONE, 1), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_pause(pol, (esc_hold)4, 1), ESC_EINVAL);
    const int unordered[] = { 90, 75 }, zero[] = { 0 }, hundred[] = { 100 }, ok[] = { 75, 90 };
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, ok, 2), ESC_OK);
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, unordered, 2), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, zero, 1), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, hundred, 1), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, NULL, 1), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_warning_count(pol), 2);  /* unchanged */
    ck_assert_int_eq(esc_sla_policy_warning(pol, 1), 90);
    ck_assert_int_eq(esc_sla_policy_warning(pol, 2), 0);
    ck_assert_int_eq(esc_sla_policy_format(NULL, pol), ESC_EINVAL);

    fixture f = { { 0 }, NULL, NULL, NULL, NULL };
    fx_open(&f, 1, T0);
    f.pol = pol;
    esc_event_list *events = NULL;
    ck_assert_int_eq(esc_history(&events, f.db, esc_escalation_id(f.esc)), ESC_OK);
    esc_sla_clocks *c = NULL;
    ck_assert_int_eq(esc_sla_evaluate(NULL, pol, events, T0), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_evaluate(&c, NULL, events, T0), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_evaluate(&c, pol, NULL, T0), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_evaluate(&c, pol, events, T0 - 1), ESC_EINVAL);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(esc_sla_evaluate(&c, pol, events, T0), ESC_OK);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, RES), T0 + HOUR);
    ck_assert_int_eq(esc_sla_clocks_deadline(c, (esc_sla_target)7), 0);
    ck_assert_int_eq(esc_sla_clocks_state(NULL, RES), ESC_SLA_NONE);
    ck_assert_int_eq(esc_sla_clocks_next_warning(NULL, RES, NULL), 0);
    esc_sla_clocks_free(c);
    esc_event_list_free(events);
    fx_done(&f);
    esc_sla_policy_free(NULL);
    esc_sla_clocks_free(NULL);
}
END_TEST

static Suite *sla_suite(void)
{
    Suite *s = suite_create("sla");
    TCase *tc = tcase_create("clocks");
    tcase_add_test(tc, berlin_friday_holiday);
    tcase_add_test(tc, wall_time);
    tcase_add_test(tc, customer_pause_pushes_deadline);
    tcase_add_test(tc, pause_over_night);
    tcase_add_test(tc, internal_hold_does_not_pause);
    tcase_add_test(tc, reassess_retargets_keeping_pauses);
    tcase_add_test(tc, first_response_and_update_clock);
    tcase_add_test(tc, first_response_met_late);
    tcase_add_test(tc, met_without_target_is_not_breached);
    tcase_add_test(tc, wall_time_out_of_range);
    tcase_add_test(tc, reopen_keeps_resolution_elapsed);
    tcase_add_test(tc, withdraw_stops_everything);
    tcase_add_test(tc, warnings_in_business_hours);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("policy");
    tcase_add_test(tp, spec_round_trip);
    tcase_add_test(tp, bad_specs);
    tcase_add_test(tp, bad_arguments);
    suite_add_tcase(s, tp);
    return s;
}

int main(void)
{
    return test_run(sla_suite());
}
