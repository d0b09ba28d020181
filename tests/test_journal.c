/* test_journal.c — the durable journal: appends and seq continuity across
 * reopen, crash recovery (torn lines, half-written groups), content ids,
 * all-or-nothing appends under a real write failure (RLIMIT_FSIZE), rotation,
 * retention by bytes and by age, and cursors (middle, across segments, while
 * appending, past bad lines). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "journal.h"
#include "sha256.h"
#include "testutil.h"

static char *folder;

static void setup(void)
{
    folder = test_tempdir();
    ck_assert_ptr_nonnull(folder);
}

static void teardown(void)
{
    test_remove_tree(folder);
    free(folder);
}

static rw_journal_t *open_journal(size_t segment_bytes, unsigned long long retain_bytes,
                                  unsigned retain_days)
{
    char path[512];
    snprintf(path, sizeof path, "%s/state", folder);
    rw_journal_options_t options = {.dir = path, .retain_bytes = retain_bytes,
                                    .retain_days = retain_days, .segment_bytes = segment_bytes};
    char error[256] = "";
    rw_journal_t *journal = rw_journal_new(&options, error, sizeof error);
    ck_assert_msg(journal != NULL, "rw_journal_new: %s", error);
    return journal;
}

static void content_id(int number, char id[80])
{
    uint8_t digest[RW_SHA256_DIGEST_SIZE];
    char hex[RW_SHA256_HEX_SIZE];
    rw_sha256_digest(&number, sizeof number, digest);
    rw_sha256_to_hex(digest, hex);
    snprintf(id, 80, "sha256:%s", hex);
}

/* A statement and its recommendations, as the daemon would append them. */
typedef struct {
    rw_journal_entry_t entries[16];
    size_t count;
} batch_t;

static void batch_make(batch_t *batch, int number, size_t recommendations, size_t padding)
{
    char id[80];
    content_id(number, id);
    char *text = malloc(padding + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, 'x', padding);
    text[padding] = '\0';
    batch->count = 1 + recommendations;
    batch->entries[0].topic = "statement.KZ";
    batch->entries[0].event = json_pack("{s:i, s:s, s:s, s:s, s:i}", "schema", 1, "type",
                                        "statement", "node", "test", "id", id, "recommendations",
                                        (int)recommendations);
    for (size_t i = 0; i < recommendations; i++) {
        batch->entries[1 + i].topic = "recommendation.KZ";
        batch->entries[1 + i].event =
            json_pack("{s:i, s:s, s:s, s:s, s:i, s:s}", "schema", 1, "type", "recommendation",
                      "node", "test", "statement", id, "index", (int)i, "text", text);
    }
    free(text);
}

static void batch_free(batch_t *batch)
{
    for (size_t i = 0; i < batch->count; i++)
        json_decref(batch->entries[i].event);
    batch->count = 0;
}

static int append_statement(rw_journal_t *journal, int number, size_t recommendations,
                            size_t padding)
{
    batch_t batch;
    batch_make(&batch, number, recommendations, padding);
    int result = rw_journal_append(journal, batch.entries, batch.count);
    batch_free(&batch);
    return result;
}

static char *segment_path(uint64_t first_seq)
{
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "%s/state/journal-%020llu.jsonl", folder,
                              (unsigned long long)first_seq),
                     0);
    return path;
}

static long long file_size(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 ? (long long)info.st_size : -1;
}

