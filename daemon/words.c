/* words.c — UTF-8 tokenizer with case folding, and a hash set of folded words.
 *
 * The tokenizer is the extractor's inner loop: one pass over the bytes, no allocation
 * unless the token array must grow, a 32-bit hash of each folded word computed on the
 * way so that cue and word lookups never fold or copy again. The hash takes the folded
 * bytes eight at a time: a run of ASCII letters and digits is found first, then read
 * with 8-byte loads, so that no multiply chain runs per byte. ASCII bytes are
 * classified and folded by table; bytes beyond ASCII take the general path (decode,
 * fold by code point). The word set compares ASCII text with its folded words byte by
 * byte and leaves the rest to rw_words_equal. */
#include "words.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"

/* ---------------------------------------------------------------- hash */

/* The hash of a folded word: its bytes in chunks of eight (the first byte lowest), each
 * full chunk mixed in by xor and multiply; the last, partial chunk (0 to 7 bytes) and
 * its byte count mixed in at the end, then the bits spread so that low and high bits
 * of the 32-bit result are both good (tables index by the low bits, filters by the
 * high ones). The hash depends only on the bytes, not on how they are fed in. */
#define HASH_SEED 0x243F6A8885A308D3ull
#define HASH_MULTIPLY 0x9E3779B97F4A7C15ull
#define HASH_SPREAD 0xD6E8FEB86659FD93ull
#define HASH_CASE 0x2020202020202020ull  /* folds eight ASCII letters or digits */

/* A hash being computed: the full chunks so far, and the partial chunk. */
typedef struct {
    uint64_t mixed;   /* the full chunks, mixed */
    uint64_t chunk;   /* the bytes of the partial chunk, the first in the low byte */
    unsigned fill;    /* bytes in chunk, 0..7 */
} hash_state_t;

static const hash_state_t HASH_START = { HASH_SEED, 0, 0 };

/* Mix a full chunk into mixed. */
static inline uint64_t hash_absorb(uint64_t mixed, uint64_t chunk)
{
    return (mixed ^ chunk) * HASH_MULTIPLY;
}

/* Add one byte to the hash. */
static inline void hash_byte(hash_state_t *state, unsigned char byte)
{
    state->chunk |= (uint64_t)byte << (8 * state->fill);
    if (++state->fill == 8) {
        state->mixed = hash_absorb(state->mixed, state->chunk);
        state->chunk = 0;
        state->fill = 0;
    }
}

/* The 32-bit hash of the bytes given to state. */
static inline uint32_t hash_finish(hash_state_t state)
{
    uint64_t x = hash_absorb(state.mixed, state.chunk ^ ((uint64_t)state.fill << 56));
    x ^= x >> 32;
    x *= HASH_SPREAD;
    return (uint32_t)(x >> 32);
}

/* The hash of the one byte c (a punctuation token). */
static inline uint32_t hash_single(unsigned char c)
{
    return hash_finish((hash_state_t){ HASH_SEED, c, 1 });
}

/* ---------------------------------------------------------------- code points */

/* The lower case of ASCII bytes, 0 for bytes 0x80..0xFF (which no ASCII text has). */
#define SAME8(from) \
    [from] = from, [from + 1] = from + 1, [from + 2] = from + 2, [from + 3] = from + 3, \
    [from + 4] = from + 4, [from + 5] = from + 5, [from + 6] = from + 6, [from + 7] = from + 7
#define LOWER8(from) \
    [from] = from + 32, [from + 1] = from + 33, [from + 2] = from + 34, \
    [from + 3] = from + 35, [from + 4] = from + 36, [from + 5] = from + 37, \
    [from + 6] = from + 38, [from + 7] = from + 39

static const unsigned char ascii_lower[256] = {
    SAME8(0x00), SAME8(0x08), SAME8(0x10), SAME8(0x18), SAME8(0x20), SAME8(0x28),
    SAME8(0x30), SAME8(0x38), [0x40] = 0x40,
    LOWER8(0x41), LOWER8(0x49), LOWER8(0x51), [0x59] = 0x79, [0x5A] = 0x7A,
    [0x5B] = 0x5B, [0x5C] = 0x5C, [0x5D] = 0x5D, [0x5E] = 0x5E, [0x5F] = 0x5F,
    SAME8(0x60), SAME8(0x68), SAME8(0x70), SAME8(0x78)
};

