/* cues.c — cue phrases indexed by first word, matched over a unit's tokens.
 *
 * Matching passes over a unit's tokens a block at a time without a branch per token:
 * two bit filters tell which tokens may begin a phrase (their hash and the next
 * token's are a phrase's first two words, or their hash is the first word of a phrase
 * with no plain second word). Only those candidates, a few in a hundred, are looked up
 * in the head table and compared with the phrases of their chain. */
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

/* The phrases whose first word has one hash. */
typedef struct {
    int head;               /* first phrase index */
    uint64_t seconds;       /* bit (hash & 63) of the second word of each phrase of the
                               chain; every bit when one has no plain second word */
    candidate_t *candidates;/* the chain's phrases in order, side by side */
    size_t candidate_count;
} chain_t;

/* A slot of the head table: small, so that the table stays in the cache. */
typedef struct {
    uint32_t hash;          /* first-word hash */
    int chain;              /* index in chains, -1 for an empty slot */
} head_slot_t;

#define ALL_SECONDS UINT64_MAX

/* Two filters: most tokens begin no phrase, and two bit tests tell so for nearly all
 * of them. One over the first-word hashes of the phrases with no plain second word (one
 * word, or a wildcard second), by their top bits; one over the pairs of first and
 * second word hashes of the others (pair_bit). */
#define OPEN_FILTER_BITS 15
#define OPEN_FILTER_WORDS ((1u << OPEN_FILTER_BITS) / 64)
#define PAIR_FILTER_BITS 15
#define PAIR_FILTER_WORDS ((1u << PAIR_FILTER_BITS) / 64)

struct rw_cues {
    rw_cue_t *items;
    size_t count;
    size_t capacity;
    head_slot_t *heads;     /* open addressing on the first-word hash, at most half
                               full: the filters let few tokens without a phrase in */
    size_t head_capacity;   /* power of two */
    chain_t *chains;        /* one per first-word hash, side by side */
    size_t chain_count;
    size_t chain_capacity;
    uint64_t open_filter[OPEN_FILTER_WORDS]; /* bit open_bit(first-word hash) */
    uint64_t pair_filter[PAIR_FILTER_WORDS]; /* bit pair_bit(first, second hash) */
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
        (*heads)[i] = (head_slot_t){ .chain = -1 };
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
    for (size_t i = 0; i < self->chain_count; i++)
        free(self->chains[i].candidates);
    free(self->chains);
    free(self->heads);
    free(self);
    *self_p = NULL;
}

static head_slot_t *head_find(head_slot_t *heads, size_t capacity, uint32_t hash)
{
    size_t mask = capacity - 1;
    size_t i = hash & mask;
    while (heads[i].chain >= 0 && heads[i].hash != hash)
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
        if (self->heads[i].chain < 0)
            continue;
        *head_find(heads, capacity, self->heads[i].hash) = self->heads[i];
    }
    free(self->heads);
    self->heads = heads;
    self->head_capacity = capacity;
    return 0;
}

/* The bit of the open filter for a first word with this hash. */
static inline uint32_t open_bit(uint32_t hash)
{
    return hash >> (32 - OPEN_FILTER_BITS);
}

/* The bit of the pair filter for a first word with hash first and a second word with
 * hash second (the multiplication keeps a word repeated from cancelling out). */
static inline uint32_t pair_bit(uint32_t first, uint32_t second)
{
    return (first ^ (second * 0x9E3779B1u)) >> (32 - PAIR_FILTER_BITS);
}

/* Bit `bit` of filter, as bit 0 of the result. */
static inline uint64_t filter_test(const uint64_t *filter, uint32_t bit)
{
    return filter[bit / 64] >> (bit % 64);
}

/* Set bit `bit` of filter. */
static inline void filter_set(uint64_t *filter, uint32_t bit)
{
    filter[bit / 64] |= (uint64_t)1 << (bit % 64);
}

