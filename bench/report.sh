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
  (if $c == "museum_get" then [cell($c; "pgbench"; $n), cell($c; "hello"; $n), cell($c; "hello_select"; $n)] else [cell($c; "pgbench"; $n)] end)[] as $ref |
  select($ref != null) |
  ($c | pad(22)) + ($n | lpad(5)) + ($h.rps | f0 | lpad(12)) + ($h.p50_ms | f2 | lpad(8)) + ($h.p99_ms | f2 | lpad(8)) +
  ("  " + $ref.kind | pad(15)) + ($ref.rps | f0 | lpad(9)) + ($ref.p50_ms | f2 | lpad(8)) + ($ref.p99_ms | f2 | lpad(8)) +
  (if $ref.rps > 0 then ($h.rps / $ref.rps | f2) else "-" end | lpad(7)) +
  (if $h.n409 != null and ($c | startswith("book")) then "  \($h.n2xx)/\($h.n409)/\($h.nother)" else "" end)),
(cell("static"; "http"; 32) as $s | select($s != null) |
  ("static 213 B (nginx)" | pad(22)) + (32 | lpad(5)) + ($s.rps | f0 | lpad(12)) + ($s.p50_ms | f2 | lpad(8)) + ($s.p99_ms | f2 | lpad(8))),
"",
"listener: commit-to-effect at \(.listener.commit_to_effect.rate) bookings/s (\(.listener.commit_to_effect.events) events): p50 \(.listener.commit_to_effect.p50_ms) ms, p99 \(.listener.commit_to_effect.p99_ms) ms, max \(.listener.commit_to_effect.max_ms) ms (created_at = transaction start → done_at)",
"listener: drained \(.listener.drain.events) events in \(.listener.drain.seconds) s = \(.listener.drain.events_per_s) events/s (wall \(.listener.drain.wall_seconds) s incl. restart)",
"",
"memory under load (max over samples): " + (.memory | map("\(.role)×\(.processes) rss \(.max_rss_kb) kB private \(.max_private_kb) kB") | join("; ")),
"",
"targets:",
"  booking spread/32 HTTP ≥ 0.6 × pgbench:        \(.ratios.book_spread_32 | f2)  \(ok(.ratios.book_spread_32 != null and .ratios.book_spread_32 >= 0.6))",
"    (HTTP with the pipeline ÷ pgbench without NOTIFY, the physical limit: \(.ratios.book_spread_32_vs_pgbench_noasync | f2))",
"  booking hot/32 HTTP ≥ 0.8 × pgbench:           \(.ratios.book_hot_32 | f2)  \(ok(.ratios.book_hot_32 != null and .ratios.book_hot_32 >= 0.8))",
"  async pipeline cost ≤ 10% (HTTP spread/32):    \(.ratios.async_cost_http_32 | pct)  \(ok(.ratios.async_cost_http_32 != null and .ratios.async_cost_http_32 <= 0.10))   (pgbench: \(.ratios.async_cost_pgbench_32 | pct))",
"    (CPU time of the listener and its backend ÷ all CPU time used during booking spread/32: \(.ratios.pipeline_cpu_share_32 | pct))",
"  GET /museums/{id} ≥ 0.6 × hello (32 / 64):     \(.ratios.museum_get_vs_hello_32 | f2) / \(.ratios.museum_get_vs_hello_64 | f2)  \(ok(.ratios.museum_get_vs_hello_32 != null and .ratios.museum_get_vs_hello_32 >= 0.6 and (.ratios.museum_get_vs_hello_64 == null or .ratios.museum_get_vs_hello_64 >= 0.6)))",
"    (the hello stub with one prepared SELECT per request, the floor for one round trip: \(.ratios.hello_select_vs_hello_32 | f2) / \(.ratios.hello_select_vs_hello_64 | f2) × hello; GET ÷ that: \(.ratios.museum_get_vs_hello_select_32 | f2) / \(.ratios.museum_get_vs_hello_select_64 | f2))",
"  GET /museums/{id} p99 ≤ 10 ms at 64:           \(cell("museum_get"; "http"; 64).p99_ms | f2)  \(ok(if cell("museum_get"; "http"; 64) == null then null else cell("museum_get"; "http"; 64).p99_ms <= 10 end))",
"  commit-to-effect p99 ≤ 20 ms at 500/s:         \(.listener.commit_to_effect.p99_ms)  \(ok(.listener.commit_to_effect.p99_ms != null and .listener.commit_to_effect.p99_ms <= 20))",
"  drain ≥ 10,000 events/s:                       \(.listener.drain.events_per_s)  \(ok(.listener.drain.events_per_s != null and .listener.drain.events_per_s >= 10000))",
"  worker / listener private ≤ 4 MiB:             \((.memory | map(select(.role == "worker")) | .[0].max_private_kb) // "-") / \((.memory | map(select(.role == "listener")) | .[0].max_private_kb) // "-") kB  \(ok((.memory | map(select(.role == "worker" or .role == "listener")) | length) > 0 and (.memory | map(select(.role == "worker" or .role == "listener") | .max_private_kb <= 4096) | all)))"
' "$F"
