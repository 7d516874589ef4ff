#include "rows.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "caller.h"
#include "fields.h"
#include "rowjson.h"
#include "validate.h"

json_object *rows_object(const PGresult *res, int i)
{
    char *text = rowjson_text(res, i, 1, 0, NULL);
    json_object *obj = text ? json_tokener_parse(text) : NULL;

    free(text);
    return obj;
}

void rows_answer_one(struct http_request *req, const PGresult *res, int status,
                     const char *location_base, struct problem *p)
{
    size_t len = 0;
    char *text = res ? rowjson_text(res, 0, 1, 0, &len) : NULL;
    char location[64];
    int id_col = res ? PQfnumber(res, "id") : -1;

    if (res && !text)
        problem_set(p, 500, "out of memory");
    if (!text) {
        http_reply_problem(req, p);
    } else if (location_base && id_col >= 0) {
        snprintf(location, sizeof(location), "Location: %s/%s", location_base,
                 PQgetvalue(res, 0, id_col));
        http_reply_json_text(req, status, text, len, location, NULL);
    } else {
        http_reply_json_text(req, status, text, len, NULL, NULL);
    }
    free(text);
}

void rows_answer_list(struct http_request *req, const PGresult *res, const struct page *page,
                      struct problem *p)
{
    int rows = res ? PQntuples(res) : 0;
    int shown = page && rows > page->limit ? page->limit : rows;
    size_t len = 0;
    char *text = res ? rowjson_text(res, 0, shown, 1, &len) : NULL;
    char *link = NULL;

    if (res && !text)
        problem_set(p, 500, "out of memory");
    if (!text) {
        http_reply_problem(req, p);
        goto out;
    }
    if (page && rows > page->limit)
        link = page_next_link(req, page, PQgetvalue(res, shown - 1, PQfnumber(res, "id")));
    http_reply_json_text(req, 200, text, len, link, NULL);
out:
    free(link);
    free(text);
}

void rows_answer_by_id(struct http_request *req, enum db_stmt stmt, const char *noun,
                       const char *id_text)
{
    struct problem pb = PROBLEM_INIT;
    const char *params[3] = {id_text, caller_staff_param(req), req->token};
    PGresult *res = NULL;
    int64_t id;

    if (fields_query_known(req, NULL, &pb) != 0 || fields_path_id(id_text, &id, &pb) != 0 ||
        !(res = db_exec(stmt, params, &pb)))
        goto out;
    if (PQntuples(res) == 0) {
        problem_set(&pb, 404, "%s %lld does not exist", noun, (long long)id);
        PQclear(res);
        res = NULL;
    }
out:
    rows_answer_one(req, res, 200, NULL, &pb);
    PQclear(res);
}
