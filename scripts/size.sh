#!/usr/bin/env bash
# Prints the release size of the renew-fetch npm package next to the libraries an app would pick
# instead, all at gzip -9:
#   renew-fetch: the .wasm plus the JS glue and snippets of the web build in the npm package, as
#     scripts/build-pkg.sh makes it
#   axios: its minified ESM build (dist/esm/axios.min.js)
#   ky: its ESM entry bundled into one file with esbuild --minify
#   axios with qs: both bundled into one ESM file with esbuild --minify. renew-fetch serializes
#     nested params as qs does, and axios alone does not.
# A second renew-fetch total has the JS glue minified with terser, as an app's bundler would ship
# it. The goal compares that total with axios.
# A last row builds bench/size/floor the same way: a wasm-bindgen client whose only method awaits
# one fetch. It is the part of the size that any client built this way pays before its own logic.
# npm installs axios, ky, qs, esbuild, binaryen and terser into bench/size/node_modules.
# wasm-pack runs binaryen's wasm-opt from there for the floor, because Debian 12's wasm-opt
# (binaryen 108) fails to parse the wasm that current Rust emits. The package is built into a
# temporary folder, so pkg/ is left as it is.
#
# Usage: bash scripts/size.sh [--write] [--markdown] [--pkg DIR]
#   --write     also writes the table to bench/size/RESULTS.md, with the tool versions
#   --markdown  prints the "1. Size" section of BENCHMARKS.md on stdout, the table on stderr
#   --pkg DIR   measures the web build in DIR instead of building one
set -euo pipefail
write=false
markdown=false
pkg_dir=
while (($# > 0)); do
  case "$1" in
    --write) write=true ;;
    --markdown) markdown=true ;;
    --pkg)
      if (($# < 2)); then
        echo "size: --pkg needs a folder, such as --pkg /tmp/pkg" >&2
        exit 2
      fi
      pkg_dir=$2
      shift
      ;;
    *)
      echo "size: unknown argument \"$1\"; the options are --write, --markdown and --pkg DIR" >&2
      exit 2
      ;;
  esac
  shift
done
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

for tool in wasm-pack wasm-bindgen npm node gzip; do
  if ! command -v "$tool" >/dev/null; then
    echo "size: $tool not found; run bash scripts/setup.sh test, and install Node.js 20 or later" >&2
    exit 1
  fi
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# shellcheck source=scripts/wasm-rustflags.sh
source scripts/wasm-rustflags.sh
(cd bench/size && npm install --no-audit --no-fund --no-package-lock --silent >&2)
if [[ -z "$pkg_dir" ]]; then
  bash scripts/build-pkg.sh --out "$out/pkg" >&2
  pkg_dir="$out/pkg/web"
fi

gzip_size() {
  gzip -9 -c "$@" | wc -c | tr -d ' '
}

wasm="$pkg_dir/renew_fetch_bg.wasm"
if [[ ! -f "$wasm" ]]; then
  echo "size: $wasm is missing; pass --pkg the web/ folder of a package from scripts/build-pkg.sh" >&2
  exit 1
fi
glue=("$pkg_dir/renew_fetch.js")
if [[ -d "$pkg_dir/snippets" ]]; then
  while IFS= read -r -d '' snippet; do
    glue+=("$snippet")
  done < <(find "$pkg_dir/snippets" -name '*.js' -print0 | sort -z)
fi
wasm_raw=$(wc -c <"$wasm" | tr -d ' ')
wasm_gz=$(gzip_size "$wasm")
glue_raw=$(cat "${glue[@]}" | wc -c | tr -d ' ')
# Each file is compressed on its own, as a server sends them.
glue_gz=0
for file in "${glue[@]}"; do
  glue_gz=$((glue_gz + $(gzip_size "$file")))
done
total_gz=$((wasm_gz + glue_gz))

bin=bench/size/node_modules/.bin
min_gz=0
for file in "${glue[@]}"; do
  min_gz=$((min_gz + $("$bin/terser" "$file" --module --compress --mangle | gzip -9 -c | wc -c | tr -d ' ')))
done
min_total_gz=$((wasm_gz + min_gz))

version_of() {
  node -p "require('./bench/size/node_modules/$1/package.json').version"
}

axios_file=bench/size/node_modules/axios/dist/esm/axios.min.js
if [[ ! -f "$axios_file" ]]; then
  echo "size: $axios_file is missing after npm install; check bench/size/package.json" >&2
  exit 1
fi
axios_raw=$(wc -c <"$axios_file" | tr -d ' ')
axios_gz=$(gzip_size "$axios_file")

# Bundles ENTRY_SOURCE into one minified ESM file for browsers and prints its path.
bundle() {
  local name=$1 source=$2
  printf '%s\n' "$source" >"$out/$name-entry.js"
  NODE_PATH="$root/bench/size/node_modules" "$bin/esbuild" "$out/$name-entry.js" --bundle \
    --minify --format=esm --platform=browser --log-level=warning \
    --outfile="$out/$name.min.js" >&2
  echo "$out/$name.min.js"
}
ky_file=$(bundle ky 'export { default } from "ky";')
ky_raw=$(wc -c <"$ky_file" | tr -d ' ')
ky_gz=$(gzip_size "$ky_file")
axios_qs_file=$(bundle axios-qs 'export { default as axios } from "axios";
export { default as qs } from "qs";')
axios_qs_raw=$(wc -c <"$axios_qs_file" | tr -d ' ')
axios_qs_gz=$(gzip_size "$axios_qs_file")

# The floor: bench/size/floor, built and measured like the package, glue minified. A --pkg
# folder with a floor/ build in it, as scripts/bench-client.sh makes, gives the floor instead.
floor_dir="$pkg_dir/floor"
if [[ ! -f "$floor_dir/floor_bg.wasm" ]]; then
  floor_dir="$out/floor"
  PATH="$root/bench/size/node_modules/.bin:$PATH" RUSTFLAGS="$wasm_rustflags" \
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}/floor" \
    wasm-pack build --release --target web --out-dir "$floor_dir" --out-name floor bench/size/floor -- --locked >&2
fi
floor_glue=("$floor_dir/floor.js")
if [[ -d "$floor_dir/snippets" ]]; then
  while IFS= read -r -d '' snippet; do
    floor_glue+=("$snippet")
  done < <(find "$floor_dir/snippets" -name '*.js' -print0 | sort -z)
fi
floor_gz=$(gzip_size "$floor_dir/floor_bg.wasm")
for file in "${floor_glue[@]}"; do
  floor_gz=$((floor_gz + $("$bin/terser" "$file" --module --compress --mangle | gzip -9 -c | wc -c | tr -d ' ')))
done

axios_version=$(version_of axios)
ky_version=$(version_of ky)
qs_version=$(version_of qs)
esbuild_version=$(version_of esbuild)
rows=(
  "renew_fetch_bg.wasm|$wasm_raw|$wasm_gz"
  "JS glue and snippets (${#glue[@]} files)|$glue_raw|$glue_gz"
  "renew-fetch total|$((wasm_raw + glue_raw))|$total_gz"
  "JS glue minified with terser|-|$min_gz"
  "renew-fetch total, glue minified|-|$min_total_gz"
  "axios $axios_version esm/axios.min.js|$axios_raw|$axios_gz"
  "ky $ky_version, esbuild --minify|$ky_raw|$ky_gz"
  "axios $axios_version + qs $qs_version, esbuild --minify|$axios_qs_raw|$axios_qs_gz"
  "floor: one awaited fetch through wasm-bindgen, glue minified|-|$floor_gz"
)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
if ((min_total_gz <= axios_gz)); then
  verdict="met: $min_total_gz <= $axios_gz bytes gzip -9"
else
  verdict="missed: over by $((min_total_gz - axios_gz)) bytes gzip -9"
fi

{
  printf '%-62s %10s %10s\n' "file" "bytes" "gzip -9"
  for row in "${rows[@]}"; do
    IFS='|' read -r name bytes gz <<<"$row"
    printf '%-62s %10s %10s\n' "$name" "$bytes" "$gz"
  done
  echo "goal, renew-fetch with minified glue no larger than axios: $verdict"
} >&"$(if $markdown; then echo 2; else echo 1; fi)"

tools="$(rustc --version), $(wasm-bindgen --version), $(wasm-pack --version), wasm-opt from npm binaryen $(version_of binaryen),"
tools+=" terser $(version_of terser), esbuild $esbuild_version,"
tools+=" gzip $(gzip --version | head -n 1 | awk '{print $NF}')"

if $write; then
  {
    echo "# Package size"
    echo
    echo "Written by \`bash scripts/size.sh --write\` on $(date -u +%Y-%m-%d). Sizes are in bytes."
    echo
    echo "| file | bytes | gzip -9 |"
    echo "|---|---:|---:|"
    for row in "${rows[@]}"; do
      IFS='|' read -r name bytes gz <<<"$row"
      echo "| $name | $bytes | $gz |"
    done
    echo
    echo "Goal, renew-fetch with minified glue no larger than axios: $verdict."
    echo
    echo "Built with $tools."
  } >bench/size/RESULTS.md
  echo "size: wrote bench/size/RESULTS.md" >&2
fi

if $markdown; then
  echo "## 1. Size"
  echo
  echo "Command: \`bash scripts/size.sh\`. renew-fetch is the web build of the npm package that"
  echo "\`scripts/build-pkg.sh\` makes with \`cargo rustc --crate-type cdylib\`, wasm-bindgen"
  echo "\`--target web\` and wasm-opt: the .wasm and the JS glue, each file compressed on its own. ky and axios with qs are"
  echo "bundled into one ESM file each with \`esbuild --bundle --minify --format=esm\`. Sizes are"
  echo "in bytes, and the ratio divides by axios's minified ESM build."
  echo
  echo "| file | bytes | gzip -9 | / axios |"
  echo "|---|---:|---:|---:|"
  for row in "${rows[@]}"; do
    IFS='|' read -r name bytes gz <<<"$row"
    echo "| $name | $bytes | $gz | $(ratio "$gz" "$axios_gz")× |"
  done
  echo
  echo "Goal, renew-fetch with minified glue no larger than axios: $verdict."
  echo
  echo "Built with $tools."
fi
