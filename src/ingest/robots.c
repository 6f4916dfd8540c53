/*
 * robots.c -- robots.txt (RFC 9309): which paths one crawler may fetch.
 *
 * The file is read line by line; a line is "field: value # comment".  A
 * run of User-agent lines opens a group, the rules after it belong to the
 * group, and the next User-agent line after a rule opens another.  The
 * groups naming our product token (without case, the token being the
 * value up to a space or "/") are merged; when none does, the "*" groups
 * are; when neither exists, everything is allowed.  Unknown fields and
 * junk are skipped, never an error: a server's typo must not stop us from
 * reading the rest.
 *
 * Paths and patterns are compared after the same normalization: %xx
 * escapes of unreserved characters decoded, the others upper-cased, and
 * bytes outside printable ASCII escaped, so "/a%7eb" and "/a~b" meet.
 * Matching is a greedy wildcard match with one backtracking point (linear
 * in practice, O(pattern x path) at worst), and both sides are bounded:
 * the file to 500 KiB, a path to 4 KiB.
 */
#include "ingest/fetch.h"

#include <stdlib.h>
#include <string.h>

#define ROBOTS_MAX_BYTES (500 * 1024)
#define ROBOTS_MAX_PATH  4096

typedef struct rule {
    char *pattern; /* normalized; a final '$' anchors */
    size_t len;
    int allow;
} rule;

typedef struct rules {
    rule *v;
    size_t n, cap;
    double delay; /* Crawl-delay, or -1 */
} rules;

struct kh_robots {
    rules use; /* the merged groups that apply */
    int fixed; /* -1: none; 0 deny all; 1 allow all */
};

static int
lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
unreserved(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends the normalized form of s[0..len) to b (see the file comment). */
static void
normalize(kh_buf *b, const char *s, size_t len, kh_status *rc)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
            hexval(s[i + 2]) >= 0) {
            int v = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            if (unreserved(v)) {
                kh__buf_putc(b, (char)v, rc);
            } else {
                char e[3] = {'%', hex[v >> 4], hex[v & 15]};
                kh__buf_append(b, e, 3, rc);
            }
            i += 2;
        } else if (c <= 0x20 || c >= 0x7f) {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            kh__buf_append(b, e, 3, rc);
        } else {
            kh__buf_putc(b, (char)c, rc);
        }
    }
}

static kh_status
add_rule(rules *rs, const char *v, size_t len, int allow)
{
    kh_status rc = KH_OK;
    kh_buf b;
    kh__buf_init(&b);
    /* A pattern that starts with neither "/" nor "*" is read as a path
     * (servers write "Disallow: private/"). */
    if (v[0] != '/' && v[0] != '*')
        kh__buf_putc(&b, '/', &rc);
    normalize(&b, v, len, &rc);
    if (rc != KH_OK) {
        kh__buf_release(&b);
        return rc;
    }
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 16;
        rule *nv = kh_realloc(rs->v, cap * sizeof *nv);
        if (nv == NULL) {
            kh__buf_release(&b);
            return KH_ENOMEM;
        }
        rs->v = nv;
        rs->cap = cap;
    }
    rule *r = &rs->v[rs->n++];
    r->pattern = kh__buf_detach(&b, &r->len, &rc);
    r->allow = allow;
    return rc;
}

static void
rules_release(rules *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        kh_free(rs->v[i].pattern);
    kh_free(rs->v);
    memset(rs, 0, sizeof *rs);
}

/* Whether the User-agent value v[0..len) names agent. */
static int
names_agent(const char *v, size_t len, const char *agent)
{
    size_t n = 0;
    while (n < len && v[n] != ' ' && v[n] != '\t' && v[n] != '/')
        n++;
    if (n != strlen(agent))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)v[i]) != lower((unsigned char)agent[i]))
            return 0;
    return 1;
}

/* Whether the field name k[0..len) is one of the spellings in names
 * (NUL-separated, ending with an empty one), without case. */
static int
field_is(const char *k, size_t len, const char *names)
{
    for (const char *n = names; *n; n += strlen(n) + 1) {
        if (strlen(n) != len)
            continue;
        size_t i = 0;
        while (i < len && lower((unsigned char)k[i]) == n[i])
            i++;
        if (i == len)
            return 1;
    }
    return 0;
}

static void
trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static double
parse_delay(const char *v, size_t len)
{
    char tmp[32];
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    char *end;
    double d = strtod(tmp, &end);
    if (end == tmp || *end != '\0' || !(d >= 0) || d > 86400)
        return -1;
    return d;
}

