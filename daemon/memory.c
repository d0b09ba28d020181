/* memory.c — allocator settings (see memory.h).
 *
 * Why: each statement allocates a few hundred kilobytes (its text, word lists, tokens,
 * units, document) and frees them all. With glibc's defaults, a free that leaves more
 * than 128 KiB at the top of the heap gives it back to the kernel, and the next
 * statement takes page faults to get it again: about a tenth of extraction time (see
 * bench/README.md). Keeping up to RW_MEMORY_KEEP bytes (and serving blocks up to that
 * size from the heap rather than from fresh mappings) removes that churn; memory that a
 * huge statement needed beyond it is still returned. */
#include "memory.h"

#include <errno.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

int rw_memory_configure(void)
{
#ifdef __GLIBC__
    /* mallopt returns 1 on success, 0 on error */
    if (mallopt(M_TRIM_THRESHOLD, (int)RW_MEMORY_KEEP) != 1 ||
        mallopt(M_MMAP_THRESHOLD, (int)RW_MEMORY_KEEP) != 1)
        return -EINVAL;
    return 0;
#else
    return -ENOTSUP;
#endif
}
