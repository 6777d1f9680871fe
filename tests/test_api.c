/*
 * test_api.c — the small parts of the public API every host touches first:
 * status names and descriptions, the run-time version, the *_init functions
 * against their _INIT macros, the enumeration names and their parsers, the
 * injected clock, deep copies of snapshots, the per-handle last error, a
 * handle left behind by a failed open, and ":memory:" databases.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "escalate.h"
#include "testutil.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- status codes ---------------------------------------------------------- */

/* The name of every code, as the header spells it: a host may print these
 * and match on them, so they are part of the API. */
static const struct {
    int code;
    const char *name;
} status_names[] = {
    { ESC_OK, "ESC_OK" },
    { ESC_EINVAL, "ESC_EINVAL" },
    { ESC_ENOTFOUND, "ESC_ENOTFOUND" },
    { ESC_ETRANSITION, "ESC_ETRANSITION" },
    { ESC_EGUARD, "ESC_EGUARD" },
    { ESC_ECONFLICT, "ESC_ECONFLICT" },
    { ESC_EBUSY, "ESC_EBUSY" },
    { ESC_ECORRUPT, "ESC_ECORRUPT" },
    { ESC_ENOTADB, "ESC_ENOTADB" },
    { ESC_ESCHEMA, "ESC_ESCHEMA" },
    { ESC_EIO, "ESC_EIO" },
    { ESC_EREADONLY, "ESC_EREADONLY" },
    { ESC_ENOMEM, "ESC_ENOMEM" },
    { ESC_EFULL, "ESC_EFULL" },
    { ESC_EAUTHORITY, "ESC_EAUTHORITY" },
    { ESC_EEXISTS, "ESC_EEXISTS" },
    { ESC_EINTERNAL, "ESC_EINTERNAL" },
    { ESC_ECALLBACK, "ESC_ECALLBACK" },
};

START_TEST(test_status_names_every_code)
{
    /* The table covers the whole documented range, each code once. */
    ck_assert_int_eq((int)COUNT_OF(status_names), -ESC_STATUS_MIN + 1);
    for (int code = ESC_OK; code >= ESC_STATUS_MIN; code--) {
        const char *expected = NULL;
        for (size_t i = 0; i < COUNT_OF(status_names); i++)
            if (status_names[i].code == code)
                expected = status_names[i].name;
        ck_assert_msg(expected != NULL, "code %d missing from the test table", code);
        ck_assert_str_eq(esc_status_name(code), expected);
        const char *text = esc_status_string(code);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(text[0] != '\0', "%s has an empty description", expected);
        ck_assert_msg(strcmp(text, esc_status_string(1)) != 0,
                      "%s is described like an unknown code", expected);
    }
}
END_TEST

START_TEST(test_status_names_distinct)
{
    for (int a = ESC_OK; a >= ESC_STATUS_MIN; a--) {
        for (int b = a - 1; b >= ESC_STATUS_MIN; b--) {
            ck_assert_msg(strcmp(esc_status_name(a), esc_status_name(b)) != 0,
                          "codes %d and %d share the name %s", a, b, esc_status_name(a));
            ck_assert_msg(strcmp(esc_status_string(a), esc_status_string(b)) != 0,
                          "codes %d and %d share the description \"%s\"", a, b,
                          esc_status_string(a));
        }
    }
}
END_TEST

START_TEST(test_status_unknown)
{
    static const int unknown[] = { 1, 2, 100, -100, ESC_STATUS_MIN - 1, -1000000, INT32_MAX,
                                   INT32_MIN };
    for (size_t i = 0; i < COUNT_OF(unknown); i++) {
        ck_assert_str_eq(esc_status_name(unknown[i]), "ESC_UNKNOWN");
        const char *text = esc_status_string(unknown[i]);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(text[0] != '\0', "no description for unknown code %d", unknown[i]);
    }
}
END_TEST

/* ---- version ---------------------------------------------------------------- */

START_TEST(test_version)
{
    char expected[32];

    ck_assert_int_eq(esc_version_number(), ESC_VERSION_NUMBER);
    ck_assert_int_eq(ESC_VERSION_NUMBER,
                     ESC_VERSION_MAJOR * 10000 + ESC_VERSION_MINOR * 100 + ESC_VERSION_PATCH);
    ck_assert_ptr_nonnull(esc_version_string());
    ck_assert_str_eq(esc_version_string(), ESC_VERSION_STRING);
    snprintf(expected, sizeof expected, "%d.%d.%d", ESC_VERSION_MAJOR, ESC_VERSION_MINOR,
             ESC_VERSION_PATCH);
    ck_assert_str_eq(ESC_VERSION_STRING, expected);
}
END_TEST

