/*
 * json.h — the small JSON dialect event payloads are written in: one flat
 * object whose values are strings, integers (int64), true/false or null.
 * Nested objects and arrays are refused.  Writer output is canonical (keys
 * in the order written, no spaces), so one action always gives the same
 * bytes: the future event hash chain depends on that.
 */
#ifndef ESC_JSON_H
#define ESC_JSON_H

#include <stddef.h>
#include <stdint.h>

/* ---- writer ---------------------------------------------------------- */

typedef struct esc_json_writer {
    char *buf;
    size_t len;
    size_t cap;
    int failed;      /* set when memory ran out; every later call is a no-op */
    int fields;      /* fields written so far */
} esc_json_writer;

void esc__json_begin(esc_json_writer *w);
/* Append "key":"value" with JSON escaping (value must be valid UTF-8).
 * A NULL value writes nothing. */
void esc__json_string(esc_json_writer *w, const char *key, const char *value);
void esc__json_int(esc_json_writer *w, const char *key, int64_t value);
void esc__json_bool(esc_json_writer *w, const char *key, int value);
/* Close the object; on success *out is a malloc'd NUL-terminated string the
 * caller frees.  Returns 0, or -1 when memory ran out (buffer freed). */
int esc__json_end(esc_json_writer *w, char **out);

/* ---- reader ---------------------------------------------------------- */

typedef enum esc_json_type {
    ESC_JSON_NULL = 0,
    ESC_JSON_STRING = 1,
    ESC_JSON_INT = 2,
    ESC_JSON_BOOL = 3
} esc_json_type;

typedef struct esc_json_field {
    char *key;
    esc_json_type type;
    char *string;    /* ESC_JSON_STRING: decoded, NUL-terminated UTF-8 */
    int64_t number;  /* ESC_JSON_INT, and ESC_JSON_BOOL as 0/1 */
} esc_json_field;

typedef struct esc_json_object {
    esc_json_field *fields;
    size_t count;
} esc_json_object;

/* Parse text[0..len) as one flat object.  Returns 0, -1 for malformed input
 * (bad syntax, nesting, invalid UTF-8, escaped NUL, numbers out of int64,
 * fractions, duplicate keys, trailing bytes), -2 when memory ran out.  On
 * failure *out is left empty. */
int esc__json_parse(esc_json_object *out, const char *text, size_t len);
void esc__json_object_free(esc_json_object *obj);
/* The field called key, or NULL. */
const esc_json_field *esc__json_get(const esc_json_object *obj, const char *key);

#endif /* ESC_JSON_H */
