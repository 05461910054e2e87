#!/usr/bin/env bash
# Runs the end-to-end tests N times in a row (default 10) beside a CPU-bound process, as a check
# that they wait on the workbench's state and not on time: test/e2e/repeat.sh [N]
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
mkdir -p test-output
node -e 'for (;;) {}' &
hog=$!
trap 'kill $hog 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if npm run test:e2e > "test-output/e2e-run-$i.log" 2>&1; then status=pass; else status=FAIL; failed=$((failed + 1)); fi
  echo "run $i: $status in $(( $(date +%s) - start )) s (test-output/e2e-run-$i.log)"
done
echo "$((runs - failed)) of $runs passed"
[ "$failed" -eq 0 ]
