// Checks `new HttpClient()` before the web build of pkg/ is initialised, in Node, Chromium and
// Firefox:
// it throws an error that names init() and initSync(), where wasm-bindgen's glue alone throws
// "Cannot read properties of undefined". Also checks that a client made after init() is still an
// instance of the exported class in each build, because npm/free-guard.js replaces that class
// with a subclass.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { after, before, test } from "node:test";

import { repoRoot, startDemoServer } from "../lib/demo-server.js";
import { BROWSER_RUNTIMES, RUNTIMES, openRuntimes } from "../lib/package-runtimes.js";

const run = promisify(execFile);

const NOT_INITIALISED =
  "renew-fetch is not initialised; await init(), the default export of renew-fetch/web, before " +
  "new HttpClient(), or in Node call initSync({ module }) with the bytes of renew_fetch_bg.wasm";

let server;
let runtimes;

before(async () => {
  server = await startDemoServer(["--scenarios", "--pkg", `${repoRoot}/pkg`]);
  runtimes = await openRuntimes(server);
});

after(async () => {
  await runtimes?.close();
  await server?.stop();
});

// Constructs a client, then initialises the module with `init` and constructs another one.
// Resolves to what each construction threw, or null where it returned a client.
async function constructAroundInit(HttpClient, init) {
  const outcome = () => {
    try {
      new HttpClient({ tokenStorage: "memory" }).free();
      return null;
    } catch (error) {
      return { name: error.name, message: error.message };
    }
  };
  const beforeInit = outcome();
  await init();
  return { beforeInit, afterInit: outcome() };
}

function checkOutcomes({ beforeInit, afterInit }, runtime) {
  assert.notEqual(beforeInit, null, `expected new HttpClient() before init to throw (${runtime})`);
  assert.equal(beforeInit.name, "Error", `expected an Error before init (${runtime})`);
  assert.equal(
    beforeInit.message,
    NOT_INITIALISED,
    `expected the error to name init and initSync (${runtime})`,
  );
  assert.equal(afterInit, null, `expected new HttpClient() after init to return a client (${runtime})`);
}

test("constructor before initSync names the fix (web build, Node)", async () => {
  const entry = pathToFileURL(path.join(repoRoot, "pkg/web/renew_fetch.js")).href;
  const source = [
    'const { readFileSync } = await import("node:fs");',
    `const { initSync, HttpClient } = await import(${JSON.stringify(entry)});`,
    `const wasm = readFileSync(new URL("renew_fetch_bg.wasm", ${JSON.stringify(entry)}));`,
    `const result = await (${constructAroundInit})(HttpClient, () => initSync({ module: wasm }));`,
    "process.stdout.write(JSON.stringify(result));",
  ].join("\n");
  const { stdout } = await run(process.execPath, ["--input-type=module", "--eval", source], {
    cwd: repoRoot,
    timeout: 60_000,
  });
  checkOutcomes(JSON.parse(stdout), "web build, Node");
});

for (const runtime of BROWSER_RUNTIMES) {
  test(`constructor before init names the fix (${runtime})`, async () => {
    // A new page has its own module map, so the web build there has not been initialised.
    const page = await runtimes.newPage(runtime);
    try {
      await page.goto(`${server.baseUrl}/scenario/ok`);
      const result = await page.evaluate(`(async () => {
        const { default: init, HttpClient } = await import("/pkg/web/renew_fetch.js");
        return (${constructAroundInit})(HttpClient, init);
      })()`);
      checkOutcomes(result, runtime);
    } finally {
      await page.close();
    }
  });
}

for (const runtime of RUNTIMES) {
  test(`client is an instance of HttpClient (${runtime})`, async () => {
    const result = await runtimes.evaluate(runtime, (HttpClient) => {
      const api = new HttpClient({ tokenStorage: "memory" });
      const found = {
        instance: api instanceof HttpClient,
        constructor: api.constructor === HttpClient,
        name: HttpClient.name,
        storage: api.tokenStorage,
      };
      api.free();
      return found;
    });
    assert.equal(result.instance, true, "expected the client to be an instance of HttpClient");
    assert.equal(result.constructor, true, "expected the client's constructor to be HttpClient");
    assert.equal(result.name, "HttpClient", "expected the class to be named HttpClient");
    assert.equal(result.storage, "memory", "expected the client to work, with its token in memory");
  });
}
