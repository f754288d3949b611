#!/usr/bin/env bash
# Builds the release wasm package into pkg/ with wasm-pack.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
wasm-pack build --release --target web --out-dir pkg --out-name renew_fetch
