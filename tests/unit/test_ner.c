/*
 * test_ner.c -- the entity tagger with the shipped model (data/ner/):
 * the model loads and a broken one is refused; the seed sentence yields
 * its president as a person and the agency as an organization, with byte
 * spans that cut the original text exactly; text without names yields
 * few; invalid UTF-8, empty input and a megabyte of one letter neither
 * crash nor find much; the fast path (ner_fast.c) gives exactly the
 * labels of the reference decoding on real news text, with the cache
 * and without.  The word dictionary's reader (ner_dict.c) on a small
 * made-up list; the shipped model asks for hunspell-ar's, which must be
 * installed (.ci/run does), and says what to install when it is not.
 * Needs nothing from ../shared.
 */
#include "testutil.h"

#include "extract/ner.h"

#include <jansson.h>
#include <zlib.h>

static kh_ner_model *model;

static int
setup(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/data/ner/model.txt", tu_srcdir());
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh__ner_model_load(path, &model, &err);
    if (rc != KH_OK)
        fprintf(stderr, "model: %s\n", err.message);
    return rc == KH_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    kh__ner_model_free(model);
    return 0;
}

static void
tag(const char *text, size_t len, kh_ner_span **sp, size_t *n)
{
    assert_int_equal(kh__ner_tag(model, text, len, sp, n), KH_OK);
    for (size_t i = 0; i < *n; i++) {
        assert_true((*sp)[i].start < (*sp)[i].end);
        assert_true((*sp)[i].end <= len);
        assert_true(i == 0 || (*sp)[i - 1].end <= (*sp)[i].start);
        assert_non_null((*sp)[i].norm);
    }
}

static void
test_seed_sentence(void **state)
{
    (void)state;
    const char *text = "قال الرئيس الكازاخستاني قاسم جومارت توكاييف إن بلاده "
                       "ستحمي الروس، بحسب وكالة فرانس برس";
    kh_ner_span *sp;
    size_t n;
    tag(text, strlen(text), &sp, &n);
    int per = 0, org = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = text + sp[i].start;
        size_t len = sp[i].end - sp[i].start;
        if (sp[i].type == KH_NER_PER) {
            /* the span ends exactly at the last byte of توكاييف */
            const char *last = "توكاييف";
            size_t ll = strlen(last);
            if (len >= ll && memcmp(s + len - ll, last, ll) == 0) {
                per = 1;
                assert_string_equal(sp[i].norm + strlen(sp[i].norm) - ll, last);
            }
        }
        if (sp[i].type == KH_NER_ORG && len >= strlen("فرانس برس") &&
            memcmp(s + len - strlen("فرانس برس"), "فرانس برس",
                   strlen("فرانس برس")) == 0)
            org = 1;
    }
    if (!per || !org)
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "%s [%.*s]\n", kh__ner_type_name(sp[i].type),
                    (int)(sp[i].end - sp[i].start), text + sp[i].start);
    assert_true(per);
    assert_true(org);
    kh__ner_spans_free(sp, n);
}

static void
test_no_entities(void **state)
{
    (void)state;
    const char *text = "ارتفعت أسعار الخضار في الأسواق هذا الأسبوع بسبب "
                       "قلة المعروض وزيادة الطلب، وقال التجار إن الأسعار "
                       "ستعود إلى مستواها الطبيعي خلال أيام.";
    kh_ner_span *sp;
    size_t n;
    tag(text, strlen(text), &sp, &n);
    assert_true(n <= 1);
    kh__ner_spans_free(sp, n);
}

static void
test_bad_input(void **state)
{
    (void)state;
    kh_ner_span *sp;
    size_t n;
    tag("", 0, &sp, &n);
    assert_int_equal(n, 0);
    assert_null(sp);

    const char bad[] = "\xff\xfe\xd8 \xd9\x85\xd8\xb5\xd8\xb1\xc0\x80 "
                       "\xe2\x80 \xf4\x90\x80\x80 \xd9";
    tag(bad, sizeof bad - 1, &sp, &n);
    kh__ner_spans_free(sp, n);

    size_t big = 1u << 20;
    char *one = malloc(big);
    assert_non_null(one);
    for (size_t i = 0; i + 1 < big; i += 2)
        memcpy(one + i, "س", 2); /* one word of half a million letters */
    tag(one, big, &sp, &n);
    assert_true(n <= 1);
    kh__ner_spans_free(sp, n);
    for (size_t i = 0; i + 2 < big; i += 3)
        memcpy(one + i, "س ", 3); /* a third of a million one-letter words */
    tag(one, big - big % 3, &sp, &n);
    kh__ner_spans_free(sp, n);
    free(one);
}

