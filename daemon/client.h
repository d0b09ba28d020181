/* client.h — what a `recwatch` subcommand needs to reach a daemon: endpoints and
 * CURVE keys, taken from the daemon's config file and overridden by flags. */
#ifndef RW_CLIENT_H
#define RW_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "keys.h"

typedef struct {
    char *endpoint;              /* where to subscribe */
    char *replay_endpoint;       /* NULL: none */
    bool curve;
    char server_public[RW_KEY_Z85_LENGTH + 1];
    char public_key[RW_KEY_Z85_LENGTH + 1];
    char secret_key[RW_KEY_Z85_LENGTH + 1];
} rw_client_settings_t;

/* Fill settings from config_path (may be missing when not explicit: then defaults),
 * then apply the overrides (each may be NULL). 0, or -1 with a message printed. */
int rw_client_settings_load(rw_client_settings_t *settings, const char *config_path,
                            bool config_explicit, const char *endpoint, const char *replay,
                            const char *server_key_file, const char *key_file);
void rw_client_settings_clear(rw_client_settings_t *settings);

/* A bind endpoint made connectable: the wildcard host of "tcp://STAR:5560" becomes
 * 127.0.0.1 ("tcp://127.0.0.1:5560"). */
char *rw_client_connectable(const char *endpoint);

#endif
