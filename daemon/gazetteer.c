/* gazetteer.c — countries, themes, dates and languages found in text.
 *
 * Everything the gazetteer knows comes from files under the lexicon folder (formats in
 * config/lexicon/README.md, section "Gazetteer files"):
 *   countries.tsv            CODE  LANG  names; adjectives; ...
 *   themes.tsv               THEME LANG  trigger; trigger; ...
 *   LANG/months.txt          WORD  1..12 | ordinal | link
 *   LANG/stopwords.txt       one word per line
 *   LANG/roles.txt           person|body  ROLE [...]
 * Each list becomes a phrase matcher (match.h) at load time, so every lookup is one pass
 * over the words of the text with no allocation except for the results. */
#include "gazetteer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "match.h"

/* Values of months.txt entries besides the month numbers 1..12. */
#define MONTH_ORDINAL 100 /* "er" in "1er", "th" in "12th" */
#define MONTH_LINK 101    /* "de" in "12 de julio de 2012", "of" in "12th of July" */
#define MONTH_WEEKDAY 102 /* "Monday", "mardi": not part of a date, never a place */

/* Languages are matcher groups: at most 32. */
#define LANGUAGES_MAX 32

struct rw_gazetteer {
    rw_strings_t languages;            /* codes; index = matcher group */
    bool has_stopwords[LANGUAGES_MAX];
    rw_match_t *countries;             /* value: index in codes, or -1 (not a country) */
    rw_strings_t codes;                /* ISO 3166-1 alpha-2 */
    rw_match_t *themes;                /* value: index in theme_names; group: language */
    rw_strings_t theme_names;
    rw_match_t *months;                /* value: 1..12, MONTH_ORDINAL, MONTH_LINK */
    rw_match_t *stopwords;             /* value: language index; group: language */
    rw_match_t *roles;                 /* value: RW_ROLE_* flags; group: language */
};

/* ---- Loading ---------------------------------------------------------------------- */

/* Where a line comes from, for error messages. */
typedef struct {
    const char *path;
    unsigned line;
    char *error;
    size_t error_size;
} origin_t;

static int fail(const origin_t *origin, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Write "FILE:LINE: reason" into the caller's error buffer; returns code. */
static int fail(const origin_t *origin, int code, const char *format, ...)
{
    char reason[256];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(reason, sizeof reason, format, arguments);
    va_end(arguments);
    if (origin->error && origin->error_size) {
        if (origin->line)
            snprintf(origin->error, origin->error_size, "%s:%u: %s", origin->path,
                     origin->line, reason);
        else
            snprintf(origin->error, origin->error_size, "%s: %s", origin->path, reason);
    }
    return code;
}

/* Read a whole file. Returns 0 and *data (NUL-terminated, caller frees), -ENOENT when
 * it does not exist, or another negative errno with the reason in the error buffer. */
static int read_file(origin_t *origin, char **data, size_t *size)
{
    FILE *file = fopen(origin->path, "rb");
    if (!file) {
        int code = errno;
        if (code == ENOENT)
            return -ENOENT;
        return fail(origin, -code, "cannot open: %s", strerror(code));
    }
    size_t capacity = 65536, used = 0;
    char *buffer = malloc(capacity);
    while (buffer) {
        size_t got = fread(buffer + used, 1, capacity - used - 1, file);
        used += got;
        if (used + 1 < capacity)
            break;
        capacity *= 2;
        char *bigger = realloc(buffer, capacity);
        if (!bigger) {
            free(buffer);
            buffer = NULL;
        }
        buffer = bigger;
    }
    int read_error = ferror(file);
    fclose(file);
    if (!buffer)
        return fail(origin, -ENOMEM, "out of memory");
    if (read_error) {
        free(buffer);
        return fail(origin, -EIO, "cannot read: %s", strerror(EIO));
    }
    buffer[used] = '\0';
    *data = buffer;
    *size = used;
    return 0;
}

/* Called for each meaningful line (comments and blank lines skipped, "\r" removed,
 * NUL-terminated in place); fields split on TAB into fields[0..count-1]. */
typedef int (*line_fn)(void *context, origin_t *origin, char **fields, unsigned count);

#define FIELDS_MAX 4

/* Parse the file at path line by line. A missing file is fine when optional. */
static int load_lines(const char *path, bool optional, char *error, size_t error_size,
                      line_fn fn, void *context)
{
    origin_t origin = {path, 0, error, error_size};
    char *data = NULL;
    size_t size = 0;
    int status = read_file(&origin, &data, &size);
    if (status == -ENOENT) {
        if (optional)
            return 0;
        return fail(&origin, -ENOENT, "missing: %s", strerror(ENOENT));
    }
    if (status < 0)
        return status;
    if (memchr(data, '\0', size)) {
        free(data);
        return fail(&origin, -EINVAL, "binary content (NUL byte)");
    }
    char *line = data;
    while (status == 0 && line < data + size) {
        origin.line++;
        char *newline = strchr(line, '\n');
        char *next = newline ? newline + 1 : data + size;
        if (newline)
            *newline = '\0';
        size_t length = strlen(line);
        if (length && line[length - 1] == '\r')
            line[--length] = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '\0' && *p != '#') {
            char *fields[FIELDS_MAX];
            unsigned count = 0;
            char *field = line;
            for (;;) {
                char *tab = strchr(field, '\t');
                if (count == FIELDS_MAX) {
                    status = fail(&origin, -EINVAL, "too many fields (at most %d)",
                                  FIELDS_MAX);
                    break;
                }
                fields[count++] = field;
                if (!tab)
                    break;
                *tab = '\0';
                field = tab + 1;
            }
            if (status == 0)
                status = fn(context, &origin, fields, count);
        }
        line = next;
    }
    free(data);
    return status;
}

