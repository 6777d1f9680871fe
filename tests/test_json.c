/*
 * test_json.c — owns the tests of the flat JSON writer and reader
 * (libescalate/json.c): canonical output, round trips, and every class of
 * malformed input the reader must refuse without crashing.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* ---- helpers ----------------------------------------------------------- */

/* Parse a private copy of exactly len bytes, so that AddressSanitizer and
 * valgrind catch any read past len (a literal would have its NUL after it). */
static int parse_exact(esc_json_object *obj, const char *text, size_t len)
{
    char *copy = malloc(len ? len : 1);
    int rc;

    ck_assert_ptr_nonnull(copy);
    if (len)
        memcpy(copy, text, len);
    rc = esc__json_parse(obj, copy, len);
    free(copy);
    return rc;
}

static int parse_str(esc_json_object *obj, const char *text)
{
    return parse_exact(obj, text, strlen(text));
}

/* A literal's bytes, embedded NULs included. */
#define BYTES(s) { s, sizeof(s) - 1 }

typedef struct bytes {
    const char *text;
    size_t len;
} bytes;

/* ---- writer ------------------------------------------------------------ */

START_TEST(test_writer_canonical)
{
    esc_json_writer w;
    char *out = NULL;

    esc__json_begin(&w);
    esc__json_string(&w, "k", "v");
    esc__json_int(&w, "n", 12);
    esc__json_bool(&w, "b", 1);
    ck_assert_int_eq(esc__json_end(&w, &out), 0);
    ck_assert_str_eq(out, "{\"k\":\"v\",\"n\":12,\"b\":true}");
    free(out);
}
END_TEST

START_TEST(test_writer_empty)
{
    esc_json_writer w;
    char *out = NULL;

    esc__json_begin(&w);
    ck_assert_int_eq(esc__json_end(&w, &out), 0);
    ck_assert_str_eq(out, "{}");
    free(out);
}
END_TEST

START_TEST(test_writer_null_value_skipped)
{
    esc_json_writer w;
    char *out = NULL;

    esc__json_begin(&w);
    esc__json_string(&w, "a", NULL);
    esc__json_bool(&w, "f", 0);
    esc__json_string(&w, "b", NULL);
    esc__json_string(&w, "e", "");
    ck_assert_int_eq(esc__json_end(&w, &out), 0);
    ck_assert_str_eq(out, "{\"f\":false,\"e\":\"\"}");
    free(out);
}
END_TEST

START_TEST(test_writer_escapes)
{
    esc_json_writer w;
    char *out = NULL;

    esc__json_begin(&w);
    esc__json_string(&w, "s", "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9");
    esc__json_string(&w, "k\"\n", "x");
    ck_assert_int_eq(esc__json_end(&w, &out), 0);
    /* short forms where JSON has them, \u00xx otherwise; '/', DEL and
     * UTF-8 unchanged; keys escaped the same way */
    ck_assert_str_eq(out, "{\"s\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xc3\xa9\","
                          "\"k\\\"\\n\":\"x\"}");
    free(out);
}
END_TEST

START_TEST(test_writer_ints)
{
    esc_json_writer w;
    char *out = NULL;

    esc__json_begin(&w);
    esc__json_int(&w, "min", INT64_MIN);
    esc__json_int(&w, "max", INT64_MAX);
    esc__json_int(&w, "zero", 0);
    esc__json_int(&w, "neg", -1);
    ck_assert_int_eq(esc__json_end(&w, &out), 0);
    ck_assert_str_eq(out, "{\"min\":-9223372036854775808,\"max\":9223372036854775807,"
                          "\"zero\":0,\"neg\":-1}");
    free(out);
}
END_TEST

