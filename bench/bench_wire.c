/*
 * bench_wire.c -- the wire-copy detector (src/story/wire.c) on a corpus:
 * its time, its memory and the pairs and groups it finds.
 *
 *   build/bench/bench_wire [CORPUS.jsonl(.gz)] [--x8] [--out DIR]
 *
 * Loads every article (id, source, body) into a fresh docs.db in a
 * temporary directory (untimed), then times kh__wire_add() for every
 * article in corpus order inside one transaction, and the commit: the
 * work ingest adds for each article.  Writes DIR/pairs.tsv (id_a, id_b,
 * J) and DIR/groups.tsv (group, id) for bench/eval_wire.py, and prints
 * the largest groups with their sources (DIR default bench/out/wire).
 *
 * --x8 makes a corpus 8 times larger with the same structure: pass k
 * rewrites every Arabic consonant k places along a list of 22 letters
 * that normalization leaves alone, so each pass is a text in a "language"
 * of its own with exactly the copies of the original and none across
 * passes (numbers and Latin words aside).  That measures how the time
 * grows with the number of articles, not with more copies.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "story/story.h"

typedef struct art {
    char *id, *source, *body;
} art;

static double
clock_secs(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now(void)
{
    return clock_secs(CLOCK_MONOTONIC);
}

static int
load(const char *path, art **out, size_t *n)
{
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL)
        return -1;
    size_t cap = 0;
    char line[1 << 20];
    char *big = NULL;
    size_t big_len = 0;
    *out = NULL;
    *n = 0;
    while (gzgets(gz, line, sizeof line) != NULL) {
        size_t l = strlen(line);
        char *nb = realloc(big, big_len + l + 1);
        if (nb == NULL)
            return -1;
        big = nb;
        memcpy(big + big_len, line, l + 1);
        big_len += l;
        if (l == 0 || line[l - 1] != '\n')
            continue; /* a line longer than the buffer */
        json_error_t jerr;
        json_t *j = json_loads(big, 0, &jerr);
        big_len = 0;
        if (j == NULL)
            continue;
        const char *id = json_string_value(json_object_get(j, "id"));
        const char *src = json_string_value(json_object_get(j, "source"));
        const char *body = json_string_value(json_object_get(j, "body"));
        if (id != NULL) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 4096;
                art *na = realloc(*out, cap * sizeof *na);
                if (na == NULL)
                    return -1;
                *out = na;
            }
            art *a = &(*out)[(*n)++];
            a->id = strdup(id);
            a->source = strdup(src != NULL ? src : "");
            a->body = strdup(body != NULL ? body : "");
        }
        json_decref(j);
    }
    free(big);
    gzclose(gz);
    return 0;
}

/* Consonants the analyzer's normalization does not touch (U+0628..U+064A
 * minus alef, ta marbuta, ha, waw, ya and the hamza forms). */
static const unsigned short consonants[] = {
    0x628, 0x62A, 0x62B, 0x62C, 0x62D, 0x62E, 0x62F, 0x630,
    0x631, 0x632, 0x633, 0x634, 0x635, 0x636, 0x637, 0x638,
    0x639, 0x63A, 0x641, 0x642, 0x643, 0x645};
#define N_CONS (sizeof consonants / sizeof consonants[0])

/* s rewritten in place: each listed consonant moves k places along the
 * list (all are two UTF-8 bytes, so the length stays). */
static void
shift(char *s, unsigned k)
{
    for (unsigned char *p = (unsigned char *)s; p[0] && p[1]; p++) {
        if ((p[0] & 0xE0) != 0xC0 || (p[1] & 0xC0) != 0x80)
            continue;
        unsigned cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
        for (size_t i = 0; i < N_CONS; i++)
            if (consonants[i] == cp) {
                unsigned c = consonants[(i + k) % N_CONS];
                p[0] = (unsigned char)(0xC0 | (c >> 6));
                p[1] = (unsigned char)(0x80 | (c & 0x3F));
                break;
            }
        p++;
    }
}

static void
die(const char *what, sqlite3 *db)
{
    fprintf(stderr, "bench_wire: %s: %s\n", what,
            db != NULL ? sqlite3_errmsg(db) : "failed");
    exit(1);
}

static int
by_size(const void *a, const void *b)
{
    const sqlite3_int64 *x = a, *y = b;
    return (x[1] < y[1]) - (x[1] > y[1]);
}

