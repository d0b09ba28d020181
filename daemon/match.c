/* match.c — a phrase matcher over folded words of UTF-8 text (see match.h).
 *
 * Loading builds two hash tables: a vocabulary (folded word → word id) holding only the
 * words that occur in some phrase, and the edges of a trie over word ids (node, word id →
 * child node), and bit filters over the words of the edges (from the root, and from
 * the other nodes), over the words that are a phrase alone and over the first two words
 * of longer phrases. Scanning folds each word of the text once, tests it against the
 * first filter (most words of a text begin no phrase and stop there), and walks the trie
 * only from words that begin a phrase, testing each next word against the second filter
 * before any lookup (a scan of a list tests the pair filter first). Nothing is
 * allocated while scanning.
 *
 * A text may also be cut into words once (rw_match_words_split) and scanned, whole or
 * piece by piece (rw_match_scan_range), from that list: the extractor cuts a statement
 * once for its language, countries, roles and every recommendation's themes and
 * countries. Those scans (scan_list, scan_single_words) read the list in place, and a
 * piece's words are found from a guess of where they are (first_word_around).
 *
 * Words are cut by two paths that give the same result: a fast one for ASCII words
 * between ASCII gaps, which folds, hashes and compares eight bytes at a time (see
 * "Chunks and hashes"), and a general one for everything else (any byte 0x80..0xFF in
 * or around the word, words too long to fold). rw_match_words_split runs the fast path
 * over the bulk of a text a window of 64 bytes at a time, taking word boundaries from
 * bit masks (see "Cutting a long text a window at a time"). */
#include "match.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"

/* The hash of a folded word reads it eight bytes at a time (see hash_step). */
#define HASH_SEED 0x6a09e667f3bcc909ull
#define HASH_MULTIPLIER 0x9e3779b97f4a7c15ull

/* A phrase: what it reports and which capitals it needs. */
typedef struct {
    int value;
    uint32_t group_bit;
    unsigned flags;
    uint32_t needs_capital;      /* bit i: word i must start with a capital */
    uint32_t needs_all_capitals; /* bit i: word i must be in capitals */
    uint32_t lower;              /* bit i: word i is written in lower case */
    int next;                    /* next entry ending at the same trie node, or -1 */
    bool plain;                  /* needs no capitals and no name test */
} entry_t;

/* A node of the trie: the phrases that end here and whether longer ones go on. */
typedef struct {
    int first_entry;        /* entries ending here, or -1 */
    uint32_t plain_groups;  /* the group bits of its plain entries: those that need no
                               capitals and no name test, so accept in any text */
    bool has_children;
    bool has_checked;       /* some entry is not plain */
} node_t;

/* A word of the vocabulary. An empty slot has hash 0, length 0 and id -1: a word
 * looked up never has length 0 and hash 0 together (see vocab_find). */
typedef struct {
    uint64_t hash;
    uint32_t offset; /* into words, the folded text */
    uint32_t length;
    int id;          /* -1: empty slot */
    int first_node;  /* the trie node this word leads to from the root (a phrase begins
                        with it), or -1 */
    int first_entry; /* the first entry of that node (the word is a phrase alone), or -1:
                        a scan of single words reads it without reading the node */
} vocab_slot_t;

typedef struct {
    uint64_t key; /* parent node << 32 | word id */
    int child;    /* -1: empty slot */
} edge_slot_t;

/* Bits of the filters over the words of the trie's edges: most words of a text begin no
 * phrase, and most words after a phrase's first word do not go on with it; one bit test
 * rejects them, before any table lookup (see filter_bit). */
#define FILTER_BITS (1u << 16)

struct rw_match {
    uint64_t first_words[FILTER_BITS / 64]; /* the first words of phrases */
    uint64_t next_words[FILTER_BITS / 64];  /* the other words, each with its parent node */
    uint64_t single_words[FILTER_BITS / 64]; /* the words that are a phrase alone */
    uint64_t first_pairs[FILTER_BITS / 64];  /* the first two words of longer phrases */
    char *words;               /* folded words, each followed by NUL */
    size_t words_length, words_capacity;
    vocab_slot_t *vocab;
    size_t vocab_count, vocab_capacity;   /* capacity: power of two */
    edge_slot_t *edges;
    size_t edge_count, edge_capacity;     /* capacity: power of two */
    node_t *nodes;
    size_t node_count, node_capacity;
    entry_t *entries;
    size_t entry_count, entry_capacity;
    bool complex;              /* some phrase has several words, needs capitals or a name
                                  test: a scan must walk the trie (see scan_single_words) */
};

/* ---- Characters ------------------------------------------------------------------ */

/* Decode one UTF-8 character at text[position]; returns its byte length (at least 1).
 * Invalid bytes decode as U+FFFD, one byte each. */
