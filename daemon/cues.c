/* cues.c — cue phrases indexed by first word, matched over a unit's tokens. */
#include "cues.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GAP_MAX 20          /* tokens a "..." wildcard may cover */

typedef struct {
    uint32_t hash;          /* first-word hash */
    int head;               /* first phrase index, -1 for an empty slot */
} head_slot_t;

struct rw_cues {
    rw_cue_t *items;
    size_t count;
    size_t capacity;
    head_slot_t *heads;     /* open addressing on the first-word hash */
    size_t head_capacity;   /* power of two */
    size_t head_count;
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
        (*heads)[i].head = -1;
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
    char *folded = malloc(length * 2 + 1);
    if (!folded)
        return -ENOMEM;
    rw_words_fold(text, length, folded, length * 2 + 1);
    cue->words[cue->length] = folded;
    cue->hashes[cue->length] = rw_words_hash(folded, strlen(folded));
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
    if (rc == 0 && (self->head_count + 1) * 2 > self->head_capacity)
        rc = heads_grow(self);
    if (rc != 0) {
        cue_free(&cue);
        return rc;
    }
    int index = (int)self->count;
    head_slot_t *slot = head_find(self->heads, self->head_capacity, cue.hashes[0]);
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
    self->items[self->count++] = cue;
    return 0;
}

size_t rw_cues_count(const rw_cues_t *self)
{
    return self->count;
}

static bool token_is_word(const char *text, const rw_token_t *token, const char *word,
                          uint32_t hash)
{
    if (token->hash != hash)
        return false;
    if (token->kind == RW_TOKEN_PUNCT)
        return word[0] == (char)token->punct && word[1] == '\0';
    return rw_words_equal(text + token->start, token->end - token->start, word);
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
    if (!token_is_word(text, token, word, cue->hashes[k]))
        return -1;
    return match_from(cue, k + 1, text, tokens, t + 1);
}

int rw_cues_match(const rw_cues_t *self, const char *text, const rw_words_tokens_t *tokens,
                  rw_cue_matches_t *out)
{
    out->count = 0;
    size_t mask = self->head_capacity - 1;
    for (size_t t = 0; t < tokens->count; t++) {
        const rw_token_t *token = &tokens->items[t];
        if (token->kind == RW_TOKEN_PUNCT)
            continue;
        size_t i = token->hash & mask;
        while (self->heads[i].head >= 0 && self->heads[i].hash != token->hash)
            i = (i + 1) & mask;
        if (self->heads[i].head < 0)
            continue;
        /* Many cues share their first word ("the", "to"): compare the token with
         * a first word only when it differs from the previous cue's. */
        bool same = false;
        for (int c = self->heads[i].head; c >= 0; c = self->items[c].next) {
            const rw_cue_t *cue = &self->items[c];
            if (!cue->same_first)
                same = token_is_word(text, token, cue->words[0], cue->hashes[0]);
            if (!same)
                continue;
            /* Most candidates fail on their second word: when it is a plain word whose
             * hash the next token does not have, match_from would find no match. */
            if (cue->length > 1 && !is_wildcard(cue->words[1])
                && (t + 1 >= tokens->count || tokens->items[t + 1].hash != cue->hashes[1]))
                continue;
            long end = match_from(cue, 1, text, tokens, t + 1);
            if (end < 0)
                continue;
            if (out->count == out->capacity) {
                size_t capacity = out->capacity ? out->capacity * 2 : 16;
                rw_cue_match_t *items = realloc(out->items, capacity * sizeof *items);
                if (!items)
                    return -ENOMEM;
                out->items = items;
                out->capacity = capacity;
            }
            out->items[out->count++] = (rw_cue_match_t){ cue, t, (size_t)end };
        }
    }
    return 0;
}

void rw_cue_matches_clear(rw_cue_matches_t *matches)
{
    free(matches->items);
    matches->items = NULL;
    matches->count = matches->capacity = 0;
}
