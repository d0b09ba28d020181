/* publish.h — the sockets events leave by: an XPUB socket bound to every
 * publish.endpoints entry, and a PUB socket connected to every publish.connect entry
 * (forwarders, `recwatch proxy`). The two are separate because, with CURVE, the bound
 * socket is a CURVE server and the connecting one a CURVE client of the forwarders
 * (with the daemon's own key pair and the forwarders' public key).
 * Each message is two frames, topic then JSON body. A subscriber too slow to keep up
 * loses messages beyond publish.sndhwm rather than stalling the daemon. What can be
 * counted is each time a subscriber's queue is found full: libzmq then parks that
 * subscriber until it has caught up, and the messages it misses meanwhile are not
 * seen by the sender. So rw_publish_dropped() counts loss episodes (each one loses at
 * least one message); subscribers learn exactly which events they lost from seq. */
#ifndef RW_PUBLISH_H
#define RW_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "strings.h"

typedef struct rw_publish rw_publish_t;

typedef struct {
    const rw_strings_t *bind;        /* endpoints to bind */
    const rw_strings_t *connect;     /* endpoints to connect to */
    int sndhwm;
    const char *curve_secret_key;    /* Z85: the socket is a CURVE server; NULL: plain */
    /* With curve_secret_key and connect entries: the forwarders' public key file (.pub,
     * config publish.forwarder_key); the PUB socket is then their CURVE client with the
     * daemon's key pair. NULL or "" with CURVE and connect entries is an error. */
    const char *forwarder_key_file;
} rw_publish_options_t;

rw_publish_t *rw_publish_new(void *zmq_context, const rw_publish_options_t *options,
                             char *error, size_t error_size);
void rw_publish_destroy(rw_publish_t **self_p);
/* The bound XPUB socket, for zmq_poll (subscription messages arrive on it). */
void *rw_publish_socket(rw_publish_t *self);
/* Read and discard pending subscription messages; returns subscriptions seen. */
int rw_publish_drain(rw_publish_t *self);
/* Send one event to both sockets. 0, or negative errno when it could not be sent at
 * all on one of them. */
int rw_publish_send(rw_publish_t *self, const char *topic, const char *body, size_t body_length);
/* Drop every connection and bind again (after a key was removed from the allow-list). */
int rw_publish_rebind(rw_publish_t *self);
/* How many times a subscriber began to lose messages (see above). */
uint64_t rw_publish_dropped(const rw_publish_t *self);

#endif
