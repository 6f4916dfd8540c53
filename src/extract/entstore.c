/*
 * entstore.c -- the entities' names in docs.db.
 *
 * Which articles name an entity is in the postings (its KH_KEY_ENTITY
 * term); docs.db keeps what the postings cannot: each entity's type and
 * a name to show, and which entities hold a word key, so that a name
 * typed in any script finds the entities it may mean.
 */
#include "extract/entity.h"
#include "extract/xlit.h"

#include <sqlite3.h>
#include <string.h>

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS entity("
    " key TEXT PRIMARY KEY, type INTEGER NOT NULL, name TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS entity_word("
    " wkey TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY(wkey, key)"
    ") WITHOUT ROWID;";

struct kh_entstore {
    sqlite3 *db;
    bool absent; /* an index made before entities were kept */
    sqlite3_stmt *put, *put_word, *get, *by_word;
};

static int
prep(sqlite3 *db, sqlite3_stmt **st, const char *sql)
{
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}

kh_status
kh__entstore_open(sqlite3 *db, bool read_only, kh_entstore **out, kh_error *err)
{
    *out = NULL;
    kh_entstore *s = kh_malloc(sizeof *s);
    if (s == NULL)
        return KH_ENOMEM;
    memset(s, 0, sizeof *s);
    s->db = db;
    if (!read_only && sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        kh__set_error(err, "cannot set up the entity tables: %s",
                      sqlite3_errmsg(db));
        kh_free(s);
        return KH_EIO;
    }
    if (prep(db, &s->get, "SELECT name, type FROM entity WHERE key=?1") ||
        prep(db, &s->by_word,
             "SELECT key FROM entity_word WHERE wkey=?1 ORDER BY key")) {
        if (!read_only) {
            kh__set_error(err, "docs.db: %s", sqlite3_errmsg(db));
            kh__entstore_close(s);
            return KH_ECORRUPT;
        }
        s->absent = true;
    }
    if (!read_only &&
        (prep(db, &s->put,
              "INSERT OR IGNORE INTO entity(key, type, name) "
              "VALUES(?1,?2,?3)") ||
         prep(db, &s->put_word,
              "INSERT OR IGNORE INTO entity_word(wkey, key) VALUES(?1,?2)"))) {
        kh__set_error(err, "docs.db: %s", sqlite3_errmsg(db));
        kh__entstore_close(s);
        return KH_ECORRUPT;
    }
    *out = s;
    return KH_OK;
}

void
kh__entstore_close(kh_entstore *s)
{
    if (s == NULL)
        return;
    sqlite3_finalize(s->put);
    sqlite3_finalize(s->put_word);
    sqlite3_finalize(s->get);
    sqlite3_finalize(s->by_word);
    kh_free(s);
}

static kh_status
step_done(sqlite3_stmt *st)
{
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? KH_OK : KH_EIO;
}

/* A word row: (word key, entity key). */
typedef struct word_row {
    const char *w, *key;
    size_t wn;
} word_row;

static int
by_word_then_key(const void *a, const void *b)
{
    const word_row *x = a, *y = b;
    size_t n = x->wn < y->wn ? x->wn : y->wn;
    int c = memcmp(x->w, y->w, n);
    if (c == 0 && x->wn != y->wn)
        c = x->wn < y->wn ? -1 : 1;
    return c != 0 ? c : strcmp(x->key, y->key);
}

kh_status
kh__entstore_put(void *store, const kh_entname *names, size_t n)
{
    /* Both tables are inserted into in their key order: a B-tree takes
     * rows in order far faster than scattered (the pages it needs stay
     * in the cache), and a batch holds tens of thousands. */
    kh_entstore *s = store;
    kh_status rc = KH_OK;
    word_row *rows = NULL;
    size_t nrows = 0, cap = 0;
    for (size_t i = 0; i < n && rc == KH_OK; i++) {
        sqlite3_bind_text(s->put, 1, names[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_int(s->put, 2, (int)names[i].type);
        sqlite3_bind_text(s->put, 3, names[i].name, -1, SQLITE_STATIC);
        rc = step_done(s->put);
        if (rc != KH_OK || sqlite3_changes(s->db) == 0)
            continue;
        const char *w = strchr(names[i].key, ':');
        w = w != NULL ? w + 1 : names[i].key;
        while (*w != '\0') {
            size_t wn = strcspn(w, "-");
            if (nrows == cap) {
                cap = cap ? cap * 2 : 1024;
                word_row *nr = kh_realloc(rows, cap * sizeof *nr);
                if (nr == NULL) {
                    rc = KH_ENOMEM;
                    break;
                }
                rows = nr;
            }
            rows[nrows++] = (word_row){w, names[i].key, wn};
            w += wn + (w[wn] == '-');
        }
    }
    if (rc == KH_OK)
        kh__qsort(rows, nrows, sizeof *rows, by_word_then_key);
    for (size_t i = 0; i < nrows && rc == KH_OK; i++) {
        sqlite3_bind_text(s->put_word, 1, rows[i].w, (int)rows[i].wn,
                          SQLITE_STATIC);
        sqlite3_bind_text(s->put_word, 2, rows[i].key, -1, SQLITE_STATIC);
        rc = step_done(s->put_word);
    }
    kh_free(rows);
    return rc;
}

kh_status
kh__entstore_get(kh_entstore *s, const char *key, char **name,
                 kh_ner_type *type)
{
    *name = NULL;
    if (s->absent)
        return KH_ENOTFOUND;
    sqlite3_bind_text(s->get, 1, key, -1, SQLITE_STATIC);
    kh_status rc = KH_ENOTFOUND;
    int r = sqlite3_step(s->get);
    if (r == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(s->get, 0);
        *name = kh__strndup(n != NULL ? n : "", n != NULL ? strlen(n) : 0);
        *type = (kh_ner_type)sqlite3_column_int(s->get, 1);
        rc = *name != NULL ? KH_OK : KH_ENOMEM;
    } else if (r != SQLITE_DONE) {
        rc = KH_EIO;
    }
    sqlite3_reset(s->get);
    return rc;
}

/* Is the word key w[0..n) one of the words of entity key k? */
static bool
key_has_word(const char *k, const char *w, size_t n)
{
    const char *p = strchr(k, ':');
    for (p = p != NULL ? p + 1 : k; *p != '\0';) {
        size_t m = strcspn(p, "-");
        if (m == n && memcmp(p, w, n) == 0)
            return true;
        p += m + (p[m] == '-');
    }
    return false;
}

/* Whether the key k holds a word key within one edit of w[0..n) (three
 * letters or more; a shorter one as it is). */
static bool
key_has_near_word(const char *k, const char *w, size_t n)
{
    if (n < 3)
        return key_has_word(k, w, n);
    const char *p = strchr(k, ':');
    for (p = p != NULL ? p + 1 : k; *p != '\0';) {
        size_t m = strcspn(p, "-");
        if (kh__xlit_key_distance(p, m, w, n) <= 1)
            return true;
        p += m + (p[m] == '-');
    }
    return false;
}

/* The longest word key of a '-'-joined name key (the rarest, most
 * likely to narrow the candidates), its length in *len. */
static const char *
longest_word(const char *name_key, size_t *len)
{
    const char *best = name_key;
    *len = strcspn(name_key, "-");
    for (const char *p = name_key; *p != '\0';) {
        size_t m = strcspn(p, "-");
        if (m > *len) {
            best = p;
            *len = m;
        }
        p += m + (p[m] == '-');
    }
    return best;
}

static void
drop_keys(char ***keys, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        kh_free((*keys)[i]);
    kh_free(*keys);
    *keys = NULL;
    *n = 0;
}

/* Appends to keys[0..*n) (room *cap) the entities holding every word key
 * of name_key, up to max in all, each once. */
static kh_status
match_into(kh_entstore *s, const char *name_key, size_t max, char ***keys,
           size_t *n, size_t *cap, const char *best_word)
{
    /* Candidates hold the name's longest word key (the rarest, most
     * likely); each must hold the other words too. */
    size_t best_n;
    const char *best = longest_word(name_key, &best_n);
    bool near = best_word != NULL; /* the others within one edit too */
    if (near) {
        best = best_word;
        best_n = strlen(best_word);
    }
    sqlite3_bind_text(s->by_word, 1, best, (int)best_n, SQLITE_STATIC);
    kh_status rc = KH_OK;
    size_t had = *n;
    int r;
    while (*n < max && (r = sqlite3_step(s->by_word)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(s->by_word, 0);
        if (k == NULL)
            continue;
        bool all = true;
        for (const char *p = name_key; *p != '\0' && all;) {
            size_t m = strcspn(p, "-");
            all = near ? key_has_near_word(k, p, m) : key_has_word(k, p, m);
            p += m + (p[m] == '-');
        }
        for (size_t i = 0; i < had && all; i++)
            all = strcmp((*keys)[i], k) != 0;
        if (!all)
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            char **nk = kh_realloc(*keys, *cap * sizeof *nk);
            if (nk == NULL) {
                rc = KH_ENOMEM;
                break;
            }
            *keys = nk;
        }
        (*keys)[*n] = kh__strndup(k, strlen(k));
        if ((*keys)[*n] == NULL) {
            rc = KH_ENOMEM;
            break;
        }
        (*n)++;
    }
    sqlite3_reset(s->by_word);
    return rc;
}

kh_status
kh__entstore_match(kh_entstore *s, const char *name_key, size_t max,
                   char ***keys, size_t *n)
{
    *keys = NULL;
    *n = 0;
    if (s->absent || *name_key == '\0')
        return KH_OK;
    size_t cap = 0;
    kh_status rc = match_into(s, name_key, max, keys, n, &cap, NULL);
    /* Indexes made before a word's first ي was keyed Y (اليمن: YMN, was
     * MN) hold the key without it: look that up too; the callers check
     * each candidate's name. */
    char old[256];
    size_t o = 0;
    for (const char *p = name_key; *p != '\0' && o + 1 < sizeof old; p++)
        if (!(*p == 'Y' && (p == name_key || p[-1] == '-') && p[1] != '\0' &&
              p[1] != '-'))
            old[o++] = *p;
    old[o] = '\0';
    if (rc == KH_OK && strcmp(old, name_key) != 0 && *n < max)
        rc = match_into(s, old, max, keys, n, &cap, NULL);
    if (rc != KH_OK)
        drop_keys(keys, n);
    return rc;
}

/* The single edits that most often part a Latin name's key from its
 * Arabic spelling's (Latin -> Arabic), counted on the Wikidata pairs of
 * ../shared/data/translit/wikidata-en-ar/train.tsv (CC0): of 41,587
 * pairs, 31,875 keys are equal and 6,769 one edit apart, and these 30
 * edits (each seen 40 times or more) make 5,945 of those.  'R': a class
 * replaced (K>J: Gamal جمال), 'D': a class the Arabic lacks (T, H: John
 * جون), 'I': one it adds. */
static const struct {
    char op, from, to;
} near_edits[] = {
    {'R', 'K', 'J'}, {'D', 'T', 0},   {'R', 'S', 'Z'}, {'D', 'H', 0},
    {'I', 0, 'H'},   {'R', 'J', 'K'}, {'D', 'L', 0},   {'I', 0, 'T'},
    {'R', 'Z', 'S'}, {'D', 'J', 0},   {'I', 0, 'F'},   {'D', 'S', 0},
    {'D', 'F', 0},   {'R', 'S', 'C'}, {'I', 0, 'J'},   {'R', 'J', 'Y'},
    {'D', 'K', 0},   {'D', 'D', 0},   {'R', 'H', 'T'}, {'R', 'S', 'T'},
    {'I', 0, 'K'},   {'I', 0, 'Y'},   {'R', 'J', 'X'}, {'R', 'C', 'S'},
    {'R', 'R', 'H'}, {'I', 0, 'S'},   {'R', 'S', 'K'}, {'R', 'C', 'K'},
    {'I', 0, 'L'},   {'I', 0, 'N'},
};

kh_status
kh__entstore_match_near(kh_entstore *s, const char *name_key, size_t max,
                        char ***keys, size_t *n)
{
    *keys = NULL;
    *n = 0;
    if (s->absent || *name_key == '\0')
        return KH_OK;
    kh_status rc = KH_OK;
    size_t best_n;
    const char *best = longest_word(name_key, &best_n);
    if (best_n < 3 || best_n > 30)
        return KH_OK;
    /* the longest word's key after each likely edit (near_edits) */
    size_t cap = *n;
    char v[34];
    size_t ne = sizeof near_edits / sizeof near_edits[0];
    for (size_t e = 0; e < ne && rc == KH_OK && *n < max; e++) {
        char op = near_edits[e].op;
        for (size_t i = 0; i <= best_n && rc == KH_OK && *n < max; i++) {
            size_t o = 0;
            if (op == 'D' && i < best_n && best[i] == near_edits[e].from) {
                memcpy(v, best, i);
                memcpy(v + i, best + i + 1, best_n - i - 1);
                o = best_n - 1;
            } else if (op == 'R' && i < best_n &&
                       best[i] == near_edits[e].from) {
                memcpy(v, best, best_n);
                v[i] = near_edits[e].to;
                o = best_n;
            } else if (op == 'I' &&
                       (i == 0 || best[i - 1] != near_edits[e].to) &&
                       (i == best_n || best[i] != near_edits[e].to)) {
                memcpy(v, best, i); /* a doubled class is never in a key */
                v[i] = near_edits[e].to;
                memcpy(v + i + 1, best + i, best_n - i);
                o = best_n + 1;
            }
            if (o == 0)
                continue;
            v[o] = '\0';
            rc = match_into(s, name_key, max, keys, n, &cap, v);
        }
    }
    if (rc != KH_OK)
        drop_keys(keys, n);
    return rc;
}
