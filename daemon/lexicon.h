/* lexicon.h — the extractor's linguistic knowledge, loaded from config/lexicon/
 * (one folder per language plus shared tables; format in config/lexicon/README.md).
 * Loading does I/O; the loaded lexicon is immutable and shared by every extraction. */
#ifndef RW_LEXICON_H
#define RW_LEXICON_H

#include <stddef.h>

#include "cues.h"
#include "gazetteer.h"
#include "strings.h"
#include "words.h"

typedef struct rw_lexicon rw_lexicon_t;

/* Load lexicon_dir for languages. NULL on failure with "FILE:LINE: what is wrong". */
rw_lexicon_t *rw_lexicon_new(const char *lexicon_dir, const rw_strings_t *languages,
                             char *error, size_t error_size);
void rw_lexicon_destroy(rw_lexicon_t **self_p);
const rw_gazetteer_t *rw_lexicon_gazetteer(const rw_lexicon_t *self);

/* The extractor's tables (every loaded language merged; see config/lexicon/README.md). */

/* Word classes of <lang>/grammar.tsv (the second column names the class). */
typedef enum {
    RW_LEXICON_TO = 0,      /* "to", "à", "a": introduces the action after an addressee */
    RW_LEXICON_THAT,        /* "that", "que": introduces a clause */
    RW_LEXICON_PREP,        /* "to", "à", "al": introduces the addressee after a cue */
    RW_LEXICON_BOUNDARY,    /* "which", "and", "qui", "y": a subject never reaches past it */
    RW_LEXICON_SKIP,        /* "also", "immediately": skipped before the action's verb */
    RW_LEXICON_PASSIVE,     /* "be", "been", "être", "ser": a passive follows */
    RW_LEXICON_PERSON,      /* "I", "we", "je", "nous": the speaker's own voice */
    RW_LEXICON_DETERMINER,  /* "the", "all", "le", "el": starts a noun phrase */
    RW_LEXICON_PRONOUN,     /* "it", "they", "il", "ellos": an addressee we cannot name */
    RW_LEXICON_CONJUNCTION, /* "and", "et", "y": may open a list item before its verb */
    RW_LEXICON_RELATIVE,    /* "which", "qui", "cual": a modal right after it describes */
    RW_LEXICON_SAY,         /* "said", "indique", "informa", "provides", "dispone": a verb
                               that reports what its subject says or lays down */
    RW_LEXICON_SELF,        /* "delegation", "représentant", "Constitution", "ley": a
                               subject that speaks for the addressee or is its own law */
    RW_LEXICON_TITLE,       /* "Mr", "Mme", "Sr": a person's name follows */
    RW_LEXICON_MEMBER,      /* "Rapporteur", "Chairperson", "Relator": a role of the body
                               that examines the State (in parentheses after a name) */
    RW_LEXICON_WHETHER,     /* "whether", "si": a modal in the clause it opens is asked
                               about, not asked for */
    RW_LEXICON_NEGATION,    /* "not", "pas", "no": negates the verb after a modal */
    RW_LEXICON_ROLES
} rw_lexicon_role_t;

/* Values of the verb table: category * RW_LEXICON_VERB_CATEGORY + flags. */
#define RW_LEXICON_VERB_IMPERATIVE 1   /* may open an imperative list item */
#define RW_LEXICON_VERB_CATEGORY 4

const rw_cues_t *rw_lexicon_cues(const rw_lexicon_t *self);
const rw_words_t *rw_lexicon_abbreviations(const rw_lexicon_t *self);
const rw_words_t *rw_lexicon_words(const rw_lexicon_t *self, rw_lexicon_role_t role);
/* The roles of a word as a bitmask (bit 1 << role for each rw_lexicon_role_t table
 * that holds it; 0 for none): one lookup instead of one per table. hash is
 * rw_words_hash of text[0, length) (a word token's hash). */
uint32_t rw_lexicon_roles(const rw_lexicon_t *self, uint32_t hash, const char *text,
                          size_t length);
/* rw_lexicon_roles of every word token of tokens[0, count) stored in its roles field
 * (other tokens are left alone); data[0, length) is the text the tokens' offsets point
 * into. Returns the roles of all of them or'ed; *words gets the number of tokens that
 * are not punctuation. */
uint32_t rw_lexicon_note_roles(const rw_lexicon_t *self, const char *data, size_t length,
                               rw_token_t *tokens, size_t count, size_t *words);
/* The verb table itself (exact forms; values as below). */
const rw_words_t *rw_lexicon_verbs(const rw_lexicon_t *self);
/* Actor nouns: "government", "authorities", "État", "Estado". */
const rw_words_t *rw_lexicon_actors(const rw_lexicon_t *self);
/* Adverb endings skipped like RW_LEXICON_SKIP words ("ly", "ment", "mente") of language
 * (NULL: of every language: then "government" ends like a French adverb). */
bool rw_lexicon_is_adverb(const rw_lexicon_t *self, const char *language, const char *word,
                          size_t length);
/* The verb table entry of a word form, trying the inflection rules of
 * <lang>/inflections.tsv when the form itself is absent: the table value, or -1. */
int rw_lexicon_verb(const rw_lexicon_t *self, const char *word, size_t length);

#endif
