/* command_proxy.c — `recwatch proxy`: placeholder until the forwarder lands. */
#include <stdio.h>

#include "command.h"

int rw_command_proxy(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "recwatch proxy: not available in this build\n");
    return 1;
}
