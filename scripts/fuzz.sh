#!/usr/bin/env bash
# The long run of the fuzzing suite (test/unit/fuzz*.test.ts: notify, remediation, scaling, shipping; and the
# envelope scanner's properties against JSON.parse, test/unit/envelope-scan.test.ts): the same properties as in CI, with
# FUZZ_RUNS (default 20000) runs each and a seed from FUZZ_SEED or today's date. The seed is printed
# first; a failure also prints fast-check's seed and path. Replay one with:
#   FUZZ_SEED=<seed> FUZZ_RUNS=<runs> npm run fuzz
set -euo pipefail
cd "$(dirname "$0")/.."

export FUZZ_RUNS="${FUZZ_RUNS:-20000}"
export FUZZ_SEED="${FUZZ_SEED:-$(date -u +%Y%m%d)}"
export FUZZ_STATS="${FUZZ_STATS:-1}"
echo "fuzz: FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${FUZZ_RUNS}" >&2

# Ten minutes per property and then some: the test scales its own timeout with FUZZ_RUNS as well.
exec node node_modules/vitest/vitest.mjs run --project unit test/unit/fuzz.test.ts test/unit/fuzz-remediation.test.ts test/unit/fuzz-scale.test.ts test/unit/fuzz-ship.test.ts test/unit/envelope-scan.test.ts --testTimeout=7200000 "$@"
