/*
 * cmd_entities.c -- who, where and when (docs/entities.md):
 *   khabar entities ID          one article's people, places and
 *                               organizations, dates and figures
 *   khabar entities --find NAME the index's entities a name may mean
 *   khabar timeline ID | --entity NAME
 */
#include "cli.h"
#include "extract/entity.h"
#include "extract/when.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
    "usage: khabar entities [--index DIR] [--json] ID\n"
    "       khabar entities [--index DIR] [--json] [-n N] --find NAME\n"
    "The people, places and organizations of article ID (each with its\n"
    "entity's key: Tokayev, توكاييف and Токаев share one), its dates\n"
    "resolved against its publication date (an undated article: only the\n"
    "dates its text fixes by itself), and its figures.  With --find,\n"
    "the entities of the index whose name holds NAME's words, in any\n"
    "script, most articles first.  The tagger's model is compiled in\n"
    "($KHABAR_NER_MODEL overrides it).\n";

static const char timeline_usage[] =
    "usage: khabar timeline [--index DIR] [--json] [-n N] ID\n"
    "       khabar timeline [--index DIR] [--json] [-n N] --entity NAME\n"
    "The timeline of the story of article ID, or of an entity (a name in\n"
    "any script: the entity it is best known as, or a key such as\n"
    "PER:TKF): articles per day, then dated\n"
    "events in order: each article's publication and the dates its\n"
    "sentences name (for an entity, the sentences naming it).  -n N reads\n"
    "the N most recent articles for events (default 200).\n";

/* The dates and figures of one field. */
typedef struct field {
    const char *name; /* "title", "body" */
    const char *text;
    kh_when *dates;
    size_t n_dates;
    kh_figure *figs;
    size_t n_figs;
    size_t n_unfixed; /* dates left out: they count from a missing date */
} field;

static void
json_str(kh_buf *b, const char *s, size_t n, kh_status *rc)
{
    kh__buf_putc(b, '"', rc);
    kh__buf_json_escape(b, s, n, rc);
    kh__buf_putc(b, '"', rc);
}

/* Keeps the dates of f that another reference day ref2 leaves as they
 * are: those the text fixes by itself. */
static kh_status
keep_fixed(field *f, int64_t ref2)
{
    kh_when *w2 = NULL;
    size_t n2 = 0;
    kh_status rc = kh__when_find(f->text, strlen(f->text), ref2, &w2, &n2);
    if (rc != KH_OK)
        return rc;
    size_t k = 0;
    for (size_t i = 0; i < f->n_dates; i++) {
        const kh_when *a = &f->dates[i];
        bool same = false;
        for (size_t j = 0; j < n2 && !same; j++)
            same = w2[j].start == a->start && w2[j].end == a->end &&
                   w2[j].first == a->first && w2[j].last == a->last;
        if (same)
            f->dates[k++] = *a;
    }
    f->n_unfixed += f->n_dates - k;
    f->n_dates = k;
    kh_free(w2);
    return KH_OK;
}

static void
print_json(const char *id, const kh_xentities *x, const field *f)
{
    kh_status rc = KH_OK;
    kh_buf b;
    kh__buf_init(&b);
    kh__buf_puts(&b, "{\"id\":", &rc);
    json_str(&b, id, strlen(id), &rc);
    if (f[0].n_unfixed + f[1].n_unfixed > 0) /* undated: see keep_fixed() */
        kh__buf_printf(&b, &rc, ",\"dates_left_out\":%zu",
                       f[0].n_unfixed + f[1].n_unfixed);
    kh__buf_puts(&b, ",\"entities\":[", &rc);
    for (size_t i = 0; i < x->n_m; i++) {
        const kh_xmention *m = &x->m[i];
        const kh_xentity *e = &x->e[m->ent];
        const char *text = f[m->field].text;
        kh__buf_printf(&b, &rc, "%s{\"type\":\"%s\",\"key\":", i ? "," : "",
                       kh__ner_type_name(e->type));
        json_str(&b, e->key, strlen(e->key), &rc);
        kh__buf_puts(&b, ",\"name\":", &rc);
        json_str(&b, e->name, strlen(e->name), &rc);
        kh__buf_printf(&b, &rc,
                       ",\"field\":\"%s\",\"start\":%zu,\"end\":%zu,\"text\":",
                       f[m->field].name, m->start, m->end);
        json_str(&b, text + m->start, m->end - m->start, &rc);
        kh__buf_putc(&b, '}', &rc);
    }
    kh__buf_puts(&b, "],\"dates\":[", &rc);
    int first = 1;
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < f[i].n_dates; k++) {
            char v[64];
            const kh_when *w = &f[i].dates[k];
            kh__buf_printf(&b, &rc,
                           "%s{\"value\":\"%s\",\"field\":\"%s\",\"start\":%zu,"
                           "\"end\":%zu,\"text\":",
                           first ? "" : ",", kh__when_format(w, v), f[i].name,
                           w->start, w->end);
            json_str(&b, f[i].text + w->start, w->end - w->start, &rc);
            kh__buf_putc(&b, '}', &rc);
            first = 0;
        }
    kh__buf_puts(&b, "],\"figures\":[", &rc);
    first = 1;
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < f[i].n_figs; k++) {
            const kh_figure *g = &f[i].figs[k];
            kh__buf_printf(&b, &rc,
                           "%s{\"value\":%.15g,\"unit\":", first ? "" : ",",
                           g->value);
            json_str(&b, f[i].text + g->unit_start, g->unit_end - g->unit_start,
                     &rc);
            kh__buf_printf(&b, &rc,
                           ",\"approximate\":%s,\"field\":\"%s\",\"start\":%zu,"
                           "\"end\":%zu,\"text\":",
                           g->approximate ? "true" : "false", f[i].name,
                           g->start, g->end);
            json_str(&b, f[i].text + g->start, g->end - g->start, &rc);
            kh__buf_putc(&b, '}', &rc);
            first = 0;
        }
    kh__buf_puts(&b, "]}\n", &rc);
    cli_print_buf(&b, rc);
}

