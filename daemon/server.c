/* server.c — the event loop of recwatchd.
 *
 * Statements are taken in batches (at most RW_BATCH_MAX_FILES files or BATCH_MS of work), so
 * that one fsync of the journal covers many statements when thousands arrive at once
 * (group commit), while the loop still answers signals and replay requests between
 * batches. For each batch: read and extract every file, append all events to the
 * journal (one fsync), publish them, then move the files to done/. A crash at any
 * point loses nothing: a file leaves incoming/ only after its events are durable, and
 * at start a file whose content the journal already holds goes to done/ unpublished. */
#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "auth.h"
#include "batch.h"
#include "config.h"
#include "event.h"
#include "journal.h"
#include "keys.h"
#include "lexicon.h"
#include "log.h"
#include "pipeline.h"
#include "publish.h"
#include "queue.h"
#include "replay.h"
#include "spool.h"
#include "watch.h"

#define BATCH_MS 20.0
#define PAUSE_RETRY_S 1.0
#define RETAIN_EVERY_S 3600.0

struct rw_server {
    rw_config_t *config;
    rw_lexicon_t *lexicon;
    rw_spool_t *spool;
    rw_journal_t *journal;
    rw_watch_t *watch;
    rw_queue_t *queue;
    void *context;
    rw_auth_t *auth;
    rw_publish_t *publish;
    void *replay_socket;
    char *replay_bound;          /* resolved replay endpoint, for rebind */
    char *replay_advertised;     /* what heartbeats name (replay.advertise, or the bound one) */
    rw_replay_t *replay;
    int signal_fd;

    rw_counters_t counters;
    double started;
    double next_heartbeat;
    double next_watchdog;
    double next_retain;
    double watchdog_interval;    /* seconds; 0 when systemd's watchdog is off */
    bool stopping;
    bool paused;                 /* the journal cannot be written: take no files */
    bool retry;                  /* paused, but time to try one batch again */
    double resume_at;
};


static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* ---- set-up ---------------------------------------------------------------- */

static int check_plain_endpoints(const rw_config_t *config)
{
    if (config->security_curve || config->security_allow_plain_remote)
        return 0;
    const rw_strings_t *lists[] = {&config->publish_endpoints, &config->publish_connect};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->count; i++)
            if (!rw_auth_endpoint_is_local(lists[l]->items[i])) {
                rw_error("%s: %s is not a loopback or ipc endpoint and security.curve is off: "
                         "enable CURVE, or set security.allow_plain_remote = true",
                         config->path, lists[l]->items[i]);
                return -EINVAL;
            }
    if (config->replay_endpoint[0] && !rw_auth_endpoint_is_local(config->replay_endpoint)) {
        rw_error("%s: replay.endpoint %s is not local and security.curve is off",
                 config->path, config->replay_endpoint);
        return -EINVAL;
    }
    return 0;
}

static rw_config_t *load_config(const char *path)
{
    char error[512];
    rw_config_t *config = rw_config_load(path, error, sizeof error);
    if (!config) {
        rw_error("%s", error);
        return NULL;
    }
    if (rw_config_validate(config, error, sizeof error) < 0) {
        rw_error("%s", error);
        rw_config_destroy(&config);
    } else if (check_plain_endpoints(config) < 0) {
        rw_config_destroy(&config);
    }
    return config;
}

static rw_lexicon_t *load_lexicon(const rw_config_t *config)
{
    char error[512];
    rw_lexicon_t *lexicon = rw_lexicon_new(config->extract_lexicons, &config->extract_languages,
                                           error, sizeof error);
    if (!lexicon)
        rw_error("lexicon: %s", error);
    return lexicon;
}

