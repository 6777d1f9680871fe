/*
 * bench.c — `make bench`: libescalate against raw SQLite doing the minimum
 * equivalent work, measured in one process run.  It owns the comparison
 * and its final table; the bulk-load data, the library's load and the due
 * query's SQL come from bench_due.c, timing/statistics/scratch files from
 * bench_util.c.  Nothing in the library depends on it.
 *
 * The two sides ("A" = the library through its public API, "B" = the
 * baseline: prepared statements on a plain sqlite3 connection) always get
 * files of their own, both CREATED BY THE LIBRARY (esc_db_open), so the
 * baseline's tables, indexes, triggers and page size are the library's.
 * The baseline opens its file like the library (no mutex) with the same
 * journal and synchronous pragmas, but without the library's foreign_keys
 * = ON.  Each measurement alternates A, B, A, B ... for several rounds, so
 * that a slow moment of a shared machine hits both, and compares medians;
 * CPU time per step (getrusage) is recorded beside the wall clock, as a
 * second opinion that waiting for a core does not sway.
 *
 *  1. Transitions, one per transaction, in three modes: WAL + synchronous
 *     NORMAL, WAL + FULL, rollback journal (DELETE) + FULL.  Every round
 *     opens fresh escalations on both sides (not timed), then times
 *     STEPS_PER_ESCALATION steps on each, the repeatable actions note,
 *     hold, tag, resume in turn.
 *       A: esc_apply() (one transaction per step).
 *       B: BEGIN IMMEDIATE; UPDATE escalations SET version, state,
 *          updated_at WHERE id = ? AND version = ? (checked: one row);
 *          INSERT INTO events (the same columns but the hash, the same
 *          JSON payload); COMMIT.
 *     Afterwards both files must hold the same number of events.  In WAL +
 *     NORMAL, once and not timed: the pages each step writes (the WAL's
 *     frames over WAL_PROBE_STEPS steps), shared out among the b-trees
 *     (tables, indexes) they belong to (dbstat).
 *  2. Batched: BATCH_SIZE of the same transitions in one transaction
 *     (A: esc_db_batch_begin/commit; B: BEGIN IMMEDIATE ... COMMIT), WAL +
 *     NORMAL.
 *  3. Bulk load of N escalations (bench_due.c's data: every one opened
 *     under an 8 h resolution policy, all but one in 33 withdrawn), BULK_BATCH
 *     steps per transaction on both sides.  B inserts the row (the same
 *     column values, next_timer_at = resolution_due = opened + 8 h) and
 *     the open event; a withdrawal updates version, state, withdrawn,
 *     updated_at, next_timer_at = 0 and adds its event.  Rows/s, and the
 *     file sizes of the last round (after the WAL is checkpointed), b-tree
 *     by b-tree (dbstat).
 *  4. The due query on the last round's files, A and B interleaved call by
 *     call: esc_escalation_list_due(100) against a SELECT of the same row
 *     columns (bench_due.h) without the library's access predicate.  p50
 *     and p99 (the median over DUE_ROUNDS rounds), the thread CPU time of
 *     the calls, and EXPLAIN QUERY PLAN of both statements.
 *  5. Peak RSS (getrusage) of the whole process.
 * Then a table: each figure, its target, met or MISSED (wall clock), and
 * the CPU-time ratio.
 *
 * Usage: bench [--quick] [--bulk N] [--rounds N] [--bulk-rounds N]
 *              [--repeats N] [--dir DIR] [--only SECTION] [--side SIDE]
 *   SECTION: wal-normal, wal-full, delete-full, batched, bulk (bulk and due)
 *   SIDE: library or baseline: time that side only (for a profiler: perf,
 *   callgrind, strace -c); no ratios, no due query, no table.
 * Files go in a new directory under DIR ($TMPDIR or /tmp), removed at the
 * end (left there on a failure).  Exits 0 when every measurement ran
 * (targets missed or not), 1 on a failure, 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <uuid/uuid.h>

#include <escalate.h>

#include "bench_due.h"
#include "bench_util.h"

#define STEPS_PER_ESCALATION 8  /* note, hold, tag, resume, twice */
#define BATCH_SIZE 1000
#define BULK_BATCH 10000
#define DUE_WARMUP 200
#define DUE_ROUNDS 5            /* the due query's calls, in this many rounds */
#define MAX_ROUNDS 99
#define WAL_PROBE_STEPS 80      /* x pages per step: under the 1000-page autocheckpoint */

static const esc_person agent = { "agent-1", "Alex Agent", 1 };

/* ---- configuration ---------------------------------------------------- */

enum { MODE_WAL_NORMAL, MODE_WAL_FULL, MODE_DELETE_FULL, MODES };

typedef struct mode {
    const char *name;         /* as in --only and the table */
    int journal, sync;        /* ESC_JOURNAL_*, ESC_SYNC_* */
    const char *journal_pragma, *sync_pragma;
    double target;            /* library / baseline, at least */
} mode;

static const mode modes[MODES] = {
    { "wal-normal", ESC_JOURNAL_WAL, ESC_SYNC_NORMAL, "PRAGMA journal_mode = WAL",
      "PRAGMA synchronous = NORMAL", 0.80 },
    { "wal-full", ESC_JOURNAL_WAL, ESC_SYNC_FULL, "PRAGMA journal_mode = WAL",
      "PRAGMA synchronous = FULL", 0.90 },
    { "delete-full", ESC_JOURNAL_ROLLBACK, ESC_SYNC_FULL, "PRAGMA journal_mode = DELETE",
      "PRAGMA synchronous = FULL", 0.90 },
};

typedef struct config {
    int quick;
    long bulk;                /* escalations in the bulk load */
    int rounds;               /* A/B rounds of the transition measurements */
    int bulk_rounds;          /* A/B rounds of the bulk load */
    long steps[MODES];        /* steps per round and side, one per transaction */
    long batches;             /* batches of BATCH_SIZE per round and side */
    int repeats;              /* timed due queries per side */
    const char *parent;       /* where the scratch directory goes */
    const char *only;         /* NULL: everything */
    int lib, raw;             /* which sides are timed (--side) */
    char dir[4096];           /* the scratch directory */
} config;

/* ---- the steps: what both sides do ------------------------------------ */

static const esc_action_kind cycle[4] = {
    ESC_ACTION_NOTE, ESC_ACTION_HOLD, ESC_ACTION_TAG, ESC_ACTION_RESUME,
};
#define NOTE_TEXT "Called again: the refund is still not on the statement."
#define HOLD_TEXT "Waiting for the bank statement."
#define TAG_TEXT "billing"

