/* test_queue.c — the FIFO of unique names. */
#include "testutil.h"

#include "queue.h"

START_TEST(fifo_order_and_uniqueness)
{
    rw_queue_t *queue = rw_queue_new();
    ck_assert_int_eq(rw_queue_push(queue, "a.txt"), 1);
    ck_assert_int_eq(rw_queue_push(queue, "b.txt"), 1);
    ck_assert_int_eq(rw_queue_push(queue, "a.txt"), 0);
    ck_assert_uint_eq(rw_queue_size(queue), 2);
    ck_assert(rw_queue_contains(queue, "b.txt"));
    char *name = rw_queue_pop(queue);
    ck_assert_str_eq(name, "a.txt");
    free(name);
    ck_assert(!rw_queue_contains(queue, "a.txt"));
    ck_assert_int_eq(rw_queue_push(queue, "a.txt"), 1); /* may come again once taken */
    name = rw_queue_pop(queue);
    ck_assert_str_eq(name, "b.txt");
    free(name);
    name = rw_queue_pop(queue);
    ck_assert_str_eq(name, "a.txt");
    free(name);
    ck_assert_ptr_null(rw_queue_pop(queue));
    rw_queue_destroy(&queue);
    ck_assert_ptr_null(queue);
}
END_TEST

START_TEST(many_names_with_churn)
{
    rw_queue_t *queue = rw_queue_new();
    char name[32];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 20000; i++) {
            snprintf(name, sizeof name, "f%d.txt", i);
            ck_assert_int_eq(rw_queue_push(queue, name), 1);
        }
        for (int i = 0; i < 20000; i += 7) {
            snprintf(name, sizeof name, "f%d.txt", i);
            ck_assert_int_eq(rw_queue_push(queue, name), 0);
        }
        ck_assert_uint_eq(rw_queue_size(queue), 20000);
        for (int i = 0; i < 20000; i++) {
            char *taken = rw_queue_pop(queue);
            snprintf(name, sizeof name, "f%d.txt", i);
            ck_assert_str_eq(taken, name);
            free(taken);
        }
    }
    ck_assert_uint_eq(rw_queue_size(queue), 0);
    rw_queue_destroy(&queue);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("queue");
    TCase *tc = tcase_create("queue");
    tcase_add_test(tc, fifo_order_and_uniqueness);
    tcase_add_test(tc, many_names_with_churn);
    suite_add_tcase(suite, tc);
    return test_run_suite(suite) ? 1 : 0;
}
