#!/usr/bin/env bash
# Builds the npm package renew-fetch into pkg/ with cargo, wasm-bindgen and wasm-opt:
#   pkg/      the bundler target, for apps built with Vite, webpack or Rollup
#   pkg/web/  the web target, an ES module that loads its .wasm with fetch; the demo page uses it
# Then it appends npm/free-guard.js to the module of each build that defines HttpClient, removes
# the comment lines of the JS snippets, rewrites pkg/package.json for publishing and copies
# npm/README.md to pkg/README.md.
# Each run builds into an empty pkg-build/ and replaces pkg/ only when every step succeeded, so
# running it twice gives the same result and a failed build leaves the last good pkg/ in place.
#
# Usage: bash scripts/build-pkg.sh [--out DIR] [--keep-names]
#   --out DIR       writes the package to DIR, and builds it in DIR-build, in place of pkg/
#   --keep-names    keeps the function names in the .wasm, so that a CPU profile names the Rust
#                   functions. The package is then larger, and only profiling uses it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

dest=pkg
keep_names=()
while (($# > 0)); do
  case "$1" in
    --out)
      if (($# < 2)); then
        echo "build-pkg: --out needs a folder, such as --out /tmp/renew-fetch-pkg" >&2
        exit 2
      fi
      dest=${2%/}
      shift
      ;;
    --keep-names) keep_names=(--debuginfo) ;;
    *)
      echo "build-pkg: unknown argument \"$1\"; the options are --out DIR and --keep-names" >&2
      exit 2
      ;;
  esac
  shift
done
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

for tool in cargo wasm-bindgen node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "build-pkg: $tool not found; run bash scripts/setup.sh demo, and install Node.js 20+" >&2
    exit 1
  fi
done

# Debian 12's wasm-opt (binaryen 108) fails to parse the wasm that current Rust emits, so the
# build runs the wasm-opt of npm's binaryen package, pinned in npm/package-lock.json.
binaryen_version() {
  node -p 'require("./npm/node_modules/binaryen/package.json").version' 2>/dev/null || true
}
pinned=$(node -p 'require("./npm/package.json").devDependencies.binaryen')
if [[ "$(binaryen_version)" != "$pinned" ]]; then
  (cd npm && npm ci --no-audit --no-fund --silent)
fi
export PATH="$root/npm/node_modules/.bin:$PATH"

# shellcheck source=scripts/wasm-rustflags.sh
source scripts/wasm-rustflags.sh
export RUSTFLAGS="$wasm_rustflags"

out=$dest-build
rm -rf "$out"
# Cargo.toml declares the library as an rlib only, because cargo builds every crate type of a
# dependency's library, and a cdylib there would cost each app that depends on the crate a
# linked shared library of its own. So the cdylib of the package is asked for here, which is
# also why the build runs wasm-bindgen and wasm-opt itself: wasm-pack build requires the crate
# type in Cargo.toml.
# The wasm-bindgen CLI must be the version of the wasm-bindgen crate in Cargo.lock, or its glue
# does not match the compiled module.
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
wasm-bindgen --version | grep -qxF "wasm-bindgen $wasm_bindgen_version" || {
  echo "build-pkg: found $(wasm-bindgen --version), but Cargo.lock pins wasm-bindgen" \
    "$wasm_bindgen_version; run bash scripts/setup.sh demo" >&2
  exit 1
}
cargo rustc --lib --release --target wasm32-unknown-unknown --features talc --crate-type cdylib
# Cargo's target folder may come from CARGO_TARGET_DIR, CARGO_BUILD_TARGET_DIR or a
# .cargo/config.toml, and cargo metadata resolves all of them.
target_dir=$(cargo metadata --format-version 1 --no-deps |
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory)')
wasm=$target_dir/wasm32-unknown-unknown/release/renew_fetch.wasm
# --converge repeats -Oz until the module stops shrinking. --low-memory-unused lets wasm-opt
# fold constant addresses into load and store offsets. That is safe because rustc's wasm32
# layout puts the 1 MiB stack below the data, so only a stack overflow reaches the first 1 KiB.
for target in bundler web; do
  dir=$out
  if [[ $target == web ]]; then dir=$out/web; fi
  wasm-bindgen "$wasm" --out-dir "$dir" --typescript --target "$target" --out-name renew_fetch
  wasm-opt "$dir/renew_fetch_bg.wasm" -o "$dir/renew_fetch_bg.wasm" -Oz --converge --low-memory-unused \
    "${keep_names[@]}"
done

# npm/free-guard.js makes a freed HttpClient throw an error that names the member and the fix,
# where wasm-bindgen's glue throws "null pointer passed to rust", and makes `new HttpClient()`
# before init() throw one that names init() and initSync(). It goes at the end of the module that
# defines the class: renew_fetch_bg.js in the bundler build and renew_fetch.js in the web build.
# It reads the glue's module variable `wasm`, so the build stops where the glue declares none. Its
# comment lines stay out of the package, because an app that loads the web build without a
# bundler downloads the glue as it is.
for dir in "$out" "$out/web"; do
  glue=$(grep -lE '^(export )?class HttpClient[ {]' "$dir"/*.js || true)
  if [[ -z "$glue" || "$glue" == *$'\n'* ]]; then
    echo "build-pkg: expected one module in $dir to define class HttpClient, found: ${glue:-none};" \
      "check where this wasm-bindgen version puts the class, and append npm/free-guard.js there" >&2
    exit 1
  fi
  if ! grep -qE '^let ([[:alnum:]_$]+, )*wasm[,;]' "$glue"; then
    echo "build-pkg: $glue declares no top-level variable wasm, which npm/free-guard.js reads;" \
      "check how this wasm-bindgen version keeps the instance's exports, and update free-guard.js" >&2
    exit 1
  fi
  {
    printf '\n// Makes a freed or uninitialised HttpClient throw an error that names the fix (npm/free-guard.js).\n'
    sed '/^ *\/\//d' npm/free-guard.js
  } >>"$glue"
done

# The bundler entry imports the .wasm file as an ES module, and the .wasm imports its functions
# from renew_fetch_bg.js. Vite 8's dev server without vite-plugin-wasm does not link the two: it
# pre-bundles the glue into a copy of its own, while the browser loads the .wasm and the original
# glue. The copy's `wasm` then stays unset, and the start failed with "Cannot read properties of
# undefined". The entry now names the setup that is missing.
ENTRY=$out/renew_fetch.js node --input-type=module - <<'EOF_ENTRY'
import { readFileSync, writeFileSync } from "node:fs";

const entry = process.env.ENTRY;
const text = readFileSync(entry, "utf8");
const start = "wasm.__wbindgen_start();";
if (text.split(start).length !== 2) {
  throw new Error(`build-pkg: expected ${entry} to call ${start} once; check the bundler entry of this wasm-bindgen version`);
}
const setup =
  "renew-fetch: the bundler did not load renew_fetch_bg.wasm as a WebAssembly module linked to " +
  "renew_fetch_bg.js. With Vite, add vite-plugin-wasm to the plugins in vite.config. With " +
  "webpack 5, set experiments.asyncWebAssembly to true. Without a bundler, import renew-fetch/web " +
  "and await its default export, init()";
const guarded = `try {
  if (typeof wasm.__wbindgen_start !== "function") throw new TypeError("no __wbindgen_start export");
  ${start}
} catch (cause) {
  throw new Error(${JSON.stringify(setup)}, { cause });
}`;
writeFileSync(entry, text.replace(start, guarded));
EOF_ENTRY

# wasm-bindgen 0.2.130 writes the web build's glue with one `import * as importN` of client.js
# for each function that the .wasm imports from it directly. It lists each of them under the same
# key of the object that instantiates the .wasm. The module works, because the keys are equal,
# but esbuild, and Angular's builder with it, warns of a duplicate key in every build. Each such
# import after the first goes, with its line of the object.
GLUE=$out/web/renew_fetch.js node --input-type=module - <<'EOF_DEDUP'
import { readFileSync, writeFileSync } from "node:fs";

const glue = process.env.GLUE;
const lines = readFileSync(glue, "utf8").split("\n");
const firstAlias = new Map();
const dropped = new Set();
const remaining = lines.filter((line) => {
  const namespace = line.match(/^import \* as (\w+) from "([^"]+)";?$/);
  if (namespace) {
    const [, alias, path] = namespace;
    if (!firstAlias.has(path)) {
      firstAlias.set(path, alias);
      return true;
    }
    dropped.add(alias);
    return false;
  }
  const entry = line.match(/^\s*"[^"]+": (\w+),$/);
  return !(entry && dropped.has(entry[1]));
});
const text = remaining.join("\n");
for (const alias of dropped) {
  if (new RegExp(`\\b${alias}\\b`).test(text)) {
    throw new Error(`build-pkg: ${glue} still uses ${alias} after its import was removed; check the glue of this wasm-bindgen version`);
  }
}
writeFileSync(glue, text);
EOF_DEDUP

# wasm-bindgen copies the JS modules that the crate imports, src/client/client.js, into snippets/
# of each build as they are. Their comment lines stay out of the package for the same reason as
# free-guard.js's. Only whole lines whose first non-blank characters are // go, because
# client.js has strings that contain //, such as "http://127.0.0.1:8080". Block comments stay,
# because telling them apart from strings and regular expressions needs a JavaScript tokenizer.
# NOTE: a line inside a multi-line template literal that starts with // would go too, and
# client.js must not have one.
while IFS= read -r -d '' snippet; do
  sed -i '/^[[:space:]]*\/\//d' "$snippet"
done < <(find "$out" -path '*/snippets/*' -name '*.js' -print0)

# wasm-bindgen declares `[Symbol.dispose]()` on each class, and TypeScript declares Symbol.dispose
# only from its esnext.disposable lib. Without this reference, an app whose tsconfig lists an
# older lib, such as ["ES2020", "DOM"], fails to compile the package's types. The lib exists in
# TypeScript 5.2 and later.
for types in "$out"/renew_fetch.d.ts "$out"/web/renew_fetch.d.ts; do
  printf '/// <reference lib="esnext.disposable" />\n%s\n' "$(cat "$types")" >"$types"
done

# The package has no .gitignore, so an app that copies pkg/ into its own repository commits all
# of it, and one package.json, written below, describes both builds.
cp npm/README.md "$out"/README.md
for license in LICENSE*; do
  if [[ -f "$license" ]]; then cp "$license" "$out"/; fi
done

# Write pkg/package.json. The metadata comes from Cargo.toml's [package] table, so the two never
# disagree.
PKG_DIR=$out node --input-type=module - <<'EOF'
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";

const manifest = readFileSync("Cargo.toml", "utf8");
const table = manifest.split(/^\[/m).find((section) => section.startsWith("package]"));
function cargoField(name) {
  const match = table?.match(new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, "m"));
  if (!match) {
    throw new Error(`build-pkg: Cargo.toml has no ${name} in [package]; add it there`);
  }
  return match[1];
}
// The keywords array, such as keywords = ["jwt", "fetch"], on one line.
function cargoKeywords() {
  const match = table?.match(/^keywords\s*=\s*\[([^\]]*)\]/m);
  return match ? [...match[1].matchAll(/"([^"]*)"/g)].map((item) => item[1]) : [];
}

const dir = process.env.PKG_DIR;
const files = [
  "renew_fetch_bg.wasm",
  "renew_fetch_bg.wasm.d.ts",
  "renew_fetch.js",
  "renew_fetch_bg.js",
  "renew_fetch.d.ts",
  "web/",
];
// wasm-bindgen writes snippets/ only for JS that the crate embeds with inline_js or module.
for (const folder of ["snippets/"]) {
  if (existsSync(`${dir}/${folder}`)) files.push(folder);
}
// npm packs a file named LICENSE on its own, but not LICENSE-MIT and LICENSE-APACHE.
files.push(...readdirSync(dir).filter((name) => name.startsWith("LICENSE")));

const pkg = {
  name: "renew-fetch",
  version: cargoField("version"),
  description: cargoField("description"),
  license: cargoField("license"),
  // npm's own form of a repository URL: git+https://host/owner/name.git.
  repository: { type: "git", url: `git+${cargoField("repository").replace(/\.git$/, "")}.git` },
  keywords: cargoKeywords(),
  type: "module",
  main: "./renew_fetch.js",
  module: "./renew_fetch.js",
  types: "./renew_fetch.d.ts",
  exports: {
    ".": { types: "./renew_fetch.d.ts", default: "./renew_fetch.js" },
    "./web": { types: "./web/renew_fetch.d.ts", default: "./web/renew_fetch.js" },
    "./web/renew_fetch_bg.wasm": "./web/renew_fetch_bg.wasm",
    "./package.json": "./package.json",
  },
  // TypeScript's older moduleResolution "node" ignores exports, so it finds the web entry's
  // types through this map.
  typesVersions: { "*": { web: ["./web/renew_fetch.d.ts"] } },
  files,
  // The bundler entry instantiates the module when it is imported, and renew_fetch_bg.js wraps
  // the members of HttpClient when it loads. The web entry changes only its own class until its
  // init() is called, so bundlers may drop it when unused.
  sideEffects: ["./renew_fetch.js", "./renew_fetch_bg.js", "./snippets/*", "./web/snippets/*"],
};
writeFileSync(`${dir}/package.json`, `${JSON.stringify(pkg, null, 2)}\n`);
EOF
rm -rf "$dest"
mv "$out" "$dest"
version=$(node -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).version' "$dest/package.json")
echo "build-pkg: $dest/ holds renew-fetch@$version (bundler target) and $dest/web/ (web target)"
