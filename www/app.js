// The renew-fetch demo page. It logs in through the wasm client and shows, live, what the
// client does with each request: the token it holds, duplicates it cancels, renewed tokens it
// picks up and requests it replays after an OVERDUE response.

const API_BASE = `${location.origin}/api`;
const TOKEN_STORAGE_KEY = "renew-fetch-demo-token";
const BURST_DELAY_MS = 1000;
const TICK_MS = 250;
// How often the page reads the server's clock, which the test clock can move.
const SERVER_CLOCK_MS = 5000;

// The wait buttons fire their request this many seconds past the boundary that they wait for,
// so that the server's clock is past it too.
const BOUNDARY_MARGIN_SECS = 2;

let settings = readSettings(new URLSearchParams(location.search), {});
const elements = findElements();
// The notice for a session that ended, as the page's HTML writes it.
const GENERIC_SESSION_END = elements.loginRequired.textContent.trim().replace(/\s+/g, " ");

let client = null;
let shownToken = null;
let shownClaims = null;
// Seconds to add to this browser's clock to get the server's, taken from the server's time in
// GET /api/config every few seconds and from the iat of each token that arrives. The server's
// test clock can move forward, and this keeps the countdown true to the server.
let serverOffsetSecs = 0;
let waitGoal = null;
let nextRequestId = 1;
let loadingChanges = 0;

main();

async function main() {
  const server = await fetchServerTimings();
  followServerClock(server);
  settings = readSettings(new URLSearchParams(location.search), server);
  elements.tokenLifetime.textContent = secondsText(settings.tokenLifetimeSecs);
  elements.renewWindow.textContent = `${settings.renewWindowSecs} s`;
  elements.gracePeriod.textContent = `${settings.gracePeriodSecs} s`;
  elements.sessionCap.textContent = secondsText(settings.sessionCapSecs);

  let HttpClient;
  try {
    const module = await import("/pkg/web/renew_fetch.js");
    await module.default();
    HttpClient = module.HttpClient;
  } catch (error) {
    showFatal(
      `Failed to load the wasm package from /pkg/web/renew_fetch.js (${error.message}). ` +
        "Build it with bash scripts/build-pkg.sh and reload.",
    );
    return;
  }

  client = new HttpClient({
    baseUrl: API_BASE,
    tokenStorage: "local",
    tokenKey: TOKEN_STORAGE_KEY,
    duplicates: "cancel-previous",
    onLoginRequired: showLoginRequired,
    onLoadingChange: showLoading,
  });
  bindControls();
  syncToken({ fromServer: false });
  setInterval(tick, TICK_MS);
  setInterval(async () => followServerClock(await fetchServerTimings()), SERVER_CLOCK_MS);
  elements.loginSubmit.disabled = false;
  document.documentElement.dataset.ready = "true";
}

// Reads the timings from the query string, else from the server, else the demo server's
// defaults (--renew-window 1m --grace-period 2m).
function readSettings(query, server) {
  const seconds = (name, serverValue, fallback) => {
    for (const value of [Number(query.get(name)), Number(serverValue)]) {
      if (Number.isFinite(value) && value > 0) return value;
    }
    return fallback;
  };
  // The page only shows the lifetime and the cap, so they come from the server alone, and
  // stay unknown (null) when it cannot be read.
  const fromServer = (value) => (Number.isFinite(value) && value > 0 ? value : null);
  return {
    renewWindowSecs: seconds("renewWindow", server.renewWindowSecs, 60),
    gracePeriodSecs: seconds("gracePeriod", server.gracePeriodSecs, 120),
    tokenLifetimeSecs: fromServer(server.tokenLifetimeSecs),
    sessionCapSecs: fromServer(server.sessionCapSecs),
  };
}

// Returns a duration from the server as text, or "unknown" when the server gave none.
function secondsText(secs) {
  return secs === null ? "unknown" : `${secs} s`;
}

// Sets the offset to the server's clock from the time in GET /api/config, when it has one.
function followServerClock(server) {
  if (Number.isFinite(server.now)) {
    serverOffsetSecs = server.now - Date.now() / 1000;
  }
}

