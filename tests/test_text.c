/*
 * test_text.c — owns the tests of incoming-text validation
 * (libescalate/text.c): the strict UTF-8 validator, the length limits at
 * their exact boundaries, and the control character rules of each kind.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "escalate.h"
#include "text.h"

/* A literal's bytes, embedded NULs included. */
#define BYTES(s) { s, sizeof(s) - 1 }

typedef struct bytes {
    const char *text;
    size_t len;
} bytes;

/* Validate a private copy of exactly len bytes, so that AddressSanitizer
 * and valgrind catch any read past len. */
static int valid_exact(const char *s, size_t len)
{
    char *copy = malloc(len ? len : 1);
    int rc;

    ck_assert_ptr_nonnull(copy);
    if (len)
        memcpy(copy, s, len);
    rc = esc__utf8_valid(copy, len);
    free(copy);
    return rc;
}

/* A malloc'd string of n bytes made of unit repeated (n a multiple of its
 * length). */
static char *repeat(const char *unit, size_t n)
{
    size_t u = strlen(unit), i;
    char *s = malloc(n + 1);

    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(n % u, 0);
    for (i = 0; i < n; i += u)
        memcpy(s + i, unit, u);
    s[n] = '\0';
    return s;
}

/* ---- esc__utf8_valid ------------------------------------------------------ */

static const bytes valid_utf8[] = {
    BYTES(""), BYTES("a"), BYTES("hello, world"), BYTES("\x7f"), BYTES("\0"),
    BYTES("a\0b"),
    BYTES("\xc2\x80"), BYTES("\xc3\xa9"), BYTES("\xdf\xbf"),            /* 2 bytes */
    BYTES("\xe0\xa0\x80"), BYTES("\xe2\x82\xac"), BYTES("\xed\x9f\xbf"), /* 3 bytes */
    BYTES("\xee\x80\x80"), BYTES("\xef\xbf\xbf"), BYTES("\xe2\x80\x8f"),
    BYTES("\xf0\x90\x80\x80"), BYTES("\xf0\x9f\x98\x80"),               /* 4 bytes */
    BYTES("\xf3\xbf\xbf\xbf"), BYTES("\xf4\x8f\xbf\xbf"),               /* U+10FFFF */
    BYTES("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"),
};

static const bytes invalid_utf8[] = {
    BYTES("\xc0\x80"), BYTES("\xc1\xbf"), BYTES("\xe0\x80\x80"), BYTES("\xe0\x9f\xbf"),
    BYTES("\xf0\x80\x80\x80"), BYTES("\xf0\x8f\xbf\xbf"),               /* overlongs */
    BYTES("\xed\xa0\x80"), BYTES("\xed\xaf\xbf"), BYTES("\xed\xb0\x80"),
    BYTES("\xed\xbf\xbf"),                                              /* surrogates */
    BYTES("\xf4\x90\x80\x80"), BYTES("\xf4\xbf\xbf\xbf"), BYTES("\xf5\x80\x80\x80"),
    BYTES("\xf7\xbf\xbf\xbf"),                                          /* > U+10FFFF */
    BYTES("\x80"), BYTES("\xbf"), BYTES("a\x80"), BYTES("\xc3\xa9\xa9"),/* stray */
    BYTES("\xe2\x82"), BYTES("\xe2"), BYTES("\xc3"), BYTES("\xf0\x9f\x98"),
    BYTES("a\xe2\x82"), BYTES("\xe2\x82z"), BYTES("\xc3z"),             /* truncated */
    BYTES("\xe2\xc3\xa9"), BYTES("\xf0\x9f\x98\xc3"),                   /* interrupted */
    BYTES("\xfe"), BYTES("\xff"), BYTES("\xf8\x88\x80\x80\x80"),
    BYTES("\xfc\x84\x80\x80\x80\x80"),                                  /* never UTF-8 */
};

START_TEST(test_utf8_valid)
{
    const bytes *b = &valid_utf8[_i];

    ck_assert_msg(valid_exact(b->text, b->len) == 1, "valid #%d refused", _i);
}
END_TEST

