/*
 * cmd_ingest.c -- `khabar ingest`: add articles to the index.
 *
 *   khabar ingest [--index DIR] [--stemmer NAME] [--exact-forms]
 *                 [--batch N] [--optimize]
 *                 [--ack] [--buffer-mb N] [--max-bytes N]
 *                 [--fetch [--delay S] [--timeout S]] FILE|DIR|-...
 *
 * The format of every input is told by content, not by the file name:
 * gzip is undone first, then kh_detect_format() reads the head.
 *  - JSONL: one article per line (id, url, source, date, title, body,
 *    author), read as a stream.
 *  - HTML: one page, through the article extractor; the id is the page's
 *    canonical URL, else the file path.
 *  - RSS / Atom: every item an article (article.c); with --fetch,
 *    items that carry only a short summary get their linked page fetched
 *    (robots.txt and a per-host delay respected).  Without it, no network.
 *  - WARC: response and resource records with a 2xx status and an HTML
 *    content type, through the extractor with the record's URI.
 *  - Plain text: one article (its charset detected as a page's; the
 *    first line that is not blank the title, the rest the body, the file
 *    name its id).
 * A directory is read recursively in sorted order, hidden files skipped;
 * "-" is standard input.  One site model serves the whole run, so that
 * furniture recurring across the pages of a site is learned.
 *
 * Articles are committed every --batch articles and at the end; with
 * --ack a line "ack N" goes to stdout after each commit, meaning the first
 * N articles read are durable.  A bad item (a JSONL line, a feed item, a
 * WARC record, a whole file) is reported with its file and position and
 * skipped; the run goes on and the exit status is then 1.
 */
#include "article.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD_BYTES     4096
#define MAX_DIR_DEPTH  64
#define MAX_WARC_FAILS 100 /* consecutive bad records before giving up */

typedef struct run {
    kh_index *ix;
    unsigned long batch, pending, done, added, replaced, errors, acked;
    unsigned long skipped; /* pages and records without article text */
    unsigned long kept;    /* feed summaries not stored over a full text */
    unsigned long by_format[KH_FMT_TEXT + 1]; /* articles per format */
    int ack, progress;
    size_t max_bytes; /* one document (page, feed, text, WARC record) */
    kh_sitemodel *sites;
    kh_fetcher *fetcher; /* with --fetch, else NULL */
    double t0;
} run;

