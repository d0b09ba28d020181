/* test_spool.c — the file lifecycle: safe reads, moves to done/ and failed/ that
 * never overwrite, error files, hostile entries. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>

#include "spool.h"

static char *root;
static char incoming[512], done[512], failed[512];

static void setup(void)
{
    root = test_tempdir();
    snprintf(incoming, sizeof incoming, "%s/incoming", root);
    snprintf(done, sizeof done, "%s/done", root);
    snprintf(failed, sizeof failed, "%s/failed", root);
}

static void teardown(void)
{
    test_remove_tree(root);
    free(root);
}

static rw_spool_t *spool_open(void)
{
    char error[256];
    rw_spool_t *spool = rw_spool_new(incoming, done, failed, error, sizeof error);
    ck_assert_msg(spool != NULL, "%s", error);
    return spool;
}

static void put(const char *folder, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    ck_assert_int_eq(test_write_file(path, text, strlen(text)), 0);
}

static bool exists(const char *folder, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    return access(path, F_OK) == 0;
}

START_TEST(read_then_finish)
{
    rw_spool_t *spool = spool_open();
    put(incoming, "a.txt", "hello");
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[256];
    ck_assert_int_eq(rw_spool_read(spool, "a.txt", 100, &bytes, &size, NULL, reason, sizeof reason), 0);
    ck_assert_uint_eq(size, 5);
    ck_assert_int_eq(memcmp(bytes, "hello", 5), 0);
    free(bytes);
    char *moved_to = NULL;
    ck_assert_int_eq(rw_spool_finish(spool, "a.txt", NULL, &moved_to), 0);
    ck_assert_str_eq(moved_to, "done/a.txt");
    free(moved_to);
    ck_assert(exists(done, "a.txt"));
    ck_assert(!exists(incoming, "a.txt"));
    ck_assert_int_eq(rw_spool_sync(spool), 0);
    rw_spool_destroy(&spool);
}
END_TEST

START_TEST(name_clash_never_overwrites)
{
    rw_spool_t *spool = spool_open();
    put(done, "a.txt", "first");
    put(done, "a.1.txt", "second");
    put(incoming, "a.txt", "third");
    char *moved_to = NULL;
    ck_assert_int_eq(rw_spool_finish(spool, "a.txt", NULL, &moved_to), 0);
    ck_assert_str_eq(moved_to, "done/a.2.txt");
    free(moved_to);
    char path[1024];
    snprintf(path, sizeof path, "%s/a.txt", done);
    char *text = test_read_file(path, NULL);
    ck_assert_str_eq(text, "first");
    free(text);
    put(incoming, "README", "x");
    put(done, "README", "y");
    ck_assert_int_eq(rw_spool_finish(spool, "README", NULL, &moved_to), 0);
    ck_assert_str_eq(moved_to, "done/README.1");
    free(moved_to);
    rw_spool_destroy(&spool);
}
END_TEST

START_TEST(fail_writes_error_json)
{
    rw_spool_t *spool = spool_open();
    put(incoming, "bad.txt", "x");
    char *moved_to = NULL;
    ck_assert_int_eq(rw_spool_fail(spool, "bad.txt", NULL, "binary content", &moved_to), 0);
    ck_assert_str_eq(moved_to, "failed/bad.txt");
    free(moved_to);
    char path[1024];
    snprintf(path, sizeof path, "%s/bad.txt.error.json", failed);
    json_error_t error;
    json_t *body = json_load_file(path, 0, &error);
    ck_assert_msg(body != NULL, "%s", error.text);
    ck_assert_str_eq(json_string_value(json_object_get(body, "reason")), "binary content");
    ck_assert_str_eq(json_string_value(json_object_get(body, "file")), "bad.txt");
    json_decref(body);
    rw_spool_destroy(&spool);
}
END_TEST

START_TEST(hostile_entries_are_refused_with_reasons)
{
    rw_spool_t *spool = spool_open();
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[256], path[1024];

    put(root, "target.txt", "secret");
    snprintf(path, sizeof path, "%s/link.txt", incoming);
    ck_assert_int_eq(symlink("../target.txt", path), 0);
    ck_assert_int_eq(rw_spool_read(spool, "link.txt", 100, &bytes, &size, NULL, reason, sizeof reason), -ELOOP);
    ck_assert_msg(strstr(reason, "symbolic link") != NULL, "%s", reason);

    snprintf(path, sizeof path, "%s/fifo.txt", incoming);
    ck_assert_int_eq(mkfifo(path, 0644), 0);
    ck_assert_int_lt(rw_spool_read(spool, "fifo.txt", 100, &bytes, &size, NULL, reason, sizeof reason), 0);
    ck_assert_msg(strstr(reason, "FIFO") != NULL, "%s", reason);

    snprintf(path, sizeof path, "%s/dir.txt", incoming);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ck_assert_int_lt(rw_spool_read(spool, "dir.txt", 100, &bytes, &size, NULL, reason, sizeof reason), 0);
    ck_assert_msg(strstr(reason, "directory") != NULL, "%s", reason);

    put(incoming, "big.txt", "0123456789");
    ck_assert_int_eq(rw_spool_read(spool, "big.txt", 5, &bytes, &size, NULL, reason, sizeof reason), -EFBIG);
    ck_assert_msg(strstr(reason, "too large") != NULL, "%s", reason);

    ck_assert_int_eq(rw_spool_read(spool, "gone.txt", 5, &bytes, &size, NULL, reason, sizeof reason), -ENOENT);

    /* the link itself moves to failed/, its target is untouched */
    ck_assert_int_eq(rw_spool_fail(spool, "link.txt", NULL, "a symbolic link", NULL), 0);
    ck_assert(exists(root, "target.txt"));
    ck_assert_int_eq(rw_spool_fail(spool, "fifo.txt", NULL, "a FIFO", NULL), 0);
    ck_assert(exists(failed, "fifo.txt"));
    rw_spool_destroy(&spool);
}
END_TEST

