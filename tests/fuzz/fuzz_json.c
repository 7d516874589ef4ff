/* libFuzzer harness: a request body through http_parse_json (strict JSON)
 * and, when it parses, through every body-field check of the API. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "http.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const known[] = {"museumId", "custNm", "name", "chkDate", "pcnt",
                                        "capacity", "status", "id",   NULL};
    json_object *body = NULL;
    struct problem pb = PROBLEM_INIT;
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
    (void)fields_body_known(body, known, &pb);
    for (const char *const *k = known; *k; k++) {
        (void)fields_body_id(body, *k, 0, &id, &pb);
        text = NULL;
        if (fields_body_name(body, *k, 0, &text, &pb) == 0 && text &&
            validate_name(text, strlen(text)) != NULL)
            abort(); /* what passes is a valid name */
        (void)fields_body_date(body, *k, 1, date, &pb);
        (void)fields_body_int(body, *k, 0, 1, VALIDATE_CAPACITY_MAX, &n, &pb);
        (void)fields_body_status(body, *k, 0, &text, &pb);
    }
    if (pb.errors) {
        text = json_object_to_json_string_ext(pb.errors, JSON_C_TO_STRING_PLAIN);
        if (validate_utf8(text, strlen(text)) != 0 || pb.status != 422)
            abort(); /* field errors are answered as JSON (valid UTF-8) with a 422 */
    }
    problem_clear(&pb);
    json_object_put(body);
    return 0;
}
