/* log.c — leveled logging to stderr, with journald priority prefixes. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static rw_log_level_t current_level = RW_LOG_INFO;
static int use_prefix = -1; /* -1: decide from the environment on first use */
static bool use_syslog = false;

static const char *const level_names[] = {
    [RW_LOG_ERROR] = "error",   [RW_LOG_WARNING] = "warning", [RW_LOG_NOTICE] = "notice",
    [RW_LOG_INFO] = "info",     [RW_LOG_DEBUG] = "debug",
};

int rw_log_level_parse(const char *name)
{
    for (int level = RW_LOG_ERROR; level <= RW_LOG_DEBUG; level++)
        if (name && strcmp(name, level_names[level]) == 0)
            return level;
    return -1;
}

void rw_log_set_level(rw_log_level_t level) { current_level = level; }

void rw_log_use_syslog(const char *identity)
{
    openlog(identity, LOG_PID, LOG_DAEMON);
    use_syslog = true;
}

void rw_log_format(char *buffer, size_t size, const char *format, ...)
{
    if (!buffer || size == 0)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(buffer, size, format, args);
    va_end(args);
}

void rw_log(rw_log_level_t level, const char *format, ...)
{
    if (level > current_level)
        return;
    if (use_prefix < 0)
        use_prefix = getenv("JOURNAL_STREAM") != NULL;

    char message[2048];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);

    if (use_syslog) {
        syslog((int)level, "%s", message);
    } else if (use_prefix) {
        fprintf(stderr, "<%d>%s\n", (int)level, message);
    } else {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(stderr, "%s recwatch %s: %s\n", stamp, level_names[level], message);
    }
}
