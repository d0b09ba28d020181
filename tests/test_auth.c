/* test_auth.c — CURVE + ZAP with real sockets on tcp://127.0.0.1 ephemeral ports:
 * who receives events from a CURVE PUB server and who does not; key reload;
 * counters; the fail-closed behaviour; endpoint locality. */
#include <errno.h>
#include <time.h>
#include <zmq.h>

#include "auth.h"
#include "keys.h"
#include "log.h"
#include "testutil.h"

#define NEGATIVE_WAIT_MS 300 /* how long a refused client is watched after the good one got in */
#define POSITIVE_WAIT_MS 3000

typedef struct {
    char public_key[41];
    char secret_key[41];
} pair_t;

static void *context;
static char *folder;     /* temporary folder */
static char *authorized; /* folder/authorized */
static pair_t server_pair, alice, bob, mallory;

static void make_pair(pair_t *pair)
{
    ck_assert_int_eq(zmq_curve_keypair(pair->public_key, pair->secret_key), 0);
}

static void authorize(const char *file_name, const pair_t *pair)
{
    char path[1024], text[128];
    snprintf(path, sizeof path, "%s/%s", authorized, file_name);
    snprintf(text, sizeof text, "# test key\n%s\n", pair->public_key);
    ck_assert_int_eq(test_write_file(path, text, strlen(text)), 0);
}

static void setup(void)
{
    context = zmq_ctx_new();
    ck_assert_ptr_nonnull(context);
    folder = test_tempdir();
    ck_assert_ptr_nonnull(folder);
    ck_assert_int_ge(asprintf(&authorized, "%s/authorized", folder), 0);
    ck_assert_int_eq(mkdir(authorized, 0700), 0);
    make_pair(&server_pair);
    make_pair(&alice);
    make_pair(&bob);
    make_pair(&mallory);
    authorize("alice.pub", &alice);
}

static void teardown(void)
{
    ck_assert_int_eq(zmq_ctx_term(context), 0); /* must not hang */
    test_remove_tree(folder);
    free(folder);
    free(authorized);
}

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void set_int(void *socket, int option, int value)
{
    ck_assert_int_eq(zmq_setsockopt(socket, option, &value, sizeof value), 0);
}

