/* client.c — endpoints and keys for the `recwatch` subcommands that talk to a daemon. */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

char *rw_client_connectable(const char *endpoint)
{
    const char *wildcards[] = {"tcp://*:", "tcp://0.0.0.0:"};
    for (size_t i = 0; i < 2; i++) {
        size_t length = strlen(wildcards[i]);
        if (strncmp(endpoint, wildcards[i], length) == 0) {
            char *result = NULL;
            if (asprintf(&result, "tcp://127.0.0.1:%s", endpoint + length) < 0)
                return NULL;
            return result;
        }
    }
    return strdup(endpoint);
}

/* "keys/server.key" → "keys/server.pub" */
static char *public_key_path(const char *secret_path)
{
    size_t length = strlen(secret_path);
    char *path = malloc(length + 5);
    if (!path)
        return NULL;
    strcpy(path, secret_path);
    if (length > 4 && strcmp(path + length - 4, ".key") == 0)
        strcpy(path + length - 4, ".pub");
    else
        strcat(path, ".pub");
    return path;
}

static int load_keys(rw_client_settings_t *settings, const char *server_key_file,
                     const char *key_file)
{
    char error[512];
    if (rw_keys_read_public(server_key_file, settings->server_public, error, sizeof error) < 0) {
        fprintf(stderr, "recwatch: %s\n", error);
        return -1;
    }
    if (!key_file) {
        fprintf(stderr, "recwatch: the daemon uses CURVE: give your key pair with --key FILE.key "
                        "(make one with `recwatch keygen`, and add its .pub to the daemon's "
                        "authorized keys)\n");
        return -1;
    }
    if (rw_keys_read_secret(key_file, settings->public_key, settings->secret_key, error,
                            sizeof error) < 0) {
        fprintf(stderr, "recwatch: %s\n", error);
        return -1;
    }
    settings->curve = true;
    return 0;
}

int rw_client_settings_load(rw_client_settings_t *settings, const char *config_path,
                            bool config_explicit, const char *endpoint, const char *replay,
                            const char *server_key_file, const char *key_file)
{
    memset(settings, 0, sizeof *settings);
    char error[512];
    rw_config_t *config = NULL;
    if (config_explicit || access(config_path, R_OK) == 0) {
        config = rw_config_load(config_path, error, sizeof error);
        if (!config) {
            fprintf(stderr, "recwatch: %s\n", error);
            return -1;
        }
    } else {
        config = rw_config_new_defaults(NULL);
        if (!config)
            return -1;
    }
    const char *bound = config->publish_endpoints.count ? config->publish_endpoints.items[0]
                                                        : "tcp://127.0.0.1:5560";
    settings->endpoint = rw_client_connectable(endpoint ? endpoint : bound);
    const char *replay_endpoint = replay ? replay : config->replay_endpoint;
    if (replay_endpoint && replay_endpoint[0])
        settings->replay_endpoint = rw_client_connectable(replay_endpoint);
    int status = settings->endpoint ? 0 : -1;
    char *derived = NULL;
    if (status == 0 && (config->security_curve || server_key_file)) {
        if (!server_key_file)
            server_key_file = derived = public_key_path(config->security_secret_key_file);
        status = server_key_file ? load_keys(settings, server_key_file, key_file) : -1;
    }
    free(derived);
    rw_config_destroy(&config);
    if (status < 0)
        rw_client_settings_clear(settings);
    return status;
}

void rw_client_settings_clear(rw_client_settings_t *settings)
{
    free(settings->endpoint);
    free(settings->replay_endpoint);
    explicit_bzero(settings->secret_key, sizeof settings->secret_key);
    memset(settings, 0, sizeof *settings);
}
