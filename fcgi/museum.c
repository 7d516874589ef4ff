#include "museum.h"

#include <stdio.h>
#include <string.h>

#include "api.h"
#include "validate.h"

static void museum_list(struct http_request *req)
{
    static const char *const known[] = {"limit", "after", NULL};
    struct api_page page;
    struct db_error err;
    PGresult *res = NULL;

    if (api_query_known(req, known) != 0 || api_page_parse(req, &page) != 0)
        goto out;
    {
        const char *params[2] = {page.after, page.limit_plus_one};
        res = db_exec(DB_MUSEUM_LIST, params, &err);
    }
    if (!res) {
        api_reply_db_error(req, &err);
        goto out;
    }
    api_reply_list(req, res, &page);
out:
    PQclear(res);
}

/* POST /museums {"name","chkDate","pcnt"|"capacity"}: pcnt in a request is
 * the capacity, as in the original system. */
static void museum_create(struct http_request *req)
{
    static const char *const known[] = {"name", "chkDate", "pcnt", "capacity", NULL};
    json_object *body = NULL;
    json_object *errors = NULL;
    PGresult *res = NULL;
    struct db_error err;
    const char *name = NULL;
    char date[11];
    char capacity_text[16];
    int pcnt = -1;
    int capacity = -1;
    int bad = 0;

    if (api_require_staff(req) != 0 || http_read_json(req, &body) != 0)
        goto out;
    bad |= api_body_known(body, known, &errors);
    bad |= api_body_name(body, "name", 1, &name, &errors);
    bad |= api_body_date(body, "chkDate", 1, date, &errors);
    bad |= api_body_int(body, "pcnt", 0, 1, VALIDATE_CAPACITY_MAX, &pcnt, &errors);
    bad |= api_body_int(body, "capacity", 0, 1, VALIDATE_CAPACITY_MAX, &capacity, &errors);
    if (!bad && pcnt < 0 && capacity < 0)
        bad = api_field_error(&errors, "capacity", "is required (as capacity or pcnt)");
    else if (!bad && pcnt >= 0 && capacity >= 0 && pcnt != capacity)
        bad = api_field_error(&errors, "pcnt", "must equal capacity when both are given");
    if (bad) {
        api_reply_invalid(req, errors);
        errors = NULL;
        goto out;
    }
    snprintf(capacity_text, sizeof(capacity_text), "%d", capacity >= 0 ? capacity : pcnt);
    {
        const char *params[3] = {name, date, capacity_text};
        res = db_exec(DB_MUSEUM_CREATE, params, &err);
    }
    if (!res) {
        api_reply_db_error(req, &err);
        goto out;
    }
    api_reply_row(req, res, 201, "/museums");
out:
    PQclear(res);
    json_object_put(errors);
    json_object_put(body);
}

static void museum_delete(struct http_request *req, const char *id_text)
{
    int64_t id;
    PGresult *res = NULL;
    struct db_error err;
    const char *params[1] = {id_text};

    if (api_require_staff(req) != 0 || api_path_id(req, id_text, &id) != 0)
        goto out;
    res = db_exec(DB_MUSEUM_DELETE, params, &err);
    if (!res) {
        api_reply_db_error(req, &err);
        goto out;
    }
    http_reply_json(req, 204, NULL, NULL, NULL);
out:
    PQclear(res);
}

void museum_route(struct http_request *req, const char *id)
{
    if (!id) {
        if (strcmp(req->method, "GET") == 0)
            museum_list(req);
        else if (strcmp(req->method, "POST") == 0)
            museum_create(req);
        else
            http_reply_not_allowed(req, "GET, HEAD, POST");
    } else {
        if (strcmp(req->method, "GET") == 0)
            api_get_one(req, DB_MUSEUM_GET, "exhibition", id);
        else if (strcmp(req->method, "DELETE") == 0)
            museum_delete(req, id);
        else
            http_reply_not_allowed(req, "GET, HEAD, DELETE");
    }
}
