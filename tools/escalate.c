/*
 * tools/escalate.c — the `escalate` command: operators and scripts drive
 * libescalate databases from the shell.
 *
 *   escalate [--db PATH] [--json] COMMAND [ARGS] [OPTIONS]
 *
 * Commands are rows of one table (commands[] below): name, handler, how the
 * database is opened, positional arguments, options, help text.  Options are
 * rows of per-command tables (struct cli_opt, parsed by cli_args.c) that
 * store straight into struct cli_args.  Adding a command (`due`, `sweep`,
 * `outbox` once the library has timers) is one handler and one row.
 *
 * Exit codes (stable; see enum cli_exit in cli.h and `escalate --help`):
 *   0 ok; 1 usage error; 2 not found; 3 refused (ESC_ETRANSITION, ESC_EGUARD,
 *   ESC_EAUTHORITY); 4 conflict or busy (ESC_ECONFLICT, ESC_EBUSY); 5 any
 *   other library error; 6 verify found mismatches.
 * Errors go to stderr as "escalate: ESC_NAME: message" (refusals add the
 * guard: "(guard: customer_note)").
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* How a command needs the database. */
enum db_mode { DB_NONE, DB_CREATE, DB_READ, DB_WRITE };

struct ctx {
    struct cli_args *args;
    esc_db *db;
    struct cli_json json;
};

struct command {
    const char *name;
    int (*run)(struct ctx *c);
    enum db_mode db;
    int min_pos, max_pos;
    const char *usage;      /* after "escalate NAME " */
    const struct cli_opt *opts;
    const char *summary;
    const char *help;       /* extra paragraph for NAME --help; may be NULL */
};

/* ------------------------------------------------------------------------ */
/* Errors and exit codes                                                    */

static int exit_code_for(int status)
{
    switch (status) {
    case ESC_OK: return CLI_EXIT_OK;
    case ESC_ENOTFOUND: return CLI_EXIT_NOTFOUND;
    case ESC_ETRANSITION:
    case ESC_EGUARD:
    case ESC_EAUTHORITY: return CLI_EXIT_REFUSED;
    case ESC_ECONFLICT:
    case ESC_EBUSY: return CLI_EXIT_CONFLICT;
    default: return CLI_EXIT_LIBRARY;
    }
}

/* Report a library failure on stderr and return its exit code. */
static int fail(struct ctx *c, int status, esc_guard guard)
{
    const char *msg = c->db != NULL ? esc_db_errmsg(c->db) : "";
    if (msg[0] == '\0')
        msg = esc_status_string(status);
    fprintf(stderr, "escalate: %s: %s", esc_status_name(status), msg);
    if (guard != ESC_GUARD_NONE)
        fprintf(stderr, " (guard: %s)", esc_guard_name(guard));
    fputc('\n', stderr);
    return exit_code_for(status);
}

static int try_help(const char *command)
{
    fprintf(stderr, "Try 'escalate %s%s--help'.\n", command != NULL ? command : "",
            command != NULL ? " " : "");
    return CLI_EXIT_USAGE;
}

static int usage(const char *command, const char *message)
{
    fprintf(stderr, "escalate: %s\n", message);
    return try_help(command);
}

/* ------------------------------------------------------------------------ */
/* Escalation fields, table-driven for both tables and JSON                 */

enum field_kind { F_STR, F_INT, F_BOOL, F_TIME };

struct field {
    const char *name;
    enum field_kind kind;
    const char *(*str)(const esc_escalation *);
    int (*num)(const esc_escalation *);
    int64_t (*time)(const esc_escalation *);
};

static const char *f_state(const esc_escalation *e) { return esc_state_name(esc_escalation_state(e)); }
static const char *f_channel(const esc_escalation *e) { return esc_channel_name(esc_escalation_channel(e)); }
static const char *f_hold(const esc_escalation *e) { return esc_hold_name(esc_escalation_hold(e)); }
static int f_version(const esc_escalation *e) { return (int)esc_escalation_version(e); }

