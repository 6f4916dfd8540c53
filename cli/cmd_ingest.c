/*
 * cmd_ingest.c -- `khabar ingest`: add articles to the index.
 *
 *   khabar ingest [--index DIR] [--stemmer NAME] [--batch N] [--optimize]
 *                 [--ack] [--buffer-mb N] FILE...|-
 *
 * The format is told by content, not by the file name: a file whose first
 * non-blank byte is '{' is JSONL (one article per line: id, url, source,
 * date, title, body, author; gzip is read transparently); anything else is
 * one plain-text article (first line the title, the rest the body, the
 * file name its id).  Articles are committed every --batch articles and at
 * the end; with --ack a line "ack N" goes to stdout after each commit,
 * meaning the first N articles read are durable.  A bad line is reported
 * with its file and line number and skipped; the exit status is then 1.
 */
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct run {
    kh_index *ix;
    unsigned long batch, pending, done, added, replaced, errors, acked;
    int ack, progress;
    double t0;
} run;

static void
usage(FILE *f)
{
    fputs("usage: khabar ingest [--index DIR] [--stemmer light|snowball|none]\n"
          "                     [--batch N] [--buffer-mb N] [--optimize] "
          "[--ack]\n"
          "                     FILE...|-\n"
          "JSONL (one article a line: id, url, source, date, title, body,\n"
          "author) or plain text (first line title, rest body), told by\n"
          "content; gzip is read transparently.\n",
          f);
}

static void
progress(run *r, int final)
{
    if (!r->progress)
        return;
    double secs = cli_now() - r->t0;
    fprintf(stderr, "\r%10lu articles  %8.0f/s  %6.1f s%s", r->done,
            secs > 0 ? (double)r->done / secs : 0.0, secs, final ? "\n" : "");
    fflush(stderr);
}

static int
commit(run *r)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    if (kh_index_commit(r->ix, &err) != KH_OK) {
        cli_error("commit failed: %s", err.message);
        return -1;
    }
    r->pending = 0;
    r->acked = r->done;
    if (r->ack) {
        printf("ack %lu\n", r->acked);
        fflush(stdout);
    }
    progress(r, 0);
    return 0;
}

static int
add(run *r, const kh_article *a, const char *where)
{
    kh_error err;
    memset(&err, 0, sizeof err);
    int replaced;
    kh_status rc = kh_index_add(r->ix, a, &replaced, &err);
    if (rc != KH_OK) {
        cli_error("%s: %s", where,
                  err.message[0] ? err.message : kh_strerror(rc));
        r->errors++;
        return rc == KH_ENOMEM || rc == KH_EIO ? -1 : 0;
    }
    r->done++;
    r->replaced += replaced != 0;
    r->added += replaced == 0;
    if (++r->pending >= r->batch)
        return commit(r);
    return 0;
}