/* The event payload of each step, as the library encodes it (JSON). */
static const char *const cycle_payload[4] = {
    "{\"text\":\"" NOTE_TEXT "\"}",
    "{\"text\":\"" HOLD_TEXT "\",\"hold\":1}",
    "{\"text\":\"" TAG_TEXT "\"}",
    "{}",
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void new_id(char id[37])
{
    uuid_t uuid;
    uuid_generate_random(uuid);
    uuid_unparse_lower(uuid, id);
}

/* ---- A: the library ----------------------------------------------------- */

typedef struct lib_side {
    esc_db *db;
    esc_escalation **escs;
    long count;
    esc_action actions[4];    /* one per cycle entry */
} lib_side;

static void lib_open_db(lib_side *lib, const char *path, const mode *m)
{
    memset(lib, 0, sizeof *lib);
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = ESC_OPEN_CREATE;
    options.journal = m->journal;
    options.sync = m->sync;
    bench_must(lib->db, esc_db_open(&lib->db, path, &options), "open library database");
    for (int k = 0; k < 4; k++) {
        esc_action a = ESC_ACTION_INIT;
        a.kind = cycle[k];
        a.actor = agent;
        a.text = k == 0 ? NOTE_TEXT : k == 1 ? HOLD_TEXT : k == 2 ? TAG_TEXT : NULL;
        a.hold = k == 1 ? ESC_HOLD_CUSTOMER : ESC_HOLD_NONE;
        lib->actions[k] = a;
    }
}

static void lib_free_escalations(lib_side *lib)
{
    for (long i = 0; i < lib->count; i++)
        esc_escalation_free(lib->escs[i]);
    free(lib->escs);
    lib->escs = NULL;
    lib->count = 0;
}

static void lib_close_db(lib_side *lib)
{
    lib_free_escalations(lib);
    esc_db_close(lib->db);
    lib->db = NULL;
}

/* Open count fresh escalations, in one batch (not timed). */
static void lib_open_escalations(lib_side *lib, long count)
{
    lib_free_escalations(lib);
    lib->escs = bench_alloc((size_t)count * sizeof *lib->escs);
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = agent;
    p.summary = BENCH_DUE_SUMMARY;
    p.customer_id = "cust-00042";
    p.impact = 2;
    p.urgency = 3;
    bench_must(lib->db, esc_db_batch_begin(lib->db), "batch begin");
    for (long i = 0; i < count; i++)
        bench_must(lib->db, esc_escalation_open(&lib->escs[i], lib->db, &p), "open");
    bench_must(lib->db, esc_db_batch_commit(lib->db), "batch commit");
    lib->count = count;
}

/* Step number s of a round: escalation s % count, its (s / count)-th step. */
static void lib_step(lib_side *lib, long s)
{
    esc_escalation *esc = lib->escs[s % lib->count];
    const esc_action *a = &lib->actions[(s / lib->count) % 4];
    bench_must(lib->db, esc_apply(lib->db, esc, a), esc_action_name(a->kind));
}

/* ---- B: the raw SQLite baseline ---------------------------------------- */

enum {
    RAW_BEGIN, RAW_COMMIT, RAW_INSERT_ESCALATION, RAW_INSERT_EVENT, RAW_UPDATE_STEP,
    RAW_UPDATE_WITHDRAW, RAW_STATEMENTS
};

static const char *const raw_sql[RAW_STATEMENTS] = {
    [RAW_BEGIN] = "BEGIN IMMEDIATE",
    [RAW_COMMIT] = "COMMIT",
    /* The columns without a default, plus the policy and its deadline. */
    [RAW_INSERT_ESCALATION] =
        "INSERT INTO escalations (id, token, version, state, summary, customer_id, channel,"
        " impact, urgency, priority, vip, churn_risk, confidential, tier, problem_confirmed,"
        " promised_at, unconfirmed, withdrawn, hold, hold_since, satisfaction, reopen_count,"
        " created_at, updated_at, due_at, listen_mark, follow_up_mark, sla_policy,"
        " resolution_due, next_timer_at)"
        " VALUES (?1, 0, 1, 0, ?2, ?3, 0, ?4, ?5, ?6, ?7, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,"
        " ?8, ?8, 0, 0, 0, ?9, ?10, ?10)",
    [RAW_INSERT_EVENT] =
        "INSERT INTO events (escalation_id, seq, at, action, actor_id, actor_name, actor_tier,"
        " from_state, to_state, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [RAW_UPDATE_STEP] =
        "UPDATE escalations SET version = ?1, state = ?2, updated_at = ?3"
        " WHERE id = ?4 AND version = ?5",
    [RAW_UPDATE_WITHDRAW] =
        "UPDATE escalations SET version = ?1, state = 6, withdrawn = 1, updated_at = ?2,"
        " next_timer_at = 0 WHERE id = ?3 AND version = ?4",
};

typedef struct raw_side {
    sqlite3 *conn;
    sqlite3_stmt *stmt[RAW_STATEMENTS];
    char (*ids)[37];
    int64_t *versions;
    long count;
    char payload[512];
} raw_side;

/* Create path with the library (its schema, journal mode), then open it
 * as a plain connection with the same journal and synchronous pragmas. */
static void raw_open_db(raw_side *raw, const char *path, const mode *m)
{
    memset(raw, 0, sizeof *raw);
    esc_db *db = NULL;
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = ESC_OPEN_CREATE;
    options.journal = m->journal;
    options.sync = m->sync;
    bench_must(db, esc_db_open(&db, path, &options), "create baseline database");
    esc_db_close(db);
    bench_must_sqlite(raw->conn,
                      sqlite3_open_v2(path, &raw->conn,
                                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL),
                      "open baseline database");
    sqlite3_busy_timeout(raw->conn, 5000);
    bench_must_sqlite(raw->conn, sqlite3_exec(raw->conn, m->journal_pragma, NULL, NULL, NULL),
                      m->journal_pragma);
    bench_must_sqlite(raw->conn, sqlite3_exec(raw->conn, m->sync_pragma, NULL, NULL, NULL),
                      m->sync_pragma);
    for (int k = 0; k < RAW_STATEMENTS; k++)
        bench_must_sqlite(raw->conn, sqlite3_prepare_v3(raw->conn, raw_sql[k], -1,
                                                        SQLITE_PREPARE_PERSISTENT, &raw->stmt[k],
                                                        NULL),
                          raw_sql[k]);
}

static void raw_free_escalations(raw_side *raw)
{
    free(raw->ids);
    free(raw->versions);
    raw->ids = NULL;
    raw->versions = NULL;
    raw->count = 0;
}

static void raw_close_db(raw_side *raw)
{
    raw_free_escalations(raw);
    for (int k = 0; k < RAW_STATEMENTS; k++)
        sqlite3_finalize(raw->stmt[k]);
    bench_must_sqlite(raw->conn, sqlite3_close(raw->conn), "close baseline database");
    raw->conn = NULL;
}

/* Step a statement that returns no rows; reset it. */
static void raw_run(raw_side *raw, int k)
{
    int rc = sqlite3_step(raw->stmt[k]);
    sqlite3_reset(raw->stmt[k]);
    if (rc != SQLITE_DONE)
        bench_fail("baseline: %s: %s", raw_sql[k], sqlite3_errmsg(raw->conn));
}

static void raw_event(raw_side *raw, const char *id, int64_t seq, int64_t at,
                      esc_action_kind action, int from, int to, const char *payload)
{
    sqlite3_stmt *st = raw->stmt[RAW_INSERT_EVENT];
    sqlite3_bind_text(st, 1, id, 36, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, seq);
    sqlite3_bind_int64(st, 3, at);
    sqlite3_bind_int(st, 4, (int)action);
    sqlite3_bind_text(st, 5, agent.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, agent.name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, agent.tier);
    sqlite3_bind_int(st, 8, from);
    sqlite3_bind_int(st, 9, to);
    sqlite3_bind_text(st, 10, payload, -1, SQLITE_STATIC);
    raw_run(raw, RAW_INSERT_EVENT);
}

/* Insert a new escalation (version 1, listen) and its open event, as the
 * library's open step records them. */
static void raw_insert(raw_side *raw, const char *id, const char *customer, int impact,
                       int urgency, int vip, const char *policy, int64_t at, int64_t timer)
{
    int priority = esc_priority_compute(NULL, impact, urgency, vip, 0);
    sqlite3_stmt *st = raw->stmt[RAW_INSERT_ESCALATION];
    sqlite3_bind_text(st, 1, id, 36, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, BENCH_DUE_SUMMARY, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, customer, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, impact);
    sqlite3_bind_int(st, 5, urgency);
    sqlite3_bind_int(st, 6, priority);
    sqlite3_bind_int(st, 7, vip);
    sqlite3_bind_int64(st, 8, at);
    if (policy)
        sqlite3_bind_text(st, 9, policy, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 9);
    sqlite3_bind_int64(st, 10, timer);
    raw_run(raw, RAW_INSERT_ESCALATION);
    int n = snprintf(raw->payload, sizeof raw->payload,
                     "{\"summary\":\"%s\",\"customer_id\":\"%s\",\"open_impact\":%d,"
                     "\"open_urgency\":%d,%s\"open_priority\":%d%s%s%s}",
                     BENCH_DUE_SUMMARY, customer, impact, urgency, vip ? "\"open_vip\":true," : "",
                     priority, policy ? ",\"sla_policy\":\"" : "", policy ? policy : "",
                     policy ? "\"" : "");
    if (n < 0 || (size_t)n >= sizeof raw->payload)
        bench_fail("baseline: payload too long");
    raw_event(raw, id, 1, at, ESC_ACTION_OPEN, ESC_STATE_LISTEN, ESC_STATE_LISTEN, raw->payload);
}

/* UPDATE ... WHERE id = ? AND version = ?: exactly one row, or a conflict. */
static void raw_check_one_row(raw_side *raw, const char *id)
{
    if (sqlite3_changes(raw->conn) != 1)
        bench_fail("baseline: escalation %s was not at the expected version", id);
}

/* Insert count fresh escalations, in one transaction (not timed). */
static void raw_open_escalations(raw_side *raw, long count)
{
    raw_free_escalations(raw);
    raw->ids = bench_alloc((size_t)count * sizeof *raw->ids);
    raw->versions = bench_alloc((size_t)count * sizeof *raw->versions);
    int64_t now = wall_ms();
    raw_run(raw, RAW_BEGIN);
    for (long i = 0; i < count; i++) {
        new_id(raw->ids[i]);
        raw->versions[i] = 1;
        raw_insert(raw, raw->ids[i], "cust-00042", 2, 3, 0, NULL, now, 0);
    }
    raw_run(raw, RAW_COMMIT);
    raw->count = count;
}

/* The same step as lib_step, without a transaction of its own. */
static void raw_step_body(raw_side *raw, long s)
{
    long i = s % raw->count;
    int k = (int)((s / raw->count) % 4);
    const char *id = raw->ids[i];
    int64_t version = raw->versions[i];
    int64_t now = wall_ms();
    sqlite3_stmt *st = raw->stmt[RAW_UPDATE_STEP];
    sqlite3_bind_int64(st, 1, version + 1);
    sqlite3_bind_int(st, 2, ESC_STATE_LISTEN);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_text(st, 4, id, 36, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, version);
    raw_run(raw, RAW_UPDATE_STEP);
    raw_check_one_row(raw, id);
    raw_event(raw, id, version + 1, now, cycle[k], ESC_STATE_LISTEN, ESC_STATE_LISTEN,
              cycle_payload[k]);
    raw->versions[i] = version + 1;
}

static void raw_step(raw_side *raw, long s)
{
    raw_run(raw, RAW_BEGIN);
    raw_step_body(raw, s);
    raw_run(raw, RAW_COMMIT);
}

/* ---- measuring ---------------------------------------------------------- */

/* Wall-clock and CPU time at one moment. */
typedef struct stopwatch {
    int64_t wall, cpu;        /* ns */
} stopwatch;

static stopwatch stopwatch_now(void)
{
    stopwatch s = { bench_now_ns(), bench_cpu_ns() };
    return s;
}

/* Per-round results of one figure, A and B: units (steps, rows) per
 * second of wall-clock time, and CPU microseconds per unit. */
typedef struct samples {
    double lib[MAX_ROUNDS], raw[MAX_ROUNDS];
    double lib_cpu[MAX_ROUNDS], raw_cpu[MAX_ROUNDS];
    int n;
} samples;

typedef struct figure {
    double lib, raw;          /* medians of units per second */
    double lib_cpu, raw_cpu;  /* medians of CPU us per unit */
} figure;

/* Round r of one side (library or not): units done from `from` to `to`. */
static void record(samples *smp, int r, int library, double units, stopwatch from, stopwatch to)
{
    double rate = units * 1e9 / (double)(to.wall - from.wall);
    double cpu = (double)(to.cpu - from.cpu) / 1e3 / units;
    (library ? smp->lib : smp->raw)[r] = rate;
    (library ? smp->lib_cpu : smp->raw_cpu)[r] = cpu;
}

static figure medians(samples *s)
{
    figure f = {
        bench_median(s->lib, (size_t)s->n), bench_median(s->raw, (size_t)s->n),
        bench_median(s->lib_cpu, (size_t)s->n), bench_median(s->raw_cpu, (size_t)s->n),
    };
    return f;
}

static double percent(double lib, double raw)
{
    return lib > 0 && raw > 0 ? 100.0 * lib / raw : 0.0;
}

static void print_round(const samples *smp, int r, const char *unit)
{
    printf("  round %2d  library %8.0f %s/s (cpu %6.1f us)   baseline %8.0f %s/s (cpu %6.1f us)"
           "   %5.1f %%\n",
           r + 1, smp->lib[r], unit, smp->lib_cpu[r], smp->raw[r], unit, smp->raw_cpu[r],
           percent(smp->lib[r], smp->raw[r]));
}

static void print_median(const figure *f, const char *unit)
{
    printf("  median: library %.0f %s/s, baseline %.0f %s/s: %.1f %%;"
           " cpu per %s: library %.1f us, baseline %.1f us (%.2f x)\n",
           f->lib, unit, f->raw, unit, percent(f->lib, f->raw), unit, f->lib_cpu, f->raw_cpu,
           f->raw_cpu > 0 ? f->lib_cpu / f->raw_cpu : 0.0);
}

static int64_t count_rows(const char *path, const char *sql)
{
    sqlite3 *conn = NULL;
    sqlite3_stmt *st = NULL;
    bench_must_sqlite(conn, sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL), path);
    bench_must_sqlite(conn, sqlite3_prepare_v2(conn, sql, -1, &st, NULL), sql);
    if (sqlite3_step(st) != SQLITE_ROW)
        bench_fail("%s: %s", sql, sqlite3_errmsg(conn));
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(conn);
    return n;
}

