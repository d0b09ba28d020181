/* extract.c — find the recommendations of a statement and fill their fields.
 *
 * 1. metadata (rw_metadata_fill), 2. units (segment.c), 3. per unit: tokens, cue
 * phrases, the look-alikes that cancel them, an imperative first verb, and the
 * clause analysis that names addressee and action; 4. over the units in order: list
 * lead-ins ("The Government should:") hand their cue to the list items that follow,
 * headings that name recommendations open a list of imperatives; 5. each unit that is
 * a recommendation with enough confidence becomes an rw_recommendation_t.
 *
 * Pure: the lexicon is read only, every allocation ends in the document or is freed. */
#include "extract.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "cues.h"
#include "gazetteer.h"
#include "metadata.h"
#include "segment.h"
#include "words.h"


#define MAX_CUES 6             /* cue phrases reported per recommendation */
#define SUBJECT_MAX 12         /* tokens a subject may reach back from its modal */
#define ADDRESSEE_MAX 15       /* tokens an addressee may run after its cue */
#define ACTION_MAX 24          /* tokens of an action */
#define MIN_IMPERATIVE_WORDS 3 /* an imperative item has at least this many words */
#define MAX_DELEGATES 32       /* delegate names remembered per statement */
#define SPEAKER_SCAN 30        /* tokens searched for a unit's verb of saying */

typedef struct {
    size_t start, end;         /* byte range in the clean text; start == end: none */
} range_t;

enum {
    SPEAKER_NONE = 0,          /* the unit names no speaker: the passage goes on */
    SPEAKER_ADDRESSEE,         /* the delegation, a delegate, the State party speaks */
    SPEAKER_OTHER              /* a member of the body, another person speaks */
};

/* What one unit says, before the context of its neighbours is known. */
typedef struct {
    const rw_cue_t *cue;       /* the strongest valid cue, NULL when none */
    double confidence;         /* from the cues alone */
    const char *strength;
    range_t addressee, action;
    int category;
    range_t cues[MAX_CUES];
    size_t cue_count;
    int imperative;            /* verb table value of an imperative first word, or -1 */
    range_t imperative_action;
    bool veto;                 /* page furniture, a question */
    bool list_noun;            /* names recommendations ("recommendations:") */
    bool colon;                /* ends with ":" */
    bool open_cue;             /* a cue with no action after it (a lead-in's) */
    int speaker;               /* who the unit says speaks: SPEAKER_* */
    bool attribution;          /* only "(Country);": belongs to the sentence before */
    bool continued;            /* a pronoun (or no subject) says it, right after a
                                  unit in which the addressee spoke */
    bool noun_phrase;          /* the imperative word follows a determiner ("A review
                                  of ..."): a nominal call only in a list of calls */
    size_t lead_tokens;        /* leftover list numbering before the first word
                                  ("86.10..1 ratify"): the unit is a list item */
    size_t words;
} analysis_t;

typedef struct {
    const rw_lexicon_t *lexicon;
    const rw_text_t *text;
    const char *data;
    const char *language;      /* the statement's language: only its cues apply; NULL: all */
    const char *unit_language; /* the language of the unit's first cue, when the
                                  statement's is unknown */
    rw_match_words_t words;     /* the whole text cut into words once, for the gazetteer */
    rw_words_tokens_t tokens;
    rw_words_tokens_t scratch;  /* the tokens of an addressee being checked */
    rw_cue_matches_t matches;
    bool *valid;               /* per match: not cancelled */
    size_t valid_capacity;
    /* summary records: the delegates of the State ("M. REIMANN (Danemark)") and whether
     * the current passage is one of them speaking */
    uint32_t delegates[MAX_DELEGATES];
    size_t delegate_count;
    bool addressee_speaking;
    /* any statement: the last unit's speaker was the addressee ("The delegation said
     * ..."), so that "It added that ..." / "Elle a précisé que ..." / "Indicó que ..."
     * right after it goes on in its voice (a heading or another speaker ends it) */
    bool last_addressee;
    uint32_t unit_roles;       /* the roles of all the unit's words together */
    size_t unit_words;         /* the unit's tokens that are not punctuation */
    char *fold;                /* a cue folded for the document, before it is copied */
    size_t fold_capacity;
} extractor_t;

/* ---------------------------------------------------------------- token helpers */

/* Does the word token have the lexicon role? (note_roles has looked its roles up.) */
static bool has_role(const rw_token_t *token, rw_lexicon_role_t role)
{
    return (token->roles & (1u << role)) != 0;
}

/* Above the lexicon's roles, token->roles also remembers, for the unit being analysed,
 * what is_skippable and verb_value found: whether the word is an adverb, and its verb
 * table value plus one (0: none). */
#define ADVERB_KNOWN (1u << 31)
#define ADVERB (1u << 30)
#define VERB_KNOWN (1u << 29)
#define VERB_SHIFT 24
#define VERB_MASK 31u
_Static_assert(RW_LEXICON_ROLES <= VERB_SHIFT, "lexicon roles overlap the extractor's bits");

/* Look up the roles of every word token of the unit once, for has_role; note which
 * roles the unit holds at all and how many tokens are not punctuation. */
static void note_roles(extractor_t *ex)
{
    ex->unit_roles = rw_lexicon_note_roles(ex->lexicon, ex->data, ex->text->length,
                                           ex->tokens.items, ex->tokens.count,
                                           &ex->unit_words);
}

/* Does some word of the unit have the lexicon role? */
static bool unit_has_role(const extractor_t *ex, rw_lexicon_role_t role)
{
    return (ex->unit_roles & (1u << role)) != 0;
}

/* Is token one of the punctuation characters of set? */
static inline bool is_punct(const rw_token_t *token, const char *set)
{
    if (token->kind != RW_TOKEN_PUNCT || !token->punct)
        return false;
    for (; *set; set++)
        if ((unsigned char)*set == token->punct)
            return true;
    return false;
}

/* Is token an adverb or particle skipped before a verb? */
static bool is_skippable(const extractor_t *ex, rw_token_t *token)
{
    if (has_role(token, RW_LEXICON_SKIP))
        return true;
    if (token->kind != RW_TOKEN_WORD)
        return false;
    if (!(token->roles & ADVERB_KNOWN)) {
        bool adverb = rw_lexicon_is_adverb(ex->lexicon,
                                           ex->language ? ex->language : ex->unit_language,
                                           ex->data + token->start, token->end - token->start);
        token->roles |= ADVERB_KNOWN | (adverb ? ADVERB : 0);
    }
    return (token->roles & ADVERB) != 0;
}

/* The verb table value of a word token (inflections tried), or -1. */
static int verb_value(const extractor_t *ex, rw_token_t *token)
{
    if (token->kind != RW_TOKEN_WORD)
        return -1;
    if (token->roles & VERB_KNOWN)
        return (int)((token->roles >> VERB_SHIFT) & VERB_MASK) - 1;
    int value = rw_lexicon_verb(ex->lexicon, ex->data + token->start, token->end - token->start);
    if (value + 1 >= 0 && (unsigned)(value + 1) <= VERB_MASK)
        token->roles |= VERB_KNOWN | (uint32_t)(value + 1) << VERB_SHIFT;
    return value;
}

