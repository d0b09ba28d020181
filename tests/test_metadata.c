/* test_metadata.c — statement metadata: the seed statement read through rw_ingest, and
 * small statements built for one rule each. */
#include "testutil.h"

#include "gazetteer.h"
#include "ingest.h"
#include "metadata.h"

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
}

/* The metadata of bytes, read through rw_ingest. */
static rw_document_t *metadata_of(const char *bytes, size_t size)
{
    rw_text_t *text = NULL;
    char reason[256] = "";
    ck_assert_msg(rw_ingest((const unsigned char *)bytes, size, &text, reason, sizeof reason) == 0,
                  "ingest: %s", reason);
    rw_document_t *document = rw_document_new();
    ck_assert_ptr_nonnull(document);
    ck_assert_int_eq(rw_metadata_fill(gazetteer, text, document), 0);
    rw_text_destroy(&text);
    return document;
}

static rw_document_t *metadata_of_string(const char *text)
{
    return metadata_of(text, strlen(text));
}

START_TEST(test_seed_statement)
{
    size_t size = 0;
    char *bytes = test_read_file(CORPUS_DIR "/seed-pillay-kazakhstan-2012.txt", &size);
    ck_assert_ptr_nonnull(bytes);
    rw_document_t *document = metadata_of(bytes, size);
    ck_assert_ptr_nonnull(document->language);
    ck_assert_str_eq(document->language, "en");
    ck_assert_ptr_nonnull(document->title);
    ck_assert_msg(strncmp(document->title, "Opening remarks by UN High Commissioner", 39) == 0,
                  "title: %s", document->title);
    ck_assert_msg(strstr(document->title, "Kazakhstan") != NULL, "title: %s", document->title);
    ck_assert_ptr_nonnull(document->date);
    ck_assert_str_eq(document->date, "2012-07-12");
    ck_assert_ptr_nonnull(document->place);
    ck_assert_str_eq(document->place, "Astana");
    ck_assert_ptr_nonnull(document->speaker);
    ck_assert_str_eq(document->speaker, "Navi Pillay");
    ck_assert_ptr_nonnull(document->role);
    ck_assert_str_eq(document->role, "UN High Commissioner for Human Rights");
    ck_assert_uint_ge(document->countries.count, 1);
    ck_assert_str_eq(document->countries.items[0], "KZ");
    ck_assert(rw_strings_contains(&document->countries, "KG"));
    rw_document_destroy(&document);
    free(bytes);
}
END_TEST

START_TEST(test_news_dateline)
{
    rw_document_t *document = metadata_of_string(
        "UN experts urge Ruritania and Chad to free detained journalists\n\n"
        "GENEVA (10 March 2024) – UN experts today called on the authorities of Chad to "
        "release all journalists detained for their work, and to drop the charges.\n\n"
        "“Journalists must be able to work freely,” said Irene Khan, Special Rapporteur on "
        "freedom of opinion and expression.\n");
    ck_assert_str_eq(document->language, "en");
    ck_assert_str_eq(document->title,
                     "UN experts urge Ruritania and Chad to free detained journalists");
    ck_assert_str_eq(document->date, "2024-03-10");
    ck_assert_str_eq(document->place, "Geneva");
    ck_assert_ptr_nonnull(document->speaker);
    ck_assert_str_eq(document->speaker, "Irene Khan");
    ck_assert_str_eq(document->role, "Special Rapporteur on freedom of opinion and expression");
    ck_assert_uint_eq(document->countries.count, 1);
    ck_assert_str_eq(document->countries.items[0], "TD");
    rw_document_destroy(&document);
}
END_TEST

