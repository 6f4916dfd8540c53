/*
 * analyzer.c -- the public analysis pipeline: tokenize, flag stop words,
 * stem.  See include/khabar/analyzer.h.
 */
#include "text.h"

#include <string.h>

struct kh_analyzer {
    kh_analyzer_options opts;
    kh_tokenizer tok;      /* owns the normalized form of the token */
    kh_snowball *snowball; /* NULL unless opts.stemmer is SNOWBALL */
    uint32_t position;     /* of the next token */
    char stem[KH_MAX_TOKEN_BYTES + 8];
};

const char *
kh_stemmer_name(kh_stemmer_kind kind)
{
    switch (kind) {
    case KH_STEMMER_LIGHT:
        return "light";
    case KH_STEMMER_SNOWBALL:
        return "snowball";
    case KH_STEMMER_NONE:
        return "none";
    }
    return "unknown";
}

kh_status
kh_stemmer_parse(const char *name, kh_stemmer_kind *out)
{
    static const kh_stemmer_kind all[] = {KH_STEMMER_LIGHT, KH_STEMMER_SNOWBALL,
                                          KH_STEMMER_NONE};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (name != NULL && strcmp(name, kh_stemmer_name(all[i])) == 0) {
            *out = all[i];
            return KH_OK;
        }
    }
    return KH_EINVAL;
}

kh_status
kh_analyzer_new(const kh_analyzer_options *opts, kh_analyzer **out)
{
    *out = NULL;
    kh_analyzer *a = kh_malloc(sizeof *a);
    if (a == NULL)
        return KH_ENOMEM;
    memset(a, 0, sizeof *a);
    if (opts != NULL)
        a->opts = *opts;
    if (a->opts.stemmer != KH_STEMMER_LIGHT &&
        a->opts.stemmer != KH_STEMMER_SNOWBALL &&
        a->opts.stemmer != KH_STEMMER_NONE) {
        kh_free(a);
        return KH_EINVAL;
    }
    if (a->opts.stemmer == KH_STEMMER_SNOWBALL) {
        kh_status rc = kh__snowball_new(&a->snowball);
        if (rc != KH_OK) {
            kh_free(a);
            return rc;
        }
    }
    kh__tokenizer_reset(&a->tok, "", 0);
    *out = a;
    return KH_OK;
}

void
kh_analyzer_free(kh_analyzer *a)
{
    if (a == NULL)
        return;
    kh__snowball_free(a->snowball);
    kh_free(a);
}

void
kh_analyzer_reset(kh_analyzer *a, const char *text, size_t len)
{
    kh__tokenizer_reset(&a->tok, text, len);
    a->position = 0;
}

int
kh_analyzer_next(kh_analyzer *a, kh_token *token)
{
    kh_raw_token raw;
    for (;;) {
        if (!kh__tokenizer_next(&a->tok, &raw))
            return 0;
        uint32_t position = a->position++;
        unsigned flags = raw.flags;
        if ((raw.kind == KH_TOKEN_ARABIC || raw.kind == KH_TOKEN_LATIN) &&
            kh__is_stopword(raw.norm, raw.norm_len)) {
            flags |= KH_TOKEN_STOP;
            if (a->opts.drop_stopwords)
                continue;
        }
        token->start = raw.start;
        token->end = raw.end;
        token->position = position;
        token->kind = raw.kind;
        token->flags = flags;
        token->norm = raw.norm;
        token->norm_len = raw.norm_len;
        token->stem = raw.norm;
        token->stem_len = raw.norm_len;
        if (raw.kind != KH_TOKEN_ARABIC)
            return 1;
        switch (a->opts.stemmer) {
        case KH_STEMMER_LIGHT:
            token->stem_len = kh__stem_light(raw.norm, raw.norm_len, a->stem);
            token->stem = a->stem;
            break;
        case KH_STEMMER_SNOWBALL: {
            /* Snowball wants ة, ى and the hamza forms, which it uses to
             * find suffixes; its stem is then folded like the text. */
            char in[KH_MAX_TOKEN_BYTES + 8], stem[KH_MAX_TOKEN_BYTES + 8];
            size_t n =
                kh__unfolded_letters((const char *)a->tok.text + raw.start,
                                     raw.end - raw.start, in, sizeof in);
            n = kh__snowball_stem(a->snowball, in, n, stem, sizeof stem);
            token->stem_len =
                kh__fold_letters(stem, n, a->stem, sizeof a->stem);
            token->stem = a->stem;
            break;
        }
        case KH_STEMMER_NONE:
            break;
        }
        return 1;
    }
}
