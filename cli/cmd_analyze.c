/*
 * cmd_analyze.c -- `khabar analyze`: show what the analyzer makes of text.
 *
 *   khabar analyze [--json] [--stemmer NAME] [--drop-stopwords] [TEXT...|-]
 *   khabar analyze --jsonl FILE [--json] [--top N] [--stemmer NAME]
 *
 * The first form prints one token a line: position, start and end byte
 * offsets, kind, surface (the original text), normalized form, stem and
 * flags.  The second analyzes the title and body of every article in a
 * JSONL file (gzip or plain) and prints a summary.
 */
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *
kind_name(kh_token_kind k)
{
    switch (k) {
    case KH_TOKEN_ARABIC:
        return "arabic";
    case KH_TOKEN_LATIN:
        return "latin";
    case KH_TOKEN_NUMBER:
        return "number";
    case KH_TOKEN_MIXED:
        return "mixed";
    case KH_TOKEN_OTHER:
        return "other";
    }
    return "?";
}

static void
usage(FILE *f)
{
    fputs("usage: khabar analyze [--json] [--stemmer light|snowball|none]\n"
          "                      [--drop-stopwords] [TEXT...|-]\n"
          "       khabar analyze --jsonl FILE [--json] [--top N] "
          "[--stemmer NAME]\n"
          "\n"
          "Without TEXT (or with -) the text is read from standard input.\n"
          "Columns: position start end kind surface normalized stem flags\n"
          "(offsets are bytes into the input; flags: stop, truncated).\n"
          "--jsonl analyzes the title and body of each article of a JSONL\n"
          "file (gzip or plain) and prints a summary, with the --top N most\n"
          "frequent stems (default 20; 0: the summary alone).\n",
          f);
}

static json_t *
jstr(const char *s, size_t n)
{
    json_t *v = json_stringn(s, n);
    return v != NULL ? v : json_string("\xEF\xBF\xBD");
}

static int
print_tokens(kh_analyzer *a, const char *text, size_t len, int as_json)
{
    kh_token t;
    json_t *arr = as_json ? json_array() : NULL;
    if (as_json && arr == NULL) {
        cli_error("out of memory");
        return 1;
    }
    kh_analyzer_reset(a, text, len);
    while (kh_analyzer_next(a, &t)) {
        const char *stop = (t.flags & KH_TOKEN_STOP) ? "stop" : "";
        const char *trunc = (t.flags & KH_TOKEN_TRUNCATED) ? "truncated" : "";
        if (!as_json) {
            printf("%u\t%zu\t%zu\t%s\t%.*s\t%s\t%s\t%s%s%s\n", t.position,
                   t.start, t.end, kind_name(t.kind), (int)(t.end - t.start),
                   text + t.start, t.norm, t.stem, stop,
                   (*stop && *trunc) ? "," : "",
                   (*stop || *trunc) ? trunc : "-");
            continue;
        }
        json_t *o = json_pack(
            "{s:I,s:I,s:I,s:s,s:o,s:o,s:o,s:b,s:b}", "position",
            (json_int_t)t.position, "start", (json_int_t)t.start, "end",
            (json_int_t)t.end, "kind", kind_name(t.kind), "surface",
            jstr(text + t.start, t.end - t.start), "norm",
            jstr(t.norm, t.norm_len), "stem", jstr(t.stem, t.stem_len), "stop",
            (t.flags & KH_TOKEN_STOP) != 0, "truncated",
            (t.flags & KH_TOKEN_TRUNCATED) != 0);
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            cli_error("out of memory");
            return 1;
        }
    }
    if (as_json) {
        json_t *doc = json_pack("{s:o}", "tokens", arr);
        if (doc == NULL || json_dumpf(doc, stdout, 0) != 0) {
            json_decref(doc);
            cli_error("cannot write the output");
            return 1;
        }
        json_decref(doc);
        putchar('\n');
    }
    return 0;
}

typedef struct summary {
    unsigned long articles, errors;
    unsigned long long bytes, tokens, stops, arabic, latin, numbers;
    kh_strmap norms, stems;
    int oom;
} summary;

