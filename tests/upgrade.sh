#!/usr/bin/env bash
# The upgrade path (a step of make test, while the test stack is up):
# a database built by the migrations of commit $UPGRADE_BASE (default
# eb53627, the last commit before db/functions/), holding rows made through
# that commit's functions, then upgraded by the current db/migrate.sh (run
# twice), must
#   - have exactly the schema, privileges included, of a fresh install;
#   - keep its rows (the columns it still has), and move the data it
#     re-shapes (an exhibition's date and seats left become its start date
#     and its one slot's), and its functions their OIDs (running workers
#     keep their prepared statements);
#   - work: book, cancel, apply the outbox, seats left = capacity - live
#     bookings' parties in every slot;
# and each function, view and trigger must be created in exactly one file
# of db/.
#   DBURL=postgresql://...(the cluster's owner URL) tests/upgrade.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE=${UPGRADE_BASE:-eb53627}
: "${DBURL:?DBURL must be the owner URL of a PostgreSQL database}"

if ! git -C "$ROOT" cat-file -e "$BASE^{commit}" 2>/dev/null; then
    echo "SKIP upgrade: commit $BASE is not in this clone's history (shallow clone?)"
    exit 0
fi

pg_dump=$(pg_config --bindir 2>/dev/null)/pg_dump
[ -x "$pg_dump" ] || pg_dump=/usr/lib/postgresql/15/bin/pg_dump
[ -x "$pg_dump" ] || pg_dump=pg_dump

# The URL of database $1 on DBURL's server.
db_url() {
    [[ "$DBURL" =~ ^(postgres(ql)?://[^/?]*)(/[^?]*)?(\?.*)?$ ]] || {
        echo "DBURL is not a postgresql:// URL" >&2
        exit 1
    }
    printf '%s/%s%s' "${BASH_REMATCH[1]}" "$1" "${BASH_REMATCH[4]}"
}
OLD_DB=museum_upgrade_old
FRESH_DB=museum_upgrade_fresh
COPY_DB=museum_upgrade_copy # OLD_DB as it was before the upgrade
OLD=$(db_url $OLD_DB)
FRESH=$(db_url $FRESH_DB)
COPY=$(db_url $COPY_DB)
SCHEMAS="'museum', 'book', 'confirm', 'mypage', 'outbox', 'report'"

q() { psql "$1" -XAtq -v ON_ERROR_STOP=1 "${@:2}"; }
drop_dbs() {
    q "$DBURL" -c "DROP DATABASE IF EXISTS $OLD_DB" -c "DROP DATABASE IF EXISTS $FRESH_DB" \
        -c "DROP DATABASE IF EXISTS $COPY_DB" 2>/dev/null
}

tmp=$(mktemp -d)
cleanup() {
    drop_dbs || true
    rm -rf "$tmp"
}
trap cleanup EXIT

failures=()
fail() {
    echo "FAILED: $*"
    failures+=("$*")
}
die() {
    echo "FAILED upgrade: $*"
    exit 1
}

# The schema as pg_dump writes it, privileges included, without what
# differs between two identical databases (comments, SET lines, the
# random \restrict key) or does not matter (blank lines).
schema() {
    "$pg_dump" --schema-only "$1" |
        grep -v -E '^(--|SET |SELECT pg_catalog\.set_config|\\(un)?restrict )' | grep -v '^$'
}

# Every table of ours with its columns, "table|col,col,...".
columns() {
    q "$1" -c "SELECT c.oid::regclass || '|' || string_agg(quote_ident(a.attname), ',' ORDER BY a.attnum)
               FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               WHERE c.relkind = 'r' AND c.relnamespace::regnamespace::text IN ($SCHEMAS)
               GROUP BY c.oid ORDER BY 1"
}

# The columns of file $1 ("table|col,...") that file $2 lists too, in $1's
# order: what an upgrade kept (a column it adds, drops or renames is
# checked on its own).
common_columns() {
    awk -F'|' 'FILENAME == ARGV[2] { n = split($2, c, ","); for (i = 1; i <= n; i++) has[$1 "|" c[i]] = 1; next }
               { n = split($2, c, ","); out = ""
                 for (i = 1; i <= n; i++) if (($1 "|" c[i]) in has) out = out (out ? "," : "") c[i]
                 if (out) print $1 "|" out }' "$1" "$2"
}

# Row count and checksum of each table over the columns listed in file $2.
# schema_migrations gains the new versions by design.
rows() {
    local table cols
    while IFS='|' read -r table cols; do
        q "$1" -c "SELECT '$table ' || count(*) || ' ' ||
                          md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))
                   FROM (SELECT $cols FROM $table) t"
    done <"$2"
}

