/*
 * test_verify.c — the event log is the truth: esc_db_verify() replays it
 * and reports every current row or item that disagrees (naming the
 * escalation and the field), esc_db_rebuild() rewrites the rows from it,
 * the log itself cannot be edited in place, and a damaged log is reported
 * by verify and refused by rebuild without touching a single row.
 * Tampering is done the way an outsider would: through the sqlite3 API.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "testutil.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ESCALATIONS 5

/* A database of ESCALATIONS escalations in different states, closed.
 * ids are sorted, so a rebuild (which walks them in id order) reaches
 * ids[0] first and ids[TARGET] last. */
typedef struct verify_db {
    char path[1024];
    char ids[ESCALATIONS][37];
    size_t events;
} verify_db;

/* The escalation the tampering aims at: owned, with two notes, a promise
 * and no tags. */
#define TARGET (ESCALATIONS - 1)

static int by_id(const void *a, const void *b)
{
    return strcmp(esc_escalation_id(*(esc_escalation *const *)a),
                  esc_escalation_id(*(esc_escalation *const *)b));
}

static void make_verify_db(verify_db *v)
{
    int n = snprintf(v->path, sizeof v->path, "%s", test_path("verify"));
    ck_assert(n > 0 && (size_t)n < sizeof v->path);
    test_clock clock = { T0 };
    esc_db *db = test_open(v->path, &clock);
    esc_escalation *escs[ESCALATIONS];
    for (int i = 0; i < ESCALATIONS; i++)
        escs[i] = test_new_escalation(db);
    qsort(escs, ESCALATIONS, sizeof escs[0], by_id);
    /* ids[0] .. ids[3]: closed, listen with a tag, clarify, follow-up. */
    static const esc_state states[ESCALATIONS - 1] = {
        ESC_STATE_CLOSED, ESC_STATE_LISTEN, ESC_STATE_CLARIFY, ESC_STATE_FOLLOW_UP,
    };
    for (int i = 0; i < ESCALATIONS - 1; i++) {
        clock.now += HOUR;
        test_drive_to(db, escs[i], states[i]);
    }
    ck_assert_status(db, test_act(db, escs[1], ESC_ACTION_TAG, &AGENT), ESC_OK);
    test_drive_to(db, escs[TARGET], ESC_STATE_OWN);
    ck_assert_status(db, test_act(db, escs[TARGET], ESC_ACTION_NOTE, &SUPERVISOR), ESC_OK);
    ck_assert_uint_eq(esc_escalation_item_count(escs[TARGET], ESC_ITEM_NOTE), 2);
    ck_assert_uint_eq(esc_escalation_item_count(escs[TARGET], ESC_ITEM_TAG), 0);
    ck_assert_int_gt(esc_escalation_due_at(escs[TARGET]), 0);
    v->events = 0;
    for (int i = 0; i < ESCALATIONS; i++) {
        snprintf(v->ids[i], sizeof v->ids[i], "%s", esc_escalation_id(escs[i]));
        v->events += (size_t)esc_escalation_version(escs[i]);
        esc_escalation_free(escs[i]);
    }
    esc_db_close(db);
}

static esc_db *open_verify_db(const verify_db *v, unsigned int flags)
{
    static test_clock clock = { T0 + 30 * DAY };
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = flags;
    options.clock = test_clock_read;
    options.clock_payload = &clock;
    esc_db *db = NULL;
    int rc = esc_db_open(&db, v->path, &options);
    ck_assert_msg(rc == ESC_OK, "open: %s %s", esc_status_name(rc), esc_db_errmsg(db));
    return db;
}

/* Run SQL on the file of v through a plain SQLite connection; sql is an
 * sqlite3_mprintf() format whose every %Q is id.  Returns the SQLite
 * result; message gets its text. */
