/* words.c — UTF-8 tokenizer with case folding, and a hash set of folded words.
 *
 * The tokenizer is the extractor's inner loop: one pass over the bytes, no allocation
 * unless the token array must grow, a 32-bit FNV-1a hash of each folded word computed
 * on the way so that cue and word lookups never fold or copy again. */
#include "words.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

/* ---------------------------------------------------------------- code points */

/* The length in bytes of the UTF-8 sequence starting at text[0] (1 for invalid bytes). */
static size_t char_length(const unsigned char *text, size_t available)
{
    unsigned char c = text[0];
    size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                : (c & 0xF8) == 0xF0 ? 4 : 1;
    if (need > available)
        return 1;
    for (size_t i = 1; i < need; i++)
        if ((text[i] & 0xC0) != 0x80)
            return 1;
    return need;
}

uint32_t rw_words_decode(const unsigned char *text, size_t available, size_t *length)
{
    size_t n = char_length(text, available);
    *length = n;
    unsigned char c = text[0];
    if (n == 1)
        return c < 0x80 ? c : 0xFFFD;
    if (n == 2)
        return ((uint32_t)(c & 0x1F) << 6) | (text[1] & 0x3F);
    if (n == 3)
        return ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(text[1] & 0x3F) << 6) | (text[2] & 0x3F);
    return ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(text[1] & 0x3F) << 12)
         | ((uint32_t)(text[2] & 0x3F) << 6) | (text[3] & 0x3F);
}

bool rw_words_is_letter(uint32_t code)
{
    if (code < 0x80)
        return (code | 0x20) >= 'a' && (code | 0x20) <= 'z';
    if (code < 0xC0)
        return code == 0xAA || code == 0xB5 || code == 0xBA;
    if (code == 0xD7 || code == 0xF7)
        return false;
    if (code >= 0x2000 && code <= 0x2BFF)       /* punctuation, symbols, arrows */
        return false;
    if (code >= 0x3000 && code <= 0x303F)       /* CJK punctuation */
        return false;
    if ((code >= 0x055A && code <= 0x055F) || code == 0x0589)  /* Armenian punctuation */
        return false;
    if (code >= 0xFE30 && code <= 0xFE6F)
        return false;
    if (code >= 0xFF00 && code <= 0xFF0F)
        return false;
    if (code == 0xFFFD || code == 0xFEFF)
        return false;
    return true;
}

/* Lower case of code for the scripts statements use; code itself otherwise. */
static uint32_t lower_code(uint32_t code)
{
    if (code < 0x80)
        return code >= 'A' && code <= 'Z' ? code + 32 : code;
    if (code >= 0xC0 && code <= 0xDE && code != 0xD7)
        return code + 32;
    if (code >= 0x100 && code <= 0x17F && code != 0x130 && code != 0x131 && code != 0x138
        && code != 0x149 && code != 0x17F) {
        /* Latin Extended-A pairs: even upper/odd lower, except 0x139..0x148 and
         * 0x179..0x17E where the pairs start on odd code points. */
        bool odd_pairs = (code >= 0x139 && code <= 0x148) || (code >= 0x179 && code <= 0x17E);
        if (odd_pairs)
            return (code & 1) ? code + 1 : code;
        return (code & 1) ? code : code + 1;
    }
    if (code >= 0x391 && code <= 0x3A9)
        return code + 32;
    if (code >= 0x410 && code <= 0x42F)
        return code + 32;
    if (code >= 0x400 && code <= 0x40F)
        return code + 80;
    if (code >= 0x531 && code <= 0x556)
        return code + 48;
    if (code == 0x2019 || code == 0x2018 || code == 0x2BC)
        return '\'';
    return code;
}

bool rw_words_is_upper(uint32_t code)
{
    if (code == 0x2019 || code == 0x2018 || code == 0x2BC)
        return false;
    return lower_code(code) != code;
}