START_TEST(test_furniture_skipped)
{
    /* Navigation, a symbol, a Distr. line and a date line are not the title; the main
     * country is the one in the title even though another is named more often. */
    rw_document_t *document = metadata_of_string(
        "Skip to main content\n\n"
        "Accueil > Déclarations > Haut-Commissariat aux droits de l’homme\n\n"
        "A/HRC/40/12\n"
        "Distr.: General\n"
        "4 January 2019\n\n"
        "Statement by the Special Rapporteur on the situation of human rights in Myanmar\n\n"
        "I visited Thailand and Bangladesh, and spoke with refugees in Thailand, in Bangladesh "
        "and in Thailand again, about their lives and the conditions in Myanmar today.\n");
    ck_assert_ptr_nonnull(document->title);
    ck_assert_str_eq(document->title,
                     "Statement by the Special Rapporteur on the situation of human rights in "
                     "Myanmar");
    ck_assert_str_eq(document->date, "2019-01-04");
    ck_assert_ptr_null(document->place);
    ck_assert_str_eq(document->countries.items[0], "MM");
    ck_assert(rw_strings_contains(&document->countries, "TH"));
    ck_assert(rw_strings_contains(&document->countries, "BD"));
    rw_document_destroy(&document);
}
END_TEST

START_TEST(test_unknown_stays_null)
{
    /* No date in the header (a date in the body is the date of something else), no
     * place, no speaker. */
    rw_document_t *document = metadata_of_string(
        "New law lacks credibility, say rights groups\n\n"
        "The rights groups said on Monday that the proposed law, published on 1 January "
        "2024, replicates previous failed efforts and ignores the needs of victims.\n");
    ck_assert_str_eq(document->title, "New law lacks credibility, say rights groups");
    ck_assert_ptr_null(document->date);
    ck_assert_ptr_null(document->place);
    ck_assert_ptr_null(document->speaker);
    ck_assert_ptr_null(document->role);
    ck_assert_uint_eq(document->countries.count, 0);
    rw_document_destroy(&document);
}
END_TEST

START_TEST(test_front_matter_and_spanish)
{
    rw_document_t *document = metadata_of_string(
        "---\n"
        "title: \"Comité contra la Tortura: Observaciones sobre el Perú\"\n"
        "date: 2013-01-06\n"
        "---\n"
        "# Comité contra la Tortura: Observaciones sobre el Perú\n\n"
        "El Comité recomienda que el Estado parte adopte las medidas necesarias para que "
        "todas las denuncias de tortura en el Perú sean investigadas de manera pronta.\n");
    ck_assert_str_eq(document->language, "es");
    ck_assert_str_eq(document->title, "Comité contra la Tortura: Observaciones sobre el Perú");
    ck_assert_str_eq(document->date, "2013-01-06");
    ck_assert_str_eq(document->speaker, "Comité contra la Tortura");
    ck_assert_ptr_null(document->role);
    ck_assert_str_eq(document->countries.items[0], "PE");
    rw_document_destroy(&document);
}
END_TEST

START_TEST(test_french_statement)
{
    rw_document_t *document = metadata_of_string(
        "Déclaration de la Haute-Commissaire aux droits de l'homme Michelle Bachelet sur le "
        "Nicaragua\n\n"
        "Genève, le 1er juillet 2019\n\n"
        "Je demande au Gouvernement du Nicaragua de libérer toutes les personnes détenues "
        "arbitrairement et de garantir le droit de réunion pacifique.\n");
    ck_assert_str_eq(document->language, "fr");
    ck_assert_str_eq(document->date, "2019-07-01");
    ck_assert_str_eq(document->speaker, "Michelle Bachelet");
    ck_assert_str_eq(document->role, "Haute-Commissaire aux droits de l'homme");
    ck_assert_str_eq(document->countries.items[0], "NI");
    rw_document_destroy(&document);
}
END_TEST

static Suite *metadata_suite(void)
{
    Suite *suite = suite_create("metadata");
    TCase *cases = tcase_create("statements");
    tcase_add_checked_fixture(cases, setup, teardown);
    tcase_add_test(cases, test_seed_statement);
    tcase_add_test(cases, test_news_dateline);
    tcase_add_test(cases, test_furniture_skipped);
    tcase_add_test(cases, test_unknown_stays_null);
    tcase_add_test(cases, test_front_matter_and_spanish);
    tcase_add_test(cases, test_french_statement);
    suite_add_tcase(suite, cases);
    return suite;
}

int main(void)
{
    return test_run_suite(metadata_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
