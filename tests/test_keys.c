/* test_keys.c — key files: generation with the right modes, refusal to overwrite,
 * the permission and ownership checks on secret keys, malformed files. */
#include <errno.h>
#include <zmq.h>

#include "keys.h"
#include "log.h"
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

static char *path_in(const char *name)
{
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "%s/%s", folder, name), 0);
    return path;
}

static unsigned file_mode(const char *path)
{
    struct stat status;
    ck_assert_int_eq(stat(path, &status), 0);
    return (unsigned)(status.st_mode & 07777);
}

START_TEST(test_generate_modes_and_content)
{
    mode_t old_umask = umask(0077); /* the .pub must still come out 0644 */
    char error[512] = "";
    int rc = rw_keys_generate(folder, "alice", error, sizeof error);
    umask(old_umask);
    ck_assert_msg(rc == 0, "generate: %s", error);

    char *key_path = path_in("alice.key"), *pub_path = path_in("alice.pub");
    ck_assert_uint_eq(file_mode(key_path), 0600);
    ck_assert_uint_eq(file_mode(pub_path), 0644);

    char public_key[41], secret_key[41], published[41];
    rc = rw_keys_read_secret(key_path, public_key, secret_key, error, sizeof error);
    ck_assert_msg(rc == 0, "read secret: %s", error);
    rc = rw_keys_read_public(pub_path, published, error, sizeof error);
    ck_assert_msg(rc == 0, "read public: %s", error);
    ck_assert_str_eq(public_key, published);
    ck_assert_uint_eq(strlen(secret_key), RW_KEY_Z85_LENGTH);
    ck_assert_str_ne(public_key, secret_key);

    /* The pair really belongs together. */
    char derived[41];
    ck_assert_int_eq(zmq_curve_public(derived, secret_key), 0);
    ck_assert_str_eq(derived, public_key);

    /* The .pub file is exactly one line: the key. */
    char *text = test_read_file(pub_path, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(strlen(text), RW_KEY_Z85_LENGTH + 1);
    ck_assert_int_eq(strncmp(text, public_key, RW_KEY_Z85_LENGTH), 0);
    free(text);

    /* Two generations give two different pairs. */
    rc = rw_keys_generate(folder, "bob", error, sizeof error);
    ck_assert_int_eq(rc, 0);
    char *bob_pub = path_in("bob.pub");
    char bob_key[41];
    ck_assert_int_eq(rw_keys_read_public(bob_pub, bob_key, error, sizeof error), 0);
    ck_assert_str_ne(bob_key, public_key);
    free(bob_pub);
    free(key_path);
    free(pub_path);
}
END_TEST

START_TEST(test_generate_refuses_to_overwrite)
{
    char error[512] = "";
    ck_assert_int_eq(rw_keys_generate(folder, "server", error, sizeof error), 0);
    char *key_path = path_in("server.key");
    char *before = test_read_file(key_path, NULL);
    ck_assert_ptr_nonnull(before);

    int rc = rw_keys_generate(folder, "server", error, sizeof error);
    ck_assert_int_eq(rc, -EEXIST);
    ck_assert_msg(strstr(error, "server.key already exists") != NULL, "message: %s", error);
    char *after = test_read_file(key_path, NULL);
    ck_assert_str_eq(before, after);

    /* Only the .pub existing is enough to refuse, and nothing is left behind. */
    char *pub_only = path_in("carol.pub"), *carol_key = path_in("carol.key");
    ck_assert_int_eq(test_write_file(pub_only, "x\n", 2), 0);
    rc = rw_keys_generate(folder, "carol", error, sizeof error);
    ck_assert_int_eq(rc, -EEXIST);
    ck_assert_int_ne(access(carol_key, F_OK), 0);
    free(pub_only);
    free(carol_key);
    free(before);
    free(after);
    free(key_path);
}
END_TEST

START_TEST(test_generate_rejects_bad_names)
{
    char error[512] = "";
    ck_assert_int_eq(rw_keys_generate(folder, "../escape", error, sizeof error), -EINVAL);
    ck_assert_int_eq(rw_keys_generate(folder, ".hidden", error, sizeof error), -EINVAL);
    ck_assert_int_eq(rw_keys_generate(folder, "", error, sizeof error), -EINVAL);
    ck_assert_int_eq(rw_keys_generate(folder, "a b", error, sizeof error), -EINVAL);
    ck_assert_int_eq(rw_keys_generate("/nonexistent-recwatch-dir", "x", error, sizeof error),
                     -ENOENT);
    ck_assert_msg(strstr(error, "/nonexistent-recwatch-dir/x.key") != NULL, "message: %s", error);
}
END_TEST

START_TEST(test_secret_with_open_mode_is_refused)
{
    char error[512] = "";
    ck_assert_int_eq(rw_keys_generate(folder, "server", error, sizeof error), 0);
    char *key_path = path_in("server.key");
    char public_key[41], secret_key[41];

    ck_assert_int_eq(chmod(key_path, 0644), 0);
    int rc = rw_keys_read_secret(key_path, public_key, secret_key, error, sizeof error);
    ck_assert_int_eq(rc, -EPERM);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: mode 0644 lets others read the secret key; chmod 600 it", key_path);
    ck_assert_str_eq(error, expected);

    ck_assert_int_eq(chmod(key_path, 0620), 0);
    rc = rw_keys_read_secret(key_path, public_key, secret_key, error, sizeof error);
    ck_assert_int_eq(rc, -EPERM);
    ck_assert_msg(strstr(error, "mode 0620") && strstr(error, "chmod 600"), "message: %s", error);

    ck_assert_int_eq(chmod(key_path, 0400), 0); /* read-only for the owner is fine */
    ck_assert_int_eq(rw_keys_read_secret(key_path, public_key, secret_key, error, sizeof error), 0);
    free(key_path);
}
END_TEST

START_TEST(test_secret_owned_by_someone_else_is_refused)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test_keys: not root, cannot chown: ownership case skipped\n");
        return;
    }
    char error[512] = "";
    ck_assert_int_eq(rw_keys_generate(folder, "server", error, sizeof error), 0);
    char *key_path = path_in("server.key");
    ck_assert_int_eq(chown(key_path, 1, 1), 0);
    char public_key[41], secret_key[41];
    int rc = rw_keys_read_secret(key_path, public_key, secret_key, error, sizeof error);
    ck_assert_int_eq(rc, -EPERM);
    ck_assert_msg(strstr(error, "owned by uid 1") != NULL, "message: %s", error);
    free(key_path);
}
END_TEST

