/* metadata.c — a statement's metadata from its clean text: language, title, date,
 * place, speaker, role and countries.
 *
 * The rules are about the shape of statements, not about any one publisher:
 *  - the title is the front-matter/HTML title, else the first line near the top that
 *    reads like a heading: long enough (a heading marker or six words), not a document
 *    symbol, not a short date line, not in another language than the document (site
 *    furniture such as a language switcher or a breadcrumb), not yet running prose;
 *  - the header is everything before the first paragraph of running prose; the date is
 *    the front-matter date, else the first date in the header or in the dateline that
 *    opens the first paragraph;
 *  - the place is the capitalised name just before that date ("Astana, 12 July 2012",
 *    "GENEVA (10 March 2024)") or opening a news dateline ("Colombo (AFP) –");
 *  - the speaker is the person named next to a role title (roles.txt), looked for in the
 *    title first and then near the top; a body ("Committee against Torture") leading the
 *    title is the speaker when no person is named;
 *  - countries are all those named; the main one (first) is the first named in the title,
 *    else the most often named.
 * Whatever cannot be found stays NULL: nothing is guessed. */
#include "metadata.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

/* How far into the text the header, dates, places and speakers are looked for. */
#define HEADER_LINES_MAX 40
#define HEADER_BYTES_MAX 6000
#define SPEAKER_BYTES_MAX 5000
#define DATELINE_BYTES 160

/* A line of the text: [start, end), without the "\n". */
typedef struct {
    size_t start, end;
} span_t;

/* ---- Small text helpers ------------------------------------------------------------ */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A copy of text[start, end) with runs of white space made one space, trimmed. */
static char *fold_copy(const char *text, size_t start, size_t end)
{
    char *copy = malloc(end - start + 1);
    if (!copy)
        return NULL;
    size_t used = 0;
    bool space = false;
    for (size_t i = start; i < end; i++) {
        char c = text[i];
        if (is_space(c)) {
            space = used > 0;
            continue;
        }
        /* A no-break space counts as a space too. */
        if ((unsigned char)c == 0xC2 && i + 1 < end && (unsigned char)text[i + 1] == 0xA0) {
            i++;
            space = used > 0;
            continue;
        }
        if (space)
            copy[used++] = ' ';
        space = false;
        copy[used++] = c;
    }
    copy[used] = '\0';
    return copy;
}

/* Replace *field with value (which may be NULL); the old value is freed. */
static void set_field(char **field, char *value)
{
    free(*field);
    *field = value;
}

/* The next line at or after *position; false at the end of the text. */
static bool next_line(const char *text, size_t length, size_t *position, span_t *line)
{
    if (*position >= length)
        return false;
    const char *newline = memchr(text + *position, '\n', length - *position);
    line->start = *position;
    line->end = newline ? (size_t)(newline - text) : length;
    *position = newline ? line->end + 1 : length;
    return true;
}

/* Shrink span to its content: no surrounding white space, markdown heading marks,
 * emphasis marks or trailing footnote marks ("Review*", "[^12]"). Sets *heading when
 * the line was a markdown heading. */
static void strip_line(const char *text, span_t *span, bool *heading)
{
    size_t start = span->start, end = span->end;
    *heading = false;
    while (start < end && is_space(text[start]))
        start++;
    if (start < end && text[start] == '#') {
        *heading = true;
        while (start < end && text[start] == '#')
            start++;
    }
    for (;;) {
        while (start < end && (is_space(text[start]) || text[start] == '*' || text[start] == '_'))
            start++;
        while (end > start && (is_space(text[end - 1]) || text[end - 1] == '*' ||
                               text[end - 1] == '_' || text[end - 1] == '\\'))
            end--;
        /* A footnote reference at the end: "[^748]". */
        if (end > start && text[end - 1] == ']') {
            size_t open = end - 1;
            while (open > start && text[open] != '[')
                open--;
            if (text[open] == '[' && open + 1 < end && text[open + 1] == '^') {
                end = open;
                continue;
            }
        }
        break;
    }
    span->start = start;
    span->end = end;
}

/* Words with at least one letter in text[start, end). */
static unsigned count_words(const char *text, size_t start, size_t end)
{
    size_t position = start;
    unsigned words = 0;
    rw_word_t word;
    while (rw_match_next_word(text, end, &position, &word))
        if (!word.digits)
            words++;
    return words;
}

