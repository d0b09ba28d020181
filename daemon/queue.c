/* queue.c — a FIFO of unique file names: a ring of owned strings plus an
 * open-addressing hash set over the same strings for the "already queued?" test. */
#include "queue.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct rw_queue {
    char **ring;          /* names in arrival order */
    size_t head, count, ring_capacity;
    char **set;           /* hash set of the same pointers; NULL = free, TOMBSTONE = deleted */
    size_t set_capacity;  /* power of two */
    size_t set_used;      /* live + tombstones */
};

static char tombstone_marker;
#define TOMBSTONE (&tombstone_marker)

static uint64_t hash_name(const char *name)
{
    uint64_t hash = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        hash = (hash ^ *p) * 1099511628211ULL;
    return hash;
}

rw_queue_t *rw_queue_new(void)
{
    rw_queue_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->ring_capacity = 64;
    self->set_capacity = 128;
    self->ring = calloc(self->ring_capacity, sizeof *self->ring);
    self->set = calloc(self->set_capacity, sizeof *self->set);
    if (!self->ring || !self->set)
        rw_queue_destroy(&self);
    return self;
}

void rw_queue_destroy(rw_queue_t **self_p)
{
    rw_queue_t *self = *self_p;
    if (!self)
        return;
    if (self->ring)
        for (size_t i = 0; i < self->count; i++)
            free(self->ring[(self->head + i) % self->ring_capacity]);
    free(self->ring);
    free(self->set);
    free(self);
    *self_p = NULL;
}

/* Slot of name in the set, or of the free slot where it would go. */
static size_t set_find(const rw_queue_t *self, const char *name, bool *found)
{
    size_t mask = self->set_capacity - 1;
    size_t index = hash_name(name) & mask;
    size_t first_tombstone = SIZE_MAX;
    for (;;) {
        char *entry = self->set[index];
        if (!entry) {
            *found = false;
            return first_tombstone != SIZE_MAX ? first_tombstone : index;
        }
        if (entry == TOMBSTONE) {
            if (first_tombstone == SIZE_MAX)
                first_tombstone = index;
        } else if (strcmp(entry, name) == 0) {
            *found = true;
            return index;
        }
        index = (index + 1) & mask;
    }
}

static int set_grow(rw_queue_t *self)
{
    size_t capacity = self->set_capacity;
    /* rebuild at double size when live entries fill it, else just drop tombstones */
    if (self->count * 2 >= capacity)
        capacity *= 2;
    char **fresh = calloc(capacity, sizeof *fresh);
    if (!fresh)
        return -ENOMEM;
    free(self->set);
    self->set = fresh;
    self->set_capacity = capacity;
    self->set_used = 0;
    for (size_t i = 0; i < self->count; i++) {
        bool found;
        char *name = self->ring[(self->head + i) % self->ring_capacity];
        self->set[set_find(self, name, &found)] = name;
        self->set_used++;
    }
    return 0;
}

static int ring_grow(rw_queue_t *self)
{
    size_t capacity = self->ring_capacity * 2;
    char **fresh = malloc(capacity * sizeof *fresh);
    if (!fresh)
        return -ENOMEM;
    for (size_t i = 0; i < self->count; i++)
        fresh[i] = self->ring[(self->head + i) % self->ring_capacity];
    free(self->ring);
    self->ring = fresh;
    self->ring_capacity = capacity;
    self->head = 0;
    return 0;
}

bool rw_queue_contains(const rw_queue_t *self, const char *name)
{
    bool found;
    set_find(self, name, &found);
    return found;
}

int rw_queue_push(rw_queue_t *self, const char *name)
{
    bool found;
    if ((self->set_used + 1) * 4 >= self->set_capacity * 3 && set_grow(self) < 0)
        return -ENOMEM;
    size_t slot = set_find(self, name, &found);
    if (found)
        return 0;
    if (self->count == self->ring_capacity && ring_grow(self) < 0)
        return -ENOMEM;
    char *copy = strdup(name);
    if (!copy)
        return -ENOMEM;
    if (self->set[slot] != TOMBSTONE)
        self->set_used++;
    self->set[slot] = copy;
    self->ring[(self->head + self->count) % self->ring_capacity] = copy;
    self->count++;
    return 1;
}

char *rw_queue_pop(rw_queue_t *self)
{
    if (self->count == 0)
        return NULL;
    char *name = self->ring[self->head];
    self->head = (self->head + 1) % self->ring_capacity;
    self->count--;
    bool found;
    size_t slot = set_find(self, name, &found);
    if (found)
        self->set[slot] = TOMBSTONE;
    return name;
}

size_t rw_queue_size(const rw_queue_t *self)
{
    return self->count;
}