/* Remove spaces at both ends, in place. */
static char *trim(char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t length = strlen(text);
    while (length && (text[length - 1] == ' ' || text[length - 1] == '\t'))
        text[--length] = '\0';
    return text;
}

/* Index of language code, or -1. */
static int language_index(const rw_gazetteer_t *self, const char *code)
{
    for (size_t i = 0; i < self->languages.count; i++)
        if (strcmp(self->languages.items[i], code) == 0)
            return (int)i;
    return -1;
}

static bool valid_language_code(const char *code)
{
    size_t length = strlen(code);
    if (length < 2 || length > 8)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!((code[i] >= 'a' && code[i] <= 'z') || code[i] == '-'))
            return false;
    return true;
}

/* Add one phrase, expanding "{a,b,c}" groups ("kazakh{,e,s,es}" gives kazakh, kazakhe,
 * kazakhs, kazakhes; several groups give every combination). */
static int add_phrase(rw_match_t *match, origin_t *origin, const char *phrase, int value,
                      unsigned group, unsigned flags)
{
    const char *open = strchr(phrase, '{');
    const char *close = open ? strchr(open, '}') : NULL;
    if (!open) {
        if (strchr(phrase, '}'))
            return fail(origin, -EINVAL, "'}' without '{' in \"%s\"", phrase);
        int status = rw_match_add(match, phrase, strlen(phrase), value, group, flags);
        if (status == -EINVAL)
            return fail(origin, -EINVAL, "\"%s\" has no word or more than %d words",
                        phrase, RW_MATCH_PHRASE_MAX);
        if (status < 0)
            return fail(origin, status, "out of memory");
        return 0;
    }
    if (!close || memchr(open + 1, '{', (size_t)(close - open - 1)))
        return fail(origin, -EINVAL, "unbalanced '{...}' in \"%s\"", phrase);
    char expanded[512];
    const char *alternative = open + 1;
    for (;;) {
        const char *comma = alternative;
        while (comma < close && *comma != ',')
            comma++;
        int written = snprintf(expanded, sizeof expanded, "%.*s%.*s%s", (int)(open - phrase),
                               phrase, (int)(comma - alternative), alternative, close + 1);
        if (written < 0 || (size_t)written >= sizeof expanded)
            return fail(origin, -EINVAL, "phrase too long");
        /* An empty expansion ("{,s}" on an empty stem) is simply skipped. */
        if (strspn(expanded, " ") != strlen(expanded)) {
            int status = add_phrase(match, origin, expanded, value, group, flags);
            if (status < 0)
                return status;
        }
        if (comma >= close)
            break;
        alternative = comma + 1;
    }
    return 0;
}

/* Add every ';'-separated phrase of list. A leading '~' marks a name that may also be a
 * person's name (RW_MATCH_NAME). */
