/* rows: database results answered as JSON (written by rowjson: camelCase
 * keys, integer columns as numbers, json and jsonb as themselves, NULL as
 * null, the rest as strings). */
#ifndef MUSEUM_ROWS_H
#define MUSEUM_ROWS_H

#include <libpq-fe.h>
#include <json-c/json.h>

#include "db.h"
#include "http.h"
#include "page.h"
#include "problem.h"

/* Row i of res as a JSON object (caller puts it), or NULL out of memory. */
json_object *rows_object(const PGresult *res, int i);

/* A handler's one answer, at its out: label. With a result (res not
 * NULL), its first row with status, and with location_base ("/books") a
 * "Location: <base>/<id>"; without one, the problem p (then cleared). */
void rows_answer_one(struct http_request *req, const PGresult *res, int status,
                     const char *location_base, struct problem *p);

/* The same for a list: the rows of res, fetched with page->limit + 1, as a
 * JSON array with a Link to the next page when more remain; with page NULL,
 * every row of res (a list that is not paged); or p. */
void rows_answer_list(struct http_request *req, const PGresult *res, const struct page *page,
                      struct problem *p);

/* Answers GET {collection}/{id}: runs stmt with the id, the caller's staff
 * flag and token (stmt takes the first or all three), and answers its row,
 * or 404 "<noun> <id> does not exist" when it finds none. */
void rows_answer_by_id(struct http_request *req, enum db_stmt stmt, const char *noun,
                       const char *id_text);

#endif
