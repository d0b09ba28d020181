/* replay.c — the replay server: answers "SINCE <n>" requests on a ROUTER socket
 * with the journalled events from n on, in bounded non-blocking batches. The
 * protocol is described in replay.h. */
#include "replay.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "log.h"

#define MAX_IDENTITY 256
#define MAX_REQUESTS_PER_CALL 100
#define MAX_REQUEST_BYTES 64

typedef struct {
    uint8_t identity[MAX_IDENTITY]; /* ROUTER routing id of the client */
    size_t identity_size;
    rw_journal_cursor_t *cursor;
    uint64_t until;        /* last seq when the request arrived */
    bool has_current;      /* topic/body hold an event not yet sent */
    uint64_t current_seq;
    const char *topic;     /* owned by the cursor, valid until its next call */
    const char *body;
    bool events_done;      /* only the end message is left */
    bool blocked;          /* the last send found the pipe full */
    int64_t blocked_ms;    /* when it did */
    int64_t progress_ms;   /* last time a message went out (or the request came) */
} client_t;

struct rw_replay_t {
    void *socket;
    rw_journal_t *journal;
    client_t *clients;
    size_t client_count, client_capacity;
    uint64_t served;
};

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

rw_replay_t *rw_replay_new(void *router_socket, rw_journal_t *journal)
{
    if (!router_socket || !journal)
        return NULL;
    rw_replay_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->socket = router_socket;
    self->journal = journal;
    int mandatory = 1;
    if (zmq_setsockopt(router_socket, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory) < 0)
        rw_warning("replay: cannot set ZMQ_ROUTER_MANDATORY: %s", zmq_strerror(zmq_errno()));
    return self;
}

static void client_clear(client_t *client)
{
    rw_journal_cursor_destroy(&client->cursor);
}

void rw_replay_destroy(rw_replay_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_replay_t *self = *self_p;
    for (size_t i = 0; i < self->client_count; i++)
        client_clear(&self->clients[i]);
    free(self->clients);
    free(self);
    *self_p = NULL;
}

/* Send [identity][topic][body] without blocking. 0, or -EAGAIN (nothing was sent:
 * the client's pipe is full), -EHOSTUNREACH (client gone), other negative errno. */