START_TEST(test_writer_grows)
{
    esc_json_writer w;
    char *out = NULL;
    char *big = malloc(100001);
    esc_json_object obj;
    int i;

    ck_assert_ptr_nonnull(big);
    memset(big, 'x', 100000);
    big[100000] = '\0';
    esc__json_begin(&w);
    for (i = 0; i < 50; i++)
        esc__json_int(&w, i % 2 ? "odd" : "even", i);   /* writer does not dedupe */
    esc__json_string(&w, "big", big);
    ck_assert_int_eq(esc__json_end(&w, &out), 0);
    ck_assert_uint_gt(strlen(out), 100000);
    /* duplicates written on purpose are refused by the reader */
    ck_assert_int_eq(parse_str(&obj, out), -1);
    free(out);

    esc__json_begin(&w);
    esc__json_string(&w, "big", big);
    ck_assert_int_eq(esc__json_end(&w, &out), 0);
    ck_assert_int_eq(parse_str(&obj, out), 0);
    ck_assert_str_eq(esc__json_get(&obj, "big")->string, big);
    esc__json_object_free(&obj);
    free(out);
    free(big);
}
END_TEST

/* A failed writer (as after a malloc failure) stays failed and end() says
 * so, with nothing left to free. */
START_TEST(test_writer_failed_is_sticky)
{
    esc_json_writer w;
    char *out = (char *)1;

    esc__json_begin(&w);
    esc__json_string(&w, "a", "b");
    free(w.buf);
    w.buf = NULL;
    w.len = w.cap = 0;
    w.failed = 1;
    esc__json_string(&w, "c", "d");
    esc__json_int(&w, "e", 1);
    esc__json_bool(&w, "f", 1);
    ck_assert_ptr_null(w.buf);
    ck_assert_int_eq(esc__json_end(&w, &out), -1);
    ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_writer_null_key_fails)
{
    esc_json_writer w;
    char *out = NULL;

    esc__json_begin(&w);
    esc__json_int(&w, NULL, 1);
    ck_assert_int_eq(esc__json_end(&w, &out), -1);
    ck_assert_ptr_null(out);
}
END_TEST

/* ---- round trips -------------------------------------------------------- */

START_TEST(test_roundtrip_every_type)
{
    esc_json_writer w;
    esc_json_object obj;
    const esc_json_field *f;
    char *out = NULL;

    esc__json_begin(&w);
    esc__json_string(&w, "s", "hello");
    esc__json_string(&w, "empty", "");
    esc__json_int(&w, "min", INT64_MIN);
    esc__json_int(&w, "max", INT64_MAX);
    esc__json_int(&w, "zero", 0);
    esc__json_bool(&w, "t", 42);
    esc__json_bool(&w, "f", 0);
    ck_assert_int_eq(esc__json_end(&w, &out), 0);
    ck_assert_int_eq(parse_str(&obj, out), 0);
    ck_assert_uint_eq(obj.count, 7);

    /* fields keep their written order */
    ck_assert_str_eq(obj.fields[0].key, "s");
    ck_assert_str_eq(obj.fields[6].key, "f");

    f = esc__json_get(&obj, "s");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->type, ESC_JSON_STRING);
    ck_assert_str_eq(f->string, "hello");
    f = esc__json_get(&obj, "empty");
    ck_assert_int_eq(f->type, ESC_JSON_STRING);
    ck_assert_str_eq(f->string, "");
    f = esc__json_get(&obj, "min");
    ck_assert_int_eq(f->type, ESC_JSON_INT);
    ck_assert(f->number == INT64_MIN);
    f = esc__json_get(&obj, "max");
    ck_assert_int_eq(f->type, ESC_JSON_INT);
    ck_assert(f->number == INT64_MAX);
    f = esc__json_get(&obj, "zero");
    ck_assert(f->number == 0);
    f = esc__json_get(&obj, "t");
    ck_assert_int_eq(f->type, ESC_JSON_BOOL);
    ck_assert(f->number == 1);
    f = esc__json_get(&obj, "f");
    ck_assert_int_eq(f->type, ESC_JSON_BOOL);
    ck_assert(f->number == 0);
    ck_assert_ptr_null(esc__json_get(&obj, "missing"));

    esc__json_object_free(&obj);
    ck_assert_ptr_null(obj.fields);
    ck_assert_uint_eq(obj.count, 0);
    free(out);
}
END_TEST

