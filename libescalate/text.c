/*
 * text.c — owns the validation of text that comes in through the API:
 * strict UTF-8, the byte length limits of common.h, and the control
 * character rules for short and long fields (see text.h).
 */
#include "text.h"

#include "escalate.h"

/* Length of the well-formed UTF-8 sequence starting at p (at most avail
 * bytes readable), or 0 when it is not well-formed.  The ranges are those of
 * the Unicode standard's table of well-formed byte sequences: narrowing the
 * second byte's range is what rejects overlongs (E0, F0), surrogates (ED)
 * and code points above U+10FFFF (F4) without decoding. */
size_t esc__utf8_sequence_length(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n, i;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;          /* below: overlong */
        else if (c == 0xED)
            hi = 0x9F;          /* above: UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;          /* below: overlong */
        else if (c == 0xF4)
            hi = 0x8F;          /* above: beyond U+10FFFF */
    } else {
        /* 80..BF stray continuation, C0/C1 always overlong, F5..FF never used */
        return 0;
    }
    if (avail < n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

int esc__utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    if (len > 0 && s == NULL)
        return 0;
    while (i < len) {
        size_t n = esc__utf8_sequence_length(p + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* strlen that gives up after max bytes, so a huge string is not read to its
 * end only to be refused (strnlen is POSIX, not C11). */
static size_t bounded_length(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n] != '\0')
        n++;
    return n;
}

esc_text_verdict esc__text_check(const char *s, esc_text_kind kind)
{
    size_t max = kind == ESC_TEXT_SHORT ? ESC_SHORT_TEXT_MAX : ESC_LONG_TEXT_MAX;
    size_t len, i;

    if (s == NULL || s[0] == '\0')
        return ESC_TEXT_EMPTY;
    len = bounded_length(s, max + 1);
    if (len > max)
        return ESC_TEXT_TOO_LONG;
    if (!esc__utf8_valid(s, len))
        return ESC_TEXT_BAD_UTF8;
    /* In valid UTF-8 every byte below 0x80 is a character of its own, so a
     * byte scan finds exactly the control characters. */
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (kind == ESC_TEXT_SHORT) {
            if (c < 0x20 || c == 0x7F)
                return ESC_TEXT_CONTROL;
        } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            return ESC_TEXT_CONTROL;
        }
    }
    return ESC_TEXT_OK;
}

const char *esc__text_verdict_words(esc_text_verdict verdict)
{
    switch (verdict) {
    case ESC_TEXT_OK:
        return "is fine";
    case ESC_TEXT_EMPTY:
        return "is empty";
    case ESC_TEXT_TOO_LONG:
        return "is longer than the limit";
    case ESC_TEXT_BAD_UTF8:
        return "is not valid UTF-8";
    case ESC_TEXT_CONTROL:
        return "contains control characters";
    }
    /* An out-of-range value is a caller bug; still give words, never NULL. */
    return "is not acceptable";
}
