/*
 * test_query.c -- the query parser (src/query/parse.c): the tree each
 * construct gives, seen through the canonical rendering; exact unix times
 * for dates; every syntax error with its offset; bad bytes, nesting limits
 * and out-of-memory.
 *
 * Queries are parsed from heap copies of exactly their length, so that
 * AddressSanitizer (make SAN=1) catches a read past the end: the parser
 * must not need a NUL terminator.
 */
#include "testutil.h"

#include "kh_int.h"
#include "query/query.h"

static const kh_analyzer_options light = {KH_STEMMER_LIGHT, 0};
static const kh_analyzer_options light_drop = {KH_STEMMER_LIGHT, 1};
static const kh_analyzer_options no_stem = {KH_STEMMER_NONE, 0};

/* Parses q[0..len) from an exactly sized copy. */
static kh_status
parse_exact(const char *q, size_t len, const kh_analyzer_options *o,
            kh_qnode **out, kh_error *err)
{
    kh_analyzer *a = NULL;
    assert_int_equal(kh_analyzer_new(o, &a), KH_OK);
    char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    if (len > 0)
        memcpy(copy, q, len);
    kh_status rc = kh__query_parse(copy, len, a, out, err);
    free(copy);
    kh_analyzer_free(a);
    return rc;
}

/* The rendering of a tree, in a new string the caller frees. */
static char *
render(const kh_qnode *n)
{
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    kh__query_render(n, &b, &rc);
    char *s = kh__buf_detach(&b, NULL, &rc);
    assert_int_equal(rc, KH_OK);
    return s;
}

static void
check_query_len(const char *q, size_t len, const kh_analyzer_options *o,
                const char *expected)
{
    kh_qnode *n = NULL;
    kh_error e;
    kh_status rc = parse_exact(q, len, o, &n, &e);
    if (rc != KH_OK)
        fail_msg("query [%.*s]: error %d at %zu: %s", (int)len, q, rc, e.offset,
                 e.message);
    assert_non_null(n);
    assert_int_equal(n->op, KH_QOP_BOOL);
    char *s = render(n);
    if (strcmp(s, expected) != 0)
        fail_msg("query [%.*s]\n  got      %s\n  expected %s", (int)len, q, s,
                 expected);
    kh_free(s);
    kh__query_free(n);
}

static void
check_query(const char *q, const char *expected)
{
    check_query_len(q, strlen(q), &light, expected);
}

static void
check_error_len(const char *q, size_t len, size_t offset, const char *part)
{
    kh_qnode *n = (kh_qnode *)&n; /* must be reset to NULL */
    kh_error e;
    kh_status rc = parse_exact(q, len, &light, &n, &e);
    if (rc != KH_EINVAL) {
        char *s = rc == KH_OK ? render(n) : NULL;
        fail_msg("query [%.*s]: status %d, expected KH_EINVAL (tree %s)",
                 (int)len, q, rc, s != NULL ? s : "-");
    }
    assert_null(n);
    assert_true(e.has_offset);
    if (e.offset != offset)
        fail_msg("query [%.*s]: error at %zu (%s), expected at %zu", (int)len,
                 q, e.offset, e.message, offset);
    if (strstr(e.message, part) == NULL)
        fail_msg("query [%.*s]: message \"%s\" lacks \"%s\"", (int)len, q,
                 e.message, part);
}

static void
check_error(const char *q, size_t offset, const char *part)
{
    check_error_len(q, strlen(q), offset, part);
}

/* The byte offset of the first occurrence of needle in q. */
static size_t
at(const char *q, const char *needle)
{
    const char *p = strstr(q, needle);
    assert_non_null(p);
    return (size_t)(p - q);
}

/**************************************************************************
** Words and phrases
*/

static void
words_are_analyzed(void **state)
{
    (void)state;
    check_query("الحكومة السعودية", "(الحكومه/حكوم السعوديه/سعود)");
    check_query("ولي العهد السعودي", "(ولي/ول العهد/عهد السعودي/سعود)");
    check_query("كأس العالم 2022", "(كاس العالم/عالم 2022)");
    /* stop words are kept and flagged */
    check_query("في", "(في~stop)");
    check_query("x AND y", "(x and~stop y)");
    /* the stemmer is the analyzer's */
    check_query_len("الحكومة", strlen("الحكومة"), &no_stem, "(الحكومه)");
}

static void
empty_and_punctuation(void **state)
{
    (void)state;
    check_query("", "()");
    check_query("  \t\r\n ", "()");
    check_query("،؟! ...", "()");
    check_query("(؟؟) النفط", "(النفط/نفط)");
    check_query("-\"\" x", "(x)");
    check_query("title:\"\" x", "(x)");
    check_query("!!! OR x", "(x)");
    check_query("--x", "(-x)");
}

static void
unicode_spaces_separate(void **state)
{
    (void)state;
    /* no-break space and ideographic space, as pasted text has them */
    check_query("النفط\xC2\xA0الغاز\xE3\x80\x80الذهب",
                "(النفط/نفط الغاز/غاز الذهب/ذهب)");
    check_query("x\xE2\x80\x83y\xE2\x80\xAFz", "(x y z)");
}

