/* fault_run.c — fault injection over the daemon's statement path.
 *
 * Linked with the project's objects, fault_wrap.c and -Wl,--wrap=... (see
 * tests/fault/Makefile), so every call the daemon's code makes to malloc, calloc,
 * realloc, strdup, strndup, asprintf (and jansson's allocator), write, pwrite, fsync,
 * fdatasync, rename, renameat, renameat2, open and openat can be made to fail: the Nth
 * call of one kind returns NULL / -1 with ENOMEM, EIO, ENOSPC or EMFILE, or writes half
 * and then fails with ENOSPC (a disk filling up mid-write).
 *
 * The scenario, for every kind and N = 1, 2, ... until a run ends without reaching the
 * Nth call: a fresh state folder and spool with 3 corpus statements in incoming/, plus
 * a file that ingest refuses and a copy of the first statement (a duplicate); open the
 * journal and the spool and process the files as recwatchd's process_batch does (read,
 * pipeline, one journal append for the batch, then move to done/; a refused file goes
 * to failed/ with its error event) — all with the fault armed. Then, with faults off:
 *   check 1 (the state the fault left): every journal line complete and parseable,
 *     seq 1..n without gap, no half group; every file in exactly one of incoming/,
 *     done/, failed/ with its bytes unchanged; a file in done/ has its statement
 *     journalled; a file in failed/ does not;
 *   restart: reopen the journal and process what is left in incoming/ (the daemon's
 *     start-up scan), faults still off;
 *   check 2 (after recovery): the journal opens and its cursor reads seq 1..n without
 *     gap, incoming/ empty, every file in done/ or failed/ (nothing lost), each content
 *     journalled at most once, every journalled statement's file in done/, every error
 *     event's file in failed/.
 * Leaks are reported by LeakSanitizer at exit (the build uses ASan).
 *
 * With -d, each pass is the real daemon instead: the wrapped recwatchd (build/
 * recwatchd-fault) started on the folders with RW_FAULT_KIND/RW_FAULT_AT in its
 * environment, stopped with SIGTERM once incoming/ is empty; it must end with exit 0
 * or 1, never a signal or a sanitizer report. That covers the server's own paths
 * (start-up, pause and retry after a journal failure, stop) at the cost of ~1 s a run.
 *
 *   fault_run [-d RECWATCHD] [-k KIND] [-n N] [-s STRIDE] [-K] [-t] [-v] [FILE...]
 *     -d FILE  run the real (wrapped) daemon for each pass
 *     -k KIND  only this kind (alloc, write, short-write, fsync, rename, open)
 *     -n N     only the Nth call (with -k): to reproduce one case
 *     -s STEP  take every STEPth N (default 1; with -d, allocations are sampled)
 *     -K       keep each run's folder (printed) instead of removing it
 *     -t       print the stack of each injected fault (ASan's symbolizer)
 *     -v       log the daemon's messages (quiet by default)
 *   FILE...    statements to use (default: three short corpus statements).
 * A case that ends inconsistent is run again with -t, to show where its fault was. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "fault_wrap.h"
#include "journal.h"
#include "lexicon.h"
#include "log.h"
#include "pipeline.h"
#include "spool.h"
#include "strings.h"

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif
#define CORPUS_DIR SOURCE_DIR "/../shared/corpus"
#define LEXICON_DIR SOURCE_DIR "/config/lexicon"
#define MAX_FILES 16
#define MAX_BYTES (16u * 1024 * 1024)
#define NODE "fault"
#define REFUSED_NAME "zz-refused.txt"

static bool keep;                        /* -K: keep each run's folder, to look at it */
static bool trace;                       /* -t: show where each failing case's fault was */

void __sanitizer_set_death_callback(void (*callback)(void)); /* from the ASan runtime */
#ifdef RW_HAVE_BATCH
#define BATCH_CODE "daemon/batch.c's"
#else
#define BATCH_CODE "the test's copy of server.c's"
#endif

/* ---- the statements and the run's folders ------------------------------------ */

typedef struct {
    char *name;               /* base name, as placed in incoming/ */
    unsigned char *bytes;
    size_t size;
    char id[72];              /* "sha256:<hex>" */
} statement_t;

static statement_t statements[MAX_FILES];
static size_t statement_count;
static const rw_lexicon_t *lexicon;

typedef struct {
    char root[4096];
    char state[4200], incoming[4200], done[4200], failed[4200];
} run_dirs_t;

static int problems;        /* consistency failures over every run */
static const char *case_label = "";

/* ASan, UBSan or LSan is about to end the process: say which case it was. */
static void report_death(void)
{
    fprintf(stderr, "fault_run: died during case %s (reproduce: tests/fault/run -k KIND -n N -t)\n",
            case_label);
}

static void problem(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void problem(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "fault_run: INCONSISTENT (%s): ", case_label);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    problems++;
}