/* A PUB socket bound on an ephemeral loopback port; endpoint gets its address. */
static void *bind_publisher(bool curve, const char *zap_domain, char *endpoint, size_t size)
{
    void *publisher = zmq_socket(context, ZMQ_PUB);
    ck_assert_ptr_nonnull(publisher);
    set_int(publisher, ZMQ_LINGER, 0);
    if (curve)
        ck_assert_int_eq(rw_auth_make_server(publisher, server_pair.secret_key), 0);
    if (zap_domain)
        ck_assert_int_eq(zmq_setsockopt(publisher, ZMQ_ZAP_DOMAIN, zap_domain, strlen(zap_domain)),
                         0);
    ck_assert_int_eq(zmq_bind(publisher, "tcp://127.0.0.1:*"), 0);
    ck_assert_int_eq(zmq_getsockopt(publisher, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
    return publisher;
}

/* A SUB socket; with pair != NULL a CURVE client of server_key. */
static void *connect_subscriber(const char *endpoint, const pair_t *pair, const char *server_key)
{
    void *subscriber = zmq_socket(context, ZMQ_SUB);
    ck_assert_ptr_nonnull(subscriber);
    set_int(subscriber, ZMQ_LINGER, 0);
    set_int(subscriber, ZMQ_RECONNECT_IVL, 20);
    set_int(subscriber, ZMQ_RECONNECT_IVL_MAX, 50);
    ck_assert_int_eq(zmq_setsockopt(subscriber, ZMQ_SUBSCRIBE, "", 0), 0);
    if (pair)
        ck_assert_int_eq(rw_auth_make_client(subscriber, server_key, pair->public_key,
                                             pair->secret_key),
                         0);
    ck_assert_int_eq(zmq_connect(subscriber, endpoint), 0);
    return subscriber;
}

/* Discard whatever is queued on socket. */
static void drain(void *socket)
{
    char buffer[256];
    while (zmq_recv(socket, buffer, sizeof buffer, ZMQ_DONTWAIT) >= 0)
        ;
}

/* Publish `word` every 10 ms until every socket of wanted[] got it (true) or
 * timeout_ms passed (false). Each of watched[] (may be NULL) must get nothing:
 * returns how many messages they received in *intruder_messages. */
static bool publish_until_received(void *publisher, void **wanted, int wanted_count,
                                   void **watched, int watched_count, const char *word,
                                   int timeout_ms, int *intruder_messages)
{
    bool got[8] = {false};
    int received = 0;
    *intruder_messages = 0;
    long long deadline = now_ms() + timeout_ms;
    while (received < wanted_count && now_ms() < deadline) {
        zmq_send(publisher, word, strlen(word), ZMQ_DONTWAIT);
        zmq_pollitem_t items[8];
        for (int i = 0; i < wanted_count; i++)
            items[i] = (zmq_pollitem_t){.socket = wanted[i], .events = ZMQ_POLLIN};
        zmq_poll(items, wanted_count, 10);
        for (int i = 0; i < wanted_count; i++) {
            char buffer[64];
            int size = zmq_recv(wanted[i], buffer, sizeof buffer - 1, ZMQ_DONTWAIT);
            if (size >= 0 && !got[i]) {
                buffer[size < 63 ? size : 63] = '\0';
                if (strcmp(buffer, word) == 0) {
                    got[i] = true;
                    received++;
                }
            }
        }
    }
    /* Keep publishing a little longer: the intruders had every chance. */
    long long end = now_ms() + (received == wanted_count ? NEGATIVE_WAIT_MS : 0);
    while (now_ms() < end) {
        zmq_send(publisher, word, strlen(word), ZMQ_DONTWAIT);
        zmq_poll(NULL, 0, 10);
    }
    for (int i = 0; i < watched_count; i++) {
        char buffer[64];
        while (zmq_recv(watched[i], buffer, sizeof buffer, ZMQ_DONTWAIT) >= 0)
            (*intruder_messages)++;
    }
    return received == wanted_count;
}

static rw_auth_t *start_auth(void)
{
    char error[512] = "";
    rw_auth_t *auth = rw_auth_new(context, authorized, error, sizeof error);
    ck_assert_msg(auth != NULL, "rw_auth_new: %s", error);
    return auth;
}

/* Wait until the refusal counter reaches at least `count`. */
static bool wait_refused(const rw_auth_t *auth, uint64_t count, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while (rw_auth_refused(auth) < count && now_ms() < deadline)
        zmq_poll(NULL, 0, 10);
    return rw_auth_refused(auth) >= count;
}

START_TEST(test_authorized_client_receives)
{
    rw_auth_t *auth = start_auth();
    ck_assert_uint_eq(rw_auth_key_count(auth), 1);
    char endpoint[256];
    void *publisher = bind_publisher(true, NULL, endpoint, sizeof endpoint);
    void *subscriber = connect_subscriber(endpoint, &alice, server_pair.public_key);
    int intruders = 0;
    void *wanted[] = {subscriber};
    ck_assert(publish_until_received(publisher, wanted, 1, NULL, 0, "hello", POSITIVE_WAIT_MS,
                                     &intruders));
    ck_assert_uint_ge(rw_auth_admitted(auth), 1);
    ck_assert_uint_eq(rw_auth_refused(auth), 0);
    zmq_close(subscriber);
    zmq_close(publisher);
    rw_auth_destroy(&auth);
    ck_assert_ptr_null(auth);
}
END_TEST

START_TEST(test_unknown_key_receives_nothing)
{
    rw_auth_t *auth = start_auth();
    char endpoint[256];
    void *publisher = bind_publisher(true, NULL, endpoint, sizeof endpoint);
    void *good = connect_subscriber(endpoint, &alice, server_pair.public_key);
    void *stranger = connect_subscriber(endpoint, &mallory, server_pair.public_key);
    void *wanted[] = {good}, *watched[] = {stranger};
    int intruders = -1;
    ck_assert(publish_until_received(publisher, wanted, 1, watched, 1, "news", POSITIVE_WAIT_MS,
                                     &intruders));
    ck_assert_int_eq(intruders, 0);
    ck_assert(wait_refused(auth, 1, POSITIVE_WAIT_MS));
    zmq_close(good);
    zmq_close(stranger);
    zmq_close(publisher);
    rw_auth_destroy(&auth);
}
END_TEST

START_TEST(test_client_without_curve_receives_nothing)
{
    rw_auth_t *auth = start_auth();
    char endpoint[256];
    void *publisher = bind_publisher(true, NULL, endpoint, sizeof endpoint);
    void *good = connect_subscriber(endpoint, &alice, server_pair.public_key);
    void *plain = connect_subscriber(endpoint, NULL, NULL);
    void *wanted[] = {good}, *watched[] = {plain};
    int intruders = -1;
    ck_assert(publish_until_received(publisher, wanted, 1, watched, 1, "news", POSITIVE_WAIT_MS,
                                     &intruders));
    ck_assert_int_eq(intruders, 0);
    zmq_close(good);
    zmq_close(plain);
    zmq_close(publisher);
    rw_auth_destroy(&auth);
}
END_TEST

START_TEST(test_null_mechanism_in_our_domain_is_refused_by_handler)
{
    /* A NULL (plain) server that sets our ZAP domain asks the handler, which
     * must say no: speaking CURVE is mandatory in domain "recwatch". */
    rw_auth_t *auth = start_auth();
    char endpoint[256];
    void *publisher = bind_publisher(false, RW_AUTH_ZAP_DOMAIN, endpoint, sizeof endpoint);
    void *plain = connect_subscriber(endpoint, NULL, NULL);
    int intruders = -1;
    void *watched[] = {plain};
    ck_assert(wait_refused(auth, 1, POSITIVE_WAIT_MS));
    publish_until_received(publisher, NULL, 0, watched, 1, "news", 0, &intruders);
    ck_assert_int_eq(intruders, 0);
    zmq_close(plain);
    zmq_close(publisher);
    rw_auth_destroy(&auth);
}
END_TEST

START_TEST(test_plain_socket_without_domain_is_untouched)
{
    /* Local plain endpoints (no ZAP domain) keep working next to the handler. */
    rw_auth_t *auth = start_auth();
    char endpoint[256];
    void *publisher = bind_publisher(false, NULL, endpoint, sizeof endpoint);
    void *plain = connect_subscriber(endpoint, NULL, NULL);
    void *wanted[] = {plain};
    int intruders = 0;
    ck_assert(publish_until_received(publisher, wanted, 1, NULL, 0, "local", POSITIVE_WAIT_MS,
                                     &intruders));
    ck_assert_uint_eq(rw_auth_refused(auth), 0);
    zmq_close(plain);
    zmq_close(publisher);
    rw_auth_destroy(&auth);
}
END_TEST

START_TEST(test_wrong_server_key_receives_nothing)
{
    rw_auth_t *auth = start_auth();
    char endpoint[256];
    void *publisher = bind_publisher(true, NULL, endpoint, sizeof endpoint);
    void *good = connect_subscriber(endpoint, &alice, server_pair.public_key);
    /* alice's own key pair, but she trusts the wrong server key (mallory's). */
    void *misled = connect_subscriber(endpoint, &alice, mallory.public_key);
    void *wanted[] = {good}, *watched[] = {misled};
    int intruders = -1;
    ck_assert(publish_until_received(publisher, wanted, 1, watched, 1, "news", POSITIVE_WAIT_MS,
                                     &intruders));
    ck_assert_int_eq(intruders, 0);
    zmq_close(good);
    zmq_close(misled);
    zmq_close(publisher);
    rw_auth_destroy(&auth);
}
END_TEST

START_TEST(test_no_handler_means_no_entry)
{
    /* Fail closed: a CURVE server made by rw_auth_make_server in a context
     * without a ZAP handler admits nobody, not even a listed key. */
    char endpoint[256];
    void *publisher = bind_publisher(true, NULL, endpoint, sizeof endpoint);
    void *subscriber = connect_subscriber(endpoint, &alice, server_pair.public_key);
    void *watched[] = {subscriber};
    int intruders = -1;
    long long end = now_ms() + 500;
    while (now_ms() < end) {
        zmq_send(publisher, "news", 4, ZMQ_DONTWAIT);
        zmq_poll(NULL, 0, 10);
    }
    publish_until_received(publisher, NULL, 0, watched, 1, "news", 0, &intruders);
    ck_assert_int_eq(intruders, 0);
    zmq_close(subscriber);
    zmq_close(publisher);
}
END_TEST

START_TEST(test_user_id_is_file_name)
{
    rw_auth_t *auth = start_auth();
    void *server = zmq_socket(context, ZMQ_ROUTER);
    set_int(server, ZMQ_LINGER, 0);
    ck_assert_int_eq(rw_auth_make_server(server, server_pair.secret_key), 0);
    ck_assert_int_eq(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    ck_assert_int_eq(zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);

    void *client = zmq_socket(context, ZMQ_DEALER);
    set_int(client, ZMQ_LINGER, 0);
    ck_assert_int_eq(rw_auth_make_client(client, server_pair.public_key, alice.public_key,
                                         alice.secret_key),
                     0);
    ck_assert_int_eq(zmq_connect(client, endpoint), 0);
    ck_assert_int_eq(zmq_send(client, "hi", 2, 0), 2);

    set_int(server, ZMQ_RCVTIMEO, POSITIVE_WAIT_MS);
    zmq_msg_t routing, body;
    zmq_msg_init(&routing);
    zmq_msg_init(&body);
    ck_assert_int_ge(zmq_msg_recv(&routing, server, 0), 0);
    ck_assert_int_eq(zmq_msg_recv(&body, server, 0), 2);
    const char *user_id = zmq_msg_gets(&body, "User-Id");
    ck_assert_ptr_nonnull(user_id);
    ck_assert_str_eq(user_id, "alice.pub");
    zmq_msg_close(&routing);
    zmq_msg_close(&body);
    zmq_close(client);
    zmq_close(server);
    rw_auth_destroy(&auth);
}
END_TEST

START_TEST(test_reload_removes_a_key)
{
    authorize("bob.pub", &bob);
    rw_auth_t *auth = start_auth();
    ck_assert_uint_eq(rw_auth_key_count(auth), 2);
    char endpoint[256];
    void *publisher = bind_publisher(true, NULL, endpoint, sizeof endpoint);
    void *alice_socket = connect_subscriber(endpoint, &alice, server_pair.public_key);
    void *bob_socket = connect_subscriber(endpoint, &bob, server_pair.public_key);
    void *both[] = {alice_socket, bob_socket};
    int intruders = 0;
    ck_assert(publish_until_received(publisher, both, 2, NULL, 0, "before", POSITIVE_WAIT_MS,
                                     &intruders));
    uint64_t refused_before = rw_auth_refused(auth);

    /* Revoke bob: remove his file, reload, drop existing connections. */
    char path[1024];
    snprintf(path, sizeof path, "%s/bob.pub", authorized);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rw_auth_reload(auth), 1);
    ck_assert_uint_eq(rw_auth_key_count(auth), 1);
    ck_assert_int_eq(rw_auth_rebind(publisher, endpoint), 0);
    drain(alice_socket);
    drain(bob_socket);

    void *wanted[] = {alice_socket}, *watched[] = {bob_socket};
    ck_assert(publish_until_received(publisher, wanted, 1, watched, 1, "after", POSITIVE_WAIT_MS,
                                     &intruders));
    ck_assert_int_eq(intruders, 0);
    ck_assert(wait_refused(auth, refused_before + 1, POSITIVE_WAIT_MS));

    /* A reload with nothing changed removes nothing. */
    ck_assert_int_eq(rw_auth_reload(auth), 0);
    zmq_close(alice_socket);
    zmq_close(bob_socket);
    zmq_close(publisher);
    rw_auth_destroy(&auth);
}
END_TEST

START_TEST(test_reload_adds_a_key)
{
    rw_auth_t *auth = start_auth();
    char endpoint[256];
    void *publisher = bind_publisher(true, NULL, endpoint, sizeof endpoint);
    void *bob_socket = connect_subscriber(endpoint, &bob, server_pair.public_key);
    ck_assert(wait_refused(auth, 1, POSITIVE_WAIT_MS));
    authorize("bob.pub", &bob);
    ck_assert_int_eq(rw_auth_reload(auth), 0);
    ck_assert_uint_eq(rw_auth_key_count(auth), 2);
    /* libzmq 4.3 does not retry a connection refused by ZAP: bob connects anew. */
    zmq_close(bob_socket);
    bob_socket = connect_subscriber(endpoint, &bob, server_pair.public_key);
    void *wanted[] = {bob_socket};
    int intruders = 0;
    ck_assert(publish_until_received(publisher, wanted, 1, NULL, 0, "welcome", POSITIVE_WAIT_MS,
                                     &intruders));
    zmq_close(bob_socket);
    zmq_close(publisher);
    rw_auth_destroy(&auth);
}
END_TEST

START_TEST(test_folder_problems)
{
    char error[512] = "", path[1024];
    /* A malformed file, a hidden file, a backup, a sub-folder: only alice counts. */
    snprintf(path, sizeof path, "%s/broken.pub", authorized);
    ck_assert_int_eq(test_write_file(path, "not a key\n", 10), 0);
    snprintf(path, sizeof path, "%s/.hidden", authorized);
    ck_assert_int_eq(test_write_file(path, bob.public_key, 40), 0);
    snprintf(path, sizeof path, "%s/bob.pub~", authorized);
    ck_assert_int_eq(test_write_file(path, bob.public_key, 40), 0);
    snprintf(path, sizeof path, "%s/sub", authorized);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    rw_auth_t *auth = rw_auth_new(context, authorized, error, sizeof error);
    ck_assert_ptr_nonnull(auth);
    ck_assert_uint_eq(rw_auth_key_count(auth), 1);

    /* Only one handler per context. */
    rw_auth_t *second = rw_auth_new(context, authorized, error, sizeof error);
    ck_assert_ptr_null(second);
    ck_assert_msg(strstr(error, "zeromq.zap.01") != NULL, "message: %s", error);

    /* The folder disappears: reload fails closed (no key left). */
    snprintf(path, sizeof path, "%s/alice.pub", authorized);
    ck_assert_int_eq(unlink(path), 0);
    test_remove_tree(authorized);
    ck_assert_int_eq(rw_auth_reload(auth), 1);
    ck_assert_uint_eq(rw_auth_key_count(auth), 0);
    rw_auth_destroy(&auth);

    /* A missing folder at start is an error naming the folder. */
    auth = rw_auth_new(context, authorized, error, sizeof error);
    ck_assert_ptr_null(auth);
    ck_assert_msg(strstr(error, authorized) != NULL, "message: %s", error);
}
END_TEST

START_TEST(test_bad_arguments)
{
    void *socket = zmq_socket(context, ZMQ_PUB);
    set_int(socket, ZMQ_LINGER, 0);
    ck_assert_int_eq(rw_auth_make_server(socket, "short"), -EINVAL);
    ck_assert_int_eq(rw_auth_make_client(socket, "x", alice.public_key, alice.secret_key), -EINVAL);
    ck_assert_int_eq(rw_auth_make_server(socket, server_pair.secret_key), 0);
    int value = 0;
    size_t size = sizeof value;
    ck_assert_int_eq(zmq_getsockopt(socket, ZMQ_CURVE_SERVER, &value, &size), 0);
    ck_assert_int_eq(value, 1);
    char domain[64];
    size = sizeof domain;
    ck_assert_int_eq(zmq_getsockopt(socket, ZMQ_ZAP_DOMAIN, domain, &size), 0);
    ck_assert_str_eq(domain, "recwatch");
    zmq_close(socket);
    char error[64];
    ck_assert_ptr_null(rw_auth_new(NULL, authorized, error, sizeof error));
    rw_auth_destroy(NULL);
    ck_assert_int_eq(rw_auth_reload(NULL), -EINVAL);
}
END_TEST

START_TEST(test_endpoint_is_local)
{
    ck_assert(rw_auth_endpoint_is_local("ipc:///run/recwatch/pub"));
    ck_assert(rw_auth_endpoint_is_local("inproc://events"));
    ck_assert(rw_auth_endpoint_is_local("tcp://127.0.0.1:5560"));
    ck_assert(rw_auth_endpoint_is_local("tcp://127.1.2.3:5560"));
    ck_assert(rw_auth_endpoint_is_local("tcp://localhost:5560"));
    ck_assert(rw_auth_endpoint_is_local("tcp://LocalHost:5560"));
    ck_assert(rw_auth_endpoint_is_local("tcp://[::1]:5560"));
    ck_assert(rw_auth_endpoint_is_local("tcp://lo:5560"));
    ck_assert(rw_auth_endpoint_is_local("tcp://10.0.0.1:0;127.0.0.1:5560"));
    ck_assert(!rw_auth_endpoint_is_local("tcp://*:5560"));
    ck_assert(!rw_auth_endpoint_is_local("tcp://0.0.0.0:5560"));
    ck_assert(!rw_auth_endpoint_is_local("tcp://192.168.1.10:5560"));
    ck_assert(!rw_auth_endpoint_is_local("tcp://128.0.0.1:5560"));
    ck_assert(!rw_auth_endpoint_is_local("tcp://[::]:5560"));
    ck_assert(!rw_auth_endpoint_is_local("tcp://[2001:db8::1]:5560"));
    ck_assert(!rw_auth_endpoint_is_local("tcp://eth0:5560"));
    ck_assert(!rw_auth_endpoint_is_local("tcp://localhost.example.org:5560"));
    ck_assert(!rw_auth_endpoint_is_local("tcp://127.0.0.1;10.0.0.1:5560"));
    ck_assert(!rw_auth_endpoint_is_local("tcp://127.0.0.1"));
    ck_assert(!rw_auth_endpoint_is_local("pgm://127.0.0.1;239.192.1.1:5555"));
    ck_assert(!rw_auth_endpoint_is_local("ws://127.0.0.1:5560"));
    ck_assert(!rw_auth_endpoint_is_local(""));
    ck_assert(!rw_auth_endpoint_is_local(NULL));
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *suite = suite_create("auth");
    TCase *sockets = tcase_create("sockets");
    tcase_add_checked_fixture(sockets, setup, teardown);
    tcase_set_timeout(sockets, 20);
    tcase_add_test(sockets, test_authorized_client_receives);
    tcase_add_test(sockets, test_unknown_key_receives_nothing);
    tcase_add_test(sockets, test_client_without_curve_receives_nothing);
    tcase_add_test(sockets, test_null_mechanism_in_our_domain_is_refused_by_handler);
    tcase_add_test(sockets, test_plain_socket_without_domain_is_untouched);
    tcase_add_test(sockets, test_wrong_server_key_receives_nothing);
    tcase_add_test(sockets, test_no_handler_means_no_entry);
    tcase_add_test(sockets, test_user_id_is_file_name);
    tcase_add_test(sockets, test_reload_removes_a_key);
    tcase_add_test(sockets, test_reload_adds_a_key);
    tcase_add_test(sockets, test_folder_problems);
    tcase_add_test(sockets, test_bad_arguments);
    suite_add_tcase(suite, sockets);

    TCase *endpoints = tcase_create("endpoints");
    tcase_add_test(endpoints, test_endpoint_is_local);
    suite_add_tcase(suite, endpoints);
    return suite;
}

int main(void)
{
    rw_log_set_level(RW_LOG_ERROR);
    return test_run_suite(auth_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
