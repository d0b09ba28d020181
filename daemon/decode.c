/* decode.c — bytes as received → valid UTF-8 with a byte map, and the writer that
 * turns that UTF-8 into clean text (whitespace rules, invisible characters dropped).
 *
 * Decoding: a UTF-16 BOM selects UTF-16 (odd length and lone surrogates are refused);
 * otherwise the input is UTF-8 (an initial BOM is skipped), and every byte that is not
 * part of a valid UTF-8 sequence is read as Windows-1252. Valid UTF-8 input is not
 * copied: the map is then the identity, computed on demand.
 *
 * The writer keeps whitespace "pending" until the next visible character, so runs
 * collapse, trailing spaces vanish and a blank-line run becomes exactly "\n\n"; the
 * pending whitespace maps to the whole run of original bytes that made it. The map is
 * kept as pieces (text.h): a run of copied text is one piece, not one entry per byte.
 * Runs of printable ASCII are found and copied eight bytes at a time (plain word
 * arithmetic). */
#include "decode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "log.h"


/* Bytes examined by the binary check. */
#define SAMPLE_SIZE 4096

/* Windows-1252 bytes 0x80..0x9F; 0xA0..0xFF are the Latin-1 code points. Undefined
 * bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) keep their C1 value, as browsers do. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

uint32_t rw_decode_cp1252(unsigned char byte)
{
    if (byte >= 0x80 && byte < 0xA0)
        return cp1252_high[byte - 0x80];
    return byte;
}

size_t rw_decode_utf8_encode(uint32_t codepoint, unsigned char *out)
{
    if ((codepoint >= 0xD800 && codepoint <= 0xDFFF) || codepoint > 0x10FFFF)
        codepoint = 0xFFFD;
    if (codepoint < 0x80) {
        out[0] = (unsigned char)codepoint;
        return 1;
    }
    if (codepoint < 0x800) {
        out[0] = (unsigned char)(0xC0 | (codepoint >> 6));
        out[1] = (unsigned char)(0x80 | (codepoint & 0x3F));
        return 2;
    }
    if (codepoint < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (codepoint >> 12));
        out[1] = (unsigned char)(0x80 | ((codepoint >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (codepoint & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (codepoint >> 18));
    out[1] = (unsigned char)(0x80 | ((codepoint >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((codepoint >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (codepoint & 0x3F));
    return 4;
}

static bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

size_t rw_decode_utf8_valid(const unsigned char *bytes, size_t left)
{
    unsigned char lead = bytes[0];
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return left >= 2 && is_continuation(bytes[1]) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (left < 3 || !is_continuation(bytes[1]) || !is_continuation(bytes[2]))
            return 0;
        if (lead == 0xE0 && bytes[1] < 0xA0) /* overlong */
            return 0;
        if (lead == 0xED && bytes[1] > 0x9F) /* surrogate */
            return 0;
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (left < 4 || !is_continuation(bytes[1]) || !is_continuation(bytes[2]) ||
            !is_continuation(bytes[3]))
            return 0;
        if (lead == 0xF0 && bytes[1] < 0x90) /* overlong */
            return 0;
        if (lead == 0xF4 && bytes[1] > 0x8F) /* above U+10FFFF */
            return 0;
        return 4;
    }
    return 0;
}

/* Position of the first byte that does not start a valid UTF-8 sequence, or size. */
static size_t first_invalid_utf8(const unsigned char *bytes, size_t size)
{
    size_t i = 0;
    while (i < size) {
        /* Skip ASCII sixteen bytes at a time. */
        while (i + 16 <= size) {
            uint64_t first, second;
            memcpy(&first, bytes + i, 8);
            memcpy(&second, bytes + i + 8, 8);
            if ((first | second) & RW_CHUNK_LANES)
                break;
            i += 16;
        }
        if (i >= size)
            break;
        size_t length = rw_decode_utf8_valid(bytes + i, size - i);
        if (length == 0)
            return i;
        i += length;
    }
    return size;
}

