#!/bin/sh
# Builds the TypeScript client (lib/) and the dashboard (dist/, which the
# gateway serves with --http.static_dir). Installs node_modules with `npm ci`
# (exact versions of package-lock.json) when they are missing or older than
# the lock file. Needs node (^20.19, ^22.13 or >= 24: package.json's
# engines) and npm.
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
    echo "gateway/web/build.sh: npm not found (deploy/install-deps installs nodejs and npm)" >&2
    exit 2
fi
# Vite 8 (and ESLint 10, run by run-tests.sh) fail on an older node with
# errors that do not say why (Debian 12's own nodejs is 18): say it here.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit((a === 20 && b >= 19) || (a === 22 && b >= 13) || a >= 24 ? 0 : 1)'; then
    echo "gateway/web/build.sh: node $(node --version) is too old: the dashboard needs node ^20.19, ^22.13 or >= 24" >&2
    exit 2
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
npm run --silent build