static void
split_words_become_phrases(void **state)
{
    (void)state;
    check_query("COVID-19 G20", "(\"covid 19\" g20)");
    check_query("وزارة الصحة: كوفيد-19", "(وزاره/زار الصحه/صح \"كوفيد 19\")");
    /* unknown field names are words */
    check_query("http://spa.gov.sa", "(\"http spa gov sa\")");
    check_query("الساعة 12:30", "(الساعه/ساع \"12 30\")");
    check_query("foo:bar", "(\"foo bar\")");
}

static void
quoted_phrases(void **state)
{
    (void)state;
    check_query("\"وزير الخارجية\"", "(\"وزير/زير الخارجيه/خارج\")");
    check_query("«فرانس برس»", "(\"فرانس برس\")");
    check_query("“مجلس الشورى”", "(\"مجلس الشوري/شور\")");
    check_query("«الأمم المتحدة» «مجلس الأمن»",
                "(\"الامم/امم المتحده/متحد\" \"مجلس الامن/امن\")");
    /* one quoted word stays a phrase: the executor may match it exactly */
    check_query("\"الحكومة\"", "(\"الحكومه/حكوم\")");
    /* operators are words inside quotes; a " inside « » is text */
    check_query("\"النفط OR الغاز\"", "(\"النفط/نفط or~stop الغاز/غاز\")");
    check_query("«رفض \"الاتفاق\"» x", "(\"رفض الاتفاق/اتفاق\" x)");
    /* a quote in the middle of a word starts a phrase */
    check_query("x\"y z\"", "(x \"y z\")");
}

static void
phrase_gaps_count_stop_words(void **state)
{
    (void)state;
    const char *q = "\"وزير في الرياض\"";
    check_query(q, "(\"وزير/زير في~stop الرياض/رياض\")");
    /* with stop words dropped the phrase keeps its exact spacing */
    check_query_len(q, strlen(q), &light_drop, "(\"وزير/زير ? الرياض/رياض\")");

    kh_qnode *n;
    kh_error e;
    assert_int_equal(parse_exact(q, strlen(q), &light, &n, &e), KH_OK);
    assert_int_equal(n->n_children, 1);
    kh_qnode *ph = n->children[0];
    assert_int_equal(ph->op, KH_QOP_PHRASE);
    assert_int_equal(ph->n_terms, 3);
    assert_int_equal(ph->terms[0].gap, 0);
    assert_int_equal(ph->terms[1].gap, 1);
    assert_int_equal(ph->terms[2].gap, 1);
    assert_false(ph->terms[0].stop);
    assert_true(ph->terms[1].stop);
    assert_string_equal(ph->terms[1].norm, "في");
    assert_string_equal(ph->terms[2].stem, "رياض");
    kh__query_free(n);

    assert_int_equal(parse_exact(q, strlen(q), &light_drop, &n, &e), KH_OK);
    ph = n->children[0];
    assert_int_equal(ph->n_terms, 2);
    assert_int_equal(ph->terms[0].gap, 0);
    assert_int_equal(ph->terms[1].gap, 2);
    kh__query_free(n);

    /* a word that splits keeps its gaps too */
    const char *w = "x-في-y";
    check_query_len(w, strlen(w), &light_drop, "(\"x ? y\")");
}

/**************************************************************************
** Operators and groups
*/

static void
or_binds_tighter_than_juxtaposition(void **state)
{
    (void)state;
    check_query("x OR y", "(x | y)");
    check_query("النفط OR الغاز الأسعار",
                "((النفط/نفط | الغاز/غاز) الاسعار/اسعار)");
    check_query("النفط الأسعار OR الغاز",
                "(النفط/نفط (الاسعار/اسعار | الغاز/غاز))");
    check_query("وزير الخارجية OR وزير الدفاع",
                "(وزير/زير (الخارجيه/خارج | وزير/زير) الدفاع/دفاع)");
    check_query("\"وزير الخارجية\" OR \"وزير الدفاع\"",
                "(\"وزير/زير الخارجيه/خارج\" | \"وزير/زير الدفاع/دفاع\")");
    check_query("النفط OR الغاز OR الذهب",
                "(النفط/نفط | الغاز/غاز | الذهب/ذهب)");
    check_query("النفط | الغاز || الذهب",
                "(النفط/نفط | الغاز/غاز | الذهب/ذهب)");
    check_query("x|y", "(x | y)");
    /* OR must be upper case and a whole word */
    check_query("x or y", "(x or~stop y)");
    check_query("ORANGE ORx", "(orange orx)");
}

