/* museum-listener: applies the outbox's events (outbox.process in
 * db/functions/outbox.sql). LISTENs for wake-ups, drains until
 * the outbox is empty, and polls anyway every LISTENER_POLL_MS, so nothing
 * depends on a NOTIFY arriving. Any number may run at once: they share the
 * work through FOR UPDATE SKIP LOCKED. Reconnects with capped exponential
 * backoff; records a heartbeat in outbox.listener; prunes old done events.
 *
 * Started as root, it switches to LISTENER_USER at once (after writing its pid
 * file), before it connects.
 *
 * Environment: LISTENER_DATABASE_URL (required: the museum_listener role's
 * URL; DATABASE_URL, the schema owner's, is never read), LISTENER_USER,
 * LISTENER_NAME (default "listener"),
 * LISTENER_PIDFILE, LISTENER_BATCH (events per transaction, default 500),
 * LISTENER_POLL_MS (1000), LISTENER_HEARTBEAT_MS (2000),
 * LISTENER_MAX_ATTEMPTS (10), LISTENER_BACKOFF_MS (100),
 * LISTENER_RETENTION (interval, "7 days"), LISTENER_PRUNE_MS (60000),
 * WAITLIST_OFFER_TTL (seconds a waiting list offer holds its seats, 43200).
 *
 * After each drain of events it sends the emails that are due (mail.claim
 * in db/functions/mail.sql, fcgi/mail.c): one transaction per message,
 * MAIL_BATCH at most per round and no longer than MAIL_ROUND_MS, so events
 * never wait long behind mail. Settings: SMTP_URL, SMTP_USER,
 * SMTP_PASSWORD, SMTP_FROM, SMTP_TIMEOUT_MS, SMTP_CONNECT_TIMEOUT_MS,
 * MAIL_DIR, PUBLIC_URL, MAIL_MAX_ATTEMPTS, MAIL_BACKOFF_MS,
 * TICKET_SEAL_KEY, MUSEUM_TZ; and the museum's own settings as the app
 * reads them (site_load: MUSEUM_NAME(_KO), MUSEUM_ADDRESS(_KO),
 * TICKET_CATEGORIES, ...) (etc/museum.conf, docs/mail.md). */
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

#include "daemon.h"
#include "mail.h"
#include "site.h"

#define ISOLATE_BATCH 50 /* stays under PostgreSQL's 64 cached subtransactions */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 1000 /* back within a second of PostgreSQL */
/* After finding work, look again every RECHECK_MS for LINGER_MS: a writer
 * notifies at most once per 200 ms (outbox.wake in db/functions/outbox.sql), so a wake-up it
 * skips comes while the listener is still looking. */
#define RECHECK_MS 5
#define LINGER_MS 250

static volatile sig_atomic_t stopping;

struct config {
    const char *dsn;
    const char *name;
    const char *retention;
    long batch;
    long poll_ms;
    long heartbeat_ms;
    long prune_ms;
    char offer_ttl[24];
    char max_attempts[24];
    char backoff_ms[24];
    /* email */
    struct mail_config mail;
    const char *seal_key; /* TICKET_SEAL_KEY, or NULL: links are left out */
    long mail_batch;
    long mail_round_ms;
    char mail_max_attempts[24];
    char mail_backoff_ms[24];
};

static void on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The first line of conn's last error, for a log line. */
static const char *conn_error(PGconn *conn)
{
    return daemon_first_line(conn ? PQerrorMessage(conn) : NULL);
}

/* Connects and LISTENs. Returns the connection, or NULL (logged).
 * The session commits asynchronously (no wait for the WAL flush): a batch's
 * effects and its done marks commit together, so a crash that loses the
 * last batches loses both and they are applied again; anything that builds
 * on an effect (a booking taking a released seat) commits after it in the
 * WAL, and its own flush makes the effect durable too. */
