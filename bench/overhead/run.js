// Opens bench/overhead/index.html from a running demo server in headless Chromium, runs the
// benchmark in one page load and prints its results as JSON on stdout.
//
// Usage: node bench/overhead/run.js URL [--total N] [--batch-size N] [--chunk N] [--warmup N]
//   URL   the demo server's origin, such as http://127.0.0.1:8080, started with --scenarios,
//         --www bench/overhead and --pkg set to a wasm-pack web build of renew-fetch, with the
//         web build of bench/size/floor in its floor/ folder

import { chromium } from "playwright-core";

import { CHROMIUM_ARGS } from "./chromium.js";

// The benchmark must finish well within a few minutes, even on a loaded machine.
const TIMEOUT_MS = 240_000;

function parseArguments(argv) {
  const settings = { total: 2000, batchSize: 50, chunk: 1, warmup: 200 };
  const names = { "--total": "total", "--batch-size": "batchSize", "--chunk": "chunk", "--warmup": "warmup" };
  const [origin, ...rest] = argv;
  if (!origin || !/^http:\/\/127\.0\.0\.1:\d+$/.test(origin)) {
    throw new Error(`the first argument must be the server origin http://127.0.0.1:PORT, got "${origin ?? ""}"`);
  }
  for (let i = 0; i < rest.length; i += 2) {
    const name = names[rest[i]];
    const value = Number(rest[i + 1]);
    if (!name || !Number.isInteger(value) || value < 1) {
      throw new Error(`invalid option "${rest[i]} ${rest[i + 1] ?? ""}"; options take a whole number of 1 or more`);
    }
    settings[name] = value;
  }
  return { origin, settings };
}

async function main() {
  const { origin, settings } = parseArguments(process.argv.slice(2));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(error));
    page.setDefaultTimeout(TIMEOUT_MS);
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => window.overheadReady === true).catch((error) => {
      throw new Error(`the benchmark page did not load: ${pageErrors.join("; ") || error.message}`);
    });
    const results = await page.evaluate((options) => window.runOverhead(options), settings);
    const userAgent = await page.evaluate(() => navigator.userAgent);
    const version = browser.version();
    process.stdout.write(`${JSON.stringify({ settings, browser: version, userAgent, results })}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`overhead: ${error.message}`);
  process.exit(1);
});
