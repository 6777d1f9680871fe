/*
 * tools/escalate.c — the `escalate` command: operators and scripts drive
 * libescalate databases from the shell.
 *
 *   escalate [--db PATH] [--json] COMMAND [ARGS] [OPTIONS]
 *
 * Commands are rows of one table (commands[] below): name, handler, how the
 * database is opened, positional arguments, options, help text.  A name of
 * two words ("calendar put") is a subcommand of a group.  Options are rows
 * of per-command tables (struct cli_opt, parsed by cli_args.c) that store
 * straight into struct cli_args.  Adding a command is one handler and one row.
 *
 * The clock.  --now TIME (else $ESCALATE_NOW) fixes the handle's clock for
 * every command, so that a script can replay a scenario (open, act, sweep)
 * at chosen instants; "now" and "+2h" in other options count from it.
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
    int64_t fixed_now;      /* the instant of --now / $ESCALATE_NOW; -1: system clock */
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
    { "sla_policy", F_STR, .str = esc_escalation_sla_policy },
    { "next_timer_at", F_TIME, .time = esc_escalation_next_timer_at },
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

/* SLA clocks (show) */

static const char *sla_state_name(const esc_sla_clocks *clocks, esc_sla_target t)
{
    const char *name = esc_sla_state_name(esc_sla_clocks_state(clocks, t));
    return name ? name : "?";
}

static void json_sla_target(struct cli_json *j, const esc_sla_clocks *clocks, esc_sla_target t)
{
    cli_json_begin_object(j);
    cli_json_key(j, "state");
    cli_json_string(j, sla_state_name(clocks, t));
    cli_json_key(j, "target_ms");
    cli_json_int(j, esc_sla_clocks_target_ms(clocks, t));
    cli_json_key(j, "deadline");
    cli_json_time(j, esc_sla_clocks_deadline(clocks, t));
    cli_json_key(j, "met_at");
    cli_json_time(j, esc_sla_clocks_met_at(clocks, t));
    cli_json_key(j, "elapsed_ms");
    cli_json_int(j, esc_sla_clocks_elapsed_ms(clocks, t));
    /* A clock that never started has no margin (not a margin of 0). */
    cli_json_key(j, "margin_ms");
    if (esc_sla_clocks_state(clocks, t) == ESC_SLA_NONE)
        cli_json_null(j);
    else
        cli_json_int(j, esc_sla_clocks_margin_ms(clocks, t));
    cli_json_key(j, "breached");
    cli_json_bool(j, esc_sla_clocks_breached(clocks, t));
    cli_json_end_object(j);
}

static void json_sla(struct cli_json *j, const esc_sla_clocks *clocks)
{
    cli_json_key(j, "sla");
    if (clocks == NULL) {
        cli_json_null(j);
        return;
    }
    cli_json_begin_object(j);
    cli_json_key(j, "at");
    cli_json_time(j, esc_sla_clocks_now(clocks));
    cli_json_key(j, "priority");
    cli_json_int(j, esc_sla_clocks_priority(clocks));
    for (int t = 0; t < ESC_SLA_TARGET_COUNT; t++) {
        cli_json_key(j, esc_sla_target_name((esc_sla_target)t));
        json_sla_target(j, clocks, (esc_sla_target)t);
    }
    cli_json_end_object(j);
}

static void print_sla_text(const esc_sla_clocks *clocks)
{
    char buf[40];
    cli_format_time(buf, sizeof buf, esc_sla_clocks_now(clocks));
    printf("\nsla at %s (priority %d):\n", buf, esc_sla_clocks_priority(clocks));
    for (int i = 0; i < ESC_SLA_TARGET_COUNT; i++) {
        esc_sla_target t = (esc_sla_target)i;
        if (esc_sla_clocks_state(clocks, t) == ESC_SLA_NONE) {
            /* Not started: no deadline, met time or margin to show. */
            printf("  %-15s %s\n", esc_sla_target_name(t), sla_state_name(clocks, t));
            continue;
        }
        printf("  %-15s %-8s", esc_sla_target_name(t), sla_state_name(clocks, t));
        if (esc_sla_clocks_deadline(clocks, t) != 0) {
            cli_format_time(buf, sizeof buf, esc_sla_clocks_deadline(clocks, t));
            printf(" deadline %s", buf);
        }
        if (esc_sla_clocks_met_at(clocks, t) != 0) {
            cli_format_time(buf, sizeof buf, esc_sla_clocks_met_at(clocks, t));
            printf(" met %s", buf);
        }
        cli_format_duration(buf, sizeof buf, esc_sla_clocks_margin_ms(clocks, t));
        printf(" margin %s", buf);
        if (esc_sla_clocks_breached(clocks, t))
            printf(" breached");
        putchar('\n');
    }
}

