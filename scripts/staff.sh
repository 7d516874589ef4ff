#!/usr/bin/env bash
# Staff accounts (docs/door.md), on the stack of VAR (or DATABASE_URL):
#   staff.sh add USER ROLE     a new account, ROLE admin or door
#   staff.sh passwd USER       a new password (the old one is refused at once)
#   staff.sh disable USER      refused from its next request on
#   staff.sh list              name, role, created, disabled
# The password: STAFF_PASSWORD (at least 12 characters), else 20 random
# characters from /dev/urandom, printed once. It is hashed by museum-app
# --hash-password (yescrypt, libcrypt) and only the hash is stored, by the
# staff.* functions, as the schema owner (scripts/stack.sh psql). The name
# admin is the bootstrap account's (ADMIN_PASSWORD): not an account.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-$ROOT/build/release}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# psql as the schema owner, a script on stdin with the variables given.
db() { "$ROOT/scripts/stack.sh" psql -XtAq -v ON_ERROR_STOP=1 "$@"; }

check_user() {
    [[ "${1:-}" =~ ^[a-z0-9._-]{1,64}$ ]] ||
        die "USER=<name>: 1 to 64 characters of a-z, 0-9, '.', '_' and '-'"
    [ "$1" != admin ] || die "admin is the bootstrap account (ADMIN_PASSWORD), not one of these"
}

# The new password: STAFF_PASSWORD, else generated (told once the account
# has it: told=1). Its hash into hash.
told=0
new_hash() {
    password=${STAFF_PASSWORD:-}
    if [ -z "$password" ]; then
        password=$(head -c 15 /dev/urandom | base64 | tr '+/' '-_')
        told=1
    fi
    hash=$(printf '%s\n' "$password" | "$BIN/museum-app" --hash-password)
}
tell() {
    [ "$told" = 0 ] || printf 'password for %s (shown once): %s\n' "$1" "$password"
}

case ${1:-} in
add)
    check_user "${2:-}"
    [[ "${3:-}" =~ ^(admin|door)$ ]] || die "ROLE=admin or ROLE=door"
    new_hash
    echo "SELECT staff.add(:'name', :'role', :'hash');" | db -v name="$2" -v role="$3" -v hash="$hash" >/dev/null
    printf 'account %s (%s) created\n' "$2" "$3"
    tell "$2" ;;
passwd)
    check_user "${2:-}"
    new_hash
    echo "SELECT staff.set_password(:'name', :'hash');" | db -v name="$2" -v hash="$hash" >/dev/null
    printf 'password of %s changed\n' "$2"
    tell "$2" ;;
disable)
    check_user "${2:-}"
    echo "SELECT staff.disable(:'name');" | db -v name="$2" >/dev/null
    printf 'account %s disabled\n' "$2" ;;
list)
    "$ROOT/scripts/stack.sh" psql -Xq -v ON_ERROR_STOP=1 -P footer=off \
        -c "SELECT name, role, to_char(created, 'YYYY-MM-DD HH24:MI') AS created,
                   coalesce(to_char(disabled, 'YYYY-MM-DD HH24:MI'), '') AS disabled
            FROM staff.accounts" ;;
*) die "usage: $0 add USER admin|door | passwd USER | disable USER | list" ;;
esac
