#include "museum.h"

#include <stdio.h>

#include "db.h"
#include "fields.h"
#include "page.h"
#include "rows.h"
#include "validate.h"

/* GET /museums[?from=YYYY-MM-DD]: the live exhibitions, by id; with from,
 * those on or after that date, by date then id (after= is still the id of
 * the last one seen). Staff get each row's booked and canceled counts too
 * (the staff page's occupancy, one request per page). */
void museum_list(struct http_request *req, const char *id)
{
    static const char *const known[] = {"from", NULL};
    struct problem pb = PROBLEM_INIT;
    struct page page = {0};
    PGresult *res = NULL;
    char from[11];
    const char *from_param;

    (void)id;
    if (page_parse(req, known, &page, &pb) != 0 ||
        fields_query_date(req, "from", from, &from_param, &pb) != 0)
        goto out;
    if (req->staff) {
        const char *params[3] = {from_param, page.after, page.limit_plus_one};
        res = db_exec(DB_MUSEUM_OCCUPANCY, params, &pb);
    } else if (from_param) {
        const char *params[3] = {from_param, page.after, page.limit_plus_one};
        res = db_exec(DB_MUSEUM_LIST_FROM, params, &pb);
    } else {
        const char *params[2] = {page.after, page.limit_plus_one};
        res = db_exec(DB_MUSEUM_LIST, params, &pb);
    }
out:
    rows_answer_list(req, res, &page, &pb);
    PQclear(res);
}

/* POST /museums {"name","chkDate","pcnt"|"capacity"} (staff): pcnt in a
 * request is the capacity, as in the original system. */
void museum_create(struct http_request *req, const char *id)
{
    static const char *const known[] = {"name", "chkDate", "pcnt", "capacity", NULL};
    struct problem pb = PROBLEM_INIT;
    json_object *body = NULL;
    PGresult *res = NULL;
    const char *name = NULL;
    char date[11];
    char capacity_text[16];
    int pcnt = -1;
    int capacity = -1;

    (void)id;
    if (fields_query_known(req, NULL, &pb) != 0 || http_read_json(req, &body, &pb) != 0)
        goto out;
    fields_body_known(body, known, &pb);
    fields_body_name(body, "name", 1, &name, &pb);
    fields_body_date(body, "chkDate", 1, date, &pb);
    fields_body_int(body, "pcnt", 0, 1, VALIDATE_CAPACITY_MAX, &pcnt, &pb);
    fields_body_int(body, "capacity", 0, 1, VALIDATE_CAPACITY_MAX, &capacity, &pb);
    if (!pb.errors && pcnt < 0 && capacity < 0)
        problem_field(&pb, "capacity", "is required (as capacity or pcnt)");
    else if (!pb.errors && pcnt >= 0 && capacity >= 0 && pcnt != capacity)
        problem_field(&pb, "pcnt", "must equal capacity when both are given");
    if (pb.errors)
        goto out;
    snprintf(capacity_text, sizeof(capacity_text), "%d", capacity >= 0 ? capacity : pcnt);
    {
        const char *params[3] = {name, date, capacity_text};
        res = db_exec(DB_MUSEUM_CREATE, params, &pb);
    }
out:
    rows_answer_one(req, res, 201, "/museums", &pb);
    PQclear(res);
    json_object_put(body);
}

/* GET /museums/{id}. */
void museum_get(struct http_request *req, const char *id)
{
    rows_answer_by_id(req, DB_MUSEUM_GET, "exhibition", id);
}

/* DELETE /museums/{id} (staff): its bookings are force-canceled by the
 * listener. */
void museum_delete(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    const char *params[1] = {id};
    PGresult *res = NULL;
    int64_t museum_id;

    if (fields_query_known(req, NULL, &pb) != 0 || fields_path_id(id, &museum_id, &pb) != 0 ||
        !(res = db_exec(DB_MUSEUM_DELETE, params, &pb)))
        goto out;
    pb.status = 204;
out:
    if (pb.status == 204)
        http_reply_json(req, 204, NULL, NULL, NULL);
    else
        http_reply_problem(req, &pb);
    PQclear(res);
}
