/* auth.c — the ZAP handler (ZeroMQ RFC 27) that lets only authorized CURVE keys
 * subscribe, plus helpers to make CURVE server and client sockets.
 *
 * How it fits together:
 *   - libzmq asks the handler bound at inproc://zeromq.zap.01 about every client
 *     of a CURVE server socket, once the client has proven it holds its secret key;
 *   - the handler answers 200 when the client's public key is in the authorized
 *     keys folder, 400 otherwise, and 400 to any NULL or PLAIN client that reaches
 *     it (only sockets with a ZAP domain do): speaking CURVE is mandatory;
 *   - server sockets set ZMQ_ZAP_ENFORCE_DOMAIN, so a missing handler means
 *     "refuse", not "accept everyone" (libzmq's legacy default).
 *
 * Threads: the handler thread owns the ZAP REP socket and one end of an inproc
 * PAIR socket; a message on the PAIR socket tells it to stop. The authorized key
 * set is read in the caller's thread (new and reload) and swapped under a mutex;
 * the handler takes the mutex only to look a key up. Counters are atomics. */
#include "auth.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zmq.h>

#include "keys.h"
#include "log.h"

/* ZMQ_ZAP_ENFORCE_DOMAIN is still in libzmq's draft API (its number has been
 * stable since 4.2.5); Debian's libzmq is built with it. If a libzmq lacks it,
 * zmq_setsockopt fails and rw_auth_make_server refuses: we never run open. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_MAX_FRAMES 8         /* a PLAIN request has 8 frames, CURVE 7, NULL 6 */
#define REFUSAL_LOG_WINDOW_S 10  /* at most REFUSAL_LOG_BURST warnings per window */
#define REFUSAL_LOG_BURST 20

typedef struct {
    unsigned char key[RW_KEY_BINARY_LENGTH];
    char z85[RW_KEY_Z85_LENGTH + 1];
    char *name; /* the file name: the user id given to libzmq */
} key_entry_t;

typedef struct {
    key_entry_t *entries;
    size_t count;
} key_set_t;

struct rw_auth_t {
    void *context;
    char *directory;
    pthread_mutex_t mutex; /* guards keys */
    key_set_t keys;
    void *zap;            /* REP, owned by the thread once it runs */
    void *control;        /* PAIR, our end */
    void *control_thread; /* PAIR, the thread's end */
    pthread_t thread;
    bool thread_running;
    atomic_uint_least64_t refused;
    atomic_uint_least64_t admitted;
    /* refusal log rate limit; touched by the handler thread only */
    time_t refusal_window_start;
    unsigned refusals_in_window;
};

/* ---------------------------------------------------------------- key sets */

static void key_set_clear(key_set_t *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->entries[i].name);
    free(set->entries);
    set->entries = NULL;
    set->count = 0;
}

static const key_entry_t *key_set_find(const key_set_t *set, const unsigned char *key)
{
    for (size_t i = 0; i < set->count; i++)
        if (memcmp(set->entries[i].key, key, RW_KEY_BINARY_LENGTH) == 0)
            return &set->entries[i];
    return NULL;
}

