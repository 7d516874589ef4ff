#!/usr/bin/env bash
# Builds or upgrades the database (db/README.md):
#   db/migrate.sh DATABASE_URL
#
# 1. db/migrations/NNN_name.sql: what must be ordered and applied once
#    (schemas, tables, domains, indexes, table settings, data moves, roles,
#    schema-level grants, default privileges). Each pending one is applied
#    in order, exactly once, and recorded in public.schema_migrations. (A
#    statement that cannot run in a transaction, such as CREATE INDEX
#    CONCURRENTLY, has no place here.)
# 2. db/functions/<schema>.sql: every function, view and trigger, as it is
#    now, with its grants. ALL of them are applied again on every run, in
#    the order listed below.
# Both in one transaction (see script() below). They are written with
#    CREATE OR REPLACE, so applying them again changes nothing that is
#    already right, and a function keeps its OID (running workers keep
#    their prepared statements).
#
# The rule: to change a function, view or trigger, edit its file. To change
# a function's signature (argument types or names) or return type, or a
# view's columns, or to remove one, a new migration drops it first (DROP ...
# IF EXISTS: on a fresh install it does not exist yet); its file then
# creates the new one. An API function (one museum_app calls) says SECURITY
# DEFINER and SET search_path = pg_catalog, pg_temp in its CREATE statement,
# and its file grants EXECUTE to museum_app.
#
# Safe to re-run and to run concurrently (an advisory lock serialises runners).
set -euo pipefail
url=${1:?usage: migrate.sh DATABASE_URL}
cd "$(dirname "${BASH_SOURCE[0]}")"

# db/functions/ in dependency order: the body of a LANGUAGE sql function is
# checked when it is created, so what it reads must exist by then
# (outbox.status() reads the report views).
functions=(museum book confirm mypage visitor waitlist mail staff door report outbox)

# Refuse to start, before anything is applied, when the files do not fit.
for f in migrations/[0-9][0-9][0-9]_*.sql; do
    [[ "$f" =~ ^migrations/[0-9]{3}_[a-z0-9_]+\.sql$ ]] || { echo "bad migration name: $f" >&2; exit 1; }
done
for f in functions/*; do
    n=${f#functions/}
    [[ " ${functions[*]} " == *" ${n%.sql} "* && "$n" == *.sql ]] ||
        { echo "db/$f is not in db/migrate.sh's list of function files" >&2; exit 1; }
done
for n in "${functions[@]}"; do
    [ -f "functions/$n.sql" ] || { echo "db/functions/$n.sql is missing" >&2; exit 1; }
done

# The whole run as one psql script: one transaction, so that the API never
# sees a half-upgraded schema (a migration dropping a function the old
# definitions call, before the new ones are in) and a failure changes
# nothing. Waiting for a lock, it gives up after MIGRATE_LOCK_TIMEOUT (the
# locks it holds meanwhile, e.g. on a view it re-creates, would hold up
# every request) and is tried again, MIGRATE_TRIES times.
script() {
    echo '\set ON_ERROR_STOP on'
    echo 'SET client_min_messages = warning;'
    echo 'SELECT pg_advisory_lock(hashtext($$sk-museum migrations$$)) \g /dev/null'
    echo 'CREATE TABLE IF NOT EXISTS public.schema_migrations ('
    echo '    version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());'
    echo 'BEGIN;'
    echo "SET LOCAL lock_timeout = '${MIGRATE_LOCK_TIMEOUT:-2s}';"
    # The museum's time zone (MUSEUM_TZ, as the app's sessions have it): a
    # data move that makes slot times from local dates and hours needs it.
    echo "SET LOCAL TimeZone = :'tz';"
    for f in migrations/[0-9][0-9][0-9]_*.sql; do
        v=${f#migrations/}
        v=${v%.sql}
        echo "\\set v $v"
        echo "SELECT NOT EXISTS (SELECT 1 FROM public.schema_migrations WHERE version = :'v') AS todo \\gset"
        echo '\if :todo'
        echo "\\i $f"
        echo "INSERT INTO public.schema_migrations (version) VALUES (:'v');"
        echo '\echo applied :v'
        echo '\endif'
    done
    for n in "${functions[@]}"; do
        echo "\\i functions/$n.sql"
    done
    # Functions are executable by PUBLIC by default: not ours, whichever
    # role created them (006_roles.sql also revokes it by default).
    echo 'REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA museum, book, confirm, mypage, visitor, waitlist, mail, staff, door, outbox, report FROM PUBLIC;'
    echo 'COMMIT;'
}

err=$(mktemp)
trap 'rm -f "$err"' EXIT
for try in $(seq "${MIGRATE_TRIES:-5}"); do
    if script | psql "$url" -X -q -v ON_ERROR_STOP=1 -v tz="${MUSEUM_TZ:-Asia/Seoul}" -f - 2>"$err"; then
        exit 0
    fi
    grep -q 'lock timeout' "$err" || { cat "$err" >&2; exit 1; }
    echo "migrate: a lock was held too long (try $try); trying again" >&2
    sleep "$try"
done
cat "$err" >&2
exit 1
