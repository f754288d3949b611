#!/usr/bin/env bash
# Installs what renew-fetch needs on a fresh Debian machine, skipping what is already there.
#
#   bash scripts/setup.sh demo   the wasm32 target, wasm-pack and the pinned wasm-bindgen-cli
#   bash scripts/setup.sh test   the same, plus Chromium, ChromeDriver, Firefox ESR, geckodriver,
#                                wrk, curl, python3 and cargo-fuzz; the mode when none is given
#
# Debian packages need root. Without root and without sudo, the script prints the apt-get
# command to run and stops.
set -euo pipefail

mode=${1:-test}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
export PATH="$cargo_bin:$PATH"

say() { printf 'setup: %s\n' "$*"; }

# Installs a crate's binaries with the crate's own lock file. When the registry no longer offers
# a version that lock file names, as happened with webpki-roots 1.0.11 in wasm-bindgen-cli
# 0.2.130's lock file, it installs again with the newest compatible versions of the dependencies.
cargo_install() {
  if ! cargo install --locked "$@"; then
    say "cargo install --locked $* failed; installing again without its lock file"
    cargo install "$@"
  fi
}

# The wasm-bindgen-cli version must equal the wasm-bindgen crate in Cargo.lock, or the
# generated glue does not match the compiled module.
wasm_bindgen_version() {
  if [[ ! -f "$root/Cargo.lock" ]]; then
    (cd "$root" && cargo generate-lockfile)
  fi
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
    "$root/Cargo.lock"
}

install_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! command -v wasm-pack >/dev/null; then
    say "installing wasm-pack"
    cargo_install wasm-pack
  fi
  local want
  want=$(wasm_bindgen_version)
  if [[ -z "$want" ]]; then
    say "could not read the wasm-bindgen version from Cargo.lock; run cargo generate-lockfile"
    exit 1
  fi
  if [[ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]]; then
    say "installing wasm-bindgen-cli $want"
    cargo_install wasm-bindgen-cli --version "=$want"
  fi
}

apt_install() {
  local packages=("$@")
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
  else
    say "missing Debian packages; run as root: apt-get update && apt-get install -y ${packages[*]}"
    exit 1
  fi
}

install_browsers() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v firefox-esr >/dev/null || command -v firefox >/dev/null || missing+=(firefox-esr)
  command -v wrk >/dev/null || missing+=(wrk)
  # scripts/load.sh, which the test command runs, reads the demo's token with curl and python3.
  command -v curl >/dev/null || missing+=(curl)
  command -v python3 >/dev/null || missing+=(python3)
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
  if ! command -v geckodriver >/dev/null; then
    say "installing geckodriver"
    cargo_install geckodriver
  fi
  if ! command -v cargo-fuzz >/dev/null; then
    say "installing cargo-fuzz"
    cargo_install cargo-fuzz
  fi
  # Debian names the binary firefox-esr; wasm-pack and geckodriver look for firefox.
  if ! command -v firefox >/dev/null; then
    ln -sf "$(command -v firefox-esr)" "$cargo_bin/firefox"
  fi
}

# The package build runs npm's binaryen, because Debian 12's wasm-opt cannot parse the wasm
# that current Rust emits.
# Vite 8, which the Vite example and the e2e tests use, needs Node.js 20.19 or later, or 22.12 or
# later, and Debian 12's own nodejs is 18.
check_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    say "Node.js and npm not found; install Node.js 20.19 or later (with npm) and run again"
    exit 1
  fi
  local major minor
  major=$(node -p 'process.versions.node.split(".")[0]')
  minor=$(node -p 'process.versions.node.split(".")[1]')
  if ((major < 20 || (major == 20 && minor < 19) || major == 21 || (major == 22 && minor < 12))); then
    say "Node.js $(node --version) does not run Vite 8; install Node.js 20.19 or later, or 22.12 or later, and run again"
    exit 1
  fi
}

case "$mode" in
  demo) install_rust_tools; check_node ;;
  test) install_rust_tools; check_node; install_browsers ;;
  *) say "unknown mode '$mode': use demo or test"; exit 2 ;;
esac
say "ready ($mode)"