static int tamper_id(const verify_db *v, const char *id, const char *sql, char *message,
                     size_t size)
{
    char *text = sqlite3_mprintf(sql, id, id, id);
    ck_assert_ptr_nonnull(text);
    sqlite3 *sqlite = NULL;
    ck_assert_int_eq(sqlite3_open_v2(v->path, &sqlite, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    char *error = NULL;
    int rc = sqlite3_exec(sqlite, text, NULL, NULL, &error);
    if (message != NULL)
        snprintf(message, size, "%s", error ? error : "");
    if (rc == SQLITE_OK)
        ck_assert_int_gt(sqlite3_total_changes(sqlite), 0);
    sqlite3_free(error);
    sqlite3_free(text);
    sqlite3_close(sqlite);
    return rc;
}

/* Tamper with the target escalation. */
static int tamper(const verify_db *v, const char *sql, char *message, size_t size)
{
    return tamper_id(v, v->ids[TARGET], sql, message, size);
}

static void must_tamper_id(const verify_db *v, const char *id, const char *sql)
{
    char message[256];
    int rc = tamper_id(v, id, sql, message, sizeof message);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, message);
}

/* Every row of a table as text, in key order: equal fingerprints, equal
 * tables. */
static char *fingerprint(const verify_db *v, const char *table_query)
{
    sqlite3 *sqlite = NULL;
    sqlite3_stmt *stmt = NULL;
    ck_assert_int_eq(sqlite3_open_v2(v->path, &sqlite, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int rc = sqlite3_prepare_v2(sqlite, table_query, -1, &stmt, NULL);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", table_query, sqlite3_errmsg(sqlite));
    sqlite3_str *out = sqlite3_str_new(sqlite);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(stmt); c++) {
            /* The write token is renewed by every write, rebuild included,
             * so that older snapshots go stale; it is not content. */
            if (strcmp(sqlite3_column_name(stmt, c), "token") == 0)
                continue;
            if (sqlite3_column_type(stmt, c) == SQLITE_NULL)
                sqlite3_str_appendall(out, "<null>");
            else
                sqlite3_str_appendf(out, "%Q", (const char *)sqlite3_column_text(stmt, c));
            sqlite3_str_appendchar(out, 1, '|');
        }
        sqlite3_str_appendchar(out, 1, '\n');
    }
    ck_assert_int_eq(rc, SQLITE_DONE);
    sqlite3_finalize(stmt);
    char *text = sqlite3_str_finish(out);
    sqlite3_close(sqlite);
    /* Copied into malloc'd memory so callers need not know about sqlite3_free. */
    char *copy = strdup(text ? text : "");
    sqlite3_free(text);
    ck_assert_ptr_nonnull(copy);
    return copy;
}

#define ROWS_QUERY "SELECT * FROM escalations ORDER BY id"
#define ITEMS_QUERY "SELECT * FROM items ORDER BY escalation_id, kind, number"
#define EVENTS_QUERY "SELECT * FROM events ORDER BY escalation_id, seq"

/* Current rows and items together. */
static char *rows_fingerprint(const verify_db *v)
{
    char *rows = fingerprint(v, ROWS_QUERY);
    char *items = fingerprint(v, ITEMS_QUERY);
    size_t len = strlen(rows) + strlen(items) + 2;
    char *both = malloc(len);
    ck_assert_ptr_nonnull(both);
    snprintf(both, len, "%s\n%s", rows, items);
    free(rows);
    free(items);
    return both;
}

static void assert_same_text(char *expected, char *actual, const char *what)
{
    int same = strcmp(expected, actual) == 0;
    free(expected);
    free(actual);
    ck_assert_msg(same, "%s changed", what);
}

/* Verify through db: the counts, and exactly the mismatches expected (at
 * most one, on the target, with what containing field). */
static void assert_verify(esc_db *db, const verify_db *v, const char *field)
{
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_ptr_nonnull(report);
    ck_assert_uint_eq(esc_verify_report_escalations(report), ESCALATIONS);
    size_t count = esc_verify_report_mismatch_count(report);
    if (field == NULL) {
        ck_assert_msg(count == 0, "unexpected mismatch: %s: %s",
                      esc_verify_report_mismatch_id(report, 0),
                      esc_verify_report_mismatch_what(report, 0));
        ck_assert_uint_eq(esc_verify_report_events(report), v->events);
    } else {
        ck_assert_msg(count == 1, "%zu mismatches (expected one about %s)", count, field);
        ck_assert_str_eq(esc_verify_report_mismatch_id(report, 0), v->ids[TARGET]);
        const char *what = esc_verify_report_mismatch_what(report, 0);
        ck_assert_ptr_nonnull(what);
        ck_assert_msg(strstr(what, field) != NULL, "mismatch \"%s\" does not name %s", what, field);
    }
    ck_assert_ptr_null(esc_verify_report_mismatch_id(report, count));
    ck_assert_ptr_null(esc_verify_report_mismatch_what(report, count));
    esc_verify_report_free(report);
}

/* ---- a healthy database --------------------------------------------------------- */

START_TEST(test_verify_healthy)
{
    verify_db v;
    make_verify_db(&v);
    static const unsigned int flags[] = { ESC_OPEN_READWRITE, ESC_OPEN_READONLY };
    for (size_t f = 0; f < ARRAY_SIZE(flags); f++) {
        esc_db *db = open_verify_db(&v, flags[f]);
        assert_verify(db, &v, NULL);
        esc_db_close(db);
    }
}
END_TEST

START_TEST(test_verify_empty)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_escalations(report), 0);
    ck_assert_uint_eq(esc_verify_report_events(report), 0);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    esc_verify_report_free(report);
    size_t rebuilt = 99;
    ck_assert_status(db, esc_db_rebuild(&rebuilt, db), ESC_OK);
    ck_assert_uint_eq(rebuilt, 0);
    ck_assert_status(db, esc_db_verify(NULL, db), ESC_EINVAL);
    esc_db_close(db);
}
END_TEST

