/* html.c — HTML to clean text: a streaming tokenizer over decoded UTF-8.
 *
 * The input is read once, left to right. Text runs go to the writer (decode.h), which
 * collapses white space; tags only ask for breaks, start or end a dropped element, or
 * push and pop list counters. There is no tree and no recursion: a dropped element is
 * skipped by counting its own name's start and end tags, lists live on a heap stack,
 * and every search (end of comment, end of script, closing quote) moves forward only,
 * so time is linear and the C stack is constant whatever the nesting depth.
 *
 * Named entities: the HTML entity names of Latin-1 and the common typographic ones
 * (an encoding standard, like Windows-1252), sorted for binary search. */
#include "html.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Longest tag name we compare; longer names match nothing. */
#define NAME_SIZE 32
/* Longest entity name. */
#define ENTITY_NAME_SIZE 32
/* How far into the file rw_html_detect looks. */
#define DETECT_WINDOW 1024

typedef struct {
    const char *name;
    uint32_t codepoint;
} entity_t;

/* Sorted by strcmp. */
static const entity_t entities[] = {
    {"AElig", 0x00C6}, {"Aacute", 0x00C1}, {"Acirc", 0x00C2}, {"Agrave", 0x00C0},
    {"Aring", 0x00C5}, {"Atilde", 0x00C3}, {"Auml", 0x00C4}, {"Ccedil", 0x00C7},
    {"Dagger", 0x2021}, {"ETH", 0x00D0}, {"Eacute", 0x00C9}, {"Ecirc", 0x00CA},
    {"Egrave", 0x00C8}, {"Euml", 0x00CB}, {"Iacute", 0x00CD}, {"Icirc", 0x00CE},
    {"Igrave", 0x00CC}, {"Iuml", 0x00CF}, {"NonBreakingSpace", 0x00A0},
    {"Ntilde", 0x00D1}, {"OElig", 0x0152}, {"Oacute", 0x00D3}, {"Ocirc", 0x00D4},
    {"Ograve", 0x00D2}, {"Oslash", 0x00D8}, {"Otilde", 0x00D5}, {"Ouml", 0x00D6},
    {"Prime", 0x2033}, {"Scaron", 0x0160}, {"THORN", 0x00DE}, {"Uacute", 0x00DA},
    {"Ucirc", 0x00DB}, {"Ugrave", 0x00D9}, {"Uuml", 0x00DC}, {"Yacute", 0x00DD},
    {"Yuml", 0x0178}, {"ZeroWidthSpace", 0x200B}, {"aacute", 0x00E1}, {"acirc", 0x00E2},
    {"acute", 0x00B4}, {"aelig", 0x00E6}, {"agrave", 0x00E0}, {"amp", 0x0026},
    {"apos", 0x0027}, {"aring", 0x00E5}, {"asymp", 0x2248}, {"atilde", 0x00E3},
    {"auml", 0x00E4}, {"bdquo", 0x201E}, {"brvbar", 0x00A6}, {"bull", 0x2022},
    {"ccedil", 0x00E7}, {"cedil", 0x00B8}, {"cent", 0x00A2}, {"circ", 0x02C6},
    {"copy", 0x00A9}, {"curren", 0x00A4}, {"dagger", 0x2020}, {"darr", 0x2193},
    {"dash", 0x2010}, {"deg", 0x00B0}, {"divide", 0x00F7}, {"eacute", 0x00E9},
    {"ecirc", 0x00EA}, {"egrave", 0x00E8}, {"emsp", 0x2003}, {"ensp", 0x2002},
    {"eth", 0x00F0}, {"euml", 0x00EB}, {"euro", 0x20AC}, {"fnof", 0x0192},
    {"frac12", 0x00BD}, {"frac14", 0x00BC}, {"frac34", 0x00BE}, {"frasl", 0x2044},
    {"ge", 0x2265}, {"gt", 0x003E}, {"hairsp", 0x200A}, {"harr", 0x2194},
    {"hellip", 0x2026}, {"horbar", 0x2015}, {"hyphen", 0x2010}, {"iacute", 0x00ED},
    {"icirc", 0x00EE}, {"iexcl", 0x00A1}, {"igrave", 0x00EC}, {"infin", 0x221E},
    {"iquest", 0x00BF}, {"iuml", 0x00EF}, {"laquo", 0x00AB}, {"larr", 0x2190},
    {"ldquo", 0x201C}, {"le", 0x2264}, {"lrm", 0x200E}, {"lsaquo", 0x2039},
    {"lsquo", 0x2018}, {"lt", 0x003C}, {"macr", 0x00AF}, {"mdash", 0x2014},
    {"micro", 0x00B5}, {"middot", 0x00B7}, {"minus", 0x2212}, {"nbsp", 0x00A0},
    {"ndash", 0x2013}, {"ne", 0x2260}, {"not", 0x00AC}, {"ntilde", 0x00F1},
    {"numero", 0x2116}, {"oacute", 0x00F3}, {"ocirc", 0x00F4}, {"oelig", 0x0153},
    {"ograve", 0x00F2}, {"oline", 0x203E}, {"ordf", 0x00AA}, {"ordm", 0x00BA},
    {"oslash", 0x00F8}, {"otilde", 0x00F5}, {"ouml", 0x00F6}, {"para", 0x00B6},
    {"permil", 0x2030}, {"plusmn", 0x00B1}, {"pound", 0x00A3}, {"prime", 0x2032},
    {"quot", 0x0022}, {"raquo", 0x00BB}, {"rarr", 0x2192}, {"rdquo", 0x201D},
    {"reg", 0x00AE}, {"rlm", 0x200F}, {"rsaquo", 0x203A}, {"rsquo", 0x2019},
    {"sbquo", 0x201A}, {"scaron", 0x0161}, {"sect", 0x00A7}, {"shy", 0x00AD},
    {"sup1", 0x00B9}, {"sup2", 0x00B2}, {"sup3", 0x00B3}, {"szlig", 0x00DF},
    {"thinsp", 0x2009}, {"thorn", 0x00FE}, {"tilde", 0x02DC}, {"times", 0x00D7},
    {"trade", 0x2122}, {"uacute", 0x00FA}, {"uarr", 0x2191}, {"ucirc", 0x00FB},
    {"ugrave", 0x00F9}, {"uml", 0x00A8}, {"uuml", 0x00FC}, {"yacute", 0x00FD},
    {"yen", 0x00A5}, {"yuml", 0x00FF}, {"zwj", 0x200D}, {"zwnj", 0x200C},
};

