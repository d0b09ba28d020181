/* proxy.c — the forwarder: XSUB frontend, XPUB backend, zmq_proxy_steerable between.
 *
 * Threads. rw_proxy_run() blocks in zmq_proxy_steerable, which owns the frontend,
 * backend, capture and internal control sockets for as long as it runs. Everybody
 * else steers through "steer", a PAIR connected to the internal control PAIR; it is
 * used only under self->mutex (the mutex gives the memory barrier libzmq asks for
 * when a socket passes between threads). The external control endpoint, when there
 * is one, is a REP socket served by a thread of this module, which checks each
 * request before relaying it: libzmq asserts on a command it does not know, and a
 * stray message must not be able to abort the forwarder. */
#include "proxy.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "auth.h"
#include "log.h"

#define STATISTICS_FRAMES 8
#define STOP_STATISTICS_MS 500    /* how long rw_proxy_stop waits for the last figures */
#define CONTROL_POLL_MS 200       /* the control thread checks for shutdown this often */
#define LINGER_MS 200             /* at close, time given to queued messages */

enum { FRONTEND, BACKEND, CAPTURE, CONTROL, ENDPOINT_COUNT };
static const char *const endpoint_names[ENDPOINT_COUNT] = {"frontend", "backend", "capture",
                                                           "control"};

struct rw_proxy_t {
    void *context;
    rw_auth_t *auth;
    void *sockets[ENDPOINT_COUNT];    /* frontend XSUB, backend XPUB, capture PUB, control REP */
    char *endpoints[ENDPOINT_COUNT];  /* as bound */
    void *control;                    /* PAIR given to zmq_proxy_steerable */
    void *steer;                      /* PAIR connected to control; only under mutex */
    char control_address[64];         /* inproc address of control */
    pthread_mutex_t mutex;
    bool mutex_ready;
    rw_proxy_statistics_t final;
    bool have_final;                  /* under mutex */
    pthread_t control_thread;
    bool control_thread_running;
    atomic_bool finished;             /* rw_proxy_run is returning: control thread exits */
};

/* ---- set-up ---------------------------------------------------------------- */

static int set_int(void *socket, int option, int value)
{
    return zmq_setsockopt(socket, option, &value, sizeof value);
}

/* Make a socket of type, with linger and high-water marks set; CURVE server when
 * secret_key is given. NULL with error filled. */
static void *make_socket(rw_proxy_t *self, int type, const char *what, int hwm,
                         const char *secret_key, char *error, size_t error_size)
{
    void *socket = zmq_socket(self->context, type);
    if (!socket) {
        snprintf(error, error_size, "cannot create the %s socket: %s", what,
                 zmq_strerror(zmq_errno()));
        return NULL;
    }
    if (set_int(socket, ZMQ_LINGER, LINGER_MS) < 0 || set_int(socket, ZMQ_SNDHWM, hwm) < 0 ||
        set_int(socket, ZMQ_RCVHWM, hwm) < 0) {
        snprintf(error, error_size, "cannot configure the %s socket: %s", what,
                 zmq_strerror(zmq_errno()));
        zmq_close(socket);
        return NULL;
    }
    if (secret_key && rw_auth_make_server(socket, secret_key) < 0) {
        snprintf(error, error_size, "cannot make the %s socket a CURVE server: %s", what,
                 zmq_strerror(zmq_errno()));
        zmq_close(socket);
        return NULL;
    }
    return socket;
}

