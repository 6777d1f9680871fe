/*
 * testutil.c — shared test scaffolding (see testutil.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

const esc_person AGENT = { "agent-1", "Alex Agent", 1 };
const esc_person SUPERVISOR = { "sup-1", "Sam Supervisor", 2 };
const esc_person SPECIALIST = { "spec-1", "Kim Specialist", 3 };
const esc_person LEADER = { "lead-1", "Lee Leader", 4 };

int64_t test_clock_read(void *payload)
{
    return ((test_clock *)payload)->now;
}

const char *test_path(const char *name)
{
    static char path[1024];
    static unsigned counter;
    const char *dir = getenv("ESC_TEST_TMPDIR");
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    snprintf(path, sizeof path, "%s/%s-%ld-%u.db", dir, name, (long)getpid(), counter++);
    unlink(path);
    return path;
}

void test_remove_db(const char *path)
{
    static const char *const companions[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++) {
        char side[1100];
        snprintf(side, sizeof side, "%.1000s%s", path, companions[i]);
        unlink(side);
    }
}

esc_db *test_open(const char *path, test_clock *clock)
{
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = ESC_OPEN_CREATE;
    options.clock = test_clock_read;
    options.clock_payload = clock;
    esc_db *db = NULL;
    int rc = esc_db_open(&db, path, &options);
    ck_assert_msg(rc == ESC_OK, "open %s: %s %s", path, esc_status_name(rc), esc_db_errmsg(db));
    return db;
}

esc_db *test_open_fresh(test_clock *clock)
{
    return test_open(test_path("fresh"), clock);
}

esc_escalation *test_new_escalation(esc_db *db)
{
    esc_open_params params = ESC_OPEN_PARAMS_INIT;
    params.actor = AGENT;
    params.summary = "I was charged twice for my March invoice and the refund never came.";
    params.customer_id = "cust-42";
    params.customer_name = "Dana Customer";
    params.channel = ESC_CHANNEL_PHONE;
    params.impact = 2;
    params.urgency = 2;
    esc_escalation *esc = NULL;
    int rc = esc_escalation_open(&esc, db, &params);
    ck_assert_msg(rc == ESC_OK, "open escalation: %s %s", esc_status_name(rc), esc_db_errmsg(db));
    return esc;
}

int64_t test_history_length(esc_db *db, const char *escalation_id)
{
    esc_event_list *events = NULL;
    ck_assert_status(db, esc_history(&events, db, escalation_id), ESC_OK);
    int64_t n = (int64_t)esc_event_list_count(events);
    esc_event_list_free(events);
    return n;
}

size_t test_escalation_count(esc_db *db)
{
    esc_escalation_list *list = NULL;
    ck_assert_status(db, esc_escalation_list_query(&list, db, NULL), ESC_OK);
    size_t n = esc_escalation_list_count(list);
    esc_escalation_list_free(list);
    return n;
}

void test_must(esc_db *db, esc_escalation *esc, const esc_action *action)
{
    int rc = esc_apply(db, esc, action);
    ck_assert_msg(rc == ESC_OK, "%s in %s: %s %s", esc_action_name(action->kind),
                  esc_state_name(esc_escalation_state(esc)), esc_status_name(rc), esc_db_errmsg(db));
}

void test_fill_action(esc_action *a, esc_db *db, const esc_escalation *esc,
                      esc_action_kind kind, const esc_person *actor)
{
    ck_assert_int_eq(esc_action_init(a, ESC_ACTION_VERSION, kind), ESC_OK);
    a->actor = *actor;
    a->text = "Some words";
    a->category = "billing";
    a->person = SUPERVISOR;
    a->at = esc_db_now(db) + DAY;
    a->item = 1;
    a->yes = 1;
    a->tier = 2;
    a->customer_account = 1;
    a->hold = ESC_HOLD_CUSTOMER;
    a->impact = 3;
    a->urgency = 3;
    a->satisfaction = 4;
    a->brief_went_wrong = "The refund was lost between two systems.";
    a->brief_tried = "Re-sent the refund request twice.";
    a->brief_response = "The customer is angry and threatens to leave.";
    if (kind == ESC_ACTION_MOVE_TIER)
        a->tier = esc_escalation_tier(esc) == 1 ? 2 : 1;
    if (kind == ESC_ACTION_TAG)
        a->text = "billing";
}

int test_act(esc_db *db, esc_escalation *esc, esc_action_kind kind, const esc_person *actor)
{
    esc_action a;
    test_fill_action(&a, db, esc, kind, actor);
    return esc_apply(db, esc, &a);
}

static void step(esc_db *db, esc_escalation *esc, esc_action_kind kind)
{
    esc_action a;
    test_fill_action(&a, db, esc, kind, &SUPERVISOR);
    test_must(db, esc, &a);
}

void test_drive_to(esc_db *db, esc_escalation *esc, esc_state state)
{
    while (esc_escalation_state(esc) != state) {
        switch (esc_escalation_state(esc)) {
        case ESC_STATE_LISTEN:
            step(db, esc, ESC_ACTION_NOTE);
            step(db, esc, ESC_ACTION_ADVANCE);
            break;
        case ESC_STATE_CLARIFY:
            step(db, esc, ESC_ACTION_STATE_PROBLEM);
            step(db, esc, ESC_ACTION_CONFIRM_PROBLEM);
            break;
        case ESC_STATE_PLAN:
            step(db, esc, ESC_ACTION_ADD_STEP);
            step(db, esc, ESC_ACTION_PROMISE);
            step(db, esc, ESC_ACTION_TAKE_OWNERSHIP);
            break;
        case ESC_STATE_OWN:
            step(db, esc, ESC_ACTION_RECORD_RESOLUTION);
            break;
        case ESC_STATE_FOLLOW_UP:
            step(db, esc, ESC_ACTION_CONFIRM_RESOLVED);
            break;
        case ESC_STATE_RESOLVED:
            step(db, esc, ESC_ACTION_CLOSE);
            break;
        case ESC_STATE_CLOSED:
            ck_abort_msg("cannot drive a closed escalation to %s", esc_state_name(state));
            return;
        }
    }
}

int test_run(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