// Fetches the server's token timings and its time from GET /api/config. The page still works
// with the defaults when that fails, so a failure is only shown in the console.
async function fetchServerTimings() {
  try {
    const response = await fetch(`${API_BASE}/config`);
    const body = await response.json();
    return body && typeof body.data === "object" && body.data !== null ? body.data : {};
  } catch (error) {
    console.warn(`Failed to read the token timings from ${API_BASE}/config: ${error.message}`);
    return {};
  }
}

function findElements() {
  const byId = (id) => document.getElementById(id);
  return {
    fatal: byId("fatal"),
    loading: byId("loading"),
    loginRequired: byId("login-required"),
    login: byId("login"),
    loginForm: byId("login-form"),
    username: byId("username"),
    password: byId("password"),
    loginSubmit: byId("login-submit"),
    loginError: byId("login-error"),
    burstSummary: byId("burst-summary"),
    burstNote: byId("burst-note"),
    session: byId("session"),
    sessionUser: byId("session-user"),
    tokenValue: byId("token-value"),
    tokenCountdown: byId("token-countdown"),
    tokenPhase: byId("token-phase"),
    pendingCount: byId("pending-count"),
    loadProfile: byId("load-profile"),
    itemsPage: byId("items-page"),
    itemsDelay: byId("items-delay"),
    itemsTimeout: byId("items-timeout"),
    loadItems: byId("load-items"),
    burstSize: byId("burst-size"),
    duplicatesPolicy: byId("duplicates-policy"),
    burst: byId("burst"),
    cancelAll: byId("cancel-all"),
    waitRenewal: byId("wait-renewal"),
    waitGrace: byId("wait-grace"),
    waitStatus: byId("wait-status"),
    logout: byId("logout"),
    requestLog: byId("request-log"),
    clearLog: byId("clear-log"),
    result: byId("result"),
    renewWindow: byId("renew-window"),
    gracePeriod: byId("grace-period"),
    tokenLifetime: byId("token-lifetime"),
    sessionCap: byId("session-cap"),
    sessionEnd: byId("session-end"),
  };
}

function bindControls() {
  elements.loginForm.addEventListener("submit", (event) => {
    event.preventDefault();
    logIn(elements.username.value, elements.password.value);
  });
  elements.loadProfile.addEventListener("click", () => loadProfile());
  elements.loadItems.addEventListener("click", () => {
    const params = {
      page: wholeNumber(elements.itemsPage, 1, 1000),
      delay_ms: wholeNumber(elements.itemsDelay, 0, 10000),
    };
    // A delay longer than the timeout shows the client's timeout error.
    const timeoutMs = wholeNumber(elements.itemsTimeout, 0, 60000);
    const options = timeoutMs > 0 ? { fullResponse: true, timeoutMs } : { fullResponse: true };
    track("GET", "/items", params, () => client.get("/items", params, options));
  });
  elements.burst.addEventListener("click", fireBurst);
  // The summary and the note describe the last burst's policy.
  elements.duplicatesPolicy.addEventListener("change", () => {
    elements.burstSummary.textContent = "";
    elements.burstNote.hidden = true;
  });
  elements.cancelAll.addEventListener("click", () => client.cancelAll());
  elements.waitRenewal.addEventListener("click", () => toggleWait("window"));
  elements.waitGrace.addEventListener("click", () => toggleWait("grace"));
  elements.logout.addEventListener("click", logOut);
  elements.clearLog.addEventListener("click", () => elements.requestLog.replaceChildren());
}

async function logIn(username, password) {
  elements.loginError.hidden = true;
  elements.loginRequired.hidden = true;
  elements.loginSubmit.disabled = true;
  const body = { username, password };
  // The login call sends no token, so a failed login neither replays nor calls onLoginRequired.
  const login = () => client.post("/login", body, { noToken: true, fullResponse: true });
  const envelope = await track("POST", "/login", null, login, {
    onError: (error) => {
      elements.loginError.textContent = `Login failed: ${error.message}`;
      elements.loginError.hidden = false;
    },
  });
  elements.loginSubmit.disabled = false;
  if (envelope?.data?.token) {
    client.setToken(envelope.data.token);
    syncToken({ fromServer: true });
  }
}

