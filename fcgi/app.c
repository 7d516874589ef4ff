/* museum-app: the FastCGI server, a supervised worker pool in the php-fpm
 * mould (pm = dynamic). The master holds the listening socket and keeps
 * between APP_WORKERS_MIN and APP_WORKERS_MAX workers: it adds workers when
 * none is idle, retires workers idle for APP_IDLE_TIMEOUT_MS, replaces a
 * worker that dies, recycles one after APP_MAX_REQUESTS requests and kills
 * one stuck in a request for APP_REQUEST_TIMEOUT_MS (nginx then answers
 * 503). Each worker answers one request at a time over its own PostgreSQL
 * connection.
 *
 * SIGUSR2 or SIGHUP: zero-downtime reload. The master runs the binary at
 * its own path with --check; if that passes it re-executes itself there,
 * keeping the listening socket and its pid, starts new workers, and only
 * then lets the old ones finish their requests and exit.
 * SIGTERM/SIGINT: workers finish their requests, then everything exits.
 *
 * Environment: APP_DATABASE_URL (the museum_app role's URL; DATABASE_URL,
 * the schema owner's, is never read), READ_DATABASE_URL (optional: a
 * standby's, for the reads that may be stale: db.h's DB_STALE), APP_SOCKET (unix path or host:port;
 * or a systemd socket via LISTEN_FDS), APP_PIDFILE, APP_BACKLOG (128),
 * APP_USER (started as root: the user the workers switch to), the APP_*
 * settings above, DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS,
 * READY_MAX_LAG_S, ADMIN_PASSWORD, CHECKIN_EARLY_MIN and CHECKIN_LATE_MIN:
 * all read once, at start-up; a bad value stops the program with a message
 * naming it (exit status 2). `museum-app --check` connects (as APP_USER),
 * prepares every statement and exits 0 if all is well. `museum-app
 * --hash-password` reads a staff password on stdin and prints its yescrypt
 * hash (scripts/staff.sh).
 *
 * Privileges: the master may run as root (it only holds the socket, forks
 * and re-executes); each worker switches to APP_USER right after fork,
 * before it touches the database or a request. A unix socket the master
 * creates is mode 0660, group APP_USER's: nginx's workers must be in it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caller.h"
#include "daemon.h"
#include "db.h"
#include "door.h"
#include "http.h"
#include "pool.h"
#include "route.h"
#include "site.h"
#include "visitor.h"
#include "status.h"

/* Every setting, read and checked once in main (etc/museum.conf lists them). */
struct config {
    const char *dsn;
    const char *read_dsn; /* READ_DATABASE_URL, or NULL */
    const char *socket_path;
    const char *pidfile;
    const char *admin_password; /* NULL: nobody is staff */
    long statement_timeout_ms, lock_timeout_ms;
    double ready_max_lag_s;
    long queue_max_ms;
    const char *time_zone;                    /* the museum's: MUSEUM_TZ, checked to exist */
    long checkin_early_min, checkin_late_min; /* the door's window (docs/door.md) */
    char self[PATH_MAX];                      /* this binary's path, for --check and re-exec */
    long min_workers, max_workers;
    long max_requests;
    long request_timeout_ms;
    long idle_timeout_ms;
    long backlog;
    struct daemon_user user; /* APP_USER: what the workers run as */
    int own_socket;          /* we created the socket file: remove it on exit */
};

#define ADMIN_PASSWORD_MIN 12 /* characters */

static volatile sig_atomic_t worker_stopping;
static struct pool_board *board;
/* The pid in each slot, as the master knows it: the board is shared memory
 * that every (unprivileged) worker can write, so what the master signals
 * is taken from here, never from the board. 0: none. */
static pid_t slot_pid[POOL_MAX_WORKERS];
static sigset_t master_signals;
static pid_t master_pid;

static void on_worker_stop(int sig)
{
    (void)sig;
    worker_stopping = 1;
}

/* Ends a request and closes its connection. libfcgi's close waits for nginx
 * to close first (shutdown, then poll and read until EOF), which costs the
 * worker a sleep and a wake-up per request; it guards against a reset when
 * unread data is left behind. nginx sends nothing after the end of stdin,
 * so once stdin has been read to its end a plain close is just as safe. */
