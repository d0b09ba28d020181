/* match.h — a fast phrase matcher over words of UTF-8 text.
 *
 * Text is cut into words (runs of letters and digits; apostrophes, hyphens, spaces and
 * punctuation separate words). Each word is folded: lower case, accents removed
 * ("Côte" → "cote", "ÉTATS" → "etats", "Türkiye" → "turkiye", "ß" → "ss"). A phrase is a
 * list of folded words; "Côte d’Ivoire", "Cote d'Ivoire" and "CÔTE D'IVOIRE" are the
 * same phrase. The words of a match must be separated only by spaces, a single line
 * break, hyphens or apostrophes (or the dot of an abbreviation such as "U.S.").
 *
 * Capitals written in a phrase are required in the text unless RW_MATCH_IGNORE_CASE:
 * a phrase word written with a capital ("Chad") needs a capital in the text ("Chad",
 * "CHAD", not "chad"); a word written in capitals ("USA") needs capitals; a word written
 * in lower case matches any case.
 *
 * Matching is longest-first, left to right, never overlapping: in "Papua New Guinea"
 * only "Papua New Guinea" matches, not "Guinea". The matcher is built once and then
 * read-only: rw_match_scan allocates nothing and may run in many threads at once.
 * The extractor may use it for cue phrases too. */
#ifndef RW_MATCH_H
#define RW_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Folded words longer than this never match (the longest real word is far shorter). */
#define RW_MATCH_WORD_MAX 64
/* Phrases have at most this many words. */
#define RW_MATCH_PHRASE_MAX 24

/* Flags of rw_match_add. */
enum {
    RW_MATCH_IGNORE_CASE = 1u << 0, /* the capitals of the phrase are not required */
    RW_MATCH_NAME = 1u << 1,        /* the phrase may also be part of a person's name
                                       ("Jordan", "Chad"): refused when a capitalised word
                                       stands right before it (not at a sentence start)
                                       or right after it */
    RW_MATCH_NAME_CASE = 1u << 2    /* when a word the phrase writes in lower case is
                                       found capitalised inside a sentence ("Báez Chino"
                                       for "chino"), apply the RW_MATCH_NAME test */
};

/* One word of text, as rw_match_next_word finds it. */
typedef struct {
    size_t start, end;                  /* bytes [start, end) of the word in the text */
    char folded[RW_MATCH_WORD_MAX + 1]; /* folded form, NUL-terminated */
    size_t folded_length;               /* 0 when the word was too long to fold */
    uint64_t hash;                      /* hash of folded (see match.c) */
    unsigned letters;                   /* letters and digits in the word */
    bool capital;                       /* first character is an upper-case letter */
    bool all_capitals;                  /* has letters, and none is lower case */
    bool digits;                        /* made of ASCII digits only */
    bool after_break;                   /* first word of the text, or sentence punctuation
                                           (. ! ? : ;) or a line break stands before it */
} rw_word_t;

typedef struct rw_match rw_match_t;

rw_match_t *rw_match_new(void);
void rw_match_destroy(rw_match_t **self_p);

/* Add a phrase (length bytes of UTF-8) that reports value when found. group (0..31)
 * lets one matcher hold several lists that rw_match_scan can select. Returns 0, -EINVAL
 * when the phrase has no word or too many words, or -ENOMEM. */
int rw_match_add(rw_match_t *self, const char *phrase, size_t length, int value,
                 unsigned group, unsigned flags);

/* Called for each phrase found: [start, end) in the text and the phrase's value. When
 * several phrases of the selected groups are the same longest match, it is called once
 * for each. Return false to stop the scan. */
typedef bool (*rw_match_fn)(void *context, size_t start, size_t end, int value);

/* Find the phrases of the groups in the mask groups (bit g selects group g) in text,
 * left to right. Returns the number of words in the text read (the scan may stop early
 * when fn returns false). */
size_t rw_match_scan(const rw_match_t *self, const char *text, size_t length,
                     uint32_t groups, rw_match_fn fn, void *context);

/* A text cut into words once, so that several matchers (or several scans) can read it
 * without cutting and folding it again. Fill with rw_match_words_split; the list may be
 * reused for another text; free with rw_match_words_clear. */
typedef struct {
    uint32_t start, end;        /* bytes [start, end) of the word in the text */
    uint32_t folded;            /* offset of the folded form in rw_match_words_t.folded */
    uint16_t folded_length;     /* 0 when the word was too long to fold */
    uint16_t letters;           /* letters and digits (at most 65535) */
    uint64_t hash;
    bool capital, all_capitals, digits, after_break; /* as in rw_word_t */
} rw_match_token_t;

typedef struct {
    rw_match_token_t *items;
    size_t count, capacity;
    char *folded;               /* folded forms, one after the other, no separators */
    size_t folded_used, folded_capacity;
} rw_match_words_t;

/* Cut text into words (replacing the list's previous content). 0, -EINVAL when the
 * text is 4 GiB or more, or -ENOMEM. */
int rw_match_words_split(const char *text, size_t length, rw_match_words_t *words);
void rw_match_words_clear(rw_match_words_t *words);

/* rw_match_scan over words made by rw_match_words_split from the same text and length:
 * the same matches, the same result, without cutting the text again. */
size_t rw_match_scan_words(const rw_match_t *self, const char *text, size_t length,
                           const rw_match_words_t *words, uint32_t groups, rw_match_fn fn,
                           void *context);

/* rw_match_scan over the piece text[start, end), with offsets relative to start, using
 * the words of the whole text when words (rw_match_words_split of text) is not NULL: the
 * same matches, the same result, without cutting the piece again. (When a word of the
 * whole text runs across an end of the piece, the piece is cut alone.) */
size_t rw_match_scan_range(const rw_match_t *self, const char *text, size_t start, size_t end,
                           const rw_match_words_t *words, uint32_t groups, rw_match_fn fn,
                           void *context);

/* The value of the one-word phrase equal to word (any case) in the groups selected,
 * or -1. */
int rw_match_lookup(const rw_match_t *self, const rw_word_t *word, uint32_t groups);

/* The next word of text at or after *position: fills word, moves *position past it and
 * returns true; false at the end of the text. */
bool rw_match_next_word(const char *text, size_t length, size_t *position, rw_word_t *word);

/* Fold one piece of text (a word or a phrase) the way words are folded, for comparing:
 * writes at most size-1 bytes and a NUL into out; returns the bytes written. Words are
 * joined by single spaces. */
size_t rw_match_fold(const char *text, size_t length, char *out, size_t size);

#endif
