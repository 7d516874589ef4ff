#!/usr/bin/env bash
# make test-scale: the hardening checks at full scale, on a throwaway stack
# of the release build (own cluster under var/scale, own port): load
# shedding (bench/load.sh: siege, 100 users for 20 s, then 2,000
# connections) and the force-cancel of an exhibition with 300,000 bookings
# while other bookings are confirmed within 1 s. A few minutes; CI runs it
# after make test.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export VAR=$ROOT/var/scale BIN=$ROOT/build/release
export PORT=${SCALE_PORT:-$((19080 + RANDOM % 800))}
unset DATABASE_URL APP_DATABASE_URL ADMIN_PASSWORD

scripts/stack.sh stop >/dev/null 2>&1 || true
rm -rf "$VAR"
trap 'scripts/stack.sh stop >/dev/null 2>&1 || true' EXIT
make --no-print-directory start
export DBURL BASE_URL=http://127.0.0.1:$PORT
DBURL=$(scripts/stack.sh dburl)

failed=0
echo "=== load shedding (bench/load.sh)"
bench/load.sh || failed=$((failed + 1))
echo "=== force-cancel of 300,000 bookings"
FORCE_CANCEL_BOOKINGS=300000 node --test tests/e2e/force-cancel.test.mjs || failed=$((failed + 1))
echo "scale: $((2 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
