/* spool.c — safe reads from incoming/ and moves to done/ and failed/. */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "log.h"

struct rw_spool {
    int incoming, done, failed;     /* folder descriptors */
    char *done_path, *failed_path;
};

static int open_folder(const char *path, char *error, size_t error_size)
{
    if (mkdir(path, 0750) < 0 && errno != EEXIST) {
        snprintf(error, error_size, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        snprintf(error, error_size, "cannot open folder %s: %s", path, strerror(errno));
    return fd;
}

rw_spool_t *rw_spool_new(const char *incoming, const char *done, const char *failed,
                         char *error, size_t error_size)
{
    rw_spool_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    self->incoming = self->done = self->failed = -1;
    self->done_path = strdup(done);
    self->failed_path = strdup(failed);
    if (!self->done_path || !self->failed_path) {
        snprintf(error, error_size, "out of memory");
        rw_spool_destroy(&self);
        return NULL;
    }
    if ((self->incoming = open_folder(incoming, error, error_size)) < 0 ||
        (self->done = open_folder(done, error, error_size)) < 0 ||
        (self->failed = open_folder(failed, error, error_size)) < 0)
        rw_spool_destroy(&self);
    return self;
}

void rw_spool_destroy(rw_spool_t **self_p)
{
    rw_spool_t *self = *self_p;
    if (!self)
        return;
    if (self->incoming >= 0)
        close(self->incoming);
    if (self->done >= 0)
        close(self->done);
    if (self->failed >= 0)
        close(self->failed);
    free(self->done_path);
    free(self->failed_path);
    free(self);
    *self_p = NULL;
}

static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISLNK(mode))
        return "a symbolic link";
    return "not a regular file";
}

/* Read exactly size bytes from fd into a fresh buffer. */
static int read_all(int fd, size_t size, unsigned char **bytes, size_t *got_size,
                    char *reason, size_t reason_size)
{
    unsigned char *buffer = malloc(size ? size : 1);
    if (!buffer) {
        snprintf(reason, reason_size, "out of memory for %zu bytes", size);
        return -ENOMEM;
    }
    size_t done = 0;
    while (done < size) {
        ssize_t got = read(fd, buffer + done, size - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int error = errno;
            snprintf(reason, reason_size, "read failed: %s", strerror(error));
            free(buffer);
            return -error;
        }
        if (got == 0)
            break; /* shrank while reading: take what is there */
        done += (size_t)got;
    }
    *bytes = buffer;
    *got_size = done;
    return 0;
}

int rw_spool_read(rw_spool_t *self, const char *name, size_t max_bytes,
                  unsigned char **bytes, size_t *size, rw_spool_identity_t *identity,
                  char *reason, size_t reason_size)
{
    int fd = openat(self->incoming, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int error = errno;
        if (error == ELOOP) {
            struct stat link;
            if (identity && fstatat(self->incoming, name, &link, AT_SYMLINK_NOFOLLOW) == 0)
                *identity = (rw_spool_identity_t){link.st_dev, link.st_ino};
            snprintf(reason, reason_size, "a symbolic link: not followed");
            return -ELOOP;
        }
        snprintf(reason, reason_size, "cannot open: %s", strerror(error));
        return -error;
    }
    struct stat status;
    if (fstat(fd, &status) < 0) {
        int error = errno;
        snprintf(reason, reason_size, "cannot stat: %s", strerror(error));
        close(fd);
        return -error;
    }
    if (identity)
        *identity = (rw_spool_identity_t){status.st_dev, status.st_ino};
    if (!S_ISREG(status.st_mode)) {
        snprintf(reason, reason_size, "%s, not a regular file", file_kind(status.st_mode));
        close(fd);
        return -EINVAL;
    }
    if ((unsigned long long)status.st_size > max_bytes) {
        snprintf(reason, reason_size, "too large: %lld bytes, spool.max_bytes is %zu",
                 (long long)status.st_size, max_bytes);
        close(fd);
        return -EFBIG;
    }
    int result = read_all(fd, (size_t)status.st_size, bytes, size, reason, reason_size);
    close(fd);
    return result;
}

/* Whether incoming/name is still the file that was read. */
static int check_identity(rw_spool_t *self, const char *name, const rw_spool_identity_t *expected)
{
    if (!expected)
        return 0;
    struct stat status;
    if (fstatat(self->incoming, name, &status, AT_SYMLINK_NOFOLLOW) < 0)
        return -errno;
    if (status.st_dev != expected->device || status.st_ino != expected->inode) {
        rw_info("%s was replaced after it was read: the new file is taken on its own", name);
        return -ESTALE;
    }
    return 0;
}

