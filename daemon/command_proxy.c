/* command_proxy.c — `recwatch proxy`: the forwarder between ingest nodes and
 * subscribers (proxy.h does the forwarding; this file is options, keys and signals).
 *
 *   recwatch proxy [--frontend ENDPOINT] [--backend ENDPOINT] [-c FILE]
 *                  [--capture ENDPOINT] [--control ENDPOINT] [--hwm N] [-v]
 *
 * Keys and the allow-list come from the config file's security section, as for the
 * daemon (security.curve, secret_key_file, authorized_keys_dir); without CURVE, every
 * endpoint must be loopback or ipc unless security.allow_plain_remote is true.
 *
 * Signals are blocked in every thread and taken by one signal thread:
 * SIGTERM/SIGINT stop the proxy (rw_proxy_stop sends TERMINATE on the control pair),
 * SIGUSR1 logs the statistics, SIGHUP re-reads the authorized keys folder. The final
 * statistics are logged at exit. Exit status 0 after a clean stop. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "auth.h"
#include "command.h"
#include "config.h"
#include "keys.h"
#include "log.h"
#include "proxy.h"

#define DEFAULT_FRONTEND "tcp://127.0.0.1:5570"
#define DEFAULT_BACKEND "tcp://127.0.0.1:5571"
#define SIGNAL_WAIT_MS 200

typedef struct {
    const char *config_path;
    bool config_explicit;
    const char *frontend, *backend, *capture, *control;
    int hwm;          /* 0: publish.sndhwm of the config */
    bool verbose;
} proxy_options_t;

/* What the signal thread needs. */
typedef struct {
    rw_proxy_t *proxy;
    sigset_t signals;
    atomic_bool done;
} signal_thread_t;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: recwatch proxy [--frontend ENDPOINT] [--backend ENDPOINT] [-c FILE]\n"
            "                      [--capture ENDPOINT] [--control ENDPOINT] [--hwm N] [-v]\n"
            "  --frontend ENDPOINT  XSUB bind: ingest daemons connect here (publish.connect)\n"
            "                       (default " DEFAULT_FRONTEND ")\n"
            "  --backend ENDPOINT   XPUB bind: subscribers connect here (default " DEFAULT_BACKEND ")\n"
            "  --capture ENDPOINT   PUB bind: a copy of all traffic (default none)\n"
            "  --control ENDPOINT   REP bind: STATISTICS, PAUSE, RESUME, TERMINATE (default none)\n"
            "  --hwm N              messages queued per connection (default publish.sndhwm)\n"
            "  -c FILE              keys and allow-list from its security section\n"
            "                       (default " RW_DEFAULT_CONFIG ")\n"
            "  -v                   log debug messages\n"
            "SIGTERM/SIGINT stop, SIGUSR1 logs statistics, SIGHUP re-reads authorized keys.\n");
}

