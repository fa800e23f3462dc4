#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, then type-checks and runs every
# test on Node 22, the Lambda runtime's major. Unit tests, integration tests against the AWS API
# emulator (moto, from the project's venv), `sls package` + cfn-lint and the CLI are all vitest tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh
# The code must also run on the other supported major (the machine's own Node, 20 here): the CLI
# tests run it once with that binary too.
export AUTOPILOT_SECOND_NODE="$(command -v node)"
NODE=$(bash scripts/node22.sh)
export PATH="$(dirname "$NODE"):$PATH"
echo "test: node $(node --version)" >&2

node node_modules/typescript/bin/tsc --noEmit
mkdir -p .cache
status=0
node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json "$@" || status=$?
# One plain closing line for tools that read it.
node -e '
  const r = require("./.cache/vitest-report.json");
  const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
