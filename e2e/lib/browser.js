// Launches Debian's Chromium through playwright-core, and saves screenshots into artifacts/.

import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

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
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
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
