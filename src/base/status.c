/*
 * status.c -- messages for kh_status codes.
 */
#include "kh_int.h"

#include <stdarg.h>
#include <stdio.h>

const char *
kh_strerror(kh_status status)
{
    switch (status) {
    case KH_OK:
        return "ok";
    case KH_ENOMEM:
        return "out of memory";
    case KH_EINVAL:
        return "invalid argument";
    case KH_EIO:
        return "input/output error";
    case KH_ECORRUPT:
        return "data is corrupt";
    case KH_ENOTFOUND:
        return "not found";
    case KH_EUNSUPPORTED:
        return "not supported by this build";
    }
    return "unknown error";
}

void
kh__set_error(kh_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->offset = 0;
    err->has_offset = 0;
}
