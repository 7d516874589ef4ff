#include "fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

/* Gets key from body. Returns 1 present (non-null), 0 absent and optional,
 * -1 absent and required (recorded in p). */
static int member(json_object *body, const char *key, int required, json_object **val,
                  struct problem *p)
{
    if (json_object_object_get_ex(body, key, val) && *val)
        return 1;
    if (required)
        return problem_field(p, key, "is required");
    return 0;
}

int fields_body_known(json_object *body, const char *const *names, struct problem *p)
{
    int rc = 0;

    json_object_object_foreach(body, key, val)
    {
        const char *const *n = names;
        (void)val;
        while (*n && strcmp(*n, key) != 0)
            n++;
        if (!*n)
            rc = problem_field(p, key, "is not a known field");
    }
    return rc;
}

int fields_body_id(json_object *body, const char *key, int required, int64_t *out,
                   struct problem *p)
{
    json_object *v;
    int rc = member(body, key, required, &v, p);

    if (rc <= 0)
        return rc;
    /* A string of decimal digits too ("1"): what the original system's
     * Jackson accepted, and httpie's key=value sends. */
    if (json_object_is_type(v, json_type_string) &&
        validate_id_text(json_object_get_string(v), out) == 0)
        return 0;
    if (!json_object_is_type(v, json_type_int) || validate_id_value(json_object_get_int64(v)) != 0)
        return problem_field(p, key, "must be an id (a positive whole number)");
    *out = json_object_get_int64(v);
    return 0;
}

/* A string member of at most max_chars characters (validate_text: one
 * line unless multiline), "" too when allow_empty. */
static int text_member(json_object *body, const char *key, int required, size_t max_chars,
                       int multiline, int allow_empty, const char **out, struct problem *p)
{
    json_object *v;
    const char *why;
    int rc = member(body, key, required, &v, p);

    if (rc <= 0)
        return rc;
    if (!json_object_is_type(v, json_type_string))
        return problem_field(p, key, "must be a string");
    if (allow_empty && json_object_get_string_len(v) == 0) {
        *out = "";
        return 0;
    }
    why = validate_text(json_object_get_string(v), (size_t)json_object_get_string_len(v), max_chars,
                        multiline);
    if (why)
        return problem_field(p, key, why);
    if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
        return problem_field(p, key, "must not contain NUL characters");
    *out = json_object_get_string(v);
    return 0;
}

int fields_body_name(json_object *body, const char *key, int required, const char **out,
                     struct problem *p)
{
    return text_member(body, key, required, VALIDATE_NAME_MAX, 0, 0, out, p);
}

int fields_body_text(json_object *body, const char *key, int required, size_t max_chars,
                     const char **out, struct problem *p)
{
    return text_member(body, key, required, max_chars, 1, 1, out, p);
}

int fields_body_email(json_object *body, const char *key, int required, char out[FIELDS_EMAIL_SIZE],
                      struct problem *p)
{
    json_object *v;
    const char *s, *why;
    size_t len;
    int rc = member(body, key, required, &v, p);

    if (rc <= 0)
        return rc;
    if (!json_object_is_type(v, json_type_string))
        return problem_field(p, key, "must be a string");
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    if (strlen(s) != len)
        return problem_field(p, key, "must not contain NUL characters");
    while (len > 0 && strchr(" \t\r\n", *s))
        s++, len--;
    while (len > 0 && strchr(" \t\r\n", s[len - 1]))
        len--;
    if ((why = validate_email(s, len)) != NULL)
        return problem_field(p, key, why);
    if (len >= FIELDS_EMAIL_SIZE) /* cannot be: 254 characters fit */
        return problem_field(p, key, "must be at most 254 characters");
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

int fields_body_lang(json_object *body, const char *key, const char *accept_language,
                     const char **out, struct problem *p)
{
    json_object *v;
    const char *s;
    int rc = member(body, key, 0, &v, p);

    if (rc == 0)
        *out = validate_accept_lang(accept_language);
    if (rc <= 0)
        return rc;
    s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
    if (strcmp(s, "en") == 0)
        *out = "en";
    else if (strcmp(s, "ko") == 0)
        *out = "ko";
    else
        return problem_field(p, key, "must be \"en\" or \"ko\"");
    return 0;
}

/* A string member that check (a validate_* parser writing out) accepts;
 * else the field error what. */
static int parsed_string(json_object *body, const char *key, int required,
                         int (*check)(const char *, char *), char *out, const char *what,
                         struct problem *p)
{
    json_object *v;
    int rc = member(body, key, required, &v, p);

