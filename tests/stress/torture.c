/*
 * torture.c — crash torture: does a step that libescalate reported as
 * committed survive the process being killed at any instant, and does the
 * file stay sound?
 *
 * What it owns: the claim of db.h and the README that a crash of the
 * application loses no committed step and never leaves one half applied.
 * Per trial, the parent forks a writer child that opens one database file
 * (created once per run and reused, so it grows from trial to trial) and
 * loops over lifecycle steps on a handful of escalations: opening new ones,
 * driving them through every state (exception requests and their
 * decisions, follow-ups, reopenings, holds and resumes, tier moves,
 * withdrawals), batches of steps (esc_db_batch_begin/commit), and
 * esc_sweep() under a stored SLA policy, on a simulated clock that
 * advances minutes per step so that warnings, breaches and escalation rules
 * fire.  After every call that returned ESC_OK (for a batch: after
 * esc_db_batch_commit() did), the child writes what is now committed
 * (escalation id, version) to a pipe: what reached the pipe survives the
 * child.  The parent kills the child with SIGKILL after a random delay,
 * then checks the file: PRAGMA integrity_check says ok, esc_db_verify()
 * finds no mismatch, every reported escalation is at least at its reported
 * version with at least that many events, and every history it checks runs
 * 1..n without gaps.
 *
 * Usage: torture [-n TRIALS] [-s SEED] [-d DB] [-j wal|rollback]
 *                [-m MIN_DELAY_MS] [-M MAX_DELAY_MS]
 * (make torture TRIALS=N SEED=S JOURNAL=wal|rollback MIN_DELAY_MS=...
 * MAX_DELAY_MS=...).  The last line reads
 *     torture: trials N, lost N, corrupt N
 * and the exit status is 0 only when nothing was lost or corrupt and the
 * children did nothing unexpected.
 *
 * The simulated clock lives in memory shared with the children, so that it
 * goes on where the killed child left it.  Everything else is in structs
 * owned by main() (the parent) or by child_run() (a child).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress_common.h"

#define TORTURE_DEFAULT_TRIALS 500
#define TORTURE_DEFAULT_DB "torture.db"
#define TORTURE_DEFAULT_MIN_DELAY_MS 2
#define TORTURE_DEFAULT_MAX_DELAY_MS 40

/* Escalations one child works on at a time. */
#define CHILD_SLOTS 6
/* Reports held back until a batch or a sweep has returned ESC_OK. */
#define CHILD_PENDING_MAX 2048

static const char *const CALENDAR_NAME = "ops";
static const char *const CALENDAR_SPEC = "tz=UTC; mon-fri 07:00-19:00; sat 09:00-13:00";
static const char *const POLICY_NAME = "stress";
static const char *const POLICY_SPEC =
    "p1 first_response=15m update=1h resolution=4h;"
    " p2 first_response=30m update=2h resolution=8h;"
    " p3 first_response=1h update=4h resolution=16h;"
    " p4 first_response=2h update=8h resolution=24h;"
    " p5 first_response=4h resolution=40h;"
    " warn=50,75;"
    " rule resolution warn=75 watch=lead-7;"
    " rule first_response breach raise;"
    " rule resolution breach tier=1 move_up;"
    " rule resolution breach tier=2 after=1h repeat=2 every=1h move_up raise";

/* ---- what a child tells the parent ---------------------------------------- */

typedef enum record_kind {
    REC_STEP = 1,        /* id is committed at version value */
    REC_BATCH = 2,       /* a batch of value steps committed */
    REC_SWEEP = 3,       /* a sweep returned ESC_OK after value firings */
    REC_UNEXPECTED = 4   /* a call returned status, which it should not have */
} record_kind;

/* One write() each: far below PIPE_BUF, so a record is in the pipe whole
 * or not at all, whenever the child dies. */
typedef struct record {
    int32_t kind;
    int32_t status;
    int64_t value;
    char id[STRESS_ID_SIZE];
    char what[75];
} record;

/* The simulated clock, in memory shared by the parent and its children. */
typedef struct shared_clock {
    _Atomic int64_t now;
} shared_clock;

static int64_t shared_clock_read(void *payload)
{
    return atomic_load(&((shared_clock *)payload)->now);
}

typedef struct torture_config {
    uint64_t trials;
    uint64_t seed;
    const char *path;
    int journal;
    uint64_t min_delay_ms, max_delay_ms;
} torture_config;

/* ======================================================================= */
/* The child: a writer that never stops on its own.                        */
/* ======================================================================= */

typedef struct child {
    esc_db *db;
    shared_clock *clock;
    stress_rng rng;
    int fd;
    esc_escalation *slot[CHILD_SLOTS];
    int holding;          /* reports wait for a commit (batch) or a return (sweep) */
    int sweeping;         /* the event hook collects the sweep's committed events */
    record pending[CHILD_PENDING_MAX];
    size_t pending_count;
    size_t pending_dropped;
    unsigned serial;
    char text[96];
} child;

