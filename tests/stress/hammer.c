/*
 * hammer.c — many writers, one file: is an update ever lost, doubled or
 * out of order when processes and threads race on the same escalations?
 *
 * What it owns: the threading rules of db.h and the README (one handle per
 * thread; any number of handles, threads and processes on one file;
 * optimistic versioning so that no update is lost) under real contention.
 * PROCS processes each run THREADS threads, each thread with its own
 * handle on one database file, and together they hammer a small set of
 * escalations (created up front) with conflicting actions — notes, tags,
 * emotions, holds and resumes, reassessments, tier moves up and down,
 * loop-ins, advances, problem statements — from snapshots that go stale
 * under them.  Every call must come back ESC_OK or a clear conflict, busy
 * or refusal (ESC_ECONFLICT, ESC_EBUSY, ESC_EGUARD, ESC_ETRANSITION,
 * ESC_EAUTHORITY); anything else is a failure.  On ESC_ECONFLICT the worker
 * fetches the escalation again and goes on.  Each ESC_OK is counted per
 * escalation in memory shared by all processes.  Afterwards, for every
 * escalation: its events number exactly 1 (the open) + the steps reported
 * committed (no lost update, no phantom), their seq run 1..n without gap
 * or duplicate, the row's version is n; esc_db_verify() finds no mismatch
 * (the rows equal the replay) and SQLite's integrity check says ok.
 *
 * Usage: hammer [-p PROCS] [-t THREADS] [-o OPS] [-e ESCALATIONS]
 *               [-s SEED] [-d DB] [-b BUSY_TIMEOUT_MS]
 * (make hammer PROCS=K THREADS=T OPS=N SEED=S).  OPS is per thread.  The
 * last line reads
 *     hammer: committed N, conflicts N, busy N, lost N, gaps N
 * and the exit status is 0 only when nothing failed.
 *
 * State lives in structs: the run's (hammer, in main), the counters shared
 * across processes (hammer_shared, one anonymous shared mapping made
 * before the fork) and each thread's (worker).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress_common.h"

#define HAMMER_ESCALATIONS_MAX 64
#define HAMMER_PROCS_MAX 64
#define HAMMER_THREADS_MAX 64
#define HAMMER_DEFAULT_DB "hammer.db"

typedef struct hammer_config {
    uint64_t procs, threads, ops, escalations, seed, busy_timeout_ms;
    const char *path;
} hammer_config;

/* Counters of every worker of every process: one shared mapping. */
typedef struct hammer_shared {
    atomic_long attempts;     /* esc_apply() calls */
    atomic_long committed;    /* ... that returned ESC_OK */
    atomic_long conflicts;    /* ESC_ECONFLICT */
    atomic_long busy;         /* ESC_EBUSY (from esc_apply() or a fetch) */
    atomic_long refused;      /* ESC_EGUARD, ESC_ETRANSITION, ESC_EAUTHORITY */
    atomic_long failures;     /* anything else */
    atomic_long steps[HAMMER_ESCALATIONS_MAX];  /* ESC_OK per escalation */
    atomic_long arrived;      /* workers at the start line */
    atomic_int failure_claimed;
    char failure[512];        /* the first failure, written by whoever claimed it */
    char ids[HAMMER_ESCALATIONS_MAX][STRESS_ID_SIZE];
} hammer_shared;

/* One thread: its own handle and its own snapshots. */
typedef struct worker {
    const hammer_config *cfg;
    hammer_shared *shared;
    stress_rng rng;
    esc_db *db;
    esc_escalation *snap[HAMMER_ESCALATIONS_MAX];
    unsigned serial;
    char text[96];
} worker;

static void record_failure(hammer_shared *shared, const char *what, int status, esc_db *db)
{
    atomic_fetch_add(&shared->failures, 1);
    int expected = 0;
    if (atomic_compare_exchange_strong(&shared->failure_claimed, &expected, 1))
        snprintf(shared->failure, sizeof shared->failure, "%s: %s %s", what,
                 esc_status_name(status), db != NULL ? esc_db_errmsg(db) : "");
}

