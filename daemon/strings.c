/* strings.c — a growable list of owned C strings. */
#include "strings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rw_strings_append(rw_strings_t *self, const char *text, size_t length)
{
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 4;
        char **items = realloc(self->items, capacity * sizeof *items);
        if (!items)
            return -ENOMEM;
        self->items = items;
        self->capacity = capacity;
    }
    char *copy = strndup(text, length);
    if (!copy)
        return -ENOMEM;
    self->items[self->count++] = copy;
    return 0;
}

bool rw_strings_contains(const rw_strings_t *self, const char *text)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->items[i], text) == 0)
            return true;
    return false;
}

int rw_strings_add_unique(rw_strings_t *self, const char *text)
{
    if (rw_strings_contains(self, text))
        return 0;
    return rw_strings_append(self, text, strlen(text));
}

void rw_strings_clear(rw_strings_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        free(self->items[i]);
    free(self->items);
    self->items = NULL;
    self->count = self->capacity = 0;
}
