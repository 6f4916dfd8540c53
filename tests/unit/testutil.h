/*
 * testutil.h -- helpers shared by the unit tests (cmocka).
 */
#ifndef KH_TESTUTIL_H
#define KH_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khabar/khabar.h"

/* Analyzes text with the given options and writes the chosen field of
 * every token, space-separated, into out.  field: 'n' normalized form,
 * 's' stem, 'u' surface (from the offsets), 'k' kind.  Returns the token
 * count. */
static inline int
tu_analyze_opts(const char *text, size_t len, const kh_analyzer_options *o,
                char field, char *out, size_t cap)
{
    kh_analyzer *a = NULL;
    assert_int_equal(kh_analyzer_new(o, &a), KH_OK);
    kh_analyzer_reset(a, text, len);
    kh_token t;
    int n = 0;
    size_t used = 0;
    out[0] = '\0';
    while (kh_analyzer_next(a, &t)) {
        const char *s = t.norm;
        size_t sl = t.norm_len;
        static const char *const kinds[] = {"?",      "arabic", "latin",
                                            "number", "mixed",  "other"};
        if (field == 's') {
            s = t.stem;
            sl = t.stem_len;
        } else if (field == 'u') {
            s = text + t.start;
            sl = t.end - t.start;
        } else if (field == 'k') {
            s = kinds[t.kind];
            sl = strlen(s);
        }
        assert_true(t.start < t.end && t.end <= len);
        assert_true(used + sl + 2 < cap);
        if (n > 0)
            out[used++] = ' ';
        memcpy(out + used, s, sl);
        used += sl;
        out[used] = '\0';
        n++;
    }
    kh_analyzer_free(a);
    return n;
}

static inline int
tu_analyze(const char *text, char field, char *out, size_t cap)
{
    return tu_analyze_opts(text, strlen(text), NULL, field, out, cap);
}

/* Asserts that the normalized forms of text are expected (space-joined). */
#define assert_norm(text, expected)                                            \
    do {                                                                       \
        char buf_[4096];                                                       \
        tu_analyze((text), 'n', buf_, sizeof buf_);                            \
        assert_string_equal(buf_, (expected));                                 \
    } while (0)

#define assert_stems(text, expected)                                           \
    do {                                                                       \
        char buf_[4096];                                                       \
        tu_analyze((text), 's', buf_, sizeof buf_);                            \
        assert_string_equal(buf_, (expected));                                 \
    } while (0)

/* The repository root, from KH_SRCDIR or the current directory. */
static inline const char *
tu_srcdir(void)
{
    const char *d = getenv("KH_SRCDIR");
    return d != NULL ? d : ".";
}

#endif
