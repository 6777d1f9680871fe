/*
 * text.h — validation of text coming in through the API: UTF-8 well-formed,
 * within the documented length limits, and for short fields free of control
 * characters.
 */
#ifndef ESC_TEXT_H
#define ESC_TEXT_H

#include <stddef.h>

typedef enum esc_text_kind {
    ESC_TEXT_SHORT = 0,   /* ids, names, refs, tags: <= ESC_SHORT_TEXT_MAX bytes, no control chars */
    ESC_TEXT_LONG = 1     /* notes, statements ...: <= ESC_LONG_TEXT_MAX bytes; \t \n \r allowed */
} esc_text_kind;

typedef enum esc_text_verdict {
    ESC_TEXT_OK = 0,
    ESC_TEXT_EMPTY = 1,
    ESC_TEXT_TOO_LONG = 2,
    ESC_TEXT_BAD_UTF8 = 3,
    ESC_TEXT_CONTROL = 4
} esc_text_verdict;

/* Length of the well-formed UTF-8 sequence at p (avail > 0 bytes readable),
 * or 0 when it is not well-formed. */
size_t esc__utf8_sequence_length(const unsigned char *p, size_t avail);

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int esc__utf8_valid(const char *s, size_t len);

/* Judge a NUL-terminated string (NULL counts as empty). */
esc_text_verdict esc__text_check(const char *s, esc_text_kind kind);

/* English words for a verdict, for error messages ("is not valid UTF-8"). */
const char *esc__text_verdict_words(esc_text_verdict verdict);

#endif /* ESC_TEXT_H */
