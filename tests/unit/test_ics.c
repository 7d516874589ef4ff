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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_are_crlf_folded_and_whole_characters),
        cmocka_unit_test(values_escaped_and_times_utc),
        cmocka_unit_test(optional_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
