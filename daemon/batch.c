/* batch.c — one batch of spool files from incoming/ to the journal and done/. */
#include "batch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pipeline.h"

/* One file of a batch and what became of it. */
typedef struct {
    char *name;
    size_t bytes;
    rw_spool_identity_t identity;     /* the file as read, to move only that one */
    bool identified;
    enum { FILE_DONE, FILE_DUPLICATE, FILE_FAILED, FILE_GONE, FILE_RETRY } outcome;
    rw_pipeline_result_t result;
    json_t *error_event;
} batch_file_t;

struct rw_batch {
    rw_batch_options_t options;
    batch_file_t files[RW_BATCH_MAX_FILES];
    size_t count;
    size_t retries;        /* files left in incoming/ for want of memory */
};

rw_batch_t *rw_batch_new(const rw_batch_options_t *options)
{
    rw_batch_t *self = calloc(1, sizeof *self);
    if (self)
        self->options = *options;
    return self;
}

static void clear_files(rw_batch_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        batch_file_t *file = &self->files[i];
        free(file->name);
        rw_pipeline_result_clear(&file->result);
        json_decref(file->error_event);
        memset(file, 0, sizeof *file);
    }
    self->count = 0;
}

void rw_batch_destroy(rw_batch_t **self_p)
{
    rw_batch_t *self = *self_p;
    if (!self)
        return;
    clear_files(self);
    free(self);
    *self_p = NULL;
}

size_t rw_batch_count(const rw_batch_t *self)
{
    return self->count;
}

size_t rw_batch_retries(const rw_batch_t *self)
{
    return self->retries;
}

static bool duplicate_in_batch(const rw_batch_t *self, const char *id)
{
    for (size_t i = 0; i < self->count; i++)
        if (self->files[i].outcome == FILE_DONE && strcmp(self->files[i].result.id, id) == 0)
            return true;
    return false;
}

/* Move a file that cannot be processed to failed/ and make its error event. */
static void fail_file(rw_batch_t *self, batch_file_t *file, const char *reason)
{
    char *moved_to = NULL;
    rw_warning("%s: %s", file->name, reason);
    int status = rw_spool_fail(self->options.spool, file->name,
                               file->identified ? &file->identity : NULL, reason, &moved_to);
    if (status == -ENOENT || status == -ESTALE) {
        file->outcome = FILE_GONE;
        return;
    }
    file->outcome = FILE_FAILED;
    file->error_event = rw_event_error(self->options.node, file->name, reason, moved_to);
    free(moved_to);
    if (self->options.counters)
        self->options.counters->errors++;
}

/* Failures that are not the file's fault: the machine is short of memory or file
 * descriptors, or the disk had an I/O error. */
static bool is_transient(int status)
{
    return status == -ENOMEM || status == -EIO || status == -EMFILE || status == -ENFILE ||
           status == -EAGAIN || status == -EINTR;
}

/* Leave a file in incoming/ to be tried again after a pause. */
static void leave_for_retry(rw_batch_t *self, batch_file_t *file, const char *reason)
{
    rw_warning("%s: %s: left in incoming/ for a retry", file->name, reason);
    file->outcome = FILE_RETRY;
    self->retries++;
}

static void prepare_file(rw_batch_t *self, batch_file_t *file)
{
    const rw_batch_options_t *options = &self->options;
    unsigned char *bytes = NULL;
    char reason[512];
    if (options->counters)
        options->counters->files_seen++;
    file->identity = (rw_spool_identity_t){0, 0};
    int status = rw_spool_read(options->spool, file->name, options->max_bytes, &bytes,
                               &file->bytes, &file->identity, reason, sizeof reason);
    file->identified = file->identity.inode != 0;
    if (status == -ENOENT) {
        rw_debug("%s: gone before it could be read", file->name);
        file->outcome = FILE_GONE;
        return;
    }
    if (is_transient(status)) {
        leave_for_retry(self, file, reason);
        return;
    }
    if (status < 0) {
        fail_file(self, file, reason);
        return;
    }
    rw_extract_options_t extract = {.min_confidence = options->min_confidence};
    status = rw_pipeline_run(options->lexicon, &extract, options->node, file->name, time(NULL),
                             bytes, file->bytes, &file->result, reason, sizeof reason);
    free(bytes);
    if (status == -ENOMEM) {
        leave_for_retry(self, file, "out of memory while extracting");
        return;
    }
    if (status < 0) {
        fail_file(self, file, reason);
        return;
    }
    if (rw_journal_has_content(options->journal, file->result.id) ||
        duplicate_in_batch(self, file->result.id)) {
        rw_info("%s: same content as a statement already published (%s): not published again",
                file->name, file->result.id);
        file->outcome = FILE_DUPLICATE;
        return;
    }
    file->outcome = FILE_DONE;
}

