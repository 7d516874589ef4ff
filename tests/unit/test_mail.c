/* fcgi/mail.c, without the network: mail_compose's headers (the Subject's
 * RFC 2047 words on lines of at most 76 characters, whole UTF-8
 * characters in each word) and the addresses it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mail.h"
#include "validate.h"

static const char *const categories[] = {"adult", "youth", "child", NULL};

static const struct mail_config config = {
    .from = "SK Museum <tickets@museum.example>",
    .public_url = "https://museum.example",
    .timeout_ms = 1000,
    .connect_timeout_ms = 1000,
    .dir = "/nonexistent/mail", /* a warning, not an error: nothing is delivered here */
    .museum = {"SK Museum", "SK 박물관"},
    .address = {"", ""},
    .categories = categories,
};

static struct mail_message ticket(const char *lang, const char *exhibition)
{
    return (struct mail_message){
        .id = 7,
        .kind = "TICKET",
        .to = "visitor@example.org",
        .lang = lang,
        .book_id = 42,
        .code = "CR3MB5NT1V",
        .exhibition = exhibition,
        .cust_nm = "Kim",
        .slot_start = 1924300800,
        .slot_end = 1924304400,
        .party = 2,
        .tickets = "{\"adult\": 2}",
        .updated = 1924000000,
    };
}

/* The value of base64 character c, or -1. */
static int b64(char c)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(abc, c) : NULL;
    return p ? (int)(p - abc) : -1;
}

/* Decodes the Subject header of text (its words, folded lines) into out;
 * checks every header line is at most 76 characters and every word holds
 * whole UTF-8 characters. */
static void subject_of(const char *text, char *out, size_t n)
{
    const char *p = strstr(text, "\r\nSubject: "), *end;
    size_t o = 0;

    assert_non_null(p);
    for (const char *line = text; line[0] != '\r'; line = end + 2) { /* the headers */
        end = strstr(line, "\r\n");
        assert_non_null(end);
        assert_true(end - line <= 76);
    }
    p += 11;
    for (;;) {
        const char *w = p, *q;
        size_t start = o;
        unsigned v = 0;
        int bits = 0;
        if (strncmp(w, "=?UTF-8?B?", 10) != 0) { /* plain ASCII, as is */
            end = strstr(w, "\r\n");
            memcpy(out, w, (size_t)(end - w));
            out[end - w] = '\0';
            return;
        }
        q = strstr(w + 10, "?=");
        assert_non_null(q);
        for (const char *c = w + 10; c < q && *c != '='; c++) {
            assert_true(b64(*c) >= 0);
            v = v << 6 | (unsigned)b64(*c);
            if ((bits += 6) >= 8) {
                assert_true(o + 1 < n);
                out[o++] = (char)(v >> (bits - 8) & 0xFF);
                bits -= 8;
            }
        }
        assert_int_equal(validate_utf8(out + start, o - start), 0); /* whole characters */
        p = q + 2;
        if (strncmp(p, "\r\n ", 3) != 0)
            break;
        p += 3;
    }
    assert_memory_equal(p, "\r\n", 2);
    out[o] = '\0';
}

static void subject_lines_fit(void **state)
{
    static const char *const names[] = {
        "보물", "고려 시대의 청자와 백자, 그리고 조선 시대의 분청사기: 한국 도자기 천 년의 역사",
        "Treasures of the Silla Kingdom and the Goryeo Dynasty: a Thousand Years of Korean Art",
        "A", "Ünïcödé — ‘quoted’ names… with dashes – and more text to fold over two lines"};
    char err[256], subject[1024], want[1024];
    struct mail_sender *s = mail_init(&config, err, sizeof(err));

    (void)state;
    assert_non_null(s);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        for (int ko = 0; ko < 2; ko++) {
            struct mail_message m = ticket(ko ? "ko" : "en", names[i]);
            size_t len = 0;
            char *text = mail_compose(s, &m, 1924000000, &len, err, sizeof(err));

            assert_non_null(text);
            subject_of(text, subject, sizeof(subject));
            snprintf(want, sizeof(want), ko ? "입장권 %s — %s" : "Your ticket %s — %s", m.code,
                     names[i]);
            assert_string_equal(subject, want);
            free(text);
        }
    mail_free(s);
}

static void addresses_the_api_refuses_are_refused(void **state)
{
    static const char *const bad[] = {"a(b)@example.org",    "김@example.org",  "a@박물관.한국",
                                      "\"a b\"@example.org", "a,b@example.org", "a<b>@example.org"};
    char err[256];
    struct mail_sender *s = mail_init(&config, err, sizeof(err));

    (void)state;
    assert_non_null(s);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mail_message m = ticket("en", "Treasures");
        size_t len = 0;
        char *text;

        m.to = bad[i];
        assert_non_null(validate_email(bad[i], strlen(bad[i])));
        text = mail_compose(s, &m, 1924000000, &len, err, sizeof(err));
        assert_null(text);
        assert_string_equal(err, "not an address we can send to");
    }
    mail_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(subject_lines_fit),
        cmocka_unit_test(addresses_the_api_refuses_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
