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

static struct mail_message waitlist(const char *kind, const char *lang, const char *secret)
{
    struct mail_message m = ticket(lang, "Treasures");

    m.kind = kind;
    m.book_id = 0;
    m.code = NULL;
    m.updated = 0;
    m.secret = secret;
    m.entry_id = 31;
    m.offer_expires = 1924301400; /* 10 minutes into the slot */
    return m;
}

/* The text part of text, decoded (its CRLF lines made LF) into out. */
static void body_of(const char *text, char *out, size_t n)
{
    const char *p = strstr(text, "Content-Type: text/plain; charset=UTF-8\r\n"), *end;
    unsigned v = 0;
    int bits = 0;
    size_t o = 0;

    assert_non_null(p);
    p = strstr(p, "\r\n\r\n");
    assert_non_null(p);
    end = strstr(p, "--=_sk-museum-");
    assert_non_null(end);
    for (p += 4; p < end; p++) {
        if (b64(*p) < 0)
            continue; /* CRLF, padding */
        v = v << 6 | (unsigned)b64(*p);
        if ((bits += 6) >= 8) {
            char c = (char)(v >> (bits - 8) & 0xFF);
            bits -= 8;
            if (c == '\r')
                continue;
            assert_true(o + 1 < n);
            out[o++] = c;
        }
    }
    out[o] = '\0';
}

/* The waiting list's three kinds, in both languages: the offer with its
 * accept link (or the words instead), held until a time in the museum's. */
static void waitlist_messages(void **state)
{
    static const struct {
        const char *kind, *lang, *secret, *subject, *want[3];
    } cases[] = {
        {"WAITLIST_OFFER",
         "en",
         "tok-abc",
         "Seats are free for you — Treasures",
         {"Exhibition: Treasures\nWhen: Tuesday 24 December 2030, 09:00–10:00\nParty: 2 (adult 2)",
          "held for you until Tuesday 24 December 2030, 09:10",
          "https://museum.example/waitlist.html#id=31&token=tok-abc\n"}},
        {"WAITLIST_OFFER",
         "ko",
         "tok-abc",
         "대기하신 자리가 났습니다 — Treasures",
         {"전시: Treasures\n일시: 2030년 12월 24일 (화) 09:00–10:00",
          "2030년 12월 24일 (화) 09:10까지",
          "https://museum.example/waitlist.html#id=31&token=tok-abc\n"}},
        {"WAITLIST_OFFER",
         "en",
         NULL,
         "Seats are free for you — Treasures",
         {"held for you until Tuesday 24 December 2030, 09:10",
          "Open the link you got when you joined the waiting list", "Hello Kim,"}},
        {"WAITLIST_EXPIRED",
         "en",
         NULL,
         "Your held seats ran out — Treasures",
         {"went to the next person waiting", "When: Tuesday 24 December 2030, 09:00–10:00",
          "Book another visit: https://museum.example/\n"}},
        {"WAITLIST_EXPIRED",
         "ko",
         NULL,
         "대기 자리 제안이 만료되었습니다 — Treasures",
         {"다음 대기자에게", "일시: 2030년 12월 24일 (화) 09:00–10:00", "Kim님"}},
        {"WAITLIST_CANCELED",
         "en",
         NULL,
         "We are sorry: your place on the waiting list is canceled — Treasures",
         {"because the museum is closed that day.", "Party: 2 (adult 2)", "book another visit"}},
        {"WAITLIST_CANCELED",
         "ko",
         NULL,
         "죄송합니다: 대기가 취소되었습니다 — Treasures",
         {"사유: 박물관이 그날 휴관하게 되었습니다.", "인원: 2명", "SK 박물관"}},
    };
    char err[256], subject[1024], body[8192];
    struct mail_sender *s = mail_init(&config, err, sizeof(err));

    (void)state;
    assert_non_null(s);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mail_message m = waitlist(cases[i].kind, cases[i].lang, cases[i].secret);
        size_t len = 0;
        char *text;

        m.cancel_reason = strcmp(cases[i].kind, "WAITLIST_CANCELED") == 0 ? "DAY_CLOSED" : NULL;
        text = mail_compose(s, &m, 1924000000, &len, err, sizeof(err));
        assert_non_null(text);
        assert_null(strstr(text, "visit-")); /* no calendar: not a booking */
        subject_of(text, subject, sizeof(subject));
        assert_string_equal(subject, cases[i].subject);
        body_of(text, body, sizeof(body));
        for (size_t j = 0; j < 3; j++)
            if (!strstr(body, cases[i].want[j]))
                fail_msg("%s %s: no \"%s\" in:\n%s", cases[i].kind, cases[i].lang, cases[i].want[j],
                         body);
        if (!cases[i].secret)
            assert_null(strstr(body, "token="));
        free(text);
    }
    /* An entry that is gone (no exhibition) is never composed. */
    {
        struct mail_message m = waitlist("WAITLIST_OFFER", "en", "t");
        size_t len = 0;
        m.exhibition = NULL;
        assert_null(mail_compose(s, &m, 1924000000, &len, err, sizeof(err)));
        assert_string_equal(err, "its waiting list entry is gone");
    }
    mail_free(s);
}

int main(void)
{
    setenv("TZ", "Asia/Seoul", 1); /* the museum's time, as the listener sets it */
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(subject_lines_fit),
        cmocka_unit_test(addresses_the_api_refuses_are_refused),
        cmocka_unit_test(waitlist_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
