/* test_proxy.c — the forwarder with real sockets on tcp://127.0.0.1 ephemeral ports:
 * events pass from a PUB on the frontend to a SUB on the backend with their frames
 * intact, subscriptions filter, statistics count, stop works from another thread and
 * before the run, the control endpoint refuses unknown commands, PAUSE holds
 * messages back, CURVE admits only listed keys, and the daemon's publisher reaches a
 * CURVE forwarder through its forwarders' socket (publish.connect). */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <zmq.h>

#include "keys.h"
#include "log.h"
#include "proxy.h"
#include "publish.h"
#include "strings.h"
#include "testutil.h"

#define WAIT_MS 3000        /* for what must arrive */
#define NEGATIVE_WAIT_MS 400 /* for what must not */

static void *context;
static char *folder;

typedef struct {
    rw_proxy_t *proxy;
    int status;
} runner_t;

static void *run_proxy(void *argument)
{
    runner_t *runner = argument;
    runner->status = rw_proxy_run(runner->proxy);
    return NULL;
}

static void setup(void)
{
    rw_log_set_level(RW_LOG_WARNING);
    context = zmq_ctx_new();
    ck_assert_ptr_nonnull(context);
    folder = test_tempdir();
    ck_assert_ptr_nonnull(folder);
}

static void teardown(void)
{
    ck_assert_int_eq(zmq_ctx_term(context), 0); /* must not hang */
    test_remove_tree(folder);
    free(folder);
}

static void *socket_of(int type)
{
    void *socket = zmq_socket(context, type);
    ck_assert_ptr_nonnull(socket);
    int zero = 0;
    ck_assert_int_eq(zmq_setsockopt(socket, ZMQ_LINGER, &zero, sizeof zero), 0);
    return socket;
}

static void send_event(void *socket, const char *topic, const char *body)
{
    ck_assert_int_ge(zmq_send(socket, topic, strlen(topic), ZMQ_SNDMORE), 0);
    ck_assert_int_ge(zmq_send(socket, body, strlen(body), 0), 0);
}

/* Receive one two-frame message within timeout_ms: 1 and topic/body filled, or 0. */
static int receive_event(void *socket, int timeout_ms, char *topic, char *body, size_t size)
{
    zmq_pollitem_t item = {socket, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, timeout_ms) <= 0)
        return 0;
    int length = zmq_recv(socket, topic, size - 1, 0);
    ck_assert_int_ge(length, 0);
    topic[length] = '\0';
    int more = 0;
    size_t more_size = sizeof more;
    ck_assert_int_eq(zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &more_size), 0);
    ck_assert_int_eq(more, 1);  /* the body frame follows */
    length = zmq_recv(socket, body, size - 1, 0);
    ck_assert_int_ge(length, 0);
    body[length] = '\0';
    ck_assert_int_eq(zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &more_size), 0);
    ck_assert_int_eq(more, 0);
    return 1;
}

/* Publish probes until one reaches sub: the subscription has gone up the chain.
 * Then drain whatever probes are still on their way. */
static void wait_for_path(void *pub, void *sub)
{
    char topic[64], body[256];
    for (int attempt = 0; attempt < 100; attempt++) {
        send_event(pub, "probe", "{}");
        if (receive_event(sub, 30, topic, body, sizeof body))
            break;
        ck_assert_int_lt(attempt, 99);
    }
    while (receive_event(sub, 100, topic, body, sizeof body)) {
    }
}

static rw_proxy_t *start_proxy(runner_t *runner, const rw_proxy_options_t *options,
                               pthread_t *thread)
{
    char error[512] = "";
    runner->proxy = rw_proxy_new(context, options, error, sizeof error);
    ck_assert_msg(runner->proxy != NULL, "rw_proxy_new: %s", error);
    runner->status = 1;
    ck_assert_int_eq(pthread_create(thread, NULL, run_proxy, runner), 0);
    return runner->proxy;
}

static void stop_proxy(runner_t *runner, pthread_t thread)
{
    ck_assert_int_eq(rw_proxy_stop(runner->proxy), 0);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_int_eq(runner->status, 0);
    rw_proxy_destroy(&runner->proxy);
    ck_assert_ptr_null(runner->proxy);
}