static unsigned char *read_whole(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return NULL;
    unsigned char *bytes = NULL;
    size_t used = 0, capacity = 0;
    for (;;) {
        if (used == capacity) {
            capacity = capacity ? capacity * 2 : 65536;
            unsigned char *grown = realloc(bytes, capacity + 1);
            if (!grown) {
                free(bytes);
                fclose(file);
                return NULL;
            }
            bytes = grown;
        }
        size_t got = fread(bytes + used, 1, capacity - used, file);
        used += got;
        if (got == 0)
            break;
    }
    fclose(file);
    bytes[used] = '\0';
    *size = used;
    return bytes;
}

static int write_whole(const char *path, const unsigned char *bytes, size_t size)
{
    FILE *file = fopen(path, "wb");
    if (!file)
        return -1;
    size_t put = fwrite(bytes, 1, size, file);
    return fclose(file) == 0 && put == size ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *info, int type, struct FTW *ftw)
{
    (void)info;
    (void)type;
    (void)ftw;
    return remove(path);
}

static int make_run_dirs(run_dirs_t *dirs)
{
    const char *base = getenv("TMPDIR");
    snprintf(dirs->root, sizeof dirs->root, "%s/recwatch-fault-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dirs->root))
        return -1;
    snprintf(dirs->state, sizeof dirs->state, "%s/state", dirs->root);
    snprintf(dirs->incoming, sizeof dirs->incoming, "%s/incoming", dirs->root);
    snprintf(dirs->done, sizeof dirs->done, "%s/done", dirs->root);
    snprintf(dirs->failed, sizeof dirs->failed, "%s/failed", dirs->root);
    if (mkdir(dirs->incoming, 0750) < 0 || mkdir(dirs->done, 0750) < 0 ||
        mkdir(dirs->failed, 0750) < 0)
        return -1;
    for (size_t i = 0; i < statement_count; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dirs->incoming, statements[i].name);
        if (write_whole(path, statements[i].bytes, statements[i].size) < 0)
            return -1;
    }
    return 0;
}