static void child_send(child *c, const record *r)
{
    const char *p = (const char *)r;
    size_t left = sizeof *r;
    while (left > 0) {
        ssize_t n = write(c->fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(3);  /* the parent is gone */
        p += n;
        left -= (size_t)n;
    }
}

static void child_report(child *c, const char *id, int64_t version)
{
    record r;
    memset(&r, 0, sizeof r);
    r.kind = REC_STEP;
    r.value = version;
    snprintf(r.id, sizeof r.id, "%s", id);
    if (!c->holding && !c->sweeping) {
        child_send(c, &r);
    } else if (c->pending_count < CHILD_PENDING_MAX) {
        c->pending[c->pending_count++] = r;
    } else {
        c->pending_dropped++;  /* reported less: never a false "lost" */
    }
}

static void child_send_count(child *c, record_kind kind, int64_t value)
{
    record r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.value = value;
    child_send(c, &r);
}

static void child_flush(child *c)
{
    for (size_t i = 0; i < c->pending_count; i++)
        child_send(c, &c->pending[i]);
    c->pending_count = 0;
}

static void child_drop_pending(child *c)
{
    c->pending_count = 0;
}

static void child_unexpected(child *c, int status, const char *doing, const esc_escalation *esc)
{
    record r;
    memset(&r, 0, sizeof r);
    r.kind = REC_UNEXPECTED;
    r.status = status;
    snprintf(r.what, sizeof r.what, "%s in %s (guard %s)", doing,
             esc != NULL ? esc_state_name(esc_escalation_state(esc)) : "-",
             esc_guard_name(esc_db_last_guard(c->db)));
    if (esc != NULL)
        snprintf(r.id, sizeof r.id, "%s", esc_escalation_id(esc));
    child_send(c, &r);
}

/* The event hook: during a sweep, every committed event is a report. */
static void child_hook(const esc_event *event, void *payload)
{
    child *c = payload;
    if (c->sweeping)
        child_report(c, esc_event_escalation_id(event), esc_event_seq(event));
}

static void child_tick(child *c)
{
    atomic_fetch_add(&c->clock->now, stress_rng_range(&c->rng, 1, 10) * STRESS_MINUTE);
}

static int64_t child_now(const child *c)
{
    return atomic_load(&c->clock->now);
}

static const char *child_text(child *c, const char *what)
{
    snprintf(c->text, sizeof c->text, "%s #%u", what, ++c->serial);
    return c->text;
}

/* ---- the escalations a child holds ----------------------------------------- */

static void child_refetch(child *c, int i)
{
    if (c->slot[i] == NULL)
        return;
    esc_escalation *fresh = NULL;
    int rc = esc_escalation_get(&fresh, c->db, esc_escalation_id(c->slot[i]));
    if (rc == ESC_OK) {
        esc_escalation_free(c->slot[i]);
        c->slot[i] = fresh;
    } else if (rc != ESC_EBUSY) {
        child_unexpected(c, rc, "get", c->slot[i]);
        esc_escalation_free(c->slot[i]);
        c->slot[i] = NULL;
    }
}

static void child_refetch_all(child *c)
{
    for (int i = 0; i < CHILD_SLOTS; i++)
        child_refetch(c, i);
}

/* Take over the oldest open escalations: those an earlier child was
 * working on when it was killed. */
static void child_adopt(child *c)
{
    esc_filter filter = ESC_FILTER_INIT;
    filter.open = ESC_FILTER_OPEN;
    filter.order = ESC_ORDER_CREATED;
    filter.limit = CHILD_SLOTS;
    esc_escalation_list *list = NULL;
    int rc = esc_escalation_list_query(&list, c->db, &filter);
    if (rc != ESC_OK) {
        child_unexpected(c, rc, "list open", NULL);
        return;
    }
    for (size_t i = 0; i < esc_escalation_list_count(list) && i < CHILD_SLOTS; i++)
        if (esc_escalation_dup(&c->slot[i], esc_escalation_list_get(list, i)) != ESC_OK)
            c->slot[i] = NULL;
    esc_escalation_list_free(list);
}

static int child_open_new(child *c, int i)
{
    esc_open_params params = ESC_OPEN_PARAMS_INIT;
    params.actor = STRESS_AGENT;
    params.summary = child_text(c, "Charged twice, the refund never came");
    params.customer_id = "cust-torture";
    params.channel = (esc_channel)stress_rng_below(&c->rng, ESC_CHANNEL_COUNT);
    params.impact = (int)stress_rng_range(&c->rng, 1, 4);
    params.urgency = (int)stress_rng_range(&c->rng, 1, 4);
    params.vip = stress_rng_chance(&c->rng, 10);
    params.churn_risk = stress_rng_chance(&c->rng, 10);
    params.sla_policy = POLICY_NAME;
    esc_escalation *esc = NULL;
    int rc = esc_escalation_open(&esc, c->db, &params);
    if (rc == ESC_OK) {
        esc_escalation_free(c->slot[i]);
        c->slot[i] = esc;
        child_report(c, esc_escalation_id(esc), esc_escalation_version(esc));
    } else if (rc != ESC_EBUSY) {
        child_unexpected(c, rc, "open", NULL);
    }
    return rc == ESC_OK;
}

/* ---- choosing a valid action ---------------------------------------------- */

/* The first pending item of a kind (exception requests, follow-ups);
 * NULL when none is pending. */
static const esc_item *pending_item(const esc_escalation *esc, esc_item_kind kind)
{
    for (size_t i = 0; i < esc_escalation_item_count(esc, kind); i++) {
        const esc_item *item = esc_escalation_item(esc, kind, i);
        if (esc_item_status_of(item) == ESC_ITEM_OPEN)
            return item;
    }
    return NULL;
}

/* Its number (what actions refer to); 1 when none is pending. */
static int pending_number(const esc_escalation *esc, esc_item_kind kind)
{
    const esc_item *item = pending_item(esc, kind);
    return item != NULL ? esc_item_number(item) : 1;
}

static int has_chosen_option(const esc_escalation *esc)
{
    for (size_t i = 0; i < esc_escalation_item_count(esc, ESC_ITEM_OPTION); i++)
        if (esc_item_flag(esc_escalation_item(esc, ESC_ITEM_OPTION, i)))
            return 1;
    return 0;
}

static int allowed_now(const child *c, const esc_escalation *esc, esc_action_kind kind)
{
    esc_guard unmet = ESC_GUARD_NONE;
    return esc_action_allowed(&unmet, c->db, esc, kind, &STRESS_SUPERVISOR) == ESC_OK;
}

static esc_action_kind progress_in_plan(child *c, const esc_escalation *esc)
{
    if (pending_item(esc, ESC_ITEM_EXCEPTION))
        return ESC_ACTION_DECIDE_EXCEPTION;
    if (esc_escalation_item_count(esc, ESC_ITEM_STEP) == 0)
        return ESC_ACTION_ADD_STEP;
    if (esc_escalation_promised_at(esc) == 0)
        return ESC_ACTION_PROMISE;
    if (stress_rng_chance(&c->rng, 15))
        return ESC_ACTION_REQUEST_EXCEPTION;
    if (stress_rng_chance(&c->rng, 10))
        return ESC_ACTION_OFFER_OPTION;
    if (esc_escalation_item_count(esc, ESC_ITEM_OPTION) > 0 && !has_chosen_option(esc))
        return ESC_ACTION_CHOOSE_OPTION;
    return ESC_ACTION_TAKE_OWNERSHIP;
}

static esc_action_kind progress_in_own(child *c, const esc_escalation *esc)
{
    if (pending_item(esc, ESC_ITEM_EXCEPTION))
        return ESC_ACTION_DECIDE_EXCEPTION;
    if (pending_item(esc, ESC_ITEM_FOLLOW_UP) && stress_rng_chance(&c->rng, 50))
        return ESC_ACTION_COMPLETE_FOLLOW_UP;
    if (stress_rng_chance(&c->rng, 12))
        return ESC_ACTION_REQUEST_EXCEPTION;
    if (stress_rng_chance(&c->rng, 15))
        return ESC_ACTION_SCHEDULE_FOLLOW_UP;
    if (stress_rng_chance(&c->rng, 8))
        return ESC_ACTION_PROMISE;
    return ESC_ACTION_RECORD_RESOLUTION;
}

/* The next step of the ordinary path, with detours. */
static esc_action_kind progress_kind(child *c, const esc_escalation *esc)
{
    switch (esc_escalation_state(esc)) {
    case ESC_STATE_LISTEN:
        return allowed_now(c, esc, ESC_ACTION_ADVANCE) ? ESC_ACTION_ADVANCE : ESC_ACTION_NOTE;
    case ESC_STATE_CLARIFY:
        if (esc_escalation_problem(esc)[0] == '\0' || stress_rng_chance(&c->rng, 10))
            return ESC_ACTION_STATE_PROBLEM;
        return ESC_ACTION_CONFIRM_PROBLEM;
    case ESC_STATE_PLAN:
        return progress_in_plan(c, esc);
    case ESC_STATE_OWN:
        return progress_in_own(c, esc);
    case ESC_STATE_FOLLOW_UP:
        if (pending_item(esc, ESC_ITEM_FOLLOW_UP))
            return ESC_ACTION_COMPLETE_FOLLOW_UP;
        if (stress_rng_chance(&c->rng, 10))
            return ESC_ACTION_REOPEN;
        if (stress_rng_chance(&c->rng, 10))
            return ESC_ACTION_SCHEDULE_FOLLOW_UP;
        return ESC_ACTION_CONFIRM_RESOLVED;
    case ESC_STATE_RESOLVED:
        return stress_rng_chance(&c->rng, 10) ? ESC_ACTION_REOPEN : ESC_ACTION_CLOSE;
    case ESC_STATE_CLOSED:
        break;
    }
    return ESC_ACTION_NOTE;
}

/* Something allowed in any open state (or nearly), off the main path. */
static esc_action_kind side_kind(child *c, const esc_escalation *esc)
{
    esc_state state = esc_escalation_state(esc);
    unsigned r = stress_rng_below(&c->rng, 100);
    if (r < 20)
        return ESC_ACTION_NOTE;
    if (r < 30)
        return ESC_ACTION_ACK_EMOTION;
    if (r < 40)
        return ESC_ACTION_TAG;
    if (r < 48)
        return ESC_ACTION_LOOP_IN;
    if (r < 58)
        return ESC_ACTION_REASSESS;
    if (r < 75 && state != ESC_STATE_RESOLVED)
        return esc_escalation_hold(esc) == ESC_HOLD_NONE ? ESC_ACTION_HOLD : ESC_ACTION_RESUME;
    if (r < 90 && (state == ESC_STATE_PLAN || state == ESC_STATE_OWN || state == ESC_STATE_FOLLOW_UP))
        return ESC_ACTION_SEND_UPDATE;
    if (r < 97)
        return ESC_ACTION_MOVE_TIER;
    if (r < 99)
        return ESC_ACTION_WITHDRAW;
    return ESC_ACTION_NOTE;
}

static void fill_move_tier(child *c, const esc_escalation *esc, esc_action *a)
{
    int tier = esc_escalation_tier(esc);
    int target = tier;
    while (target == tier)
        target = (int)stress_rng_range(&c->rng, 1, 4);
    a->actor = STRESS_LEADER;  /* moving down needs the current tier or above */
    a->tier = target;
    a->person = *stress_person_of_tier(target);
    a->brief_went_wrong = "The refund was lost between two systems.";
    a->brief_tried = "Re-sent the refund request twice.";
    a->brief_response = "The customer is angry and threatens to leave.";
}

static void fill_decide_exception(child *c, const esc_escalation *esc, esc_action *a)
{
    const esc_item *item = pending_item(esc, ESC_ITEM_EXCEPTION);
    a->item = pending_number(esc, ESC_ITEM_EXCEPTION);
    int needed = item != NULL ? esc_item_tier(item) : 4;
    /* Someone at the tier the request names, or above. */
    a->actor = *stress_person_of_tier((int)stress_rng_range(&c->rng, needed, 4));
    a->yes = stress_rng_chance(&c->rng, 70);
    a->text = child_text(c, "Decided");
}

static void fill_options(child *c, const esc_escalation *esc, esc_action *a)
{
    size_t options = esc_escalation_item_count(esc, ESC_ITEM_OPTION);
    a->item = options > 0 ? (int)stress_rng_range(&c->rng, 1, (int64_t)options) : 1;
    a->text = child_text(c, "Refund to another card");
}

/* Arguments of the actions off the main path (side_kind()). */
static void fill_side_args(child *c, const esc_escalation *esc, esc_action *a)
{
    static const char *const tags[] = { "billing", "refund", "vip", "repeat", "legal" };
    static const char *const emotions[] = { "frustrated", "angry", "worried", "confused" };
    switch (a->kind) {
    case ESC_ACTION_NOTE:
        a->customer_account =
            esc_escalation_state(esc) == ESC_STATE_LISTEN || stress_rng_chance(&c->rng, 30);
        break;
    case ESC_ACTION_ACK_EMOTION:
        a->text = emotions[stress_rng_below(&c->rng, 4)];
        break;
    case ESC_ACTION_TAG:
        a->text = tags[stress_rng_below(&c->rng, 5)];
        break;
    case ESC_ACTION_LOOP_IN:
        a->person = stress_rng_chance(&c->rng, 50) ? STRESS_SPECIALIST : STRESS_LEADER;
        a->category = "finance";
        break;
    case ESC_ACTION_REASSESS:
        a->impact = (int)stress_rng_range(&c->rng, 1, 4);
        a->urgency = (int)stress_rng_range(&c->rng, 1, 4);
        a->vip = stress_rng_chance(&c->rng, 10);
        a->churn_risk = stress_rng_chance(&c->rng, 20);
        break;
    case ESC_ACTION_HOLD:
        a->hold = (esc_hold)stress_rng_range(&c->rng, 1, ESC_HOLD_COUNT - 1);
        break;
    case ESC_ACTION_MOVE_TIER:
        fill_move_tier(c, esc, a);
        break;
    default:
        break;
    }
}

/* Arguments of the actions of the main path (progress_kind()). */
static void fill_progress_args(child *c, const esc_escalation *esc, esc_action *a)
{
    int64_t now = child_now(c);
    switch (a->kind) {
    case ESC_ACTION_CONFIRM_PROBLEM:
        a->yes = stress_rng_chance(&c->rng, 85);
        break;
    case ESC_ACTION_ADD_STEP:
        a->at = stress_rng_chance(&c->rng, 50)
                    ? now + stress_rng_range(&c->rng, 1, 72) * STRESS_HOUR : 0;
        break;
    case ESC_ACTION_OFFER_OPTION:
    case ESC_ACTION_CHOOSE_OPTION:
        fill_options(c, esc, a);
        break;
    case ESC_ACTION_PROMISE:
        a->at = now + stress_rng_range(&c->rng, 2, 120) * STRESS_HOUR;
        break;
    case ESC_ACTION_TAKE_OWNERSHIP:
        a->person = *stress_person_of_tier(esc_escalation_tier(esc));
        break;
    case ESC_ACTION_REQUEST_EXCEPTION:
        a->category = "refund-over-limit";
        a->tier = (int)stress_rng_range(&c->rng, 2, 4);
        break;
    case ESC_ACTION_DECIDE_EXCEPTION:
        fill_decide_exception(c, esc, a);
        break;
    case ESC_ACTION_SCHEDULE_FOLLOW_UP:
        a->at = now + stress_rng_range(&c->rng, 1, 48) * STRESS_HOUR;
        break;
    case ESC_ACTION_COMPLETE_FOLLOW_UP:
        a->item = pending_number(esc, ESC_ITEM_FOLLOW_UP);
        a->yes = stress_rng_chance(&c->rng, 60);
        break;
    case ESC_ACTION_CONFIRM_RESOLVED:
        a->yes = 1;
        break;
    case ESC_ACTION_CLOSE:
        a->category = "billing";
        a->satisfaction = (int)stress_rng_range(&c->rng, 0, 5);
        a->lessons = stress_rng_chance(&c->rng, 50) ? "Refunds need one owner." : NULL;
        break;
    default:
        fill_side_args(c, esc, a);  /* advance, listen's note ... */
        break;
    }
}

/* Every argument kind needs, valid on esc as it is now. */
static void fill_action(child *c, const esc_escalation *esc, esc_action_kind kind, esc_action *a)
{
    esc_action_init(a, ESC_ACTION_VERSION, kind);
    a->actor = STRESS_SUPERVISOR;
    a->text = child_text(c, esc_action_name(kind));
    fill_progress_args(c, esc, a);
}

/* ---- one step, a batch, a sweep -------------------------------------------- */

/* One call on slot i; returns 1 when it committed (or is held in a batch). */
static int child_step(child *c, int i)
{
    esc_escalation *esc = c->slot[i];
    if (esc == NULL || !esc_escalation_is_open(esc))
        return child_open_new(c, i);
    esc_action_kind kind = stress_rng_chance(&c->rng, 30) ? side_kind(c, esc) : progress_kind(c, esc);
    esc_action a;
    fill_action(c, esc, kind, &a);
    int rc = esc_apply(c->db, esc, &a);
    if (rc == ESC_OK) {
        child_report(c, esc_escalation_id(esc), esc_escalation_version(esc));
        return 1;
    }
    if (rc == ESC_ECONFLICT)
        child_refetch(c, i);  /* a sweep moved it on */
    else if (rc != ESC_EBUSY)
        child_unexpected(c, rc, esc_action_name(kind), esc);
    return 0;
}

static void child_batch(child *c)
{
    int rc = esc_db_batch_begin(c->db);
    if (rc != ESC_OK) {
        if (rc != ESC_EBUSY)
            child_unexpected(c, rc, "batch_begin", NULL);
        return;
    }
    c->holding = 1;
    int steps = (int)stress_rng_range(&c->rng, 2, 6), done = 0;
    for (int s = 0; s < steps; s++) {
        child_tick(c);
        done += child_step(c, (int)stress_rng_below(&c->rng, CHILD_SLOTS));
    }
    rc = esc_db_batch_commit(c->db);
    c->holding = 0;
    if (rc == ESC_OK) {
        child_flush(c);
        child_send_count(c, REC_BATCH, done);
        return;
    }
    /* Rolled back whole: nothing of it is committed, and snapshots taken
     * inside it are stale. */
    child_drop_pending(c);
    if (rc != ESC_EBUSY)
        child_unexpected(c, rc, "batch_commit", NULL);
    child_refetch_all(c);
}

static void child_sweep(child *c)
{
    esc_sweep_stats stats = ESC_SWEEP_STATS_INIT;
    c->sweeping = 1;
    int rc = esc_sweep(&stats, c->db, child_now(c));
    c->sweeping = 0;
    if (rc == ESC_OK) {
        child_flush(c);
        child_send_count(c, REC_SWEEP, (int64_t)stats.firings);
    } else {
        child_drop_pending(c);
        if (rc != ESC_EBUSY)
            child_unexpected(c, rc, "sweep", NULL);
    }
    child_refetch_all(c);  /* the sweep may have moved any of them */
}

static void child_run(const torture_config *cfg, shared_clock *clock, uint64_t seed, int fd,
                      pid_t parent)
{
    child *c = calloc(1, sizeof *c);
    if (c == NULL)
        _exit(4);
    c->clock = clock;
    c->fd = fd;
    stress_rng_seed(&c->rng, seed);
    c->db = stress_open("torture child", cfg->path, ESC_OPEN_READWRITE, shared_clock_read, clock,
                        5000, cfg->journal);
    if (c->db == NULL)
        _exit(5);
    esc_db_set_event_hook(c->db, child_hook, c);
    child_adopt(c);
    /* Until killed (or orphaned). */
    while (getppid() == parent) {
        child_tick(c);
        unsigned r = stress_rng_below(&c->rng, 100);
        if (r < 5)
            child_sweep(c);
        else if (r < 15)
            child_batch(c);
        else
            child_step(c, (int)stress_rng_below(&c->rng, CHILD_SLOTS));
    }
    _exit(6);
}

/* ======================================================================= */
/* The parent: run trials, keep the ledger of reported steps, check.       */
/* ======================================================================= */

/* One escalation the children reported: the highest committed version. */
typedef struct ledger_entry {
    char id[STRESS_ID_SIZE];
    int64_t reported;
    int64_t lost;            /* the most steps ever found missing */
    uint64_t touched_trial;  /* the last trial that reported it */
} ledger_entry;

/* Open addressing on the id; never shrinks. */
typedef struct ledger {
    ledger_entry *slots;
    size_t capacity;         /* a power of two */
    size_t count;
} ledger;

static uint64_t id_hash(const char *id)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *id != '\0'; id++)
        h = (h ^ (unsigned char)*id) * UINT64_C(1099511628211);
    return h;
}

