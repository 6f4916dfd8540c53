/*
 * util.c -- small helpers for the CLI: errors, whole-file and line input.
 */
#include "cli.h"

#include <errno.h>
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
        if (nl != NULL || (r->eof && avail > 0)) {
            size_t n = nl != NULL ? (size_t)(nl - base) : avail;
            *line = base;
            *len = n;
            base[n] = '\0';
            r->start += n + (nl != NULL);
            r->lineno++;
            return 1;
        }
        if (r->eof)
            return 0;
        /* Compact, then read more. */
        if (r->start > 0) {
            memmove(r->buf.data, r->buf.data + r->start, avail);
            r->buf.len = avail;
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