/* Every byte 0x01..0x7f, and every control character alone. */
START_TEST(test_roundtrip_all_ascii_and_controls)
{
    char all[128];
    char one[2];
    esc_json_writer w;
    esc_json_object obj;
    char *out = NULL;
    int c;

    for (c = 1; c < 128; c++)
        all[c - 1] = (char)c;
    all[127] = '\0';
    esc__json_begin(&w);
    esc__json_string(&w, "all", all);
    esc__json_string(&w, all, "as key");
    ck_assert_int_eq(esc__json_end(&w, &out), 0);
    ck_assert_int_eq(parse_str(&obj, out), 0);
    ck_assert_str_eq(esc__json_get(&obj, "all")->string, all);
    ck_assert_str_eq(esc__json_get(&obj, all)->string, "as key");
    esc__json_object_free(&obj);
    free(out);

    for (c = 1; c < 0x20; c++) {
        one[0] = (char)c;
        one[1] = '\0';
        esc__json_begin(&w);
        esc__json_string(&w, "c", one);
        ck_assert_int_eq(esc__json_end(&w, &out), 0);
        ck_assert_int_eq(parse_str(&obj, out), 0);
        ck_assert_str_eq(esc__json_get(&obj, "c")->string, one);
        esc__json_object_free(&obj);
        free(out);
    }
}
END_TEST

START_TEST(test_roundtrip_utf8)
{
    static const char *const texts[] = {
        "\xc3\xa9t\xc3\xa9",                   /* été */
        "\xe2\x82\xac 5",                      /* € */
        "\xf0\x9f\x98\x80",                    /* U+1F600 */
        "\xf4\x8f\xbf\xbf",                    /* U+10FFFF */
        "\xe2\x80\x8fxyz",                     /* right-to-left mark */
        "\xef\xbb\xbf",                        /* U+FEFF inside a string is text */
        "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \"q\"\n",
    };
    size_t i;

    for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        esc_json_writer w;
        esc_json_object obj;
        char *out = NULL;

        esc__json_begin(&w);
        esc__json_string(&w, "t", texts[i]);
        ck_assert_int_eq(esc__json_end(&w, &out), 0);
        ck_assert_int_eq(parse_str(&obj, out), 0);
        ck_assert_str_eq(esc__json_get(&obj, "t")->string, texts[i]);
        esc__json_object_free(&obj);
        free(out);
    }
}
END_TEST

/* ---- reader: valid input ----------------------------------------------- */

START_TEST(test_parse_empty_and_whitespace)
{
    esc_json_object obj;

    ck_assert_int_eq(parse_str(&obj, "{}"), 0);
    ck_assert_uint_eq(obj.count, 0);
    ck_assert_ptr_null(esc__json_get(&obj, "a"));
    esc__json_object_free(&obj);

    ck_assert_int_eq(parse_str(&obj, " \t\r\n{ \t\r\n} \t\r\n"), 0);
    ck_assert_uint_eq(obj.count, 0);
    esc__json_object_free(&obj);

    ck_assert_int_eq(parse_str(&obj, "\n{ \"a\" :\t1 ,\r\n \"b\" : \"x\" , \"c\":null }\n"), 0);
    ck_assert_uint_eq(obj.count, 3);
    ck_assert(esc__json_get(&obj, "a")->number == 1);
    ck_assert_str_eq(esc__json_get(&obj, "b")->string, "x");
    ck_assert_int_eq(esc__json_get(&obj, "c")->type, ESC_JSON_NULL);
    ck_assert_ptr_null(esc__json_get(&obj, "c")->string);
    esc__json_object_free(&obj);
}
END_TEST

START_TEST(test_parse_escapes)
{
    esc_json_object obj;

    ck_assert_int_eq(parse_str(&obj,
        "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\","
        "\"u\":\"\\u00e9\\u20AC\\u20ac\\u0041\\u007f\\u0001\","
        "\"pair\":\"\\ud83d\\ude00\","
        "\"max\":\"\\uDBFF\\uDFFF\","
        "\"first\":\"\\uD800\\uDC00\","
        "\"\\u006b\":1}"), 0);
    ck_assert_str_eq(esc__json_get(&obj, "s")->string, "\"\\/\b\f\n\r\t");
    ck_assert_str_eq(esc__json_get(&obj, "u")->string, "\xc3\xa9\xe2\x82\xac\xe2\x82\xac" "A\x7f\x01");
    ck_assert_str_eq(esc__json_get(&obj, "pair")->string, "\xf0\x9f\x98\x80");
    ck_assert_str_eq(esc__json_get(&obj, "max")->string, "\xf4\x8f\xbf\xbf");
    ck_assert_str_eq(esc__json_get(&obj, "first")->string, "\xf0\x90\x80\x80");
    ck_assert_ptr_nonnull(esc__json_get(&obj, "k"));
    esc__json_object_free(&obj);
}
END_TEST

