/* log.h — the daemon's one logging channel.
 *
 * Messages go to stderr. Under systemd (JOURNAL_STREAM set) each line starts with a syslog priority such as "<3>", which journald turns into
 * the entry's priority; otherwise lines start with a level word. A daemon that
 * detaches logs to syslog instead. */
#ifndef RW_LOG_H
#define RW_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    RW_LOG_ERROR = 3,
    RW_LOG_WARNING = 4,
    RW_LOG_NOTICE = 5,
    RW_LOG_INFO = 6,
    RW_LOG_DEBUG = 7
} rw_log_level_t;

/* Parse "error", "warning", "notice", "info", "debug"; -1 when unknown. */
int rw_log_level_parse(const char *name);
void rw_log_set_level(rw_log_level_t level);
/* Send messages to syslog(3) instead of stderr (a detached daemon has no stderr). */
void rw_log_use_syslog(const char *identity);

void rw_log(rw_log_level_t level, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Write a message into a caller's error buffer (NULL or size 0: nothing is written).
 * For functions that report why they failed rather than logging it themselves. */
void rw_log_format(char *buffer, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#define rw_error(...) rw_log(RW_LOG_ERROR, __VA_ARGS__)
#define rw_warning(...) rw_log(RW_LOG_WARNING, __VA_ARGS__)
#define rw_notice(...) rw_log(RW_LOG_NOTICE, __VA_ARGS__)
#define rw_info(...) rw_log(RW_LOG_INFO, __VA_ARGS__)
#define rw_debug(...) rw_log(RW_LOG_DEBUG, __VA_ARGS__)

#endif
