/* fuzz_ingest.c — libFuzzer harness for rw_ingest.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -Idaemon -D_GNU_SOURCE \
 *          tests/fuzz/fuzz_ingest.c daemon/ingest.c daemon/text.c daemon/html.c \
 *          daemon/decode.c daemon/log.c daemon/strings.c
 * Run:   ./a.out -max_total_time=180 tests/fuzz/seeds/ingest
 *
 * Checks, for every input: success or -EINVAL/-ENOMEM with a reason; on success the
 * text is valid UTF-8 of the stated length, NUL-terminated, and its byte map is
 * monotone, non-empty per byte, inside the input and closed by the input size. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "ingest.h"

static void fail(const char *what, size_t where)
{
    fprintf(stderr, "fuzz_ingest: %s at %zu\n", what, where);
    abort();
}

static void check_utf8(const rw_text_t *text)
{
    for (size_t i = 0; i < text->length;) {
        size_t count = rw_decode_utf8_valid((const unsigned char *)text->data + i,
                                            text->length - i);
        if (count == 0)
            fail("invalid UTF-8 in clean text", i);
        if (text->data[i] == '\0')
            fail("NUL inside clean text", i);
        i += count;
    }
    if (text->data[text->length] != '\0')
        fail("clean text not NUL-terminated", text->length);
}

static void check_map(const rw_text_t *text, size_t size)
{
    if (text->original_size != size)
        fail("original_size differs from the input size", size);
    if (rw_text_start(text, text->length) != size || rw_text_end(text, text->length) != size)
        fail("map not closed by the input size", text->length);
    for (size_t i = 0; i < text->length; i++) {
        if (rw_text_start(text, i) >= rw_text_end(text, i) || rw_text_end(text, i) > size)
            fail("map entry empty or outside the input", i);
        if (i > 0 && (rw_text_start(text, i) < rw_text_start(text, i - 1) ||
                      rw_text_end(text, i) < rw_text_end(text, i - 1)))
            fail("map not monotone", i);
    }
    size_t start, end;
    rw_text_span(text, 0, text->length, &start, &end);
    if (start > end || end > size)
        fail("span of the whole text is not inside the input", start);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rw_text_t *text = NULL;
    char reason[256];
    reason[0] = '\0';
    int rc = rw_ingest(data, size, &text, reason, sizeof reason);
    if (rc != 0) {
        if ((rc != -EINVAL && rc != -ENOMEM) || text != NULL || reason[0] == '\0')
            fail("bad failure", (size_t)-rc);
        return 0;
    }
    if (!text || text->length == 0 || !text->format || !text->encoding)
        fail("success without text", 0);
    check_utf8(text);
    check_map(text, size);
    if (text->title)
        (void)strlen(text->title);
    if (text->date)
        (void)strlen(text->date);
    rw_text_destroy(&text);
    return 0;
}
