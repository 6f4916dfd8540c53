/*
 * test_snippet.c -- search-result snippets: which passage is chosen, how
 * it is widened and cut, and how matches are marked.  Query terms are
 * computed with the light analyzer, as the search path will, rather than
 * typed in as stems.
 */
#include "testutil.h"

#include "kh_int.h"
#include "query/query.h"

#define ELL  "\xE2\x80\xA6" /* U+2026 */
#define FFFD "\xEF\xBF\xBD" /* U+FFFD */

/* Paragraphs of tests/golden/analyze/article.txt (the seed page). */
static const char article[] =
    "الرئيس الكازاخستاني يعد بحماية الروس الفارين من التعبئة "
    "العسكرية\n\n"
    "أكد الرئيس الكازاخستاني، قاسم جومارت توكاييف، الثلاثاء، أن "
    "بلاده ستحمي الروس الذين يفرّون إلى كازاخستان للإفلات من "
    "التعبئة العسكرية في روسيا للقتال في أوكرانيا.\n\n"
    "وقال توكاييف، إنه \"في الأيام الأخيرة، يأتي الكثير من الناس "
    "إلينا من روسيا. معظمهم مرغمون على المغادرة بسبب وضع ميؤوس "
    "منه\"، بحسب وكالة \"فرانس برس\".\n\n"
    "وأضاف توكاييف، وهو حليف موسكو لكنه نأى بنفسه عن الكرملين منذ "
    "بدء الغزو الروسي لأوكرانيا: \"علينا الاهتمام بهم، ضمان "
    "أمنهم\".\n\n"
    "وندد مرة جديدة بالنزاع في أوكرانيا ودعا إلى احترام وحدة "
    "أراضيها في وقت تنظم روسيا استفتاءات في أربع مناطق أوكرانية "
    "تمهيدًا لضمّها.\n\n"
    "بداية الأزمة\n\n"
    "اكتسب الصراع الروسي الأوكراني منعطفًا جديدًا فارقًا، في 21 "
    "فبراير، بعدما أعلن الرئيس الروسي فلاديمير بوتين الاعتراف "
    "بجمهوريتي \"دونيتسك\" و\"لوغانسك\" جمهوريتين مستقلتين عن "
    "أوكرانيا، في خطوةٍ تصعيديةٍ لاقت غضبًا كبيرًا من كييف والدول "
    "الغربية.\n\n"
    "وبدأت القوات الروسية، فجر يوم الخميس 24 فبراير، في شن عملية "
    "عسكرية على شرق أوكرانيا، وسط تحذيرات دولية من اندلاع حرب "
    "عالمية \"ثالثة\"، ستكون الأولى في القرن الحادي والعشرين.\n\n"
    "وقال الاتحاد الأوروبي إن العالم يعيش الأجواء الأكثر سوادًا "
    "منذ الحرب العالمية الثانية، فيما فرض الاتحاد الأوروبي "
    "والولايات المتحدة حزمة عقوبات ضد روسيا، وصفتها رئيسة "
    "المفوضية الأوروبية أورسولا فون دير لاين بأنها الأقسى على "
    "الإطلاق.\n\n"
    "وقتل آلاف الجنود والمدنيين وشرد الملايين من الجانب "
    "الأوكراني، وفرضت دول عدة عقوبات اقتصادية كبيرة على موسكو "
    "طالت قيادتها وعلى رأسهم الرئيس فلاديمير بوتين، وكذلك وزير "
    "الخارجية سيرجي لافروف، كما ردت روسيا بفرض عقوبات شخصية على "
    "عددٍ من القيادات الأمريكية على رأسهم الرئيس الأمريكي جو "
    "بايدن.\n\n"
    "وصوّتت الجمعية العامة للأمم المتحدة في الثاني من مارس، على "
    "إدانة الحرب الروسية على أوكرانيا، بموافقة 141 دولة على مشروع "
    "القرار، مقابل رفض 5 دول فقط مسألة إدانة روسيا، فيما امتنعت "
    "35 دولة حول العالم عن التصويت.";

#define MAX_TERMS 32

