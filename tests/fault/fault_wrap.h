/* fault_wrap.h — the fault switch of the fault-injection build (tests/fault).
 *
 * Linked with -Wl,--wrap=malloc,... (see tests/fault/Makefile), every such call made by
 * the daemon's objects goes through fault_wrap.c, which can make the Nth call of one
 * kind fail. Two ways to arm it:
 *   - in process: fault_arm(kind, n) ... fault_disarm() (tests/fault/fault_run.c);
 *   - from the environment, for a whole program (the wrapped recwatchd):
 *     RW_FAULT_KIND=write RW_FAULT_AT=3 [RW_FAULT_REPORT=FILE]; at exit the program
 *     writes "<1 if the Nth call was reached, else 0> <calls of each kind, in the
 *     order of fault_kind_t>" to FILE (RW_FAULT_AT=0 only counts); RW_FAULT_TRACE=1
 *     prints the stack of the injected fault. */
#ifndef RW_FAULT_WRAP_H
#define RW_FAULT_WRAP_H

#include <stdbool.h>

typedef enum {
    KIND_ALLOC,       /* malloc, calloc, realloc, strdup, strndup, asprintf, jansson: ENOMEM */
    KIND_WRITE,       /* write/pwrite fails at once with EIO */
    KIND_SHORT_WRITE, /* write/pwrite writes half, the next write on that fd ENOSPC */
    KIND_FSYNC,       /* fsync/fdatasync: EIO */
    KIND_RENAME,      /* rename, renameat, renameat2: EIO or ENOSPC by turns */
    KIND_OPEN,        /* open, openat: EMFILE, or ENOSPC when creating */
    KIND_COUNT
} fault_kind_t;

extern const char *const fault_kind_names[KIND_COUNT];

/* The kind named name ("alloc", "write", ...), or -1. */
int fault_kind_parse(const char *name);

/* Count calls from now on and make the nth call of kind fail (n = 0: count only). */
void fault_arm(fault_kind_t kind, unsigned long n);
void fault_disarm(void);
/* Stop counting for a while (the test's own calls); returns the previous state. */
bool fault_suspend(void);
void fault_resume(bool armed);

/* Calls of kind counted since fault_arm; whether the nth call was reached. */
unsigned long fault_calls(fault_kind_t kind);
bool fault_was_hit(void);

/* Print the stack (ASan's symbolizer) at each injected fault. */
void fault_set_trace(bool trace);

#endif