static const char *
jstring(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
ingest_jsonl(run *r, const char *path)
{
    cli_lines in;
    if (cli_lines_open(&in, path) != KH_OK) {
        cli_error("cannot open %s", path);
        r->errors++;
        return 0;
    }
    const char *line;
    size_t len;
    int st, fatal = 0;
    char where[512];
    while (!fatal && (st = cli_lines_next(&in, &line, &len)) == 1) {
        size_t i = 0;
        while (i < len &&
               (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            i++;
        if (i == len)
            continue;
        snprintf(where, sizeof where, "%s:%lu", path, in.lineno);
        json_error_t jerr;
        json_t *o = json_loadb(line, len, 0, &jerr);
        if (o == NULL || !json_is_object(o)) {
            cli_error("%s: not a JSON object: %s", where,
                      o == NULL ? jerr.text : "wrong type");
            json_decref(o);
            r->errors++;
            continue;
        }
        kh_article a = {jstring(o, "id"),     jstring(o, "url"),
                        jstring(o, "source"), jstring(o, "title"),
                        jstring(o, "body"),   jstring(o, "author"),
                        KH_DATE_NONE};
        json_t *idv = json_object_get(o, "id");
        char idbuf[32];
        if (json_is_integer(idv)) {
            snprintf(idbuf, sizeof idbuf, "%lld",
                     (long long)json_integer_value(idv));
            a.id = idbuf;
        }
        const char *date = jstring(o, "date");
        if (date == NULL)
            date = jstring(o, "published");
        if (date == NULL)
            date = jstring(o, "date_extracted");
        if (date != NULL && *date &&
            kh_date_parse(date, strlen(date), &a.date) != KH_OK) {
            cli_error("%s: date '%s' is not ISO 8601; article skipped", where,
                      date);
            r->errors++;
            json_decref(o);
            continue;
        }
        if ((a.title == NULL || !*a.title) && (a.body == NULL || !*a.body)) {
            cli_error("%s: no title and no body; skipped", where);
            r->errors++;
            json_decref(o);
            continue;
        }
        fatal = add(r, &a, where) != 0;
        json_decref(o);
    }
    if (!fatal && st < 0) {
        cli_error("%s: read error after line %lu (truncated or corrupt?)", path,
                  in.lineno);
        r->errors++;
    }
    cli_lines_close(&in);
    return fatal ? -1 : 0;
}

static int
ingest_text(run *r, const char *path, char *text, size_t len)
{
    if (memchr(text, '\0', len) != NULL) {
        cli_error("%s: binary data, not an article; skipped", path);
        r->errors++;
        return 0;
    }
    char *nl = memchr(text, '\n', len);
    if (nl != NULL)
        *nl = '\0';
    const char *base = strrchr(path, '/');
    kh_article a = {strcmp(path, "-") == 0 ? NULL : (base ? base + 1 : path),
                    NULL,
                    NULL,
                    text,
                    nl != NULL ? nl + 1 : "",
                    NULL,
                    KH_DATE_NONE};
    return add(r, &a, path);
}

static int
ingest_file(run *r, const char *path)
{
    /* Peek at the content to tell JSONL from text. */
    gzFile gz = strcmp(path, "-") == 0 ? NULL : gzopen(path, "rb");
    if (strcmp(path, "-") != 0 && gz == NULL) {
        cli_error("cannot open %s", path);
        r->errors++;
        return 0;
    }
    if (gz != NULL) {
        char head[512];
        int n = gzread(gz, head, sizeof head);
        gzclose(gz);
        int i = 0;
        while (i < n && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' ||
                         head[i] == '\t'))
            i++;
        if (i < n && head[i] == '{')
            return ingest_jsonl(r, path);
        if (n < 0) {
            cli_error("cannot read %s", path);
            r->errors++;
            return 0;
        }
        FILE *f = fopen(path, "rb");
        char *text;
        size_t len;
        if (f == NULL || cli_read_all(f, &text, &len) != KH_OK) {
            if (f)
                fclose(f);
            cli_error("cannot read %s", path);
            r->errors++;
            return 0;
        }
        fclose(f);
        int st = ingest_text(r, path, text, len);
        kh_free(text);
        return st;
    }
    /* Standard input: read it all, then decide. */
    char *text;
    size_t len;
    if (cli_read_all(stdin, &text, &len) != KH_OK) {
        cli_error("cannot read standard input");
        r->errors++;
        return 0;
    }
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r'))
        i++;
    int st;
    if (i < len && text[i] == '{') {
        char tmpl[] = "/tmp/khabar-stdin-XXXXXX";
        int fd = mkstemp(tmpl);
        FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
        if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
            cli_error("cannot buffer standard input");
            r->errors++;
            st = 0;
        } else {
            st = ingest_jsonl(r, tmpl);
        }
        unlink(tmpl);
    } else {
        st = ingest_text(r, "-", text, len);
    }
    kh_free(text);
    return st;
}

int
kh_cmd_ingest(int argc, char **argv)
{
    const char *dir = NULL;
    kh_stemmer_kind stemmer = KH_STEMMER_LIGHT;
    run r;
    memset(&r, 0, sizeof r);
    r.batch = 5000;
    int optimize = 0;
    size_t buffer_mb = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(o, "--index") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(o, "--stemmer") == 0 && i + 1 < argc) {
            if (kh_stemmer_parse(argv[++i], &stemmer) != KH_OK) {
                cli_error("unknown stemmer '%s'", argv[i]);
                return 2;
            }
        } else if (strcmp(o, "--batch") == 0 && i + 1 < argc) {
            r.batch = strtoul(argv[++i], NULL, 10);
            if (r.batch == 0) {
                cli_error("--batch wants a positive number");
                return 2;
            }
        } else if (strcmp(o, "--buffer-mb") == 0 && i + 1 < argc) {
            buffer_mb = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(o, "--optimize") == 0) {
            optimize = 1;
        } else if (strcmp(o, "--ack") == 0) {
            r.ack = 1;
        } else {
            cli_error("ingest: unknown or incomplete option '%s'", o);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    dir = cli_index_dir(dir);
    kh_index_options opts = {
        .create = 1, .buffer_mb = buffer_mb, .stemmer = stemmer};
    kh_error err;
    memset(&err, 0, sizeof err);
    if (kh_index_open(dir, &opts, &r.ix, &err) != KH_OK) {
        cli_error("%s", err.message);
        return 1;
    }
    r.progress = isatty(2) && !r.ack;
    r.t0 = cli_now();
    int fatal = 0;
    for (; i < argc && !fatal; i++)
        fatal = ingest_file(&r, argv[i]) != 0;
    if (!fatal && (r.pending > 0 || optimize)) {
        if (optimize) {
            if (kh_index_optimize(r.ix, &err) != KH_OK) {
                cli_error("commit failed: %s", err.message);
                fatal = 1;
            } else if (r.ack) {
                printf("ack %lu\n", r.done);
            }
        } else {
            fatal = commit(&r) != 0;
        }
    }
    progress(&r, 1);
    double secs = cli_now() - r.t0;
    kh_index_close(r.ix);
    if (!r.ack)
        printf("ingested %lu articles (%lu new, %lu replaced, %lu errors) "
               "into %s in %.2f s (%.0f articles/s)\n",
               r.done, r.added, r.replaced, r.errors, dir, secs,
               secs > 0 ? (double)r.done / secs : 0.0);
    return fatal || r.errors > 0 ? 1 : 0;
}
