#include "status.h"

#include <stdlib.h>

#include "db.h"
#include "fields.h"
#include "rows.h"

static const struct pool_board *board;
static int listen_fd = -1;
static double max_lag_s;

void status_init(const struct pool_board *b, int fd, double ready_max_lag_s)
{
    board = b;
    listen_fd = fd;
    max_lag_s = ready_max_lag_s;
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

/* GET /status (localhost only, by nginx): 503 when the database is not
 * reachable, with what the pool knows all the same. */
void status_show(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    json_object *out = NULL, *o = NULL;
    PGresult *res = NULL;
    unsigned queued, limit;

    (void)id;
    if (fields_query_known(req, NULL, &pb) != 0)
        goto out;
    out = json_object_new_object();
    json_object_object_add(out, "workers", workers_json());
    if (listen_fd >= 0 && pool_listen_queue(listen_fd, &queued, &limit) == 0) {
        json_object *q = json_object_new_object();
        json_object_object_add(q, "length", json_object_new_int64(queued));
        json_object_object_add(q, "limit", json_object_new_int64(limit));
        json_object_object_add(out, "listenQueue", q);
    }
    res = db_exec(DB_STATUS, NULL, &pb);
    if (res && PQntuples(res) == 1 && (o = rows_object(res, 0))) {
        json_object *listeners =
            json_tokener_parse(PQgetvalue(res, 0, PQfnumber(res, "listeners")));
        json_object *mail = json_tokener_parse(PQgetvalue(res, 0, PQfnumber(res, "mail")));

        json_object_object_add(o, "listeners", listeners);
        json_object_object_del(o, "mail");
        json_object_object_add(out, "outbox", o);
        json_object_object_add(out, "mail", mail); /* the email queue (mail.queue_status) */
    } else {
        /* No row, or no memory to read it (rows_object NULL). */
        json_object_object_add(
            out, "database",
            json_object_new_string(res ? "could not read the outbox's status" : pb.detail));
    }
out:
    if (out) /* what the pool knows, even without the database */
        http_reply_json(req, res ? 200 : 503, out, NULL, NULL);
    else
        http_reply_problem(req, &pb);
    problem_clear(&pb);
    PQclear(res);
    json_object_put(out);
}

/* GET /healthz: the process answers. */
void status_healthz(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    json_object *out = json_object_new_object();

    (void)id;
    if (fields_query_known(req, NULL, &pb) != 0) {
        http_reply_problem(req, &pb);
    } else {
        json_object_object_add(out, "status", json_object_new_string("ok"));
        http_reply_json(req, 200, out, NULL, NULL);
    }
    json_object_put(out);
}

/* GET /readyz: 503 when the database is unreachable or the listener is
 * behind by more than READY_MAX_LAG_S. */
void status_readyz(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    json_object *out = NULL;
    PGresult *res = NULL;
    double lag = 0;

    (void)id;
    if (fields_query_known(req, NULL, &pb) != 0)
        goto out;
    if (!(res = db_exec(DB_LAG, NULL, &pb))) {
        problem_set(&pb, 503, "not ready: the database is unreachable");
        goto out;
    }
    lag = strtod(PQgetvalue(res, 0, 0), NULL);
    if (lag > max_lag_s) {
        problem_set(&pb, 503, "not ready: the listener is behind");
        goto out;
    }
    pb.status = 200;
out:
    if (pb.status == 200) {
        out = json_object_new_object();
        json_object_object_add(out, "status", json_object_new_string("ready"));
        json_object_object_add(out, "listenerLagSeconds", json_object_new_double(lag));
        http_reply_json(req, 200, out, NULL, NULL);
    } else {
        http_reply_problem(req, &pb);
    }
    PQclear(res);
    json_object_put(out);
}
