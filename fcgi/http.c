#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#include "auth.h"
#include "validate.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define JSON_MAX_DEPTH 16

static const char *param(FCGX_Request *fcgx, const char *name, const char *fallback)
{
    const char *v = FCGX_GetParam(name, fcgx->envp);
    return v ? v : fallback;
}

void http_request_init(struct http_request *req, FCGX_Request *fcgx)
{
    memset(req, 0, sizeof(*req));
    req->fcgx = fcgx;
    req->method = param(fcgx, "REQUEST_METHOD", "GET");
    req->path = param(fcgx, "DOCUMENT_URI", "/");
    req->query = param(fcgx, "QUERY_STRING", "");
    req->content_type = param(fcgx, "CONTENT_TYPE", NULL);
    req->request_id = param(fcgx, "REQUEST_ID", "-");
    req->start_s = strtod(param(fcgx, "REQUEST_START", "0"), NULL);
    req->authorization = param(fcgx, "HTTP_AUTHORIZATION", NULL);
    req->token_header = param(fcgx, "HTTP_X_BOOKING_TOKEN", NULL);
    req->idempotency_key = param(fcgx, "HTTP_IDEMPOTENCY_KEY", NULL);
    req->if_none_match = param(fcgx, "HTTP_IF_NONE_MATCH", NULL);
    req->access_header = param(fcgx, "HTTP_X_ACCESS_TOKEN", NULL);
    req->accept_language = param(fcgx, "HTTP_ACCEPT_LANGUAGE", NULL);
    req->head = strcmp(req->method, "HEAD") == 0;
    if (req->head)
        req->method = "GET";
}

/* Standard reason phrase for status ("Unknown" if not known). */
static const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}

static void put(struct http_request *req, const char *s)
{
    FCGX_PutStr(s, (int)strlen(s), req->fcgx->out);
}

static void reply(struct http_request *req, int status, const char *type, const char *body,
                  const char *etag, const char *header1, const char *header2)
{
    char line[128];

    req->status = status;
    snprintf(line, sizeof(line), "Status: %d %s\r\n", status, http_reason(status));
    put(req, line);
    if (body) {
        put(req, "Content-Type: ");
        put(req, type);
        put(req, "\r\n");
    }
    if (status == 503)
        put(req, "Retry-After: 1\r\n");
    put(req, "Cache-Control: no-store\r\n");
    if (etag) {
        put(req, "ETag: ");
        put(req, etag);
        put(req, "\r\n");
    }
    if (header1) {
        put(req, header1);
        put(req, "\r\n");
    }
    if (header2) {
        put(req, header2);
        put(req, "\r\n");
    }
    put(req, "\r\n");
    if (body && !req->head)
        put(req, body);
}

void http_etag(const char *body, size_t len, char out[HTTP_ETAG_SIZE])
{
    /* xxHash's XXH3, 64 bits: tells one answer from the next, which is all
     * a conditional GET needs (no secret, no adversary: a client only ever
     * compares the tags of answers it was given). A 24 kB list hashes in
     * about 2 us; the byte-at-a-time FNV-1a before took 30 us. */
    snprintf(out, HTTP_ETAG_SIZE, "\"%016llx\"", (unsigned long long)XXH3_64bits(body, len));
}

int http_etag_matches(const char *header, const char *etag)
{
    const char *tag = etag;
    size_t tag_len;

    if (!header || !etag)
        return 0;
    if (strncmp(tag, "W/", 2) == 0)
        tag += 2;
    tag_len = strlen(tag);
    for (const char *s = header; *s;) {
        size_t n;
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        if (*s == '*')
            return 1;
        if (strncmp(s, "W/", 2) == 0)
            s += 2;
        if (*s != '"')
            return 0; /* not a list of entity tags */
        n = strcspn(s + 1, "\"");
        if (s[1 + n] != '"')
            return 0;
        if (n + 2 == tag_len && strncmp(s, tag, tag_len) == 0)
            return 1;
        s += n + 2;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s && *s != ',')
            return 0;
    }
    return 0;
}

void http_reply_json(struct http_request *req, int status, json_object *body, const char *header1,
                     const char *header2)
{
    const char *text = body ? json_object_to_json_string_ext(body, JSON_FLAGS) : NULL;

    http_reply_json_text(req, status, text, text ? strlen(text) : 0, header1, header2);
}

void http_reply_json_text(struct http_request *req, int status, const char *text, size_t len,
                          const char *header1, const char *header2)
{
    char etag[HTTP_ETAG_SIZE];

    if (status != 200 || !text || strcmp(req->method, "GET") != 0) {
        reply(req, status, "application/json", text, NULL, header1, header2);
        return;
    }
    http_etag(text, len, etag);
    if (http_etag_matches(req->if_none_match, etag))
        reply(req, 304, NULL, NULL, etag, header1, header2);
    else
        reply(req, 200, "application/json", text, etag, header1, header2);
}

