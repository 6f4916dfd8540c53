/*
 * eval_ner.c -- scores the entity tagger on the held-out test part of the
 * NewsFANE gold corpus (the last 20% of its sentences, kh__ner_split()),
 * entity by entity, CoNLL style: a found entity counts when its first
 * and last token and its type are the gold ones.  Prints precision,
 * recall and F1 for PER, LOC, ORG and micro-averaged over them.
 *
 * With --dev it scores the dev part instead, meaningful for a model
 * trained on the train part only (`train_ner --dev GOLD M.txt` writes
 * one); --dump FILE then writes the dev part's tokens with their gold
 * and found labels, to read its errors.
 *
 * With --speed FILE.jsonl.gz it also tags the title and body of every
 * article there with kh__ner_tag() (the whole path: tokenizer, features,
 * decoding, spans) and prints tokens and kilobytes per second.  The
 * tagger keeps per-word sums in the model (src/extract/ner_fast.c); the
 * timed run starts with none, so every new word of the file is paid for
 * in it.  --warm tags the file once before timing, which shows the speed
 * once the words are known (as at ingest after a while).
 *
 * Build: `make BUILD=build-ner build-ner/bench/eval_ner` (or `make bench`,
 * which builds every program of bench/ into build/bench/).
 *
 * Run:
 *   build-ner/bench/eval_ner [--model data/ner/model.txt] \
 *      [--speed data/sample/saudinewsnet-2000.jsonl.gz] \
 *      ../shared/data/ner/newsfane-gold/NewsFANE_Gold_2014_170K.txt
 *
 * The gold sentences are rebuilt and analyzed exactly as for training
 * (ner_gold.c), so gold and found entities are over the same tokens.
 * The corpus marks no articles: the second pass's document memory reads
 * the first-pass labels of the KH_NER_GOLD_WINDOW sentences each side,
 * inside the test part (kh__ner_gold_decode()).
 */
#include "extract/ner.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* The dev part token by token (normalized form, gold label, found
 * label; a blank line between sentences), for reading its errors.  Never
 * the test part: nothing may be tuned on it. */
static void
dump(const kh_ner_gold *g, size_t s_a, size_t s_b, const int *pred, FILE *f)
{
    for (size_t s = s_a; s < s_b; s++) {
        for (size_t i = g->sent_first[s]; i < g->sent_first[s + 1]; i++)
            fprintf(f, "%s\t%d\t%d\n", kh__ner_norm(&g->seq, i), g->labels[i],
                    pred[i]);
        fputc('\n', f);
    }
}

