#!/usr/bin/env bash
# Runs every test: formatting and lints, the native tests, the wasm tests in headless Chrome,
# Firefox and Node, and the end-to-end browser tests. It stops at the first failing step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "installing what the tests need"
bash scripts/setup.sh test

step "rustfmt and clippy"
cargo fmt --all --check
cargo clippy --locked --all-targets --features demo -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests"
cargo test --locked --features demo

step "wasm tests in headless Chrome, Firefox and Node"
bash scripts/test-wasm.sh

if [[ -x scripts/test-e2e.sh ]]; then
  step "end-to-end tests in Chromium"
  bash scripts/test-e2e.sh
fi
step "all tests passed"