static ledger_entry *ledger_slot(ledger_entry *slots, size_t capacity, const char *id)
{
    size_t i = (size_t)id_hash(id) & (capacity - 1);
    while (slots[i].id[0] != '\0' && strcmp(slots[i].id, id) != 0)
        i = (i + 1) & (capacity - 1);
    return &slots[i];
}

static int ledger_grow(ledger *l)
{
    size_t capacity = l->capacity == 0 ? 1024 : l->capacity * 2;
    ledger_entry *slots = calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < l->capacity; i++)
        if (l->slots[i].id[0] != '\0')
            *ledger_slot(slots, capacity, l->slots[i].id) = l->slots[i];
    free(l->slots);
    l->slots = slots;
    l->capacity = capacity;
    return 0;
}

static int ledger_note(ledger *l, const char *id, int64_t version, uint64_t trial)
{
    if ((l->count + 1) * 10 > l->capacity * 7 && ledger_grow(l) != 0)
        return -1;
    ledger_entry *e = ledger_slot(l->slots, l->capacity, id);
    if (e->id[0] == '\0') {
        snprintf(e->id, sizeof e->id, "%s", id);
        l->count++;
    }
    if (version > e->reported)
        e->reported = version;
    e->touched_trial = trial;
    return 0;
}

static void ledger_free(ledger *l)
{
    free(l->slots);
    memset(l, 0, sizeof *l);
}

