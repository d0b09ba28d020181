/* html.h — HTML to clean text for ingest: a streaming, non-recursive tokenizer (no tree).
 *
 * Block elements become paragraph breaks, <br> a line break, list items keep a marker
 * ("• " or their number); script, style, nav, header, footer, form, aside, svg … and
 * elements with role="navigation" or aria-hidden="true" are dropped with their content;
 * entities are decoded; malformed markup is tolerated. Time is linear in the input and
 * the stack does not grow with nesting depth. */
#ifndef RW_HTML_H
#define RW_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "decode.h"

/* True when decoded UTF-8 looks like HTML: it starts (after white space) with '<' and a
 * known HTML tag or doctype appears within the first kilobyte. */
bool rw_html_detect(const unsigned char *data, size_t length);

/* Write the text of the whole decoded source through writer. *title and *date are set
 * to new strings (from <title> or og:title; from <meta name="date"|"DC.date"|
 * property="article:published_time"> or <time datetime>) or left NULL.
 * Returns 0 or -ENOMEM. */
int rw_html_to_text(const rw_decode_t *source, rw_decode_writer_t *writer, char **title,
                    char **date);

#endif
