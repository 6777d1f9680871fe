/*
 * test_timers.c — timers kept in the database (timers.h): stored calendar
 * and policy versions, deadline columns through pauses, priority, policy
 * and calendar changes, the due list, the sweep (firings, collapsed stages,
 * escalation rules, reminders, idempotence, two processes racing, a crash
 * between escalations), the outbox, and every function's bad inputs.
 *
 * The reference case: Europe/Berlin, Mon-Fri 09:00-17:00, Monday 2026-03-09
 * a holiday; an escalation opened Friday 2026-03-06 16:30 (15:30Z) with an
 * 8-business-hour resolution target is due Tuesday 16:30 (15:30Z).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "testutil.h"

#define FRI_1630 INT64_C(1772811000000)   /* 2026-03-06T15:30:00Z */
#define FRI_1645 INT64_C(1772811900000)   /* 2026-03-06T15:45:00Z */
#define TUE_1430 INT64_C(1773149400000)   /* 2026-03-10T13:30:00Z: 75% of 8h */
#define TUE_1630 INT64_C(1773156600000)   /* 2026-03-10T15:30:00Z: the deadline */
#define TUE_1000 INT64_C(1773133200000)   /* 2026-03-10T09:00:00Z */
#define WED_0945 INT64_C(1773218700000)   /* 2026-03-11T08:45:00Z */

static const char *const BERLIN = "tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-03-09";
static const char *const EIGHT_HOURS =
    "p1 resolution=8h; p2 resolution=8h; p3 resolution=8h; p4 resolution=8h; p5 resolution=8h";

/* The file of the test running now, for reopening it. */
static char db_path[1024];

/* A fresh database with the Berlin calendar and a policy "std" counting in it. */
static esc_db *db_with_policy(test_clock *clock, const char *spec)
{
    snprintf(db_path, sizeof db_path, "%s", test_path("timers"));
    esc_db *db = test_open(db_path, clock);
    int64_t version = 0;
    ck_assert_status(db, esc_db_calendar_put(&version, db, "berlin", BERLIN), ESC_OK);
    ck_assert_int_eq(version, 1);
    ck_assert_status(db, esc_db_policy_put(&version, db, "std", spec, "berlin"), ESC_OK);
    return db;
}

static esc_escalation *open_with(esc_db *db, const char *policy)
{
    esc_open_params params = ESC_OPEN_PARAMS_INIT;
    params.actor = AGENT;
    params.summary = "The invoice portal has been down for our whole finance team since noon.";
    params.customer_id = "cust-7";
    params.impact = 2;
    params.urgency = 2;
    params.sla_policy = policy;
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_open(&esc, db, &params), ESC_OK);
    return esc;
}

/* The stored row, as another reader would see it. */
static esc_escalation *reread(esc_db *db, const esc_escalation *esc)
{
    esc_escalation *fresh = NULL;
    ck_assert_status(db, esc_escalation_get(&fresh, db, esc_escalation_id(esc)), ESC_OK);
    return fresh;
}

static void refresh(esc_db *db, esc_escalation **esc)
{
    esc_escalation *fresh = reread(db, *esc);
    esc_escalation_free(*esc);
    *esc = fresh;
}

static esc_sweep_stats sweep_at(esc_db *db, int64_t now)
{
    esc_sweep_stats stats = ESC_SWEEP_STATS_INIT;
    ck_assert_status(db, esc_sweep(&stats, db, now), ESC_OK);
    return stats;
}

static size_t events_of(esc_db *db, const esc_escalation *esc, esc_action_kind kind)
{
    esc_event_list *events = NULL;
    ck_assert_status(db, esc_history(&events, db, esc_escalation_id(esc)), ESC_OK);
    size_t n = 0;
    for (size_t i = 0; i < esc_event_list_count(events); i++)
        n += esc_event_action(esc_event_list_get(events, i)) == kind;
    esc_event_list_free(events);
    return n;
}

static size_t outbox_count(esc_db *db, const char *kind)
{
    esc_outbox_list *list = NULL;
    ck_assert_status(db, esc_outbox_fetch(&list, db, 1000), ESC_OK);
    size_t n = 0;
    for (size_t i = 0; i < esc_outbox_list_count(list); i++)
        n += kind == NULL || strcmp(esc_outbox_entry_kind(esc_outbox_list_get(list, i)), kind) == 0;
    esc_outbox_list_free(list);
    return n;
}

static void assert_verifies(esc_db *db)
{
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    char what[512] = "";
    size_t mismatches = esc_verify_report_mismatch_count(report);
    if (mismatches > 0)
        snprintf(what, sizeof what, "%s", esc_verify_report_mismatch_what(report, 0));
    esc_verify_report_free(report);
    ck_assert_msg(mismatches == 0, "verify: %s", what);
}

static void hold_customer(esc_db *db, esc_escalation *esc)
{
    esc_action a = ESC_ACTION_INIT;
    a.kind = ESC_ACTION_HOLD;
    a.actor = AGENT;
    a.hold = ESC_HOLD_CUSTOMER;
    a.text = "Waiting for the customer's bank statement.";
    test_must(db, esc, &a);
}

/* ---- stored definitions ---------------------------------------------------- */