static int
evaluate(const kh_ner_model *m, const char *gold_path, int part,
         const char *dump_path)
{
    kh_analyzer *a = NULL;
    if (kh_analyzer_new(NULL, &a) != KH_OK)
        return 1;
    kh_ner_gold g;
    kh_error err = {0};
    if (kh__ner_gold_read(gold_path, a, kh__ner_model_lexicon(m), &g, &err) !=
        KH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    int *pred = kh_malloc(g.seq.n * sizeof *pred + 1);
    kh_ner_counts cnt = {0};
    size_t n_sents = 0, n_tok = 0, s_a = g.n_sents, s_b = 0;
    for (size_t s = 0; s < g.n_sents; s++)
        if (kh__ner_split(s, g.n_sents) == part) {
            s_a = s < s_a ? s : s_a;
            s_b = s + 1;
        }
    /* the test part is the last sentences: one run of articles, tagged
     * with a window of neighbouring sentences as each one's document */
    if (pred == NULL || kh__ner_gold_decode(m, &g, s_a, s_b, KH_NER_GOLD_WINDOW,
                                            2, pred) != KH_OK)
        return 1;
    for (size_t s = s_a; s < s_b; s++) {
        size_t first = g.sent_first[s], last = g.sent_first[s + 1];
        kh__ner_count(&g.seq, first, last, g.labels, pred, &cnt);
        n_sents++;
        n_tok += last - first;
    }
    if (dump_path != NULL && part == KH_NER_SPLIT_DEV) {
        FILE *f = fopen(dump_path, "w");
        if (f == NULL) {
            perror(dump_path);
            return 1;
        }
        dump(&g, s_a, s_b, pred, f);
        if (fclose(f) != 0) {
            perror(dump_path);
            return 1;
        }
    }
    printf("%s part: %zu sentences, %zu tokens (of %zu sentences)\n",
           part == KH_NER_SPLIT_DEV ? "dev" : "test", n_sents, n_tok,
           g.n_sents);
    kh__ner_counts_print(&cnt, stdout);
    kh_free(pred);
    kh__ner_gold_release(&g);
    kh_analyzer_free(a);
    return 0;
}

static int
speed(const kh_ner_model *m, const char *path, int warm)
{
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL) {
        perror(path);
        return 1;
    }
    kh_buf all; /* the texts, NUL-separated, read before timing */
    kh__buf_init(&all);
    kh_status rc = KH_OK;
    static char line[1 << 20];
    size_t n_docs = 0;
    while (gzgets(gz, line, sizeof line) != NULL) {
        json_error_t jerr;
        json_t *j = json_loads(line, 0, &jerr);
        if (j == NULL)
            continue;
        const char *t = json_string_value(json_object_get(j, "title"));
        const char *b = json_string_value(json_object_get(j, "body"));
        if (t != NULL && b != NULL) {
            kh__buf_printf(&all, &rc, "%s\n%s", t, b);
            kh__buf_putc(&all, '\0', &rc);
            n_docs++;
        }
        json_decref(j);
    }
    gzclose(gz);
    if (rc != KH_OK)
        return 1;
    size_t n_tok = 0, n_ent[4] = {0};
    kh_analyzer *a = NULL;
    if (kh_analyzer_new(NULL, &a) != KH_OK)
        return 1;
    for (size_t off = 0; off < all.len;) {
        size_t len = strlen(all.data + off);
        kh_token t;
        kh_analyzer_reset(a, all.data + off, len);
        while (kh_analyzer_next(a, &t))
            n_tok++;
        off += len + 1;
    }
    kh_analyzer_free(a);
    for (size_t off = 0; warm && off < all.len;) {
        size_t len = strlen(all.data + off), n = 0;
        kh_ner_span *sp = NULL;
        if (kh__ner_tag(m, all.data + off, len, &sp, &n) != KH_OK)
            return 1;
        kh__ner_spans_free(sp, n);
        off += len + 1;
    }
    double t0 = kh__now();
    for (size_t off = 0; off < all.len;) {
        size_t len = strlen(all.data + off), n = 0;
        kh_ner_span *sp = NULL;
        if (kh__ner_tag(m, all.data + off, len, &sp, &n) != KH_OK)
            return 1;
        for (size_t i = 0; i < n; i++)
            n_ent[sp[i].type]++;
        kh__ner_spans_free(sp, n);
        off += len + 1;
    }
    double dt = kh__now() - t0;
    printf("speed%s: %zu articles, %zu tokens, %.1f KB in %.3f s: "
           "%.0f tokens/s, %.0f KB/s; found PER %zu, LOC %zu, ORG %zu\n",
           warm ? " (warm)" : "", n_docs, n_tok, (double)all.len / 1024.0, dt,
           (double)n_tok / dt, (double)all.len / 1024.0 / dt, n_ent[1],
           n_ent[2], n_ent[3]);
    kh__buf_release(&all);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *model_path = NULL, *speed_path = NULL, *gold = NULL,
               *dump_path = NULL;
    int warm = 0, part = KH_NER_SPLIT_TEST;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            model_path = argv[++i];
        else if (strcmp(argv[i], "--speed") == 0 && i + 1 < argc)
            speed_path = argv[++i];
        else if (strcmp(argv[i], "--warm") == 0)
            warm = 1;
        else if (strcmp(argv[i], "--dev") == 0)
            part = KH_NER_SPLIT_DEV;
        else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
            dump_path = argv[++i];
        else
            gold = argv[i];
    }
    if ((gold == NULL && speed_path == NULL) ||
        (dump_path != NULL && part != KH_NER_SPLIT_DEV)) {
        fprintf(stderr, "usage: eval_ner [--model M] [--speed F.jsonl.gz] "
                        "[--warm] [--dev [--dump FILE]] [GOLD.txt]\n"
                        "(--dump writes the dev part's labels, never the "
                        "test part's)\n");
        return 2;
    }
    kh_ner_model *m = NULL;
    kh_error err = {0};
    double t0 = kh__now();
    if (kh__ner_model_load(model_path, &m, &err) != KH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    printf("model loaded in %.3f s\n", kh__now() - t0);
    int rc = 0;
    if (gold != NULL)
        rc = evaluate(m, gold, part, dump_path);
    if (rc == 0 && speed_path != NULL)
        rc = speed(m, speed_path, warm);
    kh__ner_model_free(m);
    return rc;
}