START_TEST(test_parse_ints)
{
    static const struct { const char *text; int64_t value; } cases[] = {
        { "{\"n\":0}", 0 },
        { "{\"n\":-0}", 0 },
        { "{\"n\":7}", 7 },
        { "{\"n\":-7}", -7 },
        { "{\"n\":10}", 10 },
        { "{\"n\":9223372036854775807}", INT64_MAX },
        { "{\"n\":-9223372036854775808}", INT64_MIN },
        { "{\"n\":9223372036854775806}", INT64_MAX - 1 },
        { "{\"n\":-9223372036854775807}", INT64_MIN + 1 },
        { "{\"n\":922337203685477580}", INT64_MAX / 10 },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        esc_json_object obj;
        const esc_json_field *f;

        ck_assert_msg(parse_str(&obj, cases[i].text) == 0, "%s", cases[i].text);
        f = esc__json_get(&obj, "n");
        ck_assert_int_eq(f->type, ESC_JSON_INT);
        ck_assert_msg(f->number == cases[i].value, "%s", cases[i].text);
        esc__json_object_free(&obj);
    }
}
END_TEST

START_TEST(test_parse_many_fields)
{
    /* 20000 distinct keys: exercises growth and the duplicate check */
    size_t cap = 20000 * 16 + 16, len = 0;
    char *doc = malloc(cap);
    esc_json_object obj;
    char key[16];
    int i;

    ck_assert_ptr_nonnull(doc);
    doc[len++] = '{';
    for (i = 0; i < 20000; i++)
        len += (size_t)snprintf(doc + len, cap - len, "%s\"k%d\":%d", i ? "," : "", i, i);
    doc[len++] = '}';
    ck_assert_int_eq(parse_exact(&obj, doc, len), 0);
    ck_assert_uint_eq(obj.count, 20000);
    snprintf(key, sizeof key, "k%d", 12345);
    ck_assert(esc__json_get(&obj, key)->number == 12345);
    esc__json_object_free(&obj);

    /* the same with the last key repeating the first */
    len -= 1;
    len += (size_t)snprintf(doc + len, cap - len, ",\"k0\":1}");
    ck_assert_int_eq(parse_exact(&obj, doc, len), -1);
    ck_assert_ptr_null(obj.fields);
    ck_assert_uint_eq(obj.count, 0);
    free(doc);
}
END_TEST

/* ---- reader: malformed input -------------------------------------------- */

