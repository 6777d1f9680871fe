/*
 * test_store.c — persistence: every field and item kind survives closing
 * and reopening the file; lookups by id and external reference; file
 * creation and permissions; read-only handles and write-protected files;
 * files that are not (or no longer, or not yet) escalate databases; schema
 * migration; a full disk; and batches of steps.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "schema_sqlite.h"
#include "testutil.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNKNOWN_ID "00000000-0000-4000-8000-000000000000"

/* ---- small helpers ------------------------------------------------------- */

/* Open path with flags (and a file mode for created files), driven by clock.
 * Like esc_db_open, *out is set even on failure. */
static int open_db(esc_db **out, const char *path, unsigned int flags, unsigned int mode,
                   test_clock *clock)
{
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    options.flags = flags;
    options.file_mode = mode;
    options.clock = test_clock_read;
    options.clock_payload = clock;
    return esc_db_open(out, path, &options);
}

/* Try to open path; check that a failure comes with a handle and a message;
 * close it again.  Returns the status. */
static int open_status(const char *path, unsigned int flags)
{
    test_clock clock = { T0 };
    esc_db *db = NULL;
    int rc = open_db(&db, path, flags, 0, &clock);
    ck_assert_ptr_nonnull(db);
    if (rc != ESC_OK)
        ck_assert_msg(esc_db_errmsg(db)[0] != '\0', "%s without a message", esc_status_name(rc));
    esc_db_close(db);
    return rc;
}

static void copy_path(char *dst, size_t size, const char *src)
{
    int n = snprintf(dst, size, "%s", src);
    ck_assert(n > 0 && (size_t)n < size);
}

static const char *tmpdir(void)
{
    const char *dir = getenv("ESC_TEST_TMPDIR");
    return dir && dir[0] ? dir : "/tmp";
}

/* A whole file in memory, to prove that a refused open left it alone. */
typedef struct blob {
    unsigned char *data;
    size_t len;
} blob;

static blob slurp(const char *path)
{
    blob b = { NULL, 0 };
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s: %s", path, strerror(errno));
    size_t capacity = 0;
    for (;;) {
        if (b.len == capacity) {
            capacity = capacity ? capacity * 2 : 65536;
            b.data = realloc(b.data, capacity);
            ck_assert_ptr_nonnull(b.data);
        }
        size_t n = fread(b.data + b.len, 1, capacity - b.len, f);
        if (n == 0)
            break;
        b.len += n;
    }
    fclose(f);
    return b;
}

static void spill(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void assert_file_is(const char *path, const blob *before)
{
    blob now = slurp(path);
    int same = now.len == before->len && memcmp(now.data, before->data, now.len) == 0;
    size_t len = now.len;
    free(now.data);
    ck_assert_msg(same, "%s was modified (%zu bytes before, %zu after)", path, before->len, len);
}

/* Run SQL on path with a plain SQLite connection (another program). */
static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *sqlite = NULL;
    int rc = sqlite3_open_v2(path, &sqlite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(sqlite, sql, NULL, NULL, NULL);
    sqlite3_close(sqlite);
    return rc;
}

/* One integer from a query on path. */
static int64_t raw_int(const char *path, const char *sql)
{
    sqlite3 *sqlite = NULL;
    sqlite3_stmt *stmt = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &sqlite, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int rc = sqlite3_prepare_v2(sqlite, sql, -1, &stmt, NULL);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(sqlite));
    ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
    int64_t value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(sqlite);
    return value;
}

/* Deterministic noise for damaged files. */
static unsigned char noise(uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return (unsigned char)(*state >> 16);
}

static esc_action action_of(esc_action_kind kind, const esc_person *actor)
{
    esc_action a;
    ck_assert_int_eq(esc_action_init(&a, ESC_ACTION_VERSION, kind), ESC_OK);
    a.actor = *actor;
    return a;
}

static esc_action note_action(const char *text)
{
    esc_action a = action_of(ESC_ACTION_NOTE, &AGENT);
    a.text = text;
    a.customer_account = 1;
    return a;
}

/* ---- every getter, as tables ---------------------------------------------- */

static int get_state(const esc_escalation *e) { return (int)esc_escalation_state(e); }
static int get_channel(const esc_escalation *e) { return (int)esc_escalation_channel(e); }
static int get_hold(const esc_escalation *e) { return (int)esc_escalation_hold(e); }
static int get_item_kind(const esc_item *i) { return (int)esc_item_get_kind(i); }
static int get_item_status(const esc_item *i) { return (int)esc_item_status_of(i); }

#define GETTER(kind, name) { #name, esc_##kind##_##name }
static const struct {
    const char *name;
    const char *(*get)(const esc_escalation *);
} text_getters[] = {
    GETTER(escalation, id), GETTER(escalation, external_ref), GETTER(escalation, summary),
    GETTER(escalation, customer_id), GETTER(escalation, customer_name),
    GETTER(escalation, owner_id), GETTER(escalation, owner_name), GETTER(escalation, problem),
    GETTER(escalation, resolution), GETTER(escalation, hold_reason),
    GETTER(escalation, root_cause_category), GETTER(escalation, root_cause),
    GETTER(escalation, lessons),
};
static const struct {
    const char *name;
    int (*get)(const esc_escalation *);
} int_getters[] = {
    { "state", get_state }, { "channel", get_channel }, { "hold", get_hold },
    GETTER(escalation, is_open), GETTER(escalation, impact), GETTER(escalation, urgency),
    GETTER(escalation, priority), GETTER(escalation, vip), GETTER(escalation, churn_risk),
    GETTER(escalation, confidential), GETTER(escalation, tier),
    GETTER(escalation, problem_confirmed), GETTER(escalation, unconfirmed),
    GETTER(escalation, withdrawn), GETTER(escalation, satisfaction),
    GETTER(escalation, reopen_count),
};
static const struct {
    const char *name;
    int64_t (*get)(const esc_escalation *);
} int64_getters[] = {
    GETTER(escalation, version), GETTER(escalation, promised_at), GETTER(escalation, hold_since),
    GETTER(escalation, created_at), GETTER(escalation, updated_at), GETTER(escalation, due_at),
};
static const struct {
    const char *name;
    const char *(*get)(const esc_item *);
} item_text_getters[] = {
    GETTER(item, text), GETTER(item, category), GETTER(item, person_id),
    GETTER(item, person_name), GETTER(item, decision), GETTER(item, decided_by),
};
static const struct {
    const char *name;
    int (*get)(const esc_item *);
} item_int_getters[] = {
    { "kind", get_item_kind }, { "status", get_item_status }, GETTER(item, number),
    GETTER(item, tier), GETTER(item, flag),
};
static const struct {
    const char *name;
    int64_t (*get)(const esc_item *);
} item_int64_getters[] = {
    GETTER(item, at), GETTER(item, created_at),
};

static void assert_same_item(const esc_item *a, const esc_item *b, const char *where)
{
    for (size_t g = 0; g < ARRAY_SIZE(item_text_getters); g++)
        ck_assert_msg(strcmp(item_text_getters[g].get(a), item_text_getters[g].get(b)) == 0,
                      "%s %s: \"%s\" vs \"%s\"", where, item_text_getters[g].name,
                      item_text_getters[g].get(a), item_text_getters[g].get(b));
    for (size_t g = 0; g < ARRAY_SIZE(item_int_getters); g++)
        ck_assert_msg(item_int_getters[g].get(a) == item_int_getters[g].get(b), "%s %s: %d vs %d",
                      where, item_int_getters[g].name, item_int_getters[g].get(a),
                      item_int_getters[g].get(b));
    for (size_t g = 0; g < ARRAY_SIZE(item_int64_getters); g++)
        ck_assert_msg(item_int64_getters[g].get(a) == item_int64_getters[g].get(b),
                      "%s %s: %lld vs %lld", where, item_int64_getters[g].name,
                      (long long)item_int64_getters[g].get(a),
                      (long long)item_int64_getters[g].get(b));
}

/* Every getter of a and b, items included, agrees. */
static void assert_same_escalation(const esc_escalation *a, const esc_escalation *b)
{
    const char *id = esc_escalation_id(a);
    for (size_t g = 0; g < ARRAY_SIZE(text_getters); g++)
        ck_assert_msg(strcmp(text_getters[g].get(a), text_getters[g].get(b)) == 0,
                      "%s %s: \"%s\" vs \"%s\"", id, text_getters[g].name, text_getters[g].get(a),
                      text_getters[g].get(b));
    for (size_t g = 0; g < ARRAY_SIZE(int_getters); g++)
        ck_assert_msg(int_getters[g].get(a) == int_getters[g].get(b), "%s %s: %d vs %d", id,
                      int_getters[g].name, int_getters[g].get(a), int_getters[g].get(b));
    for (size_t g = 0; g < ARRAY_SIZE(int64_getters); g++)
        ck_assert_msg(int64_getters[g].get(a) == int64_getters[g].get(b), "%s %s: %lld vs %lld",
                      id, int64_getters[g].name, (long long)int64_getters[g].get(a),
                      (long long)int64_getters[g].get(b));
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++) {
        size_t count = esc_escalation_item_count(a, (esc_item_kind)k);
        ck_assert_msg(count == esc_escalation_item_count(b, (esc_item_kind)k),
                      "%s: %zu vs %zu %s items", id, count,
                      esc_escalation_item_count(b, (esc_item_kind)k),
                      esc_item_kind_name((esc_item_kind)k));
        for (size_t i = 0; i < count; i++) {
            char where[128];
            snprintf(where, sizeof where, "%s %s %zu", id, esc_item_kind_name((esc_item_kind)k),
                     i + 1);
            assert_same_item(esc_escalation_item(a, (esc_item_kind)k, i),
                             esc_escalation_item(b, (esc_item_kind)k, i), where);
        }
    }
}

