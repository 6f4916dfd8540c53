/*
 * assets.c -- the web UI's files, compiled into the binary from web/ (the
 * Makefile turns each into a C string with tools/embed.sh), and the Arabic
 * font, read at start from Debian's fonts-hosny-amiri.
 *
 * Paths are looked up in fixed tables, never joined to a directory, so no
 * request can reach another file ("/static/../../etc/passwd" is a 404).
 */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char kh__web_index_html[];
extern const char kh__web_app_js[];
extern const char kh__web_style_css[];

static const struct {
    const char *path;
    const char *data;
    const char *type;
} files[] = {
    {"/static/app.js", kh__web_app_js, "text/javascript; charset=utf-8"},
    {"/static/style.css", kh__web_style_css, "text/css; charset=utf-8"},
};

/* The pages of the single-page app: each is index.html, whose script
 * reads the path. */
static const char *const page_prefixes[] = {"/article/", "/story/"};

#define FONT_DIR_DEFAULT "/usr/share/fonts/opentype/fonts-hosny-amiri"

static struct font {
    const char *path; /* as requested */
    const char *file; /* in the font directory */
    char *data;
    size_t len;
} fonts[] = {
    {"/fonts/Amiri-Regular.ttf", "Amiri-Regular.ttf", NULL, 0},
    {"/fonts/Amiri-Bold.ttf", "Amiri-Bold.ttf", NULL, 0},
};

#define N_FONTS (sizeof fonts / sizeof fonts[0])

void
srv_assets_load(void)
{
    const char *dir = getenv("KHABAR_FONTS");
    if (dir == NULL || *dir == '\0')
        dir = FONT_DIR_DEFAULT;
    for (size_t i = 0; i < N_FONTS; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, fonts[i].file);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue; /* the UI falls back to the system's fonts */
        kh_buf b;
        kh__buf_init(&b);
        kh_status rc = KH_OK;
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && rc == KH_OK &&
               b.len < (32u << 20))
            kh__buf_append(&b, chunk, n, &rc);
        fclose(f);
        if (rc != KH_OK) {
            kh__buf_release(&b);
            continue;
        }
        fonts[i].len = b.len;
        fonts[i].data = kh__buf_detach(&b, NULL, &rc);
    }
}

void
srv_assets_free(void)
{
    for (size_t i = 0; i < N_FONTS; i++) {
        kh_free(fonts[i].data);
        fonts[i].data = NULL;
        fonts[i].len = 0;
    }
}

static void
serve(srv_resp *r, const char *data, size_t len, const char *type,
      const char *cache)
{
    r->status = 200;
    r->fixed = data;
    r->fixed_len = len;
    r->content_type = type;
    r->cache_control = cache;
}

int
srv_asset(const char *path, srv_resp *r)
{
    if (strcmp(path, "/") == 0 || strcmp(path, "/search") == 0) {
        serve(r, kh__web_index_html, strlen(kh__web_index_html),
              "text/html; charset=utf-8", "no-cache");
        return 1;
    }
    for (size_t i = 0; i < sizeof page_prefixes / sizeof page_prefixes[0];
         i++) {
        size_t n = strlen(page_prefixes[i]);
        if (strncmp(path, page_prefixes[i], n) == 0 && path[n] != '\0') {
            serve(r, kh__web_index_html, strlen(kh__web_index_html),
                  "text/html; charset=utf-8", "no-cache");
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (strcmp(path, files[i].path) == 0) {
            serve(r, files[i].data, strlen(files[i].data), files[i].type,
                  "max-age=300");
            return 1;
        }
    for (size_t i = 0; i < N_FONTS; i++)
        if (strcmp(path, fonts[i].path) == 0 && fonts[i].data != NULL) {
            serve(r, fonts[i].data, fonts[i].len, "font/ttf", "max-age=86400");
            return 1;
        }
    if (strcmp(path, "/favicon.ico") == 0) {
        /* No icon; an empty answer keeps browsers from logging a 404. */
        serve(r, "", 0, "image/x-icon", "max-age=86400");
        r->status = 204;
        return 1;
    }
    return 0;
}
