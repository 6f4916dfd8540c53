/*
 * token.c -- the signed links of mails: confirm, unsubscribe, feed.
 *
 * A token is base64url of: use (1 byte), id (8), nonce (4), expiry (8,
 * unix seconds, 0 for never), then the first 16 bytes of HMAC-SHA256 of
 * those 21 bytes under the database's secret.  Nothing else is needed to
 * check one, and nobody without the secret can make one.  The nonce ties a
 * confirmation token to the saved query's current nonce, which confirming
 * changes: a used link cannot be replayed.
 */
#include "alert/alert.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#define BODY 21
#define MAC  16
#define RAW  (BODY + MAC)

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
put64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static uint64_t
get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void
sign(const kh_alerts *al, const unsigned char *body, unsigned char *mac)
{
    unsigned char full[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(EVP_sha256(), al->secret, (int)sizeof al->secret, body, BODY, full,
         &n);
    memcpy(mac, full, MAC);
}

void
kh__token_make(const kh_alerts *al, kh_token_use use, int64_t id,
               uint32_t nonce, int64_t expires, char out[KH_TOKEN_MAX])
{
    unsigned char raw[RAW];
    raw[0] = (unsigned char)use;
    put64(raw + 1, (uint64_t)id);
    raw[9] = (unsigned char)(nonce >> 24);
    raw[10] = (unsigned char)(nonce >> 16);
    raw[11] = (unsigned char)(nonce >> 8);
    raw[12] = (unsigned char)nonce;
    put64(raw + 13, (uint64_t)expires);
    sign(al, raw, raw + BODY);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < RAW; i++) {
        acc = acc << 8 | raw[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = b64url[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        out[o++] = b64url[(acc << (6 - bits)) & 63];
    out[o] = '\0';
}

static int
b64val(int c)
{
    const char *p = c ? strchr(b64url, c) : NULL;
    return p != NULL ? (int)(p - b64url) : -1;
}

kh_status
kh__token_check(const kh_alerts *al, const char *token, kh_token_use use,
                int64_t now, int64_t *id, uint32_t *nonce, kh_error *err)
{
    unsigned char raw[RAW];
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    const char *p = token != NULL ? token : "";
    for (; *p && n < RAW; p++) {
        int v = b64val((unsigned char)*p);
        if (v < 0)
            break;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            raw[n++] = (unsigned char)(acc >> bits);
        }
    }
    /* The rest of the last character must be zero bits: one token, one
     * spelling. */
    if (n == RAW && *p != '\0' && bits == 0) {
        int v = b64val((unsigned char)*p);
        if (v >= 0) {
            acc = (uint32_t)v;
            bits = 6;
            p++;
        }
    }
    unsigned char mac[MAC];
    if (n == RAW)
        sign(al, raw, mac);
    if (n != RAW || *p != '\0' || (acc & ((1u << bits) - 1)) != 0 ||
        CRYPTO_memcmp(mac, raw + BODY, MAC) != 0) {
        kh__set_error(err, "this link is not valid (it was changed or cut "
                           "short)");
        return KH_EINVAL;
    }
    if (raw[0] != (unsigned char)use) {
        kh__set_error(err, "this link is for something else");
        return KH_EINVAL;
    }
    int64_t expires = (int64_t)get64(raw + 13);
    if (expires != 0 && now > expires) {
        kh__set_error(err, "this link has expired; subscribe again for a "
                           "new one");
        return KH_EINVAL;
    }
    *id = (int64_t)get64(raw + 1);
    *nonce = (uint32_t)raw[9] << 24 | (uint32_t)raw[10] << 16 |
             (uint32_t)raw[11] << 8 | raw[12];
    return KH_OK;
}