static const bytes bad_inputs[] = {
    /* not an object at all */
    BYTES(""), BYTES(" "), BYTES("\n\t"), BYTES("null"), BYTES("1"), BYTES("\"a\""),
    BYTES("[]"), BYTES("{"), BYTES("}"), BYTES("{{}}"), BYTES("\xef\xbb\xbf{}"),
    BYTES("{}{}"), BYTES("{} x"), BYTES("{}}"), BYTES("{},"), BYTES("{\"a\":1}x"),
    BYTES("{\f}"), BYTES("{\v}"), BYTES("\f{}"), BYTES("{}\xc2\xa0"),
    BYTES("{/*c*/}"), BYTES("{}//"),
    /* structure */
    BYTES("{,}"), BYTES("{\"a\"}"), BYTES("{\"a\":}"), BYTES("{\"a\" 1}"),
    BYTES("{\"a\"::1}"), BYTES("{\"a\":1,}"), BYTES("{,\"a\":1}"),
    BYTES("{\"a\":1 \"b\":2}"), BYTES("{\"a\":1,,\"b\":2}"), BYTES("{\"a\":1;\"b\":2}"),
    BYTES("{a:1}"), BYTES("{'a':1}"), BYTES("{\"a\":'x'}"), BYTES("{1:1}"),
    BYTES("{null:1}"), BYTES("{\"a\":x}"), BYTES("{\"a\":\"x\""), BYTES("{\"a\":1"),
    BYTES("{\"a\""), BYTES("{\"a\":"),
    /* nesting */
    BYTES("{\"a\":{}}"), BYTES("{\"a\":[]}"), BYTES("{\"a\":[1]}"),
    BYTES("{\"a\":{\"b\":1}}"), BYTES("{\"a\":1,\"b\":[\"x\"]}"),
    /* numbers */
    BYTES("{\"a\":01}"), BYTES("{\"a\":00}"), BYTES("{\"a\":-01}"), BYTES("{\"a\":-}"),
    BYTES("{\"a\":--1}"), BYTES("{\"a\":+1}"), BYTES("{\"a\":-a}"), BYTES("{\"a\":1-}"),
    BYTES("{\"a\":1.0}"), BYTES("{\"a\":1.}"), BYTES("{\"a\":.5}"), BYTES("{\"a\":0.5}"),
    BYTES("{\"a\":1e5}"), BYTES("{\"a\":1E5}"), BYTES("{\"a\":0e0}"), BYTES("{\"a\":-1e-5}"),
    BYTES("{\"a\":0x10}"), BYTES("{\"a\":1 2}"), BYTES("{\"a\":Infinity}"), BYTES("{\"a\":NaN}"),
    BYTES("{\"a\":9223372036854775808}"), BYTES("{\"a\":-9223372036854775809}"),
    BYTES("{\"a\":9223372036854775810}"), BYTES("{\"a\":18446744073709551616}"),
    BYTES("{\"a\":99999999999999999999999999}"), BYTES("{\"a\":-99999999999999999999}"),
    /* words */
    BYTES("{\"a\":tru}"), BYTES("{\"a\":truex}"), BYTES("{\"a\":True}"), BYTES("{\"a\":TRUE}"),
    BYTES("{\"a\":fals}"), BYTES("{\"a\":falsey}"), BYTES("{\"a\":nul}"), BYTES("{\"a\":nulll}"),
    BYTES("{\"a\":Null}"), BYTES("{\"a\":t}"), BYTES("{\"a\":n"),
    /* escapes */
    BYTES("{\"a\":\"\\x\"}"), BYTES("{\"a\":\"\\a\"}"), BYTES("{\"a\":\"\\U0041\"}"),
    BYTES("{\"a\":\"\\'\"}"), BYTES("{\"a\":\"\\0\"}"), BYTES("{\"a\":\"\\\"}"),
    BYTES("{\"a\":\"\\"), BYTES("{\"a\":\"\\u\"}"), BYTES("{\"a\":\"\\u1\"}"),
    BYTES("{\"a\":\"\\u12\"}"), BYTES("{\"a\":\"\\u123\"}"), BYTES("{\"a\":\"\\u12G4\"}"),
    BYTES("{\"a\":\"\\u-123\"}"), BYTES("{\"a\":\"\\u 123\"}"),
    BYTES("{\"a\":\"\\u0000\"}"), BYTES("{\"a\":\"x\\u0000y\"}"), BYTES("{\"\\u0000\":1}"),
    /* lone and mismatched surrogates */
    BYTES("{\"a\":\"\\ud800\"}"), BYTES("{\"a\":\"\\udbff\"}"), BYTES("{\"a\":\"\\udc00\"}"),
    BYTES("{\"a\":\"\\udfff\"}"), BYTES("{\"a\":\"\\ud800x\"}"), BYTES("{\"a\":\"\\ud800\\\"}"),
    BYTES("{\"a\":\"\\ud800\\u0041\"}"), BYTES("{\"a\":\"\\ud800\\ud800\"}"),
    BYTES("{\"a\":\"\\ud800\\ue000\"}"), BYTES("{\"a\":\"\\udc00\\ud800\"}"),
    BYTES("{\"a\":\"\\ud800\\n\"}"), BYTES("{\"a\":\"\\ud800\\udc0\"}"),
    BYTES("{\"a\":\"\\ud800\\u\"}"), BYTES("{\"a\":\"\\ud800\\"),
    /* raw control characters in strings */
    BYTES("{\"a\":\"x\ny\"}"), BYTES("{\"a\":\"\t\"}"), BYTES("{\"a\":\"\r\"}"),
    BYTES("{\"a\":\"\x01\"}"), BYTES("{\"a\":\"\x1f\"}"), BYTES("{\"\n\":1}"),
    /* invalid UTF-8 in values and keys */
    BYTES("{\"a\":\"\xc0\x80\"}"), BYTES("{\"a\":\"\xc1\xbf\"}"), BYTES("{\"a\":\"\xe0\x80\x80\"}"),
    BYTES("{\"a\":\"\xe0\x9f\xbf\"}"), BYTES("{\"a\":\"\xf0\x80\x80\x80\"}"),
    BYTES("{\"a\":\"\xf0\x8f\xbf\xbf\"}"), BYTES("{\"a\":\"\xed\xa0\x80\"}"),
    BYTES("{\"a\":\"\xed\xbf\xbf\"}"), BYTES("{\"a\":\"\xf4\x90\x80\x80\"}"),
    BYTES("{\"a\":\"\xf5\x80\x80\x80\"}"), BYTES("{\"a\":\"\x80\"}"), BYTES("{\"a\":\"\xbf\"}"),
    BYTES("{\"a\":\"\xe2\x82\"}"), BYTES("{\"a\":\"\xe2\"}"), BYTES("{\"a\":\"\xf0\x9f\x98\"}"),
    BYTES("{\"a\":\"\xc3\"}"), BYTES("{\"a\":\"\xfe\"}"), BYTES("{\"a\":\"\xff\"}"),
    BYTES("{\"a\":\"\xc3\\u00a9\"}"), BYTES("{\"a\":\"\xe2\x82\\n\"}"),
    BYTES("{\"\xff\":1}"), BYTES("{\"\xc3\":1}"), BYTES("{\xc3\xa9:1}"),
    BYTES("{\"a\":\"x\"\xc3\xa9}"),
    /* unterminated strings */
    BYTES("{\"a\":\"abc}"), BYTES("{\"a\":\"abc"), BYTES("{\"abc"), BYTES("{\"a\":\"\\\"}"),
    /* duplicate keys, also when spelt differently */
    BYTES("{\"a\":1,\"a\":2}"), BYTES("{\"a\":1,\"b\":2,\"a\":\"x\"}"),
    BYTES("{\"a\":null,\"a\":null}"), BYTES("{\"a\":1,\"\\u0061\":2}"),
    BYTES("{\"\":1,\"\":2}"), BYTES("{\"\xc3\xa9\":1,\"\\u00e9\":2}"),
    /* NUL anywhere */
    BYTES("\0"), BYTES("\0{}"), BYTES("{\0}"), BYTES("{}\0"), BYTES("{} \0"),
    BYTES("{\"a\":\"x\0y\"}"), BYTES("{\"a\0\":1}"), BYTES("{\"a\":1\0}"),
    BYTES("{\"a\":\0}"), BYTES("{\"a\":\"\\\0\"}"), BYTES("{\"a\":\"\\u\0\x30\x30\x41\"}"),
};

