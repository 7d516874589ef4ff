#!/usr/bin/env bash
# `make screenshots`: retakes docs/screenshots/*.png (desktop and phone,
# English and Korean) on a throwaway stack of its own, with the demo
# museum's visit information set through the environment (which wins over
# etc/museum.conf) and the demo data tests/browser/screenshots.mjs makes.
# About a minute; var/screenshots is removed afterwards.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export VAR=$ROOT/var/screenshots
unset DATABASE_URL APP_DATABASE_URL LISTENER_DATABASE_URL APP_USER LISTENER_USER ADMIN_PASSWORD MUSEUM_CONF

start=$((20080 + RANDOM % 800))
PORT=
for p in $(seq "$start" 20879) $(seq 20080 "$start"); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "no free port in 20080-20879" >&2; exit 1; }
export PORT

# A demo museum (invented address and contacts).
export MUSEUM_NAME='SK Museum' MUSEUM_NAME_KO='SK 박물관' MUSEUM_LOGO=/logo.svg MUSEUM_TZ=Asia/Seoul \
    MUSEUM_OPENS=10:00 MUSEUM_CLOSES=18:00 MUSEUM_CLOSED_WEEKDAYS=1 \
    MUSEUM_ADDRESS='35 Samcheong-ro, Jongno-gu, Seoul 03062' \
    MUSEUM_ADDRESS_KO='03062 서울특별시 종로구 삼청로 35' \
    MUSEUM_PHONE='+82 2-555-0100' MUSEUM_EMAIL='visit@museum.example' \
    MUSEUM_ACCESSIBILITY='Step-free entrance and lifts to every floor. Wheelchairs and pushchairs can be borrowed at the information desk; assistance dogs are welcome.' \
    MUSEUM_ACCESSIBILITY_KO='모든 층에 계단 없는 출입구와 엘리베이터가 있습니다. 휠체어와 유모차는 안내 데스크에서 빌리실 수 있으며, 보조견과 함께 입장하실 수 있습니다.'

scripts/stack.sh stop >/dev/null 2>&1 || true
rm -rf "$VAR"
trap '"$ROOT/scripts/stack.sh" stop >/dev/null 2>&1 || true; rm -rf "$VAR"' EXIT
make --no-print-directory start
cd tests/browser
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error
BASE_URL=http://127.0.0.1:$PORT node screenshots.mjs
