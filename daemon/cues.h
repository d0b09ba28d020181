/* cues.h — the cue phrase matcher: phrases from the lexicon ("call on", "should",
 * "is ... needed", "skip to main content") found in a unit's tokens in one pass.
 *
 * A phrase is a sequence of folded words. Two wildcards: "*" matches exactly one word
 * and "..." matches zero to twenty tokens without crossing ". ; : ? !". Phrases are indexed
 * by the hash of their first word, so matching costs one hash probe per token plus the
 * candidates that start with that word (bit filters on a token's hash and the next
 * token's spare most tokens the probe, and the next token's hash most candidates). */
#ifndef RW_CUES_H
#define RW_CUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "words.h"

/* What a phrase means for the extractor. */
typedef enum {
    RW_CUE_PERFORM = 1,    /* recommend, urge, call on, request ... (a speaker's call) */
    RW_CUE_MODAL,          /* should, must, ought to, needs to, devrait, debe ... */
    RW_CUE_NECESSITY,      /* is needed, is essential, a matter of urgency ... */
    RW_CUE_EVALUATION,     /* would be the best way, the only way ... is to */
    RW_CUE_HOPE,           /* hope, wish: borderline, low confidence */
    RW_CUE_NOT_CUE,        /* cancels any cue it overlaps: "should like to", "so-called" */
    RW_CUE_NOT_AFTER,      /* cancels the cues after it: "informed me that", "intends to" */
    RW_CUE_NOT_UNIT,       /* the unit is no recommendation: page furniture */
    RW_CUE_LIST_NOUN,      /* "recommendations", "recomendaciones": a list lead-in noun */
    RW_CUE_NOT_IMPERATIVE  /* at a unit's start, the first word is no imperative:
                              "support for", "review of" */
} rw_cue_family_t;

typedef struct {
    char *phrase;          /* as written in the data file */
    char **words;          /* folded words, "*" and "..." for wildcards */
    uint32_t *hashes;
    size_t *lengths;       /* of the folded words, in bytes */
    size_t length;         /* number of words */
    int family;            /* rw_cue_family_t */
    const char *strength;  /* static "strong", "moderate", "weak", or NULL */
    double confidence;     /* base confidence of a recommendation made by this cue */
    char language[8];      /* "en", "fr", ... */
    int next;              /* next phrase with the same first word, -1 at the end */
    bool same_first;       /* the phrase before it in the chain has the same first word
                              (so a token compared with one is compared with both) */
} rw_cue_t;

typedef struct {
    const rw_cue_t *cue;
    size_t first, last;    /* token indexes, inclusive */
} rw_cue_match_t;

typedef struct {
    rw_cue_match_t *items;
    size_t count;
    size_t capacity;
} rw_cue_matches_t;

typedef struct rw_cues rw_cues_t;

rw_cues_t *rw_cues_new(void);
void rw_cues_destroy(rw_cues_t **self_p);

/* The family named name ("perform", "modal", "necessity", "evaluation", "hope",
 * "not-cue", "not-after", "not-unit", "list-noun", "not-imperative"), or -1. */
int rw_cues_family(const char *name);

/* Add a phrase. strength: "strong", "moderate", "weak" or NULL. 0, -EINVAL (empty
 * phrase or one starting with a wildcard) or -ENOMEM. */
int rw_cues_add(rw_cues_t *self, const char *phrase, int family, const char *strength,
                double confidence, const char *language);
size_t rw_cues_count(const rw_cues_t *self);

/* Find every phrase in tokens (offsets into text). Matches are appended to out (cleared
 * first) in token order. 0 or -ENOMEM. */
int rw_cues_match(const rw_cues_t *self, const char *text, const rw_words_tokens_t *tokens,
                  rw_cue_matches_t *out);
void rw_cue_matches_clear(rw_cue_matches_t *matches);

#endif
