/*
 * cluster.c -- stories: articles about one event linked as they arrive.
 *
 * An article is a vector of its 25 heaviest words (tf x idf, title words
 * counted three times, normalized forms without stop words), unit length.
 * A story is the sum of its articles' vectors, trimmed to its 60 heaviest
 * words.  A new article joins the story whose centroid it is closest to
 * (cosine >= KH_STORY_COSINE) among the stories seen within 7 days of its
 * date, as the Europe Media Monitor links its daily clusters over 7 days;
 * else it starts a story.  A wire copy joins the story of its group.
 * Candidate stories come from an inverted index of centroid words, so a
 * new article is compared with the few stories sharing a heavy word.
 *
 * Document frequencies are counted over the articles this process has
 * seen (the 7-day window is reloaded at the first add), so that what is
 * common this week weighs little.
 *
 * docs.db keeps story(docid, sid), a story named by the docid of its
 * first article; the in-memory state is rebuilt from the window.
 */
#include "story/story.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARTICLE_TERMS  25
#define CENTROID_TERMS 60
#define WINDOW_SECS    (7 * 86400)
#define HORIZON_SECS   (14 * 86400) /* the window replayed at load */
#define HALF_LIFE      (2.0 * 86400)
#define SEED_TERMS     6  /* of an article's words, to find candidates */
#define ANCHORS        3  /* of them, one must be in the story's centroid */
#define MIN_BODY_WORDS 15 /* fewer: a caption or a cartoon, left alone */
#define MAX_WALK       96 /* stories looked at under one word */

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

typedef struct story_st {
    uint64_t sid;
    int64_t first, last;
    uint32_t n;
    uint32_t stamp; /* last article that looked at it */
    kh_term *cent;  /* CENTROID_TERMS at most, sorted by hash; NULL once
                       the story sleeps */
    uint32_t n_cent;
    double norm; /* of the centroid */
} story_st;

/* The word table: document frequency and the chain of stories holding
 * the word in their centroid. */
typedef struct word_ent {
    uint32_t key, df;
    uint32_t head; /* index + 1 into posts */
} word_ent;

typedef struct post {
    uint32_t story, next;
} post;

struct kh_cluster {
    sqlite3 *db;
    sqlite3_stmt *put, *get, *del, *members, *window, *max_date;
    bool loaded;
    story_st *st;
    size_t n_st, cap_st;
    word_ent *words;
    size_t cap_words, n_words;
    post *posts;
    size_t n_posts, cap_posts;
    word_ent **ents; /* the entries of the article's words, in place() */
    size_t cap_ents;
    uint64_t n_docs;
    int64_t horizon; /* the latest article date seen */
    uint32_t stamp;
    uint64_t *sid_key; /* sid -> index in st, open addressing */
    uint32_t *sid_val;
    size_t cap_sid;
    size_t since_sweep; /* stories made since sleepers were last freed */
};

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS story(docid INTEGER PRIMARY KEY,"
    " sid INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS story_sid ON story(sid);";

kh_status
kh__cluster_open(sqlite3 *db, bool read_only, kh_cluster **out, kh_error *err)
{
    *out = NULL;
    kh_cluster *c = kh_malloc(sizeof *c);
    if (c == NULL)
        return KH_ENOMEM;
    memset(c, 0, sizeof *c);
    c->db = db;
    if (!read_only && sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        kh__set_error(err, "cannot set up the story table: %s",
                      sqlite3_errmsg(db));
        kh_free(c);
        return KH_EIO;
    }
    /* A read-only index made before stories has no table: no stories. */
    if (kh__story_prep(db, &c->get, "SELECT sid FROM story WHERE docid=?1") ==
        0)
        kh__story_prep(
            db, &c->members,
            "SELECT s.docid FROM story s JOIN docs d ON d.docid=s.docid"
            " WHERE s.sid=?1 ORDER BY d.date IS NULL, d.date, s.docid");
    if (!read_only &&
        (c->get == NULL || c->members == NULL ||
         kh__story_prep(
             db, &c->put,
             "INSERT OR REPLACE INTO story(docid,sid) VALUES(?1,?2)") ||
         kh__story_prep(db, &c->del, "DELETE FROM story WHERE docid=?1") ||
         kh__story_prep(db, &c->max_date, "SELECT max(date) FROM docs") ||
         kh__story_prep(db, &c->window,
                        "SELECT d.docid, s.sid, d.date, d.title, "
                        "kh_body(d.body) FROM docs d"
                        " JOIN story s ON s.docid=d.docid WHERE d.date>=?1"
                        " ORDER BY d.docid"))) {
        kh__set_error(err, "cannot prepare the story table: %s",
                      sqlite3_errmsg(db));
        kh__cluster_close(c);
        return KH_EIO;
    }
    *out = c;
    return KH_OK;
}

void
kh__cluster_close(kh_cluster *c)
{
    if (c == NULL)
        return;
    sqlite3_stmt *all[] = {c->put,     c->get,    c->del,
                           c->members, c->window, c->max_date};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]);
    for (size_t i = 0; i < c->n_st; i++)
        kh_free(c->st[i].cent);
    kh_free(c->st);
    kh_free(c->sid_key);
    kh_free(c->sid_val);
    kh_free(c->words);
    kh_free(c->posts);
    kh_free(c->ents);
    kh_free(c);
}

