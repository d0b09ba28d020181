/* sha256.c — SHA-256 as specified in FIPS 180-4 (sections 4.1.2, 4.2.2, 5.1.1,
 * 5.3.3 and 6.2). Big-endian word order, 64-byte blocks, 64 rounds. */
#include "sha256.h"

#include <string.h>

/* FIPS 180-4 section 4.2.2: first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static uint32_t rotate_right(uint32_t word, unsigned count)
{
    return (word >> count) | (word << (32 - count));
}

/* Section 6.2.2: process one 64-byte block. */
static void sha256_compress(rw_sha256_t *self, const uint8_t *block)
{
    uint32_t schedule[64];
    for (int t = 0; t < 16; t++)
        schedule[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
                      (uint32_t)block[4 * t + 2] << 8 | (uint32_t)block[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t w15 = schedule[t - 15], w2 = schedule[t - 2];
        uint32_t sigma0 = rotate_right(w15, 7) ^ rotate_right(w15, 18) ^ (w15 >> 3);
        uint32_t sigma1 = rotate_right(w2, 17) ^ rotate_right(w2, 19) ^ (w2 >> 10);
        schedule[t] = sigma1 + schedule[t - 7] + sigma0 + schedule[t - 16];
    }

    uint32_t a = self->state[0], b = self->state[1], c = self->state[2], d = self->state[3];
    uint32_t e = self->state[4], f = self->state[5], g = self->state[6], h = self->state[7];
    for (int t = 0; t < 64; t++) {
        uint32_t big_sigma1 = rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25);
        uint32_t choose = (e & f) ^ (~e & g);
        uint32_t temp1 = h + big_sigma1 + choose + round_constants[t] + schedule[t];
        uint32_t big_sigma0 = rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22);
        uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        uint32_t temp2 = big_sigma0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + temp1;
        d = c;
        c = b;
        b = a;
        a = temp1 + temp2;
    }
    self->state[0] += a;
    self->state[1] += b;
    self->state[2] += c;
    self->state[3] += d;
    self->state[4] += e;
    self->state[5] += f;
    self->state[6] += g;
    self->state[7] += h;
}

void rw_sha256_init(rw_sha256_t *self)
{
    /* Section 5.3.3: initial hash value. */
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(self->state, initial, sizeof initial);
    self->length = 0;
    self->block_used = 0;
}

void rw_sha256_update(rw_sha256_t *self, const void *data, size_t size)
{
    const uint8_t *bytes = data;
    self->length += size;
    while (size > 0) {
        if (self->block_used == 0 && size >= 64) {
            sha256_compress(self, bytes);
            bytes += 64;
            size -= 64;
            continue;
        }
        size_t take = 64 - self->block_used;
        if (take > size)
            take = size;
        memcpy(self->block + self->block_used, bytes, take);
        self->block_used += take;
        bytes += take;
        size -= take;
        if (self->block_used == 64) {
            sha256_compress(self, self->block);
            self->block_used = 0;
        }
    }
}

void rw_sha256_final(rw_sha256_t *self, uint8_t digest[RW_SHA256_DIGEST_SIZE])
{
    /* Section 5.1.1: a 1 bit, zeros, then the length in bits as 64-bit big-endian. */
    uint64_t bit_length = self->length * 8;
    self->block[self->block_used++] = 0x80;
    if (self->block_used > 56) {
        memset(self->block + self->block_used, 0, 64 - self->block_used);
        sha256_compress(self, self->block);
        self->block_used = 0;
    }
    memset(self->block + self->block_used, 0, 56 - self->block_used);
    for (int i = 0; i < 8; i++)
        self->block[56 + i] = (uint8_t)(bit_length >> (56 - 8 * i));
    sha256_compress(self, self->block);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(self->state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(self->state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(self->state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)self->state[i];
    }
    self->block_used = 0;
}

void rw_sha256_digest(const void *data, size_t size, uint8_t digest[RW_SHA256_DIGEST_SIZE])
{
    rw_sha256_t context;
    rw_sha256_init(&context);
    rw_sha256_update(&context, data, size);
    rw_sha256_final(&context, digest);
}

void rw_sha256_to_hex(const uint8_t digest[RW_SHA256_DIGEST_SIZE], char hex[RW_SHA256_HEX_SIZE])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < RW_SHA256_DIGEST_SIZE; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool rw_sha256_parse_id(const char *id, uint8_t digest[RW_SHA256_DIGEST_SIZE])
{
    if (!id || strncmp(id, "sha256:", 7) != 0 || strlen(id + 7) != 64)
        return false;
    const char *hex = id + 7;
    for (int i = 0; i < RW_SHA256_DIGEST_SIZE; i++) {
        int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0)
            return false;
        digest[i] = (uint8_t)(high << 4 | low);
    }
    return true;
}
