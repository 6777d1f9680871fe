/*
 * test_concurrency.c — optimistic concurrency: a stale snapshot is refused
 * with ESC_ECONFLICT and writes nothing; writers in two threads (a handle
 * each) and in two processes racing on one escalation lose no update and
 * leave a gapless history; a writer blocked by another handle's batch gets
 * ESC_EBUSY after its busy timeout and changes nothing.
 */
#define _GNU_SOURCE

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "testutil.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Notes each racing writer adds. */
#define RACE_NOTES 60
/* Retries of one note before a writer gives up (a livelock, not bad luck). */
#define RACE_MAX_ATTEMPTS 10000

static esc_db *open_with_timeout(const char *path, test_clock *clock, int busy_timeout_ms)
{
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.busy_timeout_ms = busy_timeout_ms;
    options.clock = test_clock_read;
    options.clock_payload = clock;
    esc_db *db = NULL;
    int rc = esc_db_open(&db, path, &options);
    ck_assert_msg(rc == ESC_OK, "open %s: %s %s", path, esc_status_name(rc), esc_db_errmsg(db));
    return db;
}

static esc_escalation *fetch(esc_db *db, const char *id)
{
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_get(&esc, db, id), ESC_OK);
    return esc;
}

static void assert_verify_clean(esc_db *db, size_t escalations)
{
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_msg(esc_verify_report_mismatch_count(report) == 0, "verify: %s: %s",
                  esc_verify_report_mismatch_id(report, 0), esc_verify_report_mismatch_what(report, 0));
    ck_assert_uint_eq(esc_verify_report_escalations(report), escalations);
    esc_verify_report_free(report);
}

/* A fresh database file holding one escalation with a customer note (so
 * that it may advance); the handle is closed again. */
static void make_race_db(char *path, size_t size, char id[37])
{
    int n = snprintf(path, size, "%s", test_path("race"));
    ck_assert(n > 0 && (size_t)n < size);
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_escalation *esc = test_new_escalation(db);
    ck_assert_status(db, test_act(db, esc, ESC_ACTION_NOTE, &AGENT), ESC_OK);
    snprintf(id, 37, "%s", esc_escalation_id(esc));
    esc_escalation_free(esc);
    esc_db_close(db);
}

/* ---- a stale snapshot ------------------------------------------------------ */

/* The first writer wins; the second, holding a snapshot from before, is
 * refused; after fetching again, it gets the answer the new state gives. */
static const struct race {
    const char *name;
    esc_action_kind first, second;
    int second_after_refetch;
} races[] = {
    { "note vs note", ESC_ACTION_NOTE, ESC_ACTION_NOTE, ESC_OK },
    { "advance vs advance", ESC_ACTION_ADVANCE, ESC_ACTION_ADVANCE, ESC_ETRANSITION },
    { "withdraw vs note", ESC_ACTION_WITHDRAW, ESC_ACTION_NOTE, ESC_ETRANSITION },
    { "note vs withdraw", ESC_ACTION_NOTE, ESC_ACTION_WITHDRAW, ESC_OK },
    { "tag vs reassess", ESC_ACTION_TAG, ESC_ACTION_REASSESS, ESC_OK },
};