static range_t token_range(const rw_words_tokens_t *tokens, size_t first, size_t last)
{
    range_t r = { tokens->items[first].start, tokens->items[last].end };
    return r;
}

/* From token i, skip adverbs and particles; the index of the first other token. */
static size_t skip_adverbs(const extractor_t *ex, size_t i)
{
    while (i < ex->tokens.count && is_skippable(ex, &ex->tokens.items[i]))
        i++;
    return i;
}

/* The action that starts at token i: up to the end of its clause. */
static range_t action_from(const extractor_t *ex, size_t i)
{
    range_t none = { 0, 0 };
    const rw_words_tokens_t *tokens = &ex->tokens;
    i = skip_adverbs(ex, i);
    if (i >= tokens->count || tokens->items[i].kind == RW_TOKEN_PUNCT)
        return none;
    size_t last = i;
    size_t words = 0;
    for (size_t k = i; k < tokens->count && k < i + ACTION_MAX; k++) {
        const rw_token_t *token = &tokens->items[k];
        if (is_punct(token, ";:.?!()[]\"-"))
            break;
        if (is_punct(token, ",") && words >= 3)
            break;
        if (token->kind != RW_TOKEN_PUNCT) {
            words++;
            last = k;
        }
    }
    return token_range(tokens, i, last);
}

/* UPR action category of the action starting at token i: the first verb or noun of the
 * table among its first words (passive auxiliaries skipped). */
static int category_from(const extractor_t *ex, size_t i)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    for (size_t k = i; k < tokens->count && k < i + 4; k++) {
        rw_token_t *token = &tokens->items[k];
        if (token->kind == RW_TOKEN_PUNCT)
            break;
        int value = verb_value(ex, token);
        if (value >= 0 && value / RW_LEXICON_VERB_CATEGORY > 0)
            return value / RW_LEXICON_VERB_CATEGORY;
    }
    return 0;
}

/* Token index of the first token at or after byte offset. */
static size_t token_at(const rw_words_tokens_t *tokens, size_t offset)
{
    size_t i = 0;
    while (i < tokens->count && tokens->items[i].start < offset)
        i++;
    return i;
}

/* ---------------------------------------------------------------- clause analysis */

/* The subject of a modal at token f: back to a clause boundary, from its first
 * determiner on. Empty for pronouns and the speaker. */
static range_t subject_before(const extractor_t *ex, size_t f)
{
    range_t none = { 0, 0 };
    const rw_words_tokens_t *tokens = &ex->tokens;
    if (f == 0)
        return none;
    size_t k = f;
    while (k > 0 && f - k < SUBJECT_MAX) {
        const rw_token_t *token = &tokens->items[k - 1];
        if (is_punct(token, ",;:()[]\"-.?!") || has_role(token, RW_LEXICON_BOUNDARY)
            || has_role(token, RW_LEXICON_THAT))
            break;
        k--;
    }
    /* skip adverbs right before the modal ("also", "now") */
    size_t end = f;
    while (end > k && is_skippable(ex, &tokens->items[end - 1]))
        end--;
    if (end <= k)
        return none;
    size_t start = k;
    for (size_t i = k; i < end; i++)
        if (has_role(&tokens->items[i], RW_LEXICON_DETERMINER)) {
            start = i;
            break;
        }
    const rw_token_t *head = &tokens->items[start];
    if (has_role(head, RW_LEXICON_PRONOUN) || has_role(head, RW_LEXICON_PERSON))
        return none;
    if (end - start == 1 && head->kind != RW_TOKEN_WORD)
        return none;
    return token_range(tokens, start, end - 1);
}

/* Does the subject range name an actor ("the Government", "Sri Lanka")? */
static bool subject_is_actor(const extractor_t *ex, range_t subject)
{
    if (subject.start == subject.end)
        return false;
    const rw_words_tokens_t *tokens = &ex->tokens;
    for (size_t i = token_at(tokens, subject.start);
         i < tokens->count && tokens->items[i].end <= subject.end; i++) {
        const rw_token_t *token = &tokens->items[i];
        if (token->kind != RW_TOKEN_WORD)
            continue;
        if (rw_words_get_hashed(rw_lexicon_actors(ex->lexicon), token->hash,
                                ex->data + token->start, token->end - token->start) >= 0)
            return true;
    }
    return false;
}

/* ---------------------------------------------------------------- who speaks */

/* Is token the name of one of the State's delegates seen so far? */
static bool is_delegate(const extractor_t *ex, const rw_token_t *token)
{
    if (token->kind != RW_TOKEN_WORD || !token->capital)
        return false;
    for (size_t i = 0; i < ex->delegate_count; i++)
        if (ex->delegates[i] == token->hash)
            return true;
    return false;
}

/* Who is the subject of the verb at token v, reading back to a comma, a clause word or
 * SUBJECT_MAX tokens: SPEAKER_ADDRESSEE when it holds a "self" word ("the delegation",
 * "the representative of the State party", "the Constitution") or a delegate's name,
 * SPEAKER_OTHER when it names another person ("Mr. Smith") or a member of the body
 * ("Rapporteur"), SPEAKER_NONE otherwise (a pronoun: whoever spoke goes on). */
static int subject_speaker(const extractor_t *ex, size_t v)
{
    bool self = false, member = false, title = false;
    for (size_t k = v; k > 0 && v - k < SUBJECT_MAX; k--) {
        const rw_token_t *token = &ex->tokens.items[k - 1];
        if (is_punct(token, ",;:") || has_role(token, RW_LEXICON_THAT))
            break;
        /* "the representative of OHCHR" speaks for the body, not for the State */
        member = member || has_role(token, RW_LEXICON_MEMBER);
        self = self || has_role(token, RW_LEXICON_SELF) || is_delegate(ex, token);
        title = title || has_role(token, RW_LEXICON_TITLE);
    }
    if (member)
        return SPEAKER_OTHER;
    if (self)
        return SPEAKER_ADDRESSEE;
    return title ? SPEAKER_OTHER : SPEAKER_NONE;
}

/* Does a verb of saying before token `before` report the addressee's own words ("the
 * delegation said that", "la loi dispose que", "el Estado parte informa que")? Then a
 * deontic after it describes the State's law or plans: it asks nothing. */
static bool said_by_addressee(const extractor_t *ex, size_t before)
{
    if (!unit_has_role(ex, RW_LEXICON_SAY))
        return false;
    for (size_t k = 1; k < before && k < ex->tokens.count; k++)
        if (has_role(&ex->tokens.items[k], RW_LEXICON_SAY)
            && subject_speaker(ex, k) == SPEAKER_ADDRESSEE)
            return true;
    return false;
}

