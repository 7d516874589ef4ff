#include "ics.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

/* A calendar being written: its text, and the octets of the line being
 * written (col), for folding. */
struct out {
    struct textbuf t;
    size_t col;
};

/* Writes n octets of a content line, folding before any octet that would
 * pass 75 on the line (a CRLF and a space), never inside a UTF-8 character:
 * s[0..n) is one character or one escape. */
static void put_folded(struct out *o, const char *s, size_t n)
{
    if (o->col + n > 75) {
        textbuf_put(&o->t, "\r\n ", 3);
        o->col = 1;
    }
    textbuf_put(&o->t, s, n);
    o->col += n;
}

/* Ends a content line. */
static void end_line(struct out *o)
{
    textbuf_put(&o->t, "\r\n", 2);
    o->col = 0;
}

/* A whole line NAME:value with value as is (ASCII: dates, ids). */
static void line(struct out *o, const char *name, const char *value)
{
    put_folded(o, name, strlen(name));
    put_folded(o, ":", 1);
    for (const char *p = value; *p; p++)
        put_folded(o, p, 1);
    end_line(o);
}

/* A line NAME:text with text escaped as a TEXT value (backslash, ';', ','
 * and newlines; other control characters dropped). */
static void text_line(struct out *o, const char *name, const char *text)
{
    put_folded(o, name, strlen(name));
    put_folded(o, ":", 1);
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t n = 1;
        if (*p == '\\' || *p == ';' || *p == ',') {
            char esc[2] = {'\\', (char)*p};
            put_folded(o, esc, 2);
        } else if (*p == '\n') {
            put_folded(o, "\\n", 2);
        } else if (*p < 0x20 || *p == 0x7F) {
            /* dropped */
        } else {
            if (*p >= 0xC0) /* a UTF-8 lead octet: keep its continuation octets with it */
                while (n < 4 && (p[n] & 0xC0) == 0x80)
                    n++;
            put_folded(o, (const char *)p, n);
        }
        p += n;
    }
    end_line(o);
}

/* t as a UTC DATE-TIME ("20310301T000000Z"). */
static void utc(time_t t, char out[17])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

char *ics_render(const struct ics_visit *visit, size_t *len)
{
    struct out o = {0};
    char start[17], end[17], stamp[17];

    utc(visit->start, start);
    utc(visit->end, end);
    utc(visit->stamp, stamp);
    line(&o, "BEGIN", "VCALENDAR");
    line(&o, "VERSION", "2.0");
    line(&o, "PRODID", "-//SK Museum//Tickets//EN");
    line(&o, "CALSCALE", "GREGORIAN");
    line(&o, "METHOD", "PUBLISH");
    line(&o, "BEGIN", "VEVENT");
    text_line(&o, "UID", visit->uid);
    line(&o, "DTSTAMP", stamp);
    line(&o, "DTSTART", start);
    line(&o, "DTEND", end);
    text_line(&o, "SUMMARY", visit->summary);
    if (visit->location && *visit->location)
        text_line(&o, "LOCATION", visit->location);
    if (visit->description && *visit->description)
        text_line(&o, "DESCRIPTION", visit->description);
    if (visit->url && *visit->url)
        line(&o, "URL", visit->url);
    line(&o, "BEGIN", "VALARM");
    line(&o, "ACTION", "DISPLAY");
    text_line(&o, "DESCRIPTION", visit->summary);
    line(&o, "TRIGGER", "-PT1H");
    line(&o, "END", "VALARM");
    line(&o, "END", "VEVENT");
    line(&o, "END", "VCALENDAR");
    if (o.t.failed) {
        free(o.t.s);
        return NULL;
    }
    if (len)
        *len = o.t.len;
    return o.t.s;
}

const char *ics_category_name(const char *cat, const char *lang)
{
    static const char *const ko[][2] = {
        {"adult", "성인"}, {"youth", "청소년"}, {"child", "어린이"}, {"senior", "경로"}};

    for (size_t i = 0; lang && strcmp(lang, "ko") == 0 && i < sizeof(ko) / sizeof(ko[0]); i++)
        if (strcmp(cat, ko[i][0]) == 0)
            return ko[i][1];
    return cat;
}

/* 1 if cat is one of the NULL-ended cats. */
static int listed(const char *const *cats, const char *cat)
{
    for (size_t i = 0; cats && cats[i]; i++)
        if (strcmp(cats[i], cat) == 0)
            return 1;
    return 0;
}

char *ics_party(const struct ics_booking *b)
{
    json_object *t = b->tickets ? json_tokener_parse(b->tickets) : NULL, *v;
    int ko = b->lang && strcmp(b->lang, "ko") == 0, first = 1;
    struct textbuf o = {0};

    textbuf_printf(&o, ko ? "%d명" : "%d", b->party);
    if (t && json_object_is_type(t, json_type_object)) {
        for (size_t i = 0; b->categories && b->categories[i]; i++)
            if (json_object_object_get_ex(t, b->categories[i], &v)) {
                textbuf_printf(&o, "%s%s %d", first ? " (" : ", ",
                               ics_category_name(b->categories[i], b->lang),
                               json_object_get_int(v));
                first = 0;
            }
        json_object_object_foreach(t, key, val)
        {
            if (listed(b->categories, key))
                continue;
            textbuf_printf(&o, "%s%s %d", first ? " (" : ", ", ics_category_name(key, b->lang),
                           json_object_get_int(val));
            first = 0;
        }
        if (!first)
            textbuf_puts(&o, ")");
    }
    json_object_put(t);
    if (o.failed) {
        free(o.s);
        return NULL;
    }
    return o.s;
}

char *ics_booking(const struct ics_booking *b, size_t *len)
{
    int ko = b->lang && strcmp(b->lang, "ko") == 0;
    char *party = ics_party(b), *ics = NULL;
    struct textbuf uid = {0}, summary = {0}, desc = {0};

    if (!party)
        return NULL;
    textbuf_printf(&uid, "booking-%lld-", b->id);
    textbuf_puts(&uid, b->code);
    textbuf_puts(&uid, "@sk-museum");
    textbuf_puts(&summary, b->exhibition);
    textbuf_puts(&summary, " — ");
    textbuf_puts(&summary, b->museum);
    textbuf_puts(&desc, ko ? "티켓 코드: " : "Ticket code: ");
    textbuf_puts(&desc, b->code);
    textbuf_puts(&desc, ko ? "\n인원: " : "\nParty: ");
    textbuf_puts(&desc, party);
    if (!uid.failed && !summary.failed && !desc.failed) {
        struct ics_visit v = {
            .uid = uid.s,
            .start = b->start,
            .end = b->end,
            .stamp = b->updated,
            .summary = summary.s,
            .location = b->address,
            .description = desc.s,
            .url = NULL, /* no link: calendars are synced and shared, a token must not be in one */
        };
        ics = ics_render(&v, len);
    }
    free(party);
    free(uid.s);
    free(summary.s);
    free(desc.s);
    return ics;
}
