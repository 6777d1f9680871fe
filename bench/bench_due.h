/*
 * bench_due.h — the "what is due" fixture that bench/due_query.c
 * (make bench-due) and bench/bench.c (make bench) share: the synthetic
 * escalations of a bulk load (who, when, which stay open), the load itself
 * through the public API, the library's due query as SQL text (from the
 * column macros of libescalate/store_sqlite.h; only the macros are used),
 * its plan check, and raw queries that read every column of every row.
 * bench_due.c implements it.
 */
#ifndef ESC_BENCH_DUE_H
#define ESC_BENCH_DUE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <escalate.h>

#define BENCH_DUE_OPEN_EVERY 33            /* one escalation in 33 stays open: ~3 % */
#define BENCH_DUE_CLOCK_START_MS INT64_C(1767571200000) /* 2026-01-05T00:00:00Z */
#define BENCH_DUE_CLOCK_STEP_MS 3000       /* between two escalations */
#define BENCH_DUE_WITHDRAW_AFTER_MS 1000   /* between opening and withdrawing one */
#define BENCH_DUE_RESOLUTION_MS (INT64_C(8) * 3600 * 1000) /* the policy's 8 h */
#define BENCH_DUE_LIMIT 100
#define BENCH_DUE_POLICY_NAME "std"
#define BENCH_DUE_POLICY_SPEC \
    "p1 resolution=8h; p2 resolution=8h; p3 resolution=8h; p4 resolution=8h; p5 resolution=8h"
#define BENCH_DUE_INDEX "escalations_by_next_timer"
#define BENCH_DUE_SUMMARY "Charged twice for the March invoice; the refund never arrived."
#define BENCH_DUE_WITHDRAW_TEXT "The customer settled it with the bank."

/* SELECT id, token, <row and timer columns> FROM escalations WHERE
 * next_timer_at > 0 AND next_timer_at <= ?1 ORDER BY next_timer_at, id
 * LIMIT ?2: the library's own due query (TS_LIST_DUE). */
extern const char bench_due_sql_library[];
/* The same, id only. */
extern const char bench_due_sql_ids[];
/* The WHERE/ORDER/LIMIT part, for printing. */
extern const char bench_due_sql_tail[];
/* The due query of a host without the library's access rules (no viewer
 * predicate): the same row columns, WHERE next_timer_at > 0 AND
 * next_timer_at <= ?1 ORDER BY next_timer_at, id LIMIT ?2. */
extern const char bench_due_sql_plain[];
extern const char bench_due_sql_plain_tail[];

/* Escalation number i of a load: when it opens, for whom, how urgent, and
 * whether (and when) it is withdrawn. */
typedef struct bench_due_row {
    int64_t opened_at;
    int64_t withdrawn_at;     /* 0: stays open (with a timer at opened_at + 8 h) */
    char customer[32];
    int impact, urgency, vip;
} bench_due_row;
void bench_due_row_of(long i, bench_due_row *row);

typedef struct bench_due_load {
    long rows;
    long open;                /* escalations left open */
    long steps;
    int64_t first_timer;      /* earliest and latest next_timer_at of the open ones */
    int64_t last_timer;
    double seconds;           /* wall-clock time of the load */
    double cpu_seconds;       /* CPU time of the load */
} bench_due_load;

/* Start a load record; count one escalation (row, and its timer if it
 * stays open) into it. */
void bench_due_load_init(bench_due_load *load);
void bench_due_load_count(bench_due_load *load, const bench_due_row *row, int64_t next_timer_at);
/* "Before" in the middle of the open escalations' timers: half are due. */
int64_t bench_due_before(const bench_due_load *load);

/* Create path with the library (options: journal and sync; NULL for the
 * defaults) and load rows escalations through the public API, batch_steps
 * steps per transaction, with an injected clock: every one opened under
 * the policy BENCH_DUE_POLICY_NAME, all but one in BENCH_DUE_OPEN_EVERY
 * then withdrawn.  The handle is closed at the end (the WAL checkpointed). */
bench_due_load bench_due_load_library(const char *path, long rows, long batch_steps,
                                      const esc_db_options *options);

/* Print the plan rows of sql (EXPLAIN QUERY PLAN, indented by indent); 0
 * when it searches BENCH_DUE_INDEX, scans no table and sorts nothing. */
int bench_due_check_plan(sqlite3 *conn, const char *sql, const char *indent);

/* Escalations with a timer at or before `before` (INT64_MAX: all). */
int64_t bench_due_count(sqlite3 *conn, int64_t before);

/* A raw query prepared once, with the type of each column from its
 * declaration, so that each row is read with one call per column, as the
 * library does. */
#define BENCH_RAW_COLUMNS_MAX 64
typedef struct bench_raw_query {
    sqlite3_stmt *stmt;
    int columns;
    unsigned char is_text[BENCH_RAW_COLUMNS_MAX];
    int64_t sink;             /* sum of what was read: keeps the reads */
} bench_raw_query;
void bench_raw_prepare(bench_raw_query *raw, sqlite3 *conn, const char *sql);
/* Bind ?1 = before, ?2 = limit, step to the end reading every column of
 * every row; the number of rows. */
size_t bench_raw_run(bench_raw_query *raw, int64_t before, int64_t limit);
void bench_raw_finalize(bench_raw_query *raw);

#endif /* ESC_BENCH_DUE_H */