/* Entities browsers also accept without the final ';'. */
static const char *const legacy_entities[] = {"amp", "lt", "gt", "quot", "nbsp", "copy", "reg"};

/* Elements whose start and end tags are paragraph breaks. */
static const char *const block_elements[] = {
    "address", "article", "blockquote", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "h1",
    "h2", "h3", "h4", "h5", "h6", "hgroup", "hr", "legend", "li", "main", "menu",
    "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
};

/* Elements dropped with their content. */
static const char *const dropped_elements[] = {
    "aside", "button", "canvas", "footer", "form", "header", "iframe", "nav",
    "noscript", "object", "select", "svg", "template", "math",
};

/* Dropped elements that still separate what comes before and after them. */
static const char *const sectioning_elements[] = {"aside", "footer", "form", "header", "nav"};

/* Elements whose content is raw text up to their end tag (never markup). */
static const char *const raw_elements[] = {
    "script", "style", "textarea", "xmp", "noembed", "noframes",
};

/* Elements without content: role/aria-hidden on them skips nothing. */
static const char *const void_elements[] = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link",
    "meta", "param", "source", "track", "wbr",
};

/* Elements that may stay inside <head> without closing it. */
static const char *const head_elements[] = {
    "base", "head", "html", "link", "meta", "noscript", "script", "style", "template",
    "title",
};

