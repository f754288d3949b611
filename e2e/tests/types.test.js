// Compiles an app's use of the package's .d.ts files with tsc under strict settings, against the
// built pkg/ as npm would install it, and checks that misuse is reported.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import ts from "typescript";

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

const REQUEST_METHODS = ["get", "delete", "post", "put", "patch", "request"];

function compilerOptions(lib) {
  return {
    target: "ES2020",
    module: "ESNext",
    moduleResolution: "bundler",
    lib,
    strict: true,
    noEmit: true,
    skipLibCheck: false,
  };
}

// Runs tsc on `file` with `lib`, and returns its exit code and its diagnostics, one per line.
async function typeCheck(file, lib) {
  const config = { compilerOptions: compilerOptions(lib), files: [file] };
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
  const source = readFileSync(path.join(dir, "misuse.ts"), "utf8").split("\n");
  const marked = source.flatMap((line, index) => (line.endsWith("// error") ? [index + 1] : []));
  assert.ok(marked.length >= 11, `expected misuse.ts to mark at least 11 lines, found ${marked.length}`);
  const { lines } = await typeCheck("misuse.ts", ["ES2020", "DOM"]);
  // A diagnostic may continue on indented lines, which name no line number.
  const numbers = lines.map((line) => /^misuse\.ts\((\d+),/.exec(line)?.[1]).filter((number) => number !== undefined);
  const reported = [...new Set(numbers.map(Number))];
  assert.deepEqual(reported, marked, `expected an error on each marked line, got:\n${lines.join("\n")}`);
});

// The JS glue of each build, whose JSDoc wasm-bindgen writes from the Rust attributes of each
// method, apart from the hand-written declarations in the .d.ts.
const GLUE = {
  bundler: path.join(repoRoot, "pkg/renew_fetch_bg.js"),
  web: path.join(repoRoot, "pkg/web/renew_fetch.js"),
};

// The .d.ts declares the request methods by hand, in an interface that merges into the class that
// wasm-bindgen writes. Checks in each build that each one has one generic signature and its JSDoc.
test("request methods are generic with JSDoc", () => {
  const file = path.join(dir, "methods.ts");
  writeFileSync(
    file,
    [
      'import { HttpClient } from "renew-fetch";',
      'import { HttpClient as WebClient } from "renew-fetch/web";',
      "declare const bundler: HttpClient;",
      "declare const web: WebClient;",
      "",
    ].join("\n"),
  );
  const parsed = ts.convertCompilerOptionsFromJson(compilerOptions(["ES2020", "DOM"]), dir);
  assert.deepEqual(parsed.errors, [], "expected valid compiler options");
  const program = ts.createProgram([file], parsed.options);
  const checker = program.getTypeChecker();
  const declarations = program.getSourceFile(file).statements.filter(ts.isVariableStatement);
  assert.equal(declarations.length, 2, "expected a client of each build");
  for (const statement of declarations) {
    const variable = statement.declarationList.declarations[0];
    const build = variable.name.text;
    const client = checker.getTypeAtLocation(variable);
    for (const name of REQUEST_METHODS) {
      const method = client.getProperty(name);
      assert.ok(method, `expected ${build} HttpClient to have ${name}()`);
      const signatures = checker.getTypeOfSymbol(method).getCallSignatures();
      assert.equal(signatures.length, 1, `expected one signature of ${build} ${name}()`);
      const typeParameters = signatures[0].getTypeParameters() ?? [];
      assert.equal(typeParameters.length, 1, `expected one type parameter on ${build} ${name}()`);
      const returned = checker.typeToString(signatures[0].getReturnType());
      assert.equal(returned, "Promise<T>", `expected ${build} ${name}() to return Promise<T>`);
      const docs = ts.displayPartsToString(method.getDocumentationComment(checker));
      assert.match(docs, /^Sends /, `expected the JSDoc of ${build} ${name}() to start with "Sends"`);
      assert.match(docs, /`T` is the type of/, `expected the JSDoc of ${build} ${name}() to describe T`);
      const declared = signatures[0].getParameters().map((parameter) => {
        const declaration = parameter.valueDeclaration;
        return `${parameter.name}${declaration.questionToken ? "?" : ""}: ${declaration.type.getText()}`;
      });
      assert.deepEqual(
        glueParameters(GLUE[build], name),
        declared,
        `expected the JSDoc of ${name}() in the ${build} glue to give the parameters that the .d.ts declares`,
      );
    }
  }
});

// Returns the parameters that the JSDoc right before method `name` of a glue file gives, each
// as "name: type", with a "?" after the name of an optional one.
function glueParameters(file, name) {
  const source = readFileSync(file, "utf8");
  const comment = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${name}\\(`).exec(source);
  assert.ok(comment, `expected a JSDoc before ${name}() in ${file}`);
  return [...comment[1].matchAll(/@param \{(.+)\} (\[?)(\w+)\]?/g)].map(
    ([, type, optional, parameter]) => `${parameter}${optional ? "?" : ""}: ${type}`,
  );
}
