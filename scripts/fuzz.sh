#!/usr/bin/env bash
# Runs each cargo-fuzz target of fuzz/ for a bounded time, seeded with fuzz/corpus/<target>,
# prints the executions of each, and fails on any crash, timeout or out-of-memory input.
#
# Usage: scripts/fuzz.sh [SECONDS]   (SECONDS per target, default 30)
#
# cargo-fuzz passes nightly-only flags (-Zsanitizer=address and others) to rustc. The machine has
# only the stable toolchain, so RUSTC_BOOTSTRAP=1 lets stable rustc accept them. Inputs that
# libFuzzer finds go to a temporary folder, so the committed seeds stay as they are. A crashing
# input is kept under fuzz/artifacts/<target>/.
set -euo pipefail
seconds=${1:-30}
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "fuzz.sh: SECONDS must be a whole number of 1 or more, got '$seconds'" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export RUSTC_BOOTSTRAP=1

if ! command -v cargo-fuzz >/dev/null; then
  echo "fuzz.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz --locked" >&2
  exit 2
fi

targets=(bearer_header verify_renew)
# The fuzz crate is its own workspace, so it gets its own folder under the target dir.
target_dir="${CARGO_TARGET_DIR:-$root/target}/fuzz"
# The maximum input length, in bytes: past the 8 KiB header limit, and the length that the seed
# writer in tests/hardening_corpus.rs cuts seeds to.
max_len=16384

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== building the fuzz targets"
cargo fuzz build --target-dir "$target_dir" >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  echo "fuzz.sh: building the fuzz targets failed" >&2
  exit 1
}

failed=0
total=0
for target in "${targets[@]}"; do
  mkdir -p "$work/$target"
  log="$work/$target.log"
  seeds=$(find "fuzz/corpus/$target" -type f | wc -l)
  echo "== fuzzing $target for ${seconds}s from $seeds seed files"
  status=0
  cargo fuzz run --target-dir "$target_dir" "$target" "$work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  executions=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log" | tail -1)
  crashes=0
  if ((status != 0)); then
    crashes=1
    failed=1
    # libFuzzer stops at the first failing input and names the file it saved.
    grep -E "ERROR: libFuzzer|panicked at|SUMMARY|Test unit written to" "$log" >&2 || tail -40 "$log" >&2
  fi
  total=$((total + ${executions:-0}))
  printf 'fuzz %s: %s executions (%s per second), %d crashes\n' \
    "$target" "${executions:-0}" "${rate:-0}" "$crashes"
done
printf 'fuzz total: %d executions over %d targets of %ds each\n' "$total" "${#targets[@]}" "$seconds"
if ((failed)); then
  echo "fuzz.sh: a fuzz target failed; reproduce with: RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET fuzz/artifacts/TARGET/FILE" >&2
  exit 1
fi
