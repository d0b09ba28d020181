/* proxy.h — the forwarder between ingest nodes and subscribers (`recwatch proxy`).
 *
 *   recwatchd ─PUB─▶ [XSUB frontend] ══ zmq_proxy_steerable ══ [XPUB backend] ◀─SUB─ clients
 *   recwatchd ─PUB─▶        ▲                  │                       ▲
 *                           │            capture (PUB)                 │
 *                     CURVE server        a copy of all          CURVE server
 *                                           traffic
 *
 * Ingest daemons connect their publisher to the frontend (publish.connect) and
 * subscribers connect to the backend; subscriptions flow upstream, events
 * downstream. Every message keeps its frames, so events stay [topic][JSON] and
 * carry their node's name and seq: subscribers keep seq order per node and replay
 * a node's gap from the "replay" endpoint its heartbeats announce.
 *
 * A slow subscriber loses messages beyond the high-water mark rather than stalling
 * the forwarder for everyone (XPUB is lossy here); it fills the gap by replay.
 *
 * Steering: zmq_proxy_steerable is driven through an inproc PAIR only this module
 * writes to, under a mutex, so that rw_proxy_stop() and rw_proxy_statistics() may be
 * called from any thread (a signal thread, the control thread) while rw_proxy_run()
 * blocks. The optional external control endpoint (a REP socket served by a thread
 * of this module) accepts only the four known commands — anything else gets an
 * "ERROR ..." reply instead of reaching libzmq:
 *
 *   request "STATISTICS" → 8 frames, each a uint64_t in host byte order: frontend
 *                          messages in, bytes in, messages out, bytes out, then the
 *                          same four for the backend (as zmq_proxy_steerable(3));
 *   request "PAUSE" | "RESUME" | "TERMINATE" → reply "OK";
 *   anything else → reply "ERROR unknown command".
 *
 * With CURVE (options.secret_key set) the module starts the ZAP handler (auth.h)
 * before binding anything, and frontend, backend, capture and control sockets are
 * all CURVE servers admitting only the keys of options.authorized_keys_dir: the
 * ingest daemons' keys and the subscribers' keys go in that one folder. */
#ifndef RW_PROXY_H
#define RW_PROXY_H

#include <stddef.h>
#include <stdint.h>

typedef struct rw_proxy_t rw_proxy_t;

typedef struct {
    const char *frontend;            /* XSUB binds here (ingest daemons connect) */
    const char *backend;             /* XPUB binds here (subscribers connect) */
    const char *capture;             /* NULL: none; else a PUB bound here gets a copy */
    const char *control;             /* NULL: none; else a REP bound here (see above) */
    int hwm;                         /* messages queued per connection; 0: 100000 */
    const char *secret_key;          /* Z85: CURVE on every socket; NULL: plain */
    const char *authorized_keys_dir; /* with secret_key: the allow-list folder */
} rw_proxy_options_t;

typedef struct {
    uint64_t frontend_messages_in, frontend_bytes_in;
    uint64_t frontend_messages_out, frontend_bytes_out; /* subscriptions going upstream */
    uint64_t backend_messages_in, backend_bytes_in;     /* subscriptions from clients */
    uint64_t backend_messages_out, backend_bytes_out;   /* events going to clients */
} rw_proxy_statistics_t;

#define RW_PROXY_DEFAULT_HWM 100000

/* Create and bind every socket (endpoints may use port "*" — see rw_proxy_endpoint).
 * NULL on failure with the reason in error (bad endpoint, port in use, unreadable
 * key folder...). The caller owns zmq_context and terminates it after
 * rw_proxy_destroy. */
rw_proxy_t *rw_proxy_new(void *zmq_context, const rw_proxy_options_t *options, char *error,
                         size_t error_size);

/* Forward until rw_proxy_stop() (or a TERMINATE on the control endpoint). Blocks the
 * calling thread. 0 when stopped, negative errno when the proxy failed. */
int rw_proxy_run(rw_proxy_t *self);

/* Ask the running proxy to stop; any thread, at any time (a stop requested before
 * rw_proxy_run takes effect as soon as it starts). Pauses forwarding first and keeps
 * the statistics of that moment for rw_proxy_final_statistics. 0 or negative errno. */
int rw_proxy_stop(rw_proxy_t *self);

/* Statistics of the running proxy; any thread. 0, -ETIMEDOUT when the proxy did not
 * answer within timeout_ms (it is not running), or negative errno. */
int rw_proxy_statistics(rw_proxy_t *self, rw_proxy_statistics_t *statistics, int timeout_ms);

/* The statistics taken by rw_proxy_stop just before the proxy stopped; 0, or -ENOENT
 * when there are none (the proxy never answered). */
int rw_proxy_final_statistics(rw_proxy_t *self, rw_proxy_statistics_t *statistics);

/* The resolved endpoints (a "*" port replaced by the one chosen), for logs and
 * tests: which is "frontend", "backend", "capture" or "control"; NULL when unset. */
const char *rw_proxy_endpoint(const rw_proxy_t *self, const char *which);

/* Re-read the authorized keys folder (SIGHUP); new connections are checked against
 * the new list. Keys removed, or negative errno; 0 without CURVE. */
int rw_proxy_reload_keys(rw_proxy_t *self);

/* CURVE handshakes refused so far (0 without CURVE). */
uint64_t rw_proxy_refused(const rw_proxy_t *self);

/* Close every socket, stop the threads, free everything. Not while rw_proxy_run runs. */
void rw_proxy_destroy(rw_proxy_t **self_p);

#endif
