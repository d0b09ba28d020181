/* keys.c — CURVE key files: generation, and reading with the checks that keep
 * a secret key secret (owner and mode, like ssh does for its identity files).
 *
 * This module does not log: every failure comes back as a negative errno with a
 * one-line reason (starting with the file name) in the caller's error buffer, and
 * the caller logs it once. Secret material read from disk is wiped from our
 * buffers (explicit_bzero) before they are freed. */
#include "keys.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

/* The Z85 alphabet (ZeroMQ RFC 32): 85 printable characters, value = position. */
static const char z85_alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/* Largest file we accept as a key file: keys are a few lines. */
#define KEY_FILE_MAX_BYTES 65536

bool rw_keys_z85_is_valid(const char *text)
{
    if (!text || strlen(text) != RW_KEY_Z85_LENGTH)
        return false;
    /* Every group of 5 characters encodes a 32-bit big-endian number; a group
     * whose value does not fit in 32 bits is not valid Z85. */
    for (size_t group = 0; group < RW_KEY_Z85_LENGTH; group += 5) {
        uint64_t value = 0;
        for (size_t i = group; i < group + 5; i++) {
            const char *found = strchr(z85_alphabet, text[i]);
            if (text[i] == '\0' || !found)
                return false;
            value = value * 85 + (uint64_t)(found - z85_alphabet);
        }
        if (value > UINT32_MAX)
            return false;
    }
    return true;
}

/* Remove leading and trailing white space in place; returns the new start. */
static char *trim(char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t length = strlen(text);
    while (length > 0 && strchr(" \t\r\n", text[length - 1]))
        text[--length] = '\0';
    return text;
}

/* If line is "LABEL = VALUE" (or "LABEL: VALUE", value optionally in double
 * quotes, as in CZMQ certificate files), return VALUE (modified in place), else NULL. */
static char *labelled_value(char *line, const char *label)
{
    size_t label_length = strlen(label);
    if (strncmp(line, label, label_length) != 0)
        return NULL;
    char *cursor = line + label_length;
    while (*cursor == ' ' || *cursor == '\t')
        cursor++;
    if (*cursor != '=' && *cursor != ':')
        return NULL;
    cursor = trim(cursor + 1);
    size_t length = strlen(cursor);
    if (length >= 2 && cursor[0] == '"' && cursor[length - 1] == '"') {
        cursor[length - 1] = '\0';
        cursor++;
    }
    return cursor;
}

/* Open path for reading as a regular file of reasonable size; on success *file
 * is open and *status filled. 0 or negative errno with reason. */
static int open_key_file(const char *path, FILE **file, struct stat *status, char *error,
                         size_t error_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int code = errno;
        rw_log_format(error, error_size, "%s: %s", path, strerror(code));
        return -code;
    }
    if (fstat(fd, status) != 0) {
        int code = errno;
        rw_log_format(error, error_size, "%s: %s", path, strerror(code));
        close(fd);
        return -code;
    }
    if (!S_ISREG(status->st_mode)) {
        rw_log_format(error, error_size, "%s: not a regular file", path);
        close(fd);
        return -EINVAL;
    }
    if (status->st_size > KEY_FILE_MAX_BYTES) {
        rw_log_format(error, error_size, "%s: %lld bytes is too large for a key file", path,
                  (long long)status->st_size);
        close(fd);
        return -EFBIG;
    }
    *file = fdopen(fd, "r");
    if (!*file) {
        int code = errno;
        rw_log_format(error, error_size, "%s: %s", path, strerror(code));
        close(fd);
        return -code;
    }
    return 0;
}