static void
count_text(kh_analyzer *a, summary *s, const char *text, size_t len)
{
    kh_token t;
    s->bytes += len;
    kh_analyzer_reset(a, text, len);
    while (kh_analyzer_next(a, &t)) {
        s->tokens++;
        s->arabic += t.kind == KH_TOKEN_ARABIC;
        s->latin += t.kind == KH_TOKEN_LATIN;
        s->numbers += t.kind == KH_TOKEN_NUMBER;
        if (t.flags & KH_TOKEN_STOP) {
            s->stops++;
            continue;
        }
        kh_strmap_entry *n = kh__strmap_upsert(&s->norms, t.norm, t.norm_len);
        kh_strmap_entry *e = kh__strmap_upsert(&s->stems, t.stem, t.stem_len);
        if (n == NULL || e == NULL) {
            s->oom = 1;
            return;
        }
        e->value++;
    }
}

static int
by_count_desc(const void *x, const void *y)
{
    const kh_strmap_entry *a = *(const kh_strmap_entry *const *)x;
    const kh_strmap_entry *b = *(const kh_strmap_entry *const *)y;
    if (a->value != b->value)
        return a->value < b->value ? 1 : -1;
    return strcmp(a->key, b->key);
}

static int
summarize(kh_analyzer *a, const char *stemmer, const char *path, int as_json,
          long top)
{
    cli_lines in;
    if (cli_lines_open(&in, path) != KH_OK) {
        cli_error("cannot open %s", path);
        return 1;
    }
    summary s;
    memset(&s, 0, sizeof s);
    kh__strmap_init(&s.norms);
    kh__strmap_init(&s.stems);
    const char *line;
    size_t len;
    int r;
    double t0 = cli_now();
    while ((r = cli_lines_next(&in, &line, &len)) == 1 && !s.oom) {
        if (len == 0)
            continue;
        json_error_t err;
        json_t *doc = json_loadb(line, len, 0, &err);
        if (doc == NULL || !json_is_object(doc)) {
            cli_error("%s:%lu: not a JSON object: %s", path, in.lineno,
                      doc == NULL ? err.text : "wrong type");
            json_decref(doc);
            s.errors++;
            continue;
        }
        static const char *const fields[] = {"title", "body"};
        for (size_t i = 0; i < 2; i++) {
            json_t *v = json_object_get(doc, fields[i]);
            if (json_is_string(v))
                count_text(a, &s, json_string_value(v), json_string_length(v));
        }
        s.articles++;
        json_decref(doc);
    }
    double secs = cli_now() - t0;
    cli_lines_close(&in);
    int status = 0;
    if (r < 0) {
        cli_error("%s: read error (truncated or corrupt file?)", path);
        status = 1;
    }
    if (s.oom) {
        cli_error("out of memory");
        status = 1;
    }
    if (s.errors > 0)
        status = 1;

    size_t n = s.stems.count, k = 0;
    kh_strmap_entry **list = kh_malloc((n + 1) * sizeof *list);
    if (list == NULL) {
        cli_error("out of memory");
        status = 1;
        n = 0;
    } else {
        for (size_t i = 0; i < s.stems.cap; i++)
            if (s.stems.slots[i].key != NULL)
                list[k++] = &s.stems.slots[i];
        qsort(list, k, sizeof *list, by_count_desc);
    }
    if ((long)k < top)
        top = (long)k;
    double mb = (double)s.bytes / 1e6;
    if (as_json) {
        json_t *tops = json_array();
        for (long i = 0; i < top; i++)
            json_array_append_new(tops, json_pack("{s:s,s:I}", "stem",
                                                  list[i]->key, "count",
                                                  (json_int_t)list[i]->value));
        json_t *doc = json_pack(
            "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:o}", "articles",
            (json_int_t)s.articles, "errors", (json_int_t)s.errors, "bytes",
            (json_int_t)s.bytes, "tokens", (json_int_t)s.tokens, "stop_words",
            (json_int_t)s.stops, "arabic", (json_int_t)s.arabic, "latin",
            (json_int_t)s.latin, "numbers", (json_int_t)s.numbers,
            "distinct_norms", (json_int_t)s.norms.count, "distinct_stems",
            (json_int_t)s.stems.count, "seconds", secs, "top_stems", tops);
        json_dumpf(doc, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(doc);
    } else {
        printf("analyzed %lu articles from %s: %.1f MB, %llu tokens "
               "(%llu Arabic, %llu Latin, %llu numbers; %.1f%% stop words)\n",
               s.articles, path, mb, s.tokens, s.arabic, s.latin, s.numbers,
               s.tokens ? 100.0 * (double)s.stops / (double)s.tokens : 0.0);
        printf("distinct normalized forms: %zu, distinct stems: %zu "
               "(stemmer: %s)\n",
               s.norms.count, s.stems.count, stemmer);
        printf("time: %.3f s (%.1f MB/s) for reading, JSON parsing, analysis "
               "and counting\n",
               secs, secs > 0 ? mb / secs : 0.0);
        if (top > 0)
            printf("most frequent stems (stop words excluded):\n");
        for (long i = 0; i < top; i++)
            printf("  %6llu  %s\n", (unsigned long long)list[i]->value,
                   list[i]->key);
        if (s.errors > 0)
            printf("%lu lines were not valid JSON objects\n", s.errors);
    }
    kh_free(list);
    kh__strmap_release(&s.norms);
    kh__strmap_release(&s.stems);
    return status;
}

int
kh_cmd_analyze(int argc, char **argv)
{
    kh_analyzer_options opts = {KH_STEMMER_LIGHT, 0};
    int as_json = 0;
    const char *jsonl = NULL;
    long top = 20;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--") == 0) {
            i++;
            break;
        } else if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(o, "--json") == 0) {
            as_json = 1;
        } else if (strcmp(o, "--drop-stopwords") == 0) {
            opts.drop_stopwords = 1;
        } else if (strcmp(o, "--stemmer") == 0 && i + 1 < argc) {
            if (kh_stemmer_parse(argv[++i], &opts.stemmer) != KH_OK) {
                cli_error("unknown stemmer '%s' (light, snowball or none)",
                          argv[i]);
                return 2;
            }
        } else if (strcmp(o, "--jsonl") == 0 && i + 1 < argc) {
            jsonl = argv[++i];
        } else if (strcmp(o, "--top") == 0 && i + 1 < argc) {
            char *end;
            top = strtol(argv[++i], &end, 10);
            if (*end != '\0' || top < 0) {
                cli_error("--top wants a number, not '%s'", argv[i]);
                return 2;
            }
        } else {
            cli_error("analyze: unknown or incomplete option '%s'", o);
            usage(stderr);
            return 2;
        }
    }
    kh_analyzer *a;
    kh_status rc = kh_analyzer_new(&opts, &a);
    if (rc != KH_OK) {
        cli_error("cannot create the analyzer: %s", kh_strerror(rc));
        return 1;
    }
    int status;
    if (jsonl != NULL) {
        status = i < argc ? (cli_error("analyze: --jsonl takes no TEXT"), 2)
                          : summarize(a, kh_stemmer_name(opts.stemmer), jsonl,
                                      as_json, top);
    } else if (i >= argc || (i == argc - 1 && strcmp(argv[i], "-") == 0)) {
        char *text;
        size_t len;
        rc = cli_read_all(stdin, &text, &len);
        if (rc != KH_OK) {
            cli_error("cannot read standard input: %s", kh_strerror(rc));
            status = 1;
        } else {
            status = print_tokens(a, text, len, as_json);
            kh_free(text);
        }
    } else {
        kh_buf b;
        kh__buf_init(&b);
        for (int j = i; j < argc && rc == KH_OK; j++) {
            if (j > i)
                kh__buf_putc(&b, ' ', &rc);
            kh__buf_puts(&b, argv[j], &rc);
        }
        status = rc != KH_OK ? (cli_error("out of memory"), 1)
                             : print_tokens(a, b.data, b.len, as_json);
        kh__buf_release(&b);
    }
    kh_analyzer_free(a);
    return status;
}
