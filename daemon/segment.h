/* segment.h — cut clean text into units: sentences, list items and headings, with
 * their offsets in the text.
 *
 * Paragraphs are separated by blank lines. Inside a paragraph a single line break joins
 * lines (hard-wrapped text) unless the next line starts a list item ("(a)", "1.",
 * "92.1.", "140.38", "•", "-", "*"), or the line is a heading (markdown "#", or a short
 * line with no final punctuation followed by a capitalised line). Sentences end at
 * ". ! ? …" (after closing quotes and brackets) before a capital, digit, opening quote
 * or list marker, except after an abbreviation from the lexicon ("Mr.", "e.g.", "núm."),
 * an initial ("J.") or inside numbers ("12.5"). Inline lists "...: (a) ...; (b) ..."
 * give one unit per item. A list marker is not part of its unit. */
#ifndef RW_SEGMENT_H
#define RW_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "words.h"

typedef enum {
    RW_UNIT_SENTENCE = 0,   /* a sentence of running text */
    RW_UNIT_HEADING = 1     /* a heading: markdown "#", or a short line on its own */
} rw_unit_kind_t;

typedef enum {
    RW_MARKER_NONE = 0,
    RW_MARKER_BULLET,       /* "•", "-", "*" */
    RW_MARKER_PAREN,        /* "(a)", "a)", "(iv)", "1)" */
    RW_MARKER_NUMBER,       /* "3.", "92.1.", "140.38" */
    RW_MARKER_LETTER        /* "a.", "IV." */
} rw_marker_kind_t;

typedef struct {
    size_t start, end;      /* [start, end) in the text: the unit without its list marker,
                               outer white space and markdown markers */
    size_t marker;          /* where the unit's list marker starts (== start when none) */
    uint32_t block;         /* index of the paragraph or list item the unit belongs to */
    uint8_t kind;           /* rw_unit_kind_t */
    uint8_t item;           /* the block is a list item (it started with a marker) */
    uint8_t first;          /* first unit of its block */
    uint8_t marker_kind;    /* rw_marker_kind_t of the unit's list marker */
} rw_unit_t;

typedef struct {
    rw_unit_t *units;
    size_t count;
    size_t capacity;
} rw_segment_t;

rw_segment_t *rw_segment_new(void);
void rw_segment_destroy(rw_segment_t **self_p);

/* Cut text[0, length) into units (replacing those of a previous run). abbreviations:
 * folded words with their final dot ("mr.", "e.g."), may be NULL. 0 or -ENOMEM. */
int rw_segment_run(rw_segment_t *self, const rw_words_t *abbreviations, const char *text,
                   size_t length);

/* The length of the list marker at text[0, length) including the white space after
 * it ("(a) ", "12.5. ", "• "), or 0 when the text does not start with one. */
size_t rw_segment_marker(const char *text, size_t length);

#endif
