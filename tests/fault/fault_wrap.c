/* fault_wrap.c — wrappers that make the Nth call of one kind fail (see fault_wrap.h).
 * Linked with -Wl,--wrap=<each function below>: the daemon's objects call __wrap_X,
 * which either fails (NULL or -1 with errno) or calls the real X (__real_X). */
#include "fault_wrap.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

const char *const fault_kind_names[KIND_COUNT] = {"alloc", "write", "short-write",
                                                   "fsync", "rename", "open"};

static bool armed;                       /* count calls and fail the target */
static fault_kind_t armed_kind;
static unsigned long target;             /* the call number that fails */
static unsigned long calls[KIND_COUNT];  /* calls counted in the current run */
static bool hit;                         /* the target was reached in this run */
static int short_write_fd = -1;          /* fd whose next write fails (ENOSPC) */
static bool trace;                       /* print the stack of each injected fault */

void __sanitizer_print_stack_trace(void); /* from the ASan runtime */

/* Count a call of kind (write and short-write share one count); true when it must fail. */
static bool fault_now(fault_kind_t kind)
{
    if (!armed)
        return false;
    if (kind == KIND_WRITE && armed_kind == KIND_SHORT_WRITE)
        kind = KIND_SHORT_WRITE;
    unsigned long n = ++calls[kind];
    if (kind == armed_kind && n == target) {
        hit = true;
        if (trace) {
            fprintf(stderr, "fault_run: injecting %s #%lu here:\n", fault_kind_names[kind], n);
            __sanitizer_print_stack_trace();
        }
        return true;
    }
    return false;
}

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *pointer, size_t size);
char *__real_strdup(const char *text);
char *__real_strndup(const char *text, size_t size);
ssize_t __real_write(int fd, const void *data, size_t size);
ssize_t __real_pwrite(int fd, const void *data, size_t size, off_t offset);
int __real_fsync(int fd);
int __real_fdatasync(int fd);
int __real_rename(const char *from, const char *to);
int __real_renameat(int from_dir, const char *from, int to_dir, const char *to);
int __real_renameat2(int from_dir, const char *from, int to_dir, const char *to,
                     unsigned flags);
int __real_open(const char *path, int flags, ...);
int __real_openat(int dir, const char *path, int flags, ...);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *pointer, size_t size);
char *__wrap_strdup(const char *text);
char *__wrap_strndup(const char *text, size_t size);
int __wrap_asprintf(char **out, const char *format, ...);
ssize_t __wrap_write(int fd, const void *data, size_t size);
ssize_t __wrap_pwrite(int fd, const void *data, size_t size, off_t offset);
int __wrap_fsync(int fd);
int __wrap_fdatasync(int fd);
int __wrap_rename(const char *from, const char *to);
int __wrap_renameat(int from_dir, const char *from, int to_dir, const char *to);
int __wrap_renameat2(int from_dir, const char *from, int to_dir, const char *to,
                     unsigned flags);
int __wrap_open(const char *path, int flags, ...);
int __wrap_openat(int dir, const char *path, int flags, ...);