static int compare_names(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

/* Names in the folder worth reading, sorted (so logs and duplicates are stable). */
static int list_key_files(const char *directory, char ***names_p, size_t *count_p)
{
    DIR *folder = opendir(directory);
    if (!folder)
        return -errno;
    char **names = NULL;
    size_t count = 0, capacity = 0;
    int rc = 0;
    struct dirent *entry;
    while (rc == 0 && (entry = readdir(folder)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (entry->d_name[0] == '.' || entry->d_name[length - 1] == '~')
            continue;
        struct stat status;
        if (fstatat(dirfd(folder), entry->d_name, &status, 0) == 0 && S_ISDIR(status.st_mode))
            continue;
        if (count == capacity) {
            size_t bigger = capacity ? capacity * 2 : 16;
            char **grown = realloc(names, bigger * sizeof *names);
            if (!grown) {
                rc = -ENOMEM;
                break;
            }
            names = grown;
            capacity = bigger;
        }
        names[count] = strdup(entry->d_name);
        if (!names[count])
            rc = -ENOMEM;
        else
            count++;
    }
    closedir(folder);
    if (rc < 0) {
        for (size_t i = 0; i < count; i++)
            free(names[i]);
        free(names);
        return rc;
    }
    if (count > 1)
        qsort(names, count, sizeof *names, compare_names);
    *names_p = names;
    *count_p = count;
    return 0;
}

/* Read one file into the set; problems with the file are logged and skipped. */
static int key_set_add_file(key_set_t *set, const char *directory, const char *name)
{
    char path[4096], error[512];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", directory, name) >= sizeof path) {
        rw_warning("auth: %s/%s: path too long; skipped", directory, name);
        return 0;
    }
    key_entry_t entry;
    memset(&entry, 0, sizeof entry);
    if (rw_keys_read_public(path, entry.z85, error, sizeof error) < 0) {
        rw_warning("auth: authorized key skipped: %s", error);
        return 0;
    }
    if (!zmq_z85_decode(entry.key, entry.z85)) {
        rw_warning("auth: authorized key skipped: %s: cannot decode the key", path);
        return 0;
    }
    const key_entry_t *duplicate = key_set_find(set, entry.key);
    if (duplicate) {
        rw_warning("auth: %s holds the same key as %s; skipped", path, duplicate->name);
        return 0;
    }
    entry.name = strdup(name);
    if (!entry.name)
        return -ENOMEM;
    set->entries[set->count++] = entry;
    return 0;
}

/* Read every key of directory into a fresh set. Negative errno when the folder
 * itself cannot be read or memory runs out; bad files are only skipped. */
static int key_set_load(const char *directory, key_set_t *set)
{
    char **names = NULL;
    size_t count = 0;
    int rc = list_key_files(directory, &names, &count);
    if (rc < 0)
        return rc;
    set->entries = calloc(count ? count : 1, sizeof *set->entries);
    set->count = 0;
    if (!set->entries)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = key_set_add_file(set, directory, names[i]);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    if (rc < 0)
        key_set_clear(set);
    return rc;
}

/* ------------------------------------------------------------ ZAP handling */

/* Receive one whole multi-part message into frames (at most ZAP_MAX_FRAMES kept,
 * the rest drained). Returns the number of frames received, or -1 (errno set). */
static int receive_request(void *socket, zmq_msg_t *frames, int *kept)
{
    int total = 0;
    *kept = 0;
    int more = 1;
    while (more) {
        zmq_msg_t scratch;
        zmq_msg_t *frame = *kept < ZAP_MAX_FRAMES ? &frames[*kept] : &scratch;
        zmq_msg_init(frame);
        if (zmq_msg_recv(frame, socket, 0) < 0) {
            zmq_msg_close(frame);
            return -1;
        }
        more = zmq_msg_more(frame);
        if (frame == &scratch)
            zmq_msg_close(frame);
        else
            (*kept)++;
        total++;
    }
    return total;
}

/* Copy a frame into a NUL-terminated string (truncated to fit). */
static void frame_text(zmq_msg_t *frame, char *text, size_t size)
{
    size_t length = zmq_msg_size(frame);
    if (length >= size)
        length = size - 1;
    memcpy(text, zmq_msg_data(frame), length);
    text[length] = '\0';
    for (size_t i = 0; i < length; i++) /* keep logs on one printable line */
        if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] == 0x7f)
            text[i] = '?';
}

static bool frame_equals(zmq_msg_t *frame, const char *text)
{
    size_t length = strlen(text);
    return zmq_msg_size(frame) == length && memcmp(zmq_msg_data(frame), text, length) == 0;
}