/* ---- the word table -------------------------------------------------- */

static kh_status
grow_words(kh_cluster *c)
{
    size_t cap = c->cap_words ? c->cap_words * 2 : 1u << 15;
    word_ent *nw = kh_malloc(cap * sizeof *nw);
    if (nw == NULL)
        return KH_ENOMEM;
    memset(nw, 0, cap * sizeof *nw);
    for (size_t i = 0; i < c->cap_words; i++) {
        const word_ent *e = &c->words[i];
        if (e->key == 0)
            continue;
        size_t s = e->key & (cap - 1);
        while (nw[s].key != 0)
            s = (s + 1) & (cap - 1);
        nw[s] = *e;
    }
    kh_free(c->words);
    c->words = nw;
    c->cap_words = cap;
    return KH_OK;
}

/* The entry of word h (0 is reserved: hashes are made nonzero), created
 * when add; NULL when absent or out of memory. */
static word_ent *
word(kh_cluster *c, uint32_t h, bool add)
{
    if (c->cap_words == 0 || (add && (c->n_words + 1) * 2 > c->cap_words)) {
        if (!add || grow_words(c) != KH_OK)
            return NULL;
    }
    size_t s = h & (c->cap_words - 1);
    while (c->words[s].key != 0 && c->words[s].key != h)
        s = (s + 1) & (c->cap_words - 1);
    if (c->words[s].key == 0) {
        if (!add)
            return NULL;
        c->words[s].key = h;
        c->n_words++;
    }
    return &c->words[s];
}

static kh_status
post_story(kh_cluster *c, uint32_t h, uint32_t story)
{
    word_ent *e = word(c, h, true);
    if (e == NULL)
        return KH_ENOMEM;
    if (c->n_posts == c->cap_posts) {
        size_t cap = c->cap_posts ? c->cap_posts * 2 : 1u << 14;
        post *np = kh_realloc(c->posts, cap * sizeof *np);
        if (np == NULL)
            return KH_ENOMEM;
        c->posts = np;
        c->cap_posts = cap;
    }
    c->posts[c->n_posts] = (post){story, e->head};
    e->head = (uint32_t)++c->n_posts;
    return KH_OK;
}

/* ---- vectors --------------------------------------------------------- */

static int
by_weight(const void *a, const void *b)
{
    const kh_term *x = a, *y = b;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return (x->h > y->h) - (x->h < y->h);
}

static int
by_hash(const void *a, const void *b)
{
    const kh_term *x = a, *y = b;
    return (x->h > y->h) - (x->h < y->h);
}

/* Sorts a few dozen terms (an article vector, a centroid and one
 * vector), all words distinct, so the order is total: insertion, without
 * qsort's calls. */
static void
sort_terms(kh_term *v, size_t n, int (*cmp)(const void *, const void *))
{
    for (size_t i = 1; i < n; i++) {
        kh_term t = v[i];
        size_t k = i;
        for (; k > 0 && cmp(&v[k - 1], &t) > 0; k--)
            v[k] = v[k - 1];
        v[k] = t;
    }
}

/* The entries of the n words of bag (distinct), made when new, in
 * c->ents: the table grows first, so that no pointer moves. */
