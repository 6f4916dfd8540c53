/*
 * http.c -- `khabar serve`: libmicrohttpd's thread pool in front of
 * srv_handle().
 *
 * Limits keep a bad client from hurting the others: request headers fit in
 * a connection's memory pool (MHD answers 431 past it), bodies stop at
 * SRV_MAX_BODY (413, told from Content-Length before reading when it is
 * given), an idle connection is closed after CONN_TIMEOUT seconds (slow
 * clients), and there are at most MAX_CONNS connections.
 */
#include "server.h"
#include "../cli/cli.h"

#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONN_MEMORY  (32u << 10) /* per connection: headers and buffers */
#define CONN_TIMEOUT 30          /* seconds, default of --timeout */
#define MAX_CONNS    1024
#define WRITER_IDLE  5.0 /* seconds before the writer lets the lock go */

static const char usage_text[] =
    "usage: khabar serve [--index DIR] [--listen HOST:PORT] [--threads N]\n"
    "                    [--token TOKEN] [--timeout S] [--smtp URL]\n"
    "                    [--base-url URL] [--from ADDRESS] [--mail-every S]\n"
    "Serves the index over HTTP: the JSON API, Atom feeds of searches and\n"
    "the Arabic web UI (docs/api.md).  --listen defaults to 127.0.0.1:8080\n"
    "(port 0: any free port); --threads to the number of cores.  POST\n"
    "/api/articles needs the token (--token, else $KHABAR_TOKEN); without\n"
    "one, ingest over HTTP is off.  A connection idle for --timeout seconds\n"
    "(default 30) is closed.\n"
    "With --smtp (or $KHABAR_SMTP_URL, e.g. smtp://127.0.0.1:25), every\n"
    "--mail-every seconds (default 5) new articles are matched against the\n"
    "saved searches and due digests and confirmations are sent\n"
    "(docs/alerts.md; $KHABAR_SMTP_USER, $KHABAR_SMTP_PASSWORD,\n"
    "$KHABAR_SMTP_STARTTLS=1).  Links in mails start with --base-url\n"
    "($KHABAR_BASE_URL, default http://HOST:PORT of --listen).\n";

/* An argument's value with its NUL bytes made spaces, and the value it
 * stands for. */
typedef struct arg_copy {
    const char *from; /* libmicrohttpd's, which a NUL cut short */
    char *value;      /* owned */
} arg_copy;

/* One request's state across libmicrohttpd's calls. */
typedef struct conn_state {
    double start;
    kh_buf body;
    int too_large;
    struct MHD_Connection *c;
    arg_copy *args; /* the arguments read that held NUL bytes */
    size_t n_args;
} conn_state;

static const char *
get_arg(void *ctx, const char *name)
{
    conn_state *st = ctx;
    const char *v = NULL;
    size_t n = 0;
    if (MHD_lookup_connection_value_n(st->c, MHD_GET_ARGUMENT_KIND, name,
                                      strlen(name), &v, &n) != MHD_YES ||
        v == NULL || memchr(v, '\0', n) == NULL)
        return v;
    /* A %00 ends the C string early: q=a%00b searched only a.  NUL is
     * white space in a query (docs/query.md), and a space makes any other
     * value as invalid as the NUL did, so each NUL becomes one. */
    for (size_t i = 0; i < st->n_args; i++)
        if (st->args[i].from == v)
            return st->args[i].value;
    arg_copy *a = kh_realloc(st->args, (st->n_args + 1) * sizeof *a);
    if (a == NULL)
        return NULL;
    st->args = a;
    char *copy = kh_malloc(n + 1);
    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        copy[i] = v[i] == '\0' ? ' ' : v[i];
    copy[n] = '\0';
    st->args[st->n_args++] = (arg_copy){v, copy};
    return copy;
}

static const char *
get_header(void *ctx, const char *name)
{
    conn_state *st = ctx;
    return MHD_lookup_connection_value(st->c, MHD_HEADER_KIND, name);
}