/* Remember the delegates a unit introduces: a title, a name and, in parentheses, the
 * State ("M. REIMANN (Danemark)", "Mr. LEHMANN (Denmark)"), as summary records name
 * the State's representatives; a member of the body is named with a role instead
 * ("Mr. BURNS (Country Rapporteur)"). */
static int note_delegates(extractor_t *ex)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    const rw_gazetteer_t *gazetteer = rw_lexicon_gazetteer(ex->lexicon);
    if (!gazetteer)
        return 0;
    /* without a title, only a name at the start can introduce a delegate */
    size_t limit = unit_has_role(ex, RW_LEXICON_TITLE) ? tokens->count : 1;
    for (size_t t = 0; t + 3 < tokens->count && t < limit; t++) {
        size_t k;
        if (has_role(&tokens->items[t], RW_LEXICON_TITLE))
            k = t + 1 + (is_punct(&tokens->items[t + 1], ".") ? 1 : 0);
        else if (t == 0 && tokens->items[0].capital)
            k = 0;             /* the title cut off as a unit of its own */
        else
            continue;
        size_t name = k;
        while (k < tokens->count && k < name + 3 && tokens->items[k].kind == RW_TOKEN_WORD
               && tokens->items[k].capital)
            k++;
        if (k == name || k >= tokens->count || !is_punct(&tokens->items[k], "("))
            continue;
        size_t open = k, close = k + 1;
        bool member = false;
        while (close < tokens->count && close < open + 8 && !is_punct(&tokens->items[close], ")")) {
            member = member || has_role(&tokens->items[close], RW_LEXICON_MEMBER);
            close++;
        }
        if (close >= tokens->count || close == open + 1 || member
            || !is_punct(&tokens->items[close], ")"))
            continue;
        rw_strings_t countries = { 0 };
        size_t from = tokens->items[open + 1].start, to = tokens->items[close - 1].end;
        int rc = rw_gazetteer_countries_range(gazetteer, ex->data, from, to, &ex->words,
                                              &countries);
        bool country = countries.count > 0;
        rw_strings_clear(&countries);
        if (rc != 0)
            return rc;
        for (size_t n = name; country && n < open && ex->delegate_count < MAX_DELEGATES; n++)
            if (!is_delegate(ex, &tokens->items[n]))
                ex->delegates[ex->delegate_count++] = tokens->items[n].hash;
    }
    return 0;
}

/* The speaker a unit names: the subject of its first verb of saying, or else the
 * person its first words name ("M. Reimann s'efforcera de répondre ..."). */
static int unit_speaker(const extractor_t *ex)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    for (size_t k = 1; unit_has_role(ex, RW_LEXICON_SAY) && k < tokens->count
                       && k < SPEAKER_SCAN; k++)
        if (has_role(&tokens->items[k], RW_LEXICON_SAY))
            return subject_speaker(ex, k);
    if (!unit_has_role(ex, RW_LEXICON_TITLE))
        return SPEAKER_NONE;
    for (size_t k = 0; k + 1 < tokens->count && k < 3; k++) {
        if (!has_role(&tokens->items[k], RW_LEXICON_TITLE))
            continue;
        size_t name = k + 1 + (is_punct(&tokens->items[k + 1], ".") ? 1 : 0);
        if (name < tokens->count && tokens->items[name].capital)
            return is_delegate(ex, &tokens->items[name]) ? SPEAKER_ADDRESSEE : SPEAKER_OTHER;
    }
    return SPEAKER_NONE;
}

/* Does the unit open with a verb of saying whose subject is only a pronoun or is left
 * out ("She said ...", "Elle a précisé que ...", "Indicó que ...")? Then whoever spoke
 * last goes on speaking. */
static bool pronoun_says(const extractor_t *ex)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    if (!unit_has_role(ex, RW_LEXICON_SAY))
        return false;
    for (size_t k = 0; k < tokens->count && k < 4; k++) {
        const rw_token_t *token = &tokens->items[k];
        if (has_role(token, RW_LEXICON_SAY))
            return k == 0 || has_role(&tokens->items[0], RW_LEXICON_PRONOUN);
        if (token->kind != RW_TOKEN_WORD)
            return false;
    }
    return false;
}

/* Fields of a "that"/"que" clause starting at token s: the action after a later cue
 * of the clause, or after its subject's verb, or right after the conjunction. */
static bool that_clause(const extractor_t *ex, size_t s, size_t match, analysis_t *a,
                        bool set_addressee)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    for (size_t m = match + 1; m < ex->matches.count; m++) {
        const rw_cue_match_t *later = &ex->matches.items[m];
        if (!ex->valid[m] || later->first < s)
            continue;
        int family = later->cue->family;
        if (family == RW_CUE_MODAL || family == RW_CUE_EVALUATION
            || family == RW_CUE_NECESSITY) {
            a->action = action_from(ex, later->last + 1);
            a->category = category_from(ex, skip_adverbs(ex, later->last + 1));
            if (set_addressee && family == RW_CUE_MODAL) {
                range_t subject = subject_before(ex, later->first);
                if (subject.start >= tokens->items[s].start)
                    a->addressee = subject;
            }
            if (a->action.start != a->action.end)
                return true;
        }
    }
    if (s >= tokens->count)
        return false;
    const rw_token_t *first = &tokens->items[s];
    if (has_role(first, RW_LEXICON_DETERMINER) || first->capital) {
        for (size_t v = s + 1; v < tokens->count && v < s + 8; v++) {
            rw_token_t *token = &tokens->items[v];
            if (token->kind == RW_TOKEN_PUNCT)
                break;
            int value = verb_value(ex, token);
            if (value >= 0 && (value & RW_LEXICON_VERB_IMPERATIVE) && !token->capital) {
                if (set_addressee)
                    a->addressee = token_range(tokens, s, v - 1);
                a->action = action_from(ex, v);
                a->category = category_from(ex, v);
                return true;
            }
        }
        return false;
    }
    /* no subject: the clause starts with its verb ("que adopte", "that ratify") */
    a->action = action_from(ex, s);
    a->category = category_from(ex, skip_adverbs(ex, s));
    return verb_value(ex, &tokens->items[skip_adverbs(ex, s) < tokens->count
                                         ? skip_adverbs(ex, s) : s]) >= 0;
}