static int open_replay(rw_server_t *self, const char *secret_key)
{
    const char *endpoint = self->config->replay_endpoint;
    if (!endpoint[0])
        return 0;
    self->replay_socket = zmq_socket(self->context, ZMQ_ROUTER);
    int linger = 1000, mandatory = 1;
    if (!self->replay_socket ||
        zmq_setsockopt(self->replay_socket, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
        zmq_setsockopt(self->replay_socket, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory) < 0 ||
        (secret_key && rw_auth_make_server(self->replay_socket, secret_key) < 0) ||
        zmq_bind(self->replay_socket, endpoint) < 0) {
        rw_error("replay socket %s: %s", endpoint, zmq_strerror(zmq_errno()));
        return -EADDRINUSE;
    }
    char bound[256];
    size_t bound_size = sizeof bound;
    if (zmq_getsockopt(self->replay_socket, ZMQ_LAST_ENDPOINT, bound, &bound_size) < 0)
        snprintf(bound, sizeof bound, "%s", endpoint);
    self->replay_bound = strdup(bound);
    /* heartbeats name the endpoint subscribers should use: a wildcard bind such as
     * tcp://0.0.0.0:5561 is not one they can reach */
    const char *advertise = self->config->replay_advertise;
    self->replay_advertised = strdup(advertise[0] ? advertise : bound);
    self->replay = rw_replay_new(self->replay_socket, self->journal);
    return self->replay && self->replay_bound && self->replay_advertised ? 0 : -ENOMEM;
}

static int open_sockets(rw_server_t *self)
{
    const rw_config_t *config = self->config;
    char public_key[RW_KEY_Z85_LENGTH + 1], secret_key[RW_KEY_Z85_LENGTH + 1];
    char error[512];
    self->context = zmq_ctx_new();
    if (!self->context) {
        rw_error("zmq_ctx_new: %s", zmq_strerror(zmq_errno()));
        return -ENOMEM;
    }
    if (config->security_curve) {
        if (rw_keys_read_secret(config->security_secret_key_file, public_key, secret_key,
                                error, sizeof error) < 0) {
            rw_error("%s", error);
            return -EACCES;
        }
        /* the ZAP handler must answer before any CURVE socket binds: fail closed */
        self->auth = rw_auth_new(self->context, config->security_authorized_keys_dir,
                                 error, sizeof error);
        if (!self->auth) {
            rw_error("cannot start the authentication handler: %s", error);
            return -EACCES;
        }
    }
    rw_publish_options_t options = {
        .bind = &config->publish_endpoints, .connect = &config->publish_connect,
        .sndhwm = config->publish_sndhwm,
        .curve_secret_key = config->security_curve ? secret_key : NULL,
        .forwarder_key_file = config->publish_forwarder_key,
    };
    self->publish = rw_publish_new(self->context, &options, error, sizeof error);
    if (!self->publish) {
        rw_error("%s", error);
        return -EADDRINUSE;
    }
    int status = open_replay(self, config->security_curve ? secret_key : NULL);
    explicit_bzero(secret_key, sizeof secret_key);
    return status;
}

static int open_signals(rw_server_t *self)
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    /* blocked before the zmq context starts its threads, so they inherit the mask */
    if (pthread_sigmask(SIG_BLOCK, &signals, NULL) != 0)
        return -EINVAL;
    signal(SIGPIPE, SIG_IGN);
    self->signal_fd = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (self->signal_fd < 0) {
        rw_error("signalfd: %s", strerror(errno));
        return -errno;
    }
    return 0;
}

static int open_spool(rw_server_t *self)
{
    const rw_config_t *config = self->config;
    char error[512];
    self->spool = rw_spool_new(config->spool_incoming, config->spool_done, config->spool_failed,
                               error, sizeof error);
    if (!self->spool) {
        rw_error("spool: %s", error);
        return -EIO;
    }
    rw_journal_options_t journal_options = {
        .dir = config->state_dir, .retain_bytes = config->state_retain_bytes,
        .retain_days = config->state_retain_days, .segment_bytes = 0,
    };
    self->journal = rw_journal_new(&journal_options, error, sizeof error);
    if (!self->journal) {
        rw_error("journal: %s", error);
        return -EIO;
    }
    self->watch = rw_watch_new(config->spool_incoming, &config->spool_patterns, error, sizeof error);
    if (!self->watch) {
        rw_error("%s", error);
        return -EIO;
    }
    self->queue = rw_queue_new();
    return self->queue ? 0 : -ENOMEM;
}

static void read_watchdog(rw_server_t *self)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        self->watchdog_interval = (double)usec / 2e6;
}

