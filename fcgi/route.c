#include "route.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "book.h"
#include "caller.h"
#include "confirm.h"
#include "door.h"
#include "museum.h"
#include "mypage.h"
#include "site.h"
#include "status.h"
#include "visitor.h"
#include "waitlist.h"

enum route_access {
    ANYONE, /* the handler checks tokens itself where it needs them */
    STAFF,  /* HTTP Basic as admin (or an admin account), else 401; a door account: 403 */
    DOOR,   /* HTTP Basic as admin or a door account, else 401 */
};

struct route {
    const char *method; /* GET also answers HEAD */
    const char *path;   /* "/books", "/books/{id}", "/museums/{id}/slots" or "/visitors/access" */
    enum route_access access;
    void (*handle)(struct http_request *req, const char *id);
};

/* Every endpoint. nginx passes /museums, /books, /waitlist, /confirms,
 * /myPages, /checkins and /site (and the probes) to the pool:
 * nginx/site.conf.in. */
static const struct route routes[] = {
    {"GET", "/museums", ANYONE, museum_list},
    {"POST", "/museums", STAFF, museum_create},
    {"GET", "/museums/{id}", ANYONE, museum_get},
    {"PATCH", "/museums/{id}", STAFF, museum_patch},
    {"DELETE", "/museums/{id}", STAFF, museum_delete},
    {"GET", "/museums/{id}/slots", ANYONE, museum_slots},
    {"GET", "/museums/{id}/inside", DOOR, door_inside},
    {"POST", "/museums/{id}/waitlist", ANYONE, waitlist_join},
    {"GET", "/museums/{id}/waitlist", STAFF, waitlist_list},
    {"GET", "/waitlist/{id}", ANYONE, waitlist_get},
    {"DELETE", "/waitlist/{id}", ANYONE, waitlist_leave},
    {"POST", "/waitlist/{id}/accept", ANYONE, waitlist_accept},
    {"GET", "/books", DOOR, door_books},
    {"POST", "/books", ANYONE, book_create},
    {"GET", "/books/{id}", ANYONE, book_get},
    {"PATCH", "/books/{id}", ANYONE, book_patch},
    {"PUT", "/books/{id}", ANYONE, book_put},
    {"GET", "/books/{id}/qr.svg", ANYONE, book_qr},
    {"GET", "/books/{id}/visit.ics", ANYONE, book_ics},
    {"POST", "/visitors/access", ANYONE, visitor_access},
    {"GET", "/myBookings", ANYONE, visitor_bookings},
    {"GET", "/confirms", ANYONE, confirm_list},
    {"GET", "/confirms/{id}", ANYONE, confirm_get},
    {"GET", "/myPages", STAFF, mypage_list},
    {"GET", "/myPages/{id}", ANYONE, mypage_get},
    {"POST", "/checkins", DOOR, door_checkin},
    {"GET", "/site", ANYONE, site_show},
    {"GET", "/status", ANYONE, status_show},
    {"GET", "/healthz", ANYONE, status_healthz},
    {"GET", "/readyz", ANYONE, status_readyz},
};
#define ROUTE_COUNT (sizeof(routes) / sizeof(routes[0]))

static long queue_max_ms;

void route_init(long max_ms)
{
    queue_max_ms = max_ms;
}

/* ms req waited between nginx and this worker (0 if nginx did not say).
 * nginx and the pool share a host, so a clock: a wait below 0 or past a
 * minute means they do not, and is not believed. */
static double waited_ms(const struct http_request *req)
{
    struct timespec now;
    double ms;

    if (req->start_s <= 0 || clock_gettime(CLOCK_REALTIME, &now) != 0)
        return 0;
    ms = ((double)now.tv_sec + (double)now.tv_nsec / 1e9 - req->start_s) * 1e3;
    return ms >= 0 && ms < 60000 ? ms : 0;
}