/* Append the UTF-8 form of code to out[*used] (within size - 1 bytes). */
static void put_code(uint32_t code, char *out, size_t size, size_t *used)
{
    unsigned char bytes[4];
    size_t n;
    if (code < 0x80) {
        bytes[0] = (unsigned char)code; n = 1;
    } else if (code < 0x800) {
        bytes[0] = (unsigned char)(0xC0 | (code >> 6));
        bytes[1] = (unsigned char)(0x80 | (code & 0x3F)); n = 2;
    } else if (code < 0x10000) {
        bytes[0] = (unsigned char)(0xE0 | (code >> 12));
        bytes[1] = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
        bytes[2] = (unsigned char)(0x80 | (code & 0x3F)); n = 3;
    } else {
        bytes[0] = (unsigned char)(0xF0 | (code >> 18));
        bytes[1] = (unsigned char)(0x80 | ((code >> 12) & 0x3F));
        bytes[2] = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
        bytes[3] = (unsigned char)(0x80 | (code & 0x3F)); n = 4;
    }
    if (out && *used + n < size)
        memcpy(out + *used, bytes, n);
    *used += n;
}

/* Hash the UTF-8 bytes of code into h. */
static uint32_t hash_code(uint32_t h, uint32_t code)
{
    char buffer[4];
    size_t n = 0;
    put_code(code, buffer, sizeof buffer + 1, &n);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)buffer[i]) * FNV_PRIME;
    return h;
}

size_t rw_words_fold(const char *text, size_t length, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, used = 0;
    while (i < length) {
        size_t n;
        uint32_t code = rw_words_decode(p + i, length - i, &n);
        put_code(lower_code(code), out, size, &used);
        i += n;
    }
    if (size)
        out[used < size ? used : size - 1] = '\0';
    return used;
}

uint32_t rw_words_hash(const char *text, size_t length)
{
    const unsigned char *p = (const unsigned char *)text;
    uint32_t h = FNV_OFFSET;
    size_t i = 0;
    while (i < length) {
        if (p[i] < 0x80) {
            unsigned char c = p[i++];
            if (c >= 'A' && c <= 'Z')
                c += 32;
            h = (h ^ c) * FNV_PRIME;
            continue;
        }
        size_t n;
        uint32_t code = rw_words_decode(p + i, length - i, &n);
        h = hash_code(h, lower_code(code));
        i += n;
    }
    return h;
}

bool rw_words_equal(const char *text, size_t length, const char *folded)
{
    const unsigned char *p = (const unsigned char *)text;
    const unsigned char *f = (const unsigned char *)folded;
    size_t i = 0;
    while (i < length) {
        if (p[i] < 0x80) {
            unsigned char c = p[i++];
            if (c >= 'A' && c <= 'Z')
                c += 32;
            if (*f++ != c)
                return false;
            continue;
        }
        size_t n;
        uint32_t code = rw_words_decode(p + i, length - i, &n);
        char buffer[5];
        size_t used = 0;
        put_code(lower_code(code), buffer, sizeof buffer, &used);
        if (strncmp((const char *)f, buffer, used) != 0)
            return false;
        f += used;
        i += n;
    }
    return *f == '\0';
}

/* ---------------------------------------------------------------- tokenizer */

/* Classes of ASCII characters, so that the tokenizer tests most bytes with one load. */
enum {
    ASCII_SPACE = 1u << 0,
    ASCII_LETTER = 1u << 1,
    ASCII_DIGIT = 1u << 2,
    ASCII_WORD = ASCII_LETTER | ASCII_DIGIT
};

#define LETTERS(from) \
    [from] = ASCII_LETTER, [from + 1] = ASCII_LETTER, [from + 2] = ASCII_LETTER, \
    [from + 3] = ASCII_LETTER, [from + 4] = ASCII_LETTER, [from + 5] = ASCII_LETTER, \
    [from + 6] = ASCII_LETTER, [from + 7] = ASCII_LETTER, [from + 8] = ASCII_LETTER, \
    [from + 9] = ASCII_LETTER, [from + 10] = ASCII_LETTER, [from + 11] = ASCII_LETTER, \
    [from + 12] = ASCII_LETTER, [from + 13] = ASCII_LETTER, [from + 14] = ASCII_LETTER, \
    [from + 15] = ASCII_LETTER, [from + 16] = ASCII_LETTER, [from + 17] = ASCII_LETTER, \
    [from + 18] = ASCII_LETTER, [from + 19] = ASCII_LETTER, [from + 20] = ASCII_LETTER, \
    [from + 21] = ASCII_LETTER, [from + 22] = ASCII_LETTER, [from + 23] = ASCII_LETTER, \
    [from + 24] = ASCII_LETTER, [from + 25] = ASCII_LETTER

