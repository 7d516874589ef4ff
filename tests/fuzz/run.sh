#!/usr/bin/env bash
# Runs each libFuzzer harness for SECONDS on a scratch copy of its seed
# corpus (tests/fuzz/corpus/<name>, kept small in git); fails on the first
# crash, leak or sanitizer report, leaving the input in build/fuzz/crashes/.
#   tests/fuzz/run.sh SECONDS build/fuzz/fuzz_json ...
set -euo pipefail
secs=${1:?seconds}
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
crashes=$root/build/fuzz/crashes
mkdir -p "$crashes"
for bin in "$@"; do
    name=$(basename "$bin")
    seeds=$root/tests/fuzz/corpus/${name#fuzz_}
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    echo "== $name: ${secs}s"
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=20000 \
        -print_final_stats=1 -artifact_prefix="$crashes/$name-" "$work" "$seeds" 2>&1 |
        grep -E '^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==|SUMMARY|.*(ERROR|runtime error|Test unit written))' || true
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "$name failed: see $crashes" >&2; exit 1; }
    rm -rf "$work"
    trap - EXIT
done