typedef struct query {
    char *norms[MAX_TERMS];
    char *stems[MAX_TERMS];
    size_t n;
} query;

/* Analyzes the query words with the light analyzer, one term a token. */
static void
query_init(query *q, const char *words)
{
    kh_analyzer *a;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_analyzer_reset(a, words, strlen(words));
    kh_token t;
    q->n = 0;
    while (kh_analyzer_next(a, &t)) {
        assert_true(q->n < MAX_TERMS);
        q->norms[q->n] = kh__strndup(t.norm, t.norm_len);
        q->stems[q->n] = kh__strndup(t.stem, t.stem_len);
        assert_non_null(q->norms[q->n]);
        assert_non_null(q->stems[q->n]);
        q->n++;
    }
    kh_analyzer_free(a);
}

static void
query_release(query *q)
{
    for (size_t i = 0; i < q->n; i++) {
        kh_free(q->norms[i]);
        kh_free(q->stems[i]);
    }
    q->n = 0;
}

static kh_snippet_opts
opts_for(const query *q, size_t max_bytes)
{
    kh_snippet_opts o = {q != NULL ? (const char *const *)q->norms : NULL,
                         q != NULL ? q->n : 0,
                         q != NULL ? (const char *const *)q->stems : NULL,
                         q != NULL ? q->n : 0,
                         max_bytes,
                         "[",
                         "]",
                         false};
    return o;
}

/* The snippet of text[0..len) as a string to kh_free().  Brackets mark
 * matches, which keeps the expected strings readable. */
static char *
run_opts(const char *text, size_t len, const kh_snippet_opts *o)
{
    kh_analyzer *a;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = KH_OK;
    kh__snippet(a, text, len, o, &b, &rc);
    assert_int_equal(rc, KH_OK);
    if (b.data != NULL) /* no NUL inside, whatever the text holds */
        assert_int_equal(strlen(b.data), b.len);
    /* A copy rather than kh__buf_detach(): detaching a buffer that never
     * grew gives memory without its NUL. */
    char *s = kh__strndup(b.data != NULL ? b.data : "", b.len);
    assert_non_null(s);
    kh__buf_release(&b);
    kh_analyzer_free(a);
    return s;
}

static char *
run(const char *text, size_t len, const char *words, size_t max_bytes)
{
    query q;
    query_init(&q, words);
    kh_snippet_opts o = opts_for(&q, max_bytes);
    char *s = run_opts(text, len, &o);
    query_release(&q);
    return s;
}

#define assert_snippet(text, words, max_bytes, expected)                       \
    do {                                                                       \
        char *s_ = run((text), strlen(text), (words), (max_bytes));            \
        assert_string_equal(s_, (expected));                                   \
        kh_free(s_);                                                           \
    } while (0)

static bool
starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* A strict UTF-8 check, written apart from the library's decoder. */
static bool
valid_utf8(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s != '\0') {
        size_t k;
        uint32_t cp;
        if (s[0] < 0x80) {
            s++;
            continue;
        } else if ((s[0] & 0xE0) == 0xC0) {
            k = 2;
            cp = s[0] & 0x1Fu;
        } else if ((s[0] & 0xF0) == 0xE0) {
            k = 3;
            cp = s[0] & 0x0Fu;
        } else if ((s[0] & 0xF8) == 0xF0) {
            k = 4;
            cp = s[0] & 0x07u;
        } else {
            return false;
        }
        for (size_t i = 1; i < k; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i] & 0x3Fu);
        }
        static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        s += k;
    }
    return true;
}

/* text with ASCII whitespace runs made one space and the ends trimmed:
 * what a snippet's text must be a part of. */
static char *
collapse(const char *text, size_t len)
{
    char *out = malloc(len + 1);
    assert_non_null(out);
    size_t n = 0;
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        if (strchr(" \t\n\r\f\v", text[i]) != NULL) {
            space = true;
            continue;
        }
        if (space && n > 0)
            out[n++] = ' ';
        space = false;
        out[n++] = text[i];
    }
    out[n] = '\0';
    return out;
}