static const unsigned char ascii_class[256] = { /* 0 for bytes 0x80..0xFF */
    [' '] = ASCII_SPACE, ['\t'] = ASCII_SPACE, ['\n'] = ASCII_SPACE, ['\r'] = ASCII_SPACE,
    ['\f'] = ASCII_SPACE, ['\v'] = ASCII_SPACE,
    ['0'] = ASCII_DIGIT, ['1'] = ASCII_DIGIT, ['2'] = ASCII_DIGIT, ['3'] = ASCII_DIGIT,
    ['4'] = ASCII_DIGIT, ['5'] = ASCII_DIGIT, ['6'] = ASCII_DIGIT, ['7'] = ASCII_DIGIT,
    ['8'] = ASCII_DIGIT, ['9'] = ASCII_DIGIT,
    LETTERS('A'), LETTERS('a')
};

#undef LETTERS

static bool is_space_code(uint32_t code)
{
    if (code < 0x80)
        return (ascii_class[code] & ASCII_SPACE) != 0;
    return code == 0xA0 || code == 0x202F || (code >= 0x2000 && code <= 0x200B)
        || code == 0x3000 || code == 0xFEFF;
}

static bool is_digit_code(uint32_t code)
{
    return code >= '0' && code <= '9';
}

/* Letters and digits: what word and number tokens are made of. */
static bool is_word_code(uint32_t code)
{
    if (code < 0x80)
        return (ascii_class[code] & ASCII_WORD) != 0;
    return rw_words_is_letter(code);
}

static bool is_apostrophe(uint32_t code)
{
    return code == '\'' || code == 0x2019 || code == 0x2BC;
}

/* Characters that may join the parts of a word or a number: apostrophes ("aujourd'hui",
 * "Cote d'Ivoire"), the hyphen, and the "." and "," inside numbers. */
static bool is_joiner(uint32_t code)
{
    return is_apostrophe(code) || code == '-' || code == '.' || code == ',';
}

/* The code point at text[0] and its length: ASCII directly, the rest decoded. */
static uint32_t next_code(const unsigned char *text, size_t available, size_t *length)
{
    if (text[0] < 0x80) {
        *length = 1;
        return text[0];
    }
    return rw_words_decode(text, available, length);
}

/* The ASCII stand-in of a punctuation code point. */
static uint8_t punct_class(uint32_t code)
{
    if (code < 0x80)
        return (uint8_t)code;
    switch (code) {
    case 0x201C: case 0x201D: case 0x201E: case 0xAB: case 0xBB: return '"';
    case 0x2018: case 0x2019: return '\'';
    case 0x2013: case 0x2014: case 0x2012: case 0x2015: return '-';
    case 0x2026: return '.';
    case 0xBF: return '?';
    case 0xA1: return '!';
    case 0x2022: case 0xB7: case 0x25AA: case 0x25CF: case 0x25E6: return '*';
    default: return '~';
    }
}

static int tokens_grow(rw_words_tokens_t *tokens)
{
    size_t capacity = tokens->capacity ? tokens->capacity * 2 : 256;
    rw_token_t *items = realloc(tokens->items, capacity * sizeof *items);
    if (!items)
        return -ENOMEM;
    tokens->items = items;
    tokens->capacity = capacity;
    return 0;
}

/* What an inner joiner (apostrophe, hyphen, "." or ",") does to the word before it. */
typedef enum {
    JOIN_END,        /* no join here: the word ends before the joiner */
    JOIN_ELISION,    /* "l'", "d'", "qu'": the apostrophe ends the word and belongs to it */
    JOIN_APOSTROPHE, /* an inner apostrophe: "don't" */
    JOIN_HYPHEN,     /* an inner hyphen of a word: "follow-up" */
    JOIN_NUMBER,     /* "." or "," between digits: "1,000", "3.5" */
} join_t;

