#!/usr/bin/env bash
# The SK Museum benchmark: the HTTP stack (wrk → nginx → museum-app →
# PostgreSQL) measured side by side with its physical limit (pgbench running
# the handlers' exact prepared statements, a do-nothing FastCGI stub behind
# the same nginx, a static file from the same nginx), in one run, runs of
# each pair interleaved so that the machine's noise hits both alike.
#
#   PORT=8282 make start && PORT=8282 make bench
#
# Needs the stack up (make start). Environment: PORT (the stack's nginx),
# VAR, BENCH_DURATION (seconds per run, default 8), BENCH_REPEAT (runs per
# cell, medians reported, default 3), BENCH_QUICK=1 (skip the 64-connection
# cells and the repeats: a smoke run), BENCH_DRAIN_EVENTS (default 100000),
# BENCH_RATE (bookings/s for the commit-to-effect run, default 500),
# BENCH_ONLY (sections to run: booking reads effect drain),
# BENCH_OUT (default bench/results), HELLO_BIN (the stub, built by make bench).
#
# Writes bench/results/latest.json (and a dated copy) and prints a table.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PORT=${PORT:-8080}
export VAR=${VAR:-$ROOT/var}
RUN=$VAR/run
D=${BENCH_DURATION:-8}
R=${BENCH_REPEAT:-3}
QUICK=${BENCH_QUICK:-0}
DRAIN_N=${BENCH_DRAIN_EVENTS:-100000}
RATE=${BENCH_RATE:-500}
OUT=${BENCH_OUT:-$ROOT/bench/results}
HELLO_BIN=${HELLO_BIN:-$ROOT/build/release/bench-hello}
HPORT=$((PORT + 1))
BV=$VAR/bench
TMP=$BV/tmp
CONNS=(32 64)
if [ "$QUICK" = 1 ]; then R=1; CONNS=(32); fi
ONLY=${BENCH_ONLY:-booking reads effect drain} # a subset, e.g. BENCH_ONLY="effect drain"
want() { [[ " $ONLY " == *" $1 "* ]]; }
EFFECT=null
DRAIN=null

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

# --- tools -----------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    [ "$(id -u)" = 0 ] || die "wrk is missing: apt-get install wrk"
    say "installing wrk"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
fi
for t in jq curl psql; do command -v $t >/dev/null || die "$t is missing"; done
PGBENCH=$(command -v pgbench || true)
[ -n "$PGBENCH" ] || PGBENCH=$(pg_config --bindir 2>/dev/null)/pgbench
[ -x "$PGBENCH" ] || PGBENCH=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBENCH" ] || die "pgbench not found (postgresql-15)"
[ -x "$HELLO_BIN" ] || die "$HELLO_BIN is not built (make bench builds it)"

scripts/stack.sh status >/dev/null || die "the stack is not up: PORT=$PORT make start"
DB=$(scripts/stack.sh dburl)
APPDB=$(scripts/stack.sh appdburl) # the workers' role, for the hello+select stub
# Staff credentials for the staff-only reads (GET /myPages?custNm=).
BENCH_AUTH="Basic $(printf 'admin:%s' "${ADMIN_PASSWORD:-$(cat "$VAR/admin-password")}" | base64 -w0)"
export BENCH_AUTH
URL=http://127.0.0.1:$PORT
HURL=http://127.0.0.1:$HPORT
curl -fsS -o /dev/null "$URL/museums?limit=1" || die "nothing answers on $URL"