static const rw_proxy_options_t plain_options = {
    .frontend = "tcp://127.0.0.1:*", .backend = "tcp://127.0.0.1:*",
};

START_TEST(test_events_pass_with_frames_and_filters)
{
    runner_t runner;
    pthread_t thread;
    rw_proxy_t *proxy = start_proxy(&runner, &plain_options, &thread);
    void *pub = socket_of(ZMQ_PUB), *sub = socket_of(ZMQ_SUB);
    ck_assert_int_eq(zmq_connect(pub, rw_proxy_endpoint(proxy, "frontend")), 0);
    ck_assert_int_eq(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "recommendation.", 15), 0);
    ck_assert_int_eq(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "probe", 5), 0);
    ck_assert_int_eq(zmq_connect(sub, rw_proxy_endpoint(proxy, "backend")), 0);
    wait_for_path(pub, sub);

    char topic[64], body[256], expected[256];
    for (int i = 0; i < 100; i++) {
        snprintf(expected, sizeof expected, "{\"node\":\"n1\",\"seq\":%d}", i + 1);
        send_event(pub, "statement.KZ", "{\"filtered\":true}");
        send_event(pub, "recommendation.KZ", expected);
    }
    for (int i = 0; i < 100; i++) {
        snprintf(expected, sizeof expected, "{\"node\":\"n1\",\"seq\":%d}", i + 1);
        ck_assert_int_eq(receive_event(sub, WAIT_MS, topic, body, sizeof body), 1);
        ck_assert_str_eq(topic, "recommendation.KZ");
        ck_assert_str_eq(body, expected);   /* in order, none lost, statements filtered */
    }
    ck_assert_int_eq(receive_event(sub, NEGATIVE_WAIT_MS, topic, body, sizeof body), 0);

    rw_proxy_statistics_t statistics;
    ck_assert_int_eq(rw_proxy_statistics(proxy, &statistics, 1000), 0);
    /* the upstream PUB filters too: only subscribed topics leave it */
    ck_assert_uint_ge(statistics.frontend_messages_in, 100);
    ck_assert_uint_ge(statistics.backend_messages_out, 100);
    ck_assert_uint_le(statistics.backend_messages_out, statistics.frontend_messages_in);
    ck_assert_uint_ge(statistics.backend_messages_in, 2);    /* the two subscriptions */
    ck_assert_uint_ge(statistics.frontend_bytes_in, 100 * strlen("recommendation.KZ"));
    zmq_close(pub);
    zmq_close(sub);
    stop_proxy(&runner, thread);
}
END_TEST

START_TEST(test_stop_before_run_returns_at_once)
{
    char error[512];
    rw_proxy_t *proxy = rw_proxy_new(context, &plain_options, error, sizeof error);
    ck_assert_ptr_nonnull(proxy);
    ck_assert_int_eq(rw_proxy_stop(proxy), 0);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    ck_assert_int_eq(rw_proxy_run(proxy), 0);
    clock_gettime(CLOCK_MONOTONIC, &end);
    ck_assert_int_lt(end.tv_sec - start.tv_sec, 2);
    /* nothing answered while it was not running: no final figures */
    rw_proxy_statistics_t statistics;
    ck_assert_int_eq(rw_proxy_final_statistics(proxy, &statistics), -ENOENT);
    ck_assert_int_eq(rw_proxy_statistics(proxy, &statistics, 50), -ETIMEDOUT);
    rw_proxy_destroy(&proxy);
}
END_TEST