static void remove_run_dirs(const run_dirs_t *dirs)
{
    nftw(dirs->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the daemon's batch --------------------------------------------------------
 * With daemon/batch.c (RW_HAVE_BATCH, set by the Makefile when daemon/batch.h exists)
 * this is the daemon's own code. Without it, the same module calls in the same order
 * as process_batch/prepare_file/fail_file/batch_entries/finish_files of server.c. */
#ifdef RW_HAVE_BATCH
#include "batch.h"

static int process_batch(rw_spool_t *spool, rw_journal_t *journal, char **names, size_t count)
{
    rw_batch_options_t options = {.lexicon = lexicon, .spool = spool, .journal = journal,
                                  .node = NODE, .max_bytes = MAX_BYTES,
                                  .min_confidence = 0.5};
    rw_batch_t *batch = rw_batch_new(&options);
    if (!batch)
        return -ENOMEM;
    for (size_t i = 0; i < count; i++) {
        char *name = strdup(names[i]);
        if (name)
            rw_batch_add(batch, name);
    }
    int status = rw_batch_commit(batch);
    rw_batch_destroy(&batch);
    return status;
}
#else

typedef struct {
    char *name;
    size_t bytes;
    rw_spool_identity_t identity; /* the file as read, to move only that one */
    bool identified;
    enum { FILE_DONE, FILE_DUPLICATE, FILE_FAILED, FILE_GONE } outcome;
    rw_pipeline_result_t result;
    json_t *error_event;
} batch_file_t;

static void fail_file(rw_spool_t *spool, batch_file_t *file, const char *reason)
{
    char *moved_to = NULL;
    int status = rw_spool_fail(spool, file->name, file->identified ? &file->identity : NULL,
                               reason, &moved_to);
    if (status == -ENOENT || status == -ESTALE) {
        file->outcome = FILE_GONE;
        return;
    }
    file->outcome = FILE_FAILED;
    file->error_event = rw_event_error(NODE, file->name, reason, moved_to);
    free(moved_to);
}

static bool duplicate_in_batch(const batch_file_t *files, size_t count, const char *id)
{
    for (size_t i = 0; i < count; i++)
        if (files[i].outcome == FILE_DONE && strcmp(files[i].result.id, id) == 0)
            return true;
    return false;
}

static void prepare_file(rw_spool_t *spool, rw_journal_t *journal, batch_file_t *files,
                         size_t index)
{
    batch_file_t *file = &files[index];
    unsigned char *bytes = NULL;
    char reason[512];
    file->identity = (rw_spool_identity_t){0, 0};
    int status = rw_spool_read(spool, file->name, MAX_BYTES, &bytes, &file->bytes,
                               &file->identity, reason, sizeof reason);
    file->identified = file->identity.inode != 0;
    if (status == -ENOENT) {
        file->outcome = FILE_GONE;
        return;
    }
    if (status < 0) {
        fail_file(spool, file, reason);
        return;
    }
    rw_extract_options_t options = {.min_confidence = 0.5};
    status = rw_pipeline_run(lexicon, &options, NODE, file->name, 0, bytes, file->bytes,
                             &file->result, reason, sizeof reason);
    free(bytes);
    if (status < 0) {
        fail_file(spool, file, reason);
        return;
    }
    if (rw_journal_has_content(journal, file->result.id) ||
        duplicate_in_batch(files, index, file->result.id)) {
        file->outcome = FILE_DUPLICATE;
        return;
    }
    file->outcome = FILE_DONE;
}

static rw_journal_entry_t *batch_entries(batch_file_t *files, size_t count, size_t *total)
{
    size_t needed = 0;
    for (size_t i = 0; i < count; i++)
        needed += files[i].outcome == FILE_DONE ? files[i].result.count
                : files[i].outcome == FILE_FAILED && files[i].error_event ? 1 : 0;
    rw_journal_entry_t *entries = calloc(needed ? needed : 1, sizeof *entries);
    if (!entries)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        batch_file_t *file = &files[i];
        if (file->outcome == FILE_FAILED && file->error_event) {
            entries[n++] = (rw_journal_entry_t){.topic = "error", .event = file->error_event};
        } else if (file->outcome == FILE_DONE) {
            for (size_t e = 0; e < file->result.count; e++)
                entries[n++] = (rw_journal_entry_t){
                    .topic = e == 0 ? file->result.statement_topic
                                    : file->result.recommendation_topic,
                    .event = file->result.events[e]};
        }
    }
    *total = n;
    return entries;
}

/* One batch over the files in incoming/ (sorted); -errno when the journal append
 * failed (the daemon pauses, the files stay in incoming/). */
static int process_batch(rw_spool_t *spool, rw_journal_t *journal, char **names, size_t count)
{
    batch_file_t files[MAX_FILES];
    memset(files, 0, sizeof files);
    for (size_t i = 0; i < count; i++) {
        files[i].name = names[i];
        prepare_file(spool, journal, files, i);
    }
    size_t total = 0;
    rw_journal_entry_t *entries = batch_entries(files, count, &total);
    int status = entries ? (total ? rw_journal_append(journal, entries, total) : 0) : -ENOMEM;
    if (status == 0) {
        for (size_t i = 0; i < count; i++) {
            if (files[i].outcome != FILE_DONE && files[i].outcome != FILE_DUPLICATE)
                continue;
            char *moved_to = NULL;
            rw_spool_finish(spool, files[i].name, &files[i].identity, &moved_to);
            free(moved_to);
        }
    }
    free(entries);
    for (size_t i = 0; i < count; i++) {
        rw_pipeline_result_clear(&files[i].result);
        json_decref(files[i].error_event);
    }
    return status;
}
#endif

static int compare_names(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

/* Names in folder (not starting with '.'), sorted; count in *count. Faults must be off
 * or the caller accepts failure; returns -1 on error. */
static int list_folder(const char *folder, char **names, size_t max, size_t *count)
{
    *count = 0;
    DIR *dir = opendir(folder);
    if (!dir)
        return -1;
    const struct dirent *entry;
    int result = 0;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        if (*count == max) {
            result = -1;
            break;
        }
        names[*count] = strdup(entry->d_name);
        if (!names[*count]) {
            result = -1;
            break;
        }
        (*count)++;
    }
    closedir(dir);
    qsort(names, *count, sizeof *names, compare_names);
    return result;
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
}

/* The daemon from start to stop over what incoming/ holds: open the journal and the
 * spool (it exits 1 when it cannot), one batch, close. 0, or -1 on a clean error. */
static int daemon_pass(const run_dirs_t *dirs)
{
    char error[512];
    rw_journal_options_t options = {.dir = dirs->state};
    rw_journal_t *journal = rw_journal_new(&options, error, sizeof error);
    if (!journal)
        return -1;
    rw_spool_t *spool = rw_spool_new(dirs->incoming, dirs->done, dirs->failed, error,
                                     sizeof error);
    if (!spool) {
        rw_journal_destroy(&journal);
        return -1;
    }
    /* the folder scan is the test's own (the daemon's is rw_watch_scan): no fault in it */
    bool was_armed = fault_suspend();
    char *names[MAX_FILES];
    size_t count = 0;
    int status = list_folder(dirs->incoming, names, MAX_FILES, &count);
    fault_resume(was_armed);
    if (status == 0 && count > 0)
        status = process_batch(spool, journal, names, count) < 0 ? -1 : 0;
    free_names(names, count);
    rw_spool_sync(spool); /* as the daemon does when it stops */
    rw_spool_destroy(&spool);
    rw_journal_destroy(&journal);
    return status;
}

/* ---- checks (faults off) ------------------------------------------------------- */

typedef struct {
    uint64_t count;                   /* lines */
    char *statement_files[MAX_FILES * 4]; /* "file" of each statement event */
    char *statement_ids[MAX_FILES * 4];
    size_t statements;
    char *error_files[MAX_FILES * 4];
    size_t errors;
} journal_view_t;

static void view_clear(journal_view_t *view)
{
    for (size_t i = 0; i < view->statements; i++) {
        free(view->statement_files[i]);
        free(view->statement_ids[i]);
    }
    for (size_t i = 0; i < view->errors; i++)
        free(view->error_files[i]);
    memset(view, 0, sizeof *view);
}

static char *dup_or_empty(const char *text)
{
    return strdup(text ? text : "");
}

/* Check one journal line and note what it says. */
static void check_line(const char *line, size_t length, uint64_t *expected_seq,
                       size_t *group_left, journal_view_t *view, const char *segment)
{
    json_error_t error;
    json_t *root = json_loadb(line, length, 0, &error);
    json_t *event = root ? json_object_get(root, "event") : NULL;
    json_t *seq = root ? json_object_get(root, "seq") : NULL;
    if (!json_is_object(event) || !json_is_integer(seq) ||
        !json_is_string(json_object_get(root, "topic"))) {
        problem("%s: line %llu is not a journal entry: %.80s", segment,
                (unsigned long long)*expected_seq, line);
        json_decref(root);
        return;
    }
    uint64_t value = (uint64_t)json_integer_value(seq);
    if (value != *expected_seq)
        problem("%s: seq %llu where %llu was expected (gap or repeat)", segment,
                (unsigned long long)value, (unsigned long long)*expected_seq);
    if (json_integer_value(json_object_get(event, "seq")) != (json_int_t)value)
        problem("%s: seq %llu: the event's seq differs", segment, (unsigned long long)value);
    *expected_seq = value + 1;
    json_t *group = json_object_get(root, "group");
    if (json_is_integer(group)) {
        if (*group_left > 0)
            problem("%s: seq %llu starts a group inside another", segment,
                    (unsigned long long)value);
        *group_left = (size_t)json_integer_value(group) - 1;
    } else if (*group_left > 0) {
        (*group_left)--;
    }
    const char *type = json_string_value(json_object_get(event, "type"));
    const char *file = json_string_value(json_object_get(event, "file"));
    if (type && strcmp(type, "statement") == 0 && view->statements < MAX_FILES * 4) {
        view->statement_files[view->statements] = dup_or_empty(file);
        view->statement_ids[view->statements] =
            dup_or_empty(json_string_value(json_object_get(event, "id")));
        view->statements++;
    } else if (type && strcmp(type, "error") == 0 && view->errors < MAX_FILES * 4) {
        view->error_files[view->errors++] = dup_or_empty(file);
    }
    view->count++;
    json_decref(root);
}

/* Read every segment as bytes on disk: complete lines only, seq 1..n, whole groups. */
static void check_journal_files(const run_dirs_t *dirs, journal_view_t *view)
{
    char *names[MAX_FILES];
    size_t count = 0;
    if (list_folder(dirs->state, names, MAX_FILES, &count) < 0) {
        if (count == 0 && access(dirs->state, F_OK) != 0)
            return; /* the journal was never created: nothing to check */
        problem("cannot list %s", dirs->state);
    }
    uint64_t expected_seq = 1;
    size_t group_left = 0;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(names[i], "journal-", 8) != 0)
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dirs->state, names[i]);
        size_t size = 0;
        unsigned char *bytes = read_whole(path, &size);
        if (!bytes) {
            problem("cannot read %s", path);
            continue;
        }
        if (size > 0 && bytes[size - 1] != '\n')
            problem("%s: torn last line (no newline at the end)", names[i]);
        char *line = (char *)bytes;
        char *end = (char *)bytes + size;
        while (line < end) {
            char *newline = memchr(line, '\n', (size_t)(end - line));
            size_t length = newline ? (size_t)(newline - line) : (size_t)(end - line);
            if (newline)
                check_line(line, length, &expected_seq, &group_left, view, names[i]);
            line += length + 1;
        }
        free(bytes);
    }
    if (group_left > 0)
        problem("half group: %zu line(s) of the last group missing", group_left);
    free_names(names, count);
}

