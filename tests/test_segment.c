/* test_segment.c — sentence and list-item segmentation around its traps: abbreviations,
 * initials, decimals, numbered paragraphs, quotations, ellipses, headings, bullets,
 * French and Spanish punctuation, hard-wrapped lines, markdown, UPR lists. */
#include <string.h>

#include "segment.h"
#include "testutil.h"
#include "words.h"

static rw_words_t *abbreviations;
static rw_segment_t *segment;
static const char *text;

static void run(const char *input)
{
    text = input;
    ck_assert_int_eq(rw_segment_run(segment, abbreviations, text, strlen(text)), 0);
}

/* Unit i equals expected. */
static void unit_is(size_t i, const char *expected)
{
    ck_assert_msg(i < segment->count, "only %zu units", segment->count);
    const rw_unit_t *u = &segment->units[i];
    ck_assert_msg(u->end - u->start == strlen(expected)
                  && strncmp(text + u->start, expected, strlen(expected)) == 0,
                  "unit %zu is \"%.*s\", expected \"%s\"", i, (int)(u->end - u->start),
                  text + u->start, expected);
}

START_TEST(abbreviations_and_initials)
{
    run("Mr. Smith met Dr. Jones of the U.N. office. J. K. Rowling was not there. "
        "See e.g. para. 5 and art. 3. M. Reimann répond. La Sra. Pérez habló.");
    ck_assert_uint_eq(segment->count, 5);
    unit_is(0, "Mr. Smith met Dr. Jones of the U.N. office.");
    unit_is(1, "J. K. Rowling was not there.");
    unit_is(2, "See e.g. para. 5 and art. 3.");
    unit_is(3, "M. Reimann répond.");
    unit_is(4, "La Sra. Pérez habló.");
}
END_TEST

START_TEST(numbers_quotes_ellipses)
{
    run("Growth was 12.5 per cent in 2011. \"We must act.\" She left... Then it rained.");
    ck_assert_uint_eq(segment->count, 4);
    unit_is(0, "Growth was 12.5 per cent in 2011.");
    unit_is(1, "\"We must act.\"");
    unit_is(2, "She left...");
    run("« Le Comité exhorte l'État. » Il part. ¿Debe el Estado actuar? ¡Sí! Fin.");
    ck_assert_uint_eq(segment->count, 5);
    unit_is(0, "« Le Comité exhorte l'État. »");
    unit_is(2, "¿Debe el Estado actuar?");
}
END_TEST

START_TEST(numbered_paragraphs_and_bullets)
{
    run("3. The Committee met.\n12.5 The State should act.\n92.1. Ratify the Convention (Chile);\n"
        "(a) Adopt a law;\n• Repeal the decree;\n- Train judges;\n* Free detainees.\n");
    ck_assert_uint_eq(segment->count, 7);
    unit_is(0, "The Committee met.");
    unit_is(1, "The State should act.");
    unit_is(2, "Ratify the Convention (Chile);");
    unit_is(3, "Adopt a law;");
    unit_is(4, "Repeal the decree;");
    unit_is(5, "Train judges;");
    unit_is(6, "Free detainees.");
    for (size_t i = 0; i < segment->count; i++)
        ck_assert(segment->units[i].item);
    ck_assert_int_eq(segment->units[2].marker_kind, RW_MARKER_NUMBER);
    ck_assert_int_eq(segment->units[3].marker_kind, RW_MARKER_PAREN);
    ck_assert_int_eq(segment->units[4].marker_kind, RW_MARKER_BULLET);
}
END_TEST

START_TEST(hard_wrapped_and_upr_lists)
{
    run("The Government should\nrelease all detainees and\nrepeal the law.\n\n"
        "140.38  Make further efforts to\n    promote women's rights (Bangladesh);\n"
        "140.39 Adopt legislation (Chile);\n\n85. \nThe head of the delegation spoke.\n");
    ck_assert_uint_eq(segment->count, 4);
    unit_is(0, "The Government should\nrelease all detainees and\nrepeal the law.");
    unit_is(1, "Make further efforts to\n    promote women's rights (Bangladesh);");
    unit_is(2, "Adopt legislation (Chile);");
    unit_is(3, "The head of the delegation spoke.");
}
END_TEST

START_TEST(headings_and_markdown)
{
    run("# Pillay on Kazakhstan\n\nSkip to main content\n\nRecommendations\n"
        "The State should ratify the Convention against Torture without delay.\n\n"
        "**Background**\n\nThe **law** was adopted in *2010*.\n");
    ck_assert_uint_eq(segment->count, 6);
    unit_is(0, "Pillay on Kazakhstan");
    ck_assert_int_eq(segment->units[0].kind, RW_UNIT_HEADING);
    unit_is(1, "Skip to main content");
    ck_assert_int_eq(segment->units[1].kind, RW_UNIT_HEADING);
    unit_is(2, "Recommendations");
    ck_assert_int_eq(segment->units[2].kind, RW_UNIT_HEADING);
    unit_is(3, "The State should ratify the Convention against Torture without delay.");
    ck_assert_int_eq(segment->units[3].kind, RW_UNIT_SENTENCE);
    unit_is(4, "Background");
    unit_is(5, "The **law** was adopted in *2010*.");
}
END_TEST

START_TEST(inline_lists)
{
    run("The Government should: (a) adopt a law; (b) train judges; and (c) free detainees.");
    ck_assert_uint_eq(segment->count, 4);
    unit_is(0, "The Government should:");
    unit_is(1, "adopt a law;");
    unit_is(3, "free detainees.");
    ck_assert(!segment->units[0].item);
    ck_assert(segment->units[1].item);
}
END_TEST

START_TEST(markers)
{
    ck_assert_uint_eq(rw_segment_marker("(iv) text", 9), 5);
    ck_assert_uint_eq(rw_segment_marker("92.1. text", 10), 6);
    ck_assert_uint_eq(rw_segment_marker("140.38  Make", 12), 8);
    ck_assert_uint_eq(rw_segment_marker("2012 was", 8), 0);
    ck_assert_uint_eq(rw_segment_marker("**bold**", 8), 0);
    ck_assert_uint_eq(rw_segment_marker("12.5% of", 8), 0);
}
END_TEST

START_TEST(ocr_noise_and_empty)
{
    run("");
    ck_assert_uint_eq(segment->count, 0);
    run("\n\n   \n(…)\n\n. . .\n");
    ck_assert_uint_eq(segment->count, 0);
    run("Th e Gov ernment shou ld act .Next line without end");
    ck_assert_uint_ge(segment->count, 1);
}
END_TEST

int main(void)
{
    abbreviations = rw_words_new();
    segment = rw_segment_new();
    const char *words[] = { "mr.", "dr.", "e.g.", "para.", "art.", "sra.", "no.", "m." };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        rw_words_add(abbreviations, words[i], 1);
    Suite *suite = suite_create("segment");
    TCase *tc = tcase_create("segment");
    tcase_add_test(tc, abbreviations_and_initials);
    tcase_add_test(tc, numbers_quotes_ellipses);
    tcase_add_test(tc, numbered_paragraphs_and_bullets);
    tcase_add_test(tc, hard_wrapped_and_upr_lists);
    tcase_add_test(tc, headings_and_markdown);
    tcase_add_test(tc, inline_lists);
    tcase_add_test(tc, markers);
    tcase_add_test(tc, ocr_noise_and_empty);
    suite_add_tcase(suite, tc);
    int failed = test_run_suite(suite);
    rw_segment_destroy(&segment);
    rw_words_destroy(&abbreviations);
    return failed ? 1 : 0;
}
