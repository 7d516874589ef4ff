#include "book.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "caller.h"
#include "db.h"
#include "fields.h"
#include "ics.h"
#include "page.h"
#include "qr.h"
#include "rows.h"
#include "site.h"
#include "validate.h"
#include "visitor.h"

/* GET /books?museumId=&custNm=&status=&day= (staff; door accounts through door_books). */
void book_list(struct http_request *req, const char *id)
{
    static const char *const known[] = {"museumId", "custNm", "status", "day", NULL};
    struct problem pb = PROBLEM_INIT;
    struct page page = {0};
    PGresult *res = NULL;
    char museum_buf[24], cust_buf[VALIDATE_NAME_MAX * 4 + 1], day_buf[11];
    const char *museum_id, *cust_nm, *status, *day;

    (void)id;
    if (page_parse(req, known, &page, &pb) != 0 ||
        fields_query_id(req, "museumId", museum_buf, &museum_id, &pb) != 0 ||
        fields_query_text(req, "custNm", cust_buf, sizeof(cust_buf), &cust_nm, &pb) != 0 ||
        fields_query_status(req, "status", &status, &pb) != 0 ||
        fields_query_date(req, "day", day_buf, &day, &pb) != 0)
        goto out;
    {
        const char *params[6] = {museum_id, cust_nm, status, day, page.after, page.limit_plus_one};
        res = db_exec(DB_BOOK_LIST, params, &pb);
    }
out:
    rows_answer_list(req, res, &page, &pb);
    PQclear(res);
}

/* 1 if body has a tickets member (null is none, as for every member). */
static int has_tickets(json_object *body)
{
    json_object *v;

    return json_object_object_get_ex(body, "tickets", &v) && v;
}

int book_read_tickets(json_object *body, char *tickets, size_t n, int *party, struct problem *p)
{
    if (!has_tickets(body)) {
        snprintf(tickets, n, "{\"%s\":1}", site_categories()[0]);
        *party = 1;
        return 0;
    }
    return fields_body_tickets(body, "tickets", site_categories(), site_max_party(), tickets, n,
                               party, p);
}

/* POST /books {"museumId","custNm","slot"?,"tickets"?,"email"?,"lang"?}
 * (anyone): takes the party's seats of the slot at once. The answer
 * carries the booking's token, the visitor's key to it. With an email the
 * ticket is emailed once the booking is complete, in lang (absent: the
 * one of en/ko Accept-Language prefers). The original clients also send
 * name and chkDate; they are checked and ignored (the stored values come
 * from the exhibition). */
void book_create(struct http_request *req, const char *id)
{
    static const char *const known[] = {"museumId", "custNm", "name", "chkDate", "slot",
                                        "tickets",  "email",  "lang", NULL};
    struct problem pb = PROBLEM_INIT;
    json_object *body = NULL;
    PGresult *res = NULL;
    int64_t museum_id = 0;
    int party = 0;
    const char *cust_nm = NULL, *ignored_name, *key, *lang = NULL;
    char museum_text[24], ignored_date[11], token[AUTH_TOKEN_LEN + 1], slot[32] = "";
    char tickets[BOOK_TICKETS_SIZE], party_text[16], email[FIELDS_EMAIL_SIZE] = "";
    char *fingerprint = NULL;

    (void)id;
    if (fields_query_known(req, NULL, &pb) != 0 || fields_idempotency_key(req, &key, &pb) != 0 ||
        http_read_json(req, &body, &pb) != 0)
        goto out;
    fields_body_known(body, known, &pb);
    fields_body_id(body, "museumId", 1, &museum_id, &pb);
    fields_body_name(body, "custNm", 1, &cust_nm, &pb);
    fields_body_name(body, "name", 0, &ignored_name, &pb);
    fields_body_date(body, "chkDate", 0, ignored_date, &pb);
    fields_body_slot(body, "slot", 0, slot, &pb);
    book_read_tickets(body, tickets, sizeof(tickets), &party, &pb);
    fields_body_email(body, "email", 0, email, &pb);
    fields_body_lang(body, "lang", req->accept_language, &lang, &pb);
    if (pb.errors)
        goto out;
    if (auth_token_new(token) != 0 || (key && !(fingerprint = fields_fingerprint(req, body)))) {
        problem_set(&pb, 500, "could not make a booking token; try again");
        goto out;
    }
    snprintf(museum_text, sizeof(museum_text), "%lld", (long long)museum_id);
    snprintf(party_text, sizeof(party_text), "%d", party);
    {
        const char *params[11] = {museum_text, cust_nm,           token,
                                  key,         fingerprint,       slot[0] ? slot : NULL,
                                  tickets,     party_text,        email[0] ? email : NULL,
                                  lang,        visitor_seal_key()};
        res = db_exec(DB_BOOK_CREATE, params, &pb);
    }
out:
    rows_answer_one(req, res, 201, "/books", &pb);
    free(fingerprint);
    PQclear(res);
    json_object_put(body);
}

