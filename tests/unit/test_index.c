/*
 * test_index.c -- the index end to end through the public API: add,
 * commit, search (words, phrases, boolean, fields, dates), update, delete,
 * reopen, snapshots, merges, corrupt files.  The articles are small,
 * hand-made, in Arabic, so every expectation can be checked by reading.
 */
#include "testutil.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct art {
    const char *id, *source, *date, *title, *body;
} art;

static const art sample[] = {
    {"a1", "spa", "2015-07-21", "وزير الخارجية يلتقي نظيره الروسي",
     "التقى وزير الخارجية السعودي نظيره الروسي في موسكو لبحث الأزمة السورية."},
    {"a2", "okaz", "2015-07-22", "أمطار غزيرة على جدة",
     "هطلت أمطار غزيرة على مدينة جدة وأعلن الدفاع المدني حالة الطوارئ."},
    {"a3", "alriyadh", "2015-07-23", "الحكومة تعلن ميزانية جديدة",
     "أعلنت الحكومة السعودية ميزانية جديدة تركز على التعليم والصحة، وقال "
     "الوزير إن الخارجية ليست ضمنها."},
    {"a4", "spa", "2015-08-01", "ولي العهد يستقبل وزير الخارجية الأمريكي",
     "استقبل ولي العهد وزير الخارجية الأمريكي وبحثا العلاقات الثنائية."},
    {"a5", "aawsat", "2015-08-02", "مباراة الهلال والنصر",
     "فاز الهلال على النصر في مباراة مثيرة أقيمت في الرياض أمس."},
    {"a6", "aawsat", "2015-08-03", "كازاخستان تحمي الروس الفارين",
     "أكد الرئيس الكازاخستاني توكاييف أن بلاده ستحمي الروس الذين يفرّون إلى "
     "كازاخستان، بحسب وكالة «فرانس برس»."},
};
#define N_SAMPLE (sizeof sample / sizeof sample[0])

static char dir[256];

static void
rmtree(const char *d)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
}

static kh_index *
open_ix(int create, int read_only)
{
    kh_index_options o = {.create = create, .read_only = read_only};
    kh_index *ix = NULL;
    kh_error err;
    kh_status rc = kh_index_open(dir, &o, &ix, &err);
    if (rc != KH_OK)
        fail_msg("open %s: %s", dir, err.message);
    return ix;
}

static void
add_one(kh_index *ix, const art *a, int *replaced)
{
    kh_article k = {a->id,   NULL, a->source,   a->title,
                    a->body, NULL, KH_DATE_NONE};
    assert_int_equal(kh_date_parse(a->date, strlen(a->date), &k.date), KH_OK);
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_index_add(ix, &k, replaced, &err);
    if (rc != KH_OK)
        fail_msg("add %s: %s (%s)", a->id, err.message, kh_strerror(rc));
}

static int
setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/khabar-test-index-%d", (int)getpid());
    rmtree(dir);
    kh_index *ix = open_ix(1, 0);
    for (size_t i = 0; i < N_SAMPLE; i++)
        add_one(ix, &sample[i], NULL);
    kh_error err;
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    kh_index_close(ix);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    rmtree(dir);
    return 0;
}

/* The ids of the hits of q, in rank order, space-separated. */
static void
ids(kh_index *ix, const char *q, int all, char *out, size_t cap)
{
    kh_search_options o = {50, 0, all, 1, NULL, NULL, 0, 0, 0, 0, 0};
    kh_results *r;
    kh_error err;
    kh_status rc = kh_index_search(ix, q, &o, &r, &err);
    if (rc != KH_OK)
        fail_msg("search %s: %s", q, err.message);
    out[0] = '\0';
    for (size_t i = 0; i < r->n_hits; i++) {
        if (i > 0)
            strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, r->hits[i].id, cap - strlen(out) - 1);
    }
    assert_int_equal(r->total, r->n_hits);
    kh_results_free(r);
}

#define assert_hits(ix, q, all, want)                                          \
    do {                                                                       \
        char got_[512];                                                        \
        ids((ix), (q), (all), got_, sizeof got_);                              \
        if (strcmp(got_, (want)) != 0)                                         \
            fail_msg("query %s: got [%s], want [%s]", (q), got_, (want));      \
    } while (0)

/* Sorted ids, for queries whose order is not the point. */
static void
sorted_ids(kh_index *ix, const char *q, char *out, size_t cap)
{
    char raw[512];
    ids(ix, q, 0, raw, sizeof raw);
    char *v[32];
    int n = 0;
    for (char *t = strtok(raw, " "); t && n < 32; t = strtok(NULL, " "))
        v[n++] = t;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            char *x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i > 0)
            strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, v[i], cap - strlen(out) - 1);
    }
}

#define assert_set(ix, q, want)                                                \
    do {                                                                       \
        char got_[512];                                                        \
        sorted_ids((ix), (q), got_, sizeof got_);                              \
        if (strcmp(got_, (want)) != 0)                                         \
            fail_msg("query %s: got {%s}, want {%s}", (q), got_, (want));      \
    } while (0)

static void
words_and_clitics(void **state)
{
    (void)state;
    kh_index *ix = open_ix(0, 1);
    /* الروسي, الروس: stems; كازاخستان finds الكازاخستاني too. */
    assert_set(ix, "روسيا", "a1 a6");
    assert_set(ix, "كازاخستان", "a6");
    assert_set(ix, "جده", "a2");      /* ة typed as ه */
    assert_set(ix, "امطار", "a2");    /* hamza dropped */
    assert_set(ix, "والحكومة", "a3"); /* clitics on the query */
    assert_set(ix, "فرانس برس", "a6");
    assert_set(ix, "يفرون", "a6");
    assert_set(ix, "لا_توجد_كلمة", "");
    /* The exact form ranks first: وزير الخارجية in a1's and a4's titles. */
    char got[256];
    ids(ix, "وزير الخارجية", 0, got, sizeof got);
    assert_true(strncmp(got, "a1", 2) == 0 || strncmp(got, "a4", 2) == 0);
    kh_index_close(ix);
}

