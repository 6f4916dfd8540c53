/*
 * stopwords.c -- the stop-word set.
 *
 * The list (data/stopwords/ar.txt, compiled in by tools/embed.sh) is
 * normalized with the tokenizer itself when first needed, so that the list
 * and the text always agree on spelling.  The set lives in static storage:
 * building it allocates nothing and cannot fail.
 */
#include "text.h"

#include <pthread.h>
#include <string.h>

extern const char kh__stopwords_data[];

#define SLOTS    4096 /* power of two, well above twice the list */
#define POOL     32768
#define MAX_WORD 32 /* longest stop word kept, in bytes */

static uint16_t slot_off[SLOTS]; /* offset into pool + 1; 0 = empty */
static uint8_t slot_len[SLOTS];
static char pool[POOL];
static size_t pool_used;
static size_t longest;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Every token of the text is looked up here: a hash that reads a short
 * word's first and last four bytes at once, not a byte at a time. */
static uint32_t
hash(const char *s, size_t n)
{
    return kh__hash_short(s, n, 0);
}

/* a[0..n) == b[0..n), with fixed-size loads that stay inside both: a
 * call to memcmp for every stop word found was a tenth of the look-up. */
static bool
same(const char *a, const char *b, size_t n)
{
    uint64_t x, y, z, w;
    if (n >= 8 && n <= 16) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        memcpy(&z, a + n - 8, 8);
        memcpy(&w, b + n - 8, 8);
        return x == y && z == w;
    }
    if (n >= 4 && n < 8) {
        uint32_t p, q, r, t;
        memcpy(&p, a, 4);
        memcpy(&q, b, 4);
        memcpy(&r, a + n - 4, 4);
        memcpy(&t, b + n - 4, 4);
        return p == q && r == t;
    }
    return memcmp(a, b, n) == 0;
}

static bool
lookup(const char *s, size_t n, uint32_t *slot)
{
    uint32_t i = hash(s, n) & (SLOTS - 1);
    while (slot_off[i] != 0) {
        if (slot_len[i] == n && same(pool + slot_off[i] - 1, s, n)) {
            *slot = i;
            return true;
        }
        i = (i + 1) & (SLOTS - 1);
    }
    *slot = i;
    return false;
}

static void
insert(const char *s, size_t n)
{
    uint32_t i;
    if (n == 0 || n > MAX_WORD || pool_used + n > POOL || lookup(s, n, &i))
        return;
    memcpy(pool + pool_used, s, n);
    slot_off[i] = (uint16_t)(pool_used + 1);
    slot_len[i] = (uint8_t)n;
    pool_used += n;
    if (n > longest)
        longest = n;
}

static void
build(void)
{
    const char *p = kh__stopwords_data;
    kh_tokenizer t;
    while (*p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);
        if (n > 0 && p[0] != '#') {
            kh_raw_token tok;
            kh__tokenizer_reset(&t, p, n);
            /* One word a line; a line that splits (ـ alone) adds nothing
             * unless it is one token. */
            if (kh__tokenizer_next(&t, &tok)) {
                char word[KH_MAX_TOKEN_BYTES + 8];
                size_t len = tok.norm_len;
                memcpy(word, tok.norm, len);
                if (!kh__tokenizer_next(&t, &tok))
                    insert(word, len);
            }
        }
        p += n + (eol != NULL);
    }
}

bool
kh__is_stopword(const char *norm, size_t len)
{
    pthread_once(&once, build);
    uint32_t slot;
    return len <= longest && lookup(norm, len, &slot);
}
