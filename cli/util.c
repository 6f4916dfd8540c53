/*
 * util.c -- small helpers for the CLI: errors, whole-file and line input.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

void
cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("khabar: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

kh_status
cli_read_all(FILE *f, char **out, size_t *len)
{
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && rc == KH_OK)
        kh__buf_append(&b, chunk, n, &rc);
    if (rc == KH_OK && ferror(f))
        rc = KH_EIO;
    if (rc != KH_OK) {
        kh__buf_release(&b);
        return rc;
    }
    *out = kh__buf_detach(&b, len, &rc);
    return rc;
}

kh_status
cli_lines_open(cli_lines *r, const char *path)
{
    memset(r, 0, sizeof *r);
    kh__buf_init(&r->buf);
    r->gz = strcmp(path, "-") == 0 ? gzdopen(0, "rb") : gzopen(path, "rb");
    if (r->gz == NULL)
        return errno == ENOMEM ? KH_ENOMEM : KH_EIO;
    gzbuffer(r->gz, 1 << 17);
    return KH_OK;
}

int
cli_lines_next(cli_lines *r, const char **line, size_t *len)
{
    for (;;) {
        char *base = r->buf.data != NULL ? r->buf.data + r->start : NULL;
        size_t avail = r->buf.len - r->start;
        char *nl = avail > 0 ? memchr(base, '\n', avail) : NULL;
        if (r->skipping && (nl != NULL || r->eof)) {
            size_t n = nl != NULL ? (size_t)(nl - base) : avail;
            r->start += n + (nl != NULL);
            r->lineno++;
            r->skipping = 0;
            *line = NULL;
            *len = r->skipped + n;
            return 2;
        }
        if (r->skipping) { /* still inside the long line: drop what came */
            r->skipped += avail;
            r->start += avail;
        } else if (nl != NULL || (r->eof && avail > 0)) {
            size_t n = nl != NULL ? (size_t)(nl - base) : avail;
            r->start += n + (nl != NULL);
            r->lineno++;
            if (r->max_line > 0 && n > r->max_line) {
                *line = NULL;
                *len = n;
                return 2;
            }
            *line = base;
            *len = n;
            base[n] = '\0';
            return 1;
        } else if (r->max_line > 0 && avail > r->max_line) {
            /* no newline within the limit: the memory stays bounded */
            r->skipping = 1;
            r->skipped = avail;
            r->start += avail;
        }
        if (r->eof)
            return 0;
        /* Compact, then read more. */
        if (r->start > 0) {
            size_t left = r->buf.len - r->start;
            memmove(r->buf.data, r->buf.data + r->start, left);
            r->buf.len = left;
            r->start = 0;
        }
        kh_status rc = KH_OK;
        kh__buf_reserve(&r->buf, 1 << 16, &rc);
        if (rc != KH_OK)
            return -1;
        int got = gzread(r->gz, r->buf.data + r->buf.len, 1 << 16);
        if (got < 0)
            return -1;
        if (got == 0) {
            int err;
            gzerror(r->gz, &err);
            if (err != Z_OK) /* Z_BUF_ERROR: the gzip stream was cut short */
                return -1;
            r->eof = 1;
        }
        r->buf.len += (size_t)got;
        r->buf.data[r->buf.len] = '\0';
    }
}

void
cli_lines_close(cli_lines *r)
{
    if (r->gz != NULL)
        gzclose(r->gz);
    kh__buf_release(&r->buf);
    r->gz = NULL;
}

double
cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *
cli_index_dir(const char *option)
{
    if (option != NULL)
        return option;
    const char *env = getenv("KHABAR_INDEX");
    return env != NULL && *env ? env : "khabar-data";
}

kh_index *
cli_open_index(const char *dir, int write, int create, kh_stemmer_kind stemmer)
{
    kh_index_options o = {
        .create = create, .read_only = !write, .stemmer = stemmer};
    kh_index *ix;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_index_open(dir, &o, &ix, &err);
    if (rc != KH_OK) {
        cli_error("%s", err.message[0] ? err.message : kh_strerror(rc));
        return NULL;
    }
    return ix;
}

static int
is_ascii_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
cli_parse_opts(int argc, char **argv, cli_opts *o, const char *usage_text)
{
    memset(o, 0, sizeof *o);
    o->limit = 10;
    int i = 1;
    /* Options are ASCII: "-" then a letter, or "--".  An operand that
     * starts with "-" and then anything else (a query "-اليمن الرياض",
     * "-«كأس العالم»", "-(a OR b)") cannot be one, so it ends the
     * options instead of being refused. */
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0' &&
           (argv[i][1] == '-' || is_ascii_letter(argv[i][1]));
         i++) {
        const char *a = argv[i];
        char *end;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(a, "--index") == 0 && i + 1 < argc) {
            o->dir = argv[++i];
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--entity") == 0 && i + 1 < argc) {
            o->entity = argv[++i];
        } else if (strcmp(a, "--find") == 0 && i + 1 < argc) {
            o->find = argv[++i];
        } else if (strcmp(a, "--all") == 0) {
            o->all = 1;
        } else if (strcmp(a, "--no-collapse") == 0) {
            o->no_collapse = 1;
        } else if (strcmp(a, "--explain") == 0) {
            o->explain = 1;
        } else if ((strcmp(a, "-n") == 0 || strcmp(a, "--offset") == 0) &&
                   i + 1 < argc) {
            errno = 0;
            long v = strtol(argv[++i], &end, 10);
            if (*end != '\0' || end == argv[i] || errno != 0 || v < 0 ||
                v > CLI_MAX_COUNT || (a[1] == 'n' && v == 0)) {
                cli_error("%s wants a number from %d to %ld, not '%s'", a,
                          a[1] == 'n', (long)CLI_MAX_COUNT, argv[i]);
                return 2;
            }
            if (a[1] == 'n')
                o->limit = (size_t)v;
            else
                o->offset = (size_t)v;
        } else {
            cli_error("unknown or incomplete option '%s'; an operand that "
                      "starts with '-' goes after '--'",
                      a);
            fputs(usage_text, stderr);
            return 2;
        }
    }
    o->dir = cli_index_dir(o->dir);
    o->first = i;
    return -1;
}

kh_index *
cli_open_for_id(int argc, char **argv, const char *usage_text, cli_opts *o,
                int *status)
{
    *status = cli_parse_opts(argc, argv, o, usage_text);
    if (*status >= 0)
        return NULL;
    if (o->first != argc - 1) {
        fputs(usage_text, stderr);
        *status = 2;
        return NULL;
    }
    kh_index *ix = cli_open_index(o->dir, 0, 0, 0);
    *status = ix != NULL ? -1 : 1;
    return ix;
}

void
cli_print_buf(kh_buf *b, kh_status rc)
{
    if (rc == KH_OK)
        fwrite(b->data, 1, b->len, stdout);
    kh__buf_release(b);
}