/* ---- *_init against *_INIT ------------------------------------------------------
 * Every struct is first filled with garbage, so a field the function forgets
 * to set shows up as a difference. */

static void assert_person_eq(const esc_person *a, const esc_person *b)
{
    ck_assert_ptr_eq(a->id, b->id);
    ck_assert_ptr_eq(a->name, b->name);
    ck_assert_int_eq(a->tier, b->tier);
}

START_TEST(test_init_db_options)
{
    esc_db_options expected = ESC_DB_OPTIONS_INIT, got;

    memset(&got, 0x5A, sizeof got);
    ck_assert_int_eq(esc_db_options_init(&got, ESC_DB_OPTIONS_VERSION), ESC_OK);
    ck_assert_uint_eq(got.version, expected.version);
    ck_assert_uint_eq(got.version, ESC_DB_OPTIONS_VERSION);
    ck_assert_uint_eq(got.flags, expected.flags);
    ck_assert_int_eq(got.busy_timeout_ms, expected.busy_timeout_ms);
    ck_assert_int_eq(got.busy_timeout_ms, 5000);
    ck_assert_uint_eq(got.file_mode, expected.file_mode);
    ck_assert(got.clock == expected.clock);
    ck_assert_ptr_eq(got.clock_payload, expected.clock_payload);
    ck_assert_int_eq(got.follow_up_attempts, expected.follow_up_attempts);
}
END_TEST

START_TEST(test_init_open_params)
{
    esc_open_params expected = ESC_OPEN_PARAMS_INIT, got;

    memset(&got, 0x5A, sizeof got);
    ck_assert_int_eq(esc_open_params_init(&got, ESC_OPEN_PARAMS_VERSION), ESC_OK);
    ck_assert_uint_eq(got.version, expected.version);
    ck_assert_uint_eq(got.version, ESC_OPEN_PARAMS_VERSION);
    assert_person_eq(&got.actor, &expected.actor);
    ck_assert_ptr_eq(got.summary, expected.summary);
    ck_assert_ptr_eq(got.customer_id, expected.customer_id);
    ck_assert_ptr_eq(got.customer_name, expected.customer_name);
    ck_assert_ptr_eq(got.external_ref, expected.external_ref);
    ck_assert_int_eq(got.channel, expected.channel);
    ck_assert_int_eq(got.impact, expected.impact);
    ck_assert_int_eq(got.urgency, expected.urgency);
    ck_assert_int_eq(got.vip, expected.vip);
    ck_assert_int_eq(got.churn_risk, expected.churn_risk);
    ck_assert_int_eq(got.confidential, expected.confidential);
}
END_TEST

static void assert_action_eq(const esc_action *got, const esc_action *expected)
{
    ck_assert_uint_eq(got->version, expected->version);
    ck_assert_int_eq(got->kind, expected->kind);
    assert_person_eq(&got->actor, &expected->actor);
    ck_assert_ptr_eq(got->text, expected->text);
    ck_assert_ptr_eq(got->category, expected->category);
    assert_person_eq(&got->person, &expected->person);
    ck_assert_int_eq(got->at, expected->at);
    ck_assert_int_eq(got->item, expected->item);
    ck_assert_int_eq(got->yes, expected->yes);
    ck_assert_int_eq(got->tier, expected->tier);
    ck_assert_int_eq(got->customer_account, expected->customer_account);
    ck_assert_int_eq(got->hold, expected->hold);
    ck_assert_int_eq(got->impact, expected->impact);
    ck_assert_int_eq(got->urgency, expected->urgency);
    ck_assert_int_eq(got->vip, expected->vip);
    ck_assert_int_eq(got->churn_risk, expected->churn_risk);
    ck_assert_int_eq(got->satisfaction, expected->satisfaction);
    ck_assert_ptr_eq(got->lessons, expected->lessons);
    ck_assert_ptr_eq(got->brief_went_wrong, expected->brief_went_wrong);
    ck_assert_ptr_eq(got->brief_tried, expected->brief_tried);
    ck_assert_ptr_eq(got->brief_response, expected->brief_response);
}

/* esc_action_init() is the macro with the kind filled in, for every kind. */
START_TEST(test_init_action)
{
    for (int kind = 0; kind < ESC_ACTION_COUNT; kind++) {
        esc_action expected = ESC_ACTION_INIT, got;
        expected.kind = (esc_action_kind)kind;
        memset(&got, 0x5A, sizeof got);
        ck_assert_int_eq(esc_action_init(&got, ESC_ACTION_VERSION, (esc_action_kind)kind), ESC_OK);
        assert_action_eq(&got, &expected);
    }
}
END_TEST