rw_server_t *rw_server_new(const char *config_path)
{
    rw_server_t *self = calloc(1, sizeof *self);
    if (!self) {
        rw_error("out of memory");
        return NULL;
    }
    self->signal_fd = -1;
    self->config = load_config(config_path);
    if (!self->config)
        goto failed;
    int level = rw_log_level_parse(self->config->log_level);
    if (level < 0) {
        rw_error("%s: log.level \"%s\" is not one of error, warning, notice, info, debug",
                 config_path, self->config->log_level);
        goto failed;
    }
    rw_log_set_level((rw_log_level_t)level);
    if (open_signals(self) < 0)
        goto failed;
    self->lexicon = load_lexicon(self->config);
    if (!self->lexicon || open_spool(self) < 0 || open_sockets(self) < 0)
        goto failed;
    int queued = rw_watch_scan(self->watch, self->queue);
    if (queued < 0)
        goto failed;
    self->started = now_seconds();
    self->next_heartbeat = self->started;
    self->next_retain = self->started + 60;
    read_watchdog(self);
    self->next_watchdog = self->started;
    rw_notice("recwatchd started: node %s, %d file(s) waiting, last seq %llu",
              self->config->node, queued, (unsigned long long)rw_journal_last_seq(self->journal));
    return self;
failed:
    rw_server_destroy(&self);
    return NULL;
}

void rw_server_destroy(rw_server_t **self_p)
{
    rw_server_t *self = *self_p;
    if (!self)
        return;
    rw_replay_destroy(&self->replay);
    if (self->replay_socket)
        zmq_close(self->replay_socket);
    rw_publish_destroy(&self->publish);
    rw_auth_destroy(&self->auth);
    if (self->context)
        zmq_ctx_term(self->context);
    rw_watch_destroy(&self->watch);
    rw_queue_destroy(&self->queue);
    rw_journal_destroy(&self->journal);
    rw_spool_destroy(&self->spool);
    rw_lexicon_destroy(&self->lexicon);
    rw_config_destroy(&self->config);
    if (self->signal_fd >= 0)
        close(self->signal_fd);
    free(self->replay_bound);
    free(self->replay_advertised);
    free(self);
    *self_p = NULL;
}

/* ---- publishing -------------------------------------------------------------- */

static void publish_event(rw_server_t *self, const char *topic, json_t *event)
{
    char *body = json_dumps(event, RW_EVENT_JSON_FLAGS);
    if (!body) {
        rw_error("cannot serialise a %s event: out of memory", topic);
        return;
    }
    int status = rw_publish_send(self->publish, topic, body, strlen(body));
    if (status < 0)
        rw_error("cannot publish a %s event: %s", topic, zmq_strerror(-status));
    free(body);
}

/* An error subscribers should know of but that cannot be journalled (the journal is
 * what failed): published once, without a new seq. */
static void publish_transient_error(rw_server_t *self, const char *reason)
{
    json_t *event = rw_event_error(self->config->node, NULL, reason, NULL);
    if (!event)
        return;
    json_object_set_new(event, "seq", json_integer((json_int_t)rw_journal_last_seq(self->journal)));
    json_object_set_new(event, "transient", json_true());
    publish_event(self, "error", event);
    json_decref(event);
}

static void publish_heartbeat(rw_server_t *self)
{
    self->counters.dropped = rw_publish_dropped(self->publish);
    self->counters.refused = self->auth ? rw_auth_refused(self->auth) : 0;
    self->counters.replayed = self->replay ? rw_replay_served(self->replay) : 0;
    json_t *event = rw_event_heartbeat(self->config->node, rw_journal_last_seq(self->journal),
                                       now_seconds() - self->started, &self->counters,
                                       rw_queue_size(self->queue), self->replay_advertised);
    if (event) {
        publish_event(self, "heartbeat", event);
        json_decref(event);
    }
}

/* ---- one batch of files ------------------------------------------------------ */

/* Stop taking files for a while (they stay in incoming/); why says what failed. */
static void pause_intake(rw_server_t *self, const char *why)
{
    char reason[768];
    snprintf(reason, sizeof reason, "%s; taking no files until it can (they stay in incoming/)",
             why);
    if (!self->paused)
        rw_error("%s", reason);
    if (!self->paused)
        publish_transient_error(self, reason);
    self->paused = true;
    self->resume_at = now_seconds() + PAUSE_RETRY_S;
}