/* Fetch id from db and compare it with the snapshot expected. */
static void assert_stored(esc_db *db, const esc_escalation *expected)
{
    esc_escalation *stored = NULL;
    ck_assert_status(db, esc_escalation_get(&stored, db, esc_escalation_id(expected)), ESC_OK);
    assert_same_escalation(stored, expected);
    esc_escalation_free(stored);
}

/* ---- scripted escalations -------------------------------------------------- */

/* One scripted step: a.kind and its arguments; actor NULL means SUPERVISOR;
 * person, when set, is copied into a.person; in, when set, makes a.at that
 * far after the step's time. */
typedef struct scripted {
    const esc_person *actor;
    const esc_person *person;
    int64_t in;
    esc_action a;
} scripted;

static const esc_person WATCHER = { "legal-7", "Lou Legal", 3 };

/* Every action that writes a field or an item, ending closed: reopened,
 * unconfirmed, with decided exceptions and completed follow-ups. */
static const scripted script_full[] = {
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_NOTE, .text = "They charged me twice.", .customer_account = 1 } },
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_ACK_EMOTION, .text = "frustrated" } },
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_ADVANCE } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_STATE_PROBLEM, .text = "Charged twice for March." } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_CONFIRM_PROBLEM, .yes = 0, .text = "Three times, actually." } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_STATE_PROBLEM, .text = "Charged three times for March." } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_CONFIRM_PROBLEM, .yes = 1 } },
    { NULL, NULL, 2 * DAY, { .kind = ESC_ACTION_ADD_STEP, .text = "Refund the extra charges" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_ADD_STEP, .text = "Check the billing run" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_OFFER_OPTION, .text = "Refund to the card" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_OFFER_OPTION, .text = "Account credit" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_CHOOSE_OPTION, .item = 2 } },
    { NULL, NULL, 3 * DAY, { .kind = ESC_ACTION_PROMISE } },
    { NULL, &WATCHER, 0, { .kind = ESC_ACTION_LOOP_IN, .category = "legal" } },
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_REQUEST_EXCEPTION, .category = "refund_over_limit",
                         .text = "Refund above the agent limit", .tier = 3 } },
    { &SPECIALIST, NULL, 0, { .kind = ESC_ACTION_DECIDE_EXCEPTION, .item = 1, .yes = 1,
                              .text = "Approved once" } },
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_REQUEST_EXCEPTION, .category = "goodwill_credit",
                         .text = "A credit for the trouble", .tier = 2 } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_DECIDE_EXCEPTION, .item = 2, .yes = 0,
                       .text = "Not this time" } },
    { NULL, &SPECIALIST, 0, { .kind = ESC_ACTION_TAKE_OWNERSHIP } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_SEND_UPDATE, .text = "The refund is on its way." } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_TAG, .text = "billing" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_TAG, .text = "refund" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_REASSESS, .impact = 4, .urgency = 3, .vip = 1, .churn_risk = 1 } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_RECORD_RESOLUTION, .text = "Refunded both charges." } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_REOPEN, .text = "Only one refund arrived." } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_CONFIRM_PROBLEM, .yes = 1 } },
    { NULL, &SPECIALIST, 0, { .kind = ESC_ACTION_TAKE_OWNERSHIP } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_RECORD_RESOLUTION, .text = "Refunded the last charge." } },
    { NULL, NULL, DAY, { .kind = ESC_ACTION_SCHEDULE_FOLLOW_UP, .text = "Call to confirm" } },
    { NULL, NULL, DAY, { .kind = ESC_ACTION_SCHEDULE_FOLLOW_UP, .text = "Second call" } },
    { NULL, NULL, DAY, { .kind = ESC_ACTION_SCHEDULE_FOLLOW_UP, .text = "Third call" } },
    { NULL, NULL, DAY, { .kind = ESC_ACTION_SCHEDULE_FOLLOW_UP, .text = "Last call" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_COMPLETE_FOLLOW_UP, .item = 1, .yes = 1, .text = "Reached" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_COMPLETE_FOLLOW_UP, .item = 2, .text = "No answer" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_COMPLETE_FOLLOW_UP, .item = 3, .text = "Voicemail" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_COMPLETE_FOLLOW_UP, .item = 4, .text = "No answer" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_CONFIRM_RESOLVED, .yes = 0 } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_CLOSE, .category = "billing_system",
                       .text = "A billing run was repeated", .satisfaction = 2,
                       .lessons = "Alert on repeated billing runs" } },
};

/* Still open: owned, promised, on hold with a pending follow-up, moved up a tier. */
static const scripted script_held[] = {
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_NOTE, .text = "My parcel is lost.", .customer_account = 1 } },
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_ADVANCE } },
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_STATE_PROBLEM, .text = "Parcel lost in transit." } },
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_CONFIRM_PROBLEM, .yes = 1 } },
    { &AGENT, NULL, DAY, { .kind = ESC_ACTION_ADD_STEP, .text = "Open a carrier claim" } },
    { &AGENT, NULL, 2 * DAY, { .kind = ESC_ACTION_PROMISE } },
    { &AGENT, &AGENT, 0, { .kind = ESC_ACTION_TAKE_OWNERSHIP } },
    { &AGENT, NULL, DAY, { .kind = ESC_ACTION_SCHEDULE_FOLLOW_UP, .text = "Tell them about the claim" } },
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_HOLD, .hold = ESC_HOLD_THIRD_PARTY,
                         .text = "Waiting on the carrier" } },
    { &AGENT, &SUPERVISOR, 0, { .kind = ESC_ACTION_MOVE_TIER, .tier = 2,
                                .brief_went_wrong = "The carrier lost it",
                                .brief_tried = "Opened a claim",
                                .brief_response = "Patient but worried" } },
    { NULL, NULL, 0, { .kind = ESC_ACTION_NOTE, .text = "Told the supervisor again.", .customer_account = 1 } },
};

/* Withdrawn by the customer. */
static const scripted script_withdrawn[] = {
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_NOTE, .text = "Cannot log in." } },
    { &AGENT, NULL, 0, { .kind = ESC_ACTION_WITHDRAW, .text = "Solved it themselves." } },
};

static void run_script(esc_db *db, test_clock *clock, esc_escalation *esc, const scripted *script,
                       size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const scripted *s = &script[i];
        clock->now += 7 * MINUTE;
        esc_action a = s->a;
        a.version = ESC_ACTION_VERSION;
        a.actor = s->actor ? *s->actor : SUPERVISOR;
        if (s->person)
            a.person = *s->person;
        if (s->in)
            a.at = clock->now + s->in;
        test_must(db, esc, &a);
    }
}

typedef struct scripted_escalation {
    const char *external_ref;
    const char *customer_name;
    esc_channel channel;
    int impact, urgency, vip, churn_risk, confidential;
    const scripted *script;
    size_t steps;
} scripted_escalation;

static const scripted_escalation scripted_escalations[] = {
    { "TICKET-1", "Dana Customer", ESC_CHANNEL_EMAIL, 3, 4, 1, 0, 1, script_full,
      ARRAY_SIZE(script_full) },
    { NULL, NULL, ESC_CHANNEL_SOCIAL, 1, 1, 0, 1, 0, script_held, ARRAY_SIZE(script_held) },
    { "TICKET-3", "Robin Roe", ESC_CHANNEL_IN_PERSON, 2, 2, 0, 0, 0, script_withdrawn,
      ARRAY_SIZE(script_withdrawn) },
    /* Moved up a tier and not listened to since: only the hidden "where
     * listening began" mark tells it apart from the second one. */
    { "TICKET-4", NULL, ESC_CHANNEL_CHAT, 4, 4, 0, 0, 0, script_held, ARRAY_SIZE(script_held) - 1 },
};
/* Indexes into scripted_escalations. */
enum { SCRIPTED_FULL, SCRIPTED_HELD, SCRIPTED_WITHDRAWN, SCRIPTED_MOVED };
#define SCRIPTED_COUNT ARRAY_SIZE(scripted_escalations)

static esc_escalation *open_scripted(esc_db *db, test_clock *clock, const scripted_escalation *s)
{
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "The customer's own words, long enough to mean something.";
    p.customer_id = "cust-7";
    p.customer_name = s->customer_name;
    p.external_ref = s->external_ref;
    p.channel = s->channel;
    p.impact = s->impact;
    p.urgency = s->urgency;
    p.vip = s->vip;
    p.churn_risk = s->churn_risk;
    p.confidential = s->confidential;
    clock->now += HOUR;
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_open(&esc, db, &p), ESC_OK);
    run_script(db, clock, esc, s->script, s->steps);
    return esc;
}

/* ---- round trip --------------------------------------------------------------- */

/* The scripted escalations must set every field and item attribute to
 * something other than its default somewhere; otherwise a field that is
 * never stored would still "round-trip". */
