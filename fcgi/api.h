/* api: routing of /museums, /books, /confirms, /myPages and the helpers the
 * resource modules share (field checks, rows as JSON, list paging). */
#ifndef MUSEUM_API_H
#define MUSEUM_API_H

#include <stdint.h>
#include <libpq-fe.h>
#include <json-c/json.h>

#include "db.h"
#include "http.h"

/* Answers one request: finds its resource and calls it. */
void api_handle(struct http_request *req);

/* Row i of res as a JSON object: camelCase keys, integer columns as
 * numbers, NULL as null, the rest as strings. Caller puts it. */
json_object *api_row_json(const PGresult *res, int i);

/* Answers the first row of res with status; with location_base ("/books")
 * adds "Location: <base>/<id>". */
void api_reply_row(struct http_request *req, const PGresult *res, int status,
                   const char *location_base);

/* Paging of a list: the limit asked for and the "after" id as text (NULL
 * if none). */
struct api_page {
    int limit;
    const char *after;
    char after_buf[24];
    char limit_plus_one[16]; /* what to ask the database for */
};

/* Reads limit/after from the query (answering 400 itself on bad values).
 * Returns 0 or -1. */
int api_page_parse(struct http_request *req, struct api_page *page);

/* Answers the rows of res (fetched with limit + 1) as a JSON array, with a
 * Link rel="next" header when more remain. */
void api_reply_list(struct http_request *req, const PGresult *res, const struct api_page *page);

/* Answers a failed database call. */
void api_reply_db_error(struct http_request *req, const struct db_error *err);

/* Query-string checks, answering 400 themselves. Each returns 0 or -1.
 * api_query_known: rejects parameters not in names (NULL-ended).
 * api_query_id: optional id parameter; *out NULL if absent.
 * api_query_text: optional name-like parameter; *out NULL if absent. */
int api_query_known(struct http_request *req, const char *const *names);
int api_query_id(struct http_request *req, const char *name, char buf[24], const char **out);
int api_query_text(struct http_request *req, const char *name, char *buf, size_t n,
                   const char **out);

/* Body field checks: each adds "field": "message" to *errors on failure
 * (creating it) and returns -1; 0 when fine. Absent optional fields
 * return 0 and leave the output untouched. */
int api_field_error(json_object **errors, const char *key, const char *msg);
int api_body_known(json_object *body, const char *const *names, json_object **errors);
int api_body_id(json_object *body, const char *key, int required, int64_t *out,
                json_object **errors);
int api_body_name(json_object *body, const char *key, int required, const char **out,
                  json_object **errors);
int api_body_date(json_object *body, const char *key, int required, char out[11],
                  json_object **errors);
int api_body_int(json_object *body, const char *key, int required, int min, int max, int *out,
                 json_object **errors);
int api_body_status(json_object *body, const char *key, int required, const char **out,
                    json_object **errors);

/* Answers GET {resource}/{id}: runs stmt with the id, the caller's staff
 * flag and token (stmt takes the first one or all three) and answers its
 * row, or 404 when id_text is not an id or stmt finds no row ("<noun> <id>
 * does not exist"). */
void api_get_one(struct http_request *req, enum db_stmt stmt, const char *noun,
                 const char *id_text);

/* Answers 401 (with a Basic challenge) unless the caller is staff.
 * Returns 0 for staff, else -1. */
int api_require_staff(struct http_request *req);

/* The caller's staff flag as a statement parameter: "true" or "false". */
const char *api_staff_param(const struct http_request *req);

/* Reads the Idempotency-Key header into *key (NULL if absent). Answers 400
 * itself and returns -1 when it is not 1..255 printable ASCII. */
int api_idempotency_key(struct http_request *req, const char **key);

/* The fingerprint an Idempotency-Key is bound to: method, path and the
 * body re-serialised (so whitespace does not count). malloc'd, or NULL. */
char *api_fingerprint(const struct http_request *req, json_object *body);

/* Parses a path id; answers 404 itself and returns -1 when it is not one. */
int api_path_id(struct http_request *req, const char *id_text, int64_t *out);

/* Answers 422 with the collected field errors (put by this call). */
void api_reply_invalid(struct http_request *req, json_object *errors);

#endif
