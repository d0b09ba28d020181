/* strings.h — a growable list of owned C strings, used for themes, countries, cues.
 *
 * The strings live in a few blocks the list owns (the first holds room for several
 * short strings), so that adding one seldom allocates; a string, once added, stays
 * where it is until rw_strings_clear. A zeroed rw_strings_t is an empty list, and
 * assigning the struct moves the list.
 *
 * Many short-lived lists (a document's) may take their blocks from a pool instead:
 * then rw_strings_clear frees nothing, rw_strings_pool_free frees it all at once. */
#ifndef RW_STRINGS_H
#define RW_STRINGS_H

#include <stdbool.h>
#include <stddef.h>

/* Memory handed out in pieces and freed all together; a NULL pointer is an empty pool. */
typedef struct rw_strings_pool rw_strings_pool_t;

/* size bytes from *pool, aligned for any object, or NULL when out of memory. */
void *rw_strings_pool_alloc(rw_strings_pool_t **pool, size_t size);
/* Free every piece of *pool; leaves an empty pool. */
void rw_strings_pool_free(rw_strings_pool_t **pool);

typedef struct {
    char **items;
    size_t count;
    size_t capacity;
    char *spare;          /* unused bytes of the newest block, for further strings */
    size_t spare_size;
    rw_strings_pool_t **pool; /* NULL: blocks of its own; else taken from *pool */
} rw_strings_t;

/* Append a copy of text (length bytes). Returns 0 or -ENOMEM. */
int rw_strings_append(rw_strings_t *self, const char *text, size_t length);
/* Append a copy unless an equal string is already present. Returns 0 or -ENOMEM. */
int rw_strings_add_unique(rw_strings_t *self, const char *text);
bool rw_strings_contains(const rw_strings_t *self, const char *text);
/* Free every item and the array (unless they are a pool's); leaves an empty list
 * (still taking its blocks from the same pool). */
void rw_strings_clear(rw_strings_t *self);

#endif
