/* batch.h — one batch of spool files, the daemon's unit of work: read and extract each
 * file, journal every event of the batch with one append (one fsync: group commit),
 * publish them, then move the files to done/. A file that cannot be processed goes to
 * failed/ at once, its error event journalled with the batch. If the append fails,
 * nothing is journalled or published and the files stay in incoming/ for a retry.
 * Used by server.c; callable without sockets (tests/fault drives it directly). */
#ifndef RW_BATCH_H
#define RW_BATCH_H

#include <stddef.h>

#include "event.h"
#include "journal.h"
#include "lexicon.h"
#include "spool.h"

#define RW_BATCH_MAX_FILES 256

/* Called for each journalled event, in journal order, before the files move, with the
 * body exactly as journalled (not NUL-terminated). */
typedef void rw_batch_publish_fn(void *data, const char *topic, const char *body,
                                 size_t length);

typedef struct {
    const rw_lexicon_t *lexicon;
    rw_spool_t *spool;
    rw_journal_t *journal;
    const char *node;             /* the daemon's name, in every event */
    size_t max_bytes;             /* spool.max_bytes */
    double min_confidence;        /* extract.min_confidence */
    rw_batch_publish_fn *publish; /* NULL: journal only */
    void *publish_data;
    rw_counters_t *counters;      /* files_seen, errors, duplicates, statements ...; may be NULL */
} rw_batch_options_t;

typedef struct rw_batch rw_batch_t;

/* A new empty batch; options (and what they point to) must outlive it. NULL on ENOMEM. */
rw_batch_t *rw_batch_new(const rw_batch_options_t *options);
void rw_batch_destroy(rw_batch_t **self_p);

/* Read and extract incoming/name, taking ownership of name (freed when the batch is
 * committed or destroyed). A refused file moves to failed/ now. 0, or -ENOSPC when the
 * batch already holds RW_BATCH_MAX_FILES files (name is then freed). */
int rw_batch_add(rw_batch_t *self, char *name);
size_t rw_batch_count(const rw_batch_t *self);
/* Files this batch left in incoming/ because of a failure that is not theirs (out of
 * memory or file descriptors, an I/O error): the caller should pause and try again. */
size_t rw_batch_retries(const rw_batch_t *self);

/* Journal the batch's events with one append, publish them, move the files to done/,
 * then empty the batch. 0, or the append's negative errno: nothing was journalled or
 * published and the files are still in incoming/ (the batch is emptied either way). */
int rw_batch_commit(rw_batch_t *self);

#endif
