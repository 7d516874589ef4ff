/* ics: a visit as an iCalendar file (RFC 5545): one VEVENT, published, in
 * UTC, CRLF lines folded at 75 octets (never inside a UTF-8 character),
 * text values escaped. Used by GET /books/{id}/visit.ics and by the ticket
 * email's attachment, so both carry the same file. Pure. */
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

#endif