static PGconn *listener_connect(const char *dsn)
{
    static const char *const keys[] = {"dbname",
                                       "application_name",
                                       "keepalives",
                                       "keepalives_idle",
                                       "keepalives_interval",
                                       "keepalives_count",
                                       NULL};
    static const char *const values[] = {NULL, "museum-listener", "1", "10", "5", "3", NULL};
    const char *vals[7];
    PGconn *conn;
    PGresult *res;

    memcpy(vals, values, sizeof(vals));
    vals[0] = dsn;
    conn = PQconnectdbParams(keys, vals, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "event=connect_failed error=\"%s\"\n", conn_error(conn));
        PQfinish(conn);
        return NULL;
    }
    /* A SET rather than libpq's options: that would replace options the
     * DATABASE_URL may carry. */
    res = PQexec(conn, "SET synchronous_commit = off; LISTEN museum_outbox");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "event=listen_failed error=\"%s\"\n", conn_error(conn));
        PQclear(res);
        PQfinish(conn);
        return NULL;
    }
    PQclear(res);
    fprintf(stderr, "event=connected\n");
    return conn;
}

/* Runs a one-row, one-column query. Returns 0 and copies the value into
 * out (size n; may be NULL), or -1 (logged; *conn_lost says whether the
 * connection is gone). */
static int query_value(PGconn *conn, const char *sql, int nparams, const char *const *params,
                       char *out, size_t n, int *conn_lost)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    int rc = -1;

    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && PQnfields(res) == 1) {
        if (out)
            snprintf(out, n, "%s", PQgetvalue(res, 0, 0));
        rc = 0;
    } else {
        *conn_lost = PQstatus(conn) == CONNECTION_BAD;
        fprintf(stderr, "event=query_failed query=\"%.40s\" error=\"%s\"\n", sql, conn_error(conn));
    }
    PQclear(res);
    return rc;
}

/* The waiting list's turn (waitlist.tick): expires the offers due and
 * offers freed seats in queue order. Returns entries changed, or -1 if the
 * call failed (*conn_lost tells why). */
static long waitlist_tick(PGconn *conn, const struct config *cfg, int *conn_lost)
{
    const char *params[1] = {cfg->offer_ttl};
    char value[24];
    long n;

    if (query_value(conn, "SELECT waitlist.tick($1::integer)", 1, params, value, sizeof(value),
                    conn_lost) != 0)
        return -1;
    n = strtol(value, NULL, 10);
    if (n > 0)
        fprintf(stderr, "event=waitlist listener=%s entries=%ld\n", cfg->name, n);
    return n;
}

/* Runs one outbox.process() call. Returns events claimed, or -1 if the
 * call failed (the batch rolled back; *conn_lost tells why). */
static long process_batch(PGconn *conn, const struct config *cfg, long limit, int isolate,
                          int *conn_lost)
{
    char limit_text[24], value[24];
    const char *params[4] = {limit_text, isolate ? "true" : "false", cfg->max_attempts,
                             cfg->backoff_ms};

    snprintf(limit_text, sizeof(limit_text), "%ld", limit);
    if (query_value(conn,
                    "SELECT outbox.process($1::integer, $2::boolean, $3::integer, $4::integer)", 4,
                    params, value, sizeof(value), conn_lost) != 0)
        return -1;
    return strtol(value, NULL, 10);
}

/* Applies events until a batch comes back short (what it left, e.g. the
 * next event of a booking it just applied, is found by the next recheck),
 * adding them to *done. Returns 0, or -1 if the connection was lost. */
static int drain(PGconn *conn, const struct config *cfg, long long *done)
{
    for (;;) {
        int conn_lost = 0;
        double start = now_ms();
        int isolate = 0;
        long n = process_batch(conn, cfg, cfg->batch, 0, &conn_lost);

        if (n < 0 && !conn_lost) {
            /* Some event failed: redo in small batches, one subtransaction
             * per event, so the failing one is retried later or parked. */
            isolate = 1;
            n = process_batch(conn, cfg, ISOLATE_BATCH, 1, &conn_lost);
        }
        if (n < 0)
            return conn_lost ? -1 : 0;
        if (n > 0) {
            *done += n;
            fprintf(stderr, "event=batch listener=%s events=%ld isolate=%d ms=%.2f\n", cfg->name, n,
                    isolate, now_ms() - start);
        }
        if (n < (isolate ? ISOLATE_BATCH : cfg->batch) || stopping)
            return 0;
    }
}

/* Runs sql (no result rows wanted). Returns 0, or -1 (logged; *conn_lost
 * says whether the connection is gone). */
