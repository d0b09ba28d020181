/* command_sub.c — `recwatch sub`: subscribe and print events as JSON lines.
 *
 *   recwatch sub [-c FILE] [-e ENDPOINT]... [-r REPLAY] [-t TOPIC]... [--since N]
 *                [--server-key FILE.pub --key FILE.key] [--count N] [--timeout SECONDS]
 *
 * With --since N, events N… are replayed from the daemon's journal first, then the
 * live stream follows with no gap and no duplicate. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "client.h"
#include "command.h"
#include "subscriber.h"

#define MAX_LIST 32

static volatile sig_atomic_t interrupted;

static void on_signal(int signal_number)
{
    (void)signal_number;
    interrupted = 1;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: recwatch sub [-c FILE] [-e ENDPOINT]... [-r REPLAY] [-t TOPIC]... "
                 "[--since N]\n"
                 "                    [--server-key FILE.pub --key FILE.key] [--count N] "
                 "[--timeout SECONDS]\n");
}

typedef struct {
    const char *config_path;
    bool config_explicit;
    const char *endpoints[MAX_LIST];
    size_t endpoint_count;
    const char *topics[MAX_LIST];
    size_t topic_count;
    const char *replay, *server_key, *key;
    long long since, count;
    double timeout;
} sub_options_t;

static int parse(sub_options_t *o, int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"endpoint", required_argument, NULL, 'e'},
        {"replay", required_argument, NULL, 'r'}, {"topic", required_argument, NULL, 't'},
        {"since", required_argument, NULL, 's'}, {"server-key", required_argument, NULL, 'S'},
        {"key", required_argument, NULL, 'k'}, {"count", required_argument, NULL, 'n'},
        {"timeout", required_argument, NULL, 'w'}, {"help", no_argument, NULL, 'h'}, {0}};
    *o = (sub_options_t){.config_path = RW_DEFAULT_CONFIG, .since = -1, .count = -1, .timeout = -1};
    int option;
    char *end;
    while ((option = getopt_long(argc, argv, "c:e:r:t:s:n:w:h", options, NULL)) != -1) {
        switch (option) {
        case 'c': o->config_path = optarg; o->config_explicit = true; break;
        case 'e':
            if (o->endpoint_count == MAX_LIST) return -1;
            o->endpoints[o->endpoint_count++] = optarg;
            break;
        case 't':
            if (o->topic_count == MAX_LIST) return -1;
            o->topics[o->topic_count++] = optarg;
            break;
        case 'r': o->replay = optarg; break;
        case 'S': o->server_key = optarg; break;
        case 'k': o->key = optarg; break;
        case 's':
            o->since = strtoll(optarg, &end, 10);
            if (*end || o->since < 0) return -1;
            break;
        case 'n':
            o->count = strtoll(optarg, &end, 10);
            if (*end || o->count < 0) return -1;
            break;
        case 'w':
            o->timeout = strtod(optarg, &end);
            if (*end) return -1;
            break;
        case 'h': usage(stdout); exit(0);
        default: return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

int rw_command_sub(int argc, char **argv)
{
    sub_options_t o;
    if (parse(&o, argc, argv) < 0) {
        usage(stderr);
        return 2;
    }
    rw_client_settings_t settings;
    if (rw_client_settings_load(&settings, o.config_path, o.config_explicit,
                                o.endpoint_count ? o.endpoints[0] : NULL, o.replay,
                                o.server_key, o.key) < 0)
        return 1;
    if (o.endpoint_count == 0) {
        o.endpoints[0] = settings.endpoint;
        o.endpoint_count = 1;
    }
    rw_subscriber_options_t options = {
        .endpoints = o.endpoints, .endpoint_count = o.endpoint_count,
        .replay_endpoint = settings.replay_endpoint, .topics = o.topics,
        .topic_count = o.topic_count, .since = o.since,
        .server_public_key = settings.curve ? settings.server_public : NULL,
        .public_key = settings.curve ? settings.public_key : NULL,
        .secret_key = settings.curve ? settings.secret_key : NULL,
    };
    void *context = zmq_ctx_new();
    char error[512];
    rw_subscriber_t *subscriber = context ? rw_subscriber_new(context, &options, error, sizeof error) : NULL;
    int status = 0;
    if (!subscriber) {
        fprintf(stderr, "recwatch: %s\n", context ? error : "cannot create a ZeroMQ context");
        status = 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    setvbuf(stdout, NULL, _IOLBF, 0);
    double waited = 0;
    long long printed = 0;
    while (subscriber && !interrupted && (o.count < 0 || printed < o.count)) {
        const char *topic, *body;
        int got = rw_subscriber_next(subscriber, 200, &topic, &body);
        if (got == -EACCES) {
            fprintf(stderr, "recwatch: the daemon refused our CURVE key: add %s's public key "
                            "to its security.authorized_keys_dir (and check --server-key)\n",
                    o.key ? o.key : "this client");
            status = 1;
            break;
        }
        if (got < 0) {
            fprintf(stderr, "recwatch: subscription failed: %s\n", zmq_strerror(-got));
            status = 1;
            break;
        }
        if (got == 0) {
            waited += 0.2;
            if (o.timeout >= 0 && waited >= o.timeout) {
                status = o.count < 0 ? 0 : 3;
                break;
            }
            continue;
        }
        waited = 0;
        printf("%s\n", body);
        printed++;
    }
    rw_subscriber_destroy(&subscriber);
    if (context)
        zmq_ctx_term(context);
    rw_client_settings_clear(&settings);
    return status;
}
