/* lexicon.c — load the extractor's linguistic data from config/lexicon/<lang>/ and keep
 * the gazetteer (countries, themes, dates, languages) beside it.
 *
 * Files per language (formats in config/lexicon/README.md):
 *   cues.tsv           phrase, family, strength, confidence
 *   verbs.tsv          word, UPR action category, part of speech
 *   grammar.tsv        word, grammatical class (to, that, prep, boundary, ...)
 *   abbreviations.txt  words ending in a dot that do not end a sentence
 *   inflections.tsv    suffix rules that bring a word form back to the verb table (optional)
 *   actors.txt         nouns naming those a recommendation addresses (optional)
 * Every loaded language goes into the same tables: statements mix languages, and a
 * French cue in an English statement is still a French cue. */
#include "lexicon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "log.h"

#define LINE_MAX_BYTES 4096
#define SUFFIX_MAX 16

typedef struct {
    char suffix[SUFFIX_MAX];
    char replacement[SUFFIX_MAX];
    size_t suffix_length;       /* strlen of each, noted once at load */
    size_t replacement_length;
} inflection_t;

/* The length of a folded suffix and whether it is ASCII letters only (may_end_with). */
typedef struct {
    size_t length;
    bool plain;
} suffix_shape_t;

/* The words of role_masks that are ASCII and at most 16 bytes long, for the lookup of
 * every word token (rw_lexicon_note_roles), in a table that is read without a branch:
 * each word has two places, given by two parts of its hash (cuckoo hashing: a word put
 * where another was moves that one to its other place), and is in one of them. A place
 * holds the word's folded bytes, zero-padded, as two 8-byte chunks, its hash and its
 * roles; an empty place holds zeros, which no word token's chunks are. A word is found
 * by comparing both places' chunks with its own: two independent loads, no loop, no
 * pointer followed. (The chunks tell the length too: neither side has a zero byte
 * inside its word.) */
#define ROLE_WORD_MAX 16
#define ROLE_PLACES_MAX 16384
#define ROLE_SECOND_SHIFT 16     /* the second place: the hash's bits from here */
#define ROLE_MOVES_MAX 128       /* words moved for one put before the table grows */

typedef struct {
    uint64_t low, high; /* the folded word's bytes 0-7 and 8-15, the first lowest */
    uint32_t hash;      /* rw_words_hash of the word */
    uint32_t roles;     /* 0 in an empty place */
} role_entry_t;

typedef struct {
    role_entry_t *entries;   /* mask + 1 places */
    size_t mask;             /* places - 1 (a power of two) */
    bool usable;             /* false: some word found no place in ROLE_PLACES_MAX
                                places; the general lookup serves */
} role_table_t;

struct rw_lexicon {
    rw_gazetteer_t *gazetteer;
    rw_cues_t *cues;
    rw_words_t *abbreviations;
    rw_words_t *verbs;
    rw_words_t *actors;
    rw_words_t *roles[RW_LEXICON_ROLES];
    rw_words_t *role_masks;           /* every word of roles[]: value = 1 << role, or'ed */
    role_table_t role_table;          /* the ASCII words of role_masks, for word tokens */
    inflection_t *inflections;
    size_t inflection_count;
    char (*adverb_suffixes)[SUFFIX_MAX];
    char (*adverb_languages)[8];      /* the language of each suffix */
    suffix_shape_t *adverb_shapes;    /* the length of each suffix, noted at load */
    size_t adverb_count;
};

static int build_role_table(rw_lexicon_t *self);

static const char *const role_names[RW_LEXICON_ROLES] = {
    "to", "that", "prep", "boundary", "skip", "passive", "person", "determiner", "pronoun",
    "conjunction", "relative", "say", "self", "title", "member", "whether",
    "negation"
};

/* ---------------------------------------------------------------- file reading */

typedef struct {
    const char *path;
    FILE *file;
    unsigned line;
    char buffer[LINE_MAX_BYTES];
    char *fields[6];
    size_t count;
} reader_t;

static int reader_open(reader_t *reader, const char *path, bool optional, char *error,
                       size_t error_size)
{
    memset(reader, 0, sizeof *reader);
    reader->path = path;
    reader->file = fopen(path, "r");
    if (reader->file)
        return 0;
    if (optional && errno == ENOENT)
        return 1;
    snprintf(error, error_size, "%s: %s", path, strerror(errno));
    return -EIO;
}

