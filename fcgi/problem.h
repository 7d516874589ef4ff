/* problem: what went wrong with a request, as the RFC 9457 problem+json
 * answered for it. Helpers fill one and return -1; the handler answers it
 * once (http_reply_problem), at its out: label. */
#ifndef MUSEUM_PROBLEM_H
#define MUSEUM_PROBLEM_H

#include <json-c/json.h>

struct problem {
    int status;          /* HTTP status: 500 until something says otherwise */
    char detail[256];    /* for a person */
    json_object *errors; /* field errors {"field": "message"}, or NULL; owned */
    char header[160];    /* one more header line ("Allow: ...", a challenge), or "" */
};

/* A problem that says "unexpected error" (500) until it is set: a handler
 * that forgets to answer still answers. */
#define PROBLEM_INIT                                                                               \
    {                                                                                              \
        .status = 500, .detail = "unexpected error"                                                \
    }

/* Sets status and a printf-style detail. Returns -1, so a helper can end
 * with `return problem_set(...)`. */
int problem_set(struct problem *p, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records field error "field": "message" (the first one per field wins)
 * and makes p a 422 "some fields are invalid; see errors". Returns -1. */
int problem_field(struct problem *p, const char *field, const char *message);

/* Renames field error "from" to "to" (as the client named the field). */
void problem_field_rename(struct problem *p, const char *from, const char *to);

/* Frees what p owns (its field errors). */
void problem_clear(struct problem *p);

#endif