function logOut() {
  stopWaiting();
  // The canceled calls settle later, so their log entries are marked now.
  for (const item of elements.requestLog.querySelectorAll("[data-outcome='pending']")) {
    item.dataset.canceledBy = "logout";
  }
  client.cancelAll();
  client.clearToken();
  // The next user should not see this user's data.
  elements.result.textContent = "";
  syncToken({ fromServer: false });
}

function loadProfile(label) {
  const call = () => client.get("/profile", undefined, { fullResponse: true });
  return track("GET", "/profile", null, call, { label });
}

async function fireBurst() {
  const size = wholeNumber(elements.burstSize, 2, 20);
  const policy = elements.duplicatesPolicy.value;
  const params = { page: 1, delay_ms: BURST_DELAY_MS };
  elements.burstSummary.textContent = "";
  // The calls of an "off" burst finish one after another in Chromium, and the note explains why.
  elements.burstNote.hidden = policy !== "off";
  const before = await fetchItemsCount();
  // All calls start in the same task, so each one finds the previous one still pending.
  const calls = [];
  for (let i = 0; i < size; i += 1) {
    const call = () => client.get("/items", params, { duplicates: policy, fullResponse: true });
    calls.push(track("GET", "/items", params, call, { label: `burst ${i + 1}/${size}, ${policy}` }));
  }
  await Promise.all(calls);
  const after = await fetchItemsCount();
  if (before != null && after != null) {
    elements.burstSummary.textContent =
      `The server received ${after - before} of the ${size} calls in this burst (${policy}).`;
  }
}

// Reads how many /api/items requests the server has received, from GET /api/stats. Returns null
// when the stats cannot be read, and the burst summary is then left out.
async function fetchItemsCount() {
  try {
    const response = await fetch(`${API_BASE}/stats`);
    const body = await response.json();
    return typeof body?.data?.items === "number" ? body.data.items : null;
  } catch (error) {
    console.warn(`Failed to read ${API_BASE}/stats: ${error.message}`);
    return null;
  }
}

// Runs one client call, made with fullResponse, and records it in the log with its outcome: the
// client reports how often it replayed the call and whether a response to it renewed the token.
// Resolves to the envelope, or to undefined when the call rejected.
async function track(method, path, params, call, { label, onError } = {}) {
  const entry = addLogEntry(method, path, params, label);
  try {
    const pending = call();
    showPendingCount();
    const { data: envelope, replays, renewed: brought } = await pending;
    const replayed = replays > 0;
    const renewed = !replayed && brought;
    let detail = `code ${envelope.code}`;
    if (replayed) {
      detail += ", sent again with the renewed token after OVERDUE";
    } else if (renewed) {
      detail += ", token renewed by the server";
    }
    setOutcome(entry, replayed ? "replayed" : "ok", detail, { renewed });
    elements.result.textContent = JSON.stringify(envelope.data, shownData, 2);
    return envelope;
  } catch (error) {
    recordError(entry, error);
    onError?.(error);
    return undefined;
  } finally {
    syncToken({ fromServer: true });
    showPendingCount();
  }
}

function recordError(entry, error) {
  if (error?.kind === "canceled") {
    const reasons = {
      duplicate: "as a duplicate",
      user: "by the caller",
      all: entry.dataset.canceledBy === "logout" ? "by the logout" : "by cancel all",
    };
    setOutcome(entry, "canceled", reasons[error.reason] ?? String(error.reason ?? ""));
  } else if (error?.kind === "login_required") {
    setOutcome(entry, "login-required", error.message);
  } else {
    const kind = error?.kind ?? "exception";
    setOutcome(entry, "error", `${kind} error: ${error?.message ?? String(error)}`, { kind });
  }
}

// Shows a token in response data in the same short form as the session panel, and each time of
// the profile, in seconds since the UNIX epoch by the server's clock, with its UTC date and time.
function shownData(key, value) {
  if (key === "token" && typeof value === "string") return abbreviate(value);
  if (TIME_FIELDS.includes(key) && Number.isSafeInteger(value) && Math.abs(value) <= MAX_DATE_SECS) {
    const utc = new Date(value * 1000).toISOString().slice(0, 19).replace("T", " ");
    return `${value} (${utc} UTC)`;
  }
  return value;
}

