/*
 * analyzer.h -- Arabic (and mixed-script) text analysis.
 *
 * The analyzer turns UTF-8 text into a stream of tokens: byte offsets into
 * the original text (for highlighting), a normalized form (the index-time
 * fold: hamza forms of alef, ya/alef maqsura, ta marbuta, diacritics,
 * tatweel, Persian/Urdu letters, digits, presentation forms, case) and a
 * stem.  docs/analysis.md gives every rule with examples.
 *
 * Invalid UTF-8 never stops the analyzer: each invalid byte is treated as
 * a separator (as if it were U+FFFD) and offsets stay exact.
 *
 * An analyzer is not thread-safe; use one per thread.  The tables it reads
 * are shared and built once, thread-safely.
 */
#ifndef KHABAR_ANALYZER_H
#define KHABAR_ANALYZER_H

#include "khabar/khabar.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest normalized form kept for one token, in bytes.  Longer words are
 * cut at a character boundary and flagged KH_TOKEN_TRUNCATED. */
#define KH_MAX_TOKEN_BYTES 128

typedef enum kh_stemmer_kind {
    KH_STEMMER_LIGHT = 0, /* Khabar's light stemmer (Larkey light10 family) */
    KH_STEMMER_SNOWBALL,  /* Snowball Arabic, through libstemmer */
    KH_STEMMER_NONE       /* the stem is the normalized form */
} kh_stemmer_kind;

typedef struct kh_analyzer_options {
    kh_stemmer_kind stemmer;
    int drop_stopwords; /* nonzero: stop words are skipped, not returned */
} kh_analyzer_options;

typedef enum kh_token_kind {
    KH_TOKEN_ARABIC = 1, /* Arabic-script letters only */
    KH_TOKEN_LATIN,      /* Latin letters only */
    KH_TOKEN_NUMBER,     /* digits, with an optional decimal point */
    KH_TOKEN_MIXED,      /* Latin letters and digits (G20, 4G, COVID19) */
    KH_TOKEN_OTHER       /* other scripts (Cyrillic, Greek, CJK, ...) */
} kh_token_kind;

#define KH_TOKEN_STOP      0x1u /* the normalized form is a stop word */
#define KH_TOKEN_TRUNCATED 0x2u /* norm/stem were cut at KH_MAX_TOKEN_BYTES */

typedef struct kh_token {
    size_t start;      /* offset of the token's first byte in the input */
    size_t end;        /* offset one past its last byte */
    uint32_t position; /* ordinal of the token, stop words included */
    kh_token_kind kind;
    unsigned flags;   /* KH_TOKEN_* bits */
    const char *norm; /* normalized form, NUL-terminated, owned by the */
    size_t norm_len;  /*   analyzer, valid until the next call on it */
    const char *stem; /* stem, same ownership; equals norm when the */
    size_t stem_len;  /*   token is not stemmed */
} kh_token;

typedef struct kh_analyzer kh_analyzer;

/* Creates an analyzer.  opts may be NULL for the defaults (light stemmer,
 * stop words returned and flagged).  On success *out owns a new analyzer,
 * to be released with kh_analyzer_free().  Fails with KH_EUNSUPPORTED if
 * the Snowball stemmer is asked for and libstemmer lacks Arabic, and with
 * KH_ENOMEM. */
KH_API KH_NODISCARD kh_status kh_analyzer_new(const kh_analyzer_options *opts,
                                              kh_analyzer **out);

/* Releases an analyzer; NULL is a no-op. */
KH_API void kh_analyzer_free(kh_analyzer *analyzer);

/* Starts analyzing text[0..len).  The text is borrowed, not copied: it must
 * stay valid and unchanged until the last kh_analyzer_next() call on it.
 * NUL bytes inside the text are separators. */
KH_API void kh_analyzer_reset(kh_analyzer *analyzer, const char *text,
                              size_t len);

/* Produces the next token into *token.  Returns 1 when a token was
 * produced and 0 at the end of the text.  The strings in *token stay
 * valid until the next call on this analyzer. */
KH_API int kh_analyzer_next(kh_analyzer *analyzer, kh_token *token);

/* Returns the name of a stemmer ("light", "snowball", "none"). */
KH_API const char *kh_stemmer_name(kh_stemmer_kind kind);

/* Parses a stemmer name; returns KH_EINVAL for an unknown one. */
KH_API KH_NODISCARD kh_status kh_stemmer_parse(const char *name,
                                               kh_stemmer_kind *out);

#ifdef __cplusplus
}
#endif

#endif /* KHABAR_ANALYZER_H */