# name(args)|OID of every function of ours.
oids() {
    q "$1" -c "SELECT p.oid::regprocedure || '|' || p.oid FROM pg_proc p
               WHERE p.pronamespace::regnamespace::text IN ($SCHEMAS) ORDER BY 1"
}

echo "building $OLD_DB with the migrations of $BASE"
drop_dbs
q "$DBURL" -c "CREATE DATABASE $OLD_DB" -c "CREATE DATABASE $FRESH_DB"
git -C "$ROOT" archive "$BASE" db | tar -x -C "$tmp"
"$tmp/db/migrate.sh" "$OLD" >"$tmp/old-migrate.log" 2>&1 ||
    { cat "$tmp/old-migrate.log"; die "$BASE's migrate.sh failed"; }

echo "rows through $BASE's functions"
q "$OLD" >/dev/null <<'SQL' || die "could not make rows through $BASE's functions"
SELECT museum.create('Upgrade A', '2031-01-01', 5);
SELECT museum.create('Upgrade B', '2031-01-02', 3);
SELECT museum.create('Upgrade C', '2031-01-03', 4);
SELECT book.create((SELECT id FROM museum.exhibition WHERE name = 'Upgrade A'), 'Kim', repeat('a1', 32),
                   'upgrade-key-1', E'POST /books\n{"museumId":1}');
SELECT book.create((SELECT id FROM museum.exhibition WHERE name = 'Upgrade A'), 'Lee', repeat('b2', 32), NULL, NULL);
SELECT book.create((SELECT id FROM museum.exhibition WHERE name = 'Upgrade B'), 'Kim', repeat('c3', 32), NULL, NULL);
SELECT book.create((SELECT id FROM museum.exhibition WHERE name = 'Upgrade C'), 'Park', repeat('d4', 32), NULL, NULL);
SELECT book.create((SELECT id FROM museum.exhibition WHERE name = 'Upgrade C'), 'Choi', repeat('e5', 32), NULL, NULL);
SELECT outbox.process(100);
SELECT book.set_status((SELECT id FROM book.booking WHERE cust_nm = 'Lee'), 'CANCELED', false, repeat('b2', 32),
                       'upgrade-key-2', E'PATCH /books/2\n{"status":"CANCELED"}');
SELECT book.set_status((SELECT id FROM book.booking WHERE cust_nm = 'Choi'), 'CANCELED', true, NULL, NULL, NULL);
SELECT museum.delete((SELECT id FROM museum.exhibition WHERE name = 'Upgrade C'));
SELECT outbox.process(100);
SELECT outbox.process(100);
SELECT outbox.process(100);
SELECT outbox.listener_beat('upgrade-test', 1, 7);
-- Left pending across the upgrade, for the new functions to apply.
SELECT book.create((SELECT id FROM museum.exhibition WHERE name = 'Upgrade B'), 'Pending', repeat('f6', 32), NULL, NULL);
SQL
columns "$OLD" >"$tmp/columns"
rows "$OLD" "$tmp/columns" >"$tmp/rows.all"
oids "$OLD" >"$tmp/oids.before"
sed 's/^/  /' "$tmp/rows.all"
[ "$(grep -c ' [1-9][0-9]* [0-9a-f]\{32\}$' "$tmp/rows.all")" -ge 7 ] ||
    die "expected rows in at least 7 tables before the upgrade"
q "$DBURL" -c "CREATE DATABASE $COPY_DB TEMPLATE $OLD_DB"

