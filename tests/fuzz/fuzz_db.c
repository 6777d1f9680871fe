/*
 * fuzz_db.c — a database file as it is read back: whatever another
 * program, a broken disk or an attacker left in it.
 *
 * Once per process the target builds a small, valid database through the
 * public API (stored calendars and policies with rules, four escalations
 * through many actions, a sweep that fired warnings, breaches and rules,
 * an acknowledged outbox entry), so every table has rows, and keeps the
 * file's bytes.  Each input is a mutation of a copy of that image:
 *
 *   byte 0   mode: bit 0 clear: patches; set: SQL
 *            bit 1: open with ESC_JOURNAL_WAL (else ESC_JOURNAL_ROLLBACK)
 *            bit 2: open read-only
 *   patches  records of 3 bytes offset (big-endian, modulo the image's
 *            size), 1 byte n, then n bytes written over the image at that
 *            offset (cut at its end); n = 0 truncates the image there.
 *   SQL      the rest of the input, run through SQLite on the written file
 *            before the library opens it (DROP TRIGGER events_no_update;
 *            UPDATE events SET payload = ...): damage that keeps the file
 *            well-formed and reaches the library's own decoders.  No ATTACH
 *            (which also rules out VACUUM INTO), no new triggers or views,
 *            and only the user_version and application_id pragmas, so it
 *            cannot touch any other file or the process; a progress
 *            handler stops runaway queries.
 *
 * The library then opens the file (on tmpfs when there is one) and reads
 * everything back: esc_db_verify, esc_escalation_list_query (two orders),
 * for each row esc_escalation_get, esc_history and esc_escalation_sla,
 * the stored definitions, esc_escalation_list_due, esc_sweep,
 * esc_outbox_fetch, esc_db_rebuild.  Any status code is fine; a crash, a
 * leak or undefined behaviour is not.
 */
#define _POSIX_C_SOURCE 200809L

#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "escalate.h"

#define FRI_1630 INT64_C(1772811000000)   /* 2026-03-06T15:30:00Z: the seed's start */
#define MINUTE INT64_C(60000)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
/* "Now" for every fuzzed run: after the seed's sweep, with more due. */
#define FUZZ_NOW (FRI_1630 + 6 * DAY)

#define MODE_SQL 0x1
#define MODE_WAL 0x2
#define MODE_READONLY 0x4

/* SQLite virtual-machine steps an SQL input may take. */
#define SQL_STEP_BUDGET 200000

static int64_t read_clock(void *payload)
{
    return *(const int64_t *)payload;
}

/* ---- the seed image -------------------------------------------------------------- */

typedef struct seed_image {
    unsigned char *bytes;
    size_t len;
    char dir[200];   /* where the working files go */
} seed_image;

static const esc_person AGENT = { "agt-117", "Priya Natarajan", 1 };
static const esc_person SUPERVISOR = { "sup-4", "Sam Okafor", 2 };
static const esc_person SPECIALIST = { "spc-9", "Ines Duarte", 3 };

static void die(const char *what, esc_db *db)
{
    fprintf(stderr, "fuzz_db: building the seed database: %s: %s\n", what,
            db ? esc_db_errmsg(db) : "");
    abort();
}

/* Apply one action; the seed is fixed, so a refusal is a bug of this file
 * (or a library change it has to follow): say so at once. */
static void act(esc_db *db, esc_escalation *esc, esc_action_kind kind, const esc_person *actor,
                void (*fill)(esc_action *a))
{
    esc_action a;
    if (esc_action_init(&a, ESC_ACTION_VERSION, kind) != ESC_OK)
        die("esc_action_init", NULL);
    a.actor = *actor;
    if (fill)
        fill(&a);
    if (esc_apply(db, esc, &a) != ESC_OK) {
        fprintf(stderr, "fuzz_db: seed step %s\n", esc_action_name(kind));
        die("esc_apply", db);
    }
}