static void
usage(FILE *f)
{
    fputs("usage: khabar ingest [--index DIR] [--stemmer light|snowball|none]\n"
          "                     [--exact-forms] [--batch N] [--buffer-mb N]\n"
          "                     [--optimize] [--ack] [--no-stories]\n"
          "                     [--no-entities] [--force]\n"
          "                     [--max-bytes N] [--fetch [--delay S] "
          "[--timeout S]]\n"
          "                     FILE|DIR|-...\n"
          "Each input's format is told by content (gzip read transparently):\n"
          "JSONL (one article a line: id, url, source, date, title, body,\n"
          "author), HTML pages, RSS and Atom feeds, WARC archives, or plain\n"
          "text (first line title, rest body).  Directories are read\n"
          "recursively.  --fetch fetches the pages of feed items that carry\n"
          "only a summary (robots.txt respected, --delay S between requests\n"
          "to a host, default 1).  --max-bytes N bounds one document, read or\n"
          "fetched (default 16 MiB).  --stemmer and --exact-forms (index\n"
          "every word's normalized form too, for a bonus to exact forms)\n"
          "apply when the index is created.  --no-stories skips the check\n"
          "of each article for wire copies already indexed; --no-entities\n"
          "does not tag the people, places and organizations it names.  An\n"
          "article ingested again unchanged is left as it is (counted as\n"
          "replaced); --force replaces it anyway, to tag it again after an\n"
          "upgrade.\n",
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

/* Adds one article; -1 only when the index itself failed (the run must
 * stop), 0 otherwise (a refused article is counted as an error). */
static int
add(run *r, const kh_article *a, const char *where, kh_format fmt)
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
    r->by_format[fmt]++;
    r->replaced += replaced != 0;
    r->added += replaced == 0;
    if (++r->pending >= r->batch)
        return commit(r);
    return 0;
}

static void item_error(run *r, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
item_error(run *r, const char *where, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_error("%s: %s", where, msg);
    r->errors++;
}

/* ---- JSONL ------------------------------------------------------------ */

/* Adds the article of JSON value o (a line, or an item of a document);
 * where names it in messages.  A bad article is an error for it alone. */
static int
add_json(run *r, json_t *o, const char *where)
{
    kh_article a;
    char idbuf[32], why[200];
    if (!json_is_object(o)) {
        item_error(r, where, "not a JSON object; skipped");
        return 0;
    }
    if (cli_article_from_json(o, &a, idbuf, why, sizeof why) != 0) {
        item_error(r, where, "%s; skipped", why);
        return 0;
    }
    return add(r, &a, where, KH_FMT_JSONL);
}

/* json_loadb(), and when the text holds bytes that are not UTF-8 (a
 * crawler's stray byte), the text again with each bad sequence replaced
 * by U+FFFD, with a warning: the article is kept, as HTML and text are,
 * rather than skipped whole. */
static json_t *
load_json(const char *text, size_t len, const char *where, json_error_t *jerr)
{
    json_t *o = json_loadb(text, len, 0, jerr);
    if (o != NULL || strstr(jerr->text, "unable to decode byte") == NULL)
        return o;
    char *fixed = NULL;
    size_t fl = 0;
    kh_error err;
    if (kh_to_utf8(text, len, "utf-8", &fixed, &fl, NULL, &err) != KH_OK)
        return NULL;
    json_error_t j2;
    o = json_loadb(fixed, fl, 0, &j2);
    kh_free(fixed);
    if (o != NULL)
        cli_error("%s: bytes that are not UTF-8 replaced by U+FFFD", where);
    return o;
}

static int
jsonl_line(run *r, const char *path, unsigned long lineno, const char *line,
           size_t len)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
        i++;
    if (i == len)
        return 0;
    char where[512];
    snprintf(where, sizeof where, "%s:%lu", path, lineno);
    json_error_t jerr;
    json_t *o = load_json(line, len, where, &jerr);
    if (o == NULL) {
        item_error(r, where, "not a JSON object: %s", jerr.text);
        return 0;
    }
    int st = add_json(r, o, where);
    json_decref(o);
    return st;
}

/* The articles of a JSON document: an array of article objects, or one
 * object written over several lines.  in->buf holds the whole text. */
static int
json_document(run *r, const char *path, const cli_lines *in)
{
    json_error_t jerr;
    json_t *doc = load_json(in->buf.data + in->start, in->buf.len - in->start,
                            path, &jerr);
    if (doc == NULL) {
        item_error(r, path,
                   "neither JSON lines nor a JSON document: %s (line %d); "
                   "skipped",
                   jerr.text, jerr.line);
        return 0;
    }
    int st = 0;
    size_t n = json_is_array(doc) ? json_array_size(doc) : 1;
    for (size_t i = 0; i < n && st == 0; i++) {
        json_t *o = json_is_array(doc) ? json_array_get(doc, i) : doc;
        char where[512];
        snprintf(where, sizeof where, "%s: item %zu", path, i + 1);
        st = add_json(r, o, where);
    }
    json_decref(doc);
    return st;
}

/* Whether the text that starts with head[0..n) is a JSON document rather
 * than JSON lines: it opens an array, or its first line does not close
 * the object it opens (a pretty-printed article). */
static bool
is_json_document(const char *head, size_t n)
{
    size_t i = 0;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' ||
                     head[i] == '\n'))
        i++;
    if (i < n && head[i] == '[')
        return true;
    const char *nl = memchr(head + i, '\n', n - i);
    if (nl == NULL)
        return false; /* a long first line: JSON lines */
    size_t e = (size_t)(nl - head);
    while (e > i &&
           (head[e - 1] == ' ' || head[e - 1] == '\t' || head[e - 1] == '\r'))
        e--;
    return e > i && head[e - 1] != '}';
}

