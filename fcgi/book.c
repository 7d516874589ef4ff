#include "book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "validate.h"

static void book_list(struct http_request *req)
{
    static const char *const known[] = {"museumId", "custNm", "status", "limit", "after", NULL};
    static const char *const statuses[] = {"REQUESTED", "REQUEST_COMPLETED", "CANCELED",
                                           "FORCE_CANCELED", NULL};
    struct api_page page;
    struct db_error err;
    PGresult *res = NULL;
    char museum_buf[24], cust_buf[VALIDATE_NAME_MAX * 4 + 1], status_buf[24];
    const char *museum_id, *cust_nm, *status = NULL;
    int rc;

    if (api_require_staff(req) != 0 || api_query_known(req, known) != 0 ||
        api_page_parse(req, &page) != 0 ||
        api_query_id(req, "museumId", museum_buf, &museum_id) != 0 ||
        api_query_text(req, "custNm", cust_buf, sizeof(cust_buf), &cust_nm) != 0)
        goto out;
    rc = http_query_get(req->query, "status", status_buf, sizeof(status_buf));
    if (rc == 1) {
        for (const char *const *s = statuses; *s && !status; s++)
            if (strcmp(*s, status_buf) == 0)
                status = *s;
    }
    if (rc < 0 || (rc == 1 && !status)) {
        http_reply_problem(req, 400,
                           "status must be REQUESTED, REQUEST_COMPLETED, CANCELED or "
                           "FORCE_CANCELED",
                           NULL);
        goto out;
    }
    {
        const char *params[5] = {museum_id, cust_nm, status, page.after, page.limit_plus_one};
        res = db_exec(DB_BOOK_LIST, params, &err);
    }
    if (!res) {
        api_reply_db_error(req, &err);
        goto out;
    }
    api_reply_list(req, res, &page);
out:
    PQclear(res);
}

/* POST /books {"museumId","custNm"}: takes a seat at once; open to anyone.
 * The answer carries the booking's token, the visitor's key to it. The
 * original clients also send name and chkDate; they are checked and
 * ignored (the stored values come from the exhibition). */
static void book_create(struct http_request *req)
{
    static const char *const known[] = {"museumId", "custNm", "name", "chkDate", NULL};
    json_object *body = NULL;
    json_object *errors = NULL;
    PGresult *res = NULL;
    struct db_error err;
    int64_t museum_id = 0;
    const char *cust_nm = NULL, *ignored_name, *key;
    char museum_text[24], ignored_date[11], token[AUTH_TOKEN_LEN + 1];
    char *fingerprint = NULL;
    int bad = 0;

    if (api_idempotency_key(req, &key) != 0 || http_read_json(req, &body) != 0)
        goto out;
    bad |= api_body_known(body, known, &errors);
    bad |= api_body_id(body, "museumId", 1, &museum_id, &errors);
    bad |= api_body_name(body, "custNm", 1, &cust_nm, &errors);
    bad |= api_body_name(body, "name", 0, &ignored_name, &errors);
    bad |= api_body_date(body, "chkDate", 0, ignored_date, &errors);
    if (bad) {
        api_reply_invalid(req, errors);
        errors = NULL;
        goto out;
    }
    if (auth_token_new(token) != 0 || (key && !(fingerprint = api_fingerprint(req, body)))) {
        http_reply_problem(req, 500, "could not make a booking token; try again", NULL);
        goto out;
    }
    snprintf(museum_text, sizeof(museum_text), "%lld", (long long)museum_id);
    {
        const char *params[5] = {museum_text, cust_nm, token, key, fingerprint};
        res = db_exec(DB_BOOK_CREATE, params, &err);
    }
    if (!res) {
        api_reply_db_error(req, &err);
        goto out;
    }
    api_reply_row(req, res, 201, "/books");
out:
    free(fingerprint);
    PQclear(res);
    json_object_put(errors);
    json_object_put(body);
}

/* PATCH /books/{id} {"status"} and the original PUT /books/{id} with the
 * whole booking, for staff or the booking's token: only "status" matters;
 * the only change allowed is a cancel of a live booking (see
 * book.set_status in db/). */
static void book_change(struct http_request *req, const char *id_text, int whole)
{
    static const char *const patch_known[] = {"status", NULL};
    static const char *const put_known[] = {"id",      "museumId", "custNm", "name",
                                            "chkDate", "status",   NULL};
    json_object *body = NULL;
    json_object *errors = NULL;
    PGresult *res = NULL;
    struct db_error err;
    int64_t id, ignored_id;
    const char *status = NULL, *ignored_text, *key;
    char ignored_date[11];
    char *fingerprint = NULL;
    int bad = 0;

    if (api_path_id(req, id_text, &id) != 0 || api_idempotency_key(req, &key) != 0 ||
        http_read_json(req, &body) != 0)
        goto out;
    bad |= api_body_known(body, whole ? put_known : patch_known, &errors);
    bad |= api_body_status(body, "status", 1, &status, &errors);
    if (whole) {
        bad |= api_body_id(body, "id", 0, &ignored_id, &errors);
        bad |= api_body_id(body, "museumId", 0, &ignored_id, &errors);
        bad |= api_body_name(body, "custNm", 0, &ignored_text, &errors);
        bad |= api_body_name(body, "name", 0, &ignored_text, &errors);
        bad |= api_body_date(body, "chkDate", 0, ignored_date, &errors);
    }
    if (bad) {
        api_reply_invalid(req, errors);
        errors = NULL;
        goto out;
    }
    if (key && !(fingerprint = api_fingerprint(req, body))) {
        http_reply_problem(req, 500, "out of memory", NULL);
        goto out;
    }
    {
        const char *params[6] = {id_text,    status, api_staff_param(req),
                                 req->token, key,    fingerprint};
        res = db_exec(DB_BOOK_SET_STATUS, params, &err);
    }
    if (!res) {
        api_reply_db_error(req, &err);
        goto out;
    }
    api_reply_row(req, res, 200, NULL);
out:
    free(fingerprint);
    PQclear(res);
    json_object_put(errors);
    json_object_put(body);
}

void book_route(struct http_request *req, const char *id)
{
    if (!id) {
        if (strcmp(req->method, "GET") == 0)
            book_list(req);
        else if (strcmp(req->method, "POST") == 0)
            book_create(req);
        else
            http_reply_not_allowed(req, "GET, HEAD, POST");
    } else {
        if (strcmp(req->method, "GET") == 0)
            api_get_one(req, DB_BOOK_GET, "booking", id);
        else if (strcmp(req->method, "PATCH") == 0)
            book_change(req, id, 0);
        else if (strcmp(req->method, "PUT") == 0)
            book_change(req, id, 1);
        else
            http_reply_not_allowed(req, "GET, HEAD, PATCH, PUT");
    }
}