static void f_customer_note(esc_action *a) { a->text = "I was charged $89.99 twice."; a->customer_account = 1; }
static void f_problem(esc_action *a) { a->text = "A duplicate card charge, refund not received."; }
static void f_confirm(esc_action *a) { a->yes = 1; }
static void f_step(esc_action *a) { a->text = "Ask the bank for the trace."; a->at = FRI_1630 + 2 * DAY; }
static void f_promise(esc_action *a) { a->at = FRI_1630 + 3 * DAY; }
static void f_own(esc_action *a) { a->person = SUPERVISOR; }
static void f_update(esc_action *a) { a->text = "The bank has the trace request \xE2\x80\x94 update soon."; }
static void f_hold(esc_action *a) { a->hold = ESC_HOLD_CUSTOMER; a->text = "Waiting for the statement."; }
static void f_loop_in(esc_action *a)
{
    static const esc_person legal = { "lgl-2", "L\xC3\xA9" "a Legal", 0 };
    a->person = legal;
    a->category = "legal";
}
static void f_tag(esc_action *a) { a->text = "billing"; }
static void f_emotion(esc_action *a) { a->text = "frustrated"; }
static void f_option(esc_action *a) { a->text = "A voucher now, the refund later."; }
static void f_choose(esc_action *a) { a->item = 1; }
static void f_exception(esc_action *a) { a->category = "refund"; a->text = "Refund before the trace."; a->tier = 2; }
static void f_decide(esc_action *a) { a->item = 1; a->yes = 1; a->text = "Approved."; }
static void f_reassess(esc_action *a) { a->impact = 3; a->urgency = 4; a->vip = 1; }
static void f_resolution(esc_action *a) { a->text = "Refunded $89.99."; }
static void f_follow_up(esc_action *a) { a->text = "Call to confirm the refund."; a->at = FRI_1630 + 5 * DAY; }
static void f_complete(esc_action *a) { a->item = 1; a->yes = 1; a->text = "Reached, happy."; }
static void f_confirmed(esc_action *a) { a->yes = 1; }
static void f_close(esc_action *a)
{
    a->category = "billing";
    a->text = "Two systems both charged.";
    a->satisfaction = 4;
    a->lessons = "Deduplicate charges.";
}
static void f_withdraw(esc_action *a) { a->text = "The customer withdrew the complaint."; }

static esc_escalation *open_one(esc_db *db, const char *policy, const char *ref, int vip)
{
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    p.actor = AGENT;
    p.summary = "You took $89.99 twice and the refund never came.";
    p.customer_id = "cust-88412";
    p.customer_name = "Dana \xC3\x96zt\xC3\xBCrk";
    p.external_ref = ref;
    p.channel = ESC_CHANNEL_EMAIL;
    p.impact = 2;
    p.urgency = 3;
    p.vip = vip;
    p.sla_policy = policy;
    esc_escalation *esc = NULL;
    if (esc_escalation_open(&esc, db, &p) != ESC_OK)
        die("esc_escalation_open", db);
    return esc;
}

