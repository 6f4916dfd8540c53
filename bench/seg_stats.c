/*
 * seg_stats.c -- where the bytes of a segment file go: the dictionary,
 * the stem postings (docs, positions, block tables) and the normalized
 * form postings, and how many of the latter repeat a stem's postings
 * exactly (same term, same documents).
 *
 *   build/bench/seg_stats SEGMENT.khs
 */
#include "index/index.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: seg_stats SEGMENT.khs\n");
        return 2;
    }
    kh_seg *s;
    kh_error err;
    if (kh__seg_open(argv[1], &s, &err) != KH_OK) {
        fprintf(stderr, "seg_stats: %s\n", err.message);
        return 1;
    }
    kh_strmap norms; /* norm term -> df << 32 | doc stream bytes */
    kh__strmap_init(&norms);
    uint64_t n[2] = {0, 0}, docs[2] = {0, 0}, pos[2] = {0, 0},
             blocks[2] = {0, 0}, dup_terms = 0, dup_bytes = 0, same_key = 0,
             sum_df[2] = {0, 0}, df1[2] = {0, 0};
    kh_termiter *it = kh__termiter_new(s);
    const char *key;
    size_t len;
    kh_cursor c;
    while (it != NULL && kh__termiter_next(it, &key, &len, &c)) {
        int k = c.kind == KH_KEY_NORM;
        uint64_t db = (uint64_t)(c.docs_end - c.docs);
        n[k]++;
        sum_df[k] += c.df;
        df1[k] += c.df == 1;
        docs[k] += db;
        pos[k] += (uint64_t)(c.pos_end - c.pos);
        blocks[k] += (uint64_t)c.block_entry * (c.n_blocks - 1);
        /* Norm keys ('n') sort before stem keys ('s'): remember the
         * norms' doc streams, compare when the stems come. */
        if (k) {
            kh_strmap_entry *e = kh__strmap_upsert(&norms, key + 1, len - 1);
            if (e != NULL)
                e->value = (uint64_t)c.df << 32 | (db & 0xffffffffu);
        } else {
            kh_strmap_entry *e = kh__strmap_get(&norms, key + 1, len - 1);
            if (e != NULL)
                same_key++;
            if (e != NULL && e->value >> 32 == c.df) {
                dup_terms++;
                dup_bytes += e->value & 0xffffffffu;
            }
        }
    }
    kh__termiter_free(it);
    uint64_t total = kh__seg_bytes(s);
    printf("file            %12llu bytes, %u docs\n", (unsigned long long)total,
           kh__seg_ndocs(s));
    static const char *const name[] = {"stem", "norm"};
    for (int k = 0; k < 2; k++)
        printf("%s terms %9llu  docs %11llu  positions %11llu  blocks "
               "%9llu\n",
               name[k], (unsigned long long)n[k], (unsigned long long)docs[k],
               (unsigned long long)pos[k], (unsigned long long)blocks[k]);
    for (int k = 0; k < 2; k++)
        printf("%s postings %llu (%.2f doc bytes each), terms with df 1: "
               "%llu\n",
               name[k], (unsigned long long)sum_df[k],
               sum_df[k] ? (double)docs[k] / (double)sum_df[k] : 0.0,
               (unsigned long long)df1[k]);
    printf("norm terms that are also stems: %llu\n",
           (unsigned long long)same_key);
    printf("norm postings identical to the stem's: %llu terms, %llu bytes\n",
           (unsigned long long)dup_terms, (unsigned long long)dup_bytes);
    uint64_t post = docs[0] + docs[1] + pos[0] + pos[1] + blocks[0] + blocks[1];
    printf("rest (dictionary, doc table, ids) %llu bytes\n",
           (unsigned long long)(total - post));
    kh__strmap_release(&norms);
    kh__seg_close(s);
    return 0;
}
