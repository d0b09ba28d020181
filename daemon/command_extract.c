/* command_extract.c — `recwatch extract [--format jsonl|text] [-c FILE] [--lexicons DIR] FILE...`:
 * run the same pipeline as the daemon on files and print what it finds. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "config.h"
#include "event.h"
#include "lexicon.h"
#include "pipeline.h"

#ifndef RW_LEXICON_DIR
#define RW_LEXICON_DIR "/usr/local/share/recwatch/lexicon"
#endif

/* The lexicon folder when no config names one: $RECWATCH_LEXICONS, the source tree
 * beside the binary (build/../config/lexicon), then the installed one. */
static char *default_lexicons(void)
{
    const char *from_environment = getenv("RECWATCH_LEXICONS");
    if (from_environment)
        return strdup(from_environment);
    char executable[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (length > 0) {
        executable[length] = '\0';
        char *slash = strrchr(executable, '/');
        if (slash) {
            *slash = '\0';
            char *candidate = NULL;
            if (asprintf(&candidate, "%s/../config/lexicon", executable) >= 0 &&
                access(candidate, R_OK) == 0)
                return candidate;
            free(candidate);
        }
    }
    return strdup(RW_LEXICON_DIR);
}

static int read_file(const char *path, unsigned char **bytes, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return -errno;
    unsigned char *buffer = NULL;
    size_t used = 0, capacity = 0;
    for (;;) {
        if (used == capacity) {
            capacity = capacity ? capacity * 2 : 65536;
            unsigned char *grown = realloc(buffer, capacity);
            if (!grown) {
                free(buffer);
                fclose(file);
                return -ENOMEM;
            }
            buffer = grown;
        }
        size_t got = fread(buffer + used, 1, capacity - used, file);
        used += got;
        if (got == 0)
            break;
    }
    int failed = ferror(file);
    fclose(file);
    if (failed) {
        free(buffer);
        return -EIO;
    }
    *bytes = buffer;
    *size = used;
    return 0;
}

static void print_jsonl(const rw_pipeline_result_t *result)
{
    for (size_t i = 0; i < result->count; i++) {
        char *line = json_dumps(result->events[i], RW_EVENT_JSON_FLAGS);
        if (line)
            puts(line);
        free(line);
    }
}

static void print_text(const char *path, const rw_pipeline_result_t *result)
{
    const rw_document_t *document = result->document;
    printf("%s\n  title: %s\n  date: %s  language: %s  countries:", path,
           document->title ? document->title : "-", document->date ? document->date : "-",
           document->language ? document->language : "-");
    for (size_t i = 0; i < document->countries.count; i++)
        printf(" %s", document->countries.items[i]);
    printf("\n  %zu recommendation(s)\n", document->count);
    for (size_t i = 0; i < document->count; i++) {
        const rw_recommendation_t *rec = &document->recommendations[i];
        printf("\n  %zu. [%s, category %d, confidence %.2f, bytes %zu-%zu]\n     %s\n", i + 1,
               rec->strength ? rec->strength : "-", rec->category, rec->confidence,
               rec->span_start, rec->span_end, rec->text);
        if (rec->addressee || rec->action)
            printf("     → %s: %s\n", rec->addressee ? rec->addressee : "?",
                   rec->action ? rec->action : "?");
    }
    putchar('\n');
}

static char *node_name(void)
{
    char host[HOST_NAME_MAX + 1] = "local";
    if (gethostname(host, sizeof host) < 0)
        strcpy(host, "local");
    host[HOST_NAME_MAX] = '\0';
    return strdup(host);
}

int rw_command_extract(int argc, char **argv)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'}, {"config", required_argument, NULL, 'c'},
        {"lexicons", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'}, {0}};
    const char *format = "jsonl", *config_path = NULL, *lexicon_option = NULL;
    int option;
    while ((option = getopt_long(argc, argv, "f:c:l:h", options, NULL)) != -1) {
        switch (option) {
        case 'f': format = optarg; break;
        case 'c': config_path = optarg; break;
        case 'l': lexicon_option = optarg; break;
        case 'h':
            printf("usage: recwatch extract [--format jsonl|text] [-c FILE] [--lexicons DIR] FILE...\n");
            return 0;
        default: return 2;
        }
    }
    bool text_format = strcmp(format, "text") == 0;
    if ((!text_format && strcmp(format, "jsonl") != 0) || optind >= argc) {
        fprintf(stderr, "usage: recwatch extract [--format jsonl|text] [-c FILE] [--lexicons DIR] FILE...\n");
        return 2;
    }
    char error[512];
    rw_config_t *config = config_path ? rw_config_load(config_path, error, sizeof error)
                                      : rw_config_new_defaults(NULL);
    if (!config) {
        fprintf(stderr, "recwatch: %s\n", config_path ? error : "out of memory");
        return 1;
    }
    char *lexicons = lexicon_option ? strdup(lexicon_option)
                   : config_path    ? strdup(config->extract_lexicons)
                                    : default_lexicons();
    rw_lexicon_t *lexicon = lexicons ? rw_lexicon_new(lexicons, &config->extract_languages,
                                                      error, sizeof error) : NULL;
    free(lexicons);
    char *node = config_path ? strdup(config->node) : node_name();
    rw_extract_options_t extract_options = {.min_confidence = config->extract_min_confidence};
    rw_config_destroy(&config);
    if (!lexicon || !node) {
        fprintf(stderr, "recwatch: lexicon: %s\n", error);
        free(node);
        rw_lexicon_destroy(&lexicon);
        return 1;
    }
    int exit_status = 0;
    for (int i = optind; i < argc; i++) {
        unsigned char *bytes = NULL;
        size_t size = 0;
        int status = read_file(argv[i], &bytes, &size);
        if (status < 0) {
            fprintf(stderr, "recwatch: %s: %s\n", argv[i], strerror(-status));
            exit_status = 1;
            continue;
        }
        const char *slash = strrchr(argv[i], '/');
        rw_pipeline_result_t result;
        status = rw_pipeline_run(lexicon, &extract_options, node, slash ? slash + 1 : argv[i],
                                 time(NULL), bytes, size, &result, error, sizeof error);
        free(bytes);
        if (status < 0) {
            fprintf(stderr, "recwatch: %s: %s\n", argv[i], error);
            exit_status = 1;
            continue;
        }
        if (text_format)
            print_text(argv[i], &result);
        else
            print_jsonl(&result);
        rw_pipeline_result_clear(&result);
    }
    free(node);
    rw_lexicon_destroy(&lexicon);
    return exit_status;
}
