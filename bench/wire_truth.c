/*
 * wire_truth.c -- ground truth for near-duplicate ("wire copy") detection:
 * the exact Jaccard similarity of word-5-gram shingle sets for every pair
 * of articles that shares at least one shingle.
 *
 *   build/bench/wire_truth [--check N] [CORPUS.jsonl(.gz)] [OUT.tsv]
 *
 * Only the body is read: copies of one agency story often carry a new
 * headline, and the headline would otherwise make them look different.
 * Words are Khabar's analyzer tokens, normalized but not stemmed, with stop
 * words kept (a stop word changed or dropped is an edit, and stop words
 * carry most of the word order of a sentence).  Each 5-gram of normalized
 * forms is hashed to 64 bits; SaudiNewsNet has 6.8 million distinct
 * shingles, so the expected number of colliding pairs is n^2 / 2^65, about
 * 1e-6, and one collision would move one pair's J by one shingle.
 *
 * --check N brute-forces N articles, spread over the corpus, against every
 * other article and compares with the counted pairs (a test of this
 * program, not part of the truth).
 *
 * Pairs that share no shingle have J = 0, so it suffices to visit pairs
 * that meet in some posting list.  The pairs are counted one article at a
 * time: for article a, every posting list of its shingles is walked past a
 * and co-occurrences are counted in a dense per-article counter, which is
 * then reset.  This is exact, costs the sum of squared posting-list
 * lengths in time (boilerplate sentences shared by thousands of articles
 * are the expensive part) and only O(articles) extra memory, whereas a
 * table of all co-occurring pairs would grow with the square of the
 * boilerplate.
 *
 * Output: every pair with J >= 0.5 as "id_a<TAB>id_b<TAB>jaccard", id_a <
 * id_b, sorted.  J is printed rounded down to 6 decimals, so a comparison
 * against any threshold with at most 6 decimals (0.8, 0.5) gives the same
 * answer as the exact fraction.  A summary goes to stderr.
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "khabar/khabar.h"

#define SHINGLE_WORDS 5
#define TOP_GROUPS    10

typedef struct article {
    char *id;
    char *title;
    uint32_t source;     /* index into the source names */
    uint32_t n_shingles; /* distinct shingles of the body */
} article;

typedef struct entry {
    uint64_t hash; /* the shingle */
    uint32_t doc;  /* the article that has it */
} entry;

typedef struct pair {
    uint32_t a, b;
    uint32_t inter, uni; /* |A n B| and |A u B| */
} pair;

typedef struct corpus {
    article *docs;
    size_t n_docs, cap_docs;
    char **sources;
    size_t n_sources;
    entry *entries; /* (shingle, article), one per distinct shingle */
    size_t n_entries, cap_entries;
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
    fprintf(stderr, "wire_truth: %s\n", msg);
    exit(1);
}

static void *
xrealloc(void *p, size_t size)
{
    p = realloc(p, size == 0 ? 1 : size);
    if (p == NULL)
        die("out of memory");
    return p;
}

static char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xrealloc(NULL, n);
    memcpy(d, s, n);
    return d;
}

