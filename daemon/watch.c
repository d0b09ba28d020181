/* watch.c — inotify on the incoming folder, with a rescan on overflow. */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

struct rw_watch {
    char *directory;
    int fd;
    rw_strings_t patterns;
    unsigned long overflows;
};

rw_watch_t *rw_watch_new(const char *directory, const rw_strings_t *patterns,
                         char *error, size_t error_size)
{
    rw_watch_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    self->fd = -1;
    self->directory = strdup(directory);
    if (!self->directory || rw_watch_set_patterns(self, patterns) < 0) {
        snprintf(error, error_size, "out of memory");
        rw_watch_destroy(&self);
        return NULL;
    }
    self->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (self->fd < 0) {
        snprintf(error, error_size, "inotify_init1: %s", strerror(errno));
        rw_watch_destroy(&self);
        return NULL;
    }
    uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR | IN_EXCL_UNLINK;
    if (inotify_add_watch(self->fd, directory, mask) < 0) {
        snprintf(error, error_size, "cannot watch %s: %s", directory, strerror(errno));
        rw_watch_destroy(&self);
        return NULL;
    }
    return self;
}

void rw_watch_destroy(rw_watch_t **self_p)
{
    rw_watch_t *self = *self_p;
    if (!self)
        return;
    if (self->fd >= 0)
        close(self->fd);
    rw_strings_clear(&self->patterns);
    free(self->directory);
    free(self);
    *self_p = NULL;
}

int rw_watch_fd(const rw_watch_t *self)
{
    return self->fd;
}

unsigned long rw_watch_overflows(const rw_watch_t *self)
{
    return self->overflows;
}

int rw_watch_set_patterns(rw_watch_t *self, const rw_strings_t *patterns)
{
    rw_strings_t copy = {0};
    for (size_t i = 0; i < patterns->count; i++)
        if (rw_strings_append(&copy, patterns->items[i], strlen(patterns->items[i])) < 0) {
            rw_strings_clear(&copy);
            return -ENOMEM;
        }
    rw_strings_clear(&self->patterns);
    self->patterns = copy;
    return 0;
}

static bool ends_with(const char *name, const char *suffix)
{
    size_t length = strlen(name), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(name + length - suffix_length, suffix) == 0;
}

bool rw_watch_accepts(const rw_watch_t *self, const char *name)
{
    if (name[0] == '.' || name[0] == '\0')
        return false;
    if (ends_with(name, ".tmp") || ends_with(name, ".part") || ends_with(name, "~"))
        return false;
    if (self->patterns.count == 0)
        return true;
    for (size_t i = 0; i < self->patterns.count; i++)
        if (fnmatch(self->patterns.items[i], name, FNM_CASEFOLD) == 0)
            return true;
    return false;
}

typedef struct {
    char *name;
    struct timespec mtime;
} entry_t;

static int compare_entries(const void *a, const void *b)
{
    const entry_t *left = a, *right = b;
    if (left->mtime.tv_sec != right->mtime.tv_sec)
        return left->mtime.tv_sec < right->mtime.tv_sec ? -1 : 1;
    if (left->mtime.tv_nsec != right->mtime.tv_nsec)
        return left->mtime.tv_nsec < right->mtime.tv_nsec ? -1 : 1;
    return strcmp(left->name, right->name);
}

/* Collect acceptable names of the folder with their modification times. */
static int list_entries(rw_watch_t *self, DIR *folder, entry_t **entries_out, size_t *count_out)
{
    entry_t *entries = NULL;
    size_t count = 0, capacity = 0;
    struct dirent *item;
    errno = 0;
    while ((item = readdir(folder)) != NULL) {
        if (!rw_watch_accepts(self, item->d_name))
            continue;
        struct stat status;
        if (fstatat(dirfd(folder), item->d_name, &status, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* gone meanwhile */
        if (count == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            entry_t *grown = realloc(entries, capacity * sizeof *grown);
            if (!grown)
                goto out_of_memory;
            entries = grown;
        }
        entries[count].name = strdup(item->d_name);
        if (!entries[count].name)
            goto out_of_memory;
        entries[count++].mtime = status.st_mtim;
    }
    *entries_out = entries;
    *count_out = count;
    return 0;
out_of_memory:
    for (size_t i = 0; i < count; i++)
        free(entries[i].name);
    free(entries);
    return -ENOMEM;
}

int rw_watch_scan(rw_watch_t *self, rw_queue_t *queue)
{
    DIR *folder = opendir(self->directory);
    if (!folder) {
        int error = errno;
        rw_error("cannot list %s: %s", self->directory, strerror(error));
        return -error;
    }
    entry_t *entries = NULL;
    size_t count = 0;
    int status = list_entries(self, folder, &entries, &count);
    closedir(folder);
    if (status < 0)
        return status;
    if (count > 1)
        qsort(entries, count, sizeof *entries, compare_entries);
    int queued = 0;
    for (size_t i = 0; i < count; i++) {
        if (status == 0) {
            int pushed = rw_queue_push(queue, entries[i].name);
            if (pushed < 0)
                status = pushed;
            else
                queued += pushed;
        }
        free(entries[i].name);
    }
    free(entries);
    return status < 0 ? status : queued;
}

int rw_watch_read(rw_watch_t *self, rw_queue_t *queue)
{
    char buffer[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    int queued = 0;
    bool overflowed = false;
    for (;;) {
        ssize_t length = read(self->fd, buffer, sizeof buffer);
        if (length < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EINTR)
                continue;
            int error = errno;
            rw_error("reading inotify events for %s: %s", self->directory, strerror(error));
            return -error;
        }
        for (char *p = buffer; p < buffer + length;) {
            const struct inotify_event *event = (const struct inotify_event *)p;
            p += sizeof *event + event->len;
            if (event->mask & IN_Q_OVERFLOW) {
                overflowed = true;
                continue;
            }
            if (event->mask & IN_IGNORED) {
                rw_error("%s is no longer watched (deleted or unmounted?)", self->directory);
                return -ENOENT;
            }
            if (event->len == 0 || (event->mask & IN_ISDIR && !(event->mask & IN_MOVED_TO)))
                continue;
            if (!rw_watch_accepts(self, event->name))
                continue;
            int pushed = rw_queue_push(queue, event->name);
            if (pushed < 0)
                return pushed;
            queued += pushed;
        }
    }
    if (overflowed) {
        self->overflows++;
        rw_warning("inotify queue overflowed for %s: rescanning the folder", self->directory);
        int scanned = rw_watch_scan(self, queue);
        if (scanned < 0)
            return scanned;
        queued += scanned;
    }
    return queued;
}