/* Per byte: 1 for NUL, 2 for a control that text does not have (below 0x20 but not
 * NUL, \t, \n, \v, \f or \r), else 0. */
static const unsigned char binary_class[32] = {
    1, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* Refuse NUL-heavy or control-heavy content: a text file has next to none. */
static int check_binary(const unsigned char *sample, size_t size, char *reason,
                        size_t reason_size)
{
    size_t nuls = 0, controls = 0;
    size_t i = 0;
    for (;;) {
        /* Words without a byte below 0x20 hold neither (exact as a yes/no test). */
        while (i + 8 <= size) {
            uint64_t word;
            memcpy(&word, sample + i, 8);
            if ((word - RW_CHUNK_EACH(0x20)) & ~word & RW_CHUNK_LANES)
                break;
            i += 8;
        }
        size_t stop = i + 8 < size ? i + 8 : size;
        if (i >= stop)
            break;
        for (; i < stop; i++) {
            unsigned byte = sample[i];
            if (byte < 0x20) {
                nuls += binary_class[byte] & 1;
                controls += binary_class[byte] >> 1;
            }
        }
    }
    if (nuls > size / 512) {
        snprintf(reason, reason_size, "binary content: %zu NUL bytes in the first %zu",
                 nuls, size);
        return -EINVAL;
    }
    if (controls * 20 > size) {
        snprintf(reason, reason_size,
                 "binary content: %zu control bytes in the first %zu", controls, size);
        return -EINVAL;
    }
    return 0;
}

static int allocate_owned(rw_decode_t *self, size_t length)
{
    self->owned = malloc(length ? length : 1);
    self->starts = malloc((length ? length : 1) * sizeof *self->starts);
    self->ends = malloc((length ? length : 1) * sizeof *self->ends);
    if (!self->owned || !self->starts || !self->ends) {
        rw_error("ingest: out of memory decoding %zu bytes", length);
        return -ENOMEM;
    }
    self->data = self->owned;
    self->length = length;
    return 0;
}

/* UTF-8 with some invalid bytes: valid sequences stay, other bytes are Windows-1252. */
static int decode_mixed(rw_decode_t *self, const unsigned char *bytes, size_t size,
                        size_t from)
{
    unsigned char buffer[4];
    size_t length = 0;
    for (size_t i = from; i < size;) {
        if (bytes[i] < 0x80) {
            length++;
            i++;
            continue;
        }
        size_t valid = rw_decode_utf8_valid(bytes + i, size - i);
        if (valid) {
            length += valid;
            i += valid;
        } else {
            length += rw_decode_utf8_encode(rw_decode_cp1252(bytes[i]), buffer);
            i++;
        }
    }
    int rc = allocate_owned(self, length);
    if (rc)
        return rc;
    size_t out = 0;
    for (size_t i = from; i < size;) {
        if (bytes[i] < 0x80) { /* ASCII: the common case */
            self->owned[out] = bytes[i];
            self->starts[out] = (uint32_t)i;
            self->ends[out] = (uint32_t)i + 1;
            out++;
            i++;
            continue;
        }
        size_t valid = rw_decode_utf8_valid(bytes + i, size - i);
        size_t produced;
        if (valid) {
            memcpy(self->owned + out, bytes + i, valid);
            produced = valid;
        } else {
            produced = rw_decode_utf8_encode(rw_decode_cp1252(bytes[i]), self->owned + out);
            valid = 1;
        }
        for (size_t k = 0; k < produced; k++) {
            self->starts[out + k] = (uint32_t)i;
            self->ends[out + k] = (uint32_t)(i + valid);
        }
        out += produced;
        i += valid;
    }
    self->encoding = "windows-1252";
    return 0;
}

static uint32_t utf16_unit(const unsigned char *bytes, bool little)
{
    return little ? (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8
                  : (uint32_t)bytes[0] << 8 | (uint32_t)bytes[1];
}

/* One UTF-16 character at i: sets *codepoint and returns its byte count (2 or 4),
 * or 0 for a lone surrogate. */
static size_t utf16_next(const unsigned char *bytes, size_t size, size_t i, bool little,
                         uint32_t *codepoint)
{
    uint32_t unit = utf16_unit(bytes + i, little);
    if (unit < 0xD800 || unit > 0xDFFF) {
        *codepoint = unit;
        return 2;
    }
    if (unit >= 0xDC00 || i + 4 > size)
        return 0;
    uint32_t low = utf16_unit(bytes + i + 2, little);
    if (low < 0xDC00 || low > 0xDFFF)
        return 0;
    *codepoint = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    return 4;
}

static int decode_utf16(rw_decode_t *self, const unsigned char *bytes, size_t size,
                        bool little, char *reason, size_t reason_size)
{
    self->encoding = little ? "utf-16le" : "utf-16be";
    if (size % 2) {
        snprintf(reason, reason_size, "invalid UTF-16: odd length (%zu bytes)", size);
        return -EINVAL;
    }
    unsigned char buffer[4];
    uint32_t codepoint = 0;
    size_t length = 0;
    for (size_t i = 2; i < size;) {
        size_t used = utf16_next(bytes, size, i, little, &codepoint);
        if (used == 0) {
            snprintf(reason, reason_size, "invalid UTF-16: lone surrogate at byte %zu", i);
            return -EINVAL;
        }
        length += rw_decode_utf8_encode(codepoint, buffer);
        i += used;
    }
    int rc = allocate_owned(self, length);
    if (rc)
        return rc;
    size_t out = 0;
    for (size_t i = 2; i < size;) {
        size_t used = utf16_next(bytes, size, i, little, &codepoint);
        size_t produced = rw_decode_utf8_encode(codepoint, self->owned + out);
        for (size_t k = 0; k < produced; k++) {
            self->starts[out + k] = (uint32_t)i;
            self->ends[out + k] = (uint32_t)(i + used);
        }
        out += produced;
        i += used;
    }
    size_t sample = self->length < SAMPLE_SIZE ? self->length : SAMPLE_SIZE;
    return check_binary(self->data, sample, reason, reason_size);
}

static int decode_utf8(rw_decode_t *self, const unsigned char *bytes, size_t size,
                       char *reason, size_t reason_size)
{
    size_t from = 0;
    if (size >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        from = 3;
    size_t sample = size - from < SAMPLE_SIZE ? size - from : SAMPLE_SIZE;
    int rc = check_binary(bytes + from, sample, reason, reason_size);
    if (rc)
        return rc;
    size_t invalid = first_invalid_utf8(bytes + from, size - from);
    if (invalid == size - from) {
        self->data = bytes + from;
        self->length = size - from;
        self->offset = from;
        self->encoding = "utf-8";
        return 0;
    }
    return decode_mixed(self, bytes, size, from);
}

int rw_decode_new(const unsigned char *bytes, size_t size, rw_decode_t **out,
                  char *reason, size_t reason_size)
{
    *out = NULL;
    if (size > UINT32_MAX) {
        snprintf(reason, reason_size, "file too large: %zu bytes (limit 4 GiB)", size);
        return -EINVAL;
    }
    rw_decode_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(reason, reason_size, "out of memory");
        return -ENOMEM;
    }
    self->original_size = size;
    int rc;
    if (size >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE)
        rc = decode_utf16(self, bytes, size, true, reason, reason_size);
    else if (size >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF)
        rc = decode_utf16(self, bytes, size, false, reason, reason_size);
    else
        rc = decode_utf8(self, bytes, size, reason, reason_size);
    if (rc == 0 && self->length == 0) {
        snprintf(reason, reason_size, "empty file");
        rc = -EINVAL;
    }
    if (rc == -ENOMEM)
        snprintf(reason, reason_size, "out of memory decoding %zu bytes", size);
    if (rc) {
        rw_decode_destroy(&self);
        return rc;
    }
    *out = self;
    return 0;
}

void rw_decode_destroy(rw_decode_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_decode_t *self = *self_p;
    free(self->owned);
    free(self->starts);
    free(self->ends);
    free(self);
    *self_p = NULL;
}

/* ---- writer ---------------------------------------------------------------------- */

struct rw_decode_writer {
    const rw_decode_t *source;
    char *data;
    size_t length;
    size_t capacity;
    rw_text_piece_t *pieces;   /* the map of data[0, length) (see text.h) */
    size_t piece_count;
    size_t piece_capacity;
    bool failed;               /* a piece could not be stored: out of memory */
    rw_decode_break_t pending; /* whitespace waiting for the next visible character */
    unsigned newlines;         /* newlines in the pending run (plain text) */
    uint32_t pending_start;    /* original bytes of the pending run */
    uint32_t pending_end;
};

/* What a character does in clean text. */
typedef enum { KIND_VISIBLE, KIND_SPACE, KIND_NEWLINE, KIND_PARAGRAPH, KIND_DROP } kind_t;

static kind_t classify(uint32_t codepoint)
{
    if (codepoint == ' ' || codepoint == '\t')
        return KIND_SPACE;
    if (codepoint == '\n' || codepoint == '\r' || codepoint == 0x85 || codepoint == 0x2028)
        return KIND_NEWLINE;
    if (codepoint == 0x2029)
        return KIND_PARAGRAPH;
    if (codepoint < 0x20 || (codepoint >= 0x7F && codepoint < 0xA0))
        return KIND_DROP; /* C0 and C1 controls, DEL */
    if (codepoint == 0xA0 || codepoint == 0x202F || codepoint == 0x205F ||
        codepoint == 0x3000 || codepoint == 0x1680 ||
        (codepoint >= 0x2000 && codepoint <= 0x200A))
        return KIND_SPACE; /* no-break and typographic spaces */
    if (codepoint == 0xAD || (codepoint >= 0x200B && codepoint <= 0x200D) ||
        codepoint == 0x2060 || codepoint == 0xFEFF)
        return KIND_DROP; /* soft hyphen, zero-width characters */
    return KIND_VISIBLE;
}

rw_decode_writer_t *rw_decode_writer_new(const rw_decode_t *source)
{
    rw_decode_writer_t *self = calloc(1, sizeof *self);
    if (!self) {
        rw_error("ingest: out of memory creating a text writer");
        return NULL;
    }
    self->source = source;
    return self;
}

void rw_decode_writer_destroy(rw_decode_writer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_decode_writer_t *self = *self_p;
    free(self->data);
    free(self->pieces);
    free(self);
    *self_p = NULL;
}

size_t rw_decode_writer_length(const rw_decode_writer_t *self) { return self->length; }

/* Room for extra more bytes (plus the final NUL). */
static int reserve(rw_decode_writer_t *self, size_t extra)
{
    size_t needed = self->length + extra + 1;
    if (needed <= self->capacity)
        return 0;
    size_t capacity = self->capacity ? self->capacity : 256;
    while (capacity < needed)
        capacity *= 2;
    char *data = realloc(self->data, capacity);
    if (!data) {
        rw_error("ingest: out of memory growing clean text to %zu bytes", capacity);
        return -ENOMEM;
    }
    self->data = data;
    self->capacity = capacity;
    return 0;
}

/* Append a piece of the map; on no memory, note the failure (the caller reports it). */
static void push_piece(rw_decode_writer_t *self, size_t at, uint32_t start, uint32_t stride,
                       uint32_t width)
{
    if (self->piece_count == self->piece_capacity) {
        size_t capacity = self->piece_capacity ? self->piece_capacity * 2 : 64;
        rw_text_piece_t *pieces = realloc(self->pieces, capacity * sizeof *pieces);
        if (!pieces) {
            rw_error("ingest: out of memory growing the byte map to %zu pieces", capacity);
            self->failed = true;
            return;
        }
        self->pieces = pieces;
        self->piece_capacity = capacity;
    }
    self->pieces[self->piece_count++] = (rw_text_piece_t){ at, start, stride, width };
}

/* Map the count (> 0) clean bytes from position at: byte k came from original
 * [start + k * stride, start + k * stride + width). The last piece takes them when it
 * goes on that way (a piece of one byte may still choose its stride); else a new piece
 * starts. All arithmetic is modulo 2^32, as in rw_text_start. */
static void map_bytes(rw_decode_writer_t *self, size_t at, size_t count, uint32_t start,
                      uint32_t stride, uint32_t width)
{
    if (self->failed)
        return;
    if (self->piece_count > 0) {
        rw_text_piece_t *last = &self->pieces[self->piece_count - 1];
        uint32_t offset = (uint32_t)(at - last->at);
        if (last->width == width) {
            if (at - last->at == 1) {
                uint32_t step = start - last->start;
                if (count == 1 || stride == step) {
                    last->stride = step;
                    return;
                }
            } else if (start == last->start + offset * last->stride &&
                       (count == 1 || stride == last->stride)) {
                return;
            }
        }
    }
    push_piece(self, at, start, stride, width);
}

/* Add whitespace of level made by original bytes [start, end) to the pending run. */
static void add_pending(rw_decode_writer_t *self, rw_decode_break_t level, uint32_t start,
                        uint32_t end)
{
    if (self->pending == RW_DECODE_NONE) {
        self->pending_start = start;
        self->pending_end = end;
    } else if (end > self->pending_end) {
        self->pending_end = end;
    }
    if (level > self->pending)
        self->pending = level;
}

/* Write the pending whitespace (nothing at the very start of the text). The caller
 * has reserved 2 bytes. */
static inline void flush_pending(rw_decode_writer_t *self)
{
    if (self->pending == RW_DECODE_NONE)
        return;
    if (self->length > 0) {
        size_t count = self->pending == RW_DECODE_PARAGRAPH ? 2 : 1;
        char byte = self->pending == RW_DECODE_SPACE ? ' ' : '\n';
        map_bytes(self, self->length, count, self->pending_start, 0,
                  self->pending_end - self->pending_start);
        self->data[self->length] = byte;
        self->data[self->length + count - 1] = byte;
        self->length += count;
    }
    self->pending = RW_DECODE_NONE;
    self->newlines = 0;
}

/* A newline in text: one is a line break, two or more a paragraph break. */
static void add_newline(rw_decode_writer_t *self, uint32_t start, uint32_t end,
                        bool newlines_break)
{
    if (!newlines_break) {
        add_pending(self, RW_DECODE_SPACE, start, end);
        return;
    }
    self->newlines++;
    add_pending(self, self->newlines >= 2 ? RW_DECODE_PARAGRAPH : RW_DECODE_LINE, start,
                end);
}

/* Append the bytes of one visible character, all mapped to [start, end). */
static inline void put_visible(rw_decode_writer_t *self, const unsigned char *bytes,
                               size_t count, uint32_t start, uint32_t end)
{
    flush_pending(self);
    map_bytes(self, self->length, count, start, 0, end - start);
    memcpy(self->data + self->length, bytes, count);
    self->length += count;
}

/* One character of kind with original range [start, end). */
static void put_kind(rw_decode_writer_t *self, kind_t kind, const unsigned char *bytes,
                     size_t count, uint32_t start, uint32_t end, bool newlines_break)
{
    switch (kind) {
    case KIND_VISIBLE:
        put_visible(self, bytes, count, start, end);
        break;
    case KIND_SPACE:
        add_pending(self, RW_DECODE_SPACE, start, end);
        break;
    case KIND_NEWLINE:
        add_newline(self, start, end, newlines_break);
        break;
    case KIND_PARAGRAPH:
        add_pending(self, newlines_break ? RW_DECODE_PARAGRAPH : RW_DECODE_SPACE, start,
                    end);
        break;
    case KIND_DROP:
        break;
    }
}

static uint32_t utf8_decode(const unsigned char *bytes, size_t count)
{
    if (count == 1)
        return bytes[0];
    if (count == 2)
        return (uint32_t)(bytes[0] & 0x1F) << 6 | (bytes[1] & 0x3F);
    if (count == 3)
        return (uint32_t)(bytes[0] & 0x0F) << 12 | (uint32_t)(bytes[1] & 0x3F) << 6 |
               (bytes[2] & 0x3F);
    return (uint32_t)(bytes[0] & 0x07) << 18 | (uint32_t)(bytes[1] & 0x3F) << 12 |
           (uint32_t)(bytes[2] & 0x3F) << 6 | (bytes[3] & 0x3F);
}

/* Byte count of the (valid) UTF-8 character starting with lead. */
static size_t utf8_length(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if (lead < 0xE0)
        return 2;
    if (lead < 0xF0)
        return 3;
    return 4;
}

static inline bool is_plain_ascii(unsigned char byte) { return byte > 0x20 && byte < 0x7F; }

/* 0x80 in each byte of the result whose byte of word is not printable ASCII (outside
 * 0x21..0x7E), 0 in the others: exact per byte, no carry crosses bytes. */
static inline uint64_t unprintable_lanes(uint64_t word)
{
    uint64_t low7 = word & RW_CHUNK_EACH(0x7F);
    uint64_t below = ~(low7 + RW_CHUNK_EACH(0x80 - 0x21)); /* bit 7 clear: 0x21 or more */
    uint64_t del = low7 + RW_CHUNK_EACH(1);                /* bit 7 set: 0x7F */
    return (below | del | word) & RW_CHUNK_LANES;
}

/* 0x80 in each byte of the result where a plain run cannot go on through the byte of
 * here (bytes p[0..8)), after being p[8]: a byte that is not printable ASCII, unless it
 * is a space followed by a printable one. */
static inline uint64_t run_stops(uint64_t here, unsigned char after)
{
    uint64_t unprintable = unprintable_lanes(here);
    uint64_t unprintable_next = (unprintable >> 8) | (uint64_t)!is_plain_ascii(after) << 63;
    return unprintable & ~(rw_chunk_equal_lanes(here, ' ') & ~unprintable_next);
}

/* Map count bytes copied from source positions from.. (converted input: its own map). */
static void map_copied(rw_decode_writer_t *self, size_t from, size_t count)
{
    const rw_decode_t *source = self->source;
    if (!source->starts) {
        map_bytes(self, self->length, count, (uint32_t)(from + source->offset), 1, 1);
        return;
    }
    for (size_t k = 0; k < count; k++)
        map_bytes(self, self->length + k, 1, source->starts[from + k],
                  0, source->ends[from + k] - source->starts[from + k]);
}

/* Copy the run of printable ASCII (and single spaces) at data[from..to) with its map:
 * the fast path. data[from] is printable. A single space between two printable
 * characters stays as it is: it is its own whitespace run, so the run goes on through
 * it. Eight bytes are looked at and copied at once while nine are left (the ninth
 * tells whether a space in the eighth goes on); the copy may write bytes past the run,
 * which the text after it overwrites: clean text never outgrows the input read
 * (reserve in rw_decode_writer_text). */
static size_t copy_ascii_run(rw_decode_writer_t *self, size_t from, size_t to)
{
    const unsigned char *data = self->source->data;
    flush_pending(self);
    unsigned char *out = (unsigned char *)self->data + self->length;
    size_t end = from;
    for (;;) {
        if (to - end < 9) {
            while (end < to && (is_plain_ascii(data[end]) ||
                                (data[end] == ' ' && end + 1 < to &&
                                 is_plain_ascii(data[end + 1])))) {
                out[end - from] = data[end];
                end++;
            }
            break;
        }
        uint64_t stops = run_stops(rw_chunk_load(data + end), data[end + 8]);
        memcpy(out + (end - from), data + end, 8);
        if (stops) {
            end += rw_chunk_first_lane(stops);
            break;
        }
        end += 8;
    }
    size_t count = end - from;
    map_copied(self, from, count);
    self->length += count;
    return end;
}

int rw_decode_writer_text(rw_decode_writer_t *self, size_t from, size_t to,
                          bool newlines_break)
{
    const rw_decode_t *source = self->source;
    const unsigned char *data = source->data;
    if (to > source->length)
        to = source->length;
    if (from >= to)
        return 0;
    /* Clean text never grows inside a run: at most 2 bytes of whitespace pending
     * from before it, then no more bytes than the run has. */
    int rc = reserve(self, to - from + 2);
    if (rc)
        return rc;
    size_t i = from;
    while (i < to) {
        unsigned char byte = data[i];
        if (is_plain_ascii(byte)) {
            i = copy_ascii_run(self, i, to);
            continue;
        }
        if (byte == ' ' || byte == '\t') {
            add_pending(self, RW_DECODE_SPACE, rw_decode_start(source, i),
                        rw_decode_end(source, i));
            i++;
            continue;
        }
        if (byte == '\n') {
            add_newline(self, rw_decode_start(source, i), rw_decode_end(source, i),
                        newlines_break);
            i++;
            continue;
        }
        if (byte == '\r' && i + 1 < to && data[i + 1] == '\n') {
            add_newline(self, rw_decode_start(source, i), rw_decode_end(source, i + 1),
                        newlines_break);
            i += 2;
            continue;
        }
        size_t count = utf8_length(byte);
        if (i + count > to)
            count = to - i; /* cannot happen with valid UTF-8 and whole characters */
        uint32_t codepoint = utf8_decode(data + i, count);
        put_kind(self, classify(codepoint), data + i, count, rw_decode_start(source, i),
                 rw_decode_end(source, i + count - 1), newlines_break);
        i += count;
    }
    return self->failed ? -ENOMEM : 0;
}

int rw_decode_writer_char(rw_decode_writer_t *self, uint32_t codepoint, uint32_t start,
                          uint32_t end, bool newlines_break)
{
    int rc = reserve(self, 6);
    if (rc)
        return rc;
    unsigned char bytes[4];
    size_t count = rw_decode_utf8_encode(codepoint, bytes);
    put_kind(self, classify(codepoint), bytes, count, start, end, newlines_break);
    return self->failed ? -ENOMEM : 0;
}

int rw_decode_writer_break(rw_decode_writer_t *self, rw_decode_break_t level,
                           uint32_t start, uint32_t end)
{
    if (level != RW_DECODE_NONE)
        add_pending(self, level, start, end);
    return 0;
}

int rw_decode_writer_finish(rw_decode_writer_t *self, rw_text_t *text)
{
    int rc = reserve(self, 0);
    if (rc)
        return rc;
    /* Trailing whitespace is dropped: pending is simply not written. */
    self->pending = RW_DECODE_NONE;
    uint32_t size = (uint32_t)self->source->original_size;
    self->data[self->length] = '\0';
    /* The end of the text maps to the end of the input. */
    if (!self->failed)
        push_piece(self, self->length, size, 0, 0);
    if (self->failed)
        return -ENOMEM;
    /* Give back what the markup took (a failed shrink keeps the larger block). */
    char *data = realloc(self->data, self->length + 1);
    if (data)
        self->data = data;
    rw_text_piece_t *pieces = realloc(self->pieces, self->piece_count * sizeof *pieces);
    if (pieces)
        self->pieces = pieces;
    text->data = self->data;
    text->pieces = self->pieces;
    text->piece_count = self->piece_count;
    text->length = self->length;
    text->original_size = size;
    self->data = NULL;
    self->pieces = NULL;
    self->length = 0;
    self->capacity = 0;
    self->piece_count = 0;
    self->piece_capacity = 0;
    return 0;
}