START_TEST(test_definitions_versioned)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, EIGHT_HOURS);
    int64_t version = 0;
    /* The same calendar again (written differently) is not a new version. */
    ck_assert_status(db, esc_db_calendar_put(&version, db, "berlin",
                                             "tz=Europe/Berlin;  mon-fri 09:00-17:00 ; holiday 2026-03-09"),
                     ESC_OK);
    ck_assert_int_eq(version, 1);
    clock.now += MINUTE;
    ck_assert_status(db, esc_db_calendar_put(&version, db, "berlin", "tz=Europe/Berlin; mon-fri 08:00-18:00"),
                     ESC_OK);
    ck_assert_int_eq(version, 2);
    esc_definition *def = NULL;
    ck_assert_status(db, esc_db_calendar_get(&def, db, "berlin", 1), ESC_OK);
    ck_assert_int_eq(esc_definition_version(def), 1);
    ck_assert_ptr_nonnull(strstr(esc_definition_spec(def), "holiday 2026-03-09"));
    ck_assert_int_eq(esc_definition_created_at(def), FRI_1630);
    ck_assert_ptr_null(esc_definition_calendar(def));
    esc_definition_free(def);
    ck_assert_status(db, esc_db_calendar_get(&def, db, "berlin", 0), ESC_OK);
    ck_assert_int_eq(esc_definition_version(def), 2);
    ck_assert_int_eq(esc_definition_created_at(def), FRI_1630 + MINUTE);
    esc_definition_free(def);

    ck_assert_status(db, esc_db_policy_get(&def, db, "std", 0), ESC_OK);
    ck_assert_str_eq(esc_definition_name(def), "std");
    ck_assert_str_eq(esc_definition_calendar(def), "berlin");
    /* It counts in the stored calendar: the stored text names no other. */
    ck_assert_ptr_null(strstr(esc_definition_spec(def), "calendar="));
    ck_assert_int_eq(esc_definition_version(def), 1);
    esc_definition_free(def);
    ck_assert_status(db, esc_db_policy_put(&version, db, "std", EIGHT_HOURS, "berlin"), ESC_OK);
    ck_assert_int_eq(version, 1);
    ck_assert_status(db, esc_db_policy_put(&version, db, "std", EIGHT_HOURS, NULL), ESC_OK);
    ck_assert_int_eq(version, 2);  /* same spec, no calendar any more: a change */

    esc_sla_policy *pol = NULL;
    ck_assert_status(db, esc_db_policy_load(&pol, db, "std"), ESC_OK);
    ck_assert_ptr_null(esc_sla_policy_calendar(pol));
    esc_sla_policy_free(pol);
    esc_db_close(db);
}
END_TEST

START_TEST(test_definitions_bad_input)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, EIGHT_HOURS);
    int64_t version = -1;
    esc_definition *def = NULL;
    esc_sla_policy *pol = NULL;
    ck_assert_int_eq(esc_db_calendar_put(&version, NULL, "x", BERLIN), ESC_EINVAL);
    ck_assert_status(db, esc_db_calendar_put(&version, db, NULL, BERLIN), ESC_EINVAL);
    ck_assert_status(db, esc_db_calendar_put(&version, db, "", BERLIN), ESC_EINVAL);
    ck_assert_status(db, esc_db_calendar_put(&version, db, "a b", BERLIN), ESC_EINVAL);
    ck_assert_status(db, esc_db_calendar_put(&version, db, "x'; DROP TABLE events; --", BERLIN), ESC_EINVAL);
    char long_name[ESC_DEFINITION_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    ck_assert_status(db, esc_db_calendar_put(&version, db, long_name, BERLIN), ESC_EINVAL);
    ck_assert_status(db, esc_db_calendar_put(&version, db, "x", NULL), ESC_EINVAL);
    ck_assert_status(db, esc_db_calendar_put(&version, db, "x", "tz=Europe/Berlin"), ESC_EINVAL);
    ck_assert_status(db, esc_db_calendar_put(&version, db, "x", "tz=Mars/Olympus; mon 09:00-17:00"),
                     ESC_ENOTFOUND);
    ck_assert_status(db, esc_db_calendar_put(&version, db, "x", "nonsense"), ESC_EINVAL);
    ck_assert_status(db, esc_db_policy_put(&version, db, "p", "p9 resolution=1h", NULL), ESC_EINVAL);
    ck_assert_status(db, esc_db_policy_put(&version, db, "p", EIGHT_HOURS, "nosuch"), ESC_ENOTFOUND);
    ck_assert_status(db, esc_db_policy_put(&version, db, "p",
                                           "calendar=[tz=UTC; mon 09:00-17:00]; p1 resolution=1h", "berlin"),
                     ESC_EINVAL);
    ck_assert_status(db, esc_db_policy_put(&version, db, "p", NULL, NULL), ESC_EINVAL);
    ck_assert_int_eq(version, -1);  /* untouched by every failure */
    ck_assert_status(db, esc_db_calendar_get(&def, db, "x", 0), ESC_ENOTFOUND);
    ck_assert_status(db, esc_db_calendar_get(&def, db, "berlin", 7), ESC_ENOTFOUND);
    ck_assert_status(db, esc_db_calendar_get(&def, db, "berlin", -1), ESC_EINVAL);
    ck_assert_status(db, esc_db_calendar_get(NULL, db, "berlin", 0), ESC_EINVAL);
    ck_assert_status(db, esc_db_policy_get(&def, db, "p", 0), ESC_ENOTFOUND);
    ck_assert_status(db, esc_db_policy_get(&def, db, NULL, 0), ESC_EINVAL);
    ck_assert_ptr_null(def);
    ck_assert_status(db, esc_db_policy_load(&pol, db, "p"), ESC_ENOTFOUND);
    ck_assert_status(db, esc_db_policy_load(NULL, db, "std"), ESC_EINVAL);
    ck_assert_int_eq(esc_db_policy_load(&pol, NULL, "std"), ESC_EINVAL);
    ck_assert_ptr_null(pol);
    /* Getters of nothing read as empty. */
    ck_assert_str_eq(esc_definition_name(NULL), "");
    ck_assert_str_eq(esc_definition_spec(NULL), "");
    ck_assert_ptr_null(esc_definition_calendar(NULL));
    ck_assert_int_eq(esc_definition_version(NULL), 0);
    ck_assert_int_eq(esc_definition_created_at(NULL), 0);
    esc_definition_free(NULL);
    /* Nothing was stored by any of it. */
    ck_assert_status(db, esc_db_calendar_get(&def, db, "berlin", 0), ESC_OK);
    ck_assert_int_eq(esc_definition_version(def), 1);
    esc_definition_free(def);
    esc_db_close(db);
}
END_TEST

