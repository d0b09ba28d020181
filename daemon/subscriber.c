/* subscriber.c — SUB + replay client with per-node ordering, duplicate
 * suppression and gap filling (the Clone pattern). See subscriber.h.
 *
 * Every event that carries "node" and "seq" goes into its node's pending list,
 * sorted by seq, whether it came live or from a replay. Delivery takes the head of
 * a node's list when it is the next seq (last + 1); when it is not, the gap is
 * either being filled (wait), fillable (start a fill, wait), or accepted. While
 * the initial replay runs, nothing is delivered, so replayed events come first. */
#include "subscriber.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "log.h"

#define MAX_MESSAGES_PER_POLL 2000

typedef struct {
    uint64_t seq;
    uint64_t stamp; /* arrival order, to interleave nodes fairly */
    bool hidden;    /* counts for seq but is not returned (topic filter) */
    char *topic;
    char *body;
} event_t;

typedef struct {
    event_t *items;
    size_t count, capacity;
} event_list_t;

typedef struct {
    char *name;
    bool known;              /* last is meaningful */
    uint64_t last;           /* last seq delivered (or accepted as lost) */
    uint64_t filled_through; /* a gap starting at or below this is accepted */
    char *replay_endpoint;   /* where to fill gaps from; NULL when unknown */
    bool filling;            /* a fill for this node is in flight */
    bool filtered_fill_used; /* topic-filtered mode: the one join fill was made */
    bool in_initial;         /* received events from the initial replay */
    uint64_t hinted;         /* highest seq a heartbeat said exists */
    char *last_loose;        /* body of the last heartbeat/transient event (dedupe) */
    event_list_t pending;    /* sorted by seq */
} node_t;

typedef struct {
    char *endpoint;
    void *dealer;  /* NULL when no request is in flight */
    bool initial;  /* the --since replay */
    char *node;    /* node the fill is for (NULL for the initial replay) */
    int64_t activity_ms;
} fill_t;

struct rw_subscriber_t {
    void *context;
    void *sub;
    void *monitor;   /* the SUB socket's handshake failures (CURVE only); NULL otherwise */
    char **topics; /* the caller's prefixes (copies) */
    size_t topic_count;
    bool everything;
    int64_t since;
    char *replay_endpoint;
    char *server_public_key, *public_key, *secret_key;

    node_t *nodes;
    size_t node_count, node_capacity;
    fill_t *fills;
    size_t fill_count, fill_capacity;
    event_list_t unsequenced; /* FIFO of events without node/seq */

    bool initial_phase;      /* the initial replay is running: deliver nothing */
    char *bound_node;        /* node the configured replay endpoint serves */
    bool baseline_pending;   /* initial replay gave no event: bind the next new node */
    uint64_t baseline_last, baseline_filled;

    uint64_t stamp;
    size_t pending_total;
    bool warned_not_json, warned_overflow;
    event_t current; /* returned to the caller; freed on the next call */
};

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void event_free(event_t *event)
{
    free(event->topic);
    free(event->body);
    event->topic = event->body = NULL;
}

static void event_list_free(event_list_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        event_free(&list->items[i]);
    free(list->items);
    memset(list, 0, sizeof *list);
}

/* Insert at index (moving the tail up). Takes ownership of the event's strings. */
static int event_list_insert(event_list_t *list, size_t index, const event_t *event)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 64;
        event_t *grown = realloc(list->items, capacity * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        list->items = grown;
        list->capacity = capacity;
    }
    memmove(list->items + index + 1, list->items + index,
            (list->count - index) * sizeof *list->items);
    list->items[index] = *event;
    list->count++;
    return 0;
}

/* Remove the first item, handing it to *event. */
static void event_list_shift(event_list_t *list, event_t *event)
{
    *event = list->items[0];
    list->count--;
    memmove(list->items, list->items + 1, list->count * sizeof *list->items);
}

