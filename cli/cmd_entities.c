/*
 * cmd_entities.c -- `khabar entities ID`: who, where and when in one
 * stored article: people, places and organizations (with the key that
 * matches a name across scripts), dates resolved against the article's
 * publication date, and figures (docs/entities.md).
 *
 * The article is analyzed when asked; entities are not stored in the
 * index yet.
 */
#include "cli.h"
#include "extract/ner.h"
#include "extract/when.h"
#include "extract/xlit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
    "usage: khabar entities [--index DIR] [--json] ID\n"
    "The people, places and organizations of article ID (with their\n"
    "cross-script key: Tokayev, توكاييف and Токаев share one), its dates\n"
    "resolved against its publication date, and its figures.  The tagger's\n"
    "model is data/ner/model.txt, or $KHABAR_NER_MODEL.\n";

/* One field of the article, with what was found in it. */
typedef struct field {
    const char *name; /* "title", "body" */
    const char *text;
    kh_ner_span *ents;
    size_t n_ents;
    kh_when *dates;
    size_t n_dates;
    kh_figure *figs;
    size_t n_figs;
    size_t all_ents; /* title only: the spans of both fields */
} field;

/* Bytes at the start of an entity's span that are a clitic (و ف ب ل ك,
 * ال) glued to its first word, when the article also names it without
 * them ("لأوكرانيا" beside "أوكرانيا"): the document is the evidence that
 * the letters are a clitic and not part of the name (وليد).  0 when not. */
static size_t
clitic_bytes(const field *f, size_t nf, const field *in, const kh_ner_span *x)
{
    const char *n = x->norm != NULL ? x->norm : "";
    size_t first = strcspn(n, " ");
    const char *bare;
    size_t bl = kh__ner_bare(n, first, &bare);
    if (bl == first)
        return 0;
    int seen = 0;
    for (size_t i = 0; i < nf && !seen; i++)
        for (size_t k = 0; k < f[i].n_ents && !seen; k++) {
            const char *o = f[i].ents[k].norm;
            seen = o != NULL && strncmp(o, bare, bl) == 0 &&
                   (o[bl] == '\0' || o[bl] == ' ');
        }
    if (!seen)
        return 0;
    /* The clitic letters are as many in the text as in the normalized
     * form (two bytes each); harakat and tatweel between them are
     * skipped too. */
    size_t letters = (first - bl) / 2, at = x->start;
    const unsigned char *t = (const unsigned char *)in->text;
    while (letters > 0 && at + 1 < x->end) {
        int mark = t[at] == 0xd9 && (t[at + 1] == 0x80 ||
                                     (t[at + 1] >= 0x8b && t[at + 1] <= 0x92));
        if (!mark)
            letters--;
        at += 2;
    }
    while (at + 1 < x->end && t[at] == 0xd9 &&
           (t[at + 1] == 0x80 || (t[at + 1] >= 0x8b && t[at + 1] <= 0x92)))
        at += 2;
    return at < x->end ? at - x->start : 0;
}

static void
json_str(kh_buf *b, const char *s, size_t n, kh_status *rc)
{
    kh__buf_putc(b, '"', rc);
    kh__buf_json_escape(b, s, n, rc);
    kh__buf_putc(b, '"', rc);
}

static void
print_json(const char *id, field *f, size_t nf)
{
    kh_status rc = KH_OK;
    kh_buf b;
    kh__buf_init(&b);
    kh__buf_puts(&b, "{\"id\":", &rc);
    json_str(&b, id, strlen(id), &rc);
    static const char *const parts[] = {"entities", "dates", "figures"};
    for (int p = 0; p < 3; p++) {
        kh__buf_printf(&b, &rc, ",\"%s\":[", parts[p]);
        int first = 1;
        for (size_t i = 0; i < nf; i++) {
            size_t n = p == 0   ? f[i].n_ents
                       : p == 1 ? f[i].n_dates
                                : f[i].n_figs;
            for (size_t k = 0; k < n; k++) {
                size_t s, e;
                kh__buf_puts(&b, first ? "{" : ",{", &rc);
                first = 0;
                if (p == 0) {
                    const kh_ner_span *x = &f[i].ents[k];
                    char key[64];
                    s = x->start;
                    e = x->end;
                    size_t c = clitic_bytes(f, nf, &f[i], x);
                    kh__xlit_key_str(f[i].text + s + c, e - s - c, key,
                                     sizeof key);
                    kh__buf_printf(&b, &rc, "\"type\":\"%s\",\"key\":\"%s\",",
                                   kh__ner_type_name(x->type), key);
                    kh__buf_puts(&b, "\"name\":", &rc);
                    json_str(&b, f[i].text + s + c, e - s - c, &rc);
                    kh__buf_putc(&b, ',', &rc);
                } else if (p == 1) {
                    char v[64];
                    s = f[i].dates[k].start;
                    e = f[i].dates[k].end;
                    kh__buf_printf(&b, &rc, "\"value\":\"%s\",",
                                   kh__when_format(&f[i].dates[k], v));
                } else {
                    const kh_figure *g = &f[i].figs[k];
                    s = g->start;
                    e = g->end;
                    kh__buf_printf(&b, &rc,
                                   "\"value\":%.15g,\"unit\":", g->value);
                    json_str(&b, f[i].text + g->unit_start,
                             g->unit_end - g->unit_start, &rc);
                    kh__buf_putc(&b, ',', &rc);
                }
                kh__buf_printf(&b, &rc,
                               "\"field\":\"%s\",\"start\":%zu,"
                               "\"end\":%zu,\"text\":",
                               f[i].name, s, e);
                json_str(&b, f[i].text + s, e - s, &rc);
                kh__buf_putc(&b, '}', &rc);
            }
        }
        kh__buf_putc(&b, ']', &rc);
    }
    kh__buf_puts(&b, "}\n", &rc);
    if (rc == KH_OK)
        fwrite(b.data, 1, b.len, stdout);
    kh__buf_release(&b);
}