START_TEST(test_final_statistics_after_stop)
{
    runner_t runner;
    pthread_t thread;
    rw_proxy_t *proxy = start_proxy(&runner, &plain_options, &thread);
    void *pub = socket_of(ZMQ_PUB), *sub = socket_of(ZMQ_SUB);
    ck_assert_int_eq(zmq_connect(pub, rw_proxy_endpoint(proxy, "frontend")), 0);
    ck_assert_int_eq(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0), 0);
    ck_assert_int_eq(zmq_connect(sub, rw_proxy_endpoint(proxy, "backend")), 0);
    wait_for_path(pub, sub);
    ck_assert_int_eq(rw_proxy_stop(proxy), 0);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_int_eq(runner.status, 0);
    rw_proxy_statistics_t statistics;
    ck_assert_int_eq(rw_proxy_final_statistics(proxy, &statistics), 0);
    ck_assert_uint_ge(statistics.frontend_messages_in, 1);
    ck_assert_uint_ge(statistics.backend_messages_out, 1);
    zmq_close(pub);
    zmq_close(sub);
    rw_proxy_destroy(&proxy);
}
END_TEST

/* Send request on a REQ and read the reply's frames: count returned, first frame text. */
static int control_request(void *req, const char *request, char *first, size_t size,
                           uint64_t *values)
{
    ck_assert_int_ge(zmq_send(req, request, strlen(request), 0), 0);
    zmq_pollitem_t item = {req, 0, ZMQ_POLLIN, 0};
    ck_assert_int_eq(zmq_poll(&item, 1, WAIT_MS), 1);
    int frames = 0, more = 1;
    while (more) {
        char buffer[64];
        int length = zmq_recv(req, buffer, sizeof buffer, 0);
        ck_assert_int_ge(length, 0);
        if (frames == 0) {
            int copied = length < (int)size - 1 ? length : (int)size - 1;
            memcpy(first, buffer, (size_t)copied);
            first[copied] = '\0';
        }
        if (values && length == 8 && frames < 8)
            memcpy(&values[frames], buffer, 8);
        frames++;
        size_t more_size = sizeof more;
        ck_assert_int_eq(zmq_getsockopt(req, ZMQ_RCVMORE, &more, &more_size), 0);
    }
    return frames;
}

START_TEST(test_control_endpoint)
{
    rw_proxy_options_t options = plain_options;
    options.control = "tcp://127.0.0.1:*";
    options.capture = "tcp://127.0.0.1:*";
    runner_t runner;
    pthread_t thread;
    rw_proxy_t *proxy = start_proxy(&runner, &options, &thread);
    ck_assert_ptr_nonnull(rw_proxy_endpoint(proxy, "control"));
    ck_assert_ptr_nonnull(rw_proxy_endpoint(proxy, "capture"));
    ck_assert_ptr_null(rw_proxy_endpoint(proxy, "nothing"));
    void *pub = socket_of(ZMQ_PUB), *sub = socket_of(ZMQ_SUB), *req = socket_of(ZMQ_REQ);
    void *capture = socket_of(ZMQ_SUB);
    ck_assert_int_eq(zmq_connect(pub, rw_proxy_endpoint(proxy, "frontend")), 0);
    ck_assert_int_eq(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0), 0);
    ck_assert_int_eq(zmq_connect(sub, rw_proxy_endpoint(proxy, "backend")), 0);
    ck_assert_int_eq(zmq_setsockopt(capture, ZMQ_SUBSCRIBE, "probe", 5), 0);
    ck_assert_int_eq(zmq_connect(capture, rw_proxy_endpoint(proxy, "capture")), 0);
    ck_assert_int_eq(zmq_connect(req, rw_proxy_endpoint(proxy, "control")), 0);
    wait_for_path(pub, sub);

    char text[64], topic[64], body[256];
    uint64_t values[8] = {0};
    /* an unknown command is refused, and the proxy is still there */
    ck_assert_int_eq(control_request(req, "SELF-DESTRUCT", text, sizeof text, NULL), 1);
    ck_assert_str_eq(text, "ERROR unknown command");
    ck_assert_int_eq(control_request(req, "STATISTICS", text, sizeof text, values), 8);
    ck_assert_uint_ge(values[0], 1);   /* frontend messages in: the probes */
    ck_assert_uint_ge(values[6], 1);   /* backend messages out */

    /* the capture socket saw the probes go by */
    send_event(pub, "probe", "{\"captured\":1}");
    int captured = 0;
    while (receive_event(capture, 500, topic, body, sizeof body))
        captured += strcmp(body, "{\"captured\":1}") == 0;
    ck_assert_int_eq(captured, 1);
    while (receive_event(sub, 100, topic, body, sizeof body)) {
    }

    /* paused: nothing passes; resumed: the held message arrives */
    ck_assert_int_eq(control_request(req, "PAUSE", text, sizeof text, NULL), 1);
    ck_assert_str_eq(text, "OK");
    send_event(pub, "held", "{\"held\":1}");
    ck_assert_int_eq(receive_event(sub, NEGATIVE_WAIT_MS, topic, body, sizeof body), 0);
    ck_assert_int_eq(control_request(req, "RESUME", text, sizeof text, NULL), 1);
    ck_assert_str_eq(text, "OK");
    ck_assert_int_eq(receive_event(sub, WAIT_MS, topic, body, sizeof body), 1);
    ck_assert_str_eq(body, "{\"held\":1}");

    ck_assert_int_eq(control_request(req, "TERMINATE", text, sizeof text, NULL), 1);
    ck_assert_str_eq(text, "OK");
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_int_eq(runner.status, 0);
    zmq_close(pub);
    zmq_close(sub);
    zmq_close(req);
    zmq_close(capture);
    rw_proxy_destroy(&proxy);
}
END_TEST

