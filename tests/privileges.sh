#!/usr/bin/env bash
# Least privilege around the stack (a step of make test, while the test
# stack is up; VAR, BIN and DBURL as tests/run.sh exports them):
#
#   1. a process running as nobody can connect neither to PostgreSQL's
#      socket nor to the FastCGI socket, the embedded cluster trusts no
#      local connection, and no app worker, listener or nginx worker runs
#      as root (nor as nobody) -- on the test stack and on a second stack
#      whose checkout is unreadable by others and whose VAR is longer than
#      the 107-byte socket path limit;
#   2. museum-app and museum-listener take their own role's URL
#      (APP_DATABASE_URL, LISTENER_DATABASE_URL), never the owner's
#      DATABASE_URL; APP_USER is checked at start-up;
#   3. the listener connects as museum_listener (and museum_app cannot pass
#      the listener's --check);
#   4. a slow statement carrying a booking token leaves no token in
#      PostgreSQL's log.
#
# The probes as nobody need root; without it they are skipped (said so).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${VAR:?}" "${BIN:?}" "${DBURL:?}"

failures=0
ok() { printf 'ok      %s\n' "$*"; }
fail() { printf 'FAILED  %s\n' "$*"; failures=$((failures + 1)); }
not() { ! "$@"; }
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
T=$(mktemp -d /tmp/sk-priv.XXXXXX) # mode 700: nobody else may enter
VAR2=
cleanup() {
    local d
    if [ -n "$VAR2" ]; then
        env VAR="$VAR2" "$ROOT/scripts/stack.sh" stop >/dev/null 2>&1 || true
        # What a stack keeps outside its VAR (a checkout others cannot
        # read): the cluster under /var/lib/sk-museum, the sockets.
        for d in "$(readlink -f "$VAR2/pg")" "$(readlink -f "$VAR2/run")" "$(readlink -f "$VAR2/mail")" \
            "/tmp/sk-museum-$(printf '%s' "$VAR2" | md5sum | cut -c1-12)"; do
            case $d in
            /var/lib/sk-museum/?* | /run/sk-museum/?* | /tmp/sk-museum-?*) rm -rf "$d" ;;
            esac
        done
        d=$(readlink -f "$VAR2/run")
        case $d in /run/sk-museum/*/run) rm -rf "${d%/run}" ;; esac
    fi
    rm -rf "$T"
}
trap cleanup EXIT

# exited RC OUT WANT_RC WORD: RC is WANT_RC and OUT names WORD.
exited() { [ "$1" = "$3" ] && grep -q "$4" <<<"$2"; }
# Can user $2 run SELECT 1 through URL $1?
psql_as() { runuser -u "$2" -- psql "$1" -XtAq -c 'SELECT 1' </dev/null >/dev/null 2>&1; }

# The URL $1 with its user= replaced by $2.
as_user() { printf '%s' "$1" | sed -E "s/([?&])user=[^&]*/\\1user=$2/"; }

# --- 2. which URL each binary reads; APP_USER checked at start-up ----------
echo "== the binaries take their own role's URL; APP_USER is checked"
APPURL=$("$ROOT/scripts/stack.sh" appdburl)
LISTENERURL=$("$ROOT/scripts/stack.sh" listenerdburl 2>/dev/null) || LISTENERURL=$(as_user "$APPURL" museum_listener)
# Runs a binary for at most 5 s with only the given settings (and none of
# the DATABASE URLs the environment may hold); prints its output, returns
# its exit status (124: still running after 5 s).
run_bin() {
    local envs=()
    while [[ "$1" == [A-Z]*=* ]]; do envs+=("$1"); shift; done
    env -u DATABASE_URL -u APP_DATABASE_URL -u LISTENER_DATABASE_URL -u APP_USER -u LISTENER_USER \
        APP_PIDFILE= LISTENER_PIDFILE= LISTENER_NAME=priv-probe \
        TICKET_SEAL_KEY=privileges-probe-seal-key-0123456789 "${envs[@]}" timeout 5 "$@" 2>&1
}
out=$(run_bin DATABASE_URL="$DBURL" APP_SOCKET="$T/a.sock" "$BIN/museum-app")
rc=$?
check "museum-app refuses the owner's DATABASE_URL alone (exit 2, names APP_DATABASE_URL; got $rc)" \
    exited "$rc" "$out" 2 APP_DATABASE_URL
out=$(run_bin DATABASE_URL="$DBURL" "$BIN/museum-listener")
rc=$?
check "museum-listener refuses the owner's DATABASE_URL alone (exit 2, names LISTENER_DATABASE_URL; got $rc)" \
    exited "$rc" "$out" 2 LISTENER_DATABASE_URL
out=$(run_bin APP_DATABASE_URL="$APPURL" TICKET_SEAL_KEY=too-short "$BIN/museum-app" --check)
rc=$?
check "museum-app refuses a TICKET_SEAL_KEY under 32 characters (exit 2, names it; got $rc)" \
    exited "$rc" "$out" 2 TICKET_SEAL_KEY
