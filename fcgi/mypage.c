#include "mypage.h"

#include <string.h>

#include "api.h"
#include "validate.h"

static void mypage_list(struct http_request *req)
{
    static const char *const known[] = {"custNm", "bookId", "limit", "after", NULL};
    struct api_page page;
    struct db_error err;
    PGresult *res = NULL;
    char cust_buf[VALIDATE_NAME_MAX * 4 + 1], book_buf[24];
    const char *cust_nm, *book_id;

    if (!req->staff && !req->token) {
        http_reply_unauthorized(req, "listing MyPage needs staff credentials, or the token of "
                                     "one of the visitor's bookings (X-Booking-Token)");
        goto out;
    }
    if (api_query_known(req, known) != 0 || api_page_parse(req, &page) != 0 ||
        api_query_text(req, "custNm", cust_buf, sizeof(cust_buf), &cust_nm) != 0 ||
        api_query_id(req, "bookId", book_buf, &book_id) != 0)
        goto out;
    {
        const char *params[6] = {
            cust_nm, book_id, page.after, page.limit_plus_one, api_staff_param(req), req->token};
        res = db_exec(DB_MYPAGE_LIST, params, &err);
    }
    if (!res) {
        api_reply_db_error(req, &err);
        goto out;
    }
    api_reply_list(req, res, &page);
out:
    PQclear(res);
}

void mypage_route(struct http_request *req, const char *id)
{
    if (strcmp(req->method, "GET") != 0)
        http_reply_not_allowed(req, "GET, HEAD");
    else if (!id)
        mypage_list(req);
    else
        api_get_one(req, DB_MYPAGE_GET, "MyPage entry", id);
}