/* The snippet without ellipses and markers. */
static char *
plain(const char *snippet)
{
    size_t len = strlen(snippet);
    char *out = malloc(len + 1);
    assert_non_null(out);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        if (snippet[i] == '[' || snippet[i] == ']') {
            i++;
        } else if (starts_with(snippet + i, ELL)) {
            i += strlen(ELL);
        } else {
            out[n++] = snippet[i++];
        }
    }
    out[n] = '\0';
    return out;
}

/* Every [marked] stretch is exactly one token of the query. */
static void
assert_marks_are_whole_terms(const char *snippet, const query *q)
{
    kh_analyzer *a;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    for (const char *p = strchr(snippet, '['); p != NULL;
         p = strchr(p + 1, '[')) {
        const char *e = strchr(p, ']');
        assert_non_null(e);
        size_t len = (size_t)(e - p - 1);
        kh_analyzer_reset(a, p + 1, len);
        kh_token t;
        assert_int_equal(kh_analyzer_next(a, &t), 1);
        assert_int_equal(t.start, 0);
        assert_int_equal(t.end, len);
        bool found = false;
        for (size_t i = 0; i < q->n && !found; i++)
            found = strcmp(t.stem, q->stems[i]) == 0 ||
                    strcmp(t.norm, q->norms[i]) == 0;
        assert_true(found);
        assert_int_equal(kh_analyzer_next(a, &t), 0);
    }
    kh_analyzer_free(a);
}

static void
most_distinct_terms_win(void **state)
{
    (void)state;
    size_t len = strlen(article);
    /* Both words are in two paragraphs, but together only in one. */
    char *s = run(article, len, "عقوبات بوتين", 200);
    assert_non_null(strstr(s, "[عقوبات] اقتصادية كبيرة على موسكو"));
    assert_non_null(strstr(s, "الرئيس فلاديمير [بوتين]"));
    assert_true(starts_with(s, ELL) && ends_with(s, ELL));
    kh_free(s);

    /* One word: its first occurrence (the tie goes to the earliest). */
    s = run(article, len, "بوتين", 120);
    assert_non_null(strstr(s, "فلاديمير [بوتين] الاعتراف"));
    kh_free(s);

    /* Two distinct terms beat three copies of one. */
    assert_snippet("روسيا روسيا روسيا كلمة كلمة كلمة كلمة كلمة كلمة "
                   "روسيا وأوكرانيا",
                   "روسيا أوكرانيا", 30, ELL "[روسيا] [وأوكرانيا]");
    /* With distinct terms equal, more matches win. */
    assert_snippet("روسيا كلمة كلمة كلمة كلمة روسيا روسيا كلمة", "روسيا", 32,
                   ELL "[روسيا] [روسيا] كلمة");
}

static void
passage_properties_hold_for_any_budget(void **state)
{
    (void)state;
    size_t len = strlen(article);
    char *whole = collapse(article, len);
    static const char *const queries[] = {
        "روسيا أوكرانيا",   "الرئيس الكازاخستاني توكاييف",
        "عقوبات بوتين",     "زلزال",
        "الاتحاد الأوروبي", "141 دولة"};
    for (size_t qi = 0; qi < sizeof queries / sizeof queries[0]; qi++) {
        query q;
        query_init(&q, queries[qi]);
        for (size_t max = 0; max < 700; max += 7) {
            kh_snippet_opts o = opts_for(&q, max);
            char *s = run_opts(article, len, &o);
            char *p = plain(s);
            assert_true(valid_utf8(s));
            assert_true(p[0] != '\0');
            assert_non_null(strstr(whole, p));
            /* Over the budget only when it is one token. */
            if (strlen(p) > max)
                assert_null(strchr(p, ' '));
            if (!starts_with(s, ELL))
                assert_true(starts_with(whole, p));
            if (!ends_with(s, ELL))
                assert_true(ends_with(whole, p));
            assert_marks_are_whole_terms(s, &q);
            free(p);
            kh_free(s);
        }
        query_release(&q);
    }
    free(whole);
}

