/* document.c — construction and destruction of extraction results. */
#include "document.h"

#include <stdlib.h>
#include <string.h>

rw_document_t *rw_document_new(void)
{
    return calloc(1, sizeof(rw_document_t));
}

void rw_document_destroy(rw_document_t **self_p)
{
    rw_document_t *self = *self_p;
    if (!self)
        return;
    /* the recommendations' strings and lists are all in the pool */
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
    rec->themes.pool = rec->countries.pool = rec->cues.pool = &self->pool;
    return rec;
}

void *rw_document_alloc(rw_document_t *self, size_t size)
{
    return rw_strings_pool_alloc(&self->pool, size);
}

char *rw_document_copy(rw_document_t *self, const char *text)
{
    size_t size = strlen(text) + 1;
    char *copy = rw_document_alloc(self, size);
    if (copy)
        memcpy(copy, text, size);
    return copy;
}
