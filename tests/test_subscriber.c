/* test_subscriber.c — the Clone-pattern subscriber against real ZeroMQ sockets on
 * tcp://127.0.0.1. A "daemon" thread journals events, then publishes them on a PUB
 * socket (as recwatchd does: append, fsync, publish) and serves replay requests on
 * a ROUTER socket, while the test thread subscribes:
 *  - --since while the daemon keeps publishing: every seq exactly once, in order;
 *  - events lost on the way (and at the tail) are filled by replay, with the replay
 *    endpoint learned from heartbeats;
 *  - two PUB sockets sending the same events: each delivered once;
 *  - topic filters with --since: only matching events, each once, in order;
 *  - option errors. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <zmq.h>

#include "journal.h"
#include "replay.h"
#include "subscriber.h"
#include "testutil.h"

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------- */
/* A small stand-in for recwatchd.                                             */

typedef struct {
    void *context;
    char *folder;
    rw_journal_t *journal;
    void *pub, *router;
    rw_replay_t *replay;
    char pub_endpoint[256], replay_endpoint[256];
    uint64_t total;            /* journal (and publish) up to this seq */
    bool (*lost)(uint64_t seq); /* events "lost on the way": journalled, not published */
    bool heartbeat_replay;     /* heartbeats carry "replay" */
    atomic_bool go;            /* start publishing */
    atomic_bool stop;
    atomic_uint_fast64_t journalled;
    uint64_t beats;
    pthread_t thread;
} daemon_t;

static void *bind_socket(void *context, int type, char *endpoint, size_t size)
{
    void *socket = zmq_socket(context, type);
    ck_assert_ptr_nonnull(socket);
    int linger = 0;
    ck_assert_int_eq(zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger), 0);
    ck_assert_int_eq(zmq_bind(socket, "tcp://127.0.0.1:*"), 0);
    ck_assert_int_eq(zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
    return socket;
}

static void publish(void *pub, const char *topic, const char *body)
{
    /* PUB never blocks: a message nobody takes is dropped, as on a real network. */
    zmq_send(pub, topic, strlen(topic), ZMQ_SNDMORE);
    zmq_send(pub, body, strlen(body), 0);
}

/* One statement with (seq % 8) recommendations, journalled then published. */
static void daemon_statement(daemon_t *daemon)
{
    uint64_t first = rw_journal_last_seq(daemon->journal) + 1;
    size_t count = 1 + first % 8;
    if (first + count - 1 > daemon->total)
        count = (size_t)(daemon->total - first + 1);
    rw_journal_entry_t entries[8];
    for (size_t i = 0; i < count; i++) {
        bool statement = i == 0;
        entries[i].topic = statement ? "statement.KZ" : "recommendation.KZ";
        entries[i].event = json_pack("{s:i, s:s, s:s, s:I}", "schema", 1, "type",
                                     statement ? "statement" : "recommendation", "node", "n1",
                                     "index", (json_int_t)i);
    }
    ck_assert_int_eq(rw_journal_append(daemon->journal, entries, count), 0);
    for (size_t i = 0; i < count; i++) {
        uint64_t seq = first + i;
        char *body = json_dumps(entries[i].event, JSON_COMPACT);
        if (!daemon->lost || !daemon->lost(seq))
            publish(daemon->pub, entries[i].topic, body);
        free(body);
        json_decref(entries[i].event);
    }
    atomic_store(&daemon->journalled, rw_journal_last_seq(daemon->journal));
}

static void daemon_heartbeat(daemon_t *daemon)
{
    /* Like recwatchd's: "seq" and "last_seq" both give the last journalled seq. */
    json_int_t last = (json_int_t)rw_journal_last_seq(daemon->journal);
    json_t *body = json_pack("{s:i, s:s, s:s, s:I, s:I, s:I}", "schema", 1, "type", "heartbeat",
                             "node", "n1", "seq", last, "last_seq", last, "beat",
                             (json_int_t)++daemon->beats);
    if (daemon->heartbeat_replay)
        json_object_set_new(body, "replay", json_string(daemon->replay_endpoint));
    char *text = json_dumps(body, JSON_COMPACT);
    publish(daemon->pub, "heartbeat", text);
    free(text);
    json_decref(body);
}