static uint64_t
mix64(uint64_t x)
{
    /* splitmix64's finalizer: FNV alone leaves the high bits of short
     * inputs poorly mixed, and the sequential combination below needs
     * every input bit to reach every output bit. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t
hash_word(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h ^ len);
}

/* Reads one whole line however long; returns its length, or -1 at EOF. */
static long
read_line(gzFile f, char **buf, size_t *cap)
{
    size_t len = 0;
    for (;;) {
        if (*cap - len < 2) {
            *cap = *cap == 0 ? 1 << 16 : *cap * 2;
            *buf = xrealloc(*buf, *cap);
        }
        if (gzgets(f, *buf + len, (int)(*cap - len)) == NULL)
            return len == 0 ? -1 : (long)len;
        len += strlen(*buf + len);
        if (len > 0 && (*buf)[len - 1] == '\n')
            return (long)len;
    }
}

static uint32_t
intern_source(corpus *c, const char *name)
{
    for (size_t i = 0; i < c->n_sources; i++)
        if (strcmp(c->sources[i], name) == 0)
            return (uint32_t)i;
    c->sources = xrealloc(c->sources, (c->n_sources + 1) * sizeof(char *));
    c->sources[c->n_sources] = xstrdup(name);
    return (uint32_t)c->n_sources++;
}

static int
cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static int
cmp_entry(const void *x, const void *y)
{
    const entry *a = x, *b = y;
    if (a->hash != b->hash)
        return (a->hash > b->hash) - (a->hash < b->hash);
    return (a->doc > b->doc) - (a->doc < b->doc);
}

/* Appends the distinct shingles of one body to c->entries. */
static uint32_t
shingle_body(corpus *c, kh_analyzer *an, const char *body, size_t len,
             uint32_t doc, uint64_t **scratch, size_t *cap_scratch)
{
    uint64_t window[SHINGLE_WORDS];
    size_t n_words = 0, n = 0;
    kh_token t;
    kh_analyzer_reset(an, body, len);
    while (kh_analyzer_next(an, &t)) {
        window[n_words % SHINGLE_WORDS] = hash_word(t.norm, t.norm_len);
        n_words++;
        if (n_words < SHINGLE_WORDS)
            continue;
        uint64_t h = 0x9e3779b97f4a7c15ULL;
        for (size_t k = n_words - SHINGLE_WORDS; k < n_words; k++)
            h = mix64(h + window[k % SHINGLE_WORDS]);
        if (n == *cap_scratch) {
            *cap_scratch = *cap_scratch == 0 ? 1024 : *cap_scratch * 2;
            *scratch = xrealloc(*scratch, *cap_scratch * sizeof(uint64_t));
        }
        (*scratch)[n++] = h;
    }
    qsort(*scratch, n, sizeof(uint64_t), cmp_u64);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || (*scratch)[i] != (*scratch)[i - 1])
            (*scratch)[distinct++] = (*scratch)[i];
    if (c->n_entries + distinct > c->cap_entries) {
        while (c->n_entries + distinct > c->cap_entries)
            c->cap_entries = c->cap_entries == 0 ? 1 << 20 : c->cap_entries * 2;
        c->entries = xrealloc(c->entries, c->cap_entries * sizeof(entry));
    }
    for (size_t i = 0; i < distinct; i++) {
        c->entries[c->n_entries].hash = (*scratch)[i];
        c->entries[c->n_entries].doc = doc;
        c->n_entries++;
    }
    return (uint32_t)distinct;
}

static void
load(const char *path, corpus *c)
{
    gzFile f = gzopen(path, "rb");
    if (f == NULL)
        die("cannot open the corpus");
    kh_analyzer_options opts = {KH_STEMMER_NONE, 0}; /* keep stop words */
    kh_analyzer *an;
    if (kh_analyzer_new(&opts, &an) != KH_OK)
        die("cannot create the analyzer");
    char *line = NULL;
    size_t cap_line = 0, cap_scratch = 0;
    uint64_t *scratch = NULL;
    long len;
    size_t lineno = 0;
    while ((len = read_line(f, &line, &cap_line)) >= 0) {
        lineno++;
        json_error_t jerr;
        json_t *doc = json_loadb(line, (size_t)len, 0, &jerr);
        if (doc == NULL) {
            fprintf(stderr, "wire_truth: line %zu: %s, skipped\n", lineno,
                    jerr.text);
            continue;
        }
        const char *id = json_string_value(json_object_get(doc, "id"));
        const char *source = json_string_value(json_object_get(doc, "source"));
        const char *title = json_string_value(json_object_get(doc, "title"));
        json_t *body = json_object_get(doc, "body");
        if (id == NULL) {
            fprintf(stderr, "wire_truth: line %zu: no id, skipped\n", lineno);
            json_decref(doc);
            continue;
        }
        if (c->n_docs == c->cap_docs) {
            c->cap_docs = c->cap_docs == 0 ? 1024 : c->cap_docs * 2;
            c->docs = xrealloc(c->docs, c->cap_docs * sizeof(article));
        }
        article *a = &c->docs[c->n_docs];
        a->id = xstrdup(id);
        a->title = xstrdup(title != NULL ? title : "");
        a->source = intern_source(c, source != NULL ? source : "?");
        a->n_shingles = 0;
        if (json_is_string(body))
            a->n_shingles = shingle_body(
                c, an, json_string_value(body), json_string_length(body),
                (uint32_t)c->n_docs, &scratch, &cap_scratch);
        c->n_docs++;
        json_decref(doc);
    }
    free(scratch);
    free(line);
    kh_analyzer_free(an);
    gzclose(f);
}