static int parse(proxy_options_t *o, int argc, char **argv)
{
    enum { FRONTEND = 256, BACKEND, CAPTURE, CONTROL, HWM };
    static const struct option options[] = {
        {"frontend", required_argument, NULL, FRONTEND}, {"backend", required_argument, NULL, BACKEND},
        {"capture", required_argument, NULL, CAPTURE}, {"control", required_argument, NULL, CONTROL},
        {"hwm", required_argument, NULL, HWM}, {"config", required_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'}, {0}};
    *o = (proxy_options_t){.config_path = RW_DEFAULT_CONFIG, .frontend = DEFAULT_FRONTEND,
                           .backend = DEFAULT_BACKEND};
    optind = 1;
    int option;
    char *end;
    while ((option = getopt_long(argc, argv, "c:vh", options, NULL)) != -1) {
        switch (option) {
        case 'c': o->config_path = optarg; o->config_explicit = true; break;
        case FRONTEND: o->frontend = optarg; break;
        case BACKEND: o->backend = optarg; break;
        case CAPTURE: o->capture = optarg; break;
        case CONTROL: o->control = optarg; break;
        case HWM: {
            long value = strtol(optarg, &end, 10);
            if (*end || value < 1 || value > 100000000)
                return -1;
            o->hwm = (int)value;
            break;
        }
        case 'v': o->verbose = true; break;
        case 'h': usage(stdout); exit(0);
        default: return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

/* The config file when given or present, else the defaults. NULL after a message. */
static rw_config_t *load_config(const proxy_options_t *o)
{
    char error[512];
    rw_config_t *config = NULL;
    if (o->config_explicit || access(o->config_path, R_OK) == 0) {
        config = rw_config_load(o->config_path, error, sizeof error);
        if (!config)
            rw_error("%s", error);
    } else {
        config = rw_config_new_defaults(NULL);
        if (!config)
            rw_error("out of memory");
    }
    if (!config)
        return NULL;
    int level = rw_log_level_parse(config->log_level);
    if (level < 0) {
        rw_error("%s: log.level \"%s\" is not one of error, warning, notice, info, debug",
                 o->config_path, config->log_level);
        rw_config_destroy(&config);
        return NULL;
    }
    rw_log_set_level(o->verbose ? RW_LOG_DEBUG : (rw_log_level_t)level);
    return config;
}

/* Without CURVE, refuse endpoints other machines could reach (as the daemon does). */
static int check_plain_endpoints(const rw_config_t *config, const proxy_options_t *o)
{
    if (config->security_curve || config->security_allow_plain_remote)
        return 0;
    const char *endpoints[] = {o->frontend, o->backend, o->capture, o->control};
    for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++)
        if (endpoints[i] && !rw_auth_endpoint_is_local(endpoints[i])) {
            rw_error("%s is not a loopback or ipc endpoint and security.curve is off: enable "
                     "CURVE, or set security.allow_plain_remote = true", endpoints[i]);
            return -EINVAL;
        }
    return 0;
}

static void log_statistics(const char *when, const rw_proxy_statistics_t *s)
{
    rw_notice("proxy statistics (%s): events in %llu (%llu bytes), events out %llu (%llu bytes); "
              "subscriptions in %llu (%llu bytes), upstream %llu (%llu bytes)", when,
              (unsigned long long)s->frontend_messages_in, (unsigned long long)s->frontend_bytes_in,
              (unsigned long long)s->backend_messages_out, (unsigned long long)s->backend_bytes_out,
              (unsigned long long)s->backend_messages_in, (unsigned long long)s->backend_bytes_in,
              (unsigned long long)s->frontend_messages_out, (unsigned long long)s->frontend_bytes_out);
}

/* Takes the blocked signals until the proxy has returned. */
static void *signal_thread_main(void *argument)
{
    signal_thread_t *thread = argument;
    const struct timespec wait = {0, SIGNAL_WAIT_MS * 1000L * 1000L};
    while (!atomic_load(&thread->done)) {
        siginfo_t info;
        int number = sigtimedwait(&thread->signals, &info, &wait);
        if (number < 0)
            continue;   /* EAGAIN: timeout, EINTR: look again */
        if (number == SIGUSR1) {
            rw_proxy_statistics_t statistics;
            int status = rw_proxy_statistics(thread->proxy, &statistics, 1000);
            if (status == 0)
                log_statistics("SIGUSR1", &statistics);
            else
                rw_warning("SIGUSR1: no statistics: %s", zmq_strerror(-status));
        } else if (number == SIGHUP) {
            int removed = rw_proxy_reload_keys(thread->proxy);
            if (removed >= 0)
                rw_notice("SIGHUP: authorized keys re-read (%d removed; connections already "
                          "admitted stay until they reconnect)", removed);
        } else {
            rw_notice("signal %d: stopping the proxy", number);
            rw_proxy_stop(thread->proxy);
        }
    }
    return NULL;
}

/* Read the key pair when CURVE is on. 0, or -1 after a message. */
static int read_secret_key(const rw_config_t *config, char *secret_key)
{
    if (!config->security_curve)
        return 0;
    char public_key[RW_KEY_Z85_LENGTH + 1], error[512];
    if (rw_keys_read_secret(config->security_secret_key_file, public_key, secret_key, error,
                            sizeof error) < 0) {
        rw_error("%s", error);
        return -1;
    }
    rw_info("CURVE on: proxy public key %s, allow-list %s", public_key,
            config->security_authorized_keys_dir);
    return 0;
}

/* Build the proxy, run it with the signal thread beside it, report. Exit status. */
static int serve(void *context, const rw_config_t *config, const proxy_options_t *o,
                 const sigset_t *signals, const char *secret_key)
{
    rw_proxy_options_t options = {
        .frontend = o->frontend, .backend = o->backend, .capture = o->capture,
        .control = o->control, .hwm = o->hwm ? o->hwm : config->publish_sndhwm,
        .secret_key = config->security_curve ? secret_key : NULL,
        .authorized_keys_dir = config->security_authorized_keys_dir,
    };
    char error[512];
    rw_proxy_t *proxy = rw_proxy_new(context, &options, error, sizeof error);
    if (!proxy) {
        rw_error("%s", error);
        return 1;
    }
    signal_thread_t thread = {.proxy = proxy, .signals = *signals};
    atomic_init(&thread.done, false);
    pthread_t thread_id;
    int error_number = pthread_create(&thread_id, NULL, signal_thread_main, &thread);
    if (error_number != 0) {
        rw_error("cannot start the signal thread: %s", strerror(error_number));
        rw_proxy_destroy(&proxy);
        return 1;
    }
    rw_notice("recwatch proxy started: frontend %s, backend %s%s",
              rw_proxy_endpoint(proxy, "frontend"), rw_proxy_endpoint(proxy, "backend"),
              options.secret_key ? " (CURVE)" : "");
    int status = rw_proxy_run(proxy);
    atomic_store(&thread.done, true);
    pthread_join(thread_id, NULL);
    rw_proxy_statistics_t statistics;
    if (rw_proxy_final_statistics(proxy, &statistics) == 0)
        log_statistics("at exit", &statistics);
    if (rw_proxy_refused(proxy) > 0)
        rw_notice("CURVE handshakes refused: %llu", (unsigned long long)rw_proxy_refused(proxy));
    rw_proxy_destroy(&proxy);
    rw_notice("recwatch proxy stopped");
    return status == 0 ? 0 : 1;
}

int rw_command_proxy(int argc, char **argv)
{
    proxy_options_t o;
    if (parse(&o, argc, argv) < 0) {
        usage(stderr);
        return 2;
    }
    rw_config_t *config = load_config(&o);
    if (!config)
        return 1;
    if (check_plain_endpoints(config, &o) < 0) {
        rw_config_destroy(&config);
        return 1;
    }
    char secret_key[RW_KEY_Z85_LENGTH + 1] = "";
    if (read_secret_key(config, secret_key) < 0) {
        rw_config_destroy(&config);
        return 1;
    }
    /* blocked before the zmq context starts its threads, so that they inherit the mask
     * and the signals reach only sigtimedwait in the signal thread */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGUSR1);
    sigaddset(&signals, SIGHUP);
    int status = 1;
    void *context = NULL;
    if (pthread_sigmask(SIG_BLOCK, &signals, NULL) != 0) {
        rw_error("cannot block signals");
    } else if (!(context = zmq_ctx_new())) {
        rw_error("cannot create a ZeroMQ context: %s", zmq_strerror(zmq_errno()));
    } else {
        status = serve(context, config, &o, &signals, secret_key);
    }
    explicit_bzero(secret_key, sizeof secret_key);
    if (context)
        zmq_ctx_term(context);
    rw_config_destroy(&config);
    return status;
}