/* ---- pages written per transition (WAL frames), by b-tree ---------------- */

#define BTREES_MAX 24

/* Frames per step of each b-tree (table or index) over a probe. */
typedef struct wal_share {
    double total;             /* frames per step */
    int count;
    char name[BTREES_MAX][64];
    double per_step[BTREES_MAX];
} wal_share;

static sqlite3 *open_probe(const char *path)
{
    sqlite3 *probe = NULL;
    bench_must_sqlite(probe, sqlite3_open_v2(path, &probe, SQLITE_OPEN_READWRITE, NULL), path);
    sqlite3_busy_timeout(probe, 5000);
    return probe;
}

/* Empty the WAL: the probe's steps then start it afresh. */
static void wal_reset(sqlite3 *probe)
{
    bench_must_sqlite(probe, sqlite3_exec(probe, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
                                          NULL),
                      "wal_checkpoint(TRUNCATE)");
}

static uint32_t big_endian32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The b-tree owning page pgno (dbstat, when this SQLite has it), counted
 * into share. */
static void count_frame(wal_share *share, sqlite3_stmt *owner, uint32_t pgno)
{
    const char *name = "(not a b-tree page)";
    if (owner != NULL) {
        sqlite3_bind_int64(owner, 1, pgno);
        if (sqlite3_step(owner) == SQLITE_ROW && sqlite3_column_text(owner, 0) != NULL)
            name = (const char *)sqlite3_column_text(owner, 0);
    }
    int k = 0;
    while (k < share->count && strcmp(share->name[k], name) != 0)
        k++;
    if (k == share->count && share->count < BTREES_MAX)
        snprintf(share->name[share->count++], sizeof share->name[0], "%s", name);
    if (k < share->count)
        share->per_step[k] += 1;
    if (owner != NULL)
        sqlite3_reset(owner);
}