/* _i: race _i / 2, through two handles (even) or one handle and a copy (odd). */
START_TEST(test_stale_snapshot_conflicts)
{
    const struct race *race = &races[_i / 2];
    int one_handle = _i % 2;
    char path[1024];
    char id[37];
    make_race_db(path, sizeof path, id);
    test_clock clock = { T0 + HOUR };
    esc_db *first_db = test_open(path, &clock);
    esc_db *second_db = one_handle ? first_db : test_open(path, &clock);
    esc_escalation *first = fetch(first_db, id);
    esc_escalation *second = fetch(second_db, id);
    ck_assert_int_eq(esc_escalation_version(first), esc_escalation_version(second));
    int64_t version = esc_escalation_version(second);
    esc_state state = esc_escalation_state(second);
    size_t notes = esc_escalation_item_count(second, ESC_ITEM_NOTE);

    ck_assert_status(first_db, test_act(first_db, first, race->first, &SUPERVISOR), ESC_OK);
    ck_assert_status(second_db, test_act(second_db, second, race->second, &SUPERVISOR),
                     ESC_ECONFLICT);
    ck_assert_str_ne(esc_db_errmsg(second_db), "");
    ck_assert_int_eq(esc_db_errcode(second_db), ESC_ECONFLICT);
    ck_assert_int_eq(esc_db_last_guard(second_db), ESC_GUARD_NONE);
    /* The refused snapshot is as it was... */
    ck_assert_int_eq(esc_escalation_version(second), version);
    ck_assert_int_eq(esc_escalation_state(second), state);
    ck_assert_uint_eq(esc_escalation_item_count(second, ESC_ITEM_NOTE), notes);
    /* ...and the database holds the first writer's step only. */
    esc_escalation *stored = fetch(second_db, id);
    ck_assert_int_eq(esc_escalation_version(stored), version + 1);
    ck_assert_int_eq(esc_escalation_state(stored), esc_escalation_state(first));
    ck_assert_uint_eq(esc_escalation_item_count(stored, ESC_ITEM_NOTE),
                      esc_escalation_item_count(first, ESC_ITEM_NOTE));
    ck_assert_int_eq(test_history_length(second_db, id), (int)version + 1);
    esc_escalation_free(stored);

    /* Fetched again, the second writer gets a real answer. */
    esc_escalation_free(second);
    second = fetch(second_db, id);
    ck_assert_status(second_db, test_act(second_db, second, race->second, &SUPERVISOR),
                     race->second_after_refetch);
    int64_t expected = version + 1 + (race->second_after_refetch == ESC_OK);
    ck_assert_int_eq(esc_escalation_version(second), expected);
    ck_assert_int_eq(test_history_length(second_db, id), (int)expected);
    assert_verify_clean(second_db, 1);

    esc_escalation_free(first);
    esc_escalation_free(second);
    if (!one_handle)
        esc_db_close(second_db);
    esc_db_close(first_db);
}
END_TEST

/* ---- racing writers ---------------------------------------------------------- */

/* One writer's job and what came of it.  Writers never call Check: they
 * run in threads and child processes; the test asserts on the result. */
typedef struct writer {
    const char *path;
    const char *id;
    char name;           /* notes read "<name> <n>" */
    pthread_barrier_t *start;  /* both writers hold a snapshot before either writes */
    int applied;
    int conflicts;
    int busy;
    int failed;          /* an unexpected status, ESC_OK when none */
    char failure[256];
} writer;

static void writer_fail(writer *w, int status, const char *doing, esc_db *db)
{
    w->failed = status;
    snprintf(w->failure, sizeof w->failure, "%c %s: %s %s", w->name, doing,
             esc_status_name(status), esc_db_errmsg(db));
}

static void writer_run(writer *w)
{
    test_clock clock = { T0 + DAY };
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.clock = test_clock_read;
    options.clock_payload = &clock;
    esc_db *db = NULL;
    esc_escalation *esc = NULL;
    int rc = esc_db_open(&db, w->path, &options);
    if (rc != ESC_OK)
        writer_fail(w, rc, "open", db);
    else if ((rc = esc_escalation_get(&esc, db, w->id)) != ESC_OK)
        writer_fail(w, rc, "first get", db);
    /* So that the first writes really race: the loser's first snapshot is
     * stale for certain. */
    pthread_barrier_wait(w->start);
    for (int n = 1; n <= RACE_NOTES && w->failed == ESC_OK; n++) {
        char text[32];
        snprintf(text, sizeof text, "%c %d", w->name, n);
        esc_action note;
        esc_action_init(&note, ESC_ACTION_VERSION, ESC_ACTION_NOTE);
        note.actor = AGENT;
        note.text = text;
        for (int attempt = 0;; attempt++) {
            if (attempt == RACE_MAX_ATTEMPTS) {
                writer_fail(w, ESC_EINTERNAL, "too many retries", db);
                break;
            }
            if (esc == NULL) {
                rc = esc_escalation_get(&esc, db, w->id);
                if (rc == ESC_EBUSY) {
                    w->busy++;
                    continue;
                }
                if (rc != ESC_OK) {
                    writer_fail(w, rc, "get", db);
                    break;
                }
            }
            rc = esc_apply(db, esc, &note);
            if (rc == ESC_OK) {
                w->applied++;
                /* Step aside a moment, or one writer tends to finish
                 * before the other's busy wait is over: interleaving is
                 * what this test is about.  (Nothing asserts on timing.) */
                struct timespec pause = { 0, 200000 };
                nanosleep(&pause, NULL);
                break;
            }
            if (rc == ESC_ECONFLICT) {
                /* Someone else wrote first: read their version and retry. */
                w->conflicts++;
                esc_escalation_free(esc);
                esc = NULL;
            } else if (rc == ESC_EBUSY) {
                w->busy++;
            } else {
                writer_fail(w, rc, "apply", db);
                break;
            }
        }
    }
    esc_escalation_free(esc);
    esc_db_close(db);
}

