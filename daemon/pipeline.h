/* pipeline.h — one statement from its bytes to its events: ingest, extract, and the
 * statement and recommendation bodies (without seq, which the journal gives). Shared
 * by the daemon and `recwatch extract`, so both give the same answers. Pure. */
#ifndef RW_PIPELINE_H
#define RW_PIPELINE_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "document.h"
#include "extract.h"
#include "lexicon.h"

typedef struct {
    char id[72];                 /* "sha256:<hex>" of the bytes */
    rw_document_t *document;
    json_t **events;             /* statement first, then recommendations in text order */
    size_t count;
    char statement_topic[64];    /* "statement.KZ" */
    char recommendation_topic[64];
} rw_pipeline_result_t;

/* Process bytes of the file named file (as shown in events). 0 and *result filled;
 * -EINVAL with a reason when the content is refused; -ENOMEM. */
int rw_pipeline_run(const rw_lexicon_t *lexicon, const rw_extract_options_t *options,
                    const char *node, const char *file, time_t received,
                    const unsigned char *bytes, size_t size, rw_pipeline_result_t *result,
                    char *reason, size_t reason_size);
void rw_pipeline_result_clear(rw_pipeline_result_t *result);

#endif
