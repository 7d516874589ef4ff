#include "status.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"

static const struct pool_board *board;
static int listen_fd = -1;

void status_init(const struct pool_board *b, int fd)
{
    board = b;
    listen_fd = fd;
}

/* Answers 405 unless the request is a GET without an id. Returns 0 if it is. */
static int plain_get(struct http_request *req, const char *id)
{
    if (id) {
        http_reply_problem(req, 404, "there is nothing at this path", NULL);
        return -1;
    }
    if (strcmp(req->method, "GET") != 0) {
        http_reply_not_allowed(req, "GET, HEAD");
        return -1;
    }
    return 0;
}

static json_object *workers_json(void)
{
    json_object *w = json_object_new_object();
    struct pool_counts c;

    if (!board)
        return w;
    pool_count(board, &c);
    json_object_object_add(w, "total", json_object_new_int(c.total));
    json_object_object_add(w, "busy", json_object_new_int(c.busy));
    json_object_object_add(w, "idle", json_object_new_int(c.idle));
    json_object_object_add(w, "min", json_object_new_int(board->min_workers));
    json_object_object_add(w, "max", json_object_new_int(board->max_workers));
    json_object_object_add(w, "highWater", json_object_new_int(board->high_water));
    json_object_object_add(w, "maxBusy", json_object_new_int(board->max_busy));
    json_object_object_add(w, "requests", json_object_new_uint64(c.served));
    return w;
}

void status_route(struct http_request *req, const char *id)
{
    json_object *out = NULL;
    PGresult *res = NULL;
    struct db_error err;
    unsigned queued, limit;

    if (plain_get(req, id) != 0)
        goto out;
    out = json_object_new_object();
    json_object_object_add(out, "workers", workers_json());
    if (listen_fd >= 0 && pool_listen_queue(listen_fd, &queued, &limit) == 0) {
        json_object *q = json_object_new_object();
        json_object_object_add(q, "length", json_object_new_int64(queued));
        json_object_object_add(q, "limit", json_object_new_int64(limit));
        json_object_object_add(out, "listenQueue", q);
    }
    res = db_exec(DB_STATUS, NULL, &err);
    if (res && PQntuples(res) == 1) {
        json_object *o = api_row_json(res, 0);
        json_object *listeners =
            json_tokener_parse(PQgetvalue(res, 0, PQfnumber(res, "listeners")));
        json_object_object_add(o, "listeners", listeners);
        json_object_object_add(out, "outbox", o);
    } else {
        json_object_object_add(out, "database", json_object_new_string(err.detail));
    }
    http_reply_json(req, res ? 200 : 503, out, NULL, NULL);
out:
    PQclear(res);
    json_object_put(out);
}

void status_healthz(struct http_request *req, const char *id)
{
    json_object *out = NULL;

    if (plain_get(req, id) != 0)
        return;
    out = json_object_new_object();
    json_object_object_add(out, "status", json_object_new_string("ok"));
    http_reply_json(req, 200, out, NULL, NULL);
    json_object_put(out);
}

void status_readyz(struct http_request *req, const char *id)
{
    const char *max_text = getenv("READY_MAX_LAG_S");
    double max_lag = max_text && *max_text ? strtod(max_text, NULL) : 30.0;
    json_object *out = NULL;
    PGresult *res = NULL;
    struct db_error err;
    double lag;

    if (plain_get(req, id) != 0)
        goto out;
    res = db_exec(DB_LAG, NULL, &err);
    if (!res) {
        http_reply_problem(req, 503, "not ready: the database is unreachable", NULL);
        goto out;
    }
    lag = strtod(PQgetvalue(res, 0, 0), NULL);
    if (lag > max_lag) {
        http_reply_problem(req, 503, "not ready: the listener is behind", NULL);
        goto out;
    }
    out = json_object_new_object();
    json_object_object_add(out, "status", json_object_new_string("ready"));
    json_object_object_add(out, "listenerLagSeconds", json_object_new_double(lag));
    http_reply_json(req, 200, out, NULL, NULL);
out:
    PQclear(res);
    json_object_put(out);
}
