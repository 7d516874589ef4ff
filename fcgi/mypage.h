/* mypage: the /myPages resource. */
#ifndef MUSEUM_MYPAGE_H
#define MUSEUM_MYPAGE_H

#include "http.h"

/* Answers a request for /myPages (id NULL) or /myPages/{id} (id as written in the path). */
void mypage_route(struct http_request *req, const char *id);

#endif
