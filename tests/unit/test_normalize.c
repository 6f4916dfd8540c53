/*
 * test_normalize.c -- one test per normalization rule (docs/analysis.md).
 */
#include "testutil.h"

static void
alef_hamza_forms(void **state)
{
    (void)state;
    assert_norm("أحمد إبراهيم آمنة ٱلكتاب", "احمد ابراهيم امنه الكتاب");
    /* wavy hamza and high-hamza alef forms */
    assert_norm("\u0672\u0644\u0641 \u0673\u0644\u0641 \u0675\u0644\u0641",
                "الف الف الف");
}

static void
alef_maqsura(void **state)
{
    (void)state;
    assert_norm("مستشفى على موسى", "مستشفي علي موسي");
}

static void
ta_marbuta_folded_original_kept(void **state)
{
    (void)state;
    assert_norm("مدرسة المدينة", "مدرسه المدينه");
    char buf[256];
    tu_analyze("مدرسة المدينة", 'u', buf, sizeof buf);
    assert_string_equal(buf, "مدرسة المدينة"); /* surface: the original */
}

static void
harakat_and_tanween_removed(void **state)
{
    (void)state;
    assert_norm("كَتَبَ الوَلَدُ دَرْسًا", "كتب الولد درسا");
    /* Every mark of U+064B..U+065F, inside one word, leaves one token. */
    char text[256];
    for (unsigned cp = 0x064B; cp <= 0x065F; cp++) {
        if (cp == 0x0654 || cp == 0x0655)
            continue; /* combining hamza: its own rule below */
        snprintf(text, sizeof text, "كت%c%cب", (char)(0xC0 | (cp >> 6)),
                 (char)(0x80 | (cp & 0x3F)));
        char out[256];
        assert_int_equal(tu_analyze(text, 'n', out, sizeof out), 1);
        assert_string_equal(out, "كتب");
    }
}

static void
superscript_alef_and_quranic_marks(void **state)
{
    (void)state;
    assert_norm("هٰذا", "هذا");       /* U+0670 */
    assert_norm("الرَّحِيمِۖ", "الرحيم"); /* U+06D6 small high ligature */
    assert_norm("ٱلصَّلَوٰةَ", "الصلوه");
    assert_norm("عَلَيۡهِمۡ", "عليهم"); /* U+06E1 small high dotless head */
    assert_norm("ٱلۡأَرۡضِ", "الارض");
    /* tatweel + U+0670 + U+0653: the dagger alef goes, as the rule says */
    assert_norm("يَـٰٓأَيُّهَا", "يايها");
}

static void
tatweel_removed(void **state)
{
    (void)state;
    assert_norm("الـــعـــربـــيـــة", "العربيه");
    assert_norm("جـمـيـل", "جميل");
}

static void
persian_urdu_letters(void **state)
{
    (void)state;
    assert_norm("کتاب", "كتاب");       /* U+06A9 keheh */
    assert_norm("ایران", "ايران");     /* U+06CC farsi yeh */
    assert_norm("\u06A9\u06D2", "كي"); /* U+06D2 yeh barree */
    assert_norm("خانۀ", "خانه");       /* U+06C0 heh with yeh above */
    assert_norm("\u06C1\u0645", "هم"); /* U+06C1 heh goal */
    assert_norm("ڪتاب", "كتاب");       /* U+06AA swash kaf */
    assert_norm("ڤيينا", "فيينا");     /* U+06A4 veh */
    assert_norm("گوگل", "كوكل");       /* U+06AF gaf */
}

static void
digits_to_ascii(void **state)
{
    (void)state;
    assert_norm("٠١٢٣٤٥٦٧٨٩", "0123456789");
    assert_norm("۰۱۲۳۴۵۶۷۸۹", "0123456789");
    assert_norm("عام ٢٠٢٢", "عام 2022");
    assert_norm("٣٫٥ ١٬٠٠٠", "3.5 1000"); /* Arabic decimal/thousands seps */
    assert_norm("２０２２", "2022");      /* fullwidth, through NFKC */
}

static void
presentation_forms_and_ligatures(void **state)
{
    (void)state;
    /* ﺍﻟﺴﻼﻡ written with Arabic Presentation Forms-B */
    assert_norm("\uFE8D\uFEDF\uFEB4\uFEFC\uFEE1", "السلام");
    assert_norm("\uFEFB", "لا");   /* lam-alef isolated */
    assert_norm("\uFEF7", "لا");   /* lam-alef with hamza above */
    assert_norm("\uFDF2", "الله"); /* Allah ligature (Forms-A) */
    assert_norm("\uFE85", "ء");    /* waw with hamza, isolated: like ؤ */
    /* U+FDFA expands to four words, all with the ligature's span. */
    char buf[256];
    assert_int_equal(tu_analyze("\uFDFA", 'n', buf, sizeof buf), 4);
    assert_string_equal(buf, "صلي الله عليه وسلم");
}

static void
joiners_and_bidi_marks_ignored_in_words(void **state)
{
    (void)state;
    char buf[256];
    assert_int_equal(tu_analyze("كتا\u200Cب", 'n', buf, sizeof buf), 1);
    assert_string_equal(buf, "كتاب");
    assert_int_equal(tu_analyze("كتا\u200Dب", 'n', buf, sizeof buf), 1);
    assert_int_equal(tu_analyze("كت\u200Eاب", 'n', buf, sizeof buf), 1);
    assert_int_equal(tu_analyze("كت\u200Fاب", 'n', buf, sizeof buf), 1);
    assert_int_equal(tu_analyze("كت\u061Cاب", 'n', buf, sizeof buf), 1);
    assert_string_equal(buf, "كتاب");
    assert_norm("\u200Fرويترز\u200E Reuters", "رويترز reuters");
}

static void
latin_case_and_accents_folded(void **state)
{
    (void)state;
    assert_norm("CNN Reuters AFP", "cnn reuters afp");
    assert_norm("Erdoğan ÉCOLE Straße", "erdogan ecole strasse");
    assert_norm("Токаев", "токаев"); /* Cyrillic: case folded only */
}

static void
hamza_on_seats_become_bare_hamza(void **state)
{
    (void)state;
    /* The two accepted spellings meet. */
    assert_norm("مسؤول مسئول", "مسءول مسءول");
    assert_norm("شؤون شئون", "شءون شءون");
    assert_norm("رئيس سماء", "رءيس سماء");
    /* The decomposed forms (letter + combining hamza) fold the same way. */
    assert_norm("مسو\u0654ول مسي\u0654ول", "مسءول مسءول");
    assert_norm("ا\u0654حمد", "احمد");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alef_hamza_forms),
        cmocka_unit_test(alef_maqsura),
        cmocka_unit_test(ta_marbuta_folded_original_kept),
        cmocka_unit_test(harakat_and_tanween_removed),
        cmocka_unit_test(superscript_alef_and_quranic_marks),
        cmocka_unit_test(tatweel_removed),
        cmocka_unit_test(persian_urdu_letters),
        cmocka_unit_test(digits_to_ascii),
        cmocka_unit_test(presentation_forms_and_ligatures),
        cmocka_unit_test(joiners_and_bidi_marks_ignored_in_words),
        cmocka_unit_test(latin_case_and_accents_folded),
        cmocka_unit_test(hamza_on_seats_become_bare_hamza),
    };
    return cmocka_run_group_tests_name("normalize", tests, NULL, NULL);
}
