#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "book.h"
#include "confirm.h"
#include "museum.h"
#include "mypage.h"
#include "status.h"
#include "validate.h"

/* Type OIDs from catalog/pg_type.h (stable across PostgreSQL versions). */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

struct resource {
    const char *name;
    void (*route)(struct http_request *req, const char *id);
};

static const struct resource resources[] = {
    {"museums", museum_route}, {"books", book_route},    {"confirms", confirm_route},
    {"myPages", mypage_route}, {"status", status_route}, {"healthz", status_healthz},
    {"readyz", status_readyz},
};

/* Who is calling: staff credentials (wrong ones are answered 401 here) and
 * the booking token, from X-Booking-Token or ?token=. A token that is
 * presented but malformed becomes "", which matches no booking. */
static int identify_caller(struct http_request *req)
{
    int rc;

    switch (auth_check_basic(req->authorization, auth_admin_password())) {
    case AUTH_BAD:
        http_reply_unauthorized(req, "these credentials are not valid: staff sign in as admin "
                                     "with the staff password");
        return -1;
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
    return 0;
}

void api_handle(struct http_request *req)
{
    const char *p = req->path;
    char name[16];
    char id[32];
    size_t len;

    if (identify_caller(req) != 0)
        return;
    if (*p != '/')
        goto not_found;
    p++;
    len = strcspn(p, "/");
    if (len == 0 || len >= sizeof(name))
        goto not_found;
    memcpy(name, p, len);
    name[len] = '\0';
    p += len;
    id[0] = '\0';
    if (*p == '/') {
        p++;
        len = strlen(p);
        if (len > 0 && p[len - 1] == '/')
            len--; /* tolerate one trailing slash */
        if (len >= sizeof(id) || memchr(p, '/', len))
            goto not_found;
        memcpy(id, p, len);
        id[len] = '\0';
    }
    for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++) {
        if (strcmp(resources[i].name, name) == 0) {
            resources[i].route(req, id[0] ? id : NULL);
            return;
        }
    }
not_found:
    http_reply_problem(req, 404, "there is nothing at this path", NULL);
}

/* The JSON keys of res's columns, camel-cased once per result rather than
 * once per field: an array of PQnfields(res) keys (caller frees), or NULL. */
typedef char column_key[64];
static column_key *column_keys(const PGresult *res)
{
    int n = PQnfields(res);
    column_key *keys = malloc((size_t)(n > 0 ? n : 1) * sizeof(*keys));

    for (int c = 0; keys && c < n; c++)
        validate_camel_case(PQfname(res, c), keys[c], sizeof(keys[c]));
    return keys;
}

/* Row i as an object. With JSON_C_OBJECT_ADD_CONSTANT_KEY in flags, the
 * object points at keys, which must then outlive it. */
static json_object *row_json(const PGresult *res, int i, column_key *keys, unsigned flags)
{
    json_object *obj = json_object_new_object();
    int n = PQnfields(res);

    for (int c = 0; obj && c < n; c++) {
        const char *v = PQgetvalue(res, i, c);
        json_object *val;

        if (PQgetisnull(res, i, c)) {
            val = NULL;
        } else {
            switch (PQftype(res, c)) {
            case OID_INT2:
            case OID_INT4:
            case OID_INT8: val = json_object_new_int64(strtoll(v, NULL, 10)); break;
            case OID_BOOL: val = json_object_new_boolean(v[0] == 't'); break;
            case OID_FLOAT4:
            case OID_FLOAT8:
            case OID_NUMERIC: val = json_object_new_double(strtod(v, NULL)); break;
            default: val = json_object_new_string_len(v, PQgetlength(res, i, c));
            }
        }
        /* Column names are unique in our results: no lookup needed. */
        json_object_object_add_ex(obj, keys[c], val, JSON_C_OBJECT_ADD_KEY_IS_NEW | flags);
    }
    return obj;
}

