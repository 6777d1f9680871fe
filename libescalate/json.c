/*
 * json.c — owns the flat JSON dialect of event payloads (see json.h): the
 * canonical writer and the strict reader.  The reader is written for
 * untrusted bytes (it will be fuzzed): it never reads past len, refuses NUL
 * anywhere, and stays linear-ish on huge inputs (no recursion, no quadratic
 * duplicate-key check).
 */
#include "json.h"
#include "text.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer ----------------------------------------------------------- */

void esc__json_begin(esc_json_writer *w)
{
    w->len = 0;
    w->fields = 0;
    w->failed = 0;
    w->cap = 64;
    w->buf = malloc(w->cap);
    if (w->buf == NULL) {
        w->cap = 0;
        w->failed = 1;
        return;
    }
    w->buf[w->len++] = '{';
}

/* Drop the buffer and mark the writer failed, so that every later call is a
 * no-op and end() reports the failure once, at the only place callers look. */
static void writer_fail(esc_json_writer *w)
{
    free(w->buf);
    w->buf = NULL;
    w->len = 0;
    w->cap = 0;
    w->failed = 1;
}

/* Make room for extra more bytes. */
static int reserve(esc_json_writer *w, size_t extra)
{
    size_t need, cap;
    char *grown;

    if (w->failed)
        return -1;
    if (extra > SIZE_MAX - w->len) {
        writer_fail(w);
        return -1;
    }
    need = w->len + extra;
    if (need <= w->cap)
        return 0;
    cap = w->cap ? w->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    grown = realloc(w->buf, cap);
    if (grown == NULL) {
        writer_fail(w);
        return -1;
    }
    w->buf = grown;
    w->cap = cap;
    return 0;
}

/* Bytes that s takes once escaped, quotes included; SIZE_MAX on overflow. */
static size_t escaped_size(const char *s)
{
    size_t n = 2;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        size_t add = (c == '"' || c == '\\') ? 2
                   : (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') ? 2
                   : c < 0x20 ? 6 : 1;
        if (n > SIZE_MAX - add)
            return SIZE_MAX;
        n += add;
    }
    return n;
}

/* Append s as a JSON string.  Only what JSON requires is escaped (and with
 * the short forms where they exist) so that output is canonical; other
 * bytes, UTF-8 and DEL included, go through unchanged. */
static void put_string(esc_json_writer *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t size = escaped_size(s);
    char *o;

    if (size == SIZE_MAX) {
        writer_fail(w);
        return;
    }
    if (reserve(w, size) != 0)
        return;
    o = w->buf + w->len;
    *o++ = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"':  *o++ = '\\'; *o++ = '"'; break;
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\b': *o++ = '\\'; *o++ = 'b'; break;
        case '\f': *o++ = '\\'; *o++ = 'f'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        default:
            if (c < 0x20) {
                *o++ = '\\'; *o++ = 'u'; *o++ = '0'; *o++ = '0';
                *o++ = hex[c >> 4];
                *o++ = hex[c & 0xF];
            } else {
                *o++ = (char)c;
            }
        }
    }
    *o++ = '"';
    w->len = (size_t)(o - w->buf);
}

/* Append the separator and "key": before a value. */
static int put_key(esc_json_writer *w, const char *key)
{
    if (w->failed)
        return -1;
    if (key == NULL) {
        /* A library bug; fail the whole payload rather than write a
         * document that does not say what was meant. */
        writer_fail(w);
        return -1;
    }
    if (w->fields > 0) {
        if (reserve(w, 1) != 0)
            return -1;
        w->buf[w->len++] = ',';
    }
    put_string(w, key);
    if (reserve(w, 1) != 0)
        return -1;
    w->buf[w->len++] = ':';
    if (w->fields < INT_MAX)   /* only "any yet?" matters; never overflow */
        w->fields++;
    return 0;
}

void esc__json_string(esc_json_writer *w, const char *key, const char *value)
{
    if (value == NULL || put_key(w, key) != 0)
        return;
    put_string(w, value);
}