static int add_phrase_list(rw_match_t *match, origin_t *origin, char *list, int value,
                           unsigned group, unsigned flags)
{
    unsigned added = 0;
    char *item = list;
    while (item) {
        char *semicolon = strchr(item, ';');
        if (semicolon)
            *semicolon = '\0';
        char *phrase = trim(item);
        unsigned phrase_flags = flags;
        if (*phrase == '~') {
            phrase_flags |= RW_MATCH_NAME;
            phrase = trim(phrase + 1);
        }
        if (*phrase) {
            int status = add_phrase(match, origin, phrase, value, group, phrase_flags);
            if (status < 0)
                return status;
            added++;
        }
        item = semicolon ? semicolon + 1 : NULL;
    }
    if (added == 0)
        return fail(origin, -EINVAL, "no phrase");
    return 0;
}

/* countries.tsv: CODE <TAB> LANG <TAB> names; ... (CODE "-": not a country). */
static int country_line(void *context, origin_t *origin, char **fields, unsigned count)
{
    rw_gazetteer_t *self = context;
    if (count != 3)
        return fail(origin, -EINVAL, "expected CODE<TAB>LANG<TAB>names, found %u field%s",
                    count, count == 1 ? "" : "s");
    const char *code = trim(fields[0]);
    const char *language = trim(fields[1]);
    bool blocker = strcmp(code, "-") == 0;
    if (!blocker && !(strlen(code) == 2 && code[0] >= 'A' && code[0] <= 'Z' &&
                      code[1] >= 'A' && code[1] <= 'Z'))
        return fail(origin, -EINVAL, "\"%s\" is not an ISO 3166-1 alpha-2 code (or \"-\")",
                    code);
    if (strcmp(language, "*") != 0 && !valid_language_code(language))
        return fail(origin, -EINVAL, "\"%s\" is not a language code (or \"*\")", language);
    if (strcmp(language, "*") != 0 && language_index(self, language) < 0)
        return 0; /* a language not configured */
    int value = -1;
    if (!blocker) {
        size_t i = 0;
        while (i < self->codes.count && strcmp(self->codes.items[i], code) != 0)
            i++;
        if (i == self->codes.count && rw_strings_append(&self->codes, code, 2) < 0)
            return fail(origin, -ENOMEM, "out of memory");
        value = (int)i;
    }
    return add_phrase_list(self->countries, origin, fields[2], value, 0, RW_MATCH_NAME_CASE);
}

/* themes.tsv: THEME <TAB> LANG <TAB> trigger; trigger; ... */
static int theme_line(void *context, origin_t *origin, char **fields, unsigned count)
{
    rw_gazetteer_t *self = context;
    if (count != 3)
        return fail(origin, -EINVAL, "expected THEME<TAB>LANG<TAB>triggers, found %u field%s",
                    count, count == 1 ? "" : "s");
    const char *theme = trim(fields[0]);
    const char *language = trim(fields[1]);
    if (!*theme)
        return fail(origin, -EINVAL, "empty theme name");
    if (!valid_language_code(language))
        return fail(origin, -EINVAL, "\"%s\" is not a language code", language);
    int group = language_index(self, language);
    if (group < 0)
        return 0;
    size_t i = 0;
    while (i < self->theme_names.count && strcmp(self->theme_names.items[i], theme) != 0)
        i++;
    if (i == self->theme_names.count &&
        rw_strings_append(&self->theme_names, theme, strlen(theme)) < 0)
        return fail(origin, -ENOMEM, "out of memory");
    return add_phrase_list(self->themes, origin, fields[2], (int)i, (unsigned)group, 0);
}

/* What a per-language line handler needs. */
typedef struct {
    rw_gazetteer_t *self;
    int language;
    unsigned count;
} language_context_t;

/* LANG/months.txt: WORD <TAB> 1..12 | ordinal | link | weekday */
static int month_line(void *context, origin_t *origin, char **fields, unsigned count)
{
    language_context_t *load = context;
    if (count != 2)
        return fail(origin, -EINVAL, "expected WORD<TAB>1-12, ordinal, link or weekday");
    const char *word = trim(fields[0]);
    const char *kind = trim(fields[1]);
    int value;
    if (strcmp(kind, "ordinal") == 0) {
        value = MONTH_ORDINAL;
    } else if (strcmp(kind, "link") == 0) {
        value = MONTH_LINK;
    } else if (strcmp(kind, "weekday") == 0) {
        value = MONTH_WEEKDAY;
    } else {
        char *end = NULL;
        long number = strtol(kind, &end, 10);
        if (end == kind || *end != '\0' || number < 1 || number > 12)
            return fail(origin, -EINVAL,
                        "\"%s\" is not a month number (1-12), ordinal, link or weekday", kind);
        value = (int)number;
    }
    size_t position = 0, words = 0;
    rw_word_t parsed;
    while (rw_match_next_word(word, strlen(word), &position, &parsed))
        words++;
    if (words != 1)
        return fail(origin, -EINVAL, "\"%s\" is not one word", word);
    load->count++;
    return add_phrase(load->self->months, origin, word, value, (unsigned)load->language,
                      RW_MATCH_IGNORE_CASE);
}

