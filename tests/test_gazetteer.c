/* test_gazetteer.c — countries, themes, dates and languages from the real lexicon, and
 * the errors a malformed data file gives. */
#include <errno.h>

#include "testutil.h"

#include "gazetteer.h"
#include "match.h"

static rw_gazetteer_t *gazetteer;

static void setup(void)
{
    rw_strings_t languages;
    ck_assert_int_eq(test_languages(&languages), 0);
    char error[512] = "";
    gazetteer = rw_gazetteer_new(LEXICON_DIR, &languages, error, sizeof error);
    rw_strings_clear(&languages);
    ck_assert_msg(gazetteer != NULL, "load failed: %s", error);
}

static void teardown(void)
{
    rw_gazetteer_destroy(&gazetteer);
    ck_assert_ptr_null(gazetteer);
}

/* The countries of text joined with spaces ("KZ KG"), into out. */
static const char *countries(const char *text, char *out, size_t size)
{
    rw_strings_t codes = {0};
    ck_assert_int_eq(rw_gazetteer_countries(gazetteer, text, strlen(text), &codes), 0);
    out[0] = '\0';
    for (size_t i = 0; i < codes.count; i++) {
        if (i)
            strncat(out, " ", size - strlen(out) - 1);
        strncat(out, codes.items[i], size - strlen(out) - 1);
    }
    rw_strings_clear(&codes);
    return out;
}

#define ASSERT_COUNTRIES(text, expected)                                                   \
    do {                                                                                   \
        char found_[256];                                                                  \
        ck_assert_str_eq(countries(text, found_, sizeof found_), expected);                \
    } while (0)

static const char *date(const char *text, char iso[11])
{
    if (!rw_gazetteer_date(gazetteer, text, strlen(text), iso))
        return "none";
    return iso;
}

#define ASSERT_DATE(text, expected)                                                        \
    do {                                                                                   \
        char iso_[11];                                                                     \
        ck_assert_str_eq(date(text, iso_), expected);                                      \
    } while (0)

START_TEST(test_dates_english)
{
    ASSERT_DATE("Astana, 12 July 2012", "2012-07-12");
    ASSERT_DATE("on July 12, 2012 in", "2012-07-12");
    ASSERT_DATE("On August 13, 2025, the Office", "2025-08-13");
    ASSERT_DATE("the 1st of March 2010", "2010-03-01");
    ASSERT_DATE("22 Jan 2025 14:31", "2025-01-22");
    ASSERT_DATE("Sept. 3, 2019", "2019-09-03");
    ASSERT_DATE("GENEVA (10 March 2024) –", "2024-03-10");
}
END_TEST

START_TEST(test_dates_french_spanish)
{
    ASSERT_DATE("Le 12 juillet 2012", "2012-07-12");
    ASSERT_DATE("le 1er juillet 2012", "2012-07-01");
    ASSERT_DATE("le mardi 14 novembre 1995, à 15 heures", "1995-11-14");
    ASSERT_DATE("20 décembre 1995", "1995-12-20");
    ASSERT_DATE("el 12 de julio de 2012", "2012-07-12");
    ASSERT_DATE("el 1º de mayo de 2008", "2008-05-01");
    ASSERT_DATE("celebrada el 6 de mayo de 2008", "2008-05-06");
    ASSERT_DATE("julio 12 de 2012", "2012-07-12");
}
END_TEST

START_TEST(test_dates_numeric)
{
    ASSERT_DATE("2012-07-12", "2012-07-12");
    ASSERT_DATE("date = 2021-06-11T06:47:10Z", "2021-06-11");
    ASSERT_DATE("le 12.07.2012", "2012-07-12");
    ASSERT_DATE("12/07/2012", "2012-07-12"); /* day first */
    ASSERT_DATE("29/02/2012", "2012-02-29");
}
END_TEST

START_TEST(test_dates_invalid)
{
    ASSERT_DATE("31 February 2012", "none");
    ASSERT_DATE("29 February 2011", "none");
    ASSERT_DATE("31 avril 2012", "none");
    ASSERT_DATE("2012-13-01", "none");
    ASSERT_DATE("12/31/2012", "none"); /* day first: month 31 */
    ASSERT_DATE("32 July 2012", "none");
    ASSERT_DATE("the 1983-2009 civil war", "none");
    ASSERT_DATE("A/HRC/14/12 and CAT/C/SR.229", "none");
    ASSERT_DATE("July 2012", "none");
    ASSERT_DATE("12 July", "none");
    /* The first valid date is found after an invalid one. */
    ASSERT_DATE("31 February 2012, then 2012-02-29", "2012-02-29");
}
END_TEST