/* The next data line split on tabs: 1, or 0 at the end of the file. Comments ("#" first)
 * and empty lines are skipped; trailing white space is removed. */
static int reader_next(reader_t *reader)
{
    while (fgets(reader->buffer, sizeof reader->buffer, reader->file)) {
        reader->line++;
        size_t length = strlen(reader->buffer);
        while (length > 0 && (reader->buffer[length - 1] == '\n'
                              || reader->buffer[length - 1] == '\r'
                              || reader->buffer[length - 1] == ' '))
            reader->buffer[--length] = '\0';
        if (length == 0 || reader->buffer[0] == '#')
            continue;
        reader->count = 0;
        char *field = reader->buffer;
        while (field && reader->count < sizeof reader->fields / sizeof *reader->fields) {
            char *tab = strchr(field, '\t');
            if (tab)
                *tab = '\0';
            reader->fields[reader->count++] = field;
            field = tab ? tab + 1 : NULL;
            /* several tabs in a row are one separator */
            while (field && *field == '\t')
                field++;
        }
        return 1;
    }
    return 0;
}

static void reader_close(reader_t *reader)
{
    if (reader->file)
        fclose(reader->file);
    reader->file = NULL;
}

static int reader_error(reader_t *reader, char *error, size_t error_size, const char *what)
{
    snprintf(error, error_size, "%s:%u: %s", reader->path, reader->line, what);
    return -EINVAL;
}

/* ---------------------------------------------------------------- loaders */

static const char *strength_name(const char *text)
{
    if (strcmp(text, "strong") == 0)
        return "strong";
    if (strcmp(text, "moderate") == 0)
        return "moderate";
    if (strcmp(text, "weak") == 0)
        return "weak";
    return NULL;
}

static double default_confidence(int family)
{
    switch (family) {
    case RW_CUE_PERFORM: return 0.9;
    case RW_CUE_MODAL: return 0.72;
    case RW_CUE_NECESSITY: return 0.7;
    case RW_CUE_EVALUATION: return 0.65;
    case RW_CUE_HOPE: return 0.45;
    default: return 0.0;
    }
}

static int load_cues(rw_lexicon_t *self, const char *path, const char *language, char *error,
                     size_t error_size)
{
    reader_t reader;
    int rc = reader_open(&reader, path, false, error, error_size);
    if (rc != 0)
        return rc;
    while (rc == 0 && reader_next(&reader)) {
        if (reader.count < 2) {
            rc = reader_error(&reader, error, error_size, "expected PHRASE<TAB>FAMILY[<TAB>STRENGTH[<TAB>CONFIDENCE]]");
            break;
        }
        int family = rw_cues_family(reader.fields[1]);
        if (family < 0) {
            rc = reader_error(&reader, error, error_size, "unknown family (perform, modal, necessity, evaluation, hope, not-cue, not-after, not-unit, list-noun, not-imperative)");
            break;
        }
        const char *strength = NULL;
        if (reader.count >= 3 && strcmp(reader.fields[2], "-") != 0) {
            strength = strength_name(reader.fields[2]);
            if (!strength) {
                rc = reader_error(&reader, error, error_size, "strength must be strong, moderate, weak or -");
                break;
            }
        }
        double confidence = default_confidence(family);
        if (reader.count >= 4) {
            char *end = NULL;
            confidence = strtod(reader.fields[3], &end);
            if (!end || *end || confidence < 0.0 || confidence > 1.0) {
                rc = reader_error(&reader, error, error_size, "confidence must be a number from 0 to 1");
                break;
            }
        }
        rc = rw_cues_add(self->cues, reader.fields[0], family, strength, confidence, language);
        if (rc == -EINVAL)
            rc = reader_error(&reader, error, error_size, "empty phrase, or a phrase that starts or ends with a wildcard");
        else if (rc != 0)
            snprintf(error, error_size, "%s:%u: out of memory", path, reader.line);
    }
    reader_close(&reader);
    return rc;
}