START_TEST(test_init_filter)
{
    esc_filter expected = ESC_FILTER_INIT, got;

    memset(&got, 0x5A, sizeof got);
    ck_assert_int_eq(esc_filter_init(&got, ESC_FILTER_VERSION), ESC_OK);
    ck_assert_uint_eq(got.version, expected.version);
    ck_assert_uint_eq(got.version, ESC_FILTER_VERSION);
    ck_assert_int_eq(got.state, expected.state);
    ck_assert_ptr_eq(got.owner_id, expected.owner_id);
    ck_assert_int_eq(got.tier, expected.tier);
    ck_assert_int_eq(got.priority, expected.priority);
    ck_assert_ptr_eq(got.tag, expected.tag);
    ck_assert_ptr_eq(got.customer_id, expected.customer_id);
    ck_assert_int_eq(got.open, expected.open);
    ck_assert_int_eq(got.order, expected.order);
    ck_assert_uint_eq(got.limit, expected.limit);
    ck_assert_uint_eq(got.offset, expected.offset);
}
END_TEST

/* ---- enumeration names -------------------------------------------------------- */

/* Names the headers promise in their comments. */
START_TEST(test_names_documented_examples)
{
    ck_assert_str_eq(esc_state_name(ESC_STATE_LISTEN), "listen");
    ck_assert_str_eq(esc_state_name(ESC_STATE_FOLLOW_UP), "follow_up");
    ck_assert_str_eq(esc_state_name(ESC_STATE_CLOSED), "closed");
    ck_assert_str_eq(esc_channel_name(ESC_CHANNEL_EMAIL), "email");
    ck_assert_str_eq(esc_action_name(ESC_ACTION_TAKE_OWNERSHIP), "take_ownership");
    ck_assert_str_eq(esc_guard_name(ESC_GUARD_CUSTOMER_NOTE), "customer_note");
}
END_TEST

START_TEST(test_state_names_round_trip)
{
    for (int s = 0; s < ESC_STATE_COUNT; s++) {
        const char *name = esc_state_name((esc_state)s);
        ck_assert_msg(name != NULL && name[0] != '\0', "state %d has no name", s);
        esc_state parsed = (esc_state)-1;
        ck_assert_int_eq(esc_state_from_name(&parsed, name), ESC_OK);
        ck_assert_int_eq(parsed, s);
        for (int t = 0; t < s; t++)
            ck_assert_str_ne(name, esc_state_name((esc_state)t));
    }
    ck_assert_ptr_null(esc_state_name((esc_state)-1));
    ck_assert_ptr_null(esc_state_name((esc_state)ESC_STATE_COUNT));
}
END_TEST

START_TEST(test_action_names_round_trip)
{
    for (int k = 0; k < ESC_ACTION_COUNT; k++) {
        const char *name = esc_action_name((esc_action_kind)k);
        ck_assert_msg(name != NULL && name[0] != '\0', "action %d has no name", k);
        esc_action_kind parsed = (esc_action_kind)-1;
        ck_assert_int_eq(esc_action_from_name(&parsed, name), ESC_OK);
        ck_assert_int_eq(parsed, k);
        for (int j = 0; j < k; j++)
            ck_assert_str_ne(name, esc_action_name((esc_action_kind)j));
    }
    ck_assert_ptr_null(esc_action_name((esc_action_kind)-1));
    ck_assert_ptr_null(esc_action_name((esc_action_kind)ESC_ACTION_COUNT));
}
END_TEST

START_TEST(test_guard_names)
{
    for (int g = 0; g < ESC_GUARD_COUNT; g++) {
        const char *name = esc_guard_name((esc_guard)g);
        const char *description = esc_guard_description((esc_guard)g);
        ck_assert_msg(name != NULL && name[0] != '\0', "guard %d has no name", g);
        ck_assert_msg(description != NULL && description[0] != '\0',
                      "guard %s has no description", name);
        for (int h = 0; h < g; h++) {
            ck_assert_str_ne(name, esc_guard_name((esc_guard)h));
            ck_assert_str_ne(description, esc_guard_description((esc_guard)h));
        }
    }
    ck_assert_ptr_null(esc_guard_name((esc_guard)-1));
    ck_assert_ptr_null(esc_guard_name((esc_guard)ESC_GUARD_COUNT));
    ck_assert_ptr_null(esc_guard_description((esc_guard)-1));
    ck_assert_ptr_null(esc_guard_description((esc_guard)ESC_GUARD_COUNT));
}
END_TEST