static void
groups(void **state)
{
    (void)state;
    check_query("((النفط))", "(النفط/نفط)");
    check_query("(x OR y)", "(x | y)");
    check_query("(النفط الغاز)", "(النفط/نفط الغاز/غاز)");
    check_query("x (النفط الغاز)", "(x (النفط/نفط الغاز/غاز))");
    check_query("(النفط الغاز) OR الذهب",
                "((النفط/نفط الغاز/غاز) | الذهب/ذهب)");
    check_query("(x OR y) (z OR w)", "((x | y) (z | w))");
    check_query("-(النفط OR الغاز) الأسعار",
                "(-(النفط/نفط | الغاز/غاز) الاسعار/اسعار)");
    /* a group of one item is the item, with its sign */
    check_query("(+النفط)", "(+النفط/نفط)");
    check_query("-(النفط)", "(-النفط/نفط)");
    check_query("-(-النفط)", "(-(-النفط/نفط))");
    check_query("(+x) OR y", "((+x) | y)");
}

static void
signs(void **state)
{
    (void)state;
    check_query("+\"ولي العهد\" -السعودية",
                "(+\"ولي/ول العهد/عهد\" -السعوديه/سعود)");
    check_query("+النفط +الغاز -الفحم", "(+النفط/نفط +الغاز/غاز -الفحم/فحم)");
    check_query("-«كأس العالم»", "(-\"كاس العالم/عالم\")");
    /* inside a word a hyphen joins */
    check_query("x-y", "(\"x y\")");
    /* the sign applies to whatever follows it directly */
    check_query("الرياض -جدة", "(الرياض/رياض -جده/جد)");
    check_query("-(x y) +z", "(-(x y) +z)");
    check_query("x -title:y +source:z", "(x -title:y +source:z)");
}

/* The tree of q is the tree of same, offsets aside. */
static void
check_same(const char *q, const char *same)
{
    kh_qnode *n;
    kh_error e;
    assert_int_equal(parse_exact(same, strlen(same), &light, &n, &e), KH_OK);
    char *s = render(n);
    kh__query_free(n);
    check_query(q, s);
    kh_free(s);
}

static void
lone_signs_are_punctuation(void **state)
{
    (void)state;
    /* a sign followed by white space, the end, ")" or an OR is dropped
     * like any punctuation: a headline's spaced dash */
    check_same("الرياض - جدة", "الرياض جدة");
    check_query("الرياض - جدة", "(الرياض/رياض جده/جد)");
    check_query("الرياض -", "(الرياض/رياض)");
    check_query("- الرياض", "(الرياض/رياض)");
    check_query("a - - b", "(a~stop b)");
    check_query("x + y", "(x y)");
    check_query("x +", "(x)");
    check_query("+ - x", "(x)");
    check_query("x\t-\ny", "(x y)");
    check_query("x -\xC2\xA0y", "(x y)"); /* no-break space */
    check_query_len("x -\0y", 5, &light, "(x y)");
    check_query("(x -)", "(x)");
    check_query("(-)", "()");
    check_query("title:(x -)", "(title:x)");
    /* before an OR, like "؟": "x ؟ OR y" is (x y) */
    check_query("-|x", "(x)");
    check_query("x -OR y", "(x y)");
    check_query("x - OR y", "(x y)");
    check_query("x OR - OR y", "(x | y)");
    check_query("x OR -", "(x)");
    check_query("- | -", "()");
    /* so a leading dash does not make a sign on one side of the OR */
    check_query("- x OR y", "(x | y)");
    check_query("الرياض - جدة OR مكة", "(الرياض/رياض (جده/جد | مكه/مك))");
    /* a sign followed by another sign applies to the word it makes */
    check_query("--x", "(-x)");
    check_query("--", "()");

    /* a lone sign is the empty query, not an error */
    static const char *const empty[] = {"-", "+", " - ", "- + -", "-\t+"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        kh_qnode *n = NULL;
        kh_error e;
        const char *q = empty[i];
        assert_int_equal(parse_exact(q, strlen(q), &light, &n, &e), KH_OK);
        assert_non_null(n);
        assert_int_equal(n->op, KH_QOP_BOOL);
        assert_int_equal(n->occur, KH_OCCUR_DEFAULT);
        assert_int_equal(n->n_children, 0);
        kh__query_free(n);
    }

    /* the words around a dropped dash keep their own offsets */
    const char *q = "الرياض - جدة";
    kh_qnode *n;
    kh_error e;
    assert_int_equal(parse_exact(q, strlen(q), &light, &n, &e), KH_OK);
    assert_int_equal(n->n_children, 2);
    assert_int_equal(n->children[0]->occur, KH_OCCUR_DEFAULT);
    assert_int_equal(n->children[1]->occur, KH_OCCUR_DEFAULT);
    assert_int_equal(n->children[1]->offset, at(q, "جدة"));
    kh__query_free(n);
}

