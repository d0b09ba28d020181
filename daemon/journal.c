/* journal.c — durable, append-only JSON-lines journal with group commit, crash
 * recovery, segment rotation, retention and cursors for replay. See journal.h for
 * the on-disk format and the guarantees. */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "sha256.h"

#define SEGMENT_PREFIX "journal-"
#define SEGMENT_SUFFIX ".jsonl"
#define SEGMENT_NAME_SIZE 40 /* "journal-" + 20 digits + ".jsonl" + NUL = 35 */
#define READ_CHUNK (64 * 1024)
#define STATEMENT_MARKER "\"type\":\"statement\""

/* ------------------------------------------------------------------------- */
/* Segments                                                                   */

typedef struct {
    uint64_t first_seq;       /* from the file name */
    unsigned long long bytes; /* committed bytes (fsync'd) */
    time_t mtime;             /* last write */
} segment_t;

/* ------------------------------------------------------------------------- */
/* Content ids: a set of 32-byte SHA-256 digests. Digests are stored densely in one
 * array; an open-addressing table of 32-bit indexes (index + 1, 0 = empty) points
 * into it. 100,000 statements take 3.2 MB of digests plus 1 MB of slots. */

typedef struct {
    uint8_t (*digests)[RW_SHA256_DIGEST_SIZE];
    size_t count, capacity;
    uint32_t *slots;
    size_t slot_count; /* a power of two, or 0 */
} content_set_t;

/* Growable text buffer for the lines of one append. */
typedef struct {
    char *data;
    size_t length, capacity;
} text_buffer_t;

struct rw_journal_t {
    char *dir;
    int dir_fd;
    int lock_fd;
    int current_fd; /* newest segment, open for append; -1 when there is none */
    unsigned long long retain_bytes;
    unsigned retain_days;
    size_t segment_bytes;
    segment_t *segments; /* oldest first */
    size_t segment_count, segment_capacity;
    uint64_t last_seq;
    uint64_t seq_file_value; /* what the seq file holds */
    content_set_t content;
    text_buffer_t text;      /* the lines of the last append, reused from one to the next */
    bool broken; /* a failed append could not be undone: refuse further appends */
    bool warned_bad_line;
};

/* Reads complete lines from a file, up to an optional limit. */
typedef struct {
    int fd;
    off_t offset; /* file offset of buffer[0] */
    char *buffer;
    size_t used, consumed, capacity;
} line_reader_t;

struct rw_journal_cursor_t {
    rw_journal_t *journal;
    uint64_t since;
    uint64_t segment_first; /* segment being read */
    bool has_segment;
    line_reader_t reader;
    char *topic;    /* owned copy for the current entry */
    char *dumped;   /* owned body when the line could not be sliced */
    bool warned_bad_line;
};

/* ------------------------------------------------------------------------- */

static uint64_t digest_hash(const uint8_t *digest)
{
    uint64_t hash;
    memcpy(&hash, digest, sizeof hash);
    return hash;
}

static bool content_set_contains(const content_set_t *set, const uint8_t *digest)
{
    if (set->slot_count == 0)
        return false;
    size_t mask = set->slot_count - 1;
    for (size_t i = digest_hash(digest) & mask; set->slots[i] != 0; i = (i + 1) & mask) {
        if (memcmp(set->digests[set->slots[i] - 1], digest, RW_SHA256_DIGEST_SIZE) == 0)
            return true;
    }
    return false;
}

static void content_set_place(content_set_t *set, uint32_t index)
{
    size_t mask = set->slot_count - 1;
    size_t i = digest_hash(set->digests[index]) & mask;
    while (set->slots[i] != 0)
        i = (i + 1) & mask;
    set->slots[i] = index + 1;
}

static int content_set_add(content_set_t *set, const uint8_t *digest)
{
    if (content_set_contains(set, digest))
        return 0;
    if (set->count >= UINT32_MAX - 1)
        return -ENOMEM;
    if (set->count == set->capacity) {
        size_t capacity = set->capacity ? set->capacity + set->capacity / 2 : 1024;
        void *grown = realloc(set->digests, capacity * RW_SHA256_DIGEST_SIZE);
        if (!grown)
            return -ENOMEM;
        set->digests = grown;
        set->capacity = capacity;
    }
    if ((set->count + 1) * 4 > set->slot_count * 3) {
        size_t slot_count = set->slot_count ? set->slot_count * 2 : 2048;
        uint32_t *slots = calloc(slot_count, sizeof *slots);
        if (!slots)
            return -ENOMEM;
        free(set->slots);
        set->slots = slots;
        set->slot_count = slot_count;
        for (size_t i = 0; i < set->count; i++)
            content_set_place(set, (uint32_t)i);
    }
    memcpy(set->digests[set->count], digest, RW_SHA256_DIGEST_SIZE);
    content_set_place(set, (uint32_t)set->count);
    set->count++;
    return 0;
}