/* Bind sockets[which] to endpoint and remember the address actually bound. */
static int bind_endpoint(rw_proxy_t *self, int which, const char *endpoint, char *error,
                         size_t error_size)
{
    if (zmq_bind(self->sockets[which], endpoint) < 0) {
        snprintf(error, error_size, "cannot bind the %s to %s: %s", endpoint_names[which],
                 endpoint, zmq_strerror(zmq_errno()));
        return -EADDRINUSE;
    }
    char bound[256];
    size_t bound_size = sizeof bound;
    if (zmq_getsockopt(self->sockets[which], ZMQ_LAST_ENDPOINT, bound, &bound_size) < 0)
        snprintf(bound, sizeof bound, "%s", endpoint);
    self->endpoints[which] = strdup(bound);
    if (!self->endpoints[which]) {
        snprintf(error, error_size, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

/* The internal control pair: zmq_proxy_steerable reads control, we write steer. */
static int open_steering(rw_proxy_t *self, char *error, size_t error_size)
{
    snprintf(self->control_address, sizeof self->control_address,
             "inproc://recwatch-proxy-control-%p", (void *)self);
    self->control = zmq_socket(self->context, ZMQ_PAIR);
    self->steer = zmq_socket(self->context, ZMQ_PAIR);
    if (!self->control || !self->steer || set_int(self->control, ZMQ_LINGER, 0) < 0 ||
        set_int(self->steer, ZMQ_LINGER, 0) < 0 ||
        zmq_bind(self->control, self->control_address) < 0 ||
        zmq_connect(self->steer, self->control_address) < 0) {
        snprintf(error, error_size, "cannot set up the proxy's control pair: %s",
                 zmq_strerror(zmq_errno()));
        return -EIO;
    }
    return 0;
}

rw_proxy_t *rw_proxy_new(void *zmq_context, const rw_proxy_options_t *options, char *error,
                         size_t error_size)
{
    if (!options->frontend || !options->backend) {
        snprintf(error, error_size, "the proxy needs a frontend and a backend endpoint");
        return NULL;
    }
    rw_proxy_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    self->context = zmq_context;
    atomic_init(&self->finished, false);
    if (pthread_mutex_init(&self->mutex, NULL) != 0) {
        snprintf(error, error_size, "cannot create a mutex");
        free(self);
        return NULL;
    }
    self->mutex_ready = true;
    const char *secret_key = options->secret_key;
    if (secret_key) {
        /* the ZAP handler must be answering before any CURVE socket binds: fail closed */
        char reason[512];
        self->auth = rw_auth_new(zmq_context, options->authorized_keys_dir, reason, sizeof reason);
        if (!self->auth) {
            snprintf(error, error_size, "cannot start the authentication handler: %s", reason);
            goto failed;
        }
    }
    int hwm = options->hwm > 0 ? options->hwm : RW_PROXY_DEFAULT_HWM;
    const char *wanted[ENDPOINT_COUNT] = {options->frontend, options->backend, options->capture,
                                         options->control};
    const int types[ENDPOINT_COUNT] = {ZMQ_XSUB, ZMQ_XPUB, ZMQ_PUB, ZMQ_REP};
    for (int which = 0; which < ENDPOINT_COUNT; which++) {
        if (!wanted[which] || !wanted[which][0])
            continue;
        self->sockets[which] = make_socket(self, types[which], endpoint_names[which], hwm,
                                           secret_key, error, error_size);
        if (!self->sockets[which])
            goto failed;
        /* every subscription from a client goes upstream, even one already seen, so
         * that the ingest nodes' XPUB sockets see the subscriber population */
        if (which == BACKEND && set_int(self->sockets[which], ZMQ_XPUB_VERBOSE, 1) < 0) {
            snprintf(error, error_size, "cannot set ZMQ_XPUB_VERBOSE: %s", zmq_strerror(zmq_errno()));
            goto failed;
        }
        if (bind_endpoint(self, which, wanted[which], error, error_size) < 0)
            goto failed;
    }
    if (open_steering(self, error, error_size) < 0)
        goto failed;
    return self;
failed:
    rw_proxy_destroy(&self);
    return NULL;
}

/* ---- steering (any thread) ---------------------------------------------------- */

/* Send one command on steer; caller holds the mutex. */
static int send_command(rw_proxy_t *self, const char *command)
{
    /* never block: with no proxy reading (not started, or gone), the queue may be full */
    if (zmq_send(self->steer, command, strlen(command), ZMQ_DONTWAIT) < 0)
        return -zmq_errno();
    return 0;
}

/* Ask for the statistics and read the 8-frame answer; caller holds the mutex. */
static int ask_statistics(rw_proxy_t *self, rw_proxy_statistics_t *statistics, int timeout_ms)
{
    /* an answer that came too late for an earlier request must not be taken for this one */
    uint64_t stale;
    while (zmq_recv(self->steer, &stale, sizeof stale, ZMQ_DONTWAIT) >= 0) {
    }
    int status = send_command(self, "STATISTICS");
    if (status < 0)
        return status;
    zmq_pollitem_t item = {self->steer, 0, ZMQ_POLLIN, 0};
    int ready = zmq_poll(&item, 1, timeout_ms);
    if (ready < 0)
        return -zmq_errno();
    if (ready == 0)
        return -ETIMEDOUT;
    uint64_t values[STATISTICS_FRAMES];
    int frames = 0, more = 1;
    while (more) {
        uint64_t value = 0;
        int size = zmq_recv(self->steer, &value, sizeof value, 0);
        if (size < 0)
            return -zmq_errno();
        if (frames < STATISTICS_FRAMES)
            values[frames] = value;
        frames++;
        size_t more_size = sizeof more;
        if (zmq_getsockopt(self->steer, ZMQ_RCVMORE, &more, &more_size) < 0)
            return -zmq_errno();
        if (size != (int)sizeof value)
            frames = STATISTICS_FRAMES + 1;   /* malformed: reject after draining */
    }
    if (frames != STATISTICS_FRAMES)
        return -EPROTO;
    *statistics = (rw_proxy_statistics_t){values[0], values[1], values[2], values[3],
                                          values[4], values[5], values[6], values[7]};
    return 0;
}

int rw_proxy_statistics(rw_proxy_t *self, rw_proxy_statistics_t *statistics, int timeout_ms)
{
    pthread_mutex_lock(&self->mutex);
    int status = ask_statistics(self, statistics, timeout_ms);
    pthread_mutex_unlock(&self->mutex);
    return status;
}

int rw_proxy_stop(rw_proxy_t *self)
{
    pthread_mutex_lock(&self->mutex);
    /* stop forwarding, so that the figures taken next are the final ones */
    int status = send_command(self, "PAUSE");
    rw_proxy_statistics_t statistics;
    if (status == 0 && ask_statistics(self, &statistics, STOP_STATISTICS_MS) == 0) {
        self->final = statistics;
        self->have_final = true;
    }
    if (status == 0)
        status = send_command(self, "TERMINATE");
    pthread_mutex_unlock(&self->mutex);
    if (status < 0)
        rw_error("cannot ask the proxy to stop: %s", zmq_strerror(-status));
    return status;
}

int rw_proxy_final_statistics(rw_proxy_t *self, rw_proxy_statistics_t *statistics)
{
    pthread_mutex_lock(&self->mutex);
    bool have = self->have_final;
    if (have)
        *statistics = self->final;
    pthread_mutex_unlock(&self->mutex);
    return have ? 0 : -ENOENT;
}

/* ---- the external control endpoint (its own thread) ----------------------------- */

static void reply_text(void *socket, const char *text)
{
    if (zmq_send(socket, text, strlen(text), 0) < 0)
        rw_warning("proxy control: cannot reply: %s", zmq_strerror(zmq_errno()));
}

static void reply_statistics(rw_proxy_t *self, void *socket)
{
    rw_proxy_statistics_t s;
    int status = rw_proxy_statistics(self, &s, 1000);
    if (status < 0) {
        char text[128];
        snprintf(text, sizeof text, "ERROR no statistics: %s", zmq_strerror(-status));
        reply_text(socket, text);
        return;
    }
    const uint64_t values[STATISTICS_FRAMES] = {
        s.frontend_messages_in, s.frontend_bytes_in, s.frontend_messages_out, s.frontend_bytes_out,
        s.backend_messages_in, s.backend_bytes_in, s.backend_messages_out, s.backend_bytes_out};
    for (int i = 0; i < STATISTICS_FRAMES; i++)
        if (zmq_send(socket, &values[i], sizeof values[i],
                     i + 1 < STATISTICS_FRAMES ? ZMQ_SNDMORE : 0) < 0) {
            rw_warning("proxy control: cannot reply: %s", zmq_strerror(zmq_errno()));
            return;
        }
}

/* One request: a single frame naming a known command. */
static void handle_control_request(rw_proxy_t *self, void *socket)
{
    char request[32];
    int size = zmq_recv(socket, request, sizeof request - 1, 0);
    if (size < 0)
        return;
    int more = 0;
    size_t more_size = sizeof more;
    bool multipart = zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &more_size) == 0 && more;
    while (more) {   /* read the rest of a multipart request, then refuse it */
        char skip[32];
        if (zmq_recv(socket, skip, sizeof skip, 0) < 0 ||
            zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &more_size) < 0)
            more = 0;
    }
    request[size < (int)sizeof request ? size : (int)sizeof request - 1] = '\0';
    if (multipart || size >= (int)sizeof request) {
        reply_text(socket, "ERROR unknown command");
    } else if (strcmp(request, "STATISTICS") == 0) {
        reply_statistics(self, socket);
    } else if (strcmp(request, "TERMINATE") == 0) {
        rw_notice("proxy control: TERMINATE received");
        reply_text(socket, rw_proxy_stop(self) == 0 ? "OK" : "ERROR cannot stop");
    } else if (strcmp(request, "PAUSE") == 0 || strcmp(request, "RESUME") == 0) {
        pthread_mutex_lock(&self->mutex);
        int status = send_command(self, request);
        pthread_mutex_unlock(&self->mutex);
        rw_notice("proxy control: %s", request);
        reply_text(socket, status == 0 ? "OK" : "ERROR cannot relay the command");
    } else {
        rw_warning("proxy control: unknown command refused (%d bytes)", size);
        reply_text(socket, "ERROR unknown command");
    }
}

static void *control_thread_main(void *argument)
{
    rw_proxy_t *self = argument;
    void *socket = self->sockets[CONTROL];
    while (!atomic_load(&self->finished)) {
        zmq_pollitem_t item = {socket, 0, ZMQ_POLLIN, 0};
        int ready = zmq_poll(&item, 1, CONTROL_POLL_MS);
        if (ready < 0) {
            if (zmq_errno() == EINTR)
                continue;
            rw_error("proxy control: zmq_poll: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (ready > 0)
            handle_control_request(self, socket);
    }
    return NULL;
}

/* ---- running ------------------------------------------------------------------ */

int rw_proxy_run(rw_proxy_t *self)
{
    atomic_store(&self->finished, false);
    if (self->sockets[CONTROL]) {
        int error = pthread_create(&self->control_thread, NULL, control_thread_main, self);
        if (error != 0) {
            rw_error("cannot start the proxy's control thread: %s", strerror(error));
            return -error;
        }
        self->control_thread_running = true;
    }
    rw_info("proxy running: frontend %s, backend %s%s%s%s%s", self->endpoints[FRONTEND],
            self->endpoints[BACKEND], self->endpoints[CAPTURE] ? ", capture " : "",
            self->endpoints[CAPTURE] ? self->endpoints[CAPTURE] : "",
            self->endpoints[CONTROL] ? ", control " : "",
            self->endpoints[CONTROL] ? self->endpoints[CONTROL] : "");
    int status;
    do {
        status = zmq_proxy_steerable(self->sockets[FRONTEND], self->sockets[BACKEND],
                                     self->sockets[CAPTURE], self->control);
    } while (status < 0 && zmq_errno() == EINTR);
    if (status < 0) {
        status = -zmq_errno();
        rw_error("the proxy stopped: %s", zmq_strerror(-status));
    }
    atomic_store(&self->finished, true);
    if (self->control_thread_running) {
        pthread_join(self->control_thread, NULL);
        self->control_thread_running = false;
    }
    return status < 0 ? status : 0;
}

/* ---- accessors, tear-down ---------------------------------------------------------- */

const char *rw_proxy_endpoint(const rw_proxy_t *self, const char *which)
{
    for (int i = 0; i < ENDPOINT_COUNT; i++)
        if (strcmp(which, endpoint_names[i]) == 0)
            return self->endpoints[i];
    return NULL;
}

int rw_proxy_reload_keys(rw_proxy_t *self)
{
    return self->auth ? rw_auth_reload(self->auth) : 0;
}

uint64_t rw_proxy_refused(const rw_proxy_t *self)
{
    return self->auth ? rw_auth_refused(self->auth) : 0;
}

void rw_proxy_destroy(rw_proxy_t **self_p)
{
    rw_proxy_t *self = *self_p;
    if (!self)
        return;
    if (self->control_thread_running) {
        atomic_store(&self->finished, true);
        pthread_join(self->control_thread, NULL);
    }
    for (int i = 0; i < ENDPOINT_COUNT; i++) {
        if (self->sockets[i])
            zmq_close(self->sockets[i]);
        free(self->endpoints[i]);
    }
    if (self->steer)
        zmq_close(self->steer);
    if (self->control)
        zmq_close(self->control);
    rw_auth_destroy(&self->auth);
    if (self->mutex_ready)
        pthread_mutex_destroy(&self->mutex);
    free(self);
    *self_p = NULL;
}