static void
clitic_forms_match_by_stem(void **state)
{
    (void)state;
    const char *text = "قالت الحكومة إن وللحكومة حقًا، وبالحكومة ثقة "
                       "وحكومتنا باقية، و«الحكومة».";
    assert_snippet(text, "الحكومة", 1000,
                   "قالت [الحكومة] إن [وللحكومة] حقًا، [وبالحكومة] ثقة "
                   "[وحكومتنا] باقية، و«[الحكومة]».");
    /* Any form of the word gives the same stem, so the same matches. */
    assert_snippet(text, "بالحكومة", 1000,
                   "قالت [الحكومة] إن [وللحكومة] حقًا، [وبالحكومة] ثقة "
                   "[وحكومتنا] باقية، و«[الحكومة]».");
    /* Normalized forms only: the exact word, whatever its spelling. */
    query q;
    query_init(&q, "الحكومه");
    kh_snippet_opts o = opts_for(&q, 1000);
    o.stems = NULL;
    o.n_stems = 7; /* ignored with NULL */
    char *s = run_opts(text, strlen(text), &o);
    assert_string_equal(s, "قالت [الحكومة] إن وللحكومة حقًا، وبالحكومة ثقة "
                           "وحكومتنا باقية، و«[الحكومة]».");
    kh_free(s);
    query_release(&q);
}

static void
voweled_words_are_marked_whole(void **state)
{
    (void)state;
    const char *norms[] = {"كتب"};
    kh_snippet_opts o = {norms, 1, NULL, 0, 1000, "<b>", "</b>", false};
    const char *text = "كَتَبَ الطالبُ الدرسَ ثم كتب رسالةً";
    char *s = run_opts(text, strlen(text), &o);
    assert_string_equal(s, "<b>كَتَبَ</b> الطالبُ الدرسَ ثم <b>كتب</b> رسالةً");
    kh_free(s);
    /* A voweled query word finds the bare one, and shadda and tatweel
     * stay inside the mark. */
    assert_snippet("وذكّر بأن الأمر مهم، وذكـــر غيره", "ذكَّر", 1000,
                   "[وذكّر] بأن الأمر مهم، [وذكـــر] غيره");
}

static void
ellipses_mark_what_is_left_out(void **state)
{
    (void)state;
    const char *text = "one two three four five six seven eight nine ten";
    /* The match and the context around it, more after than before when
     * the next word does not fit before. */
    assert_snippet(text, "five", 14, ELL "four [five] six" ELL);
    assert_snippet(text, "one", 14, "[one] two three" ELL);
    assert_snippet(text, "ten", 14, ELL "eight nine [ten]");
    assert_snippet(text, "five", 1000,
                   "one two three four [five] six seven eight nine ten");
    assert_snippet(text, "five", SIZE_MAX,
                   "one two three four [five] six seven eight nine ten");
    /* Punctuation stuck to the passage comes with it when it fits. */
    assert_snippet("«قال الوزير» في بيان.", "الوزير", 100,
                   "«قال [الوزير]» في بيان.");
    assert_snippet("أولًا، «قال الوزير» مضيفًا أن", "الوزير", 24,
                   ELL "«قال [الوزير]»" ELL);
}

static void
whitespace_is_collapsed(void **state)
{
    (void)state;
    assert_snippet("  السطر الأول\n\n\tالسطر   الثاني \r\n ", "الثاني", 1000,
                   "السطر الأول السطر [الثاني]");
    /* No-break and other Unicode spaces, control characters */
    assert_snippet("كلمة\xC2\xA0\xE2\x80\x83أخرى\x01\x7F"
                   "ثالثة",
                   "أخرى", 1000, "كلمة [أخرى] ثالثة");
    /* A NUL is a separator, not the end of the output. */
    char *s = run("الحكومة\0قالت", sizeof "الحكومة\0قالت" - 1, "قالت", 1000);
    assert_string_equal(s, "الحكومة [قالت]");
    kh_free(s);
}