static int load_verbs(rw_lexicon_t *self, const char *path, char *error, size_t error_size)
{
    reader_t reader;
    int rc = reader_open(&reader, path, false, error, error_size);
    if (rc != 0)
        return rc;
    while (rc == 0 && reader_next(&reader)) {
        if (reader.count != 3) {
            rc = reader_error(&reader, error, error_size, "expected WORD<TAB>CATEGORY<TAB>verb|noun");
            break;
        }
        const char *c = reader.fields[1];
        if (c[0] < '0' || c[0] > '5' || c[1]) {
            rc = reader_error(&reader, error, error_size, "category must be 0 to 5");
            break;
        }
        int value = (c[0] - '0') * RW_LEXICON_VERB_CATEGORY;
        if (strcmp(reader.fields[2], "verb") == 0)
            value |= RW_LEXICON_VERB_IMPERATIVE;
        else if (strcmp(reader.fields[2], "noun") != 0) {
            rc = reader_error(&reader, error, error_size, "part of speech must be verb or noun");
            break;
        }
        /* One table serves every language: a spelling that one language lists as a
         * verb and another as a noun ("respect") stays a verb that opens list items. */
        int listed = rw_words_get(self->verbs, reader.fields[0], strlen(reader.fields[0]));
        if (listed >= 0 && (listed & RW_LEXICON_VERB_IMPERATIVE)
            && !(value & RW_LEXICON_VERB_IMPERATIVE))
            continue;
        rc = rw_words_add(self->verbs, reader.fields[0], value);
        if (rc != 0)
            snprintf(error, error_size, "%s:%u: out of memory", path, reader.line);
    }
    reader_close(&reader);
    return rc;
}

