/* server.c — the event loop of recwatchd.
 *
 * Statements are taken in batches (at most BATCH_FILES files or BATCH_MS of work), so
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

#define BATCH_FILES 256
#define BATCH_MS 20.0
#define PAUSE_RETRY_S 1.0
#define RETAIN_EVERY_S 3600.0

/* One file of a batch and what became of it. */
typedef struct {
    char *name;
    size_t bytes;
    rw_spool_identity_t identity;     /* the file as read, to move only that one */
    bool identified;
    enum { FILE_DONE, FILE_DUPLICATE, FILE_FAILED, FILE_GONE } outcome;
    rw_pipeline_result_t result;
    json_t *error_event;
} batch_file_t;

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
    batch_file_t batch[BATCH_FILES];  /* the files of the batch in hand */
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

static bool duplicate_in_batch(const batch_file_t *files, size_t count, const char *id)
{
    for (size_t i = 0; i < count; i++)
        if (files[i].outcome == FILE_DONE && strcmp(files[i].result.id, id) == 0)
            return true;
    return false;
}

/* Move a file that cannot be processed to failed/ and make its error event. */
static void fail_file(rw_server_t *self, batch_file_t *file, const char *reason)
{
    char *moved_to = NULL;
    rw_warning("%s: %s", file->name, reason);
    int status = rw_spool_fail(self->spool, file->name,
                               file->identified ? &file->identity : NULL, reason, &moved_to);
    if (status == -ENOENT || status == -ESTALE) {
        file->outcome = FILE_GONE;
        return;
    }
    file->outcome = FILE_FAILED;
    file->error_event = rw_event_error(self->config->node, file->name, reason, moved_to);
    free(moved_to);
    self->counters.errors++;
}

static void prepare_file(rw_server_t *self, batch_file_t *files, size_t index)
{
    batch_file_t *file = &files[index];
    unsigned char *bytes = NULL;
    char reason[512];
    self->counters.files_seen++;
    file->identity = (rw_spool_identity_t){0, 0};
    int status = rw_spool_read(self->spool, file->name, self->config->spool_max_bytes,
                               &bytes, &file->bytes, &file->identity, reason, sizeof reason);
    file->identified = file->identity.inode != 0;
    if (status == -ENOENT) {
        rw_debug("%s: gone before it could be read", file->name);
        file->outcome = FILE_GONE;
        return;
    }
    if (status < 0) {
        fail_file(self, file, reason);
        return;
    }
    rw_extract_options_t options = {.min_confidence = self->config->extract_min_confidence};
    status = rw_pipeline_run(self->lexicon, &options, self->config->node, file->name, time(NULL),
                             bytes, file->bytes, &file->result, reason, sizeof reason);
    free(bytes);
    if (status < 0) {
        fail_file(self, file, reason);
        return;
    }
    if (rw_journal_has_content(self->journal, file->result.id) ||
        duplicate_in_batch(files, index, file->result.id)) {
        rw_info("%s: same content as a statement already published (%s): not published again",
                file->name, file->result.id);
        file->outcome = FILE_DUPLICATE;
        return;
    }
    file->outcome = FILE_DONE;
}

/* Every event of the batch, in order, as journal entries. */
static rw_journal_entry_t *batch_entries(batch_file_t *files, size_t count, size_t *total)
{
    size_t needed = 0;
    for (size_t i = 0; i < count; i++)
        needed += files[i].outcome == FILE_DONE ? files[i].result.count
                : files[i].outcome == FILE_FAILED && files[i].error_event ? 1 : 0;
    rw_journal_entry_t *entries = calloc(needed ? needed : 1, sizeof *entries);
    if (!entries)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        batch_file_t *file = &files[i];
        if (file->outcome == FILE_FAILED && file->error_event) {
            entries[n++] = (rw_journal_entry_t){.topic = "error", .event = file->error_event};
        } else if (file->outcome == FILE_DONE) {
            for (size_t e = 0; e < file->result.count; e++)
                entries[n++] = (rw_journal_entry_t){
                    .topic = e == 0 ? file->result.statement_topic : file->result.recommendation_topic,
                    .event = file->result.events[e]};
        }
    }
    *total = n;
    return entries;
}

static void pause_intake(rw_server_t *self, int status)
{
    char reason[512];
    snprintf(reason, sizeof reason,
             "cannot write the journal in %s: %s; taking no files until it can "
             "(they stay in incoming/)", self->config->state_dir, strerror(-status));
    if (!self->paused)
        rw_error("%s", reason);
    if (!self->paused)
        publish_transient_error(self, reason);
    self->paused = true;
    self->resume_at = now_seconds() + PAUSE_RETRY_S;
}

static void finish_files(rw_server_t *self, batch_file_t *files, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        batch_file_t *file = &files[i];
        if (file->outcome != FILE_DONE && file->outcome != FILE_DUPLICATE)
            continue;
        char *moved_to = NULL;
        if (rw_spool_finish(self->spool, file->name, &file->identity, &moved_to) == 0)
            rw_debug("%s → %s", file->name, moved_to);
        free(moved_to);
        if (file->outcome == FILE_DUPLICATE) {
            self->counters.duplicates++;
        } else {
            self->counters.statements++;
            self->counters.recommendations += file->result.document->count;
            self->counters.bytes += file->bytes;
            rw_info("%s: %zu recommendation(s), %s", file->name, file->result.document->count,
                    file->result.id);
        }
    }
    /* The moves are not fsync'd one batch at a time: the journal is what must be
     * durable. A move lost in a crash leaves the file in incoming/, where the next
     * start finds its content in the journal and moves it to done/ unpublished. */
}

/* Publish the bodies exactly as the journal wrote them. */
static void publish_batch(rw_server_t *self, const rw_journal_entry_t *entries, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        int status = rw_publish_send(self->publish, entries[i].topic, entries[i].body,
                                     entries[i].body_length);
        if (status < 0)
            rw_error("cannot publish a %s event: %s", entries[i].topic, zmq_strerror(-status));
    }
}

static void clear_batch(batch_file_t *files, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(files[i].name);
        rw_pipeline_result_clear(&files[i].result);
        json_decref(files[i].error_event);
    }
}

static void process_batch(rw_server_t *self)
{
    batch_file_t *files = self->batch;
    size_t count = 0;
    double deadline = now_seconds() + BATCH_MS / 1000.0;
    while (count < BATCH_FILES && rw_queue_size(self->queue) > 0 && now_seconds() < deadline) {
        memset(&files[count], 0, sizeof files[count]);
        files[count].name = rw_queue_pop(self->queue);
        prepare_file(self, files, count);
        count++;
    }
    self->retry = false;
    size_t total = 0;
    rw_journal_entry_t *entries = batch_entries(files, count, &total);
    int status = entries ? (total ? rw_journal_append(self->journal, entries, total) : 0) : -ENOMEM;
    if (status < 0) {
        pause_intake(self, status);
    } else {
        if (self->paused)
            rw_notice("the journal can be written again: taking files");
        self->paused = false;
        publish_batch(self, entries, total);
        finish_files(self, files, count);
    }
    free(entries);
    clear_batch(files, count);
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
