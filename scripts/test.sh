#!/usr/bin/env bash
# Runs every test: formatting and lints, the native tests, a short fuzz run, a short load test,
# the wasm tests in headless Chrome, Firefox and Node, and the end-to-end browser tests. It stops
# at the first failing step.
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
cargo clippy --locked --all-targets --features demo,ssr -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings

step "library crate types"
# Cargo builds every crate type of a dependency's library, so a cdylib here would cost every app
# that depends on the crate a linked shared library, and beside the rlib it turns off the release
# profile's LTO. scripts/build-pkg.sh builds the npm package's cdylib with cargo rustc.
crate_types=$(cargo metadata --locked --no-deps --format-version 1 |
  node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const lib = m.packages[0].targets.find((t) => t.name === "renew_fetch");
    console.log(lib.crate_types.join(","))')
if [[ $crate_types != lib ]]; then
  echo "test: the library builds as $crate_types; remove crate-type from [lib] in Cargo.toml" >&2
  exit 1
fi

step "rustdoc, native and wasm32"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --features server,ssr
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --target wasm32-unknown-unknown

step "native tests"
cargo test --locked --features demo,ssr

step "fuzzing, 15 s per target, seeded with fuzz/corpus"
bash scripts/fuzz.sh 15

step "load test against the demo server on loopback, 5 s"
bash scripts/load.sh 5

step "wasm tests in headless Chrome, Firefox and Node"
bash scripts/test-wasm.sh

step "end-to-end tests in Chromium and Firefox"
bash scripts/test-e2e.sh

step "all tests passed"