/* ---- a worker ---------------------------------------------------------------- */

static void worker_forget(worker *w, unsigned e)
{
    esc_escalation_free(w->snap[e]);
    w->snap[e] = NULL;
}

/* Fetch escalation e afresh; 0 when the worker holds a snapshot of it. */
static int worker_fetch(worker *w, unsigned e)
{
    worker_forget(w, e);
    int rc = esc_escalation_get(&w->snap[e], w->db, w->shared->ids[e]);
    if (rc == ESC_EBUSY)
        atomic_fetch_add(&w->shared->busy, 1);
    else if (rc != ESC_OK)
        record_failure(w->shared, "get", rc, w->db);
    return rc == ESC_OK ? 0 : -1;
}

static esc_action_kind hammer_kind(worker *w, const esc_escalation *esc)
{
    static const esc_action_kind kinds[] = {
        ESC_ACTION_NOTE, ESC_ACTION_NOTE, ESC_ACTION_TAG, ESC_ACTION_ACK_EMOTION,
        ESC_ACTION_HOLD, ESC_ACTION_HOLD, ESC_ACTION_REASSESS, ESC_ACTION_MOVE_TIER,
        ESC_ACTION_LOOP_IN, ESC_ACTION_ADVANCE, ESC_ACTION_STATE_PROBLEM,
    };
    esc_action_kind kind = kinds[stress_rng_below(&w->rng, sizeof kinds / sizeof kinds[0])];
    /* Hold or resume, as the (possibly stale) snapshot suggests. */
    if (kind == ESC_ACTION_HOLD && esc_escalation_hold(esc) != ESC_HOLD_NONE)
        kind = ESC_ACTION_RESUME;
    return kind;
}

/* Arguments valid in themselves; whether the action is allowed is for the
 * escalation (and the race) to say. */
static void hammer_fill(worker *w, esc_action_kind kind, esc_action *a)
{
    esc_action_init(a, ESC_ACTION_VERSION, kind);
    /* Any tier: moving down from a higher tier is then refused now and then. */
    a->actor = *stress_person_of_tier((int)stress_rng_range(&w->rng, 1, 4));
    snprintf(w->text, sizeof w->text, "%s %u", esc_action_name(kind), ++w->serial);
    a->text = w->text;
    a->customer_account = stress_rng_chance(&w->rng, 50);
    a->hold = (esc_hold)stress_rng_range(&w->rng, 1, ESC_HOLD_COUNT - 1);
    a->impact = (int)stress_rng_range(&w->rng, 1, 4);
    a->urgency = (int)stress_rng_range(&w->rng, 1, 4);
    a->vip = stress_rng_chance(&w->rng, 20);
    a->churn_risk = stress_rng_chance(&w->rng, 20);
    a->person = *stress_person_of_tier((int)stress_rng_range(&w->rng, 1, 4));
    a->category = "watcher";
    /* Sometimes the tier it is already at: refused (other_tier). */
    a->tier = (int)stress_rng_range(&w->rng, 1, 4);
    a->brief_went_wrong = "Two agents gave the customer different answers.";
    a->brief_tried = "Both answers were checked against the contract.";
    a->brief_response = "The customer wants one person to talk to.";
    if (kind == ESC_ACTION_TAG)
        a->text = stress_rng_chance(&w->rng, 50) ? "hot" : "contract";
    else if (kind == ESC_ACTION_ACK_EMOTION)
        a->text = "frustrated";
}

