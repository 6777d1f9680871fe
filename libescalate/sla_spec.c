/*
 * sla_spec.c — owns the one-line text form of SLA policies
 * (esc_sla_policy_parse() and esc_sla_policy_format() in sla.h).
 *
 * Items are split at ';' outside square brackets, so the calendar's own
 * text (which uses ';') travels inside calendar=[...] unchanged.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "sla_model.h"
#include "text.h"

/* Longest piece of the spec quoted in a message, in bytes. */
#define QUOTE_MAX 48

typedef struct parser {
    char *errbuf;
    size_t errbuf_size;
    int item;          /* 1-based number of the item being read */
    const char *text;  /* the item, for messages */
    size_t len;
} parser;

static int fail(const parser *p, int code, const char *fmt, ...) ESC_PRINTF(3, 4);

static int fail(const parser *p, int code, const char *fmt, ...)
{
    if (p->errbuf != NULL && p->errbuf_size > 0) {
        char what[ESC_SLA_ERRMSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        if (p->item > 0) {
            size_t n = p->len;
            if (n > QUOTE_MAX) {
                n = QUOTE_MAX;
                /* never cut a UTF-8 sequence */
                while (n > 0 && ((unsigned char)p->text[n] & 0xC0) == 0x80)
                    n--;
            }
            snprintf(p->errbuf, p->errbuf_size, "item %d \"%.*s%s\": %s", p->item, (int)n,
                     p->text, n < p->len ? "..." : "", what);
        } else {
            snprintf(p->errbuf, p->errbuf_size, "%s", what);
        }
    }
    return code;
}

/* ---- a cursor over one item ------------------------------------------------------ */

typedef struct cursor {
    const char *s;
    size_t i, n;
} cursor;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_blanks(cursor *c)
{
    while (c->i < c->n && is_blank(c->s[c->i]))
        c->i++;
}

static int at_end(cursor *c)
{
    skip_blanks(c);
    return c->i >= c->n;
}

static int is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* A word (letters, digits, _) after blanks; its length, 0 when none. */
static size_t word(cursor *c, const char **start)
{
    skip_blanks(c);
    *start = c->s + c->i;
    size_t begin = c->i;
    while (c->i < c->n && is_word_char(c->s[c->i]))
        c->i++;
    return c->i - begin;
}

static int expect(cursor *c, char ch)
{
    skip_blanks(c);
    if (c->i < c->n && c->s[c->i] == ch) {
        c->i++;
        return 1;
    }
    return 0;
}

static int word_is(const char *w, size_t len, const char *name)
{
    return strlen(name) == len && strncasecmp(w, name, len) == 0;
}

/* ---- values ------------------------------------------------------------------------ */

/* A duration: "0", or NUMBER UNIT ... with units h, m, s, ms in that order. */
static int duration(const parser *p, const char *w, size_t len, int64_t *out)
{
    static const struct { const char *unit; int64_t ms; } units[] = {
        { "h", 3600000 }, { "m", 60000 }, { "s", 1000 }, { "ms", 1 }
    };
    int64_t total = 0;
    size_t i = 0;
    int next_unit = 0;
    if (len == 1 && w[0] == '0') {
        *out = 0;
        return ESC_OK;
    }
    if (len == 0)
        return fail(p, ESC_EINVAL, "missing duration");
    while (i < len) {
        int64_t number = 0;
        size_t digits = 0;
        while (i < len && isdigit((unsigned char)w[i])) {
            if (number > ESC_SLA_DURATION_MAX)
                return fail(p, ESC_EINVAL, "duration \"%.*s\" is too long", (int)len, w);
            number = number * 10 + (w[i] - '0');
            i++;
            digits++;
        }
        size_t ustart = i;
        while (i < len && isalpha((unsigned char)w[i]))
            i++;
        if (digits == 0 || ustart == i)
            return fail(p, ESC_EINVAL,
                        "bad duration \"%.*s\" (expected e.g. 8h, 1h30m, 45s, 250ms)", (int)len, w);
        int u;
        for (u = next_unit; u < 4; u++)
            if (word_is(w + ustart, i - ustart, units[u].unit))
                break;
        if (u == 4)
            return fail(p, ESC_EINVAL,
                        "bad duration \"%.*s\" (units h, m, s, ms, largest first, each once)",
                        (int)len, w);
        next_unit = u + 1;
        if (number > ESC_SLA_DURATION_MAX / units[u].ms)
            return fail(p, ESC_EINVAL, "duration \"%.*s\" is too long", (int)len, w);
        total += number * units[u].ms;
        if (total > ESC_SLA_DURATION_MAX)
            return fail(p, ESC_EINVAL, "duration \"%.*s\" is too long (at most 3660 days)",
                        (int)len, w);
    }
    *out = total;
    return ESC_OK;
}

static int hold_named(const char *w, size_t len)
{
    for (int k = ESC_HOLD_NONE + 1; k < ESC_HOLD_COUNT; k++)
        if (word_is(w, len, esc_hold_name((esc_hold)k)))
            return k;
    return -1;
}

/* ---- items --------------------------------------------------------------------------- */

typedef struct seen {
    int calendar, warn, pause;
    int target[ESC_SLA_PRIORITY_MAX + 1][ESC_SLA_TARGET_COUNT];
} seen;

static int item_calendar(const parser *p, cursor *c, esc_sla_policy *pol, seen *s)
{
    const char *w;
    size_t len;
    if (s->calendar++)
        return fail(p, ESC_EINVAL, "calendar given twice");
    if (!expect(c, '='))
        return fail(p, ESC_EINVAL, "expected calendar=[SPEC] or calendar=wall");
    skip_blanks(c);
    if (c->i < c->n && c->s[c->i] == '[') {
        size_t begin = ++c->i;
        while (c->i < c->n && c->s[c->i] != ']')
            c->i++;
        if (c->i >= c->n)
            return fail(p, ESC_EINVAL, "missing ']'");
        size_t clen = c->i - begin;
        c->i++;
        if (!at_end(c))
            return fail(p, ESC_EINVAL, "unexpected text after ']'");
        char *spec = malloc(clen + 1);
        if (spec == NULL)
            return fail(p, ESC_ENOMEM, "out of memory");
        memcpy(spec, c->s + begin, clen);
        spec[clen] = '\0';
        char msg[ESC_SLA_ERRMSG_MAX];
        int rc = esc__sla_calendar(&pol->calendar, spec, msg, sizeof msg);
        free(spec);
        if (rc != ESC_OK)
            return fail(p, rc, "%s", msg);
        return ESC_OK;
    }
    len = word(c, &w);
    if (!word_is(w, len, "wall") || !at_end(c))
        return fail(p, ESC_EINVAL, "expected calendar=[SPEC] or calendar=wall");
    return ESC_OK;
}

static int item_warn(const parser *p, cursor *c, esc_sla_policy *pol, seen *s)
{
    int percent[ESC_SLA_WARNINGS_MAX];
    size_t count = 0;
    const char *w;
    size_t len;
    if (s->warn++)
        return fail(p, ESC_EINVAL, "warn given twice");
    if (!expect(c, '='))
        return fail(p, ESC_EINVAL, "expected warn=P,P... or warn=none");
    len = word(c, &w);
    if (word_is(w, len, "none")) {
        if (!at_end(c))
            return fail(p, ESC_EINVAL, "unexpected text after warn=none");
        return esc_sla_policy_set_warnings(pol, NULL, 0);
    }
    for (;;) {
        int v = 0;
        if (len == 0 || len > 2)
            return fail(p, ESC_EINVAL, "bad percentage \"%.*s\" (expected 1..99)", (int)len, w);
        for (size_t i = 0; i < len; i++) {
            if (!isdigit((unsigned char)w[i]))
                return fail(p, ESC_EINVAL, "bad percentage \"%.*s\" (expected 1..99)", (int)len, w);
            v = v * 10 + (w[i] - '0');
        }
        if (v < 1)
            return fail(p, ESC_EINVAL, "bad percentage \"%.*s\" (expected 1..99)", (int)len, w);
        if (count > 0 && v <= percent[count - 1])
            return fail(p, ESC_EINVAL, "percentages must be ascending (%d after %d)", v,
                        percent[count - 1]);
        if (count == ESC_SLA_WARNINGS_MAX)
            return fail(p, ESC_EINVAL, "more than %d warnings", ESC_SLA_WARNINGS_MAX);
        percent[count++] = v;
        if (at_end(c))
            break;
        if (!expect(c, ','))
            return fail(p, ESC_EINVAL, "expected ',' between percentages");
        len = word(c, &w);
    }
    return esc_sla_policy_set_warnings(pol, percent, count);
}

static int item_pause(const parser *p, cursor *c, esc_sla_policy *pol, seen *s)
{
    int pauses[ESC_HOLD_COUNT] = { 0 };
    const char *w;
    size_t len;
    if (s->pause++)
        return fail(p, ESC_EINVAL, "pause given twice");
    if (!expect(c, '='))
        return fail(p, ESC_EINVAL, "expected pause=KIND,... or pause=none");
    len = word(c, &w);
    if (!word_is(w, len, "none")) {
        for (;;) {
            int k = hold_named(w, len);
            if (k < 0)
                return fail(p, ESC_EINVAL,
                            "unknown hold kind \"%.*s\" (customer, third_party, internal)",
                            (int)len, w);
            if (pauses[k])
                return fail(p, ESC_EINVAL, "hold kind \"%.*s\" given twice", (int)len, w);
            pauses[k] = 1;
            if (at_end(c))
                break;
            if (!expect(c, ','))
                return fail(p, ESC_EINVAL, "expected ',' between hold kinds");
            len = word(c, &w);
        }
    } else if (!at_end(c)) {
        return fail(p, ESC_EINVAL, "unexpected text after pause=none");
    }
    for (int k = ESC_HOLD_NONE + 1; k < ESC_HOLD_COUNT; k++)
        pol->pauses[k] = pauses[k];
    return ESC_OK;
}

static int item_priority(const parser *p, cursor *c, int priority, esc_sla_policy *pol, seen *s)
{
    const char *w;
    size_t len;
    if (at_end(c))
        return fail(p, ESC_EINVAL, "expected TARGET=DURATION after p%d", priority);
    while (!at_end(c)) {
        len = word(c, &w);
        int t;
        for (t = 0; t < ESC_SLA_TARGET_COUNT; t++)
            if (word_is(w, len, esc__sla_target_names[t]))
                break;
        if (t == ESC_SLA_TARGET_COUNT)
            return fail(p, ESC_EINVAL,
                        "unknown target \"%.*s\" (first_response, update, resolution)",
                        (int)(len ? len : 1), len ? w : c->s + c->i);
        if (s->target[priority][t]++)
            return fail(p, ESC_EINVAL, "p%d %s given twice", priority, esc__sla_target_names[t]);
        if (!expect(c, '='))
            return fail(p, ESC_EINVAL, "expected '=' after %s", esc__sla_target_names[t]);
        len = word(c, &w);
        int64_t ms = 0;
        int rc = duration(p, w, len, &ms);
        if (rc != ESC_OK)
            return rc;
        pol->target[priority][t] = ms;
    }
    return ESC_OK;
}

static int parse_item(const parser *p, esc_sla_policy *pol, seen *s)
{
    cursor c = { p->text, 0, p->len };
    const char *w;
    size_t len = word(&c, &w);
    if (len == 0)
        return fail(p, ESC_EINVAL, "expected calendar=, pN, warn= or pause=");
    if (word_is(w, len, "calendar"))
        return item_calendar(p, &c, pol, s);
    if (word_is(w, len, "warn"))
        return item_warn(p, &c, pol, s);
    if (word_is(w, len, "pause"))
        return item_pause(p, &c, pol, s);
    if (len == 2 && (w[0] == 'p' || w[0] == 'P') && w[1] >= '0' + ESC_SLA_PRIORITY_MIN &&
        w[1] <= '0' + ESC_SLA_PRIORITY_MAX)
        return item_priority(p, &c, w[1] - '0', pol, s);
    return fail(p, ESC_EINVAL, "unknown item \"%.*s\" (calendar=, p1..p5, warn=, pause=)",
                (int)len, w);
}

ESC_EXTERN(int) esc_sla_policy_parse(esc_sla_policy **out, const char *spec, char *errbuf,
                                     size_t errbuf_size)
{
    parser p = { errbuf, errbuf_size, 0, NULL, 0 };
    if (errbuf != NULL && errbuf_size > 0)
        errbuf[0] = '\0';
    if (out == NULL)
        return fail(&p, ESC_EINVAL, "out is NULL");
    *out = NULL;
    if (spec == NULL)
        return fail(&p, ESC_EINVAL, "spec is NULL");
    size_t total = strlen(spec);
    if (total > ESC_LONG_TEXT_MAX)
        return fail(&p, ESC_EINVAL, "spec is longer than %d bytes", ESC_LONG_TEXT_MAX);
    if (!esc__utf8_valid(spec, total))
        return fail(&p, ESC_EINVAL, "spec is not valid UTF-8");

    esc_sla_policy *pol = NULL;
    int rc = esc_sla_policy_new(&pol, NULL, NULL, 0);
    if (rc != ESC_OK)
        return fail(&p, rc, "out of memory");
    seen s;
    memset(&s, 0, sizeof s);

    size_t start = 0;
    int depth = 0;
    for (size_t i = 0; i <= total && rc == ESC_OK; i++) {
        char ch = spec[i];
        if (ch == '[') {
            if (depth)
                rc = fail(&p, ESC_EINVAL, "'[' inside '[...]' at byte %zu", i + 1);
            depth = 1;
            continue;
        }
        if (ch == ']') {
            if (!depth)
                rc = fail(&p, ESC_EINVAL, "']' without '[' at byte %zu", i + 1);
            depth = 0;
            continue;
        }
        if (ch == '\0' && depth) {
            rc = fail(&p, ESC_EINVAL, "'[' without ']'");
            break;
        }
        if (ch != '\0' && (ch != ';' || depth))
            continue;
        p.item++;
        p.text = spec + start;
        p.len = i - start;
        cursor c = { p.text, 0, p.len };
        if (!at_end(&c))
            rc = parse_item(&p, pol, &s);
        start = i + 1;
    }
    if (rc != ESC_OK) {
        esc_sla_policy_free(pol);
        return rc;
    }
    *out = pol;
    return ESC_OK;
}

/* ---- format ------------------------------------------------------------------------ */

typedef struct out_text {
    char *buf;
    size_t len, cap;
    int failed;
} out_text;

static void put(out_text *t, const char *fmt, ...) ESC_PRINTF(2, 3);

static void put(out_text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap * 2 + (size_t)n + 1;
        char *buf = realloc(t->buf, cap);
        if (buf == NULL) {
            t->failed = 1;
            return;
        }
        t->buf = buf;
        t->cap = cap;
    }
}

