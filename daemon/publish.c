/* publish.c — the XPUB socket, with exact counting of messages a slow subscriber lost,
 * and the PUB socket towards forwarders.
 *
 * A PUB socket drops silently for a subscriber whose queue is full. With
 * ZMQ_XPUB_NODROP it instead refuses the send (EAGAIN); we then count the message as
 * dropped and send it again in lossy mode, so that every other subscriber still gets it.
 * The forwarders' PUB socket (libzmq's PUB is an XPUB that hides subscriptions, and
 * takes the same option) is counted the same way. */
#include "publish.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "auth.h"
#include "keys.h"
#include "log.h"

struct rw_publish {
    void *socket;
    void *forward;            /* PUB connected to publish.connect; NULL when none */
    rw_strings_t bound;       /* the endpoints as bound (ports resolved), for rebind */
    uint64_t dropped;
};

static int set_int(void *socket, int option, int value)
{
    return zmq_setsockopt(socket, option, &value, sizeof value);
}

/* Bind every endpoint of list; remember the resolved endpoints in self->bound. */
static int bind_all(rw_publish_t *self, const rw_strings_t *list, char *error, size_t error_size)
{
    rw_strings_t bound = {0};
    int status = 0;
    for (size_t i = 0; i < list->count && status == 0; i++) {
        const char *endpoint = list->items[i];
        if (zmq_bind(self->socket, endpoint) < 0) {
            snprintf(error, error_size, "cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
            status = -EADDRINUSE;
            break;
        }
        char last[256];
        size_t last_size = sizeof last;
        if (zmq_getsockopt(self->socket, ZMQ_LAST_ENDPOINT, last, &last_size) < 0)
            snprintf(last, sizeof last, "%s", endpoint);
        if (rw_strings_append(&bound, last, strlen(last)) < 0)
            status = -ENOMEM;
    }
    if (status < 0) {
        rw_strings_clear(&bound);
        return status;
    }
    rw_strings_clear(&self->bound);
    self->bound = bound;
    return 0;
}

/* With CURVE: make the forwarders' socket their CURVE client, with the daemon's key
 * pair (the public half derived from the secret) and the forwarders' public key. */
static int make_forward_client(void *socket, const rw_publish_options_t *options, char *error,
                               size_t error_size)
{
    const char *key_file = options->forwarder_key_file;
    if (!key_file || !key_file[0]) {
        snprintf(error, error_size, "publish.connect with security.curve needs "
                 "publish.forwarder_key (the forwarder's .pub file)");
        return -EINVAL;
    }
    char forwarder_public[RW_KEY_Z85_LENGTH + 1], public_key[RW_KEY_Z85_LENGTH + 1];
    char reason[512];
    if (rw_keys_read_public(key_file, forwarder_public, reason, sizeof reason) < 0) {
        snprintf(error, error_size, "publish.forwarder_key: %s", reason);
        return -EINVAL;
    }
    if (zmq_curve_public(public_key, options->curve_secret_key) < 0 ||
        rw_auth_make_client(socket, forwarder_public, public_key, options->curve_secret_key) < 0) {
        snprintf(error, error_size, "cannot make the forwarders' socket a CURVE client: %s",
                 zmq_strerror(zmq_errno()));
        return -EINVAL;
    }
    return 0;
}

/* The PUB socket connected to every publish.connect entry. */
static int open_forward(rw_publish_t *self, void *zmq_context, const rw_publish_options_t *options,
                        char *error, size_t error_size)
{
    self->forward = zmq_socket(zmq_context, ZMQ_PUB);
    if (!self->forward) {
        snprintf(error, error_size, "cannot create the forwarders' socket: %s",
                 zmq_strerror(zmq_errno()));
        return -ENOMEM;
    }
    if (set_int(self->forward, ZMQ_LINGER, 1000) < 0 ||
        set_int(self->forward, ZMQ_SNDHWM, options->sndhwm) < 0 ||
        set_int(self->forward, ZMQ_XPUB_NODROP, 1) < 0) {
        snprintf(error, error_size, "cannot configure the forwarders' socket: %s",
                 zmq_strerror(zmq_errno()));
        return -EINVAL;
    }
    if (options->curve_secret_key && make_forward_client(self->forward, options, error, error_size) < 0)
        return -EINVAL;
    for (size_t i = 0; i < options->connect->count; i++)
        if (zmq_connect(self->forward, options->connect->items[i]) < 0) {
            snprintf(error, error_size, "cannot connect to %s: %s", options->connect->items[i],
                     zmq_strerror(zmq_errno()));
            return -EINVAL;
        }
    return 0;
}

rw_publish_t *rw_publish_new(void *zmq_context, const rw_publish_options_t *options,
                             char *error, size_t error_size)
{
    rw_publish_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    self->socket = zmq_socket(zmq_context, ZMQ_XPUB);
    if (!self->socket) {
        snprintf(error, error_size, "cannot create the publish socket: %s", zmq_strerror(zmq_errno()));
        goto failed;
    }
    if (set_int(self->socket, ZMQ_LINGER, 1000) < 0 ||
        set_int(self->socket, ZMQ_SNDHWM, options->sndhwm) < 0 ||
        set_int(self->socket, ZMQ_XPUB_NODROP, 1) < 0) {
        snprintf(error, error_size, "cannot configure the publish socket: %s", zmq_strerror(zmq_errno()));
        goto failed;
    }
    if (options->curve_secret_key && rw_auth_make_server(self->socket, options->curve_secret_key) < 0) {
        snprintf(error, error_size, "cannot make the publish socket a CURVE server: %s",
                 zmq_strerror(zmq_errno()));
        goto failed;
    }
    if (bind_all(self, options->bind, error, error_size) < 0)
        goto failed;
    if (options->connect->count > 0 && open_forward(self, zmq_context, options, error, error_size) < 0)
        goto failed;
    return self;
failed:
    rw_publish_destroy(&self);
    return NULL;
}

void rw_publish_destroy(rw_publish_t **self_p)
{
    rw_publish_t *self = *self_p;
    if (!self)
        return;
    if (self->socket)
        zmq_close(self->socket);
    if (self->forward)
        zmq_close(self->forward);
    rw_strings_clear(&self->bound);
    free(self);
    *self_p = NULL;
}

void *rw_publish_socket(rw_publish_t *self)
{
    return self->socket;
}

int rw_publish_drain(rw_publish_t *self)
{
    int seen = 0;
    char buffer[256];
    while (zmq_recv(self->socket, buffer, sizeof buffer, ZMQ_DONTWAIT) >= 0)
        seen++;
    return seen;
}

static int send_frames(void *socket, const char *topic, const char *body, size_t body_length)
{
    if (zmq_send(socket, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -zmq_errno();
    /* with ZMQ_SNDMORE accepted, the last frame is queued with it */
    if (zmq_send(socket, body, body_length, ZMQ_DONTWAIT) < 0)
        return -zmq_errno();
    return 0;
}

/* Send on one socket, counting a message some peer's full queue made it lose. */
static int send_counted(rw_publish_t *self, void *socket, const char *topic, const char *body,
                        size_t body_length)
{
    int status = send_frames(socket, topic, body, body_length);
    if (status != -EAGAIN)
        return status;
    /* some subscriber's queue is full: it loses this one (and, until it catches up,
     * those that follow), the others must not */
    self->dropped++;
    set_int(socket, ZMQ_XPUB_NODROP, 0);
    status = send_frames(socket, topic, body, body_length);
    set_int(socket, ZMQ_XPUB_NODROP, 1);
    return status;
}

int rw_publish_send(rw_publish_t *self, const char *topic, const char *body, size_t body_length)
{
    int status = send_counted(self, self->socket, topic, body, body_length);
    if (self->forward) {
        int forward_status = send_counted(self, self->forward, topic, body, body_length);
        if (status == 0)
            status = forward_status;
    }
    return status;
}

int rw_publish_rebind(rw_publish_t *self)
{
    for (size_t i = 0; i < self->bound.count; i++)
        if (zmq_unbind(self->socket, self->bound.items[i]) < 0)
            rw_warning("cannot unbind %s: %s", self->bound.items[i], zmq_strerror(zmq_errno()));
    rw_strings_t endpoints = self->bound;   /* rebind the very ports bound before */
    self->bound = (rw_strings_t){0};
    char error[256];
    int status = -EADDRINUSE;
    /* the port may be held for a moment by the closing connections: retry briefly */
    for (int attempt = 0; attempt < 50 && status < 0; attempt++) {
        status = bind_all(self, &endpoints, error, sizeof error);
        if (status < 0) {
            struct timespec pause = {0, 20 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    if (status < 0)
        rw_error("%s", error);
    rw_strings_clear(&endpoints);
    return status;
}

uint64_t rw_publish_dropped(const rw_publish_t *self)
{
    return self->dropped;
}
