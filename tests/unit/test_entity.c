/*
 * test_entity.c -- entities through the public API: tagged at ingest,
 * found by name in three scripts, the entity: filter following updates
 * and deletes, a person named by part of a longer name (and not by his
 * father's name inside it), timelines of a
 * story and of an entity, and an index made without entities.
 */
#include "testutil.h"

#include <unistd.h>

#include "extract/exonym.h"

static char dir[256];

static void
rmtree(const char *d)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
}

typedef struct art {
    const char *id, *date, *title, *body;
} art;

/* Hand-written in the manner of the wire stories of September 2022. */
static const art arts[] = {
    {"a", "2022-09-20T09:00:00Z", "بوتين يعلن التعبئة الجزئية",
     "أعلن الرئيس الروسي فلاديمير بوتين اليوم التعبئة الجزئية في روسيا. "
     "وقال الكرملين إن القرار يشمل جنود الاحتياط."},
    {"b", "2022-09-23T09:00:00Z", "لقاء في موسكو",
     "التقى الرئيس الروسي فلاديمير بوتين نظيره الكازاخستاني قاسم جومارت "
     "توكاييف في موسكو يوم الجمعة. وبحث الرئيسان العلاقات بين البلدين."},
    {"c", "2022-09-27T09:00:00Z", "كازاخستان تتعهد بحماية الروس",
     "قال الرئيس الكازاخستاني قاسم جومارت توكاييف الثلاثاء إن بلاده "
     "ستحمي الروس الفارين. وأضاف توكاييف أن الوضع صعب. وفي 21 فبراير "
     "اعترف الكرملين باستقلال دونيتسك."},
    {"d", "2022-09-27T12:00:00Z", "أمطار على الرياض",
     "توقعت الأرصاد هطول أمطار غزيرة على مدينة الرياض يوم الخميس."},
};

static kh_index *
open_ix(const char *d, int no_entities, int read_only)
{
    kh_index_options o = {.create = !read_only,
                          .read_only = read_only,
                          .no_entities = no_entities};
    kh_index *ix = NULL;
    kh_error err;
    if (kh_index_open(d, &o, &ix, &err) != KH_OK)
        fail_msg("open %s: %s", d, err.message);
    return ix;
}

static void
add(kh_index *ix, const art *a, const char *body)
{
    int64_t t;
    assert_int_equal(kh_date_parse(a->date, strlen(a->date), &t), KH_OK);
    kh_article k = {a->id, NULL, "afp", a->title, body ? body : a->body,
                    NULL,  t};
    kh_error err;
    assert_int_equal(kh_index_add(ix, &k, NULL, &err), KH_OK);
}

/* A fresh index in d holding a[0..n), committed. */
static kh_index *
build_of(const char *d, const art *a, size_t n, int no_entities)
{
    rmtree(d);
    kh_index *ix = open_ix(d, no_entities, 0);
    for (size_t i = 0; i < n; i++)
        add(ix, &a[i], NULL);
    kh_error err;
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    return ix;
}

static kh_index *
build(const char *d, int no_entities)
{
    return build_of(d, arts, sizeof arts / sizeof arts[0], no_entities);
}

/* The ids a query finds, sorted, space-joined. */
static void
ids(kh_index *ix, const char *q, char *out, size_t cap)
{
    kh_search_options o = {.limit = 50, .no_collapse = 1};
    kh_results *r;
    kh_error err;
    if (kh_index_search(ix, q, &o, &r, &err) != KH_OK)
        fail_msg("%s: %s", q, err.message);
    const char *v[50];
    for (size_t i = 0; i < r->n_hits; i++)
        v[i] = r->hits[i].id;
    for (size_t i = 1; i < r->n_hits; i++)
        for (size_t k = i; k > 0 && strcmp(v[k], v[k - 1]) < 0; k--) {
            const char *x = v[k];
            v[k] = v[k - 1];
            v[k - 1] = x;
        }
    out[0] = '\0';
    for (size_t i = 0; i < r->n_hits; i++) {
        strncat(out, v[i], cap - strlen(out) - 2);
        if (i + 1 < r->n_hits)
            strncat(out, " ", cap - strlen(out) - 1);
    }
    kh_results_free(r);
}

