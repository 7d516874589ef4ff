/* db: the worker's one PostgreSQL connection and its prepared statements.
 * Every statement is a call of a function defined in db/migrations/. */
#ifndef MUSEUM_DB_H
#define MUSEUM_DB_H

#include <stddef.h>
#include <libpq-fe.h>

enum db_stmt {
    DB_MUSEUM_CREATE,   /* name, chk_date, capacity */
    DB_MUSEUM_GET,      /* id */
    DB_MUSEUM_LIST,     /* after, limit */
    DB_MUSEUM_DELETE,   /* id */
    DB_BOOK_CREATE,     /* museum_id, cust_nm, token, idempotency key, request fingerprint */
    DB_BOOK_GET,        /* id, staff, token */
    DB_BOOK_LIST,       /* museum_id, cust_nm, status, after, limit */
    DB_BOOK_SET_STATUS, /* id, status, staff, token, idempotency key, request fingerprint */
    DB_CONFIRM_GET,     /* id, staff, token */
    DB_CONFIRM_LIST,    /* book_id, museum_id, after, limit, staff, token */
    DB_MYPAGE_GET,      /* id, staff, token */
    DB_MYPAGE_LIST,     /* cust_nm, book_id, after, limit, staff, token */
    DB_STATUS,          /* (none): outbox backlog and listeners */
    DB_LAG,             /* (none): seconds the oldest pending event has waited */
    DB_STMT_COUNT
};

/* Why a statement failed: the HTTP status to answer and a detail for it. */
struct db_error {
    int status;
    char detail[256];
};

/* Remembers the connection string (kept, not copied) and tries to connect.
 * A failure here is not fatal: db_exec connects on demand. Timeouts come
 * from DB_STATEMENT_TIMEOUT_MS (default 5000) and DB_LOCK_TIMEOUT_MS (1000). */
void db_init(const char *dsn);

/* Connects and prepares every statement: 0, or -1 with the reason on
 * stderr. For `museum-app --check`. */
int db_check(void);

/* Runs stmt with params (text, NULL = SQL NULL), connecting and preparing
 * as needed. Returns a result with rows (caller PQclears), or NULL with
 * *err filled: 4xx for domain errors raised by the SQL, 503 when the
 * database is unreachable or too slow, 500 otherwise. The connection is
 * left outside any transaction. */
PGresult *db_exec(enum db_stmt stmt, const char *const *params, struct db_error *err);

/* 1 if the connection is up (no round trip). */
int db_connected(void);

void db_close(void);

#endif
