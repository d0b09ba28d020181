/* extract.h — the extractor: clean text in, a document (metadata and recommendations)
 * out. Pure: no I/O, no globals, every allocation freed by rw_document_destroy. */
#ifndef RW_EXTRACT_H
#define RW_EXTRACT_H

#include "document.h"
#include "lexicon.h"
#include "text.h"

typedef struct {
    double min_confidence;   /* recommendations below this are dropped (0..1) */
} rw_extract_options_t;

/* Extract from text. 0 and *out set, or -ENOMEM. */
int rw_extract(const rw_lexicon_t *lexicon, const rw_text_t *text,
               const rw_extract_options_t *options, rw_document_t **out);

#endif
