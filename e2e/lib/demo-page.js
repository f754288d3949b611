// Drives the demo page in www/ the way a person does: through its form and buttons.

// Opens the demo page and waits until the wasm client has loaded. Throws the page's own
// message when the package failed to load.
export async function openDemo(page, baseUrl, query = "") {
  await page.goto(`${baseUrl}/${query}`);
  await page.waitForSelector("html[data-ready='true'], #fatal:not([hidden])");
  if (await page.isVisible("#fatal")) {
    throw new Error(`the demo page failed to start: ${await page.textContent("#fatal")}`);
  }
}

// Logs in with the form and waits until the session panel shows a token.
export async function logIn(page, username = "alice", password = `${username}-password`) {
  await page.fill("#username", username);
  await page.fill("#password", password);
  const [entry] = await clickAndSettle(page, "#login-submit");
  await page.waitForSelector("#session:not([hidden])");
  return entry;
}

// The number of requests in the page's log so far.
export function requestCount(page) {
  return page.locator("[data-testid='request']").count();
}

// Clicks a button that starts `count` requests and resolves, once all of them have settled, to
// their log entries in the order they started.
export async function clickAndSettle(page, selector, count = 1) {
  const before = await requestCount(page);
  await page.click(selector);
  const ids = Array.from({ length: count }, (_, index) => before + index + 1);
  await page.waitForFunction(
    (wanted) =>
      wanted.every((id) => {
        const item = document.querySelector(`[data-testid='request'][data-request-id='${id}']`);
        return item && item.dataset.outcome !== "pending";
      }),
    ids,
  );
  return Promise.all(ids.map((id) => readEntry(page, id)));
}

// Reads one log entry: its outcome, whether the token changed, and its text.
export function readEntry(page, id) {
  return page.$eval(`[data-testid='request'][data-request-id='${id}']`, (item) => ({
    id: Number(item.dataset.requestId),
    outcome: item.dataset.outcome,
    renewed: item.dataset.renewed === "true",
    kind: item.dataset.kind ?? null,
    target: item.querySelector(".target").textContent,
    detail: item.querySelector(".detail").textContent,
  }));
}

// The abbreviated token that the session panel shows.
export function shownToken(page) {
  return page.textContent("#token-value");
}

// The exp claim of the shown token, in unix seconds, as the page decoded it.
export async function shownExpiry(page) {
  return Number(await page.getAttribute("#token-countdown", "data-exp"));
}

// The data of the last successful response, parsed from the page's result panel.
export async function lastResult(page) {
  return JSON.parse(await page.textContent("#result"));
}