/* GET /books/{id} (staff or its token). */
void book_get(struct http_request *req, const char *id)
{
    rows_answer_by_id(req, DB_BOOK_GET, "booking", id);
}

/* The original PUT sends the whole booking: its members other than status
 * must be the booking's own (they never change). Reads the booking as the
 * caller may see it and compares. Returns 0, or -1 with a 404 (not the
 * caller's to see) or 409 in p. */
static int put_describes_booking(struct http_request *req, const char *id, json_object *body,
                                 struct problem *p)
{
    static const struct {
        const char *member, *column;
    } fixed[] = {{"id", "id"},
                 {"museumId", "museum_id"},
                 {"custNm", "cust_nm"},
                 {"name", "name"},
                 {"chkDate", "chk_date"}};
    const char *params[3] = {id, caller_staff_param(req), req->token};
    PGresult *res = NULL;
    size_t given = 0;
    int rc = -1;

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        given += json_object_object_get_ex(body, fixed[i].member, NULL);
    if (given == 0)
        return 0; /* only the status: nothing to compare */
    if (!(res = db_exec(DB_BOOK_GET, params, p)))
        return -1;
    if (PQntuples(res) == 0) {
        problem_set(p, 404, "booking %s does not exist", id);
        goto out;
    }
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        const char *have = PQgetvalue(res, 0, PQfnumber(res, fixed[i].column));
        const char *want;
        char text[24];
        json_object *v;

        if (!json_object_object_get_ex(body, fixed[i].member, &v) || !v)
            continue;
        if (json_object_is_type(v, json_type_int)) {
            snprintf(text, sizeof(text), "%lld", (long long)json_object_get_int64(v));
            want = text;
        } else if (strcmp(fixed[i].member, "chkDate") == 0) {
            validate_date(json_object_get_string(v), text); /* as stored: YYYY-MM-DD */
            want = text;
        } else {
            want = json_object_get_string(v);
        }
        if (strcmp(want, have) != 0) {
            problem_set(p, 409, "only the status of a booking can change: %s is not the booking's",
                        fixed[i].member);
            goto out;
        }
    }
    rc = 0;
out:
    PQclear(res);
    return rc;
}

/* PATCH /books/{id} {"status"} or {"slot"?,"tickets"?,"email"?}, and the
 * original PUT /books/{id} with the whole booking (whole = 1), for staff or
 * a token that opens it: a cancel, or a move to another slot and/or party,
 * and/or the ticket's email ("email me my ticket"; book.change in
 * db/functions/book.sql has the rules). */
static void book_change(struct http_request *req, const char *id, int whole)
{
    static const char *const patch_known[] = {"status", "slot", "tickets", "email", NULL};
    static const char *const put_known[] = {"id",      "museumId", "custNm", "name",
                                            "chkDate", "status",   NULL};
    struct problem pb = PROBLEM_INIT;
    json_object *body = NULL;
    PGresult *res = NULL;
    int64_t book_id, ignored_id;
    int party = 0, moved_party = 0;
    const char *status = NULL, *ignored_text, *key;
    char ignored_date[11], slot[32] = "", tickets[BOOK_TICKETS_SIZE], party_text[16];
    char email[FIELDS_EMAIL_SIZE] = "";
    char *fingerprint = NULL;

    if (fields_query_known(req, NULL, &pb) != 0 || fields_path_id(id, &book_id, &pb) != 0 ||
        fields_idempotency_key(req, &key, &pb) != 0 || http_read_json(req, &body, &pb) != 0)
        goto out;
    fields_body_known(body, whole ? put_known : patch_known, &pb);
    if (whole) {
        fields_body_status(body, "status", 1, &status, &pb);
        fields_body_id(body, "id", 0, &ignored_id, &pb);
        fields_body_id(body, "museumId", 0, &ignored_id, &pb);
        fields_body_name(body, "custNm", 0, &ignored_text, &pb);
        fields_body_name(body, "name", 0, &ignored_text, &pb);
        fields_body_date(body, "chkDate", 0, ignored_date, &pb);
    } else {
        moved_party = has_tickets(body);
        fields_body_status(body, "status", 0, &status, &pb);
        fields_body_slot(body, "slot", 0, slot, &pb);
        if (moved_party)
            book_read_tickets(body, tickets, sizeof(tickets), &party, &pb);
        fields_body_email(body, "email", 0, email, &pb);
        if (!pb.errors && status && (slot[0] || moved_party))
            problem_field(&pb, "status", "cannot be changed together with slot or tickets");
        else if (!pb.errors && status && email[0])
            problem_field(&pb, "email", "cannot be changed together with status");
        else if (!pb.errors && !status && !slot[0] && !moved_party && !email[0])
            problem_field(&pb, "status",
                          "is required (or slot, or tickets, to move the booking, or email)");
    }
    if (pb.errors || (whole && put_describes_booking(req, id, body, &pb) != 0))
        goto out;
    if (key && !(fingerprint = fields_fingerprint(req, body))) {
        problem_set(&pb, 500, "out of memory");
        goto out;
    }
    snprintf(party_text, sizeof(party_text), "%d", party);
    {
        const char *params[11] = {id,
                                  status,
                                  slot[0] ? slot : NULL,
                                  moved_party ? tickets : NULL,
                                  moved_party ? party_text : NULL,
                                  caller_staff_param(req),
                                  req->token,
                                  key,
                                  fingerprint,
                                  email[0] ? email : NULL,
                                  visitor_seal_key()};
        res = db_exec(DB_BOOK_CHANGE, params, &pb);
    }
out:
    rows_answer_one(req, res, 200, NULL, &pb);
    free(fingerprint);
    PQclear(res);
    json_object_put(body);
}