static kh_status
bag_entries(kh_cluster *c, const kh_term *bag, size_t n)
{
    if (n > c->cap_ents) {
        word_ent **ne = kh_realloc(c->ents, n * sizeof *ne);
        if (ne == NULL)
            return KH_ENOMEM;
        c->ents = ne;
        c->cap_ents = n;
    }
    while (c->cap_words == 0 || (c->n_words + n + 1) * 2 > c->cap_words)
        if (grow_words(c) != KH_OK)
            return KH_ENOMEM;
    /* the table is far larger than the caches: ask for all the slots at
     * once, then wait for each */
    for (size_t i = 0; i < n; i++)
        PREFETCH(&c->words[bag[i].h & (c->cap_words - 1)]);
    for (size_t i = 0; i < n; i++)
        c->ents[i] = word(c, bag[i].h, true);
    return KH_OK;
}

/* The article's vector from its bag (hash, tf) and their entries in
 * c->ents: tf x idf, the heaviest ARTICLE_TERMS, unit length, sorted by
 * hash, in v (ARTICLE_TERMS long); returns its length. */
static size_t
article_vector(kh_cluster *c, const kh_term *bag, size_t n, kh_term *v)
{
    double docs = (double)c->n_docs + 1;
    size_t k = 0; /* v[0..k): the heaviest so far, heaviest first */
    for (size_t i = 0; i < n; i++) {
        double df = c->ents[i]->df; /* 0 for a word new to the table */
        kh_term t = {bag[i].h, (float)((1 + log((double)bag[i].w)) *
                                       log((docs + 1) / (df + 0.5)))};
        size_t at;
        if (k < ARTICLE_TERMS) {
            at = k++;
        } else {
            if (by_weight(&t, &v[ARTICLE_TERMS - 1]) > 0)
                continue;
            at = ARTICLE_TERMS - 1;
        }
        while (at > 0 && by_weight(&t, &v[at - 1]) < 0) {
            v[at] = v[at - 1];
            at--;
        }
        v[at] = t;
    }
    double norm = 0;
    for (size_t i = 0; i < k; i++)
        norm += (double)v[i].w * (double)v[i].w;
    norm = sqrt(norm);
    for (size_t i = 0; i < k; i++)
        v[i].w = norm > 0 ? (float)((double)v[i].w / norm) : 0;
    sort_terms(v, k, by_hash);
    return k;
}

/* The rarest words of the title (fewest articles in the window) that
 * another article has, at most ANCHORS, in out; returns how many. */
static size_t
anchors(kh_cluster *c, const kh_u32vec *title, kh_term *out)
{
    size_t n = 0;
    for (size_t i = 0; i < title->n; i++) {
        word_ent *e = word(c, title->v[i], false);
        /* a word no other article has cannot be in a story yet */
        if (e == NULL || e->df < 2)
            continue;
        kh_term t = {title->v[i], (float)e->df};
        size_t k;
        if (n < ANCHORS) {
            k = n++;
        } else {
            if (t.w >= out[ANCHORS - 1].w)
                continue;
            k = ANCHORS - 1;
        }
        while (k > 0 && out[k - 1].w > t.w) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = t;
    }
    return n;
}

/* Whether the centroid of s holds one of the words top[0..n): a story
 * and an article about one event share a name, a place, a thing, and not
 * only the words of a template ("cables of congratulation on the
 * anniversary of the independence of ..."): the anchors are the rarest
 * words of the article's title. */
static bool
anchored(const story_st *s, const kh_term *top, size_t n)
{
    for (size_t t = 0; t < n; t++) {
        size_t lo = 0, hi = s->n_cent;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (s->cent[mid].h < top[t].h)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < s->n_cent && s->cent[lo].h == top[t].h)
            return true;
    }
    return false;
}

static double
cosine(const story_st *s, const kh_term *v, size_t n)
{
    double dot = 0;
    size_t i = 0, j = 0;
    while (i < s->n_cent && j < n) {
        if (s->cent[i].h < v[j].h)
            i++;
        else if (s->cent[i].h > v[j].h)
            j++;
        else
            dot += (double)s->cent[i++].w * (double)v[j++].w;
    }
    return s->norm > 0 ? dot / s->norm : 0;
}

/* Adds v to the centroid of story i, keeping its heaviest words, and
 * posts the words new to it. */
typedef struct merged {
    kh_term t;
    bool fresh; /* not in the centroid before */
} merged;