/* LANG/stopwords.txt: one word per line. */
static int stopword_line(void *context, origin_t *origin, char **fields, unsigned count)
{
    language_context_t *load = context;
    if (count != 1)
        return fail(origin, -EINVAL, "expected one word per line");
    load->count++;
    return add_phrase(load->self->stopwords, origin, trim(fields[0]), load->language,
                      (unsigned)load->language, RW_MATCH_IGNORE_CASE);
}

/* LANG/roles.txt: person|body <TAB> ROLE, "..." at the end when a complement follows. */
static int role_line(void *context, origin_t *origin, char **fields, unsigned count)
{
    language_context_t *load = context;
    if (count != 2)
        return fail(origin, -EINVAL, "expected person|body<TAB>ROLE");
    const char *kind = trim(fields[0]);
    char *role = trim(fields[1]);
    int value = 0;
    if (strcmp(kind, "body") == 0)
        value |= RW_ROLE_BODY;
    else if (strcmp(kind, "person") != 0)
        return fail(origin, -EINVAL, "\"%s\" is neither person nor body", kind);
    size_t length = strlen(role);
    if (length >= 3 && strcmp(role + length - 3, "...") == 0) {
        role[length - 3] = '\0';
        value |= RW_ROLE_COMPLEMENT;
    } else if (length >= 3 && strcmp(role + length - 3, "\xE2\x80\xA6") == 0) {
        role[length - 3] = '\0';
        value |= RW_ROLE_COMPLEMENT;
    }
    load->count++;
    return add_phrase(load->self->roles, origin, trim(role), value, (unsigned)load->language,
                      0);
}

rw_gazetteer_t *rw_gazetteer_new(const char *lexicon_dir, const rw_strings_t *languages,
                                 char *error, size_t error_size)
{
    if (error && error_size)
        error[0] = '\0';
    rw_gazetteer_t *self = calloc(1, sizeof *self);
    if (!self) {
        if (error && error_size)
            snprintf(error, error_size, "gazetteer: out of memory");
        return NULL;
    }
    self->countries = rw_match_new();
    self->themes = rw_match_new();
    self->months = rw_match_new();
    self->stopwords = rw_match_new();
    self->roles = rw_match_new();
    int status = 0;
    if (!self->countries || !self->themes || !self->months || !self->stopwords ||
        !self->roles) {
        status = -ENOMEM;
        if (error && error_size)
            snprintf(error, error_size, "gazetteer: out of memory");
    }
    for (size_t i = 0; status == 0 && languages && i < languages->count; i++) {
        const char *code = languages->items[i];
        if (!valid_language_code(code) || self->languages.count >= LANGUAGES_MAX) {
            status = -EINVAL;
            if (error && error_size)
                snprintf(error, error_size, "gazetteer: bad or too many languages (\"%s\")",
                         code);
        } else if (language_index(self, code) < 0 &&
                   rw_strings_append(&self->languages, code, strlen(code)) < 0) {
            status = -ENOMEM;
        }
    }

    char path[4096];
    if (status == 0) {
        snprintf(path, sizeof path, "%s/countries.tsv", lexicon_dir);
        status = load_lines(path, true, error, error_size, country_line, self);
    }
    if (status == 0) {
        snprintf(path, sizeof path, "%s/themes.tsv", lexicon_dir);
        status = load_lines(path, true, error, error_size, theme_line, self);
    }
    for (size_t i = 0; status == 0 && i < self->languages.count; i++) {
        language_context_t load = {self, (int)i, 0};
        const char *code = self->languages.items[i];
        snprintf(path, sizeof path, "%s/%s/months.txt", lexicon_dir, code);
        status = load_lines(path, true, error, error_size, month_line, &load);
        if (status == 0) {
            load.count = 0;
            snprintf(path, sizeof path, "%s/%s/stopwords.txt", lexicon_dir, code);
            status = load_lines(path, true, error, error_size, stopword_line, &load);
            self->has_stopwords[i] = load.count > 0;
        }
        if (status == 0) {
            snprintf(path, sizeof path, "%s/%s/roles.txt", lexicon_dir, code);
            status = load_lines(path, true, error, error_size, role_line, &load);
        }
    }
    if (status < 0) {
        if (error && error_size && !error[0])
            snprintf(error, error_size, "gazetteer: %s", strerror(-status));
        rw_gazetteer_destroy(&self);
        return NULL;
    }
    if (self->codes.count == 0)
        rw_warning("gazetteer: no country names under %s", lexicon_dir);
    return self;
}

