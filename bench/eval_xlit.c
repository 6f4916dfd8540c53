/*
 * eval_xlit.c -- names across scripts: training the letter-group model and
 * measuring it (src/extract/xlit*).
 *
 *   eval_xlit train FILE.tsv [-holdout] [-iters N] [-c OUT.c] [-tsv OUT.tsv]
 *       learns the model from FILE (latin TAB arabic letters TAB count);
 *       -holdout leaves out every fifth line (the held-out part of train)
 *   eval_xlit eval FILE.tsv [-holdout] [-model TSV] [-k N] [-lambda X]
 *                  [-bonus AR LAT] [-show N] [-dirs 1|2|3]
 *       for each Latin name, ranks all distinct Arabic names of the set
 *       and reports top-1 and top-5 (and the same from Arabic to Latin);
 *       -holdout: the set is every fifth line of FILE only
 *   eval_xlit cyr CHECK.tsv [DISTRACTORS.tsv]
 *       CHECK: cyrillic TAB latin TAB arabic; ranks the Arabic names of
 *       CHECK (and of DISTRACTORS) for each Cyrillic and Latin name
 *
 * Ranking: the candidates with the nearest keys (the -k best, default
 * 1000, by key edit distance) are scored by kh__xlit_score, minus lambda
 * (default 2) times their key distance.  k, lambda and the letter bonus
 * of kh__xlit_score were chosen on the held-out fifth of train.tsv.
 */
#include "extract/xlit.h"

#include <stdio.h>
#include <string.h>

typedef struct entry {
    kh_xlit_name lat, ar;
    char lat_text[128], ar_text[256];
    char lat_key[KH_XLIT_MAX_LETTERS + 1], ar_key[KH_XLIT_MAX_LETTERS + 1];
    size_t lat_key_n, ar_key_n;
    size_t ar_id; /* index of its Arabic name among the distinct ones */
} entry;

typedef struct set {
    entry *v;
    size_t n, cap;
} set;

static int
set_push(set *s, const entry *e)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        entry *nv = kh_realloc(s->v, cap * sizeof *nv);
        if (nv == NULL)
            return -1;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = *e;
    return 0;
}

/* Reads latin TAB arabic-letters TAB ... lines; mode 0 every line, 1 lines
 * i % 5 != 0 (training part), 2 lines i % 5 == 0 (held-out part).  With
 * three columns of names (the Cyrillic check), cyr receives the first. */
static int
load(const char *path, int mode, set *s, set *cyr)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    char line[1024];
    size_t i = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        size_t idx = i++;
        if ((mode == 1 && idx % 5 == 0) || (mode == 2 && idx % 5 != 0))
            continue;
        char *col[4] = {line, NULL, NULL, NULL};
        for (int c = 1; c < 4; c++) {
            char *t = col[c - 1] != NULL ? strchr(col[c - 1], '\t') : NULL;
            if (t != NULL) {
                *t = '\0';
                col[c] = t + 1;
            }
        }
        for (int c = 0; c < 4; c++)
            if (col[c] != NULL)
                col[c][strcspn(col[c], "\r\n")] = '\0';
        if (col[1] == NULL)
            continue;
        const char *l = col[0], *a = col[1], *c0 = NULL;
        if (cyr != NULL) {
            if (col[2] == NULL)
                continue;
            c0 = col[0], l = col[1], a = col[2];
        }
        entry e;
        memset(&e, 0, sizeof e);
        snprintf(e.lat_text, sizeof e.lat_text, "%.127s", l);
        size_t k = 0;
        for (const char *p = a; *p != '\0' && k + 1 < sizeof e.ar_text; p++)
            if (*p != ' ')
                e.ar_text[k++] = *p;
        e.ar_text[k] = '\0';
        kh__xlit_prepare(e.lat_text, strlen(e.lat_text), &e.lat);
        kh__xlit_prepare(e.ar_text, k, &e.ar);
        if (set_push(s, &e) != 0)
            return -1;
        if (cyr != NULL) {
            entry ec = e;
            snprintf(ec.lat_text, sizeof ec.lat_text, "%.127s", c0);
            kh__xlit_prepare(ec.lat_text, strlen(ec.lat_text), &ec.lat);
            if (set_push(cyr, &ec) != 0)
                return -1;
        }
    }
    fclose(f);
    return 0;
}