/* Read the WAL of db_path frame by frame (the 32-byte header, then a
 * 24-byte header and a page per frame, valid while its salts match the
 * log's) and share its frames out among the b-trees, per step. */
static wal_share wal_frames_by_btree(sqlite3 *probe, const char *db_path, long steps)
{
    wal_share share;
    memset(&share, 0, sizeof share);
    char wal_path[4300];
    snprintf(wal_path, sizeof wal_path, "%s-wal", db_path);
    FILE *wal = fopen(wal_path, "rb");
    if (wal == NULL)
        bench_fail("%s: %s", wal_path, strerror(errno));
    sqlite3_stmt *owner = NULL;
    if (sqlite3_prepare_v2(probe, "SELECT name FROM dbstat WHERE pageno = ?1 LIMIT 1", -1, &owner,
                           NULL) != SQLITE_OK)
        owner = NULL; /* no dbstat: totals only */
    unsigned char header[32], frame[24];
    if (fread(header, 1, sizeof header, wal) != sizeof header)
        bench_fail("%s: no WAL header", wal_path);
    uint32_t page_size = big_endian32(header + 8);
    long frames = 0;
    while (fread(frame, 1, sizeof frame, wal) == sizeof frame &&
           memcmp(frame + 8, header + 16, 8) == 0) {
        count_frame(&share, owner, big_endian32(frame));
        frames++;
        if (fseek(wal, (long)page_size, SEEK_CUR) != 0)
            break;
    }
    fclose(wal);
    sqlite3_finalize(owner);
    share.total = (double)frames / (double)steps;
    for (int k = 0; k < share.count; k++)
        share.per_step[k] /= (double)steps;
    return share;
}

static void print_share(const char *side, const wal_share *share)
{
    printf("    %-9s %5.2f:", side, share->total);
    for (int k = 0; k < share->count; k++)
        printf("%s %s %.2f", k ? "," : "", share->name[k], share->per_step[k]);
    printf("\n");
}

/* Pages written per transition, A and B: the WAL over WAL_PROBE_STEPS
 * steps from an empty log (both files in WAL mode, not timed). */
typedef struct wal_pages {
    wal_share lib, raw;
} wal_pages;

static wal_pages probe_wal_pages(lib_side *lib, const char *lib_path, raw_side *raw,
                                 const char *raw_path)
{
    wal_pages w;
    lib_open_escalations(lib, WAL_PROBE_STEPS / STEPS_PER_ESCALATION);
    raw_open_escalations(raw, WAL_PROBE_STEPS / STEPS_PER_ESCALATION);
    sqlite3 *probe = open_probe(lib_path);
    wal_reset(probe);
    for (long s = 0; s < WAL_PROBE_STEPS; s++)
        lib_step(lib, s);
    w.lib = wal_frames_by_btree(probe, lib_path, WAL_PROBE_STEPS);
    sqlite3_close(probe);
    probe = open_probe(raw_path);
    wal_reset(probe);
    for (long s = 0; s < WAL_PROBE_STEPS; s++)
        raw_step(raw, s);
    w.raw = wal_frames_by_btree(probe, raw_path, WAL_PROBE_STEPS);
    sqlite3_close(probe);
    return w;
}