static void
print_text(field *f, size_t nf)
{
    for (size_t i = 0; i < nf; i++)
        for (size_t k = 0; k < f[i].n_ents; k++) {
            const kh_ner_span *x = &f[i].ents[k];
            char key[64];
            size_t c = clitic_bytes(f, nf, &f[i], x);
            kh__xlit_key_str(f[i].text + x->start + c, x->end - x->start - c,
                             key, sizeof key);
            printf("%s  %-6s %.*s  [%s]\n", kh__ner_type_name(x->type),
                   f[i].name, (int)(x->end - x->start), f[i].text + x->start,
                   key);
        }
    for (size_t i = 0; i < nf; i++)
        for (size_t k = 0; k < f[i].n_dates; k++) {
            char v[64];
            const kh_when *w = &f[i].dates[k];
            printf("DATE %-6s %-21s %.*s\n", f[i].name, kh__when_format(w, v),
                   (int)(w->end - w->start), f[i].text + w->start);
        }
    for (size_t i = 0; i < nf; i++)
        for (size_t k = 0; k < f[i].n_figs; k++) {
            const kh_figure *g = &f[i].figs[k];
            printf("FIG  %-6s %-21.15g %.*s\n", f[i].name, g->value,
                   (int)(g->end - g->start), f[i].text + g->start);
        }
}

/* Tags title and body as one document, so that what the tagger learns
 * of a name in one (its memory of the document) serves the other, then
 * hands each field its spans. */
static kh_status
tag_article(const kh_ner_model *m, field *f)
{
    size_t tl = strlen(f[0].text), bl = strlen(f[1].text);
    char *all = kh_malloc(tl + 2 + bl + 1);
    if (all == NULL)
        return KH_ENOMEM;
    memcpy(all, f[0].text, tl);
    memcpy(all + tl, "\n\n", 2);
    memcpy(all + tl + 2, f[1].text, bl + 1);
    kh_ner_span *sp = NULL;
    size_t n = 0;
    kh_status rc = kh__ner_tag(m, all, tl + 2 + bl, &sp, &n);
    kh_free(all);
    if (rc != KH_OK)
        return rc;
    /* A span begun in the title stays there, cut at its end. */
    size_t k = 0;
    for (; k < n && sp[k].start < tl; k++)
        if (sp[k].end > tl)
            sp[k].end = tl;
    /* The spans are one array: the title keeps it, the body points into
     * it (and is not freed apart: see the caller). */
    for (size_t i = k; i < n; i++) {
        size_t cut = tl + 2 <= sp[i].start ? tl + 2 : sp[i].start;
        sp[i].start -= cut;
        sp[i].end -= cut;
    }
    f[0].ents = sp;
    f[0].n_ents = k;
    f[1].ents = sp + k;
    f[1].n_ents = n - k;
    f[0].all_ents = n;
    return KH_OK;
}

int
kh_cmd_entities(int argc, char **argv)
{
    cli_opts o;
    int st;
    kh_index *ix = cli_open_for_id(argc, argv, usage_text, &o, &st);
    if (ix == NULL)
        return st;
    kh_doc *d = NULL;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_ner_model *m = NULL;
    kh_status rc = kh_index_get(ix, argv[o.first], &d, &err);
    if (rc == KH_OK)
        rc = kh__ner_model_load(NULL, &m, &err);
    if (rc != KH_OK) {
        cli_error("%s", err.message[0] ? err.message : kh_strerror(rc));
        kh_doc_free(d);
        kh_index_close(ix);
        return 1;
    }
    /* Days since 1970 of the publication: what relative dates count
     * from; an undated article counts from today. */
    int64_t t =
        d->meta.date != KH_DATE_NONE ? d->meta.date : (int64_t)time(NULL);
    int64_t ref = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    field f[2] = {
        {"title", d->meta.title ? d->meta.title : "", NULL, 0, NULL, 0, NULL, 0,
         0},
        {"body", d->body ? d->body : "", NULL, 0, NULL, 0, NULL, 0, 0}};
    rc = tag_article(m, f);
    for (size_t i = 0; i < 2 && rc == KH_OK; i++) {
        size_t n = strlen(f[i].text);
        if (rc == KH_OK)
            rc = kh__when_find(f[i].text, n, ref, &f[i].dates, &f[i].n_dates);
        if (rc == KH_OK)
            rc = kh__figures_find(f[i].text, n, &f[i].figs, &f[i].n_figs);
    }
    if (rc != KH_OK)
        cli_error("%s", kh_strerror(rc));
    else if (o.json)
        print_json(d->meta.id, f, 2);
    else
        print_text(f, 2);
    kh__ner_spans_free(f[0].ents, f[0].all_ents);
    for (size_t i = 0; i < 2; i++) {
        kh_free(f[i].dates);
        kh_free(f[i].figs);
    }
    kh__ner_model_free(m);
    kh_doc_free(d);
    kh_index_close(ix);
    return rc == KH_OK ? 0 : 1;
}
