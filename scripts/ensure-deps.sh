#!/usr/bin/env bash
# Installs what the test command and the demo need, once: npm packages (when package-lock.json
# is newer than node_modules) and the emulator's Python venv (scripts/setup-venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "npm ci (first run only)" >&2
  npm ci --no-audit --no-fund >&2
fi
bash scripts/setup-venv.sh
