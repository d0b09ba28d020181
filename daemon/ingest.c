/* ingest.c — bytes of a file as received → clean text with a map back to the bytes.
 *
 * Steps: decode to UTF-8 (decode.c: encodings, binary and empty refusals); if the
 * content looks like HTML, convert it (html.c); otherwise read YAML front matter for
 * title and date, and write the rest as plain text. The writer (decode.c) applies the
 * whitespace rules and records, for every byte of clean text, the original bytes that
 * produced it. Pure: no I/O, no globals. */
#include "ingest.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "html.h"
#include "log.h"

/* Front matter found at the start of markdown. */
typedef struct {
    size_t text_start; /* decoded position where the text after it begins */
    size_t title_from, title_to;
    size_t date_from, date_to;
} front_matter_t;

/* Length of the line at data[i] without its end, and *next the start of the next. */
static size_t line_at(const unsigned char *data, size_t length, size_t i, size_t *next)
{
    const unsigned char *newline = memchr(data + i, '\n', length - i);
    size_t end = newline ? (size_t)(newline - data) : length;
    *next = newline ? end + 1 : length;
    if (end > i && data[end - 1] == '\r')
        end--;
    return end - i;
}

/* The line [from, from + length) is marker followed only by spaces. */
static bool line_is(const unsigned char *data, size_t from, size_t length, const char *marker)
{
    size_t marker_length = strlen(marker);
    if (length < marker_length || memcmp(data + from, marker, marker_length) != 0)
        return false;
    for (size_t k = marker_length; k < length; k++)
        if (data[from + k] != ' ' && data[from + k] != '\t')
            return false;
    return true;
}

static bool is_key_char(unsigned char byte)
{
    return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
           (byte >= '0' && byte <= '9') || byte == '_' || byte == '-' || byte == '.';
}

/* Trim spaces and one pair of matching quotes around [*from, *to). */
static void trim_value(const unsigned char *data, size_t *from, size_t *to)
{
    while (*from < *to && (data[*from] == ' ' || data[*from] == '\t'))
        (*from)++;
    while (*to > *from && (data[*to - 1] == ' ' || data[*to - 1] == '\t'))
        (*to)--;
    if (*to - *from >= 2 && (data[*from] == '"' || data[*from] == '\'') &&
        data[*to - 1] == data[*from]) {
        (*from)++;
        (*to)--;
    }
}

/* A YAML line inside front matter: "key: value", a continuation or list line starting
 * with white space or '-', a comment, or blank. Notes title and date. */
static bool front_matter_line(const unsigned char *data, size_t from, size_t length,
                              front_matter_t *matter)
{
    if (length == 0 || data[from] == ' ' || data[from] == '\t' || data[from] == '-' ||
        data[from] == '#')
        return true;
    size_t k = 0;
    while (k < length && is_key_char(data[from + k]))
        k++;
    if (k == 0 || k >= length || data[from + k] != ':')
        return false;
    size_t value_from = from + k + 1, value_to = from + length;
    trim_value(data, &value_from, &value_to);
    if (k == 5 && memcmp(data + from, "title", 5) == 0) {
        matter->title_from = value_from;
        matter->title_to = value_to;
    } else if (k == 4 && memcmp(data + from, "date", 4) == 0) {
        matter->date_from = value_from;
        matter->date_to = value_to;
    }
    return true;
}

/* YAML front matter: "---" line, YAML lines, then a "---" or "..." line. Returns true
 * and fills matter when the text starts with it. */
static bool find_front_matter(const unsigned char *data, size_t length, front_matter_t *matter)
{
    memset(matter, 0, sizeof *matter);
    size_t next;
    size_t line_length = line_at(data, length, 0, &next);
    if (!line_is(data, 0, line_length, "---") || next == length)
        return false;
    for (size_t i = next; i < length; i = next) {
        line_length = line_at(data, length, i, &next);
        if (line_is(data, i, line_length, "---") || line_is(data, i, line_length, "...")) {
            matter->text_start = next;
            return true;
        }
        if (!front_matter_line(data, i, line_length, matter))
            return false;
    }
    return false;
}