static size_t decode_utf8(const char *text, size_t length, size_t position, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)text + position;
    size_t left = length - position;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF && left >= 2 && (s[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF && left >= 3 && (s[1] & 0xC0) == 0x80 &&
        (s[2] & 0xC0) == 0x80) {
        uint32_t value = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
                         (s[2] & 0x3F);
        if (value >= 0x800 && (value < 0xD800 || value > 0xDFFF)) {
            *cp = value;
            return 3;
        }
    }
    if (c >= 0xF0 && c <= 0xF4 && left >= 4 && (s[1] & 0xC0) == 0x80 &&
        (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80) {
        uint32_t value = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                         ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (value >= 0x10000 && value <= 0x10FFFF) {
            *cp = value;
            return 4;
        }
    }
    *cp = 0xFFFD;
    return 1;
}

/* Is the character part of a word? Letters and digits of every script are; ASCII
 * punctuation, Latin-1 symbols, general punctuation, arrows, symbols and the
 * replacement character are not. The ordinal indicators ª and º are ("1º"). */
static bool is_word_char(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
               (cp >= '0' && cp <= '9');
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return false;
    if (cp >= 0x2000 && cp <= 0x2BFF)
        return false; /* punctuation, super/subscripts, currency, arrows, symbols */
    if (cp >= 0x3000 && cp <= 0x303F)
        return false; /* CJK punctuation */
    if (cp >= 0xE000 && cp <= 0xF8FF)
        return false; /* private use */
    if (cp >= 0xFE30 && cp <= 0xFE4F)
        return false;
    if (cp == 0xFEFF || cp == 0xFFFD || (cp >= 0xFF00 && cp <= 0xFF0F))
        return false;
    return true;
}

/* Base letters of U+00C0..U+017F, lower case, accents removed ("" for × and ÷). */
static const char *const latin_base[192] = {
    /* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* D0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
    /* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* F0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    /* 100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    /* 110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    /* 120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    /* 130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    /* 140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    /* 150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    /* 160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    /* 170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/* Is the letter upper case? (Latin, Greek, Cyrillic, Armenian; other scripts: no.) */
static bool is_upper(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    if (cp >= 0xC0 && cp <= 0xDE)
        return cp != 0xD7;
    if (cp >= 0x100 && cp <= 0x137)
        return (cp & 1) == 0;
    if (cp >= 0x139 && cp <= 0x148)
        return (cp & 1) == 1;
    if (cp >= 0x14A && cp <= 0x177)
        return (cp & 1) == 0;
    if (cp == 0x178)
        return true;
    if (cp >= 0x179 && cp <= 0x17E)
        return (cp & 1) == 1;
    if (cp >= 0x218 && cp <= 0x21B)
        return (cp & 1) == 0;
    if (cp >= 0x391 && cp <= 0x3A9)
        return true;
    if (cp >= 0x400 && cp <= 0x42F)
        return true;
    if (cp >= 0x531 && cp <= 0x556)
        return true;
    return false;
}

/* Is the letter lower case? (Only what is needed to tell "USA" from "Usa".) */
static bool is_lower(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z';
    if (cp >= 0xC0 && cp <= 0x17F)
        return !is_upper(cp) && cp != 0xD7 && cp != 0xF7;
    if (cp >= 0x3AC && cp <= 0x3CE)
        return true;
    if (cp >= 0x430 && cp <= 0x45F)
        return true;
    if (cp >= 0x561 && cp <= 0x587)
        return true;
    return false;
}

/* Append the folded form of cp to out (capacity RW_MATCH_WORD_MAX); false when full. */
static bool fold_char(uint32_t cp, char *out, size_t *used)
{
    char buffer[4];
    const char *piece = buffer;
    size_t size;
    if (cp < 0x80) {
        buffer[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        size = 1;
    } else if (cp >= 0xC0 && cp <= 0x17F) {
        piece = latin_base[cp - 0xC0];
        size = strlen(piece);
    } else if (cp == 0xAA || cp == 0xBA) {
        buffer[0] = cp == 0xAA ? 'a' : 'o';
        size = 1;
    } else {
        if (cp == 0x218 || cp == 0x219)
            cp = 's';
        else if (cp == 0x21A || cp == 0x21B)
            cp = 't';
        else if (cp >= 0x391 && cp <= 0x3A9)
            cp += 0x20;
        else if (cp >= 0x410 && cp <= 0x42F)
            cp += 0x20;
        else if (cp >= 0x400 && cp <= 0x40F)
            cp += 0x50;
        else if (cp >= 0x531 && cp <= 0x556)
            cp += 0x30;
        if (cp < 0x80) {
            buffer[0] = (char)cp;
            size = 1;
        } else if (cp < 0x800) {
            buffer[0] = (char)(0xC0 | (cp >> 6));
            buffer[1] = (char)(0x80 | (cp & 0x3F));
            size = 2;
        } else if (cp < 0x10000) {
            buffer[0] = (char)(0xE0 | (cp >> 12));
            buffer[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            buffer[2] = (char)(0x80 | (cp & 0x3F));
            size = 3;
        } else {
            buffer[0] = (char)(0xF0 | (cp >> 18));
            buffer[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            buffer[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            buffer[3] = (char)(0x80 | (cp & 0x3F));
            size = 4;
        }
    }
    if (*used + size > RW_MATCH_WORD_MAX)
        return false;
    memcpy(out + *used, piece, size);
    *used += size;
    return true;
}

/* ---- Words ------------------------------------------------------------------------ */

/* Spread the bits of key over all 64 bits (the tables use the low bits, the first-word
 * filter the high ones). */
static uint64_t mix(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return key;
}

/* ---- Chunks and hashes of folded words ---------------------------------------------
 * Words are folded, hashed and compared eight bytes at a time: a chunk is eight bytes
 * read as a number, the first byte lowest (the same on every machine), the bytes past
 * the end of a word zeroed. Every buffer holding a folded word of length bytes has room
 * to read up to the next multiple of eight (the buffers have RW_MATCH_WORD_MAX bytes or
 * keep that slack), so that a chunk is always read whole. */

/* The chunk of folded at offset, its bytes past length zeroed. */
static inline uint64_t folded_chunk(const char *folded, size_t offset, size_t length)
{
    uint64_t chunk = rw_chunk_load((const unsigned char *)folded + offset);
    size_t left = length - offset;
    return left >= 8 ? chunk : chunk & ((1ull << (8 * left)) - 1);
}

/* Add one chunk to a hash: one multiply, then the high half folded into the low one
 * (the tables use the low bits, the first-word filter bits 20 to 35). A folded word
 * holds no NUL, so its zero padding needs no length in the hash. */
static uint64_t hash_step(uint64_t hash, uint64_t chunk)
{
    hash = (hash ^ chunk) * HASH_MULTIPLIER;
    return hash ^ (hash >> 32);
}

/* The hash of the folded word folded[0, length). */
static uint64_t hash_folded(const char *folded, size_t length)
{
    uint64_t hash = HASH_SEED;
    for (size_t offset = 0; offset < length; offset += 8)
        hash = hash_step(hash, folded_chunk(folded, offset, length));
    return hash;
}

/* Are the folded words a and b, both length bytes, the same? */
static bool same_folded(const char *a, const char *b, size_t length)
{
    for (size_t offset = 0; offset < length; offset += 8)
        if (folded_chunk(a, offset, length) != folded_chunk(b, offset, length))
            return false;
    return true;
}

/* Folded form of each ASCII byte that is part of a word (letters and digits), 0 for
 * every other byte (bytes 0x80..0xFF included, so that any byte can index it). */
static const unsigned char ascii_fold[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f',
    ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l',
    ['M'] = 'm', ['N'] = 'n', ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r',
    ['S'] = 's', ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
    ['Y'] = 'y', ['Z'] = 'z',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f',
    ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l',
    ['m'] = 'm', ['n'] = 'n', ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r',
    ['s'] = 's', ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x',
    ['y'] = 'y', ['z'] = 'z',
};

/* What the letters of a word have shown so far (rw_match_next_word). */
enum {
    SEEN_LETTER = 1u << 0, /* a letter (or any non-ASCII word character) */
    SEEN_LOWER = 1u << 1   /* a lower-case letter */
};

/* What each ASCII letter shows (SEEN_*); 0 for digits and every other byte. */
static const unsigned char ascii_kind[128] = {
    ['A'] = SEEN_LETTER, ['B'] = SEEN_LETTER, ['C'] = SEEN_LETTER, ['D'] = SEEN_LETTER,
    ['E'] = SEEN_LETTER, ['F'] = SEEN_LETTER, ['G'] = SEEN_LETTER, ['H'] = SEEN_LETTER,
    ['I'] = SEEN_LETTER, ['J'] = SEEN_LETTER, ['K'] = SEEN_LETTER, ['L'] = SEEN_LETTER,
    ['M'] = SEEN_LETTER, ['N'] = SEEN_LETTER, ['O'] = SEEN_LETTER, ['P'] = SEEN_LETTER,
    ['Q'] = SEEN_LETTER, ['R'] = SEEN_LETTER, ['S'] = SEEN_LETTER, ['T'] = SEEN_LETTER,
    ['U'] = SEEN_LETTER, ['V'] = SEEN_LETTER, ['W'] = SEEN_LETTER, ['X'] = SEEN_LETTER,
    ['Y'] = SEEN_LETTER, ['Z'] = SEEN_LETTER,
    ['a'] = SEEN_LETTER | SEEN_LOWER, ['b'] = SEEN_LETTER | SEEN_LOWER,
    ['c'] = SEEN_LETTER | SEEN_LOWER, ['d'] = SEEN_LETTER | SEEN_LOWER,
    ['e'] = SEEN_LETTER | SEEN_LOWER, ['f'] = SEEN_LETTER | SEEN_LOWER,
    ['g'] = SEEN_LETTER | SEEN_LOWER, ['h'] = SEEN_LETTER | SEEN_LOWER,
    ['i'] = SEEN_LETTER | SEEN_LOWER, ['j'] = SEEN_LETTER | SEEN_LOWER,
    ['k'] = SEEN_LETTER | SEEN_LOWER, ['l'] = SEEN_LETTER | SEEN_LOWER,
    ['m'] = SEEN_LETTER | SEEN_LOWER, ['n'] = SEEN_LETTER | SEEN_LOWER,
    ['o'] = SEEN_LETTER | SEEN_LOWER, ['p'] = SEEN_LETTER | SEEN_LOWER,
    ['q'] = SEEN_LETTER | SEEN_LOWER, ['r'] = SEEN_LETTER | SEEN_LOWER,
    ['s'] = SEEN_LETTER | SEEN_LOWER, ['t'] = SEEN_LETTER | SEEN_LOWER,
    ['u'] = SEEN_LETTER | SEEN_LOWER, ['v'] = SEEN_LETTER | SEEN_LOWER,
    ['w'] = SEEN_LETTER | SEEN_LOWER, ['x'] = SEEN_LETTER | SEEN_LOWER,
    ['y'] = SEEN_LETTER | SEEN_LOWER, ['z'] = SEEN_LETTER | SEEN_LOWER,
};

/* The folded form of a word while it is cut. */
typedef struct {
    char *folded;   /* room for RW_MATCH_WORD_MAX bytes and a NUL */
    size_t used;    /* bytes of folded used */
    unsigned seen;  /* SEEN_ bits of its letters */
    unsigned letters;
    bool overflow;  /* longer than RW_MATCH_WORD_MAX bytes folded */
} folding_t;

/* Skip the gap from i to the next word character, noting in *after_break sentence
 * punctuation and line breaks. Returns the word's start (length when none); *cp is its
 * first character when that is not ASCII. */
static size_t skip_gap(const char *text, size_t length, size_t i, bool *after_break,
                       uint32_t *cp)
{
    while (i < length) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            if (ascii_fold[c])
                break;
            if (c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == '\n')
                *after_break = true;
            i++;
            continue;
        }
        size_t size = decode_utf8(text, length, i, cp);
        if (is_word_char(*cp))
            break;
        i += size;
    }
    return i;
}

/* Fold the run of ASCII letters and digits at i; returns the position after it (i when
 * there is none). The table gives each byte's folded form, 0 for any other byte; past
 * RW_MATCH_WORD_MAX bytes the word overflows. */
static size_t fold_ascii_run(const char *text, size_t length, size_t i, folding_t *word)
{
    size_t run_start = i;
    unsigned char kinds = 0;
    while (i < length) {
        unsigned char byte = (unsigned char)text[i];
        unsigned char lower = ascii_fold[byte];
        if (lower == 0)
            break;
        kinds |= ascii_kind[byte];
        if (word->used < RW_MATCH_WORD_MAX)
            word->folded[word->used++] = (char)lower;
        else
            word->overflow = true;
        i++;
    }
    if (i == run_start)
        return i;
    word->seen |= kinds;
    word->letters += (unsigned)(i - run_start);
    return i;
}

/* Fold one word character cp that is not ASCII. */
static void fold_other_char(uint32_t cp, folding_t *word)
{
    word->seen |= is_lower(cp) ? SEEN_LETTER | SEEN_LOWER : SEEN_LETTER;
    if (!word->overflow && !fold_char(cp, word->folded, &word->used))
        word->overflow = true;
    word->letters++;
}

/* Fold the characters of the word from i on; returns the position after it. */
static size_t fold_word(const char *text, size_t length, size_t i, folding_t *word)
{
    while (i < length) {
        if ((unsigned char)text[i] < 0x80) {
            size_t after = fold_ascii_run(text, length, i, word);
            if (after == i)
                break;
            i = after;
            continue;
        }
        uint32_t cp;
        size_t size = decode_utf8(text, length, i, &cp);
        if (!is_word_char(cp))
            break;
        fold_other_char(cp, word);
        i += size;
    }
    return i;
}

/* The class of each byte for the fast path (cut_ascii_word): a letter or digit, a gap
 * (a break when it is sentence punctuation or a line break), or 0 for the bytes
 * 0x80..0xFF, which only the general path reads. */
enum { CLASS_GAP = 1, CLASS_BREAK = 2 | CLASS_GAP, CLASS_WORD = 4 };
#define G CLASS_GAP
#define B CLASS_BREAK
#define W CLASS_WORD
static const unsigned char ascii_class[256] = {
    /* 00 */ G, G, G, G, G, G, G, G, G, G, B, G, G, G, G, G,
    /* 10 */ G, G, G, G, G, G, G, G, G, G, G, G, G, G, G, G,
    /* 20 */ G, B, G, G, G, G, G, G, G, G, G, G, G, G, B, G,
    /* 30 */ W, W, W, W, W, W, W, W, W, W, B, B, G, G, G, B,
    /* 40 */ G, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    /* 50 */ W, W, W, W, W, W, W, W, W, W, W, G, G, G, G, G,
    /* 60 */ G, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    /* 70 */ W, W, W, W, W, W, W, W, W, W, W, G, G, G, G, G,
};
#undef G
#undef B
#undef W

/* The eight bytes of text at bytes as a chunk, zeros past end (near the end of the
 * text, byte by byte). */
static uint64_t last_text_chunk(const unsigned char *bytes, const unsigned char *end)
{
    uint64_t chunk = 0;
    for (unsigned k = 0; bytes + k < end && k < 8; k++)
        chunk |= (uint64_t)bytes[k] << (8 * k);
    return chunk;
}

/* A word folded by the fast path (fold_short_ascii_word, fold_ascii_word). */
typedef struct {
    size_t size;           /* bytes of the word (and of its folded form) */
    uint64_t hash;
    bool all_capitals, digits;
    bool capital;          /* the first byte is a capital (fold_known_word only) */
    bool one_byte_gap;     /* one gap byte, then a letter or digit, follow the word */
    unsigned gap;          /* with one_byte_gap: the class of that byte (CLASS_GAP or
                              CLASS_BREAK) */
} ascii_word_t;

/* Fold the run of ASCII letters and digits at bytes (bytes < end, the end of the text)
 * to folded eight bytes at a time (whole chunks, zeros past the word: room for
 * RW_MATCH_WORD_MAX bytes). A letter or digit folds by setting its 0x20 bit; it is a
 * letter when its 0x40 bit is set, a lower-case one when its 0x20 bit is set too. Fills
 * word; false when the general path must cut the word (a byte 0x80..0xFF ends it, or it
 * is longer than RW_MATCH_WORD_MAX bytes). */
static inline bool fold_ascii_word(const unsigned char *bytes, const unsigned char *end,
                                   unsigned char *folded, ascii_word_t *word)
{
    uint64_t hash = HASH_SEED, letters = 0, lower = 0, chunk, alnum, stops;
    size_t size = 0;
    for (;;) { /* whole chunks of the word */
        chunk = end - bytes >= 8 ? rw_chunk_load(bytes) : last_text_chunk(bytes, end);
        alnum = rw_chunk_alnum_lanes(chunk);
        stops = alnum ^ RW_CHUNK_LANES; /* bytes that end the word */
        if (stops)
            break;
        if (size == RW_MATCH_WORD_MAX)
            return false;
        letters |= chunk;
        lower |= chunk & (chunk << 1);
        chunk |= RW_CHUNK_EACH(0x20);
        rw_chunk_store(folded + size, chunk);
        hash = hash_step(hash, chunk);
        size += 8;
        bytes += 8;
    }
    uint64_t stop = stops & (0 - stops); /* bit 7 of the first byte that ends the word */
    if (chunk & stop)
        return false; /* a byte 0x80..0xFF */
    uint64_t below = stop >> 7; /* 1 << 8 * its lane */
    unsigned lanes = (unsigned)rw_chunk_first_lane(stop);
    /* The fast path for the gap that follows most words: a space, then a word. */
    word->one_byte_gap = (alnum & (stop << 8)) && ((chunk >> (8 * lanes)) & 0xFF) == ' ';
    word->gap = CLASS_GAP;
    if (lanes > 0) { /* the last piece */
        if (size == RW_MATCH_WORD_MAX)
            return false;
        uint64_t keep = below - 1;
        chunk &= keep;
        letters |= chunk;
        lower |= chunk & (chunk << 1);
        chunk |= RW_CHUNK_EACH(0x20) & keep;
        rw_chunk_store(folded + size, chunk);
        hash = hash_step(hash, chunk);
        size += lanes;
    }
    letters &= RW_CHUNK_EACH(0x40);
    word->size = size;
    word->hash = hash;
    word->all_capitals = letters && !(lower & RW_CHUNK_EACH(0x40));
    word->digits = !letters;
    return true;
}

/* The lane (0..7) of the byte whose bit 7 is the one bit set in top. */
static inline unsigned lane_of(uint64_t top)
{
    return (unsigned)rw_chunk_first_lane(top);
}

/* fold_ascii_word for a word of at most 15 bytes followed by an ASCII byte, with at
 * least 17 bytes of text from bytes on: two chunks are read and folded whole, without
 * a branch on the word's length (words of 8 bytes and more are common, and a branch on
 * it is often mispredicted). The gap after the word is looked at too: when it is one
 * byte, the next word is known to start after it. false (nothing written but scratch
 * bytes of folded) when fold_ascii_word must cut the word. */
static inline bool fold_short_ascii_word(const unsigned char *bytes, unsigned char *folded,
                                         ascii_word_t *word)
{
    uint64_t chunk0 = rw_chunk_load(bytes), chunk1 = rw_chunk_load(bytes + 8);
    uint64_t stops0 = rw_chunk_alnum_lanes(chunk0) ^ RW_CHUNK_LANES;
    uint64_t stops1 = rw_chunk_alnum_lanes(chunk1) ^ RW_CHUNK_LANES;
    uint64_t stop0 = stops0 & (0 - stops0); /* 0 when the word fills chunk0 */
    uint64_t stop1 = stops1 & (0 - stops1);
    uint64_t in_first = 0 - (uint64_t)(stop0 != 0); /* all ones when it ends in chunk0 */
    uint64_t stop = stop0 | (stop1 & ~in_first);
    if (!stop || ((chunk0 & stop0) | (chunk1 & stop & ~in_first)))
        return false; /* 16 bytes or more, or a byte 0x80..0xFF ends it */
    uint64_t keep0 = (stop0 >> 7) - 1;                 /* all ones when stop0 is 0 */
    uint64_t keep1 = ((stop1 >> 7) - 1) & ~in_first;
    uint64_t word0 = chunk0 & keep0, word1 = chunk1 & keep1;
    uint64_t fold0 = word0 | (RW_CHUNK_EACH(0x20) & keep0);
    uint64_t fold1 = word1 | (RW_CHUNK_EACH(0x20) & keep1);
    size_t size = lane_of(stop) + (8 & ~(size_t)in_first);
    rw_chunk_store(folded, fold0);
    rw_chunk_store(folded + 8, fold1);
    uint64_t hash = hash_step(HASH_SEED, fold0);
    uint64_t longer = hash_step(hash, fold1);
    hash ^= (hash ^ longer) & (0 - (uint64_t)(size > 8));
    uint64_t letters = (word0 | word1) & RW_CHUNK_EACH(0x40);
    uint64_t lower = ((word0 & (word0 << 1)) | (word1 & (word1 << 1))) & RW_CHUNK_EACH(0x40);
    unsigned gap = ascii_class[bytes[size]];
    word->size = size;
    word->hash = hash;
    word->all_capitals = letters && !lower;
    word->digits = !letters;
    word->one_byte_gap = ascii_class[bytes[size + 1]] == CLASS_WORD;
    word->gap = gap;
    return true;
}

/* Skip the gap at at (the text ends at end) to the next word; returns where it stops
 * (end, a letter or digit, or a byte 0x80..0xFF) and adds to *gap the classes of the
 * bytes passed (CLASS_BREAK when one is a break). */
static inline const unsigned char *skip_ascii_gap(const unsigned char *at,
                                                  const unsigned char *end, unsigned *gap)
{
    unsigned kind;
    while (at < end && ((kind = ascii_class[*at]) & CLASS_GAP)) {
        *gap |= kind;
        at++;
    }
    return at;
}

/* Append the words of text from position on while the fast path can cut them (the gap
 * before the word and the word are ASCII, the word is at most RW_MATCH_WORD_MAX bytes)
 * and the list has room; returns the position where it stopped (after the last word
 * added). The list's fields are kept in locals: the folded forms are written through a
 * char pointer, which could alias them. */
static size_t split_ascii_words(const char *text, size_t length, size_t position,
                                rw_match_words_t *words)
{
    const unsigned char *bytes = (const unsigned char *)text, *end = bytes + length;
    const unsigned char *at = bytes + position;
    rw_match_token_t *first = words->items + words->count, *token = first;
    const rw_match_token_t *full = words->items + words->capacity;
    unsigned char *folded = (unsigned char *)words->folded;
    unsigned char *out = folded + words->folded_used;
    /* words_reserve: positive */
    const unsigned char *room = folded + words->folded_capacity - RW_MATCH_WORD_MAX;
    unsigned gap = position == 0 ? CLASS_BREAK : 0;
    bool at_word = false; /* at is known to be a word's first byte, after a one-byte gap */
    while (token < full && out < room) {
        if (!at_word) {
            at = skip_ascii_gap(at, end, &gap);
            if (at == end || ascii_class[*at] != CLASS_WORD)
                break;
        }
        ascii_word_t word;
        if (!(end - at > 16 && fold_short_ascii_word(at, out, &word)) &&
            !fold_ascii_word(at, end, out, &word))
            break;
        uint32_t start = (uint32_t)(at - bytes);
        token->start = start;
        token->end = start + (uint32_t)word.size;
        token->folded = (uint32_t)(out - folded);
        token->folded_length = (uint16_t)word.size;
        token->letters = (uint16_t)word.size;
        token->hash = word.hash;
        token->capital = (unsigned)(*at - 'A') < 26u;
        token->all_capitals = word.all_capitals;
        token->digits = word.digits;
        token->after_break = gap == CLASS_BREAK;
        token++;
        out += word.size;
        at += word.size + word.one_byte_gap;
        at_word = word.one_byte_gap;
        gap = word.one_byte_gap ? word.gap : 0;
    }
    words->count = (size_t)(token - words->items);
    words->folded_used = (size_t)(out - folded);
    return token > first ? token[-1].end : position;
}

/* ---- Cutting a long text a window at a time ----------------------------------------
 * split_ascii_words finds each word's end from the fold of the word itself, so that the
 * next word cannot be looked for before this one is folded: one long chain of
 * dependent steps per word. split_ascii_windows instead classifies 64 bytes of text at
 * a time (a window) into bit masks, bit k for byte k: the ASCII letters and digits, and
 * the bytes 0x80..0xFF. Words start and end where the first mask changes: the lowest
 * bit of the mask of changes, cleared one after the other, gives each word's start and
 * end in turn (a few instructions, whatever the word), so that the folds of several
 * words can run at once. It gives the same words as split_ascii_words. */

/* A window, and the bytes of text that must follow its start (a word that ends inside
 * it is read two chunks, or whole chunks, from its start). */
#define WINDOW_BYTES 64
#define WINDOW_SLACK (WINDOW_BYTES + 16)

/* The index of the lowest bit set in bits (not 0): the lowest bit times a de Bruijn
 * sequence has a distinct top six bits for each index. */
static inline unsigned lowest_bit(uint64_t bits)
{
    static const unsigned char index[64] = {
        0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,
        62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
        63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
        46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6,
    };
    return index[((bits & (0 - bits)) * 0x03f79d71b4cb0a89ull) >> 58];
}

/* The bit 7 of each byte of lanes (the others clear) gathered into bits 0..7: each
 * moves to bit 56 + its lane by one multiply (no two products meet), then down. */
static inline uint64_t lane_bits(uint64_t lanes)
{
    return ((lanes >> 7) * 0x0102040810204080ull) >> 56;
}

/* The masks of the window at bytes (WINDOW_BYTES of text): returns the bits of its
 * ASCII letters and digits and sets *high to the bits of its bytes 0x80..0xFF. */
static inline uint64_t window_masks(const unsigned char *bytes, uint64_t *high)
{
    uint64_t letters = 0, any = 0;
    for (unsigned k = 0; k < WINDOW_BYTES / 8; k++) {
        uint64_t chunk = rw_chunk_load(bytes + 8 * k);
        letters |= lane_bits(rw_chunk_alnum_lanes(chunk)) << (8 * k);
        any |= chunk;
    }
    uint64_t tops = 0;
    if (any & RW_CHUNK_LANES)
        for (unsigned k = 0; k < WINDOW_BYTES / 8; k++)
            tops |= lane_bits(rw_chunk_load(bytes + 8 * k) & RW_CHUNK_LANES) << (8 * k);
    *high = tops;
    return letters;
}

/* The classes of the bytes of the gap [from, to) together (ASCII bytes that are no
 * letters or digits, at least one): CLASS_BREAK when one is sentence punctuation or a
 * line break, else CLASS_GAP. */
static inline unsigned gap_class(const unsigned char *from, const unsigned char *to)
{
    unsigned kinds = ascii_class[from[0]] | ascii_class[to[-1]];
    for (const unsigned char *at = from + 1; at < to - 1; at++)
        kinds |= ascii_class[*at];
    return kinds;
}

/* Sixteen bytes 0xFF, then sixteen zeros: the chunk at 16 - n keeps the first n bytes
 * of a chunk (n 0..16), the chunk at 24 - n the first n - 8 bytes of the next one. */
static const unsigned char keep_bytes[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

/* Fold the ASCII word of size bytes (1..63) at bytes to folded, whole chunks (zeros past
 * the word), and fill word's hash, all_capitals and digits as fold_ascii_word does, and
 * capital. The text goes on at least 16 bytes past bytes and to the chunk that holds
 * its end. */
static inline void fold_known_word(const unsigned char *bytes, size_t size,
                                   unsigned char *folded, ascii_word_t *word)
{
    uint64_t hash, seen, lower, first;
    if (size <= 16) { /* two chunks, without a branch on the size */
        uint64_t keep0 = rw_chunk_load(keep_bytes + 16 - size);
        uint64_t keep1 = rw_chunk_load(keep_bytes + 24 - size);
        uint64_t word0 = rw_chunk_load(bytes) & keep0, word1 = rw_chunk_load(bytes + 8) & keep1;
        first = word0;
        uint64_t fold0 = word0 | (RW_CHUNK_EACH(0x20) & keep0);
        uint64_t fold1 = word1 | (RW_CHUNK_EACH(0x20) & keep1);
        rw_chunk_store(folded, fold0);
        rw_chunk_store(folded + 8, fold1);
        hash = hash_step(HASH_SEED, fold0);
        uint64_t longer = hash_step(hash, fold1);
        hash ^= (hash ^ longer) & (0 - (keep1 & 1)); /* two chunks when size > 8 */
        seen = word0 | word1;
        lower = (word0 & (word0 << 1)) | (word1 & (word1 << 1));
    } else {
        first = rw_chunk_load(bytes);
        hash = HASH_SEED;
        seen = 0;
        lower = 0;
        for (size_t offset = 0; offset < size; offset += 8) {
            size_t left = size - offset;
            uint64_t keep = left >= 8 ? ~0ull : rw_chunk_load(keep_bytes + 16 - left);
            uint64_t chunk = rw_chunk_load(bytes + offset) & keep;
            seen |= chunk;
            lower |= chunk & (chunk << 1);
            chunk |= RW_CHUNK_EACH(0x20) & keep;
            rw_chunk_store(folded + offset, chunk);
            hash = hash_step(hash, chunk);
        }
    }
    seen &= RW_CHUNK_EACH(0x40);
    word->size = size;
    word->hash = hash;
    word->all_capitals = (seen != 0) & ((lower & RW_CHUNK_EACH(0x40)) == 0);
    word->digits = !seen;
    word->capital = (first & 0x60) == 0x40; /* a letter or digit: 'A'..'Z' */
}

/* Room in a list for the words of one window: at most one word in two bytes, and folded
 * forms of fewer than WINDOW_BYTES bytes, each written in whole chunks. */
#define WINDOW_WORDS (WINDOW_BYTES / 2)

/* split_ascii_words for the text from position on a window at a time, while
 * WINDOW_SLACK bytes are left (split_ascii_words cuts the rest) and the list has room
 * for a window's words. Stops before a word that a byte 0x80..0xFF ends or precedes,
 * before a word of a window's length or more, and at once when a word starts the text
 * (its gap would be empty); returns the end of the last word added (position when
 * none). A window always starts at a word's first byte or in a gap. */
static size_t split_ascii_windows(const char *text, size_t length, size_t position,
                                  rw_match_words_t *words)
{
    const unsigned char *bytes = (const unsigned char *)text, *end = bytes + length;
    const unsigned char *at = bytes + position;
    rw_match_token_t *token = words->items + words->count;
    const rw_match_token_t *full = words->items + words->capacity;
    unsigned char *folded = (unsigned char *)words->folded;
    unsigned char *out = folded + words->folded_used;
    /* words_reserve: positive */
    const unsigned char *room = folded + words->folded_capacity - RW_MATCH_WORD_MAX;
    if (position == 0 && length > 0 && ascii_class[*at] == CLASS_WORD)
        return position; /* no gap before the first word (see rw_match_words_split) */
    rw_match_token_t *first_token = token;
    uint32_t gap_from = (uint32_t)position; /* where the gap before the next word starts */
    while (end - at >= WINDOW_SLACK && full - token >= WINDOW_WORDS &&
           room - out >= WINDOW_BYTES) {
        uint64_t high, letters = window_masks(at, &high);
        /* Where words start and end, in turn, before the first byte 0x80..0xFF: a start
         * without an end is a word that goes on past the window or that byte. */
        uint64_t edges = (letters ^ (letters << 1)) & ((high & (0 - high)) - 1);
        uint32_t base = (uint32_t)(at - bytes);
        while (edges & (edges - 1)) {
            unsigned first = lowest_bit(edges);
            edges &= edges - 1;
            unsigned after = lowest_bit(edges);
            edges &= edges - 1;
            const unsigned char *start = at + first;
            ascii_word_t word;
            fold_known_word(start, after - first, out, &word);
            *token = (rw_match_token_t){
                .start = base + first,
                .end = base + after,
                .folded = (uint32_t)(out - folded),
                .folded_length = (uint16_t)word.size,
                .letters = (uint16_t)word.size,
                .hash = word.hash,
                .capital = word.capital,
                .all_capitals = word.all_capitals,
                .digits = word.digits,
                .after_break = gap_class(bytes + gap_from, start) == CLASS_BREAK,
            };
            token++;
            out += word.size;
            gap_from = base + after;
        }
        if (high || (edges & 1))
            break; /* a byte 0x80..0xFF, or a word longer than the window */
        at += edges ? lowest_bit(edges) : WINDOW_BYTES;
    }
    if (position == 0 && token > first_token)
        first_token->after_break = true; /* the first word of the text */
    words->count = (size_t)(token - words->items);
    words->folded_used = (size_t)(out - folded);
    return gap_from;
}

/* rw_match_next_word by the general path, writing the folded form to folded (room for
 * RW_MATCH_WORD_MAX bytes and a NUL) rather than to word->folded. */
static bool cut_any_word(const char *text, size_t length, size_t *position, rw_word_t *word,
                         char *folded)
{
    bool after_break = *position == 0;
    uint32_t cp = 0;
    size_t i = skip_gap(text, length, *position, &after_break, &cp);
    if (i >= length) {
        *position = length;
        return false;
    }
    word->start = i;
    word->after_break = after_break;
    unsigned char first = (unsigned char)text[i];
    bool capital = first < 0x80 ? (first >= 'A' && first <= 'Z') : is_upper(cp);
    folding_t folding = {folded, 0, 0, 0, false};
    i = fold_word(text, length, i, &folding);
    size_t used = folding.overflow ? 0 : folding.used;
    folded[used] = '\0';
    word->end = i;
    word->letters = folding.letters;
    word->capital = capital;
    word->all_capitals = folding.seen == SEEN_LETTER;
    word->digits = folding.seen == 0;
    word->folded_length = used;
    word->hash = hash_folded(folded, used);
    *position = i;
    return true;
}

/* rw_match_next_word, writing the folded form to folded (room for RW_MATCH_WORD_MAX
 * bytes and a NUL) rather than to word->folded: the fast path (a list of one word),
 * else the general one. */
static bool cut_word(const char *text, size_t length, size_t *position, rw_word_t *word,
                     char *folded)
{
    rw_match_token_t token;
    rw_match_words_t one = {&token, 0, 1, folded, 0, RW_MATCH_WORD_MAX + 1};
    size_t after = split_ascii_words(text, length, *position, &one);
    if (one.count == 0)
        return cut_any_word(text, length, position, word, folded);
    folded[token.folded_length] = '\0';
    word->start = token.start;
    word->end = token.end;
    word->letters = token.letters;
    word->capital = token.capital;
    word->all_capitals = token.all_capitals;
    word->digits = token.digits;
    word->after_break = token.after_break;
    word->folded_length = token.folded_length;
    word->hash = token.hash;
    *position = after;
    return true;
}

bool rw_match_next_word(const char *text, size_t length, size_t *position, rw_word_t *word)
{
    return cut_word(text, length, position, word, word->folded);
}

size_t rw_match_fold(const char *text, size_t length, char *out, size_t size)
{
    size_t position = 0, used = 0;
    rw_word_t word;
    if (size == 0)
        return 0;
    while (rw_match_next_word(text, length, &position, &word)) {
        size_t need = word.folded_length + (used ? 1 : 0);
        if (used + need + 1 > size)
            break;
        if (used)
            out[used++] = ' ';
        memcpy(out + used, word.folded, word.folded_length);
        used += word.folded_length;
    }
    out[used] = '\0';
    return used;
}

/* May two words of one phrase be separated by text[from, to)? Spaces, one line break,
 * hyphens and apostrophes may; so may the dot after a one-letter word ("U.S."). */
static bool soft_gap(const char *text, size_t from, size_t to, unsigned letters_before)
{
    if (to == from + 1 && text[from] == ' ')
        return true; /* the common case */
    unsigned breaks = 0;
    for (size_t i = from; i < to;) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            if (c == '\n') {
                if (++breaks > 1)
                    return false;
            } else if (c == '.') {
                if (i != from || letters_before > 2)
                    return false;
            } else if (c != ' ' && c != '\t' && c != '\r' && c != '-' && c != '\'') {
                return false;
            }
            i++;
            continue;
        }
        uint32_t cp;
        i += decode_utf8(text, to, i, &cp);
        if (cp != 0xA0 && cp != 0x2019 && cp != 0x2018 && cp != 0x2010 && cp != 0x2011 &&
            cp != 0x202F && cp != 0x2009)
            return false;
    }
    return true;
}

/* ---- Tables ----------------------------------------------------------------------- */

/* The slot of a folded word, or NULL (see vocab_find). A word of at most eight bytes is one chunk, and
 * the hash of one chunk is a one-to-one function of it (an exclusive or, a multiply by
 * an odd number, then an exclusive or of the high half into the low one: each step can
 * be undone), so two such words of the same length are the same when their hashes are:
 * only longer words are compared byte by byte. An empty slot never matches: no word of
 * the table is empty, and an empty word (one too long to fold) has hash HASH_SEED. */
static const vocab_slot_t *vocab_search(const rw_match_t *self, const char *folded,
                                        size_t length, uint64_t hash)
{
    size_t mask = self->vocab_capacity - 1; /* rw_match_new made the table */
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        const vocab_slot_t *slot = &self->vocab[i];
        if (slot->hash == hash && slot->length == length &&
            (length <= 8 || same_folded(self->words + slot->offset, folded, length)))
            return slot;
        if (slot->id < 0)
            return NULL;
    }
}

/* vocab_search, with its most common answers (the first slot holds the word and it is
 * short, or it is empty) inline. */
static inline const vocab_slot_t *vocab_find(const rw_match_t *self, const char *folded,
                                             size_t length, uint64_t hash)
{
    const vocab_slot_t *slot = &self->vocab[(size_t)hash & (self->vocab_capacity - 1)];
    if (slot->hash == hash && slot->length == length && length <= 8)
        return slot;
    if (slot->id < 0)
        return NULL;
    return vocab_search(self, folded, length, hash);
}

/* The id of a folded word, or -1. */
static int vocab_id(const rw_match_t *self, const char *folded, size_t length, uint64_t hash)
{
    const vocab_slot_t *slot = vocab_find(self, folded, length, hash);
    return slot ? slot->id : -1;
}

static int vocab_grow(rw_match_t *self)
{
    size_t capacity = self->vocab_capacity ? self->vocab_capacity * 2 : 256;
    vocab_slot_t *slots = malloc(capacity * sizeof *slots);
    if (!slots)
        return -ENOMEM;
    for (size_t i = 0; i < capacity; i++)
        slots[i] = (vocab_slot_t){0, 0, 0, -1, -1, -1};
    for (size_t i = 0; i < self->vocab_capacity; i++) {
        if (self->vocab[i].id < 0)
            continue;
        size_t j = (size_t)self->vocab[i].hash & (capacity - 1);
        while (slots[j].id >= 0)
            j = (j + 1) & (capacity - 1);
        slots[j] = self->vocab[i];
    }
    free(self->vocab);
    self->vocab = slots;
    self->vocab_capacity = capacity;
    return 0;
}

/* The id of a folded word, added when new; negative errno on failure. */
static int vocab_intern(rw_match_t *self, const char *folded, size_t length, uint64_t hash)
{
    int id = vocab_id(self, folded, length, hash);
    if (id >= 0)
        return id;
    if ((self->vocab_count + 1) * 2 > self->vocab_capacity && vocab_grow(self) < 0)
        return -ENOMEM;
    /* room for the word, its NUL and whole chunks (see same_folded) */
    size_t need = self->words_length + length + 8;
    if (need > self->words_capacity) {
        size_t capacity = self->words_capacity ? self->words_capacity * 2 : 4096;
        while (capacity < need)
            capacity *= 2;
        char *words = realloc(self->words, capacity);
        if (!words)
            return -ENOMEM;
        self->words = words;
        self->words_capacity = capacity;
    }
    memcpy(self->words + self->words_length, folded, length);
    self->words[self->words_length + length] = '\0';
    size_t mask = self->vocab_capacity - 1;
    size_t i = (size_t)hash & mask;
    while (self->vocab[i].id >= 0)
        i = (i + 1) & mask;
    self->vocab[i].hash = hash;
    self->vocab[i].offset = (uint32_t)self->words_length;
    self->vocab[i].length = (uint32_t)length;
    self->vocab[i].first_node = -1;
    self->vocab[i].first_entry = -1;
    self->vocab[i].id = (int)self->vocab_count++;
    self->words_length += length + 1;
    return self->vocab[i].id;
}

/* The trie node a phrase's first word (its vocabulary slot, or NULL) leads to from the
 * root (edge_find(self, 0, id) without the table lookup), or -1. */
static inline int first_node(const vocab_slot_t *slot)
{
    return slot ? slot->first_node : -1;
}

/* The child of node along word id, or -1. */
static int edge_find(const rw_match_t *self, int node, int id)
{
    if (self->edge_capacity == 0)
        return -1;
    uint64_t key = ((uint64_t)(uint32_t)node << 32) | (uint32_t)id;
    size_t mask = self->edge_capacity - 1;
    for (size_t i = (size_t)mix(key) & mask;; i = (i + 1) & mask) {
        const edge_slot_t *slot = &self->edges[i];
        if (slot->child < 0)
            return -1;
        if (slot->key == key)
            return slot->child;
    }
}

static int edge_grow(rw_match_t *self)
{
    size_t capacity = self->edge_capacity ? self->edge_capacity * 2 : 256;
    edge_slot_t *slots = malloc(capacity * sizeof *slots);
    if (!slots)
        return -ENOMEM;
    for (size_t i = 0; i < capacity; i++)
        slots[i].child = -1;
    for (size_t i = 0; i < self->edge_capacity; i++) {
        if (self->edges[i].child < 0)
            continue;
        size_t j = (size_t)mix(self->edges[i].key) & (capacity - 1);
        while (slots[j].child >= 0)
            j = (j + 1) & (capacity - 1);
        slots[j] = self->edges[i];
    }
    free(self->edges);
    self->edges = slots;
    self->edge_capacity = capacity;
    return 0;
}

static int node_new(rw_match_t *self)
{
    if (self->node_count == self->node_capacity) {
        size_t capacity = self->node_capacity ? self->node_capacity * 2 : 256;
        node_t *nodes = realloc(self->nodes, capacity * sizeof *nodes);
        if (!nodes)
            return -ENOMEM;
        self->nodes = nodes;
        self->node_capacity = capacity;
    }
    self->nodes[self->node_count].first_entry = -1;
    self->nodes[self->node_count].plain_groups = 0;
    self->nodes[self->node_count].has_children = false;
    self->nodes[self->node_count].has_checked = false;
    return (int)self->node_count++;
}

/* The child of node along word id, made when missing; negative errno on failure. */
static int edge_follow(rw_match_t *self, int node, int id)
{
    int child = edge_find(self, node, id);
    if (child >= 0)
        return child;
    if ((self->edge_count + 1) * 2 > self->edge_capacity && edge_grow(self) < 0)
        return -ENOMEM;
    child = node_new(self);
    if (child < 0)
        return child;
    uint64_t key = ((uint64_t)(uint32_t)node << 32) | (uint32_t)id;
    size_t mask = self->edge_capacity - 1;
    size_t i = (size_t)mix(key) & mask;
    while (self->edges[i].child >= 0)
        i = (i + 1) & mask;
    self->edges[i].key = key;
    self->edges[i].child = child;
    self->edge_count++;
    self->nodes[node].has_children = true;
    return child;
}

/* ---- Building --------------------------------------------------------------------- */

/* The bit of the filters for the edge from node along the word with this hash: the
 * high bits of the hash, which the multiply of hash_step mixes best, moved by the node
 * (the root, node 0, leaves them as they are). */
static inline uint32_t filter_bit(uint64_t hash, int node)
{
    return (uint32_t)((hash + (uint64_t)(uint32_t)node * HASH_MULTIPLIER) >> 48);
}

/* The bit of the filter of first pairs for a word with hash first followed by a word
 * with hash second: the high bits of one and middle bits of the other. */
static inline uint32_t pair_bit(uint64_t first, uint64_t second)
{
    return (uint32_t)(((first >> 48) ^ (second >> 16)) & (FILTER_BITS - 1));
}

static void filter_add(uint64_t *filter, uint32_t bit)
{
    filter[bit / 64] |= 1ull << (bit % 64);
}

/* Is bit set in filter? */
static inline bool filter_has(const uint64_t *filter, uint32_t bit)
{
    return (filter[bit / 64] >> (bit % 64)) & 1;
}

rw_match_t *rw_match_new(void)
{
    rw_match_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (node_new(self) < 0 || vocab_grow(self) < 0) { /* node 0: the root */
        free(self->nodes);
        free(self);
        return NULL;
    }
    return self;
}

void rw_match_destroy(rw_match_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_match_t *self = *self_p;
    free(self->words);
    free(self->vocab);
    free(self->edges);
    free(self->nodes);
    free(self->entries);
    free(self);
    *self_p = NULL;
}

int rw_match_add(rw_match_t *self, const char *phrase, size_t length, int value,
                 unsigned group, unsigned flags)
{
    if (group > 31)
        return -EINVAL;
    size_t position = 0;
    rw_word_t word;
    int node = 0;
    unsigned count = 0;
    uint32_t needs_capital = 0, needs_all_capitals = 0, lower = 0;
    uint64_t first_hash = 0;
    size_t first_slot = 0; /* the first word's slot (until a later word grows the table) */
    while (rw_match_next_word(phrase, length, &position, &word)) {
        if (count >= RW_MATCH_PHRASE_MAX || word.folded_length == 0)
            return -EINVAL;
        if (count > 0)
            self->complex = true; /* a phrase of several words */
        int id = vocab_intern(self, word.folded, word.folded_length, word.hash);
        if (id < 0)
            return id;
        filter_add(count == 0 ? self->first_words : self->next_words,
                   filter_bit(word.hash, node));
        if (count == 0)
            first_hash = word.hash;
        else if (count == 1)
            filter_add(self->first_pairs, pair_bit(first_hash, word.hash));
        node = edge_follow(self, node, id);
        if (node < 0)
            return node;
        if (count == 0) { /* the word is in the table: vocab_intern put it there */
            const vocab_slot_t *slot = vocab_find(self, word.folded, word.folded_length,
                                                  word.hash);
            first_slot = (size_t)(slot - self->vocab);
            self->vocab[first_slot].first_node = node;
        }
        if (!word.capital)
            lower |= 1u << count;
        if (!(flags & RW_MATCH_IGNORE_CASE)) {
            if (word.all_capitals && word.letters >= 2)
                needs_all_capitals |= 1u << count;
            else if (word.capital)
                needs_capital |= 1u << count;
        }
        count++;
    }
    if (count == 0)
        return -EINVAL;
    if (count == 1)
        filter_add(self->single_words, filter_bit(first_hash, 0));
    if (needs_capital || needs_all_capitals || (flags & (RW_MATCH_NAME | RW_MATCH_NAME_CASE)))
        self->complex = true;
    if (self->entry_count == self->entry_capacity) {
        size_t capacity = self->entry_capacity ? self->entry_capacity * 2 : 256;
        entry_t *entries = realloc(self->entries, capacity * sizeof *entries);
        if (!entries)
            return -ENOMEM;
        self->entries = entries;
        self->entry_capacity = capacity;
    }
    entry_t *entry = &self->entries[self->entry_count];
    entry->value = value;
    entry->group_bit = 1u << group;
    entry->flags = flags;
    entry->needs_capital = needs_capital;
    entry->needs_all_capitals = needs_all_capitals;
    entry->lower = lower;
    /* Keep entries of a node in the order they were added. */
    entry->next = -1;
    int *link = &self->nodes[node].first_entry;
    while (*link >= 0)
        link = &self->entries[*link].next;
    *link = (int)self->entry_count++;
    entry->plain = !needs_capital && !needs_all_capitals &&
                   !(flags & (RW_MATCH_NAME | RW_MATCH_NAME_CASE));
    if (count == 1) /* no other word was added to the table since first_slot */
        self->vocab[first_slot].first_entry = self->nodes[node].first_entry;
    if (entry->plain)
        self->nodes[node].plain_groups |= entry->group_bit;
    else
        self->nodes[node].has_checked = true;
    return 0;
}

/* ---- Scanning --------------------------------------------------------------------- */

/* What a match needs to know about each of its words. */
typedef struct {
    size_t start, end;
    bool capital, all_capitals, after_break;
} seen_t;

/* Where the words of a scan come from: cut from the text as they are read, or taken
 * from a list cut beforehand (rw_match_words_split). A position is a byte offset in
 * the text in the first case and an index into the list in the second. When the list
 * was cut from a larger text of which text is a piece, only its words [first, last)
 * are read, their offsets made relative to the piece (minus base), and the first word
 * of the piece follows a break, as it would in the piece cut alone. A word of the
 * larger text that runs past the end of the piece is replaced by tail, the piece's own
 * cut of it, at index last - 1. */
typedef struct {
    const char *text;
    size_t length;
    const rw_match_words_t *words; /* NULL: cut the words from text */
    size_t first, last;            /* with words: the words of the piece */
    size_t base;                   /* with words: where the piece starts in the list's text */
    const rw_word_t *tail;         /* with words: the last word, cut short, or NULL */
} source_t;

/* One word as the scan sees it; folded points into scratch or into the list. */
typedef struct {
    size_t start, end;
    const char *folded;
    size_t folded_length;
    uint64_t hash;
    unsigned letters;
    bool capital, all_capitals, after_break;
} view_t;

/* Note in seen what a match needs of the word. */
static void note_seen(seen_t *seen, const view_t *word)
{
    seen->start = word->start;
    seen->end = word->end;
    seen->capital = word->capital;
    seen->all_capitals = word->all_capitals;
    seen->after_break = word->after_break;
}

/* Make view show word. */
static void view_word(const rw_word_t *word, view_t *view)
{
    view->start = word->start;
    view->end = word->end;
    view->folded = word->folded;
    view->folded_length = word->folded_length;
    view->hash = word->hash;
    view->letters = word->letters;
    view->capital = word->capital;
    view->all_capitals = word->all_capitals;
    view->after_break = word->after_break;
}

/* The word at index of a list source as the scan sees it. */
static inline void list_view(const source_t *source, size_t index, view_t *view)
{
    if (source->tail && index == source->last - 1) {
        view_word(source->tail, view);
        view->after_break = view->after_break || index == source->first;
        return;
    }
    const rw_match_token_t *token = &source->words->items[index];
    view->start = token->start - source->base;
    view->end = token->end - source->base;
    view->folded = source->words->folded + token->folded;
    view->folded_length = token->folded_length;
    view->hash = token->hash;
    view->letters = token->letters;
    view->capital = token->capital;
    view->all_capitals = token->all_capitals;
    view->after_break = index == source->first || token->after_break;
}

/* Read the word at *position of source into view and move *position past it; false
 * at the end. scratch holds a word cut from the text. */
static bool read_word(const source_t *source, size_t *position, rw_word_t *scratch,
                      view_t *view)
{
    if (source->words) {
        if (*position >= source->last)
            return false;
        list_view(source, (*position)++, view);
        return true;
    }
    if (!rw_match_next_word(source->text, source->length, position, scratch))
        return false;
    view_word(scratch, view);
    return true;
}

/* Does the entry accept the words seen (its capitals, its group, names)? after is the
 * source position just past the last word seen. */
static bool entry_accepts(const entry_t *entry, const seen_t *seen, unsigned count,
                          uint32_t groups, const source_t *source, size_t after,
                          const seen_t *before)
{
    if (!(entry->group_bit & groups))
        return false;
    if (entry->plain)
        return true;
    for (unsigned i = 0; i < count; i++) {
        if ((entry->needs_capital & (1u << i)) && !seen[i].capital)
            return false;
        if ((entry->needs_all_capitals & (1u << i)) && !seen[i].all_capitals)
            return false;
    }
    bool name_test = (entry->flags & RW_MATCH_NAME) != 0;
    if (entry->flags & RW_MATCH_NAME_CASE)
        for (unsigned i = 0; i < count; i++)
            if ((entry->lower & (1u << i)) && seen[i].capital && !seen[i].all_capitals &&
                (i > 0 || !seen[i].after_break))
                name_test = true;
    if (name_test) {
        /* "Michael Jordan", "Jordan Peterson": a capitalised word right before (that is
         * not the first of a sentence) or right after makes it a person's name. */
        const char *text = source->text;
        if (before && before->capital && !before->after_break &&
            seen[0].start == before->end + 1 && text[before->end] == ' ')
            return false;
        size_t end = seen[count - 1].end;
        rw_word_t scratch;
        view_t next;
        if (end < source->length && text[end] == ' ' &&
            read_word(source, &after, &scratch, &next) && next.start == end + 1 &&
            next.capital)
            return false;
    }
    return true;
}

/* The first-word filter: may a word with this hash begin a phrase? */
static inline bool may_begin_phrase(const rw_match_t *self, uint64_t hash)
{
    return filter_has(self->first_words, filter_bit(hash, 0));
}

/* The longest phrase of the trie that the text follows from a first word. */
typedef struct {
    int node;        /* its node, -1 when no entry accepts */
    unsigned count;  /* its number of words */
    size_t position; /* the source position just past its last word */
} phrase_t;

/* The trie node of the phrases that may begin with word, or -1. */
static int first_word_node(const rw_match_t *self, const view_t *word)
{
    if (!may_begin_phrase(self, word->hash))
        return -1;
    return first_node(vocab_find(self, word->folded, word->folded_length, word->hash));
}

/* Does one entry of node accept the count words seen? Plain entries answer from the
 * node's group bits; only the others are tried one by one. */
static inline bool node_accepts(const rw_match_t *self, int node, const seen_t *seen,
                                unsigned count, uint32_t groups, const source_t *source,
                                size_t after, const seen_t *before)
{
    const node_t *here = &self->nodes[node];
    if (here->plain_groups & groups)
        return true;
    if (!here->has_checked)
        return false;
    for (int e = here->first_entry; e >= 0; e = self->entries[e].next)
        if (entry_accepts(&self->entries[e], seen, count, groups, source, after, before))
            return true;
    return false;
}

/* Walk the trie from node (the first word, seen[0], which ends at position and has
 * letters letters) as far as the text follows it; the longest node where an entry
 * accepts is the phrase. Fills seen with the words walked. */
static phrase_t longest_phrase(const rw_match_t *self, const source_t *source,
                               uint32_t groups, int node, size_t position, unsigned letters,
                               seen_t *seen, const seen_t *before, rw_word_t *scratch)
{
    phrase_t best = {-1, 0, position};
    unsigned count = 1;
    size_t walk = position;
    for (;;) {
        if (node_accepts(self, node, seen, count, groups, source, walk, before)) {
            best.node = node;
            best.count = count;
            best.position = walk;
        }
        if (!self->nodes[node].has_children || count >= RW_MATCH_PHRASE_MAX)
            break;
        view_t next;
        size_t after = walk;
        if (!read_word(source, &after, scratch, &next))
            break;
        if (!soft_gap(source->text, seen[count - 1].end, next.start, letters))
            break;
        const vocab_slot_t *slot = vocab_find(self, next.folded, next.folded_length, next.hash);
        int child = slot ? edge_find(self, node, slot->id) : -1;
        if (child < 0)
            break;
        note_seen(&seen[count], &next);
        count++;
        node = child;
        walk = after;
        letters = next.letters;
    }
    return best;
}

/* Call fn for each entry of the phrase's node that accepts its words; false when fn
 * asks to stop. */
static bool report_phrase(const rw_match_t *self, const source_t *source, uint32_t groups,
                          const phrase_t *phrase, const seen_t *seen, const seen_t *before,
                          rw_match_fn fn, void *context)
{
    for (int e = self->nodes[phrase->node].first_entry; e >= 0; e = self->entries[e].next) {
        const entry_t *entry = &self->entries[e];
        if (entry_accepts(entry, seen, phrase->count, groups, source, phrase->position,
                          before) &&
            !fn(context, seen[0].start, seen[phrase->count - 1].end, entry->value))
            return false;
    }
    return true;
}

/* The scan itself, over words from source, read one by one (see rw_match_scan). */
static size_t scan(const rw_match_t *self, const source_t *source, uint32_t groups,
                   rw_match_fn fn, void *context)
{
    size_t position = source->first, words = 0;
    rw_word_t scratch;
    view_t word;
    seen_t seen[RW_MATCH_PHRASE_MAX];
    seen_t before;
    bool have_before = false;

    while (read_word(source, &position, &scratch, &word)) {
        words++;
        seen_t current = {word.start, word.end, word.capital, word.all_capitals,
                          word.after_break};
        int node = first_word_node(self, &word);
        phrase_t phrase = {-1, 0, position};
        if (node >= 0) {
            seen[0] = current;
            phrase = longest_phrase(self, source, groups, node, position, word.letters, seen,
                                    have_before ? &before : NULL, &scratch);
        }
        if (phrase.node < 0) {
            before = current;
            have_before = true;
            continue;
        }
        if (!report_phrase(self, source, groups, &phrase, seen, have_before ? &before : NULL,
                           fn, context))
            return words;
        words += phrase.count - 1;
        position = phrase.position;
        before = seen[phrase.count - 1];
        have_before = true;
    }
    return words;
}

size_t rw_match_scan(const rw_match_t *self, const char *text, size_t length,
                     uint32_t groups, rw_match_fn fn, void *context)
{
    source_t source = {text, length, NULL, 0, 0, 0, NULL};
    return scan(self, &source, groups, fn, context);
}

/* ---- Scanning a word list ------------------------------------------------------------
 * The scans of a list give the same calls of fn and the same result as scan, faster:
 * most words begin no phrase, and a tight loop without branches passes over a block of
 * them with one bit test each (filter_candidates), noting the others, which are then
 * read from the list in place. The word before a word is always the one before it in
 * the list. */

/* The bit of the first-word filter for a word with this hash, as bit 0. */
static inline uint64_t first_word_bit(const uint64_t *filter, uint64_t hash)
{
    uint32_t bit = filter_bit(hash, 0);
    return filter[bit / 64] >> (bit % 64);
}

/* The word at index of a list source as a match sees it. */
static inline void list_seen(const source_t *source, size_t index, seen_t *seen)
{
    view_t view;
    list_view(source, index, &view);
    seen->start = view.start;
    seen->end = view.end;
    seen->capital = view.capital;
    seen->all_capitals = view.all_capitals;
    seen->after_break = view.after_break;
}

/* The word before the word at index of a list source (NULL at the first word of the
 * source), filled into before when needed. */
static const seen_t *list_before(const source_t *source, size_t index, seen_t *before)
{
    if (index == source->first)
        return NULL;
    list_seen(source, index - 1, before);
    return before;
}

/* The hash of the word at index of a list source. */
static inline uint64_t list_hash(const source_t *source, size_t index)
{
    if (source->tail && index == source->last - 1)
        return source->tail->hash;
    return source->words->items[index].hash;
}

/* The child of node along the word at index of a list source (which comes right after
 * the word ended at end, with letters letters: see soft_gap), or -1. Fills word. */
static inline int list_child(const rw_match_t *self, const source_t *source, int node,
                             size_t index, size_t end, unsigned letters, view_t *word)
{
    if (!filter_has(self->next_words, filter_bit(list_hash(source, index), node)))
        return -1;
    list_view(source, index, word);
    const vocab_slot_t *slot = vocab_find(self, word->folded, word->folded_length, word->hash);
    if (!slot || !soft_gap(source->text, end, word->start, letters))
        return -1;
    return edge_find(self, node, slot->id);
}

/* The trie node of the phrases that may begin with the word at index of a list source,
 * or -1. filter_candidates has tried the filter on the words before stop. */
static inline int list_first_node(const rw_match_t *self, const source_t *source,
                                  size_t index, size_t stop)
{
    if (index < stop) {
        const rw_match_token_t *token = &source->words->items[index];
        return first_node(vocab_find(self, source->words->folded + token->folded,
                                     token->folded_length, token->hash));
    }
    view_t word;
    list_view(source, index, &word);
    return first_word_node(self, &word);
}

/* May a phrase be found from node, the word at index of a list source? Not when no
 * entry of the node accepts the groups in any text and the next word fails the filter
 * (most words that begin a phrase, such as "the", do not begin one here). */
static inline bool may_match_from(const rw_match_t *self, const source_t *source, int node,
                                  size_t index, uint32_t groups)
{
    const node_t *here = &self->nodes[node];
    if ((here->plain_groups & groups) || here->has_checked)
        return true;
    return here->has_children && index + 1 < source->last &&
           filter_has(self->next_words, filter_bit(list_hash(source, index + 1), node));
}

/* longest_phrase over a list source, from the word at index (seen[0], with letters
 * letters) and its node. *before is the word before it when the walk needed it
 * (*before_ready). */
static phrase_t longest_listed_phrase(const rw_match_t *self, const source_t *source,
                                      uint32_t groups, int node, size_t index,
                                      unsigned letters, seen_t *seen, seen_t *before,
                                      const seen_t **prior, bool *before_ready)
{
    phrase_t best = {-1, 0, index + 1};
    unsigned count = 1;
    for (;;) {
        size_t next = index + count;
        const node_t *here = &self->nodes[node];
        if (here->has_checked && !*before_ready) {
            *prior = list_before(source, index, before);
            *before_ready = true;
        }
        if (node_accepts(self, node, seen, count, groups, source, next, *prior)) {
            best.node = node;
            best.count = count;
            best.position = next;
        }
        if (!here->has_children || count >= RW_MATCH_PHRASE_MAX || next >= source->last)
            break;
        view_t word;
        int child = list_child(self, source, node, next, seen[count - 1].end, letters, &word);
        if (child < 0)
            break;
        note_seen(&seen[count], &word);
        count++;
        node = child;
        letters = word.letters;
    }
    return best;
}

/* Look for a phrase from the word at index of a list source, which passed the
 * first-word filter (or is the tail: index >= stop) and is not inside a phrase found
 * before, and report it; false when fn asks to stop. Moves *resume past a phrase
 * found. */
static bool match_listed(const rw_match_t *self, const source_t *source, uint32_t groups,
                         rw_match_fn fn, void *context, size_t index, size_t stop,
                         size_t *resume)
{
    seen_t seen[RW_MATCH_PHRASE_MAX];
    seen_t before;
    int node = list_first_node(self, source, index, stop);
    if (node < 0 || !may_match_from(self, source, node, index, groups))
        return true;
    view_t word;
    list_view(source, index, &word);
    note_seen(&seen[0], &word);
    const seen_t *prior = NULL;
    bool before_ready = false;
    phrase_t phrase = longest_listed_phrase(self, source, groups, node, index, word.letters,
                                            seen, &before, &prior, &before_ready);
    if (phrase.node < 0)
        return true;
    if (!before_ready)
        prior = list_before(source, index, &before);
    if (!report_phrase(self, source, groups, &phrase, seen, prior, fn, context))
        return false;
    *resume = phrase.position;
    return true;
}

/* Words tested against the first-word filter at a time (filter_candidates). */
#define CANDIDATE_BLOCK 256

/* Write to candidates the indexes, minus from, of the words in [from, to) (at most
 * CANDIDATE_BLOCK) that may begin a phrase; returns their number. No branch on the
 * filter: a list of function words matches about every third word of a text, and the
 * other lists often enough, in no order a branch predictor could learn. */
static size_t filter_candidates(const rw_match_t *self, const rw_match_token_t *items,
                                size_t from, size_t to, uint16_t *candidates)
{
    const uint64_t *filter = self->first_words;
    size_t found = 0;
    for (size_t index = from; index < to; index++) {
        candidates[found] = (uint16_t)(index - from);
        found += first_word_bit(filter, items[index].hash) & 1;
    }
    return found;
}

/* May the word at index of a list source, which passed the first-word filter, begin a
 * phrase? Not when it has a next word before stop (the next word of the piece, not the
 * tail) and it is no phrase alone and it and the next word are not the first two words
 * of a phrase: most words that begin a phrase ("human", "republic") are not followed by
 * the second word of one. Two bit tests on words at hand, before the chain of table
 * reads of match_listed. */
static inline bool may_begin_here(const rw_match_t *self, const rw_match_token_t *items,
                                  size_t index, size_t stop)
{
    if (index + 1 >= stop)
        return true;
    uint64_t hash = items[index].hash;
    uint32_t alone = filter_bit(hash, 0), pair = pair_bit(hash, items[index + 1].hash);
    return filter_has(self->single_words, alone) || filter_has(self->first_pairs, pair);
}

/* scan over a list source: the words that pass the filter, a block at a time, then the
 * tail. */
static size_t scan_list(const rw_match_t *self, const source_t *source, uint32_t groups,
                        rw_match_fn fn, void *context)
{
    const rw_match_token_t *items = source->words->items;
    size_t last = source->last;
    size_t stop = source->tail ? last - 1 : last; /* the tail is read by list_view */
    size_t resume = source->first; /* words before it are inside a phrase found */
    uint16_t candidates[CANDIDATE_BLOCK];
    for (size_t block = source->first; block < stop; block += CANDIDATE_BLOCK) {
        size_t to = stop - block > CANDIDATE_BLOCK ? block + CANDIDATE_BLOCK : stop;
        size_t found = filter_candidates(self, items, block, to, candidates);
        for (size_t k = 0; k < found; k++) {
            size_t index = block + candidates[k];
            if (index >= resume && may_begin_here(self, items, index, stop) &&
                !match_listed(self, source, groups, fn, context, index, stop, &resume))
                return index - source->first + 1;
        }
    }
    if (stop < last && stop >= resume &&
        !match_listed(self, source, groups, fn, context, stop, stop, &resume))
        return stop - source->first + 1;
    return last - source->first;
}

/* scan over a list source without a tail by a matcher that is not complex: every
 * phrase is one word that any case of it matches (a list of function words). Then a
 * match never reaches past its word and every entry of the word's node accepts when its
 * group is selected, so this gives the same calls of fn and the same result as scan,
 * without its trie walk. The filter is tried on a block of words at a time. */
static size_t scan_single_words(const rw_match_t *self, const source_t *source,
                                uint32_t groups, rw_match_fn fn, void *context)
{
    const rw_match_token_t *items = source->words->items;
    size_t last = source->last;
    uint16_t candidates[CANDIDATE_BLOCK];
    for (size_t block = source->first; block < last; block += CANDIDATE_BLOCK) {
        size_t to = last - block > CANDIDATE_BLOCK ? block + CANDIDATE_BLOCK : last;
        size_t found = filter_candidates(self, items, block, to, candidates);
        for (size_t k = 0; k < found; k++) {
            size_t index = block + candidates[k];
            const rw_match_token_t *token = &items[index];
            const vocab_slot_t *slot = vocab_find(self, source->words->folded + token->folded,
                                                  token->folded_length, token->hash);
            if (!slot)
                continue;
            for (int e = slot->first_entry; e >= 0; e = self->entries[e].next) {
                const entry_t *entry = &self->entries[e];
                if ((entry->group_bit & groups) &&
                    !fn(context, token->start - source->base, token->end - source->base,
                        entry->value))
                    return index - source->first + 1;
            }
        }
    }
    return last - source->first;
}

/* scan, by the fastest way the source allows. */
static size_t scan_source(const rw_match_t *self, const source_t *source, uint32_t groups,
                          rw_match_fn fn, void *context)
{
    if (!source->words)
        return scan(self, source, groups, fn, context);
    if (!self->complex && !source->tail)
        return scan_single_words(self, source, groups, fn, context);
    return scan_list(self, source, groups, fn, context);
}

size_t rw_match_scan_words(const rw_match_t *self, const char *text, size_t length,
                           const rw_match_words_t *words, uint32_t groups, rw_match_fn fn,
                           void *context)
{
    source_t source = {text, length, words, 0, words->count, 0, NULL};
    return scan_source(self, &source, groups, fn, context);
}

/* The index of the first word of the list in [low, high) that starts at or after
 * offset, or high. */
static size_t first_word_from(const rw_match_words_t *words, size_t low, size_t high,
                              size_t offset)
{
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (words->items[middle].start < offset)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

/* first_word_from(words, low, words->count, offset) for an offset a short way on from
 * the word at low: steps of 1, 2, 4 ... find a word at or after offset, then a binary
 * search finds the first one. */
static size_t first_word_near(const rw_match_words_t *words, size_t low, size_t offset)
{
    size_t probe = low, step = 1;
    while (probe < words->count && words->items[probe].start < offset) {
        low = probe + 1;
        probe = low + step;
        step *= 2;
    }
    return first_word_from(words, low, probe < words->count ? probe : words->count, offset);
}

/* first_word_from(words, low, words->count, offset), starting from a guess (low to
 * words->count) rather than from the middle: steps of 1, 2, 4 ... from the guess,
 * forwards or backwards, bound the answer, then a binary search finds it. A few reads
 * near each other when the guess is close, instead of a binary search over the whole
 * list (a cache miss and a mispredicted branch at most steps). */
static size_t first_word_around(const rw_match_words_t *words, size_t low, size_t guess,
                                size_t offset)
{
    if (guess < words->count && words->items[guess].start < offset)
        return first_word_near(words, guess, offset);
    /* Every word from guess on starts at or after offset: look back. */
    size_t high = guess, step = 1;
    while (high > low) {
        size_t probe = high - low > step ? high - step : low;
        if (words->items[probe].start < offset)
            return first_word_from(words, probe + 1, high, offset);
        high = probe;
        step *= 2;
    }
    return low;
}

/* A guess of the index of the word that starts bytes bytes after the word at index from,
 * were words spread evenly over the text (words->count when past the last word). Only a
 * starting point for first_word_around: any guess gives the same answer. */
static size_t words_guess(const rw_match_words_t *words, size_t from, size_t bytes)
{
    size_t count = words->count;
    uint64_t span = count ? words->items[count - 1].end : 0; /* below 2^32, as count */
    if (bytes >= span)
        return count;
    size_t guess = from + (size_t)((uint64_t)bytes * count / span);
    return guess < count ? guess : count;
}

size_t rw_match_scan_range(const rw_match_t *self, const char *text, size_t start, size_t end,
                           const rw_match_words_t *words, uint32_t groups, rw_match_fn fn,
                           void *context)
{
    source_t source = {text + start, end - start, NULL, 0, 0, 0, NULL};
    rw_word_t tail;
    if (words && end <= UINT32_MAX && start <= end) {
        size_t first = first_word_around(words, 0, words_guess(words, 0, start), start);
        size_t last = first_word_around(words, first, words_guess(words, first, end - start),
                                        end);
        /* The list serves when no word of the whole text runs across the start of
         * the piece: then the piece cut alone has the same words, but for the last
         * one, which may run past the end and is then cut again, short. */
        if (first == 0 || words->items[first - 1].end <= start) {
            source.words = words;
            source.first = first;
            source.last = last;
            source.base = start;
            if (last > first && words->items[last - 1].end > end) {
                size_t position = last - 1 > first ? words->items[last - 2].end - start : 0;
                if (rw_match_next_word(source.text, source.length, &position, &tail))
                    source.tail = &tail;
                else
                    source.last--;
            }
        }
    }
    return scan_source(self, &source, groups, fn, context);
}

/* ---- Word lists ------------------------------------------------------------------- */

/* Make room in the list for count words and bytes of folded forms, at least doubling
 * what grows. 0 or -ENOMEM. */
static int words_ensure(rw_match_words_t *words, size_t count, size_t bytes)
{
    if (count > words->capacity) {
        size_t capacity = words->capacity * 2 > count ? words->capacity * 2 : count;
        rw_match_token_t *items = realloc(words->items, capacity * sizeof *items);
        if (!items)
            return -ENOMEM;
        words->items = items;
        words->capacity = capacity;
    }
    if (bytes > words->folded_capacity) {
        size_t capacity = words->folded_capacity * 2 > bytes ? words->folded_capacity * 2 : bytes;
        char *folded = realloc(words->folded, capacity);
        if (!folded)
            return -ENOMEM;
        words->folded = folded;
        words->folded_capacity = capacity;
    }
    return 0;
}

/* Make room for one more word in the list: its entry, and its folded form at the end
 * of the folded forms. 0 or -ENOMEM. */
static int words_room(rw_match_words_t *words)
{
    return words_ensure(words, words->count + 1, words->folded_used + RW_MATCH_WORD_MAX + 1);
}

/* Make room for the words of a text of length bytes at once, rather than growing the
 * list word by word: about one word in six bytes, and folded forms are never longer
 * than the words they fold. 0 or -ENOMEM. */
static int words_reserve(rw_match_words_t *words, size_t length)
{
    return words_ensure(words, length / 6 + 16, length + RW_MATCH_WORD_MAX + 1);
}

int rw_match_words_split(const char *text, size_t length, rw_match_words_t *words)
{
    words->count = 0;
    words->folded_used = 0;
    if (length > UINT32_MAX)
        return -EINVAL;
    int status = words_reserve(words, length);
    size_t position = 0;
    rw_word_t word;
    if (status == 0) { /* the first word, which may start the text: split_ascii_words
                          with room for one word (see split_ascii_windows) */
        size_t capacity = words->capacity;
        words->capacity = 1;
        position = split_ascii_words(text, length, position, words);
        words->capacity = capacity;
    }
    while (status == 0) {
        /* Most words take the fast paths (a window at a time, then the rest of the
         * text word by word); the others, one at a time, the general one. */
        position = split_ascii_windows(text, length, position, words);
        position = split_ascii_words(text, length, position, words);
        status = words_room(words);
        if (status != 0)
            break;
        /* The word is folded straight to the end of the list's folded forms. */
        char *folded = words->folded + words->folded_used;
        if (!cut_any_word(text, length, &position, &word, folded))
            break;
        rw_match_token_t *token = &words->items[words->count++];
        token->start = (uint32_t)word.start;
        token->end = (uint32_t)word.end;
        token->folded = (uint32_t)words->folded_used;
        token->folded_length = (uint16_t)word.folded_length;
        token->letters = word.letters > UINT16_MAX ? UINT16_MAX : (uint16_t)word.letters;
        token->hash = word.hash;
        token->capital = word.capital;
        token->all_capitals = word.all_capitals;
        token->digits = word.digits;
        token->after_break = word.after_break;
        words->folded_used += word.folded_length;
    }
    return status;
}

void rw_match_words_clear(rw_match_words_t *words)
{
    free(words->items);
    free(words->folded);
    memset(words, 0, sizeof *words);
}

int rw_match_lookup(const rw_match_t *self, const rw_word_t *word, uint32_t groups)
{
    int node = first_node(vocab_find(self, word->folded, word->folded_length, word->hash));
    if (node < 0)
        return -1;
    for (int e = self->nodes[node].first_entry; e >= 0; e = self->entries[e].next)
        if (self->entries[e].group_bit & groups)
            return self->entries[e].value;
    return -1;
}