START_TEST(test_utf8_invalid)
{
    const bytes *b = &invalid_utf8[_i];

    ck_assert_msg(valid_exact(b->text, b->len) == 0, "invalid #%d accepted", _i);
}
END_TEST

/* len bounds the check: a sequence cut by len is truncated even when the
 * bytes after it would complete it. */
START_TEST(test_utf8_len_bounds)
{
    const char *euro = "\xe2\x82\xac";

    ck_assert_int_eq(esc__utf8_valid(euro, 3), 1);
    ck_assert_int_eq(esc__utf8_valid(euro, 2), 0);
    ck_assert_int_eq(esc__utf8_valid(euro, 1), 0);
    ck_assert_int_eq(esc__utf8_valid(euro, 0), 1);
    ck_assert_int_eq(esc__utf8_valid(NULL, 0), 1);
    ck_assert_int_eq(esc__utf8_valid(NULL, 1), 0);
}
END_TEST

/* Every code point encodes to something the validator takes, and every
 * surrogate's encoding is refused. */
START_TEST(test_utf8_every_code_point)
{
    unsigned long cp, wrong = 0x110000;   /* first misjudged code point */
    unsigned char b[4];
    size_t n;
    int want;

    for (cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp < 0x80) {
            b[0] = (unsigned char)cp;
            n = 1;
        } else if (cp < 0x800) {
            b[0] = (unsigned char)(0xC0 | (cp >> 6));
            b[1] = (unsigned char)(0x80 | (cp & 0x3F));
            n = 2;
        } else if (cp < 0x10000) {
            b[0] = (unsigned char)(0xE0 | (cp >> 12));
            b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            b[2] = (unsigned char)(0x80 | (cp & 0x3F));
            n = 3;
        } else {
            b[0] = (unsigned char)(0xF0 | (cp >> 18));
            b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
            b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            b[3] = (unsigned char)(0x80 | (cp & 0x3F));
            n = 4;
        }
        /* a plain if, not ck_assert per code point: every Check assertion
         * is a message to the parent process, and a million of them take
         * most of a minute under valgrind */
        want = !(cp >= 0xD800 && cp <= 0xDFFF);
        if (esc__utf8_valid((const char *)b, n) != want && wrong == 0x110000)
            wrong = cp;
    }
    ck_assert_msg(wrong == 0x110000, "U+%lX misjudged", wrong);
}
END_TEST

/* ---- esc__text_check ---------------------------------------------------- */

START_TEST(test_check_empty)
{
    ck_assert_int_eq(esc__text_check(NULL, ESC_TEXT_SHORT), ESC_TEXT_EMPTY);
    ck_assert_int_eq(esc__text_check(NULL, ESC_TEXT_LONG), ESC_TEXT_EMPTY);
    ck_assert_int_eq(esc__text_check("", ESC_TEXT_SHORT), ESC_TEXT_EMPTY);
    ck_assert_int_eq(esc__text_check("", ESC_TEXT_LONG), ESC_TEXT_EMPTY);
    /* whitespace is not empty; this module judges bytes, not meaning */
    ck_assert_int_eq(esc__text_check(" ", ESC_TEXT_SHORT), ESC_TEXT_OK);
}
END_TEST

START_TEST(test_check_ok)
{
    ck_assert_int_eq(esc__text_check("a", ESC_TEXT_SHORT), ESC_TEXT_OK);
    ck_assert_int_eq(esc__text_check("ESC-2024-0001", ESC_TEXT_SHORT), ESC_TEXT_OK);
    ck_assert_int_eq(esc__text_check("Ren\xc3\xa9" "e M\xc3\xbcller", ESC_TEXT_SHORT), ESC_TEXT_OK);
    ck_assert_int_eq(esc__text_check("\xf0\x9f\x98\x80", ESC_TEXT_SHORT), ESC_TEXT_OK);
    ck_assert_int_eq(esc__text_check("\xf4\x8f\xbf\xbf", ESC_TEXT_SHORT), ESC_TEXT_OK);
    /* U+200F RIGHT-TO-LEFT MARK is a format character, not a control */
    ck_assert_int_eq(esc__text_check("\xe2\x80\x8f\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", ESC_TEXT_SHORT),
                     ESC_TEXT_OK);
    ck_assert_int_eq(esc__text_check("\xe2\x80\x8f", ESC_TEXT_LONG), ESC_TEXT_OK);
    /* C1 controls (U+0080..U+009F) are not C0 controls */
    ck_assert_int_eq(esc__text_check("\xc2\x85", ESC_TEXT_SHORT), ESC_TEXT_OK);
    ck_assert_int_eq(esc__text_check("line 1\nline 2\r\n\tindented", ESC_TEXT_LONG), ESC_TEXT_OK);
}
END_TEST