START_TEST(test_definitions_readonly)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, EIGHT_HOURS);
    esc_db_close(db);
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = ESC_OPEN_READONLY;
    ck_assert_int_eq(esc_db_open(&db, db_path, &options), ESC_OK);
    ck_assert_status(db, esc_db_calendar_put(NULL, db, "berlin", "tz=UTC; mon 09:00-10:00"), ESC_EREADONLY);
    ck_assert_status(db, esc_db_policy_put(NULL, db, "std", "p1 resolution=1h", NULL), ESC_EREADONLY);
    ck_assert_status(db, esc_sweep(NULL, db, TUE_1630), ESC_EREADONLY);
    ck_assert_status(db, esc_outbox_ack(db, 1), ESC_EREADONLY);
    esc_definition *def = NULL;
    ck_assert_status(db, esc_db_policy_get(&def, db, "std", 0), ESC_OK);
    esc_definition_free(def);
    esc_db_close(db);
}
END_TEST

/* ---- deadlines ------------------------------------------------------------ */

START_TEST(test_open_deadline_berlin)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, EIGHT_HOURS);
    esc_escalation *esc = open_with(db, "std");
    ck_assert_str_eq(esc_escalation_sla_policy(esc), "std");
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, ESC_SLA_RESOLUTION), TUE_1630);
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, ESC_SLA_FIRST_RESPONSE), 0);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), TUE_1630);
    esc_escalation *stored = reread(db, esc);
    ck_assert_int_eq(esc_escalation_sla_deadline(stored, ESC_SLA_RESOLUTION), TUE_1630);
    ck_assert_int_eq(esc_escalation_next_timer_at(stored), TUE_1630);
    esc_escalation_free(stored);

    esc_sla_clocks *clocks = NULL;
    ck_assert_status(db, esc_escalation_sla(&clocks, db, esc, FRI_1645), ESC_OK);
    ck_assert_int_eq(esc_sla_clocks_state(clocks, ESC_SLA_RESOLUTION), ESC_SLA_RUNNING);
    ck_assert_int_eq(esc_sla_clocks_elapsed_ms(clocks, ESC_SLA_RESOLUTION), 15 * MINUTE);
    ck_assert_uint_eq(esc_sla_clocks_warning_count(clocks), 0);
    ck_assert_uint_eq(esc_sla_clocks_warning_count(NULL), 0);
    esc_sla_clocks_free(clocks);

    /* Without a policy: no SLA clocks, no timers. */
    esc_escalation *plain = open_with(db, NULL);
    ck_assert_str_eq(esc_escalation_sla_policy(plain), "");
    ck_assert_int_eq(esc_escalation_next_timer_at(plain), 0);
    ck_assert_status(db, esc_escalation_sla(&clocks, db, plain, FRI_1645), ESC_ENOTFOUND);
    ck_assert_ptr_null(clocks);
    esc_escalation_free(plain);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

START_TEST(test_open_unknown_policy_changes_nothing)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, EIGHT_HOURS);
    esc_open_params params = ESC_OPEN_PARAMS_INIT;
    params.actor = AGENT;
    params.summary = "Nothing works.";
    params.customer_id = "cust-1";
    params.sla_policy = "gold";
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_open(&esc, db, &params), ESC_ENOTFOUND);
    params.sla_policy = "\xff\xfe";
    ck_assert_status(db, esc_escalation_open(&esc, db, &params), ESC_EINVAL);
    ck_assert_ptr_null(esc);
    ck_assert_uint_eq(test_escalation_count(db), 0);
    esc_db_close(db);
}
END_TEST

/* Waiting on the customer pauses the clock; resuming pushes the deadline by
 * the business time paused (Fri 16:45 -> Tue 10:00: 7h45m remain -> Wed 09:45). */
START_TEST(test_pause_pushes_deadline)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, EIGHT_HOURS);
    esc_escalation *esc = open_with(db, "std");
    clock.now = FRI_1645;
    hold_customer(db, esc);
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, ESC_SLA_RESOLUTION), 0);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), 0);
    esc_escalation_list *due = NULL;
    ck_assert_status(db, esc_escalation_list_due(&due, db, TUE_1630 + DAY, 0), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(due), 0);
    esc_escalation_list_free(due);
    ck_assert_uint_eq(sweep_at(db, TUE_1630 + HOUR).firings, 0);

    clock.now = TUE_1000;
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_RESUME, &AGENT), ESC_OK);
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, ESC_SLA_RESOLUTION), WED_0945);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), WED_0945);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* A new policy version or calendar version recomputes open deadlines. */
START_TEST(test_definition_change_recomputes)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, EIGHT_HOURS);
    esc_escalation *esc = open_with(db, "std");
    clock.now += MINUTE;
    /* 4 business hours: Fri 16:30-17:00, then Tue 09:00 + 3h30 = 12:30 (11:30Z). */
    ck_assert_status(db, esc_db_policy_put(NULL, db, "std",
                                           "p1 resolution=4h; p2 resolution=4h; p3 resolution=4h;"
                                           " p4 resolution=4h; p5 resolution=4h",
                                           "berlin"),
                     ESC_OK);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, ESC_SLA_RESOLUTION), TUE_1000 + 150 * MINUTE);
    /* Tuesday becomes a holiday too: Wednesday 12:30 (11:30Z). */
    ck_assert_status(db, esc_db_calendar_put(NULL, db, "berlin",
                                             "tz=Europe/Berlin; mon-fri 09:00-17:00;"
                                             " holiday 2026-03-09; holiday 2026-03-10"),
                     ESC_OK);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, ESC_SLA_RESOLUTION),
                     TUE_1000 + 150 * MINUTE + DAY);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), TUE_1000 + 150 * MINUTE + DAY);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* Priority decides the target; a reassessment re-targets from history. */