static void *daemon_run(void *argument)
{
    daemon_t *daemon = argument;
    int64_t next_heartbeat = 0;
    while (!atomic_load(&daemon->stop)) {
        bool publishing = atomic_load(&daemon->go) &&
                          rw_journal_last_seq(daemon->journal) < daemon->total;
        if (publishing)
            daemon_statement(daemon);
        if (now_ms() >= next_heartbeat) {
            daemon_heartbeat(daemon);
            next_heartbeat = now_ms() + 30;
        }
        int timeout = rw_replay_busy(daemon->replay) ? 0 : publishing ? 1 : 10;
        zmq_pollitem_t item = {.socket = daemon->router, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, timeout) < 0)
            break;
        if (item.revents & ZMQ_POLLIN)
            rw_replay_handle(daemon->replay);
        rw_replay_continue(daemon->replay);
    }
    return NULL;
}

/* Make the daemon with `already` events journalled (not published) and start it. */
static void daemon_start(daemon_t *daemon, void *context, uint64_t already, uint64_t total)
{
    memset(daemon, 0, sizeof *daemon);
    daemon->context = context;
    daemon->folder = test_tempdir();
    ck_assert_ptr_nonnull(daemon->folder);
    char path[512], error[256];
    snprintf(path, sizeof path, "%s/state", daemon->folder);
    rw_journal_options_t options = {.dir = path, .segment_bytes = 20000};
    daemon->journal = rw_journal_new(&options, error, sizeof error);
    ck_assert_msg(daemon->journal != NULL, "%s", error);
    daemon->pub = bind_socket(context, ZMQ_PUB, daemon->pub_endpoint,
                              sizeof daemon->pub_endpoint);
    int hwm = 0;
    ck_assert_int_eq(zmq_setsockopt(daemon->pub, ZMQ_SNDHWM, &hwm, sizeof hwm), 0);
    daemon->router = bind_socket(context, ZMQ_ROUTER, daemon->replay_endpoint,
                                 sizeof daemon->replay_endpoint);
    daemon->replay = rw_replay_new(daemon->router, daemon->journal);
    ck_assert_ptr_nonnull(daemon->replay);
    daemon->total = already;
    atomic_store(&daemon->go, true);
    while (rw_journal_last_seq(daemon->journal) < already)
        daemon_statement(daemon); /* before anyone listens */
    daemon->total = total;
    atomic_store(&daemon->go, false);
}

static void daemon_launch(daemon_t *daemon, bool go)
{
    atomic_store(&daemon->go, go);
    ck_assert_int_eq(pthread_create(&daemon->thread, NULL, daemon_run, daemon), 0);
}

static void daemon_stop(daemon_t *daemon)
{
    atomic_store(&daemon->stop, true);
    pthread_join(daemon->thread, NULL);
    rw_replay_destroy(&daemon->replay);
    zmq_close(daemon->router);
    zmq_close(daemon->pub);
    rw_journal_destroy(&daemon->journal);
    test_remove_tree(daemon->folder);
    free(daemon->folder);
}

/* ------------------------------------------------------------------------- */

/* Read events until `wanted` sequenced events have come; check their seqs are
 * expected[0..wanted) (or first, first+1, ... when expected is NULL): each once, in
 * order. Heartbeats (no seq) are skipped. Returns the number of events read. */
static uint64_t read_in_order(rw_subscriber_t *subscriber, uint64_t first, uint64_t wanted,
                              const char *only_prefix, const uint64_t *expected)
{
    uint64_t count = 0;
    int64_t deadline = now_ms() + 30000;
    while (count < wanted && now_ms() < deadline) {
        const char *topic, *body;
        int result = rw_subscriber_next(subscriber, 200, &topic, &body);
        ck_assert_int_ge(result, 0);
        if (result == 0 || strcmp(topic, "heartbeat") == 0)
            continue;
        json_t *event = json_loads(body, 0, NULL);
        ck_assert_ptr_nonnull(event);
        uint64_t seq = (uint64_t)json_integer_value(json_object_get(event, "seq"));
        json_decref(event);
        uint64_t want = expected ? expected[count] : first + count;
        ck_assert_msg(seq == want, "got seq %llu, expected %llu", (unsigned long long)seq,
                      (unsigned long long)want);
        if (only_prefix)
            ck_assert(strncmp(topic, only_prefix, strlen(only_prefix)) == 0);
        count++;
    }
    ck_assert_msg(count == wanted, "stopped after %llu of %llu events",
                  (unsigned long long)count, (unsigned long long)wanted);
    return count;
}

/* No further sequenced event arrives (no duplicate after the last). */
static void expect_quiet(rw_subscriber_t *subscriber, int ms)
{
    int64_t deadline = now_ms() + ms;
    while (now_ms() < deadline) {
        const char *topic, *body;
        int result = rw_subscriber_next(subscriber, 50, &topic, &body);
        ck_assert_int_ge(result, 0);
        if (result == 1)
            ck_assert_msg(strcmp(topic, "heartbeat") == 0, "unexpected %s %s", topic, body);
    }
}

