/* page: paging of the lists — the list's known query parameters, ?limit=
 * and ?after= in, a Link header to the next page out. */
#ifndef MUSEUM_PAGE_H
#define MUSEUM_PAGE_H

#include "http.h"
#include "problem.h"

struct page {
    const char *const *known; /* the list's query parameters (NULL-ended) */
    int limit;                /* rows shown: 1..1000, 100 by default */
    const char *after;        /* the last id already seen, as text; NULL if none */
    char after_buf[24];
    char limit_plus_one[16]; /* what to ask the database for: one more tells "more remain" */
};

/* Checks req's query against known (NULL-ended; limit, after and token are
 * always allowed: see fields_query_known) and reads limit and after.
 * Returns 0, or -1 with a 400 in p. page keeps known, which must outlive
 * it. */
int page_parse(const struct http_request *req, const char *const *known, struct page *page,
               struct problem *p);

/* The header "Link: <path?params&after=last_id>; rel=\"next\"", its
 * params the page's known parameters as decoded and encoded again (so
 * nothing a client sent but those reaches the header; no token).
 * malloc'd (caller frees), or NULL. */
char *page_next_link(const struct http_request *req, const struct page *page, const char *last_id);

#endif
