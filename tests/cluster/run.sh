#!/usr/bin/env bash
# make test-cluster: a throwaway cluster (scripts/cluster.sh, own VAR and
# ports 21500-21599, front on 21580), the failover tests against it
# (tests/cluster/*.test.mjs: app node loss, primary loss and return), then
# stops it. CI runs it after make test and make test-scale. A few minutes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export VAR=$ROOT/var/cluster-test BIN=${BIN:-$ROOT/build/release}
export CLUSTER_DIR=$VAR/cluster CLUSTER_BASE=${TEST_CLUSTER_BASE:-21500}
export PORT=${TEST_CLUSTER_PORT:-$((CLUSTER_BASE + 80))}
# The app nodes take the client's address from the front's
# X-Forwarded-For (REAL_IP_FROM=127.0.0.3): the tests' 127.0.0.1 is
# trusted (etc/museum.conf), so the per-client limits let the load through.
unset DATABASE_URL APP_DATABASE_URL LISTENER_DATABASE_URL READ_DATABASE_URL ADMIN_PASSWORD TICKET_SEAL_KEY

scripts/cluster.sh stop >/dev/null 2>&1 || true
rm -rf "$VAR"
trap 'scripts/cluster.sh stop >/dev/null 2>&1 || true' EXIT
t0=$SECONDS
scripts/cluster.sh start
echo "cluster started in $((SECONDS - t0)) s"

ADMIN_PASSWORD=$(cat "$CLUSTER_DIR/secrets/admin-password")
DBURL=$(scripts/cluster.sh dburl)
export ADMIN_PASSWORD DBURL BASE_URL=http://127.0.0.1:$PORT
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
rc=0
node --test --test-concurrency=1 tests/cluster/ || rc=$?
scripts/cluster.sh status || rc=1
scripts/cluster.sh stop
trap - EXIT
echo "test-cluster: $((SECONDS - t0)) s, $([ "$rc" = 0 ] && echo passed || echo FAILED)"
exit "$rc"