/* Each query q[i][0] finds exactly the ids q[i][1] (ids()). */
static void
expect_ids(kh_index *ix, const char *const (*q)[2], size_t n)
{
    char got[256];
    for (size_t i = 0; i < n; i++) {
        ids(ix, q[i][0], got, sizeof got);
        if (strcmp(got, q[i][1]) != 0)
            fail_msg("%s: got '%s', want '%s'", q[i][0], got, q[i][1]);
    }
}

static void
filter_in_three_scripts(void **state)
{
    (void)state;
    kh_index *ix = build(dir, 0);
    char got[256];
    static const char *const tokayev[] = {
        "entity:Tokayev", "entity:Токаев", "entity:توكاييف",
        "entity:\"قاسم جومارت توكاييف\"", "entity:PER:KSM-JMRT-TKF"};
    for (size_t i = 0; i < sizeof tokayev / sizeof tokayev[0]; i++) {
        ids(ix, tokayev[i], got, sizeof got);
        if (strcmp(got, "b c") != 0)
            fail_msg("%s gave [%s], not [b c]", tokayev[i], got);
    }
    static const char *const putin[] = {"entity:Putin", "entity:Путин",
                                        "entity:بوتين"};
    for (size_t i = 0; i < sizeof putin / sizeof putin[0]; i++) {
        ids(ix, putin[i], got, sizeof got);
        if (strcmp(got, "a b") != 0)
            fail_msg("%s gave [%s], not [a b]", putin[i], got);
    }
    ids(ix, "الرئيس entity:Tokayev -موسكو", got, sizeof got);
    assert_string_equal(got, "c");
    ids(ix, "entity:Obama", got, sizeof got);
    assert_string_equal(got, "");
    kh_results *r;
    kh_error err;
    assert_int_equal(kh_index_search(ix, "entity:\"...\"", NULL, &r, &err),
                     KH_EINVAL);
    assert_non_null(strstr(err.message, "no letter"));
    kh_index_close(ix);
}

static void
find_and_article_entities(void **state)
{
    (void)state;
    kh_index *ix = build(dir, 0);
    kh_entities *l;
    kh_error err;
    assert_int_equal(kh_index_entity_find(ix, "Tokayev", 5, &l, &err), KH_OK);
    assert_true(l->n >= 1);
    assert_string_equal(l->items[0].key, "PER:KSM-JMRT-TKF");
    assert_string_equal(l->items[0].name, "قاسم جومارت توكاييف");
    assert_int_equal(l->items[0].type, KH_ENTITY_PERSON);
    assert_int_equal(l->items[0].count, 2);
    kh_entities_free(l);
    /* "توكاييف" alone in c is the person of the full name there */
    assert_int_equal(kh_index_article_entities(ix, "c", &l, &err), KH_OK);
    int found = 0;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, "PER:KSM-JMRT-TKF") == 0) {
            found = 1;
            assert_int_equal(l->items[i].count, 2);
            assert_int_equal(i, 0); /* most mentioned first */
        }
    assert_true(found);
    kh_entities_free(l);
    assert_int_equal(kh_index_entity_find(ix, "!!", 5, &l, &err), KH_EINVAL);
    assert_int_equal(kh_index_article_entities(ix, "zz", &l, &err),
                     KH_ENOTFOUND);
    kh_index_close(ix);
}

/* A name that stands after بن in a longer one is the father, not the
 * same person: the king was filed under his son's key. */
static void
father_is_not_son(void **state)
{
    (void)state;
    static const art k = {
        "k", "2015-07-21T10:00:00Z", "استقبال في جدة",
        "استقبل خادم الحرمين الشريفين سلمان بن عبدالعزيز آل سعود في قصر "
        "السلام بجدة اليوم الأمير محمد بن سلمان بن عبدالعزيز آل سعود ولي "
        "ولي العهد وزير الدفاع. وأكد سلمان بن عبدالعزيز آل سعود دعم "
        "المملكة."};
    kh_index *ix = build_of(dir, &k, 1, 0);
    kh_error err;
    kh_entities *l;
    assert_int_equal(kh_index_article_entities(ix, "k", &l, &err), KH_OK);
    size_t king = 0, son = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].key, "PER:SLMN-BN-BDLZ-L-SD") == 0)
            king = l->items[i].count;
        if (strcmp(l->items[i].key, "PER:MHMD-BN-SLMN-BN-BDLZ-L-SD") == 0)
            son = l->items[i].count;
    }
    assert_int_equal(king, 2);
    assert_int_equal(son, 1);
    kh_entities_free(l);
    kh_index_close(ix);
}

