/* config.c — read the daemon's settings from a libconfig file.
 *
 * A table lists every known key with its type and where it goes in rw_config_t, so
 * that defaults, type checks, unknown-key errors and printing all follow from one
 * place. Relative paths are made absolute against the config file's folder. */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { KEY_STRING, KEY_PATH, KEY_INT, KEY_INT64, KEY_FLOAT, KEY_BOOL, KEY_LIST } key_type_t;

typedef struct {
    const char *group;   /* NULL: top level */
    const char *name;
    key_type_t type;
    size_t offset;       /* into rw_config_t */
} key_t_;

#define FIELD(name) offsetof(rw_config_t, name)

static const key_t_ keys[] = {
    {NULL, "node", KEY_STRING, FIELD(node)},
    {"spool", "incoming", KEY_PATH, FIELD(spool_incoming)},
    {"spool", "done", KEY_PATH, FIELD(spool_done)},
    {"spool", "failed", KEY_PATH, FIELD(spool_failed)},
    {"spool", "patterns", KEY_LIST, FIELD(spool_patterns)},
    {"spool", "max_bytes", KEY_INT64, FIELD(spool_max_bytes)},
    {"state", "dir", KEY_PATH, FIELD(state_dir)},
    {"state", "retain_bytes", KEY_INT64, FIELD(state_retain_bytes)},
    {"state", "retain_days", KEY_INT, FIELD(state_retain_days)},
    {"publish", "endpoints", KEY_LIST, FIELD(publish_endpoints)},
    {"publish", "connect", KEY_LIST, FIELD(publish_connect)},
    {"publish", "sndhwm", KEY_INT, FIELD(publish_sndhwm)},
    {"publish", "heartbeat_s", KEY_INT, FIELD(publish_heartbeat_s)},
    {"publish", "forwarder_key", KEY_PATH, FIELD(publish_forwarder_key)},
    {"replay", "endpoint", KEY_STRING, FIELD(replay_endpoint)},
    {"replay", "advertise", KEY_STRING, FIELD(replay_advertise)},
    {"extract", "languages", KEY_LIST, FIELD(extract_languages)},
    {"extract", "lexicons", KEY_PATH, FIELD(extract_lexicons)},
    {"extract", "min_confidence", KEY_FLOAT, FIELD(extract_min_confidence)},
    {"security", "curve", KEY_BOOL, FIELD(security_curve)},
    {"security", "secret_key_file", KEY_PATH, FIELD(security_secret_key_file)},
    {"security", "authorized_keys_dir", KEY_PATH, FIELD(security_authorized_keys_dir)},
    {"security", "allow_plain_remote", KEY_BOOL, FIELD(security_allow_plain_remote)},
    {"log", "level", KEY_STRING, FIELD(log_level)},
};
#define KEY_COUNT (sizeof keys / sizeof keys[0])

static const char *const groups[] = {"spool", "state", "publish", "replay", "extract",
                                     "security", "log"};

static void *field_of(rw_config_t *self, const key_t_ *key)
{
    return (char *)self + key->offset;
}

/* base/relative, or relative itself when it is absolute. */
static char *path_join(const char *base, const char *relative)
{
    if (relative[0] == '/' || !base)
        return strdup(relative);
    char *joined = NULL;
    if (asprintf(&joined, "%s/%s", base, relative) < 0)
        return NULL;
    return joined;
}

static int set_string(char **slot, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return -ENOMEM;
    free(*slot);
    *slot = copy;
    return 0;
}

static int set_path(char **slot, const char *base, const char *value)
{
    char *joined = path_join(base, value);
    if (!joined)
        return -ENOMEM;
    free(*slot);
    *slot = joined;
    return 0;
}

static int set_list(rw_strings_t *list, const char *const *values, size_t count)
{
    rw_strings_clear(list);
    for (size_t i = 0; i < count; i++)
        if (rw_strings_append(list, values[i], strlen(values[i])) < 0)
            return -ENOMEM;
    return 0;
}

