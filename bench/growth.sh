#!/usr/bin/env bash
# Growth (issue 16): what each API call costs with a small catalogue and
# with a large one, on a stack of its own (the data stays):
#
#   VAR=var/growth PORT=8383 make start && VAR=var/growth PORT=8383 make bench-growth
#
# Sizes: GROWTH_SMALL and GROWTH_LARGE, "exhibitions bookings waiting"
# (default "100 4000 400" and "50000 2000000 200000"). At each size
# bench/growth.sql adds what is missing, the listener catches up, and
# bench/growth.mjs times each call (median and p90 of 150 in a row).
# Writes bench/results/growth-<date>.jsonl and docs/growth.svg, prints a
# table.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PORT=${PORT:-8080}
export VAR=${VAR:-$ROOT/var}
SMALL=${GROWTH_SMALL:-100 4000 400}
LARGE=${GROWTH_LARGE:-50000 2000000 200000}
OUT=$ROOT/bench/results/growth-$(date -u +%Y%m%dT%H%M%SZ).jsonl
say() { printf '%s\n' "$*" >&2; }
die() { say "growth: $*"; exit 1; }

scripts/stack.sh status >/dev/null || die "the stack is not up: VAR=var/growth PORT=8383 make start"
DB=$(scripts/stack.sh dburl)
sql() { psql "$DB" -XqtA -v ON_ERROR_STOP=1 "$@"; }
[ "$(sql -c "SELECT count(*) FROM museum.exhibition WHERE name NOT LIKE 'growth %'")" = 0 ] ||
    die "this stack holds exhibitions of its own: use a fresh one (VAR=var/growth)"
export BASE_URL=http://127.0.0.1:$PORT DBURL=$DB
: >"$OUT"
for size in "$SMALL" "$LARGE"; do
    read -r ex bk wt <<<"$size"
    say "growing to $ex exhibitions, $bk bookings, $wt waiting"
    start=$(date +%s)
    sql -v exhibitions="$ex" -v bookings="$bk" -v waiting="$wt" -f bench/growth.sql >/dev/null
    for _ in $(seq 1200); do
        [ "$(sql -c "SELECT count(*) FROM outbox.event WHERE done_at IS NULL AND NOT dead")" = 0 ] && break
        sleep 1
    done
    sql -c "VACUUM ANALYZE" >/dev/null
    say "  loaded in $(($(date +%s) - start)) s; $(sql -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
    node bench/growth.mjs "$ex/$bk/$wt" | tee -a "$OUT" >&2
done
node - "$OUT" "$ROOT/docs/growth.svg" <<'JSEOF'
const fs = require('node:fs');
const [out, svgPath] = process.argv.slice(2);
const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const labels = [...new Set(rows.map((r) => r.label))];
const calls = [...new Set(rows.map((r) => r.call))];
const get = (l, c) => rows.find((r) => r.label === l && r.call === c);
console.log(`| call | ${labels.map((l) => `p50 ms at ${l}`).join(' | ')} | ratio |`);
console.log(`|---|${labels.map(() => '---|').join('')}---|`);
for (const c of calls) {
  const v = labels.map((l) => get(l, c).p50_ms);
  console.log(`| ${c} | ${v.join(' | ')} | ${(v[v.length - 1] / v[0]).toFixed(2)} |`);
}
// A grouped bar chart: per call, one bar per size (median ms).
const W = 760, rowH = 34, top = 40, left = 250, maxMs = Math.max(...rows.map((r) => r.p50_ms)) * 1.1;
const colours = ['#4a7ab5', '#d9822b', '#5a9e5a'];
let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${top + calls.length * rowH + 40}" font-family="sans-serif" font-size="12">`;
s += `<text x="10" y="20" font-size="14">Median latency per API call, small and large catalogue (bench/growth.sh)</text>`;
calls.forEach((c, i) => {
  const y = top + i * rowH;
  s += `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${c.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`;
  labels.forEach((l, j) => {
    const r = get(l, c);
    const w = (r.p50_ms / maxMs) * (W - left - 70);
    s += `<rect x="${left}" y="${y + j * 12}" width="${w.toFixed(1)}" height="11" fill="${colours[j % 3]}"/>`;
    s += `<text x="${left + w + 4}" y="${y + j * 12 + 10}" font-size="10">${r.p50_ms.toFixed(2)} ms</text>`;
  });
});
const ly = top + calls.length * rowH + 16;
labels.forEach((l, j) => {
  s += `<rect x="${left + j * 220}" y="${ly}" width="11" height="11" fill="${colours[j % 3]}"/>`;
  s += `<text x="${left + j * 220 + 16}" y="${ly + 10}">${l} (exhibitions/bookings/waiting)</text>`;
});
s += '</svg>\n';
fs.writeFileSync(svgPath, s);
JSEOF
say "results: $OUT; plot: docs/growth.svg"