static void
dashes_and_tatweel_are_not_operators(void **state)
{
    (void)state;
    /* en dash U+2013, em dash U+2014 and tatweel U+0640 are punctuation
     * to the analyzer, spaced or not: never an exclusion */
    check_same("مصر – السودان", "مصر السودان");
    check_query("مصر – السودان", "(مصر السودان/سود)");
    check_same("قمة — الرياض", "قمة الرياض");
    check_query("قمة — الرياض", "(قمه/قم الرياض/رياض)");
    check_same("الرياض ـ جدة", "الرياض جدة");
    check_query("–x —y ـz", "(x y z)");
    check_query("x –", "(x)");
    check_query("— x", "(x)");
    check_query("– — ـ", "()");
    check_query("الرياض –", "(الرياض/رياض)");
    /* tatweel inside a word is dropped without splitting it */
    check_query("ـالرياض", "(الرياض/رياض)");
    check_query("الـــرياض", "(الرياض/رياض)");
    /* a dash between words splits them as a hyphen does */
    check_query("x–y", "(\"x y\")");
    /* a hyphen before a dash makes a sign for the word it is in */
    check_query("-–x", "(-x)");
    check_query("x - – — ـ y", "(x y)");
}

/**************************************************************************
** Fields and filters
*/

static void
title_field(void **state)
{
    (void)state;
    check_query("title:الحكومة", "(title:الحكومه/حكوم)");
    check_query("TITLE:\"مجلس الوزراء\"", "(title:\"مجلس الوزراء/زراء\")");
    check_query("Title:(أمير OR ملك)", "(title:امير | title:ملك)");
    check_query("title:«الأمم المتحدة» الرياض",
                "(title:\"الامم/امم المتحده/متحد\" الرياض/رياض)");
    check_query("title:(x (y OR z))", "(title:x (title:y | title:z))");
    check_query("-title:النفط", "(-title:النفط/نفط)");
    check_query("title:x OR y", "(title:x | y)");
    check_query("title:G-20", "(title:\"g 20\")");
}

static void
source_field(void **state)
{
    (void)state;
    check_query("source:SPA", "(+source:spa)");
    check_query("Source:CNN OR source:BBC", "(source:cnn | source:bbc)");
    check_query("source:\"  BBC Arabic  \"", "(+source:\"bbc arabic\")");
    check_query("source:«العربية نت»", "(+source:\"العربية نت\")");
    check_query("source:bbc-arabic النفط", "(+source:bbc-arabic النفط/نفط)");
    check_query("-source:spa +source:x", "(-source:spa +source:x)");
    check_query("source:«قناة \"الجزيرة\"»",
                "(+source:\"قناة \\\"الجزيرة\\\"\")");
    check_query("(source:x)", "(+source:x)");
    check_query("title:(source:x)", "(+source:x)");

    kh_qnode *n;
    kh_error e;
    const char *q = "source:AlArabiya";
    assert_int_equal(parse_exact(q, strlen(q), &light, &n, &e), KH_OK);
    assert_int_equal(n->children[0]->op, KH_QOP_SOURCE);
    assert_string_equal(n->children[0]->value, "alarabiya");
    kh__query_free(n);
}

/* The DATE node of a one-filter query. */
static void
check_date(const char *q, int64_t since, int64_t until)
{
    kh_qnode *n;
    kh_error e;
    kh_status rc = parse_exact(q, strlen(q), &light, &n, &e);
    if (rc != KH_OK)
        fail_msg("query [%s]: %s", q, e.message);
    assert_int_equal(n->n_children, 1);
    const kh_qnode *d = n->children[0];
    assert_int_equal(d->op, KH_QOP_DATE);
    assert_int_equal(d->occur, KH_OCCUR_MUST);
    if (d->since != since || d->until != until)
        fail_msg("query [%s]: [%lld,%lld], expected [%lld,%lld]", q,
                 (long long)d->since, (long long)d->until, (long long)since,
                 (long long)until);
    kh__query_free(n);
}

static void
dates(void **state)
{
    (void)state;
    /* 2015-01-01T00:00:00Z is 1420070400 */
    check_date("since:2015-01-01", 1420070400, KH_DATE_MAX);
    check_date("until:2015-01-01", KH_DATE_MIN, 1420070400 + 86399);
    check_date("since:2015-01-01T00:00:00Z", 1420070400, KH_DATE_MAX);
    check_date("since:2015-01-01t08:30:15z", 1420101015, KH_DATE_MAX);
    check_date("since:2015-01-01T08:30", 1420101000, KH_DATE_MAX);
    /* until: is the last second of the minute, day, month or year named */
    check_date("until:2015-01-01T08:30", KH_DATE_MIN, 1420101059);
    check_date("until:2015-01-01T08:30:15", KH_DATE_MIN, 1420101015);
    check_date("until:2015-02", KH_DATE_MIN, 1425167999);
    check_date("until:2016", KH_DATE_MIN, 1483228799);
    check_date("since:2016", 1451606400, KH_DATE_MAX);
    /* time zones: 12:00-04:30 is 16:30Z; 12:00+03:00 is 09:00Z */
    check_date("since:2015-06-15T12:00-04:30", 1434385800, KH_DATE_MAX);
    check_date("since:2015-06-15T12:00-0430", 1434385800, KH_DATE_MAX);
    check_date("since:2015-06-15T12:00+03:00", 1434358800, KH_DATE_MAX);
    check_date("since:2015-06-15T12:00+05", 1434351600, KH_DATE_MAX);
    check_date("until:2015-06-15T23:59:59+00:00", KH_DATE_MIN, 1434412799);
    /* leap days, the epoch, before it, far ahead */
    check_date("since:2016-02-29", 1456704000, KH_DATE_MAX);
    check_date("since:2000-02-29", 951782400, KH_DATE_MAX);
    check_date("since:1970-01-01", 0, KH_DATE_MAX);
    check_date("since:1969-12-31T23:59:59", -1, KH_DATE_MAX);
    check_date("since:1900-03-01", -2203891200, KH_DATE_MAX);
    check_date("until:9999-12-31", KH_DATE_MIN, 253402300799);
    check_date("since:0000-01-01", -62167219200, KH_DATE_MAX);
    /* Arabic-Indic and Extended Arabic-Indic digits */
    check_date("since:٢٠٢٢-٠١-٠١", 1640995200, KH_DATE_MAX);
    check_date("since:۲۰۲۲-۰۱-۰۱T۱۲:۰۰", 1640995200 + 43200, KH_DATE_MAX);
    check_date("since:\"2015-03-01\"", 1425168000, KH_DATE_MAX);
    check_date("SINCE:2015-03-01", 1425168000, KH_DATE_MAX);
}

