/*
 * fuzz.h — what the libFuzzer targets in tests/fuzz share: a NUL-terminated
 * copy of the input, and a check that turns a broken promise of the library
 * (not only a memory error) into a crash libFuzzer keeps the input of.
 *
 * Every target is built with -fsanitize=fuzzer,address,undefined (configure
 * --enable-fuzz): a crash, a leak, a read past the input or any undefined
 * behaviour ends the run with a reproducer.  Any status code the library
 * returns is fine; the targets only insist on what its headers promise.
 * Targets keep no mutable state between inputs (fuzz_db's seed image,
 * built once, is the one documented exception).
 */
#ifndef ESC_FUZZ_H
#define ESC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise: say which, and abort (libFuzzer saves the input). */
#define FUZZ_CHECK(cond, ...)                                                    \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: fuzz check failed: %s: ", __FILE__, __LINE__, \
                    #cond);                                                      \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
            abort();                                                             \
        }                                                                        \
    } while (0)

/* data[0..size) as a malloc'd C string (an embedded NUL ends it early, as
 * it would for any caller); NULL only when memory ran out. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return NULL;
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* 1 when buf (of size bytes) holds a NUL-terminated string. */
static inline int fuzz_terminated(const char *buf, size_t size)
{
    return memchr(buf, '\0', size) != NULL;
}

#endif /* ESC_FUZZ_H */
