#!/usr/bin/env bash
# npm run demo: installs what is missing (npm packages, the emulator's venv), then plays the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# The Lambda runtime's Node major, as in the tests.
NODE=$(bash scripts/node22.sh)
exec "$NODE" node_modules/tsx/dist/cli.mjs scripts/demo.ts "$@"
