/*
 * tools/cli_args.c — command-line parsing for `escalate`, driven by option
 * tables (struct cli_opt): "--name value", "--name=value", flags, "--" to
 * end options, and the typed conversions (times, people, enum names).
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Options every command accepts, before or after the command name. */
const struct cli_opt cli_global_opts[] = {
    { "db", CLI_OPT_STRING, offsetof(struct cli_args, db_path), 0, "PATH",
      "database file (default: $ESCALATE_DB)" },
    { "json", CLI_OPT_SET, offsetof(struct cli_args, json), 1, NULL,
      "print JSON instead of tables" },
    { "help", CLI_OPT_SET, offsetof(struct cli_args, help), 1, NULL, "show help and exit" },
    { "version", CLI_OPT_SET, offsetof(struct cli_args, version), 1, NULL,
      "show the version and exit" },
    { "now", CLI_OPT_TIME, offsetof(struct cli_args, now), 0, "TIME",
      "fix the clock at TIME (default: $ESCALATE_NOW, else the system clock)" },
    CLI_OPT_END
};

void cli_args_init(struct cli_args *args)
{
    memset(args, 0, sizeof *args);
    args->channel = -1;
    args->confidential = -1;
    args->impact = -1;
    args->urgency = -1;
    args->vip = -1;
    args->churn_risk = -1;
    args->item = -1;
    args->yes = -1;
    args->tier = -1;
    args->customer_account = -1;
    args->hold = -1;
    args->satisfaction = -1;
    args->state = -1;
    args->priority = -1;
    args->open_filter = -1;
    args->order = -1;
    args->limit = -1;
    args->offset = -1;
    args->def_version = -1;
}

void cli_args_free(struct cli_args *args)
{
    for (int i = 0; i < args->nowned; i++)
        free(args->owned[i]);
    args->nowned = 0;
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("escalate: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
    return -1;
}

int cli_parse_long(long long *out, const char *text, long long min, long long max)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int64_t cli_system_now(void)
{
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) == 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ms since the epoch, UTC, from: an integer (ms), "now", "+N" with unit
 * s/m/h/d (from now), or ISO-8601 UTC "YYYY-MM-DDTHH:MM[:SS[.mmm]]Z". */
int cli_parse_time(int64_t *out, const char *text, int64_t now)
{
    long long v;
    if (cli_parse_long(&v, text, 0, LLONG_MAX) == 0) {
        *out = v;
        return 0;
    }
    if (now < 0)
        return -1;
    if (strcmp(text, "now") == 0) {
        *out = now;
        return 0;
    }
    if (text[0] == '+') {
        size_t len = strlen(text);
        static const struct { char unit; int64_t ms; } units[] = {
            { 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 }
        };
        char number[32];
        if (len < 3 || len - 2 >= sizeof number)
            return -1;
        memcpy(number, text + 1, len - 2);
        number[len - 2] = '\0';
        if (cli_parse_long(&v, number, 0, INT_MAX) != 0)
            return -1;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (units[i].unit == text[len - 1]) {
                *out = now + v * units[i].ms;
                return 0;
            }
        return -1;
    }
    int y, mo, d, h, mi, s = 0, ms = 0, n = 0;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16)
        return -1;
    const char *p = text + n;
    if (*p == ':') {
        if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9')
            return -1;
        s = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
        if (*p == '.') {
            if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' || p[3] < '0' || p[3] > '9')
                return -1;
            ms = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
            p += 4;
        }
    }
    if (strcmp(p, "Z") != 0 || y < 1970 || mo < 1 || mo > 12 || d < 1 ||
        d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 || h < 0 || mi < 0)
        return -1;
    *out = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000 + ms;
    return 0;
}

/* "id:name:tier": the id ends at the first colon, the tier follows the last. */
static int parse_person(struct cli_args *args, struct cli_person *out, const char *text)
{
    const char *first = strchr(text, ':');
    const char *last = strrchr(text, ':');
    long long tier;
    if (first == NULL || first == last || first == text || last == first + 1 ||
        cli_parse_long(&tier, last + 1, 1, ESC_TIER_MAX) != 0 ||
        args->nowned + 2 > (int)(sizeof args->owned / sizeof args->owned[0]))
        return -1;
    char *id = malloc((size_t)(first - text) + 1);
    char *name = malloc((size_t)(last - first));
    if (id == NULL || name == NULL) {
        free(id);
        free(name);
        return -1;
    }
    memcpy(id, text, (size_t)(first - text));
    id[first - text] = '\0';
    memcpy(name, first + 1, (size_t)(last - first - 1));
    name[last - first - 1] = '\0';
    args->owned[args->nowned++] = id;
    args->owned[args->nowned++] = name;
    out->id = id;
    out->name = name;
    out->tier = (int)tier;
    return 0;
}

typedef int (*name_parser)(int *out, const char *name);

static int parse_by_names(int *out, const char *name, const char *(*namer)(int), int count)
{
    for (int i = 0; i < count; i++) {
        const char *n = namer(i);
        if (n != NULL && strcmp(n, name) == 0) {
            *out = i;
            return 0;
        }
    }
    return -1;
}

