/*
 * ner.h -- private interface of the named-entity tagger (src/extract/ner*).
 *
 * Persons, places and organizations in Arabic news text, with byte spans
 * into the original text.  The tagger is an averaged perceptron over
 * hashed features, decoded greedily left to right with the two previous
 * labels as features (BIO labels over PER, LOC, ORG), in two passes: the
 * second also reads the first pass's labels of the same word elsewhere in
 * the text (document memory).  Words from gazetteers (person names,
 * country names) travel in the model file.  Tokens are the
 * analyzer's: the features read its normalized form and stem, so that
 * "والرئيس" and "الرئيس" share the stem feature although the clitic stays
 * attached.  docs/entities.md has the design, the training data and the
 * figures.
 *
 * The code is cut in three: ner_features.c turns text into a token
 * sequence and features (shared by the library, the trainer and the
 * evaluation, so that training and tagging see the same thing),
 * ner_gold.c reads the NewsFANE gold corpus, ner.c loads a model and tags.
 * None of it is thread-unsafe except a kh_ner_seq, which one thread owns.
 */
#ifndef KH_EXTRACT_NER_H
#define KH_EXTRACT_NER_H

#include "kh_int.h"

#include <stdio.h>

/* Feature hashes are cut to this many bits to index the weight table. */
#define KH_NER_HASH_BITS    20
#define KH_NER_MAX_FEATURES 64 /* features of one token, static part */
#define KH_NER_GAP_BYTES    8  /* punctuation kept from between two tokens */

/* BIO labels.  B-X is L = 2X-1, I-X is 2X. */
enum {
    KH_NER_O = 0,
    KH_NER_B_PER,
    KH_NER_I_PER,
    KH_NER_B_LOC,
    KH_NER_I_LOC,
    KH_NER_B_ORG,
    KH_NER_I_ORG,
    KH_NER_N_LABELS
};

typedef enum kh_ner_type {
    KH_NER_NONE = 0,
    KH_NER_PER,
    KH_NER_LOC,
    KH_NER_ORG
} kh_ner_type;

#define KH_NER_TYPE_OF(label) ((kh_ner_type)(((label) + 1) / 2))
#define KH_NER_IS_B(label)    ((label) % 2 == 1)

/**************************************************************************
** Interface to code in extract/ner_features.c
*/

typedef struct kh_ner_token {
    size_t start, end; /* bytes of the token in the text */
    uint32_t norm_off; /* normalized form in seq->strings */
    uint32_t norm_len; /*   (NUL-terminated there) */
    uint32_t stem_off; /* stem, the same way */
    uint32_t stem_len;
    uint32_t sent; /* sentence ordinal in the sequence */
    uint8_t kind;  /* kh_token_kind */
    uint8_t stop;  /* a stop word */
    uint8_t cue;   /* KH_NER_CUE_* of its stem, or 0 */
    uint8_t rare;  /* an Arabic word the lexicon does not know */
    uint8_t gaz;   /* KH_NER_GAZ_* bits of its bare form */
    uint8_t l1;    /* first-pass label (kh__ner_memory()) */
    uint8_t mem;   /* first-pass labels of the same bare word elsewhere in
                      the document: bit l for label l; 0 when it is alone */
    char gap[KH_NER_GAP_BYTES + 1]; /* non-space text before the token */
} kh_ner_token;

typedef struct kh_ner_seq {
    kh_ner_token *tok; /* n tokens */
    size_t n, cap;
    kh_buf strings; /* the forms the tokens point into */
} kh_ner_seq;

/* Cue words: the word before a name often says what it names. */
enum {
    KH_NER_CUE_TITLE = 1, /* الرئيس، الوزير، الشيخ: a person follows */
    KH_NER_CUE_ORG, /* وكالة، شركة، جامعة: an organization follows or is */
    KH_NER_CUE_LOC, /* مدينة، منطقة، نهر: a place follows */
    KH_NER_CUE_SAID /* قال، أعلن: a person or body precedes */
};

/* What the features look words up in: the cue words, and the words
 * seen at least twice in the training part (by their bare form, see
 * kh__ner_bare()).  A word outside that set is "rare": training sees
 * its once-seen words that way, so it learns what an unseen name looks
 * like in context.  The known words travel in the model file. */
typedef struct kh_ner_lexicon {
    kh_strmap cues;  /* stem -> KH_NER_CUE_* */
    kh_strmap known; /* bare form -> 1 */
    kh_strmap gaz;   /* bare form -> KH_NER_GAZ_* bits */
} kh_ner_lexicon;

/* Gazetteer classes of a word (bits; they travel in the model file):
 * a part of a person's name (Wikidata names, CC0), a country name of one
 * word, a word of a longer country name (iso-codes' Arabic names). */
enum { KH_NER_GAZ_PERSON = 1, KH_NER_GAZ_PLACE = 2, KH_NER_GAZ_PLACE_PART = 4 };

