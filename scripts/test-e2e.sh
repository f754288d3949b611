#!/usr/bin/env bash
# Runs the end-to-end tests against the real demo server and the real wasm package: the demo page
# in headless Chromium, and the Vite example app and the package's web build in headless Chromium
# and Firefox.
#
# Steps: build pkg/, install the npm dependencies from the committed lockfiles, build the demo
# server and the Vite app, then run the tests with node's test runner. Screenshots go to
# artifacts/. Needs Node.js 20.19 or later (or 22.12 or later), npm, Chromium at /usr/bin/chromium (or CHROMIUM_PATH)
# and Firefox as firefox-esr or firefox on PATH (or FIREFOX_PATH).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step() { printf '\n== e2e: %s\n' "$*"; }

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "test-e2e: $tool not found; install Node.js 20 or later (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
done
chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ ! -x "$chromium_path" ]]; then
  echo "test-e2e: Chromium not found at $chromium_path; run bash scripts/setup.sh test or set CHROMIUM_PATH" >&2
  exit 1
fi
export CHROMIUM_PATH=$chromium_path
if [[ -n "${FIREFOX_PATH:-}" ]]; then
  if [[ ! -x "$FIREFOX_PATH" ]]; then
    echo "test-e2e: no executable file at FIREFOX_PATH=$FIREFOX_PATH; point it at a Firefox binary, or unset it to use firefox-esr or firefox on PATH" >&2
    exit 1
  fi
elif ! command -v firefox-esr >/dev/null && ! command -v firefox >/dev/null; then
  echo "test-e2e: neither firefox-esr nor firefox is on PATH; run bash scripts/setup.sh test or set FIREFOX_PATH" >&2
  exit 1
fi

step "building the wasm package"
bash scripts/build-pkg.sh

step "installing the test and example dependencies"
(cd e2e && npm ci --no-audit --no-fund)
# The example installs pkg/ as a packed copy (see examples/vite/.npmrc), so it must come after
# the package build.
(cd examples/vite && npm ci --no-audit --no-fund)

step "building the demo server and the Vite example"
cargo build --release --locked --features demo --bin renew-fetch-demo
export RENEW_FETCH_DEMO_BIN="${CARGO_TARGET_DIR:-$root/target}/release/renew-fetch-demo"
(cd examples/vite && npm run build)

step "running the tests"
# Screenshots of failed tests from an earlier run would mislead.
rm -f artifacts/failed-*.png
cd e2e
node --test --test-concurrency=1 tests/
