#include "page.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "validate.h"

/* The list parameters every list has, besides its own filters. */
static int is_paging(const char *name)
{
    return strcmp(name, "limit") == 0 || strcmp(name, "after") == 0;
}

int page_parse(const struct http_request *req, const char *const *known, struct page *page,
               struct problem *p)
{
    const char *names[16];
    char buf[24];
    size_t n = 0;
    int rc;

    for (; known[n] && n + 3 < sizeof(names) / sizeof(names[0]); n++)
        names[n] = known[n];
    names[n++] = "limit";
    names[n++] = "after";
    names[n] = NULL;
    if (fields_query_known(req, names, p) != 0)
        return -1;
    page->known = known;
    page->limit = VALIDATE_LIMIT_DEFAULT;
    page->after = NULL;
    rc = http_query_get(req->query, "limit", buf, sizeof(buf));
    if (rc < 0 || (rc == 1 && validate_limit(buf, &page->limit) != 0))
        return problem_set(p, 400, "limit must be a whole number from 1 to %d", VALIDATE_LIMIT_MAX);
    if (fields_query_id(req, "after", page->after_buf, &page->after, p) != 0)
        return -1;
    snprintf(page->limit_plus_one, sizeof(page->limit_plus_one), "%d", page->limit + 1);
    return 0;
}

char *page_next_link(const struct http_request *req, const struct page *page, const char *last_id)
{
    size_t cap = strlen(req->path) + 3 * strlen(req->query) + strlen(last_id) + 48;
    char *out = malloc(cap);
    char value[1024], encoded[3 * sizeof(value)];
    size_t o;

    if (!out)
        return NULL;
    o = (size_t)snprintf(out, cap, "Link: <%s?", req->path);
    for (const char *const *name = page->known; *name; name++) {
        if (is_paging(*name) || http_query_get(req->query, *name, value, sizeof(value)) != 1 ||
            http_query_encode(value, encoded, sizeof(encoded)) != 0)
            continue;
        o += (size_t)snprintf(out + o, cap - o, "%s=%s&", *name, encoded);
    }
    if (page->limit != VALIDATE_LIMIT_DEFAULT)
        o += (size_t)snprintf(out + o, cap - o, "limit=%d&", page->limit);
    snprintf(out + o, cap - o, "after=%s>; rel=\"next\"", last_id);
    return out;
}
