/* chunk.h — reading and testing text eight bytes at a time, in plain C.
 *
 * A chunk is eight consecutive bytes held in a uint64_t, the first byte in the low
 * byte on every machine. A test on a chunk answers for each of its bytes in that
 * byte's bit 7 (a "lane"), so one test does eight bytes, and rw_chunk_first_lane says
 * which byte answered first. The tests are exact per byte: their additions never carry
 * from one byte into the next, because they work on the low seven bits of each byte.
 *
 * Used by the hot loops of ingest (decode.c), segmentation (segment.c), the tokenizer
 * (words.c), the word matcher (match.c) and the extractor's output (extract.c). */
#ifndef RW_CHUNK_H
#define RW_CHUNK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The byte value in every byte of a chunk. */
#define RW_CHUNK_EACH(byte) (UINT64_C(0x0101010101010101) * (byte))
/* Bit 7 of every byte: the lanes. */
#define RW_CHUNK_LANES RW_CHUNK_EACH(0x80)

/* The eight bytes at bytes as a chunk (compilers make this one load). */
static inline uint64_t rw_chunk_load(const unsigned char *bytes)
{
    return (uint64_t)bytes[0] | (uint64_t)bytes[1] << 8 | (uint64_t)bytes[2] << 16 |
           (uint64_t)bytes[3] << 24 | (uint64_t)bytes[4] << 32 | (uint64_t)bytes[5] << 40 |
           (uint64_t)bytes[6] << 48 | (uint64_t)bytes[7] << 56;
}

/* Write chunk to the eight bytes at bytes, its low byte first. On a little-endian
 * machine that is the chunk's own memory order: one copy (compilers may join separate
 * byte stores of two chunks into one slow 16-byte store). */
static inline void rw_chunk_store(unsigned char *bytes, uint64_t chunk)
{
    const union {
        uint16_t number;
        unsigned char bytes[2];
    } probe = {1};
    if (probe.bytes[0] == 1) {
        memcpy(bytes, &chunk, sizeof chunk);
        return;
    }
    for (unsigned k = 0; k < 8; k++)
        bytes[k] = (unsigned char)(chunk >> (8 * k));
}

/* The lanes of the zero bytes of chunk. */
static inline uint64_t rw_chunk_zero_lanes(uint64_t chunk)
{
    uint64_t low = RW_CHUNK_EACH(0x7F);
    return ~(((chunk & low) + low) | chunk) & RW_CHUNK_LANES;
}

/* The lanes of the bytes of chunk equal to byte. */
static inline uint64_t rw_chunk_equal_lanes(uint64_t chunk, unsigned char byte)
{
    return rw_chunk_zero_lanes(chunk ^ RW_CHUNK_EACH(byte));
}

/* The lanes of the ASCII letters and digits of chunk. Each byte's low seven bits plus
 * a constant set its bit 7 when they reach a bound. */
static inline uint64_t rw_chunk_alnum_lanes(uint64_t chunk)
{
    uint64_t low = chunk & RW_CHUNK_EACH(0x7F);
    uint64_t digit = (low + RW_CHUNK_EACH(0x80 - '0')) & ~(low + RW_CHUNK_EACH(0x80 - '9' - 1));
    uint64_t lower = low | RW_CHUNK_EACH(0x20); /* letters in lower case */
    uint64_t letter =
        (lower + RW_CHUNK_EACH(0x80 - 'a')) & ~(lower + RW_CHUNK_EACH(0x80 - 'z' - 1));
    return (digit | letter) & ~chunk & RW_CHUNK_LANES;
}

/* The index (0..7) of the first byte whose lane is set in lanes, or 8 when none is. */
static inline size_t rw_chunk_first_lane(uint64_t lanes)
{
    uint64_t before = ((lanes & (0 - lanes)) - 1) & RW_CHUNK_LANES; /* the lanes before it */
    return (size_t)(((before >> 7) * RW_CHUNK_EACH(1)) >> 56);
}

#endif
