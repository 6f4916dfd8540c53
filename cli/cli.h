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
#include "index/json.h"

#include <stdio.h>
#include <zlib.h>

/* Shared option loop: --index DIR, --json, -n N, --offset K, --all,
 * --no-collapse. */
/* The largest -n or --offset taken (the library bounds them by the
 * index's size anyway). */
#define CLI_MAX_COUNT 1000000000L

typedef struct cli_opts {
    const char *dir;
    int json, all, no_collapse;
    int explain;        /* --explain: print the query as parsed */
    const char *entity; /* --entity NAME */
    const char *find;   /* --find NAME */
    size_t limit, offset;
    int first; /* first operand */
} cli_opts;

/* Parses the shared options into *o: returns -1 to go on (o->first is the
 * first operand), else the exit status (0 after --help, 2 on misuse). */
int cli_parse_opts(int argc, char **argv, cli_opts *o, const char *usage_text);

/* For commands of one article ID (show, story, related): the shared
 * options, exactly one operand (argv[o->first]), the index opened for
 * reading.  NULL with *status the exit status when the command is done. */
kh_index *cli_open_for_id(int argc, char **argv, const char *usage_text,
                          cli_opts *o, int *status);

int kh_cmd_analyze(int argc, char **argv);
int kh_cmd_ingest(int argc, char **argv);
int kh_cmd_search(int argc, char **argv);
int kh_cmd_show(int argc, char **argv);
int kh_cmd_delete(int argc, char **argv);
int kh_cmd_stats(int argc, char **argv);
int kh_cmd_follow(int argc, char **argv);
int kh_cmd_extract(int argc, char **argv);
int kh_cmd_story(int argc, char **argv);
int kh_cmd_related(int argc, char **argv);
int kh_cmd_serve(int argc, char **argv); /* server/http.c */
int kh_cmd_subscribe(int argc, char **argv);
int kh_cmd_subscriptions(int argc, char **argv);
int kh_cmd_digest(int argc, char **argv);
int kh_cmd_entities(int argc, char **argv);
int kh_cmd_timeline(int argc, char **argv);

/* The index directory: the --index option, else $KHABAR_INDEX, else
 * ./khabar-data. */
const char *cli_index_dir(const char *option);

/* Opens the index, printing the reason on failure; NULL then. */
kh_index *cli_open_index(const char *dir, int write, int create,
                         kh_stemmer_kind stemmer);

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
    size_t max_line; /* longer lines are skipped (0: no limit) */
    size_t skipped;  /* bytes of the line being skipped so far */
    int skipping;
} cli_lines;

kh_status cli_lines_open(cli_lines *r, const char *path);
/* Sets *line and *len to the next line without its newline (valid until the
 * next call); returns 1, 0 at the end, or -1 on a read error.  A line
 * longer than max_line is read past without being kept: 2, with *line
 * NULL and *len its length. */
int cli_lines_next(cli_lines *r, const char **line, size_t *len);
void cli_lines_close(cli_lines *r);

double cli_now(void); /* monotonic seconds */

/* Writes b to stdout when rc is KH_OK (the sticky status of the appends
 * that filled it), then releases b. */
void cli_print_buf(kh_buf *b, kh_status rc);

#endif /* KH_CLI_H */
