/* db: the worker's one PostgreSQL connection and its prepared statements.
 * Every statement is a call of a function defined in db/functions/. */
#ifndef MUSEUM_DB_H
#define MUSEUM_DB_H

#include <stddef.h>
#include <libpq-fe.h>

#include "problem.h"

/* How a statement may be run: DB_WRITE on the primary, answering 503
 * "outcome unknown" when the connection is lost under it; DB_READ on the
 * primary, run again on a fresh connection when the first one is lost;
 * DB_STALE as DB_READ, but on READ_DATABASE_URL's server (a standby, whose
 * answer may lag the primary's by its replay lag) when that is set and
 * reachable. */
enum db_access { DB_WRITE, DB_READ, DB_STALE };

/* Every statement the app runs: one line each, X(name, SQL, number of
 * parameters, access). */
#define DB_STATEMENTS(X)                                                                           \
    X(MUSEUM_CREATE,                                                                               \
      "SELECT * FROM museum.create($1::text, $2::date, $3::date, $4::time, $5::time, "             \
      "$6::integer, $7::integer, $8::smallint[], $9::date[], $10::text)",                          \
      10, DB_WRITE)                                                                                \
    X(MUSEUM_GET, "SELECT * FROM museum.get($1::bigint)", 1, DB_READ)                              \
    X(MUSEUM_LIST, "SELECT * FROM museum.list($1::bigint, $2::integer)", 2, DB_READ)               \
    X(MUSEUM_LIST_FROM, "SELECT * FROM museum.list_from($1::date, $2::bigint, $3::integer)", 3,    \
      DB_READ)                                                                                     \
    X(MUSEUM_OCCUPANCY, "SELECT * FROM museum.occupancy($1::date, $2::bigint, $3::integer)", 3,    \
      DB_READ)                                                                                     \
    X(MUSEUM_SLOTS, "SELECT * FROM museum.slots($1::bigint, $2::date, $3::date)", 3, DB_READ)      \
    X(MUSEUM_PATCH,                                                                                \
      "SELECT * FROM museum.patch($1::bigint, $2::text, $3::text, $4::integer, $5::date, "         \
      "$6::date[], $7::boolean)",                                                                  \
      7, DB_WRITE)                                                                                 \
    X(MUSEUM_DELETE, "SELECT museum.delete($1::bigint)", 1, DB_WRITE)                              \
    X(BOOK_CREATE,                                                                                 \
      "SELECT * FROM book.create($1::bigint, $2::text, $3::text, $4::text, $5::text, "             \
      "$6::timestamptz, $7::jsonb, $8::integer, $9::text, $10::text, $11::text)",                  \
      11, DB_WRITE)                                                                                \
    X(BOOK_GET, "SELECT * FROM book.get($1::bigint, $2::boolean, $3::text)", 3, DB_READ)           \
    X(BOOK_LIST,                                                                                   \
      "SELECT * FROM book.list($1::bigint, $2::text, $3::text, $4::date, $5::bigint, "             \
      "$6::integer)",                                                                              \
      6, DB_READ)                                                                                  \
    X(BOOK_CHANGE,                                                                                 \
      "SELECT * FROM book.change($1::bigint, $2::text, $3::timestamptz, $4::jsonb, $5::integer, "  \
      "$6::boolean, $7::text, $8::text, $9::text, $10::text, $11::text)",                          \
      11, DB_WRITE)                                                                                \
    X(BOOK_TICKET, "SELECT * FROM book.ticket($1::bigint, $2::boolean, $3::text)", 3, DB_READ)     \
    X(VISITOR_ACCESS,                                                                              \
      "SELECT * FROM visitor.request_access($1::text, $2::text, $3::text, $4::text)", 4, DB_WRITE) \
    X(VISITOR_BOOKINGS, "SELECT * FROM visitor.bookings($1::text, $2::integer)", 2, DB_READ)       \
    X(CONFIRM_GET, "SELECT * FROM confirm.get($1::bigint, $2::boolean, $3::text)", 3, DB_READ)     \
    X(CONFIRM_LIST,                                                                                \
      "SELECT * FROM confirm.list($1::bigint, $2::bigint, $3::bigint, $4::integer, $5::boolean, "  \
      "$6::text)",                                                                                 \
      6, DB_STALE)                                                                                 \
    X(MYPAGE_GET, "SELECT * FROM mypage.get($1::bigint, $2::boolean, $3::text)", 3, DB_READ)       \
    X(MYPAGE_LIST,                                                                                 \
      "SELECT * FROM mypage.list($1::text, $2::bigint, $3::bigint, $4::integer, $5::boolean, "     \
      "$6::text)",                                                                                 \
      6, DB_STALE)                                                                                 \
    X(STAFF_ACCOUNT, "SELECT * FROM staff.account_of($1::text)", 1, DB_READ)                       \
    X(DOOR_CHECKIN,                                                                                \
      "SELECT * FROM door.checkin($1::text, $2::text, $3::text, $4::text, $5::text, $6::integer, " \
      "$7::integer)",                                                                              \
      7, DB_WRITE)                                                                                 \
    X(DOOR_INSIDE, "SELECT * FROM door.inside($1::bigint)", 1, DB_READ)                            \
    X(DOOR_IS_TODAY, "SELECT door.is_today($1::date)", 1, DB_READ)                                 \
    X(WAITLIST_JOIN,                                                                               \
      "SELECT * FROM waitlist.join($1::bigint, $2::timestamptz, $3::text, $4::text, $5::text, "    \
      "$6::jsonb, $7::integer, $8::text, $9::text, $10::text, $11::text)",                         \
      11, DB_WRITE)                                                                                \
    X(WAITLIST_GET, "SELECT * FROM waitlist.get($1::bigint, $2::boolean, $3::text)", 3, DB_READ)   \
    X(WAITLIST_LIST, "SELECT * FROM waitlist.list($1::bigint, $2::date)", 2, DB_READ)              \
    X(WAITLIST_ACCEPT, "SELECT * FROM waitlist.accept($1::bigint, $2::text, $3::text, $4::text)",  \
      4, DB_WRITE)                                                                                 \
    X(WAITLIST_LEAVE, "SELECT waitlist.leave($1::bigint, $2::text)", 2, DB_WRITE)                  \
    X(STATUS, "SELECT * FROM outbox.status()", 0, DB_READ)                                         \
    X(LAG, "SELECT outbox.lag_seconds()", 0, DB_READ)