static void assert_every_field_exercised(esc_escalation *const *escs, size_t n)
{
    for (size_t g = 0; g < ARRAY_SIZE(text_getters); g++) {
        int set = 0;
        for (size_t e = 0; e < n; e++)
            set |= text_getters[g].get(escs[e])[0] != '\0';
        ck_assert_msg(set, "no scripted escalation sets %s", text_getters[g].name);
    }
    for (size_t g = 0; g < ARRAY_SIZE(int_getters); g++) {
        int set = 0;
        for (size_t e = 0; e < n; e++)
            set |= int_getters[g].get(escs[e]) != 0;
        ck_assert_msg(set, "no scripted escalation sets %s", int_getters[g].name);
    }
    for (size_t g = 0; g < ARRAY_SIZE(int64_getters); g++) {
        int set = 0;
        for (size_t e = 0; e < n; e++)
            set |= int64_getters[g].get(escs[e]) != 0;
        ck_assert_msg(set, "no scripted escalation sets %s", int64_getters[g].name);
    }
    int text_set[ARRAY_SIZE(item_text_getters)] = { 0 };
    int int_set[ARRAY_SIZE(item_int_getters)] = { 0 };
    int int64_set[ARRAY_SIZE(item_int64_getters)] = { 0 };
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++) {
        size_t total = 0;
        for (size_t e = 0; e < n; e++) {
            size_t count = esc_escalation_item_count(escs[e], (esc_item_kind)k);
            total += count;
            for (size_t i = 0; i < count; i++) {
                const esc_item *item = esc_escalation_item(escs[e], (esc_item_kind)k, i);
                for (size_t g = 0; g < ARRAY_SIZE(item_text_getters); g++)
                    text_set[g] |= item_text_getters[g].get(item)[0] != '\0';
                for (size_t g = 0; g < ARRAY_SIZE(item_int_getters); g++)
                    int_set[g] |= item_int_getters[g].get(item) != 0;
                for (size_t g = 0; g < ARRAY_SIZE(item_int64_getters); g++)
                    int64_set[g] |= item_int64_getters[g].get(item) != 0;
            }
        }
        ck_assert_msg(total > 0, "no scripted escalation has a %s item",
                      esc_item_kind_name((esc_item_kind)k));
    }
    for (size_t g = 0; g < ARRAY_SIZE(item_text_getters); g++)
        ck_assert_msg(text_set[g], "no item sets %s", item_text_getters[g].name);
    for (size_t g = 0; g < ARRAY_SIZE(item_int_getters); g++)
        ck_assert_msg(int_set[g], "no item sets %s", item_int_getters[g].name);
    for (size_t g = 0; g < ARRAY_SIZE(item_int64_getters); g++)
        ck_assert_msg(int64_set[g], "no item sets %s", item_int64_getters[g].name);
}

START_TEST(test_roundtrip_every_field)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("roundtrip"));
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_escalation *escs[SCRIPTED_COUNT];
    for (size_t i = 0; i < SCRIPTED_COUNT; i++)
        escs[i] = open_scripted(db, &clock, &scripted_escalations[i]);
    esc_db_close(db);

    /* A few values spelled out, so that the snapshots are known good too. */
    const esc_escalation *full = escs[SCRIPTED_FULL], *held = escs[SCRIPTED_HELD];
    ck_assert_int_eq(esc_escalation_state(full), ESC_STATE_CLOSED);
    ck_assert_int_eq(esc_escalation_unconfirmed(full), 1);
    ck_assert_int_eq(esc_escalation_reopen_count(full), 1);
    ck_assert_int_eq(esc_escalation_satisfaction(full), 2);
    ck_assert_int_eq(esc_escalation_version(full), 1 + (int64_t)ARRAY_SIZE(script_full));
    ck_assert_int_eq(esc_escalation_state(held), ESC_STATE_LISTEN);
    ck_assert_int_eq(esc_escalation_tier(held), 2);
    ck_assert_int_eq(esc_escalation_hold(held), ESC_HOLD_THIRD_PARTY);
    ck_assert_str_eq(esc_escalation_owner_id(held), SUPERVISOR.id);
    ck_assert_int_eq(esc_escalation_withdrawn(escs[SCRIPTED_WITHDRAWN]), 1);
    assert_every_field_exercised(escs, SCRIPTED_COUNT);

    /* A new handle on the file sees exactly what the writer's snapshots said. */
    clock.now += DAY;
    db = test_open(path, &clock);
    for (size_t i = 0; i < SCRIPTED_COUNT; i++) {
        assert_stored(db, escs[i]);
        ck_assert_int_eq(test_history_length(db, esc_escalation_id(escs[i])),
                         (int)esc_escalation_version(escs[i]));
    }
    /* The listening mark has no getter, but the guard reads it: after a
     * tier move only customer notes taken since count, stored or not. */
    static const struct {
        int index;
        int status;
        esc_guard guard;
    } listening[] = {
        { SCRIPTED_HELD, ESC_OK, ESC_GUARD_NONE },
        { SCRIPTED_MOVED, ESC_EGUARD, ESC_GUARD_CUSTOMER_NOTE },
    };
    for (size_t i = 0; i < ARRAY_SIZE(listening); i++) {
        esc_escalation *stored = NULL;
        ck_assert_status(db, esc_escalation_get(&stored, db, esc_escalation_id(escs[listening[i].index])),
                         ESC_OK);
        esc_guard guard = ESC_GUARD_STATE;
        ck_assert_int_eq(esc_action_allowed(&guard, db, stored, ESC_ACTION_ADVANCE, &SUPERVISOR),
                         listening[i].status);
        ck_assert_int_eq(guard, listening[i].guard);
        esc_escalation_free(stored);
    }
    esc_db_close(db);

    /* And so does a read-only handle. */
    ck_assert_int_eq(open_db(&db, path, ESC_OPEN_READONLY, 0, &clock), ESC_OK);
    for (size_t i = 0; i < SCRIPTED_COUNT; i++)
        assert_stored(db, escs[i]);
    esc_db_close(db);
    for (size_t i = 0; i < SCRIPTED_COUNT; i++)
        esc_escalation_free(escs[i]);
}
END_TEST

START_TEST(test_get_by_external_ref)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("byref"));
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_escalation *escs[SCRIPTED_COUNT];
    for (size_t i = 0; i < SCRIPTED_COUNT; i++)
        escs[i] = open_scripted(db, &clock, &scripted_escalations[i]);
    esc_db_close(db);

    db = test_open(path, &clock);
    for (size_t i = 0; i < SCRIPTED_COUNT; i++) {
        const char *ref = scripted_escalations[i].external_ref;
        if (ref == NULL) {
            ck_assert_str_eq(esc_escalation_external_ref(escs[i]), "");
            continue;
        }
        esc_escalation *found = NULL;
        ck_assert_status(db, esc_escalation_get_by_ref(&found, db, ref), ESC_OK);
        ck_assert_str_eq(esc_escalation_id(found), esc_escalation_id(escs[i]));
        assert_same_escalation(found, escs[i]);
        esc_escalation_free(found);
    }
    /* References are matched exactly. */
    static const char *const missing[] = { "TICKET-2", "ticket-1", "TICKET-1 ", "TICKET" };
    for (size_t i = 0; i < ARRAY_SIZE(missing); i++) {
        esc_escalation *found = (esc_escalation *)&found;
        ck_assert_status(db, esc_escalation_get_by_ref(&found, db, missing[i]), ESC_ENOTFOUND);
        ck_assert_ptr_null(found);
        ck_assert_str_ne(esc_db_errmsg(db), "");
    }
    esc_db_close(db);
    for (size_t i = 0; i < SCRIPTED_COUNT; i++)
        esc_escalation_free(escs[i]);
}
END_TEST

START_TEST(test_duplicate_external_ref)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("dupref"));
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "First";
    p.customer_id = "cust-1";
    p.external_ref = "CASE-100";
    esc_escalation *first = NULL;
    ck_assert_status(db, esc_escalation_open(&first, db, &p), ESC_OK);

    p.summary = "Second, same reference";
    p.customer_id = "cust-2";
    esc_escalation *second = (esc_escalation *)&second;
    ck_assert_status(db, esc_escalation_open(&second, db, &p), ESC_EEXISTS);
    ck_assert_ptr_null(second);
    ck_assert_str_ne(esc_db_errmsg(db), "");
    /* The handle is still good for the next call. */
    p.external_ref = "CASE-101";
    ck_assert_status(db, esc_escalation_open(&second, db, &p), ESC_OK);
    esc_db_close(db);

    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM escalations"), 2);
    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM events"), 2);
    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM escalations WHERE customer_id = 'cust-2'"
                                   " AND external_ref = 'CASE-100'"), 0);
    db = test_open(path, &clock);
    esc_escalation *found = NULL;
    ck_assert_status(db, esc_escalation_get_by_ref(&found, db, "CASE-100"), ESC_OK);
    assert_same_escalation(found, first);
    esc_escalation_free(found);
    esc_db_close(db);
    esc_escalation_free(first);
    esc_escalation_free(second);
}
END_TEST

START_TEST(test_unknown_id)
{
    test_clock clock = { T0 };
    esc_db *db = test_open_fresh(&clock);
    esc_escalation *esc = test_new_escalation(db);
    static const char *const unknown[] = {
        UNKNOWN_ID, "ffffffff-ffff-4fff-bfff-ffffffffffff", "not-a-uuid",
    };
    for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
        /* Not a UUID at all may also be called invalid. */
        int malformed = strlen(unknown[i]) != 36;
        esc_escalation *found = (esc_escalation *)&found;
        int rc = esc_escalation_get(&found, db, unknown[i]);
        ck_assert_msg(rc == ESC_ENOTFOUND || (malformed && rc == ESC_EINVAL), "get %s: %s",
                      unknown[i], esc_status_name(rc));
        ck_assert_ptr_null(found);
        ck_assert_str_ne(esc_db_errmsg(db), "");
        esc_event_list *events = (esc_event_list *)&events;
        rc = esc_history(&events, db, unknown[i]);
        ck_assert_msg(rc == ESC_ENOTFOUND || (malformed && rc == ESC_EINVAL), "history of %s: %s",
                      unknown[i], esc_status_name(rc));
        ck_assert_ptr_null(events);
    }
    /* The known one is still there. */
    assert_stored(db, esc);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* ---- files ---------------------------------------------------------------- */

static unsigned int mode_of(const char *path)
{
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
    return (unsigned int)st.st_mode & 07777;
}

static const struct {
    unsigned int requested;
    unsigned int expected;
} file_modes[] = {
    { 0, 0600 }, { 0600, 0600 }, { 0640, 0640 }, { 0400 | 0200 | 0040 | 0004, 0644 },
};

