/*
 * step_cost.c — the cost of one lifecycle step from C: the baseline that
 * bench/binding-ratio compares the Python and Lua bindings against.  It
 * walks escalations from open to close (11 steps each, one transaction per
 * step, the library's default WAL + synchronous=NORMAL) and prints
 *   c_ns_per_step <nanoseconds>
 * Usage: step_cost DB-PATH [ESCALATIONS]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <escalate.h>

static const esc_person agent = { "agent-1", "Alex Agent", 1 };

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void must(esc_db *db, int rc, const char *what)
{
    if (rc != ESC_OK) {
        fprintf(stderr, "step_cost: %s: %s %s\n", what, esc_status_name(rc), esc_db_errmsg(db));
        exit(1);
    }
}

static void act(esc_db *db, esc_escalation *esc, esc_action *a, esc_action_kind kind)
{
    a->kind = kind;
    must(db, esc_apply(db, esc, a), esc_action_name(kind));
}

/* One escalation from open to close: 11 steps. */
static int walk(esc_db *db)
{
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = agent;
    p.summary = "Charged twice for the March invoice; the refund never arrived.";
    p.customer_id = "cust-42";
    p.impact = 2;
    p.urgency = 3;
    esc_escalation *esc = NULL;
    must(db, esc_escalation_open(&esc, db, &p), "open");
    esc_action a = ESC_ACTION_INIT;
    a.actor = agent;
    a.text = "I was charged twice and nobody calls me back.";
    a.customer_account = 1;
    act(db, esc, &a, ESC_ACTION_NOTE);
    act(db, esc, &a, ESC_ACTION_ADVANCE);
    a.text = "A duplicate charge of 49.90 was not refunded.";
    act(db, esc, &a, ESC_ACTION_STATE_PROBLEM);
    a.yes = 1;
    act(db, esc, &a, ESC_ACTION_CONFIRM_PROBLEM);
    a.text = "Refund the duplicate charge.";
    act(db, esc, &a, ESC_ACTION_ADD_STEP);
    a.at = esc_db_now(db) + 86400000;
    act(db, esc, &a, ESC_ACTION_PROMISE);
    a.person = agent;
    act(db, esc, &a, ESC_ACTION_TAKE_OWNERSHIP);
    a.text = "Refunded 49.90.";
    act(db, esc, &a, ESC_ACTION_RECORD_RESOLUTION);
    act(db, esc, &a, ESC_ACTION_CONFIRM_RESOLVED);
    a.category = "billing";
    a.text = "Duplicate capture after a gateway timeout.";
    act(db, esc, &a, ESC_ACTION_CLOSE);
    esc_escalation_free(esc);
    return 11;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: step_cost DB-PATH [ESCALATIONS]\n");
        return 2;
    }
    int escalations = argc > 2 ? atoi(argv[2]) : 200;
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = ESC_OPEN_CREATE;
    esc_db *db = NULL;
    must(db, esc_db_open(&db, argv[1], &options), "open database");
    walk(db); /* warm up: statements prepared, pages cached */
    long steps = 0;
    int64_t start = now_ns();
    for (int i = 0; i < escalations; i++)
        steps += walk(db);
    int64_t elapsed = now_ns() - start;
    esc_db_close(db);
    printf("c_ns_per_step %lld\n", (long long)(elapsed / steps));
    return 0;
}
