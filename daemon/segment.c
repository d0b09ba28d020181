/* segment.c — sentence and list-item segmentation of clean text.
 *
 * Two passes over the text, both linear: lines are grouped into blocks (paragraphs,
 * list items, headings), then each block is cut into sentences. No allocation except
 * the growing unit array. Bytes that may end a sentence are found eight at a time
 * (chunk.h), list markers are turned away on their first bytes. */
#include "segment.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"

#define HEADING_MAX 60        /* a line shorter than this may be a heading */
#define HEADING_BLOCK_MAX 150 /* a one-unit block without final punctuation is a heading */

rw_segment_t *rw_segment_new(void)
{
    return calloc(1, sizeof(rw_segment_t));
}

void rw_segment_destroy(rw_segment_t **self_p)
{
    rw_segment_t *self = *self_p;
    if (!self)
        return;
    free(self->units);
    free(self);
    *self_p = NULL;
}

/* ---------------------------------------------------------------- characters */

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* ASCII white space: space, \t, \n, \v, \f, \r. */
static const bool ascii_space[128] = {
    [' '] = true, ['\t'] = true, ['\n'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true
};

/* Bytes of the white space character at text[i] (0 when none): ASCII white space,
 * no-break space U+00A0 or narrow no-break space U+202F. */
static inline size_t space_length(const char *text, size_t i, size_t length)
{
    unsigned char c = (unsigned char)text[i];
    if (c < 0x80)
        return ascii_space[c];
    if (c == 0xC2)
        return i + 1 < length && (unsigned char)text[i + 1] == 0xA0 ? 2 : 0;
    if (c == 0xE2)
        return i + 2 < length && (unsigned char)text[i + 1] == 0x80
                   && (unsigned char)text[i + 2] == 0xAF ? 3 : 0;
    return 0;
}

static inline bool is_space(const char *text, size_t i, size_t length)
{
    return space_length(text, i, length) > 0;
}

static size_t skip_space(const char *text, size_t i, size_t end)
{
    size_t n;
    while (i < end && (n = space_length(text, i, end)) > 0)
        i += n;
    return i;
}

/* Character classes of ASCII bytes, for the marker tests. */
enum {
    CLASS_DIGIT = 1,
    CLASS_ALPHA = 2,
    CLASS_ROMAN = 4,       /* i v x l c, either case */
    CLASS_UPPER_ROMAN = 8, /* I V X L C */
    CLASS_MARK = 16        /* other first bytes of markers: - * + ( and lead bytes 0xC2 0xE2 */
};

#define ROMAN_LETTER(upper) \
    [upper] = CLASS_ALPHA | CLASS_ROMAN | CLASS_UPPER_ROMAN, \
    [(upper) | 0x20] = CLASS_ALPHA | CLASS_ROMAN

static const unsigned char char_class[256] = {
    ['0'] = CLASS_DIGIT, ['1'] = CLASS_DIGIT, ['2'] = CLASS_DIGIT, ['3'] = CLASS_DIGIT,
    ['4'] = CLASS_DIGIT, ['5'] = CLASS_DIGIT, ['6'] = CLASS_DIGIT, ['7'] = CLASS_DIGIT,
    ['8'] = CLASS_DIGIT, ['9'] = CLASS_DIGIT,
    ['A'] = CLASS_ALPHA, ['B'] = CLASS_ALPHA, ['D'] = CLASS_ALPHA, ['E'] = CLASS_ALPHA,
    ['F'] = CLASS_ALPHA, ['G'] = CLASS_ALPHA, ['H'] = CLASS_ALPHA, ['J'] = CLASS_ALPHA,
    ['K'] = CLASS_ALPHA, ['M'] = CLASS_ALPHA, ['N'] = CLASS_ALPHA, ['O'] = CLASS_ALPHA,
    ['P'] = CLASS_ALPHA, ['Q'] = CLASS_ALPHA, ['R'] = CLASS_ALPHA, ['S'] = CLASS_ALPHA,
    ['T'] = CLASS_ALPHA, ['U'] = CLASS_ALPHA, ['W'] = CLASS_ALPHA, ['Y'] = CLASS_ALPHA,
    ['Z'] = CLASS_ALPHA,
    ['a'] = CLASS_ALPHA, ['b'] = CLASS_ALPHA, ['d'] = CLASS_ALPHA, ['e'] = CLASS_ALPHA,
    ['f'] = CLASS_ALPHA, ['g'] = CLASS_ALPHA, ['h'] = CLASS_ALPHA, ['j'] = CLASS_ALPHA,
    ['k'] = CLASS_ALPHA, ['m'] = CLASS_ALPHA, ['n'] = CLASS_ALPHA, ['o'] = CLASS_ALPHA,
    ['p'] = CLASS_ALPHA, ['q'] = CLASS_ALPHA, ['r'] = CLASS_ALPHA, ['s'] = CLASS_ALPHA,
    ['t'] = CLASS_ALPHA, ['u'] = CLASS_ALPHA, ['w'] = CLASS_ALPHA, ['y'] = CLASS_ALPHA,
    ['z'] = CLASS_ALPHA,
    ROMAN_LETTER('I'), ROMAN_LETTER('V'), ROMAN_LETTER('X'), ROMAN_LETTER('L'),
    ROMAN_LETTER('C'),
    ['-'] = CLASS_MARK, ['*'] = CLASS_MARK, ['+'] = CLASS_MARK, ['('] = CLASS_MARK,
    [0xC2] = CLASS_MARK, [0xE2] = CLASS_MARK,
};

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* ---------------------------------------------------------------- markers */

/* Length of a bullet character at text (0 when none). */
static size_t bullet_length(const unsigned char *p, size_t length)
{
    if (p[0] == '-' || p[0] == '*' || p[0] == '+')
        return 1;
    if (length >= 2 && p[0] == 0xC2 && p[1] == 0xB7)             /* · */
        return 2;
    if (length >= 3 && p[0] == 0xE2) {
        if (p[1] == 0x80 && (p[2] == 0xA2 || p[2] == 0x93 || p[2] == 0x94 || p[2] == 0xA3))
            return 3;                                              /* • – — ‣ */
        if (p[1] == 0x96 && (p[2] == 0xAA || p[2] == 0xA0 || p[2] == 0xBA))
            return 3;                                              /* ▪ ■ ► */
        if (p[1] == 0x97 && (p[2] == 0x8F || p[2] == 0xA6 || p[2] == 0x8B))
            return 3;                                              /* ● ◦ ○ */
    }
    return 0;
}

/* "(a)", "(iv)", "(12)", "a)", "iv)", "12)": the length up to and with ")", or 0.
 * The run of letters and digits is found first; most text has no ")" after it. */
static size_t paren_marker(const unsigned char *p, size_t length)
{
    size_t i = p[0] == '(';
    size_t begin = i;
    size_t limit = length - begin < 5 ? length : begin + 5;
    while (i < limit && (char_class[p[i]] & (CLASS_DIGIT | CLASS_ALPHA)))
        i++;
    size_t run = i - begin;
    if (run == 0 || i >= length || p[i] != ')')
        return 0;
    unsigned all = CLASS_DIGIT | CLASS_ALPHA | CLASS_ROMAN; /* classes every byte has */
    for (size_t k = begin; k < i; k++)
        all &= char_class[p[k]];
    bool digits = all & CLASS_DIGIT, letters = all & CLASS_ALPHA, roman = all & CLASS_ROMAN;
    bool ok = (digits && run <= 3) || (letters && run == 1) || (letters && roman && run <= 5);
    return ok ? i + 1 : 0;
}

/* "12.", "92.1.", "140.38", "3.2.1", "IV.", "a.": the length with the final dot, or 0. */
static size_t number_marker(const unsigned char *p, size_t length)
{
    size_t i = 0, groups = 0, dots = 0;
    while (i < length && is_digit(p[i])) {
        size_t begin = i;
        while (i < length && is_digit(p[i]))
            i++;
        if (i - begin > 3)
            return 0;
        groups++;
        if (i < length && p[i] == '.') {
            i++;
            dots++;
        } else {
            break;
        }
    }
    if (groups > 0)
        return dots > 0 ? i : 0;
    /* roman numerals and single letters followed by a dot */
    size_t limit = length < 6 ? length : 6;
    while (i < limit && (char_class[p[i]] & CLASS_UPPER_ROMAN))
        i++;
    if (i == 0 && length > 0 && (char_class[p[0]] & CLASS_ALPHA))
        i = 1;
    if (i > 0 && i < length && p[i] == '.')
        return i + 1;
    return 0;
}

size_t rw_segment_marker(const char *text, size_t length)
{
    const unsigned char *p = (const unsigned char *)text;
    if (length == 0)
        return 0;
    /* Quick answers for most text: a marker starts with a mark, a digit or a letter,
     * and two letters make one only when both are roman ("iv)", "IV."). */
    unsigned first = char_class[p[0]];
    if (first == 0)
        return 0;
    if ((first & CLASS_ALPHA) && length >= 2) {
        unsigned second = char_class[p[1]];
        if ((second & CLASS_ALPHA) && !(first & second & CLASS_ROMAN))
            return 0;
    }
    size_t n = first & CLASS_MARK ? bullet_length(p, length) : 0;
    if (n == 0)
        n = paren_marker(p, length);
    if (n == 0)
        n = number_marker(p, length);
    if (n == 0)
        return 0;
    /* a marker is followed by white space or ends the text */
    if (n < length && !is_space(text, n, length))
        return 0;
    return skip_space(text, n, length);
}

/* The kind of the list marker at text (see rw_segment_marker). */
static uint8_t marker_class(const char *text, size_t length)
{
    const unsigned char *p = (const unsigned char *)text;
    if (bullet_length(p, length) > 0)
        return RW_MARKER_BULLET;
    if (paren_marker(p, length) > 0)
        return RW_MARKER_PAREN;
    return is_digit(p[0]) ? RW_MARKER_NUMBER : RW_MARKER_LETTER;
}

/* A marker that may start an inline list item after ":" or ";": "(b)", "b)", "12.3". */
static bool inline_marker(const char *text, size_t length)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n = paren_marker(p, length);
    if (n == 0) {
        n = number_marker(p, length);
        /* only dotted multi-level numbers inline: "92.1.", "140.38" */
        if (n > 0 && memchr(text, '.', n) == text + n - 1 && n >= 2 && !is_digit(p[n - 2]))
            n = 0;
        if (n > 0 && !is_digit(p[0]))
            n = 0;
        if (n > 0) {
            size_t dots = 0;
            for (size_t i = 0; i < n; i++)
                dots += p[i] == '.';
            if (dots < 2 && p[n - 1] == '.')
                n = 0;
        }
    }
    return n > 0 && n < length && is_space(text, n, length);
}

