/* fuzz_extract.c — libFuzzer harness for the whole pure path of one statement:
 * decode + HTML → clean text (ingest), sentences and recommendations (extract), and
 * the event bodies (pipeline), exactly as recwatchd and `recwatch extract` run it.
 *
 * Build: make -C tests/fuzz            (see tests/fuzz/Makefile)
 * Run:   tests/fuzz/build/fuzz_extract -max_total_time=60 tests/fuzz/seeds/extract
 *
 * The lexicon is loaded once, from $RW_LEXICON_DIR or else from the compile-time
 * LEXICON_DIR (the source tree's config/lexicon). For every input the harness checks:
 *   - rw_pipeline_run returns 0, or -EINVAL / -ENOMEM with a reason;
 *   - on success, one statement event plus one event per recommendation;
 *   - every recommendation: text non-empty and valid UTF-8, start <= end in the clean
 *     text, 0 <= span_start <= span_end <= input size, recommendations in text order,
 *     confidence in [0,1], category 0..5, strength strong/moderate/weak/NULL, every
 *     string field (and list item) valid UTF-8;
 *   - the document's metadata strings are valid UTF-8 and its countries are two
 *     upper-case letters;
 *   - every event serialises to JSON.
 * Leaks are caught by LeakSanitizer (libFuzzer's -detect_leaks, on by default). */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "extract.h"
#include "lexicon.h"
#include "log.h"
#include "pipeline.h"
#include "strings.h"

#ifndef LEXICON_DIR
#define LEXICON_DIR "config/lexicon"
#endif

/* Loaded once for the whole run; reachable from this global, so never a leak. */
static rw_lexicon_t *lexicon;

static void fail(const char *what, size_t index, size_t value)
{
    fprintf(stderr, "fuzz_extract: %s (recommendation %zu, value %zu)\n", what, index, value);
    abort();
}

/* Strict UTF-8 check written independently of daemon/decode.c, so the oracle does not
 * share the code under test: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const char *text, size_t length)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    while (i < length) {
        unsigned char c = p[i];
        size_t need;
        uint32_t code;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            code = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            code = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            code = c & 0x07;
        } else {
            return false;
        }
        if (length - i <= need)
            return false;
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            code = (code << 6) | (p[i + k] & 0x3F);
        }
        if ((need == 2 && code < 0x800) || (need == 3 && code < 0x10000) || code > 0x10FFFF ||
            (code >= 0xD800 && code <= 0xDFFF))
            return false;
        i += need + 1;
    }
    return true;
}

/* A string field: NULL (unknown) or valid UTF-8 without an empty value. */
static void check_field(const char *text, const char *what, size_t index)
{
    if (text && !utf8_valid(text, strlen(text)))
        fail(what, index, strlen(text));
}

static void check_list(const rw_strings_t *list, const char *what, size_t index)
{
    if (list->count > list->capacity && list->capacity != 0)
        fail("string list count above capacity", index, list->count);
    for (size_t i = 0; i < list->count; i++) {
        if (!list->items[i] || list->items[i][0] == '\0')
            fail(what, index, i);
        check_field(list->items[i], what, index);
    }
}