/* Reads JSONL lines from gz, the first head_len bytes of which were
 * already read into head. */
static int
ingest_jsonl(run *r, const char *path, gzFile gz, const char *head,
             size_t head_len)
{
    cli_lines in;
    memset(&in, 0, sizeof in);
    kh__buf_init(&in.buf);
    kh_status rc = KH_OK;
    kh__buf_append(&in.buf, head, head_len, &rc);
    in.gz = gz;
    gzbuffer(gz, 1 << 17);
    if (rc != KH_OK) {
        cli_lines_close(&in);
        cli_error("out of memory");
        return -1;
    }
    if (is_json_document(head, head_len)) {
        /* read whole, up to 64 times the size limit of one document */
        size_t cap =
            r->max_bytes > SIZE_MAX / 64 ? SIZE_MAX : r->max_bytes * 64;
        int got;
        char chunk[1 << 16];
        while (rc == KH_OK && in.buf.len <= cap &&
               (got = gzread(gz, chunk, sizeof chunk)) > 0)
            kh__buf_append(&in.buf, chunk, (size_t)got, &rc);
        int st = 0;
        if (rc != KH_OK) {
            cli_error("out of memory");
            st = -1;
        } else if (in.buf.len > cap) {
            item_error(r, path,
                       "a JSON document larger than %zu bytes; skipped (JSON "
                       "lines have no such limit)",
                       cap);
        } else {
            st = json_document(r, path, &in);
        }
        cli_lines_close(&in);
        return st;
    }
    const char *line;
    size_t len;
    int st, fatal = 0;
    in.max_line = r->max_bytes;
    while (!fatal && (st = cli_lines_next(&in, &line, &len)) >= 1) {
        if (st == 2) {
            char where[512];
            snprintf(where, sizeof where, "%s:%lu", path, in.lineno);
            item_error(r, where,
                       "a line of %zu bytes, larger than the size limit "
                       "(%zu bytes); skipped",
                       len, r->max_bytes);
            continue;
        }
        fatal = jsonl_line(r, path, in.lineno, line, len) != 0;
    }
    if (!fatal && st < 0)
        item_error(r, path, "read error after line %lu (truncated or corrupt?)",
                   in.lineno);
    cli_lines_close(&in);
    return fatal ? -1 : 0;
}

/* ---- Plain text and HTML ---------------------------------------------- */

/* Blank within a line: what a line of only these is empty of. */
static int
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Is p[0..len) white space only (after a UTF-8 BOM when bom)? */
static int
only_blanks(const char *p, size_t len, int bom)
{
    size_t i = bom && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (; i < len; i++)
        if (!is_blank(p[i]) && p[i] != '\n')
            return 0;
    return 1;
}

/* Turns CRLF and lone CR line ends into LF, in place; returns the new
 * length (s stays NUL-terminated). */
static size_t
unify_line_ends(char *s, size_t len)
{
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\r') {
            s[j++] = s[i];
            continue;
        }
        s[j++] = '\n';
        if (i + 1 < len && s[i + 1] == '\n')
            i++;
    }
    s[j] = '\0';
    return j;
}

/* One article of a text file: its first line that is not blank is the
 * title, the rest the body.  The bytes are converted as a page's are: a
 * text file saved in windows-1256 or ISO-8859-6 was stored as U+FFFD
 * garbage, and a UTF-8 BOM stayed at the head of the title. */