/* "a.txt" with n → "a.n.txt"; "README" → "README.n". */
static int numbered_name(const char *name, unsigned n, char *out, size_t out_size)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return snprintf(out, out_size, "%s.%u", name, n) < (int)out_size ? 0 : -ENAMETOOLONG;
    int stem = (int)(dot - name);
    return snprintf(out, out_size, "%.*s.%u%s", stem, name, n, dot) < (int)out_size
               ? 0 : -ENAMETOOLONG;
}

/* Rename incoming/name into folder without replacing anything; the final name in out. */
static int move_unique(rw_spool_t *self, const char *name, int folder, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s", name);
    for (unsigned n = 1; n < 100000; n++) {
        if (renameat2(self->incoming, name, folder, out, RENAME_NOREPLACE) == 0)
            return 0;
        int error = errno;
        if (error == ENAMETOOLONG) {
            /* the numbered name does not fit: fall back to a short unique one */
            snprintf(out, out_size, "renamed-%ld-%u", (long)time(NULL), n);
            continue;
        }
        if (error != EEXIST)
            return -error;
        if (numbered_name(name, n, out, out_size) < 0)
            snprintf(out, out_size, "renamed-%ld-%u", (long)time(NULL), n);
    }
    return -EEXIST;
}

static char *relative_path(const char *folder_path, const char *name)
{
    const char *slash = strrchr(folder_path, '/');
    const char *folder = slash ? slash + 1 : folder_path;
    char *path = NULL;
    if (asprintf(&path, "%s/%s", folder, name) < 0)
        return NULL;
    return path;
}

int rw_spool_finish(rw_spool_t *self, const char *name, const rw_spool_identity_t *expected,
                    char **moved_to)
{
    char final[NAME_MAX + 1];
    int status = check_identity(self, name, expected);
    if (status < 0)
        return status;
    status = move_unique(self, name, self->done, final, sizeof final);
    if (status < 0) {
        if (status != -ENOENT)
            rw_error("cannot move %s to %s: %s", name, self->done_path, strerror(-status));
        return status;
    }
    if (moved_to)
        *moved_to = relative_path(self->done_path, final);
    return 0;
}

static int write_error_file(rw_spool_t *self, const char *final, const char *name,
                            const char *reason)
{
    char error_name[NAME_MAX + 16];
    snprintf(error_name, sizeof error_name, "%s.error.json", final);
    json_t *body = json_pack("{s:o, s:s, s:o}", "file", rw_event_string(name),
                             "reason", reason, "time", rw_event_now());
    char *text = body ? json_dumps(body, JSON_INDENT(2)) : NULL;
    json_decref(body);
    if (!text)
        return -ENOMEM;
    int status = 0;
    int fd = openat(self->failed, error_name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0) {
        status = -errno;
    } else {
        size_t length = strlen(text);
        if (write(fd, text, length) != (ssize_t)length || write(fd, "\n", 1) != 1)
            status = errno ? -errno : -EIO;
        if (close(fd) < 0 && status == 0)
            status = -errno;
    }
    if (status < 0)
        rw_error("cannot write %s/%s: %s", self->failed_path, error_name, strerror(-status));
    free(text);
    return status;
}

int rw_spool_fail(rw_spool_t *self, const char *name, const rw_spool_identity_t *expected,
                  const char *reason, char **moved_to)
{
    char final[NAME_MAX + 1];
    int status = check_identity(self, name, expected);
    if (status < 0)
        return status;
    /* leave room for ".error.json" beside the file */
    status = move_unique(self, name, self->failed, final, NAME_MAX + 1 - 11);
    if (status < 0) {
        if (status != -ENOENT)
            rw_error("cannot move %s to %s: %s", name, self->failed_path, strerror(-status));
        return status;
    }
    if (moved_to)
        *moved_to = relative_path(self->failed_path, final);
    return write_error_file(self, final, name, reason);
}

int rw_spool_sync(rw_spool_t *self)
{
    int status = 0;
    if (fsync(self->done) < 0 || fsync(self->failed) < 0 || fsync(self->incoming) < 0) {
        status = -errno;
        rw_error("cannot sync the spool folders: %s", strerror(errno));
    }
    return status;
}