json_object *api_row_json(const PGresult *res, int i)
{
    column_key *keys = column_keys(res);
    json_object *obj = keys ? row_json(res, i, keys, 0) : NULL;

    free(keys);
    return obj;
}

void api_reply_row(struct http_request *req, const PGresult *res, int status,
                   const char *location_base)
{
    column_key *keys = column_keys(res);
    json_object *obj = keys ? row_json(res, 0, keys, JSON_C_OBJECT_ADD_CONSTANT_KEY) : NULL;
    char location[64];
    int id_col = PQfnumber(res, "id");

    if (!obj) {
        http_reply_problem(req, 500, "out of memory", NULL);
    } else if (location_base && id_col >= 0) {
        snprintf(location, sizeof(location), "Location: %s/%s", location_base,
                 PQgetvalue(res, 0, id_col));
        http_reply_json(req, status, obj, location, NULL);
    } else {
        http_reply_json(req, status, obj, NULL, NULL);
    }
    json_object_put(obj);
    free(keys);
}

int api_page_parse(struct http_request *req, struct api_page *page)
{
    char buf[24];
    int64_t after;
    int rc;

    page->limit = VALIDATE_LIMIT_DEFAULT;
    page->after = NULL;
    rc = http_query_get(req->query, "limit", buf, sizeof(buf));
    if (rc < 0 || (rc == 1 && validate_limit(buf, &page->limit) != 0)) {
        http_reply_problem(req, 400, "limit must be a whole number from 1 to 1000", NULL);
        return -1;
    }
    rc = http_query_get(req->query, "after", buf, sizeof(buf));
    if (rc < 0 || (rc == 1 && validate_id_text(buf, &after) != 0)) {
        http_reply_problem(req, 400, "after must be an id (a positive whole number)", NULL);
        return -1;
    }
    if (rc == 1) {
        snprintf(page->after_buf, sizeof(page->after_buf), "%lld", (long long)after);
        page->after = page->after_buf;
    }
    snprintf(page->limit_plus_one, sizeof(page->limit_plus_one), "%d", page->limit + 1);
    return 0;
}

/* Builds "Link: <path?query-without-after&after=last>; rel=\"next\"".
 * Returns a malloc'd string (caller frees) or NULL. */
static char *next_link(const struct http_request *req, const char *last_id)
{
    size_t cap = strlen(req->path) + strlen(req->query) + strlen(last_id) + 48;
    char *out = malloc(cap);
    size_t o;
    const char *p = req->query;

    if (!out)
        return NULL;
    o = (size_t)snprintf(out, cap, "Link: <%s?", req->path);
    while (*p) {
        size_t len = strcspn(p, "&");
        if (len > 0 && strncmp(p, "after=", 6) != 0 && !(len == 5 && !strncmp(p, "after", 5))) {
            memcpy(out + o, p, len);
            o += len;
            out[o++] = '&';
        }
        p += len;
        if (*p == '&')
            p++;
    }
    snprintf(out + o, cap - o, "after=%s>; rel=\"next\"", last_id);
    return out;
}

void api_reply_list(struct http_request *req, const PGresult *res, const struct api_page *page)
{
    int rows = PQntuples(res);
    int shown = rows > page->limit ? page->limit : rows;
    column_key *keys = column_keys(res);
    json_object *arr = json_object_new_array_ext(shown);
    char *link = NULL;

    if (!keys || !arr) {
        http_reply_problem(req, 500, "out of memory", NULL);
        goto out;
    }
    for (int i = 0; i < shown; i++)
        json_object_array_add(arr, row_json(res, i, keys, JSON_C_OBJECT_ADD_CONSTANT_KEY));
    if (rows > page->limit)
        link = next_link(req, PQgetvalue(res, shown - 1, PQfnumber(res, "id")));
    http_reply_json(req, 200, arr, link, NULL);
out:
    free(link);
    json_object_put(arr); /* before keys: the rows point at them */
    free(keys);
}

