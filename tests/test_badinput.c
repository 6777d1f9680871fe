/*
 * test_badinput.c — every public function fed what it must refuse: NULL
 * handles, outputs and objects; out-of-range enumerations; unknown struct
 * versions; empty, oversized, non-UTF-8 and control-character text; actors
 * off the ladder; contradictory open flags.  Each refusal must return the
 * documented code, leave a message on the handle that names the culprit,
 * and change nothing.  Getters given NULL answer ""/0/NULL.  Text exactly
 * at its limit is accepted, and hostile but valid text (SQL, format
 * strings, bidi marks, emoji ...) is stored and read back byte for byte.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "escalate.h"
#include "testutil.h"
#include "text.h"   /* esc__utf8_valid(), itself tested in test_text.c */
#include "json.h"   /* esc__json_parse(), for outbox payloads */

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#define SHORT_OVER (ESC_SHORT_TEXT_MAX + 1)
#define LONG_OVER (ESC_LONG_TEXT_MAX + 1)

/* A malloc'd text of exactly len bytes: unit repeated while it fits whole,
 * then 'a's.  A multi-byte unit puts the limit right after a character. */
static char *make_text(size_t len, const char *unit)
{
    size_t u = strlen(unit), n = 0;
    char *s = malloc(len + 1);
    ck_assert_ptr_nonnull(s);
    while (n + u <= len) {
        memcpy(s + n, unit, u);
        n += u;
    }
    memset(s + n, 'a', len - n);
    s[len] = '\0';
    return s;
}

/* ---- what "nothing changed" means ---------------------------------------------- */

typedef struct fingerprint {
    int64_t version;
    esc_state state;
    size_t events;
    size_t items[ESC_ITEM_KIND_COUNT];
} fingerprint;

/* The stored state of one escalation (not the caller's snapshot). */
static fingerprint take_fingerprint(esc_db *db, const char *id)
{
    fingerprint fp;
    esc_escalation *esc = NULL;
    esc_event_list *history = NULL;
    ck_assert_status(db, esc_escalation_get(&esc, db, id), ESC_OK);
    ck_assert_status(db, esc_history(&history, db, id), ESC_OK);
    fp.version = esc_escalation_version(esc);
    fp.state = esc_escalation_state(esc);
    fp.events = esc_event_list_count(history);
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++)
        fp.items[k] = esc_escalation_item_count(esc, (esc_item_kind)k);
    esc_event_list_free(history);
    esc_escalation_free(esc);
    return fp;
}

static void assert_same(const fingerprint *a, const fingerprint *b, const char *label)
{
    ck_assert_msg(a->version == b->version, "%s: version %lld -> %lld", label,
                  (long long)a->version, (long long)b->version);
    ck_assert_msg(a->state == b->state, "%s: state %s -> %s", label, esc_state_name(a->state),
                  esc_state_name(b->state));
    ck_assert_msg(a->events == b->events, "%s: %zu events -> %zu", label, a->events, b->events);
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++)
        ck_assert_msg(a->items[k] == b->items[k], "%s: %zu %s items -> %zu", label, a->items[k],
                      esc_item_kind_name((esc_item_kind)k), b->items[k]);
}

/* The handle describes the refusal it just returned. */
static void assert_reported(esc_db *db, int expected, const char *mention, const char *label)
{
    const char *msg = esc_db_errmsg(db);
    ck_assert_msg(esc_db_errcode(db) == expected, "%s: errcode %s, expected %s", label,
                  esc_status_name(esc_db_errcode(db)), esc_status_name(expected));
    ck_assert_msg(msg != NULL && msg[0] != '\0', "%s: empty message", label);
    ck_assert_msg(mention == NULL || strstr(msg, mention) != NULL,
                  "%s: message \"%s\" does not mention \"%s\"", label, msg, mention);
    ck_assert_msg(esc__utf8_valid(msg, strlen(msg)), "%s: the message is not valid UTF-8", label);
}

/* Table loops collect every failing case before failing, so one run lists
 * all of them instead of stopping at the first. */
typedef struct failures {
    int count;
    char text[16384];
} failures;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int soft(failures *f, int ok, const char *fmt, ...)
{
    if (ok)
        return 1;
    size_t used = strlen(f->text);
    if (used + 2 < sizeof f->text) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->text + used, sizeof f->text - used - 1, fmt, ap);
        va_end(ap);
        strcat(f->text, "\n");
    }
    f->count++;
    return 0;
}

#define ASSERT_NO_FAILURES(f) \
    ck_assert_msg((f).count == 0, "%d failing case(s):\n%s", (f).count, (f).text)

/* The soft twin of assert_reported(). */
static void check_reported(failures *f, esc_db *db, int expected, const char *mention,
                           const char *label)
{
    const char *msg = esc_db_errmsg(db);
    soft(f, esc_db_errcode(db) == expected, "%s: errcode %s, expected %s", label,
         esc_status_name(esc_db_errcode(db)), esc_status_name(expected));
    soft(f, msg != NULL && msg[0] != '\0', "%s: empty message", label);
    soft(f, mention == NULL || (msg && strstr(msg, mention) != NULL),
         "%s: message \"%s\" does not mention \"%s\"", label, msg ? msg : "(null)", mention);
    /* The message is API text too: a binding decodes it as UTF-8, so the
     * caller's bad bytes must not be echoed into it raw. */
    soft(f, msg == NULL || esc__utf8_valid(msg, strlen(msg)),
         "%s: the message is not valid UTF-8", label);
}

static int same_fingerprint(const fingerprint *a, const fingerprint *b)
{
    if (a->version != b->version || a->state != b->state || a->events != b->events)
        return 0;
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++)
        if (a->items[k] != b->items[k])
            return 0;
    return 1;
}

/* ---- the table of bad values ------------------------------------------------------ */

/* Every input struct, filled with valid values; a case spoils one field. */
typedef struct inputs {
    esc_open_params open;
    esc_action action;
    esc_filter filter;
    esc_db_options options;
    const char *path;
} inputs;

typedef enum target { T_OPEN, T_ACTION, T_FILTER, T_DB_OPEN } target;

typedef void (*setter)(inputs *in, const char *text, long long num);

typedef struct bad_case {
    target target;
    esc_action_kind kind;    /* T_ACTION: which action */
    const char *field;       /* for messages */
    setter set;
    const char *text;        /* the bad text ... */
    size_t len;              /* ... or, when non-zero, a generated text this long */
    const char *unit;        /* what the generated text is made of (NULL: "a") */
    long long num;           /* the bad number, for number setters */
    int expected;
    const char *mention;     /* the message names the argument */
} bad_case;

#define S(name, expr) \
    static void name(inputs *in, const char *text, long long num) \
    { (void)text; (void)num; expr; }

S(open_version, in->open.version = (unsigned int)num)
S(open_actor_id, in->open.actor.id = text)
S(open_actor_name, in->open.actor.name = text)
S(open_actor_tier, in->open.actor.tier = (int)num)
S(open_summary, in->open.summary = text)
S(open_customer_id, in->open.customer_id = text)
S(open_customer_name, in->open.customer_name = text)
S(open_external_ref, in->open.external_ref = text)
S(open_channel, in->open.channel = (esc_channel)num)
S(open_impact, in->open.impact = (int)num)
S(open_urgency, in->open.urgency = (int)num)

S(act_version, in->action.version = (unsigned int)num)
S(act_kind, in->action.kind = (esc_action_kind)num)
S(act_actor_id, in->action.actor.id = text)
S(act_actor_name, in->action.actor.name = text)
S(act_actor_tier, in->action.actor.tier = (int)num)
S(act_text, in->action.text = text)
S(act_category, in->action.category = text)
S(act_person_id, in->action.person.id = text)
S(act_person_name, in->action.person.name = text)
S(act_person_tier, in->action.person.tier = (int)num)
S(act_tier, in->action.tier = (int)num)
S(act_hold, in->action.hold = (esc_hold)num)
S(act_impact, in->action.impact = (int)num)
S(act_urgency, in->action.urgency = (int)num)
S(act_satisfaction, in->action.satisfaction = (int)num)
S(act_lessons, in->action.lessons = text)
S(act_brief_wrong, in->action.brief_went_wrong = text)
S(act_brief_tried, in->action.brief_tried = text)
S(act_brief_response, in->action.brief_response = text)
S(act_at, in->action.at = num)

S(flt_version, in->filter.version = (unsigned int)num)
S(flt_state, in->filter.state = (int)num)
S(flt_owner, in->filter.owner_id = text)
S(flt_tier, in->filter.tier = (int)num)
S(flt_priority, in->filter.priority = (int)num)
S(flt_tag, in->filter.tag = text)
S(flt_customer, in->filter.customer_id = text)
S(flt_open, in->filter.open = (int)num)
S(flt_order, in->filter.order = (esc_order)num)
S(flt_limit, in->filter.limit = (size_t)num)

S(opt_version, in->options.version = (unsigned int)num)
S(opt_flags, in->options.flags = (unsigned int)num)
S(opt_busy, in->options.busy_timeout_ms = (int)num)
S(opt_mode, in->options.file_mode = (unsigned int)num)
S(opt_attempts, in->options.follow_up_attempts = (int)num)
S(opt_journal, in->options.journal = (int)num)
S(opt_sync, in->options.sync = (int)num)
S(opt_path, in->path = text)

/* Row builders.  w: the target and the action kind in parentheses, e.g.
 * (T_OPEN, 0), so that it passes through the macros below as one argument
 * (the O/A/F/D shorthands). */
