/*
 * bench_util.h — what the benchmark programs (bench/bench.c,
 * bench/due_query.c) share and nothing else needs: failing loudly, a
 * monotonic clock, percentiles and medians, peak RSS, scratch directories
 * and database files (with their -wal/-shm/-journal companions).
 * bench_util.c implements it; bench_due.h holds the shared due-query
 * fixture built on it.
 */
#ifndef ESC_BENCH_UTIL_H
#define ESC_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <escalate.h>

/* ---- failing loudly --------------------------------------------------- */

/* The name failures are prefixed with ("bench", "due_query"). */
void bench_set_program(const char *name);

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
void bench_fail(const char *fmt, ...);

/* Fail unless rc is ESC_OK (the handle's message explains it). */
void bench_must(esc_db *db, int rc, const char *what);
/* Fail unless rc is SQLITE_OK (the connection's message explains it). */
void bench_must_sqlite(sqlite3 *conn, int rc, const char *what);
/* malloc or fail. */
void *bench_alloc(size_t size);

/* ---- time and statistics ---------------------------------------------- */

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t bench_now_ns(void);
/* CPU time this process has used (user + system), in nanoseconds: on a
 * shared machine it tells work from waiting for a core. */
int64_t bench_cpu_ns(void);
/* CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), in nanoseconds. */
int64_t bench_thread_cpu_ns(void);

/* Sort ns[0..n) and give its nearest-rank p50 and p99 and its mean, in
 * microseconds. */
typedef struct bench_percentiles {
    double p50, p99, mean;
} bench_percentiles;
bench_percentiles bench_percentiles_of(int64_t *ns, size_t n);

/* The median of v[0..n) (sorts v; the mean of the middle two when n is
 * even); 0 when n is 0. */
double bench_median(double *v, size_t n);

/* ---- memory ----------------------------------------------------------- */

/* Peak resident set size of this process so far (getrusage), in MiB. */
double bench_peak_rss_mib(void);

/* ---- scratch files ---------------------------------------------------- */

/* A new directory "<$TMPDIR or /tmp>/<prefix>.XXXXXX" (or under parent
 * when not NULL); the path is written to dir. */
void bench_scratch_dir(char *dir, size_t size, const char *parent, const char *prefix);
/* dir/name into path. */
void bench_scratch_path(char *path, size_t size, const char *dir, const char *name);
/* Remove a database file and its -wal, -shm and -journal files. */
void bench_remove_db(const char *path);
/* Size of a file in bytes (fails when it cannot be read). */
int64_t bench_file_size(const char *path);

#endif /* ESC_BENCH_UTIL_H */
