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

/* Messages fit ESC_SLA_ERRMSG_MAX whatever the spec quotes. */
START_TEST(long_words_fit_the_message)
{
    /* A 300-byte word where an item name, a duration, a hold kind and a
     * target go. */
    static const char *const before[] = { "", "p1 resolution=1", "pause=", "p1 " };
    static const char *const after[] = { "", "", "", "=1h" };
    char word[301], spec[400], err[ESC_SLA_ERRMSG_MAX];
    memset(word, 'x', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++) {
        snprintf(spec, sizeof spec, "%s%s%s", before[i], word, after[i]);
        esc_sla_policy *pol = NULL;
        ck_assert_int_eq(esc_sla_policy_parse(&pol, spec, err, sizeof err), ESC_EINVAL);
        ck_assert_msg(strlen(err) < sizeof err - 1, "shape %zu: %zu bytes", i, strlen(err));
    }
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

/* ---- escalation rules -------------------------------------------------------------- */

static esc_sla_policy *wall_policy_warning(const int *percent, size_t count)
{
    esc_sla_policy *pol = NULL;
    ck_assert_int_eq(esc_sla_policy_new(&pol, NULL, NULL, 0), ESC_OK);
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, percent, count), ESC_OK);
    return pol;
}

static const int WARN_75_90[] = { 75, 90 };

static void assert_same_watcher(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        ck_assert_ptr_eq(a, b);
    else
        ck_assert_str_eq(a, b);
}

static void assert_same_rule(const esc_sla_rule *a, const esc_sla_rule *b)
{
    ck_assert_uint_eq(a->version, b->version);
    ck_assert_int_eq(a->target, b->target);
    ck_assert_int_eq(a->warning_percent, b->warning_percent);
    ck_assert_int_eq(a->tier, b->tier);
    ck_assert_int_eq(a->after_ms, b->after_ms);
    ck_assert_int_eq(a->repeat, b->repeat);
    ck_assert_int_eq(a->every_ms, b->every_ms);
    ck_assert_int_eq(a->move_up, b->move_up);
    ck_assert_int_eq(a->raise_priority, b->raise_priority);
    assert_same_watcher(a->watcher_id, b->watcher_id);
}

/* Same rules, in the same order. */
static void assert_same_rules(const esc_sla_policy *a, const esc_sla_policy *b)
{
    ck_assert_uint_eq(esc_sla_policy_rule_count(a), esc_sla_policy_rule_count(b));
    for (size_t i = 0; i < esc_sla_policy_rule_count(a); i++) {
        esc_sla_rule ra, rb;
        ck_assert_int_eq(esc_sla_policy_rule(&ra, a, i), ESC_OK);
        ck_assert_int_eq(esc_sla_policy_rule(&rb, b, i), ESC_OK);
        assert_same_rule(&ra, &rb);
    }
}

