/* decode.h — the character layer of ingest.
 *
 * Two objects:
 *   rw_decode_t         bytes as received → valid UTF-8 with a map back to the bytes
 *                       (UTF-8 with or without BOM, UTF-16 LE/BE with BOM, Windows-1252
 *                       for bytes that are not valid UTF-8). Refuses empty, binary and
 *                       undecodable input with a reason.
 *   rw_decode_writer_t  builds the clean text of rw_text_t from that UTF-8, one run or
 *                       one character at a time, applying the whitespace rules (collapse
 *                       spaces, keep line breaks, blank lines → "\n\n", drop invisible and
 *                       control characters) and recording for every output byte the
 *                       original bytes it came from (as pieces, see text.h). Used by
 *                       ingest (plain text) and by html (text between tags, entities,
 *                       block breaks). */
#ifndef RW_DECODE_H
#define RW_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text.h"

/* Decoded input: always valid UTF-8. */
typedef struct {
    const unsigned char *data; /* UTF-8 (not NUL-terminated) */
    size_t length;             /* bytes in data */
    uint32_t *starts;          /* per byte of data: first original byte of its character,
                                  or NULL when data is the input itself (valid UTF-8) */
    uint32_t *ends;            /* per byte of data: original byte just after its character */
    size_t offset;             /* when starts is NULL: original offset of data[0] (BOM) */
    size_t original_size;      /* bytes as received */
    const char *encoding;      /* static: "utf-8", "utf-16le", "utf-16be", "windows-1252" */
    unsigned char *owned;      /* data when it was converted (freed with the object) */
} rw_decode_t;

/* Decode size bytes. On success returns 0 and sets *out (free with rw_decode_destroy);
 * data may point into bytes, which must outlive the object. Returns -EINVAL with a
 * reason (empty, binary, invalid UTF-16) or -ENOMEM. */
int rw_decode_new(const unsigned char *bytes, size_t size, rw_decode_t **out,
                  char *reason, size_t reason_size);
void rw_decode_destroy(rw_decode_t **self_p);

/* Original byte range of decoded byte position. */
static inline uint32_t rw_decode_start(const rw_decode_t *self, size_t position)
{
    return self->starts ? self->starts[position] : (uint32_t)(position + self->offset);
}

static inline uint32_t rw_decode_end(const rw_decode_t *self, size_t position)
{
    return self->ends ? self->ends[position] : (uint32_t)(position + self->offset + 1);
}

/* The Unicode character that Windows-1252 byte 0x80..0xFF stands for (bytes that
 * Windows-1252 leaves undefined give the C1 control of the same value). */
uint32_t rw_decode_cp1252(unsigned char byte);

/* Write code point as UTF-8 into out (room for 4 bytes); returns the byte count.
 * Surrogates and values above U+10FFFF are written as U+FFFD. */
size_t rw_decode_utf8_encode(uint32_t codepoint, unsigned char *out);

/* Length of the valid UTF-8 sequence at bytes (left bytes available), 0 when invalid. */
size_t rw_decode_utf8_valid(const unsigned char *bytes, size_t left);

/* ---- writer ---------------------------------------------------------------------- */

/* Pending whitespace levels, weakest first; a stronger one absorbs a weaker one. */
typedef enum {
    RW_DECODE_NONE = 0,
    RW_DECODE_SPACE,     /* " " */
    RW_DECODE_LINE,      /* "\n" */
    RW_DECODE_PARAGRAPH  /* "\n\n" */
} rw_decode_break_t;

typedef struct rw_decode_writer rw_decode_writer_t;

/* A writer reading from source (which must outlive it). NULL when out of memory. */
rw_decode_writer_t *rw_decode_writer_new(const rw_decode_t *source);
void rw_decode_writer_destroy(rw_decode_writer_t **self_p);

/* Write decoded bytes [from, to) of the source as text. With newlines_break, a newline
 * is a line break (plain text, HTML <pre>); otherwise it is a space (HTML). */
int rw_decode_writer_text(rw_decode_writer_t *self, size_t from, size_t to,
                          bool newlines_break);

/* Write one character that came from original bytes [start, end) (an entity, a list
 * marker); spaces, invisible and control characters are handled as in text. */
int rw_decode_writer_char(rw_decode_writer_t *self, uint32_t codepoint, uint32_t start,
                          uint32_t end, bool newlines_break);

/* Ask for at least level of whitespace here, made by original bytes [start, end) (a tag). */
int rw_decode_writer_break(rw_decode_writer_t *self, rw_decode_break_t level,
                           uint32_t start, uint32_t end);

/* Bytes of clean text written so far. */
size_t rw_decode_writer_length(const rw_decode_writer_t *self);

/* Move the clean text into text (data, length, pieces, piece_count, original_size);
 * trailing whitespace is dropped. The writer is left empty.
 * Returns 0 or -ENOMEM. */
int rw_decode_writer_finish(rw_decode_writer_t *self, rw_text_t *text);

#endif
