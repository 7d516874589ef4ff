#include "confirm.h"

#include <string.h>

#include "api.h"

static void confirm_list(struct http_request *req)
{
    static const char *const known[] = {"bookId", "museumId", "limit", "after", NULL};
    struct api_page page;
    struct db_error err;
    PGresult *res = NULL;
    char book_buf[24], museum_buf[24];
    const char *book_id, *museum_id;

    if (!req->staff && !req->token) {
        http_reply_unauthorized(req, "listing confirmations needs staff credentials, or the "
                                     "token of a booking (X-Booking-Token)");
        goto out;
    }
    if (api_query_known(req, known) != 0 || api_page_parse(req, &page) != 0 ||
        api_query_id(req, "bookId", book_buf, &book_id) != 0 ||
        api_query_id(req, "museumId", museum_buf, &museum_id) != 0)
        goto out;
    {
        const char *params[6] = {
            book_id, museum_id, page.after, page.limit_plus_one, api_staff_param(req), req->token};
        res = db_exec(DB_CONFIRM_LIST, params, &err);
    }
    if (!res) {
        api_reply_db_error(req, &err);
        goto out;
    }
    api_reply_list(req, res, &page);
out:
    PQclear(res);
}

void confirm_route(struct http_request *req, const char *id)
{
    if (strcmp(req->method, "GET") != 0)
        http_reply_not_allowed(req, "GET, HEAD");
    else if (!id)
        confirm_list(req);
    else
        api_get_one(req, DB_CONFIRM_GET, "confirmation", id);
}
