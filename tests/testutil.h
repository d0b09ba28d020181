/* testutil.h — small helpers shared by the Check suites: paths into the source
 * tree and the shared corpus, temporary folders, whole-file reads and writes. */
#ifndef RW_TESTUTIL_H
#define RW_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif

#include "strings.h"

#define CORPUS_DIR SOURCE_DIR "/../shared/corpus"
#define LEXICON_DIR SOURCE_DIR "/config/lexicon"

/* A fresh folder under $TMPDIR (or /tmp); the caller frees the string. */
static inline char *test_tempdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;
    if (asprintf(&path, "%s/recwatch-test-XXXXXX", base ? base : "/tmp") < 0)
        return NULL;
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

/* The whole file, NUL-terminated; *size gets its length. NULL when unreadable. */
static inline char *test_read_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return NULL;
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *data = malloc((size_t)length + 1);
    if (data && fread(data, 1, (size_t)length, file) != (size_t)length) {
        free(data);
        data = NULL;
    }
    fclose(file);
    if (data) {
        data[length] = '\0';
        if (size)
            *size = (size_t)length;
    }
    return data;
}

static inline int test_write_file(const char *path, const void *data, size_t size)
{
    FILE *file = fopen(path, "wb");
    if (!file)
        return -1;
    size_t written = fwrite(data, 1, size, file);
    return fclose(file) == 0 && written == size ? 0 : -1;
}

/* The languages the shipped lexicons cover, as the config lists them; the caller
 * clears the list. 0, or -1 when out of memory. */
static inline int test_languages(rw_strings_t *languages)
{
    *languages = (rw_strings_t){0};
    if (rw_strings_append(languages, "en", 2) < 0 || rw_strings_append(languages, "fr", 2) < 0 ||
        rw_strings_append(languages, "es", 2) < 0) {
        rw_strings_clear(languages);
        return -1;
    }
    return 0;
}

/* Remove a folder tree made by a test (best effort). */
static inline void test_remove_tree(const char *path)
{
    char *command = NULL;
    if (path && asprintf(&command, "rm -rf '%s'", path) >= 0) {
        if (system(command) != 0)
            fprintf(stderr, "could not remove %s\n", path);
    }
    free(command);
}

/* Run one suite and return the number of failures, for main(). */
static inline int test_run_suite(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed;
}

#endif