/* Other tag names that make a file HTML when seen near its start. */
static const char *const detect_elements[] = {
    "a", "b", "body", "br", "em", "head", "html", "i", "img", "link", "meta", "span",
    "strong", "title",
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* A byte range of the decoded text; present when to > 0 or the attribute was seen. */
typedef struct {
    size_t from;
    size_t to;
    bool present;
} range_t;

/* One tag, as much of it as the converter needs. */
typedef struct {
    char name[NAME_SIZE]; /* lower case, NUL-terminated; "" when too long */
    bool end;             /* </name> */
    bool self_closing;    /* <name ... /> */
    size_t start;         /* position of '<' */
    size_t stop;          /* position after '>' */
    range_t role, aria_hidden, meta_name, property, content, datetime, list_start;
} tag_t;

/* The converter's state. */
typedef struct {
    const rw_decode_t *source;
    const unsigned char *data;
    size_t length;
    rw_decode_writer_t *writer;
    size_t last_double_quote; /* position of the last '"' in data (0 when none) */
    size_t last_single_quote;
    size_t next_less;         /* cached positions of the next '<' and '&' */
    size_t next_ampersand;
    long *lists;              /* list stack: -1 for <ul>, else the last number of <ol> */
    size_t list_count;
    size_t list_capacity;
    char skip_name[NAME_SIZE]; /* element being dropped, when skip_depth > 0 */
    size_t skip_depth;
    size_t pre_depth;
    bool in_head;
    char *title;
    char *og_title;
    char *meta_date;
    char *time_date;
} html_t;

static bool is_space(unsigned char byte)
{
    return byte == ' ' || byte == '\t' || byte == '\n' || byte == '\r' || byte == '\f';
}

static bool is_alpha(unsigned char byte)
{
    return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
}

static bool is_digit(unsigned char byte) { return byte >= '0' && byte <= '9'; }

static bool is_hex_letter(unsigned char byte)
{
    return (byte >= 'a' && byte <= 'f') || (byte >= 'A' && byte <= 'F');
}

static bool is_alnum(unsigned char byte) { return is_alpha(byte) || is_digit(byte); }

/* The n bytes at bytes equal text, ignoring ASCII case (daemon/strings.h shadows the
 * system <strings.h>, so no strncasecmp). */
static bool equal_nocase(const unsigned char *bytes, const char *text, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        unsigned char a = bytes[k], b = (unsigned char)text[k];
        if (a >= 'A' && a <= 'Z')
            a |= 0x20;
        if (b >= 'A' && b <= 'Z')
            b |= 0x20;
        if (a != b)
            return false;
    }
    return true;
}

static bool in_list(const char *name, const char *const *list, size_t count)
{
    for (size_t k = 0; k < count; k++)
        if (strcmp(name, list[k]) == 0)
            return true;
    return false;
}

/* ---- entities -------------------------------------------------------------------- */

static int compare_entity(const void *key, const void *item)
{
    return strcmp(key, ((const entity_t *)item)->name);
}

static uint32_t numeric_value(uint32_t value)
{
    if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0xFFFD;
    if (value >= 0x80 && value < 0xA0)
        return rw_decode_cp1252((unsigned char)value); /* what browsers do */
    return value;
}

/* The entity at data[i] == '&'. Returns the position after it and sets *codepoint,
 * or returns i when it is not an entity (the '&' is then literal). */
static size_t parse_entity(const unsigned char *data, size_t length, size_t i,
                           uint32_t *codepoint)
{
    size_t j = i + 1;
    if (j < length && data[j] == '#') {
        j++;
        bool hex = j < length && (data[j] == 'x' || data[j] == 'X');
        if (hex)
            j++;
        size_t digits_from = j;
        uint32_t value = 0;
        while (j < length && (is_digit(data[j]) || (hex && is_hex_letter(data[j])))) {
            unsigned digit = is_digit(data[j]) ? (unsigned)(data[j] - '0')
                                               : (unsigned)((data[j] | 0x20) - 'a' + 10);
            if (value <= 0x10FFFF)
                value = value * (hex ? 16 : 10) + digit;
            j++;
        }
        if (j == digits_from)
            return i;
        if (j < length && data[j] == ';')
            j++;
        *codepoint = numeric_value(value);
        return j;
    }
    char name[ENTITY_NAME_SIZE + 1];
    size_t count = 0;
    while (j < length && is_alnum(data[j]) && count < ENTITY_NAME_SIZE)
        name[count++] = (char)data[j++];
    if (count == 0 || (j < length && is_alnum(data[j])))
        return i;
    name[count] = '\0';
    bool terminated = j < length && data[j] == ';';
    if (!terminated && !in_list(name, legacy_entities, COUNT(legacy_entities)))
        return i;
    const entity_t *found =
        bsearch(name, entities, COUNT(entities), sizeof entities[0], compare_entity);
    if (!found)
        return i;
    *codepoint = found->codepoint;
    return terminated ? j + 1 : j;
}

