// Runs a test function against the built package in pkg/, in each runtime that the package
// supports: its bundler build and its web build in Node, and its web build in Chromium and in
// Firefox.

import { execFile } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

import { launchBrowser, launchFirefox } from "./browser.js";
import { repoRoot } from "./demo-server.js";

const run = promisify(execFile);
const pkgDir = path.join(repoRoot, "pkg");

// The module source that loads one build in Node and binds HttpClient. Node 20 imports the
// bundler build's .wasm file only with --experimental-wasm-modules, and the web build's init()
// cannot fetch a file: URL, so the web build is given the file's bytes through initSync, as
// npm/README.md shows.
const NODE_LOADERS = {
  bundler: {
    flags: ["--experimental-wasm-modules", "--no-warnings", "--expose-gc"],
    source: () =>
      `const { HttpClient } = await import(${JSON.stringify(pathToFileURL(path.join(pkgDir, "renew_fetch.js")).href)});`,
  },
  web: {
    flags: ["--expose-gc"],
    source: () => {
      const entry = pathToFileURL(path.join(pkgDir, "web/renew_fetch.js")).href;
      return [
        'const { readFileSync } = await import("node:fs");',
        `const { initSync, HttpClient } = await import(${JSON.stringify(entry)});`,
        `initSync({ module: readFileSync(new URL("renew_fetch_bg.wasm", ${JSON.stringify(entry)})) });`,
      ].join("\n");
    },
  },
};

// Calls `thunk` and describes what it did in a form that JSON carries: whether it threw, whether
// it returned a promise, how the promise settled, and the error's fields. Test functions receive
// it as their third argument.
async function outcomeOf(thunk) {
  let value;
  try {
    value = thunk();
  } catch (error) {
    return { threw: true, name: error?.name, message: error?.message };
  }
  if (!(value instanceof Promise)) return { threw: false, promise: false, value: value ?? null };
  try {
    return { threw: false, promise: true, resolved: true, value: (await value) ?? null };
  } catch (error) {
    return {
      threw: false,
      promise: true,
      resolved: false,
      name: error?.name,
      message: error?.message,
      kind: error?.kind ?? null,
    };
  }
}

// Returns the source of a call of `fn(HttpClient, arg, outcomeOf)`, in a scope that has bound
// HttpClient.
function callSource(fn, arg) {
  return `(${fn})(HttpClient, ${JSON.stringify(arg)}, ${outcomeOf})`;
}

// Calls `fn(HttpClient, arg, outcomeOf)` in a new Node process with `build` loaded, and resolves
// to its result, which must survive JSON.stringify.
async function evaluateInNode(build, fn, arg) {
  const loader = NODE_LOADERS[build];
  const source = [
    loader.source(),
    `const result = await ${callSource(fn, arg)};`,
    "process.stdout.write(JSON.stringify(result));",
  ].join("\n");
  const { stdout } = await run(
    process.execPath,
    [...loader.flags, "--input-type=module", "--eval", source],
    { cwd: repoRoot, timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

// The runtimes in which `openRuntimes` runs a test function.
export const RUNTIMES = [
  "bundler build, Node",
  "web build, Node",
  "web build, Chromium",
  "web build, Firefox",
];

// The runtimes of RUNTIMES that are browsers, where a test function has a page of the demo
// server's origin.
export const BROWSER_RUNTIMES = RUNTIMES.slice(2);

// The runtimes of RUNTIMES in which a test function can call gc(): Node with --expose-gc, and
// Chromium with --js-flags=--expose-gc (see browser.js). Firefox has no such switch.
export const GC_RUNTIMES = RUNTIMES.slice(0, 3);

// Opens the runtimes. `server` is a demo server started with `--pkg pkg`, from which the
// browsers load the web build. The result's `evaluate(runtime, fn, arg)` calls
// `fn(HttpClient, arg, outcomeOf)` in the runtime named `runtime` and resolves to its result.
// Its `newPage(runtime)` opens a blank page in the browser of a runtime of BROWSER_RUNTIMES.
// Call `close()` when done.
export async function openRuntimes(server) {
  const launched = await Promise.allSettled([launchBrowser(), launchFirefox()]);
  const browsers = launched.filter((result) => result.status === "fulfilled").map((result) => result.value);
  const closeAll = () => Promise.all(browsers.map((browser) => browser.close()));
  try {
    const failed = launched.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const [inChromium, inFirefox] = await Promise.all(
      browsers.map((browser) => pageEvaluator(browser, server)),
    );
    const evaluators = {
      [RUNTIMES[0]]: (fn, arg) => evaluateInNode("bundler", fn, arg),
      [RUNTIMES[1]]: (fn, arg) => evaluateInNode("web", fn, arg),
      [RUNTIMES[2]]: inChromium,
      [RUNTIMES[3]]: inFirefox,
    };
    const browserOf = { [RUNTIMES[2]]: browsers[0], [RUNTIMES[3]]: browsers[1] };
    return {
      evaluate: (runtime, fn, arg) => evaluators[runtime](fn, arg),
      newPage: (runtime) => browserOf[runtime].newPage(),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

// Opens a page of the server's origin in `browser`, and returns a function that calls
// `fn(HttpClient, arg, outcomeOf)` there with the web build loaded and initialised.
async function pageEvaluator(browser, server) {
  const page = await browser.newPage();
  // Any page of the server's origin can import the package. This one is a small JSON response.
  await page.goto(`${server.baseUrl}/scenario/ok`);
  return (fn, arg) =>
    page.evaluate(`(async () => {
      const { default: init, HttpClient } = await import("/pkg/web/renew_fetch.js");
      await init();
      return ${callSource(fn, arg)};
    })()`);
}
