/*
 * test_golden.c -- golden files: tests/golden/analyze/X.txt is analyzed
 * and compared with X.expected (the format of `khabar analyze`), and each
 * line of tests/golden/normalize/rules.tsv is an input and its normalized
 * forms.  UPDATE=1 rewrites the .expected files instead of comparing.
 */
#include "testutil.h"

#include <dirent.h>

#include "kh_int.h"

static const char *const kinds[] = {"?",      "arabic", "latin",
                                    "number", "mixed",  "other"};

/* Same format as cli/cmd_analyze.c prints. */
static void
render(const char *text, size_t len, kh_buf *out)
{
    kh_analyzer *a;
    kh_token t;
    kh_status rc = KH_OK;
    assert_int_equal(kh_analyzer_new(NULL, &a), KH_OK);
    kh_analyzer_reset(a, text, len);
    while (kh_analyzer_next(a, &t)) {
        const char *stop = (t.flags & KH_TOKEN_STOP) ? "stop" : "";
        const char *trunc = (t.flags & KH_TOKEN_TRUNCATED) ? "truncated" : "";
        kh__buf_printf(out, &rc, "%u\t%zu\t%zu\t%s\t%.*s\t%s\t%s\t%s%s%s\n",
                       t.position, t.start, t.end, kinds[t.kind],
                       (int)(t.end - t.start), text + t.start, t.norm, t.stem,
                       stop, (*stop && *trunc) ? "," : "",
                       (*stop || *trunc) ? trunc : "-");
    }
    assert_int_equal(rc, KH_OK);
    kh_analyzer_free(a);
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kh__buf_append(&b, chunk, n, &rc);
    fclose(f);
    assert_int_equal(rc, KH_OK);
    return kh__buf_detach(&b, len, &rc);
}

static void
golden_analyze(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/golden/analyze", tu_srcdir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int files = 0, failures = 0;
    int update = getenv("UPDATE") != NULL;
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 4, ".txt") != 0)
            continue;
        char in[2048], exp[2048];
        snprintf(in, sizeof in, "%s/%s", dir, e->d_name);
        snprintf(exp, sizeof exp, "%s/%.*s.expected", dir, (int)(nl - 4),
                 e->d_name);
        size_t len, elen = 0;
        char *text = slurp(in, &len);
        assert_non_null(text);
        kh_buf got;
        kh__buf_init(&got);
        render(text, len, &got);
        if (update) {
            FILE *f = fopen(exp, "wb");
            assert_non_null(f);
            fwrite(got.data, 1, got.len, f);
            fclose(f);
        } else {
            char *want = slurp(exp, &elen);
            if (want == NULL || elen != got.len ||
                memcmp(want, got.data, elen) != 0) {
                print_error("golden mismatch: %s (diff it against `khabar "
                            "analyze < %s`; UPDATE=1 regenerates)\n",
                            exp, in);
                failures++;
            }
            kh_free(want);
        }
        kh__buf_release(&got);
        kh_free(text);
        files++;
    }
    closedir(d);
    assert_true(files >= 2);
    assert_int_equal(failures, 0);
}

static void
golden_normalize(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/golden/normalize/rules.tsv",
             tu_srcdir());
    size_t len;
    char *data = slurp(path, &len);
    assert_non_null(data);
    int cases = 0, failures = 0, lineno = 0;
    for (char *line = data, *next; line != NULL && *line; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        lineno++;
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || tab == NULL)
            continue;
        *tab = '\0';
        char got[4096];
        tu_analyze_opts(line, strlen(line), NULL, 'n', got, sizeof got);
        if (strcmp(got, tab + 1) != 0) {
            print_error("rules.tsv:%d: %s -> \"%s\", want \"%s\"\n", lineno,
                        line, got, tab + 1);
            failures++;
        }
        cases++;
    }
    kh_free(data);
    assert_true(cases >= 13);
    assert_int_equal(failures, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_analyze),
        cmocka_unit_test(golden_normalize),
    };
    return cmocka_run_group_tests_name("golden", tests, NULL, NULL);
}
