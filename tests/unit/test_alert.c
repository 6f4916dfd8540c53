/*
 * test_alert.c -- saved searches and their mails (src/alert/): what a
 * saved query matches, the index of queries against the naive matcher,
 * signed links, encoded headers, and the flow of the public API from
 * subscribing to a queued digest; saved entity: searches, also matched
 * by a reader whose snapshot lags the writer.
 */
#include "testutil.h"

#include <openssl/evp.h>
#include <unistd.h>

#include "alert/alert.h"

static kh_analyzer *
analyzer(void)
{
    kh_analyzer *a;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    return a;
}

static kh_qnode *
parse(kh_analyzer *a, const char *q)
{
    kh_qnode *t = NULL;
    kh_error err;
    if (kh__query_parse(q, strlen(q), a, &t, &err) != KH_OK)
        fail_msg("parse %s: %s", q, err.message);
    return t;
}

static int
matches(kh_analyzer *a, const char *title, const char *body, const char *source,
        const char *q)
{
    kh_mdoc *d;
    assert_int_equal(kh__mdoc_new(&d), KH_OK);
    int64_t date = 1664236800; /* 2022-09-27 */
    assert_int_equal(kh__mdoc_fill(d, a, title, body, source, date), KH_OK);
    kh_qnode *t = parse(a, q);
    int m = kh__mdoc_matches(d, t);
    kh__query_free(t);
    kh__mdoc_free(d);
    return m;
}

static const char T[] = "كازاخستان تحمي الروس الفارين من التعبئة";
static const char B[] =
    "قال الرئيس الكازاخستاني قاسم جومارت توكاييف الثلاثاء إن بلاده ستحمي "
    "الروس الذين يفرّون من التعبئة، بحسب وكالة فرانس برس.";

static void
saved_query_semantics(void **state)
{
    (void)state;
    kh_analyzer *a = analyzer();
    /* juxtaposed words are all required, stop words among them are not */
    assert_true(matches(a, T, B, "afp", "توكاييف الروس"));
    assert_true(matches(a, T, B, "afp", "توكاييف في الروس"));
    assert_false(matches(a, T, B, "afp", "توكاييف بوتين"));
    /* clitics and spelling variants, as search does */
    assert_true(matches(a, T, B, "afp", "وتوكاييف كازاخستان"));
    /* OR needs one side */
    assert_true(matches(a, T, B, "afp", "بوتين OR توكاييف"));
    assert_false(matches(a, T, B, "afp", "بوتين OR لافروف"));
    assert_true(matches(a, T, B, "afp", "(بوتين OR توكاييف) التعبئة"));
    /* exclusions */
    assert_false(matches(a, T, B, "afp", "توكاييف -التعبئة"));
    assert_true(matches(a, T, B, "afp", "توكاييف -أوكرانيا"));
    /* phrases: adjacent, in order */
    assert_true(matches(a, T, B, "afp", "\"فرانس برس\""));
    assert_false(matches(a, T, B, "afp", "\"برس فرانس\""));
    assert_true(matches(a, T, B, "afp", "\"قاسم جومارت توكاييف\""));
    /* title: looks in the title only; a phrase never spans title and body */
    assert_true(matches(a, T, B, "afp", "title:كازاخستان"));
    assert_false(matches(a, T, B, "afp", "title:توكاييف"));
    assert_false(matches(a, T, B, "afp", "\"التعبئة الرئيس\""));
    /* filters */
    assert_true(matches(a, T, B, "AFP", "توكاييف source:afp"));
    assert_false(matches(a, T, B, "spa", "توكاييف source:afp"));
    assert_true(matches(a, T, B, "afp", "توكاييف since:2022-09-01"));
    assert_false(matches(a, T, B, "afp", "توكاييف until:2022-09-01"));
    /* what cannot be saved */
    kh_qnode *t = parse(a, "story:snn-1 توكاييف");
    assert_non_null(kh__perc_unsupported(t));
    kh__query_free(t);
    t = parse(a, "-توكاييف");
    assert_non_null(kh__perc_unsupported(t));
    kh__query_free(t);
    t = parse(a, "في من");
    assert_non_null(kh__perc_unsupported(t));
    kh__query_free(t);
    t = parse(a, "source:afp");
    assert_null(kh__perc_unsupported(t));
    kh__query_free(t);
    kh_analyzer_free(a);
}

/* The articles an entity: node stands for, as the caller of
 * kh__perc_entities would set them: "توكاييف" is in 3 and 9. */
static kh_status
set_entity_docs(kh_qnode *q, void *ud)
{
    (void)ud;
    static const uint64_t tok[] = {3, 9};
    q->n_docids = 0;
    if (strcmp(q->value, "توكاييف") != 0)
        return KH_OK;
    q->docids = kh_malloc(sizeof tok);
    memcpy(q->docids, tok, sizeof tok);
    q->n_docids = 2;
    return KH_OK;
}

