#include "waitlist.h"

#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "auth.h"
#include "book.h"
#include "caller.h"
#include "db.h"
#include "fields.h"
#include "rows.h"
#include "validate.h"
#include "visitor.h"

/* POST /museums/{id}/waitlist {"custNm","email"?,"slot"?,"tickets"?,"lang"?}
 * (anyone): joins the waiting list of a slot that has too few seats for
 * the party (waitlist.join has the rules). The answer carries the entry's
 * token, the visitor's key to it. */
void waitlist_join(struct http_request *req, const char *id)
{
    static const char *const known[] = {"custNm", "email", "slot", "tickets", "lang", NULL};
    struct problem pb = PROBLEM_INIT;
    json_object *body = NULL;
    PGresult *res = NULL;
    int64_t museum_id;
    int party = 0;
    const char *cust_nm = NULL, *lang = NULL, *key;
    char token[AUTH_TOKEN_LEN + 1], slot[32] = "", tickets[BOOK_TICKETS_SIZE], party_text[16];
    char email[FIELDS_EMAIL_SIZE] = "";
    char *fingerprint = NULL;

    if (fields_query_known(req, NULL, &pb) != 0 || fields_path_id(id, &museum_id, &pb) != 0 ||
        fields_idempotency_key(req, &key, &pb) != 0 || http_read_json(req, &body, &pb) != 0)
        goto out;
    fields_body_known(body, known, &pb);
    fields_body_name(body, "custNm", 1, &cust_nm, &pb);
    fields_body_slot(body, "slot", 0, slot, &pb);
    book_read_tickets(body, tickets, sizeof(tickets), &party, &pb);
    fields_body_email(body, "email", 0, email, &pb);
    fields_body_lang(body, "lang", req->accept_language, &lang, &pb);
    if (pb.errors)
        goto out;
    if (auth_token_new(token) != 0 || (key && !(fingerprint = fields_fingerprint(req, body)))) {
        problem_set(&pb, 500, "could not make a token; try again");
        goto out;
    }
    snprintf(party_text, sizeof(party_text), "%d", party);
    {
        const char *params[11] = {id,
                                  slot[0] ? slot : NULL,
                                  cust_nm,
                                  email[0] ? email : NULL,
                                  lang,
                                  tickets,
                                  party_text,
                                  token,
                                  visitor_seal_key(),
                                  key,
                                  fingerprint};
        res = db_exec(DB_WAITLIST_JOIN, params, &pb);
    }
out:
    rows_answer_one(req, res, 201, "/waitlist", &pb);
    free(fingerprint);
    PQclear(res);
    json_object_put(body);
}

/* GET /museums/{id}/waitlist?day= (staff): the exhibition's entries. */
void waitlist_list(struct http_request *req, const char *id)
{
    static const char *const known[] = {"day", NULL};
    struct problem pb = PROBLEM_INIT;
    PGresult *res = NULL;
    char day_buf[11];
    const char *day;
    int64_t museum_id;

    if (fields_query_known(req, known, &pb) != 0 || fields_path_id(id, &museum_id, &pb) != 0 ||
        fields_query_date(req, "day", day_buf, &day, &pb) != 0)
        goto out;
    {
        const char *params[2] = {id, day};
        res = db_exec(DB_WAITLIST_LIST, params, &pb);
    }
out:
    rows_answer_list(req, res, NULL, &pb);
    PQclear(res);
}

/* GET /waitlist/{id} (staff or its token). */
void waitlist_get(struct http_request *req, const char *id)
{
    rows_answer_by_id(req, DB_WAITLIST_GET, "waiting list entry", id);
}

/* No body, or a JSON object without members: 0, or -1 with p set. */
static int empty_body(struct http_request *req, struct problem *p)
{
    static const char *const none[] = {NULL};
    const char *len = FCGX_GetParam("CONTENT_LENGTH", req->fcgx->envp);
    json_object *body = NULL;
    int rc;

    if (!len || !*len || strcmp(len, "0") == 0)
        return 0;
    rc = http_read_json(req, &body, p) != 0 || fields_body_known(body, none, p) != 0 ? -1 : 0;
    json_object_put(body);
    return rc;
}

/* POST /waitlist/{id}/accept (its token; no body or {}): the offer becomes
 * a booking, answered as POST /books answers (its own token and code);
 * accepting again answers the same booking. */
void waitlist_accept(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    PGresult *res = NULL;
    int64_t entry_id;
    char token[AUTH_TOKEN_LEN + 1];

    if (fields_query_known(req, NULL, &pb) != 0 || fields_path_id(id, &entry_id, &pb) != 0 ||
        empty_body(req, &pb) != 0 ||
        caller_require_staff_or_token(req, "the entry's token is required", &pb) != 0)
        goto out;
    if (auth_token_new(token) != 0) {
        problem_set(&pb, 500, "could not make a booking token; try again");
        goto out;
    }
    {
        const char *params[4] = {id, req->token, token, visitor_seal_key()};
        res = db_exec(DB_WAITLIST_ACCEPT, params, &pb);
    }
out:
    rows_answer_one(req, res, 201, "/books", &pb);
    PQclear(res);
}

/* DELETE /waitlist/{id} (its token): leaves the waiting list; 204, also
 * when it had left already. */
void waitlist_leave(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    PGresult *res = NULL;
    int64_t entry_id;

    if (fields_query_known(req, NULL, &pb) != 0 || fields_path_id(id, &entry_id, &pb) != 0 ||
        caller_require_staff_or_token(req, "the entry's token is required", &pb) != 0)
        goto out;
    {
        const char *params[2] = {id, req->token};
        if (!(res = db_exec(DB_WAITLIST_LEAVE, params, &pb)))
            goto out;
    }
    pb.status = 204;
out:
    if (pb.status == 204)
        http_reply_json(req, 204, NULL, NULL, NULL);
    else
        http_reply_problem(req, &pb);
    PQclear(res);
}