static void
default_operator_and_all(void **state)
{
    (void)state;
    kh_index *ix = open_ix(0, 1);
    assert_set(ix, "الهلال جدة", "a2 a5"); /* any word, ranked */
    assert_hits(ix, "الهلال جدة", 1, "");  /* all words: none has both */
    assert_hits(ix, "الهلال النصر", 1, "a5");
    kh_index_close(ix);
}

static void
phrases(void **state)
{
    (void)state;
    kh_index *ix = open_ix(0, 1);
    /* a3 has الوزير and الخارجية but not side by side. */
    assert_set(ix, "\"وزير الخارجية\"", "a1 a4");
    assert_set(ix, "«ولي العهد»", "a4");
    assert_set(ix, "\"العهد ولي\"", "");
    /* A stop word inside a phrase keeps its gap: في موسكو. */
    assert_set(ix, "\"الروسي في موسكو\"", "a1");
    assert_set(ix, "\"الروسي موسكو\"", "");
    kh_index_close(ix);
}

static void
boolean_fields_dates(void **state)
{
    (void)state;
    kh_index *ix = open_ix(0, 1);
    assert_set(ix, "الخارجية -الأمريكي", "a1 a3");
    assert_set(ix, "جدة OR الهلال", "a2 a5");
    assert_set(ix, "(جدة OR الهلال) -النصر", "a2");
    assert_set(ix, "title:الخارجية", "a1 a4");
    assert_set(ix, "الخارجية source:spa", "a1 a4");
    assert_set(ix, "source:aawsat", "a5 a6");
    assert_set(ix, "source:AAWSAT", "a5 a6");
    assert_set(ix, "since:2015-08-01", "a4 a5 a6");
    assert_set(ix, "until:2015-07-22", "a1 a2");
    assert_set(ix, "الخارجية since:2015-07-22 until:2015-08-01", "a3 a4");
    assert_set(ix, "-الخارجية", "a2 a5 a6");
    kh_index_close(ix);
}

static void
syntax_errors_are_reported(void **state)
{
    (void)state;
    kh_index *ix = open_ix(0, 1);
    static const char *const bad[] = {"\"وزير الخارجية", "(جدة OR",
                                      "title:", "since:2015-13-45"};
    for (size_t i = 0; i < 4; i++) {
        kh_results *r = NULL;
        kh_error err;
        kh_status rc = kh_index_search(ix, bad[i], NULL, &r, &err);
        assert_int_equal(rc, KH_EINVAL);
        assert_null(r);
        assert_true(err.message[0] != '\0');
        assert_true(err.has_offset);
        assert_true(err.offset <= strlen(bad[i]));
    }
    kh_index_close(ix);
}

static void
snippets_and_show(void **state)
{
    (void)state;
    kh_index *ix = open_ix(0, 1);
    kh_search_options o = {5, 0, 0, 0, "[", "]", 0, 0, 0, 0, 0};
    kh_results *r;
    kh_error err;
    assert_int_equal(kh_index_search(ix, "الفارين كازاخستان", &o, &r, &err),
                     KH_OK);
    assert_int_equal(r->n_hits, 1);
    assert_string_equal(r->hits[0].id, "a6");
    assert_string_equal(r->hits[0].source, "aawsat");
    assert_non_null(strstr(r->hits[0].snippet, "[كازاخستان]"));
    assert_non_null(strstr(r->hits[0].snippet, "[الكازاخستاني]"));
    char date[32];
    kh_date_format(r->hits[0].date, date);
    assert_string_equal(date, "2015-08-03T00:00:00Z");
    kh_results_free(r);

    kh_doc *d;
    assert_int_equal(kh_index_get(ix, "a2", &d, &err), KH_OK);
    assert_string_equal(d->meta.title, "أمطار غزيرة على جدة");
    assert_non_null(strstr(d->body, "الدفاع المدني"));
    kh_doc_free(d);
    assert_int_equal(kh_index_get(ix, "zzz", &d, &err), KH_ENOTFOUND);
    kh_index_close(ix);
}

/* A phrase is marked where it stands, as one mark, and its words are not
 * marked on their own: "ولي العهد" marked every ولي and العهد apart, and
 * كوفيد-19 (a phrase of its parts) marked the 19 of COVID-19. */
static void
phrase_snippets(void **state)
{
    (void)state;
    char d[300];
    snprintf(d, sizeof d, "%s-phrase", dir);
    rmtree(d);
    kh_index_options io = {.create = 1};
    kh_index *ix = NULL;
    kh_error err;
    assert_int_equal(kh_index_open(d, &io, &ix, &err), KH_OK);
    static const char *const bodies[] = {
        "استقبل ولي ولي العهد وزير الخارجية، وقال ولي الأمر إن العهد جديد.",
        "قالت منظمة الصحة إن COVID-19 ما زال ينتشر، وإن لقاح كوفيد-19 آمن."};
    for (int i = 0; i < 2; i++) {
        char id[16];
        snprintf(id, sizeof id, "p%d", i);
        kh_article a = {id, NULL, "sabq", "خبر", bodies[i], NULL, KH_DATE_NONE};
        assert_int_equal(kh_index_add(ix, &a, NULL, &err), KH_OK);
    }
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    static const char *const cases[][2] = {
        {"\"ولي العهد\"", "استقبل ولي [ولي العهد] وزير الخارجية، وقال ولي "
                          "الأمر إن العهد جديد."},
        {"كوفيد-19", "قالت منظمة الصحة إن COVID-19 ما زال ينتشر، وإن لقاح "
                     "[كوفيد-19] آمن."},
        /* a word of its own is marked wherever it is */
        {"الأمر \"ولي العهد\"", "استقبل ولي [ولي العهد] وزير الخارجية، وقال "
                                "ولي [الأمر] إن العهد جديد."}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        kh_search_options o = {5, 0, 0, 0, "[", "]", 0, 0, 0, 1, 0};
        kh_results *r;
        assert_int_equal(kh_index_search(ix, cases[c][0], &o, &r, &err), KH_OK);
        assert_int_equal(r->n_hits, 1);
        assert_string_equal(r->hits[0].snippet, cases[c][1]);
        kh_results_free(r);
    }
    kh_index_close(ix);
    rmtree(d);
}

