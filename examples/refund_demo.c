/*
 * refund_demo.c — one escalation from the first call to the closing review,
 * through libescalate's public API only.
 *
 * Helen was charged twice; the refund went to a card she had closed, so it
 * never arrived, and she threatens to cancel.  The frontline agent listens,
 * clarifies (and is corrected), plans, owns, and asks for a refund outside
 * policy that only a supervisor may approve; the case moves up a tier with a
 * handover brief, the supervisor listens again, approves and follows up.
 * Then the file is reopened, verified, and its history printed.
 *
 * Usage: refund_demo [PATH.db]  (default refund-demo.db, replaced if present)
 * The clock is injected and moved by hand: the output is the same on every
 * run except for the escalation's UUID.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <escalate.h>

#define MINUTE INT64_C(60000)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
/* Monday 2 March 2026, 09:14:00 UTC: the phone rings. */
#define DEMO_START INT64_C(1772442840000)
#define CRM_REF "CRM-58213"

static const esc_person AGENT = { "agt-117", "Priya Natarajan", 1 };
static const esc_person SUPERVISOR = { "sup-022", "Marcus Bell", 2 };
static const esc_person BILLING = { "bil-004", "Jonah Reyes", 0 }; /* a watcher: no tier */

/* Everything the walk-through carries from step to step. */
typedef struct demo {
    esc_db *db;
    esc_escalation *esc;
    int64_t now;  /* the injected clock reads this */
} demo;

/* ---- small helpers ------------------------------------------------------ */

static int64_t demo_clock(void *payload)
{
    return *(const int64_t *)payload;
}

/* Give up on anything the demo did not expect, saying what and why. */
static void check(const demo *d, int rc, const char *doing)
{
    if (rc == ESC_OK)
        return;
    fprintf(stderr, "refund_demo: %s failed: %s: %s\n", doing, esc_status_name(rc),
            esc_db_errmsg(d->db));
    exit(EXIT_FAILURE);
}