START_TEST(test_countries_three_languages)
{
    ASSERT_COUNTRIES("Kazakhstan, the Kazakh authorities and Kazakhstani citizens", "KZ");
    ASSERT_COUNTRIES("le gouvernement kazakh et le Kazakhstan", "KZ");
    ASSERT_COUNTRIES("el Gobierno de Kazajstán y las autoridades kazajas", "KZ");
    ASSERT_COUNTRIES("Iran (Islamic Republic of) and the Islamic Republic of Iran", "IR");
    ASSERT_COUNTRIES("Sri Lankan police in Sri Lanka", "LK");
    ASSERT_COUNTRIES("Côte d’Ivoire, Cote d'Ivoire, Ivory Coast, ivoirien", "CI");
    ASSERT_COUNTRIES("the United States of America, the USA, the U.S. and EE. UU.", "US");
    ASSERT_COUNTRIES("l’Azerbaïdjan et l'Arménie", "AZ AM");
    ASSERT_COUNTRIES("la République démocratique du Congo et le Congo", "CD CG");
    ASSERT_COUNTRIES("México, Perú y los Estados Unidos Mexicanos", "MX PE");
    ASSERT_COUNTRIES("Turkey, Türkiye and TURKEY", "TR");
}
END_TEST

START_TEST(test_countries_ambiguity)
{
    /* Longest match wins. */
    ASSERT_COUNTRIES("Papua New Guinea", "PG");
    ASSERT_COUNTRIES("Equatorial Guinea and Guinea-Bissau and Guinea", "GQ GW GN");
    ASSERT_COUNTRIES("the Democratic Republic of the Congo", "CD");
    ASSERT_COUNTRIES("the Republic of the Congo", "CG");
    ASSERT_COUNTRIES("South Sudan", "SS");
    ASSERT_COUNTRIES("Sudan", "SD");
    ASSERT_COUNTRIES("Niger, then Nigeria, Nigerien and Nigerian", "NE NG");
    ASSERT_COUNTRIES("Dominica", "DM");
    ASSERT_COUNTRIES("the Dominican Republic", "DO");
    /* Capitals required where lower case is a common word. */
    ASSERT_COUNTRIES("fine china and a roast turkey", "");
    ASSERT_COUNTRIES("China and Turkey", "CN TR");
    ASSERT_COUNTRIES("us and them", "");
    /* Names that are also people's names. */
    ASSERT_COUNTRIES("the star Michael Jordan played", "");
    ASSERT_COUNTRIES("In Jordan, refugees", "JO");
    ASSERT_COUNTRIES("Jordan Peterson spoke", "");
    ASSERT_COUNTRIES("refugees in Jordan and Chad", "JO TD");
    ASSERT_COUNTRIES("Chad Smith", "");
    ASSERT_COUNTRIES("Víctor Manuel Báez Chino", "");
    /* Phrases that contain a country but are not one. */
    ASSERT_COUNTRIES("the Indian Ocean and Latin America", "");
    ASSERT_COUNTRIES("the Gulf of Guinea", "");
    /* Word-bounded. */
    ASSERT_COUNTRIES("Omanibus and Chadwick and Perusal", "");
    ASSERT_COUNTRIES("Kazakhstan's and Kazakhstan-based", "KZ");
}
END_TEST

START_TEST(test_countries_order)
{
    ASSERT_COUNTRIES("Kyrgyzstan, then Kazakhstan, then Kyrgyzstan again", "KG KZ");
}
END_TEST

/* The themes of text joined with "|". */
static void assert_themes(const char *language, const char *text, const char *expected)
{
    rw_strings_t themes = {0};
    ck_assert_int_eq(rw_gazetteer_themes(gazetteer, language, text, strlen(text), &themes), 0);
    char found[1024] = "";
    for (size_t i = 0; i < themes.count; i++) {
        if (i)
            strncat(found, "|", sizeof found - strlen(found) - 1);
        strncat(found, themes.items[i], sizeof found - strlen(found) - 1);
    }
    rw_strings_clear(&themes);
    ck_assert_str_eq(found, expected);
}