void rw_gazetteer_destroy(rw_gazetteer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rw_gazetteer_t *self = *self_p;
    rw_match_destroy(&self->countries);
    rw_match_destroy(&self->themes);
    rw_match_destroy(&self->months);
    rw_match_destroy(&self->stopwords);
    rw_match_destroy(&self->roles);
    rw_strings_clear(&self->languages);
    rw_strings_clear(&self->codes);
    rw_strings_clear(&self->theme_names);
    free(self);
    *self_p = NULL;
}

/* ---- Countries and themes --------------------------------------------------------- */

/* Collects results in order of first mention, without repeats. */
typedef struct {
    const rw_strings_t *names; /* value → name */
    rw_strings_t *out;
    int status;
} collect_t;

static bool collect(void *context, size_t start, size_t end, int value)
{
    (void)start;
    (void)end;
    collect_t *collect = context;
    if (value < 0)
        return true; /* "not a country" phrase, e.g. "Indian Ocean" */
    int status = rw_strings_add_unique(collect->out, collect->names->items[value]);
    if (status < 0) {
        collect->status = status;
        return false;
    }
    return true;
}

int rw_gazetteer_countries(const rw_gazetteer_t *self, const char *text, size_t length,
                           rw_strings_t *codes)
{
    return rw_gazetteer_countries_range(self, text, 0, length, NULL, codes);
}

int rw_gazetteer_countries_range(const rw_gazetteer_t *self, const char *text, size_t start,
                                 size_t end, const rw_match_words_t *words,
                                 rw_strings_t *codes)
{
    collect_t context = {&self->codes, codes, 0};
    rw_match_scan_range(self->countries, text, start, end, words, 1u, collect, &context);
    return context.status;
}

/* Forwards matches to the caller with the code instead of an index. */
typedef struct {
    const rw_gazetteer_t *self;
    rw_gazetteer_place_fn fn;
    void *context;
} forward_t;

static bool forward_country(void *context, size_t start, size_t end, int value)
{
    forward_t *forward = context;
    if (value < 0)
        return true;
    return forward->fn(forward->context, start, end, forward->self->codes.items[value]);
}

void rw_gazetteer_scan_countries(const rw_gazetteer_t *self, const char *text, size_t length,
                                 rw_gazetteer_place_fn fn, void *context)
{
    forward_t forward = {self, fn, context};
    rw_match_scan(self->countries, text, length, 1u, forward_country, &forward);
}

void rw_gazetteer_scan_countries_words(const rw_gazetteer_t *self, const char *text,
                                       size_t length, const rw_match_words_t *words,
                                       rw_gazetteer_place_fn fn, void *context)
{
    forward_t forward = {self, fn, context};
    rw_match_scan_words(self->countries, text, length, words, 1u, forward_country, &forward);
}

int rw_gazetteer_themes(const rw_gazetteer_t *self, const char *language, const char *text,
                        size_t length, rw_strings_t *themes)
{
    return rw_gazetteer_themes_range(self, language, text, 0, length, NULL, themes);
}

int rw_gazetteer_themes_range(const rw_gazetteer_t *self, const char *language,
                              const char *text, size_t start, size_t end,
                              const rw_match_words_t *words, rw_strings_t *themes)
{
    uint32_t groups = UINT32_MAX;
    if (language) {
        int index = language_index(self, language);
        if (index < 0)
            return 0;
        groups = 1u << index;
    }
    collect_t context = {&self->theme_names, themes, 0};
    rw_match_scan_range(self->themes, text, start, end, words, groups, collect, &context);
    return context.status;
}

/* ---- Languages -------------------------------------------------------------------- */