static void
count_match(int64_t id, void *ud)
{
    (void)id;
    (*(int *)ud)++;
}

/* entity: can be saved; it holds for the articles the index lists under
 * the name (by docid), alone or with words and exclusions. */
static void
saved_entity(void **state)
{
    (void)state;
    kh_analyzer *a = analyzer();
    kh_qnode *t = parse(a, "entity:توكاييف");
    assert_null(kh__perc_unsupported(t));
    kh__query_free(t);
    t = parse(a, "entity:\"...\" الروس"); /* no letter to look up */
    assert_non_null(kh__perc_unsupported(t));
    kh__query_free(t);
    t = parse(a, "entity:Ωμέγα"); /* no key either, as search finds */
    assert_non_null(kh__perc_unsupported(t));
    kh__query_free(t);
    t = parse(a, "entity:PER:KSM-JMRT-TKF"); /* an entity key */
    assert_null(kh__perc_unsupported(t));
    kh__query_free(t);
    kh_percolator *p;
    assert_int_equal(kh__perc_new(&p), KH_OK);
    static const char *const qs[] = {
        "entity:توكاييف", "entity:Obama", "entity:توكاييف الروس",
        "entity:توكاييف -الروس", "entity:Obama OR الروس"};
    for (int i = 0; i < 5; i++)
        assert_int_equal(kh__perc_add(p, i, parse(a, qs[i]), NULL, NULL),
                         KH_OK);
    size_t n = 0;
    assert_int_equal(kh__perc_entities(p, set_entity_docs, NULL, &n), KH_OK);
    assert_int_equal(n, 5);
    kh_mdoc *d;
    assert_int_equal(kh__mdoc_new(&d), KH_OK);
    /* the same text as article 9 (named), 4 (not), and without a docid */
    static const struct {
        int64_t docid;
        int want;
    } cases[] = {{9, 3}, {4, 1}, {-1, 1}};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(kh__mdoc_fill(d, a, T, B, "afp", 1664236800), KH_OK);
        if (cases[k].docid >= 0)
            kh__mdoc_set_docid(d, cases[k].docid);
        int got = 0;
        assert_int_equal(kh__perc_match(p, d, count_match, &got), KH_OK);
        assert_int_equal(got, cases[k].want);
    }
    /* one by one: which queries */
    kh__mdoc_set_docid(d, 9);
    for (int i = 0; i < 5; i++) {
        kh_qnode *q = parse(a, qs[i]);
        size_t one = 0;
        kh_percolator *p1;
        assert_int_equal(kh__perc_new(&p1), KH_OK);
        assert_int_equal(kh__perc_add(p1, 0, q, NULL, NULL), KH_OK);
        assert_int_equal(kh__perc_entities(p1, set_entity_docs, NULL, &one),
                         KH_OK);
        int got = 0;
        assert_int_equal(kh__perc_match(p1, d, count_match, &got), KH_OK);
        assert_int_equal(got, i == 0 || i == 2 || i == 4);
        kh__perc_free(p1);
    }
    kh__mdoc_free(d);
    kh__perc_free(p);
    kh_analyzer_free(a);
}

static void
collect(int64_t id, void *ud)
{
    unsigned char *hit = ud;
    assert_true(id >= 0 && id < 4000);
    assert_int_equal(hit[id], 0); /* each query once */
    hit[id] = 1;
}

/* Random queries over a small vocabulary against random articles: the
 * index of queries finds exactly what checking every query finds. */
