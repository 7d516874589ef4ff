#!/usr/bin/env bash
# Installs the Debian packages a target needs, if any is missing.
#   deps.sh run   - build and run the stack (Node.js's npm too: the pages'
#                   self-hosted fonts come from npm, scripts/fonts.sh)
#   deps.sh test  - also the test tools (cmocka, pgTAP, Chromium)
#   deps.sh cluster - also the cluster's engines (make cluster: Patroni,
#                   etcd, PgBouncer; docs/deploy.md)
set -euo pipefail
run_pkgs=(gcc make pkg-config curl ca-certificates nginx postgresql-15 postgresql-client-15
    libpq-dev libfcgi-dev libjson-c-dev libqrencode-dev libxxhash-dev
    libcrypt-dev libcurl4-openssl-dev python3)
test_pkgs=(libcmocka-dev postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
    chromium clang libclang-rt-14-dev python3-aiosmtpd)
cluster_pkgs=(patroni etcd-server etcd-client pgbouncer)
want=("${run_pkgs[@]}")
[ "${1:-run}" = test ] && want+=("${test_pkgs[@]}")
[ "${1:-run}" = cluster ] && want+=("${cluster_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (with its own npm): ask for
# the commands, not the packages.
if ! { command -v node && command -v npm; } >/dev/null; then
    missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The distribution's own nginx/postgresql (and patroni, etcd, pgbouncer)
# services are not ours: leave them stopped so they do not hold port 80,
# the default socket, or etcd's and PgBouncer's default ports.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now nginx postgresql patroni etcd pgbouncer >/dev/null 2>&1 || true
fi