int rw_batch_add(rw_batch_t *self, char *name)
{
    if (self->count == RW_BATCH_MAX_FILES) {
        free(name);
        return -ENOSPC;
    }
    batch_file_t *file = &self->files[self->count];
    memset(file, 0, sizeof *file);
    file->name = name;
    prepare_file(self, file);
    self->count++; /* after prepare: duplicate_in_batch looks at the earlier files only */
    return 0;
}

/* Every event of the batch, in order, as journal entries. */
static rw_journal_entry_t *batch_entries(rw_batch_t *self, size_t *total)
{
    size_t needed = 0;
    for (size_t i = 0; i < self->count; i++) {
        const batch_file_t *file = &self->files[i];
        needed += file->outcome == FILE_DONE ? file->result.count
                : file->outcome == FILE_FAILED && file->error_event ? 1 : 0;
    }
    rw_journal_entry_t *entries = calloc(needed ? needed : 1, sizeof *entries);
    if (!entries)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < self->count; i++) {
        batch_file_t *file = &self->files[i];
        if (file->outcome == FILE_FAILED && file->error_event) {
            entries[n++] = (rw_journal_entry_t){.topic = "error", .event = file->error_event};
        } else if (file->outcome == FILE_DONE) {
            for (size_t e = 0; e < file->result.count; e++)
                entries[n++] = (rw_journal_entry_t){
                    .topic = e == 0 ? file->result.statement_topic : file->result.recommendation_topic,
                    .event = file->result.events[e]};
        }
    }
    *total = n;
    return entries;
}

static void finish_files(rw_batch_t *self)
{
    rw_counters_t *counters = self->options.counters;
    for (size_t i = 0; i < self->count; i++) {
        const batch_file_t *file = &self->files[i];
        if (file->outcome != FILE_DONE && file->outcome != FILE_DUPLICATE)
            continue;
        char *moved_to = NULL;
        if (rw_spool_finish(self->options.spool, file->name, &file->identity, &moved_to) == 0)
            rw_debug("%s → %s", file->name, moved_to);
        free(moved_to);
        if (file->outcome == FILE_DUPLICATE) {
            if (counters)
                counters->duplicates++;
        } else {
            if (counters) {
                counters->statements++;
                counters->recommendations += file->result.document->count;
                counters->bytes += file->bytes;
            }
            rw_info("%s: %zu recommendation(s), %s", file->name, file->result.document->count,
                    file->result.id);
        }
    }
    /* The moves are not fsync'd one batch at a time: the journal is what must be
     * durable. A move lost in a crash leaves the file in incoming/, where the next
     * start finds its content in the journal and moves it to done/ unpublished. */
}

int rw_batch_commit(rw_batch_t *self)
{
    size_t total = 0;
    rw_journal_entry_t *entries = batch_entries(self, &total);
    int status = entries ? (total ? rw_journal_append(self->options.journal, entries, total) : 0)
                         : -ENOMEM;
    if (status == 0) {
        /* the bodies exactly as the journal wrote them */
        for (size_t i = 0; self->options.publish && i < total; i++)
            self->options.publish(self->options.publish_data, entries[i].topic,
                                  entries[i].body, entries[i].body_length);
        finish_files(self);
    }
    free(entries);
    clear_files(self);
    return status;
}