static void
update_delete_reopen(void **state)
{
    (void)state;
    kh_index *ix = open_ix(0, 0);
    art changed = {"a2", "okaz", "2015-07-30", "سيول في جدة",
                   "جرفت السيول سيارات في جدة."};
    int replaced = 0;
    add_one(ix, &changed, &replaced);
    assert_int_equal(replaced, 1);
    kh_error err;
    assert_int_equal(kh_index_delete(ix, "a5", &err), KH_OK);
    assert_int_equal(kh_index_delete(ix, "nope", &err), KH_ENOTFOUND);
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    kh_index_close(ix);

    ix = open_ix(0, 1);
    assert_set(ix, "جدة", "a2");
    assert_set(ix, "أمطار", ""); /* the old text of a2 is gone */
    assert_set(ix, "السيول", "a2");
    assert_set(ix, "الهلال", ""); /* a5 deleted */
    kh_index_stats st;
    assert_int_equal(kh_index_stats_get(ix, &st, &err), KH_OK);
    assert_int_equal(st.articles, N_SAMPLE - 1);
    kh_index_close(ix);
}

static void
replace_within_one_batch(void **state)
{
    (void)state;
    kh_index *ix = open_ix(0, 0);
    art first = {"b1", "sabq", "2015-08-04", "معرض الكتاب",
                 "افتتح معرض الكتاب"};
    art second = {"b1", "sabq", "2015-08-04", "مهرجان الصيف",
                  "انطلق مهرجان الصيف"};
    art other = {"b2", "sabq", "2015-08-04", "معرض السيارات",
                 "افتتح معرض السيارات"};
    int replaced = 0;
    add_one(ix, &first, &replaced);
    assert_int_equal(replaced, 0);
    add_one(ix, &other, NULL);
    add_one(ix, &second, &replaced); /* b1 again, not yet committed */
    assert_int_equal(replaced, 1);
    kh_error err;
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    kh_index_close(ix);
    ix = open_ix(0, 1);
    assert_set(ix, "مهرجان", "b1");
    assert_set(ix, "معرض", "b2"); /* the first text of b1 is gone */
    kh_index_stats st;
    assert_int_equal(kh_index_stats_get(ix, &st, &err), KH_OK);
    assert_int_equal(st.articles, N_SAMPLE - 1 + 2);
    kh_index_close(ix);
    ix = open_ix(0, 0);
    assert_int_equal(kh_index_delete(ix, "b1", &err), KH_OK);
    assert_int_equal(kh_index_delete(ix, "b2", &err), KH_OK);
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    kh_index_close(ix);
}

/* The same article again is left as it is (a feed read twice, a file
 * ingested again: replacing it re-clustered it, and it could leave its
 * story); a changed one is replaced, and replace_unchanged replaces an
 * unchanged one too. */
static void
unchanged_articles_stay(void **state)
{
    (void)state;
    char d[300];
    snprintf(d, sizeof d, "%s-same", dir);
    rmtree(d);
    kh_index_options o = {.create = 1, .single_thread = 1};
    kh_index *ix = NULL;
    kh_error err;
    assert_int_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
    for (size_t i = 0; i < N_SAMPLE; i++)
        add_one(ix, &sample[i], NULL);
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    int replaced = 0;
    add_one(ix, &sample[1], &replaced);
    assert_int_equal(replaced, 1);
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    kh_index_stats st;
    assert_int_equal(kh_index_stats_get(ix, &st, &err), KH_OK);
    assert_int_equal(st.articles, N_SAMPLE);
    assert_int_equal(st.deleted, 0);
    art changed = sample[1];
    changed.title = "أمطار غزيرة جدا على جدة";
    add_one(ix, &changed, &replaced);
    assert_int_equal(replaced, 1);
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    assert_int_equal(kh_index_stats_get(ix, &st, &err), KH_OK);
    assert_int_equal(st.deleted, 1);
    kh_index_close(ix);
    o.replace_unchanged = 1;
    assert_int_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
    add_one(ix, &sample[2], &replaced);
    assert_int_equal(replaced, 1);
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    assert_int_equal(kh_index_stats_get(ix, &st, &err), KH_OK);
    assert_int_equal(st.deleted, 2);
    assert_int_equal(st.articles, N_SAMPLE);
    kh_index_close(ix);
    rmtree(d);
}

static void
snapshots_are_stable(void **state)
{
    (void)state;
    kh_index *reader = open_ix(0, 1);
    kh_index *writer = open_ix(0, 0);
    art extra = {"a7", "sabq", "2015-08-05", "جدة تستعد للحج",
                 "تستعد جدة لاستقبال الحجاج."};
    add_one(writer, &extra, NULL);
    kh_error err;
    assert_int_equal(kh_index_commit(writer, &err), KH_OK);
    assert_set(reader, "الحجاج", ""); /* the reader's snapshot is older */
    assert_int_equal(kh_index_refresh(reader, &err), KH_OK);
    assert_set(reader, "الحجاج", "a7");
    /* A second writer is refused while the first is open. */
    kh_index_options o = {.stemmer = KH_STEMMER_LIGHT, .lock_wait_ms = -1};
    kh_index *second = NULL;
    assert_int_not_equal(kh_index_open(dir, &o, &second, &err), KH_OK);
    assert_null(second);
    assert_non_null(strstr(err.message, "another process"));
    kh_index_close(writer);
    kh_index_close(reader);
}

static void *
close_later(void *arg)
{
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    kh_index_close(arg);
    return NULL;
}

/* A writer waits for another process's write lock (lock_wait_ms), so
 * that a `khabar ingest` and the server's writer take turns. */
static void
writers_wait_their_turn(void **state)
{
    (void)state;
    kh_index *first = open_ix(0, 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, close_later, first), 0);
    kh_index_options o = {.lock_wait_ms = 5000};
    kh_index *second = NULL;
    kh_error err;
    kh_status rc = kh_index_open(dir, &o, &second, &err);
    assert_int_equal(pthread_join(t, NULL), 0);
    if (rc != KH_OK)
        fail_msg("the second writer did not wait: %s", err.message);
    kh_index_close(second);
}