void esc__json_int(esc_json_writer *w, const char *key, int64_t value)
{
    char digits[24];   /* "-9223372036854775808" is 20 bytes */
    int n;

    if (put_key(w, key) != 0)
        return;
    n = snprintf(digits, sizeof digits, "%" PRId64, value);
    if (n < 0 || (size_t)n >= sizeof digits) {
        writer_fail(w);   /* cannot happen with a conforming snprintf */
        return;
    }
    if (reserve(w, (size_t)n) != 0)
        return;
    memcpy(w->buf + w->len, digits, (size_t)n);
    w->len += (size_t)n;
}

void esc__json_bool(esc_json_writer *w, const char *key, int value)
{
    const char *word = value ? "true" : "false";
    size_t n = strlen(word);

    if (put_key(w, key) != 0 || reserve(w, n) != 0)
        return;
    memcpy(w->buf + w->len, word, n);
    w->len += n;
}

int esc__json_end(esc_json_writer *w, char **out)
{
    *out = NULL;
    if (reserve(w, 2) != 0)
        return -1;   /* reserve() already freed the buffer */
    w->buf[w->len++] = '}';
    w->buf[w->len] = '\0';
    *out = w->buf;
    /* The caller owns the string now; leave nothing behind to double-free. */
    w->buf = NULL;
    w->len = 0;
    w->cap = 0;
    return 0;
}

/* ---- reader ----------------------------------------------------------- */

typedef struct reader {
    const unsigned char *p;
    size_t len;
    size_t pos;
} reader;

#define MALFORMED (-1)
#define NOMEM (-2)

