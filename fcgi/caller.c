#include "caller.h"

#include <stdio.h>

#include "auth.h"

static const char *admin_password;

void caller_init(const char *password)
{
    admin_password = password && *password ? password : NULL;
}

static int unauthorized(struct problem *p, const char *detail)
{
    snprintf(p->header, sizeof(p->header),
             "WWW-Authenticate: Basic realm=\"" AUTH_REALM "\", charset=\"UTF-8\"");
    return problem_set(p, 401, "%s", detail);
}

int caller_identify(struct http_request *req, struct problem *p)
{
    int rc;

    switch (auth_check_basic(req->authorization, admin_password)) {
    case AUTH_BAD:
        return unauthorized(p, "these credentials are not valid: staff sign in as admin "
                               "with the staff password");
    case AUTH_STAFF: req->staff = 1; break;
    case AUTH_NONE: break;
    }
    if (req->token_header) {
        req->token = auth_token_valid(req->token_header) ? req->token_header : "";
        return 0;
    }
    rc = http_query_get(req->query, "token", req->token_buf, sizeof(req->token_buf));
    if (rc == 1 && auth_token_valid(req->token_buf))
        req->token = req->token_buf;
    else if (rc != 0)
        req->token = "";
    else if (req->access_header) /* no booking token: a sign-in link's opens its email's */
        req->token = auth_token_valid(req->access_header) ? req->access_header : "";
    return 0;
}

int caller_require_staff(const struct http_request *req, struct problem *p)
{
    if (req->staff)
        return 0;
    return unauthorized(p, "this needs staff credentials (HTTP Basic, user admin)");
}

int caller_require_staff_or_token(const struct http_request *req, const char *detail,
                                  struct problem *p)
{
    if (req->staff || req->token)
        return 0;
    return unauthorized(p, detail);
}

const char *caller_staff_param(const struct http_request *req)
{
    return req->staff ? "true" : "false";
}
