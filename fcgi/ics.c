#include "ics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing buffer of content lines; col counts the octets of the line
 * being written, for folding. err is set once an allocation failed. */
struct out {
    char *s;
    size_t len, cap, col;
    int err;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->err)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 1024;
        char *grown;
        while (o->len + n + 1 > cap)
            cap *= 2;
        if (!(grown = realloc(o->s, cap))) {
            o->err = 1;
            return;
        }
        o->s = grown, o->cap = cap;
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = '\0';
}

/* Writes n octets of a content line, folding before any octet that would
 * pass 75 on the line (a CRLF and a space), never inside a UTF-8 character:
 * s[0..n) is one character or one escape. */
static void put_folded(struct out *o, const char *s, size_t n)
{
    if (o->col + n > 75) {
        put(o, "\r\n ", 3);
        o->col = 1;
    }
    put(o, s, n);
    o->col += n;
}

/* Ends a content line. */
static void end_line(struct out *o)
{
    put(o, "\r\n", 2);
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
    if (o.err) {
        free(o.s);
        return NULL;
    }
    if (len)
        *len = o.len;
    return o.s;
}
