/*
 * due_query.c — the cost of "what is due before T" (esc_escalation_list_due)
 * over a large database, next to the same query asked of SQLite directly.
 * It owns `make bench-due`; nothing in the library depends on it.
 *
 *  1. Load: a fresh database in a temporary directory gets ROWS escalations
 *     through the public API, in batches of BATCH_STEPS steps, with an
 *     injected clock that moves a few seconds per escalation.  Every one is
 *     opened under the stored policy "std" (resolution in 8 h of wall
 *     time, so each gets a next timer); all but about 3 % are then
 *     withdrawn, which closes them and must take them out of the partial
 *     index escalations_by_next_timer.
 *  2. Plan: EXPLAIN QUERY PLAN of the library's own due query, its SQL built
 *     from the column macros of libescalate/store_sqlite.h (only the macros
 *     are used: the program links the public shared library, as a host
 *     does).  It must search escalations_by_next_timer, never scan the
 *     table, and need no sort.
 *  3. Timing, interleaved in one run: the library call (list and free), the
 *     raw id-only query and the raw query of the library's full row
 *     columns, both prepared once on a separate read-only connection.
 *     p50, p99 and mean in microseconds, and the ratios library / raw.
 *  4. Peak RSS (getrusage).
 *
 * The load, the plan check and the raw queries are the fixture it shares
 * with bench.c (bench_due.c); timing, percentiles and scratch files come
 * from bench_util.c.
 *
 * Usage: due_query [ROWS] [REPEATS]   (defaults 1000000 and 2000)
 * The database goes in a new directory under $TMPDIR (or /tmp), removed
 * at the end; on a failure it is left there for inspection.
 * Exits 0 on success, 1 when the library errs, the plan is not
 * index-driven or the answers disagree, 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <escalate.h>

#include "bench_due.h"
#include "bench_util.h"

#define BATCH_STEPS 10000
#define WARMUP 200
#define WELL_UNDER_US 500.0     /* "well under 1 ms": a p50 below half of it */

/* ---- the timed queries ------------------------------------------------ */

typedef struct due_query {
    esc_db *db;               /* the library's handle */
    bench_raw_query ids;      /* raw, id only */
    bench_raw_query rows;     /* raw, the library's row columns */
    int64_t before;
} due_query;

static size_t run_library(due_query *q)
{
    esc_escalation_list *list = NULL;
    bench_must(q->db, esc_escalation_list_due(&list, q->db, q->before, BENCH_DUE_LIMIT),
               "list due");
    size_t n = esc_escalation_list_count(list);
    esc_escalation_list_free(list);
    return n;
}

static size_t run_raw_ids(due_query *q)
{
    return bench_raw_run(&q->ids, q->before, BENCH_DUE_LIMIT);
}

static size_t run_raw_rows(due_query *q)
{
    return bench_raw_run(&q->rows, q->before, BENCH_DUE_LIMIT);
}

typedef struct contender {
    const char *name;
    size_t (*run)(due_query *q);
    int64_t *ns;              /* one per repetition */
    bench_percentiles us;
} contender;

/* The library and the raw id query must give the same escalations in the
 * same order. */
static void check_same_answer(due_query *q)
{
    esc_escalation_list *list = NULL;
    bench_must(q->db, esc_escalation_list_due(&list, q->db, q->before, BENCH_DUE_LIMIT),
               "list due");
    sqlite3_stmt *ids = q->ids.stmt;
    sqlite3_bind_int64(ids, 1, q->before);
    sqlite3_bind_int64(ids, 2, BENCH_DUE_LIMIT);
    size_t n = 0;
    while (sqlite3_step(ids) == SQLITE_ROW) {
        const esc_escalation *esc = esc_escalation_list_get(list, n);
        const char *id = (const char *)sqlite3_column_text(ids, 0);
        if (esc == NULL || strcmp(esc_escalation_id(esc), id) != 0)
            bench_fail("row %zu: the library says %s, SQLite says %s", n,
                       esc ? esc_escalation_id(esc) : "(nothing)", id);
        if (!esc_escalation_is_open(esc) || esc_escalation_next_timer_at(esc) <= 0 ||
            esc_escalation_next_timer_at(esc) > q->before)
            bench_fail("row %zu (%s) is closed or not due", n, id);
        n++;
    }
    sqlite3_reset(ids);
    if (n != esc_escalation_list_count(list))
        bench_fail("the library lists %zu due escalations, SQLite %zu",
                   esc_escalation_list_count(list), n);
    esc_escalation_list_free(list);
}

/* ---- main ------------------------------------------------------------- */

static long arg_long(int argc, char **argv, int index, long fallback, long min)
{
    if (argc <= index)
        return fallback;
    char *end = NULL;
    errno = 0;
    long v = strtol(argv[index], &end, 10);
    if (errno != 0 || end == argv[index] || *end != '\0' || v < min) {
        fprintf(stderr, "usage: due_query [ROWS] [REPEATS]  (ROWS >= %d, REPEATS >= 1)\n",
                BENCH_DUE_OPEN_EVERY);
        exit(2);
    }
    return v;
}

