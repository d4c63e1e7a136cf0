#!/bin/sh
# Builds the TypeScript client and the dashboard, lints them (ESLint,
# eslint.config.js: any warning fails), then runs their tests against a
# private stack of the real binaries (Vitest; the dashboard test drives
# headless Chromium through playwright-core).
#
#   NODELINK_BUILD_DIR=/path/to/build gateway/web/run-tests.sh [vitest args]
#
# Needs: node (^20.19, ^22.13 or >= 24) with npm, Debian's chromium (or CHROMIUM_PATH),
# redis-server, and the nodelink binaries in $NODELINK_BUILD_DIR/bin.
# build.sh installs node_modules (`npm ci`) when needed and builds first.
# Screenshots land in tests/artifacts/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

if [ -z "${NODELINK_BUILD_DIR:-}" ]; then
    echo "run-tests.sh: set NODELINK_BUILD_DIR to the CMake build directory" >&2
    exit 2
fi
export NODELINK_BUILD_DIR
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    echo "run-tests.sh: $chromium not found (apt-get install chromium, or set CHROMIUM_PATH)" >&2
    exit 2
fi

./build.sh
npm run --silent lint
echo "run-tests.sh: eslint found no problems"
npx tsc -p tsconfig.test.json --noEmit
exec npx vitest run --config vitest.config.ts "$@"
