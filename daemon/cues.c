/* cues.c — cue phrases indexed by first word, matched over a unit's tokens. */
#include "cues.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GAP_MAX 20          /* tokens a "..." wildcard may cover */

/* A phrase of a chain, with what decides most matches before the phrase is read. */
typedef struct {
    int cue;                /* index of the phrase */
    uint32_t second;        /* the hash of its second word, when a plain word */
    bool open;              /* no plain second word: one word, or a wildcard second */
    bool same_first;        /* the phrase's same_first */
} candidate_t;

typedef struct {
    uint32_t hash;          /* first-word hash */
    int head;               /* first phrase index, -1 for an empty slot */
    uint64_t seconds;       /* bit (hash & 63) of the second word of each phrase of the
                               chain; every bit when one has no plain second word */
    candidate_t *candidates;/* the chain's phrases in order, side by side */
    size_t candidate_count;
} head_slot_t;

#define ALL_SECONDS UINT64_MAX

/* A filter over first-word hashes, by their top bits: most tokens begin no phrase, and
 * one bit test tells so for nearly all of them. */
#define FIRST_FILTER_BITS 15
#define FIRST_FILTER_WORDS ((1u << FIRST_FILTER_BITS) / 64)

struct rw_cues {
    rw_cue_t *items;
    size_t count;
    size_t capacity;
    head_slot_t *heads;     /* open addressing on the first-word hash, at most a
                               quarter full: most tokens meet an empty slot at once */
    size_t head_capacity;   /* power of two */
    size_t head_count;
    uint64_t first_filter[FIRST_FILTER_WORDS]; /* bit hash >> (32 - FIRST_FILTER_BITS) */
};

static const char *const family_names[] = {
    NULL, "perform", "modal", "necessity", "evaluation", "hope",
    "not-cue", "not-after", "not-unit", "list-noun", "not-imperative"
};

int rw_cues_family(const char *name)
{
    for (int i = 1; i < (int)(sizeof family_names / sizeof *family_names); i++)
        if (strcmp(name, family_names[i]) == 0)
            return i;
    return -1;
}

static int heads_init(head_slot_t **heads, size_t capacity)
{
    *heads = malloc(capacity * sizeof **heads);
    if (!*heads)
        return -ENOMEM;
    for (size_t i = 0; i < capacity; i++)
        (*heads)[i] = (head_slot_t){ .head = -1 };
    return 0;
}

rw_cues_t *rw_cues_new(void)
{
    rw_cues_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->head_capacity = 256;
    if (heads_init(&self->heads, self->head_capacity) != 0) {
        free(self);
        return NULL;
    }
    return self;
}

static void cue_free(rw_cue_t *cue)
{
    for (size_t i = 0; i < cue->length; i++)
        free(cue->words[i]);
    free(cue->words);
    free(cue->hashes);
    free(cue->lengths);
    free(cue->phrase);
}

void rw_cues_destroy(rw_cues_t **self_p)
{
    rw_cues_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        cue_free(&self->items[i]);
    free(self->items);
    for (size_t i = 0; i < self->head_capacity; i++)
        free(self->heads[i].candidates);
    free(self->heads);
    free(self);
    *self_p = NULL;
}

static head_slot_t *head_find(head_slot_t *heads, size_t capacity, uint32_t hash)
{
    size_t mask = capacity - 1;
    size_t i = hash & mask;
    while (heads[i].head >= 0 && heads[i].hash != hash)
        i = (i + 1) & mask;
    return &heads[i];
}

static int heads_grow(rw_cues_t *self)
{
    size_t capacity = self->head_capacity * 2;
    head_slot_t *heads;
    if (heads_init(&heads, capacity) != 0)
        return -ENOMEM;
    for (size_t i = 0; i < self->head_capacity; i++) {
        if (self->heads[i].head < 0)
            continue;
        *head_find(heads, capacity, self->heads[i].hash) = self->heads[i];
    }
    free(self->heads);
    self->heads = heads;
    self->head_capacity = capacity;
    return 0;
}

/* Append one folded word to cue. */
static int cue_push_word(rw_cue_t *cue, const char *text, size_t length)
{
    char **words = realloc(cue->words, (cue->length + 1) * sizeof *words);
    if (!words)
        return -ENOMEM;
    cue->words = words;
    uint32_t *hashes = realloc(cue->hashes, (cue->length + 1) * sizeof *hashes);
    if (!hashes)
        return -ENOMEM;
    cue->hashes = hashes;
    size_t *lengths = realloc(cue->lengths, (cue->length + 1) * sizeof *lengths);
    if (!lengths)
        return -ENOMEM;
    cue->lengths = lengths;
    char *folded = malloc(length * 2 + 1);
    if (!folded)
        return -ENOMEM;
    rw_words_fold(text, length, folded, length * 2 + 1);
    cue->words[cue->length] = folded;
    cue->lengths[cue->length] = strlen(folded);
    cue->hashes[cue->length] = rw_words_hash(folded, cue->lengths[cue->length]);
    cue->length++;
    return 0;
}