/* count_words for text, which words cut (rw_match_words_split), read from the list
 * when no word runs across either end of [start, end) (the piece cut alone then has
 * the same words). */
static unsigned count_listed_words(const char *text, const rw_match_words_t *words,
                                   size_t start, size_t end)
{
    const rw_match_token_t *items = words->items;
    size_t low = 0, high = words->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (items[middle].start < start)
            low = middle + 1;
        else
            high = middle;
    }
    if (low > 0 && items[low - 1].end > start)
        return count_words(text, start, end);
    unsigned count = 0;
    for (size_t i = low; i < words->count && items[i].start < end; i++) {
        if (items[i].end > end)
            return count_words(text, start, end);
        count += !items[i].digits;
    }
    return count;
}

/* Does the span contain a document symbol such as "A/HRC/14/12" or "CAT/C/SR.229"
 * (capitals, then a slash)? */
static bool has_document_symbol(const char *text, size_t start, size_t end)
{
    for (size_t i = start + 1; i + 1 < end; i++)
        if (text[i] == '/' && text[i - 1] >= 'A' && text[i - 1] <= 'Z' &&
            ((text[i + 1] >= 'A' && text[i + 1] <= 'Z') ||
             (text[i + 1] >= '0' && text[i + 1] <= '9')))
            return true;
    return false;
}

/* Is the line markup rather than words: an image, an HTML tag or comment, a template
 * directive, a table row, a horizontal rule? */
static bool is_markup_line(const char *text, size_t start, size_t end)
{
    if (start >= end)
        return true;
    char c = text[start];
    if (c == '<' || c == '|' || c == '{' || c == '>' || c == '!' || c == '=')
        return true;
    if (end - start >= 3 && (strncmp(text + start, "---", 3) == 0 ||
                             strncmp(text + start, "+++", 3) == 0))
        return true;
    /* A line that is only a link: "[text](url)". */
    if (c == '[' && text[end - 1] == ')')
        return true;
    return false;
}

/* Does the span end like a sentence? */
static bool ends_sentence(const char *text, size_t start, size_t end)
{
    while (end > start && is_space(text[end - 1]))
        end--;
    if (end == start)
        return false;
    char c = text[end - 1];
    if (c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == '"' || c == ')')
        return true;
    /* ” and » */
    return end - start >= 2 && ((unsigned char)text[end - 2] == 0xC2 &&
                                (unsigned char)c == 0xBB);
}

/* ---- Front matter ------------------------------------------------------------------ */

/* Where the text proper starts: after YAML ("---") or TOML ("+++") front matter when
 * ingest left it in the text. Sets title to the raw title value in it, if any (empty
 * when none). */
static size_t skip_front_matter(const char *text, size_t length, span_t *title)
{
    title->start = title->end = 0;
    size_t position = 0;
    while (position < length && (text[position] == '\n' || text[position] == '\r'))
        position++;
    if (length - position < 4 || !(strncmp(text + position, "---", 3) == 0 ||
                                   strncmp(text + position, "+++", 3) == 0))
        return 0;
    char fence = text[position];
    span_t line = {position, position};
    if (!next_line(text, length, &position, &line))
        return 0;
    size_t fence_end = line.end;
    while (fence_end > line.start && is_space(text[fence_end - 1]))
        fence_end--;
    if (fence_end - line.start != 3)
        return 0;
    bool in_title = false;
    while (next_line(text, length, &position, &line)) {
        size_t start = line.start, end = line.end;
        while (end > start && is_space(text[end - 1]))
            end--;
        if (end - start == 3 && text[start] == fence && text[start + 1] == fence &&
            text[start + 2] == fence)
            return position;
        if (in_title && start < end && (text[start] == ' ' || text[start] == '\t')) {
            title->end = end; /* a folded YAML value goes on, indented */
            continue;
        }
        in_title = false;
        if (end - start > 6 && strncmp(text + start, "title", 5) == 0) {
            size_t i = start + 5;
            while (i < end && text[i] == ' ')
                i++;
            if (i < end && (text[i] == ':' || text[i] == '=')) {
                i++;
                while (i < end && text[i] == ' ')
                    i++;
                title->start = i;
                title->end = end;
                in_title = true;
            }
        }
    }
    return 0; /* no closing fence: not front matter */
}

/* A title value, quotes removed (also a lone opening quote, as left when a quoted value
 * was cut at a line end), white space folded; "" when empty, NULL when out of memory. */