/* The newest segment file of the index at d (the one a commit wrote). */
static void
newest_segment(const char *d, char *out, size_t cap)
{
    char db[512];
    snprintf(db, sizeof db, "%s/docs.db", d);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(
            h, "SELECT file FROM segments ORDER BY segid DESC LIMIT 1", -1, &st,
            NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, cap, "%s/%s", d, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
}

/* A refresh that fails (here a new segment file cut short) leaves the
 * reader's snapshot whole: the server goes on searching with it.  The
 * segments both snapshots share were taken from it before, and the next
 * search read a closed segment (SIGSEGV). */
static void
failed_refresh_keeps_snapshot(void **state)
{
    (void)state;
    char saved[sizeof dir];
    memcpy(saved, dir, sizeof dir);
    snprintf(dir, sizeof dir, "/tmp/khabar-test-refresh-%d", (int)getpid());
    rmtree(dir);
    kh_index *w = open_ix(1, 0);
    for (size_t i = 0; i < N_SAMPLE; i++)
        add_one(w, &sample[i], NULL);
    kh_error err;
    assert_int_equal(kh_index_commit(w, &err), KH_OK);
    kh_index *reader = open_ix(0, 1);
    art extra = {"r1", "sabq", "2015-08-05", "جدة تستعد للحج",
                 "تستعد جدة لاستقبال الحجاج."};
    add_one(w, &extra, NULL);
    assert_int_equal(kh_index_commit(w, &err), KH_OK);
    kh_index_close(w);
    char seg[600];
    newest_segment(dir, seg, sizeof seg);
    assert_int_equal(truncate(seg, 16), 0);
    assert_int_not_equal(kh_index_refresh(reader, &err), KH_OK);
    assert_set(reader, "روسيا", "a1 a6");
    assert_set(reader, "الحجاج", "");
    kh_index_close(reader);
    rmtree(dir);
    memcpy(dir, saved, sizeof dir);
}

static void
many_commits_merge(void **state)
{
    (void)state;
    kh_index *ix = open_ix(0, 0);
    kh_error err;
    for (int round = 0; round < 14; round++) {
        char id[32], body[256];
        snprintf(id, sizeof id, "m%d", round);
        snprintf(body, sizeof body, "خبر رقم %d عن السوق المالية والأسهم",
                 round);
        art a = {id, "sabq", "2015-08-06", "السوق المالية", body};
        add_one(ix, &a, NULL);
        assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    }
    kh_index_stats st;
    assert_int_equal(kh_index_stats_get(ix, &st, &err), KH_OK);
    assert_true(st.segments <= 10); /* merged along the way */
    kh_index_close(ix);
    ix = open_ix(0, 1);
    kh_search_options o = {50, 0, 0, 1, NULL, NULL, 0, 0, 0, 0, 0};
    kh_results *r;
    assert_int_equal(kh_index_search(ix, "الأسهم", &o, &r, &err), KH_OK);
    assert_int_equal(r->total, 14);
    kh_results_free(r);
    assert_set(ix, "\"رقم 7\"", "m7");
    assert_set(ix, "كازاخستان", "a6"); /* older articles survive merges */
    kh_index_close(ix);
}

/* Builds an index of n generated articles, with a 1 MB buffer so that
 * segments are flushed (and merged) while articles are queued, some
 * articles replaced and some deleted; returns it open for reading. */
static kh_index *
build_generated(const char *d, int single_thread, int n)
{
    static const char *const words[] = {
        "السوق", "المالية", "الأسهم",  "النفط",  "الرياض",   "جدة",
        "الحج",  "الطقس",   "المطر",   "الهلال", "النصر",    "الأمطار",
        "وزارة", "الصحة",   "التعليم", "كورونا", "الاقتصاد", "مجلس"};
    const size_t nw = sizeof words / sizeof words[0];
    kh_index_options o = {
        .create = 1, .buffer_mb = 1, .single_thread = single_thread};
    kh_index *ix = NULL;
    kh_error err;
    assert_int_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
    unsigned seed = 7;
    static char body[8192];
    for (int i = 0; i < n; i++) {
        size_t len = 0;
        for (int w = 0; w < 300; w++) {
            seed = seed * 1103515245u + 12345u;
            const char *word = words[(seed >> 16) % nw];
            len += (size_t)snprintf(body + len, sizeof body - len, "%s%s",
                                    w ? " " : "", word);
        }
        char id[32];
        /* every 10th article replaces an earlier one */
        snprintf(id, sizeof id, "g%d", i % 10 == 9 ? i / 2 : i);
        kh_article a = {id,   NULL, "sabq",      words[i % nw],
                        body, NULL, KH_DATE_NONE};
        assert_int_equal(kh_index_add(ix, &a, NULL, &err), KH_OK);
        if (i % 97 == 96) {
            snprintf(id, sizeof id, "g%d", (i - 50) / 10 * 10);
            assert_int_equal(kh_index_delete(ix, id, &err), KH_OK);
        }
    }
    /* One segment at the end: where the flushes fell depends on how far
     * the feeder had got, and a deleted article counts in its term's df
     * until a merge drops it, so scores agree only once both are merged. */
    assert_int_equal(kh_index_optimize(ix, &err), KH_OK);
    kh_index_close(ix);
    o.create = 0;
    o.read_only = 1;
    assert_int_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
    return ix;
}

static void
feeder_thread_matches_inline(void **state)
{
    (void)state;
    char d1[300], d2[300];
    snprintf(d1, sizeof d1, "%s-inline", dir);
    snprintf(d2, sizeof d2, "%s-thread", dir);
    rmtree(d1);
    rmtree(d2);
    kh_index *a = build_generated(d1, 1, 3000);
    kh_index *b = build_generated(d2, 0, 3000);
    static const char *const queries[] = {"السوق", "النفط الرياض",
                                          "\"الحج الطقس\"",
                                          "الهلال OR title:النصر", "title:جدة"};
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        kh_search_options o = {20, 0, 0, 1, NULL, NULL, 0, 1, 0, 0, 0};
        kh_results *x, *y;
        kh_error err;
        assert_int_equal(kh_index_search(a, queries[q], &o, &x, &err), KH_OK);
        assert_int_equal(kh_index_search(b, queries[q], &o, &y, &err), KH_OK);
        if (x->n_hits == 0)
            fail_msg("no hits for %s", queries[q]);
        assert_int_equal(x->total, y->total);
        assert_int_equal(x->n_hits, y->n_hits);
        for (size_t i = 0; i < x->n_hits; i++) {
            assert_string_equal(x->hits[i].id, y->hits[i].id);
            assert_true(x->hits[i].score == y->hits[i].score);
        }
        kh_results_free(x);
        kh_results_free(y);
    }
    kh_index_stats sa, sb;
    kh_error err;
    assert_int_equal(kh_index_stats_get(a, &sa, &err), KH_OK);
    assert_int_equal(kh_index_stats_get(b, &sb, &err), KH_OK);
    assert_int_equal(sa.articles, sb.articles);
    assert_true(sa.articles > 2000 && sa.articles < 3000);
    kh_index_close(a);
    kh_index_close(b);
    rmtree(d1);
    rmtree(d2);
}