/* The other enumerations share one shape: a name per value, distinct,
 * NULL just outside the range. */
typedef const char *(*name_fn)(int value);

static const char *channel_name(int v) { return esc_channel_name((esc_channel)v); }
static const char *hold_name(int v) { return esc_hold_name((esc_hold)v); }
static const char *item_kind_name(int v) { return esc_item_kind_name((esc_item_kind)v); }

START_TEST(test_other_enum_names)
{
    static const struct {
        const char *what;
        name_fn fn;
        int count;
    } enums[] = {
        { "channel", channel_name, ESC_CHANNEL_COUNT },
        { "hold", hold_name, ESC_HOLD_COUNT },
        { "item kind", item_kind_name, ESC_ITEM_KIND_COUNT },
    };
    for (size_t e = 0; e < COUNT_OF(enums); e++) {
        for (int v = 0; v < enums[e].count; v++) {
            const char *name = enums[e].fn(v);
            ck_assert_msg(name != NULL && name[0] != '\0', "%s %d has no name", enums[e].what, v);
            for (int w = 0; w < v; w++)
                ck_assert_str_ne(name, enums[e].fn(w));
        }
        ck_assert_msg(enums[e].fn(-1) == NULL, "%s -1 has a name", enums[e].what);
        ck_assert_msg(enums[e].fn(enums[e].count) == NULL, "%s %d has a name", enums[e].what,
                      enums[e].count);
    }
}
END_TEST

START_TEST(test_from_name_rejects)
{
    static const char *const bad[] = { "", "LISTEN", " listen", "listen ", "lis", "nope",
                                       "TAKE_OWNERSHIP", "take-ownership" };
    for (size_t i = 0; i < COUNT_OF(bad); i++) {
        esc_state state = ESC_STATE_PLAN;
        esc_action_kind kind = ESC_ACTION_TAG;
        ck_assert_int_eq(esc_state_from_name(&state, bad[i]), ESC_EINVAL);
        ck_assert_int_eq(state, ESC_STATE_PLAN);
        ck_assert_int_eq(esc_action_from_name(&kind, bad[i]), ESC_EINVAL);
        ck_assert_int_eq(kind, ESC_ACTION_TAG);
    }
}
END_TEST

/* ---- the injected clock --------------------------------------------------------- */

START_TEST(test_db_now_uses_clock)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);

    ck_assert_int_eq(esc_db_now(db), T0);
    clock.now = T0 + 3 * DAY + 17;
    ck_assert_int_eq(esc_db_now(db), T0 + 3 * DAY + 17);

    /* What the library stamps comes from the same clock. */
    esc_escalation *esc = test_new_escalation(db);
    ck_assert_int_eq(esc_escalation_created_at(esc), T0 + 3 * DAY + 17);
    ck_assert_int_eq(esc_escalation_updated_at(esc), T0 + 3 * DAY + 17);
    clock.now += HOUR;
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_NOTE, &AGENT), ESC_OK);
    ck_assert_int_eq(esc_escalation_created_at(esc), T0 + 3 * DAY + 17);
    ck_assert_int_eq(esc_escalation_updated_at(esc), T0 + 3 * DAY + 17 + HOUR);
    ck_assert_int_eq(esc_item_created_at(esc_escalation_item(esc, ESC_ITEM_NOTE, 0)),
                     T0 + 3 * DAY + 17 + HOUR);

    esc_event_list *history = NULL;
    ck_assert_status(db, esc_history(&history, db, esc_escalation_id(esc)), ESC_OK);
    ck_assert_uint_eq(esc_event_list_count(history), 2);
    ck_assert_int_eq(esc_event_at(esc_event_list_get(history, 0)), T0 + 3 * DAY + 17);
    ck_assert_int_eq(esc_event_at(esc_event_list_get(history, 1)), T0 + 3 * DAY + 17 + HOUR);
    esc_event_list_free(history);

    /* A clock far in the past is still this handle's "now". */
    clock.now = 12345;
    ck_assert_int_eq(esc_db_now(db), 12345);

    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* Each handle reads its own clock. */
START_TEST(test_db_now_per_handle)
{
    test_clock a = { T0 }, b = { T0 + DAY };
    esc_db *da = test_open_fresh(&a), *dbb = test_open_fresh(&b);

    ck_assert_int_eq(esc_db_now(da), T0);
    ck_assert_int_eq(esc_db_now(dbb), T0 + DAY);
    a.now += MINUTE;
    ck_assert_int_eq(esc_db_now(da), T0 + MINUTE);
    ck_assert_int_eq(esc_db_now(dbb), T0 + DAY);
    esc_db_close(da);
    esc_db_close(dbb);
}
END_TEST