START_TEST(test_bad_endpoints_are_refused)
{
    char error[512] = "";
    rw_proxy_options_t options = {.frontend = "tcp://127.0.0.1:*", .backend = "nonsense://x"};
    ck_assert_ptr_null(rw_proxy_new(context, &options, error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "nonsense://x"));

    rw_proxy_t *first = rw_proxy_new(context, &plain_options, error, sizeof error);
    ck_assert_ptr_nonnull(first);
    options.backend = rw_proxy_endpoint(first, "backend");   /* already taken */
    error[0] = '\0';
    ck_assert_ptr_null(rw_proxy_new(context, &options, error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "backend"));
    options.backend = NULL;
    ck_assert_ptr_null(rw_proxy_new(context, &options, error, sizeof error));
    rw_proxy_destroy(&first);
}
END_TEST

/* ---- CURVE ------------------------------------------------------------------- */

typedef struct {
    char public_key[41], secret_key[41];
} pair_t;

/* keygen NAME into folder; read the pair back. */
static void make_pair(const char *name, pair_t *pair)
{
    char error[512], path[1024];
    ck_assert_msg(rw_keys_generate(folder, name, error, sizeof error) == 0, "%s", error);
    snprintf(path, sizeof path, "%s/%s.key", folder, name);
    ck_assert_msg(rw_keys_read_secret(path, pair->public_key, pair->secret_key, error,
                                      sizeof error) == 0, "%s", error);
}

static void authorize(const char *authorized, const char *name)
{
    char from[1024], to[1024];
    snprintf(from, sizeof from, "%s/%s.pub", folder, name);
    snprintf(to, sizeof to, "%s/%s.pub", authorized, name);
    size_t size = 0;
    char *text = test_read_file(from, &size);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(test_write_file(to, text, size), 0);
    free(text);
}

static void make_client(void *socket, const pair_t *server, const pair_t *client)
{
    ck_assert_int_eq(zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, server->public_key, 40), 0);
    ck_assert_int_eq(zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, client->public_key, 40), 0);
    ck_assert_int_eq(zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, client->secret_key, 40), 0);
}

