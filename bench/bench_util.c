/*
 * bench_util.c — the helpers the benchmark programs share (bench_util.h
 * says what they are): failures, the monotonic clock, percentiles and
 * medians, peak RSS, scratch directories and database files.
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

#include "bench_util.h"

/* ---- failing loudly --------------------------------------------------- */

static const char *program = "bench";

void bench_set_program(const char *name)
{
    program = name;
}

void bench_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fprintf(stderr, "%s: ", program);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void bench_must(esc_db *db, int rc, const char *what)
{
    if (rc != ESC_OK)
        bench_fail("%s: %s %s", what, esc_status_name(rc), esc_db_errmsg(db));
}

void bench_must_sqlite(sqlite3 *conn, int rc, const char *what)
{
    if (rc != SQLITE_OK)
        bench_fail("%s: %s", what, conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
}

void *bench_alloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        bench_fail("out of memory");
    return p;
}

/* ---- time and statistics ---------------------------------------------- */

int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t bench_thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t bench_cpu_ns(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
           ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

bench_percentiles bench_percentiles_of(int64_t *ns, size_t n)
{
    bench_percentiles p = { 0, 0, 0 };
    if (n == 0)
        return p;
    qsort(ns, n, sizeof *ns, cmp_int64);
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += (double)ns[i];
    /* Nearest rank: the smallest value with at least p % of them at or below it. */
    p.p50 = (double)ns[(n * 50 + 99) / 100 - 1] / 1e3;
    p.p99 = (double)ns[(n * 99 + 99) / 100 - 1] / 1e3;
    p.mean = total / (double)n / 1e3;
    return p;
}

double bench_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- memory ----------------------------------------------------------- */

double bench_peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
}

/* ---- scratch files ---------------------------------------------------- */

void bench_scratch_dir(char *dir, size_t size, const char *parent, const char *prefix)
{
    if (parent == NULL || *parent == '\0') {
        parent = getenv("TMPDIR");
        if (parent == NULL || *parent == '\0')
            parent = "/tmp";
    }
    if ((size_t)snprintf(dir, size, "%s/%s.XXXXXX", parent, prefix) >= size)
        bench_fail("scratch directory name too long under %s", parent);
    if (mkdtemp(dir) == NULL)
        bench_fail("mkdtemp %s: %s", dir, strerror(errno));
}

void bench_scratch_path(char *path, size_t size, const char *dir, const char *name)
{
    if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size)
        bench_fail("path too long: %s/%s", dir, name);
}

void bench_remove_db(const char *path)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    char file[4200];
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        if ((size_t)snprintf(file, sizeof file, "%s%s", path, suffixes[i]) < sizeof file)
            unlink(file);
    }
}

int64_t bench_file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        bench_fail("stat %s: %s", path, strerror(errno));
    return (int64_t)st.st_size;
}
