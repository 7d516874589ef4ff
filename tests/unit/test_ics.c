/* fcgi/ics.c: RFC 5545 lines (CRLF, folded at 75 octets, never inside a
 * UTF-8 character), escaped text, UTC times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ics.h"
#include "validate.h"

static const struct ics_visit visit = {
    .uid = "booking-42-CR3MB5NT1V@sk-museum",
    .start = 1924300800, /* 2030-12-24T00:00:00Z */
    .end = 1924304400,
    .stamp = 1924000000,
    .summary = "Treasures, old; and new \\ 보물 — SK Museum",
    .location = "1 Museum-ro, Seoul",
    .description = "Ticket code: CR3MB5NT1V\nParty: 2 (adult 2)\x01",
    .url = NULL,
};

/* The unfolded value of the first line NAME: of ics (static buffer). */
static const char *value_of(const char *ics, const char *name)
{
    static char out[4096];
    size_t o = 0, n = strlen(name);
    const char *p = ics;

    while (p && !(strncmp(p, name, n) == 0 && p[n] == ':'))
        p = (p = strstr(p, "\r\n")) ? p + 2 : NULL;
    assert_non_null(p);
    for (p += n + 1; *p && o < sizeof(out) - 1;) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ')
            p += 3;
        else if (p[0] == '\r' && p[1] == '\n')
            break;
        else
            out[o++] = *p++;
    }
    out[o] = '\0';
    return out;
}

static void lines_are_crlf_folded_and_whole_characters(void **state)
{
    struct ics_visit v = visit;
    char summary[600];
    size_t len = 0;
    char *ics;

    (void)state;
    strcpy(summary, "");
    for (int i = 0; i < 30; i++)
        strcat(summary, "가나다 ");
    v.summary = summary;
    ics = ics_render(&v, &len);
    assert_non_null(ics);
    assert_int_equal(len, strlen(ics));
    assert_memory_equal(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30);
    assert_string_equal(ics + len - 15, "END:VCALENDAR\r\n");
    for (const char *line = ics; *line;) {
        const char *end = strstr(line, "\r\n");
        assert_non_null(end);
        assert_true(end - line <= 75);
        assert_int_equal(validate_utf8(line, (size_t)(end - line)), 0); /* no split character */
        assert_null(memchr(line, '\n', (size_t)(end - line)));
        line = end + 2;
    }
    assert_non_null(strstr(ics, "\r\n "));
    assert_string_equal(value_of(ics, "SUMMARY"), summary);
    free(ics);
}

static void values_escaped_and_times_utc(void **state)
{
    char *ics = ics_render(&visit, NULL);

    (void)state;
    assert_non_null(ics);
    assert_string_equal(value_of(ics, "UID"), "booking-42-CR3MB5NT1V@sk-museum");
    assert_string_equal(value_of(ics, "DTSTART"), "20301224T000000Z");
    assert_string_equal(value_of(ics, "DTEND"), "20301224T010000Z");
    assert_string_equal(value_of(ics, "DTSTAMP"), "20301220T122640Z");
    assert_string_equal(value_of(ics, "SUMMARY"),
                        "Treasures\\, old\\; and new \\\\ 보물 — SK Museum");
    assert_string_equal(value_of(ics, "LOCATION"), "1 Museum-ro\\, Seoul");
    assert_string_equal(value_of(ics, "DESCRIPTION"),
                        "Ticket code: CR3MB5NT1V\\nParty: 2 (adult 2)"); /* \x01 dropped */
    assert_null(strstr(ics, "\r\nURL:"));
    free(ics);
}

static void optional_parts(void **state)
{
    struct ics_visit v = visit;
    char *ics;

    (void)state;
    v.location = "";
    v.description = NULL;
    v.url = "https://museum.example/my.html";
    ics = ics_render(&v, NULL);
    assert_non_null(ics);
    assert_null(strstr(ics, "LOCATION:"));
    assert_string_equal(value_of(ics, "URL"), "https://museum.example/my.html");
    assert_string_equal(value_of(ics, "DESCRIPTION"), value_of(ics, "SUMMARY")); /* the alarm's */
    free(ics);
}

static const char *const categories[] = {"adult", "youth", "child", "senior", NULL};

static const struct ics_booking booking = {
    .id = 42,
    .code = "CR3MB5NT1V",
    .lang = "en",
    .exhibition = "Treasures",
    .museum = "SK Museum",
    .address = "1 Museum-ro, Seoul",
    .party = 4,
    .tickets = "{\"child\": 1, \"adult\": 2, \"guide\": 1}",
    .categories = categories,
    .start = 1924300800,
    .end = 1924304400,
    .updated = 1924000000,
};

static void party_in_the_categories_order_and_language(void **state)
{
    struct ics_booking b = booking;
    char *party;

    (void)state;
    party = ics_party(&b);
    assert_string_equal(party, "4 (adult 2, child 1, guide 1)"); /* configured order, then others */
    free(party);
    b.lang = "ko";
    party = ics_party(&b);
    assert_string_equal(party, "4명 (성인 2, 어린이 1, guide 1)");
    free(party);
    assert_string_equal(ics_category_name("youth", "ko"), "청소년");
    assert_string_equal(ics_category_name("senior", "ko"), "경로");
    assert_string_equal(ics_category_name("senior", "en"), "senior");
    b.tickets = "not json";
    party = ics_party(&b);
    assert_string_equal(party, "4명");
    free(party);
}

static void a_bookings_calendar(void **state)
{
    struct ics_booking b = booking;
    char *ics, *again;
    size_t len = 0, len2 = 0;

    (void)state;
    ics = ics_booking(&b, &len);
    assert_non_null(ics);
    assert_string_equal(value_of(ics, "UID"), "booking-42-CR3MB5NT1V@sk-museum");
    assert_string_equal(value_of(ics, "DTSTAMP"), "20301220T122640Z"); /* its last change */
    assert_string_equal(value_of(ics, "SUMMARY"), "Treasures — SK Museum");
    assert_string_equal(value_of(ics, "LOCATION"), "1 Museum-ro\\, Seoul");
    assert_string_equal(value_of(ics, "DESCRIPTION"),
                        "Ticket code: CR3MB5NT1V\\nParty: 4 (adult 2\\, child 1\\, guide 1)");
    assert_null(strstr(ics, "\r\nURL:"));
    again = ics_booking(&b, &len2); /* the same booking: the same file, whenever made */
    assert_int_equal(len, len2);
    assert_memory_equal(ics, again, len);
    free(again);
    free(ics);
    b.lang = "ko";
    b.museum = "SK 박물관";
    b.address = "";
    ics = ics_booking(&b, NULL);
    assert_string_equal(value_of(ics, "SUMMARY"), "Treasures — SK 박물관");
    assert_string_equal(value_of(ics, "DESCRIPTION"),
                        "티켓 코드: CR3MB5NT1V\\n인원: 4명 (성인 2\\, 어린이 1\\, guide 1)");
    assert_null(strstr(ics, "LOCATION:"));
    free(ics);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_are_crlf_folded_and_whole_characters),
        cmocka_unit_test(values_escaped_and_times_utc),
        cmocka_unit_test(optional_parts),
        cmocka_unit_test(party_in_the_categories_order_and_language),
        cmocka_unit_test(a_bookings_calendar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
