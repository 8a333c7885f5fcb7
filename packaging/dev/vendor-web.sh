#!/usr/bin/env bash
# Copies the workbench's front-end files from their npm packages into
# sync/server/web/static/vendor/, where they are committed: the server never fetches anything at
# run time (the command's office network may have no internet). Run after changing
# packaging/web/package.json; `npm ci` installs exactly what package-lock.json pins.
#
#   bash packaging/dev/vendor-web.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WEB="$ROOT/packaging/web"
VENDOR="$ROOT/sync/server/web/static/vendor"

(cd "$WEB" && npm ci --no-audit --no-fund --ignore-scripts)
mkdir -p "$VENDOR"
install -m 0644 "$WEB/node_modules/htmx.org/dist/htmx.min.js" "$VENDOR/htmx.min.js"
install -m 0644 "$WEB/node_modules/htmx.org/LICENSE" "$VENDOR/htmx.LICENSE"
# The leads' map: Leaflet and its marker clusters (drawn as SVG and CSS; no tiles are fetched).
LEAFLET="$WEB/node_modules/leaflet/dist"
CLUSTER="$WEB/node_modules/leaflet.markercluster/dist"
install -m 0644 "$LEAFLET/leaflet.js" "$LEAFLET/leaflet.css" "$VENDOR/"
install -m 0644 "$WEB/node_modules/leaflet/LICENSE" "$VENDOR/leaflet.LICENSE"
install -m 0644 "$CLUSTER/leaflet.markercluster.js" "$CLUSTER/MarkerCluster.css" \
    "$CLUSTER/MarkerCluster.Default.css" "$VENDOR/"
install -m 0644 "$WEB/node_modules/leaflet.markercluster/MIT-LICENCE.txt" \
    "$VENDOR/leaflet.markercluster.LICENSE"
# What was copied, from which version, so a reviewer can check it against the registry.
{
    for package in htmx.org leaflet leaflet.markercluster; do
        printf '%s %s\n' "$package" \
            "$(node -p "require('$WEB/node_modules/$package/package.json').version")"
    done
    (cd "$VENDOR" && sha256sum htmx.min.js leaflet.js leaflet.css leaflet.markercluster.js \
        MarkerCluster.css MarkerCluster.Default.css)
} >"$VENDOR/VERSIONS"
echo "vendored into $VENDOR:" && cat "$VENDOR/VERSIONS"