static void request_finish(FCGX_Request *fcgx)
{
    char sink[512];

    while (FCGX_GetStr(sink, (int)sizeof(sink), fcgx->in) > 0)
        ;
    /* FCGX_Free closes without the lingering wait, then clears the flag;
     * a kept-alive connection is not closed, so the flag must not stay. */
    if (!fcgx->keepConnection && FCGX_HasSeenEOF(fcgx->in) == EOF && FCGX_GetError(fcgx->in) == 0)
        fcgx->detached = 1;
    FCGX_Finish_r(fcgx);
}

/* A worker in slot i: answers requests until told to stop or recycled.
 * Never returns. */
static void worker_run(const struct config *cfg, int listen_fd, int i)
{
    FCGX_Request fcgx;
    struct sigaction sa;
    long served = 0;

    /* First: a switch of user would clear the parent-death signal. */
    if (daemon_drop_privileges(&cfg->user) != 0)
        _exit(1);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_worker_stop; /* no SA_RESTART: it must interrupt accept() */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGUSR2, SIG_IGN);
    sigprocmask(SIG_UNBLOCK, &master_signals, NULL);
    if (getppid() != master_pid)
        _exit(0); /* the master died before PDEATHSIG was armed */
    db_init(cfg->dsn, cfg->read_dsn, cfg->statement_timeout_ms, cfg->lock_timeout_ms,
            cfg->time_zone);
    caller_init(cfg->admin_password);
    door_init(cfg->checkin_early_min, cfg->checkin_late_min);
    status_init(board, listen_fd, cfg->ready_max_lag_s);
    route_init(cfg->queue_max_ms);
    FCGX_InitRequest(&fcgx, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
    pool_slot_idle(board, i);
    while (!worker_stopping && FCGX_Accept_r(&fcgx) >= 0) {
        struct http_request req;
        int64_t start = pool_now_ms();
        double ms;
        char log_line[512];

        pool_slot_busy(board, i);
        http_request_init(&req, &fcgx);
        route_request(&req);
        /* req points into fcgx's environment, which Finish frees. The path
         * is decoded: a control character in it would forge a log line. */
        snprintf(log_line, sizeof(log_line), "req=%s method=%s path=%.256s status=%d",
                 req.request_id, req.head ? "HEAD" : req.method, req.path, req.status);
        for (char *c = log_line; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7F)
                *c = '?';
        request_finish(&fcgx);
        board->slots[i].served++;
        pool_slot_idle(board, i);
        {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ms = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6 - (double)start;
        }
        fprintf(stderr, "%s ms=%.2f\n", log_line, ms);
        if (cfg->max_requests > 0 && ++served >= cfg->max_requests)
            break; /* recycled: the master starts a fresh one */
    }
    db_close();
    _exit(0);
}

/* Starts a worker in a free slot. Returns its pid, or -1. */
static pid_t worker_start(const struct config *cfg, int listen_fd)
{
    int i;
    pid_t pid;

    for (i = 0; i < POOL_MAX_WORKERS && slot_pid[i] != 0; i++)
        ;
    if (i == POOL_MAX_WORKERS)
        return -1;
    board->slots[i].state = POOL_STARTING;
    board->slots[i].since_ms = pool_now_ms();
    board->slots[i].served = 0;
    pid = fork();
    if (pid == 0)
        worker_run(cfg, listen_fd, i);
    if (pid < 0) {
        fprintf(stderr, "event=fork_failed error=\"%s\"\n", strerror(errno));
        board->slots[i].state = POOL_FREE;
        return -1;
    }
    board->slots[i].pid = pid; /* for /status */
    slot_pid[i] = pid;
    return pid;
}

/* Collects exited children, freeing their slots. Children of an earlier
 * binary (after a reload) have no slot and are simply reaped. */
static void reap(void)
{
    pid_t pid;
    int status;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        for (int i = 0; i < POOL_MAX_WORKERS; i++) {
            struct pool_slot *s = &board->slots[i];
            if (slot_pid[i] != pid)
                continue;
            if (!clean && s->state != POOL_RETIRING)
                fprintf(stderr, "event=worker_died pid=%ld exit=%d signal=%d\n", (long)pid,
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                        WIFSIGNALED(status) ? WTERMSIG(status) : 0);
            board->served_by_gone += s->served;
            s->served = 0;
            s->pid = 0;
            slot_pid[i] = 0;
            s->state = POOL_FREE;
        }
    }
}

/* One supervision step: kill stuck workers, keep the minimum, grow when
 * every worker is busy (doubling the spawn rate each step, php-fpm style),
 * retire one long-idle worker above the minimum. */