/* Where is the statement named name? 'i', 'd', 'f' for each folder holding it. */
static void locate(const run_dirs_t *dirs, const statement_t *statement, char *where,
                   size_t where_size)
{
    const char *folders[3] = {dirs->incoming, dirs->done, dirs->failed};
    const char letters[3] = {'i', 'd', 'f'};
    size_t n = 0;
    for (size_t k = 0; k < 3; k++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", folders[k], statement->name);
        size_t size = 0;
        unsigned char *bytes = read_whole(path, &size);
        if (!bytes)
            continue;
        if (size != statement->size || memcmp(bytes, statement->bytes, size) != 0)
            problem("%s/%s: bytes changed", folders[k], statement->name);
        free(bytes);
        if (n + 1 < where_size)
            where[n++] = letters[k];
    }
    where[n] = '\0';
}

static size_t count_ids(const journal_view_t *view, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < view->statements; i++)
        n += strcmp(view->statement_ids[i], id) == 0;
    return n;
}

/* Statements journalled from this very file (its name and its content). */
static size_t count_named(const journal_view_t *view, const statement_t *statement)
{
    size_t n = 0;
    for (size_t i = 0; i < view->statements; i++)
        n += strcmp(view->statement_ids[i], statement->id) == 0 &&
             strcmp(view->statement_files[i], statement->name) == 0;
    return n;
}