static const struct field fields[] = {
    { "id", F_STR, .str = esc_escalation_id },
    { "ref", F_STR, .str = esc_escalation_external_ref },
    { "state", F_STR, .str = f_state },
    { "open", F_BOOL, .num = esc_escalation_is_open },
    { "version", F_INT, .num = f_version },
    { "priority", F_INT, .num = esc_escalation_priority },
    { "tier", F_INT, .num = esc_escalation_tier },
    { "owner_id", F_STR, .str = esc_escalation_owner_id },
    { "owner_name", F_STR, .str = esc_escalation_owner_name },
    { "customer_id", F_STR, .str = esc_escalation_customer_id },
    { "customer_name", F_STR, .str = esc_escalation_customer_name },
    { "channel", F_STR, .str = f_channel },
    { "impact", F_INT, .num = esc_escalation_impact },
    { "urgency", F_INT, .num = esc_escalation_urgency },
    { "vip", F_BOOL, .num = esc_escalation_vip },
    { "churn_risk", F_BOOL, .num = esc_escalation_churn_risk },
    { "confidential", F_BOOL, .num = esc_escalation_confidential },
    { "summary", F_STR, .str = esc_escalation_summary },
    { "problem", F_STR, .str = esc_escalation_problem },
    { "problem_confirmed", F_BOOL, .num = esc_escalation_problem_confirmed },
    { "promised_at", F_TIME, .time = esc_escalation_promised_at },
    { "due_at", F_TIME, .time = esc_escalation_due_at },
    { "resolution", F_STR, .str = esc_escalation_resolution },
    { "unconfirmed", F_BOOL, .num = esc_escalation_unconfirmed },
    { "withdrawn", F_BOOL, .num = esc_escalation_withdrawn },
    { "hold", F_STR, .str = f_hold },
    { "hold_reason", F_STR, .str = esc_escalation_hold_reason },
    { "hold_since", F_TIME, .time = esc_escalation_hold_since },
    { "root_cause_category", F_STR, .str = esc_escalation_root_cause_category },
    { "root_cause", F_STR, .str = esc_escalation_root_cause },
    { "lessons", F_STR, .str = esc_escalation_lessons },
    { "satisfaction", F_INT, .num = esc_escalation_satisfaction },
    { "reopen_count", F_INT, .num = esc_escalation_reopen_count },
    { "created_at", F_TIME, .time = esc_escalation_created_at },
    { "updated_at", F_TIME, .time = esc_escalation_updated_at },
};
#define FIELD_COUNT (sizeof fields / sizeof fields[0])

static const char *const item_status_names[] = { "open", "approved", "denied", "done" };

static const char *item_status_name(const esc_item *it)
{
    unsigned s = (unsigned)esc_item_status_of(it);
    return s < sizeof item_status_names / sizeof item_status_names[0] ? item_status_names[s] : "?";
}

static void json_fields(struct cli_json *j, const esc_escalation *e)
{
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        const struct field *f = &fields[i];
        cli_json_key(j, f->name);
        switch (f->kind) {
        case F_STR: cli_json_string(j, f->str(e)); break;
        case F_INT: cli_json_int(j, f->num(e)); break;
        case F_BOOL: cli_json_bool(j, f->num(e)); break;
        case F_TIME: cli_json_time(j, f->time(e)); break;
        }
    }
}

static void json_items(struct cli_json *j, const esc_escalation *e)
{
    cli_json_key(j, "items");
    cli_json_begin_array(j);
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++) {
        size_t n = esc_escalation_item_count(e, (esc_item_kind)k);
        for (size_t i = 0; i < n; i++) {
            const esc_item *it = esc_escalation_item(e, (esc_item_kind)k, i);
            cli_json_begin_object(j);
            cli_json_key(j, "kind");
            cli_json_string(j, esc_item_kind_name(esc_item_get_kind(it)));
            cli_json_key(j, "number");
            cli_json_int(j, esc_item_number(it));
            cli_json_key(j, "text");
            cli_json_string(j, esc_item_text(it));
            cli_json_key(j, "category");
            cli_json_string(j, esc_item_category(it));
            cli_json_key(j, "person_id");
            cli_json_string(j, esc_item_person_id(it));
            cli_json_key(j, "person_name");
            cli_json_string(j, esc_item_person_name(it));
            cli_json_key(j, "tier");
            cli_json_int(j, esc_item_tier(it));
            cli_json_key(j, "at");
            cli_json_time(j, esc_item_at(it));
            cli_json_key(j, "flag");
            cli_json_bool(j, esc_item_flag(it));
            cli_json_key(j, "status");
            cli_json_string(j, item_status_name(it));
            cli_json_key(j, "decision");
            cli_json_string(j, esc_item_decision(it));
            cli_json_key(j, "decided_by");
            cli_json_string(j, esc_item_decided_by(it));
            cli_json_key(j, "created_at");
            cli_json_time(j, esc_item_created_at(it));
            cli_json_end_object(j);
        }
    }
    cli_json_end_array(j);
}

static void print_escalation_json(struct ctx *c, const esc_escalation *e)
{
    cli_json_begin_object(&c->json);
    json_fields(&c->json, e);
    json_items(&c->json, e);
    cli_json_end_object(&c->json);
}

