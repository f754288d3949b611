// Loads the built Vite example (examples/vite/dist), which installs renew-fetch from pkg/ as an
// npm dependency, and checks that it logs in and loads data through the demo API, in Chromium
// and in Firefox.

import assert from "node:assert/strict";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import { launchBrowser, launchFirefox, withPage } from "../lib/browser.js";
import { repoRoot, startDemoServer } from "../lib/demo-server.js";

const dist = path.join(repoRoot, "examples/vite/dist");

// The browsers that load the app, by name.
const LAUNCHERS = { Chromium: launchBrowser, Firefox: launchFirefox };

let server;
const browsers = {};

before(async () => {
  assert.ok(
    existsSync(path.join(dist, "index.html")),
    "expected a built Vite app: run npm ci && npm run build in examples/vite",
  );
  server = await startDemoServer(["--www", dist, "--pkg", path.join(repoRoot, "pkg")]);
  for (const [name, launch] of Object.entries(LAUNCHERS)) browsers[name] = await launch();
});

after(async () => {
  for (const browser of Object.values(browsers)) await browser.close();
  await server?.stop();
});

test("example installs a packed copy", () => {
  const installed = path.join(repoRoot, "examples/vite/node_modules/renew-fetch");
  assert.equal(
    lstatSync(installed).isSymbolicLink(),
    false,
    "expected npm to pack pkg/ (install-links=true), so only published files reach the app",
  );
  assert.ok(
    existsSync(path.join(installed, "web/renew_fetch_bg.wasm")),
    "expected the published package to include the web build",
  );
  for (const license of ["LICENSE-MIT", "LICENSE-APACHE"]) {
    assert.ok(
      existsSync(path.join(installed, license)),
      `expected the published package to include ${license}`,
    );
  }
});

test("bundle keeps the free guard", () => {
  // build-pkg.sh appends npm/free-guard.js to renew_fetch_bg.js. The package's sideEffects list
  // leaves that file out, so this checks that Vite kept the block.
  const assets = path.join(dist, "assets");
  const scripts = readdirSync(assets).filter((name) => name.endsWith(".js"));
  const guarded = scripts.filter((name) =>
    readFileSync(path.join(assets, name), "utf8").includes("after free(); create a new HttpClient"),
  );
  assert.equal(guarded.length, 1, `expected one script of ${scripts.join(", ")} to hold the guard`);
});

for (const name of Object.keys(LAUNCHERS)) {
  test(`vite app logs in and loads items (${name})`, (t) =>
    withPage(browsers[name], t, {}, async (page, pageErrors) => {
      const wasmRequests = [];
      page.on("request", (request) => {
        if (request.url().endsWith(".wasm")) wasmRequests.push(new URL(request.url()).pathname);
      });
      await page.goto(`${server.baseUrl}/`);
      await page.waitForSelector("html[data-ready='true']");

      await page.click("#login");
      await page.waitForSelector("#load:not([disabled])");
      assert.equal(await page.textContent("#status"), "Logged in as alice.", "expected a login");

      await page.click("#load");
      await page.waitForFunction(() => document.querySelectorAll("#items li").length > 0);
      const names = await page.$$eval("#items li", (rows) => rows.map((row) => row.textContent));
      assert.deepEqual(
        names,
        ["Item 1", "Item 2", "Item 3", "Item 4", "Item 5"],
        "expected the first page of items",
      );
      assert.equal(await page.textContent("#status"), "Loaded page 1.", "expected a loaded status");
      assert.equal(wasmRequests.length, 1, "expected the page to load one wasm file");
      assert.match(wasmRequests[0], /^\/assets\//, "expected the wasm file from the app's bundle");
      assert.deepEqual(pageErrors.map(String), [], "expected no uncaught errors on the page");
    }));
}