void api_reply_db_error(struct http_request *req, const struct db_error *err)
{
    http_reply_problem(req, err->status, err->detail, NULL);
}

int api_query_known(struct http_request *req, const char *const *names)
{
    const char *with_token[16];
    const char *bad;
    char detail[160];
    size_t n = 0;

    while (names[n] && n + 2 < sizeof(with_token) / sizeof(with_token[0])) {
        with_token[n] = names[n];
        n++;
    }
    with_token[n++] = "token"; /* any request may carry a booking token */
    with_token[n] = NULL;
    if (http_query_only(req->query, with_token, &bad))
        return 0;
    snprintf(detail, sizeof(detail), "unknown query parameter \"%.*s\"",
             (int)(strcspn(bad, "=&") > 40 ? 40 : strcspn(bad, "=&")), bad);
    http_reply_problem(req, 400, detail, NULL);
    return -1;
}

int api_query_id(struct http_request *req, const char *name, char buf[24], const char **out)
{
    int64_t id;
    int rc = http_query_get(req->query, name, buf, 24);
    char detail[96];

    *out = NULL;
    if (rc == 0)
        return 0;
    if (rc == 1 && validate_id_text(buf, &id) == 0) {
        *out = buf;
        return 0;
    }
    snprintf(detail, sizeof(detail), "%s must be an id (a positive whole number)", name);
    http_reply_problem(req, 400, detail, NULL);
    return -1;
}

int api_query_text(struct http_request *req, const char *name, char *buf, size_t n,
                   const char **out)
{
    int rc = http_query_get(req->query, name, buf, n);
    const char *why = "is too long";
    char detail[128];

    *out = NULL;
    if (rc == 0)
        return 0;
    if (rc == 1 && (why = validate_name(buf, strlen(buf))) == NULL) {
        *out = buf;
        return 0;
    }
    snprintf(detail, sizeof(detail), "%s %s", name, why);
    http_reply_problem(req, 400, detail, NULL);
    return -1;
}

int api_field_error(json_object **errors, const char *key, const char *msg)
{
    if (!*errors)
        *errors = json_object_new_object();
    json_object_object_add(*errors, key, json_object_new_string(msg));
    return -1;
}

/* Gets key from body. Returns 1 present (non-null), 0 absent and optional,
 * -1 absent and required (error recorded). */
static int field(json_object *body, const char *key, int required, json_object **val,
                 json_object **errors)
{
    if (json_object_object_get_ex(body, key, val) && *val)
        return 1;
    if (required)
        return api_field_error(errors, key, "is required");
    return 0;
}

int api_body_known(json_object *body, const char *const *names, json_object **errors)
{
    int rc = 0;

    json_object_object_foreach(body, key, val)
    {
        const char *const *n = names;
        (void)val;
        while (*n && strcmp(*n, key) != 0)
            n++;
        if (!*n)
            rc = api_field_error(errors, key, "is not a known field");
    }
    return rc;
}

int api_body_id(json_object *body, const char *key, int required, int64_t *out,
                json_object **errors)
{
    json_object *v;
    int rc = field(body, key, required, &v, errors);

    if (rc <= 0)
        return rc;
    if (!json_object_is_type(v, json_type_int) || validate_id_value(json_object_get_int64(v)) != 0)
        return api_field_error(errors, key, "must be an id (a positive whole number)");
    *out = json_object_get_int64(v);
    return 0;
}

int api_body_name(json_object *body, const char *key, int required, const char **out,
                  json_object **errors)
{
    json_object *v;
    const char *why;
    int rc = field(body, key, required, &v, errors);

    if (rc <= 0)
        return rc;
    if (!json_object_is_type(v, json_type_string))
        return api_field_error(errors, key, "must be a string");
    why = validate_name(json_object_get_string(v), (size_t)json_object_get_string_len(v));
    if (why)
        return api_field_error(errors, key, why);
    if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
        return api_field_error(errors, key, "must not contain NUL characters");
    *out = json_object_get_string(v);
    return 0;
}