START_TEST(test_rebuild_healthy_changes_nothing)
{
    verify_db v;
    make_verify_db(&v);
    char *rows = rows_fingerprint(&v);
    char *events = fingerprint(&v, EVENTS_QUERY);
    esc_db *db = open_verify_db(&v, ESC_OPEN_READWRITE);
    size_t rebuilt = 0;
    ck_assert_status(db, esc_db_rebuild(&rebuilt, db), ESC_OK);
    ck_assert_uint_eq(rebuilt, ESCALATIONS);
    ck_assert_status(db, esc_db_rebuild(NULL, db), ESC_OK);
    assert_verify(db, &v, NULL);
    esc_db_close(db);
    assert_same_text(rows, rows_fingerprint(&v), "a rebuild of healthy rows");
    assert_same_text(events, fingerprint(&v, EVENTS_QUERY), "the event log");
}
END_TEST

/* ---- tampered current rows ---------------------------------------------------------- */

static const struct row_tamper {
    const char *name;
    const char *sql;
    const char *field;  /* what the mismatch must name */
} row_tampers[] = {
    { "state", "UPDATE escalations SET state = 3 - state WHERE id = %Q", "state" },
    { "priority", "UPDATE escalations SET priority = priority %% 5 + 1 WHERE id = %Q", "priority" },
    { "owner name", "UPDATE escalations SET owner_name = 'Mallory' WHERE id = %Q", "owner_name" },
    { "version", "UPDATE escalations SET version = version + 1 WHERE id = %Q", "version" },
    { "summary", "UPDATE escalations SET summary = 'Rewritten' WHERE id = %Q", "summary" },
    { "due time", "UPDATE escalations SET due_at = due_at + 1 WHERE id = %Q", "due_at" },
    { "impossible state", "UPDATE escalations SET state = 42 WHERE id = %Q", "state" },
    { "last note deleted",
      "DELETE FROM items WHERE escalation_id = %Q AND kind = 0 AND number = 2", "note" },
    { "first note deleted",
      "DELETE FROM items WHERE escalation_id = %Q AND kind = 0 AND number = 1", "item" },
    { "note rewritten",
      "UPDATE items SET text = 'Never said' WHERE escalation_id = %Q AND kind = 0 AND number = 1",
      "text" },
    { "tag added",
      "INSERT INTO items (escalation_id, kind, number, text, tier, at, flag, status, created_at)"
      " VALUES (%Q, 8, 1, 'injected', 0, 0, 0, 0, 0)", "tag" },
    { "current row deleted",
      "DELETE FROM items WHERE escalation_id = %Q; DELETE FROM escalations WHERE id = %Q",
      "current row" },
};

