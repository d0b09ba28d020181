/* extract_bench.c — speed of the extractor alone, on one core, with no I/O in the
 * measured part.
 *
 * The statements named on the command line are read once, then replicated in memory
 * (each copy its own buffer, so the caches hold no more than they would for real
 * traffic) until the replicas add up to at least --min-bytes. The measured loop runs
 * every replica through either
 *
 *   --mode extract    rw_ingest + rw_extract (decode, HTML to text, sentences,
 *                     recommendations): the extractor's own speed, or
 *   --mode pipeline   rw_pipeline_run (the above plus the sha256 content id and the
 *                     JSON event bodies): what the daemon does per statement before
 *                     the journal,
 *
 * and prints one JSON object: bytes, statements, recommendations, wall and CPU
 * seconds, MB/s and statements/s (MB = 10^6 bytes, per CPU second of this thread).
 *
 * Under `valgrind --tool=callgrind --collect-atstart=no
 * --toggle-collect=bench_measure` only the measured loop is counted, so instructions
 * per byte exclude reading files and loading the lexicon.
 *
 * usage: extract_bench --lexicon DIR [--mode extract|pipeline] [--min-bytes N]
 *                      [--languages en,fr,es] FILE... */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extract.h"
#include "ingest.h"
#include "lexicon.h"
#include "memory.h"
#include "pipeline.h"

typedef struct {
    unsigned char *bytes;
    size_t size;
    const char *name;
} replica_t;

typedef struct {
    size_t bytes;
    size_t statements;
    size_t recommendations;
    size_t refused;
} totals_t;

static double clock_seconds(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Read a whole file into *bytes. 0, or -errno with a message on stderr. */
static int read_file(const char *path, unsigned char **bytes, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        fprintf(stderr, "extract_bench: %s: %s\n", path, strerror(errno));
        return -errno;
    }
    size_t capacity = 65536, length = 0;
    unsigned char *data = malloc(capacity);
    while (data) {
        size_t got = fread(data + length, 1, capacity - length, file);
        length += got;
        if (length < capacity)
            break;
        capacity *= 2;
        unsigned char *bigger = realloc(data, capacity);
        if (!bigger)
            free(data);
        data = bigger;
    }
    int failed = ferror(file);
    fclose(file);
    if (!data || failed) {
        free(data);
        fprintf(stderr, "extract_bench: %s: cannot read\n", path);
        return -EIO;
    }
    *bytes = data;
    *size = length;
    return 0;
}

/* One statement through ingest + extract. */
static void run_extract(const rw_lexicon_t *lexicon, const rw_extract_options_t *options,
                        const replica_t *replica, totals_t *totals)
{
    char reason[256];
    rw_text_t *text = NULL;
    rw_document_t *document = NULL;
    if (rw_ingest(replica->bytes, replica->size, &text, reason, sizeof reason) < 0) {
        totals->refused++;
        return;
    }
    if (rw_extract(lexicon, text, options, &document) == 0) {
        totals->recommendations += document->count;
        rw_document_destroy(&document);
    } else {
        totals->refused++;
    }
    rw_text_destroy(&text);
}

/* One statement through the whole pipeline (content id, events). */
static void run_pipeline(const rw_lexicon_t *lexicon, const rw_extract_options_t *options,
                         const replica_t *replica, totals_t *totals)
{
    char reason[256];
    rw_pipeline_result_t result;
    if (rw_pipeline_run(lexicon, options, "bench", replica->name, 0, replica->bytes,
                        replica->size, &result, reason, sizeof reason) < 0) {
        totals->refused++;
        return;
    }
    totals->recommendations += result.document->count;
    rw_pipeline_result_clear(&result);
}

/* The measured loop: kept out of line so callgrind can count it alone. */
__attribute__((noinline)) void bench_measure(const rw_lexicon_t *lexicon, bool pipeline,
                                             const replica_t *replicas, size_t count,
                                             totals_t *totals);
__attribute__((noinline)) void bench_measure(const rw_lexicon_t *lexicon, bool pipeline,
                                             const replica_t *replicas, size_t count,
                                             totals_t *totals)
{
    rw_extract_options_t options = {.min_confidence = 0.5};
    for (size_t i = 0; i < count; i++) {
        if (pipeline)
            run_pipeline(lexicon, &options, &replicas[i], totals);
        else
            run_extract(lexicon, &options, &replicas[i], totals);
        totals->bytes += replicas[i].size;
        totals->statements++;
    }
}

