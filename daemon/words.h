/* words.h — the extractor's view of words: a tokenizer over UTF-8 text that folds
 * case as it goes, and a hash set of folded words carrying a small integer value
 * (abbreviations, verbs with their action category, actor nouns ...).
 *
 * Tokens are made without allocation: the caller gives a reusable rw_words_tokens_t
 * that grows only when a unit has more tokens than ever before. */
#ifndef RW_WORDS_H
#define RW_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    RW_TOKEN_WORD = 1,     /* letters (any script), digits, inner apostrophes/hyphens */
    RW_TOKEN_NUMBER = 2,   /* digits only, possibly with inner "." or "," */
    RW_TOKEN_PUNCT = 3     /* one punctuation character (one code point) */
} rw_token_kind_t;

typedef struct {
    uint32_t start, end;   /* byte offsets in the tokenized text */
    uint32_t hash;         /* hash of the folded form (words and punctuation) */
    uint8_t kind;          /* rw_token_kind_t */
    uint8_t capital;       /* first letter upper case */
    uint8_t punct;         /* for RW_TOKEN_PUNCT: the ASCII character, or a folded
                              equivalent for quotes and dashes; 0 otherwise */
    uint32_t roles;        /* 0 from the tokenizer; the extractor stores here the
                              bitmask of the word's lexicon roles (1 << role) */
} rw_token_t;

typedef struct {
    rw_token_t *items;
    size_t count;
    size_t capacity;
} rw_words_tokens_t;

/* Tokenize text[0, length) into tokens (cleared first), offsets relative to base.
 * 0 or -ENOMEM. */
int rw_words_tokenize(const char *text, size_t length, size_t base, rw_words_tokens_t *tokens);
void rw_words_tokens_clear(rw_words_tokens_t *tokens);

/* Hash of the folded form of text[0, length) (lower case, typographic apostrophe made
 * plain), the same hash the tokenizer gives a word token. */
uint32_t rw_words_hash(const char *text, size_t length);

/* Fold text[0, length) into out (at most size - 1 bytes, NUL-terminated); returns the
 * folded length. Folding: ASCII and Latin-1/Latin Extended-A upper case to lower case,
 * U+2019 and U+2018 to "'". */
size_t rw_words_fold(const char *text, size_t length, char *out, size_t size);

/* True when the folded form of text[0, length) equals folded (already folded). */
bool rw_words_equal(const char *text, size_t length, const char *folded);
/* The same with the length of folded known (strlen(folded)): ASCII text is compared
 * byte by byte without folding. */
bool rw_words_equal_folded(const char *text, size_t length, const char *folded,
                           size_t folded_length);

/* The code point at text[0] (U+FFFD for invalid bytes); *length gets its byte length. */
uint32_t rw_words_decode(const unsigned char *text, size_t available, size_t *length);
/* Letter classes on code points. */
bool rw_words_is_letter(uint32_t code);
bool rw_words_is_upper(uint32_t code);

/* A set of folded words, each with an integer value. */
typedef struct rw_words rw_words_t;

rw_words_t *rw_words_new(void);
void rw_words_destroy(rw_words_t **self_p);
/* Add word (folded here) with value; a repeated word keeps the last value. 0 or -ENOMEM. */
int rw_words_add(rw_words_t *self, const char *word, int value);
/* The value of the word text[0, length) (folded here), or -1 when absent. */
int rw_words_get(const rw_words_t *self, const char *text, size_t length);
/* The same with a precomputed hash of the folded form. */
int rw_words_get_hashed(const rw_words_t *self, uint32_t hash, const char *text, size_t length);
size_t rw_words_count(const rw_words_t *self);
/* The index-th word added (0 <= index < rw_words_count), folded and NUL-terminated;
 * *length gets its length and *value its value. */
const char *rw_words_at(const rw_words_t *self, size_t index, size_t *length, int *value);

#endif