/* One attempt on one escalation. */
static void worker_op(worker *w)
{
    hammer_shared *shared = w->shared;
    unsigned e = stress_rng_below(&w->rng, (unsigned)w->cfg->escalations);
    if (w->snap[e] == NULL && worker_fetch(w, e) != 0)
        return;
    esc_action_kind kind = hammer_kind(w, w->snap[e]);
    esc_action a;
    hammer_fill(w, kind, &a);
    atomic_fetch_add(&shared->attempts, 1);
    int rc = esc_apply(w->db, w->snap[e], &a);
    if (rc == ESC_OK) {
        atomic_fetch_add(&shared->committed, 1);
        atomic_fetch_add(&shared->steps[e], 1);
    } else if (rc == ESC_ECONFLICT) {
        atomic_fetch_add(&shared->conflicts, 1);
        worker_fetch(w, e);
    } else if (rc == ESC_EBUSY) {
        atomic_fetch_add(&shared->busy, 1);
    } else if (stress_is_refusal(rc)) {
        atomic_fetch_add(&shared->refused, 1);
        /* The refusal may be the stale snapshot's own: look again, sometimes. */
        if (stress_rng_chance(&w->rng, 50))
            worker_forget(w, e);
    } else {
        char what[64];
        snprintf(what, sizeof what, "%s", esc_action_name(kind));
        record_failure(shared, what, rc, w->db);
    }
}

/* Wait until every worker of every process has its handle, so that they
 * all start at once; give up when one of them could not start. */
static void start_line(worker *w)
{
    long everyone = (long)(w->cfg->procs * w->cfg->threads);
    atomic_fetch_add(&w->shared->arrived, 1);
    while (atomic_load(&w->shared->arrived) < everyone
           && atomic_load(&w->shared->failure_claimed) == 0)
        stress_sleep_us(100);
}

static void *worker_main(void *payload)
{
    worker *w = payload;
    w->db = stress_open("hammer worker", w->cfg->path, ESC_OPEN_READWRITE, NULL, NULL,
                        (int)w->cfg->busy_timeout_ms, ESC_JOURNAL_WAL);
    if (w->db == NULL)
        record_failure(w->shared, "open", ESC_EIO, NULL);
    start_line(w);
    for (uint64_t i = 0; w->db != NULL && i < w->cfg->ops; i++)
        worker_op(w);
    for (unsigned e = 0; e < HAMMER_ESCALATIONS_MAX; e++)
        worker_forget(w, e);
    esc_db_close(w->db);
    w->db = NULL;
    return NULL;
}