static void print_escalation_text(const esc_escalation *e)
{
    char buf[40];
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        const struct field *f = &fields[i];
        switch (f->kind) {
        case F_STR:
            if (f->str(e)[0] != '\0')
                printf("%-20s %s\n", f->name, f->str(e));
            break;
        case F_INT: printf("%-20s %d\n", f->name, f->num(e)); break;
        case F_BOOL: printf("%-20s %s\n", f->name, f->num(e) ? "yes" : "no"); break;
        case F_TIME:
            if (f->time(e) != 0) {
                cli_format_time(buf, sizeof buf, f->time(e));
                printf("%-20s %s\n", f->name, buf);
            }
            break;
        }
    }
    for (int k = 0; k < ESC_ITEM_KIND_COUNT; k++) {
        size_t n = esc_escalation_item_count(e, (esc_item_kind)k);
        if (n > 0)
            printf("\n%s:\n", esc_item_kind_name((esc_item_kind)k));
        for (size_t i = 0; i < n; i++) {
            const esc_item *it = esc_escalation_item(e, (esc_item_kind)k, i);
            printf("  #%d", esc_item_number(it));
            if (esc_item_text(it)[0] != '\0')
                printf(" %s", esc_item_text(it));
            if (esc_item_category(it)[0] != '\0')
                printf(" [%s]", esc_item_category(it));
            if (esc_item_person_name(it)[0] != '\0')
                printf(" %s", esc_item_person_name(it));
            if (esc_item_person_id(it)[0] != '\0')
                printf(" (%s)", esc_item_person_id(it));
            if (esc_item_at(it) != 0) {
                cli_format_time(buf, sizeof buf, esc_item_at(it));
                printf(" at %s", buf);
            }
            if (esc_item_flag(it))
                printf(" [flag]");
            if (esc_item_status_of(it) != ESC_ITEM_OPEN)
                printf(" (%s)", item_status_name(it));
            if (esc_item_decision(it)[0] != '\0')
                printf(": %s", esc_item_decision(it));
            putchar('\n');
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Shared steps                                                             */

#define FIRST_POS(c) ((c)->args->npos >= 1 ? (c)->args->pos[0] : NULL)

/* The escalation named by id (the first positional, NULL when none) or by
 * --ref: exactly one of the two. */
static int load_target(struct ctx *c, esc_escalation **out, const char *cmd, const char *id)
{
    const struct cli_args *a = c->args;
    int rc;
    if ((a->ref != NULL) == (id != NULL))
        return usage(cmd, "give either an escalation ID or --ref REF");
    if (a->ref != NULL)
        rc = esc_escalation_get_by_ref(out, c->db, a->ref);
    else
        rc = esc_escalation_get(out, c->db, id);
    return rc == ESC_OK ? CLI_EXIT_OK : fail(c, rc, ESC_GUARD_NONE);
}

static int need_actor(struct ctx *c, const char *cmd, esc_person *out)
{
    const struct cli_person *p = &c->args->actor;
    if (p->id == NULL || p->name == NULL)
        return usage(cmd, "who acts? give --actor id:name:tier (or --actor-id and --actor-name)");
    out->id = p->id;
    out->name = p->name;
    out->tier = p->tier > 0 ? p->tier : 1;
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* Commands                                                                 */

static int cmd_init(struct ctx *c)
{
    if (c->args->json) {
        cli_json_begin_object(&c->json);
        cli_json_key(&c->json, "path");
        cli_json_string(&c->json, c->args->db_path);
        cli_json_key(&c->json, "schema_version");
        cli_json_int(&c->json, esc_db_schema_version(c->db));
        cli_json_end_object(&c->json);
        cli_json_end(&c->json);
    } else {
        printf("initialised %s (schema %d)\n", c->args->db_path, esc_db_schema_version(c->db));
    }
    return CLI_EXIT_OK;
}

static int cmd_open(struct ctx *c)
{
    const struct cli_args *a = c->args;
    esc_open_params p = ESC_OPEN_PARAMS_INIT;
    int rc = need_actor(c, "open", &p.actor);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (a->summary == NULL || a->customer == NULL)
        return usage("open", "--summary and --customer are required");
    p.summary = a->summary;
    p.customer_id = a->customer;
    p.customer_name = a->customer_name;
    p.external_ref = a->ref;
    if (a->channel >= 0)
        p.channel = (esc_channel)a->channel;
    if (a->impact >= 0)
        p.impact = a->impact;
    if (a->urgency >= 0)
        p.urgency = a->urgency;
    p.vip = a->vip > 0;
    p.churn_risk = a->churn_risk > 0;
    p.confidential = a->confidential > 0;
    esc_escalation *e = NULL;
    rc = esc_escalation_open(&e, c->db, &p);
    if (rc != ESC_OK)
        return fail(c, rc, ESC_GUARD_NONE);
    if (a->json) {
        print_escalation_json(c, e);
        cli_json_end(&c->json);
    } else {
        printf("%s\n", esc_escalation_id(e));
    }
    esc_escalation_free(e);
    return CLI_EXIT_OK;
}

static int cmd_show(struct ctx *c)
{
    esc_escalation *e = NULL;
    int rc = load_target(c, &e, "show", FIRST_POS(c));
    if (rc != CLI_EXIT_OK)
        return rc;
    if (c->args->json) {
        print_escalation_json(c, e);
        cli_json_end(&c->json);
    } else {
        print_escalation_text(e);
    }
    esc_escalation_free(e);
    return CLI_EXIT_OK;
}

static int cmd_list(struct ctx *c)
{
    const struct cli_args *a = c->args;
    esc_filter f = ESC_FILTER_INIT;
    f.state = a->state;
    f.owner_id = a->owner;
    f.tier = a->tier;
    f.priority = a->priority;
    f.tag = a->tag;
    f.customer_id = a->customer;
    if (a->open_filter >= 0)
        f.open = a->open_filter;
    if (a->order >= 0)
        f.order = (esc_order)a->order;
    if (a->limit >= 0)
        f.limit = (size_t)a->limit;
    if (a->offset >= 0)
        f.offset = (size_t)a->offset;
    esc_escalation_list *list = NULL;
    int rc = esc_escalation_list_query(&list, c->db, &f);
    if (rc != ESC_OK)
        return fail(c, rc, ESC_GUARD_NONE);
    size_t n = esc_escalation_list_count(list);
    if (a->json) {
        cli_json_begin_array(&c->json);
        for (size_t i = 0; i < n; i++) {
            cli_json_begin_object(&c->json);
            json_fields(&c->json, esc_escalation_list_get(list, i));
            cli_json_end_object(&c->json);
        }
        cli_json_end_array(&c->json);
        cli_json_end(&c->json);
    } else {
        printf("%-36s %-9s P T %-16s %-16s %-20s %s\n", "ID", "STATE", "OWNER", "CUSTOMER", "DUE",
               "SUMMARY");
        for (size_t i = 0; i < n; i++) {
            const esc_escalation *e = esc_escalation_list_get(list, i);
            char due[40] = "-";
            if (esc_escalation_due_at(e) != 0)
                cli_format_time(due, sizeof due, esc_escalation_due_at(e));
            printf("%-36s %-9s %d %d ", esc_escalation_id(e), f_state(e),
                   esc_escalation_priority(e), esc_escalation_tier(e));
            cli_print_cell(stdout, esc_escalation_owner_id(e)[0] ? esc_escalation_owner_id(e) : "-", 16);
            putchar(' ');
            cli_print_cell(stdout, esc_escalation_customer_id(e), 16);
            printf(" %-20s ", due);
            cli_print_cell(stdout, esc_escalation_summary(e), -40);
            putchar('\n');
        }
    }
    esc_escalation_list_free(list);
    return CLI_EXIT_OK;
}

static int cmd_history(struct ctx *c)
{
    esc_escalation *e = NULL;
    int rc = load_target(c, &e, "history", FIRST_POS(c));
    if (rc != CLI_EXIT_OK)
        return rc;
    esc_event_list *events = NULL;
    rc = esc_history(&events, c->db, esc_escalation_id(e));
    esc_escalation_free(e);
    if (rc != ESC_OK)
        return fail(c, rc, ESC_GUARD_NONE);
    size_t n = esc_event_list_count(events);
    if (c->args->json)
        cli_json_begin_array(&c->json);
    else
        printf("%-4s %-24s %-20s %-24s %-22s %s\n", "SEQ", "AT", "ACTION", "ACTOR", "STATE",
               "PAYLOAD");
    for (size_t i = 0; i < n; i++) {
        const esc_event *ev = esc_event_list_get(events, i);
        const char *from = esc_state_name(esc_event_from_state(ev));
        const char *to = esc_state_name(esc_event_to_state(ev));
        if (c->args->json) {
            struct cli_json *j = &c->json;
            cli_json_begin_object(j);
            cli_json_key(j, "seq");
            cli_json_int(j, esc_event_seq(ev));
            cli_json_key(j, "at");
            cli_json_time(j, esc_event_at(ev));
            cli_json_key(j, "action");
            cli_json_string(j, esc_action_name(esc_event_action(ev)));
            cli_json_key(j, "actor_id");
            cli_json_string(j, esc_event_actor_id(ev));
            cli_json_key(j, "actor_name");
            cli_json_string(j, esc_event_actor_name(ev));
            cli_json_key(j, "actor_tier");
            cli_json_int(j, esc_event_actor_tier(ev));
            cli_json_key(j, "from_state");
            cli_json_string(j, from);
            cli_json_key(j, "to_state");
            cli_json_string(j, to);
            cli_json_key(j, "payload");
            cli_json_raw(j, esc_event_payload(ev));
            cli_json_end_object(j);
        } else {
            char at[40], states[64];
            cli_format_time(at, sizeof at, esc_event_at(ev));
            snprintf(states, sizeof states, "%s>%s", from, to);
            printf("%-4lld %-24s %-20s ", (long long)esc_event_seq(ev), at,
                   esc_action_name(esc_event_action(ev)));
            cli_print_cell(stdout, esc_event_actor_name(ev), 24);
            printf(" %-22s ", states);
            cli_print_cell(stdout, esc_event_payload(ev), -60);
            putchar('\n');
        }
    }
    if (c->args->json) {
        cli_json_end_array(&c->json);
        cli_json_end(&c->json);
    }
    esc_event_list_free(events);
    return CLI_EXIT_OK;
}

/* Fill an action from the command line; fields not given keep their
 * defaults, except REASSESS, which starts from the current assessment. */
static void build_action(esc_action *act, const struct cli_args *a, const esc_escalation *e)
{
    if (a->text != NULL) act->text = a->text;
    if (a->category != NULL) act->category = a->category;
    if (a->person.id != NULL) {
        act->person.id = a->person.id;
        act->person.name = a->person.name;
        act->person.tier = a->person.tier;
    }
    if (a->at_given) act->at = a->at;
    if (a->item >= 0) act->item = a->item;
    if (a->yes >= 0) act->yes = a->yes;
    if (a->tier >= 0) act->tier = a->tier;
    if (a->customer_account >= 0) act->customer_account = a->customer_account;
    if (a->hold >= 0) act->hold = (esc_hold)a->hold;
    if (act->kind == ESC_ACTION_REASSESS) {
        act->impact = esc_escalation_impact(e);
        act->urgency = esc_escalation_urgency(e);
        act->vip = esc_escalation_vip(e);
        act->churn_risk = esc_escalation_churn_risk(e);
    }
    if (a->impact >= 0) act->impact = a->impact;
    if (a->urgency >= 0) act->urgency = a->urgency;
    if (a->vip >= 0) act->vip = a->vip;
    if (a->churn_risk >= 0) act->churn_risk = a->churn_risk;
    if (a->satisfaction >= 0) act->satisfaction = a->satisfaction;
    if (a->lessons != NULL) act->lessons = a->lessons;
    if (a->brief_went_wrong != NULL) act->brief_went_wrong = a->brief_went_wrong;
    if (a->brief_tried != NULL) act->brief_tried = a->brief_tried;
    if (a->brief_response != NULL) act->brief_response = a->brief_response;
}

static int cmd_act(struct ctx *c)
{
    const struct cli_args *a = c->args;
    /* ID ACTION, or ACTION alone with --ref. */
    int want = a->ref != NULL ? 1 : 2;
    if (a->npos != want)
        return usage("act", "give ID ACTION (or --ref REF ACTION)");
    const char *name = a->pos[want - 1];
    esc_action act = ESC_ACTION_INIT;
    esc_action_kind kind;
    if (esc_action_from_name(&kind, name) != ESC_OK || kind == ESC_ACTION_OPEN) {
        fprintf(stderr, "escalate: unknown action '%s'\n", name);
        return try_help("act");
    }
    act.kind = kind;
    int rc = need_actor(c, "act", &act.actor);
    if (rc != CLI_EXIT_OK)
        return rc;
    esc_escalation *e = NULL;
    rc = load_target(c, &e, "act", a->ref != NULL ? NULL : a->pos[0]);
    if (rc != CLI_EXIT_OK)
        return rc;
    build_action(&act, a, e);
    int status = esc_apply(c->db, e, &act);
    if (status == ESC_ECONFLICT) {
        /* Someone changed it since we read it: read it again, retry once. */
        esc_escalation *fresh = NULL;
        status = esc_escalation_get(&fresh, c->db, esc_escalation_id(e));
        if (status == ESC_OK) {
            esc_escalation_free(e);
            e = fresh;
            act = (esc_action)ESC_ACTION_INIT;
            act.kind = kind;
            need_actor(c, "act", &act.actor);
            build_action(&act, a, e);
            status = esc_apply(c->db, e, &act);
        }
    }
    if (status != ESC_OK) {
        rc = fail(c, status, esc_db_last_guard(c->db));
        esc_escalation_free(e);
        return rc;
    }
    if (a->json) {
        print_escalation_json(c, e);
        cli_json_end(&c->json);
    } else {
        printf("%s: %s, now %s (version %lld)\n", esc_escalation_id(e), esc_action_name(kind),
               f_state(e), (long long)esc_escalation_version(e));
    }
    esc_escalation_free(e);
    return CLI_EXIT_OK;
}

static int cmd_allowed(struct ctx *c)
{
    esc_person actor;
    int rc = need_actor(c, "allowed", &actor);
    if (rc != CLI_EXIT_OK)
        return rc;
    esc_escalation *e = NULL;
    rc = load_target(c, &e, "allowed", FIRST_POS(c));
    if (rc != CLI_EXIT_OK)
        return rc;
    if (c->args->json)
        cli_json_begin_array(&c->json);
    for (int k = ESC_ACTION_OPEN + 1; k < ESC_ACTION_COUNT; k++) {
        esc_guard guard = ESC_GUARD_NONE;
        int status = esc_action_allowed(&guard, c->db, e, (esc_action_kind)k, &actor);
        const char *name = esc_action_name((esc_action_kind)k);
        if (c->args->json) {
            struct cli_json *j = &c->json;
            cli_json_begin_object(j);
            cli_json_key(j, "action");
            cli_json_string(j, name);
            cli_json_key(j, "allowed");
            cli_json_bool(j, status == ESC_OK);
            cli_json_key(j, "status");
            cli_json_string(j, esc_status_name(status));
            cli_json_key(j, "guard");
            cli_json_string(j, guard != ESC_GUARD_NONE ? esc_guard_name(guard) : NULL);
            cli_json_end_object(j);
        } else if (status == ESC_OK) {
            printf("%-20s allowed\n", name);
        } else {
            printf("%-20s %s (%s)\n", name, esc_guard_name(guard), esc_status_name(status));
        }
    }
    if (c->args->json) {
        cli_json_end_array(&c->json);
        cli_json_end(&c->json);
    }
    esc_escalation_free(e);
    return CLI_EXIT_OK;
}

static int cmd_verify(struct ctx *c)
{
    esc_verify_report *r = NULL;
    int rc = esc_db_verify(&r, c->db);
    if (rc != ESC_OK) {
        esc_verify_report_free(r);
        return fail(c, rc, ESC_GUARD_NONE);
    }
    size_t n = esc_verify_report_mismatch_count(r);
    if (c->args->json) {
        struct cli_json *j = &c->json;
        cli_json_begin_object(j);
        cli_json_key(j, "ok");
        cli_json_bool(j, n == 0);
        cli_json_key(j, "escalations");
        cli_json_int(j, (int64_t)esc_verify_report_escalations(r));
        cli_json_key(j, "events");
        cli_json_int(j, (int64_t)esc_verify_report_events(r));
        cli_json_key(j, "mismatches");
        cli_json_begin_array(j);
        for (size_t i = 0; i < n; i++) {
            cli_json_begin_object(j);
            cli_json_key(j, "id");
            cli_json_string(j, esc_verify_report_mismatch_id(r, i));
            cli_json_key(j, "what");
            cli_json_string(j, esc_verify_report_mismatch_what(r, i));
            cli_json_end_object(j);
        }
        cli_json_end_array(j);
        cli_json_end_object(j);
        cli_json_end(j);
    } else {
        printf("%zu escalations, %zu events, %zu mismatches\n", esc_verify_report_escalations(r),
               esc_verify_report_events(r), n);
        for (size_t i = 0; i < n; i++)
            printf("  %s: %s\n", esc_verify_report_mismatch_id(r, i),
                   esc_verify_report_mismatch_what(r, i));
    }
    esc_verify_report_free(r);
    return n == 0 ? CLI_EXIT_OK : CLI_EXIT_MISMATCH;
}

static int cmd_rebuild(struct ctx *c)
{
    size_t rebuilt = 0;
    int rc = esc_db_rebuild(&rebuilt, c->db);
    if (rc != ESC_OK)
        return fail(c, rc, ESC_GUARD_NONE);
    if (c->args->json) {
        cli_json_begin_object(&c->json);
        cli_json_key(&c->json, "rebuilt");
        cli_json_int(&c->json, (int64_t)rebuilt);
        cli_json_end_object(&c->json);
        cli_json_end(&c->json);
    } else {
        printf("rebuilt %zu escalations\n", rebuilt);
    }
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* Option tables                                                            */

#define A(field) offsetof(struct cli_args, field)

#define ACTOR_OPTS \
    { "actor", CLI_OPT_PERSON, A(actor), 0, "ID:NAME:TIER", "who acts" }, \
    { "actor-id", CLI_OPT_PERSON_ID, A(actor), 0, "ID", "who acts: id" }, \
    { "actor-name", CLI_OPT_PERSON_NAME, A(actor), 0, "NAME", "who acts: name" }, \
    { "actor-tier", CLI_OPT_TIER, A(actor), 0, "N", "who acts: tier (default 1)" }

#define REF_OPT \
    { "ref", CLI_OPT_STRING, A(ref), 0, "REF", "name the escalation by its external reference" }

static const struct cli_opt no_opts[] = { CLI_OPT_END };

static const struct cli_opt open_opts[] = {
    ACTOR_OPTS,
    { "summary", CLI_OPT_STRING, A(summary), 0, "TEXT", "the customer's own words (required)" },
    { "customer", CLI_OPT_STRING, A(customer), 0, "ID", "customer id (required)" },
    { "customer-name", CLI_OPT_STRING, A(customer_name), 0, "NAME", "customer name" },
    { "ref", CLI_OPT_STRING, A(ref), 0, "REF", "your ticket reference (unique)" },
    { "channel", CLI_OPT_CHANNEL, A(channel), 0, "CH", "phone, email, chat, social, in_person" },
    { "impact", CLI_OPT_INT, A(impact), 0, "1-4", "1 individual .. 4 business-wide" },
    { "urgency", CLI_OPT_INT, A(urgency), 0, "1-4", "1 can wait .. 4 now" },
    { "vip", CLI_OPT_SET, A(vip), 1, NULL, "a VIP account" },
    { "churn-risk", CLI_OPT_SET, A(churn_risk), 1, NULL, "threatening to leave" },
    { "confidential", CLI_OPT_SET, A(confidential), 1, NULL, "sensitive content" },
    CLI_OPT_END
};

static const struct cli_opt target_opts[] = { REF_OPT, CLI_OPT_END };

static const struct cli_opt allowed_opts[] = { ACTOR_OPTS, REF_OPT, CLI_OPT_END };

static const struct cli_opt act_opts[] = {
    ACTOR_OPTS,
    REF_OPT,
    { "text", CLI_OPT_STRING, A(text), 0, "TEXT", "note, emotion, statement, step, reason ..." },
    { "category", CLI_OPT_STRING, A(category), 0, "TEXT", "role, exception kind, root-cause category" },
    { "person", CLI_OPT_PERSON, A(person), 0, "ID:NAME:TIER", "owner or watcher" },
    { "at", CLI_OPT_TIME, A(at), 0, "TIME", "2026-03-02T09:14:00Z, ms, now or +2h/+3d" },
    { "item", CLI_OPT_INT, A(item), 0, "N", "number of the option / request / follow-up" },
    { "yes", CLI_OPT_SET, A(yes), 1, NULL, "confirm / approve / customer reached" },
    { "no", CLI_OPT_SET, A(yes), 0, NULL, "the opposite of --yes" },
    { "tier", CLI_OPT_INT, A(tier), 0, "N", "target tier (move_tier), minimum tier (request_exception)" },
    { "customer-account", CLI_OPT_SET, A(customer_account), 1, NULL,
      "note: the customer's own account" },
    { "hold", CLI_OPT_HOLD, A(hold), 0, "WHY", "customer, third_party, internal" },
    { "impact", CLI_OPT_INT, A(impact), 0, "1-4", "reassess: impact" },
    { "urgency", CLI_OPT_INT, A(urgency), 0, "1-4", "reassess: urgency" },
    { "vip", CLI_OPT_SET, A(vip), 1, NULL, "reassess: a VIP account" },
    { "no-vip", CLI_OPT_SET, A(vip), 0, NULL, "reassess: not a VIP account" },
    { "churn-risk", CLI_OPT_SET, A(churn_risk), 1, NULL, "reassess: threatening to leave" },
    { "no-churn-risk", CLI_OPT_SET, A(churn_risk), 0, NULL, "reassess: no churn risk" },
    { "satisfaction", CLI_OPT_INT, A(satisfaction), 0, "1-5", "close: satisfaction score" },
    { "lessons", CLI_OPT_STRING, A(lessons), 0, "TEXT", "close: lessons learned" },
    { "brief-went-wrong", CLI_OPT_STRING, A(brief_went_wrong), 0, "TEXT", "move_tier: what went wrong" },
    { "brief-tried", CLI_OPT_STRING, A(brief_tried), 0, "TEXT", "move_tier: what was tried" },
    { "brief-response", CLI_OPT_STRING, A(brief_response), 0, "TEXT",
      "move_tier: how the customer responded" },
    CLI_OPT_END
};

static const struct cli_opt list_opts[] = {
    { "state", CLI_OPT_STATE, A(state), 0, "STATE", "listen, clarify, plan, own, follow_up, resolved, closed" },
    { "owner", CLI_OPT_STRING, A(owner), 0, "ID", "owner id" },
    { "tier", CLI_OPT_INT, A(tier), 0, "N", "current tier" },
    { "priority", CLI_OPT_INT, A(priority), 0, "1-5", "priority" },
    { "tag", CLI_OPT_STRING, A(tag), 0, "TAG", "carrying this tag" },
    { "customer", CLI_OPT_STRING, A(customer), 0, "ID", "customer id" },
    { "open", CLI_OPT_SET, A(open_filter), ESC_FILTER_OPEN, NULL, "open escalations only" },
    { "closed", CLI_OPT_SET, A(open_filter), ESC_FILTER_CLOSED, NULL, "closed escalations only" },
    { "order", CLI_OPT_ORDER, A(order), 0, "BY", "priority (default), due, created" },
    { "limit", CLI_OPT_COUNT, A(limit), ESC_LIST_LIMIT_MAX, "N", "at most N rows (1..1000, default 100)" },
    { "offset", CLI_OPT_COUNT, A(offset), 0, "N", "skip N rows (next page)" },
    CLI_OPT_END
};

/* ------------------------------------------------------------------------ */
/* The command table.  `due`, `sweep` and `outbox` join here once the
 * library has timers, SLAs and an outbox. */

static const struct command commands[] = {
    { "init", cmd_init, DB_CREATE, 0, 0, "", no_opts,
      "create a database (or check an existing one)", NULL },
    { "open", cmd_open, DB_WRITE, 0, 0, "--actor ID:NAME:TIER --summary TEXT --customer ID [...]",
      open_opts, "open an escalation; prints its id", NULL },
    { "show", cmd_show, DB_READ, 0, 1, "ID | --ref REF", target_opts,
      "every field and item of one escalation", NULL },
    { "list", cmd_list, DB_READ, 0, 0, "[filters]", list_opts,
      "list escalations (filtered, ordered, paginated)", NULL },
    { "history", cmd_history, DB_READ, 0, 1, "ID | --ref REF", target_opts,
      "the event history of one escalation, oldest first", NULL },
    { "act", cmd_act, DB_WRITE, 1, 2, "ID ACTION --actor ID:NAME:TIER [--field value ...]", act_opts,
      "perform one lifecycle action",
      "Actions: note ack_emotion advance state_problem confirm_problem add_step\n"
      "offer_option choose_option promise take_ownership loop_in send_update\n"
      "request_exception decide_exception record_resolution schedule_follow_up\n"
      "complete_follow_up confirm_resolved reopen close withdraw move_tier hold\n"
      "resume reassess tag.  The escalation is read again right before the\n"
      "action; if it changed meanwhile (ESC_ECONFLICT) the action is retried once.\n"
      "`escalate allowed ID --actor ...` shows what can be done now." },
    { "allowed", cmd_allowed, DB_READ, 0, 1, "ID | --ref REF --actor ID:NAME:TIER", allowed_opts,
      "which actions the actor may perform now, and the unmet guard of the others", NULL },
    { "verify", cmd_verify, DB_READ, 0, 0, "", no_opts,
      "replay the event log and compare with the current rows (exit 6 on mismatch)", NULL },
    { "rebuild", cmd_rebuild, DB_WRITE, 0, 0, "", no_opts,
      "rewrite every current row from the event log", NULL },
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_help(void)
{
    printf("Usage: escalate [--db PATH] [--json] COMMAND [ARGS] [OPTIONS]\n\n"
           "Drive a libescalate database from the shell.\n\nCommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].summary);
    printf("\nGlobal options (before or after the command):\n");
    cli_print_options(stdout, cli_global_opts);
    printf("\nThe database is --db PATH, else $ESCALATE_DB.  Times are ISO-8601 UTC\n"
           "(2026-03-02T09:14:00Z) or ms since the epoch.  'escalate COMMAND --help'\n"
           "describes a command.\n\n"
           "Exit status:\n"
           "  0  ok\n"
           "  1  usage error\n"
           "  2  not found (escalation, reference or database file)\n"
           "  3  refused: ESC_ETRANSITION, ESC_EGUARD, ESC_EAUTHORITY\n"
           "  4  conflict or busy: ESC_ECONFLICT, ESC_EBUSY (try again)\n"
           "  5  any other library error\n"
           "  6  verify found mismatches\n"
           "Errors go to stderr as 'escalate: ESC_NAME: message'.\n");
}

static void print_command_help(const struct command *cmd)
{
    printf("Usage: escalate %s %s\n\n%s.\n", cmd->name, cmd->usage, cmd->summary);
    if (cmd->help != NULL)
        printf("\n%s\n", cmd->help);
    if (cmd->opts[0].name != NULL) {
        printf("\nOptions:\n");
        cli_print_options(stdout, cmd->opts);
    }
    printf("\nGlobal options:\n");
    cli_print_options(stdout, cli_global_opts);
}

/* Parse, open the database as the command needs it, run, clean up. */
static int run(int argc, char **argv, struct cli_args *args)
{
    int next = 1;
    if (cli_parse(args, NULL, argc, argv, 1, 1, &next) != 0)
        return try_help(NULL);
    if (args->version) {
        printf("escalate %s (libescalate %s)\n", ESC_VERSION_STRING, esc_version_string());
        return CLI_EXIT_OK;
    }
    if (next >= argc) {
        if (args->help) {
            print_help();
            return CLI_EXIT_OK;
        }
        return usage(NULL, "no command given");
    }
    const char *name = argv[next];
    if (strcmp(name, "help") == 0) {
        const struct command *cmd = next + 1 < argc ? find_command(argv[next + 1]) : NULL;
        if (next + 1 < argc && cmd == NULL)
            return usage(NULL, "no such command");
        if (cmd != NULL)
            print_command_help(cmd);
        else
            print_help();
        return CLI_EXIT_OK;
    }
    const struct command *cmd = find_command(name);
    if (cmd == NULL) {
        fprintf(stderr, "escalate: unknown command '%s'\n", name);
        return try_help(NULL);
    }
    if (cli_parse(args, cmd->opts, argc, argv, next + 1, 0, NULL) != 0)
        return try_help(cmd->name);
    if (args->help) {
        print_command_help(cmd);
        return CLI_EXIT_OK;
    }
    if (args->npos < cmd->min_pos || args->npos > cmd->max_pos)
        return usage(cmd->name, "wrong number of arguments");
    struct ctx c = { args, NULL, { 0 } };
    cli_json_init(&c.json, stdout);
    if (cmd->db != DB_NONE) {
        if (args->db_path == NULL)
            args->db_path = getenv("ESCALATE_DB");
        if (args->db_path == NULL || args->db_path[0] == '\0')
            return usage(cmd->name, "no database: give --db PATH or set ESCALATE_DB");
        esc_db_options opts = ESC_DB_OPTIONS_INIT;
        opts.flags = cmd->db == DB_CREATE ? ESC_OPEN_CREATE
                   : cmd->db == DB_READ ? ESC_OPEN_READONLY : ESC_OPEN_READWRITE;
        int rc = esc_db_open(&c.db, args->db_path, &opts);
        if (rc != ESC_OK) {
            int code = fail(&c, rc, ESC_GUARD_NONE);
            esc_db_close(c.db);
            return code;
        }
    }
    int code = cmd->run(&c);
    esc_db_close(c.db);
    if (fflush(stdout) != 0 && code == CLI_EXIT_OK) {
        fprintf(stderr, "escalate: cannot write the output\n");
        code = CLI_EXIT_LIBRARY;
    }
    return code;
}

int main(int argc, char **argv)
{
    struct cli_args args;
    cli_args_init(&args);
    int code = run(argc, argv, &args);
    cli_args_free(&args);
    return code;
}
