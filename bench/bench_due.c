/*
 * bench_due.c — the shared "what is due" fixture (bench_due.h says what it
 * is): the synthetic escalations of a bulk load, the load through the
 * public API, the plan check and the raw queries.  Used by due_query.c
 * (make bench-due) and bench.c (make bench).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "bench_due.h"
#include "bench_util.h"

/* For the SQL text only: SELECT_ESCALATION (the library's row columns) and
 * ESC_SQLITE_DUE_TAIL (its due query's WHERE/ORDER/LIMIT, with the access
 * predicate), so the plan checked here is the plan the library gets. */
#include "store_sqlite.h"

const char bench_due_sql_library[] = SELECT_ESCALATION ESC_SQLITE_DUE_TAIL;
const char bench_due_sql_ids[] = "SELECT id FROM escalations " ESC_SQLITE_DUE_TAIL;
const char bench_due_sql_tail[] = ESC_SQLITE_DUE_TAIL;
#define PLAIN_TAIL "WHERE next_timer_at > 0 AND next_timer_at <= ?1 ORDER BY next_timer_at, id LIMIT ?2"
const char bench_due_sql_plain[] = SELECT_ESCALATION PLAIN_TAIL;
const char bench_due_sql_plain_tail[] = PLAIN_TAIL;

static const esc_person agent = { "agent-1", "Alex Agent", 1 };

/* ---- the synthetic escalations ---------------------------------------- */

void bench_due_row_of(long i, bench_due_row *row)
{
    row->opened_at = BENCH_DUE_CLOCK_START_MS + (int64_t)i * BENCH_DUE_CLOCK_STEP_MS;
    row->withdrawn_at = i % BENCH_DUE_OPEN_EVERY == BENCH_DUE_OPEN_EVERY / 2
                            ? 0
                            : row->opened_at + BENCH_DUE_WITHDRAW_AFTER_MS;
    snprintf(row->customer, sizeof row->customer, "cust-%05ld", i % 20000);
    row->impact = 1 + (int)(i % 4);
    row->urgency = 1 + (int)(i / 4 % 4);
    row->vip = i % 50 == 0;
}

void bench_due_load_init(bench_due_load *load)
{
    memset(load, 0, sizeof *load);
    load->first_timer = INT64_MAX;
}

void bench_due_load_count(bench_due_load *load, const bench_due_row *row, int64_t next_timer_at)
{
    load->rows++;
    load->steps += row->withdrawn_at ? 2 : 1;
    if (row->withdrawn_at)
        return;
    load->open++;
    load->first_timer = next_timer_at < load->first_timer ? next_timer_at : load->first_timer;
    load->last_timer = next_timer_at > load->last_timer ? next_timer_at : load->last_timer;
}

int64_t bench_due_before(const bench_due_load *load)
{
    return load->first_timer + (load->last_timer - load->first_timer) / 2;
}

/* ---- the load through the library ------------------------------------- */

/* The injected clock: whatever the load loop last set. */
static int64_t load_clock(void *payload)
{
    return *(const int64_t *)payload;
}

/* One step done in the current batch; commit and start a new one every
 * batch_steps. */
static void batch_step(esc_db *db, long *in_batch, long batch_steps)
{
    if (++*in_batch < batch_steps)
        return;
    bench_must(db, esc_db_batch_commit(db), "batch commit");
    bench_must(db, esc_db_batch_begin(db), "batch begin");
    *in_batch = 0;
}

bench_due_load bench_due_load_library(const char *path, long rows, long batch_steps,
                                      const esc_db_options *options)
{
    esc_db_options opts = ESC_DB_OPTIONS_INIT;
    if (options != NULL)
        opts = *options;
    opts.flags |= ESC_OPEN_CREATE;
    esc_db *db = NULL;
    bench_must(db, esc_db_open(&db, path, &opts), "create database");
    int64_t clock = BENCH_DUE_CLOCK_START_MS;
    bench_must(db, esc_db_set_clock(db, load_clock, &clock), "set clock");
    bench_must(db, esc_db_policy_put(NULL, db, BENCH_DUE_POLICY_NAME, BENCH_DUE_POLICY_SPEC, NULL),
               "store policy");

    bench_due_load r;
    bench_due_load_init(&r);
    bench_due_row row;
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = agent;
    p.summary = BENCH_DUE_SUMMARY;
    p.customer_id = row.customer;
    p.sla_policy = BENCH_DUE_POLICY_NAME;
    esc_action withdraw = ESC_ACTION_INIT;
    withdraw.kind = ESC_ACTION_WITHDRAW;
    withdraw.actor = agent;
    withdraw.text = BENCH_DUE_WITHDRAW_TEXT;

    long in_batch = 0;
    int64_t start = bench_now_ns(), start_cpu = bench_cpu_ns();
    bench_must(db, esc_db_batch_begin(db), "batch begin");
    for (long i = 0; i < rows; i++) {
        bench_due_row_of(i, &row);
        clock = row.opened_at;
        p.impact = row.impact;
        p.urgency = row.urgency;
        p.vip = row.vip;
        esc_escalation *esc = NULL;
        bench_must(db, esc_escalation_open(&esc, db, &p), "open");
        batch_step(db, &in_batch, batch_steps);
        int64_t next_timer = esc_escalation_next_timer_at(esc);
        if (row.withdrawn_at) {
            clock = row.withdrawn_at;
            bench_must(db, esc_apply(db, esc, &withdraw), "withdraw");
            batch_step(db, &in_batch, batch_steps);
        } else if (next_timer <= 0) {
            bench_fail("escalation %ld opened under \"%s\" has no next timer", i,
                       BENCH_DUE_POLICY_NAME);
        }
        bench_due_load_count(&r, &row, next_timer);
        esc_escalation_free(esc);
    }
    bench_must(db, esc_db_batch_commit(db), "batch commit");
    r.seconds = (double)(bench_now_ns() - start) / 1e9;
    r.cpu_seconds = (double)(bench_cpu_ns() - start_cpu) / 1e9;
    esc_db_close(db); /* the last connection: the WAL is checkpointed into the file */
    return r;
}

