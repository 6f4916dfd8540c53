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
 * The code is cut in four: ner_features.c turns text into a token
 * sequence and features (shared by the library, the trainer and the
 * evaluation, so that training and tagging see the same thing),
 * ner_gold.c reads the NewsFANE gold corpus, ner.c loads a model and
 * labels a token sequence the straightforward way (every feature hashed
 * and looked up: training, evaluation and the tests' reference), and
 * ner_fast.c tags text from per-word sums cached in the model, with the
 * same labels.  None of it is thread-unsafe except a kh_ner_seq, which
 * one thread owns; the model's cache has its own lock.
 */
#ifndef KH_EXTRACT_NER_H
#define KH_EXTRACT_NER_H

#include "kh_int.h"

#include <stdio.h>

/* Feature hashes are cut to this many bits to index the weight table
 * (dev F1 0.710 with 20 bits, 0.709 with 21, 0.731 with 22: fewer
 * collisions; the loader's bitmap of the buckets is then 512 KB). */
#define KH_NER_HASH_BITS    22
#define KH_NER_MAX_FEATURES 96 /* features of one token, static part */
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
    uint64_t dict; /* dictionary classes of its bare form (ner_dict.c) */
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
    kh_strmap cues;    /* stem -> KH_NER_CUE_* */
    kh_strmap known;   /* bare form -> 1 */
    kh_strmap gaz;     /* bare form -> KH_NER_GAZ_* bits */
    kh_strmap dict;    /* normalized form -> dictionary classes, packed; read
                          at run time (kh__ner_dict_load()), empty without */
    kh_strmap written; /* person-name words as normalized whose first
                          letters read as a proclitic + ال (فاليري،
                          كالدويل, بالدوين): the entity layer keeps them
                          whole; "~WORD" lines of the model file */
} kh_ner_lexicon;

/* Gazetteer classes of a word (bits; they travel in the model file):
 * a part of a person's name (Wikidata names, CC0), a country name of one
 * word, a word of a longer country name (iso-codes' Arabic names). */
enum { KH_NER_GAZ_PERSON = 1, KH_NER_GAZ_PLACE = 2, KH_NER_GAZ_PLACE_PART = 4 };

/* Dictionary classes (ner_dict.c): a word's classes are packed
 * KH_NER_DICT_BITS each, ascending, at most KH_NER_DICT_MAX; 0 in a token
 * means no dictionary. */
enum {
    KH_NER_DICT_STOP = 1, /* its lists: stop words, tool words, verbs, */
    KH_NER_DICT_TOOL,     /*   nouns */
    KH_NER_DICT_VERB,
    KH_NER_DICT_NOUN,
    KH_NER_DICT_ABSENT,    /* an Arabic word the dictionary lacks */
    KH_NER_DICT_INFLECTED, /* not an entry, but its stem is an entry's */
    KH_NER_DICT_SET = 100  /* + the affix set of a noun */
};
#define KH_NER_DICT_BITS      10
#define KH_NER_DICT_MASK      1023u
#define KH_NER_DICT_MAX       6
#define KH_NER_DICT_WORD      64 /* characters; longer entries are left out */
#define KH_NER_DICT_STEM_MARK '\x01' /* before an entry's stem, a key */
#define KH_NER_DICT_PATH      "/usr/share/hunspell/ar.dic"

/* Reads hunspell-ar's ar.dic at path into out (normalized form ->
 * classes, and each entry's stem after KH_NER_DICT_STEM_MARK).  KH_EIO if
 * it cannot be read, KH_ECORRUPT if it holds no entry; err says why. */
KH_HIDDEN kh_status kh__ner_dict_load(const char *path, kh_strmap *out,
                                      kh_error *err);
/* The same from the file's bytes text[0..len). */
KH_HIDDEN kh_status kh__ner_dict_parse(const char *text, size_t len,
                                       kh_strmap *out, kh_error *err);

/* $KHABAR_NER_DICT, else KH_NER_DICT_PATH.  An empty value: none. */
KH_HIDDEN const char *kh__ner_dict_path(void);

