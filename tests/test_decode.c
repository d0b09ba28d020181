/* test_decode.c — the character layer: UTF-8 validation and encoding, Windows-1252,
 * rw_decode_new's maps and refusals, and the writer's whitespace rules. */
#include <errno.h>
#include <stdint.h>

#include "decode.h"
#include "testutil.h"

START_TEST(test_utf8_valid)
{
    static const struct {
        const char *bytes;
        size_t left;
        size_t expected;
    } cases[] = {
        {"a", 1, 1},
        {"\xC3\xA9", 2, 2},
        {"\xC3", 1, 0},             /* truncated */
        {"\xC0\x80", 2, 0},         /* overlong NUL */
        {"\xC1\xBF", 2, 0},         /* overlong */
        {"\xE0\x80\x80", 3, 0},     /* overlong */
        {"\xE0\xA0\x80", 3, 3},     /* U+0800 */
        {"\xED\xA0\x80", 3, 0},     /* surrogate U+D800 */
        {"\xED\x9F\xBF", 3, 3},     /* U+D7FF */
        {"\xEF\xBF\xBF", 3, 3},     /* U+FFFF */
        {"\xF0\x8F\xBF\xBF", 4, 0}, /* overlong */
        {"\xF0\x9F\x98\x80", 4, 4}, /* U+1F600 */
        {"\xF4\x8F\xBF\xBF", 4, 4}, /* U+10FFFF */
        {"\xF4\x90\x80\x80", 4, 0}, /* above U+10FFFF */
        {"\xF5\x80\x80\x80", 4, 0},
        {"\x80", 1, 0},             /* lone continuation */
        {"\xE2\x82", 2, 0},         /* truncated */
        {"\xE2\x28\xA1", 3, 0},     /* bad continuation */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        ck_assert_msg(rw_decode_utf8_valid((const unsigned char *)cases[k].bytes,
                                           cases[k].left) == cases[k].expected,
                      "case %zu", k);
}
END_TEST

START_TEST(test_utf8_encode)
{
    unsigned char out[4];
    ck_assert_uint_eq(rw_decode_utf8_encode(0x41, out), 1);
    ck_assert_uint_eq(out[0], 0x41);
    ck_assert_uint_eq(rw_decode_utf8_encode(0xE9, out), 2);
    ck_assert(memcmp(out, "\xC3\xA9", 2) == 0);
    ck_assert_uint_eq(rw_decode_utf8_encode(0x20AC, out), 3);
    ck_assert(memcmp(out, "\xE2\x82\xAC", 3) == 0);
    ck_assert_uint_eq(rw_decode_utf8_encode(0x1F600, out), 4);
    ck_assert(memcmp(out, "\xF0\x9F\x98\x80", 4) == 0);
    ck_assert_uint_eq(rw_decode_utf8_encode(0xD800, out), 3);
    ck_assert(memcmp(out, "\xEF\xBF\xBD", 3) == 0);
    ck_assert_uint_eq(rw_decode_utf8_encode(0x110000, out), 3);
    ck_assert(memcmp(out, "\xEF\xBF\xBD", 3) == 0);
}
END_TEST

START_TEST(test_cp1252)
{
    ck_assert_uint_eq(rw_decode_cp1252(0x80), 0x20AC);
    ck_assert_uint_eq(rw_decode_cp1252(0x85), 0x2026);
    ck_assert_uint_eq(rw_decode_cp1252(0x92), 0x2019);
    ck_assert_uint_eq(rw_decode_cp1252(0x96), 0x2013);
    ck_assert_uint_eq(rw_decode_cp1252(0x9F), 0x0178);
    ck_assert_uint_eq(rw_decode_cp1252(0x81), 0x0081); /* undefined: C1 control */
    ck_assert_uint_eq(rw_decode_cp1252(0xA0), 0x00A0);
    ck_assert_uint_eq(rw_decode_cp1252(0xE9), 0x00E9);
    ck_assert_uint_eq(rw_decode_cp1252(0xFF), 0x00FF);
    ck_assert_uint_eq(rw_decode_cp1252('a'), 'a');
}
END_TEST

START_TEST(test_decode_identity)
{
    const unsigned char input[] = "\xEF\xBB\xBFOK \xC3\xA9";
    rw_decode_t *decoded = NULL;
    char reason[128];
    ck_assert_int_eq(rw_decode_new(input, sizeof input - 1, &decoded, reason, sizeof reason), 0);
    ck_assert_ptr_eq(decoded->data, input + 3); /* valid UTF-8 is not copied */
    ck_assert_ptr_null(decoded->starts);
    ck_assert_uint_eq(decoded->length, 5);
    ck_assert_str_eq(decoded->encoding, "utf-8");
    ck_assert_uint_eq(rw_decode_start(decoded, 0), 3);
    ck_assert_uint_eq(rw_decode_end(decoded, 4), 8);
    rw_decode_destroy(&decoded);
    ck_assert_ptr_null(decoded);
    rw_decode_destroy(&decoded); /* harmless twice */
}
END_TEST

START_TEST(test_decode_fallback_map)
{
    const unsigned char input[] = "a\x80\xC3\xA9z";
    rw_decode_t *decoded = NULL;
    char reason[128];
    ck_assert_int_eq(rw_decode_new(input, sizeof input - 1, &decoded, reason, sizeof reason), 0);
    ck_assert_str_eq(decoded->encoding, "windows-1252");
    ck_assert_uint_eq(decoded->length, 7);
    ck_assert(memcmp(decoded->data, "a\xE2\x82\xAC\xC3\xA9z", 7) == 0);
    const uint32_t starts[] = {0, 1, 1, 1, 2, 2, 4};
    const uint32_t ends[] = {1, 2, 2, 2, 4, 4, 5};
    for (size_t k = 0; k < 7; k++) {
        ck_assert_uint_eq(rw_decode_start(decoded, k), starts[k]);
        ck_assert_uint_eq(rw_decode_end(decoded, k), ends[k]);
    }
    rw_decode_destroy(&decoded);
}
END_TEST

START_TEST(test_decode_refusals)
{
    rw_decode_t *decoded = NULL;
    char reason[128] = "";
    ck_assert_int_eq(rw_decode_new((const unsigned char *)"", 0, &decoded, reason, sizeof reason),
                     -EINVAL);
    ck_assert_str_eq(reason, "empty file");
    ck_assert_ptr_null(decoded);
    const unsigned char nuls[] = {'a', 0, 'b', 0, 'c', 0};
    ck_assert_int_eq(rw_decode_new(nuls, sizeof nuls, &decoded, reason, sizeof reason), -EINVAL);
    ck_assert_str_eq(reason, "binary content: 3 NUL bytes in the first 6");
    /* A single stray NUL in a longer text is not binary (it is dropped later). */
    unsigned char text[1024];
    memset(text, 'x', sizeof text);
    text[100] = 0;
    ck_assert_int_eq(rw_decode_new(text, sizeof text, &decoded, reason, sizeof reason), 0);
    rw_decode_destroy(&decoded);
    const unsigned char odd[] = {0xFE, 0xFF, 0, 'a', 0};
    ck_assert_int_eq(rw_decode_new(odd, sizeof odd, &decoded, reason, sizeof reason), -EINVAL);
    ck_assert_str_eq(reason, "invalid UTF-16: odd length (5 bytes)");
}
END_TEST

/* Write text with the writer over a decoded string and return the result. */
static rw_text_t run_writer(const char *input, bool newlines_break)
{
    rw_decode_t *decoded = NULL;
    char reason[128];
    ck_assert_int_eq(rw_decode_new((const unsigned char *)input, strlen(input), &decoded, reason,
                                   sizeof reason),
                     0);
    rw_decode_writer_t *writer = rw_decode_writer_new(decoded);
    ck_assert_ptr_nonnull(writer);
    ck_assert_int_eq(rw_decode_writer_text(writer, 0, decoded->length, newlines_break), 0);
    rw_text_t text = {0};
    ck_assert_int_eq(rw_decode_writer_finish(writer, &text), 0);
    ck_assert_uint_eq(rw_decode_writer_length(writer), 0);
    rw_decode_writer_destroy(&writer);
    ck_assert_ptr_null(writer);
    rw_decode_destroy(&decoded);
    return text;
}

START_TEST(test_writer_modes)
{
    rw_text_t text = run_writer(" a\n b \n\n\n c\r\n", true);
    ck_assert_str_eq(text.data, "a\nb\n\nc");
    ck_assert_uint_eq(text.original_size, 13);
    ck_assert_uint_eq(rw_text_start(&text, text.length), 13);
    free(text.data);
    free(text.pieces);

    text = run_writer(" a\n b \n\n\n c\r\n", false); /* HTML: newlines are spaces */
    ck_assert_str_eq(text.data, "a b c");
    ck_assert_uint_eq(rw_text_start(&text, 1), 2); /* the space covers "\n " */
    ck_assert_uint_eq(rw_text_end(&text, 1), 4);
    free(text.data);
    free(text.pieces);
}
END_TEST

START_TEST(test_writer_breaks)
{
    const char *input = "one two";
    rw_decode_t *decoded = NULL;
    char reason[128];
    ck_assert_int_eq(rw_decode_new((const unsigned char *)input, 7, &decoded, reason,
                                   sizeof reason),
                     0);
    rw_decode_writer_t *writer = rw_decode_writer_new(decoded);
    ck_assert_ptr_nonnull(writer);
    /* Breaks before any text vanish; a stronger break wins; trailing ones vanish. */
    ck_assert_int_eq(rw_decode_writer_break(writer, RW_DECODE_PARAGRAPH, 0, 1), 0);
    ck_assert_int_eq(rw_decode_writer_text(writer, 0, 3, false), 0);
    ck_assert_int_eq(rw_decode_writer_break(writer, RW_DECODE_LINE, 3, 4), 0);
    ck_assert_int_eq(rw_decode_writer_break(writer, RW_DECODE_SPACE, 3, 4), 0);
    ck_assert_int_eq(rw_decode_writer_char(writer, 0xE9, 4, 5, false), 0);
    ck_assert_int_eq(rw_decode_writer_char(writer, 0xA0, 5, 6, false), 0);
    ck_assert_int_eq(rw_decode_writer_char(writer, 0xAD, 5, 6, false), 0);
    ck_assert_int_eq(rw_decode_writer_text(writer, 4, 7, false), 0);
    ck_assert_int_eq(rw_decode_writer_break(writer, RW_DECODE_PARAGRAPH, 6, 7), 0);
    ck_assert_uint_eq(rw_decode_writer_length(writer), 10);
    rw_text_t text = {0};
    ck_assert_int_eq(rw_decode_writer_finish(writer, &text), 0);
    ck_assert_str_eq(text.data, "one\n\xC3\xA9 two");
    ck_assert_uint_eq(rw_text_start(&text, 3), 3);
    ck_assert_uint_eq(rw_text_end(&text, 3), 4);
    ck_assert_uint_eq(rw_text_start(&text, 4), 4);
    ck_assert_uint_eq(rw_text_start(&text, 5), 4);
    rw_decode_writer_destroy(&writer);
    rw_decode_destroy(&decoded);
    free(text.data);
    free(text.pieces);
}
END_TEST

static Suite *decode_suite(void)
{
    Suite *suite = suite_create("decode");
    TCase *tcase = tcase_create("core");
    tcase_add_test(tcase, test_utf8_valid);
    tcase_add_test(tcase, test_utf8_encode);
    tcase_add_test(tcase, test_cp1252);
    tcase_add_test(tcase, test_decode_identity);
    tcase_add_test(tcase, test_decode_fallback_map);
    tcase_add_test(tcase, test_decode_refusals);
    tcase_add_test(tcase, test_writer_modes);
    tcase_add_test(tcase, test_writer_breaks);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return test_run_suite(decode_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
