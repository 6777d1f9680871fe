/*
 * testutil.h — what every test program shares: a clock the test moves by
 * hand, fresh database files in the test scratch directory, the usual cast
 * of people, and a way to drive an escalation to any state.
 */
#ifndef ESC_TESTUTIL_H
#define ESC_TESTUTIL_H

#include <check.h>
#include <escalate.h>

/* 2026-01-05 09:00:00 UTC, a Monday: every test starts here. */
#define T0 INT64_C(1767603600000)
#define MINUTE INT64_C(60000)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

typedef struct test_clock {
    int64_t now;
} test_clock;

int64_t test_clock_read(void *payload);

/* People on the default ladder. */
extern const esc_person AGENT;       /* tier 1, frontline */
extern const esc_person SUPERVISOR;  /* tier 2 */
extern const esc_person SPECIALIST;  /* tier 3 */
extern const esc_person LEADER;      /* tier 4 */

/* A new, unique path under $ESC_TEST_TMPDIR (or /tmp); the file does not
 * exist yet.  Returned in a static buffer: copy it to keep it. */
const char *test_path(const char *name);

/* Remove a database file and its companions (-wal, -shm, -journal). */
void test_remove_db(const char *path);

/* Open (creating) a fresh database driven by clock; fails the test on error. */
esc_db *test_open(const char *path, test_clock *clock);
/* Open a fresh database in a new file. */
esc_db *test_open_fresh(test_clock *clock);

/* Open an escalation with sensible defaults (impact 2, urgency 2). */
esc_escalation *test_new_escalation(esc_db *db);

/* How many events the escalation's history holds (fails the test on error). */
int64_t test_history_length(esc_db *db, const char *escalation_id);

/* How many escalations a list with no filter returns. */
size_t test_escalation_count(esc_db *db);

/* Fill a with ordinary valid arguments for kind (every field a kind may
 * use), as a host would; callers adjust what their test needs. */
void test_fill_action(esc_action *a, esc_db *db, const esc_escalation *esc,
                      esc_action_kind kind, const esc_person *actor);

/* Apply one action of kind by actor with the fields most tests need;
 * returns the status. */
int test_act(esc_db *db, esc_escalation *esc, esc_action_kind kind, const esc_person *actor);

/* Apply an action that must succeed (fails the test with the message). */
void test_must(esc_db *db, esc_escalation *esc, const esc_action *action);

/* Drive esc forward until it reaches state (by the ordinary happy path;
 * ESC_STATE_CLOSED through resolve and close). */
void test_drive_to(esc_db *db, esc_escalation *esc, esc_state state);

/* Run a Check suite, TAP-friendly; returns the process exit status. */
int test_run(Suite *suite);

/* Assert a status and print the handle's message when it differs. */
#define ck_assert_status(db, expr, expected)                                          \
    do {                                                                              \
        int status_ = (expr);                                                         \
        ck_assert_msg(status_ == (expected), "%s returned %s (%s), expected %s",      \
                      #expr, esc_status_name(status_), esc_db_errmsg(db),             \
                      esc_status_name(expected));                                      \
    } while (0)


/* SQL that takes a current database back to schema version 3, and on
 * back to version 2 (TEST_DOWNGRADE_TO_V2_SQL does both), and one at
 * version 2 back to version 1: the migration tests build old files so. */
#define TEST_DOWNGRADE_TO_V3_SQL \
    "ALTER TABLE events DROP COLUMN hash; ALTER TABLE escalations DROP COLUMN opened_by;" \
    "ALTER TABLE escalations DROP COLUMN chain_head;" \
    "PRAGMA user_version = 3;"
#define TEST_DOWNGRADE_TO_V2_SQL \
    TEST_DOWNGRADE_TO_V3_SQL \
    "DROP INDEX escalations_by_next_timer; DROP INDEX escalations_by_policy;" \
    "DROP TABLE calendars; DROP TABLE policies; DROP TABLE outbox;" \
    "ALTER TABLE escalations DROP COLUMN sla_policy;" \
    "ALTER TABLE escalations DROP COLUMN reminded_until;" \
    "ALTER TABLE escalations DROP COLUMN first_response_due;" \
    "ALTER TABLE escalations DROP COLUMN first_response_met_at;" \
    "ALTER TABLE escalations DROP COLUMN first_response_margin;" \
    "ALTER TABLE escalations DROP COLUMN update_due;" \
    "ALTER TABLE escalations DROP COLUMN update_met_at;" \
    "ALTER TABLE escalations DROP COLUMN update_margin;" \
    "ALTER TABLE escalations DROP COLUMN resolution_due;" \
    "ALTER TABLE escalations DROP COLUMN resolution_met_at;" \
    "ALTER TABLE escalations DROP COLUMN resolution_margin;" \
    "ALTER TABLE escalations DROP COLUMN next_timer_at;" \
    "PRAGMA user_version = 2;"
#define TEST_DOWNGRADE_V2_TO_V1_SQL \
    "DROP INDEX escalations_by_state; DROP INDEX escalations_by_owner;" \
    "DROP INDEX escalations_by_customer; DROP INDEX escalations_by_due;" \
    "DROP INDEX items_tags; DROP TRIGGER events_no_update;" \
    "DROP TRIGGER events_no_delete; PRAGMA user_version = 1;"

#endif /* ESC_TESTUTIL_H */