KH_HIDDEN void kh__ner_lexicon_init(kh_ner_lexicon *lex);
KH_HIDDEN void kh__ner_lexicon_release(kh_ner_lexicon *lex);

/* Maps the stems of the cue words to their KH_NER_CUE_* class.  Built
 * with the analyzer so that they fold and stem as text does. */
KH_HIDDEN kh_status kh__ner_cues_build(kh_analyzer *a, kh_strmap *cues);

/* The word w[0..n) without its proclitics (و ف, then ب ل ك, then ال),
 * as long as two letters stay: *out points into w, the length returns. */
KH_HIDDEN size_t kh__ner_bare(const char *w, size_t n, const char **out);

/* Keeps the non-space bytes of s[0..n) (at most KH_NER_GAP_BYTES, cut at
 * a character boundary, NUL-terminated) in out and says whether they end
 * a sentence (. ! ? ؟ or a line break). */
KH_HIDDEN int kh__ner_gap(const char *s, size_t n, char *out);

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

/* A word as the features see it, apart from where it stands: the same
 * word gives the same features at the same offset wherever it occurs, so
 * the tagger can add them up once per word (ner_fast.c). */
typedef struct kh_ner_word {
    const char *norm, *stem; /* NUL-terminated */
    size_t norm_len, stem_len;
    uint8_t kind, stop, cue, rare, gaz; /* as in kh_ner_token */
    uint64_t dict;
} kh_ner_word;

/* The dictionary classes of word w whose bare form is b[0..bl): 0
 * without a dictionary or for a word that is not Arabic. */
KH_HIDDEN uint64_t kh__ner_dict_classes(const kh_ner_lexicon *lex,
                                        const kh_ner_word *w, const char *b,
                                        size_t bl);

/* The view of token i as a word. */
KH_HIDDEN void kh__ner_word_of(const kh_ner_seq *seq, size_t i, kh_ner_word *w);

/* Writes the hashes of the features word w gives the token d places after
 * it (d in -2..2; 0: its own features) that read its strings; returns
 * their number (at most KH_NER_MAX_WORD). */
#define KH_NER_MAX_WORD 32
KH_HIDDEN size_t kh__ner_word_features(const kh_ner_word *w, int d,
                                       uint32_t *out);

/* The same for the offsets in dmask (bit d + 2 for offset d) at once,
 * each string hashed once: at[k] is feature k's offset.  At most
 * KH_NER_MAX_WORD * 5 features. */
KH_HIDDEN size_t kh__ner_word_features_at(const kh_ner_word *w, unsigned dmask,
                                          uint32_t *out, int8_t *at);

/* The others, which read only small numbers: its kind, stop mark and
 * length class (kh__ner_len_class()), rare mark, cue class and gazetteer
 * bits; at most KH_NER_MAX_SHAPE.  The tagger sums them in tables at
 * load. */
#define KH_NER_MAX_SHAPE 8
KH_HIDDEN size_t kh__ner_shape_features(int d, unsigned kind, unsigned stop,
                                        unsigned len, unsigned rare,
                                        unsigned cue, unsigned gaz,
                                        uint32_t *out);
KH_HIDDEN unsigned kh__ner_len_class(const kh_ner_word *w);

/* The hash of a feature's string value, which the tagger keeps per word
 * (a word's stem takes part in pair and label features). */
KH_HIDDEN uint32_t kh__ner_str_hash(const char *s, size_t n);

/* The features of a token that are not a single word's: the punctuation
 * before the token (next = 0) or before the next one (next = 1), the
 * sentence's beginning (end = 0) or end (end = 1), and the stem pair
 * (-1, 0) (which = 0) or (0, +1) (which = 1), from the two stems'
 * kh__ner_str_hash(). */
KH_HIDDEN uint32_t kh__ner_gap_hash(const char *gap, int next);
KH_HIDDEN uint32_t kh__ner_edge_hash(int end);
KH_HIDDEN uint32_t kh__ner_pair_hash(uint32_t left, uint32_t right, int which);

/* Writes the hashes of token i's features that do not depend on labels
 * into out (KH_NER_MAX_FEATURES entries): the words' at -2..+2 and the
 * token's own; returns their number. */