/* Splits a path "/name", "/name/id" or "/name/id/sub" (one trailing slash
 * tolerated) into name, id and sub ("" when absent). Returns 0, or -1 if
 * it has another shape. */
static int split_path(const char *path, char name[16], char id[32], char sub[16])
{
    const char *parts[3] = {NULL, NULL, NULL};
    char *const out[3] = {name, id, sub};
    const size_t size[3] = {16, 32, 16};
    size_t len[3] = {0, 0, 0}, total = strlen(path);
    int n = 0;

    if (total > 0 && path[total - 1] == '/' && total > 1)
        total--;
    if (path[0] != '/')
        return -1;
    for (size_t i = 1; i <= total; n++) {
        size_t l = strcspn(path + i, "/");
        if (n == 3)
            return -1;
        if (i + l > total)
            l = total - i;
        if (l == 0 || l >= size[n])
            return -1;
        parts[n] = path + i;
        len[n] = l;
        i += l + 1;
    }
    if (n == 0)
        return -1;
    for (int k = 0; k < 3; k++) {
        if (parts[k])
            memcpy(out[k], parts[k], len[k]);
        out[k][len[k]] = '\0';
    }
    return 0;
}

/* 1 if pattern ("/books", "/books/{id}", "/museums/{id}/slots", or with a
 * fixed second part, "/visitors/access") fits name, id and sub. */
static int path_fits(const char *pattern, const char *name, const char *id, const char *sub)
{
    size_t len = strlen(name);

    if (pattern[0] != '/' || strncmp(pattern + 1, name, len) != 0)
        return 0;
    pattern += 1 + len;
    if (!id[0])
        return pattern[0] == '\0';
    if (strncmp(pattern, "/{id}", 5) == 0)
        pattern += 5;
    else if (pattern[0] == '/' && strncmp(pattern + 1, id, strlen(id)) == 0)
        pattern += 1 + strlen(id);
    else
        return 0;
    if (!sub[0])
        return pattern[0] == '\0';
    return pattern[0] == '/' && strcmp(pattern + 1, sub) == 0;
}

void route_request(struct http_request *req)
{
    struct problem pb = PROBLEM_INIT;
    const struct route *found = NULL;
    char name[16], id[32], sub[16], allow[64] = "";
    size_t o = 0;

    if (queue_max_ms > 0 && waited_ms(req) > (double)queue_max_ms) {
        /* Its client has waited too long already: shed it, so that the
         * queue drains to requests that can still be answered in time. */
        problem_set(&pb, 503,
                    "the server was too busy to start this request within %ld ms; nothing was "
                    "done: retry in a moment",
                    queue_max_ms);
        goto out;
    }
    if (caller_identify(req, &pb) != 0)
        goto out;
    if (split_path(req->path, name, id, sub) != 0) {
        problem_set(&pb, 404, "there is nothing at this path");
        goto out;
    }
    for (size_t i = 0; i < ROUTE_COUNT && !found; i++) {
        if (!path_fits(routes[i].path, name, id, sub))
            continue;
        if (strcmp(routes[i].method, req->method) == 0)
            found = &routes[i];
        else if (o < sizeof(allow))
            o += (size_t)snprintf(allow + o, sizeof(allow) - o, "%s%s%s", o ? ", " : "",
                                  routes[i].method,
                                  strcmp(routes[i].method, "GET") == 0 ? ", HEAD" : "");
    }
    if (!found && o == 0) {
        problem_set(&pb, 404, "there is nothing at this path");
        goto out;
    }
    if (!found) {
        snprintf(pb.header, sizeof(pb.header), "Allow: %s", allow);
        problem_set(&pb, 405, "%s is not allowed here; use %s", req->method, allow);
        goto out;
    }
    if (found->access == STAFF && caller_require_staff(req, &pb) != 0)
        goto out;
    if (found->access == DOOR && caller_require_door(req, &pb) != 0)
        goto out;
    found->handle(req, id[0] ? id : NULL);
    return;
out:
    http_reply_problem(req, &pb);
}