static int apply_defaults(rw_config_t *self, const char *base)
{
    static const char *const patterns[] = {"*.txt", "*.html", "*.htm", "*.md"};
    static const char *const endpoints[] = {"tcp://127.0.0.1:5560"};
    static const char *const languages[] = {"en", "fr", "es"};
    char host[HOST_NAME_MAX + 1] = "recwatch";
    if (gethostname(host, sizeof host) < 0)
        strcpy(host, "recwatch");
    host[HOST_NAME_MAX] = '\0';

    int status = 0;
    status |= set_string(&self->node, host);
    status |= set_path(&self->spool_incoming, base, "spool/incoming");
    status |= set_path(&self->spool_done, base, "spool/done");
    status |= set_path(&self->spool_failed, base, "spool/failed");
    status |= set_list(&self->spool_patterns, patterns, 4);
    self->spool_max_bytes = 16777216;
    status |= set_path(&self->state_dir, base, "state");
    self->state_retain_bytes = 1073741824ULL;
    self->state_retain_days = 365;
    status |= set_list(&self->publish_endpoints, endpoints, 1);
    self->publish_sndhwm = 100000;
    self->publish_heartbeat_s = 5;
    status |= set_string(&self->publish_forwarder_key, "");   /* none */
    status |= set_string(&self->replay_endpoint, "tcp://127.0.0.1:5561");
    status |= set_string(&self->replay_advertise, "");
    status |= set_list(&self->extract_languages, languages, 3);
    status |= set_path(&self->extract_lexicons, base, "lexicon");
    self->extract_min_confidence = 0.5;
    self->security_curve = false;
    status |= set_path(&self->security_secret_key_file, base, "keys/server.key");
    status |= set_path(&self->security_authorized_keys_dir, base, "keys/authorized");
    self->security_allow_plain_remote = false;
    status |= set_string(&self->log_level, "info");
    return status ? -ENOMEM : 0;
}

rw_config_t *rw_config_new_defaults(const char *base_dir)
{
    rw_config_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    char cwd[PATH_MAX];
    if (!base_dir)
        base_dir = getcwd(cwd, sizeof cwd) ? cwd : ".";
    if (apply_defaults(self, base_dir) < 0)
        rw_config_destroy(&self);
    return self;
}

static void format_error(char *error, size_t error_size, const char *file,
                         const config_setting_t *setting, const char *what)
{
    snprintf(error, error_size, "%s:%d: %s", file,
             setting ? config_setting_source_line(setting) : 0, what);
}

static const key_t_ *find_key(const char *group, const char *name)
{
    for (size_t i = 0; i < KEY_COUNT; i++) {
        bool same_group = (!group && !keys[i].group) ||
                          (group && keys[i].group && strcmp(group, keys[i].group) == 0);
        if (same_group && strcmp(name, keys[i].name) == 0)
            return &keys[i];
    }
    return NULL;
}

static bool is_group_name(const char *name)
{
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (strcmp(name, groups[i]) == 0)
            return true;
    return false;
}

static int read_list(rw_strings_t *list, const config_setting_t *setting, const char *file,
                     char *error, size_t error_size)
{
    if (!config_setting_is_array(setting) && !config_setting_is_list(setting)) {
        format_error(error, error_size, file, setting, "expected a list of strings [ \"...\" ]");
        return -EINVAL;
    }
    rw_strings_clear(list);
    for (int i = 0; i < config_setting_length(setting); i++) {
        const config_setting_t *item = config_setting_get_elem(setting, (unsigned)i);
        const char *value = config_setting_get_string(item);
        if (!value) {
            format_error(error, error_size, file, setting, "every item must be a string");
            return -EINVAL;
        }
        if (rw_strings_append(list, value, strlen(value)) < 0)
            return -ENOMEM;
    }
    return 0;
}

static int read_number(const config_setting_t *setting, long long *value)
{
    int type = config_setting_type(setting);
    if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
        return -EINVAL;
    *value = config_setting_get_int64(setting);
    return 0;
}