static bool topic_matches(const rw_subscriber_t *self, const char *topic)
{
    if (self->everything)
        return true;
    for (size_t i = 0; i < self->topic_count; i++) {
        if (strncmp(topic, self->topics[i], strlen(self->topics[i])) == 0)
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------------- */
/* Sockets                                                                    */

static int set_curve_client(const rw_subscriber_t *self, void *socket)
{
    if (!self->server_public_key)
        return 0;
    if (zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, self->server_public_key,
                       strlen(self->server_public_key) + 1) < 0 ||
        zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, self->public_key,
                       strlen(self->public_key) + 1) < 0 ||
        zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, self->secret_key,
                       strlen(self->secret_key) + 1) < 0)
        return -zmq_errno();
    return 0;
}

static void *make_socket(rw_subscriber_t *self, int type)
{
    void *socket = zmq_socket(self->context, type);
    if (!socket)
        return NULL;
    int linger = 0;
    int result = zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    if (result == 0)
        result = set_curve_client(self, socket);
    if (result < 0) {
        int error = zmq_errno();
        zmq_close(socket);
        errno = error;
        return NULL;
    }
    return socket;
}

/* ------------------------------------------------------------------------- */
/* Nodes                                                                      */

static node_t *find_node(rw_subscriber_t *self, const char *name)
{
    for (size_t i = 0; i < self->node_count; i++) {
        if (strcmp(self->nodes[i].name, name) == 0)
            return &self->nodes[i];
    }
    return NULL;
}

static node_t *add_node(rw_subscriber_t *self, const char *name)
{
    if (self->node_count == self->node_capacity) {
        size_t capacity = self->node_capacity ? self->node_capacity * 2 : 4;
        node_t *grown = realloc(self->nodes, capacity * sizeof *grown);
        if (!grown)
            return NULL;
        self->nodes = grown;
        self->node_capacity = capacity;
    }
    node_t *node = &self->nodes[self->node_count];
    memset(node, 0, sizeof *node);
    node->name = strdup(name);
    if (!node->name)
        return NULL;
    self->node_count++;
    return node;
}

/* ------------------------------------------------------------------------- */
/* Fills: replay requests                                                     */

static fill_t *find_fill(rw_subscriber_t *self, const char *endpoint)
{
    for (size_t i = 0; i < self->fill_count; i++) {
        if (strcmp(self->fills[i].endpoint, endpoint) == 0)
            return &self->fills[i];
    }
    if (self->fill_count == self->fill_capacity) {
        size_t capacity = self->fill_capacity ? self->fill_capacity * 2 : 4;
        fill_t *grown = realloc(self->fills, capacity * sizeof *grown);
        if (!grown)
            return NULL;
        self->fills = grown;
        self->fill_capacity = capacity;
    }
    fill_t *fill = &self->fills[self->fill_count];
    memset(fill, 0, sizeof *fill);
    fill->endpoint = strdup(endpoint);
    if (!fill->endpoint)
        return NULL;
    self->fill_count++;
    return fill;
}

static void fill_close(fill_t *fill)
{
    if (fill->dealer)
        zmq_close(fill->dealer);
    fill->dealer = NULL;
    free(fill->node);
    fill->node = NULL;
    fill->initial = false;
}

/* Send "SINCE from" to endpoint. 0, -EBUSY when a request is already in flight
 * there, other negative errno on failure. */
static int fill_start(rw_subscriber_t *self, const char *endpoint, const char *node,
                      uint64_t from, bool initial)
{
    fill_t *fill = find_fill(self, endpoint);
    if (!fill)
        return -ENOMEM;
    if (fill->dealer)
        return -EBUSY;
    fill->dealer = make_socket(self, ZMQ_DEALER);
    if (!fill->dealer) {
        int error = errno;
        rw_error("subscriber: cannot make a replay socket: %s", zmq_strerror(error));
        return -error;
    }
    char request[40];
    int length = snprintf(request, sizeof request, "SINCE %" PRIu64, from);
    if (zmq_connect(fill->dealer, endpoint) < 0 ||
        zmq_send(fill->dealer, request, (size_t)length, 0) < 0) {
        int error = zmq_errno();
        rw_error("subscriber: cannot ask %s for a replay: %s", endpoint, zmq_strerror(error));
        fill_close(fill);
        return -error;
    }
    fill->node = node ? strdup(node) : NULL;
    fill->initial = initial;
    fill->activity_ms = now_ms();
    rw_debug("subscriber: replay from %s since %" PRIu64 " for node %s", endpoint, from,
             node ? node : "(initial)");
    return 0;
}