START_TEST(test_check_control_short)
{
    char s[4] = { 'a', 0, 'b', 0 };
    int c;

    ck_assert_int_eq(esc__text_check("a\tb", ESC_TEXT_SHORT), ESC_TEXT_CONTROL);
    ck_assert_int_eq(esc__text_check("\t", ESC_TEXT_SHORT), ESC_TEXT_CONTROL);
    ck_assert_int_eq(esc__text_check("a\n", ESC_TEXT_SHORT), ESC_TEXT_CONTROL);
    ck_assert_int_eq(esc__text_check("\r", ESC_TEXT_SHORT), ESC_TEXT_CONTROL);
    ck_assert_int_eq(esc__text_check("a\x7f", ESC_TEXT_SHORT), ESC_TEXT_CONTROL);
    for (c = 1; c < 0x20; c++) {
        s[1] = (char)c;
        ck_assert_msg(esc__text_check(s, ESC_TEXT_SHORT) == ESC_TEXT_CONTROL, "0x%02x accepted", c);
    }
}
END_TEST

START_TEST(test_check_control_long)
{
    char s[4] = { 'a', 0, 'b', 0 };
    int c;

    ck_assert_int_eq(esc__text_check("a\tb", ESC_TEXT_LONG), ESC_TEXT_OK);
    ck_assert_int_eq(esc__text_check("\t", ESC_TEXT_LONG), ESC_TEXT_OK);
    ck_assert_int_eq(esc__text_check("\n", ESC_TEXT_LONG), ESC_TEXT_OK);
    ck_assert_int_eq(esc__text_check("\r", ESC_TEXT_LONG), ESC_TEXT_OK);
    /* only C0 controls are refused in long text; DEL is not one of them */
    ck_assert_int_eq(esc__text_check("a\x7f", ESC_TEXT_LONG), ESC_TEXT_OK);
    for (c = 1; c < 0x20; c++) {
        esc_text_verdict want = (c == '\t' || c == '\n' || c == '\r') ? ESC_TEXT_OK : ESC_TEXT_CONTROL;
        s[1] = (char)c;
        ck_assert_msg(esc__text_check(s, ESC_TEXT_LONG) == want, "0x%02x misjudged", c);
    }
}
END_TEST

START_TEST(test_check_bad_utf8)
{
    ck_assert_int_eq(esc__text_check("\xc0\x80", ESC_TEXT_SHORT), ESC_TEXT_BAD_UTF8);
    ck_assert_int_eq(esc__text_check("abc\xff", ESC_TEXT_LONG), ESC_TEXT_BAD_UTF8);
    ck_assert_int_eq(esc__text_check("\xed\xa0\x80", ESC_TEXT_SHORT), ESC_TEXT_BAD_UTF8);
    ck_assert_int_eq(esc__text_check("\xe2\x82", ESC_TEXT_LONG), ESC_TEXT_BAD_UTF8);
    /* a bad encoding outranks a control character */
    ck_assert_int_eq(esc__text_check("\t\x80", ESC_TEXT_SHORT), ESC_TEXT_BAD_UTF8);
}
END_TEST

/* Exactly max bytes passes, max + 1 does not; multi-byte characters count
 * in bytes, and a character cut by the limit is still just "too long". */