mkdir -p "$BV" "$TMP" "$OUT"
rm -f "$TMP"/*
RUNS=$TMP/runs.jsonl
: >"$RUNS"

sql() { psql "$DB" -XqtA -v ON_ERROR_STOP=1 "$@"; }

# --- the hello stub behind a second nginx with the stack's own config ------
hello_stop() {
    [ -f "$BV/nginx.pid" ] && kill "$(cat "$BV/nginx.pid")" 2>/dev/null || true
    [ -f "$BV/hello.pid" ] && kill "$(cat "$BV/hello.pid")" 2>/dev/null || true
    rm -f "$BV/nginx.pid" "$BV/hello.pid"
}
trap 'hello_stop' EXIT
# hello_stub [DSN]: (re)starts the stub; with a DSN, it also runs the
# handler's prepared SELECT per request (the "hello+select" reference).
hello_stub() {
    local old
    old=$(cat "$BV/hello.pid" 2>/dev/null || true)
    if [ -n "$old" ]; then
        kill "$old" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$BV/hello.sock" "$BV/hello.pid"
    HELLO_SOCKET=$BV/hello.sock HELLO_PIDFILE=$BV/hello.pid HELLO_WORKERS=$HELLO_WORKERS \
        HELLO_DSN=${1:-} setsid "$HELLO_BIN" >>"$BV/hello.log" 2>&1 </dev/null &
    for _ in $(seq 50); do curl -fsS -o /dev/null "$HURL/museums/$BASE" 2>/dev/null && return 0; sleep 0.1; done
    die "the hello stub does not answer on $HURL"
}
hello_start() {
    HELLO_WORKERS=$WORKERS # as many as the pool may grow to
    hello_stop
    mkdir -p "$BV/nginx"
    chmod 755 "$BV"
    # The same config as the stack's nginx; only the port, the upstream
    # socket and the paths of its own files differ.
    sed -e "s|listen 127.0.0.1:$PORT;|listen 127.0.0.1:$HPORT;|" \
        -e "s|unix:$RUN/app.sock;|unix:$BV/hello.sock;|" \
        -e "s|^pid .*|pid $BV/nginx.pid;|" \
        -e "s|error_log [^ ;]*|error_log $BV/nginx-error.log|" \
        -e "s|$VAR/nginx/|$BV/nginx/|g" \
        -e "s|access_log $VAR/log/nginx-access.log|access_log $BV/nginx-access.log|" \
        "$VAR/nginx/nginx.conf" >"$BV/nginx.conf"
    nginx -p "$BV/nginx" -e "$BV/nginx-error.log" -c "$BV/nginx.conf" ||
        die "the hello nginx did not start (port $HPORT busy?)"
    hello_stub
}

# --- data --------------------------------------------------------------------
say "seeding (bench/seed.sql, and the fixed booking reference's tables: bench/ref.sql)"
sql -f bench/seed.sql >/dev/null
sql -f bench/ref.sql >/dev/null
sql -c "TRUNCATE bench_ref.booking, bench_ref.event" >/dev/null
BASE=$(sql -c "SELECT min(id) FROM museum.exhibition WHERE name LIKE 'bench %' AND name <> 'bench hot' AND deleted_at IS NULL")
HOT=$(sql -c "SELECT id FROM museum.exhibition WHERE name = 'bench hot' AND deleted_at IS NULL")
[ "$(sql -c "SELECT max(id) - min(id) FROM museum.exhibition WHERE name LIKE 'bench %' AND name <> 'bench hot' AND deleted_at IS NULL")" = 999 ] ||
    die "the bench exhibitions are not 1,000 consecutive ids; drop them or use a fresh stack"
export BENCH_BASE=$BASE BENCH_HOT=$HOT

refill() {
    sql -c "UPDATE museum.slot SET seats_left = capacity WHERE museum_id BETWEEN $BASE AND $((BASE + 999)) OR museum_id = $HOT" >/dev/null
}
pending() { sql -c "SELECT count(*) FROM outbox.event WHERE done_at IS NULL AND NOT dead"; }
# Waits until the listener has caught up (at most $1 s, default 120).
wait_drained() {
    local i
    for i in $(seq $((${1:-120} * 2))); do
        [ "$(pending)" = 0 ] && return 0
        sleep 0.5
    done
    say "warning: the outbox still has $(pending) pending events"
}
listener_pid() { cat "$RUN/listener.pid" 2>/dev/null || true; }
listener_stop() {
    local pid
    pid=$(listener_pid)
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
}
listener_start() { scripts/stack.sh start >/dev/null 2>&1 || die "could not restart the listener"; }
# The NOTIFY trigger of db/migrations/003_outbox.sql, when it is there.
has_trigger() { [ "$(sql -c "SELECT count(*) FROM pg_trigger WHERE tgname = 'event_wake'")" = 1 ]; }
notify_off() { ! has_trigger || sql -c "ALTER TABLE outbox.event DISABLE TRIGGER event_wake" >/dev/null; }
notify_on() { ! has_trigger || sql -c "ALTER TABLE outbox.event ENABLE TRIGGER event_wake" >/dev/null; }
# The effect run's trigger (below) never outlives the run.
effect_untrigger() { sql -c "SET client_min_messages = warning" -c "DROP TRIGGER IF EXISTS bench_note_commit ON outbox.event" >/dev/null; }
trap 'notify_on 2>/dev/null || true; effect_untrigger 2>/dev/null || true; [ -n "$(listener_pid)" ] || listener_start; hello_stop' EXIT

# --- memory -------------------------------------------------------------------
# One line per process: role pid rss private(=Private_Clean+Private_Dirty) kB.
mem_sample() {
    local tag=$1 pid app lst ng
    app=$(cat "$RUN/app.pid" 2>/dev/null || true)
    lst=$(listener_pid)
    ng=$(cat "$RUN/nginx.pid" 2>/dev/null || true)
    {
        [ -n "$app" ] && for pid in $(cat "/proc/$app/task/$app/children" 2>/dev/null); do echo "worker $pid"; done
        [ -n "$app" ] && echo "app-master $app"
        [ -n "$lst" ] && echo "listener $lst"
        [ -n "$ng" ] && echo "nginx-master $ng" &&
            for pid in $(cat "/proc/$ng/task/$ng/children" 2>/dev/null); do echo "nginx-worker $pid"; done
    } | while read -r role pid; do
        awk -v role="$role" -v pid="$pid" -v tag="$tag" '
            /^Rss:/ {rss=$2} /^Pss:/ {pss=$2} /^Private_Clean:/ {pc=$2} /^Private_Dirty:/ {pd=$2}
            END { if (rss) printf "{\"tag\":\"%s\",\"role\":\"%s\",\"pid\":%d,\"rss_kb\":%d,\"pss_kb\":%d,\"private_kb\":%d}\n", tag, role, pid, rss, pss, pc + pd }
        ' "/proc/$pid/smaps_rollup" 2>/dev/null || true
    done >>"$TMP/mem.jsonl"
}

# --- the pipeline's share of the CPU ---------------------------------------------
# CPU ticks of the listeners and their backends, and of the whole machine
# (user+nice+system+irq+softirq): sampled around a booking run, their ratio
# is what the asynchronous pipeline costs, steadier than a throughput
# difference between two runs on a noisy machine.
pipeline_ticks() {
    local pids t=0 p
    pids="$(cat "$RUN"/listener*.pid 2>/dev/null) $(sql -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'museum-listener'")"
    for p in $pids; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
    echo "$t $(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat)"
}
PIPELINE_CPU=$TMP/pipeline_cpu.txt
: >"$PIPELINE_CPU"

# --- one run of each kind -----------------------------------------------------
# record CELL KIND CONNS JSON: appends a run.
record() {
    jq -c --arg cell "$1" --arg kind "$2" --argjson conns "$3" \
        '. + {cell: $cell, kind: $kind, conns: $conns}' <<<"$4" >>"$RUNS"
}

# http CELL KIND CONNS BASEURL LUA [MEMTAG]
http_run() {
    local cell=$1 kind=$2 c=$3 base=$4 lua=$5 memtag=${6:-} out json mempid=
    if [ -n "$memtag" ]; then
        (sleep $((D / 2)); mem_sample "$memtag") &
        mempid=$!
    fi
    out=$(wrk -t 2 -c "$c" -d "${D}s" --timeout 10s -s "bench/lua/$lua.lua" "$base" 2>&1) || true
    [ -z "$mempid" ] || wait "$mempid" || true
    json=$(grep '^BENCH ' <<<"$out" | sed 's/^BENCH //')
    [ -n "$json" ] || { say "$out"; die "wrk gave no result for $cell"; }
    record "$cell" "$kind" "$c" "$json"
    say "  $cell $kind c=$c: $(jq -r '"\(.rps|floor) req/s p50 \(.p50_ms)ms p99 \(.p99_ms)ms 2xx=\(.n2xx) 409=\(.n409) other=\(.nother)"' <<<"$json")"
}

# pgb CELL KIND CONNS SCRIPT [extra pgbench args]: per-transaction latencies
# from a 20% sample of pgbench's log.
pgb_run() {
    local cell=$1 kind=$2 c=$3 script=$4 out tps failed prefix json
    shift 4
    prefix=$TMP/pgb-$cell-$c-$RANDOM
    out=$("$PGBENCH" -n -M prepared -c "$c" -j 2 -T "$D" -D base="$BASE" -D hot="$HOT" \
        -l --sampling-rate=0.2 --log-prefix="$prefix" "$@" -f "bench/pgbench/$script.sql" "$DB" 2>&1) || true
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | tail -n 1)
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
    [ -n "$tps" ] || { say "$out"; die "pgbench gave no result for $cell"; }
    json=$(cat "$prefix".* 2>/dev/null | awk '{print $3 / 1000}' | sort -n | awk -v tps="$tps" -v failed="${failed:-0}" '
        {v[NR] = $1}
        END {
            p50 = NR ? v[int(NR * 0.50) + 1] : 0; p99 = NR ? v[int(NR * 0.99) + 1] : 0
            if (int(NR * 0.99) + 1 > NR) p99 = v[NR]
            printf "{\"rps\":%s,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"failed\":%d,\"sampled\":%d}\n", tps, p50, p99, failed, NR
        }')
    rm -f "$prefix".*
    record "$cell" "$kind" "$c" "$json"
    say "  $cell $kind c=$c: $(jq -r '"\(.rps|floor) tps p50 \(.p50_ms)ms p99 \(.p99_ms)ms failed=\(.failed)"' <<<"$json")"
}

# --- context ------------------------------------------------------------------
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
MODEL=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
MEM_GB=$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
WORKERS=$(curl -fsS "$URL/status" | jq -r '.workers.max' || true) # the pool's APP_WORKERS_MAX
[[ "$WORKERS" =~ ^[1-9][0-9]*$ ]] || die "cannot read the pool's size from $URL/status"
PGCONF=$(sql -F' ' -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync','synchronous_commit','shared_buffers','max_connections','wal_sync_method','commit_delay')")
say "bench: $(nproc) cpu ($MODEL), ${MEM_GB} GiB, load $LOAD_BEFORE; $D s × $R runs per cell; app workers up to $WORKERS; $PGCONF"

hello_start

# A warm-up, unmeasured: the pool grows to its size, caches fill.
refill
wrk -t 2 -c 32 -d 3s -s bench/lua/book_spread.lua "$URL" >/dev/null 2>&1 || true
wrk -t 2 -c 32 -d 2s -s bench/lua/museum_get.lua "$URL" >/dev/null 2>&1 || true
refill; wait_drained

# --- bookings -----------------------------------------------------------------
# HTTP and pgbench alternate within each cell; the spread/32 cell also runs
# both with the listener stopped and the NOTIFY trigger disabled.
want booking && for mode in spread hot; do
    for c in "${CONNS[@]}"; do
        say "booking $mode, $c connections"
        for r in $(seq "$R"); do
            refill; wait_drained
            memtag=
            [ "$r" = 1 ] && memtag="booking-$mode-$c"
            # spread/32 also measures the pipeline: its CPU share, and the
            # same cell without it.
            pipeline_cell=0
            if [ "$mode" = spread ] && [ "$c" = 32 ]; then pipeline_cell=1; fi
            [ "$pipeline_cell" = 1 ] && ticks_before=$(pipeline_ticks)
            http_run "book_$mode" http "$c" "$URL" "book_$mode" "$memtag"
            if [ "$pipeline_cell" = 1 ]; then
                wait_drained # the run's last events are the pipeline's work too
                read -r l0 b0 <<<"$ticks_before"
                read -r l1 b1 < <(pipeline_ticks)
                if [ $((b1 - b0)) -gt 0 ]; then
                    awk -v l=$((l1 - l0)) -v b=$((b1 - b0)) 'BEGIN { printf "%.4f\n", l / b }' >>"$PIPELINE_CPU"
                    say "  the listener and its backend used $(tail -n 1 "$PIPELINE_CPU") of the busy CPU time"
                fi
            fi
            refill; wait_drained
            pgb_run "book_$mode" pgbench "$c" "book_$mode"
            # The fixed reference: the minimal booking statement on its
            # own tables (bench/ref.sql), what the targets are ratios of.
            pgb_run "book_$mode" ref "$c" "ref_$mode"
            if [ "$pipeline_cell" = 1 ]; then
                refill; wait_drained
                listener_stop; notify_off
                http_run book_spread_noasync http "$c" "$URL" book_spread
                pgb_run book_spread_noasync pgbench "$c" book_spread
                notify_on; listener_start
            fi
        done
    done
done
refill; wait_drained

# --- reads --------------------------------------------------------------------
want reads && say "reads"
want reads && for r in $(seq "$R"); do
    for c in "${CONNS[@]}"; do
        memtag=
        [ "$r" = 1 ] && memtag="read-museum_get-$c"
        http_run museum_get http "$c" "$URL" museum_get "$memtag"
        http_run museum_get hello "$c" "$HURL" museum_get
        hello_stub "$APPDB"
        http_run museum_get hello_select "$c" "$HURL" museum_get
        hello_stub
        pgb_run museum_get pgbench "$c" museum_get
    done
    http_run museum_list http 32 "$URL" museum_list
    pgb_run museum_list pgbench 32 museum_list
    pgb_run museum_list plain 32 museum_list_plain
    http_run mypage_list http 32 "$URL" mypage_list
    pgb_run mypage_list pgbench 32 mypage_list
    pgb_run mypage_list plain 32 mypage_list_plain
    if [ "$r" = 1 ]; then http_run static http 32 "$URL" static; fi
done

# --- the listener: commit-to-effect at a steady rate ---------------------------
# The producer is HTTP (POST /books through nginx and the workers, paced by
# bench/lua/book_paced.lua), so that whatever the workers do to wake the
# listener is part of the measure.
if want effect; then
say "listener: commit-to-effect at $RATE bookings/s for $((D + 5)) s"
refill; wait_drained
# From each booking's commit: for this run only, a deferred trigger notes
# when each event's transaction began to commit (deferred triggers run at
# COMMIT, before its WAL is flushed: the flush counts as part of the wait
# for the effect, as it should).
sql >/dev/null <<'SQLEOF'
CREATE TABLE IF NOT EXISTS bench_ref.event_commit (event_id bigint PRIMARY KEY, at timestamptz NOT NULL);
TRUNCATE bench_ref.event_commit;
CREATE OR REPLACE FUNCTION bench_ref.note_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO bench_ref.event_commit VALUES (NEW.id, clock_timestamp());
    RETURN NULL;
END
$$;
SET client_min_messages = warning;
DROP TRIGGER IF EXISTS bench_note_commit ON outbox.event;
CREATE CONSTRAINT TRIGGER bench_note_commit AFTER INSERT ON outbox.event
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bench_ref.note_commit();
SQLEOF
T0=$(sql -c "SELECT clock_timestamp()")
out=$(BENCH_RATE=$RATE BENCH_THREADS=2 wrk -t 2 -c 16 -d "$((D + 5))s" -s bench/lua/book_paced.lua "$URL" 2>&1) || true
json=$(grep '^BENCH ' <<<"$out" | sed 's/^BENCH //')
[ -n "$json" ] || { say "$out"; die "wrk gave no result for the paced producer"; }
record effect_producer http 16 "$json"
wait_drained
effect_untrigger
EFFECT=$(sql -c "
    WITH e AS (
        SELECT e.created_at, e.done_at, c.at AS commit_at
        FROM outbox.event e JOIN bench_ref.event_commit c ON c.event_id = e.id
        WHERE e.created_at >= '$T0'::timestamptz + interval '2 seconds' AND e.kind = 'BOOKED')
    SELECT json_build_object(
        'from', 'commit',
        'events', count(*),
        'rate', round((count(*) / greatest(extract(epoch FROM max(created_at) - min(created_at)), 0.001))::numeric, 1),
        'p50_ms', round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM done_at - commit_at)) * 1000)::numeric, 2),
        'p99_ms', round((percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM done_at - commit_at)) * 1000)::numeric, 2),
        'max_ms', round((max(extract(epoch FROM done_at - commit_at)) * 1000)::numeric, 2),
        'start_p99_ms', round((percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM done_at - created_at)) * 1000)::numeric, 2))
    FROM e")
say "  commit-to-effect: $EFFECT"
fi

# --- the listener: draining a backlog ------------------------------------------
if want drain; then
# Drains a backlog of $DRAIN_N bookings with $1 listener(s); prints JSON.
drain_run() {
    local n=$1 t0 start wall
    refill; wait_drained
    listener_stop
    t0=$(sql -c "SELECT clock_timestamp()")
    sql -c "SELECT count(*) FROM (SELECT book.create($BASE + (g % 1000), 'drain-' || g,
        encode(sha256((g || '-' || random())::text::bytea), 'hex'), NULL, NULL, NULL, NULL, 1)
        FROM generate_series(1, $DRAIN_N) g) s" >/dev/null
    start=$(date +%s.%N)
    LISTENERS=$n scripts/stack.sh start >/dev/null 2>&1 || die "could not start $n listener(s)"
    wait_drained 600
    wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.3f", b - a}')
    [ "$n" = 1 ] || for i in $(seq 2 "$n"); do
        kill "$(cat "$RUN/listener-$i.pid")" 2>/dev/null || true
    done
    sql -c "
        SELECT json_build_object(
            'listeners', $n,
            'events', count(*),
            'seconds', round(extract(epoch FROM max(done_at) - min(done_at))::numeric, 3),
            'events_per_s', round((count(*) / greatest(extract(epoch FROM max(done_at) - min(done_at)), 0.001))::numeric, 0),
            'wall_seconds', $wall)
        FROM outbox.event WHERE created_at >= '$t0'::timestamptz"
}
say "listener: draining $DRAIN_N events with 1, then 2 listeners"
DRAIN=$(drain_run 1)
say "  drain, 1 listener: $DRAIN"
DRAIN2=$(drain_run 2)
say "  drain, 2 listeners: $DRAIN2"
fi
refill

# --- results ------------------------------------------------------------------
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
jq -s '.' "$TMP/mem.jsonl" >"$TMP/mem.json" 2>/dev/null || echo '[]' >"$TMP/mem.json"
[ -s "$TMP/mem.json" ] || echo '[]' >"$TMP/mem.json"
PIPELINE_SHARE=$(sort -n "$PIPELINE_CPU" | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "null"}')
jq -n --slurpfile runs "$RUNS" --slurpfile mem "$TMP/mem.json" --argjson pipeline_cpu "$PIPELINE_SHARE" \
    --argjson effect "$EFFECT" --argjson drain "$DRAIN" --argjson drain2 "${DRAIN2:-null}" \
    --arg date "$DATE" --arg model "$MODEL" --arg mem_gb "$MEM_GB" --arg nproc "$(nproc)" \
    --arg load_before "$LOAD_BEFORE" --arg load_after "$LOAD_AFTER" --arg pg "$PGCONF" \
    --arg workers "$WORKERS" --argjson d "$D" --argjson r "$R" --arg rate "$RATE" '
    def median: sort | if length == 0 then null else .[(length - 1) / 2 | floor] end;
    def cells: $runs | group_by([.cell, .kind, .conns]) | map({
        cell: .[0].cell, kind: .[0].kind, conns: .[0].conns, runs: length,
        rps: (map(.rps) | median), p50_ms: (map(.p50_ms) | median), p99_ms: (map(.p99_ms) | median),
        rps_runs: map(.rps),
        n2xx: (map(.n2xx // empty) | add), n409: (map(.n409 // empty) | add),
        nother: (map(.nother // empty) | add), failed: (map(.failed // empty) | add)});
    cells as $cells
    | def get(c; k; n): ($cells | map(select(.cell == c and .kind == k and .conns == n)) | .[0]);
      def ratio(a; b): if a and b and b.rps > 0 then ((a.rps / b.rps) * 1000 | round) / 1000 else null end;
      def cost(with; without): ratio(with; without) as $x | if $x then (1 - $x) * 1000 | round / 1000 else null end;
    {
      date: $date,
      machine: {nproc: ($nproc | tonumber), cpu: $model, mem_gib: ($mem_gb | tonumber),
                load_before: $load_before, load_after: $load_after},
      settings: {duration_s: $d, repeat: $r, app_workers: ($workers | tonumber), postgres: $pg},
      cells: $cells,
      ratios: {
        book_spread_32_vs_ref: ratio(get("book_spread"; "http"; 32); get("book_spread"; "ref"; 32)),
        book_hot_32_vs_ref: ratio(get("book_hot"; "http"; 32); get("book_hot"; "ref"; 32)),
        book_create_spread_32_vs_ref: ratio(get("book_spread"; "pgbench"; 32); get("book_spread"; "ref"; 32)),
        museum_list_vs_plain_32: ratio(get("museum_list"; "http"; 32); get("museum_list"; "plain"; 32)),
        mypage_list_vs_plain_32: ratio(get("mypage_list"; "http"; 32); get("mypage_list"; "plain"; 32)),
        book_spread_32: ratio(get("book_spread"; "http"; 32); get("book_spread"; "pgbench"; 32)),
        book_spread_64: ratio(get("book_spread"; "http"; 64); get("book_spread"; "pgbench"; 64)),
        book_spread_32_vs_pgbench_noasync: ratio(get("book_spread"; "http"; 32); get("book_spread_noasync"; "pgbench"; 32)),
        book_spread_noasync_32: ratio(get("book_spread_noasync"; "http"; 32); get("book_spread_noasync"; "pgbench"; 32)),
        book_hot_32: ratio(get("book_hot"; "http"; 32); get("book_hot"; "pgbench"; 32)),
        book_hot_64: ratio(get("book_hot"; "http"; 64); get("book_hot"; "pgbench"; 64)),
        async_cost_http_32: cost(get("book_spread"; "http"; 32); get("book_spread_noasync"; "http"; 32)),
        async_cost_pgbench_32: cost(get("book_spread"; "pgbench"; 32); get("book_spread_noasync"; "pgbench"; 32)),
        pipeline_cpu_share_32: $pipeline_cpu,
        museum_get_vs_hello_32: ratio(get("museum_get"; "http"; 32); get("museum_get"; "hello"; 32)),
        museum_get_vs_hello_64: ratio(get("museum_get"; "http"; 64); get("museum_get"; "hello"; 64)),
        museum_get_vs_hello_select_32: ratio(get("museum_get"; "http"; 32); get("museum_get"; "hello_select"; 32)),
        museum_get_vs_hello_select_64: ratio(get("museum_get"; "http"; 64); get("museum_get"; "hello_select"; 64)),
        hello_select_vs_hello_32: ratio(get("museum_get"; "hello_select"; 32); get("museum_get"; "hello"; 32)),
        hello_select_vs_hello_64: ratio(get("museum_get"; "hello_select"; 64); get("museum_get"; "hello"; 64)),
        museum_get_vs_pgbench_32: ratio(get("museum_get"; "http"; 32); get("museum_get"; "pgbench"; 32)),
        museum_list_vs_pgbench_32: ratio(get("museum_list"; "http"; 32); get("museum_list"; "pgbench"; 32)),
        mypage_list_vs_pgbench_32: ratio(get("mypage_list"; "http"; 32); get("mypage_list"; "pgbench"; 32))
      },
      listener: {target_rate: ($rate | tonumber), commit_to_effect: $effect, drain: $drain, drain_2_listeners: $drain2},
      memory: ($mem[0] | group_by(.role) | map({role: .[0].role, processes: (map(.pid) | unique | length),
               max_rss_kb: (map(.rss_kb) | max), max_private_kb: (map(.private_kb) | max)})),
      memory_samples: $mem[0]
    }' >"$OUT/latest.json"
cp "$OUT/latest.json" "$OUT/$(date -u +%Y%m%dT%H%M%SZ).json"

bench/report.sh "$OUT/latest.json"