static void content_set_free(content_set_t *set)
{
    free(set->digests);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

/* ------------------------------------------------------------------------- */
/* Line reader                                                               */

static void line_reader_open(line_reader_t *reader, int fd)
{
    reader->fd = fd;
    reader->offset = 0;
    reader->used = 0;
    reader->consumed = 0;
}

/* 1: *line is the next complete line (its '\n' replaced by NUL), *line_offset its
 * file offset; 0: no complete line before limit (or end of file); <0: error.
 * limit < 0 means "up to the end of the file". */
static int line_reader_next(line_reader_t *reader, off_t limit, char **line, size_t *length,
                            off_t *line_offset)
{
    for (;;) {
        size_t available = reader->used - reader->consumed;
        char *start = available ? reader->buffer + reader->consumed : reader->buffer;
        char *newline = available ? memchr(start, '\n', available) : NULL;
        if (newline) {
            *newline = '\0';
            *line = start;
            *length = (size_t)(newline - start);
            *line_offset = reader->offset + (off_t)reader->consumed;
            reader->consumed += *length + 1;
            return 1;
        }
        if (reader->consumed > 0) {
            if (available > 0)
                memmove(reader->buffer, start, available);
            reader->offset += (off_t)reader->consumed;
            reader->used = available;
            reader->consumed = 0;
        }
        if (reader->used == reader->capacity) {
            size_t capacity = reader->capacity ? reader->capacity * 2 : READ_CHUNK;
            char *grown = realloc(reader->buffer, capacity);
            if (!grown)
                return -ENOMEM;
            reader->buffer = grown;
            reader->capacity = capacity;
        }
        off_t position = reader->offset + (off_t)reader->used;
        size_t room = reader->capacity - reader->used;
        if (limit >= 0) {
            if (position >= limit)
                return 0;
            if ((off_t)room > limit - position)
                room = (size_t)(limit - position);
        }
        ssize_t got = pread(reader->fd, reader->buffer + reader->used, room, position);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (got == 0)
            return 0;
        reader->used += (size_t)got;
    }
}

/* Bytes read after the last complete line (a torn tail). */
static size_t line_reader_leftover(const line_reader_t *reader)
{
    return reader->used - reader->consumed;
}

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */

static void segment_name(uint64_t first_seq, char name[SEGMENT_NAME_SIZE])
{
    snprintf(name, SEGMENT_NAME_SIZE, SEGMENT_PREFIX "%020" PRIu64 SEGMENT_SUFFIX, first_seq);
}

/* true when name is "journal-<20 digits>.jsonl"; *first_seq gets the number. */
static bool segment_parse_name(const char *name, uint64_t *first_seq)
{
    size_t prefix = strlen(SEGMENT_PREFIX);
    if (strlen(name) != prefix + 20 + strlen(SEGMENT_SUFFIX) ||
        strncmp(name, SEGMENT_PREFIX, prefix) != 0 ||
        strcmp(name + prefix + 20, SEGMENT_SUFFIX) != 0)
        return false;
    uint64_t value = 0;
    for (size_t i = prefix; i < prefix + 20; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        unsigned digit = (unsigned)(name[i] - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *first_seq = value;
    return true;
}

static int compare_segments(const void *left, const void *right)
{
    const segment_t *a = left, *b = right;
    return a->first_seq < b->first_seq ? -1 : a->first_seq > b->first_seq;
}

static int fsync_dir(rw_journal_t *self)
{
    if (fsync(self->dir_fd) < 0) {
        int error = errno;
        rw_error("journal: fsync of folder %s failed: %s", self->dir, strerror(error));
        return -error;
    }
    return 0;
}

/* Parse the decimal after "{\"seq\":" at the start of a line (fast path for
 * skipping); false when the line does not start that way. */
static bool line_quick_seq(const char *line, uint64_t *seq)
{
    static const char prefix[] = "{\"seq\":";
    if (strncmp(line, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *digits = line + sizeof prefix - 1;
    if (*digits < '0' || *digits > '9')
        return false;
    uint64_t value = 0;
    for (; *digits >= '0' && *digits <= '9'; digits++) {
        unsigned digit = (unsigned)(*digits - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *seq = value;
    return *digits == ',';
}

/* Parse a whole journal line. NULL when it is not a JSON object with an integer
 * "seq" >= 1, a string "topic" and an object "event". */
static json_t *line_parse(const char *line, size_t length, uint64_t *seq)
{
    json_t *root = json_loadb(line, length, 0, NULL);
    if (!root)
        return NULL;
    json_t *seq_value = json_object_get(root, "seq");
    if (!json_is_object(root) || !json_is_integer(seq_value) ||
        json_integer_value(seq_value) < 1 || !json_is_string(json_object_get(root, "topic")) ||
        !json_is_object(json_object_get(root, "event"))) {
        json_decref(root);
        return NULL;
    }
    *seq = (uint64_t)json_integer_value(seq_value);
    return root;
}

/* Add the content id of a parsed line when it is a statement event. */
static int note_content(rw_journal_t *self, json_t *event)
{
    const char *type = json_string_value(json_object_get(event, "type"));
    if (!type || strcmp(type, "statement") != 0)
        return 0;
    uint8_t digest[RW_SHA256_DIGEST_SIZE];
    if (!rw_sha256_parse_id(json_string_value(json_object_get(event, "id")), digest))
        return 0;
    return content_set_add(&self->content, digest);
}

/* ------------------------------------------------------------------------- */
/* The seq file: last seq, written atomically so that seq survives retention.  */

static int seq_file_write(rw_journal_t *self, uint64_t value)
{
    if (value == self->seq_file_value)
        return 0;
    char text[32];
    int length = snprintf(text, sizeof text, "%" PRIu64 "\n", value);
    int fd = openat(self->dir_fd, "seq.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        int error = errno;
        rw_error("journal: cannot create %s/seq.tmp: %s", self->dir, strerror(error));
        return -error;
    }
    int error = 0;
    if (write(fd, text, (size_t)length) != length)
        error = errno ? errno : EIO;
    else if (fsync(fd) < 0)
        error = errno;
    close(fd);
    if (!error && renameat(self->dir_fd, "seq.tmp", self->dir_fd, "seq") < 0)
        error = errno;
    if (error) {
        rw_error("journal: cannot write %s/seq: %s", self->dir, strerror(error));
        unlinkat(self->dir_fd, "seq.tmp", 0);
        return -error;
    }
    int synced = fsync_dir(self);
    if (synced < 0)
        return synced;
    self->seq_file_value = value;
    return 0;
}

static uint64_t seq_file_read(rw_journal_t *self)
{
    int fd = openat(self->dir_fd, "seq", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            rw_warning("journal: cannot open %s/seq: %s", self->dir, strerror(errno));
        return 0;
    }
    char text[32] = {0};
    ssize_t got = read(fd, text, sizeof text - 1);
    close(fd);
    char *end = NULL;
    errno = 0;
    unsigned long long value = got > 0 ? strtoull(text, &end, 10) : 0;
    if (got <= 0 || errno || end == text || (*end != '\n' && *end != '\0')) {
        rw_warning("journal: %s/seq is unreadable or malformed; ignoring it", self->dir);
        return 0;
    }
    self->seq_file_value = value;
    return value;
}

/* ------------------------------------------------------------------------- */
/* Opening and recovery                                                       */

static int make_folders(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    for (char *slash = strchr(copy + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash)
            *slash = '\0';
        if (mkdir(copy, 0750) < 0 && errno != EEXIST) {
            int error = errno;
            free(copy);
            return -error;
        }
        if (!slash)
            break;
        *slash = '/';
    }
    free(copy);
    return 0;
}

static int segments_push(rw_journal_t *self, uint64_t first_seq, unsigned long long bytes,
                         time_t mtime)
{
    if (self->segment_count == self->segment_capacity) {
        size_t capacity = self->segment_capacity ? self->segment_capacity * 2 : 16;
        segment_t *grown = realloc(self->segments, capacity * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        self->segments = grown;
        self->segment_capacity = capacity;
    }
    self->segments[self->segment_count++] =
        (segment_t){.first_seq = first_seq, .bytes = bytes, .mtime = mtime};
    return 0;
}

static int list_segments(rw_journal_t *self)
{
    int fd = openat(self->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        int error = errno;
        if (fd >= 0)
            close(fd);
        return -error;
    }
    int result = 0;
    const struct dirent *entry;
    while (result == 0 && (entry = readdir(dir)) != NULL) {
        uint64_t first_seq;
        if (!segment_parse_name(entry->d_name, &first_seq))
            continue;
        struct stat info;
        if (fstatat(self->dir_fd, entry->d_name, &info, 0) < 0) {
            result = -errno;
            rw_error("journal: cannot stat %s/%s: %s", self->dir, entry->d_name,
                     strerror(errno));
            break;
        }
        result = segments_push(self, first_seq, (unsigned long long)info.st_size,
                               info.st_mtime);
    }
    closedir(dir);
    if (self->segment_count > 1)
        qsort(self->segments, self->segment_count, sizeof *self->segments, compare_segments);
    return result;
}

/* Read every committed line of one segment, collecting statement content ids.
 * Only lines that mention a statement type are parsed in full. */
/* Open a segment by its first seq; its name goes to name. fd, or negative errno
 * (logged). */
static int open_segment(rw_journal_t *self, const segment_t *segment, int flags,
                        char name[SEGMENT_NAME_SIZE])
{
    segment_name(segment->first_seq, name);
    int fd = openat(self->dir_fd, name, flags | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        rw_error("journal: cannot open %s/%s: %s", self->dir, name, strerror(error));
        return -error;
    }
    return fd;
}

static int scan_content(rw_journal_t *self, const segment_t *segment)
{
    char name[SEGMENT_NAME_SIZE];
    int fd = open_segment(self, segment, O_RDONLY, name);
    if (fd < 0)
        return fd;
    line_reader_t reader = {0};
    line_reader_open(&reader, fd);
    int result;
    char *line;
    size_t length;
    off_t offset;
    while ((result = line_reader_next(&reader, (off_t)segment->bytes, &line, &length,
                                      &offset)) == 1) {
        if (!memmem(line, length, STATEMENT_MARKER, strlen(STATEMENT_MARKER)))
            continue;
        uint64_t seq;
        json_t *root = line_parse(line, length, &seq);
        if (!root) {
            if (!self->warned_bad_line)
                rw_warning("journal: %s/%s: line at byte %lld is not valid JSON; skipped",
                           self->dir, name, (long long)offset);
            self->warned_bad_line = true;
            continue;
        }
        result = note_content(self, json_object_get(root, "event"));
        json_decref(root);
        if (result < 0)
            break;
    }
    if (result < 0)
        rw_error("journal: reading %s/%s failed: %s", self->dir, name, strerror(-result));
    free(reader.buffer);
    close(fd);
    return result < 0 ? result : 0;
}

/* Check the newest segment line by line and cut back what a crash left behind: a
 * line without its newline, an unparseable last line, or a group whose lines are
 * not all there. *last_seq gets the seq of the last line kept (0 when none). */
static int recover_newest(rw_journal_t *self, segment_t *segment, uint64_t *last_seq)
{
    char name[SEGMENT_NAME_SIZE];
    int fd = open_segment(self, segment, O_RDWR, name);
    if (fd < 0)
        return fd;
    line_reader_t reader = {0};
    line_reader_open(&reader, fd);
    off_t good_end = 0;       /* end of the last line that may be kept */
    uint64_t good_seq = 0;    /* its seq */
    uint64_t pending_seq = 0; /* seq of the newest line of an unfinished group */
    size_t group_left = 0;    /* lines still expected in the current group */
    char *line = NULL;
    size_t length = 0;
    off_t offset = 0;
    int result;
    while ((result = line_reader_next(&reader, -1, &line, &length, &offset)) == 1) {
        uint64_t seq = 0;
        json_t *root = line_parse(line, length, &seq);
        if (!root) {
            rw_warning("journal: %s/%s: line at byte %lld is not valid JSON", self->dir, name,
                       (long long)offset);
            if (group_left > 0)
                group_left--;
            continue;
        }
        json_t *group = json_object_get(root, "group");
        if (json_is_integer(group) && json_integer_value(group) > 1)
            group_left = (size_t)json_integer_value(group) - 1;
        else if (group_left > 0)
            group_left--;
        json_decref(root);
        pending_seq = seq;
        if (group_left == 0) {
            good_end = offset + (off_t)length + 1;
            good_seq = pending_seq;
        }
    }
    if (result < 0) {
        rw_error("journal: reading %s/%s failed: %s", self->dir, name, strerror(-result));
        free(reader.buffer);
        close(fd);
        return result;
    }
    off_t size = reader.offset + (off_t)reader.used;
    free(reader.buffer);
    if (size > good_end) {
        rw_warning("journal: %s/%s: cutting back %lld bytes left by an interrupted write "
                   "(torn line or incomplete group)",
                   self->dir, name, (long long)(size - good_end));
        if (ftruncate(fd, good_end) < 0 || fsync(fd) < 0) {
            int error = errno;
            rw_error("journal: cannot truncate %s/%s: %s", self->dir, name, strerror(error));
            close(fd);
            return -error;
        }
    }
    close(fd);
    segment->bytes = (unsigned long long)good_end;
    *last_seq = good_seq;
    return 0;
}

static int open_current(rw_journal_t *self)
{
    const segment_t *newest = &self->segments[self->segment_count - 1];
    char name[SEGMENT_NAME_SIZE];
    segment_name(newest->first_seq, name);
    self->current_fd = openat(self->dir_fd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (self->current_fd < 0) {
        int error = errno;
        rw_error("journal: cannot open %s/%s for appending: %s", self->dir, name,
                 strerror(error));
        return -error;
    }
    return 0;
}

static int journal_recover(rw_journal_t *self)
{
    uint64_t from_file = seq_file_read(self);
    int result = list_segments(self);
    if (result < 0)
        return result;
    uint64_t from_segments = 0;
    if (self->segment_count > 0) {
        segment_t *newest = &self->segments[self->segment_count - 1];
        result = recover_newest(self, newest, &from_segments);
        if (result < 0)
            return result;
        if (from_segments == 0 && newest->first_seq > 0)
            from_segments = newest->first_seq - 1; /* empty newest segment */
    }
    for (size_t i = 0; i < self->segment_count; i++) {
        result = scan_content(self, &self->segments[i]);
        if (result < 0)
            return result;
    }
    self->last_seq = from_file > from_segments ? from_file : from_segments;
    if (from_file > from_segments)
        rw_info("journal: seq continues from %s/seq (%" PRIu64 ")", self->dir, from_file);
    if (self->segment_count > 0) {
        result = open_current(self);
        if (result < 0)
            return result;
    }
    return 0;
}

rw_journal_t *rw_journal_new(const rw_journal_options_t *options, char *error,
                             size_t error_size)
{
    if (!options || !options->dir || !*options->dir) {
        snprintf(error, error_size, "journal: no state folder given");
        return NULL;
    }
    rw_journal_t *self = calloc(1, sizeof *self);
    if (!self || !(self->dir = strdup(options->dir))) {
        free(self);
        snprintf(error, error_size, "journal: out of memory");
        return NULL;
    }
    self->dir_fd = self->lock_fd = self->current_fd = -1;
    self->retain_bytes = options->retain_bytes;
    self->retain_days = options->retain_days;
    self->segment_bytes =
        options->segment_bytes ? options->segment_bytes : RW_JOURNAL_DEFAULT_SEGMENT_BYTES;

    int result = make_folders(self->dir);
    if (result < 0) {
        snprintf(error, error_size, "journal: cannot create folder %s: %s", self->dir,
                 strerror(-result));
        goto failed;
    }
    self->dir_fd = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (self->dir_fd < 0) {
        snprintf(error, error_size, "journal: cannot open folder %s: %s", self->dir,
                 strerror(errno));
        goto failed;
    }
    self->lock_fd = openat(self->dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (self->lock_fd < 0) {
        snprintf(error, error_size, "journal: cannot open %s/lock: %s", self->dir,
                 strerror(errno));
        goto failed;
    }
    if (flock(self->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        snprintf(error, error_size, "journal: %s is in use by another process (%s)", self->dir,
                 strerror(errno));
        goto failed;
    }
    result = journal_recover(self);
    if (result < 0) {
        snprintf(error, error_size, "journal: cannot recover %s: %s", self->dir,
                 strerror(-result));
        goto failed;
    }
    rw_info("journal: %s: %zu segment(s), last seq %" PRIu64 ", %zu statement id(s)",
            self->dir, self->segment_count, self->last_seq, self->content.count);
    return self;

failed:
    rw_journal_destroy(&self);
    return NULL;
}

void rw_journal_destroy(rw_journal_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_journal_t *self = *self_p;
    if (self->current_fd >= 0)
        close(self->current_fd);
    if (self->lock_fd >= 0)
        close(self->lock_fd); /* releases the flock */
    if (self->dir_fd >= 0)
        close(self->dir_fd);
    content_set_free(&self->content);
    free(self->text.data);
    free(self->segments);
    free(self->dir);
    free(self);
    *self_p = NULL;
}

uint64_t rw_journal_last_seq(const rw_journal_t *self)
{
    return self->last_seq;
}

bool rw_journal_has_content(const rw_journal_t *self, const char *id)
{
    uint8_t digest[RW_SHA256_DIGEST_SIZE];
    return rw_sha256_parse_id(id, digest) && content_set_contains(&self->content, digest);
}

unsigned long long rw_journal_bytes(const rw_journal_t *self)
{
    unsigned long long total = 0;
    for (size_t i = 0; i < self->segment_count; i++)
        total += self->segments[i].bytes;
    return total;
}

size_t rw_journal_segment_count(const rw_journal_t *self)
{
    return self->segment_count;
}

uint64_t rw_journal_first_seq(const rw_journal_t *self)
{
    if (self->segment_count == 0 || self->segments[0].first_seq > self->last_seq)
        return 0;
    return self->segments[0].first_seq;
}

/* ------------------------------------------------------------------------- */
/* Appending                                                                  */

/* Make sure there is a current segment with room; a new one starts at last+1. */
static int ensure_segment(rw_journal_t *self)
{
    if (self->segment_count > 0) {
        const segment_t *newest = &self->segments[self->segment_count - 1];
        if (newest->bytes > 0 && newest->bytes < self->segment_bytes)
            return 0;
        if (newest->bytes == 0 && newest->first_seq == self->last_seq + 1)
            return 0; /* an empty segment made for exactly this seq */
        if (newest->bytes == 0) {
            /* Empty and misnamed (seq came from the seq file): replace it. */
            char old_name[SEGMENT_NAME_SIZE];
            segment_name(newest->first_seq, old_name);
            if (unlinkat(self->dir_fd, old_name, 0) < 0 && errno != ENOENT) {
                int error = errno;
                rw_error("journal: cannot remove empty %s/%s: %s", self->dir, old_name,
                         strerror(error));
                return -error;
            }
            self->segment_count--;
            if (self->current_fd >= 0)
                close(self->current_fd);
            self->current_fd = -1;
        }
    }
    char name[SEGMENT_NAME_SIZE];
    uint64_t first_seq = self->last_seq + 1;
    segment_name(first_seq, name);
    int fd = openat(self->dir_fd, name, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC,
                    0640);
    if (fd < 0) {
        int error = errno;
        rw_error("journal: cannot create %s/%s: %s", self->dir, name, strerror(error));
        return -error;
    }
    int result = segments_push(self, first_seq, 0, time(NULL));
    if (result == 0)
        result = fsync_dir(self);
    if (result < 0) {
        close(fd);
        unlinkat(self->dir_fd, name, 0);
        if (self->segment_count > 0 && self->segments[self->segment_count - 1].first_seq ==
                                           first_seq)
            self->segment_count--;
        return result;
    }
    if (self->current_fd >= 0)
        close(self->current_fd);
    self->current_fd = fd;
    rw_debug("journal: new segment %s/%s", self->dir, name);
    return 0;
}

/* Put back each event's "seq" as it was before the append. */
static void restore_seqs(rw_journal_entry_t *entries, size_t count, json_t **previous)
{
    for (size_t i = 0; i < count; i++) {
        if (previous[i])
            json_object_set_new(entries[i].event, "seq", previous[i]);
        else
            json_object_del(entries[i].event, "seq");
        previous[i] = NULL;
    }
}


static int text_append(text_buffer_t *text, const char *data, size_t length)
{
    if (text->length + length + 1 > text->capacity) {
        size_t capacity = text->capacity ? text->capacity : 4096;
        while (capacity < text->length + length + 1)
            capacity *= 2;
        char *grown = realloc(text->data, capacity);
        if (!grown)
            return -ENOMEM;
        text->data = grown;
        text->capacity = capacity;
    }
    memcpy(text->data + text->length, data, length);
    text->length += length;
    text->data[text->length] = '\0';
    return 0;
}

/* Where json_dump_callback writes: the text buffer, and whether an append failed. */
typedef struct {
    text_buffer_t *text;
    bool failed;
} dump_target_t;

static int dump_to_text(const char *buffer, size_t size, void *data)
{
    dump_target_t *target = data;
    if (text_append(target->text, buffer, size) < 0) {
        target->failed = true;
        return -1;
    }
    return 0;
}

/* Serialise json at the end of text; -ENOMEM on failure. Not json_dumps: jansson
 * (2.14 and before) ignores a failed write of an object key and carries on, so under
 * memory pressure json_dumps can return a text with a key missing — it looks whole,
 * does not parse, and would be fsync'd as committed (tests/fault found this). The
 * failure flag catches what the return value does not. */
static int dump_json(text_buffer_t *text, const json_t *json, size_t flags)
{
    dump_target_t target = {.text = text, .failed = false};
    if (json_dump_callback(json, dump_to_text, &target, flags) < 0 || target.failed)
        return -ENOMEM;
    return 0;
}

/* json_dumps without the damaged-text failure above: a new string, or NULL. */
static char *dumps_checked(const json_t *json, size_t flags)
{
    text_buffer_t text = {0};
    if (dump_json(&text, json, flags) < 0 || !text.data) {
        free(text.data);
        return NULL;
    }
    return text.data;
}

/* Append one journal line for an entry whose event already has its seq; *body_offset
 * gets where the event's text starts in the buffer. */
static int format_line(text_buffer_t *text, uint64_t seq, rw_journal_entry_t *entry,
                       size_t group, size_t *body_offset)
{
    json_t *topic = json_string(entry->topic);
    if (!topic)
        return -ENOMEM;
    char head[64];
    int head_length = snprintf(head, sizeof head, "{\"seq\":%" PRIu64 ",\"topic\":", seq);
    char middle[64];
    int middle_length = group > 1
                            ? snprintf(middle, sizeof middle, ",\"group\":%zu,\"event\":", group)
                            : snprintf(middle, sizeof middle, ",\"event\":");
    int result = text_append(text, head, (size_t)head_length);
    if (result == 0)
        result = dump_json(text, topic, JSON_ENCODE_ANY | JSON_COMPACT);
    if (result == 0)
        result = text_append(text, middle, (size_t)middle_length);
    *body_offset = text->length;
    if (result == 0)
        result = dump_json(text, entry->event, RW_EVENT_JSON_FLAGS);
    entry->body_length = text->length - *body_offset;
    if (result == 0)
        result = text_append(text, "}\n", 2);
    json_decref(topic);
    return result;
}

/* Undo a partial write: cut the current segment back to size. */
static void truncate_back(rw_journal_t *self, off_t size)
{
    if (ftruncate(self->current_fd, size) < 0 || fsync(self->current_fd) < 0) {
        rw_error("journal: cannot undo a failed append in %s (truncate to %lld): %s; "
                 "refusing further appends",
                 self->dir, (long long)size, strerror(errno));
        self->broken = true;
    }
}

static int write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (written == 0)
            return -EIO;
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

int rw_journal_append(rw_journal_t *self, rw_journal_entry_t *entries, size_t count)
{
    if (!self || (!entries && count > 0))
        return -EINVAL;
    if (count == 0)
        return 0;
    if (self->broken)
        return -EIO;
    for (size_t i = 0; i < count; i++) {
        if (!entries[i].topic || !json_is_object(entries[i].event))
            return -EINVAL;
    }
    json_t **previous = calloc(count, sizeof *previous);
    size_t *body_offsets = calloc(count, sizeof *body_offsets);
    if (!previous || !body_offsets) {
        free(previous);
        free(body_offsets);
        return -ENOMEM;
    }

    int result = ensure_segment(self);
    segment_t *segment = result == 0 ? &self->segments[self->segment_count - 1] : NULL;
    text_buffer_t *text = &self->text;
    text->length = 0;
    size_t seqs_set = 0; /* events whose "seq" was replaced, to undo on failure */
    for (size_t i = 0; result == 0 && i < count; i++) {
        uint64_t seq = self->last_seq + 1 + i;
        json_t *old = json_object_get(entries[i].event, "seq");
        previous[i] = old ? json_incref(old) : NULL;
        if (json_object_set_new(entries[i].event, "seq", json_integer((json_int_t)seq)) < 0) {
            json_decref(previous[i]);
            previous[i] = NULL;
            result = -ENOMEM;
            break;
        }
        seqs_set = i + 1;
        result = format_line(text, seq, &entries[i], i == 0 ? count : 0, &body_offsets[i]);
    }
    if (result == 0) {
        result = write_all(self->current_fd, text->data, text->length);
        if (result == 0 && fsync(self->current_fd) < 0)
            result = -errno;
        if (result < 0) {
            rw_error("journal: append of %zu event(s) to %s failed: %s", count, self->dir,
                     strerror(-result));
            truncate_back(self, (off_t)segment->bytes);
        }
    }
    if (result < 0) {
        restore_seqs(entries, seqs_set, previous);
        free(previous);
        free(body_offsets);
        return result;
    }

    /* Committed. */
    for (size_t i = 0; i < count; i++)
        json_decref(previous[i]);
    free(previous);
    for (size_t i = 0; i < count; i++)
        entries[i].body = text->data + body_offsets[i];
    free(body_offsets);
    segment->bytes += text->length;
    segment->mtime = time(NULL);
    self->last_seq += count;
    for (size_t i = 0; i < count; i++) {
        if (note_content(self, entries[i].event) < 0)
            rw_error("journal: out of memory recording a content id");
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Retention                                                                  */

int rw_journal_retain(rw_journal_t *self, time_t now)
{
    if (!self->retain_bytes && !self->retain_days)
        return 0;
    unsigned long long total = rw_journal_bytes(self);
    time_t max_age = (time_t)self->retain_days * 24 * 60 * 60;
    int removed = 0;
    while (self->segment_count > 1) {
        const segment_t *oldest = &self->segments[0];
        bool too_big = self->retain_bytes && total > self->retain_bytes;
        bool too_old = self->retain_days && oldest->mtime < now - max_age;
        if (!too_big && !too_old)
            break;
        if (removed == 0) {
            /* The seq must survive even if every old segment goes. */
            int result = seq_file_write(self, self->last_seq);
            if (result < 0)
                return result;
        }
        char name[SEGMENT_NAME_SIZE];
        segment_name(oldest->first_seq, name);
        if (unlinkat(self->dir_fd, name, 0) < 0 && errno != ENOENT) {
            int error = errno;
            rw_error("journal: cannot remove %s/%s: %s", self->dir, name, strerror(error));
            if (removed > 0)
                fsync_dir(self);
            return -error;
        }
        rw_info("journal: retention removed %s/%s (%llu bytes%s)", self->dir, name,
                oldest->bytes, too_old ? ", too old" : "");
        total -= oldest->bytes;
        memmove(self->segments, self->segments + 1,
                (self->segment_count - 1) * sizeof *self->segments);
        self->segment_count--;
        removed++;
    }
    if (removed > 0) {
        int result = fsync_dir(self);
        if (result < 0)
            return result;
    }
    return removed;
}

/* ------------------------------------------------------------------------- */
/* Cursors                                                                    */

rw_journal_cursor_t *rw_journal_cursor_new(rw_journal_t *self, uint64_t since)
{
    rw_journal_cursor_t *cursor = calloc(1, sizeof *cursor);
    if (!cursor)
        return NULL;
    cursor->journal = self;
    cursor->since = since;
    cursor->reader.fd = -1;
    return cursor;
}

/* Index of the segment to read after segment_first (or the first one to read), or
 * segment_count when there is none yet. */
static size_t cursor_next_segment(const rw_journal_cursor_t *self)
{
    const rw_journal_t *journal = self->journal;
    if (!self->has_segment) {
        /* The last segment whose first seq is <= since; else the oldest. */
        if (journal->segment_count == 0)
            return 0;
        size_t chosen = 0;
        for (size_t i = 1; i < journal->segment_count; i++) {
            if (journal->segments[i].first_seq > self->since)
                break;
            chosen = i;
        }
        return chosen;
    }
    for (size_t i = 0; i < journal->segment_count; i++) {
        if (journal->segments[i].first_seq > self->segment_first)
            return i;
    }
    return journal->segment_count;
}

/* Open the segment after the current one; 1 when one was opened, 0 when none. */
static int cursor_advance(rw_journal_cursor_t *self)
{
    rw_journal_t *journal = self->journal;
    for (;;) {
        size_t index = cursor_next_segment(self);
        if (index >= journal->segment_count)
            return 0;
        if (self->reader.fd >= 0) {
            if (line_reader_leftover(&self->reader) > 0)
                rw_warning("journal: cursor skipped a torn line at the end of segment %020" PRIu64,
                           self->segment_first);
            close(self->reader.fd);
            self->reader.fd = -1;
        }
        self->segment_first = journal->segments[index].first_seq;
        self->has_segment = true;
        char name[SEGMENT_NAME_SIZE];
        segment_name(self->segment_first, name);
        int fd = openat(journal->dir_fd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT)
                continue; /* removed by retention meanwhile: go on to the next */
            int error = errno;
            rw_error("journal: cursor cannot open %s/%s: %s", journal->dir, name,
                     strerror(error));
            return -error;
        }
        line_reader_open(&self->reader, fd);
        return 1;
    }
}

/* Committed size of the segment the cursor reads, or -1 if it is gone. */
static off_t cursor_limit(const rw_journal_cursor_t *self)
{
    const rw_journal_t *journal = self->journal;
    for (size_t i = 0; i < journal->segment_count; i++) {
        if (journal->segments[i].first_seq == self->segment_first)
            return (off_t)journal->segments[i].bytes;
    }
    return -1; /* removed by retention: read what the open file holds */
}

/* Point *body at the event text inside the line when the line has the layout this
 * journal writes; otherwise serialise the parsed event. */
static int cursor_set_body(rw_journal_cursor_t *self, char *line, size_t length, json_t *root,
                           const char **body)
{
    free(self->dumped);
    self->dumped = NULL;
    static const char marker[] = ",\"event\":";
    char *event = NULL;
    /* Skip "{"seq":N,"topic":<string>": the topic string is dumped again to find its
     * length exactly; the group field, if any, sits between topic and event. */
    json_t *topic_value = json_object_get(root, "topic");
    char *topic = dumps_checked(topic_value, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!topic)
        return -ENOMEM;
    char *topic_at = strstr(line, ",\"topic\":");
    if (topic_at && strncmp(topic_at + 9, topic, strlen(topic)) == 0) {
        char *after = topic_at + 9 + strlen(topic);
        if (strncmp(after, ",\"group\":", 9) == 0) {
            after += 9;
            while (*after >= '0' && *after <= '9')
                after++;
        }
        if (strncmp(after, marker, sizeof marker - 1) == 0)
            event = after + sizeof marker - 1;
    }
    free(topic);
    if (event && length >= 2 && line[length - 1] == '}' && event < line + length - 1) {
        line[length - 1] = '\0';
        *body = event;
        return 0;
    }
    self->dumped = dumps_checked(json_object_get(root, "event"), RW_EVENT_JSON_FLAGS);
    if (!self->dumped)
        return -ENOMEM;
    *body = self->dumped;
    return 0;
}

int rw_journal_cursor_next(rw_journal_cursor_t *self, uint64_t *seq, const char **topic,
                           const char **body)
{
    for (;;) {
        if (self->reader.fd < 0) {
            int opened = cursor_advance(self);
            if (opened <= 0)
                return opened;
        }
        char *line;
        size_t length;
        off_t offset;
        int result = line_reader_next(&self->reader, cursor_limit(self), &line, &length, &offset);
        if (result < 0) {
            rw_error("journal: cursor read failed: %s", strerror(-result));
            return result;
        }
        if (result == 0) {
            /* End of what is committed here: a newer segment means this one is done. */
            if (cursor_next_segment(self) >= self->journal->segment_count)
                return 0;
            int opened = cursor_advance(self);
            if (opened <= 0)
                return opened;
            continue;
        }
        uint64_t line_seq;
        if (line_quick_seq(line, &line_seq) && line_seq < self->since)
            continue;
        json_t *root = line_parse(line, length, &line_seq);
        if (!root) {
            if (!self->warned_bad_line)
                rw_warning("journal: segment %020" PRIu64 ": line at byte %lld is not valid "
                           "JSON; skipped",
                           self->segment_first, (long long)offset);
            self->warned_bad_line = true;
            continue;
        }
        if (line_seq < self->since) {
            json_decref(root);
            continue;
        }
        free(self->topic);
        self->topic = strdup(json_string_value(json_object_get(root, "topic")));
        result = self->topic ? cursor_set_body(self, line, length, root, body) : -ENOMEM;
        json_decref(root);
        if (result < 0)
            return result;
        self->since = line_seq + 1; /* never go back, even across segments */
        *seq = line_seq;
        *topic = self->topic;
        return 1;
    }
}

void rw_journal_cursor_destroy(rw_journal_cursor_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_journal_cursor_t *self = *self_p;
    if (self->reader.fd >= 0)
        close(self->reader.fd);
    free(self->reader.buffer);
    free(self->topic);
    free(self->dumped);
    free(self);
    *self_p = NULL;
}
