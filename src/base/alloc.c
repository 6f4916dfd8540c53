/*
 * alloc.c -- the one allocator seam of the library.
 *
 * Every allocation in Khabar goes through kh_malloc/kh_realloc/kh_free so
 * that a test build can make the Nth allocation fail (KH_TEST_FAIL_ALLOC)
 * and check that every caller turns the failure into KH_ENOMEM instead of
 * crashing.  The policy is: the library never aborts on out-of-memory.
 */
#include "kh_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Allocations left before failures start; negative means never.  Reading
 * the environment lazily keeps the library free of constructors. */
static atomic_long fail_countdown = -1;
static atomic_int fail_env_read = 0;

static void
read_env_once(void)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&fail_env_read, &expected, 1)) {
        const char *v = getenv("KH_TEST_FAIL_ALLOC");
        if (v != NULL && *v != '\0')
            atomic_store(&fail_countdown, strtol(v, NULL, 10));
    }
}

void
kh__alloc_fail_after(long n)
{
    atomic_store(&fail_env_read, 1);
    atomic_store(&fail_countdown, n);
}

static bool
should_fail(void)
{
    read_env_once();
    long left = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (KH_LIKELY(left < 0))
        return false;
    if (left == 0)
        return true;
    atomic_fetch_sub(&fail_countdown, 1);
    return false;
}

void *
kh_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size == 0 ? 1 : size);
}

void *
kh_realloc(void *ptr, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(ptr, size == 0 ? 1 : size);
}

void
kh_free(void *ptr)
{
    free(ptr);
}

char *
kh__strndup(const char *s, size_t len)
{
    char *p = kh_malloc(len + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