static void
test_bad_model(void **state)
{
    (void)state;
    kh_ner_model *m = (kh_ner_model *)state;
    kh_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(kh__ner_model_parse("", 0, &m, &err), KH_ECORRUPT);
    assert_null(m);
    const char *t = "khabar-ner 1 20 7 100\nzz 1 2\n";
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_ECORRUPT);
    t = "khabar-ner 1 20 7 100\nff 1 2 3 4 5 6 7\n";
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_OK);
    kh__ner_model_free(m);
    assert_int_equal(kh__ner_model_load("/nonexistent/model", &m, &err),
                     KH_EIO);
    /* two passes, gazetteer words */
    t = "khabar-ner 2 20 7 100\nff 1 2 3 4 5 6 7\n@2\nfe 1 2 3 4 5 6 7\n"
        "+1 word\n=word\n~name\r\n";
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_OK);
    assert_int_equal(kh__ner_model_passes(m), 2);
    assert_non_null(kh__strmap_get(&kh__ner_model_lexicon(m)->gaz, "word", 4));
    /* a name as written, its CR gone */
    assert_non_null(
        kh__strmap_get(&kh__ner_model_lexicon(m)->written, "name", 4));
    assert_null(kh__strmap_get(&kh__ner_model_lexicon(m)->written, "word", 4));
    kh__ner_model_free(m);
    t = "khabar-ner 2 20 7 100\n~\n"; /* a name line without its name */
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_ECORRUPT);
    t = "khabar-ner 1 20 7 100\n@2\n"; /* a second pass needs version 2 */
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_ECORRUPT);
    t = "khabar-ner 2 20 7 100\n+x word\n";
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_ECORRUPT);
    /* weights are 16-bit, gazetteer bits three, buckets inside BITS; the
     * message names the line */
    t = "khabar-ner 2 20 7 100\n# c\nff 1 2 3 4 5 6 7\nfe 1 2 3 40000 5 6 7\n";
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_ECORRUPT);
    assert_non_null(strstr(err.message, "line 4"));
    t = "khabar-ner 2 20 7 100\n+9 word\n";
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_ECORRUPT);
    t = "khabar-ner 2 12 7 100\n1000 1 2 3 4 5 6 7\n";
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_ECORRUPT);
    t = "khabar-ner 2 30 7 100\n";
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_ECORRUPT);
    t = "khabar-ner 2 20 7 100\nff 1 2 3 4 5 6 7\n@2\n@2\n";
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_ECORRUPT);
    t = "khabar-ner"; /* cut short */
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_ECORRUPT);
}

/* The classes of packed value v, ascending, into ids; their number. */
static size_t
unpack(uint64_t v, unsigned *ids)
{
    size_t n = 0;
    for (; v != 0; v >>= KH_NER_DICT_BITS)
        ids[n++] = (unsigned)(v & KH_NER_DICT_MASK);
    return n;
}

/* A made-up ar.dic: the lists' headers, a noun in two lists with
 * different affix sets, letters folded as text is (أ, ة), a two-word
 * entry left out, and the lookup of an entry, an inflected form and an
 * unknown word. */