typedef struct {
    unsigned counts[LANGUAGES_MAX];
} tally_t;

static bool tally(void *context, size_t start, size_t end, int value)
{
    (void)start;
    (void)end;
    tally_t *tally = context;
    tally->counts[value]++;
    return true;
}

/* The language the tally of function words points to (see rw_gazetteer_language_guess);
 * words: the number of words of the text. */
static const char *language_decide(const rw_gazetteer_t *self, const tally_t *counts,
                                   size_t words, unsigned min_hits)
{
    int best = -1, second = -1;
    for (int i = 0; i < (int)self->languages.count; i++) {
        if (!self->has_stopwords[i])
            continue;
        if (best < 0 || counts->counts[i] > counts->counts[best]) {
            second = best;
            best = i;
        } else if (second < 0 || counts->counts[i] > counts->counts[second]) {
            second = i;
        }
    }
    if (best < 0)
        return NULL;
    unsigned top = counts->counts[best];
    unsigned next = second >= 0 ? counts->counts[second] : 0;
    /* Enough evidence, clearly ahead of the runner-up, and function words make up a
     * fair share of the words (a list of names or numbers is no language). */
    if (top < min_hits || top * 4 < next * 5 + 4 || top * 12 < words)
        return NULL;
    return self->languages.items[best];
}

const char *rw_gazetteer_language_guess(const rw_gazetteer_t *self, const char *text,
                                        size_t length, unsigned min_hits)
{
    tally_t counts;
    memset(&counts, 0, sizeof counts);
    size_t words = rw_match_scan(self->stopwords, text, length, UINT32_MAX, tally, &counts);
    return language_decide(self, &counts, words, min_hits);
}

const char *rw_gazetteer_language_guess_words(const rw_gazetteer_t *self, const char *text,
                                              size_t length, const rw_match_words_t *words,
                                              unsigned min_hits)
{
    tally_t counts;
    memset(&counts, 0, sizeof counts);
    size_t count = rw_match_scan_words(self->stopwords, text, length, words, UINT32_MAX,
                                       tally, &counts);
    return language_decide(self, &counts, count, min_hits);
}

const char *rw_gazetteer_language(const rw_gazetteer_t *self, const char *text, size_t length)
{
    return rw_gazetteer_language_guess(self, text, length, 4);
}

bool rw_gazetteer_is_stopword(const rw_gazetteer_t *self, const char *word, size_t length)
{
    size_t position = 0;
    rw_word_t parsed;
    if (!rw_match_next_word(word, length, &position, &parsed))
        return false;
    return rw_match_lookup(self->stopwords, &parsed, UINT32_MAX) >= 0;
}

/* ---- Roles ------------------------------------------------------------------------ */

typedef struct {
    rw_gazetteer_role_fn fn;
    void *context;
} role_forward_t;

static bool forward_role(void *context, size_t start, size_t end, int value)
{
    role_forward_t *forward = context;
    return forward->fn(forward->context, start, end, value);
}

void rw_gazetteer_scan_roles(const rw_gazetteer_t *self, const char *text, size_t length,
                             rw_gazetteer_role_fn fn, void *context)
{
    rw_gazetteer_scan_roles_range(self, text, 0, length, NULL, fn, context);
}

void rw_gazetteer_scan_roles_range(const rw_gazetteer_t *self, const char *text, size_t start,
                                   size_t end, const rw_match_words_t *words,
                                   rw_gazetteer_role_fn fn, void *context)
{
    role_forward_t forward = {fn, context};
    rw_match_scan_range(self->roles, text, start, end, words, UINT32_MAX, forward_role,
                        &forward);
}

/* ---- Dates ------------------------------------------------------------------------ */

static bool leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Is year-month-day a real calendar date (in a plausible range for a statement)? */
static bool valid_date(int year, int month, int day)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1800 || year > 2199 || month < 1 || month > 12 || day < 1)
        return false;
    int last = days[month - 1] + (month == 2 && leap_year(year) ? 1 : 0);
    return day <= last;
}

static void write_iso(char iso[11], int year, int month, int day)
{
    /* The caller has validated the ranges; write the digits directly. */
    unsigned y = (unsigned)year % 10000u, m = (unsigned)month % 100u, d = (unsigned)day % 100u;
    iso[0] = (char)('0' + y / 1000);
    iso[1] = (char)('0' + y / 100 % 10);
    iso[2] = (char)('0' + y / 10 % 10);
    iso[3] = (char)('0' + y % 10);
    iso[4] = '-';
    iso[5] = (char)('0' + m / 10);
    iso[6] = (char)('0' + m % 10);
    iso[7] = '-';
    iso[8] = (char)('0' + d / 10);
    iso[9] = (char)('0' + d % 10);
    iso[10] = '\0';
}