/* What all trials came to. */
typedef struct torture_totals {
    uint64_t trials;
    uint64_t corrupt;
    uint64_t unexpected;      /* statuses a child should never have seen */
    uint64_t bad_children;    /* children that died of something else than our SIGKILL */
    uint64_t steps;           /* step reports */
    uint64_t batches, batched_steps;
    uint64_t sweeps, firings;
    uint64_t checked;         /* escalations checked after trials */
    double child_s, check_s;
} torture_totals;

typedef struct torture {
    torture_config cfg;
    stress_rng rng;
    shared_clock *clock;
    ledger ledger;
    torture_totals totals;
} torture;

/* Reading a child's pipe: whole records are taken, a tail waits. */
typedef struct collector {
    unsigned char buf[64 * sizeof(record)];
    size_t len;
    int eof;
} collector;

static int take_record(torture *t, uint64_t trial, const record *r)
{
    switch (r->kind) {
    case REC_STEP:
        t->totals.steps++;
        return ledger_note(&t->ledger, r->id, r->value, trial);
    case REC_BATCH:
        t->totals.batches++;
        t->totals.batched_steps += (uint64_t)r->value;
        return 0;
    case REC_SWEEP:
        t->totals.sweeps++;
        t->totals.firings += (uint64_t)r->value;
        return 0;
    case REC_UNEXPECTED:
        t->totals.unexpected++;
        fprintf(stderr, "torture: trial %" PRIu64 ": child got %s: %s %s\n", trial,
                esc_status_name(r->status), r->what, r->id);
        return 0;
    default:
        fprintf(stderr, "torture: trial %" PRIu64 ": garbled record kind %d\n", trial, (int)r->kind);
        return -1;
    }
}