static void
dates_combine(void **state)
{
    (void)state;
    /* required dates merge into one range (the latest since, the earliest
     * until); excluded or OR-ed ones stay apart */
    check_query("since:2015-01-01 until:2015-12-31",
                "(+date:[1420070400,1451606399])");
    check_query("since:2015-01-01 since:2016-01-01 until:2016-06-30",
                "(+date:[1451606400,1467331199])");
    check_query("النفط until:2016 since:2015 source:spa",
                "(النفط/نفط +date:[1420070400,1483228799] +source:spa)");
    check_query("(since:2015) until:2016", "(+date:[1420070400,1483228799])");
    check_query("since:2015 -since:2016",
                "(+date:[1420070400,*] -date:[1451606400,*])");
    check_query("since:2015 OR until:2010",
                "(date:[1420070400,*] | date:[*,1293839999])");
    check_query("since:2015-01-01 until:2015-01-01",
                "(+date:[1420070400,1420156799])");
}

static void
tree_structure(void **state)
{
    (void)state;
    const char *q = "النفط -title:\"الأمم المتحدة\" (x OR y) source:SPA";
    kh_qnode *n;
    kh_error e;
    assert_int_equal(parse_exact(q, strlen(q), &light, &n, &e), KH_OK);
    assert_int_equal(n->op, KH_QOP_BOOL);
    assert_int_equal(n->occur, KH_OCCUR_DEFAULT);
    assert_int_equal(n->n_children, 4);

    const kh_qnode *w = n->children[0];
    assert_int_equal(w->op, KH_QOP_WORD);
    assert_int_equal(w->occur, KH_OCCUR_DEFAULT);
    assert_int_equal(w->field, KH_QFIELD_ALL);
    assert_int_equal(w->offset, 0);
    assert_int_equal(w->n_terms, 1);
    assert_string_equal(w->terms[0].norm, "النفط");
    assert_string_equal(w->terms[0].stem, "نفط");
    assert_int_equal(w->terms[0].gap, 0);

    const kh_qnode *ph = n->children[1];
    assert_int_equal(ph->op, KH_QOP_PHRASE);
    assert_int_equal(ph->occur, KH_OCCUR_MUST_NOT);
    assert_int_equal(ph->field, KH_QFIELD_TITLE);
    assert_int_equal(ph->offset, at(q, "-title"));
    assert_int_equal(ph->n_terms, 2);

    const kh_qnode *alt = n->children[2];
    assert_int_equal(alt->op, KH_QOP_BOOL);
    assert_int_equal(alt->occur, KH_OCCUR_DEFAULT);
    assert_int_equal(alt->n_children, 2);
    assert_int_equal(alt->children[0]->occur, KH_OCCUR_SHOULD);
    assert_int_equal(alt->children[1]->occur, KH_OCCUR_SHOULD);
    assert_int_equal(alt->children[1]->offset, at(q, "y)"));

    const kh_qnode *src = n->children[3];
    assert_int_equal(src->op, KH_QOP_SOURCE);
    assert_int_equal(src->occur, KH_OCCUR_MUST);
    assert_string_equal(src->value, "spa");
    assert_int_equal(src->offset, at(q, "source"));
    kh__query_free(n);

    /* a query that is one OR is that OR */
    q = "x OR y";
    assert_int_equal(parse_exact(q, strlen(q), &light, &n, &e), KH_OK);
    assert_int_equal(n->op, KH_QOP_BOOL);
    assert_int_equal(n->n_children, 2);
    assert_int_equal(n->children[0]->op, KH_QOP_WORD);
    assert_int_equal(n->children[0]->occur, KH_OCCUR_SHOULD);
    kh__query_free(n);

    /* the empty query is an empty BOOL */
    assert_int_equal(parse_exact("", 0, &light, &n, &e), KH_OK);
    assert_int_equal(n->op, KH_QOP_BOOL);
    assert_int_equal(n->n_children, 0);
    kh__query_free(n);
}