/* ---------------------------------------------------------------- units */

static int push_unit(rw_segment_t *self, const rw_unit_t *unit)
{
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 64;
        rw_unit_t *units = realloc(self->units, capacity * sizeof *units);
        if (!units)
            return -ENOMEM;
        self->units = units;
        self->capacity = capacity;
    }
    self->units[self->count++] = *unit;
    return 0;
}

static bool is_markup(unsigned char c)
{
    return c == '#' || c == '*' || c == '_' || c == '>' || c == '\\' || c == '|';
}

/* Does [start, end) hold a letter or a digit? */
static bool has_word(const char *text, size_t start, size_t end)
{
    size_t i = start;
    while (i < end) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            if (char_class[c] & (CLASS_DIGIT | CLASS_ALPHA))
                return true;
            i++;
            continue;
        }
        size_t n;
        uint32_t code = rw_words_decode((const unsigned char *)text + i, end - i, &n);
        if (rw_words_is_letter(code) || (code >= '0' && code <= '9'))
            return true;
        i += n;
    }
    return false;
}

static bool final_punctuation(unsigned char c)
{
    return c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == ')'
        || c == '"' || c == 0x9D /* ” */ || c == 0xBB /* » */ || c == 0xA6 /* … */;
}

/* Trim and store the unit text[start, end) of block. */
static int emit(rw_segment_t *self, const char *text, size_t start, size_t end,
                uint32_t block, bool block_item, bool heading, bool first, size_t *units_in_block)
{
    size_t marker = start;
    uint8_t marker_kind = RW_MARKER_NONE;
    bool item = block_item && first;
    /* outer white space and markup, then a list marker, then markup again */
    for (int round = 0; round < 2; round++) {
        for (;;) {
            size_t n = space_length(text, start, end);
            if (n > 0)
                start += n;
            else if (start < end && is_markup((unsigned char)text[start]))
                start++;
            else
                break;
        }
        if (round == 0) {
            marker = start;
            size_t m = rw_segment_marker(text + start, end - start);
            /* inside a paragraph only "(b)" and "92.1." mark items: "J. K. Rowling"
             * and " - " are no markers there */
            if (m > 0 && !first) {
                uint8_t kind = marker_class(text + start, end - start);
                if (kind == RW_MARKER_LETTER || kind == RW_MARKER_BULLET)
                    m = 0;
            }
            if (m > 0) {
                marker_kind = marker_class(text + start, end - start);
                start += m;
                item = true;
            }
        }
    }
    while (end > start) {
        unsigned char c = (unsigned char)text[end - 1];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '*' || c == '_' || c == '\\')
            end--;
        else
            break;
    }
    if (!has_word(text, start, end))
        return 0;
    rw_unit_t unit = { 0 };
    unit.start = start;
    unit.end = end;
    unit.marker = marker;
    unit.block = block;
    unit.item = block_item || item;
    unit.first = first;
    unit.marker_kind = marker_kind;
    unit.kind = heading ? RW_UNIT_HEADING : RW_UNIT_SENTENCE;
    (*units_in_block)++;
    return push_unit(self, &unit);
}