/* Fill token as the punctuation mark code. */
static inline void fill_punct_token(rw_token_t *token, uint32_t code)
{
    token->kind = RW_TOKEN_PUNCT;
    token->capital = 0;
    token->punct = punct_class(code);
    token->hash = (FNV_OFFSET ^ token->punct) * FNV_PRIME;
}

/* Add the lower case of the letter or digit code to the hash h. */
static inline uint32_t hash_lower(uint32_t h, uint32_t code)
{
    if (code < 0x80) {
        unsigned char c = (unsigned char)code;
        if (c >= 'A' && c <= 'Z')
            c += 32;
        return (h ^ c) * FNV_PRIME;
    }
    return hash_code(h, lower_code(code));
}

/* How the joiner next, followed by the character after, joins the word so far (letters
 * long, all digits or not). Joiners count only when followed by a letter or digit. */
static inline join_t joiner_effect(uint32_t next, uint32_t after, size_t letters,
                                   bool all_digits)
{
    if (!is_word_code(after))
        return JOIN_END;
    if (is_apostrophe(next))
        return letters <= 3 ? JOIN_ELISION : JOIN_APOSTROPHE;
    if (next == '-' && !all_digits)
        return JOIN_HYPHEN;
    if ((next == '.' || next == ',') && all_digits && is_digit_code(after))
        return JOIN_NUMBER;
    return JOIN_END;
}

/* Cut the word or number that starts at i with code (n bytes) into token (all but its
 * start and end): letters and digits, with inner apostrophes, hyphens, and for numbers
 * inner "." and ",". Returns the position after it. */
static inline size_t cut_word_token(const unsigned char *p, size_t length, size_t i,
                                    uint32_t code, size_t n, rw_token_t *token)
{
    uint32_t h = FNV_OFFSET;
    bool all_digits = true;
    size_t letters = 0;
    token->capital = code < 0x80 ? (code >= 'A' && code <= 'Z') : rw_words_is_upper(code);
    token->punct = 0;
    for (;;) {
        h = hash_lower(h, code);
        if (!is_digit_code(code))
            all_digits = false;
        letters++;
        i += n;
        /* The common case, kept tight: more ASCII letters and digits. For them,
         * setting bit 0x20 is the lower case (digits have it already). */
        while (i < length && (ascii_class[p[i]] & ASCII_WORD) != 0) {
            unsigned char c = p[i];
            h = (h ^ (unsigned char)(c | 0x20)) * FNV_PRIME;
            if (ascii_class[c] != ASCII_DIGIT)
                all_digits = false;
            letters++;
            i++;
        }
        if (i >= length)
            break;
        size_t n2;
        uint32_t next = next_code(p + i, length - i, &n2);
        if (is_word_code(next)) {
            code = next;
            n = n2;
            continue;
        }
        if (!is_joiner(next) || i + n2 >= length)
            break;
        size_t n3;
        uint32_t after = rw_words_decode(p + i + n2, length - i - n2, &n3);
        join_t join = joiner_effect(next, after, letters, all_digits);
        if (join == JOIN_END)
            break;
        if (join == JOIN_ELISION) {
            h = (h ^ '\'') * FNV_PRIME;
            i += n2;
            break;
        }
        if (join == JOIN_NUMBER) {
            /* keep the number a number: the joiner is not a letter */
            h = (h ^ (unsigned char)next) * FNV_PRIME;
            i += n2;
            code = after;
            n = n3;
            continue;
        }
        if (join == JOIN_APOSTROPHE)
            all_digits = false;
        code = join == JOIN_APOSTROPHE ? '\'' : next;
        n = n2;
    }
    token->kind = all_digits ? RW_TOKEN_NUMBER : RW_TOKEN_WORD;
    token->hash = h;
    return i;
}

