/* recwatchd.c — the daemon's entry point: options, then the server's loop.
 *
 *   recwatchd [-c FILE] [-f] [-v]
 *
 * -f stays in the foreground and logs to stderr (the systemd unit uses it); without
 * it the daemon detaches and logs to syslog. -v logs at debug level. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "memory.h"
#include "server.h"

#define DEFAULT_CONFIG "/etc/recwatch/recwatch.conf"

static void usage(FILE *out)
{
    fprintf(out, "usage: recwatchd [-c FILE] [-f] [-v]\n"
                 "  -c FILE  configuration (default " DEFAULT_CONFIG ")\n"
                 "  -f       stay in the foreground, log to stderr\n"
                 "  -v       log debug messages\n");
}

int main(int argc, char **argv)
{
    const char *config_path = DEFAULT_CONFIG;
    int foreground = 0, verbose = 0, option;
    while ((option = getopt(argc, argv, "c:fvh")) != -1) {
        switch (option) {
        case 'c': config_path = optarg; break;
        case 'f': foreground = 1; break;
        case 'v': verbose = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    if (!foreground) {
        if (daemon(1, 0) < 0) {
            perror("recwatchd: daemon");
            return 1;
        }
        rw_log_use_syslog("recwatchd");
    }
    if (verbose)
        rw_log_set_level(RW_LOG_DEBUG);
    if (rw_memory_configure() != 0)
        rw_info("memory: this C library cannot be told to keep freed memory; statements "
                "are handled somewhat more slowly");
    rw_server_t *server = rw_server_new(config_path);
    if (!server)
        return 1;
    int status = rw_server_run(server);
    rw_server_destroy(&server);
    return status == 0 ? 0 : 1;
}
