/* Unit tests for fcgi/auth.c: Basic credentials (admin and staff account
 * names), base64, tokens, password hashes and the cache of verified
 * credentials. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auth.h"

static void base64_decodes_with_and_without_padding(void **state)
{
    unsigned char out[16];
    (void)state;
    assert_int_equal(auth_base64_decode("YWRtaW46cHc=", 12, out, sizeof(out)), 8);
    assert_memory_equal(out, "admin:pw", 8);
    assert_int_equal(auth_base64_decode("YQ==", 4, out, sizeof(out)), 1);
    assert_int_equal(auth_base64_decode("YWI=", 4, out, sizeof(out)), 2);
    assert_int_equal(auth_base64_decode("YWJj", 4, out, sizeof(out)), 3);
    assert_int_equal(auth_base64_decode("", 0, out, sizeof(out)), 0);
}

static void base64_rejects_malformed_and_overflow(void **state)
{
    static const char *const bad[] = {"YWJ",   "YW=j", "=YWJ", "Y===",     "YWJj=", "YW J",
                                      "YW\nJ", "YWJ-", "YWJ_", "YQ==YQ==", NULL};
    unsigned char out[4];
    (void)state;
    for (const char *const *s = bad; *s; s++)
        assert_int_equal(auth_base64_decode(*s, strlen(*s), out, sizeof(out)), -1);
    assert_int_equal(auth_base64_decode("YWJjZGVm", 8, out, sizeof(out)), -1); /* 6 > 4 */
}

static void basic_accepts_only_admin_with_the_password(void **state)
{
    (void)state;
    /* admin:s3cret */
    assert_int_equal(auth_check_basic("Basic YWRtaW46czNjcmV0", "s3cret"), AUTH_STAFF);
    assert_int_equal(auth_check_basic("basic  YWRtaW46czNjcmV0 ", "s3cret"), AUTH_STAFF);
    assert_int_equal(auth_check_basic(NULL, "s3cret"), AUTH_NONE);
    assert_int_equal(auth_check_basic("Basic YWRtaW46czNjcmV0", "s3cre"), AUTH_BAD);
    assert_int_equal(auth_check_basic("Basic YWRtaW46czNjcmV0", "s3cret!"), AUTH_BAD);
    assert_int_equal(auth_check_basic("Basic YWRtaW46czNjcmV0", NULL), AUTH_BAD);
    assert_int_equal(auth_check_basic("Basic cm9vdDpzM2NyZXQ=", "s3cret"), AUTH_BAD); /* root: */
    assert_int_equal(auth_check_basic("Basic YWRtaW4=", "s3cret"), AUTH_BAD);         /* admin */
    assert_int_equal(auth_check_basic("Basic YWRtaW46", "s3cret"), AUTH_BAD);         /* admin: */
    assert_int_equal(auth_check_basic("Bearer YWRtaW46czNjcmV0", "s3cret"), AUTH_BAD);
    assert_int_equal(auth_check_basic("Basic !!!!", "s3cret"), AUTH_BAD);
    assert_int_equal(auth_check_basic("", "s3cret"), AUTH_BAD);
}

static void equal_compares_whole_strings(void **state)
{
    (void)state;
    assert_true(auth_equal("abc", 3, "abc", 3));
    assert_false(auth_equal("abc", 3, "abd", 3));
    assert_false(auth_equal("ab", 2, "abc", 3));
    assert_false(auth_equal("abcabc", 6, "abc", 3));
    assert_false(auth_equal("", 0, "abc", 3));
    assert_false(auth_equal("abc", 3, "", 0));
    assert_true(auth_equal("", 0, "", 0));
}

static void tokens_are_random_hex(void **state)
{
    char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1];
    (void)state;
    assert_int_equal(auth_token_new(a), 0);
    assert_int_equal(auth_token_new(b), 0);
    assert_int_equal(strlen(a), 64);
    assert_true(auth_token_valid(a));
    assert_string_not_equal(a, b);
    assert_false(auth_token_valid(NULL));
    assert_false(auth_token_valid(""));
    a[10] = 'A';
    assert_false(auth_token_valid(a));
    a[10] = '0';
    a[63] = '\0';
    assert_false(auth_token_valid(a));
}

