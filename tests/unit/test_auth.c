/* Unit tests for fcgi/auth.c: Basic credentials, base64, tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base64_decodes_with_and_without_padding),
        cmocka_unit_test(base64_rejects_malformed_and_overflow),
        cmocka_unit_test(basic_accepts_only_admin_with_the_password),
        cmocka_unit_test(equal_compares_whole_strings),
        cmocka_unit_test(tokens_are_random_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
