/*
 * outside.c — a host program built against an INSTALLED libescalate with
 * nothing but
 *
 *     cc outside.c $(pkg-config --cflags --libs escalate)
 *
 * It checks that the headers and the library agree on the version, drives
 * one escalation from open to closed, checks that refused actions come back
 * with the right code (ESC_ETRANSITION, ESC_EGUARD and its guard,
 * ESC_EAUTHORITY, ESC_EEXISTS) and change nothing, then reopens the file,
 * fetches the escalation by its reference and verifies the database.
 *
 * Usage: outside [PATH.db]  — a database file that does not exist yet; by
 * default one in a fresh directory under $TMPDIR (or /tmp).  The files are
 * removed at the end.  Prints "outside: ok" and exits 0, or says what
 * failed and exits 1.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <escalate.h>

#define HOUR INT64_C(3600000)
#define DAY (24 * HOUR)

static const esc_person AGENT = { "agent-1", "Alex Agent", 1 };
static const esc_person SUPERVISOR = { "sup-1", "Sam Supervisor", 2 };

typedef struct ctx {
    esc_db *db;
    esc_escalation *esc;
    int64_t now;  /* the injected clock: 2026-01-05 09:00:00 UTC onwards */
} ctx;

static int64_t read_clock(void *payload)
{
    return *(const int64_t *)payload;
}

/* Report a failed expectation; evaluates to 1 so callers can return it. */
#define FAILED(...) \
    (fprintf(stderr, "outside: FAIL (line %d): ", __LINE__), fprintf(stderr, __VA_ARGS__), \
     fputc('\n', stderr), 1)
#define EXPECT(cond, ...) \
    do { if (!(cond)) return FAILED(__VA_ARGS__); } while (0)
#define TRY(call) \
    do { if ((call) != 0) return 1; } while (0)

static esc_action act(esc_action_kind kind, const esc_person *actor, const char *text)
{
    esc_action a = ESC_ACTION_INIT;
    a.kind = kind;
    a.actor = *actor;
    a.text = text;
    return a;
}

/* An action that must succeed, an hour after the previous one. */
static int must(ctx *c, esc_action a)
{
    c->now += HOUR;
    int rc = esc_apply(c->db, c->esc, &a);
    if (rc != ESC_OK)
        return FAILED("%s in %s: %s: %s", esc_action_name(a.kind),
                      esc_state_name(esc_escalation_state(c->esc)), esc_status_name(rc),
                      esc_db_errmsg(c->db));
    return 0;
}

/* An action that must be refused with code (named code_name) and guard,
 * leaving the snapshot and the stored history as they were. */
static int refused(ctx *c, esc_action a, int code, const char *code_name, esc_guard guard)
{
    int64_t version = esc_escalation_version(c->esc);
    esc_state state = esc_escalation_state(c->esc);
    int rc = esc_apply(c->db, c->esc, &a);
    EXPECT(rc == code, "%s: expected %s, got %s (%s)", esc_action_name(a.kind), code_name,
           esc_status_name(rc), esc_db_errmsg(c->db));
    EXPECT(strcmp(esc_status_name(rc), code_name) == 0, "esc_status_name(%d) is %s, not %s", rc,
           esc_status_name(rc), code_name);
    EXPECT(esc_db_last_guard(c->db) == guard, "%s: expected guard %s, got %s",
           esc_action_name(a.kind), esc_guard_name(guard), esc_guard_name(esc_db_last_guard(c->db)));
    EXPECT(esc_db_errmsg(c->db)[0] != '\0', "%s: refused without a message", esc_action_name(a.kind));
    EXPECT(esc_escalation_version(c->esc) == version && esc_escalation_state(c->esc) == state,
           "the refused %s changed the snapshot", esc_action_name(a.kind));

    esc_escalation *stored = NULL;
    rc = esc_escalation_get(&stored, c->db, esc_escalation_id(c->esc));
    EXPECT(rc == ESC_OK, "esc_escalation_get: %s", esc_status_name(rc));
    int unchanged = esc_escalation_version(stored) == version;
    esc_escalation_free(stored);
    EXPECT(unchanged, "the refused %s changed the stored escalation", esc_action_name(a.kind));
    printf("outside: refused %-18s %s (guard %s)\n", esc_action_name(a.kind), code_name,
           esc_guard_name(guard));
    return 0;
}

#define REFUSED(c, a, code, guard) refused((c), (a), (code), #code, (guard))

