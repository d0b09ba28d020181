/* subscriber.h — the client side of recwatch's publishing: a SUB socket on one or
 * more daemons or forwarders, plus catch-up from a replay server (replay.h), in
 * the manner of the ZeroMQ guide's Clone pattern. Used by `recwatch sub` and by
 * the proxy tests.
 *
 * Guarantees, per node ("node" field of each event), for events that carry "node"
 * and "seq":
 *  - in seq order, each (node, seq) at most once: a subscriber connected to two
 *    forwarders sees every event twice on the wire and once here;
 *  - with since >= 0: SUB subscribes first, then a DEALER asks the replay
 *    endpoint for "SINCE <since>"; live events arriving meanwhile are read and kept;
 *    replayed events come first, then the kept live events newer than the replay,
 *    then live ones: no gap, no duplicate;
 *  - when a live event's seq jumps past last+1 (events lost on the way, or the
 *    subscription became active after the replay answered), the gap is filled by
 *    replaying from last+1 from that node's replay endpoint: the configured one for
 *    the node it serves, or the "replay" field of that node's heartbeats. A
 *    heartbeat's "last_seq" beyond what was delivered also starts a fill (loss at
 *    the tail). A fill that gets no answer for 5 s is abandoned (logged) and the
 *    gap accepted; so are seqs the journal does not have.
 *  - with topic prefixes, seq gaps are normal (other topics): replayed events are
 *    filtered by the prefixes, and live gaps are only filled once, right after the
 *    initial replay (to close the subscription race).
 * Events without "node"/"seq" are delivered as they come. Bodies that are not JSON
 * are dropped (logged once).
 *
 * Not thread-safe: one thread uses a subscriber. */
#ifndef RW_SUBSCRIBER_H
#define RW_SUBSCRIBER_H

#include <stddef.h>
#include <stdint.h>

typedef struct rw_subscriber_t rw_subscriber_t;

typedef struct {
    const char *const *endpoints; /* SUB connects to each (daemons or forwarders) */
    size_t endpoint_count;
    const char *replay_endpoint;  /* NULL: no replay */
    const char *const *topics;    /* prefixes; none = everything */
    size_t topic_count;
    int64_t since;                /* -1: live only; N: replay from N first */
    const char *server_public_key; /* Z85, NULL for plain */
    const char *public_key, *secret_key; /* client key pair, Z85 (needed with CURVE) */
} rw_subscriber_options_t;

#define RW_SUBSCRIBER_FILL_TIMEOUT_MS 5000
#define RW_SUBSCRIBER_MAX_PENDING 500000 /* live events kept while waiting; beyond: refilled */

/* Create the sockets, connect, subscribe, and (since >= 0) send the replay request.
 * NULL on failure with the reason in error (bad endpoint, bad key, since without a
 * replay endpoint...). The caller owns zmq_context and terminates it after
 * rw_subscriber_destroy. */
rw_subscriber_t *rw_subscriber_new(void *zmq_context, const rw_subscriber_options_t *options,
                                   char *error, size_t error_size);

/* Next event in order: 1 and *topic, *body set (valid until the next call), 0 on
 * timeout (timeout_ms < 0: wait for ever) or when a signal interrupted the wait (so
 * that a tool can check its SIGINT flag), -EACCES when a server refused our CURVE
 * handshake (unknown key, or the wrong server key), another <0 on error. */
int rw_subscriber_next(rw_subscriber_t *self, int timeout_ms, const char **topic,
                       const char **body);

void rw_subscriber_destroy(rw_subscriber_t **self_p);

#endif