const TIME_FIELDS = ["issuedAt", "expiresAt", "loginAt"];
// The furthest time from the epoch that a JavaScript Date holds, in seconds.
const MAX_DATE_SECS = 8.64e12;

function addLogEntry(method, path, params, label) {
  const id = nextRequestId;
  nextRequestId += 1;
  const query = params ? `?${new URLSearchParams(params)}` : "";
  const item = document.createElement("li");
  item.dataset.testid = "request";
  item.dataset.requestId = String(id);
  item.dataset.outcome = "pending";
  item.innerHTML =
    '<span class="id"></span> <span class="target"></span> ' +
    '<span class="outcome"></span> <span class="detail"></span>';
  item.querySelector(".id").textContent = `#${id}`;
  item.querySelector(".target").textContent = `${method} /api${path}${query}`;
  item.querySelector(".outcome").textContent = "pending";
  item.querySelector(".detail").textContent = label ?? "";
  elements.requestLog.prepend(item);
  return item;
}

function setOutcome(item, outcome, detail, { renewed = false, kind } = {}) {
  const labels = {
    ok: "ok",
    replayed: "replayed",
    canceled: "canceled",
    "login-required": "login required",
    error: "failed",
  };
  item.dataset.outcome = outcome;
  item.dataset.renewed = String(renewed);
  if (kind) item.dataset.kind = kind;
  item.querySelector(".outcome").textContent = labels[outcome];
  const label = item.querySelector(".detail").textContent;
  item.querySelector(".detail").textContent = label ? `${detail} (${label})` : detail;
}

function showPendingCount() {
  elements.pendingCount.textContent = String(client.pendingCount);
}

function showLoading(active) {
  loadingChanges += 1;
  elements.loading.dataset.active = String(active);
  elements.loading.dataset.changes = String(loadingChanges);
  elements.loading.setAttribute("aria-busy", String(active));
}

// The client has already cleared the token that the server rejected, whose claims the page still
// shows. Once the server's time is read, the notice names the session cap when the session has
// passed it.
async function showLoginRequired() {
  stopWaiting();
  const authTime = shownClaims?.auth_time;
  elements.loginRequired.textContent = GENERIC_SESSION_END;
  elements.loginRequired.dataset.cause = "other";
  syncToken({ fromServer: false });
  elements.loginRequired.hidden = false;

  const server = await fetchServerTimings();
  followServerClock(server);
  const now = Date.now() / 1000 + serverOffsetSecs;
  const cap = settings.sessionCapSecs;
  if (Number.isFinite(authTime) && cap !== null && now >= authTime + cap) {
    elements.loginRequired.textContent =
      `Your session ended: it reached the session cap of ${cap} s after the login, which no ` +
      "renewal extends. Log in again.";
    elements.loginRequired.dataset.cause = "cap";
  }
}

function showFatal(message) {
  elements.fatal.textContent = message;
  elements.fatal.hidden = false;
}

// Shows the client's current token. The client changes it on its own when a response carries
// a renewed one, and another tab can change it through storage, so the tick calls this too.
function syncToken({ fromServer }) {
  const token = client.getToken() ?? null;
  if (token === shownToken) return;
  shownToken = token;
  shownClaims = token ? decodeClaims(token) : null;
  if (fromServer && Number.isFinite(shownClaims?.iat)) {
    serverOffsetSecs = shownClaims.iat - Date.now() / 1000;
  }

  const loggedIn = token !== null;
  elements.session.hidden = !loggedIn;
  elements.login.hidden = loggedIn;
  elements.tokenValue.textContent = loggedIn ? abbreviate(token) : "";
  elements.sessionUser.textContent = shownClaims?.username ?? shownClaims?.sub ?? "";
  showCountdown();
}

function tick() {
  syncToken({ fromServer: true });
  showCountdown();
  showPendingCount();
  if (waitGoal) checkWait();
}

// Decodes the payload of a JWT, without verifying it: the page only reads exp for display.
function decodeClaims(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "=");
    const bytes = Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

