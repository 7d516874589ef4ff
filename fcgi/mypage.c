#include "mypage.h"

#include "caller.h"
#include "db.h"
#include "fields.h"
#include "page.h"
#include "rows.h"
#include "validate.h"

/* GET /myPages?custNm=&bookId= (staff only: route.c; a name is no identity). */
void mypage_list(struct http_request *req, const char *id)
{
    static const char *const known[] = {"custNm", "bookId", NULL};
    struct problem pb = PROBLEM_INIT;
    struct page page = {0};
    PGresult *res = NULL;
    char cust_buf[VALIDATE_NAME_MAX * 4 + 1], book_buf[24];
    const char *cust_nm, *book_id;

    (void)id;
    if (caller_require_staff(req, &pb) != 0 || page_parse(req, known, &page, &pb) != 0 ||
        fields_query_text(req, "custNm", cust_buf, sizeof(cust_buf), &cust_nm, &pb) != 0 ||
        fields_query_id(req, "bookId", book_buf, &book_id, &pb) != 0)
        goto out;
    {
        const char *params[6] = {
            cust_nm, book_id, page.after, page.limit_plus_one, caller_staff_param(req), req->token};
        res = db_exec(DB_MYPAGE_LIST, params, &pb);
    }
out:
    rows_answer_list(req, res, &page, &pb);
    PQclear(res);
}

/* GET /myPages/{id} (staff or its booking's token). */
void mypage_get(struct http_request *req, const char *id)
{
    rows_answer_by_id(req, DB_MYPAGE_GET, "MyPage entry", id);
}