static kh_status
absorb(kh_cluster *c, uint32_t i, const kh_term *v, size_t n, int64_t date)
{
    story_st *s = &c->st[i];
    /* The centroid forgets with a half-life of HALF_LIFE: a story is what
     * it is about now, and a daily report (markets, weather) does not
     * chain every day's into one story through its fixed words. */
    if (date > s->last) {
        float f = (float)exp2(-(double)(date - s->last) / HALF_LIFE);
        for (uint32_t t = 0; t < s->n_cent; t++)
            s->cent[t].w *= f;
    }
    merged *m = kh_malloc((s->n_cent + n + 1) * sizeof *m);
    kh_term *cent = kh_malloc((s->n_cent + n + 1) * sizeof *cent);
    if (m == NULL || cent == NULL) {
        kh_free(m);
        kh_free(cent);
        return KH_ENOMEM;
    }
    size_t a = 0, b = 0, k = 0;
    while (a < s->n_cent || b < n) {
        if (b == n || (a < s->n_cent && s->cent[a].h < v[b].h))
            m[k++] = (merged){s->cent[a++], false};
        else if (a == s->n_cent || v[b].h < s->cent[a].h)
            m[k++] = (merged){v[b++], true};
        else {
            m[k] = (merged){s->cent[a++], false};
            m[k++].t.w += v[b++].w;
        }
    }
    if (k > CENTROID_TERMS) {
        /* the CENTROID_TERMS heaviest, left in hash order: the weights
         * sorted (in cent, filled below) give the lightest one kept */
        for (size_t t = 0; t < k; t++)
            cent[t] = m[t].t;
        sort_terms(cent, k, by_weight);
        kh_term cut = cent[CENTROID_TERMS - 1];
        size_t kept = 0;
        for (size_t t = 0; t < k; t++)
            if (by_weight(&m[t].t, &cut) <= 0)
                m[kept++] = m[t];
        k = kept; /* CENTROID_TERMS: the order is total */
    }
    kh_status rc = KH_OK;
    for (size_t t = 0; t < k; t++) {
        cent[t] = m[t].t;
        if (m[t].fresh && rc == KH_OK)
            rc = post_story(c, m[t].t.h, i);
    }
    kh_free(m);
    double norm = 0;
    for (size_t t = 0; t < k; t++)
        norm += (double)cent[t].w * (double)cent[t].w;
    kh_free(c->st[i].cent); /* post_story may not move st: same array */
    c->st[i].cent = cent;
    c->st[i].n_cent = (uint32_t)k;
    c->st[i].norm = sqrt(norm);
    return rc;
}

/* Counts the article whose n words have their entries in c->ents. */
static void
count_words(kh_cluster *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        c->ents[i]->df++;
    c->n_docs++;
}

static int64_t
story_index(kh_cluster *c, uint64_t sid)
{
    if (c->cap_sid == 0)
        return -1;
    size_t s = (size_t)(sid * 0x9e3779b97f4a7c15ull >> 20) & (c->cap_sid - 1);
    while (c->sid_key[s] != 0) {
        if (c->sid_key[s] == sid)
            return c->sid_val[s];
        s = (s + 1) & (c->cap_sid - 1);
    }
    return -1;
}

static kh_status
index_story(kh_cluster *c, uint64_t sid, uint32_t i)
{
    if ((c->n_st + 1) * 2 > c->cap_sid) {
        size_t cap = c->cap_sid ? c->cap_sid * 2 : 4096;
        uint64_t *k = kh_malloc(cap * sizeof *k);
        uint32_t *v = kh_malloc(cap * sizeof *v);
        if (k == NULL || v == NULL) {
            kh_free(k);
            kh_free(v);
            return KH_ENOMEM;
        }
        memset(k, 0, cap * sizeof *k);
        kh_free(c->sid_key);
        kh_free(c->sid_val);
        c->sid_key = k;
        c->sid_val = v;
        c->cap_sid = cap;
        for (size_t j = 0; j < c->n_st; j++)
            if (j != i && index_story(c, c->st[j].sid, (uint32_t)j) != KH_OK)
                return KH_ENOMEM;
    }
    size_t s = (size_t)(sid * 0x9e3779b97f4a7c15ull >> 20) & (c->cap_sid - 1);
    while (c->sid_key[s] != 0 && c->sid_key[s] != sid)
        s = (s + 1) & (c->cap_sid - 1);
    c->sid_key[s] = sid;
    c->sid_val[s] = i;
    return KH_OK;
}