static const char *state_namer(int i) { return esc_state_name((esc_state)i); }
static const char *channel_namer(int i) { return esc_channel_name((esc_channel)i); }
static const char *hold_namer(int i) { return i == 0 ? NULL : esc_hold_name((esc_hold)i); }
static const char *order_namer(int i)
{
    static const char *const names[] = { "priority", "due", "created" };
    return i >= 0 && i < 3 ? names[i] : NULL;
}

/* Store value (the option's argument) as opt says. */
static int store(struct cli_args *args, const struct cli_opt *opt, const char *value)
{
    char *field = (char *)args + opt->offset;
    long long v;
    int e;
    switch (opt->type) {
    case CLI_OPT_STRING:
        *(const char **)(void *)field = value;
        return 0;
    case CLI_OPT_INT:
        if (cli_parse_long(&v, value, INT_MIN, INT_MAX) != 0)
            return usage_error("--%s: not an integer: '%s'", opt->name, value);
        *(int *)(void *)field = (int)v;
        return 0;
    case CLI_OPT_COUNT:
        if (cli_parse_long(&v, value, opt->value > 0 ? 1 : 0, opt->value > 0 ? opt->value : LLONG_MAX) != 0)
            return usage_error("--%s: not a count%s: '%s'", opt->name,
                               opt->value > 0 ? " in range" : "", value);
        *(long long *)(void *)field = v;
        return 0;
    case CLI_OPT_SET:
        *(int *)(void *)field = opt->value;
        return 0;
    case CLI_OPT_TIME: {
        /* Only checked here: "now" and "+2h" are counted from the handle's
         * clock, which --now (possibly later on the line) may still fix. */
        int64_t ms;
        if (cli_parse_time(&ms, value, 0) != 0)
            return usage_error("--%s: not a time (2026-03-02T09:14:00Z, ms, now, +2h): '%s'",
                               opt->name, value);
        *(const char **)(void *)field = value;
        return 0;
    }
    case CLI_OPT_PERSON:
        if (parse_person(args, (struct cli_person *)(void *)field, value) != 0)
            return usage_error("--%s: expected id:name:tier, got '%s'", opt->name, value);
        return 0;
    case CLI_OPT_TIER:
        if (cli_parse_long(&v, value, 1, ESC_TIER_MAX) != 0)
            return usage_error("--%s: not a tier: '%s'", opt->name, value);
        ((struct cli_person *)(void *)field)->tier = (int)v;
        return 0;
    case CLI_OPT_PERSON_ID:
        ((struct cli_person *)(void *)field)->id = value;
        return 0;
    case CLI_OPT_PERSON_NAME:
        ((struct cli_person *)(void *)field)->name = value;
        return 0;
    case CLI_OPT_STATE:
        e = parse_by_names((int *)(void *)field, value, state_namer, ESC_STATE_COUNT);
        break;
    case CLI_OPT_CHANNEL:
        e = parse_by_names((int *)(void *)field, value, channel_namer, ESC_CHANNEL_COUNT);
        break;
    case CLI_OPT_HOLD:
        e = parse_by_names((int *)(void *)field, value, hold_namer, ESC_HOLD_COUNT);
        break;
    case CLI_OPT_ORDER:
        e = parse_by_names((int *)(void *)field, value, order_namer, 3);
        break;
    default:
        return usage_error("--%s: unknown option type", opt->name);
    }
    if (e != 0)
        return usage_error("--%s: unknown value '%s'", opt->name, value);
    return 0;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *name, size_t len)
{
    for (const struct cli_opt *o = opts; o != NULL && o->name != NULL; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

int cli_parse(struct cli_args *args, const struct cli_opt *opts, int argc, char **argv,
              int start, int stop_at_positional, int *next)
{
    int only_positionals = 0;
    int i;
    for (i = start; i < argc; i++) {
        const char *arg = argv[i];
        if (only_positionals || arg[0] != '-' || arg[1] != '-' ) {
            if (arg[0] == '-' && arg[1] != '\0' && !only_positionals)
                return usage_error("unknown option '%s'", arg);
            if (stop_at_positional)
                break;
            if (args->npos >= (int)(sizeof args->pos / sizeof args->pos[0]))
                return usage_error("too many arguments at '%s'", arg);
            args->pos[args->npos++] = arg;
            continue;
        }
        if (arg[2] == '\0') {
            only_positionals = 1;
            continue;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        /* The command's own options first: `calendar show --version N`
         * means the stored version there, not the global --version. */
        const struct cli_opt *opt = find_opt(opts, name, len);
        if (opt == NULL)
            opt = find_opt(cli_global_opts, name, len);
        if (opt == NULL)
            return usage_error("unknown option '%s'", arg);
        const char *value = NULL;
        if (opt->type == CLI_OPT_SET) {
            if (eq != NULL)
                return usage_error("option '--%s' takes no value", opt->name);
        } else if (eq != NULL) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return usage_error("option '--%s' needs a value (%s)", opt->name, opt->metavar);
        }
        if (store(args, opt, value) != 0)
            return -1;
    }
    if (next != NULL)
        *next = i;
    return 0;
}
