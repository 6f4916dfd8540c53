/*
 * article.h -- pages and feed items made into articles, for `khabar
 * ingest` and `khabar follow` (article.c).
 */
#ifndef KH_CLI_ARTICLE_H
#define KH_CLI_ARTICLE_H

#include "cli.h"
#include "ingest/fetch.h"

#include <jansson.h>

/* A feed item whose text is shorter than this (bytes of UTF-8) and that
 * has no full content is "only a summary": its linked page is worth
 * fetching. */
#define CLI_SUMMARY_SHORT 1500

/* An article and the storage its strings point into. */
typedef struct cli_doc {
    kh_article a;  /* what goes to the index */
    kh_page *page; /* the extracted page, when there was one */
    char *text;    /* a feed item's body text (owned), or NULL */
    /* The linked page of a feed item: 0 not asked for; 1 fetched and its
     * text used; -1 asked for but not usable (why says why); -2 robots.txt
     * forbids it. */
    int fetched;
    char why[200];
    int from_summary; /* the body is an item's summary, not its full text */
    int retry_later;  /* fetched < 0 for a reason that may pass (a timeout,
                         a server error, robots.txt unreachable) */
} cli_doc;

/* Extracts the article of an HTML page.  url (may be NULL) is where the
 * page came from, charset (may be NULL) the declared one; the id is the
 * page's canonical URL, else url, else fallback_id (may be NULL).
 * KH_EINVAL with err when the bytes are not a page.  The article may
 * have an empty body (a page without article text): the caller decides.
 * d is released with cli_doc_release() in every case. */
kh_status cli_doc_from_page(cli_doc *d, const char *html, size_t len,
                            const char *url, const char *charset,
                            const char *fallback_id, kh_sitemodel *sites,
                            kh_error *err);

/* The article of a feed item: the text of its content (else summary);
 * with fetcher (may be NULL: no network), an item carrying only a short
 * summary gets its linked page fetched (robots.txt respected) and
 * extracted with sites.  The id is the link, else the guid.  The item's
 * strings must outlive d. */
kh_status cli_doc_from_item(cli_doc *d, const kh_feed_item *item,
                            kh_fetcher *fetcher, kh_sitemodel *sites,
                            kh_error *err);

void cli_doc_release(cli_doc *d);

/* The article of a JSON object {id?, url?, source?, date?, title, body,
 * author?} (a JSONL line, a POST /api/articles body); its strings point
 * into o, an integer id into idbuf.  Returns 0, or -1 with why (a date
 * that is not ISO 8601, no title and no body). */
int cli_article_from_json(json_t *o, kh_article *a, char idbuf[32], char *why,
                          size_t why_cap);

/* The fetching options ingest and follow share: --delay S and --timeout S
 * at argv[*i].  Returns 1 when one was read (*i moved past its value), 0
 * when argv[*i] is not one of them, -1 after printing what is wrong. */
int cli_fetch_option(int argc, char **argv, int *i, kh_fetch_options *fo);

/* Whether d's body is only a feed summary while the index already holds
 * the article with a longer body (from its page, a WARC, another feed):
 * then the summary must not replace it. */
int cli_doc_has_better(kh_index *ix, const cli_doc *d);

/* Whether a Content-Type names HTML (text/html, application/xhtml+xml). */
int cli_ct_is_html(const char *ct);

/* The charset parameter of a Content-Type into buf, or NULL. */
const char *cli_ct_charset(const char *ct, char *buf, size_t cap);

#endif /* KH_CLI_ARTICLE_H */
