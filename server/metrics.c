/*
 * metrics.c -- counters and latency histograms, in the Prometheus text
 * format (version 0.0.4).  Lock-free: a request adds to atomics.
 */
#include "server.h"

#include <string.h>

static const char *const route_names[SRV_N_ROUTES] = {
    "search",   "article", "related",   "story",   "entities",
    "timeline", "ingest",  "subscribe", "confirm", "unsubscribe",
    "feed",     "health",  "metrics",   "static",  "other"};

static const double bucket_bounds[SRV_N_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0};

void
srv_metrics_observe(srv_metrics *m, srv_route route, int status, double seconds)
{
    int cls = status / 100;
    if (cls < 1 || cls > 5)
        cls = 5;
    atomic_fetch_add(&m->requests[route][cls], 1);
    int i = 0;
    while (i < SRV_N_BUCKETS && seconds > bucket_bounds[i])
        i++;
    atomic_fetch_add(&m->buckets[route][i], 1);
    atomic_fetch_add(&m->micros[route], (unsigned long)(seconds * 1e6));
}

void
srv_metrics_render(srv *s, srv_resp *r)
{
    srv_metrics *m = &s->metrics;
    kh_buf *b = &r->body;
    kh_status rc = KH_OK;
    kh__buf_puts(b,
                 "# HELP khabar_http_requests_total HTTP requests answered, "
                 "by route and status class.\n"
                 "# TYPE khabar_http_requests_total counter\n",
                 &rc);
    for (int i = 0; i < SRV_N_ROUTES; i++)
        for (int c = 1; c <= 5; c++) {
            unsigned long v = atomic_load(&m->requests[i][c]);
            if (v > 0)
                kh__buf_printf(b, &rc,
                               "khabar_http_requests_total{route=\"%s\","
                               "code=\"%dxx\"} %lu\n",
                               route_names[i], c, v);
        }
    kh__buf_puts(b,
                 "# HELP khabar_http_request_duration_seconds Time to "
                 "answer a request.\n"
                 "# TYPE khabar_http_request_duration_seconds histogram\n",
                 &rc);
    for (int i = 0; i < SRV_N_ROUTES; i++) {
        unsigned long cum = 0;
        for (int k = 0; k <= SRV_N_BUCKETS; k++) {
            cum += atomic_load(&m->buckets[i][k]);
            if (k < SRV_N_BUCKETS)
                kh__buf_printf(b, &rc,
                               "khabar_http_request_duration_seconds_bucket"
                               "{route=\"%s\",le=\"%g\"} %lu\n",
                               route_names[i], bucket_bounds[k], cum);
            else
                kh__buf_printf(b, &rc,
                               "khabar_http_request_duration_seconds_bucket"
                               "{route=\"%s\",le=\"+Inf\"} %lu\n",
                               route_names[i], cum);
        }
        kh__buf_printf(
            b, &rc,
            "khabar_http_request_duration_seconds_sum{route=\"%s\"}"
            " %.6f\n"
            "khabar_http_request_duration_seconds_count{route=\"%s\"}"
            " %lu\n",
            route_names[i], (double)atomic_load(&m->micros[i]) / 1e6,
            route_names[i], cum);
    }
    kh__buf_printf(b, &rc,
                   "# HELP khabar_ingested_articles_total Articles added "
                   "through POST /api/articles.\n"
                   "# TYPE khabar_ingested_articles_total counter\n"
                   "khabar_ingested_articles_total %lu\n"
                   "# HELP khabar_replaced_articles_total Of those, updates of "
                   "an article already there.\n"
                   "# TYPE khabar_replaced_articles_total counter\n"
                   "khabar_replaced_articles_total %lu\n"
                   "# HELP khabar_subscription_requests_total Subscription "
                   "requests accepted.\n"
                   "# TYPE khabar_subscription_requests_total counter\n"
                   "khabar_subscription_requests_total %lu\n"
                   "# HELP khabar_mails_total Mails handed to the SMTP "
                   "server, and failed attempts.\n"
                   "# TYPE khabar_mails_total counter\n"
                   "khabar_mails_total{outcome=\"sent\"} %lu\n"
                   "khabar_mails_total{outcome=\"failed\"} %lu\n"
                   "# HELP khabar_uptime_seconds Seconds since the start.\n"
                   "# TYPE khabar_uptime_seconds gauge\n"
                   "khabar_uptime_seconds %.0f\n",
                   atomic_load(&m->ingested), atomic_load(&m->replaced),
                   atomic_load(&m->subscriptions), atomic_load(&m->mails_sent),
                   atomic_load(&m->mails_failed), srv_now() - s->started);
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_index *ix = srv_reader_get(s, &err);
    kh_index_stats st;
    if (ix != NULL && kh_index_stats_get(ix, &st, &err) == KH_OK)
        kh__buf_printf(
            b, &rc,
            "# HELP khabar_index_articles Live articles in the index.\n"
            "# TYPE khabar_index_articles gauge\n"
            "khabar_index_articles %llu\n"
            "# HELP khabar_index_segments Segments in the index.\n"
            "# TYPE khabar_index_segments gauge\n"
            "khabar_index_segments %llu\n"
            "# HELP khabar_index_bytes Bytes on disk, by part.\n"
            "# TYPE khabar_index_bytes gauge\n"
            "khabar_index_bytes{part=\"postings\"} %llu\n"
            "khabar_index_bytes{part=\"store\"} %llu\n",
            (unsigned long long)st.articles, (unsigned long long)st.segments,
            (unsigned long long)st.postings_bytes,
            (unsigned long long)st.store_bytes);
    if (rc != KH_OK) {
        srv_error(r, 500, NULL, "out of memory");
        return;
    }
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
