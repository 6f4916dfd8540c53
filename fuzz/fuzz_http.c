/*
 * fuzz_http.c -- libFuzzer target for the server's request handling
 * (server/route.c, api.c, feed.c, assets.c) over a small real index.
 *
 * The input is a request in lines: method, path (percent-decoded here, as
 * libmicrohttpd does), query string, one header "Name: value" per line up
 * to an empty line, then the body.  Beyond what the sanitizers catch, the
 * server's promises are checked: a status from 200 to 599 and never 500;
 * JSON that parses (valid UTF-8 included); an error body whose status is
 * the response's.  Ingest is off (no token): a commit per run would make
 * fsync the whole campaign; its JSON reading is jansson's.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static srv server;
static int ready;
static char index_dir[64];

static void
remove_index(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", index_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_http: could not remove %s\n", index_dir);
}

static const char *const texts[][3] = {
    {"spa", "ولي العهد يستقبل وزير الخارجية الأمريكي في الرياض",
     "استقبل ولي العهد السعودي في الرياض اليوم وزير الخارجية الأمريكي "
     "وبحث معه العلاقات الثنائية والأوضاع في المنطقة واليمن."},
    {"sabq", "الحكومة تعلن ميزانية العام الجديد",
     "أعلنت الحكومة ميزانية العام الجديد بإيرادات تبلغ 800 مليار ريال "
     "ونفقات تبلغ 900 مليار ريال، بحسب وكالة فرانس برس."},
    {"okaz", "Tokayev: كازاخستان ستحمي الفارين من التعبئة",
     "قال الرئيس الكازاخستاني قاسم جومارت توكاييف إن بلاده ستحمي الروس "
     "الفارين من التعبئة، في تصريح نقلته وكالة AFP يوم الثلاثاء."},
};

static void
setup(void)
{
    char *dir = index_dir;
    snprintf(index_dir, sizeof index_dir, "/tmp/fuzz-http-%d", (int)getpid());
    atexit(remove_index);
    kh_index_options o = {0};
    o.create = 1;
    o.single_thread = 1;
    kh_index *ix;
    kh_error err;
    if (kh_index_open(dir, &o, &ix, &err) != KH_OK)
        abort();
    for (int copy = 0; copy < 2; copy++)
        for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
            char id[32];
            snprintf(id, sizeof id, "a%d-%zu", copy, i);
            kh_article a = {id,
                            NULL,
                            texts[i][0],
                            texts[i][1],
                            texts[i][2],
                            NULL,
                            1664000000 + (int64_t)i * 86400};
            if (kh_index_add(ix, &a, NULL, &err) != KH_OK)
                abort();
        }
    if (kh_index_commit(ix, &err) != KH_OK)
        abort();
    kh_index_close(ix);
    if (srv_init(&server, dir, NULL, &err) != KH_OK)
        abort();
    srv_assets_load();
    ready = 1;
}

/* The request being handled, for the callbacks. */
typedef struct fake {
    const char *qs;
    size_t qs_len;
    const char *headers;
    size_t headers_len;
    char vals[8][1024];
    int used;
} fake;

static const char *
fake_arg(void *ctx, const char *name)
{
    fake *f = ctx;
    if (f->used == 8)
        return NULL;
    return srv_form_value(f->qs, f->qs_len, name, f->vals[f->used++],
                          sizeof f->vals[0]);
}

static const char *
fake_header(void *ctx, const char *name)
{
    fake *f = ctx;
    size_t nl = strlen(name);
    const char *p = f->headers, *end = f->headers + f->headers_len;
    while (p < end && f->used < 8) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        if ((size_t)(eol - p) > nl + 1 && strncasecmp(p, name, nl) == 0 &&
            p[nl] == ':') {
            const char *v = p + nl + 1;
            while (v < eol && *v == ' ')
                v++;
            size_t vl = (size_t)(eol - v);
            if (vl >= sizeof f->vals[0] || memchr(v, '\0', vl) != NULL)
                return NULL;
            memcpy(f->vals[f->used], v, vl);
            f->vals[f->used][vl] = '\0';
            return f->vals[f->used++];
        }
        p = eol + 1;
    }
    return NULL;
}

/* The next line of [*p, end) as a NUL-terminated copy into out. */
static void
next_line(const char **p, const char *end, char *out, size_t cap)
{
    const char *eol = memchr(*p, '\n', (size_t)(end - *p));
    if (eol == NULL)
        eol = end;
    size_t n = (size_t)(eol - *p);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p = eol < end ? eol + 1 : end;
}

static void
check(const srv_resp *r)
{
    if (r->status < 200 || r->status > 599 || r->status == 500)
        abort();
    if (strncmp(r->content_type, "application/json", 16) != 0 ||
        r->fixed != NULL)
        return;
    json_error_t jerr;
    json_t *o =
        json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &jerr);
    if (o == NULL)
        abort();
    if (r->status >= 400) {
        json_t *e = json_object_get(o, "error");
        json_t *st = json_object_get(e, "status");
        const char *msg = json_string_value(json_object_get(e, "message"));
        if (!json_is_integer(st) || json_integer_value(st) != r->status ||
            msg == NULL || *msg == '\0')
            abort();
    }
    json_decref(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    const char *p = (const char *)data, *end = p + size;
    char method[16], raw_path[2048], path[2048];
    next_line(&p, end, method, sizeof method);
    next_line(&p, end, raw_path, sizeof raw_path);
    const char *qs = p;
    const char *qs_end = memchr(p, '\n', (size_t)(end - p));
    if (qs_end == NULL)
        qs_end = end;
    p = qs_end < end ? qs_end + 1 : end;
    const char *headers = p;
    const char *hend = p;
    while (hend < end) {
        const char *eol = memchr(hend, '\n', (size_t)(end - hend));
        if (eol == NULL) {
            hend = end;
            break;
        }
        if (eol == hend) /* the empty line */
            break;
        hend = eol + 1;
    }
    const char *body = hend < end ? hend + 1 : end;
    /* As the network layer would: a decoded path, a NUL-terminated body. */
    if (srv_decode(raw_path, strlen(raw_path), 0, path, sizeof path) != 0)
        path[0] = '\0';
    if (path[0] != '/')
        return 0;
    size_t body_len = (size_t)(end - body);
    char *b = malloc(body_len + 1);
    if (b == NULL)
        abort();
    memcpy(b, body, body_len);
    b[body_len] = '\0';
    fake f;
    f.qs = qs;
    f.qs_len = (size_t)(qs_end - qs);
    f.headers = headers;
    f.headers_len = (size_t)(hend - headers);
    f.used = 0;
    srv_req q = {method,  path, fake_arg, fake_header, &f, body_len ? b : NULL,
                 body_len};
    srv_resp r;
    srv_handle(&server, &q, &r);
    check(&r);
    srv_resp_release(&r);
    free(b);
    return 0;
}
