/* door: the museum's door (docs/door.md): check-ins and exits
 * (POST /checkins), who is inside (GET /museums/{id}/inside) and the day's
 * bookings for door accounts (GET /books?day=). */
#ifndef MUSEUM_DOOR_H
#define MUSEUM_DOOR_H

#include "http.h"

/* The check-in window: from early_min minutes before a slot's start to
 * late_min minutes after its end (CHECKIN_EARLY_MIN, CHECKIN_LATE_MIN,
 * read once at start-up). */
void door_init(long early_min, long late_min);

void door_checkin(struct http_request *req, const char *id);
void door_inside(struct http_request *req, const char *id);
void door_books(struct http_request *req, const char *id);

#endif
