/* gazetteer.h — names of things found in text: countries (ISO 3166-1 alpha-2 from names
 * and adjectives in every configured language), human-rights themes (a taxonomy close to
 * the Universal Human Rights Index), month names for dates, and language profiles.
 * Loaded once from config/lexicon/ (I/O in rw_gazetteer_new only); every lookup is pure. */
#ifndef RW_GAZETTEER_H
#define RW_GAZETTEER_H

#include <stdbool.h>
#include <stddef.h>

#include "match.h"
#include "strings.h"

typedef struct rw_gazetteer rw_gazetteer_t;

/* Load the data under lexicon_dir for the given languages. NULL on failure with
 * "FILE:LINE: what is wrong" in error. */
rw_gazetteer_t *rw_gazetteer_new(const char *lexicon_dir, const rw_strings_t *languages,
                                 char *error, size_t error_size);
void rw_gazetteer_destroy(rw_gazetteer_t **self_p);

/* Append to codes the ISO codes of the countries named in text, in order of first
 * mention, without repeats. 0 or -ENOMEM. */
int rw_gazetteer_countries(const rw_gazetteer_t *self, const char *text, size_t length,
                           rw_strings_t *codes);

/* Append to themes the taxonomy themes the text is about (language: "en", "fr", ...;
 * NULL tries every language). 0 or -ENOMEM. */
int rw_gazetteer_themes(const rw_gazetteer_t *self, const char *language, const char *text,
                        size_t length, rw_strings_t *themes);

/* The language the text is written in ("en", "fr", ...), or NULL when unsure. */
const char *rw_gazetteer_language(const rw_gazetteer_t *self, const char *text, size_t length);

/* Find the first date in text ("12 July 2012", "12 juillet 2012", "12 de julio de 2012",
 * "2012-07-12", "July 12, 2012" ...) and write it as "YYYY-MM-DD" into iso.
 * 1 found, 0 none. */
int rw_gazetteer_date(const rw_gazetteer_t *self, const char *text, size_t length, char iso[11]);

/* ---- Lower-level lookups, used by metadata.c (and anyone who needs positions) ---- */

/* Like rw_gazetteer_date, and sets [*start, *end) to the bytes of the date in text. */
int rw_gazetteer_date_span(const rw_gazetteer_t *self, const char *text, size_t length,
                           char iso[11], size_t *start, size_t *end);

/* Called for each country named in text, left to right: [start, end) and its ISO code.
 * Return false to stop. */
typedef bool (*rw_gazetteer_place_fn)(void *context, size_t start, size_t end,
                                      const char *code);
void rw_gazetteer_scan_countries(const rw_gazetteer_t *self, const char *text, size_t length,
                                 rw_gazetteer_place_fn fn, void *context);

/* Kinds of role (roles.txt): a body ("Committee against Torture") rather than a person's
 * title; a role whose name goes on with a complement ("Special Rapporteur on ..."). */
#define RW_ROLE_BODY 1
#define RW_ROLE_COMPLEMENT 2
/* Called for each role title found in text: [start, end) and RW_ROLE_* flags. */
typedef bool (*rw_gazetteer_role_fn)(void *context, size_t start, size_t end, int kind);
void rw_gazetteer_scan_roles(const rw_gazetteer_t *self, const char *text, size_t length,
                             rw_gazetteer_role_fn fn, void *context);

/* The language of text when at least min_hits function words point to it and it is
 * clearly ahead of the others (rw_gazetteer_language uses 4); NULL when unsure. */
const char *rw_gazetteer_language_guess(const rw_gazetteer_t *self, const char *text,
                                        size_t length, unsigned min_hits);

/* The same two lookups over a text already cut into words (rw_match_words_split of
 * text[0, length)): the same answers, without cutting the text again. */
const char *rw_gazetteer_language_guess_words(const rw_gazetteer_t *self, const char *text,
                                              size_t length, const rw_match_words_t *words,
                                              unsigned min_hits);
void rw_gazetteer_scan_countries_words(const rw_gazetteer_t *self, const char *text,
                                       size_t length, const rw_match_words_t *words,
                                       rw_gazetteer_place_fn fn, void *context);

/* rw_gazetteer_countries, rw_gazetteer_themes and rw_gazetteer_scan_roles over the
 * piece text[start, end) (role offsets relative to start), reading the words of the whole
 * text from words (rw_match_words_split of text; NULL: cut the piece). The same answers
 * as the plain calls on text + start, end - start. */
int rw_gazetteer_countries_range(const rw_gazetteer_t *self, const char *text, size_t start,
                                 size_t end, const rw_match_words_t *words,
                                 rw_strings_t *codes);
int rw_gazetteer_themes_range(const rw_gazetteer_t *self, const char *language,
                              const char *text, size_t start, size_t end,
                              const rw_match_words_t *words, rw_strings_t *themes);
void rw_gazetteer_scan_roles_range(const rw_gazetteer_t *self, const char *text, size_t start,
                                   size_t end, const rw_match_words_t *words,
                                   rw_gazetteer_role_fn fn, void *context);

/* Is the word (length bytes) a function word of some configured language? */
bool rw_gazetteer_is_stopword(const rw_gazetteer_t *self, const char *word, size_t length);

/* Is the word (length bytes) a month or a day of the week (months.txt)? */
bool rw_gazetteer_is_calendar_word(const rw_gazetteer_t *self, const char *word, size_t length);

#endif