/* Frees the centroids of stories past the horizon: they sleep (match
 * nothing), so memory follows the window, not the whole index. */
static void
sweep(kh_cluster *c)
{
    for (size_t i = 0; i < c->n_st; i++) {
        story_st *s = &c->st[i];
        if (s->cent != NULL && s->last < c->horizon - HORIZON_SECS) {
            kh_free(s->cent);
            s->cent = NULL;
            s->n_cent = 0;
            s->norm = 0;
        }
    }
    c->since_sweep = 0;
}

static kh_status
new_story(kh_cluster *c, uint64_t sid, int64_t date, uint32_t *i)
{
    if (c->n_st == c->cap_st) {
        size_t cap = c->cap_st ? c->cap_st * 2 : 1024;
        story_st *ns = kh_realloc(c->st, cap * sizeof *ns);
        if (ns == NULL)
            return KH_ENOMEM;
        c->st = ns;
        c->cap_st = cap;
    }
    story_st *s = &c->st[c->n_st];
    memset(s, 0, sizeof *s);
    s->sid = sid;
    s->first = s->last = date;
    *i = (uint32_t)c->n_st;
    kh_status rc = index_story(c, sid, *i);
    if (rc != KH_OK)
        return rc;
    c->n_st++;
    if (++c->since_sweep >= 4096)
        sweep(c);
    return KH_OK;
}

/* The assignment itself, on the in-memory state (also used to replay the
 * window at load, with the sid known). */
static kh_status
place(kh_cluster *c, uint64_t docid, int64_t date, const kh_term *bag,
      size_t n_bag, size_t body_words, const kh_u32vec *title,
      uint64_t known_sid, uint64_t *sid)
{
    kh_term v[ARTICLE_TERMS];
    kh_status rc = bag_entries(c, bag, n_bag);
    if (rc != KH_OK)
        return rc;
    size_t n = article_vector(c, bag, n_bag, v);
    count_words(c, n_bag);
    if (date > c->horizon)
        c->horizon = date;
    int64_t at = -1;
    if (known_sid != 0) {
        at = story_index(c, known_sid);
    } else if (n > 0 && body_words >= MIN_BODY_WORDS) {
        /* Candidates: the stories posted most recently under the article's
         * heaviest words.  A story on the same event shares one of them;
         * the cap bounds the walk for words every story has. */
        kh_term top[ARTICLE_TERMS];
        memcpy(top, v, n * sizeof *v);
        sort_terms(top, n, by_weight);
        size_t n_top = n < SEED_TERMS ? n : SEED_TERMS;
        kh_term anchor[ANCHORS];
        size_t n_anchor = anchors(c, title, anchor);
        if (n_anchor == 0) { /* no title: the heaviest words */
            n_anchor = n < ANCHORS ? n : ANCHORS;
            memcpy(anchor, top, n_anchor * sizeof *anchor);
        }
        double best = KH_STORY_COSINE;
        c->stamp++;
        for (size_t t = 0; t < n_top; t++) {
            word_ent *e = word(c, top[t].h, false);
            unsigned walked = 0;
            for (uint32_t p = e != NULL ? e->head : 0;
                 p != 0 && walked++ < MAX_WALK; p = c->posts[p - 1].next) {
                /* the next post and this story are two misses: at once */
                if (c->posts[p - 1].next != 0)
                    PREFETCH(&c->posts[c->posts[p - 1].next - 1]);
                story_st *s = &c->st[c->posts[p - 1].story];
                if (s->stamp == c->stamp)
                    continue;
                s->stamp = c->stamp;
                if (date > s->last + WINDOW_SECS ||
                    date < s->first - WINDOW_SECS)
                    continue;
                if (!anchored(s, anchor, n_anchor))
                    continue;
                double cs = cosine(s, v, n);
                if (cs >= best) {
                    best = cs;
                    at = c->posts[p - 1].story;
                }
            }
        }
    }
    uint32_t i;
    if (at < 0) {
        rc = new_story(c, known_sid != 0 ? known_sid : docid, date, &i);
        if (rc != KH_OK)
            return rc;
    } else {
        i = (uint32_t)at;
    }
    story_st *s = &c->st[i];
    s->n++;
    *sid = s->sid;
    rc = absorb(c, i, v, n, date);
    if (date < s->first)
        s->first = date;
    if (date > s->last)
        s->last = date;
    return rc;
}