static int open_escalation(ctx *c)
{
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "I was charged twice and the refund never arrived.";
    p.customer_id = "cust-1";
    p.external_ref = "OUT-1";
    p.impact = 2;
    p.urgency = 3;
    p.vip = 1;
    int rc = esc_escalation_open(&c->esc, c->db, &p);
    EXPECT(rc == ESC_OK, "esc_escalation_open: %s: %s", esc_status_name(rc), esc_db_errmsg(c->db));
    EXPECT(esc_escalation_state(c->esc) == ESC_STATE_LISTEN && esc_escalation_version(c->esc) == 1,
           "a new escalation is in listen at version 1");
    EXPECT(esc_escalation_priority(c->esc) == esc_priority_compute(c->db, 2, 3, 1, 0),
           "priority %d differs from esc_priority_compute", esc_escalation_priority(c->esc));

    /* The reference is unique: a second escalation cannot take it. */
    esc_escalation *twin = NULL;
    rc = esc_escalation_open(&twin, c->db, &p);
    esc_escalation_free(twin);
    EXPECT(rc == ESC_EEXISTS, "a duplicate reference gave %s, not ESC_EEXISTS", esc_status_name(rc));
    printf("outside: refused %-18s ESC_EEXISTS\n", "open (same ref)");
    return 0;
}

static int walk_to_own(ctx *c)
{
    TRY(REFUSED(c, act(ESC_ACTION_CLOSE, &AGENT, "too early"), ESC_ETRANSITION, ESC_GUARD_STATE));
    TRY(REFUSED(c, act(ESC_ACTION_ADVANCE, &AGENT, NULL), ESC_EGUARD, ESC_GUARD_CUSTOMER_NOTE));
    esc_action note = act(ESC_ACTION_NOTE, &AGENT, "Charged twice on the 3rd; refund promised, not received.");
    note.customer_account = 1;
    TRY(must(c, note));
    TRY(must(c, act(ESC_ACTION_ADVANCE, &AGENT, NULL)));
    TRY(must(c, act(ESC_ACTION_STATE_PROBLEM, &AGENT, "A duplicate charge was not refunded.")));
    esc_action yes = act(ESC_ACTION_CONFIRM_PROBLEM, &AGENT, NULL);
    yes.yes = 1;
    TRY(must(c, yes));
    EXPECT(esc_escalation_state(c->esc) == ESC_STATE_PLAN, "a confirmed problem leads to plan");
    esc_action step = act(ESC_ACTION_ADD_STEP, &AGENT, "Refund the duplicate charge");
    step.at = c->now + DAY;
    TRY(must(c, step));
    esc_action promise = act(ESC_ACTION_PROMISE, &AGENT, NULL);
    promise.at = c->now + 2 * DAY;
    TRY(must(c, promise));
    esc_action own = act(ESC_ACTION_TAKE_OWNERSHIP, &AGENT, NULL);
    own.person = AGENT;
    TRY(must(c, own));
    EXPECT(esc_escalation_state(c->esc) == ESC_STATE_OWN &&
           strcmp(esc_escalation_owner_id(c->esc), AGENT.id) == 0, "the agent owns it");
    return 0;
}

static int exception(ctx *c)
{
    esc_action request = act(ESC_ACTION_REQUEST_EXCEPTION, &AGENT, "Refund outside policy");
    request.category = "refund_outside_policy";
    request.tier = 2;
    TRY(must(c, request));
    esc_action decide = act(ESC_ACTION_DECIDE_EXCEPTION, &AGENT, "Approved");
    decide.item = 1;
    decide.yes = 1;
    TRY(REFUSED(c, decide, ESC_EAUTHORITY, ESC_GUARD_AUTHORITY));
    const esc_item *item = esc_escalation_item(c->esc, ESC_ITEM_EXCEPTION, 0);
    EXPECT(item && esc_item_status_of(item) == ESC_ITEM_OPEN, "the request is still pending");
    decide.actor = SUPERVISOR;
    TRY(must(c, decide));
    item = esc_escalation_item(c->esc, ESC_ITEM_EXCEPTION, 0);
    EXPECT(item && esc_item_status_of(item) == ESC_ITEM_APPROVED &&
           strcmp(esc_item_decided_by(item), SUPERVISOR.id) == 0, "the supervisor approved it");
    return 0;
}

static int follow_up_and_close(ctx *c)
{
    TRY(must(c, act(ESC_ACTION_RECORD_RESOLUTION, &AGENT, "Refunded under the exception.")));
    esc_action schedule = act(ESC_ACTION_SCHEDULE_FOLLOW_UP, &AGENT, "Check the money arrived");
    schedule.at = c->now + DAY;
    TRY(must(c, schedule));
    c->now += DAY;
    esc_action done = act(ESC_ACTION_COMPLETE_FOLLOW_UP, &AGENT, "Arrived.");
    done.item = 1;
    done.yes = 1;
    TRY(must(c, done));
    esc_action confirmed = act(ESC_ACTION_CONFIRM_RESOLVED, &AGENT, NULL);
    confirmed.yes = 1;
    TRY(must(c, confirmed));
    EXPECT(esc_escalation_state(c->esc) == ESC_STATE_RESOLVED, "confirmed means resolved");
    /* Closing without a root cause is refused: the team must learn something. */
    TRY(REFUSED(c, act(ESC_ACTION_CLOSE, &AGENT, NULL), ESC_EGUARD, ESC_GUARD_ROOT_CAUSE));
    esc_action close = act(ESC_ACTION_CLOSE, &AGENT, "Refund sent to a closed card.");
    close.category = "billing";
    close.satisfaction = 5;
    TRY(must(c, close));
    EXPECT(esc_escalation_state(c->esc) == ESC_STATE_CLOSED && !esc_escalation_is_open(c->esc),
           "the escalation is closed");
    return 0;
}

