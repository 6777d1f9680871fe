/*
 * tools/cli_output.c — output helpers for `escalate`: a small streaming JSON
 * writer with a correct string escaper, ISO-8601 time formatting, table
 * cells cut on UTF-8 boundaries, and option lists for --help.
 */
#include "cli.h"

#include <string.h>

void cli_print_options(FILE *f, const struct cli_opt *opts)
{
    for (const struct cli_opt *o = opts; o != NULL && o->name != NULL; o++) {
        char left[64];
        if (o->metavar != NULL)
            snprintf(left, sizeof left, "--%s %s", o->name, o->metavar);
        else
            snprintf(left, sizeof left, "--%s", o->name);
        fprintf(f, "  %-28s %s\n", left, o->help);
    }
}

/* Date of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void cli_format_time(char *buf, size_t size, int64_t ms)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rest = ms - days * 86400000;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int h = (int)(rest / 3600000), mi = (int)(rest / 60000 % 60), s = (int)(rest / 1000 % 60);
    int frac = (int)(rest % 1000);
    if (frac != 0)
        snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d, h, mi, s,
                 frac);
    else
        snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d, h, mi, s);
}

void cli_format_duration(char *buf, size_t size, int64_t ms)
{
    static const struct { const char *unit; int64_t ms; } units[] = {
        { "h", 3600000 }, { "m", 60000 }, { "s", 1000 }, { "ms", 1 }
    };
    /* Unsigned, so that even INT64_MIN has a magnitude. */
    uint64_t rest = ms < 0 ? 0 - (uint64_t)ms : (uint64_t)ms;
    size_t len = 0;
    buf[0] = '\0';
    if (ms < 0)
        len += (size_t)snprintf(buf, size, "-");
    if (rest == 0)
        snprintf(buf + len, size - len, "0s");
    for (size_t i = 0; i < sizeof units / sizeof units[0] && rest > 0 && len < size; i++) {
        uint64_t n = rest / (uint64_t)units[i].ms;
        rest %= (uint64_t)units[i].ms;
        if (n > 0)
            len += (size_t)snprintf(buf + len, size - len, "%llu%s", (unsigned long long)n,
                                    units[i].unit);
    }
}

void cli_json_escape(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            /* Control characters must be escaped; UTF-8 (validated by the
             * library on the way in) passes through unchanged. */
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void cli_json_init(struct cli_json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
}

/* Before any value: a comma when it is not the first at this depth. */
static void before_value(struct cli_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->count[j->depth]++ > 0)
        fputc(',', j->f);
}

static void open_container(struct cli_json *j, char c)
{
    before_value(j);
    fputc(c, j->f);
    if (j->depth + 1 < (int)(sizeof j->count / sizeof j->count[0]))
        j->depth++;
    j->count[j->depth] = 0;
}

static void close_container(struct cli_json *j, char c)
{
    if (j->depth > 0)
        j->depth--;
    fputc(c, j->f);
}

void cli_json_begin_object(struct cli_json *j) { open_container(j, '{'); }
void cli_json_end_object(struct cli_json *j) { close_container(j, '}'); }
void cli_json_begin_array(struct cli_json *j) { open_container(j, '['); }
void cli_json_end_array(struct cli_json *j) { close_container(j, ']'); }

void cli_json_key(struct cli_json *j, const char *key)
{
    before_value(j);
    cli_json_escape(j->f, key);
    fputc(':', j->f);
    j->after_key = 1;
}

void cli_json_string(struct cli_json *j, const char *s)
{
    if (s == NULL) {
        cli_json_null(j);
        return;
    }
    before_value(j);
    cli_json_escape(j->f, s);
}

void cli_json_int(struct cli_json *j, int64_t v)
{
    before_value(j);
    fprintf(j->f, "%lld", (long long)v);
}

void cli_json_bool(struct cli_json *j, int v)
{
    before_value(j);
    fputs(v ? "true" : "false", j->f);
}

void cli_json_null(struct cli_json *j)
{
    before_value(j);
    fputs("null", j->f);
}

void cli_json_time(struct cli_json *j, int64_t ms)
{
    char buf[40];
    if (ms == 0) {
        cli_json_null(j);
        return;
    }
    cli_format_time(buf, sizeof buf, ms);
    cli_json_string(j, buf);
}

void cli_json_raw(struct cli_json *j, const char *json)
{
    before_value(j);
    fputs(json != NULL && json[0] != '\0' ? json : "null", j->f);
}

void cli_json_end(struct cli_json *j)
{
    fputc('\n', j->f);
}

void cli_print_cell(FILE *f, const char *s, int width)
{
    int pad = width >= 0;
    if (width < 0)
        width = -width;
    size_t len = strlen(s);
    size_t cut = len;
    int cont = 0;
    /* Count display columns as UTF-8 lead bytes; cut before one that would
     * not fit (leaving one column for the "~" marker). */
    size_t cols = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            cols++;
    if (cols > (size_t)width) {
        size_t c = 0;
        for (cut = 0; cut < len; cut++) {
            unsigned char b = (unsigned char)s[cut];
            if ((b & 0xC0) != 0x80) {
                if (c + 1 >= (size_t)width)
                    break;
                c++;
            }
        }
        cont = 1;
        cols = c + 1;
    }
    for (size_t i = 0; i < cut; i++) {
        /* Keep the table on one line. */
        char ch = s[i];
        fputc(ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : ch, f);
    }
    if (cont)
        fputc('~', f);
    for (size_t c = cols; pad && c < (size_t)width; c++)
        fputc(' ', f);
}