START_TEST(rule_add_and_get)
{
    esc_sla_rule rule;
    ck_assert_int_eq(esc_sla_rule_init(NULL, ESC_SLA_RULE_VERSION), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_rule_init(&rule, ESC_SLA_RULE_VERSION + 1), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_rule_init(&rule, ESC_SLA_RULE_VERSION), ESC_OK);
    const esc_sla_rule initial = ESC_SLA_RULE_INIT;
    assert_same_rule(&rule, &initial);
    ck_assert_int_eq(rule.target, RES);
    ck_assert_int_eq(rule.repeat, 1);

    esc_sla_policy *pol = wall_policy_warning(WARN_75_90, 2);
    ck_assert_uint_eq(esc_sla_policy_rule_count(pol), 0);
    /* Only notifying, at the resolution breach. */
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, &rule), ESC_OK);

    char watcher[16] = "lead-7";
    esc_sla_rule full = ESC_SLA_RULE_INIT;
    full.target = UPD;
    full.warning_percent = 90;
    full.tier = 2;
    full.after_ms = 30 * MINUTE;
    full.repeat = ESC_SLA_REPEAT_MAX;
    full.every_ms = HOUR;
    full.move_up = 1;
    full.raise_priority = 1;
    full.watcher_id = watcher;
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, &full), ESC_OK);

    esc_sla_rule empty_watcher = ESC_SLA_RULE_INIT;
    empty_watcher.target = FIRST;
    empty_watcher.watcher_id = "";
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, &empty_watcher), ESC_OK);
    ck_assert_uint_eq(esc_sla_policy_rule_count(pol), 3);

    /* The policy keeps its own copy of the watcher id. */
    strcpy(watcher, "someone-else");
    esc_sla_rule got;
    ck_assert_int_eq(esc_sla_policy_rule(&got, pol, 0), ESC_OK);
    assert_same_rule(&got, &initial);
    ck_assert_int_eq(esc_sla_policy_rule(&got, pol, 1), ESC_OK);
    full.watcher_id = "lead-7";
    assert_same_rule(&got, &full);
    ck_assert_ptr_ne(got.watcher_id, watcher);
    ck_assert_int_eq(esc_sla_policy_rule(&got, pol, 2), ESC_OK);
    ck_assert_ptr_null(got.watcher_id);  /* "" is none */
    ck_assert_int_eq(got.target, FIRST);

    /* Out of range and NULLs. */
    ck_assert_int_eq(esc_sla_policy_rule(&got, pol, 3), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_rule(NULL, pol, 0), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_rule(&got, NULL, 0), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_add_rule(NULL, &rule), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, NULL), ESC_EINVAL);
    ck_assert_uint_eq(esc_sla_policy_rule_count(NULL), 0);
    ck_assert_uint_eq(esc_sla_policy_rule_count(pol), 3);
    esc_sla_policy_free(pol);
}
END_TEST

/* The index-th bad variation of a valid rule (75 and 90 are the policy's
 * warnings); 0 when there are no more.  long_id: 202 bytes of room. */
static int bad_rule(size_t index, esc_sla_rule *r, char *long_id)
{
    esc_sla_rule_init(r, ESC_SLA_RULE_VERSION);
    r->watcher_id = "lead-7";
    switch (index) {
    case 0: r->version = 0; break;
    case 1: r->version = ESC_SLA_RULE_VERSION + 1; break;
    case 2: r->target = (esc_sla_target)-1; break;
    case 3: r->target = (esc_sla_target)ESC_SLA_TARGET_COUNT; break;
    case 4: r->warning_percent = -1; break;
    case 5: r->warning_percent = 100; break;
    case 6: r->warning_percent = 50; break;  /* not one of the policy's */
    case 7: r->tier = -1; break;
    case 8: r->tier = ESC_TIER_MAX + 1; break;
    case 9: r->after_ms = -1; break;
    case 10: r->after_ms = ESC_SLA_DURATION_MAX + 1; break;
    case 11: r->repeat = 0; break;
    case 12: r->repeat = ESC_SLA_REPEAT_MAX + 1; r->every_ms = HOUR; break;
    case 13: r->repeat = 2; break;  /* without every */
    case 14: r->repeat = 2; r->every_ms = -1; break;
    case 15: r->repeat = 2; r->every_ms = ESC_SLA_DURATION_MAX + 1; break;
    case 16: r->every_ms = HOUR; break;  /* every without repeat > 1 */
    case 17: r->move_up = 2; break;
    case 18: r->move_up = -1; break;
    case 19: r->raise_priority = 2; break;
    case 20: r->watcher_id = "lead 7"; break;
    case 21: r->watcher_id = "lead;7"; break;
    case 22: r->watcher_id = "lead[7"; break;
    case 23: r->watcher_id = "lead]7"; break;
    case 24: r->watcher_id = "lead=7"; break;
    case 25: r->watcher_id = "lead\t7"; break;
    case 26: r->watcher_id = "lead\x01"; break;
    case 27: r->watcher_id = "lead\x7f"; break;
    case 28: r->watcher_id = "lead\xff"; break;
    case 29: r->watcher_id = "\xc3"; break;  /* cut UTF-8 sequence */
    case 30:
        memset(long_id, 'x', 201);
        long_id[201] = '\0';
        r->watcher_id = long_id;
        break;
    case 31:
        r->tier = 1;
        r->target = (esc_sla_target)7;
        break;
    default:
        return 0;
    }
    return 1;
}

