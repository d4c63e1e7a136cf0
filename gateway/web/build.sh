#!/bin/sh
# Builds the TypeScript client (lib/) and the dashboard (dist/, which the
# gateway serves with --http.static_dir). Installs node_modules with `npm ci`
# (exact versions of package-lock.json) when they are missing or older than
# the lock file. Needs node >= 20.19 and npm.
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
    echo "gateway/web/build.sh: npm not found (deploy/install-deps installs nodejs and npm)" >&2
    exit 2
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
npm run --silent build
