#include "db.h"
#include "daemon.h"
#include "validate.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stmt_def {
    const char *name;
    const char *sql;
    int nparams;
    int retry_safe; /* reads: may be re-run after a lost connection */
};

#define DB_STMT_DEF(name, sql, nparams, retry_safe) [DB_##name] = {#name, sql, nparams, retry_safe},
static const struct stmt_def stmts[DB_STMT_COUNT] = {DB_STATEMENTS(DB_STMT_DEF)};
#undef DB_STMT_DEF

static const char *conn_dsn;
static char conn_options[256];
static PGconn *conn;
static unsigned char prepared[DB_STMT_COUNT];

/* An idle connection has nothing to read unless the server is going away
 * (a restart sends FATAL and closes). Checked before each statement, so a
 * write is never sent on a connection already dead: its outcome would be
 * unknown. Returns 1 if the connection is unusable. */
static int server_hung_up(void)
{
    struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};

    if (pfd.fd < 0)
        return 1;
    /* A FATAL message and the close may arrive in separate reads. */
    for (int reads = 0; reads < 8 && poll(&pfd, 1, 0) > 0; reads++) {
        if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK)
            return 1;
        for (PGnotify *n; (n = PQnotifies(conn)) != NULL;)
            PQfreemem(n);
    }
    return 0;
}

/* Connects if not connected. Returns 0, or -1 (conn stays NULL). */
static int ensure_connected(void)
{
    static const char *const keys[] = {"dbname", "application_name", "options", "connect_timeout",
                                       NULL};
    const char *values[] = {conn_dsn, "museum-app", conn_options, "2", NULL};

    if (conn && PQstatus(conn) == CONNECTION_OK && !server_hung_up())
        return 0;
    db_close();
    conn = PQconnectdbParams(keys, values, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "event=db_connect_failed error=\"%s\"\n",
                conn ? daemon_first_line(PQerrorMessage(conn)) : "out of memory");
        db_close();
        return -1;
    }
    return 0;
}

void db_init(const char *dsn, long statement_timeout_ms, long lock_timeout_ms,
             const char *time_zone)
{
    conn_dsn = dsn;
    snprintf(conn_options, sizeof(conn_options),
             "-c DateStyle=ISO -c TimeZone=%s -c statement_timeout=%ld -c lock_timeout=%ld "
             "-c idle_in_transaction_session_timeout=10000 "
             /* a worker killed mid-statement: its backend gives up too */
             "-c client_connection_check_interval=1000",
             time_zone, statement_timeout_ms, lock_timeout_ms);
    (void)ensure_connected();
}

void db_close(void)
{
    if (conn)
        PQfinish(conn);
    conn = NULL;
    memset(prepared, 0, sizeof(prepared));
}

/* Maps a failed result to an HTTP status and detail. */
static void map_error(const PGresult *res, struct problem *p)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *column = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
    char field[64];

    if (!state)
        state = "";
    if (!msg)
        msg = "database error";
    if (state[0] == 'S' && state[1] == 'K' && column && strcmp(state, "SK422") == 0) {
        validate_camel_case(column, field, sizeof(field)); /* a field's rule, in SQL */
        problem_field(p, field, msg);
    } else if (state[0] == 'S' && state[1] == 'K') {
        problem_set(p, atoi(state + 2), "%s", msg); /* raised by our SQL: SKnnn = HTTP nnn */
    } else if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0 ||
               strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
               strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
               strcmp(state, "53300") == 0) {
        problem_set(p, 503, "the database is busy or unavailable; try again");
    } else if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0) {
        problem_set(p, 422, "%s", msg);
    } else {
        fprintf(stderr, "event=db_error sqlstate=%s error=\"%s\"\n", state, msg);
        problem_set(p, 500, "unexpected database error");
    }
}

static int prepare(enum db_stmt stmt)
{
    PGresult *res;
    int ok;

    if (prepared[stmt])
        return 0;
    res = PQprepare(conn, stmts[stmt].name, stmts[stmt].sql, stmts[stmt].nparams, NULL);
    ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "event=db_prepare_failed stmt=%s error=\"%s\"\n", stmts[stmt].name,
                daemon_first_line(PQerrorMessage(conn)));
    PQclear(res);
    prepared[stmt] = (unsigned char)ok;
    return ok ? 0 : -1;
}

PGresult *db_exec(enum db_stmt stmt, const char *const *params, struct problem *p)
{
    PGresult *res = NULL;

    for (int attempt = 0; attempt < 2; attempt++) {
        if (ensure_connected() != 0) {
            problem_set(p, 503, "the database is unavailable; try again shortly");
            return NULL;
        }
        if (prepare(stmt) != 0) {
            if (PQstatus(conn) == CONNECTION_BAD)
                continue;
            problem_set(p, 500, "could not prepare a database statement");
            return NULL;
        }
        res = PQexecPrepared(conn, stmts[stmt].name, stmts[stmt].nparams, params, NULL, NULL, 0);
        if (res &&
            (PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK))
            return res;
        if (PQstatus(conn) == CONNECTION_BAD) {
            PQclear(res);
            res = NULL;
            if (stmts[stmt].retry_safe)
                continue;
            problem_set(p, 503,
                        "the database connection was lost; the outcome is unknown: "
                        "retry with the same Idempotency-Key, or check first");
            return NULL;
        }
        if (res && attempt == 0 && PQresultErrorField(res, PG_DIAG_SQLSTATE) &&
            strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), "0A000") == 0) {
            /* "cached plan must not change result type": a migration
             * changed the function. The statement did not run: prepare
             * everything afresh and try once more. */
            PQclear(res);
            res = NULL;
            db_close();
            continue;
        }
        if (res)
            map_error(res, p);
        else
            problem_set(p, 500, "out of memory");
        PQclear(res);
        if (PQtransactionStatus(conn) != PQTRANS_IDLE)
            PQclear(PQexec(conn, "ROLLBACK"));
        return NULL;
    }
    problem_set(p, 503, "the database is unavailable; try again shortly");
    return NULL;
}

int db_check(void)
{
    if (ensure_connected() != 0)
        return -1;
    for (int i = 0; i < DB_STMT_COUNT; i++)
        if (prepare((enum db_stmt)i) != 0)
            return -1;
    return 0;
}