static void append_raw(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* Read every entry from since; check seqs are consecutive from first; return count. */
static size_t read_all(rw_journal_t *journal, uint64_t since, uint64_t first)
{
    rw_journal_cursor_t *cursor = rw_journal_cursor_new(journal, since);
    ck_assert_ptr_nonnull(cursor);
    uint64_t seq, expected = first;
    const char *topic, *body;
    size_t count = 0;
    int result;
    while ((result = rw_journal_cursor_next(cursor, &seq, &topic, &body)) == 1) {
        ck_assert_uint_eq(seq, expected);
        json_t *event = json_loads(body, 0, NULL);
        ck_assert_ptr_nonnull(event);
        ck_assert_int_eq(json_integer_value(json_object_get(event, "seq")), (json_int_t)seq);
        json_decref(event);
        expected++;
        count++;
    }
    ck_assert_int_eq(result, 0);
    rw_journal_cursor_destroy(&cursor);
    return count;
}

START_TEST(test_append_and_reopen)
{
    rw_journal_t *journal = open_journal(0, 0, 0);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 0);
    batch_t batch;
    batch_make(&batch, 1, 3, 10);
    ck_assert_int_eq(rw_journal_append(journal, batch.entries, batch.count), 0);
    for (size_t i = 0; i < batch.count; i++) {
        ck_assert_int_eq(json_integer_value(json_object_get(batch.entries[i].event, "seq")),
                         (json_int_t)(i + 1));
        /* the body handed back is the event's text as journalled, seq included */
        char *expected = json_dumps(batch.entries[i].event, JSON_COMPACT);
        ck_assert_uint_eq(batch.entries[i].body_length, strlen(expected));
        ck_assert(memcmp(batch.entries[i].body, expected, strlen(expected)) == 0);
        free(expected);
    }
    batch_free(&batch);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 4);
    ck_assert_int_eq(append_statement(journal, 2, 0, 0), 0);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 5);
    ck_assert_int_eq(rw_journal_append(journal, NULL, 0), 0);
    rw_journal_entry_t bad = {.topic = NULL, .event = NULL};
    ck_assert_int_eq(rw_journal_append(journal, &bad, 1), -EINVAL);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 5);

    /* A second journal on the same folder is refused while the first is open. */
    char path[512], error[256] = "";
    snprintf(path, sizeof path, "%s/state", folder);
    rw_journal_options_t options = {.dir = path};
    ck_assert_ptr_null(rw_journal_new(&options, error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "in use"));
    rw_journal_destroy(&journal);
    ck_assert_ptr_null(journal);

    /* The format on disk: one line per event, group on the first line of a batch. */
    char *first = segment_path(1);
    char *text = test_read_file(first, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert(strncmp(text, "{\"seq\":1,\"topic\":\"statement.KZ\",\"group\":4,\"event\":{", 51) ==
              0);
    ck_assert_ptr_nonnull(strstr(text, "\n{\"seq\":5,\"topic\":\"statement.KZ\",\"event\":{"));
    size_t lines = 0;
    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    ck_assert_uint_eq(lines, 5);
    free(text);
    free(first);

    journal = open_journal(0, 0, 0);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 5);
    ck_assert_int_eq(append_statement(journal, 3, 2, 0), 0);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 8);
    ck_assert_uint_eq(read_all(journal, 0, 1), 8);
    ck_assert_uint_gt(rw_journal_bytes(journal), 0);
    ck_assert_uint_eq(rw_journal_segment_count(journal), 1);
    rw_journal_destroy(&journal);
}
END_TEST

START_TEST(test_torn_last_line_is_cut)
{
    rw_journal_t *journal = open_journal(0, 0, 0);
    ck_assert_int_eq(append_statement(journal, 1, 2, 0), 0);
    rw_journal_destroy(&journal);
    char *path = segment_path(1);
    long long size = file_size(path);

    /* A crash in the middle of a line: no newline. */
    append_raw(path, "{\"seq\":4,\"topic\":\"statement.KZ\",\"ev");
    journal = open_journal(0, 0, 0);
    ck_assert_int_eq(file_size(path), size);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 3);
    ck_assert_int_eq(append_statement(journal, 2, 0, 0), 0);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 4);
    rw_journal_destroy(&journal);
    size = file_size(path);

    /* A complete but unparseable last line. */
    append_raw(path, "{\"seq\":5,\"topic\":\"stat\x01\n");
    journal = open_journal(0, 0, 0);
    ck_assert_int_eq(file_size(path), size);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 4);
    rw_journal_destroy(&journal);
    free(path);
}
END_TEST