// Every HS256 token starts with the same header, so the end of the signature is what tells
// two tokens apart.
function abbreviate(token) {
  return token.length <= 20 ? token : `${token.slice(0, 10)}…${token.slice(-8)}`;
}

function secondsLeft() {
  if (!Number.isFinite(shownClaims?.exp)) return null;
  return shownClaims.exp - (Date.now() / 1000 + serverOffsetSecs);
}

// Shows when the session cap ends the session: the login time in the token's auth_time plus
// the cap. No renewal reaches past it.
function showSessionEnd() {
  const authTime = shownClaims?.auth_time;
  if (!Number.isFinite(authTime) || settings.sessionCapSecs === null) {
    elements.sessionEnd.textContent = shownToken ? "unknown" : "";
    delete elements.sessionEnd.dataset.seconds;
    return;
  }
  const left = Math.round(authTime + settings.sessionCapSecs - (Date.now() / 1000 + serverOffsetSecs));
  elements.sessionEnd.dataset.seconds = String(left);
  elements.sessionEnd.textContent =
    left > 0 ? `in ${clock(left)}, at the session cap` : `${clock(Math.abs(left))} ago, at the session cap`;
}

function showCountdown() {
  showSessionEnd();
  const left = secondsLeft();
  if (left === null) {
    elements.tokenCountdown.textContent = shownToken ? "unknown (no exp claim)" : "";
    delete elements.tokenCountdown.dataset.exp;
    delete elements.tokenCountdown.dataset.seconds;
    setPhase("", "");
    return;
  }
  const whole = Math.round(left);
  elements.tokenCountdown.dataset.seconds = String(whole);
  elements.tokenCountdown.dataset.exp = String(shownClaims.exp);
  elements.tokenCountdown.textContent =
    left > 0 ? `in ${clock(whole)}` : `${clock(Math.abs(whole))} ago`;
  if (left > settings.renewWindowSecs) {
    setPhase("valid", "valid");
  } else if (left > 0) {
    setPhase("window", "in the renewal window");
  } else if (left > -settings.gracePeriodSecs) {
    setPhase("grace", "expired, within the grace period");
  } else {
    setPhase("expired", "expired past the grace period");
  }
}

function setPhase(phase, text) {
  elements.tokenPhase.dataset.phase = phase;
  elements.tokenPhase.textContent = text;
  elements.tokenPhase.hidden = phase === "";
}

function toggleWait(goal) {
  if (waitGoal === goal) {
    stopWaiting();
    return;
  }
  waitGoal = goal;
  elements.waitRenewal.setAttribute("aria-pressed", String(goal === "window"));
  elements.waitGrace.setAttribute("aria-pressed", String(goal === "grace"));
  checkWait();
}

function stopWaiting() {
  waitGoal = null;
  elements.waitRenewal.setAttribute("aria-pressed", "false");
  elements.waitGrace.setAttribute("aria-pressed", "false");
  elements.waitStatus.textContent = "";
}

// Fires a profile request once the token reaches the goal's boundary: the renewal window,
// where the response carries a renewed token, or just past expiry, where the server responds
// OVERDUE and the client replays.
function checkWait() {
  const left = secondsLeft();
  if (left === null) {
    stopWaiting();
    return;
  }
  const target =
    waitGoal === "window"
      ? settings.renewWindowSecs - BOUNDARY_MARGIN_SECS
      : -BOUNDARY_MARGIN_SECS;
  const remaining = left - target;
  if (remaining > 0) {
    const goalText = waitGoal === "window" ? "the renewal window" : "the grace period";
    elements.waitStatus.textContent =
      `Waiting ${clock(Math.ceil(remaining))} for ${goalText}, then loading the profile. ` +
      "Press the button again to stop.";
    return;
  }
  const label = waitGoal === "window" ? "after waiting for the renewal window" : "after expiry";
  stopWaiting();
  loadProfile(label);
}

function clock(totalSecs) {
  const minutes = Math.floor(totalSecs / 60);
  const seconds = String(totalSecs % 60).padStart(2, "0");
  return `${minutes}:${seconds}`;
}

function wholeNumber(input, min, max) {
  const value = Math.trunc(Number(input.value));
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, value));
}