START_TEST(test_secret_with_mismatched_public_line)
{
    char public_key[41], secret_key[41], other_public[41], other_secret[41], error[512] = "";
    ck_assert_int_eq(zmq_curve_keypair(public_key, secret_key), 0);
    ck_assert_int_eq(zmq_curve_keypair(other_public, other_secret), 0);
    char *key_path = path_in("mixed.key");
    char text[256];
    snprintf(text, sizeof text, "public-key = %s\nsecret-key = %s\n", other_public, secret_key);
    ck_assert_int_eq(test_write_file(key_path, text, strlen(text)), 0);
    ck_assert_int_eq(chmod(key_path, 0600), 0);
    char read_public[41], read_secret[41];
    int rc = rw_keys_read_secret(key_path, read_public, read_secret, error, sizeof error);
    ck_assert_int_eq(rc, -EINVAL);
    ck_assert_msg(strstr(error, "does not match"), "message: %s", error);

    /* Without a public-key line, the public key is derived; quotes are allowed. */
    snprintf(text, sizeof text, "# a comment\n    secret-key = \"%s\"\n", secret_key);
    ck_assert_int_eq(test_write_file(key_path, text, strlen(text)), 0);
    rc = rw_keys_read_secret(key_path, read_public, read_secret, error, sizeof error);
    ck_assert_msg(rc == 0, "read: %s", error);
    ck_assert_str_eq(read_public, public_key);
    ck_assert_str_eq(read_secret, secret_key);

    /* No secret-key line at all. */
    snprintf(text, sizeof text, "public-key = %s\n", public_key);
    ck_assert_int_eq(test_write_file(key_path, text, strlen(text)), 0);
    rc = rw_keys_read_secret(key_path, read_public, read_secret, error, sizeof error);
    ck_assert_int_eq(rc, -EINVAL);
    ck_assert_msg(strstr(error, "mixed.key") && strstr(error, "secret-key"), "message: %s", error);
    free(key_path);
}
END_TEST