static int exec_command(PGconn *conn, const char *sql, int *conn_lost)
{
    PGresult *res = PQexec(conn, sql);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;

    if (rc != 0) {
        *conn_lost = PQstatus(conn) == CONNECTION_BAD;
        fprintf(stderr, "event=query_failed query=\"%.40s\" error=\"%s\"\n", sql, conn_error(conn));
    }
    PQclear(res);
    return rc;
}

/* Column i of row 0 of res, or NULL if it is NULL. */
static const char *field(const PGresult *res, int i)
{
    return PQgetisnull(res, 0, i) ? NULL : PQgetvalue(res, 0, i);
}

/* Sends one due message, in a transaction of its own: mail.claim locks it
 * (no other listener sends it meanwhile), then it is composed, delivered
 * and marked sent (or failed) before the COMMIT; a crash before the COMMIT
 * sends it again, under the same Message-ID. The commit waits for the WAL
 * flush (unlike the event batches'): a sent mark must not be lost.
 * Returns 1 if a message was handled, 0 if none was due, -1 on an error
 * (*conn_lost says whether the connection is gone). */
static int mail_one(PGconn *conn, const struct config *cfg, struct mail_sender *sender,
                    int *conn_lost)
{
    const char *params[4];
    PGresult *res = NULL;
    struct mail_message m = {0};
    char id[24], error[512] = "", *text = NULL;
    size_t len = 0;
    int rc = -1, delivered = 0, permanent = 0;
    double start = now_ms();

    if (exec_command(conn, "BEGIN; SET LOCAL synchronous_commit = on", conn_lost) != 0)
        return -1;
    params[0] = cfg->seal_key;
    res = PQexecParams(conn, "SELECT * FROM mail.claim($1::text)", 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != 17) {
        *conn_lost = PQstatus(conn) == CONNECTION_BAD;
        fprintf(stderr, "event=query_failed query=\"mail.claim\" error=\"%s\"\n", conn_error(conn));
        goto out;
    }
    if (PQntuples(res) == 0) {
        rc = 0;
        goto out;
    }
    m.id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    m.kind = field(res, 1);
    m.to = field(res, 2);
    m.lang = field(res, 3);
    m.secret = field(res, 4);
    m.book_id = field(res, 6) ? strtoll(field(res, 6), NULL, 10) : 0;
    m.code = field(res, 7);
    m.exhibition = field(res, 8);
    m.cust_nm = field(res, 9);
    m.slot_start = field(res, 10) ? (time_t)strtoll(field(res, 10), NULL, 10) : 0;
    m.slot_end = field(res, 11) ? (time_t)strtoll(field(res, 11), NULL, 10) : 0;
    m.party = field(res, 12) ? atoi(field(res, 12)) : 0;
    m.tickets = field(res, 13);
    m.cancel_reason = field(res, 15);
    m.updated = field(res, 16) ? (time_t)strtoll(field(res, 16), NULL, 10) : 0;
    text = mail_compose(sender, &m, time(NULL), &len, error, sizeof(error));
    if (!text)
        permanent = 1; /* it would never be made: parked at once */
    else
        delivered = mail_deliver(sender, &m, text, len, error, sizeof(error)) == 0;
    snprintf(id, sizeof(id), "%lld", m.id);
    params[0] = id;
    if (delivered) {
        if (query_value(conn, "SELECT mail.sent($1::bigint)", 1, params, NULL, 0, conn_lost) != 0)
            goto out;
    } else {
        char dead[8] = "";
        params[1] = error;
        params[2] = permanent ? "1" : cfg->mail_max_attempts;
        params[3] = cfg->mail_backoff_ms;
        if (query_value(conn, "SELECT mail.failed($1::bigint, $2::text, $3::integer, $4::integer)",
                        4, params, dead, sizeof(dead), conn_lost) != 0)
            goto out;
        fprintf(stderr, "event=mail_failed listener=%s mail=%lld kind=%s dead=%s error=\"%s\"\n",
                cfg->name, m.id, m.kind, dead, error);
    }
    if (exec_command(conn, "COMMIT", conn_lost) != 0)
        goto out;
    if (delivered)
        fprintf(stderr, "event=mail_sent listener=%s mail=%lld kind=%s bytes=%zu ms=%.2f\n",
                cfg->name, m.id, m.kind, len, now_ms() - start);
    rc = 1;
out:
    if (rc < 0 && !*conn_lost)
        exec_command(conn, "ROLLBACK", conn_lost);
    else if (rc == 0)
        exec_command(conn, "COMMIT", conn_lost);
    free(text);
    PQclear(res);
    return rc;
}