/* 1. Transitions, one per transaction, in mode m. */
static figure bench_transitions(const config *cfg, const mode *m, wal_pages *pages)
{
    char lib_path[4200], raw_path[4200];
    char name[64];
    snprintf(name, sizeof name, "lib-%s.db", m->name);
    bench_scratch_path(lib_path, sizeof lib_path, cfg->dir, name);
    snprintf(name, sizeof name, "raw-%s.db", m->name);
    bench_scratch_path(raw_path, sizeof raw_path, cfg->dir, name);
    lib_side lib;
    raw_side raw;
    lib_open_db(&lib, lib_path, m);
    raw_open_db(&raw, raw_path, m);

    long steps = cfg->steps[m - modes];
    long count = (steps + STEPS_PER_ESCALATION - 1) / STEPS_PER_ESCALATION;
    printf("\ntransitions, one per transaction, %s (%s, %s): %d rounds x %ld steps per side\n",
           m->name, m->journal_pragma + 7, m->sync_pragma + 7, cfg->rounds, steps);
    long opened = 0, stepped = 0;

    /* Warm-up: statements prepared, pages cached. */
    lib_open_escalations(&lib, count);
    raw_open_escalations(&raw, count);
    for (long s = 0; s < count; s++) {
        if (cfg->lib)
            lib_step(&lib, s);
        if (cfg->raw)
            raw_step(&raw, s);
    }
    opened += count;
    stepped += count;

    samples smp = { .n = cfg->rounds };
    for (int r = 0; r < cfg->rounds; r++) {
        lib_open_escalations(&lib, count);
        raw_open_escalations(&raw, count);
        opened += count;
        stopwatch t0 = stopwatch_now();
        for (long s = 0; cfg->lib && s < steps; s++)
            lib_step(&lib, s);
        stopwatch t1 = stopwatch_now();
        for (long s = 0; cfg->raw && s < steps; s++)
            raw_step(&raw, s);
        stopwatch t2 = stopwatch_now();
        stepped += steps;
        if (cfg->lib)
            record(&smp, r, 1, (double)steps, t0, t1);
        if (cfg->raw)
            record(&smp, r, 0, (double)steps, t1, t2);
        print_round(&smp, r, "step");
    }
    int both = cfg->lib && cfg->raw;
    if (both && pages != NULL && m->journal == ESC_JOURNAL_WAL) {
        *pages = probe_wal_pages(&lib, lib_path, &raw, raw_path);
        opened += WAL_PROBE_STEPS / STEPS_PER_ESCALATION;
        stepped += WAL_PROBE_STEPS;
        printf("  pages written per transition (WAL frames over %d steps), by b-tree:\n",
               WAL_PROBE_STEPS);
        print_share("library", &pages->lib);
        print_share("baseline", &pages->raw);
    }
    lib_close_db(&lib);
    raw_close_db(&raw);

    /* Both sides did the same steps. */
    const char *events = "SELECT count(*) FROM events";
    int64_t lib_events = count_rows(lib_path, events), raw_events = count_rows(raw_path, events);
    if (both && (lib_events != opened + stepped || raw_events != opened + stepped))
        bench_fail("%s: %lld events in the library's file, %lld in the baseline's, expected %ld",
                   m->name, (long long)lib_events, (long long)raw_events, opened + stepped);
    bench_remove_db(lib_path);
    bench_remove_db(raw_path);
    figure f = medians(&smp);
    print_median(&f, "step");
    return f;
}

/* 2. Batched transitions: BATCH_SIZE per transaction, WAL + NORMAL. */
static figure bench_batched(const config *cfg)
{
    const mode *m = &modes[MODE_WAL_NORMAL];
    char lib_path[4200], raw_path[4200];
    bench_scratch_path(lib_path, sizeof lib_path, cfg->dir, "lib-batched.db");
    bench_scratch_path(raw_path, sizeof raw_path, cfg->dir, "raw-batched.db");
    lib_side lib;
    raw_side raw;
    lib_open_db(&lib, lib_path, m);
    raw_open_db(&raw, raw_path, m);
    long steps = BATCH_SIZE * cfg->batches;
    long count = steps / STEPS_PER_ESCALATION;
    printf("\nbatched transitions, %d per transaction, %s: %d rounds x %ld steps per side\n",
           BATCH_SIZE, m->name, cfg->rounds, steps);

    samples smp = { .n = cfg->rounds };
    for (int r = -1; r < cfg->rounds; r++) { /* round -1: warm-up */
        lib_open_escalations(&lib, count);
        raw_open_escalations(&raw, count);
        stopwatch t0 = stopwatch_now();
        for (long s = 0; cfg->lib && s < steps; s += BATCH_SIZE) {
            bench_must(lib.db, esc_db_batch_begin(lib.db), "batch begin");
            for (long b = s; b < s + BATCH_SIZE; b++)
                lib_step(&lib, b);
            bench_must(lib.db, esc_db_batch_commit(lib.db), "batch commit");
        }
        stopwatch t1 = stopwatch_now();
        for (long s = 0; cfg->raw && s < steps; s += BATCH_SIZE) {
            raw_run(&raw, RAW_BEGIN);
            for (long b = s; b < s + BATCH_SIZE; b++)
                raw_step_body(&raw, b);
            raw_run(&raw, RAW_COMMIT);
        }
        stopwatch t2 = stopwatch_now();
        if (r < 0)
            continue;
        if (cfg->lib)
            record(&smp, r, 1, (double)steps, t0, t1);
        if (cfg->raw)
            record(&smp, r, 0, (double)steps, t1, t2);
        print_round(&smp, r, "step");
    }
    lib_close_db(&lib);
    raw_close_db(&raw);
    bench_remove_db(lib_path);
    bench_remove_db(raw_path);
    figure f = medians(&smp);
    print_median(&f, "step");
    return f;
}

/* 3. B's bulk load: bench_due.c's escalations, as bench_due_load_library
 * loads them through the library. */
static bench_due_load raw_bulk_load(const char *path, long rows)
{
    raw_side raw;
    raw_open_db(&raw, path, &modes[MODE_WAL_NORMAL]);
    /* The policy the library's load stores first (its own transaction). */
    bench_must_sqlite(raw.conn, sqlite3_exec(raw.conn,
                                             "INSERT INTO policies (name, version, spec, calendar,"
                                             " created_at) VALUES ('" BENCH_DUE_POLICY_NAME "', 1, '"
                                             BENCH_DUE_POLICY_SPEC "', NULL, 1767571200000)",
                                             NULL, NULL, NULL),
                      "store policy");
    bench_due_load r;
    bench_due_load_init(&r);
    bench_due_row row;
    char id[37];
    char withdraw_payload[] = "{\"text\":\"" BENCH_DUE_WITHDRAW_TEXT "\"}";
    long in_batch = 0;
    int64_t start = bench_now_ns(), start_cpu = bench_cpu_ns();
    raw_run(&raw, RAW_BEGIN);
    for (long i = 0; i < rows; i++) {
        bench_due_row_of(i, &row);
        new_id(id);
        int64_t timer = row.opened_at + BENCH_DUE_RESOLUTION_MS;
        raw_insert(&raw, id, row.customer, row.impact, row.urgency, row.vip, BENCH_DUE_POLICY_NAME,
                   row.opened_at, timer);
        if (++in_batch == BULK_BATCH) {
            raw_run(&raw, RAW_COMMIT);
            raw_run(&raw, RAW_BEGIN);
            in_batch = 0;
        }
        if (row.withdrawn_at) {
            sqlite3_stmt *st = raw.stmt[RAW_UPDATE_WITHDRAW];
            sqlite3_bind_int64(st, 1, 2);
            sqlite3_bind_int64(st, 2, row.withdrawn_at);
            sqlite3_bind_text(st, 3, id, 36, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, 1);
            raw_run(&raw, RAW_UPDATE_WITHDRAW);
            raw_check_one_row(&raw, id);
            raw_event(&raw, id, 2, row.withdrawn_at, ESC_ACTION_WITHDRAW, ESC_STATE_LISTEN,
                      ESC_STATE_CLOSED, withdraw_payload);
            if (++in_batch == BULK_BATCH) {
                raw_run(&raw, RAW_COMMIT);
                raw_run(&raw, RAW_BEGIN);
                in_batch = 0;
            }
        }
        bench_due_load_count(&r, &row, timer);
    }
    raw_run(&raw, RAW_COMMIT);
    r.seconds = (double)(bench_now_ns() - start) / 1e9;
    r.cpu_seconds = (double)(bench_cpu_ns() - start_cpu) / 1e9;
    raw_close_db(&raw); /* the last connection: the WAL is checkpointed into the file */
    return r;
}