static void check_limits(esc_text_kind kind, size_t max)
{
    char *s;

    s = repeat("a", max);
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_OK);
    free(s);
    s = repeat("a", max + 1);
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_TOO_LONG);
    free(s);
    s = repeat("a", max - 1);
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_OK);
    free(s);
    s = repeat("a", 10 * max);
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_TOO_LONG);
    free(s);

    /* max is a multiple of 2 and 4 */
    s = repeat("\xc3\xa9", max);
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_OK);
    free(s);
    s = repeat("\xc3\xa9", max + 2);
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_TOO_LONG);
    free(s);
    s = repeat("\xf0\x9f\x98\x80", max);
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_OK);
    free(s);
    s = repeat("\xf0\x9f\x98\x80", max + 4);
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_TOO_LONG);
    free(s);

    /* too long wins over what lies beyond the limit */
    s = repeat("a", max + 1);
    s[max] = (char)0xFF;
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_TOO_LONG);
    s[max] = '\x01';
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_TOO_LONG);
    /* ... and within it, the last byte still counts */
    s[max] = '\0';
    s[max - 1] = '\x01';
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_CONTROL);
    s[max - 1] = (char)0xC3;
    ck_assert_int_eq(esc__text_check(s, kind), ESC_TEXT_BAD_UTF8);
    free(s);
}

START_TEST(test_check_limits_short)
{
    check_limits(ESC_TEXT_SHORT, ESC_SHORT_TEXT_MAX);
}
END_TEST

START_TEST(test_check_limits_long)
{
    check_limits(ESC_TEXT_LONG, ESC_LONG_TEXT_MAX);
}
END_TEST

/* The length check stops at max + 1 bytes: a string without a terminator
 * right after the limit is judged without reading further. */
START_TEST(test_check_bounded_read)
{
    char *s = malloc(ESC_SHORT_TEXT_MAX + 1);

    ck_assert_ptr_nonnull(s);
    memset(s, 'a', ESC_SHORT_TEXT_MAX + 1);   /* deliberately unterminated */
    ck_assert_int_eq(esc__text_check(s, ESC_TEXT_SHORT), ESC_TEXT_TOO_LONG);
    free(s);
}
END_TEST

START_TEST(test_verdict_words)
{
    ck_assert_str_eq(esc__text_verdict_words(ESC_TEXT_OK), "is fine");
    ck_assert_str_eq(esc__text_verdict_words(ESC_TEXT_EMPTY), "is empty");
    ck_assert_str_eq(esc__text_verdict_words(ESC_TEXT_TOO_LONG), "is longer than the limit");
    ck_assert_str_eq(esc__text_verdict_words(ESC_TEXT_BAD_UTF8), "is not valid UTF-8");
    ck_assert_str_eq(esc__text_verdict_words(ESC_TEXT_CONTROL), "contains control characters");
    ck_assert_ptr_nonnull(esc__text_verdict_words((esc_text_verdict)99));
}
END_TEST

/* ---- main ---------------------------------------------------------------- */

static Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc;

    tc = tcase_create("utf8");
    tcase_add_loop_test(tc, test_utf8_valid, 0, (int)(sizeof valid_utf8 / sizeof valid_utf8[0]));
    tcase_add_loop_test(tc, test_utf8_invalid, 0, (int)(sizeof invalid_utf8 / sizeof invalid_utf8[0]));
    tcase_add_test(tc, test_utf8_len_bounds);
    tcase_add_test(tc, test_utf8_every_code_point);
    suite_add_tcase(s, tc);

    tc = tcase_create("check");
    tcase_add_test(tc, test_check_empty);
    tcase_add_test(tc, test_check_ok);
    tcase_add_test(tc, test_check_control_short);
    tcase_add_test(tc, test_check_control_long);
    tcase_add_test(tc, test_check_bad_utf8);
    tcase_add_test(tc, test_check_limits_short);
    tcase_add_test(tc, test_check_limits_long);
    tcase_add_test(tc, test_check_bounded_read);
    tcase_add_test(tc, test_verdict_words);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(text_suite());
    int failures;

    srunner_run_all(sr, CK_NORMAL);
    failures = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
