/* museum: the /museums resource. */
#ifndef MUSEUM_MUSEUM_H
#define MUSEUM_MUSEUM_H

#include "http.h"

/* Answers a request for /museums (id NULL) or /museums/{id} (id as written in the path). */
void museum_route(struct http_request *req, const char *id);

#endif