kh_status
kh__robots_parse(const char *txt, size_t len, const char *agent,
                 kh_robots **out)
{
    *out = NULL;
    kh_robots *r = kh_malloc(sizeof *r);
    if (r == NULL)
        return KH_ENOMEM;
    memset(r, 0, sizeof *r);
    r->fixed = -1;
    rules mine, star;
    memset(&mine, 0, sizeof mine);
    memset(&star, 0, sizeof star);
    mine.delay = star.delay = -1;
    int have_mine = 0, have_star = 0;
    /* The group being read: does it name us, is it "*", and has a rule
     * been read in it (then a User-agent line opens a new one). */
    int g_mine = 0, g_star = 0, g_rules = 0, in_group = 0;
    kh_status rc = KH_OK;
    if (len > ROBOTS_MAX_BYTES)
        len = ROBOTS_MAX_BYTES;
    size_t i = len >= 3 && memcmp(txt, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    while (i < len && rc == KH_OK) {
        size_t start = i;
        while (i < len && txt[i] != '\n' && txt[i] != '\r')
            i++;
        const char *line = txt + start;
        size_t n = i - start;
        while (i < len && (txt[i] == '\n' || txt[i] == '\r'))
            i++;
        const char *hash = memchr(line, '#', n);
        if (hash != NULL)
            n = (size_t)(hash - line);
        const char *colon = memchr(line, ':', n);
        if (colon == NULL)
            continue;
        const char *k = line, *v = colon + 1;
        size_t kl = (size_t)(colon - line), vl = n - kl - 1;
        trim(&k, &kl);
        trim(&v, &vl);
        if (field_is(k, kl, "user-agent\0useragent\0user agent\0")) {
            if (!in_group || g_rules) {
                g_mine = g_star = g_rules = 0;
                in_group = 1;
            }
            if (vl == 1 && v[0] == '*') {
                g_star = 1;
                have_star = 1;
            } else if (names_agent(v, vl, agent)) {
                g_mine = 1;
                have_mine = 1;
            }
            continue;
        }
        int allow = field_is(k, kl, "allow\0");
        int disallow = field_is(k, kl, "disallow\0dissallow\0disalow\0");
        int delay = field_is(k, kl, "crawl-delay\0crawl_delay\0");
        if (!allow && !disallow && !delay)
            continue; /* Sitemap and the like: outside of groups */
        if (!in_group)
            continue; /* a rule before any User-agent line */
        g_rules = 1;
        /* An empty value matches nothing (RFC 9309 2.2.2). */
        if (delay) {
            double d = parse_delay(v, vl);
            if (g_mine && d >= 0)
                mine.delay = d;
            if (g_star && d >= 0)
                star.delay = d;
            continue;
        }
        if (vl == 0)
            continue;
        if (g_mine)
            rc = add_rule(&mine, v, vl, allow);
        if (g_star && rc == KH_OK)
            rc = add_rule(&star, v, vl, allow);
    }
    if (rc != KH_OK) {
        rules_release(&mine);
        rules_release(&star);
        kh_free(r);
        return rc;
    }
    if (have_mine) {
        r->use = mine;
        rules_release(&star);
    } else if (have_star) {
        r->use = star;
        rules_release(&mine);
    } else {
        rules_release(&mine);
        rules_release(&star);
        r->use.delay = -1;
    }
    *out = r;
    return KH_OK;
}

kh_status
kh__robots_new_all(int allow, kh_robots **out)
{
    kh_robots *r = kh_malloc(sizeof *r);
    *out = r;
    if (r == NULL)
        return KH_ENOMEM;
    memset(r, 0, sizeof *r);
    r->use.delay = -1;
    r->fixed = allow != 0;
    return KH_OK;
}

/* Whether pattern p[0..pl) matches the start of s[0..sl) (the whole of it
 * when the pattern ends with '$').  Greedy: on a mismatch the last '*'
 * swallows one byte more. */
static int
match(const char *p, size_t pl, const char *s, size_t sl)
{
    int anchored = pl > 0 && p[pl - 1] == '$';
    if (anchored)
        pl--;
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    for (;;) {
        if (pi == pl) {
            if (!anchored || si == sl)
                return 1;
        } else if (p[pi] == '*') {
            star_p = pi++;
            star_s = si;
            continue;
        } else if (si < sl && p[pi] == s[si]) {
            pi++;
            si++;
            continue;
        }
        if (star_p == (size_t)-1 || star_s >= sl)
            return 0;
        pi = star_p + 1;
        si = ++star_s;
    }
}

int
kh__robots_allowed(const kh_robots *r, const char *path)
{
    if (r->fixed >= 0 || strcmp(path, "/robots.txt") == 0)
        return r->fixed != 0;
    kh_buf b;
    kh_status rc = KH_OK;
    kh__buf_init(&b);
    size_t len = strlen(path);
    normalize(&b, path, len > ROBOTS_MAX_PATH ? ROBOTS_MAX_PATH : len, &rc);
    if (rc != KH_OK) {
        kh__buf_release(&b);
        return 0; /* out of memory: do not fetch */
    }
    const char *s = b.data != NULL ? b.data : "";
    size_t best = 0;
    int allowed = 1, found = 0;
    for (size_t i = 0; i < r->use.n; i++) {
        const rule *u = &r->use.v[i];
        if (found && (u->len < best || (u->len == best && !u->allow)))
            continue;
        if (!match(u->pattern, u->len, s, b.len))
            continue;
        if (!found || u->len > best || u->allow) {
            allowed = u->allow;
            best = u->len;
            found = 1;
        }
    }
    kh__buf_release(&b);
    return allowed;
}

double
kh__robots_crawl_delay(const kh_robots *r)
{
    return r->use.delay > 0 ? r->use.delay : 0;
}

void
kh__robots_free(kh_robots *r)
{
    if (r == NULL)
        return;
    rules_release(&r->use);
    kh_free(r);
}
