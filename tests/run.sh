#!/usr/bin/env bash
# make test: unit tests, then a throwaway stack (own PostgreSQL cluster,
# own nginx port) built with the sanitizers, then SQL (pgTAP), end-to-end
# and browser tests against it. Fails if a sanitizer reported anything.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

export SANITIZER=${TEST_SANITIZER-address,undefined}
export VAR=$ROOT/var/test
# Where `make SANITIZER=...` puts the binaries, for scripts/stack.sh calls
# made by the tests themselves.
if [ -n "$SANITIZER" ]; then export BIN=$ROOT/build/san-${SANITIZER//,/-}; else export BIN=$ROOT/build/release; fi
export PG_FAST=1
# Two listeners share the work; failing events give up fast (3 tries, 20 ms
# base backoff) so the poison test need not wait minutes.
export LISTENERS=2 LISTENER_MAX_ATTEMPTS=3 LISTENER_BACKOFF_MS=20
# A lower hard cap on API requests in nginx than the default 512: above the
# 100 concurrent bookings that tests/e2e/edge.test.mjs expects all answered,
# well below the burst test's 384 connections (tests/e2e/ops.test.mjs), which
# must get fast 503s even when a busy machine slows the test client.
export NGINX_MAX_CONNS=128
# The sanitizer build on a shared 2-core machine answers slowly under the
# burst tests: shed only what waited 5 s (tests/e2e/queue.test.mjs checks
# the shedding itself with its own bound).
export APP_QUEUE_MAX_MS=5000
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
unset DATABASE_URL APP_DATABASE_URL LISTENER_DATABASE_URL APP_USER LISTENER_USER
unset ADMIN_PASSWORD # the stack generates one into $VAR/admin-password; the tests read it there

# A free port from a random start in 18080-18879, so that two test runs
# on one machine do not pick the same one.
free_port() {
    local p start=$((18080 + RANDOM % 800))
    for p in $(seq "$start" 18879) $(seq 18080 "$start"); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
    done
    echo "no free port in 18080-18879" >&2
    exit 1
}
export PORT=${TEST_PORT:-$(free_port)}

results=()
failed=0
step() {
    local name=$1
    shift
    echo
    echo "=== $name"
    if "$@"; then results+=("ok      $name"); else results+=("FAILED  $name"); failed=$((failed + 1)); fi
}

step "unit (cmocka)" make --no-print-directory test-unit
step "fuzz (libFuzzer smoke, ${FUZZ_SECONDS:=10} s each)" make --no-print-directory fuzz FUZZ_SECONDS="$FUZZ_SECONDS"
step "nginx: production files = templates, agree with development" tests/nginx/check.sh

# A fresh stack every run.
scripts/stack.sh stop >/dev/null 2>&1 || true
rm -rf "$VAR"
trap 'scripts/stack.sh stop >/dev/null 2>&1 || true' EXIT
make --no-print-directory start
DBURL=$(scripts/stack.sh dburl)
export DBURL BASE_URL=http://127.0.0.1:$PORT

sql_tests() {
    psql "$DBURL" -Xq -c 'CREATE EXTENSION IF NOT EXISTS pgtap' &&
        pg_prove --host "$(scripts/stack.sh sockdir)" --port 5432 --username postgres \
            --dbname museum --ext .sql -r tests/sql
}
step "SQL (pgTAP)" sql_tests
step "upgrade (migrations of eb53627 -> now)" tests/upgrade.sh
step "privileges (sockets, users, roles, long path, PostgreSQL log)" tests/privileges.sh
e2e_tests() {
    # jsqr (tests/e2e/package.json) decodes the tickets' QR codes.
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error) &&
        node --test --test-concurrency=1 tests/e2e/
}
step "end to end (node:test through nginx)" e2e_tests
step "mail (Maildir, SMTP on loopback, listeners killed)" node --test --test-concurrency=1 tests/mail/
if [ -d tests/browser ] && [ -f tests/browser/package.json ]; then
    browser_tests() {
        (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error &&
            node --test --test-concurrency=1)
    }
    step "browser (playwright-core + chromium)" browser_tests
fi

scripts/stack.sh stop
trap - EXIT
sanitizer_reports() {
    ! grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$VAR"/log/*.log
}
step "no sanitizer reports in server logs" sanitizer_reports

echo
printf '%s\n' "${results[@]}"
passed=$((${#results[@]} - failed))
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