START_TEST(test_since_while_publishing)
{
    void *context = zmq_ctx_new();
    daemon_t daemon;
    daemon_start(&daemon, context, 400, 4000);
    daemon_launch(&daemon, true);
    while (atomic_load(&daemon.journalled) < 600)
        usleep(1000); /* join in the middle of the stream */

    const char *endpoints[] = {daemon.pub_endpoint};
    rw_subscriber_options_t options = {.endpoints = endpoints, .endpoint_count = 1,
                                       .replay_endpoint = daemon.replay_endpoint,
                                       .since = 100};
    char error[256] = "";
    rw_subscriber_t *subscriber = rw_subscriber_new(context, &options, error, sizeof error);
    ck_assert_msg(subscriber != NULL, "%s", error);
    ck_assert_uint_eq(read_in_order(subscriber, 100, 3901, NULL, NULL), 3901);
    expect_quiet(subscriber, 200);
    rw_subscriber_destroy(&subscriber);
    daemon_stop(&daemon);
    zmq_ctx_term(context);
}
END_TEST

static bool lose_some(uint64_t seq)
{
    return (seq >= 50 && seq < 60) || seq == 120 || seq == 121 || seq >= 299;
}

START_TEST(test_gap_fill_from_heartbeat_endpoint)
{
    void *context = zmq_ctx_new();
    daemon_t daemon;
    daemon_start(&daemon, context, 0, 300);
    daemon.lost = lose_some;
    daemon.heartbeat_replay = true;
    daemon_launch(&daemon, false);

    /* Live only; no replay endpoint configured: it comes from the heartbeats. */
    const char *endpoints[] = {daemon.pub_endpoint};
    rw_subscriber_options_t options = {.endpoints = endpoints, .endpoint_count = 1,
                                       .since = -1};
    char error[256] = "";
    rw_subscriber_t *subscriber = rw_subscriber_new(context, &options, error, sizeof error);
    ck_assert_msg(subscriber != NULL, "%s", error);
    /* Wait until the subscription is live (a heartbeat arrives), then publish. */
    const char *topic = NULL, *body;
    int64_t deadline = now_ms() + 10000;
    while (now_ms() < deadline) {
        if (rw_subscriber_next(subscriber, 100, &topic, &body) == 1 &&
            strcmp(topic, "heartbeat") == 0)
            break;
    }
    ck_assert_str_eq(topic, "heartbeat");
    atomic_store(&daemon.go, true);
    ck_assert_uint_eq(read_in_order(subscriber, 1, 300, NULL, NULL), 300);
    expect_quiet(subscriber, 200);
    rw_subscriber_destroy(&subscriber);
    daemon_stop(&daemon);
    zmq_ctx_term(context);
}
END_TEST

static void publish_event(void *pub, uint64_t seq)
{
    char body[128];
    snprintf(body, sizeof body,
             "{\"schema\":1,\"type\":\"recommendation\",\"node\":\"n1\",\"seq\":%llu}",
             (unsigned long long)seq);
    publish(pub, "recommendation.FR", body);
}

START_TEST(test_duplicates_from_two_forwarders)
{
    void *context = zmq_ctx_new();
    char endpoint_a[256], endpoint_b[256];
    void *pub_a = bind_socket(context, ZMQ_PUB, endpoint_a, sizeof endpoint_a);
    void *pub_b = bind_socket(context, ZMQ_PUB, endpoint_b, sizeof endpoint_b);
    const char *endpoints[] = {endpoint_a, endpoint_b};
    rw_subscriber_options_t options = {.endpoints = endpoints, .endpoint_count = 2,
                                       .since = -1};
    char error[256] = "";
    rw_subscriber_t *subscriber = rw_subscriber_new(context, &options, error, sizeof error);
    ck_assert_msg(subscriber != NULL, "%s", error);

    /* Wait until both subscriptions are live: unsequenced hellos from each. */
    bool seen_a = false, seen_b = false;
    int64_t deadline = now_ms() + 10000;
    while (!(seen_a && seen_b) && now_ms() < deadline) {
        publish(pub_a, "hello", "{\"from\":\"a\"}");
        publish(pub_b, "hello", "{\"from\":\"b\"}");
        const char *topic, *body;
        while (rw_subscriber_next(subscriber, 20, &topic, &body) == 1) {
            seen_a = seen_a || strstr(body, "\"a\"");
            seen_b = seen_b || strstr(body, "\"b\"");
        }
    }
    ck_assert(seen_a && seen_b);
    while (true) { /* drain the remaining hellos */
        const char *topic, *body;
        if (rw_subscriber_next(subscriber, 100, &topic, &body) == 0)
            break;
    }
    /* Every event on both; B sometimes ahead of A. */
    for (uint64_t seq = 1; seq <= 500; seq++) {
        if (seq % 7 == 0) {
            publish_event(pub_b, seq);
            publish_event(pub_a, seq);
        } else {
            publish_event(pub_a, seq);
            publish_event(pub_b, seq);
        }
    }
    ck_assert_uint_eq(read_in_order(subscriber, 1, 500, NULL, NULL), 500);
    expect_quiet(subscriber, 300);
    /* A replayed-looking older event is dropped too. */
    publish_event(pub_a, 250);
    expect_quiet(subscriber, 200);
    rw_subscriber_destroy(&subscriber);
    zmq_close(pub_a);
    zmq_close(pub_b);
    zmq_ctx_term(context);
}
END_TEST

