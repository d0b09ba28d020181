/* test_lexicon.c — loading the extractor's lexicon, its tables, and its errors
 * ("FILE:LINE: what is wrong"); the cue matcher and the word tables underneath. */
#include <errno.h>
#include <string.h>

#include "lexicon.h"
#include "testutil.h"

static rw_lexicon_t *load(const char *dir, char *error, size_t size)
{
    rw_strings_t languages = { 0 };
    rw_strings_append(&languages, "en", 2);
    rw_lexicon_t *lexicon = rw_lexicon_new(dir, &languages, error, size);
    rw_strings_clear(&languages);
    return lexicon;
}

START_TEST(loads_shipped_lexicon)
{
    char error[512] = "";
    rw_lexicon_t *lexicon = rw_lexicon_new(LEXICON_DIR, NULL, error, sizeof error);
    ck_assert_msg(lexicon != NULL, "%s", error);
    ck_assert_ptr_nonnull(rw_lexicon_gazetteer(lexicon));
    ck_assert_uint_gt(rw_cues_count(rw_lexicon_cues(lexicon)), 300);
    /* verbs with their category, through inflections */
    ck_assert_int_eq(rw_lexicon_verb(lexicon, "ratify", 6) / RW_LEXICON_VERB_CATEGORY, 5);
    ck_assert_int_eq(rw_lexicon_verb(lexicon, "ratified", 8) / RW_LEXICON_VERB_CATEGORY, 5);
    ck_assert_int_eq(rw_lexicon_verb(lexicon, "Continue", 8) / RW_LEXICON_VERB_CATEGORY, 2);
    ck_assert_int_eq(rw_lexicon_verb(lexicon, "envisager", 9) / RW_LEXICON_VERB_CATEGORY, 3);
    ck_assert_int_eq(rw_lexicon_verb(lexicon, "adopte", 6) / RW_LEXICON_VERB_CATEGORY, 5);
    ck_assert(rw_lexicon_verb(lexicon, "abolition", 9) >= 0);
    ck_assert(!(rw_lexicon_verb(lexicon, "abolition", 9) & RW_LEXICON_VERB_IMPERATIVE));
    /* a verb in English, a noun in French ("le respect"): it still opens list items */
    ck_assert(rw_lexicon_verb(lexicon, "respect", 7) & RW_LEXICON_VERB_IMPERATIVE);
    ck_assert_int_eq(rw_lexicon_verb(lexicon, "Respect", 7) / RW_LEXICON_VERB_CATEGORY, 4);
    ck_assert_int_eq(rw_lexicon_verb(lexicon, "zebra", 5), -1);
    ck_assert(rw_words_get(rw_lexicon_abbreviations(lexicon), "Mr.", 3) >= 0);
    ck_assert(rw_words_get(rw_lexicon_abbreviations(lexicon), "núm.", 5) >= 0);
    ck_assert(rw_words_get(rw_lexicon_words(lexicon, RW_LEXICON_THAT), "que", 3) >= 0);
    /* speaker attribution classes */
    ck_assert(rw_words_get(rw_lexicon_words(lexicon, RW_LEXICON_SAY), "indique", 7) >= 0);
    ck_assert(rw_words_get(rw_lexicon_words(lexicon, RW_LEXICON_SAY), "stipulates", 10) >= 0);
    ck_assert(rw_words_get(rw_lexicon_words(lexicon, RW_LEXICON_SELF), "Delegation", 10) >= 0);
    ck_assert(rw_words_get(rw_lexicon_words(lexicon, RW_LEXICON_SELF), "committee", 9) < 0);
    ck_assert(rw_words_get(rw_lexicon_words(lexicon, RW_LEXICON_MEMBER), "Rapporteur", 10) >= 0);
    ck_assert(rw_words_get(rw_lexicon_words(lexicon, RW_LEXICON_TITLE), "Mme", 3) >= 0);
    ck_assert(rw_words_get(rw_lexicon_words(lexicon, RW_LEXICON_WHETHER), "whether", 7) >= 0);
    ck_assert(rw_words_get(rw_lexicon_words(lexicon, RW_LEXICON_NEGATION), "pas", 3) >= 0);
    ck_assert(rw_lexicon_is_adverb(lexicon, "en", "urgently", 8));
    ck_assert(!rw_lexicon_is_adverb(lexicon, "en", "government", 10));
    ck_assert(rw_lexicon_is_adverb(lexicon, "fr", "immédiatement", 14));
    /* the quick suffix test ignores case and refuses short or non-matching words */
    ck_assert(rw_lexicon_is_adverb(lexicon, "en", "URGENTLY", 8));
    ck_assert(!rw_lexicon_is_adverb(lexicon, "en", "fly", 3));
    ck_assert(!rw_lexicon_is_adverb(lexicon, "en", "urgentl\xC3\xBD", 9));
    /* the merged role masks agree with every role table, in any case */
    const char *samples[] = { "que", "QUE", "the", "Delegation", "whether", "pas", "zebra" };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        size_t length = strlen(samples[i]);
        uint32_t mask = rw_lexicon_roles(lexicon, rw_words_hash(samples[i], length),
                                         samples[i], length);
        for (int role = 0; role < RW_LEXICON_ROLES; role++) {
            bool in_table = rw_words_get(rw_lexicon_words(lexicon, (rw_lexicon_role_t)role),
                                         samples[i], length) >= 0;
            ck_assert_int_eq(in_table, (mask >> role) & 1u);
        }
    }
    ck_assert(rw_lexicon_roles(lexicon, rw_words_hash("que", 3), "que", 3)
              & (1u << RW_LEXICON_THAT));
    ck_assert_uint_eq(rw_lexicon_roles(lexicon, rw_words_hash("zebra", 5), "zebra", 5), 0);
    rw_lexicon_destroy(&lexicon);
    ck_assert_ptr_null(lexicon);
}
END_TEST