static void
html_is_escaped_outside_the_markers(void **state)
{
    (void)state;
    query q;
    query_init(&q, "الحكومة");
    kh_snippet_opts o = opts_for(&q, 1000);
    o.open = "<mark class=\"hit\">";
    o.close = "</mark>";
    o.html = true;
    const char *text = "<script>alert(\"x\") & 'y'</script> الحكومة <b>";
    char *s = run_opts(text, strlen(text), &o);
    assert_string_equal(s, "&lt;script&gt;alert(&quot;x&quot;) &amp; "
                           "&#39;y&#39;&lt;/script&gt; <mark "
                           "class=\"hit\">الحكومة</mark> &lt;b&gt;");
    kh_free(s);
    o.html = false;
    s = run_opts(text, strlen(text), &o);
    assert_string_equal(s, "<script>alert(\"x\") & 'y'</script> <mark "
                           "class=\"hit\">الحكومة</mark> <b>");
    kh_free(s);
    query_release(&q);
}

static void
latin_and_mixed_text(void **state)
{
    (void)state;
    const char *text = "قالت شبكة CNN إن Erdoğan حضر قمة G20، وذكرت والـCNN "
                       "أن O'Brien's plan فشل.";
    assert_snippet(text, "cnn erdogan g20 obrien", 1000,
                   "قالت شبكة [CNN] إن [Erdoğan] حضر قمة [G20]، وذكرت "
                   "والـ[CNN] أن [O'Brien's] plan فشل.");
    /* The query's own case and accents do not matter. */
    assert_snippet("The ERDOĞAN government", "Erdogan", 1000,
                   "The [ERDOĞAN] government");
}

static void
invalid_utf8_becomes_replacement(void **state)
{
    (void)state;
    const char text[] = "\xff"
                        "الحكومة"
                        "\xc3 قالت \xed\xa0\x80"
                        "نص\xe2\x82";
    char *s = run(text, sizeof text - 1, "الحكومة نص", 1000);
    assert_true(valid_utf8(s));
    assert_string_equal(s, FFFD "[الحكومة]" FFFD " قالت " FFFD FFFD FFFD
                                "[نص]" FFFD FFFD);
    kh_free(s);
}

static void
no_match_gives_the_beginning(void **state)
{
    (void)state;
    size_t len = strlen(article);
    char *s = run(article, len, "زلزال", 60);
    assert_string_equal(s, "الرئيس الكازاخستاني يعد بحماية" ELL);
    kh_free(s);
    /* NULL and empty term arrays: nothing can match */
    kh_snippet_opts o = opts_for(NULL, 60);
    s = run_opts(article, len, &o);
    assert_string_equal(s, "الرئيس الكازاخستاني يعد بحماية" ELL);
    kh_free(s);
    const char *none[] = {NULL, ""};
    o.norms = none;
    o.n_norms = 2;
    o.stems = none;
    o.n_stems = 0;
    s = run_opts(article, len, &o);
    assert_string_equal(s, "الرئيس الكازاخستاني يعد بحماية" ELL);
    kh_free(s);
}

static void
edge_cases(void **state)
{
    (void)state;
    assert_snippet("", "الحكومة", 100, "");
    assert_snippet(" \n\t ", "الحكومة", 100, "");
    char *s = run(NULL, 5, "الحكومة", 100);
    assert_string_equal(s, "");
    kh_free(s);
    /* Only punctuation: the beginning, cut between characters. */
    assert_snippet("،؛ ... !! «»", "الحكومة", 100, "،؛ ... !! «»");
    assert_snippet("،؛ ... !! «»", "الحكومة", 5, "،؛" ELL);
    assert_snippet("،؛ ... !! «»", "الحكومة", 3, "،" ELL);
    assert_snippet(" \n ،؛ ... !! «»", "الحكومة", 3, "،" ELL);
    assert_snippet("،؛ ... !! «»", "الحكومة", 1, "");
    /* A budget of 0, or shorter than the match: the match, whole. */
    assert_snippet("قالت الحكومة اليوم", "الحكومة", 0, ELL "[الحكومة]" ELL);
    assert_snippet("قالت الحكومة اليوم", "الحكومة", 5, ELL "[الحكومة]" ELL);
    assert_snippet("قالت الحكومة اليوم", "زلزال", 0, "قالت" ELL);
    /* A match that fits wins over an earlier one that does not. */
    assert_snippet("الحكوماتالحكومات الحكومات", "الحكومات", 16,
                   ELL "[الحكومات]");

    /* A 600-byte word: never cut, whatever the budget. */
    char text[1024];
    size_t n = 0;
    for (int i = 0; i < 300; i++) {
        memcpy(text + n, "ب", 2);
        n += 2;
    }
    memcpy(text + n, " الحكومة", strlen(" الحكومة") + 1);
    s = run(text, strlen(text), "زلزال", 10);
    assert_int_equal(strlen(s), 600 + strlen(ELL));
    assert_memory_equal(s, text, 600);
    kh_free(s);
    s = run(text, strlen(text), text, 10); /* the word itself, truncated */
    assert_int_equal(strlen(s), 602 + strlen(ELL));
    assert_true(s[0] == '[' && s[601] == ']');
    kh_free(s);
    assert_snippet(text, "الحكومة", 10, ELL "[الحكومة]");
}