/* Sends due messages: at most MAIL_BATCH, for at most MAIL_ROUND_MS (one
 * slow SMTP server must not keep events waiting). Returns how many were
 * handled, or -1 if the connection was lost. */
static long mail_round(PGconn *conn, const struct config *cfg, struct mail_sender *sender)
{
    double start = now_ms();
    long n = 0;

    while (n < cfg->mail_batch && now_ms() - start < (double)cfg->mail_round_ms && !stopping) {
        int conn_lost = 0;
        int rc = mail_one(conn, cfg, sender, &conn_lost);
        if (rc < 0)
            return conn_lost ? -1 : n;
        if (rc == 0)
            break;
        n++;
    }
    return n;
}

/* Records this instance's heartbeat: also proves the connection works.
 * Returns 0, or -1 if the connection was lost. */
static int heartbeat(PGconn *conn, const struct config *cfg, long long done)
{
    char pid[24], events[24];
    const char *params[3] = {cfg->name, pid, events};
    int conn_lost = 0;

    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    snprintf(events, sizeof(events), "%lld", done);
    if (query_value(conn, "SELECT outbox.listener_beat($1::text, $2::integer, $3::bigint)", 3,
                    params, NULL, 0, &conn_lost) != 0)
        return conn_lost ? -1 : 0;
    return 0;
}

/* Deletes done events older than the retention, a batch at a time.
 * Returns 0, or -1 if the connection was lost. */
static int prune(PGconn *conn, const struct config *cfg)
{
    const char *params[2] = {cfg->retention, "10000"};
    char value[24];
    long n;

    do {
        int conn_lost = 0;
        if (query_value(conn, "SELECT outbox.prune($1::interval, $2::integer)", 2, params, value,
                        sizeof(value), &conn_lost) != 0)
            return conn_lost ? -1 : 0;
        n = strtol(value, NULL, 10);
        if (n > 0)
            fprintf(stderr, "event=pruned listener=%s events=%ld\n", cfg->name, n);
    } while (n >= 10000 && !stopping);
    return 0;
}

/* --check: can this binary connect, find the functions it calls and run
 * them (as museum_listener)? */
static int check(const char *dsn)
{
    PGconn *conn = listener_connect(dsn);
    int conn_lost = 0;
    char may[8] = "";
    int rc;

    if (!conn)
        return 1;
    rc = query_value(conn,
                     "SELECT bool_and(has_function_privilege(f, 'EXECUTE')) FROM unnest(ARRAY["
                     "'outbox.process(integer, boolean, integer, integer)'::regprocedure, "
                     "'outbox.listener_beat(text, integer, bigint)'::regprocedure, "
                     "'outbox.prune(interval, integer)'::regprocedure, "
                     "'outbox.listener_gone(text, integer)'::regprocedure, "
                     "'mail.claim(text)'::regprocedure, 'mail.sent(bigint)'::regprocedure, "
                     "'mail.failed(bigint, text, integer, integer)'::regprocedure, "
                     "'waitlist.tick(integer)'::regprocedure]) f",
                     0, NULL, may, sizeof(may), &conn_lost) == 0
             ? 0
             : 1;
    if (rc == 0 && strcmp(may, "t") != 0) {
        fprintf(stderr,
                "event=check_failed error=\"this role may not run the listener's functions: "
                "connect as museum_listener\"\n");
        rc = 1;
    }
    PQfinish(conn);
    return rc;
}

