/* book: the /books resource. */
#ifndef MUSEUM_BOOK_H
#define MUSEUM_BOOK_H

#include "http.h"

/* Answers a request for /books (id NULL) or /books/{id} (id as written in the path). */
void book_route(struct http_request *req, const char *id);

#endif
