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
 * Usage: due_query [ROWS] [REPEATS]   (defaults 1000000 and 2000)
 * The database goes in a new directory under $TMPDIR (or /tmp), removed
 * at the end; on a failure it is left there for inspection.
 * Exits 0 on success, 1 when the library errs, the plan is not
 * index-driven or the answers disagree, 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <escalate.h>

/* For the SQL text only: SELECT_ESCALATION, the library's row columns. */
#include "store_sqlite.h"

#define BATCH_STEPS 10000
#define OPEN_EVERY 33            /* one escalation in 33 stays open: ~3 % */
#define CLOCK_START_MS INT64_C(1767571200000) /* 2026-01-05T00:00:00Z */
#define CLOCK_STEP_MS 3000       /* between two escalations */
#define WITHDRAW_AFTER_MS 1000   /* between opening and withdrawing one */
#define DUE_LIMIT 100
#define WARMUP 200
#define WELL_UNDER_US 500.0     /* "well under 1 ms": a p50 below half of it */
#define POLICY_NAME "std"
#define POLICY_SPEC \
    "p1 resolution=8h; p2 resolution=8h; p3 resolution=8h; p4 resolution=8h; p5 resolution=8h"
#define DUE_INDEX "escalations_by_next_timer"

/* The WHERE/ORDER/LIMIT of the library's own due query (store_sqlite.h),
 * so the plan checked here is the plan the library gets. */
#define DUE_TAIL ESC_SQLITE_DUE_TAIL
static const char due_sql_library[] = SELECT_ESCALATION DUE_TAIL;
static const char due_sql_ids[] = "SELECT id FROM escalations " DUE_TAIL;

static const esc_person agent = { "agent-1", "Alex Agent", 1 };

/* ---- failing loudly --------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
static void fail(const char *fmt, ...);

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("due_query: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void must(esc_db *db, int rc, const char *what)
{
    if (rc != ESC_OK)
        fail("%s: %s %s", what, esc_status_name(rc), esc_db_errmsg(db));
}

static void must_sqlite(sqlite3 *conn, int rc, const char *what)
{
    if (rc != SQLITE_OK)
        fail("%s: %s", what, sqlite3_errmsg(conn));
}

/* ---- clocks ----------------------------------------------------------- */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The injected clock: whatever the load loop last set. */
static int64_t bench_clock(void *payload)
{
    return *(const int64_t *)payload;
}

/* ---- 1. the load ------------------------------------------------------ */

typedef struct load_result {
    long open;                /* escalations left open */
    long steps;
    int64_t first_timer;      /* earliest and latest next_timer_at of the open ones */
    int64_t last_timer;
    double seconds;
} load_result;

static void batch_step(esc_db *db, long *in_batch)
{
    if (++*in_batch < BATCH_STEPS)
        return;
    must(db, esc_db_batch_commit(db), "batch commit");
    must(db, esc_db_batch_begin(db), "batch begin");
    *in_batch = 0;
}

static load_result load(const char *path, long rows)
{
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = ESC_OPEN_CREATE;
    esc_db *db = NULL;
    must(db, esc_db_open(&db, path, &options), "create database");
    int64_t clock = CLOCK_START_MS;
    must(db, esc_db_set_clock(db, bench_clock, &clock), "set clock");
    must(db, esc_db_policy_put(NULL, db, POLICY_NAME, POLICY_SPEC, NULL), "store policy");

    load_result r = { 0, 0, INT64_MAX, 0, 0.0 };
    char customer[32];
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = agent;
    p.summary = "Charged twice for the March invoice; the refund never arrived.";
    p.customer_id = customer;
    p.sla_policy = POLICY_NAME;
    esc_action withdraw = ESC_ACTION_INIT;
    withdraw.kind = ESC_ACTION_WITHDRAW;
    withdraw.actor = agent;
    withdraw.text = "The customer settled it with the bank.";

    long in_batch = 0;
    int64_t start = now_ns();
    must(db, esc_db_batch_begin(db), "batch begin");
    for (long i = 0; i < rows; i++) {
        clock = CLOCK_START_MS + (int64_t)i * CLOCK_STEP_MS;
        snprintf(customer, sizeof customer, "cust-%05ld", i % 20000);
        p.impact = 1 + (int)(i % 4);
        p.urgency = 1 + (int)(i / 4 % 4);
        p.vip = i % 50 == 0;
        esc_escalation *esc = NULL;
        must(db, esc_escalation_open(&esc, db, &p), "open");
        batch_step(db, &in_batch);
        r.steps++;
        if (i % OPEN_EVERY == OPEN_EVERY / 2) {
            int64_t at = esc_escalation_next_timer_at(esc);
            if (at <= 0)
                fail("escalation %ld opened under \"%s\" has no next timer", i, POLICY_NAME);
            r.first_timer = at < r.first_timer ? at : r.first_timer;
            r.last_timer = at > r.last_timer ? at : r.last_timer;
            r.open++;
        } else {
            clock += WITHDRAW_AFTER_MS;
            must(db, esc_apply(db, esc, &withdraw), "withdraw");
            batch_step(db, &in_batch);
            r.steps++;
        }
        esc_escalation_free(esc);
    }
    must(db, esc_db_batch_commit(db), "batch commit");
    r.seconds = (double)(now_ns() - start) / 1e9;
    esc_db_close(db); /* the last connection: the WAL is checkpointed into the file */
    return r;
}