static int64_t day(const char *iso);

/* A country's English name finds its Arabic name's articles through
 * iso-codes' Arabic catalogue (exonym.c): no letter model gives الأردن
 * for Jordan or السعودية for Saudi Arabia. */
static void
country_names(void **state)
{
    (void)state;
    static const art a[] = {
        {"s", "2015-08-03T10:00:00Z", "زيارة",
         "وصل وزير الخارجية الأمريكي إلى السعودية أمس قادما من الأردن."},
        {"e", "2015-08-03T10:00:00Z", "قناة",
         "افتتحت مصر قناة السويس الجديدة في الإسماعيلية."},
    };
    kh_index *ix = build_of(dir, a, sizeof a / sizeof a[0], 0);
    static const char *const q[][2] = {
        {"entity:\"Saudi Arabia\"", "s"},
        {"entity:Jordan", "s"},
        {"entity:egypt", "e"},
        {"entity:\"Kingdom of Saudi Arabia\"", ""}, /* المملكة العربية... */
    };
    expect_ids(ix, q, sizeof q / sizeof q[0]);
    kh_index_close(ix);
    /* the catalogue's reader on bad input */
    kh_strmap map;
    kh_buf names;
    kh__strmap_init(&map);
    kh__buf_init(&names);
    assert_int_equal(
        kh__exonym_parse("not a catalogue at all", 22, &map, &names),
        KH_ECORRUPT);
    static const unsigned char bad[28] = {
        0xde, 0x12, 0x04, 0x95, 0, 0, 0, 0, 1, 0, 0,    0,    20, 0,
        0,    0,    0xf0, 0xff, 0, 0, 9, 0, 0, 0, 0xf0, 0xff, 0,  0};
    assert_int_equal(
        kh__exonym_parse((const char *)bad, sizeof bad, &map, &names),
        KH_ECORRUPT);
    kh__strmap_release(&map);
    kh__buf_release(&names);
}

/* Arabic names whose first letter the proclitic rule cuts: كيري, بيري
 * and فاليري all gave يري and found each other's articles (كاليفورنيا is
 * stored cut, as اليفورنيا, and is still found). */
static void
arabic_cut_names(void **state)
{
    (void)state;
    static const art a[] = {
        {"k", "2015-08-03T10:00:00Z", "زيارة",
         "وصل وزير الخارجية الأمريكي جون كيري إلى الدوحة أمس."},
        {"p", "2015-08-03T10:00:00Z", "ترشح",
         "أعلن حاكم ولاية تكساس السابق ريك بيري ترشحه للرئاسة."},
        {"v", "2015-08-03T10:00:00Z", "فوز",
         "فاز الرياضي الفرنسي فاليري بيرال بالسباق أمس."},
        {"c", "2015-08-03T10:00:00Z", "حرائق",
         "اندلعت حرائق في ولاية كاليفورنيا الأمريكية أمس."},
    };
    kh_index *ix = build_of(dir, a, sizeof a / sizeof a[0], 0);
    static const char *const q[][2] = {
        {"entity:كيري", "k"},         {"entity:بيري", "p"},
        {"entity:فاليري", "v"},       {"entity:كاليفورنيا", "c"},
        {"entity:\"جون كيري\"", "k"},
    };
    expect_ids(ix, q, sizeof q / sizeof q[0]);
    kh_index_close(ix);
}

/* Names that begin like a proclitic before ال are kept whole: a ك or
 * ف whose rest is no Arabic word (كاليفورنيا), a person's name of the
 * name list (فاليري, and وفالتر: و + فالتر); a particle stays one
 * (كالقصيم beside القصيم).  A name whose first mention carries a clitic
 * (لكاليفورنيا in the title, وفرنسا first) is found by its Arabic name. */
