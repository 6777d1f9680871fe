/*
 * fuzz_json.c — the reader of event payload JSON (esc__json_parse, json.h),
 * which reads whatever a database file holds.
 *
 * The input is the payload text, exactly size bytes (not NUL-terminated:
 * the reader must never look past len).  Promises checked:
 *  - a refusal leaves the object empty;
 *  - an accepted object has NUL-terminated, valid UTF-8 keys and strings,
 *    each key found again by esc__json_get();
 *  - writing it back with the canonical writer gives text the reader
 *    accepts, with the same fields, and writing that again gives the same
 *    bytes (the writer is canonical: the event hash chain depends on it).
 */
#include "fuzz.h"

#include "json.h"
#include "text.h"

/* Write obj with the writer; NULL when a field cannot be written (null
 * values have no writer call) or memory ran out. */
static char *rewrite(const esc_json_object *obj)
{
    esc_json_writer w;
    char *out = NULL;
    esc__json_begin(&w);
    for (size_t i = 0; i < obj->count; i++) {
        const esc_json_field *f = &obj->fields[i];
        switch (f->type) {
        case ESC_JSON_STRING: esc__json_string(&w, f->key, f->string); break;
        case ESC_JSON_INT: esc__json_int(&w, f->key, f->number); break;
        case ESC_JSON_BOOL: esc__json_bool(&w, f->key, (int)f->number); break;
        case ESC_JSON_NULL:
        default:
            esc__json_end(&w, &out);
            free(out);
            return NULL;
        }
    }
    if (esc__json_end(&w, &out) != 0)
        return NULL;
    return out;
}

static void check_fields(const esc_json_object *obj)
{
    for (size_t i = 0; i < obj->count; i++) {
        const esc_json_field *f = &obj->fields[i];
        FUZZ_CHECK(f->key != NULL, "field %zu has no key", i);
        FUZZ_CHECK(esc__utf8_valid(f->key, strlen(f->key)), "key %zu is not UTF-8", i);
        FUZZ_CHECK(esc__json_get(obj, f->key) == f, "key %zu not found again", i);
        FUZZ_CHECK(f->type >= ESC_JSON_NULL && f->type <= ESC_JSON_BOOL, "type %d", (int)f->type);
        if (f->type == ESC_JSON_STRING) {
            FUZZ_CHECK(f->string != NULL, "string %zu is NULL", i);
            FUZZ_CHECK(esc__utf8_valid(f->string, strlen(f->string)), "string %zu not UTF-8", i);
        }
        if (f->type == ESC_JSON_BOOL)
            FUZZ_CHECK(f->number == 0 || f->number == 1, "bool %zu is %lld", i,
                       (long long)f->number);
    }
}

static int same_fields(const esc_json_object *a, const esc_json_object *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++) {
        const esc_json_field *x = &a->fields[i], *y = &b->fields[i];
        if (strcmp(x->key, y->key) != 0 || x->type != y->type)
            return 0;
        if (x->type == ESC_JSON_STRING ? strcmp(x->string, y->string) != 0
                                       : x->number != y->number)
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    esc_json_object obj;
    int rc = esc__json_parse(&obj, (const char *)data, size);
    FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2, "status %d", rc);
    if (rc != 0) {
        FUZZ_CHECK(obj.count == 0 && obj.fields == NULL, "a refusal left %zu fields", obj.count);
        return 0;
    }
    check_fields(&obj);

    char *text = rewrite(&obj);
    if (text != NULL) {
        esc_json_object again;
        int rc2 = esc__json_parse(&again, text, strlen(text));
        FUZZ_CHECK(rc2 == 0 || rc2 == -2, "the writer's own output is refused: %s", text);
        if (rc2 == 0) {
            FUZZ_CHECK(same_fields(&obj, &again), "fields changed through the writer: %s", text);
            char *text2 = rewrite(&again);
            FUZZ_CHECK(text2 == NULL || strcmp(text, text2) == 0,
                       "the writer is not canonical: %s then %s", text, text2);
            free(text2);
            esc__json_object_free(&again);
        }
        free(text);
    }
    esc__json_object_free(&obj);
    return 0;
}
