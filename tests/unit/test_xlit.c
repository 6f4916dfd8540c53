/*
 * test_xlit.c -- names across scripts (src/extract/xlit*): Cyrillic is
 * romanized as the English press writes it, Arabic letters fold to their
 * key, and with the compiled-in model the three spellings of one name
 * find each other among distractors; bad input (invalid UTF-8, empty,
 * 100 KB) is survived.  Needs nothing outside the repository.
 */
#include "testutil.h"

#include "extract/xlit.h"

static kh_xlit_name
prep(const char *s)
{
    kh_xlit_name nm;
    kh__xlit_prepare(s, strlen(s), &nm);
    return nm;
}

static void
assert_same_letters(const char *a, const char *b)
{
    kh_xlit_name x = prep(a), y = prep(b);
    assert_int_equal(x.script, y.script);
    assert_int_equal(x.n, y.n);
    assert_memory_equal(x.s, y.s, x.n);
}

static void
cyrillic_is_romanized(void **state)
{
    (void)state;
    assert_same_letters("Токаев", "tokayev");
    assert_same_letters("Путин", "putin");
    assert_same_letters("Лавров", "Lavrov");
    assert_same_letters("Хрущёв", "khruščyov"); /* щ: šč, ё: yo */
    assert_same_letters("Ельцин", "yeltsin");
    kh_xlit_name nm = prep("Токаев");
    assert_int_equal(nm.script, KH_XLIT_LATIN);
    assert_int_equal(nm.was_cyrillic, 1);
}

static void
latin_accents_fold(void **state)
{
    (void)state;
    assert_same_letters("Niccolò", "niccolo");
    assert_same_letters("Tadić", "tadič");
    assert_same_letters("Czesław", "czeswaw");
    assert_same_letters("MÜLLER", "muller");
}

static void
arabic_letters_fold(void **state)
{
    (void)state;
    char key[64];
    kh_xlit_name nm = prep("توكاييف");
    assert_int_equal(nm.script, KH_XLIT_ARABIC);
    assert_int_equal(nm.n, 7);
    kh__xlit_key(&nm, key, sizeof key);
    assert_string_equal(key, "TKF");
    /* Diacritics and tatweel go; Persian forms fold. */
    assert_same_letters("بُوتِين", "بوتين");
    assert_same_letters("بوتـين", "بوتين");
    assert_same_letters("کی", "كي");
    assert_int_equal(
        kh__xlit_key_str("بوتين", strlen("بوتين"), key, sizeof key), 3);
    assert_string_equal(key, "BTN");
    /* a word's first ي counts (اليمن is not عمان or ميناء: MN), its
     * others stay vowels */
    kh__xlit_key_str("اليمن", strlen("اليمن"), key, sizeof key);
    assert_string_equal(key, "YMN");
    kh__xlit_key_str("عمان", strlen("عمان"), key, sizeof key);
    assert_string_equal(key, "MN");
    kh__xlit_key_str("يوسف", strlen("يوسف"), key, sizeof key);
    assert_string_equal(key, "YSF");
    kh__xlit_key_str("سيف", strlen("سيف"), key, sizeof key);
    assert_string_equal(key, "SF");
}

static void
keys_match_across_scripts(void **state)
{
    (void)state;
    static const char *const trio[][3] = {
        {"توكاييف", "Tokayev", "Токаев"},
        {"بوتين", "Putin", "Путин"},
        {"لافروف", "Lavrov", "Лавров"},
        {"اليمن", "Yemen", "Йемен"}, /* a first ي is a consonant: YMN */
    };
    for (size_t i = 0; i < sizeof trio / sizeof trio[0]; i++) {
        char k[3][64];
        size_t n[3];
        for (int s = 0; s < 3; s++)
            n[s] = kh__xlit_key_str(trio[i][s], strlen(trio[i][s]), k[s],
                                    sizeof k[s]);
        assert_true(n[0] > 0);
        assert_string_equal(k[1], k[2]);
        assert_string_equal(k[0], k[1]);
    }
}

/* The index of the best-scoring candidate for q. */
static size_t
best_of(const char *q, const char *const *cands, size_t n)
{
    kh_xlit_name qn = prep(q);
    size_t best = 0;
    double best_score = -1e300;
    for (size_t i = 0; i < n; i++) {
        kh_xlit_name c = prep(cands[i]);
        double s = kh__xlit_score(&qn, &c);
        if (s > best_score) {
            best_score = s;
            best = i;
        }
    }
    return best;
}