/* With exact forms indexed, an article with the query's very form ranks
 * above a newer one with another form of the same stem; without, they tie
 * and the newer comes first. */
static void
exact_forms_option(void **state)
{
    (void)state;
    for (int exact = 0; exact <= 1; exact++) {
        char d[300];
        snprintf(d, sizeof d, "%s-exact%d", dir, exact);
        rmtree(d);
        kh_index_options o = {.create = 1, .exact_forms = exact};
        kh_index *ix = NULL;
        kh_error err;
        assert_int_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
        kh_article a = {
            "x1", NULL,        NULL, "خبر", "اجتمعت الحكومة المنطقة",
            NULL, KH_DATE_NONE};
        kh_article b = {"x2", NULL,        NULL, "خبر", "اجتمعت حكومات المنطقة",
                        NULL, KH_DATE_NONE};
        assert_int_equal(kh_index_add(ix, &a, NULL, &err), KH_OK);
        assert_int_equal(kh_index_add(ix, &b, NULL, &err), KH_OK);
        assert_int_equal(kh_index_commit(ix, &err), KH_OK);
        kh_index_stats st;
        assert_int_equal(kh_index_stats_get(ix, &st, &err), KH_OK);
        assert_int_equal(st.exact_forms, exact);
        kh_index_close(ix);
        o.create = 0;
        o.read_only = 1;
        assert_int_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
        assert_hits(ix, "الحكومة", 0, exact ? "x1 x2" : "x2 x1");
        kh_index_close(ix);
        rmtree(d);
    }
}

/* Checkpoints run on a thread of their own after commits (store.c): with
 * a threshold of one frame, every commit starts one while the writer goes
 * on adding and committing; the pages reach docs.db before the writer
 * closes, and every committed article is found after it. */
static void
background_checkpoints(void **state)
{
    (void)state;
    char d[300];
    snprintf(d, sizeof d, "%s-ckpt", dir);
    rmtree(d);
    setenv("KHABAR_CHECKPOINT_FRAMES", "1", 1);
    kh_index_options o = {.create = 1};
    kh_index *ix = NULL;
    kh_error err;
    assert_int_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
    char db[400];
    snprintf(db, sizeof db, "%s/docs.db", d);
    struct stat before;
    assert_int_equal(stat(db, &before), 0);
    static char body[20000];
    for (int i = 0; i < 60; i++) {
        size_t len = 0;
        for (int w = 0; w < 600; w++)
            len += (size_t)snprintf(body + len, sizeof body - len, "%s%s%d",
                                    w ? " " : "", "كلمة", (i * 600 + w) % 997);
        char id[32];
        snprintf(id, sizeof id, "c%d", i);
        kh_article a = {id, NULL, "sabq", "عنوان", body, NULL, KH_DATE_NONE};
        assert_int_equal(kh_index_add(ix, &a, NULL, &err), KH_OK);
        if (i % 6 == 5)
            assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    }
    /* Wait, bounded, for a checkpoint to have copied pages into docs.db
     * while the writer is still open: in WAL mode nothing else makes it
     * grow (the bodies are in bodies.khb). */
    struct stat after;
    for (int t = 0; t < 500; t++) {
        assert_int_equal(stat(db, &after), 0);
        if (after.st_size > before.st_size)
            break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    assert_true(after.st_size > before.st_size);
    kh_index_close(ix);
    unsetenv("KHABAR_CHECKPOINT_FRAMES");
    o.create = 0;
    o.read_only = 1;
    assert_int_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
    kh_index_stats st;
    assert_int_equal(kh_index_stats_get(ix, &st, &err), KH_OK);
    assert_int_equal(st.articles, 60);
    kh_doc *doc = NULL;
    assert_int_equal(kh_index_get(ix, "c59", &doc, &err), KH_OK);
    assert_non_null(strstr(doc->body, "كلمة"));
    kh_doc_free(doc);
    kh_index_close(ix);
    rmtree(d);
}

/* Top-k pruning (MaxScore with block impacts) returns the same scores as
 * scoring every match, on terms long enough to have many blocks, with
 * phrases among them or alone. */
static void
pruning_matches_exhaustive(void **state)
{
    (void)state;
    char d[300];
    snprintf(d, sizeof d, "%s-prune", dir);
    rmtree(d);
    kh_index *ix = build_generated(d, 0, 3000);
    static const char *const queries[] = {
        "السوق", "النفط", "النفط الرياض", "الهلال النصر الأمطار",
        "وزارة الصحة التعليم", "مجلس",
        /* phrases in the disjunction,
         * bounded by their words */
        "\"وزارة الصحة\"", "\"وزارة الصحة\" التعليم",
        "الطقس \"النصر الهلال\" جدة"};
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        for (int limit = 10; limit <= 100; limit += 90) {
            kh_search_options o = {
                (size_t)limit, 0, 0, 1, NULL, NULL, 0, 0, 0, 0, 0};
            kh_search_options ox = o;
            ox.exhaustive = 1;
            kh_results *x, *y;
            kh_error err;
            assert_int_equal(kh_index_search(ix, queries[q], &o, &x, &err),
                             KH_OK);
            assert_int_equal(kh_index_search(ix, queries[q], &ox, &y, &err),
                             KH_OK);
            assert_int_equal(x->n_hits, (size_t)limit);
            /* One word: only block impacts can skip documents, and the
             * total is then a lower bound. */
            if (q == 0 && limit == 10) {
                assert_int_equal(x->total_exact, 0);
                assert_true(x->total < y->total);
            }
            assert_int_equal(x->n_hits, y->n_hits);
            for (size_t i = 0; i < x->n_hits; i++)
                /* equal but for the order the terms were summed in */
                if (fabs(x->hits[i].score - y->hits[i].score) > 1e-9)
                    fail_msg("%s, hit %zu: pruned %.9f, exhaustive %.9f",
                             queries[q], i, x->hits[i].score, y->hits[i].score);
            kh_results_free(x);
            kh_results_free(y);
        }
    }
    kh_index_close(ix);
    rmtree(d);
}