/* Addressee and action of a performative cue ("urge X to ...", "recommend to X that"). */
static bool perform_fields(const extractor_t *ex, size_t match, analysis_t *a)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    const rw_cue_match_t *m = &ex->matches.items[match];
    const rw_cue_t *cue = m->cue;
    /* "asked ... to": the wildcard holds the addressee, the action follows */
    for (size_t w = 1; w + 1 < cue->length; w++) {
        if (strcmp(cue->words[w], "...") != 0 && strcmp(cue->words[w], "*") != 0)
            continue;
        size_t after = cue->length - w - 1;         /* cue words after the wildcard */
        size_t first = m->first + w, last = m->last - after;
        if (first <= last && m->last > after)
            a->addressee = token_range(tokens, first, last);
        a->action = action_from(ex, m->last + 1);
        a->category = category_from(ex, skip_adverbs(ex, m->last + 1));
        return a->action.start != a->action.end;
    }
    size_t j = m->last + 1;
    if (j < tokens->count && has_role(&tokens->items[j], RW_LEXICON_PREP)
        && !has_role(&tokens->items[m->last], RW_LEXICON_PREP))
        j++;
    for (size_t k = j; k < tokens->count && k < j + ADDRESSEE_MAX; k++) {
        const rw_token_t *token = &tokens->items[k];
        if (is_punct(token, ";:.?!()"))
            break;
        if (has_role(token, RW_LEXICON_THAT)) {
            if (k > j)
                a->addressee = token_range(tokens, j, k - 1);
            return that_clause(ex, k + 1, match, a, k == j);
        }
        if (has_role(token, RW_LEXICON_TO) && k > j) {
            a->addressee = token_range(tokens, j, k - 1);
            size_t s = k + 1;
            if (s < tokens->count && has_role(&tokens->items[s], RW_LEXICON_THAT))
                s++;          /* "a que adopte" */
            a->action = action_from(ex, s);
            a->category = category_from(ex, skip_adverbs(ex, s));
            return a->action.start != a->action.end;
        }
        if (is_punct(token, ","))
            break;
    }
    /* "calls for the release of ...", "urged the abolition of ...": the object;
     * "suggested drafting ...": a verb form opens the action */
    a->action = action_from(ex, j);
    bool determiner = j < tokens->count && has_role(&tokens->items[j], RW_LEXICON_DETERMINER);
    a->category = category_from(ex, determiner ? j + 1 : j);
    if (j >= tokens->count || determiner)
        return false;
    int value = verb_value(ex, &tokens->items[j]);
    return value >= 0 && (value & RW_LEXICON_VERB_IMPERATIVE);
}

/* ---------------------------------------------------------------- one unit */

static int ensure_valid(extractor_t *ex)
{
    if (ex->matches.count <= ex->valid_capacity)
        return 0;
    size_t capacity = ex->matches.count * 2;
    bool *valid = realloc(ex->valid, capacity * sizeof *valid);
    if (!valid)
        return -ENOMEM;
    ex->valid = valid;
    ex->valid_capacity = capacity;
    return 0;
}

static bool is_call_family(int family)
{
    return family == RW_CUE_PERFORM || family == RW_CUE_MODAL || family == RW_CUE_NECESSITY
        || family == RW_CUE_EVALUATION || family == RW_CUE_HOPE;
}

static bool overlapped_by_not_cue(const rw_cue_matches_t *matches, const rw_cue_match_t *m)
{
    for (size_t k = 0; k < matches->count; k++) {
        const rw_cue_match_t *n = &matches->items[k];
        if (n->cue->family == RW_CUE_NOT_CUE && n->first <= m->last && n->last >= m->first)
            return true;
    }
    return false;
}

/* Cancel the cues that look-alike phrases overlap or follow; note vetoes. */
static void cancel_cues(extractor_t *ex, analysis_t *a, bool *imperative_blocked)
{
    const rw_cue_matches_t *matches = &ex->matches;
    size_t after = (size_t)-1;
    for (size_t i = 0; i < matches->count; i++) {
        ex->valid[i] = true;
        const rw_cue_match_t *m = &matches->items[i];
        switch (m->cue->family) {
        case RW_CUE_NOT_UNIT:
            a->veto = true;
            break;
        case RW_CUE_NOT_AFTER:
            /* "according to international law" is no attribution to the State */
            if (m->first < after && !overlapped_by_not_cue(matches, m))
                after = m->first;
            break;
        case RW_CUE_LIST_NOUN:
            a->list_noun = true;
            break;
        case RW_CUE_NOT_IMPERATIVE:
            if (m->first == 0)
                *imperative_blocked = true;
            break;
        default:
            break;
        }
    }
    for (size_t i = 0; i < matches->count; i++) {
        const rw_cue_match_t *m = &matches->items[i];
        if (!is_call_family(m->cue->family))
            continue;
        if (m->first > after) {
            ex->valid[i] = false;
            continue;
        }
        if (overlapped_by_not_cue(matches, m))
            ex->valid[i] = false;
    }
}

/* The confidence one valid cue gives the unit, with its fields filled into trial. */
static double cue_confidence(extractor_t *ex, size_t match, analysis_t *trial)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    const rw_cue_match_t *m = &ex->matches.items[match];
    double confidence = m->cue->confidence;
    size_t next = skip_adverbs(ex, m->last + 1);
    bool ends_unit = next >= tokens->count || is_punct(&tokens->items[next], ".;?!");
    switch (m->cue->family) {
    case RW_CUE_PERFORM: {
        bool action = perform_fields(ex, match, trial);
        if (!action)
            confidence -= 0.1;
        if (m->first > 0 && has_role(&tokens->items[m->first - 1], RW_LEXICON_PERSON))
            confidence += 0.03;
        if (ends_unit || is_punct(&tokens->items[next < tokens->count ? next : 0], ":"))
            trial->open_cue = true;
        break;
    }
    case RW_CUE_MODAL: {
        trial->action = action_from(ex, m->last + 1);
        trial->category = category_from(ex, next);
        if (trial->action.start == trial->action.end) {
            confidence -= 0.3;
            trial->open_cue = true;
        }
        range_t subject = subject_before(ex, m->first);
        bool passive = next < tokens->count && has_role(&tokens->items[next],
                                                        RW_LEXICON_PASSIVE);
        bool negated = false;
        for (size_t k = m->last + 1; k < next; k++)
            negated = negated || has_role(&tokens->items[k], RW_LEXICON_NEGATION);
        if (subject_is_actor(ex, subject) || (subject.start != subject.end
                                              && tokens->items[token_at(tokens, subject.start)].capital))
            confidence += 0.06;
        if (!passive)
            trial->addressee = subject;
        /* "Financial prosperity ... should not be sought at the expense of ...": a
         * passive whose verb names no action of the verb table, with no actor, states a
         * general principle; it asks no one to act */
        if (passive && negated && trial->category == 0 && !subject_is_actor(ex, subject)
            && category_from(ex, next + 1) == 0)
            confidence -= 0.25;
        /* "security, which should be the responsibility of the police": a modal in
         * a relative clause describes, it does not ask */
        if (m->first > 0 && has_role(&tokens->items[m->first - 1], RW_LEXICON_RELATIVE))
            confidence -= 0.3;
        /* "the court judges whether the accused must be punished": asked about */
        size_t open = subject.start != subject.end ? token_at(tokens, subject.start) : m->first;
        if (open > 0 && has_role(&tokens->items[open - 1], RW_LEXICON_WHETHER))
            confidence -= 0.3;
        break;
    }
    case RW_CUE_NECESSITY:
    case RW_CUE_EVALUATION: {
        const rw_token_t *last = &tokens->items[m->last];
        if (has_role(last, RW_LEXICON_TO) || has_role(last, RW_LEXICON_THAT)) {
            trial->action = action_from(ex, m->last + 1);
            trial->category = category_from(ex, next);
            if (trial->action.start != trial->action.end)
                confidence += 0.05;
        }
        break;
    }
    default:
        break;
    }
    /* the addressee's own words: its law, its replies, its plans */
    int family = m->cue->family;
    bool deontic = family == RW_CUE_MODAL || family == RW_CUE_NECESSITY
                   || family == RW_CUE_EVALUATION;
    if (said_by_addressee(ex, m->first) || (deontic && trial->continued))
        confidence -= 0.4;
    else if (deontic && ex->addressee_speaking)
        confidence -= 0.35;
    if (confidence > 0.99)
        confidence = 0.99;
    return confidence;
}