int api_body_date(json_object *body, const char *key, int required, char out[11],
                  json_object **errors)
{
    json_object *v;
    int rc = field(body, key, required, &v, errors);

    if (rc <= 0)
        return rc;
    if (!json_object_is_type(v, json_type_string) ||
        validate_date(json_object_get_string(v), out) != 0)
        return api_field_error(errors, key, "must be a real date as YYYY-MM-DD or YYYYMMDD");
    return 0;
}

int api_body_int(json_object *body, const char *key, int required, int min, int max, int *out,
                 json_object **errors)
{
    json_object *v;
    int64_t n;
    char msg[96];
    int rc = field(body, key, required, &v, errors);

    if (rc <= 0)
        return rc;
    n = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || n < min || n > max) {
        snprintf(msg, sizeof(msg), "must be a whole number from %d to %d", min, max);
        return api_field_error(errors, key, msg);
    }
    *out = (int)n;
    return 0;
}

int api_body_status(json_object *body, const char *key, int required, const char **out,
                    json_object **errors)
{
    static const char *const statuses[] = {"REQUESTED", "REQUEST_COMPLETED", "CANCELED",
                                           "FORCE_CANCELED"};
    json_object *v;
    int rc = field(body, key, required, &v, errors);

    if (rc <= 0)
        return rc;
    if (json_object_is_type(v, json_type_string)) {
        for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
            if (strcmp(json_object_get_string(v), statuses[i]) == 0) {
                *out = statuses[i];
                return 0;
            }
        }
    }
    return api_field_error(errors, key,
                           "must be one of REQUESTED, REQUEST_COMPLETED, CANCELED, FORCE_CANCELED");
}

void api_reply_invalid(struct http_request *req, json_object *errors)
{
    http_reply_problem(req, 422, "some fields are invalid; see errors", errors);
}

int api_path_id(struct http_request *req, const char *id_text, int64_t *out)
{
    if (validate_id_text(id_text, out) == 0)
        return 0;
    http_reply_problem(req, 404, "there is nothing at this path: ids are positive whole numbers",
                       NULL);
    return -1;
}

int api_require_staff(struct http_request *req)
{
    if (req->staff)
        return 0;
    http_reply_unauthorized(req, "this needs staff credentials (HTTP Basic, user admin)");
    return -1;
}

const char *api_staff_param(const struct http_request *req)
{
    return req->staff ? "true" : "false";
}

int api_idempotency_key(struct http_request *req, const char **key)
{
    *key = req->idempotency_key;
    if (!*key || validate_idempotency_key(*key) == 0)
        return 0;
    http_reply_problem(req, 400,
                       "Idempotency-Key must be 1 to 255 printable ASCII characters; "
                       "a random UUID is a good choice",
                       NULL);
    return -1;
}

char *api_fingerprint(const struct http_request *req, json_object *body)
{
    const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
    size_t cap = strlen(req->method) + strlen(req->path) + strlen(text) + 3;
    char *out = malloc(cap);

    if (out)
        snprintf(out, cap, "%s %s\n%s", req->method, req->path, text);
    return out;
}

void api_get_one(struct http_request *req, enum db_stmt stmt, const char *noun, const char *id_text)
{
    int64_t id;
    PGresult *res = NULL;
    struct db_error err;
    const char *params[3] = {id_text, api_staff_param(req), req->token};

    if (api_path_id(req, id_text, &id) != 0)
        goto out;
    res = db_exec(stmt, params, &err);
    if (!res) {
        api_reply_db_error(req, &err);
        goto out;
    }
    if (PQntuples(res) == 0) {
        char detail[64];
        snprintf(detail, sizeof(detail), "%s %lld does not exist", noun, (long long)id);
        http_reply_problem(req, 404, detail, NULL);
        goto out;
    }
    api_reply_row(req, res, 200, NULL);
out:
    PQclear(res);
}