static unsigned long long notes_error_file; /* failed/ files left without NAME.error.json */
static unsigned long long notes_transient;  /* good statements sent to failed/ by a fault */

/* Files against journal. final: after the restart (nothing may stay in incoming/). */
static void check_files(const run_dirs_t *dirs, const journal_view_t *view, bool final)
{
    for (size_t i = 0; i < statement_count; i++) {
        const statement_t *statement = &statements[i];
        char where[8];
        locate(dirs, statement, where, sizeof where);
        size_t journalled = count_ids(view, statement->id);
        if (strlen(where) != 1) {
            problem("%s is in %s (must be in exactly one of incoming/done/failed)",
                    statement->name, where[0] ? where : "no folder: LOST");
            continue;
        }
        if (journalled > 1)
            problem("%s: its content journalled %zu times", statement->name, journalled);
        if (where[0] == 'd' && journalled == 0)
            problem("%s is in done/ but its statement is not journalled", statement->name);
        if (where[0] == 'f' && count_named(view, statement) > 0)
            problem("%s is in failed/ but its statement was journalled", statement->name);
        if (final && where[0] == 'i')
            problem("%s still in incoming/ after the restart", statement->name);
        if (final && where[0] == 'f') {
            /* The move happened but writing the explanation failed: logged by the
             * spool, not an inconsistency of the journal; counted as a note. */
            char path[4400];
            snprintf(path, sizeof path, "%s/%s.error.json", dirs->failed, statement->name);
            if (access(path, F_OK) != 0)
                notes_error_file++;
            if (strcmp(statement->name, REFUSED_NAME) != 0)
                notes_transient++;
        }
    }
    /* after the restart, every error event names a file that is in failed/ */
    for (size_t i = 0; final && i < view->errors; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dirs->failed, view->error_files[i]);
        if (access(path, F_OK) != 0)
            problem("error event for %s, which is not in failed/", view->error_files[i]);
    }
    /* a journalled statement names one of the files with its content */
    for (size_t i = 0; i < view->statements; i++) {
        bool named = false;
        for (size_t k = 0; k < statement_count; k++)
            named |= strcmp(statements[k].id, view->statement_ids[i]) == 0 &&
                     strcmp(statements[k].name, view->statement_files[i]) == 0;
        if (!named)
            problem("statement journalled under the name %s, not a file with its content",
                    view->statement_files[i]);
    }
}

/* Reopen with the real code: it must open and agree with what the files say. */
static void check_reopen(const run_dirs_t *dirs, const journal_view_t *view)
{
    char error[512];
    rw_journal_options_t options = {.dir = dirs->state};
    rw_journal_t *journal = rw_journal_new(&options, error, sizeof error);
    if (!journal) {
        problem("the journal does not open: %s", error);
        return;
    }
    if (rw_journal_last_seq(journal) != view->count)
        problem("journal says last seq %llu, its files hold %llu lines",
                (unsigned long long)rw_journal_last_seq(journal),
                (unsigned long long)view->count);
    rw_journal_cursor_t *cursor = rw_journal_cursor_new(journal, 1);
    uint64_t expected = 1, seq;
    const char *topic, *body;
    int got;
    while (cursor && (got = rw_journal_cursor_next(cursor, &seq, &topic, &body)) == 1) {
        if (seq != expected)
            problem("cursor: seq %llu where %llu was expected", (unsigned long long)seq,
                    (unsigned long long)expected);
        expected = seq + 1;
    }
    if (expected - 1 != view->count)
        problem("cursor read %llu entries, the files hold %llu",
                (unsigned long long)(expected - 1), (unsigned long long)view->count);
    rw_journal_cursor_destroy(&cursor);
    for (size_t i = 0; i < statement_count; i++) {
        bool has = rw_journal_has_content(journal, statements[i].id);
        if (has != (count_ids(view, statements[i].id) > 0))
            problem("journal content ids disagree with its lines for %s", statements[i].name);
    }
    rw_journal_destroy(&journal);
}

static void check_state(const run_dirs_t *dirs, bool final)
{
    journal_view_t view = {0};
    check_journal_files(dirs, &view);
    check_files(dirs, &view, final);
    if (final)
        check_reopen(dirs, &view);
    view_clear(&view);
}