/* Decoded text [from, to) as one line: entities decoded, white space collapsed and
 * trimmed, controls dropped. NULL when empty or out of memory (*failed set). */
static char *clean_string(const unsigned char *data, size_t from, size_t to, bool *failed)
{
    /* No entity or character grows when decoded, so to - from bytes are enough. */
    char *out = malloc(to - from + 1);
    if (!out) {
        rw_error("ingest: out of memory copying an HTML title or date");
        *failed = true;
        return NULL;
    }
    size_t length = 0;
    bool space = false;
    for (size_t i = from; i < to;) {
        uint32_t codepoint = data[i];
        size_t next = i + 1;
        if (data[i] == '&') {
            next = parse_entity(data, to, i, &codepoint);
            if (next == i) {
                codepoint = '&';
                next = i + 1;
            }
        } else if (data[i] >= 0x80) {
            size_t count = rw_decode_utf8_valid(data + i, to - i);
            if (count == 0)
                count = 1; /* cannot happen: the source is valid UTF-8 */
            next = i + count;
            codepoint = 0;
            for (size_t k = 0; k < count; k++)
                codepoint = k == 0 ? (uint32_t)(data[i] & (0x7F >> count))
                                   : (codepoint << 6) | (data[i + k] & 0x3F);
        }
        i = next;
        if (codepoint == 0xA0 || codepoint == 0x202F ||
            (codepoint < 0x80 && is_space((unsigned char)codepoint))) {
            space = length > 0;
            continue;
        }
        if (codepoint < 0x20)
            continue;
        if (codepoint == 0x7F || (codepoint >= 0x80 && codepoint < 0xA0) || codepoint == 0xAD ||
            (codepoint >= 0x200B && codepoint <= 0x200D) || codepoint == 0xFEFF)
            continue;
        if (space) {
            out[length++] = ' ';
            space = false;
        }
        length += rw_decode_utf8_encode(codepoint, (unsigned char *)out + length);
    }
    if (length == 0) {
        free(out);
        return NULL;
    }
    out[length] = '\0';
    return out;
}

/* ---- tags ------------------------------------------------------------------------ */

/* Remember attribute [name_from, name_to) = [value_from, value_to) if it matters. */
static void note_attribute(const unsigned char *data, tag_t *tag, size_t name_from,
                           size_t name_to, size_t value_from, size_t value_to)
{
    static const struct {
        const char *name;
        size_t offset;
    } wanted[] = {
        {"role", offsetof(tag_t, role)},
        {"aria-hidden", offsetof(tag_t, aria_hidden)},
        {"name", offsetof(tag_t, meta_name)},
        {"property", offsetof(tag_t, property)},
        {"content", offsetof(tag_t, content)},
        {"datetime", offsetof(tag_t, datetime)},
        {"start", offsetof(tag_t, list_start)},
    };
    size_t length = name_to - name_from;
    for (size_t k = 0; k < COUNT(wanted); k++) {
        if (strlen(wanted[k].name) != length ||
            !equal_nocase(data + name_from, wanted[k].name, length))
            continue;
        range_t *range = (range_t *)((char *)tag + wanted[k].offset);
        if (!range->present) { /* the first of duplicate attributes wins */
            range->from = value_from;
            range->to = value_to;
            range->present = true;
        }
        return;
    }
}

/* Value of attribute range equals text, ignoring case and surrounding white space. */
static bool value_is(const unsigned char *data, const range_t *range, const char *text)
{
    if (!range->present)
        return false;
    size_t from = range->from, to = range->to;
    while (from < to && is_space(data[from]))
        from++;
    while (to > from && is_space(data[to - 1]))
        to--;
    return strlen(text) == to - from &&
           equal_nocase(data + from, text, to - from);
}

/* Parse the tag at i: data[i] == '<' followed by a letter, or by '/' and a letter.
 * Fills tag and returns the position after it (the end of the input when the tag is
 * not closed: such a tag is dropped, as browsers do). */