START_TEST(test_themes_per_language)
{
    const char *torture = "torture and other cruel, inhuman or degrading treatment";
    assert_themes("en", "an end to torture and ill-treatment", torture);
    assert_themes("fr", "les mauvais traitements infligés", torture);
    assert_themes("es", "los malos tratos en comisarías", torture);
    assert_themes("en", "guarantee a fair trial", "administration of justice");
    assert_themes("fr", "le droit à un procès équitable", "administration of justice");
    assert_themes("es", "el derecho a un juicio justo", "administration of justice");
    assert_themes("en", "abolish the death penalty", "death penalty");
    assert_themes("es", "abolir la pena de muerte", "death penalty");
    assert_themes("en", "the weather was fine", "");
    /* A language selects its own triggers only: "tortura" is not English. */
    assert_themes("en", "la tortura", "");
    assert_themes(NULL, "la tortura", torture);
    assert_themes("en", "protect journalists and release detainees",
                  "freedom of expression|detention");
}
END_TEST

START_TEST(test_language_detection)
{
    const char *english = "The Government should ensure that all allegations of torture are "
                          "investigated promptly and that those responsible are brought to "
                          "justice.";
    const char *french = "Le Comité recommande que l'État partie prenne les mesures "
                         "nécessaires pour que toutes les allégations de torture fassent "
                         "l'objet d'une enquête.";
    const char *spanish = "El Comité recomienda que el Estado parte adopte las medidas "
                          "necesarias para que todas las denuncias de tortura sean "
                          "investigadas de manera pronta.";
    const char *language = rw_gazetteer_language(gazetteer, english, strlen(english));
    ck_assert_ptr_nonnull(language);
    ck_assert_str_eq(language, "en");
    language = rw_gazetteer_language(gazetteer, french, strlen(french));
    ck_assert_ptr_nonnull(language);
    ck_assert_str_eq(language, "fr");
    language = rw_gazetteer_language(gazetteer, spanish, strlen(spanish));
    ck_assert_ptr_nonnull(language);
    ck_assert_str_eq(language, "es");
    /* From a word list (the one-word matcher's quick scan): the same answers. */
    const char *texts[] = { english, french, spanish, "Navi Pillay", "" };
    rw_match_words_t words = { 0 };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t length = strlen(texts[i]);
        ck_assert_int_eq(rw_match_words_split(texts[i], length, &words), 0);
        const char *plain = rw_gazetteer_language_guess(gazetteer, texts[i], length, 2);
        const char *listed = rw_gazetteer_language_guess_words(gazetteer, texts[i], length,
                                                               &words, 2);
        ck_assert(plain == listed || (plain && listed && strcmp(plain, listed) == 0));
    }
    rw_match_words_clear(&words);
    /* Too little evidence. */
    ck_assert_ptr_null(rw_gazetteer_language(gazetteer, "Navi Pillay", 11));
    ck_assert_ptr_null(rw_gazetteer_language(gazetteer, "", 0));
}
END_TEST