static char *front_matter_title(const char *text, span_t title)
{
    size_t start = title.start, end = title.end;
    char *value = fold_copy(text, start, end > start ? end : start);
    if (!value)
        return NULL;
    size_t length = strlen(value);
    if (length >= 1 && (value[0] == '"' || value[0] == '\'')) {
        bool closed = length >= 2 && value[length - 1] == value[0];
        memmove(value, value + 1, length - 1);
        length--;
        if (closed)
            length--;
        value[length] = '\0';
    }
    while (length && value[length - 1] == ' ')
        value[--length] = '\0';
    return value;
}

/* ---- Header and title -------------------------------------------------------------- */

typedef struct {
    size_t body;          /* where the text proper starts (after front matter) */
    size_t header_end;    /* start of the first paragraph of running prose */
    span_t title;         /* the title line found in the text (empty when none) */
    span_t front_title;   /* raw title in front matter (empty when none) */
} layout_t;

/* Is this line running prose (the end of the header)? */
static bool is_prose(const char *text, size_t start, size_t end, unsigned words)
{
    return words >= 30 || (words >= 12 && ends_sentence(text, start, end));
}

/* Could the stripped line be the title? */
static bool title_candidate(const rw_gazetteer_t *gazetteer, const char *text, span_t content,
                            bool heading, unsigned words, const char *language)
{
    if (words < (heading ? 2u : 6u) || content.end - content.start > 300)
        return false;
    if (has_document_symbol(text, content.start, content.end) && words <= 6)
        return false;
    char iso[11];
    if (words <= 8 &&
        rw_gazetteer_date(gazetteer, text + content.start, content.end - content.start, iso))
        return false; /* a date line */
    if (language) {
        const char *line_language = rw_gazetteer_language_guess(
            gazetteer, text + content.start, content.end - content.start, 2);
        if (line_language && strcmp(line_language, language) != 0)
            return false; /* furniture in another language */
    }
    return true;
}

/* The end of the paragraph (block of non-blank lines) that starts at start. */
static size_t paragraph_end(const char *text, size_t length, size_t start)
{
    size_t position = start;
    span_t line;
    size_t end = start;
    while (next_line(text, length, &position, &line)) {
        size_t i = line.start;
        while (i < line.end && is_space(text[i]))
            i++;
        if (i == line.end)
            break;
        end = line.end;
    }
    return end;
}

/* Find the header's end and the best title line. */
static void find_layout(const rw_gazetteer_t *gazetteer, const char *text, size_t length,
                        const rw_match_words_t *words, const char *language,
                        layout_t *layout)
{
    layout->body = skip_front_matter(text, length, &layout->front_title);
    layout->header_end = length;
    layout->title.start = layout->title.end = 0;
    size_t position = layout->body;
    unsigned lines = 0;
    bool paragraph_start = true;
    span_t line;
    while (next_line(text, length, &position, &line)) {
        if (lines++ >= HEADER_LINES_MAX || line.start - layout->body > HEADER_BYTES_MAX) {
            layout->header_end = line.start;
            break;
        }
        bool heading;
        span_t content = line;
        strip_line(text, &content, &heading);
        bool starts = paragraph_start;
        paragraph_start = content.start >= content.end;
        if (content.start >= content.end || is_markup_line(text, content.start, content.end))
            continue;
        unsigned count = count_listed_words(text, words, content.start, content.end);
        bool have_title = layout->title.end > layout->title.start;
        if (!heading && is_prose(text, content.start, content.end, count)) {
            layout->header_end = line.start;
            break;
        }
        if (!heading && starts) {
            /* A paragraph of running prose wrapped over several lines ends the header;
             * its first line may still be a title set directly above the text. */
            size_t end = paragraph_end(text, length, line.start);
            if (end > line.end &&
                is_prose(text, line.start, end,
                         count_listed_words(text, words, line.start, end))) {
                if (!have_title && !ends_sentence(text, content.start, content.end) &&
                    title_candidate(gazetteer, text, content, heading, count, language)) {
                    layout->title = content;
                    layout->header_end = position;
                } else {
                    layout->header_end = line.start;
                }
                break;
            }
        }
        if (!have_title && title_candidate(gazetteer, text, content, heading, count, language))
            layout->title = content;
    }
}

/* ---- Countries --------------------------------------------------------------------- */

#define COUNTRIES_MAX 300

typedef struct {
    char codes[COUNTRIES_MAX][3];
    unsigned counts[COUNTRIES_MAX];
    size_t count;
} country_tally_t;

