/* command_stats.c — `recwatch stats [-c FILE] [-e ENDPOINT] [--prometheus]`: wait for
 * the daemon's next heartbeat and print it as a table, or in the Prometheus text
 * exposition format (for node_exporter's textfile collector). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "auth.h"
#include "client.h"
#include "command.h"

#define MAX_WAIT_MS 15000

static void usage(FILE *out)
{
    fprintf(out, "usage: recwatch stats [-c FILE] [-e ENDPOINT] [--server-key FILE.pub --key FILE.key] "
                 "[--prometheus] [--timeout SECONDS]\n");
}

static void print_table(json_t *heartbeat)
{
    printf("%-18s %s\n", "node", json_string_value(json_object_get(heartbeat, "node")));
    printf("%-18s %.0f s\n", "uptime", json_number_value(json_object_get(heartbeat, "uptime_s")));
    printf("%-18s %lld\n", "last seq", (long long)json_integer_value(json_object_get(heartbeat, "last_seq")));
    printf("%-18s %lld\n", "queue", (long long)json_integer_value(json_object_get(heartbeat, "queue")));
    json_t *counters = json_object_get(heartbeat, "counters");
    for (void *it = json_object_iter(counters); it; it = json_object_iter_next(counters, it))
        printf("%-18s %lld\n", json_object_iter_key(it),
               (long long)json_integer_value(json_object_iter_value(it)));
}

static void print_prometheus(json_t *heartbeat)
{
    const char *node = json_string_value(json_object_get(heartbeat, "node"));
    printf("# HELP recwatch_uptime_seconds Seconds since the daemon started.\n"
           "# TYPE recwatch_uptime_seconds gauge\n"
           "recwatch_uptime_seconds{node=\"%s\"} %.0f\n", node,
           json_number_value(json_object_get(heartbeat, "uptime_s")));
    printf("# HELP recwatch_last_seq Sequence number of the last journalled event.\n"
           "# TYPE recwatch_last_seq counter\n"
           "recwatch_last_seq{node=\"%s\"} %lld\n", node,
           (long long)json_integer_value(json_object_get(heartbeat, "last_seq")));
    printf("# HELP recwatch_queue Files waiting in incoming/.\n"
           "# TYPE recwatch_queue gauge\n"
           "recwatch_queue{node=\"%s\"} %lld\n", node,
           (long long)json_integer_value(json_object_get(heartbeat, "queue")));
    json_t *counters = json_object_get(heartbeat, "counters");
    for (void *it = json_object_iter(counters); it; it = json_object_iter_next(counters, it)) {
        const char *key = json_object_iter_key(it);
        json_t *value = json_object_iter_value(it);
        printf("# HELP recwatch_%s_total Heartbeat counter %s.\n", key, key);
        printf("# TYPE recwatch_%s_total counter\n", key);
        printf("recwatch_%s_total{node=\"%s\"} %lld\n", key, node,
               (long long)json_integer_value(value));
    }
}

/* Wait for one heartbeat on endpoint; NULL on timeout. */
static json_t *next_heartbeat(void *context, const rw_client_settings_t *settings, int wait_ms)
{
    void *socket = zmq_socket(context, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    if (settings->curve)
        rw_auth_make_client(socket, settings->server_public, settings->public_key,
                            settings->secret_key);
    zmq_setsockopt(socket, ZMQ_SUBSCRIBE, "heartbeat", 9);
    zmq_setsockopt(socket, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms);
    json_t *heartbeat = NULL;
    if (zmq_connect(socket, settings->endpoint) < 0) {
        fprintf(stderr, "recwatch: cannot connect to %s: %s\n", settings->endpoint,
                zmq_strerror(zmq_errno()));
    } else {
        char topic[64];
        static char body[65536];
        int topic_length = zmq_recv(socket, topic, sizeof topic, 0);
        int body_length = topic_length >= 0 ? zmq_recv(socket, body, sizeof body - 1, 0) : -1;
        if (body_length >= 0) {
            body[body_length < (int)sizeof body - 1 ? body_length : (int)sizeof body - 1] = '\0';
            heartbeat = json_loads(body, 0, NULL);
        }
    }
    zmq_close(socket);
    return heartbeat;
}

int rw_command_stats(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"endpoint", required_argument, NULL, 'e'},
        {"server-key", required_argument, NULL, 'S'}, {"key", required_argument, NULL, 'k'},
        {"prometheus", no_argument, NULL, 'p'}, {"timeout", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'}, {0}};
    const char *config_path = RW_DEFAULT_CONFIG, *endpoint = NULL, *server_key = NULL, *key = NULL;
    bool explicit_config = false, prometheus = false;
    int wait_ms = MAX_WAIT_MS, option;
    while ((option = getopt_long(argc, argv, "c:e:w:h", options, NULL)) != -1) {
        switch (option) {
        case 'c': config_path = optarg; explicit_config = true; break;
        case 'e': endpoint = optarg; break;
        case 'S': server_key = optarg; break;
        case 'k': key = optarg; break;
        case 'p': prometheus = true; break;
        case 'w': wait_ms = (int)(atof(optarg) * 1000); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    rw_client_settings_t settings;
    if (rw_client_settings_load(&settings, config_path, explicit_config, endpoint, NULL,
                                server_key, key) < 0)
        return 1;
    void *context = zmq_ctx_new();
    json_t *heartbeat = context ? next_heartbeat(context, &settings, wait_ms) : NULL;
    int status = 0;
    if (!heartbeat) {
        fprintf(stderr, "recwatch: no heartbeat from %s within %d ms: is the daemon running, "
                        "and is this the right endpoint?\n", settings.endpoint, wait_ms);
        status = 1;
    } else if (prometheus) {
        print_prometheus(heartbeat);
    } else {
        print_table(heartbeat);
    }
    json_decref(heartbeat);
    if (context)
        zmq_ctx_term(context);
    rw_client_settings_clear(&settings);
    return status;
}
