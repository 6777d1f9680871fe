/*
 * sha256.h — SHA-256 for the event hash chain (sha256.c).
 */
#ifndef ESC_SHA256_H
#define ESC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define ESC_SHA256_SIZE 32
#define ESC_SHA256_HEX_SIZE (2 * ESC_SHA256_SIZE + 1)

typedef struct esc_sha256 {
    uint32_t state[8];
    uint64_t length;
    unsigned char buffer[64];
    size_t used;
} esc_sha256;

void esc__sha256_init(esc_sha256 *ctx);
void esc__sha256_update(esc_sha256 *ctx, const void *data, size_t len);
void esc__sha256_final(esc_sha256 *ctx, unsigned char digest[ESC_SHA256_SIZE]);
/* Lower-case hex of a digest, NUL-terminated. */
void esc__sha256_hex(char out[ESC_SHA256_HEX_SIZE], const unsigned char digest[ESC_SHA256_SIZE]);

#endif /* ESC_SHA256_H */
