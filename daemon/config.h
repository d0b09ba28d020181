/* config.h — the daemon's settings, read from a libconfig file (see
 * config/recwatch.conf). Every key has a default; relative paths are resolved
 * against the folder of the config file; unknown keys and wrong types are errors
 * with file and line. */
#ifndef RW_CONFIG_H
#define RW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "strings.h"

typedef struct {
    char *path;                  /* the file read; NULL when built from defaults */
    char *node;                  /* default: host name */

    char *spool_incoming;        /* absolute paths */
    char *spool_done;
    char *spool_failed;
    rw_strings_t spool_patterns; /* shell globs: "*.txt" ... */
    size_t spool_max_bytes;

    char *state_dir;
    unsigned long long state_retain_bytes;
    unsigned state_retain_days;

    rw_strings_t publish_endpoints; /* bind */
    rw_strings_t publish_connect;   /* connect (forwarders) */
    int publish_sndhwm;
    int publish_heartbeat_s;
    char *publish_forwarder_key;    /* the forwarders' public key file (.pub), for CURVE
                                     * towards publish.connect; "" when not set */

    char *replay_endpoint;       /* "" disables replay */
    char *replay_advertise;      /* endpoint named in heartbeats; "": the bound one */

    rw_strings_t extract_languages;
    char *extract_lexicons;      /* folder of lexicon data */
    double extract_min_confidence;

    bool security_curve;
    char *security_secret_key_file;
    char *security_authorized_keys_dir;
    bool security_allow_plain_remote;

    char *log_level;
} rw_config_t;

/* Settings with every default, paths relative to base_dir (NULL: the current folder). */
rw_config_t *rw_config_new_defaults(const char *base_dir);

/* Read path. On error returns NULL and writes "FILE:LINE: what is wrong" to error. */
rw_config_t *rw_config_load(const char *path, char *error, size_t error_size);

/* Check what the file cannot: plain remote endpoints, value ranges. 0 or -EINVAL
 * with a reason in error. */
int rw_config_validate(const rw_config_t *self, char *error, size_t error_size);

/* Print the effective settings in libconfig syntax. */
void rw_config_print(const rw_config_t *self, void *stdio_file);

void rw_config_destroy(rw_config_t **self_p);

#endif