START_TEST(test_half_written_group_is_cut)
{
    rw_journal_t *journal = open_journal(0, 0, 0);
    ck_assert_int_eq(append_statement(journal, 1, 1, 0), 0);
    char *path = segment_path(1);
    long long size_before = file_size(path);
    ck_assert_int_eq(append_statement(journal, 2, 3, 0), 0);
    char id[80];
    content_id(2, id);
    ck_assert(rw_journal_has_content(journal, id));
    rw_journal_destroy(&journal);

    /* Keep the statement line and one recommendation of the second group only, as if
     * the machine stopped before the data reached the disk. */
    char *text = test_read_file(path, NULL);
    ck_assert_ptr_nonnull(text);
    char *cut = text + size_before;
    for (int newlines = 0; newlines < 2; cut++)
        newlines += *cut == '\n';
    ck_assert_int_eq(truncate(path, (off_t)(cut - text)), 0);
    free(text);

    journal = open_journal(0, 0, 0);
    ck_assert_int_eq(file_size(path), size_before);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 2);
    ck_assert(!rw_journal_has_content(journal, id));
    ck_assert_uint_eq(read_all(journal, 1, 1), 2);
    rw_journal_destroy(&journal);
    free(path);
}
END_TEST

START_TEST(test_content_ids_recovered)
{
    rw_journal_t *journal = open_journal(4096, 0, 0);
    for (int i = 0; i < 200; i++)
        ck_assert_int_eq(append_statement(journal, i, 1, 50), 0);
    ck_assert_uint_gt(rw_journal_segment_count(journal), 3);
    rw_journal_destroy(&journal);
    journal = open_journal(4096, 0, 0);
    char id[80];
    for (int i = 0; i < 200; i++) {
        content_id(i, id);
        ck_assert_msg(rw_journal_has_content(journal, id), "statement %d lost", i);
    }
    content_id(200, id);
    ck_assert(!rw_journal_has_content(journal, id));
    ck_assert(!rw_journal_has_content(journal, "sha256:nothex"));
    ck_assert(!rw_journal_has_content(journal, NULL));
    ck_assert_uint_eq(rw_journal_last_seq(journal), 400);
    rw_journal_destroy(&journal);
}
END_TEST

/* In a child process: fill the journal until the file-size limit makes a write
 * fail half way, then check nothing of that append remains. Exit code = step. */
static int failing_append_child(void)
{
    signal(SIGXFSZ, SIG_IGN);
    char path[512], error[256];
    snprintf(path, sizeof path, "%s/state", folder);
    rw_journal_options_t options = {.dir = path};
    rw_journal_t *journal = rw_journal_new(&options, error, sizeof error);
    if (!journal)
        return 10;
    if (append_statement(journal, 1, 2, 100) != 0)
        return 11;
    char *segment = segment_path(1);
    long long size = file_size(segment);
    struct rlimit limit;
    if (getrlimit(RLIMIT_FSIZE, &limit) != 0)
        return 12;
    struct rlimit tight = {.rlim_cur = (rlim_t)size + 3000, .rlim_max = limit.rlim_max};
    if (setrlimit(RLIMIT_FSIZE, &tight) != 0)
        return 13;
    batch_t batch;
    batch_make(&batch, 2, 7, 1000); /* ~7.5 kB: the write stops after 3000 bytes */
    int result = rw_journal_append(journal, batch.entries, batch.count);
    if (result != -EFBIG)
        return 14;
    if (file_size(segment) != size)
        return 15;
    if (rw_journal_last_seq(journal) != 3)
        return 16;
    for (size_t i = 0; i < batch.count; i++) {
        if (json_object_get(batch.entries[i].event, "seq"))
            return 17;
    }
    char id[80];
    content_id(2, id);
    if (rw_journal_has_content(journal, id))
        return 18;
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
        return 19;
    if (rw_journal_append(journal, batch.entries, batch.count) != 0)
        return 20;
    if (rw_journal_last_seq(journal) != 11 || !rw_journal_has_content(journal, id))
        return 21;
    if (json_integer_value(json_object_get(batch.entries[0].event, "seq")) != 4)
        return 22;
    batch_free(&batch);
    rw_journal_destroy(&journal);
    free(segment);
    return 0;
}

START_TEST(test_append_all_or_nothing)
{
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0)
        _exit(failing_append_child());
    int status = 0;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);

    /* And the journal on disk is consistent afterwards. */
    rw_journal_t *journal = open_journal(0, 0, 0);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 11);
    ck_assert_uint_eq(read_all(journal, 0, 1), 11);
    rw_journal_destroy(&journal);
}
END_TEST

