#!/usr/bin/env bash
# Brings the SK Museum stack up or down: embedded PostgreSQL (unless
# DATABASE_URL is set), migrations, the FastCGI server, the listener, nginx.
#
#   stack.sh start|stop|run|status|dburl|psql|migrate|restart-db
#
# Environment: VAR (state dir, default ./var), PORT (nginx, default 8080),
# BIN (binaries, default ./build/release), DATABASE_URL (use an existing
# PostgreSQL), LISTENERS (listener instances, default 1), PG_FAST=1 (no
# fsync: test stacks), ADMIN_PASSWORD (staff password; default: generated
# into var/admin-password), APP_DATABASE_URL (how the app and listeners
# connect; default: as museum_app on the embedded cluster, DATABASE_URL on
# an external one), and everything in etc/museum.conf (APP_*, DB_*,
# LISTENER_*: passed through to the programs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Settings from etc/museum.conf (or MUSEUM_CONF) for whatever the
# environment does not set already: the environment wins.
load_config() {
    local file=${MUSEUM_CONF:-$ROOT/etc/museum.conf} line key value
    [ -f "$file" ] || return 0
    while IFS= read -r line || [ -n "$line" ]; do
        [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
        [[ "$line" =~ ^([A-Z_][A-Z0-9_]*)=(.*)$ ]] || { echo "error: $file: bad line: $line" >&2; exit 1; }
        key=${BASH_REMATCH[1]}
        value=${BASH_REMATCH[2]}
        [ -n "${!key+set}" ] || export "$key=$value"
    done <"$file"
}
load_config

VAR=${VAR:-$ROOT/var}
PORT=${PORT:-8080}
BIN=${BIN:-$ROOT/build/release}
LISTENERS=${LISTENERS:-1}
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
            -o "-k $sock -p $PGPORT -c autovacuum_naptime=10s" start >/dev/null ||
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
        APP_PIDFILE="$RUN/app.pid" ADMIN_PASSWORD="$(admin_password)" "$BIN/museum-app"
}

# Listener instance i is named "listener" (i = 1) or "listener-i".
listener_name() { if [ "$1" = 1 ]; then echo listener; else echo "listener-$1"; fi; }

listeners_start() {
    local i name
    [ -x "$BIN/museum-listener" ] || die "$BIN/museum-listener is not built (make)"
    [[ "$LISTENERS" =~ ^[1-9][0-9]?$ ]] || die "LISTENERS must be 1..99"
    for i in $(seq "$LISTENERS"); do
        name=$(listener_name "$i")
        start_daemon "$name" museum-listener env DATABASE_URL="$(app_dburl)" LISTENER_NAME="$name" \
            LISTENER_PIDFILE="$RUN/$name.pid" "$BIN/museum-listener"
    done
}

# Names of the listeners with a pid file, running or not.
listener_names() {
    local f
    for f in "$RUN"/listener*.pid; do
        [ -e "$f" ] && basename "$f" .pid
    done
    return 0
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
    # The same templates as production's files (deploy/nginx/), our values:
    # the limits (NGINX_MAX_CONNS, NGINX_CLIENT_MAX_CONNS, BOOKING_*,
    # CREDENTIALS_*, TRUSTED_CLIENTS) come from the environment or
    # etc/museum.conf, as exported by load_config; unset, the renderer's
    # defaults (production's).
    env VAR="$VAR" PORT="$PORT" NGINX_USER_LINE="$user_line" \
        "$ROOT/scripts/render-nginx.sh" dev "$VAR/nginx/nginx.conf.new"
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
    listeners_start
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
    for name in $(listener_names); do stop_pid "$name" museum-listener; done
    stop_pid app museum-app
    pg_stop
    say "SK Museum is stopped"
}