static void
print_text(const kh_xentities *x, const field *f)
{
    for (size_t i = 0; i < x->n_m; i++) {
        const kh_xmention *m = &x->m[i];
        const kh_xentity *e = &x->e[m->ent];
        printf("%s  %-6s %.*s  [%s]\n", kh__ner_type_name(e->type),
               f[m->field].name, (int)(m->end - m->start),
               f[m->field].text + m->start, e->key);
    }
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < f[i].n_dates; k++) {
            char v[64];
            const kh_when *w = &f[i].dates[k];
            printf("DATE %-6s %-21s %.*s\n", f[i].name, kh__when_format(w, v),
                   (int)(w->end - w->start), f[i].text + w->start);
        }
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < f[i].n_figs; k++) {
            const kh_figure *g = &f[i].figs[k];
            char v[32]; /* "~1000" for آلاف: an order of size */
            snprintf(v, sizeof v, "%s%.15g", g->approximate ? "~" : "",
                     g->value);
            printf("FIG  %-6s %-21s %.*s\n", f[i].name, v,
                   (int)(g->end - g->start), f[i].text + g->start);
        }
}

/* khabar entities --find NAME */
static int
find(kh_index *ix, const cli_opts *o)
{
    kh_entities *l;
    kh_error err;
    memset(&err, 0, sizeof err);
    kh_status rc = kh_index_entity_find(ix, o->find, o->limit, &l, &err);
    if (rc != KH_OK) {
        cli_error("%s", err.message[0] ? err.message : kh_strerror(rc));
        return 1;
    }
    if (o->json) {
        kh_buf b;
        kh__buf_init(&b);
        kh__buf_puts(&b, "{\"query\":", &rc);
        json_str(&b, o->find, strlen(o->find), &rc);
        kh__buf_puts(&b, ",\"entities\":", &rc);
        kh__json_entities(&b, l, "articles", &rc);
        kh__buf_puts(&b, "}\n", &rc);
        cli_print_buf(&b, rc);
    } else {
        for (size_t i = 0; i < l->n; i++) {
            /* padded to 30 characters, not bytes (Arabic letters are two) */
            const char *nm = l->items[i].name;
            int chars = 0;
            for (const char *c = nm; *c; c++)
                chars += ((unsigned char)*c & 0xc0) != 0x80;
            printf("%-4s %s%*s %6llu articles  [%s]\n",
                   kh_entity_type_name(l->items[i].type), nm,
                   chars < 30 ? 30 - chars : 0, "",
                   (unsigned long long)l->items[i].count, l->items[i].key);
        }
        if (l->n == 0)
            printf("no entity found for %s\n", o->find);
    }
    kh_entities_free(l);
    return 0;
}