KH_HIDDEN void kh__ner_lexicon_init(kh_ner_lexicon *lex);
KH_HIDDEN void kh__ner_lexicon_release(kh_ner_lexicon *lex);

/* Maps the stems of the cue words to their KH_NER_CUE_* class.  Built
 * with the analyzer so that they fold and stem as text does. */
KH_HIDDEN kh_status kh__ner_cues_build(kh_analyzer *a, kh_strmap *cues);

/* The word w[0..n) without its proclitics (و ف, then ب ل ك, then ال),
 * as long as two letters stay: *out points into w, the length returns. */
KH_HIDDEN size_t kh__ner_bare(const char *w, size_t n, const char **out);

/* Sets the cue and rare marks of tokens [from, seq->n) from lex. */
KH_HIDDEN void kh__ner_seq_mark(kh_ner_seq *seq, size_t from,
                                const kh_ner_lexicon *lex);

KH_HIDDEN void kh__ner_seq_init(kh_ner_seq *seq);
KH_HIDDEN void kh__ner_seq_release(kh_ner_seq *seq);

/* Analyzes text[0..len) and appends its tokens to seq (reset first by
 * the caller if needed).  A token starts a new sentence when it is the
 * first or when the text before it holds . ! ? ؟ or a line break.
 * lex may be NULL (no cues, nothing rare). */
KH_HIDDEN kh_status kh__ner_seq_add(kh_ner_seq *seq, kh_analyzer *a,
                                    const kh_ner_lexicon *lex, const char *text,
                                    size_t len);

static inline const char *
kh__ner_norm(const kh_ner_seq *seq, size_t i)
{
    return seq->strings.data + seq->tok[i].norm_off;
}

static inline const char *
kh__ner_stem(const kh_ner_seq *seq, size_t i)
{
    return seq->strings.data + seq->tok[i].stem_off;
}

/* Writes the hashes of token i's features that do not depend on labels
 * into out (KH_NER_MAX_FEATURES entries); returns their number. */
KH_HIDDEN size_t kh__ner_features(const kh_ner_seq *seq, size_t i,
                                  uint32_t *out);

/* Writes the hashes of the features that join token i with the labels of
 * the two tokens before it (KH_NER_O before a sentence); returns how many
 * (at most 4). */
KH_HIDDEN size_t kh__ner_label_features(const kh_ner_seq *seq, size_t i,
                                        int prev1, int prev2, uint32_t *out);

/* Document memory, the second pass's extra input: sets the l1 and mem
 * fields of tokens [a, b) from the first-pass labels (indexed like
 * seq->tok) of the tokens [doc_a, doc_b) that form their document.  Stop
 * words and numbers get no memory. */
KH_HIDDEN kh_status kh__ner_memory(kh_ner_seq *seq, size_t doc_a, size_t doc_b,
                                   size_t a, size_t b, const int *labels);

/* Writes the hashes of token i's second-pass features (its memory and its
 * neighbours', the first-pass labels around it) into out (at most
 * KH_NER_MAX_MEMORY entries); returns their number. */
#define KH_NER_MAX_MEMORY 24
KH_HIDDEN size_t kh__ner_memory_features(const kh_ner_seq *seq, size_t i,
                                         uint32_t *out);

/* The hash of the feature every token has: its O weight sets how readily
 * the tagger says "entity" at all (the trainer tunes it on dev). */
KH_HIDDEN uint32_t kh__ner_bias_hash(void);

/* Whether label may follow prev: I-X only after B-X or I-X. */
static inline int
kh__ner_allowed(int prev, int label)
{
    if (label == KH_NER_O || KH_NER_IS_B(label))
        return 1;
    return prev != KH_NER_O && KH_NER_TYPE_OF(prev) == KH_NER_TYPE_OF(label);
}

/**************************************************************************
** Interface to code in extract/ner.c
*/

typedef struct kh_ner_model kh_ner_model;

typedef struct kh_ner_span {
    size_t start, end; /* bytes in the tagged text, end exclusive */
    kh_ner_type type;
    char *norm; /* normalized forms of its words, space-joined; owned by the
                   span array */
} kh_ner_span;

/* Parses a model from its text form (docs/entities.md, "Model file"). */
KH_HIDDEN kh_status kh__ner_model_parse(const char *text, size_t len,
                                        kh_ner_model **out, kh_error *err);

/* Loads a model from path; NULL means $KHABAR_NER_MODEL, else
 * data/ner/model.txt relative to the current directory. */
KH_HIDDEN kh_status kh__ner_model_load(const char *path, kh_ner_model **out,
                                       kh_error *err);

/* Releases a model; NULL is a no-op. */
KH_HIDDEN void kh__ner_model_free(kh_ner_model *m);

/* Adds the weights of the n features to scores[KH_NER_N_LABELS]. */
KH_HIDDEN void kh__ner_model_score(const kh_ner_model *m, const uint32_t *f,
                                   size_t n, float *scores);