static void
names_read_as_clitics(void **state)
{
    (void)state;
    static const art a[] = {
        {"c", "2015-08-03T10:00:00Z", "حرائق في كاليفورنيا",
         "اندلعت حرائق في ولاية كاليفورنيا الأمريكية أمس."},
        {"t", "2015-08-03T10:00:00Z", "حرائق تجتاح غابات لكاليفورنيا",
         "قالت السلطات إن الحرائق في كاليفورنيا امتدت أمس."},
        {"v", "2015-08-03T10:00:00Z", "فوز",
         "فاز الرياضي الفرنسي فاليري بيرال بالسباق أمس."},
        {"w", "2015-08-03T10:00:00Z", "زيارة",
         "وقال فالتر شتاينماير إن بلاده ستحضر المؤتمر."},
        {"q", "2015-08-03T10:00:00Z", "أمطار",
         "هطلت أمطار على مناطق كالقصيم وحائل، وقال الدفاع المدني في "
         "القصيم إن الأمطار غزيرة."},
        {"f", "2015-08-03T10:00:00Z", "لقاء",
         "وصل وزير خارجية ألمانيا وفرنسا إلى باريس، حيث تستضيف فرنسا "
         "المؤتمر."},
    };
    kh_index *ix = build_of(dir, a, sizeof a / sizeof a[0], 0);
    static const char *const q[][2] = {
        {"entity:California", "c t"},   {"entity:كاليفورنيا", "c t"},
        {"entity:LOC:KLFRN", "c t"},    {"entity:Valery", "v"},
        {"entity:PER:FLTR-CTNMR", "w"}, {"entity:القصيم", "q"},
        {"entity:فرنسا", "f"},
    };
    expect_ids(ix, q, sizeof q / sizeof q[0]);
    kh_index_close(ix);
}

/* Yemen is not Oman: اليمن and عمان shared the key MN, so that
 * entity:Yemen also gave the articles about Oman (and Amman). */
static void
yemen_is_not_oman(void **state)
{
    (void)state;
    static const art a[] = {
        {"y", "2015-08-03T10:00:00Z", "غارات",
         "شنت طائرات التحالف غارات على مواقع في اليمن أمس."},
        {"o", "2015-08-03T10:00:00Z", "زيارة",
         "وصل وزير الخارجية إلى سلطنة عمان أمس في زيارة رسمية."},
    };
    kh_index *ix = build_of(dir, a, sizeof a / sizeof a[0], 0);
    static const char *const q[][2] = {
        {"entity:Yemen", "y"},
        {"entity:اليمن", "y"},
        {"entity:LOC:YMN", "y"},
        {"entity:عمان", "o"},
    };
    expect_ids(ix, q, sizeof q / sizeof q[0]);
    kh_index_close(ix);
}

/* Pieces of web and mail addresses are no entities (gov of
 * www.gdp.gov.sa was an organization of 211 articles); an Arabic name
 * before a full stop without a space stays one. */
static void
addresses_are_not_names(void **state)
{
    (void)state;
    static const art a[] = {
        {"u", "2015-08-03T10:00:00Z", "تسجيل",
         "ويمكن التسجيل عبر موقع الهيئة www.gdp.gov.sa أو البريد "
         "info@spa.gov.sa أو http://example.com/news للاستفسار."},
        {"p", "2015-08-03T10:00:00Z", "لقاء",
         "التقى الرئيس الروسي فلاديمير بوتين.وقال الكرملين إن اللقاء مثمر."},
        /* a Latin name before ":" and an Arabic letter is no address */
        {"n", "2015-08-03T10:00:00Z", "خبر",
         "ونقلت شبكة CNN:إن الرئيس الأمريكي باراك أوباما سيزور المنطقة."},
    };
    kh_index *ix = build_of(dir, a, sizeof a / sizeof a[0], 0);
    static const char *const q[][2] = {
        {"entity:gov", ""},    {"entity:www", ""},  {"entity:com", ""},
        {"entity:بوتين", "p"}, {"entity:CNN", "n"},
    };
    /* nor a span that starts at an address and runs on in Arabic ("sa
     * للاستفسار" after info@spa.gov.sa) */
    kh_entities *l = NULL;
    kh_error err;
    assert_int_equal(kh_index_article_entities(ix, "u", &l, &err), KH_OK);
    for (size_t i = 0; i < l->n; i++)
        fail_msg("u: entity %s (%s)", l->items[i].key, l->items[i].name);
    kh_entities_free(l);
    expect_ids(ix, q, sizeof q / sizeof q[0]);
    kh_index_close(ix);
}

