/*
 * strmap.c -- kh_strmap, a string-keyed hash map of counters.
 */
#include "kh_int.h"

#include <string.h>

uint32_t
kh__hash32(const void *p, size_t len)
{
    const unsigned char *s = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

void
kh__strmap_init(kh_strmap *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

void
kh__strmap_release(kh_strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        kh_free(m->slots[i].key);
    kh_free(m->slots);
    kh__strmap_init(m);
}

static kh_strmap_entry *
find(kh_strmap_entry *slots, size_t cap, const char *key, size_t len,
     uint32_t h)
{
    size_t i = h & (cap - 1);
    for (;;) {
        kh_strmap_entry *e = &slots[i];
        if (e->key == NULL || (e->hash == h && e->key_len == len &&
                               memcmp(e->key, key, len) == 0))
            return e;
        i = (i + 1) & (cap - 1);
    }
}

static bool
grow(kh_strmap *m)
{
    size_t cap = m->cap == 0 ? 64 : m->cap * 2;
    kh_strmap_entry *slots = kh_malloc(cap * sizeof *slots);
    if (slots == NULL)
        return false;
    memset(slots, 0, cap * sizeof *slots);
    for (size_t i = 0; i < m->cap; i++) {
        kh_strmap_entry *e = &m->slots[i];
        if (e->key != NULL)
            *find(slots, cap, e->key, e->key_len, e->hash) = *e;
    }
    kh_free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return true;
}

kh_strmap_entry *
kh__strmap_get(const kh_strmap *m, const char *key, size_t len)
{
    if (m->cap == 0)
        return NULL;
    kh_strmap_entry *e = find(m->slots, m->cap, key, len, kh__hash32(key, len));
    return e->key != NULL ? e : NULL;
}

kh_strmap_entry *
kh__strmap_upsert(kh_strmap *m, const char *key, size_t len)
{
    if ((m->count + 1) * 4 > m->cap * 3 && !grow(m))
        return NULL;
    uint32_t h = kh__hash32(key, len);
    kh_strmap_entry *e = find(m->slots, m->cap, key, len, h);
    if (e->key == NULL) {
        e->key = kh__strndup(key, len);
        if (e->key == NULL)
            return NULL;
        e->key_len = len;
        e->hash = h;
        e->value = 0;
        m->count++;
    }
    return e;
}
