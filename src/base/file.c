/*
 * file.c -- whole reads and writes, and syncing a file's directory: what
 * the index's files (segments, bodies.khb) need to be written durably,
 * and a small file read whole (the entity model, a dictionary).
 */
#include "kh_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool
kh__write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        s += k;
        n -= (size_t)k;
    }
    return true;
}

bool
kh__pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
    const char *s = p;
    while (n > 0) {
        ssize_t k = pwrite(fd, s, n, (off_t)off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        s += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return true;
}

bool
kh__pread_all(int fd, void *p, size_t n, uint64_t off)
{
    char *s = p;
    while (n > 0) {
        ssize_t k = pread(fd, s, n, (off_t)off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false; /* an error, or the file ends before n bytes */
        s += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return true;
}

int
kh__fsync_dir_of(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] != '/')
        n--;
    if (n == 0) {
        dir[0] = '.';
        n = 1;
    } else if (n >= sizeof dir) {
        return -1;
    } else {
        memcpy(dir, path, n);
    }
    dir[n] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

kh_status
kh__read_file(const char *path, kh_buf *out, kh_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        kh__set_error(err, "%s: %s", path, strerror(errno));
        return KH_EIO;
    }
    kh_status rc = KH_OK;
    char chunk[1 << 16];
    size_t got;
    while (rc == KH_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        kh__buf_append(out, chunk, got, &rc);
    if (rc == KH_OK && ferror(f)) {
        kh__set_error(err, "%s: read error", path);
        rc = KH_EIO;
    }
    fclose(f);
    return rc;
}
