/* journal.h — the durable, append-only record of every event recwatchd publishes.
 *
 * The journal is the source of truth for "seq" numbers, for replay ("since N") and
 * for recovery after a crash. It lives in one folder (state.dir):
 *
 *   journal-<first seq, 20 digits>.jsonl   segments of JSON lines, oldest first
 *   seq                                    last seq, rewritten atomically (rename)
 *   lock                                   flock()ed while a journal is open
 *
 * One line per event:
 *   {"seq":N,"topic":"statement.KZ","event":{...the event body, with "seq":N...}}
 * The first line of an append of several entries also carries "group":K (between
 * "topic" and "event"): the K lines were committed together. Recovery uses it to
 * drop a group that a crash left half written, so a statement is never journalled
 * without all of its recommendations. Readers should ignore fields they do not know.
 *
 * Durability: every append is one write() of all its lines followed by one fsync
 * (group commit); the folder is fsync'd when a segment is created or removed.
 * Appends are all or nothing: on failure the segment is truncated back.
 *
 * Not thread-safe: one thread owns the journal and its cursors. A cursor must be
 * destroyed before its journal. */
#ifndef RW_JOURNAL_H
#define RW_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct rw_journal_t rw_journal_t;
typedef struct rw_journal_cursor_t rw_journal_cursor_t;

typedef struct {
    const char *dir;                 /* state folder; created if missing (mode 0750) */
    unsigned long long retain_bytes; /* 0 = unlimited */
    unsigned retain_days;            /* 0 = unlimited */
    size_t segment_bytes;            /* rotate when a segment passes this; 0 = 64 MiB */
} rw_journal_options_t;

typedef struct {
    const char *topic;
    json_t *event;           /* a JSON object; the journal sets its "seq" */
    /* Set by a successful rw_journal_append: the event's text exactly as journalled
     * (not NUL-terminated), valid until the next append. Publish these bytes, so that
     * live and replayed bodies are the same and each event is serialised once. */
    const char *body;
    size_t body_length;
} rw_journal_entry_t;

#define RW_JOURNAL_DEFAULT_SEGMENT_BYTES ((size_t)64 * 1024 * 1024)

/* Open (or create) the journal in options->dir and recover from a crash: a torn or
 * unparseable last line, or a half-written group, is cut back and logged. NULL on
 * failure with the reason in error (also when another process holds the lock). */
rw_journal_t *rw_journal_new(const rw_journal_options_t *options, char *error,
                             size_t error_size);
void rw_journal_destroy(rw_journal_t **self_p);

/* The seq of the last event journalled (0 when none ever was). */
uint64_t rw_journal_last_seq(const rw_journal_t *self);

/* true when a statement event with this "id" ("sha256:<64 hex>") is in the journal
 * (or was, during this run, before retention removed its segment). */
bool rw_journal_has_content(const rw_journal_t *self, const char *id);

/* Give each event "seq" = last+1, last+2 ... (set into the JSON object), write one
 * line per entry, fsync once, then advance last_seq. All or nothing: on failure the
 * segment is truncated back, the events' "seq" are restored to what they were
 * (removed when absent before), last_seq is unchanged and a negative errno is
 * returned (-EINVAL for a bad entry, -ENOMEM, -ENOSPC, -EFBIG, -EIO ...). The lines
 * use json_dumps(event, JSON_COMPACT); each entry's body/body_length point at them. */
int rw_journal_append(rw_journal_t *self, rw_journal_entry_t *entries, size_t count);

/* Apply retention: delete whole old segments while the journal is bigger than
 * retain_bytes or while a segment's last write is older than retain_days before
 * now. Never the current segment. Number of segments removed, or negative errno. */
int rw_journal_retain(rw_journal_t *self, time_t now);

/* Counters for the heartbeat. */
unsigned long long rw_journal_bytes(const rw_journal_t *self); /* bytes on disk */
size_t rw_journal_segment_count(const rw_journal_t *self);
uint64_t rw_journal_first_seq(const rw_journal_t *self);       /* oldest seq kept; 0 if none */

/* A reader positioned at the first entry with seq >= since. NULL on ENOMEM. */
rw_journal_cursor_t *rw_journal_cursor_new(rw_journal_t *self, uint64_t since);

/* 1 = an entry (topic and body NUL-terminated, valid until the next call; body is
 * the event exactly as journalled), 0 = no more entries for now (call again after
 * more appends), <0 = error. Lines that are not valid JSON are skipped and logged. */
int rw_journal_cursor_next(rw_journal_cursor_t *self, uint64_t *seq, const char **topic,
                           const char **body);
void rw_journal_cursor_destroy(rw_journal_cursor_t **self_p);

#endif
