/* test_config.c — configuration: defaults, relative paths, errors with file and line. */
#include "testutil.h"

#include "config.h"

static char *folder;

static void setup(void) { folder = test_tempdir(); }
static void teardown(void) { test_remove_tree(folder); free(folder); }

static rw_config_t *load_text(const char *text, char *error, size_t error_size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/recwatch.conf", folder);
    ck_assert_int_eq(test_write_file(path, text, strlen(text)), 0);
    return rw_config_load(path, error, error_size);
}

START_TEST(defaults_for_every_key)
{
    char error[256] = "";
    rw_config_t *config = load_text("", error, sizeof error);
    ck_assert_msg(config != NULL, "%s", error);
    ck_assert_str_eq(config->spool_incoming + strlen(folder), "/spool/incoming");
    ck_assert_str_eq(config->state_dir + strlen(folder), "/state");
    ck_assert_int_eq(config->spool_patterns.count, 4);
    ck_assert_uint_eq(config->spool_max_bytes, 16777216);
    ck_assert_str_eq(config->publish_endpoints.items[0], "tcp://127.0.0.1:5560");
    ck_assert_str_eq(config->replay_endpoint, "tcp://127.0.0.1:5561");
    ck_assert_int_eq(config->publish_heartbeat_s, 5);
    ck_assert_int_eq(config->publish_sndhwm, 100000);
    ck_assert(config->extract_min_confidence == 0.5);
    ck_assert(!config->security_curve);
    ck_assert(config->node[0] != '\0');
    ck_assert_int_eq(rw_config_validate(config, error, sizeof error), 0);
    rw_config_destroy(&config);
    ck_assert_ptr_null(config);
}
END_TEST

START_TEST(values_and_relative_paths)
{
    char error[256] = "";
    rw_config_t *config = load_text(
        "node = \"n1\";\n"
        "spool: { incoming = \"in\"; done = \"/abs/done\"; patterns = [\"*.txt\"]; max_bytes = 1024; };\n"
        "publish: { endpoints = [\"tcp://127.0.0.1:7000\", \"ipc:///tmp/x\"]; heartbeat_s = 2; };\n"
        "extract: { min_confidence = 0.7; languages = [\"en\"]; };\n"
        "state: { retain_bytes = 5000000000L; retain_days = 7; };\n"
        "security: { curve = true; };\n",
        error, sizeof error);
    ck_assert_msg(config != NULL, "%s", error);
    ck_assert_str_eq(config->node, "n1");
    ck_assert_str_eq(config->spool_incoming + strlen(folder), "/in");
    ck_assert_str_eq(config->spool_done, "/abs/done");
    ck_assert_int_eq(config->spool_patterns.count, 1);
    ck_assert_uint_eq(config->spool_max_bytes, 1024);
    ck_assert_int_eq(config->publish_endpoints.count, 2);
    ck_assert_int_eq(config->publish_heartbeat_s, 2);
    ck_assert(config->extract_min_confidence == 0.7);
    ck_assert_uint_eq(config->state_retain_bytes, 5000000000ULL);
    ck_assert_uint_eq(config->state_retain_days, 7);
    ck_assert(config->security_curve);
    rw_config_destroy(&config);
}
END_TEST

START_TEST(unknown_key_names_file_and_line)
{
    char error[256] = "";
    rw_config_t *config = load_text("node = \"a\";\n\nspool: {\n  incomming = \"x\";\n};\n",
                                    error, sizeof error);
    ck_assert_ptr_null(config);
    ck_assert_msg(strstr(error, "recwatch.conf:4:") != NULL, "%s", error);
    ck_assert_msg(strstr(error, "unknown setting spool.incomming") != NULL, "%s", error);
}
END_TEST

START_TEST(unknown_group_is_an_error)
{
    char error[256] = "";
    ck_assert_ptr_null(load_text("spoool: { incoming = \"x\"; };\n", error, sizeof error));
    ck_assert_msg(strstr(error, "unknown setting spoool") != NULL, "%s", error);
}
END_TEST