echo "upgrading $OLD_DB with the current db/migrate.sh"
"$ROOT/db/migrate.sh" "$OLD" >"$tmp/upgrade.log" 2>&1 || { cat "$tmp/upgrade.log"; die "db/migrate.sh failed on $OLD_DB"; }
sed 's/^/  /' "$tmp/upgrade.log"
schema "$OLD" >"$tmp/upgraded.sql"
oids "$OLD" >"$tmp/oids.upgraded"
echo "running it again"
"$ROOT/db/migrate.sh" "$OLD" >"$tmp/again.log" 2>&1 || { cat "$tmp/again.log"; die "db/migrate.sh failed the second time"; }
[ ! -s "$tmp/again.log" ] || fail "the second run applied something: $(cat "$tmp/again.log")"
schema "$OLD" >"$tmp/again.sql"
diff -u "$tmp/upgraded.sql" "$tmp/again.sql" || fail "the second run changed the schema"
oids "$OLD" | diff -u "$tmp/oids.upgraded" - || fail "the second run changed function OIDs"
# Only what a migration since $BASE drops on purpose (to change its result
# type, say) may come back with another OID.
git -C "$ROOT" diff --name-only "$BASE" -- db/migrations | sed 's|^|'"$ROOT"'/|' |
    xargs -r cat | sed -n 's/^DROP FUNCTION IF EXISTS \([^;]*\);.*/\1/p' | tr -d ' ' >"$tmp/dropped"
awk -F'|' 'FILENAME == ARGV[1] { dropped[$0] = 1; next }
           FILENAME == ARGV[2] { before[$1] = $2; next }
           ($1 in before) && before[$1] != $2 && !($1 in dropped) { print "  " $1 ": " before[$1] " -> " $2; bad = 1 }
           END { exit bad }' "$tmp/dropped" "$tmp/oids.before" "$tmp/oids.upgraded" ||
    fail "functions that exist before and after the upgrade changed OID"

echo "building $FRESH_DB with the current db/migrate.sh"
"$ROOT/db/migrate.sh" "$FRESH" >"$tmp/fresh.log" 2>&1 || { cat "$tmp/fresh.log"; die "db/migrate.sh failed on $FRESH_DB"; }
schema "$FRESH" >"$tmp/fresh.sql"
echo "comparing the schemas ($(wc -l <"$tmp/fresh.sql") lines of pg_dump --schema-only)"
diff -u --label "$OLD_DB (upgraded)" --label "$FRESH_DB" "$tmp/upgraded.sql" "$tmp/fresh.sql" ||
    fail "the upgraded schema differs from a fresh install (diff above)"

echo "comparing the rows (the columns kept)"
columns "$OLD" >"$tmp/columns.after"
common_columns "$tmp/columns" "$tmp/columns.after" >"$tmp/columns.kept"
rows "$COPY" "$tmp/columns.kept" >"$tmp/rows.before"
rows "$OLD" "$tmp/columns.kept" >"$tmp/rows.after"
diff -u --label before --label after "$tmp/rows.before" "$tmp/rows.after" || fail "the upgrade changed rows"
echo "comparing what migration 017 moved (an exhibition's date and seats left)"
q "$COPY" -c "SELECT id, chk_date, capacity, pcnt FROM museum.exhibition ORDER BY id" >"$tmp/moved.before"
q "$OLD" -c "SELECT e.id, e.start_date, s.capacity, s.seats_left FROM museum.exhibition e
             JOIN museum.slot s ON s.museum_id = e.id AND s.day = e.start_date ORDER BY e.id" >"$tmp/moved.after"
diff -u --label before --label after "$tmp/moved.before" "$tmp/moved.after" || fail "the upgrade moved exhibitions wrong"

echo "using the upgraded database through the current functions (as museum_app, then museum_listener)"
q "$OLD" >"$tmp/use.out" <<'SQL' || { cat "$tmp/use.out"; fail "the upgraded database does not work"; }
SELECT pg_has_role('museum_app', 'MEMBER') AS can_be_app,
       pg_has_role('museum_listener', 'MEMBER') AS can_be_listener \gset