START_TEST(test_public_file_formats)
{
    char public_key[41], secret_key[41], read_key[41], error[512] = "";
    ck_assert_int_eq(zmq_curve_keypair(public_key, secret_key), 0);
    char *path = path_in("alice.pub");
    char text[256];

    snprintf(text, sizeof text, "# Alice, newsroom\n\n   %s  \r\n", public_key);
    ck_assert_int_eq(test_write_file(path, text, strlen(text)), 0);
    ck_assert_int_eq(rw_keys_read_public(path, read_key, error, sizeof error), 0);
    ck_assert_str_eq(read_key, public_key);

    /* A malformed file: the message names the file and the line. */
    ck_assert_int_eq(test_write_file(path, "# comment\nnot a key at all\n", 27), 0);
    int rc = rw_keys_read_public(path, read_key, error, sizeof error);
    ck_assert_int_eq(rc, -EINVAL);
    ck_assert_msg(strstr(error, "alice.pub:2:") != NULL, "message: %s", error);

    /* One character short. */
    snprintf(text, sizeof text, "%.39s\n", public_key);
    ck_assert_int_eq(test_write_file(path, text, strlen(text)), 0);
    ck_assert_int_eq(rw_keys_read_public(path, read_key, error, sizeof error), -EINVAL);

    /* Empty file and missing file. */
    ck_assert_int_eq(test_write_file(path, "", 0), 0);
    ck_assert_int_eq(rw_keys_read_public(path, read_key, error, sizeof error), -EINVAL);
    ck_assert_msg(strstr(error, "alice.pub") != NULL, "message: %s", error);
    char *missing = path_in("missing.pub");
    ck_assert_int_eq(rw_keys_read_public(missing, read_key, error, sizeof error), -ENOENT);
    ck_assert_msg(strstr(error, "missing.pub") != NULL, "message: %s", error);
    free(missing);
    free(path);
}
END_TEST

START_TEST(test_z85_validation)
{
    char public_key[41], secret_key[41];
    ck_assert_int_eq(zmq_curve_keypair(public_key, secret_key), 0);
    ck_assert(rw_keys_z85_is_valid(public_key));
    ck_assert(rw_keys_z85_is_valid(secret_key));
    ck_assert(!rw_keys_z85_is_valid(NULL));
    ck_assert(!rw_keys_z85_is_valid(""));
    char text[64];
    snprintf(text, sizeof text, "%.39s", public_key);
    ck_assert(!rw_keys_z85_is_valid(text));
    snprintf(text, sizeof text, "%sx", public_key);
    ck_assert(!rw_keys_z85_is_valid(text));
    snprintf(text, sizeof text, "%s", public_key);
    text[7] = ' '; /* not in the alphabet */
    ck_assert(!rw_keys_z85_is_valid(text));
    text[7] = '"';
    ck_assert(!rw_keys_z85_is_valid(text));
    /* Right length and alphabet, but "#####" is more than 32 bits. */
    ck_assert(!rw_keys_z85_is_valid("########################################"));
    ck_assert(rw_keys_z85_is_valid("0000000000000000000000000000000000000000"));
}
END_TEST

static Suite *keys_suite(void)
{
    Suite *suite = suite_create("keys");
    TCase *tcase = tcase_create("files");
    tcase_add_checked_fixture(tcase, setup, teardown);
    tcase_add_test(tcase, test_generate_modes_and_content);
    tcase_add_test(tcase, test_generate_refuses_to_overwrite);
    tcase_add_test(tcase, test_generate_rejects_bad_names);
    tcase_add_test(tcase, test_secret_with_open_mode_is_refused);
    tcase_add_test(tcase, test_secret_owned_by_someone_else_is_refused);
    tcase_add_test(tcase, test_secret_with_mismatched_public_line);
    tcase_add_test(tcase, test_public_file_formats);
    tcase_add_test(tcase, test_z85_validation);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    rw_log_set_level(RW_LOG_ERROR);
    return test_run_suite(keys_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
