/*
 * sla_spec.c — owns the one-line text form of SLA policies
 * (esc_sla_policy_parse() and esc_sla_policy_format() in sla.h).
 *
 * Items are split at ';' outside square brackets, so the calendar's own
 * text (which uses ';') travels inside calendar=[...] unchanged.
 *
 * Rule items are read as they come but added to the policy only once every
 * item is read: a rule's warn=P must be one of the warn= item's
 * percentages, and that item may come later in the text.
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

/* How much of text[0..len) to quote in a message: at most QUOTE_MAX bytes,
 * never cutting a UTF-8 sequence. */
static size_t quote_len(const char *text, size_t len)
{
    size_t n = len;
    if (n > QUOTE_MAX) {
        n = QUOTE_MAX;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    }
    return n;
}

static int fail(const parser *p, int code, const char *fmt, ...)
{
    if (p->errbuf != NULL && p->errbuf_size > 0) {
        char what[ESC_SLA_ERRMSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        if (p->item > 0) {
            size_t n = quote_len(p->text, p->len);
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

/* A run of anything but blanks after blanks (a watcher id, or the
 * offending text for a message); its length, 0 when none. */
static size_t token(cursor *c, const char **start)
{
    skip_blanks(c);
    *start = c->s + c->i;
    size_t begin = c->i;
    while (c->i < c->n && !is_blank(c->s[c->i]))
        c->i++;
    return c->i - begin;
}

/* A word, or when there is none the non-blank run standing in its place
 * (so that a message can show what was found). */
static size_t word_or_token(cursor *c, const char **start)
{
    size_t len = word(c, start);
    return len > 0 ? len : token(c, start);
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
                return fail(p, ESC_EINVAL, "duration \"%.*s\" is too long", (int)quote_len(w, len), w);
            number = number * 10 + (w[i] - '0');
            i++;
            digits++;
        }
        size_t ustart = i;
        while (i < len && isalpha((unsigned char)w[i]))
            i++;
        if (digits == 0 || ustart == i)
            return fail(p, ESC_EINVAL,
                        "bad duration \"%.*s\" (expected e.g. 8h, 1h30m, 45s, 250ms)",
                        (int)quote_len(w, len), w);
        int u;
        for (u = next_unit; u < 4; u++)
            if (word_is(w + ustart, i - ustart, units[u].unit))
                break;
        if (u == 4)
            return fail(p, ESC_EINVAL,
                        "bad duration \"%.*s\" (units h, m, s, ms, largest first, each once)",
                        (int)quote_len(w, len), w);
        next_unit = u + 1;
        if (number > ESC_SLA_DURATION_MAX / units[u].ms)
            return fail(p, ESC_EINVAL, "duration \"%.*s\" is too long", (int)quote_len(w, len), w);
        total += number * units[u].ms;
        if (total > ESC_SLA_DURATION_MAX)
            return fail(p, ESC_EINVAL, "duration \"%.*s\" is too long (at most 3660 days)",
                        (int)quote_len(w, len), w);
    }
    *out = total;
    return ESC_OK;
}

/* 1 when w[0..len) is 1..max_digits decimal digits (max_digits small
 * enough for an int), their value in *out. */
static int digits_value(const char *w, size_t len, size_t max_digits, int *out)
{
    int v = 0;
    if (len == 0 || len > max_digits)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)w[i]))
            return 0;
        v = v * 10 + (w[i] - '0');
    }
    *out = v;
    return 1;
}

/* A percentage 1..99 written with one or two digits. */
static int percentage(const parser *p, const char *w, size_t len, int *out)
{
    int v = 0;
    if (!digits_value(w, len, 2, &v) || v < 1)
        return fail(p, ESC_EINVAL, "bad percentage \"%.*s\" (expected 1..99)",
                    (int)quote_len(w, len), w);
    *out = v;
    return ESC_OK;
}

/* A small count (tier=, repeat=): up to six digits; the range is the rule
 * check's business. */
static int count_value(const parser *p, const char *name, const char *w, size_t len, int *out)
{
    if (!digits_value(w, len, 6, out))
        return fail(p, ESC_EINVAL, "bad %s=%.*s (expected a number)", name,
                    (int)quote_len(w, len), w);
    return ESC_OK;
}

static int target_named(const char *w, size_t len)
{
    for (int t = 0; t < ESC_SLA_TARGET_COUNT; t++)
        if (word_is(w, len, esc__sla_target_names[t]))
            return t;
    return -1;
}

static int hold_named(const char *w, size_t len)
{
    for (int k = ESC_HOLD_NONE + 1; k < ESC_HOLD_COUNT; k++)
        if (word_is(w, len, esc_hold_name((esc_hold)k)))
            return k;
    return -1;
}

/* ---- items --------------------------------------------------------------------------- */

/* A rule item read but not yet added to the policy (see the top). */
typedef struct pending_rule {
    esc_sla_rule rule;   /* watcher_id NULL: the id is the watch token */
    const char *watch;   /* the watch= token in the spec; NULL when none */
    size_t watch_len;
    int item;            /* the item it came from, for messages */
    const char *text;
    size_t len;
} pending_rule;