static bool tally_country(void *context, size_t start, size_t end, const char *code)
{
    (void)start;
    (void)end;
    country_tally_t *tally = context;
    /* codes are two letters and a NUL: compare the three bytes the tally keeps */
    for (size_t i = 0; i < tally->count; i++) {
        if (memcmp(tally->codes[i], code, 3) == 0) {
            tally->counts[i]++;
            return true;
        }
    }
    if (tally->count < COUNTRIES_MAX) {
        memcpy(tally->codes[tally->count], code, 3);
        tally->counts[tally->count++] = 1;
    }
    return true;
}

static bool first_country(void *context, size_t start, size_t end, const char *code)
{
    (void)start;
    (void)end;
    memcpy(context, code, 3);
    return false;
}

/* All countries of the text, the main one first. */
static int fill_countries(const rw_gazetteer_t *gazetteer, const char *text, size_t length,
                          const rw_match_words_t *words, const char *title, rw_strings_t *out)
{
    country_tally_t *tally = calloc(1, sizeof *tally);
    if (!tally)
        return -ENOMEM;
    rw_gazetteer_scan_countries_words(gazetteer, text, length, words, tally_country, tally);
    char main_code[3] = "";
    if (title)
        rw_gazetteer_scan_countries(gazetteer, title, strlen(title), first_country, main_code);
    if (!main_code[0] && tally->count) {
        size_t best = 0;
        for (size_t i = 1; i < tally->count; i++)
            if (tally->counts[i] > tally->counts[best])
                best = i;
        memcpy(main_code, tally->codes[best], 3);
    }
    int status = 0;
    if (main_code[0])
        status = rw_strings_add_unique(out, main_code);
    for (size_t i = 0; status == 0 && i < tally->count; i++)
        status = rw_strings_add_unique(out, tally->codes[i]);
    free(tally);
    return status;
}

/* ---- Names: places and people ------------------------------------------------------ */

/* Is the word a capitalised word that may be part of a proper name (not a function word,
 * a month or a weekday)? */
static bool name_word(const rw_gazetteer_t *gazetteer, const char *text, const rw_word_t *word)
{
    if (!word->capital || word->digits)
        return false;
    if (rw_gazetteer_is_stopword(gazetteer, text + word->start, word->end - word->start))
        return false;
    return !rw_gazetteer_is_calendar_word(gazetteer, text + word->start,
                                          word->end - word->start);
}

/* Is the whole of text[start, end) one country name? */
typedef struct {
    size_t start, end;
    bool whole;
} whole_country_t;

static bool check_whole_country(void *context, size_t start, size_t end, const char *code)
{
    (void)code;
    whole_country_t *check = context;
    if (start == check->start && end == check->end)
        check->whole = true;
    return false;
}

static bool is_country(const rw_gazetteer_t *gazetteer, const char *text, size_t start,
                       size_t end)
{
    whole_country_t check = {0, end - start, false};
    rw_gazetteer_scan_countries(gazetteer, text + start, end - start, check_whole_country,
                                &check);
    return check.whole;
}