/* ---- persistence ----------------------------------------------------- */

static kh_status
put(kh_cluster *c, uint64_t docid, uint64_t sid)
{
    sqlite3_bind_int64(c->put, 1, (sqlite3_int64)docid);
    sqlite3_bind_int64(c->put, 2, (sqlite3_int64)sid);
    int r = sqlite3_step(c->put);
    sqlite3_reset(c->put);
    return r == SQLITE_DONE ? KH_OK : KH_EIO;
}

kh_status
kh__cluster_story(kh_cluster *c, uint64_t docid, uint64_t *sid)
{
    *sid = 0;
    if (c->get == NULL)
        return KH_OK;
    sqlite3_bind_int64(c->get, 1, (sqlite3_int64)docid);
    int r = sqlite3_step(c->get);
    if (r == SQLITE_ROW)
        *sid = (uint64_t)sqlite3_column_int64(c->get, 0);
    sqlite3_reset(c->get);
    return r == SQLITE_ROW || r == SQLITE_DONE ? KH_OK : KH_EIO;
}

kh_status
kh__cluster_members(kh_cluster *c, uint64_t sid, uint64_t **docids, size_t *n)
{
    *docids = NULL;
    *n = 0;
    if (c->members == NULL || sid == 0)
        return KH_OK;
    return kh__story_docids(c->members, sid, docids, n);
}

/* Replays the articles of the last window, so that a restarted writer
 * goes on linking to the stories it left. */
static kh_status
load(kh_cluster *c, kh_termbag *bag)
{
    if (c->loaded)
        return KH_OK;
    c->loaded = true;
    int64_t maxd = 0;
    if (sqlite3_step(c->max_date) == SQLITE_ROW &&
        sqlite3_column_type(c->max_date, 0) != SQLITE_NULL)
        maxd = sqlite3_column_int64(c->max_date, 0);
    sqlite3_reset(c->max_date);
    if (maxd == 0)
        return KH_OK;
    kh_status rc = KH_OK;
    sqlite3_bind_int64(c->window, 1, maxd - HORIZON_SECS);
    while (rc == KH_OK && sqlite3_step(c->window) == SQLITE_ROW) {
        uint64_t docid = (uint64_t)sqlite3_column_int64(c->window, 0);
        uint64_t sid = (uint64_t)sqlite3_column_int64(c->window, 1), got;
        int64_t date = sqlite3_column_int64(c->window, 2);
        const char *title = (const char *)sqlite3_column_text(c->window, 3);
        const char *body = (const char *)sqlite3_column_text(c->window, 4);
        rc = kh__termbag_fill(title, body, NULL, bag);
        if (rc == KH_OK)
            rc = place(c, docid, date, bag->v, bag->n, bag->body_words,
                       &bag->title, sid, &got);
    }
    sqlite3_reset(c->window);
    return rc;
}

kh_status
kh__cluster_add(kh_cluster *c, kh_termbag *scratch, uint64_t docid,
                int64_t date, const kh_termbag *bag, uint64_t wire_group,
                uint64_t *sid)
{
    *sid = 0;
    kh_status rc = load(c, scratch);
    if (rc != KH_OK)
        return rc;
    uint64_t known = 0;
    if (wire_group != 0)
        rc = kh__cluster_story(c, wire_group, &known);
    /* A copy of an article whose story has gone to sleep starts afresh. */
    if (rc == KH_OK && known != 0 && story_index(c, known) < 0)
        known = 0;
    if (rc == KH_OK)
        rc = place(c, docid, date, bag->v, bag->n, bag->body_words, &bag->title,
                   known, sid);
    if (rc == KH_OK)
        rc = put(c, docid, *sid);
    return rc;
}

kh_status
kh__cluster_delete(kh_cluster *c, uint64_t docid)
{
    if (c->del == NULL)
        return KH_OK;
    /* The centroid keeps the article's words: a story's gist does not
     * change with one deletion, and the state is rebuilt at restart. */
    sqlite3_bind_int64(c->del, 1, (sqlite3_int64)docid);
    int r = sqlite3_step(c->del);
    sqlite3_reset(c->del);
    return r == SQLITE_DONE ? KH_OK : KH_EIO;
}
