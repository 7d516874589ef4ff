#!/usr/bin/env bash
# Applies db/migrations/NNN_name.sql in order, each exactly once and in its
# own transaction, recording it in public.schema_migrations. Safe to re-run
# and to run concurrently (an advisory lock serialises runners).
#   db/migrate.sh DATABASE_URL
set -euo pipefail
url=${1:?usage: migrate.sh DATABASE_URL}
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/migrations" && pwd)
cd "$dir"
{
    echo '\set ON_ERROR_STOP on'
    echo 'SET client_min_messages = warning;'
    echo 'SELECT pg_advisory_lock(hashtext($$sk-museum migrations$$)) \g /dev/null'
    echo 'CREATE TABLE IF NOT EXISTS public.schema_migrations ('
    echo '    version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());'
    for f in [0-9][0-9][0-9]_*.sql; do
        v=${f%.sql}
        [[ "$v" =~ ^[0-9]{3}_[a-z0-9_]+$ ]] || { echo "bad migration name: $f" >&2; exit 1; }
        echo "\\set v $v"
        echo "SELECT NOT EXISTS (SELECT 1 FROM public.schema_migrations WHERE version = :'v') AS todo \\gset"
        echo '\if :todo'
        echo 'BEGIN;'
        echo "\\i $f"
        echo "INSERT INTO public.schema_migrations (version) VALUES (:'v');"
        echo 'COMMIT;'
        echo '\echo applied :v'
        echo '\endif'
    done
} | psql "$url" -X -q -v ON_ERROR_STOP=1 -f -
