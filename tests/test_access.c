/*
 * test_access.c — who may see and do what (access.h), tried through every
 * API path: a frontline agent's handle must not reach a confidential
 * escalation by get, reference, list, filters, the due list, history,
 * clocks, steps, impersonation, or the host's own operations; its owner,
 * opener, watchers and higher tiers may.
 */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static const char *const POLICY =
    "p1 resolution=1h; p2 resolution=1h; p3 resolution=1h; p4 resolution=1h; p5 resolution=1h";

typedef struct world {
    test_clock clock;
    char path[1024];
    esc_db *host;                 /* the host's own handle: sees everything */
    esc_escalation *secret;       /* confidential, opened by SUPERVISOR */
    esc_escalation *plain;        /* not confidential */
} world;

static esc_escalation *open_one(esc_db *db, const esc_person *actor, int confidential,
                                const char *ref)
{
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = *actor;
    p.summary = confidential ? "A board member's card was charged twice." : "My parcel is late.";
    p.customer_id = confidential ? "cust-board" : "cust-1";
    p.external_ref = ref;
    p.confidential = confidential;
    p.sla_policy = "std";
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_open(&esc, db, &p), ESC_OK);
    return esc;
}

static void world_open(world *w)
{
    w->clock.now = T0;
    snprintf(w->path, sizeof w->path, "%s", test_path("access"));
    w->host = test_open(w->path, &w->clock);
    ck_assert_status(w->host, esc_db_policy_put(NULL, w->host, "std", POLICY, NULL), ESC_OK);
    w->secret = open_one(w->host, &SUPERVISOR, 1, "T-SECRET");
    w->plain = open_one(w->host, &SUPERVISOR, 0, "T-PLAIN");
}

static void world_close(world *w)
{
    esc_escalation_free(w->secret);
    esc_escalation_free(w->plain);
    esc_db_close(w->host);
}

/* A second handle on the same file, acting for who. */
static esc_db *handle_for(world *w, const esc_person *who)
{
    esc_db *db = test_open(w->path, &w->clock);
    ck_assert_status(db, esc_db_set_viewer(db, who), ESC_OK);
    return db;
}

static size_t listed(esc_db *db, const esc_filter *filter)
{
    esc_escalation_list *list = NULL;
    ck_assert_status(db, esc_escalation_list_query(&list, db, filter), ESC_OK);
    size_t n = esc_escalation_list_count(list);
    esc_escalation_list_free(list);
    return n;
}

static size_t due(esc_db *db)
{
    esc_escalation_list *list = NULL;
    ck_assert_status(db, esc_escalation_list_due(&list, db, T0 + 10 * DAY, 0), ESC_OK);
    size_t n = esc_escalation_list_count(list);
    esc_escalation_list_free(list);
    return n;
}

/* Every read path answers for the secret escalation as a viewer who may
 * see it (visible 1) or may not (0). */
static void assert_reads(esc_db *db, const world *w, int visible)
{
    int expected = visible ? ESC_OK : ESC_EAUTHORITY;
    esc_escalation *got = NULL;
    ck_assert_status(db, esc_escalation_get(&got, db, esc_escalation_id(w->secret)), expected);
    esc_escalation_free(got);
    got = NULL;
    ck_assert_status(db, esc_escalation_get_by_ref(&got, db, "T-SECRET"), expected);
    ck_assert(visible || got == NULL);
    esc_escalation_free(got);
    esc_event_list *events = NULL;
    ck_assert_status(db, esc_history(&events, db, esc_escalation_id(w->secret)), expected);
    esc_event_list_free(events);
    esc_sla_clocks *clocks = NULL;
    ck_assert_status(db, esc_escalation_sla(&clocks, db, w->secret, T0 + HOUR), expected);
    esc_sla_clocks_free(clocks);

    ck_assert_uint_eq(listed(db, NULL), visible ? 2 : 1);
    esc_filter by_customer = ESC_FILTER_INIT;
    by_customer.customer_id = "cust-board";
    ck_assert_uint_eq(listed(db, &by_customer), visible ? 1 : 0);
    esc_filter by_state = ESC_FILTER_INIT;
    by_state.state = ESC_STATE_LISTEN;
    ck_assert_uint_eq(listed(db, &by_state), visible ? 2 : 1);
    ck_assert_uint_eq(due(db), visible ? 2 : 1);
    /* The plain one is always there. */
    ck_assert_status(db, esc_escalation_get(&got, db, esc_escalation_id(w->plain)), ESC_OK);
    esc_escalation_free(got);
}

