#!/usr/bin/env bash
# Builds the npm package renew-fetch into pkg/ with wasm-pack:
#   pkg/      the bundler target, for apps built with Vite, webpack or Rollup
#   pkg/web/  the web target, an ES module that loads its .wasm with fetch; the demo page uses it
# Then it rewrites pkg/package.json for publishing and copies npm/README.md to pkg/README.md.
# Each run starts from an empty pkg/, so running it twice gives the same result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

for tool in wasm-pack node; do
  if ! command -v "$tool" >/dev/null; then
    echo "build-pkg: $tool not found; run bash scripts/setup.sh demo, and install Node.js 20 or later" >&2
    exit 1
  fi
done

rm -rf pkg
# The second build reuses the first one's compiled crate, so only wasm-bindgen and wasm-opt
# run again.
wasm-pack build --release --target bundler --out-dir pkg --out-name renew_fetch
wasm-pack build --release --target web --out-dir pkg/web --out-name renew_fetch

# The web build's own package.json would describe a second package, and its .gitignore ("*")
# would keep npm from packing web/, so pkg/package.json alone describes both builds.
rm -f pkg/web/package.json pkg/web/.gitignore pkg/web/README.md pkg/web/LICENSE*
cp npm/README.md pkg/README.md

# Rewrite pkg/package.json: wasm-pack lists only the bundler files and has no module or exports
# fields. The metadata comes from Cargo.toml's [package] table, so the two never disagree.
node --input-type=module - <<'EOF'
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const manifest = readFileSync("Cargo.toml", "utf8");
const table = manifest.split(/^\[/m).find((section) => section.startsWith("package]"));
function cargoField(name) {
  const match = table?.match(new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, "m"));
  if (!match) {
    throw new Error(`build-pkg: Cargo.toml has no ${name} in [package]; add it there`);
  }
  return match[1];
}

const generated = JSON.parse(readFileSync("pkg/package.json", "utf8"));
const files = [
  "renew_fetch_bg.wasm",
  "renew_fetch_bg.wasm.d.ts",
  "renew_fetch.js",
  "renew_fetch_bg.js",
  "renew_fetch.d.ts",
  "web/",
];
// wasm-bindgen writes JS snippets (from #[wasm_bindgen(module = ...)]) only when the crate has some.
for (const folder of ["snippets/"]) {
  if (existsSync(`pkg/${folder}`)) files.push(folder);
}

const pkg = {
  name: "renew-fetch",
  version: cargoField("version"),
  description: cargoField("description"),
  license: cargoField("license"),
  repository: { type: "git", url: cargoField("repository") },
  keywords: generated.keywords ?? [],
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
  files,
  // The bundler entry instantiates the module when it is imported. The web entry does nothing
  // until its init() is called, so bundlers may drop it when unused.
  sideEffects: ["./renew_fetch.js", "./snippets/*", "./web/snippets/*"],
};
writeFileSync("pkg/package.json", `${JSON.stringify(pkg, null, 2)}\n`);
EOF
echo "build-pkg: pkg/ holds renew-fetch@$(node -p 'require("./pkg/package.json").version') (bundler) and pkg/web/ (web)"
