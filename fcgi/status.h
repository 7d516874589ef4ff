/* status: /status (pool, listen queue, listener lag, outbox backlog),
 * /healthz (the process answers) and /readyz (database reachable and
 * listener lag under READY_MAX_LAG_S). */
#ifndef MUSEUM_STATUS_H
#define MUSEUM_STATUS_H

#include "http.h"
#include "pool.h"

/* Tells the module the scoreboard, the listening socket and the most
 * listener lag (seconds) /readyz accepts. Worker side, once. */
void status_init(const struct pool_board *board, int listen_fd, double ready_max_lag_s);

/* Handlers (see the table in route.c). Each answers the request once. */
void status_show(struct http_request *req, const char *id);
void status_healthz(struct http_request *req, const char *id);
void status_readyz(struct http_request *req, const char *id);

#endif
