/* mypage: the /myPages resource — the visitor's read model, kept by the
 * listener. */
#ifndef MUSEUM_MYPAGE_H
#define MUSEUM_MYPAGE_H

#include "http.h"

/* Handlers (see the table in route.c); id is the path's {id} as written,
 * NULL for the collection. Each answers the request once. */
void mypage_list(struct http_request *req, const char *id);
void mypage_get(struct http_request *req, const char *id);

#endif