/* Is text[i] == '.' the end of a sentence, given the word before it? */
static bool dot_ends_sentence(const rw_words_t *abbreviations, const char *text,
                              size_t unit_start, size_t i)
{
    size_t w = i;
    while (w > unit_start) {
        unsigned char c = (unsigned char)text[w - 1];
        if (is_alpha(c) || is_digit(c) || c >= 0x80 || c == '.')
            w--;
        else
            break;
    }
    size_t length = i + 1 - w;
    if (length <= 1)
        return true;
    /* an initial: one capital letter ("J."), or a run of them ("U.N.") */
    if (length == 2 && is_alpha((unsigned char)text[w]) && !((unsigned char)text[w] & 0x20))
        return false;
    if (abbreviations && rw_words_get(abbreviations, text + w, length) >= 0)
        return false;
    /* "U.N." style: letters separated by dots */
    bool dotted = length >= 4;
    for (size_t k = w; k <= i && dotted; k += 2)
        if (!is_alpha((unsigned char)text[k]) || k + 1 > i || text[k + 1] != '.')
            dotted = false;
    if (dotted)
        return false;
    return true;
}

/* Can a sentence start at text[k]? */
static bool starts_sentence(const char *text, size_t k, size_t end)
{
    const unsigned char *p = (const unsigned char *)text + k;
    size_t n;
    uint32_t code = rw_words_decode(p, end - k, &n);
    if (code < 0x80) {
        if (is_alpha((unsigned char)code))
            return !(code & 0x20);
        return is_digit((unsigned char)code) || strchr("\"'([*#-_", (int)code) != NULL;
    }
    if (rw_words_is_upper(code))
        return true;
    if (rw_words_is_letter(code))
        return code > 0x24F;           /* scripts without case; Latin lower case: no */
    return true;                       /* opening quotes, ¿ ¡ « bullets ... */
}