/* A name a key edit away counts only when it is at least as well known
 * as the exact ones: Rouhani is روحاني, not Rooney (روني), and Jeddah
 * (JDH) is جدة (JD) when جده (JDH) is the rarer spelling. */
static void
near_keys_yield_to_exact_ones(void **state)
{
    (void)state;
    static const art a[] = {
        {"r1", "2015-08-03T10:00:00Z", "اتفاق",
         "قال الرئيس الإيراني حسن روحاني إن الاتفاق النووي تاريخي."},
        {"r2", "2015-08-04T10:00:00Z", "خطاب",
         "أكد الرئيس الإيراني حسن روحاني في خطاب أن بلاده ملتزمة."},
        {"w", "2015-08-03T10:00:00Z", "مباراة",
         "سجل المهاجم الإنجليزي واين روني هدفين في المباراة."},
        {"j1", "2015-08-03T10:00:00Z", "زيارة",
         "وصل الوفد إلى مدينة جدة قادما من الرياض."},
        {"j2", "2015-08-04T10:00:00Z", "مهرجان",
         "انطلق مهرجان الصيف في جدة أمس."},
        {"j3", "2015-08-05T10:00:00Z", "زحام", "شهدت مدينة جده زحاما أمس."},
    };
    kh_index *ix = build_of(dir, a, sizeof a / sizeof a[0], 0);
    static const char *const q[][2] = {
        {"entity:Rouhani", "r1 r2"},
        {"entity:Jeddah", "j1 j2 j3"},
    };
    expect_ids(ix, q, sizeof q / sizeof q[0]);
    kh_index_close(ix);
}

/* Latin names as newsrooms write them: with the article (al-Jubeir),
 * hyphens (Ki-moon), and spellings whose Arabic leaves the short
 * vowels out (Mohammed: محمد; Netanyahu: نتنياهو). */
static void
latin_spellings(void **state)
{
    (void)state;
    kh_index *ix = build(dir, 0);
    static const art j = {
        "j", "2015-08-03T10:00:00Z", "الجبير يلتقي كيري",
        "التقى وزير الخارجية عادل الجبير نظيره الأمريكي جون كيري في "
        "الدوحة. وقال رئيس الوزراء الإسرائيلي بنيامين نتنياهو إن الاتفاق "
        "خطأ. وأكد الأمير محمد بن سلمان دعم المملكة. ورحب الأمين العام "
        "للأمم المتحدة بان كي مون بالاجتماع."};
    add(ix, &j, NULL);
    kh_error err;
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    static const char *const q[][2] = {
        {"entity:\"Adel al-Jubeir\"", "j"},
        {"entity:al-Jubeir", "j"},
        {"entity:Netanyahu", "j"},
        {"entity:\"Mohammed bin Salman\"", "j"},
        {"entity:\"Muhammad bin Salman\"", "j"},
        {"entity:\"Ban Ki-moon\"", "j"},
        /* keys a letter apart: JHN and جون JN, BNJMN and بنيامين BNMN */
        {"entity:\"John Kerry\"", "j"},
        {"entity:\"Benjamin Netanyahu\"", "j"},
        {"entity:\"аль-Джубейр\"", "j"},
    };
    expect_ids(ix, q, sizeof q / sizeof q[0]);
    /* the article alone is no name */
    kh_search_options o = {.limit = 5};
    kh_results *r = NULL;
    kh_status rc = kh_index_search(ix, "entity:al", &o, &r, &err);
    if (rc == KH_OK) {
        assert_int_equal(r->total, 0);
        kh_results_free(r);
    }
    /* nor a type without its key (it was read as the name "PER") */
    r = NULL;
    assert_int_equal(kh_index_search(ix, "entity:PER:", &o, &r, &err),
                     KH_EINVAL);
    assert_null(r);
    kh_entities *l = NULL;
    assert_int_equal(kh_index_entity_find(ix, "ORG:", 5, &l, &err), KH_EINVAL);
    assert_null(l);
    kh_index_close(ix);
}