/* JSON's four whitespace bytes only: \f and \v are not JSON whitespace. */
static void skip_ws(reader *r)
{
    while (r->pos < r->len) {
        unsigned char c = r->p[r->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        r->pos++;
    }
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Read the four hex digits of a \u escape at r->pos. */
static int read_hex4(reader *r, unsigned *out)
{
    unsigned v = 0;
    size_t i;

    if (r->len - r->pos < 4)
        return MALFORMED;
    for (i = 0; i < 4; i++) {
        int d = hex_value(r->p[r->pos + i]);
        if (d < 0)
            return MALFORMED;
        v = (v << 4) | (unsigned)d;
    }
    r->pos += 4;
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decode the code point of a \u escape whose 'u' is already consumed,
 * joining a surrogate pair; lone surrogates and U+0000 are malformed. */
static int read_escaped_code_point(reader *r, unsigned *out)
{
    unsigned hi, lo;

    if (read_hex4(r, &hi) != 0)
        return MALFORMED;
    if (hi == 0)
        return MALFORMED;   /* would cut our NUL-terminated strings short */
    if (hi >= 0xDC00 && hi <= 0xDFFF)
        return MALFORMED;   /* low surrogate without a high one */
    if (hi < 0xD800 || hi > 0xDBFF) {
        *out = hi;
        return 0;
    }
    if (r->len - r->pos < 2 || r->p[r->pos] != '\\' || r->p[r->pos + 1] != 'u')
        return MALFORMED;
    r->pos += 2;
    if (read_hex4(r, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
        return MALFORMED;
    *out = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    return 0;
}

/* Read a string whose opening quote is at r->pos into a new malloc'd,
 * decoded, NUL-terminated buffer. */
static int read_string(reader *r, char **out)
{
    size_t start, end, i;
    char *buf, *o;

    *out = NULL;
    if (r->pos >= r->len || r->p[r->pos] != '"')
        return MALFORMED;
    start = ++r->pos;
    /* Find the closing quote first: the decoded text is never longer than
     * its escaped form, so one allocation of that size is enough. */
    for (end = start;; end++) {
        if (end >= r->len)
            return MALFORMED;
        if (r->p[end] == '"')
            break;
        if (r->p[end] == '\\')
            end++;   /* the escaped byte cannot close the string */
    }
    buf = malloc(end - start + 1);
    if (buf == NULL)
        return NOMEM;
    o = buf;
    while (r->pos < end) {
        unsigned char c = r->p[r->pos];
        if (c < 0x20) {
            goto malformed;   /* raw control characters, NUL included */
        } else if (c == '\\') {
            unsigned cp;
            r->pos++;
            switch (r->p[r->pos++]) {   /* pos < end here: see the scan above */
            case '"':  *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '/':  *o++ = '/'; break;
            case 'b':  *o++ = '\b'; break;
            case 'f':  *o++ = '\f'; break;
            case 'n':  *o++ = '\n'; break;
            case 'r':  *o++ = '\r'; break;
            case 't':  *o++ = '\t'; break;
            case 'u':
                /* Bound the hex digits by end, not len, so an escape cannot
                 * swallow the closing quote. */
                {
                    reader sub = { r->p, end, r->pos };
                    if (read_escaped_code_point(&sub, &cp) != 0)
                        goto malformed;
                    r->pos = sub.pos;
                }
                o += put_utf8(o, cp);
                break;
            default:
                goto malformed;
            }
        } else if (c < 0x80) {
            *o++ = (char)c;
            r->pos++;
        } else {
            /* Validate raw multi-byte sequences in place; escapes produce
             * only valid UTF-8, so the decoded string is valid as a whole. */
            size_t n = esc__utf8_sequence_length(r->p + r->pos, end - r->pos);
            if (n == 0)
                goto malformed;
            for (i = 0; i < n; i++)
                *o++ = (char)r->p[r->pos++];
        }
    }
    *o = '\0';
    r->pos = end + 1;
    *out = buf;
    return 0;
malformed:
    free(buf);
    return MALFORMED;
}

/* Read an integer: -?(0|[1-9][0-9]*), which must fit int64 exactly. */
static int read_int(reader *r, int64_t *out)
{
    const uint64_t max_positive = (uint64_t)INT64_MAX;
    uint64_t limit, mag = 0;
    int negative = 0;
    size_t digits = 0;

    if (r->pos < r->len && r->p[r->pos] == '-') {
        negative = 1;
        r->pos++;
    }
    /* INT64_MIN's magnitude is one more than INT64_MAX. */
    limit = negative ? max_positive + 1 : max_positive;
    if (r->pos < r->len && r->p[r->pos] == '0') {
        r->pos++;
        digits = 1;
    } else {
        while (r->pos < r->len && r->p[r->pos] >= '0' && r->p[r->pos] <= '9') {
            unsigned d = (unsigned)(r->p[r->pos] - '0');
            if (mag > (limit - d) / 10)
                return MALFORMED;   /* out of int64 */
            mag = mag * 10 + d;
            r->pos++;
            digits++;
        }
    }
    if (digits == 0)
        return MALFORMED;
    if (r->pos < r->len) {
        unsigned char c = r->p[r->pos];
        /* Leading zeros, fractions and exponents are all refused. */
        if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E')
            return MALFORMED;
    }
    if (!negative)
        *out = (int64_t)mag;
    else if (mag == max_positive + 1)
        *out = INT64_MIN;
    else
        *out = -(int64_t)mag;
    return 0;
}

static int read_word(reader *r, const char *word)
{
    size_t n = strlen(word);

    if (r->len - r->pos < n || memcmp(r->p + r->pos, word, n) != 0)
        return MALFORMED;
    r->pos += n;
    return 0;
}

static int read_value(reader *r, esc_json_field *f)
{
    unsigned char c;

    if (r->pos >= r->len)
        return MALFORMED;
    c = r->p[r->pos];
    if (c == '"') {
        f->type = ESC_JSON_STRING;
        return read_string(r, &f->string);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        f->type = ESC_JSON_INT;
        return read_int(r, &f->number);
    }
    if (c == 't' || c == 'f') {
        f->type = ESC_JSON_BOOL;
        f->number = c == 't';
        return read_word(r, c == 't' ? "true" : "false");
    }
    if (c == 'n') {
        f->type = ESC_JSON_NULL;
        return read_word(r, "null");
    }
    /* Objects, arrays and everything else: this dialect is flat. */
    return MALFORMED;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Duplicate keys by sorting pointers to them: n log n, so a fuzzer's
 * hundred-thousand-key document does not become a quadratic scan. */
static int check_duplicates(const esc_json_object *obj)
{
    char **keys;
    size_t i;
    int rc = 0;

    if (obj->count < 2)
        return 0;
    if (obj->count > SIZE_MAX / sizeof *keys)
        return NOMEM;
    keys = malloc(obj->count * sizeof *keys);
    if (keys == NULL)
        return NOMEM;
    for (i = 0; i < obj->count; i++)
        keys[i] = obj->fields[i].key;
    qsort(keys, obj->count, sizeof *keys, compare_keys);
    for (i = 1; i < obj->count; i++) {
        if (strcmp(keys[i - 1], keys[i]) == 0) {
            rc = MALFORMED;
            break;
        }
    }
    free(keys);
    return rc;
}

/* A new zeroed field at the end of obj (cap tracks the allocation). */
static esc_json_field *add_field(esc_json_object *obj, size_t *cap)
{
    esc_json_field *f;

    if (obj->count == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 8;
        esc_json_field *grown;
        if (*cap > SIZE_MAX / 2 / sizeof *grown)
            return NULL;
        grown = realloc(obj->fields, grown_cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        obj->fields = grown;
        *cap = grown_cap;
    }
    f = &obj->fields[obj->count++];
    memset(f, 0, sizeof *f);
    return f;
}

static int parse_object(esc_json_object *obj, reader *r)
{
    size_t cap = 0;
    int rc;

    skip_ws(r);
    if (r->pos >= r->len || r->p[r->pos] != '{')
        return MALFORMED;
    r->pos++;
    skip_ws(r);
    if (r->pos < r->len && r->p[r->pos] == '}') {
        r->pos++;
    } else {
        for (;;) {
            esc_json_field *f = add_field(obj, &cap);
            if (f == NULL)
                return NOMEM;
            skip_ws(r);
            if ((rc = read_string(r, &f->key)) != 0)
                return rc;
            skip_ws(r);
            if (r->pos >= r->len || r->p[r->pos] != ':')
                return MALFORMED;
            r->pos++;
            skip_ws(r);
            if ((rc = read_value(r, f)) != 0)
                return rc;
            skip_ws(r);
            if (r->pos >= r->len)
                return MALFORMED;
            if (r->p[r->pos] == '}') {
                r->pos++;
                break;
            }
            if (r->p[r->pos] != ',')
                return MALFORMED;
            r->pos++;
        }
    }
    skip_ws(r);
    if (r->pos != r->len)
        return MALFORMED;   /* trailing bytes */
    return check_duplicates(obj);
}

int esc__json_parse(esc_json_object *out, const char *text, size_t len)
{
    esc_json_object obj = { NULL, 0 };
    reader r;
    int rc;

    if (out == NULL)
        return MALFORMED;
    out->fields = NULL;
    out->count = 0;
    if (text == NULL)
        return MALFORMED;
    /* NUL is refused anywhere; checking up front keeps that rule out of
     * every branch below (memchr stays within len). */
    if (memchr(text, '\0', len) != NULL)
        return MALFORMED;
    r.p = (const unsigned char *)text;
    r.len = len;
    r.pos = 0;
    rc = parse_object(&obj, &r);
    if (rc != 0) {
        esc__json_object_free(&obj);
        return rc;
    }
    *out = obj;
    return 0;
}

void esc__json_object_free(esc_json_object *obj)
{
    size_t i;

    if (obj == NULL)
        return;
    for (i = 0; i < obj->count; i++) {
        free(obj->fields[i].key);
        free(obj->fields[i].string);
    }
    free(obj->fields);
    obj->fields = NULL;
    obj->count = 0;
}

const esc_json_field *esc__json_get(const esc_json_object *obj, const char *key)
{
    size_t i;

    if (obj == NULL || key == NULL)
        return NULL;
    for (i = 0; i < obj->count; i++)
        if (strcmp(obj->fields[i].key, key) == 0)
            return &obj->fields[i];
    return NULL;
}
