/* bench-hello: the smallest honest FastCGI service, the reference for the
 * read benchmarks. Same shape as museum-app (a master holding the socket,
 * HELLO_WORKERS forked workers, each answering one request at a time with
 * FCGX_Accept_r) but with no database, no JSON library and no log line:
 * every request gets a fixed exhibition-sized JSON body.
 *
 * With HELLO_DSN set, each worker also runs the handler's prepared
 * statement (`SELECT * FROM museum.get($1::bigint)`, the id taken from the
 * path) and discards the rows: "hello + one prepared SELECT", the floor for
 * any FastCGI worker that asks PostgreSQL once per request.
 *
 * Environment: HELLO_SOCKET (unix socket path, required), HELLO_WORKERS
 * (default 4), HELLO_PIDFILE (optional), HELLO_DSN (optional). */
#define _GNU_SOURCE
#include <fcgiapp.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char reply[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: no-store\r\n"
    "\r\n"
    "{\"id\":1,\"name\":\"bench 1\",\"chkDate\":\"2030-01-01\",\"capacity\":1000000,"
    "\"pcnt\":1000000}";

static void worker(int fd, const char *dsn)
{
    FCGX_Request req;
    PGconn *conn = NULL;

    prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGTERM, SIG_DFL);
    if (dsn) {
        PGresult *res;

        conn = PQconnectdb(dsn);
        res = PQprepare(conn, "museum_get", "SELECT * FROM museum.get($1::bigint)", 1, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            fprintf(stderr, "bench-hello: %s", PQerrorMessage(conn));
            _exit(1);
        }
        PQclear(res);
    }
    FCGX_InitRequest(&req, fd, 0);
    while (FCGX_Accept_r(&req) >= 0) {
        if (conn) {
            const char *uri = FCGX_GetParam("DOCUMENT_URI", req.envp);
            const char *slash = uri ? strrchr(uri, '/') : NULL;
            const char *id = slash ? slash + 1 : "1";
            PQclear(PQexecPrepared(conn, "museum_get", 1, &id, NULL, NULL, 0));
        }
        FCGX_PutStr(reply, (int)sizeof(reply) - 1, req.out);
        FCGX_Finish_r(&req);
    }
    _exit(0);
}

int main(void)
{
    const char *path = getenv("HELLO_SOCKET");
    const char *pidfile = getenv("HELLO_PIDFILE");
    const char *w = getenv("HELLO_WORKERS");
    const char *dsn = getenv("HELLO_DSN");
    int n = w && *w ? atoi(w) : 4;
    int fd;

    if (!path || path[0] != '/' || n < 1 || n > 256) {
        fprintf(stderr, "bench-hello: set HELLO_SOCKET=/path (and HELLO_WORKERS 1..256)\n");
        return 2;
    }
    if (FCGX_Init() != 0)
        return 1;
    /* libfcgi catches SIGTERM and SIGUSR1 (to finish the current request);
     * the stub has none worth finishing: let SIGTERM end it. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    unlink(path);
    fd = FCGX_OpenSocket(path, 1024);
    if (fd < 0) {
        perror("bench-hello: listen");
        return 1;
    }
    chmod(path, 0666);
    if (pidfile && *pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (f) {
            fprintf(f, "%ld\n", (long)getpid());
            fclose(f);
        }
    }
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < n; i++)
        if (fork() == 0)
            worker(fd, dsn && *dsn ? dsn : NULL);
    /* Until SIGTERM (default action): the workers die with us. */
    for (;;)
        pause();
}