    if (rc <= 0)
        return rc;
    if (!json_object_is_type(v, json_type_string) || check(json_object_get_string(v), out) != 0)
        return problem_field(p, key, what);
    return 0;
}

int fields_body_date(json_object *body, const char *key, int required, char out[11],
                     struct problem *p)
{
    return parsed_string(body, key, required, validate_date, out,
                         "must be a real date as YYYY-MM-DD or YYYYMMDD", p);
}

int fields_body_int(json_object *body, const char *key, int required, int min, int max, int *out,
                    struct problem *p)
{
    json_object *v;
    int64_t n;
    char msg[96];
    int rc = member(body, key, required, &v, p);

    if (rc <= 0)
        return rc;
    n = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || n < min || n > max) {
        snprintf(msg, sizeof(msg), "must be a whole number from %d to %d", min, max);
        return problem_field(p, key, msg);
    }
    *out = (int)n;
    return 0;
}

int fields_body_time(json_object *body, const char *key, int required, char out[6],
                     struct problem *p)
{
    return parsed_string(body, key, required, validate_time, out,
                         "must be a time of day as HH:MM (00:00 to 23:59)", p);
}

int fields_body_slot(json_object *body, const char *key, int required, char out[32],
                     struct problem *p)
{
    return parsed_string(body, key, required, validate_slot, out,
                         "must be a slot's start as answered (2031-05-03T10:00:00+09:00) or "
                         "YYYY-MM-DDTHH:MM in the museum's time",
                         p);
}

int fields_body_bool(json_object *body, const char *key, int required, int *out, struct problem *p)
{
    json_object *v;
    int rc = member(body, key, required, &v, p);

    if (rc <= 0)
        return rc;
    if (!json_object_is_type(v, json_type_boolean))
        return problem_field(p, key, "must be true or false");
    *out = json_object_get_boolean(v);
    return 0;
}

int fields_body_weekdays(json_object *body, const char *key, char out[24], struct problem *p)
{
    json_object *v;
    size_t n, o = 0;
    int rc = member(body, key, 0, &v, p);

    if (rc <= 0)
        return rc;
    if (!json_object_is_type(v, json_type_array) || (n = json_object_array_length(v)) > 7)
        return problem_field(p, key, "must be a list of ISO weekdays, 1 (Monday) to 7 (Sunday)");
    out[o++] = '{';
    for (size_t i = 0; i < n; i++) {
        json_object *d = json_object_array_get_idx(v, i);
        int64_t w = json_object_get_int64(d);

        if (!json_object_is_type(d, json_type_int) || w < 1 || w > 7)
            return problem_field(p, key,
                                 "must be a list of ISO weekdays, 1 (Monday) to 7 (Sunday)");
        o += (size_t)snprintf(out + o, 24 - o, "%s%d", i ? "," : "", (int)w);
    }
    out[o++] = '}';
    out[o] = '\0';
    return 0;
}

int fields_body_dates(json_object *body, const char *key, char **out, struct problem *p)
{
    json_object *v;
    size_t n, o = 0;
    char *text;
    int rc = member(body, key, 0, &v, p);

    if (rc <= 0)
        return rc;
    if (!json_object_is_type(v, json_type_array) ||
        (n = json_object_array_length(v)) > VALIDATE_DATES_MAX)
        return problem_field(p, key, "must be a list of at most 400 dates (YYYY-MM-DD)");
    if (!(text = malloc(n * 11 + 3))) {
        problem_set(p, 500, "out of memory");
        return -1;
    }
    text[o++] = '{';
    for (size_t i = 0; i < n; i++) {
        json_object *d = json_object_array_get_idx(v, i);

        if (i)
            text[o++] = ',';
        if (!json_object_is_type(d, json_type_string) ||
            validate_date(json_object_get_string(d), text + o) != 0) {
            free(text);
            return problem_field(p, key, "must be a list of real dates (YYYY-MM-DD)");
        }
        o += 10;
    }
    text[o++] = '}';
    text[o] = '\0';
    free(*out);
    *out = text;
    return 0;
}