/* A barrier for two, usable across fork(). */
static pthread_barrier_t *start_barrier(void)
{
    pthread_barrier_t *barrier = mmap(NULL, sizeof *barrier, PROT_READ | PROT_WRITE,
                                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(barrier, MAP_FAILED);
    pthread_barrierattr_t attr;
    ck_assert_int_eq(pthread_barrierattr_init(&attr), 0);
    ck_assert_int_eq(pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED), 0);
    ck_assert_int_eq(pthread_barrier_init(barrier, &attr, 2), 0);
    pthread_barrierattr_destroy(&attr);
    return barrier;
}

static void start_barrier_free(pthread_barrier_t *barrier)
{
    pthread_barrier_destroy(barrier);
    munmap(barrier, sizeof *barrier);
}

static void *writer_thread(void *payload)
{
    writer_run(payload);
    return NULL;
}

/* After the race: every note of every writer is there exactly once, in
 * each writer's order; versions and history have no gap. */
static void assert_race_result(const char *path, const char *id, writer *writers, size_t count)
{
    int applied = 0, conflicts = 0;
    for (size_t w = 0; w < count; w++) {
        ck_assert_msg(writers[w].failed == ESC_OK, "%s", writers[w].failure);
        ck_assert_int_eq(writers[w].applied, RACE_NOTES);
        applied += writers[w].applied;
        conflicts += writers[w].conflicts;
    }
    /* Both started from the same version: the second to write was refused
     * at least once. */
    ck_assert_int_ge(conflicts, 1);
    test_clock clock = { T0 + 2 * DAY };
    esc_db *db = test_open(path, &clock);
    esc_escalation *esc = fetch(db, id);
    /* Opening, the customer note, then the racing notes. */
    ck_assert_int_eq(esc_escalation_version(esc), 2 + applied);
    size_t notes = esc_escalation_item_count(esc, ESC_ITEM_NOTE);
    ck_assert_uint_eq(notes, 1 + (size_t)applied);
    int next[2] = { 1, 1 };
    for (size_t i = 1; i < notes; i++) {
        const esc_item *item = esc_escalation_item(esc, ESC_ITEM_NOTE, i);
        ck_assert_int_eq(esc_item_number(item), (int)i + 1);
        char name = 0;
        int n = 0;
        ck_assert_int_eq(sscanf(esc_item_text(item), "%c %d", &name, &n), 2);
        ck_assert_msg(name == 'A' || name == 'B', "stray note \"%s\"", esc_item_text(item));
        /* In the writer's own order, none lost, none twice. */
        ck_assert_int_eq(n, next[name - 'A']);
        next[name - 'A']++;
    }
    ck_assert_int_eq(next[0], RACE_NOTES + 1);
    ck_assert_int_eq(next[1], RACE_NOTES + 1);

    esc_event_list *events = NULL;
    ck_assert_status(db, esc_history(&events, db, id), ESC_OK);
    ck_assert_uint_eq(esc_event_list_count(events), (size_t)esc_escalation_version(esc));
    for (size_t i = 0; i < esc_event_list_count(events); i++)
        ck_assert_int_eq(esc_event_seq(esc_event_list_get(events, i)), (int64_t)i + 1);
    esc_event_list_free(events);
    assert_verify_clean(db, 1);
    esc_escalation_free(esc);
    esc_db_close(db);
}

START_TEST(test_two_threads)
{
    char path[1024];
    char id[37];
    make_race_db(path, sizeof path, id);
    pthread_barrier_t *start = start_barrier();
    writer writers[2] = {
        { .path = path, .id = id, .name = 'A', .start = start },
        { .path = path, .id = id, .name = 'B', .start = start },
    };
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, writer_thread, &writers[i]), 0);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
    start_barrier_free(start);
    assert_race_result(path, id, writers, 2);
}
END_TEST