/* Posting lists of the shingles that at least two articles share; a
 * shingle of one article only adds to |A u B| and never to |A n B|, which
 * n_shingles already accounts for. */
typedef struct postings {
    size_t *start;     /* list s is docs[start[s] .. start[s + 1]) */
    uint32_t *docs;    /* ascending within a list */
    size_t n_lists;    /* shared shingles */
    size_t n_distinct; /* distinct shingles, shared or not */
    size_t *by_doc;    /* article a's shared shingles are */
    uint32_t *lists;   /*   lists[by_doc[a] .. by_doc[a + 1]) */
    size_t max_len;    /* longest list, the most common shingle */
    double sum_sq;     /* sum of squared list lengths, the cost */
} postings;

static void
build_postings(const corpus *c, postings *p)
{
    memset(p, 0, sizeof *p);
    size_t n_shared = 0;
    for (size_t i = 0, j; i < c->n_entries; i = j) {
        for (j = i + 1; j < c->n_entries; j++)
            if (c->entries[j].hash != c->entries[i].hash)
                break;
        p->n_distinct++;
        if (j - i >= 2) {
            p->n_lists++;
            n_shared += j - i;
        }
    }
    p->start = xrealloc(NULL, (p->n_lists + 1) * sizeof(size_t));
    p->docs = xrealloc(NULL, n_shared * sizeof(uint32_t));
    p->by_doc = xrealloc(NULL, (c->n_docs + 1) * sizeof(size_t));
    p->lists = xrealloc(NULL, n_shared * sizeof(uint32_t));
    memset(p->by_doc, 0, (c->n_docs + 1) * sizeof(size_t));
    size_t s = 0, k = 0;
    for (size_t i = 0, j; i < c->n_entries; i = j) {
        for (j = i + 1; j < c->n_entries; j++)
            if (c->entries[j].hash != c->entries[i].hash)
                break;
        if (j - i < 2)
            continue;
        p->start[s] = k;
        for (size_t e = i; e < j; e++) {
            p->docs[k++] = c->entries[e].doc;
            p->by_doc[c->entries[e].doc + 1]++;
        }
        if (j - i > p->max_len)
            p->max_len = j - i;
        p->sum_sq += (double)(j - i) * (double)(j - i);
        s++;
    }
    p->start[s] = k;
    for (size_t a = 0; a < c->n_docs; a++)
        p->by_doc[a + 1] += p->by_doc[a];
    size_t *fill = xrealloc(NULL, c->n_docs * sizeof(size_t));
    memcpy(fill, p->by_doc, c->n_docs * sizeof(size_t));
    for (size_t l = 0; l < p->n_lists; l++)
        for (size_t e = p->start[l]; e < p->start[l + 1]; e++)
            p->lists[fill[p->docs[e]]++] = (uint32_t)l;
    free(fill);
}

