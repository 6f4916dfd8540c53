/*
 * test_stem.c -- the light stemmer, the Snowball wrapper, stop words and
 * the analyzer options.
 */
#include "testutil.h"

static void
light_stemmer_rules(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        /* articles and their combinations */
        {"الكتاب", "كتاب"},
        {"والكتاب", "كتاب"},
        {"بالكتاب", "كتاب"},
        {"للكتاب", "كتاب"},
        {"وللمرة", "مر"},
        /* و, before and after the article, consistently */
        {"وقال", "قال"},
        {"وزير", "زير"},
        {"الوزير", "زير"},
        {"والوزير", "زير"},
        /* enclitic pronouns; ta marbuta restored before them */
        {"أمنهم", "امن"},
        {"بلادهم", "بلاد"},
        {"حكومتنا", "حكوم"},
        {"الحكومة", "حكوم"},
        {"سياستها", "سياس"},
        /* the accusative alef and the verb plural */
        {"تمهيدًا", "تمهيد"},
        {"قالوا", "قال"},
        /* light10 suffixes, repeated */
        {"يفرّون", "يفر"},
        {"السياسيين", "سياس"},
        {"السياسية", "سياس"},
        {"اللبنانيين", "لبن"},
        {"لبنان", "لبن"},
        {"الكازاخستاني", "كازاخست"},
        {"كازاخستان", "كازاخست"},
        /* hamza spellings meet before stemming */
        {"المسؤولين", "مسءول"},
        {"المسئولين", "مسءول"},
        /* short words and the name of God are left alone */
        {"من", "من"},
        {"أب", "اب"},
        {"الله", "الله"},
        {"عبدالله", "عبدالله"},
        {"لله", "الله"},
        {"والله", "الله"},
        {"أقرّت", "اقرت"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[256];
        tu_analyze(cases[i][0], 's', buf, sizeof buf);
        if (strcmp(buf, cases[i][1]) != 0)
            fail_msg("stem(%s) = %s, want %s", cases[i][0], buf, cases[i][1]);
    }
}

static void
latin_and_numbers_are_not_stemmed(void **state)
{
    (void)state;
    assert_stems("Reuters reported 141 G20", "reuters reported 141 g20");
}

static void
snowball_wrapper(void **state)
{
    (void)state;
    kh_analyzer_options o = {KH_STEMMER_SNOWBALL, 0};
    char buf[512];
    const char *text = "الحكومة السياسية المسؤولين بحماية قالوا";
    tu_analyze_opts(text, strlen(text), &o, 's', buf, sizeof buf);
    /* Snowball sees ة and ؤ (it uses them), its stems are then folded. */
    assert_string_equal(buf, "حكوم سياس مسوول حما قال");
}

static void
stopwords_flagged_and_dropped(void **state)
{
    (void)state;
    const char *text = "قال إنه في الأيام الأخيرة، يأتي الكثير من الناس";
    kh_analyzer *a;
    kh_token t;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_analyzer_reset(a, text, strlen(text));
    char stops[512] = "";
    while (kh_analyzer_next(a, &t))
        if (t.flags & KH_TOKEN_STOP) {
            strcat(stops, t.norm);
            strcat(stops, " ");
        }
    assert_string_equal(stops, "قال انه في من ");
    kh_analyzer_free(a);

    /* Dropped stop words keep their positions for phrase matching. */
    kh_analyzer_options o = {KH_STEMMER_LIGHT, 1};
    assert_int_equal(kh_analyzer_new(&o, &a), KH_OK);
    kh_analyzer_reset(a, text, strlen(text));
    uint32_t positions[16];
    int n = 0;
    while (kh_analyzer_next(a, &t) && n < 16)
        positions[n++] = t.position;
    assert_int_equal(n, 5);
    assert_int_equal(positions[0], 3); /* الأيام, after three stop words */
    assert_int_equal(positions[3], 6); /* الكثير */
    assert_int_equal(positions[4], 8); /* الناس, after من */
    kh_analyzer_free(a);
}

static void
stopword_list_is_normalized(void **state)
{
    (void)state;
    /* The list has إلى and ذلك with hamza/alef maqsura spellings; text
     * written without them is flagged too. */
    static const char *const words[] = {"إلى",   "الى", "إلي", "ذلك", "هؤلاء",
                                        "هءلاء", "the", "The", "وفي", "فقد"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        kh_analyzer *a;
        kh_token t;
        assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
        kh_analyzer_reset(a, words[i], strlen(words[i]));
        assert_int_equal(kh_analyzer_next(a, &t), 1);
        if (!(t.flags & KH_TOKEN_STOP))
            fail_msg("%s is not flagged as a stop word", words[i]);
        kh_analyzer_free(a);
    }
    /* Content words that the source lists contain are not stop words. */
    static const char *const content[] = {"مليون", "أبريل", "برس", "اليوم",
                                          "ولي",   "والي",  "واحد"};
    for (size_t i = 0; i < sizeof content / sizeof content[0]; i++) {
        kh_analyzer *a;
        kh_token t;
        assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
        kh_analyzer_reset(a, content[i], strlen(content[i]));
        assert_int_equal(kh_analyzer_next(a, &t), 1);
        if (t.flags & KH_TOKEN_STOP)
            fail_msg("%s is flagged as a stop word", content[i]);
        kh_analyzer_free(a);
    }
}

static void
stemmer_names(void **state)
{
    (void)state;
    kh_stemmer_kind k;
    assert_int_equal(kh_stemmer_parse("snowball", &k), KH_OK);
    assert_int_equal(k, KH_STEMMER_SNOWBALL);
    assert_int_equal(kh_stemmer_parse("none", &k), KH_OK);
    assert_int_equal(k, KH_STEMMER_NONE);
    assert_int_equal(kh_stemmer_parse("porter", &k), KH_EINVAL);
    assert_int_equal(kh_stemmer_parse(NULL, &k), KH_EINVAL);
    assert_string_equal(kh_stemmer_name(KH_STEMMER_LIGHT), "light");

    kh_analyzer *a = NULL;
    kh_analyzer_options bad = {(kh_stemmer_kind)42, 0};
    assert_int_equal(kh_analyzer_new(&bad, &a), KH_EINVAL);
    assert_null(a);
    kh_analyzer_free(NULL); /* a no-op */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(light_stemmer_rules),
        cmocka_unit_test(latin_and_numbers_are_not_stemmed),
        cmocka_unit_test(snowball_wrapper),
        cmocka_unit_test(stopwords_flagged_and_dropped),
        cmocka_unit_test(stopword_list_is_normalized),
        cmocka_unit_test(stemmer_names),
    };
    return cmocka_run_group_tests_name("stem", tests, NULL, NULL);
}
