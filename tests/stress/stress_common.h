/*
 * stress_common.h — what the two stress harnesses share (tests/stress/
 * torture.c: crash torture; tests/stress/hammer.c: many writers on one
 * file): the cast of people, a seeded PRNG, opening a handle, the checks
 * every harness runs on a database afterwards (SQLite's integrity check,
 * esc_db_verify(), a gapless history), wall-clock timing and command-line
 * numbers.
 *
 * Nothing here keeps state of its own: every function works on what it is
 * given, so the harnesses may call them from any thread or process.
 */
#ifndef ESC_STRESS_COMMON_H
#define ESC_STRESS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <escalate.h>

/* 2026-01-05 09:00:00 UTC, a Monday: simulated clocks start here. */
#define STRESS_T0 INT64_C(1767603600000)
#define STRESS_MINUTE INT64_C(60000)
#define STRESS_HOUR (60 * STRESS_MINUTE)
#define STRESS_DAY (24 * STRESS_HOUR)

/* Canonical escalation ids are 36 characters of UUID text. */
#define STRESS_ID_SIZE 37

/* People on the default ladder (tiers 1..4). */
extern const esc_person STRESS_AGENT;       /* tier 1, frontline */
extern const esc_person STRESS_SUPERVISOR;  /* tier 2 */
extern const esc_person STRESS_SPECIALIST;  /* tier 3 */
extern const esc_person STRESS_LEADER;      /* tier 4 */

/* The person of a tier (1..4; anything else: the leader). */
const esc_person *stress_person_of_tier(int tier);

/* ---- PRNG: splitmix64, one per thread or process, in the caller's struct -- */

typedef struct stress_rng {
    uint64_t state;
} stress_rng;

void stress_rng_seed(stress_rng *rng, uint64_t seed);
uint64_t stress_rng_next(stress_rng *rng);
/* Uniform in 0 .. n-1 (n > 0). */
unsigned stress_rng_below(stress_rng *rng, unsigned n);
/* Uniform in lo .. hi (lo <= hi). */
int64_t stress_rng_range(stress_rng *rng, int64_t lo, int64_t hi);
/* 1 with probability percent / 100. */
int stress_rng_chance(stress_rng *rng, unsigned percent);

/* A seed when none was given: time and pid mixed. */
uint64_t stress_fresh_seed(void);

/* ---- time ------------------------------------------------------------------ */

/* Monotonic wall time in ns (for timing, never for the library's clock). */
int64_t stress_monotonic_ns(void);
double stress_seconds_since(int64_t start_ns);
/* Sleep for us microseconds (resumes after signals). */
void stress_sleep_us(int64_t us);

/* ---- command line ---------------------------------------------------------- */

/* Parse a whole decimal number in min..max; 0 on success, -1 otherwise. */
int stress_parse_u64(uint64_t *out, const char *text, uint64_t min, uint64_t max);

/* ---- handles and files ----------------------------------------------------- */

/* Remove a database file and its companions (-wal, -shm, -journal). */
void stress_remove_db(const char *path);

/* Open path with flags (ESC_OPEN_*), clock (NULL: system clock), a busy
 * timeout and a journal mode (ESC_JOURNAL_*).  On failure, prints why
 * (prefixed by who), closes the handle and returns NULL. */
esc_db *stress_open(const char *who, const char *path, unsigned flags, esc_clock_fn clock,
                    void *clock_payload, int busy_timeout_ms, int journal);

/* Status classes of a step under contention. */
int stress_is_refusal(int status);  /* ESC_EGUARD, ESC_ETRANSITION, ESC_EAUTHORITY */

/* ---- checks on a database -------------------------------------------------- */

/* PRAGMA integrity_check through SQLite directly (a read-write connection,
 * so that a WAL left by a killed writer is recovered).  1 when it says
 * "ok"; 0 otherwise, with the first complaint (or the error) in msg. */
int stress_integrity_ok(const char *path, char *msg, size_t msg_size);

/* What esc_db_verify() said. */
typedef struct stress_verify_result {
    int status;           /* of esc_db_verify() */
    size_t escalations;
    size_t events;
    size_t mismatches;
} stress_verify_result;

/* Run esc_db_verify() and print up to a few mismatches (prefixed by who). */
stress_verify_result stress_verify(const char *who, esc_db *db);

/* What one escalation's stored history looks like. */
typedef struct stress_history_result {
    int status;           /* of esc_history() */
    int64_t events;       /* how many */
    int64_t gaps;         /* events whose seq is not their position (1..n) */
} stress_history_result;

stress_history_result stress_history_check(esc_db *db, const char *id);

/* The stored version of an escalation; a negative status when it cannot
 * be read (ESC_ENOTFOUND: it is not there). */
int64_t stress_stored_version(esc_db *db, const char *id);

#endif /* ESC_STRESS_COMMON_H */