/* Length of a sentence terminator at text[i] (".", "!", "?", "…"), or 0. */
static size_t terminator_length(const char *text, size_t i, size_t end)
{
    unsigned char c = (unsigned char)text[i];
    if (c == '.' || c == '!' || c == '?')
        return 1;
    if (c == 0xE2 && i + 2 < end && (unsigned char)text[i + 1] == 0x80
        && (unsigned char)text[i + 2] == 0xA6)
        return 3;
    return 0;
}

/* Length of a closing character at text[i] that may follow a terminator. */
static size_t closer_length(const char *text, size_t i, size_t end)
{
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\'' || c == ')' || c == ']' || c == '*' || c == '_')
        return 1;
    if (c == 0xC2 && i + 1 < end && (unsigned char)text[i + 1] == 0xBB)       /* » */
        return 2;
    if (c == 0xE2 && i + 2 < end && (unsigned char)text[i + 1] == 0x80
        && ((unsigned char)text[i + 2] == 0x9D || (unsigned char)text[i + 2] == 0x99))
        return 3;                                                              /* ” ’ */
    return 0;
}

/* Skip a coordinating word ("and", "or", "et", "ou", "y", "o", "e") and the white space
 * after it, before an inline marker. */
static size_t skip_conjunction(const char *text, size_t k, size_t end)
{
    size_t left = end - k;
    const char *p = text + k;
    size_t n = 0;
    if (left >= 2 && p[1] == ' ' && (p[0] == 'y' || p[0] == 'o' || p[0] == 'e'))
        n = 2;
    else if (left >= 3 && p[2] == ' ' &&
             ((p[0] == 'o' && (p[1] == 'r' || p[1] == 'u')) || (p[0] == 'e' && p[1] == 't')))
        n = 3;
    else if (left >= 4 && p[0] == 'a' && p[1] == 'n' && p[2] == 'd' && p[3] == ' ')
        n = 4;
    return n ? skip_space(text, k + n, end) : k;
}

