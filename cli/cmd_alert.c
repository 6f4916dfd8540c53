/*
 * cmd_alert.c -- `khabar subscribe`, `subscriptions` and `digest`: saved
 * searches and their newsletters (docs/alerts.md).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char subscribe_usage[] =
    "usage: khabar subscribe [--index DIR] [--frequency F] [--confirmed]\n"
    "                        [--base-url URL] [--from ADDRESS] EMAIL QUERY...\n"
    "Saves each QUERY (quote each one) for EMAIL, to be sent as a digest\n"
    "(F: immediate, daily (default) or weekly).  A confirmation mail is\n"
    "queued unless --confirmed says the address was confirmed elsewhere\n"
    "(an imported list); without --confirmed a new frequency for a\n"
    "confirmed search waits for the confirmation of its own mail.\n"
    "`khabar digest --send` sends what is queued.\n";

static const char list_usage[] =
    "usage: khabar subscriptions [--index DIR] [--json]\n"
    "Lists the saved searches: address, query, frequency, state, and the\n"
    "matches waiting for the next digest.\n";

static const char digest_usage[] =
    "usage: khabar digest [--index DIR] [--frequency F] [--print | --send]\n"
    "                     [--smtp URL] [--now DATE] [--base-url URL]\n"
    "                     [--from ADDRESS]\n"
    "Matches the articles ingested since the last run against the saved\n"
    "searches, writes the digests that are due (of frequency F, or all) to\n"
    "the outbox, then with --print prints the outbox's messages, with\n"
    "--send sends them over SMTP (--smtp, else $KHABAR_SMTP_URL;\n"
    "$KHABAR_SMTP_USER, $KHABAR_SMTP_PASSWORD, $KHABAR_SMTP_STARTTLS=1).\n"
    "--now (ISO 8601) stands in for the current time, for tests (also\n"
    "for what --send finds due).\n";

static const char *
env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && *v ? v : NULL;
}

/* The options the three commands share, and each one's own. */
typedef struct alert_args {
    const char *dir, *frequency, *base_url, *from, *smtp;
    int confirmed, json, print, send;
    int64_t now;
    int first;
} alert_args;

static int
parse(int argc, char **argv, const char *usage_text, alert_args *a)
{
    memset(a, 0, sizeof *a);
    a->base_url = env("KHABAR_BASE_URL");
    a->from = env("KHABAR_MAIL_FROM");
    a->smtp = env("KHABAR_SMTP_URL");
    a->now = (int64_t)time(NULL);
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *o = argv[i];
        int more = i + 1 < argc;
        if (strcmp(o, "--") == 0) {
            i++;
            break;
        } else if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(o, "--index") == 0 && more) {
            a->dir = argv[++i];
        } else if (strcmp(o, "--frequency") == 0 && more) {
            a->frequency = argv[++i];
            /* checked here, before a digest run does any work */
            if (strcmp(a->frequency, "immediate") != 0 &&
                strcmp(a->frequency, "daily") != 0 &&
                strcmp(a->frequency, "weekly") != 0) {
                cli_error("--frequency must be immediate, daily or weekly, "
                          "not '%s'",
                          a->frequency);
                return 2;
            }
        } else if (strcmp(o, "--base-url") == 0 && more) {
            a->base_url = argv[++i];
        } else if (strcmp(o, "--from") == 0 && more) {
            a->from = argv[++i];
        } else if (strcmp(o, "--smtp") == 0 && more) {
            a->smtp = argv[++i];
        } else if (strcmp(o, "--now") == 0 && more) {
            const char *v = argv[++i];
            if (kh_date_parse(v, strlen(v), &a->now) != KH_OK) {
                cli_error("--now: '%s' is not an ISO 8601 date", v);
                return 2;
            }
        } else if (strcmp(o, "--confirmed") == 0) {
            a->confirmed = 1;
        } else if (strcmp(o, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(o, "--print") == 0) {
            a->print = 1;
        } else if (strcmp(o, "--send") == 0) {
            a->send = 1;
        } else {
            fputs(usage_text, stderr);
            return 2;
        }
    }
    a->first = i;
    a->dir = cli_index_dir(a->dir);
    return -1;
}

/* The subscriptions of the index, or NULL with a message; with no_create
 * NULL and *none set when the index has none yet. */
static kh_alerts *
open_alerts(const alert_args *a, int no_create, int *none)
{
    kh_alerts_options o = {a->base_url, a->from, env("KHABAR_SECRET"),
                           no_create};
    kh_alerts *al;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_alerts_open(a->dir, &o, &al, &err);
    if (rc == KH_ENOTFOUND && none != NULL) {
        *none = 1;
        return NULL;
    }
    if (rc != KH_OK) {
        cli_error("%s", err.message);
        return NULL;
    }
    return al;
}

int
kh_cmd_subscribe(int argc, char **argv)
{
    alert_args a;
    int st = parse(argc, argv, subscribe_usage, &a);
    if (st >= 0)
        return st;
    if (argc - a.first < 2) {
        fputs(subscribe_usage, stderr);
        return 2;
    }
    /* The index must exist: queries are analyzed with its stemmer. */
    kh_index *ix = cli_open_index(a.dir, 0, 0, 0);
    if (ix == NULL)
        return 1;
    kh_index_close(ix);
    kh_alerts *al = open_alerts(&a, 0, NULL);
    if (al == NULL)
        return 1;
    int status = 0;
    const char *email = argv[a.first];
    for (int i = a.first + 1; i < argc; i++) {
        kh_error err;
        memset(&err, 0, sizeof err);
        kh_subscribe_outcome what;
        if (kh_alerts_subscribe(al, email, argv[i], a.frequency, a.confirmed,
                                &what, &err) != KH_OK) {
            cli_error("%s", err.message);
            status = 1;
            continue;
        }
        /* What the library did, not what it might have done. */
        const char *said =
            what == KH_SUBSCRIBE_SET      ? "confirmed"
            : what == KH_SUBSCRIBE_MAILED ? "a confirmation mail is queued"
            : what == KH_SUBSCRIBE_CHANGE_MAILED
                ? "a mail to confirm the change of frequency is queued"
            : what == KH_SUBSCRIBE_THROTTLED
                ? "awaiting confirmation; its mail went less than 10 minutes "
                  "ago, none queued now"
                : "already confirmed at this frequency, nothing changed";
        printf("%s: «%s», %s, %s\n", email, argv[i],
               a.frequency ? a.frequency : "daily", said);
    }
    kh_alerts_close(al);
    return status;
}

