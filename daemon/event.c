/* event.c — build event bodies with jansson, following DESIGN.md's contract. */
#include "event.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

/* Length of the valid UTF-8 sequence at p (at most left bytes), 0 when invalid. */
static size_t utf8_sequence(const unsigned char *p, size_t left)
{
    if (p[0] < 0x80)
        return 1;
    size_t length;
    unsigned minimum;
    unsigned code;
    if ((p[0] & 0xE0) == 0xC0) { length = 2; code = p[0] & 0x1F; minimum = 0x80; }
    else if ((p[0] & 0xF0) == 0xE0) { length = 3; code = p[0] & 0x0F; minimum = 0x800; }
    else if ((p[0] & 0xF8) == 0xF0) { length = 4; code = p[0] & 0x07; minimum = 0x10000; }
    else return 0;
    if (length > left)
        return 0;
    for (size_t i = 1; i < length; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        code = (code << 6) | (p[i] & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return 0;
    return length;
}

/* Length of the valid UTF-8 prefix of text. */
static size_t valid_prefix(const unsigned char *text, size_t length)
{
    size_t i = 0;
    while (i < length) {
        size_t sequence = utf8_sequence(text + i, length - i);
        if (sequence == 0)
            break;
        i += sequence;
    }
    return i;
}

json_t *rw_event_string(const char *text)
{
    if (!text)
        return json_null();
    size_t length = strlen(text);
    if (valid_prefix((const unsigned char *)text, length) == length)
        return json_stringn(text, length); /* the usual case: nothing to escape */
    char *clean = malloc(length * 4 + 1);
    if (!clean)
        return NULL;
    size_t out = 0;
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < length;) {
        size_t sequence = utf8_sequence(p + i, length - i);
        if (sequence == 0) {
            out += (size_t)sprintf(clean + out, "\\x%02X", p[i]);
            i++;
        } else {
            memcpy(clean + out, p + i, sequence);
            out += sequence;
            i += sequence;
        }
    }
    json_t *string = json_stringn(clean, out);
    free(clean);
    return string;
}

json_t *rw_event_time(time_t when)
{
    struct tm tm;
    char stamp[32];
    gmtime_r(&when, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(stamp);
}

json_t *rw_event_now(void)
{
    return rw_event_time(time(NULL));
}

void rw_event_content_id(const unsigned char *bytes, size_t size, char id[72])
{
    unsigned char digest[32];
    rw_sha256_digest(bytes, size, digest);
    memcpy(id, "sha256:", 7);
    for (size_t i = 0; i < 32; i++)
        snprintf(id + 7 + 2 * i, 3, "%02x", digest[i]);
}

void rw_event_topic(const char *type, const rw_document_t *document, char *topic, size_t size)
{
    const char *country = document && document->countries.count ? document->countries.items[0] : "XX";
    snprintf(topic, size, "%s.%s", type, country);
}

static json_t *string_array(const rw_strings_t *list)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < list->count; i++)
        json_array_append_new(array, rw_event_string(list->items[i]));
    return array;
}

/* The fields every body starts with. */
static json_t *event_new(const char *type, const char *node)
{
    return json_pack("{s:i, s:s, s:o}", "schema", RW_EVENT_SCHEMA, "type", type,
                     "node", rw_event_string(node));
}

json_t *rw_event_statement(const char *node, const char *id, const char *file, time_t received,
                           size_t bytes, const rw_document_t *document)
{
    json_t *event = event_new("statement", node);
    if (!event)
        return NULL;
    int status = json_object_update_new(event, json_pack(
        "{s:s, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I}",
        "id", id, "file", rw_event_string(file), "received", rw_event_time(received),
        "bytes", (json_int_t)bytes, "language", rw_event_string(document->language),
        "title", rw_event_string(document->title), "date", rw_event_string(document->date),
        "place", rw_event_string(document->place), "speaker", rw_event_string(document->speaker),
        "role", rw_event_string(document->role), "countries", string_array(&document->countries),
        "recommendations", (json_int_t)document->count));
    if (status < 0)
        json_decref(event);
    return status < 0 ? NULL : event;
}

static json_t *strength_value(const char *strength)
{
    return strength ? json_string(strength) : json_null();
}

json_t *rw_event_recommendation(const char *node, const char *statement_id, size_t index,
                                const rw_recommendation_t *rec)
{
    json_t *event = event_new("recommendation", node);
    if (!event)
        return NULL;
    int status = json_object_update_new(event, json_pack(
        "{s:s, s:I, s:o, s:[I,I], s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:o}",
        "statement", statement_id, "index", (json_int_t)index, "text", rw_event_string(rec->text),
        "span", (json_int_t)rec->span_start, (json_int_t)rec->span_end,
        "language", rw_event_string(rec->language), "addressee", rw_event_string(rec->addressee),
        "action", rw_event_string(rec->action),
        "category", rec->category >= 1 && rec->category <= 5 ? json_integer(rec->category) : json_null(),
        "strength", strength_value(rec->strength), "themes", string_array(&rec->themes),
        "countries", string_array(&rec->countries),
        "confidence", (double)((long)(rec->confidence * 100 + 0.5)) / 100.0,
        "cues", string_array(&rec->cues)));
    if (status < 0)
        json_decref(event);
    return status < 0 ? NULL : event;
}

json_t *rw_event_error(const char *node, const char *file, const char *reason,
                       const char *moved_to)
{
    json_t *event = event_new("error", node);
    if (!event)
        return NULL;
    int status = json_object_update_new(event, json_pack("{s:o, s:o, s:o}",
        "file", rw_event_string(file), "reason", rw_event_string(reason),
        "moved_to", rw_event_string(moved_to)));
    if (status < 0)
        json_decref(event);
    return status < 0 ? NULL : event;
}

json_t *rw_event_heartbeat(const char *node, uint64_t last_seq, double uptime_s,
                           const rw_counters_t *c, size_t queue, const char *replay_endpoint)
{
    json_t *event = event_new("heartbeat", node);
    if (!event)
        return NULL;
    json_t *counters = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
        "files_seen", (json_int_t)c->files_seen, "statements", (json_int_t)c->statements,
        "recommendations", (json_int_t)c->recommendations, "duplicates", (json_int_t)c->duplicates,
        "errors", (json_int_t)c->errors, "bytes", (json_int_t)c->bytes,
        "dropped", (json_int_t)c->dropped, "refused", (json_int_t)c->refused,
        "replayed", (json_int_t)c->replayed);
    int status = json_object_update_new(event, json_pack("{s:I, s:I, s:f, s:o, s:I, s:o, s:o}",
        "seq", (json_int_t)last_seq, "last_seq", (json_int_t)last_seq, "uptime_s", uptime_s,
        "counters", counters, "queue", (json_int_t)queue,
        "replay", replay_endpoint && replay_endpoint[0] ? json_string(replay_endpoint) : json_null(),
        "time", rw_event_now()));
    if (status < 0)
        json_decref(event);
    return status < 0 ? NULL : event;
}