/* A copy of a place name; one written in capitals ("GENEVA") gets ordinary case. */
static char *place_copy(const char *text, size_t start, size_t end)
{
    char *place = fold_copy(text, start, end);
    if (!place)
        return NULL;
    bool has_lower = false;
    for (char *p = place; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            has_lower = true;
    if (!has_lower) {
        bool word_start = true;
        for (char *p = place; *p; p++) {
            if (*p >= 'A' && *p <= 'Z' && !word_start)
                *p = (char)(*p + 32);
            word_start = *p == ' ' || *p == '-';
        }
    }
    return place;
}

/* The run of capitalised words (at most 3) that ends at text[end] going backwards,
 * within [floor, end). Country names at its front are dropped when something is left
 * ("mission to Kazakhstan Astana" → "Astana"). */
static bool place_before(const rw_gazetteer_t *gazetteer, const char *text, size_t floor,
                         size_t end, span_t *place)
{
    /* Collect words of the line before end, keeping the last few. */
    rw_word_t words[3];
    size_t count = 0;
    size_t position = floor;
    rw_word_t word;
    while (rw_match_next_word(text, end, &position, &word)) {
        if (count == 3) {
            words[0] = words[1];
            words[1] = words[2];
            count = 2;
        }
        words[count++] = word;
    }
    if (count == 0 || words[count - 1].end != end)
        return false;
    /* Walk back while the words are name words separated by spaces or hyphens. */
    size_t first = count - 1;
    if (!name_word(gazetteer, text, &words[first]))
        return false;
    while (first > 0 && name_word(gazetteer, text, &words[first - 1])) {
        bool joined = true;
        for (size_t i = words[first - 1].end; i < words[first].start; i++)
            if (text[i] != ' ' && text[i] != '-')
                joined = false;
        if (!joined)
            break;
        first--;
    }
    while (first < count - 1 &&
           is_country(gazetteer, text, words[first].start, words[first].end))
        first++;
    place->start = words[first].start;
    place->end = words[count - 1].end;
    return true;
}

/* A dateline place: the name just before a date ("Astana, 12 July 2012",
 * "GENEVA (10 March 2024)"). */
static char *place_at_date(const rw_gazetteer_t *gazetteer, const char *text,
                           size_t date_start)
{
    size_t i = date_start;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
        i--;
    if (i == 0 || (text[i - 1] != ',' && text[i - 1] != '('))
        return NULL;
    i--;
    while (i > 0 && text[i - 1] == ' ')
        i--;
    size_t floor = i;
    while (floor > 0 && text[floor - 1] != '\n' && i - floor < 200)
        floor--;
    span_t place;
    if (!place_before(gazetteer, text, floor, i, &place))
        return NULL;
    return place_copy(text, place.start, place.end);
}

/* A news dateline opening a paragraph: "Colombo (News 1st) – ...", "GENEVA – ...". */
static char *place_at_paragraph(const rw_gazetteer_t *gazetteer, const char *text,
                                size_t length, size_t start)
{
    size_t end = start + DATELINE_BYTES < length ? start + DATELINE_BYTES : length;
    size_t position = start;
    rw_word_t word;
    size_t name_end = start;
    unsigned names = 0;
    while (rw_match_next_word(text, end, &position, &word) && names < 3) {
        if (!name_word(gazetteer, text, &word))
            break;
        if (names && (word.start != name_end + 1 || text[name_end] != ' '))
            break;
        name_end = word.end;
        names++;
    }
    if (names == 0)
        return NULL;
    size_t i = name_end;
    while (i < end && text[i] == ' ')
        i++;
    if (i < end && (text[i] == '(' || text[i] == ',')) {
        const char *close = text[i] == '(' ? memchr(text + i, ')', end - i) : NULL;
        if (text[i] == '(' && !close)
            return NULL;
        i = close ? (size_t)(close - text) + 1 : i + 1;
        while (i < end && text[i] == ' ')
            i++;
    }
    /* A dash: "-", "–" (E2 80 93) or "—" (E2 80 94), followed by a space. */
    size_t dash = 0;
    if (i < end && text[i] == '-')
        dash = 1;
    else if (i + 2 < end && (unsigned char)text[i] == 0xE2 &&
             (unsigned char)text[i + 1] == 0x80 &&
             ((unsigned char)text[i + 2] == 0x93 || (unsigned char)text[i + 2] == 0x94))
        dash = 3;
    if (!dash || i + dash >= end || text[i + dash] != ' ')
        return NULL;
    return place_copy(text, start, name_end);
}

/* A person's name starting at text[start]: 1 to 4 capitalised words, with particles
 * ("de", "van", "bin") and initials ("A.") between them. */
static bool name_after(const rw_gazetteer_t *gazetteer, const char *text, size_t length,
                       size_t start, span_t *name)
{
    size_t position = start, end = start;
    rw_word_t word;
    unsigned names = 0, particles = 0;
    while (rw_match_next_word(text, length, &position, &word)) {
        /* Words of a name are separated by one space, a hyphen or an initial's dot. */
        if (names) {
            bool joined = word.start - end <= 2;
            for (size_t i = end; i < word.start; i++)
                if (text[i] != ' ' && text[i] != '-' && text[i] != '.')
                    joined = false;
            if (!joined)
                break;
        } else {
            for (size_t i = start; i < word.start; i++)
                if (text[i] != ' ')
                    return false;
            if (word.start - start > 2)
                return false;
        }
        if (word.capital && !word.digits && !word.all_capitals &&
            !rw_gazetteer_is_stopword(gazetteer, text + word.start, word.end - word.start) &&
            !rw_gazetteer_is_calendar_word(gazetteer, text + word.start,
                                           word.end - word.start)) {
            names++;
            end = word.end;
            if (end < length && text[end] == '.' && word.letters == 1)
                end++; /* an initial */
            if (names == 4)
                break;
            continue;
        }
        /* A lower-case particle between two names. */
        if (names && !word.capital && word.letters <= 3 && particles < 2 &&
            rw_gazetteer_is_stopword(gazetteer, text + word.start, word.end - word.start)) {
            size_t look = position;
            rw_word_t next;
            if (rw_match_next_word(text, length, &look, &next) && next.capital &&
                next.start == word.end + 1) {
                particles++;
                continue;
            }
        }
        break;
    }
    if (names == 0)
        return false;
    if (is_country(gazetteer, text, start + (size_t)(strspn(text + start, " ")), end))
        return false;
    name->start = start;
    while (name->start < end && text[name->start] == ' ')
        name->start++;
    name->end = end;
    return true;
}

/* The end of a role's complement: "Special Rapporteur on [the independence of judges
 * and lawyers]". It stops at punctuation, a line break or after 12 words. */
static size_t complement_end(const char *text, size_t length, size_t start)
{
    size_t position = start, end = start;
    rw_word_t word;
    unsigned words = 0;
    while (words < 12 && rw_match_next_word(text, length, &position, &word)) {
        for (size_t i = end; i < word.start; i++) {
            char c = text[i];
            if (c != ' ' && c != '-' && c != '\'')
                return end;
        }
        end = word.end;
        words++;
    }
    return end;
}

typedef struct {
    const rw_gazetteer_t *gazetteer;
    const char *text;
    size_t length;
    size_t title_limit;     /* the title is text[0, title_limit) when searching it */
    span_t speaker, role;   /* found person and their role */
    span_t body;            /* a body leading the title */
    bool found;
} speaker_search_t;

/* The words of text[from, to) are one optional function word at most. */
static bool only_determiner(const speaker_search_t *search, size_t from, size_t to)
{
    size_t position = from;
    rw_word_t word;
    unsigned words = 0;
    while (rw_match_next_word(search->text, to, &position, &word)) {
        if (++words > 1 ||
            !rw_gazetteer_is_stopword(search->gazetteer, search->text + word.start,
                                      word.end - word.start))
            return false;
    }
    return true;
}

static bool speaker_at_role(void *context, size_t start, size_t end, int kind)
{
    speaker_search_t *search = context;
    const char *text = search->text;
    size_t length = search->length;
    if (kind & RW_ROLE_COMPLEMENT)
        end = complement_end(text, length, end);
    if (kind & RW_ROLE_BODY) {
        /* A body leading the title speaks for itself. */
        if (search->title_limit && search->body.end == 0 && only_determiner(search, 0, start)) {
            search->body.start = start;
            search->body.end = end;
        }
        return true;
    }
    /* "Role Name" or "Role, Name". */
    size_t after = end;
    if (after < length && text[after] == ',')
        after++;
    span_t name;
    if (name_after(search->gazetteer, text, length, after, &name)) {
        search->speaker = name;
        search->role.start = start;
        search->role.end = end;
        search->found = true;
        return false;
    }
    /* "Name, Role" or "Name, the Role". */
    size_t before = start;
    while (before > 0 && text[before - 1] == ' ')
        before--;
    size_t comma = before;
    bool has_comma = comma > 0 && text[comma - 1] == ',';
    if (!has_comma) {
        /* Allow one determiner between the comma and the role ("Navi Pillay, the ..."). */
        size_t word_start = before;
        while (word_start > 0 && text[word_start - 1] != ' ' && text[word_start - 1] != ',')
            word_start--;
        if (word_start < before &&
            rw_gazetteer_is_stopword(search->gazetteer, text + word_start, before - word_start)) {
            comma = word_start;
            while (comma > 0 && text[comma - 1] == ' ')
                comma--;
            has_comma = comma > 0 && text[comma - 1] == ',';
        }
    }
    if (has_comma) {
        size_t floor = comma - 1;
        while (floor > 0 && text[floor - 1] != '\n' && comma - 1 - floor < 80)
            floor--;
        span_t place; /* place_before finds a run of capitalised words: a name here */
        if (place_before(search->gazetteer, text, floor, comma - 1, &place) &&
            count_words(text, place.start, place.end) >= 2) {
            search->speaker = place;
            search->role.start = start;
            search->role.end = end;
            search->found = true;
            return false;
        }
    }
    return true;
}

/* ---- Filling ------------------------------------------------------------------------ */

/* Speaker and role: in the title first, then near the top of the text. */
/* The speaker and role a search found become the document's. 0 or -ENOMEM. */
static int take_speaker(const speaker_search_t *search, rw_document_t *document)
{
    char *speaker = fold_copy(search->text, search->speaker.start, search->speaker.end);
    char *role = fold_copy(search->text, search->role.start, search->role.end);
    if (!speaker || !role) {
        free(speaker);
        free(role);
        return -ENOMEM;
    }
    set_field(&document->speaker, speaker);
    set_field(&document->role, role);
    return 0;
}

static int fill_speaker(const rw_gazetteer_t *gazetteer, const rw_text_t *text,
                        const rw_match_words_t *words, const layout_t *layout,
                        const char *title, rw_document_t *document)
{
    speaker_search_t search;
    memset(&search, 0, sizeof search);
    search.gazetteer = gazetteer;
    if (title) {
        search.text = title;
        search.length = strlen(title);
        search.title_limit = search.length;
        rw_gazetteer_scan_roles(gazetteer, title, search.length, speaker_at_role, &search);
    }
    if (search.found)
        return take_speaker(&search, document);
    span_t body = search.body;
    size_t end = text->length;
    if (end - layout->body > SPEAKER_BYTES_MAX)
        end = layout->body + SPEAKER_BYTES_MAX;
    memset(&search, 0, sizeof search);
    search.gazetteer = gazetteer;
    search.text = text->data + layout->body; /* spans are relative to the body */
    search.length = end - layout->body;
    rw_gazetteer_scan_roles_range(gazetteer, text->data, layout->body, end, words,
                                  speaker_at_role, &search);
    if (search.found)
        return take_speaker(&search, document);
    if (title && body.end > body.start) {
        char *speaker = fold_copy(title, body.start, body.end);
        if (!speaker)
            return -ENOMEM;
        set_field(&document->speaker, speaker);
    }
    return 0;
}

/* Is the date [date_start, date_end) the dateline opening the paragraph at start: a few
 * words at most before it ("GENEVA (", "Astana,") and a dash, a colon or the line end
 * after it? */
static bool is_dateline(const char *text, size_t length, size_t start, size_t date_start,
                        size_t date_end)
{
    if (count_words(text, start, date_start) > 4)
        return false;
    size_t i = date_end;
    while (i < length && (text[i] == ' ' || text[i] == ')' || text[i] == ','))
        i++;
    if (i >= length || text[i] == '\n' || text[i] == ':' || text[i] == '-')
        return true;
    return i + 2 < length && (unsigned char)text[i] == 0xE2 &&
           (unsigned char)text[i + 1] == 0x80 &&
           ((unsigned char)text[i + 2] == 0x93 || (unsigned char)text[i + 2] == 0x94);
}

/* Language, on the clean text (rw_gazetteer_language's rule: 4 function words); its
 * code, or NULL, goes to *language. */
static int fill_language(const rw_gazetteer_t *gazetteer, const rw_text_t *text,
                         const rw_match_words_t *words, rw_document_t *document,
                         const char **language)
{
    *language = rw_gazetteer_language_guess_words(gazetteer, text->data, text->length,
                                                  words, 4);
    if (*language) {
        char *copy = strdup(*language);
        if (!copy)
            return -ENOMEM;
        set_field(&document->language, copy);
    }
    return 0;
}

/* The front matter title at span of source into *title, NULL when it is empty. */
static int front_title(const char *source, span_t span, char **title)
{
    *title = front_matter_title(source, span);
    if (!*title)
        return -ENOMEM;
    if (!(*title)[0]) {
        free(*title);
        *title = NULL;
    }
    return 0;
}

/* Title: the one given with the text, else the front matter's; a heading that goes on
 * where it stops (a title cut at a line end in front matter) is the fuller title; else
 * the heading. */
static int fill_title(const rw_text_t *text, const layout_t *layout, rw_document_t *document)
{
    const char *data = text->data;
    char *title = NULL;
    if (text->title) {
        span_t raw = {0, strlen(text->title)};
        if (front_title(text->title, raw, &title) != 0)
            return -ENOMEM;
    }
    if (!title && layout->front_title.end > layout->front_title.start &&
        front_title(data, layout->front_title, &title) != 0)
        return -ENOMEM;
    if (title && layout->title.end > layout->title.start) {
        char *line = fold_copy(data, layout->title.start, layout->title.end);
        if (!line) {
            free(title);
            return -ENOMEM;
        }
        size_t given = strlen(title);
        if (strlen(line) > given && strncmp(line, title, given) == 0) {
            free(title);
            title = line;
        } else {
            free(line);
        }
    }
    if (!title && layout->title.end > layout->title.start) {
        title = fold_copy(data, layout->title.start, layout->title.end);
        if (!title)
            return -ENOMEM;
    }
    set_field(&document->title, title);
    return 0;
}

/* A date found in the header or as the first paragraph's dateline. */
typedef struct {
    bool found;
    size_t start;   /* where it starts in the text */
    char iso[11];
} header_date_t;

/* The header's date, or the dateline of the first paragraph (a date inside the first
 * paragraph counts only as its dateline). */
static header_date_t find_header_date(const rw_gazetteer_t *gazetteer, const rw_text_t *text,
                                      const layout_t *layout)
{
    const char *data = text->data;
    size_t length = text->length;
    header_date_t date = {false, 0, ""};
    size_t search_end = layout->header_end + DATELINE_BYTES < length
                            ? layout->header_end + DATELINE_BYTES : length;
    size_t found_start, found_end;
    date.found = rw_gazetteer_date_span(gazetteer, data + layout->body,
                                        search_end - layout->body, date.iso,
                                        &found_start, &found_end) != 0;
    if (date.found) {
        date.start = layout->body + found_start;
        if (date.start >= layout->header_end &&
            !is_dateline(data, length, layout->header_end, date.start,
                         layout->body + found_end))
            date.found = false;
    }
    return date;
}

/* Date: front matter, else the header's date. */
static int fill_date(const rw_gazetteer_t *gazetteer, const rw_text_t *text,
                     const header_date_t *header, rw_document_t *document)
{
    char iso[11];
    bool have_date = false;
    if (text->date && rw_gazetteer_date(gazetteer, text->date, strlen(text->date), iso))
        have_date = true;
    if (!have_date && header->found) {
        memcpy(iso, header->iso, sizeof iso);
        have_date = true;
    }
    if (have_date) {
        char *copy = strdup(iso);
        if (!copy)
            return -ENOMEM;
        set_field(&document->date, copy);
    }
    return 0;
}

/* Place: before the header's date, else a news dateline. */
static void fill_place(const rw_gazetteer_t *gazetteer, const rw_text_t *text,
                       const layout_t *layout, const header_date_t *header,
                       rw_document_t *document)
{
    char *place = NULL;
    if (header->found)
        place = place_at_date(gazetteer, text->data, header->start);
    if (!place && layout->header_end < text->length)
        place = place_at_paragraph(gazetteer, text->data, text->length, layout->header_end);
    set_field(&document->place, place);
}

/* The metadata of text, whose words are already cut (the whole text is read twice,
 * for its language and its countries: cutting it once serves both). */
static int fill(const rw_gazetteer_t *gazetteer, const rw_text_t *text,
                const rw_match_words_t *words, rw_document_t *document)
{
    const char *language;
    int status = fill_language(gazetteer, text, words, document, &language);
    if (status < 0)
        return status;
    layout_t layout;
    find_layout(gazetteer, text->data, text->length, words, language, &layout);
    status = fill_title(text, &layout, document);
    if (status < 0)
        return status;
    header_date_t header = find_header_date(gazetteer, text, &layout);
    status = fill_date(gazetteer, text, &header, document);
    if (status < 0)
        return status;
    fill_place(gazetteer, text, &layout, &header, document);
    /* Speaker and role. */
    status = fill_speaker(gazetteer, text, words, &layout, document->title, document);
    if (status < 0)
        return status;
    /* Countries, main first. */
    return fill_countries(gazetteer, text->data, text->length, words, document->title,
                          &document->countries);
}

int rw_metadata_fill(const rw_gazetteer_t *gazetteer, const rw_text_t *text,
                     rw_document_t *document)
{
    rw_match_words_t words;
    memset(&words, 0, sizeof words);
    int status = rw_match_words_split(text->data, text->length, &words);
    if (status == 0)
        status = fill(gazetteer, text, &words, document);
    rw_match_words_clear(&words);
    return status;
}

int rw_metadata_fill_words(const rw_gazetteer_t *gazetteer, const rw_text_t *text,
                           const rw_match_words_t *words, rw_document_t *document)
{
    return fill(gazetteer, text, words, document);
}