START_TEST(test_curve_admits_only_listed_keys)
{
    pair_t proxy_pair, node, reader, stranger;
    make_pair("proxy", &proxy_pair);
    make_pair("node", &node);
    make_pair("reader", &reader);
    make_pair("stranger", &stranger);
    char authorized[1024];
    snprintf(authorized, sizeof authorized, "%s/authorized", folder);
    ck_assert_int_eq(mkdir(authorized, 0700), 0);
    authorize(authorized, "node");
    authorize(authorized, "reader");

    rw_proxy_options_t options = plain_options;
    options.secret_key = proxy_pair.secret_key;
    options.authorized_keys_dir = authorized;
    runner_t runner;
    pthread_t thread;
    rw_proxy_t *proxy = start_proxy(&runner, &options, &thread);
    void *pub = socket_of(ZMQ_PUB), *sub = socket_of(ZMQ_SUB), *spy = socket_of(ZMQ_SUB);
    void *plain = socket_of(ZMQ_SUB);
    make_client(pub, &proxy_pair, &node);
    make_client(sub, &proxy_pair, &reader);
    make_client(spy, &proxy_pair, &stranger);
    ck_assert_int_eq(zmq_connect(pub, rw_proxy_endpoint(proxy, "frontend")), 0);
    for (int i = 0; i < 3; i++) {
        void *s = i == 0 ? sub : i == 1 ? spy : plain;
        ck_assert_int_eq(zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0), 0);
        ck_assert_int_eq(zmq_connect(s, rw_proxy_endpoint(proxy, "backend")), 0);
    }
    wait_for_path(pub, sub);
    send_event(pub, "recommendation.KZ", "{\"secret\":true}");
    char topic[64], body[256];
    ck_assert_int_eq(receive_event(sub, WAIT_MS, topic, body, sizeof body), 1);
    ck_assert_str_eq(body, "{\"secret\":true}");
    ck_assert_int_eq(receive_event(spy, NEGATIVE_WAIT_MS, topic, body, sizeof body), 0);
    ck_assert_int_eq(receive_event(plain, NEGATIVE_WAIT_MS, topic, body, sizeof body), 0);
    ck_assert_uint_ge(rw_proxy_refused(proxy), 1);
    zmq_close(pub);
    zmq_close(sub);
    zmq_close(spy);
    zmq_close(plain);
    stop_proxy(&runner, thread);
}
END_TEST

START_TEST(test_daemon_publisher_reaches_a_curve_forwarder)
{
    pair_t proxy_pair, node, reader;
    make_pair("proxy", &proxy_pair);
    make_pair("node", &node);
    make_pair("reader", &reader);
    char authorized[1024], proxy_pub[1024];
    snprintf(authorized, sizeof authorized, "%s/authorized", folder);
    snprintf(proxy_pub, sizeof proxy_pub, "%s/proxy.pub", folder);
    ck_assert_int_eq(mkdir(authorized, 0700), 0);
    authorize(authorized, "node");
    authorize(authorized, "reader");

    rw_proxy_options_t options = plain_options;
    options.secret_key = proxy_pair.secret_key;
    options.authorized_keys_dir = authorized;
    runner_t runner;
    pthread_t thread;
    rw_proxy_t *proxy = start_proxy(&runner, &options, &thread);

    /* the daemon's publisher: its own CURVE server socket bound locally, its
     * forwarders' socket a CURVE client of the proxy (publish.forwarder_key) */
    rw_strings_t bind = {0}, connect = {0};
    const char *frontend = rw_proxy_endpoint(proxy, "frontend");
    ck_assert_int_eq(rw_strings_append(&bind, "tcp://127.0.0.1:*", 17), 0);
    ck_assert_int_eq(rw_strings_append(&connect, frontend, strlen(frontend)), 0);
    rw_publish_options_t publish_options = {
        .bind = &bind, .connect = &connect, .sndhwm = 1000,
        .curve_secret_key = node.secret_key, .forwarder_key_file = NULL,
    };
    char error[512] = "";
    /* without the forwarder's key: refused, saying which setting is missing */
    ck_assert_ptr_null(rw_publish_new(context, &publish_options, error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "publish.forwarder_key"));
    publish_options.forwarder_key_file = proxy_pub;
    rw_publish_t *publish = rw_publish_new(context, &publish_options, error, sizeof error);
    ck_assert_msg(publish != NULL, "rw_publish_new: %s", error);

    void *sub = socket_of(ZMQ_SUB);
    make_client(sub, &proxy_pair, &reader);
    ck_assert_int_eq(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0), 0);
    ck_assert_int_eq(zmq_connect(sub, rw_proxy_endpoint(proxy, "backend")), 0);
    char topic[64], body[256];
    int arrived = 0;
    for (int attempt = 0; attempt < 100 && !arrived; attempt++) {
        ck_assert_int_eq(rw_publish_send(publish, "heartbeat", "{\"probe\":1}", 11), 0);
        arrived = receive_event(sub, 30, topic, body, sizeof body);
    }
    ck_assert_int_eq(arrived, 1);
    while (receive_event(sub, 100, topic, body, sizeof body)) {
    }
    const char *event = "{\"schema\":1,\"type\":\"statement\",\"node\":\"n1\",\"seq\":7}";
    ck_assert_int_eq(rw_publish_send(publish, "statement.KZ", event, strlen(event)), 0);
    ck_assert_int_eq(receive_event(sub, WAIT_MS, topic, body, sizeof body), 1);
    ck_assert_str_eq(topic, "statement.KZ");
    ck_assert_str_eq(body, event);
    ck_assert_uint_eq(rw_publish_dropped(publish), 0);

    zmq_close(sub);
    rw_publish_destroy(&publish);
    rw_strings_clear(&bind);
    rw_strings_clear(&connect);
    stop_proxy(&runner, thread);
}
END_TEST

