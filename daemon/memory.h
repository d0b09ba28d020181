/* memory.h — process-wide allocator settings for programs that handle statement after
 * statement: keep freed heap memory for the next one instead of returning it to the
 * kernel. */
#ifndef RW_MEMORY_H
#define RW_MEMORY_H

/* Freed memory up to this many bytes at the top of the heap is kept for reuse. */
#define RW_MEMORY_KEEP (16u * 1024 * 1024)

/* Apply the settings; call once at the start of main. Returns 0, or -ENOTSUP when the C
 * library offers no such setting (the program works the same, only slower). */
int rw_memory_configure(void);

#endif
