/* test_extract.c — the extractor on hand-written sentences (each cue family in English,
 * French and Spanish, the look-alikes, every field, lead-ins and lists) and on the
 * seed statement, whose gold recommendations must come out with exact spans. */
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "testutil.h"

static rw_lexicon_t *lexicon;

/* Clean text made from plain text: every byte maps to itself. */
static rw_text_t *plain_text(const char *text)
{
    rw_text_t *t = calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    t->length = strlen(text);
    t->data = strdup(text);
    t->starts = malloc((t->length + 1) * sizeof *t->starts);
    t->ends = malloc((t->length + 1) * sizeof *t->ends);
    ck_assert(t->data && t->starts && t->ends);
    for (size_t i = 0; i <= t->length; i++) {
        t->starts[i] = (uint32_t)i;
        t->ends[i] = (uint32_t)i + 1;
    }
    t->original_size = t->length;
    t->format = "text";
    t->encoding = "utf-8";
    return t;
}

static rw_document_t *extract(const char *text, double min_confidence)
{
    rw_text_t *t = plain_text(text);
    rw_extract_options_t options = { min_confidence };
    rw_document_t *doc = NULL;
    ck_assert_int_eq(rw_extract(lexicon, t, &options, &doc), 0);
    ck_assert_ptr_nonnull(doc);
    rw_text_destroy(&t);
    return doc;
}

/* The one recommendation of text (fails unless there is exactly one). */
static rw_document_t *one(const char *text)
{
    rw_document_t *doc = extract(text, 0.5);
    ck_assert_msg(doc->count == 1, "%zu recommendations in: %s", doc->count, text);
    return doc;
}

static void none(const char *text)
{
    rw_document_t *doc = extract(text, 0.5);
    ck_assert_msg(doc->count == 0, "recommendation found in: %s (%s)", text,
                  doc->count ? doc->recommendations[0].text : "");
    rw_document_destroy(&doc);
}

static bool has_cue(const rw_recommendation_t *rec, const char *cue)
{
    return rw_strings_contains(&rec->cues, cue);
}

static bool starts_with(const char *text, const char *prefix)
{
    return text && strncmp(text, prefix, strlen(prefix)) == 0;
}

