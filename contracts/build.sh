#!/usr/bin/env bash
# Recompiles the contracts with the pinned solc-js of ci/js (installed with `npm ci` when
# missing) and rewrites the committed artifacts in contracts/out/. `contracts/build.sh --check`
# writes nothing and fails when an artifact differs from what the sources compile to.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -d ci/js/node_modules/solc ]; then
    npm ci --prefix ci/js --no-audit --no-fund --loglevel=error
fi
exec node contracts/compile.js "$@"
