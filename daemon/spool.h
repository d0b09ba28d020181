/* spool.h — the life of a file in the spool: read it safely from incoming/, then move
 * it to done/ or to failed/ (beside NAME.error.json saying why). No file is deleted and
 * a name clash never overwrites anything: "a.txt" becomes "a.1.txt", "a.2.txt" ... */
#ifndef RW_SPOOL_H
#define RW_SPOOL_H

#include <stddef.h>

typedef struct rw_spool rw_spool_t;

/* The three folders must exist (they are created with mode 0750 if missing). */
rw_spool_t *rw_spool_new(const char *incoming, const char *done, const char *failed,
                         char *error, size_t error_size);
void rw_spool_destroy(rw_spool_t **self_p);

/* Read incoming/name: no symlink followed, never blocks on a FIFO, regular files only,
 * at most max_bytes. 0 with *bytes (caller frees) and *size; -ENOENT when the file is
 * gone (deleted after it was reported); another negative errno with a reason a person
 * can act on in reason. */
int rw_spool_read(rw_spool_t *self, const char *name, size_t max_bytes,
                  unsigned char **bytes, size_t *size, char *reason, size_t reason_size);

/* Move incoming/name to done/. *moved_to (caller frees, may be NULL) gets the path
 * relative to the spool's parent, e.g. "done/a.1.txt". 0, -ENOENT or negative errno. */
int rw_spool_finish(rw_spool_t *self, const char *name, char **moved_to);

/* Move incoming/name to failed/ and write failed/NAME.error.json with the reason.
 * 0 or negative errno. */
int rw_spool_fail(rw_spool_t *self, const char *name, const char *reason, char **moved_to);

/* Make the moves durable (fsync of the done and failed folders). */
int rw_spool_sync(rw_spool_t *self);

#endif
