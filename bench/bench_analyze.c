/*
 * bench_analyze.c -- analyzer throughput, side by side with SQLite FTS5's
 * unicode61 tokenizer on the same text in the same process.
 *
 *   build/bench/bench_analyze [CORPUS.jsonl.gz] [--reps N] [--only NAME]
 *
 * Loads every article body of the corpus (default: SaudiNewsNet in
 * ../shared/data) into memory, then times, single-threaded, each of:
 *   khabar-light     tokenize + normalize + stop words + light stemmer
 *   khabar-snowball  the same with the Snowball Arabic stemmer
 *   khabar-nostem    tokenize + normalize + stop words
 *   fts5-unicode61   FTS5's tokenizer through its C API (fts5_api)
 * Each is run N times (default 3) and the fastest run is reported, the
 * usual way to take the noise of a shared machine out of a throughput
 * figure.  Every variant folds its tokens into a checksum so that no work
 * can be optimized away.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "khabar/khabar.h"

typedef struct corpus {
    char *text; /* all bodies, back to back */
    size_t len;
    size_t *offsets; /* body i is text[offsets[i] .. offsets[i + 1]) */
    size_t count;
} corpus;

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *msg)
{
    fprintf(stderr, "bench_analyze: %s\n", msg);
    exit(1);
}

static void
load(const char *path, corpus *c)
{
    gzFile f = gzopen(path, "rb");
    if (f == NULL)
        die("cannot open the corpus");
    size_t cap = 1 << 27, ocap = 1 << 16;
    c->text = malloc(cap);
    c->offsets = malloc(ocap * sizeof *c->offsets);
    c->len = c->count = 0;
    static char line[1 << 22];
    while (gzgets(f, line, sizeof line) != NULL) {
        json_t *doc = json_loads(line, 0, NULL);
        json_t *body = json_object_get(doc, "body");
        if (json_is_string(body)) {
            size_t n = json_string_length(body);
            while (c->len + n > cap)
                c->text = realloc(c->text, cap *= 2);
            if (c->count + 2 > ocap)
                c->offsets =
                    realloc(c->offsets, (ocap *= 2) * sizeof *c->offsets);
            if (c->text == NULL || c->offsets == NULL)
                die("out of memory");
            c->offsets[c->count++] = c->len;
            memcpy(c->text + c->len, json_string_value(body), n);
            c->len += n;
        }
        json_decref(doc);
    }
    c->offsets[c->count] = c->len;
    gzclose(f);
}

static unsigned long long
run_khabar(const corpus *c, kh_stemmer_kind stemmer, unsigned long *tokens)
{
    kh_analyzer_options o = {stemmer, 0};
    kh_analyzer *a;
    if (kh_analyzer_new(&o, &a) != KH_OK)
        die("cannot create the analyzer");
    unsigned long long sum = 0;
    unsigned long n = 0;
    kh_token t;
    for (size_t i = 0; i < c->count; i++) {
        kh_analyzer_reset(a, c->text + c->offsets[i],
                          c->offsets[i + 1] - c->offsets[i]);
        while (kh_analyzer_next(a, &t)) {
            sum += t.stem_len + (t.flags & KH_TOKEN_STOP) + t.norm_len;
            n++;
        }
    }
    kh_analyzer_free(a);
    *tokens = n;
    return sum;
}

typedef struct fts_ctx {
    unsigned long long sum;
    unsigned long n;
} fts_ctx;

static int
fts_token(void *ctx, int flags, const char *tok, int ntok, int start, int end)
{
    (void)flags;
    (void)tok;
    fts_ctx *x = ctx;
    x->sum += (unsigned long long)ntok + (unsigned long long)(end - start);
    x->n++;
    return SQLITE_OK;
}

static unsigned long long
run_fts5(const corpus *c, unsigned long *tokens)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    fts5_api *api = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        die("sqlite3 has no FTS5");
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (api == NULL)
        die("cannot get the fts5_api");
    void *ud;
    fts5_tokenizer tk;
    Fts5Tokenizer *t;
    if (api->xFindTokenizer(api, "unicode61", &ud, &tk) != SQLITE_OK ||
        tk.xCreate(ud, NULL, 0, &t) != SQLITE_OK)
        die("no unicode61 tokenizer");
    fts_ctx x = {0, 0};
    for (size_t i = 0; i < c->count; i++)
        tk.xTokenize(t, &x, FTS5_TOKENIZE_DOCUMENT, c->text + c->offsets[i],
                     (int)(c->offsets[i + 1] - c->offsets[i]), fts_token);
    tk.xDelete(t);
    sqlite3_close(db);
    *tokens = x.n;
    return x.sum;
}

int
main(int argc, char **argv)
{
    const char *path = "../shared/data/saudinewsnet/articles.jsonl.gz";
    int reps = 3;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else
            path = argv[i];
    }
    corpus c;
    double t0 = now();
    load(path, &c);
    printf("corpus: %s\n%zu bodies, %.1f MB of UTF-8 text (loaded in %.1f s)\n"
           "best of %d runs, single thread\n\n",
           path, c.count, (double)c.len / 1e6, now() - t0, reps);

    static const struct {
        const char *name;
        int stemmer; /* -1: FTS5 */
    } variants[] = {
        {"khabar-light", KH_STEMMER_LIGHT},
        {"khabar-snowball", KH_STEMMER_SNOWBALL},
        {"khabar-nostem", KH_STEMMER_NONE},
        {"fts5-unicode61", -1},
    };
    double mbps[4] = {0, 0, 0, 0};
    printf("%-16s %9s %9s %12s\n", "pipeline", "seconds", "MB/s", "tokens");
    for (size_t v = 0; v < 4; v++) {
        if (only != NULL && strcmp(only, variants[v].name) != 0)
            continue;
        double best = 1e9;
        unsigned long tokens = 0;
        unsigned long long sum = 0;
        for (int r = 0; r < reps; r++) {
            double s = now();
            sum += variants[v].stemmer < 0
                       ? run_fts5(&c, &tokens)
                       : run_khabar(&c, (kh_stemmer_kind)variants[v].stemmer,
                                    &tokens);
            double e = now() - s;
            if (e < best)
                best = e;
        }
        mbps[v] = (double)c.len / 1e6 / best;
        printf("%-16s %9.3f %9.1f %12lu   (checksum %llu)\n", variants[v].name,
               best, mbps[v], tokens, sum % 1000);
    }
    if (mbps[3] > 0) {
        printf("\n");
        for (size_t v = 0; v < 3; v++)
            if (mbps[v] > 0)
                printf("%s / fts5-unicode61 = %.2fx\n", variants[v].name,
                       mbps[v] / mbps[3]);
    }
    free(c.text);
    free(c.offsets);
    return 0;
}
