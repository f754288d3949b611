// Runs the web build in a module Worker of the demo server's origin, in Chromium and Firefox. A
// worker has no localStorage or sessionStorage, so the client keeps its token in memory and
// shares it with neither the page nor other clients. It still sends the token, renews it and
// replays an overdue call.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { launchBrowser, launchFirefox } from "../lib/browser.js";
import { repoRoot, startDemoServer } from "../lib/demo-server.js";

// The worker's script. It loads the package, runs the checks of one message and posts back what
// they found, with each token replaced by whether it was the one set.
const WORKER = `
import init, { HttpClient } from "/pkg/web/renew_fetch.js";

await init();

self.onmessage = async ({ data: { key } }) => {
  const defaults = new HttpClient();
  const local = new HttpClient({ tokenStorage: "local" });
  const api = new HttpClient({ tokenKey: "worker.token" });
  const tokenBefore = api.getToken();
  api.setToken("mine");
  const echo = await api.get("/scenario/echo-auth");
  const replayed = await api.get("/scenario/overdue-once?key=" + key);
  postMessage({
    defaultStorage: defaults.tokenStorage,
    localStorage: local.tokenStorage,
    tokenBefore: tokenBefore ?? null,
    sentMine: echo.data.authorization === "Bearer mine",
    replayedCode: replayed.code,
    renewed: typeof api.getToken() === "string" && api.getToken() !== "mine",
  });
};
postMessage("ready");
`;

const BROWSERS = { Chromium: launchBrowser, Firefox: launchFirefox };

let server;
let www;
const browsers = {};

before(async () => {
  www = mkdtempSync(path.join(tmpdir(), "renew-fetch-worker-"));
  writeFileSync(path.join(www, "index.html"), "<!doctype html><title>worker page</title>");
  writeFileSync(path.join(www, "worker.js"), WORKER);
  server = await startDemoServer(["--scenarios", "--pkg", `${repoRoot}/pkg`, "--www", www]);
  for (const [name, launch] of Object.entries(BROWSERS)) browsers[name] = await launch();
});

after(async () => {
  await Promise.all(Object.values(browsers).map((browser) => browser.close()));
  await server?.stop();
  if (www) rmSync(www, { recursive: true, force: true });
});

// Opens the page in `browser`, stores a token in the page's localStorage under the worker's key,
// starts the worker and resolves to what it posts for `key`.
async function runWorker(browser, key) {
  const page = await browser.newPage();
  try {
    await page.goto(`${server.baseUrl}/index.html`);
    return await page.evaluate(
      (key) =>
        new Promise((resolve, reject) => {
          localStorage.setItem("worker.token", "page-token");
          const worker = new Worker("/worker.js", { type: "module" });
          worker.onerror = (event) => reject(new Error(`the worker failed: ${event.message}`));
          worker.onmessage = ({ data }) => {
            if (data === "ready") {
              worker.postMessage({ key });
              return;
            }
            worker.terminate();
            resolve(data);
          };
        }),
      key,
    );
  } finally {
    await page.close();
  }
}

for (const name of Object.keys(BROWSERS)) {
  test(`module worker keeps, sends and renews a token (${name})`, async () => {
    const result = await runWorker(browsers[name], `worker-${name}-${Date.now()}`);
    assert.equal(result.defaultStorage, "memory", "expected the default storage to fall back to memory");
    assert.equal(result.localStorage, "memory", 'expected tokenStorage "local" to fall back to memory');
    assert.equal(result.tokenBefore, null, "expected the worker's client not to see the page's stored token");
    assert.equal(result.sentMine, true, "expected a path on the worker's origin to get the token");
    assert.equal(result.replayedCode, 200, "expected the overdue call to be replayed to success");
    assert.equal(result.renewed, true, "expected the renewed token to replace the one set");
  });
}