static int send_frame(void *socket, const void *data, size_t size, bool more)
{
    return zmq_send(socket, data, size, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

/* The reply: version, request id, status code, status text, user id, metadata. */
static int send_reply(void *socket, zmq_msg_t *request_id, const char *code, const char *text,
                      const char *user_id)
{
    const void *id_data = request_id ? zmq_msg_data(request_id) : "";
    size_t id_size = request_id ? zmq_msg_size(request_id) : 0;
    if (send_frame(socket, "1.0", 3, true) < 0 || send_frame(socket, id_data, id_size, true) < 0 ||
        send_frame(socket, code, strlen(code), true) < 0 ||
        send_frame(socket, text, strlen(text), true) < 0 ||
        send_frame(socket, user_id, strlen(user_id), true) < 0 ||
        send_frame(socket, "", 0, false) < 0)
        return -1;
    return 0;
}

/* Log a refusal, at most REFUSAL_LOG_BURST per window so that a stream of
 * strangers cannot flood the journal; the counter always counts. */
static void log_refusal(rw_auth_t *self, const char *mechanism, const char *key,
                        const char *address, const char *reason)
{
    time_t now = time(NULL);
    if (now - self->refusal_window_start >= REFUSAL_LOG_WINDOW_S) {
        if (self->refusals_in_window > REFUSAL_LOG_BURST)
            rw_warning("auth: %u more refusals were not logged",
                       self->refusals_in_window - REFUSAL_LOG_BURST);
        self->refusal_window_start = now;
        self->refusals_in_window = 0;
    }
    if (++self->refusals_in_window <= REFUSAL_LOG_BURST)
        rw_warning("auth: refused %s client from %s, key %s: %s", mechanism,
                   address[0] ? address : "(unknown address)", key[0] ? key : "(none)", reason);
}

/* Decide on one request that has at least the 6 fixed frames. */
static int answer_request(rw_auth_t *self, zmq_msg_t *frames, int kept, int total)
{
    char address[128], mechanism[32], key_z85[RW_KEY_Z85_LENGTH + 1] = "";
    frame_text(&frames[3], address, sizeof address);
    frame_text(&frames[5], mechanism, sizeof mechanism);
    zmq_msg_t *request_id = &frames[1];

    if (!frame_equals(&frames[0], "1.0")) {
        atomic_fetch_add(&self->refused, 1);
        log_refusal(self, mechanism, "", address, "unsupported ZAP version");
        return send_reply(self->zap, request_id, "500", "unsupported ZAP version", "");
    }
    if (strcmp(mechanism, "CURVE") != 0) {
        atomic_fetch_add(&self->refused, 1);
        log_refusal(self, mechanism, "", address, "CURVE is required");
        return send_reply(self->zap, request_id, "400", "CURVE is required", "");
    }
    if (total != 7 || kept != 7 || zmq_msg_size(&frames[6]) != RW_KEY_BINARY_LENGTH) {
        atomic_fetch_add(&self->refused, 1);
        log_refusal(self, mechanism, "", address, "malformed CURVE credentials");
        return send_reply(self->zap, request_id, "500", "malformed request", "");
    }
    const unsigned char *key = zmq_msg_data(&frames[6]);
    if (!zmq_z85_encode(key_z85, key, RW_KEY_BINARY_LENGTH))
        key_z85[0] = '\0';

    char user_id[256] = "";
    pthread_mutex_lock(&self->mutex);
    const key_entry_t *entry = key_set_find(&self->keys, key);
    if (entry)
        snprintf(user_id, sizeof user_id, "%s", entry->name);
    pthread_mutex_unlock(&self->mutex);

    if (!entry) {
        atomic_fetch_add(&self->refused, 1);
        log_refusal(self, mechanism, key_z85, address, "unknown key");
        return send_reply(self->zap, request_id, "400", "unknown key", "");
    }
    atomic_fetch_add(&self->admitted, 1);
    rw_info("auth: admitted \"%s\" from %s", user_id, address);
    return send_reply(self->zap, request_id, "200", "OK", user_id);
}

/* Handle one request. -1 only when the socket is unusable (context ending). */
static int handle_request(rw_auth_t *self)
{
    zmq_msg_t frames[ZAP_MAX_FRAMES];
    int kept = 0;
    int total = receive_request(self->zap, frames, &kept);
    if (total < 0) {
        for (int i = 0; i < kept; i++)
            zmq_msg_close(&frames[i]);
        return -1;
    }
    int rc;
    if (kept < 6) {
        /* A REP socket must answer every request, even nonsense. */
        atomic_fetch_add(&self->refused, 1);
        rw_warning("auth: malformed ZAP request (%d frames); refused", total);
        rc = send_reply(self->zap, kept >= 2 ? &frames[1] : NULL, "500", "malformed request", "");
    } else {
        rc = answer_request(self, frames, kept, total);
    }
    for (int i = 0; i < kept; i++)
        zmq_msg_close(&frames[i]);
    if (rc < 0 && zmq_errno() != ETERM)
        rw_error("auth: cannot send a ZAP reply: %s", zmq_strerror(zmq_errno()));
    return rc < 0 && zmq_errno() == ETERM ? -1 : 0;
}

static void *handler_thread(void *argument)
{
    rw_auth_t *self = argument;
    for (;;) {
        zmq_pollitem_t items[2] = {
            {.socket = self->zap, .events = ZMQ_POLLIN},
            {.socket = self->control_thread, .events = ZMQ_POLLIN},
        };
        if (zmq_poll(items, 2, -1) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            if (zmq_errno() != ETERM)
                rw_error("auth: ZAP handler poll failed: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (items[1].revents & ZMQ_POLLIN)
            break; /* any message on the control socket means "stop" */
        if ((items[0].revents & ZMQ_POLLIN) && handle_request(self) < 0)
            break;
    }
    /* The sockets die with the thread, so zmq_ctx_term never waits for them. */
    zmq_close(self->zap);
    self->zap = NULL;
    zmq_close(self->control_thread);
    self->control_thread = NULL;
    return NULL;
}

/* ---------------------------------------------------------------- object */

static void *new_socket(void *context, int type)
{
    void *socket = zmq_socket(context, type);
    int zero = 0;
    if (socket && zmq_setsockopt(socket, ZMQ_LINGER, &zero, sizeof zero) != 0) {
        zmq_close(socket);
        socket = NULL;
    }
    return socket;
}

static int start_sockets(rw_auth_t *self, char *error, size_t error_size)
{
    self->zap = new_socket(self->context, ZMQ_REP);
    self->control = new_socket(self->context, ZMQ_PAIR);
    self->control_thread = new_socket(self->context, ZMQ_PAIR);
    if (!self->zap || !self->control || !self->control_thread) {
        rw_log_format(error, error_size, "cannot create ZAP sockets: %s", zmq_strerror(zmq_errno()));
        return -EIO;
    }
    if (zmq_bind(self->zap, ZAP_ENDPOINT) != 0) {
        int code = zmq_errno();
        rw_log_format(error, error_size, "cannot bind the ZAP handler to %s: %s%s", ZAP_ENDPOINT,
                  zmq_strerror(code),
                  code == EADDRINUSE ? " (another handler runs in this ZeroMQ context)" : "");
        return -code;
    }
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://recwatch-auth-control-%p", (void *)self);
    if (zmq_bind(self->control, endpoint) != 0 || zmq_connect(self->control_thread, endpoint) != 0) {
        rw_log_format(error, error_size, "cannot set up %s: %s", endpoint, zmq_strerror(zmq_errno()));
        return -EIO;
    }
    return 0;
}

rw_auth_t *rw_auth_new(void *zmq_context, const char *authorized_keys_dir, char *error,
                       size_t error_size)
{
    if (!zmq_context || !authorized_keys_dir) {
        rw_log_format(error, error_size, "rw_auth_new: missing context or folder");
        return NULL;
    }
    if (!zmq_has("curve")) {
        rw_log_format(error, error_size, "this libzmq was built without CURVE support");
        return NULL;
    }
    rw_auth_t *self = calloc(1, sizeof *self);
    if (!self || !(self->directory = strdup(authorized_keys_dir))) {
        rw_log_format(error, error_size, "out of memory");
        free(self);
        return NULL;
    }
    self->context = zmq_context;
    pthread_mutex_init(&self->mutex, NULL);
    atomic_init(&self->refused, 0);
    atomic_init(&self->admitted, 0);

    int rc = key_set_load(self->directory, &self->keys);
    if (rc < 0) {
        rw_log_format(error, error_size, "authorized keys folder %s: %s", self->directory,
                  strerror(-rc));
        rw_auth_destroy(&self);
        return NULL;
    }
    if (start_sockets(self, error, error_size) < 0) {
        rw_auth_destroy(&self);
        return NULL;
    }
    /* pthread_create is a full memory barrier: the thread may take over the
     * sockets made here (libzmq allows migrating a socket that way). */
    rc = pthread_create(&self->thread, NULL, handler_thread, self);
    if (rc != 0) {
        rw_log_format(error, error_size, "cannot start the ZAP handler thread: %s", strerror(rc));
        rw_auth_destroy(&self);
        return NULL;
    }
    self->thread_running = true;
    if (self->keys.count == 0)
        rw_warning("auth: no authorized keys in %s: every subscriber will be refused",
                   self->directory);
    else
        rw_info("auth: %zu authorized keys from %s", self->keys.count, self->directory);
    return self;
}

int rw_auth_reload(rw_auth_t *self)
{
    if (!self)
        return -EINVAL;
    key_set_t fresh = {NULL, 0};
    int rc = key_set_load(self->directory, &fresh);
    if (rc == -ENOMEM) {
        rw_error("auth: reloading %s: out of memory; keeping the current keys", self->directory);
        return rc;
    }
    if (rc < 0)
        rw_error("auth: cannot read the authorized keys folder %s: %s; refusing every "
                 "subscriber until it can be read",
                 self->directory, strerror(-rc));

    pthread_mutex_lock(&self->mutex);
    key_set_t old = self->keys;
    self->keys = fresh;
    pthread_mutex_unlock(&self->mutex);

    int removed = 0, added = 0;
    for (size_t i = 0; i < old.count; i++)
        if (!key_set_find(&fresh, old.entries[i].key)) {
            rw_notice("auth: key \"%s\" (%s) is no longer authorized", old.entries[i].name,
                      old.entries[i].z85);
            removed++;
        }
    for (size_t i = 0; i < fresh.count; i++)
        if (!key_set_find(&old, fresh.entries[i].key))
            added++;
    key_set_clear(&old);
    rw_info("auth: reloaded %s: %zu keys (%d added, %d removed)", self->directory, fresh.count,
            added, removed);
    return removed;
}

uint64_t rw_auth_refused(const rw_auth_t *self)
{
    return self ? atomic_load(&((rw_auth_t *)self)->refused) : 0;
}

uint64_t rw_auth_admitted(const rw_auth_t *self)
{
    return self ? atomic_load(&((rw_auth_t *)self)->admitted) : 0;
}

size_t rw_auth_key_count(const rw_auth_t *self)
{
    if (!self)
        return 0;
    rw_auth_t *mutable_self = (rw_auth_t *)self;
    pthread_mutex_lock(&mutable_self->mutex);
    size_t count = self->keys.count;
    pthread_mutex_unlock(&mutable_self->mutex);
    return count;
}

void rw_auth_destroy(rw_auth_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_auth_t *self = *self_p;
    if (self->thread_running) {
        int timeout = 1000;
        zmq_setsockopt(self->control, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
        if (zmq_send(self->control, "stop", 4, 0) < 0 && zmq_errno() != ETERM)
            rw_error("auth: cannot ask the ZAP handler to stop: %s", zmq_strerror(zmq_errno()));
        pthread_join(self->thread, NULL);
    } else {
        /* The thread never started: its sockets are still ours. */
        if (self->zap)
            zmq_close(self->zap);
        if (self->control_thread)
            zmq_close(self->control_thread);
    }
    if (self->control)
        zmq_close(self->control);
    key_set_clear(&self->keys);
    pthread_mutex_destroy(&self->mutex);
    free(self->directory);
    free(self);
    *self_p = NULL;
}

/* ------------------------------------------------------- socket helpers */

static int set_option(void *socket, int option, const void *value, size_t size,
                      const char *name)
{
    if (zmq_setsockopt(socket, option, value, size) == 0)
        return 0;
    int code = zmq_errno();
    rw_error("auth: cannot set %s: %s", name, zmq_strerror(code));
    return -code;
}

int rw_auth_make_server(void *socket, const char *secret_key_z85)
{
    if (!socket || !rw_keys_z85_is_valid(secret_key_z85)) {
        rw_error("auth: a CURVE server needs a valid 40-character Z85 secret key");
        return -EINVAL;
    }
    int one = 1;
    int rc = set_option(socket, ZMQ_CURVE_SERVER, &one, sizeof one, "ZMQ_CURVE_SERVER");
    if (rc == 0)
        rc = set_option(socket, ZMQ_CURVE_SECRETKEY, secret_key_z85, RW_KEY_Z85_LENGTH,
                        "ZMQ_CURVE_SECRETKEY");
    if (rc == 0)
        rc = set_option(socket, ZMQ_ZAP_DOMAIN, RW_AUTH_ZAP_DOMAIN, strlen(RW_AUTH_ZAP_DOMAIN),
                        "ZMQ_ZAP_DOMAIN");
    if (rc == 0)
        rc = set_option(socket, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one,
                        "ZMQ_ZAP_ENFORCE_DOMAIN (libzmq draft API; needed to fail closed)");
    return rc;
}

int rw_auth_make_client(void *socket, const char *server_public_key, const char *public_key,
                        const char *secret_key)
{
    if (!socket || !rw_keys_z85_is_valid(server_public_key) || !rw_keys_z85_is_valid(public_key) ||
        !rw_keys_z85_is_valid(secret_key)) {
        rw_error("auth: a CURVE client needs valid 40-character Z85 keys");
        return -EINVAL;
    }
    int rc = set_option(socket, ZMQ_CURVE_SERVERKEY, server_public_key, RW_KEY_Z85_LENGTH,
                        "ZMQ_CURVE_SERVERKEY");
    if (rc == 0)
        rc = set_option(socket, ZMQ_CURVE_PUBLICKEY, public_key, RW_KEY_Z85_LENGTH,
                        "ZMQ_CURVE_PUBLICKEY");
    if (rc == 0)
        rc = set_option(socket, ZMQ_CURVE_SECRETKEY, secret_key, RW_KEY_Z85_LENGTH,
                        "ZMQ_CURVE_SECRETKEY");
    return rc;
}

int rw_auth_rebind(void *socket, const char *endpoint)
{
    if (!socket || !endpoint)
        return -EINVAL;
    if (zmq_unbind(socket, endpoint) != 0) {
        int code = zmq_errno();
        rw_error("auth: cannot unbind %s: %s", endpoint, zmq_strerror(code));
        return -code;
    }
    /* The listener closes in libzmq's I/O thread: wait for the port to free up. */
    for (int attempt = 0;; attempt++) {
        if (zmq_bind(socket, endpoint) == 0)
            return 0;
        int code = zmq_errno();
        if (code != EADDRINUSE || attempt >= 100) {
            rw_error("auth: cannot bind %s again: %s", endpoint, zmq_strerror(code));
            return -code;
        }
        zmq_poll(NULL, 0, 10);
    }
}

/* ------------------------------------------------------- endpoints */

/* "localhost" in any letter case (daemon/strings.h hides <strings.h>). */
static bool is_localhost(const char *host)
{
    const char *expected = "localhost";
    size_t i = 0;
    for (; host[i] && expected[i]; i++) {
        char lower = host[i] >= 'A' && host[i] <= 'Z' ? (char)(host[i] - 'A' + 'a') : host[i];
        if (lower != expected[i])
            return false;
    }
    return host[i] == '\0' && expected[i] == '\0';
}

static bool host_is_loopback(const char *host)
{
    if (is_localhost(host) || strcmp(host, "lo") == 0)
        return true;
    struct in_addr address4;
    if (inet_pton(AF_INET, host, &address4) == 1)
        return (ntohl(address4.s_addr) >> 24) == 127;
    struct in6_addr address6;
    if (inet_pton(AF_INET6, host, &address6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&address6))
            return true;
        return IN6_IS_ADDR_V4MAPPED(&address6) && address6.s6_addr[12] == 127;
    }
    return false;
}

bool rw_auth_endpoint_is_local(const char *endpoint)
{
    if (!endpoint)
        return false;
    if (strncmp(endpoint, "ipc://", 6) == 0 || strncmp(endpoint, "inproc://", 9) == 0)
        return true;
    if (strncmp(endpoint, "tcp://", 6) != 0)
        return false;
    const char *address = endpoint + 6;
    const char *semicolon = strrchr(address, ';'); /* "SOURCE;DESTINATION" */
    if (semicolon)
        address = semicolon + 1;

    char host[256];
    size_t length;
    if (address[0] == '[') {
        const char *close = strchr(address, ']');
        if (!close || close[1] != ':')
            return false;
        address++;
        length = (size_t)(close - address);
    } else {
        const char *colon = strrchr(address, ':');
        if (!colon)
            return false;
        length = (size_t)(colon - address);
    }
    if (length == 0 || length >= sizeof host)
        return false;
    memcpy(host, address, length);
    host[length] = '\0';
    return host_is_loopback(host);
}