static int
ingest_text(run *r, const char *path, const char *data, size_t len)
{
    char *text = NULL;
    size_t n = 0;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_to_utf8(data, len, NULL, &text, &n, NULL, &err);
    if (rc == KH_ENOMEM) {
        cli_error("%s: out of memory", path);
        return -1;
    }
    if (rc != KH_OK) {
        item_error(r, path, "%s; skipped",
                   err.message[0] ? err.message : kh_strerror(rc));
        return 0;
    }
    if (memchr(text, '\0', n) != NULL) {
        item_error(r, path, "binary data, not an article; skipped");
        kh_free(text);
        return 0;
    }
    /* Windows' CRLF left a \r at the end of the title and of every line. */
    n = unify_line_ends(text, n);
    char *end = text + n;
    char *title = text;
    while (title < end && (is_blank(*title) || *title == '\n'))
        title++;
    if (title == end) {
        item_error(r, path, "empty file; skipped");
        kh_free(text);
        return 0;
    }
    char *nl = memchr(title, '\n', (size_t)(end - title));
    char *body = nl != NULL ? nl + 1 : end;
    char *title_end = nl != NULL ? nl : end;
    while (title_end > title && is_blank(title_end[-1]))
        title_end--;
    *title_end = '\0';
    while (body < end && (is_blank(*body) || *body == '\n'))
        body++;
    while (end > body && (is_blank(end[-1]) || end[-1] == '\n'))
        end--;
    *end = '\0';
    /* the path as given, as for a page: two news.txt in two directories
     * are two articles (by the name alone the second replaced the first) */
    kh_article a = {strcmp(path, "-") == 0 ? NULL : path,
                    NULL,
                    NULL,
                    title,
                    body,
                    NULL,
                    KH_DATE_NONE};
    int st = add(r, &a, path, KH_FMT_TEXT);
    kh_free(text);
    return st;
}

/* Adds the article of a page; where names it in messages.  A page
 * without article text is skipped with a note, not an error: an index
 * page or a gallery is not bad input. */
static int
ingest_page(run *r, const char *where, const char *html, size_t len,
            const char *url, const char *charset, const char *fallback_id,
            kh_format fmt)
{
    cli_doc d;
    kh_error err;
    memset(&err, 0, sizeof err);
    int st = 0;
    kh_status rc = cli_doc_from_page(&d, html, len, url, charset, fallback_id,
                                     r->sites, &err);
    if (rc == KH_ENOMEM) {
        cli_error("%s: out of memory", where);
        st = -1;
    } else if (rc != KH_OK) {
        item_error(r, where, "not a page: %s",
                   err.message[0] ? err.message : kh_strerror(rc));
    } else if (d.a.body == NULL || d.a.body[0] == '\0') {
        cli_error("%s: no article text in the page; skipped", where);
        r->skipped++;
    } else {
        st = add(r, &d.a, where, fmt);
    }
    cli_doc_release(&d);
    return st;
}

/* ---- Feeds ------------------------------------------------------------ */

typedef struct feed_ctx {
    run *r;
    const char *path;
    kh_format fmt;
    unsigned long n; /* items seen */
    int fatal;
} feed_ctx;

static int
on_item(const kh_feed_item *item, void *ud)
{
    feed_ctx *c = ud;
    run *r = c->r;
    char where[600];
    c->n++;
    snprintf(where, sizeof where, "%s: item %lu%s%.200s%s", c->path, c->n,
             item->link ? " (" : "", item->link ? item->link : "",
             item->link ? ")" : "");
    cli_doc d;
    kh_error err;
    memset(&err, 0, sizeof err);
    if (cli_doc_from_item(&d, item, r->fetcher, r->sites, &err) != KH_OK) {
        cli_error("%s: %s", where, err.message);
        c->fatal = 1;
    } else if (d.fetched < 0) {
        /* The summary still makes an article; say why it is short. */
        cli_error("%s: linked page not used (%s); the summary is kept", where,
                  d.why);
    }
    if (!c->fatal) {
        if ((d.a.title == NULL || !*d.a.title) &&
            (d.a.body == NULL || !*d.a.body))
            item_error(r, where, "no title and no text; skipped");
        else if (cli_doc_has_better(r->ix, &d))
            r->kept++;
        else
            c->fatal = add(r, &d.a, where, c->fmt) != 0;
    }
    cli_doc_release(&d);
    return c->fatal;
}

