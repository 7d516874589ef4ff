#define _GNU_SOURCE /* getrandom */
#include "auth.h"

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
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

int auth_user_valid(const char *name)
{
    size_t i = 0;

    for (; name[i]; i++) {
        char c = name[i];
        if (i >= AUTH_USER_MAX ||
            !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return i > 0;
}

int auth_parse_basic(const char *header, char user[AUTH_USER_MAX + 1], char *password, size_t n)
{
    unsigned char creds[AUTH_BASIC_MAX];
    const unsigned char *colon;
    const char *p;
    size_t len, user_len;
    long got;

    if (!header || strncasecmp(header, "Basic ", 6) != 0)
        return -1;
    p = header + 6;
    while (*p == ' ')
        p++;
    len = strlen(p);
    while (len > 0 && p[len - 1] == ' ')
        len--;
    got = auth_base64_decode(p, len, creds, sizeof(creds));
    if (got < 0 || !(colon = memchr(creds, ':', (size_t)got)))
        return -1;
    user_len = (size_t)(colon - creds);
    if (user_len > AUTH_USER_MAX || (size_t)got - user_len - 1 >= n ||
        memchr(colon + 1, '\0', (size_t)got - user_len - 1))
        return -1;
    memcpy(user, creds, user_len);
    user[user_len] = '\0';
    memcpy(password, colon + 1, (size_t)got - user_len - 1);
    password[(size_t)got - user_len - 1] = '\0';
    return strcmp(user, AUTH_STAFF_USER) == 0 || auth_user_valid(user) ? 0 : -1;
}

enum auth_result auth_check_basic(const char *header, const char *password)
{
    char user[AUTH_USER_MAX + 1], given[AUTH_BASIC_MAX];
    int ok;

    if (!header)
        return AUTH_NONE;
    if (!password || auth_parse_basic(header, user, given, sizeof(given)) != 0)
        return AUTH_BAD;
    ok = strcmp(user, AUTH_STAFF_USER) == 0;
    ok &= auth_equal(given, strlen(given), password, strlen(password));
    return ok ? AUTH_STAFF : AUTH_BAD;
}

int auth_password_hash(const char *password, char *out, size_t n)
{
    static struct crypt_data data; /* 32 KiB: not on the stack */
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    const char *hash;

    if (!crypt_gensalt_rn("$y$", 0, NULL, 0, setting, (int)sizeof(setting)))
        return -1;
    memset(&data, 0, sizeof(data));
    hash = crypt_rn(password, setting, &data, (int)sizeof(data));
    if (!hash || hash[0] != '$' || strlen(hash) >= n)
        return -1;
    memcpy(out, hash, strlen(hash) + 1);
    return 0;
}

int auth_password_verify(const char *password, const char *hash)
{
    static struct crypt_data data;
    const char *got;

    if (!hash || hash[0] != '$')
        return 0;
    memset(&data, 0, sizeof(data));
    got = crypt_rn(password, hash, &data, (int)sizeof(data));
    return got && got[0] == '$' && auth_equal(got, strlen(got), hash, strlen(hash));
}

int auth_cache_hit(const struct auth_cache *cache, const char *user, const char *password,
                   const char *hash)
{
    for (size_t i = 0; i < AUTH_CACHE_SIZE; i++) {
        const char *pw = cache->entry[i].password, *h = cache->entry[i].hash;
        if (!cache->entry[i].user[0] || strcmp(cache->entry[i].user, user) != 0)
            continue;
        /* & and not &&: both compared, whatever the first says. */
        return auth_equal(password, strlen(password), pw, strlen(pw)) &
               auth_equal(hash, strlen(hash), h, strlen(h));
    }
    return 0;
}

void auth_cache_store(struct auth_cache *cache, const char *user, const char *password,
                      const char *hash)
{
    size_t i;

    if (strlen(user) > AUTH_USER_MAX || strlen(password) >= sizeof(cache->entry[0].password) ||
        strlen(hash) > AUTH_HASH_MAX || !user[0])
        return;
    for (i = 0; i < AUTH_CACHE_SIZE && strcmp(cache->entry[i].user, user) != 0; i++)
        ;
    if (i == AUTH_CACHE_SIZE)
        i = cache->next++ % AUTH_CACHE_SIZE;
    snprintf(cache->entry[i].user, sizeof(cache->entry[i].user), "%s", user);
    snprintf(cache->entry[i].password, sizeof(cache->entry[i].password), "%s", password);
    snprintf(cache->entry[i].hash, sizeof(cache->entry[i].hash), "%s", hash);
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