START_TEST(test_frontline_cannot_reach_confidential)
{
    world w;
    world_open(&w);
    esc_db *agent = handle_for(&w, &AGENT);
    assert_reads(agent, &w, 0);

    /* A step on a snapshot the host handed over is refused too, and says why. */
    esc_action note = ESC_ACTION_INIT;
    note.kind = ESC_ACTION_NOTE;
    note.actor = AGENT;
    note.text = "Peeking.";
    ck_assert_status(agent, esc_apply(agent, w.secret, &note), ESC_EAUTHORITY);
    ck_assert_int_eq(esc_db_last_guard(agent), ESC_GUARD_CONFIDENTIAL);
    /* ...on the host's handle as well: the rule is about the actor. */
    ck_assert_status(w.host, esc_apply(w.host, w.secret, &note), ESC_EAUTHORITY);
    esc_guard guard = ESC_GUARD_NONE;
    ck_assert_int_eq(esc_action_allowed(&guard, w.host, w.secret, ESC_ACTION_NOTE, &AGENT),
                     ESC_EAUTHORITY);
    ck_assert_int_eq(guard, ESC_GUARD_CONFIDENTIAL);
    ck_assert_int_eq(test_history_length(w.host, esc_escalation_id(w.secret)), 1);
    /* "What may I do?" on a person's handle answers for that person only. */
    ck_assert_int_eq(esc_action_allowed(&guard, agent, w.secret, ESC_ACTION_NOTE, NULL),
                     ESC_EAUTHORITY);
    ck_assert_int_eq(guard, ESC_GUARD_CONFIDENTIAL);
    ck_assert_int_eq(esc_action_allowed(&guard, agent, w.plain, ESC_ACTION_NOTE, &LEADER),
                     ESC_EAUTHORITY);
    ck_assert_int_eq(guard, ESC_GUARD_AUTHORITY);
    ck_assert_int_eq(esc_action_allowed(&guard, agent, w.plain, ESC_ACTION_NOTE, NULL), ESC_OK);
    /* Asked by reference, a refusal does not tell what it is called. */
    esc_escalation *got = NULL;
    ck_assert_status(agent, esc_escalation_get_by_ref(&got, agent, "T-SECRET"), ESC_EAUTHORITY);
    ck_assert_ptr_null(strstr(esc_db_errmsg(agent), esc_escalation_id(w.secret)));
    esc_db_close(agent);
    world_close(&w);
}
END_TEST

START_TEST(test_no_impersonation_or_host_operations)
{
    world w;
    world_open(&w);
    esc_db *agent = handle_for(&w, &AGENT);
    /* Acting as someone else, even on a plain escalation. */
    esc_action note = ESC_ACTION_INIT;
    note.kind = ESC_ACTION_NOTE;
    note.actor = LEADER;
    note.text = "I am the leader now.";
    ck_assert_status(agent, esc_apply(agent, w.plain, &note), ESC_EAUTHORITY);
    note.actor = AGENT;
    note.actor.tier = 4;  /* the right id with a borrowed tier */
    ck_assert_status(agent, esc_apply(agent, w.secret, &note), ESC_EAUTHORITY);
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = SUPERVISOR;
    p.summary = "Opened in someone else's name.";
    p.customer_id = "cust-2";
    esc_escalation *esc = NULL;
    ck_assert_status(agent, esc_escalation_open(&esc, agent, &p), ESC_EAUTHORITY);
    ck_assert_ptr_null(esc);
    /* The host's own operations. */
    esc_verify_report *report = NULL;
    ck_assert_status(agent, esc_db_verify(&report, agent), ESC_EAUTHORITY);
    ck_assert_status(agent, esc_db_rebuild(NULL, agent), ESC_EAUTHORITY);
    ck_assert_status(agent, esc_sweep(NULL, agent, T0 + DAY), ESC_EAUTHORITY);
    esc_outbox_list *outbox = NULL;
    ck_assert_status(agent, esc_outbox_fetch(&outbox, agent, 0), ESC_EAUTHORITY);
    ck_assert_status(agent, esc_outbox_ack(agent, 1), ESC_EAUTHORITY);
    ck_assert_status(agent, esc_db_policy_put(NULL, agent, "std", "p1 resolution=1m", NULL),
                     ESC_EAUTHORITY);
    ck_assert_status(agent, esc_db_calendar_put(NULL, agent, "c", "tz=UTC; mon 09:00-17:00"),
                     ESC_EAUTHORITY);
    ck_assert_status(agent, esc_db_set_confidential_tier(agent, 1), ESC_EAUTHORITY);
    /* A viewer's handle never widens. */
    ck_assert_status(agent, esc_db_set_viewer(agent, NULL), ESC_EAUTHORITY);
    ck_assert_status(agent, esc_db_set_viewer(agent, &LEADER), ESC_EAUTHORITY);
    assert_reads(agent, &w, 0);
    /* Nothing was written by any of it. */
    ck_assert_int_eq(test_history_length(w.host, esc_escalation_id(w.plain)), 1);
    ck_assert_uint_eq(test_escalation_count(w.host), 2);
    /* Acting as themselves is fine. */
    note.actor = AGENT;
    ck_assert_status(agent, esc_apply(agent, w.plain, &note), ESC_OK);
    esc_db_close(agent);
    world_close(&w);
}
END_TEST

