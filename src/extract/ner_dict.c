/*
 * ner_dict.c -- word classes from the Arabic spelling dictionary, a
 * feature of the entity tagger.
 *
 * hunspell-ar's ar.dic (Debian package hunspell-ar; GPL, so it is read
 * at run time and nothing of it is copied into Khabar) is four lists run
 * together: stop words, tool words, nouns (names.dic: أسماء, the nouns of
 * Arabic grammar, places among them) and verbs, each after a header line
 * "xxx.dic".  A noun carries the number of its affix set (the AF lines of
 * ar.aff): which articles, clitics and endings it takes.  That number is
 * much like a part of speech with a little meaning in it: countries take
 * one set (كازاخستان/57), cities another (لندن/60), adjectives of origin
 * a third (كازاخي/58).  A word the dictionary lacks is most often a
 * foreign name.
 *
 * Each entry is analyzed as text is and its normalized form keeps the
 * classes of every entry that folds to it; the tagger looks a word's bare
 * form up (kh__ner_bare()).  Cross-validated F1 on the gold corpus: 0.692
 * without these classes, 0.708 with them (docs/entities.md).
 */
#include "extract/ner.h"

#include <stdlib.h>
#include <string.h>

/* The class of a list, or 0 for what is not an entry (the count on the
 * first line, the "::::" separators, comments). */
static unsigned
list_class(const char *name, size_t n)
{
    static const struct {
        const char *name;
        unsigned cls;
    } lists[] = {{"stopwords.dic", KH_NER_DICT_STOP},
                 {"tools.dic", KH_NER_DICT_TOOL},
                 {"verb.huns.dic", KH_NER_DICT_VERB},
                 {"names.dic", KH_NER_DICT_NOUN}};
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++)
        if (strlen(lists[k].name) == n && memcmp(lists[k].name, name, n) == 0)
            return lists[k].cls;
    return 0;
}

/* Adds class c to the packed set v (kept ascending, at most
 * KH_NER_DICT_MAX classes: the smallest stay). */
static uint64_t
pack_add(uint64_t v, unsigned c)
{
    unsigned ids[KH_NER_DICT_MAX + 1];
    size_t n = 0;
    for (uint64_t x = v; x != 0 && n < KH_NER_DICT_MAX;
         x >>= KH_NER_DICT_BITS) {
        unsigned id = (unsigned)(x & KH_NER_DICT_MASK);
        if (id == c)
            return v;
        ids[n++] = id;
    }
    size_t at = n;
    while (at > 0 && ids[at - 1] > c) {
        ids[at] = ids[at - 1];
        at--;
    }
    ids[at] = c;
    n = n + 1 > KH_NER_DICT_MAX ? KH_NER_DICT_MAX : n + 1;
    uint64_t out = 0;
    for (size_t k = 0; k < n; k++)
        out |= (uint64_t)ids[k] << (KH_NER_DICT_BITS * k);
    return out;
}

/* Adds one entry: its word w[0..n) with the classes of list `list` and
 * affix set `set` (-1: none).  An entry the analyzer makes into other
 * than one token is left out. */
static kh_status
add_entry(kh_analyzer *a, kh_strmap *out, const char *w, size_t n,
          unsigned list, long set)
{
    kh_token t, t2;
    kh_analyzer_reset(a, w, n);
    if (!kh_analyzer_next(a, &t))
        return KH_OK;
    /* the token's strings do not outlive the next call */
    char key[4 * KH_NER_DICT_WORD];
    char stem[4 * KH_NER_DICT_WORD + 1];
    if (t.norm_len == 0 || t.norm_len > sizeof key ||
        t.stem_len + 1 > sizeof stem)
        return KH_OK;
    memcpy(key, t.norm, t.norm_len);
    size_t kl = t.norm_len;
    stem[0] = KH_NER_DICT_STEM_MARK;
    memcpy(stem + 1, t.stem, t.stem_len);
    size_t sl = t.stem_len + 1;
    if (kh_analyzer_next(a, &t2))
        return KH_OK;
    if (kh__strmap_upsert(out, stem, sl) == NULL)
        return KH_ENOMEM;
    kh_strmap_entry *e = kh__strmap_upsert(out, key, kl);
    if (e == NULL)
        return KH_ENOMEM;
    e->value = pack_add(e->value, list);
    if (list == KH_NER_DICT_NOUN && set >= 0 &&
        set <= (long)KH_NER_DICT_MASK - KH_NER_DICT_SET)
        e->value = pack_add(e->value, KH_NER_DICT_SET + (unsigned)set);
    return KH_OK;
}

