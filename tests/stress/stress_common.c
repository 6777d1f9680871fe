/*
 * stress_common.c — the helpers both stress harnesses share (see
 * stress_common.h).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "stress_common.h"

const esc_person STRESS_AGENT = { "agent-1", "Alex Agent", 1 };
const esc_person STRESS_SUPERVISOR = { "sup-1", "Sam Supervisor", 2 };
const esc_person STRESS_SPECIALIST = { "spec-1", "Kim Specialist", 3 };
const esc_person STRESS_LEADER = { "lead-1", "Lee Leader", 4 };

const esc_person *stress_person_of_tier(int tier)
{
    switch (tier) {
    case 1:
        return &STRESS_AGENT;
    case 2:
        return &STRESS_SUPERVISOR;
    case 3:
        return &STRESS_SPECIALIST;
    default:
        return &STRESS_LEADER;
    }
}

/* ---- PRNG ------------------------------------------------------------------ */

void stress_rng_seed(stress_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t stress_rng_next(stress_rng *rng)
{
    uint64_t z = (rng->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

unsigned stress_rng_below(stress_rng *rng, unsigned n)
{
    return (unsigned)(stress_rng_next(rng) % n);
}

int64_t stress_rng_range(stress_rng *rng, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(stress_rng_next(rng) % span);
}

int stress_rng_chance(stress_rng *rng, unsigned percent)
{
    return stress_rng_below(rng, 100) < percent;
}

uint64_t stress_fresh_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    stress_rng mix;
    stress_rng_seed(&mix, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec
                              + ((uint64_t)getpid() << 32));
    /* Short enough to retype. */
    return stress_rng_next(&mix) % UINT64_C(1000000000);
}

/* ---- time ------------------------------------------------------------------ */

int64_t stress_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double stress_seconds_since(int64_t start_ns)
{
    return (double)(stress_monotonic_ns() - start_ns) / 1e9;
}

void stress_sleep_us(int64_t us)
{
    struct timespec left = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}

/* ---- command line ---------------------------------------------------------- */

int stress_parse_u64(uint64_t *out, const char *text, uint64_t min, uint64_t max)
{
    if (text == NULL || text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    char *end = NULL;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < min || value > max)
        return -1;
    *out = (uint64_t)value;
    return 0;
}

/* ---- handles and files ----------------------------------------------------- */

void stress_remove_db(const char *path)
{
    static const char *const companions[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++) {
        char side[4200];
        snprintf(side, sizeof side, "%.4096s%s", path, companions[i]);
        unlink(side);
    }
}

esc_db *stress_open(const char *who, const char *path, unsigned flags, esc_clock_fn clock,
                    void *clock_payload, int busy_timeout_ms, int journal)
{
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = flags;
    options.clock = clock;
    options.clock_payload = clock_payload;
    options.busy_timeout_ms = busy_timeout_ms;
    options.journal = journal;
    esc_db *db = NULL;
    int rc = esc_db_open(&db, path, &options);
    if (rc != ESC_OK) {
        fprintf(stderr, "%s: open %s: %s %s\n", who, path, esc_status_name(rc), esc_db_errmsg(db));
        esc_db_close(db);
        return NULL;
    }
    return db;
}

int stress_is_refusal(int status)
{
    return status == ESC_EGUARD || status == ESC_ETRANSITION || status == ESC_EAUTHORITY;
}

/* ---- checks on a database -------------------------------------------------- */

int stress_integrity_ok(const char *path, char *msg, size_t msg_size)
{
    snprintf(msg, msg_size, "%s", "no answer");
    sqlite3 *raw = NULL;
    int rc = sqlite3_open_v2(path, &raw, SQLITE_OPEN_READWRITE, NULL);
    sqlite3_stmt *stmt = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(raw, 5000);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &stmt, NULL);
    int rows = 0, ok = 0;
    while (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *row = (const char *)sqlite3_column_text(stmt, 0);
        if (rows++ == 0) {
            ok = row != NULL && strcmp(row, "ok") == 0;
            snprintf(msg, msg_size, "%s", row != NULL ? row : "(null)");
        }
    }
    if (rc == SQLITE_OK && sqlite3_finalize(stmt) != SQLITE_OK)
        rc = sqlite3_errcode(raw);
    if (rc != SQLITE_OK) {
        snprintf(msg, msg_size, "sqlite: %s", raw != NULL ? sqlite3_errmsg(raw) : "out of memory");
        ok = 0;
    }
    sqlite3_close(raw);
    return ok && rows == 1;
}

/* Mismatches printed per verify, so that a broken file does not flood. */
#define VERIFY_PRINT_MAX 5

stress_verify_result stress_verify(const char *who, esc_db *db)
{
    stress_verify_result result = { ESC_OK, 0, 0, 0 };
    esc_verify_report *report = NULL;
    result.status = esc_db_verify(&report, db);
    if (result.status != ESC_OK) {
        fprintf(stderr, "%s: verify: %s %s\n", who, esc_status_name(result.status),
                esc_db_errmsg(db));
    } else {
        result.escalations = esc_verify_report_escalations(report);
        result.events = esc_verify_report_events(report);
        result.mismatches = esc_verify_report_mismatch_count(report);
        for (size_t i = 0; i < result.mismatches && i < VERIFY_PRINT_MAX; i++)
            fprintf(stderr, "%s: verify mismatch %s: %s\n", who,
                    esc_verify_report_mismatch_id(report, i),
                    esc_verify_report_mismatch_what(report, i));
    }
    esc_verify_report_free(report);
    return result;
}

stress_history_result stress_history_check(esc_db *db, const char *id)
{
    stress_history_result result = { ESC_OK, 0, 0 };
    esc_event_list *events = NULL;
    result.status = esc_history(&events, db, id);
    if (result.status == ESC_OK) {
        size_t count = esc_event_list_count(events);
        result.events = (int64_t)count;
        for (size_t i = 0; i < count; i++)
            if (esc_event_seq(esc_event_list_get(events, i)) != (int64_t)i + 1)
                result.gaps++;
    }
    esc_event_list_free(events);
    return result;
}

int64_t stress_stored_version(esc_db *db, const char *id)
{
    esc_escalation *esc = NULL;
    int rc = esc_escalation_get(&esc, db, id);
    int64_t version = rc == ESC_OK ? esc_escalation_version(esc) : rc;
    esc_escalation_free(esc);
    return version;
}