START_TEST(test_rotation_and_cursors)
{
    rw_journal_t *journal = open_journal(2000, 0, 0);
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(append_statement(journal, i, 3, 80), 0); /* seq 1..200 */
    size_t segments = rw_journal_segment_count(journal);
    ck_assert_uint_gt(segments, 5);
    ck_assert_uint_eq(read_all(journal, 0, 1), 200);
    ck_assert_uint_eq(read_all(journal, 1, 1), 200);
    ck_assert_uint_eq(read_all(journal, 117, 117), 84);
    ck_assert_uint_eq(read_all(journal, 200, 200), 1);
    ck_assert_uint_eq(read_all(journal, 201, 201), 0);
    ck_assert_uint_eq(read_all(journal, 5000, 5000), 0);

    /* Segment names carry their first seq, and each starts with a group. */
    size_t found = 0;
    for (uint64_t first = 1; first <= 200; first += 4) {
        char *path = segment_path(first);
        char *text = test_read_file(path, NULL);
        if (text) {
            char head[64];
            snprintf(head, sizeof head, "{\"seq\":%llu,", (unsigned long long)first);
            ck_assert(strncmp(text, head, strlen(head)) == 0);
            ck_assert_ptr_nonnull(strstr(text, "\"group\":4,"));
            found++;
        }
        free(text);
        free(path);
    }
    ck_assert_uint_eq(found, segments);

    /* The body is the event exactly as journalled. */
    rw_journal_cursor_t *cursor = rw_journal_cursor_new(journal, 9);
    uint64_t seq;
    const char *topic, *body;
    ck_assert_int_eq(rw_journal_cursor_next(cursor, &seq, &topic, &body), 1);
    ck_assert_uint_eq(seq, 9);
    ck_assert_str_eq(topic, "statement.KZ");
    char id[80];
    content_id(2, id);
    char expected[256];
    snprintf(expected, sizeof expected,
             "{\"schema\":1,\"type\":\"statement\",\"node\":\"test\",\"id\":\"%s\","
             "\"recommendations\":3,\"seq\":9}",
             id);
    ck_assert_str_eq(body, expected);
    rw_journal_cursor_destroy(&cursor);
    rw_journal_destroy(&journal);
}
END_TEST

START_TEST(test_cursor_during_appends)
{
    rw_journal_t *journal = open_journal(1500, 0, 0);
    rw_journal_cursor_t *cursor = rw_journal_cursor_new(journal, 0);
    uint64_t seq, expected = 1;
    const char *topic, *body;
    ck_assert_int_eq(rw_journal_cursor_next(cursor, &seq, &topic, &body), 0); /* empty */
    for (int round = 0; round < 30; round++) {
        ck_assert_int_eq(append_statement(journal, round, (size_t)round % 4, 60), 0);
        int result;
        /* Read only part of what is there, then append more before reading on. */
        for (int taken = 0; taken < 3 && (result = rw_journal_cursor_next(cursor, &seq, &topic,
                                                                          &body)) == 1;
             taken++) {
            ck_assert_uint_eq(seq, expected);
            expected++;
        }
    }
    int result;
    while ((result = rw_journal_cursor_next(cursor, &seq, &topic, &body)) == 1) {
        ck_assert_uint_eq(seq, expected);
        expected++;
    }
    ck_assert_int_eq(result, 0);
    ck_assert_uint_eq(expected - 1, rw_journal_last_seq(journal));
    ck_assert_uint_gt(rw_journal_segment_count(journal), 3);
    rw_journal_cursor_destroy(&cursor);
    rw_journal_destroy(&journal);
}
END_TEST

START_TEST(test_cursor_skips_bad_line)
{
    rw_journal_t *journal = open_journal(0, 0, 0);
    ck_assert_int_eq(append_statement(journal, 1, 1, 0), 0);
    rw_journal_destroy(&journal);
    char *path = segment_path(1);
    append_raw(path, "this is not json\n");
    journal = open_journal(0, 0, 0);
    ck_assert_int_eq(append_statement(journal, 2, 1, 0), 0);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 4);
    ck_assert_uint_eq(read_all(journal, 0, 1), 4);
    rw_journal_destroy(&journal);
    free(path);
}
END_TEST

