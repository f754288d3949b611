#!/usr/bin/env bash
# Runs the wasm client's tests against a real demo server:
#   tests/wasm_browser.rs in headless Chrome and headless Firefox,
#   tests/wasm_storm.rs (the 1,000-call storm and the fault tests) in both browsers, with
#     --nocapture so that the storm's counts are printed,
#   tests/wasm_node.rs in Node.
# It starts the demo server with --scenarios on a free port of 127.0.0.1, passes its URL to the
# test build in RENEW_FETCH_TEST_SERVER, stops the server on exit, and fails if any run fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export GECKODRIVER=${GECKODRIVER:-$HOME/.cargo/bin/geckodriver}
for tool in wasm-pack node; do
  if ! command -v "$tool" >/dev/null; then
    echo "test-wasm: $tool not found; run bash scripts/setup.sh test" >&2
    exit 1
  fi
done
for driver in "$CHROMEDRIVER" "$GECKODRIVER"; do
  if [[ ! -x "$driver" ]]; then
    echo "test-wasm: $driver not found; run bash scripts/setup.sh test" >&2
    exit 1
  fi
done

workdir=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

# geckodriver starts the browser named firefox; Debian installs it as firefox-esr.
if ! command -v firefox >/dev/null; then
  if ! command -v firefox-esr >/dev/null; then
    echo "test-wasm: neither firefox nor firefox-esr is installed; run bash scripts/setup.sh test" >&2
    exit 1
  fi
  mkdir -p "$workdir/bin"
  ln -s "$(command -v firefox-esr)" "$workdir/bin/firefox"
  export PATH="$workdir/bin:$PATH"
fi

# Port 0 lets the kernel pick a free port; the server prints the URL it listens on.
cargo build --features demo --bin renew-fetch-demo
target_dir=${CARGO_TARGET_DIR:-$root/target}
# The timings are the ones the layer tests in tests/wasm_node.rs count on.
"$target_dir/debug/renew-fetch-demo" --addr 127.0.0.1:0 --scenarios \
  --token-lifetime 2m --renew-window 1m --grace-period 2m --session-cap 30m \
  >"$workdir/server.log" 2>&1 &
server_pid=$!

url=
for _ in $(seq 1 100); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "test-wasm: the demo server exited; its output:" >&2
    cat "$workdir/server.log" >&2
    exit 1
  fi
  # The server's shell may not have created the log yet.
  url=$({ sed -n 's/^renew-fetch demo listening on \(http:[^ ]*\).*/\1/p' "$workdir/server.log" 2>/dev/null || true; } | head -n 1)
  if [[ -n "$url" ]] && node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$url/scenario/count" 2>/dev/null; then
    break
  fi
  url=
  sleep 0.1
done
if [[ -z "$url" ]]; then
  echo "test-wasm: the demo server did not respond within 10 s; its output:" >&2
  cat "$workdir/server.log" >&2
  exit 1
fi
echo "test-wasm: demo server at $url"
export RENEW_FETCH_TEST_SERVER=$url

failed=()
run() {
  local name=$1
  shift
  echo "== $name"
  if ! "$@"; then
    failed+=("$name")
  fi
}
# wasm-bindgen-test-runner drives the first browser whose driver variable is set, GECKODRIVER
# before CHROMEDRIVER, so each run gets only its own driver's variable.
chrome() { env -u GECKODRIVER wasm-pack test --headless --chrome --chromedriver "$CHROMEDRIVER" "$@"; }
firefox() { env -u CHROMEDRIVER wasm-pack test --headless --firefox --geckodriver "$GECKODRIVER" "$@"; }
run "headless Chrome" chrome -- --features talc --test wasm_browser
run "headless Firefox" firefox -- --features talc --test wasm_browser
run "headless Chrome, storm" chrome -- --features talc --test wasm_storm -- --nocapture
run "headless Firefox, storm" firefox -- --features talc --test wasm_storm -- --nocapture
run "Node" wasm-pack test --node -- --features talc --test wasm_node

if ((${#failed[@]} > 0)); then
  echo "test-wasm: failed in: ${failed[*]}" >&2
  exit 1
fi
echo "test-wasm: all runs passed"