static int
ingest_feed(run *r, const char *path, const char *xml, size_t len,
            kh_format fmt)
{
    feed_ctx c = {r, path, fmt, 0, 0};
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_feed_parse(xml, len, NULL, on_item, &c, &err);
    if (c.fatal)
        return -1;
    if (rc == KH_ENOMEM) {
        cli_error("%s: out of memory", path);
        return -1;
    }
    if (rc != KH_OK)
        item_error(r, path, "after item %lu: %s", c.n,
                   err.message[0] ? err.message : kh_strerror(rc));
    else if (c.n == 0)
        cli_error("%s: a feed without items", path);
    return 0;
}

/* ---- WARC ------------------------------------------------------------- */

static int
record_is_html(const kh_warc_record *rec)
{
    if (rec->content_type != NULL)
        return cli_ct_is_html(rec->content_type);
    size_t n = rec->payload_len < HEAD_BYTES ? rec->payload_len : HEAD_BYTES;
    return kh_detect_format(rec->payload, n) == KH_FMT_HTML;
}

/* Reads the WARC records of f (which the caller closes). */
static int
ingest_warc(run *r, const char *path, FILE *f)
{
    kh_warc *w;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_warc_open(f, r->max_bytes, &w, &err);
    if (rc != KH_OK) {
        item_error(r, path, "%s",
                   err.message[0] ? err.message : kh_strerror(rc));
        return rc == KH_ENOMEM ? -1 : 0;
    }
    unsigned long n = 0;
    int fails = 0, st = 0;
    char where[600];
    while (st == 0) {
        kh_warc_record rec;
        memset(&err, 0, sizeof err);
        rc = kh_warc_next(w, &rec, &err);
        if (rc == KH_ENOTFOUND)
            break;
        n++;
        if (rc == KH_ENOMEM) {
            cli_error("%s: record %lu: out of memory", path, n);
            st = -1;
            break;
        }
        if (rc != KH_OK) {
            item_error(r, path, "record %lu: %s", n,
                       err.message[0] ? err.message : kh_strerror(rc));
            if (++fails >= MAX_WARC_FAILS) {
                item_error(r, path, "%d bad records in a row; file abandoned",
                           fails);
                break;
            }
            continue;
        }
        fails = 0;
        snprintf(where, sizeof where, "%s: record %lu (%.300s)", path, n,
                 rec.target_uri ? rec.target_uri : "no URI");
        int response = rec.type != NULL && strcmp(rec.type, "response") == 0;
        int resource = rec.type != NULL && strcmp(rec.type, "resource") == 0;
        if (!response && !resource)
            continue; /* request, metadata, warcinfo: not pages */
        if (response && (rec.http_status < 200 || rec.http_status > 299))
            continue;
        if (rec.truncated) {
            item_error(r, where, "larger than the size limit (%zu bytes)",
                       r->max_bytes);
            continue;
        }
        if (!record_is_html(&rec))
            continue;
        char cs[64];
        const char *charset = cli_ct_charset(rec.content_type, cs, sizeof cs);
        st = ingest_page(r, where, rec.payload, rec.payload_len, rec.target_uri,
                         charset, NULL, KH_FMT_WARC);
    }
    kh_warc_close(w);
    return st;
}

/* ---- Inputs ----------------------------------------------------------- */

/* Why gz stopped: NULL at a clean end, else a message (zlib's own, which
 * starts with the path: that part is cut, the caller names the file). */
static const char *
gz_problem(gzFile gz)
{
    int e;
    const char *msg = gzerror(gz, &e);
    if (e == Z_OK || e == Z_STREAM_END)
        return NULL;
    if (e == Z_BUF_ERROR)
        return "truncated gzip data";
    if (e == Z_DATA_ERROR)
        return "corrupt gzip data";
    if (msg == NULL || *msg == '\0')
        return "read error";
    const char *colon = strrchr(msg, ':');
    return colon != NULL && colon[1] == ' ' ? colon + 2 : msg;
}

/* Reads up to cap bytes; returns the count read before the end or an
 * error, *failed set on an error. */