/* One process: THREADS workers.  Returns its exit status. */
static int process_main(const hammer_config *cfg, hammer_shared *shared, uint64_t seed)
{
    worker *workers = calloc(cfg->threads, sizeof *workers);
    pthread_t *threads = calloc(cfg->threads, sizeof *threads);
    int status = workers != NULL && threads != NULL ? 0 : 1;
    stress_rng rng;
    stress_rng_seed(&rng, seed);
    uint64_t started = 0;
    for (; status == 0 && started < cfg->threads; started++) {
        workers[started].cfg = cfg;
        workers[started].shared = shared;
        stress_rng_seed(&workers[started].rng, stress_rng_next(&rng));
        if (pthread_create(&threads[started], NULL, worker_main, &workers[started]) != 0) {
            record_failure(shared, "pthread_create", ESC_ENOMEM, NULL);
            status = 1;
            break;
        }
    }
    for (uint64_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    free(threads);
    free(workers);
    return status;
}

/* ---- the run ------------------------------------------------------------------- */

typedef struct hammer {
    hammer_config cfg;
    hammer_shared *shared;
} hammer;

/* A fresh file with the escalations, opened and nothing else. */
static int create_db(hammer *h)
{
    stress_remove_db(h->cfg.path);
    esc_db *db = stress_open("hammer", h->cfg.path, ESC_OPEN_CREATE, NULL, NULL,
                             (int)h->cfg.busy_timeout_ms, ESC_JOURNAL_WAL);
    if (db == NULL)
        return -1;
    int rc = ESC_OK;
    for (uint64_t e = 0; rc == ESC_OK && e < h->cfg.escalations; e++) {
        esc_open_params params = ESC_OPEN_PARAMS_INIT;
        params.actor = STRESS_AGENT;
        params.summary = "Two agents promised two different refunds.";
        params.customer_id = "cust-hammer";
        params.impact = 2;
        params.urgency = 2;
        esc_escalation *esc = NULL;
        rc = esc_escalation_open(&esc, db, &params);
        if (rc == ESC_OK)
            snprintf(h->shared->ids[e], STRESS_ID_SIZE, "%s", esc_escalation_id(esc));
        else
            fprintf(stderr, "hammer: open escalation: %s %s\n", esc_status_name(rc),
                    esc_db_errmsg(db));
        esc_escalation_free(esc);
    }
    esc_db_close(db);
    return rc == ESC_OK ? 0 : -1;
}

/* Fork the processes (no handle is open here) and wait for them. */
static int run_processes(hammer *h)
{
    stress_rng rng;
    stress_rng_seed(&rng, h->cfg.seed);
    pid_t pids[HAMMER_PROCS_MAX];
    uint64_t forked = 0;
    int failed = 0;
    fflush(NULL);
    for (; forked < h->cfg.procs; forked++) {
        uint64_t seed = stress_rng_next(&rng);
        pids[forked] = fork();
        if (pids[forked] < 0) {
            perror("hammer: fork");
            record_failure(h->shared, "fork", ESC_ENOMEM, NULL);
            failed = 1;
            break;
        }
        if (pids[forked] == 0)
            exit(process_main(&h->cfg, h->shared, seed));
    }
    for (uint64_t p = 0; p < forked; p++) {
        int status = 0;
        while (waitpid(pids[p], &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "hammer: process %" PRIu64 " ended with status 0x%x\n", p,
                    (unsigned)status);
            failed = 1;
        }
    }
    return failed ? -1 : 0;
}

/* What the file says against what the workers counted. */
typedef struct hammer_check {
    long lost;       /* steps reported committed that are not there */
    long phantoms;   /* events nobody reported */
    long gaps;       /* events out of 1..n, and rows whose version is not n */
    stress_verify_result verify;
    int integrity;
} hammer_check;

static void check_escalation(hammer *h, esc_db *db, unsigned e, hammer_check *out)
{
    const char *id = h->shared->ids[e];
    long expected = 1 + atomic_load(&h->shared->steps[e]);
    stress_history_result hist = stress_history_check(db, id);
    int64_t version = stress_stored_version(db, id);
    if (hist.status != ESC_OK || version < 0) {
        fprintf(stderr, "hammer: %s: history %s, get %s\n", id, esc_status_name(hist.status),
                version < 0 ? esc_status_name((int)version) : "ok");
        out->gaps++;
        return;
    }
    if (hist.events < expected)
        out->lost += expected - (long)hist.events;
    if (hist.events > expected)
        out->phantoms += (long)hist.events - expected;
    out->gaps += (long)hist.gaps + (version != hist.events);
    printf("hammer: escalation %u %s: 1 + %ld steps reported, %" PRId64 " events, version %" PRId64
           "%s\n", e + 1, id, expected - 1, hist.events, version,
           hist.events == expected && hist.gaps == 0 && version == hist.events ? "" : "  <-- WRONG");
}

static int check_db(hammer *h, hammer_check *out)
{
    char msg[256];
    out->integrity = stress_integrity_ok(h->cfg.path, msg, sizeof msg);
    if (!out->integrity)
        fprintf(stderr, "hammer: integrity_check: %s\n", msg);
    esc_db *db = stress_open("hammer", h->cfg.path, ESC_OPEN_READWRITE, NULL, NULL,
                             (int)h->cfg.busy_timeout_ms, ESC_JOURNAL_WAL);
    if (db == NULL)
        return -1;
    for (unsigned e = 0; e < h->cfg.escalations; e++)
        check_escalation(h, db, e, out);
    out->verify = stress_verify("hammer", db);
    esc_db_close(db);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: hammer [-p PROCS] [-t THREADS] [-o OPS] [-e ESCALATIONS] [-s SEED]"
                    " [-d DB] [-b BUSY_TIMEOUT_MS]\n");
    return 2;
}

