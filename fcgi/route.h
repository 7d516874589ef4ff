/* route: which handler answers a request — the one table of every
 * endpoint, its method, path and who may call it. */
#ifndef MUSEUM_ROUTE_H
#define MUSEUM_ROUTE_H

#include "http.h"

/* Sets the most a request may have waited in the pool's queue (ms since
 * nginx handed it on; 0 = no bound). Once per worker. */
void route_init(long queue_max_ms);

/* Answers req: refuses it (503) if it waited too long for a worker,
 * identifies the caller, finds its route and calls its handler, or
 * answers 401, 404 or 405 (with Allow) itself. */
void route_request(struct http_request *req);

#endif