/* Read a run of 1..max ASCII digits at text[*i]; -1 when there is none or it is longer. */
static int read_number(const char *text, size_t length, size_t *i, unsigned max_digits)
{
    unsigned digits = 0;
    int value = 0;
    while (*i < length && text[*i] >= '0' && text[*i] <= '9') {
        if (++digits > max_digits)
            return -1;
        value = value * 10 + (text[*i] - '0');
        (*i)++;
    }
    return digits ? value : -1;
}

/* Is the byte a letter or digit (ASCII) or part of a multibyte character? */
static bool word_byte(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 0x80 || (u >= '0' && u <= '9') || ((u | 32) >= 'a' && (u | 32) <= 'z');
}

/* A numeric date at text[start]: 2012-07-12, 2012/07/12, or day first 12.07.2012,
 * 12/07/2012, 12-07-2012. Sets *end and iso when valid. */
static bool numeric_date(const char *text, size_t length, size_t start, size_t *end,
                         char iso[11])
{
    if (start > 0) {
        char before = text[start - 1];
        if (word_byte(before) || before == '/' || before == '.' || before == '-')
            return false;
    }
    size_t i = start;
    size_t first_start = i;
    int first = read_number(text, length, &i, 4);
    if (first < 0 || i >= length)
        return false;
    size_t first_digits = i - first_start;
    char separator = text[i];
    if (separator != '-' && separator != '/' && separator != '.')
        return false;
    i++;
    size_t second_start = i;
    int second = read_number(text, length, &i, 2);
    if (second < 0 || i >= length || text[i] != separator)
        return false;
    (void)second_start;
    i++;
    size_t third_start = i;
    int third = read_number(text, length, &i, 4);
    if (third < 0)
        return false;
    size_t third_digits = i - third_start;
    /* Not followed by more of a number ("12.07.2012.5", "1/2/2012/3"). */
    if (i < length && (word_byte(text[i]) && text[i] != 'T'))
        return false;
    if (i + 1 < length && (text[i] == '.' || text[i] == '/' || text[i] == '-') &&
        text[i + 1] >= '0' && text[i + 1] <= '9')
        return false;
    int year, month, day;
    if (first_digits == 4 && third_digits <= 2) {
        year = first;
        month = second;
        day = third;
    } else if (first_digits <= 2 && third_digits == 4) {
        day = first;
        month = second;
        year = third;
    } else {
        return false;
    }
    if (!valid_date(year, month, day))
        return false;
    *end = i;
    write_iso(iso, year, month, day);
    return true;
}

/* Month value (1..12, MONTH_ORDINAL, MONTH_LINK) of a word, or -1. */
static int month_value(const rw_gazetteer_t *self, const rw_word_t *word)
{
    return rw_match_lookup(self->months, word, UINT32_MAX);
}

/* A day: "12", "1er", "12th", "1º" (digits followed by an ordinal suffix). 0 if not. */
static int day_value(const rw_gazetteer_t *self, const rw_word_t *word)
{
    size_t digits = 0;
    int value = 0;
    /* a day has one or two digits: stop at three, before the value can overflow */
    while (digits < 3 && digits < word->folded_length && word->folded[digits] >= '0' &&
           word->folded[digits] <= '9') {
        value = value * 10 + (word->folded[digits] - '0');
        digits++;
    }
    if (digits == 0 || digits > 2 || value < 1 || value > 31)
        return 0;
    if (digits == word->folded_length)
        return value;
    rw_word_t suffix;
    size_t position = 0;
    const char *rest = word->folded + digits;
    size_t rest_length = word->folded_length - digits;
    if (!rw_match_next_word(rest, rest_length, &position, &suffix) ||
        position != rest_length || month_value(self, &suffix) != MONTH_ORDINAL)
        return 0;
    return value;
}

static int year_value(const rw_word_t *word)
{
    if (!word->digits || word->folded_length != 4)
        return -1;
    return atoi(word->folded);
}

