#include "museum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fields.h"
#include "page.h"
#include "rows.h"
#include "site.h"
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

/* POST /museums (staff): {"name","startDate","endDate"?,"opens"?,"closes"?,
 * "slotMinutes"?,"capacity","closedWeekdays"?,"closedDates"?,"description"?},
 * or the original {"name","chkDate","pcnt"}: chkDate is startDate, pcnt the
 * capacity (per slot). Hours default to MUSEUM_OPENS..MUSEUM_CLOSES, the
 * end to the start; the rules across fields are museum.create's. */
void museum_create(struct http_request *req, const char *id)
{
    static const char *const known[] = {
        "name", "chkDate",  "startDate",      "endDate",     "opens",       "closes", "slotMinutes",
        "pcnt", "capacity", "closedWeekdays", "closedDates", "description", NULL};
    struct problem pb = PROBLEM_INIT;
    json_object *body = NULL;
    PGresult *res = NULL;
    const char *name = NULL, *description = NULL;
    char start[11] = "", chk[11] = "", end[11] = "", opens[6], closes[6], weekdays[24] = "{}";
    char capacity_text[16], minutes_text[16];
    char *dates = NULL;
    int pcnt = -1, capacity = -1, minutes = 0;

    (void)id;
    if (fields_query_known(req, NULL, &pb) != 0 || http_read_json(req, &body, &pb) != 0)
        goto out;
    snprintf(opens, sizeof(opens), "%s", site_opens());
    snprintf(closes, sizeof(closes), "%s", site_closes());
    fields_body_known(body, known, &pb);
    fields_body_name(body, "name", 1, &name, &pb);
    fields_body_date(body, "chkDate", 0, chk, &pb);
    fields_body_date(body, "startDate", 0, start, &pb);
    fields_body_date(body, "endDate", 0, end, &pb);
    fields_body_time(body, "opens", 0, opens, &pb);
    fields_body_time(body, "closes", 0, closes, &pb);
    fields_body_int(body, "slotMinutes", 0, VALIDATE_SLOT_MINUTES_MIN, VALIDATE_SLOT_MINUTES_MAX,
                    &minutes, &pb);
    fields_body_int(body, "pcnt", 0, 1, VALIDATE_CAPACITY_MAX, &pcnt, &pb);
    fields_body_int(body, "capacity", 0, 1, VALIDATE_CAPACITY_MAX, &capacity, &pb);
    fields_body_weekdays(body, "closedWeekdays", weekdays, &pb);
    fields_body_dates(body, "closedDates", &dates, &pb);
    fields_body_text(body, "description", 0, VALIDATE_DESCRIPTION_MAX, &description, &pb);
    if (!pb.errors && !start[0] && !chk[0])
        problem_field(&pb, "startDate", "is required (as startDate or chkDate)");
    else if (!pb.errors && start[0] && chk[0] && strcmp(start, chk) != 0)
        problem_field(&pb, "chkDate", "must equal startDate when both are given");
    if (!pb.errors && pcnt < 0 && capacity < 0)
        problem_field(&pb, "capacity", "is required (as capacity or pcnt)");
    else if (!pb.errors && pcnt >= 0 && capacity >= 0 && pcnt != capacity)
        problem_field(&pb, "pcnt", "must equal capacity when both are given");
    if (pb.errors)
        goto out;
    snprintf(capacity_text, sizeof(capacity_text), "%d", capacity >= 0 ? capacity : pcnt);
    snprintf(minutes_text, sizeof(minutes_text), "%d", minutes);
    {
        const char *params[10] = {name,
                                  start[0] ? start : chk,
                                  end[0] ? end : NULL,
                                  opens,
                                  closes,
                                  minutes ? minutes_text : NULL,
                                  capacity_text,
                                  weekdays,
                                  dates ? dates : "{}",
                                  description && description[0] ? description : NULL};
        res = db_exec(DB_MUSEUM_CREATE, params, &pb);
    }
    /* The date was sent as chkDate: its error is chkDate's. */
    if (!res && !start[0])
        problem_field_rename(&pb, "startDate", "chkDate");
out:
    rows_answer_one(req, res, 201, "/museums", &pb);
    PQclear(res);
    free(dates);
    json_object_put(body);
}

/* PATCH /museums/{id} (staff): {"name","description","capacity","endDate",
 * "closedDates","forceCancel"}, each optional (museum.patch's rules). */
void museum_patch(struct http_request *req, const char *id)
{
    static const char *const known[] = {"name",        "description", "capacity", "endDate",
                                        "closedDates", "forceCancel", NULL};
    struct problem pb = PROBLEM_INIT;
    json_object *body = NULL;
    PGresult *res = NULL;
    const char *name = NULL, *description = NULL;
    char end[11] = "", capacity_text[16];
    char *dates = NULL;
    int64_t museum_id;
    int capacity = -1, force = 0;

    if (fields_query_known(req, NULL, &pb) != 0 || fields_path_id(id, &museum_id, &pb) != 0 ||
        http_read_json(req, &body, &pb) != 0)
        goto out;
    fields_body_known(body, known, &pb);
    fields_body_name(body, "name", 0, &name, &pb);
    fields_body_text(body, "description", 0, VALIDATE_DESCRIPTION_MAX, &description, &pb);
    fields_body_int(body, "capacity", 0, 1, VALIDATE_CAPACITY_MAX, &capacity, &pb);
    fields_body_date(body, "endDate", 0, end, &pb);
    fields_body_dates(body, "closedDates", &dates, &pb);
    fields_body_bool(body, "forceCancel", 0, &force, &pb);
    if (pb.errors)
        goto out;
    snprintf(capacity_text, sizeof(capacity_text), "%d", capacity);
    {
        const char *params[7] = {id,
                                 name,
                                 description,
                                 capacity > 0 ? capacity_text : NULL,
                                 end[0] ? end : NULL,
                                 dates,
                                 force ? "true" : "false"};
        res = db_exec(DB_MUSEUM_PATCH, params, &pb);
    }
out:
    rows_answer_one(req, res, 200, NULL, &pb);
    PQclear(res);
    free(dates);
    json_object_put(body);
}

/* GET /museums/{id}/slots?from=&to= (anyone): its open slots on those days
 * (museum.slots: from today for 31 days, at most 92). */
void museum_slots(struct http_request *req, const char *id)
{
    static const char *const known[] = {"from", "to", NULL};
    struct problem pb = PROBLEM_INIT;
    PGresult *res = NULL;
    char from[11], to[11];
    const char *from_param, *to_param;
    int64_t museum_id;

    if (fields_query_known(req, known, &pb) != 0 || fields_path_id(id, &museum_id, &pb) != 0 ||
        fields_query_date(req, "from", from, &from_param, &pb) != 0 ||
        fields_query_date(req, "to", to, &to_param, &pb) != 0)
        goto out;
    {
        const char *params[3] = {id, from_param, to_param};
        res = db_exec(DB_MUSEUM_SLOTS, params, &pb);
    }
out:
    rows_answer_list(req, res, NULL, &pb);
    PQclear(res);
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