void *__wrap_malloc(size_t size)
{
    if (fault_now(KIND_ALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    if (fault_now(KIND_ALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_calloc(count, size);
}

void *__wrap_realloc(void *pointer, size_t size)
{
    if (fault_now(KIND_ALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_realloc(pointer, size);
}

char *__wrap_strdup(const char *text)
{
    if (fault_now(KIND_ALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_strdup(text);
}

char *__wrap_strndup(const char *text, size_t size)
{
    if (fault_now(KIND_ALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_strndup(text, size);
}

int __wrap_asprintf(char **out, const char *format, ...)
{
    if (fault_now(KIND_ALLOC)) {
        errno = ENOMEM;
        return -1;
    }
    va_list arguments;
    va_start(arguments, format);
    int result = vasprintf(out, format, arguments);
    va_end(arguments);
    return result;
}

/* jansson allocates through its own hooks: the same switch (set at start, below). */
static void *json_malloc_hook(size_t size)
{
    return __wrap_malloc(size);
}

static void json_free_hook(void *pointer)
{
    free(pointer);
}

/* A write fault: EIO at once, or (short-write) half the bytes now and ENOSPC on the
 * next write to the same fd, as a file system that fills up mid-write does. */
static ssize_t write_fault(int fd, size_t size, ssize_t (*partial)(int, size_t))
{
    if (armed_kind == KIND_SHORT_WRITE && size > 1) {
        short_write_fd = fd;
        return partial(fd, size / 2);
    }
    errno = armed_kind == KIND_SHORT_WRITE ? ENOSPC : EIO;
    return -1;
}

static const void *partial_data;
static off_t partial_offset;

static ssize_t partial_write(int fd, size_t size)
{
    return __real_write(fd, partial_data, size);
}

static ssize_t partial_pwrite(int fd, size_t size)
{
    return __real_pwrite(fd, partial_data, size, partial_offset);
}

ssize_t __wrap_write(int fd, const void *data, size_t size)
{
    if (armed && fd == short_write_fd) {
        short_write_fd = -1;
        errno = ENOSPC;
        return -1;
    }
    if (fault_now(KIND_WRITE)) {
        partial_data = data;
        return write_fault(fd, size, partial_write);
    }
    return __real_write(fd, data, size);
}

ssize_t __wrap_pwrite(int fd, const void *data, size_t size, off_t offset)
{
    if (armed && fd == short_write_fd) {
        short_write_fd = -1;
        errno = ENOSPC;
        return -1;
    }
    if (fault_now(KIND_WRITE)) {
        partial_data = data;
        partial_offset = offset;
        return write_fault(fd, size, partial_pwrite);
    }
    return __real_pwrite(fd, data, size, offset);
}

int __wrap_fsync(int fd)
{
    if (fault_now(KIND_FSYNC)) {
        errno = EIO;
        return -1;
    }
    return __real_fsync(fd);
}

int __wrap_fdatasync(int fd)
{
    if (fault_now(KIND_FSYNC)) {
        errno = EIO;
        return -1;
    }
    return __real_fdatasync(fd);
}

/* Renames fail with EIO or ENOSPC (a new directory entry needs room), by turns. */
static int rename_errno(void)
{
    return target % 2 ? EIO : ENOSPC;
}

int __wrap_rename(const char *from, const char *to)
{
    if (fault_now(KIND_RENAME)) {
        errno = rename_errno();
        return -1;
    }
    return __real_rename(from, to);
}

int __wrap_renameat(int from_dir, const char *from, int to_dir, const char *to)
{
    if (fault_now(KIND_RENAME)) {
        errno = rename_errno();
        return -1;
    }
    return __real_renameat(from_dir, from, to_dir, to);
}

int __wrap_renameat2(int from_dir, const char *from, int to_dir, const char *to,
                     unsigned flags)
{
    if (fault_now(KIND_RENAME)) {
        errno = rename_errno();
        return -1;
    }
    return __real_renameat2(from_dir, from, to_dir, to, flags);
}

/* open/openat fail with EMFILE (out of descriptors) or, when creating, ENOSPC. */
static int open_errno(int flags)
{
    return (flags & O_CREAT) ? ENOSPC : EMFILE;
}

int __wrap_open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
        va_list arguments;
        va_start(arguments, flags);
        mode = (mode_t)va_arg(arguments, int);
        va_end(arguments);
    }
    if (fault_now(KIND_OPEN)) {
        errno = open_errno(flags);
        return -1;
    }
    return __real_open(path, flags, mode);
}

int __wrap_openat(int dir, const char *path, int flags, ...)
{
    mode_t mode = 0;
    if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
        va_list arguments;
        va_start(arguments, flags);
        mode = (mode_t)va_arg(arguments, int);
        va_end(arguments);
    }
    if (fault_now(KIND_OPEN)) {
        errno = open_errno(flags);
        return -1;
    }
    return __real_openat(dir, path, flags, mode);
}

void fault_arm(fault_kind_t kind, unsigned long n)
{
    memset(calls, 0, sizeof calls);
    hit = false;
    short_write_fd = -1;
    armed_kind = kind;
    target = n;
    armed = true;
}

void fault_disarm(void)
{
    armed = false;
    short_write_fd = -1;
}

int fault_kind_parse(const char *name)
{
    for (int k = 0; k < KIND_COUNT; k++)
        if (strcmp(name, fault_kind_names[k]) == 0)
            return k;
    return -1;
}

bool fault_suspend(void)
{
    bool was = armed;
    armed = false;
    return was;
}

void fault_resume(bool was_armed)
{
    armed = was_armed;
}

unsigned long fault_calls(fault_kind_t kind)
{
    return calls[kind];
}

bool fault_was_hit(void)
{
    return hit;
}

void fault_set_trace(bool on)
{
    trace = on;
}

/* ---- arming from the environment (a whole program: the wrapped recwatchd) ---- */

static const char *report_path;

static void write_report(void)
{
    if (!report_path)
        return;
    bool was = fault_suspend();
    FILE *file = fopen(report_path, "w");
    if (file) {
        fprintf(file, "%d", hit ? 1 : 0);
        for (int k = 0; k < KIND_COUNT; k++)
            fprintf(file, " %lu", calls[k]);
        fputc('\n', file);
        fclose(file);
    }
    fault_resume(was);
}

__attribute__((constructor)) static void fault_start(void)
{
    json_set_alloc_funcs(json_malloc_hook, json_free_hook);
    const char *kind = getenv("RW_FAULT_KIND");
    const char *at = getenv("RW_FAULT_AT");
    if (!kind || !at)
        return;
    int parsed = fault_kind_parse(kind);
    if (parsed < 0) {
        fprintf(stderr, "fault_wrap: unknown RW_FAULT_KIND %s\n", kind);
        exit(2);
    }
    report_path = getenv("RW_FAULT_REPORT");
    trace = getenv("RW_FAULT_TRACE") != NULL;
    if (report_path)
        atexit(write_report);
    fault_arm((fault_kind_t)parsed, strtoul(at, NULL, 10));
}