/* Split "en,fr,es" into list. */
static int parse_languages(const char *text, rw_strings_t *list)
{
    const char *start = text;
    while (*start) {
        const char *comma = strchr(start, ',');
        size_t length = comma ? (size_t)(comma - start) : strlen(start);
        if (length > 0 && rw_strings_append(list, start, length) < 0)
            return -ENOMEM;
        start += length + (comma ? 1 : 0);
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: extract_bench --lexicon DIR [--mode extract|pipeline] "
                    "[--min-bytes N] [--languages en,fr,es] FILE...\n");
}

int main(int argc, char **argv)
{
    /* the daemon's allocator settings (memory.h), so that the figures are the daemon's */
    if (rw_memory_configure() != 0)
        fprintf(stderr, "extract_bench: allocator settings unavailable (not glibc)\n");
    const char *lexicon_dir = NULL, *mode = "extract", *languages_text = "en,fr,es";
    size_t min_bytes = 50u * 1000 * 1000;
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--lexicon") == 0 && i + 1 < argc) {
            lexicon_dir = argv[++i];
        } else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            mode = argv[++i];
        } else if (strcmp(argv[i], "--min-bytes") == 0 && i + 1 < argc) {
            min_bytes = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--languages") == 0 && i + 1 < argc) {
            languages_text = argv[++i];
        } else if (argv[i][0] == '-') {
            usage();
            return 2;
        } else {
            first_file = i;
            break;
        }
    }
    bool pipeline = strcmp(mode, "pipeline") == 0;
    if (!lexicon_dir || first_file >= argc || (!pipeline && strcmp(mode, "extract") != 0)) {
        usage();
        return 2;
    }

    rw_strings_t languages = {0};
    if (parse_languages(languages_text, &languages) < 0)
        return 1;
    char error[512];
    rw_lexicon_t *lexicon = rw_lexicon_new(lexicon_dir, &languages, error, sizeof error);
    rw_strings_clear(&languages);
    if (!lexicon) {
        fprintf(stderr, "extract_bench: lexicon: %s\n", error);
        return 1;
    }

    /* the originals */
    size_t file_count = (size_t)(argc - first_file), original_bytes = 0;
    replica_t *originals = calloc(file_count, sizeof *originals);
    if (!originals)
        return 1;
    for (size_t i = 0; i < file_count; i++) {
        originals[i].name = argv[first_file + (int)i];
        if (read_file(originals[i].name, &originals[i].bytes, &originals[i].size) < 0)
            return 1;
        original_bytes += originals[i].size;
    }
    if (original_bytes == 0) {
        fprintf(stderr, "extract_bench: the files are empty\n");
        return 1;
    }

    /* replicas, each in its own buffer, until min_bytes */
    size_t copies = (min_bytes + original_bytes - 1) / original_bytes;
    if (copies == 0)
        copies = 1;
    size_t count = copies * file_count;
    replica_t *replicas = calloc(count, sizeof *replicas);
    if (!replicas)
        return 1;
    for (size_t i = 0; i < count; i++) {
        const replica_t *original = &originals[i % file_count];
        replicas[i] = *original;
        replicas[i].bytes = malloc(original->size);
        if (!replicas[i].bytes) {
            fprintf(stderr, "extract_bench: out of memory for %zu copies\n", copies);
            return 1;
        }
        memcpy(replicas[i].bytes, original->bytes, original->size);
    }

    totals_t totals = {0};
    double wall = clock_seconds(CLOCK_MONOTONIC);
    double cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    bench_measure(lexicon, pipeline, replicas, count, &totals);
    cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
    wall = clock_seconds(CLOCK_MONOTONIC) - wall;
    if (cpu <= 0)
        cpu = 1e-9;

    printf("{\"mode\":\"%s\",\"files\":%zu,\"copies\":%zu,\"bytes\":%zu,\"statements\":%zu,"
           "\"recommendations\":%zu,\"refused\":%zu,\"wall_s\":%.6f,\"cpu_s\":%.6f,"
           "\"mb_per_s\":%.3f,\"statements_per_s\":%.1f}\n",
           mode, file_count, copies, totals.bytes, totals.statements, totals.recommendations,
           totals.refused, wall, cpu, (double)totals.bytes / 1e6 / cpu,
           (double)totals.statements / cpu);

    for (size_t i = 0; i < count; i++)
        free(replicas[i].bytes);
    free(replicas);
    for (size_t i = 0; i < file_count; i++)
        free(originals[i].bytes);
    free(originals);
    rw_lexicon_destroy(&lexicon);
    return 0;
}
