#!/usr/bin/env bash
# Prints the table of a bench result file (default bench/results/latest.json)
# and the targets of the performance issue, met or missed.
set -euo pipefail
F=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/results/latest.json}
[ -f "$F" ] || { echo "no $F: run make bench" >&2; exit 1; }

jq -r '
def f0: if . == null then "-" else (. | floor | tostring) end;
def f2: if . == null then "-" else ((. * 100 | round) / 100 | tostring) end;
def pad(n): tostring | if length < n then . + (" " * (n - length)) else . end;
def lpad(n): tostring | if length < n then (" " * (n - length)) + . else . end;
def cell(c; k; n): (.cells | map(select(.cell == c and .kind == k and .conns == n)) | .[0]);
def pct: if . == null then "-" else ((. * 1000 | round) / 10 | tostring) + "%" end;
def ok(b): if b == null then "n/a" elif b then "MET" else "MISSED" end;
def atleast(x; t): if x == null then null else x >= t end;
def atmost(x; t): if x == null then null else x <= t end;
. as $r |
"SK Museum bench — \(.date) — \(.machine.nproc) cpu \(.machine.cpu), \(.machine.mem_gib) GiB; load \(.machine.load_before) → \(.machine.load_after)",
"\(.settings.duration_s) s per run, median of \(.settings.repeat); app workers \(.settings.app_workers); \(.settings.postgres)",
"",
("cell" | pad(22)) + ("conns" | lpad(5)) + ("HTTP req/s" | lpad(12)) + ("p50 ms" | lpad(8)) + ("p99 ms" | lpad(8)) +
  ("  ref" | pad(15)) + ("ref/s" | lpad(9)) + ("p50 ms" | lpad(8)) + ("p99 ms" | lpad(8)) + ("ratio" | lpad(7)) + "  2xx/409/other",
(["book_spread", "book_spread_noasync", "book_hot", "museum_get", "museum_list", "mypage_list"][] as $c |
  [32, 64][] as $n |
  (cell($c; "http"; $n)) as $h |
  select($h != null) |
  (if $c == "museum_get" then [cell($c; "pgbench"; $n), cell($c; "hello"; $n), cell($c; "hello_select"; $n)]
   else [cell($c; "pgbench"; $n), cell($c; "ref"; $n), cell($c; "plain"; $n)] end)[] as $ref |
  select($ref != null) |
  ($c | pad(22)) + ($n | lpad(5)) + ($h.rps | f0 | lpad(12)) + ($h.p50_ms | f2 | lpad(8)) + ($h.p99_ms | f2 | lpad(8)) +
  ("  " + $ref.kind | pad(15)) + ($ref.rps | f0 | lpad(9)) + ($ref.p50_ms | f2 | lpad(8)) + ($ref.p99_ms | f2 | lpad(8)) +
  (if $ref.rps > 0 then ($h.rps / $ref.rps | f2) else "-" end | lpad(7)) +
  (if $h.n409 != null and ($c | startswith("book")) then "  \($h.n2xx)/\($h.n409)/\($h.nother)" else "" end)),
(cell("static"; "http"; 32) as $s | select($s != null) |
  ("static 213 B (nginx)" | pad(22)) + (32 | lpad(5)) + ($s.rps | f0 | lpad(12)) + ($s.p50_ms | f2 | lpad(8)) + ($s.p99_ms | f2 | lpad(8))),
"",
"listener: commit-to-effect at \(.listener.commit_to_effect.rate) bookings/s (\(.listener.commit_to_effect.events) events): p50 \(.listener.commit_to_effect.p50_ms) ms, p99 \(.listener.commit_to_effect.p99_ms) ms, max \(.listener.commit_to_effect.max_ms) ms (\(if .listener.commit_to_effect.from == "commit" then "the booking’s commit → done_at; from its start, p99 \(.listener.commit_to_effect.start_p99_ms) ms" else "created_at = transaction start → done_at" end))",
"listener: drained \(.listener.drain.events) events in \(.listener.drain.seconds) s = \(.listener.drain.events_per_s) events/s (wall \(.listener.drain.wall_seconds) s incl. restart)",
"",
"memory under load (max over samples): " + (.memory | map("\(.role)×\(.processes) rss \(.max_rss_kb) kB private \(.max_private_kb) kB") | join("; ")),
"",
"targets (issue 16; references fixed: bench/ref.sql, bench/pgbench/*_plain.sql, bench/hello.c):",
"  booking spread/32 HTTP ≥ 0.6 × the minimal booking statement:  \(.ratios.book_spread_32_vs_ref | f2)  \(ok(atleast(.ratios.book_spread_32_vs_ref; 0.6)))",
"    (book.create by pgbench ÷ the same reference: \(.ratios.book_create_spread_32_vs_ref | f2); HTTP ÷ book.create: \(.ratios.book_spread_32 | f2))",
"  booking hot/32 HTTP ≥ 0.8 × the reference on one row:           \(.ratios.book_hot_32_vs_ref | f2)  \(ok(atleast(.ratios.book_hot_32_vs_ref; 0.8)))",
"  the listener’s effects ≤ 10 % of booking throughput (HTTP):      \(.ratios.async_cost_http_32 | pct)  \(ok(atmost(.ratios.async_cost_http_32; 0.10)))   (pgbench: \(.ratios.async_cost_pgbench_32 | pct))",
"    (CPU time of the listener and its backend ÷ all CPU time used during booking spread/32: \(.ratios.pipeline_cpu_share_32 | pct))",
"  commit-to-effect p99 ≤ 20 ms at 500/s:                          \(.listener.commit_to_effect.p99_ms)  \(ok(atmost(.listener.commit_to_effect.p99_ms; 20)))",
"  GET /museums/{id} ≥ 0.7 × hello (32 / 64):                      \(.ratios.museum_get_vs_hello_32 | f2) / \(.ratios.museum_get_vs_hello_64 | f2)  \(ok(if .ratios.museum_get_vs_hello_32 == null then null else .ratios.museum_get_vs_hello_32 >= 0.7 and (.ratios.museum_get_vs_hello_64 == null or .ratios.museum_get_vs_hello_64 >= 0.7) end))",
"    (the hello stub with one prepared SELECT per request: \(.ratios.hello_select_vs_hello_32 | f2) / \(.ratios.hello_select_vs_hello_64 | f2) × hello)",
"  GET /museums (100 rows) ≥ 0.5 × the plain SELECT:               \(.ratios.museum_list_vs_plain_32 | f2)  \(ok(atleast(.ratios.museum_list_vs_plain_32; 0.5)))",
"  GET /myPages (staff list) ≥ 0.5 × the plain SELECT:             \(.ratios.mypage_list_vs_plain_32 | f2)  \(ok(atleast(.ratios.mypage_list_vs_plain_32; 0.5)))",
"  drain ≥ 10,000 events/s:                                        \(.listener.drain.events_per_s)  \(ok(atleast(.listener.drain.events_per_s; 10000)))",
"  worker / listener private ≤ 4 MiB:                              \((.memory | map(select(.role == "worker")) | .[0].max_private_kb) // "-") / \((.memory | map(select(.role == "listener")) | .[0].max_private_kb) // "-") kB  \(ok(.memory | map(select(.role == "worker" or .role == "listener")) | if length == 0 then null else map(.max_private_kb <= 4096) | all end))"
' "$F"