START_TEST(test_two_processes)
{
    char path[1024];
    char id[37];
    make_race_db(path, sizeof path, id);
    pthread_barrier_t *start = start_barrier();
    writer writers[2] = {
        { .path = path, .id = id, .name = 'A', .start = start },
        { .path = path, .id = id, .name = 'B', .start = start },
    };
    pid_t pids[2];
    int pipes[2][2];
    /* No handle is open here: a connection must never cross a fork. */
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(pipe(pipes[i]), 0);
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0) {
            close(pipes[i][0]);
            writer_run(&writers[i]);
            ssize_t n = write(pipes[i][1], &writers[i], sizeof writers[i]);
            _exit(n == (ssize_t)sizeof writers[i] ? 0 : 1);
        }
        close(pipes[i][1]);
    }
    for (int i = 0; i < 2; i++) {
        writer result;
        ssize_t n = read(pipes[i][0], &result, sizeof result);
        close(pipes[i][0]);
        int status = 0;
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0 && n == (ssize_t)sizeof result,
                      "writer %c died (status 0x%x)", writers[i].name, status);
        /* The pointers in result are the child's; keep only the outcome. */
        writers[i].applied = result.applied;
        writers[i].conflicts = result.conflicts;
        writers[i].busy = result.busy;
        writers[i].failed = result.failed;
        memcpy(writers[i].failure, result.failure, sizeof result.failure);
    }
    start_barrier_free(start);
    assert_race_result(path, id, writers, 2);
}
END_TEST

/* ---- handles opened at the same moment -------------------------------------------- */

/* Rounds per kind of file: the race below is narrow, so it is run often. */
#define SIMULTANEOUS_ROUNDS 150

typedef struct opener {
    const char *path;
    pthread_barrier_t *start;
    int status;
    int schema_version;
    char message[256];
} opener;

static void *opener_thread(void *payload)
{
    opener *o = payload;
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = ESC_OPEN_CREATE;
    esc_db *db = NULL;
    pthread_barrier_wait(o->start);
    o->status = esc_db_open(&db, o->path, &options);
    o->schema_version = esc_db_schema_version(db);
    snprintf(o->message, sizeof o->message, "%s", esc_db_errmsg(db));
    esc_db_close(db);
    return NULL;
}

/* A schema version 1 database (later additions dropped), as
 * bytes to copy into place. */
