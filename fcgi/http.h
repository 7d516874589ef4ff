/* http: one FastCGI request and its answer (JSON and problem+json). */
#ifndef MUSEUM_HTTP_H
#define MUSEUM_HTTP_H

#include <stddef.h>
#include <fcgiapp.h>
#include <json-c/json.h>

#include "auth.h"
#include "problem.h"

#define HTTP_MAX_BODY (16 * 1024)

struct http_request {
    FCGX_Request *fcgx;
    const char *method;          /* REQUEST_METHOD */
    const char *path;            /* DOCUMENT_URI: decoded, normalised by nginx */
    const char *query;           /* QUERY_STRING, still percent-encoded; never NULL */
    const char *content_type;    /* may be NULL */
    const char *request_id;      /* nginx $request_id, or "-" */
    double start_s;              /* when nginx handed it on (REQUEST_START, $msec), or 0 */
    const char *authorization;   /* Authorization header, or NULL */
    const char *token_header;    /* X-Booking-Token header, or NULL */
    const char *idempotency_key; /* Idempotency-Key header, or NULL */
    const char *if_none_match;   /* If-None-Match header, or NULL */
    const char *access_header;   /* X-Access-Token header (a sign-in link's), or NULL */
    const char *accept_language; /* Accept-Language header, or NULL */
    int staff;                   /* set by caller_identify: valid staff credentials */
    int door;                    /* set by caller_identify: a door account's credentials */
    char user[AUTH_USER_SIZE];   /* set by caller_identify: the staff user's name, or "" */
    const char *token;           /* set by caller_identify: booking token presented, or NULL */
    char token_buf[AUTH_TOKEN_LEN + 1];
    int status; /* the status answered, for the access log */
    int head;   /* HEAD: answer as GET, without a body */
};

/* Fills req from the FastCGI environment of fcgx. */
void http_request_init(struct http_request *req, FCGX_Request *fcgx);

/* Reads and parses a JSON object body into *out (caller puts it). Returns
 * 0, or -1 with p set (400, 411, 413, 415, 500). */
int http_read_json(struct http_request *req, json_object **out, struct problem *p);

/* Parses body[0..len) strictly as one JSON object (RFC 8259 only: strict
 * UTF-8, bounded depth, no duplicate or NUL-bearing member names, no lone
 * surrogates, nothing after the value). Returns 0 and sets *out (caller
 * puts it), or -1 with a reason for a person in detail (size n). Pure. */
int http_parse_json(const char *body, size_t len, json_object **out, char *detail, size_t n);

/* Answers status with body (a JSON value, may be NULL for no body) and up to
 * two extra header lines (each "Name: value", NULL if none). A 200 to GET
 * (or HEAD) carries an ETag computed from the body, and becomes a bodyless
 * 304 Not Modified when the request's If-None-Match names it. */
void http_reply_json(struct http_request *req, int status, json_object *body, const char *header1,
                     const char *header2);

/* The same with the JSON already written: text[0..len), NUL-terminated
 * (or NULL for no body). */
void http_reply_json_text(struct http_request *req, int status, const char *text, size_t len,
                          const char *header1, const char *header2);

/* Answers status with body[0..len) of Content-Type type (not JSON: an
 * image, a calendar), with cache_control as its Cache-Control value and
 * one extra header line (NULL if none). */
void http_reply_body(struct http_request *req, int status, const char *type, const char *body,
                     size_t len, const char *cache_control, const char *header);

/* Answers status with body (a JSON value) as content type type (e.g.
 * "application/problem+json"), without an ETag. */
void http_reply_typed(struct http_request *req, int status, const char *type, json_object *body);

/* Answers p as an RFC 9457 problem (its field errors as `errors`, its
 * header line if any), then clears p. */
void http_reply_problem(struct http_request *req, struct problem *p);

/* The strong entity tag of body[0..len): a hash of it, quoted, in out. */
#define HTTP_ETAG_SIZE 20
void http_etag(const char *body, size_t len, char out[HTTP_ETAG_SIZE]);

/* 1 if an If-None-Match header value ("*", or a list of entity tags, weak
 * or not) names etag (weak comparison, RFC 9110 13.1.2), else 0. Pure. */
int http_etag_matches(const char *if_none_match, const char *etag);

/* Finds parameter name in a query string and percent-decodes its value into
 * buf (size n). Returns 1 found, 0 absent, -1 malformed or too long. */
int http_query_get(const char *query, const char *name, char *buf, size_t n);

/* Returns 1 if every parameter name in query is one of names (NULL-ended)
 * and none is given twice, else 0 and stores the first offending
 * parameter's position in *bad (*repeated says which kind). */
int http_query_only(const char *query, const char *const *names, const char **bad, int *repeated);

/* Percent-encodes s into out (size n): everything but RFC 3986's
 * unreserved characters. Returns 0, or -1 if it does not fit. */
int http_query_encode(const char *s, char *out, size_t n);

#endif
