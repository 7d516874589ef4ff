/* auth: who is calling — staff (HTTP Basic, user admin, password from
 * ADMIN_PASSWORD) or the holder of a booking token. Pure functions except
 * auth_token_new (getrandom). */
#ifndef MUSEUM_AUTH_H
#define MUSEUM_AUTH_H

#include <stddef.h>

#define AUTH_STAFF_USER "admin"
#define AUTH_REALM "SK Museum staff"
#define AUTH_TOKEN_BYTES 32                   /* 256 random bits */
#define AUTH_TOKEN_LEN (2 * AUTH_TOKEN_BYTES) /* as lowercase hex */
#define AUTH_BASIC_MAX 1024                   /* longest Authorization value looked at */

enum auth_result {
    AUTH_NONE = 0,  /* no Authorization header */
    AUTH_STAFF = 1, /* admin with the right password */
    AUTH_BAD = -1,  /* any other credentials (wrong scheme, user or password, malformed) */
};

/* Checks an Authorization header value (NULL if absent) against user admin
 * and password (NULL: nobody is staff). Compares in constant time. */
enum auth_result auth_check_basic(const char *header, const char *password);

/* Decodes standard base64 (with padding) in[0..len) into out (size cap).
 * Returns the decoded length, or -1 if malformed or too long. */
long auth_base64_decode(const char *in, size_t len, unsigned char *out, size_t cap);

/* 1 if a[0..alen) equals b[0..blen); time depends only on alen. */
int auth_equal(const void *a, size_t alen, const void *b, size_t blen);

/* 1 if s is a well-formed booking token (AUTH_TOKEN_LEN lowercase hex). */
int auth_token_valid(const char *s);

/* Writes a new random booking token into out. Returns 0, or -1 if the
 * kernel gave no randomness. */
int auth_token_new(char out[AUTH_TOKEN_LEN + 1]);

#endif
