/* command_check_config.c — `recwatch check-config [-c FILE]`: validate a
 * configuration and print the settings the daemon would use. */
#include <getopt.h>
#include <stdio.h>

#include "command.h"
#include "config.h"

int rw_command_check_config(int argc, char **argv)
{
    const char *path = RW_DEFAULT_CONFIG;
    int option;
    while ((option = getopt(argc, argv, "c:h")) != -1) {
        if (option == 'c') {
            path = optarg;
        } else {
            fprintf(option == 'h' ? stdout : stderr, "usage: recwatch check-config [-c FILE]\n");
            return option == 'h' ? 0 : 2;
        }
    }
    char error[512];
    rw_config_t *config = rw_config_load(path, error, sizeof error);
    if (!config) {
        fprintf(stderr, "%s\n", error);
        return 1;
    }
    int status = rw_config_validate(config, error, sizeof error);
    if (status < 0)
        fprintf(stderr, "%s\n", error);
    else {
        printf("# %s: valid; effective settings:\n", path);
        rw_config_print(config, stdout);
    }
    rw_config_destroy(&config);
    return status < 0 ? 1 : 0;
}
