/* libFuzzer harness: a request body through http_parse_json (strict JSON)
 * and, when it parses, through every body-field check of the API. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "http.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const known[] = {"museumId", "custNm", "name", "chkDate", "pcnt",
                                        "capacity", "status", "id",   NULL};
    json_object *body = NULL;
    json_object *errors = NULL;
    char detail[160];
    int64_t id;
    const char *text;
    char date[11];
    int n;

    if (http_parse_json((const char *)data, size, &body, detail, sizeof(detail)) != 0) {
        if (!detail[0] || strlen(detail) >= sizeof(detail))
            abort(); /* a refusal always says why */
        return 0;
    }
    if (!json_object_is_type(body, json_type_object))
        abort();
    (void)api_body_known(body, known, &errors);
    for (const char *const *k = known; *k; k++) {
        (void)api_body_id(body, *k, 0, &id, &errors);
        text = NULL;
        if (api_body_name(body, *k, 0, &text, &errors) == 0 && text &&
            validate_name(text, strlen(text)) != NULL)
            abort(); /* what passes is a valid name */
        (void)api_body_date(body, *k, 1, date, &errors);
        (void)api_body_int(body, *k, 0, 1, VALIDATE_CAPACITY_MAX, &n, &errors);
        (void)api_body_status(body, *k, 0, &text, &errors);
    }
    if (errors) {
        text = json_object_to_json_string_ext(errors, JSON_C_TO_STRING_PLAIN);
        if (validate_utf8(text, strlen(text)) != 0)
            abort(); /* field errors are answered as JSON: valid UTF-8 */
    }
    json_object_put(errors);
    json_object_put(body);
    return 0;
}
