/*
 * digest.c -- the mails: a digest of what matched an address's saved
 * queries, and the confirmation of a new saved query.
 *
 * A digest is multipart/alternative: plain text, then right-to-left HTML
 * with inline styles and no remote images (mail clients block them, and
 * they would tell the sender who opened what).  Articles are grouped by
 * saved query, then by story, each with its source, date, a snippet with
 * the query's words marked, and a link to the article's page.
 */
#include "alert/alert.h"

#include <stdio.h>
#include <string.h>

#define MAX_PER_QUERY                                                          \
    30 /* articles shown per saved query; the rest counted                     \
        */

typedef struct item {
    int64_t docid, sid;
    char *id, *title, *url, *source, *body;
    int64_t date;
} item;

static void
item_release(item *it)
{
    kh_free(it->id);
    kh_free(it->title);
    kh_free(it->url);
    kh_free(it->source);
    kh_free(it->body);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    const char *t = s != NULL ? (const char *)s : "";
    return kh__strndup(t, strlen(t));
}

/* Whether the article behind a match is still in docs.db (not deleted or
 * replaced since). */
static int
item_exists(kh_alerts *al, int64_t docid)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(al->docs, "SELECT 1 FROM docs WHERE docid = ?", -1,
                           &st, NULL) != SQLITE_OK)
        return 1; /* counted as it was matched */
    sqlite3_bind_int64(st, 1, docid);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* The article behind a match, from docs.db; 0 when it is gone (deleted or
 * replaced since). */
static int
load_item(kh_alerts *al, int64_t docid, item *it)
{
    static const char sql[] =
        "SELECT d.key, d.title, d.url, d.source, kh_body(d.body), d.date,"
        " (SELECT sid FROM story WHERE docid = d.docid)"
        " FROM docs d WHERE d.docid = ?";
    static const char sql_plain[] =
        "SELECT d.key, d.title, d.url, d.source, kh_body(d.body), d.date, NULL"
        " FROM docs d WHERE d.docid = ?";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(al->docs, sql, -1, &st, NULL) != SQLITE_OK &&
        sqlite3_prepare_v2(al->docs, sql_plain, -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, docid);
    int found = 0;
    memset(it, 0, sizeof *it);
    if (sqlite3_step(st) == SQLITE_ROW) {
        it->docid = docid;
        it->id = col_dup(st, 0);
        it->title = col_dup(st, 1);
        it->url = col_dup(st, 2);
        it->source = col_dup(st, 3);
        it->body = col_dup(st, 4);
        it->date = sqlite3_column_type(st, 5) == SQLITE_NULL
                       ? KH_DATE_NONE
                       : sqlite3_column_int64(st, 5);
        it->sid = sqlite3_column_type(st, 6) == SQLITE_NULL
                      ? docid
                      : sqlite3_column_int64(st, 6);
        found = it->id && it->title && it->url && it->source && it->body;
        if (!found)
            item_release(it);
    }
    sqlite3_finalize(st);
    return found;
}

static int
by_story(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->sid != y->sid)
        return x->sid < y->sid ? -1 : 1;
    return x->date < y->date ? -1 : x->date > y->date;
}

/* The words of a query to mark in snippets: its positive terms. */
typedef struct marks {
    const char *norms[64], *stems[64];
    size_t n;
} marks;

static void
collect_marks(const kh_qnode *q, marks *m)
{
    if (q->occur == KH_OCCUR_MUST_NOT)
        return;
    if (q->op == KH_QOP_WORD || q->op == KH_QOP_PHRASE) {
        for (size_t i = 0; i < q->n_terms && m->n < 64; i++)
            if (!q->terms[i].stop) {
                m->norms[m->n] = q->terms[i].norm;
                m->stems[m->n] = q->terms[i].stem;
                m->n++;
            }
    }
    for (size_t i = 0; q->op == KH_QOP_BOOL && i < q->n_children; i++)
        collect_marks(q->children[i], m);
}