/* The reported span of a cue: a modal with its passive ("should be replaced"), a
 * performative with its preposition ("recommended to"). */
static range_t cue_span(const extractor_t *ex, const rw_cue_match_t *m)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    size_t last = m->last;
    size_t next = last + 1;
    if (m->cue->family == RW_CUE_MODAL) {
        size_t k = skip_adverbs(ex, next);
        if (k + 1 < tokens->count && has_role(&tokens->items[k], RW_LEXICON_PASSIVE)
            && tokens->items[k + 1].kind == RW_TOKEN_WORD)
            last = k + 1;
    } else if (m->cue->family == RW_CUE_PERFORM && next < tokens->count
               && has_role(&tokens->items[next], RW_LEXICON_PREP)) {
        last = next;
    }
    return token_range(tokens, m->first, last);
}

/* The token index of an imperative verb at token i, after adverbs, "and" and "to":
 * an exact form of the verb table (not "Continues", not "Adopte"), capitalised unless
 * lower_ok. (size_t)-1 when none. */
static size_t imperative_at(const extractor_t *ex, size_t i, bool lower_ok)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    for (size_t k = i; k < tokens->count && k < i + 4; k++) {
        rw_token_t *token = &tokens->items[k];
        if (token->kind != RW_TOKEN_WORD)
            return (size_t)-1;
        if (k == i && !token->capital && !lower_ok)
            return (size_t)-1; /* a verb or not, the first word is not capitalised */
        int value = rw_words_get_hashed(rw_lexicon_verbs(ex->lexicon), token->hash,
                                        ex->data + token->start, token->end - token->start);
        if (value >= 0 && (value & RW_LEXICON_VERB_IMPERATIVE))
            return k;
        if (!has_role(token, RW_LEXICON_TO) && !has_role(token, RW_LEXICON_CONJUNCTION)
            && !is_skippable(ex, token))
            return (size_t)-1;
    }
    return (size_t)-1;
}

/* List numbering the segmenter left at the start of a unit ("86.10..1 ratify",
 * "b) veiller", "- Associer", "f)….. adopter"): numbers, letters before a bracket,
 * dots, brackets and dashes, with a dot, bracket or dash somewhere. The index of the
 * first token after it, or i itself when there is none. */
static size_t leftover_numbering(const extractor_t *ex, size_t i)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    size_t k = i;
    bool mark = false;
    while (k < tokens->count) {
        const rw_token_t *token = &tokens->items[k];
        if (token->kind == RW_TOKEN_NUMBER) {
            if (memchr(ex->data + token->start, '.', token->end - token->start))
                mark = true;
        } else if (token->kind == RW_TOKEN_WORD && token->end - token->start <= 3
                   && k + 1 < tokens->count && is_punct(&tokens->items[k + 1], ")")) {
            /* "b)", "iv)" */
        } else if (is_punct(token, ".)-")
                   || (token->kind == RW_TOKEN_PUNCT && !token->punct)) {
            mark = true;       /* dots, brackets, dashes, an ellipsis or a bullet */
        } else {
            break;
        }
        k++;
    }
    return mark && k > i && k < tokens->count && tokens->items[k].kind == RW_TOKEN_WORD ? k : i;
}

/* A unit that is only a parenthesised attribution: "(Niger);" after the sentence of a
 * list item that ended with a full stop. */
static bool is_attribution(const extractor_t *ex)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    if (tokens->count < 3 || !is_punct(&tokens->items[0], "("))
        return false;
    size_t last = tokens->count - 1;
    while (last > 0 && is_punct(&tokens->items[last], ";.,"))
        last--;
    if (!is_punct(&tokens->items[last], ")"))
        return false;
    for (size_t k = 1; k < last; k++)
        if (is_punct(&tokens->items[k], "()"))
            return false;
    return last <= 12;
}

/* Cut the unit into tokens and find its cues: their roles, matches and validity, only
 * the cues of the statement's language, and the language of its first call. */
static int find_cues(extractor_t *ex, const rw_unit_t *unit)
{
    int rc = rw_words_tokenize(ex->data + unit->start, unit->end - unit->start, unit->start,
                               &ex->tokens);
    if (rc == 0)
        note_roles(ex);
    if (rc == 0)
        rc = rw_cues_match(rw_lexicon_cues(ex->lexicon), ex->data, &ex->tokens, &ex->matches);
    if (rc == 0)
        rc = ensure_valid(ex);
    if (rc != 0)
        return rc;
    if (ex->language) {
        /* "engage" is a French call but an English verb: keep the statement's cues */
        size_t kept = 0;
        for (size_t i = 0; i < ex->matches.count; i++) {
            const rw_cue_t *cue = ex->matches.items[i].cue;
            if (cue->language[0] == '\0' || strcmp(cue->language, ex->language) == 0)
                ex->matches.items[kept++] = ex->matches.items[i];
        }
        ex->matches.count = kept;
    }
    ex->unit_language = NULL;
    for (size_t i = 0; i < ex->matches.count && !ex->unit_language; i++)
        if (is_call_family(ex->matches.items[i].cue->family))
            ex->unit_language = ex->matches.items[i].cue->language;
    return 0;
}

/* Who speaks: in a summary record, a delegate's reply goes on until another speaker is
 * named or a heading comes. */
static int note_speaker(extractor_t *ex, const rw_unit_t *unit, analysis_t *a)
{
    if (ex->delegate_count < MAX_DELEGATES) {
        int rc = note_delegates(ex);
        if (rc != 0)
            return rc;
    }
    a->speaker = unit_speaker(ex);
    a->continued = a->speaker == SPEAKER_NONE && ex->last_addressee
                   && unit->kind != RW_UNIT_HEADING && pronoun_says(ex);
    ex->last_addressee = a->speaker == SPEAKER_ADDRESSEE || a->continued;
    if (unit->kind == RW_UNIT_HEADING || a->speaker == SPEAKER_OTHER)
        ex->addressee_speaking = false;
    else if (a->speaker == SPEAKER_ADDRESSEE)
        ex->addressee_speaking = ex->delegate_count > 0;
    return 0;
}

/* The unit's shape: its words, a final colon, an attribution; a question asks, it does
 * not recommend. */