/* Bytes of each b-tree of path (dbstat), added into sizes under the names
 * in names (shared by both files); returns 0 when this SQLite has no dbstat. */
static int btree_sizes(const char *path, char (*names)[64], int *count, double *sizes)
{
    sqlite3 *conn = NULL;
    sqlite3_stmt *st = NULL;
    bench_must_sqlite(conn, sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL), path);
    if (sqlite3_prepare_v2(conn, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name", -1, &st,
                           NULL) != SQLITE_OK) {
        sqlite3_close(conn);
        return 0;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int k = 0;
        while (k < *count && strcmp(names[k], name ? name : "") != 0)
            k++;
        if (k == *count && *count < BTREES_MAX)
            snprintf(names[(*count)++], sizeof names[0], "%s", name ? name : "");
        if (k < *count)
            sizes[k] += (double)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(conn);
    return 1;
}

/* Where the bytes of the two bulk files are, b-tree by b-tree. */
static void print_btree_sizes(const char *lib_path, const char *raw_path)
{
    char names[BTREES_MAX][64];
    double lib[BTREES_MAX] = { 0 }, raw[BTREES_MAX] = { 0 };
    int count = 0;
    if (!btree_sizes(lib_path, names, &count, lib) || !btree_sizes(raw_path, names, &count, raw)) {
        printf("  (no dbstat in this SQLite: no size by b-tree)\n");
        return;
    }
    printf("  %-36s %12s %12s %8s\n", "size by b-tree (dbstat), MiB", "library", "baseline",
           "lib-base");
    for (int k = 0; k < count; k++)
        if (lib[k] >= 0.05 * 1048576 || raw[k] >= 0.05 * 1048576) /* the b-trees that matter */
            printf("  %-36s %12.1f %12.1f %+8.1f\n", names[k], lib[k] / 1048576.0,
                   raw[k] / 1048576.0, (lib[k] - raw[k]) / 1048576.0);
}

typedef struct bulk_result {
    figure rows_per_s;
    figure bytes;             /* file sizes of the last round */
    bench_due_load lib, raw;  /* the last round's loads */
} bulk_result;

static bulk_result bench_bulk(const config *cfg, char *lib_path, char *raw_path, size_t size)
{
    bulk_result b;
    memset(&b, 0, sizeof b);
    printf("\nbulk load of %ld escalations (1 in %d left open, the rest withdrawn),"
           " %d steps per transaction, WAL + NORMAL: %d rounds per side\n",
           cfg->bulk, BENCH_DUE_OPEN_EVERY, BULK_BATCH, cfg->bulk_rounds);
    samples smp = { .n = cfg->bulk_rounds };
    for (int r = 0; r < cfg->bulk_rounds; r++) {
        char name[64];
        snprintf(name, sizeof name, "lib-bulk-%d.db", r);
        bench_scratch_path(lib_path, size, cfg->dir, name);
        snprintf(name, sizeof name, "raw-bulk-%d.db", r);
        bench_scratch_path(raw_path, size, cfg->dir, name);
        stopwatch zero = { 0, 0 };
        if (cfg->lib) {
            b.lib = bench_due_load_library(lib_path, cfg->bulk, BULK_BATCH, NULL);
            stopwatch took = { (int64_t)(b.lib.seconds * 1e9), (int64_t)(b.lib.cpu_seconds * 1e9) };
            record(&smp, r, 1, (double)b.lib.rows, zero, took);
            b.bytes.lib = (double)bench_file_size(lib_path);
        }
        if (cfg->raw) {
            b.raw = raw_bulk_load(raw_path, cfg->bulk);
            stopwatch took = { (int64_t)(b.raw.seconds * 1e9), (int64_t)(b.raw.cpu_seconds * 1e9) };
            record(&smp, r, 0, (double)b.raw.rows, zero, took);
            b.bytes.raw = (double)bench_file_size(raw_path);
        }
        print_round(&smp, r, "row");
        if (r + 1 < cfg->bulk_rounds || !(cfg->lib && cfg->raw)) { /* the last round's files stay for the due query */
            bench_remove_db(lib_path);
            bench_remove_db(raw_path);
        }
    }
    b.rows_per_s = medians(&smp);
    print_median(&b.rows_per_s, "row");
    printf("  file size: library %.1f MiB, baseline %.1f MiB: %.2f x\n",
           b.bytes.lib / (1024.0 * 1024.0), b.bytes.raw / (1024.0 * 1024.0),
           b.bytes.lib / b.bytes.raw);
    if (cfg->lib && cfg->raw)
        print_btree_sizes(lib_path, raw_path);
    return b;
}

/* 4. The due query on the bulk files. */
typedef struct due_result {
    bench_percentiles lib, raw;         /* wall clock: medians over the rounds */
    bench_percentiles lib_cpu, raw_cpu; /* thread CPU time, all calls */
} due_result;