/* First position in docs[lo..hi) holding a value > a. */
static size_t
upper_bound(const uint32_t *docs, size_t lo, size_t hi, uint32_t a)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (docs[mid] <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct counts {
    uint64_t candidates; /* pairs sharing at least one shingle */
    uint64_t copies;     /* J >= 0.8 */
    uint64_t near;       /* 0.5 <= J < 0.8 */
    uint64_t steps;      /* counter increments */
} counts;

static pair *
all_pairs(const corpus *c, const postings *p, size_t *n_out, counts *k,
          uint32_t *degree)
{
    uint32_t *cnt = xrealloc(NULL, c->n_docs * sizeof(uint32_t));
    uint32_t *touched = xrealloc(NULL, c->n_docs * sizeof(uint32_t));
    memset(cnt, 0, c->n_docs * sizeof(uint32_t));
    memset(k, 0, sizeof *k);
    pair *out = NULL;
    size_t n = 0, cap = 0;
    for (uint32_t a = 0; a < c->n_docs; a++) {
        size_t n_touched = 0;
        for (size_t i = p->by_doc[a]; i < p->by_doc[a + 1]; i++) {
            uint32_t l = p->lists[i];
            size_t e = upper_bound(p->docs, p->start[l], p->start[l + 1], a);
            k->steps += p->start[l + 1] - e;
            for (; e < p->start[l + 1]; e++) {
                uint32_t b = p->docs[e];
                if (cnt[b]++ == 0)
                    touched[n_touched++] = b;
            }
        }
        for (size_t t = 0; t < n_touched; t++) {
            uint32_t b = touched[t];
            uint32_t inter = cnt[b];
            uint32_t uni =
                c->docs[a].n_shingles + c->docs[b].n_shingles - inter;
            cnt[b] = 0;
            k->candidates++;
            degree[a]++;
            degree[b]++;
            /* integer tests: no rounding can move a pair across 0.8 */
            if ((uint64_t)inter * 5 >= (uint64_t)uni * 4)
                k->copies++;
            else if ((uint64_t)inter * 2 >= uni)
                k->near++;
            else
                continue;
            if (n == cap) {
                cap = cap == 0 ? 4096 : cap * 2;
                out = xrealloc(out, cap * sizeof(pair));
            }
            out[n++] = (pair){a, b, inter, uni};
        }
    }
    free(cnt);
    free(touched);
    *n_out = n;
    return out;
}

/* Number of hashes two ascending arrays have in common. */
static uint32_t
merge_count(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny)
{
    size_t i = 0, j = 0;
    uint32_t n = 0;
    while (i < nx && j < ny) {
        if (x[i] < y[j]) {
            i++;
        } else if (x[i] > y[j]) {
            j++;
        } else {
            n++;
            i++;
            j++;
        }
    }
    return n;
}

/* Brute force for n_check articles spread over the corpus: each against
 * every other article by merging the two shingle sets, which shares no
 * code with the posting-list counting.  Every candidate (J > 0) must have
 * been counted and every pair with J >= 0.5 must be in the output with
 * the same intersection and union.  Returns the number of mismatches. */
static size_t
check_pairs(const corpus *c, const uint64_t *hashes, const size_t *offset,
            const uint32_t *degree, const pair *pairs, size_t n_pairs,
            size_t n_check)
{
    size_t bad = 0, checked_pairs = 0;
    if (n_check > c->n_docs)
        n_check = c->n_docs;
    for (size_t i = 0; i < n_check; i++) {
        uint32_t a = (uint32_t)(i * c->n_docs / n_check);
        uint32_t candidates = 0;
        size_t listed = 0, expected = 0;
        for (uint32_t b = 0; b < c->n_docs; b++) {
            if (b == a)
                continue;
            uint32_t inter =
                merge_count(hashes + offset[a], c->docs[a].n_shingles,
                            hashes + offset[b], c->docs[b].n_shingles);
            if (inter == 0)
                continue;
            candidates++;
            uint32_t uni =
                c->docs[a].n_shingles + c->docs[b].n_shingles - inter;
            if ((uint64_t)inter * 2 < uni)
                continue;
            expected++;
            size_t e = 0;
            while (e < n_pairs && !((pairs[e].a == a && pairs[e].b == b) ||
                                    (pairs[e].a == b && pairs[e].b == a)))
                e++;
            if (e == n_pairs || pairs[e].inter != inter ||
                pairs[e].uni != uni) {
                fprintf(stderr, "check: %s %s: J = %u/%u not in the output\n",
                        c->docs[a].id, c->docs[b].id, inter, uni);
                bad++;
            }
        }
        for (size_t e = 0; e < n_pairs; e++)
            listed += pairs[e].a == a || pairs[e].b == a;
        if (candidates != degree[a]) {
            fprintf(stderr, "check: %s: %u candidates, counted %u\n",
                    c->docs[a].id, candidates, degree[a]);
            bad++;
        }
        if (listed != expected) {
            fprintf(stderr, "check: %s: %zu pairs in the output, %zu true\n",
                    c->docs[a].id, listed, expected);
            bad++;
        }
        checked_pairs += expected;
    }
    fprintf(stderr,
            "check: %zu articles brute-forced against all %zu others "
            "(%zu pairs with J >= 0.5 among them): %zu mismatches\n",
            n_check, c->n_docs - 1, checked_pairs, bad);
    return bad;
}

static const corpus *sort_corpus; /* for qsort's comparators */

static int
cmp_pair_ids(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    int r = strcmp(sort_corpus->docs[a->a].id, sort_corpus->docs[b->a].id);
    if (r != 0)
        return r;
    return strcmp(sort_corpus->docs[a->b].id, sort_corpus->docs[b->b].id);
}

static void
make_parent_dirs(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s != '\0'; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            die("cannot create the output directory");
        *s = '/';
    }
    free(p);
}