int rw_keys_read_public(const char *path, char *public_key, char *error, size_t error_size)
{
    if (!path || !public_key)
        return -EINVAL;
    FILE *file = NULL;
    struct stat status;
    int rc = open_key_file(path, &file, &status, error, error_size);
    if (rc < 0)
        return rc;

    char *line = NULL;
    size_t capacity = 0;
    unsigned line_number = 0, first_bad_line = 0;
    rc = -EINVAL;
    while (getline(&line, &capacity, file) >= 0) {
        line_number++;
        char *text = trim(line);
        if (*text == '\0' || *text == '#')
            continue;
        char *value = labelled_value(text, "public-key");
        if (value)
            text = value;
        if (rw_keys_z85_is_valid(text)) {
            memcpy(public_key, text, RW_KEY_Z85_LENGTH + 1);
            rc = 0;
            break;
        }
        if (first_bad_line == 0)
            first_bad_line = line_number;
    }
    if (ferror(file)) {
        int code = errno ? errno : EIO;
        rw_log_format(error, error_size, "%s: %s", path, strerror(code));
        rc = -code;
    } else if (rc < 0 && first_bad_line > 0) {
        rw_log_format(error, error_size,
                  "%s:%u: not a CURVE public key (expected 40 Z85 characters on one line)", path,
                  first_bad_line);
    } else if (rc < 0) {
        rw_log_format(error, error_size, "%s: no CURVE public key in the file (it is empty)", path);
    }
    free(line);
    fclose(file);
    return rc;
}

/* The permission checks of a secret key file, ssh style. */
static int check_secret_file_status(const char *path, const struct stat *status, char *error,
                                    size_t error_size)
{
    unsigned mode = (unsigned)(status->st_mode & 07777);
    if (status->st_uid != geteuid()) {
        rw_log_format(error, error_size,
                  "%s: owned by uid %u, not by the user running this program (uid %u); "
                  "chown it",
                  path, (unsigned)status->st_uid, (unsigned)geteuid());
        return -EPERM;
    }
    if (mode & (S_IRGRP | S_IROTH)) {
        rw_log_format(error, error_size, "%s: mode %04o lets others read the secret key; chmod 600 it",
                  path, mode);
        return -EPERM;
    }
    if (mode & (S_IWGRP | S_IWOTH)) {
        rw_log_format(error, error_size,
                  "%s: mode %04o lets others replace the secret key; chmod 600 it", path, mode);
        return -EPERM;
    }
    return 0;
}

int rw_keys_read_secret(const char *path, char *public_key, char *secret_key, char *error,
                        size_t error_size)
{
    if (!path || !public_key || !secret_key)
        return -EINVAL;
    FILE *file = NULL;
    struct stat status;
    int rc = open_key_file(path, &file, &status, error, error_size);
    if (rc < 0)
        return rc;
    rc = check_secret_file_status(path, &status, error, error_size);
    if (rc < 0) {
        fclose(file);
        return rc;
    }

    char found_public[RW_KEY_Z85_LENGTH + 1] = "";
    char found_secret[RW_KEY_Z85_LENGTH + 1] = "";
    char *line = NULL;
    size_t capacity = 0;
    unsigned line_number = 0;
    rc = 0;
    while (rc == 0 && getline(&line, &capacity, file) >= 0) {
        line_number++;
        char *text = trim(line);
        if (*text == '\0' || *text == '#')
            continue;
        char *value = labelled_value(text, "secret-key");
        char *target = found_secret;
        if (!value) {
            value = labelled_value(text, "public-key");
            target = found_public;
        }
        if (!value)
            continue; /* other lines (metadata) are allowed and ignored */
        if (!rw_keys_z85_is_valid(value)) {
            rw_log_format(error, error_size, "%s:%u: not a valid 40-character Z85 key", path,
                      line_number);
            rc = -EINVAL;
        } else {
            memcpy(target, value, RW_KEY_Z85_LENGTH + 1);
        }
    }
    if (rc == 0 && ferror(file)) {
        int code = errno ? errno : EIO;
        rw_log_format(error, error_size, "%s: %s", path, strerror(code));
        rc = -code;
    }
    if (line) {
        explicit_bzero(line, capacity);
        free(line);
    }
    fclose(file);

    char derived_public[RW_KEY_Z85_LENGTH + 1] = "";
    if (rc == 0 && found_secret[0] == '\0') {
        rw_log_format(error, error_size, "%s: no \"secret-key = ...\" line", path);
        rc = -EINVAL;
    }
    if (rc == 0 && zmq_curve_public(derived_public, found_secret) != 0) {
        int code = errno;
        rw_log_format(error, error_size, "%s: cannot derive the public key: %s", path,
                  zmq_strerror(code));
        rc = code == ENOTSUP ? -ENOTSUP : -EINVAL;
    }
    if (rc == 0 && found_public[0] != '\0' && strcmp(found_public, derived_public) != 0) {
        rw_log_format(error, error_size, "%s: the public-key line does not match the secret key",
                  path);
        rc = -EINVAL;
    }
    if (rc == 0) {
        memcpy(public_key, derived_public, sizeof derived_public);
        memcpy(secret_key, found_secret, sizeof found_secret);
    }
    explicit_bzero(found_secret, sizeof found_secret);
    return rc;
}