/* Bind the configured replay endpoint to node when it serves no node yet. */
static void bind_configured(rw_subscriber_t *self, node_t *node)
{
    if (self->bound_node || !self->replay_endpoint || node->replay_endpoint)
        return;
    self->bound_node = strdup(node->name);
    node->replay_endpoint = strdup(self->replay_endpoint);
}

/* Try to fill the gap after node->last. true when a fill is (now) in flight. */
static bool node_try_fill(rw_subscriber_t *self, node_t *node)
{
    if (node->filling)
        return true;
    if (!self->everything && (self->since < 0 || node->filtered_fill_used))
        return false;
    bind_configured(self, node);
    if (!node->replay_endpoint)
        return false;
    int result = fill_start(self, node->replay_endpoint, node->name, node->last + 1, false);
    if (result == -EBUSY)
        return true; /* another fill on that endpoint: ask once it is done */
    if (result < 0)
        return false;
    node->filling = true;
    node->filtered_fill_used = !self->everything;
    return true;
}

/* A fill ended (end message with last_seq, or gave up when last_seq < 0). */
static void fill_finish(rw_subscriber_t *self, fill_t *fill, int64_t last_seq)
{
    uint64_t served = last_seq > 0 ? (uint64_t)last_seq : 0;
    if (fill->initial) {
        self->initial_phase = false;
        uint64_t start = self->since > 0 ? (uint64_t)self->since - 1 : 0;
        bool any = false;
        for (size_t i = 0; i < self->node_count; i++) {
            node_t *node = &self->nodes[i];
            if (!node->in_initial)
                continue;
            any = true;
            node->known = true;
            node->last = start;
            node->filled_through = served;
            bind_configured(self, node);
        }
        if (!any) {
            /* Nothing replayed: the next new node is taken to be the one the replay
             * endpoint serves, starting after max(since - 1, last_seq). */
            self->baseline_pending = true;
            self->baseline_last = start > served ? start : served;
            self->baseline_filled = served;
        }
        rw_debug("subscriber: initial replay done (last seq %" PRIu64 ")", served);
    } else {
        node_t *node = fill->node ? find_node(self, fill->node) : NULL;
        if (node) {
            node->filling = false;
            if (last_seq < 0) {
                /* Gave up: accept the gap before the first pending event. */
                uint64_t accept = node->pending.count ? node->pending.items[0].seq - 1
                                                      : node->last;
                if (accept > node->filled_through)
                    node->filled_through = accept;
            } else if (served > node->filled_through) {
                node->filled_through = served;
            }
            if (node->hinted > node->filled_through)
                node->hinted = node->filled_through; /* that hint was followed */
        }
    }
    fill_close(fill);
}

/* ------------------------------------------------------------------------- */
/* Taking messages in                                                          */

/* Drop a message whose body is not a JSON object (warning once), freeing topic/body. */
static void drop_not_json(rw_subscriber_t *self, char *topic, char *body)
{
    if (!self->warned_not_json)
        rw_warning("subscriber: dropping a message on topic %s whose body is not a JSON "
                   "object",
                   topic);
    self->warned_not_json = true;
    free(topic);
    free(body);
}

/* Note what a loose message (a heartbeat or a transient error) tells of its node: its
 * replay endpoint, how far it has got. True when it is the node's last loose message
 * again (the same bytes from a second forwarder): a duplicate. */
static bool note_loose(node_t *node, json_t *root, const char *body, bool heartbeat)
{
    const char *replay = json_string_value(json_object_get(root, "replay"));
    if (heartbeat && replay && *replay &&
        (!node->replay_endpoint || strcmp(node->replay_endpoint, replay) != 0)) {
        free(node->replay_endpoint);
        node->replay_endpoint = strdup(replay);
    }
    const char *fields[] = {"seq", "last_seq"};
    for (size_t i = 0; i < 2; i++) {
        json_t *hint = json_object_get(root, fields[i]);
        if (json_is_integer(hint) && json_integer_value(hint) > 0 &&
            (uint64_t)json_integer_value(hint) > node->hinted)
            node->hinted = (uint64_t)json_integer_value(hint);
    }
    if (node->last_loose && strcmp(node->last_loose, body) == 0)
        return true;
    free(node->last_loose);
    node->last_loose = strdup(body);
    return false;
}

