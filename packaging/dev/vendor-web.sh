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
# The leads' map: Leaflet (SVG; no tiles are fetched) and supercluster, which clusters 10,000
# leads in tens of milliseconds where leaflet.markercluster took a second (docs/benchmarks.md).
LEAFLET="$WEB/node_modules/leaflet/dist"
install -m 0644 "$LEAFLET/leaflet.js" "$LEAFLET/leaflet.css" "$VENDOR/"
install -m 0644 "$WEB/node_modules/leaflet/LICENSE" "$VENDOR/leaflet.LICENSE"
install -m 0644 "$WEB/node_modules/supercluster/dist/supercluster.min.js" "$VENDOR/"
install -m 0644 "$WEB/node_modules/supercluster/LICENSE" "$VENDOR/supercluster.LICENSE"
# The map's grids (sync/server/web/static/leadmap.js): proj4 projects the UTM lines, mgrs labels
# them as capture/coords.py reads them (both from the proj4js project).
install -m 0644 "$WEB/node_modules/proj4/dist/proj4.js" "$VENDOR/proj4.js"
install -m 0644 "$WEB/node_modules/proj4/LICENSE.md" "$VENDOR/proj4.LICENSE"
install -m 0644 "$WEB/node_modules/mgrs/dist/mgrs.min.js" "$VENDOR/mgrs.min.js"
install -m 0644 "$WEB/node_modules/mgrs/license.md" "$VENDOR/mgrs.LICENSE"
# What was copied, from which version, so a reviewer can check it against the registry.
{
    for package in htmx.org leaflet supercluster proj4 mgrs; do
        printf '%s %s\n' "$package" \
            "$(node -p "require('$WEB/node_modules/$package/package.json').version")"
    done
    (cd "$VENDOR" && sha256sum htmx.min.js leaflet.js leaflet.css supercluster.min.js \
        proj4.js mgrs.min.js)
} >"$VENDOR/VERSIONS"
echo "vendored into $VENDOR:" && cat "$VENDOR/VERSIONS"