static enum MHD_Result
send_response(struct MHD_Connection *c, const srv_resp *r)
{
    struct MHD_Response *resp =
        r->fixed != NULL
            ? MHD_create_response_from_buffer(r->fixed_len, (void *)r->fixed,
                                              MHD_RESPMEM_PERSISTENT)
            : MHD_create_response_from_buffer(r->body.len, r->body.data,
                                              MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", r->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (strncmp(r->content_type, "text/html", 9) == 0)
        MHD_add_response_header(
            resp, "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; "
            "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    if (r->cache_control != NULL)
        MHD_add_response_header(resp, "Cache-Control", r->cache_control);
    else
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->allow != NULL)
        MHD_add_response_header(resp, "Allow", r->allow);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Answers before the body is read (a declared body too large). */
static enum MHD_Result
refuse(srv *s, struct MHD_Connection *c, conn_state *st, int status,
       const char *msg)
{
    srv_resp r;
    memset(&r, 0, sizeof r);
    kh__buf_init(&r.body);
    r.route = SRV_R_OTHER;
    srv_error(&r, status, NULL, "%s", msg);
    enum MHD_Result ret = send_response(c, &r);
    srv_metrics_observe(&s->metrics, r.route, r.status, srv_now() - st->start);
    srv_resp_release(&r);
    return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **con_cls)
{
    (void)version;
    srv *s = cls;
    conn_state *st = *con_cls;
    if (st == NULL) {
        st = kh_malloc(sizeof *st);
        if (st == NULL)
            return MHD_NO;
        st->start = srv_now();
        kh__buf_init(&st->body);
        st->too_large = 0;
        st->c = c;
        st->args = NULL;
        st->n_args = 0;
        *con_cls = st;
        const char *cl = MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > SRV_MAX_BODY)
            return refuse(s, c, st, 413,
                          "the body is too large (8 MB at most)");
        /* Called again with the body, if any, then once more with none. */
        return MHD_YES;
    }
    if (*upload_size > 0) {
        kh_status rc = KH_OK;
        if (!st->too_large && st->body.len + *upload_size <= SRV_MAX_BODY)
            kh__buf_append(&st->body, upload, *upload_size, &rc);
        else
            st->too_large = 1;
        if (rc != KH_OK)
            st->too_large = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->too_large)
        return refuse(s, c, st, 413, "the body is too large (8 MB at most)");
    kh_status rc = KH_OK;
    kh__buf_putc(&st->body, '\0', &rc); /* bodies are read as strings too */
    srv_req q = {method,
                 url,
                 get_arg,
                 get_header,
                 st,
                 rc == KH_OK ? st->body.data : NULL,
                 st->body.len > 0 ? st->body.len - 1 : 0};
    srv_resp r;
    srv_handle(s, &q, &r);
    enum MHD_Result ret = send_response(c, &r);
    srv_metrics_observe(&s->metrics, r.route, r.status, srv_now() - st->start);
    srv_resp_release(&r);
    return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    conn_state *st = *con_cls;
    if (st != NULL) {
        kh__buf_release(&st->body);
        for (size_t i = 0; i < st->n_args; i++)
            kh_free(st->args[i].value);
        kh_free(st->args);
        kh_free(st);
        *con_cls = NULL;
    }
}

static volatile sig_atomic_t stopping;

static long mail_every = 5;

/* Closes the writer after WRITER_IDLE quiet seconds; runs the mailer. */
static void *
housekeeping(void *arg)
{
    srv *s = arg;
    long tick = 0;
    while (!stopping) {
        sleep(1);
        srv_writer_idle(s, WRITER_IDLE);
        if (s->smtp.url != NULL && ++tick % mail_every == 0)
            srv_mail_round(s);
    }
    return NULL;
}

static const char *
env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && *v ? v : NULL;
}

/* libmicrohttpd's messages, as ours: "khabar: http: ...".  A failed bind
 * is left to the message that names --listen (the library said "port 0":
 * it is given the address, not the port). */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (strncmp(fmt, "Failed to bind", 14) == 0)
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    fprintf(stderr, "khabar: http: %s\n", msg);
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT" into an address. */
static int
parse_listen(const char *spec, struct addrinfo **out)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    if (colon == NULL || colon[1] == '\0' ||
        (size_t)(colon - spec) >= sizeof host)
        return -1;
    size_t hl = (size_t)(colon - spec);
    const char *h = spec;
    if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
        h = spec + 1;
        hl -= 2;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535)
        return -1;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    return getaddrinfo(hl ? host : NULL, colon + 1, &hints, out) == 0 ? 0 : -1;
}