/* Keep an event without a seq to deliver as it comes (not a hidden or replayed one). */
static void keep_unsequenced(rw_subscriber_t *self, event_t *event, bool from_replay)
{
    if (event->hidden || from_replay) {
        event_free(event);
        return;
    }
    if (event_list_insert(&self->unsequenced, self->unsequenced.count, event) < 0)
        event_free(event);
}

/* Where seq goes in the pending list (sorted by seq) into *index; true when an event
 * with that seq is already there. */
static bool find_pending(const event_list_t *pending, uint64_t seq, size_t *index)
{
    size_t low = 0, high = pending->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (pending->items[middle].seq < seq)
            low = middle + 1;
        else
            high = middle;
    }
    *index = low;
    return low < pending->count && pending->items[low].seq == seq;
}

/* Keep a sequenced event of node pending, unless it is a duplicate (already delivered,
 * or already pending) or too many live events wait. */
static void keep_pending(rw_subscriber_t *self, node_t *node, event_t *event,
                         bool from_replay)
{
    if (from_replay && self->initial_phase)
        node->in_initial = true;
    event_list_t *pending = &node->pending;
    size_t index;
    if ((node->known && event->seq <= node->last) || find_pending(pending, event->seq, &index)) {
        event_free(event);
        return;
    }
    if (!from_replay && self->pending_total >= RW_SUBSCRIBER_MAX_PENDING) {
        if (!self->warned_overflow)
            rw_warning("subscriber: %d events waiting; dropping live ones (they will be "
                       "replayed)",
                       RW_SUBSCRIBER_MAX_PENDING);
        self->warned_overflow = true;
        event_free(event);
        return;
    }
    if (event_list_insert(pending, index, event) < 0) {
        rw_error("subscriber: out of memory keeping an event");
        event_free(event);
        return;
    }
    self->pending_total++;
}

/* Take ownership of topic/body. from_replay: the message came from a fill. */
static void accept_message(rw_subscriber_t *self, char *topic, char *body, bool from_replay)
{
    json_t *root = json_loads(body, 0, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        drop_not_json(self, topic, body);
        return;
    }
    event_t event = {.stamp = ++self->stamp, .topic = topic, .body = body,
                     .hidden = !topic_matches(self, topic)};
    const char *name = json_string_value(json_object_get(root, "node"));
    json_t *seq_value = json_object_get(root, "seq");
    const char *type = json_string_value(json_object_get(root, "type"));
    bool heartbeat = type && strcmp(type, "heartbeat") == 0;
    node_t *node = name ? find_node(self, name) : NULL;
    if (name && !node)
        node = add_node(self, name);

    /* Heartbeats and transient errors are not journalled: their "seq" (and
     * "last_seq") is the node's last seq, not one of their own. They are delivered
     * as they come, and tell how far the node has got. */
    bool loose = heartbeat || json_is_true(json_object_get(root, "transient"));
    if (node && loose && note_loose(node, root, body, heartbeat)) {
        json_decref(root);
        event_free(&event);
        return;
    }
    if (!node || loose || !json_is_integer(seq_value) || json_integer_value(seq_value) < 1) {
        json_decref(root);
        keep_unsequenced(self, &event, from_replay);
        return;
    }
    event.seq = (uint64_t)json_integer_value(seq_value);
    json_decref(root);
    keep_pending(self, node, &event, from_replay);
}

/* Read the frames of one message, keeping copies of the first two. 1 got one, 0
 * none waiting, <0 error. */
static int receive_frames(void *socket, char *parts[2], int *frames)
{
    for (;;) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, socket, *frames == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            int error = zmq_errno();
            zmq_msg_close(&frame);
            free(parts[0]);
            free(parts[1]);
            parts[0] = parts[1] = NULL;
            return error == EAGAIN ? 0 : -error;
        }
        if (*frames < 2)
            parts[*frames] = strndup(zmq_msg_data(&frame), zmq_msg_size(&frame));
        (*frames)++;
        bool more = zmq_msg_more(&frame);
        zmq_msg_close(&frame);
        if (!more)
            return 1;
    }
}