int
kh_cmd_entities(int argc, char **argv)
{
    cli_opts o;
    int st = cli_parse_opts(argc, argv, &o, usage_text);
    if (st >= 0)
        return st;
    if ((o.find != NULL) != (o.first == argc) || o.first < argc - 1) {
        fputs(usage_text, stderr);
        return 2;
    }
    kh_index *ix = cli_open_index(o.dir, 0, 0, 0);
    if (ix == NULL)
        return 1;
    if (o.find != NULL) {
        st = find(ix, &o);
        kh_index_close(ix);
        return st;
    }
    kh_doc *d = NULL;
    kh_error err;
    memset(&err, 0, sizeof err);
    const kh_ner_model *m = NULL;
    kh_status rc = kh_index_get(ix, argv[o.first], &d, &err);
    if (rc == KH_OK)
        rc = kh__ner_default(&m, &err);
    if (rc != KH_OK) {
        cli_error("%s", err.message[0] ? err.message : kh_strerror(rc));
        kh_doc_free(d);
        kh_index_close(ix);
        return 1;
    }
    /* Days since 1970 of the publication: what relative dates count
     * from.  An undated article has none: its dates are found against
     * today and against a day 1,000 days on, and only those that come out
     * the same both ways are shown (a weekday, أمس or "21 فبراير" without
     * a year would otherwise be dated from the reader's clock: the AFP
     * story of 2022 got Tuesday 2026-11-24 and 2027-02-21). */
    bool undated = d->meta.date == KH_DATE_NONE;
    int64_t t = undated ? (int64_t)time(NULL) : d->meta.date;
    int64_t ref = kh__day_of(t);
    field f[2] = {
        {"title", d->meta.title ? d->meta.title : "", NULL, 0, NULL, 0, 0},
        {"body", d->body ? d->body : "", NULL, 0, NULL, 0, 0}};
    kh_xentities x;
    rc = kh__entities_find(m, f[0].text, f[1].text, &x);
    for (size_t i = 0; i < 2 && rc == KH_OK; i++) {
        rc = kh__when_and_figures_find(f[i].text, strlen(f[i].text), ref,
                                       &f[i].dates, &f[i].n_dates, &f[i].figs,
                                       &f[i].n_figs);
        if (rc == KH_OK && undated)
            rc = keep_fixed(&f[i], ref + 1000);
    }
    if (rc != KH_OK)
        cli_error("%s", kh_strerror(rc));
    else if (o.json)
        print_json(d->meta.id, &x, f);
    else
        print_text(&x, f);
    if (rc == KH_OK && !o.json && f[0].n_unfixed + f[1].n_unfixed > 0)
        printf("(no publication date: %zu dates that count from it left "
               "out)\n",
               f[0].n_unfixed + f[1].n_unfixed);
    if (rc == KH_OK)
        kh__xentities_release(&x);
    for (size_t i = 0; i < 2; i++) {
        kh_free(f[i].dates);
        kh_free(f[i].figs);
    }
    kh_doc_free(d);
    kh_index_close(ix);
    return rc == KH_OK ? 0 : 1;
}

int
kh_cmd_timeline(int argc, char **argv)
{
    cli_opts o;
    int st = cli_parse_opts(argc, argv, &o, timeline_usage);
    if (st >= 0)
        return st;
    if ((o.entity != NULL) != (o.first == argc) || o.first < argc - 1) {
        fputs(timeline_usage, stderr);
        return 2;
    }
    kh_index *ix = cli_open_index(o.dir, 0, 0, 0);
    if (ix == NULL)
        return 1;
    kh_timeline_options to = {o.entity == NULL ? argv[o.first] : NULL, o.entity,
                              o.limit == 10 ? 0 : o.limit, 0};
    kh_timeline *tl;
    kh_error err;
    memset(&err, 0, sizeof err);
    /* A name is its best-known entity, as GET /api/entities/{name} has
     * it (the library's timeline of a name takes every entity the name
     * may mean: Obama's then counted Michelle Obama's articles too). */
    kh_entities *best = NULL;
    kh_status rc = KH_OK;
    if (o.entity != NULL &&
        (rc = kh_index_entity_find(ix, o.entity, 1, &best, &err)) == KH_OK) {
        if (best->n == 0) {
            cli_error("no entity found for %s", o.entity);
            kh_entities_free(best);
            kh_index_close(ix);
            return 1;
        }
        to.entity = best->items[0].key;
    }
    if (rc == KH_OK)
        rc = kh_index_timeline(ix, &to, &tl, &err);
    if (rc != KH_OK) {
        cli_error("%s", err.message[0] ? err.message : kh_strerror(rc));
        kh_entities_free(best);
        kh_index_close(ix);
        return 1;
    }
    if (o.json) {
        kh_buf b;
        kh__buf_init(&b);
        kh__json_timeline(&b, tl, &rc);
        kh__buf_putc(&b, '\n', &rc);
        cli_print_buf(&b, rc);
    } else {
        char first[32] = "-", last[32] = "-";
        if (tl->first != KH_DATE_NONE)
            kh_date_format(tl->first, first);
        if (tl->last != KH_DATE_NONE)
            kh_date_format(tl->last, last);
        printf("%s", tl->label);
        if (best != NULL)
            printf("  [%s]", best->items[0].key);
        printf("\n%zu articles, %.10s .. %.10s\n\nper day:", tl->articles,
               first, last);
        for (size_t i = 0; i < tl->n_days; i++) {
            char d[32];
            kh_date_format(tl->volume[i].day * 86400, d);
            printf("%s %.10s %u", i % 6 ? "," : "\n ", d,
                   tl->volume[i].articles);
        }
        printf("\n\n");
        for (size_t i = 0; i < tl->n_events; i++) {
            const kh_event *e = &tl->events[i];
            char d[32], end[32] = "";
            kh_date_format(e->first * 86400, d);
            if (e->last != e->first) {
                kh_date_format(e->last * 86400, end);
                end[10] = '\0';
            }
            printf("%.10s%s%s  %s %s  [%s, %s%s]\n", d, end[0] ? ".." : "", end,
                   e->published ? "+" : "*", e->text, e->source, e->id,
                   e->copies > 1 ? " and others" : "");
        }
    }
    kh_timeline_free(tl);
    kh_entities_free(best);
    kh_index_close(ix);
    return 0;
}