/* Make room for one more chain. 0 or -ENOMEM. */
static int chains_grow(rw_cues_t *self)
{
    size_t capacity = self->chain_capacity ? self->chain_capacity * 2 : 64;
    chain_t *chains = realloc(self->chains, capacity * sizeof *chains);
    if (!chains)
        return -ENOMEM;
    self->chains = chains;
    self->chain_capacity = capacity;
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
    if (rc == 0 && (self->chain_count + 1) * 2 > self->head_capacity)
        rc = heads_grow(self);
    if (rc == 0 && self->chain_count == self->chain_capacity)
        rc = chains_grow(self);
    if (rc != 0) {
        cue_free(&cue);
        return rc;
    }
    int index = (int)self->count;
    head_slot_t *slot = head_find(self->heads, self->head_capacity, cue.hashes[0]);
    bool first = slot->chain < 0;
    chain_t *chain = &self->chains[first ? self->chain_count : (size_t)slot->chain];
    if (first)
        *chain = (chain_t){ .head = index };
    candidate_t *candidates = realloc(chain->candidates,
                                      (chain->candidate_count + 1) * sizeof *candidates);
    if (!candidates) {
        cue_free(&cue);
        return -ENOMEM;
    }
    chain->candidates = candidates;
    if (first) {
        slot->hash = cue.hashes[0];
        slot->chain = (int)self->chain_count++;
    } else {
        /* keep phrases in file order: append at the end of the chain */
        int i = chain->head;
        while (self->items[i].next >= 0)
            i = self->items[i].next;
        self->items[i].next = index;
        cue.same_first = strcmp(self->items[i].words[0], cue.words[0]) == 0;
    }
    bool open = cue.length == 1 || is_wildcard(cue.words[1]);
    if (open)
        filter_set(self->open_filter, open_bit(cue.hashes[0]));
    else
        filter_set(self->pair_filter, pair_bit(cue.hashes[0], cue.hashes[1]));
    chain->seconds |= open ? ALL_SECONDS : (uint64_t)1 << (cue.hashes[1] & 63);
    chain->candidates[chain->candidate_count++] = (candidate_t){
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

/* Match the phrases of chain (their first word hashed like token t) at
 * token t. 0 or -ENOMEM. */
static int match_chain(const rw_cues_t *self, const chain_t *chain, const char *text,
                       const rw_words_tokens_t *tokens, size_t t, rw_cue_matches_t *out)
{
    const rw_token_t *token = &tokens->items[t];
    bool has_next = t + 1 < tokens->count;
    uint32_t next_hash = has_next ? tokens->items[t + 1].hash : 0;
    /* Many cues share their first word ("the", "to"): compare the token with a first
     * word only when it differs from the previous cue's, and only when a cue with it
     * passes the test of its second word. same: -1 not compared yet, else the result. */
    int same = -1;
    for (size_t k = 0; k < chain->candidate_count; k++) {
        const candidate_t *candidate = &chain->candidates[k];
        if (!candidate->same_first)
            same = -1;
        /* Most candidates fail on their second word: when it is a plain word whose
         * hash the next token does not have, match_from would find no match. */
        if (!candidate->open && (!has_next || next_hash != candidate->second))
            continue;
        const rw_cue_t *cue = &self->items[candidate->cue];
        if (same < 0)
            same = token_is_word(text, token, cue, 0);
        if (!same)
            continue;
        long end = match_from(cue, 1, text, tokens, t + 1);
        if (end >= 0 && add_match(out, cue, t, (size_t)end) != 0)
            return -ENOMEM;
    }
    return 0;
}

/* Match the phrases that may begin at token t, which passed the filters. 0 or -ENOMEM. */
static int match_token(const rw_cues_t *self, const char *text, const rw_words_tokens_t *tokens,
                       size_t t, rw_cue_matches_t *out)
{
    const rw_token_t *token = &tokens->items[t];
    if (token->kind == RW_TOKEN_PUNCT)
        return 0;
    const head_slot_t *heads = self->heads;
    size_t mask = self->head_capacity - 1;
    uint32_t hash = token->hash;
    size_t i = hash & mask;
    while (heads[i].chain >= 0 && heads[i].hash != hash)
        i = (i + 1) & mask;
    if (heads[i].chain < 0)
        return 0;
    const chain_t *chain = &self->chains[heads[i].chain];
    /* No phrase of the chain can match unless the next token's hash is one of
     * their second words (or one has no plain second word). */
    uint64_t seconds = chain->seconds;
    if (t + 1 < tokens->count ? ((seconds >> (token[1].hash & 63)) & 1) == 0
                              : seconds != ALL_SECONDS)
        return 0;
    return match_chain(self, chain, text, tokens, t, out);
}

/* Tokens tested against the filters at a time (filter_candidates). */
#define CANDIDATE_BLOCK 64

/* Write to candidates the indexes, minus from, of the tokens in [from, to) (at most
 * CANDIDATE_BLOCK, each followed by a token) that may begin a phrase; returns their
 * number. No branch on the filters: about one token in five begins some phrase, in no
 * order a branch predictor could learn, and the pair test leaves a few in a hundred. */
static size_t filter_candidates(const rw_cues_t *self, const rw_token_t *items,
                                size_t from, size_t to, uint8_t *candidates)
{
    const uint64_t *open = self->open_filter, *pairs = self->pair_filter;
    size_t found = 0;
    uint32_t hash = items[from].hash;
    for (size_t index = from; index < to; index++) {
        uint32_t next = items[index + 1].hash;
        candidates[found] = (uint8_t)(index - from);
        found += (filter_test(open, open_bit(hash)) | filter_test(pairs, pair_bit(hash, next)))
                 & 1;
        hash = next;
    }
    return found;
}

int rw_cues_match(const rw_cues_t *self, const char *text, const rw_words_tokens_t *tokens,
                  rw_cue_matches_t *out)
{
    size_t count = tokens->count;
    out->count = 0;
    if (count == 0)
        return 0;
    /* every token but the last has a next one for the pair filter */
    size_t last = count - 1;
    uint8_t candidates[CANDIDATE_BLOCK];
    for (size_t from = 0; from < last; from += CANDIDATE_BLOCK) {
        size_t to = last - from > CANDIDATE_BLOCK ? from + CANDIDATE_BLOCK : last;
        size_t found = filter_candidates(self, tokens->items, from, to, candidates);
        for (size_t k = 0; k < found; k++)
            if (match_token(self, text, tokens, from + candidates[k], out) != 0)
                return -ENOMEM;
    }
    /* the last token begins only phrases with no plain second word */
    if (filter_test(self->open_filter, open_bit(tokens->items[last].hash)) & 1)
        return match_token(self, text, tokens, last, out);
    return 0;
}

void rw_cue_matches_clear(rw_cue_matches_t *matches)
{
    free(matches->items);
    matches->items = NULL;
    matches->count = matches->capacity = 0;
}