/* ---- the plan --------------------------------------------------------- */

int bench_due_check_plan(sqlite3 *conn, const char *sql, const char *indent)
{
    char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    if (explain == NULL)
        bench_fail("out of memory");
    sqlite3_stmt *stmt = NULL;
    bench_must_sqlite(conn, sqlite3_prepare_v2(conn, explain, -1, &stmt, NULL), "explain");
    sqlite3_free(explain);
    int uses_index = 0, scans = 0, sorts = 0;
    printf("%s%-4s %-6s %s\n", indent, "id", "parent", "detail");
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(stmt, 3);
        detail = detail ? detail : "";
        printf("%s%-4d %-6d %s\n", indent, sqlite3_column_int(stmt, 0),
               sqlite3_column_int(stmt, 1), detail);
        uses_index |= strstr(detail, "USING INDEX " BENCH_DUE_INDEX " ") != NULL ||
                      strstr(detail, "USING COVERING INDEX " BENCH_DUE_INDEX " ") != NULL;
        scans |= strncmp(detail, "SCAN", 4) == 0;
        sorts |= strstr(detail, "TEMP B-TREE") != NULL;
    }
    bench_must_sqlite(conn, sqlite3_finalize(stmt), "explain");
    printf("%suses %s: %s; scans a table: %s; sorts: %s\n", indent, BENCH_DUE_INDEX,
           uses_index ? "yes" : "NO", scans ? "YES" : "no", sorts ? "YES" : "no");
    return uses_index && !scans && !sorts ? 0 : 1;
}

int64_t bench_due_count(sqlite3 *conn, int64_t before)
{
    sqlite3_stmt *stmt = NULL;
    bench_must_sqlite(conn, sqlite3_prepare_v2(conn,
                                               "SELECT count(*) FROM escalations"
                                               " WHERE next_timer_at > 0 AND next_timer_at <= ?1",
                                               -1, &stmt, NULL),
                      "count");
    sqlite3_bind_int64(stmt, 1, before);
    if (sqlite3_step(stmt) != SQLITE_ROW)
        bench_fail("count: %s", sqlite3_errmsg(conn));
    int64_t n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

/* ---- raw queries ------------------------------------------------------ */

void bench_raw_prepare(bench_raw_query *raw, sqlite3 *conn, const char *sql)
{
    memset(raw, 0, sizeof *raw);
    bench_must_sqlite(conn, sqlite3_prepare_v2(conn, sql, -1, &raw->stmt, NULL), "prepare");
    raw->columns = sqlite3_column_count(raw->stmt);
    if (raw->columns > BENCH_RAW_COLUMNS_MAX)
        bench_fail("%d columns: raise BENCH_RAW_COLUMNS_MAX", raw->columns);
    for (int c = 0; c < raw->columns; c++) {
        const char *type = sqlite3_column_decltype(raw->stmt, c);
        raw->is_text[c] = type != NULL && strcmp(type, "TEXT") == 0;
    }
}

size_t bench_raw_run(bench_raw_query *raw, int64_t before, int64_t limit)
{
    sqlite3_stmt *stmt = raw->stmt;
    sqlite3_bind_int64(stmt, 1, before);
    sqlite3_bind_int64(stmt, 2, limit);
    size_t n = 0;
    int step;
    int64_t sum = 0;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        for (int c = 0; c < raw->columns; c++) {
            if (raw->is_text[c]) {
                const unsigned char *text = sqlite3_column_text(stmt, c);
                sum += text ? *text : 0;
            } else {
                sum += sqlite3_column_int64(stmt, c);
            }
        }
        n++;
    }
    if (step != SQLITE_DONE)
        bench_fail("raw query: %s", sqlite3_errmsg(sqlite3_db_handle(stmt)));
    sqlite3_reset(stmt);
    raw->sink += sum;
    return n;
}

void bench_raw_finalize(bench_raw_query *raw)
{
    sqlite3_finalize(raw->stmt);
    raw->stmt = NULL;
}