static size_t parse_tag(const html_t *self, size_t i, tag_t *tag)
{
    const unsigned char *data = self->data;
    size_t length = self->length;
    memset(tag, 0, sizeof *tag);
    tag->start = i;
    size_t j = i + 1;
    if (data[j] == '/') {
        tag->end = true;
        j++;
    }
    size_t name_from = j;
    while (j < length && !is_space(data[j]) && data[j] != '/' && data[j] != '>')
        j++;
    if (j - name_from < NAME_SIZE) {
        for (size_t k = name_from; k < j; k++)
            tag->name[k - name_from] =
                (char)(data[k] >= 'A' && data[k] <= 'Z' ? data[k] | 0x20 : data[k]);
        tag->name[j - name_from] = '\0';
    }
    if (tag->end) {
        const unsigned char *close = j < length ? memchr(data + j, '>', length - j) : NULL;
        tag->stop = close ? (size_t)(close - data) + 1 : length;
        return tag->stop;
    }
    for (;;) {
        while (j < length && (is_space(data[j]) || data[j] == '/')) {
            if (data[j] == '/' && j + 1 < length && data[j + 1] == '>')
                tag->self_closing = true;
            j++;
        }
        if (j >= length) {
            tag->stop = length;
            return length;
        }
        if (data[j] == '>') {
            tag->stop = j + 1;
            return tag->stop;
        }
        size_t attribute_from = j++; /* the first character may be anything, even '=' */
        while (j < length && !is_space(data[j]) && data[j] != '/' && data[j] != '>' &&
               data[j] != '=')
            j++;
        size_t attribute_to = j;
        while (j < length && is_space(data[j]))
            j++;
        size_t value_from = j, value_to = j;
        if (j < length && data[j] == '=') {
            j++;
            while (j < length && is_space(data[j]))
                j++;
            unsigned char quote = j < length ? data[j] : 0;
            size_t last = quote == '"' ? self->last_double_quote
                                       : quote == '\'' ? self->last_single_quote : 0;
            if ((quote == '"' || quote == '\'') && last > j) {
                /* A closing quote exists: the value runs to it. */
                const unsigned char *close = memchr(data + j + 1, quote, last - j);
                value_from = j + 1;
                value_to = (size_t)(close - data);
                j = value_to + 1;
            } else {
                /* Unquoted, or a quote never closed: up to white space or '>'. */
                if (quote == '"' || quote == '\'')
                    j++;
                value_from = j;
                while (j < length && !is_space(data[j]) && data[j] != '>')
                    j++;
                value_to = j;
            }
        }
        note_attribute(data, tag, attribute_from, attribute_to, value_from, value_to);
    }
}

/* Position of the end tag </name at or after from, or the end of the input. */
static size_t find_end_tag(const html_t *self, size_t from, const char *name)
{
    const unsigned char *data = self->data;
    size_t length = self->length;
    size_t name_length = strlen(name);
    for (size_t j = from; j < length;) {
        const unsigned char *less = memchr(data + j, '<', length - j);
        if (!less)
            break;
        size_t k = (size_t)(less - data);
        size_t after = k + 2 + name_length;
        if (after <= length && data[k + 1] == '/' &&
            equal_nocase(data + k + 2, name, name_length) &&
            (after == length || is_space(data[after]) || data[after] == '/' ||
             data[after] == '>'))
            return k;
        j = k + 1;
    }
    return length;
}

/* ---- conversion ------------------------------------------------------------------ */

static uint32_t tag_start(const html_t *self, const tag_t *tag)
{
    return rw_decode_start(self->source, tag->start);
}

static uint32_t tag_end(const html_t *self, const tag_t *tag)
{
    return rw_decode_end(self->source, tag->stop - 1);
}

static int push_list(html_t *self, long value)
{
    if (self->list_count == self->list_capacity) {
        size_t capacity = self->list_capacity ? self->list_capacity * 2 : 16;
        long *lists = realloc(self->lists, capacity * sizeof *lists);
        if (!lists) {
            rw_error("ingest: out of memory for %zu nested HTML lists", capacity);
            return -ENOMEM;
        }
        self->lists = lists;
        self->list_capacity = capacity;
    }
    self->lists[self->list_count++] = value;
    return 0;
}

/* Number an <ol> starts from, minus one. */
static long list_first(const html_t *self, const tag_t *tag)
{
    if (!tag->list_start.present)
        return 0;
    long value = 0;
    bool negative = false;
    size_t j = tag->list_start.from;
    while (j < tag->list_start.to && is_space(self->data[j]))
        j++;
    if (j < tag->list_start.to && self->data[j] == '-') {
        negative = true;
        j++;
    }
    for (; j < tag->list_start.to && is_digit(self->data[j]); j++)
        if (value < 100000000)
            value = value * 10 + (self->data[j] - '0');
    return (negative ? -value : value) - 1;
}