/* ---- one case, the loop, the summary --------------------------------------------- */

static unsigned long long injected[KIND_COUNT];
static unsigned long long clean_errors[KIND_COUNT]; /* runs where the fault made a pass fail */
static unsigned long long runs_total;

/* ---- the real daemon (-d): the wrapped recwatchd, armed from its environment ---- */

static const char *daemon_path;   /* -d: tests/fault/build/recwatchd-fault */
static unsigned long daemon_counts[KIND_COUNT]; /* calls the last pass made */
static unsigned long first_pass_counts[KIND_COUNT]; /* ... the last faulty pass made */
#define SANITIZER_EXIT 86         /* the daemon's exit status when ASan/UBSan/LSan report */

static int write_config(const run_dirs_t *dirs, char *path, size_t path_size)
{
    snprintf(path, path_size, "%s/recwatch.conf", dirs->root);
    FILE *file = fopen(path, "w");
    if (!file)
        return -1;
    fprintf(file,
            "node = \"%s\";\n"
            "spool: { incoming = \"incoming\"; done = \"done\"; failed = \"failed\"; };\n"
            "state: { dir = \"state\"; };\n"
            "publish: { endpoints = [ \"ipc://%s/pub\" ]; heartbeat_s = 1; };\n"
            "replay: { endpoint = \"ipc://%s/replay\"; };\n"
            "extract: { languages = [ \"en\", \"fr\", \"es\" ]; lexicons = \"%s\";\n"
            "           min_confidence = 0.5; };\n"
            "log: { level = \"info\"; };\n",
            NODE, dirs->root, dirs->root, LEXICON_DIR);
    return fclose(file) == 0 ? 0 : -1;
}

static size_t incoming_count(const run_dirs_t *dirs)
{
    char *names[MAX_FILES];
    size_t count = 0;
    list_folder(dirs->incoming, names, MAX_FILES, &count);
    free_names(names, count);
    return count;
}

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Start the daemon on dirs (armed with kind/n when n > 0), let it take the files, stop
 * it with SIGTERM once incoming/ is empty (or after a few seconds: a file whose move
 * failed stays there until a restart), and judge how it ended. 0 when it stopped or
 * failed cleanly (exit 0 or 1); -1 on a crash or a sanitizer report (a problem). */
static int daemon_run(const run_dirs_t *dirs, fault_kind_t kind, unsigned long n, bool *reached)
{
    char config[4400], report[4400], log[4400];
    snprintf(report, sizeof report, "%s/fault-report", dirs->root);
    snprintf(log, sizeof log, "%s/daemon.log", dirs->root);
    if (write_config(dirs, config, sizeof config) < 0) {
        problem("cannot write %s", config);
        return -1;
    }
    unlink(report);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        problem("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        char at[32];
        snprintf(at, sizeof at, "%lu", n);
        setenv("RW_FAULT_KIND", fault_kind_names[kind], 1);
        setenv("RW_FAULT_AT", at, 1);
        setenv("RW_FAULT_REPORT", report, 1);
        if (trace)
            setenv("RW_FAULT_TRACE", "1", 1);
        setenv("ASAN_OPTIONS", "exitcode=86:detect_leaks=1", 1);
        setenv("UBSAN_OPTIONS", "exitcode=86:halt_on_error=1:print_stacktrace=1", 1);
        if (!freopen(log, "a", stdout) || !freopen(log, "a", stderr))
            _exit(2);
        execl(daemon_path, "recwatchd", "-f", "-c", config, (char *)NULL);
        _exit(127);
    }
    double started = now_seconds(), empty_since = 0;
    bool signalled = false;
    int status = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        double now = now_seconds();
        if (!signalled) {
            bool empty = incoming_count(dirs) == 0;
            if (empty && empty_since == 0)
                empty_since = now;
            if ((empty && now - empty_since > 0.3) || now - started > 6.0) {
                kill(pid, SIGTERM);
                signalled = true;
            }
        } else if (now - started > 30.0) {
            kill(pid, SIGKILL);
        }
        usleep(20000);
    }
    *reached = false;
    memset(daemon_counts, 0, sizeof daemon_counts);
    FILE *file = fopen(report, "r");
    if (file) {
        int hit_flag = 0;
        if (fscanf(file, "%d", &hit_flag) == 1)
            *reached = hit_flag == 1;
        for (int k = 0; k < KIND_COUNT; k++)
            if (fscanf(file, "%lu", &daemon_counts[k]) != 1)
                break;
        fclose(file);
    }
    if (WIFSIGNALED(status)) {
        problem("the daemon died of signal %d (log: %s)", WTERMSIG(status), log);
        return -1;
    }
    if (WEXITSTATUS(status) == SANITIZER_EXIT) {
        problem("the daemon ended with a sanitizer report (log: %s)", log);
        return -1;
    }
    if (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 1) {
        problem("the daemon exited %d (log: %s)", WEXITSTATUS(status), log);
        return -1;
    }
    if (!file) {
        problem("the daemon wrote no fault report (log: %s)", log);
        return -1;
    }
    return WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* One pass of the daemon with kind's nth call failing (n = 0: no fault); status of the
 * pass (<0 or 1: it ended in an error); *reached: the nth call happened. */