static void
snippet(kh_alerts *al, const item *it, const marks *m, int html, kh_buf *out,
        kh_status *rc)
{
    kh_snippet_opts o = {m->norms,
                         m->n,
                         m->stems,
                         m->n,
                         240,
                         html ? "<b style=\"background:#fde68a\">" : "",
                         html ? "</b>" : "",
                         html != 0};
    kh__snippet(al->an, it->body, strlen(it->body), &o, out, rc);
}

static void
date_text(int64_t t, char *buf)
{
    if (t == KH_DATE_NONE) {
        buf[0] = '\0';
        return;
    }
    char iso[32];
    kh_date_format(t, iso);
    snprintf(buf, 32, "%.10s", iso);
}

/* "3 أخبار", "خبر واحد", "خبران", "11 خبرًا": Arabic counts agree with
 * their noun. */
static void
count_news(kh_buf *b, size_t n, kh_status *rc)
{
    if (n == 1)
        kh__buf_puts(b, "خبر واحد", rc);
    else if (n == 2)
        kh__buf_puts(b, "خبران", rc);
    else if (n % 100 >= 3 && n % 100 <= 10)
        kh__buf_printf(b, rc, "%zu أخبار", n);
    else
        kh__buf_printf(b, rc, "%zu خبرًا", n);
}

static const char *
domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at != NULL && at[1] ? at + 1 : "localhost";
}

/* The head of a message up to and including the multipart boundary
 * declaration; the caller adds the parts. */
static void
head(kh_alerts *al, kh_buf *b, const char *rcpt, const char *subject,
     const char *message_id, const char *unsub_url, int64_t now,
     const char *boundary, kh_status *rc)
{
    char date[40];
    kh__mime_date(now, date);
    kh__buf_printf(b, rc, "From: Khabar <%s>\r\n", al->from);
    kh__buf_printf(b, rc, "To: <%s>\r\n", rcpt);
    kh__mime_header(b, "Subject", subject, rc);
    kh__buf_printf(b, rc, "Date: %s\r\nMessage-ID: %s\r\n", date, message_id);
    if (unsub_url != NULL) {
        kh__buf_printf(b, rc, "List-Id: Khabar digest <digest.%s>\r\n",
                       domain_of(al->from));
        kh__buf_printf(b, rc, "List-Unsubscribe: <%s>\r\n", unsub_url);
        kh__buf_puts(b, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                     rc);
    }
    kh__buf_printf(b, rc,
                   "MIME-Version: 1.0\r\n"
                   "Content-Type: multipart/alternative; "
                   "boundary=\"%s\"\r\n\r\n",
                   boundary);
}

static void
parts(kh_buf *b, const char *boundary, const kh_buf *text, const kh_buf *html,
      kh_status *rc)
{
    kh__buf_printf(b, rc,
                   "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\n",
                   boundary);
    kh__mime_base64(b, text->data ? text->data : "", text->len, rc);
    kh__buf_printf(b, rc,
                   "--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\n",
                   boundary);
    kh__mime_base64(b, html->data ? html->data : "", html->len, rc);
    kh__buf_printf(b, rc, "--%s--\r\n", boundary);
}

static kh_status
outbox_put(kh_alerts *al, int64_t sub, const char *kind, const char *message_id,
           const char *rcpt, const kh_buf *msg, int64_t now, int64_t *id,
           kh_error *err)
{
    sqlite3_stmt *st = kh__alert_prep(
        al,
        "INSERT INTO outbox(subscriber, kind, message_id, rcpt, message,"
        " next_try, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
        err);
    if (st == NULL)
        return KH_EIO;
    sqlite3_bind_int64(st, 1, sub);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, rcpt, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, msg->data, (int)msg->len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, now);
    sqlite3_bind_int64(st, 7, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        kh__set_error(err, "outbox: %s", sqlite3_errmsg(al->db));
        return KH_EIO;
    }
    *id = sqlite3_last_insert_rowid(al->db);
    return KH_OK;
}

static void
new_ids(kh_alerts *al, const char *kind, int64_t sub, int64_t now,
        char *message_id, char *boundary)
{
    uint32_t r = kh__alert_random32();
    snprintf(message_id, 160, "<khabar.%s.%lld.%lld.%08x@%s>", kind,
             (long long)sub, (long long)now, r, domain_of(al->from));
    snprintf(boundary, 64, "=_khabar_%08x%08x", r, kh__alert_random32());
}

