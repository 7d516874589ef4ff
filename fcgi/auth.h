/* auth: who is calling — staff (HTTP Basic: user admin with ADMIN_PASSWORD,
 * or a staff account's name and password, checked against its libcrypt
 * hash) or the holder of a booking token. Pure functions except
 * auth_token_new (getrandom) and the password hashing (libcrypt). */
#ifndef MUSEUM_AUTH_H
#define MUSEUM_AUTH_H

#include <stddef.h>

#define AUTH_STAFF_USER "admin"
#define AUTH_REALM "SK Museum staff"
#define AUTH_TOKEN_BYTES 32                   /* 256 random bits */
#define AUTH_TOKEN_LEN (2 * AUTH_TOKEN_BYTES) /* as lowercase hex */
#define AUTH_BASIC_MAX 1024                   /* longest Authorization value looked at */
#define AUTH_USER_MAX 64                      /* a staff account's name: [a-z0-9._-]{1,64} */
#define AUTH_USER_SIZE (AUTH_USER_MAX + 1)
#define AUTH_HASH_MAX 256 /* longest password hash kept in the cache */
#define AUTH_CACHE_SIZE 8 /* credentials verified, per worker */

enum auth_result {
    AUTH_NONE = 0,  /* no Authorization header */
    AUTH_STAFF = 1, /* admin with the right password */
    AUTH_BAD = -1,  /* any other credentials (wrong scheme, user or password, malformed) */
};

/* Checks an Authorization header value (NULL if absent) against user admin
 * and password (NULL: nobody is staff). Compares in constant time. */
enum auth_result auth_check_basic(const char *header, const char *password);

/* Splits an Authorization header value (Basic, base64 of user:password; the
 * password may hold ':') into user (a staff account name or admin) and
 * password (size n). Returns 0, or -1 if malformed, with a user name that
 * is not one, or a password that does not fit. */
int auth_parse_basic(const char *header, char user[AUTH_USER_MAX + 1], char *password, size_t n);

/* 1 if name is a well-formed staff account name: 1..64 of [a-z0-9._-]. */
int auth_user_valid(const char *name);

/* Hashes password with yescrypt (a fresh salt from the kernel) into out
 * (size n). Returns 0, or -1 (no randomness, out too small). */
int auth_password_hash(const char *password, char *out, size_t n);

/* 1 if password matches hash (crypt(3) format), 0 if not or if hash is
 * not usable. Costly by design (yescrypt): see struct auth_cache. */
int auth_password_verify(const char *password, const char *hash);

/* Credentials verified before, so that a password hash is computed once
 * per worker and credentials: a hit needs the same user, password and
 * stored hash (a new password or hash misses). Zero-initialised = empty. */
struct auth_cache {
    struct {
        char user[AUTH_USER_MAX + 1];
        char password[AUTH_BASIC_MAX];
        char hash[AUTH_HASH_MAX + 1];
    } entry[AUTH_CACHE_SIZE];
    unsigned next; /* the entry replaced next (round robin) */
};

/* 1 if (user, password, hash) is in cache (the password and hash compared
 * in constant time), else 0. */
int auth_cache_hit(const struct auth_cache *cache, const char *user, const char *password,
                   const char *hash);

/* Records verified credentials in cache: replaces user's entry, else the
 * oldest. Values too long to keep are not recorded (they miss). */
void auth_cache_store(struct auth_cache *cache, const char *user, const char *password,
                      const char *hash);

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
