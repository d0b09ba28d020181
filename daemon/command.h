/* command.h — the subcommands of the `recwatch` tool, one file each
 * (command_NAME.c). Each takes the arguments after its name (argv[0] is the
 * subcommand's name) and returns the process exit status. */
#ifndef RW_COMMAND_H
#define RW_COMMAND_H

#define RW_DEFAULT_CONFIG "/etc/recwatch/recwatch.conf"

int rw_command_extract(int argc, char **argv);
int rw_command_sub(int argc, char **argv);
int rw_command_check_config(int argc, char **argv);
int rw_command_keygen(int argc, char **argv);
int rw_command_stats(int argc, char **argv);
int rw_command_proxy(int argc, char **argv);

#endif