static void manage(const struct config *cfg, int listen_fd, long *spawn_rate)
{
    int64_t now = pool_now_ms();
    struct pool_counts c;
    int retired = 0;

    for (int i = 0; i < POOL_MAX_WORKERS; i++) {
        struct pool_slot *s = &board->slots[i];
        if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == POOL_BUSY &&
            now - s->since_ms > cfg->request_timeout_ms) {
            fprintf(stderr, "event=worker_timeout pid=%ld busy_ms=%lld\n", (long)slot_pid[i],
                    (long long)(now - s->since_ms));
            s->state = POOL_RETIRING;
            if (slot_pid[i] > 0)
                kill(slot_pid[i], SIGKILL);
        }
    }
    pool_count(board, &c);
    if (c.busy > board->max_busy)
        board->max_busy = c.busy;
    if (c.total < cfg->min_workers) {
        for (long n = cfg->min_workers - c.total; n > 0; n--)
            worker_start(cfg, listen_fd);
    } else if (c.idle + c.starting == 0 && c.total < cfg->max_workers) {
        long n =
            *spawn_rate < cfg->max_workers - c.total ? *spawn_rate : cfg->max_workers - c.total;
        for (long k = 0; k < n; k++)
            worker_start(cfg, listen_fd);
        fprintf(stderr, "event=pool_grow workers=%ld\n", c.total + n);
        *spawn_rate = *spawn_rate < 8 ? *spawn_rate * 2 : 8;
    } else {
        *spawn_rate = 1;
    }
    for (int i = 0; i < POOL_MAX_WORKERS && !retired && c.total > cfg->min_workers && c.idle > 1;
         i++) {
        struct pool_slot *s = &board->slots[i];
        if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == POOL_IDLE &&
            now - s->since_ms > cfg->idle_timeout_ms) {
            s->state = POOL_RETIRING;
            if (slot_pid[i] > 0)
                kill(slot_pid[i], SIGTERM);
            retired = 1;
            fprintf(stderr, "event=pool_shrink workers=%d\n", c.total - 1);
        }
    }
    pool_count(board, &c);
    if (c.total > board->high_water)
        board->high_water = c.total;
}

