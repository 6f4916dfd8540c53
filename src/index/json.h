/*
 * json.h -- articles, hits and stories as JSON (json.c), for the front
 * ends: one shape for `khabar ... --json` and the HTTP API.
 */
#ifndef KH_INDEX_JSON_H
#define KH_INDEX_JSON_H

#include "kh_int.h"

/* Appends a hit as an object: id, title, url, source, date, author, then
 * body when body is not NULL (an article), else score and snippet; copies
 * and sources when it stands for several copies.  Errors go to *rc. */
KH_HIDDEN void kh__json_hit(kh_buf *b, const kh_hit *h, const char *body,
                            kh_status *rc);

/* Appends an array of hits (no bodies). */
KH_HIDDEN void kh__json_hits(kh_buf *b, const kh_hit *hits, size_t n,
                             kh_status *rc);

/* Appends a story: id, label, first, last, articles_count, sources,
 * articles. */
KH_HIDDEN void kh__json_story(kh_buf *b, const kh_story *s, kh_status *rc);

/* Appends an entity as an object: key, type, name, and its count under
 * count_name ("articles" index-wide, "mentions" in one article). */
KH_HIDDEN void kh__json_entity(kh_buf *b, const kh_entity *e,
                               const char *count_name, kh_status *rc);

/* Appends an array of entities, each as kh__json_entity() writes it. */
KH_HIDDEN void kh__json_entities(kh_buf *b, const kh_entities *l,
                                 const char *count_name, kh_status *rc);

/* Appends a timeline: label, articles, first, last, volume (day,
 * articles), events (date, end when a range, kind, text, id, title,
 * source, published, copies). */
KH_HIDDEN void kh__json_timeline(kh_buf *b, const kh_timeline *t,
                                 kh_status *rc);

#endif /* KH_INDEX_JSON_H */
