/* test_watch.c — the spool watcher: ignore rules, inotify events, start-up scan,
 * and the rescan after a kernel queue overflow. */
#include "testutil.h"

#include <fcntl.h>
#include <poll.h>

#include "queue.h"
#include "watch.h"

static char *folder;
static rw_strings_t patterns;

static void setup(void)
{
    folder = test_tempdir();
    const char *globs[] = {"*.txt", "*.html", "*.htm", "*.md"};
    for (size_t i = 0; i < 4; i++)
        rw_strings_append(&patterns, globs[i], strlen(globs[i]));
}

static void teardown(void)
{
    rw_strings_clear(&patterns);
    test_remove_tree(folder);
    free(folder);
}

static void write_in(const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    ck_assert_int_eq(test_write_file(path, text, strlen(text)), 0);
}

static void wait_readable(rw_watch_t *watch)
{
    struct pollfd item = {rw_watch_fd(watch), POLLIN, 0};
    ck_assert_int_eq(poll(&item, 1, 2000), 1);
}

START_TEST(ignore_rules)
{
    char error[256];
    rw_watch_t *watch = rw_watch_new(folder, &patterns, error, sizeof error);
    ck_assert_msg(watch != NULL, "%s", error);
    ck_assert(rw_watch_accepts(watch, "statement.txt"));
    ck_assert(rw_watch_accepts(watch, "page.HTML"));
    ck_assert(rw_watch_accepts(watch, "notes.md"));
    ck_assert(!rw_watch_accepts(watch, ".hidden.txt"));
    ck_assert(!rw_watch_accepts(watch, "upload.txt.part"));
    ck_assert(!rw_watch_accepts(watch, "upload.tmp"));
    ck_assert(!rw_watch_accepts(watch, "backup.txt~"));
    ck_assert(!rw_watch_accepts(watch, "image.png"));
    rw_watch_destroy(&watch);
    ck_assert_ptr_null(watch);
}
END_TEST

START_TEST(close_write_and_rename_are_reported)
{
    char error[256];
    rw_watch_t *watch = rw_watch_new(folder, &patterns, error, sizeof error);
    rw_queue_t *queue = rw_queue_new();
    write_in("a.txt", "hello");
    write_in("b.txt.part", "partial");
    write_in("c.png", "image");
    wait_readable(watch);
    ck_assert_int_eq(rw_watch_read(watch, queue), 1);
    char from[1024], to[1024];
    snprintf(from, sizeof from, "%s/b.txt.part", folder);
    snprintf(to, sizeof to, "%s/b.txt", folder);
    ck_assert_int_eq(rename(from, to), 0);
    wait_readable(watch);
    ck_assert_int_eq(rw_watch_read(watch, queue), 1);
    char *name = rw_queue_pop(queue);
    ck_assert_str_eq(name, "a.txt");
    free(name);
    name = rw_queue_pop(queue);
    ck_assert_str_eq(name, "b.txt");
    free(name);
    ck_assert_uint_eq(rw_queue_size(queue), 0);
    rw_queue_destroy(&queue);
    rw_watch_destroy(&watch);
}
END_TEST

START_TEST(a_file_written_in_pieces_is_reported_when_closed)
{
    char error[256], path[1024];
    rw_watch_t *watch = rw_watch_new(folder, &patterns, error, sizeof error);
    rw_queue_t *queue = rw_queue_new();
    snprintf(path, sizeof path, "%s/slow.txt", folder);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "first ", 6), 6);
    ck_assert_int_eq(rw_watch_read(watch, queue), 0); /* nothing while it is open */
    ck_assert_int_eq(write(fd, "second", 6), 6);
    close(fd);
    wait_readable(watch);
    ck_assert_int_eq(rw_watch_read(watch, queue), 1);
    rw_queue_destroy(&queue);
    rw_watch_destroy(&watch);
}
END_TEST

START_TEST(scan_finds_files_already_there_oldest_first)
{
    write_in("second.txt", "2");
    write_in("first.txt", "1");
    char path[1024];
    struct timespec times[2] = {{1000, 0}, {1000, 0}};
    snprintf(path, sizeof path, "%s/first.txt", folder);
    utimensat(AT_FDCWD, path, times, 0);
    write_in(".hidden.txt", "h");
    char error[256];
    rw_watch_t *watch = rw_watch_new(folder, &patterns, error, sizeof error);
    rw_queue_t *queue = rw_queue_new();
    ck_assert_int_eq(rw_watch_scan(watch, queue), 2);
    char *name = rw_queue_pop(queue);
    ck_assert_str_eq(name, "first.txt");
    free(name);
    rw_queue_destroy(&queue);
    rw_watch_destroy(&watch);
}
END_TEST

START_TEST(overflow_triggers_a_rescan_and_nothing_is_missed)
{
    /* shrink nothing: write more files than the default queue holds (16384) would be
     * slow here, so instead check that after many events, every file is queued once */
    char error[256];
    rw_watch_t *watch = rw_watch_new(folder, &patterns, error, sizeof error);
    rw_queue_t *queue = rw_queue_new();
    int max_events = 16384;
    FILE *limit = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
    if (limit) {
        if (fscanf(limit, "%d", &max_events) != 1)
            max_events = 16384;
        fclose(limit);
    }
    int files = max_events + 500;
    if (files > 40000)
        files = 40000;
    char name[64];
    for (int i = 0; i < files; i++) {
        snprintf(name, sizeof name, "f%05d.txt", i);
        write_in(name, "x");
    }
    while (rw_watch_read(watch, queue) > 0)
        ;
    ck_assert_uint_eq(rw_queue_size(queue), (size_t)files);
    if (files > max_events)
        ck_assert_uint_ge(rw_watch_overflows(watch), 1);
    rw_queue_destroy(&queue);
    rw_watch_destroy(&watch);
}
END_TEST

START_TEST(missing_folder_is_an_error)
{
    char error[256];
    ck_assert_ptr_null(rw_watch_new("/nonexistent/incoming", &patterns, error, sizeof error));
    ck_assert_msg(strstr(error, "/nonexistent/incoming") != NULL, "%s", error);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("watch");
    TCase *tc = tcase_create("watch");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ignore_rules);
    tcase_add_test(tc, close_write_and_rename_are_reported);
    tcase_add_test(tc, a_file_written_in_pieces_is_reported_when_closed);
    tcase_add_test(tc, scan_finds_files_already_there_oldest_first);
    tcase_add_test(tc, overflow_triggers_a_rescan_and_nothing_is_missed);
    tcase_add_test(tc, missing_folder_is_an_error);
    suite_add_tcase(suite, tc);
    return test_run_suite(suite) ? 1 : 0;
}