static void
fill_keys(set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        entry *e = &s->v[i];
        e->lat_key_n = kh__xlit_key(&e->lat, e->lat_key, sizeof e->lat_key);
        e->ar_key_n = kh__xlit_key(&e->ar, e->ar_key, sizeof e->ar_key);
    }
}

/* A candidate list: the distinct names of one side, with their keys. */
typedef struct cand {
    const kh_xlit_name *nm;
    const char *text;
    const char *key;
    size_t key_n;
} cand;

typedef struct scored {
    size_t id;
    double score;
} scored;

static int
cmp_scored(const void *x, const void *y)
{
    const scored *a = x, *b = y;
    return a->score > b->score ? -1 : a->score < b->score;
}

/* Ranks cands for q; writes the best up to 5 ids into top; returns the
 * count.  *in_short is set when gold (or SIZE_MAX) is among the
 * shortlisted. */
static size_t
rank(const kh_xlit_name *q, const char *qkey, size_t qkey_n, const cand *c,
     size_t nc, size_t k, double lambda, size_t gold, int *in_short,
     size_t top[5], unsigned *dist, scored *work)
{
    size_t hist[KH_XLIT_MAX_LETTERS + 2] = {0};
    for (size_t i = 0; i < nc; i++) {
        unsigned d = kh__xlit_key_distance(qkey, qkey_n, c[i].key, c[i].key_n);
        if (d > KH_XLIT_MAX_LETTERS)
            d = KH_XLIT_MAX_LETTERS;
        dist[i] = d;
        hist[d]++;
    }
    unsigned cut = 0;
    size_t below = 0;
    while (cut <= KH_XLIT_MAX_LETTERS && below + hist[cut] <= k)
        below += hist[cut++];
    /* Candidates with d < cut all go in; those with d == cut fill the
     * rest in order. */
    size_t n = 0, room = k - below;
    *in_short = 0;
    for (size_t i = 0; i < nc; i++) {
        if (dist[i] < cut || (dist[i] == cut && room > 0)) {
            if (dist[i] == cut)
                room--;
            work[n].id = i;
            work[n].score =
                kh__xlit_score(q, c[i].nm) - lambda * (double)dist[i];
            if (i == gold)
                *in_short = 1;
            n++;
        }
    }
    kh__qsort(work, n, sizeof *work, cmp_scored);
    size_t m = n < 5 ? n : 5;
    for (size_t i = 0; i < m; i++)
        top[i] = work[i].id;
    return m;
}

/* Distinct names of one side of s: ids into the returned candidates. */
static cand *
distinct(set *s, int arabic, size_t *nc, size_t *gold)
{
    cand *c = kh_malloc((s->n + 1) * sizeof *c);
    kh_strmap seen;
    kh__strmap_init(&seen);
    *nc = 0;
    for (size_t i = 0; i < s->n; i++) {
        entry *e = &s->v[i];
        const char *t = arabic ? e->ar_text : e->lat_text;
        kh_strmap_entry *m = kh__strmap_upsert(&seen, t, strlen(t));
        if (m->value == 0) {
            c[*nc].nm = arabic ? &e->ar : &e->lat;
            c[*nc].text = t;
            c[*nc].key = arabic ? e->ar_key : e->lat_key;
            c[*nc].key_n = arabic ? e->ar_key_n : e->lat_key_n;
            m->value = ++*nc;
        }
        gold[i] = (size_t)m->value - 1;
    }
    kh__strmap_release(&seen);
    return c;
}

static int
cmd_train(int argc, char **argv)
{
    int mode = 0, iters = 8;
    const char *c_out = NULL, *tsv_out = NULL;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "-holdout") == 0)
            mode = 1;
        else if (strcmp(argv[i], "-iters") == 0 && i + 1 < argc)
            iters = atoi(argv[++i]);
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            c_out = argv[++i];
        else if (strcmp(argv[i], "-tsv") == 0 && i + 1 < argc)
            tsv_out = argv[++i];
    }
    set s = {0};
    if (load(argv[2], mode, &s, NULL) != 0)
        return 1;
    kh_xlit_name *l = kh_malloc(s.n * sizeof *l);
    kh_xlit_name *a = kh_malloc(s.n * sizeof *a);
    for (size_t i = 0; i < s.n; i++) {
        l[i] = s.v[i].lat;
        a[i] = s.v[i].ar;
    }
    double t0 = kh__now();
    kh_status rc = kh__xlit_train(l, a, s.n, iters, c_out, tsv_out);
    printf("trained on %zu pairs, %d iterations, %.1f s: %s\n", s.n, iters,
           kh__now() - t0, kh_strerror(rc));
    kh_free(l);
    kh_free(a);
    kh_free(s.v);
    return rc == KH_OK ? 0 : 1;
}