static int send_message(rw_replay_t *self, const client_t *client, const char *topic,
                        const char *body)
{
    if (zmq_send(self->socket, client->identity, client->identity_size,
                 ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -zmq_errno();
    /* Once the routing frame is accepted the whole message goes to that pipe. */
    if (zmq_send(self->socket, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(self->socket, body, strlen(body), ZMQ_DONTWAIT) < 0) {
        int error = zmq_errno();
        rw_warning("replay: sending to a client failed half way: %s", zmq_strerror(error));
        return -error;
    }
    return 0;
}

/* A one-off error reply; failures only logged (the client may be gone). */
static void send_error(rw_replay_t *self, const client_t *client, const char *reason)
{
    json_t *body = json_pack("{s:s, s:s}", "type", "error", "reason", reason);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        rw_error("replay: out of memory building an error reply");
        return;
    }
    int result = send_message(self, client, "error", text);
    if (result < 0)
        rw_debug("replay: could not send error reply: %s", zmq_strerror(-result));
    free(text);
}

static void remove_client(rw_replay_t *self, size_t index)
{
    client_clear(&self->clients[index]);
    self->clients[index] = self->clients[self->client_count - 1];
    self->client_count--;
}

static client_t *find_client(rw_replay_t *self, const uint8_t *identity, size_t size)
{
    for (size_t i = 0; i < self->client_count; i++) {
        client_t *client = &self->clients[i];
        if (client->identity_size == size && memcmp(client->identity, identity, size) == 0)
            return client;
    }
    return NULL;
}

/* "SINCE <digits>" → *since; false when malformed. */
static bool parse_request(const char *text, size_t size, uint64_t *since)
{
    static const char verb[] = "SINCE ";
    size_t verb_size = sizeof verb - 1;
    if (size <= verb_size || size > MAX_REQUEST_BYTES || memcmp(text, verb, verb_size) != 0)
        return false;
    uint64_t value = 0;
    for (size_t i = verb_size; i < size; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        unsigned digit = (unsigned)(text[i] - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *since = value;
    return true;
}

/* Start (or restart) a client at since. */
static void start_client(rw_replay_t *self, const client_t *request, uint64_t since)
{
    client_t *client = find_client(self, request->identity, request->identity_size);
    if (client) {
        client_clear(client);
    } else {
        if (self->client_count >= RW_REPLAY_MAX_CLIENTS) {
            rw_warning("replay: %d clients in progress; refusing another",
                       RW_REPLAY_MAX_CLIENTS);
            send_error(self, request, "too many replay clients; try again later");
            return;
        }
        if (self->client_count == self->client_capacity) {
            size_t capacity = self->client_capacity ? self->client_capacity * 2 : 8;
            client_t *grown = realloc(self->clients, capacity * sizeof *grown);
            if (!grown) {
                send_error(self, request, "out of memory");
                return;
            }
            self->clients = grown;
            self->client_capacity = capacity;
        }
        client = &self->clients[self->client_count++];
    }
    *client = *request;
    client->until = rw_journal_last_seq(self->journal);
    client->progress_ms = now_ms();
    client->events_done = since > client->until;
    client->cursor = client->events_done ? NULL : rw_journal_cursor_new(self->journal, since);
    if (!client->events_done && !client->cursor) {
        send_error(self, client, "out of memory");
        remove_client(self, (size_t)(client - self->clients));
        return;
    }
    rw_debug("replay: client asks since %" PRIu64 " (last seq %" PRIu64 ")", since,
             client->until);
}

/* Read one request: [identity][frames...]. 1 done, 0 nothing waiting, <0 error. */
static int read_request(rw_replay_t *self)
{
    client_t request;
    memset(&request, 0, sizeof request);
    int size = zmq_recv(self->socket, request.identity, sizeof request.identity, ZMQ_DONTWAIT);
    if (size < 0) {
        int error = zmq_errno();
        if (error == EAGAIN || error == EINTR)
            return 0;
        rw_error("replay: receiving a request failed: %s", zmq_strerror(error));
        return -error;
    }
    request.identity_size = (size_t)size < sizeof request.identity ? (size_t)size
                                                                   : sizeof request.identity;
    /* The rest of the message: exactly one frame is expected. */
    char text[MAX_REQUEST_BYTES + 1];
    int text_size = -1;
    int frames = 0;
    int more = 1;
    size_t more_size = sizeof more;
    while (zmq_getsockopt(self->socket, ZMQ_RCVMORE, &more, &more_size) == 0 && more) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, self->socket, 0) < 0) {
            int error = zmq_errno();
            zmq_msg_close(&frame);
            rw_error("replay: receiving a request frame failed: %s", zmq_strerror(error));
            return -error;
        }
        if (++frames == 1 && zmq_msg_size(&frame) <= MAX_REQUEST_BYTES) {
            text_size = (int)zmq_msg_size(&frame);
            memcpy(text, zmq_msg_data(&frame), (size_t)text_size);
            text[text_size] = '\0';
        }
        zmq_msg_close(&frame);
        more_size = sizeof more;
    }
    uint64_t since;
    if (frames != 1 || text_size < 0 || !parse_request(text, (size_t)text_size, &since)) {
        rw_info("replay: malformed request (%d frame(s)); answered with an error", frames);
        send_error(self, &request, "malformed request: expected one frame \"SINCE <n>\"");
        return 1;
    }
    start_client(self, &request, since);
    return 1;
}

int rw_replay_handle(rw_replay_t *self)
{
    for (int i = 0; i < MAX_REQUESTS_PER_CALL; i++) {
        int result = read_request(self);
        if (result <= 0)
            return result;
    }
    return 0;
}

/* Serve up to one batch to one client. Returns messages sent; sets *finished when
 * the client is done (served or gone). */
static int serve_client(rw_replay_t *self, client_t *client, bool *finished)
{
    int sent = 0;
    *finished = false;
    client->blocked = false;
    while (sent < RW_REPLAY_BATCH) {
        if (!client->has_current && !client->events_done) {
            uint64_t seq;
            int result = rw_journal_cursor_next(client->cursor, &seq, &client->topic,
                                                &client->body);
            if (result < 0) {
                send_error(self, client, "journal read failed");
                *finished = true;
                return sent;
            }
            if (result == 0 || seq > client->until) {
                client->events_done = true;
                rw_journal_cursor_destroy(&client->cursor);
            } else {
                client->has_current = true;
                client->current_seq = seq;
            }
        }
        int result;
        if (client->has_current) {
            result = send_message(self, client, client->topic, client->body);
        } else {
            char end[80];
            snprintf(end, sizeof end, "{\"type\":\"end\",\"last_seq\":%" PRIu64 "}",
                     client->until);
            result = send_message(self, client, "end", end);
        }
        if (result == -EAGAIN) {
            client->blocked = true;
            client->blocked_ms = now_ms();
            if (now_ms() - client->progress_ms > RW_REPLAY_STALL_MS) {
                rw_warning("replay: dropping a client that took nothing for %d s",
                           RW_REPLAY_STALL_MS / 1000);
                *finished = true;
            }
            return sent;
        }
        if (result < 0) {
            if (result != -EHOSTUNREACH)
                rw_warning("replay: dropping a client: %s", zmq_strerror(-result));
            else
                rw_debug("replay: client went away");
            *finished = true;
            return sent;
        }
        sent++;
        client->progress_ms = now_ms();
        if (!client->has_current) { /* that was the end message */
            *finished = true;
            return sent;
        }
        client->has_current = false;
        self->served++;
    }
    return sent;
}

int rw_replay_continue(rw_replay_t *self)
{
    int total = 0;
    for (size_t i = 0; i < self->client_count;) {
        bool finished;
        total += serve_client(self, &self->clients[i], &finished);
        if (finished)
            remove_client(self, i); /* the last client moves to i */
        else
            i++;
    }
    return total;
}

/* Milliseconds until the earliest client may be served again (0: now), or -1
 * when there is no client. */
static int64_t next_service_ms(const rw_replay_t *self)
{
    int64_t earliest = -1;
    int64_t now = self->client_count ? now_ms() : 0;
    for (size_t i = 0; i < self->client_count; i++) {
        const client_t *client = &self->clients[i];
        int64_t wait = client->blocked ? client->blocked_ms + RW_REPLAY_RETRY_MS - now : 0;
        if (wait < 0)
            wait = 0;
        if (earliest < 0 || wait < earliest)
            earliest = wait;
    }
    return earliest;
}

bool rw_replay_busy(const rw_replay_t *self)
{
    return next_service_ms(self) == 0;
}

int rw_replay_timeout_ms(const rw_replay_t *self)
{
    return (int)next_service_ms(self);
}

uint64_t rw_replay_served(const rw_replay_t *self)
{
    return self->served;
}

size_t rw_replay_clients(const rw_replay_t *self)
{
    return self->client_count;
}