static due_result bench_due(const config *cfg, const bulk_result *b, const char *lib_path,
                            const char *raw_path)
{
    due_result d;
    int64_t before = bench_due_before(&b->lib);
    if (before != bench_due_before(&b->raw))
        bench_fail("the two loads have different timers");
    sqlite3 *lib_conn = NULL, *raw_conn = NULL;
    bench_must_sqlite(lib_conn, sqlite3_open_v2(lib_path, &lib_conn, SQLITE_OPEN_READONLY, NULL),
                      lib_path);
    bench_must_sqlite(raw_conn, sqlite3_open_v2(raw_path, &raw_conn, SQLITE_OPEN_READONLY, NULL),
                      raw_path);
    printf("\ndue query over %ld escalations, \"before\" = %lld, limit %d: %d calls per side"
           " after %d warm-up, interleaved\n",
           cfg->bulk, (long long)before, BENCH_DUE_LIMIT, cfg->repeats, DUE_WARMUP);
    printf("  library (its own statement, no viewer):\n"
           "    SELECT id, token, <row and timer columns> FROM escalations %s\n",
           bench_due_sql_tail);
    int bad = bench_due_check_plan(lib_conn, bench_due_sql_library, "    ");
    printf("  baseline (the same columns, no access predicate):\n"
           "    SELECT id, token, <row and timer columns> FROM escalations %s\n",
           bench_due_sql_plain_tail);
    bad |= bench_due_check_plan(raw_conn, bench_due_sql_plain, "    ");
    if (bad)
        bench_fail("the due query is not answered from %s alone", BENCH_DUE_INDEX);
    int64_t lib_due = bench_due_count(lib_conn, before), raw_due = bench_due_count(raw_conn, before);
    if (lib_due != raw_due || bench_due_count(lib_conn, INT64_MAX) != b->lib.open ||
        bench_due_count(raw_conn, INT64_MAX) != b->raw.open)
        bench_fail("the files disagree on what is due: library %lld, baseline %lld",
                   (long long)lib_due, (long long)raw_due);
    size_t expected = (size_t)(lib_due < BENCH_DUE_LIMIT ? lib_due : BENCH_DUE_LIMIT);
    sqlite3_close(lib_conn);

    esc_db *db = NULL;
    bench_must(db, esc_db_open(&db, lib_path, NULL), "open library database");
    bench_raw_query raw;
    bench_raw_prepare(&raw, raw_conn, bench_due_sql_plain);
    /* DUE_ROUNDS rounds of calls, A and B interleaved call by call; per
     * round p50 and p99 of the wall-clock time, the median of those (a
     * burst of load on the shared machine spoils a round, not the figure),
     * and the thread CPU time of every call (no preemption in it). */
    int per_round = cfg->repeats / DUE_ROUNDS > 0 ? cfg->repeats / DUE_ROUNDS : 1;
    size_t calls = (size_t)per_round * DUE_ROUNDS;
    int64_t *ns[4];
    for (int k = 0; k < 4; k++)
        ns[k] = bench_alloc(calls * sizeof *ns[k]);
    enum { LIB_WALL, RAW_WALL, LIB_CPU, RAW_CPU };
    for (long i = -DUE_WARMUP; i < (long)calls; i++) {
        int64_t c0 = bench_thread_cpu_ns(), t0 = bench_now_ns();
        esc_escalation_list *list = NULL;
        bench_must(db, esc_escalation_list_due(&list, db, before, BENCH_DUE_LIMIT), "list due");
        size_t n = esc_escalation_list_count(list);
        esc_escalation_list_free(list);
        int64_t t1 = bench_now_ns(), c1 = bench_thread_cpu_ns();
        size_t m = bench_raw_run(&raw, before, BENCH_DUE_LIMIT);
        int64_t t2 = bench_now_ns(), c2 = bench_thread_cpu_ns();
        if (n != expected || m != expected)
            bench_fail("due query: library %zu rows, baseline %zu, expected %zu", n, m, expected);
        if (i >= 0) {
            ns[LIB_WALL][i] = t1 - t0;
            ns[RAW_WALL][i] = t2 - t1;
            ns[LIB_CPU][i] = c1 - c0;
            ns[RAW_CPU][i] = c2 - c1;
        }
    }
    double p50[2][DUE_ROUNDS], p99[2][DUE_ROUNDS];
    for (int r = 0; r < DUE_ROUNDS; r++)
        for (int side = 0; side < 2; side++) {
            bench_percentiles p =
                bench_percentiles_of(ns[side] + (size_t)r * per_round, (size_t)per_round);
            p50[side][r] = p.p50;
            p99[side][r] = p.p99;
        }
    d.lib.p50 = bench_median(p50[0], DUE_ROUNDS);
    d.lib.p99 = bench_median(p99[0], DUE_ROUNDS);
    d.raw.p50 = bench_median(p50[1], DUE_ROUNDS);
    d.raw.p99 = bench_median(p99[1], DUE_ROUNDS);
    bench_percentiles lib_all = bench_percentiles_of(ns[LIB_WALL], calls);
    bench_percentiles raw_all = bench_percentiles_of(ns[RAW_WALL], calls);
    d.lib_cpu = bench_percentiles_of(ns[LIB_CPU], calls);
    d.raw_cpu = bench_percentiles_of(ns[RAW_CPU], calls);
    printf("  %-38s %8s %8s | %8s %8s %8s | %8s %8s\n", "microseconds", "p50", "p99", "all p50",
           "all p99", "mean", "cpu p50", "cpu p99");
    printf("  %-38s %8.1f %8.1f | %8.1f %8.1f %8.1f | %8.1f %8.1f\n",
           "esc_escalation_list_due (+ free)", d.lib.p50, d.lib.p99, lib_all.p50, lib_all.p99,
           lib_all.mean, d.lib_cpu.p50, d.lib_cpu.p99);
    printf("  %-38s %8.1f %8.1f | %8.1f %8.1f %8.1f | %8.1f %8.1f\n",
           "baseline: SELECT of the same columns", d.raw.p50, d.raw.p99, raw_all.p50, raw_all.p99,
           raw_all.mean, d.raw_cpu.p50, d.raw_cpu.p99);
    printf("  (p50, p99: wall clock, the median over %d rounds of %d calls of each round's"
           " percentile;\n   all: every call pooled; cpu: thread CPU time of every call)\n",
           DUE_ROUNDS, per_round);
    for (int k = 0; k < 4; k++)
        free(ns[k]);
    bench_raw_finalize(&raw);
    sqlite3_close(raw_conn);
    esc_db_close(db);
    return d;
}

/* ---- the disk ------------------------------------------------------------ */

/* The median time of a 4 KiB write and fdatasync in the scratch directory:
 * what a FULL commit waits for at least, once (WAL) or three times
 * (rollback journal).  It decides how much the CPU work of a step shows in
 * the FULL modes, and it varies on a shared machine. */
static double fsync_us(const config *cfg)
{
    enum { TRIES = 21 };
    char path[4200];
    bench_scratch_path(path, sizeof path, cfg->dir, "fsync.probe");
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        bench_fail("%s: %s", path, strerror(errno));
    char page[4096];
    memset(page, 'x', sizeof page);
    double us[TRIES];
    for (int i = 0; i < TRIES; i++) {
        int64_t t0 = bench_now_ns();
        if (fseek(f, 0, SEEK_SET) != 0 || fwrite(page, 1, sizeof page, f) != sizeof page ||
            fflush(f) != 0 || fdatasync(fileno(f)) != 0)
            bench_fail("%s: %s", path, strerror(errno));
        us[i] = (double)(bench_now_ns() - t0) / 1e3;
    }
    fclose(f);
    unlink(path);
    return bench_median(us, TRIES);
}

/* ---- the table ---------------------------------------------------------- */

static int misses;

/* The last column: library CPU time / baseline CPU time for the same
 * work (a second opinion that waiting for a shared core does not sway);
 * "-" when not measured. */
static void print_cpu_ratio(double lib, double raw)
{
    if (lib > 0 && raw > 0)
        printf("   %6.2f x\n", lib / raw);
    else
        printf("   %6s\n", "-");
}

/* A throughput figure: library as % of the baseline, at least target. */
static void row_rate(const char *name, figure f, double target)
{
    double ratio = f.lib / f.raw;
    int met = ratio >= target;
    misses += !met;
    printf("  %-28s %10.0f %10.0f %9.1f %%   >= %3.0f %%   %-6s", name, f.lib, f.raw,
           100.0 * ratio, 100.0 * target, met ? "met" : "MISSED");
    print_cpu_ratio(f.lib_cpu, f.raw_cpu);
}

/* A cost figure: library / baseline, at most target. */
static void row_cost(const char *name, double lib, double raw, double target, double lib_cpu,
                     double raw_cpu)
{
    double ratio = lib / raw;
    int met = ratio <= target;
    misses += !met;
    printf("  %-28s %10.1f %10.1f %9.2f x   <= %4.2f x   %-6s", name, lib, raw, ratio, target,
           met ? "met" : "MISSED");
    print_cpu_ratio(lib_cpu, raw_cpu);
}

