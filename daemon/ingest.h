/* ingest.h — bytes of a file as received → clean text with a map back to the bytes.
 * Pure: no I/O, no globals. Decodes UTF-8 (with or without BOM), UTF-16 LE/BE with BOM
 * and Windows-1252; turns HTML into text; reads YAML front matter; refuses binary. */
#ifndef RW_INGEST_H
#define RW_INGEST_H

#include <stddef.h>

#include "text.h"

/* Make clean text from size bytes. On success returns 0 and sets *out (free with
 * rw_text_destroy). On failure returns -EINVAL (content refused: empty, binary,
 * undecodable) or -ENOMEM, and writes a reason a person can act on into reason,
 * e.g. "binary content: 312 NUL bytes in the first 4096". */
int rw_ingest(const unsigned char *bytes, size_t size, rw_text_t **out,
              char *reason, size_t reason_size);

#endif
