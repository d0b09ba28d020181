/* server.h — the daemon itself: one process, one event loop (zmq_poll over the signal
 * descriptor, the inotify descriptor, the publish and replay sockets, and timers),
 * moving each statement along watch → ingest → extract → journal → publish. */
#ifndef RW_SERVER_H
#define RW_SERVER_H

#include <stddef.h>

typedef struct rw_server rw_server_t;

/* Load config_path and set everything up (sockets bound, start-up scan queued).
 * NULL on failure, with the reason logged. */
rw_server_t *rw_server_new(const char *config_path);
/* Run until SIGTERM or SIGINT. 0 on a clean stop, negative errno otherwise. */
int rw_server_run(rw_server_t *self);
void rw_server_destroy(rw_server_t **self_p);

#endif