static int one_pass(const run_dirs_t *dirs, fault_kind_t kind, unsigned long n, bool *reached)
{
    if (daemon_path)
        return daemon_run(dirs, kind, n, reached);
    fault_set_trace(trace);
    fault_arm(kind, n);
    int status = daemon_pass(dirs);
    fault_disarm();
    *reached = fault_was_hit();
    for (int k = 0; k < KIND_COUNT; k++)
        daemon_counts[k] = fault_calls((fault_kind_t)k);
    return status;
}

/* Run the scenario with the Nth call of kind failing. true when the Nth call was
 * reached. counting: add to the summary (not for a rerun that shows the stack). */
static bool run_case(fault_kind_t kind, unsigned long n, bool counting)
{
    char label[64];
    snprintf(label, sizeof label, "%s #%lu", fault_kind_names[kind], n);
    case_label = label;
    run_dirs_t dirs;
    memset(&dirs, 0, sizeof dirs);
    if (make_run_dirs(&dirs) < 0) {
        fprintf(stderr, "fault_run: cannot set up %s: %s\n", dirs.root, strerror(errno));
        exit(2);
    }
    bool reached = false;
    int status = one_pass(&dirs, kind, n, &reached);
    memcpy(first_pass_counts, daemon_counts, sizeof first_pass_counts);
    runs_total += counting;
    if (reached && counting) {
        injected[kind]++;
        if (status != 0)
            clean_errors[kind]++;
    }
    check_state(&dirs, false);
    /* The restart: the daemon starts again with the disk healthy. */
    bool ignored;
    if (one_pass(&dirs, kind, 0, &ignored) != 0)
        problem("the restart without faults failed");
    check_state(&dirs, true);
    if (keep)
        printf("fault_run: %s: kept %s\n", label, dirs.root);
    else
        remove_run_dirs(&dirs);
    return reached;
}

