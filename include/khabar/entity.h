/*
 * entity.h -- who, where, when: the people, places and organizations
 * the index's articles name, across scripts, and timelines of a story or
 * an entity (docs/entities.md).
 *
 * Articles are tagged as they are added (kh_index_options.no_entities
 * turns it off).  An entity has a key made of its type and the
 * cross-script keys of its name's words, "PER:KSM-JMRT-TKF"; a name typed
 * in any script ("Tokayev", "توكاييف", "Токаев") finds the entities whose
 * names hold its words.  The query language's entity:NAME filter does the
 * same (docs/query.md).
 */
#ifndef KHABAR_ENTITY_H
#define KHABAR_ENTITY_H

#include "khabar/index.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kh_entity_type {
    KH_ENTITY_PERSON = 1,
    KH_ENTITY_PLACE = 2,
    KH_ENTITY_ORG = 3
} kh_entity_type;

typedef struct kh_entity {
    kh_entity_type type;
    char *key;      /* "PER:KSM-JMRT-TKF" */
    char *name;     /* as an article wrote it */
    uint64_t count; /* index-wide: articles naming it (deleted ones count
                       until a merge); of one article: its mentions */
} kh_entity;

typedef struct kh_entities {
    kh_entity *items;
    size_t n;
} kh_entities;

/* The entities of article id, tagged when asked, most mentioned first. */
KH_API KH_NODISCARD kh_status kh_index_article_entities(kh_index *index,
                                                        const char *id,
                                                        kh_entities **out,
                                                        kh_error *err);

/* The entities of the index whose name holds every word of name (any
 * script), or the one entity with that key ("PER:TKF"); most articles
 * first, at most limit (0: 20).  None found is KH_OK with n = 0. */
KH_API KH_NODISCARD kh_status kh_index_entity_find(kh_index *index,
                                                   const char *name,
                                                   size_t limit,
                                                   kh_entities **out,
                                                   kh_error *err);
KH_API void kh_entities_free(kh_entities *entities);

/* The three-letter name of a type: "PER", "LOC", "ORG". */
KH_API const char *kh_entity_type_name(kh_entity_type type);

/* One dated event of a timeline. */
typedef struct kh_event {
    int64_t first, last; /* days since 1970-01-01; first == last for a day */
    int published;       /* 1: an article came out (text: its title); 0: a date
                            its text names (text: the sentence) */
    char *text;
    char *id, *title, *source; /* the article, first publisher of a text */
    int64_t date;              /* its publication, or KH_DATE_NONE */
    size_t copies;             /* articles giving the same text */
} kh_event;

typedef struct kh_day_count {
    int64_t day; /* days since 1970-01-01 (UTC) */
    uint32_t articles;
} kh_day_count;

typedef struct kh_timeline {
    char *label;          /* the story's headline or the entity's name */
    size_t articles;      /* of the story, or naming the entity */
    int64_t first, last;  /* publication dates of the first and last */
    kh_day_count *volume; /* articles per day, in order; empty days out */
    size_t n_days;
    kh_event *events; /* in date order */
    size_t n_events;
} kh_timeline;

typedef struct kh_timeline_options {
    const char *story;   /* an article id: the timeline of its story */
    const char *entity;  /* or an entity's name or key */
    size_t max_articles; /* most recent articles read for events; 0: 200 */
    size_t max_events;   /* 0: 500 */
} kh_timeline_options;

/* The timeline of a story or an entity: articles per day, and events:
 * each article's publication (wire copies once) and the dates its
 * sentences name, resolved against its publication date (for an entity,
 * only sentences naming it).  KH_ENOTFOUND when the story's article or
 * the entity is unknown. */
KH_API KH_NODISCARD kh_status kh_index_timeline(kh_index *index,
                                                const kh_timeline_options *opts,
                                                kh_timeline **out,
                                                kh_error *err);
KH_API void kh_timeline_free(kh_timeline *timeline);

#ifdef __cplusplus
}
#endif

#endif /* KHABAR_ENTITY_H */