typedef struct seen {
    int calendar, warn, pause;
    int target[ESC_SLA_PRIORITY_MAX + 1][ESC_SLA_TARGET_COUNT];
    pending_rule rules[ESC_SLA_RULES_MAX];
    size_t rule_count;
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
        int rc = percentage(p, w, len, &v);
        if (rc != ESC_OK)
            return rc;
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
                            (int)quote_len(w, len), w);
            if (pauses[k])
                return fail(p, ESC_EINVAL, "hold kind \"%.*s\" given twice", (int)quote_len(w, len), w);
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
        len = word_or_token(c, &w);
        int t = target_named(w, len);
        if (t < 0)
            return fail(p, ESC_EINVAL,
                        "unknown target \"%.*s\" (first_response, update, resolution)",
                        (int)quote_len(w, len), w);
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

/* ---- rule items ------------------------------------------------------------------------ */

/* Rule options, in the order the canonical text writes them. */
enum { OPT_TIER, OPT_AFTER, OPT_REPEAT, OPT_EVERY, OPT_MOVE_UP, OPT_RAISE, OPT_WATCH, OPT_COUNT };
static const char *const option_names[OPT_COUNT] = {
    "tier", "after", "repeat", "every", "move_up", "raise", "watch"
};

static int option_named(const char *w, size_t len)
{
    for (int o = 0; o < OPT_COUNT; o++)
        if (word_is(w, len, option_names[o]))
            return o;
    return -1;
}

/* The rule's watcher id as a string in buf (ESC_SHORT_TEXT_MAX + 2 bytes):
 * an over-long token is cut just past the short-text limit, which the
 * rule check still refuses as too long.  NULL when there is none. */
static const char *watch_text(const pending_rule *r, char *buf)
{
    if (r->watch == NULL)
        return NULL;
    size_t n = r->watch_len <= ESC_SHORT_TEXT_MAX ? r->watch_len : ESC_SHORT_TEXT_MAX + 1;
    memcpy(buf, r->watch, n);
    buf[n] = '\0';
    return buf;
}

/* The value of one option, its name just read. */
static int rule_option(const parser *p, cursor *c, int o, pending_rule *r)
{
    const char *w;
    size_t len;
    if (o == OPT_MOVE_UP || o == OPT_RAISE) {
        if (expect(c, '='))
            return fail(p, ESC_EINVAL, "%s takes no value", option_names[o]);
        if (o == OPT_MOVE_UP)
            r->rule.move_up = 1;
        else
            r->rule.raise_priority = 1;
        return ESC_OK;
    }
    if (!expect(c, '='))
        return fail(p, ESC_EINVAL, "expected '=' after %s", option_names[o]);
    if (o == OPT_WATCH) {
        r->watch_len = token(c, &r->watch);
        if (r->watch_len == 0)
            return fail(p, ESC_EINVAL, "missing id after watch=");
        return ESC_OK;
    }
    len = word(c, &w);
    switch (o) {
    case OPT_TIER:
        return count_value(p, option_names[o], w, len, &r->rule.tier);
    case OPT_REPEAT:
        return count_value(p, option_names[o], w, len, &r->rule.repeat);
    case OPT_AFTER:
        return duration(p, w, len, &r->rule.after_ms);
    default:
        return duration(p, w, len, &r->rule.every_ms);
    }
}

static int rule_options(const parser *p, cursor *c, pending_rule *r)
{
    int given[OPT_COUNT] = { 0 };
    while (!at_end(c)) {
        const char *w;
        size_t len = word_or_token(c, &w);
        int o = option_named(w, len);
        if (o < 0)
            return fail(p, ESC_EINVAL,
                        "unknown rule option \"%.*s\" (tier=, after=, repeat=, every=, "
                        "move_up, raise, watch=)", (int)quote_len(w, len), w);
        if (given[o]++)
            return fail(p, ESC_EINVAL, "rule option %s given twice", option_names[o]);
        int rc = rule_option(p, c, o, r);
        if (rc != ESC_OK)
            return rc;
    }
    /* every=0 alone is a valid rule, but written out it is a mistake. */
    if (given[OPT_EVERY] && r->rule.repeat <= 1)
        return fail(p, ESC_EINVAL, "every= without repeat= above 1");
    return ESC_OK;
}

/* TARGET, then breach or warn=P. */
static int rule_trigger(const parser *p, cursor *c, esc_sla_rule *rule)
{
    const char *w;
    size_t len = word_or_token(c, &w);
    int t = target_named(w, len);
    if (t < 0)
        return fail(p, ESC_EINVAL,
                    "expected a target after rule (first_response, update, resolution), "
                    "got \"%.*s\"", (int)quote_len(w, len), w);
    rule->target = (esc_sla_target)t;
    len = word(c, &w);
    if (word_is(w, len, "breach"))
        return ESC_OK;
    if (!word_is(w, len, "warn") || !expect(c, '='))
        return fail(p, ESC_EINVAL, "expected breach or warn=P after %s", esc__sla_target_names[t]);
    len = word(c, &w);
    return percentage(p, w, len, &rule->warning_percent);
}