KH_HIDDEN size_t kh__ner_features(const kh_ner_seq *seq, size_t i,
                                  uint32_t *out);

/* Writes the hashes of the features that join token i with the labels of
 * the two tokens before it (KH_NER_O before a sentence); returns how many
 * (at most 4): the previous label (two = 0) or the previous two
 * (two = 1), the previous label with the token's stem, and with its cue
 * class. */
KH_HIDDEN size_t kh__ner_label_features(const kh_ner_seq *seq, size_t i,
                                        int prev1, int prev2, uint32_t *out);
KH_HIDDEN uint32_t kh__ner_prev_hash(int prev1, int prev2, int two);
KH_HIDDEN uint32_t kh__ner_prev_stem_hash(int prev1, uint32_t stem_hash);
KH_HIDDEN uint32_t kh__ner_prev_cue_hash(int prev1, int cue);

/* Document memory, the second pass's extra input: sets the l1 and mem
 * fields of tokens [a, b) from the first-pass labels (indexed like
 * seq->tok) of the tokens [doc_a, doc_b) that form their document.  Stop
 * words and numbers get no memory. */
KH_HIDDEN kh_status kh__ner_memory(kh_ner_seq *seq, size_t doc_a, size_t doc_b,
                                   size_t a, size_t b, const int *labels);

/* Writes the hashes of token i's second-pass features (its memory and its
 * neighbours', the first-pass labels around it) into out (at most
 * KH_NER_MAX_MEMORY entries); returns their number.  They are the
 * neighbours' (d = -1, 0, +1: first-pass label l1 and memory mem of the
 * token d places away, at most 3) and the token's own (at most 9, none
 * when mem is 0). */
#define KH_NER_MAX_MEMORY 24
KH_HIDDEN size_t kh__ner_memory_features(const kh_ner_seq *seq, size_t i,
                                         uint32_t *out);
KH_HIDDEN size_t kh__ner_memory_near_features(int d, int l1, unsigned mem,
                                              uint32_t *out);
