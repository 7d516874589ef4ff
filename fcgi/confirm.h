/* confirm: the /confirms resource — entry confirmations, issued by the
 * listener for each booking. */
#ifndef MUSEUM_CONFIRM_H
#define MUSEUM_CONFIRM_H

#include "http.h"

/* Handlers (see the table in route.c); id is the path's {id} as written,
 * NULL for the collection. Each answers the request once. */
void confirm_list(struct http_request *req, const char *id);
void confirm_get(struct http_request *req, const char *id);

#endif
