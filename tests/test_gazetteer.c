/* test_gazetteer.c — countries, themes, dates and languages from the real lexicon, and
 * the errors a malformed data file gives. */
#include <errno.h>

#include "testutil.h"

#include "gazetteer.h"
#include "match.h"

static rw_gazetteer_t *gazetteer;

static void setup(void)
{
    rw_strings_t languages = {0};
    ck_assert_int_eq(rw_strings_append(&languages, "en", 2), 0);
    ck_assert_int_eq(rw_strings_append(&languages, "fr", 2), 0);
    ck_assert_int_eq(rw_strings_append(&languages, "es", 2), 0);
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
    suite_add_tcase(suite, files);
    return suite;
}

int main(void)
{
    return test_run_suite(gazetteer_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