kh_status
kh__ner_dict_parse(const char *text, size_t len, kh_strmap *out, kh_error *err)
{
    kh_analyzer *a = NULL;
    kh_status rc = kh_analyzer_new(NULL, &a);
    unsigned list = 0;
    const char *end = text + len;
    for (const char *p = text; p < end && rc == KH_OK;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line = p, *le = nl != NULL ? nl : end;
        p = nl != NULL ? nl + 1 : end;
        if (le > line && le[-1] == '\r')
            le--;
        size_t n = (size_t)(le - line), wl = 0;
        if (n == 0 || line[0] == '#' || line[0] == ':')
            continue;
        while (wl < n && line[wl] != '/' && line[wl] != '\t')
            wl++;
        if (wl == n && n > 4 && memcmp(le - 4, ".dic", 4) == 0) {
            list = list_class(line, n);
            continue;
        }
        if (list == 0 || wl == 0)
            continue;
        long set = -1;
        if (wl < n && line[wl] == '/') { /* decimal digits, no sign */
            set = 0;
            for (size_t k = wl + 1; k < n && line[k] >= '0' && line[k] <= '9';
                 k++)
                set = set < 100000 ? set * 10 + (line[k] - '0') : set;
            if (wl + 1 == n || line[wl + 1] < '0' || line[wl + 1] > '9')
                set = -1;
        }
        rc = add_entry(a, out, line, wl, list, set);
    }
    kh_analyzer_free(a);
    if (rc == KH_ENOMEM)
        kh__set_error(err, "word dictionary: out of memory");
    else if (rc == KH_OK && out->count == 0) {
        kh__set_error(err, "word dictionary: no entries");
        rc = KH_ECORRUPT;
    }
    return rc;
}

kh_status
kh__ner_dict_load(const char *path, kh_strmap *out, kh_error *err)
{
    kh_buf b;
    kh__buf_init(&b);
    kh_status rc = kh__read_file(path, &b, err);
    if (rc == KH_OK)
        rc = kh__ner_dict_parse(b.data != NULL ? b.data : "", b.len, out, err);
    kh__buf_release(&b);
    return rc;
}

const char *
kh__ner_dict_path(void)
{
    const char *p = getenv("KHABAR_NER_DICT");
    return p != NULL ? p : KH_NER_DICT_PATH;
}

uint64_t
kh__ner_dict_classes(const kh_ner_lexicon *lex, const kh_ner_word *w,
                     const char *b, size_t bl)
{
    if (lex->dict.count == 0 || w->kind != KH_TOKEN_ARABIC)
        return 0;
    /* the bare form, as the other word features: the word as it is
     * first (the bare form takes the first letter off فرنسا and لبنان)
     * did no better (cross-validated F1 0.705 against 0.711) */
    const kh_strmap_entry *e = kh__strmap_get(&lex->dict, b, bl);
    if (e != NULL)
        return e->value;
    /* an inflected form if its stem is an entry's stem (cross-validated
     * F1 0.711 with this class, 0.707 with no feature for them) */
    char stem[4 * KH_NER_DICT_WORD + 1];
    if (w->stem_len + 1 > sizeof stem)
        return KH_NER_DICT_ABSENT;
    stem[0] = KH_NER_DICT_STEM_MARK;
    memcpy(stem + 1, w->stem, w->stem_len);
    return kh__strmap_get(&lex->dict, stem, w->stem_len + 1) != NULL
               ? KH_NER_DICT_INFLECTED
               : KH_NER_DICT_ABSENT;
}
