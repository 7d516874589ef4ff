#!/usr/bin/env bash
# Production nginx = development nginx, but for the values allowed to differ:
# deploy/nginx/ is exactly what scripts/render-nginx.sh makes of nginx/*.conf.in,
# nginx accepts both renderings, and they hold the same directives in the same
# blocks. Needs nginx, not the stack.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RENDER=$ROOT/scripts/render-nginx.sh
PROD=$ROOT/deploy/nginx
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

failed=0
fail() { printf 'FAIL: %s\n' "$*" >&2; failed=1; }
prod_value() { "$RENDER" values prod | sed -n "s/^$1=//p"; }
literal() { printf '%s' "$1" | sed 's/[][\.*^$|+?(){}#]/\\&/g'; } # as an ERE

# Process-level settings only the development wrapper (nginx/nginx.conf.in)
# has; production's come from Debian's /etc/nginx/nginx.conf.
WRAPPER_ONLY='^(worker_processes|pid|error_log|user|events|http \{|http > (include /etc/nginx/mime\.types|default_type|[a-z_]+_temp_path))( |$)'

# Directives one per line (tests/nginx/directives.awk), each value of mode $1
# turned back into its @NAME@: longest first, so that a path is not taken for
# a shorter value inside it; only as a whole word or the start of a path.
directives() {
    local mode=$1 name value script=()
    shift
    while IFS='=' read -r name value; do
        script+=(-e "s#(^| |:)$(literal "$value")($| |/)#\\1@$name@\\2#g")
    done < <("$RENDER" values "$mode" | awk -F= '{ print length($0) - length($1) "\t" $0 }' | sort -rn | cut -f2-)
    awk -f "$ROOT/tests/nginx/directives.awk" "$@" | sed -E "${script[@]}"
}

echo "== deploy/nginx/ is what the templates render"
"$RENDER" prod "$T/rendered"
diff -ru "$PROD" "$T/rendered" || fail "deploy/nginx/ differs from nginx/*.conf.in rendered: run make deploy-nginx"

echo "== the development config passes nginx -t"
export VAR=$T/dev PORT=18999 NGINX_MAX_CONNS=64
# The other limits as production has them (the renderer's defaults), so that
# the comparison below does not depend on the caller's environment.
unset NGINX_CLIENT_MAX_CONNS BOOKING_RATE BOOKING_BURST CREDENTIALS_RATE CREDENTIALS_BURST TRUSTED_CLIENTS
mkdir -p "$VAR/nginx" "$VAR/log" "$VAR/run"
"$RENDER" dev "$VAR/nginx/nginx.conf"
nginx -q -t -p "$VAR/nginx" -e "$VAR/log/nginx-error.log" -c "$VAR/nginx/nginx.conf" ||
    fail "the development config does not pass nginx -t"

echo "== production passes nginx -t under a main config like Debian's"
# Copies where the files nginx opens or includes at -t exist: logs in $T,
# the security headers from this checkout (the socket and pages need not).
mkdir -p "$T/prod/conf.d" "$T/prod/sites-enabled" "$T/prod/log" "$T/prod/temp"
for f in "$PROD"/sk-museum-http.conf:conf.d "$PROD"/sk-museum-site.conf:sites-enabled; do
    sed -e "s|$(literal "$(prod_value ACCESS_LOG)")|$T/prod/log/access.log|" \
        -e "s|$(literal "$(prod_value ERROR_LOG)")|$T/prod/log/error.log|" \
        -e "s|$(literal "$(prod_value SHARE)")/|$ROOT/|" "${f%:*}" >"$T/prod/${f#*:}/$(basename "${f%:*}")"
done
# Debian 12's http block as shipped: a directive the site's http part repeats
# ("duplicate") fails here as it would on the server.
cat >"$T/prod/nginx.conf" <<EOF
pid $T/prod/nginx.pid;
events {}
http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log $T/prod/log/debian-access.log;
    gzip on;
    client_body_temp_path $T/prod/temp/client_body;
    fastcgi_temp_path $T/prod/temp/fastcgi;
    proxy_temp_path $T/prod/temp/proxy;
    uwsgi_temp_path $T/prod/temp/uwsgi;
    scgi_temp_path $T/prod/temp/scgi;
    include $T/prod/conf.d/*.conf;
    include $T/prod/sites-enabled/*;
}
EOF
nginx -q -t -p "$T/prod" -e "$T/prod/log/error.log" -c "$T/prod/nginx.conf" ||
    fail "the production files do not pass nginx -t"

echo "== production and development hold the same directives"
directives dev "$VAR/nginx/nginx.conf" | grep -Ev "$WRAPPER_ONLY" >"$T/dev.txt"
directives prod -v ctx=http "$PROD/sk-museum-http.conf" "$PROD/sk-museum-site.conf" >"$T/prod.txt"
diff -u --label production "$T/prod.txt" --label development "$T/dev.txt" ||
    fail "production and development nginx differ (above: - only in production, + only in development)"
[ "$failed" = 0 ] && echo "ok: $(wc -l <"$T/prod.txt") directives agree"
exit "$failed"
