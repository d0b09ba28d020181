/* text.c — clean text with a map back to the original bytes: map lookup, span lookup
 * and freeing. The text itself is built by ingest (see decode.h for the writer). */
#include "text.h"

#include <stdlib.h>

/* The piece that holds clean byte position: the last one whose at is not after it. */
static const rw_text_piece_t *piece_at(const rw_text_t *self, size_t position)
{
    size_t low = 0, high = self->piece_count;
    while (high - low > 1) {
        size_t middle = low + (high - low) / 2;
        if (self->pieces[middle].at <= position)
            low = middle;
        else
            high = middle;
    }
    return &self->pieces[low];
}

/* Original start of clean byte position inside piece. */
static uint32_t piece_start(const rw_text_piece_t *piece, size_t position)
{
    return piece->start + (uint32_t)(position - piece->at) * piece->stride;
}

uint32_t rw_text_start(const rw_text_t *self, size_t position)
{
    return piece_start(piece_at(self, position), position);
}

uint32_t rw_text_end(const rw_text_t *self, size_t position)
{
    const rw_text_piece_t *piece = piece_at(self, position);
    return piece_start(piece, position) + piece->width;
}

void rw_text_span(const rw_text_t *self, size_t start, size_t end,
                  size_t *original_start, size_t *original_end)
{
    if (end > self->length)
        end = self->length;
    if (start > end)
        start = end;
    if (start == end) {
        /* An empty range sits where the next character's source begins. */
        *original_start = rw_text_start(self, start);
        *original_end = *original_start;
        return;
    }
    *original_start = rw_text_start(self, start);
    *original_end = rw_text_end(self, end - 1);
}

void rw_text_destroy(rw_text_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_text_t *self = *self_p;
    free(self->data);
    free(self->pieces);
    free(self->title);
    free(self->date);
    free(self);
    *self_p = NULL;
}