static const char html_open[] =
    "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta "
    "charset=\"utf-8\"><title>خبر</title></head>"
    "<body style=\"margin:0;padding:0;background:#f7f3ea;\">"
    "<div dir=\"rtl\" style=\"max-width:640px;margin:0 auto;padding:24px;"
    "background:#ffffff;font-family:Amiri,'Noto Naskh Arabic',Tahoma,"
    "Arial,sans-serif;color:#1f2933;line-height:1.7;text-align:right;\">"
    "<h1 style=\"margin:0 0 4px;font-size:28px;color:#7a1f1f;\">خبر</h1>";

static const char html_close[] = "</div></body></html>";

kh_status
kh__digest_build(kh_alerts *al, int64_t sub, const char *email,
                 const char *freq, int64_t now, int *queued, kh_error *err)
{
    *queued = 0;
    sqlite3_stmt *qs = kh__alert_prep(
        al,
        "SELECT id, query FROM saved_query WHERE subscriber = ? AND "
        "frequency = ? AND confirmed IS NOT NULL AND EXISTS (SELECT 1 FROM "
        "match WHERE query = saved_query.id AND digest IS NULL) ORDER BY id",
        err);
    if (qs == NULL)
        return KH_EIO;
    sqlite3_bind_int64(qs, 1, sub);
    sqlite3_bind_text(qs, 2, freq, -1, SQLITE_STATIC);
    kh_status rc = KH_OK;
    kh_buf text, html, msg;
    kh__buf_init(&text);
    kh__buf_init(&html);
    kh__buf_init(&msg);
    char message_id[160], boundary[64];
    new_ids(al, "digest", sub, now, message_id, boundary);
    char unsub_tok[KH_TOKEN_MAX];
    uint32_t sub_nonce = 0;
    {
        sqlite3_stmt *st = kh__alert_prep(
            al, "SELECT nonce FROM subscriber WHERE id = ?", err);
        if (st == NULL) {
            sqlite3_finalize(qs);
            return KH_EIO;
        }
        sqlite3_bind_int64(st, 1, sub);
        if (sqlite3_step(st) == SQLITE_ROW)
            sub_nonce = (uint32_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    kh__token_make(al, KH_TOK_UNSUBSCRIBE, sub, sub_nonce, 0, unsub_tok);
    char unsub_url[512];
    snprintf(unsub_url, sizeof unsub_url, "%s/unsubscribe?t=%s", al->base_url,
             unsub_tok);

    int64_t qids[256];
    size_t n_q = 0, total = 0;
    char first_query[1100] = "";
    kh__buf_puts(&html, html_open, &rc);
    kh__buf_puts(&html,
                 "<p style=\"margin:0 0 16px;color:#52606d;\">ما نُشر من "
                 "أخبار تطابق بحثك المحفوظ.</p>",
                 &rc);
    kh__buf_puts(&text, "نشرة خبر: ما نُشر من أخبار تطابق بحثك المحفوظ.\n\n",
                 &rc);
    while (rc == KH_OK && n_q < 256 && sqlite3_step(qs) == SQLITE_ROW) {
        int64_t qid = sqlite3_column_int64(qs, 0);
        const char *qtext = (const char *)sqlite3_column_text(qs, 1);
        if (qtext == NULL)
            continue;
        qids[n_q++] = qid;
        if (n_q == 1)
            snprintf(first_query, sizeof first_query, "%s", qtext);
        kh_qnode *tree = NULL;
        marks m;
        m.n = 0;
        if (kh__query_parse(qtext, strlen(qtext), al->an, &tree, NULL) == KH_OK)
            collect_marks(tree, &m);
        /* The articles, oldest match first, then grouped by story. */
        sqlite3_stmt *ms = kh__alert_prep(
            al,
            "SELECT docid FROM match WHERE query = ? AND digest IS NULL "
            "ORDER BY matched, docid",
            err);
        if (ms == NULL) {
            kh__query_free(tree);
            rc = KH_EIO;
            break;
        }
        sqlite3_bind_int64(ms, 1, qid);
        item items[MAX_PER_QUERY];
        size_t n_items = 0, n_pending = 0, n_gone = 0;
        while (sqlite3_step(ms) == SQLITE_ROW) {
            n_pending++;
            int64_t docid = sqlite3_column_int64(ms, 0);
            if (n_items < MAX_PER_QUERY) {
                if (load_item(al, docid, &items[n_items]))
                    n_items++;
                else
                    n_gone++; /* deleted or replaced since */
            } else if (!item_exists(al, docid)) {
                n_gone++; /* counted past the articles shown too */
            }
        }
        sqlite3_finalize(ms);
        kh__qsort(items, n_items, sizeof *items, by_story);
        /* The heading and the subject count the matches, shown or not, so
         * that the heading is what is listed plus "و N غيرها". */
        size_t n_matches = n_pending - n_gone;
        total += n_matches;
        /* Text part. */
        kh__buf_puts(&text, "«", &rc);
        kh__buf_puts(&text, qtext, &rc);
        kh__buf_puts(&text, "»: ", &rc);
        count_news(&text, n_matches, &rc);
        kh__buf_puts(&text, "\n\n", &rc);
        /* HTML part. */
        kh__buf_puts(&html,
                     "<h2 style=\"font-size:20px;margin:24px 0 8px;"
                     "border-bottom:2px solid #7a1f1f;padding-bottom:4px;\">"
                     "«<bdi>",
                     &rc);
        kh__buf_html_escape(&html, qtext, strlen(qtext), &rc);
        kh__buf_puts(&html,
                     "</bdi>» <span style=\"font-size:14px;color:#52606d;"
                     "font-weight:normal;\">",
                     &rc);
        count_news(&html, n_matches, &rc);
        kh__buf_puts(&html, "</span></h2>", &rc);
        for (size_t i = 0; i < n_items; i++) {
            item *it = &items[i];
            char date[32];
            date_text(it->date, date);
            kh_buf link;
            kh__buf_init(&link);
            kh__buf_printf(&link, &rc, "%s/article/", al->base_url);
            kh__url_escape(&link, it->id, &rc);
            kh__buf_putc(&link, '\0', &rc);
            int same_story = i > 0 && items[i - 1].sid == it->sid;
            /* text */
            kh__buf_puts(&text, same_story ? "  - " : "* ", &rc);
            kh__buf_puts(&text, it->title, &rc);
            kh__buf_printf(&text, &rc, "\n  %s | %s\n  ", it->source, date);
            snippet(al, it, &m, 0, &text, &rc);
            kh__buf_printf(&text, &rc, "\n  %s\n\n",
                           link.data ? link.data : "");
            /* html */
            kh__buf_printf(&html, &rc,
                           "<div style=\"margin:0 0 16px;%s\">"
                           "<a href=\"%s\" style=\"font-size:18px;"
                           "color:#7a1f1f;text-decoration:none;font-weight:"
                           "bold;\">",
                           same_story ? "margin-right:20px;border-right:3px "
                                        "solid #e4d9c3;padding-right:10px;"
                                      : "",
                           link.data ? link.data : "");
            kh__buf_html_escape(&html, it->title, strlen(it->title), &rc);
            kh__buf_puts(&html,
                         "</a><div style=\"font-size:13px;color:#52606d;\">"
                         "<bdi>",
                         &rc);
            kh__buf_html_escape(&html, it->source, strlen(it->source), &rc);
            kh__buf_printf(&html, &rc,
                           "</bdi> · <bdi>%s</bdi>%s</div><div "
                           "style=\"font-size:15px;\">",
                           date, same_story ? " · من القصة نفسها" : "");
            snippet(al, it, &m, 1, &html, &rc);
            kh__buf_puts(&html, "</div></div>", &rc);
            kh__buf_release(&link);
            item_release(it);
        }
        if (n_matches > n_items) {
            kh__buf_printf(&text, &rc, "  (و%zu غيرها)\n\n",
                           n_matches - n_items);
            kh__buf_printf(&html, &rc,
                           "<p style=\"color:#52606d;\">و%zu غيرها</p>",
                           n_matches - n_items);
        }
        char feed_tok[KH_TOKEN_MAX];
        kh__token_make(al, KH_TOK_FEED, qid, 0, 0, feed_tok);
        /* Both parts end each search with its feed: a reader of the plain
         * text is a reader too (alerts.md). */
        kh__buf_printf(&text, &rc,
                       "  تابع هذا البحث بقارئ الخلاصات (Atom):\n"
                       "  %s/feeds/subscription.atom?t=%s\n\n",
                       al->base_url, feed_tok);
        kh__buf_printf(&html, &rc,
                       "<p style=\"font-size:13px;\"><a href=\"%s/feeds/"
                       "subscription.atom?t=%s\" style=\"color:#52606d;\">"
                       "تابع هذا البحث بقارئ الخلاصات (Atom)</a></p>",
                       al->base_url, feed_tok);
        kh__query_free(tree);
    }
    sqlite3_finalize(qs);
    if (rc == KH_OK && n_q > 0) {
        kh__buf_printf(&text, &rc,
                       "--\nوصلتك هذه الرسالة لأنك اشتركت في نشرة خبر.\n"
                       "لإلغاء الاشتراك: %s\n",
                       unsub_url);
        kh__buf_printf(&html, &rc,
                       "<hr style=\"border:none;border-top:1px solid "
                       "#e4d9c3;margin:24px 0 8px;\"><p style=\"font-size:"
                       "12px;color:#7b8794;\">وصلتك هذه الرسالة لأنك "
                       "اشتركت في نشرة خبر. <a href=\"%s\" style=\"color:"
                       "#7b8794;\">إلغاء الاشتراك</a></p>",
                       unsub_url);
        kh__buf_puts(&html, html_close, &rc);
        kh_buf subject;
        kh__buf_init(&subject);
        kh__buf_puts(&subject, "خبر: ", &rc);
        count_news(&subject, total, &rc);
        if (n_q == 1) {
            kh__buf_puts(&subject, " عن «", &rc);
            kh__buf_puts(&subject, first_query, &rc);
            kh__buf_puts(&subject, "»", &rc);
        } else if (n_q == 2) {
            kh__buf_puts(&subject, " في بحثين محفوظين", &rc);
        } else {
            kh__buf_printf(&subject, &rc, " في %zu عمليات بحث محفوظة", n_q);
        }
        kh__buf_putc(&subject, '\0', &rc);
        if (rc == KH_OK) {
            head(al, &msg, email, subject.data, message_id, unsub_url, now,
                 boundary, &rc);
            parts(&msg, boundary, &text, &html, &rc);
        }
        kh__buf_release(&subject);
        int64_t out_id = 0;
        if (rc == KH_OK)
            rc = outbox_put(al, sub, "digest", message_id, email, &msg, now,
                            &out_id, err);
        for (size_t i = 0; i < n_q && rc == KH_OK; i++) {
            sqlite3_stmt *st = kh__alert_prep(
                al,
                "UPDATE match SET digest = ? WHERE query = ? AND digest IS "
                "NULL",
                err);
            sqlite3_stmt *st2 = kh__alert_prep(
                al, "UPDATE saved_query SET last_digest = ? WHERE id = ?", err);
            if (st == NULL || st2 == NULL) {
                rc = KH_EIO;
            } else {
                sqlite3_bind_int64(st, 1, out_id);
                sqlite3_bind_int64(st, 2, qids[i]);
                sqlite3_bind_int64(st2, 1, now);
                sqlite3_bind_int64(st2, 2, qids[i]);
                if (sqlite3_step(st) != SQLITE_DONE ||
                    sqlite3_step(st2) != SQLITE_DONE) {
                    kh__set_error(err, "subscriptions: %s",
                                  sqlite3_errmsg(al->db));
                    rc = KH_EIO;
                }
            }
            sqlite3_finalize(st);
            sqlite3_finalize(st2);
        }
        if (rc == KH_OK)
            *queued = 1;
    }
    kh__buf_release(&text);
    kh__buf_release(&html);
    kh__buf_release(&msg);
    if (rc == KH_ENOMEM)
        kh__set_error(err, "out of memory");
    return rc;
}

/* How often, in a sentence about a change of frequency. */
static const char *
frequency_text(const char *f)
{
    return strcmp(f, "immediate") == 0 ? "فور نشر الأخبار"
           : strcmp(f, "weekly") == 0  ? "مرة في الأسبوع"
                                       : "مرة في اليوم";
}

kh_status
kh__confirm_mail(kh_alerts *al, int64_t sub, const char *email, int64_t qid,
                 const char *query, uint32_t nonce, const char *frequency,
                 int64_t now, kh_error *err)
{
    char tok[KH_TOKEN_MAX];
    kh__token_make(al, KH_TOK_CONFIRM, qid, nonce, now + 7 * 86400, tok);
    char url[512];
    snprintf(url, sizeof url, "%s/confirm?t=%s", al->base_url, tok);
    kh_status rc = KH_OK;
    kh_buf text, html, msg, subject;
    kh__buf_init(&text);
    kh__buf_init(&html);
    kh__buf_init(&msg);
    kh__buf_init(&subject);
    kh__buf_puts(&subject,
                 frequency ? "خبر: أكّد تغيير موعد نشرتك عن «"
                           : "خبر: أكّد اشتراكك في «",
                 &rc);
    kh__buf_puts(&subject, query, &rc);
    kh__buf_puts(&subject, "»", &rc);
    kh__buf_putc(&subject, '\0', &rc);
    const char *ask = frequency
                          ? "طلب أحدهم بهذا العنوان تغيير موعد نشرة خبر عن «"
                          : "طلب أحدهم بهذا العنوان الاشتراك في نشرة خبر عن «";
    kh__buf_puts(&text, ask, &rc);
    kh__buf_puts(&text, query, &rc);
    kh__buf_puts(&text, "»", &rc);
    if (frequency != NULL)
        kh__buf_printf(&text, &rc, " لتصله %s", frequency_text(frequency));
    kh__buf_printf(&text, &rc,
                   ".\n\nلتأكيد %s افتح هذا الرابط (صالح سبعة أيام):\n"
                   "%s\n\nإن لم تطلب ذلك فتجاهل هذه الرسالة، %s\n",
                   frequency ? "التغيير" : "الاشتراك", url,
                   frequency ? "ولن يتغير شيء." : "ولن يصلك منا شيء.");
    kh__buf_puts(&html, html_open, &rc);
    kh__buf_puts(&html, "<p>", &rc);
    kh__buf_puts(&html, ask, &rc);
    kh__buf_puts(&html, "<bdi>", &rc);
    kh__buf_html_escape(&html, query, strlen(query), &rc);
    kh__buf_puts(&html, "</bdi>»", &rc);
    if (frequency != NULL)
        kh__buf_printf(&html, &rc, " لتصله %s", frequency_text(frequency));
    kh__buf_printf(&html, &rc,
                   ".</p><p><a href=\"%s\" style=\"display:inline-"
                   "block;background:#7a1f1f;color:#ffffff;padding:10px "
                   "20px;text-decoration:none;border-radius:4px;\">تأكيد "
                   "%s</a></p><p style=\"font-size:13px;color:"
                   "#52606d;\">الرابط صالح سبعة أيام. إن لم تطلب ذلك فتجاهل "
                   "هذه الرسالة، %s</p>",
                   url, frequency ? "التغيير" : "الاشتراك",
                   frequency ? "ولن يتغير شيء." : "ولن يصلك منا شيء.");
    kh__buf_puts(&html, html_close, &rc);
    char message_id[160], boundary[64];
    new_ids(al, "confirm", sub, now, message_id, boundary);
    if (rc == KH_OK) {
        head(al, &msg, email, subject.data, message_id, NULL, now, boundary,
             &rc);
        parts(&msg, boundary, &text, &html, &rc);
    }
    int64_t id;
    if (rc == KH_OK)
        rc = outbox_put(al, sub, "confirm", message_id, email, &msg, now, &id,
                        err);
    else
        kh__set_error(err, "out of memory");
    kh__buf_release(&text);
    kh__buf_release(&html);
    kh__buf_release(&msg);
    kh__buf_release(&subject);
    return rc;
}
