/*
 * tz_rule.c — owns the POSIX TZ rule of a TZif footer (tz.h): parsing
 * strings like "CET-1CEST,M3.5.0,M10.5.0/3" or "<-02>2<-01>,M3.5.0/-1,
 * M10.5.0/0", and turning them into transitions for any year, which is how
 * a zone answers for instants after the last transition in its file (for
 * "slim" files that is anything after the most recent rule change).
 *
 * Grammar (POSIX, with the RFC 8536 extension of rule times to -167..167
 * hours):  std offset [dst [offset] , date[/time] , date[/time]]
 * The parser reads exactly len bytes and never past them.
 */
#include "tz.h"

#include "civil.h"
#include "escalate/common.h"

typedef struct cursor {
    const char *p;
    const char *end;
} cursor;

static int at_end(const cursor *c)
{
    return c->p >= c->end;
}

static int peek(const cursor *c)
{
    return at_end(c) ? -1 : (unsigned char)*c->p;
}

static int accept(cursor *c, char ch)
{
    if (peek(c) != (unsigned char)ch)
        return 0;
    c->p++;
    return 1;
}

static int is_alpha(int ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static int is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

/* An unsigned number of 1..max_digits digits, at most limit. */
static int parse_number(cursor *c, int max_digits, int limit, int *out)
{
    int value = 0, digits = 0;
    while (is_digit(peek(c)) && digits < max_digits) {
        value = value * 10 + (*c->p++ - '0');
        digits++;
    }
    if (digits == 0 || is_digit(peek(c)) || value > limit)
        return 0;
    *out = value;
    return 1;
}

/* A zone abbreviation: three or more letters, or <...> quoting three or
 * more letters, digits, '+' and '-'.  Only its extent matters to us. */
static int parse_name(cursor *c)
{
    int n = 0;
    if (accept(c, '<')) {
        while (!at_end(c) && (is_alpha(peek(c)) || is_digit(peek(c)) || peek(c) == '+' ||
                              peek(c) == '-')) {
            c->p++;
            n++;
        }
        return accept(c, '>') && n >= 3;
    }
    while (is_alpha(peek(c))) {
        c->p++;
        n++;
    }
    return n >= 3;
}

/* [+-]hh[:mm[:ss]] with hh at most max_hours, in seconds. */
static int parse_hms(cursor *c, int max_hours, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (accept(c, '-'))
        sign = -1;
    else
        accept(c, '+');
    if (!parse_number(c, 3, max_hours, &h))
        return 0;
    if (accept(c, ':')) {
        if (!parse_number(c, 2, 59, &m))
            return 0;
        if (accept(c, ':') && !parse_number(c, 2, 59, &s))
            return 0;
    }
    /* The limit is on the whole time: 167:05 is past 167 hours. */
    if (h * 3600 + m * 60 + s > max_hours * 3600)
        return 0;
    *out = sign * (h * 3600 + m * 60 + s);
    return 1;
}

/* A UTC offset as POSIX writes it: hours WEST of Greenwich. */
static int parse_offset(cursor *c, int32_t *out)
{
    int32_t west;
    if (!parse_hms(c, 24, &west))
        return 0;
    *out = -west;
    return *out >= ESC_TZ_OFFSET_MIN && *out <= ESC_TZ_OFFSET_MAX;
}

static int parse_date(cursor *c, esc_tz_rule_date *out)
{
    out->time = 2 * 3600;
    if (accept(c, 'M')) {
        out->kind = ESC_TZ_MONTH_WEEK;
        if (!parse_number(c, 2, 12, &out->month) || out->month < 1 || !accept(c, '.') ||
            !parse_number(c, 1, 5, &out->week) || out->week < 1 || !accept(c, '.') ||
            !parse_number(c, 1, 6, &out->day))
            return 0;
    } else if (accept(c, 'J')) {
        out->kind = ESC_TZ_JULIAN_1;
        if (!parse_number(c, 3, 365, &out->day) || out->day < 1)
            return 0;
    } else {
        out->kind = ESC_TZ_JULIAN_0;
        if (!parse_number(c, 3, 365, &out->day))
            return 0;
    }
    if (accept(c, '/'))
        return parse_hms(c, 167, &out->time);
    return 1;
}

int esc__tz_rule_parse(esc_tz_rule *out, const char *text, size_t len)
{
    cursor c = { text, text + len };
    esc_tz_rule rule = { 0 };

    if (text == NULL || !parse_name(&c) || !parse_offset(&c, &rule.std_offset))
        return ESC_ECORRUPT;
    if (at_end(&c)) {
        *out = rule;
        return ESC_OK;
    }
    if (!parse_name(&c))
        return ESC_ECORRUPT;
    rule.has_dst = 1;
    rule.dst_offset = rule.std_offset + 3600;   /* POSIX: one hour ahead unless given */
    if (peek(&c) != ',' && !parse_offset(&c, &rule.dst_offset))
        return ESC_ECORRUPT;
    if (rule.dst_offset > ESC_TZ_OFFSET_MAX)
        return ESC_ECORRUPT;
    if (!accept(&c, ',') || !parse_date(&c, &rule.start) || !accept(&c, ',') ||
        !parse_date(&c, &rule.end) || !at_end(&c))
        return ESC_ECORRUPT;
    *out = rule;
    return ESC_OK;
}

/* The local day number a rule date falls on in year. */
static int64_t rule_day(const esc_tz_rule_date *date, int64_t year)
{
    int64_t jan1 = esc__civil_to_days(year, 1, 1);
    switch (date->kind) {
    case ESC_TZ_JULIAN_1:
        /* Day 60 is 1 March whether or not the year is leap. */
        return jan1 + date->day - 1 + (esc__civil_is_leap(year) && date->day >= 60);
    case ESC_TZ_JULIAN_0:
        return jan1 + date->day;
    case ESC_TZ_MONTH_WEEK:
    default: {
        int64_t first = esc__civil_to_days(year, date->month, 1);
        int dim = esc__civil_days_in_month(year, date->month);
        int offset = (date->day - esc__civil_weekday(first) + 7) % 7 + (date->week - 1) * 7;
        while (offset >= dim)   /* week 5 means the last such weekday */
            offset -= 7;
        return first + offset;
    }
    }
}

static int64_t rule_instant(const esc_tz_rule_date *date, int64_t year, int32_t offset_before)
{
    return rule_day(date, year) * ESC_SECONDS_PER_DAY + date->time - offset_before;
}

void esc__tz_rule_transitions(const esc_tz_rule *rule, int64_t year, int64_t *start, int64_t *end)
{
    *start = rule_instant(&rule->start, year, rule->std_offset);
    *end = rule_instant(&rule->end, year, rule->dst_offset);
}

typedef struct rule_event {
    int64_t at;
    int32_t offset;   /* from at on */
} rule_event;

/* Years either side of t's year whose transitions are looked at: a rule
 * date with a time of up to 167 hours, shifted by an offset of up to 26
 * hours, stays within 8 days of its year, so the year before the previous
 * one is wholly before t and the year after the next wholly after it. */
#define RULE_YEARS_AROUND 2
#define RULE_EVENTS (2 * (2 * RULE_YEARS_AROUND + 1))

void esc__tz_rule_segment(const esc_tz_rule *rule, int64_t t, esc_tz_segment *out)
{
    rule_event events[RULE_EVENTS];
    int n = 0;

    out->start = INT64_MIN;
    out->end = INT64_MAX;
    out->offset = rule->std_offset;
    if (!rule->has_dst)
        return;
    if (t > ESC_TZ_TIME_LIMIT)
        t = ESC_TZ_TIME_LIMIT;
    if (t < -ESC_TZ_TIME_LIMIT)
        t = -ESC_TZ_TIME_LIMIT;

    int64_t year = esc__civil_from_days(esc__floor_div(t, ESC_SECONDS_PER_DAY)).year;
    for (int64_t y = year - RULE_YEARS_AROUND; y <= year + RULE_YEARS_AROUND; y++) {
        int64_t start, end;
        esc__tz_rule_transitions(rule, y, &start, &end);
        /* Insertion sort, stable: at equal instants the later entry wins,
         * so the end of one year's daylight time followed at the same
         * instant by the next year's start (all-year DST) stays daylight. */
        rule_event pair[2] = { { start, rule->dst_offset }, { end, rule->std_offset } };
        for (int k = 0; k < 2; k++) {
            int i = n++;
            while (i > 0 && events[i - 1].at > pair[k].at) {
                events[i] = events[i - 1];
                i--;
            }
            events[i] = pair[k];
        }
    }
    for (int i = 0; i < n; i++) {
        if (events[i].at <= t) {
            out->start = events[i].at;
            out->offset = events[i].offset;
        } else {
            out->end = events[i].at;
            break;
        }
    }
}