static void
tokens_sharing_a_character_are_marked_once(void **state)
{
    (void)state;
    /* U+FDFA is four words with one span; U+00BD is "1" and "2". */
    assert_snippet("قال النبي \xEF\xB7\xBA اليوم", "الله", 1000,
                   "قال النبي [\xEF\xB7\xBA] اليوم");
    assert_snippet("قال النبي \xEF\xB7\xBA اليوم", "صلى وسلم", 1000,
                   "قال النبي [\xEF\xB7\xBA] اليوم");
    assert_snippet("نحو 3\xC2\xBD مليون", "2", 1000, "نحو [3\xC2\xBD] مليون");
}

/* Random bytes, biased to Arabic, spaces and markup: no crash, valid
 * UTF-8 out, marks only on whole terms. */
static void
random_bytes_are_survived(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "الحكومة", "بالحكومة",     " ",    "\n",   "،",       "«", "»", "<",
        "&",       "\"",           "\xff", "\xd8", "\xcc",    "َ",  "ّ",  "ـ",
        "G20",     "\xEF\xB7\xBA", "ب",    "\0",   "\xC2\xA0"};
    size_t n_pieces = sizeof pieces / sizeof pieces[0];
    query q;
    query_init(&q, "الحكومة g20 ب");
    uint32_t seed = 12345;
    char text[512];
    for (int round = 0; round < 2000; round++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        size_t parts = (seed >> 16) % 40;
        for (size_t i = 0; i < parts; i++) {
            seed = seed * 1103515245u + 12345u;
            const char *piece = pieces[(seed >> 16) % n_pieces];
            size_t k = piece[0] == '\0' ? 1 : strlen(piece);
            if (len + k >= sizeof text)
                break;
            memcpy(text + len, piece, k);
            len += k;
        }
        seed = seed * 1103515245u + 12345u;
        kh_snippet_opts o = opts_for(&q, (seed >> 16) % 80);
        o.html = (round & 1) != 0;
        char *s = run_opts(text, len, &o);
        assert_true(valid_utf8(s));
        if (!o.html)
            assert_marks_are_whole_terms(s, &q);
        kh_free(s);
    }
    query_release(&q);
}

/* The snippet of text for a parsed query's phrases alone (no word terms),
 * marks as brackets. */
static char *
run_phrases(const char *text, const char *query_text, size_t max_bytes)
{
    kh_analyzer *a;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_qnode *tree;
    kh_error err;
    assert_int_equal(
        kh__query_parse(query_text, strlen(query_text), a, &tree, &err), KH_OK);
    const kh_qnode *phrases[8];
    size_t n = 0;
    if (tree->op == KH_QOP_PHRASE)
        phrases[n++] = tree;
    for (size_t i = 0; i < tree->n_children && n < 8; i++)
        if (tree->children[i]->op == KH_QOP_PHRASE)
            phrases[n++] = tree->children[i];
    kh_snippet_opts o = opts_for(NULL, max_bytes);
    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = KH_OK;
    kh__snippet_phrases(a, text, strlen(text), &o, phrases, n, &b, &rc);
    assert_int_equal(rc, KH_OK);
    char *s = kh__strndup(b.data != NULL ? b.data : "", b.len);
    assert_non_null(s);
    kh__buf_release(&b);
    kh__query_free(tree);
    kh_analyzer_free(a);
    return s;
}

