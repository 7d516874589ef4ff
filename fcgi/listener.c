/* museum-listener: applies the outbox's events (see db/migrations/
 * 003_outbox.sql). LISTENs for wake-ups, drains until the outbox is empty,
 * and polls anyway every LISTENER_POLL_MS, so nothing depends on a NOTIFY
 * arriving. Reconnects with capped exponential backoff.
 *
 * Environment: DATABASE_URL (required), LISTENER_PIDFILE (optional),
 * LISTENER_BATCH (events per transaction, default 500), LISTENER_POLL_MS
 * (default 1000). */
#define _GNU_SOURCE
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ISOLATE_BATCH 50 /* stays under PostgreSQL's 64 cached subtransactions */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static long env_long(const char *name, long fallback, long min, long max)
{
    const char *v = getenv(name);
    char *end;
    long n;

    if (!v || !*v)
        return fallback;
    n = strtol(v, &end, 10);
    if (*end || n < min || n > max) {
        fprintf(stderr, "event=config_error %s=\"%s\" expected=%ld..%ld\n", name, v, min, max);
        exit(2);
    }
    return n;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *first_line(PGconn *conn)
{
    static char buf[256];
    const char *msg = conn ? PQerrorMessage(conn) : "out of memory";

    snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(msg, "\n"), msg);
    return buf;
}

/* Connects and LISTENs. Returns the connection, or NULL (logged). */
static PGconn *listener_connect(const char *dsn)
{
    static const char *const keys[] = {"dbname",          "application_name",    "keepalives",
                                       "keepalives_idle", "keepalives_interval", "keepalives_count",
                                       NULL};
    static const char *const values[] = {NULL, "museum-listener", "1", "10", "5", "3", NULL};
    const char *vals[7];
    PGconn *conn;
    PGresult *res;

    memcpy(vals, values, sizeof(vals));
    vals[0] = dsn;
    conn = PQconnectdbParams(keys, vals, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "event=connect_failed error=\"%s\"\n", first_line(conn));
        PQfinish(conn);
        return NULL;
    }
    res = PQexec(conn, "LISTEN museum_outbox");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "event=listen_failed error=\"%s\"\n", first_line(conn));
        PQclear(res);
        PQfinish(conn);
        return NULL;
    }
    PQclear(res);
    fprintf(stderr, "event=connected\n");
    return conn;
}

/* Runs one outbox.process() call. Returns events claimed, or -1 if the
 * call failed (the batch rolled back; *conn_lost tells why). */
static long process_batch(PGconn *conn, long limit, int isolate, int *conn_lost)
{
    char limit_text[24];
    const char *params[2] = {limit_text, isolate ? "true" : "false"};
    PGresult *res;
    long n = -1;

    snprintf(limit_text, sizeof(limit_text), "%ld", limit);
    res = PQexecParams(conn, "SELECT outbox.process($1::integer, $2::boolean)", 2, NULL, params,
                       NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    } else {
        *conn_lost = PQstatus(conn) == CONNECTION_BAD;
        fprintf(stderr, "event=batch_failed isolate=%d error=\"%s\"\n", isolate,
                first_line(conn));
    }
    PQclear(res);
    return n;
}

/* Applies events until none is ready. Returns 0, or -1 if the connection
 * was lost. */
static int drain(PGconn *conn, long batch)
{
    for (;;) {
        int conn_lost = 0;
        double start = now_ms();
        int isolate = 0;
        long n = process_batch(conn, batch, 0, &conn_lost);

        if (n < 0 && !conn_lost) {
            /* Some event failed: redo in small batches, one subtransaction
             * per event, so the failing one is retried later or parked. */
            isolate = 1;
            n = process_batch(conn, ISOLATE_BATCH, 1, &conn_lost);
        }
        if (n < 0)
            return conn_lost ? -1 : 0;
        if (n > 0)
            fprintf(stderr, "event=batch events=%ld isolate=%d ms=%.2f\n", n, isolate,
                    now_ms() - start);
        if (n == 0 || stopping)
            return 0;
    }
}

static int write_pidfile(const char *path)
{
    FILE *f;

    if (!path || !*path)
        return 0;
    f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "event=pidfile_failed path=%s error=\"%s\"\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "%ld\n", (long)getpid());
    return fclose(f);
}

int main(void)
{
    const char *dsn = getenv("DATABASE_URL");
    const char *pidfile = getenv("LISTENER_PIDFILE");
    long batch = env_long("LISTENER_BATCH", 500, 1, 100000);
    long poll_ms = env_long("LISTENER_POLL_MS", 1000, 10, 60000);
    long backoff_ms = BACKOFF_MIN_MS;
    PGconn *conn = NULL;
    struct sigaction sa;

    if (!dsn || !*dsn) {
        fprintf(stderr, "museum-listener: DATABASE_URL must be set\n");
        return 2;
    }
    if (write_pidfile(pidfile) != 0)
        return 1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    srand((unsigned)getpid());

    while (!stopping) {
        struct pollfd pfd;
        PGnotify *note;
        int ready;

        if (!conn) {
            conn = listener_connect(dsn);
            if (!conn) {
                long wait_ms = backoff_ms / 2 + rand() % (backoff_ms / 2 + 1);
                struct timespec ts = {wait_ms / 1000, (wait_ms % 1000) * 1000000L};
                nanosleep(&ts, NULL);
                backoff_ms = backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff_ms * 2;
                continue;
            }
            backoff_ms = BACKOFF_MIN_MS;
        }
        /* Drain first: catches up on whatever happened while we were away
         * (LISTEN is already active, so nothing slips between). */
        if (drain(conn, batch) != 0)
            goto reconnect;
        pfd.fd = PQsocket(conn);
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (pfd.fd < 0)
            goto reconnect;
        ready = poll(&pfd, 1, (int)poll_ms);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "event=poll_failed error=\"%s\"\n", strerror(errno));
            goto reconnect;
        }
        if (ready > 0) {
            if (!PQconsumeInput(conn)) {
                fprintf(stderr, "event=connection_lost error=\"%s\"\n", first_line(conn));
                goto reconnect;
            }
            while ((note = PQnotifies(conn)) != NULL)
                PQfreemem(note);
        }
        continue;
    reconnect:
        PQfinish(conn);
        conn = NULL;
    }
    PQfinish(conn);
    if (pidfile && *pidfile)
        unlink(pidfile);
    fprintf(stderr, "event=listener_stopped\n");
    return 0;
}