/* newest: the newest matches of all, not the newest of the best.  Old
 * articles say the word often (the best by relevance), new ones once; the
 * dates are shuffled against the order of arrival, and some articles have
 * none (last). */
static void
newest_matches(void **state)
{
    (void)state;
    char d[300];
    snprintf(d, sizeof d, "%s-newest", dir);
    rmtree(d);
    kh_index_options o = {.create = 1, .single_thread = 1};
    kh_index *ix = NULL;
    kh_error err;
    assert_int_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
    enum { N = 400 };
    static char body[8192];
    for (int i = 0; i < N; i++) {
        int rank = (i * 7919) % N; /* a permutation: the date's order */
        size_t len = 0;
        /* the older, the more often the word */
        for (int w = 0; w < 60; w++)
            len += (size_t)snprintf(body + len, sizeof body - len, "%s ",
                                    w < (N - rank) / 20 + 1 ? "النفط"
                                    : i % 3 == 0            ? "السوق"
                                                            : "الرياض");
        char id[32], title[64];
        snprintf(id, sizeof id, "n%d", i);
        snprintf(title, sizeof title, "عنوان %d", i);
        int64_t date =
            i % 50 == 0 ? KH_DATE_NONE : 1600000000 + (int64_t)rank * 3600;
        kh_article a = {id, NULL, "sabq", title, body, NULL, date};
        assert_int_equal(kh_index_add(ix, &a, NULL, &err), KH_OK);
    }
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    static const char *const queries[] = {"النفط", "النفط الرياض",
                                          "النفط -السوق", "title:عنوان"};
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        kh_search_options all = {
            .limit = N, .no_collapse = 1, .exhaustive = 1, .no_snippets = 1};
        kh_search_options nw = {
            .limit = 20, .no_collapse = 1, .newest = 1, .no_snippets = 1};
        kh_results *x, *y;
        assert_int_equal(kh_index_search(ix, queries[q], &all, &x, &err),
                         KH_OK);
        assert_int_equal(kh_index_search(ix, queries[q], &nw, &y, &err), KH_OK);
        /* the dates of every match, newest first */
        int64_t dates[N];
        size_t n = x->n_hits;
        for (size_t i = 0; i < n; i++)
            dates[i] = x->hits[i].date;
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && dates[j] > dates[j - 1]; j--) {
                int64_t t = dates[j];
                dates[j] = dates[j - 1];
                dates[j - 1] = t;
            }
        assert_true(n > 100);
        assert_int_equal(y->n_hits, 20);
        assert_int_equal(y->total, x->total);
        for (size_t i = 0; i < y->n_hits; i++) {
            if (y->hits[i].date != dates[i])
                fail_msg("%s, hit %zu: %lld, the newest is %lld", queries[q], i,
                         (long long)y->hits[i].date, (long long)dates[i]);
            assert_true(y->hits[i].score == 0);
        }
        kh_results_free(x);
        kh_results_free(y);
    }
    /* undated articles come last */
    kh_search_options tail = {
        .limit = N, .no_collapse = 1, .newest = 1, .no_snippets = 1};
    kh_results *z;
    assert_int_equal(kh_index_search(ix, "النفط", &tail, &z, &err), KH_OK);
    assert_int_equal(z->hits[z->n_hits - 1].date, KH_DATE_NONE);
    assert_true(z->hits[z->n_hits - N / 50 - 1].date != KH_DATE_NONE);
    kh_results_free(z);
    kh_index_close(ix);
    rmtree(d);
}

/* Identical copies of an article score exactly the same; the ties are
 * ordered by docid, and a page at any offset lists the same hits as the
 * same ranks of one long page, whatever k pruning ran with.  (Pruning
 * used to drop a tied copy that reached but did not beat the k-th score,
 * so the pages of one query skipped some copies and repeated others.) */
static void
pages_agree_on_ties(void **state)
{
    (void)state;
    char d[300];
    snprintf(d, sizeof d, "%s-ties", dir);
    rmtree(d);
    static const char *const words[] = {"السوق", "النفط",   "الرياض",
                                        "جدة",   "الهلال",  "النصر",
                                        "الطقس", "التعليم", "مجلس"};
    const size_t nw = sizeof words / sizeof words[0];
    kh_index_options io = {.create = 1, .buffer_mb = 1};
    kh_index *ix = NULL;
    kh_error err;
    assert_int_equal(kh_index_open(d, &io, &ix, &err), KH_OK);
    unsigned seed = 11;
    char body[1024];
    for (int i = 0; i < 400; i++) {
        size_t len = 0;
        int nwords = 4 + i % 13;
        for (int w = 0; w < nwords; w++) {
            seed = seed * 1103515245u + 12345u;
            len += (size_t)snprintf(body + len, sizeof body - len, "%s%s",
                                    w ? " " : "", words[(seed >> 16) % nw]);
        }
        for (int copy = 0; copy < 5; copy++) {
            char id[32];
            snprintf(id, sizeof id, "t%d-%d", i, copy);
            kh_article a = {id, NULL, "sabq", "خبر", body, NULL, KH_DATE_NONE};
            assert_int_equal(kh_index_add(ix, &a, NULL, &err), KH_OK);
        }
    }
    assert_int_equal(kh_index_optimize(ix, &err), KH_OK);
    static const char *const queries[] = {"النفط", "الهلال النصر",
                                          "السوق \"الرياض جدة\""};
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        kh_search_options all = {300, 0, 0, 1, NULL, NULL, 0, 0, 1, 1, 0};
        kh_results *whole;
        assert_int_equal(kh_index_search(ix, queries[q], &all, &whole, &err),
                         KH_OK);
        assert_int_equal(whole->n_hits, 300);
        for (size_t limit = 7; limit <= 10; limit += 3) {
            for (size_t off = 0; off + limit <= 300; off += limit) {
                kh_search_options o = all;
                o.limit = limit;
                o.offset = off;
                kh_results *page;
                assert_int_equal(
                    kh_index_search(ix, queries[q], &o, &page, &err), KH_OK);
                assert_int_equal(page->n_hits, limit);
                for (size_t i = 0; i < limit; i++)
                    if (strcmp(page->hits[i].id, whole->hits[off + i].id))
                        fail_msg("%s, -n %zu --offset %zu, hit %zu: %s "
                                 "(%.9f), the long page has %s (%.9f)",
                                 queries[q], limit, off, i, page->hits[i].id,
                                 page->hits[i].score, whole->hits[off + i].id,
                                 whole->hits[off + i].score);
                kh_results_free(page);
            }
        }
        kh_results_free(whole);
    }
    kh_index_close(ix);
    rmtree(d);
}

