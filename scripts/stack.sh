#!/usr/bin/env bash
# Brings the SK Museum stack up or down: embedded PostgreSQL (unless
# DATABASE_URL is set), migrations, the FastCGI server, the listener, nginx.
#
#   stack.sh start|stop|run|status|dburl|psql|migrate|restart-db
#
# Environment: VAR (state dir, default ./var), PORT (nginx, default 8080),
# BIN (binaries, default ./build/release), DATABASE_URL (use an existing
# PostgreSQL), APP_WORKERS (default 4), PG_FAST=1 (no fsync: test stacks),
# ADMIN_PASSWORD (staff password; default: generated into var/admin-password),
# APP_DATABASE_URL (how the app and listener connect; default: as museum_app
# on the embedded cluster, DATABASE_URL on an external one).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=${VAR:-$ROOT/var}
PORT=${PORT:-8080}
BIN=${BIN:-$ROOT/build/release}
APP_WORKERS=${APP_WORKERS:-4}
RUN=$VAR/run
LOG=$VAR/log
PGDATA=$VAR/pg
PGPORT=5432

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# Runs a command as the PostgreSQL server's user (postgres refuses root).
as_pg() {
    if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bindir() {
    local d
    d=$(pg_config --bindir 2>/dev/null || true)
    if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
        d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    fi
    [ -x "$d/initdb" ] || die "initdb not found: install postgresql-15 (make deps)"
    printf '%s' "$d"
}

# The directory holding the server's unix socket: the data directory, or a
# short one under /tmp when the path would pass the 107-byte socket limit.
sock_dir() {
    local d
    d=$(readlink -f "$PGDATA" 2>/dev/null || printf '%s' "$PGDATA")
    if [ $((${#d} + 20)) -gt 100 ]; then
        d=/tmp/sk-museum-$(printf '%s' "$VAR" | md5sum | cut -c1-12)
    fi
    printf '%s' "$d"
}

urlencode_path() { printf '%s' "$1" | sed -e 's/%/%25/g' -e 's/ /%20/g' -e 's/&/%26/g' -e 's/#/%23/g'; }

dburl() {
    if [ -n "${DATABASE_URL:-}" ]; then
        printf '%s\n' "$DATABASE_URL"
    else
        printf 'postgresql:///museum?host=%s&port=%s&user=postgres\n' \
            "$(urlencode_path "$(sock_dir)")" "$PGPORT"
    fi
}

# --- security: the application's database role and the staff password ---

# The application connects as museum_app (see db/migrations/006_roles.sql).
app_dburl() {
    if [ -n "${APP_DATABASE_URL:-}" ]; then
        printf '%s\n' "$APP_DATABASE_URL"
    elif [ -n "${DATABASE_URL:-}" ]; then
        printf '%s\n' "$DATABASE_URL"
    else
        dburl | sed 's/&user=postgres$/\&user=museum_app/'
    fi
}

# The staff password: ADMIN_PASSWORD, else var/admin-password, made once
# from /dev/urandom (mode 600).
admin_password() {
    local file=$VAR/admin-password
    if [ -n "${ADMIN_PASSWORD:-}" ]; then
        printf '%s' "$ADMIN_PASSWORD"
        return
    fi
    if [ ! -s "$file" ]; then
        mkdir -p "$VAR"
        (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$file.new" && mv "$file.new" "$file")
    fi
    chmod 600 "$file"
    tr -d '\n' <"$file"
}
# --- end security ---

# pid of a running process from var/run/<name>.pid whose command matches
# pattern, or nothing.
running_pid() {
    local file=$RUN/$1.pid pattern=$2 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern"; then
        printf '%s' "$pid"
    fi
}

pg_running() { as_pg "$(pg_bindir)/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

pg_start() {
    local bindir sock alt
    [ -z "${DATABASE_URL:-}" ] || return 0
    bindir=$(pg_bindir)
    mkdir -p "$VAR"
    chmod 755 "$VAR"
    if is_root && [ ! -e "$PGDATA" ] && ! runuser -u postgres -- test -x "$VAR"; then
        # postgres cannot reach this checkout (e.g. under /root): keep the
        # cluster where it can, linked from var/pg.
        alt=/var/lib/sk-museum/$(printf '%s' "$VAR" | md5sum | cut -c1-12)
        mkdir -p "$alt"
        ln -sfn "$alt" "$PGDATA"
    fi
    mkdir -p "$PGDATA"
    sock=$(sock_dir)
    mkdir -p "$sock"
    if is_root; then chown postgres: "$PGDATA" "$(readlink -f "$PGDATA")" "$sock"; fi
    chmod 700 "$(readlink -f "$PGDATA")"
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        say "initialising PostgreSQL cluster in $PGDATA"
        as_pg "$bindir/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
            >"$LOG/initdb.log" 2>&1 || { cat "$LOG/initdb.log" >&2; die "initdb failed"; }
        {
            echo "listen_addresses = ''"
            echo "max_connections = 200"
            echo "shared_buffers = 256MB"
            echo "log_min_duration_statement = 1000"
            if [ "${PG_FAST:-0}" = 1 ]; then
                echo "fsync = off"
                echo "synchronous_commit = off"
                echo "full_page_writes = off"
            fi
        } | as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null
    fi
    if ! pg_running; then
        as_pg "$bindir/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
            -o "-k $sock -p $PGPORT" start >/dev/null ||
            { tail -n 20 "$PGDATA/server.log" >&2; die "PostgreSQL did not start"; }
    fi
    if ! psql "$(dburl | sed 's|/museum?|/postgres?|')" -XtAq -c "SELECT 1 FROM pg_database WHERE datname = 'museum'" | grep -q 1; then
        psql "$(dburl | sed 's|/museum?|/postgres?|')" -Xq -c "CREATE DATABASE museum"
    fi
}

pg_stop() {
    [ -z "${DATABASE_URL:-}" ] || return 0
    [ -f "$PGDATA/PG_VERSION" ] || return 0
    if pg_running; then as_pg "$(pg_bindir)/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null; fi
}

migrate() {
    "$ROOT/db/migrate.sh" "$(dburl)"
}

# Starts a daemon that writes its own pid file; waits for the file.
start_daemon() {
    local name=$1 pattern=$2
    shift 2
    if [ -n "$(running_pid "$name" "$pattern")" ]; then
        return 0
    fi
    rm -f "$RUN/$name.pid"
    setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
    for _ in $(seq 50); do
        [ -n "$(running_pid "$name" "$pattern")" ] && return 0
        sleep 0.1
    done
    tail -n 20 "$LOG/$name.log" >&2
    die "$name did not start (see $LOG/$name.log)"
}

app_start() {
    [ -x "$BIN/museum-app" ] || die "$BIN/museum-app is not built (make)"
    start_daemon app museum-app env DATABASE_URL="$(app_dburl)" APP_SOCKET="$RUN/app.sock" \
        APP_PIDFILE="$RUN/app.pid" APP_WORKERS="$APP_WORKERS" \
        ADMIN_PASSWORD="$(admin_password)" "$BIN/museum-app"
}

listener_start() {
    [ -x "$BIN/museum-listener" ] || die "$BIN/museum-listener is not built (make)"
    start_daemon listener museum-listener env DATABASE_URL="$(app_dburl)" \
        LISTENER_PIDFILE="$RUN/listener.pid" "$BIN/museum-listener"
}

nginx_conf() {
    local user_line=""
    mkdir -p "$VAR/nginx"
    if is_root; then
        # Workers drop to nobody when it can read the pages and reach the
        # FastCGI socket; otherwise (a checkout under /root) stay root.
        if runuser -u nobody -- test -r "$ROOT/www/index.html" 2>/dev/null &&
            runuser -u nobody -- test -x "$RUN" 2>/dev/null; then
            user_line="user nobody nogroup;"
        else
            user_line="user root root;"
        fi
    fi
    sed -e "s|@VAR@|$VAR|g" -e "s|@ROOT@|$ROOT|g" -e "s|@PORT@|$PORT|g" \
        -e "s|@USER_LINE@|$user_line|g" "$ROOT/nginx/nginx.conf.in" >"$VAR/nginx/nginx.conf.new"
    nginx -q -t -p "$VAR/nginx" -e "$LOG/nginx-error.log" -c "$VAR/nginx/nginx.conf.new" ||
        die "nginx configuration test failed"
    mv "$VAR/nginx/nginx.conf.new" "$VAR/nginx/nginx.conf"
}

nginx_start() {
    command -v nginx >/dev/null || die "nginx is not installed (make deps)"
    [ -z "$(running_pid nginx nginx)" ] || return 0
    nginx_conf
    nginx -p "$VAR/nginx" -e "$LOG/nginx-error.log" -c "$VAR/nginx/nginx.conf" ||
        die "nginx did not start (is port $PORT free? see $LOG/nginx-error.log)"
}

wait_ready() {
    for _ in $(seq 100); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/museums?limit=1" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    die "the API did not answer on port $PORT"
}

start() {
    mkdir -p "$RUN" "$LOG"
    chmod 755 "$VAR" "$RUN"
    pg_start
    migrate
    app_start
    listener_start
    nginx_start
    wait_ready
    say "SK Museum is up: http://127.0.0.1:$PORT/"
    if [ -n "${ADMIN_PASSWORD:-}" ]; then
        say "staff sign-in (/admin/): user admin, the password in ADMIN_PASSWORD"
    else
        say "staff sign-in (/admin/): user admin, password $(admin_password) (kept in $VAR/admin-password)"
    fi
}

stop_pid() {
    local name=$1 pattern=$2 pid
    pid=$(running_pid "$name" "$pattern")
    [ -n "$pid" ] || { rm -f "$RUN/$name.pid"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$RUN/$name.pid"; return 0; }
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$RUN/$name.pid"
}

stop() {
    stop_pid nginx nginx
    stop_pid listener museum-listener
    stop_pid app museum-app
    pg_stop
    say "SK Museum is stopped"
}

status() {
    local name pattern pid rc=0
    for pair in nginx:nginx app:museum-app listener:museum-listener; do
        name=${pair%%:*}
        pattern=${pair#*:}
        pid=$(running_pid "$name" "$pattern")
        if [ -n "$pid" ]; then echo "$name: up (pid $pid)"; else echo "$name: down"; rc=1; fi
    done
    if [ -n "${DATABASE_URL:-}" ]; then
        echo "postgres: external ($DATABASE_URL)"
    elif pg_running; then echo "postgres: up ($PGDATA)"; else echo "postgres: down"; rc=1; fi
    return $rc
}

run() {
    start
    trap 'trap - INT TERM; echo; stop; exit 0' INT TERM
    say "logs follow; Ctrl-C stops everything"
    tail -n 0 -F "$LOG/app.log" "$LOG/listener.log" "$LOG/nginx-error.log" &
    wait
}

case "${1:-}" in
start) start ;;
stop) stop ;;
run) run ;;
status) status ;;
dburl) dburl ;;
appdburl) app_dburl ;;
sockdir) sock_dir; echo ;;
psql) shift; exec psql "$(dburl)" "$@" ;;
migrate) migrate ;;
pg-start) mkdir -p "$RUN" "$LOG"; pg_start ;;
pg-stop) pg_stop ;;
*) die "usage: $0 start|stop|run|status|dburl|psql|migrate|pg-start|pg-stop" ;;
esac