START_TEST(test_parse_bad)
{
    const bytes *b = &bad_inputs[_i];
    esc_json_object obj;

    obj.fields = (esc_json_field *)&obj;   /* must be reset on failure */
    obj.count = 99;
    ck_assert_msg(parse_exact(&obj, b->text, b->len) == -1, "bad input #%d accepted", _i);
    ck_assert_ptr_null(obj.fields);
    ck_assert_uint_eq(obj.count, 0);
}
END_TEST

START_TEST(test_parse_null_arguments)
{
    esc_json_object obj;

    ck_assert_int_eq(esc__json_parse(NULL, "{}", 2), -1);
    ck_assert_int_eq(esc__json_parse(&obj, NULL, 0), -1);
    ck_assert_ptr_null(esc__json_get(NULL, "a"));
    ck_assert_int_eq(esc__json_parse(&obj, "{}", 2), 0);
    ck_assert_ptr_null(esc__json_get(&obj, NULL));
    esc__json_object_free(&obj);
    esc__json_object_free(NULL);
}
END_TEST

/* len, not the NUL, bounds the input: bytes after len are never looked at. */
START_TEST(test_parse_len_bounds_input)
{
    esc_json_object obj;
    const char *text = "{\"a\":1}garbage";

    ck_assert_int_eq(esc__json_parse(&obj, text, 7), 0);
    ck_assert(esc__json_get(&obj, "a")->number == 1);
    esc__json_object_free(&obj);
    ck_assert_int_eq(esc__json_parse(&obj, text, 8), -1);
}
END_TEST