/* Runs `self --check`. Returns 0 if it exited 0. */
static int check_binary(const char *self)
{
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        sigprocmask(SIG_UNBLOCK, &master_signals, NULL);
        execl(self, self, "--check", (char *)NULL);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Re-executes the (new) binary at our path, handing over the socket and
 * the pids of the current workers. Returns only if refused or failed. */
static void reload(const struct config *cfg, int listen_fd, char **argv)
{
    char fd_text[16];
    char pids[POOL_MAX_WORKERS * 12 + 1];
    size_t o = 0;

    if (check_binary(cfg->self) != 0) {
        fprintf(stderr, "event=reload_refused reason=\"%s --check failed\"\n", cfg->self);
        return;
    }
    pids[0] = '\0';
    for (int i = 0; i < POOL_MAX_WORKERS; i++)
        if (slot_pid[i] > 0 && o + 12 < sizeof(pids))
            o += (size_t)snprintf(pids + o, sizeof(pids) - o, "%ld,", (long)slot_pid[i]);
    snprintf(fd_text, sizeof(fd_text), "%d", listen_fd);
    fcntl(listen_fd, F_SETFD, 0); /* keep it across exec */
    setenv("APP_LISTEN_FD", fd_text, 1);
    setenv("APP_RETIRE_PIDS", pids, 1);
    fprintf(stderr, "event=reload binary=%s\n", cfg->self);
    execv(cfg->self, argv);
    fprintf(stderr, "event=reload_failed error=\"%s\"\n", strerror(errno));
    unsetenv("APP_LISTEN_FD");
    unsetenv("APP_RETIRE_PIDS");
}

/* After a reload: once the new workers are up, lets the previous binary's
 * workers finish their requests and exit. */
static void retire_previous(const char *pids)
{
    int64_t deadline = pool_now_ms() + 2000;
    struct pool_counts c;

    do {
        pool_count(board, &c);
        if (c.idle > 0)
            break;
        usleep(10000);
    } while (pool_now_ms() < deadline);
    while (pids && *pids) {
        long pid = strtol(pids, (char **)&pids, 10);
        if (pid > 0)
            kill((pid_t)pid, SIGTERM);
        if (*pids == ',')
            pids++;
        else
            break;
    }
}

/* Stops every worker: SIGTERM again each tick (one may have been about to
 * block in accept() when the first arrived), SIGKILL past the request
 * timeout. Returns once no child is left (or gives up 2 s after that). */
static void stop_workers(const struct config *cfg)
{
    int64_t deadline = pool_now_ms() + cfg->request_timeout_ms;

    for (;;) {
        struct timespec tick = {0, 100 * 1000000L};
        int64_t now = pool_now_ms();
        pid_t pid;

        reap();
        for (int i = 0; i < POOL_MAX_WORKERS; i++)
            if (slot_pid[i] > 0)
                kill(slot_pid[i], now > deadline ? SIGKILL : SIGTERM);
        pid = waitpid(-1, NULL, WNOHANG);
        if (pid < 0 && errno == ECHILD)
            return;
        if (now > deadline + 2000) {
            fprintf(stderr, "event=stop_gave_up reason=\"children still running\"\n");
            return;
        }
        if (pid <= 0)
            sigtimedwait(&master_signals, NULL, &tick);
    }
}

/* The listening socket: inherited across a reload, from systemd, or new. */
static int open_listener(struct config *cfg)
{
    const char *inherited = getenv("APP_LISTEN_FD");
    const char *sd_pid = getenv("LISTEN_PID");
    int fd;

    if (inherited && *inherited) {
        fd = atoi(inherited);
        unsetenv("APP_LISTEN_FD");
    } else if (sd_pid && atol(sd_pid) == (long)getpid() && getenv("LISTEN_FDS")) {
        fd = 3; /* SD_LISTEN_FDS_START */
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
    } else {
        if (!cfg->socket_path) {
            fprintf(stderr, "museum-app: APP_SOCKET must be set\n");
            return -1;
        }
        if (cfg->socket_path[0] == '/')
            unlink(cfg->socket_path);
        fd = FCGX_OpenSocket(cfg->socket_path, (int)cfg->backlog);
        if (fd < 0) {
            fprintf(stderr, "museum-app: cannot listen on %s: %s\n", cfg->socket_path,
                    strerror(errno));
            return -1;
        }
        if (cfg->socket_path[0] == '/') {
            /* nginx's workers connect: the owner and APP_USER's group only
             * (the directory should be as closed). */
            cfg->own_socket = 1;
            if ((cfg->user.drop && chown(cfg->socket_path, (uid_t)-1, cfg->user.gid) != 0) ||
                chmod(cfg->socket_path, 0660) != 0) {
                fprintf(stderr, "museum-app: cannot set the owner or mode of %s: %s\n",
                        cfg->socket_path, strerror(errno));
                return -1;
            }
        }
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

/* Characters (UTF-8 code points) in s. */
static size_t chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Three workers per CPU this process may run on (at least 4, at most 32):
 * a worker spends most of a request waiting for PostgreSQL, but past that
 * every extra runnable process only adds queueing on the CPUs
 * (docs/PERFORMANCE.md: 6 workers against 16 on 2 CPUs, bookings +18 %,
 * their p99 63 ms against 163 ms). */
static long default_max_workers(void)
{
    cpu_set_t cpus;
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
        n = CPU_COUNT(&cpus);
    n *= 3;
    return n < 4 ? 4 : n > 32 ? 32 : n;
}

int main(int argc, char **argv)
{
    struct config cfg = {
        .dsn = daemon_env_text("APP_DATABASE_URL", NULL),
        .read_dsn = daemon_env_text("READ_DATABASE_URL", NULL),
        .admin_password = daemon_env_text("ADMIN_PASSWORD", NULL),
        .ready_max_lag_s = daemon_env_double("READY_MAX_LAG_S", 30, 0, 86400),
        .queue_max_ms = daemon_env_long("APP_QUEUE_MAX_MS", 700, 0, 3600000),
        .time_zone = daemon_env_zone("MUSEUM_TZ", "Asia/Seoul"),
        .socket_path = daemon_env_text("APP_SOCKET", NULL),
        .pidfile = daemon_env_text("APP_PIDFILE", NULL),
        .statement_timeout_ms = daemon_env_long("DB_STATEMENT_TIMEOUT_MS", 5000, 0, 3600000),
        .lock_timeout_ms = daemon_env_long("DB_LOCK_TIMEOUT_MS", 1000, 0, 3600000),
        .min_workers = daemon_env_long("APP_WORKERS_MIN", 2, 1, POOL_MAX_WORKERS),
        .max_workers =
            daemon_env_long("APP_WORKERS_MAX", default_max_workers(), 1, POOL_MAX_WORKERS),
        .max_requests = daemon_env_long("APP_MAX_REQUESTS", 10000, 0, 1000000000),
        .request_timeout_ms = daemon_env_long("APP_REQUEST_TIMEOUT_MS", 10000, 100, 3600000),
        .idle_timeout_ms = daemon_env_long("APP_IDLE_TIMEOUT_MS", 10000, 100, 3600000),
        .backlog = daemon_env_long("APP_BACKLOG", 128, 1, 65535),
        .checkin_early_min = daemon_env_long("CHECKIN_EARLY_MIN", 30, 0, 1440),
        .checkin_late_min = daemon_env_long("CHECKIN_LATE_MIN", 60, 0, 1440),
    };
    const char *retire = getenv("APP_RETIRE_PIDS");
    char retire_pids[POOL_MAX_WORKERS * 12 + 1] = "";
    long spawn_rate = 1;
    int listen_fd;
    int stopping = 0;

    if (argc > 1 && strcmp(argv[1], "--hash-password") == 0)
        return caller_hash_password(stdin, stdout, ADMIN_PASSWORD_MIN); /* scripts/staff.sh */
    if (!cfg.dsn) {
        fprintf(stderr, "museum-app: APP_DATABASE_URL must be set: the URL of the application's "
                        "role (museum_app); DATABASE_URL, the schema owner's, is not used\n");
        return 2;
    }
    if (cfg.admin_password && chars(cfg.admin_password) < ADMIN_PASSWORD_MIN) {
        /* Guessable; and the value itself is never logged. */
        fprintf(stderr,
                "event=config_error setting=ADMIN_PASSWORD expected=\"at least %d characters\"\n",
                ADMIN_PASSWORD_MIN);
        return 2;
    }
    if (site_load() != 0 || visitor_load() != 0)
        return 2;
    daemon_env_user("APP_USER", &cfg.user);
    if (argc > 1 && strcmp(argv[1], "--check") == 0) {
        if (daemon_drop_privileges(&cfg.user) != 0)
            return 1;
        db_init(cfg.dsn, cfg.read_dsn, cfg.statement_timeout_ms, cfg.lock_timeout_ms,
                cfg.time_zone);
        if (db_check() != 0)
            return 1;
        db_close();
        return 0;
    }
    if (cfg.max_workers < cfg.min_workers)
        cfg.max_workers = cfg.min_workers;
    if (!realpath(argv[0], cfg.self))
        snprintf(cfg.self, sizeof(cfg.self), "%s", argv[0]);
    if (retire) {
        snprintf(retire_pids, sizeof(retire_pids), "%s", retire);
        unsetenv("APP_RETIRE_PIDS");
    }
    if (FCGX_Init() != 0) {
        fprintf(stderr, "museum-app: FCGX_Init failed\n");
        return 1;
    }
    listen_fd = open_listener(&cfg);
    if (listen_fd < 0)
        return 1;
    board = pool_board_create();
    if (!board) {
        fprintf(stderr, "museum-app: cannot map the scoreboard\n");
        return 1;
    }
    master_pid = getpid();
    board->min_workers = (int)cfg.min_workers;
    board->max_workers = (int)cfg.max_workers;
    if (daemon_write_pidfile(cfg.pidfile) != 0)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&master_signals);
    sigaddset(&master_signals, SIGCHLD);
    sigaddset(&master_signals, SIGTERM);
    sigaddset(&master_signals, SIGINT);
    sigaddset(&master_signals, SIGHUP);
    sigaddset(&master_signals, SIGUSR2);
    sigprocmask(SIG_BLOCK, &master_signals, NULL);

    manage(&cfg, listen_fd, &spawn_rate);
    if (retire_pids[0])
        retire_previous(retire_pids);
    fprintf(stderr, "event=app_started pid=%ld workers_min=%ld workers_max=%ld\n", (long)getpid(),
            cfg.min_workers, cfg.max_workers);

    while (!stopping) {
        struct timespec tick = {0, 100 * 1000000L};
        int sig = sigtimedwait(&master_signals, NULL, &tick);

        if (sig == SIGTERM || sig == SIGINT)
            stopping = 1;
        else if (sig == SIGHUP || sig == SIGUSR2)
            reload(&cfg, listen_fd, argv);
        reap();
        if (!stopping)
            manage(&cfg, listen_fd, &spawn_rate);
    }

    stop_workers(&cfg);
    if (cfg.own_socket ||
        (cfg.socket_path && cfg.socket_path[0] == '/' && !getenv("INVOCATION_ID")))
        unlink(cfg.socket_path);
    if (cfg.pidfile)
        unlink(cfg.pidfile);
    fprintf(stderr, "event=app_stopped\n");
    return 0;
}