/* rw_batch's publish callback: the bodies exactly as the journal wrote them. */
static void publish_entry(void *data, const char *topic, const char *body, size_t length)
{
    rw_server_t *self = data;
    int status = rw_publish_send(self->publish, topic, body, length);
    if (status < 0)
        rw_error("cannot publish a %s event: %s", topic, zmq_strerror(-status));
}

static void process_batch(rw_server_t *self)
{
    /* made for each batch: a reload may change the lexicon and the settings */
    rw_batch_options_t options = {
        .lexicon = self->lexicon,
        .spool = self->spool,
        .journal = self->journal,
        .node = self->config->node,
        .max_bytes = self->config->spool_max_bytes,
        .min_confidence = self->config->extract_min_confidence,
        .publish = publish_entry,
        .publish_data = self,
        .counters = &self->counters,
    };
    rw_batch_t *batch = rw_batch_new(&options);
    if (!batch) {
        pause_intake(self, "out of memory for a batch");
        return;
    }
    double deadline = now_seconds() + BATCH_MS / 1000.0;
    while (rw_batch_count(batch) < RW_BATCH_MAX_FILES && rw_queue_size(self->queue) > 0 &&
           now_seconds() < deadline) {
        char *name = rw_queue_pop(self->queue);
        if (name)
            rw_batch_add(batch, name);
    }
    self->retry = false;
    int status = rw_batch_commit(batch);
    size_t retries = rw_batch_retries(batch);
    rw_batch_destroy(&batch);
    char why[512];
    if (status < 0) {
        snprintf(why, sizeof why, "cannot write the journal in %s: %s", self->config->state_dir,
                 strerror(-status));
        pause_intake(self, why);
    } else if (retries > 0) {
        snprintf(why, sizeof why, "%zu file(s) could not be read or extracted for want of "
                 "memory, file descriptors or a working disk", retries);
        pause_intake(self, why);
    } else {
        if (self->paused)
            rw_notice("taking files again");
        self->paused = false;
    }
}

/* ---- signals, reload, timers --------------------------------------------------- */

static void reload(rw_server_t *self)
{
    rw_notice("SIGHUP: reloading %s", self->config->path);
    rw_config_t *fresh = load_config(self->config->path);
    if (!fresh) {
        rw_error("configuration not reloaded: keeping the settings in use");
        return;
    }
    rw_lexicon_t *lexicon = load_lexicon(fresh);
    if (!lexicon) {
        rw_error("lexicons not reloaded: keeping the settings in use");
        rw_config_destroy(&fresh);
        return;
    }
    if (strcmp(fresh->node, self->config->node) != 0 ||
        strcmp(fresh->spool_incoming, self->config->spool_incoming) != 0 ||
        strcmp(fresh->state_dir, self->config->state_dir) != 0 ||
        strcmp(fresh->replay_endpoint, self->config->replay_endpoint) != 0 ||
        fresh->security_curve != self->config->security_curve)
        rw_warning("node, spool, state, endpoint and security.curve changes take effect at restart");
    rw_lexicon_destroy(&self->lexicon);
    self->lexicon = lexicon;
    rw_watch_set_patterns(self->watch, &fresh->spool_patterns);
    int level = rw_log_level_parse(fresh->log_level);
    if (level >= 0)
        rw_log_set_level((rw_log_level_t)level);
    /* keep the settings that need a restart as they are */
    free(fresh->node);
    fresh->node = strdup(self->config->node);
    rw_config_t *old = self->config;
    self->config = fresh;
    rw_config_destroy(&old);
    if (self->auth) {
        int removed = rw_auth_reload(self->auth);
        if (removed > 0) {
            rw_notice("%d key(s) removed from the allow-list: dropping every connection", removed);
            rw_publish_rebind(self->publish);
            if (self->replay_socket && rw_auth_rebind(self->replay_socket, self->replay_bound) < 0)
                rw_error("cannot rebind the replay socket %s", self->replay_bound);
        }
    }
    rw_notice("configuration reloaded");
}

static void read_signals(rw_server_t *self)
{
    struct signalfd_siginfo info;
    while (read(self->signal_fd, &info, sizeof info) == (ssize_t)sizeof info) {
        if (info.ssi_signo == SIGHUP) {
            sd_notify(0, "RELOADING=1");
            reload(self);
            sd_notify(0, "READY=1");
        } else {
            rw_notice("signal %d: finishing and stopping", (int)info.ssi_signo);
            self->stopping = true;
        }
    }
}