static void
test_dict(void **state)
{
    (void)state;
    const char *t = "3\t1\n::::::::\nstopwords.dic\nفي\n"
                    "names.dic\n###أسماء\t3\nلندن/60\nمدرسة/65\nدمشق/60\n"
                    "كلمة مركبة\nverb.huns.dic\nلندن/228\t5\nأعلن/7\n"
                    "names.dic\nلندن/12\r\n";
    kh_ner_lexicon lex;
    kh__ner_lexicon_init(&lex);
    kh_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(kh__ner_dict_parse(t, strlen(t), &lex.dict, &err), KH_OK);
    unsigned ids[KH_NER_DICT_MAX];
    const kh_strmap_entry *e = kh__strmap_get(&lex.dict, "لندن", 8);
    assert_non_null(e);
    assert_int_equal(unpack(e->value, ids), 4);
    assert_int_equal(ids[0], KH_NER_DICT_VERB);
    assert_int_equal(ids[1], KH_NER_DICT_NOUN);
    assert_int_equal(ids[2], KH_NER_DICT_SET + 12);
    assert_int_equal(ids[3], KH_NER_DICT_SET + 60);
    e = kh__strmap_get(&lex.dict, "اعلن", 8); /* أ folded */
    assert_non_null(e);
    assert_int_equal(unpack(e->value, ids), 1);
    assert_int_equal(ids[0], KH_NER_DICT_VERB);
    e = kh__strmap_get(&lex.dict, "مدرسه", 10); /* ة folded */
    assert_non_null(e);
    assert_int_equal(unpack(e->value, ids), 2);
    e = kh__strmap_get(&lex.dict, "في", 4);
    assert_non_null(e);
    assert_int_equal(e->value, KH_NER_DICT_STOP);
    assert_null(kh__strmap_get(&lex.dict, "كلمه", 8));
    /* through the features' view of a word: a prefixed entry, an
     * inflected form (its stem is an entry's), an unknown word and a
     * Latin one */
    kh_analyzer *a = NULL;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_ner_seq seq;
    kh__ner_seq_init(&seq);
    const char *text = "ودمشق مدرستها فولوديمير London";
    assert_int_equal(kh__ner_seq_add(&seq, a, &lex, text, strlen(text)), KH_OK);
    assert_int_equal(seq.n, 4);
    assert_int_equal(unpack(seq.tok[0].dict, ids), 2);
    assert_int_equal(ids[1], KH_NER_DICT_SET + 60);
    assert_int_equal(seq.tok[2].dict, KH_NER_DICT_ABSENT);
    assert_int_equal(seq.tok[3].dict, 0);
    assert_int_equal(seq.tok[1].dict, KH_NER_DICT_INFLECTED);
    kh__ner_seq_release(&seq);
    kh_analyzer_free(a);
    kh__ner_lexicon_release(&lex);
    /* nothing usable: an error, not an empty dictionary */
    kh_strmap none;
    kh__strmap_init(&none);
    t = "names.dic\n#\n";
    assert_int_equal(kh__ner_dict_parse(t, strlen(t), &none, &err),
                     KH_ECORRUPT);
    assert_int_equal(kh__ner_dict_load("/nonexistent/ar.dic", &none, &err),
                     KH_EIO);
    kh__strmap_release(&none);
}

/* A model that asks for the dictionary: without it, an error naming the
 * package; with $KHABAR_NER_DICT empty, a model without it. */
static void
test_model_needs_dict(void **state)
{
    (void)state;
    const char *t = "khabar-ner 2 20 7 100\n!dict hunspell-ar\n"
                    "ff 1 2 3 4 5 6 7\n";
    const char *old = getenv("KHABAR_NER_DICT");
    char *keep = old != NULL ? strdup(old) : NULL;
    kh_ner_model *m = NULL;
    kh_error err;
    memset(&err, 0, sizeof err);
    setenv("KHABAR_NER_DICT", "/nonexistent/ar.dic", 1);
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_EIO);
    assert_null(m);
    assert_non_null(strstr(err.message, "hunspell-ar"));
    setenv("KHABAR_NER_DICT", "", 1);
    assert_int_equal(kh__ner_model_parse(t, strlen(t), &m, &err), KH_OK);
    assert_int_equal(kh__ner_model_lexicon(m)->dict.count, 0);
    kh__ner_model_free(m);
    if (keep != NULL)
        setenv("KHABAR_NER_DICT", keep, 1);
    else
        unsetenv("KHABAR_NER_DICT");
    free(keep);
    /* the shipped model found it */
    assert_true(kh__ner_model_lexicon(model)->dict.count > 50000);
}

/* Document memory: a word gets the first-pass labels of its other
 * occurrences (by bare form: "ولاريجاني" matches "لاريجاني"), not its
 * own; a word seen once gets none. */
static void
test_memory(void **state)
{
    (void)state;
    const char *text = "التقى لاريجاني الوزير. ثم قال ولاريجاني كلاما";
    kh_analyzer *a = NULL;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_ner_seq seq;
    kh__ner_seq_init(&seq);
    assert_int_equal(kh__ner_seq_add(&seq, a, NULL, text, strlen(text)), KH_OK);
    assert_true(seq.n >= 6);
    int *lab = calloc(seq.n, sizeof *lab);
    assert_non_null(lab);
    size_t first = seq.n, second = seq.n;
    for (size_t i = 0; i < seq.n; i++) {
        if (strcmp(kh__ner_norm(&seq, i), "لاريجاني") == 0)
            first = i;
        if (strcmp(kh__ner_norm(&seq, i), "ولاريجاني") == 0)
            second = i;
    }
    assert_true(first < seq.n && second < seq.n);
    assert_true(seq.tok[first].sent != seq.tok[second].sent);
    lab[first] = KH_NER_B_PER;
    assert_int_equal(kh__ner_memory(&seq, 0, seq.n, 0, seq.n, lab), KH_OK);
    assert_int_equal(seq.tok[second].mem, 1u << KH_NER_B_PER);
    assert_int_equal(seq.tok[second].l1, KH_NER_O);
    assert_int_equal(seq.tok[first].mem, 1u << KH_NER_O);
    assert_int_equal(seq.tok[first].l1, KH_NER_B_PER);
    assert_int_equal(seq.tok[0].mem, 0); /* التقى: once */
    uint32_t f[KH_NER_MAX_MEMORY];
    assert_true(kh__ner_memory_features(&seq, second, f) <= KH_NER_MAX_MEMORY);
    free(lab);
    kh__ner_seq_release(&seq);
    kh_analyzer_free(a);
}

