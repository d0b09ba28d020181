/* metadata.h — a statement's metadata from its clean text: language, title, date,
 * place, speaker, role and countries (main country first). Pure. */
#ifndef RW_METADATA_H
#define RW_METADATA_H

#include "document.h"
#include "gazetteer.h"
#include "text.h"

/* Fill the metadata fields of document (fields that cannot be determined stay NULL
 * or empty). 0 or -ENOMEM. */
int rw_metadata_fill(const rw_gazetteer_t *gazetteer, const rw_text_t *text,
                     rw_document_t *document);

/* The same, with the words of text already cut (rw_match_words_split of text->data,
 * text->length), so that the caller can cut them once for every lookup. */
int rw_metadata_fill_words(const rw_gazetteer_t *gazetteer, const rw_text_t *text,
                           const rw_match_words_t *words, rw_document_t *document);

#endif
