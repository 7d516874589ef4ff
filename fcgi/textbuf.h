/* textbuf: a growing, NUL-terminated text (an email, a calendar, a JSON
 * answer being written). Start from {0}; the owner frees s. */
#ifndef MUSEUM_TEXTBUF_H
#define MUSEUM_TEXTBUF_H

#include <stddef.h>

struct textbuf {
    char *s;    /* s[0..len) and a NUL; NULL until the first write */
    size_t len; /* octets written */
    size_t cap; /* octets allocated */
    int failed; /* an allocation failed: later writes are dropped */
};

/* Appends s[0..n). Out of memory, sets failed and keeps what was written. */
void textbuf_put(struct textbuf *t, const char *s, size_t n);

/* Appends the NUL-terminated s, as textbuf_put. */
void textbuf_puts(struct textbuf *t, const char *s);

/* Appends the printf-style text, as textbuf_put (any length). */
__attribute__((format(printf, 2, 3))) void textbuf_printf(struct textbuf *t, const char *fmt, ...);

#endif
