#include "confirm.h"

#include "caller.h"
#include "db.h"
#include "fields.h"
#include "page.h"
#include "rows.h"

/* GET /confirms?bookId=&museumId= (staff; a token holder: its booking's). */
void confirm_list(struct http_request *req, const char *id)
{
    static const char *const known[] = {"bookId", "museumId", NULL};
    struct problem pb = PROBLEM_INIT;
    struct page page = {0};
    PGresult *res = NULL;
    char book_buf[24], museum_buf[24];
    const char *book_id, *museum_id;

    (void)id;
    if (caller_require_staff_or_token(req,
                                      "listing confirmations needs staff credentials, or the "
                                      "token of a booking (X-Booking-Token)",
                                      &pb) != 0 ||
        page_parse(req, known, &page, &pb) != 0 ||
        fields_query_id(req, "bookId", book_buf, &book_id, &pb) != 0 ||
        fields_query_id(req, "museumId", museum_buf, &museum_id, &pb) != 0)
        goto out;
    {
        const char *params[6] = {
            book_id,   museum_id, page.after, page.limit_plus_one, caller_staff_param(req),
            req->token};
        res = db_exec(DB_CONFIRM_LIST, params, &pb);
    }
out:
    rows_answer_list(req, res, &page, &pb);
    PQclear(res);
}

/* GET /confirms/{id} (staff or its booking's token). */
void confirm_get(struct http_request *req, const char *id)
{
    rows_answer_by_id(req, DB_CONFIRM_GET, "confirmation", id);
}