static void print_row(const contender *c)
{
    printf("  %-34s %9.1f %9.1f %9.1f\n", c->name, c->us.p50, c->us.p99, c->us.mean);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows when stdout is a file */
    bench_set_program("due_query");
    long rows = arg_long(argc, argv, 1, 1000000, BENCH_DUE_OPEN_EVERY);
    int repeats = (int)arg_long(argc, argv, 2, 2000, 1);

    char dir[4096], path[4200];
    bench_scratch_dir(dir, sizeof dir, NULL, "due_query");
    bench_scratch_path(path, sizeof path, dir, "due.db");

    printf("due_query: %ld escalations, SQLite %s, database %s\n\n", rows, sqlite3_libversion(),
           path);

    /* 1. load */
    bench_due_load r = bench_due_load_library(path, rows, BATCH_STEPS, NULL);
    int64_t size = bench_file_size(path);
    printf("load (batches of %d steps, policy \"%s\" on every escalation)\n", BATCH_STEPS,
           BENCH_DUE_POLICY_NAME);
    printf("  escalations        %12ld  (%ld open with a timer, %ld withdrawn)\n", rows, r.open,
           rows - r.open);
    printf("  steps              %12ld\n", r.steps);
    printf("  load time          %12.1f s\n", r.seconds);
    printf("  rows/s             %12.0f  (%.0f steps/s)\n", (double)rows / r.seconds,
           (double)r.steps / r.seconds);
    printf("  file size          %12.1f MiB  (%lld bytes)\n\n", (double)size / (1024.0 * 1024.0),
           (long long)size);

    /* 2. the plan, and the index holding exactly the open escalations */
    sqlite3 *conn = NULL;
    bench_must_sqlite(conn, sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL), "open raw");
    printf("query plan of the library's due query (TS_LIST_DUE)\n"
           "  SELECT id, token, <row and timer columns> FROM escalations %s\n",
           bench_due_sql_tail);
    int plan_bad = bench_due_check_plan(conn, bench_due_sql_library, "  ");
    int64_t indexed = bench_due_count(conn, INT64_MAX);
    printf("  rows in %s: %lld (open escalations: %ld)\n\n", BENCH_DUE_INDEX, (long long)indexed,
           r.open);
    if (plan_bad)
        bench_fail("the due query is not answered from %s alone (see the plan above)",
                   BENCH_DUE_INDEX);
    if (indexed != r.open)
        bench_fail("%lld escalations have a next timer, %ld are open", (long long)indexed, r.open);

    /* 3. timings */
    due_query q = { .before = bench_due_before(&r) };
    bench_must(q.db, esc_db_open(&q.db, path, NULL), "open database");
    bench_raw_prepare(&q.ids, conn, bench_due_sql_ids);
    bench_raw_prepare(&q.rows, conn, bench_due_sql_library);
    int64_t due = bench_due_count(conn, q.before);
    check_same_answer(&q);

    contender c[] = {
        { "esc_escalation_list_due (+ free)", run_library, NULL, { 0, 0, 0 } },
        { "raw SQLite, id only", run_raw_ids, NULL, { 0, 0, 0 } },
        { "raw SQLite, full row columns", run_raw_rows, NULL, { 0, 0, 0 } },
    };
    enum { LIB, RAW_IDS, RAW_ROWS, CONTENDERS };
    for (int k = 0; k < CONTENDERS; k++)
        c[k].ns = bench_alloc((size_t)repeats * sizeof *c[k].ns);
    size_t expected = (size_t)(due < BENCH_DUE_LIMIT ? due : BENCH_DUE_LIMIT);
    for (int i = -WARMUP; i < repeats; i++) {
        for (int k = 0; k < CONTENDERS; k++) { /* interleaved: drift hits all alike */
            int64_t t0 = bench_now_ns();
            size_t n = c[k].run(&q);
            int64_t t1 = bench_now_ns();
            if (n != expected)
                bench_fail("%s returned %zu rows, expected %zu", c[k].name, n, expected);
            if (i >= 0)
                c[k].ns[i] = t1 - t0;
        }
    }
    for (int k = 0; k < CONTENDERS; k++)
        c[k].us = bench_percentiles_of(c[k].ns, (size_t)repeats);

    printf("due before T = %lld (%lld of %ld open escalations due, limit %d: %zu returned)\n",
           (long long)q.before, (long long)due, r.open, BENCH_DUE_LIMIT, expected);
    printf("%d repetitions after %d warm-up, interleaved; microseconds\n", repeats, WARMUP);
    printf("  %-34s %9s %9s %9s\n", "", "p50", "p99", "mean");
    for (int k = 0; k < CONTENDERS; k++)
        print_row(&c[k]);
    printf("  library / raw id only:      p50 %6.2f x   p99 %6.2f x\n",
           c[LIB].us.p50 / c[RAW_IDS].us.p50, c[LIB].us.p99 / c[RAW_IDS].us.p99);
    printf("  library / raw full rows:    p50 %6.2f x   p99 %6.2f x\n",
           c[LIB].us.p50 / c[RAW_ROWS].us.p50, c[LIB].us.p99 / c[RAW_ROWS].us.p99);
    printf("  (the library also reads each escalation's items and builds snapshots)\n\n");
    printf("due before T over %ld escalations: p50 %.1f us (well under 1 ms: %s)\n", rows,
           c[LIB].us.p50, c[LIB].us.p50 < WELL_UNDER_US ? "yes" : "no");

    /* 4. memory */
    printf("peak RSS: %.1f MiB\n", bench_peak_rss_mib());

    for (int k = 0; k < CONTENDERS; k++)
        free(c[k].ns);
    bench_raw_finalize(&q.ids);
    bench_raw_finalize(&q.rows);
    sqlite3_close(conn);
    esc_db_close(q.db);
    bench_remove_db(path);
    rmdir(dir);
    return 0;
}