/* Copies the test index to copy, then runs the shell command damage with
 * its one %s replaced by copy. */
static void
copy_and_damage(const char *copy, const char *damage)
{
    char cmd[800];
    rmtree(copy);
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", dir, copy);
    assert_int_equal(system(cmd), 0);
    const char *pct = strstr(damage, "%s");
    assert_non_null(pct);
    snprintf(cmd, sizeof cmd, "%.*s%s%s", (int)(pct - damage), damage, copy,
             pct + 2);
    assert_int_equal(system(cmd), 0);
}

static void
corrupt_segment_is_an_error(void **state)
{
    (void)state;
    /* Copy the index, then damage its segment files in several ways. */
    char copy[300];
    snprintf(copy, sizeof copy, "%s-copy", dir);
    static const char *const damage[] = {
        "truncate -s 100 %s/seg-*.khs",
        "truncate -s -9 %s/seg-*.khs",
        "for f in %s/seg-*.khs; do printf 'XXXXXXXX' | dd of=$f bs=1 seek=0 "
        "conv=notrunc 2>/dev/null; done",
        "for f in %s/seg-*.khs; do printf '\\377\\377\\377\\377' | dd of=$f "
        "bs=1 seek=8 conv=notrunc 2>/dev/null; done",
        "rm %s/seg-*.khs",
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        copy_and_damage(copy, damage[i]);
        kh_index_options o = {.read_only = 1};
        kh_index *ix = NULL;
        kh_error err;
        memset(&err, 0, sizeof err);
        kh_status rc = kh_index_open(copy, &o, &ix, &err);
        if (rc == KH_OK)
            fail_msg("damage %zu: the index opened", i);
        assert_null(ix);
        assert_true(strstr(err.message, "seg-") != NULL);
    }
    rmtree(copy);
}

/* The body of article id through the API; fails the test unless rc is
 * want, and then (when want is an error) unless the message names what. */
static void
expect_body(const char *d, const char *id, kh_status want, const char *text)
{
    kh_index_options o = {.read_only = 1};
    kh_index *ix = NULL;
    kh_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
    kh_doc *doc = NULL;
    kh_status rc = kh_index_get(ix, id, &doc, &err);
    if (rc != want)
        fail_msg("get %s: %s, wanted %s (%s)", id, kh_strerror(rc),
                 kh_strerror(want), err.message);
    if (want == KH_OK)
        assert_string_equal(doc->body, text);
    else if (strstr(err.message, text) == NULL)
        fail_msg("get %s: message \"%s\" does not name %s", id, err.message,
                 text);
    kh_doc_free(doc);
    kh_index_close(ix);
}

static void
sql(const char *d, const char *stmt)
{
    char path[400];
    snprintf(path, sizeof path, "%s/docs.db", d);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, stmt, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", stmt, msg);
    sqlite3_close(db);
}

