/* text.h — clean text made from a file's bytes, with a map back to those bytes.
 * Produced by ingest (decode, HTML to text, front matter), read by the extractor. */
#ifndef RW_TEXT_H
#define RW_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *data;            /* clean UTF-8, NUL-terminated; paragraphs separated by "\n\n",
                              line breaks inside a paragraph kept as "\n" */
    size_t length;         /* bytes in data, without the NUL */
    uint32_t *starts;      /* length + 1 entries: original byte where data[i] comes from */
    uint32_t *ends;        /* length + 1 entries: original byte just after data[i]'s source */
    size_t original_size;  /* bytes in the file as received */
    char *title;           /* from YAML front matter or HTML <title>; NULL when none */
    char *date;            /* raw date from front matter or HTML meta; NULL when none */
    const char *format;    /* static: "text", "html", "markdown" */
    const char *encoding;  /* static: "utf-8", "utf-16le", "utf-16be", "windows-1252" */
} rw_text_t;

/* Byte range [*original_start, *original_end) of the file as received that produced
 * clean text [start, end). */
void rw_text_span(const rw_text_t *self, size_t start, size_t end,
                  size_t *original_start, size_t *original_end);
void rw_text_destroy(rw_text_t **self_p);

#endif