static char *make_lexicon(const char *cues, const char *verbs)
{
    char *dir = test_tempdir();
    char path[1024];
    snprintf(path, sizeof path, "%s/en", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    struct { const char *name; const char *content; } files[] = {
        { "cues.tsv", cues }, { "verbs.tsv", verbs },
        { "grammar.tsv", "to\tto\nthat\tthat\n" }, { "abbreviations.txt", "mr.\n" },
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/en/%s", dir, files[i].name);
        ck_assert_int_eq(test_write_file(path, files[i].content, strlen(files[i].content)), 0);
    }
    return dir;
}

START_TEST(reports_file_and_line)
{
    char error[512] = "";
    char *dir = make_lexicon("# comment\nurge\tperform\tstrong\nshould\tmodel\n", "ratify\t5\tverb\n");
    ck_assert_ptr_null(load(dir, error, sizeof error));
    ck_assert_msg(strstr(error, "en/cues.tsv:3: unknown family") != NULL, "%s", error);
    test_remove_tree(dir);
    free(dir);

    dir = make_lexicon("urge\tperform\tstrong\t1.5\n", "ratify\t5\tverb\n");
    ck_assert_ptr_null(load(dir, error, sizeof error));
    ck_assert_msg(strstr(error, "cues.tsv:1: confidence") != NULL, "%s", error);
    test_remove_tree(dir);
    free(dir);

    dir = make_lexicon("urge\tperform\n", "ratify\t9\tverb\n");
    ck_assert_ptr_null(load(dir, error, sizeof error));
    ck_assert_msg(strstr(error, "verbs.tsv:1: category") != NULL, "%s", error);
    test_remove_tree(dir);
    free(dir);

    dir = make_lexicon("... to\tperform\n", "ratify\t5\tverb\n");
    ck_assert_ptr_null(load(dir, error, sizeof error));
    ck_assert_msg(strstr(error, "cues.tsv:1: ") != NULL, "%s", error);
    test_remove_tree(dir);
    free(dir);

    ck_assert_ptr_null(load("/nonexistent/lexicon", error, sizeof error));
    ck_assert_msg(strstr(error, "/nonexistent/lexicon/en/cues.tsv") != NULL, "%s", error);
}
END_TEST

START_TEST(cue_matching)
{
    rw_cues_t *cues = rw_cues_new();
    ck_assert_int_eq(rw_cues_add(cues, "call on", RW_CUE_PERFORM, "strong", 0.9, "en"), 0);
    ck_assert_int_eq(rw_cues_add(cues, "the only way ... is to", RW_CUE_EVALUATION, "weak", 0.6, "en"), 0);
    ck_assert_int_eq(rw_cues_add(cues, "is * needed", RW_CUE_NECESSITY, "strong", 0.7, "en"), 0);
    ck_assert_int_eq(rw_cues_add(cues, "l'état", RW_CUE_LIST_NOUN, NULL, 0, "fr"), 0);
    ck_assert_int_eq(rw_cues_add(cues, "* needed", RW_CUE_NECESSITY, NULL, 0, "en"), -EINVAL);
    ck_assert_uint_eq(rw_cues_count(cues), 4);
    const char *text = "We CALL ON them. The only way, frankly, is to act; reform is badly "
                       "needed. L’État. The only way. It is to";
    rw_words_tokens_t tokens = { 0 };
    rw_cue_matches_t matches = { 0 };
    ck_assert_int_eq(rw_words_tokenize(text, strlen(text), 0, &tokens), 0);
    ck_assert_int_eq(rw_cues_match(cues, text, &tokens, &matches), 0);
    ck_assert_uint_eq(matches.count, 4);
    ck_assert_int_eq(matches.items[0].cue->family, RW_CUE_PERFORM);
    ck_assert_int_eq(matches.items[1].cue->family, RW_CUE_EVALUATION);
    ck_assert_int_eq(matches.items[2].cue->family, RW_CUE_NECESSITY);
    ck_assert_int_eq(matches.items[3].cue->family, RW_CUE_LIST_NOUN);
    /* "call on" covers two tokens starting at "CALL" */
    ck_assert_uint_eq(tokens.items[matches.items[0].first].start, 3);
    ck_assert_uint_eq(matches.items[0].last - matches.items[0].first, 1);
    rw_cue_matches_clear(&matches);
    rw_words_tokens_clear(&tokens);
    rw_cues_destroy(&cues);
}
END_TEST

START_TEST(word_tables_fold_case)
{
    rw_words_t *words = rw_words_new();
    for (int i = 0; i < 500; i++) {
        char word[32];
        snprintf(word, sizeof word, "word%d", i);
        ck_assert_int_eq(rw_words_add(words, word, i), 0);
    }
    ck_assert_int_eq(rw_words_add(words, "État", 7), 0);
    ck_assert_int_eq(rw_words_get(words, "WORD499", 7), 499);
    ck_assert_int_eq(rw_words_get(words, "état", 5), 7);
    ck_assert_int_eq(rw_words_get(words, "ÉTAT", 5), 7);
    ck_assert_int_eq(rw_words_get(words, "etat", 4), -1);
    ck_assert_uint_eq(rw_words_count(words), 501);
    rw_words_destroy(&words);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("lexicon");
    TCase *tc = tcase_create("lexicon");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, loads_shipped_lexicon);
    tcase_add_test(tc, reports_file_and_line);
    tcase_add_test(tc, cue_matching);
    tcase_add_test(tc, word_tables_fold_case);
    suite_add_tcase(suite, tc);
    return test_run_suite(suite) ? 1 : 0;
}