void http_reply_body(struct http_request *req, int status, const char *type, const char *body,
                     size_t len, const char *cache_control, const char *header)
{
    char line[128];

    req->status = status;
    snprintf(line, sizeof(line), "Status: %d %s\r\nContent-Type: %s\r\n", status,
             http_reason(status), type);
    put(req, line);
    put(req, "Cache-Control: ");
    put(req, cache_control);
    put(req, "\r\n");
    if (header) {
        put(req, header);
        put(req, "\r\n");
    }
    put(req, "\r\n");
    if (!req->head)
        FCGX_PutStr(body, (int)len, req->fcgx->out);
}

void http_reply_typed(struct http_request *req, int status, const char *type, json_object *body)
{
    reply(req, status, type, json_object_to_json_string_ext(body, JSON_FLAGS), NULL, NULL, NULL);
}

void http_reply_problem(struct http_request *req, struct problem *p)
{
    json_object *body = json_object_new_object();

    json_object_object_add(body, "type", json_object_new_string("about:blank"));
    json_object_object_add(body, "title", json_object_new_string(http_reason(p->status)));
    json_object_object_add(body, "status", json_object_new_int(p->status));
    json_object_object_add(body, "detail", json_object_new_string(p->detail));
    if (p->errors)
        json_object_object_add(body, "errors", json_object_get(p->errors));
    reply(req, p->status, "application/problem+json",
          json_object_to_json_string_ext(body, JSON_FLAGS), NULL, p->header[0] ? p->header : NULL,
          NULL);
    json_object_put(body);
    problem_clear(p);
}

static int hex(int c);

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 1 if s[0..n) is an RFC 8259 number. */
static int json_number_ok(const char *s, size_t n)
{
    size_t i = 0;

    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && is_digit(s[i]))
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        if (++i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i == n;
}

/* The code unit of the 4 hex digits at s (n bytes left), or -1. */
static long hex4(const char *s, size_t n)
{
    long v = 0;

    if (n < 4)
        return -1;
    for (int k = 0; k < 4; k++) {
        int h = hex((unsigned char)s[k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* What json-c 0.16's strict mode still lets through: 'single quotes',
 * NaN/Infinity, numbers like 1. or -.5, raw control characters in
 * strings, lone surrogate escapes, \u0000 in member names. Returns NULL if
 * none, else why. Counts the top-level object's members in *members (the
 * caller compares with what json-c kept, to find duplicate names). */
static const char *json_supplement(const char *s, size_t n, size_t *members)
{
    int depth = 0;

    *members = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"') {
            int nul = 0;
            size_t j;
            for (i++; i < n && s[i] != '"'; i++) {
                long cp;
                if ((unsigned char)s[i] < 0x20)
                    return "a string contains a raw control character (escape it)";
                if (s[i] != '\\')
                    continue;
                if (++i >= n)
                    break;
                if (s[i] != 'u')
                    continue;
                cp = hex4(s + i + 1, n - i - 1);
                if (cp < 0)
                    return "a \\u escape is not 4 hex digits";
                i += 4;
                nul |= cp == 0;
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return "a string contains a lone UTF-16 surrogate";
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    long lo = i + 2 < n && s[i + 1] == '\\' && s[i + 2] == 'u'
                                  ? hex4(s + i + 3, n - i - 3)
                                  : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return "a string contains a lone UTF-16 surrogate";
                    i += 6;
                }
            }
            if (i >= n)
                return "unexpected end";
            for (j = i + 1; j < n && strchr(" \t\r\n", s[j]) && s[j]; j++)
                ;
            if (nul && j < n && s[j] == ':')
                return "a member name contains \\u0000";
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ':') {
            if (depth == 1)
                (*members)++;
        } else if (c == '-' || is_digit(c)) {
            size_t j = i;
            while (j < n && s[j] && strchr("0123456789+-.eE", s[j]))
                j++;
            if (!json_number_ok(s + i, j - i))
                return "malformed number";
            i = j - 1;
        } else if (!c || !strchr(" \t\r\n,truefalsn", c)) {
            return "unexpected character";
        }
    }
    return NULL;
}