START_TEST(long_and_strange_names)
{
    rw_spool_t *spool = spool_open();
    char name[256];
    memset(name, 'n', 251);
    strcpy(name + 251, ".txt"); /* 255 bytes */
    put(incoming, name, "x");
    ck_assert_int_eq(rw_spool_fail(spool, name, NULL, "reason", NULL), 0);
    ck_assert(!exists(incoming, name));
    put(incoming, "line\nbreak \xff.txt", "x");
    char *moved_to = NULL;
    ck_assert_int_eq(rw_spool_finish(spool, "line\nbreak \xff.txt", NULL, &moved_to), 0);
    ck_assert(exists(done, "line\nbreak \xff.txt"));
    free(moved_to);
    rw_spool_destroy(&spool);
}
END_TEST

START_TEST(a_file_replaced_after_it_was_read_is_not_moved)
{
    rw_spool_t *spool = spool_open();
    put(incoming, "x.txt", "first");
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[256];
    rw_spool_identity_t identity;
    ck_assert_int_eq(rw_spool_read(spool, "x.txt", 100, &bytes, &size, &identity, reason,
                                   sizeof reason), 0);
    free(bytes);
    /* the sender renames a new file over the name */
    put(root, "x.new", "second");
    char from[1024], to[1024];
    snprintf(from, sizeof from, "%s/x.new", root);
    snprintf(to, sizeof to, "%s/x.txt", incoming);
    ck_assert_int_eq(rename(from, to), 0);
    ck_assert_int_eq(rw_spool_finish(spool, "x.txt", &identity, NULL), -ESTALE);
    ck_assert_int_eq(rw_spool_fail(spool, "x.txt", &identity, "reason", NULL), -ESTALE);
    ck_assert(exists(incoming, "x.txt")); /* the newcomer waits for its own turn */
    ck_assert(!exists(done, "x.txt"));
    /* read again, it is moved */
    ck_assert_int_eq(rw_spool_read(spool, "x.txt", 100, &bytes, &size, &identity, reason,
                                   sizeof reason), 0);
    ck_assert_int_eq(memcmp(bytes, "second", 6), 0);
    free(bytes);
    ck_assert_int_eq(rw_spool_finish(spool, "x.txt", &identity, NULL), 0);
    ck_assert(exists(done, "x.txt"));
    rw_spool_destroy(&spool);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("spool");
    TCase *tc = tcase_create("spool");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, read_then_finish);
    tcase_add_test(tc, name_clash_never_overwrites);
    tcase_add_test(tc, fail_writes_error_json);
    tcase_add_test(tc, hostile_entries_are_refused_with_reasons);
    tcase_add_test(tc, long_and_strange_names);
    tcase_add_test(tc, a_file_replaced_after_it_was_read_is_not_moved);
    suite_add_tcase(suite, tc);
    return test_run_suite(suite) ? 1 : 0;
}