/* Split phrase on spaces; each piece is a wildcard or is tokenized like text. */
static int cue_parse(rw_cue_t *cue, const char *phrase)
{
    rw_words_tokens_t tokens = { 0 };
    const char *p = phrase;
    int rc = 0;
    while (*p && rc == 0) {
        while (*p == ' ')
            p++;
        const char *end = p;
        while (*end && *end != ' ')
            end++;
        if (end == p)
            break;
        size_t length = (size_t)(end - p);
        if ((length == 1 && *p == '*') || (length == 3 && strncmp(p, "...", 3) == 0)) {
            rc = cue_push_word(cue, p, length);
        } else {
            rc = rw_words_tokenize(p, length, 0, &tokens);
            for (size_t i = 0; rc == 0 && i < tokens.count; i++)
                rc = cue_push_word(cue, p + tokens.items[i].start,
                                   tokens.items[i].end - tokens.items[i].start);
        }
        p = end;
    }
    rw_words_tokens_clear(&tokens);
    return rc;
}

/* The two wildcards, tested without a call: the matcher asks at every step. */
static bool is_gap(const char *word)
{
    return word[0] == '.' && word[1] == '.' && word[2] == '.' && word[3] == '\0';
}

static bool is_any_word(const char *word)
{
    return word[0] == '*' && word[1] == '\0';
}

static bool is_wildcard(const char *word)
{
    return is_any_word(word) || is_gap(word);
}

int rw_cues_add(rw_cues_t *self, const char *phrase, int family, const char *strength,
                double confidence, const char *language)
{
    rw_cue_t cue = { 0 };
    cue.next = -1;
    cue.family = family;
    cue.strength = strength;
    cue.confidence = confidence;
    if (language)
        strncpy(cue.language, language, sizeof cue.language - 1);
    cue.phrase = strdup(phrase);
    int rc = cue.phrase ? cue_parse(&cue, phrase) : -ENOMEM;
    if (rc == 0 && (cue.length == 0 || is_wildcard(cue.words[0])
                    || is_wildcard(cue.words[cue.length - 1])))
        rc = -EINVAL;
    if (rc == 0 && self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 64;
        rw_cue_t *items = realloc(self->items, capacity * sizeof *items);
        if (!items)
            rc = -ENOMEM;
        else {
            self->items = items;
            self->capacity = capacity;
        }
    }
    if (rc == 0 && (self->head_count + 1) * 4 > self->head_capacity)
        rc = heads_grow(self);
    if (rc != 0) {
        cue_free(&cue);
        return rc;
    }
    int index = (int)self->count;
    head_slot_t *slot = head_find(self->heads, self->head_capacity, cue.hashes[0]);
    candidate_t *candidates = realloc(slot->candidates,
                                      (slot->candidate_count + 1) * sizeof *candidates);
    if (!candidates) {
        cue_free(&cue);
        return -ENOMEM;
    }
    slot->candidates = candidates;
    if (slot->head < 0) {
        slot->hash = cue.hashes[0];
        slot->head = index;
        self->head_count++;
    } else {
        /* keep phrases in file order: append at the end of the chain */
        int i = slot->head;
        while (self->items[i].next >= 0)
            i = self->items[i].next;
        self->items[i].next = index;
        cue.same_first = strcmp(self->items[i].words[0], cue.words[0]) == 0;
    }
    uint32_t bit = cue.hashes[0] >> (32 - FIRST_FILTER_BITS);
    self->first_filter[bit / 64] |= (uint64_t)1 << (bit % 64);
    bool open = cue.length == 1 || is_wildcard(cue.words[1]);
    slot->seconds |= open ? ALL_SECONDS : (uint64_t)1 << (cue.hashes[1] & 63);
    slot->candidates[slot->candidate_count++] = (candidate_t){
        index, open ? 0 : cue.hashes[1], open, cue.same_first
    };
    self->items[self->count++] = cue;
    return 0;
}

size_t rw_cues_count(const rw_cues_t *self)
{
    return self->count;
}

/* Is the token the cue's k-th word? */
static bool token_is_word(const char *text, const rw_token_t *token, const rw_cue_t *cue,
                          size_t k)
{
    if (token->hash != cue->hashes[k])
        return false;
    const char *word = cue->words[k];
    if (token->kind == RW_TOKEN_PUNCT)
        return word[0] == (char)token->punct && word[1] == '\0';
    return rw_words_equal_folded(text + token->start, token->end - token->start, word,
                                 cue->lengths[k]);
}

