/*
 * entity.h -- private interface of entities as the index keeps them
 * (src/extract/entity.c, tagger.c, entstore.c).
 *
 * The tagger (ner.c) finds spans; this layer turns them into entities:
 * one per name and article, keyed across scripts, so that "قاسم جومارت
 * توكاييف", a later "توكاييف" and "Tokayev" meet.
 *
 *   entity.c    spans of one article -> mentions and entities with keys
 *   tagger.c    the same at ingest: the entity terms of each article for
 *               its postings, and the names seen, for docs.db
 *   entstore.c  docs.db tables: each entity's key, type and name, and
 *               which entities hold a word key (for look-ups by name)
 *
 * Keys.  A word's key is its cross-script consonant key (xlit.h: Tokayev,
 * توكاييف, Токаев -> TKF); a name's key is its words' keys joined by '-';
 * an entity's key is its type and its name's key, "PER:KSM-JMRT-TKF".
 * The index gets two kinds of terms per entity: KH_KEY_ENTITY_BYTE + the
 * entity's key, and KH_KEY_ENTITY_FORM_BYTE + each Arabic word of its
 * name as normalized, so that an Arabic name finds its articles through
 * the postings directly; a name in another script goes through docs.db's
 * table of entity names, where the cross-script model checks each
 * candidate.
 */
#ifndef KH_EXTRACT_ENTITY_H
#define KH_EXTRACT_ENTITY_H

#include "kh_int.h"

#include "extract/ner.h"

/* Kind bytes of the entity terms in the index (index.h has the others). */
#define KH_KEY_ENTITY_BYTE 'E' /* + an entity's key */
#define KH_KEY_ENTITY_FORM_BYTE                                                \
    'a' /* + a normalized Arabic word of it,                                   \
           proclitics off (kh__ner_bare) */

#define KH_ENTITY_KEY_MAX   96 /* bytes of an entity key, NUL included */
#define KH_ENTITY_MAX_WORDS 8  /* words of a name that count in its key */

/**************************************************************************
** Interface to code in extract/entity.c
*/

/* The tagger's model for the library: $KHABAR_NER_MODEL when set, else
 * the one compiled in (data/ner/model.txt).  Loaded once, shared by all
 * threads, never freed. */
KH_HIDDEN kh_status kh__ner_default(const kh_ner_model **out, kh_error *err);

/* One place where an article names an entity. */
typedef struct kh_xmention {
    int field;         /* 0 title, 1 body */
    size_t start, end; /* the tagger's span in that field */
    size_t name_start; /* start without a glued clitic (ولبنان -> لبنان) */
    size_t ent;        /* index into the entities */
} kh_xmention;

/* An entity of one article. */
typedef struct kh_xentity {
    kh_ner_type type;
    char key[KH_ENTITY_KEY_MAX]; /* "PER:KSM-JMRT-TKF" */
    char *name;                  /* its longest mention, as written (owned) */
    char *norm; /* the same, normalized, words space-joined, without the
                   clitic (owned): its form terms */
    uint32_t mentions;
} kh_xentity;

typedef struct kh_xentities {
    kh_xmention *m; /* in text order, title first */
    size_t n_m;
    kh_xentity *e; /* in order of first mention */
    size_t n_e;
} kh_xentities;

/* Tags title and body as one document and groups the mentions into
 * entities: a person named by part of a longer name of the same article
 * ("توكاييف" after "قاسم جومارت توكاييف") is that person.  Mentions without
 * a letter to key (digits, punctuation) are left out.  On KH_OK *out owns
 * its arrays (kh__xentities_release); on failure it is empty. */
KH_HIDDEN kh_status kh__entities_find(const kh_ner_model *m, const char *title,
                                      const char *body, kh_xentities *out);
KH_HIDDEN void kh__xentities_release(kh_xentities *x);

/* The key of a name as typed, in any script ("Tokayev", "قاسم توكاييف"):
 * its words' keys joined by '-' into out (cap bytes, NUL-terminated);
 * returns the length, 0 when no word has a key. */