/* A phrase is one mark over its occurrence, from its first word to its
 * last (a stop word between them inside it), and its words are not
 * marked apart; whatever the budget, every mark that opens closes. */
static void
phrases_are_one_mark(void **state)
{
    (void)state;
    static const char text[] =
        "استقبل ولي ولي العهد وزير الخارجية، وقال ولي الأمر إن العهد جديد "
        "وإن COVID-19 انحسر وإن كوفيد-19 باق، ووصل وزير إلى الرياض.";
    char *s = run_phrases(text, "\"ولي العهد\"", 1000);
    assert_non_null(strstr(s, "ولي [ولي العهد] وزير"));
    assert_null(strstr(s, "[ولي]"));
    assert_null(strstr(s, "[العهد]"));
    kh_free(s);
    s = run_phrases(text, "كوفيد-19", 1000);
    assert_non_null(strstr(s, "COVID-19 انحسر وإن [كوفيد-19] باق"));
    kh_free(s);
    s = run_phrases(text, "\"وزير في الرياض\" \"ولي العهد\"", 1000);
    assert_non_null(strstr(s, "ووصل [وزير إلى الرياض]."));
    assert_non_null(strstr(s, "ولي [ولي العهد] وزير"));
    kh_free(s);
    for (size_t max = 0; max < 200; max++) {
        s = run_phrases(text, "\"ولي العهد\" \"وزير الخارجية\"", max);
        int depth = 0;
        for (const char *p = s; *p; p++) {
            depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
            assert_true(depth == 0 || depth == 1);
        }
        assert_int_equal(depth, 0);
        kh_free(s);
    }
}

static void
errors_are_sticky_and_output_appends(void **state)
{
    (void)state;
    query q;
    query_init(&q, "الحكومة");
    kh_snippet_opts o = opts_for(&q, 100);
    kh_analyzer *a;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = KH_OK;
    kh__buf_puts(&b, "1: ", &rc);
    kh__snippet(a, "قالت الحكومة", strlen("قالت الحكومة"), &o, &b, &rc);
    assert_int_equal(rc, KH_OK);
    assert_string_equal(b.data, "1: قالت [الحكومة]");
    rc = KH_EIO;
    kh__snippet(a, "قالت الحكومة", strlen("قالت الحكومة"), &o, &b, &rc);
    assert_int_equal(rc, KH_EIO);
    assert_string_equal(b.data, "1: قالت [الحكومة]");
    kh__buf_release(&b);
    kh_analyzer_free(a);
    query_release(&q);
}

/* About 1 MB: the article over and over, with one rare word near the end. */
static char *
huge_text(size_t *len)
{
    size_t alen = strlen(article);
    size_t cap = (1u << 20) + alen + 256;
    char *t = malloc(cap);
    assert_non_null(t);
    size_t n = 0;
    while (n + alen + 2 < (1u << 20)) {
        memcpy(t + n, article, alen);
        n += alen;
        memcpy(t + n, "\n\n", 2);
        n += 2;
    }
    const char *rare = "ضرب زلزال قوي المنطقة صباح اليوم.\n\n";
    memcpy(t + n, rare, strlen(rare));
    n += strlen(rare);
    size_t head = 200; /* the start of the article, whole characters */
    while (((unsigned char)article[head] & 0xC0) == 0x80)
        head--;
    memcpy(t + n, article, head);
    n += head;
    t[n] = '\0';
    *len = n;
    return t;
}