/* An entity's timeline keeps the sentences where tagging finds it: the
 * key of السويس is that of السيسي, and the Suez sentence of 1869 came in;
 * a Hijri date with its Gregorian الموافق in one long sentence came in
 * twice (a window around each). */
static void
timeline_sentences_name_it(void **state)
{
    (void)state;
    static const art s = {
        "s", "2015-08-06T10:00:00Z", "افتتاح القناة",
        "افتتح الرئيس المصري عبد الفتاح السيسي اليوم الخميس قناة السويس "
        "الجديدة في الإسماعيلية. وكانت قناة السويس الأولى قد افتتحت في 17 "
        "نوفمبر 1869 بحضور ملوك أوروبا. وكان السيسي قد استقبل في القاهرة "
        "وفدا رفيعا ضم وزراء الخارجية والدفاع والمالية والاقتصاد والتجارة "
        "والصناعة والزراعة والنقل والاتصالات والطاقة والمياه والصحة والتعليم "
        "والثقافة والإعلام في زيارة رسمية استمرت يوما كاملا يوم الخميس 14 / "
        "10 / 1436هـ الموافق 30 / 7 / 2015م تلبية لدعوة كريمة من الحكومة "
        "المصرية لبحث العلاقات الثنائية بين البلدين الشقيقين في المجالات "
        "السياسية والاقتصادية والعسكرية والثقافية والاجتماعية والرياضية."};
    kh_index *ix = build_of(dir, &s, 1, 0);
    kh_error err;
    static const char *const names[] = {"Sisi", "السيسي"};
    for (size_t k = 0; k < 2; k++) {
        kh_timeline *t;
        kh_timeline_options to = {NULL, names[k], 0, 0};
        assert_int_equal(kh_index_timeline(ix, &to, &t, &err), KH_OK);
        int suez = 0, visit = 0, today = 0;
        for (size_t i = 0; i < t->n_events; i++) {
            const kh_event *e = &t->events[i];
            if (e->published)
                continue;
            suez += e->first == day("1869-11-17");
            visit += e->first == day("2015-07-30");
            today += e->first == day("2015-08-06");
        }
        assert_int_equal(suez, 0);
        assert_int_equal(visit, 1);
        assert_int_equal(today, 1);
        kh_timeline_free(t);
    }
    kh_index_close(ix);
}

static void
updates_and_deletes(void **state)
{
    (void)state;
    kh_index *ix = build(dir, 0);
    kh_error err;
    char got[256];
    /* c rewritten without him, b deleted: nobody names him */
    add(ix, &arts[2], "قالت الحكومة إن الوضع صعب.");
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    ids(ix, "entity:Tokayev", got, sizeof got);
    assert_string_equal(got, "b");
    assert_int_equal(kh_index_delete(ix, "b", &err), KH_OK);
    assert_int_equal(kh_index_commit(ix, &err), KH_OK);
    ids(ix, "entity:Tokayev", got, sizeof got);
    assert_string_equal(got, "");
    ids(ix, "entity:Putin", got, sizeof got);
    assert_string_equal(got, "a");
    kh_timeline_options to = {NULL, "Tokayev", 0, 0};
    kh_timeline *t;
    assert_int_equal(kh_index_timeline(ix, &to, &t, &err), KH_ENOTFOUND);
    kh_index_close(ix);
    /* and so after a restart, read-only */
    ix = open_ix(dir, 0, 1);
    ids(ix, "entity:Putin", got, sizeof got);
    assert_string_equal(got, "a");
    kh_index_close(ix);
}

static int64_t
day(const char *iso)
{
    int64_t t;
    assert_int_equal(kh_date_parse(iso, strlen(iso), &t), KH_OK);
    return t / 86400;
}

