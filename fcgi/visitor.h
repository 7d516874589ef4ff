/* visitor: a visitor's access from any device — sign-in links by email
 * (POST /visitors/access) and the bookings one opens (GET /myBookings) —
 * and the server key that seals the tokens emails carry (TICKET_SEAL_KEY). */
#ifndef MUSEUM_VISITOR_H
#define MUSEUM_VISITOR_H

#include "http.h"

#define VISITOR_SEAL_KEY_MIN 32 /* characters of TICKET_SEAL_KEY */
#define VISITOR_BOOKINGS_MAX 200

/* Reads TICKET_SEAL_KEY from the environment. Returns 0, or -1 with a
 * config_error line naming it on stderr (the caller exits 2). */
int visitor_load(void);

/* The server key (TICKET_SEAL_KEY) as read by visitor_load. */
const char *visitor_seal_key(void);

/* POST /visitors/access {"email","lang"?} (anyone): 202 {"status":"sent"}
 * for every well-formed email, a sign-in link queued to it. */
void visitor_access(struct http_request *req, const char *id);

/* GET /myBookings (X-Access-Token): the bookings made with its email. */
void visitor_bookings(struct http_request *req, const char *id);

#endif
