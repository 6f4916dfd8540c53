/*
 * cmd_extract.c -- `khabar extract`: the article of one HTML page, without
 * indexing it.
 *
 *   khabar extract FILE|- [--json] [--url URL] [--charset NAME]
 *
 * The page may be gzip-compressed (told by content).  The text form
 * prints one field a line (title, date in ISO 8601, author, url, source,
 * language), a blank line and the body; --json prints one object with
 * the same fields, null for the absent ones.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>

/* Reading stops one byte past what the extractor accepts. */
#define KH_EXTRACT_READ_MAX (50u * 1024 * 1024 + 1)

static void
usage(FILE *f)
{
    fputs("usage: khabar extract FILE|- [--json] [--url URL] "
          "[--charset NAME]\n"
          "\n"
          "Prints the article of an HTML page (gzip or plain): title, date,\n"
          "author, url, source, language and the body.  --url is where the\n"
          "page was fetched (for relative links and the site name),\n"
          "--charset its declared encoding.\n",
          f);
}

/* Reads path ("-" for standard input), gunzipping when it is gzip. */
static int
read_page(const char *path, char **out, size_t *len)
{
    int from_stdin = strcmp(path, "-") == 0;
    const char *name = from_stdin ? "standard input" : path;
    gzFile gz = from_stdin ? gzdopen(0, "rb") : gzopen(path, "rb");
    if (gz == NULL) {
        cli_error("cannot open %s: %s", name,
                  errno ? strerror(errno) : "out of memory");
        return -1;
    }
    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = KH_OK;
    for (;;) {
        kh__buf_reserve(&b, 1 << 16, &rc);
        if (rc != KH_OK)
            break;
        int got = gzread(gz, b.data + b.len, 1 << 16);
        if (got < 0) {
            int zerr;
            cli_error("cannot read %s: %s", name, gzerror(gz, &zerr));
            kh__buf_release(&b);
            gzclose(gz);
            return -1;
        }
        if (got == 0)
            break;
        b.len += (size_t)got;
        b.data[b.len] = '\0';
        if (b.len >= KH_EXTRACT_READ_MAX)
            break;
    }
    int zerr = Z_OK;
    if (rc == KH_OK && b.len < KH_EXTRACT_READ_MAX)
        gzerror(gz, &zerr);
    gzclose(gz);
    if (rc != KH_OK) {
        cli_error("%s: %s", name, kh_strerror(rc));
        kh__buf_release(&b);
        return -1;
    }
    if (zerr != Z_OK && zerr != Z_STREAM_END) {
        cli_error("%s: truncated or corrupt gzip data", name);
        kh__buf_release(&b);
        return -1;
    }
    if (b.len >= KH_EXTRACT_READ_MAX) {
        cli_error("%s: page too large (over 50 MB)", name);
        kh__buf_release(&b);
        return -1;
    }
    *out = kh__buf_detach(&b, len, &rc);
    return rc == KH_OK ? 0 : -1;
}

static void
json_field(kh_buf *b, const char *name, const char *v, int last, kh_status *rc)
{
    kh__buf_printf(b, rc, "\"%s\":", name);
    if (v == NULL) {
        kh__buf_puts(b, "null", rc);
    } else {
        kh__buf_putc(b, '"', rc);
        kh__buf_json_escape(b, v, strlen(v), rc);
        kh__buf_putc(b, '"', rc);
    }
    if (!last)
        kh__buf_putc(b, ',', rc);
}

static int
print_page(const kh_page *p, int as_json)
{
    char date[32] = "";
    if (p->date != KH_DATE_NONE)
        kh_date_format(p->date, date);
    if (!as_json) {
        printf("title:    %s\n", p->title ? p->title : "");
        printf("date:     %s\n", date);
        printf("author:   %s\n", p->author ? p->author : "");
        printf("url:      %s\n", p->url ? p->url : "");
        printf("source:   %s\n", p->source ? p->source : "");
        printf("language: %s\n\n", p->lang ? p->lang : "");
        printf("%s\n", p->body ? p->body : "");
        return 0;
    }
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    kh__buf_putc(&b, '{', &rc);
    json_field(&b, "title", p->title, 0, &rc);
    json_field(&b, "date", date[0] ? date : NULL, 0, &rc);
    json_field(&b, "author", p->author, 0, &rc);
    json_field(&b, "url", p->url, 0, &rc);
    json_field(&b, "source", p->source, 0, &rc);
    json_field(&b, "lang", p->lang, 0, &rc);
    json_field(&b, "body", p->body, 1, &rc);
    kh__buf_puts(&b, "}\n", &rc);
    if (rc != KH_OK) {
        cli_error("%s", kh_strerror(rc));
        kh__buf_release(&b);
        return 1;
    }
    fwrite(b.data, 1, b.len, stdout);
    kh__buf_release(&b);
    return 0;
}

int
kh_cmd_extract(int argc, char **argv)
{
    const char *path = NULL, *url = NULL, *charset = NULL;
    int as_json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            as_json = 1;
        } else if (strcmp(a, "--url") == 0 || strcmp(a, "--charset") == 0) {
            if (i + 1 >= argc) {
                cli_error("%s needs a value", a);
                return 2;
            }
            if (a[2] == 'u')
                url = argv[++i];
            else
                charset = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            cli_error("unknown option '%s' (see khabar extract --help)", a);
            return 2;
        } else if (path == NULL) {
            path = a;
        } else {
            cli_error("one page at a time (extra argument '%s')", a);
            return 2;
        }
    }
    if (path == NULL) {
        usage(stderr);
        return 2;
    }
    char *html = NULL;
    size_t len = 0;
    if (read_page(path, &html, &len) != 0)
        return 1;
    kh_extract_options o = {url, charset, NULL};
    kh_page *p = NULL;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_extract_html(html, len, &o, &p, &err);
    kh_free(html);
    if (rc != KH_OK) {
        cli_error("%s: %s", strcmp(path, "-") == 0 ? "standard input" : path,
                  err.message[0] ? err.message : kh_strerror(rc));
        return 1;
    }
    int status = print_page(p, as_json);
    kh_page_free(p);
    if (fflush(stdout) != 0) {
        cli_error("cannot write the output");
        status = 1;
    }
    return status;
}
