#include "visitor.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "daemon.h"
#include "db.h"
#include "fields.h"
#include "rows.h"
#include "validate.h"

static const char *seal_key;

int visitor_load(void)
{
    const char *v = daemon_env_text("TICKET_SEAL_KEY", NULL);

    if (!v || strlen(v) < VISITOR_SEAL_KEY_MIN) {
        /* The value itself is a secret: never logged. */
        fprintf(stderr,
                "event=config_error setting=TICKET_SEAL_KEY expected=\"at least %d characters\"\n",
                VISITOR_SEAL_KEY_MIN);
        return -1;
    }
    seal_key = v;
    return 0;
}

const char *visitor_seal_key(void)
{
    return seal_key;
}

void visitor_access(struct http_request *req, const char *id)
{
    static const char *const known[] = {"email", "lang", NULL};
    struct problem pb = PROBLEM_INIT;
    json_object *body = NULL;
    PGresult *res = NULL;
    const char *lang = NULL;
    char email[FIELDS_EMAIL_SIZE], token[AUTH_TOKEN_LEN + 1] = "";

    (void)id;
    if (fields_query_known(req, NULL, &pb) != 0 || http_read_json(req, &body, &pb) != 0)
        goto out;
    fields_body_known(body, known, &pb);
    fields_body_email(body, "email", 1, email, &pb);
    fields_body_lang(body, "lang", req->accept_language, &lang, &pb);
    if (pb.errors)
        goto out;
    if (auth_token_new(token) != 0) {
        problem_set(&pb, 500, "could not make a sign-in link; try again");
        goto out;
    }
    {
        const char *params[4] = {email, token, lang, seal_key};
        res = db_exec(DB_VISITOR_ACCESS, params, &pb);
    }
out:
    rows_answer_one(req, res, 202, NULL, &pb);
    memset(token, 0, sizeof(token)); /* sent sealed, never answered */
    PQclear(res);
    json_object_put(body);
}

void visitor_bookings(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;
    PGresult *res = NULL;
    char limit[16];

    (void)id;
    if (fields_query_known(req, NULL, &pb) != 0)
        goto out;
    if (!req->access_header || !auth_token_valid(req->access_header)) {
        problem_set(&pb, 401,
                    "listing your bookings needs the access token of a sign-in link "
                    "(X-Access-Token): ask for one with POST /visitors/access");
        goto out;
    }
    snprintf(limit, sizeof(limit), "%d", VISITOR_BOOKINGS_MAX);
    {
        const char *params[2] = {req->access_header, limit};
        res = db_exec(DB_VISITOR_BOOKINGS, params, &pb);
    }
out:
    if (pb.status == 401) /* not the staff's Basic: no password dialog for a visitor */
        snprintf(pb.header, sizeof(pb.header),
                 "WWW-Authenticate: AccessToken realm=\"SK Museum visitors\"");
    rows_answer_list(req, res, NULL, &pb);
    PQclear(res);
}