/* ---- esc_escalation_dup ---------------------------------------------------------- */

START_TEST(test_dup_deep_copy)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);

    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_NOTE, &AGENT), ESC_OK);
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_TAG, &AGENT), ESC_OK);

    esc_escalation *copy = NULL;
    ck_assert_int_eq(esc_escalation_dup(&copy, esc), ESC_OK);
    ck_assert_ptr_nonnull(copy);
    ck_assert_ptr_ne(copy, esc);

    /* Same values ... */
    ck_assert_str_eq(esc_escalation_id(copy), esc_escalation_id(esc));
    ck_assert_int_eq(esc_escalation_version(copy), 3);
    ck_assert_int_eq(esc_escalation_state(copy), ESC_STATE_LISTEN);
    ck_assert_str_eq(esc_escalation_summary(copy), esc_escalation_summary(esc));
    ck_assert_str_eq(esc_escalation_customer_name(copy), "Dana Customer");
    ck_assert_uint_eq(esc_escalation_item_count(copy, ESC_ITEM_NOTE), 1);
    ck_assert_uint_eq(esc_escalation_item_count(copy, ESC_ITEM_TAG), 1);
    ck_assert_str_eq(esc_item_text(esc_escalation_item(copy, ESC_ITEM_TAG, 0)), "billing");
    /* ... in storage of its own. */
    ck_assert_ptr_ne(esc_escalation_summary(copy), esc_escalation_summary(esc));
    ck_assert_ptr_ne(esc_escalation_item(copy, ESC_ITEM_NOTE, 0),
                     esc_escalation_item(esc, ESC_ITEM_NOTE, 0));
    ck_assert_ptr_ne(esc_item_text(esc_escalation_item(copy, ESC_ITEM_NOTE, 0)),
                     esc_item_text(esc_escalation_item(esc, ESC_ITEM_NOTE, 0)));

    /* Changing the original leaves the copy at its version. */
    clock.now += MINUTE;
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_ADVANCE, &AGENT), ESC_OK);
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_NOTE, &AGENT), ESC_OK);
    ck_assert_int_eq(esc_escalation_version(esc), 5);
    ck_assert_int_eq(esc_escalation_version(copy), 3);
    ck_assert_int_eq(esc_escalation_state(copy), ESC_STATE_LISTEN);
    ck_assert_uint_eq(esc_escalation_item_count(copy, ESC_ITEM_NOTE), 1);
    ck_assert_int_eq(esc_escalation_updated_at(copy), T0);

    /* The copy outlives the original (valgrind/ASan catch shared storage). */
    esc_escalation_free(esc);
    ck_assert_str_eq(esc_escalation_summary(copy),
                     "I was charged twice for my March invoice and the refund never came.");
    ck_assert_str_eq(esc_item_text(esc_escalation_item(copy, ESC_ITEM_NOTE, 0)), "Some words");

    /* A copy of a copy, and a stale copy is refused as stale. */
    esc_escalation *copy2 = NULL;
    ck_assert_int_eq(esc_escalation_dup(&copy2, copy), ESC_OK);
    ck_assert_int_eq(esc_escalation_version(copy2), 3);
    ck_assert_status(db, test_act(db, copy2, ESC_ACTION_NOTE, &AGENT), ESC_ECONFLICT);
    ck_assert_int_eq(esc_escalation_version(copy2), 3);

    esc_escalation_free(copy2);
    esc_escalation_free(copy);
    esc_db_close(db);
}
END_TEST

/* ---- last error -------------------------------------------------------------------- */

/* A failing call and a successful one on the same handle: after the failure
 * errcode/errmsg describe it, after the success they are reset. */
typedef struct err_ctx {
    esc_db *db;
    esc_escalation *esc;
} err_ctx;

typedef int (*err_op)(err_ctx *ctx);

static int fail_get_unknown(err_ctx *c)
{
    esc_escalation *e = NULL;
    return esc_escalation_get(&e, c->db, "00000000-0000-4000-8000-000000000000");
}

static int fail_history_empty(err_ctx *c)
{
    esc_event_list *l = NULL;
    return esc_history(&l, c->db, "");
}

static int fail_guard(err_ctx *c)
{
    /* Resuming what is not on hold: the on_hold guard. */
    return test_act(c->db, c->esc, ESC_ACTION_RESUME, &AGENT);
}

static int fail_transition(err_ctx *c)
{
    return test_act(c->db, c->esc, ESC_ACTION_CLOSE, &AGENT);
}