static void
bodies_in_their_own_file(void **state)
{
    (void)state;
    /* docs.db holds a 16-byte locator per body, not the text. */
    char path[400];
    snprintf(path, sizeof path, "%s/docs.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*), sum(typeof(body)="
                                        "'blob' AND length(body)=16) FROM docs",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_true(sqlite3_column_int(st, 0) >= (int)N_SAMPLE);
    assert_int_equal(sqlite3_column_int(st, 1), sqlite3_column_int(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    expect_body(dir, "a6", KH_OK, sample[5].body);

    char copy[300], cmd[800];
    snprintf(copy, sizeof copy, "%s-bodies", dir);
    /* A body kept in docs.db as text (an index from before bodies.khb)
     * is read as it is. */
    rmtree(copy);
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", dir, copy);
    assert_int_equal(system(cmd), 0);
    sql(copy, "UPDATE docs SET body='نص قديم' WHERE key='a2'");
    expect_body(copy, "a2", KH_OK, "نص قديم");
    expect_body(copy, "a6", KH_OK, sample[5].body);

    /* Bodies added and rolled back leave bytes that nothing refers to;
     * what is added next is read back whole. */
    kh_index_options w = {0};
    kh_index *ix = NULL;
    kh_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(kh_index_open(copy, &w, &ix, &err), KH_OK);
    art gone = {"gone", "spa", "2015-09-01", "عنوان", "نص لن يحفظ أبدا"};
    add_one(ix, &gone, NULL);
    kh_index_close(ix); /* no commit */
    assert_int_equal(kh_index_open(copy, &w, &ix, &err), KH_OK);
    art kept = {"kept", "spa", "2015-09-02", "عنوان آخر", "نص محفوظ بعد ذلك"};
    add_one(ix, &kept, NULL);
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    kh_index_close(ix);
    expect_body(copy, "gone", KH_ENOTFOUND, "gone");
    expect_body(copy, "kept", KH_OK, kept.body);
    expect_body(copy, "a6", KH_OK, sample[5].body);

    /* A truncated or damaged body file is an error that names it. */
    static const char *const damage[] = {
        "truncate -s 100 '%s/bodies.khb'",
        "printf 'XX' | dd of='%s/bodies.khb' bs=1 seek=40 conv=notrunc "
        "2>/dev/null",
        "rm '%s/bodies.khb'",
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        copy_and_damage(copy, damage[i]);
        /* a1's body is the first in the file, a6's the last */
        expect_body(copy, i == 1 ? "a1" : "a6", KH_EIO, "bodies.khb");
    }
    /* A writer refuses a file that is not a body file. */
    snprintf(cmd, sizeof cmd,
             "printf 'not a body file at all' > '%s/bodies.khb'", copy);
    assert_int_equal(system(cmd), 0);
    memset(&err, 0, sizeof err);
    assert_int_not_equal(kh_index_open(copy, &w, &ix, &err), KH_OK);
    assert_non_null(strstr(err.message, "bodies.khb"));
    rmtree(copy);
}

static void
not_an_index(void **state)
{
    (void)state;
    kh_index_options o = {.read_only = 1};
    kh_index *ix = NULL;
    kh_error err;
    assert_int_equal(kh_index_open("/nonexistent/khabar", &o, &ix, &err),
                     KH_ENOTFOUND);
    assert_non_null(strstr(err.message, "no index"));
    char d[300];
    snprintf(d, sizeof d, "%s-junk", dir);
    rmtree(d);
    mkdir(d, 0755);
    char f[400];
    snprintf(f, sizeof f, "%s/docs.db", d);
    FILE *fp = fopen(f, "w");
    assert_non_null(fp);
    fputs("this is not a database, just text\n", fp);
    fclose(fp);
    assert_int_not_equal(kh_index_open(d, &o, &ix, &err), KH_OK);
    assert_null(ix);
    assert_true(err.message[0] != '\0');
    rmtree(d);
    /* a stemmer the library does not know is refused before anything is
     * written (it was committed as "unknown", and every later open failed) */
    kh_index_options bad = {.create = 1, .stemmer = (kh_stemmer_kind)99};
    assert_int_equal(kh_index_open(d, &bad, &ix, &err), KH_EINVAL);
    assert_null(ix);
    kh_index_options good = {.create = 1};
    assert_int_equal(kh_index_open(d, &good, &ix, &err), KH_OK);
    kh_index_close(ix);
    rmtree(d);
    /* a missing parent is said as such, not as "no index" */
    snprintf(f, sizeof f, "%s-none/a/b", d);
    assert_int_equal(kh_index_open(f, &good, &ix, &err), KH_ENOTFOUND);
    assert_non_null(strstr(err.message, "cannot make the index directory"));
    /* no date formats as nothing */
    char buf[32] = "x";
    kh_date_format(KH_DATE_NONE, buf);
    assert_string_equal(buf, "");
}

/* Each thread with its own handle: searches at the same time must give
 * what one search alone gives (the library once shared a sort's context
 * between threads, and the server's load test crashed on it). */
#define T_QUERIES 6
static const char *const t_queries[T_QUERIES] = {
    "السوق المالية",         "النفط الرياض الحج",    "\"وزارة الصحة\" التعليم",
    "الهلال OR النصر الطقس", "كورونا الاقتصاد مجلس", "المطر جدة الأمطار"};
static char t_expect[T_QUERIES][512];
static const char *t_dir;

static void
t_ids(kh_index *ix, const char *q, char *out, size_t cap)
{
    kh_search_options so = {.limit = 20};
    kh_results *res;
    kh_error err;
    out[0] = '\0';
    if (kh_index_search(ix, q, &so, &res, &err) != KH_OK)
        return;
    size_t len = 0;
    for (size_t i = 0; i < res->n_hits && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s:%.6f ",
                                res->hits[i].id, res->hits[i].score);
    kh_results_free(res);
}

static void *
t_worker(void *arg)
{
    long *mismatches = arg;
    kh_index_options o = {.read_only = 1};
    kh_index *ix;
    kh_error err;
    if (kh_index_open(t_dir, &o, &ix, &err) != KH_OK) {
        (*mismatches)++;
        return NULL;
    }
    char got[512];
    for (int round = 0; round < 60; round++)
        for (int q = 0; q < T_QUERIES; q++) {
            t_ids(ix, t_queries[q], got, sizeof got);
            if (strcmp(got, t_expect[q]) != 0)
                (*mismatches)++;
        }
    kh_index_close(ix);
    return NULL;
}

static void
threads_search_alone(void **state)
{
    (void)state;
    char d[300];
    snprintf(d, sizeof d, "%s-threads", dir);
    rmtree(d);
    kh_index *ix = build_generated(d, 1, 1500);
    for (int q = 0; q < T_QUERIES; q++) {
        t_ids(ix, t_queries[q], t_expect[q], sizeof t_expect[q]);
        assert_true(strlen(t_expect[q]) > 20);
    }
    kh_index_close(ix);
    t_dir = d;
    pthread_t t[4];
    long mismatches[4] = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, t_worker, &mismatches[i]),
                         0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(mismatches[i], 0);
    }
    rmtree(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_and_clitics),
        cmocka_unit_test(default_operator_and_all),
        cmocka_unit_test(phrases),
        cmocka_unit_test(boolean_fields_dates),
        cmocka_unit_test(syntax_errors_are_reported),
        cmocka_unit_test(snippets_and_show),
        cmocka_unit_test(phrase_snippets),
        cmocka_unit_test(update_delete_reopen),
        cmocka_unit_test(replace_within_one_batch),
        cmocka_unit_test(snapshots_are_stable),
        cmocka_unit_test(unchanged_articles_stay),
        cmocka_unit_test(writers_wait_their_turn),
        cmocka_unit_test(failed_refresh_keeps_snapshot),
        cmocka_unit_test(many_commits_merge),
        cmocka_unit_test(feeder_thread_matches_inline),
        cmocka_unit_test(exact_forms_option),
        cmocka_unit_test(pruning_matches_exhaustive),
        cmocka_unit_test(newest_matches),
        cmocka_unit_test(pages_agree_on_ties),
        cmocka_unit_test(background_checkpoints),
        cmocka_unit_test(corrupt_segment_is_an_error),
        cmocka_unit_test(bodies_in_their_own_file),
        cmocka_unit_test(not_an_index),
        cmocka_unit_test(threads_search_alone),
    };
    return cmocka_run_group_tests_name("index", tests, setup, teardown);
}
