#!/usr/bin/env bash
# Runs the client's benchmarks in one run and prints the "1. Size" and "2. Per-request overhead"
# sections of BENCHMARKS.md on stdout. Progress and every figure also go to stderr.
#
#   1. Size                   scripts/size.sh on the web build made here
#   2. Per-request overhead   bench/overhead/run.js in headless Chromium against the demo server
#
# Usage: bash scripts/bench-client.sh [--profile fetch|axios|renew-fetch|floor]
#   --profile NAME  builds and starts the same page and server, with a .wasm that keeps its
#                   function names, then runs bench/overhead/profile.js on NAME in place of
#                   the benchmark
#
# It builds the npm package once into a temporary folder (pkg/ is left as it is) and the demo
# server with `cargo build --release --features demo`, and takes a few minutes. The server binds
# to a free port of 127.0.0.1 and is stopped on exit. scripts/bench.sh runs this script.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Requests per implementation and mode, the batch size, the requests per implementation in one
# round of the sequence mode, and the uncounted warm-up requests per implementation and mode.
total=2000
batch_size=50
chunk=1
warmup=200

step() { printf '\n== %s\n' "$*" >&2; }
fail() {
  printf 'bench-client: %s\n' "$*" >&2
  exit 1
}

profile=
if (($# > 0)); then
  case "${1:-}" in
    --profile)
      [[ $# -eq 2 ]] || fail "--profile needs one of fetch, axios, renew-fetch or floor"
      profile=$2
      ;;
    *) fail "unknown argument \"$1\"; the only option is --profile NAME" ;;
  esac
fi

for tool in cargo wasm-pack node npm gzip; do
  command -v "$tool" >/dev/null || fail "$tool is missing; run bash scripts/setup.sh test"
done
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
[[ -x $chromium ]] || fail "$chromium is missing; install Debian's chromium or set CHROMIUM_PATH"

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step "building the web package and installing the size baselines"
(cd bench/size && npm install --no-audit --no-fund --no-package-lock --silent >&2)
# shellcheck source=scripts/wasm-rustflags.sh
source scripts/wasm-rustflags.sh
# The npm package as scripts/build-pkg.sh makes it. The page loads its web build.
# A profile names the wasm's Rust functions only when the .wasm keeps its names.
bash scripts/build-pkg.sh --out "$work/package" ${profile:+--keep-names} >&2
pkg=$work/package/web
# The floor of sections 1 and 2, served from /pkg/floor/ beside the package.
PATH="$root/bench/size/node_modules/.bin:$PATH" RUSTFLAGS="$wasm_rustflags" \
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}/floor" \
  wasm-pack build --release --target web --out-dir "$pkg/floor" --out-name floor bench/size/floor -- --locked >&2

if [[ -z $profile ]]; then
  step "1. Size: scripts/size.sh"
  bash scripts/size.sh --markdown --pkg "$pkg" >"$work/size.md"
fi

step "2. Per-request overhead: building the demo server and installing axios"
cargo build --release --features demo --bin renew-fetch-demo >&2
(cd bench/overhead && npm ci --no-audit --no-fund --loglevel=error >&2)
target_dir=${CARGO_TARGET_DIR:-$root/target}
RUST_LOG=warn "$target_dir/release/renew-fetch-demo" --addr 127.0.0.1:0 --scenarios \
  --www bench/overhead --pkg "$pkg" >"$work/server.log" 2>&1 &
server_pid=$!
origin=
for _ in $(seq 100); do
  # The server's shell may not have created the log yet.
  origin=$(sed -n 's/^renew-fetch demo listening on \(http:[^ ]*\).*/\1/p' "$work/server.log" 2>/dev/null || true)
  [[ -n $origin ]] && break
  kill -0 "$server_pid" 2>/dev/null || fail "the demo server exited at start: $(cat "$work/server.log")"
  sleep 0.1
done
[[ -n $origin ]] || fail "the demo server did not start listening within 10 s: $(cat "$work/server.log")"

if [[ -n $profile ]]; then
  step "profiling $profile: node bench/overhead/profile.js $origin $profile"
  node bench/overhead/profile.js "$origin" "$profile"
  exit
fi

command="node bench/overhead/run.js URL --total $total --batch-size $batch_size --chunk $chunk --warmup $warmup"
step "2. Per-request overhead: $command"
node bench/overhead/run.js "$origin" --total "$total" --batch-size "$batch_size" \
  --chunk "$chunk" --warmup "$warmup" >"$work/overhead.json"
node bench/overhead/report.js "$work/overhead.json" "$command" \
  >"$work/overhead.md"

step "markdown for BENCHMARKS.md"
cat "$work/size.md" "$work/overhead.md" >&2
cat "$work/size.md"
echo
cat "$work/overhead.md"