static void
write_pairs(const corpus *c, pair *pairs, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c->docs[pairs[i].a].id, c->docs[pairs[i].b].id) > 0) {
            uint32_t t = pairs[i].a;
            pairs[i].a = pairs[i].b;
            pairs[i].b = t;
        }
    sort_corpus = c;
    qsort(pairs, n, sizeof(pair), cmp_pair_ids);
    make_parent_dirs(path);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        die("cannot write the output");
    for (size_t i = 0; i < n; i++) {
        /* rounded down, so that "J >= 0.8" reads the same in the file */
        uint64_t micro = (uint64_t)pairs[i].inter * 1000000u / pairs[i].uni;
        fprintf(f, "%s\t%s\t%llu.%06llu\n", c->docs[pairs[i].a].id,
                c->docs[pairs[i].b].id, (unsigned long long)(micro / 1000000u),
                (unsigned long long)(micro % 1000000u));
    }
    if (fclose(f) != 0)
        die("cannot write the output");
}

static uint32_t
find_root(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

typedef struct group {
    uint32_t root;
    uint32_t size;
} group;

static int
cmp_group(const void *x, const void *y)
{
    const group *a = x, *b = y;
    if (a->size != b->size)
        return (a->size < b->size) - (a->size > b->size);
    return (a->root > b->root) - (a->root < b->root);
}

typedef struct source_count {
    uint32_t source;
    uint32_t n;
} source_count;

static int
cmp_source_count(const void *x, const void *y)
{
    const source_count *a = x, *b = y;
    if (a->n != b->n)
        return (a->n < b->n) - (a->n > b->n);
    return strcmp(sort_corpus->sources[a->source],
                  sort_corpus->sources[b->source]);
}

/* Connected components of the J >= 0.8 graph: the wire groups. */
static void
report_groups(const corpus *c, const pair *pairs, size_t n_pairs)
{
    uint32_t *parent = xrealloc(NULL, c->n_docs * sizeof(uint32_t));
    uint32_t *size = xrealloc(NULL, c->n_docs * sizeof(uint32_t));
    for (uint32_t i = 0; i < c->n_docs; i++) {
        parent[i] = i;
        size[i] = 0;
    }
    for (size_t i = 0; i < n_pairs; i++) {
        if ((uint64_t)pairs[i].inter * 5 < (uint64_t)pairs[i].uni * 4)
            continue;
        uint32_t x = find_root(parent, pairs[i].a);
        uint32_t y = find_root(parent, pairs[i].b);
        if (x != y)
            parent[x > y ? x : y] = x > y ? y : x;
    }
    for (uint32_t i = 0; i < c->n_docs; i++)
        size[find_root(parent, i)]++;
    group *groups = NULL;
    size_t n_groups = 0, in_groups = 0, hist[4] = {0, 0, 0, 0};
    for (uint32_t i = 0; i < c->n_docs; i++) {
        if (parent[i] != i || size[i] < 2)
            continue;
        groups = xrealloc(groups, (n_groups + 1) * sizeof(group));
        groups[n_groups++] = (group){i, size[i]};
        in_groups += size[i];
        hist[size[i] == 2 ? 0 : size[i] <= 5 ? 1 : size[i] <= 10 ? 2 : 3]++;
    }
    qsort(groups, n_groups, sizeof(group), cmp_group);
    fprintf(stderr,
            "wire groups (components of the J >= 0.8 graph, size >= 2): "
            "%zu, holding %zu articles\n"
            "  sizes: 2: %zu, 3-5: %zu, 6-10: %zu, >10: %zu\n",
            n_groups, in_groups, hist[0], hist[1], hist[2], hist[3]);
    source_count *sc = xrealloc(NULL, c->n_sources * sizeof(source_count));
    sort_corpus = c;
    for (size_t g = 0; g < n_groups && g < TOP_GROUPS; g++) {
        size_t n_sc = 0;
        const article *first = NULL;
        for (uint32_t i = 0; i < c->n_docs; i++) {
            if (find_root(parent, i) != groups[g].root)
                continue;
            if (first == NULL)
                first = &c->docs[i];
            size_t s = 0;
            while (s < n_sc && sc[s].source != c->docs[i].source)
                s++;
            if (s == n_sc)
                sc[n_sc++] = (source_count){c->docs[i].source, 0};
            sc[s].n++;
        }
        qsort(sc, n_sc, sizeof(source_count), cmp_source_count);
        fprintf(stderr, "  #%zu: %u articles, %zu sources:", g + 1,
                groups[g].size, n_sc);
        for (size_t s = 0; s < n_sc; s++)
            fprintf(stderr, " %s(%u)", c->sources[sc[s].source], sc[s].n);
        fprintf(stderr, "\n      first %s: %s\n", first->id, first->title);
    }
    free(sc);
    free(groups);
    free(size);
    free(parent);
}

int
main(int argc, char **argv)
{
    const char *in = "../shared/data/saudinewsnet/articles.jsonl.gz";
    const char *out = "bench/out/wire/truth.tsv";
    size_t n_check = 0, n_args = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0 && i + 1 < argc) {
            n_check = strtoul(argv[++i], NULL, 10);
        } else if (argv[i][0] != '-' && n_args < 2) {
            if (n_args++ == 0)
                in = argv[i];
            else
                out = argv[i];
        } else {
            fprintf(stderr, "usage: wire_truth [--check N] "
                            "[CORPUS.jsonl(.gz)] [OUT.tsv]\n");
            return 2;
        }
    }

    corpus c;
    memset(&c, 0, sizeof c);
    double t0 = now();
    load(in, &c);
    double t_load = now();
    /* --check keeps each article's own sorted shingles, which the sort
     * below scatters. */
    uint64_t *hashes = NULL;
    size_t *offset = NULL;
    if (n_check > 0) {
        hashes = xrealloc(NULL, c.n_entries * sizeof(uint64_t));
        offset = xrealloc(NULL, (c.n_docs + 1) * sizeof(size_t));
        for (size_t e = 0; e < c.n_entries; e++)
            hashes[e] = c.entries[e].hash;
        offset[0] = 0;
        for (size_t i = 0; i < c.n_docs; i++)
            offset[i + 1] = offset[i] + c.docs[i].n_shingles;
    }
    qsort(c.entries, c.n_entries, sizeof(entry), cmp_entry);
    postings p;
    build_postings(&c, &p);
    double t_index = now();
    size_t n_pairs;
    counts k;
    uint32_t *degree = xrealloc(NULL, c.n_docs * sizeof(uint32_t));
    memset(degree, 0, c.n_docs * sizeof(uint32_t));
    pair *pairs = all_pairs(&c, &p, &n_pairs, &k, degree);
    double t_pairs = now();

    size_t with_shingles = 0;
    for (size_t i = 0; i < c.n_docs; i++)
        with_shingles += c.docs[i].n_shingles > 0;
    fprintf(stderr,
            "corpus: %s\n"
            "articles: %zu, with shingles (>= %d words): %zu\n"
            "shingles: %zu (article, shingle) entries, %zu distinct, %zu "
            "shared by >= 2 articles, the most common in %zu articles\n"
            "pairs sharing >= 1 shingle: %llu (counter steps: %llu)\n"
            "pairs J >= 0.8: %llu\n"
            "pairs 0.5 <= J < 0.8: %llu\n",
            in, c.n_docs, SHINGLE_WORDS, with_shingles, c.n_entries,
            p.n_distinct, p.n_lists, p.max_len,
            (unsigned long long)k.candidates, (unsigned long long)k.steps,
            (unsigned long long)k.copies, (unsigned long long)k.near);
    report_groups(&c, pairs, n_pairs);
    write_pairs(&c, pairs, n_pairs, out);
    double t_end = now();
    size_t bad = 0;
    if (n_check > 0)
        bad = check_pairs(&c, hashes, offset, degree, pairs, n_pairs, n_check);
    fprintf(stderr,
            "wrote %zu pairs (J >= 0.5) to %s\n"
            "time: %.1f s (read + tokenize + shingle %.1f s, index %.1f s, "
            "pairs %.1f s, report + write %.1f s)\n",
            n_pairs, out, t_end - t0, t_load - t0, t_index - t_load,
            t_pairs - t_index, t_end - t_pairs);

    free(hashes);
    free(offset);
    free(degree);
    free(pairs);
    free(p.start);
    free(p.docs);
    free(p.by_doc);
    free(p.lists);
    free(c.entries);
    for (size_t i = 0; i < c.n_docs; i++) {
        free(c.docs[i].id);
        free(c.docs[i].title);
    }
    free(c.docs);
    for (size_t i = 0; i < c.n_sources; i++)
        free(c.sources[i]);
    free(c.sources);
    return bad == 0 ? 0 : 1;
}