int
main(int argc, char **argv)
{
    const char *corpus = "../shared/data/saudinewsnet/articles.jsonl.gz";
    const char *out = "bench/out/wire";
    int x8 = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--x8") == 0)
            x8 = 1;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else
            corpus = argv[i];
    }
    art *arts;
    size_t n;
    if (load(corpus, &arts, &n) != 0 || n == 0) {
        fprintf(stderr, "bench_wire: cannot read %s\n", corpus);
        return 1;
    }
    unsigned passes = x8 ? 8 : 1;
    char dir[] = "/tmp/bench_wire_XXXXXX";
    if (mkdtemp(dir) == NULL)
        die("mkdtemp", NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/docs.db", dir);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("open", db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (sqlite3_exec(db,
                     "CREATE TABLE docs(docid INTEGER PRIMARY KEY, key TEXT,"
                     " source TEXT, body TEXT, date INTEGER);"
                     "BEGIN",
                     NULL, NULL, NULL) != SQLITE_OK)
        die("schema", db);
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, "INSERT INTO docs VALUES(?1,?2,?3,?4,NULL)", -1,
                           &ins, NULL) != SQLITE_OK)
        die("prepare", db);
    size_t total = n * passes;
    char **bodies = malloc(total * sizeof *bodies);
    for (unsigned k = 0; k < passes; k++)
        for (size_t i = 0; i < n; i++) {
            size_t d = k * n + i;
            bodies[d] = strdup(arts[i].body);
            shift(bodies[d], k);
            char key[300];
            snprintf(key, sizeof key, k ? "%s-%u" : "%s", arts[i].id, k);
            sqlite3_bind_int64(ins, 1, (sqlite3_int64)d + 1);
            sqlite3_bind_text(ins, 2, key, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 3, arts[i].source, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 4, bodies[d], -1, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE)
                die("insert", db);
            sqlite3_reset(ins);
        }
    sqlite3_finalize(ins);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die("commit", db);

    kh_wire *w;
    kh_error err;
    if (kh__wire_open(db, false, &w, &err) != KH_OK) {
        fprintf(stderr, "bench_wire: %s\n", err.message);
        return 1;
    }
    kh_u32vec set = {NULL, 0, 0};
    double t0 = now(), t_half = 0;
    double cpu0 = clock_secs(CLOCK_PROCESS_CPUTIME_ID);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    size_t grouped = 0;
    for (size_t d = 0; d < total; d++) {
        uint64_t g;
        if (kh__shingles(bodies[d], &set) != KH_OK ||
            kh__wire_add(w, d + 1, &set, &g) != KH_OK)
            die("kh__wire_add", db);
        grouped += g != 0;
        if (d + 1 == total / 8)
            t_half = now() - t0;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die("commit", db);
    double secs = now() - t0;
    double cpu = clock_secs(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    uint64_t checks, fetched;
    size_t kept;
    size_t mem = kh__wire_memory(w, &kept, &checks, &fetched);
    kh__wire_close(w);
    kh__u32vec_release(&set);

    printf("articles            %zu%s\n", total, x8 ? " (x8)" : "");
    printf("time                %.3f s (%.1f us an article), commit "
           "included\n",
           secs, secs * 1e6 / (double)total);
    printf("cpu time            %.3f s (on a busy machine the wall time "
           "waits)\n",
           cpu);
    printf("first eighth        %.3f s (%.1f us an article)\n", t_half,
           t_half * 1e6 / (double)(total / 8));
    printf("band table          %.1f MB\n", (double)mem / 1e6);
    printf("recent sets, sizes  %.1f MB\n", (double)kept / 1e6);
    printf("candidates checked  %llu (%llu read back from docs.db)\n",
           (unsigned long long)checks, (unsigned long long)fetched);

    mkdir(out, 0755);
    char file[512];
    snprintf(file, sizeof file, "%s/pairs%s.tsv", out, x8 ? "-x8" : "");
    FILE *pf = fopen(file, "w");
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       "SELECT a.key, b.key, p.sim FROM wire_pairs p"
                       " JOIN docs a ON a.docid=p.a JOIN docs b ON b.docid=p.b",
                       -1, &st, NULL);
    size_t n_pairs = 0;
    while (pf != NULL && sqlite3_step(st) == SQLITE_ROW) {
        fprintf(pf, "%s\t%s\t%.6f\n", sqlite3_column_text(st, 0),
                sqlite3_column_text(st, 1), sqlite3_column_double(st, 2));
        n_pairs++;
    }
    sqlite3_finalize(st);
    if (pf != NULL)
        fclose(pf);
    snprintf(file, sizeof file, "%s/groups%s.tsv", out, x8 ? "-x8" : "");
    FILE *gf = fopen(file, "w");
    sqlite3_prepare_v2(db,
                       "SELECT w.grp, d.key FROM wire w JOIN docs d"
                       " ON d.docid=w.docid",
                       -1, &st, NULL);
    while (gf != NULL && sqlite3_step(st) == SQLITE_ROW)
        fprintf(gf, "%lld\t%s\n", sqlite3_column_int64(st, 0),
                sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    if (gf != NULL)
        fclose(gf);
    printf("copy pairs          %zu (written to %s/pairs%s.tsv)\n", n_pairs,
           out, x8 ? "-x8" : "");
    printf("articles grouped    %zu as copies of an earlier one\n", grouped);

    /* The largest groups and their sources. */
    sqlite3_prepare_v2(db,
                       "SELECT grp, count(*) FROM wire GROUP BY grp"
                       " ORDER BY 2 DESC, 1 LIMIT 10",
                       -1, &st, NULL);
    sqlite3_int64 top[10][2];
    size_t n_top = 0, n_groups = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n_top < 10) {
        top[n_top][0] = sqlite3_column_int64(st, 0);
        top[n_top][1] = sqlite3_column_int64(st, 1);
        n_top++;
    }
    sqlite3_finalize(st);
    sqlite3_prepare_v2(db, "SELECT count(DISTINCT grp) FROM wire", -1, &st,
                       NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        n_groups = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    printf("wire groups         %zu\n", n_groups);
    qsort(top, n_top, sizeof top[0], by_size);
    sqlite3_prepare_v2(db,
                       "SELECT d.source, count(*) FROM wire w JOIN docs d"
                       " ON d.docid=w.docid WHERE w.grp=?1 GROUP BY 1"
                       " ORDER BY 2 DESC, 1",
                       -1, &st, NULL);
    for (size_t i = 0; i < n_top; i++) {
        printf("  %2lld articles, first %s:", top[i][1],
               arts[(top[i][0] - 1) % (sqlite3_int64)n].id);
        sqlite3_bind_int64(st, 1, top[i][0]);
        while (sqlite3_step(st) == SQLITE_ROW)
            printf(" %s %lld", sqlite3_column_text(st, 0),
                   sqlite3_column_int64(st, 1));
        sqlite3_reset(st);
        printf("\n");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    snprintf(file, sizeof file, "rm -rf %s", dir);
    if (system(file) != 0)
        fprintf(stderr, "bench_wire: could not remove %s\n", dir);
    return 0;
}
