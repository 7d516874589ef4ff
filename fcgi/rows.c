#include "rows.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "caller.h"
#include "fields.h"
#include "validate.h"

/* Type OIDs from catalog/pg_type.h (stable across PostgreSQL versions). */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700
#define OID_JSON 114
#define OID_JSONB 3802

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
            case OID_JSON:
            case OID_JSONB: val = json_tokener_parse(v); break; /* made by PostgreSQL: valid */
            default: val = json_object_new_string_len(v, PQgetlength(res, i, c));
            }
        }
        /* Column names are unique in our results: no lookup needed. */
        json_object_object_add_ex(obj, keys[c], val, JSON_C_OBJECT_ADD_KEY_IS_NEW | flags);
    }
    return obj;
}

json_object *rows_object(const PGresult *res, int i)
{
    column_key *keys = column_keys(res);
    json_object *obj = keys ? row_json(res, i, keys, 0) : NULL;

    free(keys);
    return obj;
}

void rows_answer_one(struct http_request *req, const PGresult *res, int status,
                     const char *location_base, struct problem *p)
{
    column_key *keys = res ? column_keys(res) : NULL;
    json_object *obj = keys ? row_json(res, 0, keys, JSON_C_OBJECT_ADD_CONSTANT_KEY) : NULL;
    char location[64];
    int id_col = res ? PQfnumber(res, "id") : -1;

    if (res && !obj)
        problem_set(p, 500, "out of memory");
    if (!obj) {
        http_reply_problem(req, p);
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

void rows_answer_list(struct http_request *req, const PGresult *res, const struct page *page,
                      struct problem *p)
{
    int rows = res ? PQntuples(res) : 0;
    int shown = page && rows > page->limit ? page->limit : rows;
    column_key *keys = res ? column_keys(res) : NULL;
    json_object *arr = keys ? json_object_new_array_ext(shown) : NULL;
    char *link = NULL;

    if (res && !arr)
        problem_set(p, 500, "out of memory");
    if (!arr) {
        http_reply_problem(req, p);
        goto out;
    }
    for (int i = 0; i < shown; i++)
        json_object_array_add(arr, row_json(res, i, keys, JSON_C_OBJECT_ADD_CONSTANT_KEY));
    if (page && rows > page->limit)
        link = page_next_link(req, page, PQgetvalue(res, shown - 1, PQfnumber(res, "id")));
    http_reply_json(req, 200, arr, link, NULL);
out:
    free(link);
    json_object_put(arr); /* before keys: the rows point at them */
    free(keys);
}

void rows_answer_by_id(struct http_request *req, enum db_stmt stmt, const char *noun,
                       const char *id_text)
{
    struct problem pb = PROBLEM_INIT;
    const char *params[3] = {id_text, caller_staff_param(req), req->token};
    PGresult *res = NULL;
    int64_t id;

    if (fields_query_known(req, NULL, &pb) != 0 || fields_path_id(id_text, &id, &pb) != 0 ||
        !(res = db_exec(stmt, params, &pb)))
        goto out;
    if (PQntuples(res) == 0) {
        problem_set(&pb, 404, "%s %lld does not exist", noun, (long long)id);
        PQclear(res);
        res = NULL;
    }
out:
    rows_answer_one(req, res, 200, NULL, &pb);
    PQclear(res);
}
