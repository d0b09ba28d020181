/* replay.h — the replay server: lets a client catch up from the journal ("since N")
 * over a ROUTER socket, without ever stalling the daemon's event loop.
 *
 * Protocol (for the README and client libraries):
 *
 *   client (DEALER)                         recwatchd (ROUTER, replay.endpoint)
 *   ----------------------------------      -----------------------------------------
 *   one frame: "SINCE <n>"  (ASCII,  ──▶
 *     n decimal, 0 or more)
 *                                     ◀──   for every journalled event with
 *                                           n <= seq <= M (M = last seq when the
 *                                           request arrived), in seq order, one
 *                                           message of two frames:
 *                                             [topic] [JSON body, exactly as journalled]
 *                                     ◀──   then [end] [{"type":"end","last_seq":M}]
 *
 *   A malformed request (not exactly one frame "SINCE <digits>") is answered with
 *   [error] [{"type":"error","reason":"..."}] and nothing else; so is a request
 *   the server cannot take (too many clients, journal unreadable).
 *   Events older than the journal keeps (retention) are simply not sent: the first
 *   replayed seq may be greater than n. A new request from the same client
 *   replaces the one in progress. Over CURVE the socket is secured by the daemon.
 *
 * Flow control: replies are sent with ZMQ_DONTWAIT and ZMQ_ROUTER_MANDATORY (set
 * by rw_replay_new): when a client's pipe is full (EAGAIN) its position is kept
 * and sending resumes on a later call; when the client is gone (EHOSTUNREACH) its
 * state is dropped; a client that cannot take a single message for 60 s is dropped.
 * Each rw_replay_continue() sends at most 500 messages per client, so many clients
 * are served in parallel and none can hold the event loop.
 *
 * Event loop use:
 *   poll the socket for ZMQ_POLLIN → rw_replay_handle();
 *   bound the poll timeout by rw_replay_timeout_ms() (0 while rw_replay_busy(), a
 *   short retry delay while every client is blocked, -1 when idle), and call
 *   rw_replay_continue() whenever rw_replay_busy(). */
#ifndef RW_REPLAY_H
#define RW_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal.h"

#define RW_REPLAY_BATCH 500          /* messages per client per rw_replay_continue */
#define RW_REPLAY_MAX_CLIENTS 256    /* clients in progress at once */
#define RW_REPLAY_STALL_MS 60000     /* drop a client that takes nothing for this long */
#define RW_REPLAY_RETRY_MS 20        /* poll timeout while every client is blocked */

typedef struct rw_replay_t rw_replay_t;

/* router_socket: a ROUTER socket the daemon created, secured and bound; the daemon
 * keeps owning it (and closes it after rw_replay_destroy). The journal must outlive
 * the replay server. Sets ZMQ_ROUTER_MANDATORY on the socket. NULL on ENOMEM. */
rw_replay_t *rw_replay_new(void *router_socket, rw_journal_t *journal);
void rw_replay_destroy(rw_replay_t **self_p);

/* Read the requests waiting on the socket (bounded per call). 0 or negative errno
 * when the socket itself fails. */
int rw_replay_handle(rw_replay_t *self);

/* Send the next bounded batch to each client in progress. Returns the number of
 * messages sent (events, ends and errors), or negative errno on a socket failure. */
int rw_replay_continue(rw_replay_t *self);

/* A client in progress can be served now (it is not blocked, or its retry delay
 * after a full pipe has passed) → poll with timeout 0 and call rw_replay_continue. */
bool rw_replay_busy(const rw_replay_t *self);

/* Poll timeout for the event loop: 0 when busy, the time until the first blocked
 * client may be retried (<= RW_REPLAY_RETRY_MS) when every client is blocked on a
 * full pipe, -1 when there is no client. Use it to bound the loop's poll, or a
 * blocked client waits for the loop's next wake-up. */
int rw_replay_timeout_ms(const rw_replay_t *self);

/* Events served so far (heartbeat), and clients in progress. */
uint64_t rw_replay_served(const rw_replay_t *self);
size_t rw_replay_clients(const rw_replay_t *self);

#endif