static bool token_stops_gap(const rw_token_t *token)
{
    if (token->kind != RW_TOKEN_PUNCT)
        return false;
    switch (token->punct) {
    case '.': case ';': case ':': case '?': case '!':
        return true;
    default:
        return false;
    }
}

/* Match cue words from k on at token t; the index of the last token matched, or -1. */
static long match_from(const rw_cue_t *cue, size_t k, const char *text,
                       const rw_words_tokens_t *tokens, size_t t)
{
    if (k == cue->length)
        return (long)t - 1;
    const char *word = cue->words[k];
    if (is_gap(word)) {
        for (size_t skip = 0; skip <= GAP_MAX && t + skip < tokens->count; skip++) {
            if (skip > 0 && token_stops_gap(&tokens->items[t + skip - 1]))
                break;
            long end = match_from(cue, k + 1, text, tokens, t + skip);
            if (end >= 0)
                return end;
        }
        return -1;
    }
    if (t >= tokens->count)
        return -1;
    const rw_token_t *token = &tokens->items[t];
    if (is_any_word(word)) {
        if (token->kind == RW_TOKEN_PUNCT)
            return -1;
        return match_from(cue, k + 1, text, tokens, t + 1);
    }
    if (!token_is_word(text, token, cue, k))
        return -1;
    return match_from(cue, k + 1, text, tokens, t + 1);
}

/* Append a match of cue over tokens first..last to out. 0 or -ENOMEM. */
static int add_match(rw_cue_matches_t *out, const rw_cue_t *cue, size_t first, size_t last)
{
    if (out->count == out->capacity) {
        size_t capacity = out->capacity ? out->capacity * 2 : 16;
        rw_cue_match_t *items = realloc(out->items, capacity * sizeof *items);
        if (!items)
            return -ENOMEM;
        out->items = items;
        out->capacity = capacity;
    }
    out->items[out->count++] = (rw_cue_match_t){ cue, first, last };
    return 0;
}

/* Match the phrases of the chain of head (their first word hashed like token t) at
 * token t. 0 or -ENOMEM. */
static int match_chain(const rw_cues_t *self, const head_slot_t *head, const char *text,
                       const rw_words_tokens_t *tokens, size_t t, rw_cue_matches_t *out)
{
    const rw_token_t *token = &tokens->items[t];
    bool has_next = t + 1 < tokens->count;
    uint32_t next_hash = has_next ? tokens->items[t + 1].hash : 0;
    /* Many cues share their first word ("the", "to"): compare the token with
     * a first word only when it differs from the previous cue's. */
    bool same = false;
    for (size_t k = 0; k < head->candidate_count; k++) {
        const candidate_t *candidate = &head->candidates[k];
        const rw_cue_t *cue = &self->items[candidate->cue];
        if (!candidate->same_first)
            same = token_is_word(text, token, cue, 0);
        if (!same)
            continue;
        /* Most candidates fail on their second word: when it is a plain word whose
         * hash the next token does not have, match_from would find no match. */
        if (!candidate->open && (!has_next || next_hash != candidate->second))
            continue;
        long end = match_from(cue, 1, text, tokens, t + 1);
        if (end >= 0 && add_match(out, cue, t, (size_t)end) != 0)
            return -ENOMEM;
    }
    return 0;
}

int rw_cues_match(const rw_cues_t *self, const char *text, const rw_words_tokens_t *tokens,
                  rw_cue_matches_t *out)
{
    const head_slot_t *heads = self->heads;
    const uint64_t *filter = self->first_filter;
    size_t mask = self->head_capacity - 1, count = tokens->count;
    out->count = 0;
    if (count == 0)
        return 0;
    for (const rw_token_t *token = tokens->items, *end = token + count; token < end; token++) {
        uint32_t hash = token->hash;
        uint32_t bit = hash >> (32 - FIRST_FILTER_BITS);
        if (((filter[bit / 64] >> (bit % 64)) & 1) == 0 || token->kind == RW_TOKEN_PUNCT)
            continue;
        size_t i = hash & mask;
        while (heads[i].head >= 0 && heads[i].hash != hash)
            i = (i + 1) & mask;
        if (heads[i].head < 0)
            continue;
        /* No phrase of the chain can match unless the next token's hash is one of
         * their second words (or one has no plain second word). */
        uint64_t seconds = heads[i].seconds;
        if (token + 1 < end ? ((seconds >> (token[1].hash & 63)) & 1) == 0
                            : seconds != ALL_SECONDS)
            continue;
        size_t t = (size_t)(token - tokens->items);
        if (match_chain(self, &heads[i], text, tokens, t, out) != 0)
            return -ENOMEM;
    }
    return 0;
}

void rw_cue_matches_clear(rw_cue_matches_t *matches)
{
    free(matches->items);
    matches->items = NULL;
    matches->count = matches->capacity = 0;
}