/* Owner, opener, watchers and higher tiers may see it. */
START_TEST(test_who_may_see)
{
    world w;
    world_open(&w);
    esc_db *supervisor = handle_for(&w, &SUPERVISOR);
    assert_reads(supervisor, &w, 1);
    esc_db_close(supervisor);
    esc_db *leader = handle_for(&w, &LEADER);
    assert_reads(leader, &w, 1);
    esc_db_close(leader);

    /* Looped in as a watcher, the agent sees it. */
    esc_action watch = ESC_ACTION_INIT;
    watch.kind = ESC_ACTION_LOOP_IN;
    watch.actor = SUPERVISOR;
    watch.person = AGENT;
    watch.category = "watcher";
    ck_assert_status(w.host, esc_apply(w.host, w.secret, &watch), ESC_OK);
    esc_db *agent = handle_for(&w, &AGENT);
    assert_reads(agent, &w, 1);
    esc_db_close(agent);

    /* With the confidential tier raised, a supervisor who neither opened,
     * owns nor watches it no longer sees it. */
    ck_assert_status(w.host, esc_db_set_confidential_tier(w.host, 3), ESC_OK);
    ck_assert_int_eq(esc_db_confidential_tier(w.host), 3);
    esc_person other_supervisor = { "sup-9", "Other Supervisor", 2 };
    esc_db *other = test_open(w.path, &w.clock);
    ck_assert_status(other, esc_db_set_confidential_tier(other, 3), ESC_OK);
    ck_assert_status(other, esc_db_set_viewer(other, &other_supervisor), ESC_OK);
    assert_reads(other, &w, 0);
    esc_db_close(other);
    world_close(&w);
}
END_TEST

/* Whoever opens a confidential escalation keeps seeing it. */
START_TEST(test_opener_sees_own)
{
    world w;
    world_open(&w);
    esc_db *agent = handle_for(&w, &AGENT);
    esc_escalation *own = open_one(agent, &AGENT, 1, "T-OWN");
    ck_assert_str_eq(esc_escalation_opened_by(own), AGENT.id);
    esc_escalation *got = NULL;
    ck_assert_status(agent, esc_escalation_get(&got, agent, esc_escalation_id(own)), ESC_OK);
    esc_escalation_free(got);
    ck_assert_int_eq(test_act(agent, own, ESC_ACTION_NOTE, &AGENT), ESC_OK);
    ck_assert_uint_eq(listed(agent, NULL), 2);  /* plain + own, not the secret */
    esc_escalation_free(own);
    esc_db_close(agent);
    world_close(&w);
}
END_TEST

START_TEST(test_access_bad_input)
{
    world w;
    world_open(&w);
    ck_assert_int_eq(esc_db_set_viewer(NULL, &AGENT), ESC_EINVAL);
    ck_assert_status(w.host, esc_db_set_viewer(w.host, NULL), ESC_OK);  /* nothing to do */
    esc_person bad = { NULL, "Nobody", 1 };
    ck_assert_status(w.host, esc_db_set_viewer(w.host, &bad), ESC_EINVAL);
    bad.id = "x";
    bad.name = NULL;
    ck_assert_status(w.host, esc_db_set_viewer(w.host, &bad), ESC_EINVAL);
    bad.name = "X";
    bad.tier = 0;
    ck_assert_status(w.host, esc_db_set_viewer(w.host, &bad), ESC_EINVAL);
    bad.tier = 99;
    ck_assert_status(w.host, esc_db_set_viewer(w.host, &bad), ESC_EINVAL);
    bad.tier = 1;
    bad.id = "\xff";
    ck_assert_status(w.host, esc_db_set_viewer(w.host, &bad), ESC_EINVAL);
    ck_assert_int_eq(esc_db_set_confidential_tier(NULL, 2), ESC_EINVAL);
    ck_assert_status(w.host, esc_db_set_confidential_tier(w.host, 0), ESC_EINVAL);
    ck_assert_status(w.host, esc_db_set_confidential_tier(w.host, ESC_TIER_MAX + 1), ESC_EINVAL);
    ck_assert_int_eq(esc_db_confidential_tier(w.host), ESC_CONFIDENTIAL_TIER_DEFAULT);
    ck_assert_int_eq(esc_db_confidential_tier(NULL), 0);
    ck_assert_str_eq(esc_escalation_opened_by(NULL), "");
    ck_assert_str_eq(esc_escalation_chain_head(NULL), "");
    ck_assert_str_eq(esc_escalation_opened_by(w.secret), SUPERVISOR.id);
    ck_assert_uint_eq(strlen(esc_escalation_chain_head(w.secret)), 64);
    /* Still the host's handle after all that. */
    assert_reads(w.host, &w, 1);
    world_close(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("access");
    TCase *tc = tcase_create("confidential");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_frontline_cannot_reach_confidential);
    tcase_add_test(tc, test_no_impersonation_or_host_operations);
    tcase_add_test(tc, test_who_may_see);
    tcase_add_test(tc, test_opener_sees_own);
    tcase_add_test(tc, test_access_bad_input);
    suite_add_tcase(s, tc);
    return test_run(s);
}