static void check_countries(const rw_strings_t *list, size_t index)
{
    check_list(list, "country not valid UTF-8", index);
    for (size_t i = 0; i < list->count; i++) {
        const char *code = list->items[i];
        if (strlen(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' ||
            code[1] > 'Z')
            fail("country is not an upper-case ISO 3166 alpha-2 code", index, i);
    }
}

static void check_recommendation(const rw_recommendation_t *rec, size_t index, size_t size,
                                 const rw_recommendation_t *previous)
{
    if (!rec->text || rec->text[0] == '\0')
        fail("empty recommendation text", index, 0);
    if (!utf8_valid(rec->text, strlen(rec->text)))
        fail("recommendation text not valid UTF-8", index, strlen(rec->text));
    if (rec->start > rec->end)
        fail("start > end in the clean text", index, rec->start);
    if (rec->span_start > rec->span_end)
        fail("span_start > span_end", index, rec->span_start);
    if (rec->span_end > size)
        fail("span_end beyond the input", index, rec->span_end);
    if (previous && (rec->start < previous->start || rec->span_start < previous->span_start))
        fail("recommendations not in text order", index, rec->start);
    if (!(rec->confidence >= 0.0 && rec->confidence <= 1.0)) /* also rejects NaN */
        fail("confidence outside [0,1]", index, (size_t)(rec->confidence * 1000));
    if (rec->category < 0 || rec->category > 5)
        fail("category outside 0..5", index, (size_t)rec->category);
    if (rec->strength && strcmp(rec->strength, "strong") != 0 &&
        strcmp(rec->strength, "moderate") != 0 && strcmp(rec->strength, "weak") != 0)
        fail("unknown strength", index, 0);
    check_field(rec->addressee, "addressee not valid UTF-8", index);
    check_field(rec->action, "action not valid UTF-8", index);
    check_field(rec->language, "language not valid UTF-8", index);
    check_list(&rec->themes, "theme empty or not valid UTF-8", index);
    check_list(&rec->cues, "cue empty or not valid UTF-8", index);
    check_countries(&rec->countries, index);
}

static void check_document(const rw_document_t *document, size_t size)
{
    const size_t none = (size_t)-1;
    check_field(document->language, "document language not valid UTF-8", none);
    check_field(document->title, "title not valid UTF-8", none);
    check_field(document->date, "date not valid UTF-8", none);
    check_field(document->place, "place not valid UTF-8", none);
    check_field(document->speaker, "speaker not valid UTF-8", none);
    check_field(document->role, "role not valid UTF-8", none);
    check_countries(&document->countries, none);
    if (document->count > document->capacity)
        fail("recommendation count above capacity", none, document->count);
    for (size_t i = 0; i < document->count; i++)
        check_recommendation(&document->recommendations[i], i, size,
                             i > 0 ? &document->recommendations[i - 1] : NULL);
}

static void check_events(const rw_pipeline_result_t *result)
{
    if (result->count != result->document->count + 1)
        fail("event count is not 1 + recommendations", result->count, result->document->count);
    for (size_t i = 0; i < result->count; i++) {
        if (!json_is_object(result->events[i]))
            fail("event is not a JSON object", i, 0);
        char *body = json_dumps(result->events[i], JSON_COMPACT);
        if (!body)
            fail("event cannot be serialised", i, 0);
        if (!utf8_valid(body, strlen(body)))
            fail("serialised event not valid UTF-8", i, 0);
        free(body);
    }
    if (strncmp(result->id, "sha256:", 7) != 0 || strlen(result->id) != 7 + 64)
        fail("content id malformed", 0, strlen(result->id));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    rw_log_set_level(RW_LOG_ERROR); /* keep the fuzzer's output readable */
    const char *dir = getenv("RW_LEXICON_DIR");
    if (!dir || !*dir)
        dir = LEXICON_DIR;
    rw_strings_t languages = {0};
    if (rw_strings_append(&languages, "en", 2) < 0 || rw_strings_append(&languages, "fr", 2) < 0 ||
        rw_strings_append(&languages, "es", 2) < 0) {
        fprintf(stderr, "fuzz_extract: out of memory\n");
        exit(1);
    }
    char error[512];
    lexicon = rw_lexicon_new(dir, &languages, error, sizeof error);
    rw_strings_clear(&languages);
    if (!lexicon) {
        fprintf(stderr, "fuzz_extract: cannot load the lexicon from %s: %s "
                        "(set RW_LEXICON_DIR)\n", dir, error);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* min_confidence 0: keep every candidate, so every path reaches the checks. */
    rw_extract_options_t options = {.min_confidence = 0.0};
    rw_pipeline_result_t result;
    char reason[512];
    reason[0] = '\0';
    int status = rw_pipeline_run(lexicon, &options, "fuzz", "input.txt", 0, data, size,
                                 &result, reason, sizeof reason);
    if (status < 0) {
        if ((status != -EINVAL && status != -ENOMEM) || reason[0] == '\0')
            fail("bad failure (status, no reason)", 0, (size_t)-status);
        if (result.document || result.events || result.count)
            fail("failure left a result behind", 0, result.count);
        return 0;
    }
    if (!result.document || !result.events)
        fail("success without a document", 0, 0);
    check_document(result.document, size);
    check_events(&result);
    rw_pipeline_result_clear(&result);
    return 0;
}
