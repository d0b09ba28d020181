/* test_replay.c — the replay server over real ZeroMQ sockets on tcp://127.0.0.1:
 * 10,000 events to two clients at once in bounded batches, the "until" bound fixed
 * at request time, requests from the middle and from the future, malformed
 * requests, flow control (a client that does not read) and a client vanishing
 * mid-replay. The server is driven from the test thread like the daemon's loop. */
#include <errno.h>
#include <time.h>
#include <zmq.h>

#include "journal.h"
#include "replay.h"
#include "testutil.h"

static char *folder;
static void *context;
static void *router;
static char endpoint[256];
static rw_journal_t *journal;
static rw_replay_t *replay;

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Journal count events, appended 100 per group commit; padding makes them bigger. */
static void fill_journal(int count, size_t padding)
{
    char *text = malloc(padding + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, 'p', padding);
    text[padding] = '\0';
    rw_journal_entry_t entries[100];
    for (int done = 0; done < count;) {
        int batch = count - done < 100 ? count - done : 100;
        for (int i = 0; i < batch; i++) {
            entries[i].topic = "recommendation.FR";
            entries[i].event = json_pack("{s:i, s:s, s:s, s:i, s:s}", "schema", 1, "type",
                                         "recommendation", "node", "n1", "index", done + i,
                                         "text", text);
        }
        ck_assert_int_eq(rw_journal_append(journal, entries, (size_t)batch), 0);
        for (int i = 0; i < batch; i++)
            json_decref(entries[i].event);
        done += batch;
    }
    free(text);
}

static void setup(void)
{
    folder = test_tempdir();
    ck_assert_ptr_nonnull(folder);
    char path[512], error[256];
    snprintf(path, sizeof path, "%s/state", folder);
    rw_journal_options_t options = {.dir = path};
    journal = rw_journal_new(&options, error, sizeof error);
    ck_assert_msg(journal != NULL, "%s", error);
    context = zmq_ctx_new();
    ck_assert_ptr_nonnull(context);
    router = zmq_socket(context, ZMQ_ROUTER);
    int linger = 0;
    ck_assert_int_eq(zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger), 0);
    int hwm = 50; /* small, so that batches really meet a full pipe */
    ck_assert_int_eq(zmq_setsockopt(router, ZMQ_SNDHWM, &hwm, sizeof hwm), 0);
    int sndbuf = 16384; /* small kernel buffers too: a client that does not read blocks */
    ck_assert_int_eq(zmq_setsockopt(router, ZMQ_SNDBUF, &sndbuf, sizeof sndbuf), 0);
    ck_assert_int_eq(zmq_bind(router, "tcp://127.0.0.1:*"), 0);
    size_t size = sizeof endpoint;
    ck_assert_int_eq(zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
    replay = rw_replay_new(router, journal);
    ck_assert_ptr_nonnull(replay);
}

static void teardown(void)
{
    rw_replay_destroy(&replay);
    zmq_close(router);
    zmq_ctx_term(context);
    rw_journal_destroy(&journal);
    test_remove_tree(folder);
    free(folder);
}

static void *make_client(int rcvbuf)
{
    void *dealer = zmq_socket(context, ZMQ_DEALER);
    ck_assert_ptr_nonnull(dealer);
    int linger = 0, hwm = 50;
    ck_assert_int_eq(zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger), 0);
    ck_assert_int_eq(zmq_setsockopt(dealer, ZMQ_RCVHWM, &hwm, sizeof hwm), 0);
    if (rcvbuf > 0)
        ck_assert_int_eq(zmq_setsockopt(dealer, ZMQ_RCVBUF, &rcvbuf, sizeof rcvbuf), 0);
    ck_assert_int_eq(zmq_connect(dealer, endpoint), 0);
    return dealer;
}

static void send_text(void *socket, const char *text, int flags)
{
    ck_assert_int_eq(zmq_send(socket, text, strlen(text), flags), (int)strlen(text));
}

/* One server step, like the daemon's loop: wait at most wait_ms for requests. */
static void server_step(int wait_ms)
{
    int timeout = rw_replay_timeout_ms(replay);
    if (timeout < 0 || timeout > wait_ms)
        timeout = wait_ms;
    zmq_pollitem_t item = {.socket = router, .events = ZMQ_POLLIN};
    ck_assert_int_ge(zmq_poll(&item, 1, timeout), 0);
    if (item.revents & ZMQ_POLLIN)
        ck_assert_int_eq(rw_replay_handle(replay), 0);
    if (!rw_replay_busy(replay)) /* as the daemon's loop does */
        return;
    int sent = rw_replay_continue(replay);
    ck_assert_int_ge(sent, 0);
    ck_assert_int_le(sent, RW_REPLAY_BATCH * RW_REPLAY_MAX_CLIENTS);
}

