/* fcgi/rowjson.c: results written as JSON text agree with json-c, value
 * for value and (for strings) byte for byte; results are built with
 * libpq's own PQmakeEmptyPGresult/PQsetResultAttrs/PQsetvalue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "rowjson.h"

/* A result of one column name of type oid, with rows values (NULL: SQL
 * NULL). */
static PGresult *result_of(const char *name, Oid oid, const char **values, int rows)
{
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc att = {.name = (char *)name, .typid = oid, .typlen = -1, .atttypmod = -1};

    assert_non_null(res);
    assert_int_equal(PQsetResultAttrs(res, 1, &att), 1);
    for (int i = 0; i < rows; i++)
        assert_int_equal(
            PQsetvalue(res, i, 0, (char *)values[i], values[i] ? (int)strlen(values[i]) : -1), 1);
    return res;
}

/* Every byte but NUL, in strings of all lengths up to 3, and UTF-8: each
 * comes back from json-c's parser as it went in, and the text equals
 * json-c's own serialisation of the same string. */
static void strings_agree_with_json_c(void **state)
{
    (void)state;
    static char samples[256 + 8][8];
    const char *values[256 + 8];
    int n = 0;

    for (int c = 1; c < 256; c++) {
        if (c >= 0x80) /* not valid UTF-8 alone: as PostgreSQL never sends it */
            continue;
        snprintf(samples[n], sizeof(samples[n]), "a%cb", c);
        values[n] = samples[n];
        n++;
    }
    values[n++] = "";
    values[n++] = "보물 — \"quoted\" \\ back / slash\x1f\x7f";
    values[n++] = "\t\n\r\b\f";
    PGresult *res = result_of("cust_nm", 25 /* text */, values, n);
    size_t len = 0;
    char *text = rowjson_text(res, 0, n, 1, &len);

    assert_non_null(text);
    assert_int_equal(len, strlen(text));
    json_object *arr = json_tokener_parse(text);
    assert_non_null(arr);
    assert_int_equal(json_object_array_length(arr), n);
    for (int i = 0; i < n; i++) {
        json_object *row = json_object_array_get_idx(arr, (size_t)i);
        json_object *v = json_object_object_get(row, "custNm"); /* camelCase key */
        json_object *mine = json_object_new_string(values[i]);
        const char *theirs = json_object_to_json_string_ext(
            mine, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        char *one = rowjson_text(res, i, 1, 0, NULL);
        char *expect = malloc(strlen(theirs) + 16);

        assert_string_equal(json_object_get_string(v), values[i]);
        sprintf(expect, "{\"custNm\":%s}", theirs);
        assert_string_equal(one, expect);
        free(expect);
        free(one);
        json_object_put(mine);
    }
    json_object_put(arr);
    free(text);
    PQclear(res);
}

/* Numbers, booleans, JSON and NULL keep their types; NaN and the
 * infinities (not JSON) become null; a time of day is HH:MM. */
static void types(void **state)
{
    (void)state;
    struct {
        Oid oid;
        const char *value, *expect;
    } cases[] = {
        {20, "-9223372036854775808", "-9223372036854775808"},
        {23, "42", "42"},
        {1700, "12.50", "12.50"},
        {1700, "NaN", "null"},
        {701, "-Infinity", "null"},
        {701, "1e+20", "1e+20"},
        {16, "t", "true"},
        {16, "f", "false"},
        {3802, "{\"adult\": 2}", "{\"adult\": 2}"},
        {114, "[1,7]", "[1,7]"},
        {1083, "09:30:00", "\"09:30\""},
        {1083, "24:00:00", "\"24:00\""},
        {1083, NULL, "null"},
        {25, NULL, "null"},
        {23, NULL, "null"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        PGresult *res = result_of("v", cases[i].oid, &cases[i].value, 1);
        char *text = rowjson_text(res, 0, 1, 0, NULL);
        char expect[64];

        snprintf(expect, sizeof(expect), "{\"v\":%s}", cases[i].expect);
        assert_string_equal(text, expect);
        json_object *parsed = json_tokener_parse(text);
        assert_non_null(parsed); /* valid JSON */
        json_object_put(parsed);
        free(text);
        PQclear(res);
    }
}

/* An empty list is [], and a page of rows is the rows asked for. */
static void arrays(void **state)
{
    (void)state;
    const char *values[] = {"1", "2", "3"};
    PGresult *res = result_of("id", 20, values, 3);
    char *all = rowjson_text(res, 0, 3, 1, NULL);
    char *two = rowjson_text(res, 0, 2, 1, NULL);
    char *none = rowjson_text(res, 0, 0, 1, NULL);

    assert_string_equal(all, "[{\"id\":1},{\"id\":2},{\"id\":3}]");
    assert_string_equal(two, "[{\"id\":1},{\"id\":2}]");
    assert_string_equal(none, "[]");
    free(all);
    free(two);
    free(none);
    PQclear(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings_agree_with_json_c),
        cmocka_unit_test(types),
        cmocka_unit_test(arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