static int fail_filter(err_ctx *c)
{
    esc_filter f = ESC_FILTER_INIT;
    esc_escalation_list *l = NULL;
    f.limit = ESC_LIST_LIMIT_MAX + 1;
    return esc_escalation_list_query(&l, c->db, &f);
}

static int fail_bad_open(err_ctx *c)
{
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.customer_id = "c";
    return esc_escalation_open(NULL, c->db, &p);   /* no summary */
}

static int ok_get(err_ctx *c)
{
    esc_escalation *e = NULL;
    int rc = esc_escalation_get(&e, c->db, esc_escalation_id(c->esc));
    esc_escalation_free(e);
    return rc;
}

static int ok_list(err_ctx *c)
{
    esc_escalation_list *l = NULL;
    int rc = esc_escalation_list_query(&l, c->db, NULL);
    esc_escalation_list_free(l);
    return rc;
}

static int ok_history(err_ctx *c)
{
    esc_event_list *l = NULL;
    int rc = esc_history(&l, c->db, esc_escalation_id(c->esc));
    esc_event_list_free(l);
    return rc;
}

static int ok_apply(err_ctx *c)
{
    return test_act(c->db, c->esc, ESC_ACTION_TAG, &AGENT);
}

static int ok_open(err_ctx *c)
{
    esc_escalation *e = test_new_escalation(c->db);
    esc_escalation_free(e);
    return ESC_OK;
}

static int ok_verify(err_ctx *c)
{
    esc_verify_report *r = NULL;
    int rc = esc_db_verify(&r, c->db);
    esc_verify_report_free(r);
    return rc;
}

START_TEST(test_errcode_set_and_reset)
{
    static const struct {
        const char *label;
        err_op provoke;
        int code;
        esc_guard guard;
    } failures[] = {
        { "get unknown id", fail_get_unknown, ESC_ENOTFOUND, ESC_GUARD_NONE },
        { "history of empty id", fail_history_empty, ESC_EINVAL, ESC_GUARD_NONE },
        { "resume when not on hold", fail_guard, ESC_EGUARD, ESC_GUARD_ON_HOLD },
        { "close in listen", fail_transition, ESC_ETRANSITION, ESC_GUARD_STATE },
        { "list over the limit", fail_filter, ESC_EINVAL, ESC_GUARD_NONE },
        { "open without summary", fail_bad_open, ESC_EINVAL, ESC_GUARD_NONE },
    };
    static const struct {
        const char *label;
        err_op ok;
    } successes[] = {
        { "get", ok_get }, { "list", ok_list }, { "history", ok_history },
        { "apply", ok_apply }, { "open", ok_open }, { "verify", ok_verify },
    };
    test_clock clock = { T0 };
    err_ctx ctx = { test_open_fresh(&clock), NULL };
    ctx.esc = test_new_escalation(ctx.db);

    for (size_t f = 0; f < COUNT_OF(failures); f++) {
        for (size_t s = 0; s < COUNT_OF(successes); s++) {
            int rc = failures[f].provoke(&ctx);
            ck_assert_msg(rc == failures[f].code, "%s: %s, expected %s", failures[f].label,
                          esc_status_name(rc), esc_status_name(failures[f].code));
            ck_assert_int_eq(esc_db_errcode(ctx.db), failures[f].code);
            ck_assert_msg(esc_db_errmsg(ctx.db)[0] != '\0', "%s: empty message", failures[f].label);
            ck_assert_int_eq(esc_db_last_guard(ctx.db), failures[f].guard);

            rc = successes[s].ok(&ctx);
            ck_assert_msg(rc == ESC_OK, "%s after %s: %s (%s)", successes[s].label,
                          failures[f].label, esc_status_name(rc), esc_db_errmsg(ctx.db));
            ck_assert_msg(esc_db_errcode(ctx.db) == ESC_OK, "%s after %s left errcode %s",
                          successes[s].label, failures[f].label,
                          esc_status_name(esc_db_errcode(ctx.db)));
            ck_assert_msg(esc_db_errmsg(ctx.db)[0] == '\0', "%s after %s left message \"%s\"",
                          successes[s].label, failures[f].label, esc_db_errmsg(ctx.db));
            ck_assert_int_eq(esc_db_last_guard(ctx.db), ESC_GUARD_NONE);
        }
    }
    esc_escalation_free(ctx.esc);
    esc_db_close(ctx.db);
}
END_TEST

/* A fresh handle has nothing to report. */
START_TEST(test_errcode_fresh_handle)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    ck_assert_int_eq(esc_db_errcode(db), ESC_OK);
    ck_assert_str_eq(esc_db_errmsg(db), "");
    ck_assert_int_eq(esc_db_last_guard(db), ESC_GUARD_NONE);
    esc_db_close(db);
}
END_TEST

