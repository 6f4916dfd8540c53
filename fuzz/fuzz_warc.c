/*
 * fuzz_warc.c -- libFuzzer target for the WARC reader (kh_warc_*).
 *
 * The input is the file, read through fmemopen; the first byte picks the
 * record size limit (1 KB .. 1 MB) and whether the rest is gzipped here
 * first (so that the fuzzer also reaches the records inside gzip
 * members).  Checked beyond the sanitizers: every call either makes
 * progress or ends (no more calls than input bytes, plus a few); records
 * have a type, a payload within the limit, and truncated ones an empty
 * payload; errors are KH_ECORRUPT with an offset inside the stream and a
 * message, or KH_ENOMEM.  Seeds: fuzz/corpus/warc/ (first byte '0'..'7').
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "kh_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t max_record = (size_t)1024 << (data[0] & 3) * 3; /* 1K..512K */
    int compress = data[0] & 4;
    data++;
    size--;
    unsigned char *buf;
    size_t len;
    if (compress) {
        uLongf cap = compressBound((uLong)size) + 32;
        buf = malloc(cap);
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (buf == NULL ||
            deflateInit2(&zs, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            abort();
        zs.next_in = (Bytef *)(uintptr_t)data;
        zs.avail_in = (uInt)size;
        zs.next_out = buf;
        zs.avail_out = (uInt)cap;
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
            abort();
        len = cap - zs.avail_out;
        deflateEnd(&zs);
    } else {
        buf = malloc(size > 0 ? size : 1);
        if (buf == NULL)
            abort();
        memcpy(buf, data, size);
        len = size;
    }
    FILE *f = fmemopen(buf, len > 0 ? len : 1, "rb");
    if (f == NULL)
        abort();
    if (len == 0)
        fgetc(f); /* fmemopen wants a size of at least 1: read it away */
    kh_warc *w = NULL;
    kh_error err;
    if (kh_warc_open(f, max_record, &w, &err) == KH_OK) {
        size_t calls = 0, limit = (compress ? size : len) + 16;
        kh_warc_record r;
        kh_status rc;
        while ((rc = kh_warc_next(w, &r, &err)) != KH_ENOTFOUND) {
            if (++calls > limit)
                abort(); /* no progress */
            if (rc == KH_OK) {
                if (r.type == NULL || r.payload == NULL ||
                    r.payload_len > max_record ||
                    (r.truncated && r.payload_len != 0) ||
                    (r.http_status != 0 &&
                     (r.http_status < 0 || r.http_status > 999)))
                    abort();
                volatile char sink = 0;
                if (r.payload_len > 0)
                    sink ^= r.payload[0] ^ r.payload[r.payload_len - 1];
                (void)sink;
            } else if (rc == KH_ECORRUPT) {
                if (!err.has_offset || err.message[0] == '\0')
                    abort();
            } else if (rc != KH_ENOMEM) {
                abort();
            }
        }
        kh_warc_close(w);
    }
    fclose(f);
    free(buf);
    return 0;
}
