// Checks the built package itself, apart from any runtime.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { repoRoot } from "../lib/demo-server.js";

// A bundler that binds a wasm module's imports and exports in one scope, as Turbopack does,
// fails on a name that is both.
for (const file of ["pkg/renew_fetch_bg.wasm", "pkg/web/renew_fetch_bg.wasm"]) {
  test(`no name both imported and exported (${file})`, async () => {
    const module = new WebAssembly.Module(await readFile(`${repoRoot}/${file}`));
    const exported = new Set(WebAssembly.Module.exports(module).map(({ name }) => name));
    const both = WebAssembly.Module.imports(module)
      .map(({ name }) => name)
      .filter((name) => exported.has(name));
    assert.deepEqual(both, [], `expected no import named like an export in ${file}`);
  });
}

// esbuild, and Angular's builder with it, warns of each key that an object literal repeats, and
// wasm-bindgen's web glue listed client.js once for each function that the .wasm imports from it.
test("web glue imports each module once", async () => {
  const glue = await readFile(`${repoRoot}/pkg/web/renew_fetch.js`, "utf8");
  const paths = [...glue.matchAll(/^import \* as \w+ from "([^"]+)"/gm)].map((match) => match[1]);
  assert.deepEqual(paths, [...new Set(paths)], "expected no module imported twice as a namespace");
  const keys = [...glue.matchAll(/^\s*("[^"]+"): \w+,$/gm)].map((match) => match[1]);
  assert.deepEqual(keys, [...new Set(keys)], "expected no key twice in the object of imports");
});

// An app may keep a copy of the package in its own repository, such as vendor/renew-fetch. A
// .gitignore of "*", which wasm-pack writes into its output, would keep all of it out of git.
test("package copy commits whole", async () => {
  const repository = await mkdtemp(path.join(tmpdir(), "renew-fetch-vendor-"));
  try {
    const git = (...args) => execFileSync("git", args, { cwd: repository, encoding: "utf8" });
    git("init", "--quiet");
    await cp(`${repoRoot}/pkg`, path.join(repository, "vendor/renew-fetch"), { recursive: true });
    git("add", "--all");
    const staged = git("ls-files").split("\n");
    for (const file of ["package.json", "renew_fetch_bg.wasm", "web/renew_fetch_bg.wasm"]) {
      assert.ok(staged.includes(`vendor/renew-fetch/${file}`), `expected git add to stage ${file}`);
    }
  } finally {
    await rm(repository, { recursive: true, force: true });
  }
});