static void
index_equals_naive(void **state)
{
    (void)state;
    static const char *const words[] = {
        "النفط",  "الرياض", "جدة",   "الحكومة", "وزير",  "الخارجية",
        "الهلال", "النصر",  "مجلس",  "الأمن",   "سوريا", "اليمن",
        "في",     "من",     "الطقس", "أمطار",   "الحج",  "مكة"};
    static const char *const sources[] = {"spa", "sabq", "okaz"};
    const size_t nw = sizeof words / sizeof words[0];
    kh_analyzer *a = analyzer();
    kh_percolator *p;
    assert_int_equal(kh__perc_new(&p), KH_OK);
    enum { NQ = 3000, ND = 300 };
    kh_qnode **trees = malloc(NQ * sizeof *trees);
    unsigned seed = 42;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 8))
    char q[512], title[512], body[4096];
    for (int i = 0; i < NQ; i++) {
        size_t o = 0;
        int kind = (int)(RND() % 8);
        const char *w1 = words[RND() % nw], *w2 = words[RND() % nw],
                   *w3 = words[RND() % nw];
        switch (kind) {
        case 0:
            o = (size_t)snprintf(q, sizeof q, "%s OR %s", w1, w2);
            break;
        case 1:
            o = (size_t)snprintf(q, sizeof q, "\"%s %s\"", w1, w2);
            break;
        case 2:
            o = (size_t)snprintf(q, sizeof q, "%s -%s", w1, w2);
            break;
        case 3:
            o = (size_t)snprintf(q, sizeof q, "title:%s %s", w1, w2);
            break;
        case 4:
            o = (size_t)snprintf(q, sizeof q, "%s source:%s", w1,
                                 sources[RND() % 3]);
            break;
        case 5:
            o = (size_t)snprintf(q, sizeof q, "(%s OR %s) %s", w1, w2, w3);
            break;
        default:
            o = (size_t)snprintf(q, sizeof q, "%s %s", w1, w2);
        }
        assert_true(o < sizeof q);
        kh_qnode *t = parse(a, q);
        if (kh__perc_unsupported(t) != NULL) {
            kh__query_free(t);
            t = parse(a, "الحكومة");
        }
        trees[i] = parse(a, q);
        if (kh__perc_unsupported(trees[i]) != NULL) {
            kh__query_free(trees[i]);
            trees[i] = parse(a, "الحكومة");
        }
        assert_int_equal(kh__perc_add(p, i, t, NULL, NULL), KH_OK);
    }
    kh_mdoc *d;
    assert_int_equal(kh__mdoc_new(&d), KH_OK);
    unsigned char *hit = calloc(NQ, 1);
    size_t total = 0;
    for (int k = 0; k < ND; k++) {
        size_t tl = 0, bl = 0;
        for (int w = 0; w < 4; w++)
            tl += (size_t)snprintf(title + tl, sizeof title - tl, "%s ",
                                   words[RND() % nw]);
        for (int w = 0; w < 8; w++)
            bl += (size_t)snprintf(body + bl, sizeof body - bl, "%s ",
                                   words[RND() % nw]);
        assert_int_equal(
            kh__mdoc_fill(d, a, title, body, sources[RND() % 3], 0), KH_OK);
        memset(hit, 0, NQ);
        assert_int_equal(kh__perc_match(p, d, collect, hit), KH_OK);
        for (int i = 0; i < NQ; i++) {
            if (hit[i] != (unsigned char)kh__mdoc_matches(d, trees[i]))
                fail_msg("article %d, query %d: index %d, naive %d", k, i,
                         hit[i], !hit[i]);
            total += hit[i];
        }
    }
    /* the test is not vacuous: matches, and far from all */
    if (!(total > 1000 && total < (size_t)NQ * ND / 2))
        fail_msg("%zu matches", total);
    for (int i = 0; i < NQ; i++)
        kh__query_free(trees[i]);
    free(trees);
    free(hit);
    kh__mdoc_free(d);
    kh__perc_free(p);
    kh_analyzer_free(a);
}

static void
signed_links(void **state)
{
    (void)state;
    kh_alerts al;
    memset(&al, 0, sizeof al);
    memset(al.secret, 7, sizeof al.secret);
    char tok[KH_TOKEN_MAX];
    kh__token_make(&al, KH_TOK_CONFIRM, 1234, 99, 2000, tok);
    int64_t id;
    uint32_t nonce;
    kh_error err;
    assert_int_equal(
        kh__token_check(&al, tok, KH_TOK_CONFIRM, 1999, &id, &nonce, &err),
        KH_OK);
    assert_int_equal(id, 1234);
    assert_int_equal(nonce, 99);
    /* expired */
    assert_int_equal(
        kh__token_check(&al, tok, KH_TOK_CONFIRM, 2001, &id, &nonce, &err),
        KH_EINVAL);
    assert_non_null(strstr(err.message, "expired"));
    /* for another use */
    assert_int_equal(
        kh__token_check(&al, tok, KH_TOK_UNSUBSCRIBE, 1999, &id, &nonce, &err),
        KH_EINVAL);
    /* every one-character change is refused, and so is a cut */
    for (size_t i = 0; tok[i]; i++) {
        char f[KH_TOKEN_MAX];
        memcpy(f, tok, sizeof f);
        f[i] = f[i] == 'A' ? 'B' : 'A';
        assert_int_equal(
            kh__token_check(&al, f, KH_TOK_CONFIRM, 1999, &id, &nonce, &err),
            KH_EINVAL);
    }
    char cut[KH_TOKEN_MAX];
    memcpy(cut, tok, sizeof cut);
    cut[strlen(cut) - 2] = '\0';
    assert_int_equal(
        kh__token_check(&al, cut, KH_TOK_CONFIRM, 1999, &id, &nonce, &err),
        KH_EINVAL);
    assert_int_equal(
        kh__token_check(&al, NULL, KH_TOK_CONFIRM, 1999, &id, &nonce, &err),
        KH_EINVAL);
    /* another secret does not know it */
    memset(al.secret, 8, sizeof al.secret);
    assert_int_equal(
        kh__token_check(&al, tok, KH_TOK_CONFIRM, 1999, &id, &nonce, &err),
        KH_EINVAL);
}

