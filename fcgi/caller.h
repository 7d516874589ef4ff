/* caller: who is calling — staff (HTTP Basic: admin, or a staff account of
 * role admin or door) or the holder of a booking token — and what a
 * handler requires of them. */
#ifndef MUSEUM_CALLER_H
#define MUSEUM_CALLER_H

#include <stdio.h>

#include "http.h"
#include "problem.h"

/* Sets the staff password (NULL or "": nobody is staff). Kept, not
 * copied: called once at start-up with a string that lives as long. */
void caller_init(const char *admin_password);

/* Sets req->staff (admin: the bootstrap one or an account of role admin),
 * req->door (an account of role door), req->user, and req->token from the
 * Authorization header and the booking token (X-Booking-Token, else
 * ?token=, else a sign-in link's X-Access-Token: the SQL tells what each
 * opens). A staff account is looked up on every request (a disabled one,
 * or an old password, is refused at once); its password hash is computed
 * only when these credentials have not been verified by this worker
 * before. A token presented but malformed becomes "", which matches no
 * booking. Returns 0, or -1 with a 401 in p when credentials are presented
 * and wrong (503/500 when the database cannot say). */
int caller_identify(struct http_request *req, struct problem *p);

/* 0 for staff, else -1 with a 403 for a door account, or a 401 and a
 * Basic challenge in p. */
int caller_require_staff(const struct http_request *req, struct problem *p);

/* 0 for staff or a door account, else -1 with a 401 and a challenge. */
int caller_require_door(const struct http_request *req, struct problem *p);

/* 0 for staff or a token holder, else -1 with a 403 for a door account,
 * or a 401 saying detail. */
int caller_require_staff_or_token(const struct http_request *req, const char *detail,
                                  struct problem *p);

/* The caller's staff flag as a statement parameter: "true" or "false". */
const char *caller_staff_param(const struct http_request *req);

/* museum-app --hash-password: reads a password (one line) from in and
 * writes its yescrypt hash to out. Returns the exit status: 0, or 2 (too
 * short: fewer than min characters, or unreadable) with a message. */
int caller_hash_password(FILE *in, FILE *out, size_t min);

#endif