/* ---- 2. the plan ------------------------------------------------------ */

/* Print the plan rows of sql; 0 when it searches DUE_INDEX, scans no
 * table and sorts nothing. */
static int check_plan(sqlite3 *conn, const char *sql)
{
    char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    if (explain == NULL)
        fail("out of memory");
    sqlite3_stmt *stmt = NULL;
    must_sqlite(conn, sqlite3_prepare_v2(conn, explain, -1, &stmt, NULL), "explain");
    sqlite3_free(explain);
    int uses_index = 0, scans = 0, sorts = 0;
    printf("  %-4s %-6s %s\n", "id", "parent", "detail");
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(stmt, 3);
        detail = detail ? detail : "";
        printf("  %-4d %-6d %s\n", sqlite3_column_int(stmt, 0), sqlite3_column_int(stmt, 1),
               detail);
        uses_index |= strstr(detail, "USING INDEX " DUE_INDEX " ") != NULL ||
                      strstr(detail, "USING COVERING INDEX " DUE_INDEX " ") != NULL;
        scans |= strncmp(detail, "SCAN", 4) == 0;
        sorts |= strstr(detail, "TEMP B-TREE") != NULL;
    }
    must_sqlite(conn, sqlite3_finalize(stmt), "explain");
    printf("  uses %s: %s; scans a table: %s; sorts: %s\n", DUE_INDEX, uses_index ? "yes" : "NO",
           scans ? "YES" : "no", sorts ? "YES" : "no");
    return uses_index && !scans && !sorts ? 0 : 1;
}

