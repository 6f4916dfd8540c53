/*
 * fuzz_segment.c -- libFuzzer target for the segment reader: arbitrary
 * bytes as a segment file.  Whatever opens is then read completely (every
 * term's postings and positions, look-ups, skips), which must never read
 * outside the file or loop forever.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (path[0] == '\0')
        snprintf(path, sizeof path, "/tmp/fuzz-seg-%d.khs", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    kh_seg *s;
    kh_error err;
    if (kh__seg_open(path, &s, &err) != KH_OK)
        return 0;
    uint32_t positions[256];
    kh_termiter *it = kh__termiter_new(s);
    const char *key;
    size_t len;
    kh_cursor c;
    while (it != NULL && kh__termiter_next(it, &key, &len, &c)) {
        /* A second cursor reads the positions as merges do, raw: it must
         * accept exactly what the decoder accepts. */
        kh_cursor r = c;
        uint32_t steps = 0;
        while (kh__cursor_next(&c) != KH_END && steps++ < 100000) {
            (void)kh__seg_doc(s, c.doc);
            int n = kh__cursor_positions(&c, positions, 256);
            if (kh__cursor_next(&r) != c.doc)
                abort();
            const uint8_t *raw;
            size_t raw_len;
            bool ok = kh__cursor_raw_positions(&r, &raw, &raw_len);
            if (c.kind == KH_KEY_STEM && ok != (n >= 0))
                abort();
        }
        /* The same term again, found by key, with skips. */
        kh_cursor d;
        kh_termstats st;
        if (kh__seg_find(s, key, len, &d, &st)) {
            uint32_t target = 0;
            steps = 0;
            while (kh__cursor_advance(&d, target) != KH_END && steps++ < 100000)
                target = d.doc + 1 + (uint32_t)(size % 7);
        }
    }
    kh__termiter_free(it);
    kh__seg_find(s, "sabc", 4, &c, NULL);
    kh__seg_close(s);
    return 0;
}