START_TEST(test_tampered_row_found_and_rebuilt)
{
    const struct row_tamper *t = &row_tampers[_i];
    verify_db v;
    make_verify_db(&v);
    char *rows = rows_fingerprint(&v);
    char *events = fingerprint(&v, EVENTS_QUERY);
    must_tamper_id(&v, v.ids[TARGET], t->sql);

    esc_db *db = open_verify_db(&v, ESC_OPEN_READWRITE);
    assert_verify(db, &v, t->field);
    /* A read-only handle sees the same, and may not repair it. */
    esc_db *reader = open_verify_db(&v, ESC_OPEN_READONLY);
    assert_verify(reader, &v, t->field);
    size_t rebuilt = 99;
    ck_assert_status(reader, esc_db_rebuild(&rebuilt, reader), ESC_EREADONLY);
    ck_assert_uint_eq(rebuilt, 0);
    esc_db_close(reader);

    ck_assert_status(db, esc_db_rebuild(&rebuilt, db), ESC_OK);
    ck_assert_uint_eq(rebuilt, ESCALATIONS);
    assert_verify(db, &v, NULL);
    /* Rebuilt exactly as it was before the tampering; the log untouched. */
    assert_same_text(rows, rows_fingerprint(&v), "the rebuilt rows");
    assert_same_text(events, fingerprint(&v, EVENTS_QUERY), "the event log");
    /* And the repaired escalation is usable again. */
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_get(&esc, db, v.ids[TARGET]), ESC_OK);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_OWN);
    ck_assert_status(db, test_act(db, esc, ESC_ACTION_SEND_UPDATE, &SUPERVISOR), ESC_OK);
    esc_escalation_free(esc);
    v.events++;
    assert_verify(db, &v, NULL);
    esc_db_close(db);
}
END_TEST

/* ---- the event log ------------------------------------------------------------------ */

START_TEST(test_events_are_append_only)
{
    verify_db v;
    make_verify_db(&v);
    char *events = fingerprint(&v, EVENTS_QUERY);
    static const char *const edits[] = {
        "UPDATE events SET payload = '{}' WHERE escalation_id = %Q AND seq = 2",
        "UPDATE events SET seq = seq + 100 WHERE escalation_id = %Q",
        "DELETE FROM events WHERE escalation_id = %Q AND seq = 2",
        "DELETE FROM events",
    };
    for (size_t i = 0; i < ARRAY_SIZE(edits); i++) {
        char message[256];
        int rc = tamper(&v, edits[i], message, sizeof message);
        ck_assert_msg((rc & 0xff) == SQLITE_CONSTRAINT, "%s: %s (%s)", edits[i],
                      sqlite3_errstr(rc), message);
        ck_assert_msg(strstr(message, "immutable") != NULL, "%s: %s", edits[i], message);
    }
    assert_same_text(events, fingerprint(&v, EVENTS_QUERY), "the append-only event log");
    esc_db *db = open_verify_db(&v, ESC_OPEN_READWRITE);
    assert_verify(db, &v, NULL);
    esc_db_close(db);
}
END_TEST

#define UNLOCK_EVENTS "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;"