/* Store one setting into self according to its key; error explains a mismatch. */
static int read_setting(rw_config_t *self, const key_t_ *key, const config_setting_t *setting,
                        const char *base, const char *file, char *error, size_t error_size)
{
    void *slot = field_of(self, key);
    int type = config_setting_type(setting);
    long long number = 0;
    char what[160];

    switch (key->type) {
    case KEY_STRING:
    case KEY_PATH:
        if (type != CONFIG_TYPE_STRING)
            break;
        return key->type == KEY_PATH
                   ? set_path(slot, base, config_setting_get_string(setting))
                   : set_string(slot, config_setting_get_string(setting));
    case KEY_INT:
        if (read_number(setting, &number) < 0)
            break;
        if (number < 0 || number > INT_MAX) {
            snprintf(what, sizeof what, "%s must be between 0 and %d", key->name, INT_MAX);
            format_error(error, error_size, file, setting, what);
            return -EINVAL;
        }
        if (key->offset == FIELD(state_retain_days))
            *(unsigned *)slot = (unsigned)number;
        else
            *(int *)slot = (int)number;
        return 0;
    case KEY_INT64:
        if (read_number(setting, &number) < 0)
            break;
        if (number < 0) {
            snprintf(what, sizeof what, "%s must not be negative", key->name);
            format_error(error, error_size, file, setting, what);
            return -EINVAL;
        }
        if (key->offset == FIELD(spool_max_bytes))
            *(size_t *)slot = (size_t)number;
        else
            *(unsigned long long *)slot = (unsigned long long)number;
        return 0;
    case KEY_FLOAT:
        if (type == CONFIG_TYPE_FLOAT)
            *(double *)slot = config_setting_get_float(setting);
        else if (read_number(setting, &number) == 0)
            *(double *)slot = (double)number;
        else
            break;
        return 0;
    case KEY_BOOL:
        if (type != CONFIG_TYPE_BOOL)
            break;
        *(bool *)slot = config_setting_get_bool(setting);
        return 0;
    case KEY_LIST:
        return read_list(slot, setting, file, error, error_size);
    }
    static const char *const type_names[] = {"a string", "a path string", "an integer",
                                             "an integer", "a number", "true or false",
                                             "a list of strings"};
    snprintf(what, sizeof what, "%s%s%s must be %s", key->group ? key->group : "",
             key->group ? "." : "", key->name, type_names[key->type]);
    format_error(error, error_size, file, setting, what);
    return -EINVAL;
}

/* Walk one level (the root or a group), checking names and reading values. */
static int read_level(rw_config_t *self, const config_setting_t *level, const char *group,
                      const char *base, const char *file, char *error, size_t error_size)
{
    for (int i = 0; i < config_setting_length(level); i++) {
        const config_setting_t *setting = config_setting_get_elem(level, (unsigned)i);
        const char *name = config_setting_name(setting);
        char what[200];
        if (!group && is_group_name(name)) {
            if (!config_setting_is_group(setting)) {
                snprintf(what, sizeof what, "%s must be a group { ... }", name);
                format_error(error, error_size, file, setting, what);
                return -EINVAL;
            }
            int status = read_level(self, setting, name, base, file, error, error_size);
            if (status < 0)
                return status;
            continue;
        }
        const key_t_ *key = find_key(group, name);
        if (!key) {
            snprintf(what, sizeof what, "unknown setting %s%s%s", group ? group : "",
                     group ? "." : "", name);
            format_error(error, error_size, file, setting, what);
            return -EINVAL;
        }
        int status = read_setting(self, key, setting, base, file, error, error_size);
        if (status < 0)
            return status;
    }
    return 0;
}

static char *folder_of(const char *path)
{
    char resolved[PATH_MAX];
    if (!realpath(path, resolved))
        return NULL;
    char *slash = strrchr(resolved, '/');
    if (slash == resolved)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    return strdup(resolved);
}