int fields_body_tickets(json_object *body, const char *key, const char *const *categories,
                        int max_party, char *out, size_t n, int *party, struct problem *p)
{
    json_object *v;
    char msg[192];
    size_t o = 0;
    int sum = 0, rc = member(body, key, 0, &v, p);

    if (rc <= 0)
        return rc;
    if (!json_object_is_type(v, json_type_object))
        return problem_field(p, key, "must be an object of counts by category, as {\"adult\": 2}");
    json_object_object_foreach(v, name, count)
    {
        const char *const *c = categories;
        int64_t k = json_object_get_int64(count);

        while (*c && strcmp(*c, name) != 0)
            c++;
        if (!*c) {
            snprintf(msg, sizeof(msg), "has an unknown category \"%.40s\"", name);
            return problem_field(p, key, msg);
        }
        if (!json_object_is_type(count, json_type_int) || k < 0 || k > max_party) {
            snprintf(msg, sizeof(msg), "must count each category with a whole number from 0 to %d",
                     max_party);
            return problem_field(p, key, msg);
        }
        sum += (int)k;
    }
    if (sum < 1 || sum > max_party) {
        snprintf(msg, sizeof(msg), "must count from 1 to %d visitors in all (not %d)", max_party,
                 sum);
        return problem_field(p, key, msg);
    }
    /* In the categories' order, the ones counted only: one form per party. */
    o += (size_t)snprintf(out + o, n - o, "{");
    for (const char *const *c = categories; *c; c++) {
        json_object *k;
        if (json_object_object_get_ex(v, *c, &k) && json_object_get_int64(k) > 0)
            o += (size_t)snprintf(out + o, n > o ? n - o : 0, "%s\"%s\":%lld", o > 1 ? "," : "", *c,
                                  (long long)json_object_get_int64(k));
    }
    if (o + 2 > n)
        return problem_set(p, 500, "tickets too long");
    snprintf(out + o, n - o, "}");
    *party = sum;
    return 0;
}

/* "A, B, C or D": the booking statuses, for messages (built once). */
static const char *status_names(void)
{
    static const char *const statuses[] = {VALIDATE_BOOK_STATUSES};
    static char text[128];
    size_t n = sizeof(statuses) / sizeof(statuses[0]), o = 0;

    if (text[0])
        return text;
    for (size_t i = 0; i < n && o < sizeof(text); i++)
        o += (size_t)snprintf(text + o, sizeof(text) - o, "%s%s",
                              i == 0      ? ""
                              : i + 1 < n ? ", "
                                          : " or ",
                              statuses[i]);
    return text;
}

int fields_body_status(json_object *body, const char *key, int required, const char **out,
                       struct problem *p)
{
    json_object *v;
    const char *status;
    char msg[160];
    int rc = member(body, key, required, &v, p);

    if (rc <= 0)
        return rc;
    status = json_object_is_type(v, json_type_string)
                 ? validate_book_status(json_object_get_string(v))
                 : NULL;
    if (status) {
        *out = status;
        return 0;
    }
    snprintf(msg, sizeof(msg), "must be one of %s", status_names());
    return problem_field(p, key, msg);
}

int fields_query_known(const struct http_request *req, const char *const *names, struct problem *p)
{
    const char *with_token[16];
    const char *bad;
    size_t n = 0, len;
    int repeated;

    while (names && names[n] && n + 2 < sizeof(with_token) / sizeof(with_token[0])) {
        with_token[n] = names[n];
        n++;
    }
    with_token[n++] = "token"; /* any request may carry a booking token */
    with_token[n] = NULL;
    if (http_query_only(req->query, with_token, &bad, &repeated))
        return 0;
    len = strcspn(bad, "=&");
    return problem_set(p, 400,
                       repeated ? "query parameter \"%.*s\" is given more than once"
                                : "unknown query parameter \"%.*s\"",
                       (int)(len > 40 ? 40 : len), bad);
}
int fields_query_id(const struct http_request *req, const char *name, char buf[24],
                    const char **out, struct problem *p)
{
    int64_t id;
    int rc = http_query_get(req->query, name, buf, 24);

    *out = NULL;
    if (rc == 0)
        return 0;
    if (rc == 1 && validate_id_text(buf, &id) == 0) {
        *out = buf;
        return 0;
    }
    return problem_set(p, 400, "%s must be an id (a positive whole number)", name);
}

