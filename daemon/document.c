/* document.c — construction and destruction of extraction results. */
#include "document.h"

#include <stdlib.h>
#include <string.h>

rw_document_t *rw_document_new(void)
{
    return calloc(1, sizeof(rw_document_t));
}

/* Free what one recommendation owns. */
static void recommendation_clear(rw_recommendation_t *rec)
{
    if (!rec->pooled) {
        free(rec->text);
        free(rec->addressee);
        free(rec->action);
        free(rec->language);
    }
    rw_strings_clear(&rec->themes);
    rw_strings_clear(&rec->countries);
    rw_strings_clear(&rec->cues);
}

void rw_document_destroy(rw_document_t **self_p)
{
    rw_document_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        recommendation_clear(&self->recommendations[i]);
    free(self->recommendations);
    free(self->language);
    free(self->title);
    free(self->date);
    free(self->place);
    free(self->speaker);
    free(self->role);
    rw_strings_clear(&self->countries);
    rw_strings_pool_free(&self->pool);
    free(self);
    *self_p = NULL;
}

rw_recommendation_t *rw_document_add(rw_document_t *self)
{
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 32;
        rw_recommendation_t *grown = realloc(self->recommendations, capacity * sizeof *grown);
        if (!grown)
            return NULL;
        self->recommendations = grown;
        self->capacity = capacity;
    }
    rw_recommendation_t *rec = &self->recommendations[self->count++];
    memset(rec, 0, sizeof *rec);
    return rec;
}
