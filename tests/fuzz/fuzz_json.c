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
    static const char *const known[] = {
        "museumId",       "custNm",      "name",        "chkDate", "pcnt",  "capacity",
        "status",         "id",          "slot",        "tickets", "opens", "closedDates",
        "closedWeekdays", "description", "forceCancel", "email",   "lang",  NULL};
    static const char *const categories[] = {"adult", "youth", "child", "senior", NULL};
    json_object *body = NULL;
    struct problem pb = PROBLEM_INIT;
    char detail[160];
    int64_t id;
    const char *text;
    char date[11], slot[32], time[6], weekdays[24], tickets[352], email[FIELDS_EMAIL_SIZE];
    char *dates = NULL;
    int n, party;

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
        (void)fields_body_slot(body, *k, 0, slot, &pb);
        (void)fields_body_time(body, *k, 0, time, &pb);
        (void)fields_body_bool(body, *k, 0, &n, &pb);
        (void)fields_body_weekdays(body, *k, weekdays, &pb);
        (void)fields_body_dates(body, *k, &dates, &pb);
        text = NULL;
        if (fields_body_text(body, *k, 0, VALIDATE_DESCRIPTION_MAX, &text, &pb) == 0 && text &&
            text[0] && validate_text(text, strlen(text), VALIDATE_DESCRIPTION_MAX, 1) != NULL)
            abort(); /* what passes is valid text */
        email[0] = '\0';
        if (fields_body_email(body, *k, 0, email, &pb) == 0 && email[0] &&
            (validate_email(email, strlen(email)) != NULL || email[0] == ' ' ||
             email[strlen(email) - 1] == ' '))
            abort(); /* what passes is a valid email, trimmed */
        text = NULL;
        if (fields_body_lang(body, *k, NULL, &text, &pb) == 0 && text && strcmp(text, "en") != 0 &&
            strcmp(text, "ko") != 0)
            abort(); /* what passes is en or ko */
        party = 0;
        if (fields_body_tickets(body, *k, categories, 10, tickets, sizeof(tickets), &party, &pb) ==
                0 &&
            json_object_object_get_ex(body, *k, NULL) && (party < 1 || party > 10))
            abort(); /* what passes counts a party of 1 to 10 */
    }
    free(dates);
    if (pb.errors) {
        text = json_object_to_json_string_ext(pb.errors, JSON_C_TO_STRING_PLAIN);
        if (validate_utf8(text, strlen(text)) != 0 || pb.status != 422)
            abort(); /* field errors are answered as JSON (valid UTF-8) with a 422 */
    }
    problem_clear(&pb);
    json_object_put(body);
    return 0;
}