START_TEST(test_created_file_mode)
{
    /* umask 022 lets every mode below through unchanged: the file's mode is
     * then exactly the one asked for. */
    mode_t old = umask(022);
    char path[1024];
    copy_path(path, sizeof path, test_path("mode"));
    test_clock clock = { T0 };
    esc_db *db = NULL;
    ck_assert_int_eq(open_db(&db, path, ESC_OPEN_CREATE, file_modes[_i].requested, &clock), ESC_OK);
    esc_escalation_free(test_new_escalation(db));
    ck_assert_uint_eq(mode_of(path), file_modes[_i].expected);
    /* The WAL holds the same customer words as the file. */
    static const char *const companions[] = { "-wal", "-shm" };
    for (size_t c = 0; c < ARRAY_SIZE(companions); c++) {
        char side[1100];
        snprintf(side, sizeof side, "%.1000s%s", path, companions[c]);
        if (access(side, F_OK) == 0)
            ck_assert_uint_eq(mode_of(side), file_modes[_i].expected);
    }
    esc_db_close(db);
    ck_assert_uint_eq(mode_of(path), file_modes[_i].expected);
    umask(old);
}
END_TEST

static void assert_works(esc_db *db);

/* The journal and sync options: every mode works and is what the file uses. */
START_TEST(test_journal_and_sync_options)
{
    static const struct { int journal, sync; const char *mode; } modes[] = {
        { ESC_JOURNAL_WAL, ESC_SYNC_NORMAL, "wal" },
        { ESC_JOURNAL_WAL, ESC_SYNC_FULL, "wal" },
        { ESC_JOURNAL_ROLLBACK, ESC_SYNC_FULL, "delete" },
        { ESC_JOURNAL_ROLLBACK, ESC_SYNC_NORMAL, "delete" },
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        char path[1024];
        copy_path(path, sizeof path, test_path("journal"));
        esc_db_options options = ESC_DB_OPTIONS_INIT;
        options.flags = ESC_OPEN_CREATE;
        options.journal = modes[i].journal;
        options.sync = modes[i].sync;
        esc_db *db = NULL;
        ck_assert_int_eq(esc_db_open(&db, path, &options), ESC_OK);
        assert_works(db);
        esc_db_close(db);
        sqlite3 *raw = NULL;
        ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
        sqlite3_stmt *stmt = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
        ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 0), modes[i].mode);
        sqlite3_finalize(stmt);
        sqlite3_close(raw);
        test_remove_db(path);
    }
}
END_TEST

START_TEST(test_file_mode_applies_only_to_new_files)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("mode-existing"));
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_db_close(db);
    ck_assert_int_eq(chmod(path, 0640), 0);
    ck_assert_int_eq(open_db(&db, path, ESC_OPEN_CREATE, 0600, &clock), ESC_OK);
    esc_db_close(db);
    ck_assert_uint_eq(mode_of(path), 0640);
}
END_TEST

START_TEST(test_bad_file_mode_creates_nothing)
{
    static const unsigned int bad[] = { 01000, 02600, 04600, 0100000 };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char path[1024];
        copy_path(path, sizeof path, test_path("badmode"));
        test_clock clock = { T0 };
        esc_db *db = NULL;
        ck_assert_int_eq(open_db(&db, path, ESC_OPEN_CREATE, bad[i], &clock), ESC_EINVAL);
        ck_assert_str_ne(esc_db_errmsg(db), "");
        esc_db_close(db);
        ck_assert_msg(access(path, F_OK) != 0, "mode %o created %s", bad[i], path);
    }
}
END_TEST

START_TEST(test_missing_file)
{
    static const unsigned int flags[] = { ESC_OPEN_READWRITE, ESC_OPEN_READONLY };
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        char path[1024];
        copy_path(path, sizeof path, test_path("missing"));
        ck_assert_int_eq(open_status(path, flags[i]), ESC_ENOTFOUND);
        ck_assert_msg(access(path, F_OK) != 0, "opening without ESC_OPEN_CREATE created %s", path);
    }
}
END_TEST

/* A database with one escalation (reference READ-1), closed; its id in id. */
static void make_small_db(const char *path, char id[37])
{
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "Read me";
    p.customer_id = "cust-r";
    p.external_ref = "READ-1";
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_open(&esc, db, &p), ESC_OK);
    esc_action note = note_action("Some words");
    test_must(db, esc, &note);
    snprintf(id, 37, "%s", esc_escalation_id(esc));
    esc_escalation_free(esc);
    esc_db_close(db);
}

/* Every kind of write on db; each must be refused with ESC_EREADONLY and
 * leave the snapshot alone. */
static void assert_writes_refused(esc_db *db, const char *id)
{
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_get(&esc, db, id), ESC_OK);
    int64_t version = esc_escalation_version(esc);

    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "Should not be written";
    p.customer_id = "cust-x";
    esc_escalation *created = (esc_escalation *)&created;
    ck_assert_status(db, esc_escalation_open(&created, db, &p), ESC_EREADONLY);
    ck_assert_ptr_null(created);
    ck_assert_str_ne(esc_db_errmsg(db), "");

    esc_action note = note_action("Should not be written either");
    ck_assert_status(db, esc_apply(db, esc, &note), ESC_EREADONLY);
    ck_assert_int_eq(esc_escalation_version(esc), version);
    ck_assert_uint_eq(esc_escalation_item_count(esc, ESC_ITEM_NOTE), 1);

    ck_assert_status(db, esc_db_batch_begin(db), ESC_EREADONLY);
    ck_assert_status(db, esc_db_batch_commit(db), ESC_EINVAL);
    ck_assert_status(db, esc_db_batch_rollback(db), ESC_EINVAL);
    size_t rebuilt = 99;
    ck_assert_status(db, esc_db_rebuild(&rebuilt, db), ESC_EREADONLY);
    ck_assert_uint_eq(rebuilt, 0);
    esc_escalation_free(esc);
}

START_TEST(test_readonly_handle)
{
    char path[1024];
    char id[37];
    copy_path(path, sizeof path, test_path("readonly"));
    make_small_db(path, id);
    blob before = slurp(path);

    test_clock clock = { T0 };
    esc_db *db = NULL;
    ck_assert_int_eq(open_db(&db, path, ESC_OPEN_READONLY, 0, &clock), ESC_OK);
    ck_assert_int_eq(esc_db_schema_version(db), ESC_SCHEMA_VERSION);
    /* Reads work. */
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_get(&esc, db, id), ESC_OK);
    ck_assert_str_eq(esc_escalation_summary(esc), "Read me");
    ck_assert_int_eq(esc_escalation_version(esc), 2);
    esc_escalation_free(esc);
    ck_assert_status(db, esc_escalation_get_by_ref(&esc, db, "READ-1"), ESC_OK);
    ck_assert_str_eq(esc_escalation_id(esc), id);
    esc_escalation_free(esc);
    ck_assert_int_eq(test_history_length(db, id), 2);
    esc_escalation_list *list = NULL;
    ck_assert_status(db, esc_escalation_list_query(&list, db, NULL), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(list), 1);
    esc_escalation_list_free(list);
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    ck_assert_uint_eq(esc_verify_report_escalations(report), 1);
    esc_verify_report_free(report);

    assert_writes_refused(db, id);
    esc_db_close(db);
    assert_file_is(path, &before);
    free(before.data);

    /* Nothing was written behind the refusals either. */
    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM escalations"), 1);
    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM events"), 2);
}
END_TEST

/* What an ordinary (read-write) open of a write-protected file did. */
typedef struct protected_probe {
    int skipped;
    char note[200];
    int open, readonly_flag, get, create, apply, batch, rebuild;
    int64_t version_after;
} protected_probe;

/* Runs with no Check assertions: it may run in a child process. */
static void probe_protected(const char *path, const char *id, protected_probe *r)
{
    test_clock clock = { T0 };
    esc_db *db = NULL;
    r->open = open_db(&db, path, ESC_OPEN_READWRITE, 0, &clock);
    if (r->open == ESC_OK) {
        esc_escalation *esc = NULL;
        r->get = esc_escalation_get(&esc, db, id);
        esc_open_params p = ESC_OPEN_PARAMS_INIT;
        p.actor = AGENT;
        p.summary = "Should not be written";
        p.customer_id = "cust-x";
        r->create = esc_escalation_open(NULL, db, &p);
        if (esc != NULL) {
            esc_action note = note_action("Should not be written either");
            r->apply = esc_apply(db, esc, &note);
            r->version_after = esc_escalation_version(esc);
        }
        r->batch = esc_db_batch_begin(db);
        r->rebuild = esc_db_rebuild(NULL, db);
        esc_escalation_free(esc);
    }
    esc_db_close(db);
}

/* Root ignores permission bits, so as root the probe runs in a child that
 * has given up its privileges (as nobody). */
static void probe_unprivileged(const char *path, const char *id, protected_probe *r)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        protected_probe child;
        memset(&child, 0, sizeof child);
        close(fds[0]);
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
            child.skipped = 1;
            snprintf(child.note, sizeof child.note, "cannot drop root privileges: %s",
                     strerror(errno));
        } else if (access(path, R_OK) != 0) {
            child.skipped = 1;
            snprintf(child.note, sizeof child.note, "an unprivileged user cannot read %.80s: %.60s",
                     path, strerror(errno));
        } else {
            probe_protected(path, id, &child);
        }
        ssize_t n = write(fds[1], &child, sizeof child);
        _exit(n == (ssize_t)sizeof child ? 0 : 1);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], r, sizeof *r);
    close(fds[0]);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0 && n == (ssize_t)sizeof *r,
                  "the unprivileged probe died (status 0x%x)", status);
}