static size_t
gz_fill(gzFile gz, char *p, size_t cap, int *failed)
{
    size_t got = 0;
    *failed = 0;
    while (got < cap) {
        /* Small reads: on a damaged member, gzread() returns -1 and the
         * bytes of that call are lost, so each call risks little. */
        size_t want = cap - got < 32 ? cap - got : 32;
        int n = gzread(gz, p + got, (unsigned)want);
        if (n < 0)
            *failed = 1;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (!*failed && got < cap && gz_problem(gz) != NULL)
        *failed = 1;
    return got;
}

/* The whole stream (head already read) into *out, at most max bytes.
 * Returns 0, 1 when over max, -1 on a read error (*why says). */
static int
read_rest(gzFile gz, const char *head, size_t head_len, size_t max, char **out,
          size_t *len, const char **why)
{
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    kh__buf_append(&b, head, head_len, &rc);
    char chunk[65536];
    int st = 0;
    for (;;) {
        int n = gzread(gz, chunk, sizeof chunk);
        if (n < 0 || (n == 0 && (*why = gz_problem(gz)) != NULL)) {
            if (n < 0)
                *why = gz_problem(gz);
            if (*why == NULL)
                *why = "read error";
            st = -1;
            break;
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > max) {
            st = 1;
            break;
        }
        kh__buf_append(&b, chunk, (size_t)n, &rc);
    }
    if (rc != KH_OK) {
        *why = "out of memory";
        st = -1;
    }
    if (st != 0) {
        kh__buf_release(&b);
        return st;
    }
    *out = kh__buf_detach(&b, len, &rc);
    kh__buf_release(&b);
    return 0;
}

/* Copies the (gunzipped) standard input into a temporary file, for the
 * WARC reader, which wants a FILE. */
static FILE *
spool(gzFile gz, const char *head, size_t head_len)
{
    FILE *t = tmpfile();
    if (t == NULL)
        return NULL;
    char chunk[65536];
    int n;
    int ok = fwrite(head, 1, head_len, t) == head_len;
    while (ok && (n = gzread(gz, chunk, sizeof chunk)) > 0)
        ok = fwrite(chunk, 1, (size_t)n, t) == (size_t)n;
    if (!ok || fflush(t) != 0 || fseek(t, 0, SEEK_SET) != 0) {
        fclose(t);
        return NULL;
    }
    return t;
}

/* One input stream: gz is closed here.  path is the file's path, or "-"
 * for standard input. */
static int
ingest_stream(run *r, const char *path, gzFile gz)
{
    char head[HEAD_BYTES];
    int failed;
    size_t hl = gz_fill(gz, head, sizeof head, &failed);
    kh_format fmt = hl > 0 ? kh_detect_format(head, hl) : KH_FMT_UNKNOWN;
    int is_stdin = strcmp(path, "-") == 0;
    /* A damaged gzip member in a WARC file is the WARC reader's to skip
     * (it resynchronizes on the next record); anything else is lost. */
    if (failed && !(fmt == KH_FMT_WARC && !is_stdin)) {
        const char *why = gz_problem(gz);
        item_error(r, path, "%s; skipped", why ? why : "read error");
        gzclose(gz);
        return 0;
    }
    if (hl == 0) {
        item_error(r, path, "empty file; skipped");
        gzclose(gz);
        return 0;
    }
    if (fmt == KH_FMT_UNKNOWN && only_blanks(head, hl, 1)) {
        /* Blank lines are no article, and no binary data either: such a
         * file is as empty as one of 0 bytes, if the rest is blank too. */
        char chunk[HEAD_BYTES];
        size_t got;
        int blank = 1;
        while (blank && !failed &&
               (got = gz_fill(gz, chunk, sizeof chunk, &failed)) > 0)
            blank = only_blanks(chunk, got, 0);
        if (blank && !failed) {
            item_error(r, path, "empty file; skipped");
            gzclose(gz);
            return 0;
        }
        if (!failed) {
            /* the format is told from the head alone */
            item_error(r, path,
                       "more than %d bytes of blank lines before any text; "
                       "skipped",
                       HEAD_BYTES);
            gzclose(gz);
            return 0;
        }
    }
    if (fmt == KH_FMT_JSONL)
        return ingest_jsonl(r, path, gz, head, hl); /* closes gz */
    if (fmt == KH_FMT_UNKNOWN) {
        item_error(r, path, "binary data, not an article; skipped");
        gzclose(gz);
        return 0;
    }
    if (fmt == KH_FMT_WARC) {
        /* The reader undoes per-record gzip itself: give it the raw file.
         * Standard input was already gunzipped; spool that. */
        FILE *f = is_stdin ? spool(gz, head, hl) : fopen(path, "rb");
        gzclose(gz);
        if (f == NULL) {
            item_error(r, path, "cannot read: %s", strerror(errno));
            return 0;
        }
        int st = ingest_warc(r, path, f);
        fclose(f);
        return st;
    }
    char *data = NULL;
    size_t len = 0;
    const char *why = NULL;
    int rst = read_rest(gz, head, hl, r->max_bytes, &data, &len, &why);
    gzclose(gz);
    if (rst > 0) {
        item_error(r, path, "larger than the size limit (%zu bytes); skipped",
                   r->max_bytes);
        return 0;
    }
    if (rst < 0) {
        item_error(r, path, "%s; skipped", why);
        return strcmp(why, "out of memory") == 0 ? -1 : 0;
    }
    int st;
    switch (fmt) {
    case KH_FMT_HTML:
        st = ingest_page(r, path, data, len, NULL, NULL, is_stdin ? NULL : path,
                         KH_FMT_HTML);
        break;
    case KH_FMT_RSS:
    case KH_FMT_ATOM:
        st = ingest_feed(r, path, data, len, fmt);
        break;
    default:
        st = ingest_text(r, path, data, len);
        break;
    }
    kh_free(data);
    return st;
}

static int ingest_path(run *r, const char *path, int depth);

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of a directory, recursively, in sorted order; hidden files
 * and symbolic links to directories are skipped (no loops). */
static int
ingest_dir(run *r, const char *path, int depth)
{
    if (depth >= MAX_DIR_DEPTH) {
        item_error(r, path, "directories nested too deep; skipped");
        return 0;
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        item_error(r, path, "cannot open: %s", strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int st = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = kh_realloc(names, nc * sizeof *nn);
            if (nn == NULL) {
                st = -1;
                break;
            }
            names = nn;
            cap = nc;
        }
        if ((names[n] = kh__strndup(e->d_name, strlen(e->d_name))) == NULL) {
            st = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (st != 0)
        cli_error("%s: out of memory", path);
    if (n > 0)
        qsort(names, n, sizeof *names, name_cmp);
    kh_buf full;
    kh__buf_init(&full);
    for (size_t i = 0; i < n && st == 0; i++) {
        kh_status rc = KH_OK;
        kh__buf_reset(&full);
        kh__buf_printf(&full, &rc, "%s%s%s", path,
                       path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
        if (rc != KH_OK) {
            st = -1;
            break;
        }
        struct stat ls;
        if (lstat(full.data, &ls) == 0 && S_ISLNK(ls.st_mode)) {
            struct stat ts;
            if (stat(full.data, &ts) == 0 && S_ISDIR(ts.st_mode))
                continue;
        }
        st = ingest_path(r, full.data, depth + 1);
    }
    kh__buf_release(&full);
    for (size_t i = 0; i < n; i++)
        kh_free(names[i]);
    kh_free(names);
    return st;
}

static int
ingest_path(run *r, const char *path, int depth)
{
    if (strcmp(path, "-") == 0) {
        int fd = dup(0);
        gzFile gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
        if (gz == NULL) {
            if (fd >= 0)
                close(fd);
            item_error(r, path, "cannot read standard input");
            return 0;
        }
        return ingest_stream(r, path, gz);
    }
    struct stat s;
    if (stat(path, &s) != 0) {
        item_error(r, path, "cannot open: %s", strerror(errno));
        return 0;
    }
    if (S_ISDIR(s.st_mode))
        return ingest_dir(r, path, depth);
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL) {
        item_error(r, path, "cannot open: %s", strerror(errno));
        return 0;
    }
    return ingest_stream(r, path, gz);
}

/* "html 3, rss 12" for the formats that gave articles. */
static void
format_counts(const run *r, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int f = 0; f <= KH_FMT_TEXT && used < cap; f++) {
        if (r->by_format[f] == 0)
            continue;
        int w = snprintf(buf + used, cap - used, "%s%s %lu", used ? ", " : "",
                         kh_format_name((kh_format)f), r->by_format[f]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

int
kh_cmd_ingest(int argc, char **argv)
{
    const char *dir = NULL;
    kh_stemmer_kind stemmer = KH_STEMMER_LIGHT;
    run r;
    memset(&r, 0, sizeof r);
    r.batch = 5000;
    r.max_bytes = 16u << 20;
    int optimize = 0, fetch = 0, exact_forms = 0, no_stories = 0,
        no_entities = 0, force = 0;
    size_t buffer_mb = 0;
    kh_fetch_options fo;
    kh__fetch_options_init(&fo);
    int i = 1, st;
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
        } else if (strcmp(o, "--max-bytes") == 0 && i + 1 < argc) {
            r.max_bytes = strtoul(argv[++i], NULL, 10);
            if (r.max_bytes == 0) {
                cli_error("--max-bytes wants a positive number");
                return 2;
            }
        } else if (strcmp(o, "--optimize") == 0) {
            optimize = 1;
        } else if (strcmp(o, "--exact-forms") == 0) {
            exact_forms = 1;
        } else if (strcmp(o, "--no-stories") == 0) {
            no_stories = 1;
        } else if (strcmp(o, "--no-entities") == 0) {
            no_entities = 1;
        } else if (strcmp(o, "--force") == 0) {
            force = 1;
        } else if (strcmp(o, "--ack") == 0) {
            r.ack = 1;
        } else if (strcmp(o, "--fetch") == 0) {
            fetch = 1;
        } else if ((st = cli_fetch_option(argc, argv, &i, &fo)) != 0) {
            if (st < 0)
                return 2;
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
    kh_error err;
    memset(&err, 0, sizeof err);
    fo.max_body = r.max_bytes;
    if (kh_sitemodel_new(&r.sites) != KH_OK ||
        (fetch && kh__fetcher_new(&fo, &r.fetcher, &err) != KH_OK)) {
        cli_error("%s", err.message[0] ? err.message : "out of memory");
        kh_sitemodel_free(r.sites);
        return 1;
    }
    kh_index_options opts = {.create = 1,
                             .buffer_mb = buffer_mb,
                             .stemmer = stemmer,
                             .exact_forms = exact_forms,
                             .no_stories = no_stories,
                             .no_entities = no_entities,
                             .replace_unchanged = force};
    if (kh_index_open(dir, &opts, &r.ix, &err) != KH_OK) {
        cli_error("%s", err.message);
        kh__fetcher_free(r.fetcher);
        kh_sitemodel_free(r.sites);
        return 1;
    }
    r.progress = isatty(2) && !r.ack;
    r.t0 = cli_now();
    int fatal = 0;
    for (; i < argc && !fatal; i++)
        fatal = ingest_path(&r, argv[i], 0) != 0;
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
    kh__fetcher_free(r.fetcher);
    kh_sitemodel_free(r.sites);
    if (!r.ack) {
        char counts[256];
        format_counts(&r, counts, sizeof counts);
        printf("ingested %lu articles (%lu new, %lu replaced, %lu errors) "
               "into %s in %.2f s (%.0f articles/s)%s%s",
               r.done, r.added, r.replaced, r.errors, dir, secs,
               secs > 0 ? (double)r.done / secs : 0.0, counts[0] ? ": " : "",
               counts);
        if (r.skipped > 0)
            printf("; %lu without article text skipped", r.skipped);
        if (r.kept > 0)
            printf("; %lu feed summaries not stored over a longer text",
                   r.kept);
        putchar('\n');
    }
    return fatal || r.errors > 0 ? 1 : 0;
}