static int load_statement(const char *path)
{
    if (statement_count == MAX_FILES) {
        fprintf(stderr, "fault_run: at most %d statements\n", MAX_FILES);
        return -1;
    }
    statement_t *statement = &statements[statement_count];
    statement->bytes = read_whole(path, &statement->size);
    if (!statement->bytes) {
        fprintf(stderr, "fault_run: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    const char *slash = strrchr(path, '/');
    statement->name = strdup(slash ? slash + 1 : path);
    if (!statement->name)
        return -1;
    rw_event_content_id(statement->bytes, statement->size, statement->id);
    statement_count++;
    return 0;
}

static int add_statement(const char *name, const unsigned char *bytes, size_t size)
{
    if (statement_count == MAX_FILES)
        return -1;
    statement_t *statement = &statements[statement_count];
    statement->name = strdup(name);
    statement->bytes = malloc(size ? size : 1);
    if (!statement->name || !statement->bytes)
        return -1;
    memcpy(statement->bytes, bytes, size);
    statement->size = size;
    rw_event_content_id(statement->bytes, statement->size, statement->id);
    statement_count++;
    return 0;
}

int main(int argc, char **argv)
{
    int only_kind = -1;
    unsigned long only_n = 0;
    bool verbose = false;
    int option;
    unsigned long stride = 0;
    while ((option = getopt(argc, argv, "d:k:n:s:Ktv")) != -1) {
        if (option == 'd') {
            daemon_path = optarg;
            continue;
        }
        if (option == 's' && (stride = strtoul(optarg, NULL, 10)) > 0)
            continue;
        if (option == 'k' && (only_kind = fault_kind_parse(optarg)) >= 0)
            continue;
        if (option == 'n' && (only_n = strtoul(optarg, NULL, 10)) > 0)
            continue;
        if (option == 'v') {
            verbose = true;
            continue;
        }
        if (option == 'K') {
            keep = true;
            continue;
        }
        if (option == 't') {
            trace = true;
            continue;
        }
        fprintf(stderr, "usage: fault_run [-d RECWATCHD] [-k alloc|write|short-write|fsync|"
                        "rename|open] [-n N] [-s STRIDE] [-K] [-t] [-v] [FILE...]\n");
        return 2;
    }
    if (only_n > 0 && only_kind < 0) {
        fprintf(stderr, "fault_run: -n needs -k\n");
        return 2;
    }
    __sanitizer_set_death_callback(report_death);
    rw_log_set_level(verbose ? RW_LOG_DEBUG : (rw_log_level_t)0);

    static const char *const defaults[] = {
        CORPUS_DIR "/019_hrcsl-recommendations-truth-commission-bill.txt",
        CORPUS_DIR "/033_comite-contre-torture-conclusions-azerbaidjan.txt",
        CORPUS_DIR "/046_onudh-mexico-condena-asesinato-periodista.txt",
    };
    if (optind < argc) {
        for (int i = optind; i < argc; i++)
            if (load_statement(argv[i]) < 0)
                return 2;
    } else {
        for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
            if (load_statement(defaults[i]) < 0)
                return 2;
    }
    /* Two more files take the other roads of a batch: one that ingest refuses (it goes
     * to failed/ beside NAME.error.json, its error event journalled) and a copy of the
     * first statement under another name (a duplicate: to done/, not journalled). */
    if (add_statement(REFUSED_NAME, (const unsigned char *)"binary\0\0\0\0\0\0\0\0", 14) < 0 ||
        add_statement("zz-copy.txt", statements[0].bytes, statements[0].size) < 0)
        return 2;

    rw_strings_t languages = {0};
    char error[512];
    rw_strings_append(&languages, "en", 2);
    rw_strings_append(&languages, "fr", 2);
    rw_strings_append(&languages, "es", 2);
    rw_lexicon_t *loaded = rw_lexicon_new(LEXICON_DIR, &languages, error, sizeof error);
    rw_strings_clear(&languages);
    if (!loaded) {
        fprintf(stderr, "fault_run: lexicon: %s\n", error);
        return 2;
    }
    lexicon = loaded;

    /* A run without faults first: the scenario must be consistent on a healthy disk,
     * and it tells how many calls of each kind one run makes. */
    run_case(KIND_ALLOC, 0, true);
    unsigned long per_run[KIND_COUNT];
    memcpy(per_run, first_pass_counts, sizeof per_run);
    if (problems > 0) {
        fprintf(stderr, "fault_run: inconsistent even without faults\n");
        return 1;
    }
    printf("fault_run: %s; %zu files (%zu corpus statements, a refused file, a "
           "duplicate); one run makes %lu allocations, %lu writes, "
           "%lu fsyncs, %lu renames, %lu opens\n",
           daemon_path ? "the real daemon (-d)" : BATCH_CODE " batch code", statement_count, statement_count - 2, per_run[KIND_ALLOC], per_run[KIND_WRITE], per_run[KIND_FSYNC],
           per_run[KIND_RENAME], per_run[KIND_OPEN]);
    fflush(stdout);

    for (int k = 0; k < KIND_COUNT; k++) {
        if (only_kind >= 0 && k != only_kind)
            continue;
        unsigned long first = only_n ? only_n : 1;
        unsigned long n = first;
        /* every N, except allocations through the whole daemon (-d), where its start
         * (the lexicon) makes so many that about 60 evenly spread N are taken */
        unsigned long step = stride ? stride
                           : daemon_path && k == KIND_ALLOC ? per_run[k] / 60 + 1 : 1;
        bool reached;
        for (;;) {
            int before = problems;
            reached = run_case((fault_kind_t)k, n, true);
            if (problems > before && !trace) {
                /* the same case again, showing where the fault was injected */
                bool was_keep = keep;
                trace = true;
                keep = daemon_path != NULL; /* keep its log */
                run_case((fault_kind_t)k, n, false);
                trace = false;
                keep = was_keep;
            }
            if (!reached || only_n)
                break;
            n += step;
        }
        unsigned long last = reached ? n : n - step;
        printf("fault_run: %-11s N = %lu..%lu%s: %llu fault(s) injected, %llu made a pass end "
               "in an error, problems so far: %d\n",
               fault_kind_names[k], first, last, step > 1 ? " (sampled)" : "", injected[k],
               clean_errors[k], problems);
        fflush(stdout);
    }

    rw_lexicon_destroy(&loaded);
    for (size_t i = 0; i < statement_count; i++) {
        free(statements[i].name);
        free(statements[i].bytes);
    }
    unsigned long long total = 0;
    for (int k = 0; k < KIND_COUNT; k++)
        total += injected[k];
    printf("fault_run: %llu run(s), %llu fault(s) injected: ", runs_total, total);
    for (int k = 0; k < KIND_COUNT; k++)
        printf("%s%s %llu", k ? ", " : "", fault_kind_names[k], injected[k]);
    printf(" — %s\n", problems ? "INCONSISTENT" : "all consistent");
    if (notes_transient)
        printf("fault_run: note: %llu time(s) a good statement went to failed/ because of a "
               "transient fault (out of memory, EIO ...): it is not retried\n", notes_transient);
    if (notes_error_file)
        printf("fault_run: note: %llu run(s) left a file in failed/ without its .error.json "
               "(the write of the explanation failed; logged)\n", notes_error_file);
    if (problems)
        printf("fault_run: %d problem(s), listed above\n", problems);
    return problems ? 1 : 0;
}