static void build_seed(esc_db *db, int64_t *now)
{
    if (esc_db_calendar_put(NULL, db, "berlin",
                            "tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-03-09") != ESC_OK ||
        esc_db_calendar_put(NULL, db, "berlin",
                            "tz=Europe/Berlin; mon-fri 08:00-12:00,13:00-18:00; sat 10:00-12:00; "
                            "holiday 2026-03-09; yearly 12-25") != ESC_OK ||
        esc_db_calendar_put(NULL, db, "nights", "tz=America/New_York; sun-thu 22:00-06:00") != ESC_OK)
        die("esc_db_calendar_put", db);
    if (esc_db_policy_put(NULL, db, "std",
                          "p1 first_response=30m update=2h resolution=4h; "
                          "p2 first_response=1h update=4h resolution=8h; "
                          "p3 first_response=2h resolution=16h; p4 resolution=40h; p5 resolution=80h; "
                          "warn=50,75; pause=customer,third_party; "
                          "rule resolution breach tier=1 move_up watch=lead-7; "
                          "rule resolution warn=75 raise; "
                          "rule first_response breach after=30m repeat=3 every=1h watch=duty.mgr",
                          "berlin") != ESC_OK ||
        esc_db_policy_put(NULL, db, "wall",
                          "calendar=wall; p1 resolution=1h; p2 resolution=2h; p3 resolution=3h; "
                          "p4 resolution=4h; p5 resolution=5h; warn=90; pause=none; "
                          "rule resolution breach move_up", NULL) != ESC_OK ||
        esc_db_policy_put(NULL, db, "howe",
                          "calendar=[tz=Australia/Lord_Howe; mon-sun 00:00-24:00]; "
                          "p1 update=1h; p2 update=1h; p3 first_response=45m update=90m resolution=2h; "
                          "p4 update=1h; p5 update=1h; warn=10,20,30", NULL) != ESC_OK)
        die("esc_db_policy_put", db);

    /* A: std, through planning, ownership, updates, a hold and an exception. */
    esc_escalation *a = open_one(db, "std", "TCK-1001", 0);
    *now += 5 * MINUTE;
    act(db, a, ESC_ACTION_NOTE, &AGENT, f_customer_note);
    act(db, a, ESC_ACTION_ACK_EMOTION, &AGENT, f_emotion);
    act(db, a, ESC_ACTION_ADVANCE, &AGENT, NULL);
    act(db, a, ESC_ACTION_STATE_PROBLEM, &AGENT, f_problem);
    act(db, a, ESC_ACTION_CONFIRM_PROBLEM, &AGENT, f_confirm);
    *now += 10 * MINUTE;
    act(db, a, ESC_ACTION_ADD_STEP, &AGENT, f_step);
    act(db, a, ESC_ACTION_OFFER_OPTION, &AGENT, f_option);
    act(db, a, ESC_ACTION_CHOOSE_OPTION, &AGENT, f_choose);
    act(db, a, ESC_ACTION_PROMISE, &AGENT, f_promise);
    act(db, a, ESC_ACTION_TAKE_OWNERSHIP, &SUPERVISOR, f_own);
    act(db, a, ESC_ACTION_LOOP_IN, &SUPERVISOR, f_loop_in);
    act(db, a, ESC_ACTION_TAG, &SUPERVISOR, f_tag);
    *now += 20 * MINUTE;
    act(db, a, ESC_ACTION_SEND_UPDATE, &SUPERVISOR, f_update);
    act(db, a, ESC_ACTION_HOLD, &SUPERVISOR, f_hold);
    *now += HOUR;
    act(db, a, ESC_ACTION_RESUME, &SUPERVISOR, NULL);
    act(db, a, ESC_ACTION_REQUEST_EXCEPTION, &SUPERVISOR, f_exception);
    act(db, a, ESC_ACTION_DECIDE_EXCEPTION, &SPECIALIST, f_decide);

    /* B: wall time, reassessed, left to breach. */
    esc_escalation *b = open_one(db, "wall", NULL, 1);
    *now += MINUTE;
    act(db, b, ESC_ACTION_NOTE, &AGENT, f_customer_note);
    act(db, b, ESC_ACTION_REASSESS, &AGENT, f_reassess);

    /* C: no policy, to the end: resolution, follow-up, close. */
    esc_escalation *c = open_one(db, NULL, "TCK-1003", 0);
    act(db, c, ESC_ACTION_NOTE, &AGENT, f_customer_note);
    act(db, c, ESC_ACTION_ADVANCE, &AGENT, NULL);
    act(db, c, ESC_ACTION_STATE_PROBLEM, &AGENT, f_problem);
    act(db, c, ESC_ACTION_CONFIRM_PROBLEM, &AGENT, f_confirm);
    act(db, c, ESC_ACTION_ADD_STEP, &AGENT, f_step);
    act(db, c, ESC_ACTION_PROMISE, &AGENT, f_promise);
    act(db, c, ESC_ACTION_TAKE_OWNERSHIP, &SUPERVISOR, f_own);
    *now += HOUR;
    act(db, c, ESC_ACTION_RECORD_RESOLUTION, &SUPERVISOR, f_resolution);
    act(db, c, ESC_ACTION_SCHEDULE_FOLLOW_UP, &SUPERVISOR, f_follow_up);
    act(db, c, ESC_ACTION_COMPLETE_FOLLOW_UP, &SUPERVISOR, f_complete);
    act(db, c, ESC_ACTION_CONFIRM_RESOLVED, &SUPERVISOR, f_confirmed);
    act(db, c, ESC_ACTION_CLOSE, &SUPERVISOR, f_close);

    /* D: an embedded-calendar policy; E: withdrawn. */
    esc_escalation *d = open_one(db, "howe", NULL, 0);
    act(db, d, ESC_ACTION_NOTE, &AGENT, f_customer_note);
    act(db, d, ESC_ACTION_ADVANCE, &AGENT, NULL);
    act(db, d, ESC_ACTION_STATE_PROBLEM, &AGENT, f_problem);
    act(db, d, ESC_ACTION_CONFIRM_PROBLEM, &AGENT, f_confirm);
    *now += 30 * MINUTE;
    act(db, d, ESC_ACTION_SEND_UPDATE, &AGENT, f_update);
    esc_escalation *e = open_one(db, "std", "TCK-1005", 0);
    act(db, e, ESC_ACTION_WITHDRAW, &AGENT, f_withdraw);

    /* Four days on: warnings, breaches, rules, the promise. */
    esc_sweep_stats stats = ESC_SWEEP_STATS_INIT;
    *now = FRI_1630 + 4 * DAY;
    if (esc_sweep(&stats, db, *now) != ESC_OK || stats.firings == 0)
        die("esc_sweep", db);
    esc_outbox_list *box = NULL;
    if (esc_outbox_fetch(&box, db, 1) != ESC_OK || esc_outbox_list_count(box) != 1 ||
        esc_outbox_ack(db, esc_outbox_entry_id(esc_outbox_list_get(box, 0))) != ESC_OK)
        die("the outbox", db);
    esc_outbox_list_free(box);

    esc_escalation_free(a);
    esc_escalation_free(b);
    esc_escalation_free(c);
    esc_escalation_free(d);
    esc_escalation_free(e);
}

