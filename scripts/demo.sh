#!/usr/bin/env bash
# npm run demo: installs what is missing (npm packages, the emulator's venv), then plays the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "demo: npm ci (first run only)" >&2
  npm ci --no-audit --no-fund >&2
fi
bash scripts/setup-venv.sh
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# The Lambda runtime's Node major, as in the tests.
NODE=$(bash scripts/node22.sh)
exec "$NODE" node_modules/tsx/dist/cli.mjs scripts/demo.ts "$@"