#define UNPACK(target, kind) target, kind
#define NUM(w, set, n, mention) \
    { UNPACK w, #set " = " #n, set, NULL, 0, NULL, n, ESC_EINVAL, mention }
#define TXT(w, set, s, mention) \
    { UNPACK w, #set " = " #s, set, s, 0, NULL, 0, ESC_EINVAL, mention }
#define LEN(w, set, n, unit, mention) \
    { UNPACK w, #set " = " #n " bytes of " #unit, set, NULL, n, unit, 0, ESC_EINVAL, mention }

/* The invalid UTF-8 every text field must refuse: a bad continuation byte,
 * an encoded UTF-16 surrogate, an overlong '/', a stray continuation, a
 * truncated sequence, and a code point above U+10FFFF. */
#define BAD_UTF8(w, set, mention) \
    TXT(w, set, "\xC3\x28", mention), TXT(w, set, "\xED\xA0\x80", mention), \
    TXT(w, set, "\xC0\xAF", mention), TXT(w, set, "ok\x80", mention), \
    TXT(w, set, "cut\xE2\x82", mention), TXT(w, set, "\xF4\x90\x80\x80", mention)

/* Short text: no control characters at all (tab and newline included). */
#define BAD_SHORT_OPTIONAL(w, set, mention) \
    LEN(w, set, SHORT_OVER, "a", mention), \
    LEN(w, set, SHORT_OVER, "\xF0\x9F\x98\x80", mention), \
    BAD_UTF8(w, set, mention), \
    TXT(w, set, "a\x01z", mention), TXT(w, set, "tab\there", mention), \
    TXT(w, set, "new\nline", mention), TXT(w, set, "del\x7f", mention), \
    TXT(w, set, "\x1b[31m", mention)
#define BAD_SHORT(w, set, mention) \
    TXT(w, set, NULL, mention), TXT(w, set, "", mention), \
    BAD_SHORT_OPTIONAL(w, set, mention)

/* Long text: tab, CR and LF are fine, other C0 controls are not. */
#define BAD_LONG_OPTIONAL(w, set, mention) \
    LEN(w, set, LONG_OVER, "a", mention), \
    LEN(w, set, LONG_OVER, "\xE2\x82\xAC", mention), \
    BAD_UTF8(w, set, mention), \
    TXT(w, set, "bell\x07", mention), TXT(w, set, "\x1b[2J wiped", mention)
#define BAD_LONG(w, set, mention) \
    TXT(w, set, NULL, mention), TXT(w, set, "", mention), \
    BAD_LONG_OPTIONAL(w, set, mention)

#define O (T_OPEN, 0)
#define A(kind) (T_ACTION, ESC_ACTION_##kind)
#define F (T_FILTER, 0)
#define D (T_DB_OPEN, 0)

static const bad_case bad_cases[] = {
    /* esc_escalation_open() */
    NUM(O, open_version, 0, "version"),
    NUM(O, open_version, 99, "version"),
    BAD_SHORT(O, open_actor_id, "actor id"),
    BAD_SHORT(O, open_actor_name, "actor name"),
    NUM(O, open_actor_tier, 0, "actor tier"),
    NUM(O, open_actor_tier, -1, "actor tier"),
    NUM(O, open_actor_tier, 5, "actor tier"),          /* the default ladder has 4 */
    NUM(O, open_actor_tier, ESC_TIER_MAX + 1, "actor tier"),
    BAD_LONG(O, open_summary, "summary"),
    BAD_SHORT(O, open_customer_id, "customer id"),
    BAD_SHORT_OPTIONAL(O, open_customer_name, "customer name"),
    BAD_SHORT_OPTIONAL(O, open_external_ref, "external reference"),
    NUM(O, open_channel, -1, "channel"),
    NUM(O, open_channel, ESC_CHANNEL_COUNT, "channel"),
    NUM(O, open_impact, 0, "impact"),
    NUM(O, open_impact, 5, "impact"),
    NUM(O, open_urgency, 0, "urgency"),
    NUM(O, open_urgency, 5, "urgency"),

    /* esc_apply(): the action itself */
    NUM(A(NOTE), act_version, 0, "version"),
    NUM(A(NOTE), act_version, 99, "version"),
    NUM(A(NOTE), act_kind, -1, "kind"),
    NUM(A(NOTE), act_kind, ESC_ACTION_COUNT, "kind"),
    NUM(A(NOTE), act_kind, ESC_ACTION_OPEN, "esc_escalation_open"),
    BAD_SHORT(A(NOTE), act_actor_id, "actor id"),
    BAD_SHORT(A(NOTE), act_actor_name, "actor name"),
    NUM(A(NOTE), act_actor_tier, 0, "actor tier"),
    NUM(A(NOTE), act_actor_tier, -3, "actor tier"),
    NUM(A(NOTE), act_actor_tier, 5, "actor tier"),
    NUM(A(TAG), act_actor_tier, ESC_TIER_MAX + 1, "actor tier"),
    /* ... and the arguments each kind takes */
    BAD_LONG(A(NOTE), act_text, "text"),
    BAD_SHORT(A(ACK_EMOTION), act_text, "text"),
    BAD_SHORT(A(TAG), act_text, "text"),
    BAD_LONG(A(STATE_PROBLEM), act_text, "text"),
    BAD_LONG(A(CONFIRM_PROBLEM), act_text, "text"),    /* a correction (yes = 0) */
    BAD_LONG(A(ADD_STEP), act_text, "text"),
    NUM(A(ADD_STEP), act_at, -1, "time"),
    BAD_LONG(A(OFFER_OPTION), act_text, "text"),
    BAD_SHORT(A(TAKE_OWNERSHIP), act_person_name, "person name"),
    NUM(A(TAKE_OWNERSHIP), act_person_tier, 0, "person tier"),
    NUM(A(TAKE_OWNERSHIP), act_person_tier, 5, "person tier"),
    BAD_SHORT(A(LOOP_IN), act_person_id, "person id"),
    BAD_SHORT(A(LOOP_IN), act_person_name, "person name"),
    BAD_SHORT(A(LOOP_IN), act_category, "category"),
    BAD_LONG(A(SEND_UPDATE), act_text, "text"),
    BAD_SHORT(A(REQUEST_EXCEPTION), act_category, "category"),
    BAD_LONG(A(REQUEST_EXCEPTION), act_text, "text"),
    NUM(A(REQUEST_EXCEPTION), act_tier, 0, "tier"),
    NUM(A(REQUEST_EXCEPTION), act_tier, 5, "tier"),
    BAD_LONG_OPTIONAL(A(DECIDE_EXCEPTION), act_text, "text"),
    BAD_LONG(A(RECORD_RESOLUTION), act_text, "text"),
    BAD_LONG_OPTIONAL(A(SCHEDULE_FOLLOW_UP), act_text, "text"),
    BAD_LONG(A(COMPLETE_FOLLOW_UP), act_text, "text"),
    BAD_LONG(A(REOPEN), act_text, "text"),
    BAD_SHORT_OPTIONAL(A(CLOSE), act_category, "category"),
    BAD_LONG_OPTIONAL(A(CLOSE), act_text, "text"),
    BAD_LONG_OPTIONAL(A(CLOSE), act_lessons, "lessons"),
    NUM(A(CLOSE), act_satisfaction, -1, "satisfaction"),
    NUM(A(CLOSE), act_satisfaction, 6, "satisfaction"),
    BAD_LONG(A(WITHDRAW), act_text, "text"),
    NUM(A(MOVE_TIER), act_person_tier, 0, "person tier"),
    NUM(A(MOVE_TIER), act_person_tier, 5, "person tier"),
    BAD_SHORT(A(MOVE_TIER), act_person_name, "person name"),
    BAD_LONG_OPTIONAL(A(MOVE_TIER), act_brief_wrong, "brief"),
    BAD_LONG_OPTIONAL(A(MOVE_TIER), act_brief_tried, "brief"),
    BAD_LONG_OPTIONAL(A(MOVE_TIER), act_brief_response, "brief"),
    NUM(A(HOLD), act_hold, ESC_HOLD_NONE, "hold"),
    NUM(A(HOLD), act_hold, -1, "hold"),
    NUM(A(HOLD), act_hold, ESC_HOLD_COUNT, "hold"),
    BAD_LONG(A(HOLD), act_text, "text"),
    NUM(A(REASSESS), act_impact, 0, "impact"),
    NUM(A(REASSESS), act_impact, 5, "impact"),
    NUM(A(REASSESS), act_urgency, 0, "urgency"),
    NUM(A(REASSESS), act_urgency, 5, "urgency"),

    /* esc_escalation_list_query() */
    NUM(F, flt_version, 0, "version"),
    NUM(F, flt_version, 99, "version"),
    NUM(F, flt_state, -2, "state"),
    NUM(F, flt_state, ESC_STATE_COUNT, "state"),
    NUM(F, flt_tier, 0, "tier"),
    NUM(F, flt_tier, ESC_TIER_MAX + 1, "tier"),
    NUM(F, flt_priority, 0, "priority"),
    NUM(F, flt_priority, 6, "priority"),
    NUM(F, flt_open, -1, "open"),
    NUM(F, flt_open, ESC_FILTER_CLOSED + 1, "open"),
    NUM(F, flt_order, -1, "order"),
    NUM(F, flt_order, ESC_ORDER_CREATED + 1, "order"),
    NUM(F, flt_limit, ESC_LIST_LIMIT_MAX + 1, "limit"),
    TXT(F, flt_owner, "", "owner"),
    BAD_SHORT_OPTIONAL(F, flt_owner, "owner"),
    TXT(F, flt_tag, "", "tag"),
    BAD_SHORT_OPTIONAL(F, flt_tag, "tag"),
    TXT(F, flt_customer, "", "customer"),
    BAD_SHORT_OPTIONAL(F, flt_customer, "customer"),

    /* esc_db_open() */
    NUM(D, opt_version, 0, "version"),
    NUM(D, opt_version, 99, "version"),
    NUM(D, opt_flags, ESC_OPEN_CREATE | ESC_OPEN_READONLY, "ESC_OPEN_READONLY"),
    NUM(D, opt_flags, 0x80, "flags"),
    NUM(D, opt_busy, -1, "busy"),
    NUM(D, opt_mode, 0100600, "mode"),
    NUM(D, opt_attempts, -1, "attempts"),
    NUM(D, opt_journal, -1, "journal"),
    NUM(D, opt_journal, 2, "journal"),
    NUM(D, opt_sync, -1, "sync"),
    NUM(D, opt_sync, 2, "sync"),
    TXT(D, opt_path, NULL, "path"),
    LEN(D, opt_path, LONG_OVER, "a", "path"),
    BAD_UTF8(D, opt_path, "path"),
    TXT(D, opt_path, "/tmp/bell\x07.db", "path"),
};

/* Valid arguments for each kind the table uses. */
static void valid_action(esc_action *a, esc_action_kind kind, int64_t now)
{
    static const esc_person watcher = { "w-1", "Wendy Watcher", 0 };
    ck_assert_int_eq(esc_action_init(a, ESC_ACTION_VERSION, kind), ESC_OK);
    a->actor = SUPERVISOR;
    a->text = "Fine words.";
    switch (kind) {
    case ESC_ACTION_NOTE: a->customer_account = 1; break;
    case ESC_ACTION_ACK_EMOTION: a->text = "frustrated"; break;
    case ESC_ACTION_TAG: a->text = "billing"; break;
    case ESC_ACTION_CONFIRM_PROBLEM: a->yes = 0; a->text = "It was the other parcel."; break;
    case ESC_ACTION_ADD_STEP: a->at = now + DAY; break;
    case ESC_ACTION_TAKE_OWNERSHIP: a->person = SPECIALIST; break;
    case ESC_ACTION_LOOP_IN: a->person = watcher; a->category = "legal"; break;
    case ESC_ACTION_REQUEST_EXCEPTION: a->category = "refund"; a->tier = 3; break;
    case ESC_ACTION_DECIDE_EXCEPTION: a->item = 1; a->yes = 1; break;
    case ESC_ACTION_SCHEDULE_FOLLOW_UP: a->at = now + DAY; break;
    case ESC_ACTION_COMPLETE_FOLLOW_UP: a->item = 1; a->yes = 1; break;
    case ESC_ACTION_CLOSE:
        a->category = "carrier";
        a->satisfaction = 4;
        a->lessons = "Trace parcels sooner.";
        break;
    case ESC_ACTION_MOVE_TIER:
        a->tier = 3;
        a->person = SPECIALIST;
        a->brief_went_wrong = "Parcel lost.";
        a->brief_tried = "Carrier trace.";
        a->brief_response = "Angry.";
        break;
    case ESC_ACTION_HOLD: a->hold = ESC_HOLD_THIRD_PARTY; break;
    case ESC_ACTION_REASSESS: a->impact = 3; a->urgency = 3; break;
    default: break;
    }
}

static void valid_inputs(inputs *in, const bad_case *c, int64_t now)
{
    esc_open_params open = ESC_OPEN_PARAMS_INIT;
    esc_filter filter = ESC_FILTER_INIT;
    esc_db_options options = ESC_DB_OPTIONS_INIT;
    open.actor = AGENT;
    open.summary = "My parcel never arrived.";
    open.customer_id = "cust-1";
    open.customer_name = "Dana Customer";
    open.external_ref = NULL;
    open.impact = 2;
    open.urgency = 3;
    in->open = open;
    in->filter = filter;
    in->options = options;
    in->options.flags = ESC_OPEN_CREATE;
    in->path = NULL;
    valid_action(&in->action, c->kind, now);
}

/* The escalation every action case is tried on: owned, so that most kinds
 * would be allowed; validation comes first either way. */
typedef struct bench {
    test_clock clock;
    esc_db *db;
    esc_escalation *esc;
    char id[37];
} bench;

static void bench_open(bench *b)
{
    b->clock.now = T0;
    b->db = test_open_fresh(&b->clock);
    b->esc = test_new_escalation(b->db);
    test_drive_to(b->db, b->esc, ESC_STATE_OWN);
    snprintf(b->id, sizeof b->id, "%s", esc_escalation_id(b->esc));
}

static void bench_close(bench *b)
{
    esc_escalation_free(b->esc);
    esc_db_close(b->db);
}

/* Run one case (generated: the case's text when it is generated);
 * returns the status. */
static int run_case(bench *b, const bad_case *c, inputs *in, char *generated)
{
    const char *text = generated ? generated : c->text;
    int rc;

    valid_inputs(in, c, esc_db_now(b->db));
    char path[1024];
    snprintf(path, sizeof path, "%s", test_path("badopen"));
    in->path = path;
    c->set(in, text, c->num);

    switch (c->target) {
    case T_OPEN: {
        esc_escalation *out = (esc_escalation *)b;   /* must come back NULL */
        rc = esc_escalation_open(&out, b->db, &in->open);
        if (rc != ESC_OK)
            ck_assert_msg(out == NULL, "%s: out not reset", c->field);
        else
            esc_escalation_free(out);
        return rc;
    }
    case T_ACTION:
        return esc_apply(b->db, b->esc, &in->action);
    case T_FILTER: {
        esc_escalation_list *out = (esc_escalation_list *)b;
        rc = esc_escalation_list_query(&out, b->db, &in->filter);
        if (rc != ESC_OK)
            ck_assert_msg(out == NULL, "%s: out not reset", c->field);
        else
            esc_escalation_list_free(out);
        return rc;
    }
    case T_DB_OPEN: {
        esc_db *h = NULL;
        in->options.clock = test_clock_read;
        in->options.clock_payload = &b->clock;
        rc = esc_db_open(&h, in->path, &in->options);
        ck_assert_msg(h != NULL, "%s: no handle to explain the failure", c->field);
        if (rc != ESC_OK)
            assert_reported(h, rc, c->mention, c->field);
        esc_db_close(h);
        /* Refused options create no file. */
        if (rc != ESC_OK) {
            ck_assert_msg(access(path, F_OK) != 0, "%s: created %s", c->field, path);
            if (in->path != NULL && strlen(in->path) < 1000)
                ck_assert_msg(access(in->path, F_OK) != 0, "%s: created a file", c->field);
        }
        test_remove_db(path);
        return rc;
    }
    }
    return ESC_EINTERNAL;
}

START_TEST(test_bad_values)
{
    bench b;
    inputs in;
    failures f = { 0, "" };
    bench_open(&b);
    size_t escalations = test_escalation_count(b.db);
    fingerprint before = take_fingerprint(b.db, b.id);
    int64_t snapshot_version = esc_escalation_version(b.esc);

    for (size_t i = 0; i < COUNT_OF(bad_cases); i++) {
        const bad_case *c = &bad_cases[i];
        char label[160];
        char *generated = c->len ? make_text(c->len, c->unit ? c->unit : "a") : NULL;
        snprintf(label, sizeof label, "case %zu (%s%s%s)", i,
                 c->target == T_ACTION ? esc_action_name(c->kind) : "",
                 c->target == T_ACTION ? ": " : "", c->field);

        int rc = run_case(&b, c, &in, generated);
        free(generated);
        if (soft(&f, rc == c->expected, "%s: %s (%s), expected %s", label, esc_status_name(rc),
                 c->target == T_DB_OPEN ? "" : esc_db_errmsg(b.db), esc_status_name(c->expected))) {
            if (c->target != T_DB_OPEN) {
                check_reported(&f, b.db, c->expected, c->mention, label);
                soft(&f, esc_db_last_guard(b.db) == ESC_GUARD_NONE, "%s: last guard %s", label,
                     esc_guard_name(esc_db_last_guard(b.db)));
            }
        }
        /* Nothing changed: not the snapshot, not the row, not the list. */
        fingerprint after = take_fingerprint(b.db, b.id);
        size_t now_escalations = test_escalation_count(b.db);
        soft(&f, esc_escalation_version(b.esc) == snapshot_version, "%s: snapshot changed", label);
        soft(&f, same_fingerprint(&before, &after), "%s: the stored escalation changed", label);
        soft(&f, now_escalations == escalations, "%s: an escalation appeared", label);
        /* After a wrongly accepted case, compare the next ones with the new state. */
        before = after;
        escalations = now_escalations;
        snapshot_version = esc_escalation_version(b.esc);
    }
    ck_assert_int_eq(esc_escalation_state(b.esc), ESC_STATE_OWN);
    bench_close(&b);
    ASSERT_NO_FAILURES(f);
}
END_TEST

/* The control for the table: with nothing spoiled, each base input passes
 * validation (an action may still be refused for its state or a guard). */
START_TEST(test_bad_values_control)
{
    bench b;
    inputs in;
    bench_open(&b);
    for (size_t i = 0; i < COUNT_OF(bad_cases); i++) {
        bad_case c = bad_cases[i];
        c.set = c.target == T_OPEN ? open_version : c.target == T_ACTION ? act_version
              : c.target == T_FILTER ? flt_version : opt_version;
        c.num = 1;   /* every struct's version is 1: "spoil" nothing */
        esc_escalation *fresh = NULL;
        if (c.target == T_ACTION) {
            /* A fresh owned escalation per case: the base may change it. */
            fresh = test_new_escalation(b.db);
            test_drive_to(b.db, fresh, ESC_STATE_OWN);
            esc_escalation_free(b.esc);
            b.esc = fresh;
        }
        int rc = run_case(&b, &c, &in, NULL);
        ck_assert_msg(rc != ESC_EINVAL, "case %zu (%s): the valid base is refused: %s", i,
                      c.field, esc_db_errmsg(b.db));
        if (c.target != T_ACTION)
            ck_assert_msg(rc == ESC_OK, "case %zu (%s): %s", i, c.field, esc_status_name(rc));
    }
    bench_close(&b);
}
END_TEST

/* ---- text exactly at its limit -------------------------------------------------------- */

typedef const char *(*stored_fn)(const esc_escalation *esc);

static const char *last_item_text(const esc_escalation *esc, esc_item_kind kind)
{
    size_t n = esc_escalation_item_count(esc, kind);
    return n ? esc_item_text(esc_escalation_item(esc, kind, n - 1)) : NULL;
}

static const char *last_note(const esc_escalation *e) { return last_item_text(e, ESC_ITEM_NOTE); }
static const char *last_tag(const esc_escalation *e) { return last_item_text(e, ESC_ITEM_TAG); }
static const char *last_emotion(const esc_escalation *e)
{
    return last_item_text(e, ESC_ITEM_EMOTION);
}
static const char *last_watcher_id(const esc_escalation *e)
{
    size_t n = esc_escalation_item_count(e, ESC_ITEM_WATCHER);
    return n ? esc_item_person_id(esc_escalation_item(e, ESC_ITEM_WATCHER, n - 1)) : NULL;
}
static const char *last_watcher_name(const esc_escalation *e)
{
    size_t n = esc_escalation_item_count(e, ESC_ITEM_WATCHER);
    return n ? esc_item_person_name(esc_escalation_item(e, ESC_ITEM_WATCHER, n - 1)) : NULL;
}

static const struct at_limit {
    target target;
    esc_action_kind kind;
    setter set;
    size_t len;
    const char *unit;
    stored_fn stored;   /* where it can be read back (NULL: not stored on the escalation) */
} at_limit[] = {
    { T_OPEN, 0, open_summary, ESC_LONG_TEXT_MAX, "a", esc_escalation_summary },
    { T_OPEN, 0, open_summary, ESC_LONG_TEXT_MAX, "\xF0\x9F\x98\x80", esc_escalation_summary },
    { T_OPEN, 0, open_customer_id, ESC_SHORT_TEXT_MAX, "a", esc_escalation_customer_id },
    { T_OPEN, 0, open_customer_id, ESC_SHORT_TEXT_MAX, "\xC3\xA9", esc_escalation_customer_id },
    { T_OPEN, 0, open_customer_name, ESC_SHORT_TEXT_MAX, "\xE2\x82\xAC",
      esc_escalation_customer_name },
    { T_OPEN, 0, open_external_ref, ESC_SHORT_TEXT_MAX, "R", esc_escalation_external_ref },
    { T_OPEN, 0, open_actor_id, ESC_SHORT_TEXT_MAX, "i", NULL },
    { T_OPEN, 0, open_actor_name, ESC_SHORT_TEXT_MAX, "\xF0\x9F\x98\x80", NULL },
    { T_ACTION, ESC_ACTION_NOTE, act_text, ESC_LONG_TEXT_MAX, "line\n", last_note },
    { T_ACTION, ESC_ACTION_NOTE, act_actor_id, ESC_SHORT_TEXT_MAX, "x", NULL },
    { T_ACTION, ESC_ACTION_TAG, act_text, ESC_SHORT_TEXT_MAX, "t", last_tag },
    { T_ACTION, ESC_ACTION_TAG, act_text, ESC_SHORT_TEXT_MAX, "\xE2\x80\xAE", last_tag },
    { T_ACTION, ESC_ACTION_ACK_EMOTION, act_text, ESC_SHORT_TEXT_MAX, "\xC3\xA9", last_emotion },
    { T_ACTION, ESC_ACTION_LOOP_IN, act_person_id, ESC_SHORT_TEXT_MAX, "p", last_watcher_id },
    { T_ACTION, ESC_ACTION_LOOP_IN, act_person_name, ESC_SHORT_TEXT_MAX, "N", last_watcher_name },
};

START_TEST(test_text_at_limit_accepted)
{
    bench b;
    inputs in;
    bench_open(&b);
    for (size_t i = 0; i < COUNT_OF(at_limit); i++) {
        const struct at_limit *c = &at_limit[i];
        bad_case bc = { c->target, c->kind, "at limit", c->set, NULL, c->len, c->unit, 0, ESC_OK,
                        NULL };
        char *text = make_text(c->len, c->unit);
        esc_escalation *check = NULL;
        ck_assert_uint_eq(strlen(text), c->len);

        if (c->target == T_OPEN) {
            valid_inputs(&in, &bc, esc_db_now(b.db));
            c->set(&in, text, 0);
            ck_assert_status(b.db, esc_escalation_open(&check, b.db, &in.open), ESC_OK);
        } else {
            int rc = run_case(&b, &bc, &in, text);
            ck_assert_msg(rc == ESC_OK, "at-limit case %zu: %s %s", i, esc_status_name(rc),
                          esc_db_errmsg(b.db));
            ck_assert_status(b.db, esc_escalation_get(&check, b.db, b.id), ESC_OK);
        }
        if (c->stored) {
            /* Stored whole, not cut. */
            const char *back = c->stored(check);
            ck_assert_ptr_nonnull(back);
            ck_assert_uint_eq(strlen(back), c->len);
            ck_assert_msg(strcmp(back, text) == 0, "at-limit case %zu: read back differs", i);
        }
        esc_escalation_free(check);
        free(text);
    }
    bench_close(&b);
}
END_TEST

/* ---- NULL everywhere ---------------------------------------------------------------- */

START_TEST(test_null_handles_and_outputs)
{
    bench b;
    bench_open(&b);
    esc_db *db = b.db;
    const char *id = b.id;
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "s";
    p.customer_id = "c";
    esc_action a;
    valid_action(&a, ESC_ACTION_NOTE, T0);
    esc_escalation *esc = NULL;
    esc_escalation_list *list = NULL;
    esc_event_list *events = NULL;
    esc_verify_report *report = NULL;
    esc_guard guard;
    esc_state state = ESC_STATE_PLAN;
    esc_action_kind kind = ESC_ACTION_TAG;
    size_t rebuilt = 0;
    const fingerprint before = take_fingerprint(db, id);
    const size_t escalations = test_escalation_count(db);

    /* No handle: ESC_EINVAL, and nothing is written through out. */
    ck_assert_int_eq(esc_db_open(NULL, ":memory:", NULL), ESC_EINVAL);
    ck_assert_int_eq(esc_escalation_open(&esc, NULL, &p), ESC_EINVAL);
    ck_assert_ptr_null(esc);
    ck_assert_int_eq(esc_escalation_get(&esc, NULL, id), ESC_EINVAL);
    ck_assert_ptr_null(esc);
    ck_assert_int_eq(esc_escalation_get_by_ref(&esc, NULL, "ref"), ESC_EINVAL);
    ck_assert_ptr_null(esc);
    ck_assert_int_eq(esc_apply(NULL, b.esc, &a), ESC_EINVAL);
    ck_assert_int_eq(esc_action_allowed(&guard, NULL, b.esc, ESC_ACTION_NOTE, &AGENT), ESC_EINVAL);
    ck_assert_int_eq(esc_escalation_list_query(&list, NULL, NULL), ESC_EINVAL);
    ck_assert_ptr_null(list);
    ck_assert_int_eq(esc_history(&events, NULL, id), ESC_EINVAL);
    ck_assert_ptr_null(events);
    ck_assert_int_eq(esc_db_verify(&report, NULL), ESC_EINVAL);
    ck_assert_ptr_null(report);
    ck_assert_int_eq(esc_db_rebuild(&rebuilt, NULL), ESC_EINVAL);
    ck_assert_int_eq(esc_db_set_priority_matrix(NULL, NULL), ESC_EINVAL);
    ck_assert_int_eq(esc_db_set_tiers(NULL, NULL, 0), ESC_EINVAL);
    ck_assert_int_eq(esc_db_batch_begin(NULL), ESC_EINVAL);
    ck_assert_int_eq(esc_db_batch_commit(NULL), ESC_EINVAL);
    ck_assert_int_eq(esc_db_batch_rollback(NULL), ESC_EINVAL);
    esc_db_close(NULL);

    /* Handle getters on NULL: neutral answers. */
    ck_assert_ptr_nonnull(esc_db_errmsg(NULL));
    ck_assert(esc_db_errmsg(NULL)[0] != '\0');
    ck_assert_int_le(esc_db_errcode(NULL), 0);
    ck_assert_int_ge(esc_db_errcode(NULL), ESC_STATUS_MIN);
    ck_assert_int_eq(esc_db_last_guard(NULL), ESC_GUARD_NONE);
    ck_assert_int_eq(esc_db_schema_version(NULL), 0);
    ck_assert_int_eq(esc_db_tier_count(NULL), 0);
    ck_assert_ptr_null(esc_db_tier_name(NULL, 1));
    ck_assert_int_gt(esc_db_now(NULL), 0);   /* no handle: the system clock */
    int prio = esc_priority_compute(NULL, 2, 2, 0, 0);
    ck_assert_msg(prio == ESC_EINVAL || (prio >= 1 && prio <= 5), "priority %d", prio);

    /* NULL outputs. */
    ck_assert_status(db, esc_escalation_get(NULL, db, id), ESC_EINVAL);
    assert_reported(db, ESC_EINVAL, "out", "get(NULL out)");
    ck_assert_status(db, esc_escalation_get_by_ref(NULL, db, "ref"), ESC_EINVAL);
    ck_assert_status(db, esc_escalation_list_query(NULL, db, NULL), ESC_EINVAL);
    assert_reported(db, ESC_EINVAL, "out", "list(NULL out)");
    ck_assert_status(db, esc_history(NULL, db, id), ESC_EINVAL);
    assert_reported(db, ESC_EINVAL, "out", "history(NULL out)");
    ck_assert_status(db, esc_db_verify(NULL, db), ESC_EINVAL);
    ck_assert_int_eq(esc_escalation_dup(NULL, b.esc), ESC_EINVAL);
    ck_assert_int_eq(esc_action_allowed(NULL, db, b.esc, ESC_ACTION_NOTE, &AGENT), ESC_EINVAL);
    ck_assert_int_eq(esc_state_from_name(NULL, "listen"), ESC_EINVAL);
    ck_assert_int_eq(esc_action_from_name(NULL, "note"), ESC_EINVAL);
    ck_assert_int_eq(esc_db_options_init(NULL, ESC_DB_OPTIONS_VERSION), ESC_EINVAL);
    ck_assert_int_eq(esc_open_params_init(NULL, ESC_OPEN_PARAMS_VERSION), ESC_EINVAL);
    ck_assert_int_eq(esc_action_init(NULL, ESC_ACTION_VERSION, ESC_ACTION_NOTE), ESC_EINVAL);
    ck_assert_int_eq(esc_filter_init(NULL, ESC_FILTER_VERSION), ESC_EINVAL);

    /* NULL objects and inputs. */
    ck_assert_status(db, esc_apply(db, NULL, &a), ESC_EINVAL);
    assert_reported(db, ESC_EINVAL, "escalation", "apply(NULL esc)");
    ck_assert_status(db, esc_apply(db, b.esc, NULL), ESC_EINVAL);
    assert_reported(db, ESC_EINVAL, "action", "apply(NULL action)");
    ck_assert_status(db, esc_escalation_open(&esc, db, NULL), ESC_EINVAL);
    ck_assert_ptr_null(esc);
    assert_reported(db, ESC_EINVAL, "parameters", "open(NULL params)");
    ck_assert_int_eq(esc_escalation_dup(&esc, NULL), ESC_EINVAL);
    ck_assert_int_eq(esc_action_allowed(&guard, db, NULL, ESC_ACTION_NOTE, &AGENT), ESC_EINVAL);
    ck_assert_int_eq(esc_state_from_name(&state, NULL), ESC_EINVAL);
    ck_assert_int_eq(state, ESC_STATE_PLAN);
    ck_assert_int_eq(esc_action_from_name(&kind, NULL), ESC_EINVAL);
    ck_assert_int_eq(kind, ESC_ACTION_TAG);
    esc_escalation_free(NULL);
    esc_escalation_list_free(NULL);
    esc_event_list_free(NULL);
    esc_verify_report_free(NULL);

    /* Outputs that the header says may be NULL are accepted. */
    ck_assert_status(db, esc_db_rebuild(NULL, db), ESC_OK);
    ck_assert_status(db, esc_escalation_open(NULL, db, &p), ESC_OK);
    ck_assert_uint_eq(test_escalation_count(db), escalations + 1);

    fingerprint after = take_fingerprint(db, id);
    assert_same(&before, &after, "NULL arguments");
    bench_close(&b);
}
END_TEST

/* Lookups by key: empty or malformed keys are invalid arguments (text is
 * validated on every way in), well-formed unknown ones are not found. */
static int lookup_get(esc_db *db, const char *key)
{
    esc_escalation *e = (esc_escalation *)db;
    int rc = esc_escalation_get(&e, db, key);
    ck_assert_ptr_null(e);
    return rc;
}

static int lookup_ref(esc_db *db, const char *key)
{
    esc_escalation *e = (esc_escalation *)db;
    int rc = esc_escalation_get_by_ref(&e, db, key);
    ck_assert_ptr_null(e);
    return rc;
}

static int lookup_history(esc_db *db, const char *key)
{
    esc_event_list *l = (esc_event_list *)db;
    int rc = esc_history(&l, db, key);
    ck_assert_ptr_null(l);
    return rc;
}

START_TEST(test_bad_lookup_keys)
{
    static const struct {
        const char *what;
        int (*lookup)(esc_db *db, const char *key);
    } lookups[] = {
        { "esc_escalation_get", lookup_get },
        { "esc_escalation_get_by_ref", lookup_ref },
        { "esc_history", lookup_history },
    };
    static const struct {
        const char *key;
        size_t len;
        int expected;
    } keys[] = {
        { NULL, 0, ESC_EINVAL },
        { "", 0, ESC_EINVAL },
        { NULL, SHORT_OVER, ESC_EINVAL },
        { "\xC3\x28", 0, ESC_EINVAL },
        { "\xED\xA0\x80", 0, ESC_EINVAL },
        { "\xC0\xAF", 0, ESC_EINVAL },
        { "id\x01", 0, ESC_EINVAL },
        { "00000000-0000-4000-8000-000000000000", 0, ESC_ENOTFOUND },
        { "'; DROP TABLE escalations; --", 0, ESC_ENOTFOUND },
        { "%", 0, ESC_ENOTFOUND },
    };
    bench b;
    failures f = { 0, "" };
    bench_open(&b);
    for (size_t l = 0; l < COUNT_OF(lookups); l++) {
        for (size_t k = 0; k < COUNT_OF(keys); k++) {
            char *generated = keys[k].len ? make_text(keys[k].len, "a") : NULL;
            const char *key = generated ? generated : keys[k].key;
            char label[96];
            snprintf(label, sizeof label, "%s(key %zu)", lookups[l].what, k);
            int rc = lookups[l].lookup(b.db, key);
            if (soft(&f, rc == keys[k].expected, "%s: %s (%s), expected %s", label,
                     esc_status_name(rc), esc_db_errmsg(b.db), esc_status_name(keys[k].expected)))
                check_reported(&f, b.db, rc, NULL, label);
            free(generated);
        }
    }
    ck_assert_uint_eq(test_escalation_count(b.db), 1);
    bench_close(&b);
    ASSERT_NO_FAILURES(f);
}
END_TEST

/* ---- getters given NULL ------------------------------------------------------------ */

typedef const char *(*esc_text_getter)(const esc_escalation *);
typedef int (*esc_int_getter)(const esc_escalation *);
typedef int64_t (*esc_int64_getter)(const esc_escalation *);
typedef const char *(*item_text_getter)(const esc_item *);
typedef const char *(*event_text_getter)(const esc_event *);

START_TEST(test_getters_on_null)
{
    static const esc_text_getter texts[] = {
        esc_escalation_id, esc_escalation_external_ref, esc_escalation_summary,
        esc_escalation_customer_id, esc_escalation_customer_name, esc_escalation_owner_id,
        esc_escalation_owner_name, esc_escalation_problem, esc_escalation_resolution,
        esc_escalation_hold_reason, esc_escalation_root_cause_category, esc_escalation_root_cause,
        esc_escalation_lessons,
    };
    static const esc_int_getter ints[] = {
        esc_escalation_is_open, esc_escalation_impact, esc_escalation_urgency,
        esc_escalation_priority, esc_escalation_vip, esc_escalation_churn_risk,
        esc_escalation_confidential, esc_escalation_tier, esc_escalation_problem_confirmed,
        esc_escalation_unconfirmed, esc_escalation_withdrawn, esc_escalation_satisfaction,
        esc_escalation_reopen_count,
    };
    static const esc_int64_getter int64s[] = {
        esc_escalation_version, esc_escalation_promised_at, esc_escalation_hold_since,
        esc_escalation_created_at, esc_escalation_updated_at, esc_escalation_due_at,
    };
    static const item_text_getter item_texts[] = {
        esc_item_text, esc_item_category, esc_item_person_id, esc_item_person_name,
        esc_item_decision, esc_item_decided_by,
    };
    static const event_text_getter event_texts[] = {
        esc_event_escalation_id, esc_event_actor_id, esc_event_actor_name, esc_event_payload,
    };

    for (size_t i = 0; i < COUNT_OF(texts); i++) {
        ck_assert_ptr_nonnull(texts[i](NULL));
        ck_assert_str_eq(texts[i](NULL), "");
    }
    for (size_t i = 0; i < COUNT_OF(ints); i++)
        ck_assert_int_eq(ints[i](NULL), 0);
    for (size_t i = 0; i < COUNT_OF(int64s); i++)
        ck_assert_int_eq(int64s[i](NULL), 0);
    ck_assert_int_eq(esc_escalation_state(NULL), 0);
    ck_assert_int_eq(esc_escalation_channel(NULL), 0);
    ck_assert_int_eq(esc_escalation_hold(NULL), ESC_HOLD_NONE);
    for (int k = -1; k <= ESC_ITEM_KIND_COUNT; k++) {
        ck_assert_uint_eq(esc_escalation_item_count(NULL, (esc_item_kind)k), 0);
        ck_assert_ptr_null(esc_escalation_item(NULL, (esc_item_kind)k, 0));
    }

    for (size_t i = 0; i < COUNT_OF(item_texts); i++) {
        ck_assert_ptr_nonnull(item_texts[i](NULL));
        ck_assert_str_eq(item_texts[i](NULL), "");
    }
    ck_assert_int_eq(esc_item_get_kind(NULL), 0);
    ck_assert_int_eq(esc_item_number(NULL), 0);
    ck_assert_int_eq(esc_item_tier(NULL), 0);
    ck_assert_int_eq(esc_item_at(NULL), 0);
    ck_assert_int_eq(esc_item_flag(NULL), 0);
    ck_assert_int_eq(esc_item_status_of(NULL), ESC_ITEM_OPEN);
    ck_assert_int_eq(esc_item_created_at(NULL), 0);

    ck_assert_uint_eq(esc_escalation_list_count(NULL), 0);
    ck_assert_ptr_null(esc_escalation_list_get(NULL, 0));
    ck_assert_uint_eq(esc_event_list_count(NULL), 0);
    ck_assert_ptr_null(esc_event_list_get(NULL, 0));
    for (size_t i = 0; i < COUNT_OF(event_texts); i++) {
        ck_assert_ptr_nonnull(event_texts[i](NULL));
        ck_assert_str_eq(event_texts[i](NULL), "");
    }
    ck_assert_int_eq(esc_event_seq(NULL), 0);
    ck_assert_int_eq(esc_event_at(NULL), 0);
    ck_assert_int_eq(esc_event_action(NULL), 0);
    ck_assert_int_eq(esc_event_actor_tier(NULL), 0);
    ck_assert_int_eq(esc_event_from_state(NULL), 0);
    ck_assert_int_eq(esc_event_to_state(NULL), 0);

    ck_assert_uint_eq(esc_verify_report_escalations(NULL), 0);
    ck_assert_uint_eq(esc_verify_report_events(NULL), 0);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(NULL), 0);
    ck_assert_ptr_null(esc_verify_report_mismatch_id(NULL, 0));
    ck_assert_ptr_null(esc_verify_report_mismatch_what(NULL, 0));
}
END_TEST

/* Indexes and enumerations out of range on real objects. */
START_TEST(test_out_of_range_indexes)
{
    bench b;
    bench_open(&b);
    const esc_escalation *esc = b.esc;
    static const int bad_kinds[] = { -1, ESC_ITEM_KIND_COUNT, 1000 };
    for (size_t i = 0; i < COUNT_OF(bad_kinds); i++) {
        ck_assert_uint_eq(esc_escalation_item_count(esc, (esc_item_kind)bad_kinds[i]), 0);
        ck_assert_ptr_null(esc_escalation_item(esc, (esc_item_kind)bad_kinds[i], 0));
    }
    size_t notes = esc_escalation_item_count(esc, ESC_ITEM_NOTE);
    ck_assert_uint_gt(notes, 0);
    ck_assert_ptr_nonnull(esc_escalation_item(esc, ESC_ITEM_NOTE, notes - 1));
    ck_assert_ptr_null(esc_escalation_item(esc, ESC_ITEM_NOTE, notes));
    ck_assert_ptr_null(esc_escalation_item(esc, ESC_ITEM_NOTE, (size_t)-1));

    esc_escalation_list *list = NULL;
    ck_assert_status(b.db, esc_escalation_list_query(&list, b.db, NULL), ESC_OK);
    ck_assert_ptr_null(esc_escalation_list_get(list, esc_escalation_list_count(list)));
    ck_assert_ptr_null(esc_escalation_list_get(list, (size_t)-1));
    esc_escalation_list_free(list);

    esc_event_list *events = NULL;
    ck_assert_status(b.db, esc_history(&events, b.db, b.id), ESC_OK);
    ck_assert_ptr_null(esc_event_list_get(events, esc_event_list_count(events)));
    ck_assert_ptr_null(esc_event_list_get(events, (size_t)-1));
    esc_event_list_free(events);

    esc_verify_report *report = NULL;
    ck_assert_status(b.db, esc_db_verify(&report, b.db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_mismatch_count(report), 0);
    ck_assert_ptr_null(esc_verify_report_mismatch_id(report, 0));
    ck_assert_ptr_null(esc_verify_report_mismatch_what(report, 0));
    esc_verify_report_free(report);

    static const int bad_tiers[] = { 0, -1, 5, ESC_TIER_MAX + 1 };
    for (size_t i = 0; i < COUNT_OF(bad_tiers); i++)
        ck_assert_ptr_null(esc_db_tier_name(b.db, bad_tiers[i]));

    /* Enumeration names: NULL just outside each range. */
    ck_assert_ptr_null(esc_state_name((esc_state)-1));
    ck_assert_ptr_null(esc_state_name((esc_state)ESC_STATE_COUNT));
    ck_assert_ptr_null(esc_channel_name((esc_channel)-1));
    ck_assert_ptr_null(esc_channel_name((esc_channel)ESC_CHANNEL_COUNT));
    ck_assert_ptr_null(esc_hold_name((esc_hold)-1));
    ck_assert_ptr_null(esc_hold_name((esc_hold)ESC_HOLD_COUNT));
    ck_assert_ptr_null(esc_item_kind_name((esc_item_kind)-1));
    ck_assert_ptr_null(esc_item_kind_name((esc_item_kind)ESC_ITEM_KIND_COUNT));
    ck_assert_ptr_null(esc_action_name((esc_action_kind)-1));
    ck_assert_ptr_null(esc_action_name((esc_action_kind)ESC_ACTION_COUNT));
    ck_assert_ptr_null(esc_guard_name((esc_guard)-1));
    ck_assert_ptr_null(esc_guard_name((esc_guard)ESC_GUARD_COUNT));
    ck_assert_ptr_null(esc_guard_description((esc_guard)-1));
    ck_assert_ptr_null(esc_guard_description((esc_guard)ESC_GUARD_COUNT));

    /* esc_action_allowed with a kind outside the table. */
    static const int bad_actions[] = { -1, ESC_ACTION_COUNT };
    for (size_t i = 0; i < COUNT_OF(bad_actions); i++) {
        esc_guard g = ESC_GUARD_STATE;
        ck_assert_int_eq(esc_action_allowed(&g, b.db, esc, (esc_action_kind)bad_actions[i], &AGENT),
                         ESC_EINVAL);
    }

    /* esc_priority_compute: impact and urgency must both be 1..4. */
    static const int bad_levels[][2] = { { 0, 1 }, { 5, 1 }, { 1, 0 }, { 1, 5 }, { -1, -1 } };
    for (size_t i = 0; i < COUNT_OF(bad_levels); i++)
        ck_assert_int_eq(esc_priority_compute(b.db, bad_levels[i][0], bad_levels[i][1], 0, 0),
                         ESC_EINVAL);

    /* Status codes that do not exist still have a name and a description
     * (esc_version_number/string take no input at all). */
    static const int bad_codes[] = { 1, ESC_STATUS_MIN - 1, -100 };
    for (size_t i = 0; i < COUNT_OF(bad_codes); i++) {
        ck_assert_str_eq(esc_status_name(bad_codes[i]), "ESC_UNKNOWN");
        ck_assert_ptr_nonnull(esc_status_string(bad_codes[i]));
    }

    /* esc_action_init: unknown kind. */
    esc_action a = ESC_ACTION_INIT;
    ck_assert_int_eq(esc_action_init(&a, ESC_ACTION_VERSION, (esc_action_kind)-1), ESC_EINVAL);
    ck_assert_int_eq(esc_action_init(&a, ESC_ACTION_VERSION, (esc_action_kind)ESC_ACTION_COUNT),
                     ESC_EINVAL);
    bench_close(&b);
}
END_TEST

/* Every *_init refuses an unknown version and leaves the struct alone. */
START_TEST(test_init_unknown_versions)
{
    static const unsigned int bad_versions[] = { 0, 2, 99, (unsigned int)-1 };
    for (size_t i = 0; i < COUNT_OF(bad_versions); i++) {
        unsigned int v = bad_versions[i];
        esc_db_options o;
        esc_open_params p;
        esc_action a;
        esc_filter f;
        memset(&o, 0x5A, sizeof o);
        memset(&p, 0x5A, sizeof p);
        memset(&a, 0x5A, sizeof a);
        memset(&f, 0x5A, sizeof f);
        ck_assert_int_eq(esc_db_options_init(&o, v), ESC_EINVAL);
        ck_assert_int_eq(esc_open_params_init(&p, v), ESC_EINVAL);
        ck_assert_int_eq(esc_action_init(&a, v, ESC_ACTION_NOTE), ESC_EINVAL);
        ck_assert_int_eq(esc_filter_init(&f, v), ESC_EINVAL);
        ck_assert_uint_eq(o.version, 0x5A5A5A5Au);
        ck_assert_uint_eq(p.version, 0x5A5A5A5Au);
        ck_assert_uint_eq(a.version, 0x5A5A5A5Au);
        ck_assert_uint_eq(f.version, 0x5A5A5A5Au);
    }
}
END_TEST

/* ---- handle configuration ----------------------------------------------------------- */

START_TEST(test_bad_tier_ladders)
{
    static const char *const fine[] = { "one", "two", "three" };
    static const char *const with_null[] = { "one", NULL };
    static const char *const with_empty[] = { "one", "" };
    static const char *const with_utf8[] = { "one", "\xC3\x28" };
    static const char *const with_surrogate[] = { "\xED\xA0\x80" };
    static const char *const with_overlong[] = { "\xC0\xAF" };
    static const char *const with_control[] = { "one", "t\two" };
    static const struct {
        const char *const *names;
        int count;
        size_t long_name;     /* non-zero: a single generated name this long */
    } bad[] = {
        { fine, 0, 0 }, { fine, -1, 0 }, { fine, ESC_TIER_MAX + 1, 0 },
        { with_null, 2, 0 }, { with_empty, 2, 0 }, { with_utf8, 2, 0 },
        { with_surrogate, 1, 0 }, { with_overlong, 1, 0 }, { with_control, 2, 0 },
        { NULL, 1, SHORT_OVER },
    };
    bench b;
    bench_open(&b);
    for (size_t i = 0; i < COUNT_OF(bad); i++) {
        char *generated = bad[i].long_name ? make_text(bad[i].long_name, "a") : NULL;
        const char *one[1] = { generated };
        const char *const *names = generated ? one : bad[i].names;
        ck_assert_status(b.db, esc_db_set_tiers(b.db, names, bad[i].count), ESC_EINVAL);
        assert_reported(b.db, ESC_EINVAL, "tier", "set_tiers");
        free(generated);
        /* The ladder is as it was. */
        ck_assert_int_eq(esc_db_tier_count(b.db), 4);
        ck_assert_str_eq(esc_db_tier_name(b.db, 1), "frontline");
        ck_assert_str_eq(esc_db_tier_name(b.db, 4), "leadership");
    }

    /* At the limits: ESC_TIER_MAX tiers, a name of ESC_SHORT_TEXT_MAX bytes. */
    const char *sixteen[ESC_TIER_MAX];
    char *longest = make_text(ESC_SHORT_TEXT_MAX, "\xC3\xA9");
    for (int i = 0; i < ESC_TIER_MAX; i++)
        sixteen[i] = longest;
    ck_assert_status(b.db, esc_db_set_tiers(b.db, sixteen, ESC_TIER_MAX), ESC_OK);
    ck_assert_int_eq(esc_db_tier_count(b.db), ESC_TIER_MAX);
    ck_assert_str_eq(esc_db_tier_name(b.db, ESC_TIER_MAX), longest);
    free(longest);

    /* A shorter ladder: an actor above it is off the ladder. */
    ck_assert_status(b.db, esc_db_set_tiers(b.db, fine, 2), ESC_OK);
    fingerprint before = take_fingerprint(b.db, b.id);
    ck_assert_status(b.db, test_act(b.db, b.esc, ESC_ACTION_NOTE, &SPECIALIST), ESC_EINVAL);
    assert_reported(b.db, ESC_EINVAL, "actor tier", "tier beyond a 2-tier ladder");
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = LEADER;
    p.summary = "s";
    p.customer_id = "c";
    ck_assert_status(b.db, esc_escalation_open(NULL, b.db, &p), ESC_EINVAL);
    fingerprint after = take_fingerprint(b.db, b.id);
    assert_same(&before, &after, "actor beyond the ladder");
    ck_assert_uint_eq(test_escalation_count(b.db), 1);

    ck_assert_status(b.db, esc_db_set_tiers(b.db, NULL, 0), ESC_OK);
    ck_assert_int_eq(esc_db_tier_count(b.db), 4);
    bench_close(&b);
}
END_TEST

START_TEST(test_bad_priority_matrix)
{
    static const struct {
        int cell, value;
    } bad[] = { { 0, 0 }, { 0, 6 }, { 7, -1 }, { 15, 0 }, { 15, 100 } };
    bench b;
    bench_open(&b);
    int custom[ESC_PRIORITY_MATRIX_CELLS];
    for (int i = 0; i < ESC_PRIORITY_MATRIX_CELLS; i++)
        custom[i] = 1 + i % 5;
    ck_assert_status(b.db, esc_db_set_priority_matrix(b.db, custom), ESC_OK);
    for (size_t i = 0; i < COUNT_OF(bad); i++) {
        int matrix[ESC_PRIORITY_MATRIX_CELLS];
        for (int c = 0; c < ESC_PRIORITY_MATRIX_CELLS; c++)
            matrix[c] = 3;
        matrix[bad[i].cell] = bad[i].value;
        ck_assert_status(b.db, esc_db_set_priority_matrix(b.db, matrix), ESC_EINVAL);
        assert_reported(b.db, ESC_EINVAL, "cell", "priority matrix");
        /* Still the custom matrix, every cell. */
        for (int impact = 1; impact <= 4; impact++)
            for (int urgency = 1; urgency <= 4; urgency++)
                ck_assert_int_eq(esc_priority_compute(b.db, impact, urgency, 0, 0),
                                 custom[(impact - 1) * 4 + urgency - 1]);
    }
    bench_close(&b);
}
END_TEST

START_TEST(test_bad_batches)
{
    bench b;
    bench_open(&b);
    ck_assert_status(b.db, esc_db_batch_commit(b.db), ESC_EINVAL);
    assert_reported(b.db, ESC_EINVAL, "batch", "commit without batch");
    ck_assert_status(b.db, esc_db_batch_rollback(b.db), ESC_EINVAL);
    assert_reported(b.db, ESC_EINVAL, "batch", "rollback without batch");
    ck_assert_status(b.db, esc_db_batch_begin(b.db), ESC_OK);
    ck_assert_int_eq(test_act(b.db, b.esc, ESC_ACTION_TAG, &AGENT), ESC_OK);
    /* Batches do not nest; the refused begin keeps the open batch. */
    ck_assert_status(b.db, esc_db_batch_begin(b.db), ESC_EINVAL);
    assert_reported(b.db, ESC_EINVAL, "batch", "nested begin");
    ck_assert_status(b.db, esc_db_batch_commit(b.db), ESC_OK);
    esc_escalation *check = NULL;
    ck_assert_status(b.db, esc_escalation_get(&check, b.db, b.id), ESC_OK);
    ck_assert_int_eq(esc_escalation_version(check), esc_escalation_version(b.esc));
    esc_escalation_free(check);
    ck_assert_status(b.db, esc_db_batch_commit(b.db), ESC_EINVAL);
    bench_close(&b);
}
END_TEST

/* A read-only handle refuses every change with ESC_EREADONLY. */
START_TEST(test_readonly_handle)
{
    test_clock clock = { T0 };
    char path[1024];
    snprintf(path, sizeof path, "%s", test_path("readonly"));
    esc_db *db = test_open(path, &clock);
    esc_escalation *esc = test_new_escalation(db);
    char id[37];
    snprintf(id, sizeof id, "%s", esc_escalation_id(esc));
    esc_escalation_free(esc);
    esc_db_close(db);

    esc_db_options opts = ESC_DB_OPTIONS_INIT;
    opts.flags = ESC_OPEN_READONLY;
    opts.clock = test_clock_read;
    opts.clock_payload = &clock;
    ck_assert_status(db, esc_db_open(&db, path, &opts), ESC_OK);
    ck_assert_status(db, esc_escalation_get(&esc, db, id), ESC_OK);
    fingerprint before = take_fingerprint(db, id);

    ck_assert_status(db, test_act(db, esc, ESC_ACTION_NOTE, &AGENT), ESC_EREADONLY);
    assert_reported(db, ESC_EREADONLY, "read-only", "apply");
    ck_assert_int_eq(esc_escalation_version(esc), 1);
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "s";
    p.customer_id = "c";
    esc_escalation *out = NULL;
    ck_assert_status(db, esc_escalation_open(&out, db, &p), ESC_EREADONLY);
    ck_assert_ptr_null(out);
    ck_assert_status(db, esc_db_batch_begin(db), ESC_EREADONLY);
    ck_assert_status(db, esc_db_rebuild(NULL, db), ESC_EREADONLY);

    fingerprint after = take_fingerprint(db, id);
    assert_same(&before, &after, "read-only");
    ck_assert_uint_eq(test_escalation_count(db), 1);
    esc_escalation_free(esc);
    esc_db_close(db);
}
END_TEST

/* A snapshot belongs to the database it came from: applied through a
 * handle on another database it is not found there, and neither database
 * nor the snapshot changes. */
START_TEST(test_snapshot_from_another_database)
{
    bench b;
    bench_open(&b);
    test_clock clock = { T0 };
    esc_db *other = test_open_fresh(&clock);
    fingerprint before = take_fingerprint(b.db, b.id);

    ck_assert_status(other, test_act(other, b.esc, ESC_ACTION_TAG, &AGENT), ESC_ENOTFOUND);
    assert_reported(other, ESC_ENOTFOUND, NULL, "apply through another handle");
    ck_assert_int_eq(esc_escalation_version(b.esc), before.version);
    ck_assert_uint_eq(test_escalation_count(other), 0);
    esc_event_list *events = NULL;
    ck_assert_status(other, esc_history(&events, other, b.id), ESC_ENOTFOUND);
    fingerprint after = take_fingerprint(b.db, b.id);
    assert_same(&before, &after, "apply through another handle");
    esc_db_close(other);
    bench_close(&b);
}
END_TEST

/* A private in-memory store cannot be read-only: it starts empty and would
 * need its schema written.  The refusal must be a documented one for the
 * caller's request (not ESC_EINTERNAL, which means a libescalate bug). */
START_TEST(test_memory_readonly)
{
    esc_db_options opts = ESC_DB_OPTIONS_INIT;
    opts.flags = ESC_OPEN_READONLY;
    esc_db *db = NULL;
    char msg[600];
    int rc = esc_db_open(&db, ":memory:", &opts);
    ck_assert_ptr_nonnull(db);
    snprintf(msg, sizeof msg, "%s", esc_db_errmsg(db));
    esc_db_close(db);   /* before asserting: a failed assertion must not leak */
    ck_assert_msg(rc == ESC_EINVAL || rc == ESC_EREADONLY,
                  "\":memory:\" read-only: %s (%s), expected ESC_EINVAL or ESC_EREADONLY",
                  esc_status_name(rc), msg);
    ck_assert(msg[0] != '\0');
}
END_TEST

/* ---- hostile but valid text ------------------------------------------------------------ */

static const struct hostile {
    const char *text;
    int long_only;   /* has tabs/newlines: only long fields take it */
} hostile[] = {
    { "'; DROP TABLE escalations; --", 0 },
    { "Robert'); DELETE FROM events WHERE ('1'='1", 0 },
    { "\" OR \"\"=\"", 0 },
    { "back\\slash \\\\ \\0 \\n \\u0000 \\\"", 0 },
    { "%s%n%x%p%%%d %1$s", 0 },
    { "100% _wild_ *card* [a-z]", 0 },
    { "\xE2\x80\xAE" "evil.exe\xE2\x80\xAC txt", 0 },            /* U+202E right-to-left override */
    { "\xF0\x9F\x98\xA1\xF0\x9F\x92\xB8 \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9", 0 },
    { "\xF4\x8F\xBF\xBF \xF0\x90\x80\x80", 0 },                  /* U+10FFFF, U+10000 */
    { "\xEF\xBB\xBF" "BOM first", 0 },
    { "{\"text\":\"x\"}", 0 },
    { "<script>alert(1)</script>", 0 },
    { "NULL", 0 },
    { "line one\nline two\r\n\tindented\ttabbed", 1 },
    { "\n", 1 },
};

static esc_escalation *open_hostile(esc_db *db, size_t i)
{
    const struct hostile *h = &hostile[i];
    char ref[32];
    snprintf(ref, sizeof ref, "hostile-%zu", i);
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = h->text;
    p.customer_id = "cust-hostile";
    p.customer_name = h->long_only ? "Plain Name" : h->text;
    p.external_ref = h->long_only ? ref : h->text;
    esc_escalation *esc = NULL;
    ck_assert_status(db, esc_escalation_open(&esc, db, &p), ESC_OK);

    esc_action a;
    valid_action(&a, ESC_ACTION_NOTE, esc_db_now(db));
    a.text = h->text;
    test_must(db, esc, &a);
    valid_action(&a, ESC_ACTION_TAG, esc_db_now(db));
    a.text = h->long_only ? "plain-tag" : h->text;
    test_must(db, esc, &a);
    return esc;
}

static void assert_bytes_eq(const char *got, const char *want, const char *what, size_t i)
{
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(strlen(got) == strlen(want) && memcmp(got, want, strlen(want)) == 0,
                  "hostile %zu: %s changed (%zu bytes, expected %zu)", i, what, strlen(got),
                  strlen(want));
}

START_TEST(test_hostile_text_round_trip)
{
    test_clock clock = { T0 };
    char path[1024];
    char ids[COUNT_OF(hostile)][37];
    snprintf(path, sizeof path, "%s", test_path("hostile"));
    esc_db *db = test_open(path, &clock);
    for (size_t i = 0; i < COUNT_OF(hostile); i++) {
        clock.now = T0 + (int64_t)i * MINUTE;
        esc_escalation *esc = open_hostile(db, i);
        snprintf(ids[i], sizeof ids[i], "%s", esc_escalation_id(esc));
        esc_escalation_free(esc);
    }
    esc_db_close(db);

    /* Read back through a new handle: exactly the bytes that went in. */
    db = test_open(path, &clock);
    for (size_t i = 0; i < COUNT_OF(hostile); i++) {
        const struct hostile *h = &hostile[i];
        esc_escalation *esc = NULL;
        ck_assert_status(db, esc_escalation_get(&esc, db, ids[i]), ESC_OK);
        assert_bytes_eq(esc_escalation_summary(esc), h->text, "summary", i);
        assert_bytes_eq(esc_item_text(esc_escalation_item(esc, ESC_ITEM_NOTE, 0)), h->text,
                        "note", i);
        if (!h->long_only) {
            assert_bytes_eq(esc_escalation_customer_name(esc), h->text, "customer name", i);
            assert_bytes_eq(esc_item_text(esc_escalation_item(esc, ESC_ITEM_TAG, 0)), h->text,
                            "tag", i);
            assert_bytes_eq(esc_escalation_external_ref(esc), h->text, "external ref", i);
        }
        esc_escalation_free(esc);

        if (!h->long_only) {
            /* Found by exactly that reference and tag, and by nothing looser. */
            ck_assert_status(db, esc_escalation_get_by_ref(&esc, db, h->text), ESC_OK);
            ck_assert_str_eq(esc_escalation_id(esc), ids[i]);
            esc_escalation_free(esc);
            esc_filter f = ESC_FILTER_INIT;
            f.tag = h->text;
            esc_escalation_list *list = NULL;
            ck_assert_status(db, esc_escalation_list_query(&list, db, &f), ESC_OK);
            ck_assert_msg(esc_escalation_list_count(list) == 1, "hostile %zu: tag matched %zu", i,
                          esc_escalation_list_count(list));
            ck_assert_str_eq(esc_escalation_id(esc_escalation_list_get(list, 0)), ids[i]);
            esc_escalation_list_free(list);
        }

        esc_event_list *events = NULL;
        ck_assert_status(db, esc_history(&events, db, ids[i]), ESC_OK);
        ck_assert_uint_eq(esc_event_list_count(events), 3);
        for (size_t e = 0; e < 3; e++)
            ck_assert_int_eq(esc_event_payload(esc_event_list_get(events, e))[0], '{');
        esc_event_list_free(events);
    }

    /* The tables are intact: every escalation listed, replay agrees. */
    ck_assert_uint_eq(test_escalation_count(db), COUNT_OF(hostile));
    esc_verify_report *report = NULL;
    ck_assert_status(db, esc_db_verify(&report, db), ESC_OK);
    ck_assert_uint_eq(esc_verify_report_escalations(report), COUNT_OF(hostile));
    ck_assert_uint_eq(esc_verify_report_events(report), 3 * COUNT_OF(hostile));
    ck_assert_msg(esc_verify_report_mismatch_count(report) == 0, "mismatch: %s",
                  esc_verify_report_mismatch_what(report, 0));
    esc_verify_report_free(report);
    esc_db_close(db);

    /* ... and, seen from outside, the three tables hold what they should. */
    static const struct {
        const char *sql;
        int expected;
    } counts[] = {
        { "SELECT count(*) FROM escalations", (int)COUNT_OF(hostile) },
        { "SELECT count(*) FROM events", 3 * (int)COUNT_OF(hostile) },
        { "SELECT count(*) FROM items", 2 * (int)COUNT_OF(hostile) },
    };
    sqlite3 *s = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (size_t i = 0; i < COUNT_OF(counts); i++) {
        sqlite3_stmt *st = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(s, counts[i].sql, -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_column_int(st, 0), counts[i].expected);
        sqlite3_finalize(st);
    }
    sqlite3_close(s);
}
END_TEST

/* ---- stored calendars and policies, and the policy an escalation names --------------- */

/* The text inputs of timers.h: the names given to esc_db_calendar_put(),
 * esc_db_policy_put() (and its calendar_name), esc_db_calendar_get(),
 * esc_db_policy_get(), esc_db_policy_load() and esc_open_params.sla_policy;
 * the specs given to the two puts; and the watcher ids of escalation rules
 * inside a policy spec ("rule resolution breach watch=ID"), which the sweep
 * turns into watchers and outbox entries.  Each hostile string is either
 * stored and read back byte for byte (a spec: as its canonical text) or
 * refused with ESC_EINVAL and a valid UTF-8 message; a refusal stores
 * nothing, creates no escalation and leaves every table as it was; nothing
 * is cut short to fit. */

#define MB (1024 * 1024)
#define DEF_CALENDAR "tz=UTC; mon-fri 09:00-17:00"
#define DEF_POLICY_TARGETS \
    "calendar=wall; p1 resolution=1h; p2 resolution=1h; p3 resolution=1h; " \
    "p4 resolution=1h; p5 resolution=1h"

/* A hostile string: a literal (which may hide bytes after a NUL: the API
 * sees the C string before it), or len generated bytes of unit. */
typedef struct hostile_arg {
    const char *label;
    const char *text;
    size_t len;
    const char *unit;
} hostile_arg;

#define LIT(label, s) { label, s, 0, NULL }
#define GEN(label, n, unit) { label, NULL, n, unit }
#define BAD_UTF8_ARGS \
    LIT("bad continuation", "\xC3\x28"), LIT("UTF-16 surrogate", "\xED\xA0\x80"), \
    LIT("overlong '/'", "\xC0\xAF"), LIT("stray continuation", "ok\x80"), \
    LIT("truncated sequence", "cut\xE2\x82"), LIT("above U+10FFFF", "\xF4\x90\x80\x80")

static char *hostile_text(const hostile_arg *h)
{
    return h->len ? make_text(h->len, h->unit) : NULL;
}

/* Names no calendar or policy may have (timers.h: 1..ESC_DEFINITION_NAME_MAX
 * bytes of letters, digits, '-', '_', '.'). */
static const hostile_arg bad_names[] = {
    LIT("NULL", NULL),
    LIT("empty", ""),
    LIT("SQL quote", "x'; DROP TABLE calendars; --"),
    LIT("SQL OR", "\" OR \"\"=\""),
    LIT("LIKE wildcard", "berl%"),
    LIT("GLOB wildcard", "berl*"),
    LIT("blank", "a b"),
    LIT("path", "../berlin"),
    LIT("backslash", "a\\b"),
    BAD_UTF8_ARGS,
    LIT("C0 control", "a\x01z"),
    LIT("tab", "tab\there"),
    LIT("newline", "new\nline"),
    LIT("DEL", "del\x7f"),
    LIT("ANSI escape", "\x1b[31m"),
    LIT("right-to-left override", "\xE2\x80\xAE" "nilreb"),
    LIT("right-to-left mark", "berlin\xE2\x80\x8F"),
    LIT("byte order mark", "\xEF\xBB\xBF" "berlin"),
    LIT("fullwidth letter", "\xEF\xBD\x82" "erlin"),
    GEN("one byte over the limit", ESC_DEFINITION_NAME_MAX + 1, "a"),
    GEN("1 MB", MB, "a"),
    GEN("1 MB of \xC3\xA9", MB, "\xC3\xA9"),
};

/* Hostile but valid names: stored and read back exactly; with a NUL, the
 * part before it. */
static const struct good_name {
    hostile_arg arg;
    const char *stored;   /* NULL: the text itself */
} good_names[] = {
    { LIT("SQL comment look-alike", "berlin--"), NULL },
    { LIT("dots and dashes", "-._-"), NULL },
    { LIT("digits", "2026"), NULL },
    { LIT("underscore (a LIKE wildcard)", "a_c"), NULL },
    { GEN("exactly the limit", ESC_DEFINITION_NAME_MAX, "z"), NULL },
    { LIT("NUL-truncated", "nul\0'; DROP TABLE calendars; --"), "nul" },
};

/* Row counts of every table, and the schema itself: what "nothing
 * changed" and "nothing was executed" mean for these cases. */
typedef struct table_counts {
    int calendars, policies, escalations, events, items, outbox, schema;
} table_counts;

static table_counts count_tables(const char *path)
{
    static const char *const sql[] = {
        "SELECT count(*) FROM calendars", "SELECT count(*) FROM policies",
        "SELECT count(*) FROM escalations", "SELECT count(*) FROM events",
        "SELECT count(*) FROM items", "SELECT count(*) FROM outbox",
        "SELECT count(*) FROM sqlite_schema",
    };
    int n[COUNT_OF(sql)];
    sqlite3 *s = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (size_t i = 0; i < COUNT_OF(sql); i++) {
        sqlite3_stmt *st = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(s, sql[i], -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        n[i] = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(s);
    table_counts c = { n[0], n[1], n[2], n[3], n[4], n[5], n[6] };
    return c;
}

static int same_counts(const table_counts *a, const table_counts *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* A database with the calendar "cal" (DEF_CALENDAR) and the policy "pol"
 * counting in it. */
typedef struct def_bench {
    test_clock clock;
    char path[1024];
    esc_db *db;
} def_bench;

static void def_bench_open(def_bench *b)
{
    b->clock.now = T0;
    snprintf(b->path, sizeof b->path, "%s", test_path("definitions"));
    b->db = test_open(b->path, &b->clock);
    ck_assert_status(b->db, esc_db_calendar_put(NULL, b->db, "cal", DEF_CALENDAR), ESC_OK);
    ck_assert_status(b->db, esc_db_policy_put(NULL, b->db, "pol", DEF_POLICY_TARGETS, NULL),
                     ESC_OK);
}

static void def_bench_close(def_bench *b)
{
    esc_db_close(b->db);
}

static int open_with_policy(esc_db *db, const char *policy, esc_escalation **out)
{
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "The portal is down.";
    p.customer_id = "cust-defs";
    p.sla_policy = policy;
    *out = (esc_escalation *)db;   /* must come back NULL on refusal */
    return esc_escalation_open(out, db, &p);
}

/* Every way a name comes in, for one bad name. */
static void refuse_name(failures *f, def_bench *b, const char *name, const char *label)
{
    enum { PUT_CAL, PUT_POL, PUT_POL_CAL, GET_CAL, GET_POL, LOAD_POL, OPEN, WAYS };
    static const char *const ways[WAYS] = {
        "esc_db_calendar_put(name)", "esc_db_policy_put(name)",
        "esc_db_policy_put(calendar_name)", "esc_db_calendar_get(name)",
        "esc_db_policy_get(name)", "esc_db_policy_load(name)", "esc_open_params.sla_policy",
    };
    for (int w = 0; w < WAYS; w++) {
        /* NULL and "" are "no calendar" / "no policy" there, not names. */
        if ((w == PUT_POL_CAL && name == NULL) || (w == OPEN && (name == NULL || name[0] == '\0')))
            continue;
        char what[200];
        snprintf(what, sizeof what, "%s: %s", ways[w], label);
        table_counts before = count_tables(b->path);
        int64_t version = -1;
        esc_definition *def = (esc_definition *)b;
        esc_sla_policy *pol = (esc_sla_policy *)b;
        esc_escalation *esc = NULL;
        int rc = ESC_EINTERNAL;
        void *out = NULL;
        switch (w) {
        case PUT_CAL: rc = esc_db_calendar_put(&version, b->db, name, DEF_CALENDAR); break;
        case PUT_POL: rc = esc_db_policy_put(&version, b->db, name, DEF_POLICY_TARGETS, NULL); break;
        case PUT_POL_CAL: rc = esc_db_policy_put(&version, b->db, "pol", "p1 resolution=2h", name); break;
        case GET_CAL: rc = esc_db_calendar_get(&def, b->db, name, 0); out = def; break;
        case GET_POL: rc = esc_db_policy_get(&def, b->db, name, 0); out = def; break;
        case LOAD_POL: rc = esc_db_policy_load(&pol, b->db, name); out = pol; break;
        case OPEN: rc = open_with_policy(b->db, name, &esc); out = esc; break;
        }
        if (soft(f, rc == ESC_EINVAL, "%s: %s (%s), expected ESC_EINVAL", what, esc_status_name(rc),
                 esc_db_errmsg(b->db)))
            check_reported(f, b->db, ESC_EINVAL, NULL, what);
        soft(f, out == NULL, "%s: out not reset", what);
        soft(f, version == -1, "%s: out_version written (%lld)", what, (long long)version);
        if (rc == ESC_OK) {   /* wrongly accepted: free what came back */
            if (w == GET_CAL || w == GET_POL)
                esc_definition_free(def);
            else if (w == LOAD_POL)
                esc_sla_policy_free(pol);
            else if (w == OPEN)
                esc_escalation_free(esc);
        }
        table_counts after = count_tables(b->path);
        soft(f, same_counts(&before, &after), "%s: a table changed", what);
    }
}

START_TEST(test_definition_names_refused)
{
    def_bench b;
    failures f = { 0, "" };
    def_bench_open(&b);
    table_counts start = count_tables(b.path);
    for (size_t i = 0; i < COUNT_OF(bad_names); i++) {
        char *generated = hostile_text(&bad_names[i]);
        refuse_name(&f, &b, generated ? generated : bad_names[i].text, bad_names[i].label);
        free(generated);
    }
    /* The stored definitions are as they were, and only they are there. */
    table_counts end = count_tables(b.path);
    soft(&f, same_counts(&start, &end), "the tables changed");
    esc_definition *def = NULL;
    ck_assert_status(b.db, esc_db_calendar_get(&def, b.db, "cal", 0), ESC_OK);
    ck_assert_int_eq(esc_definition_version(def), 1);
    esc_definition_free(def);
    ck_assert_status(b.db, esc_db_policy_get(&def, b.db, "pol", 0), ESC_OK);
    ck_assert_int_eq(esc_definition_version(def), 1);
    esc_definition_free(def);
    def_bench_close(&b);
    ASSERT_NO_FAILURES(f);
}
END_TEST

static void assert_name_stored(esc_definition *def, const char *want, const char *label)
{
    ck_assert_msg(strlen(esc_definition_name(def)) == strlen(want) &&
                  strcmp(esc_definition_name(def), want) == 0,
                  "%s: stored as \"%s\", expected \"%s\"", label, esc_definition_name(def), want);
}

START_TEST(test_definition_names_round_trip)
{
    def_bench b;
    def_bench_open(&b);
    for (size_t i = 0; i < COUNT_OF(good_names); i++) {
        const struct good_name *g = &good_names[i];
        char *generated = hostile_text(&g->arg);
        const char *name = generated ? generated : g->arg.text;
        const char *want = g->stored ? g->stored : name;
        const char *label = g->arg.label;
        int64_t version = 0;
        esc_definition *def = NULL;

        ck_assert_status(b.db, esc_db_calendar_put(&version, b.db, name, DEF_CALENDAR), ESC_OK);
        ck_assert_int_eq(version, 1);
        ck_assert_status(b.db, esc_db_calendar_get(&def, b.db, want, 0), ESC_OK);
        assert_name_stored(def, want, label);
        esc_definition_free(def);

        ck_assert_status(b.db, esc_db_policy_put(&version, b.db, name, "p1 resolution=1h", name),
                         ESC_OK);
        ck_assert_int_eq(version, 1);
        ck_assert_status(b.db, esc_db_policy_get(&def, b.db, want, 0), ESC_OK);
        assert_name_stored(def, want, label);
        ck_assert_ptr_nonnull(esc_definition_calendar(def));
        ck_assert_str_eq(esc_definition_calendar(def), want);
        esc_definition_free(def);

        esc_escalation *esc = NULL;
        ck_assert_status(b.db, open_with_policy(b.db, name, &esc), ESC_OK);
        esc_escalation *again = NULL;
        ck_assert_status(b.db, esc_escalation_get(&again, b.db, esc_escalation_id(esc)), ESC_OK);
        ck_assert_str_eq(esc_escalation_sla_policy(again), want);
        esc_escalation_free(again);
        esc_escalation_free(esc);
        free(generated);
    }
    /* Names are matched exactly: no LIKE, no GLOB, no prefix. */
    static const char *const near_misses[] = { "abc", "a_", "nu", "nul-", "2026.", "berlin-" };
    for (size_t i = 0; i < COUNT_OF(near_misses); i++) {
        esc_definition *def = (esc_definition *)&b;
        ck_assert_status(b.db, esc_db_calendar_get(&def, b.db, near_misses[i], 0), ESC_ENOTFOUND);
        ck_assert_ptr_null(def);
        def = (esc_definition *)&b;
        ck_assert_status(b.db, esc_db_policy_get(&def, b.db, near_misses[i], 0), ESC_ENOTFOUND);
        ck_assert_ptr_null(def);
    }
    /* Cut at the NUL: nothing after it was seen, let alone run. */
    table_counts c = count_tables(b.path);
    ck_assert_int_eq(c.calendars, 1 + (int)COUNT_OF(good_names));
    ck_assert_int_eq(c.policies, 1 + (int)COUNT_OF(good_names));
    ck_assert_int_eq(c.escalations, (int)COUNT_OF(good_names));
    def_bench_close(&b);
}
END_TEST

/* A spec: literal, or prefix + generated filler + suffix of exactly len bytes. */
typedef struct spec_case {
    const char *label;
    const char *text;
    size_t len;          /* non-zero: generated */
    const char *filler;  /* one byte, repeated */
    const char *suffix;
    int expected;
    const char *must_store;   /* ESC_OK: the stored text contains this */
} spec_case;

static char *spec_text(const spec_case *c)
{
    if (c->len == 0)
        return NULL;
    size_t tail = strlen(c->suffix);
    ck_assert_uint_ge(c->len, tail);
    char *s = malloc(c->len + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, c->filler[0], c->len - tail);
    memcpy(s + c->len - tail, c->suffix, tail + 1);
    return s;
}

static const spec_case calendar_specs[] = {
    { "SQL after an item", "tz=UTC; mon 09:00-17:00'; DROP TABLE calendars; --", 0, NULL, NULL,
      ESC_EINVAL, NULL },
    { "SQL in the zone", "tz=UTC'); DELETE FROM calendars WHERE ('1'='1; mon 09:00-17:00", 0, NULL,
      NULL, ESC_EINVAL, NULL },
    { "zone path", "tz=../../../etc/passwd; mon 09:00-17:00", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "NUL-truncated", "tz=UTC; tue 09:00-17:00\0; DROP TABLE calendars; --", 0, NULL, NULL, ESC_OK,
      "tue 09:00-17:00" },
    { "bad continuation", "tz=UTC; mon 09:00-17:00; \xC3\x28", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "UTF-16 surrogate", "tz=UTC; mon 09:00-17:00 \xED\xA0\x80", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "overlong", "tz=UTC\xC0\xAF; mon 09:00-17:00", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "C0 control", "tz=UTC;\x01 mon 09:00-17:00", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "ANSI escape", "tz=UTC; mon 09:00-17:00\x1b[2J", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "blanks are fine", "\ttz=UTC;\r\n wed 09:00-17:00 ;\n", 0, NULL, NULL, ESC_OK,
      "wed 09:00-17:00" },
    { "right-to-left override", "tz=UTC; \xE2\x80\xAEmon 09:00-17:00", 0, NULL, NULL, ESC_EINVAL,
      NULL },
    { "right-to-left mark", "\xE2\x80\x8Ftz=UTC; mon 09:00-17:00", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "1 MB", NULL, MB, ";", "tz=UTC; mon 09:00-17:00", ESC_EINVAL, NULL },
    { "one byte over the limit", NULL, ESC_LONG_TEXT_MAX + 1, ";", "tz=UTC; thu 10:00-11:00",
      ESC_EINVAL, NULL },
    { "exactly the limit", NULL, ESC_LONG_TEXT_MAX, ";", "tz=UTC; fri 10:00-11:00", ESC_OK,
      "fri 10:00-11:00" },
};

static const spec_case policy_specs[] = {
    { "SQL item", DEF_POLICY_TARGETS "; '; DROP TABLE policies; --", 0, NULL, NULL, ESC_EINVAL,
      NULL },
    { "SQL duration", "p1 resolution=1h'); DELETE FROM policies; --", 0, NULL, NULL, ESC_EINVAL,
      NULL },
    { "SQL in a calendar", "calendar=[tz=UTC'--; mon 09:00-17:00]; p1 resolution=1h", 0, NULL, NULL,
      ESC_EINVAL, NULL },
    { "NUL-truncated", "p2 resolution=3h\0; DROP TABLE policies; --", 0, NULL, NULL, ESC_OK,
      "p2 resolution=3h" },
    { "bad continuation", "p1 resolution=1h; \xC3\x28", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "UTF-16 surrogate", "p1 resolution=1h\xED\xA0\x80", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "above U+10FFFF", "\xF4\x90\x80\x80p1 resolution=1h", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "C0 control", "p1 resolution=1h\x07", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "ANSI escape", "p1\x1b[2J resolution=1h", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "right-to-left override", "p1 \xE2\x80\xAEresolution=1h", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "right-to-left mark", "p1 resolution=1h\xE2\x80\x8F", 0, NULL, NULL, ESC_EINVAL, NULL },
    { "1 MB", NULL, MB, ";", "p1 resolution=1h", ESC_EINVAL, NULL },
    { "one byte over the limit", NULL, ESC_LONG_TEXT_MAX + 1, ";", "p4 resolution=4h", ESC_EINVAL,
      NULL },
    { "exactly the limit", NULL, ESC_LONG_TEXT_MAX, ";", "p5 resolution=5h", ESC_OK,
      "p5 resolution=5h" },
};

typedef int (*spec_put_fn)(int64_t *version, esc_db *db, const char *name, const char *spec);

static int put_calendar(int64_t *version, esc_db *db, const char *name, const char *spec)
{
    return esc_db_calendar_put(version, db, name, spec);
}

static int put_policy(int64_t *version, esc_db *db, const char *name, const char *spec)
{
    return esc_db_policy_put(version, db, name, spec, NULL);
}

static int get_calendar(esc_definition **out, esc_db *db, const char *name)
{
    return esc_db_calendar_get(out, db, name, 0);
}

static int get_policy(esc_definition **out, esc_db *db, const char *name)
{
    return esc_db_policy_get(out, db, name, 0);
}

static void run_spec_cases(failures *f, def_bench *b, const char *what, const spec_case *cases,
                           size_t count, spec_put_fn put,
                           int (*get)(esc_definition **, esc_db *, const char *))
{
    for (size_t i = 0; i < count; i++) {
        const spec_case *c = &cases[i];
        char *generated = spec_text(c);
        const char *spec = generated ? generated : c->text;
        char label[160], name[32];
        snprintf(label, sizeof label, "%s spec: %s", what, c->label);
        snprintf(name, sizeof name, "spec-%zu", i);
        table_counts before = count_tables(b->path);
        int64_t version = -1;
        int rc = put(&version, b->db, name, spec);
        if (!soft(f, rc == c->expected, "%s: %s (%s), expected %s", label, esc_status_name(rc),
                  esc_db_errmsg(b->db), esc_status_name(c->expected))) {
            free(generated);
            continue;
        }
        if (rc != ESC_OK)
            check_reported(f, b->db, rc, NULL, label);   /* before the get below resets it */
        esc_definition *def = NULL;
        int found = get(&def, b->db, name);
        if (rc != ESC_OK) {
            soft(f, version == -1, "%s: out_version written", label);
            table_counts after = count_tables(b->path);
            soft(f, same_counts(&before, &after), "%s: a table changed", label);
            soft(f, found == ESC_ENOTFOUND, "%s: something was stored", label);
        } else if (soft(f, found == ESC_OK, "%s: not stored", label)) {
            /* Stored as the canonical text of what was given, whole. */
            const char *stored = esc_definition_spec(def);
            soft(f, strstr(stored, c->must_store) != NULL, "%s: stored \"%s\" lacks \"%s\"", label,
                 stored, c->must_store);
            soft(f, strstr(stored, "DROP") == NULL && strchr(stored, '\'') == NULL,
                 "%s: stored \"%s\" holds what followed the NUL", label, stored);
            soft(f, esc__utf8_valid(stored, strlen(stored)), "%s: stored text not UTF-8", label);
        }
        esc_definition_free(def);
        free(generated);
    }
}

START_TEST(test_definition_specs)
{
    def_bench b;
    failures f = { 0, "" };
    def_bench_open(&b);
    run_spec_cases(&f, &b, "calendar", calendar_specs, COUNT_OF(calendar_specs), put_calendar,
                   get_calendar);
    run_spec_cases(&f, &b, "policy", policy_specs, COUNT_OF(policy_specs), put_policy, get_policy);
    def_bench_close(&b);
    ASSERT_NO_FAILURES(f);
}
END_TEST

/* Watcher ids of escalation rules: the one free text inside a policy spec.
 * Valid ones travel from the spec to the stored text, the loaded policy,
 * the watcher the sweep adds and the outbox entry, byte for byte. */
static const struct watch_case {
    hostile_arg arg;
    const char *stored;   /* NULL: the text itself */
} good_watchers[] = {
    { LIT("SQL quote", "x'--DROP\"TABLE"), NULL },
    { LIT("SQL parenthesis", "Robert'),('x'--"), NULL },
    { LIT("wildcards", "%_*?"), NULL },
    { LIT("backslashes", "\\\\0\\n\\u0000"), NULL },
    { LIT("JSON", "{\"kind\":\"x\"}"), NULL },
    { LIT("right-to-left override", "\xE2\x80\xAE" "exe.live"), NULL },
    { LIT("right-to-left mark", "lead\xE2\x80\x8F-7"), NULL },
    { LIT("emoji", "\xF0\x9F\x98\xA1\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9"), NULL },
    { GEN("200 bytes (the limit)", 200, "w"), NULL },
    { GEN("200 bytes of \xC3\xA9", 200, "\xC3\xA9"), NULL },
    { LIT("NUL-truncated", "lead-7\0'; DROP TABLE policies; --"), "lead-7" },
};

static const hostile_arg bad_watchers[] = {
    BAD_UTF8_ARGS,
    LIT("C0 control", "a\x01z"),
    LIT("DEL", "del\x7f"),
    LIT("ANSI escape", "\x1b[31m"),
    LIT("closing bracket", "a]b"),
    LIT("opening bracket", "a[b"),
    LIT("equals", "a=b"),
    LIT("semicolon", "lead;DROP"),
    LIT("tab", "lead\t7"),
    LIT("newline", "lead\n7"),
    GEN("201 bytes", 201, "w"),
    GEN("1 MB", MB, "w"),
};

static char *rule_spec(const char *watcher)
{
    static const char head[] = DEF_POLICY_TARGETS "; rule resolution breach watch=";
    size_t n = strlen(head) + strlen(watcher) + 1;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, "%s%s", head, watcher);
    return s;
}

START_TEST(test_rule_watchers)
{
    def_bench b;
    failures f = { 0, "" };
    def_bench_open(&b);

    /* Refused: nothing stored. */
    table_counts start = count_tables(b.path);
    for (size_t i = 0; i < COUNT_OF(bad_watchers); i++) {
        char *generated = hostile_text(&bad_watchers[i]);
        char *spec = rule_spec(generated ? generated : bad_watchers[i].text);
        char label[120];
        snprintf(label, sizeof label, "watch=: %s", bad_watchers[i].label);
        int64_t version = -1;
        int rc = esc_db_policy_put(&version, b.db, "watched", spec, NULL);
        if (soft(&f, rc == ESC_EINVAL, "%s: %s (%s), expected ESC_EINVAL", label,
                 esc_status_name(rc), esc_db_errmsg(b.db)))
            check_reported(&f, b.db, ESC_EINVAL, NULL, label);
        soft(&f, version == -1, "%s: out_version written", label);
        free(spec);
        free(generated);
    }
    table_counts after_bad = count_tables(b.path);
    soft(&f, same_counts(&start, &after_bad), "refused watchers changed a table");
    esc_definition *def = NULL;
    soft(&f, esc_db_policy_get(&def, b.db, "watched", 0) == ESC_ENOTFOUND,
         "a refused policy was stored");
    esc_definition_free(def);
    def = NULL;

    /* Accepted: stored, loaded, and acted on exactly. */
    char ids[COUNT_OF(good_watchers)][37];
    for (size_t i = 0; i < COUNT_OF(good_watchers); i++) {
        const struct watch_case *w = &good_watchers[i];
        char *generated = hostile_text(&w->arg);
        const char *given = generated ? generated : w->arg.text;
        const char *want = w->stored ? w->stored : given;
        char *spec = rule_spec(given);
        char name[32];
        snprintf(name, sizeof name, "watch-%zu", i);
        ck_assert_status(b.db, esc_db_policy_put(NULL, b.db, name, spec, NULL), ESC_OK);
        ck_assert_status(b.db, esc_db_policy_get(&def, b.db, name, 0), ESC_OK);
        const char *stored = esc_definition_spec(def);
        const char *at = strstr(stored, "watch=");
        ck_assert_msg(at != NULL, "%s: no watch= in \"%s\"", w->arg.label, stored);
        at += strlen("watch=");
        ck_assert_msg(strncmp(at, want, strlen(want)) == 0 &&
                      (at[strlen(want)] == '\0' || at[strlen(want)] == ' ' ||
                       at[strlen(want)] == ';'),
                      "%s: stored \"%s\"", w->arg.label, stored);
        esc_definition_free(def);
        def = NULL;
        esc_sla_policy *pol = NULL;
        ck_assert_status(b.db, esc_db_policy_load(&pol, b.db, name), ESC_OK);
        esc_sla_rule rule;
        ck_assert_int_eq(esc_sla_policy_rule(&rule, pol, 0), ESC_OK);
        ck_assert_ptr_nonnull(rule.watcher_id);
        assert_bytes_eq(rule.watcher_id, want, "loaded watcher id", i);
        esc_sla_policy_free(pol);

        esc_escalation *esc = NULL;
        ck_assert_status(b.db, open_with_policy(b.db, name, &esc), ESC_OK);
        snprintf(ids[i], sizeof ids[i], "%s", esc_escalation_id(esc));
        esc_escalation_free(esc);
        free(spec);
        free(generated);
    }

    /* The breach an hour on: each rule adds its watcher and tells the outbox. */
    b.clock.now = T0 + 2 * HOUR;
    esc_sweep_stats stats = ESC_SWEEP_STATS_INIT;
    ck_assert_status(b.db, esc_sweep(&stats, b.db, b.clock.now), ESC_OK);
    ck_assert_uint_eq(stats.rules, COUNT_OF(good_watchers));
    for (size_t i = 0; i < COUNT_OF(good_watchers); i++) {
        const struct watch_case *w = &good_watchers[i];
        char *generated = hostile_text(&w->arg);
        const char *want = w->stored ? w->stored : (generated ? generated : w->arg.text);
        esc_escalation *esc = NULL;
        ck_assert_status(b.db, esc_escalation_get(&esc, b.db, ids[i]), ESC_OK);
        ck_assert_uint_eq(esc_escalation_item_count(esc, ESC_ITEM_WATCHER), 1);
        const esc_item *item = esc_escalation_item(esc, ESC_ITEM_WATCHER, 0);
        assert_bytes_eq(esc_item_person_id(item), want, "watcher id", i);
        esc_escalation_free(esc);
        free(generated);
    }
    esc_outbox_list *box = NULL;
    ck_assert_status(b.db, esc_outbox_fetch(&box, b.db, 1000), ESC_OK);
    size_t rules_seen = 0;
    for (size_t e = 0; e < esc_outbox_list_count(box); e++) {
        const esc_outbox_entry *entry = esc_outbox_list_get(box, e);
        if (strcmp(esc_outbox_entry_kind(entry), "escalation_rule") != 0)
            continue;
        const char *payload = esc_outbox_entry_payload(entry);
        ck_assert_msg(esc__utf8_valid(payload, strlen(payload)), "outbox payload not UTF-8");
        for (size_t i = 0; i < COUNT_OF(good_watchers); i++)
            if (strcmp(esc_outbox_entry_escalation_id(entry), ids[i]) == 0) {
                esc_json_object obj;
                ck_assert_int_eq(esc__json_parse(&obj, payload, strlen(payload)), 0);
                const esc_json_field *field = esc__json_get(&obj, "watcher");
                const struct watch_case *w = &good_watchers[i];
                char *generated = hostile_text(&w->arg);
                const char *want = w->stored ? w->stored : (generated ? generated : w->arg.text);
                ck_assert_ptr_nonnull(field);
                ck_assert_int_eq(field->type, ESC_JSON_STRING);
                assert_bytes_eq(field->string, want, "outbox watcher", i);
                free(generated);
                esc__json_object_free(&obj);
                rules_seen++;
            }
    }
    esc_outbox_list_free(box);
    ck_assert_uint_eq(rules_seen, COUNT_OF(good_watchers));

    /* Replay agrees with the rows: nothing was executed along the way. */
    esc_verify_report *report = NULL;
    ck_assert_status(b.db, esc_db_verify(&report, b.db), ESC_OK);
    ck_assert_msg(esc_verify_report_mismatch_count(report) == 0, "mismatch: %s",
                  esc_verify_report_mismatch_what(report, 0));
    esc_verify_report_free(report);
    table_counts end = count_tables(b.path);
    ck_assert_int_eq(end.schema, start.schema);
    ck_assert_int_eq(end.escalations, (int)COUNT_OF(good_watchers));
    def_bench_close(&b);
    ASSERT_NO_FAILURES(f);
}
END_TEST

/* ---- main --------------------------------------------------------------------------- */

int main(void)
{
    Suite *s = suite_create("badinput");
    TCase *tc;

    tc = tcase_create("table");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_bad_values_control);
    tcase_add_test(tc, test_bad_values);
    tcase_add_test(tc, test_text_at_limit_accepted);
    suite_add_tcase(s, tc);

    tc = tcase_create("null_and_range");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_null_handles_and_outputs);
    tcase_add_test(tc, test_bad_lookup_keys);
    tcase_add_test(tc, test_getters_on_null);
    tcase_add_test(tc, test_out_of_range_indexes);
    tcase_add_test(tc, test_init_unknown_versions);
    suite_add_tcase(s, tc);

    tc = tcase_create("handle");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_bad_tier_ladders);
    tcase_add_test(tc, test_bad_priority_matrix);
    tcase_add_test(tc, test_bad_batches);
    tcase_add_test(tc, test_readonly_handle);
    tcase_add_test(tc, test_snapshot_from_another_database);
    tcase_add_test(tc, test_memory_readonly);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_hostile_text_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("definitions");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_definition_names_refused);
    tcase_add_test(tc, test_definition_names_round_trip);
    tcase_add_test(tc, test_definition_specs);
    tcase_add_test(tc, test_rule_watchers);
    suite_add_tcase(s, tc);

    return test_run(s);
}
