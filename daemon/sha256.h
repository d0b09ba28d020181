/* sha256.h — SHA-256 (FIPS 180-4), written for recwatch: content ids of
 * statements are "sha256:<64 lower-case hex digits>" of the bytes as received.
 *
 * Use either the one-shot rw_sha256_digest() or the streaming trio
 * rw_sha256_init / rw_sha256_update / rw_sha256_final on a caller-owned
 * rw_sha256_t (a plain value on the stack: there is nothing to free). */
#ifndef RW_SHA256_H
#define RW_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RW_SHA256_DIGEST_SIZE 32
#define RW_SHA256_HEX_SIZE 65 /* 64 hex digits + NUL */

typedef struct {
    uint32_t state[8];       /* H0..H7 */
    uint64_t length;         /* bytes hashed so far */
    uint8_t block[64];       /* bytes waiting for a whole block */
    size_t block_used;
} rw_sha256_t;

void rw_sha256_init(rw_sha256_t *self);
void rw_sha256_update(rw_sha256_t *self, const void *data, size_t size);
/* Finish and write the 32-byte digest; self must be initialised again before reuse. */
void rw_sha256_final(rw_sha256_t *self, uint8_t digest[RW_SHA256_DIGEST_SIZE]);

/* Digest of one buffer. */
void rw_sha256_digest(const void *data, size_t size, uint8_t digest[RW_SHA256_DIGEST_SIZE]);

/* 64 lower-case hex digits and a NUL. */
void rw_sha256_to_hex(const uint8_t digest[RW_SHA256_DIGEST_SIZE], char hex[RW_SHA256_HEX_SIZE]);

/* Parse "sha256:<64 hex>" (either case) into digest; false when malformed. */
bool rw_sha256_parse_id(const char *id, uint8_t digest[RW_SHA256_DIGEST_SIZE]);

#endif