START_TEST(wrong_type_names_file_and_line)
{
    char error[256] = "";
    rw_config_t *config = load_text("publish: {\n heartbeat_s = \"five\";\n};\n", error, sizeof error);
    ck_assert_ptr_null(config);
    ck_assert_msg(strstr(error, ":2:") && strstr(error, "publish.heartbeat_s must be an integer"),
                  "%s", error);
    config = load_text("publish: { endpoints = \"tcp://127.0.0.1:1\"; };\n", error, sizeof error);
    ck_assert_ptr_null(config);
    ck_assert_msg(strstr(error, "list of strings") != NULL, "%s", error);
    config = load_text("security: { curve = 1; };\n", error, sizeof error);
    ck_assert_ptr_null(config);
    ck_assert_msg(strstr(error, "true or false") != NULL, "%s", error);
}
END_TEST

START_TEST(syntax_error_names_line)
{
    char error[256] = "";
    ck_assert_ptr_null(load_text("node = \"a\"\nspool: {", error, sizeof error));
    ck_assert_msg(strstr(error, "recwatch.conf:") != NULL, "%s", error);
}
END_TEST

START_TEST(missing_file)
{
    char error[256] = "";
    ck_assert_ptr_null(rw_config_load("/nonexistent/recwatch.conf", error, sizeof error));
    ck_assert_msg(strstr(error, "/nonexistent/recwatch.conf") && strstr(error, "No such file"),
                  "%s", error);
}
END_TEST

START_TEST(validation)
{
    char error[256] = "";
    rw_config_t *config = load_text("extract: { min_confidence = 1.5; };", error, sizeof error);
    ck_assert_ptr_nonnull(config);
    ck_assert_int_lt(rw_config_validate(config, error, sizeof error), 0);
    ck_assert_msg(strstr(error, "min_confidence") != NULL, "%s", error);
    rw_config_destroy(&config);
    config = load_text("publish: { endpoints = []; };", error, sizeof error);
    ck_assert_ptr_nonnull(config);
    ck_assert_int_lt(rw_config_validate(config, error, sizeof error), 0);
    rw_config_destroy(&config);
    config = load_text("publish: { heartbeat_s = 0; };", error, sizeof error);
    ck_assert_int_lt(rw_config_validate(config, error, sizeof error), 0);
    rw_config_destroy(&config);
}
END_TEST

START_TEST(example_file_is_valid_and_prints_back)
{
    char error[256] = "";
    rw_config_t *config = rw_config_load(SOURCE_DIR "/config/recwatch.conf", error, sizeof error);
    ck_assert_msg(config != NULL, "%s", error);
    ck_assert_int_eq(rw_config_validate(config, error, sizeof error), 0);
    /* the printed settings are themselves a valid file with the same values */
    char path[512];
    snprintf(path, sizeof path, "%s/printed.conf", folder);
    FILE *out = fopen(path, "w");
    rw_config_print(config, out);
    fclose(out);
    rw_config_t *again = rw_config_load(path, error, sizeof error);
    ck_assert_msg(again != NULL, "%s", error);
    ck_assert_str_eq(again->spool_incoming, config->spool_incoming);
    ck_assert_str_eq(again->node, config->node);
    ck_assert_int_eq(again->extract_languages.count, config->extract_languages.count);
    rw_config_destroy(&again);
    rw_config_destroy(&config);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_for_every_key);
    tcase_add_test(tc, values_and_relative_paths);
    tcase_add_test(tc, unknown_key_names_file_and_line);
    tcase_add_test(tc, unknown_group_is_an_error);
    tcase_add_test(tc, wrong_type_names_file_and_line);
    tcase_add_test(tc, syntax_error_names_line);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, validation);
    tcase_add_test(tc, example_file_is_valid_and_prints_back);
    suite_add_tcase(suite, tc);
    return test_run_suite(suite) ? 1 : 0;
}
