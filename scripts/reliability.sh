#!/usr/bin/env bash
# Produces the server figures of RELIABILITY.md: the hostile corpus rows, the fuzz executions and
# crashes, the property-test cases and the loopback load test. Every step runs even when an
# earlier one fails, then a figures block is printed, and the script fails when any step failed.
#
# Usage: scripts/reliability.sh [FUZZ_SECONDS] [LOAD_SECONDS] [PROPTEST_CASES]
#        (defaults 30 per fuzz target, 10, 64 per property)
set -uo pipefail
fuzz_seconds=${1:-30}
load_seconds=${2:-10}
cases=${3:-64}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=()

step() { printf '\n== %s\n' "$*"; }
# Runs a step, keeps its output for the figures, and records a failure instead of stopping.
run() {
  local name=$1
  shift
  if ! "$@" 2>&1 | tee "$work/$name.log"; then
    failures+=("$name")
  fi
}

step "hostile corpus (tests/hardening_corpus.rs)"
# One test thread keeps each test's row-count line in one piece.
run corpus cargo test --features server --test hardening_corpus -- --nocapture --test-threads=1

step "fuzzing, ${fuzz_seconds}s per target (scripts/fuzz.sh)"
run fuzz bash scripts/fuzz.sh "$fuzz_seconds"

step "property tests, $cases cases per property (tests/hardening_props.rs)"
PROPTEST_CASES=$cases run props cargo test --features server --test hardening_props

step "load test, ${load_seconds}s (scripts/load.sh)"
run load bash scripts/load.sh "$load_seconds"

# Reads "<name>: <value>" lines that a step printed.
figure() {
  awk -v name="$2" 'index($0, name ": ") == 1 {print substr($0, length(name) + 3)}' \
    "$work/$1.log" | tail -1
}
# libtest prints "test NAME ... " before a test's own output on the same line.
grep -oE 'hardening corpus: .*: [0-9]+ rows passed$' "$work/corpus.log" >"$work/corpus.rows"
corpus_rows=$(awk '{sum += $(NF - 2)} END {print sum + 0}' "$work/corpus.rows")
corpus_tables=$(wc -l <"$work/corpus.rows")
corpus_result=$(grep -o 'test result: .*; [0-9]* failed' "$work/corpus.log" | tail -1)
props=$(grep -cE '^test [a-z_]+ \.\.\. ok$' "$work/props.log")
property_count=4

step "figures"
echo "machine: $(nproc) cores, $(free -m | awk '/^Mem:/ {print $2}') MiB of memory," \
  "$(rustc --version | cut -d' ' -f1-2)"
echo "corpus: $corpus_rows rows in $corpus_tables tables passed ($corpus_result)"
echo "fuzz bearer_header: $(figure fuzz 'fuzz bearer_header')"
echo "fuzz verify_renew: $(figure fuzz 'fuzz verify_renew')"
echo "properties: $property_count properties x $cases cases = $((property_count * cases)) cases" \
  "($props of 5 tests ok)"
echo "load requests: $(figure load 'load requests')"
echo "load 5xx: $(figure load 'load 5xx')"
echo "load renewals: $(figure load 'load renewals')"
echo "load socket errors: $(figure load 'load socket errors')"
echo "load p99 latency ms: $(figure load 'load p99 latency ms')"
echo "load rss before: $(figure load 'load rss before')"
echo "load rss after: $(figure load 'load rss after')"
if ((${#failures[@]})); then
  echo "failed steps: ${failures[*]}"
  exit 1
fi
echo "failed steps: none"