START_TEST(test_write_protected_file)
{
    /* Only the file is protected: its directory is open to everyone, like
     * /tmp, because a reader of a WAL database needs its -shm file. */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/protected-XXXXXX", tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 01777), 0);
    char path[1100];
    snprintf(path, sizeof path, "%s/escalate.db", dir);
    char id[37];
    make_small_db(path, id);
    ck_assert_int_eq(chmod(path, 0444), 0);
    blob before = slurp(path);

    protected_probe r;
    memset(&r, 0, sizeof r);
    if (geteuid() == 0)
        probe_unprivileged(path, id, &r);
    else
        probe_protected(path, id, &r);

    if (r.skipped) {
        printf("# test_write_protected_file: skipped: %s\n", r.note);
    } else {
        /* Either the open says so at once, or the handle is read-only. */
        ck_assert_msg(r.open == ESC_OK || r.open == ESC_EREADONLY, "open: %s",
                      esc_status_name(r.open));
        if (r.open == ESC_OK) {
            ck_assert_msg(r.get == ESC_OK, "get: %s", esc_status_name(r.get));
            ck_assert_msg(r.create == ESC_EREADONLY, "open escalation: %s", esc_status_name(r.create));
            ck_assert_msg(r.apply == ESC_EREADONLY, "apply: %s", esc_status_name(r.apply));
            ck_assert_int_eq(r.version_after, 2);
            ck_assert_msg(r.batch == ESC_EREADONLY, "batch: %s", esc_status_name(r.batch));
            ck_assert_msg(r.rebuild == ESC_EREADONLY, "rebuild: %s", esc_status_name(r.rebuild));
        }
    }
    assert_file_is(path, &before);
    free(before.data);
    chmod(path, 0600);
    test_remove_db(path);
    rmdir(dir);
}
END_TEST

/* ---- files that are not escalate databases -------------------------------- */

static blob text_file(void)
{
    static const char line[] = "This is a plain text file, not a database at all.\n";
    blob b = { malloc(8192), 8192 };
    ck_assert_ptr_nonnull(b.data);
    for (size_t i = 0; i < b.len; i++)
        b.data[i] = (unsigned char)line[i % (sizeof line - 1)];
    return b;
}

static blob random_file(void)
{
    blob b = { malloc(16384), 16384 };
    ck_assert_ptr_nonnull(b.data);
    uint32_t state = 42;
    for (size_t i = 0; i < b.len; i++)
        b.data[i] = noise(&state);
    return b;
}

static blob short_file(void)
{
    blob b = { malloc(6), 6 };
    ck_assert_ptr_nonnull(b.data);
    memcpy(b.data, "hello\n", 6);
    return b;
}

/* Looks like SQLite for 16 bytes, then noise. */
static blob fake_header_file(void)
{
    blob b = random_file();
    memcpy(b.data, "SQLite format 3", 16);
    return b;
}

static const struct {
    const char *name;
    blob (*make)(void);
    int also_corrupt;  /* ESC_ECORRUPT is an acceptable answer too */
} not_databases[] = {
    { "text", text_file, 0 },
    { "random", random_file, 0 },
    { "short", short_file, 0 },
    { "fake header", fake_header_file, 1 },
};

static const unsigned int every_open_flag[] = {
    ESC_OPEN_READWRITE, ESC_OPEN_CREATE, ESC_OPEN_READONLY,
};

START_TEST(test_not_a_database)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("notadb"));
    blob content = not_databases[_i].make();
    spill(path, content.data, content.len);
    for (size_t f = 0; f < ARRAY_SIZE(every_open_flag); f++) {
        int rc = open_status(path, every_open_flag[f]);
        ck_assert_msg(rc == ESC_ENOTADB || (not_databases[_i].also_corrupt && rc == ESC_ECORRUPT),
                      "%s file, flags %u: %s", not_databases[_i].name, every_open_flag[f],
                      esc_status_name(rc));
        assert_file_is(path, &content);
    }
    free(content.data);
}
END_TEST

/* SQLite files the library did not write, or whose header lies.  An
 * escalate database always carries its application id (set by the first
 * migration), so a file without it is someone else's whatever its
 * user_version says. */
static const struct {
    const char *name;
    const char *sql;
    int expected;
    int also_notadb;  /* ESC_ENOTADB is an acceptable answer too */
} foreign_databases[] = {
    { "with a table", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                      "INSERT INTO notes (body) VALUES ('keep me');", ESC_ENOTADB, 0 },
    { "with another application id", "PRAGMA application_id = 42;", ESC_ENOTADB, 0 },
    { "with a table named like ours", "CREATE TABLE escalations (id TEXT);", ESC_ENOTADB, 0 },
    { "empty, with user_version 1", "PRAGMA user_version = 1;", ESC_ENOTADB, 0 },
    { "empty, with user_version 7", "PRAGMA user_version = 7;", ESC_ENOTADB, 0 },
    { "our application id at version 1, but no tables",
      "PRAGMA application_id = 1163084609; PRAGMA user_version = 1;", ESC_ECORRUPT, 1 },
};

START_TEST(test_foreign_sqlite_database)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("foreign"));
    ck_assert_int_eq(raw_exec(path, foreign_databases[_i].sql), SQLITE_OK);
    blob before = slurp(path);
    for (size_t f = 0; f < ARRAY_SIZE(every_open_flag); f++) {
        int rc = open_status(path, every_open_flag[f]);
        ck_assert_msg(rc == foreign_databases[_i].expected ||
                          (foreign_databases[_i].also_notadb && rc == ESC_ENOTADB),
                      "database %s, flags %u: %s, expected %s", foreign_databases[_i].name,
                      every_open_flag[f], esc_status_name(rc),
                      esc_status_name(foreign_databases[_i].expected));
        /* A file the library refuses is none of its business: not one
         * byte changes (not even the journal mode in its header). */
        assert_file_is(path, &before);
    }
    free(before.data);
}
END_TEST

START_TEST(test_newer_schema)
{
    char path[1024];
    char id[37];
    copy_path(path, sizeof path, test_path("newer"));
    make_small_db(path, id);
    ck_assert_int_eq(raw_exec(path, "PRAGMA user_version = 99"), SQLITE_OK);
    blob before = slurp(path);
    for (size_t f = 0; f < ARRAY_SIZE(every_open_flag); f++) {
        ck_assert_int_eq(open_status(path, every_open_flag[f]), ESC_ESCHEMA);
        assert_file_is(path, &before);
    }
    free(before.data);
    ck_assert_int_eq(raw_int(path, "PRAGMA user_version"), 99);
}
END_TEST

/* A negative schema version is damage, not an old file to migrate. */
START_TEST(test_negative_schema_version)
{
    char path[1024];
    char id[37];
    copy_path(path, sizeof path, test_path("negative"));
    make_small_db(path, id);
    ck_assert_int_eq(raw_exec(path, "PRAGMA user_version = -1000"), SQLITE_OK);
    blob before = slurp(path);
    for (size_t f = 0; f < ARRAY_SIZE(every_open_flag); f++) {
        ck_assert_int_eq(open_status(path, every_open_flag[f]), ESC_ECORRUPT);
        assert_file_is(path, &before);
    }
    free(before.data);
}
END_TEST

/* A table the library needs is gone: ESC_ECORRUPT, not an internal error. */
START_TEST(test_missing_table)
{
    char path[1024];
    char id[37];
    copy_path(path, sizeof path, test_path("missing-table"));
    make_small_db(path, id);
    ck_assert_int_eq(raw_exec(path, "DROP TABLE outbox"), SQLITE_OK);
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_outbox_list *list = NULL;
    ck_assert_status(db, esc_outbox_fetch(&list, db, 0), ESC_ECORRUPT);
    ck_assert_ptr_null(list);
    esc_db_close(db);
}
END_TEST

/* ---- damaged files --------------------------------------------------------- */

#define CORRUPT_ESCALATIONS 30

/* Damage to a database file of len bytes (pages of page bytes). */
typedef void (*damage_fn)(unsigned char *data, size_t *len, size_t page);

static void zero_middle_page(unsigned char *data, size_t *len, size_t page)
{
    size_t pages = *len / page;
    memset(data + (pages / 2) * page, 0, page);
}

static void noise_middle_pages(unsigned char *data, size_t *len, size_t page)
{
    size_t pages = *len / page;
    uint32_t state = 7;
    for (size_t i = (pages / 3) * page; i < (2 * pages / 3 + 1) * page && i < *len; i++)
        data[i] = noise(&state);
}

static void noise_inside_every_page(unsigned char *data, size_t *len, size_t page)
{
    /* 64 bytes in the middle of each page after the first: cell contents
     * and pointers, not page headers. */
    uint32_t state = 99;
    for (size_t p = 1; p < *len / page; p++)
        for (size_t i = 0; i < 64; i++)
            data[p * page + page / 2 + i] = noise(&state);
}

static void zero_all_but_first_page(unsigned char *data, size_t *len, size_t page)
{
    memset(data + page, 0, *len - page);
}

static void noise_after_first_page(unsigned char *data, size_t *len, size_t page)
{
    uint32_t state = 1234;
    for (size_t i = page; i < *len; i++)
        data[i] = noise(&state);
}

static void truncate_half(unsigned char *data, size_t *len, size_t page)
{
    (void)data;
    *len = (*len / page / 2) * page;
}

static const struct {
    const char *name;
    damage_fn damage;
    int must_detect;  /* every table is hit: some call must report it */
} damages[] = {
    { "zero middle page", zero_middle_page, 0 },
    { "noise in middle pages", noise_middle_pages, 0 },
    { "noise inside every page", noise_inside_every_page, 1 },
    { "zero all but the first page", zero_all_but_first_page, 1 },
    { "noise after the first page", noise_after_first_page, 1 },
    { "truncated to half", truncate_half, 1 },
};

static int damage_status_ok(int rc)
{
    return rc == ESC_OK || rc == ESC_ECORRUPT || rc == ESC_ENOTADB;
}

/* Touch every text of a snapshot a host would read (ASan and valgrind
 * catch what a crash would not). */
static size_t read_everything(const esc_escalation *esc)
{
    size_t total = 0;
    for (size_t g = 0; g < ARRAY_SIZE(text_getters); g++)
        total += strlen(text_getters[g].get(esc));
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++)
        for (size_t i = 0; i < esc_escalation_item_count(esc, (esc_item_kind)k); i++) {
            const esc_item *item = esc_escalation_item(esc, (esc_item_kind)k, i);
            for (size_t g = 0; g < ARRAY_SIZE(item_text_getters); g++)
                total += strlen(item_text_getters[g].get(item));
        }
    return total;
}