/* The bytes that may end a sentence (or a clause): . ! ? ; : and 0xE2, the first byte
 * of "…". */
static const bool may_end_sentence[256] = {
    ['.'] = true, ['!'] = true, ['?'] = true, [';'] = true, [':'] = true, [0xE2] = true
};

/* Bit 7 of some byte of the result is set where word has a zero byte (exact as a
 * yes/no test). */
static inline uint64_t zero_byte(uint64_t word)
{
    return (word - RW_CHUNK_EACH(1)) & ~word;
}

/* Bit 7 of some byte of the result is set when one of the eight bytes of word may end
 * a sentence, and also for "*+/>" and any byte of 0x80 or more, which the byte test
 * then sorts out. */
static inline uint64_t stop_bits(uint64_t word)
{
    /* '*' '+' '.' '/' ':' ';' '>' '?': the bytes that are 0x2A once bits 0x15 are
     * ignored */
    uint64_t dots = zero_byte((word | RW_CHUNK_EACH(0x15)) ^ RW_CHUNK_EACH(0x3F));
    return dots | zero_byte(word ^ RW_CHUNK_EACH('!')) | word;
}

/* False when none of the eight bytes at p may end a sentence. */
static inline bool may_stop(const unsigned char *p)
{
    uint64_t word;
    memcpy(&word, p, 8);
    return (stop_bits(word) & RW_CHUNK_LANES) != 0;
}

/* 0x80 in each byte of the result whose byte of the eight at p ends a sentence or a
 * clause in cut_block: . ! ? ; : or the first byte of "…" (all three bytes of it are
 * looked at, p[0..10) must be readable). */
static inline uint64_t stop_lanes(const unsigned char *p)
{
    uint64_t word = rw_chunk_load(p);
    uint64_t colons = rw_chunk_equal_lanes(word | RW_CHUNK_EACH(1), ';'); /* ':' ';' */
    uint64_t ends = rw_chunk_equal_lanes(word, '.') | rw_chunk_equal_lanes(word, '!')
                    | rw_chunk_equal_lanes(word, '?');
    uint64_t ellipsis = rw_chunk_equal_lanes(word, 0xE2)
                        & rw_chunk_equal_lanes(rw_chunk_load(p + 1), 0x80)
                        & rw_chunk_equal_lanes(rw_chunk_load(p + 2), 0xA6);
    return colons | ends | ellipsis;
}

/* The first position from i on (before end) whose byte may end a sentence, or end.
 * Eight bytes at a time while ten are left: the rough test may_stop turns most away,
 * stop_lanes then finds the stop exactly (a 0xE2 that does not open "…", a quote or a
 * dash, ends nothing and is passed over: cut_block would only step past it). The last
 * bytes one at a time. */
static size_t next_stop(const char *text, size_t i, size_t end)
{
    const unsigned char *p = (const unsigned char *)text;
    for (; i + 10 <= end; i += 8) {
        if (!may_stop(p + i))
            continue;
        uint64_t lanes = stop_lanes(p + i);
        if (lanes)
            return i + rw_chunk_first_lane(lanes);
    }
    while (i < end && !may_end_sentence[p[i]])
        i++;
    return i;
}

/* Where the run of terminators and closing marks that starts with the terminator at i
 * (t bytes) ends, taking in a French closing guillemet after a space: "État. »". */
static size_t terminator_run_end(const char *text, size_t i, size_t t, size_t end)
{
    size_t j = i + t;
    for (;;) {
        size_t n = terminator_length(text, j, end);
        if (n == 0)
            n = closer_length(text, j, end);
        if (n == 0 || j >= end)
            break;
        j += n;
    }
    size_t g = j;
    while (g < end && (text[g] == ' ' || ((unsigned char)text[g] == 0xC2 && g + 1 < end
                           && (unsigned char)text[g + 1] == 0xA0)))
        g += text[g] == ' ' ? 1 : 2;
    if (g + 1 < end && (unsigned char)text[g] == 0xC2 && (unsigned char)text[g + 1] == 0xBB)
        j = g + 2;
    return j;
}

