/*
 * calendar_spec.c — owns reading the text form of a calendar (calendar.h):
 * esc_calendar_parse() reads "tz=Europe/Berlin; mon-fri 09:00-17:00; ..."
 * with messages that name the offending item and token.  Writing it is
 * calendar_format.c's job.
 *
 * The parser works on one ';'-separated item at a time, through a small
 * lexer (words, numbers with ':', and the punctuation - , =) so that blanks
 * are allowed around every token.  The spec is checked as UTF-8 first, so
 * the pieces of it quoted in messages are always valid text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar_model.h"
#include "internal.h"
#include "text.h"

/* Longest piece of the spec quoted in a message, in bytes. */
#define QUOTE_MAX 48

/* ---- messages ------------------------------------------------------------------ */

typedef struct errbuf {
    char *buf;
    size_t size;
} errbuf;

static int fail(const errbuf *e, int code, const char *fmt, ...) ESC_PRINTF(3, 4);

static int fail(const errbuf *e, int code, const char *fmt, ...)
{
    if (e->buf && e->size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->buf, e->size, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* How many of the len bytes at p to quote: at most QUOTE_MAX, never
 * cutting a UTF-8 sequence (p is known to be valid UTF-8). */
static int quote_len(const char *p, size_t len)
{
    if (len > QUOTE_MAX) {
        len = QUOTE_MAX;
        while (len > 0 && ((unsigned char)p[len] & 0xC0) == 0x80)
            len--;
    }
    return (int)len;
}

/* ---- lexer --------------------------------------------------------------------- */

typedef enum token_kind {
    TOK_END,
    TOK_WORD,     /* letters */
    TOK_NUMBER,   /* digits and ':' */
    TOK_DASH,
    TOK_COMMA,
    TOK_EQUALS,
    TOK_OTHER     /* anything else: one character */
} token_kind;

typedef struct token {
    token_kind kind;
    const char *p;
    size_t len;
} token;

typedef struct item {
    const char *p;          /* the item's text, for messages */
    size_t len;
    int number;             /* 1-based position in the spec */
    const char *pos;        /* lexer position */
    const char *end;
    token tok;              /* current token */
    const errbuf *err;
} item;

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int is_letter(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static void advance(item *it)
{
    const char *p = it->pos;
    while (p < it->end && is_blank(*p))
        p++;
    it->tok.p = p;
    if (p == it->end) {
        it->tok.kind = TOK_END;
    } else if (is_letter(*p)) {
        it->tok.kind = TOK_WORD;
        while (p < it->end && is_letter(*p))
            p++;
    } else if (is_digit(*p)) {
        it->tok.kind = TOK_NUMBER;
        while (p < it->end && (is_digit(*p) || *p == ':'))
            p++;
    } else {
        it->tok.kind = *p == '-' ? TOK_DASH : *p == ',' ? TOK_COMMA : *p == '=' ? TOK_EQUALS
                                                                               : TOK_OTHER;
        /* A whole UTF-8 character, so that the message can quote it (the
         * spec was checked, so the length is never 0; 1 if it were). */
        size_t n = esc__utf8_sequence_length((const unsigned char *)p, (size_t)(it->end - p));
        p += n ? n : 1;
    }
    it->tok.len = (size_t)(p - it->tok.p);
    it->pos = p;
}

/* ASCII case-insensitive comparison of a word token with a lower-case
 * keyword (no locale: "I" must not become a dotless i). */
static int token_is(const token *tok, const char *word)
{
    if (tok->kind != TOK_WORD || tok->len != strlen(word))
        return 0;
    for (size_t i = 0; i < tok->len; i++) {
        char ch = tok->p[i];
        if ((ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch) != word[i])
            return 0;
    }
    return 1;
}

/* "item 3 "sun 22:00-6": bad time "6" (expected HH:MM)", about the piece
 * [p, p + len) of the item, or about its end when len is 0. */
static int bad_piece(const item *it, const char *problem, const char *p, size_t len,
                     const char *expected)
{
    if (len == 0)
        return fail(it->err, ESC_EINVAL, "item %d \"%.*s\": %s missing at the end", it->number,
                    quote_len(it->p, it->len), it->p, expected);
    return fail(it->err, ESC_EINVAL, "item %d \"%.*s\": %s \"%.*s\" (expected %s)", it->number,
                quote_len(it->p, it->len), it->p, problem, quote_len(p, len), p, expected);
}

/* The same about the current token. */
static int bad(const item *it, const char *problem, const char *expected)
{
    return bad_piece(it, problem, it->tok.p, it->tok.len, expected);
}

static int expect(item *it, token_kind kind, const char *expected)
{
    if (it->tok.kind != kind)
        return bad(it, "unexpected", expected);
    advance(it);
    return ESC_OK;
}

/* min..max digits at *p (and no more), advancing it. */
static int read_digits(const char **p, const char *end, int min, int max, int *out)
{
    int value = 0, n = 0;
    while (*p < end && is_digit(**p) && n < max) {
        value = value * 10 + (*(*p)++ - '0');
        n++;
    }
    *out = value;
    return n >= min && !(*p < end && is_digit(**p));
}

/* ---- items --------------------------------------------------------------------- */

/* Full names are accepted too; the short ones are in calendar_model.h. */
static const char *const day_long[7] = { "sunday", "monday", "tuesday", "wednesday",
                                         "thursday", "friday", "saturday" };

/* The weekday named by the current token, or -1. */
static int day_of(const token *tok)
{
    for (int d = 0; d < 7; d++)
        if (token_is(tok, esc__calendar_day_names[d]) || token_is(tok, day_long[d]))
            return d;
    return -1;
}

#define DAY_EXPECTED "a day: mon, tue, wed, thu, fri, sat, sun"

static int parse_day(item *it, int *out)
{
    if ((*out = day_of(&it->tok)) < 0)
        return bad(it, "unknown day", DAY_EXPECTED);
    advance(it);
    return ESC_OK;
}

/* DAY[-DAY][,DAY[-DAY]...]; a range runs forward through the week and may
 * wrap (fri-mon). */
static int parse_days(item *it, int days[7])
{
    int rc, first, last;
    for (;;) {
        if ((rc = parse_day(it, &first)) != ESC_OK)
            return rc;
        last = first;
        if (it->tok.kind == TOK_DASH) {
            advance(it);
            if ((rc = parse_day(it, &last)) != ESC_OK)
                return rc;
        }
        for (int d = first;; d = (d + 1) % 7) {
            days[d] = 1;
            if (d == last)
                break;
        }
        if (it->tok.kind != TOK_COMMA)
            return ESC_OK;
        advance(it);
    }
}

/* H:MM or HH:MM, in minutes, at most max. */
static int parse_clock(item *it, int max, const char *expected, int *out)
{
    const char *p = it->tok.p, *end = p + it->tok.len;
    int h, m;
    if (it->tok.kind != TOK_NUMBER)
        return bad(it, "unexpected", expected);
    if (!read_digits(&p, end, 1, 2, &h) || p == end || *p++ != ':' ||
        !read_digits(&p, end, 2, 2, &m) || p != end || m > 59 || h * 60 + m > max)
        return bad(it, "bad time", expected);
    *out = h * 60 + m;
    advance(it);
    return ESC_OK;
}

#define START_EXPECTED "HH:MM from 00:00 to 23:59"
#define END_EXPECTED "HH:MM up to 48:00"

/* DAYS RANGE[,RANGE...] */
static int parse_hours(item *it, esc_calendar *cal)
{
    int days[7] = { 0 }, rc, start, end;
    if ((rc = parse_days(it, days)) != ESC_OK)
        return rc;
    for (;;) {
        if ((rc = parse_clock(it, ESC_CALENDAR_DAY_MINUTES - 1, START_EXPECTED, &start)) != ESC_OK ||
            (rc = expect(it, TOK_DASH, "'-' between start and end")) != ESC_OK ||
            (rc = parse_clock(it, ESC_CALENDAR_END_MAX, END_EXPECTED, &end)) != ESC_OK)
            return rc;
        /* An end at or before the start is a clock time of the next day. */
        if (end <= start)
            end += ESC_CALENDAR_DAY_MINUTES;
        for (int d = 0; d < 7; d++)
            if (days[d] && esc_calendar_add_hours(cal, d, start, end) != ESC_OK)
                return fail(it->err, ESC_ENOMEM, "out of memory");
        if (it->tok.kind != TOK_COMMA)
            return expect(it, TOK_END, "',' and another HH:MM-HH:MM, or the end of the item");
        advance(it);
    }
}

/* Numbers separated by '-': YYYY-MM-DD (parts = 3) or MM-DD (parts = 2).
 * When it is malformed, the date as far as it was read is quoted. */
static int parse_date(item *it, int parts, int *out, const char *expected)
{
    static const int min_digits[3] = { 4, 1, 1 }, max_digits[3] = { 4, 2, 2 };
    const char *begin = it->tok.p;
    for (int i = 0, f = 3 - parts; i < parts; i++, f++) {
        if (i > 0 && it->tok.kind == TOK_DASH)
            advance(it);
        else if (i > 0)
            return bad_piece(it, "bad date", begin, (size_t)(it->tok.p + it->tok.len - begin),
                             expected);
        const char *p = it->tok.p, *end = p + it->tok.len;
        if (it->tok.kind != TOK_NUMBER || !read_digits(&p, end, min_digits[f], max_digits[f],
                                                       &out[i]) || p != end)
            return bad_piece(it, "bad date", begin, (size_t)(end - begin), expected);
        advance(it);
    }
    return ESC_OK;
}

/* The dates of a holiday or yearly item, each added to cal. */
static int parse_dates(item *it, esc_calendar *cal, int yearly)
{
    const char *expected = yearly ? "MM-DD" : "YYYY-MM-DD";
    int date[3];
    for (;;) {
        const char *begin = it->tok.p;
        int rc = parse_date(it, yearly ? 2 : 3, date, expected);
        if (rc != ESC_OK)
            return rc;
        size_t len = (size_t)(it->tok.p - begin);
        while (len > 0 && is_blank(begin[len - 1]))
            len--;
        rc = yearly ? esc_calendar_add_yearly_holiday(cal, date[0], date[1])
                    : esc_calendar_add_holiday(cal, date[0], date[1], date[2]);
        if (rc == ESC_ENOMEM)
            return fail(it->err, rc, "out of memory");
        if (rc != ESC_OK)
            return bad_piece(it, "no such date", begin, len,
                             yearly ? "a real month and day" : "a real date in years 0001..9999");
        if (it->tok.kind != TOK_COMMA)
            return expect(it, TOK_END, "',' and another date, or the end of the item");
        advance(it);
    }
}

/* tz=ZONE: the name is the rest of the item, checked but not loaded yet. */
static int parse_tz(item *it, const char **name, size_t *name_len)
{
    int rc = expect(it, TOK_EQUALS, "'=' after tz");
    if (rc != ESC_OK)
        return rc;
    const char *p = it->tok.p, *end = it->end;
    while (end > p && is_blank(end[-1]))
        end--;
    char copy[ESC_TZ_NAME_MAX + 1];
    size_t len = (size_t)(end - p);
    if (len > 0 && len <= ESC_TZ_NAME_MAX) {
        memcpy(copy, p, len);
        copy[len] = '\0';
    }
    if (len == 0 || len > ESC_TZ_NAME_MAX || !esc__tz_name_valid(copy))
        return bad_piece(it, "bad zone name", p, len,
                         "an IANA zone name such as Europe/Berlin: letters, digits, _ + - /");
    *name = p;
    *name_len = len;
    return ESC_OK;
}

typedef struct zone_item {
    const char *name;   /* in the spec, not NUL-terminated */
    size_t len;
    int number;         /* the item it came from; 0: none yet */
} zone_item;

static int parse_item(item *it, esc_calendar *cal, zone_item *zone)
{
    advance(it);
    if (token_is(&it->tok, "tz")) {
        if (zone->number)
            return fail(it->err, ESC_EINVAL, "item %d \"%.*s\": a second tz= (item %d has one)",
                        it->number, quote_len(it->p, it->len), it->p, zone->number);
        advance(it);
        zone->number = it->number;
        return parse_tz(it, &zone->name, &zone->len);
    }
    if (token_is(&it->tok, "holiday") || token_is(&it->tok, "yearly")) {
        int yearly = token_is(&it->tok, "yearly");
        advance(it);
        return parse_dates(it, cal, yearly);
    }
    if (day_of(&it->tok) >= 0)
        return parse_hours(it, cal);
    return bad(it, "unexpected", "tz=ZONE, days with hours, holiday or yearly");
}

/* Load the zone named in the spec into cal. */
static int load_zone(esc_calendar *cal, const zone_item *zone, const errbuf *err)
{
    char name[ESC_TZ_NAME_MAX + 1];
    int rc;

    if (zone->number == 0)
        return fail(err, ESC_EINVAL, "no tz=ZONE item: the time zone is required");
    memcpy(name, zone->name, zone->len);
    name[zone->len] = '\0';
    rc = esc__tz_load(&cal->tz, name);
    int q = quote_len(name, zone->len);  /* messages fit ESC_CALENDAR_ERRMSG_MAX */
    switch (rc) {
    case ESC_OK:
        return ESC_OK;
    case ESC_ENOTFOUND:
        return fail(err, rc, "item %d: unknown time zone \"%.*s\"", zone->number, q, name);
    case ESC_EINVAL:
        return fail(err, rc, "item %d: time zone \"%.*s\" counts leap seconds, which the "
                    "library's UTC times do not", zone->number, q, name);
    case ESC_ECORRUPT:
        return fail(err, rc, "item %d: the file of time zone \"%.*s\" is damaged", zone->number,
                    q, name);
    default:
        return fail(err, rc, "item %d: time zone \"%.*s\": %s", zone->number, q, name,
                    esc_status_string(rc));
    }
}

ESC_EXTERN(int) esc_calendar_parse(esc_calendar **out, const char *spec, char *errbuf_out,
                                   size_t errbuf_size)
{
    const errbuf err = { errbuf_out, errbuf_size };
    zone_item zone = { NULL, 0, 0 };
    esc_calendar *cal = NULL;
    esc_text_verdict verdict;
    int rc = ESC_OK, number = 0;

    if (errbuf_out && errbuf_size)
        errbuf_out[0] = '\0';
    if (out == NULL)
        return fail(&err, ESC_EINVAL, "out is NULL");
    *out = NULL;
    if (spec == NULL)
        return fail(&err, ESC_EINVAL, "the calendar spec is NULL");
    if ((verdict = esc__text_check(spec, ESC_TEXT_LONG)) != ESC_TEXT_OK)
        return fail(&err, ESC_EINVAL, "the calendar spec %s", esc__text_verdict_words(verdict));
    if ((rc = esc__calendar_alloc(&cal)) != ESC_OK)
        return fail(&err, rc, "out of memory");

    for (const char *p = spec; rc == ESC_OK && *p != '\0';) {
        const char *semi = strchr(p, ';');
        const char *end = semi ? semi : p + strlen(p);
        item it = { p, 0, ++number, p, end, { TOK_END, end, 0 }, &err };
        while (it.p < end && is_blank(*it.p))
            it.p++;
        it.len = (size_t)(end - it.p);
        while (it.len > 0 && is_blank(it.p[it.len - 1]))
            it.len--;
        if (it.len > 0)
            rc = parse_item(&it, cal, &zone);
        p = semi ? semi + 1 : end;
    }
    if (rc == ESC_OK)
        rc = load_zone(cal, &zone, &err);
    if (rc != ESC_OK) {
        esc_calendar_free(cal);
        return rc;
    }
    *out = cal;
    return ESC_OK;
}
