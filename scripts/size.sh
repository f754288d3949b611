#!/usr/bin/env bash
# Prints the release size of the renew-fetch npm package next to axios, both gzip -9:
#   renew-fetch: the .wasm plus the JS glue and snippets of `wasm-pack build --release --target web`
#   axios: its minified ESM build (dist/esm/axios.min.js)
# A second total has the JS glue minified with terser, as an app's bundler would ship it.
# npm installs axios, binaryen and terser into bench/size/node_modules. wasm-pack runs binaryen's wasm-opt
# from there, because Debian 12's wasm-opt (binaryen 108) fails to parse the wasm that current
# Rust emits. The package is built into a temporary folder, so pkg/ is left as it is.
#
# Usage: bash scripts/size.sh [--write]
#   --write  also writes the table to bench/size/RESULTS.md, with the tool versions.
set -euo pipefail
write=false
case "${1:-}" in
  "") ;;
  --write) write=true ;;
  *)
    echo "size: unknown argument \"$1\"; the only option is --write" >&2
    exit 2
    ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

for tool in wasm-pack npm gzip; do
  if ! command -v "$tool" >/dev/null; then
    echo "size: $tool not found; run bash scripts/setup.sh test, and install Node.js 20 or later" >&2
    exit 1
  fi
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

(cd bench/size && npm install --no-audit --no-fund --no-package-lock --silent >&2)
PATH="$root/bench/size/node_modules/.bin:$PATH" \
  wasm-pack build --release --target web --out-dir "$out/pkg" --out-name renew_fetch >&2

gzip_size() {
  gzip -9 -c "$@" | wc -c | tr -d ' '
}

wasm="$out/pkg/renew_fetch_bg.wasm"
glue=("$out/pkg/renew_fetch.js")
if [[ -d "$out/pkg/snippets" ]]; then
  while IFS= read -r -d '' snippet; do
    glue+=("$snippet")
  done < <(find "$out/pkg/snippets" -name '*.js' -print0 | sort -z)
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

terser=bench/size/node_modules/.bin/terser
min_gz=0
for file in "${glue[@]}"; do
  min_gz=$((min_gz + $("$terser" "$file" --module --compress --mangle | gzip -9 -c | wc -c | tr -d ' ')))
done
min_total_gz=$((wasm_gz + min_gz))

axios_dir=bench/size/node_modules/axios
axios_file=$axios_dir/dist/esm/axios.min.js
if [[ ! -f "$axios_file" ]]; then
  echo "size: $axios_file is missing after npm install; check bench/size/package.json" >&2
  exit 1
fi
axios_version=$(node -p "require('./$axios_dir/package.json').version")
axios_raw=$(wc -c <"$axios_file" | tr -d ' ')
axios_gz=$(gzip_size "$axios_file")

rows=(
  "renew_fetch_bg.wasm|$wasm_raw|$wasm_gz"
  "JS glue and snippets (${#glue[@]} files)|$glue_raw|$glue_gz"
  "renew-fetch total|$((wasm_raw + glue_raw))|$total_gz"
  "JS glue minified with terser|-|$min_gz"
  "renew-fetch total, glue minified|-|$min_total_gz"
  "axios $axios_version esm/axios.min.js|$axios_raw|$axios_gz"
)
if ((total_gz <= axios_gz)); then
  verdict="renew-fetch is within the budget: $total_gz <= $axios_gz bytes gzip -9"
else
  verdict="renew-fetch is over the budget by $((total_gz - axios_gz)) bytes gzip -9"
fi

printf '%-36s %10s %10s\n' "file" "bytes" "gzip -9"
for row in "${rows[@]}"; do
  IFS='|' read -r name bytes gz <<<"$row"
  printf '%-36s %10s %10s\n' "$name" "$bytes" "$gz"
done
echo "$verdict"

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
    echo "$verdict."
    echo
    echo "Built with $(rustc --version), $(wasm-pack --version), wasm-opt from npm binaryen" \
      "$(node -p "require('./bench/size/node_modules/binaryen/package.json').version") (-Oz)," \
      "gzip $(gzip --version | head -n 1 | awk '{print $NF}')."
  } >bench/size/RESULTS.md
  echo "size: wrote bench/size/RESULTS.md"
fi
