/* strings.c — a growable list of owned C strings.
 *
 * Storage: a chain of blocks. Each block is one allocation laid out as char pointers,
 * the first linking to the previous block and the next `capacity` being the item
 * array, followed by bytes for strings. When the array or the bytes run out, a new,
 * larger block takes over the array (the pointers are copied, the strings stay in
 * the older blocks, which are freed only by rw_strings_clear). A list with a pool
 * takes its blocks from it and leaves them to rw_strings_pool_free.
 *
 * A pool is a chain of large blocks cut into pieces in order. */
#include "strings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CAPACITY 4    /* items of the first block */
#define FIRST_BYTES 56      /* string bytes of the first block, at least */
#define POOL_BLOCK 8192     /* bytes of a pool's block, unless a piece needs more */

struct rw_strings_pool {
    rw_strings_pool_t *previous;   /* the block before, NULL for the first */
    size_t used, size;             /* of data */
    max_align_t data[];
};

void *rw_strings_pool_alloc(rw_strings_pool_t **pool, size_t size)
{
    size_t align = sizeof(max_align_t);
    if (size > (size_t)-1 / 2)
        return NULL;
    size = (size + align - 1) / align * align;
    rw_strings_pool_t *block = *pool;
    if (!block || block->size - block->used < size) {
        size_t bytes = size > POOL_BLOCK ? size : POOL_BLOCK;
        rw_strings_pool_t *grown = malloc(sizeof *grown + bytes);
        if (!grown)
            return NULL;
        grown->previous = block;
        grown->used = 0;
        grown->size = bytes;
        *pool = block = grown;
    }
    void *piece = (char *)block->data + block->used;
    block->used += size;
    return piece;
}

void rw_strings_pool_free(rw_strings_pool_t **pool)
{
    rw_strings_pool_t *block = *pool;
    while (block) {
        rw_strings_pool_t *previous = block->previous;
        free(block);
        block = previous;
    }
    *pool = NULL;
}

/* The block that holds self->items: one pointer before the array. */
static char **block_of(const rw_strings_t *self)
{
    return self->items - 1;
}

/* Start a new block with room for one more item and `needed` more bytes. */
static int grow(rw_strings_t *self, size_t needed)
{
    size_t capacity = self->capacity;
    if (self->count == capacity)
        capacity = capacity ? capacity * 2 : FIRST_CAPACITY;
    size_t bytes = self->capacity ? self->capacity * 16 : FIRST_BYTES;
    if (bytes < 2 * needed)
        bytes = 2 * needed;
    if (capacity > ((size_t)-1 - bytes) / sizeof(char *) - 1)
        return -ENOMEM;
    size_t size = (capacity + 1) * sizeof(char *) + bytes;
    char **block = self->pool ? rw_strings_pool_alloc(self->pool, size) : malloc(size);
    if (!block)
        return -ENOMEM;
    block[0] = self->items && !self->pool ? (char *)block_of(self) : NULL;
    if (self->count)
        memcpy(block + 1, self->items, self->count * sizeof(char *));
    self->items = block + 1;
    self->capacity = capacity;
    self->spare = (char *)(block + 1 + capacity);
    self->spare_size = bytes;
    return 0;
}

int rw_strings_append(rw_strings_t *self, const char *text, size_t length)
{
    if (length >= (size_t)-1 / 4)
        return -ENOMEM;
    if (self->count == self->capacity || self->spare_size <= length) {
        /* text may be one of our own strings: the old blocks stay until clear */
        int rc = grow(self, length + 1);
        if (rc != 0)
            return rc;
    }
    char *copy = self->spare;
    size_t n = strnlen(text, length);    /* a copy ends at a NUL, as strndup's did */
    memcpy(copy, text, n);
    copy[n] = '\0';
    self->spare += n + 1;
    self->spare_size -= n + 1;
    self->items[self->count++] = copy;
    return 0;
}

bool rw_strings_contains(const rw_strings_t *self, const char *text)
{
    for (size_t i = 0; i < self->count; i++)
        if (self->items[i][0] == text[0] && strcmp(self->items[i], text) == 0)
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
    char **block = self->items && !self->pool ? block_of(self) : NULL;
    while (block) {
        char **previous = (char **)block[0];
        free(block);
        block = previous;
    }
    self->items = NULL;
    self->count = self->capacity = 0;
    self->spare = NULL;
    self->spare_size = 0;
}