/* Is there a space byte in text[start, i)? Looks from i backwards: the word before it
 * is short. */
static bool space_before(const char *text, size_t start, size_t i)
{
    while (i > start)
        if (text[--i] == ' ')
            return true;
    return false;
}

/* Does the unit from unit_start end at the terminator at i (first byte c, t bytes),
 * the next text starting at k? */
static bool ends_sentence(const rw_words_t *abbreviations, const char *text,
                          size_t unit_start, size_t i, unsigned char c, size_t t, size_t k,
                          size_t end)
{
    bool boundary = starts_sentence(text, k, end);
    if (boundary && c == '.' && t == 1)
        boundary = dot_ends_sentence(abbreviations, text, unit_start, i);
    /* "3." at the very start of a unit is its marker, not a sentence (a marker has no
     * space in it, so a space before the dot rules that out) */
    if (boundary && c == '.' && !space_before(text, unit_start, i) &&
        rw_segment_marker(text + unit_start, i + 2 - unit_start) == i + 2 - unit_start)
        boundary = false;
    return boundary;
}

/* Where an inline list item starts after the ";" or ":" at i ("...; (b) ..."), or 0
 * when none does. */
static size_t inline_item_start(const char *text, size_t i, size_t end)
{
    size_t k = skip_conjunction(text, skip_space(text, i + 1, end), end);
    if (k < end && k > i + 1 && inline_marker(text + k, end - k))
        return k;
    return 0;
}

/* Make the last unit a heading if it does not end like a sentence and is short; for
 * a block of one unit that is not a list item ("(c) ratify the Convention, and"). */
static void mark_heading(rw_segment_t *self, const char *text)
{
    rw_unit_t *unit = &self->units[self->count - 1];
    unsigned char last = (unsigned char)text[unit->end - 1];
    if (!final_punctuation(last) && unit->end - unit->start < HEADING_BLOCK_MAX)
        unit->kind = RW_UNIT_HEADING;
}

/* Cut block [start, end) into sentences. */
static int cut_block(rw_segment_t *self, const rw_words_t *abbreviations, const char *text,
                     size_t start, size_t end, uint32_t block, bool item, bool heading)
{
    size_t units = 0;
    size_t before = self->count;
    size_t unit_start = start;
    size_t i = start;
    int rc = 0;
    while (i < end && rc == 0) {
        /* most bytes end nothing: skip them eight at a time */
        i = next_stop(text, i, end);
        if (i >= end)
            break;
        unsigned char c = (unsigned char)text[i];
        size_t t = terminator_length(text, i, end);
        if (t > 0) {
            size_t j = terminator_run_end(text, i, t, end);
            if (j >= end)
                break;
            if (!is_space(text, j, end)) {
                i = j;
                continue;
            }
            size_t k = skip_space(text, j, end);
            if (k >= end)
                break;
            if (ends_sentence(abbreviations, text, unit_start, i, c, t, k, end)) {
                rc = emit(self, text, unit_start, j, block, item, heading,
                          self->count == before, &units);
                unit_start = k;
                i = k;
                continue;
            }
            i = j;
            continue;
        }
        if (c == ';' || c == ':') {
            size_t k = inline_item_start(text, i, end);
            if (k > 0) {
                rc = emit(self, text, unit_start, i + 1, block, item, heading,
                          self->count == before, &units);
                unit_start = k;
                i = k;
                continue;
            }
        }
        i++;
    }
    if (rc == 0 && unit_start < end)
        rc = emit(self, text, unit_start, end, block, item, heading, self->count == before,
                  &units);
    if (rc == 0 && units == 1 && !item)
        mark_heading(self, text);
    /* later units of an inline list are items too (emit marks those with a marker) */
    return rc;
}

/* ---------------------------------------------------------------- lines and blocks */

typedef struct {
    size_t start, end;      /* the line without its newline */
    size_t content;         /* first byte after indentation */
    size_t trimmed_end;     /* end without trailing white space */
    size_t marker;          /* length of a list marker at content (0 when none) */
    bool blank;
    bool markdown_heading;
} line_t;

