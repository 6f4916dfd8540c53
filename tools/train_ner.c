/*
 * train_ner.c -- trains the entity tagger's model (data/ner/model.txt)
 * from the NewsFANE gold corpus: an averaged perceptron over the hashed
 * features of src/extract/ner_features.c, decoded greedily left to right
 * as the library decodes; a wrong label costs its features one unit and
 * gives the gold label's features one.
 *
 * Build (after `make BUILD=build-ner -j2 all`):
 *
 *   cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc \
 *      $(pkg-config --cflags libutf8proc jansson zlib sqlite3 libxml-2.0 \
 *        libcurl libmicrohttpd libcrypto) tools/train_ner.c \
 *      build-ner/libkhabar.a $(pkg-config --libs libutf8proc jansson zlib \
 *        sqlite3 libxml-2.0 libcurl libmicrohttpd libcrypto) \
 *      -lstemmer -lpthread -lm -o build-ner/train_ner
 *
 * The shipped model (about 5 s):
 *
 *   build-ner/train_ner \
 *       ../shared/data/ner/newsfane-gold/NewsFANE_Gold_2014_170K.txt \
 *       data/ner/model.txt
 *
 * trains on the train and dev parts (the first 80% of the sentences, see
 * kh__ner_split()) with the settings below.  --dev trains on the train
 * part only and prints the dev scores after every epoch: that, and only
 * that, chose the epochs, the O shift and the features.  The test part's
 * sentences are read with the rest but never trained or scored on here
 * (bench/eval_ner.c scores them).  Debugging aids: --dump
 * (with --dev) prints the tokens and gold labels as training sees them;
 * KH_NER_SHOW=1 prints the dev tokens with gold and predicted labels,
 * KH_NER_TRAIN_SCORE=1 the score on the training part, KH_NER_NO_RARE=1
 * trains without the known-word lexicon.
 *
 * Everything is deterministic: the sentence order of each epoch comes
 * from a xorshift generator with a fixed seed, the weights are integers,
 * and the model's lines are written in bucket order.
 */
#include "extract/ner.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#ifndef TRAIN_BITS
#define TRAIN_BITS KH_NER_HASH_BITS
#endif
#define N_BUCKETS (1u << TRAIN_BITS)
#define L         KH_NER_N_LABELS

static int epochs = 13;       /* chosen on dev (docs/entities.md) */
static long scale = 100;      /* weights are written times this */
static long prune = 5;        /* rows whose largest |w*scale| is below go */
static double o_shift = 3;    /* off the O weight of the bias feature (dev) */
static uint64_t seed = 20141; /* the sentence shuffle */

static kh_ner_lexicon lex; /* cues, and the known words it learns */
static int32_t *w;         /* N_BUCKETS * L current weights */
static int64_t *u;         /* sums of c * update, for the average */
static int64_t c = 1;      /* updates so far, plus one */

static uint64_t
xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void
update(const uint32_t *f, size_t n, int label, int d)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)(f[i] & (N_BUCKETS - 1)) * L + (size_t)label;
        w[k] += d;
        u[k] += c * d;
    }
}

/* One pass over the sentences in order[0..n).  The label features read
 * the gold labels before the token (teacher forcing): on dev that beat
 * reading the predicted ones (dev F1 0.631 against 0.592 after 13
 * epochs, measured before the bare-word affixes, no O shift). */