/* ---- failed opens ---------------------------------------------------------------------- */

static void write_file(const char *path, const char *content)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    /* Several pages' worth, so SQLite reads a whole (bogus) header. */
    for (int i = 0; i < 200; i++)
        fputs(content, f);
    fclose(f);
}

/* An SQLite file that belongs to some other program. */
static void write_foreign_sqlite(const char *path)
{
    sqlite3 *s = NULL;
    ck_assert_int_eq(sqlite3_open(path, &s), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(s, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT);"
                                     "INSERT INTO photos (name) VALUES ('cat.jpg');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(s);
}

typedef enum prepare { PREP_NOTHING, PREP_GARBAGE, PREP_FOREIGN, PREP_DIRECTORY } prepare;

START_TEST(test_open_failure_leaves_handle)
{
    static const struct {
        const char *label;
        prepare prep;
        unsigned int flags;
        const char *subdir;     /* a path below a missing directory */
        int code;
        const char *mention;    /* the message names this */
    } cases[] = {
        { "missing file, no create flag", PREP_NOTHING, ESC_OPEN_READWRITE, NULL, ESC_ENOTFOUND,
          "ESC_OPEN_CREATE" },
        { "missing file, read-only", PREP_NOTHING, ESC_OPEN_READONLY, NULL, ESC_ENOTFOUND,
          "no database" },
        { "not a database", PREP_GARBAGE, ESC_OPEN_READWRITE, NULL, ESC_ENOTADB, "not a database" },
        { "not a database, create", PREP_GARBAGE, ESC_OPEN_CREATE, NULL, ESC_ENOTADB, "database" },
        { "another program's SQLite file", PREP_FOREIGN, ESC_OPEN_READWRITE, NULL, ESC_ENOTADB,
          "another application" },
        { "create below a missing directory", PREP_NOTHING, ESC_OPEN_CREATE, "no/such/dir", ESC_EIO,
          "cannot create" },
        { "create and read-only together", PREP_NOTHING, ESC_OPEN_CREATE | ESC_OPEN_READONLY, NULL,
          ESC_EINVAL, "ESC_OPEN_READONLY" },
    };
    for (size_t i = 0; i < COUNT_OF(cases); i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s", test_path("badopen"));
        if (cases[i].subdir) {
            char *slash = strrchr(path, '/');
            char name[256];
            snprintf(name, sizeof name, "%s", slash + 1);
            snprintf(slash + 1, sizeof path - (size_t)(slash + 1 - path), "%s/%s", cases[i].subdir,
                     name);
        }
        if (cases[i].prep == PREP_GARBAGE)
            write_file(path, "this is plain text and certainly not an SQLite database\n");
        else if (cases[i].prep == PREP_FOREIGN)
            write_foreign_sqlite(path);

        esc_db_options opts = ESC_DB_OPTIONS_INIT;
        opts.flags = cases[i].flags;
        esc_db *db = NULL;
        int rc = esc_db_open(&db, path, &opts);
        ck_assert_msg(rc == cases[i].code, "%s: %s (%s), expected %s", cases[i].label,
                      esc_status_name(rc), esc_db_errmsg(db), esc_status_name(cases[i].code));
        ck_assert_msg(db != NULL, "%s: no handle to read the reason from", cases[i].label);
        ck_assert_int_eq(esc_db_errcode(db), cases[i].code);
        const char *msg = esc_db_errmsg(db);
        ck_assert_msg(strstr(msg, cases[i].mention) != NULL, "%s: message \"%s\" lacks \"%s\"",
                      cases[i].label, msg, cases[i].mention);

        /* The handle is dead but safe: every call refuses, nothing crashes. */
        esc_escalation *esc = NULL;
        esc_open_params p = ESC_OPEN_PARAMS_INIT;
        p.actor = AGENT;
        p.summary = "s";
        p.customer_id = "c";
        ck_assert_int_eq(esc_escalation_open(&esc, db, &p), ESC_EINVAL);
        ck_assert_ptr_null(esc);
        ck_assert_msg(esc_db_errmsg(db)[0] != '\0', "%s: no message for the dead handle",
                      cases[i].label);
        esc_escalation_list *list = NULL;
        ck_assert_int_eq(esc_escalation_list_query(&list, db, NULL), ESC_EINVAL);
        ck_assert_ptr_null(list);
        ck_assert_int_eq(esc_db_batch_begin(db), ESC_EINVAL);
        ck_assert_int_eq(esc_db_schema_version(db), 0);
        esc_db_close(db);

        /* A foreign or garbage file is left as it was; a missing one stays missing. */
        if (cases[i].prep == PREP_NOTHING)
            ck_assert_msg(access(path, F_OK) != 0, "%s: a file was created", cases[i].label);
        if (cases[i].prep == PREP_FOREIGN) {
            sqlite3 *s = NULL;
            sqlite3_stmt *st = NULL;
            ck_assert_int_eq(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
            ck_assert_int_eq(
                sqlite3_prepare_v2(s, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL),
                SQLITE_OK);
            ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
            ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
            sqlite3_finalize(st);
            sqlite3_close(s);
        }
        unlink(path);
    }
}
END_TEST

/* ---- :memory: ------------------------------------------------------------------------ */

START_TEST(test_memory_database)
{
    test_clock clock = { T0 };
    esc_db_options opts = ESC_DB_OPTIONS_INIT;
    opts.clock = test_clock_read;
    opts.clock_payload = &clock;
    /* No ESC_OPEN_CREATE needed: a private in-memory store always starts empty. */
    esc_db *a = NULL, *b = NULL;
    ck_assert_status(a, esc_db_open(&a, ":memory:", &opts), ESC_OK);
    opts.flags = ESC_OPEN_CREATE;
    ck_assert_status(b, esc_db_open(&b, ":memory:", &opts), ESC_OK);
    ck_assert_int_gt(esc_db_schema_version(a), 0);
    ck_assert_int_eq(esc_db_schema_version(a), esc_db_schema_version(b));

    esc_escalation *esc = test_new_escalation(a);
    test_drive_to(a, esc, ESC_STATE_OWN);
    ck_assert_int_eq(esc_escalation_state(esc), ESC_STATE_OWN);

    esc_escalation *again = NULL;
    ck_assert_status(a, esc_escalation_get(&again, a, esc_escalation_id(esc)), ESC_OK);
    ck_assert_int_eq(esc_escalation_version(again), esc_escalation_version(esc));
    ck_assert_int_eq(esc_escalation_state(again), ESC_STATE_OWN);
    esc_escalation_free(again);

    /* Two in-memory stores are two databases. */
    esc_escalation_list *list = NULL;
    ck_assert_status(a, esc_escalation_list_query(&list, a, NULL), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(list), 1);
    esc_escalation_list_free(list);
    ck_assert_status(b, esc_escalation_list_query(&list, b, NULL), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(list), 0);
    esc_escalation_list_free(list);
    ck_assert_status(b, esc_escalation_get(&again, b, esc_escalation_id(esc)), ESC_ENOTFOUND);

    /* Batches and verification work there too. */
    ck_assert_status(a, esc_db_batch_begin(a), ESC_OK);
    ck_assert_int_eq(test_act(a, esc, ESC_ACTION_TAG, &AGENT), ESC_OK);
    ck_assert_status(a, esc_db_batch_commit(a), ESC_OK);
    esc_verify_report *report = NULL;
    ck_assert_status(a, esc_db_verify(&report, a), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_escalations(report), 1);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    esc_verify_report_free(report);

    esc_escalation_free(esc);
    esc_db_close(a);
    esc_db_close(b);
}
END_TEST

/* ---- main ---------------------------------------------------------------------------- */

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc;

    tc = tcase_create("status");
    tcase_add_test(tc, test_status_names_every_code);
    tcase_add_test(tc, test_status_names_distinct);
    tcase_add_test(tc, test_status_unknown);
    tcase_add_test(tc, test_version);
    suite_add_tcase(s, tc);

    tc = tcase_create("init");
    tcase_add_test(tc, test_init_db_options);
    tcase_add_test(tc, test_init_open_params);
    tcase_add_test(tc, test_init_action);
    tcase_add_test(tc, test_init_filter);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, test_names_documented_examples);
    tcase_add_test(tc, test_state_names_round_trip);
    tcase_add_test(tc, test_action_names_round_trip);
    tcase_add_test(tc, test_guard_names);
    tcase_add_test(tc, test_other_enum_names);
    tcase_add_test(tc, test_from_name_rejects);
    suite_add_tcase(s, tc);

    tc = tcase_create("handle");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_db_now_uses_clock);
    tcase_add_test(tc, test_db_now_per_handle);
    tcase_add_test(tc, test_dup_deep_copy);
    tcase_add_test(tc, test_errcode_fresh_handle);
    tcase_add_test(tc, test_errcode_set_and_reset);
    tcase_add_test(tc, test_open_failure_leaves_handle);
    tcase_add_test(tc, test_memory_database);
    suite_add_tcase(s, tc);

    return test_run(s);
}