int fields_query_date(const struct http_request *req, const char *name, char buf[11],
                      const char **out, struct problem *p)
{
    char text[16];
    int rc = http_query_get(req->query, name, text, sizeof(text));

    *out = NULL;
    if (rc == 0)
        return 0;
    if (rc == 1 && validate_date(text, buf) == 0) {
        *out = buf;
        return 0;
    }
    return problem_set(p, 400, "%s must be a date (YYYY-MM-DD)", name);
}

int fields_query_text(const struct http_request *req, const char *name, char *buf, size_t n,
                      const char **out, struct problem *p)
{
    int rc = http_query_get(req->query, name, buf, n);
    const char *why = "is too long";

    *out = NULL;
    if (rc == 0)
        return 0;
    if (rc == 1 && (why = validate_name(buf, strlen(buf))) == NULL) {
        *out = buf;
        return 0;
    }
    return problem_set(p, 400, "%s %s", name, why);
}

int fields_query_status(const struct http_request *req, const char *name, const char **out,
                        struct problem *p)
{
    char buf[24];
    int rc = http_query_get(req->query, name, buf, sizeof(buf));

    *out = NULL;
    if (rc == 0)
        return 0;
    if (rc == 1 && (*out = validate_book_status(buf)) != NULL)
        return 0;
    return problem_set(p, 400, "%s must be %s", name, status_names());
}

int fields_path_id(const char *id_text, int64_t *out, struct problem *p)
{
    if (validate_id_text(id_text, out) == 0)
        return 0;
    return problem_set(p, 404, "there is nothing at this path: ids are positive whole numbers");
}

int fields_idempotency_key(const struct http_request *req, const char **key, struct problem *p)
{
    *key = req->idempotency_key;
    if (!*key || validate_idempotency_key(*key) == 0)
        return 0;
    return problem_set(p, 400,
                       "Idempotency-Key must be 1 to 255 printable ASCII characters; "
                       "a random UUID is a good choice");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* v with the members of every object in it in name order (a new
 * reference: the caller puts it), or NULL when out of memory. Bodies are at
 * most 16 levels deep (http_read_json), so the recursion is bounded. */
static json_object *sorted_copy(json_object *v)
{
    json_object *copy;
    const char **names;
    size_t n, i = 0;

    if (json_object_is_type(v, json_type_array)) {
        n = json_object_array_length(v);
        if (!(copy = json_object_new_array_ext((int)n)))
            return NULL;
        for (i = 0; i < n; i++)
            json_object_array_add(copy, sorted_copy(json_object_array_get_idx(v, i)));
        return copy;
    }
    if (!json_object_is_type(v, json_type_object))
        return json_object_get(v);
    n = (size_t)json_object_object_length(v);
    names = malloc((n ? n : 1) * sizeof(*names));
    copy = json_object_new_object();
    if (!names || !copy) {
        free(names);
        json_object_put(copy);
        return NULL;
    }
    json_object_object_foreach(v, name, value)
    {
        (void)value;
        names[i++] = name;
    }
    qsort(names, n, sizeof(*names), by_name);
    for (i = 0; i < n; i++)
        json_object_object_add(copy, names[i], sorted_copy(json_object_object_get(v, names[i])));
    free(names);
    return copy;
}

char *fields_fingerprint(const struct http_request *req, json_object *body)
{
    /* Members in name order, at every level: an equal body with its members
     * in another order is the same request. */
    json_object *sorted = sorted_copy(body);
    const char *text;
    char *out = NULL;
    size_t cap;

    if (!sorted)
        return NULL;
    text = json_object_to_json_string_ext(sorted, JSON_C_TO_STRING_PLAIN);
    cap = strlen(req->method) + strlen(req->path) + strlen(text) + 3;
    if ((out = malloc(cap)) != NULL)
        snprintf(out, cap, "%s %s\n%s", req->method, req->path, text);
    json_object_put(sorted);
    return out;
}