static int64_t count_due(sqlite3 *conn, int64_t before)
{
    sqlite3_stmt *stmt = NULL;
    must_sqlite(conn, sqlite3_prepare_v2(conn,
                                         "SELECT count(*) FROM escalations"
                                         " WHERE next_timer_at > 0 AND next_timer_at <= ?1",
                                         -1, &stmt, NULL),
                "count");
    sqlite3_bind_int64(stmt, 1, before);
    if (sqlite3_step(stmt) != SQLITE_ROW)
        fail("count: %s", sqlite3_errmsg(conn));
    int64_t n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

/* ---- 3. the timed queries --------------------------------------------- */

/* A raw query prepared once, with the type of each column from its
 * declaration, so that each row is read with one call per column, as the
 * library does. */
#define RAW_COLUMNS_MAX 64
typedef struct raw_query {
    sqlite3_stmt *stmt;
    int columns;
    unsigned char is_text[RAW_COLUMNS_MAX];
} raw_query;

static void raw_prepare(raw_query *raw, sqlite3 *conn, const char *sql)
{
    must_sqlite(conn, sqlite3_prepare_v2(conn, sql, -1, &raw->stmt, NULL), "prepare");
    raw->columns = sqlite3_column_count(raw->stmt);
    if (raw->columns > RAW_COLUMNS_MAX)
        fail("%d columns: raise RAW_COLUMNS_MAX", raw->columns);
    for (int c = 0; c < raw->columns; c++) {
        const char *type = sqlite3_column_decltype(raw->stmt, c);
        raw->is_text[c] = type != NULL && strcmp(type, "TEXT") == 0;
    }
}

typedef struct due_query {
    esc_db *db;               /* the library's handle */
    raw_query ids;            /* raw, id only */
    raw_query rows;           /* raw, the library's row columns */
    int64_t before;
    volatile int64_t sink;    /* keeps the column reads */
} due_query;

static size_t run_library(due_query *q)
{
    esc_escalation_list *list = NULL;
    must(q->db, esc_escalation_list_due(&list, q->db, q->before, DUE_LIMIT), "list due");
    size_t n = esc_escalation_list_count(list);
    esc_escalation_list_free(list);
    return n;
}

/* Step a raw query to the end, reading every column. */
static size_t run_raw(due_query *q, raw_query *raw)
{
    sqlite3_stmt *stmt = raw->stmt;
    sqlite3_bind_int64(stmt, 1, q->before);
    sqlite3_bind_int64(stmt, 2, DUE_LIMIT);
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
        fail("raw query: %s", sqlite3_errmsg(sqlite3_db_handle(stmt)));
    sqlite3_reset(stmt);
    q->sink += sum;
    return n;
}

static size_t run_raw_ids(due_query *q)
{
    return run_raw(q, &q->ids);
}

static size_t run_raw_rows(due_query *q)
{
    return run_raw(q, &q->rows);
}

typedef struct contender {
    const char *name;
    size_t (*run)(due_query *q);
    int64_t *ns;              /* one per repetition */
    double p50, p99, mean;    /* microseconds */
} contender;

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void summarise(contender *c, int repeats)
{
    qsort(c->ns, (size_t)repeats, sizeof *c->ns, cmp_int64);
    double total = 0;
    for (int i = 0; i < repeats; i++)
        total += (double)c->ns[i];
    /* Nearest rank: the smallest value with at least p % of them at or below it. */
    c->p50 = (double)c->ns[(repeats * 50 + 99) / 100 - 1] / 1e3;
    c->p99 = (double)c->ns[(repeats * 99 + 99) / 100 - 1] / 1e3;
    c->mean = total / repeats / 1e3;
}

/* The library and the raw id query must give the same escalations in the
 * same order. */
static void check_same_answer(due_query *q)
{
    esc_escalation_list *list = NULL;
    must(q->db, esc_escalation_list_due(&list, q->db, q->before, DUE_LIMIT), "list due");
    sqlite3_stmt *ids = q->ids.stmt;
    sqlite3_bind_int64(ids, 1, q->before);
    sqlite3_bind_int64(ids, 2, DUE_LIMIT);
    size_t n = 0;
    while (sqlite3_step(ids) == SQLITE_ROW) {
        const esc_escalation *esc = esc_escalation_list_get(list, n);
        const char *id = (const char *)sqlite3_column_text(ids, 0);
        if (esc == NULL || strcmp(esc_escalation_id(esc), id) != 0)
            fail("row %zu: the library says %s, SQLite says %s", n,
                 esc ? esc_escalation_id(esc) : "(nothing)", id);
        if (!esc_escalation_is_open(esc) || esc_escalation_next_timer_at(esc) <= 0 ||
            esc_escalation_next_timer_at(esc) > q->before)
            fail("row %zu (%s) is closed or not due", n, id);
        n++;
    }
    sqlite3_reset(ids);
    if (n != esc_escalation_list_count(list))
        fail("the library lists %zu due escalations, SQLite %zu",
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
                OPEN_EVERY);
        exit(2);
    }
    return v;
}