static int add_adverb_suffix(rw_lexicon_t *self, const char *suffix, const char *language)
{
    char (*grown)[SUFFIX_MAX] = realloc(self->adverb_suffixes,
                                        (self->adverb_count + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    self->adverb_suffixes = grown;
    char (*languages)[8] = realloc(self->adverb_languages,
                                   (self->adverb_count + 1) * sizeof *languages);
    if (!languages)
        return -ENOMEM;
    self->adverb_languages = languages;
    suffix_shape_t *shapes = realloc(self->adverb_shapes,
                                     (self->adverb_count + 1) * sizeof *shapes);
    if (!shapes)
        return -ENOMEM;
    self->adverb_shapes = shapes;
    char *folded = grown[self->adverb_count];
    rw_words_fold(suffix, strlen(suffix), folded, SUFFIX_MAX);
    snprintf(languages[self->adverb_count], sizeof *languages, "%s", language);
    suffix_shape_t *shape = &shapes[self->adverb_count];
    shape->length = strlen(folded);
    shape->plain = true;
    for (size_t i = 0; i < shape->length; i++)
        shape->plain = shape->plain && folded[i] >= 'a' && folded[i] <= 'z';
    self->adverb_count++;
    return 0;
}

/* Note in the merged table that word has role (the word's other roles are kept). */
static int add_role_mask(rw_lexicon_t *self, const char *word, int role)
{
    int mask = rw_words_get(self->role_masks, word, strlen(word));
    if (mask < 0)
        mask = 0;
    return rw_words_add(self->role_masks, word, mask | (1 << role));
}

static int load_grammar(rw_lexicon_t *self, const char *path, const char *language,
                        char *error, size_t error_size)
{
    reader_t reader;
    int rc = reader_open(&reader, path, false, error, error_size);
    if (rc != 0)
        return rc;
    while (rc == 0 && reader_next(&reader)) {
        if (reader.count != 2) {
            rc = reader_error(&reader, error, error_size, "expected WORD<TAB>CLASS");
            break;
        }
        if (strcmp(reader.fields[1], "adverb-suffix") == 0) {
            if (strlen(reader.fields[0]) >= SUFFIX_MAX) {
                rc = reader_error(&reader, error, error_size, "suffix too long");
                break;
            }
            rc = add_adverb_suffix(self, reader.fields[0], language);
            continue;
        }
        int role = -1;
        for (int r = 0; r < RW_LEXICON_ROLES; r++)
            if (strcmp(reader.fields[1], role_names[r]) == 0)
                role = r;
        if (role < 0) {
            rc = reader_error(&reader, error, error_size, "unknown class (to, that, prep, boundary, skip, passive, person, determiner, pronoun, conjunction, relative, say, self, title, member, whether, negation, adverb-suffix)");
            break;
        }
        rc = rw_words_add(self->roles[role], reader.fields[0], 1);
        if (rc == 0)
            rc = add_role_mask(self, reader.fields[0], role);
    }
    if (rc == -ENOMEM)
        snprintf(error, error_size, "%s:%u: out of memory", path, reader.line);
    reader_close(&reader);
    return rc;
}

static int load_word_list(rw_words_t *words, const char *path, bool optional, char *error,
                          size_t error_size)
{
    reader_t reader;
    int rc = reader_open(&reader, path, optional, error, error_size);
    if (rc == 1)
        return 0;
    if (rc != 0)
        return rc;
    while (rc == 0 && reader_next(&reader)) {
        if (reader.count != 1) {
            rc = reader_error(&reader, error, error_size, "expected one word or phrase per line");
            break;
        }
        rc = rw_words_add(words, reader.fields[0], 1);
        if (rc != 0)
            snprintf(error, error_size, "%s:%u: out of memory", path, reader.line);
    }
    reader_close(&reader);
    return rc;
}

static int load_inflections(rw_lexicon_t *self, const char *path, char *error,
                            size_t error_size)
{
    reader_t reader;
    int rc = reader_open(&reader, path, true, error, error_size);
    if (rc == 1)
        return 0;
    if (rc != 0)
        return rc;
    while (rc == 0 && reader_next(&reader)) {
        if (reader.count != 2 || strlen(reader.fields[0]) >= SUFFIX_MAX
            || strlen(reader.fields[1]) >= SUFFIX_MAX) {
            rc = reader_error(&reader, error, error_size, "expected SUFFIX<TAB>REPLACEMENT (\"-\" for none), each shorter than 16 bytes");
            break;
        }
        inflection_t *grown = realloc(self->inflections,
                                      (self->inflection_count + 1) * sizeof *grown);
        if (!grown) {
            snprintf(error, error_size, "%s:%u: out of memory", path, reader.line);
            rc = -ENOMEM;
            break;
        }
        self->inflections = grown;
        inflection_t *rule = &grown[self->inflection_count++];
        rw_words_fold(reader.fields[0], strlen(reader.fields[0]), rule->suffix, SUFFIX_MAX);
        if (strcmp(reader.fields[1], "-") == 0)
            rule->replacement[0] = '\0';
        else
            rw_words_fold(reader.fields[1], strlen(reader.fields[1]), rule->replacement,
                          SUFFIX_MAX);
        rule->suffix_length = strlen(rule->suffix);
        rule->replacement_length = strlen(rule->replacement);
    }
    reader_close(&reader);
    return rc;
}

static int load_language(rw_lexicon_t *self, const char *dir, const char *language,
                         char *error, size_t error_size)
{
    char path[4096];
#define PATH(name) (snprintf(path, sizeof path, "%s/%s/%s", dir, language, name), path)
    int rc = load_cues(self, PATH("cues.tsv"), language, error, error_size);
    if (rc == 0)
        rc = load_verbs(self, PATH("verbs.tsv"), error, error_size);
    if (rc == 0)
        rc = load_grammar(self, PATH("grammar.tsv"), language, error, error_size);
    if (rc == 0)
        rc = load_word_list(self->abbreviations, PATH("abbreviations.txt"), false, error,
                            error_size);
    if (rc == 0)
        rc = load_word_list(self->actors, PATH("actors.txt"), true, error, error_size);
    if (rc == 0)
        rc = load_inflections(self, PATH("inflections.tsv"), error, error_size);
#undef PATH
    return rc;
}

rw_lexicon_t *rw_lexicon_new(const char *lexicon_dir, const rw_strings_t *languages,
                             char *error, size_t error_size)
{
    char scratch[2];
    if (!error || error_size == 0) {
        error = scratch;
        error_size = sizeof scratch;
    }
    error[0] = '\0';
    rw_lexicon_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(error, error_size, "lexicon: out of memory");
        return NULL;
    }
    self->cues = rw_cues_new();
    self->abbreviations = rw_words_new();
    self->verbs = rw_words_new();
    self->actors = rw_words_new();
    self->role_masks = rw_words_new();
    bool ok = self->cues && self->abbreviations && self->verbs && self->actors
              && self->role_masks;
    for (int r = 0; r < RW_LEXICON_ROLES; r++) {
        self->roles[r] = rw_words_new();
        ok = ok && self->roles[r];
    }
    if (!ok) {
        snprintf(error, error_size, "lexicon: out of memory");
        rw_lexicon_destroy(&self);
        return NULL;
    }
    static const char *const default_languages[] = { "en", "fr", "es" };
    size_t count = languages && languages->count ? languages->count : 3;
    for (size_t i = 0; i < count; i++) {
        const char *language = languages && languages->count ? languages->items[i]
                                                             : default_languages[i];
        if (load_language(self, lexicon_dir, language, error, error_size) != 0) {
            rw_error("lexicon: %s", error);
            rw_lexicon_destroy(&self);
            return NULL;
        }
    }
    if (build_role_table(self) != 0) {
        snprintf(error, error_size, "lexicon: out of memory");
        rw_lexicon_destroy(&self);
        return NULL;
    }
    self->gazetteer = rw_gazetteer_new(lexicon_dir, languages, error, error_size);
    if (!self->gazetteer) {
        rw_error("lexicon: gazetteer: %s", error);
        rw_lexicon_destroy(&self);
        return NULL;
    }
    return self;
}

void rw_lexicon_destroy(rw_lexicon_t **self_p)
{
    rw_lexicon_t *self = *self_p;
    if (!self)
        return;
    rw_gazetteer_destroy(&self->gazetteer);
    rw_cues_destroy(&self->cues);
    rw_words_destroy(&self->abbreviations);
    rw_words_destroy(&self->verbs);
    rw_words_destroy(&self->actors);
    for (int r = 0; r < RW_LEXICON_ROLES; r++)
        rw_words_destroy(&self->roles[r]);
    rw_words_destroy(&self->role_masks);
    free(self->role_table.entries);
    free(self->inflections);
    free(self->adverb_suffixes);
    free(self->adverb_languages);
    free(self->adverb_shapes);
    free(self);
    *self_p = NULL;
}

const rw_gazetteer_t *rw_lexicon_gazetteer(const rw_lexicon_t *self)
{
    return self->gazetteer;
}

const rw_cues_t *rw_lexicon_cues(const rw_lexicon_t *self)
{
    return self->cues;
}

const rw_words_t *rw_lexicon_abbreviations(const rw_lexicon_t *self)
{
    return self->abbreviations;
}

const rw_words_t *rw_lexicon_words(const rw_lexicon_t *self, rw_lexicon_role_t role)
{
    return self->roles[role];
}

uint32_t rw_lexicon_roles(const rw_lexicon_t *self, uint32_t hash, const char *text,
                          size_t length)
{
    int mask = rw_words_get_hashed(self->role_masks, hash, text, length);
    return mask < 0 ? 0 : (uint32_t)mask;
}

/* Whether the word[0, length) has only ASCII bytes. */
static bool is_ascii(const char *word, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if ((unsigned char)word[i] >= 0x80)
            return false;
    return true;
}

/* Whether a word of role_masks goes in the role table. */
static bool is_table_word(const char *word, size_t length, int value)
{
    return length <= ROLE_WORD_MAX && value > 0 && is_ascii(word, length);
}

/* The two places of a word with hash in table. */
static inline size_t first_place(const role_table_t *table, uint32_t hash)
{
    return hash & table->mask;
}

static inline size_t second_place(const role_table_t *table, uint32_t hash)
{
    return (hash >> ROLE_SECOND_SHIFT) & table->mask;
}

/* Put the folded word (length bytes, ASCII, at most ROLE_WORD_MAX) with roles in one of
 * its places, moving the words in the way to their other places: false when that does
 * not end within ROLE_MOVES_MAX moves (the table must grow). */
static bool put_role_word(role_table_t *table, const char *word, size_t length,
                          uint32_t roles)
{
    char padded[ROLE_WORD_MAX] = { 0 };
    memcpy(padded, word, length);
    uint32_t hash = rw_words_hash(word, length);
    role_entry_t moving = { rw_chunk_load((const unsigned char *)padded),
                            rw_chunk_load((const unsigned char *)padded + 8), hash, roles };
    size_t place = first_place(table, hash);
    if (table->entries[place].roles != 0)
        place = second_place(table, hash);
    for (unsigned moves = 0; moves < ROLE_MOVES_MAX; moves++) {
        role_entry_t here = table->entries[place];
        table->entries[place] = moving;
        if (here.roles == 0)
            return true;
        moving = here;   /* to its other place */
        size_t first = first_place(table, moving.hash);
        place = place == first ? second_place(table, moving.hash) : first;
    }
    return false;
}

/* Fill the role table with places (a power of two) from role_masks: 1 when done, 0
 * when some word found no place, -ENOMEM. */
static int fill_role_table(rw_lexicon_t *self, size_t places)
{
    role_table_t *table = &self->role_table;
    free(table->entries);
    table->entries = calloc(places, sizeof *table->entries);
    if (!table->entries)
        return -ENOMEM;
    table->mask = places - 1;
    size_t count = rw_words_count(self->role_masks);
    for (size_t k = 0; k < count; k++) {
        size_t length;
        int value;
        const char *word = rw_words_at(self->role_masks, k, &length, &value);
        if (!is_table_word(word, length, value))
            continue;
        if (!put_role_word(table, word, length, (uint32_t)value))
            return 0;
    }
    return 1;
}

/* Build the role table from role_masks: places at least twice the words, twice as many
 * while some word finds no place. 0 or -ENOMEM. */
static int build_role_table(rw_lexicon_t *self)
{
    size_t count = rw_words_count(self->role_masks);
    size_t places = 16;
    while (places < count * 2)
        places *= 2;
    int rc;
    while ((rc = fill_role_table(self, places)) == 0 && places < ROLE_PLACES_MAX)
        places *= 2;
    if (rc < 0)
        return rc;
    self->role_table.usable = rc == 1;
    return 0;
}

/* The roles of the ASCII word with hash, its bytes folded into the chunks low and high
 * (zero beyond the word): the role table holds every such word of the lexicon. No
 * branch: both places are compared, the roles of the equal one (at most one) kept. */
static inline uint32_t table_roles(const role_table_t *table, uint32_t hash, uint64_t low,
                                   uint64_t high)
{
    const role_entry_t *first = &table->entries[first_place(table, hash)];
    const role_entry_t *second = &table->entries[second_place(table, hash)];
    unsigned in_first = (first->low == low) & (first->high == high);
    unsigned in_second = (second->low == low) & (second->high == high);
    return (first->roles & (0u - in_first)) | (second->roles & (0u - in_second));
}

/* The roles of the word token text[0, length) with hash, available bytes readable at
 * text: the role table when the word is ASCII, at most ROLE_WORD_MAX bytes and 16 bytes
 * can be read (and the table usable), else the general lookup. */
static inline uint32_t token_roles(const rw_lexicon_t *self, uint32_t hash, const char *text,
                                   size_t length, size_t available)
{
    if (length - 1 < ROLE_WORD_MAX && available >= 16 && self->role_table.usable) {
        uint64_t longer = (uint64_t)0 - (uint64_t)(length >= 8);   /* all ones: >= 8 */
        uint64_t whole = (uint64_t)0 - (uint64_t)(length >> 4);    /* all ones: 16 */
        uint64_t tail = ((uint64_t)1 << (8 * (length & 7))) - 1;   /* the last chunk's */
        /* An ASCII word token folds byte by byte to its lower case, which is the byte
         * with bit 0x20 set: its bytes are letters, digits, "'", "-", "." and ",". */
        const unsigned char *bytes = (const unsigned char *)text;
        uint64_t low = (rw_chunk_load(bytes) | RW_CHUNK_EACH(0x20)) & (tail | longer);
        uint64_t high =
            (rw_chunk_load(bytes + 8) | RW_CHUNK_EACH(0x20)) & ((tail & longer) | whole);
        if (((low | high) & RW_CHUNK_LANES) == 0)
            return table_roles(&self->role_table, hash, low, high);
    }
    return rw_lexicon_roles(self, hash, text, length);
}

uint32_t rw_lexicon_note_roles(const rw_lexicon_t *self, const char *data, size_t length,
                               rw_token_t *tokens, size_t count, size_t *words)
{
    uint32_t all = 0;
    size_t others = 0;   /* tokens that are not punctuation */
    for (size_t k = 0; k < count; k++) {
        rw_token_t *token = &tokens[k];
        unsigned kind = token->kind;
        others += kind != RW_TOKEN_PUNCT;
        if (kind != RW_TOKEN_WORD)
            continue;
        uint32_t roles = token_roles(self, token->hash, data + token->start,
                                     token->end - token->start, length - token->start);
        token->roles = roles;
        all |= roles;
    }
    *words = others;
    return all;
}

const rw_words_t *rw_lexicon_verbs(const rw_lexicon_t *self)
{
    return self->verbs;
}

const rw_words_t *rw_lexicon_actors(const rw_lexicon_t *self)
{
    return self->actors;
}

/* Whether the language codes a and b are the same string. */
static bool same_language(const char *a, const char *b)
{
    for (size_t i = 0; a[i] == b[i]; i++)
        if (a[i] == '\0')
            return true;
    return false;
}

/* A quick test that word[0, length) may end with the folded suffix (its shape: n bytes,
 * ASCII letters only or not): false only when it cannot. For a suffix of ASCII letters
 * the test is exact: folding makes ASCII letters only from ASCII letters, so the word's
 * last bytes must be those letters in any case. */
static bool may_end_with(const char *word, size_t length, const char *suffix,
                         const suffix_shape_t *shape)
{
    size_t n = shape->length;
    if (!shape->plain)
        return true;      /* only folding the word can tell */
    if (length < n)
        return false;
    const char *tail = word + length - n;
    for (size_t i = n; i-- > 0;) {   /* from the end: most words differ in the last */
        unsigned char c = (unsigned char)tail[i];
        if (c >= 0x80 || (c | 0x20) != (unsigned char)suffix[i])
            return false;
    }
    return true;
}

bool rw_lexicon_is_adverb(const rw_lexicon_t *self, const char *language, const char *word,
                          size_t length)
{
    char folded[64];
    size_t n = 0;
    bool is_folded = false;
    if (length >= sizeof folded / 2)
        return false;
    for (size_t i = 0; i < self->adverb_count; i++) {
        size_t s = self->adverb_shapes[i].length;
        if (language && !same_language(language, self->adverb_languages[i]))
            continue;
        if (!may_end_with(word, length, self->adverb_suffixes[i], &self->adverb_shapes[i]))
            continue;
        if (!is_folded) { /* fold the word once, only when a suffix may match */
            n = rw_words_fold(word, length, folded, sizeof folded);
            is_folded = true;
        }
        if (n > s + 2 && memcmp(folded + n - s, self->adverb_suffixes[i], s) == 0)
            return true;
    }
    return false;
}

/* Whether folded[0, n) ends with suffix (s bytes) after at least two more bytes. */
static bool ends_with(const char *folded, size_t n, const char *suffix, size_t s)
{
    if (n <= s + 1)
        return false;
    const char *tail = folded + n - s;
    for (size_t i = s; i-- > 0;)     /* from the end: most words differ in the last */
        if (tail[i] != suffix[i])
            return false;
    return true;
}

int rw_lexicon_verb(const rw_lexicon_t *self, const char *word, size_t length)
{
    int value = rw_words_get(self->verbs, word, length);
    if (value >= 0 || length >= 48)
        return value;
    char folded[128];
    size_t n = rw_words_fold(word, length, folded, sizeof folded);
    for (size_t i = 0; i < self->inflection_count; i++) {
        const inflection_t *rule = &self->inflections[i];
        size_t s = rule->suffix_length;
        if (!ends_with(folded, n, rule->suffix, s))
            continue;
        /* candidate = the stem (up to a NUL, as "%.*s" would print it) + replacement */
        char candidate[160];
        size_t stem = strnlen(folded, n - s);
        size_t replacement = rule->replacement_length;
        if (stem + replacement == 0 || stem + replacement >= sizeof candidate)
            continue;
        memcpy(candidate, folded, stem);
        memcpy(candidate + stem, rule->replacement, replacement);
        candidate[stem + replacement] = '\0';
        value = rw_words_get(self->verbs, candidate, stem + replacement);
        if (value >= 0)
            return value;
    }
    return -1;
}