START_TEST(test_priority_change_retargets)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, "p1 resolution=1h; p2 resolution=2h; p3 resolution=8h;"
                                        " p4 resolution=8h; p5 resolution=8h");
    esc_escalation *esc = open_with(db, "std");
    int p = esc_escalation_priority(esc);
    ck_assert_int_ge(p, 3);
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, ESC_SLA_RESOLUTION), TUE_1630);
    clock.now = FRI_1645;
    esc_action a = ESC_ACTION_INIT;
    a.kind = ESC_ACTION_REASSESS;
    a.actor = AGENT;
    a.impact = 4;
    a.urgency = 4;
    test_must(db, esc, &a);
    ck_assert_int_eq(esc_escalation_priority(esc), 1);
    /* 1h from Fri 16:30: 30 min on Friday, 30 min from Tuesday 09:00. */
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, ESC_SLA_RESOLUTION), TUE_1000 - 30 * MINUTE);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* Warnings are placed in business time: never outside working hours. */
START_TEST(test_warnings_in_business_hours)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, "p1 resolution=3h; p2 resolution=3h; p3 resolution=3h;"
                                        " p4 resolution=3h; p5 resolution=3h; warn=50,75,90");
    esc_calendar *cal = NULL;
    ck_assert_int_eq(esc_calendar_parse(&cal, BERLIN, NULL, 0), ESC_OK);
    for (int i = 0; i < 7 * 24 * 2; i++) {
        clock.now = FRI_1630 + i * 37 * MINUTE;
        esc_escalation *esc = open_with(db, "std");
        int64_t next = esc_escalation_next_timer_at(esc);
        ck_assert_int_gt(next, clock.now);
        int business = 0;
        ck_assert_int_eq(esc_calendar_is_business(&business, cal, next), ESC_OK);
        ck_assert_msg(business, "a warning at %lld, outside working hours", (long long)next);
        esc_escalation_free(esc);
    }
    esc_calendar_free(cal);
    esc_db_close(db);
}
END_TEST

/* ---- the sweep ------------------------------------------------------------- */

static const char *const RULED =
    "p1 resolution=8h; p2 resolution=8h; p3 resolution=8h; p4 resolution=8h; p5 resolution=8h;"
    " warn=75; rule resolution breach tier=1 move_up watch=lead-7";

START_TEST(test_sweep_breach_moves_up_once)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, RULED);
    esc_escalation *esc = open_with(db, "std");
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), TUE_1430);
    esc_sla_clocks *clocks = NULL;
    ck_assert_status(db, esc_escalation_sla(&clocks, db, esc, FRI_1630), ESC_OK);
    ck_assert_uint_eq(esc_sla_clocks_warning_count(clocks), 1);
    ck_assert_int_eq(esc_sla_clocks_warning_at(clocks, ESC_SLA_RESOLUTION, 0), TUE_1430);
    esc_sla_clocks_free(clocks);

    esc_sweep_stats stats = sweep_at(db, TUE_1430 - 1);
    ck_assert_uint_eq(stats.firings, 0);
    stats = sweep_at(db, TUE_1430);
    ck_assert_uint_eq(stats.warnings, 1);
    ck_assert_uint_eq(stats.escalations, 1);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), TUE_1630);
    ck_assert_uint_eq(outbox_count(db, "sla_warning"), 1);

    esc_escalation_list *due = NULL;
    ck_assert_status(db, esc_escalation_list_due(&due, db, TUE_1630 - 1, 10), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(due), 0);
    esc_escalation_list_free(due);
    ck_assert_status(db, esc_escalation_list_due(&due, db, TUE_1630, 10), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(due), 1);
    ck_assert_str_eq(esc_escalation_id(esc_escalation_list_get(due, 0)), esc_escalation_id(esc));
    esc_escalation_list_free(due);

    stats = sweep_at(db, TUE_1630);
    ck_assert_uint_eq(stats.breaches, 1);
    ck_assert_uint_eq(stats.rules, 1);
    ck_assert_uint_eq(stats.moves, 1);
    ck_assert_uint_eq(stats.firings, 2);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_tier(esc), 2);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_LISTEN);
    ck_assert_uint_eq(esc_escalation_item_count(esc, ESC_ITEM_WATCHER), 1);
    ck_assert_str_eq(esc_item_person_id(esc_escalation_item(esc, ESC_ITEM_WATCHER, 0)), "lead-7");
    /* The generated brief names the breach. */
    ck_assert_uint_eq(events_of(db, esc, ESC_ACTION_MOVE_TIER), 1);
    ck_assert_uint_eq(events_of(db, esc, ESC_ACTION_TIMER_FIRED), 3);
    ck_assert_uint_eq(outbox_count(db, "sla_breach"), 1);
    ck_assert_uint_eq(outbox_count(db, "escalation_rule"), 1);

    /* Again, and later: nothing more fires. */
    ck_assert_uint_eq(sweep_at(db, TUE_1630).firings, 0);
    ck_assert_uint_eq(sweep_at(db, TUE_1630 + 5 * DAY).firings, 0);
    ck_assert_uint_eq(outbox_count(db, NULL), 3);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), 0);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* A late sweep sends the breach, not the stale warnings before it. */
START_TEST(test_late_sweep_collapses_warnings)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, "p1 resolution=8h; p2 resolution=8h; p3 resolution=8h;"
                                        " p4 resolution=8h; p5 resolution=8h; warn=50,75,90");
    esc_escalation *esc = open_with(db, "std");
    esc_sweep_stats stats = sweep_at(db, TUE_1630 + HOUR);
    ck_assert_uint_eq(stats.breaches, 1);
    ck_assert_uint_eq(stats.warnings, 0);
    ck_assert_uint_eq(outbox_count(db, NULL), 1);
    ck_assert_uint_eq(sweep_at(db, TUE_1630 + 2 * HOUR).firings, 0);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* Multi-level: tier 2 is escalated further an hour after the breach, and a
 * repeating rule raises priority at most twice. */
