/*
 * train_ner.c -- trains the entity tagger's model (data/ner/model.txt)
 * from the NewsFANE gold corpus: an averaged perceptron over the hashed
 * features of src/extract/ner_features.c, decoded greedily left to right
 * as the library decodes; a wrong label costs its features one unit and
 * gives the gold label's features one.  Two passes: the first model as
 * above; the second reads the document memory (kh__ner_memory()) built
 * from first-pass labels that a jackknife over the training sentences
 * gives (each block tagged by a model trained without it).  The
 * gazetteer words are read from their sources (below) into the model.
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
 * Or simply `make BUILD=build-ner tools` (build-ner/tools/train_ner).
 *
 * The shipped model (about 40 s):
 *
 *   build-ner/train_ner \
 *       ../shared/data/ner/newsfane-gold/NewsFANE_Gold_2014_170K.txt \
 *       data/ner/model.txt
 *
 * trains on the train and dev parts (the first 80% of the sentences, see
 * kh__ner_split()) with the settings below.  --dev trains on the train
 * part only and prints the dev scores of the first pass and, after every
 * epoch, of the second: that, and only
 * that, chose the epochs, the O shift and the features.  The test part's
 * sentences are read with the rest but never trained or scored on here
 * (bench/eval_ner.c scores them).  --cv K scores the train and dev parts
 * by K-fold cross-validation (each of K contiguous blocks held out from a
 * model trained on the rest, both passes; counts pooled): every sentence
 * held out once, so less noisy than dev alone.  Debugging aids: --dump
 * (with --dev) prints the tokens and gold labels as training sees them;
 * KH_NER_SHOW=1 prints the dev tokens with gold and predicted labels
 * (after the last epoch), KH_NER_NO_RARE=1 trains without the known-word
 * lexicon.
 *
 * Everything is deterministic: the sentence order of each epoch comes
 * from a xorshift generator with a fixed seed, the weights are integers,
 * the jackknife blocks are contiguous and fixed, and the model's lines
 * (rows in bucket order, words sorted) are written the same way.
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
static int passes = 2;        /* 1: no document memory */
static int folds = 10; /* jackknife folds for the first-pass labels (dev) */
static int window = KH_NER_GOLD_WINDOW;
/* The gazetteers' sources, read at training time only (the words go
 * into the model file): person names from Wikidata (CC0), the Arabic
 * country names of Debian's iso-codes (LGPL-2.1+). */
static const char *persons_path =
    "../shared/data/translit/wikidata-en-ar/train.tsv";
static const char *places_path =
    "/usr/share/locale/ar/LC_MESSAGES/iso_3166-1.mo";

/* hunspell-ar's word list for the dictionary classes (NULL: the
 * tagger's default, kh__ner_dict_path(); "": none) */
static const char *dict_path;
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

static void
int_score(const uint32_t *f, size_t n, int64_t *scores)
{
    for (size_t k = 0; k < n; k++) {
        const int32_t *r = &w[(size_t)(f[k] & (N_BUCKETS - 1)) * L];
        for (int l = 0; l < L; l++)
            scores[l] += r[l];
    }
}

/* Whether token j is in the same sentence (as the analyzer cut it: a
 * gold sentence may hold several) as token i, and at or after a. */
static int
same_sent(const kh_ner_gold *g, size_t a, size_t i, size_t j)
{
    return j >= a && j < i && g->seq.tok[j].sent == g->seq.tok[i].sent;
}

/* The features of token i (of gold sentence [a, ...)) under labels lab. */
static size_t
token_features(const kh_ner_gold *g, size_t a, size_t i, const int *lab,
               int pass, uint32_t *f)
{
    int p1 = i > a && same_sent(g, a, i, i - 1) ? lab[i - 1] : KH_NER_O;
    int p2 = i > a + 1 && same_sent(g, a, i, i - 2) ? lab[i - 2] : KH_NER_O;
    size_t nf = kh__ner_features(&g->seq, i, f);
    if (pass == 2)
        nf += kh__ner_memory_features(&g->seq, i, f + nf);
    return nf + kh__ner_label_features(&g->seq, i, p1, p2, f + nf);
}

