/*
 * test_alloc.c -- out-of-memory handling: every allocation that fails must
 * turn into KH_ENOMEM (or a NULL the caller checks), never a crash or a
 * leak.  Uses the allocator seam's failure injection.
 */
#include "testutil.h"

#include "kh_int.h"

static void
analyzer_new_reports_enomem(void **state)
{
    (void)state;
    static const kh_stemmer_kind kinds[] = {KH_STEMMER_LIGHT,
                                            KH_STEMMER_SNOWBALL};
    for (size_t k = 0; k < 2; k++) {
        kh_analyzer_options o = {kinds[k], 0};
        int failures = 0;
        for (long n = 0; n < 4; n++) {
            kh_analyzer *a = (kh_analyzer *)&failures; /* must be reset */
            kh__alloc_fail_after(n);
            kh_status rc = kh_analyzer_new(&o, &a);
            kh__alloc_fail_after(-1);
            if (rc == KH_ENOMEM) {
                assert_null(a);
                failures++;
                continue;
            }
            assert_int_equal(rc, KH_OK);
            kh_token t;
            kh_analyzer_reset(a, "الحكومة", strlen("الحكومة"));
            assert_int_equal(kh_analyzer_next(a, &t), 1);
            kh_analyzer_free(a);
        }
        assert_true(failures >= 1);
    }
}

static void
buffer_errors_are_sticky(void **state)
{
    (void)state;
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    kh__buf_puts(&b, "abc", &rc);
    assert_int_equal(rc, KH_OK);
    kh__alloc_fail_after(0);
    for (int i = 0; i < 100; i++)
        kh__buf_puts(&b, "0123456789", &rc); /* must grow, fails */
    kh__alloc_fail_after(-1);
    assert_int_equal(rc, KH_ENOMEM);
    kh__buf_puts(&b, "x", &rc); /* no-op once an error is set */
    assert_int_equal(rc, KH_ENOMEM);
    /* What is there is whole appends: nothing was written partly. */
    assert_int_equal(b.len % 10, 3);
    assert_int_equal(strlen(b.data), b.len);
    assert_true(b.len < 3 + 100 * 10);
    assert_null(kh__buf_detach(&b, NULL, &rc));
    kh__buf_release(&b);
}

static void
strmap_survives_failures(void **state)
{
    (void)state;
    for (long n = 0; n < 40; n++) {
        kh_strmap m;
        kh__strmap_init(&m);
        char key[32];
        size_t ok = 0;
        kh__alloc_fail_after(n);
        for (int i = 0; i < 200; i++) {
            snprintf(key, sizeof key, "كلمة%d", i);
            kh_strmap_entry *e = kh__strmap_upsert(&m, key, strlen(key));
            if (e != NULL) {
                e->value++;
                ok++;
            }
        }
        kh__alloc_fail_after(-1);
        assert_true(m.count <= ok);
        /* what was inserted is still there and intact */
        for (size_t i = 0; i < m.cap; i++) {
            kh_strmap_entry *e = &m.slots[i];
            if (e->key != NULL)
                assert_ptr_equal(kh__strmap_get(&m, e->key, e->key_len), e);
        }
        kh__strmap_release(&m);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(analyzer_new_reports_enomem),
        cmocka_unit_test(buffer_errors_are_sticky),
        cmocka_unit_test(strmap_survives_failures),
    };
    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