START_TEST(test_daemon_publisher_plain_forwarder)
{
    runner_t runner;
    pthread_t thread;
    rw_proxy_t *proxy = start_proxy(&runner, &plain_options, &thread);
    rw_strings_t bind = {0}, connect = {0};
    const char *frontend = rw_proxy_endpoint(proxy, "frontend");
    ck_assert_int_eq(rw_strings_append(&bind, "tcp://127.0.0.1:*", 17), 0);
    ck_assert_int_eq(rw_strings_append(&connect, frontend, strlen(frontend)), 0);
    rw_publish_options_t publish_options = {.bind = &bind, .connect = &connect, .sndhwm = 1000};
    char error[512] = "";
    rw_publish_t *publish = rw_publish_new(context, &publish_options, error, sizeof error);
    ck_assert_msg(publish != NULL, "rw_publish_new: %s", error);
    /* a local subscriber on the bound socket and one behind the forwarder: both get it */
    char bound[256];
    size_t bound_size = sizeof bound;
    ck_assert_int_eq(zmq_getsockopt(rw_publish_socket(publish), ZMQ_LAST_ENDPOINT, bound,
                                    &bound_size), 0);
    void *local = socket_of(ZMQ_SUB), *remote = socket_of(ZMQ_SUB);
    ck_assert_int_eq(zmq_setsockopt(local, ZMQ_SUBSCRIBE, "", 0), 0);
    ck_assert_int_eq(zmq_setsockopt(remote, ZMQ_SUBSCRIBE, "", 0), 0);
    ck_assert_int_eq(zmq_connect(local, bound), 0);
    ck_assert_int_eq(zmq_connect(remote, rw_proxy_endpoint(proxy, "backend")), 0);
    char topic[64], body[256];
    int local_ok = 0, remote_ok = 0;
    for (int attempt = 0; attempt < 100 && !(local_ok && remote_ok); attempt++) {
        ck_assert_int_eq(rw_publish_send(publish, "probe", "{}", 2), 0);
        rw_publish_drain(publish);
        local_ok |= receive_event(local, 20, topic, body, sizeof body);
        remote_ok |= receive_event(remote, 20, topic, body, sizeof body);
    }
    ck_assert(local_ok && remote_ok);
    zmq_close(local);
    zmq_close(remote);
    rw_publish_destroy(&publish);
    rw_strings_clear(&bind);
    rw_strings_clear(&connect);
    stop_proxy(&runner, thread);
}
END_TEST

static Suite *proxy_suite(void)
{
    Suite *suite = suite_create("proxy");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_set_timeout(core, 30);
    tcase_add_test(core, test_events_pass_with_frames_and_filters);
    tcase_add_test(core, test_stop_before_run_returns_at_once);
    tcase_add_test(core, test_final_statistics_after_stop);
    tcase_add_test(core, test_control_endpoint);
    tcase_add_test(core, test_bad_endpoints_are_refused);
    tcase_add_test(core, test_curve_admits_only_listed_keys);
    tcase_add_test(core, test_daemon_publisher_reaches_a_curve_forwarder);
    tcase_add_test(core, test_daemon_publisher_plain_forwarder);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void)
{
    return test_run_suite(proxy_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