/* Every proper prefix of a valid document is malformed, and none of them
 * may make the reader look past its end. */
START_TEST(test_parse_truncated)
{
    esc_json_writer w;
    esc_json_object obj;
    char *out = NULL;
    size_t len, n;

    esc__json_begin(&w);
    esc__json_string(&w, "s", "a\"b\\c\n\x01\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    esc__json_int(&w, "min", INT64_MIN);
    esc__json_int(&w, "max", INT64_MAX);
    esc__json_bool(&w, "t", 1);
    esc__json_bool(&w, "f", 0);
    esc__json_string(&w, "e", "");
    ck_assert_int_eq(esc__json_end(&w, &out), 0);
    len = strlen(out);
    for (n = 0; n < len; n++)
        ck_assert_msg(parse_exact(&obj, out, n) == -1, "prefix of %zu bytes accepted", n);
    ck_assert_int_eq(parse_exact(&obj, out, len), 0);
    esc__json_object_free(&obj);
    free(out);

    /* hand-written: escapes, surrogate pair, null, whitespace */
    {
        const char *doc = " { \"k\\u00e9\" : \"\\ud83d\\ude00\\t\" , \"n\" : null , \"i\" : -12 } ";
        len = strlen(doc);
        for (n = 0; n < len - 1; n++)   /* the last byte is trailing space */
            ck_assert_msg(parse_exact(&obj, doc, n) == -1, "prefix of %zu bytes accepted", n);
        ck_assert_int_eq(parse_exact(&obj, doc, len - 1), 0);
        esc__json_object_free(&obj);
        ck_assert_int_eq(parse_exact(&obj, doc, len), 0);
        ck_assert_str_eq(esc__json_get(&obj, "k\xc3\xa9")->string, "\xf0\x9f\x98\x80\t");
        esc__json_object_free(&obj);
    }
}
END_TEST

/* Every valid document with one byte changed to NUL is refused. */
START_TEST(test_parse_nul_everywhere)
{
    const char *doc = "{\"a\":\"xy\",\"b\":12,\"c\":true,\"d\":null}";
    size_t len = strlen(doc), i;
    char *copy = malloc(len);
    esc_json_object obj;

    ck_assert_ptr_nonnull(copy);
    for (i = 0; i < len; i++) {
        memcpy(copy, doc, len);
        copy[i] = '\0';
        ck_assert_msg(esc__json_parse(&obj, copy, len) == -1, "NUL at %zu accepted", i);
    }
    free(copy);
}
END_TEST

/* ---- main ---------------------------------------------------------------- */

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc;

    tc = tcase_create("writer");
    tcase_add_test(tc, test_writer_canonical);
    tcase_add_test(tc, test_writer_empty);
    tcase_add_test(tc, test_writer_null_value_skipped);
    tcase_add_test(tc, test_writer_escapes);
    tcase_add_test(tc, test_writer_ints);
    tcase_add_test(tc, test_writer_grows);
    tcase_add_test(tc, test_writer_failed_is_sticky);
    tcase_add_test(tc, test_writer_null_key_fails);
    suite_add_tcase(s, tc);

    tc = tcase_create("roundtrip");
    tcase_add_test(tc, test_roundtrip_every_type);
    tcase_add_test(tc, test_roundtrip_all_ascii_and_controls);
    tcase_add_test(tc, test_roundtrip_utf8);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse_valid");
    tcase_add_test(tc, test_parse_empty_and_whitespace);
    tcase_add_test(tc, test_parse_escapes);
    tcase_add_test(tc, test_parse_ints);
    tcase_add_test(tc, test_parse_many_fields);
    tcase_add_test(tc, test_parse_null_arguments);
    tcase_add_test(tc, test_parse_len_bounds_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse_malformed");
    tcase_add_loop_test(tc, test_parse_bad, 0, (int)(sizeof bad_inputs / sizeof bad_inputs[0]));
    tcase_add_test(tc, test_parse_truncated);
    tcase_add_test(tc, test_parse_nul_everywhere);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(json_suite());
    int failures;

    srunner_run_all(sr, CK_NORMAL);
    failures = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
