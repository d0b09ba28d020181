/* recwatch.c — the tool for people: `recwatch SUBCOMMAND ...`. */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "memory.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command_t;

static const command_t commands[] = {
    {"extract", rw_command_extract, "[--format jsonl|text] [-c FILE] FILE...   extract recommendations, no daemon needed"},
    {"sub", rw_command_sub, "[-c FILE] [-e ENDPOINT] [-r REPLAY] [-t TOPIC]... [--since N]   print events"},
    {"check-config", rw_command_check_config, "[-c FILE]   validate a configuration, print the effective settings"},
    {"keygen", rw_command_keygen, "[-d DIR] [NAME]   write NAME.key (secret) and NAME.pub"},
    {"stats", rw_command_stats, "[-c FILE] [-e ENDPOINT] [--prometheus]   print the latest heartbeat"},
    {"proxy", rw_command_proxy, "[--frontend EP] [--backend EP] [--capture EP] [--control EP] [-c FILE]   forwarder"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: recwatch COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nSee recwatch(1).\n");
}

int main(int argc, char **argv)
{
    /* a speed setting only: without it (another C library) everything works the same */
    (void)rw_memory_configure();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "recwatch: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