/* "Basic " and the base64 of creds (n bytes, may hold NUL) into out. */
static const char *basic_of(const char *creds, size_t n, char *out)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *in = (const unsigned char *)creds;
    size_t o = 6;

    memcpy(out, "Basic ", 6);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = digits[v >> 18 & 63];
        out[o++] = digits[v >> 12 & 63];
        out[o++] = i + 1 < n ? digits[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? digits[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}
#define BASIC(s, buf) basic_of(s, sizeof(s) - 1, buf)

static void basic_parses_account_names(void **state)
{
    char h[512], user[AUTH_USER_SIZE], pw[64];
    char long_user[AUTH_USER_MAX + 5];
    (void)state;
    assert_int_equal(auth_parse_basic(BASIC("door1:s3cret", h), user, pw, sizeof(pw)), 0);
    assert_string_equal(user, "door1");
    assert_string_equal(pw, "s3cret");
    assert_int_equal(auth_parse_basic(BASIC("a.b_c-9:p:w:", h), user, pw, sizeof(pw)), 0);
    assert_string_equal(user, "a.b_c-9");
    assert_string_equal(pw, "p:w:"); /* the first colon splits */
    assert_int_equal(auth_parse_basic(BASIC("admin:x", h), user, pw, sizeof(pw)), 0);
    assert_string_equal(user, "admin");
    assert_int_equal(auth_parse_basic(BASIC("door1:", h), user, pw, sizeof(pw)), 0);
    assert_string_equal(pw, "");
    /* Not a user name: upper case, spaces, empty, too long, no colon. */
    assert_int_equal(auth_parse_basic(BASIC("Door1:x", h), user, pw, sizeof(pw)), -1);
    assert_int_equal(auth_parse_basic(BASIC("door 1:x", h), user, pw, sizeof(pw)), -1);
    assert_int_equal(auth_parse_basic(BASIC(":x", h), user, pw, sizeof(pw)), -1);
    assert_int_equal(auth_parse_basic(BASIC("door1", h), user, pw, sizeof(pw)), -1);
    assert_int_equal(auth_parse_basic(BASIC("d\xc3\xb6or:x", h), user, pw, sizeof(pw)), -1);
    memset(long_user, 'a', AUTH_USER_MAX);
    memcpy(long_user + AUTH_USER_MAX, ":x", 3);
    assert_int_equal(
        auth_parse_basic(basic_of(long_user, AUTH_USER_MAX + 2, h), user, pw, sizeof(pw)), 0);
    long_user[0] = 'b';
    memmove(long_user + 1, long_user, AUTH_USER_MAX + 3); /* 65 characters */
    assert_int_equal(
        auth_parse_basic(basic_of(long_user, AUTH_USER_MAX + 3, h), user, pw, sizeof(pw)), -1);
    /* A NUL in the password, a password longer than its buffer. */
    assert_int_equal(auth_parse_basic(basic_of("door1:a\0b", 9, h), user, pw, sizeof(pw)), -1);
    assert_int_equal(auth_parse_basic(BASIC("door1:0123456789", h), user, pw, 10), -1);
    assert_int_equal(auth_parse_basic(BASIC("door1:012345678", h), user, pw, 10), 0);
    assert_int_equal(auth_parse_basic("Bearer x", user, pw, sizeof(pw)), -1);
    assert_int_equal(auth_parse_basic(NULL, user, pw, sizeof(pw)), -1);
    /* The bootstrap check refuses account names, whatever the password. */
    assert_int_equal(auth_check_basic(BASIC("door1:s3cret", h), "s3cret"), AUTH_BAD);
}

static void user_names_are_checked(void **state)
{
    (void)state;
    assert_true(auth_user_valid("door-1.north_gate"));
    assert_false(auth_user_valid(""));
    assert_false(auth_user_valid("Door"));
    assert_false(auth_user_valid("door:1"));
    assert_false(auth_user_valid("door/1"));
}

static void passwords_hash_with_yescrypt_and_verify(void **state)
{
    char a[AUTH_HASH_MAX + 1], b[AUTH_HASH_MAX + 1], tiny[8];
    (void)state;
    assert_int_equal(auth_password_hash("correct horse battery", a, sizeof(a)), 0);
    assert_int_equal(auth_password_hash("correct horse battery", b, sizeof(b)), 0);
    assert_memory_equal(a, "$y$", 3);
    assert_string_not_equal(a, b); /* a fresh salt each time */
    assert_true(auth_password_verify("correct horse battery", a));
    assert_true(auth_password_verify("correct horse battery", b));
    assert_false(auth_password_verify("correct horse batter", a));
    assert_false(auth_password_verify("", a));
    assert_false(auth_password_verify("correct horse battery", "not a hash"));
    assert_false(auth_password_verify("correct horse battery", ""));
    assert_false(auth_password_verify("x", NULL));
    assert_int_equal(auth_password_hash("x", tiny, sizeof(tiny)), -1);
}

static void cache_hits_only_the_same_user_password_and_hash(void **state)
{
    static struct auth_cache c; /* zeroed: empty */
    char name[16];
    (void)state;
    assert_false(auth_cache_hit(&c, "door1", "pw", "$y$h1"));
    auth_cache_store(&c, "door1", "pw", "$y$h1");
    assert_true(auth_cache_hit(&c, "door1", "pw", "$y$h1"));
    assert_false(auth_cache_hit(&c, "door1", "pw2", "$y$h1")); /* another password */
    assert_false(auth_cache_hit(&c, "door1", "p", "$y$h1"));
    assert_false(auth_cache_hit(&c, "door1", "pw", "$y$h2")); /* the password changed */
    assert_false(auth_cache_hit(&c, "door2", "pw", "$y$h1")); /* another user */
    assert_false(auth_cache_hit(&c, "", "", ""));
    /* The same user again replaces its entry: the old password misses. */
    auth_cache_store(&c, "door1", "new", "$y$h2");
    assert_true(auth_cache_hit(&c, "door1", "new", "$y$h2"));
    assert_false(auth_cache_hit(&c, "door1", "pw", "$y$h1"));
    /* Full: the oldest entry goes. */
    for (int i = 0; i < AUTH_CACHE_SIZE; i++) {
        snprintf(name, sizeof(name), "u%d", i);
        auth_cache_store(&c, name, "pw", "$y$h");
    }
    assert_false(auth_cache_hit(&c, "door1", "new", "$y$h2"));
    assert_true(auth_cache_hit(&c, "u0", "pw", "$y$h"));
    assert_true(auth_cache_hit(&c, "u7", "pw", "$y$h"));
    /* What is too long to keep is not kept. */
    {
        char hash[AUTH_HASH_MAX + 2];
        memset(hash, 'h', sizeof(hash) - 1);
        hash[sizeof(hash) - 1] = '\0';
        auth_cache_store(&c, "long", "pw", hash);
        assert_false(auth_cache_hit(&c, "long", "pw", hash));
        assert_true(auth_cache_hit(&c, "u7", "pw", "$y$h"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base64_decodes_with_and_without_padding),
        cmocka_unit_test(base64_rejects_malformed_and_overflow),
        cmocka_unit_test(basic_accepts_only_admin_with_the_password),
        cmocka_unit_test(equal_compares_whole_strings),
        cmocka_unit_test(tokens_are_random_hex),
        cmocka_unit_test(basic_parses_account_names),
        cmocka_unit_test(user_names_are_checked),
        cmocka_unit_test(passwords_hash_with_yescrypt_and_verify),
        cmocka_unit_test(cache_hits_only_the_same_user_password_and_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