static int parse_args(hammer_config *cfg, int argc, char **argv)
{
    int opt, seeded = 0;
    while ((opt = getopt(argc, argv, "p:t:o:e:s:d:b:")) != -1) {
        int bad = 0;
        switch (opt) {
        case 'p': bad = stress_parse_u64(&cfg->procs, optarg, 1, HAMMER_PROCS_MAX); break;
        case 't': bad = stress_parse_u64(&cfg->threads, optarg, 1, HAMMER_THREADS_MAX); break;
        case 'o': bad = stress_parse_u64(&cfg->ops, optarg, 1, 100000000); break;
        case 'e': bad = stress_parse_u64(&cfg->escalations, optarg, 1, HAMMER_ESCALATIONS_MAX); break;
        case 's': bad = stress_parse_u64(&cfg->seed, optarg, 0, UINT64_MAX); seeded = 1; break;
        case 'd': cfg->path = optarg; break;
        case 'b': bad = stress_parse_u64(&cfg->busy_timeout_ms, optarg, 0, 600000); break;
        default: bad = 1; break;
        }
        if (bad)
            return -1;
    }
    if (optind != argc)
        return -1;
    if (!seeded)
        cfg->seed = stress_fresh_seed();
    return 0;
}

static void print_result(const hammer *h, const hammer_check *c, double seconds)
{
    hammer_shared *s = h->shared;
    long attempts = atomic_load(&s->attempts);
    printf("hammer: %ld attempts in %.1f s (%.0f per s): committed %ld, conflicts %ld, busy %ld,"
           " refused %ld, failures %ld\n", attempts, seconds,
           seconds > 0 ? (double)attempts / seconds : 0.0, atomic_load(&s->committed),
           atomic_load(&s->conflicts), atomic_load(&s->busy), atomic_load(&s->refused),
           atomic_load(&s->failures));
    if (atomic_load(&s->failure_claimed))
        printf("hammer: first failure: %s\n", s->failure);
    printf("hammer: lost updates %ld, phantoms %ld, gaps %ld; verify: %s, %zu escalations,"
           " %zu events, %zu mismatches; integrity %s\n", c->lost, c->phantoms, c->gaps,
           esc_status_name(c->verify.status), c->verify.escalations, c->verify.events,
           c->verify.mismatches, c->integrity ? "ok" : "FAILED");
    printf("hammer: committed %ld, conflicts %ld, busy %ld, lost %ld, gaps %ld\n",
           atomic_load(&s->committed), atomic_load(&s->conflicts), atomic_load(&s->busy), c->lost,
           c->gaps);
}

int main(int argc, char **argv)
{
    hammer h;
    memset(&h, 0, sizeof h);
    h.cfg.procs = 4;
    h.cfg.threads = 4;
    h.cfg.ops = 500;
    h.cfg.escalations = 8;
    h.cfg.busy_timeout_ms = 5000;
    h.cfg.path = HAMMER_DEFAULT_DB;
    if (parse_args(&h.cfg, argc, argv) != 0)
        return usage();
    printf("hammer: seed %" PRIu64 " (SEED=%" PRIu64 " repeats the choices), %" PRIu64
           " processes x %" PRIu64 " threads x %" PRIu64 " ops on %" PRIu64
           " escalations, busy timeout %" PRIu64 " ms, %s\n", h.cfg.seed, h.cfg.seed, h.cfg.procs,
           h.cfg.threads, h.cfg.ops, h.cfg.escalations, h.cfg.busy_timeout_ms, h.cfg.path);
    h.shared = mmap(NULL, sizeof *h.shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                    -1, 0);
    if (h.shared == MAP_FAILED) {
        perror("hammer: mmap");
        return 1;
    }
    /* An anonymous mapping starts zeroed: every counter at 0. */
    hammer_check check;
    memset(&check, 0, sizeof check);
    int64_t start = stress_monotonic_ns();
    int failed = create_db(&h) != 0 || run_processes(&h) != 0;
    double seconds = stress_seconds_since(start);
    if (check_db(&h, &check) != 0)
        failed = 1;
    print_result(&h, &check, seconds);
    failed = failed || atomic_load(&h.shared->failures) > 0 || check.lost > 0 || check.phantoms > 0
             || check.gaps > 0 || check.verify.status != ESC_OK || check.verify.mismatches > 0
             || !check.integrity;
    munmap(h.shared, sizeof *h.shared);
    return failed ? 1 : 0;
}
