/* fields: the values a client sends — body members, query parameters, the
 * path id and the Idempotency-Key header — checked before any SQL runs.
 * Each check returns 0, or -1 with what is wrong in p: body members add a
 * field error (422, all of them collected), the others set a 400 or 404. */
#ifndef MUSEUM_FIELDS_H
#define MUSEUM_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "http.h"
#include "problem.h"
#include "validate.h"

/* Body members. An absent optional member returns 0 and leaves *out as it
 * was; strings point into body. fields_body_known refuses members not in
 * names (NULL-ended). */
int fields_body_known(json_object *body, const char *const *names, struct problem *p);
int fields_body_id(json_object *body, const char *key, int required, int64_t *out,
                   struct problem *p);
int fields_body_name(json_object *body, const char *key, int required, const char **out,
                     struct problem *p);
int fields_body_date(json_object *body, const char *key, int required, char out[11],
                     struct problem *p);
int fields_body_int(json_object *body, const char *key, int required, int min, int max, int *out,
                    struct problem *p);
int fields_body_status(json_object *body, const char *key, int required, const char **out,
                       struct problem *p);
/* Text of at most max_chars characters, line breaks allowed; "" is
 * accepted (as "none"). */
int fields_body_text(json_object *body, const char *key, int required, size_t max_chars,
                     const char **out, struct problem *p);
int fields_body_time(json_object *body, const char *key, int required, char out[6],
                     struct problem *p);
int fields_body_slot(json_object *body, const char *key, int required, char out[32],
                     struct problem *p);
int fields_body_bool(json_object *body, const char *key, int required, int *out, struct problem *p);
/* An email address (validate_email), without the blanks around it, into
 * out. A language, "en" or "ko" (a static string); absent, the one of them
 * accept_language (an Accept-Language header, or NULL) prefers. */
#define FIELDS_EMAIL_SIZE (VALIDATE_EMAIL_MAX * 4 + 1)
int fields_body_email(json_object *body, const char *key, int required, char out[FIELDS_EMAIL_SIZE],
                      struct problem *p);
int fields_body_lang(json_object *body, const char *key, const char *accept_language,
                     const char **out, struct problem *p);
/* Optional lists, written as PostgreSQL array literals: weekdays 1..7
 * ("{1,7}"); dates (malloc'd into *out, replacing what it held: the caller
 * frees). */
int fields_body_weekdays(json_object *body, const char *key, char out[24], struct problem *p);
int fields_body_dates(json_object *body, const char *key, char **out, struct problem *p);
/* Optional tickets {"category": count}: categories (NULL-ended) only,
 * counts 0..max_party, their sum (*party) 1..max_party. Writes them as a
 * JSON object into out (size n), in the categories' order, without zeros. */
int fields_body_tickets(json_object *body, const char *key, const char *const *categories,
                        int max_party, char *out, size_t n, int *party, struct problem *p);

/* Query parameters, each optional (*out NULL when absent).
 * fields_query_known refuses parameters not in names (NULL-ended, or NULL
 * for none; "token" is always allowed) and any given twice.
 * fields_query_id and fields_query_text decode into buf; fields_query_date
 * writes the date there as YYYY-MM-DD. */
int fields_query_known(const struct http_request *req, const char *const *names, struct problem *p);
int fields_query_id(const struct http_request *req, const char *name, char buf[24],
                    const char **out, struct problem *p);
int fields_query_date(const struct http_request *req, const char *name, char buf[11],
                      const char **out, struct problem *p);
int fields_query_text(const struct http_request *req, const char *name, char *buf, size_t n,
                      const char **out, struct problem *p);
int fields_query_status(const struct http_request *req, const char *name, const char **out,
                        struct problem *p);

/* The {id} of a path: a 404 when it is not an id. */
int fields_path_id(const char *id_text, int64_t *out, struct problem *p);

/* The Idempotency-Key header into *key (NULL if absent): a 400 unless it
 * is 1..255 printable ASCII characters. */
int fields_idempotency_key(const struct http_request *req, const char **key, struct problem *p);

/* What an Idempotency-Key is bound to: method, path and the body
 * re-serialised (whitespace does not count). malloc'd (caller frees), or
 * NULL when out of memory. */
char *fields_fingerprint(const struct http_request *req, json_object *body);

#endif