static void
epoch(const kh_ner_gold *g, const size_t *order, size_t n)
{
    uint32_t f[KH_NER_MAX_FEATURES + 8];
    for (size_t s = 0; s < n; s++) {
        size_t a = g->sent_first[order[s]], b = g->sent_first[order[s] + 1];
        for (size_t i = a; i < b; i++) {
            int first = i == a || g->seq.tok[i - 1].sent != g->seq.tok[i].sent;
            int p1 = first ? KH_NER_O : g->labels[i - 1];
            int p2 = first || i < a + 2 ||
                             g->seq.tok[i - 2].sent != g->seq.tok[i].sent
                         ? KH_NER_O
                         : g->labels[i - 2];
            size_t nf = kh__ner_features(&g->seq, i, f);
            nf += kh__ner_label_features(&g->seq, i, p1, p2, f + nf);
            int64_t sc[L] = {0};
            for (size_t k = 0; k < nf; k++) {
                const int32_t *r = &w[(size_t)(f[k] & (N_BUCKETS - 1)) * L];
                for (int l = 0; l < L; l++)
                    sc[l] += r[l];
            }
            int best = KH_NER_O;
            for (int l = 1; l < L; l++)
                if (kh__ner_allowed(p1, l) && sc[l] > sc[best])
                    best = l;
            int gold = g->labels[i];
            if (best != gold) {
                update(f, nf, gold, 1);
                update(f, nf, best, -1);
            }
            c++;
        }
    }
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The known words: bare forms seen at least twice in the sentences the
 * model learns from; then every token's rare mark follows them. */
static kh_status
learn_known(kh_ner_gold *g, const size_t *order, size_t n)
{
    kh_strmap count;
    kh__strmap_init(&count);
    for (size_t s = 0; s < n; s++)
        for (size_t i = g->sent_first[order[s]];
             i < g->sent_first[order[s] + 1]; i++) {
            const char *b;
            size_t bl = kh__ner_bare(kh__ner_norm(&g->seq, i),
                                     g->seq.tok[i].norm_len, &b);
            kh_strmap_entry *e = kh__strmap_upsert(&count, b, bl);
            if (e == NULL)
                return KH_ENOMEM;
            e->value++;
        }
    for (size_t k = 0; k < count.cap; k++)
        if (count.slots[k].key != NULL && count.slots[k].value >= 2 &&
            kh__strmap_upsert(&lex.known, count.slots[k].key,
                              count.slots[k].key_len) == NULL)
            return KH_ENOMEM;
    kh__strmap_release(&count);
    kh__ner_seq_mark(&g->seq, 0, &lex);
    return KH_OK;
}

/* Writes the averaged, scaled, pruned weights as a model file. */
static kh_status
write_model(kh_buf *out, const char *source)
{
    kh_status rc = KH_OK;
    size_t rows = 0;
    kh__buf_reset(out);
    kh__buf_printf(out, &rc,
                   "# Khabar entity tagger (PER/LOC/ORG), averaged "
                   "perceptron; see docs/entities.md.\n"
                   "# Trained by tools/train_ner.c on %s (CC BY-SA 3.0, "
                   "see data/ner/LICENSE).\n"
                   "# epochs %d, seed %llu, scale %ld, prune %ld, "
                   "O shift %g\n"
                   "khabar-ner 1 %d %d %ld\n",
                   source, epochs, (unsigned long long)seed, scale, prune,
                   o_shift, TRAIN_BITS, L, scale);
    for (size_t b = 0; b < N_BUCKETS && rc == KH_OK; b++) {
        long q[L], top = 0;
        for (int l = 0; l < L; l++) {
            size_t k = b * L + (size_t)l;
            double avg = (double)w[k] - (double)u[k] / (double)c;
            if (l == KH_NER_O && b == (kh__ner_bias_hash() & (N_BUCKETS - 1)))
                avg -= o_shift;
            q[l] = lround(avg * (double)scale);
            if (labs(q[l]) > top)
                top = labs(q[l]);
        }
        if (top < prune || top == 0)
            continue;
        kh__buf_printf(out, &rc, "%zx", b);
        for (int l = 0; l < L; l++)
            kh__buf_printf(out, &rc, " %ld", q[l]);
        kh__buf_putc(out, '\n', &rc);
        rows++;
    }
    const char **words = kh_malloc(lex.known.count * sizeof *words + 1);
    size_t nw = 0;
    if (words == NULL)
        return KH_ENOMEM;
    for (size_t k = 0; k < lex.known.cap; k++)
        if (lex.known.slots[k].key != NULL)
            words[nw++] = lex.known.slots[k].key;
    kh__qsort(words, nw, sizeof *words, cmp_str);
    for (size_t k = 0; k < nw; k++)
        kh__buf_printf(out, &rc, "=%s\n", words[k]);
    kh_free(words);
    fprintf(stderr, "model: %zu rows, %zu known words, %zu bytes\n", rows, nw,
            out->len);
    return rc;
}

/* Tags the sentences of one split with the model in text and scores. */
static double
score(const kh_ner_gold *g, const kh_buf *text, int split, int verbose)
{
    kh_ner_model *m = NULL;
    kh_error err = {0};
    if (kh__ner_model_parse(text->data, text->len, &m, &err) != KH_OK) {
        fprintf(stderr, "model does not parse: %s\n", err.message);
        exit(1);
    }
    int *pred = kh_malloc(g->seq.n * sizeof *pred + 1);
    kh_ner_counts cnt = {0};
    for (size_t s = 0; s < g->n_sents; s++) {
        if (kh__ner_split(s, g->n_sents) != split)
            continue;
        size_t a = g->sent_first[s], b = g->sent_first[s + 1];
        kh_ner_seq view = g->seq; /* the sentence alone, as tagging sees */
        view.tok = g->seq.tok + a;
        view.n = b - a;
        kh__ner_decode(m, &view, pred + a);
        kh__ner_count(&g->seq, a, b, g->labels, pred, &cnt);
        if (verbose && getenv("KH_NER_SHOW") != NULL)
            for (size_t i = a; i < b; i++)
                printf("%s\t%d\t%d\n", kh__ner_norm(&g->seq, i), g->labels[i],
                       pred[i]);
    }
    if (verbose)
        kh__ner_counts_print(&cnt, stderr);
    kh_free(pred);
    kh__ner_model_free(m);
    return kh__ner_counts_f1(&cnt);
}

int
main(int argc, char **argv)
{
    int dev = 0, dump = 0, argi = 1;
    while (argi < argc && argv[argi][0] == '-') {
        if (strcmp(argv[argi], "--dev") == 0)
            dev = 1;
        else if (strcmp(argv[argi], "--dump") == 0)
            dump = 1;
        else if (strcmp(argv[argi], "--epochs") == 0 && argi + 1 < argc)
            epochs = atoi(argv[++argi]);
        else if (strcmp(argv[argi], "--o-shift") == 0 && argi + 1 < argc)
            o_shift = atof(argv[++argi]);
        else if (strcmp(argv[argi], "--prune") == 0 && argi + 1 < argc)
            prune = atol(argv[++argi]);
        else
            break;
        argi++;
    }
    if (argc - argi < 1 || (!dev && argc - argi < 2)) {
        fprintf(stderr, "usage: train_ner [--dev] [--epochs N] [--prune Q] "
                        "GOLD.txt [MODEL.txt]\n");
        return 2;
    }
    const char *gold_path = argv[argi], *out_path = argv[argi + 1];
    kh_analyzer *a = NULL;
    kh__ner_lexicon_init(&lex);
    if (kh_analyzer_new(NULL, &a) != KH_OK ||
        kh__ner_cues_build(a, &lex.cues) != KH_OK)
        return 1;
    kh_ner_gold g;
    kh_error err = {0};
    if (kh__ner_gold_read(gold_path, a, &lex, &g, &err) != KH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    if (dump) { /* the tokens as training sees them, to check the reader */
        for (size_t i = 0; i < g.seq.n; i++)
            printf("%zu\t%s\t%s\t%s\t%d\n", i, kh__ner_norm(&g.seq, i),
                   kh__ner_stem(&g.seq, i), g.seq.tok[i].gap, g.labels[i]);
        return 0;
    }
    size_t n_train = 0, *order = kh_malloc(g.n_sents * sizeof *order);
    for (size_t s = 0; s < g.n_sents; s++) {
        int sp = kh__ner_split(s, g.n_sents);
        if (sp == KH_NER_SPLIT_TRAIN || (!dev && sp == KH_NER_SPLIT_DEV))
            order[n_train++] = s;
    }
    fprintf(stderr, "%zu sentences, %zu tokens; training on %zu sentences\n",
            g.n_sents, g.seq.n, n_train);
    if (getenv("KH_NER_NO_RARE") == NULL &&
        learn_known(&g, order, n_train) != KH_OK)
        return 1;
    w = calloc((size_t)N_BUCKETS * L, sizeof *w);
    u = calloc((size_t)N_BUCKETS * L, sizeof *u);
    if (w == NULL || u == NULL || order == NULL)
        return 1;
    uint64_t rng = seed;
    kh_buf model;
    kh__buf_init(&model);
    for (int e = 1; e <= epochs; e++) {
        for (size_t i = n_train; i > 1; i--) { /* Fisher-Yates */
            size_t j = (size_t)(xorshift(&rng) % i);
            size_t t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        epoch(&g, order, n_train);
        if (dev) {
            if (write_model(&model, gold_path) != KH_OK)
                return 1;
            double f1 = score(&g, &model, KH_NER_SPLIT_DEV, e == epochs);
            if (e == epochs && getenv("KH_NER_TRAIN_SCORE") != NULL)
                fprintf(stderr, "train F1 %.4f\n",
                        score(&g, &model, KH_NER_SPLIT_TRAIN, 1));
            fprintf(stderr, "epoch %d: dev F1 %.4f\n", e, f1);
        }
    }
    if (out_path != NULL) {
        if (write_model(&model, "NewsFANE_Gold_2014_170K.txt") != KH_OK)
            return 1;
        FILE *f = fopen(out_path, "wb");
        if (f == NULL || fwrite(model.data, 1, model.len, f) != model.len ||
            fclose(f) != 0) {
            perror(out_path);
            return 1;
        }
    }
    kh__buf_release(&model);
    kh_free(order);
    free(w);
    free(u);
    kh__ner_gold_release(&g);
    kh__ner_lexicon_release(&lex);
    kh_analyzer_free(a);
    return 0;
}
