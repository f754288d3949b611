#!/usr/bin/env bash
# Builds the wasm package and starts the demo server. Arguments go to the server, such as
#   bash scripts/demo.sh --addr 127.0.0.1:9090 --token-lifetime 90s
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh demo
bash scripts/build-pkg.sh
exec cargo run --release --locked --features demo --bin renew-fetch-demo -- "$@"