int
kh_cmd_serve(int argc, char **argv)
{
    const char *dir = NULL, *listen = "127.0.0.1:8080";
    const char *token = getenv("KHABAR_TOKEN");
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    long timeout = CONN_TIMEOUT;
    const char *smtp = env("KHABAR_SMTP_URL"),
               *base_url = env("KHABAR_BASE_URL");
    const char *from = env("KHABAR_MAIL_FROM");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(a, "--index") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(a, "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (strcmp(a, "--token") == 0 && i + 1 < argc) {
            token = argv[++i];
        } else if (strcmp(a, "--smtp") == 0 && i + 1 < argc) {
            smtp = argv[++i];
        } else if (strcmp(a, "--base-url") == 0 && i + 1 < argc) {
            base_url = argv[++i];
        } else if (strcmp(a, "--from") == 0 && i + 1 < argc) {
            from = argv[++i];
        } else if (strcmp(a, "--mail-every") == 0 && i + 1 < argc) {
            char *end;
            mail_every = strtol(argv[++i], &end, 10);
            if (*end != '\0' || mail_every < 1 || mail_every > 86400) {
                cli_error("--mail-every: seconds, from 1 to 86400");
                return 2;
            }
        } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
            char *end;
            timeout = strtol(argv[++i], &end, 10);
            if (*end != '\0' || timeout < 1 || timeout > 3600) {
                cli_error("--timeout: seconds, from 1 to 3600");
                return 2;
            }
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            char *end;
            threads = strtol(argv[++i], &end, 10);
            if (*end != '\0' || threads < 1 || threads > 256) {
                cli_error("--threads: a number from 1 to 256");
                return 2;
            }
        } else {
            fputs(usage_text, stderr);
            return 2;
        }
    }
    if (threads < 1)
        threads = 1;
    dir = cli_index_dir(dir);
    struct addrinfo *ai;
    if (parse_listen(listen, &ai) != 0) {
        cli_error("--listen: '%s' is not HOST:PORT", listen);
        return 2;
    }
    srv s;
    kh_error err;
    memset(&err, 0, sizeof err);
    if (srv_init(&s, dir, token, &err) != KH_OK) {
        cli_error("%s", err.message);
        freeaddrinfo(ai);
        return 1;
    }
    srv_assets_load();

    /* Worker threads inherit this mask; the main thread waits for the
     * signals with sigwait. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Everything a request may read is set before the first can come:
     * with port 0 only the printed line tells the port, so the base URL
     * is completed after the start, before that line. */
    char host[256], self[300];
    const char *colon = strrchr(listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    snprintf(self, sizeof self, "http://%s:%s", host[0] ? host : "127.0.0.1",
             colon + 1);
    s.alert_opts.base_url = base_url != NULL ? base_url : self;
    s.alert_opts.from = from;
    s.alert_opts.secret = env("KHABAR_SECRET");
    s.smtp.url = smtp;
    s.smtp.user = env("KHABAR_SMTP_USER");
    s.smtp.password = env("KHABAR_SMTP_PASSWORD");
    s.smtp.starttls = env("KHABAR_SMTP_STARTTLS") != NULL;

    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)timeout,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNS,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (d == NULL) {
        cli_error("cannot listen on %s (in use, or not an address here)",
                  listen);
        srv_assets_free();
        srv_destroy(&s);
        return 1;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(self, sizeof self, "http://%s:%u", host[0] ? host : "127.0.0.1",
             info ? info->port : 0);
    printf("khabar: serving %s/ (index %s, %ld threads%s%s)\n", self, dir,
           threads, smtp ? ", mail through " : "", smtp ? smtp : "");
    fflush(stdout);

    pthread_t hk;
    int hk_ok = pthread_create(&hk, NULL, housekeeping, &s) == 0;
    int sig = 0;
    sigwait(&sigs, &sig);
    stopping = 1;
    fprintf(stderr, "khabar: stopping (signal %d)\n", sig);
    MHD_stop_daemon(d);
    if (hk_ok)
        pthread_join(hk, NULL);
    srv_assets_free();
    srv_destroy(&s);
    return 0;
}
