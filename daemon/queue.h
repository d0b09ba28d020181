/* queue.h — the files waiting to be processed: a first-in first-out list of names
 * in which a name stands at most once (an inotify event and a rescan may both report
 * the same file). */
#ifndef RW_QUEUE_H
#define RW_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rw_queue rw_queue_t;

rw_queue_t *rw_queue_new(void);
void rw_queue_destroy(rw_queue_t **self_p);
/* Add name at the end unless it is already queued. 1 added, 0 already there, -ENOMEM. */
int rw_queue_push(rw_queue_t *self, const char *name);
/* Take the first name; the caller frees it. NULL when empty. */
char *rw_queue_pop(rw_queue_t *self);
size_t rw_queue_size(const rw_queue_t *self);
bool rw_queue_contains(const rw_queue_t *self, const char *name);

#endif