/* One escalation as a JSON object; with_sla adds "sla": its clocks, null
 * when it has none (show). */
static void print_escalation_json(struct ctx *c, const esc_escalation *e, int with_sla,
                                  const esc_sla_clocks *clocks)
{
    cli_json_begin_object(&c->json);
    json_fields(&c->json, e);
    json_items(&c->json, e);
    if (with_sla)
        json_sla(&c->json, clocks);
    cli_json_end_object(&c->json);
}

/* A list of escalations as a JSON array of their fields (list, due). */
static void print_list_json(struct ctx *c, const esc_escalation_list *list)
{
    size_t n = esc_escalation_list_count(list);
    cli_json_begin_array(&c->json);
    for (size_t i = 0; i < n; i++) {
        cli_json_begin_object(&c->json);
        json_fields(&c->json, esc_escalation_list_get(list, i));
        cli_json_end_object(&c->json);
    }
    cli_json_end_array(&c->json);
    cli_json_end(&c->json);
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

/* The handle's clock while --now or $ESCALATE_NOW fixes it. */
static int64_t fixed_clock(void *payload)
{
    return *(const int64_t *)payload;
}

/* "Now" as the handle tells it (fixed, or the system clock). */
static int handle_now(struct ctx *c, int64_t *out)
{
    *out = esc_db_now(c->db);
    return *out >= 0 ? CLI_EXIT_OK : fail(c, ESC_ECALLBACK, ESC_GUARD_NONE);
}

/* The ms of a TIME option (its text was checked by the parser); "now" and
 * "+2h" count from the handle's clock. */
static int time_arg(struct ctx *c, int64_t *out, const char *text)
{
    int64_t now;
    int rc = handle_now(c, &now);
    if (rc != CLI_EXIT_OK)
        return rc;
    return cli_parse_time(out, text, now) == 0 ? CLI_EXIT_OK
                                                : usage(NULL, "not a time");
}

/* The clocks of e at the handle's now.  *out stays NULL when e has no
 * policy, or when they cannot be evaluated: that is reported (and is the
 * exit code), but the escalation is shown all the same. */
static int eval_clocks(struct ctx *c, const esc_escalation *e, esc_sla_clocks **out)
{
    int64_t now;
    *out = NULL;
    if (esc_escalation_sla_policy(e)[0] == '\0')
        return CLI_EXIT_OK;
    int rc = handle_now(c, &now);
    if (rc != CLI_EXIT_OK)
        return rc;
    rc = esc_escalation_sla(out, c->db, e, now);
    if (rc == ESC_OK)
        return CLI_EXIT_OK;
    esc_sla_clocks_free(*out);
    *out = NULL;
    return fail(c, rc, ESC_GUARD_NONE);
}

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

/* Actions a person performs with `act` (open has its own command; timers
 * fire only in the sweep). */
static int is_user_action(esc_action_kind kind)
{
    return kind != ESC_ACTION_OPEN && kind != ESC_ACTION_TIMER_FIRED;
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
    p.sla_policy = a->policy;
    esc_escalation *e = NULL;
    rc = esc_escalation_open(&e, c->db, &p);
    if (rc != ESC_OK)
        return fail(c, rc, ESC_GUARD_NONE);
    if (a->json) {
        print_escalation_json(c, e, 0, NULL);
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
    esc_sla_clocks *clocks = NULL;
    rc = eval_clocks(c, e, &clocks);
    if (c->args->json) {
        print_escalation_json(c, e, 1, clocks);
        cli_json_end(&c->json);
    } else {
        print_escalation_text(e);
        if (clocks != NULL)
            print_sla_text(clocks);
    }
    esc_sla_clocks_free(clocks);
    esc_escalation_free(e);
    return rc;
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
        print_list_json(c, list);
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
static void build_action(esc_action *act, const struct cli_args *a, const esc_escalation *e,
                         int64_t at)
{
    if (a->text != NULL) act->text = a->text;
    if (a->category != NULL) act->category = a->category;
    if (a->person.id != NULL) {
        act->person.id = a->person.id;
        act->person.name = a->person.name;
        act->person.tier = a->person.tier;
    }
    if (a->at != NULL) act->at = at;
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
    if (esc_action_from_name(&kind, name) != ESC_OK || !is_user_action(kind)) {
        fprintf(stderr, "escalate: unknown action '%s'\n", name);
        return try_help("act");
    }
    act.kind = kind;
    int rc = need_actor(c, "act", &act.actor);
    if (rc != CLI_EXIT_OK)
        return rc;
    int64_t at = 0;
    if (a->at != NULL && (rc = time_arg(c, &at, a->at)) != CLI_EXIT_OK)
        return rc;
    esc_escalation *e = NULL;
    rc = load_target(c, &e, "act", a->ref != NULL ? NULL : a->pos[0]);
    if (rc != CLI_EXIT_OK)
        return rc;
    build_action(&act, a, e, at);
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
            build_action(&act, a, e, at);
            status = esc_apply(c->db, e, &act);
        }
    }
    if (status != ESC_OK) {
        rc = fail(c, status, esc_db_last_guard(c->db));
        esc_escalation_free(e);
        return rc;
    }
    if (a->json) {
        print_escalation_json(c, e, 0, NULL);
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
    for (int k = 0; k < ESC_ACTION_COUNT; k++) {
        if (!is_user_action((esc_action_kind)k))
            continue;
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

/* ---- stored calendars and policies ---- */

/* put's answer: the version now current (the same one as before when the
 * spec did not change). */
static int print_put(struct ctx *c, int status, int64_t version)
{
    const char *name = c->args->pos[0];
    if (status != ESC_OK)
        return fail(c, status, ESC_GUARD_NONE);
    if (c->args->json) {
        cli_json_begin_object(&c->json);
        cli_json_key(&c->json, "name");
        cli_json_string(&c->json, name);
        cli_json_key(&c->json, "version");
        cli_json_int(&c->json, version);
        cli_json_end_object(&c->json);
        cli_json_end(&c->json);
    } else {
        printf("%s version %lld\n", name, (long long)version);
    }
    return CLI_EXIT_OK;
}

/* One stored version of a calendar or (is_policy) a policy. */
static int print_definition(struct ctx *c, int status, esc_definition *def, int is_policy)
{
    if (status != ESC_OK) {
        esc_definition_free(def);
        return fail(c, status, ESC_GUARD_NONE);
    }
    const char *calendar = esc_definition_calendar(def);
    if (c->args->json) {
        struct cli_json *j = &c->json;
        cli_json_begin_object(j);
        cli_json_key(j, "name");
        cli_json_string(j, esc_definition_name(def));
        cli_json_key(j, "version");
        cli_json_int(j, esc_definition_version(def));
        cli_json_key(j, "created_at");
        cli_json_time(j, esc_definition_created_at(def));
        if (is_policy) {
            cli_json_key(j, "calendar");
            cli_json_string(j, calendar);
        }
        cli_json_key(j, "spec");
        cli_json_string(j, esc_definition_spec(def));
        cli_json_end_object(j);
        cli_json_end(j);
    } else {
        char created[40];
        cli_format_time(created, sizeof created, esc_definition_created_at(def));
        printf("%-20s %s\n%-20s %lld\n%-20s %s\n", "name", esc_definition_name(def), "version",
               (long long)esc_definition_version(def), "created_at", created);
        if (calendar != NULL)
            printf("%-20s %s\n", "calendar", calendar);
        printf("%-20s %s\n", "spec", esc_definition_spec(def));
    }
    esc_definition_free(def);
    return CLI_EXIT_OK;
}

/* --version N of show; 0 (not given) asks for the latest. */
static int64_t wanted_version(const struct cli_args *a)
{
    return a->def_version > 0 ? a->def_version : 0;
}

static int cmd_calendar_put(struct ctx *c)
{
    int64_t version = 0;
    int rc = esc_db_calendar_put(&version, c->db, c->args->pos[0], c->args->pos[1]);
    return print_put(c, rc, version);
}

static int cmd_calendar_show(struct ctx *c)
{
    esc_definition *def = NULL;
    int rc = esc_db_calendar_get(&def, c->db, c->args->pos[0], wanted_version(c->args));
    return print_definition(c, rc, def, 0);
}

static int cmd_policy_put(struct ctx *c)
{
    int64_t version = 0;
    int rc = esc_db_policy_put(&version, c->db, c->args->pos[0], c->args->pos[1],
                               c->args->calendar);
    return print_put(c, rc, version);
}

static int cmd_policy_show(struct ctx *c)
{
    esc_definition *def = NULL;
    int rc = esc_db_policy_get(&def, c->db, c->args->pos[0], wanted_version(c->args));
    return print_definition(c, rc, def, 1);
}

/* ---- timers: due, sweep, outbox ---- */

/* --limit N of due and outbox; 0 lets the library choose (100). */
static size_t wanted_limit(const struct cli_args *a)
{
    return a->limit > 0 ? (size_t)a->limit : 0;
}

static int cmd_due(struct ctx *c)
{
    const struct cli_args *a = c->args;
    int64_t before;
    int rc = a->before != NULL ? time_arg(c, &before, a->before) : handle_now(c, &before);
    if (rc != CLI_EXIT_OK)
        return rc;
    esc_escalation_list *list = NULL;
    rc = esc_escalation_list_due(&list, c->db, before, wanted_limit(a));
    if (rc != ESC_OK)
        return fail(c, rc, ESC_GUARD_NONE);
    if (a->json) {
        print_list_json(c, list);
    } else {
        printf("%-36s %-20s %-9s T P %s\n", "ID", "NEXT TIMER", "STATE", "SUMMARY");
        for (size_t i = 0; i < esc_escalation_list_count(list); i++) {
            const esc_escalation *e = esc_escalation_list_get(list, i);
            char next[40];
            cli_format_time(next, sizeof next, esc_escalation_next_timer_at(e));
            printf("%-36s %-20s %-9s %d %d ", esc_escalation_id(e), next, f_state(e),
                   esc_escalation_tier(e), esc_escalation_priority(e));
            cli_print_cell(stdout, esc_escalation_summary(e), -40);
            putchar('\n');
        }
    }
    esc_escalation_list_free(list);
    return CLI_EXIT_OK;
}

/* The counts of esc_sweep_stats, in the order they are printed. */
static const struct {
    const char *name;
    size_t offset;
} sweep_counts[] = {
    { "escalations", offsetof(esc_sweep_stats, escalations) },
    { "firings", offsetof(esc_sweep_stats, firings) },
    { "warnings", offsetof(esc_sweep_stats, warnings) },
    { "breaches", offsetof(esc_sweep_stats, breaches) },
    { "reminders", offsetof(esc_sweep_stats, reminders) },
    { "rules", offsetof(esc_sweep_stats, rules) },
    { "moves", offsetof(esc_sweep_stats, moves) },
    { "busy", offsetof(esc_sweep_stats, busy) },
};
#define SWEEP_COUNT_COUNT (sizeof sweep_counts / sizeof sweep_counts[0])

static size_t sweep_count(const esc_sweep_stats *stats, size_t i)
{
    return *(const size_t *)(const void *)((const char *)stats + sweep_counts[i].offset);
}

static int cmd_sweep(struct ctx *c)
{
    int64_t now;
    int rc = handle_now(c, &now);
    if (rc != CLI_EXIT_OK)
        return rc;
    esc_sweep_stats stats = ESC_SWEEP_STATS_INIT;
    rc = esc_sweep(&stats, c->db, now);
    if (rc != ESC_OK) {
        fail(c, rc, ESC_GUARD_NONE);
        /* sweep promises two failure codes only: 4 (try again), else 5. */
        return rc == ESC_EBUSY ? CLI_EXIT_CONFLICT : CLI_EXIT_LIBRARY;
    }
    if (c->args->json) {
        cli_json_begin_object(&c->json);
        cli_json_key(&c->json, "at");
        cli_json_time(&c->json, now);
        for (size_t i = 0; i < SWEEP_COUNT_COUNT; i++) {
            cli_json_key(&c->json, sweep_counts[i].name);
            cli_json_int(&c->json, (int64_t)sweep_count(&stats, i));
        }
        cli_json_end_object(&c->json);
        cli_json_end(&c->json);
    } else {
        char at[40];
        cli_format_time(at, sizeof at, now);
        printf("swept at %s:", at);
        for (size_t i = 0; i < SWEEP_COUNT_COUNT; i++)
            printf("%s %zu %s", i > 0 ? "," : "", sweep_count(&stats, i), sweep_counts[i].name);
        putchar('\n');
    }
    return CLI_EXIT_OK;
}

static void json_outbox_entry(struct cli_json *j, const esc_outbox_entry *en)
{
    cli_json_begin_object(j);
    cli_json_key(j, "id");
    cli_json_int(j, esc_outbox_entry_id(en));
    cli_json_key(j, "escalation_id");
    cli_json_string(j, esc_outbox_entry_escalation_id(en));
    cli_json_key(j, "seq");
    cli_json_int(j, esc_outbox_entry_seq(en));
    cli_json_key(j, "kind");
    cli_json_string(j, esc_outbox_entry_kind(en));
    cli_json_key(j, "due_at");
    cli_json_time(j, esc_outbox_entry_due_at(en));
    cli_json_key(j, "fired_at");
    cli_json_time(j, esc_outbox_entry_fired_at(en));
    cli_json_key(j, "payload");
    cli_json_raw(j, esc_outbox_entry_payload(en));
    cli_json_end_object(j);
}

static void print_outbox_entry(const esc_outbox_entry *en)
{
    char due[40], fired[40];
    cli_format_time(due, sizeof due, esc_outbox_entry_due_at(en));
    cli_format_time(fired, sizeof fired, esc_outbox_entry_fired_at(en));
    printf("%-6lld %-36s %-15s %-20s %-20s ", (long long)esc_outbox_entry_id(en),
           esc_outbox_entry_escalation_id(en), esc_outbox_entry_kind(en), due, fired);
    cli_print_cell(stdout, esc_outbox_entry_payload(en), -60);
    putchar('\n');
}

static int cmd_outbox(struct ctx *c)
{
    esc_outbox_list *list = NULL;
    int rc = esc_outbox_fetch(&list, c->db, wanted_limit(c->args));
    if (rc != ESC_OK)
        return fail(c, rc, ESC_GUARD_NONE);
    size_t n = esc_outbox_list_count(list);
    if (c->args->json)
        cli_json_begin_array(&c->json);
    else
        printf("%-6s %-36s %-15s %-20s %-20s %s\n", "ID", "ESCALATION", "KIND", "DUE", "FIRED",
               "PAYLOAD");
    for (size_t i = 0; i < n; i++) {
        if (c->args->json)
            json_outbox_entry(&c->json, esc_outbox_list_get(list, i));
        else
            print_outbox_entry(esc_outbox_list_get(list, i));
    }
    if (c->args->json) {
        cli_json_end_array(&c->json);
        cli_json_end(&c->json);
    }
    esc_outbox_list_free(list);
    return CLI_EXIT_OK;
}

static int cmd_outbox_ack(struct ctx *c)
{
    const struct cli_args *a = c->args;
    int64_t ids[CLI_POS_MAX];
    /* Check every id before acknowledging any. */
    for (int i = 0; i < a->npos; i++) {
        long long v;
        if (cli_parse_long(&v, a->pos[i], 1, INT64_MAX) != 0) {
            fprintf(stderr, "escalate: not an outbox entry id: '%s'\n", a->pos[i]);
            return try_help("outbox ack");
        }
        ids[i] = v;
    }
    for (int i = 0; i < a->npos; i++) {
        int rc = esc_outbox_ack(c->db, ids[i]);
        if (rc != ESC_OK)
            return fail(c, rc, ESC_GUARD_NONE);
    }
    if (a->json) {
        cli_json_begin_object(&c->json);
        cli_json_key(&c->json, "acknowledged");
        cli_json_begin_array(&c->json);
        for (int i = 0; i < a->npos; i++)
            cli_json_int(&c->json, ids[i]);
        cli_json_end_array(&c->json);
        cli_json_end_object(&c->json);
        cli_json_end(&c->json);
    } else {
        printf("acknowledged %d %s\n", a->npos, a->npos == 1 ? "entry" : "entries");
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

#define LIMIT_OPT \
    { "limit", CLI_OPT_COUNT, A(limit), ESC_LIST_LIMIT_MAX, "N", "at most N rows (1..1000, default 100)" }

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
    { "policy", CLI_OPT_STRING, A(policy), 0, "NAME", "stored SLA policy that times it" },
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
    LIMIT_OPT,
    { "offset", CLI_OPT_COUNT, A(offset), 0, "N", "skip N rows (next page)" },
    CLI_OPT_END
};

static const struct cli_opt definition_show_opts[] = {
    { "version", CLI_OPT_COUNT, A(def_version), 0, "N", "that stored version (default: the latest)" },
    CLI_OPT_END
};

static const struct cli_opt policy_put_opts[] = {
    { "calendar", CLI_OPT_STRING, A(calendar), 0, "CAL",
      "count in this stored calendar (the spec then has no calendar=)" },
    CLI_OPT_END
};

static const struct cli_opt due_opts[] = {
    { "before", CLI_OPT_TIME, A(before), 0, "TIME", "due at or before TIME (default: now)" },
    LIMIT_OPT,
    CLI_OPT_END
};

static const struct cli_opt outbox_opts[] = { LIMIT_OPT, CLI_OPT_END };

/* ------------------------------------------------------------------------ */
/* The command table                                                        */

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
    { "calendar put", cmd_calendar_put, DB_WRITE, 2, 2, "NAME SPEC", no_opts,
      "store a business calendar; prints the version now current",
      "SPEC: e.g. 'tz=Europe/Berlin; mon-fri 09:00-17:00; holiday 2026-12-25;\n"
      "yearly 12-24'.  A changed SPEC is stored as a new version (an unchanged\n"
      "one is not) and the deadlines of the open escalations counting in it are\n"
      "recomputed." },
    { "calendar show", cmd_calendar_show, DB_READ, 1, 1, "NAME [--version N]",
      definition_show_opts, "one stored version of a calendar", NULL },
    { "policy put", cmd_policy_put, DB_WRITE, 2, 2, "NAME SPEC [--calendar CAL]", policy_put_opts,
      "store an SLA policy; prints the version now current",
      "SPEC: e.g. 'p1 first_response=30m update=2h resolution=8h; p2\n"
      "resolution=1d; warn=75,90; pause=customer,third_party' (durations in h, m,\n"
      "s, ms; calendar=[...] or --calendar for business time, else wall time).\n"
      "A changed policy is stored as a new version and the deadlines of the open\n"
      "escalations using it are recomputed." },
    { "policy show", cmd_policy_show, DB_READ, 1, 1, "NAME [--version N]", definition_show_opts,
      "one stored version of a policy", NULL },
    { "due", cmd_due, DB_READ, 0, 0, "[--before TIME] [--limit N]", due_opts,
      "open escalations with a timer due by TIME (default now), earliest first", NULL },
    { "sweep", cmd_sweep, DB_WRITE, 0, 0, "[--now TIME]", no_opts,
      "fire every timer due now: SLA warnings and breaches, rules, reminders",
      "Run it every minute or so.  Each firing is recorded once, even when sweeps\n"
      "overlap, so running it again fires nothing new.  Exit 0 when it ran (also\n"
      "when escalations held by another writer were left for the next sweep: see\n"
      "busy), 4 when the database was busy, 5 on any other failure." },
    { "outbox", cmd_outbox, DB_READ, 0, 0, "[--limit N]", outbox_opts,
      "notifications of fired timers not yet acknowledged, oldest first", NULL },
    { "outbox ack", cmd_outbox_ack, DB_WRITE, 1, CLI_POS_MAX, "ID...", no_opts,
      "acknowledge outbox entries: they are not listed again",
      "The ids are acknowledged in order; an unknown one stops there (exit 2).\n"
      "Acknowledging an entry twice is not an error." },
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

/* Whether the command name is a subcommand of group ("calendar put" of
 * "calendar"). */
static int in_group(const char *name, const char *group)
{
    size_t len = strlen(group);
    return strncmp(name, group, len) == 0 && name[len] == ' ';
}

static int is_group(const char *group)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (in_group(commands[i].name, group))
            return 1;
    return 0;
}

/* The command named by argv[at], or by argv[at] and argv[at + 1] for a
 * subcommand; *words receives how many of them the name took. */
static const struct command *find_command(int argc, char **argv, int at, int *words)
{
    const struct command *single = NULL;
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        const char *name = commands[i].name;
        if (in_group(name, argv[at]) && at + 1 < argc &&
            strcmp(name + strlen(argv[at]) + 1, argv[at + 1]) == 0) {
            *words = 2;
            return &commands[i];
        }
        if (strcmp(name, argv[at]) == 0)
            single = &commands[i];
    }
    *words = 1;
    return single;
}

static void print_help(void)
{
    printf("Usage: escalate [--db PATH] [--json] [--now TIME] COMMAND [ARGS] [OPTIONS]\n\n"
           "Drive a libescalate database from the shell.\n\nCommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        printf("  %-14s %s\n", commands[i].name, commands[i].summary);
    printf("\nGlobal options (before or after the command):\n");
    cli_print_options(stdout, cli_global_opts);
    printf("\nThe database is --db PATH, else $ESCALATE_DB.  Times are ISO-8601 UTC\n"
           "(2026-03-02T09:14:00Z), ms since the epoch, now, or +30m/+2h/+3d from now.\n"
           "The clock is --now TIME, else $ESCALATE_NOW, else the system clock: fix it\n"
           "to replay a scenario (open, act, sweep) at chosen instants.\n"
           "'escalate COMMAND --help' describes a command.\n\n"
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

/* escalate GROUP --help: the usage of each of its subcommands. */
static void print_group_help(const char *group)
{
    printf("Usage:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (in_group(commands[i].name, group))
            printf("  escalate %s %s\n      %s.\n", commands[i].name, commands[i].usage,
                   commands[i].summary);
    printf("\n'escalate %s SUBCOMMAND --help' describes one.\n", group);
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

/* escalate help [COMMAND [SUBCOMMAND]] */
static int run_help(int argc, char **argv, int at)
{
    int words;
    const struct command *cmd = at < argc ? find_command(argc, argv, at, &words) : NULL;
    if (cmd != NULL)
        print_command_help(cmd);
    else if (at < argc && is_group(argv[at]))
        print_group_help(argv[at]);
    else if (at < argc)
        return usage(NULL, "no such command");
    else
        print_help();
    return CLI_EXIT_OK;
}

/* A group named without a known subcommand: its help for --help, else a
 * usage error. */
static int run_group(struct cli_args *args, int argc, char **argv, int at)
{
    if (cli_parse(args, NULL, argc, argv, at + 1, 0, NULL) != 0)
        return try_help(argv[at]);
    if (args->help) {
        print_group_help(argv[at]);
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "escalate: %s: unknown or missing subcommand\n", argv[at]);
    return try_help(argv[at]);
}

/* The instant --now (else $ESCALATE_NOW) fixes the clock at, -1 in *out
 * when neither is given; -1 returned when the variable is not a time (the
 * option was checked when parsed). */
static int fixed_now(const struct cli_args *args, int64_t *out)
{
    const char *text = args->now != NULL ? args->now : getenv("ESCALATE_NOW");
    *out = -1;
    if (text == NULL || text[0] == '\0')
        return 0;
    if (cli_parse_time(out, text, cli_system_now()) == 0)
        return 0;
    fprintf(stderr, "escalate: %s: not a time (2026-03-02T09:14:00Z, ms, now, +2h): '%s'\n",
            args->now != NULL ? "--now" : "ESCALATE_NOW", text);
    return -1;
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
    if (strcmp(name, "help") == 0)
        return run_help(argc, argv, next + 1);
    int words;
    const struct command *cmd = find_command(argc, argv, next, &words);
    if (cmd == NULL && is_group(name))
        return run_group(args, argc, argv, next);
    if (cmd == NULL) {
        fprintf(stderr, "escalate: unknown command '%s'\n", name);
        return try_help(NULL);
    }
    if (cli_parse(args, cmd->opts, argc, argv, next + words, 0, NULL) != 0)
        return try_help(cmd->name);
    if (args->help) {
        print_command_help(cmd);
        return CLI_EXIT_OK;
    }
    if (args->npos < cmd->min_pos || args->npos > cmd->max_pos)
        return usage(cmd->name, "wrong number of arguments");
    struct ctx c = { args, NULL, { 0 }, -1 };
    cli_json_init(&c.json, stdout);
    if (fixed_now(args, &c.fixed_now) != 0)
        return try_help(NULL);
    if (cmd->db != DB_NONE) {
        if (args->db_path == NULL)
            args->db_path = getenv("ESCALATE_DB");
        if (args->db_path == NULL || args->db_path[0] == '\0')
            return usage(cmd->name, "no database: give --db PATH or set ESCALATE_DB");
        esc_db_options opts = ESC_DB_OPTIONS_INIT;
        opts.flags = cmd->db == DB_CREATE ? ESC_OPEN_CREATE
                   : cmd->db == DB_READ ? ESC_OPEN_READONLY : ESC_OPEN_READWRITE;
        if (c.fixed_now >= 0) {
            opts.clock = fixed_clock;
            opts.clock_payload = &c.fixed_now;
        }
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