KH_HIDDEN size_t kh__entity_name_key(const char *name, size_t len, char *out,
                                     size_t cap);

/* Appends to terms the KH_KEY_ENTITY_FORM_BYTE term of each Arabic word
 * of norm (normalized words, space-joined), each a kind byte, the bare
 * word and a NUL; returns how many. */
KH_HIDDEN size_t kh__entity_form_terms(const char *norm, kh_buf *terms,
                                       kh_status *rc);

/* "PER", "LOC", "ORG" to a type and back; KH_NER_NONE when unknown. */
KH_HIDDEN kh_ner_type kh__entity_type_parse(const char *s, size_t len);

/**************************************************************************
** Interface to code in extract/tagger.c
*/

typedef struct kh_tagger kh_tagger;

/* A tagger for one writer: the shared model, an analyzer, and the names
 * seen since it was made.  Errors: the model does not load (err says
 * why), KH_ENOMEM. */
KH_HIDDEN kh_status kh__tagger_new(kh_tagger **out, kh_error *err);
KH_HIDDEN void kh__tagger_free(kh_tagger *t); /* NULL: no-op */

/* Finds the entities of an article and appends its entity terms to
 * terms, each a kind byte, the key and a NUL.  One thread at a time. */
KH_HIDDEN kh_status kh__tagger_terms(kh_tagger *t, const char *title,
                                     const char *body, kh_buf *terms);

/* An entity first seen at ingest, for docs.db. */
typedef struct kh_entname {
    const char *key, *name;
    kh_ner_type type;
} kh_entname;

/* Entities first seen by kh__tagger_terms() since the last call: calls
 * put(arg, names, n) once with all of them, sorted by key (so that docs.db
 * inserts them in its own order), then forgets them.  May run on another
 * thread than kh__tagger_terms (a mutex guards the hand-over). */
typedef kh_status (*kh_tagger_put)(void *arg, const kh_entname *names,
                                   size_t n);
KH_HIDDEN kh_status kh__tagger_names(kh_tagger *t, kh_tagger_put put,
                                     void *arg);

/**************************************************************************
** Interface to code in extract/entstore.c
*/

struct sqlite3;
typedef struct kh_entstore kh_entstore;

/* Opens the entity tables of docs.db (db stays the caller's).  A writer
 * creates them when missing; a reader of an older index gets a store
 * that knows no entity. */
KH_HIDDEN kh_status kh__entstore_open(struct sqlite3 *db, bool read_only,
                                      kh_entstore **out, kh_error *err);
KH_HIDDEN void kh__entstore_close(kh_entstore *s);

/* Records entities (inside the writer's transaction); one already known
 * keeps its name.  A kh_tagger_put: names sorted by key. */
KH_HIDDEN kh_status kh__entstore_put(void *store, const kh_entname *names,
                                     size_t n);

/* The name and type of an entity key; KH_ENOTFOUND if unknown.  *name is
 * kh_malloc'd. */
KH_HIDDEN kh_status kh__entstore_get(kh_entstore *s, const char *key,
                                     char **name, kh_ner_type *type);

/* The keys of the entities whose name holds every word of name_key (the
 * output of kh__entity_name_key), at most max; *keys and each string
 * kh_malloc'd. */
KH_HIDDEN kh_status kh__entstore_match(kh_entstore *s, const char *name_key,
                                       size_t max, char ***keys, size_t *n);
/* The entities whose longest word's key is one likely edit from
 * name_key's (keys of three letters or more) and whose other words are
 * within one edit of the others': a name whose Latin and Arabic keys
 * differ by a letter (John JHN, جون JN).  Exact matches may be among
 * them; the callers check every candidate's name. */
KH_HIDDEN kh_status kh__entstore_match_near(kh_entstore *s,
                                            const char *name_key, size_t max,
                                            char ***keys, size_t *n);

#endif /* KH_EXTRACT_ENTITY_H */