static void note_shape(extractor_t *ex, analysis_t *a)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    a->words = ex->unit_words;
    const rw_token_t *last = &tokens->items[tokens->count - 1];
    a->colon = is_punct(last, ":");
    a->attribution = is_attribution(ex);
    if (is_punct(last, "?") || (last->kind == RW_TOKEN_PUNCT && tokens->count > 1
                                && last->punct == '"' && is_punct(&tokens->items[tokens->count - 2], "?")))
        a->veto = true;
}

/* The best cue gives the fields; every valid cue is reported. Two kinds of cue
 * agreeing make a call more certain. */
static void choose_cue(extractor_t *ex, analysis_t *a)
{
    int family_mask = 0;
    for (size_t i = 0; i < ex->matches.count; i++) {
        const rw_cue_match_t *m = &ex->matches.items[i];
        if (!ex->valid[i] || !is_call_family(m->cue->family))
            continue;
        analysis_t trial = *a;
        trial.addressee = trial.action = (range_t){ 0, 0 };
        trial.category = 0;
        trial.open_cue = false;
        double confidence = cue_confidence(ex, i, &trial);
        if (a->cue_count < MAX_CUES)
            a->cues[a->cue_count++] = cue_span(ex, m);
        family_mask |= 1 << m->cue->family;
        if (!a->cue || confidence > a->confidence) {
            range_t saved[MAX_CUES];
            size_t saved_count = a->cue_count;
            memcpy(saved, a->cues, sizeof saved);
            *a = trial;
            memcpy(a->cues, saved, sizeof saved);
            a->cue_count = saved_count;
            a->cue = m->cue;
            a->confidence = confidence;
            a->strength = m->cue->strength;
        }
    }
    if (a->cue && (family_mask & (family_mask - 1)) && a->confidence < 0.96)
        a->confidence += 0.03;
}

/* The imperative verb from token first on, or after the first comma of an opening
 * phrase in a list item ("With the support of X, increase"); (size_t)-1 when none. */
static size_t imperative_verb(extractor_t *ex, size_t first, bool listed)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    size_t verb = imperative_at(ex, first, listed);
    if (verb == (size_t)-1 && listed) {
        for (size_t k = first; k < tokens->count && k < first + 25; k++) {
            if (is_punct(&tokens->items[k], ";:.("))
                break;
            if (is_punct(&tokens->items[k], ",")) {
                verb = imperative_at(ex, k + 1, true);
                break;
            }
        }
    }
    return verb;
}

/* An imperative first word: "Ratify ...", "Adoptar ...", "Veiller à ...", also after
 * adverbs, "and", "to" ("To consider ...", "Further refine ...", "and ensure ...") or,
 * in a list item, after an opening phrase ("With the support of X, increase"). */
static void find_imperative(extractor_t *ex, const rw_unit_t *unit, analysis_t *a)
{
    const rw_words_tokens_t *tokens = &ex->tokens;
    size_t first = 0;
    while (first < tokens->count && tokens->items[first].kind == RW_TOKEN_PUNCT)
        first++;
    size_t numbered = leftover_numbering(ex, first);
    if (numbered > first) {
        a->lead_tokens = numbered;
        first = numbered;
    }
    size_t verb = imperative_verb(ex, first, unit->item || a->lead_tokens > 0);
    if (verb == (size_t)-1)
        return;
    const rw_token_t *token = &tokens->items[verb];
    a->imperative = rw_words_get_hashed(rw_lexicon_verbs(ex->lexicon), token->hash,
                                        ex->data + token->start, token->end - token->start);
    a->imperative_action = action_from(ex, verb);
    a->noun_phrase = verb > first && verb < first + 4
                     && has_role(&tokens->items[first], RW_LEXICON_DETERMINER);
}

/* Analyse one unit into a (all zero, from calloc: one memset for all units is
 * cheaper than one per unit): its cues, speaker, shape, best cue and imperative. */
static int analyse_unit(extractor_t *ex, const rw_unit_t *unit, analysis_t *a)
{
    a->imperative = -1;
    int rc = find_cues(ex, unit);
    if (rc != 0)
        return rc;
    if (ex->tokens.count == 0) {
        a->veto = true;
        return 0;
    }
    rc = note_speaker(ex, unit, a);
    if (rc != 0)
        return rc;
    note_shape(ex, a);
    bool imperative_blocked = false;
    cancel_cues(ex, a, &imperative_blocked);
    choose_cue(ex, a);
    if (!imperative_blocked)
        find_imperative(ex, unit, a);
    return 0;
}

/* ---------------------------------------------------------------- output */

/* Is c a byte that folded_copy copies as it is, whatever follows? */
static inline bool is_plain(unsigned char c)
{
    return c > ' ' && c != 0xC2;
}

/* The bytes of chunk that folded_copy cannot copy as they are, marked with 0x80: bytes
 * up to ' ' and 0xC2 (which may open U+00A0), except a space followed by a byte of
 * neither kind (one space between words stays as it is); after is the byte after the
 * chunk. */
static inline uint64_t work_lanes(uint64_t chunk, unsigned char after)
{
    uint64_t low = chunk & RW_CHUNK_EACH(0x7F);
    uint64_t below = ~((low + RW_CHUNK_EACH(0x80 - 0x21)) | chunk) & RW_CHUNK_LANES;
    uint64_t special = below | rw_chunk_equal_lanes(chunk, 0xC2);
    uint64_t space = rw_chunk_equal_lanes(chunk, ' ');
    uint64_t special_next = (special >> 8) | (uint64_t)!is_plain(after) << 63;
    return special & ~(space & ~special_next);
}

/* The end of the white space run at p (p itself when there is none): ASCII white
 * space and U+00A0 (C2 A0). */