static void remove_db(const char *path)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    char name[300];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        unlink(name);
    }
}

static int read_whole(const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 65536;
            unsigned char *grown = realloc(buf, cap);
            if (grown == NULL)
                break;
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f) || n == 0;
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

static void make_seed(seed_image *image)
{
    struct stat st;
    const char *tmp = getenv("TMPDIR");
    const char *dir = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                      access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                    : tmp && *tmp ? tmp : "/tmp";
    snprintf(image->dir, sizeof image->dir, "%s", dir);

    char path[300];
    snprintf(path, sizeof path, "%s/escalate-fuzz-seed-%ld.db", image->dir, (long)getpid());
    remove_db(path);
    int64_t now = FRI_1630;
    esc_db_options opts = ESC_DB_OPTIONS_INIT;
    opts.flags = ESC_OPEN_CREATE;
    opts.journal = ESC_JOURNAL_ROLLBACK;   /* the whole database in one file */
    opts.clock = read_clock;
    opts.clock_payload = &now;
    esc_db *db = NULL;
    if (esc_db_open(&db, path, &opts) != ESC_OK)
        die("esc_db_open", db);
    build_seed(db, &now);
    esc_db_close(db);
    if (read_whole(path, &image->bytes, &image->len) != 0)
        die("reading the seed file back", NULL);
    remove_db(path);
}

/* The seed image, built on first use.  This is the target's only state
 * kept between inputs, and it is never changed after it is built: building
 * it takes far longer than one run, and every run starts from the same
 * bytes, so results do not depend on the order inputs come in. */
static const seed_image *seed(void)
{
    static seed_image image;
    if (image.bytes == NULL)
        make_seed(&image);
    return &image;
}

/* ---- one run --------------------------------------------------------------------- */

static void apply_patches(unsigned char *img, size_t *len, const uint8_t *p, size_t n)
{
    while (n >= 4 && *len > 0) {
        size_t off = (((size_t)p[0] << 16) | ((size_t)p[1] << 8) | p[2]) % *len;
        size_t count = p[3];
        p += 4;
        n -= 4;
        if (count == 0) {
            *len = off;
            continue;
        }
        if (count > n)
            count = n;
        if (count > *len - off)
            count = *len - off;
        memcpy(img + off, p, count);
        p += count;
        n -= count;
    }
}

static int write_file(const char *path, const unsigned char *bytes, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, bytes + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(fd);
    return done == len ? 0 : -1;
}