rw_config_t *rw_config_load(const char *path, char *error, size_t error_size)
{
    char *base = folder_of(path);
    if (!base) {
        snprintf(error, error_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    rw_config_t *self = rw_config_new_defaults(base);
    config_t file;
    config_init(&file);
    int status = -ENOMEM;
    if (!self)
        goto done;
    self->path = strdup(path);
    if (!self->path)
        goto done;
    if (config_read_file(&file, path) != CONFIG_TRUE) {
        if (config_error_type(&file) == CONFIG_ERR_FILE_IO)
            snprintf(error, error_size, "%s: cannot read: %s", path, strerror(errno));
        else
            snprintf(error, error_size, "%s:%d: %s",
                     config_error_file(&file) ? config_error_file(&file) : path,
                     config_error_line(&file), config_error_text(&file));
        status = -EINVAL;
        goto done;
    }
    status = read_level(self, config_root_setting(&file), NULL, base, path, error, error_size);
    if (status == -ENOMEM)
        snprintf(error, error_size, "%s: out of memory", path);
done:
    config_destroy(&file);
    free(base);
    if (status < 0)
        rw_config_destroy(&self);
    return self;
}

int rw_config_validate(const rw_config_t *self, char *error, size_t error_size)
{
    const char *where = self->path ? self->path : "defaults";
    if (self->publish_endpoints.count == 0 && self->publish_connect.count == 0) {
        snprintf(error, error_size, "%s: publish.endpoints and publish.connect are both empty: "
                 "events would go nowhere", where);
        return -EINVAL;
    }
    if (self->security_curve && self->publish_connect.count > 0 &&
        self->publish_forwarder_key[0] == '\0') {
        snprintf(error, error_size, "%s: publish.connect with security.curve needs "
                 "publish.forwarder_key (the forwarder's .pub file)", where);
        return -EINVAL;
    }
    if (self->publish_heartbeat_s < 1) {
        snprintf(error, error_size, "%s: publish.heartbeat_s must be at least 1", where);
        return -EINVAL;
    }
    if (self->extract_min_confidence < 0 || self->extract_min_confidence > 1) {
        snprintf(error, error_size, "%s: extract.min_confidence must be between 0 and 1", where);
        return -EINVAL;
    }
    if (self->spool_max_bytes == 0 || self->spool_max_bytes > 1073741824) {
        snprintf(error, error_size, "%s: spool.max_bytes must be between 1 and 1073741824", where);
        return -EINVAL;
    }
    if (self->node[0] == '\0') {
        snprintf(error, error_size, "%s: node must not be empty", where);
        return -EINVAL;
    }
    if (self->extract_languages.count == 0) {
        snprintf(error, error_size, "%s: extract.languages is empty", where);
        return -EINVAL;
    }
    return 0;
}

static void print_list(FILE *out, const rw_strings_t *list)
{
    fputs("[", out);
    for (size_t i = 0; i < list->count; i++)
        fprintf(out, "%s\"%s\"", i ? ", " : " ", list->items[i]);
    fputs(list->count ? " ]" : "]", out);
}

void rw_config_print(const rw_config_t *self, void *stdio_file)
{
    FILE *out = stdio_file;
    const char *open_group = NULL;
    for (size_t i = 0; i < KEY_COUNT; i++) {
        const key_t_ *key = &keys[i];
        if (key->group != open_group) {
            if (open_group)
                fputs("};\n", out);
            if (key->group)
                fprintf(out, "%s: {\n", key->group);
            open_group = key->group;
        }
        fputs(key->group ? "  " : "", out);
        fprintf(out, "%s = ", key->name);
        const void *slot = (const char *)self + key->offset;
        switch (key->type) {
        case KEY_STRING:
        case KEY_PATH:
            fprintf(out, "\"%s\"", *(char *const *)slot);
            break;
        case KEY_INT:
            if (key->offset == FIELD(state_retain_days))
                fprintf(out, "%u", *(const unsigned *)slot);
            else
                fprintf(out, "%d", *(const int *)slot);
            break;
        case KEY_INT64:
            if (key->offset == FIELD(spool_max_bytes))
                fprintf(out, "%zuL", *(const size_t *)slot);
            else
                fprintf(out, "%lluL", *(const unsigned long long *)slot);
            break;
        case KEY_FLOAT:
            fprintf(out, "%g", *(const double *)slot);
            break;
        case KEY_BOOL:
            fputs(*(const bool *)slot ? "true" : "false", out);
            break;
        case KEY_LIST:
            print_list(out, slot);
            break;
        }
        fputs(";\n", out);
    }
    if (open_group)
        fputs("};\n", out);
}

void rw_config_destroy(rw_config_t **self_p)
{
    rw_config_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < KEY_COUNT; i++) {
        void *slot = field_of(self, &keys[i]);
        if (keys[i].type == KEY_STRING || keys[i].type == KEY_PATH)
            free(*(char **)slot);
        else if (keys[i].type == KEY_LIST)
            rw_strings_clear(slot);
    }
    free(self->path);
    free(self);
    *self_p = NULL;
}
