#!/usr/bin/env bash
# Creates the project-local Python venv that holds the AWS API emulator (moto, server mode)
# and cfn-lint, at pinned versions. Idempotent: a venv whose pins match is reused as is.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
PINS="moto[server]==5.2.5 cfn-lint==1.58.0"
STAMP="$VENV/.pins"

if [ -x "$VENV/bin/moto_server" ] && [ -x "$VENV/bin/cfn-lint" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$PINS" ]; then
  exit 0
fi

PY=${PYTHON:-python3}
command -v "$PY" >/dev/null || { echo "setup-venv: python3 (3.9+) with venv is needed for the AWS emulator; install it and retry" >&2; exit 1; }
echo "setup-venv: installing $PINS into $VENV (first run only)" >&2
rm -rf "$VENV"
"$PY" -m venv "$VENV"
log=$(mktemp)
# shellcheck disable=SC2086
if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $PINS >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup-venv: pip could not install $PINS (output above)" >&2
  exit 1
fi
rm -f "$log"
echo "$PINS" > "$STAMP"
