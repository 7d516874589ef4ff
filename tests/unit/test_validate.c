/* Unit tests for fcgi/validate.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "validate.h"

static void id_text_accepts_canonical_positive_ids(void **state)
{
    int64_t v = 0;
    (void)state;
    assert_int_equal(validate_id_text("1", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(validate_id_text("9007199254740991", &v), 0);
    assert_int_equal(v, INT64_C(9007199254740991));
}

static void id_text_rejects_everything_else(void **state)
{
    static const char *const bad[] = {"",
                                      "0",
                                      "-1",
                                      "+1",
                                      "01",
                                      "1.5",
                                      "1e3",
                                      " 1",
                                      "1 ",
                                      "0x1",
                                      "abc",
                                      "1a",
                                      "9007199254740992",
                                      "99999999999999999999999999",
                                      NULL};
    int64_t v = 42;
    (void)state;
    for (const char *const *s = bad; *s; s++) {
        assert_int_equal(validate_id_text(*s, &v), -1);
        assert_int_equal(v, 42);
    }
    assert_int_equal(validate_id_text(NULL, &v), -1);
}

static void id_value_range(void **state)
{
    (void)state;
    assert_int_equal(validate_id_value(1), 0);
    assert_int_equal(validate_id_value(VALIDATE_ID_MAX), 0);
    assert_int_equal(validate_id_value(0), -1);
    assert_int_equal(validate_id_value(-5), -1);
    assert_int_equal(validate_id_value(VALIDATE_ID_MAX + 1), -1);
    assert_int_equal(validate_id_value(INT64_MAX), -1);
}

static void date_accepts_both_forms_and_normalises(void **state)
{
    char out[11];
    (void)state;
    assert_int_equal(validate_date("20210726", out), 0);
    assert_string_equal(out, "2021-07-26");
    assert_int_equal(validate_date("2021-07-26", out), 0);
    assert_string_equal(out, "2021-07-26");
    assert_int_equal(validate_date("2024-02-29", out), 0);
    assert_int_equal(validate_date("2000-02-29", out), 0);
    assert_int_equal(validate_date("9999-12-31", out), 0);
}

static void date_rejects_unreal_and_malformed_dates(void **state)
{
    static const char *const bad[] = {
        "",           "2021-7-26",  "2021/07/26", "210726",     "2021-02-29", "1900-02-29",
        "2021-04-31", "2021-13-01", "2021-00-10", "2021-01-00", "0999-01-01", "2021-07-26T00",
        "2021072",    "202107266",  "abcd-ef-gh", "2021-07-2a", NULL};
    char out[11];
    (void)state;
    for (const char *const *s = bad; *s; s++)
        assert_int_equal(validate_date(*s, out), -1);
    assert_int_equal(validate_date(NULL, out), -1);
}

static void name_rules(void **state)
{
    char long_name[202];
    char korean[3 * 200 + 1];
    (void)state;
    assert_null(validate_name("A hall", 6));
    assert_null(validate_name("\xea\xb9\x80\xed\x98\x95\xed\x83\x9c", 9)); /* 김형태 */
    assert_non_null(validate_name("", 0));
    assert_non_null(validate_name("   ", 3));
    assert_non_null(validate_name("a\x01", 2));
    assert_non_null(validate_name("a\nb", 3));
    assert_non_null(validate_name("a\x7f", 2));
    assert_non_null(validate_name("\xc3\x28", 2));         /* bad continuation */
    assert_non_null(validate_name("\xc0\xaf", 2));         /* overlong '/' */
    assert_non_null(validate_name("\xed\xa0\x80", 3));     /* surrogate */
    assert_non_null(validate_name("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_non_null(validate_name("\xe2\x82", 2));         /* truncated */
    memset(long_name, 'x', sizeof(long_name));
    assert_null(validate_name(long_name, 200));
    assert_non_null(validate_name(long_name, 201));
    for (int i = 0; i < 200; i++)
        memcpy(korean + 3 * i, "\xea\xb9\x80", 3);
    assert_null(validate_name(korean, 600)); /* 200 characters, 600 bytes */
}

static void text_rules(void **state)
{
    (void)state;
    assert_null(validate_text("Line one\nLine two\twith a tab", 28, 2000, 1));
    assert_non_null(validate_text("Line one\nLine two", 17, 2000, 0)); /* a name is one line */
    assert_non_null(validate_text("bell\a", 5, 2000, 1));
    assert_non_null(validate_text(" \n\t", 3, 2000, 1)); /* blank */
    assert_null(validate_text("abc", 3, 3, 1));
    assert_string_equal(validate_text("abcd", 4, 3, 1), "must be at most 3 characters");
    assert_null(validate_text("\xea\xb9\x80\xea\xb9\x80", 6, 2, 1)); /* 2 characters, 6 bytes */
}

static void time_rules(void **state)
{
    char out[6];

    (void)state;
    assert_int_equal(validate_time("10:00", out), 0);
    assert_string_equal(out, "10:00");
    assert_int_equal(validate_time("00:00", out), 0);
    assert_int_equal(validate_time("23:59", out), 0);
    assert_int_equal(validate_time("24:00", out), -1);
    assert_int_equal(validate_time("9:00", out), -1);
    assert_int_equal(validate_time("09:60", out), -1);
    assert_int_equal(validate_time("09:00:00", out), -1);
    assert_int_equal(validate_time("0900", out), -1);
    assert_int_equal(validate_time("", out), -1);
}

static void slot_rules(void **state)
{
    static const char *const good[] = {"2031-05-03T10:00",          "2031-05-03T10:00:30",
                                       "2031-05-03T10:00:00+09:00", "2031-05-03T01:00:00Z",
                                       "2031-05-03T10:00-05:30",    "2032-02-29T23:59"};
    static const char *const bad[] = {"2031-05-03 10:00",      "2031-05-03",
                                      "20310503T10:00",        "2031-02-29T10:00",
                                      "2031-05-03T24:00",      "2031-05-03T10:0",
                                      "2031-05-03T10:00+9",    "2031-05-03T10:00+09",
                                      "2031-05-03T10:00:61",   "2031-05-03T10:00Zx",
                                      "2031-05-03T10:00:00.5", "",
                                      "2031-05-03T10:00+16:00"};
    char out[32];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(validate_slot(good[i], out), 0);
        assert_string_equal(out, good[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (validate_slot(bad[i], out) != -1)
            fail_msg("accepted %s", bad[i]);
}

static void limit_range(void **state)
{
    int v = 0;
    (void)state;
    assert_int_equal(validate_limit("1", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(validate_limit("1000", &v), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(validate_limit("1001", &v), -1);
    assert_int_equal(validate_limit("0", &v), -1);
    assert_int_equal(validate_limit("-1", &v), -1);
}

static void camel_case(void **state)
{
    char out[32];
    (void)state;
    validate_camel_case("chk_date", out, sizeof(out));
    assert_string_equal(out, "chkDate");
    validate_camel_case("confirm_status", out, sizeof(out));
    assert_string_equal(out, "confirmStatus");
    validate_camel_case("id", out, sizeof(out));
    assert_string_equal(out, "id");
    validate_camel_case("museum_id", out, 4);
    assert_string_equal(out, "mus");
}

static void email_rules(void **state)
{
    static const char *const good[] = {
        "a@b.co",
        "Kim.Lee+museum@Example-Mail.co.kr",
        "x_y%z@sub.domain.org",
        "o'brien@example.ie",
        "1@2.3",
        "a.b.c@d.org",
        "!#$%&'*+/=?^_`{|}~-@example.org", /* every atext character */
    };
    static const char *const bad[] = {
        "",
        "plain",
        "a@b",
        "a@@b.org",
        "a@b@c.org",
        "@c.org",
        "a@",
        "a b@c.org",
        "a\tb@c.org",
        "a@c..org",
        "a@.c.org",
        "a@c.org.",
        "a@-c.org",
        "a@c-.org",
        "a@c_d.org",
        "a@c d.org",
        "a@c.org ",
        /* what fcgi/mail.c could not send: not ASCII, not a dot-atom */
        "김@박물관.한국",
        "kim@박물관.한국",
        "\xc3\xa9@c.org",
        "a(b)@c.org",
        "a)@c.org",
        "a,b@c.org",
        "a;b@c.org",
        "a<b@c.org",
        "a>@c.org",
        "\"a\"@c.org",
        "a\\b@c.org",
        "a:b@c.org",
        "a[b]@c.org",
        ".a@c.org",
        "a.@c.org",
        "a..b@c.org",
        "a\x7f@c.org",
    };
    char s[400];
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_null(validate_email(good[i], strlen(good[i])));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_non_null(validate_email(bad[i], strlen(bad[i])));
    /* 64 bytes before the @, not 65 */
    memset(s, 'x', 64);
    strcpy(s + 64, "@c.org");
    assert_null(validate_email(s, strlen(s)));
    memset(s, 'x', 65);
    strcpy(s + 65, "@c.org");
    assert_non_null(validate_email(s, strlen(s)));
    /* 254 characters in all, not 255 (labels of 63 bytes at most) */
    strcpy(s, "a@");
    for (int i = 0; i < 4; i++) {
        memset(s + strlen(s), 'b', 60);
        s[2 + (i + 1) * 61 - 1] = '.';
        s[2 + (i + 1) * 61] = '\0';
    }
    strcat(s, "abcdefg"); /* 2 + 244 + 7 = 253 */
    assert_int_equal(strlen(s), 253);
    assert_null(validate_email(s, strlen(s)));
    strcat(s, "h");
    assert_null(validate_email(s, strlen(s)));
    strcat(s, "i");
    assert_non_null(validate_email(s, strlen(s)));
    memset(s, 'x', 3);
    strcpy(s + 3, "@");
    memset(s + 4, 'b', 64);
    strcpy(s + 68, ".org");
    assert_non_null(validate_email(s, strlen(s))); /* a 64-byte label */
    assert_non_null(validate_email("a\x01@c.org", 8));
    assert_non_null(validate_email("a@c\xff.org", 8));
}

static void accept_lang_rules(void **state)
{
    (void)state;
    assert_string_equal(validate_accept_lang(NULL), "en");
    assert_string_equal(validate_accept_lang(""), "en");
    assert_string_equal(validate_accept_lang("fr"), "en");
    assert_string_equal(validate_accept_lang("ko"), "ko");
    assert_string_equal(validate_accept_lang("ko-KR,ko;q=0.9,en;q=0.8"), "ko");
    assert_string_equal(validate_accept_lang("en-US,en;q=0.9,ko;q=0.8"), "en");
    assert_string_equal(validate_accept_lang("fr-FR, ko;q=0.5, en;q=0.4"), "ko");
    assert_string_equal(validate_accept_lang("fr, en;q=0.4, ko;q=0.5"), "ko");
    assert_string_equal(validate_accept_lang("en;q=0.5, ko;q=0.5"), "en"); /* the first on a tie */
    assert_string_equal(validate_accept_lang("ko;q=0, en;q=0.1"), "en");
    assert_string_equal(validate_accept_lang("ko;q=0"), "en");
    assert_string_equal(validate_accept_lang("KO-kr"), "ko");
    assert_string_equal(validate_accept_lang("kok, eng"), "en"); /* other languages */
    assert_string_equal(validate_accept_lang("*, ko;q=0.2"), "ko");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(id_text_accepts_canonical_positive_ids),
        cmocka_unit_test(id_text_rejects_everything_else),
        cmocka_unit_test(id_value_range),
        cmocka_unit_test(date_accepts_both_forms_and_normalises),
        cmocka_unit_test(date_rejects_unreal_and_malformed_dates),
        cmocka_unit_test(name_rules),
        cmocka_unit_test(text_rules),
        cmocka_unit_test(time_rules),
        cmocka_unit_test(slot_rules),
        cmocka_unit_test(limit_range),
        cmocka_unit_test(camel_case),
        cmocka_unit_test(email_rules),
        cmocka_unit_test(accept_lang_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