/* Names become file names: keep them plain. */
static bool name_is_valid(const char *name)
{
    if (!name || name[0] == '\0' || name[0] == '.' || strlen(name) > 128)
        return false;
    for (const char *c = name; *c; c++) {
        bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9') || strchr("._-@", *c);
        if (!plain)
            return false;
    }
    return true;
}

/* Create path (which must not exist) with exactly mode, write text, fsync. */
static int write_new_file(const char *path, mode_t mode, const char *text, char *error,
                          size_t error_size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        int code = errno;
        if (code == EEXIST)
            rw_log_format(error, error_size, "%s already exists; refusing to overwrite it", path);
        else
            rw_log_format(error, error_size, "%s: %s", path, strerror(code));
        return -code;
    }
    int code = 0;
    size_t length = strlen(text), done = 0;
    if (fchmod(fd, mode) != 0) /* the umask may have removed bits we want */
        code = errno;
    while (code == 0 && done < length) {
        ssize_t written = write(fd, text + done, length - done);
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            code = errno;
        else
            done += (size_t)written;
    }
    if (code == 0 && fsync(fd) != 0)
        code = errno;
    if (close(fd) != 0 && code == 0)
        code = errno;
    if (code != 0) {
        rw_log_format(error, error_size, "%s: %s", path, strerror(code));
        unlink(path);
        return -code;
    }
    return 0;
}

int rw_keys_generate(const char *directory, const char *name, char *error, size_t error_size)
{
    if (!directory || !name_is_valid(name)) {
        rw_log_format(error, error_size,
                  "key name \"%s\" is not valid (use letters, digits, '.', '_', '-', '@'; "
                  "not starting with '.')",
                  name ? name : "");
        return -EINVAL;
    }
    char key_path[PATH_MAX], pub_path[PATH_MAX];
    int key_length = snprintf(key_path, sizeof key_path, "%s/%s.key", directory, name);
    int pub_length = snprintf(pub_path, sizeof pub_path, "%s/%s.pub", directory, name);
    if (key_length < 0 || pub_length < 0 || (size_t)key_length >= sizeof key_path ||
        (size_t)pub_length >= sizeof pub_path) {
        rw_log_format(error, error_size, "%s: path too long", directory);
        return -ENAMETOOLONG;
    }
    /* Refuse before creating anything, so a refusal leaves no half pair behind. */
    struct stat status;
    const char *existing = lstat(key_path, &status) == 0   ? key_path
                           : lstat(pub_path, &status) == 0 ? pub_path
                                                           : NULL;
    if (existing) {
        rw_log_format(error, error_size, "%s already exists; refusing to overwrite it", existing);
        return -EEXIST;
    }

    char public_key[RW_KEY_Z85_LENGTH + 1], secret_key[RW_KEY_Z85_LENGTH + 1];
    if (zmq_curve_keypair(public_key, secret_key) != 0) {
        int code = errno;
        rw_log_format(error, error_size, "cannot generate a CURVE key pair: %s", zmq_strerror(code));
        return code == ENOTSUP ? -ENOTSUP : -EIO;
    }
    char key_text[256], pub_text[64];
    snprintf(key_text, sizeof key_text,
             "# recwatch CURVE key pair \"%s\": keep this file secret (mode 0600)\n"
             "public-key = %s\nsecret-key = %s\n",
             name, public_key, secret_key);
    snprintf(pub_text, sizeof pub_text, "%s\n", public_key);

    int rc = write_new_file(key_path, 0600, key_text, error, error_size);
    explicit_bzero(key_text, sizeof key_text);
    explicit_bzero(secret_key, sizeof secret_key);
    if (rc < 0)
        return rc;
    rc = write_new_file(pub_path, 0644, pub_text, error, error_size);
    if (rc < 0) {
        unlink(key_path);
        return rc;
    }
    return 0;
}
