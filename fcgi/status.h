/* status: /status (pool, listen queue, listener lag, outbox backlog),
 * /healthz (the process answers) and /readyz (database reachable and
 * listener lag under READY_MAX_LAG_S, default 30). */
#ifndef MUSEUM_STATUS_H
#define MUSEUM_STATUS_H

#include "http.h"
#include "pool.h"

/* Tells the module the scoreboard and the listening socket (worker side). */
void status_init(const struct pool_board *board, int listen_fd);

void status_route(struct http_request *req, const char *id);
void status_healthz(struct http_request *req, const char *id);
void status_readyz(struct http_request *req, const char *id);

#endif