START_TEST(rule_bad_fields)
{
    esc_sla_policy *pol = wall_policy_warning(WARN_75_90, 2);
    esc_sla_rule good = ESC_SLA_RULE_INIT;
    good.warning_percent = 75;
    good.watcher_id = "lead-7";
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, &good), ESC_OK);
    char long_id[202];
    esc_sla_rule r;
    size_t tried = 0;
    for (size_t i = 0; bad_rule(i, &r, long_id); i++, tried++) {
        ck_assert_msg(esc_sla_policy_add_rule(pol, &r) == ESC_EINVAL, "bad rule %zu accepted", i);
        ck_assert_msg(esc_sla_policy_rule_count(pol) == 1, "bad rule %zu changed the policy", i);
    }
    ck_assert_uint_eq(tried, 32);
    esc_sla_rule kept;
    ck_assert_int_eq(esc_sla_policy_rule(&kept, pol, 0), ESC_OK);
    assert_same_rule(&kept, &good);

    /* The edges that are fine: 200 bytes, non-ASCII, the largest values. */
    memset(long_id, 'x', 200);
    long_id[200] = '\0';
    esc_sla_rule edge = ESC_SLA_RULE_INIT;
    edge.watcher_id = long_id;
    edge.tier = ESC_TIER_MAX;
    edge.after_ms = ESC_SLA_DURATION_MAX;
    edge.repeat = 2;
    edge.every_ms = ESC_SLA_DURATION_MAX;
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, &edge), ESC_OK);
    edge.watcher_id = "\xc5\x81ukasz@example.org";  /* "Łukasz@..." */
    edge.every_ms = 1;
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, &edge), ESC_OK);
    ck_assert_uint_eq(esc_sla_policy_rule_count(pol), 3);
    esc_sla_policy_free(pol);
}
END_TEST

START_TEST(rule_limit)
{
    esc_sla_policy *pol = wall_policy_warning(WARN_75_90, 2);
    esc_sla_rule r = ESC_SLA_RULE_INIT;
    char id[16];
    for (int i = 0; i < ESC_SLA_RULES_MAX; i++) {
        snprintf(id, sizeof id, "w%d", i);
        r.watcher_id = id;
        r.tier = i % ESC_TIER_MAX + 1;
        ck_assert_int_eq(esc_sla_policy_add_rule(pol, &r), ESC_OK);
    }
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, &r), ESC_EINVAL);
    ck_assert_uint_eq(esc_sla_policy_rule_count(pol), ESC_SLA_RULES_MAX);
    esc_sla_rule got;
    ck_assert_int_eq(esc_sla_policy_rule(&got, pol, ESC_SLA_RULES_MAX - 1), ESC_OK);
    ck_assert_str_eq(got.watcher_id, "w15");
    /* The text form holds them all, in order. */
    char *text = NULL;
    esc_sla_policy *again = NULL;
    char msg[ESC_SLA_ERRMSG_MAX];
    ck_assert_int_eq(esc_sla_policy_format(&text, pol), ESC_OK);
    ck_assert_msg(esc_sla_policy_parse(&again, text, msg, sizeof msg) == ESC_OK, "%s", msg);
    assert_same_rules(pol, again);
    /* ... and refuses one more. */
    size_t len = strlen(text);
    char *more = malloc(len + 32);
    ck_assert_ptr_nonnull(more);
    snprintf(more, len + 32, "%s; rule update breach", text);
    esc_sla_policy_free(again);
    again = (esc_sla_policy *)&again;
    ck_assert_int_eq(esc_sla_policy_parse(&again, more, msg, sizeof msg), ESC_EINVAL);
    ck_assert_ptr_null(again);
    ck_assert_msg(strstr(msg, "more than 16 rules") != NULL, "%s", msg);
    free(more);
    esc_sla_spec_free(text);
    esc_sla_policy_free(pol);
}
END_TEST

