/*
 * ingest.h -- news as it is published: web pages, feeds, crawl archives.
 *
 *  - kh_extract_html(): one HTML page in, one article out (title, body,
 *    date, author, canonical URL, source, language), the site furniture
 *    left behind.
 *  - kh_to_utf8(): UTF-8, windows-1256 and ISO-8859-6 (and what iconv
 *    knows) to UTF-8, from a declared charset or by detection.
 *  - kh_feed_parse(): RSS 2.0 / Atom items, one callback per item.
 *  - kh_warc_*: a streaming reader of WARC 1.0/1.1 files, plain or gzip
 *    per record.
 *  - kh_detect_format(): what a byte stream is, told by content.
 */
#ifndef KHABAR_INGEST_H
#define KHABAR_INGEST_H

#include "khabar/khabar.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Formats --------------------------------------------------------- */

typedef enum kh_format {
    KH_FMT_UNKNOWN = 0,
    KH_FMT_JSONL, /* one JSON object a line */
    KH_FMT_HTML,
    KH_FMT_RSS, /* RSS 0.9x/2.0 or RDF */
    KH_FMT_ATOM,
    KH_FMT_WARC,
    KH_FMT_TEXT /* plain text: first line the title */
} kh_format;

/* Tells the format of head[0..len) (the first few KB of a stream, already
 * gunzipped: a gzip stream's own magic is the caller's to check).  Never
 * fails; KH_FMT_UNKNOWN for binary junk. */
KH_API kh_format kh_detect_format(const char *head, size_t len);

/* A static lower-case name: "jsonl", "html", "rss", "atom", "warc", ... */
KH_API const char *kh_format_name(kh_format format);

/* ---- Encodings ------------------------------------------------------- */

/* Converts in[0..len) to UTF-8.  charset is the declared one (an HTTP
 * Content-Type's, say) or NULL; when NULL or unknown, a BOM, an HTML
 * <meta charset> / http-equiv or an XML declaration in the first bytes is
 * used, and failing that the bytes are detected (valid UTF-8 stays
 * UTF-8; otherwise Arabic single-byte text is told apart as windows-1256
 * or ISO-8859-6).  A wrong label does not lose the text: when the
 * declared charset is UTF-8 but the bytes are not, detection decides.
 * Invalid sequences become U+FFFD.  *out (NUL-terminated, *out_len
 * bytes) is released with kh_free().  *used (may be NULL) is set to a
 * static name of the charset applied ("utf-8", "windows-1256", ...). */
KH_API KH_NODISCARD kh_status kh_to_utf8(const char *in, size_t len,
                                         const char *charset, char **out,
                                         size_t *out_len, const char **used,
                                         kh_error *err);

/* ---- HTML article extraction ----------------------------------------- */

typedef struct kh_sitemodel kh_sitemodel; /* learned site furniture */

typedef struct kh_extract_options {
    const char *url;     /* where the page was fetched, or NULL */
    const char *charset; /* from the HTTP header, or NULL */
    /* Blocks seen on many pages of one site are furniture wherever they
     * sit.  NULL: no learning, the page alone decides. */
    kh_sitemodel *sites;
} kh_extract_options;

/* An extracted article.  Every string is UTF-8 and NUL-terminated, owned
 * by the struct; NULL when the page has none. */
typedef struct kh_page {
    char *title;
    char *body; /* paragraphs and subheadings, separated by "\n\n" */
    char *author;
    char *url;    /* canonical URL, absolute; else options.url */
    char *source; /* og:site_name, else the URL's host */
    char *lang;   /* "ar", "en", ... from the markup, else detected */
    int64_t date; /* publication date, unix seconds UTC, or KH_DATE_NONE */
} kh_page;

/* Extracts the article of one page.  KH_OK with an empty body when the
 * page has no article text; KH_EINVAL (err says why) when the input is
 * not a page at all.  *out is released with kh_page_free(). */
KH_API KH_NODISCARD kh_status kh_extract_html(const char *html, size_t len,
                                              const kh_extract_options *opts,
                                              kh_page **out, kh_error *err);
KH_API void kh_page_free(kh_page *page);

/* A model of site furniture, learned page by page: a block of text that
 * recurs on many pages of one host is furniture.  Memory is bounded (old
 * hosts and rare blocks are forgotten).  kh_sitemodel_free(NULL) is a
 * no-op. */
KH_API KH_NODISCARD kh_status kh_sitemodel_new(kh_sitemodel **out);
KH_API void kh_sitemodel_free(kh_sitemodel *model);

/* ---- Feeds ----------------------------------------------------------- */

/* One item of a feed.  Strings are UTF-8, owned by the parser and valid
 * during the callback only; NULL when absent. */
typedef struct kh_feed_item {
    const char *title;
    const char *link; /* absolute */
    const char *guid; /* RSS guid / Atom id */
    const char *author;
    const char *summary; /* description / summary, as HTML */
    const char *content; /* content:encoded / Atom content, as HTML */
    const char *source;  /* the feed's own title */
    int64_t date;        /* pubDate / published / updated, or KH_DATE_NONE */
} kh_feed_item;

/* Returns nonzero to stop the parse early (kh_feed_parse then returns
 * KH_OK). */
typedef int (*kh_feed_item_fn)(const kh_feed_item *item, void *ctx);

/* Parses an RSS 2.0/0.9x/RDF or Atom document and calls fn for every item
 * in document order.  base_url (may be NULL) resolves relative links.
 * KH_EINVAL with err when it is not a feed or is not well-formed enough
 * to read (items before the damage have been delivered). */
KH_API KH_NODISCARD kh_status kh_feed_parse(const char *xml, size_t len,
                                            const char *base_url,
                                            kh_feed_item_fn fn, void *ctx,
                                            kh_error *err);

/* ---- WARC ------------------------------------------------------------ */

typedef struct kh_warc kh_warc;

/* One record.  Pointers are owned by the reader and valid until the next
 * kh_warc_next() call. */
typedef struct kh_warc_record {
    const char *type;       /* WARC-Type: "response", "resource", ... */
    const char *target_uri; /* WARC-Target-URI, or NULL */
    int64_t date;           /* WARC-Date, or KH_DATE_NONE */
    /* For response records carrying HTTP: the status code (0 if none)
     * and the Content-Type header (or NULL).  payload is then the HTTP
     * body (chunked transfer undone); otherwise the record's block. */
    int http_status;
    const char *content_type;
    const char *payload;
    size_t payload_len;
    /* Set when the record was larger than the reader's limit: the
     * payload is then empty and the record was skipped over. */
    int truncated;
} kh_warc_record;

/* Reads WARC from f (plain, or gzip member per record, told by content);
 * the caller keeps f open and closes it after kh_warc_close().
 * max_record bytes (0: 64 MiB) bounds the memory of one record. */
KH_API KH_NODISCARD kh_status kh_warc_open(FILE *f, size_t max_record,
                                           kh_warc **out, kh_error *err);

/* Next record: KH_OK with *rec filled, KH_ENOTFOUND at the end, or an
 * error (KH_ECORRUPT with err naming the byte offset) after which the
 * reader has tried to resynchronize on the next "WARC/" header, so the
 * caller may go on calling. */
KH_API KH_NODISCARD kh_status kh_warc_next(kh_warc *w, kh_warc_record *rec,
                                           kh_error *err);
KH_API void kh_warc_close(kh_warc *w);

#ifdef __cplusplus
}
#endif

#endif /* KHABAR_INGEST_H */