/* "\n\n• " or "\n\n3. " for a list item, mapped to the <li> tag. */
static int write_list_marker(html_t *self, const tag_t *tag)
{
    uint32_t start = tag_start(self, tag), end = tag_end(self, tag);
    int rc = 0;
    if (self->list_count > 0 && self->lists[self->list_count - 1] != -1) {
        long *counter = &self->lists[self->list_count - 1];
        if (*counter < 1000000000)
            (*counter)++;
        char number[32];
        int count = snprintf(number, sizeof number, "%ld.", *counter);
        for (int k = 0; rc == 0 && k < count; k++)
            rc = rw_decode_writer_char(self->writer, (unsigned char)number[k], start, end,
                                       false);
    } else {
        rc = rw_decode_writer_char(self->writer, 0x2022, start, end, false); /* • */
    }
    if (rc == 0)
        rc = rw_decode_writer_break(self->writer, RW_DECODE_SPACE, start, end);
    return rc;
}

/* Keep a copy of a title or date (the first one found wins). */
static int keep_string(html_t *self, char **slot, size_t from, size_t to)
{
    if (*slot)
        return 0;
    bool failed = false;
    *slot = clean_string(self->data, from, to, &failed);
    (void)self;
    return failed ? -ENOMEM : 0;
}

/* <meta name="date" content=…>, <meta property="og:title" content=…> … */
static int handle_meta(html_t *self, const tag_t *tag)
{
    if (!tag->content.present)
        return 0;
    const unsigned char *data = self->data;
    size_t from = tag->content.from, to = tag->content.to;
    if (value_is(data, &tag->meta_name, "date") || value_is(data, &tag->meta_name, "dc.date") ||
        value_is(data, &tag->meta_name, "dcterms.date") ||
        value_is(data, &tag->property, "article:published_time"))
        return keep_string(self, &self->meta_date, from, to);
    if (value_is(data, &tag->property, "og:title"))
        return keep_string(self, &self->og_title, from, to);
    return 0;
}

static void start_skip(html_t *self, const tag_t *tag)
{
    memcpy(self->skip_name, tag->name, sizeof self->skip_name);
    self->skip_depth = 1;
}

/* Inside a dropped element: only count its own name, and leave raw text unread. */
static size_t skip_tag(html_t *self, const tag_t *tag)
{
    bool same = strcmp(tag->name, self->skip_name) == 0;
    if (tag->end) {
        if (same)
            self->skip_depth--;
        else if (strcmp(tag->name, "body") == 0 || strcmp(tag->name, "html") == 0)
            self->skip_depth = 0; /* nothing is dropped past the end of the body */
        return tag->stop;
    }
    if (same && !tag->self_closing)
        self->skip_depth++;
    if (in_list(tag->name, raw_elements, COUNT(raw_elements)) ||
        strcmp(tag->name, "title") == 0)
        return find_end_tag(self, tag->stop, tag->name);
    return tag->stop;
}