/* Receive one two-frame message without blocking: 1 got it, 0 nothing. */
static int receive(void *dealer, char *topic, size_t topic_size, char **body)
{
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, dealer, ZMQ_DONTWAIT) < 0) {
        ck_assert_int_eq(zmq_errno(), EAGAIN);
        zmq_msg_close(&frame);
        return 0;
    }
    size_t size = zmq_msg_size(&frame);
    ck_assert_uint_lt(size, topic_size);
    memcpy(topic, zmq_msg_data(&frame), size);
    topic[size] = '\0';
    ck_assert(zmq_msg_more(&frame));
    ck_assert_int_ge(zmq_msg_recv(&frame, dealer, 0), 0);
    ck_assert(!zmq_msg_more(&frame));
    *body = strndup(zmq_msg_data(&frame), zmq_msg_size(&frame));
    zmq_msg_close(&frame);
    return 1;
}

typedef struct {
    void *dealer;
    uint64_t next_seq;  /* expected */
    int64_t end_last;   /* -1 until the end message */
    char error[200];
} reader_t;

/* Drain what a client has; check order; note end/error. */
static void drain(reader_t *reader)
{
    char topic[64];
    char *body;
    while (reader->end_last < 0 && !reader->error[0] &&
           receive(reader->dealer, topic, sizeof topic, &body)) {
        json_t *event = json_loads(body, 0, NULL);
        ck_assert_msg(event != NULL, "not JSON: %s", body);
        if (strcmp(topic, "end") == 0) {
            ck_assert_str_eq(json_string_value(json_object_get(event, "type")), "end");
            reader->end_last = json_integer_value(json_object_get(event, "last_seq"));
        } else if (strcmp(topic, "error") == 0) {
            snprintf(reader->error, sizeof reader->error, "%s",
                     json_string_value(json_object_get(event, "reason")));
        } else {
            ck_assert_str_eq(topic, "recommendation.FR");
            json_int_t seq = json_integer_value(json_object_get(event, "seq"));
            ck_assert_int_eq(seq, (json_int_t)reader->next_seq);
            reader->next_seq++;
        }
        json_decref(event);
        free(body);
    }
}

START_TEST(test_two_clients_ten_thousand)
{
    fill_journal(10000, 40);
    reader_t readers[2] = {{.next_seq = 1, .end_last = -1}, {.next_seq = 1, .end_last = -1}};
    for (int i = 0; i < 2; i++) {
        readers[i].dealer = make_client(0);
        send_text(readers[i].dealer, "SINCE 0", 0);
    }
    bool appended = false;
    int64_t deadline = now_ms() + 30000;
    while ((readers[0].end_last < 0 || readers[1].end_last < 0) && now_ms() < deadline) {
        server_step(5);
        for (int i = 0; i < 2; i++)
            drain(&readers[i]);
        /* Both clients progress together: neither finishes before the other starts. */
        if (!appended && readers[0].next_seq > 100 && readers[1].next_seq > 100) {
            ck_assert_uint_lt(readers[0].next_seq, 9000);
            ck_assert_uint_lt(readers[1].next_seq, 9000);
            fill_journal(10, 40); /* after the requests: not part of this replay */
            appended = true;
        }
    }
    ck_assert(appended);
    for (int i = 0; i < 2; i++) {
        ck_assert_str_eq(readers[i].error, "");
        ck_assert_int_eq(readers[i].end_last, 10000);
        ck_assert_uint_eq(readers[i].next_seq, 10001);
        zmq_close(readers[i].dealer);
    }
    ck_assert_uint_eq(rw_replay_served(replay), 20000);
    ck_assert_uint_eq(rw_replay_clients(replay), 0);
    ck_assert(!rw_replay_busy(replay));
    ck_assert_int_eq(rw_replay_timeout_ms(replay), -1);
}
END_TEST

START_TEST(test_since_middle_and_future)
{
    fill_journal(300, 10);
    reader_t middle = {.dealer = make_client(0), .next_seq = 250, .end_last = -1};
    reader_t future = {.dealer = make_client(0), .next_seq = 0, .end_last = -1};
    send_text(middle.dealer, "SINCE 250", 0);
    send_text(future.dealer, "SINCE 301", 0);
    int64_t deadline = now_ms() + 10000;
    while ((middle.end_last < 0 || future.end_last < 0) && now_ms() < deadline) {
        server_step(5);
        drain(&middle);
        drain(&future);
    }
    ck_assert_int_eq(middle.end_last, 300);
    ck_assert_uint_eq(middle.next_seq, 301);
    ck_assert_int_eq(future.end_last, 300);
    ck_assert_uint_eq(future.next_seq, 0); /* no event at all */
    zmq_close(middle.dealer);
    zmq_close(future.dealer);
}
END_TEST

