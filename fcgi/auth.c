#define _GNU_SOURCE /* getrandom */
#include "auth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

/* The value of base64 digit c, or -1. */
static int b64_value(unsigned char c)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(digits, c) : NULL;

    return p ? (int)(p - digits) : -1;
}

long auth_base64_decode(const char *in, size_t len, unsigned char *out, size_t cap)
{
    size_t o = 0;

    if (len % 4 != 0)
        return -1;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)in[i + k];
            if (c == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad > 0) /* data after '=' */
                return -1;
            v[k] = b64_value(c);
            if (v[k] < 0)
                return -1;
        }
        if (o + 3 - (size_t)pad > cap)
            return -1;
        out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        if (pad < 2)
            out[o++] = (unsigned char)((v[1] & 0xF) << 4 | v[2] >> 2);
        if (pad < 1)
            out[o++] = (unsigned char)((v[2] & 0x3) << 6 | v[3]);
    }
    return (long)o;
}

int auth_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    const unsigned char *x = a, *y = b;
    unsigned diff = alen != blen;

    for (size_t i = 0; i < alen; i++)
        diff |= x[i] ^ (blen ? y[i % blen] : 0u);
    return diff == 0;
}

enum auth_result auth_check_basic(const char *header, const char *password)
{
    unsigned char creds[AUTH_BASIC_MAX];
    const char *p;
    size_t len, user_len = strlen(AUTH_STAFF_USER);
    long n;
    int ok;

    if (!header)
        return AUTH_NONE;
    if (strncasecmp(header, "Basic ", 6) != 0 || !password)
        return AUTH_BAD;
    p = header + 6;
    while (*p == ' ')
        p++;
    len = strlen(p);
    while (len > 0 && p[len - 1] == ' ')
        len--;
    n = auth_base64_decode(p, len, creds, sizeof(creds));
    if (n < 0 || (size_t)n <= user_len || creds[user_len] != ':')
        return AUTH_BAD;
    ok = memcmp(creds, AUTH_STAFF_USER, user_len) == 0;
    ok &= auth_equal(creds + user_len + 1, (size_t)n - user_len - 1, password, strlen(password));
    return ok ? AUTH_STAFF : AUTH_BAD;
}

int auth_token_valid(const char *s)
{
    size_t i = 0;

    if (!s)
        return 0;
    for (; s[i]; i++)
        if (i >= AUTH_TOKEN_LEN || !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return i == AUTH_TOKEN_LEN;
}

int auth_token_new(char out[AUTH_TOKEN_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char raw[AUTH_TOKEN_BYTES];
    size_t got = 0;

    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = digits[raw[i] >> 4];
        out[2 * i + 1] = digits[raw[i] & 0xF];
    }
    out[AUTH_TOKEN_LEN] = '\0';
    return 0;
}
