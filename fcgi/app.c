/* museum-app: the FastCGI server. A master process holds the listening
 * socket and keeps APP_WORKERS worker processes alive; each worker answers
 * requests one at a time over its own PostgreSQL connection.
 *
 * Environment: DATABASE_URL (required), APP_SOCKET (unix socket path or
 * ":port"), APP_WORKERS (default 4), APP_PIDFILE (optional),
 * APP_MAX_REQUESTS (recycle a worker after that many requests, 0 = never). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "db.h"
#include "http.h"

#define MAX_WORKERS 256

static volatile sig_atomic_t stopping;
static volatile sig_atomic_t child_exited;
static sigset_t unblocked_mask; /* the mask workers run with */

static void on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static void on_child(int sig)
{
    (void)sig;
    child_exited = 1;
}

static void set_handler(int sig, void (*fn)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a signal must interrupt accept() */
    sigaction(sig, &sa, NULL);
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

/* A worker: answers requests until told to stop or recycled. Never returns. */
static void worker_run(int listen_fd, const char *dsn, long max_requests)
{
    FCGX_Request fcgx;
    long served = 0;

    prctl(PR_SET_PDEATHSIG, SIGTERM);
    set_handler(SIGTERM, on_stop);
    set_handler(SIGINT, on_stop);
    set_handler(SIGCHLD, SIG_DFL);
    sigprocmask(SIG_SETMASK, &unblocked_mask, NULL);
    db_init(dsn);
    FCGX_InitRequest(&fcgx, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
    while (!stopping && FCGX_Accept_r(&fcgx) >= 0) {
        struct http_request req;
        double start = now_ms();

        char log_line[512];

        http_request_init(&req, &fcgx);
        api_handle(&req);
        /* req points into fcgx's environment, which Finish frees. */
        snprintf(log_line, sizeof(log_line), "req=%s method=%s path=%.256s status=%d",
                 req.request_id, req.head ? "HEAD" : req.method, req.path, req.status);
        FCGX_Finish_r(&fcgx);
        fprintf(stderr, "%s ms=%.2f\n", log_line, now_ms() - start);
        if (max_requests > 0 && ++served >= max_requests)
            break;
    }
    db_close();
    _exit(0);
}

static pid_t worker_start(int listen_fd, const char *dsn, long max_requests)
{
    pid_t pid = fork();

    if (pid == 0)
        worker_run(listen_fd, dsn, max_requests);
    if (pid < 0)
        fprintf(stderr, "event=fork_failed error=\"%s\"\n", strerror(errno));
    return pid;
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
    const char *socket_path = getenv("APP_SOCKET");
    const char *pidfile = getenv("APP_PIDFILE");
    long nworkers = env_long("APP_WORKERS", 4, 1, MAX_WORKERS);
    long max_requests = env_long("APP_MAX_REQUESTS", 0, 0, 1000000000);
    pid_t workers[MAX_WORKERS] = {0};
    int listen_fd;
    time_t burst_start = time(NULL);
    int burst_deaths = 0;

    if (!dsn || !*dsn || !socket_path || !*socket_path) {
        fprintf(stderr, "museum-app: DATABASE_URL and APP_SOCKET must be set\n");
        return 2;
    }
    if (FCGX_Init() != 0) {
        fprintf(stderr, "museum-app: FCGX_Init failed\n");
        return 1;
    }
    if (socket_path[0] == '/')
        unlink(socket_path);
    listen_fd = FCGX_OpenSocket(socket_path, 1024);
    if (listen_fd < 0) {
        fprintf(stderr, "museum-app: cannot listen on %s: %s\n", socket_path, strerror(errno));
        return 1;
    }
    if (socket_path[0] == '/')
        chmod(socket_path, 0666);
    if (write_pidfile(pidfile) != 0)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    {
        sigset_t block;
        sigemptyset(&block);
        sigaddset(&block, SIGCHLD);
        sigaddset(&block, SIGTERM);
        sigaddset(&block, SIGINT);
        sigprocmask(SIG_BLOCK, &block, &unblocked_mask);
    }
    set_handler(SIGTERM, on_stop);
    set_handler(SIGINT, on_stop);
    set_handler(SIGCHLD, on_child);
    for (long i = 0; i < nworkers; i++)
        workers[i] = worker_start(listen_fd, dsn, max_requests);
    fprintf(stderr, "event=app_started pid=%ld workers=%ld socket=%s\n", (long)getpid(), nworkers,
            socket_path);

    while (!stopping) {
        pid_t pid;
        int wstatus;

        if (!child_exited)
            sigsuspend(&unblocked_mask);
        child_exited = 0;
        while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
            for (long i = 0; i < nworkers; i++) {
                if (workers[i] != pid)
                    continue;
                if (!(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)) {
                    fprintf(stderr, "event=worker_died pid=%ld status=%d signal=%d\n", (long)pid,
                            WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1,
                            WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
                    if (time(NULL) - burst_start > 1) {
                        burst_start = time(NULL);
                        burst_deaths = 0;
                    }
                    if (++burst_deaths > 16)
                        sleep(1); /* crash loop: do not fork-bomb */
                }
                workers[i] = stopping ? 0 : worker_start(listen_fd, dsn, max_requests);
            }
        }
    }

    for (long i = 0; i < nworkers; i++)
        if (workers[i] > 0)
            kill(workers[i], SIGTERM);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ;
    if (socket_path[0] == '/')
        unlink(socket_path);
    if (pidfile && *pidfile)
        unlink(pidfile);
    fprintf(stderr, "event=app_stopped\n");
    return 0;
}