/* Only what can change nothing but this one file, and nothing that would
 * run SQL of the input's inside the library's own statements later
 * (triggers and views could loop for ever there: a hang of SQLite's, not a
 * finding about the library). */
static int sql_authorizer(void *unused, int action, const char *a1, const char *a2,
                          const char *a3, const char *a4)
{
    (void)unused;
    (void)a2;
    (void)a3;
    (void)a4;
    switch (action) {
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
    case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_TEMP_TRIGGER:
    case SQLITE_CREATE_VIEW:
    case SQLITE_CREATE_TEMP_VIEW:
    case SQLITE_CREATE_VTABLE:
        return SQLITE_DENY;
    case SQLITE_PRAGMA:
        return a1 && (strcasecmp(a1, "user_version") == 0 || strcasecmp(a1, "application_id") == 0)
                   ? SQLITE_OK : SQLITE_DENY;
    default:
        return SQLITE_OK;
    }
}

static int sql_progress(void *steps)
{
    return ++*(int *)steps > SQL_STEP_BUDGET / 1000;
}

static void run_sql(const char *path, const uint8_t *text, size_t len)
{
    char *sql = fuzz_cstring(text, len);
    sqlite3 *s = NULL;
    if (sql == NULL)
        return;
    if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        int steps = 0;
        sqlite3_limit(s, SQLITE_LIMIT_ATTACHED, 0);
        sqlite3_limit(s, SQLITE_LIMIT_LENGTH, 1 << 20);
        sqlite3_limit(s, SQLITE_LIMIT_SQL_LENGTH, 1 << 16);
        sqlite3_set_authorizer(s, sql_authorizer, NULL);
        sqlite3_progress_handler(s, 1000, sql_progress, &steps);
        sqlite3_exec(s, sql, NULL, NULL, NULL);
    }
    sqlite3_close(s);
    free(sql);
}

/* Read a string getter's answer to its end, so that ASan sees all of it. */
static size_t touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static void read_escalation(esc_db *db, const esc_escalation *esc)
{
    size_t sum = touch(esc_escalation_id(esc)) + touch(esc_escalation_summary(esc)) +
                 touch(esc_escalation_customer_id(esc)) + touch(esc_escalation_customer_name(esc)) +
                 touch(esc_escalation_external_ref(esc)) + touch(esc_escalation_owner_name(esc)) +
                 touch(esc_escalation_problem(esc)) + touch(esc_escalation_resolution(esc)) +
                 touch(esc_escalation_hold_reason(esc)) + touch(esc_escalation_lessons(esc)) +
                 touch(esc_escalation_sla_policy(esc));
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++)
        for (size_t i = 0; i < esc_escalation_item_count(esc, (esc_item_kind)k); i++) {
            const esc_item *item = esc_escalation_item(esc, (esc_item_kind)k, i);
            sum += touch(esc_item_text(item)) + touch(esc_item_category(item)) +
                   touch(esc_item_person_id(item)) + touch(esc_item_decision(item));
        }

    const char *id = esc_escalation_id(esc);
    esc_escalation *again = NULL;
    if (esc_escalation_get(&again, db, id) == ESC_OK)
        esc_escalation_free(again);
    esc_event_list *history = NULL;
    if (esc_history(&history, db, id) == ESC_OK) {
        for (size_t i = 0; i < esc_event_list_count(history); i++) {
            const esc_event *ev = esc_event_list_get(history, i);
            sum += touch(esc_event_payload(ev)) + touch(esc_event_actor_id(ev)) +
                   touch(esc_event_actor_name(ev)) + (size_t)esc_event_action(ev);
        }
        esc_event_list_free(history);
    }
    (void)sum;
    esc_sla_clocks *clocks = NULL;
    if (esc_escalation_sla(&clocks, db, esc, FUZZ_NOW) == ESC_OK) {
        for (int t = 0; t < ESC_SLA_TARGET_COUNT; t++) {
            int percent = 0;
            (void)esc_sla_clocks_deadline(clocks, (esc_sla_target)t);
            (void)esc_sla_clocks_next_warning(clocks, (esc_sla_target)t, &percent);
        }
        esc_sla_clocks_free(clocks);
    }
}

