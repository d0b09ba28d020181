/* test_ingest.c — rw_ingest: encodings, refusals, whitespace rules, front matter,
 * the byte map (checked character by character) and the whole shared corpus. */
#include <errno.h>
#include <glob.h>
#include <stdint.h>

#include "ingest.h"
#include "testutil.h"

/* Ingest size bytes; fails the test unless it succeeds. */
static rw_text_t *ingest_bytes(const void *bytes, size_t size)
{
    rw_text_t *text = NULL;
    char reason[256] = "";
    int rc = rw_ingest(bytes, size, &text, reason, sizeof reason);
    ck_assert_msg(rc == 0, "rw_ingest failed: %d %s", rc, reason);
    ck_assert_ptr_nonnull(text);
    return text;
}

static rw_text_t *ingest_string(const char *string)
{
    return ingest_bytes(string, strlen(string));
}

/* Ingest must refuse with -EINVAL and a reason containing expected. */
static void assert_refused(const void *bytes, size_t size, const char *expected)
{
    rw_text_t *text = NULL;
    char reason[256] = "";
    int rc = rw_ingest(bytes, size, &text, reason, sizeof reason);
    ck_assert_int_eq(rc, -EINVAL);
    ck_assert_ptr_null(text);
    ck_assert_msg(strstr(reason, expected), "reason \"%s\" lacks \"%s\"", reason, expected);
}

/* The map is monotone, inside the input, non-empty per byte, and closed by size. */
static void assert_map_sane(const rw_text_t *text)
{
    ck_assert_uint_eq(rw_text_start(text, text->length), text->original_size);
    ck_assert_uint_eq(rw_text_end(text, text->length), text->original_size);
    ck_assert_uint_eq(strlen(text->data), text->length);
    for (size_t i = 0; i < text->length; i++) {
        ck_assert_uint_lt(rw_text_start(text, i), rw_text_end(text, i));
        ck_assert_uint_le(rw_text_end(text, i), text->original_size);
        if (i > 0) {
            ck_assert_uint_le(rw_text_start(text, i - 1), rw_text_start(text, i));
            ck_assert_uint_le(rw_text_end(text, i - 1), rw_text_end(text, i));
        }
    }
}