static int
print_sub(const kh_subscription *s, void *ud)
{
    int json = *(int *)ud;
    const char *state = s->unsubscribed ? "unsubscribed"
                        : s->confirmed  ? "confirmed"
                                        : "unconfirmed";
    if (json) {
        kh_buf b;
        kh_status rc = KH_OK;
        kh__buf_init(&b);
        kh__buf_printf(&b, &rc, "{\"id\":%lld,\"email\":\"", (long long)s->id);
        kh__buf_json_escape(&b, s->email, strlen(s->email), &rc);
        kh__buf_puts(&b, "\",\"query\":\"", &rc);
        kh__buf_json_escape(&b, s->query, strlen(s->query), &rc);
        kh__buf_printf(&b, &rc,
                       "\",\"frequency\":\"%s\",\"state\":\"%s\","
                       "\"pending\":%lld",
                       s->frequency, state, (long long)s->pending);
        if (s->requested_frequency != NULL)
            kh__buf_printf(&b, &rc, ",\"requested_frequency\":\"%s\"",
                           s->requested_frequency);
        kh__buf_puts(&b, "}\n", &rc);
        if (rc == KH_OK)
            fwrite(b.data, 1, b.len, stdout);
        kh__buf_release(&b);
    } else {
        printf("%-4lld %-30s %-10s %-12s %4lld pending  «%s»", (long long)s->id,
               s->email, s->frequency, state, (long long)s->pending, s->query);
        if (s->requested_frequency != NULL)
            printf("  (%s asked, unconfirmed)", s->requested_frequency);
        printf("\n");
    }
    return 0;
}

int
kh_cmd_subscriptions(int argc, char **argv)
{
    alert_args a;
    int st = parse(argc, argv, list_usage, &a);
    if (st >= 0)
        return st;
    if (a.first != argc) {
        fputs(list_usage, stderr);
        return 2;
    }
    /* A listing only reads: an index without subscriptions lists none
     * (and gets no subscriptions.db). */
    int none = 0;
    kh_alerts *al = open_alerts(&a, 1, &none);
    if (al == NULL && none) {
        kh_index *ix = cli_open_index(a.dir, 0, 0, 0);
        if (ix == NULL)
            return 1;
        kh_index_close(ix);
        return 0;
    }
    if (al == NULL)
        return 1;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_alerts_list(al, print_sub, &a.json, &err);
    if (rc != KH_OK)
        cli_error("%s", err.message);
    kh_alerts_close(al);
    return rc == KH_OK ? 0 : 1;
}

static int
print_message(const char *rcpt, const char *msg, size_t len, const char *state,
              void *ud)
{
    (void)ud;
    printf("==== to %s (%s), %zu bytes\n", rcpt, state, len);
    fwrite(msg, 1, len, stdout);
    printf("\n");
    return 0;
}

int
kh_cmd_digest(int argc, char **argv)
{
    alert_args a;
    int st = parse(argc, argv, digest_usage, &a);
    if (st >= 0)
        return st;
    if (a.first != argc || (a.print && a.send)) {
        fputs(digest_usage, stderr);
        return 2;
    }
    if (a.send && a.smtp == NULL) {
        cli_error("--send needs an SMTP server: --smtp URL or "
                  "$KHABAR_SMTP_URL");
        return 2;
    }
    kh_index *ix = cli_open_index(a.dir, 0, 0, 0);
    if (ix == NULL)
        return 1;
    kh_alerts *al = open_alerts(&a, 0, NULL);
    if (al == NULL) {
        kh_index_close(ix);
        return 1;
    }
    kh_error err;
    memset(&err, 0, sizeof err);
    size_t matched = 0, queued = 0, sent = 0, failed = 0;
    kh_status rc = kh_alerts_match(al, ix, &matched, &err);
    if (rc == KH_OK)
        rc = kh_alerts_digest(al, ix, a.frequency, a.now, &queued, &err);
    if (rc == KH_OK && a.print)
        rc = kh_alerts_outbox(al, print_message, NULL, &err);
    if (rc == KH_OK && a.send) {
        kh_smtp_options so = {a.smtp,
                              env("KHABAR_SMTP_USER"),
                              env("KHABAR_SMTP_PASSWORD"),
                              env("KHABAR_SMTP_STARTTLS") != NULL,
                              0,
                              0};
        /* --now stands in for the clock here too: what the digest
         * queued at that time is due then. */
        rc = kh_alerts_send(al, &so, a.now, &sent, &failed, &err);
    }
    if (rc != KH_OK)
        cli_error("%s", err.message);
    fprintf(stderr, "digest: %zu new matches, %zu digests queued%s", matched,
            queued, a.send ? "" : "\n");
    if (a.send)
        fprintf(stderr, ", %zu messages sent, %zu failed%s%s\n", sent, failed,
                failed ? ": " : "", failed ? err.message : "");
    kh_alerts_close(al);
    kh_index_close(ix);
    return rc == KH_OK && failed == 0 ? 0 : 1;
}
