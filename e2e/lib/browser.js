// Launches Debian's Chromium and Firefox ESR through playwright-core, and saves screenshots into
// artifacts/.

import { accessSync, constants, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, firefox } from "playwright-core";

import { repoRoot } from "./demo-server.js";

export const artifactsDir = path.join(repoRoot, "artifacts");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // Exposes gc() to pages, for the tests of what the collector frees.
  "--js-flags=--expose-gc",
];

// The Firefox binaries to look for on PATH, in order. Debian installs Firefox ESR as firefox-esr.
const FIREFOX_NAMES = ["firefox-esr", "firefox"];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
}

// Launches Firefox from FIREFOX_PATH, or else the first of firefox-esr and firefox on PATH. The
// channel "moz-firefox" makes playwright-core drive a stock Firefox through WebDriver BiDi.
// NOTE: with Firefox ESR 153, newPage() of playwright-core 1.65.2 fails with "Protocol error
// (emulation.setMediaFeaturesOverride): unknown command". package.json pins 1.59.1, which works.
export function launchFirefox() {
  return firefox.launch({
    channel: "moz-firefox",
    executablePath: firefoxPath(),
    headless: true,
  });
}

function firefoxPath() {
  if (process.env.FIREFOX_PATH) return process.env.FIREFOX_PATH;
  const folders = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  for (const name of FIREFOX_NAMES) {
    for (const folder of folders) {
      const candidate = path.join(folder, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // Not in this folder, or not executable.
      }
    }
  }
  throw new Error(
    "Firefox not found: neither firefox-esr nor firefox is on PATH; run bash scripts/setup.sh " +
      "test or set FIREFOX_PATH",
  );
}

// Saves a screenshot of the page as artifacts/NAME.png and returns its path.
export async function saveScreenshot(page, name) {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Runs `body` with a fresh page in a fresh browser context, so no storage carries over between
// tests. A failing test leaves a screenshot named after it in artifacts/.
export async function withPage(browser, testContext, options, body) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error));
  try {
    await body(page, pageErrors);
  } catch (error) {
    const name = `failed-${testContext.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
    await saveScreenshot(page, name).catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
}