START_TEST(test_damaged_file)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("damaged"));
    char ids[CORRUPT_ESCALATIONS][37];
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    for (int i = 0; i < CORRUPT_ESCALATIONS; i++) {
        esc_escalation *esc = test_new_escalation(db);
        for (int n = 0; n < 3; n++) {
            esc_action note = note_action("A note long enough to fill a database page quickly, "
                                          "with words about refunds, parcels and passwords.");
            test_must(db, esc, &note);
        }
        snprintf(ids[i], sizeof ids[i], "%s", esc_escalation_id(esc));
        esc_escalation_free(esc);
    }
    esc_db_close(db);

    blob file = slurp(path);
    size_t page = ((size_t)file.data[16] << 8) | file.data[17];
    if (page == 1)
        page = 65536;
    ck_assert_msg(file.len / page >= 8, "only %zu pages", file.len / page);
    damages[_i].damage(file.data, &file.len, page);
    test_remove_db(path);
    spill(path, file.data, file.len);
    free(file.data);

    int detected = 0;
    int rc = open_db(&db, path, ESC_OPEN_READWRITE, 0, &clock);
    ck_assert_msg(damage_status_ok(rc), "%s: open: %s", damages[_i].name, esc_status_name(rc));
    detected |= rc != ESC_OK;
    if (rc == ESC_OK) {
        for (int i = 0; i < CORRUPT_ESCALATIONS; i++) {
            esc_escalation *esc = NULL;
            rc = esc_escalation_get(&esc, db, ids[i]);
            /* A damaged row may also read as missing. */
            ck_assert_msg(damage_status_ok(rc) || rc == ESC_ENOTFOUND, "%s: get: %s",
                          damages[_i].name, esc_status_name(rc));
            detected |= rc != ESC_OK;
            if (esc != NULL) {
                read_everything(esc);
                esc_action note = note_action("Written to a damaged file");
                rc = esc_apply(db, esc, &note);
                ck_assert_msg(damage_status_ok(rc), "%s: apply: %s", damages[_i].name,
                              esc_status_name(rc));
                detected |= rc != ESC_OK;
            }
            esc_escalation_free(esc);
            esc_event_list *events = NULL;
            rc = esc_history(&events, db, ids[i]);
            ck_assert_msg(damage_status_ok(rc) || rc == ESC_ENOTFOUND, "%s: history: %s",
                          damages[_i].name, esc_status_name(rc));
            detected |= rc != ESC_OK;
            for (size_t e = 0; e < esc_event_list_count(events); e++)
                (void)strlen(esc_event_payload(esc_event_list_get(events, e)));
            esc_event_list_free(events);
        }
        esc_filter filter = ESC_FILTER_INIT;
        filter.limit = ESC_LIST_LIMIT_MAX;
        esc_escalation_list *list = NULL;
        rc = esc_escalation_list_query(&list, db, &filter);
        ck_assert_msg(damage_status_ok(rc), "%s: list: %s", damages[_i].name, esc_status_name(rc));
        detected |= rc != ESC_OK;
        for (size_t i = 0; i < esc_escalation_list_count(list); i++)
            read_everything(esc_escalation_list_get(list, i));
        esc_escalation_list_free(list);
        esc_verify_report *report = NULL;
        rc = esc_db_verify(&report, db);
        ck_assert_msg(damage_status_ok(rc), "%s: verify: %s", damages[_i].name, esc_status_name(rc));
        detected |= rc != ESC_OK || esc_verify_report_mismatch_count(report) > 0;
        esc_verify_report_free(report);
    }
    esc_db_close(db);
    if (damages[_i].must_detect)
        ck_assert_msg(detected, "%s went unnoticed", damages[_i].name);
}
END_TEST

/* ---- migrations ------------------------------------------------------------- */

static void assert_works(esc_db *db)
{
    esc_escalation *esc = test_new_escalation(db);
    test_drive_to(db, esc, ESC_STATE_OWN);
    assert_stored(db, esc);
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    esc_verify_report_free(report);
    esc_escalation_free(esc);
}

/* What schema version 2 adds: five indexes and two triggers. */
static void assert_schema_2_objects(const char *path)
{
    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                                   " AND name IN ('escalations_by_state', 'escalations_by_owner',"
                                   " 'escalations_by_customer', 'escalations_by_due', 'items_tags')"),
                     5);
    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
                                   " AND name IN ('events_no_update', 'events_no_delete')"),
                     2);
}

/* What schema version 3 adds: timer columns, definitions and the outbox. */
static void assert_schema_3_objects(const char *path)
{
    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                                   " AND name IN ('calendars', 'policies', 'outbox')"),
                     3);
    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM pragma_table_info('escalations')"
                                   " WHERE name IN ('sla_policy', 'reminded_until', 'next_timer_at')"),
                     3);
    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                                   " AND name = 'escalations_by_next_timer'"),
                     1);
}

START_TEST(test_migrate_empty_v1)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("v1-empty"));
    sqlite3 *sqlite = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &sqlite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                     SQLITE_OK);
    int version = -1;
    ck_assert_int_eq(esc__sqlite_schema_prepare(NULL, sqlite, 0, 1, &version), ESC_OK);
    ck_assert_int_eq(version, 1);
    sqlite3_close(sqlite);
    ck_assert_int_eq(raw_int(path, "PRAGMA user_version"), 1);
    ck_assert_int_eq(raw_int(path, "PRAGMA application_id"), ESC_SQLITE_APPLICATION_ID);

    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    ck_assert_int_eq(esc_db_schema_version(db), ESC_SCHEMA_VERSION);
    assert_works(db);
    esc_db_close(db);
    ck_assert_int_eq(raw_int(path, "PRAGMA user_version"), ESC_SCHEMA_VERSION);
    assert_schema_2_objects(path);
    assert_schema_3_objects(path);
}
END_TEST

/* A current database with data, taken back to version 2 by hand. */
static void downgrade_to_v2(const char *path)
{
    ck_assert_int_eq(raw_exec(path, "BEGIN;" TEST_DOWNGRADE_TO_V2_SQL "COMMIT;"), SQLITE_OK);
}

/* ... and to version 1. */
static void downgrade_to_v1(const char *path)
{
    downgrade_to_v2(path);
    ck_assert_int_eq(raw_exec(path, "BEGIN;" TEST_DOWNGRADE_V2_TO_V1_SQL "COMMIT;"), SQLITE_OK);
    ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE type IN ('index', 'trigger')"
                                   " AND sql IS NOT NULL"),
                     0);
}

START_TEST(test_migrate_v1_with_data)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("v1-data"));
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_escalation *escs[SCRIPTED_COUNT];
    for (size_t i = 0; i < SCRIPTED_COUNT; i++)
        escs[i] = open_scripted(db, &clock, &scripted_escalations[i]);
    esc_db_close(db);
    downgrade_to_v1(path);

    db = test_open(path, &clock);
    ck_assert_int_eq(esc_db_schema_version(db), ESC_SCHEMA_VERSION);
    for (size_t i = 0; i < SCRIPTED_COUNT; i++)
        assert_stored(db, escs[i]);
    assert_works(db);
    esc_db_close(db);
    assert_schema_2_objects(path);
    assert_schema_3_objects(path);
    /* The migrated log is append-only again. */
    ck_assert_int_ne(raw_exec(path, "UPDATE events SET payload = '{}'"), SQLITE_OK);
    for (size_t i = 0; i < SCRIPTED_COUNT; i++)
        esc_escalation_free(escs[i]);
}
END_TEST

/* Version 2 rows gain timers: promises already due are still reminded of. */
START_TEST(test_migrate_v2_with_data)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("v2-data"));
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_escalation *esc = test_new_escalation(db);
    test_drive_to(db, esc, ESC_STATE_OWN);
    ck_assert_int_gt(esc_escalation_due_at(esc), 0);
    ck_assert_int_eq(esc_escalation_next_timer_at(esc), esc_escalation_due_at(esc));
    esc_db_close(db);
    downgrade_to_v2(path);
    ck_assert_int_eq(raw_int(path, "PRAGMA user_version"), 2);

    db = test_open(path, &clock);
    ck_assert_int_eq(esc_db_schema_version(db), ESC_SCHEMA_VERSION);
    assert_stored(db, esc);
    assert_works(db);
    esc_db_close(db);
    assert_schema_3_objects(path);
    esc_escalation_free(esc);
}
END_TEST

/* Events written before the hash chain existed have no hash, and the chain
 * still covers them: new events link to their computed hashes. */
START_TEST(test_migrate_v3_chains_old_events)
{
    char path[1024];
    copy_path(path, sizeof path, test_path("v3-data"));
    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_escalation *esc = test_new_escalation(db);
    test_drive_to(db, esc, ESC_STATE_PLAN);
    esc_db_close(db);
    ck_assert_int_eq(raw_exec(path, "BEGIN;" TEST_DOWNGRADE_TO_V3_SQL "COMMIT;"), SQLITE_OK);

    db = test_open(path, &clock);
    ck_assert_int_eq(esc_db_schema_version(db), ESC_SCHEMA_VERSION);
    ck_assert_int_eq(test_act(db, esc, ESC_ACTION_TAG, &AGENT), ESC_OK);
    esc_event_list *events = NULL;
    ck_assert_status(db, esc_history(&events, db, esc_escalation_id(esc)), ESC_OK);
    size_t n = esc_event_list_count(events);
    for (size_t i = 0; i + 1 < n; i++)
        ck_assert_str_eq(esc_event_hash(esc_event_list_get(events, i)), "");
    ck_assert_uint_eq(strlen(esc_event_hash(esc_event_list_get(events, n - 1))), 64);
    esc_event_list_free(events);
    assert_works(db);
    esc_db_close(db);

    /* An edit to an old, unhashed event breaks the first stored hash. */
    ck_assert_int_eq(raw_exec(path, "DROP TRIGGER events_no_update;"
                                    "UPDATE events SET actor_name = 'Mallory' WHERE seq = 1"),
                     SQLITE_OK);
    db = test_open(path, &clock);
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_ge(esc_verify_report_mismatch_count(report), 1);
    ck_assert_ptr_nonnull(strstr(esc_verify_report_mismatch_what(report, 0), "hash"));
    esc_verify_report_free(report);
    esc_db_close(db);
    esc_escalation_free(esc);
}
END_TEST

