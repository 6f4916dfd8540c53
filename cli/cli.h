/*
 * cli.h -- shared declarations of the khabar command-line front end.
 *
 * The CLI is a thin layer over the library: it parses arguments, reads
 * input, calls the public API and prints.  Each subcommand lives in its
 * own cmd_*.c file and returns the process exit status (0 success, 1 bad
 * input or a failure, 2 a usage error).
 */
#ifndef KH_CLI_H
#define KH_CLI_H

#include "kh_int.h"

#include <stdio.h>
#include <zlib.h>

int kh_cmd_analyze(int argc, char **argv);

/* Prints "khabar: " and the message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads all of a stream into *out (kh_free it); returns KH_OK, KH_EIO or
 * KH_ENOMEM. */
kh_status cli_read_all(FILE *f, char **out, size_t *len);

/* A line reader over a file that may be gzip-compressed (zlib reads plain
 * files through the same calls). */
typedef struct cli_lines {
    gzFile gz;
    kh_buf buf;   /* bytes read but not yet returned */
    size_t start; /* first unreturned byte in buf */
    int eof;
    unsigned long lineno;
} cli_lines;

kh_status cli_lines_open(cli_lines *r, const char *path);
/* Sets *line and *len to the next line without its newline (valid until the
 * next call); returns 1, 0 at the end, or -1 on a read error. */
int cli_lines_next(cli_lines *r, const char **line, size_t *len);
void cli_lines_close(cli_lines *r);

double cli_now(void); /* monotonic seconds */

#endif /* KH_CLI_H */
