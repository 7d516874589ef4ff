#!/usr/bin/env bash
# SK Museum as a cluster on one machine (docs/deploy.md, "A cluster on one
# machine"): 3 etcd members, 2 PostgreSQL 15 nodes under Patroni (primary
# + synchronous standby), PgBouncer following the primary, two app nodes
# (scripts/stack.sh each: FastCGI pool, listener, nginx), a front nginx
# balancing them and a health watcher. Each part its own process, port and
# data under $CLUSTER_DIR.
#
#   cluster.sh start|stop|status|watch|dburl|callback
#
# start is idempotent: it brings up only what is down. Run as root (the
# PostgreSQL nodes, Patroni and PgBouncer run as postgres).
#
# Environment: VAR (default ./var; the cluster lives in $VAR/cluster, or
# CLUSTER_DIR), PORT (the front, default 8080), CLUSTER_BASE (the first of
# the cluster's 100 ports, default 21100: see ports() below), FRONT_BIND
# (the front's source address toward the app nodes, default 127.0.0.3),
# BIN, and etc/museum.conf's settings (passed through to the app nodes).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=${VAR:-$ROOT/var}
case $VAR in /*) ;; *) VAR=$PWD/$VAR ;; esac
CLUSTER_DIR=${CLUSTER_DIR:-$VAR/cluster}
case $CLUSTER_DIR in /*) ;; *) CLUSTER_DIR=$PWD/$CLUSTER_DIR ;; esac
PORT=${PORT:-8080}
BIN=${BIN:-$ROOT/build/release}
FRONT_BIND=${FRONT_BIND:-127.0.0.3}
C=$CLUSTER_DIR
LOG=$C/log
RUNDIR=$C/run
SECRETS=$C/secrets
PGBIN=/usr/lib/postgresql/15/bin
# The runtime directory for the PostgreSQL nodes' sockets: short whatever
# the checkout's path (a socket path is limited to 107 bytes).
RT=/run/sk-museum/$(printf '%s' "$C" | md5sum | cut -c1-12)
SCOPE=sk-museum-$(printf '%s' "$C" | md5sum | cut -c1-8)

# The ports, from CLUSTER_BASE (B): etcd member i clients B+10+i, peers
# B+20+i; PostgreSQL node i B+30+i, its Patroni REST API B+40+i; PgBouncer
# B+50; app node a B+61, b B+62; the front PORT.
B=${CLUSTER_BASE:-21100}
ETCD_MEMBERS=(1 2 3)
PG_NODES=(1 2)
APP_NODES=(a b)
etcd_client_port() { echo $((B + 10 + $1)); }
etcd_peer_port() { echo $((B + 20 + $1)); }
pg_port() { echo $((B + 30 + $1)); }
rest_port() { echo $((B + 40 + $1)); }
PGB_PORT=$((B + 50))
app_port() { case $1 in a) echo $((B + 61)) ;; b) echo $((B + 62)) ;; esac; }

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root: PostgreSQL and Patroni run as postgres, the app nodes as scripts/stack.sh's users"

# --- processes: pid files in $RUNDIR, each checked against its command line ---

# pid of a running process from run/<name>.pid whose command matches
# pattern, or nothing.
running_pid() {
    local file=$RUNDIR/$1.pid pattern=$2 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern"; then
        printf '%s' "$pid"
    fi
}

# Starts a foreground program in the background, in its own session, as
# user $3 (setpriv execs it: the pid is the program's), unless running;
# logs to log/<name>.log.
spawn() {
    local name=$1 pattern=$2 user=$3 pid
    shift 3
    [ -z "$(running_pid "$name" "$pattern")" ] || return 0
    if [ "$user" = root ]; then
        setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
    else
        HOME=/var/lib/postgresql setsid setpriv --reuid="$user" --regid="$user" --init-groups -- "$@" \
            >>"$LOG/$name.log" 2>&1 </dev/null &
    fi
    pid=$!
    echo "$pid" >"$RUNDIR/$name.pid"
    sleep 0.2
    [ -n "$(running_pid "$name" "$pattern")" ] || { tail -n 20 "$LOG/$name.log" >&2; die "$name did not start (see $LOG/$name.log)"; }
    say "started $name (pid $pid)"
}

# Stops run/<name>.pid's process (TERM, then KILL after $3 seconds).
stop_pid() {
    local name=$1 pattern=$2 wait=${3:-10} pid
    pid=$(running_pid "$name" "$pattern")
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq $((wait * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUNDIR/$name.pid"
}

# Polls command "$@" every 0.2 s for up to $1 seconds.
wait_for() {
    local seconds=$1
    shift
    for _ in $(seq $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    return 1
}

# --- secrets: generated once, mode 600 ---

# The secret in secrets/$1 ($2 random bytes, URL-safe), made if missing.
secret() {
    local file=$SECRETS/$1
    if [ ! -s "$file" ]; then
        (umask 077 && head -c "${2:-18}" /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$file.new" && mv "$file.new" "$file")
    fi
    tr -d '\n' <"$file"
}

# The directories; secrets/ belongs to postgres (Patroni's config and the
# role-change callback read it), mode 700, its files 600.
prepare() {
    mkdir -p "$C" "$LOG" "$RUNDIR" "$C/front" "$RT"
    chmod 755 "$C" "$RT"
    # Patroni's callback (run as postgres) logs here.
    touch "$LOG/callback.log"
    chown postgres: "$LOG/callback.log"
    mkdir -p "$SECRETS"
    for s in superuser replication museum_app museum_listener reporting pgbouncer_admin; do secret "$s" >/dev/null; done
    secret admin-password 18 >/dev/null
    secret seal-key 32 >/dev/null
    chown -R postgres: "$SECRETS"
    chmod 700 "$SECRETS"
    chmod 600 "$SECRETS"/*
}

# --- etcd: three members on 127.0.0.1 ---

etcd_endpoints() {
    local i out=()
    for i in "${ETCD_MEMBERS[@]}"; do out+=("127.0.0.1:$(etcd_client_port "$i")"); done
    (IFS=,; echo "${out[*]}")
}

etcd_start() {
    local i initial=() name
    for i in "${ETCD_MEMBERS[@]}"; do initial+=("etcd$i=http://127.0.0.1:$(etcd_peer_port "$i")"); done
    for i in "${ETCD_MEMBERS[@]}"; do
        name=etcd$i
        mkdir -p "$C/$name"
        chmod 700 "$C/$name"
        spawn "$name" "etcd --name $name" root etcd --name "$name" --data-dir "$C/$name/data" \
            --listen-client-urls "http://127.0.0.1:$(etcd_client_port "$i")" \
            --advertise-client-urls "http://127.0.0.1:$(etcd_client_port "$i")" \
            --listen-peer-urls "http://127.0.0.1:$(etcd_peer_port "$i")" \
            --initial-advertise-peer-urls "http://127.0.0.1:$(etcd_peer_port "$i")" \
            --initial-cluster "$(IFS=,; echo "${initial[*]}")" --initial-cluster-state new \
            --initial-cluster-token "$SCOPE" --listen-metrics-urls "" \
            --heartbeat-interval 100 --election-timeout 1000 --quota-backend-bytes $((256 * 1024 * 1024)) \
            --logger zap --log-outputs stderr
    done
    wait_for 30 etcdctl --endpoints "$(etcd_endpoints)" --command-timeout=2s endpoint health --cluster ||
        die "etcd is not healthy (see $LOG/etcd*.log)"
}

# --- PostgreSQL under Patroni ---

# Patroni's configuration of node $1 (ttl 10, loop_wait 2, retry_timeout 4:
# a lost primary is replaced within about 10 to 15 s).
patroni_yml() {
    local i=$1 d=$C/pg$1
    cat <<EOF
# Written by scripts/cluster.sh on every start: edit that, not this.
scope: $SCOPE
namespace: /sk-museum/
name: pg$i
log:
  level: INFO
restapi:
  listen: 127.0.0.1:$(rest_port "$i")
  connect_address: 127.0.0.1:$(rest_port "$i")
etcd3:
  hosts: $(etcd_endpoints)
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_connections: 200
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        log_min_duration_statement: 1000
        log_parameter_max_length: 0
        log_parameter_max_length_on_error: 0
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
postgresql:
  listen: 127.0.0.1:$(pg_port "$i")
  connect_address: 127.0.0.1:$(pg_port "$i")
  data_dir: $d/data
  bin_dir: $PGBIN
  pgpass: $d/pgpass
  authentication:
    superuser:
      username: postgres
      password: $(secret superuser)
    replication:
      username: replicator
      password: $(secret replication)
  parameters:
    unix_socket_directories: $RT/pg$i
    password_encryption: scram-sha-256
  pg_hba:
    - local all postgres peer
    - host all all 127.0.0.1/32 scram-sha-256
    - host replication replicator 127.0.0.1/32 scram-sha-256
  callbacks:
    on_start: $ROOT/scripts/cluster-callback.sh $C $(pg_port "$i") $PGB_PORT
    on_role_change: $ROOT/scripts/cluster-callback.sh $C $(pg_port "$i") $PGB_PORT
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
EOF
}

patroni_start() {
    local i d
    for i in "${PG_NODES[@]}"; do
        d=$C/pg$i
        mkdir -p "$d" "$RT/pg$i"
        chown postgres: "$d" "$RT/pg$i"
        chmod 700 "$d"
        patroni_yml "$i" | install -m 600 -o postgres -g postgres /dev/stdin "$d/patroni.yml"
        spawn "patroni$i" "patroni $d/patroni.yml" postgres patroni "$d/patroni.yml"
    done
}

# Patroni's REST API of node $1: GET path $2.
rest() { curl -fsS -m 2 "http://127.0.0.1:$(rest_port "$1")$2"; }

# The node (1 or 2) that is the running primary, or nothing.
leader_node() {
    local i
    for i in "${PG_NODES[@]}"; do
        if rest "$i" /primary >/dev/null 2>&1; then echo "$i"; return 0; fi
    done
    return 1
}

# Both nodes running, one primary, the other its synchronous standby.
sync_ready() {
    local i
    for i in "${PG_NODES[@]}"; do
        rest "$i" /patroni | grep -q '"state": *"running"' || return 1
    done
    rest 1 /cluster | grep -q '"sync_standby"'
}

# URLs: the owner's (superuser postgres) and the roles', either node, the
# libpq attribute (read-write: the primary) choosing.
hosts() { echo "127.0.0.1:$(pg_port 1),127.0.0.1:$(pg_port 2)"; }
owner_url() { echo "postgresql://postgres:$(secret superuser)@$(hosts)/${1:-museum}?target_session_attrs=read-write&connect_timeout=2"; }
app_url() { echo "postgresql://museum_app:$(secret museum_app)@127.0.0.1:$PGB_PORT/museum"; }
read_url() { echo "postgresql://museum_app:$(secret museum_app)@$(hosts)/museum?target_session_attrs=prefer-standby&connect_timeout=2"; }
listener_url() { echo "postgresql://museum_listener:$(secret museum_listener)@$(hosts)/museum?target_session_attrs=read-write&connect_timeout=2"; }

# The database, its schema (db/migrate.sh through scripts/stack.sh
# migrate, with the CHECKIN_LATE_MIN step), the roles' passwords, and
# museum_app's session settings: through PgBouncer (1.18) libpq's
# "options" do not reach the server, so what the workers set there
# (fcgi/db.c) is set on the role too.
schema() {
    local url stamp
    # Done already for these migrations, functions and settings: nothing to do.
    stamp=$(cat "$ROOT"/db/migrate.sh "$ROOT"/db/migrations/*.sql "$ROOT"/db/functions/*.sql "$SECRETS"/* "${MUSEUM_CONF:-$ROOT/etc/museum.conf}" |
        md5sum | cut -c1-32)
    [ "$(cat "$C/schema.done" 2>/dev/null)" != "$stamp" ] || return 0
    url=$(owner_url postgres)
    psql "$url" -XtAq -c "SELECT 1 FROM pg_database WHERE datname = 'museum'" | grep -q 1 ||
        psql "$url" -Xq -c "CREATE DATABASE museum"
    DATABASE_URL=$(owner_url) VAR=$C/app-a "$ROOT/scripts/stack.sh" migrate
    # shellcheck disable=SC1091
    (set -a; . <(grep -E '^(MUSEUM_TZ|DB_STATEMENT_TIMEOUT_MS|DB_LOCK_TIMEOUT_MS)=' "${MUSEUM_CONF:-$ROOT/etc/museum.conf}"); set +a
        psql "$(owner_url)" -Xq -v ON_ERROR_STOP=1 \
            -v app="$(secret museum_app)" -v listener="$(secret museum_listener)" -v reporting="$(secret reporting)" \
            -v tz="${MUSEUM_TZ:-Asia/Seoul}" -v st="${DB_STATEMENT_TIMEOUT_MS:-5000}" -v lt="${DB_LOCK_TIMEOUT_MS:-1000}" <<'EOF'
SET client_min_messages = warning;
ALTER ROLE museum_app PASSWORD :'app';
ALTER ROLE museum_listener PASSWORD :'listener';
ALTER ROLE reporting PASSWORD :'reporting';
ALTER ROLE museum_app IN DATABASE museum SET DateStyle = 'ISO';
ALTER ROLE museum_app IN DATABASE museum SET TimeZone = :'tz';
ALTER ROLE museum_app IN DATABASE museum SET statement_timeout = :'st';
ALTER ROLE museum_app IN DATABASE museum SET lock_timeout = :'lt';
ALTER ROLE museum_app IN DATABASE museum SET idle_in_transaction_session_timeout = 10000;
ALTER ROLE museum_app IN DATABASE museum SET client_connection_check_interval = 1000;
EOF
    )
    echo "$stamp" >"$C/schema.done"
}

# --- PgBouncer: in front of the primary ---

pgbouncer_start() {
    local d=$C/pgbouncer leader
    mkdir -p "$d"
    chown postgres: "$d"
    chmod 700 "$d"
    {
        printf '"museum_app" "%s"\n' "$(secret museum_app)"
        printf '"pgbouncer_admin" "%s"\n' "$(secret pgbouncer_admin)"
    } | install -m 600 -o postgres -g postgres /dev/stdin "$d/userlist.txt"
    # Session pooling: the workers prepare named statements, which
    # PgBouncer 1.18 cannot carry in transaction mode.
    install -m 600 -o postgres -g postgres /dev/stdin "$d/pgbouncer.ini" <<EOF
; Written by scripts/cluster.sh on every start: edit that, not this.
; [databases] is databases.ini, rewritten by scripts/cluster-callback.sh
; (Patroni's on_role_change/on_start) to point at the primary.
%include $d/databases.ini
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
pidfile = $d/pgbouncer.pid
auth_type = scram-sha-256
auth_file = $d/userlist.txt
admin_users = pgbouncer_admin
pool_mode = session
max_client_conn = 400
default_pool_size = 60
server_connect_timeout = 2
server_login_retry = 1
ignore_startup_parameters = options,extra_float_digits
EOF
    leader=$(leader_node) || die "no PostgreSQL primary"
    if [ ! -f "$d/databases.ini" ]; then
        runuser -u postgres -- "$ROOT/scripts/cluster-callback.sh" "$C" "$(pg_port "$leader")" "$PGB_PORT" on_start primary "$SCOPE" write-only
    fi
    spawn pgbouncer "pgbouncer $d/pgbouncer.ini" postgres pgbouncer "$d/pgbouncer.ini"
    wait_for 10 psql "host=127.0.0.1 port=$PGB_PORT dbname=pgbouncer user=pgbouncer_admin password=$(secret pgbouncer_admin)" -XtAq -c 'SHOW VERSION' ||
        die "PgBouncer does not answer (see $LOG/pgbouncer.log)"
    # Missed a callback while it was down (or at bootstrap)? Point it at
    # the primary now.
    grep -q "port=$(pg_port "$leader") " "$d/databases.ini" ||
        runuser -u postgres -- "$ROOT/scripts/cluster-callback.sh" "$C" "$(pg_port "$leader")" "$PGB_PORT" on_start primary "$SCOPE"
}

# --- the app nodes: scripts/stack.sh each ---

# scripts/stack.sh for app node $1, with the cluster's URLs and secrets.
app_stack() {
    local n=$1
    shift
    env VAR="$C/app-$n" PORT="$(app_port "$n")" BIN="$BIN" \
        DATABASE_URL="$(owner_url)" APP_DATABASE_URL="$(app_url)" LISTENER_DATABASE_URL="$(listener_url)" \
        READ_DATABASE_URL="$(read_url)" REAL_IP_FROM="$FRONT_BIND" SKIP_MIGRATE=1 \
        ADMIN_PASSWORD="$(secret admin-password)" TICKET_SEAL_KEY="$(secret seal-key)" \
        PUBLIC_URL="${PUBLIC_URL:-http://127.0.0.1:$PORT}" \
        "$ROOT/scripts/stack.sh" "$@"
}

# --- the front nginx and its health watcher ---

front_upstream() {
    local n line
    for n in "${APP_NODES[@]}"; do
        line="server 127.0.0.1:$(app_port "$n") max_fails=1 fail_timeout=2s"
        if [[ " ${*:-} " == *" $n "* ]]; then line+=" down"; fi
        echo "$line;"
    done
}

front_conf() {
    local d=$C/front
    mkdir -p "$d"
    if [ ! -f "$d/upstream.conf" ]; then
        front_upstream >"$d/upstream.conf.new"
        mv "$d/upstream.conf.new" "$d/upstream.conf"
    fi
    sed -e "s|@DIR@|$d|g" -e "s|@LOG@|$LOG|g" -e "s|@LISTEN@|127.0.0.1:$PORT|g" -e "s|@BIND@|$FRONT_BIND|g" \
        "$ROOT/nginx/front.conf.in" >"$d/nginx.conf.new"
    nginx -q -t -p "$d" -e "$LOG/front-error.log" -c "$d/nginx.conf.new" || die "the front's nginx configuration test failed"
    mv "$d/nginx.conf.new" "$d/nginx.conf"
}

front_start() {
    local d=$C/front pid
    cp "$d/nginx.conf" "$d/nginx.conf.running" 2>/dev/null || true
    front_conf
    ln -sf "$d/nginx.pid" "$RUNDIR/front.pid"
    pid=$(running_pid front nginx)
    if [ -n "$pid" ]; then
        cmp -s "$d/nginx.conf" "$d/nginx.conf.running" || nginx -p "$d" -e "$LOG/front-error.log" -c "$d/nginx.conf" -s reload
    else
        nginx -p "$d" -e "$LOG/front-error.log" -c "$d/nginx.conf" || die "the front did not start (is port $PORT free?)"
        say "started the front on 127.0.0.1:$PORT"
    fi
}

# The health watcher: every second, each app node's /readyz; a node that
# fails is marked down in the front's upstream (then nginx reloads), up
# again once it passes. Never all down: if no node passes, all stay up
# (the front's passive checks still skip a node that refuses connections).
watch() {
    local d=$C/front n down new
    while :; do
        down=()
        for n in "${APP_NODES[@]}"; do
            curl -fsS -o /dev/null -m 2 "http://127.0.0.1:$(app_port "$n")/readyz" 2>/dev/null || down+=("$n")
        done
        [ ${#down[@]} -lt ${#APP_NODES[@]} ] || down=()
        new=$(front_upstream "${down[@]}")
        if [ "$new" != "$(cat "$d/upstream.conf" 2>/dev/null)" ]; then
            # Swapped in whole: a configuration test (front_conf) reading it
            # half-written saw an upstream with no server and failed.
            printf '%s\n' "$new" >"$d/upstream.conf.watch"
            mv "$d/upstream.conf.watch" "$d/upstream.conf"
            echo "$(date -u +%FT%T.%3NZ) event=upstream_changed down=\"${down[*]}\""
            nginx -p "$d" -e "$LOG/front-error.log" -c "$d/nginx.conf" -s reload || true
        fi
        sleep 1
    done
}

start() {
    local t0=$SECONDS n
    command -v patroni >/dev/null && command -v etcd >/dev/null && command -v pgbouncer >/dev/null ||
        die "patroni, etcd or pgbouncer is missing (make deps-cluster)"
    prepare
    etcd_start
    patroni_start
    wait_for 90 leader_node || die "no PostgreSQL primary after 90 s (see $LOG/patroni*.log)"
    wait_for 90 sync_ready || die "the synchronous standby is not streaming after 90 s (see $LOG/patroni*.log)"
    schema
    pgbouncer_start
    for n in "${APP_NODES[@]}"; do app_stack "$n" start 2>&1 | sed "s/^/app-$n: /" >&2; done
    front_start
    spawn watcher "cluster.sh watch" root env VAR="$VAR" CLUSTER_DIR="$C" CLUSTER_BASE="$B" PORT="$PORT" "$ROOT/scripts/cluster.sh" watch
    wait_for 30 curl -fsS -o /dev/null -m 2 "http://127.0.0.1:$PORT/readyz" || die "the front does not answer /readyz"
    say "SK Museum cluster is up in $((SECONDS - t0)) s: http://127.0.0.1:$PORT/ (primary: pg$(leader_node))"
}

stop() {
    local n i leader
    stop_pid watcher "cluster.sh watch"
    if [ -n "$(running_pid front nginx)" ]; then
        nginx -p "$C/front" -e "$LOG/front-error.log" -c "$C/front/nginx.conf" -s quit || true
        wait_for 10 test -z "$(running_pid front nginx)" || true
    fi
    for n in "${APP_NODES[@]}"; do
        [ -d "$C/app-$n" ] && app_stack "$n" stop 2>&1 | sed "s/^/app-$n: /" >&2
    done
    stop_pid pgbouncer pgbouncer
    # Patroni stops its PostgreSQL (fast shutdown) when it gets TERM: the
    # standby first, or it would take over from the stopping primary.
    leader=$(leader_node 2>/dev/null || true)
    for i in "${PG_NODES[@]}"; do [ "$i" = "$leader" ] || stop_pid "patroni$i" patroni 60; done
    [ -z "$leader" ] || stop_pid "patroni$leader" patroni 60
    for i in "${PG_NODES[@]}"; do
        if [ -f "$C/pg$i/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$C/pg$i/data" status >/dev/null 2>&1; then
            runuser -u postgres -- "$PGBIN/pg_ctl" -D "$C/pg$i/data" -m fast -w stop >/dev/null || true
        fi
    done
    for i in "${ETCD_MEMBERS[@]}"; do stop_pid "etcd$i" etcd; done
    say "SK Museum cluster is stopped"
}

# One line each: etcd members, Patroni nodes (role, lag), PgBouncer, app
# nodes (/readyz), the front. Exit 1 if any part is down.
status() {
    local rc=0 i n pid code
    echo "== etcd"
    etcdctl --endpoints "$(etcd_endpoints)" --command-timeout=2s endpoint status --cluster -w table 2>&1 || rc=1
    echo "== PostgreSQL (Patroni)"
    patronictl -c "$C/pg1/patroni.yml" list 2>&1 || rc=1
    for i in "${PG_NODES[@]}"; do
        printf 'pg%s (127.0.0.1:%s, REST %s): ' "$i" "$(pg_port "$i")" "$(rest_port "$i")"
        rest "$i" /patroni 2>/dev/null | python3 -c 'import json,sys; p=json.load(sys.stdin); print(p.get("role"), p.get("state"), "timeline", p.get("timeline"), "replication:", [(r.get("application_name"), r.get("sync_state"), r.get("state")) for r in p.get("replication", [])])' 2>/dev/null || { echo down; rc=1; }
    done
    echo "replication lag (bytes, from the primary):"
    psql "$(owner_url postgres)" -XtAq -F ' ' -c "SELECT '  ' || application_name, sync_state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication" 2>/dev/null || { echo "  unavailable"; rc=1; }
    echo "== PgBouncer (127.0.0.1:$PGB_PORT)"
    if [ -n "$(running_pid pgbouncer pgbouncer)" ]; then
        echo "up; [databases]: $(grep '^museum' "$C/pgbouncer/databases.ini" 2>/dev/null)"
    else echo down; rc=1; fi
    echo "== app nodes"
    for n in "${APP_NODES[@]}"; do
        code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$(app_port "$n")/readyz" || true)
        echo "app-$n (127.0.0.1:$(app_port "$n")): /readyz $code"
        [ "$code" = 200 ] || rc=1
    done
    echo "== front (127.0.0.1:$PORT, source $FRONT_BIND)"
    code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$PORT/readyz" || true)
    echo "front: /readyz $code; upstream: $(tr '\n' ' ' <"$C/front/upstream.conf" 2>/dev/null)"
    [ "$code" = 200 ] || rc=1
    pid=$(running_pid watcher "cluster.sh watch")
    if [ -n "$pid" ]; then echo "health watcher: up (pid $pid)"; else echo "health watcher: down"; rc=1; fi
    return $rc
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
watch) watch ;;
dburl) owner_url ;;
appdburl) app_url ;;
*) die "usage: $0 start|stop|status|watch|dburl|appdburl" ;;
esac