static void
timelines(void **state)
{
    (void)state;
    kh_index *ix = build(dir, 0);
    kh_error err;
    kh_timeline *t;
    kh_timeline_options to = {NULL, "Tokayev", 0, 0};
    assert_int_equal(kh_index_timeline(ix, &to, &t, &err), KH_OK);
    assert_string_equal(t->label, "قاسم جومارت توكاييف");
    assert_int_equal(t->articles, 2);
    assert_int_equal(t->n_days, 2);
    assert_int_equal(t->volume[0].day, day("2022-09-23"));
    assert_int_equal(t->volume[1].day, day("2022-09-27"));
    /* sentences naming him, with their dates: Friday 23 and Tuesday 27;
     * not the one of 21 February, which names the Kremlin */
    int fri = 0, tue = 0, feb = 0;
    for (size_t i = 0; i < t->n_events; i++) {
        const kh_event *e = &t->events[i];
        if (i > 0)
            assert_true(t->events[i - 1].first <= e->first);
        if (e->published)
            continue;
        fri += e->first == day("2022-09-23") && strstr(e->text, "موسكو");
        tue += e->first == day("2022-09-27") && strstr(e->text, "الثلاثاء");
        feb += strstr(e->text, "فبراير") != NULL;
    }
    assert_int_equal(fri, 1);
    assert_int_equal(tue, 1);
    assert_int_equal(feb, 0);
    kh_timeline_free(t);
    /* the story of c: its publication and 21 February 2022 */
    kh_timeline_options so = {"c", NULL, 0, 0};
    assert_int_equal(kh_index_timeline(ix, &so, &t, &err), KH_OK);
    int pub = 0;
    feb = 0;
    for (size_t i = 0; i < t->n_events; i++) {
        pub += t->events[i].published && strcmp(t->events[i].id, "c") == 0;
        feb +=
            !t->events[i].published && t->events[i].first == day("2022-02-21");
    }
    assert_int_equal(pub, 1);
    assert_int_equal(feb, 1);
    assert_int_equal(t->events[0].first, day("2022-02-21"));
    kh_timeline_free(t);
    kh_timeline_options bad = {"c", "Tokayev", 0, 0};
    assert_int_equal(kh_index_timeline(ix, &bad, &t, &err), KH_EINVAL);
    kh_timeline_options none = {"nope", NULL, 0, 0};
    assert_int_equal(kh_index_timeline(ix, &none, &t, &err), KH_ENOTFOUND);
    kh_index_close(ix);
}

static void
without_entities(void **state)
{
    (void)state;
    char d[300];
    snprintf(d, sizeof d, "%s-none", dir);
    kh_index *ix = build(d, 1);
    char got[256];
    ids(ix, "entity:Tokayev", got, sizeof got);
    assert_string_equal(got, "");
    ids(ix, "توكاييف", got, sizeof got); /* the words are still there */
    assert_string_equal(got, "b c");
    kh_entities *l;
    kh_error err;
    assert_int_equal(kh_index_entity_find(ix, "Tokayev", 5, &l, &err), KH_OK);
    assert_int_equal(l->n, 0);
    kh_entities_free(l);
    kh_index_close(ix);
    rmtree(d);
}

int
main(void)
{
    snprintf(dir, sizeof dir, "/tmp/khabar-test-entity-%d", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filter_in_three_scripts),
        cmocka_unit_test(find_and_article_entities),
        cmocka_unit_test(father_is_not_son),
        cmocka_unit_test(latin_spellings),
        cmocka_unit_test(arabic_cut_names),
        cmocka_unit_test(names_read_as_clitics),
        cmocka_unit_test(yemen_is_not_oman),
        cmocka_unit_test(addresses_are_not_names),
        cmocka_unit_test(near_keys_yield_to_exact_ones),
        cmocka_unit_test(country_names),
        cmocka_unit_test(timeline_sentences_name_it),
        cmocka_unit_test(updates_and_deletes),
        cmocka_unit_test(timelines),
        cmocka_unit_test(without_entities),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rmtree(dir);
    return rc;
}