/* Read one two-frame message; 1 got it (strings owned by the caller), 0 none,
 * <0 error. Messages with another number of frames are dropped. */
static int receive_message(void *socket, char **topic, char **body)
{
    for (;;) {
        char *parts[2] = {NULL, NULL};
        int frames = 0;
        int result = receive_frames(socket, parts, &frames);
        if (result <= 0)
            return result;
        if (frames == 2 && parts[0] && parts[1]) {
            *topic = parts[0];
            *body = parts[1];
            return 1;
        }
        free(parts[0]);
        free(parts[1]);
        rw_debug("subscriber: dropped a message of %d frame(s)", frames);
    }
}

/* A reply from a replay server. */
static void accept_reply(rw_subscriber_t *self, fill_t *fill, char *topic, char *body)
{
    fill->activity_ms = now_ms();
    if (strcmp(topic, "end") == 0) {
        json_t *root = json_loads(body, 0, NULL);
        json_t *last = json_object_get(root, "last_seq");
        int64_t last_seq = json_is_integer(last) ? (int64_t)json_integer_value(last) : -1;
        json_decref(root);
        free(topic);
        free(body);
        fill_finish(self, fill, last_seq);
        return;
    }
    if (strcmp(topic, "error") == 0) {
        rw_warning("subscriber: replay server %s refused: %s", fill->endpoint, body);
        free(topic);
        free(body);
        fill_finish(self, fill, -1);
        return;
    }
    accept_message(self, topic, body, true);
}

/* With CURVE, a server that refuses our key only closes the handshake: ZeroMQ would
 * retry forever in silence. A monitor on the SUB socket reports the refusal, so that
 * rw_subscriber_next can say so (-EACCES) instead of waiting for ever. */
static bool watch_handshakes(rw_subscriber_t *self)
{
    char address[64];
    snprintf(address, sizeof address, "inproc://recwatch-subscriber-%p", (void *)self);
    if (zmq_socket_monitor(self->sub, address,
                           ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) < 0)
        return false;
    self->monitor = zmq_socket(self->context, ZMQ_PAIR);
    int linger = 0;
    return self->monitor &&
           zmq_setsockopt(self->monitor, ZMQ_LINGER, &linger, sizeof linger) == 0 &&
           zmq_connect(self->monitor, address) == 0;
}