START_TEST(warnings_kept_for_rules)
{
    const int three[] = { 50, 75, 90 }, without_75[] = { 50, 90 }, only_75[] = { 75 };
    esc_sla_policy *pol = wall_policy_warning(three, 3);
    esc_sla_rule r = ESC_SLA_RULE_INIT;
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, &r), ESC_OK);  /* at the breach */
    /* A breach rule does not hold any warning. */
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, without_75, 2), ESC_OK);
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, three, 3), ESC_OK);
    r.warning_percent = 75;
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, &r), ESC_OK);
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, without_75, 2), ESC_EINVAL);
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, NULL, 0), ESC_EINVAL);
    ck_assert_uint_eq(esc_sla_policy_warning_count(pol), 3);  /* unchanged */
    ck_assert_int_eq(esc_sla_policy_warning(pol, 1), 75);
    ck_assert_int_eq(esc_sla_policy_set_warnings(pol, only_75, 1), ESC_OK);
    ck_assert_uint_eq(esc_sla_policy_warning_count(pol), 1);
    r.warning_percent = 50;  /* dropped above */
    ck_assert_int_eq(esc_sla_policy_add_rule(pol, &r), ESC_EINVAL);
    ck_assert_uint_eq(esc_sla_policy_rule_count(pol), 2);
    esc_sla_policy_free(pol);
}
END_TEST

/* Canonical text with rules: parse, format gives it back, and again. */
static void assert_canonical(const char *spec)
{
    esc_sla_policy *pol = NULL, *again = NULL;
    char *text = NULL, *text2 = NULL;
    char msg[ESC_SLA_ERRMSG_MAX];
    ck_assert_msg(esc_sla_policy_parse(&pol, spec, msg, sizeof msg) == ESC_OK, "%s: %s", spec, msg);
    ck_assert_int_eq(esc_sla_policy_format(&text, pol), ESC_OK);
    ck_assert_str_eq(text, spec);
    ck_assert_msg(esc_sla_policy_parse(&again, text, msg, sizeof msg) == ESC_OK, "%s", msg);
    ck_assert_int_eq(esc_sla_policy_format(&text2, again), ESC_OK);
    ck_assert_str_eq(text2, text);
    assert_same_rules(pol, again);
    esc_sla_spec_free(text);
    esc_sla_spec_free(text2);
    esc_sla_policy_free(pol);
    esc_sla_policy_free(again);
}