/* May two words of a date be separated by text[from, to)? Spaces, at most one line
 * break, one comma, dots and one hyphen ("12 July, 2012", "Jan. 5", "12-Jul-2012"). */
static bool date_gap(const char *text, size_t from, size_t to)
{
    unsigned commas = 0, breaks = 0, hyphens = 0, dots = 0;
    if (to - from > 6)
        return false;
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == ',')
            commas++;
        else if (c == '\n')
            breaks++;
        else if (c == '-')
            hyphens++;
        else if (c == '.')
            dots++;
        else if (c == 0xC2 && i + 1 < to && (unsigned char)text[i + 1] == 0xA0)
            i++; /* no-break space */
        else if (c != ' ' && c != '\t' && c != '\r')
            return false;
    }
    return commas <= 1 && breaks <= 1 && hyphens <= 1 && dots <= 1;
}

/* The word after previous (which ends at *position) when the gap allows a date. */
static bool next_date_word(const char *text, size_t length, size_t *position,
                           const rw_word_t *previous, rw_word_t *word)
{
    size_t at = *position;
    if (!rw_match_next_word(text, length, &at, word))
        return false;
    if (!date_gap(text, previous->end, word->start))
        return false;
    *position = at;
    return true;
}

/* A date written with a month name starting at word: "12 July 2012", "1er juillet 2012",
 * "12 de julio de 2012", "12th of July, 2012", "July 12, 2012", "julio 12 de 2012". */
static bool text_date(const rw_gazetteer_t *self, const char *text, size_t length,
                      const rw_word_t *word, size_t position, size_t *end, char iso[11])
{
    rw_word_t next, after;
    int day = day_value(self, word);
    int month = -1, year = -1;
    if (day > 0) {
        if (!next_date_word(text, length, &position, word, &next))
            return false;
        month = month_value(self, &next);
        if (month == MONTH_LINK) { /* "12 de julio", "12th of July" */
            rw_word_t link = next;
            if (!next_date_word(text, length, &position, &link, &next))
                return false;
            month = month_value(self, &next);
        }
        if (month < 1 || month > 12)
            return false;
        if (!next_date_word(text, length, &position, &next, &after))
            return false;
        if (month_value(self, &after) == MONTH_LINK) { /* "julio de 2012" */
            rw_word_t link = after;
            if (!next_date_word(text, length, &position, &link, &after))
                return false;
        }
        year = year_value(&after);
    } else {
        month = month_value(self, word);
        if (month < 1 || month > 12)
            return false;
        if (!next_date_word(text, length, &position, word, &next))
            return false;
        day = day_value(self, &next);
        if (day <= 0)
            return false;
        if (!next_date_word(text, length, &position, &next, &after))
            return false;
        if (month_value(self, &after) == MONTH_LINK) {
            rw_word_t link = after;
            if (!next_date_word(text, length, &position, &link, &after))
                return false;
        }
        year = year_value(&after);
    }
    if (!valid_date(year, month, day))
        return false;
    *end = after.end;
    write_iso(iso, year, month, day);
    return true;
}

int rw_gazetteer_date_span(const rw_gazetteer_t *self, const char *text, size_t length,
                           char iso[11], size_t *start, size_t *end)
{
    size_t position = 0;
    rw_word_t word;
    iso[0] = '\0';
    while (rw_match_next_word(text, length, &position, &word)) {
        bool digit_start = word.folded_length && word.folded[0] >= '0' && word.folded[0] <= '9';
        size_t date_end = 0;
        if (word.digits && numeric_date(text, length, word.start, &date_end, iso)) {
            *start = word.start;
            *end = date_end;
            return 1;
        }
        if ((digit_start || !word.digits) &&
            text_date(self, text, length, &word, position, &date_end, iso)) {
            *start = word.start;
            *end = date_end;
            return 1;
        }
    }
    iso[0] = '\0';
    return 0;
}

bool rw_gazetteer_is_calendar_word(const rw_gazetteer_t *self, const char *word, size_t length)
{
    size_t position = 0;
    rw_word_t parsed;
    if (!rw_match_next_word(word, length, &position, &parsed))
        return false;
    int value = month_value(self, &parsed);
    return (value >= 1 && value <= 12) || value == MONTH_WEEKDAY;
}

int rw_gazetteer_date(const rw_gazetteer_t *self, const char *text, size_t length, char iso[11])
{
    size_t start, end;
    return rw_gazetteer_date_span(self, text, length, iso, &start, &end);
}
