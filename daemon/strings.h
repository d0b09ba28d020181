/* strings.h — a growable list of owned C strings, used for themes, countries, cues. */
#ifndef RW_STRINGS_H
#define RW_STRINGS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char **items;
    size_t count;
    size_t capacity;
} rw_strings_t;

/* Append a copy of text (length bytes). Returns 0 or -ENOMEM. */
int rw_strings_append(rw_strings_t *self, const char *text, size_t length);
/* Append a copy unless an equal string is already present. Returns 0 or -ENOMEM. */
int rw_strings_add_unique(rw_strings_t *self, const char *text);
bool rw_strings_contains(const rw_strings_t *self, const char *text);
/* Free every item and the array; leaves an empty list. */
void rw_strings_clear(rw_strings_t *self);

#endif