void book_patch(struct http_request *req, const char *id)
{
    book_change(req, id, 0);
}

void book_put(struct http_request *req, const char *id)
{
    book_change(req, id, 1);
}

/* The ticket of booking id_text (book.ticket) as the caller may see it: 0
 * with its one row in *res (caller PQclears), or -1 with p set (404 when
 * it is not the caller's to see, as for one that does not exist). */
static int read_ticket(struct http_request *req, const char *id_text, PGresult **res,
                       struct problem *p)
{
    const char *params[3] = {id_text, caller_staff_param(req), req->token};
    int64_t id;

    if (fields_query_known(req, NULL, p) != 0 || fields_path_id(id_text, &id, p) != 0 ||
        !(*res = db_exec(DB_BOOK_TICKET, params, p)))
        return -1;
    if (PQntuples(*res) == 1)
        return 0;
    PQclear(*res);
    *res = NULL;
    return problem_set(p, 404, "booking %lld does not exist", (long long)id);
}

/* Column name of row 0 of res. */
static const char *ticket_value(const PGresult *res, const char *name)
{
    return PQgetvalue(res, 0, PQfnumber(res, name));
}

/* GET /books/{id}/qr.svg (staff or a token that opens it): its ticket code
 * as a QR code; stored by no cache (the image is the ticket: after "forget
 * this device" on a shared computer, none must be left behind). */
void book_qr(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    PGresult *res = NULL;
    char *svg = NULL;
    size_t len = 0;

    if (read_ticket(req, id, &res, &pb) != 0)
        goto out;
    if (!(svg = qr_svg(ticket_value(res, "code"), &len)))
        problem_set(&pb, 500, "could not draw the QR code");
out:
    if (svg)
        http_reply_body(req, 200, "image/svg+xml", svg, len, "no-store", NULL);
    else
        http_reply_problem(req, &pb);
    free(svg);
    PQclear(res);
}

/* GET /books/{id}/visit.ics (staff or a token that opens it): the visit as
 * an iCalendar file (ics_booking: the same file as the ticket email's
 * attachment), in the booking's language; the same file until the booking
 * changes (DTSTAMP is its last change). */
void book_ics(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    PGresult *res = NULL;
    char *ics = NULL;
    size_t len = 0;
    char disposition[96] = "";

    if (read_ticket(req, id, &res, &pb) != 0)
        goto out;
    snprintf(disposition, sizeof(disposition),
             "Content-Disposition: attachment; filename=\"visit-%s.ics\"",
             ticket_value(res, "code"));
    {
        const char *lang = ticket_value(res, "lang");
        struct ics_booking b = {
            .id = strtoll(ticket_value(res, "id"), NULL, 10),
            .code = ticket_value(res, "code"),
            .lang = lang,
            .exhibition = ticket_value(res, "name"),
            .museum = site_name(lang),
            .address = site_address(lang),
            .party = atoi(ticket_value(res, "party")),
            .tickets = ticket_value(res, "tickets"),
            .categories = site_categories(),
            .start = (time_t)strtoll(ticket_value(res, "start_unix"), NULL, 10),
            .end = (time_t)strtoll(ticket_value(res, "end_unix"), NULL, 10),
            .updated = (time_t)strtoll(ticket_value(res, "stamp_unix"), NULL, 10),
        };
        if (!(ics = ics_booking(&b, &len)))
            problem_set(&pb, 500, "out of memory");
    }
out:
    if (ics)
        http_reply_body(req, 200, "text/calendar; charset=utf-8", ics, len, "private, no-cache",
                        disposition);
    else
        http_reply_problem(req, &pb);
    free(ics);
    PQclear(res);
}