START_TEST(test_rules_multi_level_and_repeat)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock,
                                "p1 resolution=8h; p2 resolution=8h; p3 resolution=8h; p4 resolution=8h;"
                                " p5 resolution=8h; rule resolution breach tier=1 move_up;"
                                " rule resolution breach tier=2 after=1h move_up;"
                                " rule resolution breach after=30m repeat=2 every=1h raise");
    esc_escalation *esc = open_with(db, "std");
    int p = esc_escalation_priority(esc);
    sweep_at(db, TUE_1630);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_tier(esc), 2);
    ck_assert_int_eq(esc_escalation_priority(esc), p);
    /* Rule delays count in business time: 16:30 + 30 min reaches Tuesday's
     * close, so it is Wednesday's opening, 09:00 (08:00Z). */
    const int64_t wed_0900 = TUE_1630 + 16 * HOUR + 30 * MINUTE;
    sweep_at(db, wed_0900 - 1);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_priority(esc), p);
    sweep_at(db, wed_0900);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_priority(esc), p - 1);
    ck_assert_int_eq(esc_escalation_tier(esc), 2);
    sweep_at(db, wed_0900 + 30 * MINUTE);  /* the tier-2 rule, 1h after the breach */
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_tier(esc), 3);
    esc_sweep_stats stats = sweep_at(db, wed_0900 + HOUR);  /* the raise, repeated once */
    ck_assert_uint_eq(stats.rules, 1);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_priority(esc), p - 2);
    ck_assert_uint_eq(sweep_at(db, TUE_1630 + 10 * DAY).firings, 0);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), 0);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* A promised time and a follow-up are reminded of once, with or without a policy. */
START_TEST(test_reminders)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    test_drive_to(db, esc, ESC_STATE_OWN);
    int64_t promised = esc_escalation_promised_at(esc);
    ck_assert_int_gt(promised, clock.now);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), promised);
    esc_sweep_stats stats = sweep_at(db, promised);
    ck_assert_uint_eq(stats.reminders, 1);
    ck_assert_uint_eq(outbox_count(db, "promise_due"), 1);
    ck_assert_uint_eq(sweep_at(db, promised + DAY).firings, 0);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), 0);
    ck_assert_int_eq(esc_escalation_due_at(esc), 0);

    clock.now = promised + HOUR;
    esc_action a = ESC_ACTION_INIT;
    a.kind = ESC_ACTION_SCHEDULE_FOLLOW_UP;
    a.actor = AGENT;
    a.at = clock.now + DAY;
    a.text = "Call back to confirm the refund arrived.";
    test_must(db, esc, &a);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), clock.now + DAY);
    stats = sweep_at(db, clock.now + 2 * DAY);
    ck_assert_uint_eq(stats.reminders, 1);
    ck_assert_uint_eq(outbox_count(db, "follow_up_due"), 1);
    ck_assert_uint_eq(sweep_at(db, clock.now + 3 * DAY).firings, 0);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* ---- the outbox ------------------------------------------------------------ */

START_TEST(test_outbox_ack_and_survives_reopen)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, RULED);
    esc_escalation *a = open_with(db, "std");
    esc_escalation *b = open_with(db, "std");
    sweep_at(db, TUE_1630);
    esc_outbox_list *list = NULL;
    ck_assert_status(db, esc_outbox_fetch(&list, db, 0), ESC_OK);
    ck_assert_uint_eq(esc_outbox_list_count(list), 4);
    /* Ordered: ascending ids, each escalation's entries in event order. */
    for (size_t i = 1; i < esc_outbox_list_count(list); i++) {
        const esc_outbox_entry *prev = esc_outbox_list_get(list, i - 1);
        const esc_outbox_entry *e = esc_outbox_list_get(list, i);
        ck_assert_int_gt(esc_outbox_entry_id(e), esc_outbox_entry_id(prev));
        if (strcmp(esc_outbox_entry_escalation_id(e), esc_outbox_entry_escalation_id(prev)) == 0)
            ck_assert_int_gt(esc_outbox_entry_seq(e), esc_outbox_entry_seq(prev));
    }
    const esc_outbox_entry *first = esc_outbox_list_get(list, 0);
    ck_assert_str_eq(esc_outbox_entry_kind(first), "sla_breach");
    ck_assert_int_eq(esc_outbox_entry_due_at(first), TUE_1630);
    ck_assert_int_eq(esc_outbox_entry_fired_at(first), TUE_1630);
    ck_assert_ptr_nonnull(strstr(esc_outbox_entry_payload(first), "\"target\":\"resolution\""));
    int64_t first_id = esc_outbox_entry_id(first);
    ck_assert_ptr_null(esc_outbox_list_get(list, 4));
    esc_outbox_list_free(list);

    /* The host crashes before acknowledging: everything is still there. */
    esc_db_close(db);
    db = test_open(db_path, &clock);
    ck_assert_uint_eq(outbox_count(db, NULL), 4);
    ck_assert_status(db, esc_outbox_ack(db, first_id), ESC_OK);
    ck_assert_status(db, esc_outbox_ack(db, first_id), ESC_OK);  /* again: fine */
    ck_assert_uint_eq(outbox_count(db, NULL), 3);
    ck_assert_status(db, esc_outbox_ack(db, 99999), ESC_ENOTFOUND);
    ck_assert_status(db, esc_outbox_ack(db, 0), ESC_EINVAL);
    ck_assert_int_eq(esc_outbox_ack(NULL, first_id), ESC_EINVAL);
    ck_assert_status(db, esc_outbox_fetch(&list, db, 1), ESC_OK);
    ck_assert_uint_eq(esc_outbox_list_count(list), 1);
    esc_outbox_list_free(list);
    ck_assert_status(db, esc_outbox_fetch(NULL, db, 1), ESC_EINVAL);
    ck_assert_int_eq(esc_outbox_fetch(&list, NULL, 1), ESC_EINVAL);
    ck_assert_ptr_null(list);
    ck_assert_uint_eq(esc_outbox_list_count(NULL), 0);
    ck_assert_ptr_null(esc_outbox_list_get(NULL, 0));
    ck_assert_int_eq(esc_outbox_entry_id(NULL), 0);
    ck_assert_str_eq(esc_outbox_entry_kind(NULL), "");
    ck_assert_str_eq(esc_outbox_entry_payload(NULL), "");
    ck_assert_str_eq(esc_outbox_entry_escalation_id(NULL), "");
    esc_outbox_list_free(NULL);
    esc_escalation_free(a);
    esc_escalation_free(b);
    esc_db_close(db);
}
END_TEST

