/* watch.h — notice files arriving in the spool's incoming folder.
 *
 * inotify reports files closed after writing (IN_CLOSE_WRITE) and files renamed in
 * (IN_MOVED_TO); a scan lists what is already there (at start, and again whenever the
 * kernel's event queue overflowed, so no file is missed when thousands arrive at once).
 * Names starting with "." or ending in ".tmp", ".part" or "~" are ignored until they
 * are renamed, and so are names matching none of the configured patterns. */
#ifndef RW_WATCH_H
#define RW_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "queue.h"
#include "strings.h"

typedef struct rw_watch rw_watch_t;

/* Watch directory. NULL on failure with the reason in error. */
rw_watch_t *rw_watch_new(const char *directory, const rw_strings_t *patterns,
                         char *error, size_t error_size);
void rw_watch_destroy(rw_watch_t **self_p);
/* The inotify descriptor, to poll for reading. */
int rw_watch_fd(const rw_watch_t *self);
/* Replace the patterns (configuration reload). 0 or -ENOMEM. */
int rw_watch_set_patterns(rw_watch_t *self, const rw_strings_t *patterns);
/* Read pending inotify events and queue the names they report (a rescan after an
 * overflow). Returns the number of names queued, or a negative errno. */
int rw_watch_read(rw_watch_t *self, rw_queue_t *queue);
/* Queue every acceptable entry of the folder, oldest first. Count or negative errno. */
int rw_watch_scan(rw_watch_t *self, rw_queue_t *queue);
/* Whether a name is one to process (the ignore rules and the patterns). */
bool rw_watch_accepts(const rw_watch_t *self, const char *name);
/* How many times the kernel queue overflowed. */
unsigned long rw_watch_overflows(const rw_watch_t *self);

#endif
