/*
 * khabar.h -- the public interface of the Khabar library.
 *
 * Khabar is a news engine for Arabic news.  This umbrella header pulls in
 * every public header; include it and nothing else.  Everything declared
 * under include/khabar/ is public and stable within a minor version;
 * anything under src/ is private.
 *
 * Conventions shared by all of the API:
 *  - Functions that can fail return a kh_status; KH_OK is zero.
 *  - Objects are opaque and come in pairs kh_X_new() / kh_X_free();
 *    every *_free() accepts NULL and is then a no-op.
 *  - Pointers returned inside structs (a token's text, say) are owned by
 *    the object that produced them and stay valid until the next call on
 *    that object, unless the comment says otherwise.
 *  - Memory handed to the caller is released with kh_free().
 */
#ifndef KHABAR_H
#define KHABAR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KHABAR_VERSION "0.1.0"

#if defined(__GNUC__) || defined(__clang__)
#define KH_API       __attribute__((visibility("default")))
#define KH_NODISCARD __attribute__((warn_unused_result))
#else
#define KH_API
#define KH_NODISCARD
#endif

/* Status codes.  Zero is success; every other value is an error. */
typedef enum kh_status {
    KH_OK = 0,
    KH_ENOMEM,   /* an allocation failed */
    KH_EINVAL,   /* an argument was invalid */
    KH_EIO,      /* a read or write failed; errno may tell more */
    KH_ECORRUPT, /* stored data failed a consistency check */
    KH_ENOTFOUND,
    KH_EUNSUPPORTED /* the feature is not available in this build */
} kh_status;

/* Details of an error, for the calls that take one: a message and, where
 * it applies (a query's syntax), the byte offset in the input. */
typedef struct kh_error {
    char message[256];
    size_t offset;  /* byte offset of the problem in the input */
    int has_offset; /* nonzero when offset is meaningful */
} kh_error;

/* A static English message for a status; never NULL. */
KH_API const char *kh_strerror(kh_status status);

/* The allocator every part of Khabar goes through.  kh_free(NULL) is a
 * no-op.  Memory that an API call hands to the caller is released with
 * kh_free(). */
KH_API void *kh_malloc(size_t size);
KH_API void *kh_realloc(void *ptr, size_t size);
KH_API void kh_free(void *ptr);

#ifdef __cplusplus
}
#endif

#include "khabar/analyzer.h"
#include "khabar/index.h"
#include "khabar/entity.h"
#include "khabar/ingest.h"
#include "khabar/alert.h"

#endif /* KHABAR_H */
