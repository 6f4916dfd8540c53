/*
 * smtp.c -- one message to one recipient over SMTP, with libcurl.
 */
#include "alert/alert.h"

#include <curl/curl.h>
#include <string.h>

typedef struct reader {
    const char *p;
    size_t left;
} reader;

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *ud)
{
    reader *r = ud;
    size_t n = size * nmemb;
    if (n > r->left)
        n = r->left;
    memcpy(buf, r->p, n);
    r->p += n;
    r->left -= n;
    return n;
}

kh_status
kh__smtp_send(const kh_smtp_options *o, const char *from, const char *rcpt,
              const char *msg, size_t len, kh_error *err)
{
    CURL *c = curl_easy_init();
    if (c == NULL) {
        kh__set_error(err, "cannot start libcurl");
        return KH_ENOMEM;
    }
    char from_b[300], rcpt_b[300];
    snprintf(from_b, sizeof from_b, "<%s>", from);
    snprintf(rcpt_b, sizeof rcpt_b, "<%s>", rcpt);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt_b);
    reader r = {msg, len};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_b);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &r);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s > 0 ? o->timeout_s : 30L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    if (o->starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (o->user != NULL)
        curl_easy_setopt(c, CURLOPT_USERNAME, o->user);
    if (o->password != NULL)
        curl_easy_setopt(c, CURLOPT_PASSWORD, o->password);
    CURLcode cc = rcpts != NULL ? curl_easy_perform(c) : CURLE_OUT_OF_MEMORY;
    kh_status rc = KH_OK;
    if (cc != CURLE_OK) {
        kh__set_error(err, "SMTP %s: %s", o->url,
                      errbuf[0] ? errbuf : curl_easy_strerror(cc));
        rc = KH_EIO;
    }
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(c);
    return rc;
}