#undef LOWER8
#undef SAME8

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

/* Add the UTF-8 bytes of code to the hash. */
static void hash_code(hash_state_t *state, uint32_t code)
{
    char buffer[4];
    size_t n = 0;
    put_code(code, buffer, sizeof buffer + 1, &n);
    for (size_t i = 0; i < n; i++)
        hash_byte(state, (unsigned char)buffer[i]);
}

size_t rw_words_fold(const char *text, size_t length, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, used = 0;
    while (i < length) {
        if (p[i] < 0x80) {            /* ASCII: one byte, lower case by table */
            if (out && used + 1 < size)
                out[used] = (char)ascii_lower[p[i]];
            used++;
            i++;
            continue;
        }
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
    hash_state_t state = HASH_START;
    size_t i = 0;
    while (i < length) {
        if (p[i] < 0x80) {
            hash_byte(&state, ascii_lower[p[i]]);
            i++;
            continue;
        }
        size_t n;
        uint32_t code = rw_words_decode(p + i, length - i, &n);
        hash_code(&state, lower_code(code));
        i += n;
    }
    return hash_finish(state);
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

/* Classes of bytes, so that the tokenizer tests most bytes with one load. */
enum {
    BYTE_PUNCT = 0,        /* any other ASCII byte: a punctuation token of its own */
    BYTE_SPACE = 1u << 0,  /* ASCII white space */
    BYTE_WORD = 1u << 1,   /* ASCII letter or digit */
    BYTE_INNER = 1u << 2,  /* ' and -: may join the parts of a word */
    BYTE_DECIMAL = 1u << 3,/* . and ,: may join the parts of a number */
    BYTE_HIGH = 1u << 4    /* 0x80..0xFF: part of a multibyte (or invalid) sequence */
};

#define WORDS10(from) \
    [from] = BYTE_WORD, [from + 1] = BYTE_WORD, [from + 2] = BYTE_WORD, \
    [from + 3] = BYTE_WORD, [from + 4] = BYTE_WORD, [from + 5] = BYTE_WORD, \
    [from + 6] = BYTE_WORD, [from + 7] = BYTE_WORD, [from + 8] = BYTE_WORD, \
    [from + 9] = BYTE_WORD
#define WORDS26(from) WORDS10(from), WORDS10(from + 10), \
    [from + 20] = BYTE_WORD, [from + 21] = BYTE_WORD, [from + 22] = BYTE_WORD, \
    [from + 23] = BYTE_WORD, [from + 24] = BYTE_WORD, [from + 25] = BYTE_WORD
#define HIGH8(from) \
    [from] = BYTE_HIGH, [from + 1] = BYTE_HIGH, [from + 2] = BYTE_HIGH, \
    [from + 3] = BYTE_HIGH, [from + 4] = BYTE_HIGH, [from + 5] = BYTE_HIGH, \
    [from + 6] = BYTE_HIGH, [from + 7] = BYTE_HIGH
#define HIGH32(from) HIGH8(from), HIGH8(from + 8), HIGH8(from + 16), HIGH8(from + 24)

static const unsigned char byte_class[256] = {
    [' '] = BYTE_SPACE, ['\t'] = BYTE_SPACE, ['\n'] = BYTE_SPACE, ['\r'] = BYTE_SPACE,
    ['\f'] = BYTE_SPACE, ['\v'] = BYTE_SPACE,
    ['\''] = BYTE_INNER, ['-'] = BYTE_INNER, ['.'] = BYTE_DECIMAL, [','] = BYTE_DECIMAL,
    WORDS10('0'), WORDS26('A'), WORDS26('a'),
    HIGH32(0x80), HIGH32(0xA0), HIGH32(0xC0), HIGH32(0xE0)
};

#undef HIGH32
#undef HIGH8
#undef WORDS26
#undef WORDS10

/* The folded form of ASCII letters and digits ('A' -> 'a', '7' -> '7'), 0 for every
 * other byte. Folded letters have bit 0x40 set, digits do not. */
#define FOLD10(from, to) \
    [from] = to, [from + 1] = to + 1, [from + 2] = to + 2, [from + 3] = to + 3, \
    [from + 4] = to + 4, [from + 5] = to + 5, [from + 6] = to + 6, [from + 7] = to + 7, \
    [from + 8] = to + 8, [from + 9] = to + 9
#define FOLD26(from) FOLD10(from, 'a'), FOLD10(from + 10, 'a' + 10), \
    [from + 20] = 'u', [from + 21] = 'v', [from + 22] = 'w', [from + 23] = 'x', \
    [from + 24] = 'y', [from + 25] = 'z'

static const unsigned char word_fold[256] = {
    FOLD10('0', '0'), FOLD26('A'), FOLD26('a')
};

#undef FOLD26
#undef FOLD10

#define FOLDED_LETTER 0x40  /* the bit word_fold gives letters and not digits */

static bool is_space_code(uint32_t code)
{
    if (code < 0x80)
        return byte_class[code] == BYTE_SPACE;
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
        return byte_class[code] == BYTE_WORD;
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

/* Fill token (all but its start and end) as the punctuation mark code. */
static inline void fill_punct_token(rw_token_t *token, uint32_t code)
{
    uint8_t punct = punct_class(code);
    token->hash = hash_single(punct);
    token->kind = RW_TOKEN_PUNCT;
    token->capital = 0;
    token->punct = punct;
    token->roles = 0;
}

/* Fill token (all but its start and end) as the ASCII punctuation mark c. */
static inline void fill_ascii_punct_token(rw_token_t *token, unsigned char c)
{
    token->hash = hash_single(c);
    token->kind = RW_TOKEN_PUNCT;
    token->capital = 0;
    token->punct = c;
    token->roles = 0;
}

/* Add the lower case of the letter or digit code to the hash. */
static inline void hash_lower(hash_state_t *state, uint32_t code)
{
    if (code < 0x80) {
        hash_byte(state, ascii_lower[code]);
        return;
    }
    hash_code(state, lower_code(code));
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

/* A word or number being cut: the hash of its folded form so far, its length in code
 * points (joiners included) and whether it is digits only. */
typedef struct {
    hash_state_t hash;
    size_t letters;
    bool all_digits;
} word_state_t;

/* Hash the run of ASCII letters and digits at p[i, length) into word, byte by byte
 * (a run that continues a word); returns the position after the run. */
static inline size_t take_ascii_run(const unsigned char *p, size_t length, size_t i,
                                    word_state_t *word)
{
    size_t from = i;
    unsigned seen = 0;
    while (i < length) {
        unsigned folded = word_fold[p[i]];
        if (folded == 0)
            break;
        seen |= folded;
        hash_byte(&word->hash, (unsigned char)folded);
        i++;
    }
    word->letters += i - from;
    if (seen & FOLDED_LETTER)
        word->all_digits = false;
    return i;
}

/* The end of the run of ASCII letters and digits at p[i]; guarded: a byte that ends
 * the run is known to follow within the text (no length test). */
static inline size_t run_end(const unsigned char *p, size_t length, size_t i, bool guarded)
{
    if (guarded) {
        while (word_fold[p[i]] != 0)
            i++;
        return i;
    }
    while (i < length && word_fold[p[i]] != 0)
        i++;
    return i;
}

/* The hash of the run of n ASCII letters and digits at p[from] (within p[0, length)),
 * the start of a word, read eight bytes at a time; *letters gets whether the run has
 * a letter. */
static hash_state_t hash_long_run(const unsigned char *p, size_t length, size_t from,
                                  size_t n, bool *letters)
{
    uint64_t mixed = HASH_SEED, seen = 0, chunk;
    for (; n >= 8; from += 8, n -= 8) {
        chunk = rw_chunk_load(p + from) | HASH_CASE;
        seen |= chunk;
        mixed = hash_absorb(mixed, chunk);
    }
    if (from + 8 <= length) {
        chunk = (rw_chunk_load(p + from) | HASH_CASE) & (((uint64_t)1 << (8 * n)) - 1);
    } else {               /* near the end of the text: no load beyond it */
        chunk = 0;
        for (size_t k = n; k-- > 0;)
            chunk = chunk << 8 | (p[from + k] | 0x20u);
    }
    seen |= chunk;
    *letters = (seen & 0x4040404040404040ull) != 0;
    return (hash_state_t){ mixed, chunk, (unsigned)n };
}

/* hash_run for the common case, a run shorter than 16 bytes with 16 bytes to read:
 * two loads and masks, no branch on the length. */
static inline hash_state_t hash_run(const unsigned char *p, size_t length, size_t from,
                                    size_t n, bool *letters)
{
    if (n >= 16 || length - from < 16)
        return hash_long_run(p, length, from, n, letters);
    uint64_t low = rw_chunk_load(p + from) | HASH_CASE;
    uint64_t high = rw_chunk_load(p + from + 8) | HASH_CASE;
    uint64_t tail = ((uint64_t)1 << (8 * (n & 7))) - 1;   /* the bytes of the last chunk */
    uint64_t longer = (uint64_t)0 - (uint64_t)(n >> 3);   /* all ones when n >= 8 */
    uint64_t first = low & (tail | longer);
    uint64_t second = high & tail & longer;
    *letters = ((first | second) & 0x4040404040404040ull) != 0;
    uint64_t mixed = HASH_SEED ^ ((hash_absorb(HASH_SEED, first) ^ HASH_SEED) & longer);
    return (hash_state_t){ mixed, (first & ~longer) | second, (unsigned)(n & 7) };
}

/* Add the code point code (n bytes at p[i]): a letter beyond ASCII or a joined
 * apostrophe or hyphen, none of them a digit. Returns the position after it. */
static inline size_t take_code(size_t i, uint32_t code, size_t n, word_state_t *word)
{
    hash_lower(&word->hash, code);
    word->all_digits = false;
    word->letters++;
    return i + n;
}

/* Continue the word that has reached i past its ASCII letters and digits: letters
 * beyond ASCII, inner apostrophes and hyphens, and for numbers inner "." and ",".
 * Returns the position after the word. */
static size_t continue_word(const unsigned char *p, size_t length, size_t i,
                            word_state_t *word)
{
    while (i < length && (byte_class[p[i]] & (BYTE_INNER | BYTE_DECIMAL | BYTE_HIGH)) != 0) {
        size_t n2;
        uint32_t next = next_code(p + i, length - i, &n2);
        if (is_word_code(next)) {
            i = take_code(i, next, n2, word);
            i = take_ascii_run(p, length, i, word);
            continue;
        }
        if (!is_joiner(next) || i + n2 >= length)
            break;
        size_t n3;
        uint32_t after = rw_words_decode(p + i + n2, length - i - n2, &n3);
        join_t join = joiner_effect(next, after, word->letters, word->all_digits);
        if (join == JOIN_END)
            break;
        if (join == JOIN_ELISION) {
            hash_byte(&word->hash, '\'');
            return i + n2;
        }
        if (join == JOIN_NUMBER) {
            /* keep the number a number: the joiner is not a letter; after is a digit */
            hash_byte(&word->hash, (unsigned char)next);
            i = take_ascii_run(p, length, i + n2, word);
            continue;
        }
        i = take_code(i, join == JOIN_APOSTROPHE ? '\'' : next, n2, word);
        i = take_ascii_run(p, length, i, word);
    }
    return i;
}

/* Whether the byte class at the end of a run may continue the word. */
static inline bool may_continue(unsigned class, bool all_digits)
{
    unsigned joining = BYTE_INNER | BYTE_HIGH | (all_digits ? BYTE_DECIMAL : 0);
    return (class & joining) != 0;
}

/* Bit 7 of each byte of the chunk that is no ASCII letter or digit, the other bits 0. */
static inline uint64_t other_bytes(uint64_t chunk)
{
    return rw_chunk_alnum_lanes(chunk) ^ RW_CHUNK_LANES;
}

/* The run of ASCII letters and digits at p[i] with 16 bytes to read there: its length
 * (16 when it may go on) from two loads, no branch per byte; *state its hash when
 * shorter than 16, *after the byte after it; *letters whether it has a letter. */
static inline size_t window_run(const unsigned char *p, size_t i, hash_state_t *state,
                                unsigned char *after, bool *letters)
{
    uint64_t low = rw_chunk_load(p + i), high = rw_chunk_load(p + i + 8);
    size_t n_low = rw_chunk_first_lane(other_bytes(low));
    size_t n_high = rw_chunk_first_lane(other_bytes(high));
    uint64_t longer = (uint64_t)0 - (uint64_t)(n_low >> 3);   /* all ones when n >= 8 */
    size_t n = n_low + (n_high & (size_t)longer);
    uint64_t last = (low & ~longer) | (high & longer);  /* the chunk where the run ends */
    *after = (unsigned char)(last >> (8 * (n & 7)));
    low |= RW_CHUNK_EACH(0x20);
    high |= RW_CHUNK_EACH(0x20);
    uint64_t tail = ((uint64_t)1 << (8 * (n & 7))) - 1;   /* the bytes of the last chunk */
    uint64_t first = low & (tail | longer);
    uint64_t second = high & tail & longer;
    *letters = ((first | second) & RW_CHUNK_EACH(0x40)) != 0;
    uint64_t mixed = HASH_SEED ^ ((hash_absorb(HASH_SEED, first) ^ HASH_SEED) & longer);
    *state = (hash_state_t){ mixed, (first & ~longer) | second, (unsigned)(n & 7) };
    return n;
}

/* Fill token as the word or number starting with the ASCII letter or digit at p[i];
 * guarded: the text ends with a byte that ends any run; offset: what token offsets
 * add to positions in p. Returns the position after it. (The space that most often
 * follows is left to the caller's loop: a branch there, well predicted, lets the next
 * token's loads start before this one's length is known.) */
static inline size_t cut_ascii_word(const unsigned char *p, size_t length, size_t i,
                                    bool guarded, uint32_t offset, rw_token_t *token)
{
    unsigned char first = p[i];
    size_t from = i;
    bool letters;
    hash_state_t hash;
    unsigned stop;          /* the class of the byte that ended the run, 0 at the end */
    size_t n = 16;
    if (length - i >= 16) {
        unsigned char after;
        n = window_run(p, i, &hash, &after, &letters);
        i += n;
        stop = byte_class[after];
    }
    if (n == 16) {          /* near the text's end, or a long run */
        i = run_end(p, length, i, guarded);
        hash = hash_run(p, length, from, i - from, &letters);
        stop = i < length ? byte_class[p[i]] : 0;
    }
    bool all_digits = !letters;
    if (may_continue(stop, all_digits)) {
        word_state_t word = { hash, i - from, all_digits };
        i = continue_word(p, length, i, &word);
        hash = word.hash;
        all_digits = word.all_digits;
    }
    token->start = offset + (uint32_t)from;
    token->end = offset + (uint32_t)i;
    token->hash = hash_finish(hash);
    token->kind = all_digits ? RW_TOKEN_NUMBER : RW_TOKEN_WORD;
    token->capital = (unsigned char)(first - 'A') < 26;
    token->punct = 0;
    token->roles = 0;
    return i;
}

/* Fill token (all but its start and end) from the code point beyond ASCII at p[i]:
 * a word, or a punctuation mark. White space makes no token (*made = false). Returns
 * the position after it. */
static size_t cut_other_token(const unsigned char *p, size_t length, size_t i,
                              rw_token_t *token, bool *made)
{
    size_t n;
    uint32_t code = rw_words_decode(p + i, length - i, &n);
    *made = !is_space_code(code);
    if (!*made)
        return i + n;
    if (!rw_words_is_letter(code)) {
        fill_punct_token(token, code);
        return i + n;
    }
    word_state_t word = { HASH_START, 0, true };
    i = take_code(i, code, n, &word);
    i = take_ascii_run(p, length, i, &word);
    i = continue_word(p, length, i, &word);
    token->hash = hash_finish(word.hash);
    token->kind = RW_TOKEN_WORD;
    token->capital = rw_words_is_upper(code);
    token->punct = 0;
    token->roles = 0;
    return i;
}

int rw_words_tokenize(const char *text, size_t length, size_t base, rw_words_tokens_t *tokens)
{
    const unsigned char *p = (const unsigned char *)text;
    rw_token_t *token = tokens->items;
    rw_token_t *limit = token ? token + tokens->capacity : token;
    uint32_t offset = (uint32_t)base;
    size_t i = 0;
    /* When the text ends with a byte that ends any run of ASCII letters and digits,
     * such runs need no length test. */
    bool guarded = length > 0 && word_fold[p[length - 1]] == 0;
    tokens->count = 0;
    while (i < length) {
        unsigned char c = p[i];
        unsigned class = byte_class[c];
        if (class == BYTE_SPACE) {
            i++;
            continue;
        }
        if (token == limit) {
            size_t count = token ? (size_t)(token - tokens->items) : 0;
            tokens->count = count;
            if (tokens_grow(tokens) != 0)
                return -ENOMEM;
            token = tokens->items + count;
            limit = tokens->items + tokens->capacity;
        }
        if (class == BYTE_WORD) {
            i = cut_ascii_word(p, length, i, guarded, offset, token);
            token++;
            continue;
        }
        size_t from = i;
        if (class != BYTE_HIGH) {
            fill_ascii_punct_token(token, c);
            i++;
        } else {
            bool made;
            i = cut_other_token(p, length, i, token, &made);
            if (!made)
                continue;
        }
        token->start = offset + (uint32_t)from;
        token->end = offset + (uint32_t)i;
        token++;
    }
    tokens->count = token ? (size_t)(token - tokens->items) : 0;
    return 0;
}

void rw_words_tokens_clear(rw_words_tokens_t *tokens)
{
    free(tokens->items);
    tokens->items = NULL;
    tokens->count = tokens->capacity = 0;
}

/* ---------------------------------------------------------------- word set */

/* The set is an open-addressing table of small slots (a hash and the index of an
 * entry), kept at most a quarter full so that an absent word (most words looked up)
 * meets an empty slot at once, and a dense array of entries (the folded word and its
 * value) read only when the hash matches: the table stays small enough for the cache. */
typedef struct {
    uint32_t hash;
    uint32_t entry;    /* index + 1 into entries; 0 in an empty slot */
} word_slot_t;

typedef struct {
    char *word;        /* folded */
    uint32_t length;   /* of word, in bytes */
    int value;
} word_entry_t;

/* A filter over the hashes of the set's words, one bit each: most absent words are
 * turned away by one bit test in a table that stays in the cache. */
#define FILTER_BITS 8192u

struct rw_words {
    uint64_t filter[FILTER_BITS / 64];
    word_slot_t *slots;
    size_t capacity;   /* slots: a power of two */
    word_entry_t *entries;
    size_t count;      /* entries used */
    size_t entry_capacity;
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
    for (size_t i = 0; i < self->count; i++)
        free(self->entries[i].word);
    free(self->entries);
    free(self->slots);
    free(self);
    *self_p = NULL;
}

/* The slot of the folded word with hash in slots (capacity of them): its own, or the
 * empty one where it goes. */
static word_slot_t *find_slot(const rw_words_t *self, word_slot_t *slots, size_t capacity,
                              uint32_t hash, const char *folded)
{
    size_t mask = capacity - 1;
    size_t i = hash & mask;
    while (slots[i].entry) {
        if (slots[i].hash == hash && strcmp(self->entries[slots[i].entry - 1].word, folded) == 0)
            return &slots[i];
        i = (i + 1) & mask;
    }
    return &slots[i];
}

/* Twice the slots, every entry placed again. 0 or -ENOMEM. */
static int words_grow(rw_words_t *self)
{
    size_t capacity = self->capacity * 2;
    word_slot_t *slots = calloc(capacity, sizeof *slots);
    if (!slots)
        return -ENOMEM;
    for (size_t i = 0; i < self->capacity; i++) {
        if (!self->slots[i].entry)
            continue;
        const char *word = self->entries[self->slots[i].entry - 1].word;
        *find_slot(self, slots, capacity, self->slots[i].hash, word) = self->slots[i];
    }
    free(self->slots);
    self->slots = slots;
    self->capacity = capacity;
    return 0;
}

/* Room for one more entry, the table at most a quarter full after it. 0 or -ENOMEM. */
static int words_room(rw_words_t *self)
{
    if ((self->count + 1) * 4 > self->capacity && words_grow(self) != 0)
        return -ENOMEM;
    if (self->count < self->entry_capacity)
        return 0;
    size_t capacity = self->entry_capacity ? self->entry_capacity * 2 : 16;
    word_entry_t *entries = realloc(self->entries, capacity * sizeof *entries);
    if (!entries)
        return -ENOMEM;
    self->entries = entries;
    self->entry_capacity = capacity;
    return 0;
}

int rw_words_add(rw_words_t *self, const char *word, int value)
{
    size_t length = strlen(word);
    char *folded = malloc(length * 2 + 1);
    if (!folded)
        return -ENOMEM;
    rw_words_fold(word, length, folded, length * 2 + 1);
    size_t folded_length = strlen(folded);
    uint32_t hash = rw_words_hash(folded, folded_length);
    if (words_room(self) != 0) {
        free(folded);
        return -ENOMEM;
    }
    word_slot_t *slot = find_slot(self, self->slots, self->capacity, hash, folded);
    if (slot->entry) {
        self->entries[slot->entry - 1].value = value;
        free(folded);
        return 0;
    }
    self->entries[self->count] = (word_entry_t){ folded, (uint32_t)folded_length, value };
    self->filter[(hash >> 16) % FILTER_BITS / 64] |= 1ull << ((hash >> 16) % 64);
    slot->hash = hash;
    slot->entry = (uint32_t)++self->count;
    return 0;
}

/* rw_words_equal_folded, inline for the word set's hits. ASCII text folds byte by byte
 * to as many bytes: compare directly. Text of another length, or with a byte beyond
 * ASCII, goes through rw_words_equal. */
static inline bool equal_folded(const char *text, size_t length, const char *folded,
                                size_t folded_length)
{
    const unsigned char *p = (const unsigned char *)text;
    const unsigned char *f = (const unsigned char *)folded;
    if (length != folded_length)
        return rw_words_equal(text, length, folded);
    for (size_t i = 0; i < length; i++) {
        if (ascii_lower[p[i]] != f[i])   /* f[i] is no NUL: i < its length */
            return p[i] >= 0x80 && rw_words_equal(text, length, folded);
    }
    return true;
}

bool rw_words_equal_folded(const char *text, size_t length, const char *folded,
                           size_t folded_length)
{
    return equal_folded(text, length, folded, folded_length);
}

/* Compare ASCII text[0, length) with the folded word (folded_length bytes): 1 when
 * equal, 0 when not, -1 when the text has a byte beyond ASCII or another length, where
 * only rw_words_equal can tell. */
static inline int compare_ascii(const char *text, size_t length, const char *folded,
                                size_t folded_length)
{
    const unsigned char *p = (const unsigned char *)text;
    const unsigned char *f = (const unsigned char *)folded;
    if (length != folded_length)
        return -1;
    for (size_t i = 0; i < length; i++)
        if (ascii_lower[p[i]] != f[i])   /* f[i] is no NUL: i < its length */
            return p[i] >= 0x80 ? -1 : 0;
    return 1;
}

/* The value of the word text[0, length) with the given hash, probing on from slot i:
 * the general lookup, where rw_words_get_hashed hands over when the first slot with the
 * hash does not settle it. */
static int get_from(const rw_words_t *self, size_t i, uint32_t hash, const char *text,
                    size_t length)
{
    const word_slot_t *slots = self->slots;
    size_t mask = self->capacity - 1;
    for (; slots[i].entry; i = (i + 1) & mask) {
        const word_entry_t *entry = &self->entries[slots[i].entry - 1];
        if (slots[i].hash == hash && equal_folded(text, length, entry->word, entry->length))
            return entry->value;
    }
    return -1;
}

int rw_words_get_hashed(const rw_words_t *self, uint32_t hash, const char *text, size_t length)
{
    /* The common cases: a miss stops at the first empty slot, a hit is the first slot
     * with the hash, its word the ASCII text. The rest goes on in get_from. */
    if (!(self->filter[(hash >> 16) % FILTER_BITS / 64] & (1ull << ((hash >> 16) % 64))))
        return -1;
    const word_slot_t *slots = self->slots;
    size_t mask = self->capacity - 1;
    size_t i = hash & mask;
    while (slots[i].entry && slots[i].hash != hash)
        i = (i + 1) & mask;
    if (!slots[i].entry)
        return -1;
    const word_entry_t *entry = &self->entries[slots[i].entry - 1];
    if (compare_ascii(text, length, entry->word, entry->length) > 0)
        return entry->value;
    return get_from(self, i, hash, text, length);
}

int rw_words_get(const rw_words_t *self, const char *text, size_t length)
{
    return rw_words_get_hashed(self, rw_words_hash(text, length), text, length);
}

size_t rw_words_count(const rw_words_t *self)
{
    return self->count;
}

const char *rw_words_at(const rw_words_t *self, size_t index, size_t *length, int *value)
{
    const word_entry_t *entry = &self->entries[index];
    *length = entry->length;
    *value = entry->value;
    return entry->word;
}