/* The first line with text starts with "# ". */
static bool starts_with_heading(const unsigned char *data, size_t length, size_t from)
{
    while (from < length && (data[from] == ' ' || data[from] == '\t' || data[from] == '\n' ||
                             data[from] == '\r'))
        from++;
    return from + 2 <= length && data[from] == '#' && data[from + 1] == ' ';
}

/* A new NUL-terminated copy of [from, to), NULL when empty; *failed on no memory. */
static char *copy_range(const unsigned char *data, size_t from, size_t to, bool *failed)
{
    if (to <= from)
        return NULL;
    char *copy = strndup((const char *)data + from, to - from);
    if (!copy) {
        rw_error("ingest: out of memory copying front matter");
        *failed = true;
    }
    return copy;
}

/* Plain text or markdown: front matter out, the rest as text with its line breaks. */
static int convert_text(const rw_decode_t *source, rw_decode_writer_t *writer,
                        rw_text_t *text)
{
    front_matter_t matter;
    size_t from = 0;
    text->format = "text";
    if (find_front_matter(source->data, source->length, &matter)) {
        bool failed = false;
        text->title = copy_range(source->data, matter.title_from, matter.title_to, &failed);
        text->date = copy_range(source->data, matter.date_from, matter.date_to, &failed);
        if (failed)
            return -ENOMEM;
        from = matter.text_start;
        text->format = "markdown";
    } else if (starts_with_heading(source->data, source->length, 0)) {
        text->format = "markdown";
    }
    return rw_decode_writer_text(writer, from, source->length, true);
}

static int convert(const rw_decode_t *source, rw_text_t *text, char *reason,
                   size_t reason_size)
{
    rw_decode_writer_t *writer = rw_decode_writer_new(source);
    if (!writer)
        return -ENOMEM;
    int rc;
    text->encoding = source->encoding;
    if (rw_html_detect(source->data, source->length)) {
        text->format = "html";
        rc = rw_html_to_text(source, writer, &text->title, &text->date);
    } else {
        rc = convert_text(source, writer, text);
    }
    if (rc == 0)
        rc = rw_decode_writer_finish(writer, text);
    rw_decode_writer_destroy(&writer);
    if (rc == 0 && text->length == 0) {
        if (strcmp(text->format, "html") == 0)
            snprintf(reason, reason_size, "empty file: no text in the HTML");
        else if (strcmp(text->format, "markdown") == 0)
            snprintf(reason, reason_size, "empty file: no text after the front matter");
        else
            snprintf(reason, reason_size, "empty file");
        rc = -EINVAL;
    }
    return rc;
}

int rw_ingest(const unsigned char *bytes, size_t size, rw_text_t **out, char *reason,
              size_t reason_size)
{
    char scratch[160];
    if (!reason || reason_size == 0) {
        reason = scratch;
        reason_size = sizeof scratch;
    }
    reason[0] = '\0';
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (size > UINT32_MAX) {
        snprintf(reason, reason_size, "file too large: %zu bytes (limit 4 GiB)", size);
        return -EINVAL;
    }
    if (!bytes && size > 0) {
        snprintf(reason, reason_size, "no content given");
        return -EINVAL;
    }
    if (size == 0) {
        snprintf(reason, reason_size, "empty file");
        return -EINVAL;
    }
    rw_decode_t *source = NULL;
    int rc = rw_decode_new(bytes, size, &source, reason, reason_size);
    if (rc)
        return rc;
    rw_text_t *text = calloc(1, sizeof *text);
    if (!text) {
        rw_error("ingest: out of memory for the text of %zu bytes", size);
        rw_decode_destroy(&source);
        snprintf(reason, reason_size, "out of memory");
        return -ENOMEM;
    }
    rc = convert(source, text, reason, reason_size);
    rw_decode_destroy(&source);
    if (rc) {
        if (rc == -ENOMEM)
            snprintf(reason, reason_size, "out of memory converting %zu bytes", size);
        rw_text_destroy(&text);
        return rc;
    }
    *out = text;
    return 0;
}