/* Read what is there (blocking once); 0 at EOF too. */
static int collect(torture *t, uint64_t trial, collector *col, int fd)
{
    ssize_t n = read(fd, col->buf + col->len, sizeof col->buf - col->len);
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    if (n == 0) {
        col->eof = 1;
        return 0;
    }
    col->len += (size_t)n;
    size_t whole = col->len / sizeof(record) * sizeof(record);
    for (size_t off = 0; off < whole; off += sizeof(record)) {
        record r;
        memcpy(&r, col->buf + off, sizeof r);
        if (take_record(t, trial, &r) != 0)
            return -1;
    }
    memmove(col->buf, col->buf + whole, col->len - whole);
    col->len -= whole;
    return 0;
}

/* Collect until the deadline, then SIGKILL, then drain to EOF. */
static int watch_child(torture *t, uint64_t trial, pid_t pid, int fd, int64_t delay_us, int *status)
{
    collector col = { .len = 0, .eof = 0 };
    int64_t deadline = stress_monotonic_ns() + delay_us * 1000;
    int rc = 0;
    while (rc == 0 && !col.eof) {
        int64_t left = deadline - stress_monotonic_ns();
        if (left <= 0)
            break;
        struct pollfd p = { fd, POLLIN, 0 };
        struct timespec wait = { (time_t)(left / 1000000000), (long)(left % 1000000000) };
        int ready = ppoll(&p, 1, &wait, NULL);
        if (ready > 0)
            rc = collect(t, trial, &col, fd);
        else if (ready < 0 && errno != EINTR)
            rc = -1;
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    while (rc == 0 && !col.eof)
        rc = collect(t, trial, &col, fd);
    if (col.len != 0)
        fprintf(stderr, "torture: trial %" PRIu64 ": %zu bytes of a torn record\n", trial, col.len);
    return rc == 0 && col.len == 0 ? 0 : -1;
}

/* One reported escalation against the file; returns 0 when sound. */
static int check_entry(esc_db *db, ledger_entry *e, const char *when)
{
    int64_t version = stress_stored_version(db, e->id);
    stress_history_result h = stress_history_check(db, e->id);
    int64_t have = version < 0 ? 0 : version;
    if (h.status == ESC_OK && h.events < have)
        have = h.events;
    if (have < e->reported && e->reported - have > e->lost) {
        fprintf(stderr, "torture: %s: %s reported at version %" PRId64 ", stored %s%" PRId64
                        " with %" PRId64 " events\n", when, e->id, e->reported,
                version < 0 ? esc_status_name((int)version) : "", version < 0 ? 0 : version,
                h.events);
        e->lost = e->reported - have;
    }
    int sound = 1;
    if (version == ESC_ENOTFOUND) {
        /* Counted as lost above. */
    } else if (version < 0 || h.status != ESC_OK) {
        fprintf(stderr, "torture: %s: %s: read %s / history %s\n", when, e->id,
                version < 0 ? esc_status_name((int)version) : "ok", esc_status_name(h.status));
        sound = 0;
    } else if (h.gaps > 0 || h.events != version) {
        fprintf(stderr, "torture: %s: %s: version %" PRId64 ", %" PRId64 " events, %" PRId64
                        " out of sequence\n", when, e->id, version, h.events, h.gaps);
        sound = 0;
    }
    return sound ? 0 : -1;
}

/* The checks after a trial (trial 0: after all of them, every escalation);
 * returns 0 when the file is sound. */
static int check_file(torture *t, uint64_t trial, stress_verify_result *out_verify)
{
    char when[64], msg[256];
    if (trial > 0)
        snprintf(when, sizeof when, "trial %" PRIu64, trial);
    else
        snprintf(when, sizeof when, "final check");
    int sound = 1;
    if (!stress_integrity_ok(t->cfg.path, msg, sizeof msg)) {
        fprintf(stderr, "torture: %s: integrity_check: %s\n", when, msg);
        sound = 0;
    }
    esc_db *db = stress_open("torture", t->cfg.path, ESC_OPEN_READWRITE, shared_clock_read,
                             t->clock, 5000, t->cfg.journal);
    if (db == NULL)
        return -1;
    stress_verify_result v = stress_verify(when, db);
    if (v.status != ESC_OK || v.mismatches > 0)
        sound = 0;
    if (out_verify != NULL)
        *out_verify = v;
    for (size_t i = 0; i < t->ledger.capacity; i++) {
        ledger_entry *e = &t->ledger.slots[i];
        if (e->id[0] == '\0' || (trial > 0 && e->touched_trial != trial))
            continue;
        t->totals.checked++;
        if (check_entry(db, e, when) != 0)
            sound = 0;
    }
    esc_db_close(db);
    return sound ? 0 : -1;
}

static int run_trial(torture *t, uint64_t trial)
{
    int64_t delay_us = stress_rng_range(&t->rng, (int64_t)t->cfg.min_delay_ms * 1000,
                                        (int64_t)t->cfg.max_delay_ms * 1000);
    uint64_t child_seed = stress_rng_next(&t->rng);
    int fds[2];
    if (pipe(fds) != 0) {
        perror("torture: pipe");
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid();
    int64_t start = stress_monotonic_ns();
    pid_t pid = fork();
    if (pid < 0) {
        perror("torture: fork");
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        child_run(&t->cfg, t->clock, child_seed, fds[1], parent);
    }
    close(fds[1]);
    int status = 0;
    int rc = watch_child(t, trial, pid, fds[0], delay_us, &status);
    close(fds[0]);
    t->totals.child_s += stress_seconds_since(start);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
        fprintf(stderr, "torture: trial %" PRIu64 ": the child ended by itself (status 0x%x)\n",
                trial, (unsigned)status);
        t->totals.bad_children++;
    }
    start = stress_monotonic_ns();
    if (check_file(t, trial, NULL) != 0) {
        t->totals.corrupt++;
        fprintf(stderr, "torture: trial %" PRIu64 " (killed after %" PRId64 " us) failed its checks\n",
                trial, delay_us);
    }
    t->totals.check_s += stress_seconds_since(start);
    t->totals.trials++;
    return rc;
}

/* A fresh file with the calendar and the policy the children open under. */
static int create_db(torture *t)
{
    stress_remove_db(t->cfg.path);
    esc_db *db = stress_open("torture", t->cfg.path, ESC_OPEN_CREATE, shared_clock_read, t->clock,
                             5000, t->cfg.journal);
    if (db == NULL)
        return -1;
    int rc = esc_db_calendar_put(NULL, db, CALENDAR_NAME, CALENDAR_SPEC);
    if (rc == ESC_OK)
        rc = esc_db_policy_put(NULL, db, POLICY_NAME, POLICY_SPEC, CALENDAR_NAME);
    if (rc != ESC_OK)
        fprintf(stderr, "torture: storing the SLA definitions: %s %s\n", esc_status_name(rc),
                esc_db_errmsg(db));
    esc_db_close(db);
    return rc == ESC_OK ? 0 : -1;
}

static uint64_t lost_steps(const ledger *l)
{
    uint64_t lost = 0;
    for (size_t i = 0; i < l->capacity; i++)
        lost += (uint64_t)l->slots[i].lost;
    return lost;
}

static void print_summary(const torture *t, double total_s, const stress_verify_result *v)
{
    const torture_totals *s = &t->totals;
    struct stat st;
    double mib = stat(t->cfg.path, &st) == 0 ? (double)st.st_size / (1024.0 * 1024.0) : 0.0;
    printf("torture: %" PRIu64 " trials in %.1f s (children %.1f s, checks %.1f s: %.0f ms per trial)\n",
           s->trials, total_s, s->child_s, s->check_s,
           s->trials > 0 ? s->check_s * 1000.0 / (double)s->trials : 0.0);
    printf("torture: %" PRIu64 " steps reported committed (%" PRIu64 " in %" PRIu64
           " batches), %" PRIu64 " sweeps firing %" PRIu64 " timers\n",
           s->steps, s->batched_steps, s->batches, s->sweeps, s->firings);
    printf("torture: file %.1f MiB, %zu escalations, %zu events; %zu reported escalations, "
           "%" PRIu64 " checks of one\n", mib, v->escalations, v->events, t->ledger.count, s->checked);
    if (s->unexpected > 0 || s->bad_children > 0)
        printf("torture: FAILED: %" PRIu64 " unexpected statuses in children, %" PRIu64
               " children not ended by SIGKILL\n", s->unexpected, s->bad_children);
}

static int usage(void)
{
    fprintf(stderr, "usage: torture [-n TRIALS] [-s SEED] [-d DB] [-j wal|rollback]"
                    " [-m MIN_DELAY_MS] [-M MAX_DELAY_MS]\n");
    return 2;
}

static int parse_args(torture_config *cfg, int argc, char **argv)
{
    int opt, seeded = 0;
    while ((opt = getopt(argc, argv, "n:s:d:j:m:M:")) != -1) {
        int bad = 0;
        switch (opt) {
        case 'n': bad = stress_parse_u64(&cfg->trials, optarg, 1, 10000000); break;
        case 's': bad = stress_parse_u64(&cfg->seed, optarg, 0, UINT64_MAX); seeded = 1; break;
        case 'd': cfg->path = optarg; break;
        case 'j':
            bad = strcmp(optarg, "wal") != 0 && strcmp(optarg, "rollback") != 0;
            cfg->journal = strcmp(optarg, "rollback") == 0 ? ESC_JOURNAL_ROLLBACK : ESC_JOURNAL_WAL;
            break;
        case 'm': bad = stress_parse_u64(&cfg->min_delay_ms, optarg, 0, 60000); break;
        case 'M': bad = stress_parse_u64(&cfg->max_delay_ms, optarg, 1, 60000); break;
        default: bad = 1; break;
        }
        if (bad)
            return -1;
    }
    if (optind != argc || cfg->min_delay_ms > cfg->max_delay_ms)
        return -1;
    if (!seeded)
        cfg->seed = stress_fresh_seed();
    return 0;
}

int main(int argc, char **argv)
{
    torture t;
    memset(&t, 0, sizeof t);
    t.cfg.trials = TORTURE_DEFAULT_TRIALS;
    t.cfg.path = TORTURE_DEFAULT_DB;
    t.cfg.journal = ESC_JOURNAL_WAL;
    t.cfg.min_delay_ms = TORTURE_DEFAULT_MIN_DELAY_MS;
    t.cfg.max_delay_ms = TORTURE_DEFAULT_MAX_DELAY_MS;
    if (parse_args(&t.cfg, argc, argv) != 0)
        return usage();
    stress_rng_seed(&t.rng, t.cfg.seed);
    printf("torture: seed %" PRIu64 " (SEED=%" PRIu64 " repeats the choices), %" PRIu64
           " trials, kill after %" PRIu64 "-%" PRIu64 " ms, journal %s, %s\n",
           t.cfg.seed, t.cfg.seed, t.cfg.trials, t.cfg.min_delay_ms, t.cfg.max_delay_ms,
           t.cfg.journal == ESC_JOURNAL_WAL ? "wal" : "rollback", t.cfg.path);
    t.clock = mmap(NULL, sizeof *t.clock, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (t.clock == MAP_FAILED) {
        perror("torture: mmap");
        return 1;
    }
    atomic_init(&t.clock->now, STRESS_T0);
    int64_t start = stress_monotonic_ns();
    int failed = create_db(&t) != 0;
    for (uint64_t trial = 1; !failed && trial <= t.cfg.trials; trial++)
        failed = run_trial(&t, trial) != 0;
    stress_verify_result final = { ESC_OK, 0, 0, 0 };
    if (!failed && check_file(&t, 0, &final) != 0)
        t.totals.corrupt++;
    print_summary(&t, stress_seconds_since(start), &final);
    uint64_t lost = lost_steps(&t.ledger);
    printf("torture: trials %" PRIu64 ", lost %" PRIu64 ", corrupt %" PRIu64 "\n", t.totals.trials,
           lost, t.totals.corrupt);
    failed = failed || lost > 0 || t.totals.corrupt > 0 || t.totals.unexpected > 0
             || t.totals.bad_children > 0;
    ledger_free(&t.ledger);
    munmap(t.clock, sizeof *t.clock);
    return failed ? 1 : 0;
}