START_TEST(test_migrate_needs_write)
{
    char path[1024];
    char id[37];
    copy_path(path, sizeof path, test_path("v1-readonly"));
    make_small_db(path, id);
    downgrade_to_v1(path);
    blob before = slurp(path);
    ck_assert_int_eq(open_status(path, ESC_OPEN_READONLY), ESC_EREADONLY);
    assert_file_is(path, &before);
    free(before.data);
    ck_assert_int_eq(raw_int(path, "PRAGMA user_version"), 1);
}
END_TEST

/* ---- a full disk --------------------------------------------------------------- */

static char full_dir[1024];
static int full_mounted;
static char full_note[300];

/* In the parent, once for the test case: a tiny tmpfs, if we may mount. */
static void full_disk_setup(void)
{
    full_mounted = 0;
    snprintf(full_dir, sizeof full_dir, "%s/fulldisk-XXXXXX", tmpdir());
    if (mkdtemp(full_dir) == NULL) {
        snprintf(full_note, sizeof full_note, "mkdtemp: %s", strerror(errno));
        full_dir[0] = '\0';
        return;
    }
    if (geteuid() != 0) {
        snprintf(full_note, sizeof full_note, "not root, cannot mount a small tmpfs");
        return;
    }
    if (mount("tmpfs", full_dir, "tmpfs", 0, "size=256k,mode=0700") != 0) {
        snprintf(full_note, sizeof full_note, "mount tmpfs: %s", strerror(errno));
        return;
    }
    full_mounted = 1;
}

static void full_disk_teardown(void)
{
    if (full_mounted && umount(full_dir) != 0)
        umount2(full_dir, MNT_DETACH);
    full_mounted = 0;
    if (full_dir[0])
        rmdir(full_dir);
}

/* Fill the file system holding path until it refuses another byte. */
static void fill_disk(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    static char chunk[4096];
    size_t unit = sizeof chunk;
    while (unit > 0) {
        ssize_t n = write(fd, chunk, unit);
        if (n < 0)
            ck_assert_msg(errno == ENOSPC, "filling: %s", strerror(errno));
        if (n < (ssize_t)unit)
            unit /= 2;
    }
    close(fd);
}

/* What the disk-full case writes: one step, a batch (which fails at the
 * step or at the commit), or a new escalation. */
typedef enum full_write { FULL_STEP, FULL_BATCH, FULL_OPEN } full_write;

START_TEST(test_full_disk)
{
    if (!full_mounted) {
        printf("# test_full_disk: skipped: %s\n", full_note);
        return;
    }
    char path[1100], filler[1100];
    snprintf(path, sizeof path, "%s/full.db", full_dir);
    snprintf(filler, sizeof filler, "%s/filler", full_dir);
    test_remove_db(path);
    unlink(filler);

    test_clock clock = { T0 };
    esc_db *db = test_open(path, &clock);
    esc_escalation *before = test_new_escalation(db);
    test_drive_to(db, before, ESC_STATE_PLAN);
    esc_db_close(db);
    /* A fresh handle starts with an empty WAL: whatever it writes next
     * needs new space. */
    db = test_open(path, &clock);
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_get(&esc, db, esc_escalation_id(before)), ESC_OK);
    fill_disk(filler);

    /* Long texts so that the step cannot fit in space the file already has. */
    size_t big = 20000;
    char *text = malloc(big + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, 'x', big);
    text[big] = '\0';
    esc_action note = note_action(text);
    int rc;
    switch ((full_write)_i) {
    case FULL_STEP:
        rc = esc_apply(db, esc, &note);
        ck_assert_msg(rc == ESC_EFULL || rc == ESC_EIO, "apply on a full disk: %s (%s)",
                      esc_status_name(rc), esc_db_errmsg(db));
        ck_assert_str_ne(esc_db_errmsg(db), "");
        break;
    case FULL_BATCH:
        ck_assert_status(db, esc_db_batch_begin(db), ESC_OK);
        rc = esc_apply(db, esc, &note);
        if (rc == ESC_OK) {
            /* The step fitted in memory: the commit must then fail whole. */
            rc = esc_db_batch_commit(db);
            ck_assert_msg(rc == ESC_EFULL || rc == ESC_EIO, "commit on a full disk: %s (%s)",
                          esc_status_name(rc), esc_db_errmsg(db));
            ck_assert_str_ne(esc_db_errmsg(db), "");
            esc_escalation_free(esc);
            esc = NULL;
            ck_assert_status(db, esc_escalation_get(&esc, db, esc_escalation_id(before)), ESC_OK);
        } else {
            ck_assert_msg(rc == ESC_EFULL || rc == ESC_EIO, "apply in a batch on a full disk: %s",
                          esc_status_name(rc));
            ck_assert_str_ne(esc_db_errmsg(db), "");
            rc = esc_db_batch_rollback(db);
            ck_assert_msg(rc == ESC_OK || rc == ESC_EINVAL, "rollback: %s", esc_status_name(rc));
        }
        /* No batch is left open, whichever way it failed. */
        ck_assert_status(db, esc_db_batch_rollback(db), ESC_EINVAL);
        break;
    case FULL_OPEN: {
        esc_open_params p = ESC_OPEN_PARAMS_INIT;
        p.actor = AGENT;
        p.summary = text;
        p.customer_id = "cust-full";
        esc_escalation *created = (esc_escalation *)&created;
        rc = esc_escalation_open(&created, db, &p);
        ck_assert_msg(rc == ESC_EFULL || rc == ESC_EIO, "open escalation on a full disk: %s (%s)",
                      esc_status_name(rc), esc_db_errmsg(db));
        ck_assert_str_ne(esc_db_errmsg(db), "");
        ck_assert_ptr_null(created);
        break;
    }
    }
    /* The snapshot did not move... */
    assert_same_escalation(esc, before);
    /* ...and neither did the database, seen by this handle, */
    unlink(filler);
    assert_stored(db, before);
    /* by a new handle, */
    esc_db_close(db);
    db = test_open(path, &clock);
    assert_stored(db, before);
    ck_assert_int_eq(test_history_length(db, esc_escalation_id(before)), (int)esc_escalation_version(before));
    esc_escalation_list *list = NULL;
    ck_assert_status(db, esc_escalation_list_query(&list, db, NULL), ESC_OK);
    ck_assert_uint_eq(esc_escalation_list_count(list), 1);
    esc_escalation_list_free(list);
    /* and the same snapshot works once there is room again. */
    ck_assert_status(db, esc_apply(db, esc, &note), ESC_OK);
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    esc_verify_report_free(report);
    esc_db_close(db);
    test_remove_db(path);
    free(text);
    esc_escalation_free(esc);
    esc_escalation_free(before);
}
END_TEST

/* ---- batches ------------------------------------------------------------------ */

/* Two handles on one file; the escalation both know. */
typedef struct two_handles {
    char path[1024];
    test_clock clock;
    esc_db *a, *b;
    esc_escalation *esc;  /* a's snapshot */
} two_handles;

static void two_handles_open(two_handles *t)
{
    copy_path(t->path, sizeof t->path, test_path("batch"));
    t->clock.now = T0;
    t->a = test_open(t->path, &t->clock);
    t->b = test_open(t->path, &t->clock);
    t->esc = test_new_escalation(t->a);
}

static void two_handles_close(two_handles *t)
{
    esc_escalation_free(t->esc);
    esc_db_close(t->a);
    esc_db_close(t->b);
}

static int64_t stored_version(esc_db *db, const char *id)
{
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_get(&esc, db, id), ESC_OK);
    int64_t version = esc_escalation_version(esc);
    esc_escalation_free(esc);
    return version;
}

START_TEST(test_batch_invisible_until_commit)
{
    two_handles t;
    two_handles_open(&t);
    const char *id = esc_escalation_id(t.esc);
    ck_assert_status(t.a, esc_db_batch_begin(t.a), ESC_OK);
    esc_action note = note_action("In the batch");
    test_must(t.a, t.esc, &note);
    test_must(t.a, t.esc, &note);
    esc_escalation *other = test_new_escalation(t.a);
    /* The batch sees itself... */
    ck_assert_int_eq(stored_version(t.a, id), 3);
    ck_assert_uint_eq(test_escalation_count(t.a), 2);
    /* ...nobody else does. */
    ck_assert_int_eq(stored_version(t.b, id), 1);
    ck_assert_uint_eq(test_escalation_count(t.b), 1);
    esc_escalation *missing = NULL;
    ck_assert_status(t.b, esc_escalation_get(&missing, t.b, esc_escalation_id(other)), ESC_ENOTFOUND);

    ck_assert_status(t.a, esc_db_batch_commit(t.a), ESC_OK);
    ck_assert_int_eq(stored_version(t.b, id), 3);
    assert_stored(t.b, t.esc);
    assert_stored(t.b, other);
    ck_assert_int_eq(test_history_length(t.b, id), 3);
    /* The batch is over. */
    ck_assert_status(t.a, esc_db_batch_commit(t.a), ESC_EINVAL);
    esc_escalation_free(other);
    two_handles_close(&t);
}
END_TEST