/* One direction: queries from one side, candidates the other side. */
static void
eval_dir(set *s, int from_arabic, size_t k, double lambda, int show)
{
    size_t nc, *gold = kh_malloc(s->n * sizeof *gold);
    cand *c = distinct(s, !from_arabic, &nc, gold);
    unsigned *dist = kh_malloc((nc + 1) * sizeof *dist);
    scored *work = kh_malloc((nc + 1) * sizeof *work);
    size_t top1 = 0, top5 = 0, shortlisted = 0, shown = 0;
    double t0 = kh__now();
    for (size_t i = 0; i < s->n; i++) {
        entry *e = &s->v[i];
        const kh_xlit_name *q = from_arabic ? &e->ar : &e->lat;
        const char *qk = from_arabic ? e->ar_key : e->lat_key;
        size_t qn = from_arabic ? e->ar_key_n : e->lat_key_n;
        size_t top[5];
        int in_short;
        size_t m = rank(q, qk, qn, c, nc, k, lambda, gold[i], &in_short, top,
                        dist, work);
        shortlisted += (size_t)in_short;
        for (size_t r = 0; r < m; r++)
            if (top[r] == gold[i]) {
                top1 += r == 0;
                top5++;
                break;
            }
        if (show > 0 && m > 0 && top[0] != gold[i] && shown < (size_t)show) {
            printf("  miss: %s -> %s (gold %s; keys %s %s)\n",
                   from_arabic ? e->ar_text : e->lat_text, c[top[0]].text,
                   from_arabic ? e->lat_text : e->ar_text, qk, c[gold[i]].key);
            shown++;
        }
    }
    double dt = kh__now() - t0;
    printf("%s: %zu queries, %zu candidates, top-1 %.4f, top-5 %.4f, "
           "gold shortlisted %.4f (k %zu, lambda %.2f), %.1f queries/s\n",
           from_arabic ? "arabic->latin" : "latin->arabic", s->n, nc,
           (double)top1 / (double)s->n, (double)top5 / (double)s->n,
           (double)shortlisted / (double)s->n, k, lambda, (double)s->n / dt);
    kh_free(gold);
    kh_free(c);
    kh_free(dist);
    kh_free(work);
}

static int
cmd_eval(int argc, char **argv)
{
    int mode = 0, show = 0, dirs = 3;
    size_t k = 1000;
    double lambda = 2.0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "-holdout") == 0)
            mode = 2;
        else if (strcmp(argv[i], "-model") == 0 && i + 1 < argc) {
            if (kh__xlit_use_tsv(argv[++i]) != KH_OK) {
                fprintf(stderr, "cannot read %s\n", argv[i]);
                return 1;
            }
        } else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc)
            k = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "-lambda") == 0 && i + 1 < argc)
            lambda = atof(argv[++i]);
        else if (strcmp(argv[i], "-bonus") == 0 && i + 2 < argc) {
            double ba = atof(argv[++i]);
            kh__xlit_tune(ba, atof(argv[++i]));
        } else if (strcmp(argv[i], "-show") == 0 && i + 1 < argc)
            show = atoi(argv[++i]);
        else if (strcmp(argv[i], "-dirs") == 0 && i + 1 < argc)
            dirs = atoi(argv[++i]);
    }
    set s = {0};
    if (load(argv[2], mode, &s, NULL) != 0)
        return 1;
    /* Speed of keys: prepare + key of every name, both sides. */
    double t0 = kh__now();
    fill_keys(&s);
    double dt = kh__now() - t0;
    size_t same = 0, near = 0;
    for (size_t i = 0; i < s.n; i++) {
        unsigned d = kh__xlit_key_distance(s.v[i].lat_key, s.v[i].lat_key_n,
                                           s.v[i].ar_key, s.v[i].ar_key_n);
        same += d == 0;
        near += d <= 1;
    }
    printf("%s%s: %zu pairs; keys equal %.4f, within 1 edit %.4f; "
           "%.0f keys/s (prepare + key)\n",
           argv[2], mode == 2 ? " (held-out fifth)" : "", s.n,
           (double)same / (double)s.n, (double)near / (double)s.n,
           (double)(2 * s.n) / dt);
    if (dirs & 1)
        eval_dir(&s, 0, k, lambda, show);
    if (dirs & 2)
        eval_dir(&s, 1, k, lambda, show);
    kh_free(s.v);
    return 0;
}