static void print_row(const contender *c)
{
    printf("  %-34s %9.1f %9.1f %9.1f\n", c->name, c->p50, c->p99, c->mean);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows when stdout is a file */
    long rows = arg_long(argc, argv, 1, 1000000, OPEN_EVERY);
    int repeats = (int)arg_long(argc, argv, 2, 2000, 1);

    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/due_query.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        fail("mkdtemp %s: %s", dir, strerror(errno));
    char path[4200];
    snprintf(path, sizeof path, "%s/due.db", dir);

    printf("due_query: %ld escalations, SQLite %s, database %s\n\n", rows, sqlite3_libversion(),
           path);

    /* 1. load */
    load_result r = load(path, rows);
    struct stat st;
    if (stat(path, &st) != 0)
        fail("stat %s: %s", path, strerror(errno));
    printf("load (batches of %d steps, policy \"%s\" on every escalation)\n", BATCH_STEPS,
           POLICY_NAME);
    printf("  escalations        %12ld  (%ld open with a timer, %ld withdrawn)\n", rows, r.open,
           rows - r.open);
    printf("  steps              %12ld\n", r.steps);
    printf("  load time          %12.1f s\n", r.seconds);
    printf("  rows/s             %12.0f  (%.0f steps/s)\n", (double)rows / r.seconds,
           (double)r.steps / r.seconds);
    printf("  file size          %12.1f MiB  (%lld bytes)\n\n",
           (double)st.st_size / (1024.0 * 1024.0), (long long)st.st_size);

    /* 2. the plan, and the index holding exactly the open escalations */
    sqlite3 *conn = NULL;
    must_sqlite(conn, sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL), "open raw");
    printf("query plan of the library's due query (TS_LIST_DUE)\n"
           "  SELECT id, token, <row and timer columns> FROM escalations " DUE_TAIL "\n");
    int plan_bad = check_plan(conn, due_sql_library);
    int64_t indexed = count_due(conn, INT64_MAX);
    printf("  rows in %s: %lld (open escalations: %ld)\n\n", DUE_INDEX, (long long)indexed,
           r.open);
    if (plan_bad)
        fail("the due query is not answered from %s alone (see the plan above)", DUE_INDEX);
    if (indexed != r.open)
        fail("%lld escalations have a next timer, %ld are open", (long long)indexed, r.open);

    /* 3. timings */
    due_query q = { .before = r.first_timer + (r.last_timer - r.first_timer) / 2 };
    must(q.db, esc_db_open(&q.db, path, NULL), "open database");
    raw_prepare(&q.ids, conn, due_sql_ids);
    raw_prepare(&q.rows, conn, due_sql_library);
    int64_t due = count_due(conn, q.before);
    check_same_answer(&q);

    contender c[] = {
        { "esc_escalation_list_due (+ free)", run_library, NULL, 0, 0, 0 },
        { "raw SQLite, id only", run_raw_ids, NULL, 0, 0, 0 },
        { "raw SQLite, full row columns", run_raw_rows, NULL, 0, 0, 0 },
    };
    enum { LIB, RAW_IDS, RAW_ROWS, CONTENDERS };
    for (int k = 0; k < CONTENDERS; k++)
        if ((c[k].ns = malloc((size_t)repeats * sizeof *c[k].ns)) == NULL)
            fail("out of memory");
    size_t expected = (size_t)(due < DUE_LIMIT ? due : DUE_LIMIT);
    for (int i = -WARMUP; i < repeats; i++) {
        for (int k = 0; k < CONTENDERS; k++) { /* interleaved: drift hits all alike */
            int64_t t0 = now_ns();
            size_t n = c[k].run(&q);
            int64_t t1 = now_ns();
            if (n != expected)
                fail("%s returned %zu rows, expected %zu", c[k].name, n, expected);
            if (i >= 0)
                c[k].ns[i] = t1 - t0;
        }
    }
    for (int k = 0; k < CONTENDERS; k++)
        summarise(&c[k], repeats);

    printf("due before T = %lld (%lld of %ld open escalations due, limit %d: %zu returned)\n",
           (long long)q.before, (long long)due, r.open, DUE_LIMIT, expected);
    printf("%d repetitions after %d warm-up, interleaved; microseconds\n", repeats, WARMUP);
    printf("  %-34s %9s %9s %9s\n", "", "p50", "p99", "mean");
    for (int k = 0; k < CONTENDERS; k++)
        print_row(&c[k]);
    printf("  library / raw id only:      p50 %6.2f x   p99 %6.2f x\n",
           c[LIB].p50 / c[RAW_IDS].p50, c[LIB].p99 / c[RAW_IDS].p99);
    printf("  library / raw full rows:    p50 %6.2f x   p99 %6.2f x\n",
           c[LIB].p50 / c[RAW_ROWS].p50, c[LIB].p99 / c[RAW_ROWS].p99);
    printf("  (the library also reads each escalation's items and builds snapshots)\n\n");
    printf("due before T over %ld escalations: p50 %.1f us (well under 1 ms: %s)\n", rows,
           c[LIB].p50, c[LIB].p50 < WELL_UNDER_US ? "yes" : "no");

    /* 4. memory */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);

    for (int k = 0; k < CONTENDERS; k++)
        free(c[k].ns);
    sqlite3_finalize(q.ids.stmt);
    sqlite3_finalize(q.rows.stmt);
    sqlite3_close(conn);
    esc_db_close(q.db);
    char file[4300];
    const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        snprintf(file, sizeof file, "%s%s", path, suffixes[i]);
        unlink(file);
    }
    rmdir(dir);
    return 0;
}
