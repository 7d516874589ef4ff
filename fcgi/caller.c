#include "caller.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"

static const char *admin_password;
static struct auth_cache verified; /* this worker's verified credentials */

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

static int bad_credentials(struct problem *p)
{
    return unauthorized(p, "these credentials are not valid: sign in with a staff account's "
                           "name and password (or admin with the staff password)");
}

/* Checks staff account user with password: looked up each time (one
 * statement), its hash computed only on a cache miss. Returns 0 with
 * *door set from its role, or -1 with p: 401 (no such account, disabled,
 * wrong password) or the database's 503/500. */
static int account_check(const char *user, const char *password, int *door, struct problem *p)
{
    static char dummy[AUTH_HASH_MAX + 1]; /* so that an unknown name costs a hash too */
    const char *params[1] = {user};
    PGresult *res = db_exec(DB_STAFF_ACCOUNT, params, p);
    const char *hash;
    int ok;

    if (!res)
        return -1;
    if (PQntuples(res) != 1) {
        if (dummy[0] || auth_password_hash("not an account", dummy, sizeof(dummy)) == 0)
            auth_password_verify(password, dummy);
        PQclear(res);
        return bad_credentials(p);
    }
    hash = PQgetvalue(res, 0, 1);
    ok = strcmp(PQgetvalue(res, 0, 2), "f") == 0;
    if (ok && !auth_cache_hit(&verified, user, password, hash)) {
        ok = auth_password_verify(password, hash);
        if (ok)
            auth_cache_store(&verified, user, password, hash);
    }
    *door = strcmp(PQgetvalue(res, 0, 0), "door") == 0;
    PQclear(res);
    return ok ? 0 : bad_credentials(p);
}

int caller_identify(struct http_request *req, struct problem *p)
{
    char user[AUTH_USER_MAX + 1], password[AUTH_BASIC_MAX];
    int rc, door = 0;

    if (req->authorization) {
        if (auth_parse_basic(req->authorization, user, password, sizeof(password)) != 0)
            return bad_credentials(p);
        if (strcmp(user, AUTH_STAFF_USER) == 0) {
            if (!admin_password ||
                !auth_equal(password, strlen(password), admin_password, strlen(admin_password)))
                return bad_credentials(p);
        } else if (account_check(user, password, &door, p) != 0) {
            return -1;
        }
        req->staff = !door;
        req->door = door;
        snprintf(req->user, sizeof(req->user), "%s", user);
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

static int door_only(struct problem *p)
{
    return problem_set(p, 403, "this account may only check visitors in");
}

int caller_require_staff(const struct http_request *req, struct problem *p)
{
    if (req->staff)
        return 0;
    if (req->door)
        return door_only(p);
    return unauthorized(p, "this needs staff credentials (HTTP Basic)");
}

int caller_require_door(const struct http_request *req, struct problem *p)
{
    if (req->staff || req->door)
        return 0;
    return unauthorized(p, "this needs staff credentials (HTTP Basic: a door or admin account)");
}

int caller_require_staff_or_token(const struct http_request *req, const char *detail,
                                  struct problem *p)
{
    if (req->staff || req->token)
        return 0;
    if (req->door)
        return door_only(p);
    return unauthorized(p, detail);
}

const char *caller_staff_param(const struct http_request *req)
{
    return req->staff ? "true" : "false";
}

int caller_hash_password(FILE *in, FILE *out, size_t min)
{
    char password[AUTH_BASIC_MAX + 2], hash[AUTH_HASH_MAX + 1];
    size_t len, chars = 0;

    if (!fgets(password, sizeof(password), in)) {
        fprintf(stderr, "museum-app: --hash-password reads the password from standard input\n");
        return 2;
    }
    len = strcspn(password, "\r\n");
    password[len] = '\0';
    for (const char *c = password; *c; c++)
        chars += ((unsigned char)*c & 0xC0) != 0x80;
    if (chars < min || len >= AUTH_BASIC_MAX - AUTH_USER_MAX - 1) {
        fprintf(stderr, "museum-app: a staff password is %zu to %d characters\n", min,
                AUTH_BASIC_MAX - AUTH_USER_MAX - 2);
        return 2;
    }
    if (auth_password_hash(password, hash, sizeof(hash)) != 0) {
        fprintf(stderr, "museum-app: could not hash the password\n");
        return 1;
    }
    fprintf(out, "%s\n", hash);
    return 0;
}