static void read_definitions(esc_db *db)
{
    static const char *const calendars[] = { "berlin", "nights" };
    static const char *const policies[] = { "std", "wall", "howe" };
    esc_definition *def = NULL;
    for (size_t i = 0; i < sizeof calendars / sizeof calendars[0]; i++)
        for (int64_t v = 0; v <= 2; v++)
            if (esc_db_calendar_get(&def, db, calendars[i], v) == ESC_OK) {
                (void)touch(esc_definition_spec(def));
                esc_definition_free(def);
            }
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        if (esc_db_policy_get(&def, db, policies[i], 0) == ESC_OK) {
            (void)touch(esc_definition_spec(def));
            (void)touch(esc_definition_calendar(def));
            esc_definition_free(def);
        }
        esc_sla_policy *pol = NULL;
        if (esc_db_policy_load(&pol, db, policies[i]) == ESC_OK)
            esc_sla_policy_free(pol);
    }
}

static void read_everything(esc_db *db)
{
    esc_verify_report *report = NULL;
    if (esc_db_verify(&report, db) == ESC_OK) {
        for (size_t i = 0; i < esc_verify_report_mismatch_count(report); i++)
            (void)touch(esc_verify_report_mismatch_what(report, i));
        esc_verify_report_free(report);
    }

    static const esc_order orders[] = { ESC_ORDER_PRIORITY, ESC_ORDER_DUE };
    for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
        esc_filter filter = ESC_FILTER_INIT;
        filter.order = orders[o];
        esc_escalation_list *list = NULL;
        if (esc_escalation_list_query(&list, db, &filter) != ESC_OK)
            continue;
        if (o == 0)
            for (size_t i = 0; i < esc_escalation_list_count(list); i++)
                read_escalation(db, esc_escalation_list_get(list, i));
        esc_escalation_list_free(list);
    }
    read_definitions(db);

    esc_escalation_list *due = NULL;
    if (esc_escalation_list_due(&due, db, FUZZ_NOW, 0) == ESC_OK)
        esc_escalation_list_free(due);

    esc_sweep_stats stats = ESC_SWEEP_STATS_INIT;
    (void)esc_sweep(&stats, db, FUZZ_NOW);

    esc_outbox_list *box = NULL;
    if (esc_outbox_fetch(&box, db, 0) == ESC_OK) {
        for (size_t i = 0; i < esc_outbox_list_count(box); i++) {
            const esc_outbox_entry *entry = esc_outbox_list_get(box, i);
            (void)(touch(esc_outbox_entry_payload(entry)) + touch(esc_outbox_entry_kind(entry)) +
                   touch(esc_outbox_entry_escalation_id(entry)));
        }
        esc_outbox_list_free(box);
    }

    size_t rebuilt = 0;
    (void)esc_db_rebuild(&rebuilt, db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const seed_image *image = seed();
    int mode = data[0];

    unsigned char *img = malloc(image->len);
    if (img == NULL)
        return 0;
    memcpy(img, image->bytes, image->len);
    size_t len = image->len;
    if (!(mode & MODE_SQL))
        apply_patches(img, &len, data + 1, size - 1);

    char path[300];
    snprintf(path, sizeof path, "%s/escalate-fuzz-%ld.db", image->dir, (long)getpid());
    remove_db(path);
    int written = write_file(path, img, len);
    free(img);
    if (written != 0) {
        remove_db(path);
        return 0;
    }
    if (mode & MODE_SQL)
        run_sql(path, data + 1, size - 1);

    int64_t now = FUZZ_NOW;
    esc_db_options opts = ESC_DB_OPTIONS_INIT;
    opts.flags = (mode & MODE_READONLY) ? ESC_OPEN_READONLY : ESC_OPEN_READWRITE;
    opts.journal = (mode & MODE_WAL) ? ESC_JOURNAL_WAL : ESC_JOURNAL_ROLLBACK;
    opts.busy_timeout_ms = 0;   /* nothing else uses the file: never wait */
    opts.clock = read_clock;
    opts.clock_payload = &now;
    esc_db *db = NULL;
    if (esc_db_open(&db, path, &opts) == ESC_OK)
        read_everything(db);
    else
        (void)touch(esc_db_errmsg(db));
    esc_db_close(db);
    remove_db(path);
    return 0;
}