static size_t handle_start_tag(html_t *self, const tag_t *tag, int *rc)
{
    const char *name = tag->name;
    if (self->in_head && !in_list(name, head_elements, COUNT(head_elements)))
        self->in_head = false; /* body content closes the head */
    if (in_list(name, raw_elements, COUNT(raw_elements)))
        return find_end_tag(self, tag->stop, name);
    if (strcmp(name, "title") == 0) {
        size_t end = find_end_tag(self, tag->stop, name);
        *rc = keep_string(self, &self->title, tag->stop, end);
        return end;
    }
    bool is_void = in_list(name, void_elements, COUNT(void_elements));
    if (!tag->self_closing && !is_void &&
        (in_list(name, dropped_elements, COUNT(dropped_elements)) ||
         value_is(self->data, &tag->role, "navigation") ||
         value_is(self->data, &tag->aria_hidden, "true"))) {
        start_skip(self, tag);
        if (in_list(name, block_elements, COUNT(block_elements)) ||
            in_list(name, sectioning_elements, COUNT(sectioning_elements)))
            *rc = rw_decode_writer_break(self->writer, RW_DECODE_PARAGRAPH,
                                         tag_start(self, tag), tag_end(self, tag));
        return tag->stop;
    }
    uint32_t start = tag_start(self, tag), end = tag_end(self, tag);
    if (strcmp(name, "head") == 0)
        self->in_head = true;
    else if (strcmp(name, "body") == 0)
        self->in_head = false;
    else if (strcmp(name, "meta") == 0)
        *rc = handle_meta(self, tag);
    else if (strcmp(name, "time") == 0 && tag->datetime.present)
        *rc = keep_string(self, &self->time_date, tag->datetime.from, tag->datetime.to);
    else if (strcmp(name, "br") == 0)
        *rc = rw_decode_writer_break(self->writer, RW_DECODE_LINE, start, end);
    if (*rc)
        return tag->stop;
    if (!in_list(name, block_elements, COUNT(block_elements)))
        return tag->stop;
    *rc = rw_decode_writer_break(self->writer, RW_DECODE_PARAGRAPH, start, end);
    if (*rc == 0 && strcmp(name, "pre") == 0)
        self->pre_depth++;
    else if (*rc == 0 && strcmp(name, "ul") == 0)
        *rc = push_list(self, -1);
    else if (*rc == 0 && strcmp(name, "ol") == 0)
        *rc = push_list(self, list_first(self, tag));
    else if (*rc == 0 && strcmp(name, "li") == 0)
        *rc = write_list_marker(self, tag);
    return tag->stop;
}

static size_t handle_end_tag(html_t *self, const tag_t *tag, int *rc)
{
    const char *name = tag->name;
    uint32_t start = tag_start(self, tag), end = tag_end(self, tag);
    if (strcmp(name, "head") == 0)
        self->in_head = false;
    else if (strcmp(name, "br") == 0)
        *rc = rw_decode_writer_break(self->writer, RW_DECODE_LINE, start, end);
    if (!in_list(name, block_elements, COUNT(block_elements)))
        return tag->stop;
    *rc = rw_decode_writer_break(self->writer, RW_DECODE_PARAGRAPH, start, end);
    if (strcmp(name, "pre") == 0 && self->pre_depth > 0)
        self->pre_depth--;
    else if ((strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) && self->list_count > 0)
        self->list_count--;
    return tag->stop;
}

static bool writing(const html_t *self) { return self->skip_depth == 0 && !self->in_head; }

/* Starts with text, ignoring ASCII case. */
static bool starts_with(const html_t *self, size_t i, const char *text)
{
    size_t length = strlen(text);
    return i + length <= self->length &&
           equal_nocase(self->data + i, text, length);
}

/* Position after the end marker, searching from from; the end of input when absent. */
static size_t skip_past(const html_t *self, size_t from, const char *marker)
{
    size_t length = strlen(marker);
    if (from >= self->length)
        return self->length;
    const unsigned char *found = memmem(self->data + from, self->length - from, marker, length);
    return found ? (size_t)(found - self->data) + length : self->length;
}

/* Markup at data[i] == '<'. Returns the position after it. */
static size_t handle_markup(html_t *self, size_t i, int *rc)
{
    const unsigned char *data = self->data;
    unsigned char next = i + 1 < self->length ? data[i + 1] : 0;
    if (starts_with(self, i, "<!--"))
        return skip_past(self, i + 2, "-->");
    if (starts_with(self, i, "<![CDATA[")) {
        size_t end = skip_past(self, i + 9, "]]>");
        size_t text_end = end == self->length && !starts_with(self, end - 3, "]]>") ? end : end - 3;
        if (writing(self))
            *rc = rw_decode_writer_text(self->writer, i + 9, text_end, self->pre_depth > 0);
        return end;
    }
    if (next == '!' || next == '?')
        return skip_past(self, i + 2, ">");
    bool tag_like = is_alpha(next) ||
                    (next == '/' && i + 2 < self->length && is_alpha(data[i + 2]));
    if (!tag_like) {
        /* A stray '<' is text. */
        if (writing(self))
            *rc = rw_decode_writer_text(self->writer, i, i + 1, self->pre_depth > 0);
        return i + 1;
    }
    tag_t tag;
    size_t after = parse_tag(self, i, &tag);
    if (self->skip_depth > 0)
        return skip_tag(self, &tag);
    if (tag.stop == self->length && (self->length == 0 || data[self->length - 1] != '>'))
        return after; /* an unfinished tag at the end of the input is dropped */
    return tag.end ? handle_end_tag(self, &tag, rc) : handle_start_tag(self, &tag, rc);
}