START_TEST(test_retention_by_bytes)
{
    rw_journal_t *journal = open_journal(1000, 3000, 0);
    for (int i = 0; i < 40; i++)
        ck_assert_int_eq(append_statement(journal, i, 1, 200), 0); /* ~450 bytes each */
    size_t before = rw_journal_segment_count(journal);
    ck_assert_uint_gt(before, 10);
    int removed = rw_journal_retain(journal, time(NULL));
    ck_assert_int_gt(removed, 0);
    ck_assert_uint_eq(rw_journal_segment_count(journal), before - (size_t)removed);
    ck_assert_uint_le(rw_journal_bytes(journal), 3000);
    ck_assert_uint_gt(rw_journal_bytes(journal), 1500);
    ck_assert_int_eq(rw_journal_retain(journal, time(NULL)), 0);
    uint64_t first = rw_journal_first_seq(journal);
    ck_assert_uint_gt(first, 1);
    ck_assert_uint_eq(read_all(journal, 0, first), 80 - first + 1);
    char *gone = segment_path(1);
    ck_assert_int_eq(file_size(gone), -1);
    free(gone);
    rw_journal_destroy(&journal);

    /* Even with every segment gone, seq continues (from the seq file). */
    char command[600];
    snprintf(command, sizeof command, "rm -f %s/state/journal-*.jsonl", folder);
    ck_assert_int_eq(system(command), 0);
    journal = open_journal(1000, 3000, 0);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 80);
    ck_assert_uint_eq(rw_journal_segment_count(journal), 0);
    ck_assert_int_eq(append_statement(journal, 99, 0, 0), 0);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 81);
    char *fresh = segment_path(81);
    ck_assert_int_gt(file_size(fresh), 0);
    free(fresh);
    rw_journal_destroy(&journal);
}
END_TEST

START_TEST(test_retention_by_days)
{
    rw_journal_t *journal = open_journal(500, 0, 365);
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(append_statement(journal, i, 1, 200), 0);
    size_t segments = rw_journal_segment_count(journal);
    ck_assert_uint_ge(segments, 6);
    ck_assert_int_eq(rw_journal_retain(journal, time(NULL)), 0); /* all young */
    rw_journal_destroy(&journal);

    /* Age the three oldest segments to 400 days. */
    time_t old = time(NULL) - 400 * 24 * 3600;
    struct timespec times[2] = {{.tv_sec = old}, {.tv_sec = old}};
    for (uint64_t first = 1; first <= 5; first += 2) {
        char *path = segment_path(first);
        ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
        free(path);
    }
    journal = open_journal(500, 0, 365);
    ck_assert_int_eq(rw_journal_retain(journal, time(NULL)), 3);
    ck_assert_uint_eq(rw_journal_segment_count(journal), segments - 3);
    ck_assert_uint_eq(rw_journal_first_seq(journal), 7);
    /* A year later everything but the current segment goes. */
    ck_assert_int_eq(rw_journal_retain(journal, time(NULL) + 400 * 24 * 3600),
                     (int)segments - 4);
    ck_assert_uint_eq(rw_journal_segment_count(journal), 1);
    ck_assert_uint_eq(rw_journal_last_seq(journal), 24);
    rw_journal_destroy(&journal);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("journal");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_append_and_reopen);
    tcase_add_test(core, test_torn_last_line_is_cut);
    tcase_add_test(core, test_half_written_group_is_cut);
    tcase_add_test(core, test_content_ids_recovered);
    tcase_add_test(core, test_append_all_or_nothing);
    tcase_add_test(core, test_rotation_and_cursors);
    tcase_add_test(core, test_cursor_during_appends);
    tcase_add_test(core, test_cursor_skips_bad_line);
    tcase_add_test(core, test_retention_by_bytes);
    tcase_add_test(core, test_retention_by_days);
    suite_add_tcase(suite, core);
    return test_run_suite(suite) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