static void put_duration(out_text *t, int64_t ms)
{
    static const struct { const char *unit; int64_t ms; } units[] = {
        { "h", 3600000 }, { "m", 60000 }, { "s", 1000 }, { "ms", 1 }
    };
    if (ms == 0) {
        put(t, "0");
        return;
    }
    for (int u = 0; u < 4; u++) {
        if (ms >= units[u].ms) {
            put(t, "%lld%s", (long long)(ms / units[u].ms), units[u].unit);
            ms %= units[u].ms;
        }
    }
}

ESC_EXTERN(int) esc_sla_policy_format(char **out, const esc_sla_policy *pol)
{
    if (out == NULL)
        return ESC_EINVAL;
    *out = NULL;
    if (pol == NULL)
        return ESC_EINVAL;
    out_text t = { malloc(128), 0, 128, 0 };
    if (t.buf == NULL)
        return ESC_ENOMEM;
    t.buf[0] = '\0';
    if (pol->calendar != NULL) {
        char *cal = NULL;
        int rc = esc_calendar_format(&cal, pol->calendar);
        if (rc != ESC_OK) {
            free(t.buf);
            return rc;
        }
        put(&t, "calendar=[%s]", cal);
        esc_calendar_spec_free(cal);
    } else {
        put(&t, "calendar=wall");
    }
    for (int pr = ESC_SLA_PRIORITY_MIN; pr <= ESC_SLA_PRIORITY_MAX; pr++) {
        int any = 0;
        for (int tg = 0; tg < ESC_SLA_TARGET_COUNT; tg++) {
            if (pol->target[pr][tg] == 0)
                continue;
            if (!any)
                put(&t, "; p%d", pr);
            any = 1;
            put(&t, " %s=", esc__sla_target_names[tg]);
            put_duration(&t, pol->target[pr][tg]);
        }
    }
    if (pol->warning_count > 0) {
        put(&t, "; warn=");
        for (size_t i = 0; i < pol->warning_count; i++)
            put(&t, "%s%d", i ? "," : "", pol->warnings[i]);
    }
    put(&t, "; pause=");
    int any = 0;
    for (int k = ESC_HOLD_NONE + 1; k < ESC_HOLD_COUNT; k++) {
        if (pol->pauses[k]) {
            put(&t, "%s%s", any ? "," : "", esc_hold_name((esc_hold)k));
            any = 1;
        }
    }
    if (!any)
        put(&t, "none");
    if (t.failed) {
        free(t.buf);
        return ESC_ENOMEM;
    }
    *out = t.buf;
    return ESC_OK;
}

ESC_EXTERN(void) esc_sla_spec_free(char *spec)
{
    free(spec);
}
