/* libFuzzer harness: the request-line and header values a client controls,
 * through the query-string parser, the validators and the credential and
 * token checks. Input: fields separated by newlines (query, a name, a
 * date, an Authorization value, a token, an Idempotency-Key). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "http.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *field(char **p)
{
    char *start = *p;
    char *nl = strchr(start, '\n');

    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = start + strlen(start);
    }
    return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"museumId", "custNm", "status", "limit",
                                        "after",    "bookId", "token",  NULL};
    char *copy = malloc(size + 1);
    char *p = copy;
    const char *query, *name, *date, *authz, *token, *key, *bad;
    char buf[VALIDATE_NAME_MAX * 4 + 1];
    char small[8];
    char out[11];
    unsigned char raw[64];
    int64_t id;
    int limit;

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    query = field(&p);
    name = field(&p);
    date = field(&p);
    authz = field(&p);
    token = field(&p);
    key = field(&p);

    {
        int repeated;
        char encoded[3 * sizeof(buf)];
        bad = NULL;
        if (http_query_only(query, names, &bad, &repeated) == 0 && !bad)
            abort(); /* a refusal names what it refuses */
        if (strlen(name) < sizeof(buf) && http_query_encode(name, encoded, sizeof(encoded)) != 0)
            abort(); /* three bytes out for one in always fit */
        if (strlen(name) < sizeof(buf) && strcspn(encoded, "&=?# ") != strlen(encoded))
            abort(); /* nothing that would split a query survives */
    }
    for (const char *const *n = names; *n; n++) {
        int rc = http_query_get(query, *n, buf, sizeof(buf));
        if (rc == 1) {
            if (strlen(buf) >= sizeof(buf))
                abort();
            (void)validate_id_text(buf, &id);
            (void)validate_limit(buf, &limit);
            (void)validate_name(buf, strlen(buf));
        }
        (void)http_query_get(query, *n, small, sizeof(small));
    }
    if (validate_id_text(name, &id) == 0 && (id < 1 || id > VALIDATE_ID_MAX))
        abort();
    if (validate_limit(name, &limit) == 0 && (limit < 1 || limit > VALIDATE_LIMIT_MAX))
        abort();
    if (validate_name(name, strlen(name)) == NULL && validate_utf8(name, strlen(name)) != 0)
        abort(); /* an accepted name is valid UTF-8 */
    if (validate_date(date, out) == 0 && (strlen(out) != 10 || validate_date(out, out) != 0))
        abort(); /* an accepted date normalises to a date that is accepted again */
    (void)auth_check_basic(authz, "s3cret");
    (void)auth_check_basic(authz, NULL);
    (void)auth_base64_decode(authz, strlen(authz), raw, sizeof(raw));
    (void)auth_equal(token, strlen(token), "s3cret", 6);
    if (auth_token_valid(token) && strlen(token) != AUTH_TOKEN_LEN)
        abort();
    if (validate_idempotency_key(key) == 0 && strlen(key) > VALIDATE_IDEMPOTENCY_KEY_MAX)
        abort();
    free(copy);
    return 0;
}
