/* event.h — the JSON bodies and topics of the events recwatch publishes (DESIGN.md,
 * "Events"). Builds jansson objects; knows nothing of sockets or files. */
#ifndef RW_EVENT_H
#define RW_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "document.h"

#define RW_EVENT_SCHEMA 1
/* How every event is written (journal, publish, replay, `recwatch extract`): compact,
 * and numbers with 6 significant digits ("0.94", not "0.93999999999999995"). */
#define RW_EVENT_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(6))

/* What the heartbeat reports. */
typedef struct {
    uint64_t files_seen;
    uint64_t statements;
    uint64_t recommendations;
    uint64_t duplicates;
    uint64_t errors;
    uint64_t bytes;
    uint64_t dropped;        /* messages the publish socket could not give to every subscriber */
    uint64_t refused;        /* CURVE clients refused by the ZAP handler */
    uint64_t replayed;       /* events served by the replay socket */
} rw_counters_t;

/* A JSON string of text; bytes that are not valid UTF-8 are written as "\xNN", so a
 * file name is never dropped. NULL text gives JSON null. */
json_t *rw_event_string(const char *text);
/* The current UTC time as "2026-11-29T10:00:00Z". */
json_t *rw_event_now(void);
json_t *rw_event_time(time_t when);

/* "sha256:<hex>" of the file's bytes into id (72 bytes with the NUL). */
void rw_event_content_id(const unsigned char *bytes, size_t size, char id[72]);

/* Topic of a statement's events: "statement.KZ" / "recommendation.XX" (main country). */
void rw_event_topic(const char *type, const rw_document_t *document, char *topic, size_t size);

json_t *rw_event_statement(const char *node, const char *id, const char *file, time_t received,
                           size_t bytes, const rw_document_t *document);
json_t *rw_event_recommendation(const char *node, const char *statement_id, size_t index,
                                const rw_recommendation_t *recommendation);
json_t *rw_event_error(const char *node, const char *file, const char *reason,
                       const char *moved_to);
json_t *rw_event_heartbeat(const char *node, uint64_t last_seq, double uptime_s,
                           const rw_counters_t *counters, size_t queue,
                           const char *replay_endpoint);

#endif