static int item_rule(const parser *p, cursor *c, seen *s)
{
    if (s->rule_count == ESC_SLA_RULES_MAX)
        return fail(p, ESC_EINVAL, "more than %d rules", ESC_SLA_RULES_MAX);
    pending_rule *r = &s->rules[s->rule_count];
    memset(r, 0, sizeof *r);
    esc_sla_rule_init(&r->rule, ESC_SLA_RULE_VERSION);
    int rc = rule_trigger(p, c, &r->rule);
    if (rc == ESC_OK)
        rc = rule_options(p, c, r);
    if (rc != ESC_OK)
        return rc;
    /* Every field but the warning's membership can be judged now. */
    char id[ESC_SHORT_TEXT_MAX + 2], why[ESC_SLA_ERRMSG_MAX];
    esc_sla_rule rule = r->rule;
    rule.watcher_id = watch_text(r, id);
    if (esc__sla_rule_check(&rule, why, sizeof why) != ESC_OK)
        return fail(p, ESC_EINVAL, "%s", why);
    r->item = p->item;
    r->text = p->text;
    r->len = p->len;
    s->rule_count++;
    return ESC_OK;
}

/* Once every item is read: each rule's warning must be one of the
 * policy's; then add them in order.  Messages name the rule's own item. */
static int add_rules(parser *p, esc_sla_policy *pol, const seen *s)
{
    for (size_t i = 0; i < s->rule_count; i++) {
        const pending_rule *r = &s->rules[i];
        p->item = r->item;
        p->text = r->text;
        p->len = r->len;
        int pct = r->rule.warning_percent;
        if (pct != 0 && !esc__sla_has_warning(pol, pct))
            return fail(p, ESC_EINVAL, "rule %zu fires at warn=%d, which is not one of the "
                        "policy's warn= percentages", i + 1, pct);
        char id[ESC_SHORT_TEXT_MAX + 2];
        esc_sla_rule rule = r->rule;
        rule.watcher_id = watch_text(r, id);
        int rc = esc_sla_policy_add_rule(pol, &rule);
        if (rc != ESC_OK)
            return fail(p, rc, "%s", rc == ESC_ENOMEM ? "out of memory" : "rule refused");
    }
    return ESC_OK;
}

static int parse_item(const parser *p, esc_sla_policy *pol, seen *s)
{
    cursor c = { p->text, 0, p->len };
    const char *w;
    size_t len = word(&c, &w);
    if (len == 0)
        return fail(p, ESC_EINVAL, "expected calendar=, pN, warn=, pause= or rule");
    if (word_is(w, len, "calendar"))
        return item_calendar(p, &c, pol, s);
    if (word_is(w, len, "warn"))
        return item_warn(p, &c, pol, s);
    if (word_is(w, len, "pause"))
        return item_pause(p, &c, pol, s);
    if (word_is(w, len, "rule"))
        return item_rule(p, &c, s);
    if (len == 2 && (w[0] == 'p' || w[0] == 'P') && w[1] >= '0' + ESC_SLA_PRIORITY_MIN &&
        w[1] <= '0' + ESC_SLA_PRIORITY_MAX)
        return item_priority(p, &c, w[1] - '0', pol, s);
    return fail(p, ESC_EINVAL, "unknown item \"%.*s\" (calendar=, p1..p5, warn=, pause=, rule)",
                (int)quote_len(w, len), w);
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
    if (rc == ESC_OK)
        rc = add_rules(&p, pol, &s);
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

/* One rule item, options in the order of option_names, defaults left out. */
static void put_rule(out_text *t, const esc_sla_rule *r)
{
    put(t, "; rule %s ", esc__sla_target_names[r->target]);
    if (r->warning_percent != 0)
        put(t, "warn=%d", r->warning_percent);
    else
        put(t, "breach");
    if (r->tier != 0)
        put(t, " %s=%d", option_names[OPT_TIER], r->tier);
    if (r->after_ms != 0) {
        put(t, " %s=", option_names[OPT_AFTER]);
        put_duration(t, r->after_ms);
    }
    if (r->repeat != 1)
        put(t, " %s=%d", option_names[OPT_REPEAT], r->repeat);
    if (r->every_ms != 0) {
        put(t, " %s=", option_names[OPT_EVERY]);
        put_duration(t, r->every_ms);
    }
    if (r->move_up)
        put(t, " %s", option_names[OPT_MOVE_UP]);
    if (r->raise_priority)
        put(t, " %s", option_names[OPT_RAISE]);
    if (r->watcher_id != NULL)
        put(t, " %s=%s", option_names[OPT_WATCH], r->watcher_id);
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
    for (size_t i = 0; i < pol->rule_count; i++)
        put_rule(&t, &pol->rules[i]);
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