KH_HIDDEN size_t kh__ner_memory_self_features(int l1, unsigned mem, int rare,
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
typedef struct kh_ner_cache kh_ner_cache;

/* Scores per label, padded to eight so that a vector is two SSE adds. */
#define KH_NER_VEC 8
/* A row holds a bucket's weights for both passes: [0, 8) the first. */
#define KH_NER_ROW (2 * KH_NER_VEC)
/* Document memory values: a bit per label. */
#define KH_NER_MEMS (1u << KH_NER_N_LABELS)

/* Shared by ner.c (loading, the reference decoding) and ner_fast.c (the
 * per-word sums).  Read-only once loaded except for the cache, which has
 * its own lock. */
struct kh_ner_model {
    uint64_t *bits; /* a bit per bucket that has a row */
    uint32_t *rank; /* rows before each 64 buckets */
    int16_t *rows;  /* KH_NER_ROW weights per row, times the scale */
    size_t n_rows;
    uint32_t mask;      /* bucket mask from BITS */
    int passes;         /* 1 or 2 */
    int want_dict;      /* trained with dictionary classes ("!dict") */
    kh_ner_lexicon lex; /* cue stems, known words, gazetteer */
    /* Sums made at load (build_tables()), by pass: the previous two
     * labels [p2][p1] (with 2^30 off the labels that may not follow p1,
     * and off the padding lane), a cue class with the previous label
     * [cue][p1], the
     * sentence's beginning and end; for the second pass the memory
     * features of a neighbour [d + 1][l1][mem] and the token's own
     * [l1][mem][rare]. */
    int32_t prev[2][KH_NER_N_LABELS][KH_NER_N_LABELS][KH_NER_VEC];
    int32_t cue[2][KH_NER_CUE_SAID + 1][KH_NER_N_LABELS][KH_NER_VEC];
    int32_t edge[2][2][KH_NER_VEC];
    int32_t edge_both[2][2][KH_NER_VEC]; /* [end][pass]: edge, reordered */
    int32_t near[3][KH_NER_N_LABELS][KH_NER_MEMS][KH_NER_VEC];
    int32_t self[KH_NER_N_LABELS][KH_NER_MEMS][2][KH_NER_VEC];
    /* A word's small-number features (kh__ner_shape_features()), both
     * passes side by side: those of the word itself by [kind][stop][len],
     * and by offset [d + 2][rare][cue][gaz]. */
    int32_t shape0[8][2][10][2][KH_NER_VEC];
    int32_t shaped[5][2][KH_NER_CUE_SAID + 1][8][2][KH_NER_VEC];
    kh_ner_cache *cache; /* per-word sums, ner_fast.c */
    /* The known and gazetteer words again, for the fast path: one
     * open-addressing table of short bare forms (KH_NER_BARE_INLINE bytes
     * at most, kept in the slot, so a look-up reads one cache line), with
     * their marks (KH_NER_BARE_KNOWN | gazetteer bits); longer words are
     * looked up in lex. */
    struct kh_ner_bare_slot *bare;
    size_t bare_cap; /* a power of two */
};

/* Population count without the CPU's instruction, which plain -O2 does
 * not assume. */
static inline unsigned
kh__ner_popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

#define KH_NER_BARE_INLINE 26
#define KH_NER_BARE_KNOWN  8
typedef struct kh_ner_bare_slot {
    uint32_t hash; /* kh__ner_str_hash() of the word */
    uint8_t len;   /* 0: empty */
    uint8_t marks;
    char key[KH_NER_BARE_INLINE];
} kh_ner_bare_slot;

/* The row of a feature hash, or NULL if the model has none. */
static inline const int16_t *
kh__ner_row(const kh_ner_model *m, uint32_t hash)
{
    uint32_t b = hash & m->mask;
    uint64_t word = m->bits[b >> 6], bit = 1ull << (b & 63);
    if ((word & bit) == 0)
        return NULL;
    size_t r = m->rank[b >> 6] + kh__ner_popcount64(word & (bit - 1));
    return &m->rows[r * KH_NER_ROW];
}

/* Adds pass `pass`'s (1 or 2) weights of the n features f to scores. */
KH_HIDDEN void kh__ner_add_rows(const kh_ner_model *m, int pass,
                                const uint32_t *f, size_t n, int32_t *scores);

/* The best label after prev1: the first of the highest scores among the
 * labels that may follow it. */
static inline int
kh__ner_best(const int32_t *sc, int prev1)
{
    int best = KH_NER_O;
    for (int l = 1; l < KH_NER_N_LABELS; l++)
        if (kh__ner_allowed(prev1, l) && sc[l] > sc[best])
            best = l;
    return best;
}

/**************************************************************************
** Interface to code in extract/ner_fast.c
*/

/* The per-word cache of a model (created and freed with it). */
KH_HIDDEN kh_status kh__ner_cache_new(kh_ner_cache **out);
KH_HIDDEN void kh__ner_cache_free(kh_ner_cache *c);

/* Empties the model's cache and caps it at `bytes` (for the tests: 0
 * makes every text sum its words itself).  Not while other threads tag
 * with the model. */
KH_HIDDEN void kh__ner_cache_limit(const kh_ner_model *m, size_t bytes);

/* Labels the tokens of text[0..len) (the analyzer's, as
 * kh__ner_seq_add() makes them) as kh__ner_decode() would: *labels (*n
 * entries, kh_free(); NULL when there are no tokens).  kh__ner_tag()
 * goes this way; the tests compare it with the reference. */
KH_HIDDEN kh_status kh__ner_fast_labels(const kh_ner_model *m, const char *text,
                                        size_t len, int **labels, size_t *n);

/* Builds m->bare from m->lex (at load). */
KH_HIDDEN kh_status kh__ner_bare_build(kh_ner_model *m);

/* Fills the cue, rare and gaz marks of a word from lex (ner_features.c;
 * kh__ner_seq_mark() does it for a sequence's tokens). */
KH_HIDDEN void kh__ner_word_mark(kh_ner_word *w, const kh_ner_lexicon *lex);

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