static void run_timers(rw_server_t *self)
{
    double now = now_seconds();
    if (now >= self->next_heartbeat) {
        publish_heartbeat(self);
        sd_notifyf(0, "STATUS=%llu statements, %llu recommendations, %llu errors, %zu waiting%s",
                   (unsigned long long)self->counters.statements,
                   (unsigned long long)self->counters.recommendations,
                   (unsigned long long)self->counters.errors, rw_queue_size(self->queue),
                   self->paused ? ", paused: journal not writable" : "");
        self->next_heartbeat = now + self->config->publish_heartbeat_s;
    }
    if (self->watchdog_interval > 0 && now >= self->next_watchdog) {
        sd_notify(0, "WATCHDOG=1");
        self->next_watchdog = now + self->watchdog_interval;
    }
    if (now >= self->next_retain) {
        int removed = rw_journal_retain(self->journal, time(NULL));
        if (removed > 0)
            rw_info("retention: %d journal segment(s) removed", removed);
        self->next_retain = now + RETAIN_EVERY_S;
    }
    if (self->paused && !self->retry && now >= self->resume_at) {
        /* try again: the files are still in incoming/, queue them again */
        rw_watch_scan(self->watch, self->queue);
        self->retry = true;
    }
}

static bool taking_files(const rw_server_t *self)
{
    return !self->stopping && (!self->paused || self->retry) && rw_queue_size(self->queue) > 0;
}

static long poll_timeout_ms(const rw_server_t *self)
{
    bool work = taking_files(self) ||
                (self->replay && rw_replay_busy(self->replay));
    if (work)
        return 0;
    /* a replay client that could not take more is retried shortly */
    long replay_wait = self->replay ? rw_replay_timeout_ms(self->replay) : -1;
    double next = self->next_heartbeat;
    if (self->watchdog_interval > 0 && self->next_watchdog < next)
        next = self->next_watchdog;
    if (self->paused && !self->retry && self->resume_at < next)
        next = self->resume_at;
    double wait = next - now_seconds();
    long wait_ms = wait <= 0 ? 0 : (long)(wait * 1000) + 1;
    return replay_wait >= 0 && replay_wait < wait_ms ? replay_wait : wait_ms;
}

int rw_server_run(rw_server_t *self)
{
    sd_notify(0, "READY=1");
    while (!self->stopping) {
        zmq_pollitem_t items[4] = {
            {NULL, self->signal_fd, ZMQ_POLLIN, 0},
            {NULL, rw_watch_fd(self->watch), ZMQ_POLLIN, 0},
            {rw_publish_socket(self->publish), 0, ZMQ_POLLIN, 0},
            {self->replay_socket, 0, ZMQ_POLLIN, 0},
        };
        int item_count = self->replay_socket ? 4 : 3;
        if (zmq_poll(items, item_count, poll_timeout_ms(self)) < 0 && zmq_errno() != EINTR) {
            rw_error("zmq_poll: %s", zmq_strerror(zmq_errno()));
            return -EIO;
        }
        if (items[0].revents & ZMQ_POLLIN)
            read_signals(self);
        if (items[1].revents & ZMQ_POLLIN && rw_watch_read(self->watch, self->queue) == -ENOENT) {
            rw_error("the incoming folder is gone: stopping");
            return -ENOENT;
        }
        if (items[2].revents & ZMQ_POLLIN)
            rw_publish_drain(self->publish);
        if (self->replay && items[3].revents & ZMQ_POLLIN)
            rw_replay_handle(self->replay);
        if (self->replay && rw_replay_busy(self->replay))
            rw_replay_continue(self->replay);
        if (taking_files(self))
            process_batch(self);
        run_timers(self);
    }
    sd_notify(0, "STOPPING=1");
    rw_spool_sync(self->spool);
    rw_notice("stopped: %llu statements, %llu recommendations, %llu errors, %zu file(s) left waiting",
              (unsigned long long)self->counters.statements,
              (unsigned long long)self->counters.recommendations,
              (unsigned long long)self->counters.errors, rw_queue_size(self->queue));
    return 0;
}
