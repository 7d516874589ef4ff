#include "door.h"

#include <json.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "db.h"
#include "fields.h"
#include "problem.h"
#include "rows.h"

static char early_text[16] = "30", late_text[16] = "60";

void door_init(long early_min, long late_min)
{
    snprintf(early_text, sizeof(early_text), "%ld", early_min);
    snprintf(late_text, sizeof(late_text), "%ld", late_min);
}

/* POST /checkins {"code","nonce","type"?,"gate"?} (door or admin): one
 * scan, decided and recorded by door.checkin, which also gives its answer
 * (201, 409 with a reason, 404) as JSON text; a nonce sent again gets the
 * recorded answer again. The text is answered re-serialised, the same way
 * every time, so a replay is byte for byte the first answer. */
void door_checkin(struct http_request *req, const char *id)
{
    static const char *const known[] = {"code", "nonce", "type", "gate", NULL};
    struct problem pb = PROBLEM_INIT;
    json_object *body = NULL, *answer = NULL;
    PGresult *res = NULL;
    const char *code = NULL, *nonce = NULL, *type = "entry", *gate = NULL;
    int status;

    (void)id;
    if (fields_query_known(req, NULL, &pb) != 0 || http_read_json(req, &body, &pb) != 0)
        goto out;
    fields_body_known(body, known, &pb);
    /* Lengths here; the forms (a code after normalising, a nonce, entry or
     * exit) in door.checkin, as field errors. */
    fields_body_text(body, "code", 1, 40, &code, &pb);
    fields_body_text(body, "nonce", 1, 64, &nonce, &pb);
    fields_body_text(body, "type", 0, 5, &type, &pb);
    fields_body_name(body, "gate", 0, &gate, &pb);
    if (pb.errors)
        goto out;
    {
        const char *params[7] = {code, nonce, type, gate, req->user, early_text, late_text};
        if (!(res = db_exec(DB_DOOR_CHECKIN, params, &pb)))
            goto out;
    }
    status = atoi(PQgetvalue(res, 0, 0));
    answer = json_tokener_parse(PQgetvalue(res, 0, 1));
    if (!answer || (status != 201 && status != 404 && status != 409)) {
        json_object_put(answer);
        answer = NULL;
        problem_set(&pb, 500, "the check-in gave no answer");
    }
out:
    if (answer)
        http_reply_typed(req, status,
                         status >= 400 ? "application/problem+json" : "application/json", answer);
    else
        http_reply_problem(req, &pb);
    json_object_put(answer);
    json_object_put(body);
    PQclear(res);
}

/* GET /museums/{id}/inside (door or admin): {"inside": n}, the people of
 * the parties admitted today that have not exited. */
void door_inside(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    PGresult *res = NULL;
    int64_t museum_id;

    if (fields_query_known(req, NULL, &pb) != 0 || fields_path_id(id, &museum_id, &pb) != 0)
        goto out;
    {
        const char *params[1] = {id};
        res = db_exec(DB_DOOR_INSIDE, params, &pb);
    }
out:
    rows_answer_one(req, res, 200, NULL, &pb);
    PQclear(res);
}

/* GET /books (door or admin): book_list, which answers; a door account
 * must ask for today's bookings (day=, the museum's today), else 403. */
void door_books(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    PGresult *res = NULL;
    char day_buf[11];
    const char *day = NULL;
    int allowed = !req->door;

    if (allowed || fields_query_date(req, "day", day_buf, &day, &pb) != 0)
        goto out;
    if (day) {
        const char *params[1] = {day};
        if (!(res = db_exec(DB_DOOR_IS_TODAY, params, &pb)))
            goto out;
        allowed = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    }
    if (!allowed)
        problem_set(&pb, 403, "a door account lists only today's bookings: give day=<today>");
out:
    if (allowed)
        book_list(req, id);
    else
        http_reply_problem(req, &pb);
    PQclear(res);
}