/* ---- concurrency and crashes ---------------------------------------------- */

#define RACE_ESCALATIONS 30

static void sweep_in_child(const char *path, int64_t now)
{
    test_clock clock = { now };
    esc_db *db = test_open(path, &clock);
    esc_sweep_stats stats = ESC_SWEEP_STATS_INIT;
    int rc = esc_sweep(&stats, db, now);
    esc_db_close(db);
    _exit(rc == ESC_OK ? 0 : 1);
}

START_TEST(test_two_sweeps_race)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, RULED);
    for (int i = 0; i < RACE_ESCALATIONS; i++)
        esc_escalation_free(open_with(db, "std"));
    esc_db_close(db);
    pid_t pids[2];
    for (int i = 0; i < 2; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0)
            sweep_in_child(db_path, TUE_1630);
    }
    for (int i = 0; i < 2; i++) {
        int status = 0;
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    db = test_open(db_path, &clock);
    /* Exactly one breach and one rule firing each, whoever did it (a
     * child that found an escalation busy leaves it to the next sweep). */
    esc_sweep_stats rest = sweep_at(db, TUE_1630);
    ck_assert_uint_eq(outbox_count(db, "sla_breach"), RACE_ESCALATIONS);
    ck_assert_uint_eq(outbox_count(db, "escalation_rule"), RACE_ESCALATIONS);
    ck_assert_uint_eq(rest.busy, 0);
    assert_verifies(db);
    esc_db_close(db);
}
END_TEST

/* The host process dies in the middle of a sweep (here: killed as soon as
 * the first escalation's firings are committed, so nothing is cleaned up,
 * as in a real crash).  Each escalation is either fully fired or not at
 * all, and the next sweep finishes the job. */
static void die_on_first_firing(const esc_event *event, void *payload)
{
    (void)payload;
    if (esc_event_action(event) == ESC_ACTION_TIMER_FIRED)
        raise(SIGKILL);
}

START_TEST(test_crash_mid_sweep)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, RULED);
    for (int i = 0; i < 5; i++)
        esc_escalation_free(open_with(db, "std"));
    esc_db_close(db);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        esc_db *child = test_open(db_path, &clock);
        esc_db_set_event_hook(child, die_on_first_firing, NULL);
        esc_sweep(NULL, child, TUE_1630);
        _exit(2);  /* not reached when a firing was committed */
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    db = test_open(db_path, &clock);
    assert_verifies(db);
    ck_assert_uint_eq(outbox_count(db, "sla_breach"), 1);
    ck_assert_uint_eq(outbox_count(db, "escalation_rule"), 1);
    esc_sweep_stats stats = sweep_at(db, TUE_1630);
    ck_assert_uint_eq(stats.escalations, 4);
    ck_assert_uint_eq(outbox_count(db, "sla_breach"), 5);
    ck_assert_uint_eq(outbox_count(db, "escalation_rule"), 5);
    assert_verifies(db);
    esc_db_close(db);
}
END_TEST

/* ---- tampering and bad input ---------------------------------------------- */

START_TEST(test_verify_finds_tampered_timer)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, EIGHT_HOURS);
    esc_escalation_free(open_with(db, "std"));
    esc_db_close(db);
    sqlite3 *raw = NULL;
    ck_assert_int_eq(sqlite3_open(db_path, &raw), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(raw, "UPDATE escalations SET next_timer_at = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    db = test_open(db_path, &clock);
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 1);
    ck_assert_ptr_nonnull(strstr(esc_verify_report_mismatch_what(report, 0), "next_timer_at"));
    esc_verify_report_free(report);
    size_t rebuilt = 0;
    ck_assert_status(db, esc_db_rebuild(&rebuilt, db), ESC_OK);
    assert_verifies(db);
    esc_db_close(db);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(esc_sla_target_name(ESC_SLA_FIRST_RESPONSE), "first_response");
    ck_assert_str_eq(esc_sla_target_name(ESC_SLA_RESOLUTION), "resolution");
    ck_assert_ptr_null(esc_sla_target_name((esc_sla_target)3));
    ck_assert_ptr_null(esc_sla_target_name((esc_sla_target)-1));
    ck_assert_str_eq(esc_sla_state_name(ESC_SLA_RUNNING), "running");
    ck_assert_str_eq(esc_sla_state_name(ESC_SLA_STOPPED), "stopped");
    ck_assert_ptr_null(esc_sla_state_name((esc_sla_state)5));
    ck_assert_ptr_null(esc_sla_state_name((esc_sla_state)-1));
    ck_assert_str_eq(esc_action_name(ESC_ACTION_TIMER_FIRED), "timer_fired");
}
END_TEST

