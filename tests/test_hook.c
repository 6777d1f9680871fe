/*
 * test_hook.c — the host callbacks: the event hook sees every committed
 * event exactly once, and only committed ones (batches included); a clock
 * that reports failure refuses the step with ESC_ECALLBACK and changes
 * nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define SEEN_MAX 64

typedef struct seen_events {
    int count;
    int64_t seq[SEEN_MAX];
    esc_action_kind action[SEEN_MAX];
    char escalation_id[SEEN_MAX][37];
} seen_events;

static void record_event(const esc_event *event, void *payload)
{
    seen_events *seen = payload;
    ck_assert_int_lt(seen->count, SEEN_MAX);
    seen->seq[seen->count] = esc_event_seq(event);
    seen->action[seen->count] = esc_event_action(event);
    memcpy(seen->escalation_id[seen->count], esc_event_escalation_id(event), 37);
    seen->count++;
}

static esc_action note(const char *text)
{
    esc_action a = ESC_ACTION_INIT;
    a.kind = ESC_ACTION_NOTE;
    a.actor = AGENT;
    a.text = text;
    a.customer_account = 1;
    return a;
}

START_TEST(test_hook_sees_each_commit_once)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    seen_events seen = { 0 };
    ck_assert_int_eq(esc_db_set_event_hook(db, record_event, &seen), ESC_OK);
    esc_escalation *esc = test_new_escalation(db);
    ck_assert_int_eq(seen.count, 1);
    ck_assert_int_eq(seen.action[0], ESC_ACTION_OPEN);
    ck_assert_str_eq(seen.escalation_id[0], esc_escalation_id(esc));

    esc_action a = note("It happened again.");
    test_must(db, esc, &a);
    ck_assert_int_eq(seen.count, 2);
    ck_assert_int_eq(seen.seq[1], 2);
    ck_assert_int_eq(seen.action[1], ESC_ACTION_NOTE);

    /* A refused action commits nothing and so tells the hook nothing. */
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_CLOSE, &AGENT), ESC_ETRANSITION);
    ck_assert_int_eq(seen.count, 2);

    /* Removing the hook stops the calls. */
    ck_assert_int_eq(esc_db_set_event_hook(db, NULL, NULL), ESC_OK);
    test_must(db, esc, &a);
    ck_assert_int_eq(seen.count, 2);
    ck_assert_int_eq(esc_db_set_event_hook(NULL, record_event, &seen), ESC_EINVAL);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

START_TEST(test_hook_waits_for_the_batch)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    seen_events seen = { 0 };
    esc_db_set_event_hook(db, record_event, &seen);
    esc_action a = note("First call.");

    ck_assert_status(db, esc_db_batch_begin(db), ESC_OK);
    test_must(db, esc, &a);
    test_must(db, esc, &a);
    /* A refused step inside the batch adds nothing to the queue. */
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_CLOSE, &AGENT), ESC_ETRANSITION);
    ck_assert_int_eq(seen.count, 0);
    ck_assert_status(db, esc_db_batch_commit(db), ESC_OK);
    ck_assert_int_eq(seen.count, 2);
    ck_assert_int_eq(seen.seq[0], 2);
    ck_assert_int_eq(seen.seq[1], 3);

    /* A rolled-back batch was never committed: the hook never hears of it. */
    esc_escalation *before = NULL;
    ck_assert_int_eq(esc_escalation_dup(&before, esc), ESC_OK);
    ck_assert_status(db, esc_db_batch_begin(db), ESC_OK);
    test_must(db, esc, &a);
    ck_assert_status(db, esc_db_batch_rollback(db), ESC_OK);
    ck_assert_int_eq(seen.count, 2);

    /* Nor of a batch left open when the handle closes. */
    ck_assert_status(db, esc_db_batch_begin(db), ESC_OK);
    test_must(db, before, &a);
    esc_db_close(db);
    ck_assert_int_eq(seen.count, 2);
    esc_escalation_free(before);
    esc_escalation_free(esc);
}
END_TEST

static int64_t failing_clock(void *payload)
{
    const int *fail = payload;
    return *fail ? -1 : T0;
}

START_TEST(test_failing_clock_refuses_the_step)
{
    int fail = 0;
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = ESC_OPEN_CREATE;
    options.clock = failing_clock;
    options.clock_payload = &fail;
    esc_db *db = NULL;
    ck_assert_int_eq(esc_db_open(&db, test_path("clock"), &options), ESC_OK);
    esc_escalation *esc = test_new_escalation(db);
    int64_t version = esc_escalation_version(esc);

    fail = 1;
    esc_action a = note("Anything.");
    ck_assert_status(db, esc_apply(db, esc, &a), ESC_ECALLBACK);
    ck_assert_ptr_nonnull(strstr(esc_db_errmsg(db), "clock"));
    ck_assert_int_eq(esc_escalation_version(esc), version);

    esc_open_params params = ESC_OPEN_PARAMS_INIT;
    params.actor = AGENT;
    params.summary = "Another problem.";
    params.customer_id = "cust-7";
    esc_escalation *other = NULL;
    ck_assert_status(db, esc_escalation_open(&other, db, &params), ESC_ECALLBACK);
    ck_assert_ptr_null(other);

    /* A replaced clock is used from the next call on; NULL restores the
     * system clock. */
    test_clock fixed = { T0 + DAY };
    ck_assert_int_eq(esc_db_set_clock(db, test_clock_read, &fixed), ESC_OK);
    ck_assert_int_eq(esc_db_now(db), T0 + DAY);
    ck_assert_int_eq(esc_db_set_clock(db, NULL, NULL), ESC_OK);
    ck_assert_int_gt(esc_db_now(db), T0 + DAY);
    ck_assert_int_eq(esc_db_set_clock(NULL, test_clock_read, &fixed), ESC_EINVAL);
    ck_assert_int_eq(esc_db_set_clock(db, failing_clock, &fail), ESC_OK);

    fail = 0;
    esc_escalation_list *list = NULL;
    ck_assert_int_eq(esc_escalation_list_query(&list, db, NULL), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(list), 1);
    esc_escalation_list_free(list);
    esc_event_list *history = NULL;
    ck_assert_int_eq(esc_history(&history, db, esc_escalation_id(esc)), ESC_OK);
    ck_assert_uint_eq(esc_event_list_count(history), (size_t)version);
    esc_event_list_free(history);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("hook");
    TCase *tc = tcase_create("event_hook");
    tcase_add_test(tc, test_hook_sees_each_commit_once);
    tcase_add_test(tc, test_hook_waits_for_the_batch);
    suite_add_tcase(suite, tc);
    tc = tcase_create("clock");
    tcase_add_test(tc, test_failing_clock_refuses_the_step);
    suite_add_tcase(suite, tc);
    return test_run(suite);
}