/* The labels of the fast path and of the reference (every feature hashed
 * and looked up, ner.c) for one text; fails on the first difference. */
static size_t
same_labels(const char *text, size_t len)
{
    kh_ner_seq rs;
    int *fast = NULL;
    size_t nf = 0;
    assert_int_equal(kh__ner_fast_labels(model, text, len, &fast, &nf), KH_OK);
    kh_analyzer *a = NULL;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh__ner_seq_init(&rs);
    assert_int_equal(
        kh__ner_seq_add(&rs, a, kh__ner_model_lexicon(model), text, len),
        KH_OK);
    kh_analyzer_free(a);
    assert_int_equal(nf, rs.n);
    int *ref = malloc(rs.n * sizeof *ref + 1);
    assert_non_null(ref);
    if (rs.n > 0)
        assert_int_equal(kh__ner_decode(model, &rs, ref), KH_OK);
    size_t ents = 0;
    for (size_t i = 0; i < rs.n; i++) {
        if (fast[i] != ref[i])
            fprintf(stderr, "token %zu (%s): fast %d, reference %d\n", i,
                    kh__ner_norm(&rs, i), fast[i], ref[i]);
        assert_int_equal(fast[i], ref[i]);
        ents += KH_NER_IS_B(ref[i]);
    }
    free(ref);
    kh_free(fast);
    kh__ner_seq_release(&rs);
    return ents;
}

/* The sample articles (data/sample, title and body as khabar entities
 * reads them), through both paths: first with an empty cache, then with
 * it full of their words, then with no cache at all. */
static void
test_fast_equals_reference(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/data/sample/saudinewsnet-2000.jsonl.gz",
             tu_srcdir());
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    static char line[1 << 20];
    size_t docs = 0, ents = 0;
    char **texts = calloc(150, sizeof *texts);
    assert_non_null(texts);
    while (docs < 150 && gzgets(gz, line, sizeof line) != NULL) {
        json_error_t jerr;
        json_t *j = json_loads(line, 0, &jerr);
        if (j == NULL)
            continue;
        const char *t = json_string_value(json_object_get(j, "title"));
        const char *b = json_string_value(json_object_get(j, "body"));
        if (t != NULL && b != NULL) {
            size_t n = strlen(t) + strlen(b) + 2;
            texts[docs] = malloc(n);
            assert_non_null(texts[docs]);
            snprintf(texts[docs], n, "%s\n%s", t, b);
            docs++;
        }
        json_decref(j);
    }
    gzclose(gz);
    assert_int_equal(docs, 150);
    for (int round = 0; round < 3; round++) {
        if (round == 2)
            kh__ner_cache_limit(model, 0);
        for (size_t d = 0; d < docs; d++)
            ents += same_labels(texts[d], strlen(texts[d]));
    }
    kh__ner_cache_limit(model, (size_t)96 << 20);
    assert_true(ents > 1000); /* it does find entities */
    /* a word more than 255 times (the memory's counts saturate), words
     * across sentences, punctuation of every length */
    size_t big = 300 * 16;
    char *rep = malloc(big + 1);
    assert_non_null(rep);
    size_t k = 0;
    for (int i = 0; i < 300; i++)
        k += (size_t)snprintf(rep + k, big + 1 - k, "%s",
                              i % 7 == 3 ? "محمد. "
                              : i % 5    ? "محمد "
                                         : "«قال» ");
    same_labels(rep, k);
    free(rep);
    const char *odd = "الرئيس ((((((((((محمد)))))))))) بن سلمان؟ وكالة «واس»، "
                      "12 G20 Путин";
    same_labels(odd, strlen(odd));
    for (size_t d = 0; d < docs; d++)
        free(texts[d]);
    free(texts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_sentence),
        cmocka_unit_test(test_no_entities),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_bad_model),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_dict),
        cmocka_unit_test(test_model_needs_dict),
        cmocka_unit_test(test_fast_equals_reference),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
