// End-to-end tests of the demo page: the real demo server, the real wasm build and headless
// Chromium. The server runs with its test clock, so a test reaches the renewal window, the
// grace period and the session cap by moving that clock instead of sleeping.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser, saveScreenshot, withPage } from "../lib/browser.js";
import {
  clickAndSettle,
  lastResult,
  logIn,
  openDemo,
  readEntry,
  shownExpiry,
  shownToken,
} from "../lib/demo-page.js";
import { repoRoot, startDemoServer } from "../lib/demo-server.js";

// Short timings, in seconds, that match the flags below.
const LIFETIME = 120;
const WINDOW = 60;
const GRACE = 120;
const CAP = 300;

let server;
let browser;

before(async () => {
  server = await startDemoServer([
    "--scenarios",
    "--token-lifetime", `${LIFETIME}s`,
    "--renew-window", `${WINDOW}s`,
    "--grace-period", `${GRACE}s`,
    "--session-cap", `${CAP}s`,
    "--www", `${repoRoot}/www`,
    "--pkg", `${repoRoot}/pkg`,
  ]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const demoQuery = `?renewWindow=${WINDOW}&gracePeriod=${GRACE}`;

// The token that the client keeps in local storage under the page's key.
function storedToken(page) {
  return page.evaluate(() => localStorage.getItem("renew-fetch-demo-token"));
}

// Runs `body` on a freshly opened demo page. With `fakeClock`, Playwright's clock replaces the
// page's timers and Date from the first navigation on.
function pageTest(name, body, { fakeClock = false, ...contextOptions } = {}) {
  test(name, (t) =>
    withPage(browser, t, contextOptions, async (page, pageErrors) => {
      if (fakeClock) await page.clock.install();
      await openDemo(page, server.baseUrl, demoQuery);
      await body(page);
      assert.deepEqual(pageErrors.map(String), [], "expected no uncaught errors on the page");
    }),
  );
}

pageTest("login shows the token and loads items", async (page) => {
  const login = await logIn(page);
  assert.equal(login.outcome, "ok", "expected the login request to succeed");
  assert.equal(await page.textContent("#session-user"), "alice", "expected the user's name");
  assert.match(await shownToken(page), /^eyJ.{7}….{8}$/, "expected an abbreviated JWT");
  assert.match(
    await page.textContent("#token-countdown"),
    /^in \d+:\d\d$/,
    "expected a countdown to the token's expiry",
  );
  assert.match(
    await page.textContent("#session-end"),
    /^in [45]:\d\d, at the session cap$/,
    "expected a countdown to the end of the five-minute session cap",
  );
  assert.equal(await page.textContent("#session-cap"), `${CAP} s`, "expected the server's cap");

  const [items] = await clickAndSettle(page, "#load-items");
  assert.equal(items.outcome, "ok", "expected the items request to succeed");
  const data = await lastResult(page);
  assert.equal(data.items.length, 5, "expected one page of five items");
  assert.equal(data.items[0].owner, "alice", "expected items owned by the logged-in user");
});

pageTest("wrong password shows the error", async (page) => {
  await page.fill("#password", "not-the-password");
  const [login] = await clickAndSettle(page, "#login-submit");
  assert.equal(login.outcome, "error", "expected the login request to fail");
  assert.equal(login.kind, "business", "expected a business error for code 1001");
  assert.match(
    await page.textContent("#login-error"),
    /wrong username or password/,
    "expected the server's message under the form",
  );
  assert.equal(await page.isHidden("#session"), true, "expected no session panel");
});

pageTest("burst with cancel-previous leaves one request", async (page) => {
  await logIn(page);
  await page.fill("#burst-size", "5");
  await page.selectOption("#duplicates-policy", "cancel-previous");
  const before = await server.stats();

  const entries = await clickAndSettle(page, "#burst", 5);
  const after = await server.stats();

  const canceled = entries.filter((entry) => entry.outcome === "canceled");
  const ok = entries.filter((entry) => entry.outcome === "ok");
  assert.equal(canceled.length, 4, "expected the first four calls canceled");
  assert.equal(ok.length, 1, "expected one call to succeed");
  assert.equal(ok[0].id, entries.at(-1).id, "expected the last call to be the one that succeeds");
  for (const entry of canceled) {
    const message = `expected call #${entry.id} canceled as a duplicate`;
    assert.match(entry.detail, /as a duplicate/, message);
  }
  assert.equal(after.items - before.items, 1, "expected the server to receive one items request");
  assert.equal(await page.textContent("#pending-count"), "0", "expected no call left pending");
  assert.equal(
    await page.getAttribute("#loading", "data-active"),
    "false",
    "expected the loading bar off once every call settled",
  );
  assert.ok(
    Number(await page.getAttribute("#loading", "data-changes")) >= 2,
    "expected onLoadingChange to turn the bar on and off",
  );
});

pageTest("burst with share sends one request", async (page) => {
  await logIn(page);
  await page.fill("#burst-size", "5");
  await page.selectOption("#duplicates-policy", "share");
  const before = await server.stats();

  const entries = await clickAndSettle(page, "#burst", 5);
  const after = await server.stats();

  for (const entry of entries) {
    assert.equal(entry.outcome, "ok", `expected call #${entry.id} to get the shared result`);
  }
  assert.equal(after.items - before.items, 1, "expected the server to receive one items request");
  await page.waitForFunction(() => document.querySelector("#burst-summary").textContent !== "");
  assert.equal(
    await page.textContent("#burst-summary"),
    "The server received 1 of the 5 calls in this burst (share).",
    "expected the page to show the server's count for the burst",
  );
  assert.equal(await page.isHidden("#burst-note"), true, "expected the note on off hidden");
});

// The control for the two tests above: the server's counter does see every request of a burst.
pageTest("burst with duplicates off sends all", async (page) => {
  await logIn(page);
  await page.fill("#burst-size", "5");
  await page.selectOption("#duplicates-policy", "off");
  const before = await server.stats();

  const started = performance.now();
  const entries = await clickAndSettle(page, "#burst", 5);
  const elapsedMs = performance.now() - started;
  const after = await server.stats();

  for (const entry of entries) {
    assert.equal(entry.outcome, "ok", `expected call #${entry.id} to succeed on its own`);
  }
  assert.equal(after.items - before.items, 5, "expected the server to receive all five requests");
  assert.equal(await page.isVisible("#burst-note"), true, "expected the note on Chromium's cache");
  // Each call of the burst waits 1000 ms on the server. Sent one at a time, five take 5 s.
  assert.ok(
    elapsedMs >= 4000,
    `expected Chromium to send the calls one at a time, as #burst-note says, but all five ` +
      `settled in ${Math.round(elapsedMs)} ms; reword the note if Chromium changed`,
  );

  await page.waitForFunction(() => document.querySelector("#burst-summary").textContent !== "");
  await page.selectOption("#duplicates-policy", "share");
  assert.equal(await page.isHidden("#burst-note"), true, "expected the note gone with the policy");
  assert.equal(await page.textContent("#burst-summary"), "", "expected the old summary gone");
});

pageTest("cancel all stops a slow call", async (page) => {
  await logIn(page);
  await page.fill("#items-delay", "5000");
  await page.click("#load-items");
  await page.waitForSelector("#loading[data-active='true']");
  assert.equal(await page.textContent("#pending-count"), "1", "expected one call in flight");

  await page.click("#cancel-all");
  await page.waitForSelector("[data-request-id='2']:not([data-outcome='pending'])");

  const item = page.locator("[data-request-id='2']");
  assert.equal(await item.getAttribute("data-outcome"), "canceled", "expected the call canceled");
  assert.match(await item.textContent(), /by cancel all/, "expected cancelAll as the reason");
  await page.waitForSelector("#loading[data-active='false']");
});

pageTest("timeout ends a slow call", async (page) => {
  await logIn(page);
  await page.fill("#items-delay", "3000");
  await page.fill("#items-timeout", "300");

  const [items] = await clickAndSettle(page, "#load-items");
  assert.equal(items.outcome, "error", "expected the slow call to fail");
  assert.equal(items.kind, "timeout", "expected the client's timeout error");
});

pageTest("logout names itself on a slow call", async (page) => {
  await logIn(page);
  await page.fill("#items-delay", "5000");
  await page.click("#load-items");
  await page.waitForSelector("#loading[data-active='true']");

  await page.click("#logout");
  const item = await settledEntry(page, 2);
  assert.equal(item.outcome, "canceled", "expected the call canceled");
  assert.match(item.detail, /by the logout/, "expected the logout as the reason");
  assert.equal(await page.textContent("#result"), "", "expected the last user's data cleared");
});

pageTest("token renewed in the renewal window", async (page) => {
  await logIn(page);
  const oldToken = await shownToken(page);
  const oldExpiry = await shownExpiry(page);
  const before = await server.stats();
  await server.advanceClock(LIFETIME - WINDOW + 10);

  const [profile] = await clickAndSettle(page, "#load-profile");
  const after = await server.stats();

  assert.equal(profile.outcome, "ok", "expected the profile request to succeed without a replay");
  assert.equal(profile.renewed, true, "expected the log to mark the token as renewed");
  assert.notEqual(await shownToken(page), oldToken, "expected the page to show a new token");
  assert.ok((await shownExpiry(page)) > oldExpiry, "expected the new token to expire later");
  assert.equal(after.profile - before.profile, 1, "expected one profile request on the server");
});

pageTest("profile times show their UTC date", async (page) => {
  await logIn(page);
  await clickAndSettle(page, "#load-profile");
  const data = await lastResult(page);
  for (const field of ["issuedAt", "expiresAt", "loginAt"]) {
    const fieldText = String(data[field]);
    assert.match(
      fieldText,
      /^\d+ \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$/,
      `expected ${field} as seconds with its UTC date and time`,
    );
    const secs = Number.parseInt(fieldText, 10);
    const expected = new Date(secs * 1000).toISOString().slice(0, 19).replace("T", " ");
    assert.ok(fieldText.endsWith(`(${expected} UTC)`), `expected ${expected} UTC beside ${field} ${secs}`);
  }
});

pageTest("expired token replays in the grace period", async (page) => {
  await logIn(page);
  const oldToken = await shownToken(page);
  const before = await server.stats();
  await server.advanceClock(LIFETIME + 10);

  const [profile] = await clickAndSettle(page, "#load-profile");
  const after = await server.stats();

  assert.equal(profile.outcome, "replayed", "expected the call to be replayed after OVERDUE");
  assert.equal((await lastResult(page)).username, "alice", "expected the replay's profile data");
  assert.notEqual(await shownToken(page), oldToken, "expected the page to show the renewed token");
  assert.equal(
    after.profile - before.profile,
    1,
    "expected the handler to run once: the OVERDUE answer never reaches it",
  );
});

// Starts a slow items call, entry #2, and resolves once the server has received it, so that a
// clock move after it leaves that call's token as it was when it arrived.
async function startSlowItems(page) {
  const before = await server.stats();
  await page.fill("#items-page", "2");
  await page.fill("#items-delay", "3000");
  await page.click("#load-items");
  for (let tries = 0; tries < 100; tries += 1) {
    if ((await server.stats()).items > before.items) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the server did not receive the slow items call within 5 s");
}

// Waits for log entry `id` to settle and reads it. The log is hidden after a logout.
async function settledEntry(page, id) {
  await page.waitForSelector(`[data-request-id='${id}']:not([data-outcome='pending'])`, {
    state: "attached",
  });
  return readEntry(page, id);
}

pageTest("call beside a renewal keeps its outcome", async (page) => {
  await logIn(page);
  await startSlowItems(page);
  await server.advanceClock(LIFETIME - WINDOW + 10);

  const [profile] = await clickAndSettle(page, "#load-profile");
  const slow = await settledEntry(page, 2);

  assert.equal(profile.renewed, true, "expected the profile call to renew the token");
  assert.equal(slow.outcome, "ok", "expected the slow call to succeed");
  assert.equal(slow.renewed, false, "expected the slow call, whose reply had no token, not marked renewed");
});

pageTest("call beside a replay keeps its outcome", async (page) => {
  await logIn(page);
  await startSlowItems(page);
  await server.advanceClock(LIFETIME + 10);

  await page.fill("#items-page", "3");
  await page.fill("#items-delay", "0");
  const [fast] = await clickAndSettle(page, "#load-items");
  const slow = await settledEntry(page, 2);

  assert.equal(fast.outcome, "replayed", "expected the call after expiry to be replayed");
  assert.equal(slow.outcome, "ok", "expected the slow call, sent once before expiry, not marked replayed");
});

pageTest("countdown follows the server clock", async (page) => {
  await logIn(page);
  await server.advanceClock(LIFETIME - WINDOW + 10);

  // The page reads the server's time every 5 s.
  await page.waitForSelector("#token-phase[data-phase='window']", { timeout: 15_000 });
  await page.reload();
  await page.waitForSelector("html[data-ready='true']");
  assert.equal(
    await page.getAttribute("#token-phase", "data-phase"),
    "window",
    "expected the renewal window right after a reload",
  );
});

pageTest("expired past the grace period requires login", async (page) => {
  await logIn(page);
  await server.advanceClock(LIFETIME + GRACE + 10);

  const [profile] = await clickAndSettle(page, "#load-profile");

  assert.equal(profile.outcome, "login-required", "expected the call to require a login");
  assert.equal(await page.isVisible("#login-required"), true, "expected the session-ended notice");
  assert.equal(await page.isVisible("#login-form"), true, "expected the login form again");
  assert.equal(
    await page.getAttribute("#login-required", "data-cause"),
    "other",
    "expected the notice not to blame the session cap",
  );
});

pageTest("session cap requires login", async (page) => {
  await logIn(page);
  await clickAndSettle(page, "#load-profile");
  // The page shows each time as its seconds followed by its UTC date and time.
  const capEnd = Number.parseInt((await lastResult(page)).loginAt, 10) + CAP;
  let now = await server.advanceClock(0);

  // Renew inside each renewal window until the server stops extending the token at the cap.
  let expiry = await shownExpiry(page);
  for (let round = 0; round < 10 && expiry < capEnd; round += 1) {
    now = await server.advanceClock(expiry - now - 30);
    const [profile] = await clickAndSettle(page, "#load-profile");
    assert.equal(profile.outcome, "ok", `expected renewal round ${round} to succeed`);
    expiry = await shownExpiry(page);
  }
  assert.equal(expiry, capEnd, "expected the last renewed token to expire at the session cap");

  // Past expiry but well within the grace period: only the cap can end the session here.
  await server.advanceClock(expiry - now + 20);
  const [profile] = await clickAndSettle(page, "#load-profile");

  assert.equal(profile.outcome, "login-required", "expected the call to require a login");
  assert.equal(await page.isVisible("#login-required"), true, "expected the session-ended notice");
  assert.equal(await page.isVisible("#login-form"), true, "expected the login form again");
  await page.waitForSelector("#login-required[data-cause='cap']");
  assert.match(
    await page.textContent("#login-required"),
    /reached the session cap of 300 s/,
    "expected the notice to name the session cap",
  );
});

// The wait buttons wait in real time. Playwright's fake clock and the server's test clock move
// forward together, so the wait ends without sleeping.
pageTest("wait button renews in the window", async (page) => {
  await logIn(page);
  const oldToken = await shownToken(page);

  await page.click("#wait-renewal");
  assert.match(await page.textContent("#wait-status"), /Waiting/, "expected a waiting message");
  const step = LIFETIME - WINDOW + 5;
  await server.advanceClock(step);
  await page.clock.fastForward(step * 1000);
  await page.waitForSelector("[data-request-id='2']:not([data-outcome='pending'])");

  const entry = await page.$eval("[data-request-id='2']", (item) => item.dataset);
  assert.equal(entry.outcome, "ok", "expected the profile request fired by the wait to succeed");
  assert.equal(entry.renewed, "true", "expected the token to be renewed");
  assert.notEqual(await shownToken(page), oldToken, "expected the page to show a new token");
}, { fakeClock: true });

pageTest("wait button replays after expiry", async (page) => {
  await logIn(page);

  await page.click("#wait-grace");
  const step = LIFETIME + 5;
  await server.advanceClock(step);
  await page.clock.fastForward(step * 1000);
  await page.waitForSelector("[data-request-id='2']:not([data-outcome='pending'])");

  const outcome = await page.getAttribute("[data-request-id='2']", "data-outcome");
  assert.equal(outcome, "replayed", "expected the request fired after expiry to be replayed");
}, { fakeClock: true });

pageTest("second tab follows a renewal", async (page) => {
  await logIn(page);
  const other = await page.context().newPage();
  await openDemo(other, server.baseUrl, demoQuery);
  assert.equal(await other.isVisible("#session"), true, "expected the second tab logged in");
  assert.equal(
    await shownToken(other),
    await shownToken(page),
    "expected the second tab to show the stored token",
  );

  await server.advanceClock(LIFETIME - WINDOW + 10);
  const [profile] = await clickAndSettle(page, "#load-profile");
  assert.equal(profile.renewed, true, "expected the first tab to store a renewed token");
  const renewed = await shownToken(page);

  // The client updates its token from the storage event, and the page shows it on its tick.
  await other.waitForFunction(
    (expected) => document.getElementById("token-value").textContent === expected,
    renewed,
  );
  assert.equal(await shownToken(other), renewed, "expected the second tab to show the new token");
});

pageTest("logout in another tab outlasts a renewal in flight", async (page) => {
  // A client of its own on the demo page, under a key that the page's client does not use.
  const key = "e2e-logout-in-flight";
  await page.evaluate(async (tokenKey) => {
    const { default: init, HttpClient } = await import("/pkg/web/renew_fetch.js");
    await init();
    window.testClient = new HttpClient({ tokenKey, tokenStorage: "local" });
    window.testClient.setToken("token-before-logout");
    window.testSettled = false;
    window.testCall = window.testClient.get("/scenario/renewed?delay_ms=2000");
    window.testCall.finally(() => {
      window.testSettled = true;
    });
  }, key);
  // Any page of the same origin shares the local storage.
  const other = await page.context().newPage();
  await other.goto(`${server.baseUrl}/scenario/ok`);
  await other.evaluate((tokenKey) => localStorage.removeItem(tokenKey), key);
  assert.equal(
    await page.evaluate(() => window.testSettled),
    false,
    "expected the call still in flight when the other tab logged out",
  );

  const stored = await page.evaluate(async (tokenKey) => {
    const envelope = await window.testCall;
    return {
      code: envelope.code,
      client: window.testClient.getToken() ?? null,
      storage: localStorage.getItem(tokenKey),
    };
  }, key);
  assert.equal(stored.code, 200, "expected the call to succeed");
  assert.equal(stored.client, null, "expected the client to keep the other tab's logout");
  assert.equal(stored.storage, null, "expected local storage to keep the other tab's logout");
});

pageTest("full token stays off the page", async (page) => {
  const consoleText = [];
  page.on("console", (message) => consoleText.push(message.text()));

  // The login response contains the token, and the page shows that response's data.
  await logIn(page);
  const loginToken = await storedToken(page);
  assert.ok(loginToken.length > 40, "expected a whole login token in local storage");
  const afterLogin = await page.textContent("body");
  assert.equal(afterLogin.includes(loginToken), false, "expected the login token abbreviated");

  await server.advanceClock(LIFETIME + 5);
  const [profile] = await clickAndSettle(page, "#load-profile");
  const renewedToken = await storedToken(page);
  assert.equal(profile.outcome, "replayed", "expected a replay, which stores a renewed token");
  assert.notEqual(renewedToken, loginToken, "expected a renewed token in local storage");
  const afterReplay = await page.textContent("body");
  assert.equal(afterReplay.includes(renewedToken), false, "expected the renewed token abbreviated");

  for (const [name, token] of [["login", loginToken], ["renewed", renewedToken]]) {
    const logged = consoleText.some((text) => text.includes(token));
    assert.equal(logged, false, `expected the ${name} token never logged to the console`);
  }
});

pageTest(
  "page fits a phone screen",
  async (page) => {
    await logIn(page);
    await clickAndSettle(page, "#load-items");
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.equal(overflow, 0, "expected no horizontal scrolling at 390 px wide");
    await saveScreenshot(page, "demo-phone");
  },
  { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
);

pageTest(
  "screenshot of the demo page",
  async (page) => {
    await logIn(page);
    await page.fill("#burst-size", "4");
    await clickAndSettle(page, "#burst", 4);
    await server.advanceClock(LIFETIME - WINDOW + 10);
    const [renewal] = await clickAndSettle(page, "#load-items");
    assert.equal(renewal.renewed, true, "expected a renewal to show in the screenshot");
    await server.advanceClock(LIFETIME + 5);
    const [replay] = await clickAndSettle(page, "#load-profile");
    assert.equal(replay.outcome, "replayed", "expected a replay to show in the screenshot");
    const file = await saveScreenshot(page, "demo");
    assert.ok(file.endsWith("artifacts/demo.png"), "expected the screenshot in artifacts/");
  },
  { viewport: { width: 900, height: 1000 } },
);