/* ISO-8601 UTC, e.g. 2026-03-02T09:14:00Z, into buf. */
static const char *iso_time(int64_t ms, char *buf, size_t size)
{
    time_t seconds = (time_t)(ms / 1000);
    struct tm tm;
    if (gmtime_r(&seconds, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "%lld ms", (long long)ms);
    return buf;
}

static void later(demo *d, int64_t ms)
{
    d->now += ms;
}

static const char *tier_name(const demo *d, int tier)
{
    const char *name = esc_db_tier_name(d->db, tier);
    return name ? name : "?";
}

/* An action of kind by actor; text may be NULL.  Callers set the rest. */
static esc_action act(esc_action_kind kind, const esc_person *actor, const char *text)
{
    esc_action a = ESC_ACTION_INIT;
    a.kind = kind;
    a.actor = *actor;
    a.text = text;
    return a;
}

/* One line per step: when, who, what, the state before (and after). */
static void report(const demo *d, const char *who, const char *what, esc_state from, esc_state to,
                   const char *narration)
{
    char when[32], states[32];
    if (to != from)
        snprintf(states, sizeof states, "%s -> %s", esc_state_name(from), esc_state_name(to));
    else
        snprintf(states, sizeof states, "%s", esc_state_name(from));
    printf("%s  %-16s %-18s %-21s %s\n", iso_time(d->now, when, sizeof when), who, what, states,
           narration);
}

/* Perform one step that must succeed, a minute after the last one, and
 * say what happened. */
static void step(demo *d, esc_action a, const char *narration)
{
    later(d, MINUTE);
    esc_state from = esc_escalation_state(d->esc);
    check(d, esc_apply(d->db, d->esc, &a), esc_action_name(a.kind));
    report(d, a.actor.name, esc_action_name(a.kind), from, esc_escalation_state(d->esc), narration);
}

/* A step the library must refuse with exactly this code and guard; show
 * the refusal and check that it changed nothing. */
static void refused(demo *d, esc_action a, int expected, esc_guard guard, const char *why)
{
    int64_t version = esc_escalation_version(d->esc);
    esc_state state = esc_escalation_state(d->esc);
    int rc = esc_apply(d->db, d->esc, &a);
    if (rc != expected || esc_db_last_guard(d->db) != guard ||
        esc_escalation_version(d->esc) != version || esc_escalation_state(d->esc) != state) {
        fprintf(stderr, "refund_demo: %s should be refused with %s (guard %s), changing nothing; "
                "it gave %s (guard %s)\n", esc_action_name(a.kind), esc_status_name(expected),
                esc_guard_name(guard), esc_status_name(rc), esc_guard_name(esc_db_last_guard(d->db)));
        exit(EXIT_FAILURE);
    }
    printf("    REFUSED %s by %s (%s): %s, guard \"%s\"\n", esc_action_name(a.kind), a.actor.name,
           tier_name(d, a.actor.tier), esc_status_name(rc), esc_guard_name(esc_db_last_guard(d->db)));
    printf("            message: %s\n            (%s)\n", esc_db_errmsg(d->db), why);
}

static void section(const char *title)
{
    printf("\n== %s\n", title);
}

/* Shapes of action the story uses more than once. */
static esc_action timed(esc_action_kind kind, const esc_person *actor, const char *text, int64_t at)
{
    esc_action a = act(kind, actor, text);
    a.at = at;
    return a;
}

static esc_action answer(esc_action_kind kind, const esc_person *actor, int item, int yes,
                         const char *text)
{
    esc_action a = act(kind, actor, text);
    a.item = item;
    a.yes = yes;
    return a;
}

static void customer_says(demo *d, const esc_person *who, const char *words, const char *narration)
{
    esc_action note = act(ESC_ACTION_NOTE, who, words);
    note.customer_account = 1;  /* her own account: what "listen" needs */
    step(d, note, narration);
}

static void take_ownership(demo *d, const esc_person *who, const char *narration)
{
    esc_action own = act(ESC_ACTION_TAKE_OWNERSHIP, who, NULL);
    own.person = *who;
    step(d, own, narration);
}

/* ---- the story ---------------------------------------------------------- */

static void open_escalation(demo *d)
{
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "You took $89.99 twice for my March subscription. I was told the refund "
                "would take 3 to 5 days and it has been two weeks. If it is not sorted "
                "this week I am cancelling.";
    p.customer_id = "cust-88412";
    p.customer_name = "Helen Okafor";
    p.external_ref = CRM_REF;
    p.channel = ESC_CHANNEL_PHONE;
    p.impact = 1;      /* one customer */
    p.urgency = 3;     /* she needs the money back this week */
    p.churn_risk = 1;  /* "I am cancelling" */
    check(d, esc_escalation_open(&d->esc, d->db, &p), "esc_escalation_open");
    report(d, AGENT.name, "open", ESC_STATE_LISTEN, ESC_STATE_LISTEN, "phone call, " CRM_REF);
    printf("    priority %d: the matrix gives %d for impact %d x urgency %d, raised one for churn risk\n",
           esc_escalation_priority(d->esc), esc_priority_compute(d->db, p.impact, p.urgency, 0, 0),
           p.impact, p.urgency);
}

static void listen_and_clarify(demo *d)
{
    section("Listen: in the customer's own words");
    later(d, 2 * MINUTE);
    customer_says(d, &AGENT, "\"I closed my old Visa in February after it was skimmed. Your app "
                  "says the refund was completed on the 16th but nothing came to my new card.\"",
                  "her account, uninterrupted");
    step(d, act(ESC_ACTION_ACK_EMOTION, &AGENT, "frustrated"),
         "\"Two weeks without your money: I understand the frustration.\"");
    step(d, act(ESC_ACTION_ADVANCE, &AGENT, NULL), "her account is on record");

    section("Clarify: restate, get corrected, restate");
    step(d, act(ESC_ACTION_STATE_PROBLEM, &AGENT,
                "You were charged twice in March and the refund has not reached you."),
         "first restatement");
    step(d, answer(ESC_ACTION_CONFIRM_PROBLEM, &AGENT, 0, 0,
                   "Not quite: the refund WAS made, but to the closed card, so it is stuck."),
         "\"is that right?\" -- no: her correction");
    step(d, act(ESC_ACTION_STATE_PROBLEM, &AGENT,
                "The duplicate $89.99 went back to the Visa you closed in February, "
                "so it never reached you."),
         "second restatement");
    step(d, answer(ESC_ACTION_CONFIRM_PROBLEM, &AGENT, 0, 1, NULL), "\"yes, that's it\"");
}

static void plan_and_own(demo *d)
{
    section("Next steps: a plan she chooses from");
    step(d, timed(ESC_ACTION_ADD_STEP, &AGENT, "Billing confirms the bank returned the refund",
                  d->now + 4 * HOUR), "step 1, within 4 hours");
    step(d, timed(ESC_ACTION_ADD_STEP, &AGENT, "Send the $89.99 to the current card",
                  d->now + 2 * DAY), "step 2, within 2 days");
    step(d, act(ESC_ACTION_OFFER_OPTION, &AGENT, "Refund to the current card (2-3 business days)"),
         "option 1");
    step(d, act(ESC_ACTION_OFFER_OPTION, &AGENT, "$89.99 account credit, today"), "option 2");
    step(d, answer(ESC_ACTION_CHOOSE_OPTION, &AGENT, 1, 0, NULL), "she wants money, not credit");
    /* Owning a plan before promising a time is a classic slip. */
    refused(d, act(ESC_ACTION_TAKE_OWNERSHIP, &AGENT, NULL), ESC_EGUARD, ESC_GUARD_PROMISED_TIME,
            "a plan without a promised time cannot be owned");
    step(d, timed(ESC_ACTION_PROMISE, &AGENT, NULL, d->now + 2 * DAY + 8 * HOUR),
         "\"by Wednesday evening\"");

    section("Own: one named person");
    take_ownership(d, &AGENT, "\"I will personally see this through\"");
    esc_action loop = act(ESC_ACTION_LOOP_IN, &AGENT, NULL);
    loop.person = BILLING;
    loop.category = "billing";
    step(d, loop, "billing kept in the loop");
    later(d, 3 * HOUR);
    step(d, act(ESC_ACTION_SEND_UPDATE, &AGENT,
                "Billing confirmed the bank bounced the refund; it returns to us in 10 days."),
         "an update before she has to ask");
}

/* "What can I do now?" from the same table esc_apply() enforces. */
static void what_can_i_do(const demo *d, const esc_person *who)
{
    static const char *const headings[] = { "allowed:", "blocked:", "not in this state:" };
    printf("\n    What can %s (%s) do now, in %s?\n", who->name, tier_name(d, who->tier),
           esc_state_name(esc_escalation_state(d->esc)));
    for (int group = 0; group < 3; group++) {
        printf("      %s", headings[group]);
        for (int k = ESC_ACTION_NOTE; k < ESC_ACTION_COUNT; k++) {
            esc_guard guard;
            int rc = esc_action_allowed(&guard, d->db, d->esc, (esc_action_kind)k, who);
            int in_group = rc == ESC_OK ? 0 : rc == ESC_ETRANSITION ? 2 : 1;
            if (in_group != group)
                continue;
            printf(" %s", esc_action_name((esc_action_kind)k));
            if (group == 1)
                printf(" (%s)", esc_guard_name(guard));
        }
        printf("\n");
    }
}

static void exception_and_handover(demo *d)
{
    section("Authority: a refund outside policy");
    later(d, 10 * MINUTE);
    esc_action request = act(ESC_ACTION_REQUEST_EXCEPTION, &AGENT,
        "Refund $89.99 to the current card now, before the bounced refund comes back; "
        "policy allows one refund per charge.");
    request.category = "refund_outside_policy";
    request.tier = 2;  /* a supervisor or above decides */
    step(d, request, "exception 1, for a supervisor");
    refused(d, answer(ESC_ACTION_DECIDE_EXCEPTION, &AGENT, 1, 1, "Approved."), ESC_EAUTHORITY,
            ESC_GUARD_AUTHORITY, "the frontline may ask, not approve");
    refused(d, act(ESC_ACTION_RECORD_RESOLUTION, &AGENT, "Refunded."), ESC_EGUARD,
            ESC_GUARD_NO_PENDING_EXCEPTION, "no resolution while a request waits");
    what_can_i_do(d, &AGENT);

    section("Move up a tier with a handover brief");
    later(d, 5 * MINUTE);
    esc_action move = act(ESC_ACTION_MOVE_TIER, &AGENT, NULL);
    move.tier = 2;
    move.person = SUPERVISOR;
    move.brief_went_wrong = "Duplicate March charge refunded to a closed card; the bank bounced it.";
    move.brief_tried = "Confirmed the bounce with billing; asked for a second refund (exception 1).";
    move.brief_response = "Frustrated but calm; will cancel if it is not fixed this week.";
    step(d, move, "to Marcus Bell, who starts by listening");
    refused(d, act(ESC_ACTION_ADVANCE, &SUPERVISOR, NULL), ESC_EGUARD, ESC_GUARD_CUSTOMER_NOTE,
            "the brief is not her account: the new handler must hear her");
}

static void supervisor_resolves(demo *d)
{
    section("The supervisor listens again and owns it");
    later(d, 25 * MINUTE);
    customer_says(d, &SUPERVISOR, "\"Priya explained it well. I just want the money on my "
                  "current card this week.\"", "call-back: she tells him in her words");
    step(d, act(ESC_ACTION_ADVANCE, &SUPERVISOR, NULL), "heard");
    step(d, act(ESC_ACTION_STATE_PROBLEM, &SUPERVISOR, "The refund bounced off your closed card; "
                "you want the $89.99 on your current card this week."), "his restatement");
    step(d, answer(ESC_ACTION_CONFIRM_PROBLEM, &SUPERVISOR, 0, 1, NULL), "\"exactly\"");
    take_ownership(d, &SUPERVISOR, "the steps and the promise still stand");
    step(d, answer(ESC_ACTION_DECIDE_EXCEPTION, &SUPERVISOR, 1, 1,
                   "Approved: our error and a churn risk; billing recovers the bounce later."),
         "exception 1 approved");

    section("Resolve and follow up");
    later(d, 1 * DAY);
    step(d, act(ESC_ACTION_SEND_UPDATE, &SUPERVISOR,
                "The $89.99 is on its way to your card ending 4471 (ref RF-20931)."),
         "update with the refund reference");
    step(d, act(ESC_ACTION_RECORD_RESOLUTION, &SUPERVISOR,
                "Second refund of $89.99 issued to the current card under exception 1."),
         "resolution recorded");
    step(d, timed(ESC_ACTION_SCHEDULE_FOLLOW_UP, &SUPERVISOR, "Call Helen: did the money arrive?",
                  d->now + 2 * DAY), "callback in 2 days");
    later(d, 2 * DAY);
    step(d, answer(ESC_ACTION_COMPLETE_FOLLOW_UP, &SUPERVISOR, 1, 1,
                   "Reached Helen: the refund arrived Thursday; nothing else needed."),
         "she answered");
    step(d, answer(ESC_ACTION_CONFIRM_RESOLVED, &SUPERVISOR, 0, 1, NULL), "she confirms");

    section("Close: what the team learns");
    later(d, 1 * DAY);
    esc_action close = act(ESC_ACTION_CLOSE, &SUPERVISOR,
                           "Refunds to a closed card bounce days later and nobody is alerted.");
    close.category = "billing_system";
    close.satisfaction = 4;
    close.lessons = "Check the card on file before refunding; alert the owner on bounced refunds.";
    step(d, close, "root cause, satisfaction 4/5, lessons");
}

/* ---- after the fact: reopen, verify, read the history ------------------- */

static void show_record(const demo *d)
{
    const esc_escalation *e = d->esc;
    printf("    id %s, version %lld, %s, tier %s, owner %s\n", esc_escalation_id(e),
           (long long)esc_escalation_version(e), esc_state_name(esc_escalation_state(e)),
           tier_name(d, esc_escalation_tier(e)), esc_escalation_owner_name(e));
    printf("    root cause [%s] %s\n    satisfaction %d/5; %zu notes, %zu exception(s)\n",
           esc_escalation_root_cause_category(e), esc_escalation_root_cause(e),
           esc_escalation_satisfaction(e), esc_escalation_item_count(e, ESC_ITEM_NOTE),
           esc_escalation_item_count(e, ESC_ITEM_EXCEPTION));
}

/* Replay every event and compare with the stored rows: they must agree. */
static void verify(const demo *d)
{
    esc_verify_report *report = NULL;
    check(d, esc_db_verify(&report, d->db), "esc_db_verify");
    size_t mismatches = esc_verify_report_mismatch_count(report);
    printf("    verify: %zu escalation(s), %zu events replayed, %zu mismatches\n",
           esc_verify_report_escalations(report), esc_verify_report_events(report), mismatches);
    esc_verify_report_free(report);
    if (mismatches != 0) {
        fprintf(stderr, "refund_demo: the stored rows differ from the replayed events\n");
        exit(EXIT_FAILURE);
    }
}

static void print_timeline(const demo *d)
{
    esc_event_list *events = NULL;
    check(d, esc_history(&events, d->db, esc_escalation_id(d->esc)), "esc_history");
    for (size_t i = 0; i < esc_event_list_count(events); i++) {
        const esc_event *ev = esc_event_list_get(events, i);
        int opened = esc_event_action(ev) == ESC_ACTION_OPEN;
        char when[32], actor[64];
        snprintf(actor, sizeof actor, "%s (%s)", esc_event_actor_name(ev),
                 tier_name(d, esc_event_actor_tier(ev)));
        printf("  %2lld %s  %-30s %-18s %s -> %s\n", (long long)esc_event_seq(ev),
               iso_time(esc_event_at(ev), when, sizeof when), actor,
               esc_action_name(esc_event_action(ev)),
               opened ? "(new)" : esc_state_name(esc_event_from_state(ev)),
               esc_state_name(esc_event_to_state(ev)));
    }
    esc_event_list_free(events);
}

/* A fresh handle on the closed file, as a reporting tool would open it. */
static void review(const char *path)
{
    demo d = { NULL, NULL, 0 };
    esc_db_options opts = ESC_DB_OPTIONS_INIT;
    opts.flags = ESC_OPEN_READONLY;
    check(&d, esc_db_open(&d.db, path, &opts), "reopening the database");
    section("Reopened read-only; fetched by external reference " CRM_REF);
    check(&d, esc_escalation_get_by_ref(&d.esc, d.db, CRM_REF), "esc_escalation_get_by_ref");
    show_record(&d);
    verify(&d);
    section("Timeline (esc_history)");
    print_timeline(&d);
    esc_escalation_free(d.esc);
    esc_db_close(d.db);
}

/* Start from nothing so that the demo can be run again and again. */
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
    const char *path = argc > 1 ? argv[1] : "refund-demo.db";
    if (esc_version_number() != ESC_VERSION_NUMBER) {
        fprintf(stderr, "refund_demo: built with libescalate %s headers, running with %s\n",
                ESC_VERSION_STRING, esc_version_string());
        return EXIT_FAILURE;
    }
    remove_database(path);

    demo d = { NULL, NULL, DEMO_START };
    esc_db_options opts = ESC_DB_OPTIONS_INIT;
    opts.flags = ESC_OPEN_CREATE;
    opts.clock = demo_clock;
    opts.clock_payload = &d.now;
    check(&d, esc_db_open(&d.db, path, &opts), "esc_db_open");
    printf("libescalate %s, database %s (schema %d)\n\n", esc_version_string(), path,
           esc_db_schema_version(d.db));

    open_escalation(&d);
    listen_and_clarify(&d);
    plan_and_own(&d);
    exception_and_handover(&d);
    supervisor_resolves(&d);

    esc_escalation_free(d.esc);
    esc_db_close(d.db);
    review(path);
    return EXIT_SUCCESS;
}
