/* book: the /books resource — bookings, which take their seats at once. */
#ifndef MUSEUM_BOOK_H
#define MUSEUM_BOOK_H

#include <stddef.h>
#include <json-c/json.h>

#include "http.h"
#include "problem.h"
#include "site.h"

/* Room for a booking's tickets as JSON: every category counted. */
#define BOOK_TICKETS_SIZE (SITE_CATEGORIES_MAX * 32 + 3)

/* The tickets member of body (as for POST /books; also the waiting list's)
 * into tickets (size n) and *party; absent, the first category counts one
 * visitor. 0, or -1 with the field error in p. */
int book_read_tickets(json_object *body, char *tickets, size_t n, int *party, struct problem *p);

/* Handlers (see the table in route.c); id is the path's {id} as written,
 * NULL for the collection. Each answers the request once. */
void book_list(struct http_request *req, const char *id);
void book_create(struct http_request *req, const char *id);
void book_get(struct http_request *req, const char *id);
void book_patch(struct http_request *req, const char *id);
void book_put(struct http_request *req, const char *id);

/* GET /books/{id}/qr.svg and /books/{id}/visit.ics (staff or a token
 * that opens the booking): its ticket code as a QR code, its visit as a
 * calendar file. */
void book_qr(struct http_request *req, const char *id);
void book_ics(struct http_request *req, const char *id);

#endif