/* Event 2 of the target is its customer note (driven from listen). */
static const struct event_tamper {
    const char *name;
    const char *sql;
    const char *what;  /* what the mismatch must mention */
} event_tampers[] = {
    { "garbage payload",
      UNLOCK_EVENTS "UPDATE events SET payload = 'not json {' WHERE escalation_id = %Q AND seq = 2",
      "event 2" },
    { "unknown key",
      UNLOCK_EVENTS "UPDATE events SET payload = '{\"text\":\"Hi\",\"surprise\":1}'"
      " WHERE escalation_id = %Q AND seq = 2", "event 2" },
    { "key of another action",
      UNLOCK_EVENTS "UPDATE events SET payload = '{\"text\":\"Hi\",\"tier\":2}'"
      " WHERE escalation_id = %Q AND seq = 2", "event 2" },
    { "wrong type",
      UNLOCK_EVENTS "UPDATE events SET payload = '{\"text\":42}' WHERE escalation_id = %Q AND seq = 2",
      "event 2" },
    { "truncated payload",
      UNLOCK_EVENTS "UPDATE events SET payload = substr(payload, 1, length(payload) - 1)"
      " WHERE escalation_id = %Q AND seq = 2", "event 2" },
    { "empty payload",
      UNLOCK_EVENTS "UPDATE events SET payload = '' WHERE escalation_id = %Q AND seq = 2",
      "event 2" },
    { "sequence gap",
      UNLOCK_EVENTS "DELETE FROM events WHERE escalation_id = %Q AND seq = 3", "sequence" },
    { "sequence jump at the end",
      UNLOCK_EVENTS "UPDATE events SET seq = seq + 5 WHERE escalation_id = %Q"
      " AND seq = (SELECT max(seq) FROM events WHERE escalation_id = %Q)", "sequence" },
    { "open event missing",
      UNLOCK_EVENTS "DELETE FROM events WHERE escalation_id = %Q AND seq = 1", "sequence" },
    { "every event deleted",
      UNLOCK_EVENTS "DELETE FROM events WHERE escalation_id = %Q", "event" },
    { "first event not an open",
      UNLOCK_EVENTS "UPDATE events SET action = 1 WHERE escalation_id = %Q AND seq = 1", "event 1" },
    { "step the lifecycle forbids",
      UNLOCK_EVENTS "UPDATE events SET action = 20, payload = '{}'"
      " WHERE escalation_id = %Q AND seq = 2", "event 2" },
    { "recorded state contradicts replay",
      UNLOCK_EVENTS "UPDATE events SET to_state = 5 WHERE escalation_id = %Q AND seq = 2",
      "event 2" },
    { "impossible action",
      UNLOCK_EVENTS "UPDATE events SET action = 99 WHERE escalation_id = %Q AND seq = 2", "event" },
    { "impossible state",
      UNLOCK_EVENTS "UPDATE events SET from_state = -1 WHERE escalation_id = %Q AND seq = 2",
      "event" },
    { "tier move without its brief (replay must not crash)",
      UNLOCK_EVENTS "UPDATE events SET action = 22, to_state = 0, payload = '{\"tier\":2}'"
      " WHERE escalation_id = %Q AND seq = 2", "event 2" },
    /* Edits the lifecycle cannot see; only the hash chain can. */
    { "actor renamed",
      UNLOCK_EVENTS "UPDATE events SET actor_name = 'Mallory' WHERE escalation_id = %Q AND seq = 2",
      "hash" },
    { "customer's words changed in the event and the row alike",
      UNLOCK_EVENTS "UPDATE events SET payload = '{\"text\":\"All fine.\",\"customer_account\":true}'"
      " WHERE escalation_id = %Q AND seq = 2;"
      "UPDATE items SET text = 'All fine.' WHERE escalation_id = %Q AND kind = 0 AND number = 1",
      "hash" },
    { "last hash blanked",
      UNLOCK_EVENTS "UPDATE events SET hash = '' WHERE escalation_id = %Q"
      " AND seq = (SELECT max(seq) FROM events WHERE escalation_id = %Q)", "hash" },
    { "payload not UTF-8",
      UNLOCK_EVENTS "UPDATE events SET payload = CAST(X'7B2274657874223A2280FF227D' AS TEXT)"
      " WHERE escalation_id = %Q AND seq = 2", "event 2" },
};