START_TEST(test_timer_bad_input)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, EIGHT_HOURS);
    esc_escalation *esc = open_with(db, "std");
    esc_sweep_stats stats = ESC_SWEEP_STATS_INIT;
    ck_assert_int_eq(esc_sweep(&stats, NULL, TUE_1630), ESC_EINVAL);
    ck_assert_status(db, esc_sweep(&stats, db, 0), ESC_EINVAL);
    ck_assert_status(db, esc_sweep(&stats, db, -5), ESC_EINVAL);
    stats.version = 99;
    ck_assert_status(db, esc_sweep(&stats, db, TUE_1630), ESC_EINVAL);
    ck_assert_status(db, esc_db_batch_begin(db), ESC_OK);
    ck_assert_status(db, esc_sweep(NULL, db, TUE_1630), ESC_EINVAL);
    ck_assert_status(db, esc_db_batch_rollback(db), ESC_OK);
    ck_assert_uint_eq(outbox_count(db, NULL), 0);

    esc_escalation_list *list = NULL;
    ck_assert_status(db, esc_escalation_list_due(NULL, db, TUE_1630, 0), ESC_EINVAL);
    ck_assert_int_eq(esc_escalation_list_due(&list, NULL, TUE_1630, 0), ESC_EINVAL);
    ck_assert_status(db, esc_escalation_list_due(&list, db, 0, 0), ESC_EINVAL);
    ck_assert_ptr_null(list);

    esc_sla_clocks *clocks = NULL;
    ck_assert_status(db, esc_escalation_sla(&clocks, db, NULL, TUE_1630), ESC_EINVAL);
    ck_assert_status(db, esc_escalation_sla(NULL, db, esc, TUE_1630), ESC_EINVAL);
    ck_assert_int_eq(esc_escalation_sla(&clocks, NULL, esc, TUE_1630), ESC_EINVAL);
    ck_assert_status(db, esc_escalation_sla(&clocks, db, esc, FRI_1630 - 1), ESC_EINVAL);
    ck_assert_ptr_null(clocks);

    /* Getters of nothing, or of a bad target, read as 0 / "". */
    ck_assert_int_eq(esc_escalation_sla_deadline(NULL, ESC_SLA_RESOLUTION), 0);
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, (esc_sla_target)3), 0);
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, (esc_sla_target)-1), 0);
    ck_assert_int_eq(esc_escalation_sla_met_at(NULL, ESC_SLA_RESOLUTION), 0);
    ck_assert_int_eq(esc_escalation_sla_margin_ms(esc, (esc_sla_target)9), 0);
    ck_assert_int_eq(esc_escalation_next_timer_at(NULL), 0);
    ck_assert_str_eq(esc_escalation_sla_policy(NULL), "");

    /* A host cannot record a firing itself. */
    esc_action a = ESC_ACTION_INIT;
    a.kind = ESC_ACTION_TIMER_FIRED;
    a.actor = AGENT;
    ck_assert_status(db, esc_apply(db, esc, &a), ESC_EINVAL);
    esc_guard guard;
    ck_assert_int_eq(esc_action_allowed(&guard, db, esc, ESC_ACTION_TIMER_FIRED, &AGENT),
                     ESC_ETRANSITION);
    ck_assert_int_eq(test_history_length(db, esc_escalation_id(esc)), 1);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* Met targets keep their elapsed time and margin, for reports. */
START_TEST(test_met_recorded)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, "p1 first_response=1h resolution=8h; p2 first_response=1h resolution=8h;"
                                        " p3 first_response=1h resolution=8h; p4 first_response=1h resolution=8h;"
                                        " p5 first_response=1h resolution=8h");
    esc_escalation *esc = open_with(db, "std");
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), TUE_1000 - 30 * MINUTE);
    test_drive_to(db, esc, ESC_STATE_PLAN);
    clock.now = FRI_1645;
    esc_action a = ESC_ACTION_INIT;
    a.kind = ESC_ACTION_SEND_UPDATE;
    a.actor = AGENT;
    a.text = "We have found the duplicate charge and are reversing it.";
    test_must(db, esc, &a);
    ck_assert_int_eq(esc_escalation_sla_met_at(esc, ESC_SLA_FIRST_RESPONSE), FRI_1645);
    ck_assert_int_eq(esc_escalation_sla_deadline(esc, ESC_SLA_FIRST_RESPONSE), 0);
    ck_assert_int_gt(esc_escalation_sla_margin_ms(esc, ESC_SLA_FIRST_RESPONSE), 0);
    ck_assert_int_le(esc_escalation_sla_margin_ms(esc, ESC_SLA_FIRST_RESPONSE), HOUR);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), TUE_1630);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* ---- what the review asked of firings ------------------------------------ */

/* A step timed a little before the last event (clock skew) is still timed,
 * and so is a sweep whose instant is older than the escalation's last step. */
START_TEST(test_clock_skew)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, RULED);
    esc_escalation *esc = open_with(db, "std");
    clock.now = FRI_1630 - 5;
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_TAG, &AGENT), ESC_OK);
    clock.now = TUE_1630 + MINUTE;
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_TAG, &AGENT), ESC_OK);
    esc_sweep_stats stats = sweep_at(db, TUE_1630);
    ck_assert_uint_eq(stats.breaches, 1);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* New policy versions neither hide a firing nor repeat one: warnings
 * dropped or added, rules reordered. */
START_TEST(test_policy_versions_keep_firings)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, "p1 resolution=8h; p2 resolution=8h; p3 resolution=8h;"
                                        " p4 resolution=8h; p5 resolution=8h; warn=50,75;"
                                        " rule resolution breach move_up");
    esc_escalation *esc = open_with(db, "std");
    ck_assert_uint_eq(sweep_at(db, TUE_1430).warnings, 1);     /* the 75% one */
    /* Dropping the warning that fired must not make the breach look fired. */
    ck_assert_status(db, esc_db_policy_put(NULL, db, "std",
                                           "p1 resolution=8h; p2 resolution=8h; p3 resolution=8h;"
                                           " p4 resolution=8h; p5 resolution=8h; warn=50;"
                                           " rule resolution breach watch=lead-7;"
                                           " rule resolution breach move_up", "berlin"),
                     ESC_OK);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), TUE_1630);
    esc_sweep_stats stats = sweep_at(db, TUE_1630);
    ck_assert_uint_eq(stats.breaches, 1);
    ck_assert_uint_eq(stats.rules, 2);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_tier(esc), 2);
    /* Adding warnings and reordering the rules again repeats nothing. */
    ck_assert_status(db, esc_db_policy_put(NULL, db, "std",
                                           "p1 resolution=8h; p2 resolution=8h; p3 resolution=8h;"
                                           " p4 resolution=8h; p5 resolution=8h; warn=50,75,90;"
                                           " rule resolution breach move_up;"
                                           " rule resolution breach watch=lead-7", "berlin"),
                     ESC_OK);
    ck_assert_uint_eq(sweep_at(db, TUE_1630 + DAY).firings, 0);
    refresh(db, &esc);
    ck_assert_int_eq(esc_escalation_tier(esc), 2);
    ck_assert_uint_eq(outbox_count(db, "sla_breach"), 1);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* After a reopen the update clock runs again, and its breach fires again. */