static void
encoded_headers(void **state)
{
    (void)state;
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    kh__mime_header(&b, "Subject",
                    "خبر: 12 خبرًا عن «توكاييف» في كازاخستان وروسيا وأوكرانيا "
                    "وأوروبا\r\nBcc: evil@example.com",
                    &rc);
    kh__buf_putc(&b, '\0', &rc);
    assert_int_equal(rc, KH_OK);
    /* one header: the CR LF of the value are gone, so no Bcc line */
    assert_null(strstr(b.data, "\nBcc"));
    assert_null(strstr(b.data, "\r\nBcc"));
    /* encoded words of at most 75 characters, each decoding to whole
     * UTF-8 characters that join back into the subject */
    char decoded[1024] = "";
    const char *p = b.data;
    while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
        const char *e = strstr(p, "?=");
        assert_non_null(e);
        assert_true(e + 2 - p <= 75);
        unsigned char out[128];
        const char *s = p + 10;
        int n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)(e - s));
        assert_true(n > 0);
        while (n > 0 && e[-1] == '=') { /* padding decodes as zeros */
            n--;
            e--;
        }
        assert_true((out[0] & 0xC0) != 0x80);
        strncat(decoded, (const char *)out, (size_t)n);
        p = strstr(p, "?=") + 2;
    }
    assert_non_null(strstr(decoded, "«توكاييف»"));
    assert_non_null(strstr(decoded, "Bcc: evil@example.com"));
    /* every line that holds an encoded word, the first with "Subject: ",
     * is at most 76 characters (RFC 2047) */
    for (const char *l = b.data; *l;) {
        const char *e = strstr(l, "\r\n");
        assert_non_null(e);
        if (e - l > 76)
            fail_msg("a line of %d characters: %.*s", (int)(e - l),
                     (int)(e - l), l);
        l = e + 2;
    }
    kh__buf_release(&b);
}

/* ---- The public API, end to end in a temporary index ------------------ */

static char dir[256];

static void
add(kh_index *ix, const char *id, const char *source, const char *title,
    const char *body)
{
    kh_article a = {id, NULL, source, title, body, NULL, 1664236800};
    kh_error err;
    assert_int_equal(kh_index_add(ix, &a, NULL, &err), KH_OK);
}

/* The first link to path in a queued message's text part. */
typedef struct find {
    const char *rcpt, *path;
    char url[512];
    int n;
} find;

static int
on_message(const char *rcpt, const char *msg, size_t len, const char *st,
           void *ud)
{
    (void)st;
    find *f = ud;
    if (strcmp(rcpt, f->rcpt) != 0)
        return 0;
    f->n++;
    /* the text part: base64 after the first blank line that follows
     * "text/plain" */
    const char *tp = strstr(msg, "text/plain");
    assert_non_null(tp);
    const char *b64 = strstr(tp, "\r\n\r\n") + 4;
    const char *end = strstr(b64, "\r\n--");
    assert_true(end != NULL && end < msg + len);
    char clean[8192];
    size_t n = 0;
    for (const char *q = b64; q < end && n + 1 < sizeof clean; q++)
        if (*q != '\r' && *q != '\n')
            clean[n++] = *q;
    unsigned char text[8192];
    int tl = EVP_DecodeBlock(text, (unsigned char *)clean, (int)n);
    assert_true(tl > 0);
    text[tl] = '\0';
    const char *u = strstr((char *)text, f->path);
    if (u != NULL) {
        while (u > (char *)text && u[-1] != ' ' && u[-1] != '\n')
            u--;
        size_t k = strcspn(u, " \n");
        snprintf(f->url, sizeof f->url, "%.*s", (int)k, u);
    }
    return 0;
}

static const char *
token_of(const char *url)
{
    const char *t = strstr(url, "?t=");
    assert_non_null(t);
    return t + 3;
}

static int
count_rcpt(const char *rcpt, const char *msg, size_t len, const char *st,
           void *ud)
{
    (void)msg;
    (void)len;
    (void)st;
    if (strcmp(rcpt, "ed@example.org") == 0)
        (*(int *)ud)++;
    return 0;
}

/* A saved entity: search through the public API, matched by a reader
 * whose snapshot lags the writer: articles past its snapshot wait for a
 * later round instead of being passed over. */