\if :can_be_app
SET ROLE museum_app;
\endif
-- A replay of a request made before the upgrade answers the same booking and token.
SELECT 'replay ' || (b.id = k.id AND b.token = repeat('a1', 32))
FROM book.create(1, 'Kim', NULL, 'upgrade-key-1', E'POST /books\n{"museumId":1}', NULL, NULL, 1) b,
     book.get(b.id, true, NULL) k;
SELECT 'book ' || status FROM book.create(2, 'New', repeat('07', 32), NULL, NULL, NULL, '{"child":1}', 1);
SELECT 'cancel ' || status
FROM book.change((SELECT id FROM book.create(1, 'Gone', repeat('08', 32), NULL, NULL, NULL, NULL, 1)),
                 'CANCELED', NULL, NULL, NULL, false, repeat('08', 32), NULL, NULL);
RESET ROLE;
\if :can_be_listener
SET ROLE museum_listener;
\endif
SELECT 'processed ' || (outbox.process(100) + outbox.process(100) + outbox.process(100));
RESET ROLE;
SELECT 'pending ' || pending || ' dead ' || dead FROM outbox.status();
SELECT 'mypage differences ' || count(*) FROM mypage.diff();
SELECT 'statuses ' || string_agg(cust_nm || '=' || status, ' ' ORDER BY id) FROM book.booking;
SELECT 'seats wrong for ' || count(*) FROM museum.slot s
WHERE s.seats_left <> s.capacity - (SELECT coalesce(sum(b.party), 0) FROM book.booking b
                                    WHERE b.slot_id = s.id AND b.status IN ('REQUESTED', 'REQUEST_COMPLETED'));
SQL
sed 's/^/  /' "$tmp/use.out"
expect() { grep -qxF "$1" "$tmp/use.out" || fail "expected: $1"; }
expect "replay true"
expect "book REQUESTED"
expect "cancel CANCELED"
expect "processed 4"
expect "pending 0 dead 0"
expect "mypage differences 0"
expect "statuses Kim=REQUEST_COMPLETED Lee=CANCELED Kim=REQUEST_COMPLETED Park=FORCE_CANCELED Choi=CANCELED Pending=REQUEST_COMPLETED New=REQUEST_COMPLETED Gone=CANCELED"
expect "seats wrong for 0"

echo "each function, view and trigger created in exactly one file of db/"
(cd "$ROOT" && grep -r -n -i -E --include='*.sql' \
    '^[[:space:]]*create[[:space:]]+(or[[:space:]]+replace[[:space:]]+)?(constraint[[:space:]]+)?(function|procedure|(materialized[[:space:]]+)?view|trigger)[[:space:]]' db) |
    awk '{
        line = $0
        sub(/^[^:]*:[0-9]+:/, "", line)
        file = substr($0, 1, index($0, ":") - 1)
        n = split(tolower(line), w, /[[:space:](]+/)
        i = 1
        while (w[i] == "") i++
        i++                                            # create
        if (w[i] == "or") i += 2                       # or replace
        if (w[i] == "constraint" || w[i] == "materialized") i++
        kind = w[i]
        name = w[i + 1]
        gsub(/"/, "", name)
        key = kind " " name
        if (!(key in defs)) names++
        defs[key]++
        if (!((key, file) in seen)) { seen[key, file] = 1; files[key] = files[key] " " file }
        if (file ~ /^db\/migrations\// && name !~ /^pg_temp\./) moved[key] = moved[key] " " file
        total++
    }
    END {
        for (k in defs) {
            if (split(files[k], f, " ") > 1) { print "  " k ": in several files:" files[k]; bad = 1 }
            else if (defs[k] > 1) { print "  " k ": created " defs[k] " times in" files[k]; bad = 1 }
            if (k in moved) { print "  " k ": created in a migration (its place is db/functions/):" moved[k]; bad = 1 }
        }
        printf "  %d CREATE statements, %d names\n", total, names
        exit bad
    }' || fail "a function, view or trigger is created in more than one place"

echo
if [ ${#failures[@]} -eq 0 ]; then
    echo "ok upgrade: $BASE -> now gives the schema of a fresh install, keeps its rows and works"
else
    echo "FAILED upgrade: ${#failures[@]} problem(s):"
    printf '  - %s\n' "${failures[@]}"
    exit 1
fi