/* Read one monitor event (two frames); true when it is a refused handshake. */
static bool handshake_refused(rw_subscriber_t *self)
{
    uint8_t frame[6];
    char endpoint[256];
    int size = zmq_recv(self->monitor, frame, sizeof frame, ZMQ_DONTWAIT);
    if (size < 2)
        return false;
    int more = 0;
    size_t more_size = sizeof more;
    zmq_getsockopt(self->monitor, ZMQ_RCVMORE, &more, &more_size);
    int length = more ? zmq_recv(self->monitor, endpoint, sizeof endpoint - 1, 0) : 0;
    endpoint[length > 0 ? (length < (int)sizeof endpoint ? length : (int)sizeof endpoint - 1) : 0] = '\0';
    uint16_t event;
    memcpy(&event, frame, sizeof event);
    if (event != ZMQ_EVENT_HANDSHAKE_FAILED_AUTH && event != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        return false;
    rw_error("subscriber: %s refused the CURVE handshake: %s", endpoint,
             event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                 ? "our public key is not in its authorized keys"
                 : "protocol error (is the server public key right?)");
    return true;
}

/* Wait up to timeout_ms for messages and take in what arrives. <0 on error. */
static int poll_sockets(rw_subscriber_t *self, int timeout_ms)
{
    zmq_pollitem_t items[2 + 16];
    fill_t *owners[2 + 16] = {NULL};
    int count = 0;
    items[count++] = (zmq_pollitem_t){.socket = self->sub, .events = ZMQ_POLLIN};
    int monitor_item = -1;
    if (self->monitor) {
        monitor_item = count;
        items[count++] = (zmq_pollitem_t){.socket = self->monitor, .events = ZMQ_POLLIN};
    }
    int64_t now = now_ms();
    for (size_t i = 0; i < self->fill_count && count < 2 + 16; i++) {
        fill_t *fill = &self->fills[i];
        if (!fill->dealer)
            continue;
        int64_t left = fill->activity_ms + RW_SUBSCRIBER_FILL_TIMEOUT_MS - now;
        if (left < 0)
            left = 0;
        if (timeout_ms < 0 || left < timeout_ms)
            timeout_ms = (int)left;
        owners[count] = fill;
        items[count++] = (zmq_pollitem_t){.socket = fill->dealer, .events = ZMQ_POLLIN};
    }
    if (zmq_poll(items, count, timeout_ms) < 0) {
        int error = zmq_errno();
        if (error != EINTR)
            rw_error("subscriber: zmq_poll failed: %s", zmq_strerror(error));
        return -error;
    }
    if (monitor_item >= 0 && items[monitor_item].revents & ZMQ_POLLIN &&
        handshake_refused(self))
        return -EACCES;
    for (int i = 0; i < count; i++) {
        if (i == monitor_item || !(items[i].revents & ZMQ_POLLIN))
            continue;
        for (int taken = 0; taken < MAX_MESSAGES_PER_POLL; taken++) {
            /* A fill can finish (and close its socket) while replies are read. */
            if (owners[i] && owners[i]->dealer != items[i].socket)
                break;
            char *topic = NULL, *body = NULL;
            int result = receive_message(items[i].socket, &topic, &body);
            if (result < 0) {
                rw_error("subscriber: receiving failed: %s", zmq_strerror(-result));
                return result;
            }
            if (result == 0)
                break;
            if (owners[i])
                accept_reply(self, owners[i], topic, body);
            else
                accept_message(self, topic, body, false);
        }
    }
    /* Replay servers that stopped answering. */
    now = now_ms();
    for (size_t i = 0; i < self->fill_count; i++) {
        fill_t *fill = &self->fills[i];
        if (fill->dealer && now - fill->activity_ms >= RW_SUBSCRIBER_FILL_TIMEOUT_MS) {
            rw_warning("subscriber: replay server %s did not answer for %d s; going on "
                       "without it",
                       fill->endpoint, RW_SUBSCRIBER_FILL_TIMEOUT_MS / 1000);
            fill_finish(self, fill, -1);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Delivery                                                                    */

/* Give a node seen for the first time its starting point. */
static void node_establish(rw_subscriber_t *self, node_t *node)
{
    if (node->known || node->pending.count == 0)
        return;
    node->known = true;
    if (self->baseline_pending && !self->bound_node) {
        node->last = self->baseline_last;
        node->filled_through = self->baseline_filled;
        self->baseline_pending = false;
        bind_configured(self, node);
    } else {
        node->last = node->pending.items[0].seq - 1; /* live only: start here */
        node->filled_through = node->last;
    }
    /* Drop what is now in the past. */
    while (node->pending.count > 0 && node->pending.items[0].seq <= node->last) {
        event_t old;
        event_list_shift(&node->pending, &old);
        self->pending_total--;
        event_free(&old);
    }
}

/* Is the head of node's list deliverable now? May start a fill. */
static bool node_ready(rw_subscriber_t *self, node_t *node)
{
    node_establish(self, node);
    while (node->known && node->pending.count > 0 && node->pending.items[0].seq <= node->last) {
        event_t old;
        event_list_shift(&node->pending, &old);
        self->pending_total--;
        event_free(&old);
    }
    if (node->pending.count == 0) {
        /* Nothing waiting, but a heartbeat says there is more: loss at the tail. */
        if (node->known && node->hinted > node->last && node->hinted > node->filled_through &&
            !node->filling)
            node_try_fill(self, node);
        return false;
    }
    uint64_t head = node->pending.items[0].seq;
    if (head == node->last + 1)
        return true;
    if (node->filling)
        return false;
    if (node->last + 1 <= node->filled_through)
        return true; /* this gap was asked for already: those events are gone */
    if (node_try_fill(self, node))
        return false;
    rw_debug("subscriber: node %s: %" PRIu64 " event(s) missing before seq %" PRIu64,
             node->name, head - node->last - 1, head);
    return true;
}

/* The next event to deliver, moved into self->current; false when none. */
static bool take_next(rw_subscriber_t *self)
{
    while (!self->initial_phase) {
        node_t *best = NULL;
        uint64_t best_stamp = UINT64_MAX;
        for (size_t i = 0; i < self->node_count; i++) {
            node_t *node = &self->nodes[i];
            if (node_ready(self, node) && node->pending.items[0].stamp < best_stamp) {
                best = node;
                best_stamp = node->pending.items[0].stamp;
            }
        }
        bool unsequenced = self->unsequenced.count > 0 &&
                           self->unsequenced.items[0].stamp < best_stamp;
        if (unsequenced) {
            event_list_shift(&self->unsequenced, &self->current);
            return true;
        }
        if (!best)
            return false;
        event_list_shift(&best->pending, &self->current);
        self->pending_total--;
        best->last = self->current.seq;
        if (!self->current.hidden)
            return true;
        event_free(&self->current);
    }
    return false;
}

int rw_subscriber_next(rw_subscriber_t *self, int timeout_ms, const char **topic,
                       const char **body)
{
    event_free(&self->current);
    int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
    for (;;) {
        if (take_next(self)) {
            *topic = self->current.topic;
            *body = self->current.body;
            return 1;
        }
        int wait = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            wait = left > 0 ? (int)left : 0;
        }
        int result = poll_sockets(self, wait);
        if (result == -EINTR)
            return 0; /* a signal: let the caller look at its flags */
        if (result < 0)
            return result;
        if (take_next(self)) {
            *topic = self->current.topic;
            *body = self->current.body;
            return 1;
        }
        if (deadline >= 0 && now_ms() >= deadline)
            return 0;
    }
}

/* ------------------------------------------------------------------------- */
/* Life cycle                                                                  */

static bool valid_key(const char *key)
{
    return key && strlen(key) == 40;
}

/* Are the options usable? If not, says why in error. */
static bool check_options(void *zmq_context, const rw_subscriber_options_t *options,
                          char *error, size_t error_size)
{
    if (!zmq_context || !options || options->endpoint_count == 0 || !options->endpoints) {
        snprintf(error, error_size, "subscriber: no endpoint to subscribe to");
        return false;
    }
    if (options->since >= 0 && !options->replay_endpoint) {
        snprintf(error, error_size, "subscriber: --since needs a replay endpoint");
        return false;
    }
    if (options->server_public_key &&
        (!valid_key(options->server_public_key) || !valid_key(options->public_key) ||
         !valid_key(options->secret_key))) {
        snprintf(error, error_size, "subscriber: CURVE needs the server public key and the "
                                    "client key pair, each 40 Z85 characters");
        return false;
    }
    return true;
}

/* Copy the caller's topic prefixes; "" is everything. False when out of memory. */
static bool copy_topics(rw_subscriber_t *self, const rw_subscriber_options_t *options)
{
    self->everything = options->topic_count == 0;
    if (options->topic_count == 0)
        return true;
    self->topics = calloc(options->topic_count, sizeof *self->topics);
    bool memory_ok = self->topics != NULL;
    for (size_t i = 0; memory_ok && i < options->topic_count; i++) {
        self->topics[i] = strdup(options->topics[i] ? options->topics[i] : "");
        memory_ok = self->topics[i] != NULL;
        self->topic_count = i + 1;
        if (memory_ok && !*self->topics[i])
            self->everything = true;
    }
    return memory_ok;
}

/* Copy the string from (if any) to *to; false when out of memory. */
static bool copy_string(char **to, const char *from)
{
    if (!from)
        return true;
    *to = strdup(from);
    return *to != NULL;
}

/* Subscribe the SUB socket to the topics, and to heartbeats, which name each node's
 * replay endpoint and last seq (kept hidden unless asked for). */
static int subscribe_topics(rw_subscriber_t *self)
{
    if (self->everything)
        return zmq_setsockopt(self->sub, ZMQ_SUBSCRIBE, "", 0);
    int result = 0;
    for (size_t i = 0; result == 0 && i < self->topic_count; i++)
        result = zmq_setsockopt(self->sub, ZMQ_SUBSCRIBE, self->topics[i],
                                strlen(self->topics[i]));
    if (result == 0)
        result = zmq_setsockopt(self->sub, ZMQ_SUBSCRIBE, "heartbeat", 9);
    return result;
}

/* Make the SUB socket, subscribe it and connect it to every endpoint; false (and why
 * in error) on failure. */
static bool open_sub(rw_subscriber_t *self, const rw_subscriber_options_t *options,
                     char *error, size_t error_size)
{
    self->sub = make_socket(self, ZMQ_SUB);
    if (!self->sub) {
        snprintf(error, error_size, "subscriber: cannot make the SUB socket: %s",
                 zmq_strerror(errno));
        return false;
    }
    int hwm = 100000; /* bursts of a busy daemon; the loop reads them out promptly */
    zmq_setsockopt(self->sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    int result = subscribe_topics(self);
    if (result < 0) {
        snprintf(error, error_size, "subscriber: cannot subscribe: %s",
                 zmq_strerror(zmq_errno()));
        return false;
    }
    if (self->server_public_key && !watch_handshakes(self)) {
        snprintf(error, error_size, "subscriber: cannot watch the CURVE handshake: %s",
                 zmq_strerror(zmq_errno()));
        return false;
    }
    for (size_t i = 0; i < options->endpoint_count; i++) {
        if (zmq_connect(self->sub, options->endpoints[i]) < 0) {
            snprintf(error, error_size, "subscriber: cannot connect to %s: %s",
                     options->endpoints[i], zmq_strerror(zmq_errno()));
            return false;
        }
    }
    return true;
}

rw_subscriber_t *rw_subscriber_new(void *zmq_context, const rw_subscriber_options_t *options,
                                   char *error, size_t error_size)
{
    if (!check_options(zmq_context, options, error, error_size))
        return NULL;
    rw_subscriber_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(error, error_size, "subscriber: out of memory");
        return NULL;
    }
    self->context = zmq_context;
    self->since = options->since;
    bool memory_ok = copy_topics(self, options);
    memory_ok = memory_ok && copy_string(&self->replay_endpoint, options->replay_endpoint);
    memory_ok = memory_ok && copy_string(&self->server_public_key, options->server_public_key);
    memory_ok = memory_ok && copy_string(&self->public_key, options->public_key);
    memory_ok = memory_ok && copy_string(&self->secret_key, options->secret_key);
    if (!memory_ok) {
        snprintf(error, error_size, "subscriber: out of memory");
        rw_subscriber_destroy(&self);
        return NULL;
    }
    /* Subscribe first (Clone pattern), then ask for the replay. */
    if (!open_sub(self, options, error, error_size)) {
        rw_subscriber_destroy(&self);
        return NULL;
    }
    if (self->since >= 0) {
        int result = fill_start(self, self->replay_endpoint, NULL, (uint64_t)self->since, true);
        if (result < 0) {
            snprintf(error, error_size, "subscriber: cannot ask %s for a replay: %s",
                     self->replay_endpoint, zmq_strerror(-result));
            rw_subscriber_destroy(&self);
            return NULL;
        }
        self->initial_phase = true;
    }
    return self;
}

void rw_subscriber_destroy(rw_subscriber_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_subscriber_t *self = *self_p;
    if (self->monitor) {
        zmq_socket_monitor(self->sub, NULL, 0);
        zmq_close(self->monitor);
    }
    for (size_t i = 0; i < self->fill_count; i++) {
        fill_close(&self->fills[i]);
        free(self->fills[i].endpoint);
    }
    free(self->fills);
    for (size_t i = 0; i < self->node_count; i++) {
        event_list_free(&self->nodes[i].pending);
        free(self->nodes[i].name);
        free(self->nodes[i].replay_endpoint);
        free(self->nodes[i].last_loose);
    }
    free(self->nodes);
    event_list_free(&self->unsequenced);
    event_free(&self->current);
    if (self->sub)
        zmq_close(self->sub);
    for (size_t i = 0; i < self->topic_count; i++)
        free(self->topics[i]);
    free(self->topics);
    free(self->replay_endpoint);
    free(self->server_public_key);
    free(self->public_key);
    free(self->secret_key);
    free(self->bound_node);
    free(self);
    *self_p = NULL;
}
