/* keys.h — CURVE key files: generate a key pair, read a secret key file (with
 * ssh-like permission checks), read a public key file.
 *
 * File formats (Z85 = the 40-character text form of a 32-byte CURVE key):
 *
 *   NAME.key  mode 0600, owned by the user that runs the daemon:
 *       # recwatch CURVE key pair "NAME": keep this file secret
 *       public-key = <Z85>
 *       secret-key = <Z85>
 *   NAME.pub  mode 0644: one line, the public key in Z85.
 *
 * Readers allow '#' comments and blank lines. A .pub file (and each file in the
 * authorized keys folder) holds one key: the first line that is a valid key. */
#ifndef RW_KEYS_H
#define RW_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define RW_KEY_Z85_LENGTH 40   /* characters of a Z85 key, without the NUL */
#define RW_KEY_BINARY_LENGTH 32

/* Write DIR/NAME.key (mode 0600: public-key and secret-key lines, Z85) and
 * DIR/NAME.pub (mode 0644: the public key, Z85, one line). Refuses to overwrite
 * either file (-EEXIST). NAME: letters, digits, '.', '_', '-', '@', not starting
 * with '.'. 0 or negative errno, reason in error. */
int rw_keys_generate(const char *directory, const char *name, char *error, size_t error_size);

/* Read a secret key file; refuses one readable or writable by group or others
 * ("keys/server.key: mode 0644 lets others read the secret key; chmod 600 it")
 * and one not owned by the current user. When the file has a public-key line it
 * must match the secret key. public_key and secret_key get 40 chars + NUL. */
int rw_keys_read_secret(const char *path, char *public_key, char *secret_key, char *error,
                        size_t error_size);

/* Read a public key file: the first line that is a valid 40-character Z85 key
 * ('#' comments and blank lines allowed). public_key gets 40 chars + NUL. */
int rw_keys_read_public(const char *path, char *public_key, char *error, size_t error_size);

/* true when text is exactly a 40-character Z85 string that decodes to 32 bytes. */
bool rw_keys_z85_is_valid(const char *text);

#endif
