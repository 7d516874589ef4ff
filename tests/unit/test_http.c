/* Unit tests for the pure parts of fcgi/http.c (query strings, JSON bodies). */
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

static void query_only_names_the_unknown_or_repeated(void **state)
{
    static const char *const names[] = {"limit", "after", NULL};
    const char *bad = NULL;
    int repeated = -1;
    (void)state;
    assert_int_equal(http_query_only("limit=1&after=2", names, &bad, &repeated), 1);
    assert_int_equal(http_query_only("", names, &bad, &repeated), 1);
    assert_int_equal(http_query_only("limit=1&custNM=x", names, &bad, &repeated), 0);
    assert_string_equal(bad, "custNM=x");
    assert_int_equal(repeated, 0);
    assert_int_equal(http_query_only("limit=1&after=2&limit=3", names, &bad, &repeated), 0);
    assert_string_equal(bad, "limit=1&after=2&limit=3");
    assert_int_equal(repeated, 1);
    assert_int_equal(http_query_only("after&&after=2", names, &bad, &repeated), 0);
    assert_int_equal(repeated, 1);
    assert_int_equal(http_query_only("limit=1&limitx=2&after=1", names, &bad, &repeated), 0);
    assert_string_equal(bad, "limitx=2&after=1"); /* unknown, not a repeat of limit */
    assert_int_equal(repeated, 0);
}

static void query_encode_keeps_only_unreserved(void **state)
{
    char out[32];
    (void)state;
    assert_int_equal(http_query_encode("A b&c=d/%\xea\xb9\x80~", out, sizeof(out)), 0);
    assert_string_equal(out, "A%20b%26c%3Dd%2F%25%EA%B9%80~");
    assert_int_equal(http_query_encode("abc", out, 4), 0);
    assert_int_equal(http_query_encode("abcd", out, 4), -1);
    assert_int_equal(http_query_encode("a&", out, 4), -1);
}

/* Parses s with http_parse_json; returns 0 or -1 and frees the object. */
static int parse(const char *s, size_t len)
{
    json_object *obj = NULL;
    char detail[160];
    int rc = http_parse_json(s, len, &obj, detail, sizeof(detail));

    if (rc == 0)
        assert_non_null(obj);
    else
        assert_true(obj == NULL && detail[0]);
    json_object_put(obj);
    return rc;
}

static void parse_json_accepts_plain_objects(void **state)
{
    static const char *const good[] = {"{}",
                                       " {\"a\":1} \n",
                                       "{\"a\":-0.5e+3,\"b\":[1,{\"c\":null}],\"d\":true}",
                                       "{\"a\":\"\\ud83d\\ude00 \\u00e9 \\n\"}",
                                       "{\"a\":\"\xea\xb9\x80\"}",
                                       "{\"a\":0}",
                                       "{\"a\":\"x\\u0000y\"}",
                                       NULL};
    (void)state;
    for (const char *const *s = good; *s; s++)
        assert_int_equal(parse(*s, strlen(*s)), 0);
}

static void parse_json_rejects_what_rfc_8259_does_not_allow(void **state)
{
    static const char *const bad[] = {"",
                                      " ",
                                      "[]",
                                      "1",
                                      "null",
                                      "\"a\"",
                                      "{",
                                      "{\"a\":1}x",
                                      "{\"a\":1}{}",
                                      "{'a':1}",
                                      "{\"a\":NaN}",
                                      "{\"a\":Infinity}",
                                      "{\"a\":-Infinity}",
                                      "{\"a\":1.}",
                                      "{\"a\":-.5}",
                                      "{\"a\":.5}",
                                      "{\"a\":01}",
                                      "{\"a\":1.e5}",
                                      "{\"a\":+1}",
                                      "{\"a\":0x1}",
                                      "{\"a\":1,}",
                                      "{\"a\":1}/**/",
                                      "{\"a\":\"x\ty\"}",
                                      "{\"a\":\"\\ud800\"}",
                                      "{\"a\":\"\\udc00\"}",
                                      "{\"a\":\"\\ud800\\u0041\"}",
                                      "{\"a\\u0000\":1}",
                                      "{\"a\":1,\"a\":2}",
                                      "{\"a\":\"\xff\"}",
                                      "{\"a\":\"\xc0\xaf\"}",
                                      "{\"a\":\"\xed\xa0\x80\"}",
                                      "{\"a\":tRue}",
                                      "{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
                                      NULL};
    (void)state;
    for (const char *const *s = bad; *s; s++) {
        if (parse(*s, strlen(*s)) != -1)
            fail_msg("accepted: %s", *s);
    }
    assert_int_equal(parse("{\"a\":\"x\0y\"}", 11), -1); /* raw NUL */
}

static void etag_is_a_quoted_hash_of_the_body(void **state)
{
    char a[HTTP_ETAG_SIZE], b[HTTP_ETAG_SIZE], c[HTTP_ETAG_SIZE];
    (void)state;
    http_etag("[{\"id\":1}]", 10, a);
    http_etag("[{\"id\":1}]", 10, b);
    http_etag("[{\"id\":2}]", 10, c);
    assert_int_equal(strlen(a), 18);
    assert_true(a[0] == '"' && a[17] == '"');
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
}

static void etag_matches_if_none_match_lists(void **state)
{
    const char *tag = "\"0123456789abcdef\"";
    (void)state;
    assert_true(http_etag_matches("\"0123456789abcdef\"", tag));
    assert_true(http_etag_matches("W/\"0123456789abcdef\"", tag));
    assert_true(http_etag_matches("\"x\", \"0123456789abcdef\"", tag));
    assert_true(http_etag_matches("\"x\",W/\"0123456789abcdef\" ", tag));
    assert_true(http_etag_matches("*", tag));
    assert_false(http_etag_matches(NULL, tag));
    assert_false(http_etag_matches("", tag));
    assert_false(http_etag_matches("\"0123456789abcde\"", tag));
    assert_false(http_etag_matches("\"0123456789abcdef0\"", tag));
    assert_false(http_etag_matches("0123456789abcdef", tag));
    assert_false(http_etag_matches("\"0123456789abcdef", tag));
    assert_false(http_etag_matches("\"x\" junk, \"0123456789abcdef\"", tag));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(query_get_finds_and_decodes),
        cmocka_unit_test(query_get_absent),
        cmocka_unit_test(query_get_rejects_bad_escapes_nul_and_overflow),
        cmocka_unit_test(query_only_names_the_unknown_or_repeated),
        cmocka_unit_test(query_encode_keeps_only_unreserved),
        cmocka_unit_test(etag_is_a_quoted_hash_of_the_body),
        cmocka_unit_test(etag_matches_if_none_match_lists),
        cmocka_unit_test(parse_json_accepts_plain_objects),
        cmocka_unit_test(parse_json_rejects_what_rfc_8259_does_not_allow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