static void
saved_entity_and_snapshot(void **state)
{
    (void)state;
    char d2[256], cmd[300];
    snprintf(d2, sizeof d2, "/tmp/khabar-test-alert-ent-%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d2);
    assert_int_equal(system(cmd), 0);
    kh_index_options o = {.create = 1, .single_thread = 1};
    kh_index *ix, *rd;
    kh_error err;
    assert_int_equal(kh_index_open(d2, &o, &ix, &err), KH_OK);
    add(ix, "a0", "spa", "الطقس في الرياض", "أمطار على الرياض.");
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    kh_alerts_options ao = {"http://news.example.org/", "news@example.org",
                            NULL, 0};
    kh_alerts *al;
    assert_int_equal(kh_alerts_open(d2, &ao, &al, &err), KH_OK);
    assert_int_equal(kh_alerts_subscribe(al, "ed@example.org", "entity:Tokayev",
                                         "immediate", 1, NULL, &err),
                     KH_OK);
    kh_index_options ro = {.read_only = 1};
    assert_int_equal(kh_index_open(d2, &ro, &rd, &err), KH_OK);
    /* the writer commits two articles the reader does not see yet */
    add(ix, "t1", "afp", "توكاييف يتعهد بحماية الروس",
        "قال الرئيس الكازاخستاني قاسم جومارت توكاييف إن بلاده ستحمي الروس.");
    add(ix, "n1", "spa", "الطقس غدا", "غيوم على جدة.");
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    size_t matched = 0, queued = 0;
    assert_int_equal(kh_alerts_match(al, rd, &matched, &err), KH_OK);
    assert_int_equal(matched, 0);
    assert_int_equal(kh_index_refresh(rd, &err), KH_OK);
    assert_int_equal(kh_alerts_match(al, rd, &matched, &err), KH_OK);
    assert_int_equal(matched, 1); /* t1, not passed over */
    assert_int_equal(kh_alerts_match(al, rd, &matched, &err), KH_OK);
    assert_int_equal(matched, 0); /* and once */
    assert_int_equal(kh_alerts_digest(al, rd, NULL, 1700000000, &queued, &err),
                     KH_OK);
    assert_int_equal(queued, 1);
    int mails = 0;
    assert_int_equal(kh_alerts_outbox(al, count_rcpt, &mails, &err), KH_OK);
    assert_int_equal(mails, 1);
    kh_alerts_close(al);
    kh_index_close(rd);
    kh_index_close(ix);
    assert_int_equal(system(cmd), 0);
}

static void
subscribe_confirm_match_digest(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/khabar-test-alert-%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    kh_index_options o = {.create = 1, .single_thread = 1};
    kh_index *ix;
    kh_error err;
    assert_int_equal(kh_index_open(dir, &o, &ix, &err), KH_OK);
    add(ix, "old", "spa", "توكاييف قبل الاشتراك", "خبر قديم عن توكاييف.");
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);

    kh_alerts_options ao = {"http://news.example.org/", "news@example.org",
                            NULL, 0};
    kh_alerts *al;
    assert_int_equal(kh_alerts_open(dir, &ao, &al, &err), KH_OK);
    /* refused, each naming its field */
    static const struct {
        const char *email, *query, *freq, *field;
    } bad[] = {
        {"no-at-sign", "توكاييف", NULL, "email:"},
        {"a@b", "توكاييف", NULL, "email:"},
        {"x@example.com\r\nBcc: evil@example.com", "توكاييف", NULL, "email:"},
        {"x@example.com", "نفط\r\nBcc: evil@example.com", NULL, "query:"},
        {"x@example.com", "(توكاييف", NULL, "query:"},
        {"x@example.com", "   ", NULL, "query:"},
        {"x@example.com", "story:old", NULL, "query:"},
        {"x@example.com", "توكاييف", "hourly", "frequency:"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(kh_alerts_subscribe(al, bad[i].email, bad[i].query,
                                             bad[i].freq, 0, NULL, &err),
                         KH_EINVAL);
        if (strncmp(err.message, bad[i].field, strlen(bad[i].field)) != 0)
            fail_msg("case %zu: '%s'", i, err.message);
    }
    char huge[1200];
    memset(huge, 'x', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    assert_int_equal(
        kh_alerts_subscribe(al, "x@example.com", huge, NULL, 0, NULL, &err),
        KH_EINVAL);

    assert_int_equal(kh_alerts_subscribe(al, "Reader@Example.COM", "توكاييف",
                                         "immediate", 0, NULL, &err),
                     KH_OK);
    /* asked again: the same outcome, no second confirmation yet */
    assert_int_equal(kh_alerts_subscribe(al, "Reader@example.com", "توكاييف",
                                         "immediate", 0, NULL, &err),
                     KH_OK);
    find f = {"Reader@example.com", "/confirm?t=", "", 0};
    assert_int_equal(kh_alerts_outbox(al, on_message, &f, &err), KH_OK);
    assert_int_equal(f.n, 1);
    assert_true(strncmp(f.url, "http://news.example.org/confirm?t=", 34) == 0);

    /* unconfirmed: a matching article makes no digest */
    add(ix, "n1", "afp", "توكاييف يعد بحماية الروس", "قال توكاييف الثلاثاء.");
    add(ix, "n2", "spa", "الطقس في الرياض", "أمطار على الرياض.");
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    size_t matched, queued;
    assert_int_equal(kh_alerts_match(al, ix, &matched, &err), KH_OK);
    assert_int_equal(matched, 0);

    /* confirmed, once */
    char url[512];
    memcpy(url, f.url, sizeof url);
    assert_int_equal(kh_alerts_confirm(al, token_of(url), &err), KH_OK);
    assert_int_equal(kh_alerts_confirm(al, token_of(url), &err), KH_EINVAL);
    assert_non_null(strstr(err.message, "already used"));

    /* two copies of one wire text count once; the old article not at all */
    static const char wire[] =
        "أكد الرئيس الكازاخستاني قاسم جومارت توكاييف أن بلاده ستحمي الروس "
        "الفارين من التعبئة العسكرية التي أعلنها الكرملين، وقال في كلمة "
        "أمام الحكومة إن كثيرين يأتون إلينا من روسيا في الأيام الأخيرة وإن "
        "علينا أن نهتم بهم ونضمن سلامتهم، بحسب ما نقلت وكالة فرانس برس عن "
        "بيان للرئاسة في العاصمة أستانا يوم الثلاثاء الماضي.";
    add(ix, "w1", "afp", "توكاييف: سنحمي الفارين", wire);
    add(ix, "w2", "aawsat", "كازاخستان تستقبل الروس", wire);
    add(ix, "n3", "spa", "الطقس غدًا", "غيوم على جدة.");
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    assert_int_equal(kh_alerts_match(al, ix, &matched, &err), KH_OK);
    assert_int_equal(matched, 1); /* w1 and w2 are one; n1 came before */
    assert_int_equal(kh_alerts_digest(al, ix, NULL, 1700000000, &queued, &err),
                     KH_OK);
    assert_int_equal(queued, 1);
    find g = {"Reader@example.com", "/unsubscribe?t=", "", 0};
    assert_int_equal(kh_alerts_outbox(al, on_message, &g, &err), KH_OK);
    assert_int_equal(g.n, 2); /* the confirmation and the digest */
    assert_true(g.url[0] != '\0');
    /* the text part links the saved search's feed, as the HTML does */
    find fe = {"Reader@example.com", "/feeds/subscription.atom?t=", "", 0};
    assert_int_equal(kh_alerts_outbox(al, on_message, &fe, &err), KH_OK);
    assert_true(
        strncmp(fe.url,
                "http://news.example.org/feeds/subscription.atom?t=", 50) == 0);
    /* nothing more is due */
    assert_int_equal(kh_alerts_digest(al, ix, NULL, 1700000000, &queued, &err),
                     KH_OK);
    assert_int_equal(queued, 0);

    /* unsubscribed: later matches make no digest; twice is fine */
    assert_int_equal(kh_alerts_unsubscribe(al, token_of(g.url), &err), KH_OK);
    assert_int_equal(kh_alerts_unsubscribe(al, token_of(g.url), &err), KH_OK);
    add(ix, "n4", "afp", "توكاييف مجددًا", "توكاييف يتحدث.");
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    assert_int_equal(kh_alerts_match(al, ix, &matched, &err), KH_OK);
    assert_int_equal(matched, 0);
    assert_int_equal(kh_alerts_digest(al, ix, NULL, 1800000000, &queued, &err),
                     KH_OK);
    assert_int_equal(queued, 0);

    /* imported as confirmed: no confirmation mail */
    assert_int_equal(kh_alerts_subscribe(al, "ed@example.org", "الطقس", "daily",
                                         1, NULL, &err),
                     KH_OK);
    find h = {"ed@example.org", "/confirm?t=", "", 0};
    assert_int_equal(kh_alerts_outbox(al, on_message, &h, &err), KH_OK);
    assert_int_equal(h.n, 0);
    kh_alerts_close(al);
    kh_index_close(ix);
    assert_int_equal(system(cmd), 0);
}

/* The frequency and the requested change of the saved query of one
 * address, from kh_alerts_list. */
typedef struct row {
    const char *email;
    char frequency[16], requested[16], state[16];
} row;

static int
on_row(const kh_subscription *s, void *ud)
{
    row *r = ud;
    if (strcmp(s->email, r->email) != 0)
        return 0;
    snprintf(r->frequency, sizeof r->frequency, "%s", s->frequency);
    snprintf(r->requested, sizeof r->requested, "%s",
             s->requested_frequency ? s->requested_frequency : "-");
    snprintf(r->state, sizeof r->state, "%s",
             s->confirmed ? "confirmed" : "unconfirmed");
    return 0;
}

static row
row_of(kh_alerts *al, const char *email)
{
    row r = {email, "", "", ""};
    kh_error err;
    assert_int_equal(kh_alerts_list(al, on_row, &r, &err), KH_OK);
    return r;
}

/* Double opt-in holds for a change of frequency: a request from the form
 * only asks for it, the mail's link applies it; the operator
 * (--confirmed) sets it outright. */
static void
frequency_change_needs_confirmation(void **state)
{
    (void)state;
    char d2[256], cmd[300];
    snprintf(d2, sizeof d2, "/tmp/khabar-test-alert-freq-%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d2);
    assert_int_equal(system(cmd), 0);
    kh_index_options o = {.create = 1, .single_thread = 1};
    kh_index *ix;
    kh_error err;
    assert_int_equal(kh_index_open(d2, &o, &ix, &err), KH_OK);
    add(ix, "a0", "spa", "الطقس في الرياض", "أمطار على الرياض.");
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    kh_alerts_options ao = {"http://news.example.org/", "news@example.org",
                            NULL, 0};
    kh_alerts *al;
    assert_int_equal(kh_alerts_open(d2, &ao, &al, &err), KH_OK);
    assert_int_equal(kh_alerts_subscribe(al, "r2@example.com", "اليمن", "daily",
                                         1, NULL, &err),
                     KH_OK);
    /* anyone at the form: the frequency stays, a change is requested */
    kh_subscribe_outcome what = 0;
    assert_int_equal(kh_alerts_subscribe(al, "r2@example.com", "اليمن",
                                         "weekly", 0, &what, &err),
                     KH_OK);
    assert_int_equal(what, KH_SUBSCRIBE_CHANGE_MAILED);
    row r = row_of(al, "r2@example.com");
    assert_string_equal(r.frequency, "daily");
    assert_string_equal(r.requested, "weekly");
    assert_string_equal(r.state, "confirmed");
    find f = {"r2@example.com", "/confirm?t=", "", 0};
    assert_int_equal(kh_alerts_outbox(al, on_message, &f, &err), KH_OK);
    assert_int_equal(f.n, 1);
    assert_true(f.url[0] != '\0');
    /* again within ten minutes: no mail, and the pending change is the
     * one the mail's link confirms */
    assert_int_equal(kh_alerts_subscribe(al, "r2@example.com", "اليمن",
                                         "immediate", 0, &what, &err),
                     KH_OK);
    assert_int_equal(what, KH_SUBSCRIBE_THROTTLED);
    r = row_of(al, "r2@example.com");
    assert_string_equal(r.frequency, "daily");
    assert_string_equal(r.requested, "weekly");
    find g = {"r2@example.com", "/confirm?t=", "", 0};
    assert_int_equal(kh_alerts_outbox(al, on_message, &g, &err), KH_OK);
    assert_int_equal(g.n, 1);
    /* the link applies the change, once */
    assert_int_equal(kh_alerts_confirm(al, token_of(f.url), &err), KH_OK);
    r = row_of(al, "r2@example.com");
    assert_string_equal(r.frequency, "weekly");
    assert_string_equal(r.requested, "-");
    assert_string_equal(r.state, "confirmed");
    assert_int_equal(kh_alerts_confirm(al, token_of(f.url), &err), KH_EINVAL);
    assert_non_null(strstr(err.message, "already used"));
    /* the same frequency again: nothing to confirm, no mail */
    assert_int_equal(kh_alerts_subscribe(al, "r2@example.com", "اليمن",
                                         "weekly", 0, NULL, &err),
                     KH_OK);
    assert_string_equal(row_of(al, "r2@example.com").requested, "-");
    /* the operator sets it outright */
    assert_int_equal(kh_alerts_subscribe(al, "r2@example.com", "اليمن",
                                         "immediate", 1, NULL, &err),
                     KH_OK);
    r = row_of(al, "r2@example.com");
    assert_string_equal(r.frequency, "immediate");
    assert_string_equal(r.requested, "-");
    /* asking for the frequency it has drops a change still waiting, and
     * that change's link with it: the last request wins */
    assert_int_equal(kh_alerts_subscribe(al, "r3@example.com", "اليمن", "daily",
                                         1, NULL, &err),
                     KH_OK);
    assert_int_equal(kh_alerts_subscribe(al, "r3@example.com", "اليمن",
                                         "weekly", 0, &what, &err),
                     KH_OK);
    assert_int_equal(what, KH_SUBSCRIBE_CHANGE_MAILED);
    find h = {"r3@example.com", "/confirm?t=", "", 0};
    assert_int_equal(kh_alerts_outbox(al, on_message, &h, &err), KH_OK);
    assert_int_equal(h.n, 1);
    assert_int_equal(kh_alerts_subscribe(al, "r3@example.com", "اليمن", "daily",
                                         0, &what, &err),
                     KH_OK);
    r = row_of(al, "r3@example.com");
    assert_string_equal(r.frequency, "daily");
    assert_string_equal(r.requested, "-");
    assert_int_equal(kh_alerts_confirm(al, token_of(h.url), &err), KH_EINVAL);
    assert_string_equal(row_of(al, "r3@example.com").frequency, "daily");
    kh_alerts_close(al);
    kh_index_close(ix);
    assert_int_equal(system(cmd), 0);
}

/* The decoded Subject of a queued message. */
static int
on_subject(const char *rcpt, const char *msg, size_t len, const char *st,
           void *ud)
{
    (void)rcpt;
    (void)len;
    (void)st;
    char *out = ud;
    const char *p = strstr(msg, "\r\nSubject: ");
    assert_non_null(p);
    const char *end = p + 2;
    /* the field: its line and the folded ones after it */
    do
        end = strstr(end, "\r\n") + 2;
    while (*end == ' ');
    out[0] = '\0';
    while ((p = strstr(p, "=?UTF-8?B?")) != NULL && p < end) {
        const char *s = p + 10, *e = strstr(s, "?=");
        unsigned char dec[128];
        int n = EVP_DecodeBlock(dec, (const unsigned char *)s, (int)(e - s));
        while (n > 0 && e[-1] == '=') {
            n--;
            e--;
        }
        strncat(out, (const char *)dec, (size_t)n);
        p = strstr(s, "?=") + 2;
    }
    return 1; /* the first message only */
}

/* A digest's subject counts the matches, as its headings do: the 30
 * shown of a search and the "و N غيرها" after them. */
static void
digest_counts_every_match(void **state)
{
    (void)state;
    char d2[256], cmd[300];
    snprintf(d2, sizeof d2, "/tmp/khabar-test-alert-count-%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d2);
    assert_int_equal(system(cmd), 0);
    kh_index_options o = {.create = 1, .single_thread = 1};
    kh_index *ix;
    kh_error err;
    assert_int_equal(kh_index_open(d2, &o, &ix, &err), KH_OK);
    add(ix, "a0", "spa", "الطقس في الرياض", "أمطار على الرياض.");
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    kh_alerts_options ao = {"http://news.example.org/", "news@example.org",
                            NULL, 0};
    kh_alerts *al;
    assert_int_equal(kh_alerts_open(d2, &ao, &al, &err), KH_OK);
    assert_int_equal(kh_alerts_subscribe(al, "c@example.com", "زعفرانستان",
                                         "immediate", 1, NULL, &err),
                     KH_OK);
    assert_int_equal(kh_alerts_subscribe(al, "c@example.com", "قرنفلستان",
                                         "immediate", 1, NULL, &err),
                     KH_OK);
    static const char *const words[] = {"النفط", "الحج",   "الطقس", "السوق",
                                        "جدة",   "الهلال", "وزارة", "مجلس"};
    for (int i = 0; i < 38; i++) {
        char id[16], title[128], body[512];
        snprintf(id, sizeof id, "z%d", i);
        snprintf(title, sizeof title, "%s: خبر %s رقم %d",
                 i < 35 ? "زعفرانستان" : "قرنفلستان", words[i % 8], i);
        snprintf(body, sizeof body, "%s %s %s %s في يوم %d من الشهر.",
                 words[i % 8], words[(i / 8) % 8], words[(i + 3) % 8],
                 i < 35 ? "زعفرانستان" : "قرنفلستان", i);
        add(ix, id, "spa", title, body);
    }
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    size_t matched = 0, queued = 0;
    assert_int_equal(kh_alerts_match(al, ix, &matched, &err), KH_OK);
    assert_int_equal(matched, 38);
    /* two matches past the 30 shown are deleted before the digest: they
     * are not counted either */
    assert_int_equal(kh_index_delete(ix, "z33", &err), KH_OK);
    assert_int_equal(kh_index_delete(ix, "z34", &err), KH_OK);
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    assert_int_equal(kh_alerts_digest(al, ix, NULL, 1700000000, &queued, &err),
                     KH_OK);
    assert_int_equal(queued, 1);
    char subject[1024];
    assert_int_equal(kh_alerts_outbox(al, on_subject, subject, &err), KH_OK);
    if (strstr(subject, "36 خبرًا") == NULL)
        fail_msg("subject: %s", subject);
    kh_alerts_close(al);
    kh_index_close(ix);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(saved_query_semantics),
        cmocka_unit_test(saved_entity),
        cmocka_unit_test(saved_entity_and_snapshot),
        cmocka_unit_test(index_equals_naive),
        cmocka_unit_test(signed_links),
        cmocka_unit_test(encoded_headers),
        cmocka_unit_test(subscribe_confirm_match_digest),
        cmocka_unit_test(frequency_change_needs_confirmation),
        cmocka_unit_test(digest_counts_every_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
