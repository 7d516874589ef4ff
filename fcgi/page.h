/* page: paging of the lists — ?limit= and ?after= in, a Link header to the
 * next page out. */
#ifndef MUSEUM_PAGE_H
#define MUSEUM_PAGE_H

#include "http.h"
#include "problem.h"

struct page {
    int limit;         /* rows shown: 1..1000, 100 by default */
    const char *after; /* the last id already seen, as text; NULL if none */
    char after_buf[24];
    char limit_plus_one[16]; /* what to ask the database for: one more tells "more remain" */
};

/* Reads limit and after from the query. Returns 0, or -1 with a 400 in p. */
int page_parse(const struct http_request *req, struct page *page, struct problem *p);

/* The header "Link: <path?query&after=last_id>; rel=\"next\"" for req's
 * query without its after. malloc'd (caller frees), or NULL. */
char *page_next_link(const struct http_request *req, const char *last_id);

#endif
