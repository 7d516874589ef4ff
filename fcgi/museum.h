/* museum: the /museums resource — exhibitions, their slots and seats. */
#ifndef MUSEUM_MUSEUM_H
#define MUSEUM_MUSEUM_H

#include "http.h"

/* Handlers (see the table in route.c); id is the path's {id} as written,
 * NULL for the collection. Each answers the request once. */
void museum_list(struct http_request *req, const char *id);
void museum_create(struct http_request *req, const char *id);
void museum_get(struct http_request *req, const char *id);
void museum_patch(struct http_request *req, const char *id);
void museum_delete(struct http_request *req, const char *id);
void museum_slots(struct http_request *req, const char *id);

#endif
