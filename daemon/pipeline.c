/* pipeline.c — ingest → extract → event bodies for one statement. */
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "ingest.h"

static int build_events(const char *node, const char *file, time_t received, size_t size,
                        rw_pipeline_result_t *result)
{
    const rw_document_t *document = result->document;
    result->events = calloc(document->count + 1, sizeof *result->events);
    if (!result->events)
        return -ENOMEM;
    result->events[0] = rw_event_statement(node, result->id, file, received, size, document);
    if (!result->events[0])
        return -ENOMEM;
    result->count = 1;
    for (size_t i = 0; i < document->count; i++) {
        json_t *event = rw_event_recommendation(node, result->id, i, &document->recommendations[i]);
        if (!event)
            return -ENOMEM;
        result->events[result->count++] = event;
    }
    rw_event_topic("statement", document, result->statement_topic, sizeof result->statement_topic);
    rw_event_topic("recommendation", document, result->recommendation_topic,
                   sizeof result->recommendation_topic);
    return 0;
}

int rw_pipeline_run(const rw_lexicon_t *lexicon, const rw_extract_options_t *options,
                    const char *node, const char *file, time_t received,
                    const unsigned char *bytes, size_t size, rw_pipeline_result_t *result,
                    char *reason, size_t reason_size)
{
    memset(result, 0, sizeof *result);
    rw_event_content_id(bytes, size, result->id);
    rw_text_t *text = NULL;
    int status = rw_ingest(bytes, size, &text, reason, reason_size);
    if (status < 0)
        return status;
    status = rw_extract(lexicon, text, options, &result->document);
    rw_text_destroy(&text);
    if (status == 0)
        status = build_events(node, file, received, size, result);
    if (status < 0) {
        if (status == -ENOMEM)
            snprintf(reason, reason_size, "out of memory while extracting");
        rw_pipeline_result_clear(result);
    }
    return status;
}

void rw_pipeline_result_clear(rw_pipeline_result_t *result)
{
    for (size_t i = 0; i < result->count; i++)
        json_decref(result->events[i]);
    free(result->events);
    rw_document_destroy(&result->document);
    result->events = NULL;
    result->count = 0;
}