status() {
    local name pattern pid rc=0
    for pair in nginx:nginx app:museum-app $(listener_names | sed 's/$/:museum-listener/'); do
        name=${pair%%:*}
        pattern=${pair#*:}
        pid=$(running_pid "$name" "$pattern")
        if [ -n "$pid" ]; then echo "$name: up (pid $pid)"; else echo "$name: down"; rc=1; fi
    done
    if [ -n "${DATABASE_URL:-}" ]; then
        echo "postgres: external ($DATABASE_URL)"
    elif pg_running; then echo "postgres: up ($PGDATA)"; else echo "postgres: down"; return 1; fi
    psql "$(dburl)" -XtAq -F ' ' -c "SELECT 'outbox: pending=' || pending || ' oldest=' ||
        date_trunc('second', oldest_pending_age) || ' dead=' || dead || ' done_last_minute=' ||
        processed_last_minute FROM report.outbox" \
        -c "SELECT 'listener ' || name || ': pid=' || pid || ' events=' || events ||
        ' last_seen=' || round(extract(epoch FROM silent_for)::numeric, 1) || 's ago'
        FROM report.listeners" 2>/dev/null || true
    echo "status: $(curl -s -m 2 "http://127.0.0.1:$PORT/status" || echo unavailable)"
    return $rc
}

# Zero-downtime redeploy: the new binaries and config are checked first and
# refused (the old ones keep serving) if broken; then the FastCGI master
# re-executes itself keeping its socket, each listener is replaced, and
# nginx reloads gracefully.
reload() {
    local pid before name
    pid=$(running_pid app museum-app)
    [ -n "$pid" ] || die "the app is not running: use start"
    env DATABASE_URL="$(app_dburl)" "$BIN/museum-app" --check ||
        die "refused: $BIN/museum-app --check failed; the running version keeps serving"
    env DATABASE_URL="$(app_dburl)" "$BIN/museum-listener" --check 2>/dev/null ||
        die "refused: $BIN/museum-listener --check failed; the running version keeps serving"
    cp "$VAR/nginx/nginx.conf" "$VAR/nginx/nginx.conf.running"
    nginx_conf
    before=$(grep -c 'event=app_started' "$LOG/app.log" || true)
    kill -USR2 "$pid"
    for _ in $(seq 100); do
        [ "$(grep -c 'event=app_started' "$LOG/app.log" || true)" -gt "$before" ] && break
        if tail -n 5 "$LOG/app.log" | grep -q 'event=reload_refused'; then
            die "refused by the app master (see $LOG/app.log)"
        fi
        sleep 0.05
    done
    [ "$(grep -c 'event=app_started' "$LOG/app.log" || true)" -gt "$before" ] ||
        die "the app did not confirm the reload (see $LOG/app.log)"
    for name in $(listener_names); do stop_pid "$name" museum-listener; done
    listeners_start
    # nginx reloads gracefully, but its old workers then close idle
    # keep-alive connections, which a client may be reusing at that very
    # moment: reload it only when its configuration changed.
    if [ "${FORCE_NGINX_RELOAD:-0}" = 1 ] || ! cmp -s "$VAR/nginx/nginx.conf" "$VAR/nginx/nginx.conf.running"; then
        nginx -p "$VAR/nginx" -e "$LOG/nginx-error.log" -c "$VAR/nginx/nginx.conf" -s reload
        say "reloaded: app (pid $pid), listeners, nginx"
    else
        say "reloaded: app (pid $pid), listeners (nginx configuration unchanged)"
    fi
    rm -f "$VAR/nginx/nginx.conf.running"
}

run() {
    start
    trap 'trap - INT TERM; echo; stop; exit 0' INT TERM
    say "logs follow; Ctrl-C stops everything"
    tail -n 0 -F "$LOG/app.log" "$LOG"/listener*.log "$LOG/nginx-error.log" &
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
reload) reload ;;
listeners) mkdir -p "$RUN" "$LOG"; listeners_start ;;
retry-dead) psql "$(dburl)" -XtAq -c 'SELECT outbox.retry_dead()' | sed 's/$/ dead event(s) queued again/' ;;
rebuild-mypage) psql "$(dburl)" -XtAq -c 'SELECT mypage.rebuild()' | sed 's/$/ MyPage row(s) changed/' ;;
check-mypage)
    out=$(psql "$(dburl)" -X -q -v ON_ERROR_STOP=1 -P footer=off -c 'SELECT * FROM mypage.diff()')
    if [ "$(psql "$(dburl)" -XtAq -c 'SELECT count(*) FROM mypage.diff()')" = 0 ]; then
        echo "MyPage matches its source tables"
    else
        echo "$out"
        exit 1
    fi ;;
pg-start) mkdir -p "$RUN" "$LOG"; pg_start ;;
pg-stop) pg_stop ;;
*) die "usage: $0 start|stop|run|status|dburl|psql|migrate|reload|listeners|retry-dead|rebuild-mypage|check-mypage|pg-start|pg-stop" ;;
esac