static const unsigned char *white_end(const unsigned char *p, const unsigned char *end)
{
    for (;;) {
        if (p < end && (*p == ' ' || (*p >= '\t' && *p <= '\r')))
            p++;
        else if (end - p >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
            p += 2;
        else
            return p;
    }
}

/* Copy text[start, end) into out with white space runs folded to one space and none
 * at either end; NUL-terminated. out has room for end - start + 1 bytes (the copy
 * may write, and later overwrite, up to that many). Returns the copy's length. */
static size_t folded_copy(const char *text, size_t start, size_t end, char *out)
{
    const unsigned char *e = (const unsigned char *)text + end;
    const unsigned char *p = white_end((const unsigned char *)text + start, e);
    unsigned char *o = (unsigned char *)out;
    /* from here on a white space run always follows a byte already copied */
    while (p < e) {
        if (e - p >= 9) {
            /* eight bytes at once (and the ninth, which tells whether a space in the
             * eighth stays): copy them all, keep those before the first to work on */
            uint64_t chunk = rw_chunk_load(p);
            uint64_t work = work_lanes(chunk, p[8]);
            rw_chunk_store(o, chunk);
            if (!work) {
                p += 8;
                o += 8;
                continue;
            }
            size_t lanes = rw_chunk_first_lane(work);
            p += lanes;
            o += lanes;
        } else if (is_plain(*p)) {
            *o++ = *p++;
            continue;
        }
        if (*p == ' ' && e - p >= 2 && is_plain(p[1])) {
            *o++ = ' ';        /* the common case: one space between words */
            p++;
            continue;
        }
        const unsigned char *after = white_end(p, e);
        if (after == p) {
            *o++ = *p++;       /* a control byte, a lone 0xC2: kept */
            continue;
        }
        if (after < e)
            *o++ = ' ';
        p = after;
    }
    *o = '\0';
    return (size_t)(o - (unsigned char *)out);
}

typedef struct {
    double confidence;
    const char *strength;
    range_t addressee, action;
    int category;
    const range_t *cues;
    size_t cue_count;
    const char *cue_language;
    range_t extra_cue;                 /* the imperative verb, or a lead-in's cue */
} decision_t;

/* One string field of a recommendation: text[range] folded into *at, or NULL for an
 * empty range. */
static char *folded_field(const char *text, range_t range, char **at)
{
    if (range.start == range.end)
        return NULL;
    char *field = *at;
    *at += folded_copy(text, range.start, range.end, field) + 1;
    return field;
}

/* The text, addressee, action and language of rec, in one piece of the pool. */
static int set_strings(rw_recommendation_t *rec, rw_document_t *doc, const char *data,
                       range_t text, const decision_t *d, const char *language)
{
    size_t language_size = language ? strlen(language) + 1 : 0;
    char *at = rw_document_alloc(doc, (text.end - text.start + 1)
                                 + (d->addressee.end - d->addressee.start + 1)
                                 + (d->action.end - d->action.start + 1) + language_size);
    if (!at)
        return -ENOMEM;
    rec->text = at;
    at += folded_copy(data, text.start, text.end, at) + 1;
    rec->addressee = folded_field(data, d->addressee, &at);
    rec->action = folded_field(data, d->action, &at);
    if (language) {
        memcpy(at, language, language_size);
        rec->language = at;
    }
    return 0;
}

/* Add the cue text[range], folded, to rec unless it is there already. */
static int add_cue(extractor_t *ex, rw_recommendation_t *rec, range_t range)
{
    size_t size = range.end - range.start + 1;
    if (size > ex->fold_capacity) {
        char *grown = realloc(ex->fold, size);
        if (!grown)
            return -ENOMEM;
        ex->fold = grown;
        ex->fold_capacity = size;
    }
    folded_copy(ex->data, range.start, range.end, ex->fold);
    return rw_strings_add_unique(&rec->cues, ex->fold);
}

static int add_recommendation(extractor_t *ex, rw_document_t *doc, const rw_unit_t *unit,
                              const decision_t *d)
{
    rw_recommendation_t *rec = rw_document_add(doc);
    if (!rec)
        return -ENOMEM;
    const char *data = ex->data;
    const char *language = doc->language ? doc->language : d->cue_language;
    int rc = set_strings(rec, doc, data, (range_t){ unit->start, unit->end }, d,
                         language);
    if (rc != 0)
        return rc;
    rec->start = unit->start;
    rec->end = unit->end;
    rw_text_span(ex->text, unit->start, unit->end, &rec->span_start, &rec->span_end);
    rec->category = d->category;
    rec->strength = d->strength;
    rec->confidence = d->confidence;
    for (size_t i = 0; i < d->cue_count && rc == 0; i++)
        rc = add_cue(ex, rec, d->cues[i]);
    if (rc == 0 && d->extra_cue.start != d->extra_cue.end)
        rc = add_cue(ex, rec, d->extra_cue);
    const rw_gazetteer_t *gazetteer = rw_lexicon_gazetteer(ex->lexicon);
    if (rc == 0 && gazetteer)
        rc = rw_gazetteer_themes_range(gazetteer, language, data, unit->start, unit->end,
                                       &ex->words, &rec->themes);
    if (rc == 0 && gazetteer)
        rc = rw_gazetteer_countries_range(gazetteer, data, unit->start, unit->end, &ex->words,
                                          &rec->countries);
    if (rc == 0 && rec->countries.count == 0 && doc->countries.count > 0)
        rc = rw_strings_add_unique(&rec->countries, doc->countries.items[0]);
    return rc;
}

/* An addressee is an actor: it holds an actor noun ("the Government", "el Estado
 * parte", "les autorités") or a name (a capitalised word that does not merely open the
 * sentence: "Iran", "the Special Rapporteur"), in at most ADDRESSEE_MAX tokens.
 * Anything else ("her about her visits", "the establishment of", "se") is a fragment
 * of the clause, and the field is left empty rather than invented. */
static int checked_addressee(extractor_t *ex, const rw_unit_t *unit, range_t *addressee)
{
    if (addressee->start == addressee->end)
        return 0;
    int rc = rw_words_tokenize(ex->data + addressee->start, addressee->end - addressee->start,
                               addressee->start, &ex->scratch);
    if (rc != 0)
        return rc;
    bool actor = false;
    for (size_t i = 0; i < ex->scratch.count && !actor; i++) {
        const rw_token_t *token = &ex->scratch.items[i];
        if (token->kind != RW_TOKEN_WORD)
            continue;
        actor = rw_words_get_hashed(rw_lexicon_actors(ex->lexicon), token->hash,
                                    ex->data + token->start, token->end - token->start) >= 0
                || (token->capital && token->start > unit->start);
    }
    if (!actor || ex->scratch.count > ADDRESSEE_MAX)
        *addressee = (range_t){ 0, 0 };
    return 0;
}

/* ---------------------------------------------------------------- the document */

static const char *imperative_strength(int value)
{
    return value / RW_LEXICON_VERB_CATEGORY == 3 ? "weak" : "moderate";
}

/* Where decide is in the statement's lists. */
typedef struct {
    bool rec_section;    /* under a heading that names recommendations */
    long lead;           /* index of the lead-in whose list we are in, -1 outside one */
    uint32_t lead_block;
    uint8_t lead_marker;
} list_state_t;

/* Follow the lists at unit i (an item or not): a heading without a cue starts a
 * section; a list ends at the first unit outside a list item, or at an item marked
 * unlike the list's first one ("9." after "a)", "b)"). */
static void follow_list(list_state_t *list, const rw_unit_t *unit, const analysis_t *a,
                        bool item)
{
    if (unit->kind == RW_UNIT_HEADING && !a->cue) {
        list->rec_section = a->list_noun;
        list->lead = -1;
    }
    if (list->lead >= 0 && unit->block != list->lead_block
        && (!item || (unit->item && unit->first && unit->marker_kind != list->lead_marker)))
        list->lead = -1;
}

/* Is unit i a lead-in (it ends with ":", calls or names recommendations, items follow
 * in next)? If so, it starts a list. */
static bool starts_list(list_state_t *list, size_t i, const rw_unit_t *unit,
                        const analysis_t *a, const rw_unit_t *next)
{
    bool next_is_item = next && next->item
                        && (next->block != unit->block ? next->first
                                                       : next->marker_kind != RW_MARKER_NONE);
    if (!(a->colon && !a->veto && next_is_item && (a->cue || a->list_noun)))
        return false;
    list->lead = (long)i;
    list->lead_block = unit->block;
    list->lead_marker = next->marker_kind;
    if (a->list_noun && !a->cue)
        list->rec_section = true;
    return true;
}

/* The decision that the unit's own best cue gives. */
static decision_t cue_decision(const analysis_t *a)
{
    decision_t d = { 0 };
    d.confidence = a->cue ? a->confidence : 0.0;
    d.strength = a->strength;
    d.addressee = a->addressee;
    d.action = a->action;
    d.category = a->category;
    d.cues = a->cues;
    d.cue_count = a->cue_count;
    d.cue_language = a->cue ? a->cue->language : NULL;
    return d;
}

/* An item of a lead-in's list (analysed in l): the lead-in's call applies to it. */
static void apply_lead_call(decision_t *d, const analysis_t *a, const analysis_t *l,
                            bool imperative)
{
    double c = l->cue ? 0.88 : 0.85;
    if (imperative)
        c = 0.9;
    if (c > d->confidence) {
        d->confidence = c;
        if (!a->cue) {
            d->strength = l->cue ? l->strength
                        : imperative ? imperative_strength(a->imperative) : NULL;
            d->addressee = l->cue ? l->addressee : (range_t){ 0, 0 };
            d->cue_language = l->cue ? l->cue->language : NULL;
            if (l->cue_count > 0)
                d->extra_cue = l->cues[0];
        }
    }
    if (imperative && d->action.start == d->action.end) {
        d->action = a->imperative_action;
        d->category = a->imperative / RW_LEXICON_VERB_CATEGORY;
    }
}

/* An imperative outside a lead-in's list: a call when it is an item or long enough. */
static void apply_imperative(decision_t *d, const analysis_t *a, bool item, bool rec_section)
{
    if (!(item || a->words >= 6))
        return;
    double c = item ? (rec_section ? 0.9 : 0.8) : (rec_section ? 0.8 : 0.6);
    if (c > d->confidence) {
        d->confidence = c;
        d->action = a->imperative_action;
        d->category = a->imperative / RW_LEXICON_VERB_CATEGORY;
        d->strength = imperative_strength(a->imperative);
        d->addressee = (range_t){ 0, 0 };
    }
}

/* The imperative verb itself, the first word of its action, as a cue. */
static range_t imperative_cue(const extractor_t *ex, const analysis_t *a)
{
    size_t s = a->imperative_action.start;
    size_t e = s;
    while (e < a->imperative_action.end && ex->data[e] != ' ')
        e++;
    return (range_t){ s, e };
}

/* Decide which units are recommendations and add them to doc. */
static int decide(extractor_t *ex, rw_document_t *doc, const rw_segment_t *segment,
                  const analysis_t *analyses, double min_confidence)
{
    const rw_unit_t *units = segment->units;
    list_state_t list = { false, -1, 0, RW_MARKER_NONE };
    for (size_t i = 0; i < segment->count; i++) {
        const rw_unit_t *unit = &units[i];
        const analysis_t *a = &analyses[i];
        bool item = unit->item || a->lead_tokens > 0;
        follow_list(&list, unit, a, item);
        const rw_unit_t *next = i + 1 < segment->count ? &units[i + 1] : NULL;
        if (starts_list(&list, i, unit, a, next) || a->veto)
            continue;
        decision_t d = cue_decision(a);
        bool heading = unit->kind == RW_UNIT_HEADING;
        bool imperative = a->imperative >= 0 && !heading && a->words >= MIN_IMPERATIVE_WORDS;
        bool in_list = list.lead >= 0 && item;
        /* "A draft law was being prepared": a noun phrase outside a list of calls */
        if (imperative && a->noun_phrase && !list.rec_section && !in_list)
            imperative = false;
        if (in_list)
            apply_lead_call(&d, a, &analyses[list.lead], imperative);
        else if (imperative)
            apply_imperative(&d, a, item, list.rec_section);
        /* a cue that opens a list which never comes is still no recommendation */
        if (a->cue && a->colon && a->open_cue && d.confidence == a->confidence)
            d.confidence -= 0.3;
        if (d.confidence <= 0.0 || d.confidence < min_confidence)
            continue;
        if (imperative && d.action.start == a->imperative_action.start
            && a->imperative_action.start != a->imperative_action.end)
            d.extra_cue = imperative_cue(ex, a);
        /* a list item's attribution cut off by its full stop: "... level. (Niger);" */
        rw_unit_t whole = *unit;
        if (next && next->block == unit->block && analyses[i + 1].attribution) {
            whole.end = next->end;
            i++;
        }
        int rc = checked_addressee(ex, unit, &d.addressee);
        if (rc == 0)
            rc = add_recommendation(ex, doc, &whole, &d);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int rw_extract(const rw_lexicon_t *lexicon, const rw_text_t *text,
               const rw_extract_options_t *options, rw_document_t **out)
{
    if (!lexicon || !text || !out)
        return -EINVAL;
    *out = NULL;
    rw_document_t *doc = rw_document_new();
    if (!doc)
        return -ENOMEM;
    extractor_t ex = { 0 };
    ex.lexicon = lexicon;
    ex.text = text;
    ex.data = text->data;
    double min_confidence = options ? options->min_confidence : 0.0;
    rw_segment_t *segment = rw_segment_new();
    analysis_t *analyses = NULL;
    int rc = segment ? 0 : -ENOMEM;
    if (rc == 0)
        rc = rw_match_words_split(text->data, text->length, &ex.words);
    if (rc == 0)
        rc = rw_metadata_fill_words(rw_lexicon_gazetteer(lexicon), text, &ex.words, doc);
    if (rc == 0 && !doc->language) {
        /* metadata could not tell: guess from the text itself */
        const char *guess = rw_gazetteer_language(rw_lexicon_gazetteer(lexicon), text->data,
                                                  text->length);
        if (guess) {
            doc->language = strdup(guess);
            if (!doc->language)
                rc = -ENOMEM;
        }
    }
    ex.language = doc->language;
    if (rc == 0)
        rc = rw_segment_run(segment, rw_lexicon_abbreviations(lexicon), text->data,
                            text->length);
    if (rc == 0 && segment->count > 0) {
        analyses = calloc(segment->count, sizeof *analyses);
        if (!analyses)
            rc = -ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < segment->count; i++)
        rc = analyse_unit(&ex, &segment->units[i], &analyses[i]);
    if (rc == 0)
        rc = decide(&ex, doc, segment, analyses, min_confidence);
    free(analyses);
    free(ex.valid);
    free(ex.fold);
    rw_match_words_clear(&ex.words);
    rw_words_tokens_clear(&ex.tokens);
    rw_words_tokens_clear(&ex.scratch);
    rw_cue_matches_clear(&ex.matches);
    rw_segment_destroy(&segment);
    if (rc != 0) {
        rw_document_destroy(&doc);
        return rc;
    }
    *out = doc;
    return 0;
}