START_TEST(test_tampered_event_found_rebuild_refused)
{
    const struct event_tamper *t = &event_tampers[_i];
    verify_db v;
    make_verify_db(&v);
    char message[256];
    int rc = tamper(&v, t->sql, message, sizeof message);
    if (rc != SQLITE_OK) {
        /* NOT NULL and friends may refuse an edit outright: then the log is
         * still whole and must verify clean. */
        ck_assert_msg((rc & 0xff) == SQLITE_CONSTRAINT, "%s: %s", t->name, message);
        esc_db *db = open_verify_db(&v, ESC_OPEN_READWRITE);
        assert_verify(db, &v, NULL);
        esc_db_close(db);
        return;
    }
    /* Another escalation's row is tampered too: rebuild reaches it first
     * (ids[0] < ids[TARGET]), so a rebuild that is not all-or-nothing
     * would leave it repaired. */
    must_tamper_id(&v, v.ids[0], "UPDATE escalations SET priority = priority %% 5 + 1 WHERE id = %Q");
    char *rows = rows_fingerprint(&v);

    esc_db *db = open_verify_db(&v, ESC_OPEN_READWRITE);
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_escalations(report), ESCALATIONS);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 2);
    int seen_target = 0, seen_other = 0;
    char target_what[256] = "";
    for (size_t i = 0; i < 2; i++) {
        const char *id = esc_verify_report_mismatch_id(report, i);
        const char *what = esc_verify_report_mismatch_what(report, i);
        if (strcmp(id, v.ids[TARGET]) == 0) {
            seen_target = 1;
            snprintf(target_what, sizeof target_what, "%s", what);
            ck_assert_msg(strstr(what, t->what) != NULL, "%s: mismatch \"%s\" does not mention %s",
                          t->name, what, t->what);
        } else {
            ck_assert_str_eq(id, v.ids[0]);
            ck_assert_msg(strstr(what, "priority") != NULL, "%s", what);
            seen_other = 1;
        }
    }
    ck_assert(seen_target && seen_other);
    esc_verify_report_free(report);

    size_t rebuilt = 99;
    ck_assert_status(db, esc_db_rebuild(&rebuilt, db), ESC_ECORRUPT);
    ck_assert_uint_eq(rebuilt, 0);
    ck_assert_msg(strstr(esc_db_errmsg(db), v.ids[TARGET]) != NULL,
                  "the message does not name the damaged escalation: %s", esc_db_errmsg(db));
    /* ...and says what is wrong with it, as verify did. */
    ck_assert_msg(strstr(esc_db_errmsg(db), target_what) != NULL,
                  "the message \"%s\" does not say what verify found: \"%s\"", esc_db_errmsg(db),
                  target_what);
    /* Not a row was rewritten, not even the one rebuild reached first. */
    assert_same_text(rows, rows_fingerprint(&v), "the rows after a refused rebuild");
    /* The handle is still good, and the failed rebuild left no lock. */
    esc_escalation *other = NULL;
    ck_assert_status(db, esc_escalation_get(&other, db, v.ids[1]), ESC_OK);
    ck_assert_status(db, test_act(db, other, ESC_ACTION_TAG, &AGENT), ESC_OK);
    esc_escalation_free(other);
    esc_db_close(db);
}
END_TEST

static Suite *verify_suite(void)
{
    Suite *s = suite_create("verify");

    TCase *tc = tcase_create("healthy");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_verify_healthy);
    tcase_add_test(tc, test_verify_empty);
    tcase_add_test(tc, test_rebuild_healthy_changes_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("tampered_rows");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_tampered_row_found_and_rebuilt, 0, (int)ARRAY_SIZE(row_tampers));
    suite_add_tcase(s, tc);

    tc = tcase_create("event_log");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_events_are_append_only);
    tcase_add_loop_test(tc, test_tampered_event_found_rebuild_refused, 0,
                        (int)ARRAY_SIZE(event_tampers));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run(verify_suite());
}
