/* confirm: the /confirms resource. */
#ifndef MUSEUM_CONFIRM_H
#define MUSEUM_CONFIRM_H

#include "http.h"

/* Answers a request for /confirms (id NULL) or /confirms/{id} (id as written in the path). */
void confirm_route(struct http_request *req, const char *id);

#endif
