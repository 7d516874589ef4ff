/* caller: who is calling — staff (HTTP Basic, user admin) or the holder of
 * a booking token — and what a handler requires of them. */
#ifndef MUSEUM_CALLER_H
#define MUSEUM_CALLER_H

#include "http.h"
#include "problem.h"

/* Sets the staff password (NULL or "": nobody is staff). Kept, not
 * copied: called once at start-up with a string that lives as long. */
void caller_init(const char *admin_password);

/* Sets req->staff and req->token from the Authorization header and the
 * booking token (X-Booking-Token, else ?token=, else a sign-in link's
 * X-Access-Token: the SQL tells what each opens). A token presented but
 * malformed becomes "", which matches no booking. Returns 0, or -1 with a
 * 401 in p when credentials are presented and wrong. */
int caller_identify(struct http_request *req, struct problem *p);

/* 0 for staff, else -1 with a 401 and a Basic challenge in p. */
int caller_require_staff(const struct http_request *req, struct problem *p);

/* 0 for staff or a token holder, else -1 with a 401 saying detail. */
int caller_require_staff_or_token(const struct http_request *req, const char *detail,
                                  struct problem *p);

/* The caller's staff flag as a statement parameter: "true" or "false". */
const char *caller_staff_param(const struct http_request *req);

#endif