int rw_words_tokenize(const char *text, size_t length, size_t base, rw_words_tokens_t *tokens)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    tokens->count = 0;
    while (i < length) {
        size_t n;
        uint32_t code = next_code(p + i, length - i, &n);
        if (is_space_code(code)) {
            i += n;
            continue;
        }
        if (tokens->count == tokens->capacity && tokens_grow(tokens) != 0)
            return -ENOMEM;
        rw_token_t *token = &tokens->items[tokens->count++];
        token->start = (uint32_t)(base + i);
        token->roles = 0;
        if (!is_word_code(code)) {
            fill_punct_token(token, code);
            i += n;
            token->end = (uint32_t)(base + i);
            continue;
        }
        i = cut_word_token(p, length, i, code, n, token);
        token->end = (uint32_t)(base + i);
    }
    return 0;
}

void rw_words_tokens_clear(rw_words_tokens_t *tokens)
{
    free(tokens->items);
    tokens->items = NULL;
    tokens->count = tokens->capacity = 0;
}

/* ---------------------------------------------------------------- word set */

typedef struct {
    char *word;        /* folded */
    uint32_t hash;
    int value;
} word_slot_t;

struct rw_words {
    word_slot_t *slots;
    size_t capacity;   /* power of two */
    size_t count;
};

rw_words_t *rw_words_new(void)
{
    rw_words_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->capacity = 64;
    self->slots = calloc(self->capacity, sizeof *self->slots);
    if (!self->slots) {
        free(self);
        return NULL;
    }
    return self;
}

void rw_words_destroy(rw_words_t **self_p)
{
    rw_words_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->capacity; i++)
        free(self->slots[i].word);
    free(self->slots);
    free(self);
    *self_p = NULL;
}

static word_slot_t *find_slot(word_slot_t *slots, size_t capacity, uint32_t hash,
                              const char *folded)
{
    size_t mask = capacity - 1;
    size_t i = hash & mask;
    while (slots[i].word) {
        if (slots[i].hash == hash && strcmp(slots[i].word, folded) == 0)
            return &slots[i];
        i = (i + 1) & mask;
    }
    return &slots[i];
}

static int words_grow(rw_words_t *self)
{
    size_t capacity = self->capacity * 2;
    word_slot_t *slots = calloc(capacity, sizeof *slots);
    if (!slots)
        return -ENOMEM;
    for (size_t i = 0; i < self->capacity; i++) {
        if (!self->slots[i].word)
            continue;
        word_slot_t *slot = find_slot(slots, capacity, self->slots[i].hash, self->slots[i].word);
        *slot = self->slots[i];
    }
    free(self->slots);
    self->slots = slots;
    self->capacity = capacity;
    return 0;
}

int rw_words_add(rw_words_t *self, const char *word, int value)
{
    size_t length = strlen(word);
    char *folded = malloc(length * 2 + 1);
    if (!folded)
        return -ENOMEM;
    rw_words_fold(word, length, folded, length * 2 + 1);
    uint32_t hash = rw_words_hash(folded, strlen(folded));
    if ((self->count + 1) * 2 > self->capacity && words_grow(self) != 0) {
        free(folded);
        return -ENOMEM;
    }
    word_slot_t *slot = find_slot(self->slots, self->capacity, hash, folded);
    if (slot->word) {
        slot->value = value;
        free(folded);
        return 0;
    }
    slot->word = folded;
    slot->hash = hash;
    slot->value = value;
    self->count++;
    return 0;
}

int rw_words_get_hashed(const rw_words_t *self, uint32_t hash, const char *text, size_t length)
{
    size_t mask = self->capacity - 1;
    size_t i = hash & mask;
    while (self->slots[i].word) {
        if (self->slots[i].hash == hash && rw_words_equal(text, length, self->slots[i].word))
            return self->slots[i].value;
        i = (i + 1) & mask;
    }
    return -1;
}

int rw_words_get(const rw_words_t *self, const char *text, size_t length)
{
    return rw_words_get_hashed(self, rw_words_hash(text, length), text, length);
}

size_t rw_words_count(const rw_words_t *self)
{
    return self->count;
}
