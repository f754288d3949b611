// Compiles an app's use of the package's .d.ts files with tsc under strict settings, against the
// built pkg/ as npm would install it, and checks that misuse is reported.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import { repoRoot } from "../lib/demo-server.js";

const run = promisify(execFile);
const tsc = path.join(repoRoot, "e2e/node_modules/typescript/bin/tsc");
let dir;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "renew-fetch-types-"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(path.join(repoRoot, "pkg"), path.join(dir, "node_modules/renew-fetch"), "dir");
  cpSync(path.join(repoRoot, "e2e/types"), dir, { recursive: true });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Runs tsc on `file` with `lib`, and returns its exit code and its diagnostics, one per line.
async function typeCheck(file, lib) {
  const config = {
    compilerOptions: {
      target: "ES2020",
      module: "ESNext",
      moduleResolution: "bundler",
      lib,
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files: [file],
  };
  const project = path.join(dir, `tsconfig.${path.basename(file, ".ts")}.json`);
  writeFileSync(project, JSON.stringify(config));
  try {
    await run(process.execPath, [tsc, "--pretty", "false", "-p", project], { cwd: dir });
    return { code: 0, lines: [] };
  } catch (error) {
    if (typeof error.code !== "number") throw error;
    return { code: error.code, lines: error.stdout.split("\n").filter((line) => line !== "") };
  }
}

test("types compile with the ES2020 and DOM libs", async () => {
  const { code, lines } = await typeCheck("app.ts", ["ES2020", "DOM"]);
  assert.deepEqual(lines, [], "expected no diagnostics from tsc");
  assert.equal(code, 0, "expected tsc to exit with 0");
});

test("types compile with the ESNext and DOM libs", async () => {
  const { code, lines } = await typeCheck("app.ts", ["ESNext", "DOM"]);
  assert.deepEqual(lines, [], "expected no diagnostics from tsc");
  assert.equal(code, 0, "expected tsc to exit with 0");
});

test("types reject misuse", async () => {
  const { lines } = await typeCheck("misuse.ts", ["ES2020", "DOM"]);
  // A diagnostic may continue on indented lines, which name no line number.
  const numbers = lines.map((line) => /^misuse\.ts\((\d+),/.exec(line)?.[1]).filter((number) => number !== undefined);
  const reported = [...new Set(numbers.map(Number))];
  // Lines 6 to 11 of misuse.ts end with "// error".
  assert.deepEqual(reported, [6, 7, 8, 9, 10, 11], `expected an error on each marked line, got:\n${lines.join("\n")}`);
});