/* One pass over the sentences in order[0..n), decoded greedily as the
 * library decodes.  The label features read the gold labels before the
 * token (teacher forcing): on dev that beat reading the predicted ones
 * (dev F1 0.631 against 0.592 after 13 epochs, measured before the
 * bare-word affixes, no O shift); so did it beat Viterbi decoding with
 * structured-perceptron training (docs/entities.md).  The second pass's
 * model also reads the memory fields of the tokens. */
static void
epoch(const kh_ner_gold *g, const size_t *order, size_t n, int pass)
{
    uint32_t f[KH_NER_MAX_FEATURES + KH_NER_MAX_MEMORY + 8];
    for (size_t s = 0; s < n; s++) {
        size_t a = g->sent_first[order[s]], b = g->sent_first[order[s] + 1];
        for (size_t i = a; i < b; i++) {
            size_t nf = token_features(g, a, i, g->labels, pass, f);
            int64_t sc[L] = {0};
            int_score(f, nf, sc);
            int p1 = i > a && same_sent(g, a, i, i - 1) ? g->labels[i - 1]
                                                        : KH_NER_O;
            int best = KH_NER_O;
            for (int l = 1; l < L; l++)
                if (kh__ner_allowed(p1, l) && sc[l] > sc[best])
                    best = l;
            if (best != g->labels[i]) {
                update(f, nf, g->labels[i], 1);
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
    kh__strmap_release(&lex.known); /* a --cv fold learns its own */
    kh__strmap_init(&lex.known);
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

/* Adds the words of name[0..n) (analyzed as text is, stop words left
 * out, bare forms of three letters or more) to the gazetteer: `one`
 * when the name is one such word, else `part`. */
static kh_status
gaz_add(kh_analyzer *a, const char *name, size_t n, unsigned one, unsigned part)
{
    size_t lens[16], k = 0;
    kh_buf norm; /* the analyzer's strings do not outlive the next token */
    kh_status rc = KH_OK;
    kh__buf_init(&norm);
    kh_token t;
    kh_analyzer_reset(a, name, n);
    while (kh_analyzer_next(a, &t) && k < 16) {
        if (t.flags & KH_TOKEN_STOP || t.kind != KH_TOKEN_ARABIC)
            continue;
        const char *b;
        size_t bl = kh__ner_bare(t.norm, t.norm_len, &b);
        /* a name that reads as proclitic + ال + rest (فاليري): kept as
         * written, so that the entity layer does not cut it */
        if (one == KH_NER_GAZ_PERSON && b - t.norm >= 6 &&
            memcmp(b - 4, "\xd8\xa7\xd9\x84", 4) == 0 &&
            kh__strmap_upsert(&lex.written, t.norm, t.norm_len) == NULL)
            rc = KH_ENOMEM;
        size_t nc = 0;
        for (size_t i = 0; i < bl; i++)
            nc += ((unsigned char)b[i] & 0xc0) != 0x80;
        if (nc < 3)
            continue;
        lens[k++] = bl;
        kh__buf_append(&norm, b, bl, &rc);
    }
    size_t off = 0;
    for (size_t i = 0; i < k && rc == KH_OK; i++) {
        kh_strmap_entry *e =
            kh__strmap_upsert(&lex.gaz, norm.data + off, lens[i]);
        off += lens[i];
        if (e == NULL)
            rc = KH_ENOMEM;
        else
            e->value |= k == 1 ? one : part;
    }
    kh__buf_release(&norm);
    return rc;
}

static int
read_file(const char *path, kh_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    kh_status rc = KH_OK;
    char chunk[1 << 16];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        kh__buf_append(out, chunk, got, &rc);
    fclose(f);
    return rc == KH_OK ? 0 : -1;
}

/* Person-name words: the Arabic side of each Wikidata line
 * ("latin<TAB>ل ا م ز<TAB>count"), its letters joined. */
static int
load_persons(kh_analyzer *a, const char *path)
{
    kh_buf b, word;
    kh__buf_init(&b);
    kh__buf_init(&word);
    if (read_file(path, &b) != 0)
        return -1;
    kh_status rc = KH_OK;
    for (size_t p = 0; p < b.len && rc == KH_OK;) {
        const char *line = b.data + p;
        const char *nl = memchr(line, '\n', b.len - p);
        size_t n = nl != NULL ? (size_t)(nl - line) : b.len - p;
        p += n + 1;
        const char *t1 = memchr(line, '\t', n);
        if (t1 == NULL)
            continue;
        const char *ar = t1 + 1;
        size_t rest = n - (size_t)(ar - line);
        const char *t2 = memchr(ar, '\t', rest);
        size_t an = t2 != NULL ? (size_t)(t2 - ar) : rest;
        kh__buf_reset(&word);
        for (size_t i = 0; i < an; i++)
            if (ar[i] != ' ' && ar[i] != '\r')
                kh__buf_putc(&word, ar[i], &rc);
        if (rc == KH_OK && word.len > 0)
            rc = gaz_add(a, word.data, word.len, KH_NER_GAZ_PERSON,
                         KH_NER_GAZ_PERSON);
    }
    kh__buf_release(&b);
    kh__buf_release(&word);
    return rc == KH_OK ? 0 : -1;
}

static uint32_t
mo_u32(const kh_buf *b, size_t off, int swap)
{
    if (off + 4 > b->len)
        return 0;
    const unsigned char *p = (const unsigned char *)b->data + off;
    return swap ? (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
                      (uint32_t)p[0] << 24
                : (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                      (uint32_t)p[3] << 24;
}

/* Place names: every translation in a gettext .mo catalogue (magic,
 * revision, count, offset of the originals' table, offset of the
 * translations' table; each table entry a length and an offset). */
static int
load_places(kh_analyzer *a, const char *path)
{
    kh_buf b;
    kh__buf_init(&b);
    if (read_file(path, &b) != 0)
        return -1;
    int swap;
    if (mo_u32(&b, 0, 0) == 0x950412deu) {
        swap = 0;
    } else if (mo_u32(&b, 0, 1) == 0x950412deu) {
        swap = 1;
    } else {
        fprintf(stderr, "%s: not a .mo file\n", path);
        return -1;
    }
    uint32_t n = mo_u32(&b, 8, swap), tt = mo_u32(&b, 16, swap);
    kh_status rc = KH_OK;
    for (uint32_t i = 0; i < n && rc == KH_OK; i++) {
        uint32_t len = mo_u32(&b, tt + 8 * (size_t)i, swap);
        uint32_t off = mo_u32(&b, tt + 8 * (size_t)i + 4, swap);
        if ((size_t)off + len > b.len || len == 0)
            continue;
        if (memchr(b.data + off, ':', len) != NULL)
            continue; /* the catalogue's header */
        rc = gaz_add(a, b.data + off, len, KH_NER_GAZ_PLACE,
                     KH_NER_GAZ_PLACE_PART);
    }
    kh__buf_release(&b);
    return rc == KH_OK ? 0 : -1;
}

/* Appends the averaged, scaled, pruned weights as model rows. */
static kh_status
write_rows(kh_buf *out)
{
    kh_status rc = KH_OK;
    size_t rows = 0;
    for (size_t b = 0; b < N_BUCKETS && rc == KH_OK; b++) {
        long q[L], top = 0;
        for (int l = 0; l < L; l++) {
            size_t k = b * L + (size_t)l;
            double avg = (double)w[k] - (double)u[k] / (double)c;
            if (l == KH_NER_O && b == (kh__ner_bias_hash() & (N_BUCKETS - 1)))
                avg -= o_shift;
            q[l] = lround(avg * (double)scale);
            /* the loader keeps 16-bit weights */
            q[l] = q[l] > 32767 ? 32767 : q[l] < -32767 ? -32767 : q[l];
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
    fprintf(stderr, "  %zu rows\n", rows);
    return rc;
}

/* Writes a model file: the header, the first pass's rows (rows1), the
 * second's (rows2, or none when NULL), the known words. */

/* The keys of m in byte order (the model file diffs); *out is
 * kh_malloc'd, its strings m's. */
static kh_status
sorted_keys(const kh_strmap *m, const char ***out, size_t *n)
{
    *n = 0;
    *out = kh_malloc(m->count * sizeof **out + 1);
    if (*out == NULL)
        return KH_ENOMEM;
    for (size_t k = 0; k < m->cap; k++)
        if (m->slots[k].key != NULL)
            (*out)[(*n)++] = m->slots[k].key;
    kh__qsort(*out, *n, sizeof **out, cmp_str);
    return KH_OK;
}

static kh_status
write_model(kh_buf *out, const char *source, const kh_buf *rows1,
            const kh_buf *rows2)
{
    kh_status rc = KH_OK;
    kh__buf_reset(out);
    kh__buf_printf(out, &rc,
                   "# Khabar entity tagger (PER/LOC/ORG), averaged "
                   "perceptron; see docs/entities.md.\n"
                   "# Trained by tools/train_ner.c on %s (CC BY-SA 3.0, "
                   "see data/ner/LICENSE).\n"
                   "# epochs %d, seed %llu, scale %ld, prune %ld, "
                   "O shift %g, passes %d, folds %d, window %d\n"
                   "khabar-ner %d %d %d %ld\n",
                   source, epochs, (unsigned long long)seed, scale, prune,
                   o_shift, rows2 != NULL ? 2 : 1, folds, window,
                   rows2 != NULL ? 2 : 1, TRAIN_BITS, L, scale);
    if (lex.dict.count > 0) /* the tagger then reads it too */
        kh__buf_printf(out, &rc, "!dict hunspell-ar\n");
    kh__buf_append(out, rows1->data, rows1->len, &rc);
    if (rows2 != NULL) {
        kh__buf_printf(out, &rc, "@2 second pass: document memory\n");
        kh__buf_append(out, rows2->data, rows2->len, &rc);
    }
    const char **words;
    size_t nw;
    if (sorted_keys(&lex.known, &words, &nw) != KH_OK)
        return KH_ENOMEM;
    for (size_t k = 0; k < nw; k++)
        kh__buf_printf(out, &rc, "=%s\n", words[k]);
    kh_free(words);
    if (sorted_keys(&lex.gaz, &words, &nw) != KH_OK)
        return KH_ENOMEM;
    for (size_t k = 0; k < nw; k++) {
        const kh_strmap_entry *e =
            kh__strmap_get(&lex.gaz, words[k], strlen(words[k]));
        kh__buf_printf(out, &rc, "+%u %s\n", (unsigned)e->value, words[k]);
    }
    kh_free(words);
    if (sorted_keys(&lex.written, &words, &nw) != KH_OK)
        return KH_ENOMEM;
    for (size_t k = 0; k < nw; k++)
        kh__buf_printf(out, &rc, "~%s\n", words[k]);
    kh_free(words);
    return rc;
}

static kh_ner_model *
parse_or_die(const kh_buf *text)
{
    kh_ner_model *m = NULL;
    kh_error err = {0};
    if (kh__ner_model_parse(text->data, text->len, &m, &err) != KH_OK) {
        fprintf(stderr, "model does not parse: %s\n", err.message);
        exit(1);
    }
    return m;
}

/* --cv: the counts of every fold's held-out part. */
static kh_ner_counts *pooled;

/* Tags the sentences [s_a, s_b) with the model in text (np passes) and
 * scores them. */
static double
score(kh_ner_gold *g, const kh_buf *text, size_t s_a, size_t s_b, int np,
      int verbose)
{
    kh_ner_model *m = parse_or_die(text);
    int *pred = kh_malloc(g->seq.n * sizeof *pred + 1);
    kh_ner_counts cnt = {0};
    if (pred == NULL ||
        kh__ner_gold_decode(m, g, s_a, s_b, window, np, pred) != KH_OK)
        exit(1);
    for (size_t s = s_a; s < s_b; s++) {
        size_t a = g->sent_first[s], b = g->sent_first[s + 1];
        kh__ner_count(&g->seq, a, b, g->labels, pred, &cnt);
        if (pooled != NULL)
            kh__ner_count(&g->seq, a, b, g->labels, pred, pooled);
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

/* Trains one pass's weights from scratch on order[0..n) (not reordered:
 * each epoch shuffles a copy, from the fixed seed). */
static void
train(const kh_ner_gold *g, const size_t *order, size_t n, int pass,
      void (*after_epoch)(int e))
{
    size_t *o = kh_malloc(n * sizeof *o + 1);
    if (o == NULL)
        exit(1);
    memcpy(o, order, n * sizeof *o);
    memset(w, 0, (size_t)N_BUCKETS * L * sizeof *w);
    memset(u, 0, (size_t)N_BUCKETS * L * sizeof *u);
    c = 1;
    uint64_t rng = seed;
    for (int e = 1; e <= epochs; e++) {
        for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
            size_t j = (size_t)(xorshift(&rng) % i);
            size_t t = o[i - 1];
            o[i - 1] = o[j];
            o[j] = t;
        }
        epoch(g, o, n, pass);
        if (after_epoch != NULL)
            after_epoch(e);
    }
    kh_free(o);
}

/* The first-pass labels of the training sentences [0, n) as tagging
 * would give them: each of `folds` contiguous blocks tagged by a model
 * trained on the other blocks; then every token's memory, with the
 * sentences within `window` as its document. */
static void
jackknife(kh_ner_gold *g, const size_t *order, size_t n, int *pred1)
{
    size_t *o = kh_malloc(n * sizeof *o + 1);
    kh_buf rows, text;
    kh__buf_init(&rows);
    kh__buf_init(&text);
    if (o == NULL)
        exit(1);
    for (int k = 0; k < folds; k++) {
        size_t lo = n * (size_t)k / (size_t)folds;
        size_t hi = n * (size_t)(k + 1) / (size_t)folds, m = 0;
        for (size_t i = 0; i < n; i++)
            if (i < lo || i >= hi)
                o[m++] = order[i];
        fprintf(stderr, "fold %d: sentences [%zu, %zu)\n", k, order[lo],
                order[hi - 1] + 1);
        train(g, o, m, 1, NULL);
        kh__buf_reset(&rows);
        if (write_rows(&rows) != KH_OK ||
            write_model(&text, "fold", &rows, NULL) != KH_OK)
            exit(1);
        kh_ner_model *mod = parse_or_die(&text);
        /* the fold's sentences, by runs of consecutive ones (order may
         * skip a --cv fold's held-out part) */
        for (size_t i = lo; i < hi;) {
            size_t j = i + 1;
            while (j < hi && order[j] == order[j - 1] + 1)
                j++;
            if (kh__ner_gold_decode(mod, g, order[i], order[j - 1] + 1, window,
                                    1, pred1) != KH_OK)
                exit(1);
            i = j;
        }
        kh__ner_model_free(mod);
    }
    /* each sentence's document: its neighbours within `window` among the
     * consecutive training sentences around it */
    for (size_t i = 0, run = 0, end = 0; i < n; i++) {
        if (i == end) { /* a new run of consecutive sentences */
            run = i;
            for (end = i + 1; end < n && order[end] == order[end - 1] + 1;)
                end++;
        }
        size_t s = order[i];
        size_t first = order[run], last = order[end - 1] + 1;
        size_t lo = s >= first + (size_t)window ? s - (size_t)window : first;
        size_t hi =
            s + (size_t)window + 1 < last ? s + (size_t)window + 1 : last;
        if (kh__ner_memory(&g->seq, g->sent_first[lo], g->sent_first[hi],
                           g->sent_first[s], g->sent_first[s + 1],
                           pred1) != KH_OK)
            exit(1);
    }
    kh__buf_release(&rows);
    kh__buf_release(&text);
    kh_free(o);
}

/* --dev: the dev part's score after each second-pass epoch. */
static kh_ner_gold *dev_g;
static const kh_buf *dev_rows1;
static size_t dev_a, dev_b;

static void
dev_epoch(int e)
{
    kh_buf rows2, text;
    kh__buf_init(&rows2);
    kh__buf_init(&text);
    if (write_rows(&rows2) != KH_OK ||
        write_model(&text, "dev", dev_rows1, &rows2) != KH_OK)
        exit(1);
    double f1 = score(dev_g, &text, dev_a, dev_b, 2, e == epochs);
    fprintf(stderr, "pass 2 epoch %d: dev F1 %.4f\n", e, f1);
    kh__buf_release(&rows2);
    kh__buf_release(&text);
}

/* --cv K: the train and dev parts (sentences [0, n)) in K contiguous
 * blocks; each is scored by a model (both passes, as shipped) trained on
 * the others, and the counts of all blocks are pooled.  The test part is
 * not touched.  Less noisy than the dev part alone for choosing between
 * two versions: every sentence is held out once. */
static int
cross_validate(kh_ner_gold *g, size_t n, int k_folds)
{
    size_t *order = kh_malloc(n * sizeof *order + 1);
    int *pred1 = kh_malloc(g->seq.n * sizeof *pred1 + 1);
    kh_ner_counts all = {0};
    w = calloc((size_t)N_BUCKETS * L, sizeof *w);
    u = calloc((size_t)N_BUCKETS * L, sizeof *u);
    if (order == NULL || pred1 == NULL || w == NULL || u == NULL)
        return 1;
    for (int k = 0; k < k_folds; k++) {
        size_t a = n * (size_t)k / (size_t)k_folds;
        size_t b = n * (size_t)(k + 1) / (size_t)k_folds, m = 0;
        for (size_t s = 0; s < n; s++)
            if (s < a || s >= b)
                order[m++] = s;
        if (getenv("KH_NER_NO_RARE") == NULL &&
            learn_known(g, order, m) != KH_OK)
            return 1;
        kh_buf rows1, rows2, model;
        kh__buf_init(&rows1);
        kh__buf_init(&rows2);
        kh__buf_init(&model);
        train(g, order, m, 1, NULL);
        if (write_rows(&rows1) != KH_OK)
            return 1;
        if (passes == 2) {
            jackknife(g, order, m, pred1);
            train(g, order, m, 2, NULL);
            if (write_rows(&rows2) != KH_OK)
                return 1;
        }
        if (write_model(&model, "cv", &rows1, passes == 2 ? &rows2 : NULL) !=
            KH_OK)
            return 1;
        pooled = &all;
        double f1 =
            score(g, &model, a, b, passes, getenv("KH_NER_SHOW") != NULL);
        pooled = NULL;
        fprintf(stderr, "cv fold %d of %d: sentences [%zu, %zu): F1 %.4f\n",
                k + 1, k_folds, a, b, f1);
        kh__buf_release(&rows1);
        kh__buf_release(&rows2);
        kh__buf_release(&model);
    }
    kh__ner_counts_print(&all, stderr);
    fprintf(stderr, "cv F1 %.4f\n", kh__ner_counts_f1(&all));
    kh_free(order);
    kh_free(pred1);
    return 0;
}

int
main(int argc, char **argv)
{
    int dev = 0, dump = 0, cv = 0, argi = 1;
    while (argi < argc && argv[argi][0] == '-') {
        if (strcmp(argv[argi], "--dev") == 0)
            dev = 1;
        else if (strcmp(argv[argi], "--dump") == 0)
            dump = 1;
        else if (strcmp(argv[argi], "--cv") == 0 && argi + 1 < argc)
            cv = atoi(argv[++argi]);
        else if (strcmp(argv[argi], "--epochs") == 0 && argi + 1 < argc)
            epochs = atoi(argv[++argi]);
        else if (strcmp(argv[argi], "--o-shift") == 0 && argi + 1 < argc)
            o_shift = atof(argv[++argi]);
        else if (strcmp(argv[argi], "--prune") == 0 && argi + 1 < argc)
            prune = atol(argv[++argi]);
        else if (strcmp(argv[argi], "--passes") == 0 && argi + 1 < argc)
            passes = atoi(argv[++argi]) == 1 ? 1 : 2;
        else if (strcmp(argv[argi], "--folds") == 0 && argi + 1 < argc)
            folds = atoi(argv[++argi]);
        else if (strcmp(argv[argi], "--window") == 0 && argi + 1 < argc)
            window = atoi(argv[++argi]);
        else if (strcmp(argv[argi], "--persons") == 0 && argi + 1 < argc)
            persons_path = argv[++argi];
        else if (strcmp(argv[argi], "--places") == 0 && argi + 1 < argc)
            places_path = argv[++argi];
        else if (strcmp(argv[argi], "--no-gazetteer") == 0)
            persons_path = places_path = NULL;
        else if (strcmp(argv[argi], "--dict") == 0 && argi + 1 < argc)
            dict_path = argv[++argi];
        else if (strcmp(argv[argi], "--no-dict") == 0)
            dict_path = "";
        else
            break;
        argi++;
    }
    if (argc - argi < 1 || (!dev && cv == 0 && argc - argi < 2) || folds < 2 ||
        cv < 0 || cv == 1 || cv > 50 || window < 0 || epochs < 1) {
        fprintf(stderr,
                "usage: train_ner [--dev] [--cv K] [--epochs N] [--prune Q] "
                "[--o-shift X] [--passes 1|2] [--folds K] "
                "[--window S] [--persons TSV] [--places MO] "
                "[--no-gazetteer] [--dict AR.DIC | --no-dict] "
                "GOLD.txt [MODEL.txt]\n");
        return 2;
    }
    const char *gold_path = argv[argi], *out_path = argv[argi + 1];
    kh_analyzer *a = NULL;
    kh__ner_lexicon_init(&lex);
    if (kh_analyzer_new(NULL, &a) != KH_OK ||
        kh__ner_cues_build(a, &lex.cues) != KH_OK)
        return 1;
    if ((persons_path != NULL && load_persons(a, persons_path) != 0) ||
        (places_path != NULL && load_places(a, places_path) != 0))
        return 1;
    fprintf(stderr, "gazetteer: %zu words\n", lex.gaz.count);
    if (dict_path == NULL)
        dict_path = kh__ner_dict_path();
    if (*dict_path != '\0') {
        kh_error derr = {0};
        if (kh__ner_dict_load(dict_path, &lex.dict, &derr) != KH_OK) {
            fprintf(stderr, "%s (apt-get install hunspell-ar, or --no-dict)\n",
                    derr.message);
            return 1;
        }
        fprintf(stderr, "dictionary: %zu forms\n", lex.dict.count);
    }
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
    /* the parts are contiguous: train, then dev, then test */
    size_t n_train = 0, *order = kh_malloc(g.n_sents * sizeof *order);
    size_t d_a = g.n_sents, d_b = 0;
    for (size_t s = 0; s < g.n_sents; s++) {
        int sp = kh__ner_split(s, g.n_sents);
        if (sp == KH_NER_SPLIT_TRAIN || (!dev && sp == KH_NER_SPLIT_DEV))
            order[n_train++] = s;
        if (sp == KH_NER_SPLIT_DEV) {
            d_a = s < d_a ? s : d_a;
            d_b = s + 1;
        }
    }
    fprintf(stderr, "%zu sentences, %zu tokens; training on %zu sentences\n",
            g.n_sents, g.seq.n, n_train);
    if (cv > 1)
        return cross_validate(&g, d_b, cv);
    if (getenv("KH_NER_NO_RARE") == NULL &&
        learn_known(&g, order, n_train) != KH_OK)
        return 1;
    w = calloc((size_t)N_BUCKETS * L, sizeof *w);
    u = calloc((size_t)N_BUCKETS * L, sizeof *u);
    int *pred1 = kh_malloc(g.seq.n * sizeof *pred1 + 1);
    if (w == NULL || u == NULL || order == NULL || pred1 == NULL)
        return 1;
    kh_buf rows1, rows2, model;
    kh__buf_init(&rows1);
    kh__buf_init(&rows2);
    kh__buf_init(&model);
    fprintf(stderr, "pass 1 on all training sentences\n");
    train(&g, order, n_train, 1, NULL);
    if (write_rows(&rows1) != KH_OK)
        return 1;
    if (dev) {
        if (write_model(&model, gold_path, &rows1, NULL) != KH_OK)
            return 1;
        fprintf(stderr, "pass 1: dev F1 %.4f\n",
                score(&g, &model, d_a, d_b, 1, passes == 1));
    }
    if (passes == 2) {
        jackknife(&g, order, n_train, pred1);
        fprintf(stderr, "pass 2 on all training sentences\n");
        dev_g = &g;
        dev_rows1 = &rows1;
        dev_a = d_a;
        dev_b = d_b;
        train(&g, order, n_train, 2, dev ? dev_epoch : NULL);
        if (write_rows(&rows2) != KH_OK)
            return 1;
    }
    if (out_path != NULL) {
        if (write_model(&model, "NewsFANE_Gold_2014_170K.txt", &rows1,
                        passes == 2 ? &rows2 : NULL) != KH_OK)
            return 1;
        fprintf(stderr, "model: %zu known words, %zu bytes\n", lex.known.count,
                model.len);
        FILE *f = fopen(out_path, "wb");
        if (f == NULL || fwrite(model.data, 1, model.len, f) != model.len ||
            fclose(f) != 0) {
            perror(out_path);
            return 1;
        }
    }
    kh__buf_release(&rows1);
    kh__buf_release(&rows2);
    kh__buf_release(&model);
    kh_free(pred1);
    kh_free(order);
    free(w);
    free(u);
    kh__ner_gold_release(&g);
    kh__ner_lexicon_release(&lex);
    kh_analyzer_free(a);
    return 0;
}
