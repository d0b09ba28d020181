/* document.h — what the extractor finds in one statement: its metadata and its
 * recommendations. Plain data; rw_document_destroy frees everything it owns. The
 * statement's own strings are allocated one by one; the recommendations' strings and
 * lists live in the document's pool (rw_document_alloc, rw_document_copy), freed all
 * at once. */
#ifndef RW_DOCUMENT_H
#define RW_DOCUMENT_H

#include <stddef.h>

#include "strings.h"

typedef struct {
    char *text;               /* the unit, white space folded, UTF-8 */
    size_t start, end;        /* [start, end) in the clean text (rw_text_t.data) */
    size_t span_start;        /* [span_start, span_end) in the file as received */
    size_t span_end;
    char *addressee;          /* "the Government"; NULL when unknown */
    char *action;             /* "authorize an independent international investigation"; NULL */
    int category;             /* UPR Info action category 1..5; 0 when unknown */
    const char *strength;     /* static "strong", "moderate", "weak"; NULL when unknown */
    rw_strings_t themes;      /* theme names from the taxonomy */
    rw_strings_t countries;   /* ISO 3166-1 alpha-2, upper case */
    rw_strings_t cues;        /* why it was taken: the cue phrases that matched */
    double confidence;        /* 0..1 */
    char *language;           /* "en", "fr", ...; NULL when unknown */
} rw_recommendation_t;

typedef struct {
    char *language;           /* detected language code; NULL when unknown */
    char *title;
    char *date;               /* ISO 8601 "2012-07-12"; NULL when unknown */
    char *place;
    char *speaker;
    char *role;
    rw_strings_t countries;   /* main country first */
    rw_recommendation_t *recommendations;
    size_t count;
    size_t capacity;
    rw_strings_pool_t *pool;  /* storage of the recommendations' strings and lists */
} rw_document_t;

rw_document_t *rw_document_new(void);
void rw_document_destroy(rw_document_t **self_p);
/* A new zeroed recommendation at the end of the list, its lists in the document's
 * pool; NULL when out of memory. */
rw_recommendation_t *rw_document_add(rw_document_t *self);
/* size bytes from the document's pool (for a recommendation's strings), or NULL. */
void *rw_document_alloc(rw_document_t *self, size_t size);
/* A copy of text in the document's pool, or NULL. */
char *rw_document_copy(rw_document_t *self, const char *text);

#endif
