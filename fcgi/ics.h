/* ics: a visit as an iCalendar file (RFC 5545): one VEVENT, published, in
 * UTC, CRLF lines folded at 75 octets (never inside a UTF-8 character),
 * text values escaped; and a booking's party in words. ics_booking makes
 * both GET /books/{id}/visit.ics and the ticket email's attachment, so the
 * two are the same file for the same booking. Pure. */
#ifndef MUSEUM_ICS_H
#define MUSEUM_ICS_H

#include <stddef.h>
#include <time.h>

struct ics_visit {
    const char *uid;         /* stable and unique: "booking-<id>-<code>@<host>" */
    time_t start, end;       /* the slot */
    time_t stamp;            /* when the file is made (DTSTAMP) */
    const char *summary;     /* "<exhibition> — <museum>" */
    const char *location;    /* the museum's address; NULL or "": none */
    const char *description; /* code, party, ...; newlines allowed; NULL: none */
    const char *url;         /* a link to the booking; NULL or "": none */
};

/* The calendar for visit, NUL-terminated, in a buffer the caller frees;
 * *len (if not NULL) is its length. NULL if out of memory. Text is taken
 * as UTF-8 and passed through, but for control characters (dropped). */
char *ics_render(const struct ics_visit *visit, size_t *len);

/* A booking as its visit.ics and its ticket email show it. */
struct ics_booking {
    long long id;
    const char *code;
    const char *lang;       /* "en" or "ko" */
    const char *exhibition; /* the booking's exhibition (name) */
    const char *museum;     /* the museum's name in lang (site_name) */
    const char *address;    /* its address in lang (site_address); "": none */
    int party;
    const char *tickets;           /* {"adult": 2, ...} */
    const char *const *categories; /* TICKET_CATEGORIES, NULL-ended: the order */
    time_t start, end;             /* the slot */
    time_t updated;                /* its last change: the DTSTAMP */
};

/* The name of visitor category cat in lang: Korean for the usual ones
 * (adult 성인, ...), else cat itself. */
const char *ics_category_name(const char *cat, const char *lang);

/* The party in words, "3 (adult 2, child 1)" or "3명 (성인 2, 어린이 1)"
 * (the categories in b->categories' order, then any other), in a buffer
 * the caller frees; NULL if out of memory. */
char *ics_party(const struct ics_booking *b);

/* The calendar of booking b (ics_render: UID booking-<id>-<code>@sk-museum,
 * SUMMARY "<exhibition> — <museum>", DESCRIPTION its code and party, no
 * URL, DTSTAMP b->updated), as ics_render returns it. */
char *ics_booking(const struct ics_booking *b, size_t *len);

#endif
