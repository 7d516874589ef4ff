/* route: which handler answers a request — the one table of every
 * endpoint, its method, path and who may call it. */
#ifndef MUSEUM_ROUTE_H
#define MUSEUM_ROUTE_H

#include "http.h"

/* Answers req: identifies the caller, finds its route and calls its
 * handler, or answers 401, 404 or 405 (with Allow) itself. */
void route_request(struct http_request *req);

#endif
