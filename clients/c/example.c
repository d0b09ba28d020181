/* example.c — the smallest recwatch subscriber: the raw protocol in plain C.
 *
 *   cc clients/c/example.c $(pkg-config --cflags --libs libzmq) -o recwatch-example
 *   ./recwatch-example tcp://127.0.0.1:5560 recommendation.KZ error
 *
 * Every event is two frames: the topic ("statement.KZ", "recommendation.KZ",
 * "error", "heartbeat"), then one JSON object. Prints "TOPIC JSON" lines until
 * SIGINT or SIGTERM. For replay, gap filling and CURVE, use `recwatch sub`. */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static volatile sig_atomic_t stopping = 0;
static void on_signal(int number) { (void)number; stopping = 1; }

int main(int argc, char **argv)
{
    const char *endpoint = argc > 1 ? argv[1] : "tcp://127.0.0.1:5560";
    /* Without sa_restart, a signal interrupts zmq_msg_recv with EINTR. */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);

    void *context = zmq_ctx_new();
    void *socket = zmq_socket(context, ZMQ_SUB);
    if (!socket || zmq_connect(socket, endpoint) != 0) {
        fprintf(stderr, "%s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }
    /* Topics are prefixes: "recommendation." is every country; no topic is all. */
    if (argc <= 2)
        zmq_setsockopt(socket, ZMQ_SUBSCRIBE, "", 0);
    for (int i = 2; i < argc; i++)
        zmq_setsockopt(socket, ZMQ_SUBSCRIBE, argv[i], strlen(argv[i]));

    int status = 0;
    zmq_msg_t topic, body;
    zmq_msg_init(&topic);
    zmq_msg_init(&body);
    while (!stopping) {
        if (zmq_msg_recv(&topic, socket, 0) < 0) {
            if (zmq_errno() != EINTR) { status = 1; fprintf(stderr, "recv: %s\n", zmq_strerror(zmq_errno())); }
            break;
        }
        /* The body is the second frame of the same message: it is already here. */
        if (!zmq_msg_more(&topic) || zmq_msg_recv(&body, socket, 0) < 0 || zmq_msg_more(&body)) {
            fprintf(stderr, "skipping a message that is not (topic, body)\n");
            while (zmq_msg_more(&body) && zmq_msg_recv(&body, socket, 0) >= 0) {}
            continue;
        }
        printf("%.*s %.*s\n", (int)zmq_msg_size(&topic), (const char *)zmq_msg_data(&topic),
               (int)zmq_msg_size(&body), (const char *)zmq_msg_data(&body));
        fflush(stdout);
    }
    zmq_msg_close(&topic);
    zmq_msg_close(&body);
    zmq_close(socket);
    zmq_ctx_term(context);
    return status;
}
