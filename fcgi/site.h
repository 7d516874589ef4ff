/* site: the museum's own settings — its name and visit information for the
 * pages, its default opening hours, the visitor categories and the largest
 * party for bookings — read and checked once at start-up (etc/museum.conf)
 * by the app and by the listener (its emails), and GET /site. */
#ifndef MUSEUM_SITE_H
#define MUSEUM_SITE_H

#include "http.h"

#define SITE_CATEGORIES_MAX 10

/* Reads the settings from the environment. Returns 0, or -1 with a
 * config_error line naming the bad setting on stderr (the caller exits 2). */
int site_load(void);

/* The visitor categories (TICKET_CATEGORIES), NULL-ended; the first is the
 * one a booking without tickets counts. */
const char *const *site_categories(void);

/* The most visitors one booking may count (MAX_PARTY). */
int site_max_party(void);

/* The default opening hours of a new exhibition ("HH:MM"). */
const char *site_opens(void);
const char *site_closes(void);

/* The museum's name and address (MUSEUM_NAME, MUSEUM_ADDRESS; "" if
 * unset) in language lang: for "ko" the Korean ones (MUSEUM_NAME_KO,
 * MUSEUM_ADDRESS_KO) when set. */
const char *site_name(const char *lang);
const char *site_address(const char *lang);

/* GET /site (anyone). */
void site_show(struct http_request *req, const char *id);

#endif
