/* waitlist: the waiting list of a sold-out slot — joining it, reading and
 * leaving an entry, accepting its offer (a booking), and staff's list.
 * Offers and expiries are the listener's (waitlist.tick). */
#ifndef MUSEUM_WAITLIST_H
#define MUSEUM_WAITLIST_H

#include "http.h"

/* Handlers (see the table in route.c); id is the path's {id} as written.
 * Each answers the request once. */
void waitlist_join(struct http_request *req, const char *id);
void waitlist_list(struct http_request *req, const char *id);
void waitlist_get(struct http_request *req, const char *id);
void waitlist_accept(struct http_request *req, const char *id);
void waitlist_leave(struct http_request *req, const char *id);

#endif
