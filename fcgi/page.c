#include "page.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

int page_parse(const struct http_request *req, struct page *page, struct problem *p)
{
    char buf[24];
    int64_t after;
    int rc;

    page->limit = VALIDATE_LIMIT_DEFAULT;
    page->after = NULL;
    rc = http_query_get(req->query, "limit", buf, sizeof(buf));
    if (rc < 0 || (rc == 1 && validate_limit(buf, &page->limit) != 0))
        return problem_set(p, 400, "limit must be a whole number from 1 to %d", VALIDATE_LIMIT_MAX);
    rc = http_query_get(req->query, "after", buf, sizeof(buf));
    if (rc < 0 || (rc == 1 && validate_id_text(buf, &after) != 0))
        return problem_set(p, 400, "after must be an id (a positive whole number)");
    if (rc == 1) {
        snprintf(page->after_buf, sizeof(page->after_buf), "%lld", (long long)after);
        page->after = page->after_buf;
    }
    snprintf(page->limit_plus_one, sizeof(page->limit_plus_one), "%d", page->limit + 1);
    return 0;
}

char *page_next_link(const struct http_request *req, const char *last_id)
{
    size_t cap = strlen(req->path) + strlen(req->query) + strlen(last_id) + 48;
    char *out = malloc(cap);
    size_t o;
    const char *q = req->query;

    if (!out)
        return NULL;
    o = (size_t)snprintf(out, cap, "Link: <%s?", req->path);
    while (*q) {
        size_t len = strcspn(q, "&");
        if (len > 0 && strncmp(q, "after=", 6) != 0 && !(len == 5 && !strncmp(q, "after", 5))) {
            memcpy(out + o, q, len);
            o += len;
            out[o++] = '&';
        }
        q += len;
        if (*q == '&')
            q++;
    }
    snprintf(out + o, cap - o, "after=%s>; rel=\"next\"", last_id);
    return out;
}