START_TEST(performative_fields)
{
    rw_document_t *doc = one("I urge the Government to ratify the Convention against Torture.");
    rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->text, "I urge the Government to ratify the Convention against Torture.");
    ck_assert_str_eq(rec->addressee, "the Government");
    ck_assert_str_eq(rec->action, "ratify the Convention against Torture");
    ck_assert_int_eq(rec->category, 5);
    ck_assert_str_eq(rec->strength, "strong");
    ck_assert(rec->confidence >= 0.9 && rec->confidence <= 1.0);
    ck_assert(has_cue(rec, "urge"));
    ck_assert_uint_eq(rec->start, 0);
    ck_assert_uint_eq(rec->span_end, strlen(rec->text));
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(performative_that_clause)
{
    rw_document_t *doc = one("As a result, I have recommended to the Government that the only way "
                             "to answer these questions is to authorize an independent "
                             "international investigation into the events.");
    rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->addressee, "the Government");
    ck_assert(starts_with(rec->action, "authorize an independent international investigation"));
    ck_assert_int_eq(rec->category, 5);
    ck_assert(has_cue(rec, "recommended to"));
    ck_assert(rec->confidence >= 0.9);
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(reported_calls)
{
    rw_document_t *doc = one("Human Rights Watch urged the government to release all detainees.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "the government");
    ck_assert_str_eq(doc->recommendations[0].action, "release all detainees");
    rw_document_destroy(&doc);
    doc = one("Sweden recommended that Iran abolish the death penalty.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "Iran");
    ck_assert_str_eq(doc->recommendations[0].action, "abolish the death penalty");
    ck_assert_int_eq(doc->recommendations[0].category, 5);
    rw_document_destroy(&doc);
    doc = one("The experts called on the authorities to suspend the operation.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "the authorities");
    rw_document_destroy(&doc);
    doc = one("Bolivia encouraged Iran to continue to include more women in that body.");
    ck_assert_int_eq(doc->recommendations[0].category, 2);
    ck_assert_str_eq(doc->recommendations[0].strength, "moderate");
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(deontic_modals)
{
    rw_document_t *doc = one("The Government should immediately release all those arbitrarily detained.");
    rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->addressee, "The Government");
    ck_assert_str_eq(rec->action, "release all those arbitrarily detained");
    ck_assert_str_eq(rec->strength, "moderate");
    ck_assert(rec->confidence >= 0.65 && rec->confidence < 0.9);
    rw_document_destroy(&doc);
    doc = one("I believe the 1995 law on freedom of assembly should be replaced by a new law.");
    rec = &doc->recommendations[0];
    ck_assert_ptr_null(rec->addressee);     /* a passive names no actor */
    ck_assert(has_cue(rec, "should be replaced"));
    ck_assert_int_eq(rec->category, 5);
    rw_document_destroy(&doc);
    doc = one("Authorities must immediately withdraw the bill.");
    ck_assert_str_eq(doc->recommendations[0].strength, "strong");
    rw_document_destroy(&doc);
    doc = one("Sri Lanka's international partners need to step up their efforts.");
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(necessity_and_evaluation)
{
    rw_document_t *doc = one("I believe a new or amended media law that decriminalizes libel is needed.");
    ck_assert_str_eq(doc->recommendations[0].strength, "strong");
    ck_assert(has_cue(&doc->recommendations[0], "is needed"));
    rw_document_destroy(&doc);
    doc = one("An effective preventive mechanism is a matter of urgency.");
    rw_document_destroy(&doc);
    doc = one("It is crucial that the police stop the practice.");
    rw_document_destroy(&doc);
    doc = one("A national action plan would be the best way to begin the process of reform.");
    ck_assert_str_eq(doc->recommendations[0].strength, "weak");
    ck_assert(doc->recommendations[0].confidence >= 0.5 && doc->recommendations[0].confidence < 0.8);
    rw_document_destroy(&doc);
    doc = one("Another essential element in the effort to combat torture is to halt the practice.");
    ck_assert_str_eq(doc->recommendations[0].action, "halt the practice");
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(look_alikes)
{
    none("The Foreign Minister informed me that it would soon ratify the Convention.");
    none("The Government intends to establish a national commission next year.");
    none("I applaud the fact that the government has given compensation to victims.");
    none("The Committee welcomes the adoption of the new law on torture.");
    none("There are serious concerns that police are not properly trained.");
    none("Germany asked if Iran intended to prevent the harassment of defenders.");
    none("Is the government of Slovenia considering ratifying the Optional Protocol?");
    none("It should be noted that the law was adopted in 2010.");
    none("Skip to main content");
    none("For more information and media requests, please contact the press office.");
    none("In 2011 the police fired live rounds into crowds of people in the town centre.");
    none("Il a été demandé si l'ombudsman avait la possibilité de faire appliquer la Convention.");
    none("Se solicitó información sobre los porcentajes de hombres y mujeres en las instituciones.");
}
END_TEST

START_TEST(descriptive_should_is_weak)
{
    rw_document_t *doc = extract("Organizers are held responsible for security, which should be "
                                 "the responsibility of the police.", 0.0);
    ck_assert(doc->count == 0 || doc->recommendations[0].confidence < 0.5);
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(french)
{
    rw_document_t *doc = one("Le Comité recommande à l'État partie de ratifier la Convention.");
    rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->addressee, "l'État partie");
    ck_assert_str_eq(rec->action, "ratifier la Convention");
    ck_assert_int_eq(rec->category, 5);
    ck_assert_str_eq(rec->strength, "strong");
    rw_document_destroy(&doc);
    doc = one("J'exhorte les autorités à libérer les défenseurs détenus.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "les autorités");
    rw_document_destroy(&doc);
    doc = one("Le Gouvernement devrait abolir la peine de mort.");
    ck_assert_str_eq(doc->recommendations[0].strength, "moderate");
    ck_assert_int_eq(doc->recommendations[0].category, 5);
    rw_document_destroy(&doc);
    doc = one("« L’Assemblée exhorte l’organisme international à suivre ses recommandations ».");
    rw_document_destroy(&doc);
    none("Il faut souligner que le nouveau système fonctionnera de manière autonome.");
}
END_TEST

START_TEST(spanish)
{
    rw_document_t *doc = one("El Comité recomienda al Estado parte que adopte medidas eficaces.");
    rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->addressee, "Estado parte");
    ck_assert_str_eq(rec->action, "adopte medidas eficaces");
    ck_assert_int_eq(rec->category, 5);
    rw_document_destroy(&doc);
    doc = one("Insto al Gobierno a liberar a los detenidos.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "Gobierno");
    rw_document_destroy(&doc);
    doc = one("El Estado parte debe investigar todos los casos de tortura.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "El Estado parte");
    rw_document_destroy(&doc);
    doc = one("¿Debe el Estado ratificar la Convención? No. El Estado debe ratificar la Convención.");
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(lead_in_and_list)
{
    rw_document_t *doc = extract("The Government should:\n(a) Ratify the Convention;\n"
                                 "(b) Repeal the law on libel;\n(c) Establish an independent body.\n",
                                 0.5);
    ck_assert_uint_eq(doc->count, 3);
    ck_assert_str_eq(doc->recommendations[0].text, "Ratify the Convention;");
    ck_assert_str_eq(doc->recommendations[1].text, "Repeal the law on libel;");
    ck_assert_int_eq(doc->recommendations[1].category, 5);
    ck_assert_str_eq(doc->recommendations[2].text, "Establish an independent body.");
    for (size_t i = 0; i < doc->count; i++)
        ck_assert(strstr(doc->recommendations[i].text, "should:") == NULL);
    rw_document_destroy(&doc);
    /* inline list on one line */
    doc = extract("The Committee recommends that the State party: (a) adopt a law on torture; "
                  "(b) train the police.", 0.5);
    ck_assert_uint_eq(doc->count, 2);
    ck_assert_str_eq(doc->recommendations[1].text, "train the police.");
    rw_document_destroy(&doc);
    /* Spanish items without an imperative, after a lead-in */
    doc = extract("El Estado parte debe velar por que:\n\n"
                  "a. Se elaboren políticas públicas relativas a la reparación;\n\n"
                  "b. Se establezca una base de datos sobre las víctimas.\n\n"
                  "9. Aunque acoge con satisfacción las medidas, al Comité le preocupa la impunidad.\n",
                  0.5);
    ck_assert_uint_eq(doc->count, 2);
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(upr_list)
{
    rw_document_t *doc = extract(
        "II. Conclusions and/or recommendations\n\n"
        "90. The recommendations listed below enjoy the support of Iran:\n\n"
        "140.38  Make further efforts to\n    promote women's rights (Bangladesh);\n\n"
        "140.39 Adopt legislation on domestic violence (Chile);\n\n"
        "94.12. Ratify the Optional Protocol to the Convention against Torture (Chile);\n\n"
        "1. \nContinue to respect international humanitarian law (Kuwait);\n", 0.5);
    ck_assert_uint_eq(doc->count, 4);
    ck_assert_str_eq(doc->recommendations[0].text,
                     "Make further efforts to promote women's rights (Bangladesh);");
    ck_assert_str_eq(doc->recommendations[2].action,
                     "Ratify the Optional Protocol to the Convention against Torture");
    ck_assert_int_eq(doc->recommendations[3].category, 2);
    ck_assert(doc->recommendations[1].confidence >= 0.85);
    rw_document_destroy(&doc);
    doc = extract("- Considerar la posibilidad de modificar el código penal (México);\n"
                  "- Derogar toda la legislación discriminatoria contra la mujer (Suiza);\n", 0.5);
    ck_assert_uint_eq(doc->count, 2);
    ck_assert_int_eq(doc->recommendations[0].category, 3);
    ck_assert_str_eq(doc->recommendations[0].strength, "weak");
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(min_confidence_drops)
{
    rw_document_t *doc = extract("The Government should release the detainees.", 0.95);
    ck_assert_uint_eq(doc->count, 0);
    rw_document_destroy(&doc);
    doc = extract("The Government should release the detainees.", 0.0);
    ck_assert_uint_eq(doc->count, 1);
    rw_document_destroy(&doc);
}
END_TEST

/* Fold white space the way rw_recommendation_t.text does. */
static char *fold_space(const char *text, size_t length)
{
    char *out = malloc(length + 1);
    size_t n = 0;
    bool space = false;
    for (size_t i = 0; i < length; i++) {
        if (strchr(" \n\t\r", text[i])) {
            space = n > 0;
            continue;
        }
        if (space)
            out[n++] = ' ';
        space = false;
        out[n++] = text[i];
    }
    out[n] = '\0';
    return out;
}

START_TEST(seed_statement)
{
    size_t size = 0, gold_size = 0;
    char *data = test_read_file(CORPUS_DIR "/seed-pillay-kazakhstan-2012.txt", &size);
    char *gold = test_read_file(CORPUS_DIR "/seed-pillay-kazakhstan-2012.gold", &gold_size);
    ck_assert_ptr_nonnull(data);
    ck_assert_ptr_nonnull(gold);
    rw_document_t *doc = extract(data, 0.5);
    /* every prediction holds a labelled unit (REC or MAYBE); every REC is found once */
    size_t recs = 0;
    char *save = NULL;
    int *found = calloc(doc->count + 1, sizeof *found);
    bool *labelled = calloc(doc->count + 1, sizeof *labelled);
    for (char *line = strtok_r(gold, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        bool rec = strncmp(line, "REC\t", 4) == 0;
        bool maybe = strncmp(line, "MAYBE\t", 6) == 0;
        if (!rec && !maybe)
            continue;
        const char *anchor = strchr(line, '\t') + 1;
        size_t hits = 0;
        for (size_t i = 0; i < doc->count; i++) {
            if (strstr(doc->recommendations[i].text, anchor)) {
                labelled[i] = true;
                hits++;
            }
        }
        if (rec) {
            recs++;
            ck_assert_msg(hits == 1, "gold anchor found %zu times: %s", hits, anchor);
        }
    }
    ck_assert_uint_eq(recs, 7);
    for (size_t i = 0; i < doc->count; i++) {
        const rw_recommendation_t *r = &doc->recommendations[i];
        ck_assert_msg(labelled[i], "false alarm: %s", r->text);
        /* the bytes at span in the file are the sentence */
        ck_assert(r->span_end > r->span_start && r->span_end <= size);
        char *original = fold_space(data + r->span_start, r->span_end - r->span_start);
        ck_assert_str_eq(original, r->text);
        free(original);
        ck_assert(r->confidence >= 0.5 && r->confidence <= 1.0);
        ck_assert(r->cues.count > 0);
        ck_assert_str_eq(r->language, "en");
    }
    free(found);
    free(labelled);
    rw_document_destroy(&doc);
    free(data);
    free(gold);
}
END_TEST

int main(void)
{
    char error[512];
    rw_strings_t languages = { 0 };
    rw_strings_append(&languages, "en", 2);
    rw_strings_append(&languages, "fr", 2);
    rw_strings_append(&languages, "es", 2);
    lexicon = rw_lexicon_new(LEXICON_DIR, &languages, error, sizeof error);
    rw_strings_clear(&languages);
    if (!lexicon) {
        fprintf(stderr, "lexicon: %s\n", error);
        return 1;
    }
    Suite *suite = suite_create("extract");
    TCase *tc = tcase_create("extract");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, performative_fields);
    tcase_add_test(tc, performative_that_clause);
    tcase_add_test(tc, reported_calls);
    tcase_add_test(tc, deontic_modals);
    tcase_add_test(tc, necessity_and_evaluation);
    tcase_add_test(tc, look_alikes);
    tcase_add_test(tc, descriptive_should_is_weak);
    tcase_add_test(tc, french);
    tcase_add_test(tc, spanish);
    tcase_add_test(tc, lead_in_and_list);
    tcase_add_test(tc, upr_list);
    tcase_add_test(tc, min_confidence_drops);
    tcase_add_test(tc, seed_statement);
    suite_add_tcase(suite, tc);
    int failed = test_run_suite(suite);
    rw_lexicon_destroy(&lexicon);
    return failed ? 1 : 0;
}