static int
cmd_cyr(int argc, char **argv)
{
    set s = {0}, cyr = {0}, extra = {0};
    if (load(argv[2], 0, &s, &cyr) != 0)
        return 1;
    if (argc > 3 && load(argv[3], 0, &extra, NULL) != 0)
        return 1;
    fill_keys(&s);
    fill_keys(&cyr);
    fill_keys(&extra);
    size_t same3 = 0, cyr_lat = 0;
    for (size_t i = 0; i < s.n; i++) {
        entry *e = &s.v[i], *c = &cyr.v[i];
        int eq_cl = strcmp(c->lat_key, e->lat_key) == 0;
        cyr_lat += (size_t)eq_cl;
        same3 += eq_cl && strcmp(e->lat_key, e->ar_key) == 0;
        char tr[256];
        kh__xlit_to_arabic(&c->lat, tr, sizeof tr);
        printf("  %-14s %-14s %-14s keys %s %s %s  (arabic guess %s)\n",
               c->lat_text, e->lat_text, e->ar_text, c->lat_key, e->lat_key,
               e->ar_key, tr);
    }
    printf("%zu names: Cyrillic and Latin keys equal %.3f, all three %.3f\n",
           s.n, (double)cyr_lat / (double)s.n, (double)same3 / (double)s.n);
    /* Candidates: the Arabic names of the check set, then the extra. */
    set all = {0};
    for (size_t i = 0; i < s.n; i++)
        set_push(&all, &s.v[i]);
    for (size_t i = 0; i < extra.n; i++)
        set_push(&all, &extra.v[i]);
    size_t nc, *gold = kh_malloc((all.n + 1) * sizeof *gold);
    cand *c = distinct(&all, 1, &nc, gold);
    unsigned *dist = kh_malloc((nc + 1) * sizeof *dist);
    scored *work = kh_malloc((nc + 1) * sizeof *work);
    for (int pass = 0; pass < 2; pass++) {
        set *q = pass == 0 ? &cyr : &s;
        size_t top1 = 0, top5 = 0;
        for (size_t i = 0; i < q->n; i++) {
            size_t top[5];
            int in_short;
            size_t m = rank(&q->v[i].lat, q->v[i].lat_key, q->v[i].lat_key_n, c,
                            nc, 1000, 2.0, gold[i], &in_short, top, dist, work);
            for (size_t r = 0; r < m; r++)
                if (top[r] == gold[i]) {
                    top1 += r == 0;
                    top5++;
                    break;
                }
            if (m > 0 && top[0] != gold[i])
                printf("  miss: %s -> %s (gold %s)\n", q->v[i].lat_text,
                       c[top[0]].text, q->v[i].ar_text);
        }
        printf("%s -> arabic among %zu candidates: top-1 %.3f, top-5 %.3f\n",
               pass == 0 ? "cyrillic" : "latin", nc,
               (double)top1 / (double)q->n, (double)top5 / (double)q->n);
    }
    kh_free(gold);
    kh_free(c);
    kh_free(dist);
    kh_free(work);
    kh_free(all.v);
    kh_free(s.v);
    kh_free(cyr.v);
    kh_free(extra.v);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "train") == 0)
        return cmd_train(argc, argv);
    if (argc >= 3 && strcmp(argv[1], "eval") == 0)
        return cmd_eval(argc, argv);
    if (argc >= 3 && strcmp(argv[1], "cyr") == 0)
        return cmd_cyr(argc, argv);
    fprintf(stderr, "usage: eval_xlit train|eval|cyr FILE.tsv [options]\n"
                    "(see the comment at the top of bench/eval_xlit.c)\n");
    return 2;
}