/**************************************************************************
** Errors
*/

static void
errors_quotes_and_groups(void **state)
{
    (void)state;
    check_error("\"غير منته", 0, "missing closing \"");
    const char *q = "النفط «الغاز";
    check_error(q, at(q, "«"), "missing closing »");
    check_error("x “y", 2, "missing closing ”");
    check_error("x »y« z", at("x »y« z", "«"), "missing closing »");
    check_error("title:\"x", 6, "missing closing \"");
    check_error("source:«x", 7, "missing closing »");
    check_error("(x", 0, "missing ) for the ( here");
    check_error("x (y (z)", 2, "missing )");
    check_error("x)", 1, "unmatched )");
    check_error("(x))", 3, "unmatched )");
    check_error(")", 0, "unmatched )");
    check_error("()", 0, "empty group");
    check_error("x ( \t )", 2, "empty group");
    check_error("title:()", 6, "empty group");
}

static void
errors_fields(void **state)
{
    (void)state;
    check_error("title:", 0, "title: needs a word");
    check_error("x title: y", 2, "title: needs a word");
    check_error("(title:)", 1, "title: needs a word");
    check_error("title:OR x", 0, "title: needs a word");
    check_error("title:-x", 6, "put - before the field");
    check_error("title:+x", 6, "put + before the field");
    check_error("source:", 0, "source: needs a value");
    check_error("source: spa", 0, "source: needs a value");
    check_error("source:\"\"", 0, "source: needs a name");
    check_error("source:« »", 0, "source: needs a name");
    check_error("story:", 0, "story: needs a value right after the colon");
    check_error("x story:\"\"", 2, "story: needs an article id");
    check_error("source:(x OR y)", 7, "takes one value, not a group");
    check_error("source:\"x\ty\"", 9, "control characters");
    check_error_len("source:\"x\0y\"", 12, 9, "control characters");
    check_error("since:", 0, "since: needs a value");
    check_error("x until:", 2, "until: needs a value");
    check_error("since:(2015)", 6, "takes one value");
}