/* Byte count of the UTF-8 character starting with lead. */
static size_t char_length(unsigned char lead)
{
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

/* Every visible character of a UTF-8 input maps back to exactly its own bytes, and all
 * bytes of one character share one range. */
static void assert_utf8_chars_map_to_themselves(const rw_text_t *text, const char *input)
{
    for (size_t i = 0; i < text->length;) {
        size_t count = char_length((unsigned char)text->data[i]);
        for (size_t k = 1; k < count; k++) {
            ck_assert_uint_eq(rw_text_start(text, i + k), rw_text_start(text, i));
            ck_assert_uint_eq(rw_text_end(text, i + k), rw_text_end(text, i));
        }
        if (text->data[i] != ' ' && text->data[i] != '\n') {
            size_t start, end;
            rw_text_span(text, i, i + count, &start, &end);
            ck_assert_uint_eq(end - start, count);
            ck_assert_msg(memcmp(input + start, text->data + i, count) == 0,
                          "char at %zu maps to wrong bytes", i);
        }
        i += count;
    }
}

START_TEST(test_plain_utf8)
{
    const char *input = "Hello  world\r\nline two\n\n\n\nPara\t\tthree  \n";
    rw_text_t *text = ingest_string(input);
    ck_assert_str_eq(text->data, "Hello world\nline two\n\nPara three");
    ck_assert_str_eq(text->format, "text");
    ck_assert_str_eq(text->encoding, "utf-8");
    ck_assert_ptr_null(text->title);
    ck_assert_ptr_null(text->date);
    ck_assert_uint_eq(text->original_size, strlen(input));
    assert_map_sane(text);
    assert_utf8_chars_map_to_themselves(text, input);
    /* The collapsed space maps to the whole run "  ", the paragraph break to
     * "\n\n\n\n". */
    ck_assert_uint_eq(rw_text_start(text, 5), 5);
    ck_assert_uint_eq(rw_text_end(text, 5), 7);
    size_t start, end;
    const char *para = strstr(text->data, "\n\nPara");
    rw_text_span(text, (size_t)(para - text->data), (size_t)(para - text->data) + 2, &start,
                 &end);
    ck_assert_uint_eq(start, (size_t)(strstr(input, "\n\n\n\n") - input));
    ck_assert_uint_eq(end, start + 4);
    rw_text_destroy(&text);
    ck_assert_ptr_null(text);
}
END_TEST

START_TEST(test_utf8_bom)
{
    const unsigned char input[] = {0xEF, 0xBB, 0xBF, 'a', 0xC3, 0xA9, 'b'};
    rw_text_t *text = ingest_bytes(input, sizeof input);
    ck_assert_str_eq(text->data, "a\xC3\xA9"
                                 "b");
    ck_assert_str_eq(text->encoding, "utf-8");
    ck_assert_uint_eq(rw_text_start(text, 0), 3);
    ck_assert_uint_eq(rw_text_start(text, 1), 4);
    ck_assert_uint_eq(rw_text_end(text, 1), 6);
    ck_assert_uint_eq(rw_text_start(text, 2), 4); /* both bytes of é map to the character */
    ck_assert_uint_eq(rw_text_end(text, 2), 6);
    assert_map_sane(text);
    rw_text_destroy(&text);
}
END_TEST

/* Decode the UTF-16 character at bytes (2 or 4 of them). */
static uint32_t utf16_char(const unsigned char *bytes, size_t count, bool little)
{
    uint32_t first = little ? (uint32_t)(bytes[0] | bytes[1] << 8)
                            : (uint32_t)(bytes[0] << 8 | bytes[1]);
    if (count == 2)
        return first;
    uint32_t second = little ? (uint32_t)(bytes[2] | bytes[3] << 8)
                             : (uint32_t)(bytes[2] << 8 | bytes[3]);
    return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
}

static uint32_t utf8_char(const char *text, size_t *count)
{
    const unsigned char *bytes = (const unsigned char *)text;
    *count = char_length(bytes[0]);
    if (*count == 1)
        return bytes[0];
    uint32_t value = bytes[0] & (0x7F >> *count);
    for (size_t k = 1; k < *count; k++)
        value = value << 6 | (bytes[k] & 0x3F);
    return value;
}

/* Every visible character of the clean text of UTF-16 input decodes from its span. */
static void assert_utf16_map(const rw_text_t *text, const unsigned char *input, bool little)
{
    for (size_t i = 0; i < text->length;) {
        size_t count;
        uint32_t expected = utf8_char(text->data + i, &count);
        size_t start, end;
        rw_text_span(text, i, i + count, &start, &end);
        if (expected != ' ' && expected != '\n') {
            ck_assert_msg(end - start == 2 || end - start == 4, "span %zu..%zu", start, end);
            ck_assert_uint_eq(utf16_char(input + start, end - start, little), expected);
        }
        i += count;
    }
}

START_TEST(test_utf16_le)
{
    /* BOM, "hé", U+1F600, "\r\n", "x" */
    const unsigned char input[] = {0xFF, 0xFE, 'h', 0, 0xE9, 0,    0x3D, 0xD8,
                                   0x00, 0xDE, '\r', 0, '\n', 0,   'x',  0};
    rw_text_t *text = ingest_bytes(input, sizeof input);
    ck_assert_str_eq(text->data, "h\xC3\xA9\xF0\x9F\x98\x80\nx");
    ck_assert_str_eq(text->encoding, "utf-16le");
    ck_assert_uint_eq(rw_text_start(text, 1), 4);
    ck_assert_uint_eq(rw_text_end(text, 2), 6);
    ck_assert_uint_eq(rw_text_start(text, 3), 6); /* the emoji: 4 original bytes */
    ck_assert_uint_eq(rw_text_end(text, 6), 10);
    ck_assert_uint_eq(rw_text_start(text, 7), 10); /* "\r\n" → "\n" */
    ck_assert_uint_eq(rw_text_end(text, 7), 14);
    assert_map_sane(text);
    assert_utf16_map(text, input, true);
    rw_text_destroy(&text);
}
END_TEST

START_TEST(test_utf16_be)
{
    const unsigned char input[] = {0xFE, 0xFF, 0, 'O', 0, 'K', 0x20, 0xAC, 0xD8, 0x3D, 0xDE, 0x00};
    rw_text_t *text = ingest_bytes(input, sizeof input);
    ck_assert_str_eq(text->data, "OK\xE2\x82\xAC\xF0\x9F\x98\x80");
    ck_assert_str_eq(text->encoding, "utf-16be");
    assert_map_sane(text);
    assert_utf16_map(text, input, false);
    rw_text_destroy(&text);
}
END_TEST

START_TEST(test_utf16_html)
{
    const char *html = "<html><body><p>caf&eacute; \xC3\xA9t\xC3\xA9</p><p>deux</p></body></html>";
    /* Make UTF-16LE with BOM by hand from the (BMP-only) UTF-8 above. */
    unsigned char input[256];
    size_t size = 0;
    input[size++] = 0xFF;
    input[size++] = 0xFE;
    for (size_t i = 0; html[i];) {
        size_t count;
        uint32_t value = utf8_char(html + i, &count);
        input[size++] = (unsigned char)(value & 0xFF);
        input[size++] = (unsigned char)(value >> 8);
        i += count;
    }
    rw_text_t *text = ingest_bytes(input, size);
    ck_assert_str_eq(text->data, "caf\xC3\xA9 \xC3\xA9t\xC3\xA9\n\ndeux");
    ck_assert_str_eq(text->format, "html");
    assert_map_sane(text);
    /* The é from &eacute; maps to the 16 bytes of the entity. */
    size_t start, end;
    rw_text_span(text, 3, 5, &start, &end);
    ck_assert_uint_eq(end - start, 16);
    ck_assert_uint_eq(input[start], '&');
    ck_assert_uint_eq(input[end - 2], ';');
    /* The é that was a character maps to its 2 bytes. */
    rw_text_span(text, 6, 8, &start, &end);
    ck_assert_uint_eq(end - start, 2);
    ck_assert_uint_eq(utf16_char(input + start, 2, true), 0xE9);
    rw_text_destroy(&text);
}
END_TEST

START_TEST(test_windows_1252)
{
    const unsigned char input[] = "caf\xE9 \x93quoted\x94 \x80 5\x96" "6";
    rw_text_t *text = ingest_bytes(input, sizeof input - 1);
    ck_assert_str_eq(text->data, "caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC 5\xE2\x80\x93"
                                 "6");
    ck_assert_str_eq(text->encoding, "windows-1252");
    assert_map_sane(text);
    /* é (2 bytes out) comes from the single byte 3. */
    ck_assert_uint_eq(rw_text_start(text, 3), 3);
    ck_assert_uint_eq(rw_text_end(text, 4), 4);
    rw_text_destroy(&text);
}
END_TEST

START_TEST(test_mixed_utf8_and_1252)
{
    /* Valid UTF-8 é stays é; the stray byte 0xE9 is Windows-1252 é. */
    const unsigned char input[] = "\xC3\xA9t\xC3\xA9 caf\xE9";
    rw_text_t *text = ingest_bytes(input, sizeof input - 1);
    ck_assert_str_eq(text->data, "\xC3\xA9t\xC3\xA9 caf\xC3\xA9");
    ck_assert_str_eq(text->encoding, "windows-1252");
    ck_assert_uint_eq(rw_text_start(text, 0), 0);
    ck_assert_uint_eq(rw_text_end(text, 1), 2);
    ck_assert_uint_eq(rw_text_start(text, 10), 9);
    ck_assert_uint_eq(rw_text_end(text, 11), 10);
    assert_map_sane(text);
    rw_text_destroy(&text);
}
END_TEST

START_TEST(test_refusals)
{
    assert_refused("", 0, "empty file");
    assert_refused(" \n\t\r\n  \n", 8, "empty file");
    assert_refused("\xEF\xBB\xBF", 3, "empty file");
    assert_refused("\xFF\xFE", 2, "empty file");
    assert_refused("\xEF\xBB\xBF \xC2\xA0\n", 7, "empty file");

    unsigned char binary[6000];
    for (size_t i = 0; i < sizeof binary; i++)
        binary[i] = (unsigned char)(i % 3 == 0 ? 0 : 'a' + i % 26);
    assert_refused(binary, sizeof binary, "binary content: 1366 NUL bytes in the first 4096");

    unsigned char controls[1000];
    for (size_t i = 0; i < sizeof controls; i++)
        controls[i] = (unsigned char)(i % 4 == 0 ? 0x01 : 'x');
    assert_refused(controls, sizeof controls, "binary content: 250 control bytes in the first 1000");

    /* UTF-16: odd length, lone high surrogate at the end, lone low surrogate. */
    const unsigned char odd[] = {0xFF, 0xFE, 'a', 0, 'b'};
    assert_refused(odd, sizeof odd, "invalid UTF-16: odd length");
    const unsigned char high[] = {0xFF, 0xFE, 'a', 0, 0x3D, 0xD8};
    assert_refused(high, sizeof high, "invalid UTF-16: lone surrogate at byte 4");
    const unsigned char low[] = {0xFE, 0xFF, 0, 'a', 0, 'b', 0xDC, 0x00, 0, 'c'};
    assert_refused(low, sizeof low, "invalid UTF-16: lone surrogate at byte 6");
    const unsigned char unpaired[] = {0xFF, 0xFE, 0x3D, 0xD8, 'a', 0};
    assert_refused(unpaired, sizeof unpaired, "lone surrogate at byte 2");
    const unsigned char nuls16[] = {0xFF, 0xFE, 'a', 0, 0, 0, 0, 0, 'b', 0};
    assert_refused(nuls16, sizeof nuls16, "binary content: 2 NUL bytes");

    /* Markup only, front matter only. */
    assert_refused("<html><body><script>x()</script></body></html>", 46, "no text in the HTML");
    assert_refused("---\ntitle: x\n---\n\n", 18, "empty file");
}
END_TEST

START_TEST(test_too_large)
{
    /* The size is checked before any byte is read. */
    static const unsigned char byte = 'a';
    rw_text_t *text = NULL;
    char reason[128] = "";
    int rc = rw_ingest(&byte, (size_t)UINT32_MAX + 1, &text, reason, sizeof reason);
    ck_assert_int_eq(rc, -EINVAL);
    ck_assert_ptr_null(text);
    ck_assert_ptr_nonnull(strstr(reason, "too large"));
    /* A NULL reason buffer is allowed. */
    ck_assert_int_eq(rw_ingest(&byte, 0, &text, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(test_whitespace_rules)
{
    rw_text_t *text = ingest_string("  lead\xC2\xA0nbsp\xE2\x80\xAF"
                                    "narrow soft\xC2\xADhyphen zero\xE2\x80\x8Bwidth "
                                    "b\xEF\xBB\xBFom ctl\x01\x02x   \r\nline\rcr\n \t \nnext\n");
    ck_assert_str_eq(text->data,
                     "lead nbsp narrow softhyphen zerowidth bom ctlx\nline\ncr\n\nnext");
    assert_map_sane(text);
    /* The NBSP becomes a space that maps to its two bytes. */
    ck_assert_uint_eq(rw_text_start(text, 4), 6);
    ck_assert_uint_eq(rw_text_end(text, 4), 8);
    rw_text_destroy(&text);

    /* Hard-wrapped lines and page furniture stay as they are in plain text. */
    text = ingest_string("Skip to main content\n\nThe Government should\nratify the treaty.\n");
    ck_assert_str_eq(text->data,
                     "Skip to main content\n\nThe Government should\nratify the treaty.");
    rw_text_destroy(&text);
}
END_TEST

START_TEST(test_front_matter)
{
    const char *input = "---\ntitle: \"Statement on Kazakhstan\"\ndate: 2012-07-12\n"
                        "tags:\n  - a\n---\n# Heading\n\nBody *text*.\n";
    rw_text_t *text = ingest_string(input);
    ck_assert_str_eq(text->format, "markdown");
    ck_assert_str_eq(text->title, "Statement on Kazakhstan");
    ck_assert_str_eq(text->date, "2012-07-12");
    ck_assert_str_eq(text->data, "# Heading\n\nBody *text*.");
    ck_assert_uint_eq(rw_text_start(text, 0), (size_t)(strstr(input, "# Heading") - input));
    assert_map_sane(text);
    assert_utf8_chars_map_to_themselves(text, input);
    rw_text_destroy(&text);

    /* A "---" block that is not YAML is text. */
    text = ingest_string("---\nJust a line of prose here.\n---\nmore\n");
    ck_assert_str_eq(text->format, "text");
    ck_assert_str_eq(text->data, "---\nJust a line of prose here.\n---\nmore");
    ck_assert_ptr_null(text->title);
    rw_text_destroy(&text);

    /* Unclosed front matter is text too. */
    text = ingest_string("---\ntitle: x\nno end\n");
    ck_assert_str_eq(text->format, "text");
    rw_text_destroy(&text);

    /* Markdown without front matter, by its heading; single-quoted title, CRLF. */
    text = ingest_string("\n# Title\n\nText");
    ck_assert_str_eq(text->format, "markdown");
    ck_assert_ptr_null(text->title);
    rw_text_destroy(&text);
    text = ingest_string("---\r\ntitle: 'Quoted'\r\n---\r\nBody\r\n");
    ck_assert_str_eq(text->format, "markdown");
    ck_assert_str_eq(text->title, "Quoted");
    ck_assert_ptr_null(text->date);
    ck_assert_str_eq(text->data, "Body");
    rw_text_destroy(&text);
}
END_TEST

START_TEST(test_span)
{
    rw_text_t *text = ingest_string("ab  cd");
    size_t start, end;
    rw_text_span(text, 0, 2, &start, &end);
    ck_assert_uint_eq(start, 0);
    ck_assert_uint_eq(end, 2);
    rw_text_span(text, 2, 3, &start, &end); /* the collapsed space */
    ck_assert_uint_eq(start, 2);
    ck_assert_uint_eq(end, 4);
    rw_text_span(text, 1, 1, &start, &end); /* empty */
    ck_assert_uint_eq(start, 1);
    ck_assert_uint_eq(end, 1);
    ck_assert_uint_eq(text->length, 5); /* "ab cd" */
    rw_text_span(text, 4, 99, &start, &end); /* end clamped to the text */
    ck_assert_uint_eq(start, 5);
    ck_assert_uint_eq(end, 6);
    rw_text_span(text, 4, 4, &start, &end);
    ck_assert_uint_eq(start, 5);
    ck_assert_uint_eq(end, 5);
    rw_text_span(text, 9, 7, &start, &end); /* out of range: empty at the end */
    ck_assert_uint_eq(start, 6);
    ck_assert_uint_eq(end, 6);
    rw_text_span(text, text->length, text->length, &start, &end);
    ck_assert_uint_eq(start, 6);
    ck_assert_uint_eq(end, 6);
    rw_text_destroy(&text);
}
END_TEST

/* Spans of sentences of the seed statement are exactly the sentences' bytes. */
START_TEST(test_seed_sentences)
{
    size_t size;
    char *input = test_read_file(CORPUS_DIR "/seed-pillay-kazakhstan-2012.txt", &size);
    ck_assert_ptr_nonnull(input);
    rw_text_t *text = ingest_bytes(input, size);
    assert_map_sane(text);
    assert_utf8_chars_map_to_themselves(text, input);
    const char *sentences[] = {
        "Good afternoon, and thank you for coming.",
        "I also met with some of Kazakhstan\xE2\x80\x99s most prominent human rights defenders",
        ("As UN High Commissioner for Human Rights, one of my key tasks is to assist countries "
         "\xE2\x80\x93 all countries \xE2\x80\x93 fill in the gaps"),
    };
    for (size_t k = 0; k < sizeof sentences / sizeof sentences[0]; k++) {
        const char *found = strstr(text->data, sentences[k]);
        ck_assert_msg(found, "sentence %zu not in the clean text", k);
        size_t from = (size_t)(found - text->data), start, end;
        rw_text_span(text, from, from + strlen(sentences[k]), &start, &end);
        ck_assert_uint_eq(end - start, strlen(sentences[k]));
        ck_assert(memcmp(input + start, sentences[k], end - start) == 0);
    }
    rw_text_destroy(&text);
    free(input);
}
END_TEST

START_TEST(test_corpus)
{
    glob_t found;
    ck_assert_int_eq(glob(CORPUS_DIR "/*.txt", 0, NULL, &found), 0);
    ck_assert_uint_ge(found.gl_pathc, 10);
    for (size_t k = 0; k < found.gl_pathc; k++) {
        size_t size;
        char *input = test_read_file(found.gl_pathv[k], &size);
        ck_assert_ptr_nonnull(input);
        rw_text_t *text = NULL;
        char reason[256] = "";
        int rc = rw_ingest((const unsigned char *)input, size, &text, reason, sizeof reason);
        ck_assert_msg(rc == 0, "%s: %s", found.gl_pathv[k], reason);
        ck_assert_uint_gt(text->length, 0);
        assert_map_sane(text);
        rw_text_destroy(&text);
        free(input);
    }
    globfree(&found);
}
END_TEST

static Suite *ingest_suite(void)
{
    Suite *suite = suite_create("ingest");
    TCase *tcase = tcase_create("core");
    tcase_set_timeout(tcase, 60);
    tcase_add_test(tcase, test_plain_utf8);
    tcase_add_test(tcase, test_utf8_bom);
    tcase_add_test(tcase, test_utf16_le);
    tcase_add_test(tcase, test_utf16_be);
    tcase_add_test(tcase, test_utf16_html);
    tcase_add_test(tcase, test_windows_1252);
    tcase_add_test(tcase, test_mixed_utf8_and_1252);
    tcase_add_test(tcase, test_refusals);
    tcase_add_test(tcase, test_too_large);
    tcase_add_test(tcase, test_whitespace_rules);
    tcase_add_test(tcase, test_front_matter);
    tcase_add_test(tcase, test_span);
    tcase_add_test(tcase, test_seed_sentences);
    tcase_add_test(tcase, test_corpus);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return test_run_suite(ingest_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
