// Loads the built Vite example (examples/vite/dist), which installs renew-fetch from pkg/ as an
// npm dependency, and checks that it logs in and loads data through the demo API, in Chromium
// and in Firefox. Then it serves the example from Vite's dev server, with and without
// vite-plugin-wasm, and checks that the package starts or names the missing plugin.

import assert from "node:assert/strict";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";

import { launchBrowser, launchFirefox, withPage } from "../lib/browser.js";
import { repoRoot, startDemoServer } from "../lib/demo-server.js";

const example = path.join(repoRoot, "examples/vite");
const dist = path.join(example, "dist");

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

// Starts Vite's dev server on the example, from the example's own Vite, on a free port of
// 127.0.0.1. Each server gets a dependency cache of its own, because Vite pre-bundles the
// package there differently with and without the plugin.
async function startViteDevServer(name, plugins) {
  const vitePath = path.join(example, "node_modules/vite/dist/node/index.js");
  const { createServer } = await import(pathToFileURL(vitePath).href);
  const devServer = await createServer({
    configFile: false,
    root: example,
    cacheDir: path.join(example, `node_modules/.vite-e2e-${name}`),
    logLevel: "error",
    plugins,
    server: { host: "127.0.0.1", port: 0, strictPort: true, hmr: false },
  });
  await devServer.listen();
  return devServer;
}

// Opens the dev server's page in Chromium. Returns whether the page set data-ready and its
// uncaught errors, once it either set data-ready or threw.
async function openDevPage(devServer, t) {
  let result;
  await withPage(browsers.Chromium, t, {}, async (page, pageErrors) => {
    await page.goto(devServer.resolvedUrls.local[0]);
    const ready = page
      .waitForFunction(() => document.documentElement.dataset.ready === "true", null, {
        timeout: 15_000,
      })
      .then(() => true);
    const thrown = page.waitForEvent("pageerror", { timeout: 15_000 }).then(() => false);
    const started = await Promise.any([ready, thrown]).catch(() => false);
    result = { started, errors: pageErrors.map((error) => error.message) };
  });
  return result;
}

test("vite dev with the plugin starts the client", async (t) => {
  const pluginPath = path.join(example, "node_modules/vite-plugin-wasm/exports/import.mjs");
  const { default: wasm } = await import(pathToFileURL(pluginPath).href);
  const devServer = await startViteDevServer("plugin", [wasm()]);
  try {
    const { started, errors } = await openDevPage(devServer, t);
    assert.deepEqual(errors, [], "expected no uncaught errors on the page");
    assert.equal(started, true, "expected the page to set data-ready");
  } finally {
    await devServer.close();
  }
});

test("vite dev without the plugin names it", async (t) => {
  const devServer = await startViteDevServer("no-plugin", []);
  try {
    const { errors } = await openDevPage(devServer, t);
    assert.equal(errors.length, 1, `expected one uncaught error, got: ${JSON.stringify(errors)}`);
    assert.match(errors[0], /add vite-plugin-wasm to the plugins/, "expected the error to name the plugin");
  } finally {
    await devServer.close();
  }
});