static void
errors_dates(void **state)
{
    (void)state;
    check_error("since:2015-13-40", 11, "since: the month must be 01 to 12");
    check_error("since:2015-00-10", 11, "month must be 01 to 12");
    check_error("since:2015-02-29", 14, "no day 29 in that month");
    check_error("until:2015-04-31", 14, "until: there is no day 31");
    check_error("since:2015-01-00", 14, "no day 00");
    check_error("since:2015-06-15T24:00", 17, "time must be");
    check_error("since:2015-06-15T12:60", 17, "time must be");
    check_error("since:2015-06-15T12:00:60", 17, "time must be");
    check_error("since:2015-06-15T12:00+25:00", 22, "time zone offset");
    check_error("since:2015-06-15T12:00-03:75", 22, "time zone offset");
    static const char *const bad[] = {
        "since:yesterday",
        "since:20150101",
        "since:2015-1-1",
        "since:2015/01/01",
        "since:2015-01-01Z",
        "since:2015-01-01T10",
        "since:2015-01-01T10:00:00.5",
        "since:2015-01-01T10:00+3",
        "since:15-01-01",
        "since:2015-01-01T",
        "since:2015-01-01T10:00+03:00x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_error(bad[i], 6, "since: expected a date such as 2015-01-31");
    check_error("x until:2015-06-", 8, "until: expected a date");
    check_error("since:2020 until:2019", 11,
                "until: date is before the since:");
    check_error("until:2019 x since:2020", 13, "until: date is before");
}

static void
errors_signs_and_or(void **state)
{
    (void)state;
    check_error("OR x", 0, "OR needs a term on each side");
    check_error("x OR", 2, "OR needs a term on each side");
    check_error("x |", 2, "OR needs a term on each side");
    check_error("| x", 0, "OR needs a term on each side");
    check_error("|| x", 0, "OR needs a term on each side");
    check_error("x OR OR y", 2, "OR needs a term on each side");
    check_error("x | | y", 2, "OR needs a term on each side");
    check_error("(OR x)", 1, "OR needs a term on each side");
    check_error("(x OR) y", 3, "OR needs a term on each side");
    check_error("OR", 0, "OR needs a term on each side");
    check_error("-x OR y", 0, "cannot stand on one side of OR");
    check_error("x OR +y", 5, "+ cannot stand on one side of OR");
    check_error("x OR y OR -z", 10, "write -(a OR b)");
    /* a lone sign is punctuation, which does not make an OR whole, nor
     * hide a sign on one side of it */
    check_error("- OR", 2, "OR needs a term on each side");
    check_error("x - OR", 4, "OR needs a term on each side");
    check_error("-x OR - y", 0, "- cannot stand on one side of OR");
    check_error("x OR -y -", 5, "- cannot stand on one side of OR");
    /* nor does it hide the other errors */
    const char *q = "الرياض - \"جدة";
    check_error(q, at(q, "\""), "missing closing \"");
    q = "الرياض - (جدة";
    check_error(q, at(q, "("), "missing ) for the ( here");
    check_error("x - )", 4, "unmatched )");
    check_error("- ()", 2, "empty group");
    check_error("title:- x", 6, "put - before the field");
    check_error("title: - x", 0, "title: needs a word");
    check_error("- source: spa", 2, "source: needs a value");
    check_error("since:2015-13 - x", 11, "month must be 01 to 12");
}

static void
nesting_is_limited(void **state)
{
    (void)state;
    char q[20000];
    /* 32 levels are fine */
    size_t n = 0;
    for (int i = 0; i < 32; i++)
        q[n++] = '(';
    q[n++] = 'x';
    for (int i = 0; i < 32; i++)
        q[n++] = ')';
    check_query_len(q, n, &light, "(x)");
    /* 33 are not */
    n = 0;
    for (int i = 0; i < 33; i++)
        q[n++] = '(';
    q[n++] = 'x';
    for (int i = 0; i < 33; i++)
        q[n++] = ')';
    check_error_len(q, n, 32, "too many nested groups");
    /* title:( counts, and a flood of ( does not exhaust the stack */
    n = 0;
    for (int i = 0; i < 31; i++)
        q[n++] = '(';
    memcpy(q + n, "title:((x))", 11);
    n += 11;
    check_error_len(q, n, 38, "too many nested groups");
    memset(q, '(', sizeof q);
    check_error_len(q, sizeof q, 32, "too many nested groups");
    /* many items side by side are not nesting */
    n = 0;
    for (int i = 0; i < 2000; i++) {
        memcpy(q + n, "(x) ", 4);
        n += 4;
    }
    kh_qnode *t;
    kh_error e;
    assert_int_equal(parse_exact(q, n, &light, &t, &e), KH_OK);
    assert_int_equal(t->n_children, 2000);
    kh__query_free(t);
}

static void
err_may_be_null(void **state)
{
    (void)state;
    kh_analyzer *a;
    kh_qnode *n;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    assert_int_equal(kh__query_parse("(x", 2, a, &n, NULL), KH_EINVAL);
    assert_null(n);
    assert_int_equal(kh__query_parse("x", 1, a, &n, NULL), KH_OK);
    kh__query_free(n);
    /* a successful parse clears an old error */
    kh_error e = {"old", 7, 1};
    assert_int_equal(kh__query_parse("x", 1, a, &n, &e), KH_OK);
    assert_string_equal(e.message, "");
    assert_false(e.has_offset);
    kh__query_free(n);
    kh__query_free(NULL);
    kh_analyzer_free(a);
}

static void
render_edges(void **state)
{
    (void)state;
    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = KH_OK;
    kh__query_render(NULL, &b, &rc);
    assert_int_equal(rc, KH_OK);
    assert_int_equal(b.len, 0);
    kh_qnode *n;
    kh_error e;
    assert_int_equal(parse_exact("x", 1, &light, &n, &e), KH_OK);
    rc = KH_ENOMEM; /* sticky: nothing is appended */
    kh__query_render(n, &b, &rc);
    assert_int_equal(rc, KH_ENOMEM);
    assert_int_equal(b.len, 0);
    kh__query_free(n);
    kh__buf_release(&b);
}

/**************************************************************************
** Bad bytes
*/

static void
invalid_utf8_and_nul(void **state)
{
    (void)state;
    check_query("\xff\xfe", "()");
    check_query("النفط\xff", "(النفط/نفط)");
    check_query("x \xe2\x80", "(x)"); /* truncated sequence at the end */
    check_query("\xd8", "()");
    check_query("\xc2", "()");                  /* half of « */
    check_query("\xe2\x80", "()");              /* two thirds of “ */
    check_query("\"x\xc0\xafy\"", "(\"x y\")"); /* overlong '/' */
    check_query("\xed\xa0\x80x", "(x)");        /* a surrogate */
    check_query_len("x\0y", 3, &light, "(x y)");
    check_query_len("\"x\0y\"", 5, &light, "(\"x y\")");
    check_error_len("title:\0x", 8, 0, "title: needs a word");
}

/* A mini-fuzzer with a fixed seed: random concatenations of fragments
 * that exercise the grammar.  Every result must be OK with a BOOL root,
 * or KH_EINVAL with an offset inside the query. */
static void
random_queries_hold_invariants(void **state)
{
    (void)state;
    static const char *const frag[] = {
        "(",          ")",       "\"",     "«",       "»",        "“",
        "”",          " ",       " ",      " ",       "OR",       "|",
        "-",          "+",       "title:", "source:", "since:",   "until:",
        "2015-01-01", "T10:00Z", "x",      "النفط",   "في",       "G-20",
        "\xff",       "\xd8",    ":",      "\t",      "\xC2\xA0",
    };
    uint32_t seed = 12345;
    char q[256];
    int ok = 0, bad = 0;
    for (int iter = 0; iter < 5000; iter++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        int parts = (int)(seed >> 16) % 12;
        for (int k = 0; k < parts; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *f = frag[(seed >> 16) % (sizeof frag / sizeof *frag)];
            size_t fl = strlen(f);
            if (n + fl > sizeof q)
                break;
            memcpy(q + n, f, fl);
            n += fl;
        }
        seed = seed * 1103515245u + 12345u;
        if ((seed >> 16) % 4 == 0 && n > 0)
            n = (seed >> 8) % n; /* cut anywhere, even inside a letter */
        kh_qnode *t = (kh_qnode *)&t;
        kh_error e;
        kh_status rc = parse_exact(q, n, &light, &t, &e);
        if (rc == KH_OK) {
            assert_int_equal(t->op, KH_QOP_BOOL);
            kh_free(render(t));
            kh__query_free(t);
            ok++;
        } else {
            assert_int_equal(rc, KH_EINVAL);
            assert_null(t);
            assert_true(e.has_offset);
            assert_true(e.offset < n);
            assert_true(e.message[0] != '\0');
            bad++;
        }
    }
    assert_true(ok > 500 && bad > 500);
}

/**************************************************************************
** Out of memory
*/

static void
out_of_memory_frees_everything(void **state)
{
    (void)state;
    static const char *const queries[] = {
        "الحكومة السعودية",
        "\"وزير في الرياض\" OR «مجلس الشورى» -title:(أمير OR ملك)",
        "+(x y z w v u t s r q p o n m l k) source:SPA since:2015 "
        "until:2016-06",
        "title:((x OR y) (z OR \"w v\")) -source:\"BBC Arabic\"",
        "(since:2015) until:2014", /* fails, with EINVAL or ENOMEM */
        "x (y (z OR",
        "الرياض - جدة – مكة ـ (x -) OR - y +",
    };
    kh_analyzer *a;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        const char *q = queries[i];
        kh_qnode *ref;
        kh_error e;
        kh_status want = kh__query_parse(q, strlen(q), a, &ref, &e);
        char *want_text = want == KH_OK ? render(ref) : NULL;
        kh__query_free(ref);
        int failures = 0;
        for (long n = 0;; n++) {
            kh_qnode *t = (kh_qnode *)&t;
            kh__alloc_fail_after(n);
            kh_status rc = kh__query_parse(q, strlen(q), a, &t, &e);
            kh__alloc_fail_after(-1);
            if (rc == KH_ENOMEM) {
                assert_null(t);
                assert_false(e.has_offset);
                assert_string_equal(e.message, "out of memory");
                failures++;
                assert_true(n < 10000);
                continue;
            }
            assert_int_equal(rc, want);
            if (rc == KH_OK) {
                char *s = render(t);
                assert_string_equal(s, want_text);
                kh_free(s);
                kh__query_free(t);
            } else {
                assert_null(t);
            }
            break;
        }
        if (want == KH_OK)
            assert_true(failures >= 3);
        kh_free(want_text);
    }
    /* rendering reports ENOMEM and leaves whole output or none */
    kh_qnode *t;
    kh_error e;
    const char *q = "«مجلس الشورى» OR x";
    assert_int_equal(kh__query_parse(q, strlen(q), a, &t, &e), KH_OK);
    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = KH_OK;
    kh__alloc_fail_after(0);
    kh__query_render(t, &b, &rc);
    kh__alloc_fail_after(-1);
    assert_int_equal(rc, KH_ENOMEM);
    kh__buf_release(&b);
    kh__query_free(t);
    kh_analyzer_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_are_analyzed),
        cmocka_unit_test(empty_and_punctuation),
        cmocka_unit_test(unicode_spaces_separate),
        cmocka_unit_test(split_words_become_phrases),
        cmocka_unit_test(quoted_phrases),
        cmocka_unit_test(phrase_gaps_count_stop_words),
        cmocka_unit_test(or_binds_tighter_than_juxtaposition),
        cmocka_unit_test(groups),
        cmocka_unit_test(signs),
        cmocka_unit_test(lone_signs_are_punctuation),
        cmocka_unit_test(dashes_and_tatweel_are_not_operators),
        cmocka_unit_test(title_field),
        cmocka_unit_test(source_field),
        cmocka_unit_test(dates),
        cmocka_unit_test(dates_combine),
        cmocka_unit_test(tree_structure),
        cmocka_unit_test(errors_quotes_and_groups),
        cmocka_unit_test(errors_fields),
        cmocka_unit_test(errors_dates),
        cmocka_unit_test(errors_signs_and_or),
        cmocka_unit_test(nesting_is_limited),
        cmocka_unit_test(err_may_be_null),
        cmocka_unit_test(render_edges),
        cmocka_unit_test(invalid_utf8_and_nul),
        cmocka_unit_test(random_queries_hold_invariants),
        cmocka_unit_test(out_of_memory_frees_everything),
    };
    return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}