/* Open the file again with a new handle and check what was stored. */
static int reopen_and_verify(ctx *c, const char *path)
{
    int64_t version = esc_escalation_version(c->esc);
    esc_escalation_free(c->esc);
    c->esc = NULL;
    esc_db_close(c->db);
    c->db = NULL;

    int rc = esc_db_open(&c->db, path, NULL);
    EXPECT(rc == ESC_OK, "reopening %s: %s: %s", path, esc_status_name(rc), esc_db_errmsg(c->db));
    rc = esc_escalation_get_by_ref(&c->esc, c->db, "OUT-1");
    EXPECT(rc == ESC_OK, "esc_escalation_get_by_ref: %s", esc_status_name(rc));
    EXPECT(esc_escalation_version(c->esc) == version &&
           esc_escalation_state(c->esc) == ESC_STATE_CLOSED &&
           strcmp(esc_escalation_root_cause_category(c->esc), "billing") == 0 &&
           esc_escalation_satisfaction(c->esc) == 5, "the stored escalation is the closed one");

    esc_event_list *events = NULL;
    rc = esc_history(&events, c->db, esc_escalation_id(c->esc));
    EXPECT(rc == ESC_OK, "esc_history: %s", esc_status_name(rc));
    size_t count = esc_event_list_count(events);
    const esc_event *last = esc_event_list_get(events, count - 1);
    int history_ok = (int64_t)count == version && last != NULL &&
                     esc_event_action(last) == ESC_ACTION_CLOSE &&
                     esc_event_to_state(last) == ESC_STATE_CLOSED;
    esc_event_list_free(events);
    EXPECT(history_ok, "the history has one event per version, ending with close");

    esc_verify_report *report = NULL;
    rc = esc_db_verify(&report, c->db);
    EXPECT(rc == ESC_OK, "esc_db_verify: %s", esc_status_name(rc));
    size_t escalations = esc_verify_report_escalations(report);
    size_t replayed = esc_verify_report_events(report);
    size_t mismatches = esc_verify_report_mismatch_count(report);
    esc_verify_report_free(report);
    EXPECT(escalations == 1 && (int64_t)replayed == version && mismatches == 0,
           "verify: %zu escalations, %zu events, %zu mismatches", escalations, replayed, mismatches);
    printf("outside: verified %zu escalation, %zu events, 0 mismatches\n", escalations, replayed);
    return 0;
}

static int run(const char *path)
{
    ctx c = { NULL, NULL, INT64_C(1767603600000) };
    esc_db_options opts = ESC_DB_OPTIONS_INIT;
    opts.flags = ESC_OPEN_CREATE;
    opts.clock = read_clock;
    opts.clock_payload = &c.now;
    int rc = esc_db_open(&c.db, path, &opts);
    int failed = rc != ESC_OK ? FAILED("esc_db_open(%s): %s: %s", path, esc_status_name(rc),
                                       esc_db_errmsg(c.db))
                              : open_escalation(&c) || walk_to_own(&c) || exception(&c) ||
                                    follow_up_and_close(&c) || reopen_and_verify(&c, path);
    esc_escalation_free(c.esc);
    esc_db_close(c.db);
    return failed;
}

static void remove_database(const char *path)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    char name[4096];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        unlink(name);
    }
}

int main(int argc, char **argv)
{
    if (esc_version_number() != ESC_VERSION_NUMBER ||
        strcmp(esc_version_string(), ESC_VERSION_STRING) != 0) {
        fprintf(stderr, "outside: FAIL: headers say %s (%d), the library says %s (%d)\n",
                ESC_VERSION_STRING, ESC_VERSION_NUMBER, esc_version_string(), esc_version_number());
        return 1;
    }

    /* dir is shorter than path so that "dir/outside.db" always fits. */
    char dir[3072] = "", path[4096];
    if (argc > 1) {
        if ((size_t)snprintf(path, sizeof path, "%s", argv[1]) >= sizeof path) {
            fprintf(stderr, "outside: FAIL: the path is too long\n");
            return 1;
        }
    } else {
        const char *tmp = getenv("TMPDIR");
        int n = snprintf(dir, sizeof dir, "%s/escalate-outside.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (n < 0 || (size_t)n >= sizeof dir || mkdtemp(dir) == NULL) {
            perror("outside: FAIL: mkdtemp");
            return 1;
        }
        snprintf(path, sizeof path, "%s/outside.db", dir);
    }

    int failed = run(path);
    remove_database(path);
    if (dir[0] != '\0')
        rmdir(dir);
    if (failed)
        return 1;
    printf("outside: ok (libescalate %s)\n", esc_version_string());
    return 0;
}
