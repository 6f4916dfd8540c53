/*
 * pages.c -- the pages behind the links of mails: confirming a saved
 * search, and unsubscribing (RFC 8058: a GET shows a button, only a POST
 * unsubscribes, so that a mail scanner following links cannot).
 */
#include "server.h"

#include <string.h>

void
srv_page(srv_resp *r, int status, const char *title, const char *body_html)
{
    kh_status rc = KH_OK;
    kh__buf_reset(&r->body);
    r->fixed = NULL;
    r->status = status;
    r->content_type = "text/html; charset=utf-8";
    kh__buf_puts(&r->body,
                 "<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\"><head>"
                 "<meta charset=\"utf-8\"><meta name=\"viewport\" "
                 "content=\"width=device-width, initial-scale=1\"><title>",
                 &rc);
    kh__buf_puts(&r->body, title, &rc);
    kh__buf_puts(&r->body,
                 " — خبر</title><link rel=\"stylesheet\" "
                 "href=\"/static/style.css\"></head><body><main "
                 "class=\"page-message\" style=\"max-width:40rem;margin:3rem "
                 "auto;padding:0 1rem;\"><h1>",
                 &rc);
    kh__buf_puts(&r->body, title, &rc);
    kh__buf_puts(&r->body, "</h1>", &rc);
    kh__buf_puts(&r->body, body_html, &rc);
    kh__buf_puts(&r->body,
                 "<p><a href=\"/\">الصفحة الرئيسية</a></p></main></body>"
                 "</html>\n",
                 &rc);
    if (rc != KH_OK) {
        kh__buf_reset(&r->body);
        r->status = 500;
    }
}

/* Why the library refused a link (alerts.c, token.c), said in Arabic. */
static const char *
link_reason(const char *msg)
{
    static const struct {
        const char *en, *ar;
    } reasons[] = {
        {"this link was already used", "استُخدم هذا الرابط من قبل."},
        {"this link is no longer valid",
         "لم يعد هذا الرابط صالحًا: ربما أُلغي الاشتراك."},
        {"this link is not valid",
         "هذا الرابط غير صالح: ربما تغيّر أو نقص جزء منه عند نسخه."},
        {"this link is for something else", "هذا الرابط لغرض آخر."},
        {"this link has expired",
         "انتهت صلاحية هذا الرابط. اشترك من جديد لتصلك رسالة جديدة."},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (strncmp(msg, reasons[i].en, strlen(reasons[i].en)) == 0)
            return reasons[i].ar;
    return "هذا الرابط غير صالح.";
}

/* A refused link, in a page: the reason in Arabic, the library's words
 * in data-reason. */
static void
link_error(srv_resp *r, const char *title, const kh_error *err)
{
    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = KH_OK;
    kh__buf_puts(&b, "<p id=\"result\" data-ok=\"0\" data-reason=\"", &rc);
    kh__buf_html_escape(&b, err->message, strlen(err->message), &rc);
    kh__buf_puts(&b, "\">تعذّر ذلك: ", &rc);
    kh__buf_puts(&b, link_reason(err->message), &rc);
    kh__buf_puts(&b, "</p>", &rc);
    kh__buf_putc(&b, '\0', &rc);
    srv_page(r, 400, title, rc == KH_OK ? b.data : "");
    kh__buf_release(&b);
}

/* Runs fn (what a link does, or its check) on token under the alerts
 * lock, its status in *rc; -1 with the 503 page, titled title, when the
 * subscriptions cannot be opened. */
static int
with_alerts(srv *s, srv_resp *r, const char *title,
            kh_status (*fn)(kh_alerts *, const char *, kh_error *),
            const char *token, kh_error *err, kh_status *rc)
{
    memset(err, 0, sizeof *err);
    kh_alerts *al = srv_alerts_lock(s, err);
    if (al == NULL) {
        srv_page(r, 503, title,
                 "<p>الاشتراكات غير متاحة الآن. حاول لاحقًا.</p>");
        return -1;
    }
    *rc = fn(al, token, err);
    srv_alerts_unlock(s);
    return 0;
}

void
srv_page_confirm(srv *s, const srv_req *q, srv_resp *r)
{
    const char *t = q->arg(q->ctx, "t");
    kh_error err;
    kh_status rc;
    if (with_alerts(s, r, "تأكيد الاشتراك", kh_alerts_confirm, t, &err, &rc) !=
        0)
        return;
    if (rc == KH_OK)
        srv_page(r, 200, "تم تأكيد اشتراكك",
                 "<p id=\"result\" data-ok=\"1\">شكرًا لك. ستصلك أخبار "
                 "بحثك المحفوظ بحسب التكرار الذي اخترته.</p>");
    else if (rc == KH_EINVAL)
        link_error(r, "تأكيد الاشتراك", &err);
    else
        srv_page(r, 503, "تأكيد الاشتراك",
                 "<p>تعذّر حفظ التأكيد الآن. حاول لاحقًا.</p>");
}

void
srv_page_unsubscribe(srv *s, const srv_req *q, srv_resp *r)
{
    const char *t = q->arg(q->ctx, "t");
    if (strcmp(q->method, "POST") != 0) {
        /* A form that posts the token back: one click for a person, none
         * for a link checker; only for a link that would work. */
        kh_error err;
        kh_status rc;
        if (with_alerts(s, r, "إلغاء الاشتراك", kh_alerts_unsubscribe_check, t,
                        &err, &rc) != 0)
            return;
        if (rc == KH_EINVAL) {
            link_error(r, "إلغاء الاشتراك", &err);
            return;
        }
        kh_buf b;
        kh__buf_init(&b);
        rc = KH_OK;
        kh__buf_puts(&b,
                     "<p>هل تريد إيقاف رسائل خبر إلى هذا العنوان؟</p>"
                     "<form method=\"post\" action=\"/unsubscribe?t=",
                     &rc);
        for (const char *p = t ? t : ""; *p; p++)
            if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
                kh__buf_putc(&b, *p, &rc);
        kh__buf_puts(&b,
                     "\"><button type=\"submit\" id=\"unsubscribe\">إلغاء "
                     "الاشتراك</button></form>",
                     &rc);
        kh__buf_putc(&b, '\0', &rc);
        srv_page(r, 200, "إلغاء الاشتراك", rc == KH_OK ? b.data : "");
        kh__buf_release(&b);
        return;
    }
    kh_error err;
    kh_status rc;
    if (with_alerts(s, r, "إلغاء الاشتراك", kh_alerts_unsubscribe, t, &err,
                    &rc) != 0)
        return;
    if (rc == KH_OK)
        srv_page(r, 200, "تم إلغاء اشتراكك",
                 "<p id=\"result\" data-ok=\"1\">لن تصلك منا رسائل بعد "
                 "اليوم.</p>");
    else if (rc == KH_EINVAL)
        link_error(r, "إلغاء الاشتراك", &err);
    else
        srv_page(r, 503, "إلغاء الاشتراك", "<p>تعذّر ذلك الآن. حاول لاحقًا.</p>");
}
