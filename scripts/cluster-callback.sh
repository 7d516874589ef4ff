#!/usr/bin/env bash
# Patroni's on_start and on_role_change callback (scripts/cluster.sh
# configures it), run as postgres: when this node becomes the primary, it
# points PgBouncer's [databases] at this node and RELOADs PgBouncer through
# its admin console. A replica does nothing (the new primary's callback
# moves PgBouncer).
#
#   cluster-callback.sh CLUSTER_DIR PG_PORT PGBOUNCER_PORT ACTION ROLE SCOPE [write-only]
#
# Patroni appends ACTION, ROLE (master/primary, replica, ...) and SCOPE.
# write-only: write databases.ini, do not reload (PgBouncer not started yet).
set -euo pipefail

dir=$1 pg_port=$2 pgb_port=$3 action=$4 role=$5 mode=${7:-}
log=$dir/log/callback.log
ini=$dir/pgbouncer/databases.ini

case $role in master | primary) ;; *) exit 0 ;; esac
case $action in on_start | on_role_change) ;; *) exit 0 ;; esac

printf '[databases]\nmuseum = host=127.0.0.1 port=%s dbname=museum\n' "$pg_port" >"$ini.new"
mv "$ini.new" "$ini"
echo "$(date -u +%FT%T.%3NZ) event=pgbouncer_pointed action=$action role=$role port=$pg_port" >>"$log"
[ "$mode" != write-only ] || exit 0
# RELOAD: new server connections go to this node; those to the old one are
# closed as their clients finish (session pooling).
for _ in 1 2 3 4 5; do
    if psql "host=127.0.0.1 port=$pgb_port dbname=pgbouncer user=pgbouncer_admin password=$(cat "$dir/secrets/pgbouncer_admin") connect_timeout=2" \
        -XtAq -c RELOAD >>"$log" 2>&1; then
        echo "$(date -u +%FT%T.%3NZ) event=pgbouncer_reloaded port=$pg_port" >>"$log"
        exit 0
    fi
    sleep 1
done
echo "$(date -u +%FT%T.%3NZ) event=pgbouncer_reload_failed port=$pg_port" >>"$log"
exit 1