static void
scores_find_the_name_among_distractors(void **state)
{
    (void)state;
    static const char *const arabic[] = {"توكايا",  "توكيو", "بوتين",  "تاكاي",
                                         "توكاييف", "كاييف", "لافروف", "بوتينا",
                                         "بوتان",   "بيتون"};
    static const char *const latin[] = {"Tokyo", "Takai",  "Tokayev",
                                        "Putin", "Patton", "Lavrov",
                                        "Kayev", "Bhutan"};
    size_t na = sizeof arabic / sizeof arabic[0];
    size_t nl = sizeof latin / sizeof latin[0];
    assert_int_equal(best_of("Tokayev", arabic, na), 4);
    assert_int_equal(best_of("Токаев", arabic, na), 4);
    assert_int_equal(best_of("Putin", arabic, na), 2);
    assert_int_equal(best_of("Путин", arabic, na), 2);
    assert_int_equal(best_of("Lavrov", arabic, na), 6);
    assert_int_equal(best_of("توكاييف", latin, nl), 2);
    assert_int_equal(best_of("بوتين", latin, nl), 3);
    /* A second spelling of the same name is a match, not a distractor:
     * with the per-letter bonus of xlit.c, Puttin even scores a little
     * above Putin for بوتين. */
    static const char *const two[] = {"Puttin", "Bhutan"};
    assert_int_equal(best_of("بوتين", two, 2), 0);
    /* Latin against Cyrillic: by keys. */
    static const char *const cyr[] = {"Токио", "Токаев", "Путин", "Лавров"};
    assert_int_equal(best_of("Tokayev", cyr, 4), 1);
    assert_int_equal(best_of("Lavrov", cyr, 4), 3);
}

static void
the_likeliest_arabic_spelling(void **state)
{
    (void)state;
    char out[128];
    kh_xlit_name nm = prep("Putin");
    size_t n = kh__xlit_to_arabic(&nm, out, sizeof out);
    assert_true(n > 0);
    assert_string_equal(out, "بوتين");
    /* A tiny buffer is never overrun. */
    n = kh__xlit_to_arabic(&nm, out, 3);
    assert_true(n <= 2);
    assert_int_equal(kh__xlit_to_arabic(&nm, out, 0), 0);
}

static void
bad_input_is_survived(void **state)
{
    (void)state;
    char key[64];
    kh_xlit_name e = prep("");
    assert_int_equal(e.script, KH_XLIT_EMPTY);
    assert_int_equal(kh__xlit_key(&e, key, sizeof key), 0);
    assert_string_equal(key, "");
    kh_xlit_name p = prep("Putin");
    assert_true(kh__xlit_score(&e, &p) < -1e6);
    assert_true(kh__xlit_score(&p, &e) < -1e6);
    kh__xlit_prepare(NULL, 0, &e);
    assert_int_equal(e.script, KH_XLIT_EMPTY);

    /* Invalid UTF-8: stray continuation bytes, truncated sequences,
     * overlongs, surrogates, bytes never valid. */
    static const char bad[] = "\x80\xbf\xc0\xaf\xe0\x80\xaf\xed\xa0\x80"
                              "\xf5\x80\x80\x80\xfe\xff\xd8"
                              "P\xc3u\xe2\x82t\xf0\x9fin\xd8";
    kh_xlit_name b;
    kh__xlit_prepare(bad, sizeof bad - 1, &b);
    assert_int_equal(b.script, KH_XLIT_LATIN);
    assert_int_equal(b.n, 5); /* p u t i n survive */
    kh__xlit_key(&b, key, sizeof key);
    (void)kh__xlit_score(&b, &p);
    /* Only punctuation and digits. */
    kh_xlit_name d = prep("12 -- 34 !!");
    assert_int_equal(d.script, KH_XLIT_EMPTY);

    /* 100 KB of each script, and of random bytes: the name is cut. */
    size_t big = 100 * 1024;
    char *s = malloc(big + 1);
    assert_non_null(s);
    static const char *const fill[] = {"ب", "a", "Ж", "\xff"};
    for (size_t f = 0; f < 4; f++) {
        size_t fl = strlen(fill[f]), k = 0;
        while (k + fl <= big) {
            memcpy(s + k, fill[f], fl);
            k += fl;
        }
        kh_xlit_name h;
        kh__xlit_prepare(s, k, &h);
        assert_true(h.n <= KH_XLIT_MAX_LETTERS);
        kh__xlit_key(&h, key, sizeof key);
        assert_true(strlen(key) < sizeof key);
        (void)kh__xlit_score(&h, &p);
        (void)kh__xlit_score(&h, &h);
        char ar[16];
        kh__xlit_to_arabic(&h, ar, sizeof ar);
        assert_true(strlen(ar) < sizeof ar);
    }
    srand(7);
    for (size_t i = 0; i < big; i++)
        s[i] = (char)(rand() & 0xff);
    kh_xlit_name r;
    kh__xlit_prepare(s, big, &r);
    kh__xlit_key(&r, key, 4);
    assert_true(strlen(key) < 4);
    (void)kh__xlit_score(&r, &p);
    free(s);
    assert_true(kh__xlit_key_distance("ABC", 3, "", 0) == 3);
    assert_true(kh__xlit_key_distance("ABC", 3, "ABD", 3) == 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cyrillic_is_romanized),
        cmocka_unit_test(latin_accents_fold),
        cmocka_unit_test(arabic_letters_fold),
        cmocka_unit_test(keys_match_across_scripts),
        cmocka_unit_test(scores_find_the_name_among_distractors),
        cmocka_unit_test(the_likeliest_arabic_spelling),
        cmocka_unit_test(bad_input_is_survived),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