static char *v1_image(size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", test_path("v1-image"));
    test_clock clock = { T0 };
    esc_db_close(test_open(path, &clock));
    sqlite3 *sqlite = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &sqlite, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(sqlite, TEST_DOWNGRADE_TO_V2_SQL TEST_DOWNGRADE_V2_TO_V1_SQL,
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(sqlite);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *data = malloc(1 << 20);
    ck_assert_ptr_nonnull(data);
    *len = fread(data, 1, 1 << 20, f);
    ck_assert(*len > 0 && *len < (1 << 20));
    fclose(f);
    test_remove_db(path);
    return data;
}

/* _i: 0, a file nobody has created yet; 1, a version 1 database to migrate.
 * Both handles must come up, whoever gets there first: the busy timeout
 * (5 s) is far longer than the other needs. */
START_TEST(test_simultaneous_open)
{
    size_t image_len = 0;
    char *image = _i == 1 ? v1_image(&image_len) : NULL;
    char path[1024];
    snprintf(path, sizeof path, "%s", test_path("simultaneous"));
    pthread_barrier_t *start = start_barrier();
    for (int round = 0; round < SIMULTANEOUS_ROUNDS; round++) {
        test_remove_db(path);
        if (image != NULL) {
            FILE *f = fopen(path, "wb");
            ck_assert_ptr_nonnull(f);
            ck_assert_uint_eq(fwrite(image, 1, image_len, f), image_len);
            ck_assert_int_eq(fclose(f), 0);
        }
        opener openers[2] = { { .path = path, .start = start }, { .path = path, .start = start } };
        pthread_t threads[2];
        for (int t = 0; t < 2; t++)
            ck_assert_int_eq(pthread_create(&threads[t], NULL, opener_thread, &openers[t]), 0);
        for (int t = 0; t < 2; t++)
            ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
        for (int t = 0; t < 2; t++) {
            ck_assert_msg(openers[t].status == ESC_OK, "round %d, handle %d: %s (%s)", round, t,
                          esc_status_name(openers[t].status), openers[t].message);
            ck_assert_int_eq(openers[t].schema_version, 4);
        }
    }
    start_barrier_free(start);
    free(image);
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_escalation_free(test_new_escalation(db));
    assert_verify_clean(db, 1);
    esc_db_close(db);
}
END_TEST

/* ---- a locked database --------------------------------------------------------- */

static const int busy_timeouts[] = { 0, 100 };

START_TEST(test_busy_while_other_batch)
{
    char path[1024];
    char id[37];
    make_race_db(path, sizeof path, id);
    test_clock clock = { T0 + HOUR };
    esc_db *holder = test_open(path, &clock);
    esc_db *waiter = open_with_timeout(path, &clock, busy_timeouts[_i]);
    esc_escalation *held = fetch(holder, id);
    esc_escalation *esc = fetch(waiter, id);
    int64_t version = esc_escalation_version(esc);

    /* The holder's batch keeps the write lock until it ends. */
    ck_assert_status(holder, esc_db_batch_begin(holder), ESC_OK);
    ck_assert_status(holder, test_act(holder, held, ESC_ACTION_NOTE, &SUPERVISOR), ESC_OK);

    ck_assert_status(waiter, test_act(waiter, esc, ESC_ACTION_NOTE, &AGENT), ESC_EBUSY);
    ck_assert_str_ne(esc_db_errmsg(waiter), "");
    ck_assert_int_eq(esc_db_errcode(waiter), ESC_EBUSY);
    ck_assert_int_eq(esc_escalation_version(esc), version);
    ck_assert_uint_eq(esc_escalation_item_count(esc, ESC_ITEM_NOTE), 1);

    esc_escalation *created = (esc_escalation *)&created;
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "Blocked";
    p.customer_id = "cust-busy";
    ck_assert_status(waiter, esc_escalation_open(&created, waiter, &p), ESC_EBUSY);
    ck_assert_str_ne(esc_db_errmsg(waiter), "");
    ck_assert_ptr_null(created);

    ck_assert_status(waiter, esc_db_batch_begin(waiter), ESC_EBUSY);
    ck_assert_str_ne(esc_db_errmsg(waiter), "");
    /* A begin that failed leaves no batch behind. */
    ck_assert_status(waiter, esc_db_batch_rollback(waiter), ESC_EINVAL);

    size_t rebuilt = 99;
    ck_assert_status(waiter, esc_db_rebuild(&rebuilt, waiter), ESC_EBUSY);
    ck_assert_str_ne(esc_db_errmsg(waiter), "");
    ck_assert_uint_eq(rebuilt, 0);

    /* Reading is never blocked by a writer (and does not see its batch). */
    esc_escalation *seen = fetch(waiter, id);
    ck_assert_int_eq(esc_escalation_version(seen), version);
    esc_escalation_free(seen);

    ck_assert_status(holder, esc_db_batch_commit(holder), ESC_OK);
    /* Only the holder's step was written. */
    seen = fetch(waiter, id);
    ck_assert_int_eq(esc_escalation_version(seen), version + 1);
    ck_assert_str_eq(esc_item_text(esc_escalation_item(seen, ESC_ITEM_NOTE, 1)), "Some words");
    ck_assert_str_eq(esc_item_person_id(esc_escalation_item(seen, ESC_ITEM_NOTE, 1)),
                     SUPERVISOR.id);
    esc_escalation_free(seen);
    ck_assert_uint_eq(test_escalation_count(waiter), 1);
    ck_assert_int_eq(test_history_length(waiter, id), (int)version + 1);

    /* Unblocked, the waiter's stale snapshot conflicts, a fresh one works. */
    ck_assert_status(waiter, test_act(waiter, esc, ESC_ACTION_NOTE, &AGENT), ESC_ECONFLICT);
    esc_escalation_free(esc);
    esc = fetch(waiter, id);
    ck_assert_status(waiter, test_act(waiter, esc, ESC_ACTION_NOTE, &AGENT), ESC_OK);
    ck_assert_status(waiter, esc_escalation_open(&created, waiter, &p), ESC_OK);
    assert_verify_clean(waiter, 2);

    esc_escalation_free(created);
    esc_escalation_free(esc);
    esc_escalation_free(held);
    esc_db_close(waiter);
    esc_db_close(holder);
}
END_TEST

START_TEST(test_busy_then_holder_rolls_back)
{
    char path[1024];
    char id[37];
    make_race_db(path, sizeof path, id);
    test_clock clock = { T0 + HOUR };
    esc_db *holder = test_open(path, &clock);
    esc_db *waiter = open_with_timeout(path, &clock, 100);
    esc_escalation *held = fetch(holder, id);
    esc_escalation *esc = fetch(waiter, id);

    ck_assert_status(holder, esc_db_batch_begin(holder), ESC_OK);
    ck_assert_status(holder, test_act(holder, held, ESC_ACTION_ADVANCE, &SUPERVISOR), ESC_OK);
    ck_assert_status(waiter, test_act(waiter, esc, ESC_ACTION_ADVANCE, &AGENT), ESC_EBUSY);
    ck_assert_status(holder, esc_db_batch_rollback(holder), ESC_OK);

    /* Nothing happened: the waiter's snapshot is current and now wins. */
    ck_assert_status(waiter, test_act(waiter, esc, ESC_ACTION_ADVANCE, &AGENT), ESC_OK);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_CLARIFY);
    ck_assert_int_eq(test_history_length(waiter, id), 3);
    assert_verify_clean(waiter, 1);

    esc_escalation_free(esc);
    esc_escalation_free(held);
    esc_db_close(waiter);
    esc_db_close(holder);
}
END_TEST

