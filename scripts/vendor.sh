#!/usr/bin/env bash
# Third-party scripts for the pages, from npm, into www/vendor/ (generated, not
# committed, like www/fonts/): jsQR (Apache-2.0), the QR decoder the door page
# (www/door/) uses where the browser has no BarcodeDetector, as a classic
# script (dist/jsQR.js, a UMD bundle: it defines window.jsQR). `make all`
# (so `make start`, `make run` and `make test`) runs it; it does nothing when
# the wanted version is already there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PACKAGE=jsqr
VERSION=1.4.0
OUT=$ROOT/www/vendor
STAMP=$OUT/VERSIONS
WANT="$PACKAGE@$VERSION"

if [ -f "$STAMP" ] && grep -qxF "$WANT" "$STAMP" && [ -f "$OUT/jsQR.js" ]; then exit 0; fi
if ! command -v npm >/dev/null; then
    echo "vendor.sh: npm is missing, so www/vendor/ is not made (the door page then scans only where the browser has BarcodeDetector, or by typed code):" >&2
    echo "  apt-get install nodejs npm, then make all" >&2
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent --no-fund --no-audit "$WANT" >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp"
new=$OUT.new
rm -rf "$new"
mkdir -p "$new"
cp "$tmp/package/dist/jsQR.js" "$new/jsQR.js"
cp "$tmp/package/LICENSE" "$new/jsQR.LICENSE"
echo "$WANT" >"$new/VERSIONS"
rm -rf "$OUT.old"
[ -d "$OUT" ] && mv "$OUT" "$OUT.old"
mv "$new" "$OUT"
rm -rf "$OUT.old"
echo "vendor: $WANT in www/vendor/" >&2
