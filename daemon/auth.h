/* auth.h — who may subscribe: CURVE encryption plus a ZAP handler (ZeroMQ RFC 27)
 * that admits only the client keys listed in a folder of authorized keys.
 *
 * Order matters, and the module fails closed:
 *   1. rw_auth_new() binds the ZAP handler in the context and starts its thread;
 *   2. only then make and bind CURVE server sockets (rw_auth_make_server), which
 *      set ZMQ_ZAP_ENFORCE_DOMAIN so that, if no handler answers, libzmq refuses
 *      the client instead of letting every CURVE client in.
 *
 * Authorized keys folder: one key per file (a line of 40 Z85 characters, '#'
 * comments allowed; a ".pub" file made by `recwatch keygen` is the right thing to
 * drop in). The file name is the user id libzmq attaches to the connection. Files
 * whose name starts with '.' or ends in '~' are ignored; unreadable or malformed
 * files are logged with their name and skipped.
 *
 * Threads: the handler thread owns the ZAP socket. The key set is shared with the
 * caller's thread under a mutex: rw_auth_reload() reads the folder in the caller's
 * thread and swaps the new set in; the handler only holds the mutex for a lookup.
 * Counters are atomics. The thread is stopped through an inproc PAIR socket. */
#ifndef RW_AUTH_H
#define RW_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RW_AUTH_ZAP_DOMAIN "recwatch"

typedef struct rw_auth_t rw_auth_t;

/* Start the ZAP handler (a thread with a REP socket bound to inproc://zeromq.zap.01
 * in zmq_context) admitting only CURVE clients whose public key is in a file of
 * authorized_keys_dir. Must run BEFORE any CURVE server socket binds. NULL on
 * failure (folder unreadable, handler already bound in this context...), with the
 * reason in error: the daemon must then refuse to start. An empty folder is
 * allowed (everyone is refused; a warning says so). */
rw_auth_t *rw_auth_new(void *zmq_context, const char *authorized_keys_dir, char *error,
                       size_t error_size);

/* Re-read the folder (SIGHUP). Returns the number of keys REMOVED since the last
 * load (the daemon then unbinds/rebinds its CURVE sockets so that clients of removed
 * keys must authenticate again and fail). If the folder cannot be read any more,
 * the key set becomes empty (fail closed) and the count of removed keys is returned,
 * after an error is logged. -ENOMEM (set unchanged) when memory runs out. */
int rw_auth_reload(rw_auth_t *self);

uint64_t rw_auth_refused(const rw_auth_t *self);  /* refusals so far (heartbeat) */
uint64_t rw_auth_admitted(const rw_auth_t *self); /* admissions so far */
size_t rw_auth_key_count(const rw_auth_t *self);  /* keys currently authorized */

/* Stop the thread (it exits promptly; all sockets have ZMQ_LINGER 0, so
 * zmq_ctx_term does not hang on them) and free everything. */
void rw_auth_destroy(rw_auth_t **self_p);

/* Make socket a CURVE server (secret key in Z85) with ZAP domain "recwatch"
 * enforced (ZMQ_ZAP_ENFORCE_DOMAIN). Call before zmq_bind. 0 or negative errno. */
int rw_auth_make_server(void *socket, const char *secret_key_z85);

/* Make socket a CURVE client of server_public_key with the given key pair (Z85).
 * Call before zmq_connect. 0 or negative errno. */
int rw_auth_make_client(void *socket, const char *server_public_key, const char *public_key,
                        const char *secret_key);

/* Drop every connection accepted on endpoint and listen on it again, so that
 * every client must pass the ZAP handler anew (after a reload removed keys).
 * endpoint must be the resolved address (ZMQ_LAST_ENDPOINT right after the bind,
 * e.g. "tcp://0.0.0.0:5560", not the wildcard form with a star). zmq_unbind finishes in the
 * background, so the bind is retried on EADDRINUSE for up to a second.
 * 0 or negative errno (logged). */
int rw_auth_rebind(void *socket, const char *endpoint);

/* true for ipc://, inproc://, and tcp:// on 127.0.0.0/8, ::1 and localhost
 * (also with a source-address prefix "tcp://SRC;HOST:PORT": the HOST decides). */
bool rw_auth_endpoint_is_local(const char *endpoint);

#endif