check "museum-app --check passes with APP_DATABASE_URL (museum_app)" \
    run_bin APP_DATABASE_URL="$APPURL" "$BIN/museum-app" --check
check "museum-listener --check passes with LISTENER_DATABASE_URL (museum_listener)" \
    run_bin LISTENER_DATABASE_URL="$LISTENERURL" "$BIN/museum-listener" --check
check "museum-listener --check fails as museum_app (it may not run the listener's functions)" \
    test "$(run_bin LISTENER_DATABASE_URL="$APPURL" "$BIN/museum-listener" --check >/dev/null; echo $?)" != 0
for b in museum-app:APP_USER museum-listener:LISTENER_USER; do
    setting=${b#*:}
    b=${b%:*}
    out=$(run_bin APP_DATABASE_URL="$APPURL" LISTENER_DATABASE_URL="$LISTENERURL" APP_SOCKET="$T/b.sock" \
        "$setting=no-such-user-sk" "$BIN/$b")
    rc=$?
    check "$b: $setting=no-such-user-sk is a configuration error (exit 2, names $setting; got $rc)" \
        exited "$rc" "$out" 2 "$setting"
done
check "the deploy guide gives the services APP_DATABASE_URL, not the owner's DATABASE_URL" \
    bash -c "grep -q APP_DATABASE_URL '$ROOT/docs/deploy.md' && ! grep -Eq '^[#[:space:]]*DATABASE_URL=postgresql://museum_app' '$ROOT/docs/deploy.md'"
check "the units read the secrets from a root-only environment file" \
    bash -c "grep -q '^EnvironmentFile=.*app.env' '$ROOT/deploy/museum-app.service' && grep -q '^EnvironmentFile=.*listener.env' '$ROOT/deploy/museum-listener@.service'"

if [ "$(id -u)" != 0 ]; then
    echo "SKIP the probes as nobody and the second stack: they need root"
    [ "$failures" = 0 ]
    exit
fi

# --- 1. nobody reaches no socket; nothing serves as root --------------------
# Tries to connect to unix socket $1 as user $2 (node: readable by anyone).
connect_as() {
    runuser -u "$2" -- node -e '
        require("net").connect(process.argv[1])
          .on("connect", () => process.exit(0))
          .on("error", (e) => { console.error(e.code); process.exit(1); });' "$1" 2>/dev/null
}
# The FastCGI socket nginx passes requests to.
fcgi_socket() { grep -o 'unix:[^;[:space:]]*' "$1/nginx/nginx.conf" | head -n 1 | cut -c6-; }
# user of process $1
user_of() { ps -o user= -p "$1" 2>/dev/null | tr -d ' '; }
# Users of the children of process $1, one a line.
child_users() { ps -o user= --ppid "$1" 2>/dev/null | tr -d ' '; }
unprivileged() { [ -n "$1" ] && [ "$1" != root ] && [ "$1" != nobody ]; }
# Every word of $1 (at least one) is an unprivileged user.
all_unprivileged() {
    local u
    [ -n "$1" ] || return 1
    for u in $1; do unprivileged "$u" || return 1; done
}

# probes VAR DBURL: everything of item 1 on the stack in VAR.
probes() {
    local var=$1 url=$2 sock role users u pid name
    sock=$(fcgi_socket "$var")
    check "[$var] root reaches the FastCGI socket ($sock): the probe works" connect_as "$sock" root
    check "[$var] nobody cannot connect to the FastCGI socket" not connect_as "$sock" nobody
    if [ -e "$var/run/app.sock" ] && [ "$var/run/app.sock" != "$sock" ]; then
        check "[$var] nobody cannot connect to $var/run/app.sock" not connect_as "$var/run/app.sock" nobody
    fi
    check "[$var] root connects to PostgreSQL with the owner URL" psql_as "$url" root
    for role in postgres museum_app museum_listener reporting; do
        check "[$var] nobody cannot connect to PostgreSQL as $role" \
            not psql_as "$(as_user "$url" "$role")" nobody
    done
    check "[$var] the embedded cluster trusts no connection (pg_hba.conf)" \
        test "$(psql "$url" -XtAq -c "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust' OR error IS NOT NULL")" = 0
    users=$(child_users "$(cat "$var/run/app.pid")")
    check "[$var] app workers run unprivileged (users: $(echo $users))" all_unprivileged "$users"
    for pid in "$var"/run/listener*.pid; do
        name=$(basename "$pid" .pid)
        u=$(user_of "$(cat "$pid")")
        check "[$var] $name runs unprivileged (user: $u)" unprivileged "$u"
        check "[$var] $name runs as a user of its own, not the app workers' ($u)" \
            test "$u" != "$(echo $users | cut -d' ' -f1)"
    done
    u=$(echo $users | cut -d' ' -f1)
    check "[$var] the app workers' user ($u) cannot log in as museum_listener" \
        not psql_as "$(as_user "$url" museum_listener)" "$u"
    check "[$var] ... but as museum_app (the probe works)" psql_as "$(as_user "$url" museum_app)" "$u"
    users=$(child_users "$(cat "$var/run/nginx.pid")")
    check "[$var] nginx workers run unprivileged (users: $(echo $users))" all_unprivileged "$users"
    check "[$var] the app connects as museum_app, the listeners as museum_listener" test \
        "$(psql "$url" -XtAq -c "SELECT string_agg(DISTINCT application_name || '=' || usename, ' ' ORDER BY application_name || '=' || usename)
             FROM pg_stat_activity WHERE application_name IN ('museum-app', 'museum-listener')")" = \
        "museum-app=museum_app museum-listener=museum_listener"
}

echo "== the test stack ($VAR)"
probes "$VAR" "$DBURL"

# --- a second stack: a long VAR in a checkout nobody else may read ----------
echo "== a second stack: VAR longer than the socket path limit, checkout unreadable by others"
CO=$T/$(printf 'a-checkout-path-long-enough-%.0s' 1 2 3)sk-museum
VAR2=$CO/var
mkdir -p "$CO"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$CO" -xf -
echo "checkout copy: $CO (VAR: ${#VAR2} characters)"
# A free port from a random start in 18880-18979 (tests/run.sh takes its
# own below, development stacks often sit at 18995 and up).
port2() {
    local p start=$((18880 + RANDOM % 100))
    for p in $(seq "$start" 18979) $(seq 18880 "$start"); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
    done
}
P2=$(port2)
stack2() { env VAR="$VAR2" PORT="$P2" LISTENERS=1 DB_LOCK_TIMEOUT_MS=5000 "$CO/scripts/stack.sh" "$@"; }
if ! stack2 start >"$T/start2.log" 2>&1; then
    tail -n 20 "$T/start2.log"
    fail "the second stack starts (VAR of ${#VAR2} characters, checkout under a mode-700 directory)"
else
    ok "the second stack starts (VAR of ${#VAR2} characters, checkout under a mode-700 directory)"
    DB2=$(stack2 dburl)
    probes "$VAR2" "$DB2"
    U2=http://127.0.0.1:$P2
    check "[second] nginx serves the pages" test "$(curl -s -o /dev/null -w '%{http_code}' "$U2/")" = 200
    check "[second] and its own problem bodies" grep -q '"status":404' <(curl -s "$U2/no/such/page")
    pw=$(cat "$VAR2/admin-password")
    mid=$(curl -s -u "admin:$pw" "$U2/museums" -H 'Content-Type: application/json' \
        -d '{"name":"Privilege hall","chkDate":"20310101","pcnt":5}' | sed -n 's/^{"id":\([0-9]*\).*/\1/p')
    b=$(curl -s "$U2/books" -H 'Content-Type: application/json' -d "{\"museumId\":${mid:-0},\"custNm\":\"priv\"}")
    bid=$(sed -n 's/^{"id":\([0-9]*\).*/\1/p' <<<"$b")
    tok=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' <<<"$b")
    check "[second] staff registers, a visitor books through nginx" test -n "$bid" -a ${#tok} = 64
    for _ in $(seq 100); do
        [ "$(psql "$DB2" -XtAq -c "SELECT status FROM book.booking WHERE id = ${bid:-0}")" = REQUEST_COMPLETED ] && break
        sleep 0.1
    done
    check "[second] the listener confirms it" \
        test "$(psql "$DB2" -XtAq -c "SELECT status FROM book.booking WHERE id = ${bid:-0}")" = REQUEST_COMPLETED

    # --- 4. a slow statement with a token: not in PostgreSQL's log ---------
    log=$VAR2/pg/server.log
    before=$(stat -c %s "$log")
    psql "$DB2" -Xq -c "BEGIN; SELECT 1 FROM book.booking WHERE id = ${bid:-0} FOR UPDATE; SELECT pg_sleep(1.6); COMMIT;" \
        >/dev/null 2>&1 &
    holder=$!
    for _ in $(seq 50); do
        [ "$(psql "$DB2" -XtAq -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(1.6)%' AND pid <> pg_backend_pid()")" = 1 ] && break
        sleep 0.05
    done
    code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH "$U2/books/$bid?token=$tok" \
        -H 'Content-Type: application/json' -d '{"status":"CANCELED"}')
    wait "$holder"
    check "[second] a cancel waiting on a row lock for over a second succeeds (got $code)" test "$code" = 200
    tail -c +$((before + 1)) "$log" >"$T/pglog"
    check "[second] PostgreSQL logged the slow statement (log_min_duration_statement)" \
        grep -q 'duration: [0-9.]* ms' "$T/pglog"
    check "[second] ... without the booking's token" not grep -qF "$tok" "$T/pglog"
    if grep -qF "$tok" "$T/pglog"; then grep -F "$tok" "$T/pglog" | cut -c1-200; fi
fi
stack2 stop >/dev/null 2>&1

echo
if [ "$failures" = 0 ]; then echo "privileges: all checks passed"; else echo "privileges: $failures check(s) failed"; fi
[ "$failures" = 0 ]
