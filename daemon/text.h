/* text.h — clean text made from a file's bytes, with a map back to those bytes.
 * Produced by ingest (decode, HTML to text, front matter), read by the extractor.
 *
 * The map gives every byte i of clean text (and i == length, the end) the original
 * bytes [start, end) that produced it. Ingest stores it as pieces: runs of clean bytes
 * whose ranges step by a fixed stride (copied text: stride 1; one character or one
 * whitespace run: stride 0). Read it with rw_text_start, rw_text_end and
 * rw_text_span. */
#ifndef RW_TEXT_H
#define RW_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Clean bytes [at, next piece's at) map to original [start + k * stride,
 * start + k * stride + width) for the k-th byte of the piece (uint32_t arithmetic). */
typedef struct {
    size_t at;             /* first clean byte of the piece */
    uint32_t start;        /* original start of clean byte at */
    uint32_t stride;       /* step of the original start from one clean byte to the next */
    uint32_t width;        /* original end minus original start of each byte */
} rw_text_piece_t;

typedef struct {
    char *data;            /* clean UTF-8, NUL-terminated; paragraphs separated by "\n\n",
                              line breaks inside a paragraph kept as "\n" */
    size_t length;         /* bytes in data, without the NUL */
    rw_text_piece_t *pieces; /* the map as pieces, ordered by at; the first at 0, the last
                              at length (mapping the end to [original_size, original_size)) */
    size_t piece_count;
    size_t original_size;  /* bytes in the file as received */
    char *title;           /* from YAML front matter or HTML <title>; NULL when none */
    char *date;            /* raw date from front matter or HTML meta; NULL when none */
    const char *format;    /* static: "text", "html", "markdown" */
    const char *encoding;  /* static: "utf-8", "utf-16le", "utf-16be", "windows-1252" */
} rw_text_t;

/* Original byte where clean byte position (0..length) comes from; for length, the
 * original size. */
uint32_t rw_text_start(const rw_text_t *self, size_t position);

/* Original byte just after the source of clean byte position (0..length). */
uint32_t rw_text_end(const rw_text_t *self, size_t position);

/* Byte range [*original_start, *original_end) of the file as received that produced
 * clean text [start, end). */
void rw_text_span(const rw_text_t *self, size_t start, size_t end,
                  size_t *original_start, size_t *original_end);
void rw_text_destroy(rw_text_t **self_p);

#endif