START_TEST(test_malformed_requests)
{
    fill_journal(5, 10);
    const char *bad[] = {"HELLO", "SINCE", "SINCE ", "SINCE -1", "SINCE 12x",
                         "SINCE 99999999999999999999999", "since 1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        reader_t reader = {.dealer = make_client(0), .end_last = -1};
        send_text(reader.dealer, bad[i], 0);
        int64_t deadline = now_ms() + 5000;
        while (!reader.error[0] && reader.end_last < 0 && now_ms() < deadline) {
            server_step(5);
            drain(&reader);
        }
        ck_assert_msg(reader.error[0] != '\0', "no error reply for \"%s\"", bad[i]);
        ck_assert_ptr_nonnull(strstr(reader.error, "malformed"));
        zmq_close(reader.dealer);
    }
    /* Two frames are malformed too. */
    reader_t reader = {.dealer = make_client(0), .end_last = -1};
    send_text(reader.dealer, "SINCE 1", ZMQ_SNDMORE);
    send_text(reader.dealer, "extra", 0);
    int64_t deadline = now_ms() + 5000;
    while (!reader.error[0] && reader.end_last < 0 && now_ms() < deadline) {
        server_step(5);
        drain(&reader);
    }
    ck_assert_ptr_nonnull(strstr(reader.error, "malformed"));
    ck_assert_int_eq(reader.end_last, -1);
    ck_assert_uint_eq(rw_replay_clients(replay), 0);
    zmq_close(reader.dealer);
}
END_TEST

START_TEST(test_slow_client_blocks_only_itself)
{
    fill_journal(3000, 400);
    int small = 4096;
    reader_t slow = {.dealer = make_client(small), .next_seq = 1, .end_last = -1};
    reader_t fast = {.dealer = make_client(0), .next_seq = 1, .end_last = -1};
    send_text(slow.dealer, "SINCE 0", 0);
    send_text(fast.dealer, "SINCE 0", 0);
    /* The slow one reads nothing; the fast one must still get everything. */
    int64_t deadline = now_ms() + 20000;
    while (fast.end_last < 0 && now_ms() < deadline) {
        server_step(5);
        drain(&fast);
    }
    ck_assert_int_eq(fast.end_last, 3000);
    /* The slow client is still in progress, blocked on its full pipe: the loop
     * would not spin. */
    for (int i = 0; i < 5; i++)
        server_step(5);
    ck_assert_uint_eq(rw_replay_clients(replay), 1);
    ck_assert_int_eq(rw_replay_continue(replay), 0); /* pipe still full: nothing sent */
    ck_assert(!rw_replay_busy(replay));
    int timeout = rw_replay_timeout_ms(replay);
    ck_assert_int_gt(timeout, 0);
    ck_assert_int_le(timeout, RW_REPLAY_RETRY_MS);
    usleep((RW_REPLAY_RETRY_MS + 5) * 1000);
    ck_assert(rw_replay_busy(replay)); /* due for a retry */
    /* Now it reads, and gets everything in order. */
    deadline = now_ms() + 20000;
    while (slow.end_last < 0 && now_ms() < deadline) {
        server_step(5);
        drain(&slow);
    }
    ck_assert_int_eq(slow.end_last, 3000);
    ck_assert_uint_eq(slow.next_seq, 3001);
    zmq_close(slow.dealer);
    zmq_close(fast.dealer);
}
END_TEST

START_TEST(test_client_vanishes)
{
    fill_journal(3000, 400);
    reader_t gone = {.dealer = make_client(4096), .next_seq = 1, .end_last = -1};
    reader_t stays = {.dealer = make_client(0), .next_seq = 1, .end_last = -1};
    send_text(gone.dealer, "SINCE 0", 0);
    send_text(stays.dealer, "SINCE 1", 0);
    int64_t deadline = now_ms() + 10000;
    while (gone.next_seq < 20 && now_ms() < deadline) {
        server_step(5);
        drain(&gone);
    }
    ck_assert_uint_ge(gone.next_seq, 20);
    zmq_close(gone.dealer); /* linger 0: vanishes mid-replay */
    deadline = now_ms() + 20000;
    while ((stays.end_last < 0 || rw_replay_clients(replay) > 0) && now_ms() < deadline) {
        server_step(5);
        drain(&stays);
    }
    ck_assert_int_eq(stays.end_last, 3000);
    ck_assert_uint_eq(rw_replay_clients(replay), 0); /* the vanished client was dropped */
    ck_assert_uint_lt(rw_replay_served(replay), 6000);
    zmq_close(stays.dealer);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("replay");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_set_timeout(core, 90);
    tcase_add_test(core, test_two_clients_ten_thousand);
    tcase_add_test(core, test_since_middle_and_future);
    tcase_add_test(core, test_malformed_requests);
    tcase_add_test(core, test_slow_client_blocks_only_itself);
    tcase_add_test(core, test_client_vanishes);
    suite_add_tcase(suite, core);
    return test_run_suite(suite) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
