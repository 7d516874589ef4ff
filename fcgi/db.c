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
    enum db_access access;
};

#define DB_STMT_DEF(name, sql, nparams, access) [DB_##name] = {#name, sql, nparams, access},
static const struct stmt_def stmts[DB_STMT_COUNT] = {DB_STATEMENTS(DB_STMT_DEF)};
#undef DB_STMT_DEF

/* A connection and what has been prepared on it. */
struct db_link {
    const char *dsn;
    const char *app_name;
    PGconn *conn;
    unsigned char prepared[DB_STMT_COUNT];
};

static char conn_options[256];
static struct db_link primary = {.app_name = "museum-app"};
static struct db_link standby = {.app_name = "museum-app-read"}; /* READ_DATABASE_URL */

/* An idle connection has nothing to read unless the server is going away
 * (a restart sends FATAL and closes). Checked before each statement, so a
 * write is never sent on a connection already dead: its outcome would be
 * unknown. Returns 1 if the connection is unusable. */
static int server_hung_up(PGconn *conn)
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

static void link_close(struct db_link *l)
{
    if (l->conn)
        PQfinish(l->conn);
    l->conn = NULL;
    memset(l->prepared, 0, sizeof(l->prepared));
}

/* Connects l if not connected. Returns 0, or -1 (l->conn stays NULL). */
static int ensure_connected(struct db_link *l)
{
    static const char *const keys[] = {"dbname", "application_name", "options", "connect_timeout",
                                       NULL};
    const char *values[] = {l->dsn, l->app_name, conn_options, "2", NULL};

    if (l->conn && PQstatus(l->conn) == CONNECTION_OK && !server_hung_up(l->conn))
        return 0;
    link_close(l);
    l->conn = PQconnectdbParams(keys, values, 1);
    if (!l->conn || PQstatus(l->conn) != CONNECTION_OK) {
        fprintf(stderr, "event=db_connect_failed connection=%s error=\"%s\"\n", l->app_name,
                l->conn ? daemon_first_line(PQerrorMessage(l->conn)) : "out of memory");
        link_close(l);
        return -1;
    }
    return 0;
}

void db_init(const char *dsn, const char *read_dsn, long statement_timeout_ms, long lock_timeout_ms,
             const char *time_zone)
{
    primary.dsn = dsn;
    standby.dsn = read_dsn;
    snprintf(conn_options, sizeof(conn_options),
             "-c DateStyle=ISO -c TimeZone=%s -c statement_timeout=%ld -c lock_timeout=%ld "
             "-c idle_in_transaction_session_timeout=10000 "
             /* a worker killed mid-statement: its backend gives up too */
             "-c client_connection_check_interval=1000",
             time_zone, statement_timeout_ms, lock_timeout_ms);
    (void)ensure_connected(&primary);
}

void db_close(void)
{
    link_close(&primary);
    link_close(&standby);
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
               strcmp(state, "53300") == 0 || strcmp(state, "25006") == 0) {
        problem_set(p, 503, "the database is busy or unavailable; try again");
    } else if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0) {
        problem_set(p, 422, "%s", msg);
    } else {
        fprintf(stderr, "event=db_error sqlstate=%s error=\"%s\"\n", state, msg);
        problem_set(p, 500, "unexpected database error");
    }
}

static int prepare(struct db_link *l, enum db_stmt stmt)
{
    PGresult *res;
    int ok;

    if (l->prepared[stmt])
        return 0;
    res = PQprepare(l->conn, stmts[stmt].name, stmts[stmt].sql, stmts[stmt].nparams, NULL);
    ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "event=db_prepare_failed stmt=%s error=\"%s\"\n", stmts[stmt].name,
                daemon_first_line(PQerrorMessage(l->conn)));
    PQclear(res);
    l->prepared[stmt] = (unsigned char)ok;
    return ok ? 0 : -1;
}

/* The connection stmt runs on: READ_DATABASE_URL's for a DB_STALE one when
 * set and reachable (else the primary's: a read it may serve late, it
 * serves rather than fail), the primary's otherwise. Connected, or NULL. */
static struct db_link *link_for(enum db_stmt stmt)
{
    if (stmts[stmt].access == DB_STALE && standby.dsn && ensure_connected(&standby) == 0)
        return &standby;
    return ensure_connected(&primary) == 0 ? &primary : NULL;
}

PGresult *db_exec(enum db_stmt stmt, const char *const *params, struct problem *p)
{
    PGresult *res = NULL;
    struct db_link *l;

    for (int attempt = 0; attempt < 2; attempt++) {
        if ((l = link_for(stmt)) == NULL) {
            problem_set(p, 503, "the database is unavailable; try again shortly");
            return NULL;
        }
        if (prepare(l, stmt) != 0) {
            if (PQstatus(l->conn) == CONNECTION_BAD)
                continue;
            problem_set(p, 500, "could not prepare a database statement");
            return NULL;
        }
        res = PQexecPrepared(l->conn, stmts[stmt].name, stmts[stmt].nparams, params, NULL, NULL, 0);
        if (res &&
            (PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK))
            return res;
        if (PQstatus(l->conn) == CONNECTION_BAD) {
            PQclear(res);
            res = NULL;
            if (stmts[stmt].access != DB_WRITE)
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
            link_close(l);
            continue;
        }
        if (res)
            map_error(res, p);
        else
            problem_set(p, 500, "out of memory");
        if (res && PQresultErrorField(res, PG_DIAG_SQLSTATE) &&
            strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), "25006") == 0) {
            /* A write refused by a standby (a failover behind a pooler):
             * nothing was done; the next request connects afresh. */
            PQclear(res);
            link_close(l);
            return NULL;
        }
        PQclear(res);
        if (PQtransactionStatus(l->conn) != PQTRANS_IDLE)
            PQclear(PQexec(l->conn, "ROLLBACK"));
        return NULL;
    }
    problem_set(p, 503, "the database is unavailable; try again shortly");
    return NULL;
}

/* Connects l and prepares on it every statement it may run: 0 or -1. */
static int link_check(struct db_link *l, int stale_only)
{
    if (ensure_connected(l) != 0)
        return -1;
    for (int i = 0; i < DB_STMT_COUNT; i++)
        if ((!stale_only || stmts[i].access == DB_STALE) && prepare(l, (enum db_stmt)i) != 0)
            return -1;
    return 0;
}

int db_check(void)
{
    if (link_check(&primary, 0) != 0)
        return -1;
    if (!standby.dsn)
        return 0;
    if (ensure_connected(&standby) != 0) {
        /* Its reads go to the primary meanwhile: not a reason to refuse. */
        fprintf(stderr, "event=db_check_warning connection=museum-app-read "
                        "detail=\"READ_DATABASE_URL unreachable: its reads go to the primary\"\n");
        return 0;
    }
    return link_check(&standby, 1);
}