static void
huge_text_is_handled(void **state)
{
    (void)state;
    size_t len;
    char *text = huge_text(&len);
    assert_true(len > 1000000);

    char *s = run(text, len, "زلزال المنطقة", 200);
    assert_non_null(strstr(s, "ضرب [زلزال] قوي [المنطقة] صباح اليوم."));
    assert_true(strlen(s) <= 200 + 2 * strlen(ELL) + 4 * 2);
    kh_free(s);

    s = run(text, len, "كلمةغيرموجودة", 60);
    assert_string_equal(s, "الرئيس الكازاخستاني يعد بحماية" ELL);
    kh_free(s);

    /* Thousands of matches, and a budget larger than the text. */
    s = run(text, len, "روسيا", SIZE_MAX);
    char *whole = collapse(text, len);
    char *p = plain(s);
    assert_string_equal(p, whole);
    assert_false(starts_with(s, ELL) || ends_with(s, ELL));
    free(p);
    free(whole);
    kh_free(s);
    free(text);
}

static void
out_of_memory_is_reported(void **state)
{
    (void)state;
    query q;
    query_init(&q, "عقوبات بوتين");
    kh_snippet_opts o = opts_for(&q, 200);
    size_t len = strlen(article);
    char *expected = run_opts(article, len, &o);
    kh_analyzer *a;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    int failures = 0;
    bool succeeded = false;
    for (long n = 0; n < 200 && !succeeded; n++) {
        kh_buf b;
        kh__buf_init(&b);
        kh_status rc = KH_OK;
        kh__buf_puts(&b, "x: ", &rc);
        assert_int_equal(rc, KH_OK);
        kh__alloc_fail_after(n);
        kh__snippet(a, article, len, &o, &b, &rc);
        kh__alloc_fail_after(-1);
        if (rc == KH_ENOMEM) {
            /* what was in the buffer is untouched */
            assert_string_equal(b.data, "x: ");
            failures++;
        } else {
            assert_int_equal(rc, KH_OK);
            assert_string_equal(b.data + 3, expected);
            succeeded = true;
        }
        kh__buf_release(&b);
    }
    assert_true(failures >= 3);
    assert_true(succeeded);
    kh_analyzer_free(a);
    kh_free(expected);
    query_release(&q);
}

/* The escaper of HTML and XML (feeds, mails) leaves out what XML 1.0
 * forbids, so that no article can make a feed unreadable; the characters
 * around, and those XML allows, stay. */
static void
escape_drops_what_xml_forbids(void **state)
{
    (void)state;
    static const char in[] = "a\x01"
                             "b\tc\xEF\xBF\xBE"
                             "d\xEF\xBF\xBF"
                             "e\xED\xA0\x80"
                             "f\xEF\xBF\xBD"
                             "g\xF0\x90\x80\x80"
                             "h<&\">\xEF\xBF";
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    kh__buf_html_escape(&b, in, sizeof in - 1, &rc);
    kh__buf_putc(&b, '\0', &rc);
    assert_int_equal(rc, KH_OK);
    assert_string_equal(b.data, "ab\tcdef\xEF\xBF\xBD"
                                "g\xF0\x90\x80\x80"
                                "h&lt;&amp;&quot;&gt;\xEF\xBF");
    kh__buf_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(most_distinct_terms_win),
        cmocka_unit_test(escape_drops_what_xml_forbids),
        cmocka_unit_test(passage_properties_hold_for_any_budget),
        cmocka_unit_test(clitic_forms_match_by_stem),
        cmocka_unit_test(voweled_words_are_marked_whole),
        cmocka_unit_test(ellipses_mark_what_is_left_out),
        cmocka_unit_test(whitespace_is_collapsed),
        cmocka_unit_test(html_is_escaped_outside_the_markers),
        cmocka_unit_test(latin_and_mixed_text),
        cmocka_unit_test(invalid_utf8_becomes_replacement),
        cmocka_unit_test(no_match_gives_the_beginning),
        cmocka_unit_test(edge_cases),
        cmocka_unit_test(tokens_sharing_a_character_are_marked_once),
        cmocka_unit_test(random_bytes_are_survived),
        cmocka_unit_test(phrases_are_one_mark),
        cmocka_unit_test(errors_are_sticky_and_output_appends),
        cmocka_unit_test(huge_text_is_handled),
        cmocka_unit_test(out_of_memory_is_reported),
    };
    return cmocka_run_group_tests_name("snippet", tests, NULL, NULL);
}