#define DB_STMT_ENUM(name, sql, nparams, access) DB_##name,
enum db_stmt { DB_STATEMENTS(DB_STMT_ENUM) DB_STMT_COUNT };
#undef DB_STMT_ENUM

/* Remembers the connection strings (kept, not copied: the primary's, and
 * read_dsn for DB_STALE statements or NULL for none), the statement and
 * lock timeouts (ms, 0 = none) and the museum's time zone (the session's:
 * "today" in the SQL is the museum's), and tries to connect. A failure
 * here is not fatal: db_exec connects on demand. */
void db_init(const char *dsn, const char *read_dsn, long statement_timeout_ms, long lock_timeout_ms,
             const char *time_zone);

/* Connects and prepares every statement: 0, or -1 with the reason on
 * stderr. For `museum-app --check`. */
int db_check(void);

/* Runs stmt with params (text, NULL = SQL NULL), connecting and preparing
 * as needed. Returns a result with rows (caller PQclears), or NULL with p
 * set: 4xx for domain errors raised by the SQL (SKnnn; an SK422 naming a
 * column is that field's error), 503 when the
 * database is unreachable or too slow, 500 otherwise. The connection is
 * left outside any transaction. */
PGresult *db_exec(enum db_stmt stmt, const char *const *params, struct problem *p);

void db_close(void);

#endif
