/* Unit tests for the pure parts of fcgi/http.c (query strings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http.h"

static void query_get_finds_and_decodes(void **state)
{
    char buf[64];
    (void)state;
    assert_int_equal(http_query_get("custNm=MSA&limit=5", "custNm", buf, sizeof(buf)), 1);
    assert_string_equal(buf, "MSA");
    assert_int_equal(http_query_get("custNm=MSA&limit=5", "limit", buf, sizeof(buf)), 1);
    assert_string_equal(buf, "5");
    assert_int_equal(http_query_get("custNm=A+B%2Fc", "custNm", buf, sizeof(buf)), 1);
    assert_string_equal(buf, "A B/c");
    assert_int_equal(http_query_get("custNm=%EA%B9%80", "custNm", buf, sizeof(buf)), 1);
    assert_string_equal(buf, "\xea\xb9\x80");
    assert_int_equal(http_query_get("custNm", "custNm", buf, sizeof(buf)), 1);
    assert_string_equal(buf, "");
}

static void query_get_absent(void **state)
{
    char buf[8];
    (void)state;
    assert_int_equal(http_query_get("", "custNm", buf, sizeof(buf)), 0);
    assert_int_equal(http_query_get("custNmX=1&xcustNm=2", "custNm", buf, sizeof(buf)), 0);
}

static void query_get_rejects_bad_escapes_nul_and_overflow(void **state)
{
    char buf[8];
    (void)state;
    assert_int_equal(http_query_get("a=%", "a", buf, sizeof(buf)), -1);
    assert_int_equal(http_query_get("a=%4", "a", buf, sizeof(buf)), -1);
    assert_int_equal(http_query_get("a=%zz", "a", buf, sizeof(buf)), -1);
    assert_int_equal(http_query_get("a=x%00y", "a", buf, sizeof(buf)), -1);
    assert_int_equal(http_query_get("a=12345678", "a", buf, sizeof(buf)), -1);
    assert_int_equal(http_query_get("a=1234567", "a", buf, sizeof(buf)), 1);
}

static void query_only_names_the_unknown(void **state)
{
    static const char *const names[] = {"limit", "after", NULL};
    const char *bad = NULL;
    (void)state;
    assert_int_equal(http_query_only("limit=1&after=2", names, &bad), 1);
    assert_int_equal(http_query_only("", names, &bad), 1);
    assert_int_equal(http_query_only("limit=1&custNM=x", names, &bad), 0);
    assert_string_equal(bad, "custNM=x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(query_get_finds_and_decodes),
        cmocka_unit_test(query_get_absent),
        cmocka_unit_test(query_get_rejects_bad_escapes_nul_and_overflow),
        cmocka_unit_test(query_only_names_the_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
