/*
 * test_tokenize.c -- word boundaries, numbers, punctuation, offsets and
 * bad input.
 */
#include "testutil.h"

static void
harakat_do_not_split_words(void **state)
{
    (void)state;
    char buf[256];
    /* SQLite FTS5's unicode61 and Groonga make three tokens of this. */
    assert_int_equal(tu_analyze("كَتَبَ", 'n', buf, sizeof buf), 1);
    assert_string_equal(buf, "كتب");
    tu_analyze("كَتَبَ", 'u', buf, sizeof buf);
    assert_string_equal(buf, "كَتَبَ"); /* the span covers the last mark */
}

static void
numbers(void **state)
{
    (void)state;
    char buf[256];
    assert_norm("2022 ٢٠٢٢ 3.5 141", "2022 2022 3.5 141");
    assert_norm("1,000,000 دولار", "1000000 دولار");
    assert_norm("1,5 و 10,25", "1 5 و 10 25"); /* not thousands groups */
    assert_norm("في 27.09.2022", "في 27.09.2022");
    assert_norm("نهاية الجملة 5.", "نهايه الجمله 5");
    tu_analyze("141 3.5", 'k', buf, sizeof buf);
    assert_string_equal(buf, "number number");
}

static void
mixed_and_latin_tokens(void **state)
{
    (void)state;
    char buf[256];
    tu_analyze("قمة G20 و4G وCOVID19", 'n', buf, sizeof buf);
    assert_string_equal(buf, "قمه g20 و 4g و covid19");
    tu_analyze("قمة G20 و4G", 'k', buf, sizeof buf);
    assert_string_equal(buf, "arabic mixed arabic mixed");
    /* Arabic letters never join Latin letters or digits. */
    assert_norm("والـCNN", "وال cnn");
    assert_norm("كوفيد19", "كوفيد 19");
    assert_norm("O'Brien's plan, don't", "obrien plan dont");
}

static void
punctuation_splits(void **state)
{
    (void)state;
    assert_norm("قال،ثم؛لماذا؟«فرانس برس»", "قال ثم لماذا فرانس برس");
    assert_norm("(أوكرانيا)-[روسيا]", "اوكرانيا روسيا");
    assert_norm("\"دونيتسك\" و\"لوغانسك\"", "دونيتسك و لوغانسك");
}

static void
offsets_are_exact(void **state)
{
    (void)state;
    const char *text = "«فرانس برس» قالت: 141 دولة، ٢٠٢٢.";
    kh_analyzer *a;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_analyzer_reset(a, text, strlen(text));
    static const char *const surfaces[] = {"فرانس", "برس",  "قالت",
                                           "141",   "دولة", "٢٠٢٢"};
    kh_token t;
    size_t i = 0;
    while (kh_analyzer_next(a, &t)) {
        assert_true(i < 6);
        assert_int_equal(t.position, i);
        assert_int_equal(t.end - t.start, strlen(surfaces[i]));
        assert_memory_equal(text + t.start, surfaces[i], strlen(surfaces[i]));
        i++;
    }
    assert_int_equal(i, 6);
    kh_analyzer_free(a);
}

static void
invalid_utf8_is_a_separator(void **state)
{
    (void)state;
    /* stray continuation, bad lead bytes, overlong, surrogate, truncated */
    const char text[] = "\x80\xff\xfe"
                        "كلمة"
                        "\xc0\xaf"
                        "نص\xed\xa0\x80"
                        "ab\xe2\x82"
                        "\xd9";
    size_t len = sizeof text - 1;
    char buf[256];
    kh_analyzer_options o = {KH_STEMMER_NONE, 0};
    assert_int_equal(tu_analyze_opts(text, len, &o, 'n', buf, sizeof buf), 3);
    assert_string_equal(buf, "كلمه نص ab");
    tu_analyze_opts(text, len, &o, 'u', buf, sizeof buf);
    assert_string_equal(buf, "كلمة نص ab");
}

static void
nul_bytes_and_empty_input(void **state)
{
    (void)state;
    char buf[64];
    kh_analyzer_options o = {KH_STEMMER_NONE, 0};
    assert_int_equal(tu_analyze_opts("a\0b", 3, &o, 'n', buf, sizeof buf), 2);
    assert_string_equal(buf, "a b");
    assert_int_equal(tu_analyze_opts("", 0, &o, 'n', buf, sizeof buf), 0);
    assert_int_equal(tu_analyze_opts(" ،؛ ...", 10, &o, 'n', buf, sizeof buf),
                     0);
    kh_analyzer *a;
    kh_token t;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_analyzer_reset(a, NULL, 5); /* NULL text reads as empty */
    assert_int_equal(kh_analyzer_next(a, &t), 0);
    kh_analyzer_free(a);
}

static void
long_words_are_truncated_and_flagged(void **state)
{
    (void)state;
    char text[2000];
    size_t n = 0;
    for (int i = 0; i < 300; i++) {
        memcpy(text + n, "ب", 2);
        n += 2;
    }
    kh_analyzer *a;
    kh_token t;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_analyzer_reset(a, text, n);
    assert_int_equal(kh_analyzer_next(a, &t), 1);
    assert_true(t.flags & KH_TOKEN_TRUNCATED);
    assert_int_equal(t.norm_len, KH_MAX_TOKEN_BYTES);
    assert_int_equal(t.start, 0);
    assert_int_equal(t.end, n); /* the span is the whole word */
    assert_int_equal(kh_analyzer_next(a, &t), 0);
    kh_analyzer_free(a);
}

static void
other_scripts(void **state)
{
    (void)state;
    char buf[256];
    tu_analyze("Токаев 東京 Ελλάδα", 'k', buf, sizeof buf);
    assert_string_equal(buf, "other other other");
    /* Only Latin letters lose their accents; other scripts are case-folded. */
    assert_norm("Токаев Ελλάδα", "токаев ελλάδα");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(harakat_do_not_split_words),
        cmocka_unit_test(numbers),
        cmocka_unit_test(mixed_and_latin_tokens),
        cmocka_unit_test(punctuation_splits),
        cmocka_unit_test(offsets_are_exact),
        cmocka_unit_test(invalid_utf8_is_a_separator),
        cmocka_unit_test(nul_bytes_and_empty_input),
        cmocka_unit_test(long_words_are_truncated_and_flagged),
        cmocka_unit_test(other_scripts),
    };
    return cmocka_run_group_tests_name("tokenize", tests, NULL, NULL);
}