START_TEST(test_update_clock_after_reopen)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    ck_assert_status(db, esc_db_policy_put(NULL, db, "upd",
                                           "p1 update=2h; p2 update=2h; p3 update=2h;"
                                           " p4 update=2h; p5 update=2h", NULL), ESC_OK);
    esc_escalation *esc = open_with(db, "upd");
    test_drive_to(db, esc, ESC_STATE_OWN);
    esc_action update = ESC_ACTION_INIT;
    update.kind = ESC_ACTION_SEND_UPDATE;
    update.actor = AGENT;
    update.text = "We are on it.";
    test_must(db, esc, &update);
    ck_assert_uint_eq(sweep_at(db, clock.now + 3 * HOUR).breaches, 1);
    /* The sweep wrote to it: this snapshot is stale now. */
    clock.now += 4 * HOUR;
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_TAG, &AGENT), ESC_ECONFLICT);
    refresh(db, &esc);
    test_drive_to(db, esc, ESC_STATE_FOLLOW_UP);
    clock.now += HOUR;
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_REOPEN, &AGENT), ESC_OK);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), clock.now + 2 * HOUR);
    ck_assert_uint_eq(sweep_at(db, clock.now + 3 * HOUR).breaches, 1);
    assert_verifies(db);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* A handle with a shorter ladder still sweeps escalations on higher rungs. */
START_TEST(test_sweep_with_short_ladder)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, RULED);
    esc_escalation *esc = open_with(db, "std");
    esc_action move = ESC_ACTION_INIT;
    move.kind = ESC_ACTION_MOVE_TIER;
    move.actor = AGENT;
    move.tier = 4;
    move.brief_went_wrong = "Nothing we tried worked.";
    move.brief_tried = "Two refunds.";
    move.brief_response = "Furious.";
    test_must(db, esc, &move);
    static const char *const three[] = { "front", "back", "expert" };
    ck_assert_status(db, esc_db_set_tiers(db, three, 3), ESC_OK);
    esc_sweep_stats stats = sweep_at(db, TUE_1630);
    ck_assert_uint_eq(stats.breaches, 1);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

START_TEST(test_sweep_and_lists_bounds)
{
    test_clock clock = { FRI_1630 };
    esc_db *db = db_with_policy(&clock, EIGHT_HOURS);
    ck_assert_status(db, esc_sweep(NULL, db, ESC_CALENDAR_TIME_MAX + 1), ESC_EINVAL);
    ck_assert_status(db, esc_sweep(NULL, db, INT64_MAX), ESC_EINVAL);
    esc_escalation_list *list = NULL;
    ck_assert_status(db, esc_escalation_list_due(&list, db, TUE_1630, ESC_LIST_LIMIT_MAX + 1),
                     ESC_EINVAL);
    ck_assert_status(db, esc_escalation_list_due(&list, db, TUE_1630, SIZE_MAX), ESC_EINVAL);
    esc_outbox_list *outbox = NULL;
    ck_assert_status(db, esc_outbox_fetch(&outbox, db, ESC_LIST_LIMIT_MAX + 1), ESC_EINVAL);
    /* A clock beyond the year 9999 is a failing clock. */
    clock.now = ESC_CALENDAR_TIME_MAX + 1;
    esc_escalation *esc = NULL;
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "Far future.";
    p.customer_id = "cust-1";
    ck_assert_status(db, esc_escalation_open(&esc, db, &p), ESC_ECALLBACK);
    esc_db_close(db);
}
END_TEST

static Suite *timers_suite(void)
{
    Suite *s = suite_create("timers");
    TCase *tc = tcase_create("definitions");
    tcase_add_test(tc, test_definitions_versioned);
    tcase_add_test(tc, test_definitions_bad_input);
    tcase_add_test(tc, test_definitions_readonly);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("deadlines");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_open_deadline_berlin);
    tcase_add_test(tc, test_open_unknown_policy_changes_nothing);
    tcase_add_test(tc, test_pause_pushes_deadline);
    tcase_add_test(tc, test_definition_change_recomputes);
    tcase_add_test(tc, test_priority_change_retargets);
    tcase_add_test(tc, test_warnings_in_business_hours);
    tcase_add_test(tc, test_met_recorded);
    suite_add_tcase(s, tc);

    tc = tcase_create("sweep");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sweep_breach_moves_up_once);
    tcase_add_test(tc, test_late_sweep_collapses_warnings);
    tcase_add_test(tc, test_rules_multi_level_and_repeat);
    tcase_add_test(tc, test_reminders);
    tcase_add_test(tc, test_outbox_ack_and_survives_reopen);
    tcase_add_test(tc, test_two_sweeps_race);
    tcase_add_test(tc, test_crash_mid_sweep);
    tcase_add_test(tc, test_verify_finds_tampered_timer);
    tcase_add_test(tc, test_timer_bad_input);
    tcase_add_test(tc, test_clock_skew);
    tcase_add_test(tc, test_policy_versions_keep_firings);
    tcase_add_test(tc, test_update_clock_after_reopen);
    tcase_add_test(tc, test_sweep_with_short_ladder);
    tcase_add_test(tc, test_sweep_and_lists_bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run(timers_suite());
}