START_TEST(rule_spec_round_trip)
{
    static const char *const specs[] = {
        "calendar=wall; p2 resolution=8h; warn=75,90; pause=customer,third_party; "
        "rule resolution breach tier=1 move_up watch=lead-7; "
        "rule resolution breach tier=2 after=2h repeat=3 every=1h move_up",
        "calendar=[tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-01-12]; "
        "p1 first_response=30m update=2h resolution=8h; warn=50,75,90; pause=none; "
        "rule first_response warn=50; rule update warn=90 after=15m raise; "
        "rule resolution warn=75 tier=16 after=1h30m15s250ms repeat=10 every=45s move_up "
        "raise watch=\xc5\x81ukasz@example.org; rule resolution breach",
        /* Same rule twice is allowed. */
        "calendar=wall; pause=customer,third_party; rule update breach; rule update breach",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        assert_canonical(specs[i]);

    /* The fields behind the first spec. */
    esc_sla_policy *pol = NULL;
    ck_assert_int_eq(esc_sla_policy_parse(&pol, specs[0], NULL, 0), ESC_OK);
    ck_assert_uint_eq(esc_sla_policy_rule_count(pol), 2);
    esc_sla_rule r;
    ck_assert_int_eq(esc_sla_policy_rule(&r, pol, 1), ESC_OK);
    ck_assert_int_eq(r.target, RES);
    ck_assert_int_eq(r.warning_percent, 0);
    ck_assert_int_eq(r.tier, 2);
    ck_assert_int_eq(r.after_ms, 2 * HOUR);
    ck_assert_int_eq(r.repeat, 3);
    ck_assert_int_eq(r.every_ms, HOUR);
    ck_assert_int_eq(r.move_up, 1);
    ck_assert_int_eq(r.raise_priority, 0);
    ck_assert_ptr_null(r.watcher_id);
    ck_assert_int_eq(esc_sla_policy_rule(&r, pol, 0), ESC_OK);
    ck_assert_str_eq(r.watcher_id, "lead-7");
    esc_sla_policy_free(pol);
}
END_TEST

/* Rules before warn=, options in any order, keywords in any case, defaults
 * written out: the canonical text puts everything in its place. */
START_TEST(rule_spec_free_form)
{
    esc_sla_policy *pol = NULL;
    char *text = NULL;
    char msg[ESC_SLA_ERRMSG_MAX];
    const char *spec =
        " RULE Update WARN = 90 Watch=Lead-7 RAISE Every=30m Repeat=2 ;"
        " rule RESOLUTION Breach move_UP tier=0 after=0 repeat=1 ;"
        " Rule first_response BREACH Tier=3 After=1h ; Warn=75,90 ; p2 resolution=8h";
    ck_assert_msg(esc_sla_policy_parse(&pol, spec, msg, sizeof msg) == ESC_OK, "%s", msg);
    ck_assert_int_eq(esc_sla_policy_format(&text, pol), ESC_OK);
    ck_assert_str_eq(text, "calendar=wall; p2 resolution=8h; warn=75,90; pause=customer,third_party; "
                           "rule update warn=90 repeat=2 every=30m raise watch=Lead-7; "
                           "rule resolution breach move_up; "
                           "rule first_response breach tier=3 after=1h");
    esc_sla_spec_free(text);

    /* The API and the text form build equal policies. */
    esc_sla_policy *built = wall_policy_warning(WARN_75_90, 2);
    esc_sla_policy_set_target(built, 2, RES, 8 * HOUR);
    esc_sla_rule r = ESC_SLA_RULE_INIT;
    r.target = UPD;
    r.warning_percent = 90;
    r.repeat = 2;
    r.every_ms = 30 * MINUTE;
    r.raise_priority = 1;
    r.watcher_id = "Lead-7";
    ck_assert_int_eq(esc_sla_policy_add_rule(built, &r), ESC_OK);
    esc_sla_rule_init(&r, ESC_SLA_RULE_VERSION);
    r.move_up = 1;
    ck_assert_int_eq(esc_sla_policy_add_rule(built, &r), ESC_OK);
    esc_sla_rule_init(&r, ESC_SLA_RULE_VERSION);
    r.target = FIRST;
    r.tier = 3;
    r.after_ms = HOUR;
    ck_assert_int_eq(esc_sla_policy_add_rule(built, &r), ESC_OK);
    assert_same_rules(pol, built);
    char *built_text = NULL;
    ck_assert_int_eq(esc_sla_policy_format(&built_text, built), ESC_OK);
    ck_assert_int_eq(esc_sla_policy_format(&text, pol), ESC_OK);
    ck_assert_str_eq(built_text, text);
    esc_sla_spec_free(text);
    esc_sla_spec_free(built_text);
    esc_sla_policy_free(built);
    esc_sla_policy_free(pol);
}
END_TEST

START_TEST(rule_bad_specs)
{
    static const struct {
        const char *spec;
        const char *says;  /* part of the message */
    } bad[] = {
        { "warn=75; rule resolution breach frobnicate", "unknown rule option \"frobnicate\"" },
        { "warn=75; rule resolution breach tier=1 tier=2", "tier given twice" },
        { "rule resolution breach move_up move_up", "move_up given twice" },
        { "rule resolution breach watch=a watch=b", "watch given twice" },
        { "rule resolution breach repeat=3", "repeat=3 needs every=" },
        { "rule resolution breach repeat=3 every=0", "repeat=3 needs every=" },
        { "rule resolution breach every=1h", "every= without repeat= above 1" },
        { "rule resolution breach repeat=1 every=1h", "every= without repeat= above 1" },
        { "rule resolution breach every=0", "every= without repeat= above 1" },
        { "rule resolution breach repeat=0", "repeat=0 out of range" },
        { "rule resolution breach repeat=11 every=1h", "repeat=11 out of range" },
        { "rule resolution breach tier=17", "tier=17 out of range" },
        { "rule resolution breach tier=x", "bad tier=x" },
        { "rule resolution breach tier=-1", "bad tier=" },
        { "rule resolution breach tier=", "bad tier=" },
        { "rule resolution breach tier=1234567", "bad tier=1234567" },
        { "rule resolution breach tier", "expected '=' after tier" },
        { "rule resolution breach after=1x", "bad duration" },
        { "rule resolution breach after=87841h", "too long" },
        { "rule resolution breach move_up=1", "move_up takes no value" },
        { "warn=75,90; rule resolution warn=80", "rule 1 fires at warn=80" },
        { "rule resolution warn=80; warn=75,90", "item 1 \"rule resolution warn=80\"" },
        { "rule update breach; rule resolution warn=50; warn=75", "rule 2 fires at warn=50" },
        { "rule resolution warn=75", "not one of the policy's warn= percentages" },
        { "warn=75; rule resolution warn=0", "bad percentage \"0\"" },
        { "warn=75; rule resolution warn=100", "bad percentage \"100\"" },
        { "warn=75; rule resolution warn", "expected breach or warn=P" },
        { "rule resolution", "expected breach or warn=P after resolution" },
        { "rule resolution soon", "expected breach or warn=P" },
        { "rule", "expected a target" },
        { "rule sooner breach", "got \"sooner\"" },
        { "rule breach", "expected a target" },
        { "rule resolution breach watch=", "missing id after watch=" },
        { "rule resolution breach watch=lead=7", "may not contain '='" },
        { "rule resolution breach watch=lead[7]", "may not contain '['" },
        { "rule resolution breach watch=\x01lead", "control characters" },
        { "rule resolution breach watch lead-7", "expected '=' after watch" },
        { "rule resolution breach ,move_up", "unknown rule option \",move_up\"" },
        { "rule resolution breach raise, move_up", "unknown rule option \",\"" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        esc_sla_policy *pol = (esc_sla_policy *)&pol;
        char msg[ESC_SLA_ERRMSG_MAX] = "";
        int rc = esc_sla_policy_parse(&pol, bad[i].spec, msg, sizeof msg);
        ck_assert_msg(rc == ESC_EINVAL, "%s: %s", bad[i].spec, esc_status_name(rc));
        ck_assert_ptr_null(pol);
        ck_assert_msg(strstr(msg, bad[i].says) != NULL, "%s: message \"%s\" lacks \"%s\"",
                      bad[i].spec, msg, bad[i].says);
        ck_assert_msg(strncmp(msg, "item ", 5) == 0, "%s: message \"%s\" names no item",
                      bad[i].spec, msg);
    }
    /* A watcher id over 200 bytes. */
    char spec[300];
    snprintf(spec, sizeof spec, "rule resolution breach watch=%0201d", 7);
    char msg[ESC_SLA_ERRMSG_MAX] = "";
    esc_sla_policy *pol = NULL;
    ck_assert_int_eq(esc_sla_policy_parse(&pol, spec, msg, sizeof msg), ESC_EINVAL);
    ck_assert_msg(strstr(msg, "longer than 200 bytes") != NULL, "%s", msg);
    snprintf(spec, sizeof spec, "rule resolution breach watch=%0200d", 7);
    ck_assert_int_eq(esc_sla_policy_parse(&pol, spec, msg, sizeof msg), ESC_OK);
    esc_sla_policy_free(pol);
}
END_TEST

static Suite *sla_suite(void)
{
    Suite *s = suite_create("sla");
    TCase *tc = tcase_create("clocks");
    /* warnings_in_business_hours creates 72 databases: disk-bound on a busy machine. */
    tcase_set_timeout(tc, 60);
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
    tcase_add_test(tp, long_words_fit_the_message);
    tcase_add_test(tp, bad_arguments);
    suite_add_tcase(s, tp);
    TCase *tr = tcase_create("rules");
    tcase_add_test(tr, rule_add_and_get);
    tcase_add_test(tr, rule_bad_fields);
    tcase_add_test(tr, rule_limit);
    tcase_add_test(tr, warnings_kept_for_rules);
    tcase_add_test(tr, rule_spec_round_trip);
    tcase_add_test(tr, rule_spec_free_form);
    tcase_add_test(tr, rule_bad_specs);
    suite_add_tcase(s, tr);
    return s;
}

int main(void)
{
    return test_run(sla_suite());
}