int http_parse_json(const char *body, size_t len, json_object **out, char *detail, size_t n)
{
    json_tokener *tok = NULL;
    json_object *obj = NULL;
    enum json_tokener_error err;
    const char *why;
    size_t members;
    int rc = -1;

    *out = NULL;
    if (memchr(body, '\0', len)) {
        snprintf(detail, n, "the body contains a NUL byte");
        goto out;
    }
    if (validate_utf8(body, len) != 0) {
        snprintf(detail, n, "the body is not valid UTF-8");
        goto out;
    }
    if (len > INT32_MAX || !(tok = json_tokener_new_ex(JSON_MAX_DEPTH))) {
        snprintf(detail, n, "the body cannot be parsed");
        goto out;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    obj = json_tokener_parse_ex(tok, body, (int)len);
    err = json_tokener_get_error(tok);
    if (!obj || err != json_tokener_success) {
        if (err == json_tokener_error_depth)
            snprintf(detail, n, "the body is nested more than %d levels deep", JSON_MAX_DEPTH);
        else
            snprintf(detail, n, "the body is not valid JSON: %s",
                     err == json_tokener_continue || err == json_tokener_success
                         ? "unexpected end"
                         : json_tokener_error_desc(err));
        goto out;
    }
    for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
        if (!strchr(" \t\r\n", body[i])) {
            snprintf(detail, n, "the body has data after its JSON value");
            goto out;
        }
    }
    if ((why = json_supplement(body, len, &members)) != NULL) {
        snprintf(detail, n, "the body is not valid JSON: %s", why);
        goto out;
    }
    if (!json_object_is_type(obj, json_type_object)) {
        snprintf(detail, n, "the body must be a JSON object");
        goto out;
    }
    if (members != (size_t)json_object_object_length(obj)) {
        snprintf(detail, n, "the body names a member more than once");
        goto out;
    }
    *out = obj;
    obj = NULL;
    rc = 0;
out:
    json_object_put(obj);
    if (tok)
        json_tokener_free(tok);
    return rc;
}

/* 1 if the media type is application/json or application/<x>+json. */
static int is_json_type(const char *ct)
{
    size_t n = strcspn(ct, ";");

    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return 1;
    return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + n - 5, "+json", 5) == 0;
}

int http_read_json(struct http_request *req, json_object **out, struct problem *p)
{
    const char *len_text = FCGX_GetParam("CONTENT_LENGTH", req->fcgx->envp);
    char *body = NULL;
    char *end;
    long len;
    int rc = -1;
    char detail[160];

    *out = NULL;
    if (!req->content_type || !is_json_type(req->content_type)) {
        problem_set(p, 415, "the body must be JSON (Content-Type: application/json)");
        goto out;
    }
    if (!len_text || !*len_text) {
        problem_set(p, 411, "a JSON body with a Content-Length is required");
        goto out;
    }
    len = strtol(len_text, &end, 10);
    if (*end || len < 0) {
        problem_set(p, 400, "Content-Length is not a number");
        goto out;
    }
    if (len > HTTP_MAX_BODY) {
        problem_set(p, 413, "the body is larger than 16 KiB");
        goto out;
    }
    body = malloc((size_t)len + 1);
    if (!body) {
        problem_set(p, 500, "out of memory");
        goto out;
    }
    if (FCGX_GetStr(body, (int)len, req->fcgx->in) != len) {
        problem_set(p, 400, "the body is shorter than its Content-Length");
        goto out;
    }
    body[len] = '\0';
    if (http_parse_json(body, (size_t)len, out, detail, sizeof(detail)) != 0) {
        problem_set(p, 400, "%s", detail);
        goto out;
    }
    rc = 0;
out:
    free(body);
    return rc;
}

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into buf (size cap). Returns -1 on a bad escape, an
 * encoded NUL, or overflow. */
static int decode(const char *s, size_t n, char *buf, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int h, l;
            if (i + 2 >= n)
                return -1;
            h = hex((unsigned char)s[i + 1]);
            l = hex((unsigned char)s[i + 2]);
            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return -1;
            c = h * 16 + l;
            i += 2;
        }
        if (o + 1 >= cap)
            return -1;
        buf[o++] = (char)c;
    }
    buf[o] = '\0';
    return 0;
}

int http_query_get(const char *query, const char *name, char *buf, size_t n)
{
    size_t name_len = strlen(name);
    const char *p = query;

    while (p && *p) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t key_len = eq ? (size_t)(eq - p) : len;
        if (key_len == name_len && strncmp(p, name, name_len) == 0) {
            const char *v = eq ? eq + 1 : p + len;
            return decode(v, (size_t)(p + len - v), buf, n) == 0 ? 1 : -1;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return 0;
}

int http_query_only(const char *query, const char *const *names, const char **bad, int *repeated)
{
    const char *p = query;

    while (p && *p) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t key_len = eq ? (size_t)(eq - p) : len;
        int known = key_len == 0;
        for (const char *const *n = names; *n && !known; n++)
            known = strlen(*n) == key_len && strncmp(*n, p, key_len) == 0;
        *repeated = 0;
        for (const char *q = p + len; known && key_len > 0 && *q;) {
            size_t qlen;
            q++; /* past '&' */
            qlen = strcspn(q, "&=");
            *repeated |= qlen == key_len && strncmp(q, p, key_len) == 0;
            q += strcspn(q, "&");
        }
        if (!known || *repeated) {
            *bad = p;
            return 0;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return 1;
}

int http_query_encode(const char *s, char *out, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t o = 0;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c)) {
            if (o + 1 >= n)
                return -1;
            out[o++] = (char)c;
        } else {
            if (o + 3 >= n)
                return -1;
            out[o++] = '%';
            out[o++] = digits[c >> 4];
            out[o++] = digits[c & 0xF];
        }
    }
    if (o >= n)
        return -1;
    out[o] = '\0';
    return 0;
}
