/* spool.h — the life of a file in the spool: read it safely from incoming/, then move
 * it to done/ or to failed/ (beside NAME.error.json saying why). No file is deleted and
 * a name clash never overwrites anything: "a.txt" becomes "a.1.txt", "a.2.txt" ... */
#ifndef RW_SPOOL_H
#define RW_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

typedef struct rw_spool rw_spool_t;

/* Which file a name stood for when it was read: a sender may replace incoming/NAME
 * (rename over it) after the daemon read it, and the newcomer must not be moved away
 * unread. */
typedef struct {
    dev_t device;
    ino_t inode;
} rw_spool_identity_t;

/* The three folders must exist (they are created with mode 0750 if missing). */
rw_spool_t *rw_spool_new(const char *incoming, const char *done, const char *failed,
                         char *error, size_t error_size);
void rw_spool_destroy(rw_spool_t **self_p);

/* Read incoming/name: no symlink followed, never blocks on a FIFO, regular files only,
 * at most max_bytes. 0 with *bytes (caller frees) and *size; -ENOENT when the file is
 * gone (deleted after it was reported); another negative errno with a reason a person
 * can act on in reason. *identity (may be NULL) gets the file's identity, also when
 * the file is refused. */
int rw_spool_read(rw_spool_t *self, const char *name, size_t max_bytes,
                  unsigned char **bytes, size_t *size, rw_spool_identity_t *identity,
                  char *reason, size_t reason_size);

/* Move incoming/name to done/. *moved_to (caller frees, may be NULL) gets the path
 * relative to the spool's parent, e.g. "done/a.1.txt". When expected is not NULL and
 * incoming/name is no longer that file (replaced meanwhile), nothing is moved and
 * -ESTALE is returned: the newcomer is processed on its own. 0, -ENOENT, -ESTALE or
 * negative errno. */
int rw_spool_finish(rw_spool_t *self, const char *name, const rw_spool_identity_t *expected,
                    char **moved_to);

/* Move incoming/name to failed/ and write failed/NAME.error.json with the reason;
 * expected as for rw_spool_finish. 0 or negative errno. */
int rw_spool_fail(rw_spool_t *self, const char *name, const rw_spool_identity_t *expected,
                  const char *reason, char **moved_to);

/* Make the moves durable (fsync of the done and failed folders). */
int rw_spool_sync(rw_spool_t *self);

#endif