static void read_line(const char *text, size_t length, size_t start, line_t *line)
{
    const char *newline = memchr(text + start, '\n', length - start);
    line->start = start;
    line->end = newline ? (size_t)(newline - text) : length;
    size_t i = start;
    while (i < line->end && (is_blank((unsigned char)text[i]) || text[i] == '>'))
        i++;
    line->content = i;
    size_t e = line->end;
    while (e > i && (is_blank((unsigned char)text[e - 1]) || text[e - 1] == '\\'))
        e--;
    line->trimmed_end = e;
    line->blank = e == i;
    line->markdown_heading = !line->blank && text[i] == '#';
    line->marker = line->blank || line->markdown_heading ? 0
                 : rw_segment_marker(text + i, line->end - i);
}

static bool line_ends_sentence(const char *text, const line_t *line)
{
    size_t e = line->trimmed_end;
    while (e > line->content && (text[e - 1] == '*' || text[e - 1] == '_'))
        e--;
    return e > line->content && final_punctuation((unsigned char)text[e - 1]);
}

/* A short line with no final punctuation, the first of its block, followed by a
 * capitalised line that is clearly longer or ends a sentence: a heading. */
static bool line_is_heading(const char *text, const line_t *line, const line_t *next,
                            bool first_of_block)
{
    if (!first_of_block || line_ends_sentence(text, line))
        return false;
    size_t length = line->trimmed_end - line->content;
    if (text[line->end > line->start ? line->end - 1 : line->start] == '\\')
        return true;                                   /* markdown hard break */
    if (length >= HEADING_MAX)
        return false;
    if (!starts_sentence(text, line->content, line->trimmed_end))
        return false;
    if (!starts_sentence(text, next->content, next->trimmed_end) && next->marker == 0)
        return false;
    size_t next_length = next->trimmed_end - next->content;
    return next_length >= length + 20 || line_ends_sentence(text, next) || next->marker > 0;
}

int rw_segment_run(rw_segment_t *self, const rw_words_t *abbreviations, const char *text,
                   size_t length)
{
    self->count = 0;
    uint32_t block = 0;
    size_t position = 0;
    int rc = 0;
    line_t line, next;
    if (length == 0)
        return 0;
    read_line(text, length, 0, &line);
    while (rc == 0) {
        if (line.blank) {
            if (line.end >= length)
                break;
            read_line(text, length, line.end + 1, &line);
            continue;
        }
        /* a new block starts at this line */
        size_t block_start = line.content;
        bool item = line.marker > 0;
        bool heading = line.markdown_heading;
        bool first = true;
        bool pending_marker = item && line.content + line.marker >= line.trimmed_end;
        size_t block_end = line.trimmed_end;
        for (;;) {
            if (line.end >= length) {
                position = length;
                break;
            }
            read_line(text, length, line.end + 1, &next);
            bool joins;
            if (pending_marker) {
                /* "85." alone on its line: the item's text is on the next line */
                joins = !next.blank || next.end < length;
                if (next.blank && next.end < length) {
                    line_t after;
                    read_line(text, length, next.end + 1, &after);
                    if (after.blank || after.marker > 0)
                        joins = false;
                    else
                        next = after;
                }
                if (next.marker > 0 || next.markdown_heading)
                    joins = false;
                pending_marker = false;
            } else if (next.blank || heading || next.markdown_heading) {
                joins = false;
            } else if (next.marker > 0) {
                /* a numbered line after an unfinished line is a wrapped number
                 * ("... by\n12.5 per cent"), but bullets always start items */
                const unsigned char *m = (const unsigned char *)text + next.content;
                bool numeric = is_digit(m[0]);
                joins = numeric && !line_ends_sentence(text, &line)
                        && text[line.trimmed_end - 1] != ')';
            } else if (line_is_heading(text, &line, &next, first)) {
                joins = false;
                if (block_start == line.content)
                    heading = true;
            } else {
                joins = true;
            }
            if (!joins) {
                position = next.start;
                break;
            }
            line = next;
            block_end = line.trimmed_end;
            first = false;
        }
        rc = cut_block(self, abbreviations, text, block_start, block_end, block, item, heading);
        block++;
        if (position >= length)
            break;
        read_line(text, length, position, &line);
    }
    return rc;
}
