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

function compilerOptions(lib, moduleResolution = "bundler") {
  return {
    target: "ES2020",
    module: "ESNext",
    moduleResolution,
    lib,
    strict: true,
    noEmit: true,
    skipLibCheck: false,
  };
}

// Runs tsc on `file` with `lib`, and returns its exit code and its diagnostics, one per line.
async function typeCheck(file, lib, moduleResolution = "bundler") {
  const config = { compilerOptions: compilerOptions(lib, moduleResolution), files: [file] };
  const project = path.join(dir, `tsconfig.${path.basename(file, ".ts")}.${moduleResolution}.json`);
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

test("types compile under moduleResolution node", async () => {
  const { code, lines } = await typeCheck("app.ts", ["ES2020", "DOM"], "node");
  assert.deepEqual(lines, [], "expected no diagnostics from tsc, renew-fetch/web included");
  assert.equal(code, 0, "expected tsc to exit with 0");
});

test("types compile with the ESNext and DOM libs", async () => {
  const { code, lines } = await typeCheck("app.ts", ["ESNext", "DOM"]);
  assert.deepEqual(lines, [], "expected no diagnostics from tsc");
  assert.equal(code, 0, "expected tsc to exit with 0");
});

// npm/README.md states that the types need the DOM lib. This test fails once they compile without
// it, so that the README gets corrected.
test("types need the DOM lib", async () => {
  const { code, lines } = await typeCheck("app.ts", ["ES2020"]);
  assert.notEqual(code, 0, "expected tsc to fail without the DOM lib");
  const missing = lines.filter((line) => line.includes("Cannot find name 'URL'"));
  assert.ok(missing.length > 0, `expected tsc to miss URL without the DOM lib, got:\n${lines.join("\n")}`);
});

test("types reject misuse", async () => {
  const source = readFileSync(path.join(dir, "misuse.ts"), "utf8").split("\n");
  const marked = source.flatMap((line, index) => (line.endsWith("// error") ? [index + 1] : []));
  assert.ok(marked.length >= 24, `expected misuse.ts to mark at least 24 lines, found ${marked.length}`);
  const { lines } = await typeCheck("misuse.ts", ["ES2020", "DOM"]);
  // A diagnostic may continue on indented lines, which name no line number.
  const numbers = lines.map((line) => /^misuse\.ts\((\d+),/.exec(line)?.[1]).filter((number) => number !== undefined);
  const reported = [...new Set(numbers.map(Number))];
  assert.deepEqual(reported, marked, `expected an error on each marked line, got:\n${lines.join("\n")}`);
});

// The .d.ts declares the request methods by hand, in an interface that merges into the class that
// wasm-bindgen writes. Each method has an overload for each literal responseType, then one for
// each with fullResponse: true, in this order, and a last one for any RequestOptions, whose
// parameters the glue's JSDoc gives.
const OVERLOADS = [
  { responseType: '"json" | undefined', fullResponse: "false | undefined", returns: "Promise<Envelope<T>>" },
  { responseType: '"text"', fullResponse: "false | undefined", returns: "Promise<T>" },
  { responseType: '"blob"', fullResponse: "false | undefined", returns: "Promise<T>" },
  { responseType: '"arrayBuffer"', fullResponse: "false | undefined", returns: "Promise<T>" },
  { responseType: '"json" | undefined', fullResponse: "true", returns: "Promise<FullResponse<Envelope<T>>>" },
  { responseType: '"text"', fullResponse: "true", returns: "Promise<FullResponse<T>>" },
  { responseType: '"blob"', fullResponse: "true", returns: "Promise<FullResponse<T>>" },
  { responseType: '"arrayBuffer"', fullResponse: "true", returns: "Promise<FullResponse<T>>" },
  {
    responseType: "ResponseType | undefined",
    fullResponse: "boolean | undefined",
    returns: "Promise<string | Blob | ArrayBuffer | Envelope<T> | FullResponse<string | Blob | ArrayBuffer | Envelope<T>>>",
  },
];

// Returns a type checker and the HttpClient type of each build, keyed by build name.
function clientTypes() {
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
  const clients = {};
  for (const statement of declarations) {
    const variable = statement.declarationList.declarations[0];
    clients[variable.name.text] = checker.getTypeAtLocation(variable);
  }
  return { checker, clients };
}

// Returns the parameters of a signature as "name: type" text, with a "?" after the name of an
// optional one, as glueParameters does.
function declaredParameters(signature) {
  return signature.getParameters().map((parameter) => {
    const declaration = parameter.valueDeclaration;
    return `${parameter.name}${declaration.questionToken ? "?" : ""}: ${declaration.type.getText()}`;
  });
}

// Returns the type of the option `name` that the last parameter of a signature takes, as text.
function optionTypeOf(checker, signature, name) {
  const parameters = signature.getParameters();
  const options = checker.getTypeOfSymbol(parameters[parameters.length - 1]);
  const option = checker.getNonNullableType(options).getProperty(name);
  return option ? checker.typeToString(checker.getTypeOfSymbol(option)) : "none";
}

test("request methods have responseType overloads", () => {
  const { checker, clients } = clientTypes();
  for (const [build, client] of Object.entries(clients)) {
    for (const name of REQUEST_METHODS) {
      const method = client.getProperty(name);
      assert.ok(method, `expected ${build} HttpClient to have ${name}()`);
      const signatures = checker.getTypeOfSymbol(method).getCallSignatures();
      assert.equal(
        signatures.length,
        OVERLOADS.length,
        `expected ${OVERLOADS.length} overloads of ${build} ${name}()`,
      );
      signatures.forEach((signature, index) => {
        const overload = `overload ${index + 1} of ${build} ${name}()`;
        const typeParameters = signature.getTypeParameters() ?? [];
        assert.equal(typeParameters.length, 1, `expected one type parameter on ${overload}`);
        for (const option of ["responseType", "fullResponse"]) {
          assert.equal(
            optionTypeOf(checker, signature, option),
            OVERLOADS[index][option],
            `expected ${overload} to take ${option} ${OVERLOADS[index][option]}`,
          );
        }
        assert.equal(
          checker.typeToString(signature.getReturnType()),
          OVERLOADS[index].returns,
          `expected ${overload} to return ${OVERLOADS[index].returns}`,
        );
        const docs = ts.displayPartsToString(signature.getDocumentationComment(checker));
        assert.match(docs, /^Sends /, `expected the JSDoc of ${overload} to start with "Sends"`);
      });
      for (const index of [0, OVERLOADS.length - 1]) {
        const overload = `overload ${index + 1} of ${build} ${name}()`;
        const docs = ts.displayPartsToString(signatures[index].getDocumentationComment(checker));
        assert.match(docs, /`T` is the type of/, `expected the JSDoc of ${overload} to describe T`);
      }
    }
  }
});

// The JS glue of each build, whose JSDoc wasm-bindgen writes from the Rust attributes of each
// method, apart from the hand-written declarations in the .d.ts.
const GLUE = {
  bundler: path.join(repoRoot, "pkg/renew_fetch_bg.js"),
  web: path.join(repoRoot, "pkg/web/renew_fetch.js"),
};

// The glue's JSDoc gives the parameters of the method that runs whichever overload tsc picks.
// Checks in each build that the last overload declares them as they are, and that each overload
// takes the same parameters, each narrowed to a type that the glue's parameter takes.
test("request method overloads match the glue", () => {
  const { checker, clients } = clientTypes();
  for (const [build, client] of Object.entries(clients)) {
    for (const name of REQUEST_METHODS) {
      const signatures = checker.getTypeOfSymbol(client.getProperty(name)).getCallSignatures();
      const general = signatures[signatures.length - 1];
      const glue = glueParameters(GLUE[build], name);
      assert.deepEqual(
        declaredParameters(general),
        glue,
        `expected the JSDoc of ${name}() in the ${build} glue to give the parameters of its last overload`,
      );
      const names = general.getParameters().map((parameter) => parameter.name);
      const generalTypes = general.getParameters().map((parameter) => checker.getTypeOfSymbol(parameter));
      signatures.forEach((signature, index) => {
        const overload = `overload ${index + 1} of ${build} ${name}()`;
        const parameters = signature.getParameters();
        assert.deepEqual(
          parameters.map((parameter) => parameter.name),
          names,
          `expected ${overload} to take the parameters ${names.join(", ")}`,
        );
        parameters.forEach((parameter, position) => {
          const type = checker.getTypeOfSymbol(parameter);
          assert.ok(
            checker.isTypeAssignableTo(type, generalTypes[position]),
            `expected parameter ${parameter.name} of ${overload}, ${checker.typeToString(type)}, ` +
              `to be assignable to the glue's ${glue[position]}`,
          );
        });
      });
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