/* A version number can be reached twice: once inside a batch that is then
 * rolled back, once for real.  A snapshot from the lost batch must still be
 * refused (the write token differs), or its guards would be judged on
 * state that never happened. */
START_TEST(test_rolled_back_snapshot_is_stale)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *phantom = test_new_escalation(db);
    esc_escalation *real = NULL;
    ck_assert_int_eq(esc_escalation_dup(&real, phantom), ESC_OK);

    ck_assert_status(db, esc_db_batch_begin(db), ESC_OK);
    ck_assert_int_eq(test_act(db, phantom, ESC_ACTION_NOTE, &AGENT), ESC_OK);
    ck_assert_int_eq(test_act(db, phantom, ESC_ACTION_HOLD, &AGENT), ESC_OK);
    esc_escalation *read_inside = NULL;
    ck_assert_status(db, esc_escalation_get(&read_inside, db, esc_escalation_id(real)), ESC_OK);
    ck_assert_status(db, esc_db_batch_rollback(db), ESC_OK);

    /* The real escalation reaches the same version with other steps. */
    ck_assert_int_eq(test_act(db, real, ESC_ACTION_TAG, &AGENT), ESC_OK);
    ck_assert_int_eq(test_act(db, real, ESC_ACTION_ACK_EMOTION, &AGENT), ESC_OK);
    ck_assert_int_eq(esc_escalation_version(real), esc_escalation_version(phantom));

    /* Without a customer note in the database, advancing must not happen. */
    ck_assert_status(db, test_act(db, phantom, ESC_ACTION_ADVANCE, &AGENT), ESC_ECONFLICT);
    ck_assert_status(db, test_act(db, read_inside, ESC_ACTION_RESUME, &AGENT), ESC_ECONFLICT);
    esc_escalation *stored = NULL;
    ck_assert_status(db, esc_escalation_get(&stored, db, esc_escalation_id(real)), ESC_OK);
    ck_assert_int_eq(esc_escalation_state(stored), ESC_STATE_LISTEN);
    ck_assert_int_eq(esc_escalation_hold(stored), ESC_HOLD_NONE);
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    esc_verify_report_free(report);
    esc_escalation_free(stored);
    esc_escalation_free(read_inside);
    esc_escalation_free(real);
    esc_escalation_free(phantom);
    esc_db_close(db);
}
END_TEST

static Suite *concurrency_suite(void)
{
    Suite *s = suite_create("concurrency");

    TCase *tc = tcase_create("stale_snapshot");
    tcase_add_test(tc, test_rolled_back_snapshot_is_stale);
    tcase_add_loop_test(tc, test_stale_snapshot_conflicts, 0, 2 * (int)ARRAY_SIZE(races));
    suite_add_tcase(s, tc);

    tc = tcase_create("racing_writers");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_two_threads);
    tcase_add_test(tc, test_two_processes);
    tcase_add_loop_test(tc, test_simultaneous_open, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("busy");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_busy_while_other_batch, 0, (int)ARRAY_SIZE(busy_timeouts));
    tcase_add_test(tc, test_busy_then_holder_rolls_back);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run(concurrency_suite());
}