/* Labels every token of seq (labels has seq->n entries), greedily: the
 * first pass, then (if the model has one) the second pass with the whole
 * sequence as the document. */
KH_HIDDEN kh_status kh__ner_decode(const kh_ner_model *m, kh_ner_seq *seq,
                                   int *labels);

/* Labels tokens [a, b) (whole sentences) with the given pass (1 or 2; 2
 * reads the memory fields, set by kh__ner_memory()).  labels is indexed
 * like seq->tok. */
KH_HIDDEN void kh__ner_decode_pass(const kh_ner_model *m, int pass,
                                   const kh_ner_seq *seq, size_t a, size_t b,
                                   int *labels);

/* Number of passes of the model (1 or 2). */
KH_HIDDEN int kh__ner_model_passes(const kh_ner_model *m);

/* The lexicon the model's sequences must be built with. */
KH_HIDDEN const kh_ner_lexicon *kh__ner_model_lexicon(const kh_ner_model *m);

/* Tags text[0..len).  On success *spans (free with kh__ner_spans_free)
 * holds *n_spans entities in text order; *spans is NULL when there are
 * none. */
KH_HIDDEN kh_status kh__ner_tag(const kh_ner_model *m, const char *text,
                                size_t len, kh_ner_span **spans,
                                size_t *n_spans);

KH_HIDDEN void kh__ner_spans_free(kh_ner_span *spans, size_t n_spans);

/* "PER", "LOC", "ORG" (or "O"). */
KH_HIDDEN const char *kh__ner_type_name(kh_ner_type type);

/**************************************************************************
** Interface to code in extract/ner_gold.c
**
** The NewsFANE gold corpus: "word<TAB>tag" lines, sentences separated by
** a line holding only a tab, clitics split.  Reading it rejoins the
** split clitics (docs/entities.md says which and why), maps the fine
** classes to PER/LOC/ORG, rebuilds each sentence as text and labels the
** analyzer's tokens of that text.
*/

typedef struct kh_ner_gold {
    kh_ner_seq seq;     /* all sentences, one after another */
    int *labels;        /* seq.n gold labels */
    size_t *sent_first; /* n_sents + 1 token indices */
    size_t n_sents;
    kh_buf text; /* the rebuilt sentences, one per line */
} kh_ner_gold;

/* Maps a fine-grained class ("Politician") to a type; KH_NER_NONE for the
 * classes that become O. */
KH_HIDDEN kh_ner_type kh__ner_map_class(const char *cls, size_t len);

KH_HIDDEN kh_status kh__ner_gold_read(const char *path, kh_analyzer *a,
                                      const kh_ner_lexicon *lex, kh_ner_gold *g,
                                      kh_error *err);
KH_HIDDEN void kh__ner_gold_release(kh_ner_gold *g);

/* Labels the gold sentences [s_a, s_b) as a run of articles: each
 * sentence alone in the first pass, then in the second pass with the
 * sentences within `window` of it (inside [s_a, s_b)) as its document,
 * since the corpus marks no article boundaries.  passes caps the passes
 * used (1 = first only).  pred is indexed like g->seq.tok. */
KH_HIDDEN kh_status kh__ner_gold_decode(const kh_ner_model *m, kh_ner_gold *g,
                                        size_t s_a, size_t s_b, int window,
                                        int passes, int *pred);

/* The document window of the gold corpus, in sentences each side
 * (chosen on dev, docs/entities.md). */
#define KH_NER_GOLD_WINDOW 20

/* Entity-level counts, CoNLL style: an entity matches when its first and
 * last token and its type are the gold ones.  Index by kh_ner_type. */
typedef struct kh_ner_counts {
    size_t gold[4], pred[4], match[4];
} kh_ner_counts;

/* Adds the entities of tokens [a, b) of seq under the two labellings. */
KH_HIDDEN void kh__ner_count(const kh_ner_seq *seq, size_t a, size_t b,
                             const int *gold, const int *pred,
                             kh_ner_counts *c);

/* Prints P, R and F1 per type and micro-averaged over the three. */
KH_HIDDEN void kh__ner_counts_print(const kh_ner_counts *c, FILE *out);

/* The micro-averaged F1. */
KH_HIDDEN double kh__ner_counts_f1(const kh_ner_counts *c);

/* The fixed split, by sentence ordinal s of n: "train" is the first 80%
 * of the sentences, "test" the last 20%; "dev" (for choosing epochs) is
 * the last eighth of train (70%..80%). */
enum { KH_NER_SPLIT_TRAIN = 0, KH_NER_SPLIT_DEV, KH_NER_SPLIT_TEST };

static inline int
kh__ner_split(size_t s, size_t n)
{
    if (s * 10 >= n * 8)
        return KH_NER_SPLIT_TEST;
    if (s * 10 >= n * 7)
        return KH_NER_SPLIT_DEV;
    return KH_NER_SPLIT_TRAIN;
}

#endif /* KH_EXTRACT_NER_H */