START_TEST(test_topic_filter_with_since)
{
    void *context = zmq_ctx_new();
    daemon_t daemon;
    daemon_start(&daemon, context, 206, 1200); /* 206: ends a whole group */
    daemon_launch(&daemon, true);
    const char *endpoints[] = {daemon.pub_endpoint};
    const char *topics[] = {"statement."};
    rw_subscriber_options_t options = {.endpoints = endpoints, .endpoint_count = 1,
                                       .replay_endpoint = daemon.replay_endpoint,
                                       .topics = topics, .topic_count = 1, .since = 1};
    char error[256] = "";
    rw_subscriber_t *subscriber = rw_subscriber_new(context, &options, error, sizeof error);
    ck_assert_msg(subscriber != NULL, "%s", error);

    /* Statement seqs, from the same rule as daemon_statement: next = first + 1 + first % 8. */
    uint64_t expected[1300] = {0};
    size_t count = 0;
    for (uint64_t first = 1; first <= 1200; first += 1 + first % 8)
        expected[count++] = first;
    ck_assert_uint_eq(read_in_order(subscriber, 1, count, "statement.", expected),
                      count);
    expect_quiet(subscriber, 200);
    rw_subscriber_destroy(&subscriber);
    daemon_stop(&daemon);
    zmq_ctx_term(context);
}
END_TEST

START_TEST(test_option_errors)
{
    void *context = zmq_ctx_new();
    const char *endpoints[] = {"tcp://127.0.0.1:1"};
    char error[256] = "";
    rw_subscriber_options_t options = {.endpoints = endpoints, .endpoint_count = 1, .since = 5};
    ck_assert_ptr_null(rw_subscriber_new(context, &options, error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "replay endpoint"));
    options.since = -1;
    options.server_public_key = "short";
    ck_assert_ptr_null(rw_subscriber_new(context, &options, error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "CURVE"));
    options.server_public_key = NULL;
    const char *bad[] = {"nonsense://x"};
    options.endpoints = bad;
    ck_assert_ptr_null(rw_subscriber_new(context, &options, error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "nonsense://x"));
    options.endpoint_count = 0;
    ck_assert_ptr_null(rw_subscriber_new(context, &options, error, sizeof error));

    /* CURVE options are accepted with a real key pair. */
    char server_public[41], server_secret[41], client_public[41], client_secret[41];
    ck_assert_int_eq(zmq_curve_keypair(server_public, server_secret), 0);
    ck_assert_int_eq(zmq_curve_keypair(client_public, client_secret), 0);
    options.endpoints = endpoints;
    options.endpoint_count = 1;
    options.server_public_key = server_public;
    options.public_key = client_public;
    options.secret_key = client_secret;
    rw_subscriber_t *subscriber = rw_subscriber_new(context, &options, error, sizeof error);
    ck_assert_msg(subscriber != NULL, "%s", error);
    const char *topic, *body;
    ck_assert_int_eq(rw_subscriber_next(subscriber, 10, &topic, &body), 0);
    rw_subscriber_destroy(&subscriber);
    zmq_ctx_term(context);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("subscriber");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 90);
    tcase_add_test(core, test_since_while_publishing);
    tcase_add_test(core, test_gap_fill_from_heartbeat_endpoint);
    tcase_add_test(core, test_duplicates_from_two_forwarders);
    tcase_add_test(core, test_topic_filter_with_since);
    tcase_add_test(core, test_option_errors);
    suite_add_tcase(suite, core);
    return test_run_suite(suite) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