START_TEST(test_batch_rollback_discards)
{
    two_handles t;
    two_handles_open(&t);
    const char *id = esc_escalation_id(t.esc);
    esc_escalation *before = NULL;
    ck_assert_int_eq(esc_escalation_dup(&before, t.esc), ESC_OK);

    ck_assert_status(t.a, esc_db_batch_begin(t.a), ESC_OK);
    esc_action note = note_action("Rolled back");
    test_must(t.a, t.esc, &note);
    esc_escalation *other = test_new_escalation(t.a);
    ck_assert_status(t.a, esc_db_batch_rollback(t.a), ESC_OK);

    for (int h = 0; h < 2; h++) {
        esc_db *db = h ? t.b : t.a;
        assert_stored(db, before);
        ck_assert_int_eq(test_history_length(db, id), 1);
        ck_assert_uint_eq(test_escalation_count(db), 1);
        esc_escalation *missing = NULL;
        ck_assert_status(db, esc_escalation_get(&missing, db, esc_escalation_id(other)),
                         ESC_ENOTFOUND);
    }
    /* The snapshot refreshed inside the batch describes a version that
     * never was: it must not be written on top of the real one. */
    ck_assert_status(t.a, esc_apply(t.a, t.esc, &note), ESC_ECONFLICT);
    ck_assert_status(t.a, esc_db_batch_rollback(t.a), ESC_EINVAL);
    assert_stored(t.b, before);
    esc_escalation_free(other);
    esc_escalation_free(before);
    two_handles_close(&t);
}
END_TEST

/* Ways a step inside a batch can be refused; each must leave the batch's
 * earlier steps as they were. */
typedef enum batch_refusal { REFUSE_GUARD, REFUSE_CONFLICT, REFUSE_DUPLICATE_REF, REFUSE_INVALID } batch_refusal;

static const char *const refusal_names[] = { "guard", "conflict", "duplicate ref", "invalid" };

START_TEST(test_batch_refused_step_keeps_earlier_steps)
{
    two_handles t;
    two_handles_open(&t);
    const char *id = esc_escalation_id(t.esc);
    esc_escalation *stale = NULL;
    ck_assert_int_eq(esc_escalation_dup(&stale, t.esc), ESC_OK);

    ck_assert_status(t.a, esc_db_batch_begin(t.a), ESC_OK);
    esc_action note = note_action("Kept");
    test_must(t.a, t.esc, &note);
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "Opened in the batch";
    p.customer_id = "cust-b";
    p.external_ref = "BATCH-1";
    esc_escalation *kept = NULL;
    ck_assert_status(t.a, esc_escalation_open(&kept, t.a, &p), ESC_OK);
    esc_escalation *after_steps = NULL;
    ck_assert_int_eq(esc_escalation_dup(&after_steps, t.esc), ESC_OK);

    int rc = ESC_OK, expected = ESC_OK;
    switch ((batch_refusal)_i) {
    case REFUSE_GUARD: {
        /* Ownership needs a plan first. */
        esc_action own = action_of(ESC_ACTION_TAKE_OWNERSHIP, &SUPERVISOR);
        own.person = SUPERVISOR;
        rc = esc_apply(t.a, t.esc, &own);
        expected = ESC_ETRANSITION;
        break;
    }
    case REFUSE_CONFLICT:
        /* Reaches the store: the row update finds another version. */
        rc = esc_apply(t.a, stale, &note);
        expected = ESC_ECONFLICT;
        break;
    case REFUSE_DUPLICATE_REF:
        /* Reaches the store: the insert hits the unique reference. */
        p.summary = "Same reference again";
        rc = esc_escalation_open(NULL, t.a, &p);
        expected = ESC_EEXISTS;
        break;
    case REFUSE_INVALID:
        note.text = "";
        rc = esc_apply(t.a, t.esc, &note);
        expected = ESC_EINVAL;
        break;
    }
    ck_assert_msg(rc == expected, "%s: %s, expected %s (%s)", refusal_names[_i],
                  esc_status_name(rc), esc_status_name(expected), esc_db_errmsg(t.a));
    assert_same_escalation(t.esc, after_steps);

    /* The batch goes on after the refusal... */
    note.text = "After the refusal";
    test_must(t.a, t.esc, &note);
    ck_assert_status(t.a, esc_db_batch_commit(t.a), ESC_OK);
    /* ...and everything but the refused step is there. */
    assert_stored(t.b, t.esc);
    assert_stored(t.b, kept);
    ck_assert_int_eq(esc_escalation_version(t.esc), 3);
    ck_assert_int_eq(test_history_length(t.b, id), 3);
    ck_assert_uint_eq(test_escalation_count(t.b), 2);
    esc_escalation_free(after_steps);
    esc_escalation_free(kept);
    esc_escalation_free(stale);
    two_handles_close(&t);
}
END_TEST

START_TEST(test_batch_misuse)
{
    two_handles t;
    two_handles_open(&t);
    /* Nothing to commit or roll back. */
    ck_assert_status(t.a, esc_db_batch_commit(t.a), ESC_EINVAL);
    ck_assert_str_ne(esc_db_errmsg(t.a), "");
    ck_assert_status(t.a, esc_db_batch_rollback(t.a), ESC_EINVAL);
    ck_assert_str_ne(esc_db_errmsg(t.a), "");

    /* Batches do not nest, and the refused begin keeps the open batch. */
    ck_assert_status(t.a, esc_db_batch_begin(t.a), ESC_OK);
    esc_action note = note_action("In the outer batch");
    test_must(t.a, t.esc, &note);
    ck_assert_status(t.a, esc_db_batch_begin(t.a), ESC_EINVAL);
    ck_assert_str_ne(esc_db_errmsg(t.a), "");
    ck_assert_int_eq(stored_version(t.b, esc_escalation_id(t.esc)), 1);
    /* Rebuilding is not a batch step. */
    ck_assert_status(t.a, esc_db_rebuild(NULL, t.a), ESC_EINVAL);
    ck_assert_status(t.a, esc_db_batch_commit(t.a), ESC_OK);
    ck_assert_int_eq(stored_version(t.b, esc_escalation_id(t.esc)), 2);
    ck_assert_status(t.a, esc_db_batch_commit(t.a), ESC_EINVAL);

    /* An empty batch is fine both ways. */
    ck_assert_status(t.a, esc_db_batch_begin(t.a), ESC_OK);
    ck_assert_status(t.a, esc_db_batch_commit(t.a), ESC_OK);
    ck_assert_status(t.a, esc_db_batch_begin(t.a), ESC_OK);
    ck_assert_status(t.a, esc_db_batch_rollback(t.a), ESC_OK);
    two_handles_close(&t);
}
END_TEST

START_TEST(test_close_discards_open_batch)
{
    two_handles t;
    two_handles_open(&t);
    const char *id = esc_escalation_id(t.esc);
    esc_escalation *before = NULL;
    ck_assert_int_eq(esc_escalation_dup(&before, t.esc), ESC_OK);
    ck_assert_status(t.a, esc_db_batch_begin(t.a), ESC_OK);
    esc_action note = note_action("Never committed");
    test_must(t.a, t.esc, &note);
    esc_escalation *other = test_new_escalation(t.a);
    esc_db_close(t.a);
    t.a = NULL;

    assert_stored(t.b, before);
    ck_assert_int_eq(test_history_length(t.b, id), 1);
    ck_assert_uint_eq(test_escalation_count(t.b), 1);
    /* The lock went with the handle: others can write at once. */
    esc_escalation *esc = NULL;
    ck_assert_status(t.b, esc_escalation_get(&esc, t.b, id), ESC_OK);
    test_must(t.b, esc, &note);
    esc_escalation_free(esc);
    esc_db_close(t.b);
    t.b = NULL;

    /* And the file agrees after everyone is gone. */
    t.a = test_open(t.path, &t.clock);
    ck_assert_uint_eq(test_escalation_count(t.a), 1);
    ck_assert_int_eq(test_history_length(t.a, id), 2);
    esc_escalation_free(other);
    esc_escalation_free(before);
    two_handles_close(&t);
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");

    TCase *tc = tcase_create("roundtrip");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_roundtrip_every_field);
    tcase_add_test(tc, test_get_by_external_ref);
    tcase_add_test(tc, test_duplicate_external_ref);
    tcase_add_test(tc, test_unknown_id);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_created_file_mode, 0, (int)ARRAY_SIZE(file_modes));
    tcase_add_test(tc, test_file_mode_applies_only_to_new_files);
    tcase_add_test(tc, test_journal_and_sync_options);
    tcase_add_test(tc, test_bad_file_mode_creates_nothing);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_readonly_handle);
    tcase_add_test(tc, test_write_protected_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("foreign_files");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_not_a_database, 0, (int)ARRAY_SIZE(not_databases));
    tcase_add_loop_test(tc, test_foreign_sqlite_database, 0, (int)ARRAY_SIZE(foreign_databases));
    tcase_add_test(tc, test_newer_schema);
    tcase_add_test(tc, test_negative_schema_version);
    tcase_add_test(tc, test_missing_table);
    tcase_add_loop_test(tc, test_damaged_file, 0, (int)ARRAY_SIZE(damages));
    suite_add_tcase(s, tc);

    tc = tcase_create("migrations");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_migrate_empty_v1);
    tcase_add_test(tc, test_migrate_v1_with_data);
    tcase_add_test(tc, test_migrate_v2_with_data);
    tcase_add_test(tc, test_migrate_v3_chains_old_events);
    tcase_add_test(tc, test_migrate_needs_write);
    suite_add_tcase(s, tc);

    tc = tcase_create("full_disk");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, full_disk_setup, full_disk_teardown);
    tcase_add_loop_test(tc, test_full_disk, FULL_STEP, FULL_OPEN + 1);
    suite_add_tcase(s, tc);

    tc = tcase_create("batches");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_batch_invisible_until_commit);
    tcase_add_test(tc, test_batch_rollback_discards);
    tcase_add_loop_test(tc, test_batch_refused_step_keeps_earlier_steps, REFUSE_GUARD,
                        REFUSE_INVALID + 1);
    tcase_add_test(tc, test_batch_misuse);
    tcase_add_test(tc, test_close_discards_open_batch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return test_run(store_suite());
}