int main(int argc, char **argv)
{
    struct config cfg = {
        .dsn = daemon_env_text("LISTENER_DATABASE_URL", NULL),
        .name = daemon_env_text("LISTENER_NAME", "listener"),
        .retention = daemon_env_text("LISTENER_RETENTION", "7 days"),
        .batch = daemon_env_long("LISTENER_BATCH", 500, 1, 100000),
        .poll_ms = daemon_env_long("LISTENER_POLL_MS", 1000, 10, 60000),
        .heartbeat_ms = daemon_env_long("LISTENER_HEARTBEAT_MS", 2000, 100, 600000),
        .prune_ms = daemon_env_long("LISTENER_PRUNE_MS", 60000, 1000, 86400000),
    };
    const char *pidfile = daemon_env_text("LISTENER_PIDFILE", NULL);
    long backoff_ms = BACKOFF_MIN_MS;
    long long done = 0;
    long long before;
    double last_beat = 0, last_prune = 0, last_work = -LINGER_MS;
    PGconn *conn = NULL;
    struct sigaction sa;
    struct daemon_user user;
    struct mail_sender *sender = NULL;
    char mail_error[512];

    cfg.mail = (struct mail_config){
        .from = daemon_env_text("SMTP_FROM", "SK Museum <tickets@localhost>"),
        .public_url = daemon_env_text("PUBLIC_URL", "http://127.0.0.1:8080"),
        .smtp_url = daemon_env_text("SMTP_URL", NULL),
        .smtp_user = daemon_env_text("SMTP_USER", NULL),
        .smtp_password = daemon_env_text("SMTP_PASSWORD", NULL),
        .timeout_ms = daemon_env_long("SMTP_TIMEOUT_MS", 10000, 100, 600000),
        .connect_timeout_ms = daemon_env_long("SMTP_CONNECT_TIMEOUT_MS", 2000, 100, 600000),
        .dir = daemon_env_text("MAIL_DIR", "var/mail"),
    };
    /* The museum's name, address and categories: the app's (fcgi/site.c),
     * with its defaults, so the emails and the pages say the same. */
    if (site_load() != 0)
        return 2;
    cfg.mail.museum[0] = site_name("en");
    cfg.mail.museum[1] = site_name("ko");
    cfg.mail.address[0] = site_address("en");
    cfg.mail.address[1] = site_address("ko");
    cfg.mail.categories = site_categories();
    if (cfg.mail.connect_timeout_ms > cfg.mail.timeout_ms)
        cfg.mail.connect_timeout_ms = cfg.mail.timeout_ms; /* within the whole delivery's */
    cfg.seal_key = daemon_env_text("TICKET_SEAL_KEY", NULL);
    cfg.mail_batch = daemon_env_long("MAIL_BATCH", 20, 1, 1000);
    cfg.mail_round_ms = daemon_env_long("MAIL_ROUND_MS", 500, 10, 60000);
    snprintf(cfg.mail_max_attempts, sizeof(cfg.mail_max_attempts), "%ld",
             daemon_env_long("MAIL_MAX_ATTEMPTS", 8, 1, 1000));
    snprintf(cfg.mail_backoff_ms, sizeof(cfg.mail_backoff_ms), "%ld",
             daemon_env_long("MAIL_BACKOFF_MS", 30000, 1, 3600000));
    /* The slot's date and time in the emails are the museum's. */
    if (setenv("TZ", daemon_env_zone("MUSEUM_TZ", "Asia/Seoul"), 1) != 0)
        return 2;
    tzset();
    if (strncmp(cfg.mail.public_url, "http://", 7) != 0 &&
        strncmp(cfg.mail.public_url, "https://", 8) != 0) {
        fprintf(stderr,
                "event=config_error setting=PUBLIC_URL expected=\"http(s)://host[:port]\"\n");
        return 2;
    }

    snprintf(cfg.max_attempts, sizeof(cfg.max_attempts), "%ld",
             daemon_env_long("LISTENER_MAX_ATTEMPTS", 10, 1, 1000));
    snprintf(cfg.offer_ttl, sizeof(cfg.offer_ttl), "%ld",
             daemon_env_long("WAITLIST_OFFER_TTL", 43200, 1, 604800));
    snprintf(cfg.backoff_ms, sizeof(cfg.backoff_ms), "%ld",
             daemon_env_long("LISTENER_BACKOFF_MS", 100, 1, 600000));
    if (!cfg.dsn) {
        fprintf(stderr, "museum-listener: LISTENER_DATABASE_URL must be set: the URL of the "
                        "listener's role (museum_listener); DATABASE_URL, the schema owner's, "
                        "is not used\n");
        return 2;
    }
    daemon_env_user("LISTENER_USER", &user);
    if (argc > 1 && strcmp(argv[1], "--check") == 0) {
        if (daemon_drop_privileges(&user) != 0)
            return 1;
        if (!(sender = mail_init(&cfg.mail, mail_error, sizeof(mail_error)))) {
            fprintf(stderr, "event=config_error error=\"%s\"\n", mail_error);
            return 1;
        }
        if (*mail_error)
            fprintf(stderr, "event=mail_warning error=\"%s\"\n", mail_error);
        mail_free(sender);
        return check(cfg.dsn);
    }
    /* The pid file first, where only root may write; then for good as
     * LISTENER_USER (stack.sh removes the pid file if we cannot). */
    if (daemon_write_pidfile(pidfile) != 0 || daemon_drop_privileges(&user) != 0)
        return 1;
    /* As LISTENER_USER, who must be able to write the Maildir. */
    if (!(sender = mail_init(&cfg.mail, mail_error, sizeof(mail_error)))) {
        fprintf(stderr, "event=config_error error=\"%s\"\n", mail_error);
        if (pidfile && *pidfile)
            unlink(pidfile);
        return 2;
    }
    if (*mail_error)
        fprintf(stderr, "event=mail_warning error=\"%s\"\n", mail_error);
    if (!cfg.seal_key)
        fprintf(stderr, "event=mail_warning error=\"TICKET_SEAL_KEY is unset: emails go without "
                        "their links\"\n");
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
        int ready, woke;

        if (!conn) {
            conn = listener_connect(cfg.dsn);
            if (!conn) {
                long wait_ms = backoff_ms / 2 + rand() % (backoff_ms / 2 + 1);
                struct timespec ts = {wait_ms / 1000, (wait_ms % 1000) * 1000000L};
                nanosleep(&ts, NULL);
                backoff_ms = backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff_ms * 2;
                continue;
            }
            backoff_ms = BACKOFF_MIN_MS;
            last_beat = 0;
        }
        /* Drain first: catches up on whatever happened while we were away
         * (LISTEN is already active, so nothing slips between). */
        before = done;
        if (drain(conn, &cfg, &done) != 0)
            goto reconnect;
        if (done > before)
            last_work = now_ms();
        /* Then the waiting list: seats those events freed are offered
         * (and due offers expire) before the emails go. */
        {
            int conn_lost = 0;
            long changed = waitlist_tick(conn, &cfg, &conn_lost);
            if (changed < 0 && conn_lost)
                goto reconnect;
            if (changed > 0)
                last_work = now_ms();
        }
        /* Then the emails due, for a bounded time; a round that found
         * some looks again soon (lingers), like a batch of events. */
        {
            long sent = mail_round(conn, &cfg, sender);
            if (sent < 0)
                goto reconnect;
            if (sent > 0)
                last_work = now_ms();
        }
        if (now_ms() - last_beat >= (double)cfg.heartbeat_ms) {
            if (heartbeat(conn, &cfg, done) != 0)
                goto reconnect;
            last_beat = now_ms();
        }
        if (now_ms() - last_prune >= (double)cfg.prune_ms) {
            if (prune(conn, &cfg) != 0)
                goto reconnect;
            last_prune = now_ms();
        }
        /* Notifications that came in with a query's reply are already
         * queued: the socket will not show them again. */
        woke = 0;
        while ((note = PQnotifies(conn)) != NULL) {
            PQfreemem(note);
            woke = 1;
        }
        if (woke)
            continue;
        pfd.fd = PQsocket(conn);
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (pfd.fd < 0)
            goto reconnect;
        ready = poll(&pfd, 1, now_ms() - last_work < LINGER_MS ? RECHECK_MS : (int)cfg.poll_ms);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "event=poll_failed error=\"%s\"\n", strerror(errno));
            goto reconnect;
        }
        if (ready > 0) {
            if (!PQconsumeInput(conn)) {
                fprintf(stderr, "event=connection_lost error=\"%s\"\n", conn_error(conn));
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
    if (conn) {
        /* A clean exit: this instance leaves the heartbeat table. */
        char pid[24];
        const char *params[2] = {cfg.name, pid};
        int conn_lost = 0;
        snprintf(pid, sizeof(pid), "%ld", (long)getpid());
        query_value(conn, "SELECT outbox.listener_gone($1::text, $2::integer)", 2, params, NULL, 0,
                    &conn_lost);
    }
    PQfinish(conn);
    mail_free(sender);
    if (pidfile && *pidfile)
        unlink(pidfile);
    fprintf(stderr, "event=listener_stopped listener=%s events=%lld\n", cfg.name, done);
    return 0;
}
