/* text.c — clean text with a map back to the original bytes: span lookup and freeing.
 * The text itself is built by ingest (see decode.h for the writer). */
#include "text.h"

#include <stdlib.h>

void rw_text_span(const rw_text_t *self, size_t start, size_t end,
                  size_t *original_start, size_t *original_end)
{
    if (end > self->length)
        end = self->length;
    if (start > end)
        start = end;
    if (start == end) {
        /* An empty range sits where the next character's source begins. */
        *original_start = self->starts[start];
        *original_end = self->starts[start];
        return;
    }
    *original_start = self->starts[start];
    *original_end = self->ends[end - 1];
}

void rw_text_destroy(rw_text_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_text_t *self = *self_p;
    free(self->data);
    free(self->starts);
    free(self->ends);
    free(self->title);
    free(self->date);
    free(self);
    *self_p = NULL;
}
