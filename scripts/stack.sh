#!/usr/bin/env bash
# Brings the SK Museum stack up or down: embedded PostgreSQL (unless
# DATABASE_URL is set), migrations, the FastCGI server, the listener, nginx.
#
#   stack.sh start|stop|run|status|dburl|psql|migrate|restart-db
#
# Environment: VAR (state dir, default ./var), PORT (nginx, default 8080),
# BIN (binaries, default ./build/release), DATABASE_URL (the schema owner's
# URL of an existing PostgreSQL, for migrations and psql; never given to the
# programs), LISTENERS (listener instances, default 1), PG_FAST=1 (no
# fsync: test stacks), ADMIN_PASSWORD (staff password; default: generated
# into var/admin-password), APP_DATABASE_URL / LISTENER_DATABASE_URL (how
# the app / the listeners connect; default: as museum_app / museum_listener
# on the embedded cluster, DATABASE_URL on an external one), SKIP_MIGRATE=1
# (start leaves the schema as it is: scripts/cluster.sh migrates it once
# for all its app nodes), APP_USER and LISTENER_USER (run as root: the
# users the app's workers and nginx's workers, and the listeners, run as;
# default sk-museum and sk-museum-listener, created if missing), and everything in
# etc/museum.conf (APP_*, DB_*, LISTENER_*: passed through to the programs).
#
# Privileges, when run as root: PostgreSQL runs as postgres; the app master
# and nginx's master stay root, their workers run as APP_USER and the
# listeners as LISTENER_USER. The sockets live in a short runtime directory,
# /run/sk-museum/<hash of VAR> (/tmp/sk-museum-<uid>/<hash> for other
# users), so that no checkout path is too long for a socket: run/ (the
# FastCGI socket and the pid files; var/run links to it) and pg/
# (PostgreSQL's socket) are closed to all but APP_USER's group. The
# embedded cluster authenticates by peer (pg_ident map sk_museum): the user
# who ran start may connect as any of its roles, APP_USER only as
# museum_app, LISTENER_USER only as museum_listener, nobody else at all.
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
case $VAR in /*) ;; *) VAR=$PWD/$VAR ;; esac
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

# The users the app's workers and nginx's workers, and the listeners, run
# as: only when we are root (a plain user's stack runs as that user).
if is_root; then
    APP_USER=${APP_USER:-sk-museum}
    # The listeners have a user of their own (in APP_USER's group, for the
    # sockets): an app worker can then neither read their environment nor
    # log in as museum_listener.
    LISTENER_USER=${LISTENER_USER:-sk-museum-listener}
else
    APP_USER=
    LISTENER_USER=
fi

# The runtime directory: short whatever VAR is (a socket path is limited to
# 107 bytes), one per VAR. Root's lives under /run, which only root may
# write; another user's under a /tmp directory that must be its own.
RT_BASE=$(if is_root; then echo /run/sk-museum; else echo "/tmp/sk-museum-$(id -u)"; fi)
RT=$RT_BASE/$(printf '%s' "$VAR" | md5sum | cut -c1-12)

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

# The directory holding PostgreSQL's unix socket.
sock_dir() { printf '%s' "$RT/pg"; }

# The data directory as postgres may reach it: var/pg may be a link to
# /var/lib/sk-museum/<hash> under a directory postgres cannot enter.
pgdata() { readlink -f "$PGDATA" 2>/dev/null || printf '%s' "$PGDATA"; }

# A directory of ours: created if missing, refused if it is a link or
# someone else's (a /tmp path another user could have made first).
own_dir() {
    local d=$1 mode=$2
    [ ! -L "$d" ] || die "$d is a symbolic link: remove it"
    mkdir -p "$d"
    [ -d "$d" ] && [ -O "$d" ] || die "$d is not a directory of $(id -un)'s: remove it"
    chmod "$mode" "$d"
}

# The user named by setting $1 (default $2, the only one made if missing:
# useradd --system with the options that follow; $3 says what it is for).
ensure_user() {
    local setting=$1 default=$2 what=$3 user=${!1}
    shift 3
    id -u "$user" >/dev/null 2>&1 && return 0
    [ "$user" = "$default" ] || die "$setting=$user: no such user"
    say "creating the system user $user ($what)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$@" \
        "$user" 2>/dev/null || id -u "$user" >/dev/null 2>&1 || die "could not create the user $user"
}

# The users APP_USER and LISTENER_USER (the listener's in APP_USER's group).
ensure_app_user() {
    is_root || return 0
    ensure_user APP_USER sk-museum "the app's workers and nginx's workers run as it" --user-group
    ensure_user LISTENER_USER sk-museum-listener "the listeners run as it" \
        --no-user-group --gid "$(id -gn "$APP_USER")"
}

app_group() { id -gn "$APP_USER"; }

# The state and runtime directories, as start needs them:
#   $RT          root 755 (a user's own: 700)
#   $RT/run      FastCGI socket, pid files   root:APP_USER's group 750
#   $RT/pg       PostgreSQL's socket         postgres:APP_USER's group 750
#   $RT/nginx    nginx's temporary files     root 755 (nginx gives its workers the subdirectories)
#   $RT/log      -> $VAR/log
#   $VAR/run     -> $RT/run
prepare_dirs() {
    local pid f
    mkdir -p "$VAR" "$LOG"
    chmod 755 "$VAR"
    ensure_app_user
    if is_root; then own_dir "$RT_BASE" 755; own_dir "$RT" 755; else own_dir "$RT_BASE" 700; own_dir "$RT" 700; fi
    # Only we can make entries in $RT once it is ours.
    mkdir -p "$RT/run" "$RT/nginx"
    if [ -z "${DATABASE_URL:-}" ]; then mkdir -p "$RT/pg"; fi
    if is_root; then
        chgrp "$(app_group)" "$RT/run"
        chmod 750 "$RT/run"
        chmod 755 "$RT/nginx"
        if [ -z "${DATABASE_URL:-}" ]; then
            chown "postgres:$(app_group)" "$RT/pg"
            chmod 750 "$RT/pg"
        fi
    else
        chmod 700 "$RT/run" "$RT/nginx"
        if [ -z "${DATABASE_URL:-}" ]; then chmod 700 "$RT/pg"; fi
    fi
    ln -sfn "$LOG" "$RT/log"
    if [ -d "$RUN" ] && [ ! -L "$RUN" ]; then
        # var/run as a directory: a stack from before the runtime directory.
        for f in "$RUN"/*.pid; do
            [ -e "$f" ] || continue
            pid=$(cat "$f" 2>/dev/null || true)
            if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                die "$f: a stack started by an older scripts/stack.sh is running: make stop first"
            fi
        done
        rm -rf "$RUN"
    fi
    [ "$(readlink "$RUN" 2>/dev/null)" = "$RT/run" ] || ln -sfn "$RT/run" "$RUN"
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

# The URL a program connects with: its own setting ($1, e.g.
# APP_DATABASE_URL), else DATABASE_URL on an external server, else role $2
# on the embedded cluster.
role_dburl() {
    if [ -n "${!1:-}" ]; then
        printf '%s\n' "${!1}"
    elif [ -n "${DATABASE_URL:-}" ]; then
        printf '%s\n' "$DATABASE_URL"
    else
        dburl | sed "s/&user=postgres\$/\\&user=$2/"
    fi
}
# The application connects as museum_app (db/migrations/006_roles.sql), the
# listeners as museum_listener (013_listener_role.sql).
app_dburl() { role_dburl APP_DATABASE_URL museum_app; }
listener_dburl() { role_dburl LISTENER_DATABASE_URL museum_listener; }

# A secret: the value of the environment variable $1 if set, else the file
# var/$2, made once from $3 bytes of /dev/urandom (URL-safe base64, mode
# 600).
secret() {
    local file=$VAR/$2
    if [ -n "${!1:-}" ]; then
        printf '%s' "${!1}"
        return
    fi
    if [ ! -s "$file" ]; then
        mkdir -p "$VAR"
        (umask 077 && head -c "$3" /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$file.new" && mv "$file.new" "$file")
    fi
    chmod 600 "$file"
    tr -d '\n' <"$file"
}

# The staff password: ADMIN_PASSWORD, else var/admin-password.
admin_password() { secret ADMIN_PASSWORD admin-password 18; }

# The server key sealing booking and sign-in tokens until their email is
# sent (mail.seal): TICKET_SEAL_KEY, else var/seal-key. The app seals, the
# listener opens; the database never has it.
seal_key() { secret TICKET_SEAL_KEY seal-key 32; }
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

pg_running() { as_pg "$(pg_bindir)/pg_ctl" -D "$(pgdata)" status >/dev/null 2>&1; }

# Writes file $1 (in the data directory) from stdin if it differs; returns
# 0 if it changed.
pg_write() {
    local new
    new=$(cat)
    [ "$new" != "$(cat "$1" 2>/dev/null)" ] || return 1
    printf '%s\n' "$new" | as_pg tee "$1" >/dev/null
}

# Who may connect to the embedded cluster, and what it logs, rewritten on
# every start (so an older cluster that trusted every local connection is
# closed too): only through the socket, by peer authentication, as the map
# allows (no secret to keep: the kernel vouches for the connecting user);
# no statement parameter in the log. Returns 0 if anything changed.
pg_conf() {
    local d=$1 me changed=1
    me=$(id -un)
    {
        echo "# Written by scripts/stack.sh on every start: edit that, not this."
        echo "# Unix socket only (listen_addresses = ''), peer authentication, pg_ident.conf's map."
        echo "local all all peer map=sk_museum"
    } | pg_write "$d/pg_hba.conf" && changed=0
    {
        echo "# Written by scripts/stack.sh on every start: edit that, not this."
        echo "# MAPNAME  SYSTEM-USERNAME  PG-USERNAME"
        echo "# $me started the stack: the owner (make -s dburl), and every role."
        for role in postgres museum_app museum_listener reporting; do echo "sk_museum $me $role"; done
        [ "$me" = postgres ] || echo "sk_museum postgres postgres"
        if [ -n "$APP_USER" ]; then
            echo "# The app's workers (APP_USER) and the listeners (LISTENER_USER): each its own role only."
            echo "sk_museum $APP_USER museum_app"
            echo "sk_museum $LISTENER_USER museum_listener"
        fi
    } | pg_write "$d/pg_ident.conf" && changed=0
    # Never log a statement's parameters (a booking token is one).
    for setting in log_parameter_max_length log_parameter_max_length_on_error; do
        if ! grep -q "^$setting = 0\$" "$d/postgresql.conf"; then
            echo "$setting = 0" | as_pg tee -a "$d/postgresql.conf" >/dev/null
            changed=0
        fi
    done
    return $changed
}

pg_start() {
    local bindir alt d
    [ -z "${DATABASE_URL:-}" ] || return 0
    bindir=$(pg_bindir)
    if is_root && [ ! -e "$PGDATA" ] && ! runuser -u postgres -- test -x "$VAR"; then
        # postgres cannot reach this checkout (e.g. under /root): keep the
        # cluster where it can, linked from var/pg.
        alt=/var/lib/sk-museum/$(printf '%s' "$VAR" | md5sum | cut -c1-12)
        mkdir -p "$alt"
        ln -sfn "$alt" "$PGDATA"
    fi
    mkdir -p "$PGDATA"
    d=$(pgdata)
    if is_root; then chown postgres: "$d"; fi
    chmod 700 "$d"
    if [ ! -f "$d/PG_VERSION" ]; then
        say "initialising PostgreSQL cluster in $PGDATA"
        as_pg "$bindir/initdb" -D "$d" -U postgres --auth-local=peer --auth-host=reject -E UTF8 --locale=C.UTF-8 \
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
        } | as_pg tee -a "$d/postgresql.conf" >/dev/null
    fi
    if pg_conf "$d" && pg_running; then
        as_pg "$bindir/pg_ctl" -D "$d" reload >/dev/null
    fi
    if pg_running && [ ! -S "$(sock_dir)/.s.PGSQL.$PGPORT" ]; then
        die "PostgreSQL ($PGDATA) runs with its socket elsewhere (started by an older scripts/stack.sh): make stop, then start"
    fi
    if ! pg_running; then
        as_pg "$bindir/pg_ctl" -D "$d" -l "$d/server.log" -w -t 60 \
            -o "-k $(sock_dir) -p $PGPORT -c autovacuum_naptime=10s" start >/dev/null ||
            { tail -n 20 "$d/server.log" >&2; die "PostgreSQL did not start"; }
    fi
    if ! psql "$(dburl | sed 's|/museum?|/postgres?|')" -XtAq -c "SELECT 1 FROM pg_database WHERE datname = 'museum'" | grep -q 1; then
        psql "$(dburl | sed 's|/museum?|/postgres?|')" -Xq -c "CREATE DATABASE museum"
    fi
}

pg_stop() {
    [ -z "${DATABASE_URL:-}" ] || return 0
    [ -f "$PGDATA/PG_VERSION" ] || return 0
    if pg_running; then as_pg "$(pg_bindir)/pg_ctl" -D "$(pgdata)" -m fast -w stop >/dev/null; fi
}

migrate() {
    "$ROOT/db/migrate.sh" "$(dburl)"
    # report.no_shows counts from the app's CHECKIN_LATE_MIN (docs/door.md).
    [[ "${CHECKIN_LATE_MIN:-60}" =~ ^[0-9]{1,4}$ ]] || die "CHECKIN_LATE_MIN: a number of minutes"
    echo "SELECT format('ALTER DATABASE %I SET museum.checkin_late_min = %s', current_database(), :'late') \\gexec" |
        psql "$(dburl)" -XqAt -v ON_ERROR_STOP=1 -v late="${CHECKIN_LATE_MIN:-60}" >/dev/null
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

# The programs get their own role's URL, never the owner's DATABASE_URL.
app_start() {
    [ -x "$BIN/museum-app" ] || die "$BIN/museum-app is not built (make)"
    start_daemon app museum-app env -u DATABASE_URL -u LISTENER_DATABASE_URL \
        APP_DATABASE_URL="$(app_dburl)" APP_USER="$APP_USER" APP_SOCKET="$RT/run/app.sock" \
        APP_PIDFILE="$RUN/app.pid" ADMIN_PASSWORD="$(admin_password)" \
        TICKET_SEAL_KEY="$(seal_key)" "$BIN/museum-app"
}

# The Maildir the listeners write each email into when SMTP_URL is unset
# (MAIL_DIR, default var/mail): tmp/, new/, cur/, theirs to write
# (docs/mail.md). PUBLIC_URL: where the links in the emails point.
# When LISTENER_USER cannot reach this checkout (e.g. under /root), the
# default Maildir lives in /var/lib/sk-museum/mail-<hash>, linked from
# var/mail, as PostgreSQL's data does; the listeners get the real path.
mail_dir() {
    local d=${MAIL_DIR:-$VAR/mail}
    readlink -f "$d" 2>/dev/null || printf '%s' "$d"
}
public_url() { printf '%s' "${PUBLIC_URL:-http://127.0.0.1:$PORT}"; }
mail_prepare() {
    local d
    [ -z "${SMTP_URL:-}" ] || return 0
    if is_root && [ -z "${MAIL_DIR:-}" ] && [ ! -e "$VAR/mail" ] &&
        ! runuser -u "$LISTENER_USER" -- test -x "$VAR"; then
        d=/var/lib/sk-museum/mail-$(printf '%s' "$VAR" | md5sum | cut -c1-12)
        mkdir -p "$d"
        ln -sfn "$d" "$VAR/mail"
    fi
    d=$(mail_dir)
    mkdir -p "$d/tmp" "$d/new" "$d/cur"
    if is_root; then
        chown "$LISTENER_USER:$(app_group)" "$d" "$d/tmp" "$d/new" "$d/cur"
        chmod 750 "$d" "$d/tmp" "$d/new" "$d/cur"
        runuser -u "$LISTENER_USER" -- test -w "$d/new" ||
            die "$LISTENER_USER cannot reach the Maildir $d: set MAIL_DIR to a directory it can"
    fi
}

# Listener instance i is named "listener" (i = 1) or "listener-i".
listener_name() { if [ "$1" = 1 ]; then echo listener; else echo "listener-$1"; fi; }

listeners_start() {
    local i name
    [ -x "$BIN/museum-listener" ] || die "$BIN/museum-listener is not built (make)"
    [[ "$LISTENERS" =~ ^[1-9][0-9]?$ ]] || die "LISTENERS must be 1..99"
    mail_prepare
    # The pid file of a listener that is gone (killed, or the machine
    # restarted under a kept runtime directory) would show it "down" in
    # status for good if this start does not run it again.
    for name in $(listener_names); do
        [ -n "$(running_pid "$name" museum-listener)" ] || rm -f "$RUN/$name.pid"
    done
    for i in $(seq "$LISTENERS"); do
        name=$(listener_name "$i")
        start_daemon "$name" museum-listener env -u DATABASE_URL -u APP_DATABASE_URL -u ADMIN_PASSWORD \
            LISTENER_DATABASE_URL="$(listener_dburl)" LISTENER_USER="$LISTENER_USER" LISTENER_NAME="$name" \
            LISTENER_PIDFILE="$RUN/$name.pid" TICKET_SEAL_KEY="$(seal_key)" \
            MAIL_DIR="$(mail_dir)" PUBLIC_URL="$(public_url)" "$BIN/museum-listener"
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

# A copy of the pages, the problem bodies and the renderer in the runtime
# directory, for nginx's workers when they cannot read this checkout (e.g.
# under /root): swapped in whole (share -> share.N), so nginx never serves
# half a copy.
share_copy() {
    local n=share.$$ old
    rm -rf "${RT:?}/$n"
    mkdir -p "$RT/$n/scripts"
    cp -r "$ROOT/www" "$ROOT/nginx" "$RT/$n/"
    cp "$ROOT/scripts/render-nginx.sh" "$RT/$n/scripts/"
    chgrp -R "$(app_group)" "$RT/$n"
    chmod -R u=rwX,g=rX,o= "$RT/$n"
    chmod 755 "$RT/$n"
    old=$(readlink "$RT/share" 2>/dev/null || true)
    ln -sfn "$n" "$RT/share.new"
    mv -T "$RT/share.new" "$RT/share"
    if [ -n "$old" ] && [ "$old" != "$n" ]; then rm -rf "${RT:?}/$old"; fi
}

nginx_conf() {
    local user_line="" render=$ROOT/scripts/render-nginx.sh nginx_var=$VAR
    mkdir -p "$VAR/nginx"
    if is_root; then
        # Workers run as APP_USER: they read the pages from this checkout
        # if they can, else from a copy.
        user_line="user $APP_USER $(app_group);"
        if ! runuser -u "$APP_USER" -- test -r "$ROOT/www/index.html" -a -r "$ROOT/nginx/_problem/404.json"; then
            share_copy
            render=$RT/share/scripts/render-nginx.sh
        fi
    fi
    # nginx's state paths (the FastCGI socket above all) are VAR's, unless
    # too long for a socket or closed to the workers: then the runtime
    # directory's (its run/ is var/run, its log/ links to var/log).
    if [ $((${#VAR} + 13)) -gt 100 ] || { is_root && ! runuser -u "$APP_USER" -- test -x "$VAR/run"; }; then
        nginx_var=$RT
    fi
    # The same templates as production's files (deploy/nginx/), our values:
    # the limits (NGINX_MAX_CONNS, NGINX_CLIENT_MAX_CONNS, BOOKING_*,
    # CREDENTIALS_*, TRUSTED_CLIENTS) come from the environment or
    # etc/museum.conf, as exported by load_config; unset, the renderer's
    # defaults (production's).
    env VAR="$nginx_var" PORT="$PORT" NGINX_USER_LINE="$user_line" \
        "$render" dev "$VAR/nginx/nginx.conf.new"
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
    prepare_dirs
    pg_start
    # SKIP_MIGRATE=1: the database's owner migrates it (scripts/cluster.sh
    # does, once for all app nodes).
    if [ "${SKIP_MIGRATE:-0}" != 1 ]; then migrate; fi
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
        FROM report.listeners" \
        -c "SELECT 'mail: due=' || due || ' waiting=' || waiting || ' dead=' || dead ||
        ' sent_last_hour=' || sent_last_hour || ' not_sent_last_hour=' || not_sent_last_hour ||
        ' oldest_unsent=' || round(oldest_due_seconds::numeric, 1) || 's'
        FROM mail.queue_status()" 2>/dev/null || true
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
    env -u DATABASE_URL APP_DATABASE_URL="$(app_dburl)" APP_USER="$APP_USER" TICKET_SEAL_KEY="$(seal_key)" "$BIN/museum-app" --check ||
        die "refused: $BIN/museum-app --check failed; the running version keeps serving"
    env -u DATABASE_URL LISTENER_DATABASE_URL="$(listener_dburl)" LISTENER_USER="$LISTENER_USER" \
        MAIL_DIR="$(mail_dir)" PUBLIC_URL="$(public_url)" "$BIN/museum-listener" --check 2>/dev/null ||
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


# check FUNCTION() OK-MESSAGE: a check function's rows (what is wrong), or
# OK-MESSAGE when it has none; exit 1 when it has some.
check() {
    local out
    out=$(psql "$(dburl)" -X -q -v ON_ERROR_STOP=1 -P footer=off -c "SELECT * FROM $1")
    if [ "$(psql "$(dburl)" -XtAq -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM $1")" = 0 ]; then
        echo "$2"
    else
        echo "$out"
        exit 1
    fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
run) run ;;
status) status ;;
dburl) dburl ;;
appdburl) app_dburl ;;
listenerdburl) listener_dburl ;;
appuser) echo "$APP_USER" ;;
listeneruser) echo "$LISTENER_USER" ;;
sockdir) sock_dir; echo ;;
psql) shift; exec psql "$(dburl)" "$@" ;;
migrate) migrate ;;
reload) reload ;;
listeners) prepare_dirs; listeners_start ;;
retry-dead) psql "$(dburl)" -XtAq -c 'SELECT outbox.retry_dead()' | sed 's/$/ dead event(s) queued again/'
    psql "$(dburl)" -XtAq -c 'SELECT mail.retry_dead()' | sed 's/$/ dead email(s) queued again/' ;;
mail) exec python3 "$ROOT/scripts/mail-list.py" "$(mail_dir)" ;;
rebuild-mypage) psql "$(dburl)" -XtAq -c 'SELECT mypage.rebuild()' | sed 's/$/ MyPage row(s) changed/' ;;
check-mypage) check 'mypage.diff()' "MyPage matches its source tables" ;;
check-seats) check 'museum.seat_diff()' "every slot's seats agree with its bookings" ;;
pg-start) prepare_dirs; pg_start ;;
pg-stop) pg_stop ;;
*) die "usage: $0 start|stop|run|status|dburl|psql|migrate|reload|listeners|retry-dead|mail|rebuild-mypage|check-mypage|check-seats|pg-start|pg-stop" ;;
esac
