/*
 * tools/cli.h — what the parts of the `escalate` command-line tool share:
 * exit codes, the parsed-argument record, the option table types, and the
 * argument-parsing (cli_args.c) and output (cli_output.c) helpers.
 *
 * Nothing here is part of libescalate's API: the tool uses the public
 * headers only, like any other host.
 */
#ifndef ESCALATE_TOOLS_CLI_H
#define ESCALATE_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <escalate.h>

/*
 * Exit codes a script can rely on (also listed by `escalate --help`).
 * Never renumber: add new ones at the end.
 */
enum cli_exit {
    CLI_EXIT_OK = 0,        /* success */
    CLI_EXIT_USAGE = 1,     /* bad command line */
    CLI_EXIT_NOTFOUND = 2,  /* no such escalation (or database file) */
    CLI_EXIT_REFUSED = 3,   /* ESC_ETRANSITION, ESC_EGUARD, ESC_EAUTHORITY */
    CLI_EXIT_CONFLICT = 4,  /* ESC_ECONFLICT, ESC_EBUSY: try again */
    CLI_EXIT_LIBRARY = 5,   /* any other library error */
    CLI_EXIT_MISMATCH = 6   /* verify found rows that differ from the events */
};

/* Person given on the command line ("id:name:tier" or separate options). */
struct cli_person {
    const char *id;
    const char *name;
    int tier;               /* 0: not given */
};

/* Most positional arguments a command takes. */
#define CLI_POS_MAX 32

/*
 * Every option of every command lands in this one record (the option table
 * says where, by offset).  Integers are -1 when not given, strings NULL.
 */
struct cli_args {
    /* global */
    const char *db_path;
    int json;
    int help;
    int version;
    const char *now;        /* TIME: the handle's fixed clock (else $ESCALATE_NOW) */
    /* positionals of the command (outbox ack takes several ids) */
    const char *pos[CLI_POS_MAX];
    int npos;
    /* people */
    struct cli_person actor;
    struct cli_person person;
    /* open */
    const char *summary;
    const char *customer;
    const char *customer_name;
    const char *ref;
    int channel;
    int confidential;
    /* open, act (reassess) */
    int impact;
    int urgency;
    int vip;
    int churn_risk;
    /* open */
    const char *policy;
    /* act */
    const char *text;
    const char *category;
    const char *at;         /* TIME */
    int item;
    int yes;
    int tier;
    int customer_account;
    int hold;
    int satisfaction;
    const char *lessons;
    const char *brief_went_wrong;
    const char *brief_tried;
    const char *brief_response;
    /* list */
    int state;
    const char *owner;
    int priority;
    const char *tag;
    int open_filter;
    int order;
    long long limit;
    long long offset;
    /* due */
    const char *before;     /* TIME */
    /* calendar/policy put, show */
    const char *calendar;
    long long def_version;
    /* strings the parser allocated (split persons); freed by cli_args_free */
    char *owned[8];
    int nowned;
};

/* How an option's argument is stored. */
enum cli_opt_type {
    CLI_OPT_STRING,     /* const char * */
    CLI_OPT_INT,        /* int, decimal */
    CLI_OPT_COUNT,      /* long long >= 0; when value > 0: 1..value */
    CLI_OPT_SET,        /* no argument: stores opt->value into an int */
    CLI_OPT_TIME,       /* const char *, checked to be a time for cli_parse_time() */
    CLI_OPT_PERSON,     /* struct cli_person from "id:name:tier" */
    CLI_OPT_TIER,       /* int tier of a struct cli_person (offset of the person) */
    CLI_OPT_PERSON_ID,  /* id of a struct cli_person */
    CLI_OPT_PERSON_NAME,/* name of a struct cli_person */
    CLI_OPT_STATE,      /* int esc_state by name */
    CLI_OPT_CHANNEL,    /* int esc_channel by name */
    CLI_OPT_HOLD,       /* int esc_hold by name */
    CLI_OPT_ORDER       /* int esc_order: priority, due, created */
};

struct cli_opt {
    const char *name;       /* without the leading "--" */
    enum cli_opt_type type;
    size_t offset;          /* into struct cli_args */
    int value;              /* CLI_OPT_SET: the value stored; CLI_OPT_COUNT: maximum */
    const char *metavar;    /* shown in help; NULL for CLI_OPT_SET */
    const char *help;
};

#define CLI_OPT_END { NULL, CLI_OPT_STRING, 0, 0, NULL, NULL }

/* cli_args.c */
void cli_args_init(struct cli_args *args);
void cli_args_free(struct cli_args *args);
/* Parse argv[start..argc) against opts (NULL-terminated table) and the
 * global options; positionals go to args->pos.  Returns 0, or -1 after
 * printing a usage error to stderr. */
int cli_parse(struct cli_args *args, const struct cli_opt *opts, int argc, char **argv,
              int start, int stop_at_positional, int *next);
extern const struct cli_opt cli_global_opts[];
/* A decimal integer in [min, max]: 0, or -1 when text is not one. */
int cli_parse_long(long long *out, const char *text, long long min, long long max);
/* ms since the epoch, UTC, from the text of a CLI_OPT_TIME: ISO-8601 UTC,
 * ms, or "now" and "+N[smhd]" counted from now (the handle's clock, so a
 * fixed --now moves them too).  Returns 0, or -1 when it is not a time. */
int cli_parse_time(int64_t *out, const char *text, int64_t now);
/* The system clock, ms since the epoch (-1 when it cannot be read). */
int64_t cli_system_now(void);

/* cli_output.c */
void cli_print_options(FILE *f, const struct cli_opt *opts);
/* Format ms as ISO-8601 UTC ("2026-03-02T09:14:00Z", ".mmm" when needed). */
void cli_format_time(char *buf, size_t size, int64_t ms);
/* Format a duration like SLA specs write it ("7h30m", "-45s", "0s"). */
void cli_format_duration(char *buf, size_t size, int64_t ms);

/* A tiny streaming JSON writer: commas and nesting are handled for you. */
struct cli_json {
    FILE *f;
    int depth;
    int count[32];          /* values written so far at each depth */
    int after_key;
};
void cli_json_init(struct cli_json *j, FILE *f);
void cli_json_begin_object(struct cli_json *j);
void cli_json_end_object(struct cli_json *j);
void cli_json_begin_array(struct cli_json *j);
void cli_json_end_array(struct cli_json *j);
void cli_json_key(struct cli_json *j, const char *key);
void cli_json_string(struct cli_json *j, const char *s);   /* NULL: null */
void cli_json_int(struct cli_json *j, int64_t v);
void cli_json_bool(struct cli_json *j, int v);
void cli_json_null(struct cli_json *j);
void cli_json_time(struct cli_json *j, int64_t ms);        /* 0: null */
void cli_json_raw(struct cli_json *j, const char *json);   /* already valid JSON */
void cli_json_end(struct cli_json *j);                     /* final newline */
/* Write s as a JSON string literal (quotes included). */
void cli_json_escape(FILE *f, const char *s);

/* Print s cut to at most width bytes on a UTF-8 boundary ("…"-less: "~"),
 * padded to width; a negative width: at most -width, not padded. */
void cli_print_cell(FILE *f, const char *s, int width);

#endif /* ESCALATE_TOOLS_CLI_H */
