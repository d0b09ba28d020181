/* command_keygen.c — `recwatch keygen [-d DIR] [NAME]`: a CURVE key pair,
 * DIR/NAME.key (secret, mode 0600) and DIR/NAME.pub. */
#include <getopt.h>
#include <stdio.h>

#include "command.h"
#include "keys.h"

int rw_command_keygen(int argc, char **argv)
{
    const char *directory = ".";
    int option;
    while ((option = getopt(argc, argv, "d:h")) != -1) {
        if (option == 'd') {
            directory = optarg;
        } else {
            fprintf(option == 'h' ? stdout : stderr, "usage: recwatch keygen [-d DIR] [NAME]\n");
            return option == 'h' ? 0 : 2;
        }
    }
    const char *name = optind < argc ? argv[optind] : "recwatch";
    char error[512];
    if (rw_keys_generate(directory, name, error, sizeof error) < 0) {
        fprintf(stderr, "recwatch: %s\n", error);
        return 1;
    }
    printf("%s/%s.key (secret, keep it private) and %s/%s.pub written\n", directory, name,
           directory, name);
    return 0;
}
