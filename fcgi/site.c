#include "site.h"

#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "fields.h"
#include "validate.h"

static char categories_text[256];
static const char *categories[SITE_CATEGORIES_MAX + 1];
static int max_party;
static char opens[6], closes[6];
static json_object *answer; /* what GET /site answers, built once */

static int config_error(const char *setting, const char *value, const char *expected)
{
    fprintf(stderr, "event=config_error setting=%s value=\"%s\" expected=\"%s\"\n", setting, value,
            expected);
    return -1;
}

/* Splits TICKET_CATEGORIES ("adult,youth,child,senior") into categories:
 * 1..SITE_CATEGORIES_MAX names of 1..20 lowercase letters, no repeats. */
static int load_categories(const char *value)
{
    static const char expected[] = "1 to 10 distinct names of 1 to 20 letters a-z, comma-separated";
    size_t n = 0;
    char *name = categories_text, *comma;

    if (strlen(value) >= sizeof(categories_text))
        return config_error("TICKET_CATEGORIES", value, expected);
    strcpy(categories_text, value);
    for (int more = 1; more; name = comma + 1) {
        size_t len;

        if ((comma = strchr(name, ',')) != NULL)
            *comma = '\0';
        else
            more = 0, comma = name + strlen(name);
        len = strlen(name);
        if (n == SITE_CATEGORIES_MAX || len < 1 || len > 20 ||
            strspn(name, "abcdefghijklmnopqrstuvwxyz") != len)
            return config_error("TICKET_CATEGORIES", value, expected);
        for (size_t i = 0; i < n; i++)
            if (strcmp(categories[i], name) == 0)
                return config_error("TICKET_CATEGORIES", value, expected);
        categories[n++] = name;
    }
    categories[n] = NULL;
    return 0;
}

/* The closed weekdays ("1" or "1,7", may be empty) as a JSON array, or NULL
 * if malformed. */
static json_object *weekdays(const char *value)
{
    json_object *arr = json_object_new_array();

    for (const char *s = value; arr && *s;) {
        if (*s < '1' || *s > '7' || (s[1] != ',' && s[1] != '\0') || (s[1] == ',' && !s[2])) {
            json_object_put(arr);
            return NULL;
        }
        json_object_array_add(arr, json_object_new_int(*s - '0'));
        s += s[1] ? 2 : 1;
    }
    return arr;
}

int site_load(void)
{
    static const struct {
        const char *key, *setting, *fallback;
    } texts[] = {
        {"name", "MUSEUM_NAME", "SK Museum"},
        {"nameKo", "MUSEUM_NAME_KO", "SK 박물관"},
        {"logo", "MUSEUM_LOGO", "/logo.svg"},
        {"address", "MUSEUM_ADDRESS", ""},
        {"addressKo", "MUSEUM_ADDRESS_KO", ""},
        {"phone", "MUSEUM_PHONE", ""},
        {"email", "MUSEUM_EMAIL", ""},
        {"accessibility", "MUSEUM_ACCESSIBILITY", ""},
        {"accessibilityKo", "MUSEUM_ACCESSIBILITY_KO", ""},
    };
    const char *cats = daemon_env_text("TICKET_CATEGORIES", "adult,youth,child,senior");
    const char *o = daemon_env_text("MUSEUM_OPENS", "09:00");
    const char *c = daemon_env_text("MUSEUM_CLOSES", "18:00");
    const char *closed = daemon_env_text("MUSEUM_CLOSED_WEEKDAYS", "");
    json_object *arr, *days;

    max_party = (int)daemon_env_long("MAX_PARTY", 10, 1, VALIDATE_PARTY_MAX);
    if (load_categories(cats) != 0)
        return -1;
    if (validate_time(o, opens) != 0)
        return config_error("MUSEUM_OPENS", o, "a time of day as HH:MM");
    if (validate_time(c, closes) != 0 || strcmp(closes, opens) <= 0)
        return config_error("MUSEUM_CLOSES", c, "a time of day as HH:MM, after MUSEUM_OPENS");
    if (!(days = weekdays(closed)))
        return config_error("MUSEUM_CLOSED_WEEKDAYS", closed,
                            "ISO weekdays 1 (Monday) to 7 (Sunday), comma-separated");
    answer = json_object_new_object();
    arr = json_object_new_array();
    if (!answer || !arr)
        return config_error("MUSEUM_NAME", "", "memory to build GET /site");
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *v = daemon_env_text(texts[i].setting, texts[i].fallback);
        if (validate_utf8(v, strlen(v)) != 0)
            return config_error(texts[i].setting, "", "UTF-8 text");
        json_object_object_add(answer, texts[i].key, json_object_new_string(v));
    }
    json_object_object_add(answer, "opens", json_object_new_string(opens));
    json_object_object_add(answer, "closes", json_object_new_string(closes));
    json_object_object_add(answer, "closedWeekdays", days);
    json_object_object_add(answer, "timeZone",
                           json_object_new_string(daemon_env_text("MUSEUM_TZ", "Asia/Seoul")));
    for (size_t i = 0; categories[i]; i++)
        json_object_array_add(arr, json_object_new_string(categories[i]));
    json_object_object_add(answer, "categories", arr);
    json_object_object_add(answer, "maxParty", json_object_new_int(max_party));
    return 0;
}

const char *const *site_categories(void)
{
    return categories;
}

int site_max_party(void)
{
    return max_party;
}

const char *site_opens(void)
{
    return opens;
}

const char *site_closes(void)
{
    return closes;
}

/* The text setting key of GET /site's answer, its Korean form keyKo for
 * lang "ko" when that is set. */
static const char *text_in(const char *key, const char *key_ko, const char *lang)
{
    json_object *v;

    if (lang && strcmp(lang, "ko") == 0 && json_object_object_get_ex(answer, key_ko, &v) &&
        json_object_get_string_len(v) > 0)
        return json_object_get_string(v);
    return json_object_object_get_ex(answer, key, &v) ? json_object_get_string(v) : "";
}

const char *site_name(const char *lang)
{
    return text_in("name", "nameKo", lang);
}

const char *site_address(const char *lang)
{
    return text_in("address", "addressKo", lang);
}

void site_show(struct http_request *req, const char *id)
{
    struct problem pb = PROBLEM_INIT;

    (void)id;
    if (fields_query_known(req, NULL, &pb) != 0) {
        http_reply_problem(req, &pb);
        return;
    }
    http_reply_json(req, 200, answer, NULL, NULL);
}