/* A lexicon folder with one file written by the test. */
static char *write_lexicon(const char *file, const char *content)
{
    char *dir = test_tempdir();
    ck_assert_ptr_nonnull(dir);
    char path[1024];
    snprintf(path, sizeof path, "%s/en", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    ck_assert_int_eq(test_write_file(path, content, strlen(content)), 0);
    return dir;
}

static void assert_load_error(const char *file, const char *content, const char *expected)
{
    char *dir = write_lexicon(file, content);
    rw_strings_t languages = {0};
    ck_assert_int_eq(rw_strings_append(&languages, "en", 2), 0);
    char error[512] = "";
    rw_gazetteer_t *broken = rw_gazetteer_new(dir, &languages, error, sizeof error);
    ck_assert_ptr_null(broken);
    ck_assert_msg(strstr(error, expected) != NULL, "error \"%s\" lacks \"%s\"", error,
                  expected);
    ck_assert_msg(strstr(error, file) != NULL, "error \"%s\" lacks the file name", error);
    rw_strings_clear(&languages);
    test_remove_tree(dir);
    free(dir);
}

START_TEST(test_malformed_files)
{
    assert_load_error("countries.tsv", "# comment\nKZ\ten\tKazakhstan\nkz\ten\tKazakh\n",
                      "countries.tsv:3: \"kz\" is not an ISO 3166-1 alpha-2 code");
    assert_load_error("countries.tsv", "\nKZ\tKazakhstan\n", "countries.tsv:2: expected");
    assert_load_error("themes.tsv", "torture\ten\ttorture{,s\n", "themes.tsv:1: unbalanced");
    assert_load_error("en/months.txt", "January\t1\nFebruary\t13\n", "months.txt:2:");
    assert_load_error("en/roles.txt", "people\tSecretary-General\n", "roles.txt:1:");
}
END_TEST

START_TEST(test_missing_optional_files)
{
    /* A language folder without stopwords: loads, and that language is never detected. */
    char *dir = write_lexicon("countries.tsv", "KZ\ten\tKazakhstan\n");
    rw_strings_t languages = {0};
    ck_assert_int_eq(rw_strings_append(&languages, "en", 2), 0);
    char error[512] = "";
    rw_gazetteer_t *small = rw_gazetteer_new(dir, &languages, error, sizeof error);
    ck_assert_msg(small != NULL, "%s", error);
    const char *text = "The Government of Kazakhstan should do this and that for all of them.";
    ck_assert_ptr_null(rw_gazetteer_language(small, text, strlen(text)));
    rw_strings_t codes = {0};
    ck_assert_int_eq(rw_gazetteer_countries(small, text, strlen(text), &codes), 0);
    ck_assert_uint_eq(codes.count, 1);
    ck_assert_str_eq(codes.items[0], "KZ");
    rw_strings_clear(&codes);
    rw_gazetteer_destroy(&small);
    rw_strings_clear(&languages);
    test_remove_tree(dir);
    free(dir);
}
END_TEST

static bool count_match(void *context, size_t start, size_t end, int value)
{
    (void)start;
    (void)end;
    (void)value;
    (*(int *)context)++;
    return true;
}

START_TEST(test_matcher_folding)
{
    rw_match_t *match = rw_match_new();
    ck_assert_ptr_nonnull(match);
    ck_assert_int_eq(rw_match_add(match, "droits de l'homme", 17, 1, 0, 0), 0);
    ck_assert_int_eq(rw_match_add(match, "", 0, 1, 0, 0), -EINVAL);
    int found = 0;
    const char *text = "DROITS DE L’HOMME, droits de l'homme, Droits de l homme";
    rw_match_scan(match, text, strlen(text), 1u, count_match, &found);
    ck_assert_int_eq(found, 3);
    found = 0;
    const char *apart = "droits. De l'homme";
    rw_match_scan(match, apart, strlen(apart), 1u, count_match, &found);
    ck_assert_int_eq(found, 0);
    char folded[64];
    const char *phrase = "Côte d’Ivoire ÉTATS Straße";
    rw_match_fold(phrase, strlen(phrase), folded, sizeof folded);
    ck_assert_str_eq(folded, "cote d ivoire etats strasse");
    rw_match_destroy(&match);
    ck_assert_ptr_null(match);
}
END_TEST

/* The matches of a scan, in order. */
typedef struct {
    size_t count;
    size_t starts[16], ends[16];
    int values[16];
} found_t;

static bool record_match(void *context, size_t start, size_t end, int value)
{
    found_t *found = context;
    if (found->count < 16) {
        found->starts[found->count] = start;
        found->ends[found->count] = end;
        found->values[found->count] = value;
    }
    found->count++;
    return true;
}

static void assert_same_found(const found_t *a, const found_t *b, size_t start, size_t end)
{
    ck_assert_msg(a->count == b->count, "piece [%zu, %zu): %zu matches alone, %zu in range",
                  start, end, a->count, b->count);
    for (size_t i = 0; i < a->count && i < 16; i++) {
        ck_assert_uint_eq(a->starts[i], b->starts[i]);
        ck_assert_uint_eq(a->ends[i], b->ends[i]);
        ck_assert_int_eq(a->values[i], b->values[i]);
    }
}

/* A piece scanned with the words of the whole text finds what the piece scanned alone
 * finds, for every piece: pieces that cut a word at either end, that start inside a
 * name test's neighbour, or that hold no word at all. */
/* What a scan reports, in order, for comparing two scans; the callback stops the scan
 * after stop_after calls (0: never). */
typedef struct {
    size_t count, stop_after;
    size_t starts[64], ends[64];
    int values[64];
} single_found_t;

static bool record_single(void *context, size_t start, size_t end, int value)
{
    single_found_t *found = context;
    if (found->count < 64) {
        found->starts[found->count] = start;
        found->ends[found->count] = end;
        found->values[found->count] = value;
    }
    found->count++;
    return found->count != found->stop_after;
}

/* A matcher of one-word phrases (a stopword list) scans a word list without walking
 * its trie: the same calls, in the same order, and the same result as the plain scan,
 * repeated words and groups included, and when the callback stops the scan. */
START_TEST(test_matcher_single_words)
{
    rw_match_t *match = rw_match_new();
    ck_assert_ptr_nonnull(match);
    ck_assert_int_eq(rw_match_add(match, "the", 3, 0, 0, RW_MATCH_IGNORE_CASE), 0);
    ck_assert_int_eq(rw_match_add(match, "les", 3, 1, 1, RW_MATCH_IGNORE_CASE), 0);
    ck_assert_int_eq(rw_match_add(match, "the", 3, 2, 0, RW_MATCH_IGNORE_CASE), 0);
    ck_assert_int_eq(rw_match_add(match, "été", strlen("été"), 3, 1, RW_MATCH_IGNORE_CASE), 0);
    const char *text = "The cat and LES chats; the end. Ete, \xC3\x89T\xC3\x89 - theory";
    size_t length = strlen(text);
    rw_match_words_t words = { 0 };
    ck_assert_int_eq(rw_match_words_split(text, length, &words), 0);
    uint32_t masks[] = { UINT32_MAX, 1u, 2u };
    for (size_t m = 0; m < 3; m++) {
        for (size_t stop = 0; stop < 4; stop++) {
            single_found_t plain = { .stop_after = stop }, listed = { .stop_after = stop };
            size_t a = rw_match_scan(match, text, length, masks[m], record_single, &plain);
            size_t b = rw_match_scan_words(match, text, length, &words, masks[m],
                                           record_single, &listed);
            ck_assert_uint_eq(a, b);
            ck_assert_uint_eq(plain.count, listed.count);
            for (size_t i = 0; i < plain.count && i < 64; i++) {
                ck_assert_uint_eq(plain.starts[i], listed.starts[i]);
                ck_assert_uint_eq(plain.ends[i], listed.ends[i]);
                ck_assert_int_eq(plain.values[i], listed.values[i]);
            }
        }
    }
    /* every group: The (0, 2), LES (1), the (0, 2), Ete (3), ÉTÉ (3) */
    single_found_t all = { .stop_after = 0 };
    ck_assert_uint_eq(rw_match_scan_words(match, text, length, &words, UINT32_MAX,
                                          record_single, &all), words.count);
    ck_assert_uint_eq(all.count, 7);
    ck_assert_int_eq(all.values[0], 0);
    ck_assert_int_eq(all.values[1], 2);
    ck_assert_int_eq(all.values[2], 1);
    ck_assert_int_eq(all.values[6], 3);
    rw_match_words_clear(&words);
    rw_match_destroy(&match);
}
END_TEST

START_TEST(test_matcher_ranges)
{
    rw_match_t *match = rw_match_new();
    ck_assert_ptr_nonnull(match);
    ck_assert_int_eq(rw_match_add(match, "New Zealand", 11, 1, 0, 0), 0);
    ck_assert_int_eq(rw_match_add(match, "Chad", 4, 2, 0, RW_MATCH_NAME), 0);
    ck_assert_int_eq(rw_match_add(match, "U.S.", 4, 3, 0, 0), 0);
    ck_assert_int_eq(rw_match_add(match, "zea", 3, 4, 0, 0), 0);
    const char *text = "Visit New Zealand. Chad Smith met the U.S. envoy; Côte, Chad zea!";
    size_t length = strlen(text);
    rw_match_words_t words;
    memset(&words, 0, sizeof words);
    ck_assert_int_eq(rw_match_words_split(text, length, &words), 0);
    for (size_t start = 0; start <= length; start++) {
        for (size_t end = start; end <= length; end++) {
            found_t alone = {0}, range = {0};
            size_t counted = rw_match_scan(match, text + start, end - start, 1u, record_match,
                                           &alone);
            size_t counted_range = rw_match_scan_range(match, text, start, end, &words, 1u,
                                                       record_match, &range);
            assert_same_found(&alone, &range, start, end);
            ck_assert_uint_eq(counted, counted_range);
        }
    }
    /* The whole text: "New Zealand", "U.S.", the last "Chad" (not "Chad Smith") and
     * "zea". */
    found_t whole = {0};
    rw_match_scan_range(match, text, 0, length, &words, 1u, record_match, &whole);
    ck_assert_uint_eq(whole.count, 4);
    ck_assert_int_eq(whole.values[0], 1);
    ck_assert_int_eq(whole.values[1], 3);
    ck_assert_int_eq(whole.values[2], 2);
    ck_assert_int_eq(whole.values[3], 4);
    /* "New Zea" cut inside "Zealand": no country, but the short word "zea". */
    found_t cut = {0};
    rw_match_scan_range(match, text, 6, 13, &words, 1u, record_match, &cut);
    ck_assert_uint_eq(cut.count, 1);
    ck_assert_int_eq(cut.values[0], 4);
    rw_match_words_clear(&words);
    rw_match_destroy(&match);
}
END_TEST

/* The gazetteer's piece lookups answer as the plain ones on the piece. */
START_TEST(test_range_lookups)
{
    const char *text = "The Committee urges France to address torture in Kazakhstan.\n"
                       "Ministers of Denmark and New Zealand discussed freedom of expression.";
    size_t length = strlen(text);
    rw_match_words_t words;
    memset(&words, 0, sizeof words);
    ck_assert_int_eq(rw_match_words_split(text, length, &words), 0);
    size_t cuts[] = {0, 3, 14, 20, 55, 61, 75, 86, 95, 110, length};
    size_t count = sizeof cuts / sizeof cuts[0];
    for (size_t a = 0; a < count; a++) {
        for (size_t b = a; b < count; b++) {
            size_t start = cuts[a], end = cuts[b];
            rw_strings_t plain = {0}, range = {0}, plain_themes = {0}, range_themes = {0};
            ck_assert_int_eq(rw_gazetteer_countries(gazetteer, text + start, end - start,
                                                    &plain), 0);
            ck_assert_int_eq(rw_gazetteer_countries_range(gazetteer, text, start, end,
                                                          &words, &range), 0);
            ck_assert_int_eq(rw_gazetteer_themes(gazetteer, "en", text + start,
                                                 end - start, &plain_themes), 0);
            ck_assert_int_eq(rw_gazetteer_themes_range(gazetteer, "en", text, start, end,
                                                       &words, &range_themes), 0);
            ck_assert_uint_eq(plain.count, range.count);
            for (size_t i = 0; i < plain.count; i++)
                ck_assert_str_eq(plain.items[i], range.items[i]);
            ck_assert_uint_eq(plain_themes.count, range_themes.count);
            for (size_t i = 0; i < plain_themes.count; i++)
                ck_assert_str_eq(plain_themes.items[i], range_themes.items[i]);
            if (start == 0 && end == length) {
                ck_assert_uint_eq(range.count, 4); /* FR, KZ, DK, NZ */
                ck_assert_uint_ge(range_themes.count, 2);
            }
            rw_strings_clear(&plain);
            rw_strings_clear(&range);
            rw_strings_clear(&plain_themes);
            rw_strings_clear(&range_themes);
        }
    }
    rw_match_words_clear(&words);
}
END_TEST

static Suite *gazetteer_suite(void)
{
    Suite *suite = suite_create("gazetteer");
    TCase *lookups = tcase_create("lookups");
    tcase_add_checked_fixture(lookups, setup, teardown);
    tcase_add_test(lookups, test_dates_english);
    tcase_add_test(lookups, test_dates_french_spanish);
    tcase_add_test(lookups, test_dates_numeric);
    tcase_add_test(lookups, test_dates_invalid);
    tcase_add_test(lookups, test_countries_three_languages);
    tcase_add_test(lookups, test_countries_ambiguity);
    tcase_add_test(lookups, test_countries_order);
    tcase_add_test(lookups, test_themes_per_language);
    tcase_add_test(lookups, test_language_detection);
    suite_add_tcase(suite, lookups);
    TCase *files = tcase_create("files");
    tcase_add_test(files, test_malformed_files);
    tcase_add_test(files, test_missing_optional_files);
    tcase_add_test(files, test_matcher_folding);
    tcase_add_test(files, test_matcher_ranges);
    tcase_add_test(files, test_matcher_single_words);
    tcase_add_test(lookups, test_range_lookups);
    suite_add_tcase(suite, files);
    return suite;
}

int main(void)
{
    return test_run_suite(gazetteer_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
