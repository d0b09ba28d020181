/* test_event.c — event bodies and topics as DESIGN.md fixes them. */
#include "testutil.h"

#include "event.h"

static rw_document_t *sample_document(void)
{
    rw_document_t *document = rw_document_new();
    document->language = strdup("en");
    document->title = strdup("Opening remarks");
    document->date = strdup("2012-07-12");
    rw_strings_add_unique(&document->countries, "KZ");
    rw_recommendation_t *rec = rw_document_add(document);
    rec->text = rw_document_copy(document, "The law should be replaced.");
    rec->span_start = 10;
    rec->span_end = 37;
    rec->category = 5;
    rec->strength = "moderate";
    rec->confidence = 0.876;
    rw_strings_add_unique(&rec->cues, "should be");
    rw_strings_add_unique(&rec->countries, "KZ");
    return document;
}

START_TEST(statement_fields)
{
    rw_document_t *document = sample_document();
    json_t *event = rw_event_statement("n1", "sha256:ab", "kz.txt", 0, 12192, document);
    ck_assert_int_eq(json_integer_value(json_object_get(event, "schema")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(event, "type")), "statement");
    ck_assert_str_eq(json_string_value(json_object_get(event, "node")), "n1");
    ck_assert_str_eq(json_string_value(json_object_get(event, "received")), "1970-01-01T00:00:00Z");
    ck_assert_int_eq(json_integer_value(json_object_get(event, "bytes")), 12192);
    ck_assert_int_eq(json_integer_value(json_object_get(event, "recommendations")), 1);
    ck_assert(json_is_null(json_object_get(event, "place")));
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(event, "countries"), 0)), "KZ");
    ck_assert_ptr_null(json_object_get(event, "seq")); /* the journal gives it */
    json_decref(event);
    char topic[64];
    rw_event_topic("recommendation", document, topic, sizeof topic);
    ck_assert_str_eq(topic, "recommendation.KZ");
    rw_strings_clear(&document->countries);
    rw_event_topic("statement", document, topic, sizeof topic);
    ck_assert_str_eq(topic, "statement.XX");
    rw_document_destroy(&document);
}
END_TEST

START_TEST(recommendation_fields)
{
    rw_document_t *document = sample_document();
    json_t *event = rw_event_recommendation("n1", "sha256:ab", 0, &document->recommendations[0]);
    ck_assert_str_eq(json_string_value(json_object_get(event, "statement")), "sha256:ab");
    json_t *span = json_object_get(event, "span");
    ck_assert_int_eq(json_integer_value(json_array_get(span, 0)), 10);
    ck_assert_int_eq(json_integer_value(json_array_get(span, 1)), 37);
    ck_assert_int_eq(json_integer_value(json_object_get(event, "category")), 5);
    ck_assert_str_eq(json_string_value(json_object_get(event, "strength")), "moderate");
    ck_assert(json_real_value(json_object_get(event, "confidence")) == 0.88);
    ck_assert(json_is_null(json_object_get(event, "addressee")));
    ck_assert(json_is_array(json_object_get(event, "themes")));
    document->recommendations[0].category = 0;
    document->recommendations[0].strength = NULL;
    json_decref(event);
    event = rw_event_recommendation("n1", "sha256:ab", 0, &document->recommendations[0]);
    ck_assert(json_is_null(json_object_get(event, "category")));
    ck_assert(json_is_null(json_object_get(event, "strength")));
    json_decref(event);
    rw_document_destroy(&document);
}
END_TEST

START_TEST(names_that_are_not_utf8_are_escaped_not_dropped)
{
    json_t *string = rw_event_string("bad \xff\xfe name.txt");
    ck_assert_str_eq(json_string_value(string), "bad \\xFF\\xFE name.txt");
    json_decref(string);
    string = rw_event_string("caf\xc3\xa9 \xe2\x80\x94 ok");
    ck_assert_str_eq(json_string_value(string), "caf\xc3\xa9 \xe2\x80\x94 ok");
    json_decref(string);
    string = rw_event_string("overlong \xc0\xaf and surrogate \xed\xa0\x80");
    ck_assert_str_eq(json_string_value(string), "overlong \\xC0\\xAF and surrogate \\xED\\xA0\\x80");
    json_decref(string);
    ck_assert(json_is_null(rw_event_string(NULL)));
}
END_TEST

START_TEST(error_and_heartbeat)
{
    json_t *event = rw_event_error("n1", "x.txt", "binary content", "failed/x.txt");
    ck_assert_str_eq(json_string_value(json_object_get(event, "type")), "error");
    ck_assert_str_eq(json_string_value(json_object_get(event, "moved_to")), "failed/x.txt");
    json_decref(event);
    rw_counters_t counters = {.statements = 3, .dropped = 2};
    event = rw_event_heartbeat("n1", 41, 12.5, &counters, 7, "tcp://127.0.0.1:5561");
    ck_assert_int_eq(json_integer_value(json_object_get(event, "last_seq")), 41);
    ck_assert_int_eq(json_integer_value(json_object_get(event, "queue")), 7);
    json_t *counted = json_object_get(event, "counters");
    ck_assert_int_eq(json_integer_value(json_object_get(counted, "statements")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(counted, "dropped")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(event, "replay")), "tcp://127.0.0.1:5561");
    json_decref(event);
}
END_TEST

START_TEST(content_id_is_sha256)
{
    char id[72];
    rw_event_content_id((const unsigned char *)"abc", 3, id);
    ck_assert_str_eq(id, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("event");
    TCase *tc = tcase_create("event");
    tcase_add_test(tc, statement_fields);
    tcase_add_test(tc, recommendation_fields);
    tcase_add_test(tc, names_that_are_not_utf8_are_escaped_not_dropped);
    tcase_add_test(tc, error_and_heartbeat);
    tcase_add_test(tc, content_id_is_sha256);
    suite_add_tcase(suite, tc);
    return test_run_suite(suite) ? 1 : 0;
}