/* Entity at data[i] == '&'. Returns the position after it. */
static size_t handle_entity(html_t *self, size_t i, int *rc)
{
    uint32_t codepoint = '&';
    size_t after = parse_entity(self->data, self->length, i, &codepoint);
    if (after == i) {
        if (writing(self))
            *rc = rw_decode_writer_text(self->writer, i, i + 1, self->pre_depth > 0);
        return i + 1;
    }
    if (writing(self))
        *rc = rw_decode_writer_char(self->writer, codepoint, rw_decode_start(self->source, i),
                                    rw_decode_end(self->source, after - 1),
                                    self->pre_depth > 0);
    return after;
}

/* Next position of byte at or after i, using and refreshing the cache. */
static size_t next_of(const html_t *self, size_t *cache, size_t i, unsigned char byte)
{
    if (*cache >= i)
        return *cache;
    const unsigned char *found = memchr(self->data + i, byte, self->length - i);
    *cache = found ? (size_t)(found - self->data) : self->length;
    return *cache;
}

static size_t last_of(const unsigned char *data, size_t length, unsigned char byte)
{
    const unsigned char *found = length ? memrchr(data, byte, length) : NULL;
    return found ? (size_t)(found - data) : 0;
}

static void release(html_t *self)
{
    free(self->lists);
    free(self->title);
    free(self->og_title);
    free(self->meta_date);
    free(self->time_date);
}

int rw_html_to_text(const rw_decode_t *source, rw_decode_writer_t *writer, char **title,
                    char **date)
{
    html_t self = {
        .source = source,
        .data = source->data,
        .length = source->length,
        .writer = writer,
    };
    self.last_double_quote = last_of(self.data, self.length, '"');
    self.last_single_quote = last_of(self.data, self.length, '\'');
    int rc = 0;
    size_t i = 0;
    while (rc == 0 && i < self.length) {
        size_t less = next_of(&self, &self.next_less, i, '<');
        size_t ampersand = next_of(&self, &self.next_ampersand, i, '&');
        size_t stop = less < ampersand ? less : ampersand;
        if (stop > i) {
            if (writing(&self))
                rc = rw_decode_writer_text(writer, i, stop, self.pre_depth > 0);
            i = stop;
        } else if (self.data[i] == '<') {
            i = handle_markup(&self, i, &rc);
        } else {
            i = handle_entity(&self, i, &rc);
        }
    }
    if (rc == 0) {
        /* og:title is usually the cleaner title (no " | Site" suffix). */
        *title = self.og_title ? self.og_title : self.title;
        if (self.og_title)
            self.og_title = NULL;
        else
            self.title = NULL;
        *date = self.meta_date ? self.meta_date : self.time_date;
        if (self.meta_date)
            self.meta_date = NULL;
        else
            self.time_date = NULL;
    }
    release(&self);
    return rc;
}

/* An HTML element name rw_html_detect trusts. */
static bool is_known_element(const char *name)
{
    return in_list(name, detect_elements, COUNT(detect_elements)) ||
           in_list(name, block_elements, COUNT(block_elements)) ||
           in_list(name, dropped_elements, COUNT(dropped_elements)) ||
           in_list(name, raw_elements, COUNT(raw_elements));
}

bool rw_html_detect(const unsigned char *data, size_t length)
{
    size_t i = 0;
    while (i < length && is_space(data[i]))
        i++;
    if (i >= length || data[i] != '<')
        return false;
    size_t window = length - i < DETECT_WINDOW ? length : i + DETECT_WINDOW;
    for (size_t j = i; j + 1 < window; j++) {
        if (data[j] != '<')
            continue;
        if (j + 14 <= length && equal_nocase(data + j, "<!doctype html", 14))
            return true;
        char name[NAME_SIZE];
        size_t count = 0;
        for (size_t k = j + 1; k < length && is_alnum(data[k]) && count + 1 < NAME_SIZE; k++)
            name[count++] = (char)(data[k] | 0x20);
        name[count] = '\0';
        size_t after = j + 1 + count;
        bool ends = after >= length || is_space(data[after]) || data[after] == '>' ||
                    data[after] == '/';
        if (count > 0 && ends && is_known_element(name))
            return true;
    }
    return false;
}