/* ---- main --------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: bench [--quick] [--bulk N] [--rounds N] [--bulk-rounds N] [--repeats N]\n"
            "             [--dir DIR] [--only wal-normal|wal-full|delete-full|batched|bulk]\n"
            "             [--side library|baseline]\n");
    exit(2);
}

static long parse_long(const char *text, long min, long max)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text ? text : "", &end, 10);
    if (text == NULL || errno != 0 || end == text || *end != '\0' || v < min || v > max)
        usage();
    return v;
}

static void configure(config *cfg, int argc, char **argv)
{
    memset(cfg, 0, sizeof *cfg);
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--quick") == 0)
            cfg->quick = 1;
    cfg->bulk = cfg->quick ? 20000 : 1000000;
    cfg->rounds = cfg->quick ? 3 : 9;
    cfg->bulk_rounds = cfg->quick ? 2 : 3;
    cfg->steps[MODE_WAL_NORMAL] = cfg->quick ? 800 : 4000;
    cfg->steps[MODE_WAL_FULL] = cfg->quick ? 80 : 1000;
    cfg->steps[MODE_DELETE_FULL] = cfg->quick ? 40 : 400;
    cfg->batches = cfg->quick ? 2 : 5;
    cfg->repeats = cfg->quick ? 300 : 2000;
    cfg->lib = cfg->raw = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--quick") == 0)
            continue;
        i++;
        if (strcmp(arg, "--bulk") == 0)
            cfg->bulk = parse_long(value, BENCH_DUE_OPEN_EVERY * 4, 100000000);
        else if (strcmp(arg, "--rounds") == 0)
            cfg->rounds = (int)parse_long(value, 1, MAX_ROUNDS);
        else if (strcmp(arg, "--bulk-rounds") == 0)
            cfg->bulk_rounds = (int)parse_long(value, 1, MAX_ROUNDS);
        else if (strcmp(arg, "--repeats") == 0)
            cfg->repeats = (int)parse_long(value, 1, 10000000);
        else if (strcmp(arg, "--dir") == 0 && value != NULL)
            cfg->parent = value;
        else if (strcmp(arg, "--only") == 0 && value != NULL)
            cfg->only = value;
        else if (strcmp(arg, "--side") == 0 && value != NULL && strcmp(value, "library") == 0)
            cfg->raw = 0;
        else if (strcmp(arg, "--side") == 0 && value != NULL && strcmp(value, "baseline") == 0)
            cfg->lib = 0;
        else
            usage();
    }
}

static int wanted(const config *cfg, const char *section)
{
    return cfg->only == NULL || strcmp(cfg->only, section) == 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows when stdout is a file */
    bench_set_program("bench");
    config cfg;
    configure(&cfg, argc, argv);
    bench_scratch_dir(cfg.dir, sizeof cfg.dir, cfg.parent, "esc-bench");
    printf("libescalate %s against raw SQLite %s, %s mode, files in %s\n", esc_version_string(),
           sqlite3_libversion(), cfg.quick ? "quick" : "full", cfg.dir);
    printf("A = the library (public API), B = the baseline (prepared statements on the same"
           " schema); A/B alternate every round; figures are medians\n");
    double fsync_start = fsync_us(&cfg);
    printf("4 KiB write + fdatasync here: median %.0f us\n", fsync_start);

    figure single[MODES];
    memset(single, 0, sizeof single);
    int have_single[MODES] = { 0 };
    wal_pages pages;
    memset(&pages, 0, sizeof pages);
    for (int k = 0; k < MODES; k++)
        if (wanted(&cfg, modes[k].name)) {
            single[k] = bench_transitions(&cfg, &modes[k], k == MODE_WAL_NORMAL ? &pages : NULL);
            have_single[k] = 1;
        }
    figure batched;
    memset(&batched, 0, sizeof batched);
    int have_batched = wanted(&cfg, "batched");
    if (have_batched)
        batched = bench_batched(&cfg);
    bulk_result bulk;
    due_result due;
    memset(&bulk, 0, sizeof bulk);
    memset(&due, 0, sizeof due);
    int have_bulk = wanted(&cfg, "bulk");
    if (have_bulk) {
        char lib_path[4200], raw_path[4200];
        bulk = bench_bulk(&cfg, lib_path, raw_path, sizeof lib_path);
        if (cfg.lib && cfg.raw) {
            due = bench_due(&cfg, &bulk, lib_path, raw_path);
            bench_remove_db(lib_path);
            bench_remove_db(raw_path);
        }
    }
    double rss = bench_peak_rss_mib();
    if (!(cfg.lib && cfg.raw)) {
        printf("\none side only (--side): no ratios; peak RSS %.1f MiB\n", rss);
        rmdir(cfg.dir);
        return 0;
    }

    printf("\nsummary (%s mode; %d rounds, bulk %ld escalations x %d rounds, due query %d calls;"
           " 4 KiB write + fdatasync: %.0f us at the start, %.0f us at the end)\n",
           cfg.quick ? "quick" : "full", cfg.rounds, cfg.bulk, cfg.bulk_rounds, cfg.repeats,
           fsync_start, fsync_us(&cfg));
    printf("  %-28s %10s %10s %11s   %-9s   %-6s   %s\n", "figure", "library", "baseline",
           "lib/base", "target", "result", "cpu lib/base");
    static const char *const single_names[MODES] = {
        "steps/s WAL+NORMAL", "steps/s WAL+FULL", "steps/s DELETE+FULL",
    };
    for (int k = 0; k < MODES; k++)
        if (have_single[k])
            row_rate(single_names[k], single[k], modes[k].target);
    if (have_batched)
        row_rate("steps/s batched (1000/txn)", batched, 0.85);
    if (have_bulk) {
        row_rate("bulk load rows/s", bulk.rows_per_s, 0.70);
        row_cost("due query p50 (us)", due.lib.p50, due.raw.p50, 1.3, due.lib_cpu.p50,
                 due.raw_cpu.p50);
        row_cost("due query p99 (us)", due.lib.p99, due.raw.p99, 1.5, due.lib_cpu.p99,
                 due.raw_cpu.p99);
        row_cost("file size (MiB)", bulk.bytes.lib / (1024.0 * 1024.0),
                 bulk.bytes.raw / (1024.0 * 1024.0), 1.2, 0, 0);
    }
    if (have_single[MODE_WAL_NORMAL])
        printf("  %-28s %10.2f %10.2f %9.2f x   (no target)\n", "pages written per step (WAL)",
               pages.lib.total, pages.raw.total, pages.lib.total / pages.raw.total);
    printf("  %-28s %10.1f   (one process, both sides; no target)\n", "peak RSS (MiB)", rss);
    printf("  (lib/base and met/MISSED: wall clock; cpu lib/base: CPU time per step or row, or"
           " thread CPU time per query)\n");
    printf("targets %s: %d missed\n", misses ? "MISSED" : "all met", misses);

    if (rmdir(cfg.dir) != 0)
        fprintf(stderr, "bench: could not remove %s: %s\n", cfg.dir, strerror(errno));
    return 0;
}
